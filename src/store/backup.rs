//! Purpose: copies and exports of the data. An online, consistent copy of a SQLite database
//! (`VACUUM INTO`, safe while the bot runs), the `pg_dump` line for PostgreSQL (which studybot
//! does not copy itself), and every ranked member of one server's leaderboard for a CSV export.
//! Must not: write to the live database, overwrite a file, or read another server's rows.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::Row;
use sqlx::sqlite::SqliteConnectOptions;

use super::{Backend, ORDER, PostKind, Store, StoreError, db_id, from_db, mask_url};
use crate::ids::{GuildId, UserId};
use crate::model::scores::Standing;

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "{} already exists; a backup never overwrites a file: choose a new name or move the old file away",
        .0.display()
    )]
    TargetExists(PathBuf),
    #[error("cannot create backup file {}: {source}", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("backup path {} is not valid UTF-8, which SQLite needs: choose another name", .0.display())]
    NotUtf8(PathBuf),
    #[error("there is no database file {} to back up (database_url {url})", path.display())]
    NoDatabase { path: PathBuf, url: String },
    #[error("database {url} is in memory: there is no file to back up")]
    InMemory { url: String },
    #[error("cannot back up {url} to {}: {source}", path.display())]
    Copy {
        url: String,
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    /// PostgreSQL is copied with its own tool; `command` is the line to run.
    #[error("PostgreSQL is backed up with pg_dump, not by studybot; run{hint}:\n  {command}")]
    Postgres { command: String, hint: &'static str },
    #[error(
        "unsupported database URL {url}: use sqlite://path/to/file.db or postgres://user@host/db"
    )]
    Unsupported { url: String },
}

/// A backup that was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// The copy, as an absolute path.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Copies the database at `url` to a new file `target` (its folder is created if missing).
///
/// SQLite: `VACUUM INTO`, which reads one consistent snapshot while the bot keeps writing, and
/// leaves the live file as it is (no migration, no new file when it is missing). The target is
/// created exclusively first, so an existing file (or one appearing meanwhile) is never
/// overwritten; a failed copy removes the file it created. PostgreSQL: [`BackupError::Postgres`]
/// with the `pg_dump` line to run instead.
pub async fn backup(url: &str, target: &Path) -> Result<Backup, BackupError> {
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        return Err(BackupError::Postgres {
            command: pg_dump_command(url, target),
            hint: if mask_url(url) == url {
                ""
            } else {
                " (with the password in place of *** or in PGPASSWORD)"
            },
        });
    }
    if !url.starts_with("sqlite:") {
        return Err(BackupError::Unsupported { url: mask_url(url) });
    }
    let masked = mask_url(url);
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Err(BackupError::InMemory { url: masked });
    }
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|source| BackupError::Copy {
            url: masked.clone(),
            path: target.to_path_buf(),
            source,
        })?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10));
    let source_file = opts.get_filename().to_path_buf();
    if !source_file.is_file() {
        return Err(BackupError::NoDatabase {
            path: source_file,
            url: masked,
        });
    }

    // Absolute, so SQLite (which opens with URI names on) never reads it as `file:...`.
    let path = std::path::absolute(target).map_err(|source| BackupError::Create {
        path: target.to_path_buf(),
        source,
    })?;
    let Some(path_text) = path.to_str().map(str::to_owned) else {
        return Err(BackupError::NotUtf8(path));
    };
    if path.symlink_metadata().is_ok() {
        return Err(BackupError::TargetExists(path));
    }
    if let Some(parent) = path.parent()
        && !parent.exists()
    {
        std::fs::create_dir_all(parent).map_err(|source| BackupError::Create {
            path: path.clone(),
            source,
        })?;
    }
    // Reserve the name: `VACUUM INTO` fills an empty file and refuses a non-empty one.
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(BackupError::TargetExists(path));
        }
        Err(source) => return Err(BackupError::Create { path, source }),
    }

    let copied = vacuum_into(&opts, &path_text).await;
    let bytes = copied.and_then(|()| {
        std::fs::metadata(&path)
            .map(|m| m.len())
            .map_err(sqlx::Error::Io)
    });
    match bytes {
        Ok(bytes) => Ok(Backup { path, bytes }),
        Err(source) => {
            let _ = std::fs::remove_file(&path);
            Err(BackupError::Copy {
                url: masked,
                path,
                source,
            })
        }
    }
}

/// The file behind a SQLite URL when that file does not exist (`None` for an existing file, an
/// in-memory database or PostgreSQL), for commands that read and must not create it.
pub fn missing_sqlite_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let opts = SqliteConnectOptions::from_str(url).ok()?;
    let file = opts.get_filename();
    (!file.is_file()).then(|| file.to_path_buf())
}

/// One plain connection (no pool, no pragma changes) running `VACUUM INTO` with the target
/// as a bound parameter.
async fn vacuum_into(opts: &SqliteConnectOptions, target: &str) -> Result<(), sqlx::Error> {
    let mut conn = sqlx::ConnectOptions::connect(opts).await?;
    let done = sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await;
    let _ = sqlx::Connection::close(conn).await;
    done.map(|_| ())
}

/// The `pg_dump` line that backs up the PostgreSQL database at `url` into `target` (custom
/// format, for `pg_restore`), with the password masked.
pub fn pg_dump_command(url: &str, target: &Path) -> String {
    format!(
        "pg_dump --format=custom --file {} {}",
        shell_word(&target.to_string_lossy()),
        single_quoted(&mask_url(url))
    )
}

/// `s` as one POSIX shell word: as it is when it holds no special character, else quoted.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@,%".contains(c));
    if plain {
        s.to_string()
    } else {
        single_quoted(s)
    }
}

fn single_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Store {
    /// Every ranked member of one server's leaderboard for `period_key` (`Period::key`), points
    /// of `kind` (`None`: every kind), in leaderboard order and with the same ranks.
    pub async fn all_standings(
        &self,
        guild: GuildId,
        period_key: &str,
        kind: Option<PostKind>,
    ) -> Result<Vec<Standing>, StoreError> {
        let sql = format!(
            "SELECT user_id, points, answered, correct FROM score_totals
             WHERE guild_id = $1 AND channel_id = 0 AND period = $2 AND kind = $3
             ORDER BY {ORDER}"
        );
        self.settle_totals().await?;
        let standings = on_read!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(db_id(guild.0))
                .bind(period_key)
                .bind(PostKind::totals_key(kind))
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for (i, r) in rows.iter().enumerate() {
                out.push(Standing {
                    rank: i as u64 + 1,
                    user: UserId(from_db(r.try_get("user_id")?)),
                    points: r.try_get("points")?,
                    answered: r.try_get("answered")?,
                    correct: r.try_get("correct")?,
                });
            }
            out
        });
        Ok(standings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pg_dump_line_quotes_the_url_and_masks_the_password() {
        assert_eq!(
            pg_dump_command(
                "postgres://bot:hunter2@db/studybot",
                Path::new("backups/s.dump")
            ),
            "pg_dump --format=custom --file backups/s.dump 'postgres://bot:***@db/studybot'"
        );
        assert_eq!(
            pg_dump_command("postgres://db/x", Path::new("my backups/it's.dump")),
            r"pg_dump --format=custom --file 'my backups/it'\''s.dump' 'postgres://db/x'"
        );
    }
}
