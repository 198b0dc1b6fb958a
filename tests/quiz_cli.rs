//! `studybot quiz` in the terminal, driven through a pipe.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use studybot::quiz::{self, drill};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str], input: &str) -> String {
    // Answers count in a local profile: keep it out of the repository.
    let dir = tempfile::tempdir().expect("tmp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_studybot"))
        .current_dir(root())
        .arg("quiz")
        .arg("--db")
        .arg(dir.path().join("profile.db"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The questions `--seed 1 --count 3` asks, as the binary picks them.
fn seeded_questions() -> Vec<quiz::Question> {
    let content = root().join("content");
    let loaded = studybot::notes::load_dirs(&[content.join("notes")]).expect("notes");
    let (bank, problems) = quiz::load_bank(&content.join("questions"), &loaded.files);
    assert!(problems.is_empty());
    drill::pick(&bank, None, None, 3, 1)
}

fn wrong_letters(q: &quiz::Question) -> String {
    // The first choices that are not all of the answer, as many as it needs.
    let right = q.answer.indexes();
    let mut picks: Vec<usize> = (0..q.choices.len())
        .filter(|i| !right.contains(i))
        .take(q.answer.count())
        .collect();
    if picks.len() < q.answer.count() {
        picks.push(right[0]);
    }
    picks.iter().map(|&i| quiz::letter(i).to_string()).collect()
}

#[test]
fn a_seeded_quiz_with_piped_answers_prints_the_score() {
    let qs = seeded_questions();
    assert_eq!(qs.len(), 3);
    let answers = format!(
        "{}\n{}\n{}\n",
        qs[0].answer.letters().replace(", ", ""),
        qs[1].answer.letters().replace(", ", ""),
        wrong_letters(&qs[2])
    );
    let out = run(&["--count", "3", "--seed", "1"], &answers);
    assert!(out.contains("Score: 2/3 (66%)"), "{out}");
    assert_eq!(out.matches("Right: ").count(), 2, "{out}");
    assert_eq!(out.matches("Not quite: the answer is").count(), 1, "{out}");
    assert!(
        out.contains(&qs[0].prompt),
        "the seed fixes the questions: {out}"
    );
    assert!(out.contains("Notes: "), "the notes section is shown: {out}");
}

#[test]
fn bad_input_is_asked_again_and_eof_ends_with_the_score_so_far() {
    let qs = seeded_questions();
    let first = qs[0].answer.letters().replace(", ", "");
    let out = run(&["--count", "3", "--seed", "1"], &format!("Z\n\n{first}\n"));
    assert!(out.contains("type "), "a hint for the bad line: {out}");
    assert!(out.contains("Score: 1/1 (100%)"), "{out}");
    assert!(out.contains("Stopped after 1 of 3 questions."), "{out}");
}

#[test]
fn filters_that_match_nothing_say_so() {
    let out = Command::new(env!("CARGO_BIN_EXE_studybot"))
        .current_dir(root())
        .args(["quiz", "--topic", "nosuch"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no question matches"));
}
