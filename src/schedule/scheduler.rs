//! The scheduler: `tick(now)` posts due daily questions exactly once and closes ended ones.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};

use super::{DailySchedule, next_slot, pick_question, slot_nonce, slot_on};
use crate::content::Shelf;
use crate::ids::{ChannelId, PostId, RoleId};
use crate::quiz::Question;
use crate::store::{Claim, Closing, Store, StoreError};

/// A question to send to a channel.
#[derive(Debug, Clone, PartialEq)]
pub struct PostRequest {
    pub post: PostId,
    pub channel: ChannelId,
    /// The same for every attempt at one slot: Discord returns the first message for a repeated
    /// nonce (with `enforce_nonce`), so a retry never makes a second message.
    pub nonce: String,
    pub question: Question,
    pub mention: Option<RoleId>,
    pub closes_at: DateTime<Utc>,
    /// When the slot was due (the post is late by now minus this).
    pub due_at: DateTime<Utc>,
}

/// What is shown when a question closes.
#[derive(Debug, Clone, PartialEq)]
pub struct Reveal {
    pub post: PostId,
    pub channel: ChannelId,
    pub message_id: Option<u64>,
    pub question: Question,
    /// Members per choice (`B`, `A,C`), and the total.
    pub split: Vec<(String, i64)>,
    pub total: i64,
}

/// What Discord said when posting failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    /// 403: the bot may not post there. The schedule is paused with this reason.
    #[error("missing permission: {0}")]
    Forbidden(String),
    /// 404: the channel is gone. The schedule is turned off.
    #[error("unknown channel")]
    NotFound,
    /// 429: try again after this long.
    #[error("rate limited for {0} ms")]
    RateLimited(i64),
    /// 5xx or the network: try again.
    #[error("Discord error: {0}")]
    Unavailable(String),
}

/// Sends and edits messages; the Discord adapter implements it, tests record.
pub trait Poster: Send + Sync {
    /// Sends a question; returns the message id.
    fn post_question(
        &self,
        request: &PostRequest,
    ) -> impl Future<Output = Result<u64, PostError>> + Send;
    /// Edits a closed question: buttons off, the answer, the vote split, the explanation.
    fn reveal(&self, reveal: &Reveal) -> impl Future<Output = Result<(), PostError>> + Send;
}

/// A question reported by this many members of a server leaves its rotation until an admin
/// resolves or dismisses the reports.
pub const WITHHOLD_AFTER_REPORTERS: i64 = 2;

/// Timing rules.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// A slot missed while down is still posted this long after its time; later, it is skipped.
    pub catch_up: Duration,
    /// A claim not renewed for this long is taken over (its holder died).
    pub lease: Duration,
    /// The longest answer window.
    pub max_window: Duration,
    /// Schedules looked at per tick at most.
    pub batch: i64,
    /// Questions sent per tick at most; with one tick a second this keeps well under Discord's
    /// global limit of about 50 requests a second. The rest stay due for the next tick.
    pub posts_per_tick: usize,
    /// How often the background loop ticks.
    pub interval: std::time::Duration,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            catch_up: Duration::hours(6),
            lease: Duration::minutes(2),
            max_window: Duration::hours(24),
            batch: 1000,
            posts_per_tick: 40,
            interval: std::time::Duration::from_secs(1),
        }
    }
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    pub posted: usize,
    pub closed: usize,
    pub skipped: usize,
    pub retrying: usize,
    pub paused: usize,
    pub held_elsewhere: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum TickError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Posts daily questions. Several may run on one database: claims keep posting exactly-once.
pub struct Scheduler<P> {
    store: Store,
    /// The content in use: a reload puts new questions here for the next slots.
    content: Shelf,
    poster: P,
    /// Who holds claims: unique per process.
    holder: String,
    config: SchedulerConfig,
}

impl<P: Poster> Scheduler<P> {
    pub fn new(
        store: Store,
        content: Shelf,
        poster: P,
        holder: impl Into<String>,
        config: SchedulerConfig,
    ) -> Self {
        Scheduler {
            store,
            content,
            poster,
            holder: holder.into(),
            config,
        }
    }

    pub fn poster(&self) -> &P {
        &self.poster
    }

    /// Closes ended questions, then posts every due slot. Time is passed in; nothing sleeps.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickReport, TickError> {
        let mut report = TickReport::default();
        for closing in self.store.closings(now, None).await? {
            self.close(&closing, now).await?;
            report.closed += 1;
        }
        for schedule in self.store.due_schedules(now, self.config.batch).await? {
            if report.posted >= self.config.posts_per_tick {
                break; // spread: the rest go out on the next ticks
            }
            self.run_slot(&schedule, now, &mut report).await?;
        }
        Ok(report)
    }

    /// The background loop: ticks every `interval`, logs a failed tick and goes on, and stops
    /// when `shutdown` turns true.
    pub async fn run(
        &self,
        clock: &dyn crate::clock::Clock,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut interval = tokio::time::interval(self.config.interval);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {
                    match self.tick(clock.now()).await {
                        Ok(r) if r != TickReport::default() => tracing::debug!(?r, "scheduler tick"),
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = ?e, "scheduler tick failed"),
                    }
                }
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        tracing::info!(holder = %self.holder, "scheduler stopped");
                        break;
                    }
                }
            }
        }
    }

    async fn close(&self, closing: &Closing, now: DateTime<Utc>) -> Result<(), StoreError> {
        if !self.store.close_post(closing.post, now).await? {
            return Ok(()); // closed by another process
        }
        // The question as it was shown, so an edit or removal since never changes the reveal.
        let shown = closing.shown.as_deref().and_then(Question::from_shown_json);
        let Some(question) =
            shown.or_else(|| self.content.get().bank.get(&closing.question_id).cloned())
        else {
            tracing::warn!(post = %closing.post, question = %closing.question_id, "closed a post whose question left the bank; nothing to reveal");
            return Ok(());
        };
        let split = self.store.vote_split(closing.post).await?;
        let total = split.iter().map(|(_, n)| n).sum();
        let reveal = Reveal {
            post: closing.post,
            channel: closing.channel,
            message_id: closing.message_id,
            question,
            split,
            total,
        };
        if let Err(e) = self.poster.reveal(&reveal).await {
            tracing::warn!(post = %closing.post, channel = %closing.channel, error = %e, "could not show the answer of a closed question");
        }
        Ok(())
    }

    async fn run_slot(
        &self,
        schedule: &DailySchedule,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), StoreError> {
        let Some((date, _)) = schedule.next else {
            return Ok(());
        };
        let slot = slot_on(schedule, date);
        let channel = schedule.channel;
        let advance = || async {
            let next = next_slot(schedule, slot.due_at.max(now - self.config.catch_up))
                .map(|s| (s.local_date, s.due_at));
            self.store
                .set_next_slot(schedule.guild, channel, Some(date), next)
                .await
        };
        if now - slot.due_at > self.config.catch_up {
            tracing::warn!(%channel, slot = %date, due = %slot.due_at, "missed daily question skipped: more than the catch-up window late");
            report.skipped += 1;
            return advance().await;
        }
        let content = self.content.get();
        // Questions reported by several members of the server wait for an admin.
        let withheld = self
            .store
            .withheld_questions(schedule.guild, WITHHOLD_AFTER_REPORTERS)
            .await?;
        let pool: Vec<&Question> = content
            .bank
            .questions()
            .iter()
            .filter(|q| schedule.accepts(q) && !withheld.contains(&q.id))
            .collect();
        let history = self.store.daily_history(channel).await?;
        let Some(question) = pick_question(&pool, &history, schedule.seed) else {
            let reason = "no question matches this channel's topic and exam filters";
            tracing::warn!(%channel, "{reason}; schedule paused");
            self.store
                .set_schedule_state(schedule.guild, channel, true, Some(reason))
                .await?;
            report.paused += 1;
            return Ok(());
        };
        let claim = self
            .store
            .claim_daily(
                schedule.guild,
                channel,
                date,
                slot.due_at,
                &question.id,
                &question.topic,
                &question.shown_json(),
                &self.holder,
                now,
                self.config.lease,
            )
            .await?;
        let (post, question) = match claim {
            Claim::Won {
                post,
                question_id,
                shown,
                ..
            } => {
                // A claim taken over posts what its first holder picked, as it picked it.
                let question = shown
                    .as_deref()
                    .and_then(Question::from_shown_json)
                    .or_else(|| content.bank.get(&question_id).cloned())
                    .unwrap_or_else(|| question.clone());
                (post, question)
            }
            Claim::Held => {
                report.held_elsewhere += 1;
                return Ok(());
            }
            Claim::Posted => return advance().await,
        };
        // The previous question of the channel closes when this one posts.
        for closing in self.store.closings(now, Some(channel)).await? {
            self.close(&closing, now).await?;
            report.closed += 1;
        }
        let next_due = next_slot(schedule, slot.due_at).map(|s| s.due_at);
        let window_end = slot.due_at.max(now)
            + schedule
                .window
                .unwrap_or(self.config.max_window)
                .min(self.config.max_window);
        let closes_at = match next_due {
            Some(n) if schedule.window.is_none() => n.min(window_end),
            _ => window_end,
        };
        let request = PostRequest {
            post,
            channel,
            nonce: slot_nonce(channel, date),
            question,
            mention: schedule.mention,
            closes_at,
            due_at: slot.due_at,
        };
        match self.poster.post_question(&request).await {
            Ok(message) => {
                tracing::info!(%channel, slot = %date, post = %post, "daily question posted");
                self.store
                    .mark_posted(post, message, now, closes_at)
                    .await?;
                report.posted += 1;
                advance().await
            }
            Err(PostError::Forbidden(reason)) => {
                tracing::warn!(%channel, slot = %date, %reason, "cannot post the daily question: schedule paused");
                self.store.release_claim(post).await?;
                self.store
                    .set_schedule_state(
                        schedule.guild,
                        channel,
                        true,
                        Some(&format!("missing permission: {reason}")),
                    )
                    .await?;
                report.paused += 1;
                advance().await
            }
            Err(PostError::NotFound) => {
                tracing::warn!(%channel, slot = %date, "the channel is gone: daily questions turned off for it");
                self.store.release_claim(post).await?;
                self.store
                    .set_schedule_state(
                        schedule.guild,
                        channel,
                        false,
                        Some("the channel no longer exists"),
                    )
                    .await?;
                report.paused += 1;
                advance().await
            }
            Err(e @ (PostError::RateLimited(_) | PostError::Unavailable(_))) => {
                let attempts = self.store.record_attempt(post, &e.to_string()).await?;
                let backoff = match e {
                    PostError::RateLimited(ms) => Duration::milliseconds(ms.max(1000)),
                    _ => Duration::seconds(30 * (1i64 << attempts.clamp(0, 5))),
                };
                let retry_at = now + backoff;
                if retry_at - slot.due_at > self.config.catch_up {
                    tracing::error!(%channel, slot = %date, attempts, error = %e, "daily question given up after retries; the slot is skipped");
                    self.store.release_claim(post).await?;
                    report.skipped += 1;
                    return advance().await;
                }
                tracing::warn!(%channel, slot = %date, attempts, error = %e, retry_at = %retry_at, "daily question not posted yet; will retry");
                report.retrying += 1;
                self.store
                    .set_next_slot(schedule.guild, channel, Some(date), Some((date, retry_at)))
                    .await
            }
        }
    }
}
