//! Purpose: read notes folders into [`Passage`]s: small, self-contained pieces of a note with the
//! heading path and the line range they come from, ready to be indexed and cited.
//!
//! Owns: walking folders (`.md`, `.markdown`, `.txt`, recursively), tolerating bad files (binary,
//! unreadable, not UTF-8: skipped or read lossily with a warning naming the file), and the note
//! formats in [`parse`]. Must not know tantivy, SQL or Discord.

mod parse;

pub use parse::{FrontMatter, ParsedNote, RawPassage, parse_note, plain_text, slugify};

use std::fs;
use std::path::{Path, PathBuf};

/// One searchable piece of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Position in the loaded collection; stable for one load.
    pub id: u32,
    /// The notes folder the file was found in, as given (`content/notes`).
    pub root: PathBuf,
    /// Path of the file relative to `root`, with `/` separators (`kinesis.md`, `aws/s3.md`).
    pub file: String,
    /// Headings from the top of the note down to this passage (`["Kinesis", "Enhanced fan-out"]`).
    pub heading_path: Vec<String>,
    /// First line of the passage in the file, 1-based.
    pub start_line: u32,
    /// Last line of the passage in the file, 1-based, inclusive.
    pub end_line: u32,
    /// The passage text as written (indentation kept relative to the passage).
    pub text: String,
    /// Topics the passage belongs to: the note's `topic` front matter or its file stem.
    pub topics: Vec<String>,
}

impl Passage {
    /// `content/notes/kinesis.md:41-52`, for people.
    pub fn citation(&self) -> String {
        let path = self.root.join(&self.file);
        format!("{}:{}-{}", path.display(), self.start_line, self.end_line)
    }

    /// `Kinesis > Enhanced fan-out`.
    pub fn heading(&self) -> String {
        self.heading_path.join(" > ")
    }
}

/// Something wrong with one file that did not stop the load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// A notes folder that cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("notes folder {path} does not exist (pass another with --notes DIR)")]
    Missing { path: PathBuf },
    #[error("notes path {path} is not a folder")]
    NotADir { path: PathBuf },
    #[error("failed to read notes folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Everything loaded from one or more notes folders.
#[derive(Debug, Default)]
pub struct Notes {
    pub passages: Vec<Passage>,
    /// Files read, in order.
    pub files: Vec<NoteFile>,
    pub warnings: Vec<LoadWarning>,
}

/// A note file that was read.
#[derive(Debug, Clone)]
pub struct NoteFile {
    pub root: PathBuf,
    pub file: String,
    pub front_matter: FrontMatter,
    /// Anchors (heading slugs) of the file, for resolving `kinesis.md#enhanced-fan-out`.
    pub anchors: Vec<String>,
    /// Line (1-based) of each anchor's heading, parallel to `anchors`.
    pub anchor_lines: Vec<u32>,
    pub topic: String,
}

const NOTE_EXTENSIONS: [&str; 3] = ["md", "markdown", "txt"];
/// Files larger than this are not notes (a stray dump or binary); skipped with a warning.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// The first passage of the section a question cites (`kinesis.md`, anchor `enhanced-fan-out`).
pub fn find_section<'a>(passages: &'a [Passage], file: &str, anchor: &str) -> Option<&'a Passage> {
    passages
        .iter()
        .find(|p| p.file == file && p.heading_path.last().is_some_and(|h| slugify(h) == anchor))
}

/// Loads every note under each folder. A missing folder is an error; a bad file is a warning.
pub fn load_dirs(dirs: &[PathBuf]) -> Result<Notes, LoadError> {
    let mut notes = Notes::default();
    for dir in dirs {
        let meta = fs::metadata(dir).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => LoadError::Missing { path: dir.clone() },
            _ => LoadError::Io {
                path: dir.clone(),
                source,
            },
        })?;
        if !meta.is_dir() {
            return Err(LoadError::NotADir { path: dir.clone() });
        }
        let mut files = Vec::new();
        collect_files(dir, &mut files, &mut notes.warnings, 0);
        files.sort();
        for path in files {
            load_file(dir, &path, &mut notes);
        }
    }
    Ok(notes)
}

fn collect_files(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    warnings: &mut Vec<LoadWarning>,
    depth: usize,
) {
    if depth > 16 {
        warnings.push(LoadWarning {
            path: dir.to_path_buf(),
            message: "folder nested too deep; not read".into(),
        });
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            warnings.push(LoadWarning {
                path: dir.to_path_buf(),
                message: format!("cannot read folder: {e}"),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => collect_files(&path, out, warnings, depth + 1),
            Ok(_) => {
                let ext = path
                    .extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase());
                if ext.is_some_and(|e| NOTE_EXTENSIONS.contains(&e.as_str())) {
                    out.push(path);
                }
            }
            Err(e) => warnings.push(LoadWarning {
                path,
                message: format!("cannot stat: {e}"),
            }),
        }
    }
}

fn load_file(root: &Path, path: &Path, notes: &mut Notes) {
    let warn = |notes: &mut Notes, message: String| {
        tracing::warn!(file = %path.display(), "{message}");
        notes.warnings.push(LoadWarning {
            path: path.to_path_buf(),
            message,
        });
    };
    match fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return warn(
                notes,
                format!("skipped: {} bytes is too large for a note", m.len()),
            );
        }
        Ok(_) => {}
        Err(e) => return warn(notes, format!("skipped: cannot read: {e}")),
    }
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) => return warn(notes, format!("skipped: cannot read: {e}")),
    };
    if looks_binary(&bytes) {
        return warn(notes, "skipped: binary file".into());
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = bytes_line(e.as_bytes(), valid);
            warn(
                notes,
                format!("line {line}: not valid UTF-8; read with replacement characters"),
            );
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    let rel = relative_name(root, path);
    let parsed = parse_note(&rel, &text);
    let topic = parsed
        .front_matter
        .topic
        .clone()
        .unwrap_or_else(|| topic_from_file(&rel));
    notes.files.push(NoteFile {
        root: root.to_path_buf(),
        file: rel.clone(),
        front_matter: parsed.front_matter,
        anchors: parsed.anchors,
        anchor_lines: parsed.anchor_lines,
        topic: topic.clone(),
    });
    for raw in parsed.passages {
        let id = u32::try_from(notes.passages.len()).unwrap_or(u32::MAX);
        notes.passages.push(Passage {
            id,
            root: root.to_path_buf(),
            file: rel.clone(),
            heading_path: raw.heading_path,
            start_line: raw.start_line,
            end_line: raw.end_line,
            text: raw.text,
            topics: vec![topic.clone()],
        });
    }
}

/// A NUL byte in the first 8 KiB means binary, as git decides.
fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
}

fn bytes_line(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `aws/Kinesis Notes.md` → `kinesis-notes`.
pub fn topic_from_file(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    slugify(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, bytes).unwrap();
    }

    #[test]
    fn reads_md_markdown_and_txt_recursively_and_ignores_other_files() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.md", b"# A\nalpha text\n");
        write(dir.path(), "sub/b.markdown", b"# B\nbeta text\n");
        write(dir.path(), "sub/deeper/c.txt", b"C\n  gamma text\n");
        write(dir.path(), "d.pdf", b"%PDF not a note");
        write(dir.path(), "sub/.hidden.md", b"# H\nhidden\n");
        let notes = load_dirs(&[dir.path().to_path_buf()]).unwrap();
        let files: Vec<_> = notes.files.iter().map(|f| f.file.as_str()).collect();
        assert_eq!(files, ["a.md", "sub/b.markdown", "sub/deeper/c.txt"]);
        assert!(notes.warnings.is_empty(), "{:?}", notes.warnings);
        assert_eq!(notes.passages[1].topics, ["b"]);
    }

    #[test]
    fn binary_file_is_skipped_with_a_warning_and_the_rest_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "bad.md", b"\x00\x01\x02binary\x00");
        write(dir.path(), "good.md", b"# Good\nstill indexed\n");
        let notes = load_dirs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(notes.passages.len(), 1);
        assert_eq!(notes.passages[0].file, "good.md");
        assert_eq!(notes.warnings.len(), 1);
        assert!(notes.warnings[0].path.ends_with("bad.md"));
        assert!(notes.warnings[0].message.contains("binary"));
    }

    #[test]
    fn non_utf8_file_is_read_lossily_with_a_warning_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "latin1.md",
            b"# Caf\xe9\nline two\nna\xefve text\n",
        );
        let notes = load_dirs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(notes.passages.len(), 1);
        assert!(notes.passages[0].text.contains("line two"));
        let w = &notes.warnings[0];
        assert!(w.path.ends_with("latin1.md"));
        assert!(w.message.starts_with("line 1:"), "{}", w.message);
    }

    #[test]
    fn missing_folder_is_an_error_that_names_it() {
        let err = load_dirs(&[PathBuf::from("/nonexistent/notes")]).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/notes"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_file_is_skipped_with_a_warning() {
        // A dangling symlink cannot be read by anyone, root included.
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(dir.path().join("gone.md"), dir.path().join("broken.md"))
            .unwrap();
        write(dir.path(), "open.md", b"# Open\nvisible\n");
        let notes = load_dirs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(notes.passages.len(), 1);
        assert_eq!(notes.warnings.len(), 1);
        assert!(notes.warnings[0].path.ends_with("broken.md"));
        assert!(notes.warnings[0].message.contains("cannot read"));
    }

    #[test]
    fn citation_joins_root_file_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "k.md",
            b"# Kinesis\n\n## Enhanced fan-out\ndedicated 2 MB/s\n",
        );
        let notes = load_dirs(&[dir.path().to_path_buf()]).unwrap();
        let p = notes.passages.last().unwrap();
        assert_eq!(p.heading(), "Kinesis > Enhanced fan-out");
        assert!(p.citation().ends_with("k.md:3-4"), "{}", p.citation());
    }
}
