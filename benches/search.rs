//! Relevance and speed of `studybot ask` against SQLite FTS5 on the same passages, in one run.
//!
//! `cargo bench --bench search` (env: `STUDYBOT_SEEDS` = notes folder, default `../shared/seeds`;
//! `BENCH_ROUNDS` = latency rounds, default 30; `BENCH_SCALE` = comma list of corpus multipliers
//! for the growth table, default `1,10,100`). Prints Markdown tables for BENCHMARKS.md.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};
use studybot::notes::{self, Passage, plain_text};
use studybot::search::eval::{self, LabeledQuery, Metrics, Ranked};
use studybot::search::{Concepts, Glossary, NoteIndex, Phases, SearchOptions};

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seeds = std::env::var_os("STUDYBOT_SEEDS")
        .map_or_else(|| root.join("../shared/seeds"), PathBuf::from);
    let keyword_labels = eval::load_labels(&root.join("tests/relevance/seeds.toml"))?;
    let sentence_labels = eval::load_labels(&root.join("tests/relevance/natural.toml"))?;
    let dev_labels = eval::load_labels(&root.join("tests/relevance/natural_dev.toml"))?;
    let labels: Vec<LabeledQuery> = keyword_labels
        .iter()
        .chain(&sentence_labels)
        .cloned()
        .collect();
    let glossary = Glossary::load(&root.join("content/synonyms.toml"))?
        .with_concepts(Concepts::load(&root.join("content/concepts.toml"))?);
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let scales: Vec<usize> = std::env::var("BENCH_SCALE")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 10, 100]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let parse_started = Instant::now();
    let loaded = notes::load_dirs(std::slice::from_ref(&seeds))?;
    let parse_time = parse_started.elapsed();
    let passages = loaded.passages;
    println!(
        "corpus: {} ({} files, {} passages, parsed in {:.1} ms); {} labeled queries; {} latency rounds\n",
        seeds.display(),
        loaded.files.len(),
        passages.len(),
        ms(parse_time),
        labels.len(),
        rounds
    );

    // Index build, several times each, medians.
    let mut ours_builds = Vec::new();
    let mut fts_builds = Vec::new();
    let mut index = None;
    let mut fts = None;
    for _ in 0..7 {
        let t = Instant::now();
        index = Some(NoteIndex::build(passages.clone(), glossary.clone())?);
        ours_builds.push(t.elapsed());
        let t = Instant::now();
        fts = Some(rt.block_on(Fts::build(&passages))?);
        fts_builds.push(t.elapsed());
    }
    let (Some(index), Some(fts)) = (index, fts) else {
        anyhow::bail!("no index built")
    };

    // Relevance, each labeled set on its own.
    for (name, set) in [
        (
            "keyword queries, tests/relevance/seeds.toml",
            &keyword_labels,
        ),
        (
            "questions, paraphrases and comparisons, tests/relevance/natural.toml (held out)",
            &sentence_labels,
        ),
        (
            "the same kinds, tests/relevance/natural_dev.toml (tuned on)",
            &dev_labels,
        ),
    ] {
        relevance(&rt, &index, &fts, &passages, name, set)?;
    }

    // Latency, both engines interleaved per round, each set and both together.
    println!("## Speed on the seed notes ({} passages)\n", passages.len());
    println!(
        "index build, median of 7: studybot {:.1} ms, FTS5 {:.1} ms ({:.2}×)\n",
        ms(median(&mut ours_builds)),
        ms(median(&mut fts_builds)),
        ms(median(&mut ours_builds)) / ms(median(&mut fts_builds)),
    );
    println!(
        "| queries | studybot p50 | studybot p99 | FTS5 p50 | FTS5 p99 | FTS5 + snippet() p50 | p50 ratio | p99 ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut phase_rows = Vec::new();
    for (name, set) in [
        ("keyword", &keyword_labels),
        ("sentence", &sentence_labels),
        ("all", &labels),
    ] {
        let (ours_lat, fts_lat, fts_snip, phases) = latencies(&rt, &index, &fts, set, rounds)?;
        let mut plan: Vec<Duration> = phases.iter().map(|p| p.plan).collect();
        let mut search: Vec<Duration> = phases.iter().map(|p| p.search).collect();
        let mut snippets: Vec<Duration> = phases.iter().map(|p| p.snippets).collect();
        phase_rows.push(format!(
            "| {name} | {:.3} ms | {:.3} ms | {:.3} ms |",
            ms(median(&mut plan)),
            ms(median(&mut search)),
            ms(median(&mut snippets)),
        ));
        println!(
            "| {name} | {:.3} ms | {:.3} ms | {:.3} ms | {:.3} ms | {:.3} ms | {:.2}× | {:.2}× |",
            ms(pct(&ours_lat, 50.0)),
            ms(pct(&ours_lat, 99.0)),
            ms(pct(&fts_lat, 50.0)),
            ms(pct(&fts_lat, 99.0)),
            ms(pct(&fts_snip, 50.0)),
            ms(pct(&ours_lat, 50.0)) / ms(pct(&fts_lat, 50.0)),
            ms(pct(&ours_lat, 99.0)) / ms(pct(&fts_lat, 99.0)),
        );
    }
    println!("\nWhere studybot's time goes (medians per phase):\n");
    println!("| queries | build the query | search and re-rank | snippets and answer line |");
    println!("|---|---|---|---|");
    for row in phase_rows {
        println!("{row}");
    }
    println!();
    drop(index);
    drop(fts);

    // Growth: the notes repeated with varied words.
    println!("## Growth (seed notes repeated with varied words)\n");
    println!(
        "| corpus | passages | studybot build | FTS5 build | studybot p50 | studybot p99 | FTS5 p50 | FTS5 p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for &scale in &scales {
        let big = synthetic(&passages, scale);
        let t = Instant::now();
        let index = NoteIndex::build(big.clone(), glossary.clone())?;
        let ours_build = t.elapsed();
        let t = Instant::now();
        let fts = rt.block_on(Fts::build(&big))?;
        let fts_build = t.elapsed();
        let (o, f, _, _) = latencies(&rt, &index, &fts, &labels, (rounds / 3).max(3))?;
        println!(
            "| {scale}× | {} | {:.0} ms | {:.0} ms | {:.3} ms | {:.3} ms | {:.3} ms | {:.3} ms |",
            big.len(),
            ms(ours_build),
            ms(fts_build),
            ms(pct(&o, 50.0)),
            ms(pct(&o, 99.0)),
            ms(pct(&f, 50.0)),
            ms(pct(&f, 99.0))
        );
    }
    Ok(())
}

fn as_ranked(p: &Passage) -> Ranked {
    Ranked {
        file: p.file.clone(),
        start_line: p.start_line,
        end_line: p.end_line,
    }
}

fn push_kind(by_kind: &mut Vec<(String, Vec<Metrics>)>, q: &LabeledQuery, m: Metrics) {
    match by_kind.iter_mut().find(|(k, _)| *k == q.kind) {
        Some((_, v)) => v.push(m),
        None => by_kind.push((q.kind.clone(), vec![m])),
    }
}

fn row(kind: &str, n: usize, o: Metrics, f: Metrics) {
    println!(
        "| {kind} | {n} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
        o.ndcg10, f.ndcg10, o.mrr10, f.mrr10, o.recall5, f.recall5
    );
}

/// Sorted latencies of studybot, FTS5 and FTS5 with snippets, and studybot's phases per call.
type Latencies = (Vec<Duration>, Vec<Duration>, Vec<Duration>, Vec<Phases>);

fn latencies(
    rt: &tokio::runtime::Runtime,
    index: &NoteIndex,
    fts: &Fts,
    labels: &[LabeledQuery],
    rounds: usize,
) -> anyhow::Result<Latencies> {
    let opts = SearchOptions {
        limit: 10,
        topic: None,
    };
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut snippets = Vec::new();
    let mut phases = Vec::new();
    for _ in 0..rounds {
        for q in labels {
            let t = Instant::now();
            let found = std::hint::black_box(index.search(&q.q, &opts)?);
            ours.push(t.elapsed());
            phases.push(found.phases);
            let t = Instant::now();
            std::hint::black_box(rt.block_on(fts.search(&q.q))?);
            theirs.push(t.elapsed());
            let t = Instant::now();
            std::hint::black_box(rt.block_on(fts.search_with_snippets(&q.q))?);
            snippets.push(t.elapsed());
        }
    }
    ours.sort();
    theirs.sort();
    snippets.sort();
    Ok((ours, theirs, snippets, phases))
}

/// The metrics of both engines on one labeled set, by kind.
fn relevance(
    rt: &tokio::runtime::Runtime,
    index: &NoteIndex,
    fts: &Fts,
    passages: &[Passage],
    name: &str,
    labels: &[LabeledQuery],
) -> anyhow::Result<()> {
    let mut ours_by_kind: Vec<(String, Vec<Metrics>)> = Vec::new();
    let mut fts_by_kind: Vec<(String, Vec<Metrics>)> = Vec::new();
    let opts = SearchOptions {
        limit: 10,
        topic: None,
    };
    let mut worst: Vec<(f64, String)> = Vec::new();
    for q in labels {
        let ours = index.search(&q.q, &opts)?;
        let ranked: Vec<Ranked> = ours.hits.iter().map(|h| as_ranked(&h.passage)).collect();
        let m = eval::evaluate(&ranked, &q.relevant);
        worst.push((m.ndcg10, q.q.clone()));
        push_kind(&mut ours_by_kind, q, m);
        let ids = rt.block_on(fts.search(&q.q))?;
        let ranked: Vec<Ranked> = ids
            .iter()
            .filter_map(|&i| passages.get(i))
            .map(as_ranked)
            .collect();
        push_kind(&mut fts_by_kind, q, eval::evaluate(&ranked, &q.relevant));
    }
    println!("## Relevance: {} {name}\n", labels.len());
    println!(
        "| queries | n | studybot nDCG@10 | FTS5 nDCG@10 | studybot MRR@10 | FTS5 MRR@10 | studybot Recall@5 | FTS5 Recall@5 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let all_ours: Vec<Metrics> = ours_by_kind.iter().flat_map(|(_, v)| v.clone()).collect();
    let all_fts: Vec<Metrics> = fts_by_kind.iter().flat_map(|(_, v)| v.clone()).collect();
    for ((kind, o), (_, f)) in ours_by_kind.iter().zip(&fts_by_kind) {
        row(kind, o.len(), Metrics::mean(o), Metrics::mean(f));
    }
    row(
        "**all**",
        all_ours.len(),
        Metrics::mean(&all_ours),
        Metrics::mean(&all_fts),
    );
    let (o, f) = (Metrics::mean(&all_ours), Metrics::mean(&all_fts));
    println!(
        "\nnDCG@10 studybot {:.4}, FTS5 {:.4}: lead {:+.4}",
        o.ndcg10,
        f.ndcg10,
        o.ndcg10 - f.ndcg10
    );
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!(
        "\nweakest queries for studybot (nDCG@10): {}\n",
        worst
            .iter()
            .take(6)
            .map(|(s, q)| format!("`{q}` {s:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// The passages `scale` times; copies after the first have 30% of their words swapped for other
/// words of the notes, so the vocabulary and postings grow as in a larger real collection.
fn synthetic(passages: &[Passage], scale: usize) -> Vec<Passage> {
    let vocab: Vec<String> = {
        let mut v: Vec<String> = passages
            .iter()
            .flat_map(|p| {
                p.text
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let mut rng = StdRng::seed_from_u64(7);
    let mut out = Vec::with_capacity(passages.len() * scale);
    for copy in 0..scale {
        for p in passages {
            let mut q = p.clone();
            q.id = u32::try_from(out.len()).unwrap_or(u32::MAX);
            if copy > 0 {
                q.file = format!("copy{copy}/{}", p.file);
                q.text = p
                    .text
                    .split(' ')
                    .map(|w| {
                        if rng.random_bool(0.3) {
                            vocab[rng.random_range(0..vocab.len())].as_str()
                        } else {
                            w
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            out.push(q);
        }
    }
    out
}

/// The peer: SQLite FTS5 with the porter tokenizer, title weighted 2× in bm25, the words of the
/// query OR-ed (AND would return nothing for most typo queries).
struct Fts {
    pool: SqlitePool,
}

impl Fts {
    async fn build(passages: &[Passage]) -> anyhow::Result<Fts> {
        let opts = SqliteConnectOptions::new().in_memory(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        sqlx::query(
            "CREATE VIRTUAL TABLE p USING fts5(title, body, tokenize = 'porter unicode61')",
        )
        .execute(&pool)
        .await?;
        let mut tx = pool.begin().await?;
        for (i, p) in passages.iter().enumerate() {
            sqlx::query("INSERT INTO p (rowid, title, body) VALUES (?1, ?2, ?3)")
                .bind(i as i64 + 1)
                .bind(p.heading())
                .bind(plain_text(&p.text))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Fts { pool })
    }

    async fn search(&self, query: &str) -> anyhow::Result<Vec<usize>> {
        let words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{}\"", w.to_lowercase()))
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let rows =
            sqlx::query("SELECT rowid FROM p WHERE p MATCH ?1 ORDER BY bm25(p, 2.0, 1.0) LIMIT 10")
                .bind(words.join(" OR "))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|r| r.get::<i64, _>(0) as usize - 1)
            .collect())
    }

    /// As [`Fts::search`], with FTS5's own highlighted snippet of each hit (the work studybot
    /// does for each hit too).
    async fn search_with_snippets(&self, query: &str) -> anyhow::Result<Vec<(usize, String)>> {
        let words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{}\"", w.to_lowercase()))
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT rowid, snippet(p, 1, '**', '**', '…', 32) FROM p WHERE p MATCH ?1 ORDER BY bm25(p, 2.0, 1.0) LIMIT 10",
        )
        .bind(words.join(" OR "))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<i64, _>(0) as usize - 1, r.get::<String, _>(1)))
            .collect())
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}
