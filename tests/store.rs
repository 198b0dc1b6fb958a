//! The store's contract, run on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is
//! set (`.ci/run` sets it). Each test gets a fresh database: a new SQLite file, or a new
//! PostgreSQL schema.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use studybot::ids::{ChannelId, GuildId, PostId, RoleId, UserId};
use studybot::review::{CardColumns, CardState, Rating, Scheduler};
use studybot::scores::{NewAnswer, Period, PeriodKeys, PointsOf, RecordOutcome, Scope, streaks};
use studybot::service::quiz::stale_quiz_cutoff;
use studybot::store::{
    CardUpdate, NewPost, NewQuiz, NewReport, PostKind, QuizEnd, QuizId, QuizStart, QuizState, Store,
};

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
    one_quiz_runs_per_channel_and_the_channel_it_was_started_from,
    two_quiz_starts_at_once_in_one_channel_give_one_quiz,
    a_quiz_finishes_only_from_running_and_closes_its_open_question,
    abandoning_a_holders_quizzes_closes_their_questions_and_keeps_the_points,
    abandoning_stale_quizzes_leaves_young_ones_running,
    quiz_and_daily_points_rank_together_and_apart_by_kind,
    deleting_a_users_data_removes_every_kinds_totals,
    forgetting_a_server_removes_its_quizzes_and_every_kinds_totals,
    a_post_keeps_the_text_it_showed,
    reports_are_limited_per_day_withheld_by_two_members_and_closed_per_server,
    an_answer_and_its_review_card_are_written_together_and_once,
    answers_with_cards_arriving_together_each_count_once_in_score_and_card,
    leaderboards_read_during_a_burst_of_answers_count_each_answer_once,
    a_review_answered_since_it_was_shown_changes_nothing,
    points_earned_by_a_member_and_by_a_study_group,
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
            shown: None,
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
            shown: None,
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

// ---- live quizzes ----

/// A thread made for a quiz in `CH`.
const THREAD: ChannelId = ChannelId(20);

fn new_quiz(channel: ChannelId, parent: ChannelId, holder: &str, when: DateTime<Utc>) -> NewQuiz {
    NewQuiz {
        guild: G,
        channel,
        parent_channel: parent,
        started_by: UserId(42),
        holder: holder.into(),
        topic: Some("sqs".into()),
        exam: None,
        questions: 10,
        seconds: 20,
        started_at: when,
    }
}

async fn start(store: &Store, quiz: &NewQuiz) -> QuizId {
    match store.start_quiz(quiz).await.expect("start") {
        QuizStart::Started(id) => id,
        other => panic!("expected a new quiz, got {other:?}"),
    }
}

async fn quiz_post(store: &Store, quiz: QuizId, channel: ChannelId) -> PostId {
    store
        .create_quiz_post(
            quiz,
            &NewPost {
                guild: G,
                channel,
                kind: PostKind::Quiz,
                question_id: "sqs-002".into(),
                topic: "sqs".into(),
                local_date: None,
                posted_at: at(16, 10),
                closes_at: Some(at(16, 10) + Duration::seconds(20)),
                shown: None,
            },
        )
        .await
        .expect("create")
        .expect("the quiz is running")
}

/// An answer worth `points` (0 = wrong), as the live quiz scores it.
async fn quiz_answer(
    store: &Store,
    post: PostId,
    user: u64,
    points: i64,
    when: DateTime<Utc>,
) -> RecordOutcome {
    let a = NewAnswer {
        post,
        user: UserId(user),
        choice: "A".into(),
        correct: points > 0,
        points,
        at: when,
    };
    store
        .record_answer(G, &a, &PeriodKeys::at(when, chrono_tz::UTC))
        .await
        .expect("record")
}

async fn board_of(
    store: &Store,
    guild: GuildId,
    scope: Scope,
    period: &str,
    kind: Option<PostKind>,
) -> Vec<(u64, i64)> {
    store
        .leaderboard_of_kind(guild, scope, period, kind, 0, 100, None)
        .await
        .expect("board")
        .rows
        .iter()
        .map(|r| (r.user.0, r.points))
        .collect()
}

async fn one_quiz_runs_per_channel_and_the_channel_it_was_started_from(store: &Store) {
    // Started in CH, running in a thread of it.
    let first = start(store, &new_quiz(THREAD, CH, "p1", at(16, 10))).await;
    let in_the_way = QuizStart::AlreadyRunning {
        id: first,
        channel: THREAD,
    };
    for (channel, parent) in [(CH, CH), (ChannelId(21), CH), (THREAD, THREAD)] {
        assert_eq!(
            store
                .start_quiz(&new_quiz(channel, parent, "p2", at(16, 11)))
                .await
                .expect("start"),
            in_the_way,
            "{channel} from {parent}"
        );
    }
    let other = start(store, &new_quiz(CH2, CH2, "p2", at(16, 11))).await;
    assert_ne!(other, first);
    for channel in [CH, THREAD] {
        let running = store
            .running_quiz(G, channel)
            .await
            .expect("running")
            .expect("a quiz runs");
        assert_eq!(
            (running.id, running.channel, running.parent_channel),
            (first, THREAD, CH)
        );
        assert_eq!(running.state, QuizState::Running);
        assert_eq!(
            (running.questions, running.seconds, running.topic.as_deref()),
            (10, 20, Some("sqs"))
        );
        assert_eq!(running.holder, "p1");
    }
    assert_eq!(
        store.running_quiz(OTHER, CH).await.expect("running"),
        None,
        "another server's channel"
    );
    assert_eq!(
        store.running_quiz(G, ChannelId(99)).await.expect("running"),
        None
    );
    // Claim first, then make the thread: the quiz moves to it.
    let claimed = start(
        store,
        &new_quiz(ChannelId(30), ChannelId(30), "p1", at(16, 12)),
    )
    .await;
    assert!(
        !store.set_quiz_channel(claimed, THREAD).await.expect("move"),
        "that thread runs another quiz"
    );
    assert!(
        store
            .set_quiz_channel(claimed, ChannelId(31))
            .await
            .expect("move")
    );
    let moved = store.quiz(claimed).await.expect("quiz").expect("stored");
    assert_eq!(
        (moved.channel, moved.parent_channel),
        (ChannelId(31), ChannelId(30))
    );
    // Once it ends, the channel is free again.
    assert!(
        store
            .finish_quiz(first, QuizEnd::Completed, at(16, 12))
            .await
            .expect("finish")
    );
    assert_eq!(store.running_quiz(G, CH).await.expect("running"), None);
    start(store, &new_quiz(CH, CH, "p2", at(16, 13))).await;
}

async fn two_quiz_starts_at_once_in_one_channel_give_one_quiz(store: &Store) {
    for round in 0..5u32 {
        let channel = ChannelId(100 + u64::from(round));
        let mut tasks = Vec::new();
        for i in 0..8u32 {
            let store = store.clone();
            // Half in the channel itself, half each in a thread of it.
            let runs_in = if i % 2 == 0 {
                channel
            } else {
                ChannelId(1000 + u64::from(round * 10 + i))
            };
            tasks.push(tokio::spawn(async move {
                store
                    .start_quiz(&new_quiz(runs_in, channel, &format!("p{i}"), at(16, 10)))
                    .await
                    .expect("start")
            }));
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.expect("task"));
        }
        let started: Vec<QuizId> = outcomes
            .iter()
            .filter_map(|o| match o {
                QuizStart::Started(id) => Some(*id),
                QuizStart::AlreadyRunning { .. } => None,
            })
            .collect();
        assert_eq!(started.len(), 1, "{outcomes:?}");
        let winner = store
            .running_quiz(G, channel)
            .await
            .expect("running")
            .expect("one runs");
        assert_eq!(winner.id, started[0]);
        for o in &outcomes {
            if let QuizStart::AlreadyRunning { id, channel: c } = o {
                assert_eq!((*id, *c), (winner.id, winner.channel));
            }
        }
    }
}

async fn a_quiz_finishes_only_from_running_and_closes_its_open_question(store: &Store) {
    let quiz = start(store, &new_quiz(CH, CH, "p1", at(16, 10))).await;
    let q1 = quiz_post(store, quiz, CH).await;
    assert!(store.close_post(q1, at(16, 11)).await.expect("close"));
    let q2 = quiz_post(store, quiz, CH).await;
    assert_eq!(
        quiz_answer(store, q2, 1, 3, at(16, 11)).await,
        RecordOutcome::Recorded { correct: true }
    );
    assert!(
        store
            .finish_quiz(quiz, QuizEnd::Stopped, at(16, 12))
            .await
            .expect("finish")
    );
    let ended = store.quiz(quiz).await.expect("quiz").expect("stored");
    assert_eq!(ended.state, QuizState::Stopped);
    assert_eq!(ended.ended_at, Some(at(16, 12)));
    assert!(!store.post(G, q2).await.expect("post").expect("stored").open);
    assert_eq!(
        quiz_answer(store, q2, 2, 3, at(16, 13)).await,
        RecordOutcome::Closed,
        "a late answer to a finished quiz"
    );
    // Only one ending counts; an ended quiz gets no more questions.
    for end in [
        QuizEnd::Completed,
        QuizEnd::Stopped,
        QuizEnd::Silent,
        QuizEnd::Abandoned,
    ] {
        assert!(
            !store
                .finish_quiz(quiz, end, at(16, 14))
                .await
                .expect("finish")
        );
    }
    assert_eq!(
        store.quiz(quiz).await.expect("quiz").map(|q| q.state),
        Some(QuizState::Stopped)
    );
    assert!(
        !store
            .finish_quiz(QuizId(987_654), QuizEnd::Completed, at(16, 14))
            .await
            .expect("finish")
    );
    assert_eq!(
        store
            .create_quiz_post(
                quiz,
                &NewPost {
                    guild: G,
                    channel: CH,
                    kind: PostKind::Quiz,
                    question_id: "sqs-003".into(),
                    topic: "sqs".into(),
                    local_date: None,
                    posted_at: at(16, 15),
                    closes_at: None,
                    shown: None,
                },
            )
            .await
            .expect("create"),
        None
    );
    assert_eq!(store.running_quiz(G, CH).await.expect("running"), None);
    assert_eq!(
        store.quiz_standings(quiz).await.expect("standings"),
        [(UserId(1), 3, 1, 1)]
    );
}

async fn abandoning_a_holders_quizzes_closes_their_questions_and_keeps_the_points(store: &Store) {
    let a = start(store, &new_quiz(THREAD, CH, "p1", at(16, 10))).await;
    let b = start(store, &new_quiz(CH2, CH2, "p1", at(16, 9))).await;
    let c = start(
        store,
        &new_quiz(ChannelId(12), ChannelId(12), "p2", at(16, 9)),
    )
    .await;
    let a1 = quiz_post(store, a, THREAD).await;
    // Users 1 and 3 tie on points; 3 answered last earlier. User 4 answered wrong.
    quiz_answer(store, a1, 1, 3, at(16, 10) + Duration::seconds(5)).await;
    quiz_answer(store, a1, 2, 2, at(16, 10) + Duration::seconds(6)).await;
    quiz_answer(store, a1, 4, 0, at(16, 10) + Duration::seconds(7)).await;
    assert!(store.close_post(a1, at(16, 11)).await.expect("close"));
    let a2 = quiz_post(store, a, THREAD).await;
    quiz_answer(store, a2, 2, 1, at(16, 11) + Duration::seconds(1)).await;
    quiz_answer(store, a2, 3, 3, at(16, 11) + Duration::seconds(2)).await;
    quiz_answer(store, a2, 1, 0, at(16, 11) + Duration::seconds(3)).await;
    let b1 = quiz_post(store, b, CH2).await;
    let c1 = quiz_post(store, c, ChannelId(12)).await;
    store.set_post_message(a2, 777).await.expect("message id");

    let gone = store
        .abandon_quizzes_of("p1", at(16, 12))
        .await
        .expect("abandon");
    assert_eq!(
        gone.iter().map(|s| (s.id, s.channel)).collect::<Vec<_>>(),
        [(b, CH2), (a, THREAD)],
        "oldest first, each with the channel to tell"
    );
    assert!(
        gone.iter()
            .all(|s| s.state == QuizState::Abandoned && s.ended_at == Some(at(16, 12)))
    );
    for p in [a2, b1] {
        assert!(!store.post(G, p).await.expect("post").expect("stored").open);
        assert_eq!(
            quiz_answer(store, p, 9, 3, at(16, 13)).await,
            RecordOutcome::Closed
        );
    }
    let posts = store.quiz_posts(a).await.expect("posts");
    assert_eq!(
        posts
            .iter()
            .map(|p| (p.post, p.message_id))
            .collect::<Vec<_>>(),
        [(a1, None), (a2, Some(777))]
    );
    // Another holder's quiz runs on.
    assert!(store.post(G, c1).await.expect("post").expect("stored").open);
    assert_eq!(
        store
            .running_quiz(G, ChannelId(12))
            .await
            .expect("running")
            .map(|s| s.id),
        Some(c)
    );
    assert!(
        store
            .abandon_quizzes_of("p1", at(16, 13))
            .await
            .expect("abandon")
            .is_empty(),
        "nothing twice"
    );
    assert!(
        !store
            .finish_quiz(a, QuizEnd::Completed, at(16, 13))
            .await
            .expect("finish")
    );
    // The points so far stay: in the quiz's standings and in the leaderboard.
    assert_eq!(
        store.quiz_standings(a).await.expect("standings"),
        [
            (UserId(2), 3, 2, 2),
            (UserId(3), 3, 1, 1),
            (UserId(1), 3, 1, 2),
            (UserId(4), 0, 0, 1),
        ]
    );
    assert_eq!(
        board_of(
            store,
            G,
            Scope::Channel(THREAD),
            "all",
            Some(PostKind::Quiz)
        )
        .await,
        [(2, 3), (3, 3), (1, 3), (4, 0)]
    );
    // The channels are free again.
    start(store, &new_quiz(CH, CH, "p1", at(16, 14))).await;
    start(store, &new_quiz(CH2, CH2, "p1", at(16, 14))).await;
}

async fn abandoning_stale_quizzes_leaves_young_ones_running(store: &Store) {
    let now = at(16, 12);
    let cutoff = stale_quiz_cutoff(now);
    assert!(cutoff < now - Duration::seconds(30 * 120), "{cutoff}");
    let old = start(
        store,
        &new_quiz(CH, CH, "elsewhere", cutoff - Duration::seconds(1)),
    )
    .await;
    let young = start(store, &new_quiz(CH2, CH2, "elsewhere", cutoff)).await;
    let old_q = quiz_post(store, old, CH).await;
    let young_q = quiz_post(store, young, CH2).await;
    quiz_answer(store, old_q, 1, 3, cutoff).await;
    let gone = store
        .abandon_stale_quizzes(cutoff, now)
        .await
        .expect("abandon");
    assert_eq!(gone.len(), 1);
    assert_eq!((gone[0].id, gone[0].channel), (old, CH));
    assert_eq!(gone[0].state, QuizState::Abandoned);
    assert_eq!(
        quiz_answer(store, old_q, 2, 3, now).await,
        RecordOutcome::Closed
    );
    assert_eq!(
        quiz_answer(store, young_q, 2, 3, now).await,
        RecordOutcome::Recorded { correct: true }
    );
    assert_eq!(
        store
            .running_quiz(G, CH2)
            .await
            .expect("running")
            .map(|s| s.id),
        Some(young)
    );
    assert_eq!(store.running_quiz(G, CH).await.expect("running"), None);
    assert_eq!(store.totals(G, UserId(1)).await.expect("totals"), (1, 1, 3));
}

async fn quiz_and_daily_points_rank_together_and_apart_by_kind(store: &Store) {
    // Daily (2 points a right answer): users 1 and 2 right (1 first), 3 wrong.
    let d = daily(store, CH, 16).await.expect("daily");
    answer(store, G, d, 1, true, at(16, 10)).await;
    answer(store, G, d, 2, true, at(16, 11)).await;
    answer(store, G, d, 3, false, at(16, 10)).await;
    // A live quiz in a thread of CH: 3 scores 3, 2 scores 2, 1 is wrong.
    let quiz = start(store, &new_quiz(THREAD, CH, "p1", at(16, 12))).await;
    let q = quiz_post(store, quiz, THREAD).await;
    quiz_answer(store, q, 3, 3, at(16, 12)).await;
    quiz_answer(store, q, 2, 2, at(16, 12) + Duration::seconds(1)).await;
    quiz_answer(store, q, 1, 0, at(16, 12) + Duration::seconds(2)).await;

    // All kinds: 2 has 4 (2 of 2), 3 has 3, 1 has 2.
    let all = [(2, 4), (3, 3), (1, 2)];
    let daily_only = [(1, 2), (2, 2), (3, 0)];
    let quiz_only = [(3, 3), (2, 2), (1, 0)];
    for period in ["all", "w2026-11-16", "m2026-11"] {
        assert_eq!(board_of(store, G, Scope::Server, period, None).await, all);
        assert_eq!(
            board_of(store, G, Scope::Server, period, Some(PostKind::Daily)).await,
            daily_only,
            "{period}"
        );
        assert_eq!(
            board_of(store, G, Scope::Server, period, Some(PostKind::Quiz)).await,
            quiz_only,
            "{period}"
        );
    }
    // `leaderboard` is every kind.
    let plain = store
        .leaderboard(G, Scope::Server, "all", 0, 10, Some(UserId(1)))
        .await
        .expect("board");
    let kinds = store
        .leaderboard_of_kind(G, Scope::Server, "all", None, 0, 10, Some(UserId(1)))
        .await
        .expect("board");
    assert_eq!(plain, kinds);
    assert_eq!(plain.total, 3);
    assert_eq!(plain.me.map(|m| m.rank), Some(3));
    // My rank within a kind.
    let mine = store
        .leaderboard_of_kind(
            G,
            Scope::Server,
            "all",
            Some(PostKind::Daily),
            0,
            1,
            Some(UserId(3)),
        )
        .await
        .expect("board");
    assert_eq!((mine.total, mine.rows.len()), (3, 1));
    let me = mine.me.expect("my line");
    assert_eq!((me.rank, me.points, me.answered, me.correct), (3, 0, 1, 0));
    // Channel scope: the daily question in CH, the quiz in its thread.
    assert_eq!(
        board_of(store, G, Scope::Channel(CH), "all", None).await,
        daily_only
    );
    assert_eq!(
        board_of(store, G, Scope::Channel(CH), "all", Some(PostKind::Quiz)).await,
        []
    );
    assert_eq!(
        board_of(
            store,
            G,
            Scope::Channel(THREAD),
            "all",
            Some(PostKind::Quiz)
        )
        .await,
        quiz_only
    );
    assert_eq!(
        board_of(
            store,
            G,
            Scope::Channel(THREAD),
            "all",
            Some(PostKind::Daily)
        )
        .await,
        []
    );
    // Totals and groups count every kind once.
    assert_eq!(store.totals(G, UserId(2)).await.expect("totals"), (2, 2, 4));
    assert_eq!(store.totals(G, UserId(3)).await.expect("totals"), (2, 1, 3));
    let group = RoleId(500);
    for user in [1, 2, 3] {
        store
            .set_member_roles(G, UserId(user), &[group])
            .await
            .expect("roles");
    }
    let standings = store.group_standings(G, "all", 1).await.expect("groups");
    assert_eq!(standings.len(), 1);
    assert_eq!((standings[0].members, standings[0].total_points), (3, 9));
    assert_eq!(
        board_of(store, G, Scope::Group(group), "all", Some(PostKind::Quiz)).await,
        quiz_only
    );
}

async fn deleting_a_users_data_removes_every_kinds_totals(store: &Store) {
    let d = daily(store, CH, 16).await.expect("daily");
    let quiz = start(store, &new_quiz(CH, CH, "p1", at(16, 12))).await;
    let q = quiz_post(store, quiz, CH).await;
    let theirs = post(store, OTHER, CH, "sqs").await;
    for user in [1, 2] {
        answer(store, G, d, user, true, at(16, 10)).await;
        quiz_answer(store, q, user, 3, at(16, 12)).await;
    }
    answer(store, OTHER, theirs, 2, true, at(16, 10)).await;
    let boards = async |guild: GuildId| {
        let mut out = Vec::new();
        for scope in [Scope::Server, Scope::Channel(CH)] {
            for period in ["all", "w2026-11-16", "m2026-11"] {
                for kind in [None, Some(PostKind::Daily), Some(PostKind::Quiz)] {
                    out.push(board_of(store, guild, scope, period, kind).await);
                }
            }
        }
        out
    };
    assert!(boards(G).await.iter().all(|b| b.len() == 2));
    assert_eq!(
        store
            .delete_user_data(UserId(2), Some(G))
            .await
            .expect("delete"),
        2
    );
    for b in boards(G).await {
        assert_eq!(b.iter().map(|r| r.0).collect::<Vec<_>>(), [1], "{b:?}");
    }
    assert_eq!(store.totals(G, UserId(2)).await.expect("totals"), (0, 0, 0));
    assert_eq!(store.totals(G, UserId(1)).await.expect("totals"), (2, 2, 5));
    assert_eq!(
        store.quiz_standings(quiz).await.expect("standings"),
        [(UserId(1), 3, 1, 1)]
    );
    // The other server keeps user 2 until deleted everywhere.
    assert_eq!(
        board_of(store, OTHER, Scope::Server, "all", Some(PostKind::Quiz)).await,
        [(2, 2)]
    );
    store
        .delete_user_data(UserId(2), None)
        .await
        .expect("delete");
    assert!(boards(OTHER).await.iter().all(Vec::is_empty));
    // Who started a quiz is their data too.
    store
        .delete_user_data(UserId(42), None)
        .await
        .expect("delete");
    assert_eq!(
        store.quiz(quiz).await.expect("quiz").map(|q| q.started_by),
        Some(UserId(0))
    );
}

async fn forgetting_a_server_removes_its_quizzes_and_every_kinds_totals(store: &Store) {
    store.upsert_guild(G, "UTC", at(1, 0)).await.expect("guild");
    let ended = start(store, &new_quiz(CH, CH, "p1", at(16, 9))).await;
    let q = quiz_post(store, ended, CH).await;
    quiz_answer(store, q, 1, 3, at(16, 9)).await;
    store
        .finish_quiz(ended, QuizEnd::Completed, at(16, 10))
        .await
        .expect("finish");
    let running = start(store, &new_quiz(CH, CH, "p1", at(16, 11))).await;
    let d = daily(store, CH2, 16).await.expect("daily");
    answer(store, G, d, 1, true, at(16, 10)).await;
    store.mark_guild_left(G, at(17, 0)).await.expect("left");
    assert_eq!(
        store
            .forget_guilds_left_before(at(20, 0))
            .await
            .expect("forget"),
        [G]
    );
    for quiz in [ended, running] {
        assert_eq!(store.quiz(quiz).await.expect("quiz"), None);
    }
    assert_eq!(store.running_quiz(G, CH).await.expect("running"), None);
    for kind in [None, Some(PostKind::Daily), Some(PostKind::Quiz)] {
        assert_eq!(board_of(store, G, Scope::Server, "all", kind).await, []);
    }
}

// ---- migration step 2 on a database with answers from before it ----

const SQLITE_0001: &str = include_str!("../migrations/sqlite/0001_init.sql");
const POSTGRES_0001: &str = include_str!("../migrations/postgres/0001_init.sql");

/// Data of a server from before step 2, in the first schema: a daily question in CH, a quiz
/// question in CH2, answers over two weeks.
const BEFORE_STEP_2: &[&str] = &[
    "INSERT INTO posts (post_id, guild_id, channel_id, kind, question_id, topic, local_date, posted_at) VALUES (1, 1, 10, 'daily', 'sqs-001', 'sqs', '2026-11-16', 0)",
    "INSERT INTO posts (post_id, guild_id, channel_id, kind, question_id, topic, posted_at) VALUES (2, 1, 11, 'quiz', 'sqs-002', 'sqs', 0)",
    "INSERT INTO posts (post_id, guild_id, channel_id, kind, question_id, topic, posted_at) VALUES (3, 1, 11, 'quiz', 'sqs-003', 'sqs', 0)",
    "INSERT INTO answers (post_id, user_id, guild_id, channel_id, choice, correct, points, answered_at, week_key, month_key) VALUES (1, 1, 1, 10, 'A', TRUE, 2, 1000, 'w2026-11-16', 'm2026-11')",
    "INSERT INTO answers (post_id, user_id, guild_id, channel_id, choice, correct, points, answered_at, week_key, month_key) VALUES (1, 2, 1, 10, 'B', FALSE, 0, 2000, 'w2026-11-16', 'm2026-11')",
    "INSERT INTO answers (post_id, user_id, guild_id, channel_id, choice, correct, points, answered_at, week_key, month_key) VALUES (2, 2, 1, 11, 'A', TRUE, 3, 3000, 'w2026-11-16', 'm2026-11')",
    "INSERT INTO answers (post_id, user_id, guild_id, channel_id, choice, correct, points, answered_at, week_key, month_key) VALUES (3, 2, 1, 11, 'A', TRUE, 2, 4000, 'w2026-11-23', 'm2026-11')",
    "INSERT INTO answers (post_id, user_id, guild_id, channel_id, choice, correct, points, answered_at, week_key, month_key) VALUES (3, 1, 1, 11, 'C', FALSE, 0, 5000, 'w2026-11-23', 'm2026-11')",
    "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    "INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)",
];

/// After step 2, the totals per kind agree with the answers from before it, and new answers
/// add to them.
async fn step_2_backfills_totals_per_kind(store: &Store) {
    let g = GuildId(1);
    let (ch, ch2) = (ChannelId(10), ChannelId(11));
    // User 1: daily 2; quiz 0 (1 wrong). User 2: daily 0 (wrong); quiz 5 (3 + 2).
    let expect = [
        (Scope::Server, "all", None, vec![(2, 5), (1, 2)]),
        (
            Scope::Server,
            "all",
            Some(PostKind::Daily),
            vec![(1, 2), (2, 0)],
        ),
        (
            Scope::Server,
            "all",
            Some(PostKind::Quiz),
            vec![(2, 5), (1, 0)],
        ),
        (
            Scope::Server,
            "w2026-11-16",
            Some(PostKind::Quiz),
            vec![(2, 3)],
        ),
        (
            Scope::Server,
            "w2026-11-23",
            Some(PostKind::Quiz),
            vec![(2, 2), (1, 0)],
        ),
        (Scope::Server, "w2026-11-23", Some(PostKind::Daily), vec![]),
        (
            Scope::Server,
            "m2026-11",
            Some(PostKind::Daily),
            vec![(1, 2), (2, 0)],
        ),
        (
            Scope::Channel(ch),
            "all",
            Some(PostKind::Daily),
            vec![(1, 2), (2, 0)],
        ),
        (Scope::Channel(ch), "all", Some(PostKind::Quiz), vec![]),
        (
            Scope::Channel(ch2),
            "all",
            Some(PostKind::Quiz),
            vec![(2, 5), (1, 0)],
        ),
        (Scope::Channel(ch2), "m2026-11", None, vec![(2, 5), (1, 0)]),
    ];
    for (scope, period, kind, rows) in &expect {
        assert_eq!(
            &board_of(store, g, *scope, period, *kind).await,
            rows,
            "{scope:?} {period} {kind:?}"
        );
    }
    let quiz_board = store
        .leaderboard_of_kind(g, Scope::Server, "all", Some(PostKind::Quiz), 0, 10, None)
        .await
        .expect("board");
    assert_eq!(
        quiz_board
            .rows
            .iter()
            .map(|r| (r.answered, r.correct))
            .collect::<Vec<_>>(),
        [(2, 2), (1, 0)]
    );
    assert_eq!(store.totals(g, UserId(2)).await.expect("totals"), (3, 2, 5));
    // New answers add to the backfilled rows.
    let when = at(23, 10);
    let a = NewAnswer {
        post: PostId(1),
        user: UserId(3),
        choice: "A".into(),
        correct: true,
        points: 9,
        at: when,
    };
    // Post 1 is open still: user 3 answers it late.
    assert_eq!(
        store
            .record_answer(g, &a, &PeriodKeys::at(when, chrono_tz::UTC))
            .await
            .expect("record"),
        RecordOutcome::Recorded { correct: true }
    );
    assert_eq!(
        board_of(store, g, Scope::Server, "all", Some(PostKind::Daily)).await,
        [(3, 9), (1, 2), (2, 0)]
    );
    assert_eq!(
        board_of(store, g, Scope::Server, "all", None).await,
        [(3, 9), (2, 5), (1, 2)]
    );
    assert!(store.migrate().await.expect("migrate again").is_empty());
}

mod step_2 {
    use sqlx::ConnectOptions;
    use std::str::FromStr;

    #[tokio::test]
    async fn backfills_totals_per_kind_on_sqlite() {
        let dir = tempfile::tempdir().expect("tmp");
        let url = format!("sqlite://{}", dir.path().join("old.db").display());
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .expect("url")
            .create_if_missing(true);
        let mut conn = opts.connect().await.expect("connect");
        sqlx::raw_sql(super::SQLITE_0001)
            .execute(&mut conn)
            .await
            .expect("step 1");
        for sql in super::BEFORE_STEP_2 {
            sqlx::query(*sql).execute(&mut conn).await.expect(sql);
        }
        sqlx::Connection::close(conn).await.expect("close");
        let store = super::Store::open(&url).await.expect("open");
        super::step_2_backfills_totals_per_kind(&store).await;
        store.close().await;
    }

    #[tokio::test]
    async fn backfills_totals_per_kind_on_postgres() {
        let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
            println!("skipped: TEST_DATABASE_URL is not set");
            return;
        };
        let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let schema = format!(
            "t{}_{}_steptwo",
            std::process::id(),
            nanos % 1_000_000_000_000
        );
        let admin = sqlx::PgPool::connect(&url).await.expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .expect("schema");
        let opts = sqlx::postgres::PgConnectOptions::from_str(&url)
            .expect("url")
            .options([("search_path", schema.as_str())]);
        let mut conn = opts.connect().await.expect("connect");
        sqlx::raw_sql(super::POSTGRES_0001)
            .execute(&mut conn)
            .await
            .expect("step 1");
        for sql in super::BEFORE_STEP_2 {
            sqlx::query(*sql).execute(&mut conn).await.expect(sql);
        }
        sqlx::Connection::close(conn).await.expect("close");
        let store = super::Store::open_in_schema(&url, Some(&schema))
            .await
            .expect("open");
        super::step_2_backfills_totals_per_kind(&store).await;
        store.close().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await
            .expect("drop");
        admin.close().await;
    }
}

async fn a_post_keeps_the_text_it_showed(store: &Store) {
    let id = store
        .create_post(&NewPost {
            guild: G,
            channel: CH,
            kind: PostKind::Quiz,
            question_id: "sqs-001".into(),
            topic: "sqs".into(),
            local_date: None,
            posted_at: at(16, 9),
            closes_at: None,
            shown: Some(r#"{"id":"sqs-001"}"#.into()),
        })
        .await
        .expect("store")
        .expect("store");
    let p = store.post(G, id).await.expect("store").expect("store");
    assert_eq!(p.shown.as_deref(), Some(r#"{"id":"sqs-001"}"#));
    let old = post(store, G, CH, "sqs").await;
    assert_eq!(
        store
            .post(G, old)
            .await
            .expect("store")
            .expect("store")
            .shown,
        None
    );
}

async fn reports_are_limited_per_day_withheld_by_two_members_and_closed_per_server(store: &Store) {
    let report = |guild: GuildId, user: u64, question: &str, hour: u32| NewReport {
        guild,
        user: UserId(user),
        question_id: question.into(),
        reason: "wrong-answer".into(),
        details: None,
        shown: "Which one?\nA. this\nAnswer: A".into(),
        post: None,
        at: at(16, hour),
    };
    let day = at(16, 0);
    // Five a day per member and server; the sixth is refused, another server is apart.
    for i in 0..5 {
        assert!(
            store
                .add_report(&report(G, 1, &format!("q-{i}"), 9), day, 5)
                .await
                .expect("store")
                .is_some()
        );
    }
    assert_eq!(
        store
            .add_report(&report(G, 1, "q-9", 10), day, 5)
            .await
            .expect("store"),
        None
    );
    assert!(
        store
            .add_report(&report(OTHER, 1, "q-9", 10), day, 5)
            .await
            .expect("store")
            .is_some()
    );
    // Withheld from 2 different members on, per server.
    assert!(
        store
            .withheld_questions(G, 2)
            .await
            .expect("store")
            .is_empty()
    );
    store
        .add_report(&report(G, 2, "q-0", 11), day, 5)
        .await
        .expect("store");
    assert_eq!(
        store.withheld_questions(G, 2).await.expect("store"),
        vec!["q-0".to_string()]
    );
    assert!(
        store
            .withheld_questions(OTHER, 2)
            .await
            .expect("store")
            .is_empty()
    );
    assert_eq!(store.open_reports(G).await.expect("store").len(), 6);
    // Closing one question's reports brings it back; a second close finds none.
    assert_eq!(
        store
            .close_reports(G, "q-0", "resolved", UserId(9), at(16, 12))
            .await
            .expect("store"),
        2
    );
    assert_eq!(
        store
            .close_reports(G, "q-0", "dismissed", UserId(9), at(16, 12))
            .await
            .expect("store"),
        0
    );
    assert!(
        store
            .withheld_questions(G, 2)
            .await
            .expect("store")
            .is_empty()
    );
    assert_eq!(store.open_reports(G).await.expect("store").len(), 4);
    let all = store.all_reports().await.expect("store");
    assert_eq!(all.len(), 7);
    assert_eq!(all.iter().filter(|r| r.state == "resolved").count(), 2);
    // Forget me keeps the report for the maintainers but not who made it.
    store
        .delete_user_data(UserId(1), Some(G))
        .await
        .expect("store");
    let all = store.all_reports().await.expect("store");
    assert!(
        all.iter()
            .filter(|r| r.guild == G)
            .all(|r| r.user != UserId(1))
    );
    assert!(all.iter().any(|r| r.guild == OTHER && r.user == UserId(1)));
    // Forgetting a server the bot left deletes its reports.
    store
        .upsert_guild(OTHER, "UTC", at(1, 0))
        .await
        .expect("store");
    store.mark_guild_left(OTHER, at(2, 0)).await.expect("store");
    store
        .forget_guilds_left_before(at(20, 0))
        .await
        .expect("store");
    assert!(
        store
            .all_reports()
            .await
            .expect("store")
            .iter()
            .all(|r| r.guild != OTHER)
    );
}

/// The card step every answer runs: FSRS from the stored card.
fn step(correct: bool, at: DateTime<Utc>) -> studybot::store::CardStep {
    std::sync::Arc::new(move |prev: Option<CardColumns>| {
        let prev = prev
            .map(CardState::from_columns)
            .transpose()
            .map_err(|e| e.to_string())?;
        let rating = Rating::from_answer(correct, None);
        let card = Scheduler::default()
            .review(prev.as_ref(), rating, at)
            .map_err(|e| e.to_string())?;
        Ok((card.to_columns(), rating.as_str().to_string()))
    })
}

async fn an_answer_and_its_review_card_are_written_together_and_once(store: &Store) {
    let p = post(store, G, CH, "sqs").await;
    let at = at(16, 10);
    let next = step(true, at);
    let update = CardUpdate {
        user: UserId(5),
        question_id: "sqs-001",
        topic: "sqs",
        source: "quiz",
        correct: true,
        at,
        next: next.clone(),
    };
    let answer = NewAnswer {
        post: p,
        user: UserId(5),
        choice: "A".into(),
        correct: true,
        points: 2,
        at,
    };
    let keys = PeriodKeys::at(at, chrono_tz::UTC);
    let (outcome, card) = store
        .record_answer_reviewed(G, &answer, &keys, Some(&update))
        .await
        .expect("record");
    assert_eq!(outcome, RecordOutcome::Recorded { correct: true });
    assert!(card.is_some_and(|c| c.due > at));
    // The second click counts for neither the score nor the card.
    let (outcome, card) = store
        .record_answer_reviewed(G, &answer, &keys, Some(&update))
        .await
        .expect("record");
    assert!(
        matches!(outcome, RecordOutcome::AlreadyAnswered { .. }),
        "{outcome:?}"
    );
    assert_eq!(card, None);
    let cards = store.cards(G, UserId(5)).await.expect("cards");
    assert_eq!(cards.len(), 1);
    assert_eq!((cards[0].answered, cards[0].correct), (1, 1));
    // A second post of the same question: the card moves on from its stored state.
    let q = post(store, G, CH, "sqs").await;
    let later = at + Duration::days(3);
    let next = step(false, later);
    let update = CardUpdate {
        correct: false,
        at: later,
        next: next.clone(),
        ..update
    };
    let answer = NewAnswer {
        post: q,
        correct: false,
        points: 0,
        at: later,
        ..answer
    };
    store
        .record_answer_reviewed(G, &answer, &keys, Some(&update))
        .await
        .expect("record");
    let card = store
        .card(G, UserId(5), "sqs-001")
        .await
        .expect("card")
        .expect("a card");
    assert_eq!((card.answered, card.correct), (2, 1));
    assert!(
        card.state.due - later <= Duration::days(1),
        "a miss comes back soon"
    );
    // Another server's member is apart.
    assert!(
        store
            .cards(OTHER, UserId(5))
            .await
            .expect("cards")
            .is_empty()
    );
    assert_eq!(
        store
            .due_count(G, UserId(5), later + Duration::days(1))
            .await
            .expect("due"),
        1
    );
    let due = store
        .due_cards(G, UserId(5), later + Duration::days(1), 10)
        .await
        .expect("due");
    assert_eq!(due.len(), 1);
    // The one-round-trip read gives the same counts and cards as the separate ones.
    let (now, end, begin) = (later + Duration::days(1), later + Duration::days(2), later);
    let (counts, cards) = store
        .queue_and_due(G, UserId(5), now, end, begin, 10)
        .await
        .expect("queue and due");
    assert_eq!(
        counts,
        store
            .queue_counts(G, UserId(5), now, end, begin)
            .await
            .expect("counts")
    );
    assert_eq!(counts.0, 1);
    assert_eq!(cards, due);
    let (counts, cards) = store
        .queue_and_due(G, UserId(5), at, end, begin, 10)
        .await
        .expect("nothing due yet");
    assert_eq!((counts.0, cards.len()), (0, 0));
    assert_eq!(counts.1, 1, "due before the end of the day");
    // Forget me removes the review state too.
    store
        .delete_user_data(UserId(5), Some(G))
        .await
        .expect("forget");
    assert!(store.cards(G, UserId(5)).await.expect("cards").is_empty());
}

async fn a_review_answered_since_it_was_shown_changes_nothing(store: &Store) {
    let shown = at(16, 9);
    let next = step(true, shown + Duration::seconds(20));
    let update = CardUpdate {
        user: UserId(6),
        question_id: "kinesis-001",
        topic: "kinesis",
        source: "review",
        correct: true,
        at: shown + Duration::seconds(20),
        next: next.clone(),
    };
    assert!(
        store
            .review_card(G, &update, shown)
            .await
            .expect("review")
            .is_some()
    );
    assert_eq!(
        store.review_card(G, &update, shown).await.expect("review"),
        None,
        "a double click is refused"
    );
    let card = store
        .card(G, UserId(6), "kinesis-001")
        .await
        .expect("card")
        .expect("a card");
    assert_eq!(card.answered, 1);
    // The review log keeps the day for the streak; it is new the first time.
    let since = store
        .new_reviews_since(G, UserId(6), shown)
        .await
        .expect("new");
    assert_eq!(since, 1);
    assert_eq!(
        store.review_times(G, UserId(6)).await.expect("times").len(),
        1
    );
}

async fn points_earned_by_a_member_and_by_a_study_group(store: &Store) {
    let p = post(store, G, CH, "sqs").await;
    let q = post(store, G, CH, "kinesis").await;
    answer(store, G, p, 1, true, at(16, 10)).await;
    answer(store, G, q, 1, true, at(17, 10)).await;
    answer(store, G, p, 2, true, at(17, 11)).await;
    answer(store, G, p, 3, false, at(17, 12)).await;
    store
        .set_member_roles(G, UserId(1), &[RoleId(7)])
        .await
        .expect("roles");
    store
        .set_member_roles(G, UserId(2), &[RoleId(7)])
        .await
        .expect("roles");
    let member = store
        .points_earned(G, PointsOf::Member(UserId(1)), at(17, 0), None)
        .await
        .expect("points");
    assert_eq!(member, vec![(at(17, 10), 2)], "only since the 17th");
    let mut group = store
        .points_earned(G, PointsOf::Group(RoleId(7)), at(16, 0), None)
        .await
        .expect("points");
    group.sort();
    assert_eq!(group.len(), 3, "both members' right answers: {group:?}");
    assert!(
        store
            .points_earned(
                G,
                PointsOf::Group(RoleId(7)),
                at(16, 0),
                Some(PostKind::Daily)
            )
            .await
            .expect("points")
            .is_empty(),
        "quiz points only"
    );
    assert!(
        store
            .points_earned(OTHER, PointsOf::Member(UserId(1)), at(1, 0), None)
            .await
            .expect("points")
            .is_empty()
    );
}

/// Clicks that arrive together are written in groups: 60 members answer three posts of the same
/// question at once, each clicking twice. Every first click counts once for the score and once
/// for the card; the card's three answers follow one another (none lost to a concurrent one).
async fn answers_with_cards_arriving_together_each_count_once_in_score_and_card(store: &Store) {
    let posts = [
        post(store, G, CH, "sqs").await,
        post(store, G, CH, "sqs").await,
        post(store, G, CH2, "sqs").await,
    ];
    let at = at(16, 10);
    let store = Arc::new(store.clone());
    let mut tasks = Vec::new();
    for user in 1..=60u64 {
        for (k, p) in posts.iter().enumerate() {
            for click in 0..2 {
                let (store, p) = (Arc::clone(&store), *p);
                tasks.push(tokio::spawn(async move {
                    let correct = (user + k as u64 + click).is_multiple_of(2);
                    let update = CardUpdate {
                        user: UserId(user),
                        question_id: "sqs-001",
                        topic: "sqs",
                        source: "quiz",
                        correct,
                        at,
                        next: step(correct, at),
                    };
                    let answer = NewAnswer {
                        post: p,
                        user: UserId(user),
                        choice: "A".into(),
                        correct,
                        points: i64::from(correct),
                        at,
                    };
                    let keys = PeriodKeys::at(at, chrono_tz::UTC);
                    let (outcome, card) = store
                        .record_answer_reviewed(G, &answer, &keys, Some(&update))
                        .await
                        .expect("record");
                    (user, outcome, card.is_some())
                }));
            }
        }
    }
    let mut recorded = std::collections::HashMap::<u64, (usize, i64)>::new();
    let mut already = 0;
    for t in tasks {
        match t.await.expect("task") {
            (user, RecordOutcome::Recorded { correct }, true) => {
                let e = recorded.entry(user).or_default();
                e.0 += 1;
                e.1 += i64::from(correct);
            }
            (_, RecordOutcome::AlreadyAnswered { .. }, false) => already += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(already, 180);
    for p in posts {
        assert_eq!(store.answer_count(p).await.expect("count"), 60);
    }
    for user in 1..=60u64 {
        let cards = store.cards(G, UserId(user)).await.expect("cards");
        assert_eq!(cards.len(), 1, "member {user}");
        let (n, correct) = recorded[&user];
        assert_eq!(n, 3);
        assert_eq!(
            (cards[0].answered, cards[0].correct),
            (3, correct),
            "member {user}"
        );
        assert_eq!(
            cards[0].state.reps, 3,
            "member {user}: each answer was a review"
        );
    }
    let board = store
        .leaderboard(G, Scope::Server, "all", 0, 100, None)
        .await
        .expect("board");
    assert_eq!(board.total, 60);
    assert_eq!(board.rows.iter().map(|r| r.answered).sum::<i64>(), 180);
}

/// Members answer two posts all at once while others read the leaderboards at the same moment
/// (on PostgreSQL answers reach the totals in the background and before every read, several
/// passes at once). Every answer counts exactly once in the server, channel and week totals.
async fn leaderboards_read_during_a_burst_of_answers_count_each_answer_once(store: &Store) {
    let posts = [
        post(store, G, CH, "sqs").await,
        post(store, G, CH2, "sqs").await,
    ];
    let when = at(16, 10);
    let week = PeriodKeys::at(when, chrono_tz::UTC).week;
    let store = Arc::new(store.clone());
    let mut answers = Vec::new();
    for user in 1..=40u64 {
        for p in posts {
            let store = Arc::clone(&store);
            answers.push(tokio::spawn(async move {
                answer(&store, G, p, user, user % 3 != 0, when).await
            }));
        }
    }
    let mut reads = Vec::new();
    for _ in 0..20 {
        let store = Arc::clone(&store);
        reads.push(tokio::spawn(async move {
            store
                .leaderboard(G, Scope::Server, "all", 0, 10, None)
                .await
                .expect("read")
                .total
        }));
    }
    for a in answers {
        assert!(matches!(
            a.await.expect("task"),
            RecordOutcome::Recorded { .. }
        ));
    }
    for r in reads {
        assert!(r.await.expect("task") <= 40, "more members than answered");
    }
    let board = store
        .leaderboard(G, Scope::Server, "all", 0, 100, None)
        .await
        .expect("read");
    assert_eq!(board.total, 40);
    assert!(
        board.rows.iter().all(|s| s.answered == 2),
        "{:?}",
        board.rows
    );
    let points: i64 = board.rows.iter().map(|s| s.points).sum();
    assert_eq!(
        points,
        2 * 2 * (1..=40u64).filter(|u| u % 3 != 0).count() as i64
    );
    let channel = store
        .leaderboard(G, Scope::Channel(CH2), &week, 0, 100, None)
        .await
        .expect("read");
    assert_eq!(channel.total, 40);
    assert!(
        channel.rows.iter().all(|s| s.answered == 1),
        "{:?}",
        channel.rows
    );
    let (answered, _, _) = store.totals(G, UserId(5)).await.expect("read");
    assert_eq!(answered, 2);
}
