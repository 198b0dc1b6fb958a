//! A learner's drill: questions picked from the bank (filters, a seeded order), answers typed as
//! letters, graded one by one. Pure: the terminal front end is in `cli.rs`.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::{Bank, Question, letter};

/// Up to `count` questions of the bank matching the filters, in an order fixed by `seed`.
pub fn pick(
    bank: &Bank,
    topic: Option<&str>,
    exam: Option<&str>,
    count: usize,
    seed: u64,
) -> Vec<Question> {
    pick_excluding(bank, topic, exam, count, seed, &[])
}

/// [`pick`], leaving out the questions in `exclude` (those a server's members reported).
pub fn pick_excluding(
    bank: &Bank,
    topic: Option<&str>,
    exam: Option<&str>,
    count: usize,
    seed: u64,
    exclude: &[String],
) -> Vec<Question> {
    let mut pool: Vec<&Question> = bank
        .questions()
        .iter()
        .filter(|q| !exclude.contains(&q.id))
        .filter(|q| topic.is_none_or(|t| q.topic == t))
        .filter(|q| exam.is_none_or(|e| q.exams.iter().any(|x| x == e)))
        .collect();
    pool.sort_by(|a, b| a.id.cmp(&b.id));
    pool.shuffle(&mut StdRng::seed_from_u64(seed));
    pool.into_iter().take(count).cloned().collect()
}

/// `b`, `B`, `A C`, `a,c`, `AC` → choice indexes; a message saying what to type otherwise.
pub fn parse_picks(input: &str, question: &Question) -> Result<Vec<usize>, String> {
    let n = question.choices.len();
    let want = question.answer.count();
    let hint = || {
        let last = letter(n.saturating_sub(1));
        if want == 1 {
            format!("type one letter, A to {last}")
        } else {
            format!("type {want} letters, A to {last} (for example AC)")
        }
    };
    let mut picks: Vec<usize> = Vec::new();
    for c in input.chars() {
        if c.is_whitespace() || c == ',' {
            continue;
        }
        let up = c.to_ascii_uppercase();
        if !up.is_ascii_uppercase() || (up as u8 - b'A') as usize >= n {
            return Err(hint());
        }
        let i = (up as u8 - b'A') as usize;
        if !picks.contains(&i) {
            picks.push(i);
        }
    }
    if picks.len() != want {
        return Err(hint());
    }
    picks.sort_unstable();
    Ok(picks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::{Answer, Difficulty, SourceRef};

    fn q(answer: Answer) -> Question {
        Question {
            id: "x-001".into(),
            topic: "x".into(),
            exams: vec!["DVA-C02".into()],
            domains: Default::default(),
            difficulty: Difficulty::Easy,
            prompt: "p".into(),
            choices: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            answer,
            explanation: "e".into(),
            source: SourceRef {
                file: "x.md".into(),
                anchor: "x".into(),
            },
            file: "x.toml".into(),
            line: 1,
        }
    }

    #[test]
    fn letters_are_read_in_any_case_and_spacing() {
        let single = q(Answer::Single(1));
        assert_eq!(parse_picks(" b\n", &single), Ok(vec![1]));
        let two = q(Answer::Multi(vec![0, 2]));
        assert_eq!(parse_picks("c, A", &two), Ok(vec![0, 2]));
        assert_eq!(parse_picks("AC", &two), Ok(vec![0, 2]));
    }

    #[test]
    fn wrong_input_says_what_to_type() {
        let single = q(Answer::Single(1));
        assert_eq!(
            parse_picks("E", &single),
            Err("type one letter, A to D".into())
        );
        assert_eq!(
            parse_picks("", &single),
            Err("type one letter, A to D".into())
        );
        let two = q(Answer::Multi(vec![0, 2]));
        assert_eq!(
            parse_picks("A", &two),
            Err("type 2 letters, A to D (for example AC)".into())
        );
        assert!(parse_picks("1", &single).is_err());
    }
}
