//! Purpose: what an operator scrapes: counters and histograms in Prometheus' text format
//! ([`Metrics`]), and a tiny HTTP server for `/healthz` and `/metrics` on a local address.
//! Knows nothing of Discord: the bot feeds the counters and supplies the health check.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

/// Latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5,
];

/// A latency histogram with fixed buckets.
#[derive(Debug, Default)]
struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// Sum in microseconds.
    sum_us: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if s <= *b {
                self.counts[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(
            u64::try_from(d.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{b}\"}} {}",
                self.counts[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}

/// The bot's counters. Cheap to update from any task.
#[derive(Debug, Default)]
pub struct Metrics {
    interactions: Mutex<BTreeMap<(String, &'static str), u64>>,
    interaction_latency: Histogram,
    posts: Mutex<BTreeMap<&'static str, u64>>,
    answers: AtomicU64,
    /// The last daily question's delay after its due time, in milliseconds.
    scheduler_lag_ms: AtomicU64,
    search_latency: Histogram,
}

/// How an interaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Refused with a message to the user (a bad time, a missing permission…).
    UserError,
    /// Failed on our side.
    Error,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::UserError => "user_error",
            Outcome::Error => "error",
        }
    }
}

impl Metrics {
    /// One command or click answered, and how long it took.
    pub fn interaction(&self, command: &str, outcome: Outcome, took: Duration) {
        *self
            .interactions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((command.to_string(), outcome.as_str()))
            .or_default() += 1;
        self.interaction_latency.observe(took);
    }

    /// A daily question posted (`ok`) or refused (`forbidden`, `not_found`, `rate_limited`,
    /// `unavailable`).
    pub fn post(&self, result: &'static str) {
        *self
            .posts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(result)
            .or_default() += 1;
    }

    pub fn answer_recorded(&self) {
        self.answers.fetch_add(1, Ordering::Relaxed);
    }

    /// How late a daily question went out after its due time.
    pub fn scheduler_lag(&self, lag: Duration) {
        self.scheduler_lag_ms.store(
            u64::try_from(lag.as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    pub fn search(&self, took: Duration) {
        self.search_latency.observe(took);
    }

    /// Everything, in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP studybot_interactions_total Slash commands and clicks answered, by command and outcome.\n# TYPE studybot_interactions_total counter\n");
        for ((command, outcome), n) in self
            .interactions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let command = command.replace(['"', '\\', '\n'], "_");
            let _ = writeln!(
                out,
                "studybot_interactions_total{{command=\"{command}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        self.interaction_latency.render(
            &mut out,
            "studybot_interaction_seconds",
            "Time from receiving an interaction to having answered it.",
        );
        out.push_str("# HELP studybot_daily_posts_total Daily questions sent, by result.\n# TYPE studybot_daily_posts_total counter\n");
        for (result, n) in self.posts.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "studybot_daily_posts_total{{result=\"{result}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP studybot_answers_recorded_total Answers recorded (daily questions and quizzes).\n# TYPE studybot_answers_recorded_total counter\nstudybot_answers_recorded_total {}",
            self.answers.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP studybot_scheduler_lag_seconds How late the last daily question went out after its due time.\n# TYPE studybot_scheduler_lag_seconds gauge\nstudybot_scheduler_lag_seconds {}",
            self.scheduler_lag_ms.load(Ordering::Relaxed) as f64 / 1e3
        );
        self.search_latency.render(
            &mut out,
            "studybot_search_seconds",
            "Time of one notes search.",
        );
        out
    }
}

/// Answers `Ok(())` when ready, or why not.
pub type HealthCheck =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// Binds `addr` and serves `/healthz` and `/metrics` until `stop`; returns the bound address
/// (useful with port 0).
pub async fn serve(
    addr: SocketAddr,
    metrics: Arc<Metrics>,
    health: HealthCheck,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                changed = stop.changed() => {
                    if changed.is_err() || *stop.borrow() { break }
                    continue;
                }
            };
            let Ok((stream, _)) = accepted else {
                continue;
            };
            let (metrics, health) = (Arc::clone(&metrics), Arc::clone(&health));
            tokio::spawn(async move {
                if let Err(e) = answer(stream, &metrics, &health).await {
                    tracing::debug!(error = %e, "metrics request failed");
                }
            });
        }
    });
    Ok((bound, task))
}

async fn answer(
    mut stream: tokio::net::TcpStream,
    metrics: &Metrics,
    health: &HealthCheck,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 2048];
    let mut n = 0;
    // Only the request line matters; read until the headers end or the buffer is full.
    while n < buf.len() {
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf[n..]))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "slow client"))??;
        if read == 0 {
            break;
        }
        n += read;
        if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let head = String::from_utf8_lossy(&buf[..n]);
    let mut parts = head.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, kind, body) = match (method, path) {
        ("GET", "/metrics") => ("200 OK", "text/plain; version=0.0.4", metrics.render()),
        ("GET", "/healthz") => match health().await {
            Ok(()) => ("200 OK", "text/plain", "ok\n".to_string()),
            Err(why) => (
                "503 Service Unavailable",
                "text/plain",
                format!("not ready: {why}\n"),
            ),
        },
        ("GET", _) => (
            "404 Not Found",
            "text/plain",
            "try /healthz or /metrics\n".into(),
        ),
        _ => ("405 Method Not Allowed", "text/plain", String::new()),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_in_prometheus_text() {
        let m = Metrics::default();
        m.interaction("ask", Outcome::Ok, Duration::from_millis(3));
        m.interaction("ask", Outcome::Ok, Duration::from_millis(30));
        m.interaction("daily set", Outcome::UserError, Duration::from_millis(1));
        m.post("ok");
        m.post("forbidden");
        m.answer_recorded();
        m.scheduler_lag(Duration::from_millis(1500));
        let text = m.render();
        for line in [
            "studybot_interactions_total{command=\"ask\",outcome=\"ok\"} 2",
            "studybot_interactions_total{command=\"daily set\",outcome=\"user_error\"} 1",
            "studybot_interaction_seconds_bucket{le=\"0.005\"} 2",
            "studybot_interaction_seconds_bucket{le=\"+Inf\"} 3",
            "studybot_interaction_seconds_count 3",
            "studybot_daily_posts_total{result=\"forbidden\"} 1",
            "studybot_answers_recorded_total 1",
            "studybot_scheduler_lag_seconds 1.5",
            "studybot_search_seconds_count 0",
        ] {
            assert!(text.contains(line), "{line} missing in:\n{text}");
        }
    }
}
