//! Purpose: the command line. Parses arguments (clap), calls one use case, prints the result for
//! people or as JSON. Holds no search or parsing logic of its own.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::config::Settings;
use crate::content::{self, ContentReport};
use crate::notes;
use crate::quiz;
use crate::search::{SearchOptions, SearchResults};
use crate::store::Store;

/// What a query of only function words ("what is it") gets.
pub const ASK_VAGUE: &str = "too vague to look up: add what it is about, for example \"what is the max size of an sqs message\"";

/// What an empty query gets.
pub const ASK_USAGE: &str =
    "type a few words to look up, for example: studybot ask \"kinesis fanout\"";

#[derive(Debug, Parser)]
#[command(
    name = "studybot",
    version,
    about = "A study companion for cloud certification study groups"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Look something up in the notes: best passages with highlighted snippets and citations.
    Ask(AskArgs),
    /// Validate the notes, glossary and question bank; print every problem as file:line: message.
    Check(ContentArgs),
    /// List topics with their passage and question counts.
    Topics(ContentArgs),
    /// Print the question bank as loaded (text reflowed): one question per line with --json.
    Questions(QuestionsArgs),
    /// Create or upgrade the database (also done at every start).
    Migrate(DatabaseArgs),
    /// Drill questions in the terminal: type A, B or AC; Ctrl-D or Ctrl-C ends with your score.
    Quiz(QuizArgs),
    /// Spaced repetition in the terminal: your due questions, then new ones from your weakest
    /// topics, kept in a local database (answers from stdin: A, B or AC).
    Review(ReviewArgs),
    /// Your progress in the terminal (Unicode bars), or as the same PNG picture as /stats.
    Stats(StatsArgs),
    /// A timed mock exam in the terminal, drawn to the exam guide's domain weights; the result
    /// per domain at the end (answers from stdin: A, AC, or - to skip).
    Exam(ExamArgs),
    /// Run the Discord bot (needs DISCORD_TOKEN); Ctrl-C or SIGTERM stops it cleanly.
    Serve(ServeArgs),
    /// Print the effective configuration (defaults, studybot.toml, environment), secrets masked.
    Config(ConfigArgs),
    /// Copy the SQLite database to a new file while the bot runs (PostgreSQL: prints the pg_dump line).
    Backup(BackupArgs),
    /// Write one server's leaderboard as CSV to stdout: every ranked member.
    ExportScores(ExportScoresArgs),
    /// Every report of a question, across servers, for the content maintainers.
    Reports(ReportsArgs),
}

#[derive(Debug, Args)]
pub struct ReportsArgs {
    /// One JSON object per report and line instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub db: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write (never overwritten; its folder is created)
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    #[command(flatten)]
    pub db: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct ExportScoresArgs {
    /// The Discord server id (Developer Mode on, right-click the server, Copy Server ID)
    #[arg(long, value_name = "ID", value_parser = parse_server_id)]
    pub server: u64,
    /// CSV (the default and, for now, only format)
    #[arg(long)]
    pub csv: bool,
    /// Which leaderboard: this week or month in the server's time zone, or all time
    #[arg(long, value_parser = ["week", "month", "all"], default_value = "all")]
    pub period: String,
    /// Which points: daily questions, live quizzes, or both
    #[arg(long, value_parser = ["all", "daily", "quiz"], default_value = "all")]
    pub kind: String,
    #[command(flatten)]
    pub db: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Config file [default: ./studybot.toml when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Config file [default: ./studybot.toml when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run only these gateway shards, e.g. 0-3 (needs --total-shards and PostgreSQL)
    #[arg(long, value_name = "FIRST-LAST")]
    pub shards: Option<String>,
    /// How many shards the bot has in all
    #[arg(long, value_name = "N")]
    pub total_shards: Option<u32>,
}

#[derive(Debug, Args)]
pub struct QuizArgs {
    /// Only this topic (see `studybot topics`).
    #[arg(long)]
    pub topic: Option<String>,
    /// Only questions for this exam (DVA-C02, SAA-C03, SAP-C02, SOA-C02, DOP-C02).
    #[arg(long)]
    pub exam: Option<String>,
    /// How many questions.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub count: u16,
    /// Fixes the order of questions [default: a new order each time].
    #[arg(long)]
    pub seed: Option<u64>,
    /// The content folder.
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
    /// Where your answers count (review state and `studybot stats`).
    #[command(flatten)]
    pub profile: ProfileArgs,
}

#[derive(Debug, Args)]
pub struct ExamArgs {
    /// The exam code (DVA-C02, SAA-C03, SAP-C02, DOP-C02, SOA-C02).
    pub code: String,
    /// How many questions [default: the real exam's].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub questions: Option<u16>,
    /// Minutes [default: the real exam's pace for this many questions].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=300))]
    pub minutes: Option<u32>,
    /// Fixes which questions are drawn [default: a new draw each time].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print the result as one JSON object (score, passed, domains with name, correct, total).
    #[arg(long)]
    pub json: bool,
    /// The content folder.
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
}

/// A terminal learner's profile: the local database and whose answers.
#[derive(Debug, Args, Clone)]
pub struct ProfileArgs {
    /// The local database that keeps your answers and review state.
    #[arg(long, value_name = "PATH", default_value = "data/studybot.db")]
    pub db: PathBuf,
    /// Whose profile (several learners can share one database).
    #[arg(long, value_name = "NAME", default_value = "me")]
    pub user: String,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Write the picture (PNG) to this file instead of printing the figures.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// The content folder.
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// At most this many questions this run.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub count: u16,
    /// Only this topic (see `studybot topics`).
    #[arg(long)]
    pub topic: Option<String>,
    /// Only questions for this exam (DVA-C02, SAA-C03, SAP-C02, SOA-C02, DOP-C02).
    #[arg(long)]
    pub exam: Option<String>,
    /// One JSON line per answered question (question_id, correct, rating, due, stability),
    /// then a summary line.
    #[arg(long)]
    pub json: bool,
    /// The content folder.
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
}

#[derive(Debug, Args)]
pub struct QuestionsArgs {
    /// Only this topic (see `studybot topics`).
    #[arg(long)]
    pub topic: Option<String>,
    /// Only questions for this exam (DVA-C02, SAA-C03, SAP-C02, SOA-C02, DOP-C02).
    #[arg(long)]
    pub exam: Option<String>,
    /// One JSON object per line: id, topic, exams, domains, difficulty, prompt, choices,
    /// answer, explanation, source.
    #[arg(long)]
    pub json: bool,
    /// The content folder.
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL [default: database_url from studybot.toml or STUDYBOT_DATABASE_URL, else sqlite://data/studybot.db]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Config file [default: ./studybot.toml when present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ContentArgs {
    /// The content folder (notes/, questions/, synonyms.toml).
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// What to look up. Without it, queries are read from stdin, one per line, and each is
    /// answered with one line of JSON.
    pub query: Vec<String>,
    /// A notes folder to search (repeatable) [default: <content>/notes]
    #[arg(long = "notes", value_name = "DIR")]
    pub notes: Vec<PathBuf>,
    /// How many passages to show (1-50).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=50))]
    pub limit: u16,
    /// Only passages of this topic (a notes file name without extension, such as kinesis).
    #[arg(long)]
    pub topic: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Acronym glossary [default: <content>/synonyms.toml]
    #[arg(long, value_name = "FILE")]
    pub glossary: Option<PathBuf>,
    /// The content folder (notes, questions, glossary).
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Ask(args) => ask(&args),
        Command::Check(args) => check(&args.content),
        Command::Topics(args) => topics(&args.content),
        Command::Questions(args) => questions(&args),
        Command::Review(args) => review(&args),
        Command::Stats(args) => stats(&args),
        Command::Exam(args) => mock_exam(&args),
        Command::Reports(args) => reports(&args),
        Command::Migrate(args) => migrate(&args),
        Command::Quiz(args) => quiz(&args),
        Command::Serve(args) => serve(&args),
        Command::Backup(args) => backup(&args),
        Command::ExportScores(args) => export_scores(&args),
        Command::Config(args) => {
            let settings = Settings::load(args.config.as_deref(), &crate::config::process_env)?;
            let mut out = std::io::stdout().lock();
            for (key, value) in settings.describe() {
                writeln!(out, "{key} = {value}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn ask(args: &AskArgs) -> anyhow::Result<ExitCode> {
    let query = args.query.join(" ");
    let from_stdin = args.query.is_empty();
    if !from_stdin && query.trim().is_empty() {
        eprintln!("studybot ask: {ASK_USAGE}");
        return Ok(ExitCode::from(2));
    }
    let dirs = if args.notes.is_empty() {
        vec![args.content.join("notes")]
    } else {
        args.notes.clone()
    };
    let index = content::build_index(&dirs, args.glossary.as_deref(), &args.content)?;
    let opts = SearchOptions {
        limit: usize::from(args.limit),
        topic: args.topic.clone(),
    };
    if let Some(topic) = &opts.topic
        && !index.topics().contains_key(&notes::slugify(topic))
    {
        let known: Vec<&str> = index.topics().keys().map(String::as_str).collect();
        anyhow::bail!(
            "unknown topic {topic:?}; topics in these notes: {}",
            known.join(", ")
        );
    }

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if from_stdin {
        if std::io::stdin().is_terminal() {
            eprintln!("reading queries from stdin, one per line (Ctrl-D to end)");
        }
        let mut input = std::io::stdin().lock();
        let mut line = Vec::new();
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            let q = String::from_utf8_lossy(&line);
            let q = q.trim_end_matches(['\n', '\r']);
            let json = if q.trim().is_empty() {
                serde_json::to_string(&JsonAnswer::empty(q))?
            } else {
                let results = index.search(q, &opts)?;
                serde_json::to_string(&JsonAnswer::new(q, &results))?
            };
            writeln!(out, "{json}")?;
            out.flush()?;
        }
        return Ok(ExitCode::SUCCESS);
    }

    let results = index.search(&query, &opts)?;
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&JsonAnswer::new(&query, &results))?
        )?;
    } else {
        write!(out, "{}", render_text(&query, &results))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The human rendering of search results.
pub fn render_text(query: &str, results: &SearchResults) -> String {
    let mut s = String::new();
    if results.vague {
        s.push_str(&format!("\"{}\" is {ASK_VAGUE}\n", query.trim()));
        return s;
    }
    if results.hits.is_empty() {
        s.push_str(&format!("No passages match \"{}\".\n", query.trim()));
    }
    if let Some(answer) = &results.answer {
        s.push_str(&format!("Answer: {answer}\n\n"));
    }
    if let Some([a, b]) = &results.sides {
        s.push_str(&format!("Comparing {a} and {b}:\n"));
    }
    let width = results
        .hits
        .iter()
        .map(|h| h.passage.heading().chars().count())
        .max()
        .unwrap_or(0)
        .min(60);
    for (i, hit) in results.hits.iter().enumerate() {
        let mut heading = hit.passage.heading();
        if let Some(label) = results.sides.as_ref().and_then(|s| hit.side_label(s)) {
            heading.push_str(&format!(" [{label}]"));
        }
        let pad = width.saturating_sub(heading.chars().count());
        s.push_str(&format!(
            "{}. {heading}{}   {}\n   {}\n",
            i + 1,
            " ".repeat(pad),
            hit.passage.citation(),
            hit.snippet
        ));
    }
    if !results.corrections.is_empty() {
        let list: Vec<String> = results
            .corrections
            .iter()
            .map(|c| format!("{} for {}", c.used, c.typed))
            .collect();
        s.push_str(&format!("(also searched: {})\n", list.join(", ")));
    }
    s
}

#[derive(Debug, Serialize)]
struct JsonAnswer<'a> {
    query: &'a str,
    took_ms: f64,
    hits: Vec<JsonHit<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    corrections: Vec<JsonCorrection<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
    /// For a question: the sentence of the first passage that best answers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<&'a str>,
    /// For a comparison: the two sides.
    #[serde(skip_serializing_if = "Option::is_none")]
    sides: Option<&'a [String; 2]>,
}

#[derive(Debug, Serialize)]
struct JsonHit<'a> {
    file: &'a str,
    start_line: u32,
    end_line: u32,
    heading: &'a [String],
    snippet: &'a str,
    score: f32,
    topics: &'a [String],
    /// For a comparison: whether the passage names the first and the second side.
    #[serde(skip_serializing_if = "Option::is_none")]
    sides: Option<[bool; 2]>,
}

#[derive(Debug, Serialize)]
struct JsonCorrection<'a> {
    typed: &'a str,
    used: &'a str,
}

impl<'a> JsonAnswer<'a> {
    fn new(query: &'a str, results: &'a SearchResults) -> Self {
        JsonAnswer {
            query,
            took_ms: (results.took.as_secs_f64() * 1e6).round() / 1e3,
            hits: results
                .hits
                .iter()
                .map(|h| JsonHit {
                    file: &h.passage.file,
                    start_line: h.passage.start_line,
                    end_line: h.passage.end_line,
                    heading: &h.passage.heading_path,
                    snippet: &h.snippet,
                    score: (h.score * 1000.0).round() / 1000.0,
                    topics: &h.passage.topics,
                    sides: results.sides.as_ref().map(|_| h.sides),
                })
                .collect(),
            corrections: results
                .corrections
                .iter()
                .map(|c| JsonCorrection {
                    typed: &c.typed,
                    used: &c.used,
                })
                .collect(),
            message: results.vague.then_some(ASK_VAGUE),
            answer: results.answer.as_deref(),
            sides: results.sides.as_ref(),
        }
    }

    fn empty(query: &'a str) -> Self {
        JsonAnswer {
            query,
            took_ms: 0.0,
            hits: Vec::new(),
            corrections: Vec::new(),
            message: Some(ASK_USAGE),
            answer: None,
            sides: None,
        }
    }
}

fn check(dir: &Path) -> anyhow::Result<ExitCode> {
    let mut report = content::check(dir)?;
    // The render step: every text the bot would show for a question must fit Discord.
    for q in report.bank.questions() {
        for message in crate::discord::overflows(q) {
            report.problems.push(quiz::Problem {
                file: q.file.clone(),
                line: q.line,
                message: format!("{}: {message}", q.id),
            });
        }
    }
    report
        .problems
        .sort_by(|a, b| a.file.cmp(&b.file).then(a.line.cmp(&b.line)));
    let mut out = std::io::stdout().lock();
    for p in &report.problems {
        writeln!(out, "{p}")?;
    }
    write!(out, "{}", render_summary(&report))?;
    write!(out, "{}", report.audit)?;
    for (code, domains) in &report.coverage {
        let two = domains.iter().all(|d| d.missing_for_two() == 0);
        let parts: Vec<String> = domains
            .iter()
            .map(|d| format!("{} {} (exam needs {})", d.domain_id, d.have, d.need_one))
            .collect();
        writeln!(
            out,
            "{code} domains: {}; two different full-length exams: {}",
            parts.join(", "),
            if two { "yes" } else { "no" }
        )?;
    }
    if report.problems.is_empty() {
        writeln!(out, "content OK")?;
        Ok(ExitCode::SUCCESS)
    } else {
        writeln!(out, "{} problem(s)", report.problems.len())?;
        Ok(ExitCode::FAILURE)
    }
}

/// One question as `studybot questions --json` prints it.
#[derive(Debug, Serialize)]
struct QuestionJson<'a> {
    id: &'a str,
    topic: &'a str,
    exams: &'a [String],
    domains: &'a std::collections::BTreeMap<String, String>,
    difficulty: &'static str,
    prompt: &'a str,
    choices: &'a [String],
    /// The letters of the answer: `["B"]` or `["A", "C"]`.
    answer: Vec<String>,
    explanation: &'a str,
    source: String,
}

fn questions(args: &QuestionsArgs) -> anyhow::Result<ExitCode> {
    let report = content::check(&args.content)?;
    for p in &report.problems {
        tracing::warn!("{p}");
    }
    let bank = &report.bank;
    if let Some(t) = &args.topic
        && !bank.topic_counts().contains_key(t)
    {
        anyhow::bail!("there is no topic {t:?}; `studybot topics` lists them");
    }
    if let Some(e) = &args.exam
        && !bank.exam_counts().contains_key(e)
    {
        let known: Vec<String> = bank.exam_counts().into_keys().collect();
        anyhow::bail!("no question is for exam {e:?}; known: {}", known.join(", "));
    }
    let mut out = std::io::stdout().lock();
    let chosen = bank.questions().iter().filter(|q| {
        args.topic.as_ref().is_none_or(|t| &q.topic == t)
            && args.exam.as_ref().is_none_or(|e| q.exams.contains(e))
    });
    for q in chosen {
        if args.json {
            let line = QuestionJson {
                id: &q.id,
                topic: &q.topic,
                exams: &q.exams,
                domains: &q.domains,
                difficulty: q.difficulty.as_str(),
                prompt: &q.prompt,
                choices: &q.choices,
                answer: q
                    .answer
                    .indexes()
                    .into_iter()
                    .map(|i| quiz::letter(i).to_string())
                    .collect(),
                explanation: &q.explanation,
                source: q.source.to_string(),
            };
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
        } else {
            writeln!(
                out,
                "{} · {} · {} · {}\n{}",
                q.id,
                q.topic,
                q.exams.join(", "),
                q.difficulty.as_str(),
                q.prompt
            )?;
            for (i, c) in q.choices.iter().enumerate() {
                writeln!(out, "  {}. {c}", quiz::letter(i))?;
            }
            writeln!(
                out,
                "Answer: {}\n{}\nSource: {}\n",
                q.answer.letters(),
                q.explanation,
                q.source
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn topics(dir: &Path) -> anyhow::Result<ExitCode> {
    let report = content::check(dir)?;
    for p in &report.problems {
        tracing::warn!("{p}");
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{:<28} {:>8} {:>9}", "topic", "passages", "questions")?;
    for (topic, (passages, questions)) in report.topics() {
        writeln!(out, "{topic:<28} {passages:>8} {questions:>9}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Counts per topic and exam, for `studybot check`.
pub fn render_summary(report: &ContentReport) -> String {
    let bank = &report.bank;
    let multi = bank
        .questions()
        .iter()
        .filter(|q| q.answer.count() > 1)
        .count();
    let topics = report.topics();
    let mut s = format!(
        "{} notes files, {} passages, {} questions ({} choose-N) over {} topics\n",
        report.notes_files,
        report.passages,
        bank.questions().len(),
        multi,
        topics.iter().filter(|(_, (_, q))| *q > 0).count()
    );
    s.push_str("questions per topic: ");
    s.push_str(
        &topics
            .iter()
            .map(|(t, (_, q))| format!("{t} {q}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    s.push_str("\nquestions per exam: ");
    s.push_str(
        &bank
            .exam_counts()
            .iter()
            .map(|(e, n)| format!("{e} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    s.push('\n');
    s
}

/// Settings for `serve`: the config layers, then the command line's shard flags.
pub fn serve_settings(args: &ServeArgs) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(args.config.as_deref(), &crate::config::process_env)?;
    if let Some(v) = &args.shards {
        settings.shards = Some(crate::config::ShardRange::parse(v).with_context(|| {
            format!("--shards {v:?} is not a shard range: use 0-3 (first-last) or 2")
        })?);
    }
    if let Some(n) = args.total_shards {
        settings.total_shards = Some(n);
    }
    settings.validate()?;
    Ok(settings)
}

fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = serve_settings(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let bot = crate::discord::start(&settings, crate::discord::Options::default()).await?;
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::hangup()) {
                Ok(mut hup) => {
                    let reload = bot.reloader();
                    tokio::spawn(async move {
                        while hup.recv().await.is_some() {
                            tracing::info!("SIGHUP: reloading the content");
                            reload.notify_one();
                        }
                    });
                }
                Err(e) => tracing::warn!(error = %e, "cannot listen for SIGHUP; content still reloads when its files change"),
            }
        }
        bot.run_until(shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` and systemd send).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; Ctrl-C still works");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutting down");
}

/// The configured settings with `--database-url` on top, as `migrate` uses them.
fn database_settings(args: &DatabaseArgs) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(args.config.as_deref(), &crate::config::process_env)?;
    if let Some(url) = &args.database_url {
        settings.database_url = url.clone();
        settings.validate()?;
    }
    Ok(settings)
}

fn backup(args: &BackupArgs) -> anyhow::Result<ExitCode> {
    use crate::store::backup::{self, BackupError};
    let settings = database_settings(&args.db)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match runtime.block_on(backup::backup(&settings.database_url, &args.path)) {
        Ok(done) => {
            println!(
                "wrote {} ({} bytes), a copy of {}",
                done.path.display(),
                done.bytes,
                crate::store::mask_url(&settings.database_url)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ BackupError::Postgres { .. }) => {
            eprintln!("studybot backup: {e}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(anyhow::Error::new(e).context("backup failed")),
    }
}

/// `--server`: a Discord server id, a positive number.
fn parse_server_id(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(id) if id > 0 && id <= i64::MAX as u64 => Ok(id),
        _ => Err("not a Discord server id: use the server's number, such as 123456789012345678 (Developer Mode on, right-click the server, Copy Server ID)".to_string()),
    }
}

/// One report as `studybot reports --json` prints it.
#[derive(Debug, Serialize)]
struct ReportJson<'a> {
    id: i64,
    server: String,
    /// `"0"` once the member had their data deleted.
    member: String,
    question: &'a str,
    reason: &'a str,
    details: Option<&'a str>,
    shown: &'a str,
    at: String,
    state: &'a str,
}

fn reports(args: &ReportsArgs) -> anyhow::Result<ExitCode> {
    let settings = database_settings(&args.db)?;
    let url = &settings.database_url;
    if let Some(file) = crate::store::backup::missing_sqlite_file(url) {
        anyhow::bail!(
            "there is no database file {} (database_url {}); run from the bot's folder or pass --database-url",
            file.display(),
            crate::store::mask_url(url)
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let list = runtime.block_on(async {
        let store = Store::open(url).await?;
        let list = store.all_reports().await;
        store.close().await;
        list.context("cannot read the reports")
    })?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for r in &list {
        if args.json {
            let line = ReportJson {
                id: r.id,
                server: r.guild.0.to_string(),
                member: r.user.0.to_string(),
                question: &r.question_id,
                reason: &r.reason,
                details: r.details.as_deref(),
                shown: &r.shown,
                at: r.at.to_rfc3339(),
                state: &r.state,
            };
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
        } else {
            writeln!(
                out,
                "#{} {} · {} · server {} · {} · {}{}",
                r.id,
                r.question_id,
                r.reason,
                r.guild.0,
                r.at.format("%Y-%m-%d %H:%M UTC"),
                r.state,
                r.details
                    .as_deref()
                    .map(|d| format!("\n  {d}"))
                    .unwrap_or_default()
            )?;
        }
    }
    if !args.json {
        writeln!(out, "{} report(s)", list.len())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn export_scores(args: &ExportScoresArgs) -> anyhow::Result<ExitCode> {
    use crate::ids::GuildId;
    use crate::scores::Period;
    use crate::store::PostKind;
    let settings = database_settings(&args.db)?;
    let url = &settings.database_url;
    let period = Period::parse(&args.period)
        .with_context(|| format!("--period {:?}: use week, month or all", args.period))?;
    let kind = match args.kind.as_str() {
        "daily" => Some(PostKind::Daily),
        "quiz" => Some(PostKind::Quiz),
        _ => None,
    };
    // A missing file would be created empty and export nothing: say so instead.
    if let Some(file) = crate::store::backup::missing_sqlite_file(url) {
        anyhow::bail!(
            "there is no database file {} (database_url {}); run from the bot's folder or pass --database-url",
            file.display(),
            crate::store::mask_url(url)
        );
    }
    let guild = GuildId(args.server);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let rows = runtime.block_on(async {
        let store = Store::open(url).await?;
        // The period containing now in the server's time zone, as `Study::guild_zone` reads it.
        let zone = store
            .guild_time_zone(guild)
            .await?
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
            .unwrap_or(chrono_tz::UTC);
        let key = period.key(chrono::Utc::now(), zone);
        let rows = store.all_standings(guild, &key, kind).await;
        store.close().await;
        rows.with_context(|| format!("cannot read the scores of server {guild}"))
    })?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "rank,user_id,points,answered,correct,accuracy")?;
    for s in &rows {
        writeln!(
            out,
            "{},{},{},{},{},{:.3}",
            s.rank,
            s.user,
            s.points,
            s.answered,
            s.correct,
            s.accuracy()
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn migrate(args: &DatabaseArgs) -> anyhow::Result<ExitCode> {
    let mut settings = Settings::load(args.config.as_deref(), &crate::config::process_env)?;
    if let Some(url) = &args.database_url {
        settings.database_url = url.clone();
        settings.validate()?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::open(&settings.database_url).await?;
        // `open` migrated; say where we stand.
        println!("database {} is up to date", store.url());
        store.close().await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Lines from stdin on their own thread, so Ctrl-C can end a loop while it waits for one.
fn stdin_lines() -> tokio::sync::mpsc::UnboundedReceiver<String> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        loop {
            let mut line = Vec::new();
            match input.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if tx
                        .send(String::from_utf8_lossy(&line).into_owned())
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    rx
}

/// The next line from `rx`, or `None` at end of input or on Ctrl-C.
async fn next_line(rx: &mut tokio::sync::mpsc::UnboundedReceiver<String>) -> Option<String> {
    tokio::select! {
        line = rx.recv() => line,
        _ = tokio::signal::ctrl_c() => None,
    }
}

/// The server id under which terminal profiles are kept (Discord ids are never 0).
pub const TERMINAL_GUILD: crate::ids::GuildId = crate::ids::GuildId(0);

/// A stable member id for a terminal profile name (FNV-1a, kept below 2^63 like a snowflake).
pub fn terminal_user(name: &str) -> crate::ids::UserId {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.trim().to_lowercase().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    crate::ids::UserId((h >> 1).max(1))
}

/// One answered review as `studybot review --json` prints it.
#[derive(Debug, Serialize)]
struct ReviewLine<'a> {
    question_id: &'a str,
    topic: &'a str,
    correct: bool,
    rating: &'static str,
    /// When the question comes back (RFC 3339).
    due: String,
    /// FSRS stability in days.
    stability: f64,
}

/// The last line of `studybot review --json`.
#[derive(Debug, Serialize)]
struct ReviewSummary {
    summary: bool,
    answered: usize,
    correct: usize,
    due_now: i64,
    due_today: i64,
    new_left_today: i64,
    next_due: Option<String>,
}

fn mock_exam(args: &ExamArgs) -> anyhow::Result<ExitCode> {
    use crate::exam::{self, AnswerKey, AnswerShape, Session};
    use rand::SeedableRng;
    let library = crate::content::Library::load(&args.content, &[])?;
    let guide = library
        .exams
        .get(&args.code)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .clone();
    let n = args.questions.map_or(guide.questions, usize::from);
    let minutes = args.minutes.unwrap_or_else(|| {
        let scaled = (u64::from(guide.minutes) * n as u64).div_ceil(guide.questions as u64);
        u32::try_from(scaled).unwrap_or(300).clamp(1, 300)
    });
    let seed = args.seed.unwrap_or_else(rand::random);
    let pool = crate::content::exam_pool(&library.bank, &guide.code);
    let ids = exam::draw(
        &guide,
        &pool,
        n,
        &mut rand::rngs::StdRng::seed_from_u64(seed),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let questions: Vec<&quiz::Question> =
        ids.iter().filter_map(|id| library.bank.get(id)).collect();
    let mut session = Session::start(&guide.code, ids.clone(), chrono::Utc::now(), minutes)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut rx = stdin_lines();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(
            out,
            "{} ({}) mock exam: {n} questions, {minutes} minutes, passing score {}/1000.{}\nType the letter(s) of your answer, - to skip. Ctrl-D submits.",
            guide.name,
            guide.code,
            guide.passing_score,
            match &guide.status {
                exam::ExamStatus::Retired { replaced_by } =>
                    format!(" This exam is retired; it was replaced by {replaced_by}."),
                exam::ExamStatus::Current => String::new(),
            }
        )?;
    }
    'questions: for (i, q) in questions.iter().enumerate() {
        if session.is_expired(chrono::Utc::now()) {
            break;
        }
        if !args.json {
            writeln!(out, "\nQuestion {}/{n} · {}", i + 1, q.topic)?;
            writeln!(out, "{}", q.prompt)?;
            if q.answer.count() > 1 {
                writeln!(out, "(Choose {}.)", q.answer.count())?;
            }
            for (k, c) in q.choices.iter().enumerate() {
                writeln!(out, "  {}) {c}", quiz::letter(k))?;
            }
        }
        loop {
            if !args.json {
                write!(out, "> ")?;
                out.flush()?;
            }
            let Some(line) = runtime.block_on(next_line(&mut rx)) else {
                break 'questions;
            };
            if line.trim() == "-" {
                break;
            }
            match quiz::drill::parse_picks(&line, q) {
                Ok(picks) => {
                    let shape = AnswerShape {
                        picks: q.answer.count(),
                        choices: q.choices.len(),
                    };
                    match session.answer(chrono::Utc::now(), i, &picks, shape) {
                        Ok(()) => break,
                        // Time ran out while this question was open.
                        Err(_) => break 'questions,
                    }
                }
                Err(hint) if args.json => eprintln!("question {}: {hint} (or - to skip)", i + 1),
                Err(hint) => writeln!(out, "{hint} (or - to skip)")?,
            }
        }
    }
    let now = chrono::Utc::now();
    if !session.tick(now) {
        session.submit(now).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let keys: Vec<AnswerKey> = questions
        .iter()
        .map(|q| AnswerKey {
            question_id: q.id.clone(),
            domain_id: q.domains.get(&guide.code).cloned().unwrap_or_default(),
            correct: q.answer.indexes(),
        })
        .collect();
    let result = exam::grade(&guide, &session, &keys).map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.json {
        let json = serde_json::json!({
            "exam": result.exam,
            "score": result.score,
            "passing_score": result.passing_score,
            "passed": result.passed,
            "correct": result.correct,
            "total": result.total,
            "seed": seed,
            "domains": result.domains.iter().map(|d| serde_json::json!({
                "id": d.id, "name": d.name, "weight": d.weight, "correct": d.correct, "total": d.total,
            })).collect::<Vec<_>>(),
            "missed": result.missed,
            "unanswered": result.unanswered,
        });
        writeln!(out, "{json}")?;
    } else {
        writeln!(
            out,
            "\n{}: {}/1000, {} of {} right: {} (passing is {}).",
            result.exam,
            result.score,
            result.correct,
            result.total,
            if result.passed { "PASS" } else { "not yet" },
            result.passing_score
        )?;
        for d in &result.domains {
            let pct = d.percent.map_or("-".to_string(), |p| format!("{p:.0}%"));
            writeln!(
                out,
                "  {:<55} {:>3}/{:<3} {pct}",
                d.name, d.correct, d.total
            )?;
        }
        if !result.missed.is_empty() {
            writeln!(out, "\nMissed:")?;
        }
        for id in &result.missed {
            if let Some(q) = library.bank.get(id) {
                writeln!(
                    out,
                    "- {} (answer {}): {} [{}]",
                    q.id,
                    q.answer.letters(),
                    q.explanation,
                    q.source
                )?;
            }
        }
        writeln!(
            out,
            "Seed {seed}: `studybot exam {} --seed {seed}` draws the same questions again.",
            guide.code
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens a terminal profile's database (creating its folder) with the content.
fn open_profile(
    runtime: &tokio::runtime::Runtime,
    db: &Path,
    content: &Path,
) -> anyhow::Result<crate::service::Study> {
    let library = crate::content::Library::load(content, &[])?;
    if let Some(parent) = db.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the folder of {}", db.display()))?;
    }
    let store = runtime.block_on(Store::open(&format!("sqlite://{}", db.display())))?;
    Ok(crate::service::Study::new(store, library))
}

fn stats(args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let study = open_profile(&runtime, &args.profile.db, &args.content)?;
    let user = terminal_user(&args.profile.user);
    let title = format!("Progress · {}", args.profile.user);
    let now = chrono::Utc::now();
    let data = runtime.block_on(study.progress(TERMINAL_GUILD, user, &title, now))?;
    runtime.block_on(study.store.close());
    let mut out = std::io::stdout().lock();
    let nothing = |out: &mut std::io::StdoutLock<'_>| {
        writeln!(
            out,
            "No answers yet for {:?} in {}: `studybot review` or `studybot quiz` start your record.",
            args.profile.user,
            args.profile.db.display()
        )
    };
    match &args.png {
        Some(file) => match crate::charts::render_progress(&data) {
            Ok(chart) => {
                std::fs::write(file, &chart.png)
                    .with_context(|| format!("cannot write {}", file.display()))?;
                writeln!(
                    out,
                    "{} ({}×{} pixels, {} bytes)",
                    file.display(),
                    chart.width,
                    chart.height,
                    chart.png.len()
                )?;
            }
            Err(crate::charts::ChartError::NoData(_)) => nothing(&mut out)?,
            Err(e) => return Err(e.into()),
        },
        None => match crate::charts::progress_figures(&data) {
            Ok(figures) => write!(out, "{figures}")?,
            Err(crate::charts::ChartError::NoData(_)) => nothing(&mut out)?,
            Err(e) => return Err(e.into()),
        },
    }
    Ok(ExitCode::SUCCESS)
}

fn review(args: &ReviewArgs) -> anyhow::Result<ExitCode> {
    use crate::service::review::{NextReview, ReviewFilter};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let study = open_profile(&runtime, &args.profile.db, &args.content)?;
    let user = terminal_user(&args.profile.user);
    let filter = ReviewFilter {
        topic: args.topic.clone(),
        exam: args.exam.clone(),
    };
    let mut rx = stdin_lines();
    let mut out = std::io::stdout().lock();
    let (mut answered, mut right) = (0usize, 0usize);
    let mut next_due = None;
    if !args.json {
        writeln!(
            out,
            "Reviewing as {:?} in {}. Type the letter of your answer (two letters for \"choose 2\"). Ctrl-D ends.",
            args.profile.user,
            args.profile.db.display()
        )?;
    }
    'questions: while answered < usize::from(args.count) {
        let shown = chrono::Utc::now();
        let next = runtime.block_on(study.next_review(TERMINAL_GUILD, user, &filter, shown));
        let next = next.map_err(|e| anyhow::anyhow!("{e}"))?;
        let (q, new, queue) = match next {
            NextReview::Ask {
                question,
                new,
                queue,
            } => (question, new, queue),
            NextReview::Done { next_due: due, .. } => {
                next_due = due;
                break;
            }
        };
        if !args.json {
            writeln!(
                out,
                "\n{} · {}{} · due now {} · new left today {}",
                q.id,
                q.topic,
                if new { " · new" } else { "" },
                queue.due_now,
                queue.new_left
            )?;
            writeln!(out, "{}", q.prompt)?;
            if q.answer.count() > 1 {
                writeln!(out, "(Choose {}.)", q.answer.count())?;
            }
            for (k, c) in q.choices.iter().enumerate() {
                writeln!(out, "  {}) {c}", quiz::letter(k))?;
            }
        }
        let picks = loop {
            if !args.json {
                write!(out, "> ")?;
                out.flush()?;
            }
            let Some(line) = runtime.block_on(next_line(&mut rx)) else {
                break 'questions;
            };
            match quiz::drill::parse_picks(&line, &q) {
                Ok(p) => break p,
                // Piped input with --json: the hint goes to stderr, stdout stays JSON lines.
                Err(hint) if args.json => eprintln!("{}: {hint}", q.id),
                Err(hint) => writeln!(out, "{hint}")?,
            }
        };
        let fb = runtime
            .block_on(study.review_answer(
                TERMINAL_GUILD,
                user,
                &q.id,
                &picks,
                shown,
                chrono::Utc::now(),
            ))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        answered += 1;
        right += usize::from(fb.correct);
        if args.json {
            let line = ReviewLine {
                question_id: &q.id,
                topic: &q.topic,
                correct: fb.correct,
                rating: fb.rating.as_str(),
                due: fb.due.to_rfc3339(),
                stability: (fb.stability * 1000.0).round() / 1000.0,
            };
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
        } else {
            if fb.correct {
                writeln!(out, "Right: {}.", q.answer.letters())?;
            } else {
                writeln!(out, "Not quite: the answer is {}.", q.answer.letters())?;
            }
            writeln!(out, "{}", q.explanation)?;
            match &fb.notes {
                Some((heading, citation)) => writeln!(out, "Notes: {heading} ({citation})")?,
                None => writeln!(out, "Notes: {}", q.source)?,
            }
            writeln!(
                out,
                "Comes back {}.",
                fb.due
                    .with_timezone(&chrono::Local)
                    .format("%a %d %b %H:%M")
            )?;
        }
    }
    let now = chrono::Utc::now();
    let queue = runtime.block_on(study.review_queue(TERMINAL_GUILD, user, now))?;
    if args.json {
        let summary = ReviewSummary {
            summary: true,
            answered,
            correct: right,
            due_now: queue.due_now,
            due_today: queue.due_today,
            new_left_today: queue.new_left,
            next_due: next_due.map(|t| t.to_rfc3339()),
        };
        writeln!(out, "{}", serde_json::to_string(&summary)?)?;
    } else {
        writeln!(
            out,
            "\n{right}/{answered} right. Due now: {} · due today: {} · new left today: {}.",
            queue.due_now, queue.due_today, queue.new_left
        )?;
        if answered == 0 {
            match next_due {
                Some(t) => writeln!(
                    out,
                    "Nothing to review now; the next question is due {}.",
                    t.with_timezone(&chrono::Local).format("%a %d %b %H:%M")
                )?,
                None => writeln!(out, "Nothing to review now.")?,
            }
        }
    }
    runtime.block_on(study.store.close());
    Ok(ExitCode::SUCCESS)
}

fn quiz(args: &QuizArgs) -> anyhow::Result<ExitCode> {
    use crate::quiz::{self, drill};
    let loaded = notes::load_dirs(&[args.content.join("notes")])?;
    let (bank, problems) = quiz::load_bank(&args.content.join("questions"), &loaded.files);
    if let Some(first) = problems.first() {
        anyhow::bail!(
            "the question bank has {} problem(s), first: {first}; run `studybot check`",
            problems.len()
        );
    }
    let seed = args.seed.unwrap_or_else(rand::random);
    let questions = drill::pick(
        &bank,
        args.topic.as_deref(),
        args.exam.as_deref(),
        usize::from(args.count),
        seed,
    );
    if questions.is_empty() {
        anyhow::bail!(
            "no question matches; `studybot topics` lists topics, and exams are DVA-C02, SAA-C03, SAP-C02, SOA-C02, DOP-C02"
        );
    }
    let mut rx = stdin_lines();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Answers count in the local profile: review state and `studybot stats`.
    let study = open_profile(&runtime, &args.profile.db, &args.content)?;
    let user = terminal_user(&args.profile.user);
    let mut out = std::io::stdout().lock();
    let total = questions.len();
    let (mut right, mut asked) = (0usize, 0usize);
    writeln!(
        out,
        "{total} question(s). Type the letter of your answer (two letters for \"choose 2\"). Ctrl-D ends."
    )?;
    'questions: for (i, q) in questions.iter().enumerate() {
        writeln!(
            out,
            "\nQuestion {}/{total} · {} · {:?}",
            i + 1,
            q.topic,
            q.difficulty
        )?;
        writeln!(out, "{}", q.prompt)?;
        if q.answer.count() > 1 {
            writeln!(out, "(Choose {}.)", q.answer.count())?;
        }
        for (k, c) in q.choices.iter().enumerate() {
            writeln!(out, "  {}) {c}", quiz::letter(k))?;
        }
        let shown = chrono::Utc::now();
        let picks = loop {
            write!(out, "> ")?;
            out.flush()?;
            let line = runtime.block_on(next_line(&mut rx));
            let Some(line) = line else {
                writeln!(out)?;
                break 'questions;
            };
            match drill::parse_picks(&line, q) {
                Ok(p) => break p,
                Err(hint) => writeln!(out, "{hint}")?,
            }
        };
        asked += 1;
        let now = chrono::Utc::now();
        let answered = crate::service::review::Answered {
            user,
            question: q,
            source: "quiz",
            correct: q.is_correct(&picks),
            answer_time: Some(now - shown),
            at: now,
        };
        if let Err(e) = runtime.block_on(study.record_practice(TERMINAL_GUILD, &answered, shown)) {
            tracing::warn!(error = %e, "could not record the answer in the local profile");
        }
        if q.is_correct(&picks) {
            right += 1;
            writeln!(out, "Right: {}.", q.answer.letters())?;
        } else {
            writeln!(out, "Not quite: the answer is {}.", q.answer.letters())?;
        }
        writeln!(out, "{}", q.explanation)?;
        match notes::find_section(&loaded.passages, &q.source.file, &q.source.anchor) {
            Some(p) => {
                let text = notes::plain_text(&p.text).replace('\n', " ");
                let short: String = text.chars().take(300).collect();
                let more = if short.len() < text.len() { "…" } else { "" };
                writeln!(
                    out,
                    "Notes: {} ({})\n  {short}{more}",
                    p.heading(),
                    p.citation()
                )?;
            }
            None => writeln!(out, "Notes: {}", q.source)?,
        }
    }
    let pct = (right * 100).checked_div(asked).unwrap_or(0);
    writeln!(out, "\nScore: {right}/{asked} ({pct}%)")?;
    if asked < total {
        writeln!(out, "Stopped after {asked} of {total} questions.")?;
    }
    writeln!(
        out,
        "Seed {seed}: `studybot quiz --seed {seed}` asks the same questions again."
    )?;
    Ok(ExitCode::SUCCESS)
}
