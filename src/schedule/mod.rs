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
};

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::ids::{ChannelId, GuildId, RoleId};
use crate::quiz::Question;

/// A mistake in what an admin asked for, in words they can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("{0:?} is not a time of day; write it as HH:MM, for example 09:30")]
    Time(String),
    #[error("{0:?} is not a time zone; use an IANA name such as Europe/Berlin or America/New_York")]
    Zone(String),
    #[error("{0:?} is not a list of days; write for example mon,wed,fri or weekdays or every day")]
    Days(String),
}

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

/// Days of the week a schedule posts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekdays(u8);

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Weekdays {
    pub const EVERY_DAY: Weekdays = Weekdays(0x7f);

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// `mon,wed,fri`, `weekdays`, `weekends`, `every day`, `daily`.
    pub fn parse(s: &str) -> Result<Weekdays, ScheduleError> {
        let t = s.trim().to_lowercase();
        match t.as_str() {
            "" | "every day" | "everyday" | "daily" | "all" => return Ok(Weekdays::EVERY_DAY),
            "weekdays" => return Ok(Weekdays(0x1f)),
            "weekends" => return Ok(Weekdays(0x60)),
            _ => {}
        }
        let mut bits = 0u8;
        for part in t.split([',', ' ']).filter(|p| !p.is_empty()) {
            let key: String = part.chars().take(3).collect();
            let i = DAY_NAMES
                .iter()
                .position(|d| *d == key)
                .ok_or_else(|| ScheduleError::Days(s.to_string()))?;
            bits |= 1 << i;
        }
        if bits == 0 {
            Err(ScheduleError::Days(s.to_string()))
        } else {
            Ok(Weekdays(bits))
        }
    }
}

impl std::fmt::Display for Weekdays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days: Vec<&str> = DAY_NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, d)| *d)
            .collect();
        write!(f, "{}", days.join(","))
    }
}

/// A channel's daily question.
#[derive(Debug, Clone, PartialEq)]
pub struct DailySchedule {
    pub guild: GuildId,
    pub channel: ChannelId,
    pub local_time: NaiveTime,
    pub zone: Tz,
    pub days: Weekdays,
    /// Only these topics; empty: all.
    pub topics: Vec<String>,
    /// Only questions for these exams; empty: all.
    pub exams: Vec<String>,
    /// How long answers are taken; `None`: until the next post, at most 24 h.
    pub window: Option<Duration>,
    pub mention: Option<RoleId>,
    /// Makes this channel's question order reproducible.
    pub seed: u64,
    pub enabled: bool,
    /// Why posting stopped (a missing permission, say), shown to the admin.
    pub paused_reason: Option<String>,
    /// The next slot to post and when to try it.
    pub next: Option<(NaiveDate, DateTime<Utc>)>,
}

impl DailySchedule {
    /// A schedule with defaults: every day, all topics, window until the next post.
    pub fn new(
        guild: GuildId,
        channel: ChannelId,
        local_time: NaiveTime,
        zone: Tz,
        seed: u64,
    ) -> DailySchedule {
        DailySchedule {
            guild,
            channel,
            local_time,
            zone,
            days: Weekdays::EVERY_DAY,
            topics: Vec::new(),
            exams: Vec::new(),
            window: None,
            mention: None,
            seed,
            enabled: true,
            paused_reason: None,
            next: None,
        }
    }

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
