//! Purpose: drawing a mock exam to an exam guide's domain weights, and reporting whether a
//! question pool can fill one or two full-length exams.
//!
//! Takes the pool as plain `(question id, domain id)` pairs and randomness as an argument; knows
//! nothing of how the bank is loaded.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rand::Rng;
use rand::seq::SliceRandom;

use super::ExamGuide;

/// A domain that has too few questions for the exam asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    pub domain_id: String,
    pub domain_name: String,
    /// Distinct questions the pool holds for the domain.
    pub have: usize,
    /// Questions the exam needs from the domain.
    pub need: usize,
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) has {}, needs {}",
            self.domain_name, self.domain_id, self.have, self.need
        )
    }
}

/// Why an exam could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("an exam needs at least one question")]
    NoQuestions,
    #[error(
        "not enough {exam} questions for a {questions}-question exam: {}",
        short.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    NotEnough {
        exam: String,
        questions: usize,
        /// Every domain that lacks questions, in the guide's order.
        short: Vec<Shortfall>,
    },
}

/// Distinct question ids per domain id, sorted, so a draw depends only on the pool's contents
/// and the random generator, not on the order the bank was loaded in.
fn by_domain<Q: AsRef<str>, D: AsRef<str>>(pool: &[(Q, D)]) -> BTreeMap<&str, Vec<&str>> {
    let mut sets: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (q, d) in pool {
        sets.entry(d.as_ref()).or_default().insert(q.as_ref());
    }
    sets.into_iter()
        .map(|(d, qs)| (d, qs.into_iter().collect()))
        .collect()
}

/// Draws an `n`-question exam: for each domain, [`ExamGuide::quotas`] questions picked at
/// random without repeats from the pool's questions of that domain, then the whole exam
/// shuffled. A question listed twice in the pool counts once; pool entries whose domain is not
/// one of the guide's are ignored. Fails naming every domain that lacks questions.
pub fn draw<Q, D, R>(
    guide: &ExamGuide,
    pool: &[(Q, D)],
    n: usize,
    rng: &mut R,
) -> Result<Vec<String>, DrawError>
where
    Q: AsRef<str>,
    D: AsRef<str>,
    R: Rng + ?Sized,
{
    if n == 0 {
        return Err(DrawError::NoQuestions);
    }
    let mut groups = by_domain(pool);
    let quotas = guide.quotas(n);
    let short: Vec<Shortfall> = quotas
        .iter()
        .filter_map(|&(d, need)| {
            let have = groups.get(d.id.as_str()).map_or(0, Vec::len);
            (have < need).then(|| Shortfall {
                domain_id: d.id.clone(),
                domain_name: d.name.clone(),
                have,
                need,
            })
        })
        .collect();
    if !short.is_empty() {
        return Err(DrawError::NotEnough {
            exam: guide.code.clone(),
            questions: n,
            short,
        });
    }
    let mut exam: Vec<String> = Vec::with_capacity(n);
    for (d, need) in quotas {
        if need == 0 {
            continue;
        }
        if let Some(candidates) = groups.get_mut(d.id.as_str()) {
            let (picked, _) = candidates.partial_shuffle(rng, need);
            exam.extend(picked.iter().map(|q| q.to_string()));
        }
    }
    exam.shuffle(rng);
    Ok(exam)
}

/// How well a pool covers one domain of an exam.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DomainCoverage {
    pub domain_id: String,
    pub domain_name: String,
    /// Distinct questions the pool holds for the domain.
    pub have: usize,
    /// Questions one full-length exam needs from the domain.
    pub need_one: usize,
    /// Questions two full-length exams with no question in common need from the domain.
    pub need_two: usize,
}

impl DomainCoverage {
    /// Questions still missing for one full-length exam.
    pub fn missing_for_one(&self) -> usize {
        self.need_one.saturating_sub(self.have)
    }

    /// Questions still missing for two disjoint full-length exams.
    pub fn missing_for_two(&self) -> usize {
        self.need_two.saturating_sub(self.have)
    }
}

/// Per domain of the guide (in its order): what the pool has against what one and two disjoint
/// full-length exams (`guide.questions` each) need, for `studybot check` to report.
pub fn coverage<Q: AsRef<str>, D: AsRef<str>>(
    guide: &ExamGuide,
    pool: &[(Q, D)],
) -> Vec<DomainCoverage> {
    let groups = by_domain(pool);
    guide
        .quotas(guide.questions)
        .into_iter()
        .map(|(d, need)| DomainCoverage {
            domain_id: d.id.clone(),
            domain_name: d.name.clone(),
            have: groups.get(d.id.as_str()).map_or(0, Vec::len),
            need_one: need,
            need_two: 2 * need,
        })
        .collect()
}
