//! Purpose: relevance measurement. A labeled set of learner queries over a notes collection,
//! judged by line ranges (so labels survive changes to how notes are cut into passages), and
//! the usual ranking metrics: MRR@10, nDCG@10, Recall@5.

use std::path::Path;

use serde::Deserialize;

/// One labeled query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabeledQuery {
    pub q: String,
    pub kind: String,
    pub relevant: Vec<Judgement>,
}

/// "Lines `lines[0]..=lines[1]` of `file` answer the query" with a grade (2 direct, 1 partial).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judgement {
    pub file: String,
    pub lines: [u32; 2],
    pub grade: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelFile {
    query: Vec<LabeledQuery>,
}

/// Reads a labeled query set (`tests/relevance/seeds.toml`).
pub fn load_labels(path: &Path) -> anyhow::Result<Vec<LabeledQuery>> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read labels {}", path.display()))?;
    let file: LabelFile = toml::from_str(&text)
        .with_context(|| format!("failed to parse labels {}", path.display()))?;
    Ok(file.query)
}

/// A ranked result as the metrics see it: a file and a line range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub file: String,
    pub start_line: u32,
    pub end_line: u32,
}

/// Scores of one ranking.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    pub mrr10: f64,
    pub ndcg10: f64,
    pub recall5: f64,
}

impl Metrics {
    /// The mean of many.
    pub fn mean(all: &[Metrics]) -> Metrics {
        let n = all.len().max(1) as f64;
        Metrics {
            mrr10: all.iter().map(|m| m.mrr10).sum::<f64>() / n,
            ndcg10: all.iter().map(|m| m.ndcg10).sum::<f64>() / n,
            recall5: all.iter().map(|m| m.recall5).sum::<f64>() / n,
        }
    }
}

fn overlaps(r: &Ranked, j: &Judgement) -> bool {
    r.file == j.file && r.start_line <= j.lines[1] && j.lines[0] <= r.end_line
}

/// Judges a ranking. Each judgement counts once: a result earns the grade of the best judgement
/// it overlaps that no earlier result already earned, so returning the same place twice earns
/// nothing the second time. The ideal ranking has every judgement once, best grades first.
pub fn evaluate(ranking: &[Ranked], judgements: &[Judgement]) -> Metrics {
    let mut earned = vec![false; judgements.len()];
    let mut dcg = 0.0;
    let mut first_relevant: Option<usize> = None;
    let mut direct_in_top5 = 0usize;
    for (rank, r) in ranking.iter().take(10).enumerate() {
        let best = judgements
            .iter()
            .enumerate()
            .filter(|(k, j)| !earned[*k] && overlaps(r, j))
            .max_by_key(|(_, j)| j.grade);
        // Any overlap with a relevant place makes the result relevant for MRR.
        if first_relevant.is_none() && judgements.iter().any(|j| overlaps(r, j)) {
            first_relevant = Some(rank);
        }
        if let Some((k, j)) = best {
            earned[k] = true;
            dcg += gain(j.grade) / discount(rank);
            if rank < 5 && j.grade >= 2 {
                direct_in_top5 += 1;
            }
        }
    }
    let mut ideal: Vec<u8> = judgements.iter().map(|j| j.grade).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(rank, &g)| gain(g) / discount(rank))
        .sum();
    let direct_total = judgements.iter().filter(|j| j.grade >= 2).count();
    Metrics {
        mrr10: first_relevant.map_or(0.0, |r| 1.0 / (r as f64 + 1.0)),
        ndcg10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        recall5: if direct_total > 0 {
            direct_in_top5 as f64 / direct_total.min(5) as f64
        } else {
            0.0
        },
    }
}

fn gain(grade: u8) -> f64 {
    f64::from((1u32 << grade.min(8)) - 1)
}

fn discount(rank: usize) -> f64 {
    (rank as f64 + 2.0).log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(file: &str, a: u32, b: u32) -> Ranked {
        Ranked {
            file: file.into(),
            start_line: a,
            end_line: b,
        }
    }
    fn j(file: &str, a: u32, b: u32, grade: u8) -> Judgement {
        Judgement {
            file: file.into(),
            lines: [a, b],
            grade,
        }
    }

    #[test]
    fn perfect_ranking_scores_one() {
        let judged = [j("k.md", 10, 12, 2), j("k.md", 40, 41, 1)];
        let m = evaluate(&[r("k.md", 9, 15), r("k.md", 38, 45)], &judged);
        assert!((m.ndcg10 - 1.0).abs() < 1e-9);
        assert_eq!(m.mrr10, 1.0);
        assert_eq!(m.recall5, 1.0);
    }

    #[test]
    fn the_same_place_twice_earns_once_and_misses_lower_the_score() {
        let judged = [j("k.md", 10, 12, 2), j("k.md", 40, 41, 2)];
        let m = evaluate(
            &[r("x.md", 1, 5), r("k.md", 10, 11), r("k.md", 11, 12)],
            &judged,
        );
        assert_eq!(m.mrr10, 0.5);
        assert_eq!(m.recall5, 0.5);
        assert!(m.ndcg10 < 0.5, "{m:?}");
    }

    #[test]
    fn nothing_relevant_scores_zero() {
        let m = evaluate(&[r("k.md", 1, 2)], &[j("k.md", 10, 12, 2)]);
        assert_eq!(m, Metrics::default());
    }
}
