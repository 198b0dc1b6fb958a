#![allow(clippy::unwrap_used)]
//! The files in `deploy/`, checked against the code they configure, since nothing here can run a
//! container: the example config loads with the real loader and documents every setting; every
//! `STUDYBOT_*` variable the deploy files name is one the loader reads; the compose file's
//! environment loads and points at its own database; the systemd unit and the Dockerfile hold the
//! lines a deployment relies on, and every `studybot ...` command they show parses. Needs neither
//! Docker nor PostgreSQL.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use clap::Parser;
use studybot::cli::{Cli, Command};
use studybot::config::{ConfigError, LogFormat, Settings, ShardRange};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `Settings::load` with `env` and an empty config file, so a `studybot.toml` lying in the
/// working folder cannot change the result.
fn load_with_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("studybot.toml");
    std::fs::write(&empty, "").unwrap();
    Settings::load(Some(&empty), env)
}

fn load_with(pairs: &BTreeMap<String, String>) -> Result<Settings, ConfigError> {
    load_with_env(&|k: &str| pairs.get(k).cloned())
}

/// Every environment variable the config loader reads, recorded as it asks for them.
fn variables_the_loader_reads() -> BTreeSet<String> {
    let asked = RefCell::new(BTreeSet::new());
    let env = |k: &str| {
        asked.borrow_mut().insert(k.to_string());
        None
    };
    load_with_env(&env).unwrap();
    asked.into_inner()
}

fn setting_keys() -> Vec<&'static str> {
    Settings::default()
        .describe()
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// deploy/studybot.example.toml
// ---------------------------------------------------------------------------------------------

const EXAMPLE: &str = "deploy/studybot.example.toml";

/// `(line index, key, commented out)` for each `key = value` line whose key is a setting.
fn example_keys(text: &str) -> Vec<(usize, &str, bool)> {
    let keys = setting_keys();
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim();
            let (body, commented) = match line.strip_prefix('#') {
                Some(rest) => (rest.trim_start(), true),
                None => (line, false),
            };
            let (key, _) = body.split_once('=')?;
            let key = key.trim();
            keys.contains(&key).then_some((i, key, commented))
        })
        .collect()
}

#[test]
fn the_example_config_loads_as_it_is_and_gives_the_values_it_shows() {
    let path = repo().join(EXAMPLE);
    let s = Settings::load(Some(&path), &|_| None).unwrap();
    assert_eq!(
        s.database_url,
        "postgres://studybot:change-me@127.0.0.1:5432/studybot"
    );
    assert_eq!(s.content_dir, PathBuf::from("/var/lib/studybot/content"));
    assert!(s.notes_dirs.is_empty());
    assert_eq!(s.metrics_addr, Some("127.0.0.1:9100".parse().unwrap()));
    assert_eq!(s.log_format, LogFormat::Json);
    // Shown only as commented examples: a token must not sit in a file kept in git, and shards
    // need a matching deployment.
    assert!(s.discord_token.is_none());
    assert_eq!(s.command_guild, None);
    assert_eq!(s.discord_api_url, None);
    assert_eq!(s.shards, None);
    assert_eq!(s.total_shards, None);
    assert_eq!(s.instance, None);

    let text = read(EXAMPLE);
    let set: BTreeSet<&str> = example_keys(&text)
        .into_iter()
        .filter(|(_, _, commented)| !commented)
        .map(|(_, k, _)| k)
        .collect();
    assert_eq!(
        set,
        BTreeSet::from([
            "database_url",
            "content_dir",
            "notes_dirs",
            "metrics_addr",
            "log_format"
        ]),
        "the settings the example sets (the others must stay commented out)"
    );
}

#[test]
fn every_setting_is_in_the_example_with_its_default_and_its_environment_variable() {
    let text = read(EXAMPLE);
    let lines: Vec<&str> = text.lines().collect();
    let found = example_keys(&text);
    let reads = variables_the_loader_reads();
    for key in setting_keys() {
        let Some(&(at, _, _)) = found.iter().find(|(_, k, _)| *k == key) else {
            panic!("{EXAMPLE} does not show the setting {key} (as `{key} = ` or `# {key} = `)");
        };
        // The comment block above the setting's first line says what it is.
        let start = lines[..at]
            .iter()
            .rposition(|l| !l.trim_start().starts_with('#'))
            .map_or(0, |i| i + 1);
        let doc = lines[start..at].join("\n");
        let var = format!("STUDYBOT_{}", key.to_uppercase());
        assert!(
            reads.contains(&var),
            "the loader does not read {var}: which variable sets {key}?"
        );
        assert!(
            doc.contains(&var),
            "{EXAMPLE}: the comment above {key} does not name {var}:\n{doc}"
        );
        assert!(
            doc.contains("Default"),
            "{EXAMPLE}: the comment above {key} does not give its default:\n{doc}"
        );
    }
}

#[test]
fn the_commented_examples_load_too_once_uncommented() {
    let text = read(EXAMPLE);
    let found = example_keys(&text);
    let set: BTreeSet<&str> = found.iter().filter(|f| !f.2).map(|f| f.1).collect();
    let uncommented: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| match found.iter().find(|f| f.0 == i) {
            Some((_, key, true)) if !set.contains(key) => {
                line.trim_start().trim_start_matches('#').trim().to_string()
            }
            _ => line.to_string(),
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("studybot.toml");
    std::fs::write(&file, uncommented.join("\n")).unwrap();
    let s = Settings::load(Some(&file), &|_| None).unwrap();
    assert!(s.discord_token.is_some());
    assert!(s.command_guild.is_some());
    assert!(s.discord_api_url.is_some());
    assert_eq!(s.shards, Some(ShardRange { first: 0, last: 3 }));
    assert_eq!(s.total_shards, Some(8));
    assert!(s.instance.is_some());
}

// ---------------------------------------------------------------------------------------------
// Every file in deploy/
// ---------------------------------------------------------------------------------------------

fn deploy_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(repo().join("deploy"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((format!("deploy/{}", p.file_name()?.to_string_lossy()), text))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_studybot_variable_the_deploy_files_name_is_one_the_loader_reads() {
    let reads = variables_the_loader_reads();
    assert!(reads.contains("DISCORD_TOKEN"), "{reads:?}");
    let mut named = 0;
    for (file, text) in deploy_files() {
        for (at, _) in text.match_indices("STUDYBOT_") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if name == "STUDYBOT_" {
                continue; // `STUDYBOT_*` in prose
            }
            named += 1;
            assert!(
                reads.contains(&name),
                "{file} names {name}, which the config loader never reads (it reads {reads:?})"
            );
        }
    }
    assert!(named > 10, "found only {named} STUDYBOT_ variables");
}

/// The arguments of each `studybot SUBCOMMAND ...` in the inline code and code blocks of `text`.
fn studybot_commands(text: &str) -> Vec<Vec<String>> {
    let mut code = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
        } else if in_block {
            code.push(line.to_string());
        } else {
            code.extend(line.split('`').skip(1).step_by(2).map(str::to_string));
        }
    }
    let mut commands = Vec::new();
    for snippet in code {
        let snippet = snippet.replace("$(date +%F)", "2025-01-31");
        let words: Vec<&str> = snippet
            .split_whitespace()
            .take_while(|w| !["&&", "|", ">", ";", "\\", "#"].contains(w))
            .collect();
        for (i, pair) in words.windows(2).enumerate() {
            let is_program = pair[0] == "studybot" || pair[0].ends_with("/studybot");
            let is_subcommand = pair[1] != "studybot"
                && !pair[1].is_empty()
                && pair[1].chars().all(|c| c.is_ascii_lowercase() || c == '-')
                && !pair[1].starts_with('-');
            if is_program && is_subcommand {
                commands.push(words[i..].iter().map(|w| w.to_string()).collect());
            }
        }
    }
    commands
}

#[test]
fn every_studybot_command_the_deploy_docs_show_is_one_the_cli_accepts() {
    let mut checked = 0;
    for file in ["deploy/README.md", EXAMPLE] {
        for args in studybot_commands(&read(file)) {
            if let Err(e) = Cli::try_parse_from(&args) {
                panic!("{file}: `{}` does not parse: {e}", args.join(" "));
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} commands found");
}

// ---------------------------------------------------------------------------------------------
// deploy/compose.yaml: a tiny reader for its block-style YAML (no YAML crate in the project)
// ---------------------------------------------------------------------------------------------

const COMPOSE: &str = "deploy/compose.yaml";

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The lines nested under `path` (`["services", "bot", "environment"]`), by indentation.
fn yaml_block<'a>(text: &'a str, path: &[&str]) -> Vec<&'a str> {
    let mut lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    for (depth, key) in path.iter().enumerate() {
        let level = lines.iter().map(|l| indent(l)).min().unwrap_or(0);
        let Some(at) = lines
            .iter()
            .position(|l| indent(l) == level && l.trim() == format!("{key}:"))
        else {
            panic!("{COMPOSE}: no {}", path[..=depth].join("."));
        };
        let rest = &lines[at + 1..];
        let end = rest
            .iter()
            .position(|l| indent(l) <= level)
            .unwrap_or(rest.len());
        lines = rest[..end].to_vec();
    }
    lines
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner.to_string();
        }
    }
    v.to_string()
}

/// The `key: value` pairs directly under `path`.
fn yaml_map(text: &str, path: &[&str]) -> BTreeMap<String, String> {
    let lines = yaml_block(text, path);
    let level = lines.iter().map(|l| indent(l)).min().unwrap_or(0);
    lines
        .iter()
        .filter(|l| indent(l) == level)
        .filter_map(|l| l.trim().split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), unquote(v)))
        .collect()
}

/// The `- item` entries directly under `path`.
fn yaml_list(text: &str, path: &[&str]) -> Vec<String> {
    yaml_block(text, path)
        .iter()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .map(unquote)
        .collect()
}

/// `["CMD", "pg_isready", ...]`
fn flow_list(v: &str) -> Vec<String> {
    v.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(unquote)
        .collect()
}

/// Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}`: defaults as written, required
/// variables (the token) as a dummy value.
fn interpolate(v: &str) -> String {
    let mut out = v.to_string();
    while let Some(start) = out.find("${") {
        let end = start + out[start..].find('}').unwrap();
        let inner = &out[start + 2..end];
        let value = if inner.contains('?') {
            "dummy.token-for.tests".to_string()
        } else if let Some((_, default)) = inner.split_once(":-").or_else(|| inner.split_once('-'))
        {
            default.to_string()
        } else {
            panic!("{COMPOSE}: ${{{inner}}} has no default and is not required");
        };
        out.replace_range(start..=end, &value);
    }
    out
}

#[test]
fn compose_runs_the_bot_on_its_own_healthy_database_with_settings_the_loader_accepts() {
    let text = read(COMPOSE);
    let services = yaml_block(&text, &["services"]);
    let level = services.iter().map(|l| indent(l)).min().unwrap();
    let names: BTreeSet<&str> = services
        .iter()
        .filter(|l| indent(l) == level)
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    assert_eq!(names, BTreeSet::from(["bot", "db"]));

    // The database, healthy when pg_isready answers for the bot's user and database.
    let db = yaml_map(&text, &["services", "db"]);
    assert!(db["image"].starts_with("postgres:16"), "{db:?}");
    let pg = yaml_map(&text, &["services", "db", "environment"]);
    let (user, password, name) = (
        pg["POSTGRES_USER"].as_str(),
        pg["POSTGRES_PASSWORD"].as_str(),
        pg["POSTGRES_DB"].as_str(),
    );
    let check = yaml_map(&text, &["services", "db", "healthcheck"]);
    let test = flow_list(&check["test"]);
    let want: Vec<String> = ["CMD", "pg_isready", "-U", user, "-d", name]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(test, want);
    assert_eq!(yaml_list(&text, &["services", "db", "volumes"]).len(), 1);
    assert!(yaml_map(&text, &["volumes"]).contains_key("db-data"));

    // The bot: built from the repository with deploy/Dockerfile, started once the db is healthy.
    let bot = yaml_map(&text, &["services", "bot"]);
    assert_eq!(bot["restart"], "unless-stopped");
    assert_eq!(bot["stop_grace_period"], "30s");
    let build = yaml_map(&text, &["services", "bot", "build"]);
    let context = repo().join("deploy").join(&build["context"]);
    assert!(
        context.join(&build["dockerfile"]).is_file(),
        "{COMPOSE}: build {build:?} does not name the Dockerfile"
    );
    assert!(context.join("Cargo.toml").is_file(), "{build:?}");
    assert_eq!(
        yaml_map(&text, &["services", "bot", "depends_on", "db"])["condition"],
        "service_healthy"
    );

    // Its environment, as the container sees it: the image's ENV, then compose's.
    let compose_env = yaml_map(&text, &["services", "bot", "environment"]);
    let reads = variables_the_loader_reads();
    for name in compose_env.keys() {
        assert!(
            reads.contains(name),
            "{COMPOSE}: the bot's {name} is not read by the config loader"
        );
    }
    let mut env: BTreeMap<String, String> = dockerfile_env();
    env.extend(compose_env.iter().map(|(k, v)| (k.clone(), interpolate(v))));
    let s = load_with(&env).unwrap();
    assert_eq!(
        s.database_url,
        format!("postgres://{user}:{password}@db:5432/{name}")
    );
    assert_eq!(
        s.database_url, compose_env["STUDYBOT_DATABASE_URL"],
        "written as loaded"
    );
    assert_eq!(s.metrics_addr, Some("0.0.0.0:9100".parse().unwrap()));
    assert_eq!(s.log_format, LogFormat::Json);
    assert_eq!(s.discord_token.unwrap().expose(), "dummy.token-for.tests");
    assert_eq!(s.content_dir, PathBuf::from("/app/content"));
    assert_eq!(s.instance.as_deref(), Some("studybot"));

    // /healthz and /metrics published on this machine only, on the port the bot listens on.
    let port = s.metrics_addr.unwrap().port();
    assert_eq!(
        yaml_list(&text, &["services", "bot", "ports"]),
        vec![format!("127.0.0.1:{port}:{port}")]
    );
    assert!(
        dockerfile_final_stage()
            .iter()
            .any(|(i, a)| i == "EXPOSE" && a.split_whitespace().any(|p| p == port.to_string())),
        "the Dockerfile does not EXPOSE {port}"
    );
}

// ---------------------------------------------------------------------------------------------
// deploy/studybot.service
// ---------------------------------------------------------------------------------------------

/// `(section, key, value)` for each line of the unit.
fn unit_entries() -> Vec<(String, String, String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in read("deploy/studybot.service").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
        } else if let Some((k, v)) = line.split_once('=') {
            out.push((section.clone(), k.trim().to_string(), v.trim().to_string()));
        } else {
            panic!("deploy/studybot.service: cannot read {line:?}");
        }
    }
    out
}

#[test]
fn the_systemd_unit_serves_with_the_config_restarts_on_failure_and_is_hardened() {
    let entries = unit_entries();
    let get = |section: &str, key: &str| -> String {
        let found: Vec<&String> = entries
            .iter()
            .filter(|(s, k, _)| s == section && k == key)
            .map(|(_, _, v)| v)
            .collect();
        assert_eq!(found.len(), 1, "[{section}] {key}= should be there once");
        found[0].clone()
    };

    let exec = get("Service", "ExecStart");
    let args: Vec<&str> = exec.split_whitespace().collect();
    assert_eq!(args[0], "/usr/local/bin/studybot", "{exec}");
    let Command::Serve(serve) = Cli::try_parse_from(&args).unwrap().command else {
        panic!("ExecStart does not run serve: {exec}");
    };
    let config = serve.config.unwrap();
    assert_eq!(config, PathBuf::from("/etc/studybot/studybot.toml"));
    assert!(
        read("deploy/README.md").contains(&format!(
            "deploy/studybot.example.toml {}",
            config.display()
        )),
        "deploy/README.md does not say to install the example config as {}",
        config.display()
    );

    for (key, want) in [
        ("User", "studybot"),
        ("Restart", "on-failure"),
        ("RestartSec", "5"),
        ("KillSignal", "SIGTERM"),
        ("TimeoutStopSec", "30"),
        ("EnvironmentFile", "-/etc/studybot/env"),
        ("WorkingDirectory", "/var/lib/studybot"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("ReadWritePaths", "/var/lib/studybot"),
        ("ProtectKernelTunables", "yes"),
        ("ProtectKernelModules", "yes"),
        ("ProtectControlGroups", "yes"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("LockPersonality", "yes"),
        ("MemoryDenyWriteExecute", "yes"),
        ("RestrictRealtime", "yes"),
        ("SystemCallArchitectures", "native"),
        ("CapabilityBoundingSet", ""),
    ] {
        assert_eq!(get("Service", key), want, "[Service] {key}");
    }
    assert_eq!(get("Install", "WantedBy"), "multi-user.target");

    // The token comes from the env file only, never from the unit itself.
    assert!(
        !entries
            .iter()
            .any(|(_, k, v)| k == "Environment" && v.contains("TOKEN")),
        "a token in the unit"
    );
    // Under ProtectSystem=strict the working folder (SQLite's data/, backups) must be writable,
    // and the example config's content folder is inside it.
    let workdir = PathBuf::from(get("Service", "WorkingDirectory"));
    assert!(workdir.starts_with(get("Service", "ReadWritePaths")));
    let example = Settings::load(Some(&repo().join(EXAMPLE)), &|_| None).unwrap();
    assert!(
        example.content_dir.starts_with(&workdir),
        "{}",
        example.content_dir.display()
    );
}

// ---------------------------------------------------------------------------------------------
// deploy/Dockerfile
// ---------------------------------------------------------------------------------------------

/// `(INSTRUCTION, arguments)` with continuation lines joined and comments dropped.
fn dockerfile() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in read("deploy/Dockerfile").lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                let (instruction, args) = current.split_once(char::is_whitespace).unwrap();
                out.push((instruction.to_uppercase(), args.trim().to_string()));
                current.clear();
            }
        }
    }
    out
}

fn dockerfile_stages() -> Vec<Vec<(String, String)>> {
    let mut stages: Vec<Vec<(String, String)>> = Vec::new();
    for (instruction, args) in dockerfile() {
        if instruction == "FROM" {
            stages.push(Vec::new());
        }
        if let Some(stage) = stages.last_mut() {
            stage.push((instruction, args));
        }
    }
    stages
}

fn dockerfile_final_stage() -> Vec<(String, String)> {
    dockerfile_stages().pop().unwrap()
}

/// The `ENV NAME=value` of the image the bot runs in.
fn dockerfile_env() -> BTreeMap<String, String> {
    dockerfile_final_stage()
        .into_iter()
        .filter(|(i, _)| i == "ENV")
        .flat_map(|(_, args)| {
            args.split_whitespace()
                .map(|pair| {
                    let (k, v) = pair.split_once('=').expect("ENV NAME=value");
                    (k.to_string(), unquote(v))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn json_list(args: &str) -> Vec<String> {
    serde_json::from_str(args).unwrap_or_else(|e| panic!("not a JSON list: {args}: {e}"))
}

/// The top-level repository entries the crate's build reads: the manifest and lock file, the
/// bench sources it declares, `build.rs` if any, and every file `include_str!`/`include_bytes!`
/// pulls into the sources.
fn build_inputs() -> BTreeSet<String> {
    let mut inputs = BTreeSet::from(["Cargo.toml".to_string(), "Cargo.lock".to_string()]);
    if repo().join("build.rs").exists() {
        inputs.insert("build.rs".into());
    }
    if read("Cargo.toml").contains("[[bench]]") {
        inputs.insert("benches".into());
    }
    let mut dirs = vec![PathBuf::from("src")];
    while let Some(dir) = dirs.pop() {
        inputs.insert(
            dir.components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .into(),
        );
        for entry in std::fs::read_dir(repo().join(&dir)).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(repo()).unwrap().to_path_buf();
            if path.is_dir() {
                dirs.push(rel);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for mac in ["include_str!(\"", "include_bytes!(\""] {
                for (at, _) in text.match_indices(mac) {
                    let literal = &text[at + mac.len()..];
                    let literal = &literal[..literal.find('"').unwrap()];
                    let mut resolved: Vec<String> = rel
                        .parent()
                        .unwrap()
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into())
                        .collect();
                    for c in Path::new(literal).components() {
                        match c {
                            Component::ParentDir => {
                                resolved.pop();
                            }
                            Component::CurDir => {}
                            other => resolved.push(other.as_os_str().to_string_lossy().into()),
                        }
                    }
                    inputs.insert(resolved[0].clone());
                }
            }
        }
    }
    inputs
}

#[test]
fn the_image_builds_from_what_the_crate_reads_and_runs_serve_as_a_user() {
    let stages = dockerfile_stages();
    assert_eq!(stages.len(), 2, "a build stage and a runtime stage");
    let (build, run) = (&stages[0], &stages[1]);

    // The build stage: a locked release build of everything the crate reads.
    assert!(build[0].1.starts_with("rust:"), "{:?}", build[0]);
    assert!(
        build
            .iter()
            .any(|(i, a)| i == "RUN" && a.contains("cargo build --release --locked")),
        "no `cargo build --release --locked`"
    );
    let copied: BTreeSet<String> = build
        .iter()
        .filter(|(i, a)| i == "COPY" && !a.starts_with("--"))
        .flat_map(|(_, a)| {
            let words: Vec<&str> = a.split_whitespace().collect();
            words[..words.len() - 1]
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    for source in &copied {
        assert!(
            repo().join(source).exists(),
            "COPY {source}: not in the repository"
        );
    }
    for input in build_inputs() {
        assert!(
            copied.contains(&input),
            "the build reads {input} but the Dockerfile does not COPY it (copies {copied:?})"
        );
    }

    // The runtime stage: debian slim, the binary on the PATH, a non-root user.
    assert_eq!(run[0].1, "debian:bookworm-slim");
    let get = |instruction: &str| -> Vec<String> {
        run.iter()
            .filter(|(i, _)| i == instruction)
            .map(|(_, a)| a.clone())
            .collect()
    };
    assert!(
        get("COPY")
            .iter()
            .any(|a| a.starts_with("--from=") && a.ends_with(" /usr/local/bin/studybot")),
        "the binary is not copied to /usr/local/bin/studybot"
    );
    // Its symbols beside it, linked from the stripped binary, so backtraces name functions.
    assert!(
        get("COPY")
            .iter()
            .any(|a| a.starts_with("--from=") && a.ends_with(" /usr/local/bin/studybot.debug")),
        "the symbols are not copied beside the binary"
    );
    assert!(
        build
            .iter()
            .any(|(i, a)| i == "RUN"
                && a.contains("--add-gnu-debuglink=/usr/local/bin/studybot.debug")),
        "the binary does not link to its symbols"
    );
    let user = get("USER");
    assert_eq!(user.len(), 1, "one USER");
    let uid = user[0].split(':').next().unwrap();
    assert!(
        uid != "root" && uid != "0",
        "the bot must not run as root: USER {}",
        user[0]
    );
    let at = |instruction: &str| run.iter().position(|(i, _)| i == instruction).unwrap();
    assert!(
        at("USER") < at("ENTRYPOINT"),
        "USER comes before ENTRYPOINT"
    );
    assert_eq!(get("STOPSIGNAL"), vec!["SIGTERM"]);

    let entrypoint = json_list(&get("ENTRYPOINT")[0]);
    assert_eq!(entrypoint, vec!["studybot"]);
    let cmd = json_list(&get("CMD")[0]);
    let argv: Vec<String> = entrypoint.into_iter().chain(cmd).collect();
    assert!(
        matches!(
            Cli::try_parse_from(&argv).unwrap().command,
            Command::Serve(_)
        ),
        "the image does not run serve: {argv:?}"
    );

    // The shipped content where STUDYBOT_CONTENT_DIR says; the default SQLite file in the volume.
    let settings = load_with(&dockerfile_env()).unwrap();
    assert!(
        get("COPY")
            .iter()
            .any(|a| *a == format!("content {}", settings.content_dir.display())),
        "content/ is not copied to {}",
        settings.content_dir.display()
    );
    let workdir = PathBuf::from(get("WORKDIR").pop().unwrap());
    let db_file = settings.database_url.strip_prefix("sqlite://").unwrap();
    let volumes = json_list(&get("VOLUME")[0]);
    assert!(
        volumes.iter().any(|v| workdir.join(db_file).starts_with(v)),
        "the default database {db_file} (in {}) is not in a VOLUME {volumes:?}",
        workdir.display()
    );
}
