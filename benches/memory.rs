//! Memory of the serving process: `studybot serve` (the release binary) against the fake
//! Discord on loopback, with many servers and members in its cache. `cargo bench --bench memory`
//! (env: `BENCH_GUILDS`, default 1000; `BENCH_MEMBERS` per server, default 100).
//!
//! The bot asks Discord only for the GUILDS intent, so real Discord sends each server with the
//! bot's own member only; the fake sends `BENCH_MEMBERS` more per server, as Discord would with
//! the members intent, to show what members would cost. Peers in the same run: one server, and
//! the same servers without members. The figure is read once the bot has answered an
//! interaction sent after every GUILD_CREATE (the gateway is read in order, so by then every
//! server is in the cache).
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/fake_discord.rs"]
mod fake_discord;

use std::time::Duration;

use fake_discord::{FakeChannel, FakeConfig, FakeDiscord, FakeGuild, FakeUser};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(120);

fn env_num(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// VmRSS and VmHWM of a process, in MB.
fn rss(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn measure(guilds: u64, members: u64) -> (f64, f64) {
    let mut config = FakeConfig::simple();
    let first = config.guild_id();
    config.guilds = (0..guilds)
        .map(|i| {
            let id = first + i * 1_000_000;
            let mut g = FakeGuild::new(id, &format!("Study Group {i}"))
                .with_channel(FakeChannel::text(id + 10, "study"));
            g.extra_members = members;
            g
        })
        .collect();
    let (guild, channel) = (config.guild_id(), config.channel_id());
    let fake = FakeDiscord::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_studybot"))
        .arg("serve")
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", "test-token")
        .env("STUDYBOT_DISCORD_API_URL", fake.api_base())
        .env("STUDYBOT_COMMAND_GUILD", guild.to_string())
        .env(
            "STUDYBOT_CONTENT_DIR",
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content"),
        )
        .env(
            "STUDYBOT_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("bot.db").display()),
        )
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    fake.wait_ready(0, WAIT).await.unwrap();
    // An interaction after every GUILD_CREATE: once answered, every server was read.
    let user = FakeUser::new(700, "bench");
    let help = fake_discord::slash_command(&fake.ids(), guild, channel, &user, "help", json!([]));
    let id = fake_discord::interaction_id(&help);
    fake.dispatch("INTERACTION_CREATE", help).await.unwrap();
    fake.wait_for_request(
        "POST",
        &format!("/api/v10/interactions/{id}/*/callback"),
        WAIT,
    )
    .await
    .unwrap();
    let figures = rss(child.id());
    let _ = child.kill();
    let _ = child.wait();
    fake.shutdown().await;
    figures
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let guilds = env_num("BENCH_GUILDS", 1000);
    let members = env_num("BENCH_MEMBERS", 100);
    println!("RSS of `studybot serve` (release) after every server arrived, MB");
    println!("| servers | members per server | members in all | RSS | peak RSS |");
    println!("|---|---|---|---|---|");
    for (g, m) in [(1, 0), (guilds, 0), (guilds, members)] {
        let (now, peak) = runtime.block_on(measure(g, m));
        println!("| {g} | {m} | {} | {now:.1} | {peak:.1} |", g * m);
    }
}
