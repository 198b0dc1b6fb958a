//! Purpose: the content folder as a whole (`notes/`, `questions/`, `synonyms.toml`): load it and
//! check that the pieces fit together, for `studybot check` and for start-up.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use std::time::Instant;

use anyhow::Context;

use crate::notes::{self, NoteFile};
use crate::quiz::{self, Bank, Problem};
use crate::search::glossary::GlossaryError;
use crate::search::{Glossary, NoteIndex};

/// What `studybot check` found.
#[derive(Debug)]
pub struct ContentReport {
    pub notes: Vec<NoteFile>,
    pub notes_files: usize,
    pub passages: usize,
    pub passages_per_topic: BTreeMap<String, usize>,
    pub bank: Bank,
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
    if glossary.exists() {
        match Glossary::load(&glossary) {
            Ok(_) => {}
            Err(GlossaryError::Invalid {
                file,
                line,
                message,
            }) => problems.push(Problem {
                file: PathBuf::from(file),
                line,
                message,
            }),
            Err(e) => problems.push(Problem {
                file: glossary.clone(),
                line: 0,
                message: e.to_string(),
            }),
        }
    }
    let (bank, bank_problems) = quiz::load_bank(&dir.join("questions"), &loaded.files);
    problems.extend(bank_problems);
    problems.sort_by(|a, b| a.file.cmp(&b.file).then(a.line.cmp(&b.line)));
    Ok(ContentReport {
        notes_files: loaded.files.len(),
        passages: loaded.passages.len(),
        notes: loaded.files,
        passages_per_topic,
        bank,
        problems,
    })
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
}

/// The content in use, swapped as a whole: a reader takes an `Arc` of the current library and
/// keeps it for as long as it needs, while a reload puts a new one in place for later readers.
#[derive(Clone)]
pub struct Shelf(Arc<RwLock<Arc<Library>>>);

impl Shelf {
    pub fn new(library: Library) -> Shelf {
        Shelf(Arc::new(RwLock::new(Arc::new(library))))
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
        Ok(Library { index, bank })
    }
}
