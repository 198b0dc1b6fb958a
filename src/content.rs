//! Purpose: the content folder as a whole (`notes/`, `questions/`, `synonyms.toml`): load it and
//! check that the pieces fit together, for `studybot check` and for start-up.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use std::time::Instant;

use anyhow::Context;

use crate::exam::{self, Guides};
use crate::notes::{self, NoteFile};
use crate::quiz::{self, Bank, Problem};
use crate::search::glossary::GlossaryError;
use crate::search::{Concepts, Glossary, NoteIndex};

/// What `studybot check` found.
#[derive(Debug)]
pub struct ContentReport {
    pub notes: Vec<NoteFile>,
    pub notes_files: usize,
    pub passages: usize,
    pub passages_per_topic: BTreeMap<String, usize>,
    pub bank: Bank,
    /// How much the choices give the answers away.
    pub audit: quiz::audit::Audit,
    /// The exam guides (`exams.toml`), and per exam the domain coverage of the bank.
    pub exams: Guides,
    pub coverage: Vec<(String, Vec<exam::DomainCoverage>)>,
    pub problems: Vec<Problem>,
}

impl ContentReport {
    /// Every topic with (passages, questions).
    pub fn topics(&self) -> BTreeMap<String, (usize, usize)> {
        let mut m: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (t, n) in &self.passages_per_topic {
            m.entry(t.clone()).or_default().0 = *n;
        }
        for (t, n) in self.bank.topic_counts() {
            m.entry(t).or_default().1 = n;
        }
        m
    }
}

/// Loads and checks a content folder. Only a missing notes folder is an error; everything else
/// is a [`Problem`] in the report.
pub fn check(dir: &Path) -> anyhow::Result<ContentReport> {
    let mut problems = Vec::new();
    let loaded = notes::load_dirs(&[dir.join("notes")])?;
    for w in &loaded.warnings {
        let (line, message) = match w.message.split_once(": ") {
            Some((l, m)) if l.starts_with("line ") => (l[5..].parse().unwrap_or(0), m.to_string()),
            _ => (0, w.message.clone()),
        };
        problems.push(Problem {
            file: w.path.clone(),
            line,
            message,
        });
    }
    let mut passages_per_topic: BTreeMap<String, usize> = BTreeMap::new();
    for p in &loaded.passages {
        for t in &p.topics {
            *passages_per_topic.entry(t.clone()).or_default() += 1;
        }
    }
    for f in &loaded.files {
        let path = f.root.join(&f.file);
        let mut first: HashMap<&str, u32> = HashMap::new();
        for (anchor, line) in f.anchors.iter().zip(&f.anchor_lines) {
            if let Some(prev) = first.get(anchor.as_str()) {
                problems.push(Problem {
                    file: path.clone(),
                    line: *line as usize,
                    message: format!("duplicate heading anchor #{anchor} (first at line {prev}); questions cannot cite it unambiguously"),
                });
            } else {
                first.insert(anchor, *line);
            }
        }
        if !passages_per_topic.contains_key(&f.topic) {
            problems.push(Problem {
                file: path.clone(),
                line: 1,
                message: "no passages: the note is empty".into(),
            });
        }
    }
    let glossary = dir.join("synonyms.toml");
    if glossary.exists()
        && let Err(e) = Glossary::load(&glossary)
    {
        problems.push(glossary_problem(&glossary, e));
    }
    let concepts = dir.join("concepts.toml");
    if concepts.exists() {
        match Concepts::load(&concepts) {
            Ok(c) => problems.extend(check_concepts(&c, &loaded.passages)),
            Err(e) => problems.push(glossary_problem(&concepts, e)),
        }
    }
    let (bank, bank_problems) = quiz::load_bank(&dir.join("questions"), &loaded.files);
    problems.extend(bank_problems);
    for q in bank.questions() {
        for (field, text) in [("prompt", &q.prompt), ("explanation", &q.explanation)] {
            if !quiz::text::broken_sentences(text).is_empty() {
                problems.push(Problem {
                    file: q.file.clone(),
                    line: q.line,
                    message: format!("{}: the {field} has a line break inside a sentence", q.id),
                });
            }
        }
    }
    let (exams, coverage) = check_exams(dir, &bank, &mut problems);
    let audit = quiz::audit::Audit::of(&bank);
    for message in audit.problems() {
        problems.push(Problem {
            file: dir.join("questions"),
            line: 0,
            message,
        });
    }
    problems.sort_by(|a, b| a.file.cmp(&b.file).then(a.line.cmp(&b.line)));
    Ok(ContentReport {
        notes_files: loaded.files.len(),
        passages: loaded.passages.len(),
        notes: loaded.files,
        passages_per_topic,
        bank,
        audit,
        exams,
        coverage,
        problems,
    })
}

/// The exam guides of a content folder (none when it has no `exams.toml`).
pub fn load_guides(dir: &Path) -> Result<Guides, exam::GuidesError> {
    let path = dir.join("exams.toml");
    if path.exists() {
        Guides::load(&path)
    } else {
        Ok(Guides::default())
    }
}

/// Checks the exam guides and every question's exam domains against them, and whether the bank
/// can fill a full-length exam of each exam to its domain weights.
fn check_exams(
    dir: &Path,
    bank: &Bank,
    problems: &mut Vec<Problem>,
) -> (Guides, Vec<(String, Vec<exam::DomainCoverage>)>) {
    let path = dir.join("exams.toml");
    let guides = match load_guides(dir) {
        Ok(g) => g,
        Err(e) => {
            match &e {
                exam::GuidesError::Invalid(list) => problems.extend(list.iter().map(|p| Problem {
                    file: PathBuf::from(&p.file),
                    line: p.line,
                    message: p.message.clone(),
                })),
                exam::GuidesError::Read { .. } => problems.push(Problem {
                    file: path.clone(),
                    line: 0,
                    message: e.to_string(),
                }),
            }
            return (Guides::default(), Vec::new());
        }
    };
    if guides.all().is_empty() {
        return (guides, Vec::new());
    }
    for q in bank.questions() {
        for code in &q.exams {
            let problem = |message: String| Problem {
                file: q.file.clone(),
                line: q.line,
                message: format!("{}: {message}", q.id),
            };
            let Ok(guide) = guides.get(code) else {
                problems.push(problem(format!(
                    "exam {code} has no guide in {}",
                    path.display()
                )));
                continue;
            };
            match q.domains.get(code) {
                None => problems.push(problem(format!(
                    "no domain for {code}; add it to `domains`, one of: {}",
                    guide
                        .domains
                        .iter()
                        .map(|d| d.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
                Some(d) if guide.domain(d).is_none() => problems.push(problem(format!(
                    "unknown domain {d:?} for {code}; its domains are: {}",
                    guide
                        .domains
                        .iter()
                        .map(|d| d.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
                Some(_) => {}
            }
        }
    }
    let mut coverage = Vec::new();
    for guide in guides.all() {
        // Exams no question is tagged with are not checked (the guides may list more).
        if !bank
            .questions()
            .iter()
            .any(|q| q.exams.contains(&guide.code))
        {
            continue;
        }
        let pool = exam_pool(bank, &guide.code);
        let c = exam::coverage(guide, &pool);
        let short: Vec<String> = c
            .iter()
            .filter(|d| d.missing_for_one() > 0)
            .map(|d| format!("{} has {}, needs {}", d.domain_name, d.have, d.need_one))
            .collect();
        if !short.is_empty() {
            problems.push(Problem {
                file: dir.join("questions"),
                line: 0,
                message: format!(
                    "{}: the bank cannot fill a full-length exam ({} questions): {}",
                    guide.code,
                    guide.questions,
                    short.join("; ")
                ),
            });
        }
        coverage.push((guide.code.clone(), c));
    }
    (guides, coverage)
}

/// `(question id, domain id)` of every question tagged with `exam` that names its domain.
pub fn exam_pool(bank: &Bank, exam: &str) -> Vec<(String, String)> {
    bank.questions()
        .iter()
        .filter(|q| q.exams.iter().any(|e| e == exam))
        .filter_map(|q| q.domains.get(exam).map(|d| (q.id.clone(), d.clone())))
        .collect()
}

/// A glossary file that cannot be read: at its line when it parsed that far.
fn glossary_problem(path: &Path, e: GlossaryError) -> Problem {
    match e {
        GlossaryError::Invalid {
            file,
            line,
            message,
        } => Problem {
            file: PathBuf::from(file),
            line,
            message,
        },
        e => Problem {
            file: path.to_path_buf(),
            line: 0,
            message: e.to_string(),
        },
    }
}

/// The concept glossary's names must be words the notes use (else searching for them finds
/// nothing), and each phrase needs a word that is not a function word.
fn check_concepts(concepts: &Concepts, passages: &[notes::Passage]) -> Vec<Problem> {
    let text: String = passages
        .iter()
        .map(|p| format!("{}\n{}\n", p.heading(), notes::plain_text(&p.text)))
        .collect::<String>()
        .to_lowercase();
    let mut problems = Vec::new();
    for c in &concepts.entries {
        let problem = |message: String| Problem {
            file: PathBuf::from(&concepts.file),
            line: c.line,
            message,
        };
        for name in &c.means {
            if !text.contains(&name.to_lowercase()) {
                problems.push(problem(format!(
                    "{name:?} (in `means`) is not in the notes"
                )));
            }
        }
        for said in &c.said {
            let content = said
                .split(|ch: char| !ch.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .any(|w| !crate::search::question::is_stopword(&w.to_lowercase()));
            if !content {
                problems.push(problem(format!(
                    "{said:?} (in `said`) has only function words, so it never matches"
                )));
            }
        }
    }
    problems
}

/// Loads notes folders and the glossary and builds the index, logging what was skipped.
pub fn build_index(
    dirs: &[PathBuf],
    glossary: Option<&Path>,
    content: &Path,
) -> anyhow::Result<NoteIndex> {
    let started = Instant::now();
    let loaded = notes::load_dirs(dirs)?;
    let glossary = match glossary {
        Some(path) => Glossary::load(path)?,
        None => {
            let default = content.join("synonyms.toml");
            if default.exists() {
                Glossary::load(&default)?
            } else {
                tracing::warn!(path = %default.display(), "no acronym glossary; acronyms will not be expanded");
                Glossary::default()
            }
        }
    };
    let concepts = content.join("concepts.toml");
    let glossary = if concepts.exists() {
        glossary.with_concepts(Concepts::load(&concepts)?)
    } else {
        glossary
    };
    let files = loaded.files.len();
    let passages = loaded.passages.len();
    let index =
        NoteIndex::build(loaded.passages, glossary).context("failed to build the search index")?;
    tracing::info!(
        files,
        passages,
        ms = started.elapsed().as_secs_f64() * 1e3,
        "notes indexed"
    );
    Ok(index)
}

/// What the bot serves from: the search index over every notes folder, and the question bank.
#[derive(Debug)]
pub struct Library {
    pub index: NoteIndex,
    pub bank: Bank,
    /// The exam guides (`exams.toml`); empty when the content has none.
    pub exams: Guides,
}

/// The content in use, swapped as a whole: a reader takes an `Arc` of the current library and
/// keeps it for as long as it needs, while a reload puts a new one in place for later readers.
#[derive(Clone)]
pub struct Shelf(Arc<RwLock<Arc<Library>>>);

impl Shelf {
    pub fn new(library: Library) -> Shelf {
        Shelf(Arc::new(RwLock::new(Arc::new(library))))
    }

    /// A shelf with only a question bank (no notes), for tests and benchmarks of what uses
    /// questions alone.
    pub fn with_bank(bank: Bank) -> Shelf {
        let index = NoteIndex::build(Vec::new(), Glossary::default())
            .unwrap_or_else(|e| panic!("an empty index always builds: {e}"));
        Shelf::new(Library {
            index,
            bank,
            exams: Guides::default(),
        })
    }

    /// The library in use now.
    pub fn get(&self) -> Arc<Library> {
        Arc::clone(&self.0.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Puts `library` in use; readers holding the old one keep it.
    pub fn replace(&self, library: Library) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(library);
    }
}

impl std::fmt::Debug for Shelf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lib = self.get();
        f.debug_struct("Shelf")
            .field("questions", &lib.bank.questions().len())
            .field("passages", &lib.index.passages().len())
            .finish()
    }
}

impl Library {
    /// Loads `<content>/notes` plus `extra_notes`, and the question bank, refusing a bank with
    /// any problem (the error names the first one and points at `studybot check`).
    pub fn load(content: &Path, extra_notes: &[PathBuf]) -> anyhow::Result<Library> {
        let own = notes::load_dirs(&[content.join("notes")])?;
        let bank = Bank::load_valid(&content.join("questions"), &own.files)?;
        let mut dirs = vec![content.join("notes")];
        dirs.extend(extra_notes.iter().cloned());
        let index = build_index(&dirs, None, content)?;
        let exams = load_guides(content)?;
        Ok(Library { index, bank, exams })
    }
}

/// What a reload put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    pub questions: usize,
    pub passages: usize,
}

/// Puts new content on a [`Shelf`] while the bot runs: on request (SIGHUP) and when the files
/// change. The new content is loaded and checked first; when it has problems the old content
/// stays in use and every problem is logged as `file:line: message`.
pub struct Reloader {
    shelf: Shelf,
    content: PathBuf,
    extra_notes: Vec<PathBuf>,
    seen: u64,
}

impl Reloader {
    pub fn new(shelf: Shelf, content: &Path, extra_notes: &[PathBuf]) -> Reloader {
        let mut r = Reloader {
            shelf,
            content: content.to_path_buf(),
            extra_notes: extra_notes.to_vec(),
            seen: 0,
        };
        r.seen = r.fingerprint();
        r
    }

    /// Whether any file changed since the last look (then remembers the new state).
    pub fn changed(&mut self) -> bool {
        let now = self.fingerprint();
        let changed = now != self.seen;
        self.seen = now;
        changed
    }

    /// Loads and checks the content; swaps it in only when it has no problem.
    pub fn reload(&self) -> Result<Reloaded, Vec<String>> {
        match Library::load(&self.content, &self.extra_notes) {
            Ok(library) => {
                let done = Reloaded {
                    questions: library.bank.questions().len(),
                    passages: library.index.passages().len(),
                };
                self.shelf.replace(library);
                Ok(done)
            }
            Err(e) => Err(match e.downcast_ref::<quiz::InvalidBank>() {
                Some(invalid) => invalid.0.iter().map(ToString::to_string).collect(),
                None => vec![format!("{e:#}")],
            }),
        }
    }

    /// Sizes and modification times of every file under the content and notes folders.
    fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut files = Vec::new();
        let mut dirs = vec![self.content.clone()];
        dirs.extend(self.extra_notes.iter().cloned());
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(meta) = entry.metadata() else {
                    continue;
                };
                if meta.is_dir() {
                    dirs.push(path);
                } else {
                    files.push((path, meta.len(), meta.modified().ok()));
                }
            }
        }
        files.sort();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        files.hash(&mut h);
        h.finish()
    }
}

/// Reloads the content whenever `requested` is notified (SIGHUP) or, checked every `interval`,
/// a file changed; stops when `stop` turns true.
pub async fn watch(
    mut reloader: Reloader,
    interval: std::time::Duration,
    requested: Arc<tokio::sync::Notify>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let why = tokio::select! {
            _ = tick.tick() => "files changed",
            () = requested.notified() => "reload requested",
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
                continue;
            }
        };
        if why == "files changed" && !reloader.changed() {
            continue;
        }
        let (result, back) = match tokio::task::spawn_blocking(move || {
            let result = reloader.reload();
            (result, reloader)
        })
        .await
        {
            Ok(done) => done,
            Err(e) => {
                tracing::error!(error = %e, "reloading the content panicked; stopped watching it");
                break;
            }
        };
        reloader = back;
        reloader.changed(); // a reload reads what is there now
        match result {
            Ok(r) => tracing::info!(
                reason = why,
                questions = r.questions,
                passages = r.passages,
                "content reloaded"
            ),
            Err(problems) => {
                for p in &problems {
                    tracing::error!("{p}");
                }
                tracing::error!(
                    reason = why,
                    problems = problems.len(),
                    "content NOT reloaded: it has problems (above); the old content stays in use"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTE: &str =
        "---\ntitle: SQS\n---\n# SQS\n\nThe default visibility timeout is 30 seconds.\n";

    fn question(prompt: &str) -> String {
        format!(
            "[[question]]\nid = \"sqs-001\"\ntopic = \"sqs\"\nexams = [\"DVA-C02\"]\ndifficulty = \"easy\"\nprompt = \"{prompt}\"\nchoices = [\"30 seconds\", \"1 minute\", \"12 hours\"]\nanswer = \"A\"\nexplanation = \"30 seconds by default.\"\nsource = \"sqs.md#sqs\"\n"
        )
    }

    fn content(prompt: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("notes")).unwrap();
        std::fs::create_dir_all(dir.path().join("questions")).unwrap();
        std::fs::write(dir.path().join("notes/sqs.md"), NOTE).unwrap();
        std::fs::write(dir.path().join("questions/sqs.toml"), question(prompt)).unwrap();
        dir
    }

    fn prompt_in_use(shelf: &Shelf) -> String {
        shelf.get().bank.get("sqs-001").unwrap().prompt.clone()
    }

    #[test]
    fn a_reload_swaps_in_edited_content_and_readers_keep_what_they_took() {
        let dir = content("Default visibility timeout?");
        let shelf = Shelf::new(Library::load(dir.path(), &[]).unwrap());
        let mut reloader = Reloader::new(shelf.clone(), dir.path(), &[]);
        assert!(!reloader.changed(), "nothing changed yet");
        let before = shelf.get();
        std::fs::write(
            dir.path().join("questions/sqs.toml"),
            question("What is the default visibility timeout of a queue?"),
        )
        .unwrap();
        assert!(reloader.changed(), "the edit is noticed");
        let done = reloader.reload().unwrap();
        assert_eq!(done.questions, 1);
        assert_eq!(
            prompt_in_use(&shelf),
            "What is the default visibility timeout of a queue?"
        );
        assert_eq!(
            before.bank.get("sqs-001").unwrap().prompt,
            "Default visibility timeout?",
            "a use case holding the old library keeps it"
        );
    }

    #[test]
    fn a_reload_with_a_broken_file_keeps_the_old_content_and_names_the_line() {
        let dir = content("Default visibility timeout?");
        let shelf = Shelf::new(Library::load(dir.path(), &[]).unwrap());
        let reloader = Reloader::new(shelf.clone(), dir.path(), &[]);
        let broken =
            question("Default visibility timeout?").replace("answer = \"A\"", "answer = \"Z\"");
        std::fs::write(dir.path().join("questions/sqs.toml"), broken).unwrap();
        let problems = reloader.reload().unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("sqs.toml:") && p.contains("answer")),
            "{problems:?}"
        );
        assert_eq!(prompt_in_use(&shelf), "Default visibility timeout?");
    }

    #[test]
    fn check_names_a_missing_or_unknown_domain_and_an_exam_the_bank_cannot_fill() {
        let dir = content("Default visibility timeout?");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("content/exams.toml"),
            dir.path().join("exams.toml"),
        )
        .unwrap();
        let report = check(dir.path()).unwrap();
        let text: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|p| p.contains("sqs.toml:1: sqs-001: no domain for DVA-C02")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|p| p.contains(
                "DVA-C02: the bank cannot fill a full-length exam (65 questions): Development with AWS Services has 0, needs 21"
            )),
            "{text:?}"
        );
        let with_domain = question("Default visibility timeout?").replace(
            "exams = [\"DVA-C02\"]",
            "exams = [\"DVA-C02\"]\ndomains = { DVA-C02 = \"networking\" }",
        );
        std::fs::write(dir.path().join("questions/sqs.toml"), with_domain).unwrap();
        let report = check(dir.path()).unwrap();
        assert!(
            report.problems.iter().any(|p| p
                .message
                .contains("unknown domain \"networking\" for DVA-C02")),
            "{:?}",
            report.problems
        );
    }
}
