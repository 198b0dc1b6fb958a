//! The store's contract, run on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is
//! set (`.ci/run` sets it). Each test gets a fresh database: a new SQLite file, or a new
//! PostgreSQL schema.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use studybot::ids::{ChannelId, GuildId, PostId, RoleId, UserId};
use studybot::scores::{NewAnswer, Period, PeriodKeys, RecordOutcome, Scope, streaks};
use studybot::store::{NewPost, PostKind, Store};

const G: GuildId = GuildId(1_000_000_000_000_000_001);
const OTHER: GuildId = GuildId(1_000_000_000_000_000_002);
const CH: ChannelId = ChannelId(10);
const CH2: ChannelId = ChannelId(11);

#[path = "support/db.rs"]
mod db;
use db::{postgres, sqlite};

/// Runs each contract test on both databases.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = super::sqlite().await;
                super::$name(&db.store).await;
                db.cleanup().await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = super::postgres(stringify!($name)).await else { return };
                super::$name(&db.store).await;
                db.cleanup().await;
            })*
        }
    };
}

contract!(
    migrations_are_idempotent,
    an_answer_is_recorded_once_and_the_first_counts,
    closed_and_foreign_posts_refuse_answers,
    daily_posts_are_unique_per_channel_and_date,
    leaderboard_ranks_by_points_then_accuracy_then_earliest,
    leaderboard_pages_and_shows_my_rank_off_the_page,
    channel_scope_counts_only_that_channel,
    a_servers_leaderboard_never_includes_another_servers_answers,
    weeks_start_monday_in_the_servers_zone,
    group_scope_and_group_standings_follow_roles,
    stats_by_topic_and_streaks,
    deleting_one_users_data_leaves_everyone_elses_intact,
    forgetting_a_server_after_it_left,
    a_thousand_users_answering_at_once_each_twice_make_a_thousand_answers,
);

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("time")
}

async fn post(store: &Store, guild: GuildId, channel: ChannelId, topic: &str) -> PostId {
    store
        .create_post(&NewPost {
            guild,
            channel,
            kind: PostKind::Quiz,
            question_id: format!("{topic}-001"),
            topic: topic.into(),
            local_date: None,
            posted_at: at(16, 9),
            closes_at: None,
        })
        .await
        .expect("create")
        .expect("a quiz post is always created")
}

async fn daily(store: &Store, channel: ChannelId, date: u32) -> Option<PostId> {
    store
        .create_post(&NewPost {
            guild: G,
            channel,
            kind: PostKind::Daily,
            question_id: "sqs-001".into(),
            topic: "sqs".into(),
            local_date: NaiveDate::from_ymd_opt(2026, 11, date),
            posted_at: at(date, 9),
            closes_at: None,
        })
        .await
        .expect("create")
}

async fn answer(
    store: &Store,
    guild: GuildId,
    post: PostId,
    user: u64,
    correct: bool,
    when: DateTime<Utc>,
) -> RecordOutcome {
    let a = NewAnswer {
        post,
        user: UserId(user),
        choice: if correct { "A".into() } else { "B".into() },
        correct,
        points: i64::from(correct) * 2,
        at: when,
    };
    store
        .record_answer(guild, &a, &PeriodKeys::at(when, chrono_tz::UTC))
        .await
        .expect("record")
}

async fn migrations_are_idempotent(store: &Store) {
    assert!(store.migrate().await.expect("migrate again").is_empty());
}

async fn an_answer_is_recorded_once_and_the_first_counts(store: &Store) {
    let p = post(store, G, CH, "sqs").await;
    assert_eq!(
        answer(store, G, p, 7, true, at(16, 10)).await,
        RecordOutcome::Recorded { correct: true }
    );
    assert_eq!(
        answer(store, G, p, 7, false, at(16, 11)).await,
        RecordOutcome::AlreadyAnswered {
            choice: "A".into(),
            correct: true
        }
    );
    assert_eq!(store.answer_count(p).await.expect("count"), 1);
    let board = store
        .leaderboard(G, Scope::Server, "all", 0, 10, Some(UserId(7)))
        .await
        .expect("board");
    assert_eq!(board.rows.len(), 1);
    assert_eq!(
        (
            board.rows[0].points,
            board.rows[0].answered,
            board.rows[0].correct
        ),
        (2, 1, 1)
    );
}

async fn closed_and_foreign_posts_refuse_answers(store: &Store) {
    let p = post(store, G, CH, "sqs").await;
    assert_eq!(
        answer(store, OTHER, p, 7, true, at(16, 10)).await,
        RecordOutcome::UnknownPost
    );
    assert!(store.close_post(p, at(16, 12)).await.expect("close"));
    assert_eq!(
        answer(store, G, p, 8, true, at(16, 13)).await,
        RecordOutcome::Closed
    );
    assert_eq!(
        answer(store, G, PostId(987_654), 8, true, at(16, 13)).await,
        RecordOutcome::UnknownPost
    );
    assert_eq!(store.answer_count(p).await.expect("count"), 0);
    assert_eq!(
        store
            .leaderboard(G, Scope::Server, "all", 0, 10, None)
            .await
            .expect("board")
            .total,
        0
    );
}

async fn daily_posts_are_unique_per_channel_and_date(store: &Store) {
    assert!(daily(store, CH, 16).await.is_some());
    assert_eq!(
        daily(store, CH, 16).await,
        None,
        "a second claim of the same slot creates nothing"
    );
    assert!(daily(store, CH, 17).await.is_some());
    assert!(daily(store, CH2, 16).await.is_some());
}

async fn leaderboard_ranks_by_points_then_accuracy_then_earliest(store: &Store) {
    let posts = [
        post(store, G, CH, "sqs").await,
        post(store, G, CH, "sqs").await,
        post(store, G, CH, "sqs").await,
    ];
    // user 1: 2 right of 3 (4 points); user 2: 2 right of 2 (4 points, better accuracy);
    // user 3: 2 right of 2 too, but reached it later; user 4: 1 right (2 points).
    answer(store, G, posts[0], 1, true, at(16, 10)).await;
    answer(store, G, posts[1], 1, true, at(16, 10)).await;
    answer(store, G, posts[2], 1, false, at(16, 10)).await;
    answer(store, G, posts[0], 2, true, at(16, 10)).await;
    answer(store, G, posts[1], 2, true, at(16, 11)).await;
    answer(store, G, posts[0], 3, true, at(16, 10)).await;
    answer(store, G, posts[1], 3, true, at(16, 12)).await;
    answer(store, G, posts[0], 4, true, at(16, 9)).await;
    let board = store
        .leaderboard(G, Scope::Server, "all", 0, 10, Some(UserId(1)))
        .await
        .expect("board");
    let order: Vec<u64> = board.rows.iter().map(|r| r.user.0).collect();
    assert_eq!(order, [2, 3, 1, 4]);
    assert_eq!(
        board.rows.iter().map(|r| r.rank).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(board.me.as_ref().map(|m| m.rank), Some(3));
}

async fn leaderboard_pages_and_shows_my_rank_off_the_page(store: &Store) {
    let p = post(store, G, CH, "sqs").await;
    let q = post(store, G, CH, "sqs").await;
    for user in 1..=25u64 {
        answer(
            store,
            G,
            p,
            user,
            true,
            at(16, 10) + Duration::seconds(user as i64),
        )
        .await;
        if user <= 12 {
            answer(store, G, q, user, true, at(16, 11)).await;
        }
    }
    let page0 = store
        .leaderboard(G, Scope::Server, "all", 0, 10, Some(UserId(25)))
        .await
        .expect("board");
    assert_eq!(page0.total, 25);
    assert_eq!(page0.rows.len(), 10);
    assert_eq!(page0.rows[0].user, UserId(1));
    let me = page0.me.expect("my line");
    assert_eq!(me.rank, 25, "last: fewest points and latest");
    let page2 = store
        .leaderboard(G, Scope::Server, "all", 2, 10, None)
        .await
        .expect("board");
    assert_eq!(page2.rows.len(), 5);
    assert_eq!(page2.rows[0].rank, 21);
    assert_eq!(page2.rows[4].user, UserId(25));
    let nobody = store
        .leaderboard(G, Scope::Server, "all", 0, 10, Some(UserId(99)))
        .await
        .expect("board");
    assert_eq!(nobody.me, None);
}

async fn channel_scope_counts_only_that_channel(store: &Store) {
    let p1 = post(store, G, CH, "sqs").await;
    let p2 = post(store, G, CH2, "sqs").await;
    answer(store, G, p1, 1, true, at(16, 10)).await;
    answer(store, G, p2, 2, true, at(16, 10)).await;
    answer(store, G, p2, 1, true, at(16, 10)).await;
    let ch2 = store
        .leaderboard(G, Scope::Channel(CH2), "all", 0, 10, None)
        .await
        .expect("board");
    assert_eq!(ch2.total, 2);
    assert!(ch2.rows.iter().all(|r| r.points == 2));
    let server = store
        .leaderboard(G, Scope::Server, "all", 0, 10, None)
        .await
        .expect("board");
    assert_eq!(server.rows[0].user, UserId(1));
    assert_eq!(server.rows[0].points, 4);
}

async fn a_servers_leaderboard_never_includes_another_servers_answers(store: &Store) {
    let mine = post(store, G, CH, "sqs").await;
    let theirs = post(store, OTHER, CH, "sqs").await;
    answer(store, G, mine, 1, true, at(16, 10)).await;
    answer(store, OTHER, theirs, 2, true, at(16, 10)).await;
    answer(store, OTHER, theirs, 1, true, at(16, 10)).await;
    for period in ["all", "w2026-11-16", "m2026-11"] {
        let board = store
            .leaderboard(G, Scope::Server, period, 0, 10, Some(UserId(2)))
            .await
            .expect("board");
        assert_eq!(
            board
                .rows
                .iter()
                .map(|r| (r.user.0, r.points))
                .collect::<Vec<_>>(),
            [(1, 2)],
            "{period}"
        );
        assert_eq!(board.me, None, "user 2 has no score in this server");
    }
    assert_eq!(store.totals(G, UserId(1)).await.expect("totals"), (1, 1, 2));
    assert_eq!(store.topic_stats(G, UserId(2)).await.expect("stats"), []);
}

async fn weeks_start_monday_in_the_servers_zone(store: &Store) {
    let berlin = chrono_tz::Europe::Berlin;
    let p = post(store, G, CH, "sqs").await;
    let q = post(store, G, CH, "sqs").await;
    // Sunday 22:30 UTC = Sunday 23:30 Berlin (week of the 16th);
    // Sunday 23:30 UTC = Monday 00:30 Berlin (week of the 23rd).
    let sunday = Utc
        .with_ymd_and_hms(2026, 11, 22, 22, 30, 0)
        .single()
        .expect("t");
    let monday = Utc
        .with_ymd_and_hms(2026, 11, 22, 23, 30, 0)
        .single()
        .expect("t");
    for (post, user, when) in [(p, 1, sunday), (q, 1, monday), (p, 2, monday)] {
        let a = NewAnswer {
            post,
            user: UserId(user),
            choice: "A".into(),
            correct: true,
            points: 1,
            at: when,
        };
        store
            .record_answer(G, &a, &PeriodKeys::at(when, berlin))
            .await
            .expect("record");
    }
    let week = |w: &'static str| async move {
        store
            .leaderboard(G, Scope::Server, w, 0, 10, None)
            .await
            .expect("board")
    };
    let old = week("w2026-11-16").await;
    assert_eq!(
        old.rows
            .iter()
            .map(|r| (r.user.0, r.points))
            .collect::<Vec<_>>(),
        [(1, 1)]
    );
    let new = week("w2026-11-23").await;
    assert_eq!(new.total, 2);
    let now_key = Period::Week.key(monday, berlin);
    assert_eq!(now_key, "w2026-11-23");
    let all = store
        .leaderboard(G, Scope::Server, "all", 0, 10, None)
        .await
        .expect("board");
    assert_eq!(all.rows[0].points, 2);
}

async fn group_scope_and_group_standings_follow_roles(store: &Store) {
    let blue = RoleId(500);
    let red = RoleId(501);
    let p = post(store, G, CH, "sqs").await;
    let q = post(store, G, CH, "sqs").await;
    for (user, roles) in [
        (1, vec![blue]),
        (2, vec![blue]),
        (3, vec![red]),
        (4, vec![red, blue]),
        (5, vec![red]),
    ] {
        store
            .set_member_roles(G, UserId(user), &roles)
            .await
            .expect("roles");
    }
    // Roles as last seen: user 5 left red.
    store
        .set_member_roles(G, UserId(5), &[])
        .await
        .expect("roles");
    for (user, n) in [(1, 2), (2, 1), (3, 2), (4, 0)] {
        for post in [p, q].iter().take(n) {
            answer(store, G, *post, user, true, at(16, 10)).await;
        }
    }
    answer(store, G, p, 5, true, at(16, 10)).await;
    let blue_board = store
        .leaderboard(G, Scope::Group(blue), "all", 0, 10, None)
        .await
        .expect("board");
    assert_eq!(
        blue_board.rows.iter().map(|r| r.user.0).collect::<Vec<_>>(),
        [1, 2],
        "user 4 has no answers"
    );
    let standings = store.group_standings(G, "all", 2).await.expect("groups");
    // red: users 3 (4 points) and 4 (0) → 2.0; blue: 1 (4), 2 (2), 4 (0) → 2.0, more total.
    assert_eq!(
        standings
            .iter()
            .map(|s| (s.role, s.members))
            .collect::<Vec<_>>(),
        [(blue, 3), (red, 2)]
    );
    assert!((standings[0].average_points - 2.0).abs() < 1e-9);
    assert_eq!(standings[0].total_points, 6);
    assert!(
        store
            .group_standings(G, "all", 3)
            .await
            .expect("groups")
            .iter()
            .all(|s| s.role == blue)
    );
}

async fn stats_by_topic_and_streaks(store: &Store) {
    let kinesis = post(store, G, CH, "kinesis").await;
    answer(store, G, kinesis, 7, false, at(16, 10)).await;
    let mut days = Vec::new();
    for d in 16..=21u32 {
        days.push(daily(store, CH, d).await.expect("daily"));
    }
    // Right on 16, 17, 18; missed 19; right on 20; 21 still open and unanswered.
    for (i, p) in days.iter().enumerate() {
        if [0, 1, 2, 4].contains(&i) {
            answer(store, G, *p, 7, true, at(16 + i as u32, 10)).await;
        }
        if i < 5 {
            store
                .close_post(*p, at(16 + i as u32, 23))
                .await
                .expect("close");
        }
    }
    let topics = store.topic_stats(G, UserId(7)).await.expect("topics");
    assert_eq!(topics.len(), 2);
    assert_eq!(
        (
            topics[0].topic.as_str(),
            topics[0].answered,
            topics[0].correct
        ),
        ("sqs", 4, 4)
    );
    assert_eq!(
        (
            topics[1].topic.as_str(),
            topics[1].answered,
            topics[1].correct
        ),
        ("kinesis", 1, 0)
    );
    let results: Vec<_> = store
        .daily_results(G, UserId(7))
        .await
        .expect("daily")
        .into_iter()
        .filter(|(c, _)| *c == CH)
        .map(|(_, r)| r)
        .collect();
    assert_eq!(results.len(), 6);
    assert_eq!(streaks(&results), (1, 3));
    assert_eq!(store.totals(G, UserId(7)).await.expect("totals"), (5, 4, 8));
}

async fn deleting_one_users_data_leaves_everyone_elses_intact(store: &Store) {
    let p = post(store, G, CH, "sqs").await;
    let theirs = post(store, OTHER, CH, "sqs").await;
    for user in 1..=3 {
        answer(store, G, p, user, true, at(16, 10)).await;
    }
    answer(store, OTHER, theirs, 2, true, at(16, 10)).await;
    let before = store
        .leaderboard(G, Scope::Server, "all", 0, 10, None)
        .await
        .expect("board");
    assert_eq!(
        store
            .delete_user_data(UserId(2), Some(G))
            .await
            .expect("delete"),
        1
    );
    let after = store
        .leaderboard(G, Scope::Server, "all", 0, 10, None)
        .await
        .expect("board");
    let keep = |b: &studybot::scores::Leaderboard| {
        b.rows
            .iter()
            .filter(|r| r.user != UserId(2))
            .map(|r| (r.user, r.points, r.answered))
            .collect::<Vec<_>>()
    };
    assert_eq!(keep(&after), keep(&before));
    assert!(after.rows.iter().all(|r| r.user != UserId(2)));
    // Still there in the other server until deleted everywhere.
    assert_eq!(
        store.totals(OTHER, UserId(2)).await.expect("totals"),
        (1, 1, 2)
    );
    assert_eq!(
        store
            .delete_user_data(UserId(2), None)
            .await
            .expect("delete"),
        1
    );
    assert_eq!(
        store.totals(OTHER, UserId(2)).await.expect("totals"),
        (0, 0, 0)
    );
    assert_eq!(store.answer_count(p).await.expect("count"), 2);
}

async fn forgetting_a_server_after_it_left(store: &Store) {
    store
        .upsert_guild(G, "Europe/Berlin", at(1, 0))
        .await
        .expect("guild");
    store
        .upsert_guild(OTHER, "UTC", at(1, 0))
        .await
        .expect("guild");
    assert_eq!(
        store.guild_time_zone(G).await.expect("zone").as_deref(),
        Some("Europe/Berlin")
    );
    let p = post(store, G, CH, "sqs").await;
    let q = post(store, OTHER, CH, "sqs").await;
    answer(store, G, p, 1, true, at(16, 10)).await;
    answer(store, OTHER, q, 1, true, at(16, 10)).await;
    store.mark_guild_left(G, at(17, 0)).await.expect("left");
    // Within the grace period nothing goes.
    assert!(
        store
            .forget_guilds_left_before(at(16, 0))
            .await
            .expect("forget")
            .is_empty()
    );
    assert_eq!(store.totals(G, UserId(1)).await.expect("totals").0, 1);
    assert_eq!(
        store
            .forget_guilds_left_before(at(20, 0))
            .await
            .expect("forget"),
        [G]
    );
    assert_eq!(store.totals(G, UserId(1)).await.expect("totals"), (0, 0, 0));
    assert_eq!(store.guild_time_zone(G).await.expect("zone"), None);
    assert_eq!(
        store.totals(OTHER, UserId(1)).await.expect("totals"),
        (1, 1, 2)
    );
}

async fn a_thousand_users_answering_at_once_each_twice_make_a_thousand_answers(store: &Store) {
    let p = post(store, G, CH, "sqs").await;
    let other = post(store, G, CH2, "sqs").await;
    answer(store, G, other, 5000, true, at(16, 9)).await;
    let before = store
        .leaderboard(G, Scope::Channel(CH2), "all", 0, 10, None)
        .await
        .expect("board");
    let store = Arc::new(store.clone());
    let mut tasks = Vec::new();
    for user in 0..1000u64 {
        for click in 0..2 {
            let store = Arc::clone(&store);
            tasks.push(tokio::spawn(async move {
                let correct = (user + click) % 3 == 0;
                answer(&store, G, p, user, correct, at(16, 10)).await
            }));
        }
    }
    let mut recorded = 0;
    let mut already = 0;
    for t in tasks {
        match t.await.expect("task") {
            RecordOutcome::Recorded { .. } => recorded += 1,
            RecordOutcome::AlreadyAnswered { .. } => already += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((recorded, already), (1000, 1000));
    assert_eq!(store.answer_count(p).await.expect("count"), 1000);
    let board = store
        .leaderboard(G, Scope::Channel(CH), "all", 0, 100, None)
        .await
        .expect("board");
    assert_eq!(board.total, 1000);
    let (mut points, mut answered, mut correct, mut users) =
        (0, 0, 0, std::collections::HashSet::new());
    for page in 0..10 {
        let b = store
            .leaderboard(G, Scope::Channel(CH), "all", page, 100, None)
            .await
            .expect("board");
        points += b.rows.iter().map(|r| r.points).sum::<i64>();
        answered += b.rows.iter().map(|r| r.answered).sum::<i64>();
        correct += b.rows.iter().map(|r| r.correct).sum::<i64>();
        users.extend(b.rows.iter().map(|r| r.user));
    }
    assert_eq!((answered, users.len()), (1000, 1000));
    // The first click of each user counts; which click ran first is up to the scheduler, so
    // the sums must agree with the answers as recorded, 2 points per correct one.
    assert_eq!(points, correct * 2);
    assert!(correct <= 667, "{correct}");
    let server = store
        .leaderboard(G, Scope::Server, "all", 0, 1, None)
        .await
        .expect("board");
    assert_eq!(server.total, 1001);
    let after = store
        .leaderboard(G, Scope::Channel(CH2), "all", 0, 10, None)
        .await
        .expect("board");
    assert_eq!(before, after, "nothing else changed");
}
