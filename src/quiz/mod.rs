//! Purpose: the question bank. `Question` (single answer or AWS-style "choose N"), loading
//! `content/questions/*.toml` with every problem reported as `file:line: message`, checking
//! that each question's `source` resolves to a heading in the notes, and grading.
//!
//! Does no I/O beyond reading the bank's files; knows nothing of Discord or SQL.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

pub mod audit;
pub mod drill;
pub mod live;
pub mod text;

use crate::notes::{NoteFile, slugify};

/// How hard a question is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn parse(s: &str) -> Option<Difficulty> {
        match s {
            "easy" => Some(Difficulty::Easy),
            "medium" => Some(Difficulty::Medium),
            "hard" => Some(Difficulty::Hard),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

/// The correct choice(s), as indexes into `choices`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Answer {
    Single(usize),
    /// "Choose N": all of these and only these.
    Multi(Vec<usize>),
}

impl Answer {
    /// How many choices a learner must pick.
    pub fn count(&self) -> usize {
        match self {
            Answer::Single(_) => 1,
            Answer::Multi(v) => v.len(),
        }
    }

    pub fn indexes(&self) -> Vec<usize> {
        match self {
            Answer::Single(i) => vec![*i],
            Answer::Multi(v) => v.clone(),
        }
    }

    /// `B` or `A, D`.
    pub fn letters(&self) -> String {
        self.indexes()
            .into_iter()
            .map(|i| letter(i).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `0` → `A`.
pub fn letter(index: usize) -> char {
    (b'A' + (index.min(25) as u8)) as char
}

/// Where a question points the learner: a notes file and a heading anchor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceRef {
    pub file: String,
    pub anchor: String,
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file, self.anchor)
    }
}

/// One exam-style question.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Question {
    pub id: String,
    pub topic: String,
    pub exams: Vec<String>,
    /// The exam-guide domain of this question for each exam it is tagged with
    /// (`DVA-C02` → `security`); checked against `content/exams.toml` by `studybot check`.
    pub domains: BTreeMap<String, String>,
    pub difficulty: Difficulty,
    pub prompt: String,
    pub choices: Vec<String>,
    pub answer: Answer,
    pub explanation: String,
    pub source: SourceRef,
    /// Where it is defined, for messages.
    #[serde(skip)]
    pub file: PathBuf,
    #[serde(skip)]
    pub line: usize,
}

impl Question {
    /// The question as shown, as JSON, for a post to keep (see [`Question::from_shown_json`]).
    pub fn shown_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A question a post kept when it showed it; `None` when the text is not one.
    pub fn from_shown_json(json: &str) -> Option<Question> {
        serde_json::from_str(json).ok()
    }

    /// Whether a learner's picks are exactly the answer (order does not matter).
    pub fn is_correct(&self, picked: &[usize]) -> bool {
        let mut want = self.answer.indexes();
        let mut got = picked.to_vec();
        want.sort_unstable();
        got.sort_unstable();
        got.dedup();
        want == got
    }
}

/// Something wrong in the content, where it is and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}

/// A bank that failed validation.
#[derive(Debug, thiserror::Error)]
#[error("the question bank has {} problem(s); run `studybot check` to see them all. First: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
pub struct InvalidBank(pub Vec<Problem>);

/// The validated questions.
#[derive(Debug, Clone, Default)]
pub struct Bank {
    questions: Vec<Question>,
}

impl Bank {
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    pub fn get(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Questions per topic.
    pub fn topic_counts(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for q in &self.questions {
            *m.entry(q.topic.clone()).or_default() += 1;
        }
        m
    }

    /// Questions per exam.
    pub fn exam_counts(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for q in &self.questions {
            for e in &q.exams {
                *m.entry(e.clone()).or_default() += 1;
            }
        }
        m
    }

    /// Loads a bank and refuses it if anything is wrong.
    pub fn load_valid(dir: &Path, notes: &[NoteFile]) -> Result<Bank, InvalidBank> {
        let (bank, problems) = load_bank(dir, notes);
        if problems.is_empty() {
            Ok(bank)
        } else {
            Err(InvalidBank(problems))
        }
    }
}

const KEYS: [&str; 10] = [
    "id",
    "topic",
    "exams",
    "domains",
    "difficulty",
    "prompt",
    "choices",
    "answer",
    "explanation",
    "source",
];

/// Loads every `*.toml` under `dir` (sorted), checking each question against the notes.
/// Returns the questions that are valid and every problem found.
pub fn load_bank(dir: &Path, notes: &[NoteFile]) -> (Bank, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "toml") {
                    files.push(p);
                }
            }
        }
        Err(e) => problems.push(Problem {
            file: dir.to_path_buf(),
            line: 0,
            message: format!("cannot read the questions folder: {e}"),
        }),
    }
    files.sort();
    let mut questions = Vec::new();
    let mut invalid: HashSet<(PathBuf, usize)> = HashSet::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                let (qs, ps) = parse_questions_all(&file, &text);
                for (q, ok) in qs {
                    if !ok {
                        invalid.insert((q.file.clone(), q.line));
                    }
                    questions.push(q);
                }
                problems.extend(ps);
            }
            Err(e) => problems.push(Problem {
                file: file.clone(),
                line: 0,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    let questions = cross_check(questions, notes, &mut problems)
        .into_iter()
        .filter(|q| !invalid.contains(&(q.file.clone(), q.line)))
        .collect();
    (Bank { questions }, problems)
}

/// Checks what needs the whole bank and the notes: duplicate ids, topics with notes, sources.
pub fn cross_check(
    questions: Vec<Question>,
    notes: &[NoteFile],
    problems: &mut Vec<Problem>,
) -> Vec<Question> {
    let topics: HashSet<&str> = notes.iter().map(|n| n.topic.as_str()).collect();
    let anchors: HashMap<&str, &NoteFile> = notes.iter().map(|n| (n.file.as_str(), n)).collect();
    let mut seen: HashMap<String, (PathBuf, usize)> = HashMap::new();
    let mut ok = Vec::with_capacity(questions.len());
    for q in questions {
        let before = problems.len();
        let mut report = |message: String| {
            problems.push(Problem {
                file: q.file.clone(),
                line: q.line,
                message,
            })
        };
        if q.id.is_empty() {
            // already reported as missing
        } else if let Some((file, line)) = seen.get(&q.id) {
            report(format!(
                "duplicate id {:?} (first defined at {}:{line})",
                q.id,
                file.display()
            ));
        } else {
            seen.insert(q.id.clone(), (q.file.clone(), q.line));
        }
        if !q.topic.is_empty() && !topics.contains(q.topic.as_str()) {
            report(format!(
                "topic {:?} has no notes (expected a notes file {}.md)",
                q.topic, q.topic
            ));
        }
        match anchors.get(q.source.file.as_str()) {
            _ if q.source.file.is_empty() => {}
            None => report(format!(
                "source {}: no notes file {}",
                q.source, q.source.file
            )),
            Some(note) if !note.anchors.contains(&q.source.anchor) => {
                let close: Vec<&String> = note
                    .anchors
                    .iter()
                    .filter(|a| {
                        a.contains(&q.source.anchor) || q.source.anchor.contains(a.as_str())
                    })
                    .take(3)
                    .collect();
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (did you mean {}?)",
                        close
                            .iter()
                            .map(|a| format!("#{a}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                report(format!(
                    "source {}: no heading with anchor #{} in {}{hint}",
                    q.source, q.source.anchor, q.source.file
                ));
            }
            Some(_) => {}
        }
        if problems.len() == before {
            ok.push(q);
        }
    }
    ok
}

/// Lines of each `[[question]]` table and of the keys inside it.
struct Block {
    header: usize,
    keys: HashMap<String, usize>,
}

fn blocks(text: &str) -> (Vec<Block>, HashMap<String, usize>) {
    let mut out: Vec<Block> = Vec::new();
    let mut top_keys = HashMap::new();
    let mut in_multiline: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if let Some(delim) = in_multiline {
            if t.contains(delim) {
                in_multiline = None;
            }
            continue;
        }
        if t == "[[question]]" {
            out.push(Block {
                header: n,
                keys: HashMap::new(),
            });
            continue;
        }
        if let Some((key, value)) = t.split_once('=') {
            let key = key.trim().trim_matches('"').to_string();
            let value = value.trim();
            for delim in ["\"\"\"", "'''"] {
                if value.starts_with(delim) && !value[3..].contains(delim) {
                    in_multiline = Some(delim);
                }
            }
            if !key.is_empty() && !key.contains(' ') {
                match out.last_mut() {
                    Some(b) => {
                        b.keys.entry(key).or_insert(n);
                    }
                    None => {
                        top_keys.entry(key).or_insert(n);
                    }
                }
            }
        }
    }
    (out, top_keys)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses one question file. Problems name the file and the line of the offending key.
/// Returns only the questions without problems.
pub fn parse_questions(file: &Path, text: &str) -> (Vec<Question>, Vec<Problem>) {
    let (all, problems) = parse_questions_all(file, text);
    (
        all.into_iter()
            .filter(|(_, ok)| *ok)
            .map(|(q, _)| q)
            .collect(),
        problems,
    )
}

/// Every question found, each with whether it had no problem of its own, so that cross-checks
/// (duplicate ids, sources) still run on questions with other problems.
fn parse_questions_all(file: &Path, text: &str) -> (Vec<(Question, bool)>, Vec<Problem>) {
    let mut problems = Vec::new();
    let problem = |line: usize, message: String| Problem {
        file: file.to_path_buf(),
        line,
        message,
    };
    let table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            problems.push(problem(line, format!("invalid TOML: {}", e.message())));
            return (Vec::new(), problems);
        }
    };
    let (blocks, top_keys) = blocks(text);
    for key in table.keys() {
        if key != "question" {
            let line = top_keys.get(key).copied().unwrap_or(1);
            problems.push(problem(
                line,
                format!("unknown key {key:?} (a question file holds only [[question]] tables)"),
            ));
        }
    }
    let Some(items) = table.get("question") else {
        problems.push(problem(1, "no [[question]] tables".into()));
        return (Vec::new(), problems);
    };
    let Some(items) = items.as_array() else {
        problems.push(problem(
            1,
            "`question` must be an array of tables: write [[question]]".into(),
        ));
        return (Vec::new(), problems);
    };
    let mut questions = Vec::new();
    for (k, item) in items.iter().enumerate() {
        let block = blocks.get(k);
        let header = block.map_or(1, |b| b.header);
        let at = |key: &str| {
            block
                .and_then(|b| b.keys.get(key).copied())
                .unwrap_or(header)
        };
        let Some(q) = item.as_table() else {
            problems.push(problem(header, "a question must be a table".into()));
            continue;
        };
        let before = problems.len();
        let mut report = |key: &str, message: String| problems.push(problem(at(key), message));
        for key in q.keys() {
            if !KEYS.contains(&key.as_str()) {
                report(
                    key,
                    format!("unknown key {key:?} (expected one of: {})", KEYS.join(", ")),
                );
            }
        }
        let text_field = |key: &str, report: &mut dyn FnMut(&str, String)| -> String {
            match q.get(key) {
                None => {
                    report(key, format!("missing {key}"));
                    String::new()
                }
                Some(v) => match v.as_str() {
                    Some(s) if !s.trim().is_empty() => s.trim().to_string(),
                    Some(_) => {
                        report(key, format!("empty {key}"));
                        String::new()
                    }
                    None => {
                        report(key, format!("{key} must be a string"));
                        String::new()
                    }
                },
            }
        };
        let id = text_field("id", &mut report);
        if !id.is_empty()
            && !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            report("id", format!("id {id:?} may only hold a-z, 0-9 and -"));
        }
        let topic = text_field("topic", &mut report);
        let prompt = text::reflow(&text_field("prompt", &mut report));
        let explanation = text::reflow(&text_field("explanation", &mut report));
        let difficulty_text = text_field("difficulty", &mut report);
        let difficulty = Difficulty::parse(&difficulty_text);
        if difficulty.is_none() && !difficulty_text.is_empty() {
            report(
                "difficulty",
                format!("difficulty {difficulty_text:?} must be easy, medium or hard"),
            );
        }
        let exams: Vec<String> = match q.get("exams").and_then(|v| v.as_array()) {
            Some(list) => list
                .iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect(),
            None => {
                report("exams", "exams must be a list such as [\"DVA-C02\"]".into());
                Vec::new()
            }
        };
        if q.get("exams").is_some_and(|v| {
            v.as_array()
                .is_some_and(|a| a.is_empty() || a.len() != exams.len())
        }) {
            report(
                "exams",
                "exams must be a non-empty list of exam codes (strings)".into(),
            );
        }
        for e in &exams {
            if !is_exam_code(e) {
                report(
                    "exams",
                    format!("exam {e:?} is not an exam code such as DVA-C02"),
                );
            }
        }
        let mut domains = BTreeMap::new();
        match q.get("domains") {
            None => {}
            Some(toml::Value::Table(t)) => {
                for (exam, domain) in t {
                    match domain.as_str() {
                        Some(d) if !d.trim().is_empty() => {
                            if !exams.contains(exam) {
                                report(
                                    "domains",
                                    format!(
                                        "domains names exam {exam:?}, which is not in this question's exams"
                                    ),
                                );
                            }
                            domains.insert(exam.clone(), d.trim().to_string());
                        }
                        _ => report(
                            "domains",
                            format!(
                                "the domain for {exam} must be a domain id such as \"security\""
                            ),
                        ),
                    }
                }
            }
            Some(_) => report(
                "domains",
                "domains must be a table such as { DVA-C02 = \"security\" }".into(),
            ),
        }
        let choices: Vec<String> = match q.get("choices").and_then(|v| v.as_array()) {
            Some(list) => list
                .iter()
                .map(|c| c.as_str().unwrap_or_default().trim().to_string())
                .collect(),
            None => {
                report("choices", "choices must be a list of 3 to 6 strings".into());
                Vec::new()
            }
        };
        if q.get("choices").is_some_and(|v| v.is_array()) {
            if !(3..=6).contains(&choices.len()) {
                report(
                    "choices",
                    format!("{} choices; a question needs 3 to 6", choices.len()),
                );
            }
            if let Some(i) = choices.iter().position(String::is_empty) {
                report(
                    "choices",
                    format!("choice {} is empty or not a string", letter(i)),
                );
            }
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (i, c) in choices.iter().enumerate() {
                let norm = c.to_lowercase();
                if let Some(&j) = seen.get(&norm) {
                    if !c.is_empty() {
                        report(
                            "choices",
                            format!(
                                "choices {} and {} are the same: {c:?}",
                                letter(j),
                                letter(i)
                            ),
                        );
                    }
                } else {
                    seen.insert(norm, i);
                }
            }
        }
        let answer = parse_answer(q.get("answer"), choices.len(), &mut |m| report("answer", m));
        let source = match q.get("source").and_then(|v| v.as_str()) {
            Some(s) => match s.split_once('#') {
                Some((f, a)) if !f.is_empty() && !a.is_empty() => Some(SourceRef {
                    file: f.to_string(),
                    anchor: a.to_string(),
                }),
                _ => {
                    report(
                        "source",
                        format!(
                            "source {s:?} must be <notes file>#<heading anchor>, such as kinesis.md#enhanced-fan-out"
                        ),
                    );
                    None
                }
            },
            None => {
                report(
                    "source",
                    "missing source (<notes file>#<heading anchor>)".into(),
                );
                None
            }
        };
        if source
            .as_ref()
            .is_some_and(|s| slugify(&s.anchor) != s.anchor)
        {
            report(
                "source",
                "the anchor must be lower-case with - for spaces, as headings become anchors"
                    .into(),
            );
        }
        let valid = problems.len() == before
            && difficulty.is_some()
            && answer.is_some()
            && source.is_some();
        questions.push((
            Question {
                id,
                topic,
                exams,
                domains,
                difficulty: difficulty.unwrap_or(Difficulty::Medium),
                prompt,
                choices,
                answer: answer.unwrap_or(Answer::Single(0)),
                explanation,
                source: source.unwrap_or(SourceRef {
                    file: String::new(),
                    anchor: String::new(),
                }),
                file: file.to_path_buf(),
                line: header,
            },
            valid,
        ));
    }
    (questions, problems)
}

fn is_exam_code(e: &str) -> bool {
    let b = e.as_bytes();
    b.len() == 7
        && b[..3].iter().all(u8::is_ascii_uppercase)
        && b[3] == b'-'
        && b[4].is_ascii_uppercase()
        && b[5..].iter().all(u8::is_ascii_digit)
}

fn parse_answer(
    value: Option<&toml::Value>,
    choices: usize,
    report: &mut dyn FnMut(String),
) -> Option<Answer> {
    let to_index = |s: &str, report: &mut dyn FnMut(String)| -> Option<usize> {
        let mut chars = s.trim().chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_uppercase() => {
                let i = (c as u8 - b'A') as usize;
                if i < choices {
                    Some(i)
                } else {
                    report(format!(
                        "answer {c} is not one of the {choices} choices (A-{})",
                        letter(choices.saturating_sub(1))
                    ));
                    None
                }
            }
            _ => {
                report(format!(
                    "answer {s:?} must be a capital letter such as \"B\""
                ));
                None
            }
        }
    };
    match value {
        None => {
            report("missing answer (\"B\", or [\"A\", \"C\"] for choose two)".into());
            None
        }
        Some(toml::Value::String(s)) => to_index(s, report).map(Answer::Single),
        Some(toml::Value::Array(list)) => {
            let mut idx = Vec::new();
            for v in list {
                match v.as_str() {
                    Some(s) => idx.push(to_index(s, report)?),
                    None => {
                        report("answer letters must be strings such as \"A\"".into());
                        return None;
                    }
                }
            }
            let unique: HashSet<usize> = idx.iter().copied().collect();
            if unique.len() != idx.len() {
                report("answer lists a letter twice".into());
                return None;
            }
            if idx.len() < 2 {
                report(
                    "a choose-N answer needs at least two letters; write a single answer as \"B\""
                        .into(),
                );
                return None;
            }
            if idx.len() >= choices {
                report("every choice is marked correct; a choose-N question needs at least one wrong choice".into());
                return None;
            }
            Some(Answer::Multi(idx))
        }
        Some(_) => {
            report("answer must be a letter (\"B\") or a list of letters ([\"A\", \"C\"])".into());
            None
        }
    }
}

#[cfg(test)]
mod tests;
