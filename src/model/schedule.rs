//! Purpose: the plain data of a channel's daily question as the store keeps it: the
//! schedule (local time, IANA zone, days, filters, window), the days of the week, and the
//! mistakes an admin can make writing them. When slots fall and which question comes next
//! are the schedule module's; no SQL, no Discord.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::ids::{ChannelId, GuildId, RoleId};

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
}
