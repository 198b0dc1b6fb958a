//! Purpose: grading a mock-exam session against its answer key: score on AWS's 100–1,000 scale,
//! pass or fail, the per-domain breakdown and the missed questions.
//!
//! The key comes from the caller (the questions as the exam showed them), so a result never
//! depends on today's bank; knows nothing of SQL or Discord.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{ExamGuide, Session};

/// The answer to one question of a session: its domain in this exam and its correct picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerKey {
    pub question_id: String,
    pub domain_id: String,
    /// The correct choices (0-based), any order.
    pub correct: Vec<usize>,
}

/// One domain's part of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainResult {
    pub id: String,
    pub name: String,
    pub weight: u32,
    pub correct: usize,
    pub total: usize,
    /// `100 × correct / total`; `None` when the exam had no question of this domain.
    pub percent: Option<f64>,
}

/// A graded exam.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamResult {
    pub exam: String,
    pub correct: usize,
    pub total: usize,
    /// On AWS's 100–1,000 scale; see [`scaled_score`].
    pub score: u32,
    pub passing_score: u32,
    pub passed: bool,
    /// Every domain of the guide, in its order.
    pub domains: Vec<DomainResult>,
    /// Questions answered wrongly or not at all, in exam order.
    pub missed: Vec<String>,
    /// The unanswered ones among `missed`, in exam order.
    pub unanswered: Vec<String>,
}

/// Why a session could not be graded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradeError {
    #[error("the session is a {session} exam, not {guide}")]
    WrongExam { session: String, guide: String },
    #[error("no answer key for question(s) {}", .0.join(", "))]
    MissingKeys(Vec<String>),
    #[error("question {question_id} is in domain {domain_id:?}, which {exam} does not have")]
    UnknownDomain {
        question_id: String,
        domain_id: String,
        exam: String,
    },
}

/// The score on AWS's 100–1,000 scale for `correct` of `total`: linear in the fraction
/// correct, `100 + 900 × correct / total`, rounded to the nearest point (0 of 65 → 100,
/// 46 of 65 → 737, 65 of 65 → 1,000). AWS's real scaling is equated per exam form and not
/// published; this linear map is the stated approximation.
pub fn scaled_score(correct: usize, total: usize) -> u32 {
    if total == 0 {
        return 100;
    }
    scaled_from_fraction(correct.min(total) as f64 / total as f64)
}

/// A fraction correct (0 to 1) on the 100–1,000 scale: `100 + 900 × fraction`, rounded.
pub fn scaled_from_fraction(fraction: f64) -> u32 {
    (100.0 + 900.0 * fraction.clamp(0.0, 1.0)).round() as u32
}

/// Grades `session` (submitted or not; unanswered questions count as wrong). A question is
/// correct when its picks are exactly its correct choices, as on the real exam (no partial
/// credit for "choose N"). `keys` may hold more questions than the session; each of the
/// session's must have one.
pub fn grade(
    guide: &ExamGuide,
    session: &Session,
    keys: &[AnswerKey],
) -> Result<ExamResult, GradeError> {
    if !session.exam().eq_ignore_ascii_case(&guide.code) {
        return Err(GradeError::WrongExam {
            session: session.exam().to_string(),
            guide: guide.code.clone(),
        });
    }
    let by_id: HashMap<&str, &AnswerKey> =
        keys.iter().map(|k| (k.question_id.as_str(), k)).collect();
    let missing: Vec<String> = session
        .question_ids()
        .filter(|id| !by_id.contains_key(id))
        .map(str::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(GradeError::MissingKeys(missing));
    }
    let mut domains: Vec<DomainResult> = guide
        .domains
        .iter()
        .map(|d| DomainResult {
            id: d.id.clone(),
            name: d.name.clone(),
            weight: d.weight,
            correct: 0,
            total: 0,
            percent: None,
        })
        .collect();
    let mut correct = 0;
    let mut missed = Vec::new();
    let mut unanswered = Vec::new();
    for q in session.questions() {
        let Some(key) = by_id.get(q.id.as_str()) else {
            continue;
        };
        let Some(domain) = domains.iter_mut().find(|d| d.id == key.domain_id) else {
            return Err(GradeError::UnknownDomain {
                question_id: q.id.clone(),
                domain_id: key.domain_id.clone(),
                exam: guide.code.clone(),
            });
        };
        let mut right = key.correct.clone();
        right.sort_unstable();
        right.dedup();
        domain.total += 1;
        if !q.picks.is_empty() && q.picks == right {
            domain.correct += 1;
            correct += 1;
        } else {
            missed.push(q.id.clone());
            if !q.is_answered() {
                unanswered.push(q.id.clone());
            }
        }
    }
    for d in &mut domains {
        if d.total > 0 {
            d.percent = Some(100.0 * d.correct as f64 / d.total as f64);
        }
    }
    let total = session.len();
    let score = scaled_score(correct, total);
    Ok(ExamResult {
        exam: guide.code.clone(),
        correct,
        total,
        score,
        passing_score: guide.passing_score,
        passed: score >= guide.passing_score,
        domains,
        missed,
        unanswered,
    })
}
