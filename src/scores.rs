//! Purpose: what scores mean, independent of any database: periods (week from Monday in the
//! server's time zone, month, all time) and their keys, leaderboard scopes and rows, personal
//! stats and streaks, and the outcome of recording an answer. Pure functions; time is passed in.

pub use crate::model::scores::*;

use crate::quiz::Difficulty;

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
    use chrono::{DateTime, NaiveDate, Utc};

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
