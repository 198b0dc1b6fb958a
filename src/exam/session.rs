//! Purpose: the timed mock-exam session as a state machine over plain data: the questions in
//! order, each one's picks and flag, the current position, the clock (start, deadline,
//! submission). Every operation takes `now`; nothing here reads a clock.
//!
//! Serializes to JSON (serde) so the store can save and resume it; it holds question ids and
//! picks only, never question text, SQL or Discord types.
//!
//! Positions are 0-based in the API; messages count from 1 as people do.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// One question of a session: its id, the member's picks and whether they flagged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionQuestion {
    pub id: String,
    /// The choices picked (0-based, sorted, distinct); empty while unanswered.
    #[serde(default)]
    pub picks: Vec<usize>,
    #[serde(default)]
    pub flagged: bool,
}

impl SessionQuestion {
    pub fn is_answered(&self) -> bool {
        !self.picks.is_empty()
    }
}

/// Who ended the exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmittedBy {
    /// The member pressed submit before the deadline.
    Member,
    /// Time ran out; the exam was submitted at the deadline.
    Timer,
}

/// When and how the exam ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    #[serde(with = "rfc3339")]
    pub at: DateTime<Utc>,
    pub by: SubmittedBy,
}

/// How a question must be answered: how many picks it needs, out of how many choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerShape {
    pub picks: usize,
    pub choices: usize,
}

impl AnswerShape {
    /// A single-answer question.
    pub fn single(choices: usize) -> AnswerShape {
        AnswerShape { picks: 1, choices }
    }

    /// A "choose `picks`" question.
    pub fn choose(picks: usize, choices: usize) -> AnswerShape {
        AnswerShape { picks, choices }
    }
}

/// An operation the session refused; the session is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("an exam needs at least one question")]
    NoQuestions,
    #[error("an exam needs at least one minute")]
    NoTime,
    #[error("question {0:?} appears twice in the exam")]
    DuplicateQuestion(String),
    #[error("time ran out at {}; the exam was submitted with the answers given before then", deadline.format("%H:%M:%S UTC"))]
    TimeUp { deadline: DateTime<Utc> },
    #[error("this exam was already submitted")]
    Submitted,
    #[error("there is no question {}; this exam has {len}", position + 1)]
    NoSuchQuestion { position: usize, len: usize },
    #[error("question {} needs {needed} answer(s), got {got}", position + 1)]
    WrongPickCount {
        position: usize,
        needed: usize,
        got: usize,
    },
    #[error("question {} has {choices} choices; choice {} is not one of them", position + 1, pick + 1)]
    PickOutOfRange {
        position: usize,
        pick: usize,
        choices: usize,
    },
    #[error("question {}: choice {} was picked twice", position + 1, pick + 1)]
    DuplicatePick { position: usize, pick: usize },
    #[error("saved exam is damaged: {0}")]
    Damaged(String),
}

/// What the review screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub total: usize,
    pub answered: usize,
    /// Positions (0-based) of unanswered questions, in order.
    pub unanswered: Vec<usize>,
    /// Positions (0-based) of flagged questions, in order.
    pub flagged: Vec<usize>,
    /// Time left; zero once submitted or out of time.
    pub remaining: TimeDelta,
    pub submitted: Option<Submission>,
}

/// A timed mock exam in progress or finished.
///
/// Invariants (also checked when deserializing): at least one question, no question twice,
/// `position < questions.len()`, `deadline > started_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SessionData")]
pub struct Session {
    exam: String,
    questions: Vec<SessionQuestion>,
    position: usize,
    #[serde(with = "rfc3339")]
    started_at: DateTime<Utc>,
    #[serde(with = "rfc3339")]
    deadline: DateTime<Utc>,
    submitted: Option<Submission>,
}

/// The serialized shape of a [`Session`], checked before it becomes one.
#[derive(Deserialize)]
struct SessionData {
    exam: String,
    questions: Vec<SessionQuestion>,
    #[serde(default)]
    position: usize,
    #[serde(with = "rfc3339")]
    started_at: DateTime<Utc>,
    #[serde(with = "rfc3339")]
    deadline: DateTime<Utc>,
    #[serde(default)]
    submitted: Option<Submission>,
}

impl TryFrom<SessionData> for Session {
    type Error = SessionError;

    fn try_from(d: SessionData) -> Result<Session, SessionError> {
        check_ids(d.questions.iter().map(|q| q.id.as_str()))?;
        if d.position >= d.questions.len() {
            return Err(SessionError::Damaged(format!(
                "position {} is past the last of {} questions",
                d.position,
                d.questions.len()
            )));
        }
        if d.deadline <= d.started_at {
            return Err(SessionError::Damaged(
                "the deadline is not after the start".into(),
            ));
        }
        for (i, q) in d.questions.iter().enumerate() {
            if q.picks.windows(2).any(|w| w[0] >= w[1]) {
                return Err(SessionError::Damaged(format!(
                    "question {} has unsorted or repeated picks",
                    i + 1
                )));
            }
        }
        Ok(Session {
            exam: d.exam,
            questions: d.questions,
            position: d.position,
            started_at: d.started_at,
            deadline: d.deadline,
            submitted: d.submitted,
        })
    }
}

fn check_ids<'a>(ids: impl Iterator<Item = &'a str>) -> Result<(), SessionError> {
    let mut seen = std::collections::HashSet::new();
    let mut any = false;
    for id in ids {
        any = true;
        if !seen.insert(id) {
            return Err(SessionError::DuplicateQuestion(id.to_string()));
        }
    }
    if any {
        Ok(())
    } else {
        Err(SessionError::NoQuestions)
    }
}

impl Session {
    /// Starts an exam of `questions` (in the order shown) at `now`, due `minutes` later.
    pub fn start(
        exam: &str,
        questions: Vec<String>,
        now: DateTime<Utc>,
        minutes: u32,
    ) -> Result<Session, SessionError> {
        check_ids(questions.iter().map(String::as_str))?;
        if minutes == 0 {
            return Err(SessionError::NoTime);
        }
        Ok(Session {
            exam: exam.to_string(),
            questions: questions
                .into_iter()
                .map(|id| SessionQuestion {
                    id,
                    picks: Vec::new(),
                    flagged: false,
                })
                .collect(),
            position: 0,
            started_at: now,
            deadline: now + TimeDelta::minutes(i64::from(minutes)),
            submitted: None,
        })
    }

    /// The exam code.
    pub fn exam(&self) -> &str {
        &self.exam
    }

    pub fn questions(&self) -> &[SessionQuestion] {
        &self.questions
    }

    pub fn question(&self, position: usize) -> Option<&SessionQuestion> {
        self.questions.get(position)
    }

    /// The question ids in the order shown.
    pub fn question_ids(&self) -> impl Iterator<Item = &str> {
        self.questions.iter().map(|q| q.id.as_str())
    }

    pub fn len(&self) -> usize {
        self.questions.len()
    }

    /// Always false: a session has at least one question.
    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    /// The current position (0-based).
    pub fn position(&self) -> usize {
        self.position
    }

    /// The question at the current position.
    pub fn current(&self) -> &SessionQuestion {
        // `position < len` is an invariant; fall back to the first question rather than panic.
        self.questions
            .get(self.position)
            .unwrap_or(&self.questions[0])
    }

    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    pub fn deadline(&self) -> DateTime<Utc> {
        self.deadline
    }

    pub fn submission(&self) -> Option<Submission> {
        self.submitted
    }

    pub fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.submitted.map(|s| s.at)
    }

    pub fn is_submitted(&self) -> bool {
        self.submitted.is_some()
    }

    /// Whether time has run out at `now` (whether or not [`Session::tick`] has recorded it).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.deadline
    }

    /// Whether the member can still answer at `now`: not submitted and not out of time.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.submitted.is_none() && !self.is_expired(now)
    }

    /// Time left at `now`; zero once submitted or out of time.
    pub fn remaining(&self, now: DateTime<Utc>) -> TimeDelta {
        if self.submitted.is_some() || now >= self.deadline {
            TimeDelta::zero()
        } else {
            self.deadline - now
        }
    }

    /// Records the automatic submission when time has run out: the exam is submitted as of the
    /// deadline with the answers given before it. Returns whether this call submitted it.
    pub fn tick(&mut self, now: DateTime<Utc>) -> bool {
        if self.submitted.is_none() && self.is_expired(now) {
            self.submitted = Some(Submission {
                at: self.deadline,
                by: SubmittedBy::Timer,
            });
            true
        } else {
            false
        }
    }

    /// Refuses any change once submitted or out of time.
    fn ensure_open(&self, now: DateTime<Utc>) -> Result<(), SessionError> {
        match self.submitted {
            Some(Submission {
                by: SubmittedBy::Timer,
                ..
            }) => Err(SessionError::TimeUp {
                deadline: self.deadline,
            }),
            Some(_) => Err(SessionError::Submitted),
            None if self.is_expired(now) => Err(SessionError::TimeUp {
                deadline: self.deadline,
            }),
            None => Ok(()),
        }
    }

    fn ensure_position(&self, position: usize) -> Result<(), SessionError> {
        if position < self.questions.len() {
            Ok(())
        } else {
            Err(SessionError::NoSuchQuestion {
                position,
                len: self.questions.len(),
            })
        }
    }

    /// Answers the question at `position` with `picks` (0-based choice indices, any order),
    /// replacing an earlier answer. Needs exactly `shape.picks` distinct picks below
    /// `shape.choices`. Refused, changing nothing, after the deadline or after submission.
    pub fn answer(
        &mut self,
        now: DateTime<Utc>,
        position: usize,
        picks: &[usize],
        shape: AnswerShape,
    ) -> Result<(), SessionError> {
        self.ensure_open(now)?;
        self.ensure_position(position)?;
        if picks.len() != shape.picks {
            return Err(SessionError::WrongPickCount {
                position,
                needed: shape.picks,
                got: picks.len(),
            });
        }
        let mut sorted = picks.to_vec();
        sorted.sort_unstable();
        if let Some(&pick) = sorted.iter().find(|&&p| p >= shape.choices) {
            return Err(SessionError::PickOutOfRange {
                position,
                pick,
                choices: shape.choices,
            });
        }
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(SessionError::DuplicatePick {
                position,
                pick: w[0],
            });
        }
        self.questions[position].picks = sorted;
        Ok(())
    }

    /// Clears the answer at `position` (back to unanswered).
    pub fn clear_answer(
        &mut self,
        now: DateTime<Utc>,
        position: usize,
    ) -> Result<(), SessionError> {
        self.ensure_open(now)?;
        self.ensure_position(position)?;
        self.questions[position].picks.clear();
        Ok(())
    }

    /// Flags the question at `position` for review.
    pub fn flag(&mut self, now: DateTime<Utc>, position: usize) -> Result<(), SessionError> {
        self.set_flag(now, position, true)
    }

    /// Removes the flag from the question at `position`.
    pub fn unflag(&mut self, now: DateTime<Utc>, position: usize) -> Result<(), SessionError> {
        self.set_flag(now, position, false)
    }

    /// Flips the flag at `position`; returns whether it is now flagged.
    pub fn toggle_flag(
        &mut self,
        now: DateTime<Utc>,
        position: usize,
    ) -> Result<bool, SessionError> {
        let flagged = !self.questions.get(position).is_some_and(|q| q.flagged);
        self.set_flag(now, position, flagged)?;
        Ok(flagged)
    }

    fn set_flag(
        &mut self,
        now: DateTime<Utc>,
        position: usize,
        flagged: bool,
    ) -> Result<(), SessionError> {
        self.ensure_open(now)?;
        self.ensure_position(position)?;
        self.questions[position].flagged = flagged;
        Ok(())
    }

    /// Moves to `position`; returns it.
    pub fn go_to(&mut self, now: DateTime<Utc>, position: usize) -> Result<usize, SessionError> {
        self.ensure_open(now)?;
        self.ensure_position(position)?;
        self.position = position;
        Ok(position)
    }

    /// Moves to the next question (stays on the last); returns the new position.
    pub fn next(&mut self, now: DateTime<Utc>) -> Result<usize, SessionError> {
        let to = (self.position + 1).min(self.questions.len() - 1);
        self.go_to(now, to)
    }

    /// Moves to the previous question (stays on the first); returns the new position.
    pub fn previous(&mut self, now: DateTime<Utc>) -> Result<usize, SessionError> {
        let to = self.position.saturating_sub(1);
        self.go_to(now, to)
    }

    /// The review screen: unanswered and flagged positions and the time left. Always allowed.
    pub fn review(&self, now: DateTime<Utc>) -> Review {
        let unanswered: Vec<usize> = self
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| !q.is_answered())
            .map(|(i, _)| i)
            .collect();
        Review {
            total: self.questions.len(),
            answered: self.questions.len() - unanswered.len(),
            unanswered,
            flagged: self
                .questions
                .iter()
                .enumerate()
                .filter(|(_, q)| q.flagged)
                .map(|(i, _)| i)
                .collect(),
            remaining: self.remaining(now),
            submitted: self.submitted,
        }
    }

    /// Submits the exam. After the deadline this records the automatic submission instead (as
    /// of the deadline, by the timer) and returns it; refused once already submitted.
    pub fn submit(&mut self, now: DateTime<Utc>) -> Result<Submission, SessionError> {
        if self.submitted.is_some() {
            return Err(SessionError::Submitted);
        }
        if self.is_expired(now) {
            self.tick(now);
        } else {
            self.submitted = Some(Submission {
                at: now,
                by: SubmittedBy::Member,
            });
        }
        self.submitted.ok_or(SessionError::Submitted)
    }
}

/// Times as RFC 3339 text in UTC (`2026-12-01T09:00:00.000Z`), written here so the saved form
/// does not depend on chrono's optional serde support.
mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| serde::de::Error::custom(format!("bad time {text:?}: {e}")))
    }
}
