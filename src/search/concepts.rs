//! Purpose: the concept glossary (`content/concepts.toml`): how learners describe a concept
//! without its name ("keep db passwords out of my code") and the names the notes use for it
//! (Secrets Manager, Parameter Store). A query that says every content word of a phrase also
//! searches for the names. Kept as data so a study group can extend it.

use std::path::Path;

use serde::Deserialize;

use super::glossary::GlossaryError;

/// One concept: the names the notes use, and the phrases learners use for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    pub means: Vec<String>,
    pub said: Vec<String>,
    /// Where it starts in its file, for messages.
    pub line: usize,
}

/// Every concept of a file.
#[derive(Debug, Clone, Default)]
pub struct Concepts {
    pub file: String,
    pub entries: Vec<Concept>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptFile {
    #[serde(default)]
    concept: Vec<RawConcept>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConcept {
    means: Vec<String>,
    said: Vec<String>,
}

impl Concepts {
    /// Reads a concept file.
    pub fn load(path: &Path) -> Result<Concepts, GlossaryError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| GlossaryError::Io {
            file: file.clone(),
            source,
        })?;
        Concepts::parse(&file, &text)
    }

    /// Parses concept TOML; errors name the file and line.
    pub fn parse(file: &str, text: &str) -> Result<Concepts, GlossaryError> {
        let invalid = |line: usize, message: String| GlossaryError::Invalid {
            file: file.to_string(),
            line,
            message,
        };
        let parsed: ConceptFile = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().map_or(1, |s| line_of(text, s.start)),
                e.message().to_string(),
            )
        })?;
        // The line of each `[[concept]]` header, in order.
        let starts: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == "[[concept]]")
            .map(|(i, _)| i + 1)
            .collect();
        let mut entries = Vec::with_capacity(parsed.concept.len());
        for (k, c) in parsed.concept.into_iter().enumerate() {
            let line = starts.get(k).copied().unwrap_or(1);
            let means: Vec<String> = c
                .means
                .into_iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let said: Vec<String> = c
                .said
                .into_iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if means.is_empty() || said.is_empty() {
                return Err(invalid(
                    line,
                    "a concept needs at least one name in `means` and one phrase in `said`".into(),
                ));
            }
            entries.push(Concept { means, said, line });
        }
        Ok(Concepts {
            file: file.to_string(),
            entries,
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Words learners use for one another when they describe a concept ("run code when a file is
/// uploaded" for the phrase "run function upload"). A concept phrase's word is also found
/// when the query says one of its alikes; only phrase matching uses these, never the search
/// itself, so a loose alike cannot pull in passages by itself.
pub const ALIKE: &[&[&str]] = &[
    &[
        "file", "files", "object", "objects", "document", "image", "photo", "video",
    ],
    &["code", "function", "lambda", "script", "handler"],
    &["server", "instance", "machine", "vm", "host", "box", "ec2"],
    &["delete", "remove", "erase", "purge", "wipe"],
    &["stop", "prevent", "block", "deny", "forbid", "disallow"],
    &[
        "cheap",
        "cheaper",
        "cost",
        "costs",
        "money",
        "price",
        "bill",
        "inexpensive",
    ],
    &["slow", "latency", "lag", "delay", "delayed"],
    &["faster", "quicker", "speed", "accelerate"],
    &["login", "logged", "signin", "sign", "authenticate", "logon"],
    &[
        "user", "users", "customer", "client", "visitor", "people", "someone", "somebody",
    ],
    &["database", "db", "rds"],
    &[
        "password",
        "secret",
        "credential",
        "credentials",
        "passwords",
    ],
    &["website", "site", "webpage", "web"],
    &["copy", "replicate", "duplicate", "mirror", "clone"],
    &["backup", "snapshot", "backups"],
    &["automatic", "automatically", "auto"],
    &[
        "schedule",
        "cron",
        "nightly",
        "daily",
        "hourly",
        "periodically",
        "timer",
    ],
    &["notify", "notification", "alert", "email", "sms", "text"],
    &["track", "trace", "follow", "tracing"],
    &["monitor", "watch", "observe", "metrics"],
    &[
        "error",
        "errors",
        "failure",
        "fail",
        "fails",
        "crash",
        "exception",
        "broken",
    ],
    &["retry", "retries", "resend", "redeliver", "again"],
    &["old", "older", "stale", "aged", "unused"],
    &["traffic", "requests", "calls", "hits", "load"],
    &["private", "internal"],
    &[
        "permission",
        "permissions",
        "access",
        "rights",
        "privilege",
        "allowed",
        "allow",
    ],
    &["store", "save", "keep", "persist", "hold", "put"],
    &[
        "run", "execute", "invoke", "trigger", "start", "fire", "launch",
    ],
    &["deploy", "deployment", "release", "rollout", "ship"],
    &["container", "docker"],
    &["terminate", "shutdown", "kill"],
    &["big", "large", "huge", "bigger", "larger"],
    &["session", "state", "cart"],
    &["upload", "uploads", "uploaded", "put"],
    &["change", "changes", "modify", "update", "edit", "alter"],
    &["log", "logs", "audit", "history", "record"],
    &["region", "regions", "geography", "continent"],
    &["outage", "disaster", "failover", "down"],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concepts_parse_with_their_lines() {
        let c = Concepts::parse(
            "concepts.toml",
            "# c\n\n[[concept]]\nmeans = [\"Secrets Manager\"]\nsaid = [\"db password\"]\n\n[[concept]]\nmeans = [\"EventBridge\"]\nsaid = [\"run on a schedule\", \"cron job\"]\n",
        )
        .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.entries[1].line, 7);
        assert_eq!(c.entries[1].said.len(), 2);
    }

    #[test]
    fn a_concept_without_names_is_refused_with_its_line() {
        let err = Concepts::parse(
            "content/concepts.toml",
            "[[concept]]\nmeans = [\"x\"]\nsaid = [\"y z\"]\n[[concept]]\nmeans = []\nsaid = [\"a b\"]\n",
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("content/concepts.toml:4:"),
            "{err}"
        );
        let err = Concepts::parse("c.toml", "[[concept]]\nmeans = 3\nsaid = []\n").unwrap_err();
        assert!(err.to_string().starts_with("c.toml:2:"), "{err}");
    }
}
