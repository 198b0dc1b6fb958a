//! Purpose: members report a question (wrong answer, unclear, typo, other) with the text they
//! saw; admins list a server's open reports and resolve or dismiss them; a question reported by
//! several members leaves the server's daily and quiz rotation until then; the content
//! maintainers export every report.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{ServiceError, Study, UserError};
use crate::ids::{GuildId, PostId, UserId};
use crate::quiz::Question;
use crate::schedule::WITHHOLD_AFTER_REPORTERS;
use crate::store::{NewReport, Report, StoreError};

/// Reports a member may make in a server per day (the server's local day).
pub const REPORTS_PER_DAY: i64 = 5;
/// The longest details a report keeps.
pub const MAX_DETAILS: usize = 500;

/// Why a question is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportReason {
    WrongAnswer,
    Unclear,
    Typo,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 4] = [
        ReportReason::WrongAnswer,
        ReportReason::Unclear,
        ReportReason::Typo,
        ReportReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::WrongAnswer => "wrong-answer",
            ReportReason::Unclear => "unclear",
            ReportReason::Typo => "typo",
            ReportReason::Other => "other",
        }
    }

    /// As a member reads it.
    pub fn label(self) -> &'static str {
        match self {
            ReportReason::WrongAnswer => "wrong answer",
            ReportReason::Unclear => "unclear",
            ReportReason::Typo => "typo",
            ReportReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ReportReason> {
        ReportReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.label() == s)
    }
}

/// What happened to a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub question_id: String,
    /// The question is now out of this server's rotation (reported by enough members).
    pub withheld: bool,
}

/// The open reports of one question in a server, for `/reports`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedQuestion {
    pub question_id: String,
    /// Different members who reported it.
    pub members: usize,
    /// How many reports gave each reason.
    pub reasons: BTreeMap<String, usize>,
    /// The details members wrote, oldest first.
    pub details: Vec<String>,
    /// The text the latest reporter saw.
    pub shown: String,
    pub first_at: DateTime<Utc>,
    /// Out of the server's rotation until resolved or dismissed.
    pub withheld: bool,
}

/// The text of a question as a member saw it: prompt, lettered choices and the answer.
pub fn shown_text(q: &Question) -> String {
    let mut s = format!("{}\n", q.prompt);
    for (i, c) in q.choices.iter().enumerate() {
        s.push_str(&format!("{}. {c}\n", crate::quiz::letter(i)));
    }
    s.push_str(&format!("Answer: {}", q.answer.letters()));
    s
}

impl Study {
    /// Records a member's report of a question, from a post they saw (its text as shown) or by
    /// id (the bank's text). At most [`REPORTS_PER_DAY`] a day per member and server.
    #[allow(clippy::too_many_arguments)]
    pub async fn report_question(
        &self,
        guild: GuildId,
        user: UserId,
        question: Option<&str>,
        post: Option<PostId>,
        reason: ReportReason,
        details: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Reported, ServiceError> {
        let details = details.map(str::trim).filter(|d| !d.is_empty());
        if details.is_some_and(|d| d.chars().count() > MAX_DETAILS) {
            return Err(UserError::ReportTooLong(MAX_DETAILS).into());
        }
        let shown = match post {
            Some(p) => {
                let stored = self
                    .store
                    .post(guild, p)
                    .await?
                    .ok_or(UserError::UnknownPost)?;
                stored
                    .shown
                    .as_deref()
                    .and_then(Question::from_shown_json)
                    .or_else(|| self.content().bank.get(&stored.question_id).cloned())
                    .ok_or(UserError::UnknownQuestion)?
            }
            None => {
                let id = question.ok_or(UserError::UnknownQuestion)?;
                self.content()
                    .bank
                    .get(id.trim())
                    .cloned()
                    .ok_or_else(|| UserError::NoSuchQuestion(id.trim().to_string()))?
            }
        };
        let zone = self.guild_zone(guild).await?;
        let local = now.with_timezone(&zone);
        let midnight = local
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map_or(now - chrono::Duration::hours(24), |t| t.with_timezone(&Utc));
        let report = NewReport {
            guild,
            user,
            question_id: shown.id.clone(),
            reason: reason.as_str().to_string(),
            details: details.map(str::to_string),
            shown: shown_text(&shown),
            post,
            at: now,
        };
        if self
            .store
            .add_report(&report, midnight, REPORTS_PER_DAY)
            .await?
            .is_none()
        {
            return Err(UserError::ReportLimit(REPORTS_PER_DAY).into());
        }
        let withheld = self
            .store
            .withheld_questions(guild, WITHHOLD_AFTER_REPORTERS)
            .await?
            .contains(&shown.id);
        Ok(Reported {
            question_id: shown.id,
            withheld,
        })
    }

    /// A server's open reports, one entry per question, most reported first.
    pub async fn open_reports(&self, guild: GuildId) -> Result<Vec<ReportedQuestion>, StoreError> {
        let reports = self.store.open_reports(guild).await?;
        let mut by_question: BTreeMap<String, Vec<Report>> = BTreeMap::new();
        for r in reports {
            by_question
                .entry(r.question_id.clone())
                .or_default()
                .push(r);
        }
        let mut out: Vec<ReportedQuestion> = by_question
            .into_iter()
            .map(|(question_id, list)| {
                let mut members: Vec<UserId> = list.iter().map(|r| r.user).collect();
                members.sort_unstable();
                members.dedup();
                let mut reasons = BTreeMap::new();
                for r in &list {
                    *reasons.entry(r.reason.clone()).or_default() += 1;
                }
                let members = members.len();
                ReportedQuestion {
                    question_id,
                    members,
                    reasons,
                    details: list.iter().filter_map(|r| r.details.clone()).collect(),
                    shown: list.last().map(|r| r.shown.clone()).unwrap_or_default(),
                    first_at: list.first().map(|r| r.at).unwrap_or_default(),
                    withheld: members as i64 >= WITHHOLD_AFTER_REPORTERS,
                }
            })
            .collect();
        out.sort_by(|a, b| b.members.cmp(&a.members).then(a.first_at.cmp(&b.first_at)));
        Ok(out)
    }

    /// An admin closes a question's open reports: `resolve` (fixed) or dismiss; either way the
    /// question returns to the server's rotation.
    pub async fn close_reports(
        &self,
        guild: GuildId,
        question: &str,
        resolve: bool,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<u64, ServiceError> {
        let state = if resolve { "resolved" } else { "dismissed" };
        match self
            .store
            .close_reports(guild, question, state, by, now)
            .await?
        {
            0 => Err(UserError::NoOpenReports(question.to_string()).into()),
            n => Ok(n),
        }
    }

    /// Every report of every server, for the content maintainers.
    pub async fn all_reports(&self) -> Result<Vec<Report>, StoreError> {
        self.store.all_reports().await
    }
}
