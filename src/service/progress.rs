//! Purpose: pictures of progress. Gathers a member's figures (accuracy and predicted recall
//! per topic from their review cards, answers per day from the review log, readiness per exam
//! domain), a mock exam's result per domain, and the points of a leaderboard's top 5 over the
//! period, and renders them with `crate::charts` off the async workers.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::{ServiceError, Study};
use crate::charts::{self, ChartError};
use crate::exam::ExamResult;
use crate::ids::{GuildId, UserId};
use crate::review::CardState;
use crate::scores::Period;
use crate::store::{PostKind, StoreError};

/// Whose points a line of the points picture shows.
pub use crate::scores::PointsOf as SeriesOf;

/// A rendered picture, or `None` when there was nothing to draw (say so in words instead).
pub type Picture = Option<Vec<u8>>;

async fn off_workers<T: Send + 'static>(
    f: impl FnOnce() -> Result<charts::Chart<T>, ChartError> + Send + 'static,
) -> Result<Picture, ServiceError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(chart)) => Ok(Some(chart.png)),
        Ok(Err(ChartError::NoData(_))) => Ok(None),
        Ok(Err(e)) => Err(ServiceError::Internal(format!(
            "drawing a chart failed: {e}"
        ))),
        Err(e) => Err(ServiceError::Internal(format!(
            "drawing a chart panicked: {e}"
        ))),
    }
}

impl Study {
    /// What a member's progress picture shows.
    pub async fn progress(
        &self,
        guild: GuildId,
        user: UserId,
        title: &str,
        now: DateTime<Utc>,
    ) -> Result<charts::ProgressData, StoreError> {
        let zone = self.guild_zone(guild).await?;
        let memory = self.review_scheduler(guild).await?;
        let cards = self.store.cards(guild, user).await?;
        let mut topics: BTreeMap<String, (u32, u32, f64, u32)> = BTreeMap::new();
        for c in &cards {
            let t = topics.entry(c.topic.clone()).or_default();
            t.0 += u32::try_from(c.answered).unwrap_or(0);
            t.1 += u32::try_from(c.correct).unwrap_or(0);
            if let Ok(state) = CardState::from_columns(c.state.clone()) {
                t.2 += memory.retrievability(&state, now);
                t.3 += 1;
            }
        }
        let topics = topics
            .into_iter()
            .filter(|(_, t)| t.0 > 0)
            .map(
                |(topic, (answered, correct, recall, n))| charts::TopicStat {
                    topic,
                    answered,
                    accuracy: f64::from(correct) / f64::from(answered),
                    recall: (n > 0).then(|| recall / f64::from(n)),
                },
            )
            .collect();
        let mut days: BTreeMap<NaiveDate, u32> = BTreeMap::new();
        for t in self.store.review_times(guild, user).await? {
            *days.entry(t.with_timezone(&zone).date_naive()).or_default() += 1;
        }
        let readiness = self
            .readiness(guild, user)
            .await?
            .into_iter()
            .flat_map(|r| {
                // Domains with no answer yet would only show the prior (50%, 5–95%).
                r.domains.into_iter().filter(|d| d.total > 0).map(move |d| {
                    charts::DomainReadiness {
                        exam: r.exam.clone(),
                        domain: d.name,
                        readiness: d.estimate,
                        low: d.low,
                        high: d.high,
                    }
                })
            })
            .collect();
        Ok(charts::ProgressData {
            title: title.to_string(),
            topics,
            days: days.into_iter().collect(),
            today: now.with_timezone(&zone).date_naive(),
            readiness,
        })
    }

    /// A member's progress picture (PNG), or `None` before their first answer.
    pub async fn progress_picture(
        &self,
        guild: GuildId,
        user: UserId,
        title: &str,
        now: DateTime<Utc>,
    ) -> Result<Picture, ServiceError> {
        let data = self.progress(guild, user, title, now).await?;
        off_workers(move || charts::render_progress(&data)).await
    }

    /// A mock exam's result per domain against the passing mark (PNG).
    pub async fn exam_picture(&self, result: &ExamResult) -> Result<Picture, ServiceError> {
        let data = charts::ExamResultData {
            title: format!(
                "{} mock exam · {}/1000 · {}",
                result.exam,
                result.score,
                if result.passed { "pass" } else { "not yet" }
            ),
            domains: result
                .domains
                .iter()
                .map(|d| charts::DomainScore {
                    domain: d.name.clone(),
                    correct: u32::try_from(d.correct).unwrap_or(0),
                    answered: u32::try_from(d.total).unwrap_or(0),
                })
                .collect(),
            passing_percent: 100.0 * (f64::from(result.passing_score) - 100.0) / 900.0,
        };
        off_workers(move || charts::render_exam_result(&data)).await
    }

    /// Points per day of the top 5 of a leaderboard over the period containing `now` (PNG),
    /// each line labelled as the picture should show it.
    pub async fn points_picture(
        &self,
        guild: GuildId,
        period: Period,
        kind: Option<PostKind>,
        series: Vec<(String, SeriesOf)>,
        title: &str,
        now: DateTime<Utc>,
    ) -> Result<Picture, ServiceError> {
        let zone = self.guild_zone(guild).await?;
        let today = now.with_timezone(&zone).date_naive();
        let from = match period {
            Period::Week => {
                today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
            }
            Period::Month => today.with_day0(0).unwrap_or(today),
            // All time: the last 90 days, which a picture can still show day by day.
            Period::AllTime => today - Duration::days(89),
        };
        let since = from
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map_or(now - Duration::days(90), |t| t.with_timezone(&Utc));
        let mut out = Vec::new();
        for (label, of) in series.into_iter().take(charts::MAX_SERIES) {
            let mut daily: BTreeMap<NaiveDate, i64> = BTreeMap::new();
            let earned = self.store.points_earned(guild, of, since, kind).await?;
            for (at, points) in earned {
                *daily
                    .entry(at.with_timezone(&zone).date_naive())
                    .or_default() += points;
            }
            out.push(charts::PointsSeries {
                label,
                daily: daily.into_iter().collect(),
            });
        }
        let data = charts::PointsData {
            title: title.to_string(),
            from,
            to: today,
            series: out,
        };
        off_workers(move || charts::render_points_lines(&data)).await
    }
}
