//! Scores store: answers recorded per second with 64 concurrent writers, and leaderboard query
//! time on a big database, on SQLite and (when `TEST_DATABASE_URL` or `BENCH_DATABASE_URL` is set)
//! PostgreSQL, in one run.
//!
//! `TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench store`
//! (env: `BENCH_ANSWERS` = answers for the write test, default 20000; `BENCH_BIG` = answers in
//! the big database, default 1000000).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use studybot::ids::{ChannelId, GuildId, PostId, RoleId, UserId};
use studybot::scores::{NewAnswer, PeriodKeys, Scope};
use studybot::store::{BulkAnswer, BulkPost, NewPost, PostKind, Store};

const WRITERS: usize = 64;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let writes: usize = env_num("BENCH_ANSWERS", 20_000);
    let big: usize = env_num("BENCH_BIG", 1_000_000);
    let pg = std::env::var("BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .ok();
    println!("## Recording answers ({writes} answers, {WRITERS} concurrent writers)\n");
    println!("| backend | answers/s | record p50 | record p99 |");
    println!("|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    if std::env::var_os("BENCH_KEEP").is_some() {
        eprintln!("keeping databases in {}", dir.path().display());
    }
    let sqlite_url = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    let store = Store::open(&sqlite_url("write.db")).await?;
    write_bench("SQLite (file, WAL)", store, writes).await?;
    if let Some(url) = &pg {
        let (store, schema) = pg_store(url, "w").await?;
        write_bench("PostgreSQL", store, writes).await?;
        drop_schema(url, &schema).await;
    }

    println!(
        "\n## Leaderboards ({big} answers: one server with 10,000 members holding half, 999 servers the rest)\n"
    );
    println!(
        "| backend | load | top 10 p50 | top 10 p99 | page 50 p50 | my rank (last) p50 | channel top 10 p50 | small server top 10 p50 | group standings p50 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let data = BigData::generate(big);
    let store = Store::open(&sqlite_url("big.db")).await?;
    read_bench("SQLite", &store, &data).await?;
    if let Some(url) = &pg {
        let (store, schema) = pg_store(url, "r").await?;
        read_bench("PostgreSQL", &store, &data).await?;
        store.close().await;
        drop_schema(url, &schema).await;
    }
    if std::env::var_os("BENCH_KEEP").is_some() {
        std::mem::forget(dir);
    }
    Ok(())
}

fn env_num(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn pg_store(url: &str, tag: &str) -> anyhow::Result<(Store, String)> {
    let schema = format!("bench_{tag}_{}", std::process::id());
    Ok((Store::open_in_schema(url, Some(&schema)).await?, schema))
}

async fn drop_schema(url: &str, schema: &str) {
    if let Ok(pool) = sqlx::PgPool::connect(url).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&pool)
        .await;
        pool.close().await;
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn write_bench(name: &str, store: Store, total: usize) -> anyhow::Result<()> {
    let guild = GuildId(1);
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let mut posts = Vec::new();
    for i in 0..100u64 {
        let p = store
            .create_post(&NewPost {
                guild,
                channel: ChannelId(10 + i % 5),
                kind: PostKind::Quiz,
                question_id: "sqs-001".into(),
                topic: "sqs".into(),
                local_date: None,
                posted_at: now,
                closes_at: None,
                shown: None,
            })
            .await?;
        posts.extend(p);
    }
    let posts = Arc::new(posts);
    let store = Arc::new(store);
    let keys = Arc::new(PeriodKeys::at(now, chrono_tz::UTC));
    let per_writer = total / WRITERS;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (store, posts, keys) = (Arc::clone(&store), Arc::clone(&posts), Arc::clone(&keys));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_writer);
            for k in 0..per_writer {
                let n = w * per_writer + k;
                let answer = NewAnswer {
                    post: posts[n % posts.len()],
                    user: UserId((n / posts.len()) as u64 + 1),
                    choice: "A".into(),
                    correct: !n.is_multiple_of(3),
                    points: if !n.is_multiple_of(3) { 2 } else { 0 },
                    at: now,
                };
                let t = Instant::now();
                store.record_answer(guild, &answer, &keys).await?;
                lat.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let elapsed = started.elapsed();
    all.sort();
    let count = all.len();
    let mut recorded = 0;
    for p in posts.iter() {
        recorded += store.answer_count(*p).await?;
    }
    anyhow::ensure!(
        recorded as usize == count,
        "answers lost or doubled: {recorded} of {count}"
    );
    println!(
        "| {name} | {:.0} | {:.2} ms | {:.2} ms |",
        count as f64 / elapsed.as_secs_f64(),
        ms(pct(&all, 50.0)),
        ms(pct(&all, 99.0))
    );
    store.close().await;
    Ok(())
}

struct BigData {
    posts: Vec<BulkPost>,
    answers: Vec<BulkAnswer>,
    roles: Vec<(UserId, RoleId)>,
}

const BIG: GuildId = GuildId(1);

impl BigData {
    /// Half the answers in one server (10,000 members, 1,000 posts in 10 channels), the other
    /// half over 999 servers with 50 members each; answers spread over 8 weeks.
    fn generate(total: usize) -> BigData {
        let mut rng = StdRng::seed_from_u64(7);
        let start = Utc
            .with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let mut posts = Vec::new();
        let mut answers = Vec::with_capacity(total);
        let mut next_post = 1i64;
        let mut servers: Vec<(GuildId, u64, usize, usize)> = vec![(BIG, 10_000, 1_000, total / 2)];
        for g in 2..=1000u64 {
            servers.push((GuildId(g), 50, 20, (total / 2) / 999));
        }
        for (guild, members, post_count, n) in servers {
            let first = next_post;
            for i in 0..post_count {
                posts.push(BulkPost {
                    id: next_post,
                    guild,
                    channel: ChannelId(guild.0 * 100 + (i % 10) as u64),
                    topic: "sqs".into(),
                });
                next_post += 1;
            }
            let mut seen = std::collections::HashSet::new();
            while seen.len() < n.min(members as usize * post_count) {
                let user = rng.random_range(1..=members);
                let p = rng.random_range(0..post_count);
                if !seen.insert((user, p)) {
                    continue;
                }
                let post = &posts[(first - 1) as usize + p];
                let correct = rng.random_bool(0.6);
                let points = if correct { rng.random_range(1..=3) } else { 0 };
                let at = start + chrono::Duration::minutes(rng.random_range(0..8 * 7 * 24 * 60));
                answers.push(BulkAnswer {
                    post: post.id,
                    user: UserId(user),
                    guild,
                    channel: post.channel,
                    correct,
                    points,
                    at,
                    keys: PeriodKeys::at(at, chrono_tz::UTC),
                });
            }
        }
        let roles = (1..=10_000u64)
            .map(|u| (UserId(u), RoleId(900 + u % 20)))
            .collect();
        BigData {
            posts,
            answers,
            roles,
        }
    }
}

async fn timed<F, Fut, T>(rounds: usize, mut f: F) -> anyhow::Result<Vec<Duration>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut v = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        std::hint::black_box(f().await?);
        v.push(t.elapsed());
    }
    v.sort();
    Ok(v)
}

async fn read_bench(name: &str, store: &Store, data: &BigData) -> anyhow::Result<()> {
    let t = Instant::now();
    store.bulk_load(&data.posts, &data.answers).await?;
    for (user, role) in &data.roles {
        store.set_member_roles(BIG, *user, &[*role]).await?;
    }
    let load = t.elapsed();
    let rounds = 30;
    let top = timed(rounds, || async {
        Ok(store
            .leaderboard(BIG, Scope::Server, "all", 0, 10, Some(UserId(1)))
            .await?)
    })
    .await?;
    let page = timed(rounds, || async {
        Ok(store
            .leaderboard(BIG, Scope::Server, "all", 50, 10, None)
            .await?)
    })
    .await?;
    // The member ranked last, so the rank query counts everyone above.
    let board = store
        .leaderboard(BIG, Scope::Server, "all", 999, 10, None)
        .await?;
    let last = board.rows.last().map_or(UserId(1), |r| r.user);
    let mine = timed(rounds, || async {
        Ok(store
            .leaderboard(BIG, Scope::Server, "all", 0, 10, Some(last))
            .await?)
    })
    .await?;
    let channel = timed(rounds, || async {
        Ok(store
            .leaderboard(
                BIG,
                Scope::Channel(ChannelId(100)),
                "all",
                0,
                10,
                Some(UserId(1)),
            )
            .await?)
    })
    .await?;
    let small = timed(rounds, || async {
        Ok(store
            .leaderboard(GuildId(500), Scope::Server, "all", 0, 10, Some(UserId(1)))
            .await?)
    })
    .await?;
    let groups = timed(rounds, || async {
        Ok(store.group_standings(BIG, "all", 2).await?)
    })
    .await?;
    println!(
        "| {name} | {:.1} s | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
        load.as_secs_f64(),
        ms(pct(&top, 50.0)),
        ms(pct(&top, 99.0)),
        ms(pct(&page, 50.0)),
        ms(pct(&mine, 50.0)),
        ms(pct(&channel, 50.0)),
        ms(pct(&small, 50.0)),
        ms(pct(&groups, 50.0)),
    );
    let _ = PostId(0);
    Ok(())
}
