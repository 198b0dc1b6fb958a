//! Purpose: live quiz sessions in the store. One running quiz per channel, kept by unique
//! partial indexes (where it runs and where it was started), so two processes starting a quiz
//! at once get one; quiz questions are posts linked to their session; ending a session, or
//! abandoning the sessions of a process that died, closes their open posts in the same
//! transaction, so nothing stays half-open; a quiz's standings come from its stored answers.
//!
//! Must not decide the quiz's rules (timing, points, when it ends): `quiz::live` does.

use std::fmt;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Backend, Closing, NewPost, PostKind, Store, StoreError, db_id, from_db, from_ms, ms};
use crate::ids::{ChannelId, GuildId, PostId, UserId};

/// A live quiz session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QuizId(pub i64);

impl fmt::Display for QuizId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What [`Store::start_quiz`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuiz {
    pub guild: GuildId,
    /// Where the quiz runs: the thread made for it, or `parent_channel` itself.
    pub channel: ChannelId,
    /// Where `/quiz start` was typed; one running quiz per such channel too.
    pub parent_channel: ChannelId,
    pub started_by: UserId,
    /// The process running the quiz (its name, stable across restarts), so the next start of
    /// that process can abandon what it left running.
    pub holder: String,
    /// The topic filter, if any.
    pub topic: Option<String>,
    /// The exam filter, if any.
    pub exam: Option<String>,
    pub questions: u32,
    /// Seconds per question.
    pub seconds: u32,
    pub started_at: DateTime<Utc>,
}

/// The outcome of [`Store::start_quiz`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuizStart {
    /// The quiz is this process's to run.
    Started(QuizId),
    /// A quiz already runs here (in `channel`, which may be a thread of the channel asked for).
    AlreadyRunning { id: QuizId, channel: ChannelId },
}

/// Where a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuizState {
    Running,
    /// Every question was asked.
    Completed,
    /// Someone stopped it early.
    Stopped,
    /// Nobody answered for several questions in a row.
    Silent,
    /// Its process died; the points so far count.
    Abandoned,
}

impl QuizState {
    fn as_str(self) -> &'static str {
        match self {
            QuizState::Running => "running",
            QuizState::Completed => "completed",
            QuizState::Stopped => "stopped",
            QuizState::Silent => "silent",
            QuizState::Abandoned => "abandoned",
        }
    }

    fn parse(s: &str) -> QuizState {
        match s {
            "running" => QuizState::Running,
            "completed" => QuizState::Completed,
            "stopped" => QuizState::Stopped,
            "silent" => QuizState::Silent,
            // The schema allows nothing else.
            _ => QuizState::Abandoned,
        }
    }
}

/// How a running session ends, for [`Store::finish_quiz`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuizEnd {
    Completed,
    Stopped,
    Silent,
    Abandoned,
}

impl From<QuizEnd> for QuizState {
    fn from(end: QuizEnd) -> QuizState {
        match end {
            QuizEnd::Completed => QuizState::Completed,
            QuizEnd::Stopped => QuizState::Stopped,
            QuizEnd::Silent => QuizState::Silent,
            QuizEnd::Abandoned => QuizState::Abandoned,
        }
    }
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizSession {
    pub id: QuizId,
    pub guild: GuildId,
    /// Where it runs (the thread, if one was made).
    pub channel: ChannelId,
    /// Where it was started.
    pub parent_channel: ChannelId,
    /// `UserId(0)` once that member had their data deleted.
    pub started_by: UserId,
    pub holder: String,
    pub topic: Option<String>,
    pub exam: Option<String>,
    pub questions: u32,
    pub seconds: u32,
    pub state: QuizState,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// The columns [`session_from_row!`] reads.
macro_rules! session_columns {
    () => {
        "quiz_id, guild_id, channel_id, parent_channel_id, started_by, holder, topic, exam, questions, seconds, state, started_at, ended_at"
    };
}

/// A row of [`session_columns!`] as a [`QuizSession`]; `?` on a decoding error.
macro_rules! session_from_row {
    ($r:expr) => {{
        let r = $r;
        let questions: i64 = r.try_get("questions")?;
        let seconds: i64 = r.try_get("seconds")?;
        let ended: Option<i64> = r.try_get("ended_at")?;
        QuizSession {
            id: QuizId(r.try_get("quiz_id")?),
            guild: GuildId(from_db(r.try_get("guild_id")?)),
            channel: ChannelId(from_db(r.try_get("channel_id")?)),
            parent_channel: ChannelId(from_db(r.try_get("parent_channel_id")?)),
            started_by: UserId(from_db(r.try_get("started_by")?)),
            holder: r.try_get("holder")?,
            topic: r.try_get("topic")?,
            exam: r.try_get("exam")?,
            questions: u32::try_from(questions).unwrap_or_default(),
            seconds: u32::try_from(seconds).unwrap_or_default(),
            state: QuizState::parse(&r.try_get::<String, _>("state")?),
            started_at: from_ms(r.try_get("started_at")?),
            ended_at: ended.map(from_ms),
        }
    }};
}

/// How often [`Store::start_quiz`] tries again when the quiz in its way ends between its insert
/// and its read-back.
const START_ATTEMPTS: usize = 5;

impl Store {
    /// Starts a quiz unless one already runs in its channel or in the channel it was started
    /// from. Atomic across processes: of two starts at once in one channel, exactly one gets
    /// [`QuizStart::Started`].
    pub async fn start_quiz(&self, quiz: &NewQuiz) -> Result<QuizStart, StoreError> {
        on_write!(self, pool => {
            for _ in 0..START_ATTEMPTS {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO quiz_sessions (guild_id, channel_id, parent_channel_id, started_by, holder, topic, exam, questions, seconds, state, started_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'running', $10)
                     ON CONFLICT DO NOTHING RETURNING quiz_id",
                )
                .bind(db_id(quiz.guild.0))
                .bind(db_id(quiz.channel.0))
                .bind(db_id(quiz.parent_channel.0))
                .bind(db_id(quiz.started_by.0))
                .bind(&quiz.holder)
                .bind(&quiz.topic)
                .bind(&quiz.exam)
                .bind(i64::from(quiz.questions))
                .bind(i64::from(quiz.seconds))
                .bind(ms(quiz.started_at))
                .fetch_optional(pool)
                .await?;
                if let Some(id) = id {
                    return Ok(QuizStart::Started(QuizId(id)));
                }
                // One of the unique indexes refused it: find the quiz in the way.
                let running = sqlx::query(
                    "SELECT quiz_id, channel_id FROM quiz_sessions
                     WHERE state = 'running' AND (channel_id = $1 OR parent_channel_id = $2)
                     ORDER BY quiz_id LIMIT 1",
                )
                .bind(db_id(quiz.channel.0))
                .bind(db_id(quiz.parent_channel.0))
                .fetch_optional(pool)
                .await?;
                if let Some(r) = running {
                    return Ok(QuizStart::AlreadyRunning {
                        id: QuizId(r.try_get("quiz_id")?),
                        channel: ChannelId(from_db(r.try_get("channel_id")?)),
                    });
                }
                // It ended in between: try again.
            }
        });
        Err(StoreError::Contended {
            what: "the running quiz of a channel",
        })
    }

    /// Moves a running quiz to the thread made for it after [`Store::start_quiz`] (claim first,
    /// then create the thread). False if the quiz is not running or the thread already runs
    /// another quiz.
    pub async fn set_quiz_channel(
        &self,
        quiz: QuizId,
        channel: ChannelId,
    ) -> Result<bool, StoreError> {
        let n = on_write!(self, pool => {
            sqlx::query(
                "UPDATE quiz_sessions SET channel_id = $2
                 WHERE quiz_id = $1 AND state = 'running'
                   AND NOT EXISTS (SELECT 1 FROM quiz_sessions o WHERE o.channel_id = $2 AND o.state = 'running' AND o.quiz_id <> $1)",
            )
            .bind(quiz.0)
            .bind(db_id(channel.0))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }

    /// A session, in any state.
    pub async fn quiz(&self, quiz: QuizId) -> Result<Option<QuizSession>, StoreError> {
        let session = on_read!(self, pool => {
            match sqlx::query(concat!("SELECT ", session_columns!(), " FROM quiz_sessions WHERE quiz_id = $1"))
                .bind(quiz.0)
                .fetch_optional(pool)
                .await?
            {
                Some(r) => Some(session_from_row!(&r)),
                None => None,
            }
        });
        Ok(session)
    }

    /// The quiz running in `channel` of a server: the one running there, or else the one
    /// started there that runs in a thread.
    pub async fn running_quiz(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Result<Option<QuizSession>, StoreError> {
        let session = on_read!(self, pool => {
            match sqlx::query(concat!(
                "SELECT ", session_columns!(), " FROM quiz_sessions
                 WHERE guild_id = $1 AND state = 'running' AND (channel_id = $2 OR parent_channel_id = $2)
                 ORDER BY CASE WHEN channel_id = $2 THEN 0 ELSE 1 END, quiz_id LIMIT 1"
            ))
            .bind(db_id(guild.0))
            .bind(db_id(channel.0))
            .fetch_optional(pool)
            .await?
            {
                Some(r) => Some(session_from_row!(&r)),
                None => None,
            }
        });
        Ok(session)
    }

    /// Ends a running quiz as `end` and closes its open posts (late answers are refused).
    /// False if it was not running (already ended, or unknown): only one ending counts.
    pub async fn finish_quiz(
        &self,
        quiz: QuizId,
        end: QuizEnd,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("UPDATE quiz_sessions SET state = $2, ended_at = $3 WHERE quiz_id = $1 AND state = 'running'")
                .bind(quiz.0)
                .bind(QuizState::from(end).as_str())
                .bind(ms(now))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query("UPDATE posts SET state = 'closed', closed_at = $2 WHERE quiz_id = $1 AND state = 'open'")
                .bind(quiz.0)
                .bind(ms(now))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            n > 0
        });
        Ok(changed)
    }

    /// Marks every running quiz of `holder` abandoned and closes their open posts; for a
    /// process starting again under the same name. Returns them (abandoned), oldest first, so
    /// each channel can be told; the points so far stay.
    pub async fn abandon_quizzes_of(
        &self,
        holder: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<QuizSession>, StoreError> {
        self.abandon(Some(holder), None, now).await
    }

    /// As [`Store::abandon_quizzes_of`] for the running quizzes of any process started before
    /// `started_before` (see [`stale_quiz_cutoff`]): their process must have died, perhaps on
    /// another machine.
    pub async fn abandon_stale_quizzes(
        &self,
        started_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<QuizSession>, StoreError> {
        self.abandon(None, Some(started_before), now).await
    }

    async fn abandon(
        &self,
        holder: Option<&str>,
        started_before: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<QuizSession>, StoreError> {
        let mut sessions = on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query(concat!(
                "UPDATE quiz_sessions SET state = 'abandoned', ended_at = $3
                 WHERE state = 'running' AND ($1 IS NULL OR holder = $1) AND ($2 IS NULL OR started_at < $2)
                 RETURNING ", session_columns!()
            ))
            .bind(holder)
            .bind(started_before.map(ms))
            .bind(ms(now))
            .fetch_all(&mut *tx)
            .await?;
            let mut sessions = Vec::with_capacity(rows.len());
            for r in &rows {
                sessions.push(session_from_row!(r));
            }
            for s in &sessions {
                sqlx::query("UPDATE posts SET state = 'closed', closed_at = $2 WHERE quiz_id = $1 AND state = 'open'")
                    .bind(s.id.0)
                    .bind(ms(now))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            sessions
        });
        sessions.sort_by_key(|s| (s.started_at, s.id));
        Ok(sessions)
    }

    /// Creates a question of a running quiz: an open post of kind quiz (whatever `post.kind`
    /// says) linked to the session, so ending the session closes it. `None` if the quiz is not
    /// running (it ended, or another process abandoned it).
    pub async fn create_quiz_post(
        &self,
        quiz: QuizId,
        post: &NewPost,
    ) -> Result<Option<PostId>, StoreError> {
        let id = on_write!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO posts (guild_id, channel_id, kind, question_id, topic, posted_at, closes_at, quiz_id, shown)
                 SELECT $1, $2, $3, $4, $5, $6, $7, q.quiz_id, $9 FROM quiz_sessions q
                 WHERE q.quiz_id = $8 AND q.state = 'running'
                 RETURNING post_id",
            )
            .bind(db_id(post.guild.0))
            .bind(db_id(post.channel.0))
            .bind(PostKind::Quiz.as_str())
            .bind(&post.question_id)
            .bind(&post.topic)
            .bind(ms(post.posted_at))
            .bind(post.closes_at.map(ms))
            .bind(quiz.0)
            .bind(&post.shown)
            .fetch_optional(pool)
            .await?
        });
        Ok(id.map(PostId))
    }

    /// Records the Discord message showing a post, so its buttons can be disabled later (after
    /// a restart too).
    pub async fn set_post_message(&self, post: PostId, message_id: u64) -> Result<(), StoreError> {
        on_write!(self, pool => {
            sqlx::query("UPDATE posts SET message_id = $2 WHERE post_id = $1")
                .bind(post.0)
                .bind(db_id(message_id))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The questions of a quiz in the order asked, with their messages: after an abandon, the
    /// ones to edit.
    pub async fn quiz_posts(&self, quiz: QuizId) -> Result<Vec<Closing>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query("SELECT post_id, guild_id, channel_id, message_id, question_id, shown FROM posts WHERE quiz_id = $1 ORDER BY post_id")
                .bind(quiz.0)
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let message: Option<i64> = r.try_get("message_id")?;
                out.push(Closing {
                    post: PostId(r.try_get("post_id")?),
                    guild: GuildId(from_db(r.try_get("guild_id")?)),
                    channel: ChannelId(from_db(r.try_get("channel_id")?)),
                    message_id: message.map(from_db),
                    question_id: r.try_get("question_id")?,
                    shown: r.try_get("shown")?,
                });
            }
            out
        });
        Ok(list)
    }

    /// A quiz's standings from its stored answers: (member, points, correct, answered), most
    /// points first, then whoever finished answering earlier. For the final standings of a
    /// quiz whose process restarted.
    pub async fn quiz_standings(
        &self,
        quiz: QuizId,
    ) -> Result<Vec<(UserId, i64, i64, i64)>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT a.user_id,
                        CAST(SUM(a.points) AS BIGINT) AS total_points,
                        CAST(SUM(CASE WHEN a.correct THEN 1 ELSE 0 END) AS BIGINT) AS total_correct,
                        COUNT(*) AS total_answered,
                        MAX(a.answered_at) AS last_answer
                 FROM answers a JOIN posts p ON p.post_id = a.post_id
                 WHERE p.quiz_id = $1
                 GROUP BY a.user_id
                 ORDER BY total_points DESC, last_answer ASC, a.user_id ASC",
            )
            .bind(quiz.0)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((
                    UserId(from_db(r.try_get("user_id")?)),
                    r.try_get("total_points")?,
                    r.try_get("total_correct")?,
                    r.try_get("total_answered")?,
                ));
            }
            out
        });
        Ok(list)
    }
}
