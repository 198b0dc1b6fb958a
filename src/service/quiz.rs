//! Purpose: live quizzes as use cases: start one in a channel, take answers, move on when time
//! is up, stop early, and clean up after a restart. It holds this process's running quizzes;
//! the rules are the state machine in [`crate::quiz::live`], and the store keeps the sessions,
//! one post per question and every answer (so points survive a crash).
//!
//! It returns [`QuizEvent`]s for an adapter to show; it knows nothing of Discord and holds no SQL.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use crate::ids::{ChannelId, GuildId, PostId, UserId};
use crate::quiz::live::{
    DEFAULT_QUESTIONS, DEFAULT_SECONDS, Feedback, FinishReason, LiveQuiz, LiveQuizSettings, Output,
    Standing, Winner,
};
use crate::quiz::live::{QUESTIONS, SECONDS};
use crate::quiz::{Question, drill, letter};
use crate::schedule::WITHHOLD_AFTER_REPORTERS;
use crate::scores::{NewAnswer, PeriodKeys};
use crate::service::review::Answered;
use crate::service::{ServiceError, Study, UserError};
use crate::store::{
    NewPost, NewQuiz, PostKind, QuizEnd, QuizId, QuizSession, QuizStart, StoreError,
};

/// What `/quiz start` asks for.
#[derive(Debug, Clone)]
pub struct QuizRequest {
    pub guild: GuildId,
    /// Where the questions go: a thread made for the quiz, or `parent` itself.
    pub channel: ChannelId,
    /// Where the quiz was started.
    pub parent: ChannelId,
    pub started_by: UserId,
    pub topic: Option<String>,
    pub exam: Option<String>,
    pub questions: Option<usize>,
    pub seconds: Option<u32>,
    /// Picks and orders the questions.
    pub seed: u64,
}

/// Something the channel must be shown.
#[derive(Debug, Clone, PartialEq)]
pub enum QuizEvent {
    /// A new question, open until `closes_at`.
    Ask {
        quiz: QuizId,
        channel: ChannelId,
        post: PostId,
        index: usize,
        total: usize,
        question: Question,
        closes_at: DateTime<Utc>,
    },
    /// Time is up for a question.
    Reveal {
        quiz: QuizId,
        channel: ChannelId,
        post: PostId,
        index: usize,
        question: Question,
        /// Right answers, fastest first, with the points each earned.
        winners: Vec<Winner>,
        answered: usize,
        /// Answers per choice.
        split: Vec<usize>,
        /// The running top 5.
        top: Vec<Standing>,
    },
    /// The quiz is over.
    Finished {
        quiz: QuizId,
        channel: ChannelId,
        reason: FinishReason,
        asked: usize,
        standings: Vec<Standing>,
    },
}

struct Running {
    guild: GuildId,
    channel: ChannelId,
    parent: ChannelId,
    started_by: UserId,
    machine: LiveQuiz,
    /// The post of each question asked, by index.
    posts: Vec<PostId>,
}

/// The live quizzes of this process.
pub struct LiveQuizzes {
    study: Study,
    /// Names this process in the store, so its next start can abandon what it left running.
    holder: String,
    running: Mutex<HashMap<QuizId, Running>>,
}

impl LiveQuizzes {
    pub fn new(study: Study, holder: impl Into<String>) -> LiveQuizzes {
        LiveQuizzes {
            study,
            holder: holder.into(),
            running: Mutex::new(HashMap::new()),
        }
    }

    /// Starts a quiz: one per channel (the store refuses a second, also from another process).
    pub async fn start(
        &self,
        req: &QuizRequest,
        now: DateTime<Utc>,
    ) -> Result<(QuizId, Vec<QuizEvent>), ServiceError> {
        let settings = LiveQuizSettings::new(
            req.questions.unwrap_or(DEFAULT_QUESTIONS),
            req.seconds.unwrap_or(DEFAULT_SECONDS),
        )
        .map_err(|e| UserError::Quiz(e.to_string()))?;
        let content = self.study.content();
        let bank = &content.bank;
        if let Some(t) = &req.topic
            && !bank.topic_counts().contains_key(t)
        {
            return Err(UserError::UnknownTopic(t.clone()).into());
        }
        if let Some(e) = &req.exam
            && !bank.exam_counts().contains_key(e)
        {
            return Err(UserError::UnknownExam(e.clone()).into());
        }
        let withheld = self
            .study
            .store
            .withheld_questions(req.guild, WITHHOLD_AFTER_REPORTERS)
            .await?;
        let questions = drill::pick_excluding(
            bank,
            req.topic.as_deref(),
            req.exam.as_deref(),
            settings.questions(),
            req.seed,
            &withheld,
        );
        let mut machine =
            LiveQuiz::new(questions, settings).map_err(|e| UserError::Quiz(e.to_string()))?;
        let started = self
            .study
            .store
            .start_quiz(&NewQuiz {
                guild: req.guild,
                channel: req.channel,
                parent_channel: req.parent,
                started_by: req.started_by,
                holder: self.holder.clone(),
                topic: req.topic.clone(),
                exam: req.exam.clone(),
                questions: u32::try_from(machine.len()).unwrap_or(u32::MAX),
                seconds: settings.seconds(),
                started_at: now,
            })
            .await?;
        let id = match started {
            QuizStart::Started(id) => id,
            QuizStart::AlreadyRunning { channel, .. } => {
                return Err(UserError::QuizRunning(channel).into());
            }
        };
        tracing::info!(quiz = %id, guild = %req.guild, channel = %req.channel, questions = machine.len(), "quiz started");
        let outputs = machine.start(now);
        let mut running = self.running.lock().await;
        running.insert(
            id,
            Running {
                guild: req.guild,
                channel: req.channel,
                parent: req.parent,
                started_by: req.started_by,
                machine,
                posts: Vec::new(),
            },
        );
        let events = self.apply(&mut running, id, outputs, now).await?;
        Ok((id, events))
    }

    /// An answer to a question of a running quiz; `None` when `post` is not one of this
    /// process's live quiz questions (a daily question, or a quiz that already ended).
    pub async fn answer(
        &self,
        guild: GuildId,
        post: PostId,
        user: UserId,
        picks: &[usize],
        now: DateTime<Utc>,
    ) -> Option<Result<(Feedback, Question), ServiceError>> {
        let mut running = self.running.lock().await;
        let r = running
            .values_mut()
            .find(|r| r.guild == guild && r.posts.contains(&post))?;
        if r.posts.last() != Some(&post) || r.machine.current().is_none() {
            return Some(Err(UserError::Quiz(
                "time is up for this question; answer the current one".into(),
            )
            .into()));
        }
        let question = r.machine.current().map(|(_, q, _)| q.clone())?;
        let feedback = match r.machine.answer(user, picks, now) {
            Ok(f) => f,
            Err(e) => return Some(Err(UserError::Quiz(e.to_string()).into())),
        };
        let recorded = async {
            let zone = self.study.guild_zone(guild).await?;
            let answer = NewAnswer {
                post,
                user,
                choice: {
                    let mut p = picks.to_vec();
                    p.sort_unstable();
                    p.dedup();
                    letters(&p)
                },
                correct: feedback.correct,
                points: i64::from(feedback.points),
                at: now,
            };
            let keys = PeriodKeys::at(now, zone);
            let store = &self.study.store;
            // The member's review card changes with the answer, in one transaction.
            self.study
                .with_card_update(
                    guild,
                    &Answered {
                        user,
                        question: &question,
                        source: "quiz",
                        correct: feedback.correct,
                        answer_time: None,
                        at: now,
                    },
                    async |card| {
                        store
                            .record_answer_reviewed(guild, &answer, &keys, Some(card))
                            .await
                    },
                )
                .await
        };
        if let Err(e) = recorded.await {
            return Some(Err(e.into()));
        }
        Some(Ok((feedback, question)))
    }

    /// Moves every running quiz on to `now`: reveals questions whose time is up, asks the
    /// next, finishes quizzes.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<Vec<QuizEvent>, StoreError> {
        let mut running = self.running.lock().await;
        let due: Vec<QuizId> = running
            .iter()
            .filter(|(_, r)| r.machine.deadline().is_some_and(|d| d <= now))
            .map(|(id, _)| *id)
            .collect();
        let mut events = Vec::new();
        for id in due {
            let outputs = match running.get_mut(&id) {
                Some(r) => r.machine.tick(now),
                None => continue,
            };
            events.extend(self.apply(&mut running, id, outputs, now).await?);
        }
        Ok(events)
    }

    /// Ends the quiz running in `channel` (where it runs or where it was started) early. Only
    /// its starter, or a member allowed to manage messages, may.
    pub async fn stop(
        &self,
        guild: GuildId,
        channel: ChannelId,
        by: UserId,
        may_manage: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<QuizEvent>, ServiceError> {
        let mut running = self.running.lock().await;
        let Some((&id, r)) = running
            .iter_mut()
            .find(|(_, r)| r.guild == guild && (r.channel == channel || r.parent == channel))
        else {
            return Err(UserError::NoQuiz.into());
        };
        if r.started_by != by && !may_manage {
            return Err(UserError::NotYourQuiz.into());
        }
        let outputs = r.machine.stop(now);
        Ok(self.apply(&mut running, id, outputs, now).await?)
    }

    /// At start-up: quizzes this process left running, and any running longer than a quiz can,
    /// are marked abandoned (their points stay). Returns them so their channels can be told.
    pub async fn abandon_leftovers(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<QuizSession>, StoreError> {
        let mut gone = self
            .study
            .store
            .abandon_quizzes_of(&self.holder, now)
            .await?;
        gone.extend(
            self.study
                .store
                .abandon_stale_quizzes(stale_quiz_cutoff(now), now)
                .await?,
        );
        Ok(gone)
    }

    /// At shutdown: every running quiz ends as abandoned, with its standings.
    pub async fn abandon_all(&self, now: DateTime<Utc>) -> Result<Vec<QuizEvent>, StoreError> {
        let mut running = self.running.lock().await;
        let ids: Vec<QuizId> = running.keys().copied().collect();
        let mut events = Vec::new();
        for id in ids {
            let outputs = match running.get_mut(&id) {
                Some(r) => r.machine.abandon(),
                None => continue,
            };
            events.extend(self.apply(&mut running, id, outputs, now).await?);
        }
        Ok(events)
    }

    /// How many quizzes this process runs.
    pub async fn count(&self) -> usize {
        self.running.lock().await.len()
    }

    /// Turns state-machine outputs into stored posts and events.
    async fn apply(
        &self,
        running: &mut HashMap<QuizId, Running>,
        id: QuizId,
        outputs: Vec<Output>,
        now: DateTime<Utc>,
    ) -> Result<Vec<QuizEvent>, StoreError> {
        let store = &self.study.store;
        let mut events = Vec::new();
        for output in outputs {
            let Some(r) = running.get_mut(&id) else {
                break;
            };
            match output {
                Output::Ask {
                    index,
                    total,
                    question,
                    closes_at,
                } => {
                    let post = NewPost {
                        guild: r.guild,
                        channel: r.channel,
                        kind: PostKind::Quiz,
                        question_id: question.id.clone(),
                        topic: question.topic.clone(),
                        local_date: None,
                        posted_at: now,
                        closes_at: Some(closes_at),
                        shown: Some(question.shown_json()),
                    };
                    let Some(post) = store.create_quiz_post(id, &post).await? else {
                        // Ended elsewhere (abandoned as stale): stop here too.
                        tracing::warn!(quiz = %id, "quiz no longer running in the store; dropped");
                        running.remove(&id);
                        break;
                    };
                    r.posts.push(post);
                    events.push(QuizEvent::Ask {
                        quiz: id,
                        channel: r.channel,
                        post,
                        index,
                        total,
                        question,
                        closes_at,
                    });
                }
                Output::Reveal {
                    index,
                    winners,
                    answered,
                    split,
                    top,
                    ..
                } => {
                    let Some(&post) = r.posts.get(index) else {
                        continue;
                    };
                    store.close_post(post, now).await?;
                    let Some(question) = r.machine.question(index).cloned() else {
                        continue;
                    };
                    events.push(QuizEvent::Reveal {
                        quiz: id,
                        channel: r.channel,
                        post,
                        index,
                        question,
                        winners,
                        answered,
                        split,
                        top,
                    });
                }
                Output::Finished {
                    reason,
                    asked,
                    standings,
                } => {
                    store.finish_quiz(id, QuizEnd::from(reason), now).await?;
                    tracing::info!(quiz = %id, ?reason, asked, "quiz finished");
                    events.push(QuizEvent::Finished {
                        quiz: id,
                        channel: r.channel,
                        reason,
                        asked,
                        standings,
                    });
                    running.remove(&id);
                }
            }
        }
        Ok(events)
    }
}

/// `A` or `A,C` from picks.
pub fn letters(picks: &[usize]) -> String {
    picks
        .iter()
        .map(|&i| letter(i).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl From<FinishReason> for QuizEnd {
    fn from(reason: FinishReason) -> QuizEnd {
        match reason {
            FinishReason::Completed => QuizEnd::Completed,
            FinishReason::Stopped => QuizEnd::Stopped,
            FinishReason::Silent => QuizEnd::Silent,
            FinishReason::Abandoned => QuizEnd::Abandoned,
        }
    }
}

/// A running quiz started before this instant cannot be alive any more: the longest quiz
/// allowed (the most questions, each open the longest) plus a margin of as long again for the
/// pauses between questions and a slow Discord. For [`crate::store::Store::abandon_stale_quizzes`].
pub fn stale_quiz_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    let questions = i64::try_from(*QUESTIONS.end()).unwrap_or(i64::MAX / 1_000_000);
    let longest = chrono::Duration::seconds(questions * i64::from(*SECONDS.end()));
    now - longest - longest
}

impl Study {
    /// Remembers the message a quiz question went out as (to turn its buttons off later).
    pub async fn post_sent(&self, post: PostId, message: u64) -> Result<(), StoreError> {
        self.store.set_post_message(post, message).await
    }
}
