//! Purpose: every SQL statement of the program. One [`Store`] over SQLite (a file, the embedded
//! default) or PostgreSQL (for several bot processes), the same statements on both (`$1`
//! placeholders work on both), migrations per backend applied at start, domain types in and
//! out (no sqlx type leaves this module), every value a bound parameter.
//!
//! SQLite: WAL, foreign keys on, one writer connection (writes queue in the pool instead of
//! failing with "database is locked") and several readers. PostgreSQL: one pool; migrations
//! take an advisory lock so several processes can start at once.

mod url;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::ids::{ChannelId, GuildId, PostId, RoleId, UserId};
use crate::model::scores::{
    DailyResult, GroupStanding, Leaderboard, NewAnswer, PeriodKeys, RecordOutcome, Scope, Standing,
    TopicStat,
};
pub use url::mask_url;

/// Migrations, in order: (version, SQLite, PostgreSQL).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        include_str!("../../migrations/sqlite/0001_init.sql"),
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        include_str!("../../migrations/sqlite/0002_quiz.sql"),
        include_str!("../../migrations/postgres/0002_quiz.sql"),
    ),
    (
        3,
        include_str!("../../migrations/sqlite/0003_reports.sql"),
        include_str!("../../migrations/postgres/0003_reports.sql"),
    ),
    (
        4,
        include_str!("../../migrations/sqlite/0004_review.sql"),
        include_str!("../../migrations/postgres/0004_review.sql"),
    ),
    (
        5,
        include_str!("../../migrations/sqlite/0005_exams.sql"),
        include_str!("../../migrations/postgres/0005_exams.sql"),
    ),
    (
        6,
        include_str!("../../migrations/sqlite/0006_throughput.sql"),
        include_str!("../../migrations/postgres/0006_throughput.sql"),
    ),
    (
        7,
        include_str!("../../migrations/sqlite/0007_totals.sql"),
        include_str!("../../migrations/postgres/0007_totals.sql"),
    ),
];

/// The default database: a SQLite file next to the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/studybot.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {url}: {source}")]
    Open {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot migrate database {url}: {source}")]
    Migrate {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "database {url} has schema version {found}, newer than this studybot knows ({known}); upgrade studybot"
    )]
    TooNew { url: String, found: i64, known: i64 },
    #[error(
        "unsupported database URL {url}: use sqlite://path/to/file.db or postgres://user@host/db"
    )]
    Unsupported { url: String },
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// A row kept changing under a read-back (say a quiz ending just as another started);
    /// trying again later succeeds.
    #[error("database busy: {what} kept changing while it was read; try again")]
    Contended { what: &'static str },
    /// A stored value the domain refused (a review card it cannot schedule from).
    #[error("invalid stored data: {0}")]
    Invalid(String),
}

#[derive(Clone)]
enum Backend {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

/// The database.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Answers queue here and are written in groups (see `commit`).
    commits: std::sync::Arc<commit::Committer>,
    /// The URL with any password masked, for messages.
    url: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("url", &self.url).finish()
    }
}

/// Runs `$body` with `$pool` bound to the pool that takes writes.
macro_rules! on_write {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite { write: $pool, .. } => $body,
            Backend::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$pool` bound to a pool for reads.
macro_rules! on_read {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite { read: $pool, .. } => $body,
            Backend::Postgres($pool) => $body,
        }
    };
}

fn db_id(id: u64) -> i64 {
    // Discord snowflakes are below 2^63.
    i64::try_from(id).unwrap_or(i64::MAX)
}

fn from_db(id: i64) -> u64 {
    u64::try_from(id).unwrap_or_default()
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The inverse of [`ms`] (a value out of range reads as the epoch).
fn from_ms(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}

/// What `create_post` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPost {
    pub guild: GuildId,
    pub channel: ChannelId,
    pub kind: PostKind,
    pub question_id: String,
    pub topic: String,
    /// Daily questions: the channel's local date; one daily post per channel and date.
    pub local_date: Option<NaiveDate>,
    pub posted_at: DateTime<Utc>,
    pub closes_at: Option<DateTime<Utc>>,
    /// The question as shown (JSON), so a reveal or late answer never depends on today's bank.
    pub shown: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    Daily,
    Quiz,
}

impl PostKind {
    fn as_str(self) -> &'static str {
        match self {
            PostKind::Daily => "daily",
            PostKind::Quiz => "quiz",
        }
    }

    /// The `score_totals.kind` of a leaderboard over `kind`, or over every kind with `None`.
    fn totals_key(kind: Option<PostKind>) -> &'static str {
        kind.map_or("all", PostKind::as_str)
    }
}

/// A post as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub id: PostId,
    pub guild: GuildId,
    pub channel: ChannelId,
    pub question_id: String,
    pub topic: String,
    pub open: bool,
    /// The question as it was shown (JSON), when recorded.
    pub shown: Option<String>,
}

/// A post for [`Store::bulk_load`].
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct BulkPost {
    pub id: i64,
    pub guild: GuildId,
    pub channel: ChannelId,
    pub topic: String,
}

/// An answer for [`Store::bulk_load`].
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct BulkAnswer {
    pub post: i64,
    pub user: UserId,
    pub guild: GuildId,
    pub channel: ChannelId,
    pub correct: bool,
    pub points: i64,
    pub at: DateTime<Utc>,
    pub keys: PeriodKeys,
}

/// Leaderboard order, the same as the `score_totals_rank` index: points, accuracy, who got
/// there first.
const ORDER: &str = "points DESC, accuracy DESC, last_at ASC, user_id ASC";

impl Store {
    /// Opens (creating a SQLite file and its folder if missing) and migrates.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_in_schema(url, None).await
    }

    /// As [`Store::open`]; on PostgreSQL, works inside `schema` (created if missing), so tests
    /// and benchmarks get a database of their own.
    pub async fn open_in_schema(url: &str, schema: Option<&str>) -> Result<Store, StoreError> {
        let masked = mask_url(url);
        let open_err = |source| StoreError::Open {
            url: masked.clone(),
            source,
        };
        let backend = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(open_err)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            if let Some(parent) = Path::new(opts.get_filename()).parent()
                && !parent.as_os_str().is_empty()
                && !parent.exists()
            {
                std::fs::create_dir_all(parent).map_err(|e| open_err(sqlx::Error::Io(e)))?;
            }
            let probe = sqlx::ConnectOptions::connect(&opts)
                .await
                .map_err(open_err)?;
            let _ = sqlx::Connection::close(probe).await;
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(opts.clone())
                .await
                .map_err(open_err)?;
            let read = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts.read_only(false))
                .await
                .map_err(open_err)?;
            Backend::Sqlite { read, write }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let mut opts = PgConnectOptions::from_str(url).map_err(open_err)?;
            if let Some(schema) = schema {
                let admin = PgPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts.clone())
                    .await
                    .map_err(open_err)?;
                // A schema name cannot be a bound parameter: accept only a plain identifier.
                if !schema
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    return Err(StoreError::Unsupported {
                        url: format!("{masked} (schema {schema:?})"),
                    });
                }
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "CREATE SCHEMA IF NOT EXISTS {schema}"
                )))
                .execute(&admin)
                .await
                .map_err(open_err)?;
                admin.close().await;
                opts = opts.options([("search_path", schema)]);
            }
            // One plain connection first: a pool hides the cause ("connection refused",
            // "password authentication failed") behind a timeout.
            let probe = sqlx::ConnectOptions::connect(&opts)
                .await
                .map_err(open_err)?;
            let _ = sqlx::Connection::close(probe).await;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await
                .map_err(open_err)?;
            Backend::Postgres(pool)
        } else {
            return Err(StoreError::Unsupported { url: masked });
        };
        let store = Store {
            backend,
            commits: Default::default(),
            url: masked,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Turns group commit off (each answer its own transaction) or back on; for measuring what
    /// it is worth. On by default.
    pub fn set_group_commit(&self, on: bool) {
        self.commits.set_off(!on);
    }

    /// The URL, password masked.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Applies every migration not yet applied; returns the versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        let url = self.url.clone();
        let err = |source| StoreError::Migrate {
            url: url.clone(),
            source,
        };
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        let mut applied = Vec::new();
        let postgres = self.is_postgres();
        on_write!(self, pool => {
            let mut tx = pool.begin().await.map_err(err)?;
            if postgres {
                // Several processes may start together: one migrates, the others wait.
                sqlx::query("SELECT pg_advisory_xact_lock(727274)").execute(&mut *tx).await.map_err(err)?;
            }
            sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            let current: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations")
                .fetch_one(&mut *tx)
                .await
                .map_err(err)?;
            if current > known {
                return Err(StoreError::TooNew { url: self.url.clone(), found: current, known });
            }
            for (version, sqlite_sql, postgres_sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
                let sql = if postgres { *postgres_sql } else { *sqlite_sql };
                sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(err)?;
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                    .bind(version)
                    .bind(ms(Utc::now()))
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                applied.push(*version);
            }
            tx.commit().await.map_err(err)?;
        });
        Ok(applied)
    }

    /// Records that the bot is in a server (again), with its time zone.
    pub async fn upsert_guild(
        &self,
        guild: GuildId,
        time_zone: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_write!(self, pool => {
            sqlx::query(
                "INSERT INTO guilds (guild_id, time_zone, joined_at) VALUES ($1, $2, $3)
                 ON CONFLICT (guild_id) DO UPDATE SET time_zone = excluded.time_zone, left_at = NULL",
            )
            .bind(db_id(guild.0))
            .bind(time_zone)
            .bind(ms(now))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The server's time zone name, if the server is known.
    pub async fn guild_time_zone(&self, guild: GuildId) -> Result<Option<String>, StoreError> {
        let zone = on_read!(self, pool => {
            sqlx::query_scalar::<_, String>("SELECT time_zone FROM guilds WHERE guild_id = $1")
                .bind(db_id(guild.0))
                .fetch_optional(pool)
                .await?
        });
        Ok(zone)
    }

    /// Records that the bot was removed from a server; its data goes after a grace period.
    pub async fn mark_guild_left(
        &self,
        guild: GuildId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_write!(self, pool => {
            sqlx::query("UPDATE guilds SET left_at = $2 WHERE guild_id = $1")
                .bind(db_id(guild.0))
                .bind(ms(now))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Deletes everything of servers the bot left before `cutoff`; returns them.
    pub async fn forget_guilds_left_before(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<GuildId>, StoreError> {
        let gone = on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let ids: Vec<i64> = sqlx::query_scalar("SELECT guild_id FROM guilds WHERE left_at IS NOT NULL AND left_at < $1")
                .bind(ms(cutoff))
                .fetch_all(&mut *tx)
                .await?;
            for id in &ids {
                for sql in [
                    // First: a pass adding this server's answers to the totals right now is
                    // waited for, so none of its totals appear after they were deleted.
                    "DELETE FROM score_pending WHERE guild_id = $1",
                    "DELETE FROM answers WHERE guild_id = $1",
                    "DELETE FROM score_totals WHERE guild_id = $1",
                    "DELETE FROM member_roles WHERE guild_id = $1",
                    "DELETE FROM question_reports WHERE guild_id = $1",
                    "DELETE FROM review_cards WHERE guild_id = $1",
                    "DELETE FROM review_log WHERE guild_id = $1",
                    "DELETE FROM review_settings WHERE guild_id = $1",
                    "DELETE FROM review_reminders WHERE guild_id = $1",
                    "DELETE FROM exam_sessions WHERE guild_id = $1",
                    "DELETE FROM posts WHERE guild_id = $1",
                    "DELETE FROM quiz_sessions WHERE guild_id = $1",
                    "DELETE FROM daily_schedules WHERE guild_id = $1",
                    "DELETE FROM guilds WHERE guild_id = $1",
                ] {
                    sqlx::query(sql).bind(id).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            ids
        });
        Ok(gone.into_iter().map(|g| GuildId(from_db(g))).collect())
    }

    /// Creates a post. A daily post is unique per (channel, local date): if that slot is taken,
    /// nothing is created and `None` comes back.
    pub async fn create_post(&self, post: &NewPost) -> Result<Option<PostId>, StoreError> {
        let id = on_write!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO posts (guild_id, channel_id, kind, question_id, topic, local_date, posted_at, closes_at, shown)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT DO NOTHING RETURNING post_id",
            )
            .bind(db_id(post.guild.0))
            .bind(db_id(post.channel.0))
            .bind(post.kind.as_str())
            .bind(&post.question_id)
            .bind(&post.topic)
            .bind(post.local_date.map(|d| d.format("%Y-%m-%d").to_string()))
            .bind(ms(post.posted_at))
            .bind(post.closes_at.map(ms))
            .bind(&post.shown)
            .fetch_optional(pool)
            .await?
        });
        Ok(id.map(PostId))
    }

    /// A post of this server.
    pub async fn post(&self, guild: GuildId, post: PostId) -> Result<Option<Post>, StoreError> {
        let row = on_read!(self, pool => {
            sqlx::query("SELECT guild_id, channel_id, question_id, topic, state, shown FROM posts WHERE post_id = $1 AND guild_id = $2")
                .bind(post.0)
                .bind(db_id(guild.0))
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<Post, sqlx::Error> {
                    Ok(Post {
                        id: post,
                        guild: GuildId(from_db(r.try_get("guild_id")?)),
                        channel: ChannelId(from_db(r.try_get("channel_id")?)),
                        question_id: r.try_get("question_id")?,
                        topic: r.try_get("topic")?,
                        open: r.try_get::<String, _>("state")? == "open",
                        shown: r.try_get("shown")?,
                    })
                })
                .transpose()?
        });
        Ok(row)
    }

    /// Closes a post: later answers are refused.
    pub async fn close_post(&self, post: PostId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let n = on_write!(self, pool => {
            sqlx::query("UPDATE posts SET state = 'closed', closed_at = $2 WHERE post_id = $1 AND state = 'open'")
                .bind(post.0)
                .bind(ms(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// Records an answer once per (post, user): the first counts; a closed or foreign post is
    /// refused. One statement: the `answers_add_to_totals` trigger adds it to the running totals
    /// (server and channel, all time, its week, its month, all kinds and its post's kind)
    /// atomically with the insert.
    pub async fn record_answer(
        &self,
        guild: GuildId,
        answer: &NewAnswer,
        keys: &PeriodKeys,
    ) -> Result<RecordOutcome, StoreError> {
        Ok(self
            .record_answer_reviewed(guild, answer, keys, None)
            .await?
            .0)
    }

    /// Brings the running totals up to date with every answer recorded so far. On PostgreSQL
    /// answers reach the totals in the background (see `commit::fold`), and every read of the
    /// totals calls this first, so it never misses an answer; on SQLite the trigger adds each
    /// answer as it is inserted and this does nothing.
    pub async fn settle_totals(&self) -> Result<(), StoreError> {
        if let Backend::Postgres(pool) = &self.backend {
            // Notes being added by another process right now are still visible here, so this
            // then waits for that pass to end.
            let noted: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM score_pending)")
                .fetch_one(pool)
                .await?;
            if noted {
                commit::fold(pool).await?;
            }
        }
        Ok(())
    }

    /// A page of the leaderboard of `scope` for the period `period_key`, daily and quiz points
    /// together, with `me`'s line.
    pub async fn leaderboard(
        &self,
        guild: GuildId,
        scope: Scope,
        period_key: &str,
        page: u32,
        page_size: u32,
        me: Option<UserId>,
    ) -> Result<Leaderboard, StoreError> {
        self.leaderboard_of_kind(guild, scope, period_key, None, page, page_size, me)
            .await
    }

    /// As [`Store::leaderboard`], counting only the points of `kind` questions (daily or live
    /// quiz), or of every kind with `None`. Read from the `score_totals_rank` index.
    #[allow(clippy::too_many_arguments)]
    pub async fn leaderboard_of_kind(
        &self,
        guild: GuildId,
        scope: Scope,
        period_key: &str,
        kind: Option<PostKind>,
        page: u32,
        page_size: u32,
        me: Option<UserId>,
    ) -> Result<Leaderboard, StoreError> {
        self.settle_totals().await?;
        let kind = PostKind::totals_key(kind);
        let (channel, role) = match scope {
            Scope::Server => (0, None),
            Scope::Channel(c) => (db_id(c.0), None),
            Scope::Group(r) => (0, Some(db_id(r.0))),
        };
        // $1 guild, $2 channel, $3 period, $4 kind, then $5 the role when a group is asked
        // for; the query's own parameters follow from `next`.
        let (filter, next) = match role {
            None => ("t.guild_id = $1 AND t.channel_id = $2 AND t.period = $3 AND t.kind = $4".to_string(), 5),
            Some(_) => (
                "t.guild_id = $1 AND t.channel_id = $2 AND t.period = $3 AND t.kind = $4 AND EXISTS (SELECT 1 FROM member_roles r WHERE r.guild_id = $1 AND r.user_id = t.user_id AND r.role_id = $5)".to_string(),
                6,
            ),
        };
        let page_size = page_size.clamp(1, 100);
        let offset = i64::from(page) * i64::from(page_size);
        let count_sql = format!("SELECT COUNT(*) FROM score_totals t WHERE {filter}");
        let page_sql = format!(
            "SELECT user_id, points, answered, correct FROM score_totals t WHERE {filter} ORDER BY {ORDER} LIMIT ${} OFFSET ${}",
            next,
            next + 1
        );
        let mine_sql = format!(
            "SELECT points, answered, correct, accuracy, last_at FROM score_totals t WHERE {filter} AND t.user_id = ${next}"
        );
        let (p, a, l, u) = (next, next + 1, next + 2, next + 3);
        let above_sql = format!(
            "SELECT COUNT(*) FROM score_totals t WHERE {filter} AND (t.points > ${p} OR (t.points = ${p} AND (t.accuracy > ${a}
               OR (t.accuracy = ${a} AND (t.last_at < ${l} OR (t.last_at = ${l} AND t.user_id < ${u}))))))"
        );
        let board = on_read!(self, pool => {
            let bind_filter = |sql: &str| {
                let q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).bind(db_id(guild.0)).bind(channel).bind(period_key.to_string()).bind(kind);
                match role {
                    Some(r) => q.bind(r),
                    None => q,
                }
            };
            let total: i64 = bind_filter(&count_sql).fetch_one(pool).await?.try_get(0)?;
            let rows = bind_filter(&page_sql).bind(i64::from(page_size)).bind(offset).fetch_all(pool).await?;
            let mut standings = Vec::with_capacity(rows.len());
            for (i, r) in rows.iter().enumerate() {
                standings.push(Standing {
                    rank: u64::try_from(offset).unwrap_or_default() + i as u64 + 1,
                    user: UserId(from_db(r.try_get("user_id")?)),
                    points: r.try_get("points")?,
                    answered: r.try_get("answered")?,
                    correct: r.try_get("correct")?,
                });
            }
            let mut mine = None;
            if let Some(me) = me
                && let Some(row) = bind_filter(&mine_sql).bind(db_id(me.0)).fetch_optional(pool).await?
            {
                let points: i64 = row.try_get("points")?;
                let accuracy: i64 = row.try_get("accuracy")?;
                let last_at: i64 = row.try_get("last_at")?;
                let above: i64 = bind_filter(&above_sql)
                    .bind(points)
                    .bind(accuracy)
                    .bind(last_at)
                    .bind(db_id(me.0))
                    .fetch_one(pool)
                    .await?
                    .try_get(0)?;
                mine = Some(Standing {
                    rank: u64::try_from(above).unwrap_or_default() + 1,
                    user: me,
                    points,
                    answered: row.try_get("answered")?,
                    correct: row.try_get("correct")?,
                });
            }
            Leaderboard { rows: standings, total: u64::try_from(total).unwrap_or_default(), me: mine }
        });
        Ok(board)
    }

    /// Study groups (roles with at least `min_members` members as last seen) ranked by their
    /// members' average points in the period; members without answers count as 0.
    pub async fn group_standings(
        &self,
        guild: GuildId,
        period_key: &str,
        min_members: i64,
    ) -> Result<Vec<GroupStanding>, StoreError> {
        self.settle_totals().await?;
        let out = on_read!(self, pool => {
            let rows = sqlx::query(
                // The period's totals first (one range of the rank index), then each group's
                // members joined to them: a seek per member into the whole table cost 4× more.
                "WITH t AS MATERIALIZED (
                   SELECT user_id, points FROM score_totals
                   WHERE guild_id = $1 AND channel_id = 0 AND period = $2 AND kind = 'all'
                 )
                 SELECT r.role_id, COUNT(*) AS members,
                        CAST(COALESCE(SUM(t.points), 0) AS BIGINT) AS total,
                        CAST(COALESCE(SUM(t.points), 0) AS DOUBLE PRECISION) / COUNT(*) AS average
                 FROM member_roles r
                 LEFT JOIN t ON t.user_id = r.user_id
                 WHERE r.guild_id = $1
                 GROUP BY r.role_id
                 HAVING COUNT(*) >= $3
                 ORDER BY average DESC, total DESC, r.role_id ASC",
            )
            .bind(db_id(guild.0))
            .bind(period_key)
            .bind(min_members)
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            out.push(GroupStanding {
                rank: i as u64 + 1,
                role: RoleId(from_db(r.try_get("role_id")?)),
                members: r.try_get("members")?,
                average_points: r.try_get("average")?,
                total_points: r.try_get("total")?,
            });
        }
        out
        });
        Ok(out)
    }

    /// Replaces a member's roles as last seen.
    pub async fn set_member_roles(
        &self,
        guild: GuildId,
        user: UserId,
        roles: &[RoleId],
    ) -> Result<(), StoreError> {
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM member_roles WHERE guild_id = $1 AND user_id = $2")
                .bind(db_id(guild.0))
                .bind(db_id(user.0))
                .execute(&mut *tx)
                .await?;
            for role in roles {
                sqlx::query("INSERT INTO member_roles (guild_id, user_id, role_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(db_id(guild.0))
                    .bind(db_id(user.0))
                    .bind(db_id(role.0))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A member's all-time totals in a server: (answered, correct, points).
    pub async fn totals(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> Result<(i64, i64, i64), StoreError> {
        self.settle_totals().await?;
        let row = on_read!(self, pool => {
            sqlx::query("SELECT answered, correct, points FROM score_totals WHERE guild_id = $1 AND channel_id = 0 AND period = 'all' AND kind = 'all' AND user_id = $2")
                .bind(db_id(guild.0))
                .bind(db_id(user.0))
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<(i64, i64, i64), sqlx::Error> { Ok((r.try_get("answered")?, r.try_get("correct")?, r.try_get("points")?)) })
                .transpose()?
        });
        Ok(row.unwrap_or((0, 0, 0)))
    }

    /// A member's answers per topic in a server, most answered first.
    pub async fn topic_stats(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> Result<Vec<TopicStat>, StoreError> {
        let stats = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT p.topic, COUNT(*) AS answered, CAST(SUM(CASE WHEN a.correct THEN 1 ELSE 0 END) AS BIGINT) AS correct
                 FROM answers a JOIN posts p ON p.post_id = a.post_id
                 WHERE a.guild_id = $1 AND a.user_id = $2
                 GROUP BY p.topic ORDER BY answered DESC, p.topic ASC",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok(TopicStat { topic: r.try_get("topic")?, answered: r.try_get("answered")?, correct: r.try_get("correct")? }))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(stats)
    }

    /// Every daily question of each channel of a server, in date order, with whether `user`
    /// answered it correctly; the input of streaks.
    pub async fn daily_results(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> Result<Vec<(ChannelId, DailyResult)>, StoreError> {
        let out = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT p.channel_id, p.local_date, p.state, a.correct
                 FROM posts p LEFT JOIN answers a ON a.post_id = p.post_id AND a.user_id = $2
                 WHERE p.guild_id = $1 AND p.kind = 'daily'
                 ORDER BY p.channel_id, p.local_date",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let date: Option<String> = r.try_get("local_date")?;
                let Some(date) = date.and_then(|d: String| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()) else { continue };
                out.push((
                    ChannelId(from_db(r.try_get("channel_id")?)),
                    DailyResult {
                        local_date: date,
                        open: r.try_get::<String, _>("state")? == "open",
                        correct: r.try_get("correct")?,
                    },
                ));
            }
            out
        });
        Ok(out)
    }

    /// Deletes a member's answers, totals (of every kind) and roles in one server, or in all
    /// with `None`, and removes their name from the quizzes they started. Returns how many
    /// answers were deleted. Other members' scores are untouched: totals are per member.
    pub async fn delete_user_data(
        &self,
        user: UserId,
        guild: Option<GuildId>,
    ) -> Result<u64, StoreError> {
        let guild = guild.map_or(-1, |g| db_id(g.0));
        let n = on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            // First: a pass adding this member's answers to the totals right now is waited
            // for, so none of their totals appear after they were deleted.
            sqlx::query("DELETE FROM score_pending WHERE user_id = $1 AND ($2 = -1 OR guild_id = $2)")
                .bind(db_id(user.0))
                .bind(guild)
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query("DELETE FROM answers WHERE user_id = $1 AND ($2 = -1 OR guild_id = $2)")
                .bind(db_id(user.0))
                .bind(guild)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            for sql in [
                "DELETE FROM score_totals WHERE user_id = $1 AND ($2 = -1 OR guild_id = $2)",
                "DELETE FROM member_roles WHERE user_id = $1 AND ($2 = -1 OR guild_id = $2)",
                "UPDATE quiz_sessions SET started_by = 0 WHERE started_by = $1 AND ($2 = -1 OR guild_id = $2)",
                "UPDATE question_reports SET user_id = 0 WHERE user_id = $1 AND ($2 = -1 OR guild_id = $2)",
                "DELETE FROM review_cards WHERE user_id = $1 AND ($2 = -1 OR guild_id = $2)",
                "DELETE FROM review_log WHERE user_id = $1 AND ($2 = -1 OR guild_id = $2)",
                "DELETE FROM review_reminders WHERE user_id = $1 AND ($2 = -1 OR guild_id = $2)",
                "DELETE FROM exam_sessions WHERE user_id = $1 AND ($2 = -1 OR guild_id = $2)",
            ] {
                sqlx::query(sql).bind(db_id(user.0)).bind(guild).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            n
        });
        Ok(n)
    }

    /// How many answers a post has, for tests and the answer count on a post.
    pub async fn answer_count(&self, post: PostId) -> Result<i64, StoreError> {
        let n = on_read!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM answers WHERE post_id = $1").bind(post.0).fetch_one(pool).await?
        });
        Ok(n)
    }

    /// Loads many posts and answers at once (the trigger keeps the totals), for benchmarks that
    /// need a big database quickly. Not for the bot: it skips the checks of `record_answer`.
    #[doc(hidden)]
    pub async fn bulk_load(
        &self,
        posts: &[BulkPost],
        answers: &[BulkAnswer],
    ) -> Result<(), StoreError> {
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in posts.chunks(1000) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO posts (post_id, guild_id, channel_id, kind, question_id, topic, posted_at) ");
                q.push_values(chunk, |mut b, p| {
                    b.push_bind(p.id).push_bind(db_id(p.guild.0)).push_bind(db_id(p.channel.0)).push_bind("quiz").push_bind("bench-001").push_bind(&p.topic).push_bind(0i64);
                });
                q.build().execute(&mut *tx).await?;
            }
            for chunk in answers.chunks(1000) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO answers (post_id, user_id, guild_id, channel_id, choice, correct, points, answered_at, week_key, month_key) ",
                );
                q.push_values(chunk, |mut b, a| {
                    b.push_bind(a.post)
                        .push_bind(db_id(a.user.0))
                        .push_bind(db_id(a.guild.0))
                        .push_bind(db_id(a.channel.0))
                        .push_bind("A")
                        .push_bind(a.correct)
                        .push_bind(a.points)
                        .push_bind(ms(a.at))
                        .push_bind(&a.keys.week)
                        .push_bind(&a.keys.month);
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        self.settle_totals().await?;
        // Fresh statistics for the planner, as autovacuum / `PRAGMA optimize` would give a
        // database that grew normally.
        match &self.backend {
            Backend::Postgres(pool) => {
                sqlx::query("VACUUM ANALYZE").execute(pool).await?;
            }
            Backend::Sqlite { write, .. } => {
                sqlx::query("ANALYZE").execute(write).await?;
            }
        }
        Ok(())
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _: i64 = on_read!(self, pool => {
            sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(pool).await?
        });
        Ok(())
    }

    /// The SQLite file behind a `sqlite:` URL (`None` for PostgreSQL or in-memory databases).
    pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.into())
    }

    /// Closes the pools.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

pub mod backup;
mod daily;
mod quiz;
mod reports;
#[macro_use]
mod review;
mod commit;
mod exam;
pub use daily::{Claim, Closing};
pub use exam::{NewExam, StoredExam};
pub use quiz::{NewQuiz, QuizEnd, QuizId, QuizSession, QuizStart, QuizState};
pub use reports::{NewReport, Report};
pub use review::{CardStep, CardUpdate, ReviewSettings, StoredCard};
