//! Purpose: does the bank give answers away to a test-wise student? Measures how often the key
//! is the strictly longest choice (single answer), how often the N longest choices are exactly
//! the answer ("choose N"), and how evenly answer letters are spread, against limits that
//! `studybot check` enforces so the bank cannot drift back.

use std::fmt;

use super::{Answer, Bank, letter};

/// The key may be the strictly longest choice in at most this share of single-answer questions.
pub const MAX_KEY_LONGEST: f64 = 0.30;
/// The N longest choices may be exactly the answer in at most this share of "choose N" ones.
pub const MAX_SET_LONGEST: f64 = 0.15;
/// Each answer letter's count may be at most this far (relative) from what chance gives.
pub const MAX_LETTER_SKEW: f64 = 0.15;
/// Letters offered as the answer fewer times than this by chance are too rare to judge.
const MIN_EXPECTED: f64 = 20.0;

/// The shares measured over a bank.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    pub single: usize,
    pub key_longest: usize,
    pub multi: usize,
    pub set_longest: usize,
    /// Per letter: (letter, times it is (part of) the answer, times chance would make it).
    pub letters: Vec<(char, usize, f64)>,
}

impl Audit {
    pub fn of(bank: &Bank) -> Audit {
        let mut a = Audit {
            single: 0,
            key_longest: 0,
            multi: 0,
            set_longest: 0,
            letters: Vec::new(),
        };
        let mut answers = [0usize; 6];
        let mut expected = [0f64; 6];
        for q in bank.questions() {
            let lens: Vec<usize> = q.choices.iter().map(|c| c.chars().count()).collect();
            let keys = q.answer.indexes();
            for &k in &keys {
                if let Some(n) = answers.get_mut(k) {
                    *n += 1;
                }
            }
            let share = keys.len() as f64 / lens.len().max(1) as f64;
            for e in expected.iter_mut().take(lens.len()) {
                *e += share;
            }
            match &q.answer {
                Answer::Single(k) => {
                    a.single += 1;
                    if is_strictly_longest(&lens, &[*k]) {
                        a.key_longest += 1;
                    }
                }
                Answer::Multi(_) => {
                    a.multi += 1;
                    if is_strictly_longest(&lens, &keys) {
                        a.set_longest += 1;
                    }
                }
            }
        }
        a.letters = (0..6)
            .filter(|&i| expected[i] > 0.0)
            .map(|i| (letter(i), answers[i], expected[i]))
            .collect();
        a
    }

    pub fn key_longest_share(&self) -> f64 {
        ratio(self.key_longest, self.single)
    }

    pub fn set_longest_share(&self) -> f64 {
        ratio(self.set_longest, self.multi)
    }

    /// What is past the limits, in words; empty when the bank passes.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.key_longest_share() > MAX_KEY_LONGEST {
            out.push(format!(
                "the key is the strictly longest choice in {} of {} single-answer questions ({:.0}%; at most {:.0}%): picking the longest choice passes",
                self.key_longest,
                self.single,
                100.0 * self.key_longest_share(),
                100.0 * MAX_KEY_LONGEST
            ));
        }
        if self.set_longest_share() > MAX_SET_LONGEST {
            out.push(format!(
                "the longest choices are exactly the answer in {} of {} choose-N questions ({:.0}%; at most {:.0}%)",
                self.set_longest,
                self.multi,
                100.0 * self.set_longest_share(),
                100.0 * MAX_SET_LONGEST
            ));
        }
        for &(l, n, e) in &self.letters {
            if e >= MIN_EXPECTED && ((n as f64 - e) / e).abs() > MAX_LETTER_SKEW {
                out.push(format!(
                    "answer {l} is the key {n} times where chance gives {e:.0} (more than {:.0}% off)",
                    100.0 * MAX_LETTER_SKEW
                ));
            }
        }
        out
    }
}

impl fmt::Display for Audit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "longest choice is the key: {} of {} single-answer ({:.1}%, limit {:.0}%); longest set is the answer: {} of {} choose-N ({:.1}%, limit {:.0}%)",
            self.key_longest,
            self.single,
            100.0 * self.key_longest_share(),
            100.0 * MAX_KEY_LONGEST,
            self.set_longest,
            self.multi,
            100.0 * self.set_longest_share(),
            100.0 * MAX_SET_LONGEST
        )?;
        let letters: Vec<String> = self
            .letters
            .iter()
            .map(|(l, n, e)| format!("{l} {n} (chance {e:.0})"))
            .collect();
        writeln!(f, "answer letters: {}", letters.join(", "))
    }
}

fn ratio(n: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

/// Whether the choices at `keys` are the `keys.len()` longest, each strictly longer than every
/// other choice.
fn is_strictly_longest(lens: &[usize], keys: &[usize]) -> bool {
    let shortest_key = keys.iter().filter_map(|&k| lens.get(k)).min();
    let longest_other = lens
        .iter()
        .enumerate()
        .filter(|(i, _)| !keys.contains(i))
        .map(|(_, l)| *l)
        .max();
    match (shortest_key, longest_other) {
        (Some(&k), Some(o)) => k > o,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_longer_than_every_distractor_gives_it_away() {
        assert!(is_strictly_longest(&[30, 10, 12, 9], &[0]));
        assert!(
            !is_strictly_longest(&[30, 10, 30, 9], &[0]),
            "a tie is no giveaway"
        );
        assert!(is_strictly_longest(&[30, 10, 25, 9, 3], &[0, 2]));
        assert!(!is_strictly_longest(&[30, 40, 25, 9, 3], &[0, 2]));
    }
}
