//! Purpose: the one typed [`Settings`], loaded in layers: defaults, then `studybot.toml` (if
//! present, or the file given), then `STUDYBOT_*` environment variables. Unknown keys and bad
//! values fail at start with the key's name. Nothing else reads the environment for settings.

use std::net::SocketAddr;
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
    /// Where `/healthz` and `/metrics` are served (`127.0.0.1:9100`); unset: not served.
    pub metrics_addr: Option<SocketAddr>,
    /// `text` (default) or `json` (one JSON object per line, for log collectors).
    pub log_format: LogFormat,
    /// The gateway shards this process runs (`0-3`), out of `total_shards`; unset: all of them.
    pub shards: Option<ShardRange>,
    /// How many shards the bot has in all; needed with `shards`.
    pub total_shards: Option<u32>,
    /// Names this bot process across restarts (live quizzes it left running are cleaned up at
    /// its next start); default: the host name, plus the shard range when set.
    pub instance: Option<String>,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Gateway shards `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    pub first: u32,
    pub last: u32,
}

impl ShardRange {
    /// `3` or `0-3`.
    pub fn parse(s: &str) -> Option<ShardRange> {
        let s = s.trim();
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let (first, last) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        (first <= last).then_some(ShardRange { first, last })
    }
}

impl std::fmt::Display for ShardRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
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
            metrics_addr: None,
            log_format: LogFormat::Text,
            shards: None,
            total_shards: None,
            instance: None,
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
    metrics_addr: Option<String>,
    log_format: Option<String>,
    shards: Option<String>,
    total_shards: Option<u32>,
    instance: Option<String>,
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
            if let Some(v) = parsed.metrics_addr {
                s.metrics_addr = Some(parse_addr(&v)?);
            }
            if let Some(v) = parsed.log_format {
                s.log_format = parse_log_format(&v)?;
            }
            if let Some(v) = parsed.shards {
                s.shards = Some(parse_shards(&v)?);
            }
            if let Some(v) = parsed.total_shards {
                s.total_shards = Some(v);
            }
            if let Some(v) = parsed.instance {
                s.instance = Some(v);
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
        if let Some(v) = env("STUDYBOT_METRICS_ADDR") {
            s.metrics_addr = Some(parse_addr(&v)?);
        }
        if let Some(v) = env("STUDYBOT_LOG_FORMAT") {
            s.log_format = parse_log_format(&v)?;
        }
        if let Some(v) = env("STUDYBOT_SHARDS") {
            s.shards = Some(parse_shards(&v)?);
        }
        if let Some(v) = env("STUDYBOT_TOTAL_SHARDS") {
            s.total_shards = Some(v.trim().parse().map_err(|_| ConfigError::Value {
                key: "total_shards",
                message: format!("{v:?} is not a number of shards"),
            })?);
        }
        if let Some(v) = env("STUDYBOT_INSTANCE") {
            s.instance = Some(v);
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
        match (self.shards, self.total_shards) {
            (Some(_), None) => {
                return Err(ConfigError::Value {
                    key: "total_shards",
                    message: "is needed with shards: how many shards the bot has in all, e.g. 8"
                        .into(),
                });
            }
            (_, Some(0)) => {
                return Err(ConfigError::Value {
                    key: "total_shards",
                    message: "must be at least 1".into(),
                });
            }
            (Some(r), Some(total)) if r.last >= total => {
                return Err(ConfigError::Value {
                    key: "shards",
                    message: format!(
                        "{r} is outside 0-{} (total_shards is {total}; shards count from 0)",
                        total - 1
                    ),
                });
            }
            (Some(r), Some(total))
                if self.database_url.starts_with("sqlite:")
                    && (r.first > 0 || r.last + 1 < total) =>
            {
                return Err(ConfigError::Value {
                    key: "shards",
                    message: format!(
                        "{r} of {total} means other processes run the other shards, and SQLite is for one process: use PostgreSQL (database_url = \"postgres://...\") to split shards"
                    ),
                });
            }
            _ => {}
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

impl Settings {
    /// Every setting with its effective value, secrets masked, for `studybot config`.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let opt = |v: Option<String>| v.unwrap_or_else(|| "(unset)".into());
        vec![
            ("database_url", crate::store::mask_url(&self.database_url)),
            ("content_dir", self.content_dir.display().to_string()),
            (
                "notes_dirs",
                format!(
                    "[{}]",
                    self.notes_dirs
                        .iter()
                        .map(|d| format!("{:?}", d.display().to_string()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            (
                "discord_token",
                opt(self.discord_token.as_ref().map(|t| t.to_string())),
            ),
            (
                "command_guild",
                opt(self.command_guild.map(|g| g.to_string())),
            ),
            ("discord_api_url", opt(self.discord_api_url.clone())),
            (
                "metrics_addr",
                opt(self.metrics_addr.map(|a| a.to_string())),
            ),
            (
                "log_format",
                match self.log_format {
                    LogFormat::Text => "text".into(),
                    LogFormat::Json => "json".into(),
                },
            ),
            ("shards", opt(self.shards.map(|r| r.to_string()))),
            (
                "total_shards",
                opt(self.total_shards.map(|t| t.to_string())),
            ),
            ("instance", opt(self.instance.clone())),
        ]
    }
}

fn parse_addr(v: &str) -> Result<SocketAddr, ConfigError> {
    v.trim().parse().map_err(|_| ConfigError::Value {
        key: "metrics_addr",
        message: format!("{v:?} is not an address: use host:port with an IP, e.g. 127.0.0.1:9100"),
    })
}

fn parse_log_format(v: &str) -> Result<LogFormat, ConfigError> {
    match v.trim() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err(ConfigError::Value {
            key: "log_format",
            message: format!("{v:?} is not a log format: use text or json"),
        }),
    }
}

fn parse_shards(v: &str) -> Result<ShardRange, ConfigError> {
    ShardRange::parse(v).ok_or_else(|| ConfigError::Value {
        key: "shards",
        message: format!("{v:?} is not a shard range: use 0-3 (first-last) or 2"),
    })
}

/// This machine's name (`HOSTNAME`), naming a bot process when `instance` is not set.
pub fn host_name() -> String {
    process_env("HOSTNAME").unwrap_or_else(|| "studybot".into())
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

#[cfg(test)]
mod scaling_tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn every_bad_value_is_named_with_the_form_expected() {
        let cases: [(&'static [(&str, &str)], &str); 6] = [
            (
                &[("STUDYBOT_METRICS_ADDR", "localhost")],
                "setting metrics_addr: \"localhost\" is not an address",
            ),
            (
                &[("STUDYBOT_LOG_FORMAT", "yaml")],
                "setting log_format: \"yaml\" is not a log format: use text or json",
            ),
            (
                &[("STUDYBOT_SHARDS", "3-1")],
                "setting shards: \"3-1\" is not a shard range",
            ),
            (
                &[("STUDYBOT_SHARDS", "0-3")],
                "setting total_shards: is needed with shards",
            ),
            (
                &[
                    ("STUDYBOT_SHARDS", "0-8"),
                    ("STUDYBOT_TOTAL_SHARDS", "8"),
                    ("STUDYBOT_DATABASE_URL", "postgres://h/db"),
                ],
                "setting shards: 0-8 is outside 0-7",
            ),
            (
                &[("STUDYBOT_SHARDS", "0-3"), ("STUDYBOT_TOTAL_SHARDS", "8")],
                "SQLite is for one process",
            ),
        ];
        for (env, want) in cases {
            let err = Settings::load(None, &env_of(env)).unwrap_err().to_string();
            assert!(err.contains(want), "{env:?}: {err}");
        }
    }

    #[test]
    fn shards_on_postgres_and_the_effective_config_masks_secrets() {
        let s = Settings::load(
            None,
            &env_of(&[
                ("STUDYBOT_SHARDS", "4-7"),
                ("STUDYBOT_TOTAL_SHARDS", "8"),
                (
                    "STUDYBOT_DATABASE_URL",
                    "postgres://bot:hunter2@db/studybot",
                ),
                ("DISCORD_TOKEN", "abc.def.ghi"),
                ("STUDYBOT_METRICS_ADDR", "127.0.0.1:9100"),
            ]),
        )
        .unwrap();
        assert_eq!(s.shards, Some(ShardRange { first: 4, last: 7 }));
        let shown = format!("{:?}", s.describe());
        assert!(
            shown.contains("postgres://bot:***@db/studybot") && shown.contains("\"***\""),
            "{shown}"
        );
        assert!(
            !shown.contains("hunter2") && !shown.contains("abc.def.ghi"),
            "{shown}"
        );
        assert!(shown.contains("127.0.0.1:9100"), "{shown}");
    }
}
