//! Tests of the use cases over a real SQLite store.

use super::*;
use crate::content::Library;
use crate::ids::ChannelId;
use crate::ids::{PostId, RoleId, UserId};
use crate::notes::NoteFile;
use crate::quiz::Bank;
use crate::scores::{Period, RecordOutcome, Scope};
use crate::search::{Glossary, NoteIndex};
use crate::store::{NewPost, PostKind};
use chrono::TimeZone;
use chrono::Utc;

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
id = "sqs-002"
topic = "sqs"
exams = ["DVA-C02"]
difficulty = "hard"
prompt = "Which two raise throughput?"
choices = ["Batching", "Long polling", "More consumers", "A smaller queue"]
answer = ["A", "C"]
explanation = "Batch and scale out."
source = "sqs.md#sqs"
"#;

async fn study() -> (Study, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sqs.toml"), BANK).unwrap();
    let notes = vec![NoteFile {
        root: "notes".into(),
        file: "sqs.md".into(),
        front_matter: Default::default(),
        anchors: vec!["sqs".into()],
        anchor_lines: vec![1],
        topic: "sqs".into(),
    }];
    let bank = Bank::load_valid(dir.path(), &notes).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("s.db").display()))
        .await
        .unwrap();
    let index = NoteIndex::build(Vec::new(), Glossary::default()).unwrap();
    (
        Study::new(
            store,
            Library {
                index,
                bank,
                exams: Default::default(),
            },
        ),
        dir,
    )
}

async fn post(study: &Study, question: &str) -> PostId {
    study
        .store
        .create_post(&NewPost {
            guild: GuildId(1),
            channel: ChannelId(2),
            kind: PostKind::Quiz,
            question_id: question.into(),
            topic: "sqs".into(),
            local_date: None,
            posted_at: Utc::now(),
            closes_at: None,
            shown: None,
        })
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn answers_are_graded_and_the_second_click_is_told_the_first() {
    let (study, _dir) = study().await;
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
    let p = post(&study, "sqs-001").await;
    let r = study
        .answer(GuildId(1), p, UserId(5), &[1], Some(&[RoleId(9)]), now)
        .await
        .unwrap();
    assert_eq!(r.outcome, RecordOutcome::Recorded { correct: false });
    assert_eq!(r.question.explanation, "30 seconds by default.");
    let r = study
        .answer(GuildId(1), p, UserId(5), &[0], None, now)
        .await
        .unwrap();
    assert_eq!(
        r.outcome,
        RecordOutcome::AlreadyAnswered {
            choice: "B".into(),
            correct: false
        }
    );
    let q = post(&study, "sqs-002").await;
    let r = study
        .answer(GuildId(1), q, UserId(6), &[2, 0], Some(&[RoleId(9)]), now)
        .await
        .unwrap();
    assert_eq!(r.outcome, RecordOutcome::Recorded { correct: true });
    assert_eq!(r.points, 3, "the reply says what the answer earned");
    let groups = study
        .group_standings(GuildId(1), Period::Week, now)
        .await
        .unwrap();
    assert_eq!(
        groups
            .iter()
            .map(|g| (g.role, g.members))
            .collect::<Vec<_>>(),
        vec![(RoleId(9), 2)],
        "answering remembers the member's roles for study groups"
    );
    let board = study
        .leaderboard(GuildId(1), Scope::Server, Period::Week, 0, UserId(5), now)
        .await
        .unwrap();
    assert_eq!(board.rows[0].user, UserId(6));
    assert_eq!(board.rows[0].points, 3, "hard questions are worth 3");
    assert_eq!(board.me.map(|m| m.rank), Some(2));
    let stats = study.stats(GuildId(1), UserId(6)).await.unwrap();
    assert_eq!((stats.answered, stats.correct, stats.points), (1, 1, 3));
}

#[tokio::test]
async fn the_week_follows_the_servers_time_zone() {
    let (study, _dir) = study().await;
    let guild = GuildId(1);
    study
        .store
        .upsert_guild(guild, "Asia/Tokyo", Utc::now())
        .await
        .unwrap();
    let p = post(&study, "sqs-001").await;
    // Sunday 16:00 UTC is Monday 01:00 in Tokyo: the answer counts in the new week.
    let sunday_utc = Utc.with_ymd_and_hms(2026, 11, 22, 16, 0, 0).unwrap();
    study
        .answer(guild, p, UserId(5), &[0], None, sunday_utc)
        .await
        .unwrap();
    let monday = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    let week = study
        .leaderboard(guild, Scope::Server, Period::Week, 0, UserId(5), monday)
        .await
        .unwrap();
    assert_eq!(week.rows.len(), 1);
    let earlier = Utc.with_ymd_and_hms(2026, 11, 22, 14, 0, 0).unwrap();
    let last_week = study
        .leaderboard(guild, Scope::Server, Period::Week, 0, UserId(5), earlier)
        .await
        .unwrap();
    assert!(
        last_week.rows.is_empty(),
        "Sunday 23:00 in Tokyo is still the old week"
    );
}

#[tokio::test]
async fn an_admin_sets_pauses_resumes_and_removes_a_daily_question() {
    let (study, _dir) = study().await;
    let guild = GuildId(1);
    study
        .store
        .upsert_guild(guild, "Europe/Berlin", Utc::now())
        .await
        .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
    let req = DailyRequest {
        channel: 5,
        time: "09:00".into(),
        ..Default::default()
    };
    let s = study.set_daily(guild, &req, now).await.unwrap();
    assert_eq!(
        s.zone,
        chrono_tz::Europe::Berlin,
        "the server's zone by default"
    );
    // 10:00 UTC is 11:00 in Berlin: the next 09:00 is tomorrow, 08:00 UTC.
    assert_eq!(
        s.next.unwrap().1,
        Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap()
    );
    study.pause_daily(guild, ChannelId(5)).await.unwrap();
    let status = study.daily_status(guild).await.unwrap();
    assert_eq!(
        status[0].paused_reason.as_deref(),
        Some("paused by an admin")
    );
    let later = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
    let s = study
        .resume_daily(guild, ChannelId(5), later)
        .await
        .unwrap();
    assert_eq!(s.paused_reason, None);
    assert_eq!(
        s.next.unwrap().0,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    );
    // Changing the time keeps the channel's seed.
    let again = study
        .set_daily(
            guild,
            &DailyRequest {
                time: "18:30".into(),
                ..req.clone()
            },
            later,
        )
        .await
        .unwrap();
    assert_eq!(again.seed, s.seed);
    study.remove_daily(guild, ChannelId(5)).await.unwrap();
    assert!(study.daily_status(guild).await.unwrap().is_empty());
    assert!(matches!(
        study.remove_daily(guild, ChannelId(5)).await,
        Err(ServiceError::User(UserError::NoSchedule))
    ));
}

#[tokio::test]
async fn bad_schedule_input_is_refused_with_a_message_to_act_on() {
    let (study, _dir) = study().await;
    let now = Utc::now();
    let bad = |f: fn(&mut DailyRequest)| {
        let mut r = DailyRequest {
            channel: 5,
            time: "09:00".into(),
            ..Default::default()
        };
        f(&mut r);
        r
    };
    let cases: Vec<(DailyRequest, &str)> = vec![
        (bad(|r| r.time = "9am".into()), "HH:MM"),
        (bad(|r| r.zone = Some("Berlin".into())), "IANA"),
        (bad(|r| r.days = Some("funday".into())), "mon,wed,fri"),
        (
            bad(|r| r.topic = Some("kinesys".into())),
            "no topic \"kinesys\"",
        ),
        (bad(|r| r.exam = Some("XYZ-C01".into())), "exam \"XYZ-C01\""),
        (bad(|r| r.window_hours = Some(48)), "at most 24 hours"),
    ];
    for (req, want) in cases {
        let err = study
            .set_daily(GuildId(1), &req, now)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err} should mention {want}");
    }
    assert!(study.daily_status(GuildId(1)).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_choose_two_question_needs_two_picks_and_foreign_posts_are_refused() {
    let (study, _dir) = study().await;
    let now = Utc::now();
    let q = post(&study, "sqs-002").await;
    let err = study
        .answer(GuildId(1), q, UserId(6), &[0], None, now)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::User(UserError::WrongPickCount {
                expected: 2,
                picked: 1
            })
        ),
        "{err}"
    );
    let err = study
        .answer(GuildId(1), q, UserId(6), &[0, 9], None, now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::User(UserError::NoSuchChoice)),
        "{err}"
    );
    let err = study
        .answer(GuildId(99), q, UserId(6), &[0, 2], None, now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::User(UserError::UnknownPost)),
        "{err}"
    );
    assert_eq!(study.store.answer_count(q).await.unwrap(), 0);
}

/// A post that kept the question as it showed it.
async fn shown_post(study: &Study, question: &str) -> PostId {
    let q = study.content().bank.get(question).unwrap().clone();
    study
        .store
        .create_post(&NewPost {
            guild: GuildId(1),
            channel: ChannelId(2),
            kind: PostKind::Daily,
            question_id: question.into(),
            topic: "sqs".into(),
            local_date: None,
            posted_at: Utc::now(),
            closes_at: None,
            shown: Some(q.shown_json()),
        })
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_post_keeps_the_question_it_showed_when_the_bank_changes() {
    let (study, _dir) = study().await;
    let p = shown_post(&study, "sqs-001").await;
    // The question is removed from the bank (a content reload).
    let index = NoteIndex::build(Vec::new(), Glossary::default()).unwrap();
    study.shelf().replace(Library {
        index,
        bank: Bank::default(),
        exams: Default::default(),
    });
    assert!(study.content().bank.get("sqs-001").is_none());
    let r = study
        .answer(GuildId(1), p, UserId(5), &[0], None, Utc::now())
        .await
        .unwrap();
    assert_eq!(r.outcome, RecordOutcome::Recorded { correct: true });
    assert_eq!(r.question.explanation, "30 seconds by default.");
    // Without a kept text, the removed question cannot be graded: said, not guessed.
    let old = post(&study, "sqs-001").await;
    let err = study
        .answer(GuildId(1), old, UserId(5), &[0], None, Utc::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::User(UserError::UnknownQuestion)),
        "{err}"
    );
}

#[tokio::test]
async fn two_members_reporting_a_question_take_it_out_of_rotation_until_an_admin_resolves_it() {
    use crate::service::reports::{REPORTS_PER_DAY, ReportReason};
    let (study, _dir) = study().await;
    let guild = GuildId(1);
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
    let p = shown_post(&study, "sqs-001").await;
    let first = study
        .report_question(
            guild,
            UserId(5),
            None,
            Some(p),
            ReportReason::WrongAnswer,
            None,
            now,
        )
        .await
        .unwrap();
    assert!(!first.withheld, "one report is not enough");
    // The same member again does not count twice.
    let again = study
        .report_question(
            guild,
            UserId(5),
            Some("sqs-001"),
            None,
            ReportReason::Typo,
            Some("typo in B"),
            now,
        )
        .await
        .unwrap();
    assert!(!again.withheld);
    let second = study
        .report_question(
            guild,
            UserId(6),
            Some("sqs-001"),
            None,
            ReportReason::Unclear,
            None,
            now,
        )
        .await
        .unwrap();
    assert!(second.withheld, "two members take it out");
    assert_eq!(
        study.store.withheld_questions(GuildId(2), 2).await.unwrap(),
        Vec::<String>::new(),
        "another server still asks it"
    );
    let open = study.open_reports(guild).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].members, 2);
    assert_eq!(open[0].details, vec!["typo in B".to_string()]);
    assert!(open[0].shown.contains("Answer: A"), "{}", open[0].shown);
    assert_eq!(open[0].reasons.values().sum::<usize>(), 3);

    let n = study
        .close_reports(guild, "sqs-001", true, UserId(1), now)
        .await
        .unwrap();
    assert_eq!(n, 3);
    assert!(study.open_reports(guild).await.unwrap().is_empty());
    assert!(
        study
            .store
            .withheld_questions(guild, 2)
            .await
            .unwrap()
            .is_empty()
    );
    let err = study
        .close_reports(guild, "sqs-001", false, UserId(1), now)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no open reports"), "{err}");

    // Bad input: unknown ids, long details, and the daily limit.
    let err = study
        .report_question(
            guild,
            UserId(7),
            Some("nope-1"),
            None,
            ReportReason::Other,
            None,
            now,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no question \"nope-1\""), "{err}");
    let long = "x".repeat(501);
    let err = study
        .report_question(
            guild,
            UserId(7),
            Some("sqs-001"),
            None,
            ReportReason::Other,
            Some(&long),
            now,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at most 500"), "{err}");
    for _ in 0..REPORTS_PER_DAY {
        study
            .report_question(
                guild,
                UserId(8),
                Some("sqs-002"),
                None,
                ReportReason::Other,
                None,
                now,
            )
            .await
            .unwrap();
    }
    let err = study
        .report_question(
            guild,
            UserId(8),
            Some("sqs-002"),
            None,
            ReportReason::Other,
            None,
            now,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at most 5"), "{err}");
    let tomorrow = now + chrono::Duration::days(1);
    study
        .report_question(
            guild,
            UserId(8),
            Some("sqs-002"),
            None,
            ReportReason::Other,
            None,
            tomorrow,
        )
        .await
        .expect("a new day, a new allowance");
}
