//! Purpose: what scores mean, independent of any database: periods (week from Monday in the
//! server's time zone, month, all time) and their keys, leaderboard scopes and rows, personal
//! stats and streaks, and the outcome of recording an answer. Pure functions; time is passed in.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::ids::{ChannelId, PostId, RoleId, UserId};
use crate::quiz::Difficulty;

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

/// The points rule in words, for `/help` and the README.
pub const POINTS_RULE: &str = "a right answer to a daily question earns 1 point (easy), 2 (medium) or 3 (hard); a wrong one earns none, and only your first answer counts.";

/// Points for a correct answer by difficulty; a wrong answer earns none.
pub fn points_for(difficulty: Difficulty) -> i64 {
    match difficulty {
        Difficulty::Easy => 1,
        Difficulty::Medium => 2,
        Difficulty::Hard => 3,
    }
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

/// Current and best streak of consecutive daily questions answered correctly, from a channel's
/// daily questions in date order. A wrong or missed closed question ends a streak; the open
/// question counts only once answered correctly.
pub fn streaks(days: &[DailyResult]) -> (u32, u32) {
    let mut best = 0u32;
    let mut run = 0u32;
    for d in days {
        match (d.correct, d.open) {
            (Some(true), _) => {
                run += 1;
                best = best.max(run);
            }
            (None, true) => {}
            _ => run = 0,
        }
    }
    (run, best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn weeks_start_on_monday_in_the_servers_zone() {
        // Sunday 2026-11-22 23:30 UTC is already Monday 00:30 in Berlin.
        let at = utc(2026, 11, 22, 23, 30);
        assert_eq!(Period::Week.key(at, chrono_tz::UTC), "w2026-11-16");
        assert_eq!(
            Period::Week.key(at, chrono_tz::Europe::Berlin),
            "w2026-11-23"
        );
        // And Monday 03:00 UTC is still Sunday evening in Los Angeles.
        let at = utc(2026, 11, 23, 3, 0);
        assert_eq!(
            Period::Week.key(at, chrono_tz::America::Los_Angeles),
            "w2026-11-16"
        );
    }

    #[test]
    fn months_follow_the_servers_calendar() {
        let at = utc(2026, 11, 30, 23, 30);
        assert_eq!(Period::Month.key(at, chrono_tz::UTC), "m2026-11");
        assert_eq!(Period::Month.key(at, chrono_tz::Asia::Tokyo), "m2026-12");
        assert_eq!(Period::AllTime.key(at, chrono_tz::Asia::Tokyo), "all");
    }

    fn day(d: u32, open: bool, correct: Option<bool>) -> DailyResult {
        DailyResult {
            local_date: NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
            open,
            correct,
        }
    }

    #[test]
    fn streaks_count_consecutive_correct_daily_answers() {
        let days = [
            day(1, false, Some(true)),
            day(2, false, Some(true)),
            day(3, false, Some(true)),
            day(4, false, None),
            day(5, false, Some(true)),
            day(6, false, Some(true)),
        ];
        assert_eq!(streaks(&days), (2, 3));
    }

    #[test]
    fn an_open_unanswered_question_does_not_break_the_streak_but_a_wrong_answer_does() {
        assert_eq!(
            streaks(&[day(1, false, Some(true)), day(2, true, None)]),
            (1, 1)
        );
        assert_eq!(
            streaks(&[day(1, false, Some(true)), day(2, true, Some(false))]),
            (0, 1)
        );
        assert_eq!(streaks(&[]), (0, 0));
    }
}
