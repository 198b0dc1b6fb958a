//! Daily schedules and the claims that make each daily slot post once.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sqlx::Row;

use super::{Backend, Store, StoreError, db_id, from_db, ms};
use crate::ids::{ChannelId, GuildId, PostId, RoleId};
use crate::model::schedule::{DailySchedule, Weekdays};

/// The outcome of trying to claim a daily slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This process holds the slot and must post it: a new claim, or one taken over from a
    /// holder whose lease ran out (then `question_id` is the one that holder picked, so a retry
    /// posts the same question).
    Won {
        post: PostId,
        question_id: String,
        /// The question as the claimer will show it (JSON), when recorded.
        shown: Option<String>,
        taken_over: bool,
    },
    /// Another process holds a live claim.
    Held,
    /// Already posted.
    Posted,
}

/// A daily post whose window ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    pub post: PostId,
    pub guild: GuildId,
    pub channel: ChannelId,
    pub message_id: Option<u64>,
    pub question_id: String,
    /// The question as it was shown (JSON), when recorded.
    pub shown: Option<String>,
}

const SCHEDULE_COLUMNS: &str = "guild_id, channel_id, local_time, time_zone, days, topics, exams, window_minutes, mention_role, seed, enabled, paused_reason, slot_date, next_due_at";

fn join(list: &[String]) -> String {
    list.join(",")
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn from_ms(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}

macro_rules! schedule_from_row {
    ($r:expr) => {{
        let r = $r;
        let zone: String = r.try_get("time_zone")?;
        let time: String = r.try_get("local_time")?;
        let days: String = r.try_get("days")?;
        let slot_date: Option<String> = r.try_get("slot_date")?;
        let next_due: Option<i64> = r.try_get("next_due_at")?;
        let window: Option<i64> = r.try_get("window_minutes")?;
        let mention: Option<i64> = r.try_get("mention_role")?;
        let seed: i64 = r.try_get("seed")?;
        DailySchedule {
            guild: GuildId(from_db(r.try_get("guild_id")?)),
            channel: ChannelId(from_db(r.try_get("channel_id")?)),
            local_time: NaiveTime::parse_from_str(&time, "%H:%M").unwrap_or_default(),
            zone: zone.parse().unwrap_or(chrono_tz::UTC),
            days: Weekdays::parse(&days).unwrap_or(Weekdays::EVERY_DAY),
            topics: split(&r.try_get::<String, _>("topics")?),
            exams: split(&r.try_get::<String, _>("exams")?),
            window: window.map(Duration::minutes),
            mention: mention.map(|m| RoleId(from_db(m))),
            seed: seed as u64,
            enabled: r.try_get("enabled")?,
            paused_reason: r.try_get("paused_reason")?,
            next: match (
                slot_date.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                next_due,
            ) {
                (Some(d), Some(t)) => Some((d, from_ms(t))),
                _ => None,
            },
        }
    }};
}

/// Every row as a [`DailySchedule`].
macro_rules! schedules_from_rows {
    ($rows:expr) => {{
        let rows = $rows;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(schedule_from_row!(r));
        }
        out
    }};
}

impl Store {
    /// Creates or replaces a channel's schedule.
    pub async fn upsert_schedule(&self, s: &DailySchedule) -> Result<(), StoreError> {
        on_write!(self, pool => {
            sqlx::query(
                "INSERT INTO daily_schedules (guild_id, channel_id, local_time, time_zone, days, topics, exams, window_minutes, mention_role, seed, enabled, paused_reason, slot_date, next_due_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 ON CONFLICT (guild_id, channel_id) DO UPDATE SET
                   local_time = excluded.local_time, time_zone = excluded.time_zone, days = excluded.days,
                   topics = excluded.topics, exams = excluded.exams, window_minutes = excluded.window_minutes,
                   mention_role = excluded.mention_role, seed = excluded.seed, enabled = excluded.enabled,
                   paused_reason = excluded.paused_reason, slot_date = excluded.slot_date, next_due_at = excluded.next_due_at",
            )
            .bind(db_id(s.guild.0))
            .bind(db_id(s.channel.0))
            .bind(s.local_time.format("%H:%M").to_string())
            .bind(s.zone.name())
            .bind(s.days.to_string())
            .bind(join(&s.topics))
            .bind(join(&s.exams))
            .bind(s.window.map(|w| w.num_minutes()))
            .bind(s.mention.map(|r| db_id(r.0)))
            .bind(s.seed as i64)
            .bind(s.enabled)
            .bind(&s.paused_reason)
            .bind(s.next.map(|(d, _)| d.format("%Y-%m-%d").to_string()))
            .bind(s.next.map(|(_, t)| ms(t)))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// A channel's schedule.
    pub async fn schedule(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Result<Option<DailySchedule>, StoreError> {
        let s = on_read!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SCHEDULE_COLUMNS} FROM daily_schedules WHERE guild_id = $1 AND channel_id = $2")))
                .bind(db_id(guild.0))
                .bind(db_id(channel.0))
                .fetch_optional(pool)
                .await?;
            match row {
                Some(r) => Some(schedule_from_row!(&r)),
                None => None,
            }
        });
        Ok(s)
    }

    /// A server's schedules.
    pub async fn schedules(&self, guild: GuildId) -> Result<Vec<DailySchedule>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SCHEDULE_COLUMNS} FROM daily_schedules WHERE guild_id = $1 ORDER BY channel_id")))
                .bind(db_id(guild.0))
                .fetch_all(pool)
                .await?;
            schedules_from_rows!(rows)
        });
        Ok(list)
    }

    /// Removes a channel's schedule.
    pub async fn remove_schedule(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Result<bool, StoreError> {
        let n = on_write!(self, pool => {
            sqlx::query("DELETE FROM daily_schedules WHERE guild_id = $1 AND channel_id = $2")
                .bind(db_id(guild.0))
                .bind(db_id(channel.0))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Enabled schedules whose next try is due, earliest first; found through the
    /// `daily_schedules_due` index, not a scan.
    pub async fn due_schedules(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DailySchedule>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {SCHEDULE_COLUMNS} FROM daily_schedules WHERE next_due_at <= $1 AND enabled AND paused_reason IS NULL ORDER BY next_due_at LIMIT $2"
            )))
            .bind(ms(now))
            .bind(limit)
            .fetch_all(pool)
            .await?;
            schedules_from_rows!(rows)
        });
        Ok(list)
    }

    /// Moves a schedule to its next slot (or a retry time), only if it still points at `from`
    /// (so two schedulers advancing the same slot agree).
    pub async fn set_next_slot(
        &self,
        guild: GuildId,
        channel: ChannelId,
        from: Option<NaiveDate>,
        next: Option<(NaiveDate, DateTime<Utc>)>,
    ) -> Result<(), StoreError> {
        on_write!(self, pool => {
            sqlx::query("UPDATE daily_schedules SET slot_date = $3, next_due_at = $4 WHERE guild_id = $1 AND channel_id = $2 AND ($5 IS NULL OR slot_date = $5)")
                .bind(db_id(guild.0))
                .bind(db_id(channel.0))
                .bind(next.map(|(d, _)| d.format("%Y-%m-%d").to_string()))
                .bind(next.map(|(_, t)| ms(t)))
                .bind(from.map(|d| d.format("%Y-%m-%d").to_string()))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Pauses (with a reason) or resumes a schedule; `enabled = false` turns it off.
    pub async fn set_schedule_state(
        &self,
        guild: GuildId,
        channel: ChannelId,
        enabled: bool,
        paused_reason: Option<&str>,
    ) -> Result<(), StoreError> {
        on_write!(self, pool => {
            sqlx::query("UPDATE daily_schedules SET enabled = $3, paused_reason = $4 WHERE guild_id = $1 AND channel_id = $2")
                .bind(db_id(guild.0))
                .bind(db_id(channel.0))
                .bind(enabled)
                .bind(paused_reason)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Claims the daily slot `(channel, date)` for `holder`, or takes over a claim whose
    /// holder has not renewed it within `lease`. The unique index on `(channel, local date)`
    /// makes this exactly-once across processes.
    #[allow(clippy::too_many_arguments)]
    pub async fn claim_daily(
        &self,
        guild: GuildId,
        channel: ChannelId,
        date: NaiveDate,
        due_at: DateTime<Utc>,
        question_id: &str,
        topic: &str,
        shown: &str,
        holder: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Claim, StoreError> {
        let date_s = date.format("%Y-%m-%d").to_string();
        let claim = on_write!(self, pool => {
            let new: Option<i64> = sqlx::query_scalar(
                "INSERT INTO posts (guild_id, channel_id, kind, question_id, topic, local_date, state, posted_at, due_at, claimed_by, claimed_at, shown)
                 VALUES ($1, $2, 'daily', $3, $4, $5, 'claimed', $6, $7, $8, $6, $9)
                 ON CONFLICT DO NOTHING RETURNING post_id",
            )
            .bind(db_id(guild.0))
            .bind(db_id(channel.0))
            .bind(question_id)
            .bind(topic)
            .bind(&date_s)
            .bind(ms(now))
            .bind(ms(due_at))
            .bind(holder)
            .bind(shown)
            .fetch_optional(pool)
            .await?;
            if let Some(id) = new {
                Claim::Won { post: PostId(id), question_id: question_id.to_string(), shown: Some(shown.to_string()), taken_over: false }
            } else {
                let row = sqlx::query(
                    "UPDATE posts SET claimed_by = $3, claimed_at = $4
                     WHERE kind = 'daily' AND channel_id = $1 AND local_date = $2 AND state = 'claimed'
                       AND (claimed_by = $3 OR claimed_at < $5)
                     RETURNING post_id, question_id, shown",
                )
                .bind(db_id(channel.0))
                .bind(&date_s)
                .bind(holder)
                .bind(ms(now))
                .bind(ms(now - lease))
                .fetch_optional(pool)
                .await?;
                match row {
                    Some(r) => Claim::Won { post: PostId(r.try_get("post_id")?), question_id: r.try_get("question_id")?, shown: r.try_get("shown")?, taken_over: true },
                    None => {
                        let state: Option<String> = sqlx::query_scalar("SELECT state FROM posts WHERE kind = 'daily' AND channel_id = $1 AND local_date = $2")
                            .bind(db_id(channel.0))
                            .bind(&date_s)
                            .fetch_optional(pool)
                            .await?;
                        if state.as_deref() == Some("claimed") { Claim::Held } else { Claim::Posted }
                    }
                }
            }
        });
        Ok(claim)
    }

    /// Records that a claimed daily post was sent: it opens for answers until `closes_at`.
    pub async fn mark_posted(
        &self,
        post: PostId,
        message_id: u64,
        at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_write!(self, pool => {
            sqlx::query("UPDATE posts SET state = 'open', message_id = $2, posted_at = $3, closes_at = $4 WHERE post_id = $1 AND state = 'claimed'")
                .bind(post.0)
                .bind(db_id(message_id))
                .bind(ms(at))
                .bind(ms(closes_at))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Gives a claim up (nothing was posted), so the slot can be posted later.
    pub async fn release_claim(&self, post: PostId) -> Result<(), StoreError> {
        on_write!(self, pool => {
            sqlx::query("DELETE FROM posts WHERE post_id = $1 AND state = 'claimed'").bind(post.0).execute(pool).await?;
        });
        Ok(())
    }

    /// Notes a failed attempt at a claimed post; returns the number of attempts so far.
    pub async fn record_attempt(&self, post: PostId, error: &str) -> Result<i64, StoreError> {
        let n = on_write!(self, pool => {
            sqlx::query_scalar("UPDATE posts SET attempts = attempts + 1, last_error = $2 WHERE post_id = $1 RETURNING attempts")
                .bind(post.0)
                .bind(error)
                .fetch_optional(pool)
                .await?
                .unwrap_or(0)
        });
        Ok(n)
    }

    /// The question ids a channel's daily posts had, oldest first.
    pub async fn daily_history(&self, channel: ChannelId) -> Result<Vec<String>, StoreError> {
        let ids = on_read!(self, pool => {
            sqlx::query_scalar("SELECT question_id FROM posts WHERE kind = 'daily' AND channel_id = $1 ORDER BY local_date")
                .bind(db_id(channel.0))
                .fetch_all(pool)
                .await?
        });
        Ok(ids)
    }

    /// Open daily posts whose window ended by `now`, or (with `channel`) every open daily post
    /// of that channel, which closes when the next question posts.
    pub async fn closings(
        &self,
        now: DateTime<Utc>,
        channel: Option<ChannelId>,
    ) -> Result<Vec<Closing>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = match channel {
                None => sqlx::query("SELECT post_id, guild_id, channel_id, message_id, question_id, shown FROM posts WHERE state = 'open' AND closes_at <= $1 ORDER BY closes_at")
                    .bind(ms(now))
                    .fetch_all(pool)
                    .await?,
                Some(c) => sqlx::query("SELECT post_id, guild_id, channel_id, message_id, question_id, shown FROM posts WHERE state = 'open' AND kind = 'daily' AND channel_id = $1")
                    .bind(db_id(c.0))
                    .fetch_all(pool)
                    .await?,
            };
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

    /// How many members chose each answer (`B`, `A,C`) of a post.
    pub async fn vote_split(&self, post: PostId) -> Result<Vec<(String, i64)>, StoreError> {
        let split = on_read!(self, pool => {
            let rows = sqlx::query("SELECT choice, COUNT(*) AS n FROM answers WHERE post_id = $1 GROUP BY choice ORDER BY choice")
                .bind(post.0)
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((r.try_get("choice")?, r.try_get("n")?));
            }
            out
        });
        Ok(split)
    }

    /// Every daily post of a channel: (local date, due instant, state, message id), for tests
    /// and the admin's status.
    pub async fn daily_posts(
        &self,
        channel: ChannelId,
    ) -> Result<Vec<(NaiveDate, Option<DateTime<Utc>>, String, Option<u64>)>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query("SELECT local_date, due_at, state, message_id FROM posts WHERE kind = 'daily' AND channel_id = $1 ORDER BY local_date")
                .bind(db_id(channel.0))
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let d: String = r.try_get("local_date")?;
                let due: Option<i64> = r.try_get("due_at")?;
                let message: Option<i64> = r.try_get("message_id")?;
                out.push((NaiveDate::parse_from_str(&d, "%Y-%m-%d").unwrap_or_default(), due.map(from_ms), r.try_get("state")?, message.map(from_db)));
            }
            out
        });
        Ok(list)
    }
}
