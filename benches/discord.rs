//! Interaction → reply latency of the real bot against the fake Discord on loopback:
//! `cargo bench --bench discord`. For each interaction the clock starts when the fake sends
//! INTERACTION_CREATE down the gateway and stops when the bot's reply reaches the fake's
//! callback route. Peers in the same run: `/help` (the same path with no search behind it) and
//! the bare search call, so the figures say what Discord plumbing and search each cost.
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/fake_discord.rs"]
mod fake_discord;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use studybot::config::{Secret, Settings};
use studybot::discord::Options;
use studybot::search::SearchOptions;

use fake_discord::{FakeConfig, FakeDiscord, FakeUser};

const QUERIES: [&str; 16] = [
    "kinesis fanout",
    "sqs visibility timeout",
    "dynamodb gsi",
    "s3 lifecycle glacier",
    "lambda cold start",
    "kinesys shards",
    "vpc endpoint gateway",
    "iam role trust policy",
    "cloudfront origin access",
    "step functions express",
    "rds read replica",
    "ecs task role",
    "sns fifo",
    "route 53 failover",
    "ebs snapshot",
    "api gateway throttling",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Figures {
    p50: Duration,
    p99: Duration,
}

fn figures(mut v: Vec<Duration>) -> Figures {
    v.sort();
    Figures {
        p50: percentile(&v, 0.5),
        p99: percentile(&v, 0.99),
    }
}

async fn one(fake: &FakeDiscord, event: Value) -> Duration {
    let id = fake_discord::interaction_id(&event);
    let sent = Instant::now();
    fake.dispatch("INTERACTION_CREATE", event).await.unwrap();
    let reply = fake
        .wait_for_request(
            "POST",
            &format!("/api/v10/interactions/{id}/*/callback"),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 204);
    reply.at.saturating_duration_since(sent)
}

fn ask(fake: &FakeDiscord, guild: u64, channel: u64, user: &FakeUser, q: &str) -> Value {
    fake_discord::slash_command(
        &fake.ids(),
        guild,
        channel,
        user,
        "ask",
        json!([{"name": "query", "type": 3, "value": q}]),
    )
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let n: usize = std::env::var("BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let config = FakeConfig::simple();
    let (guild, channel) = (config.guild_id(), config.channel_id());
    let fake = FakeDiscord::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        content_dir: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content"),
        discord_token: Some(Secret::new("test-token")),
        command_guild: Some(guild),
        discord_api_url: Some(fake.api_base()),
        ..Settings::default()
    };
    let bot = studybot::discord::start(&settings, Options::default())
        .await
        .unwrap();
    fake.wait_for_request(
        "PUT",
        "/api/v10/applications/*/guilds/*/commands",
        Duration::from_secs(30),
    )
    .await
    .unwrap();
    let user = FakeUser::new(700, "bench");

    // Warm up: caches, connections, the allocator.
    for q in QUERIES {
        one(&fake, ask(&fake, guild, channel, &user, q)).await;
    }

    let mut asks = Vec::with_capacity(n);
    let mut helps = Vec::with_capacity(n);
    let mut searches = Vec::with_capacity(n);
    let content = bot.app().study.content();
    let index = &content.index;
    // Interleaved, so noise on the shared machine hits all three alike.
    for i in 0..n {
        let q = QUERIES[i % QUERIES.len()];
        asks.push(one(&fake, ask(&fake, guild, channel, &user, q)).await);
        let help =
            fake_discord::slash_command(&fake.ids(), guild, channel, &user, "help", json!([]));
        helps.push(one(&fake, help).await);
        let started = Instant::now();
        let r = index
            .search(
                q,
                &SearchOptions {
                    limit: 6,
                    topic: None,
                },
            )
            .unwrap();
        searches.push(started.elapsed());
        std::hint::black_box(r);
    }

    // Growth with load: 16 interactions in flight at once.
    let concurrent = 16;
    let started = Instant::now();
    let mut in_flight = Vec::new();
    let mut loaded = Vec::with_capacity(n);
    for i in 0..n {
        let fake = fake.clone();
        let event = ask(&fake, guild, channel, &user, QUERIES[i % QUERIES.len()]);
        in_flight.push(tokio::spawn(async move { one(&fake, event).await }));
        if in_flight.len() == concurrent {
            for t in in_flight.drain(..) {
                loaded.push(t.await.unwrap());
            }
        }
    }
    for t in in_flight.drain(..) {
        loaded.push(t.await.unwrap());
    }
    let throughput = n as f64 / started.elapsed().as_secs_f64();

    let (a, h, s, l) = (
        figures(asks),
        figures(helps),
        figures(searches),
        figures(loaded),
    );
    println!("interaction → reply at the fake, {n} each, interleaved (release build, SQLite)");
    println!("| | p50 | p99 |");
    println!("|---|---|---|");
    println!("| `/ask` | {:.2} ms | {:.2} ms |", ms(a.p50), ms(a.p99));
    println!(
        "| `/help` (no search) | {:.2} ms | {:.2} ms |",
        ms(h.p50),
        ms(h.p99)
    );
    println!(
        "| search alone (same queries) | {:.2} ms | {:.2} ms |",
        ms(s.p50),
        ms(s.p99)
    );
    println!(
        "| `/ask`, {concurrent} in flight | {:.2} ms | {:.2} ms |",
        ms(l.p50),
        ms(l.p99)
    );
    println!(
        "ratios: /ask ÷ /help p50 {:.2}; search share of /ask p50 {:.0}%; {concurrent} in flight: {throughput:.0} /ask per second",
        ms(a.p50) / ms(h.p50),
        100.0 * ms(s.p50) / ms(a.p50)
    );
    bot.stop().await.unwrap();
    fake.shutdown().await;
}
