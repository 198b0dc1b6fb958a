//! Purpose: the readiness estimate for one exam from a member's answers per domain (method in
//! the parent module's docs), with the Beta sampling it needs.
//!
//! Deterministic: the Monte Carlo draws use a fixed seed. Knows nothing of SQL or Discord.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{ExamGuide, scaled_from_fraction};

/// Monte Carlo draws behind every estimate.
pub const READINESS_DRAWS: usize = 4_000;
/// The fixed seed of those draws, so the same answers always give the same estimate.
pub const READINESS_SEED: u64 = 0x5EED_0E7A_2026;
/// The interval's coverage: from the 5th to the 95th percentile.
pub const READINESS_INTERVAL: f64 = 0.90;

/// A member's answers in one domain of an exam (all of them: drills, dailies, mock exams).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainTally {
    pub domain_id: String,
    pub correct: u32,
    /// Answers in all; `correct` above `total` counts as `total`.
    pub total: u32,
}

/// The estimate for one domain: the fraction of its questions the member would get right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainReadiness {
    pub id: String,
    pub name: String,
    pub weight: u32,
    pub correct: u32,
    pub total: u32,
    /// Posterior mean `(1 + correct) / (2 + total)`.
    pub estimate: f64,
    /// 90% interval (5th and 95th percentile of the draws).
    pub low: f64,
    pub high: f64,
}

/// How ready a member is for one exam.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    pub exam: String,
    /// Answers counted (in the guide's domains).
    pub answers: u32,
    /// Estimated fraction correct on a full exam (weighted posterior mean).
    pub estimate: f64,
    /// 90% interval of that fraction.
    pub low: f64,
    pub high: f64,
    /// The estimate on the 100–1,000 scale (the same linear map as a result).
    pub estimated_score: u32,
    /// The passing score as a fraction correct; see [`ExamGuide::passing_fraction`].
    pub passing_fraction: f64,
    /// Share of draws at or above the passing fraction.
    pub pass_probability: f64,
    /// Every domain of the guide, in its order.
    pub domains: Vec<DomainReadiness>,
    /// The domain with the lowest estimate (ties: the heavier, then the earlier); `None`
    /// before any answer.
    pub weakest: Option<String>,
}

impl Readiness {
    /// The weakest domain's details.
    pub fn weakest_domain(&self) -> Option<&DomainReadiness> {
        let id = self.weakest.as_deref()?;
        self.domains.iter().find(|d| d.id == id)
    }
}

/// The readiness estimate for `guide` from a member's answers per domain. Tallies of domains
/// the guide does not have are ignored; several tallies of one domain add up.
pub fn readiness(guide: &ExamGuide, tallies: &[DomainTally]) -> Readiness {
    let mut rng = StdRng::seed_from_u64(READINESS_SEED);
    estimate(guide, tallies, READINESS_DRAWS, &mut rng)
}

fn estimate<R: Rng + ?Sized>(
    guide: &ExamGuide,
    tallies: &[DomainTally],
    draws: usize,
    rng: &mut R,
) -> Readiness {
    let counts: Vec<(u32, u32)> = guide
        .domains
        .iter()
        .map(|d| {
            tallies
                .iter()
                .filter(|t| t.domain_id == d.id)
                .fold((0u32, 0u32), |(c, n), t| {
                    let total = t.total.max(t.correct);
                    (c.saturating_add(t.correct), n.saturating_add(total))
                })
        })
        .collect();
    let weight_sum: f64 = guide.domains.iter().map(|d| f64::from(d.weight)).sum();
    let weights: Vec<f64> = guide
        .domains
        .iter()
        .map(|d| {
            if weight_sum > 0.0 {
                f64::from(d.weight) / weight_sum
            } else {
                0.0
            }
        })
        .collect();

    let draws = draws.max(1);
    let mut per_domain: Vec<Vec<f64>> = vec![Vec::with_capacity(draws); guide.domains.len()];
    let mut overall: Vec<f64> = Vec::with_capacity(draws);
    for _ in 0..draws {
        let mut score = 0.0;
        for (i, &(correct, total)) in counts.iter().enumerate() {
            let wrong = total - correct;
            let p = beta(1.0 + f64::from(correct), 1.0 + f64::from(wrong), rng);
            per_domain[i].push(p);
            score += weights[i] * p;
        }
        overall.push(score);
    }

    let tail = (1.0 - READINESS_INTERVAL) / 2.0;
    let passing_fraction = guide.passing_fraction();
    let pass_probability =
        overall.iter().filter(|&&s| s >= passing_fraction).count() as f64 / draws as f64;
    overall.sort_by(f64::total_cmp);

    let domains: Vec<DomainReadiness> = guide
        .domains
        .iter()
        .zip(&counts)
        .zip(per_domain.iter_mut())
        .map(|((d, &(correct, total)), samples)| {
            samples.sort_by(f64::total_cmp);
            DomainReadiness {
                id: d.id.clone(),
                name: d.name.clone(),
                weight: d.weight,
                correct,
                total,
                estimate: (1.0 + f64::from(correct)) / (2.0 + f64::from(total)),
                low: quantile(samples, tail),
                high: quantile(samples, 1.0 - tail),
            }
        })
        .collect();
    let estimate: f64 = domains
        .iter()
        .zip(&weights)
        .map(|(d, w)| w * d.estimate)
        .sum();
    let answers: u32 = counts.iter().map(|&(_, n)| n).sum();
    let weakest = if answers == 0 {
        None
    } else {
        domains
            .iter()
            .enumerate()
            .min_by(|(i, a), (j, b)| {
                a.estimate
                    .total_cmp(&b.estimate)
                    .then(b.weight.cmp(&a.weight))
                    .then(i.cmp(j))
            })
            .map(|(_, d)| d.id.clone())
    };
    let estimated_score = scaled_from_fraction(estimate);
    Readiness {
        exam: guide.code.clone(),
        answers,
        estimate,
        low: quantile(&overall, tail),
        high: quantile(&overall, 1.0 - tail),
        estimated_score,
        passing_fraction,
        pass_probability,
        domains,
        weakest,
    }
}

/// The `q` quantile of sorted samples, interpolating linearly between neighbours.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let at = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let lo = at.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
        }
    }
}

/// A Beta(a, b) draw as `X / (X + Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`.
pub(super) fn beta<R: Rng + ?Sized>(a: f64, b: f64, rng: &mut R) -> f64 {
    let x = gamma(a, rng);
    let y = gamma(b, rng);
    if x + y > 0.0 { x / (x + y) } else { 0.5 }
}

/// A Gamma(shape, 1) draw by Marsaglia and Tsang's method (2000); a shape below 1 is boosted
/// with `Gamma(shape + 1) × U^(1/shape)`.
pub(super) fn gamma<R: Rng + ?Sized>(shape: f64, rng: &mut R) -> f64 {
    if shape < 1.0 {
        let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
        return gamma(shape + 1.0, rng) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = standard_normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
        if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// A standard normal draw by the Box–Muller transform.
fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1], so ln is finite
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}
