//! Group commit for answers: clicks that arrive while a transaction is being written wait in a
//! queue and go into the next transaction together, so a burst of answers costs one commit
//! (one fsync) instead of one per click. Nobody waits for a timer: under light load a batch is
//! one answer and costs what it did alone; under load the batch grows by itself. Each click is
//! answered only after the commit that holds its answer. Each writer has its own queue and a
//! member always goes to the same one (one writer on SQLite, two on PostgreSQL).
//!
//! On SQLite a batch is one transaction of three statements whatever its size: the cards it
//! touches read, the answers inserted (rows from a JSON array), the new card states written;
//! each card's new state is computed from the card as read inside the transaction. On
//! PostgreSQL the cards are read first and the rest is one statement (rows from `unnest`
//! arrays): the answers, then the cards of those inserted, each written only if it is still as
//! read; if one changed (another process), the statement is undone and the batch written again.
//!
//! Also here, for PostgreSQL: the pass that adds noted answers to the running totals ([`fold`]),
//! run by a background task and before every read of the totals.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::Row;
use tokio::sync::{Notify, mpsc, oneshot};

use super::review::{CardStep, StoredCard};
use super::{Backend, StoreError, db_id, from_ms, ms};
use crate::ids::{GuildId, UserId};
use crate::model::review::CardColumns;
use crate::model::scores::{NewAnswer, PeriodKeys};

/// At most this many answers in one transaction.
const MAX_BATCH: usize = 256;
/// A batch whose cards keep changing under it (PostgreSQL) is tried this many times, then
/// each answer is written alone.
const ATTEMPTS: usize = 3;

/// The card part of a queued answer.
pub(super) struct CardJob {
    pub user: UserId,
    pub question_id: String,
    pub topic: String,
    pub correct: bool,
    pub next: CardStep,
}

/// What became of a queued answer.
pub(super) enum Written {
    /// Inserted, with its card's new state when it had one; committed.
    Inserted(Option<CardColumns>),
    /// Not inserted: already answered, closed or unknown (the caller asks why).
    NotInserted,
    /// Not written here (its card kept changing): the caller writes it alone.
    Retry,
}

struct Job {
    guild: GuildId,
    answer: NewAnswer,
    keys: PeriodKeys,
    card: Option<CardJob>,
    reply: oneshot::Sender<Result<Written, StoreError>>,
}

/// The queues in front of the writers, started on first use.
#[derive(Default)]
pub(super) struct Committer {
    queues: OnceLock<Vec<mpsc::Sender<Job>>>,
    /// Wakes the task that adds noted answers to the totals (PostgreSQL), started on first use.
    folder: OnceLock<Arc<Notify>>,
    /// Set to write each answer alone (to measure what grouping is worth).
    off: AtomicBool,
}

impl Committer {
    /// Queues an answer and waits for its commit. `None` when grouping is off or the queue is
    /// not running (its runtime ended): the caller writes alone.
    pub async fn write(
        &self,
        backend: &Backend,
        guild: GuildId,
        answer: &NewAnswer,
        keys: &PeriodKeys,
        card: Option<CardJob>,
    ) -> Option<Result<Written, StoreError>> {
        if self.off.load(Ordering::Relaxed) {
            return None;
        }
        let queues = self.queues.get_or_init(|| start(backend.clone()));
        // A member's answers always go to the same writer: two writers never hold locks on the
        // same member's totals or cards, so they never wait for each other.
        let queue = queues.get((answer.user.0 % queues.len() as u64) as usize)?;
        let (reply, done) = oneshot::channel();
        let job = Job {
            guild,
            answer: answer.clone(),
            keys: keys.clone(),
            card,
            reply,
        };
        queue.send(job).await.ok()?;
        done.await.ok()
    }

    /// Answers were inserted: on PostgreSQL, the background task adds them to the totals soon.
    pub fn answers_added(&self, backend: &Backend) {
        if let Backend::Postgres(pool) = backend {
            self.folder
                .get_or_init(|| start_folder(pool.clone()))
                .notify_one();
        }
    }

    pub fn set_off(&self, off: bool) {
        self.off.store(off, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Committer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Committer").finish_non_exhaustive()
    }
}

/// Starts the writers, each with its own queue: one on SQLite (it has one writer connection),
/// two on PostgreSQL (so the server works on two transactions at once).
fn start(backend: Backend) -> Vec<mpsc::Sender<Job>> {
    let writers = match backend {
        Backend::Sqlite { .. } => 1,
        Backend::Postgres(_) => 2,
    };
    (0..writers)
        .map(|_| {
            let (send, mut recv) = mpsc::channel::<Job>(4 * MAX_BATCH);
            let backend = backend.clone();
            tokio::spawn(async move {
                while let Some(job) = recv.recv().await {
                    let mut jobs = vec![job];
                    while jobs.len() < MAX_BATCH {
                        match recv.try_recv() {
                            Ok(job) => jobs.push(job),
                            Err(_) => break,
                        }
                    }
                    write_batch(&backend, jobs).await;
                }
            });
            send
        })
        .collect()
}

/// Between two passes of the background task: answers of a burst gather meanwhile, so a
/// member's totals change once per pass however often they answered.
const FOLD_PAUSE: Duration = Duration::from_millis(100);

/// The background task that adds noted answers to the totals on PostgreSQL, woken when answers
/// are inserted. A failed pass leaves the notes in place for the next one (reads add them too).
fn start_folder(pool: PgPool) -> Arc<Notify> {
    let wake = Arc::new(Notify::new());
    let woken = Arc::clone(&wake);
    tokio::spawn(async move {
        loop {
            woken.notified().await;
            if let Err(e) = fold(&pool).await {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "adding answers to the score totals failed; they stay noted and are added on the next pass");
                woken.notify_one();
            }
            tokio::time::sleep(FOLD_PAUSE).await;
        }
    });
    wake
}

/// At most this many noted answers are added per statement (a long backlog, a bulk load).
const FOLD_CHUNK: i64 = 20_000;

/// Adds the noted answers to the running totals (PostgreSQL), up to `FOLD_CHUNK` answers per
/// transaction: the notes are taken out and their answers summed per total, each total then
/// changed once. One process adds at a time (a transaction-scoped advisory lock per schema):
/// whoever comes second waits and then finds every note the first took already in the totals.
/// Returns how many answers were added.
pub(super) async fn fold(pool: &PgPool) -> Result<u64, StoreError> {
    let mut added = 0;
    loop {
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.score_pending'))")
            .execute(&mut *tx)
            .await?;
        let n: i64 = sqlx::query_scalar(
            "WITH noted AS (
                 DELETE FROM score_pending WHERE ctid IN (SELECT ctid FROM score_pending LIMIT $1)
                 RETURNING post_id, user_id
             ), added AS (
                 INSERT INTO score_totals (guild_id, channel_id, period, kind, user_id, points, answered, correct, accuracy, last_at)
                 SELECT a.guild_id, s.channel_id, k.period, t.kind, a.user_id,
                        SUM(a.points), COUNT(*), SUM(CASE WHEN a.correct THEN 1 ELSE 0 END),
                        SUM(CASE WHEN a.correct THEN 1 ELSE 0 END) * 1000000 / COUNT(*), MAX(a.answered_at)
                 FROM noted n
                 JOIN answers a ON a.post_id = n.post_id AND a.user_id = n.user_id
                 JOIN posts p ON p.post_id = a.post_id
                 CROSS JOIN LATERAL (VALUES (0::BIGINT), (a.channel_id)) AS s (channel_id)
                 CROSS JOIN LATERAL (VALUES ('all'::TEXT), (a.week_key), (a.month_key)) AS k (period)
                 CROSS JOIN LATERAL (VALUES ('all'::TEXT), (p.kind)) AS t (kind)
                 GROUP BY 1, 2, 3, 4, 5
                 ORDER BY 1, 2, 3, 4, 5
                 ON CONFLICT (guild_id, channel_id, period, kind, user_id) DO UPDATE SET
                     points   = score_totals.points + excluded.points,
                     answered = score_totals.answered + excluded.answered,
                     correct  = score_totals.correct + excluded.correct,
                     accuracy = (score_totals.correct + excluded.correct) * 1000000 / (score_totals.answered + excluded.answered),
                     last_at  = GREATEST(score_totals.last_at, excluded.last_at)
             )
             SELECT COUNT(*) FROM noted",
        )
        .bind(FOLD_CHUNK)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        added += u64::try_from(n).unwrap_or_default();
        if n < FOLD_CHUNK {
            return Ok(added);
        }
    }
}

/// Writes a batch and answers each job after the commit. A second answer of the same member to
/// the same post, or to the same card, goes into a transaction after the first. On an error
/// the batch is written again one answer per transaction, so a bad answer fails only its click.
async fn write_batch(backend: &Backend, jobs: Vec<Job>) {
    let mut now = Vec::with_capacity(jobs.len());
    let mut later = Vec::new();
    let mut answers = HashSet::new();
    let mut cards = HashSet::new();
    for job in jobs {
        let fresh_answer = answers.insert((job.answer.post.0, job.answer.user.0));
        let fresh_card = job
            .card
            .as_ref()
            .is_none_or(|c| cards.insert((job.guild.0, c.user.0, c.question_id.clone())));
        if fresh_answer && fresh_card {
            now.push(job);
        } else {
            later.push(job);
        }
    }
    let mut outcome = None;
    for _ in 0..ATTEMPTS {
        match write_once(backend, &now).await {
            Ok(Some(results)) => {
                outcome = Some(Ok(results));
                break;
            }
            Ok(None) => continue,
            Err(e) => {
                outcome = Some(Err(e));
                break;
            }
        }
    }
    match outcome {
        Some(Ok(results)) => {
            for (job, result) in now.into_iter().zip(results) {
                let _ = job.reply.send(Ok(result));
            }
        }
        Some(Err(e)) if now.len() == 1 => {
            if let Some(job) = now.pop() {
                let _ = job.reply.send(Err(e));
            }
        }
        Some(Err(_)) => {
            for job in now {
                Box::pin(write_batch(backend, vec![job])).await;
            }
        }
        None => {
            for job in now {
                let _ = job.reply.send(Ok(Written::Retry));
            }
        }
    }
    if !later.is_empty() {
        Box::pin(write_batch(backend, later)).await;
    }
}

/// How a batch writes its cards, on both databases: a card already there is replaced only if
/// it is still as read (its answer count one less than the new one), and each card written
/// returns a row, so the caller sees a card that changed meanwhile.
macro_rules! batch_card_upsert {
    () => {
        "ON CONFLICT (guild_id, user_id, question_id) DO UPDATE SET
           topic = excluded.topic, phase = excluded.phase, stability = excluded.stability,
           difficulty = excluded.difficulty, due_at = excluded.due_at, last_review = excluded.last_review,
           reps = excluded.reps, lapses = excluded.lapses, step = excluded.step,
           scheduled_days = excluded.scheduled_days, answered = excluded.answered, correct = excluded.correct
         WHERE review_cards.answered = excluded.answered - 1
         RETURNING 1"
    };
}

type CardKey = (i64, i64, String);

/// One transaction for the batch: `Ok(None)` when a card changed under it (PostgreSQL); it was
/// rolled back.
async fn write_once(backend: &Backend, jobs: &[Job]) -> Result<Option<Vec<Written>>, StoreError> {
    let card_keys: Vec<CardKey> = jobs
        .iter()
        .filter_map(|j| {
            j.card
                .as_ref()
                .map(|c| (db_id(j.guild.0), db_id(c.user.0), c.question_id.clone()))
        })
        .collect();
    match backend {
        Backend::Sqlite { write: pool, .. } => {
            let mut tx = pool.begin().await?;
            let mut seen = HashMap::new();
            if !card_keys.is_empty() {
                let keys = serde_json::to_string(&card_keys).map_err(json_err)?;
                let rows = sqlx::query(
                    "SELECT c.guild_id, c.user_id, c.question_id, c.topic, c.phase, c.stability, c.difficulty, c.due_at, c.last_review, c.reps, c.lapses, c.step, c.scheduled_days, c.answered, c.correct
                     FROM json_each($1) j
                     JOIN review_cards c ON c.guild_id = json_extract(j.value, '$[0]') AND c.user_id = json_extract(j.value, '$[1]') AND c.question_id = json_extract(j.value, '$[2]')",
                )
                .bind(keys)
                .fetch_all(&mut *tx)
                .await?;
                for r in &rows {
                    let key = (
                        r.try_get("guild_id")?,
                        r.try_get("user_id")?,
                        r.try_get("question_id")?,
                    );
                    seen.insert(key, card_from_row!(r));
                }
            }
            let rows: Vec<serde_json::Value> = jobs
                .iter()
                .map(|j| {
                    serde_json::json!([
                        j.answer.post.0,
                        db_id(j.answer.user.0),
                        db_id(j.guild.0),
                        j.answer.choice,
                        j.answer.correct,
                        j.answer.points,
                        ms(j.answer.at),
                        j.keys.week,
                        j.keys.month
                    ])
                })
                .collect();
            let rows = serde_json::to_string(&rows).map_err(json_err)?;
            let done = sqlx::query(
                "INSERT INTO answers (post_id, user_id, guild_id, channel_id, choice, correct, points, answered_at, week_key, month_key)
                 SELECT p.post_id, json_extract(j.value, '$[1]'), p.guild_id, p.channel_id, json_extract(j.value, '$[3]'),
                        json_extract(j.value, '$[4]'), json_extract(j.value, '$[5]'), json_extract(j.value, '$[6]'),
                        json_extract(j.value, '$[7]'), json_extract(j.value, '$[8]')
                 FROM json_each($1) j
                 JOIN posts p ON p.post_id = json_extract(j.value, '$[0]')
                 WHERE p.guild_id = json_extract(j.value, '$[2]') AND p.state = 'open'
                 ON CONFLICT (post_id, user_id) DO NOTHING
                 RETURNING post_id, user_id",
            )
            .bind(rows)
            .fetch_all(&mut *tx)
            .await?;
            let inserted = inserted_keys(&done)?;
            let (results, writes) = next_states(jobs, &inserted, &seen)?;
            if !writes.is_empty() {
                let rows: Vec<serde_json::Value> = writes
                    .iter()
                    .map(|w| {
                        serde_json::json!([
                            w.guild,
                            w.user,
                            w.question_id,
                            w.topic,
                            w.next.phase,
                            w.next.stability,
                            w.next.difficulty,
                            ms(w.next.due),
                            w.next.last_review.map(ms),
                            w.next.reps,
                            w.next.lapses,
                            w.next.step,
                            w.next.scheduled_days,
                            w.answered,
                            w.correct
                        ])
                    })
                    .collect();
                let rows = serde_json::to_string(&rows).map_err(json_err)?;
                let written = sqlx::query(concat!(
                    "INSERT INTO review_cards (guild_id, user_id, question_id, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct)
                     SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'),
                            json_extract(j.value, '$[4]'), json_extract(j.value, '$[5]'), json_extract(j.value, '$[6]'), json_extract(j.value, '$[7]'),
                            json_extract(j.value, '$[8]'), json_extract(j.value, '$[9]'), json_extract(j.value, '$[10]'), json_extract(j.value, '$[11]'),
                            json_extract(j.value, '$[12]'), json_extract(j.value, '$[13]'), json_extract(j.value, '$[14]')
                     FROM json_each($1) j WHERE true ",
                    batch_card_upsert!()
                ))
                .bind(rows)
                .fetch_all(&mut *tx)
                .await?;
                if written.len() != writes.len() {
                    tx.rollback().await?;
                    return Ok(None);
                }
            }
            tx.commit().await?;
            Ok(Some(results))
        }
        Backend::Postgres(pool) => {
            // The cards as they are now, read before the batch's statement: each is written
            // only if it is still as read, or the whole statement is undone.
            let mut seen = HashMap::new();
            if !card_keys.is_empty() {
                let (g, (u, q)): (Vec<i64>, (Vec<i64>, Vec<String>)) = card_keys
                    .iter()
                    .map(|(g, u, q)| (*g, (*u, q.clone())))
                    .unzip();
                let rows = sqlx::query(
                    "SELECT c.guild_id, c.user_id, c.question_id, c.topic, c.phase, c.stability, c.difficulty, c.due_at, c.last_review, c.reps, c.lapses, c.step, c.scheduled_days, c.answered, c.correct
                     FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS v(g, u, q)
                     JOIN review_cards c ON c.guild_id = v.g AND c.user_id = v.u AND c.question_id = v.q",
                )
                .bind(g)
                .bind(u)
                .bind(q)
                .fetch_all(pool)
                .await?;
                for r in &rows {
                    let key = (
                        r.try_get("guild_id")?,
                        r.try_get("user_id")?,
                        r.try_get("question_id")?,
                    );
                    seen.insert(key, card_from_row!(r));
                }
            }
            // Each card's next state as if its answer goes in; the statement writes the cards
            // of the answers that did.
            let every: HashSet<(i64, i64)> = jobs
                .iter()
                .map(|j| (j.answer.post.0, db_id(j.answer.user.0)))
                .collect();
            let (results, writes) = next_states(jobs, &every, &seen)?;
            // One statement, so one transaction: the answers, then the cards of those inserted.
            // A card that changed since it was read makes `review_cards_changed()` abort the
            // statement (serialization failure): nothing is written, the batch is tried again.
            let done = sqlx::query(concat!(
                "WITH v AS (
                     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::bool[], $6::bigint[], $7::bigint[], $8::text[], $9::text[])
                         AS v(p, u, g, c, k, pt, at, w, m)
                 ), ins AS (
                     INSERT INTO answers (post_id, user_id, guild_id, channel_id, choice, correct, points, answered_at, week_key, month_key)
                     SELECT p.post_id, v.u, p.guild_id, p.channel_id, v.c, v.k, v.pt, v.at, v.w, v.m
                     FROM v JOIN posts p ON p.post_id = v.p AND p.guild_id = v.g AND p.state = 'open'
                     ON CONFLICT (post_id, user_id) DO NOTHING
                     RETURNING post_id, user_id
                 ), cv AS (
                     SELECT cv.* FROM unnest($10::bigint[], $11::bigint[], $12::bigint[], $13::text[], $14::text[], $15::text[], $16::float8[], $17::float8[],
                                             $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[], $23::bigint[], $24::bigint[], $25::bigint[])
                         AS cv(p, g, u, q, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct)
                     JOIN ins ON ins.post_id = cv.p AND ins.user_id = cv.u
                 ), cards AS (
                     INSERT INTO review_cards (guild_id, user_id, question_id, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct)
                     SELECT g, u, q, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct FROM cv ",
                    batch_card_upsert!(),
                    "
                 )
                 SELECT i.post_id, i.user_id,
                        CASE WHEN (SELECT COUNT(*) FROM cards) = (SELECT COUNT(*) FROM cv) THEN 0 ELSE review_cards_changed() END AS stale
                 FROM ins i",
            ))
            .bind(jobs.iter().map(|j| j.answer.post.0).collect::<Vec<_>>())
            .bind(jobs.iter().map(|j| db_id(j.answer.user.0)).collect::<Vec<_>>())
            .bind(jobs.iter().map(|j| db_id(j.guild.0)).collect::<Vec<_>>())
            .bind(jobs.iter().map(|j| j.answer.choice.clone()).collect::<Vec<_>>())
            .bind(jobs.iter().map(|j| j.answer.correct).collect::<Vec<_>>())
            .bind(jobs.iter().map(|j| j.answer.points).collect::<Vec<_>>())
            .bind(jobs.iter().map(|j| ms(j.answer.at)).collect::<Vec<_>>())
            .bind(jobs.iter().map(|j| j.keys.week.clone()).collect::<Vec<_>>())
            .bind(jobs.iter().map(|j| j.keys.month.clone()).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.post).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.guild).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.user).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.question_id.to_string()).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.topic.to_string()).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.next.phase.clone()).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.next.stability).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.next.difficulty).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| ms(w.next.due)).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.next.last_review.map(ms)).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.next.reps).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.next.lapses).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.next.step).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.next.scheduled_days).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.answered).collect::<Vec<_>>())
            .bind(writes.iter().map(|w| w.correct).collect::<Vec<_>>())
            .fetch_all(pool)
            .await;
            let done = match done {
                Ok(rows) => rows,
                Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("40001") => {
                    return Ok(None);
                }
                Err(e) => return Err(e.into()),
            };
            let inserted = inserted_keys(&done)?;
            let results = jobs
                .iter()
                .zip(results)
                .map(|(j, r)| {
                    if inserted.contains(&(j.answer.post.0, db_id(j.answer.user.0))) {
                        r
                    } else {
                        Written::NotInserted
                    }
                })
                .collect();
            Ok(Some(results))
        }
    }
}

/// A card's row to write: its new state and counts.
struct CardRow<'a> {
    /// The post answered (the card is written only if this answer is).
    post: i64,
    guild: i64,
    user: i64,
    question_id: &'a str,
    topic: &'a str,
    next: CardColumns,
    answered: i64,
    correct: i64,
}

fn inserted_keys<R>(rows: &[R]) -> Result<HashSet<(i64, i64)>, StoreError>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter()
        .map(|r| Ok((r.try_get("post_id")?, r.try_get("user_id")?)))
        .collect()
}

/// Each job's result, and the cards to write for the answers that were inserted.
fn next_states<'a>(
    jobs: &'a [Job],
    inserted: &HashSet<(i64, i64)>,
    seen: &HashMap<CardKey, StoredCard>,
) -> Result<(Vec<Written>, Vec<CardRow<'a>>), StoreError> {
    let mut results = Vec::with_capacity(jobs.len());
    let mut writes = Vec::new();
    for j in jobs {
        if !inserted.contains(&(j.answer.post.0, db_id(j.answer.user.0))) {
            results.push(Written::NotInserted);
            continue;
        }
        let Some(c) = &j.card else {
            results.push(Written::Inserted(None));
            continue;
        };
        let key = (db_id(j.guild.0), db_id(c.user.0), c.question_id.clone());
        let before = seen.get(&key);
        let (next, _rating) =
            (c.next)(before.map(|s| s.state.clone())).map_err(StoreError::Invalid)?;
        writes.push(CardRow {
            post: j.answer.post.0,
            guild: key.0,
            user: key.1,
            question_id: &c.question_id,
            topic: &c.topic,
            next: next.clone(),
            answered: before.map_or(0, |s| s.answered) + 1,
            correct: before.map_or(0, |s| s.correct) + i64::from(c.correct),
        });
        results.push(Written::Inserted(Some(next)));
    }
    Ok((results, writes))
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Invalid(e.to_string())
}
