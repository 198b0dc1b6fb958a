//! The shipped content: `studybot check` passes on it and catches broken content; the bank is
//! big and varied enough; nothing is copied from the user's seed notes; `ask` finds the curated
//! passages.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn studybot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_studybot"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("run studybot")
}

#[test]
fn check_passes_on_the_shipped_content() {
    let out = studybot(&["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("content OK"), "{stdout}");
}

#[test]
fn the_bank_is_big_varied_and_every_topic_has_notes_and_questions() {
    let report = studybot::content::check(&root().join("content")).expect("content");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let questions = report.bank.questions();
    assert!(questions.len() >= 500, "{} questions", questions.len());
    let multi = questions.iter().filter(|q| q.answer.count() > 1).count();
    assert!(multi >= 40, "{multi} choose-N questions");
    let topics = report.topics();
    assert!(topics.len() >= 40, "{} topics", topics.len());
    for (topic, (passages, qs)) in &topics {
        assert!(*passages > 0, "{topic} has no notes");
        assert!(*qs >= 5, "{topic} has {qs} questions");
    }
    // Correct answers are not always in the same place.
    let firsts = questions
        .iter()
        .filter(|q| q.answer.indexes() == [0])
        .count();
    assert!(
        firsts * 2 < questions.len(),
        "{firsts} of {} answers are A",
        questions.len()
    );
}

#[test]
fn check_reports_broken_content_with_file_and_line_and_fails() {
    let dir = tempfile::tempdir().expect("tmp");
    let notes = dir.path().join("notes");
    let questions = dir.path().join("questions");
    std::fs::create_dir_all(&notes).expect("mkdir");
    std::fs::create_dir_all(&questions).expect("mkdir");
    std::fs::write(
        notes.join("sqs.md"),
        "# SQS\n\n## Visibility timeout\n30 s by default\n\n## Visibility timeout\nagain\n",
    )
    .expect("write");
    std::fs::write(
        questions.join("sqs.toml"),
        "[[question]]\nid = \"sqs-001\"\ntopic = \"sqs\"\nexams = [\"DVA-C02\"]\ndifficulty = \"easy\"\nprompt = \"Default visibility timeout?\"\nchoices = [\"30 s\", \"1 min\", \"12 h\"]\nanswer = \"D\"\nexplanation = \"30 seconds.\"\nsource = \"sqs.md#visibility\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("concepts.toml"),
        "[[concept]]\nmeans = [\"Visibility timeout\"]\nsaid = [\"message hidden\"]\n\n[[concept]]\nmeans = [\"Kinesis\"]\nsaid = [\"what is it\", \"stream data\"]\n",
    )
    .expect("write");
    let dir_arg = dir.path().to_string_lossy().to_string();
    let out = studybot(&["check", "--content", &dir_arg]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let q = questions.join("sqs.toml").display().to_string();
    let n = notes.join("sqs.md").display().to_string();
    assert!(
        stdout.contains(&format!(
            "{q}:8: answer D is not one of the 3 choices (A-C)"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{q}:1: source sqs.md#visibility: no heading with anchor #visibility"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{n}:6: duplicate heading anchor #visibility-timeout (first at line 3)"
        )),
        "{stdout}"
    );
    let c = dir.path().join("concepts.toml").display().to_string();
    assert!(
        stdout.contains(&format!(
            "{c}:5: \"Kinesis\" (in `means`) is not in the notes"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{c}:5: \"what is it\" (in `said`) has only function words, so it never matches"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("5 problem(s)"), "{stdout}");
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

#[test]
fn no_run_of_twelve_words_from_a_seed_appears_in_content() {
    let seeds = root().join("../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&seeds) else {
        println!(
            "skipped: {} is not here, nothing to compare with",
            seeds.display()
        );
        return;
    };
    let mut grams: HashSet<Vec<String>> = HashSet::new();
    for e in entries.flatten() {
        let text = String::from_utf8_lossy(&std::fs::read(e.path()).expect("seed")).into_owned();
        for g in words(&text).windows(12) {
            grams.insert(g.to_vec());
        }
    }
    assert!(grams.len() > 10_000, "seeds read: {}", grams.len());
    let mut copied = Vec::new();
    for sub in ["notes", "questions"] {
        for e in std::fs::read_dir(root().join("content").join(sub))
            .expect("content")
            .flatten()
        {
            let text = std::fs::read_to_string(e.path()).expect("content file");
            if let Some(g) = words(&text).windows(12).find(|g| grams.contains(*g)) {
                copied.push(format!("{}: {}", e.path().display(), g.join(" ")));
            }
        }
    }
    assert!(
        copied.is_empty(),
        "copied from seeds:\n{}",
        copied.join("\n")
    );
}

#[test]
fn ask_over_the_curated_notes_finds_the_right_sections() {
    for (query, file, heading) in [
        ("kinesis fanout", "kinesis.md", "enhanced fan-out"),
        ("sqs visibility timeout", "sqs.md", "visibility timeout"),
        ("sse-c https", "s3-security.md", "sse-c"),
        ("dynamodb scan vs query", "dynamodb.md", "scan vs query"),
    ] {
        let out = studybot(&["ask", query, "--json", "--limit", "3"]);
        assert!(out.status.success());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let hits = v["hits"].as_array().expect("hits");
        let found = hits.iter().any(|h| {
            h["file"] == file
                && h["heading"].as_array().is_some_and(|hs| {
                    hs.iter().any(|s| {
                        s.as_str()
                            .is_some_and(|s| s.to_lowercase().contains(heading))
                    })
                })
        });
        assert!(found, "{query}: {v}");
    }
}

#[test]
fn topics_lists_every_topic_with_passage_and_question_counts() {
    let out = studybot(&["topics"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let kinesis = text
        .lines()
        .find(|l| l.starts_with("kinesis "))
        .expect("kinesis row");
    let counts: Vec<usize> = kinesis
        .split_whitespace()
        .skip(1)
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(counts.len(), 2, "{kinesis}");
    assert!(counts[0] > 0 && counts[1] >= 5, "{kinesis}");
    assert!(text.lines().count() > 40, "{text}");
}

#[test]
fn migrate_creates_the_sqlite_file_and_its_folder() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}", dir.path().join("data/studybot.db").display());
    let out = studybot(&["migrate", "--database-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("data/studybot.db").exists());
    let again = studybot(&["migrate", "--database-url", &url]);
    assert!(again.status.success());
}

#[test]
fn a_database_that_cannot_be_opened_is_named_with_the_password_masked_and_the_cause() {
    // Nothing listens on port 1.
    let out = studybot(&[
        "migrate",
        "--database-url",
        "postgres://bot:hunter2@127.0.0.1:1/studybot",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open database postgres://bot:***@127.0.0.1:1/studybot"),
        "{err}"
    );
    assert!(
        err.to_lowercase().contains("refused"),
        "the cause is shown: {err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let file = tempfile::NamedTempFile::new().expect("tmp");
    let url = format!("sqlite://{}/studybot.db", file.path().display());
    let out = studybot(&["migrate", "--database-url", &url]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot open database {url}")),
        "{err}"
    );
    let out = studybot(&["migrate", "--database-url", "mysql://x"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("setting database_url"));
}
