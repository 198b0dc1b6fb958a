use chrono::TimeZone;

use super::*;
use crate::quiz::{Answer, Difficulty, SourceRef};

const ANA: UserId = UserId(1);
const BO: UserId = UserId(2);
const CY: UserId = UserId(3);
const DEE: UserId = UserId(4);
const EVE: UserId = UserId(5);

/// The fixed clock: 18:00:00 UTC plus `seconds`.
fn at(seconds: i64) -> DateTime<Utc> {
    at_ms(seconds * 1000)
}

fn at_ms(ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 18, 0, 0).unwrap() + Duration::milliseconds(ms)
}

/// A single-answer question: four choices, the answer is B.
fn question(id: &str) -> Question {
    Question {
        id: id.into(),
        topic: "kinesis".into(),
        exams: vec!["DVA-C02".into()],
        domains: Default::default(),
        difficulty: Difficulty::Easy,
        prompt: format!("Question {id}?"),
        choices: vec!["one".into(), "two".into(), "three".into(), "four".into()],
        answer: Answer::Single(1),
        explanation: "Because.".into(),
        source: SourceRef {
            file: "kinesis.md".into(),
            anchor: "kinesis".into(),
        },
        file: "content/questions/kinesis.toml".into(),
        line: 1,
    }
}

/// "Choose two" of five choices: the answer is A and C.
fn choose_two(id: &str) -> Question {
    Question {
        choices: vec!["a".into(), "b".into(), "c".into(), "d".into(), "e".into()],
        answer: Answer::Multi(vec![2, 0]),
        ..question(id)
    }
}

/// A quiz of `n` single-answer questions, 20 s each, started at `at(0)`.
fn started(n: usize) -> LiveQuiz {
    let questions = (0..n).map(|i| question(&format!("q-{i}"))).collect();
    let mut quiz = LiveQuiz::new(questions, LiveQuizSettings::default()).unwrap();
    quiz.start(at(0));
    quiz
}

fn asked(out: &Output) -> (usize, DateTime<Utc>) {
    match out {
        Output::Ask {
            index, closes_at, ..
        } => (*index, *closes_at),
        other => panic!("expected Ask, got {other:?}"),
    }
}

fn winners(out: &Output) -> Vec<(UserId, u32)> {
    match out {
        Output::Reveal { winners, .. } => winners.iter().map(|w| (w.user, w.points)).collect(),
        other => panic!("expected Reveal, got {other:?}"),
    }
}

fn finished(out: &Output) -> (FinishReason, usize, Vec<(UserId, u32)>) {
    match out {
        Output::Finished {
            reason,
            asked,
            standings,
        } => (
            *reason,
            *asked,
            standings.iter().map(|s| (s.user, s.points)).collect(),
        ),
        other => panic!("expected Finished, got {other:?}"),
    }
}

#[test]
fn start_asks_the_first_question_with_a_countdown() {
    let mut quiz = LiveQuiz::new(vec![question("a"), question("b")], Default::default()).unwrap();
    assert_eq!(quiz.deadline(), None);
    let out = quiz.start(at(0));
    assert_eq!(out.len(), 1);
    assert!(
        matches!(&out[0], Output::Ask { index: 0, total: 2, question, .. } if question.id == "a")
    );
    assert_eq!(quiz.deadline(), Some(at(20)));
    let (index, q, closes_at) = quiz.current().unwrap();
    assert_eq!((index, q.id.as_str(), closes_at), (0, "a", at(20)));
    assert!(
        quiz.start(at(1)).is_empty(),
        "a second start changes nothing"
    );
}

#[test]
fn tick_waits_for_the_deadline_then_reveals_and_asks_the_next() {
    let mut quiz = started(3);
    assert!(quiz.tick(at(19)).is_empty());
    assert_eq!(quiz.current().unwrap().0, 0);

    let out = quiz.tick(at(20));
    assert_eq!(out.len(), 2);
    assert!(
        matches!(&out[0], Output::Reveal { index: 0, correct, answered: 0, .. } if correct == "B")
    );
    assert_eq!(asked(&out[1]), (1, at(40)));
    assert_eq!(quiz.deadline(), Some(at(40)));
}

#[test]
fn a_stalled_tick_asks_only_the_next_question() {
    let mut quiz = started(5);
    let out = quiz.tick(at(600));
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(matches!(out[0], Output::Reveal { index: 0, .. }));
    assert_eq!(asked(&out[1]), (1, at(620)));
    assert!(quiz.tick(at(601)).is_empty());
}

#[test]
fn the_last_reveal_completes_the_quiz_and_then_everything_is_refused() {
    let mut quiz = started(2);
    quiz.answer(ANA, &[1], at(3)).unwrap();
    quiz.tick(at(20));
    let out = quiz.tick(at(40));
    assert!(matches!(out[0], Output::Reveal { index: 1, .. }));
    assert_eq!(
        finished(&out[1]),
        (FinishReason::Completed, 2, vec![(ANA, 3)])
    );
    assert!(quiz.is_finished());
    assert_eq!(quiz.finish_reason(), Some(FinishReason::Completed));
    assert_eq!(quiz.answer(BO, &[1], at(41)), Err(AnswerError::NotRunning));
    assert!(quiz.tick(at(100)).is_empty());
    assert!(quiz.stop(at(100)).is_empty());
    assert!(quiz.abandon().is_empty());
    assert_eq!(quiz.deadline(), None);
}

#[test]
fn stop_reveals_the_open_question_and_finishes_with_standings() {
    let mut quiz = started(5);
    quiz.answer(ANA, &[1], at(2)).unwrap();
    let out = quiz.stop(at(5));
    assert_eq!(out.len(), 2);
    assert_eq!(winners(&out[0]), vec![(ANA, 3)]);
    assert_eq!(
        finished(&out[1]),
        (FinishReason::Stopped, 1, vec![(ANA, 3)])
    );
    assert!(quiz.is_finished());
    assert_eq!(quiz.answer(BO, &[1], at(6)), Err(AnswerError::NotRunning));
}

#[test]
fn a_second_answer_is_refused_with_the_first_choice() {
    let mut quiz = started(5);
    let first = quiz.answer(ANA, &[2], at(1)).unwrap();
    assert_eq!(
        (first.choice.as_str(), first.correct, first.points),
        ("C", false, 0)
    );
    let err = quiz.answer(ANA, &[1], at(2)).unwrap_err();
    assert_eq!(err, AnswerError::AlreadyAnswered { choice: "C".into() });
    assert_eq!(
        err.to_string(),
        "you already answered C; only your first answer counts"
    );
    assert_eq!(quiz.answer_count(0), 1);
    assert_eq!(
        quiz.standings()[0].points,
        0,
        "the correct retry scored nothing"
    );
}

#[test]
fn the_first_two_correct_answers_earn_a_speed_bonus() {
    let mut quiz = started(5);
    assert_eq!(quiz.answer(ANA, &[1], at(2)).unwrap().points, 3);
    let wrong = quiz.answer(BO, &[0], at(3)).unwrap();
    assert_eq!((wrong.correct, wrong.points), (false, 0));
    assert_eq!(quiz.answer(CY, &[1], at(5)).unwrap().points, 2);
    assert_eq!(quiz.answer(DEE, &[1], at(9)).unwrap().points, 1);
    assert_eq!(quiz.answer(EVE, &[1], at(12)).unwrap().points, 1);
    assert_eq!(
        [points_for(0), points_for(1), points_for(2), points_for(3)],
        [3, 2, 1, 1]
    );
    assert!(POINTS_RULE.contains("3, then 2, then 1"));
}

#[test]
fn the_reveal_lists_correct_users_fastest_first_with_the_vote_split() {
    let mut quiz = started(5);
    let users = [BO, CY, ANA, DEE, EVE, UserId(6), UserId(7)];
    let picks = [1, 3, 1, 1, 1, 1, 1];
    for (i, (user, pick)) in users.iter().zip(picks).enumerate() {
        quiz.answer(*user, &[pick], at_ms(1500 + 1000 * i as i64))
            .unwrap();
    }
    assert_eq!(quiz.vote_split(0), vec![0, 6, 0, 1]);
    assert_eq!(quiz.answers(0)[1].letters(), "D");
    let out = quiz.tick(at(20));
    let Output::Reveal {
        winners: list,
        answered,
        split,
        top,
        ..
    } = &out[0]
    else {
        panic!("expected Reveal, got {out:?}");
    };
    assert_eq!(*answered, 7);
    assert_eq!(split, &vec![0, 6, 0, 1]);
    assert_eq!(list[0].response_ms, 1500);
    assert_eq!(
        winners(&out[0]),
        vec![
            (BO, 3),
            (ANA, 2),
            (DEE, 1),
            (EVE, 1),
            (UserId(6), 1),
            (UserId(7), 1)
        ]
    );
    assert_eq!(top.len(), 5, "a reveal shows only the top 5");
    assert_eq!((top[0].rank, top[0].user), (1, BO));
}

#[test]
fn abandoning_keeps_the_points_so_far() {
    let mut quiz = started(5);
    quiz.answer(ANA, &[1], at(2)).unwrap();
    quiz.tick(at(20));
    quiz.answer(BO, &[1], at(21)).unwrap();
    let out = quiz.abandon();
    assert_eq!(out.len(), 1, "nothing is revealed after a restart");
    assert_eq!(
        finished(&out[0]),
        (FinishReason::Abandoned, 2, vec![(BO, 3), (ANA, 3)])
    );
    assert_eq!(quiz.answer(CY, &[1], at(22)), Err(AnswerError::NotRunning));
}

#[test]
fn three_silent_questions_end_the_quiz() {
    let mut quiz = started(5);
    assert_eq!(asked(&quiz.tick(at(20))[1]).0, 1);
    assert_eq!(asked(&quiz.tick(at(40))[1]).0, 2);
    let out = quiz.tick(at(60));
    assert!(matches!(out[0], Output::Reveal { index: 2, .. }));
    assert_eq!(finished(&out[1]), (FinishReason::Silent, 3, vec![]));
    assert!(quiz.is_finished());
}

#[test]
fn an_answer_resets_the_silent_count() {
    let mut quiz = started(8);
    quiz.tick(at(20));
    quiz.tick(at(40));
    quiz.answer(ANA, &[0], at(45)).unwrap();
    assert_eq!(asked(&quiz.tick(at(60))[1]).0, 3);
    assert_eq!(asked(&quiz.tick(at(80))[1]).0, 4);
    assert_eq!(asked(&quiz.tick(at(100))[1]).0, 5);
    let out = quiz.tick(at(120));
    assert_eq!(finished(&out[1]), (FinishReason::Silent, 6, vec![(ANA, 0)]));
}

#[test]
fn the_silent_limit_is_a_setting() {
    let settings = LiveQuizSettings::default().with_silent_limit(1).unwrap();
    let mut quiz = LiveQuiz::new(vec![question("a"), question("b")], settings).unwrap();
    quiz.start(at(0));
    let out = quiz.tick(at(20));
    assert_eq!(finished(&out[1]).0, FinishReason::Silent);
}

#[test]
fn answering_at_the_deadline_is_too_late() {
    let mut quiz = started(5);
    assert_eq!(quiz.answer(ANA, &[1], at(20)), Err(AnswerError::TooLate));
    assert!(quiz.answer(BO, &[1], at_ms(19_999)).unwrap().correct);
    assert_eq!(quiz.answer_count(0), 1);
}

#[test]
fn a_choose_two_question_needs_exactly_two_different_picks() {
    let mut quiz = LiveQuiz::new(vec![choose_two("two")], Default::default()).unwrap();
    assert_eq!(
        quiz.answer(ANA, &[0, 2], at(0)),
        Err(AnswerError::NotRunning)
    );
    quiz.start(at(0));
    let wrong_count = |picked| AnswerError::WrongPickCount {
        expected: 2,
        picked,
    };
    assert_eq!(quiz.answer(ANA, &[0], at(1)), Err(wrong_count(1)));
    assert_eq!(quiz.answer(ANA, &[2, 2], at(1)), Err(wrong_count(1)));
    assert_eq!(quiz.answer(ANA, &[0, 1, 2], at(1)), Err(wrong_count(3)));
    assert_eq!(
        wrong_count(1).to_string(),
        "this question needs 2 choice(s); you picked 1"
    );
    let err = quiz.answer(ANA, &[0, 7], at(1)).unwrap_err();
    assert_eq!(err.to_string(), "there is no choice H; pick A to E");
    assert_eq!(quiz.answer_count(0), 0, "refused answers are not recorded");

    let ok = quiz.answer(ANA, &[2, 0, 2], at(2)).unwrap();
    assert_eq!(
        (ok.choice.as_str(), ok.correct, ok.points),
        ("A, C", true, 3)
    );
    assert_eq!(
        quiz.answer(ANA, &[0, 1], at(3)),
        Err(AnswerError::AlreadyAnswered {
            choice: "A, C".into()
        })
    );
    assert_eq!(quiz.vote_split(0), vec![1, 0, 1, 0, 0]);
}

#[test]
fn settings_outside_their_ranges_are_refused_with_a_sentence() {
    let message = |q, s| LiveQuizSettings::new(q, s).unwrap_err().to_string();
    assert_eq!(
        message(40, 20),
        "questions must be between 5 and 30; you asked for 40"
    );
    assert_eq!(
        message(4, 20),
        "questions must be between 5 and 30; you asked for 4"
    );
    assert_eq!(
        message(10, 9),
        "seconds per question must be between 10 and 120; you asked for 9"
    );
    assert_eq!(
        message(10, 121),
        "seconds per question must be between 10 and 120; you asked for 121"
    );
    assert!(LiveQuizSettings::new(5, 10).is_ok());
    assert!(LiveQuizSettings::new(30, 120).is_ok());
    let d = LiveQuizSettings::default();
    assert_eq!((d.questions(), d.seconds(), d.silent_limit()), (10, 20, 3));
    assert_eq!(
        d.with_silent_limit(0),
        Err(SettingsError::SilentLimit { asked: 0 })
    );
}

#[test]
fn the_quiz_asks_at_most_the_configured_number_of_questions() {
    assert_eq!(
        LiveQuiz::new(Vec::new(), Default::default()).unwrap_err(),
        NoQuestions
    );
    let settings = LiveQuizSettings::new(5, 10).unwrap();
    let many = (0..12).map(|i| question(&format!("q-{i}"))).collect();
    let mut quiz = LiveQuiz::new(many, settings).unwrap();
    assert_eq!(quiz.len(), 5);
    assert!(
        matches!(quiz.start(at(0))[0], Output::Ask { total: 5, closes_at, .. } if closes_at == at(10))
    );
}

#[test]
fn standings_break_ties_on_response_time_then_user_id() {
    let mut quiz = started(5);
    quiz.answer(ANA, &[1], at(2)).unwrap(); // 3 points, 2 s
    quiz.answer(BO, &[1], at(4)).unwrap(); // 2 points, 4 s
    quiz.answer(DEE, &[1], at(8)).unwrap(); // 1 point, 8 s
    quiz.answer(EVE, &[3], at(8)).unwrap(); // wrong
    quiz.answer(CY, &[1], at(8)).unwrap(); // 1 point, 8 s
    quiz.tick(at(20));
    quiz.answer(BO, &[1], at(21)).unwrap(); // 3 points, 1 s
    quiz.answer(ANA, &[1], at(26)).unwrap(); // 2 points, 6 s
    let standings = quiz.standings();
    let order: Vec<_> = standings
        .iter()
        .map(|s| (s.rank, s.user, s.points, s.correct, s.response_ms))
        .collect();
    assert_eq!(
        order,
        vec![
            (1, BO, 5, 2, 5000),
            (2, ANA, 5, 2, 8000),
            (3, CY, 1, 1, 8000),
            (4, DEE, 1, 1, 8000),
            (5, EVE, 0, 0, 0),
        ]
    );
}
