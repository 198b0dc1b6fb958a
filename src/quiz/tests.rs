use super::*;

const GOOD: &str = r#"[[question]]
id = "kinesis-001"
topic = "kinesis"
exams = ["DVA-C02"]
difficulty = "medium"
prompt = """
Which feature gives each consumer its own read throughput?"""
choices = ["Enhanced fan-out", "Longer retention", "The KPL", "Bigger partition keys"]
answer = "A"
explanation = "Enhanced fan-out gives each consumer 2 MB/s per shard; the others do not."
source = "kinesis.md#enhanced-fan-out"

[[question]]
id = "kinesis-002"
topic = "kinesis"
exams = ["DVA-C02", "SAA-C03"]
difficulty = "easy"
prompt = "Which two are Kinesis services?"
choices = ["Data Streams", "Data Firehose", "Queue Service", "Notification Service", "Lambda"]
answer = ["A", "B"]
explanation = "Data Streams and Firehose are Kinesis; SQS, SNS and Lambda are not."
source = "kinesis.md#kinesis"
"#;

fn notes() -> Vec<NoteFile> {
    vec![NoteFile {
        root: PathBuf::from("content/notes"),
        file: "kinesis.md".into(),
        front_matter: Default::default(),
        anchors: vec!["kinesis".into(), "enhanced-fan-out".into()],
        anchor_lines: vec![1, 5],
        topic: "kinesis".into(),
    }]
}

/// Parses `text` as `kinesis.toml` and checks it against the notes; returns the problems.
fn problems(text: &str) -> Vec<String> {
    let (qs, mut ps) = parse_questions(Path::new("questions/kinesis.toml"), text);
    cross_check(qs, &notes(), &mut ps);
    ps.iter().map(ToString::to_string).collect()
}

fn broken(from: &str, to: &str) -> Vec<String> {
    assert!(GOOD.contains(from), "fixture lacks {from:?}");
    problems(&GOOD.replacen(from, to, 1))
}

#[test]
fn a_good_file_loads_single_and_choose_n_questions() {
    let (qs, ps) = parse_questions(Path::new("kinesis.toml"), GOOD);
    assert!(ps.is_empty(), "{ps:?}");
    assert_eq!(qs.len(), 2);
    assert_eq!(qs[0].answer, Answer::Single(0));
    assert_eq!(qs[0].line, 1);
    assert_eq!(
        qs[0].prompt,
        "Which feature gives each consumer its own read throughput?"
    );
    assert_eq!(qs[1].answer, Answer::Multi(vec![0, 1]));
    assert_eq!(qs[1].answer.count(), 2);
    assert_eq!(qs[1].answer.letters(), "A, B");
    assert_eq!(qs[1].line, 13);
    assert!(problems(GOOD).is_empty());
}

#[test]
fn grading_needs_exactly_the_right_choices_in_any_order() {
    let (qs, _) = parse_questions(Path::new("kinesis.toml"), GOOD);
    assert!(qs[0].is_correct(&[0]));
    assert!(!qs[0].is_correct(&[1]));
    assert!(qs[1].is_correct(&[1, 0]));
    assert!(!qs[1].is_correct(&[0]));
    assert!(!qs[1].is_correct(&[0, 1, 2]));
}

#[test]
fn duplicate_ids_are_reported_at_the_second_with_the_first_location() {
    let ps = broken("id = \"kinesis-002\"", "id = \"kinesis-001\"");
    assert_eq!(
        ps,
        [
            "questions/kinesis.toml:13: duplicate id \"kinesis-001\" (first defined at questions/kinesis.toml:1)"
        ]
    );
}

#[test]
fn an_answer_outside_the_choices_is_reported_on_its_line() {
    let ps = broken("answer = \"A\"", "answer = \"E\"");
    assert_eq!(
        ps,
        ["questions/kinesis.toml:9: answer E is not one of the 4 choices (A-D)"]
    );
    let ps = broken("answer = [\"A\", \"B\"]", "answer = [\"A\", \"F\"]");
    assert_eq!(
        ps,
        ["questions/kinesis.toml:20: answer F is not one of the 5 choices (A-E)"]
    );
    let ps = broken("answer = \"A\"", "answer = \"a\"");
    assert!(
        ps[0].starts_with("questions/kinesis.toml:9: answer \"a\" must be a capital letter"),
        "{ps:?}"
    );
}

#[test]
fn duplicate_choices_are_reported() {
    let ps = broken("\"Longer retention\"", "\"enhanced fan-out\"");
    assert_eq!(
        ps,
        ["questions/kinesis.toml:8: choices A and B are the same: \"enhanced fan-out\""]
    );
}

#[test]
fn too_few_choices_are_reported() {
    let ps = broken(", \"The KPL\", \"Bigger partition keys\"", "");
    assert_eq!(
        ps,
        ["questions/kinesis.toml:8: 2 choices; a question needs 3 to 6"]
    );
}

#[test]
fn a_source_anchor_that_does_not_exist_is_reported_with_a_hint() {
    let ps = broken("kinesis.md#enhanced-fan-out", "kinesis.md#fan-out");
    assert_eq!(
        ps,
        [
            "questions/kinesis.toml:1: source kinesis.md#fan-out: no heading with anchor #fan-out in kinesis.md (did you mean #enhanced-fan-out?)"
        ]
    );
    let ps = broken("kinesis.md#kinesis", "sqs.md#kinesis");
    assert_eq!(
        ps,
        ["questions/kinesis.toml:13: source sqs.md#kinesis: no notes file sqs.md"]
    );
    let ps = broken("kinesis.md#kinesis", "kinesis.md");
    assert!(
        ps[0].starts_with(
            "questions/kinesis.toml:22: source \"kinesis.md\" must be <notes file>#<heading anchor>"
        ),
        "{ps:?}"
    );
}

#[test]
fn an_empty_explanation_is_reported() {
    let ps = broken(
        "explanation = \"Enhanced fan-out gives each consumer 2 MB/s per shard; the others do not.\"",
        "explanation = \"  \"",
    );
    assert_eq!(ps, ["questions/kinesis.toml:10: empty explanation"]);
}

#[test]
fn unknown_keys_are_reported_by_name() {
    let ps = broken(
        "difficulty = \"easy\"",
        "difficulty = \"easy\"\nhint = \"think\"",
    );
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert!(
        ps[0].starts_with("questions/kinesis.toml:18: unknown key \"hint\""),
        "{ps:?}"
    );
    let ps = problems(&format!("title = \"x\"\n{GOOD}"));
    assert!(
        ps[0].starts_with("questions/kinesis.toml:1: unknown key \"title\""),
        "{ps:?}"
    );
}

#[test]
fn a_topic_with_no_notes_is_reported() {
    let ps = broken("topic = \"kinesis\"", "topic = \"kinesys\"");
    assert_eq!(
        ps,
        [
            "questions/kinesis.toml:1: topic \"kinesys\" has no notes (expected a notes file kinesys.md)"
        ]
    );
}

#[test]
fn missing_keys_and_bad_values_are_each_reported() {
    let ps = broken("difficulty = \"medium\"\n", "");
    assert_eq!(ps, ["questions/kinesis.toml:1: missing difficulty"]);
    let ps = broken("difficulty = \"medium\"", "difficulty = \"tricky\"");
    assert_eq!(
        ps,
        ["questions/kinesis.toml:5: difficulty \"tricky\" must be easy, medium or hard"]
    );
    let ps = broken("exams = [\"DVA-C02\"]", "exams = [\"developer\"]");
    assert_eq!(
        ps,
        ["questions/kinesis.toml:4: exam \"developer\" is not an exam code such as DVA-C02"]
    );
    let ps = broken("answer = [\"A\", \"B\"]", "answer = [\"A\"]");
    assert!(
        ps[0]
            .starts_with("questions/kinesis.toml:20: a choose-N answer needs at least two letters"),
        "{ps:?}"
    );
}

#[test]
fn broken_toml_names_the_line() {
    let ps = problems("[[question]]\nid = \"a-001\"\nprompt = \"unterminated\n");
    assert_eq!(ps.len(), 1);
    assert!(
        ps[0].starts_with("questions/kinesis.toml:3: invalid TOML"),
        "{ps:?}"
    );
}

#[test]
fn every_problem_in_a_file_is_reported_not_just_the_first() {
    let text = GOOD
        .replacen("answer = \"A\"", "answer = \"Z\"", 1)
        .replacen("difficulty = \"easy\"", "difficulty = \"hardest\"", 1);
    assert_eq!(problems(&text).len(), 2);
}

#[test]
fn an_invalid_bank_is_refused_with_the_first_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kinesis.toml"),
        GOOD.replacen("answer = \"A\"", "answer = \"Z\"", 1),
    )
    .unwrap();
    let err = Bank::load_valid(dir.path(), &notes()).unwrap_err();
    assert!(
        err.to_string().contains("kinesis.toml:9: answer Z"),
        "{err}"
    );
    std::fs::write(dir.path().join("kinesis.toml"), GOOD).unwrap();
    let bank = Bank::load_valid(dir.path(), &notes()).unwrap();
    assert_eq!(bank.questions().len(), 2);
    assert_eq!(bank.topic_counts().get("kinesis"), Some(&2));
    assert_eq!(bank.exam_counts().get("SAA-C03"), Some(&1));
}
