//! Purpose: the live quiz state machine. A channel runs a timed quiz: each question is open for a
//! fixed number of seconds, everyone may answer once, then the answer, the fastest correct users
//! and the running top 5 are revealed and the next question is asked. Owns the settings and their
//! limits, scoring (see [`POINTS_RULE`]), standings and the ways a quiz ends.
//!
//! Pure: driven by method calls that carry `now`; every change is returned as a list of
//! [`Output`]s for the caller to render and store. Must not touch Discord, SQL, clocks or sleeping,
//! and does not choose the questions (see [`crate::quiz::drill`]).

use std::cmp::Reverse;
use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};

use super::{Question, letter};
use crate::ids::UserId;

/// How many questions a live quiz may have.
pub const QUESTIONS: RangeInclusive<usize> = 5..=30;
/// Questions in a live quiz unless asked otherwise.
pub const DEFAULT_QUESTIONS: usize = 10;
/// How many seconds each question may stay open.
pub const SECONDS: RangeInclusive<u32> = 10..=120;
/// Seconds per question unless asked otherwise.
pub const DEFAULT_SECONDS: u32 = 20;
/// Questions in a row without a single answer after which the quiz ends itself.
pub const DEFAULT_SILENT_LIMIT: u32 = 3;
/// How many standings a reveal shows.
pub const TOP: usize = 5;

/// Points for any correct answer.
pub const POINTS_CORRECT: u32 = 1;
/// Extra points for the first, second, ... correct answer to a question; later ones get none.
pub const SPEED_BONUS: [u32; 2] = [2, 1];
/// The scoring rule in plain English, for `/help` and the README. Keep in step with
/// [`POINTS_CORRECT`] and [`SPEED_BONUS`].
pub const POINTS_RULE: &str = "A correct answer scores 1 point, and the first two correct answers \
to each question earn a speed bonus of 2 and 1 points, so the fastest correct answers score 3, \
then 2, then 1 each.";

/// Points for the correct answer that came `rank`-th (0 = first) to its question.
pub fn points_for(rank: usize) -> u32 {
    POINTS_CORRECT + SPEED_BONUS.get(rank).copied().unwrap_or(0)
}

/// Settings out of range; the message says what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "questions must be between {min} and {max}; you asked for {asked}",
        min = QUESTIONS.start(),
        max = QUESTIONS.end()
    )]
    Questions { asked: usize },
    #[error(
        "seconds per question must be between {min} and {max}; you asked for {asked}",
        min = SECONDS.start(),
        max = SECONDS.end()
    )]
    Seconds { asked: u32 },
    #[error(
        "the quiz must allow at least 1 silent question before it ends itself; you asked for {asked}"
    )]
    SilentLimit { asked: u32 },
}

/// Validated settings of one live quiz.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveQuizSettings {
    questions: usize,
    seconds: u32,
    silent_limit: u32,
}

impl Default for LiveQuizSettings {
    fn default() -> Self {
        LiveQuizSettings {
            questions: DEFAULT_QUESTIONS,
            seconds: DEFAULT_SECONDS,
            silent_limit: DEFAULT_SILENT_LIMIT,
        }
    }
}

impl LiveQuizSettings {
    /// Checks the number of questions and the seconds per question against their ranges.
    pub fn new(questions: usize, seconds: u32) -> Result<Self, SettingsError> {
        if !QUESTIONS.contains(&questions) {
            return Err(SettingsError::Questions { asked: questions });
        }
        if !SECONDS.contains(&seconds) {
            return Err(SettingsError::Seconds { asked: seconds });
        }
        Ok(LiveQuizSettings {
            questions,
            seconds,
            silent_limit: DEFAULT_SILENT_LIMIT,
        })
    }

    /// The same settings, ending the quiz after `limit` unanswered questions in a row.
    pub fn with_silent_limit(self, limit: u32) -> Result<Self, SettingsError> {
        if limit == 0 {
            return Err(SettingsError::SilentLimit { asked: limit });
        }
        Ok(LiveQuizSettings {
            silent_limit: limit,
            ..self
        })
    }

    /// The most questions the quiz asks.
    pub fn questions(&self) -> usize {
        self.questions
    }

    /// Seconds each question stays open.
    pub fn seconds(&self) -> u32 {
        self.seconds
    }

    /// Unanswered questions in a row that end the quiz.
    pub fn silent_limit(&self) -> u32 {
        self.silent_limit
    }
}

/// A quiz cannot be built without questions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no questions to ask; choose another topic or exam")]
pub struct NoQuestions;

/// Why an answer was not taken. Each message can be shown to the user as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("no quiz question is open right now")]
    NotRunning,
    #[error("time is up for this question; wait for the next one")]
    TooLate,
    #[error("you already answered {choice}; only your first answer counts")]
    AlreadyAnswered { choice: String },
    #[error("this question needs {expected} choice(s); you picked {picked}")]
    WrongPickCount { expected: usize, picked: usize },
    #[error("there is no choice {}; pick A to {}", letter(*.index), letter(.choices.saturating_sub(1)))]
    NoSuchChoice { index: usize, choices: usize },
}

/// How a quiz ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishReason {
    /// Every question was asked.
    Completed,
    /// Someone stopped it early.
    Stopped,
    /// Nobody answered for [`LiveQuizSettings::silent_limit`] questions in a row.
    Silent,
    /// The bot restarted; the quiz could not go on.
    Abandoned,
}

/// One recorded answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRecord {
    pub user: UserId,
    /// Sorted, without duplicates.
    pub picks: Vec<usize>,
    pub answered_at: DateTime<Utc>,
    pub correct: bool,
    pub points: u32,
    /// Milliseconds from the question being asked to this answer.
    pub response_ms: u64,
}

impl AnswerRecord {
    /// The picks as letters: `B` or `A, D`.
    pub fn letters(&self) -> String {
        letters(&self.picks)
    }
}

/// What the answering user is told privately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub index: usize,
    pub choice: String,
    pub correct: bool,
    pub points: u32,
}

/// A user who answered a question correctly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Winner {
    pub user: UserId,
    pub points: u32,
    pub response_ms: u64,
}

/// One user's place in the quiz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// 1 for the leader.
    pub rank: usize,
    pub user: UserId,
    pub points: u32,
    pub correct: u32,
    /// Sum of the response times of the correct answers; lower wins a tie on points.
    pub response_ms: u64,
}

/// Something for the caller to show, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// A question is open until `closes_at`.
    Ask {
        index: usize,
        total: usize,
        question: Question,
        closes_at: DateTime<Utc>,
    },
    /// A question closed: its answer, who got it right (fastest first) and the top standings.
    Reveal {
        index: usize,
        correct: String,
        winners: Vec<Winner>,
        answered: usize,
        /// How many answers picked each choice, by choice index.
        split: Vec<usize>,
        top: Vec<Standing>,
    },
    /// The quiz is over; `asked` questions were shown.
    Finished {
        reason: FinishReason,
        asked: usize,
        standings: Vec<Standing>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    NotStarted,
    Open {
        index: usize,
        asked_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    },
    Finished(FinishReason),
}

/// A live quiz in one channel.
#[derive(Debug, Clone)]
pub struct LiveQuiz {
    questions: Vec<Question>,
    settings: LiveQuizSettings,
    answers: Vec<Vec<AnswerRecord>>,
    phase: Phase,
    asked: usize,
    silent: u32,
}

impl LiveQuiz {
    /// A quiz over `questions` in order, at most [`LiveQuizSettings::questions`] of them (a smaller
    /// list makes a shorter quiz). Nothing is asked until [`LiveQuiz::start`].
    pub fn new(
        mut questions: Vec<Question>,
        settings: LiveQuizSettings,
    ) -> Result<Self, NoQuestions> {
        if questions.is_empty() {
            return Err(NoQuestions);
        }
        questions.truncate(settings.questions());
        let answers = vec![Vec::new(); questions.len()];
        Ok(LiveQuiz {
            questions,
            settings,
            answers,
            phase: Phase::NotStarted,
            asked: 0,
            silent: 0,
        })
    }

    /// Asks the first question. Does nothing once started.
    pub fn start(&mut self, now: DateTime<Utc>) -> Vec<Output> {
        match self.phase {
            Phase::NotStarted => vec![self.ask(0, now)],
            _ => Vec::new(),
        }
    }

    /// Takes `user`'s answer to the open question.
    pub fn answer(
        &mut self,
        user: UserId,
        picks: &[usize],
        now: DateTime<Utc>,
    ) -> Result<Feedback, AnswerError> {
        let Phase::Open {
            index,
            asked_at,
            closes_at,
        } = self.phase
        else {
            return Err(AnswerError::NotRunning);
        };
        if now >= closes_at {
            return Err(AnswerError::TooLate);
        }
        let round = &self.answers[index];
        if let Some(first) = round.iter().find(|a| a.user == user) {
            return Err(AnswerError::AlreadyAnswered {
                choice: first.letters(),
            });
        }
        let question = &self.questions[index];
        let mut picks = picks.to_vec();
        picks.sort_unstable();
        picks.dedup();
        if let Some(&bad) = picks.iter().find(|&&i| i >= question.choices.len()) {
            return Err(AnswerError::NoSuchChoice {
                index: bad,
                choices: question.choices.len(),
            });
        }
        let expected = question.answer.count();
        if picks.len() != expected {
            return Err(AnswerError::WrongPickCount {
                expected,
                picked: picks.len(),
            });
        }
        let correct = question.is_correct(&picks);
        let points = if correct {
            points_for(round.iter().filter(|a| a.correct).count())
        } else {
            0
        };
        let response_ms = u64::try_from((now - asked_at).num_milliseconds()).unwrap_or(0);
        let record = AnswerRecord {
            user,
            picks,
            answered_at: now,
            correct,
            points,
            response_ms,
        };
        let feedback = Feedback {
            index,
            choice: record.letters(),
            correct,
            points,
        };
        self.answers[index].push(record);
        self.silent = 0;
        Ok(feedback)
    }

    /// Closes the open question once its time is up, then asks the next one (open for the full
    /// time from `now`, even if the tick came late) or finishes. Before the deadline: nothing.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Vec<Output> {
        let Phase::Open {
            index, closes_at, ..
        } = self.phase
        else {
            return Vec::new();
        };
        if now < closes_at {
            return Vec::new();
        }
        let mut out = vec![self.reveal(index)];
        if index + 1 >= self.questions.len() {
            out.push(self.finish(FinishReason::Completed));
        } else if self.silent >= self.settings.silent_limit() {
            out.push(self.finish(FinishReason::Silent));
        } else {
            out.push(self.ask(index + 1, now));
        }
        out
    }

    /// Ends the quiz early, revealing the open question first. Whether the caller may stop it is
    /// checked elsewhere.
    pub fn stop(&mut self, _now: DateTime<Utc>) -> Vec<Output> {
        let mut out = Vec::new();
        match self.phase {
            Phase::Finished(_) => return out,
            Phase::Open { index, .. } => out.push(self.reveal(index)),
            Phase::NotStarted => {}
        }
        out.push(self.finish(FinishReason::Stopped));
        out
    }

    /// Ends the quiz because it cannot go on (the bot restarted). Points so far are kept,
    /// including those of the open question; nothing more is revealed.
    pub fn abandon(&mut self) -> Vec<Output> {
        match self.phase {
            Phase::Finished(_) => Vec::new(),
            _ => vec![self.finish(FinishReason::Abandoned)],
        }
    }

    /// When the caller should [`LiveQuiz::tick`] next; `None` when no question is open.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        match self.phase {
            Phase::Open { closes_at, .. } => Some(closes_at),
            _ => None,
        }
    }

    /// The open question: its index, the question and when it closes.
    pub fn current(&self) -> Option<(usize, &Question, DateTime<Utc>)> {
        match self.phase {
            Phase::Open {
                index, closes_at, ..
            } => Some((index, &self.questions[index], closes_at)),
            _ => None,
        }
    }

    /// Whether the quiz is over; every call after that does nothing or is refused.
    pub fn is_finished(&self) -> bool {
        matches!(self.phase, Phase::Finished(_))
    }

    /// Why the quiz ended, once it has.
    pub fn finish_reason(&self) -> Option<FinishReason> {
        match self.phase {
            Phase::Finished(reason) => Some(reason),
            _ => None,
        }
    }

    /// The settings the quiz runs with.
    pub fn settings(&self) -> LiveQuizSettings {
        self.settings
    }

    /// How many questions the quiz has (it may end before asking them all).
    pub fn len(&self) -> usize {
        self.questions.len()
    }

    /// Always false: a quiz has at least one question.
    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    /// The question at `index`.
    pub fn question(&self, index: usize) -> Option<&Question> {
        self.questions.get(index)
    }

    /// The answers to question `index` in the order they arrived (empty if never asked).
    pub fn answers(&self, index: usize) -> &[AnswerRecord] {
        self.answers.get(index).map_or(&[], Vec::as_slice)
    }

    /// How many answered question `index`.
    pub fn answer_count(&self, index: usize) -> usize {
        self.answers(index).len()
    }

    /// How many answers picked each choice of question `index`, by choice index.
    pub fn vote_split(&self, index: usize) -> Vec<usize> {
        let choices = self.question(index).map_or(0, |q| q.choices.len());
        let mut split = vec![0; choices];
        for pick in self.answers(index).iter().flat_map(|a| &a.picks) {
            if let Some(n) = split.get_mut(*pick) {
                *n += 1;
            }
        }
        split
    }

    /// Everyone who answered, best first: most points, then the lower total response time of
    /// correct answers, then the lower user id.
    pub fn standings(&self) -> Vec<Standing> {
        let mut by_user: Vec<Standing> = Vec::new();
        for a in self.answers.iter().flatten() {
            let pos = match by_user.iter().position(|s| s.user == a.user) {
                Some(pos) => pos,
                None => {
                    by_user.push(Standing {
                        rank: 0,
                        user: a.user,
                        points: 0,
                        correct: 0,
                        response_ms: 0,
                    });
                    by_user.len() - 1
                }
            };
            let s = &mut by_user[pos];
            if a.correct {
                s.points += a.points;
                s.correct += 1;
                s.response_ms += a.response_ms;
            }
        }
        by_user.sort_by_key(|s| (Reverse(s.points), s.response_ms, s.user));
        for (i, s) in by_user.iter_mut().enumerate() {
            s.rank = i + 1;
        }
        by_user
    }

    fn ask(&mut self, index: usize, now: DateTime<Utc>) -> Output {
        let closes_at = now + Duration::seconds(i64::from(self.settings.seconds()));
        self.phase = Phase::Open {
            index,
            asked_at: now,
            closes_at,
        };
        self.asked = index + 1;
        Output::Ask {
            index,
            total: self.questions.len(),
            question: self.questions[index].clone(),
            closes_at,
        }
    }

    fn reveal(&mut self, index: usize) -> Output {
        let round = &self.answers[index];
        if round.is_empty() {
            self.silent += 1;
        }
        let mut winners: Vec<Winner> = round
            .iter()
            .filter(|a| a.correct)
            .map(|a| Winner {
                user: a.user,
                points: a.points,
                response_ms: a.response_ms,
            })
            .collect();
        winners.sort_by_key(|w| w.response_ms);
        let mut top = self.standings();
        top.truncate(TOP);
        Output::Reveal {
            index,
            correct: self.questions[index].answer.letters(),
            winners,
            answered: round.len(),
            split: self.vote_split(index),
            top,
        }
    }

    fn finish(&mut self, reason: FinishReason) -> Output {
        self.phase = Phase::Finished(reason);
        Output::Finished {
            reason,
            asked: self.asked,
            standings: self.standings(),
        }
    }
}

fn letters(picks: &[usize]) -> String {
    picks
        .iter()
        .map(|&i| letter(i).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
