use super::*;
use crate::ids::GuildId;
use crate::quiz::{Answer, Difficulty, SourceRef};
use chrono::TimeZone;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

#[test]
fn a_time_skipped_by_spring_forward_posts_at_the_first_valid_instant_after_it() {
    // Berlin jumps from 02:00 to 03:00 CEST on 2026-03-29: 02:30 → 03:00 CEST = 01:00 UTC.
    assert_eq!(
        local_instant(date(2026, 3, 29), at(2, 30), chrono_tz::Europe::Berlin),
        utc(2026, 3, 29, 1, 0)
    );
    // New York jumps from 02:00 to 03:00 EDT on 2026-03-08.
    assert_eq!(
        local_instant(date(2026, 3, 8), at(2, 30), chrono_tz::America::New_York),
        utc(2026, 3, 8, 7, 0)
    );
    // Lord Howe moves 30 minutes, 02:00 → 02:30, on 2026-10-04: 02:15 → 02:30 (+11:00).
    assert_eq!(
        local_instant(
            date(2026, 10, 4),
            at(2, 15),
            chrono_tz::Australia::Lord_Howe
        ),
        utc(2026, 10, 3, 15, 30)
    );
}

#[test]
fn an_ambiguous_time_posts_once_at_its_first_occurrence() {
    // Berlin repeats 02:00-03:00 on 2026-10-25: the first 02:30 is CEST (+02:00).
    assert_eq!(
        local_instant(date(2026, 10, 25), at(2, 30), chrono_tz::Europe::Berlin),
        utc(2026, 10, 25, 0, 30)
    );
    // Lord Howe repeats 01:30-02:00 on 2026-04-05: the first 01:45 is +11:00.
    assert_eq!(
        local_instant(date(2026, 4, 5), at(1, 45), chrono_tz::Australia::Lord_Howe),
        utc(2026, 4, 4, 14, 45)
    );
}

#[test]
fn next_slot_follows_local_dates_and_days_of_the_week() {
    let mut s = DailySchedule::new(
        GuildId(1),
        ChannelId(2),
        at(9, 0),
        chrono_tz::Asia::Kolkata,
        7,
    );
    // 09:00 IST = 03:30 UTC.
    let slot = next_slot(&s, utc(2026, 11, 20, 3, 29)).unwrap();
    assert_eq!(
        (slot.local_date, slot.due_at),
        (date(2026, 11, 20), utc(2026, 11, 20, 3, 30))
    );
    let slot = next_slot(&s, utc(2026, 11, 20, 3, 30)).unwrap();
    assert_eq!(slot.local_date, date(2026, 11, 21), "strictly after");
    s.days = Weekdays::parse("mon,wed").unwrap();
    // 2026-11-20 is a Friday: next is Monday the 23rd.
    assert_eq!(
        next_slot(&s, utc(2026, 11, 20, 12, 0)).unwrap().local_date,
        date(2026, 11, 23)
    );
}

#[test]
fn admin_input_is_parsed_or_explained() {
    assert_eq!(parse_local_time("09:30").unwrap(), at(9, 30));
    assert!(
        parse_local_time("9.30am")
            .unwrap_err()
            .to_string()
            .contains("HH:MM")
    );
    assert!(
        parse_zone("Mars/Olympus")
            .unwrap_err()
            .to_string()
            .contains("IANA")
    );
    assert_eq!(
        parse_zone("Europe/Berlin").unwrap(),
        chrono_tz::Europe::Berlin
    );
    assert_eq!(
        Weekdays::parse("weekdays").unwrap().to_string(),
        "mon,tue,wed,thu,fri"
    );
    assert_eq!(
        Weekdays::parse("Monday, Friday").unwrap().to_string(),
        "mon,fri"
    );
    assert!(Weekdays::parse("someday").is_err());
}

fn question(id: &str) -> Question {
    Question {
        id: id.into(),
        topic: "sqs".into(),
        exams: vec!["DVA-C02".into()],
        domains: Default::default(),
        difficulty: Difficulty::Easy,
        prompt: "p".into(),
        choices: vec!["a".into(), "b".into(), "c".into()],
        answer: Answer::Single(0),
        explanation: "e".into(),
        source: SourceRef {
            file: "sqs.md".into(),
            anchor: "sqs".into(),
        },
        file: "q.toml".into(),
        line: 1,
    }
}

#[test]
fn no_question_repeats_until_the_pool_is_used_up_then_a_new_cycle_starts() {
    let qs: Vec<Question> = (1..=5).map(|i| question(&format!("sqs-00{i}"))).collect();
    let pool: Vec<&Question> = qs.iter().collect();
    let mut history: Vec<String> = Vec::new();
    for _ in 0..5 {
        let q = pick_question(&pool, &history, 42).unwrap();
        assert!(!history.contains(&q.id), "{} repeated within a cycle", q.id);
        history.push(q.id.clone());
    }
    // A new cycle: any question may come back, but never yesterday's.
    for _ in 0..20 {
        let q = pick_question(&pool, &history, 42).unwrap();
        assert_ne!(Some(&q.id), history.last());
        history.push(q.id.clone());
    }
    // Each cycle of five holds all five.
    for cycle in history.chunks(5) {
        let mut c = cycle.to_vec();
        c.sort();
        c.dedup();
        assert_eq!(c.len(), 5, "{cycle:?}");
    }
}

#[test]
fn the_order_is_reproducible_from_the_seed_and_differs_between_seeds() {
    let qs: Vec<Question> = (1..=8).map(|i| question(&format!("sqs-00{i}"))).collect();
    let pool: Vec<&Question> = qs.iter().collect();
    let run = |seed| {
        let mut h: Vec<String> = Vec::new();
        for _ in 0..8 {
            h.push(pick_question(&pool, &h, seed).unwrap().id.clone());
        }
        h
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
    assert!(pick_question(&[], &[], 1).is_none());
}

#[test]
fn nonces_are_per_slot_stable_and_short() {
    let a = slot_nonce(ChannelId(123), date(2026, 11, 22));
    assert_eq!(a, slot_nonce(ChannelId(123), date(2026, 11, 22)));
    assert_ne!(a, slot_nonce(ChannelId(123), date(2026, 11, 23)));
    assert_ne!(a, slot_nonce(ChannelId(124), date(2026, 11, 22)));
    assert!(a.len() <= 25);
}
