//! Personal review: a member's cards (FSRS state per question), the log of answers that fed
//! them, the server's review settings and the reminder claims. A card changes in the same
//! transaction as the answer that changed it.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::commit::{CardJob, Written};
use super::{Backend, Store, StoreError, db_id, from_db, from_ms, ms};
use crate::ids::{GuildId, UserId};
use crate::model::review::CardColumns;
use crate::model::scores::{NewAnswer, PeriodKeys, PointsOf, RecordOutcome};

/// What changes a card: whose, which question, and how the new state follows from the old
/// (the review module's scheduling, passed in so the store knows no rule).
pub struct CardUpdate<'a> {
    pub user: UserId,
    pub question_id: &'a str,
    pub topic: &'a str,
    /// `daily`, `quiz`, `review` or `exam`.
    pub source: &'a str,
    pub correct: bool,
    pub at: DateTime<Utc>,
    /// The new state from the stored one (`None`: first answer); returns the rating's name too.
    pub next: CardStep,
}

/// How a card's new state follows from its stored one (`None`: first answer), with the rating's
/// name: the review module's scheduling, passed in so the store knows no rule.
pub type CardStep = std::sync::Arc<
    dyn Fn(Option<CardColumns>) -> Result<(CardColumns, String), String> + Send + Sync,
>;

/// A card as stored, with its question and counts.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCard {
    pub question_id: String,
    pub topic: String,
    pub state: CardColumns,
    pub answered: i64,
    pub correct: i64,
}

/// A server's review settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewSettings {
    pub desired_retention: f64,
    pub new_per_day: i64,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        ReviewSettings {
            desired_retention: 0.9,
            new_per_day: 10,
        }
    }
}

macro_rules! card_from_row {
    ($r:expr) => {{
        let r = $r;
        let last: Option<i64> = r.try_get("last_review")?;
        StoredCard {
            question_id: r.try_get("question_id")?,
            topic: r.try_get("topic")?,
            state: CardColumns {
                phase: r.try_get("phase")?,
                stability: r.try_get("stability")?,
                difficulty: r.try_get("difficulty")?,
                due: from_ms(r.try_get("due_at")?),
                last_review: last.map(from_ms),
                reps: r.try_get("reps")?,
                lapses: r.try_get("lapses")?,
                step: r.try_get("step")?,
                scheduled_days: r.try_get("scheduled_days")?,
            },
            answered: r.try_get("answered")?,
            correct: r.try_get("correct")?,
        }
    }};
}

/// Computes a card's next state and writes it on `$tx`, with a log line for answers that are
/// not a post's (`review`, `exam`: daily and quiz answers are in `answers` already). `$pre` is
/// the card as read before the transaction (`Some(None)`: none yet) or `None`: when the card
/// is still as read, the write is one conditional upsert; otherwise the card is read again
/// inside the transaction.
macro_rules! apply_card {
    ($tx:expr, $guild:expr, $u:expr, $pre:expr) => {{
        let u = $u;
        let pre: Option<Option<StoredCard>> = $pre;
        let mut done: Option<(CardColumns, String, bool)> = None;
        if let Some(previous) = pre {
            let was_new = previous.is_none();
            let seen = previous.as_ref().map_or(-1, |c| c.answered);
            let (next, rating) =
                (u.next)(previous.map(|c| c.state)).map_err(StoreError::Invalid)?;
            let hit: Option<i64> = upsert_card_if_unchanged!(&next, u, $guild, seen)
                .fetch_optional(&mut *$tx)
                .await?;
            if hit.is_some() {
                done = Some((next, rating, was_new));
            }
        }
        let (next, rating, was_new) = match done {
            Some(d) => d,
            None => {
                let row = sqlx::query(
                    "SELECT question_id, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct
                     FROM review_cards WHERE guild_id = $1 AND user_id = $2 AND question_id = $3",
                )
                .bind(db_id($guild.0))
                .bind(db_id(u.user.0))
                .bind(u.question_id)
                .fetch_optional(&mut *$tx)
                .await?;
                let previous = match row {
                    Some(r) => Some(card_from_row!(&r)),
                    None => None,
                };
                let was_new = previous.is_none();
                let (next, rating) =
                    (u.next)(previous.map(|c| c.state)).map_err(StoreError::Invalid)?;
                upsert_card_always!(&next, u, $guild)
                    .fetch_optional(&mut *$tx)
                    .await?;
                (next, rating, was_new)
            }
        };
        if u.source == "review" || u.source == "exam" {
            sqlx::query(
                "INSERT INTO review_log (guild_id, user_id, question_id, source, correct, was_new, rating, reviewed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(db_id($guild.0))
            .bind(db_id(u.user.0))
            .bind(u.question_id)
            .bind(u.source)
            .bind(u.correct)
            .bind(was_new)
            .bind(&rating)
            .bind(ms(u.at))
            .execute(&mut *$tx)
            .await?;
        }
        next
    }};
}

/// The upsert of a card's new state; `$sql` says when an existing row is updated (`$15`) and
/// returns `answered` when a row was written.
macro_rules! upsert_card {
    ($sql:literal, $next:expr, $u:expr, $guild:expr, $arg:expr) => {{
        let next: &CardColumns = $next;
        sqlx::query_scalar::<_, i64>($sql)
            .bind(db_id($guild.0))
            .bind(db_id($u.user.0))
            .bind($u.question_id)
            .bind($u.topic)
            .bind(&next.phase)
            .bind(next.stability)
            .bind(next.difficulty)
            .bind(ms(next.due))
            .bind(next.last_review.map(ms))
            .bind(next.reps)
            .bind(next.lapses)
            .bind(next.step)
            .bind(next.scheduled_days)
            .bind(i64::from($u.correct))
            .bind($arg)
    }};
}

/// Writes a card if it is still as read (`answered` = `$15`; -1 for a card not there yet).
macro_rules! upsert_card_if_unchanged {
    ($next:expr, $u:expr, $guild:expr, $arg:expr) => {
        upsert_card!(
            "INSERT INTO review_cards (guild_id, user_id, question_id, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14)
             ON CONFLICT (guild_id, user_id, question_id) DO UPDATE SET
               topic = excluded.topic, phase = excluded.phase, stability = excluded.stability,
               difficulty = excluded.difficulty, due_at = excluded.due_at, last_review = excluded.last_review,
               reps = excluded.reps, lapses = excluded.lapses, step = excluded.step,
               scheduled_days = excluded.scheduled_days,
               answered = review_cards.answered + 1, correct = review_cards.correct + excluded.correct
             WHERE review_cards.answered = $15
             RETURNING answered",
            $next, $u, $guild, $arg
        )
    };
}

/// Writes a card whatever it was (`$15` is at least 0, so the condition always holds).
macro_rules! upsert_card_always {
    ($next:expr, $u:expr, $guild:expr) => {
        upsert_card!(
            "INSERT INTO review_cards (guild_id, user_id, question_id, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14)
             ON CONFLICT (guild_id, user_id, question_id) DO UPDATE SET
               topic = excluded.topic, phase = excluded.phase, stability = excluded.stability,
               difficulty = excluded.difficulty, due_at = excluded.due_at, last_review = excluded.last_review,
               reps = excluded.reps, lapses = excluded.lapses, step = excluded.step,
               scheduled_days = excluded.scheduled_days,
               answered = review_cards.answered + 1, correct = review_cards.correct + excluded.correct
             WHERE review_cards.answered >= $15
             RETURNING answered",
            $next, $u, $guild, 0i64
        )
    };
}

/// An answer to an open post of this server, once per (post, member): the `answers_add_to_totals`
/// trigger adds it to the running totals in the same statement; no row back when not inserted.
macro_rules! insert_answer_query {
    ($guild:expr, $answer:expr, $keys:expr) => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO answers (post_id, user_id, guild_id, channel_id, choice, correct, points, answered_at, week_key, month_key)
             SELECT p.post_id, $2, p.guild_id, p.channel_id, $4, $5, $6, $7, $8, $9 FROM posts p
             WHERE p.post_id = $1 AND p.guild_id = $3 AND p.state = 'open'
             ON CONFLICT (post_id, user_id) DO NOTHING
             RETURNING channel_id",
        )
        .bind($answer.post.0)
        .bind(db_id($answer.user.0))
        .bind(db_id($guild.0))
        .bind(&$answer.choice)
        .bind($answer.correct)
        .bind($answer.points)
        .bind(ms($answer.at))
        .bind(&$keys.week)
        .bind(&$keys.month)
    };
}

impl Store {
    /// Records an answer to a post like [`Store::record_answer`] and, when it is recorded (the
    /// member's first answer to an open post), updates their card in the same transaction: an
    /// answer never counts for scores without its review state, or the reverse.
    pub async fn record_answer_reviewed(
        &self,
        guild: GuildId,
        answer: &NewAnswer,
        keys: &PeriodKeys,
        card: Option<&CardUpdate<'_>>,
    ) -> Result<(RecordOutcome, Option<CardColumns>), StoreError> {
        let done = self.write_answer(guild, answer, keys, card).await?;
        if matches!(done.0, RecordOutcome::Recorded { .. }) {
            self.commits.answers_added(&self.backend);
        }
        Ok(done)
    }

    async fn write_answer(
        &self,
        guild: GuildId,
        answer: &NewAnswer,
        keys: &PeriodKeys,
        card: Option<&CardUpdate<'_>>,
    ) -> Result<(RecordOutcome, Option<CardColumns>), StoreError> {
        let recorded = RecordOutcome::Recorded {
            correct: answer.correct,
        };
        // A post's answer (no log line, so not a review or exam answer) joins the next group
        // commit, with its card when it has one.
        let grouped = card.is_none_or(|u| u.source != "review" && u.source != "exam");
        if grouped {
            let job = card.map(|u| CardJob {
                user: u.user,
                question_id: u.question_id.to_string(),
                topic: u.topic.to_string(),
                correct: u.correct,
                next: u.next.clone(),
            });
            match self
                .commits
                .write(&self.backend, guild, answer, keys, job)
                .await
            {
                Some(Ok(Written::Inserted(state))) => return Ok((recorded, state)),
                Some(Ok(Written::NotInserted)) => {
                    return Ok((self.why_not_recorded(guild, answer).await?, None));
                }
                Some(Err(e)) => return Err(e),
                // Grouping off, or the card kept changing: alone, below.
                Some(Ok(Written::Retry)) | None => {}
            }
        }
        let Some(u) = card else {
            // No card: one statement, its own transaction (the trigger adds the totals).
            return Ok((self.insert_answer(guild, answer, keys).await?, None));
        };
        // The card as it is now, read beside the writer: the write is then one upsert.
        let pre = self.card(guild, u.user, u.question_id).await?;
        let pre = Some(pre);
        let card = Some(u);
        let done = on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let inserted: Option<i64> = insert_answer_query!(guild, answer, keys)
            .fetch_optional(&mut *tx)
            .await?;
            if inserted.is_some() {
                let state = match card {
                    Some(u) => Some(apply_card!(tx, guild, u, pre.clone())),
                    None => None,
                };
                tx.commit().await?;
                (Some(RecordOutcome::Recorded { correct: answer.correct }), state)
            } else {
                tx.rollback().await?;
                (None, None)
            }
        });
        match done {
            (Some(outcome), state) => Ok((outcome, state)),
            (None, _) => Ok((self.why_not_recorded(guild, answer).await?, None)),
        }
    }

    /// The answer alone, one statement: `Recorded`, or why not.
    async fn insert_answer(
        &self,
        guild: GuildId,
        answer: &NewAnswer,
        keys: &PeriodKeys,
    ) -> Result<RecordOutcome, StoreError> {
        let inserted = on_write!(self, pool => {
            insert_answer_query!(guild, answer, keys)
            .fetch_optional(pool)
            .await?
        });
        if inserted.is_some() {
            Ok(RecordOutcome::Recorded {
                correct: answer.correct,
            })
        } else {
            self.why_not_recorded(guild, answer).await
        }
    }

    /// Why an answer was not inserted: unknown post, already answered, or closed.
    async fn why_not_recorded(
        &self,
        guild: GuildId,
        answer: &NewAnswer,
    ) -> Result<RecordOutcome, StoreError> {
        let outcome = on_read!(self, pool => {
            let state: Option<String> = sqlx::query_scalar("SELECT state FROM posts WHERE post_id = $1 AND guild_id = $2")
                .bind(answer.post.0)
                .bind(db_id(guild.0))
                .fetch_optional(pool)
                .await?;
            let previous = sqlx::query("SELECT choice, correct FROM answers WHERE post_id = $1 AND user_id = $2")
                .bind(answer.post.0)
                .bind(db_id(answer.user.0))
                .fetch_optional(pool)
                .await?;
            match (state.as_deref(), previous) {
                (None, _) => RecordOutcome::UnknownPost,
                (Some("open"), Some(r)) => RecordOutcome::AlreadyAnswered { choice: r.try_get("choice")?, correct: r.try_get("correct")? },
                _ => RecordOutcome::Closed,
            }
        });
        Ok(outcome)
    }

    /// Updates a card for an answer that is not a post's (a `/review` or mock exam answer),
    /// unless the card was reviewed at or after `shown_at` (a double click, or an old message):
    /// then `None` and nothing changes.
    pub async fn review_card(
        &self,
        guild: GuildId,
        update: &CardUpdate<'_>,
        shown_at: DateTime<Utc>,
    ) -> Result<Option<CardColumns>, StoreError> {
        let done = on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let last: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT last_review FROM review_cards WHERE guild_id = $1 AND user_id = $2 AND question_id = $3",
            )
            .bind(db_id(guild.0))
            .bind(db_id(update.user.0))
            .bind(update.question_id)
            .fetch_optional(&mut *tx)
            .await?;
            if last.flatten().is_some_and(|t| t >= ms(shown_at)) {
                tx.rollback().await?;
                None
            } else {
                let next = apply_card!(tx, guild, update, None);
                tx.commit().await?;
                Some(next)
            }
        });
        Ok(done)
    }

    /// A member's card of one question.
    pub async fn card(
        &self,
        guild: GuildId,
        user: UserId,
        question: &str,
    ) -> Result<Option<StoredCard>, StoreError> {
        let card = on_read!(self, pool => {
            let row = sqlx::query(
                "SELECT question_id, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct
                 FROM review_cards WHERE guild_id = $1 AND user_id = $2 AND question_id = $3",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .bind(question)
            .fetch_optional(pool)
            .await?;
            match row {
                Some(r) => Some(card_from_row!(&r)),
                None => None,
            }
        });
        Ok(card)
    }

    /// Every card of a member in a server.
    pub async fn cards(&self, guild: GuildId, user: UserId) -> Result<Vec<StoredCard>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT question_id, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct
                 FROM review_cards WHERE guild_id = $1 AND user_id = $2 ORDER BY due_at, question_id",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(card_from_row!(r));
            }
            out
        });
        Ok(list)
    }

    /// A member's cards due at `now`, soonest first, at most `limit`.
    pub async fn due_cards(
        &self,
        guild: GuildId,
        user: UserId,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<StoredCard>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT question_id, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct
                 FROM review_cards WHERE guild_id = $1 AND user_id = $2 AND due_at <= $3
                 ORDER BY due_at, question_id LIMIT $4",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .bind(ms(now))
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(card_from_row!(r));
            }
            out
        });
        Ok(list)
    }

    /// A server's time zone (as stored) and review settings, in one round trip.
    pub async fn review_setup(
        &self,
        guild: GuildId,
    ) -> Result<(Option<String>, ReviewSettings), StoreError> {
        let out = on_read!(self, pool => {
            let r = sqlx::query(
                "SELECT (SELECT time_zone FROM guilds WHERE guild_id = $1) AS zone,
                        (SELECT desired_retention FROM review_settings WHERE guild_id = $1) AS retention,
                        (SELECT new_per_day FROM review_settings WHERE guild_id = $1) AS new_per_day",
            )
            .bind(db_id(guild.0))
            .fetch_one(pool)
            .await?;
            let zone: Option<String> = r.try_get("zone")?;
            let retention: Option<f64> = r.try_get("retention")?;
            let new_per_day: Option<i64> = r.try_get("new_per_day")?;
            let settings = match (retention, new_per_day) {
                (Some(desired_retention), Some(new_per_day)) => ReviewSettings { desired_retention, new_per_day },
                _ => ReviewSettings::default(),
            };
            (zone, settings)
        });
        Ok(out)
    }

    /// [`Store::queue_counts`] and [`Store::due_cards`] in one round trip.
    pub async fn queue_and_due(
        &self,
        guild: GuildId,
        user: UserId,
        now: DateTime<Utc>,
        end_of_day: DateTime<Utc>,
        day_start: DateTime<Utc>,
        limit: i64,
    ) -> Result<((i64, i64, i64), Vec<StoredCard>), StoreError> {
        let out = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT k.due_now, k.due_today, k.new_today, c.question_id, c.topic, c.phase, c.stability, c.difficulty, c.due_at,
                        c.last_review, c.reps, c.lapses, c.step, c.scheduled_days, c.answered, c.correct
                 FROM (SELECT
                   (SELECT COUNT(*) FROM review_cards WHERE guild_id = $1 AND user_id = $2 AND due_at <= $3) AS due_now,
                   (SELECT COUNT(*) FROM review_cards WHERE guild_id = $1 AND user_id = $2 AND due_at <= $4) AS due_today,
                   (SELECT COUNT(*) FROM review_log WHERE guild_id = $1 AND user_id = $2 AND reviewed_at >= $5
                      AND was_new AND source = 'review') AS new_today) k
                 LEFT JOIN (SELECT * FROM review_cards WHERE guild_id = $1 AND user_id = $2 AND due_at <= $3
                            ORDER BY due_at, question_id LIMIT $6) c ON 1 = 1
                 ORDER BY c.due_at, c.question_id",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .bind(ms(now))
            .bind(ms(end_of_day))
            .bind(ms(day_start))
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut counts = (0, 0, 0);
            let mut cards = Vec::with_capacity(rows.len());
            for r in &rows {
                counts = (r.try_get::<i64, _>("due_now")?, r.try_get::<i64, _>("due_today")?, r.try_get::<i64, _>("new_today")?);
                let question: Option<String> = r.try_get("question_id")?;
                if question.is_some() {
                    cards.push(card_from_row!(r));
                }
            }
            (counts, cards)
        });
        Ok(out)
    }

    /// How many of a member's cards are due by `until`.
    pub async fn due_count(
        &self,
        guild: GuildId,
        user: UserId,
        until: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let n = on_read!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM review_cards WHERE guild_id = $1 AND user_id = $2 AND due_at <= $3")
                .bind(db_id(guild.0))
                .bind(db_id(user.0))
                .bind(ms(until))
                .fetch_one(pool)
                .await?
        });
        Ok(n)
    }

    /// A member's queue in one query: cards due by `now`, cards due by `end_of_day`, and new
    /// questions seen through `/review` since `day_start`.
    pub async fn queue_counts(
        &self,
        guild: GuildId,
        user: UserId,
        now: DateTime<Utc>,
        end_of_day: DateTime<Utc>,
        day_start: DateTime<Utc>,
    ) -> Result<(i64, i64, i64), StoreError> {
        let row = on_read!(self, pool => {
            let r = sqlx::query(
                "SELECT
                   (SELECT COUNT(*) FROM review_cards WHERE guild_id = $1 AND user_id = $2 AND due_at <= $3) AS due_now,
                   (SELECT COUNT(*) FROM review_cards WHERE guild_id = $1 AND user_id = $2 AND due_at <= $4) AS due_today,
                   (SELECT COUNT(*) FROM review_log WHERE guild_id = $1 AND user_id = $2 AND reviewed_at >= $5
                      AND was_new AND source = 'review') AS new_today",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .bind(ms(now))
            .bind(ms(end_of_day))
            .bind(ms(day_start))
            .fetch_one(pool)
            .await?;
            (r.try_get::<i64, _>("due_now")?, r.try_get::<i64, _>("due_today")?, r.try_get::<i64, _>("new_today")?)
        });
        Ok(row)
    }

    /// How many questions a member saw for the first time through `/review` since `since`.
    pub async fn new_reviews_since(
        &self,
        guild: GuildId,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let n = on_read!(self, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM review_log WHERE guild_id = $1 AND user_id = $2 AND reviewed_at >= $3 AND was_new AND source = 'review'",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .bind(ms(since))
            .fetch_one(pool)
            .await?
        });
        Ok(n)
    }

    /// The instants of every answer of a member in a server: daily questions and quizzes (in
    /// `answers`), reviews and mock exams (in the review log). For the streak and the heatmap.
    pub async fn review_times(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let list = on_read!(self, pool => {
            let v: Vec<i64> = sqlx::query_scalar(
                "SELECT reviewed_at AS at FROM review_log WHERE guild_id = $1 AND user_id = $2
                 UNION ALL
                 SELECT answered_at AS at FROM answers WHERE guild_id = $1 AND user_id = $2
                 ORDER BY at",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .fetch_all(pool)
            .await?;
            v.into_iter().map(from_ms).collect::<Vec<_>>()
        });
        Ok(list)
    }

    /// A server's review settings (defaults when none were set).
    pub async fn review_settings(&self, guild: GuildId) -> Result<ReviewSettings, StoreError> {
        let row = on_read!(self, pool => {
            sqlx::query("SELECT desired_retention, new_per_day FROM review_settings WHERE guild_id = $1")
                .bind(db_id(guild.0))
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<ReviewSettings, sqlx::Error> {
                    Ok(ReviewSettings {
                        desired_retention: r.try_get("desired_retention")?,
                        new_per_day: r.try_get("new_per_day")?,
                    })
                })
                .transpose()?
        });
        Ok(row.unwrap_or_default())
    }

    /// Sets a server's review settings.
    pub async fn set_review_settings(
        &self,
        guild: GuildId,
        settings: ReviewSettings,
    ) -> Result<(), StoreError> {
        on_write!(self, pool => {
            sqlx::query(
                "INSERT INTO review_settings (guild_id, desired_retention, new_per_day) VALUES ($1, $2, $3)
                 ON CONFLICT (guild_id) DO UPDATE SET desired_retention = excluded.desired_retention, new_per_day = excluded.new_per_day",
            )
            .bind(db_id(guild.0))
            .bind(settings.desired_retention)
            .bind(settings.new_per_day)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Turns a member's daily review reminder on or off.
    pub async fn set_review_reminder(
        &self,
        guild: GuildId,
        user: UserId,
        enabled: bool,
    ) -> Result<(), StoreError> {
        on_write!(self, pool => {
            sqlx::query(
                "INSERT INTO review_reminders (guild_id, user_id, enabled) VALUES ($1, $2, $3)
                 ON CONFLICT (guild_id, user_id) DO UPDATE SET enabled = excluded.enabled",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .bind(enabled)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Members with the reminder on, with the local date of the last one sent, after
    /// `(guild, user)` in key order (for paging), at most `limit`.
    pub async fn reminders_on(
        &self,
        after: (GuildId, UserId),
        limit: i64,
    ) -> Result<Vec<(GuildId, UserId, Option<String>)>, StoreError> {
        let list = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT guild_id, user_id, last_sent FROM review_reminders
                 WHERE enabled AND (guild_id > $1 OR (guild_id = $1 AND user_id > $2))
                 ORDER BY guild_id, user_id LIMIT $3",
            )
            .bind(db_id(after.0.0))
            .bind(db_id(after.1.0))
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((
                    GuildId(from_db(r.try_get("guild_id")?)),
                    UserId(from_db(r.try_get("user_id")?)),
                    r.try_get("last_sent")?,
                ));
            }
            out
        });
        Ok(list)
    }

    /// Claims a member's reminder for their local `date`: true for the one caller that may
    /// send it.
    pub async fn claim_reminder(
        &self,
        guild: GuildId,
        user: UserId,
        date: NaiveDate,
    ) -> Result<bool, StoreError> {
        let date = date.format("%Y-%m-%d").to_string();
        let n = on_write!(self, pool => {
            sqlx::query(
                "UPDATE review_reminders SET last_sent = $3
                 WHERE guild_id = $1 AND user_id = $2 AND enabled AND (last_sent IS NULL OR last_sent <> $3)",
            )
            .bind(db_id(guild.0))
            .bind(db_id(user.0))
            .bind(&date)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Loads many cards at once (for benchmarks): `(member, question, topic, state)`.
    #[doc(hidden)]
    pub async fn bulk_load_cards(
        &self,
        guild: GuildId,
        cards: &[(UserId, String, String, CardColumns)],
    ) -> Result<(), StoreError> {
        on_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in cards.chunks(1000) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO review_cards (guild_id, user_id, question_id, topic, phase, stability, difficulty, due_at, last_review, reps, lapses, step, scheduled_days, answered, correct) ",
                );
                q.push_values(chunk, |mut b, (user, question, topic, c)| {
                    b.push_bind(db_id(guild.0))
                        .push_bind(db_id(user.0))
                        .push_bind(question)
                        .push_bind(topic)
                        .push_bind(&c.phase)
                        .push_bind(c.stability)
                        .push_bind(c.difficulty)
                        .push_bind(ms(c.due))
                        .push_bind(c.last_review.map(ms))
                        .push_bind(c.reps)
                        .push_bind(c.lapses)
                        .push_bind(c.step)
                        .push_bind(c.scheduled_days)
                        .push_bind(c.reps)
                        .push_bind(0i64);
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        match &self.backend {
            Backend::Postgres(pool) => {
                sqlx::query("VACUUM ANALYZE review_cards")
                    .execute(pool)
                    .await?;
            }
            Backend::Sqlite { write, .. } => {
                sqlx::query("ANALYZE").execute(write).await?;
            }
        }
        Ok(())
    }

    /// When a member, or the members of a study group, earned points in a server since
    /// `since` (daily questions, quizzes or both), one row per answer.
    pub async fn points_earned(
        &self,
        guild: GuildId,
        who: PointsOf,
        since: DateTime<Utc>,
        kind: Option<crate::store::PostKind>,
    ) -> Result<Vec<(DateTime<Utc>, i64)>, StoreError> {
        let kind = kind.map_or("", |k| k.as_str());
        let (group, id) = match who {
            PointsOf::Member(u) => (0i64, u.0),
            PointsOf::Group(r) => (1i64, r.0),
        };
        let list = on_read!(self, pool => {
            let rows = sqlx::query(
                "SELECT a.answered_at, a.points FROM answers a JOIN posts p ON p.post_id = a.post_id
                 WHERE a.guild_id = $1 AND a.answered_at >= $3 AND a.points > 0
                   AND ($4 = '' OR p.kind = $4)
                   AND (($5 = 0 AND a.user_id = $2)
                     OR ($5 = 1 AND EXISTS (SELECT 1 FROM member_roles m
                          WHERE m.guild_id = a.guild_id AND m.user_id = a.user_id AND m.role_id = $2)))",
            )
            .bind(db_id(guild.0))
            .bind(db_id(id))
            .bind(ms(since))
            .bind(kind)
            .bind(group)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((from_ms(r.try_get("answered_at")?), r.try_get::<i64, _>("points")?));
            }
            out
        });
        Ok(list)
    }
}
