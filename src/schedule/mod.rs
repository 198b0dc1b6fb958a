//! Purpose: daily questions. A [`DailySchedule`] per channel (local time, IANA zone, days, topic
//! and exam filters, answer window, role to mention); pure functions for when slots fall
//! ([`next_slot`], DST rules in [`local_instant`]) and which question comes next
//! ([`pick_question`]); and the [`Scheduler`] whose `tick(now)` claims due slots in the store,
//! posts through a [`Poster`], and closes and reveals questions whose window ended.
//!
//! Knows nothing of Discord (the bot implements `Poster`); never sleeps in `tick`.

mod scheduler;

pub use scheduler::{
    PostError, PostRequest, Poster, Reveal, Scheduler, SchedulerConfig, TickReport,
    WITHHOLD_AFTER_REPORTERS,
};

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

pub use crate::model::schedule::{DailySchedule, ScheduleError, Weekdays};

use crate::ids::ChannelId;
use crate::quiz::Question;

/// `09:30` → 09:30.
pub fn parse_local_time(s: &str) -> Result<NaiveTime, ScheduleError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| ScheduleError::Time(s.to_string()))
}

/// `Europe/Berlin` → the zone.
pub fn parse_zone(s: &str) -> Result<Tz, ScheduleError> {
    s.trim()
        .parse::<Tz>()
        .map_err(|_| ScheduleError::Zone(s.to_string()))
}

impl DailySchedule {
    /// Whether a question may be posted by this schedule.
    pub fn accepts(&self, q: &Question) -> bool {
        (self.topics.is_empty() || self.topics.contains(&q.topic))
            && (self.exams.is_empty() || q.exams.iter().any(|e| self.exams.contains(e)))
    }
}

/// The instant of `time` on `date` in `zone`. A time skipped by a spring-forward change posts at
/// the first valid instant after it (02:30 on a day that jumps from 02:00 to 03:00 → 03:00); a
/// time that happens twice (fall back) posts at its first occurrence.
pub fn local_instant(date: NaiveDate, time: NaiveTime, zone: Tz) -> DateTime<Utc> {
    let mut local = date.and_time(time);
    // Gaps are at most a few hours; step a minute at a time to the first valid instant.
    for _ in 0..(4 * 60) {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => local += Duration::minutes(1),
        }
    }
    Utc.from_utc_datetime(&date.and_time(time))
}

/// A daily slot: the channel's local date and the instant it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub local_date: NaiveDate,
    pub due_at: DateTime<Utc>,
}

/// The first slot of `schedule` due strictly after `after`.
pub fn next_slot(schedule: &DailySchedule, after: DateTime<Utc>) -> Option<Slot> {
    let start = after.with_timezone(&schedule.zone).date_naive() - Duration::days(1);
    (0..=8)
        .map(|d| start + Duration::days(d))
        .filter(|date| schedule.days.contains(date.weekday()))
        .map(|date| Slot {
            local_date: date,
            due_at: local_instant(date, schedule.local_time, schedule.zone),
        })
        .find(|slot| slot.due_at > after)
}

/// The slot of `schedule` on `date` (whether or not the day is one it posts on).
pub fn slot_on(schedule: &DailySchedule, date: NaiveDate) -> Slot {
    Slot {
        local_date: date,
        due_at: local_instant(date, schedule.local_time, schedule.zone),
    }
}

/// The next question for a channel: none repeated until every question of the pool was asked
/// (then a new cycle), in an order fixed by the channel's seed, never yesterday's question.
/// `history` holds the ids the channel was given, oldest first.
pub fn pick_question<'a>(
    pool: &[&'a Question],
    history: &[String],
    seed: u64,
) -> Option<&'a Question> {
    if pool.is_empty() {
        return None;
    }
    let ids: std::collections::HashSet<&str> = pool.iter().map(|q| q.id.as_str()).collect();
    // Replay the history to find what this cycle already used.
    let mut used: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut cycle = 0u64;
    for id in history {
        if ids.contains(id.as_str()) {
            used.insert(id.as_str());
            if used.len() == ids.len() {
                used.clear();
                cycle += 1;
            }
        }
    }
    let mut fresh: Vec<&'a Question> = pool
        .iter()
        .copied()
        .filter(|q| !used.contains(q.id.as_str()))
        .collect();
    fresh.sort_by(|a, b| a.id.cmp(&b.id));
    let mut rng = StdRng::seed_from_u64(seed ^ cycle.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    fresh.shuffle(&mut rng);
    let yesterday = history.last().map(String::as_str);
    fresh
        .iter()
        .copied()
        .find(|q| Some(q.id.as_str()) != yesterday)
        .or_else(|| fresh.first().copied())
}

/// A nonce for the Discord message of a slot: the same for every attempt at the slot, so a
/// retry after a crash returns the message already sent instead of a second one. At most 25
/// characters, as Discord allows.
pub fn slot_nonce(channel: ChannelId, date: NaiveDate) -> String {
    // FNV-1a: stable across processes and versions (unlike std's hasher).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{}:{}", channel.0, date).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("d{h:016x}")
}

#[cfg(test)]
mod tests;
