//! Personal review over 60 simulated days with a test clock, through the use cases and a real
//! store: on SQLite always, and on PostgreSQL when `TEST_DATABASE_URL` is set. Each run is
//! compared with the pure FSRS scheduling, so both databases give the same results.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use studybot::content::Library;
use studybot::ids::{ChannelId, GuildId, UserId};
use studybot::notes::NoteFile;
use studybot::quiz::Bank;
use studybot::review::{CardState, Rating, Scheduler};
use studybot::search::{Glossary, NoteIndex};
use studybot::service::Study;
use studybot::service::review::{NextReview, ReviewFilter};
use studybot::store::{NewPost, PostKind};

#[path = "support/db.rs"]
mod db;

const G: GuildId = GuildId(77);
const ME: UserId = UserId(5);

const BANK: &str = r#"
[[question]]
id = "sqs-001"
topic = "sqs"
exams = ["DVA-C02"]
difficulty = "medium"
prompt = "Default visibility timeout?"
choices = ["30 seconds", "1 minute", "12 hours"]
answer = "A"
explanation = "30 seconds by default."
source = "sqs.md#sqs"

[[question]]
id = "kinesis-001"
topic = "kinesis"
exams = ["DVA-C02"]
difficulty = "easy"
prompt = "Write capacity of a shard?"
choices = ["1 MB/s", "2 MB/s", "10 MB/s"]
answer = "A"
explanation = "1 MB/s or 1,000 records/s."
source = "kinesis.md#kinesis"
"#;

fn study(store: studybot::store::Store, dir: &std::path::Path) -> Study {
    std::fs::write(dir.join("bank.toml"), BANK).unwrap();
    let note = |topic: &str| NoteFile {
        root: "notes".into(),
        file: format!("{topic}.md"),
        front_matter: Default::default(),
        anchors: vec![topic.into()],
        anchor_lines: vec![1],
        topic: topic.into(),
    };
    let bank = Bank::load_valid(dir, &[note("sqs"), note("kinesis")]).unwrap();
    let index = NoteIndex::build(Vec::new(), Glossary::default()).unwrap();
    Study::new(
        store,
        Library {
            index,
            bank,
            exams: Default::default(),
        },
    )
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

async fn card_due(study: &Study, question: &str) -> (DateTime<Utc>, i64) {
    let c = study
        .store
        .cards(G, ME)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.question_id == question)
        .unwrap();
    (c.state.due, c.state.lapses)
}

/// Answers `question` through `/review` whenever it is due, for 60 days, right or wrong as
/// `right(n)` says for the n-th answer; returns the due instants after each answer.
async fn review_for_60_days(study: &Study, right: impl Fn(usize) -> bool) -> Vec<DateTime<Utc>> {
    let filter = ReviewFilter {
        topic: Some("sqs".into()),
        exam: None,
    };
    let mut now = start();
    let mut dues = Vec::new();
    let mut n = 0;
    while now < start() + Duration::days(60) {
        match study.next_review(G, ME, &filter, now).await.unwrap() {
            NextReview::Ask { question, .. } => {
                assert_eq!(question.id, "sqs-001");
                let pick = if right(n) { 0 } else { 1 };
                // Answered 20 seconds after it was shown (not fast: Good, not Easy).
                let at = now + Duration::seconds(20);
                let fb = study
                    .review_answer(G, ME, "sqs-001", &[pick], now, at)
                    .await
                    .unwrap();
                assert_eq!(fb.correct, right(n));
                dues.push(fb.due);
                n += 1;
                now = fb.due.max(at + Duration::seconds(1));
            }
            NextReview::Done { next_due, .. } => {
                now = next_due.unwrap_or(now + Duration::days(1));
            }
        }
    }
    dues
}

/// The same answers scheduled by the pure FSRS scheduler, without any database.
fn expected(dues_from: &[DateTime<Utc>], right: impl Fn(usize) -> bool) -> Vec<DateTime<Utc>> {
    let s = Scheduler::default();
    let mut card: Option<CardState> = None;
    let mut now = start();
    let mut out = Vec::new();
    for n in 0..dues_from.len() {
        let at = now + Duration::seconds(20);
        let rating = Rating::from_answer(right(n), Some(Duration::seconds(20)));
        let next = s.review(card.as_ref(), rating, at).unwrap();
        out.push(next.due);
        now = next.due.max(at + Duration::seconds(1));
        card = Some(next);
    }
    out
}

async fn always_right_intervals_grow(study: &Study) {
    let dues = review_for_60_days(study, |_| true).await;
    assert_eq!(
        dues,
        expected(&dues, |_| true),
        "same as the pure scheduler"
    );
    let mut last = start();
    let gaps: Vec<Duration> = dues
        .iter()
        .map(|d| {
            let g = *d - last;
            last = *d;
            g
        })
        .collect();
    assert!(gaps.len() >= 3, "{gaps:?}");
    assert!(
        gaps.windows(2).all(|w| w[1] >= w[0]),
        "intervals grow: {gaps:?}"
    );
    assert!(*gaps.last().unwrap() >= gaps[0] * 5, "{gaps:?}");
}

async fn always_wrong_comes_back_within_a_day(study: &Study) {
    // Missed every time it is asked: a daily question each day, and /review when due.
    for day in 0..60 {
        let now = start() + Duration::days(day);
        let post = study
            .store
            .create_post(&NewPost {
                guild: G,
                channel: ChannelId(1),
                kind: PostKind::Daily,
                question_id: "kinesis-001".into(),
                topic: "kinesis".into(),
                local_date: NaiveDate::from_ymd_opt(2026, 3, 2).map(|d| d + Duration::days(day)),
                posted_at: now,
                closes_at: None,
                shown: None,
            })
            .await
            .unwrap()
            .unwrap();
        study.answer(G, post, ME, &[2], None, now).await.unwrap();
        let (due, lapses) = card_due(study, "kinesis-001").await;
        assert!(due - now <= Duration::days(1), "day {day}: due {due}");
        assert!(due > now);
        // The daily answer did not make it a lapse: the card never graduated.
        assert_eq!(lapses, 0);
    }
}

async fn a_miss_after_a_streak_drops_back(study: &Study) {
    // Right three times (intervals of days, then weeks), then a miss.
    let right = |n: usize| n != 3;
    let dues = review_for_60_days(study, right).await;
    assert_eq!(dues, expected(&dues, right), "same as the pure scheduler");
    let before = dues[2] - dues[1];
    let after_miss = dues[3] - dues[2];
    assert!(
        before >= Duration::days(7),
        "a long interval first: {dues:?}"
    );
    assert!(
        after_miss <= Duration::days(1),
        "the lapse comes back soon: {dues:?}"
    );
    let (_, lapses) = card_due(study, "sqs-001").await;
    assert_eq!(lapses, 1);
}

macro_rules! on_both {
    ($($name:ident),*) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let dir = tempfile::tempdir().unwrap();
                let db = super::db::sqlite().await;
                let study = super::study(db.store.clone(), dir.path());
                super::$name(&study).await;
                db.cleanup().await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = super::db::postgres(stringify!($name)).await else { return };
                let dir = tempfile::tempdir().unwrap();
                let study = super::study(db.store.clone(), dir.path());
                super::$name(&study).await;
                db.cleanup().await;
            })*
        }
    };
}

on_both!(
    always_right_intervals_grow,
    always_wrong_comes_back_within_a_day,
    a_miss_after_a_streak_drops_back
);
