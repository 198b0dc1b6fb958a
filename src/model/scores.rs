//! Purpose: the plain data of scores that the store reads and writes and the domain
//! computes with: periods and their keys, scopes, answers to record and their outcome,
//! leaderboard rows, group standings, per-topic stats and daily results. No rules beyond
//! what a period key is; no SQL, no Discord.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::ids::{ChannelId, PostId, RoleId, UserId};

/// A leaderboard period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// From Monday 00:00 in the server's zone.
    Week,
    /// From the 1st 00:00 in the server's zone.
    Month,
    AllTime,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Week, Period::Month, Period::AllTime];

    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            "all" | "all-time" | "alltime" => Some(Period::AllTime),
            _ => None,
        }
    }

    /// The key of the period that contains `at` in zone `tz`: `w2026-11-16` (that week's
    /// Monday), `m2026-11`, or `all`.
    pub fn key(self, at: DateTime<Utc>, tz: Tz) -> String {
        let local = at.with_timezone(&tz).date_naive();
        match self {
            Period::Week => {
                let monday =
                    local - Duration::days(i64::from(local.weekday().num_days_from_monday()));
                format!("w{}", monday.format("%Y-%m-%d"))
            }
            Period::Month => format!("m{}", local.format("%Y-%m")),
            Period::AllTime => "all".to_string(),
        }
    }
}

/// The week and month an answer counts in (all time needs no key), in the server's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodKeys {
    pub week: String,
    pub month: String,
}

impl PeriodKeys {
    pub fn at(at: DateTime<Utc>, tz: Tz) -> PeriodKeys {
        PeriodKeys {
            week: Period::Week.key(at, tz),
            month: Period::Month.key(at, tz),
        }
    }
}

/// Whose answers a leaderboard ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Server,
    Channel(ChannelId),
    /// Only members holding this role (a study group).
    Group(RoleId),
}

/// An answer to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    pub post: PostId,
    pub user: UserId,
    /// The letters picked, `B` or `A,C`.
    pub choice: String,
    pub correct: bool,
    pub points: i64,
    pub at: DateTime<Utc>,
}

/// What happened to an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    Recorded {
        correct: bool,
    },
    /// The first answer counts; this is it.
    AlreadyAnswered {
        choice: String,
        correct: bool,
    },
    Closed,
    /// No such post in this server.
    UnknownPost,
}

/// One line of a leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// 1-based.
    pub rank: u64,
    pub user: UserId,
    pub points: i64,
    pub answered: i64,
    pub correct: i64,
}

impl Standing {
    pub fn accuracy(&self) -> f64 {
        if self.answered == 0 {
            0.0
        } else {
            self.correct as f64 / self.answered as f64
        }
    }
}

/// A page of a leaderboard, with the caller's own line even when it is off the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaderboard {
    pub rows: Vec<Standing>,
    /// How many members are ranked.
    pub total: u64,
    pub me: Option<Standing>,
}

/// A study group (role) in the group standings.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupStanding {
    pub rank: u64,
    pub role: RoleId,
    pub members: i64,
    pub average_points: f64,
    pub total_points: i64,
}

/// Answers and accuracy in one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicStat {
    pub topic: String,
    pub answered: i64,
    pub correct: i64,
}

/// A member's record in one server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    pub answered: i64,
    pub correct: i64,
    pub points: i64,
    pub by_topic: Vec<TopicStat>,
    pub current_streak: u32,
    pub best_streak: u32,
}

/// A daily question of a channel as the streak sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyResult {
    pub local_date: NaiveDate,
    /// Still open: not answering it yet does not break a streak.
    pub open: bool,
    /// `None`: not answered.
    pub correct: Option<bool>,
}

/// Whose points: one member, or every member holding a role (a study group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointsOf {
    Member(UserId),
    Group(RoleId),
}
