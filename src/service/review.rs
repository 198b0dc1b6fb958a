//! Purpose: a member's personal review (spaced repetition with FSRS, through `crate::review`).
//! Every answer a member gives (daily question, live quiz, `/review`) feeds their card of that
//! question, written in the same transaction as the answer. `/review` serves what is due, then
//! new questions from the member's weakest topics (at most the server's new-per-day); `/stats`
//! reads the figures; reminders go to members who asked for them, once a day, only when
//! something is due.

use chrono::{DateTime, NaiveDate, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::answer::check_picks;
use super::{ServiceError, Study, UserError};
use crate::ids::{GuildId, UserId};
use crate::quiz::Question;
use crate::review::{self, CardState, DesiredRetention, Rating, Scheduler};
use crate::store::{CardUpdate, ReviewSettings, StoreError, StoredCard};

/// Reminders go out from this hour of the member's server's local day.
pub const REMIND_FROM_HOUR: u32 = 9;

/// A `/review` message older than this is out of date: its answer is refused.
pub const STALE_AFTER: TimeDelta = TimeDelta::hours(1);

/// An answer as it feeds the member's card.
#[derive(Debug, Clone, Copy)]
pub struct Answered<'a> {
    pub user: UserId,
    pub question: &'a Question,
    /// `daily`, `quiz`, `review` or `exam`.
    pub source: &'a str,
    pub correct: bool,
    /// From when this member was shown the question, when known.
    pub answer_time: Option<TimeDelta>,
    pub at: DateTime<Utc>,
}

/// What `/review` narrows to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    pub topic: Option<String>,
    pub exam: Option<String>,
}

impl ReviewFilter {
    fn accepts(&self, q: &Question) -> bool {
        self.topic.as_ref().is_none_or(|t| &q.topic == t)
            && self.exam.as_ref().is_none_or(|e| q.exams.contains(e))
    }
}

/// The member's queue at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queue {
    pub due_now: i64,
    /// Due before the end of the member's day (the server's time zone), due now included.
    pub due_today: i64,
    /// New questions still allowed today.
    pub new_left: i64,
}

impl Queue {
    /// The queue from the store's counts (due now, due today, new seen today) and the server's
    /// new-per-day setting.
    fn of((due_now, due_today, new_today): (i64, i64, i64), settings: &ReviewSettings) -> Queue {
        Queue {
            due_now,
            due_today,
            new_left: (settings.new_per_day - new_today).max(0),
        }
    }
}

/// What `/review` shows next.
#[derive(Debug, Clone, PartialEq)]
pub enum NextReview {
    /// A question to answer: `new` when the member never answered it.
    Ask {
        question: Box<Question>,
        new: bool,
        queue: Queue,
    },
    /// Nothing due and no new question left for today (or none matching the filter).
    Done {
        queue: Queue,
        next_due: Option<DateTime<Utc>>,
    },
}

/// What a member sees after answering a review.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewFeedback {
    pub question: Question,
    pub correct: bool,
    pub rating: Rating,
    /// When this question comes back.
    pub due: DateTime<Utc>,
    /// FSRS stability in days.
    pub stability: f64,
    /// The notes section the question cites: heading path and `file:line`.
    pub notes: Option<(String, String)>,
}

/// A member's review figures for `/stats`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewStats {
    pub cards: usize,
    pub due_today: i64,
    /// Mean predicted recall over the member's reviewed cards, now.
    pub retention: Option<f64>,
    /// Up to 3 weakest topics: (topic, mean predicted recall).
    pub weakest: Vec<(String, f64)>,
    pub streak: review::Streak,
}

fn day_bounds(now: DateTime<Utc>, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>, NaiveDate) {
    let today = now.with_timezone(&zone).date_naive();
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    let begin = start(today).unwrap_or(now - TimeDelta::hours(24));
    let end = today
        .succ_opt()
        .and_then(start)
        .unwrap_or(now + TimeDelta::hours(24));
    (begin, end, today)
}

impl Study {
    /// The server's review settings.
    pub async fn review_settings(&self, guild: GuildId) -> Result<ReviewSettings, StoreError> {
        self.store.review_settings(guild).await
    }

    /// Changes a server's desired retention (0.70 to 0.97) and new questions a day (0 to 100).
    pub async fn set_review_settings(
        &self,
        guild: GuildId,
        retention: Option<f64>,
        new_per_day: Option<i64>,
    ) -> Result<ReviewSettings, ServiceError> {
        let mut s = self.store.review_settings(guild).await?;
        if let Some(r) = retention {
            s.desired_retention = DesiredRetention::new(r)
                .map_err(|e| UserError::Review(e.to_string()))?
                .get();
        }
        if let Some(n) = new_per_day {
            if !(0..=100).contains(&n) {
                return Err(UserError::Review(format!(
                    "new questions a day must be 0 to 100, not {n}"
                ))
                .into());
            }
            s.new_per_day = n;
        }
        self.store.set_review_settings(guild, s).await?;
        Ok(s)
    }

    /// The FSRS scheduler at the server's desired retention.
    pub(crate) async fn review_scheduler(&self, guild: GuildId) -> Result<Scheduler, StoreError> {
        self.memory(guild).await
    }

    async fn memory(&self, guild: GuildId) -> Result<Scheduler, StoreError> {
        let s = self.store.review_settings(guild).await?;
        Ok(Scheduler::new(
            DesiredRetention::new(s.desired_retention).unwrap_or_default(),
        ))
    }

    /// Builds the card update for an answer and runs `write` with it (the closure that turns
    /// the stored card into the next one lives only for the call).
    pub(crate) async fn with_card_update<T>(
        &self,
        guild: GuildId,
        a: &Answered<'_>,
        write: impl AsyncFnOnce(&CardUpdate<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let Answered {
            user,
            question,
            source,
            correct,
            at,
            ..
        } = *a;
        let memory = self.memory(guild).await?;
        let next = card_step(&memory, a);
        let update = CardUpdate {
            user,
            question_id: &question.id,
            topic: &question.topic,
            source,
            correct,
            at,
            next,
        };
        write(&update).await
    }

    /// The member's queue counts.
    pub async fn review_queue(
        &self,
        guild: GuildId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Queue, StoreError> {
        let zone = self.guild_zone(guild).await?;
        let (begin, end, _) = day_bounds(now, zone);
        let settings = self.store.review_settings(guild).await?;
        let counts = self
            .store
            .queue_counts(guild, user, now, end, begin)
            .await?;
        Ok(Queue::of(counts, &settings))
    }

    /// The next question of a member's review: the most overdue card still in the bank (and
    /// matching the filter), else a new question from their weakest topics while new ones are
    /// left for today.
    pub async fn next_review(
        &self,
        guild: GuildId,
        user: UserId,
        filter: &ReviewFilter,
        now: DateTime<Utc>,
    ) -> Result<NextReview, ServiceError> {
        let content = self.content();
        let bank = &content.bank;
        if let Some(t) = &filter.topic
            && !bank.topic_counts().contains_key(t)
        {
            return Err(UserError::UnknownTopic(t.clone()).into());
        }
        if let Some(e) = &filter.exam
            && !bank.exam_counts().contains_key(e)
        {
            return Err(UserError::UnknownExam(e.clone()).into());
        }
        // Two round trips: the server's zone and settings, then the counts with the first due
        // cards, soonest first. A question removed from the bank is kept but never served; the
        // first few due cards usually hold one that fits, else every card is read below.
        let (zone, settings) = self.store.review_setup(guild).await?;
        let (begin, end, _) = day_bounds(now, super::zone_or_utc(zone));
        let (counts, due_first) = self
            .store
            .queue_and_due(guild, user, now, end, begin, 32)
            .await?;
        let queue = Queue::of(counts, &settings);
        if let Some(question) = due_first
            .iter()
            .filter_map(|c| bank.get(&c.question_id))
            .find(|q| filter.accepts(q))
        {
            return Ok(NextReview::Ask {
                question: Box::new(question.clone()),
                new: false,
                queue,
            });
        }
        let cards = self.store.cards(guild, user).await?;
        if let Some(question) = cards
            .iter()
            .filter(|c| c.state.due <= now)
            .filter_map(|c| bank.get(&c.question_id))
            .find(|q| filter.accepts(q))
        {
            return Ok(NextReview::Ask {
                question: Box::new(question.clone()),
                new: false,
                queue,
            });
        }
        let next_due = cards
            .iter()
            .filter(|c| c.state.due > now)
            .filter(|c| bank.get(&c.question_id).is_some_and(|q| filter.accepts(q)))
            .map(|c| c.state.due)
            .min();
        if queue.new_left <= 0 {
            return Ok(NextReview::Done { queue, next_due });
        }
        let memory =
            Scheduler::new(DesiredRetention::new(settings.desired_retention).unwrap_or_default());
        let seen: std::collections::HashSet<&str> =
            cards.iter().map(|c| c.question_id.as_str()).collect();
        let candidates: Vec<(String, String)> = bank
            .questions()
            .iter()
            .filter(|q| filter.accepts(q) && !seen.contains(q.id.as_str()))
            .map(|q| (q.id.clone(), q.topic.clone()))
            .collect();
        let order = weakest(&memory, &cards, bank, now);
        let order: Vec<String> = order.into_iter().map(|t| t.topic).collect();
        // A seed per member and day: the same new question until it is answered.
        let seed = user.0 ^ (now.timestamp() / 86_400) as u64;
        let picked = review::choose_new(&candidates, &order, 1, &mut StdRng::seed_from_u64(seed));
        match picked.first().and_then(|id| bank.get(id)) {
            Some(q) => Ok(NextReview::Ask {
                question: Box::new(q.clone()),
                new: true,
                queue,
            }),
            None => Ok(NextReview::Done { queue, next_due }),
        }
    }

    /// Records a `/review` answer: graded against the bank, the card updated, unless the
    /// message is stale (older than [`STALE_AFTER`]) or this question was answered since it
    /// was shown (a double click): then a clear message and nothing changes.
    pub async fn review_answer(
        &self,
        guild: GuildId,
        user: UserId,
        question_id: &str,
        picked: &[usize],
        shown_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<ReviewFeedback, ServiceError> {
        if now - shown_at > STALE_AFTER {
            return Err(UserError::Review(
                "this review question is from a while ago; run /review for your queue now".into(),
            )
            .into());
        }
        let question = self
            .content()
            .bank
            .get(question_id)
            .cloned()
            .ok_or_else(|| {
                UserError::Review(
                    "this question was removed from the bank, so it is not asked any more; run /review for the next one".into(),
                )
            })?;
        let picked = check_picks(&question, picked)?;
        let correct = question.is_correct(&picked);
        let answer_time = Some(now - shown_at);
        let store = &self.store;
        let card = self
            .with_card_update(
                guild,
                &Answered {
                    user,
                    question: &question,
                    source: "review",
                    correct,
                    answer_time,
                    at: now,
                },
                async |u| store.review_card(guild, u, shown_at).await,
            )
            .await?
            .ok_or_else(|| {
                UserError::Review("you already answered this one; press Next question".into())
            })?;
        let notes = self
            .notes_for_question(&question.id)
            .ok()
            .map(|p| (p.heading(), p.citation()));
        Ok(ReviewFeedback {
            question,
            correct,
            notes,
            rating: Rating::from_answer(correct, answer_time),
            due: card.due,
            stability: card.stability,
        })
    }

    /// Records a practice answer that is not a post's (a terminal drill) on the member's card,
    /// unless it was answered since `shown_at`. Returns the card's next due time.
    pub async fn record_practice(
        &self,
        guild: GuildId,
        answered: &Answered<'_>,
        shown_at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let store = &self.store;
        let card = self
            .with_card_update(guild, answered, async |u| {
                store.review_card(guild, u, shown_at).await
            })
            .await?;
        Ok(card.map(|c| c.due))
    }

    /// A member's review figures.
    pub async fn review_stats(
        &self,
        guild: GuildId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<ReviewStats, StoreError> {
        let zone = self.guild_zone(guild).await?;
        let (_, end, today) = day_bounds(now, zone);
        let memory = self.memory(guild).await?;
        let cards = self.store.cards(guild, user).await?;
        let content = self.content();
        let recalls: Vec<f64> = cards
            .iter()
            .filter_map(|c| CardState::from_columns(c.state.clone()).ok())
            .map(|s| memory.retrievability(&s, now))
            .collect();
        let retention =
            (!recalls.is_empty()).then(|| recalls.iter().sum::<f64>() / recalls.len() as f64);
        let weakest = weakest(&memory, &cards, &content.bank, now)
            .into_iter()
            .filter_map(|t| t.mean_recall.map(|r| (t.topic, r)))
            .take(3)
            .collect();
        let days: Vec<NaiveDate> = self
            .store
            .review_times(guild, user)
            .await?
            .into_iter()
            .map(|t| t.with_timezone(&zone).date_naive())
            .collect();
        Ok(ReviewStats {
            cards: cards.len(),
            due_today: self.store.due_count(guild, user, end).await?,
            retention,
            weakest,
            streak: review::review_streak(&days, today),
        })
    }

    /// Turns a member's daily "reviews due" reminder on or off.
    pub async fn set_review_reminder(
        &self,
        guild: GuildId,
        user: UserId,
        on: bool,
    ) -> Result<(), StoreError> {
        self.store.set_review_reminder(guild, user, on).await
    }

    /// Reminders to send now: members who asked for one, have not had one today (their
    /// server's local date), whose local time is past [`REMIND_FROM_HOUR`], and who have
    /// reviews due. Each is claimed, so any number of processes send it once.
    pub async fn due_reminders(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(GuildId, UserId, i64)>, StoreError> {
        let mut out = Vec::new();
        let mut after = (GuildId(0), UserId(0));
        loop {
            let page = self.store.reminders_on(after, 500).await?;
            let Some(last) = page.last() else {
                break;
            };
            after = (last.0, last.1);
            for (guild, user, last_sent) in page {
                let local = now.with_timezone(&self.guild_zone(guild).await?);
                let today = local.date_naive();
                if last_sent.as_deref() == Some(today.format("%Y-%m-%d").to_string().as_str())
                    || local.time().hour() < REMIND_FROM_HOUR
                {
                    continue;
                }
                let due = self.store.due_count(guild, user, now).await?;
                if due > 0 && self.store.claim_reminder(guild, user, today).await? {
                    out.push((guild, user, due));
                }
            }
        }
        Ok(out)
    }
}

/// How an answer turns a member's stored card into the next one (for the store to run inside
/// the answer's transaction): the rating from the answer, the scheduling from FSRS.
#[allow(clippy::type_complexity)]
pub(crate) fn card_step(memory: &Scheduler, a: &Answered<'_>) -> crate::store::CardStep {
    let memory = memory.clone();
    let rating = Rating::from_answer(a.correct, a.answer_time);
    let at = a.at;
    std::sync::Arc::new(move |previous: Option<review::CardColumns>| {
        let previous = previous
            .map(CardState::from_columns)
            .transpose()
            .map_err(|e| e.to_string())?;
        let card = memory
            .review(previous.as_ref(), rating, at)
            .map_err(|e| e.to_string())?;
        Ok((card.to_columns(), rating.as_str().to_string()))
    })
}

/// Topics from weakest to strongest for a member, every topic of the bank included.
fn weakest(
    memory: &Scheduler,
    cards: &[StoredCard],
    bank: &crate::quiz::Bank,
    now: DateTime<Utc>,
) -> Vec<review::TopicRecall> {
    let recalls: Vec<(String, f64)> = cards
        .iter()
        .filter_map(|c| {
            CardState::from_columns(c.state.clone())
                .ok()
                .map(|s| (c.topic.clone(), memory.retrievability(&s, now)))
        })
        .collect();
    let mut seen: Vec<(String, u32)> = bank.topic_counts().into_keys().map(|t| (t, 0)).collect();
    seen.extend(cards.iter().map(|c| (c.topic.clone(), 1)));
    review::weakest_topics(&recalls, &seen)
}
