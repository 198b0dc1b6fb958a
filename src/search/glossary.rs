//! Purpose: the acronym glossary (`content/synonyms.toml`) that lets `KDS` find "Kinesis Data
//! Streams" and the other way round. Kept as data so a study group can extend it.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// Acronyms (lower-cased) and what they stand for.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    expansions: HashMap<String, Vec<String>>,
    /// Descriptions learners use for concepts, and the names the notes use.
    concepts: super::Concepts,
}

#[derive(Debug, thiserror::Error)]
pub enum GlossaryError {
    #[error("failed to read glossary {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GlossaryFile {
    #[serde(default)]
    acronyms: HashMap<String, Expansion>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Expansion {
    One(String),
    Many(Vec<String>),
}

impl Glossary {
    /// Reads a glossary file.
    pub fn load(path: &Path) -> Result<Glossary, GlossaryError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| GlossaryError::Io {
            file: file.clone(),
            source,
        })?;
        Glossary::parse(&file, &text)
    }

    /// Parses glossary TOML; errors name the file and line.
    pub fn parse(file: &str, text: &str) -> Result<Glossary, GlossaryError> {
        let parsed: GlossaryFile = toml::from_str(text).map_err(|e| GlossaryError::Invalid {
            file: file.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().to_string(),
        })?;
        let mut expansions = HashMap::new();
        for (acronym, expansion) in parsed.acronyms {
            let list = match expansion {
                Expansion::One(s) => vec![s],
                Expansion::Many(v) => v,
            };
            let list: Vec<String> = list.into_iter().filter(|s| !s.trim().is_empty()).collect();
            if list.is_empty() || acronym.trim().is_empty() {
                let line = text.find(&acronym).map_or(1, |at| line_of(text, at));
                return Err(GlossaryError::Invalid {
                    file: file.to_string(),
                    line,
                    message: format!("acronym {acronym:?} needs a non-empty expansion"),
                });
            }
            expansions.insert(acronym.trim().to_lowercase(), list);
        }
        Ok(Glossary {
            expansions,
            concepts: Default::default(),
        })
    }

    /// Builds a glossary from pairs, for tests and embedding.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Glossary {
        let mut expansions: HashMap<String, Vec<String>> = HashMap::new();
        for (a, e) in pairs {
            expansions
                .entry(a.to_lowercase())
                .or_default()
                .push(e.to_string());
        }
        Glossary {
            expansions,
            concepts: Default::default(),
        }
    }

    /// What a lower-cased word stands for, if it is a known acronym.
    pub fn expand(&self, word: &str) -> &[String] {
        self.expansions.get(word).map_or(&[], Vec::as_slice)
    }

    /// Every (acronym, expansion) pair.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.expansions
            .iter()
            .flat_map(|(a, list)| list.iter().map(move |e| (a.as_str(), e.as_str())))
    }

    pub fn len(&self) -> usize {
        self.expansions.len()
    }

    /// The same glossary with these concept descriptions.
    pub fn with_concepts(mut self, concepts: super::Concepts) -> Glossary {
        self.concepts = concepts;
        self
    }

    pub fn concepts(&self) -> &super::Concepts {
        &self.concepts
    }

    pub fn is_empty(&self) -> bool {
        self.expansions.is_empty()
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_expand_case_insensitively_to_one_or_many() {
        let g = Glossary::parse(
            "synonyms.toml",
            "[acronyms]\nKDS = \"Kinesis Data Streams\"\nSSE = [\"server-side encryption\", \"server side encryption\"]\n",
        )
        .unwrap();
        assert_eq!(g.expand("kds"), ["Kinesis Data Streams"]);
        assert_eq!(g.expand("sse").len(), 2);
        assert!(g.expand("xyz").is_empty());
    }

    #[test]
    fn a_broken_glossary_names_file_and_line() {
        let err = Glossary::parse(
            "content/synonyms.toml",
            "[acronyms]\nKDS = \"x\"\nKCL = 3\n",
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("content/synonyms.toml:3:"), "{msg}");
    }

    #[test]
    fn an_unknown_section_is_refused_by_name() {
        let err = Glossary::parse("g.toml", "[acronym]\nKDS = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("acronym"), "{err}");
    }
}
