//! Mock exams: one row per member's exam, its session and shown questions as JSON, saved with a
//! version so concurrent clicks never overwrite each other; finishing writes the result and the
//! member's review cards in one transaction.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::review::{CardUpdate, StoredCard};
use super::{Backend, Store, StoreError, db_id, from_db, from_ms, ms};
use crate::ids::{GuildId, UserId};
use crate::model::review::CardColumns;

/// A stored mock exam.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredExam {
    pub id: i64,
    pub guild: GuildId,
    pub user: UserId,
    pub exam: String,
    /// The session as JSON (the exam module's `Session`).
    pub session: String,
    /// The questions as shown, as JSON.
    pub questions: String,
    pub version: i64,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The graded result as JSON, once submitted.
    pub result: Option<String>,
}

/// A new mock exam to store.
#[derive(Debug, Clone)]
pub struct NewExam<'a> {
    pub guild: GuildId,
    pub user: UserId,
    pub exam: &'a str,
    pub session: &'a str,
    pub questions: &'a str,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
}

macro_rules! exam_from_row {
    ($r:expr) => {{
        let r = $r;
        let submitted: Option<i64> = r.try_get("submitted_at")?;
        StoredExam {
            id: r.try_get("exam_id")?,
            guild: GuildId(from_db(r.try_get("guild_id")?)),
            user: UserId(from_db(r.try_get("user_id")?)),
            exam: r.try_get("exam")?,
            session: r.try_get("session")?,
            questions: r.try_get("questions")?,
            version: r.try_get("version")?,
            started_at: from_ms(r.try_get("started_at")?),
            deadline: from_ms(r.try_get("deadline")?),
            submitted_at: submitted.map(from_ms),
            result: r.try_get("result")?,
        }
    }};
}

impl Store {
    /// Stores a new exam; `Err(open id)` when the member already has an open one here.
    pub async fn create_exam(&self, e: &NewExam<'_>) -> Result<Result<i64, i64>, StoreError> {
        let done = on_write!(self, pool => {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO exam_sessions (guild_id, user_id, exam, session, questions, started_at, deadline)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT DO NOTHING RETURNING exam_id",
            )
            .bind(db_id(e.guild.0))
            .bind(db_id(e.user.0))
            .bind(e.exam)
            .bind(e.session)
            .bind(e.questions)
            .bind(ms(e.started_at))
            .bind(ms(e.deadline))
            .fetch_optional(pool)
            .await?;
            match id {
                Some(id) => Ok(id),
                None => {
                    let open: Option<i64> = sqlx::query_scalar(
                        "SELECT exam_id FROM exam_sessions WHERE guild_id = $1 AND user_id = $2 AND submitted_at IS NULL",
                    )
                    .bind(db_id(e.guild.0))
                    .bind(db_id(e.user.0))
                    .fetch_optional(pool)
                    .await?;
                    Err(open.unwrap_or_default())
                }
            }
        });
        Ok(done)
    }

    /// An exam of this server by id.
    pub async fn exam(&self, guild: GuildId, id: i64) -> Result<Option<StoredExam>, StoreError> {
        let row = on_read!(self, pool => {
            let row = sqlx::query(
                "SELECT exam_id, guild_id, user_id, exam, session, questions, version, started_at, deadline, submitted_at, result
                 FROM exam_sessions WHERE exam_id = $1 AND guild_id = $2",
            )
            .bind(id)
            .bind(db_id(guild.0))
            .fetch_optional(pool)
            .await?;
            match row {
                Some(r) => Some(exam_from_row!(&r)),
                None => None,
            }
        });
        Ok(row)
    }

    /// A member's open exam in a server.
    pub async fn open_exam(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> Result<Option<StoredExam>, StoreError> {
        let row = on_read!(self, pool => {
            let row = sqlx::query(
                "SELECT exam_id, guild_id, user_id, exam, session, questions, version, started_at, deadline, submitted_at, result
                 FROM exam_sessions WHERE guild_id = $1 AND user_id = $2 AND submitted_at IS NULL",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .fetch_optional(pool)
            .await?;
            match row {
                Some(r) => Some(exam_from_row!(&r)),
                None => None,
            }
        });
        Ok(row)
    }

    /// A member's exams, newest first, at most `limit`.
    pub async fn exam_history(
        &self,
        guild: GuildId,
        user: UserId,
        limit: i64,
    ) -> Result<Vec<StoredExam>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT exam_id, guild_id, user_id, exam, session, questions, version, started_at, deadline, submitted_at, result
                 FROM exam_sessions WHERE guild_id = $1 AND user_id = $2
                 ORDER BY started_at DESC, exam_id DESC LIMIT $3",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(exam_from_row!(r));
            }
            out
        });
        Ok(list)
    }

    /// Open exams whose deadline passed, oldest first, at most `limit` (for the auto-submit).
    pub async fn expired_exams(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(GuildId, i64)>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT guild_id, exam_id FROM exam_sessions WHERE submitted_at IS NULL AND deadline <= $1 ORDER BY deadline LIMIT $2",
            )
            .bind(ms(now))
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((GuildId(from_db(r.try_get("guild_id")?)), r.try_get("exam_id")?));
            }
            out
        });
        Ok(list)
    }

    /// Saves an open exam's session if nobody saved since `version` was read; false when
    /// someone did (read again and retry) or the exam was submitted meanwhile.
    pub async fn save_exam(
        &self,
        id: i64,
        version: i64,
        session: &str,
    ) -> Result<bool, StoreError> {
        let n = on_write!(self, pool => {
            sqlx::query(
                "UPDATE exam_sessions SET session = $3, version = version + 1
                 WHERE exam_id = $1 AND version = $2 AND submitted_at IS NULL",
            )
            .bind(id)
            .bind(version)
            .bind(session)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Submits an exam as read (at its `version`): the final session, the graded result and the member's
    /// review cards (one per answered question), in one transaction. False when it changed
    /// since `version` (read again) or was already submitted: then nothing is written.
    pub async fn finish_exam(
        &self,
        exam: &StoredExam,
        session: &str,
        result: &str,
        submitted_at: DateTime<Utc>,
        cards: &[CardUpdate<'_>],
    ) -> Result<bool, StoreError> {
        let (guild, id, version) = (exam.guild, exam.id, exam.version);
        let done = on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE exam_sessions SET session = $3, result = $4, submitted_at = $5, version = version + 1
                 WHERE exam_id = $1 AND version = $2 AND submitted_at IS NULL",
            )
            .bind(id)
            .bind(version)
            .bind(session)
            .bind(result)
            .bind(ms(submitted_at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                for u in cards {
                    apply_card!(tx, guild, u, None);
                }
                tx.commit().await?;
                true
            } else {
                tx.rollback().await?;
                false
            }
        });
        Ok(done)
    }
}
