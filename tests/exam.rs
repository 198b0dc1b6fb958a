//! Mock exams through the use cases on a real store with a test clock: on SQLite always, and on
//! PostgreSQL when `TEST_DATABASE_URL` is set. The content is the shipped `content/`.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use studybot::content::Library;
use studybot::exam::SubmittedBy;
use studybot::ids::{GuildId, UserId};
use studybot::scores::Scope;
use studybot::service::Study;
use studybot::service::exam::{ExamAction, ExamRequest, ExamView};
use studybot::store::Store;

#[path = "support/db.rs"]
mod db;

const G: GuildId = GuildId(42);
const ME: UserId = UserId(7);

fn study(store: Store) -> Study {
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    Study::new(store, Library::load(&content, &[]).unwrap())
}

fn req(code: &str, questions: Option<usize>, minutes: Option<u32>, seed: u64) -> ExamRequest {
    ExamRequest {
        code: code.into(),
        questions,
        minutes,
        seed,
    }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// The right picks of the question at `position` as the exam showed it.
fn right(view: &ExamView, position: usize) -> Vec<usize> {
    view.questions[position].question.answer.indexes()
}

async fn act(study: &Study, id: i64, action: ExamAction, at: DateTime<Utc>) -> ExamView {
    study.exam_action(G, ME, id, action, at).await.unwrap()
}

async fn a_timed_exam_is_answered_flagged_submitted_and_graded_per_domain(store: Store) {
    let study = study(store);
    let view = study
        .start_exam(G, ME, &req("dva-c02", Some(10), Some(20), 1), start())
        .await
        .unwrap();
    assert_eq!(view.session.len(), 10);
    assert_eq!(
        view.session.deadline() - view.session.started_at(),
        Duration::minutes(20)
    );
    let id = view.id;
    let mut v = view;
    for p in 0..5 {
        let picks = right(&v, p);
        v = act(
            &study,
            id,
            ExamAction::Answer { position: p, picks },
            start() + Duration::minutes(1),
        )
        .await;
    }
    assert_eq!(v.session.position(), 5, "answering moves on");
    let flagged = act(
        &study,
        id,
        ExamAction::ToggleFlag { position: 5 },
        start() + Duration::minutes(2),
    )
    .await;
    assert!(flagged.session.questions()[5].flagged);
    v = act(
        &study,
        id,
        ExamAction::Previous,
        start() + Duration::minutes(2),
    )
    .await;
    assert_eq!(v.session.position(), 4);
    let review = v.session.review(start() + Duration::minutes(3));
    assert_eq!(review.answered, 5);
    assert_eq!(review.unanswered, vec![5, 6, 7, 8, 9]);
    assert_eq!(review.flagged, vec![5]);
    let done = act(
        &study,
        id,
        ExamAction::Submit,
        start() + Duration::minutes(4),
    )
    .await;
    let result = done.result.clone().expect("graded");
    assert_eq!((result.correct, result.total), (5, 10));
    assert_eq!(result.domains.iter().map(|d| d.total).sum::<usize>(), 10);
    assert_eq!(result.unanswered.len(), 5);
    assert_eq!(
        result.missed.len(),
        5,
        "missed counts the unanswered ones too"
    );
    assert_eq!(
        done.session.submission().map(|s| s.by),
        Some(SubmittedBy::Member)
    );
    // Exam answers feed the review cards, never the leaderboards.
    let cards = study.store.cards(G, ME).await.unwrap();
    assert_eq!(cards.len(), 5);
    assert!(cards.iter().all(|c| c.correct == 1));
    let board = study
        .store
        .leaderboard(G, Scope::Server, "all", 0, 10, None)
        .await
        .unwrap();
    assert_eq!(board.total, 0);
    let history = study.exam_history(G, ME).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].result.as_ref().map(|r| r.correct), Some(5));
    // Readiness now exists for DVA-C02 (and any other exam those questions are tagged with).
    let readiness = study.readiness(G, ME).await.unwrap();
    assert!(readiness.iter().any(|r| r.exam == "DVA-C02"));
    // Nothing is recorded twice: a second submit is refused.
    let again = study
        .exam_action(
            G,
            ME,
            id,
            ExamAction::Submit,
            start() + Duration::minutes(5),
        )
        .await
        .unwrap_err();
    assert!(again.to_string().contains("already submitted"), "{again}");
    assert_eq!(study.store.cards(G, ME).await.unwrap()[0].answered, 1);
}

async fn time_running_out_submits_the_exam_and_later_answers_are_refused(store: Store) {
    let study = study(store);
    let v = study
        .start_exam(G, ME, &req("SAP-C02", Some(4), Some(1), 2), start())
        .await
        .unwrap();
    let id = v.id;
    act(
        &study,
        id,
        ExamAction::Answer {
            position: 0,
            picks: right(&v, 0),
        },
        start() + Duration::seconds(30),
    )
    .await;
    // An answer after the deadline: the exam is submitted by the timer with what was given.
    let late = start() + Duration::minutes(2);
    let v2 = act(
        &study,
        id,
        ExamAction::Answer {
            position: 1,
            picks: right(&v, 1),
        },
        late,
    )
    .await;
    let r = v2.result.expect("submitted by the timer");
    assert_eq!(
        v2.session.submission().map(|s| s.by),
        Some(SubmittedBy::Timer)
    );
    assert_eq!(
        (r.correct, r.total),
        (1, 4),
        "the late answer did not count"
    );
    let err = study
        .exam_action(
            G,
            ME,
            id,
            ExamAction::Answer {
                position: 1,
                picks: vec![0],
            },
            late,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already submitted"), "{err}");
    // The background auto-submit finds open exams whose time ran out.
    let v3 = study
        .start_exam(G, ME, &req("SAP-C02", Some(4), Some(1), 3), late)
        .await
        .unwrap();
    assert_eq!(
        study
            .submit_expired_exams(late + Duration::seconds(30))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        study
            .submit_expired_exams(late + Duration::minutes(2))
            .await
            .unwrap(),
        1
    );
    let err = study
        .resume_exam(G, ME, late + Duration::minutes(3))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no open exam"), "{err}");
    let shown = act(&study, v3.id, ExamAction::Show, late + Duration::minutes(3)).await;
    assert_eq!(shown.result.map(|r| r.correct), Some(0));
}

async fn an_exam_survives_a_restart_and_resumes_where_it_was(store: Store) {
    let before = study(store.clone());
    let v = before
        .start_exam(G, ME, &req("DVA-C02", Some(6), None, 4), start())
        .await
        .unwrap();
    assert_eq!(
        v.session.deadline() - start(),
        Duration::minutes(12),
        "130 min for 65 → 12 for 6"
    );
    act(
        &before,
        v.id,
        ExamAction::Answer {
            position: 0,
            picks: right(&v, 0),
        },
        start(),
    )
    .await;
    act(
        &before,
        v.id,
        ExamAction::ToggleFlag { position: 1 },
        start(),
    )
    .await;
    act(&before, v.id, ExamAction::GoTo { position: 3 }, start()).await;
    drop(before);
    // A new process on the same database.
    let after = study(store);
    let resumed = after
        .resume_exam(G, ME, start() + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(resumed.id, v.id);
    assert_eq!(resumed.session.position(), 3);
    assert!(resumed.session.questions()[0].is_answered());
    assert!(resumed.session.questions()[1].flagged);
    let ids = |v: &ExamView| {
        v.questions
            .iter()
            .map(|q| (q.question.id.clone(), q.question.prompt.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&resumed), ids(&v), "the questions as first shown");
}

async fn one_open_exam_per_member_and_bad_input_is_refused(store: Store) {
    let study = study(store);
    let v = study
        .start_exam(G, ME, &req("DVA-C02", Some(5), None, 5), start())
        .await
        .unwrap();
    let err = |r: Result<ExamView, studybot::service::ServiceError>| r.unwrap_err().to_string();
    let e = err(study
        .start_exam(G, ME, &req("DVA-C02", Some(5), None, 6), start())
        .await);
    assert!(e.contains("already have an exam open"), "{e}");
    let e = err(study
        .start_exam(G, UserId(8), &req("XYZ-C01", None, None, 6), start())
        .await);
    assert!(
        e.contains("unknown exam") && e.contains("DVA-C02") && e.contains("SAP-C02"),
        "{e}"
    );
    let e = err(study
        .start_exam(G, UserId(8), &req("DVA-C02", Some(500), None, 6), start())
        .await);
    assert!(e.contains("1 to 200"), "{e}");
    let e = err(study
        .start_exam(G, UserId(8), &req("DOP-C02", Some(200), None, 6), start())
        .await);
    assert!(e.contains("not enough DOP-C02 questions"), "{e}");
    let e = err(study
        .exam_action(G, UserId(8), v.id, ExamAction::Next, start())
        .await);
    assert!(e.contains("someone else"), "{e}");
    let e = err(study
        .exam_action(GuildId(43), ME, v.id, ExamAction::Next, start())
        .await);
    assert!(e.contains("not from this server"), "{e}");
    let e = err(study
        .exam_action(
            G,
            ME,
            v.id,
            ExamAction::Answer {
                position: 0,
                picks: vec![0, 1, 2],
            },
            start(),
        )
        .await);
    assert!(e.contains("needs"), "{e}");
}

macro_rules! on_both {
    ($($name:ident),*) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = super::db::sqlite().await;
                super::$name(db.store.clone()).await;
                db.cleanup().await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = super::db::postgres(stringify!($name)).await else { return };
                super::$name(db.store.clone()).await;
                db.cleanup().await;
            })*
        }
    };
}

on_both!(
    a_timed_exam_is_answered_flagged_submitted_and_graded_per_domain,
    time_running_out_submits_the_exam_and_later_answers_are_refused,
    an_exam_survives_a_restart_and_resumes_where_it_was,
    one_open_exam_per_member_and_bad_input_is_refused
);
