//! Reports of questions by members: stored per server with who, when, why and the text shown;
//! listed and closed by admins; counted for the daily limit and for taking a question out of a
//! server's rotation.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Backend, Store, StoreError, db_id, from_db, from_ms, ms};
use crate::ids::{GuildId, PostId, UserId};

/// A report to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub guild: GuildId,
    pub user: UserId,
    pub question_id: String,
    /// `wrong-answer`, `unclear`, `typo` or `other`.
    pub reason: String,
    pub details: Option<String>,
    /// The question's text as the member saw it.
    pub shown: String,
    pub post: Option<PostId>,
    pub at: DateTime<Utc>,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub guild: GuildId,
    /// `UserId(0)` once the member had their data deleted.
    pub user: UserId,
    pub question_id: String,
    pub reason: String,
    pub details: Option<String>,
    pub shown: String,
    pub post: Option<PostId>,
    pub at: DateTime<Utc>,
    /// `open`, `resolved` or `dismissed`.
    pub state: String,
}

macro_rules! report_from_row {
    ($r:expr) => {{
        let r = $r;
        let post: Option<i64> = r.try_get("post_id")?;
        Report {
            id: r.try_get("report_id")?,
            guild: GuildId(from_db(r.try_get("guild_id")?)),
            user: UserId(from_db(r.try_get("user_id")?)),
            question_id: r.try_get("question_id")?,
            reason: r.try_get("reason")?,
            details: r.try_get("details")?,
            shown: r.try_get("shown")?,
            post: post.map(PostId),
            at: from_ms(r.try_get("created_at")?),
            state: r.try_get("state")?,
        }
    }};
}

impl Store {
    /// Records a report unless the member already made `limit` reports in this server since
    /// `since`; returns its id, or `None` when the limit was reached. The count and the insert
    /// are one statement, so concurrent clicks cannot pass the limit together.
    pub async fn add_report(
        &self,
        report: &NewReport,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Option<i64>, StoreError> {
        let id = on_write!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO question_reports (guild_id, user_id, question_id, reason, details, shown, post_id, created_at)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8
                 WHERE (SELECT COUNT(*) FROM question_reports
                        WHERE user_id = $2 AND guild_id = $1 AND created_at >= $9) < $10
                 RETURNING report_id",
            )
            .bind(db_id(report.guild.0))
            .bind(db_id(report.user.0))
            .bind(&report.question_id)
            .bind(&report.reason)
            .bind(&report.details)
            .bind(&report.shown)
            .bind(report.post.map(|p| p.0))
            .bind(ms(report.at))
            .bind(ms(since))
            .bind(limit)
            .fetch_optional(pool)
            .await?
        });
        Ok(id)
    }

    /// The open reports of a server, oldest first.
    pub async fn open_reports(&self, guild: GuildId) -> Result<Vec<Report>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT report_id, guild_id, user_id, question_id, reason, details, shown, post_id, created_at, state
                 FROM question_reports WHERE guild_id = $1 AND state = 'open' ORDER BY created_at, report_id",
            )
            .bind(db_id(guild.0))
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(report_from_row!(r));
            }
            out
        });
        Ok(list)
    }

    /// Every report of every server (for the content maintainers), oldest first.
    pub async fn all_reports(&self) -> Result<Vec<Report>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT report_id, guild_id, user_id, question_id, reason, details, shown, post_id, created_at, state
                 FROM question_reports ORDER BY created_at, report_id",
            )
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(report_from_row!(r));
            }
            out
        });
        Ok(list)
    }

    /// Questions of a server reported by at least `members` different members and not yet
    /// resolved or dismissed.
    pub async fn withheld_questions(
        &self,
        guild: GuildId,
        members: i64,
    ) -> Result<Vec<String>, StoreError> {
        let list = on_read!(self, pool => {
            sqlx::query_scalar::<_, String>(
                "SELECT question_id FROM question_reports
                 WHERE guild_id = $1 AND state = 'open'
                 GROUP BY question_id HAVING COUNT(DISTINCT user_id) >= $2
                 ORDER BY question_id",
            )
            .bind(db_id(guild.0))
            .bind(members)
            .fetch_all(pool)
            .await?
        });
        Ok(list)
    }

    /// Closes every open report of a question in a server as `resolved` or `dismissed`;
    /// returns how many were closed (0 when there was none, e.g. a second admin's click).
    pub async fn close_reports(
        &self,
        guild: GuildId,
        question_id: &str,
        state: &str,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let n = on_write!(self, pool => {
            sqlx::query(
                "UPDATE question_reports SET state = $3, closed_by = $4, closed_at = $5
                 WHERE guild_id = $1 AND question_id = $2 AND state = 'open'",
            )
            .bind(db_id(guild.0))
            .bind(question_id)
            .bind(state)
            .bind(db_id(by.0))
            .bind(ms(at))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n)
    }
}
