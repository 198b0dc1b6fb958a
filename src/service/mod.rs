//! Purpose: the use cases, one file each, over one small shared context ([`Study`]: the store
//! and the content in use). Every rule about what an action does lives here, where the bot,
//! the terminal and the tests all reach it:
//! - [`ask`]: look up the notes, and the notes a question cites;
//! - [`answer`]: grade and record a member's answer to a posted question;
//! - [`scores`]: leaderboards, study-group standings, personal stats, deleting a member's data;
//! - [`daily`]: an admin sets, pauses, resumes, brings forward or removes a daily question;
//! - [`exam`]: timed mock exams per certification: start, answer, flag, review, submit,
//!   auto-submit, results, history and readiness;
//! - [`progress`]: pictures of progress (`/stats`, exam results, leaderboard lines);
//! - [`quiz`]: live quizzes (start, answer, move on with the clock, stop, abandon);
//! - [`reports`]: members report questions; admins resolve or dismiss the reports;
//! - [`review`]: personal spaced repetition: every answer feeds the member's card; `/review`;
//! - [`servers`]: the servers the bot joins and leaves.
//!
//! No Discord here (the bot calls these), no SQL (the store has it).

pub mod answer;
pub mod ask;
pub mod daily;
pub mod exam;
pub mod progress;
pub mod quiz;
pub mod reports;
pub mod review;
pub mod scores;
pub mod servers;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono_tz::Tz;

pub use answer::AnswerReply;
pub use ask::AskPage;
pub use daily::DailyRequest;
pub use scores::{MIN_GROUP_MEMBERS, PAGE_SIZE};

use crate::content::{Library, Shelf};
use crate::ids::{ChannelId, GuildId};
use crate::schedule::ScheduleError;
use crate::store::{Store, StoreError};

/// An error worth showing to the person who caused it, as written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UserError {
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("there is no topic {0:?}; /topics lists them")]
    UnknownTopic(String),
    #[error("no question is for exam {0:?}")]
    UnknownExam(String),
    #[error("the answer window can be at most 24 hours")]
    WindowTooLong,
    #[error("this channel has no daily question; set one with /daily set")]
    NoSchedule,
    #[error("pick {expected} answer(s); you picked {picked}")]
    WrongPickCount { expected: usize, picked: usize },
    #[error("that choice is not on this question")]
    NoSuchChoice,
    #[error("this question is no longer in the question bank")]
    UnknownQuestion,
    #[error("that question is not from this server; nothing was recorded")]
    UnknownPost,
    #[error("this channel's daily question is paused or off; /daily resume first")]
    DailyPaused,
    /// A live quiz refused something; the message says what.
    #[error("{0}")]
    Quiz(String),
    #[error("a quiz is already running (channel {0}); /quiz stop ends it")]
    QuizRunning(ChannelId),
    #[error("type what to look up, for example `/ask kinesis fanout`")]
    EmptyQuery,
    #[error("the notes section {0} was not found")]
    SectionNotFound(String),
    #[error("there is no question {0:?}; its id is shown under a revealed question")]
    NoSuchQuestion(String),
    #[error("details can be at most {0} characters")]
    ReportTooLong(usize),
    #[error(
        "you can report at most {0} questions a day in this server; thank you, try again tomorrow"
    )]
    ReportLimit(i64),
    #[error("question {0} has no open reports (perhaps another admin closed them)")]
    NoOpenReports(String),
    /// A mock exam refused something; the message says what.
    #[error("{0}")]
    Exam(String),
    /// A review refused something; the message says what.
    #[error("{0}")]
    Review(String),
    #[error("no quiz is running here")]
    NoQuiz,
    #[error("only the member who started the quiz, or one who may manage messages, can stop it")]
    NotYourQuiz,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    User(#[from] UserError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    #[error("{0}")]
    Internal(String),
}

/// The context every use case shares: the store and the content in use (notes index and
/// question bank, swapped as a whole when the content is reloaded).
#[derive(Debug, Clone)]
pub struct Study {
    pub store: Store,
    content: Shelf,
}

impl Study {
    pub fn new(store: Store, content: Library) -> Study {
        Study {
            store,
            content: Shelf::new(content),
        }
    }

    /// The content in use now. Hold it for one use case: a reload swaps in a new one for the
    /// next call and never changes the one already taken.
    pub fn content(&self) -> Arc<Library> {
        self.content.get()
    }

    /// The shelf the content sits on, for whoever reloads it.
    pub fn shelf(&self) -> &Shelf {
        &self.content
    }

    /// The server's time zone (UTC when unknown or unparsable).
    pub async fn guild_zone(&self, guild: GuildId) -> Result<Tz, StoreError> {
        Ok(zone_or_utc(self.store.guild_time_zone(guild).await?))
    }
}

/// A stored time zone name, or UTC when there is none or it no longer parses.
pub(crate) fn zone_or_utc(stored: Option<String>) -> Tz {
    stored
        .and_then(|z| z.parse::<Tz>().ok())
        .unwrap_or(chrono_tz::UTC)
}
