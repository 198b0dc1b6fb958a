//! `studybot ask` end to end: the real binary over fixture notes and, where present, the user's
//! seed notes.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

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

fn fixture_ask(query: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "ask",
        query,
        "--notes",
        "tests/fixtures/notes",
        "--glossary",
        "tests/fixtures/synonyms.toml",
    ];
    args.extend_from_slice(extra);
    studybot(&args)
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn first_heading(v: &serde_json::Value) -> String {
    v["hits"][0]["heading"]
        .as_array()
        .map(|h| {
            h.iter()
                .filter_map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" > ")
        })
        .unwrap_or_default()
}

#[test]
fn ask_prints_heading_citation_and_highlighted_snippet() {
    let out = fixture_ask("kinesis fanout", &[]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("1. Kinesis > Data Streams > Enhanced fan-out"),
        "{text}"
    );
    assert!(
        first.ends_with("tests/fixtures/notes/kinesis.md:14-16"),
        "{text}"
    );
    assert!(text.contains("**"), "snippet has highlights: {text}");
}

#[test]
fn ask_json_has_the_documented_shape() {
    let v = json(&fixture_ask("visibility timeout", &["--json"]));
    assert_eq!(v["query"], "visibility timeout");
    assert!(v["took_ms"].as_f64().is_some_and(|t| t >= 0.0));
    let hit = &v["hits"][0];
    assert_eq!(hit["file"], "sqs.md");
    assert_eq!(hit["start_line"], 3);
    assert_eq!(hit["end_line"], 5);
    assert_eq!(
        hit["heading"],
        serde_json::json!(["SQS", "Visibility timeout"])
    );
    assert!(
        hit["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("**visibility** **timeout**")),
        "{hit}"
    );
    assert!(hit["score"].as_f64().is_some());
}

#[test]
fn spelling_variants_of_fan_out_find_the_same_first_passage() {
    for q in [
        "kinesis fanout",
        "kinesis fan-out",
        "kinesis fan out",
        "Kinesis Fan-Out",
        "kinesys enhanced fanout",
    ] {
        let v = json(&fixture_ask(q, &["--json"]));
        assert_eq!(
            first_heading(&v),
            "Kinesis > Data Streams > Enhanced fan-out",
            "query {q:?}"
        );
    }
}

#[test]
fn a_typo_is_corrected_and_reported() {
    let v = json(&fixture_ask("visibilty timeout", &["--json"]));
    assert_eq!(first_heading(&v), "SQS > Visibility timeout");
    assert_eq!(v["corrections"][0]["used"], "visibility");
}

#[test]
fn an_acronym_finds_what_it_stands_for() {
    let v = json(&fixture_ask("KDS", &["--json"]));
    assert!(
        first_heading(&v).starts_with("Kinesis > Data Streams"),
        "{v}"
    );
}

#[test]
fn topic_filter_keeps_only_that_topic() {
    let v = json(&fixture_ask("fan-out", &["--json", "--topic", "sqs"]));
    let hits = v["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["file"] == "sqs.md"), "{v}");
    let out = fixture_ask("fan-out", &["--topic", "nosuch"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown topic \"nosuch\""));
}

#[test]
fn odd_queries_never_error() {
    let noise: String = "x%$#@!\"' ".repeat(1200);
    for q in [
        "\"kinesis shard",
        "dynamodb: gsi",
        "lambda@edge",
        "🙂🐳",
        "AND OR NOT",
        "(((",
        "*:*",
        noise.as_str(),
    ] {
        let out = fixture_ask(q, &["--json"]);
        assert!(
            out.status.success(),
            "query {q:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert!(v["hits"].is_array());
    }
    let v = json(&fixture_ask("\"kinesis shard", &["--json"]));
    assert_eq!(first_heading(&v), "Kinesis > Data Streams > Shards");
}

#[test]
fn an_empty_query_gets_a_usage_message() {
    let out = fixture_ask("   ", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("type a few words"));
}

#[test]
fn without_a_query_each_stdin_line_gets_one_json_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_studybot"))
        .current_dir(root())
        .args([
            "ask",
            "--notes",
            "tests/fixtures/notes",
            "--glossary",
            "tests/fixtures/synonyms.toml",
            "--limit",
            "2",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"kinesis fanout\n\nvisibility timeout\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["query"], "kinesis fanout");
    assert_eq!(lines[0]["hits"].as_array().map(Vec::len), Some(2));
    assert!(
        lines[1]["message"]
            .as_str()
            .is_some_and(|m| m.contains("type a few words"))
    );
    assert_eq!(lines[2]["hits"][0]["file"], "sqs.md");
}

#[test]
fn a_missing_notes_folder_is_named() {
    let out = studybot(&["ask", "x", "--notes", "no/such/dir"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/dir"));
}

#[test]
fn the_default_content_notes_answer_the_readme_query() {
    let v = json(&studybot(&["ask", "kinesis fanout", "--json"]));
    assert!(first_heading(&v).to_lowercase().contains("fan-out"), "{v}");
}

fn seeds() -> Option<PathBuf> {
    let dir = root().join("../shared/seeds");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: ../shared/seeds is not here");
        None
    }
}

#[test]
fn on_the_seed_notes_every_fan_out_spelling_ranks_an_enhanced_fan_out_passage_first() {
    let Some(dir) = seeds() else { return };
    let dir = dir.to_string_lossy().to_string();
    let mut firsts = Vec::new();
    for q in [
        "kinesis fanout",
        "kinesis fan-out",
        "kinesis fan out",
        "Kinesis Fan-Out",
    ] {
        let v = json(&studybot(&["ask", q, "--notes", &dir, "--json"]));
        let heading = first_heading(&v).to_lowercase();
        assert!(
            heading.contains("fan-out") || heading.contains("fanout"),
            "query {q:?}: {heading}"
        );
        firsts.push((
            v["hits"][0]["file"].clone(),
            v["hits"][0]["start_line"].clone(),
        ));
    }
    assert!(firsts.windows(2).all(|w| w[0] == w[1]), "{firsts:?}");
}

/// The mean metrics of a labeled set over the seed notes, printing each kind and the weakest
/// queries (`cargo test --test ask labeled -- --nocapture`).
fn labeled(set: &str) -> Option<studybot::search::eval::Metrics> {
    use studybot::search::eval;
    let dir = seeds()?;
    let labels = eval::load_labels(&root().join("tests/relevance").join(set)).expect("labels");
    let loaded = studybot::notes::load_dirs(&[dir]).expect("seeds");
    let glossary = studybot::search::Glossary::load(&root().join("content/synonyms.toml"))
        .expect("glossary")
        .with_concepts(
            studybot::search::Concepts::load(&root().join("content/concepts.toml"))
                .expect("concepts"),
        );
    let index = studybot::search::NoteIndex::build(loaded.passages, glossary).expect("index");
    let opts = studybot::search::SearchOptions {
        limit: 10,
        topic: None,
    };
    let mut all = Vec::new();
    let mut by_kind: std::collections::BTreeMap<String, Vec<eval::Metrics>> = Default::default();
    let mut worst = Vec::new();
    for q in &labels {
        let hits = index.search(&q.q, &opts).expect("search").hits;
        let ranked: Vec<eval::Ranked> = hits
            .iter()
            .map(|h| eval::Ranked {
                file: h.passage.file.clone(),
                start_line: h.passage.start_line,
                end_line: h.passage.end_line,
            })
            .collect();
        let m = eval::evaluate(&ranked, &q.relevant);
        by_kind.entry(q.kind.clone()).or_default().push(m);
        worst.push((m.ndcg10, q.q.clone()));
        all.push(m);
    }
    for (kind, list) in &by_kind {
        println!("{set} {kind}: {:?}", eval::Metrics::mean(list));
    }
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("{set} weakest: {:?}", &worst[..worst.len().min(12)]);
    Some(eval::Metrics::mean(&all))
}

/// A labeled set ranks above floors set well under its measured figures (BENCHMARKS.md), so a
/// broken ranking fails while ordinary tuning does not. Skipped without the seed notes.
fn ranks_above(set: &str, ndcg10: f64, mrr10: f64) {
    let Some(mean) = labeled(set) else {
        return;
    };
    println!("{set}: {mean:?}");
    assert!(mean.ndcg10 > ndcg10, "{mean:?}");
    assert!(mean.mrr10 > mrr10, "{mean:?}");
}

#[test]
fn on_the_seed_notes_the_labeled_keyword_queries_rank_well() {
    ranks_above("seeds.toml", 0.80, 0.90);
}

#[test]
fn on_the_seed_notes_the_labeled_sentence_queries_rank_well() {
    ranks_above("natural.toml", 0.72, 0.85);
}

#[test]
fn on_the_seed_notes_the_development_sentence_queries_rank_well() {
    // The set the ranking was tuned on (natural.toml above stays held out).
    ranks_above("natural_dev.toml", 0.76, 0.85);
}

/// `studybot ask --json` over the shipped content notes.
fn content_ask(query: &str) -> serde_json::Value {
    json(&studybot(&["ask", query, "--json", "--limit", "5"]))
}

fn headings(v: &serde_json::Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .map(|hits| {
            hits.iter()
                .map(|h| {
                    h["heading"]
                        .as_array()
                        .map(|p| {
                            p.iter()
                                .filter_map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(" > ")
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_question_typed_as_a_sentence_gets_an_answer_line_and_no_function_words_in_bold() {
    let v = content_ask("what is the max size of an sqs message?");
    let answer = v["answer"].as_str().expect("an answer line");
    assert!(
        answer.contains("1 MiB") || answer.contains("256"),
        "{answer}"
    );
    assert!(headings(&v)[..2].iter().any(|h| h.contains("SQS")), "{v}");
    for hit in v["hits"].as_array().expect("hits") {
        let snippet = hit["snippet"].as_str().unwrap_or_default().to_lowercase();
        for stop in ["**what**", "**is**", "**the**", "**of**", "**an**"] {
            assert!(!snippet.contains(stop), "{stop} highlighted in {snippet}");
        }
    }
    // Keywords are not a question: no answer line.
    assert!(content_ask("sqs message size").get("answer").is_none());
}

#[test]
fn only_function_words_are_too_vague_and_a_phrase_that_needs_them_still_matches() {
    let v = content_ask("what is it");
    assert_eq!(v["hits"].as_array().map(Vec::len), Some(0));
    assert!(
        v["message"]
            .as_str()
            .is_some_and(|m| m.contains("too vague")),
        "{v}"
    );
    let out = studybot(&["ask", "what is it"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("too vague"));
    let v = content_ask("time to live");
    assert!(
        headings(&v)
            .iter()
            .take(3)
            .any(|h| h.contains("Time to Live")),
        "{v}"
    );
}

#[test]
fn a_comparison_shows_each_side() {
    let v = content_ask("ALB vs NLB");
    assert_eq!(v["sides"], serde_json::json!(["alb", "nlb"]));
    let hits = v["hits"].as_array().expect("hits");
    let names = |k: usize| hits.iter().any(|h| h["sides"][k] == true);
    assert!(names(0) && names(1), "{v}");
    let text = String::from_utf8_lossy(&studybot(&["ask", "ALB vs NLB"]).stdout).to_string();
    assert!(text.contains("Comparing alb and nlb"), "{text}");
}

#[test]
fn a_concept_described_without_its_name_finds_it() {
    let v = content_ask("keep db passwords out of my lambda code");
    assert!(
        headings(&v)[..3]
            .iter()
            .any(|h| h.contains("Secrets Manager") || h.contains("Parameter Store")),
        "{v}"
    );
    let v = content_ask("run some code every night on a schedule");
    assert!(
        headings(&v).iter().any(|h| h.contains("EventBridge")),
        "{v}"
    );
}

#[test]
fn random_unicode_queries_never_fail() {
    use rand::{Rng, SeedableRng};
    // A few thousand cases here; `ASK_FUZZ_CASES=1000000` by hand (figures in BENCHMARKS.md).
    let cases: usize = std::env::var("ASK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let index = studybot::content::build_index(
        &[root().join("content/notes")],
        None,
        &root().join("content"),
    )
    .expect("index");
    let opts = studybot::search::SearchOptions {
        limit: 5,
        topic: None,
    };
    let pieces = [
        "what",
        "is",
        "the",
        " ",
        "?",
        "vs",
        "kinesis",
        "fan-out",
        "\"",
        "(",
        ":",
        "@",
        "🙂",
        "Ωmega",
        "日本語",
        "ا",
        "\u{200b}",
        "\u{0301}",
        "\n",
        "\t",
        "-",
        "--",
        "*",
        "\\",
        "256",
        "KB",
        "how",
        "many",
        "or",
        "between",
        "and",
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let started = std::time::Instant::now();
    for _ in 0..cases {
        let mut q = String::new();
        for _ in 0..rng.random_range(0..12) {
            if rng.random_bool(0.5) {
                q.push_str(pieces[rng.random_range(0..pieces.len())]);
            } else {
                // Any scalar value, surrogates excluded.
                let c = loop {
                    if let Some(c) = char::from_u32(rng.random_range(0..0x11_0000)) {
                        break c;
                    }
                };
                q.push(c);
            }
        }
        let r = index
            .search(&q, &opts)
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
        assert!(r.hits.len() <= 5);
    }
    let long = "what is the max size of an sqs message ".repeat(160);
    assert!(long.len() > 6_000);
    assert!(!index.search(&long, &opts).expect("long").hits.is_empty());
    println!("{cases} random queries in {:?}", started.elapsed());
}
