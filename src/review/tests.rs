//! Review domain tests: a fixed clock, a member who studies every morning, 60 simulated days.

use super::*;
use chrono::TimeZone;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Monday 5 January 2026, 09:00 UTC: the first morning of every simulation.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn retention(v: f64) -> DesiredRetention {
    DesiredRetention::new(v).unwrap()
}

/// When a member who studies every morning from 09:00 to 09:30 answers a card due at `due`:
/// at once inside the session, else at the next session.
fn next_session(due: DateTime<Utc>) -> DateTime<Utc> {
    let session = due.date_naive().and_hms_opt(9, 0, 0).unwrap().and_utc();
    if due < session {
        session
    } else if due < session + TimeDelta::minutes(30) {
        due
    } else {
        session + TimeDelta::days(1)
    }
}

/// One answer in a simulation: when, the rating, and the card after it.
#[derive(Debug)]
struct Answered {
    at: DateTime<Utc>,
    rating: Rating,
    card: CardState,
}

impl Answered {
    /// Time until the card is asked again.
    fn interval(&self) -> TimeDelta {
        self.card.due - self.at
    }
}

/// A member answers one question every time it is due for `days` days, the first time on the
/// first morning; `rate(n)` is the rating of the n-th answer (0-based).
fn simulate(
    scheduler: &Scheduler,
    days: i64,
    mut rate: impl FnMut(usize) -> Rating,
) -> Vec<Answered> {
    let end = start() + TimeDelta::days(days);
    let mut answers: Vec<Answered> = Vec::new();
    let mut at = start();
    while at < end {
        let rating = rate(answers.len());
        let previous = answers.last().map(|a| &a.card);
        let card = scheduler.review(previous, rating, at).unwrap();
        let next = next_session(card.due);
        answers.push(Answered { at, rating, card });
        at = next;
    }
    answers
}

fn at_of(card: &CardState) -> DateTime<Utc> {
    card.last_review.unwrap()
}

fn intervals_in_days(answers: &[Answered]) -> Vec<f64> {
    answers
        .iter()
        .map(|a| a.interval().num_minutes() as f64 / 1440.0)
        .collect()
}

#[test]
fn a_member_who_always_misses_sees_the_question_again_within_a_day_every_time() {
    let answers = simulate(&Scheduler::default(), 60, |_| Rating::Again);

    for a in &answers {
        assert!(
            a.interval() <= TimeDelta::days(1),
            "missed at {} but next due {}",
            a.at,
            a.card.due
        );
        assert_eq!(a.card.phase, Phase::Learning);
    }
    let days: BTreeSet<NaiveDate> = answers.iter().map(|a| a.at.date_naive()).collect();
    assert_eq!(days.len(), 60, "asked on every one of the 60 days");
    let last = &answers.last().unwrap().card;
    assert_eq!(last.reps as usize, answers.len());
    assert_eq!(last.lapses, 0, "never learned, so never lapsed");
}

#[test]
fn a_member_who_always_answers_right_sees_intervals_grow() {
    let answers = simulate(&Scheduler::default(), 60, |_| Rating::Good);
    let intervals = intervals_in_days(&answers);

    assert!(answers.iter().all(|a| a.card.phase == Phase::Review));
    assert!(intervals.len() >= 3, "reviewed a few times: {intervals:?}");
    for pair in intervals.windows(2) {
        assert!(pair[1] >= pair[0], "intervals never shrink: {intervals:?}");
    }
    let (first, last) = (intervals[0], intervals[intervals.len() - 1]);
    assert!(first <= 3.0, "first interval is short: {intervals:?}");
    assert!(
        last >= 5.0 * first,
        "last interval is much longer: {intervals:?}"
    );
    assert!(answers.iter().all(|a| a.card.lapses == 0));
}

#[test]
fn a_member_who_misses_after_a_long_streak_drops_back() {
    let scheduler = Scheduler::default();
    let streak = simulate(&scheduler, 30, |_| Rating::Good).len();
    let answers = simulate(&scheduler, 60, |n| {
        if n == streak {
            Rating::Again
        } else {
            Rating::Good
        }
    });

    let before = &answers[streak - 1];
    let missed = &answers[streak];
    let relearned = &answers[streak + 1];
    assert!(
        before.interval() >= TimeDelta::days(10),
        "a long streak: {before:?}"
    );
    assert_eq!(missed.rating, Rating::Again);
    assert!(
        missed.interval() <= TimeDelta::days(1),
        "asked again soon: {missed:?}"
    );
    assert_eq!(missed.card.phase, Phase::Relearning);
    assert_eq!(missed.card.lapses, 1);
    assert!(missed.card.stability < before.card.stability);
    assert_eq!(relearned.card.phase, Phase::Review);
    assert!(
        relearned.interval() < before.interval(),
        "after relearning the interval starts over shorter: {} < {}",
        relearned.interval(),
        before.interval()
    );
    assert_eq!(answers.last().unwrap().card.lapses, 1);
}

#[test]
fn the_first_answer_is_the_first_review() {
    let scheduler = Scheduler::default();
    let now = start();

    let right = scheduler.review(None, Rating::Good, now).unwrap();
    assert_eq!(right.phase, Phase::Review);
    assert_eq!((right.reps, right.lapses, right.step), (1, 0, 0));
    assert_eq!(right.last_review, Some(now));
    assert!(right.scheduled_days >= 1);
    assert_eq!(
        right.due,
        now + TimeDelta::days(i64::from(right.scheduled_days))
    );

    let wrong = scheduler.review(None, Rating::Again, now).unwrap();
    assert_eq!(wrong.phase, Phase::Learning);
    assert_eq!(wrong.due, now + LEARNING_STEPS[0]);
    assert_eq!((wrong.reps, wrong.lapses, wrong.scheduled_days), (1, 0, 0));

    let from_new = scheduler
        .review(Some(&CardState::new(now)), Rating::Good, now)
        .unwrap();
    assert_eq!(from_new, right, "a New card is the same as no state");
}

#[test]
fn a_fast_right_answer_schedules_further_than_a_slow_one() {
    let scheduler = Scheduler::default();
    let fast = Rating::from_answer(true, Some(TimeDelta::seconds(3)));
    let slow = Rating::from_answer(true, Some(TimeDelta::seconds(40)));
    let easy = scheduler.review(None, fast, start()).unwrap();
    let good = scheduler.review(None, slow, start()).unwrap();
    assert!(easy.due > good.due, "{easy:?} vs {good:?}");
}

#[test]
fn answers_map_to_ratings_wrong_again_right_good_fast_right_easy() {
    let secs = |s| Some(TimeDelta::seconds(s));
    assert_eq!(Rating::from_answer(false, None), Rating::Again);
    assert_eq!(Rating::from_answer(false, secs(2)), Rating::Again);
    assert_eq!(Rating::from_answer(true, None), Rating::Good);
    assert_eq!(Rating::from_answer(true, secs(7)), Rating::Easy);
    assert_eq!(
        Rating::from_answer(true, Some(TimeDelta::zero())),
        Rating::Easy
    );
    assert_eq!(
        Rating::from_answer(true, secs(8)),
        Rating::Good,
        "under 8 s, not 8 s"
    );
    assert_eq!(Rating::from_answer(true, secs(600)), Rating::Good);
    assert_eq!(
        Rating::from_answer(true, secs(-5)),
        Rating::Good,
        "clock skew is not fast"
    );
}

#[test]
fn higher_desired_retention_gives_shorter_intervals() {
    // The same card, answered right at the same moment, under three retentions.
    let card = simulate(&Scheduler::default(), 20, |_| Rating::Good)
        .pop()
        .unwrap()
        .card;
    let at = card.due;
    let due_at = |r: f64| {
        Scheduler::new(retention(r))
            .review(Some(&card), Rating::Good, at)
            .unwrap()
            .due
    };
    assert!(due_at(0.95) < due_at(0.9), "0.95 sooner than 0.9");
    assert!(due_at(0.9) < due_at(0.8), "0.9 sooner than 0.8");

    // Over 60 days the higher target costs more reviews.
    let reviews = |r: f64| simulate(&Scheduler::new(retention(r)), 60, |_| Rating::Good).len();
    assert!(
        reviews(0.95) > reviews(0.8),
        "{} vs {}",
        reviews(0.95),
        reviews(0.8)
    );
}

#[test]
fn predicted_recall_is_about_the_desired_retention_at_the_due_date() {
    for r in [0.8, 0.9, 0.95] {
        let scheduler = Scheduler::new(retention(r));
        let answers = simulate(&scheduler, 120, |_| Rating::Good);
        for a in answers.iter().filter(|a| a.card.scheduled_days >= 10) {
            let at_due = scheduler.retrievability(&a.card, a.card.due);
            assert!(
                (at_due - r).abs() < 0.01,
                "retention {r}: recall {at_due} at due, {a:?}"
            );
        }
        let card = &answers.last().unwrap().card;
        let just_after = scheduler.retrievability(card, at_of(card));
        let halfway = scheduler.retrievability(card, at_of(card) + (card.due - at_of(card)) / 2);
        let long_after = scheduler.retrievability(card, card.due + TimeDelta::days(365));
        assert!((just_after - 1.0).abs() < 1e-6);
        assert!(just_after > halfway && halfway > r && r > long_after);
    }
    assert_eq!(
        Scheduler::default().retrievability(&CardState::new(start()), start()),
        0.0
    );
}

#[test]
fn card_state_survives_a_round_trip_through_plain_columns() {
    let scheduler = Scheduler::default();
    let streak = simulate(&scheduler, 30, |_| Rating::Good).len();
    let answers = simulate(&scheduler, 60, |n| match n {
        0 => Rating::Again,
        n if n == streak => Rating::Again,
        _ => Rating::Good,
    });
    let mut phases = BTreeSet::new();
    for card in std::iter::once(CardState::new(start())).chain(answers.into_iter().map(|a| a.card))
    {
        phases.insert(card.phase.as_str());
        let stored = card.to_columns();
        let restored = CardState::from_columns(stored.clone()).unwrap();
        assert_eq!(restored, card);
        assert_eq!(restored.to_columns(), stored);
        for rating in [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy] {
            for later in [
                TimeDelta::minutes(5),
                TimeDelta::days(3),
                TimeDelta::days(40),
            ] {
                let at = card.due + later;
                assert_eq!(
                    scheduler.review(Some(&restored), rating, at).unwrap(),
                    scheduler.review(Some(&card), rating, at).unwrap()
                );
            }
        }
    }
    assert_eq!(phases.len(), 4, "every phase round-trips: {phases:?}");
}

#[test]
fn stored_columns_that_make_no_sense_are_refused_with_a_clear_message() {
    let good = Scheduler::default()
        .review(None, Rating::Good, start())
        .unwrap()
        .to_columns();
    let refuse = |change: &dyn Fn(&mut CardColumns)| {
        let mut c = good.clone();
        change(&mut c);
        CardState::from_columns(c).unwrap_err().to_string()
    };
    assert!(refuse(&|c| c.phase = "graduated".into()).contains("unknown review phase `graduated`"));
    assert!(refuse(&|c| c.reps = -1).contains("reps must be a whole number from 0 up; got -1"));
    assert!(refuse(&|c| c.lapses = i64::MAX).contains("lapses"));
    assert!(refuse(&|c| c.stability = f64::NAN).contains("must be numbers"));
    assert!(refuse(&|c| c.stability = 0.0).contains("stability must be above 0"));
    assert!(refuse(&|c| c.difficulty = 11.0).contains("difficulty must be from 1 to 10"));
    assert!(refuse(&|c| c.last_review = None).contains("must have a last review time"));
    assert!(CardState::from_columns(good).is_ok());
}

#[test]
fn desired_retention_outside_0_70_to_0_97_is_refused_with_a_clear_message() {
    assert_eq!(DesiredRetention::default().get(), 0.9);
    assert_eq!(
        Scheduler::default().desired_retention(),
        DesiredRetention::DEFAULT
    );
    assert_eq!(retention(0.7).get(), 0.7);
    assert_eq!(retention(0.97).get(), 0.97);
    for bad in [0.5, 0.69, 0.98, 1.0, f64::NAN, -0.9] {
        let message = DesiredRetention::new(bad).unwrap_err().to_string();
        assert!(message.contains("between 0.70 and 0.97"), "{message}");
    }
    assert_eq!(DesiredRetention::parse(" 0.85 ").unwrap().get(), 0.85);
    assert!((DesiredRetention::parse("85%").unwrap().get() - 0.85).abs() < 1e-12);
    assert!("0.8".parse::<DesiredRetention>().is_ok());
    let message = DesiredRetention::parse("99%").unwrap_err().to_string();
    assert!(message.ends_with("got 99%"), "{message}");
    let message = DesiredRetention::parse("lots").unwrap_err().to_string();
    assert!(message.ends_with("got `lots`"), "{message}");
}

#[test]
fn phases_and_ratings_have_one_stored_spelling_each() {
    for phase in [
        Phase::New,
        Phase::Learning,
        Phase::Review,
        Phase::Relearning,
    ] {
        assert_eq!(Phase::parse(phase.as_str()).unwrap(), phase);
        assert_eq!(phase.to_string(), phase.as_str());
    }
    for rating in [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy] {
        assert_eq!(Rating::parse(rating.as_str()).unwrap(), rating);
    }
    assert_eq!(Phase::parse(" Review ").unwrap(), Phase::Review);
    assert!(
        Rating::parse("meh")
            .unwrap_err()
            .to_string()
            .contains("expected again, hard, good or easy")
    );
}

#[test]
fn learning_steps_follow_again_hard_good_easy() {
    let scheduler = Scheduler::default();
    let now = start();
    let learning = scheduler.review(None, Rating::Again, now).unwrap();
    let later = now + TimeDelta::minutes(10);

    let hard = scheduler
        .review(Some(&learning), Rating::Hard, later)
        .unwrap();
    assert_eq!(
        (hard.phase, hard.due),
        (Phase::Learning, later + LEARNING_STEPS[0])
    );
    let again = scheduler
        .review(Some(&learning), Rating::Again, later)
        .unwrap();
    assert_eq!((again.phase, again.step), (Phase::Learning, 0));
    let good = scheduler
        .review(Some(&learning), Rating::Good, later)
        .unwrap();
    assert_eq!(good.phase, Phase::Review);
    let easy = scheduler
        .review(Some(&learning), Rating::Easy, later)
        .unwrap();
    assert!(easy.phase == Phase::Review && easy.due >= good.due);

    // A stored step past the end of the list (the list got shorter) still graduates on Good.
    let stale = CardState {
        step: 7,
        ..learning
    };
    assert_eq!(
        scheduler
            .review(Some(&stale), Rating::Good, later)
            .unwrap()
            .phase,
        Phase::Review
    );

    // An answer stamped before the last review (clock skew) counts as the same day.
    let earlier = scheduler
        .review(Some(&good), Rating::Good, now - TimeDelta::hours(1))
        .unwrap();
    assert!(earlier.stability.is_finite() && earlier.due > now);
}

#[test]
fn weakest_topics_come_first_by_lowest_recall_then_fewest_seen() {
    let cards = [
        ("s3", 0.95),
        ("s3", 0.85),
        ("kinesis", 0.5),
        ("kinesis", 0.75),
        ("iam", 0.65),
        ("vpc", 0.65),
        ("sqs", f64::NAN),
    ];
    let seen = [
        ("s3", 2),
        ("kinesis", 2),
        ("iam", 5),
        ("vpc", 1),
        ("sqs", 1),
        ("lambda", 0),
        ("ec2", 3),
    ];
    let ranked = weakest_topics(&cards, &seen);
    let names: Vec<&str> = ranked.iter().map(|t| t.topic.as_str()).collect();
    assert_eq!(
        names,
        ["lambda", "sqs", "ec2", "kinesis", "vpc", "iam", "s3"]
    );

    let s3 = &ranked[6];
    assert_eq!((s3.cards, s3.seen), (2, 2));
    assert!((s3.mean_recall.unwrap() - 0.9).abs() < 1e-12);
    assert_eq!(ranked[0].mean_recall, None, "lambda has no cards");
    assert_eq!(
        ranked[1].mean_recall,
        Some(0.0),
        "a recall that is not a number counts as 0"
    );

    let only_cards = weakest_topics(&[("s3".to_string(), 0.5)], &[] as &[(&str, u32)]);
    assert_eq!(only_cards[0].seen, 0);
}

#[test]
fn new_questions_come_from_the_weakest_topics_first() {
    let candidates = [
        ("s3-1", "s3"),
        ("kin-1", "kinesis"),
        ("s3-2", "s3"),
        ("kin-2", "kinesis"),
        ("iam-1", "iam"),
        ("kin-3", "kinesis"),
        ("sqs-1", "sqs"),
        ("kin-2", "kinesis"),
    ];
    let order = ["kinesis", "iam", "s3"];
    let choose =
        |limit, seed| choose_new(&candidates, &order, limit, &mut StdRng::seed_from_u64(seed));

    let four = choose(4, 7);
    assert_eq!(four.len(), 4);
    let mut kinesis: Vec<&str> = four[..3].to_vec();
    kinesis.sort();
    assert_eq!(
        kinesis,
        ["kin-1", "kin-2", "kin-3"],
        "the weakest topic first, once each"
    );
    assert_eq!(four[3], "iam-1");

    let all = choose(100, 7);
    assert_eq!(all.len(), 7, "each question once");
    assert_eq!(all[6], "sqs-1", "a topic missing from the order comes last");
    assert!(choose(0, 7).is_empty());

    assert_eq!(choose(4, 7), four, "the same seed chooses the same");
    let mut reversed = candidates;
    reversed.reverse();
    assert_eq!(
        choose_new(&reversed, &order, 4, &mut StdRng::seed_from_u64(7)),
        four,
        "whatever order the store returned"
    );
    let orders: BTreeSet<Vec<&str>> = (0..20).map(|seed| choose(3, seed)).collect();
    assert!(orders.len() > 1, "ties inside a topic are broken at random");
}

#[test]
fn review_streak_is_alive_today_or_yesterday_and_remembers_the_best() {
    let today = date(2026, 3, 10);
    let run = |from: u32, to: u32| (from..=to).map(|d| date(2026, 3, d)).collect::<Vec<_>>();

    assert_eq!(
        review_streak(&[], today),
        Streak {
            current: 0,
            best: 0
        }
    );
    assert_eq!(
        review_streak(&run(8, 10), today),
        Streak {
            current: 3,
            best: 3
        }
    );
    assert_eq!(
        review_streak(&run(7, 9), today),
        Streak {
            current: 3,
            best: 3
        },
        "yesterday still counts"
    );
    assert_eq!(
        review_streak(&run(6, 8), today),
        Streak {
            current: 0,
            best: 3
        },
        "a missed day ends it"
    );

    let mut days = run(1, 5);
    days.extend(run(9, 10));
    assert_eq!(
        review_streak(&days, today),
        Streak {
            current: 2,
            best: 5
        }
    );

    let mut messy = vec![
        date(2026, 3, 10),
        date(2026, 3, 9),
        date(2026, 3, 10),
        date(2026, 3, 11),
    ];
    messy.extend(run(1, 2));
    assert_eq!(
        review_streak(&messy, today),
        Streak {
            current: 2,
            best: 2
        },
        "unsorted, repeated and future dates are tolerated"
    );
    // Across a month end.
    let across = [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)];
    assert_eq!(review_streak(&across, date(2026, 3, 1)).current, 3);
}
