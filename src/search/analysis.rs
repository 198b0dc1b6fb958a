//! Purpose: how text becomes terms. One analyzer for matching (lower-case, ASCII folding,
//! English stemming), one unstemmed for the spelling vocabulary, and the compound-word
//! alternatives that make `fan-out`, `fan out` and `fanout` meet.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};

/// Name under which the matching analyzer is registered.
pub const MAIN_ANALYZER: &str = "studybot_en";
/// Name under which the unstemmed analyzer is registered.
pub const RAW_ANALYZER: &str = "studybot_raw";

/// Lower-case, ASCII-folded, stemmed words; words over 40 bytes are dropped.
pub fn main_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// As [`main_analyzer`] without stemming: the words as a learner types them.
pub fn raw_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The terms an analyzer makes of `text`.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Characters that, alone between two words, make the pair a candidate compound.
fn joins(sep: &str) -> bool {
    matches!(sep, " " | "-" | "/" | "@" | "_" | "\u{2011}")
}

/// Words of `text` (alphanumeric runs) with the separator that follows each.
fn words_with_separators(text: &str) -> Vec<(&str, &str)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
        .iter()
        .enumerate()
        .map(|(k, &(s, e))| {
            let sep_end = spans.get(k + 1).map_or(e, |&(next, _)| next);
            (&text[s..e], &text[e..sep_end])
        })
        .collect()
}

/// Extra words for the `alt` field: adjacent pairs glued (`fan-out`, `Fan Out` → `fanout`,
/// `blue/green` → `bluegreen`), whole hyphen runs glued (`rolling-with-additional-batch`), and
/// CamelCase words split (`ProvisionedThroughputExceededException` → its four words).
pub fn compound_alternatives(text: &str) -> String {
    let words = words_with_separators(text);
    let mut out = String::with_capacity(text.len());
    let mut push = |w: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    };
    let mut run: Vec<&str> = Vec::new();
    for (i, (word, sep)) in words.iter().enumerate() {
        let parts = camel_parts(word);
        if parts.len() > 1 {
            for p in &parts {
                push(p);
            }
        }
        if let Some((next, _)) = words.get(i + 1)
            && joins(sep)
        {
            push(&format!("{word}{next}"));
        }
        // Hyphen runs: `rolling-with-additional-batch` as one word.
        run.push(word);
        if !matches!(*sep, "-" | "_") {
            if run.len() > 2 {
                push(&run.concat());
            }
            run.clear();
        }
    }
    out
}

/// `ProvisionedThroughputExceededException` → `[Provisioned, Throughput, Exceeded, Exception]`;
/// `HTTPServer` → `[HTTP, Server]`. A word without inner capitals gives itself.
pub fn camel_parts(word: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut cuts = vec![0];
    for k in 1..chars.len() {
        let (i, c) = chars[k];
        let prev = chars[k - 1].1;
        let next_lower = chars.get(k + 1).is_some_and(|(_, n)| n.is_lowercase());
        if c.is_uppercase() && (prev.is_lowercase() || (prev.is_uppercase() && next_lower)) {
            cuts.push(i);
        }
    }
    cuts.push(word.len());
    cuts.windows(2)
        .map(|w| &word[w[0]..w[1]])
        .filter(|p| !p.is_empty())
        .collect()
}

/// Edit distance with adjacent transpositions counting as one edit (optimal string alignment).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// Edits allowed when correcting a typed word, as Meilisearch: none under 5 characters, one
/// from 5, two from 9. Words with digits are never corrected.
pub fn typo_budget(word: &str) -> u8 {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return 0;
    }
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alt_words(text: &str) -> Vec<String> {
        terms(&mut raw_analyzer(), &compound_alternatives(text))
    }

    #[test]
    fn hyphen_space_and_slash_pairs_are_glued() {
        assert!(alt_words("Enhanced fan-out").contains(&"fanout".to_string()));
        assert!(alt_words("Fan Out consumers").contains(&"fanout".to_string()));
        assert!(alt_words("blue/green deployments").contains(&"bluegreen".to_string()));
        assert!(alt_words("Lambda@Edge").contains(&"lambdaedge".to_string()));
    }

    #[test]
    fn pairs_are_not_glued_across_other_punctuation_or_lines() {
        let words = alt_words("shards. Fan\nout, done");
        assert!(!words.contains(&"shardsfan".to_string()), "{words:?}");
        assert!(!words.contains(&"fanout".to_string()), "{words:?}");
    }

    #[test]
    fn whole_hyphen_runs_are_glued() {
        let words = alt_words("use rolling-with-additional-batch here");
        assert!(
            words.contains(&"rollingwithadditionalbatch".to_string()),
            "{words:?}"
        );
    }

    #[test]
    fn camel_case_words_are_split() {
        let words = alt_words("ProvisionedThroughputExceededException");
        for w in ["provisioned", "throughput", "exceeded", "exception"] {
            assert!(words.contains(&w.to_string()), "{w} in {words:?}");
        }
        assert_eq!(camel_parts("HTTPServer"), ["HTTP", "Server"]);
        assert_eq!(camel_parts("kinesis"), ["kinesis"]);
        assert_eq!(camel_parts("DynamoDB"), ["Dynamo", "DB"]);
    }

    #[test]
    fn main_analyzer_folds_case_accents_and_stems() {
        let mut a = main_analyzer();
        assert_eq!(
            terms(&mut a, "Shards Caché Fan-Out"),
            ["shard", "cach", "fan", "out"]
        );
    }

    #[test]
    fn edit_distance_counts_transpositions_as_one() {
        assert_eq!(edit_distance("kinesys", "kinesis"), 1);
        assert_eq!(edit_distance("visibilty", "visibility"), 1);
        assert_eq!(edit_distance("lazy", "lazy"), 0);
        assert_eq!(edit_distance("qeury", "query"), 1);
        assert_eq!(edit_distance("cloudfromation", "cloudformation"), 1);
    }

    #[test]
    fn typo_budget_grows_with_length_and_spares_short_words_and_numbers() {
        assert_eq!(typo_budget("sqs"), 0);
        assert_eq!(typo_budget("scan"), 0);
        assert_eq!(typo_budget("kinesys"), 1);
        assert_eq!(typo_budget("visibilty"), 2);
        assert_eq!(typo_budget("ec2instance"), 0);
    }
}
