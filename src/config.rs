//! Purpose: the one typed [`Settings`], loaded in layers: defaults, then `studybot.toml` (if
//! present, or the file given), then `STUDYBOT_*` environment variables. Unknown keys and bad
//! values fail at start with the key's name. Nothing else reads the environment for settings.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::store::DEFAULT_DATABASE_URL;

/// Everything the program can be configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `sqlite://data/studybot.db` (default) or `postgres://user:pass@host/db`.
    pub database_url: String,
    /// The content folder: notes, questions, glossary.
    pub content_dir: PathBuf,
    /// More notes folders searched by `/ask`, besides `<content_dir>/notes`.
    pub notes_dirs: Vec<PathBuf>,
    /// The bot token (`DISCORD_TOKEN`); only `serve` needs it.
    pub discord_token: Option<Secret>,
    /// Register slash commands in this server only (they appear at once; for development).
    /// Unset: registered globally.
    pub command_guild: Option<u64>,
    /// Where the Discord REST API is, for testing against a fake Discord; unset in production.
    /// When set, serenity's rate limiter is off (it would bypass this address).
    pub discord_api_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: DEFAULT_DATABASE_URL.into(),
            content_dir: PathBuf::from("content"),
            notes_dirs: Vec::new(),
            discord_token: None,
            command_guild: None,
            discord_api_url: None,
        }
    }
}

/// A secret string: its `Debug` and `Display` print `***`, so it cannot end up in a log.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    content_dir: Option<PathBuf>,
    notes_dirs: Option<Vec<PathBuf>>,
    discord_token: Option<Secret>,
    command_guild: Option<u64>,
    discord_api_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("failed to read config file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("setting {key}: {message}")]
    Value { key: &'static str, message: String },
}

impl Settings {
    /// Defaults → `file` (or `./studybot.toml` when it exists) → `env` (`STUDYBOT_DATABASE_URL`,
    /// `STUDYBOT_CONTENT_DIR`). `env` is passed in so tests do not touch the process environment.
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let mut s = Settings::default();
        let default_file = Path::new("studybot.toml");
        let file = match file {
            Some(f) => Some(f),
            None if default_file.exists() => Some(default_file),
            None => None,
        };
        if let Some(path) = file {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: shown.clone(),
                source,
            })?;
            let parsed: FileSettings = toml::from_str(&text).map_err(|e| {
                let line = e.span().map_or(1, |sp| {
                    text[..sp.start.min(text.len())].matches('\n').count() + 1
                });
                ConfigError::Invalid {
                    path: shown.clone(),
                    message: format!("line {line}: {}", e.message()),
                }
            })?;
            if let Some(v) = parsed.database_url {
                s.database_url = v;
            }
            if let Some(v) = parsed.content_dir {
                s.content_dir = v;
            }
            if let Some(v) = parsed.notes_dirs {
                s.notes_dirs = v;
            }
            if let Some(v) = parsed.discord_token {
                s.discord_token = Some(v);
            }
            if let Some(v) = parsed.command_guild {
                s.command_guild = Some(v);
            }
            if let Some(v) = parsed.discord_api_url {
                s.discord_api_url = Some(v);
            }
        }
        if let Some(v) = env("STUDYBOT_DATABASE_URL") {
            s.database_url = v;
        }
        if let Some(v) = env("STUDYBOT_CONTENT_DIR") {
            s.content_dir = PathBuf::from(v);
        }
        if let Some(v) = env("STUDYBOT_NOTES_DIRS") {
            s.notes_dirs = std::env::split_paths(&v).collect();
        }
        // The name every Discord bot guide uses, accepted as is; the prefixed one wins.
        if let Some(v) = env("STUDYBOT_DISCORD_TOKEN").or_else(|| env("DISCORD_TOKEN")) {
            s.discord_token = Some(Secret::new(v));
        }
        if let Some(v) = env("STUDYBOT_COMMAND_GUILD") {
            s.command_guild = Some(v.trim().parse().map_err(|_| ConfigError::Value {
                key: "command_guild",
                message: format!(
                    "{v:?} is not a server id: use the number Discord shows with Copy Server ID"
                ),
            })?);
        }
        if let Some(v) = env("STUDYBOT_DISCORD_API_URL") {
            s.discord_api_url = Some(v);
        }
        s.validate()?;
        Ok(s)
    }

    /// Checks every value; an error names the setting and says why.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let u = &self.database_url;
        if !(u.starts_with("sqlite:") || u.starts_with("postgres:") || u.starts_with("postgresql:"))
        {
            return Err(ConfigError::Value {
                key: "database_url",
                message: format!(
                    "{} is not a database URL this bot supports: use sqlite://path/to/file.db or postgres://user@host/db",
                    crate::store::mask_url(u)
                ),
            });
        }
        if let Some(t) = &self.discord_token {
            let t = t.expose();
            if t.trim().is_empty() || t.chars().any(char::is_whitespace) || t.starts_with("Bot ") {
                return Err(ConfigError::Value {
                    key: "discord_token",
                    message: "is not a bot token: paste the token from the Bot page of your application, without \"Bot \" and without spaces".into(),
                });
            }
        }
        if let Some(u) = &self.discord_api_url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            return Err(ConfigError::Value {
                key: "discord_api_url",
                message: format!("{u:?} is not an http(s) URL"),
            });
        }
        Ok(())
    }
}

/// The process environment, for [`Settings::load`].
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn defaults_then_file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("studybot.toml");
        std::fs::write(&file, "database_url = \"postgres://bot@db/studybot\"\n").unwrap();
        let s = Settings::load(Some(&file), &no_env).unwrap();
        assert_eq!(s.database_url, "postgres://bot@db/studybot");
        assert_eq!(s.content_dir, PathBuf::from("content"));
        let env = |k: &str| (k == "STUDYBOT_DATABASE_URL").then(|| "sqlite://other.db".to_string());
        assert_eq!(
            Settings::load(Some(&file), &env).unwrap().database_url,
            "sqlite://other.db"
        );
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("studybot.toml");
        std::fs::write(&file, "content_dir = \"c\"\ndatabse_url = \"x\"\n").unwrap();
        let err = Settings::load(Some(&file), &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2") && err.contains("databse_url"),
            "{err}"
        );
    }

    #[test]
    fn a_wrong_database_url_says_which_setting_and_why_without_the_password() {
        let env = |k: &str| (k == "STUDYBOT_DATABASE_URL").then(|| "mysql://u:pw@h/db".to_string());
        let err = Settings::load(None, &env).unwrap_err().to_string();
        assert!(
            err.starts_with("setting database_url: mysql://u:***@h/db is not"),
            "{err}"
        );
    }
}
