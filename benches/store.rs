//! Scores store: answers recorded per second with 64 concurrent writers, and leaderboard query
//! time on a big database, on SQLite and (when `TEST_DATABASE_URL` or `BENCH_DATABASE_URL` is set)
//! PostgreSQL, in one run.
//!
//! Also personal review: answers per second with the member's review card written in the same
//! transaction, against the rate without it in the same run; and "the next question of a
//! member's review" over 10,000 members × 800 questions of review state.
//!
//! `TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench store`
//! (env: `BENCH_ANSWERS` = answers for the write test, default 20000; `BENCH_BIG` = answers in
//! the big database, default 1000000; `BENCH_MEMBERS` and `BENCH_CARDS` = review state size,
//! default 10000 × 800; `BENCH_ONLY=review` stops before the leaderboards, `BENCH_ONLY=writes`
//! after the answer rates, `BENCH_ONLY=leaderboards` skips the review state).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use studybot::ids::{ChannelId, GuildId, PostId, RoleId, UserId};
use studybot::review::{CardColumns, CardState};
use studybot::scores::{NewAnswer, PeriodKeys, Scope};
use studybot::store::{BulkAnswer, BulkPost, CardUpdate, NewPost, PostKind, Store};

const WRITERS: usize = 64;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let writes: usize = env_num("BENCH_ANSWERS", 20_000);
    let big: usize = env_num("BENCH_BIG", 1_000_000);
    let pg = std::env::var("BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .ok();
    let only_review = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "review");
    println!("## Recording answers ({writes} answers, {WRITERS} concurrent writers)\n");
    println!(
        "| backend | group commit | review card | answers/s | record p50 | record p99 | rate vs grouped without card |"
    );
    println!("|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    if std::env::var_os("BENCH_KEEP").is_some() {
        eprintln!("keeping databases in {}", dir.path().display());
    }
    let (mut plain_sqlite, mut plain_pg) = (None, None);
    let sqlite_url = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    // Each answer alone, then grouped without and with the review card, each on a fresh
    // database, one after the other.
    // "review" moves one card per member 100 times (every post asks the same question);
    // "questions" gives each post its own question, as real posts have, so each answer moves
    // a different card.
    for (name, grouped, review) in [
        ("alone", false, Review::No),
        ("grouped", true, Review::No),
        ("grouped-review", true, Review::SameQuestion),
        ("grouped-questions", true, Review::QuestionPerPost),
    ] {
        let store = Store::open(&sqlite_url(&format!("write-{name}.db"))).await?;
        store.set_group_commit(grouped);
        let rate = write_bench(
            "SQLite (file, WAL)",
            store,
            writes,
            review,
            grouped,
            plain_sqlite,
        )
        .await?;
        if grouped && review == Review::No {
            plain_sqlite = Some(rate);
        }
    }
    if let Some(url) = &pg {
        for (tag, grouped, review) in [
            ("wa", false, Review::No),
            ("wg", true, Review::No),
            ("wr", true, Review::SameQuestion),
            ("wq", true, Review::QuestionPerPost),
        ] {
            let (store, schema) = pg_store(url, tag).await?;
            store.set_group_commit(grouped);
            let rate = write_bench("PostgreSQL", store, writes, review, grouped, plain_pg).await?;
            if grouped && review == Review::No {
                plain_pg = Some(rate);
            }
            drop_schema(url, &schema).await;
        }
    }

    if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "writes") {
        return Ok(());
    }
    let skip_review = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "leaderboards");
    let members = env_num("BENCH_MEMBERS", 10_000);
    let per_member = env_num("BENCH_CARDS", 800);
    println!(
        "\n## Next review question ({members} members × {per_member} questions of review state, 1 in 8 due)\n"
    );
    println!("| backend | load | next question p50 | p99 | store: due cards p50 | p99 |");
    println!("|---|---|---|---|---|---|");
    if !skip_review {
        let store = Store::open(&sqlite_url("review.db")).await?;
        review_bench("SQLite", store, members, per_member).await?;
        if let Some(url) = &pg {
            let (store, schema) = pg_store(url, "rv").await?;
            review_bench("PostgreSQL", store, members, per_member).await?;
            drop_schema(url, &schema).await;
        }
    }
    if only_review {
        return Ok(());
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

/// Whether answers also move review cards, and which.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Review {
    No,
    /// Every post asks the same question: each member's one card moves with every answer.
    SameQuestion,
    /// Each post asks its own question: each answer moves a card of its own.
    QuestionPerPost,
}

/// Answers per second with `WRITERS` concurrent writers; with `review`, each answer also
/// writes the member's review card (FSRS) in the same transaction.
async fn write_bench(
    name: &str,
    store: Store,
    total: usize,
    review: Review,
    grouped: bool,
    without: Option<f64>,
) -> anyhow::Result<f64> {
    let guild = GuildId(1);
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let mut posts = Vec::new();
    let questions: Arc<Vec<String>> = Arc::new(
        (0..100)
            .map(|i| match review {
                Review::QuestionPerPost => format!("sqs-{i:03}"),
                _ => "sqs-001".to_string(),
            })
            .collect(),
    );
    for i in 0..100u64 {
        let p = store
            .create_post(&NewPost {
                guild,
                channel: ChannelId(10 + i % 5),
                kind: PostKind::Quiz,
                question_id: questions[i as usize].clone(),
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
        let questions = Arc::clone(&questions);
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
                if review != Review::No {
                    let memory = studybot::review::Scheduler::default();
                    let rating = studybot::review::Rating::from_answer(answer.correct, None);
                    let next: studybot::store::CardStep =
                        std::sync::Arc::new(move |prev: Option<CardColumns>| {
                            let prev = prev
                                .map(CardState::from_columns)
                                .transpose()
                                .map_err(|e| e.to_string())?;
                            let card = memory
                                .review(prev.as_ref(), rating, now)
                                .map_err(|e| e.to_string())?;
                            Ok((card.to_columns(), rating.as_str().to_string()))
                        });
                    let update = CardUpdate {
                        user: answer.user,
                        question_id: &questions[n % posts.len()],
                        topic: "sqs",
                        source: "quiz",
                        correct: answer.correct,
                        at: now,
                        next,
                    };
                    store
                        .record_answer_reviewed(guild, &answer, &keys, Some(&update))
                        .await?;
                } else {
                    store.record_answer(guild, &answer, &keys).await?;
                }
                lat.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    // Every answer in the totals (PostgreSQL adds them in the background) before the clock stops.
    store.settle_totals().await?;
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
    let counted: i64 = store
        .all_standings(guild, "all", None)
        .await?
        .iter()
        .map(|s| s.answered)
        .sum();
    anyhow::ensure!(
        counted as usize == count,
        "answers lost or doubled in the totals: {counted} of {count}"
    );
    if review != Review::No {
        // Each answer counted once in its member's card of its question.
        let mut answered = 0;
        for u in 1..=count.div_ceil(posts.len()) as u64 {
            answered += store
                .cards(guild, UserId(u))
                .await?
                .iter()
                .map(|c| c.answered)
                .sum::<i64>();
        }
        anyhow::ensure!(
            answered as usize == count,
            "review state lost or doubled: {answered} of {count}"
        );
    }
    let rate = count as f64 / elapsed.as_secs_f64();
    println!(
        "| {name} | {} | {} | {rate:.0} | {:.2} ms | {:.2} ms | {} |",
        if grouped { "yes" } else { "no" },
        match review {
            Review::No => "no",
            Review::SameQuestion => "yes, one question",
            Review::QuestionPerPost => "yes, a question per post",
        },
        ms(pct(&all, 50.0)),
        ms(pct(&all, 99.0)),
        without.map_or("–".to_string(), |w| format!("{:.2}×", rate / w))
    );
    store.close().await;
    Ok(rate)
}

/// Loads `members` × `per_member` cards in one server (1 in 8 due now), then times the next
/// question of a member's review (the whole use case) and the store's due-card query.
async fn review_bench(
    name: &str,
    store: Store,
    members: usize,
    per_member: usize,
) -> anyhow::Result<()> {
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let library = studybot::content::Library::load(&content, &[])?;
    let questions: Vec<(String, String)> = library
        .bank
        .questions()
        .iter()
        .take(per_member)
        .map(|q| (q.id.clone(), q.topic.clone()))
        .collect();
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let memory = studybot::review::Scheduler::default();
    let mut rng = StdRng::seed_from_u64(11);
    let t = Instant::now();
    let mut batch = Vec::with_capacity(100_000);
    for m in 1..=members as u64 {
        for (id, topic) in &questions {
            let first = now - chrono::Duration::days(rng.random_range(1..60));
            let card = memory
                .review(None, studybot::review::Rating::Good, first)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut c = card.to_columns();
            c.due = if rng.random_ratio(1, 8) {
                now - chrono::Duration::hours(rng.random_range(1..48))
            } else {
                now + chrono::Duration::hours(rng.random_range(1..24 * 30))
            };
            batch.push((UserId(m), id.clone(), topic.clone(), c));
        }
        if batch.len() >= 100_000 {
            store.bulk_load_cards(GuildId(1), &batch).await?;
            batch.clear();
        }
    }
    store.bulk_load_cards(GuildId(1), &batch).await?;
    let load = t.elapsed();
    let study = studybot::service::Study::new(store.clone(), library);
    let filter = studybot::service::review::ReviewFilter::default();
    let rounds = 200;
    let mut pick = StdRng::seed_from_u64(3);
    let mut users: Vec<UserId> = (0..rounds)
        .map(|_| UserId(pick.random_range(1..=members as u64)))
        .collect();
    let next = timed(rounds, || {
        let user = users.pop().unwrap_or(UserId(1));
        let (study, filter) = (&study, &filter);
        async move { Ok(study.next_review(GuildId(1), user, filter, now).await?) }
    })
    .await?;
    let due = timed(rounds, || {
        let user = UserId(pick.random_range(1..=members as u64));
        let store = &store;
        async move { Ok(store.due_cards(GuildId(1), user, now, 32).await?) }
    })
    .await?;
    println!(
        "| {name} | {:.1} s | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
        load.as_secs_f64(),
        ms(pct(&next, 50.0)),
        ms(pct(&next, 99.0)),
        ms(pct(&due, 50.0)),
        ms(pct(&due, 99.0)),
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
            .map(|u| (UserId(u), RoleId(900 + u % 50)))
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
