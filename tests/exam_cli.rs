//! `studybot exam` in the terminal, driven through a pipe.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use rand::SeedableRng;
use serde_json::Value;
use studybot::content::Library;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str], input: &str) -> (std::process::Output, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_studybot"))
        .current_dir(root())
        .arg("exam")
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
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, stdout)
}

/// The questions `--seed` draws, as the binary draws them, with their right letters.
fn drawn(code: &str, n: usize, seed: u64) -> Vec<(String, String)> {
    let library = Library::load(&root().join("content"), &[]).unwrap();
    let guide = library.exams.get(code).unwrap().clone();
    let pool = studybot::content::exam_pool(&library.bank, code);
    let ids = studybot::exam::draw(
        &guide,
        &pool,
        n,
        &mut rand::rngs::StdRng::seed_from_u64(seed),
    )
    .unwrap();
    ids.into_iter()
        .map(|id| {
            let q = library.bank.get(&id).unwrap();
            let letters: String = q
                .answer
                .indexes()
                .into_iter()
                .map(studybot::quiz::letter)
                .collect();
            (id, letters)
        })
        .collect()
}

#[test]
fn all_right_answers_pass_with_the_breakdown_per_domain() {
    let questions = drawn("DVA-C02", 20, 9);
    let input: String = questions.iter().map(|(_, l)| format!("{l}\n")).collect();
    let (out, stdout) = run(
        &["DVA-C02", "--questions", "20", "--seed", "9", "--json"],
        &input,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(r["score"], 1000);
    assert_eq!(r["passed"], true);
    let domains = r["domains"].as_array().unwrap();
    let by_name = |name: &str| {
        domains
            .iter()
            .find(|d| d["name"] == name)
            .map(|d| (d["correct"].as_u64().unwrap(), d["total"].as_u64().unwrap()))
            .unwrap()
    };
    // 20 questions at 32/26/24/18: 6, 5, 5, 4 (largest remainders), all right.
    assert_eq!(by_name("Development with AWS Services"), (6, 6));
    assert_eq!(by_name("Security"), (5, 5));
    assert_eq!(by_name("Deployment"), (5, 5));
    assert_eq!(by_name("Troubleshooting and Optimization"), (4, 4));
}

#[test]
fn skips_and_wrong_letter_counts_are_handled_and_the_text_result_names_domains() {
    let questions = drawn("SAP-C02", 4, 5);
    // First: a line with the wrong number of letters, then the right answer; second: skipped;
    // then input ends (the rest are unanswered).
    let input = format!("ABCDEF\n{}\n-\n", questions[0].1);
    let (out, stdout) = run(&["sap-c02", "--questions", "4", "--seed", "5"], &input);
    assert!(out.status.success());
    assert!(stdout.contains("1 of 4 right"), "{stdout}");
    assert!(stdout.contains("Design for New Solutions"), "{stdout}");
    assert!(stdout.contains("type"), "the bad line got a hint: {stdout}");
    assert!(
        stdout.contains(&questions[1].0),
        "the skipped one is listed as missed: {stdout}"
    );
}

#[test]
fn an_unknown_exam_lists_the_known_ones() {
    let (out, _) = run(&["XYZ-C01"], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown exam") && err.contains("DVA-C02"),
        "{err}"
    );
    let (out, _) = run(&["DOP-C02", "--questions", "200"], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("not enough DOP-C02 questions"),
        "{err}"
    );
}
