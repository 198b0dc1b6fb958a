use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;

/// The shipped guides, read at test time (not compiled in: the release build reads no content).
fn exams_toml() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("content/exams.toml"))
        .expect("content/exams.toml is readable")
}

fn guides() -> Guides {
    Guides::parse(Path::new("content/exams.toml"), &exams_toml())
        .expect("content/exams.toml parses")
}

fn dva() -> ExamGuide {
    guides().get("DVA-C02").expect("DVA-C02").clone()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
        .single()
        .expect("valid time")
}

/// `per_domain` questions in each of the guide's domains, ids `<domain>-<k>`.
fn pool(guide: &ExamGuide, per_domain: usize) -> Vec<(String, String)> {
    guide
        .domains
        .iter()
        .flat_map(|d| (0..per_domain).map(move |k| (format!("{}-{k:03}", d.id), d.id.clone())))
        .collect()
}

fn domain_of(pool: &[(String, String)]) -> HashMap<&str, &str> {
    pool.iter().map(|(q, d)| (q.as_str(), d.as_str())).collect()
}

fn problems(text: &str) -> Vec<String> {
    match Guides::parse(Path::new("exams.toml"), text) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

// ---------------------------------------------------------------- guides

#[test]
fn guides_parse_the_real_exams_file() {
    let g = guides();
    let codes: Vec<&str> = g.codes().collect();
    assert_eq!(
        codes,
        ["DVA-C02", "SAA-C03", "SAP-C02", "DOP-C02", "SOA-C02"]
    );
    let dva = g.get("DVA-C02").unwrap();
    assert_eq!(dva.questions, 65);
    assert_eq!(dva.minutes, 130);
    assert_eq!(dva.passing_score, 720);
    assert_eq!(dva.status, ExamStatus::Current);
    let weights: Vec<(&str, u32)> = dva
        .domains
        .iter()
        .map(|d| (d.id.as_str(), d.weight))
        .collect();
    assert_eq!(
        weights,
        [
            ("development", 32),
            ("security", 26),
            ("deployment", 24),
            ("troubleshooting", 18)
        ]
    );
    let sap = g.get("SAP-C02").unwrap();
    assert_eq!(sap.passing_score, 750);
    assert_eq!(
        sap.domain("new-solutions").map(|d| d.name.as_str()),
        Some("Design for New Solutions")
    );
    let soa = g.get("SOA-C02").unwrap();
    assert!(soa.is_retired());
    assert_eq!(
        soa.status,
        ExamStatus::Retired {
            replaced_by: "SOA-C03".into()
        }
    );
    for guide in g.all() {
        assert_eq!(guide.domains.iter().map(|d| d.weight).sum::<u32>(), 100);
    }
}

#[test]
fn guides_load_reads_the_file_and_names_a_missing_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("no-such-exams.toml");
    let err = Guides::load(&path).unwrap_err();
    assert!(err.to_string().contains("no-such-exams.toml"), "{err}");
    assert!(err.problems().is_empty());
}

#[test]
fn unknown_exam_code_lists_the_known_ones() {
    let err = guides().get("CLF-C02").unwrap_err();
    assert_eq!(err.known.len(), 5);
    assert_eq!(
        err.to_string(),
        "unknown exam \"CLF-C02\"; known exams: DVA-C02, SAA-C03, SAP-C02, DOP-C02, SOA-C02"
    );
}

#[test]
fn exam_code_is_found_without_regard_to_case() {
    assert_eq!(guides().get(" dva-c02 ").unwrap().code, "DVA-C02");
}

const ONE_EXAM: &str = r#"[[exam]]
code = "DVA-C02"
name = "Developer"
questions = 65
minutes = 130
passing_score = 720
status = "current"
domains = [
  { id = "development", name = "Development", weight = 32 },
  { id = "security", name = "Security", weight = 26 },
  { id = "deployment", name = "Deployment", weight = 24 },
  { id = "troubleshooting", name = "Troubleshooting", weight = 18 },
]
"#;

#[test]
fn a_minimal_guide_parses() {
    assert_eq!(problems(ONE_EXAM), Vec::<String>::new());
}

#[test]
fn guide_problems_name_the_file_and_line() {
    let text = r#"title = "exams"

[[exam]]
code = "DVA-C02"
name = "Developer"
questions = 65
passing_score = 720
status = "current"
colour = "blue"
domains = [
  { id = "development", name = "Development", weight = 32 },
  { id = "security", name = "Security", weight = 26 },
  { id = "security", name = "Security again", weight = 24 },
  { id = "troubleshooting", name = "Troubleshooting", weight = 15, note = "x" },
]

[[exam]]
code = "SAP-C02"
name = "Professional"
questions = 75
minutes = 180
passing_score = 750
status = "current"
domains = [
  { id = "a", name = "A", weight = 50 },
  { id = "b", name = "B", weight = 47 },
]

[[exam]]
code = "sap-c02"
name = "Professional again"
questions = 75
minutes = 180
passing_score = 750
status = "current"
domains = [{ id = "a", name = "A", weight = 100 }]
"#;
    let found = problems(text);
    let expect_line = |line: usize, needle: &str| {
        let prefix = format!("exams.toml:{line}: ");
        assert!(
            found
                .iter()
                .any(|p| p.starts_with(&prefix) && p.contains(needle)),
            "no problem at line {line} containing {needle:?} in:\n{}",
            found.join("\n")
        );
    };
    expect_line(1, "unknown key \"title\"");
    expect_line(3, "exam DVA-C02 is missing `minutes`");
    expect_line(9, "unknown key \"colour\"");
    expect_line(13, "duplicate domain id \"security\"");
    expect_line(14, "unknown key \"note\"");
    expect_line(24, "domain weights sum to 97, not 100");
    expect_line(30, "duplicate exam code \"sap-c02\" (first at line 18)");
    assert_eq!(found.len(), 7, "{}", found.join("\n"));
}

#[test]
fn guide_weights_not_summing_to_100_are_a_problem() {
    let text = ONE_EXAM.replace("weight = 18", "weight = 20");
    assert_eq!(
        problems(&text),
        ["exams.toml:8: exam DVA-C02: domain weights sum to 102, not 100"]
    );
}

#[test]
fn retired_guide_needs_the_exam_that_replaced_it() {
    let text = ONE_EXAM.replace("status = \"current\"", "status = \"retired\"");
    assert_eq!(
        problems(&text),
        [
            "exams.toml:7: exam DVA-C02 is retired but has no `replaced_by` (the exam that replaced it)"
        ]
    );
    let text = ONE_EXAM.replace("status = \"current\"", "status = \"gone\"");
    assert!(problems(&text)[0].contains("must be \"current\" or \"retired\""));
    let text = ONE_EXAM.replace(
        "status = \"current\"",
        "status = \"current\"\nreplaced_by = \"X\"",
    );
    assert!(problems(&text)[0].starts_with("exams.toml:8: `replaced_by` is only for"));
}

#[test]
fn guide_fields_of_the_wrong_type_or_range_are_problems() {
    let text = ONE_EXAM
        .replace("questions = 65", "questions = \"65\"")
        .replace("passing_score = 720", "passing_score = 72");
    assert_eq!(
        problems(&text),
        [
            "exams.toml:4: `questions` must be an integer, not string",
            "exams.toml:6: `passing_score` is 72; it must be from 100 to 1000",
        ]
    );
}

#[test]
fn broken_toml_in_the_guides_is_reported_with_its_line() {
    let text = ONE_EXAM.replace("minutes = 130", "minutes = = 130");
    let found = problems(&text);
    assert!(
        found[0].starts_with("exams.toml:5: invalid TOML"),
        "{found:?}"
    );
}

// ---------------------------------------------------------------- quotas

#[test]
fn quotas_sum_to_n_and_stay_within_one_of_the_weights() {
    for guide in guides().all() {
        for n in 0..=200 {
            let quotas = guide.quotas(n);
            assert_eq!(quotas.iter().map(|(_, c)| c).sum::<usize>(), n);
            for (d, count) in quotas {
                let exact = f64::from(d.weight) * n as f64 / 100.0;
                assert!(
                    (count as f64 - exact).abs() < 1.0,
                    "{} {n}: {} got {count}, weight gives {exact}",
                    guide.code,
                    d.id
                );
            }
        }
    }
}

#[test]
fn quotas_for_a_full_dva_exam_follow_the_largest_remainders() {
    let guide = dva();
    let counts: Vec<(&str, usize)> = guide
        .quotas(65)
        .into_iter()
        .map(|(d, c)| (d.id.as_str(), c))
        .collect();
    assert_eq!(
        counts,
        [
            ("development", 21),
            ("security", 17),
            ("deployment", 15),
            ("troubleshooting", 12)
        ]
    );
}

// ---------------------------------------------------------------- draw

#[test]
fn draw_fills_each_domain_to_its_quota_over_many_seeds() {
    for guide in guides().all() {
        let pool = pool(guide, 40);
        let domain = domain_of(&pool);
        for n in [guide.questions, 10, 33] {
            let quotas: HashMap<&str, usize> = guide
                .quotas(n)
                .into_iter()
                .map(|(d, c)| (d.id.as_str(), c))
                .collect();
            for seed in 0..200 {
                let exam = draw(guide, &pool, n, &mut StdRng::seed_from_u64(seed)).unwrap();
                assert_eq!(exam.len(), n);
                assert_eq!(exam.iter().collect::<HashSet<_>>().len(), n, "no repeats");
                let mut per: HashMap<&str, usize> = HashMap::new();
                for q in &exam {
                    *per.entry(domain[q.as_str()]).or_default() += 1;
                }
                for d in &guide.domains {
                    let got = per.get(d.id.as_str()).copied().unwrap_or(0);
                    assert_eq!(got, quotas[d.id.as_str()]);
                    let exact = f64::from(d.weight) * n as f64 / 100.0;
                    assert!((got as f64 - exact).abs() < 1.0);
                }
            }
        }
    }
}

#[test]
fn draws_with_different_seeds_differ() {
    let guide = dva();
    let pool = pool(&guide, 40);
    let a = draw(&guide, &pool, 65, &mut StdRng::seed_from_u64(1)).unwrap();
    let b = draw(&guide, &pool, 65, &mut StdRng::seed_from_u64(2)).unwrap();
    assert_ne!(a, b);
    let a_set: HashSet<&String> = a.iter().collect();
    let b_set: HashSet<&String> = b.iter().collect();
    assert_ne!(a_set, b_set, "different questions, not only another order");
}

#[test]
fn draw_with_a_seed_is_reproducible_whatever_the_pool_order() {
    let guide = dva();
    let pool = pool(&guide, 40);
    let mut reversed = pool.clone();
    reversed.reverse();
    let a = draw(&guide, &pool, 65, &mut StdRng::seed_from_u64(7)).unwrap();
    let b = draw(&guide, &reversed, 65, &mut StdRng::seed_from_u64(7)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn draw_order_is_shuffled_across_domains() {
    let guide = dva();
    let pool = pool(&guide, 40);
    let domain = domain_of(&pool);
    let exam = draw(&guide, &pool, 65, &mut StdRng::seed_from_u64(3)).unwrap();
    let first_21: HashSet<&str> = exam[..21].iter().map(|q| domain[q.as_str()]).collect();
    assert!(first_21.len() > 1, "not grouped by domain");
}

#[test]
fn draw_without_enough_questions_names_each_short_domain() {
    let guide = dva();
    let mut pool = pool(&guide, 40);
    // Keep security-000..002 and troubleshooting-000..009 only.
    let dropped = |q: &str| {
        ("security-003".."security-999").contains(&q)
            || ("troubleshooting-010".."troubleshooting-999").contains(&q)
    };
    pool.retain(|(q, _)| !dropped(q));
    // A question listed twice counts once.
    pool.push(("security-000".into(), "security".into()));
    let err = draw(&guide, &pool, 65, &mut StdRng::seed_from_u64(1)).unwrap_err();
    let DrawError::NotEnough { short, .. } = &err else {
        panic!("expected NotEnough, got {err:?}");
    };
    let named: Vec<(&str, usize, usize)> = short
        .iter()
        .map(|s| (s.domain_id.as_str(), s.have, s.need))
        .collect();
    assert_eq!(named, [("security", 3, 17), ("troubleshooting", 10, 12)]);
    assert_eq!(
        err.to_string(),
        "not enough DVA-C02 questions for a 65-question exam: Security (security) has 3, \
         needs 17; Troubleshooting and Optimization (troubleshooting) has 10, needs 12"
    );
}

#[test]
fn draw_of_no_questions_is_refused() {
    let guide = dva();
    let err = draw(&guide, &pool(&guide, 5), 0, &mut StdRng::seed_from_u64(1)).unwrap_err();
    assert_eq!(err, DrawError::NoQuestions);
}

#[test]
fn coverage_reports_have_and_need_for_one_and_two_exams() {
    let guide = dva();
    let mut pool = pool(&guide, 30);
    pool.retain(|(q, d)| !(d == "security" && q.as_str() >= "security-020"));
    pool.push(("stray".into(), "not-a-domain".into()));
    let cov = coverage(&guide, &pool);
    let rows: Vec<(&str, usize, usize, usize)> = cov
        .iter()
        .map(|c| (c.domain_id.as_str(), c.have, c.need_one, c.need_two))
        .collect();
    assert_eq!(
        rows,
        [
            ("development", 30, 21, 42),
            ("security", 20, 17, 34),
            ("deployment", 30, 15, 30),
            ("troubleshooting", 30, 12, 24)
        ]
    );
    assert_eq!(cov[0].missing_for_two(), 12);
    assert_eq!(cov[1].missing_for_one(), 0);
    assert_eq!(cov[1].missing_for_two(), 14);
}

// ---------------------------------------------------------------- session

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|k| format!("q{k}")).collect()
}

fn four() -> AnswerShape {
    AnswerShape::single(4)
}

#[test]
fn exam_session_auto_submits_when_time_runs_out() {
    let mut s = Session::start("DVA-C02", ids(5), t0(), 130).unwrap();
    assert_eq!(s.deadline(), t0() + TimeDelta::minutes(130));
    let almost = t0() + TimeDelta::minutes(129);
    assert!(s.is_open(almost));
    assert!(!s.tick(almost));
    assert_eq!(s.remaining(almost), TimeDelta::minutes(1));
    s.answer(almost, 0, &[2], four()).unwrap();

    let late = t0() + TimeDelta::minutes(131);
    assert!(s.is_expired(late));
    assert!(s.tick(late), "the tick that finds time up submits");
    assert_eq!(
        s.submission(),
        Some(Submission {
            at: s.deadline(),
            by: SubmittedBy::Timer
        })
    );
    assert_eq!(s.submitted_at(), Some(t0() + TimeDelta::minutes(130)));
    assert!(!s.tick(late + TimeDelta::minutes(5)), "only once");
    assert_eq!(s.remaining(late), TimeDelta::zero());
    assert_eq!(
        s.questions()[0].picks,
        [2],
        "answers before the deadline kept"
    );
}

#[test]
fn exam_session_expires_exactly_at_the_deadline() {
    let s = Session::start("DVA-C02", ids(2), t0(), 10).unwrap();
    assert!(!s.is_expired(t0() + TimeDelta::minutes(10) - TimeDelta::milliseconds(1)));
    assert!(s.is_expired(t0() + TimeDelta::minutes(10)));
}

#[test]
fn answering_after_the_deadline_is_refused_and_changes_nothing() {
    let mut s = Session::start("DVA-C02", ids(3), t0(), 30).unwrap();
    s.answer(t0(), 1, &[0], four()).unwrap();
    let before = s.clone();
    let late = t0() + TimeDelta::minutes(30);
    let err = s.answer(late, 0, &[1], four()).unwrap_err();
    assert_eq!(
        err,
        SessionError::TimeUp {
            deadline: s.deadline()
        }
    );
    assert!(
        err.to_string().starts_with("time ran out at 09:30:00 UTC"),
        "{err}"
    );
    assert_eq!(s.answer(late, 1, &[3], four()), Err(err.clone()));
    assert_eq!(s.flag(late, 0), Err(err.clone()));
    assert_eq!(s.next(late), Err(err.clone()));
    assert_eq!(s, before, "nothing changed");
    s.tick(late);
    assert_eq!(s.answer(late, 0, &[1], four()), Err(err));
    assert_eq!(s.questions()[1].picks, [0]);
}

#[test]
fn answering_after_submit_is_refused() {
    let mut s = Session::start("DVA-C02", ids(3), t0(), 30).unwrap();
    let at = t0() + TimeDelta::minutes(12);
    assert_eq!(
        s.submit(at).unwrap(),
        Submission {
            at,
            by: SubmittedBy::Member
        }
    );
    let before = s.clone();
    assert_eq!(s.answer(at, 0, &[1], four()), Err(SessionError::Submitted));
    assert_eq!(s.submit(at), Err(SessionError::Submitted));
    assert!(!s.tick(t0() + TimeDelta::hours(5)), "already submitted");
    assert_eq!(s, before);
}

#[test]
fn submit_after_the_deadline_counts_as_time_up() {
    let mut s = Session::start("DVA-C02", ids(3), t0(), 30).unwrap();
    let late = t0() + TimeDelta::minutes(45);
    let sub = s.submit(late).unwrap();
    assert_eq!(sub.by, SubmittedBy::Timer);
    assert_eq!(sub.at, s.deadline());
}

#[test]
fn answer_needs_the_right_number_of_distinct_picks_in_range() {
    let mut s = Session::start("DVA-C02", ids(3), t0(), 30).unwrap();
    let choose_two = AnswerShape::choose(2, 5);
    assert_eq!(
        s.answer(t0(), 0, &[1], choose_two),
        Err(SessionError::WrongPickCount {
            position: 0,
            needed: 2,
            got: 1
        })
    );
    assert_eq!(
        s.answer(t0(), 0, &[1, 1], choose_two),
        Err(SessionError::DuplicatePick {
            position: 0,
            pick: 1
        })
    );
    let err = s.answer(t0(), 0, &[1, 5], choose_two).unwrap_err();
    assert_eq!(
        err.to_string(),
        "question 1 has 5 choices; choice 6 is not one of them"
    );
    assert_eq!(
        s.answer(t0(), 3, &[0], four()).unwrap_err().to_string(),
        "there is no question 4; this exam has 3"
    );
    assert!(!s.questions()[0].is_answered());
    s.answer(t0(), 0, &[4, 1], choose_two).unwrap();
    assert_eq!(s.questions()[0].picks, [1, 4], "stored sorted");
    s.answer(t0(), 0, &[0, 2], choose_two).unwrap();
    assert_eq!(
        s.questions()[0].picks,
        [0, 2],
        "a new answer replaces the old"
    );
    s.clear_answer(t0(), 0).unwrap();
    assert!(!s.questions()[0].is_answered());
}

#[test]
fn review_lists_unanswered_and_flagged_positions() {
    let mut s = Session::start("DVA-C02", ids(5), t0(), 60).unwrap();
    let now = t0() + TimeDelta::minutes(20);
    s.answer(now, 0, &[0], four()).unwrap();
    s.answer(now, 3, &[2], four()).unwrap();
    s.flag(now, 3).unwrap();
    s.flag(now, 4).unwrap();
    assert!(s.toggle_flag(now, 1).unwrap());
    assert!(!s.toggle_flag(now, 1).unwrap());
    s.flag(now, 2).unwrap();
    s.unflag(now, 2).unwrap();
    let r = s.review(now);
    assert_eq!(r.total, 5);
    assert_eq!(r.answered, 2);
    assert_eq!(r.unanswered, [1, 2, 4]);
    assert_eq!(r.flagged, [3, 4]);
    assert_eq!(r.remaining, TimeDelta::minutes(40));
    assert_eq!(r.submitted, None);
}

#[test]
fn navigation_moves_within_the_exam() {
    let mut s = Session::start("DVA-C02", ids(3), t0(), 60).unwrap();
    assert_eq!(s.previous(t0()), Ok(0), "stays on the first");
    assert_eq!(s.next(t0()), Ok(1));
    assert_eq!(s.next(t0()), Ok(2));
    assert_eq!(s.next(t0()), Ok(2), "stays on the last");
    assert_eq!(s.current().id, "q2");
    assert_eq!(s.go_to(t0(), 0), Ok(0));
    assert_eq!(
        s.go_to(t0(), 9),
        Err(SessionError::NoSuchQuestion {
            position: 9,
            len: 3
        })
    );
    assert_eq!(s.position(), 0);
}

#[test]
fn exam_session_needs_questions_time_and_distinct_ids() {
    assert_eq!(
        Session::start("DVA-C02", vec![], t0(), 60),
        Err(SessionError::NoQuestions)
    );
    assert_eq!(
        Session::start("DVA-C02", ids(2), t0(), 0),
        Err(SessionError::NoTime)
    );
    assert_eq!(
        Session::start("DVA-C02", vec!["a".into(), "a".into()], t0(), 5),
        Err(SessionError::DuplicateQuestion("a".into()))
    );
}

#[test]
fn exam_session_round_trips_through_json() {
    let mut s = Session::start("DVA-C02", ids(4), t0(), 130).unwrap();
    let now = t0() + TimeDelta::seconds(95);
    s.answer(now, 1, &[3, 0], AnswerShape::choose(2, 5))
        .unwrap();
    s.flag(now, 2).unwrap();
    s.go_to(now, 2).unwrap();
    let json = serde_json::to_string(&s).unwrap();
    assert!(
        json.contains("\"started_at\":\"2026-12-01T09:00:00Z\""),
        "{json}"
    );
    let back: Session = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);

    s.submit(now + TimeDelta::minutes(1)).unwrap();
    let back: Session = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.submission().map(|x| x.by), Some(SubmittedBy::Member));
}

#[test]
fn damaged_saved_session_is_refused() {
    let s = Session::start("DVA-C02", ids(2), t0(), 10).unwrap();
    let mut value = serde_json::to_value(&s).unwrap();
    value["position"] = serde_json::json!(7);
    let err = serde_json::from_value::<Session>(value).unwrap_err();
    assert!(
        err.to_string().contains("position 7 is past the last of 2"),
        "{err}"
    );
    let bad_time = serde_json::to_string(&s)
        .unwrap()
        .replace("2026-12-01T09:00:00Z", "tea time");
    assert!(serde_json::from_str::<Session>(&bad_time).is_err());
}

// ---------------------------------------------------------------- grading

fn key(id: &str, domain: &str, correct: &[usize]) -> AnswerKey {
    AnswerKey {
        question_id: id.into(),
        domain_id: domain.into(),
        correct: correct.to_vec(),
    }
}

#[test]
fn grading_counts_per_domain_and_lists_missed_questions() {
    let guide = dva();
    let questions: Vec<String> = ["d1", "d2", "s1", "s2", "p1", "t1"]
        .map(String::from)
        .to_vec();
    let mut s = Session::start("DVA-C02", questions, t0(), 130).unwrap();
    let keys = [
        key("d1", "development", &[0]),
        key("d2", "development", &[1, 3]),
        key("s1", "security", &[2]),
        key("s2", "security", &[2]),
        key("p1", "deployment", &[1]),
        key("t1", "troubleshooting", &[0]),
        key("other", "security", &[0]),
    ];
    s.answer(t0(), 0, &[0], four()).unwrap(); // right
    s.answer(t0(), 1, &[3, 1], AnswerShape::choose(2, 5))
        .unwrap(); // right
    s.answer(t0(), 2, &[2], four()).unwrap(); // right
    s.answer(t0(), 3, &[1], four()).unwrap(); // wrong
    // p1 unanswered
    s.answer(t0(), 5, &[0], four()).unwrap(); // right
    s.submit(t0() + TimeDelta::minutes(3)).unwrap();

    let r = grade(&guide, &s, &keys).unwrap();
    assert_eq!((r.correct, r.total), (4, 6));
    assert_eq!(r.score, 700); // 100 + 900 × 4/6
    assert_eq!(r.passing_score, 720);
    assert!(!r.passed);
    assert_eq!(r.missed, ["s2", "p1"]);
    assert_eq!(r.unanswered, ["p1"]);
    let rows: Vec<(&str, usize, usize, Option<f64>)> = r
        .domains
        .iter()
        .map(|d| (d.id.as_str(), d.correct, d.total, d.percent))
        .collect();
    assert_eq!(
        rows,
        [
            ("development", 2, 2, Some(100.0)),
            ("security", 1, 2, Some(50.0)),
            ("deployment", 0, 1, Some(0.0)),
            ("troubleshooting", 1, 1, Some(100.0)),
        ]
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["score"], 700);
    assert_eq!(json["passed"], false);
    assert_eq!(json["domains"][1]["name"], "Security");
}

#[test]
fn grading_gives_no_partial_credit_for_choose_two() {
    let guide = dva();
    let mut s = Session::start("DVA-C02", vec!["q".into()], t0(), 10).unwrap();
    s.answer(t0(), 0, &[1, 2], AnswerShape::choose(2, 5))
        .unwrap();
    let r = grade(&guide, &s, &[key("q", "security", &[1, 3])]).unwrap();
    assert_eq!(r.correct, 0);
    assert_eq!(r.score, 100);
    assert_eq!(r.domains[0].percent, None, "no development question");
}

#[test]
fn grading_a_passing_exam() {
    let guide = dva();
    let ids = ids(10);
    let mut s = Session::start("DVA-C02", ids.clone(), t0(), 10).unwrap();
    let keys: Vec<AnswerKey> = ids.iter().map(|q| key(q, "deployment", &[1])).collect();
    for p in 0..8 {
        s.answer(t0(), p, &[1], four()).unwrap();
    }
    let r = grade(&guide, &s, &keys).unwrap();
    assert_eq!(r.score, 820);
    assert!(r.passed);
}

#[test]
fn grading_refuses_missing_keys_unknown_domains_and_other_exams() {
    let guide = dva();
    let s = Session::start("DVA-C02", ids(3), t0(), 10).unwrap();
    let err = grade(&guide, &s, &[key("q1", "security", &[0])]).unwrap_err();
    assert_eq!(err.to_string(), "no answer key for question(s) q0, q2");
    let keys = [
        key("q0", "security", &[0]),
        key("q1", "networking", &[0]),
        key("q2", "security", &[0]),
    ];
    assert!(matches!(
        grade(&guide, &s, &keys),
        Err(GradeError::UnknownDomain { .. })
    ));
    let sap = guides().get("SAP-C02").unwrap().clone();
    assert!(matches!(
        grade(&sap, &s, &keys),
        Err(GradeError::WrongExam { .. })
    ));
}

#[test]
fn scaled_score_is_linear_from_100_to_1000() {
    assert_eq!(scaled_score(0, 65), 100);
    assert_eq!(scaled_score(65, 65), 1000);
    assert_eq!(scaled_score(46, 65), 737);
    assert_eq!(scaled_score(1, 2), 550);
    let g = dva();
    assert!((g.passing_fraction() - 620.0 / 900.0).abs() < 1e-12);
    assert_eq!(scaled_from_fraction(g.passing_fraction()), 720);
}

// ---------------------------------------------------------------- readiness

fn tally(domain: &str, correct: u32, total: u32) -> DomainTally {
    DomainTally {
        domain_id: domain.into(),
        correct,
        total,
    }
}

/// The same accuracy in every DVA-C02 domain.
fn even(correct: u32, total: u32) -> Vec<DomainTally> {
    ["development", "security", "deployment", "troubleshooting"]
        .iter()
        .map(|d| tally(d, correct, total))
        .collect()
}

#[test]
fn readiness_rises_with_more_correct_answers() {
    let guide = dva();
    let weak = readiness(&guide, &even(10, 20));
    let strong = readiness(&guide, &even(17, 20));
    assert!(strong.estimate > weak.estimate);
    assert!(strong.low > weak.low && strong.high > weak.high);
    assert!(strong.pass_probability > weak.pass_probability);
    assert!(strong.estimated_score > weak.estimated_score);
    assert!((weak.estimate - 0.5).abs() < 1e-12, "(1+10)/(2+20) = 0.5");
}

#[test]
fn readiness_interval_narrows_with_more_answers() {
    let guide = dva();
    let few = readiness(&guide, &even(8, 10));
    let many = readiness(&guide, &even(80, 100));
    let lots = readiness(&guide, &even(800, 1000));
    let width = |r: &Readiness| r.high - r.low;
    assert!(width(&many) < width(&few));
    assert!(width(&lots) < width(&many));
    for r in [&few, &many, &lots] {
        assert!(r.low < r.estimate && r.estimate < r.high);
    }
    assert!(many.domains[0].high - many.domains[0].low < few.domains[0].high - few.domains[0].low);
}

#[test]
fn readiness_is_deterministic() {
    let guide = dva();
    let tallies = [tally("security", 12, 20), tally("deployment", 3, 4)];
    assert_eq!(readiness(&guide, &tallies), readiness(&guide, &tallies));
}

#[test]
fn readiness_names_the_weakest_domain_and_weights_domains() {
    let guide = dva();
    let mut tallies = even(18, 20);
    tallies[2] = tally("deployment", 5, 20);
    tallies.push(tally("not-a-domain", 0, 50));
    let r = readiness(&guide, &tallies);
    assert_eq!(r.weakest.as_deref(), Some("deployment"));
    assert_eq!(
        r.weakest_domain().map(|d| d.name.as_str()),
        Some("Deployment")
    );
    assert_eq!(r.answers, 80, "unknown domains are ignored");
    let expected: f64 = r
        .domains
        .iter()
        .map(|d| {
            f64::from(d.weight) / 100.0 * (1.0 + f64::from(d.correct)) / (2.0 + f64::from(d.total))
        })
        .sum();
    assert!((r.estimate - expected).abs() < 1e-12);
}

#[test]
fn readiness_pass_probability_follows_the_passing_score() {
    let guide = dva();
    let ready = readiness(&guide, &even(190, 200));
    let not_ready = readiness(&guide, &even(100, 200));
    assert!(ready.pass_probability > 0.99, "{}", ready.pass_probability);
    assert!(
        not_ready.pass_probability < 0.01,
        "{}",
        not_ready.pass_probability
    );
    let borderline = readiness(&guide, &even(138, 200));
    assert!(
        (0.2..0.8).contains(&borderline.pass_probability),
        "{}",
        borderline.pass_probability
    );
}

#[test]
fn readiness_without_answers_is_the_prior() {
    let r = readiness(&dva(), &[]);
    assert_eq!(r.answers, 0);
    assert!((r.estimate - 0.5).abs() < 1e-12);
    assert_eq!(r.weakest, None);
    assert!(r.low > 0.2 && r.high < 0.8, "{} {}", r.low, r.high);
}

#[test]
fn beta_draws_have_the_beta_mean_and_variance() {
    let mut rng = StdRng::seed_from_u64(11);
    for (a, b) in [(1.0, 1.0), (3.0, 7.0), (41.0, 11.0), (0.5, 0.5)] {
        let n = 40_000;
        let xs: Vec<f64> = (0..n).map(|_| readiness::beta(a, b, &mut rng)).collect();
        assert!(xs.iter().all(|x| (0.0..=1.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        let want_mean = a / (a + b);
        let want_var = a * b / ((a + b).powi(2) * (a + b + 1.0));
        assert!((mean - want_mean).abs() < 0.01, "Beta({a},{b}) mean {mean}");
        assert!(
            (var - want_var).abs() < 0.1 * want_var + 1e-4,
            "Beta({a},{b}) var {var}"
        );
    }
}
