//! Purpose: the exam guides in `content/exams.toml`: parsing them with every problem reported as
//! `file:line: message`, looking one up by code, and the per-domain question quotas.
//!
//! Reads one file; knows nothing of the question bank, SQL or Discord.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One certification exam as its official guide describes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExamGuide {
    /// The exam code, e.g. `DVA-C02`.
    pub code: String,
    /// The certification's name, e.g. `AWS Certified Developer - Associate`.
    pub name: String,
    /// Questions on the real exam (scored and unscored).
    pub questions: usize,
    /// Minutes the real exam allows.
    pub minutes: u32,
    /// Passing score on AWS's 100–1,000 scale.
    pub passing_score: u32,
    pub status: ExamStatus,
    /// The content domains, in the guide's order; weights sum to 100.
    pub domains: Vec<Domain>,
}

/// Whether AWS still offers the exam.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ExamStatus {
    Current,
    Retired { replaced_by: String },
}

/// One content domain of an exam.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Domain {
    /// The id questions use in their `domains` table, e.g. `security`.
    pub id: String,
    /// The guide's name, e.g. `Troubleshooting and Optimization`.
    pub name: String,
    /// Percent of scored content.
    pub weight: u32,
}

impl ExamGuide {
    /// The domain with this id.
    pub fn domain(&self, id: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id == id)
    }

    /// Whether AWS has retired the exam.
    pub fn is_retired(&self) -> bool {
        matches!(self.status, ExamStatus::Retired { .. })
    }

    /// The passing score as a fraction of questions correct, by inverting the linear scale of
    /// [`super::scaled_score`]: `(passing_score - 100) / 900` (720 → 0.689, 750 → 0.722).
    pub fn passing_fraction(&self) -> f64 {
        (f64::from(self.passing_score) - 100.0) / 900.0
    }

    /// Questions per domain for an exam of `n` questions, in the guide's domain order, by the
    /// largest-remainder method: each domain gets the whole part of `weight × n / 100`, and the
    /// questions left over go to the largest remainders (ties: the heavier domain, then the
    /// earlier one). The counts sum to exactly `n` and each is within 1 of `weight × n / 100`.
    pub fn quotas(&self, n: usize) -> Vec<(&Domain, usize)> {
        let total: usize = self.domains.iter().map(|d| d.weight as usize).sum();
        if total == 0 {
            return self.domains.iter().map(|d| (d, 0)).collect();
        }
        let mut counts: Vec<usize> = Vec::with_capacity(self.domains.len());
        let mut remainders: Vec<(usize, usize)> = Vec::with_capacity(self.domains.len());
        for (i, d) in self.domains.iter().enumerate() {
            let exact = d.weight as usize * n;
            counts.push(exact / total);
            remainders.push((exact % total, i));
        }
        let mut left = n - counts.iter().sum::<usize>();
        remainders.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(self.domains[b.1].weight.cmp(&self.domains[a.1].weight))
                .then(a.1.cmp(&b.1))
        });
        for &(_, i) in &remainders {
            if left == 0 {
                break;
            }
            counts[i] += 1;
            left -= 1;
        }
        self.domains.iter().zip(counts).collect()
    }
}

/// Something wrong in the exam guides, where it is and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideProblem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for GuideProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// Exam guides that could not be read or are invalid.
#[derive(Debug, thiserror::Error)]
pub enum GuidesError {
    #[error("failed to read exam guides {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}", problems_text(.0))]
    Invalid(Vec<GuideProblem>),
}

fn problems_text(problems: &[GuideProblem]) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

impl GuidesError {
    /// Every problem found (empty for a read failure).
    pub fn problems(&self) -> &[GuideProblem] {
        match self {
            GuidesError::Read { .. } => &[],
            GuidesError::Invalid(p) => p,
        }
    }
}

/// An exam code not in the guides.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown exam {code:?}; known exams: {}", known.join(", "))]
pub struct UnknownExam {
    pub code: String,
    pub known: Vec<String>,
}

/// Every exam guide, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Guides {
    exams: Vec<ExamGuide>,
}

const TOP_KEYS: &[&str] = &["exam"];
const EXAM_KEYS: &[&str] = &[
    "code",
    "name",
    "questions",
    "minutes",
    "passing_score",
    "status",
    "replaced_by",
    "domains",
];
const DOMAIN_KEYS: &[&str] = &["id", "name", "weight"];

impl Guides {
    /// Reads and parses the guides file (`content/exams.toml`).
    pub fn load(path: &Path) -> Result<Guides, GuidesError> {
        let text = std::fs::read_to_string(path).map_err(|source| GuidesError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Guides::parse(path, &text)
    }

    /// Parses guides text; `path` only names the file in problems. Reports every problem found:
    /// broken TOML, unknown keys, missing or mistyped fields, duplicate exam codes or domain ids,
    /// weights that do not sum to 100, a retired exam without `replaced_by`.
    pub fn parse(path: &Path, text: &str) -> Result<Guides, GuidesError> {
        let mut p = Parser {
            file: path,
            text,
            problems: Vec::new(),
        };
        let exams = p.document();
        if p.problems.is_empty() {
            Ok(Guides { exams })
        } else {
            p.problems.sort_by_key(|x| x.line);
            Err(GuidesError::Invalid(p.problems))
        }
    }

    /// Builds guides from values already checked (for tests and tools).
    pub fn from_guides(exams: Vec<ExamGuide>) -> Guides {
        Guides { exams }
    }

    /// The guide for `code`, compared without regard to case (`dva-c02` finds `DVA-C02`).
    pub fn get(&self, code: &str) -> Result<&ExamGuide, UnknownExam> {
        let wanted = code.trim();
        self.exams
            .iter()
            .find(|g| g.code.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownExam {
                code: wanted.to_string(),
                known: self.codes().map(str::to_string).collect(),
            })
    }

    /// Every guide, in file order.
    pub fn all(&self) -> &[ExamGuide] {
        &self.exams
    }

    /// Every exam code, in file order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.exams.iter().map(|g| g.code.as_str())
    }
}

struct Parser<'a> {
    file: &'a Path,
    text: &'a str,
    problems: Vec<GuideProblem>,
}

type Table<'i> = DeTable<'i>;

impl Parser<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn report(&mut self, span: &Range<usize>, message: String) {
        let line = self.line(span);
        self.problems.push(GuideProblem {
            file: self.file.to_path_buf(),
            line,
            message,
        });
    }

    fn document(&mut self) -> Vec<ExamGuide> {
        let (root, errors) = DeTable::parse_recoverable(self.text);
        if !errors.is_empty() {
            for e in errors {
                let span = e.span().unwrap_or(0..0);
                self.report(&span, format!("invalid TOML: {}", e.message().trim()));
            }
            return Vec::new();
        }
        let root = root.get_ref();
        self.unknown_keys(root, TOP_KEYS, "the guides file holds only [[exam]] tables");
        let Some(exams) = root.get("exam") else {
            self.report(&(0..0), "no [[exam]] tables".into());
            return Vec::new();
        };
        let Some(items) = exams.get_ref().as_array() else {
            self.report(
                &exams.span(),
                "`exam` must be an array of tables: write [[exam]]".into(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for item in items.iter() {
            let Some(table) = item.get_ref().as_table() else {
                self.report(&item.span(), "an exam must be a table".into());
                continue;
            };
            let code = table.get("code").and_then(|c| {
                c.get_ref()
                    .as_str()
                    .map(|s| (s.trim().to_string(), c.span()))
            });
            let mut duplicate = false;
            if let Some((code, span)) = code.filter(|(c, _)| !c.is_empty()) {
                let key = code.to_ascii_uppercase();
                if let Some(first) = seen.get(&key) {
                    self.report(
                        &span,
                        format!("duplicate exam code {code:?} (first at line {first})"),
                    );
                    duplicate = true;
                } else {
                    seen.insert(key, self.line(&span));
                }
            }
            let Some(guide) = self.exam(table, &item.span()) else {
                continue;
            };
            if duplicate {
                continue;
            }
            out.push(guide);
        }
        out
    }

    fn unknown_keys(&mut self, table: &Table<'_>, allowed: &[&str], hint: &str) {
        for key in table.keys() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                self.report(
                    &key.span(),
                    format!(
                        "unknown key {:?} ({hint}; expected one of: {})",
                        key.get_ref(),
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    /// A non-empty string field; reports a missing, mistyped or empty one.
    fn string(
        &mut self,
        table: &Table<'_>,
        key: &str,
        owner: &Range<usize>,
        what: &str,
    ) -> Option<String> {
        let Some(v) = table.get(key) else {
            self.report(owner, format!("{what} is missing `{key}`"));
            return None;
        };
        match v.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            DeValue::String(_) => {
                self.report(&v.span(), format!("`{key}` is empty"));
                None
            }
            other => {
                self.report(
                    &v.span(),
                    format!("`{key}` must be a string, not {}", other.type_str()),
                );
                None
            }
        }
    }

    /// An integer field within `range`; reports a missing, mistyped or out-of-range one.
    fn integer(
        &mut self,
        table: &Table<'_>,
        key: &str,
        owner: &Range<usize>,
        what: &str,
        range: Range<i64>,
    ) -> Option<i64> {
        let Some(v) = table.get(key) else {
            self.report(owner, format!("{what} is missing `{key}`"));
            return None;
        };
        let DeValue::Integer(i) = v.get_ref() else {
            self.report(
                &v.span(),
                format!("`{key}` must be an integer, not {}", v.get_ref().type_str()),
            );
            return None;
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                self.report(
                    &v.span(),
                    format!(
                        "`{key}` is {i}; it must be from {} to {}",
                        range.start,
                        range.end - 1
                    ),
                );
                None
            }
        }
    }

    fn exam(&mut self, table: &Table<'_>, span: &Range<usize>) -> Option<ExamGuide> {
        let before = self.problems.len();
        self.unknown_keys(table, EXAM_KEYS, "in an [[exam]] table");
        let code = self.string(table, "code", span, "an exam");
        let what = match &code {
            Some(c) => format!("exam {c}"),
            None => "an exam".to_string(),
        };
        if let Some(c) = &code
            && !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
        {
            let at = table.get("code").map_or(span.clone(), Spanned::span);
            self.report(
                &at,
                format!("exam code {c:?} may only hold letters, digits and -"),
            );
        }
        let name = self.string(table, "name", span, &what);
        let questions = self.integer(table, "questions", span, &what, 1..1_001);
        let minutes = self.integer(table, "minutes", span, &what, 1..1_441);
        let passing_score = self.integer(table, "passing_score", span, &what, 100..1_001);
        let status = self.status(table, span, &what);
        let domains = self.domains(table, span, &what);
        if self.problems.len() > before {
            return None;
        }
        Some(ExamGuide {
            code: code?,
            name: name?,
            questions: usize::try_from(questions?).ok()?,
            minutes: u32::try_from(minutes?).ok()?,
            passing_score: u32::try_from(passing_score?).ok()?,
            status: status?,
            domains: domains?,
        })
    }

    fn status(&mut self, table: &Table<'_>, span: &Range<usize>, what: &str) -> Option<ExamStatus> {
        let status = self.string(table, "status", span, what)?;
        let status_span = table.get("status").map_or(span.clone(), Spanned::span);
        match status.as_str() {
            "current" => {
                if let Some(r) = table.get("replaced_by") {
                    self.report(
                        &r.span(),
                        "`replaced_by` is only for an exam whose status is \"retired\"".into(),
                    );
                    return None;
                }
                Some(ExamStatus::Current)
            }
            "retired" => {
                if table.get("replaced_by").is_none() {
                    self.report(
                        &status_span,
                        format!(
                            "{what} is retired but has no `replaced_by` (the exam that replaced it)"
                        ),
                    );
                    return None;
                }
                let replaced_by = self.string(table, "replaced_by", span, what)?;
                Some(ExamStatus::Retired { replaced_by })
            }
            other => {
                self.report(
                    &status_span,
                    format!("`status` is {other:?}; it must be \"current\" or \"retired\""),
                );
                None
            }
        }
    }

    fn domains(
        &mut self,
        table: &Table<'_>,
        span: &Range<usize>,
        what: &str,
    ) -> Option<Vec<Domain>> {
        let Some(v) = table.get("domains") else {
            self.report(span, format!("{what} is missing `domains`"));
            return None;
        };
        let Some(items) = v.get_ref().as_array() else {
            self.report(
                &v.span(),
                format!(
                    "`domains` must be an array of {{ id, name, weight }} tables, not {}",
                    v.get_ref().type_str()
                ),
            );
            return None;
        };
        if items.is_empty() {
            self.report(&v.span(), format!("{what} has no domains"));
            return None;
        }
        let before = self.problems.len();
        let mut out = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for item in items.iter() {
            let at = item.span();
            let Some(d) = item.get_ref().as_table() else {
                self.report(
                    &at,
                    "a domain must be a table: { id = \"…\", name = \"…\", weight = N }".into(),
                );
                continue;
            };
            self.unknown_keys(d, DOMAIN_KEYS, "in a domain");
            let id = self.string(d, "id", &at, "a domain");
            let name = self.string(d, "name", &at, "a domain");
            let weight = self.integer(d, "weight", &at, "a domain", 1..101);
            let Some(id) = id else { continue };
            let id_span = d.get("id").map_or(at.clone(), Spanned::span);
            if !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                self.report(
                    &id_span,
                    format!("domain id {id:?} may only hold a-z, 0-9 and -"),
                );
            }
            if let Some(first) = seen.get(&id) {
                self.report(
                    &id_span,
                    format!("duplicate domain id {id:?} in {what} (first at line {first})"),
                );
                continue;
            }
            seen.insert(id.clone(), self.line(&id_span));
            if let (Some(name), Some(weight)) = (name, weight) {
                out.push(Domain {
                    id,
                    name,
                    weight: u32::try_from(weight).unwrap_or(0),
                });
            }
        }
        if self.problems.len() > before {
            return None;
        }
        let sum: u32 = out.iter().map(|d| d.weight).sum();
        if sum != 100 {
            self.report(
                &v.span(),
                format!("{what}: domain weights sum to {sum}, not 100"),
            );
            return None;
        }
        Some(out)
    }
}
