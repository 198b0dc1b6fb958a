//! Purpose: personal spaced repetition, the pure domain. Owns a member's memory of one question
//! ([`CardState`], stored as plain columns through [`CardColumns`]), the [`Rating`] an answer
//! earns, scheduling the next review with FSRS ([`Scheduler`], through the maintained `fsrs`
//! crate: FSRS-6 with its default parameters), the predicted recall of a card, and the pure
//! choices the review use case makes with data read from the store: the weakest topics
//! ([`weakest_topics`]), which new questions to add ([`choose_new`]) and the review streak
//! ([`review_streak`]).
//!
//! Must not touch: SQL, Discord, the clock or a global random generator (`now`, `today` and the
//! random generator are passed in). No scheduling math is written here: stability, difficulty,
//! intervals and recall all come from `fsrs`; this module only adds the learning-step policy
//! around it (which phase a card is in, and the short steps before it graduates).
//!
//! # From an answer to a rating
//!
//! | the answer | rating |
//! |---|---|
//! | wrong | [`Rating::Again`] |
//! | right | [`Rating::Good`] |
//! | right, in under 8 seconds ([`FAST_ANSWER`]), when the answer time is known | [`Rating::Easy`] |
//!
//! A click on a multiple-choice button says nothing about effort, so [`Rating::Hard`] is never
//! derived from an answer (it is kept for completeness and stored ratings). The answer time is
//! known only when the bot knows when *this member* was shown the question (a `/review` or live
//! quiz message sent to them); for a daily question, whose message may have been posted hours
//! before the member read it, callers pass `None` and a right answer is Good.
//!
//! # Phases and steps
//!
//! The first answer to a question is its first review (there is no state before it; callers pass
//! `None`, or a [`CardState::new`] card in [`Phase::New`]).
//! - **New → Learning**: a wrong first answer (Again) makes the card due again after the learning
//!   step ([`LEARNING_STEPS`], 10 minutes); a right one (Good or Easy) graduates at once.
//! - **Learning / Relearning**: Again goes back to the first step, Hard repeats the current step,
//!   Good moves to the next step and graduates after the last one, Easy graduates.
//! - **Review**: the card is due after the FSRS interval for the desired retention, rounded to whole
//!   days and at least one day, at most [`MAX_INTERVAL_DAYS`]. Again is a lapse: `lapses` goes up
//!   and the card relearns ([`RELEARNING_STEPS`], 10 minutes) before it graduates again with its
//!   lowered stability.
//!
//! Every answer, same-day steps included, updates the FSRS memory state (FSRS-6 models same-day
//! reviews). Days elapsed since the last review are whole 24-hour periods.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rand::Rng;
use rand::seq::SliceRandom;

#[cfg(test)]
mod tests;

/// A right answer given in less than this (when the answer time is known) is rated Easy.
pub const FAST_ANSWER: TimeDelta = TimeDelta::seconds(8);

/// Delays before a new card that was missed is asked again; it graduates after the last one.
pub const LEARNING_STEPS: &[TimeDelta] = &[TimeDelta::minutes(10)];

/// Delays before a lapsed card (missed in review) is asked again; it graduates after the last one.
pub const RELEARNING_STEPS: &[TimeDelta] = &[TimeDelta::minutes(10)];

/// The longest interval between two reviews (FSRS's default maximum, 100 years).
pub const MAX_INTERVAL_DAYS: u32 = 36_500;

/// What can go wrong in this module; every message names the value and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(
        "desired retention must be between 0.70 and 0.97 (0.9 means about 90% of reviews are remembered); got {0}"
    )]
    Retention(String),
    #[error("unknown review phase `{0}`: expected new, learning, review or relearning")]
    Phase(String),
    #[error("unknown rating `{0}`: expected again, hard, good or easy")]
    Rating(String),
    #[error("stored review state is invalid: {0}")]
    InvalidState(String),
    #[error(
        "the FSRS scheduler refused the memory state (stability {stability}, difficulty {difficulty})"
    )]
    Fsrs {
        stability: f64,
        difficulty: f64,
        #[source]
        source: fsrs::FSRSError,
    },
}

/// Where a card is in its life: never reviewed, in its first short steps, in spaced review, or
/// relearning after a lapse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Phase {
    #[default]
    New,
    Learning,
    Review,
    Relearning,
}

impl Phase {
    /// The stored spelling: `new`, `learning`, `review`, `relearning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::New => "new",
            Phase::Learning => "learning",
            Phase::Review => "review",
            Phase::Relearning => "relearning",
        }
    }

    /// `learning` → Learning (case and surrounding spaces ignored).
    pub fn parse(s: &str) -> Result<Phase, ReviewError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "new" => Ok(Phase::New),
            "learning" => Ok(Phase::Learning),
            "review" => Ok(Phase::Review),
            "relearning" => Ok(Phase::Relearning),
            _ => Err(ReviewError::Phase(s.to_string())),
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How well a question was remembered, as FSRS grades a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rating {
    Again,
    Hard,
    Good,
    Easy,
}

impl Rating {
    /// The rating an answer earns (see the module docs): wrong → Again, right → Good, right in
    /// under [`FAST_ANSWER`] → Easy. An unknown or negative answer time (clock skew) counts as
    /// not fast.
    pub fn from_answer(correct: bool, answer_time: Option<TimeDelta>) -> Rating {
        match (correct, answer_time) {
            (false, _) => Rating::Again,
            (true, Some(t)) if t >= TimeDelta::zero() && t < FAST_ANSWER => Rating::Easy,
            (true, _) => Rating::Good,
        }
    }

    /// The stored spelling: `again`, `hard`, `good`, `easy`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Again => "again",
            Rating::Hard => "hard",
            Rating::Good => "good",
            Rating::Easy => "easy",
        }
    }

    /// `good` → Good (case and surrounding spaces ignored).
    pub fn parse(s: &str) -> Result<Rating, ReviewError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "again" => Ok(Rating::Again),
            "hard" => Ok(Rating::Hard),
            "good" => Ok(Rating::Good),
            "easy" => Ok(Rating::Easy),
            _ => Err(ReviewError::Rating(s.to_string())),
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The share of reviews a member should remember when a card comes due: higher means shorter
/// intervals and more reviews. A server setting, 0.70 to 0.97, default 0.9.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct DesiredRetention(f64);

impl DesiredRetention {
    pub const MIN: f64 = 0.70;
    pub const MAX: f64 = 0.97;
    pub const DEFAULT: DesiredRetention = DesiredRetention(0.9);

    /// `0.85` → 85%; anything outside 0.70..=0.97 (or not a number) is refused.
    pub fn new(value: f64) -> Result<DesiredRetention, ReviewError> {
        if (Self::MIN..=Self::MAX).contains(&value) {
            Ok(DesiredRetention(value))
        } else {
            Err(ReviewError::Retention(value.to_string()))
        }
    }

    /// `0.85` or `85%` → 0.85.
    pub fn parse(s: &str) -> Result<DesiredRetention, ReviewError> {
        let text = s.trim();
        let value = match text.strip_suffix('%') {
            Some(percent) => percent.trim().parse::<f64>().map(|p| p / 100.0),
            None => text.parse::<f64>(),
        };
        match value {
            Ok(v) => DesiredRetention::new(v).map_err(|_| ReviewError::Retention(text.to_string())),
            Err(_) => Err(ReviewError::Retention(format!("`{text}`"))),
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for DesiredRetention {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl FromStr for DesiredRetention {
    type Err = ReviewError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DesiredRetention::parse(s)
    }
}

/// A member's memory of one question: the FSRS memory state (stability in days, difficulty 1–10)
/// plus what the learning-step policy needs to resume (phase, step). One per (server, member,
/// question); every field maps to one column (see [`CardColumns`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CardState {
    pub phase: Phase,
    /// Days until predicted recall falls to 90% (0 while New).
    pub stability: f64,
    /// 1 (easy) to 10 (hard) (0 while New).
    pub difficulty: f64,
    pub due: DateTime<Utc>,
    /// `None` only while New.
    pub last_review: Option<DateTime<Utc>>,
    /// Answers given to this question.
    pub reps: u32,
    /// Times it was missed after it had graduated to review.
    pub lapses: u32,
    /// Index into [`LEARNING_STEPS`] or [`RELEARNING_STEPS`] while (re)learning; 0 otherwise.
    pub step: u32,
    /// Whole days to the due date when it was scheduled in review; 0 while (re)learning.
    pub scheduled_days: u32,
}

pub use crate::model::review::CardColumns;

impl CardState {
    /// A question the member has not answered yet, due now.
    pub fn new(now: DateTime<Utc>) -> CardState {
        CardState {
            phase: Phase::New,
            stability: 0.0,
            difficulty: 0.0,
            due: now,
            last_review: None,
            reps: 0,
            lapses: 0,
            step: 0,
            scheduled_days: 0,
        }
    }

    /// Whether it should be asked at `at`.
    pub fn is_due(&self, at: DateTime<Utc>) -> bool {
        self.due <= at
    }

    pub fn to_columns(&self) -> CardColumns {
        CardColumns {
            phase: self.phase.as_str().to_string(),
            stability: self.stability,
            difficulty: self.difficulty,
            due: self.due,
            last_review: self.last_review,
            reps: i64::from(self.reps),
            lapses: i64::from(self.lapses),
            step: i64::from(self.step),
            scheduled_days: i64::from(self.scheduled_days),
        }
    }

    /// Parses stored columns; a reviewed card needs a last review time, a positive finite
    /// stability and a difficulty from 1 to 10, and counts must fit in 0..=u32::MAX.
    pub fn from_columns(c: CardColumns) -> Result<CardState, ReviewError> {
        let phase = Phase::parse(&c.phase)?;
        let count = |name: &str, v: i64| {
            u32::try_from(v).map_err(|_| {
                ReviewError::InvalidState(format!(
                    "{name} must be a whole number from 0 up; got {v}"
                ))
            })
        };
        if !c.stability.is_finite() || !c.difficulty.is_finite() {
            return Err(ReviewError::InvalidState(format!(
                "stability and difficulty must be numbers; got {} and {}",
                c.stability, c.difficulty
            )));
        }
        if phase != Phase::New {
            if c.last_review.is_none() {
                return Err(ReviewError::InvalidState(format!(
                    "a card in phase {phase} must have a last review time"
                )));
            }
            if c.stability <= 0.0 {
                return Err(ReviewError::InvalidState(format!(
                    "stability must be above 0 days; got {}",
                    c.stability
                )));
            }
            if !(1.0..=10.0).contains(&c.difficulty) {
                return Err(ReviewError::InvalidState(format!(
                    "difficulty must be from 1 to 10; got {}",
                    c.difficulty
                )));
            }
        }
        Ok(CardState {
            phase,
            stability: c.stability,
            difficulty: c.difficulty,
            due: c.due,
            last_review: c.last_review,
            reps: count("reps", c.reps)?,
            lapses: count("lapses", c.lapses)?,
            step: count("step", c.step)?,
            scheduled_days: count("scheduled_days", c.scheduled_days)?,
        })
    }
}

/// FSRS scheduling at one desired retention. Cheap to clone; build one per server setting.
#[derive(Debug, Clone)]
pub struct Scheduler {
    fsrs: fsrs::FSRS,
    retention: DesiredRetention,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new(DesiredRetention::DEFAULT)
    }
}

/// What the learning-step policy decided for one answer.
enum Next {
    Step {
        phase: Phase,
        step: u32,
        delay: TimeDelta,
    },
    Graduate,
}

impl Scheduler {
    /// FSRS-6 with its default parameters (fitted on many learners' reviews).
    pub fn new(retention: DesiredRetention) -> Scheduler {
        Scheduler {
            fsrs: fsrs::FSRS::default(),
            retention,
        }
    }

    pub fn desired_retention(&self) -> DesiredRetention {
        self.retention
    }

    /// The card after an answer rated `rating` at `now`. `previous` is the stored state, or
    /// `None` for a question the member never answered (the first answer is its first review).
    /// Fails only for a state whose numbers FSRS cannot use (see [`CardState::from_columns`]).
    pub fn review(
        &self,
        previous: Option<&CardState>,
        rating: Rating,
        now: DateTime<Utc>,
    ) -> Result<CardState, ReviewError> {
        let reviewed = previous.filter(|p| p.phase != Phase::New);
        let memory = reviewed.map(|p| fsrs::MemoryState {
            stability: p.stability as f32,
            difficulty: p.difficulty as f32,
        });
        let elapsed = reviewed
            .and_then(|p| p.last_review)
            .map_or(0, |last| whole_days(now - last));
        let states = self
            .fsrs
            .next_states(memory, self.retention.get() as f32, elapsed)
            .map_err(|source| ReviewError::Fsrs {
                stability: previous.map_or(0.0, |p| p.stability),
                difficulty: previous.map_or(0.0, |p| p.difficulty),
                source,
            })?;
        let next = match rating {
            Rating::Again => states.again,
            Rating::Hard => states.hard,
            Rating::Good => states.good,
            Rating::Easy => states.easy,
        };

        let lapsed = rating == Rating::Again && reviewed.is_some_and(|p| p.phase == Phase::Review);
        let (phase, step, due, scheduled_days) = match next_step(reviewed, rating) {
            Next::Step { phase, step, delay } => (phase, step, now + delay, 0),
            Next::Graduate => {
                let days = interval_days(next.interval);
                (
                    Phase::Review,
                    0,
                    now + TimeDelta::days(i64::from(days)),
                    days,
                )
            }
        };
        Ok(CardState {
            phase,
            stability: f64::from(next.memory.stability),
            difficulty: f64::from(next.memory.difficulty),
            due,
            last_review: Some(now),
            reps: previous.map_or(0, |p| p.reps).saturating_add(1),
            lapses: previous
                .map_or(0, |p| p.lapses)
                .saturating_add(u32::from(lapsed)),
            step,
            scheduled_days,
        })
    }

    /// Predicted recall (FSRS retrievability, 0–1) of the card at `now`: 1 right after a review,
    /// the desired retention around its due date, lower after. A New card has 0 (nothing learned).
    pub fn retrievability(&self, card: &CardState, now: DateTime<Utc>) -> f64 {
        let Some(last) = card.last_review.filter(|_| card.phase != Phase::New) else {
            return 0.0;
        };
        let days = (now - last).num_seconds().max(0) as f64 / 86_400.0;
        let memory = fsrs::MemoryState {
            stability: card.stability as f32,
            difficulty: card.difficulty as f32,
        };
        // The decay of the default FSRS-6 parameters, which `new` uses.
        let r = fsrs::current_retrievability(memory, days as f32, fsrs::FSRS6_DEFAULT_DECAY);
        let r = f64::from(r);
        if r.is_finite() {
            r.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// The learning-step policy (see the module docs). `reviewed` is `None` for a first review.
fn next_step(reviewed: Option<&CardState>, rating: Rating) -> Next {
    let Some(card) = reviewed else {
        return match rating {
            Rating::Again | Rating::Hard => step_at(Phase::Learning, LEARNING_STEPS, 0),
            // A new card starts before the first step; Good moves on to the next one.
            Rating::Good => step_at(Phase::Learning, LEARNING_STEPS, 1),
            Rating::Easy => Next::Graduate,
        };
    };
    match card.phase {
        Phase::New | Phase::Learning | Phase::Relearning => {
            let (phase, steps) = if card.phase == Phase::Relearning {
                (Phase::Relearning, RELEARNING_STEPS)
            } else {
                (Phase::Learning, LEARNING_STEPS)
            };
            // A stored step beyond today's list (the list got shorter) counts as the last one.
            let current = usize::try_from(card.step)
                .unwrap_or(usize::MAX)
                .min(steps.len().saturating_sub(1));
            match rating {
                Rating::Again => step_at(phase, steps, 0),
                Rating::Hard => step_at(phase, steps, current),
                Rating::Good => step_at(phase, steps, current + 1),
                Rating::Easy => Next::Graduate,
            }
        }
        Phase::Review => match rating {
            Rating::Again => step_at(Phase::Relearning, RELEARNING_STEPS, 0),
            Rating::Hard | Rating::Good | Rating::Easy => Next::Graduate,
        },
    }
}

fn step_at(phase: Phase, steps: &[TimeDelta], index: usize) -> Next {
    match (steps.get(index), u32::try_from(index)) {
        (Some(&delay), Ok(step)) => Next::Step { phase, step, delay },
        _ => Next::Graduate,
    }
}

/// Whole 24-hour periods in `elapsed` (0 if negative, as after clock skew).
fn whole_days(elapsed: TimeDelta) -> u32 {
    u32::try_from(elapsed.num_days().max(0)).unwrap_or(u32::MAX)
}

/// An FSRS interval in days → whole days, 1..=MAX_INTERVAL_DAYS.
fn interval_days(interval: f32) -> u32 {
    let days = f64::from(interval).round();
    if days.is_finite() {
        days.clamp(1.0, f64::from(MAX_INTERVAL_DAYS)) as u32
    } else {
        1
    }
}

/// One topic's standing for a member: mean predicted recall over the cards they have in it
/// (`None` with no cards: nothing is remembered yet, so it counts as 0 when ordering), how many
/// cards that is, and how many of its questions they have seen.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicRecall {
    pub topic: String,
    pub mean_recall: Option<f64>,
    pub cards: u32,
    pub seen: u32,
}

/// Topics from weakest to strongest: lowest mean predicted recall first (a topic with no cards
/// counts as 0), then fewest seen, then by name. `cards` is one `(topic, retrievability)` per card
/// (a recall that is not a number counts as 0); `seen` is questions seen per topic (a topic
/// missing from it has seen 0, repeats add up). Every topic of either list is in the result; pass
/// every topic of the bank in `seen` (with 0s) to have untouched topics ranked too.
pub fn weakest_topics<T: AsRef<str>, U: AsRef<str>>(
    cards: &[(T, f64)],
    seen: &[(U, u32)],
) -> Vec<TopicRecall> {
    #[derive(Default)]
    struct Tally {
        recall_sum: f64,
        cards: u32,
        seen: u32,
    }
    let mut topics: BTreeMap<&str, Tally> = BTreeMap::new();
    for (topic, recall) in cards {
        let tally = topics.entry(topic.as_ref()).or_default();
        tally.recall_sum += if recall.is_finite() {
            recall.clamp(0.0, 1.0)
        } else {
            0.0
        };
        tally.cards = tally.cards.saturating_add(1);
    }
    for (topic, count) in seen {
        let tally = topics.entry(topic.as_ref()).or_default();
        tally.seen = tally.seen.saturating_add(*count);
    }
    let mut ranked: Vec<TopicRecall> = topics
        .into_iter()
        .map(|(topic, t)| TopicRecall {
            topic: topic.to_string(),
            mean_recall: (t.cards > 0).then(|| t.recall_sum / f64::from(t.cards)),
            cards: t.cards,
            seen: t.seen,
        })
        .collect();
    ranked.sort_by(|a, b| {
        let (ra, rb) = (a.mean_recall.unwrap_or(0.0), b.mean_recall.unwrap_or(0.0));
        ra.total_cmp(&rb)
            .then(a.seen.cmp(&b.seen))
            .then_with(|| a.topic.cmp(&b.topic))
    });
    ranked
}

/// At most `limit` new questions to add, taken from the weakest topics first: `candidates` are
/// `(question id, topic)` the member has not seen, `topic_order` is weakest first (as from
/// [`weakest_topics`]); topics missing from it come after, by name. Within a topic the order is
/// random from `rng`, so a seeded generator gives the same choice whatever order the store
/// returned the candidates in. A question listed under two topics is chosen once.
pub fn choose_new<Q, T, U>(
    candidates: &[(Q, T)],
    topic_order: &[U],
    limit: usize,
    rng: &mut impl Rng,
) -> Vec<Q>
where
    Q: Clone + Ord,
    T: AsRef<str>,
    U: AsRef<str>,
{
    let mut pools: BTreeMap<&str, Vec<&Q>> = BTreeMap::new();
    for (id, topic) in candidates {
        pools.entry(topic.as_ref()).or_default().push(id);
    }
    let mut order: Vec<&str> = Vec::with_capacity(pools.len());
    let mut listed: BTreeSet<&str> = BTreeSet::new();
    for topic in topic_order {
        let topic = topic.as_ref();
        if pools.contains_key(topic) && listed.insert(topic) {
            order.push(topic);
        }
    }
    order.extend(pools.keys().copied().filter(|t| !listed.contains(t)));

    let mut chosen: BTreeSet<&Q> = BTreeSet::new();
    let mut picked = Vec::with_capacity(limit.min(candidates.len()));
    for topic in order {
        if picked.len() >= limit {
            break;
        }
        let Some(pool) = pools.get_mut(topic) else {
            continue;
        };
        pool.sort();
        pool.dedup();
        pool.shuffle(rng);
        for &id in pool.iter() {
            if picked.len() >= limit {
                break;
            }
            if chosen.insert(id) {
                picked.push(id.clone());
            }
        }
    }
    picked
}

/// A member's review streak in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    /// Consecutive days up to today, or up to yesterday while today is still open; 0 if broken.
    pub current: u32,
    /// The longest run ever, the current one included.
    pub best: u32,
}

/// Streak of consecutive local dates on which the member reviewed or answered. `days` should be
/// the distinct dates in order (they are sorted and deduplicated again here); dates after `today`
/// are ignored.
pub fn review_streak(days: &[NaiveDate], today: NaiveDate) -> Streak {
    let mut days: Vec<NaiveDate> = days.iter().copied().filter(|d| *d <= today).collect();
    days.sort_unstable();
    days.dedup();
    let mut best = 0u32;
    let mut run = 0u32;
    let mut last: Option<NaiveDate> = None;
    for day in days {
        run = match last {
            Some(prev) if prev.succ_opt() == Some(day) => run.saturating_add(1),
            _ => 1,
        };
        best = best.max(run);
        last = Some(day);
    }
    let alive = last.is_some_and(|d| d == today || d.succ_opt() == Some(today));
    Streak {
        current: if alive { run } else { 0 },
        best,
    }
}
