//! The daily-question scheduler at scale: 100,000 schedules of which 1,000 are due.
//!
//! `TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench schedule`
//! (env `BENCH_SCHEDULES`, default 100000; `BENCH_DUE`, default 1000).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveTime, TimeZone, Utc};
use studybot::ids::{ChannelId, GuildId};
use studybot::notes::NoteFile;
use studybot::quiz::Bank;
use studybot::schedule::{
    DailySchedule, PostError, PostRequest, Poster, Reveal, Scheduler, SchedulerConfig,
};
use studybot::store::Store;

/// Discord is not measured: every post succeeds at once.
struct NoopPoster;

impl Poster for NoopPoster {
    async fn post_question(&self, r: &PostRequest) -> Result<u64, PostError> {
        Ok(r.post.0 as u64)
    }
    async fn reveal(&self, _: &Reveal) -> Result<(), PostError> {
        Ok(())
    }
}

fn env_num(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let total = env_num("BENCH_SCHEDULES", 100_000);
    let due = env_num("BENCH_DUE", 1_000);
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let report = studybot::content::check(&content)?;
    anyhow::ensure!(report.problems.is_empty(), "content has problems");
    let bank = Arc::new(report.bank);
    let _: &[NoteFile] = &report.notes;
    println!("## Scheduler: {total} schedules, {due} due\n");
    println!(
        "| backend | load | find due (p50 of 20) | tick, nothing due (p50 of 20) | tick posting {due} slots | per slot |"
    );
    println!("|---|---|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    let store = Store::open(&format!("sqlite://{}", dir.path().join("s.db").display())).await?;
    bench("SQLite", store, &bank, total, due).await?;
    if let Ok(url) =
        std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL"))
    {
        let schema = format!("bench_s_{}", std::process::id());
        let store = Store::open_in_schema(&url, Some(&schema)).await?;
        bench("PostgreSQL", store, &bank, total, due).await?;
        if let Ok(pool) = sqlx::PgPool::connect(&url).await {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(&pool)
            .await;
        }
    }
    Ok(())
}

async fn bench(
    name: &str,
    store: Store,
    bank: &Arc<Bank>,
    total: usize,
    due: usize,
) -> anyhow::Result<()> {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let load = Instant::now();
    let store = Arc::new(store);
    let mut tasks = Vec::new();
    for worker in 0..8usize {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            for i in (worker..total).step_by(8) {
                let zone = [
                    chrono_tz::UTC,
                    chrono_tz::Europe::Berlin,
                    chrono_tz::America::New_York,
                ][i % 3];
                let mut s = DailySchedule::new(
                    GuildId(1 + (i / 5) as u64),
                    ChannelId(1_000_000 + i as u64),
                    NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
                    zone,
                    i as u64,
                );
                // The first `due` are due a minute ago; the rest tomorrow and later.
                let at = if i < due {
                    now - chrono::Duration::minutes(1)
                } else {
                    now + chrono::Duration::minutes(1 + (i % 1440) as i64)
                };
                s.next = Some((at.date_naive(), at));
                store.upsert_schedule(&s).await?;
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let load = load.elapsed();
    let mut find = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let found = store.due_schedules(now, 1000).await?;
        find.push(t.elapsed());
        anyhow::ensure!(found.len() == due.min(1000), "found {}", found.len());
    }
    let config = SchedulerConfig {
        posts_per_tick: usize::MAX,
        batch: due as i64,
        ..SchedulerConfig::default()
    };
    let scheduler = Scheduler::new(
        (*store).clone(),
        studybot::content::Shelf::with_bank((**bank).clone()),
        NoopPoster,
        "bench",
        config,
    );
    let mut idle = Vec::new();
    let quiet = now - chrono::Duration::hours(1);
    for _ in 0..20 {
        let t = Instant::now();
        scheduler.tick(quiet).await?;
        idle.push(t.elapsed());
    }
    let t = Instant::now();
    let r = scheduler.tick(now).await?;
    let full = t.elapsed();
    anyhow::ensure!(r.posted == due, "posted {}", r.posted);
    find.sort();
    idle.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {name} | {:.1} s | {:.2} ms | {:.2} ms | {:.0} ms | {:.3} ms |",
        load.as_secs_f64(),
        ms(find[find.len() / 2]),
        ms(idle[idle.len() / 2]),
        ms(full),
        ms(full) / due as f64
    );
    Ok(())
}
