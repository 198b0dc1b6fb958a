//! Chart rendering time: the `/stats` progress picture, an exam result and the points lines,
//! each rendered 50 times with realistic data; medians and p95 per chart, and how the
//! progress picture grows with the number of topics.
//!
//! `cargo bench --bench charts`

use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate};
use studybot::charts::{
    self, DomainReadiness, DomainScore, ExamResultData, PointsData, PointsSeries, ProgressData,
    TopicStat,
};

const ROUNDS: usize = 50;

fn main() -> anyhow::Result<()> {
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default();
    println!("## Chart rendering ({ROUNDS} renders each, release build)\n");
    println!("| chart | size | PNG bytes | median | p95 |");
    println!("|---|---|---|---|---|");
    for topics in [4, 12] {
        let data = progress(topics, today);
        let (chart, t) = time(|| charts::render_progress(&data))?;
        row(
            &format!("progress, {topics} topics, 12-week heatmap, 6 domains"),
            &chart,
            &t,
        );
    }
    let exam = ExamResultData {
        title: "DVA-C02 mock exam · 737/1000 · pass".into(),
        domains: ["Development", "Security", "Deployment", "Troubleshooting"]
            .iter()
            .zip([(15, 21), (12, 17), (10, 15), (9, 12)])
            .map(|(d, (c, a))| DomainScore {
                domain: (*d).into(),
                correct: c,
                answered: a,
            })
            .collect(),
        passing_percent: 68.9,
    };
    let (chart, t) = time(|| charts::render_exam_result(&exam))?;
    row("exam result, 4 domains", &chart, &t);
    let points = PointsData {
        title: "Top 5 · this month".into(),
        from: today - Days::days(30),
        to: today,
        series: (0..5)
            .map(|s| PointsSeries {
                label: format!("member {s}"),
                daily: (0..31)
                    .map(|d| (today - Days::days(d), (d * (s + 1)) % 7))
                    .collect(),
            })
            .collect(),
    };
    let (chart, t) = time(|| charts::render_points_lines(&points))?;
    row("points lines, 5 members, 31 days", &chart, &t);
    Ok(())
}

fn progress(topics: usize, today: NaiveDate) -> ProgressData {
    ProgressData {
        title: "Progress · alice".into(),
        topics: (0..topics)
            .map(|i| TopicStat {
                topic: format!("topic-{i}"),
                answered: 5 + i as u32,
                accuracy: (i as f64 * 0.07) % 1.0,
                recall: Some((0.5 + i as f64 * 0.03) % 1.0),
            })
            .collect(),
        days: (0..84)
            .map(|d| (today - Days::days(d), (d % 5) as u32))
            .collect(),
        today,
        readiness: (0..6)
            .map(|d| DomainReadiness {
                exam: if d < 4 { "DVA-C02" } else { "SAA-C03" }.into(),
                domain: format!("Domain {d}"),
                readiness: 0.5 + d as f64 * 0.05,
                low: 0.3,
                high: 0.8,
            })
            .collect(),
    }
}

fn time<F, T>(mut f: F) -> anyhow::Result<(charts::Chart<T>, Vec<Duration>)>
where
    F: FnMut() -> Result<charts::Chart<T>, charts::ChartError>,
{
    let mut times = Vec::with_capacity(ROUNDS);
    let mut last = None;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let chart = f()?;
        times.push(t.elapsed());
        last = Some(chart);
    }
    times.sort();
    Ok((last.ok_or_else(|| anyhow::anyhow!("no render"))?, times))
}

fn row<T>(name: &str, chart: &charts::Chart<T>, t: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {name} | {}×{} | {} | {:.1} ms | {:.1} ms |",
        chart.width,
        chart.height,
        chart.png.len(),
        ms(t[t.len() / 2]),
        ms(t[(t.len() * 95 / 100).min(t.len() - 1)])
    );
}
