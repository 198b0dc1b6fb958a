//! `studybot review` in the terminal, driven through a pipe, against a local SQLite file.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `studybot review --json` with `input` on stdin; returns the JSON lines and stderr.
fn run(db: &Path, user: &str, args: &[&str], input: &str) -> (Vec<Value>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_studybot"))
        .current_dir(root())
        .arg("review")
        .arg("--db")
        .arg(db)
        .args(["--user", user, "--json"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn bank() -> studybot::quiz::Bank {
    let content = root().join("content");
    let loaded = studybot::notes::load_dirs(&[content.join("notes")]).unwrap();
    let (bank, problems) = studybot::quiz::load_bank(&content.join("questions"), &loaded.files);
    assert!(problems.is_empty());
    bank
}

#[test]
fn piped_answers_are_graded_scheduled_and_kept_for_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/review.db");
    let bank = bank();
    // "A" answers a single-answer question; a choose-two one refuses it and takes "AB".
    let input = "A\nAB\n".repeat(6);
    let (lines, _) = run(&db, "ann", &["--topic", "kinesis", "--count", "3"], &input);
    let (answers, summary) = lines.split_at(lines.len() - 1);
    assert_eq!(answers.len(), 3, "{lines:?}");
    for a in answers {
        let id = a["question_id"].as_str().unwrap();
        let q = bank.get(id).unwrap();
        assert_eq!(q.topic, "kinesis");
        let picked = if q.answer.count() == 1 { "A" } else { "A, B" };
        assert_eq!(
            a["correct"].as_bool(),
            Some(q.answer.letters() == picked),
            "{a}"
        );
        let due = chrono::DateTime::parse_from_rfc3339(a["due"].as_str().unwrap()).unwrap();
        assert!(due > chrono::Utc::now() - chrono::Duration::minutes(1));
        assert!(a["stability"].as_f64().unwrap() > 0.0, "{a}");
    }
    let summary = &summary[0];
    assert_eq!(summary["summary"], Value::Bool(true));
    assert_eq!(summary["answered"].as_u64(), Some(answers.len() as u64));
    let left = summary["new_left_today"].as_i64().unwrap();
    assert_eq!(left, 10 - answers.len() as i64, "10 new a day by default");

    // The next run remembers: fewer new ones left, and none of the same questions is new.
    let (again, _) = run(&db, "ann", &["--topic", "kinesis", "--count", "1"], &input);
    let seen: Vec<&str> = answers
        .iter()
        .map(|a| a["question_id"].as_str().unwrap())
        .collect();
    assert!(
        !seen.contains(&again[0]["question_id"].as_str().unwrap()),
        "{again:?}"
    );
    assert_eq!(
        again.last().unwrap()["new_left_today"].as_i64(),
        Some(left - 1)
    );

    // Another learner in the same file starts fresh.
    let (other, _) = run(&db, "bob", &["--topic", "kinesis", "--count", "1"], &input);
    assert_eq!(other.last().unwrap()["new_left_today"].as_i64(), Some(9));
}

#[test]
fn a_line_with_the_wrong_number_of_letters_asks_again_and_end_of_input_ends() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let (lines, stderr) = run(
        &db,
        "ann",
        &["--topic", "kinesis", "--count", "2"],
        "ABCD\nzz\nB\n",
    );
    // The first two lines are refused with a hint; "B" answers; then stdin ends.
    assert!(
        stderr.contains("type one letter") || stderr.contains("type 2 letters"),
        "{stderr}"
    );
    let summary = lines.last().unwrap();
    assert!(summary["answered"].as_u64().unwrap() <= 1, "{lines:?}");
}

fn studybot(args: &[&str], input: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_studybot"))
        .current_dir(root())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn terminal_drills_count_and_stats_print_bars_or_write_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("me.db");
    let db = db.to_str().unwrap();
    let empty = studybot(&["stats", "--db", db, "--user", "cy"], "");
    assert!(empty.contains("No answers yet"), "{empty}");
    // A terminal quiz counts in the local profile.
    let input = "A\nAB\n".repeat(4);
    studybot(
        &[
            "quiz", "--topic", "sqs", "--count", "3", "--seed", "4", "--db", db, "--user", "cy",
        ],
        &input,
    );
    let text = studybot(&["stats", "--db", db, "--user", "cy"], "");
    assert!(
        text.contains("Accuracy by topic") && text.contains("sqs"),
        "{text}"
    );
    assert!(text.contains("of 3"), "three answers in sqs: {text}");
    assert!(
        text.contains('█') || text.contains('░'),
        "Unicode bars: {text}"
    );
    let png = dir.path().join("cy.png");
    studybot(
        &[
            "stats",
            "--db",
            db,
            "--user",
            "cy",
            "--png",
            png.to_str().unwrap(),
        ],
        "",
    );
    let bytes = std::fs::read(&png).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    assert_eq!(reader.info().width, 1600);
}
