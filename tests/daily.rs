//! Daily questions end to end over the store, with a recording poster that honours nonces the
//! way Discord does (`enforce_nonce`: a repeated nonce returns the message already created).

// Test helpers: a poisoned lock or a failed fixture should panic.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use studybot::content::Shelf;
use studybot::ids::{ChannelId, GuildId, UserId};
use studybot::notes::NoteFile;
use studybot::quiz::Bank;
use studybot::schedule::{
    DailySchedule, PostError, PostRequest, Poster, Reveal, Scheduler, SchedulerConfig, next_slot,
};
use studybot::scores::{NewAnswer, PeriodKeys, RecordOutcome};
use studybot::store::Store;

const G: GuildId = GuildId(1);

#[derive(Debug, Clone)]
struct Sent {
    channel: ChannelId,
    question: String,
    at: DateTime<Utc>,
    message: u64,
}

#[derive(Default)]
struct State {
    sent: Vec<Sent>,
    by_nonce: HashMap<String, u64>,
    reveals: Vec<Reveal>,
    failures: VecDeque<PostError>,
    now: Option<DateTime<Utc>>,
}

/// A fake Discord channel list: records messages, dedupes nonces, fails on request.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<State>>);

impl Recorder {
    fn set_now(&self, now: DateTime<Utc>) {
        self.0.lock().unwrap().now = Some(now);
    }
    fn fail_next(&self, e: PostError) {
        self.0.lock().unwrap().failures.push_back(e);
    }
    fn sent(&self) -> Vec<Sent> {
        self.0.lock().unwrap().sent.clone()
    }
    fn reveals(&self) -> Vec<Reveal> {
        self.0.lock().unwrap().reveals.clone()
    }
    fn send(&self, r: &PostRequest) -> Result<u64, PostError> {
        let mut s = self.0.lock().unwrap();
        if let Some(e) = s.failures.pop_front() {
            return Err(e);
        }
        if let Some(id) = s.by_nonce.get(&r.nonce) {
            return Ok(*id);
        }
        let id = 1000 + s.sent.len() as u64;
        let at = s.now.unwrap_or_default();
        s.by_nonce.insert(r.nonce.clone(), id);
        s.sent.push(Sent {
            channel: r.channel,
            question: r.question.id.clone(),
            at,
            message: id,
        });
        Ok(id)
    }
}

impl Poster for Recorder {
    async fn post_question(&self, r: &PostRequest) -> Result<u64, PostError> {
        self.send(r)
    }
    async fn reveal(&self, r: &Reveal) -> Result<(), PostError> {
        self.0.lock().unwrap().reveals.push(r.clone());
        Ok(())
    }
}

/// Sends, then "crashes" before the scheduler can record it: the message exists, the store
/// does not know.
struct CrashAfterSend(Recorder);

impl Poster for CrashAfterSend {
    async fn post_question(&self, r: &PostRequest) -> Result<u64, PostError> {
        self.0.send(r)?;
        Err(PostError::Unavailable("process died after sending".into()))
    }
    async fn reveal(&self, r: &Reveal) -> Result<(), PostError> {
        self.0.reveal(r).await
    }
}

fn bank(n: usize) -> (Arc<Bank>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut toml = String::new();
    for i in 1..=n {
        toml.push_str(&format!(
            "[[question]]\nid = \"sqs-{i:03}\"\ntopic = \"sqs\"\nexams = [\"DVA-C02\"]\ndifficulty = \"easy\"\nprompt = \"Question {i}?\"\nchoices = [\"right\", \"wrong\", \"also wrong\"]\nanswer = \"A\"\nexplanation = \"Because.\"\nsource = \"sqs.md#sqs\"\n\n"
        ));
    }
    std::fs::write(dir.path().join("sqs.toml"), toml).unwrap();
    let notes = vec![NoteFile {
        root: "notes".into(),
        file: "sqs.md".into(),
        front_matter: Default::default(),
        anchors: vec!["sqs".into()],
        anchor_lines: vec![1],
        topic: "sqs".into(),
    }];
    (Arc::new(Bank::load_valid(dir.path(), &notes).unwrap()), dir)
}

async fn sqlite(dir: &tempfile::TempDir) -> Store {
    Store::open(&format!("sqlite://{}", dir.path().join("s.db").display()))
        .await
        .unwrap()
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

async fn schedule(
    store: &Store,
    channel: u64,
    time: (u32, u32),
    zone: Tz,
    from: DateTime<Utc>,
) -> DailySchedule {
    let mut s = DailySchedule::new(
        G,
        ChannelId(channel),
        NaiveTime::from_hms_opt(time.0, time.1, 0).unwrap(),
        zone,
        channel,
    );
    s.next = next_slot(&s, from).map(|x| (x.local_date, x.due_at));
    store.upsert_schedule(&s).await.unwrap();
    s
}

fn scheduler<P: Poster>(store: &Store, bank: &Arc<Bank>, poster: P, holder: &str) -> Scheduler<P> {
    Scheduler::new(
        store.clone(),
        Shelf::with_bank((**bank).clone()),
        poster,
        holder,
        SchedulerConfig::default(),
    )
}

/// Ticks every 15 minutes from `start` for `days` days.
async fn run<P: Poster>(s: &Scheduler<P>, rec: &Recorder, start: DateTime<Utc>, days: i64) {
    let mut now = start;
    while now < start + Duration::days(days) {
        rec.set_now(now);
        s.tick(now).await.unwrap();
        now += Duration::minutes(15);
    }
}

fn local_dates(sent: &[Sent], channel: u64, zone: Tz) -> Vec<NaiveDate> {
    sent.iter()
        .filter(|m| m.channel == ChannelId(channel))
        .map(|m| m.at.with_timezone(&zone).date_naive())
        .collect()
}

#[tokio::test]
async fn thirty_two_days_in_four_zones_across_dst_changes_post_once_a_day_at_the_right_instant() {
    let (bank, _b) = bank(40);
    // Spring 2026 (New York and Berlin spring forward, Lord Howe falls back), then autumn
    // (Lord Howe springs forward, Berlin and New York fall back).
    for (start, dst_days) in [
        (
            utc(2026, 3, 5, 0, 0),
            vec![
                (1, utc(2026, 3, 29, 1, 0)),
                (2, utc(2026, 3, 8, 7, 0)),
                (3, utc(2026, 4, 4, 15, 45)),
            ],
        ),
        (
            utc(2026, 10, 2, 0, 0),
            vec![
                (1, utc(2026, 10, 25, 0, 30)),
                (2, utc(2026, 11, 1, 7, 30)),
                (3, utc(2026, 10, 3, 15, 30)),
            ],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite(&dir).await;
        let zones = [
            (1u64, (2, 30), chrono_tz::Europe::Berlin),
            (2, (2, 30), chrono_tz::America::New_York),
            (3, (2, 15), chrono_tz::Australia::Lord_Howe),
            (4, (9, 0), chrono_tz::Asia::Kolkata),
        ];
        for (channel, time, zone) in zones {
            schedule(&store, channel, time, zone, start).await;
        }
        let rec = Recorder::default();
        let s = scheduler(&store, &bank, rec.clone(), "a");
        run(&s, &rec, start, 32).await;
        let sent = rec.sent();
        for (channel, time, zone) in zones {
            let dates = local_dates(&sent, channel, zone);
            assert!(
                dates.len() >= 31,
                "channel {channel}: {} posts",
                dates.len()
            );
            let mut unique = dates.clone();
            unique.dedup();
            assert_eq!(unique, dates, "channel {channel}: one post per local day");
            // Each post at the instant its local time falls (or the first valid one after it).
            for m in sent.iter().filter(|m| m.channel == ChannelId(channel)) {
                let date = m.at.with_timezone(&zone).date_naive();
                let expected = studybot::schedule::local_instant(
                    date,
                    NaiveTime::from_hms_opt(time.0, time.1, 0).unwrap(),
                    zone,
                );
                assert_eq!(m.at, expected, "channel {channel} on {date}");
            }
        }
        // The DST days, checked by hand.
        for (channel, instant) in dst_days {
            assert!(
                sent.iter()
                    .any(|m| m.channel == ChannelId(channel) && m.at == instant),
                "channel {channel} at {instant}"
            );
        }
    }
}

#[tokio::test]
async fn a_scheduler_that_dies_after_claiming_is_replaced_after_the_lease_and_posts_once() {
    let (bank, dir) = bank(5);
    let store = sqlite(&dir).await;
    let start = utc(2026, 11, 20, 0, 0);
    let sch = schedule(&store, 7, (9, 0), chrono_tz::UTC, start).await;
    let (date, due) = sch.next.unwrap();
    // Scheduler "a" claims and dies.
    store
        .claim_daily(
            G,
            ChannelId(7),
            date,
            due,
            "sqs-001",
            "sqs",
            &bank.get("sqs-001").unwrap().shown_json(),
            "a",
            due,
            Duration::minutes(2),
        )
        .await
        .unwrap();
    let rec = Recorder::default();
    let b = scheduler(&store, &bank, rec.clone(), "b");
    rec.set_now(due + Duration::minutes(1));
    let r = b.tick(due + Duration::minutes(1)).await.unwrap();
    assert_eq!(
        (r.posted, r.held_elsewhere),
        (0, 1),
        "the lease is still live"
    );
    rec.set_now(due + Duration::minutes(3));
    let r = b.tick(due + Duration::minutes(3)).await.unwrap();
    assert_eq!(r.posted, 1);
    assert_eq!(rec.sent().len(), 1);
    assert_eq!(
        rec.sent()[0].question,
        "sqs-001",
        "the question the first holder picked"
    );
    b.tick(due + Duration::minutes(30)).await.unwrap();
    assert_eq!(rec.sent().len(), 1);
}

#[tokio::test]
async fn a_scheduler_that_dies_after_sending_and_before_recording_leaves_one_message() {
    let (bank, dir) = bank(5);
    let store = sqlite(&dir).await;
    let start = utc(2026, 11, 20, 0, 0);
    let sch = schedule(&store, 7, (9, 0), chrono_tz::UTC, start).await;
    let (_, due) = sch.next.unwrap();
    let rec = Recorder::default();
    rec.set_now(due);
    let a = scheduler(&store, &bank, CrashAfterSend(rec.clone()), "a");
    a.tick(due).await.unwrap();
    assert_eq!(rec.sent().len(), 1, "the message went out");
    // "a" is gone; "b" takes over after the lease and posts again with the same nonce.
    let b = scheduler(&store, &bank, rec.clone(), "b");
    let later = due + Duration::minutes(5);
    rec.set_now(later);
    let r = b.tick(later).await.unwrap();
    assert_eq!(r.posted, 1);
    assert_eq!(
        rec.sent().len(),
        1,
        "Discord returned the first message for the repeated nonce"
    );
    let posts = store.daily_posts(ChannelId(7)).await.unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].2, "open");
    assert_eq!(posts[0].3, Some(rec.sent()[0].message));
}

#[tokio::test]
async fn a_slot_missed_while_down_is_posted_late_once_within_the_catch_up_window_else_skipped() {
    let (bank, dir) = bank(5);
    let store = sqlite(&dir).await;
    let start = utc(2026, 11, 20, 0, 0);
    schedule(&store, 7, (9, 0), chrono_tz::UTC, start).await;
    let rec = Recorder::default();
    let s = scheduler(&store, &bank, rec.clone(), "a");
    // Down from 08:00 to 12:00 on the 20th: posted late at 12:00, once.
    rec.set_now(utc(2026, 11, 20, 12, 0));
    assert_eq!(s.tick(utc(2026, 11, 20, 12, 0)).await.unwrap().posted, 1);
    assert_eq!(s.tick(utc(2026, 11, 20, 12, 15)).await.unwrap().posted, 0);
    // Down from the 21st 08:00 to 16:00 (7 h late): skipped; the 22nd posts on time.
    let r = s.tick(utc(2026, 11, 21, 16, 0)).await.unwrap();
    assert_eq!((r.posted, r.skipped), (0, 1));
    rec.set_now(utc(2026, 11, 22, 9, 0));
    assert_eq!(s.tick(utc(2026, 11, 22, 9, 0)).await.unwrap().posted, 1);
    let dates: Vec<_> = store
        .daily_posts(ChannelId(7))
        .await
        .unwrap()
        .iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(
        dates,
        [
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        ]
    );
}

#[tokio::test]
async fn a_missing_permission_pauses_and_an_unknown_channel_disables_the_schedule() {
    let (bank, dir) = bank(5);
    let store = sqlite(&dir).await;
    let start = utc(2026, 11, 20, 0, 0);
    schedule(&store, 7, (9, 0), chrono_tz::UTC, start).await;
    schedule(&store, 8, (9, 0), chrono_tz::UTC, start).await;
    let rec = Recorder::default();
    rec.fail_next(PostError::Forbidden("Send Messages".into()));
    rec.fail_next(PostError::NotFound);
    let s = scheduler(&store, &bank, rec.clone(), "a");
    let r = s.tick(utc(2026, 11, 20, 9, 0)).await.unwrap();
    assert_eq!((r.posted, r.paused), (0, 2));
    let seven = store.schedule(G, ChannelId(7)).await.unwrap().unwrap();
    assert!(seven.enabled);
    assert_eq!(
        seven.paused_reason.as_deref(),
        Some("missing permission: Send Messages")
    );
    let eight = store.schedule(G, ChannelId(8)).await.unwrap().unwrap();
    assert!(!eight.enabled);
    // Nothing is posted while paused; the claims were given back.
    assert_eq!(s.tick(utc(2026, 11, 21, 9, 0)).await.unwrap().posted, 0);
    assert!(store.daily_posts(ChannelId(7)).await.unwrap().is_empty());
    // Resumed by the admin: posts at the next slot.
    store
        .set_schedule_state(G, ChannelId(7), true, None)
        .await
        .unwrap();
    let r = s.tick(utc(2026, 11, 21, 9, 15)).await.unwrap();
    assert_eq!(r.posted, 1);
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_with_backoff_not_dropped() {
    let (bank, dir) = bank(5);
    let store = sqlite(&dir).await;
    schedule(&store, 7, (9, 0), chrono_tz::UTC, utc(2026, 11, 20, 0, 0)).await;
    let rec = Recorder::default();
    rec.fail_next(PostError::RateLimited(5_000));
    rec.fail_next(PostError::Unavailable("502 Bad Gateway".into()));
    let s = scheduler(&store, &bank, rec.clone(), "a");
    let t0 = utc(2026, 11, 20, 9, 0);
    assert_eq!(s.tick(t0).await.unwrap().retrying, 1);
    // Not before the retry time.
    assert_eq!(s.tick(t0 + Duration::seconds(2)).await.unwrap().retrying, 0);
    assert_eq!(s.tick(t0 + Duration::seconds(5)).await.unwrap().retrying, 1);
    let r = s.tick(t0 + Duration::minutes(5)).await.unwrap();
    assert_eq!(r.posted, 1);
    assert_eq!(rec.sent().len(), 1);
    assert_eq!(
        store.daily_posts(ChannelId(7)).await.unwrap()[0].0,
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    );
}

#[tokio::test]
async fn a_question_closes_when_the_next_posts_and_reveals_the_answer_and_the_vote_split() {
    let (bank, dir) = bank(5);
    let store = sqlite(&dir).await;
    schedule(&store, 7, (9, 0), chrono_tz::UTC, utc(2026, 11, 20, 0, 0)).await;
    let rec = Recorder::default();
    let s = scheduler(&store, &bank, rec.clone(), "a");
    let t0 = utc(2026, 11, 20, 9, 0);
    s.tick(t0).await.unwrap();
    let post = {
        let posts = store.closings(t0 + Duration::days(2), None).await.unwrap();
        assert_eq!(posts.len(), 1);
        posts[0].post
    };
    let keys = PeriodKeys::at(t0, chrono_tz::UTC);
    for (user, choice, correct) in [
        (1, "A", true),
        (2, "B", false),
        (3, "A", true),
        (4, "A", true),
    ] {
        let a = NewAnswer {
            post,
            user: UserId(user),
            choice: choice.into(),
            correct,
            points: i64::from(correct),
            at: t0,
        };
        assert!(matches!(
            store.record_answer(G, &a, &keys).await.unwrap(),
            RecordOutcome::Recorded { .. }
        ));
    }
    // The next day's question closes it.
    let r = s.tick(t0 + Duration::days(1)).await.unwrap();
    assert_eq!((r.posted, r.closed), (1, 1));
    let reveals = rec.reveals();
    assert_eq!(reveals.len(), 1);
    assert_eq!(
        reveals[0].split,
        [("A".to_string(), 3), ("B".to_string(), 1)]
    );
    assert_eq!(reveals[0].total, 4);
    assert_eq!(reveals[0].message_id, Some(rec.sent()[0].message));
    let late = NewAnswer {
        post,
        user: UserId(9),
        choice: "A".into(),
        correct: true,
        points: 1,
        at: t0 + Duration::days(1),
    };
    assert_eq!(
        store.record_answer(G, &late, &keys).await.unwrap(),
        RecordOutcome::Closed
    );
}

#[tokio::test]
async fn no_question_repeats_in_a_channel_until_its_pool_is_used_up() {
    let (bank, dir) = bank(6);
    let store = sqlite(&dir).await;
    schedule(&store, 7, (9, 0), chrono_tz::UTC, utc(2026, 11, 1, 0, 0)).await;
    let rec = Recorder::default();
    let s = scheduler(&store, &bank, rec.clone(), "a");
    run(&s, &rec, utc(2026, 11, 1, 8, 0), 18).await;
    let ids: Vec<String> = rec.sent().iter().map(|m| m.question.clone()).collect();
    assert_eq!(ids.len(), 18);
    for cycle in ids.chunks(6) {
        let mut c = cycle.to_vec();
        c.sort();
        c.dedup();
        assert_eq!(c.len(), 6, "{ids:?}");
    }
    assert!(
        ids.windows(2).all(|w| w[0] != w[1]),
        "never yesterday's question"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_on_one_postgres_post_every_slot_once() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        println!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    let schema = format!(
        "d{}_{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default() % 1_000_000_000_000
    );
    let store_a = Store::open_in_schema(&url, Some(&schema)).await.unwrap();
    let store_b = Store::open_in_schema(&url, Some(&schema)).await.unwrap();
    let (bank, _b) = bank(10);
    let start = utc(2026, 11, 20, 0, 0);
    for channel in 1..=60u64 {
        // Everyone at 09:00 or 09:15 in a few zones.
        let zone = [
            chrono_tz::UTC,
            chrono_tz::Europe::Berlin,
            chrono_tz::Asia::Kolkata,
        ][channel as usize % 3];
        schedule(
            &store_a,
            channel,
            (9, 15 * (channel as u32 % 2)),
            zone,
            start,
        )
        .await;
    }
    let rec = Recorder::default();
    let a = Arc::new(scheduler(&store_a, &bank, rec.clone(), "a"));
    let b = Arc::new(scheduler(&store_b, &bank, rec.clone(), "b"));
    let mut now = start;
    while now < start + Duration::days(3) {
        rec.set_now(now);
        let (ra, rb) = tokio::join!(a.tick(now), b.tick(now));
        ra.unwrap();
        rb.unwrap();
        now += Duration::minutes(15);
    }
    let sent = rec.sent();
    let mut slots: Vec<(ChannelId, NaiveDate)> = sent
        .iter()
        .map(|m| (m.channel, m.at.date_naive()))
        .collect();
    let n = slots.len();
    slots.sort();
    slots.dedup();
    assert_eq!(slots.len(), n, "a slot was posted twice");
    assert!(n >= 60 * 2, "{n} posts");
    let mut total_posts = 0;
    for channel in 1..=60u64 {
        total_posts += store_a.daily_posts(ChannelId(channel)).await.unwrap().len();
    }
    assert_eq!(total_posts, n);
    store_a.close().await;
    store_b.close().await;
    if let Ok(pool) = sqlx::PgPool::connect(&url).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&pool)
        .await;
    }
}

#[tokio::test]
async fn posts_due_at_the_same_minute_are_spread_over_ticks() {
    let (bank, dir) = bank(5);
    let store = sqlite(&dir).await;
    let start = utc(2026, 11, 20, 0, 0);
    for channel in 1..=100u64 {
        schedule(&store, channel, (9, 0), chrono_tz::UTC, start).await;
    }
    let rec = Recorder::default();
    let s = scheduler(&store, &bank, rec.clone(), "a");
    let t0 = utc(2026, 11, 20, 9, 0);
    let mut per_tick = Vec::new();
    for second in 0..4 {
        per_tick.push(s.tick(t0 + Duration::seconds(second)).await.unwrap().posted);
    }
    assert_eq!(per_tick, [40, 40, 20, 0]);
    assert_eq!(rec.sent().len(), 100);
}

#[tokio::test]
async fn the_background_loop_stops_on_shutdown() {
    let (bank, dir) = bank(5);
    let store = sqlite(&dir).await;
    let s = Arc::new(scheduler(&store, &bank, Recorder::default(), "a"));
    let (tx, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn({
        let s = Arc::clone(&s);
        async move { s.run(&studybot::clock::SystemClock, rx).await }
    });
    tx.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), task)
        .await
        .expect("stopped")
        .unwrap();
}
