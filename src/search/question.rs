//! Purpose: what a query typed as a sentence asks. Function words ("what is the … of an …")
//! must neither decide the ranking nor be highlighted; the kind of question changes what a good
//! passage looks like: "how many / max / how long" wants a number with a unit, "X vs Y" wants
//! passages that name both sides. Pure text rules, no index.

/// Words that carry no topic: question words, auxiliaries, articles, pronouns, prepositions
/// and the markers of a comparison. They still count inside phrases ("time to live").
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "best",
    "better",
    "between",
    "but",
    "by",
    "can",
    "choose",
    "compare",
    "compared",
    "could",
    "d",
    "diff",
    "difference",
    "differences",
    "different",
    "do",
    "does",
    "doing",
    "done",
    "for",
    "from",
    "get",
    "go",
    "had",
    "has",
    "have",
    "how",
    "i",
    "if",
    "im",
    "in",
    "instead",
    "into",
    "is",
    "it",
    "its",
    "ll",
    "me",
    "might",
    "my",
    "need",
    "not",
    "of",
    "on",
    "or",
    "our",
    "re",
    "s",
    "should",
    "so",
    "t",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "u",
    "use",
    "used",
    "using",
    "ve",
    "versus",
    "vs",
    "want",
    "was",
    "way",
    "we",
    "were",
    "what",
    "whats",
    "when",
    "where",
    "which",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
];

/// After "how": the question asks for an amount.
const HOW_AMOUNT: &[&str] = &[
    "many", "much", "long", "big", "large", "often", "far", "fast", "old", "small",
];

/// Words that ask for a limit or an amount by themselves.
const AMOUNT_WORDS: &[&str] = &[
    "max",
    "maximum",
    "min",
    "minimum",
    "limit",
    "limits",
    "size",
    "largest",
    "biggest",
    "smallest",
    "longest",
    "shortest",
    "retention",
    "timeout",
    "quota",
    "quotas",
    "duration",
    "capacity",
];

/// After "how long": the question asks how long something is kept.
const KEEP_WORDS: &[&str] = &[
    "keep", "keeps", "kept", "retain", "retains", "retained", "store", "stores", "stored", "stay",
    "stays", "hold", "holds", "persist", "last", "remain", "remains", "save", "saved",
];

const QUESTION_STARTS: &[&str] = &[
    "what",
    "whats",
    "how",
    "why",
    "when",
    "which",
    "where",
    "who",
    "can",
    "could",
    "does",
    "do",
    "is",
    "are",
    "should",
    "would",
    "will",
    "difference",
    "diff",
    "explain",
];

/// Superlatives that ask for a limit; the notes say "max" instead.
const SUPERLATIVES: &[&str] = &[
    "biggest", "largest", "smallest", "longest", "shortest", "highest", "lowest", "most", "least",
];

/// Whether a word (or its stem: `maximum`, `limit`) names an amount: max, limit, size …
pub fn is_amount_word(word: &str) -> bool {
    AMOUNT_WORDS
        .iter()
        .any(|a| *a == word || (word.len() >= 3 && a.starts_with(word)))
}

/// Whether a lower-cased word carries no topic.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// Per word, whether it carries no topic in this query: a stopword, a superlative, or the
/// amount word of "how many / how long / how big".
pub fn stop_mask(words: &[String]) -> Vec<bool> {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            is_stopword(w)
                || SUPERLATIVES.contains(&w.as_str())
                || (i > 0 && words[i - 1] == "how" && HOW_AMOUNT.contains(&w.as_str()))
        })
        .collect()
}

/// What a query asks, read from its lower-cased words (as the raw analyzer gives them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// Typed as a question or a sentence rather than as keywords.
    pub question: bool,
    /// Asks for a number: how many, how long, max, limit, size …
    pub amount: bool,
    /// Asks how long: a duration, a timeout, a retention.
    pub duration: bool,
    /// Asks how long something is kept ("how long does sqs keep a message"): a retention.
    pub retention: bool,
    /// A comparison: the words of each side ("alb", "nlb").
    pub sides: Option<[Vec<String>; 2]>,
}

/// Reads the shape of a query. `text` is the query as typed (for `?`), `words` its words.
pub fn shape(text: &str, words: &[String]) -> Shape {
    let stops = words.iter().filter(|w| is_stopword(w)).count();
    let question = text.contains('?')
        || words
            .first()
            .is_some_and(|w| QUESTION_STARTS.contains(&w.as_str()))
        || stops >= 2;
    let amount = words
        .windows(2)
        .any(|p| p[0] == "how" && HOW_AMOUNT.contains(&p[1].as_str()))
        || words
            .iter()
            .any(|w| AMOUNT_WORDS.contains(&w.as_str()) || SUPERLATIVES.contains(&w.as_str()));
    let duration = words
        .windows(2)
        .any(|p| p[0] == "how" && (p[1] == "long" || p[1] == "often"))
        || words.iter().any(|w| w == "longest" || w == "shortest");
    Shape {
        question,
        amount,
        duration,
        retention: duration && words.iter().any(|w| KEEP_WORDS.contains(&w.as_str())),
        sides: sides(words),
    }
}

/// The two sides of a comparison: "X vs Y", "X versus Y", "difference between X and Y",
/// "X compared to Y", "X instead of Y", and "X or Y" when the query is short.
fn sides(words: &[String]) -> Option<[Vec<String>; 2]> {
    let at = |w: &str| words.iter().position(|x| x == w);
    let content = |slice: &[String]| -> Vec<String> {
        slice.iter().filter(|w| !is_stopword(w)).cloned().collect()
    };
    let split = |i: usize, skip: usize| -> Option<[Vec<String>; 2]> {
        let left = content(&words[..i]);
        let right = content(words.get(i + skip..).unwrap_or(&[]));
        // The side's own words: the last few before the marker and the first few after it.
        let left: Vec<String> = left[left.len().saturating_sub(3)..].to_vec();
        let right: Vec<String> = right.into_iter().take(3).collect();
        (!left.is_empty() && !right.is_empty()).then_some([left, right])
    };
    if let Some(i) = at("vs").or_else(|| at("versus")).or_else(|| at("v")) {
        return split(i, 1);
    }
    if let Some(b) = at("between") {
        let rest = &words[b + 1..];
        if let Some(a) = rest.iter().position(|w| w == "and" || w == "or") {
            let left = content(&rest[..a]);
            let right: Vec<String> = content(&rest[a + 1..]).into_iter().take(3).collect();
            if !left.is_empty() && !right.is_empty() {
                return Some([left, right]);
            }
        }
    }
    for (marker, skip) in [("compared", 2), ("instead", 2)] {
        if let Some(i) = at(marker) {
            return split(i, skip);
        }
    }
    if let Some(i) = at("or") {
        let content_words = words.iter().filter(|w| !is_stopword(w)).count();
        if content_words <= 6 {
            return split(i, 1);
        }
    }
    None
}

/// Whether `text` states an amount: a number followed by a unit ("256 KB", "15 minutes",
/// "5 read replicas", "99.9%").
pub fn states_amount(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.iter().any(u8::is_ascii_digit) {
        let lower = text.to_ascii_lowercase();
        if ["max", "limit", "up to", "at most", "minimum", "min "]
            .iter()
            .any(|m| lower.contains(m))
        {
            return true;
        }
    }
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_alphabetic()) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b',' || bytes[j] == b'.')
        {
            j += 1;
        }
        let rest = &text[j..];
        if unit_follows(rest) {
            return true;
        }
        i = j.max(i + 1);
    }
    false
}

fn unit_follows(rest: &str) -> bool {
    if rest.starts_with('%') {
        return true;
    }
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let unit: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if unit.is_empty() {
        return false;
    }
    const UNITS: &[&str] = &[
        "b",
        "kb",
        "mb",
        "gb",
        "tb",
        "pb",
        "kib",
        "mib",
        "gib",
        "tib",
        "byte",
        "bytes",
        "ms",
        "millisecond",
        "milliseconds",
        "s",
        "sec",
        "secs",
        "second",
        "seconds",
        "min",
        "mins",
        "minute",
        "minutes",
        "h",
        "hr",
        "hrs",
        "hour",
        "hours",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "yr",
        "yrs",
        "x",
        "percent",
        "rcu",
        "rcus",
        "wcu",
        "wcus",
        "tps",
        "rps",
        "iops",
        "requests",
        "request",
        "messages",
        "message",
        "records",
        "record",
        "items",
        "item",
        "shards",
        "shard",
        "replicas",
        "replica",
        "read",
        "regions",
        "az",
        "azs",
        "accounts",
        "buckets",
        "characters",
        "chars",
        "keys",
        "versions",
        "times",
        "instances",
        "connections",
        "concurrent",
        "consumers",
        "targets",
        "rules",
        "tags",
        "subnets",
        "vpcs",
        "gbps",
        "mbps",
        "per",
        "k",
        "m",
        "million",
        "thousand",
    ];
    UNITS.contains(&unit.as_str())
}

/// Sentences of a passage's plain text: split after `.`, `?`, `!` followed by a space, and at
/// line breaks (list items are sentences of their own).
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let end = match b {
            // A line break ends a sentence only before a list item, a table row, a heading or
            // a blank line; elsewhere it is a hard wrap inside the sentence.
            b'\n' if starts_block(&text[..i], &text[i + 1..]) => Some(i),
            // A stop followed by a space or the end (not the point of "1.5").
            b'.' | b'?' | b'!' if bytes.get(i + 1).is_none_or(|n| *n == b' ') => Some(i + 1),
            _ => None,
        };
        if let Some(end) = end {
            let s = text[start..end].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = end;
        }
    }
    let s = text[start..].trim();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

/// Whether a line break ends a sentence: before a blank line or a line that starts with a
/// capital or a digit (a new list item), or after a stop or a colon. A break before a
/// lower-case word is a hard wrap inside the sentence.
fn starts_block(before: &str, rest: &str) -> bool {
    let next = rest.trim_start_matches([' ', '\t']).chars().next();
    let prev = before.trim_end().chars().last();
    next.is_none_or(|c| c == '\n' || c.is_uppercase() || c.is_ascii_digit())
        || prev.is_some_and(|c| matches!(c, '.' | ':' | '!' | '?'))
}

/// Whether a lower-cased text names a word: the word, or a word starting with it and at most
/// five letters longer (a stem such as `kinesi` names "Kinesis").
pub fn names(lower: &str, stem: &str) -> bool {
    if stem.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(at) = lower[from..].find(stem) {
        let at = from + at;
        let starts_word = lower[..at]
            .chars()
            .last()
            .is_none_or(|c| !c.is_alphanumeric());
        // The stem plus an inflection ("kinesi" + "s", "max" + "imum"), not a longer compound
        // ("maximummessagesize").
        let word_len = lower[at..]
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(lower.len() - at);
        if starts_word && word_len <= stem.len() + 5 {
            return true;
        }
        from = at + stem.len();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<String> {
        q.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    }

    #[test]
    fn the_stopword_list_is_sorted_for_binary_search() {
        let mut sorted = STOPWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOPWORDS);
    }

    #[test]
    fn questions_and_amounts_are_recognised() {
        let q = "what is the max size of an sqs message?";
        let s = shape(q, &words(q));
        assert!(s.question && s.amount);
        assert_eq!(s.sides, None);
        let q = "how long can a lambda function run";
        let s = shape(q, &words(q));
        assert!(s.amount && s.duration && !s.retention);
        let q = "how long does sqs keep a message";
        assert!(shape(q, &words(q)).retention);
        let q = "sqs visibility timeout";
        let s = shape(q, &words(q));
        assert!(!s.question);
        let q = "kinesis fanout";
        assert_eq!(shape(q, &words(q)), Shape::default());
    }

    #[test]
    fn comparison_sides_are_found_in_the_usual_phrasings() {
        let side = |q: &str| shape(q, &words(q)).sides;
        let pair = |a: &[&str], b: &[&str]| {
            Some([
                a.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                b.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            ])
        };
        assert_eq!(side("ALB vs NLB"), pair(&["alb"], &["nlb"]));
        assert_eq!(
            side("whats the diff between kinesis and sqs"),
            pair(&["kinesis"], &["sqs"])
        );
        assert_eq!(
            side("security group or network acl?"),
            pair(&["security", "group"], &["network", "acl"])
        );
        assert_eq!(
            side("when to use dynamodb query instead of scan"),
            pair(&["dynamodb", "query"], &["scan"])
        );
        assert_eq!(side("GSI vs. LSI"), pair(&["gsi"], &["lsi"]));
        assert_eq!(side("sqs visibility timeout"), None);
    }

    #[test]
    fn amounts_need_a_unit() {
        assert!(states_amount("Messages are up to 256 KB."));
        assert!(states_amount("runs for at most 15 minutes"));
        assert!(states_amount("up to 5 read replicas"));
        assert!(states_amount("99.99% durable"));
        assert!(!states_amount("Use gp3 volumes, version 2 of the API"));
        assert!(!states_amount("no numbers here"));
    }

    #[test]
    fn sentences_split_at_stops_and_lines_not_decimals() {
        assert_eq!(
            sentences("Max is 256 KB. Use S3 for more.\nItem one\nwraps here\n\nSize 1.5 MB"),
            vec![
                "Max is 256 KB.",
                "Use S3 for more.",
                "Item one\nwraps here",
                "Size 1.5 MB"
            ]
        );
    }

    #[test]
    fn names_matches_word_starts_only() {
        assert!(names("amazon kinesis data streams", "kinesi"));
        assert!(!names("the shares of consumers", "hare"));
        assert!(names("alb and nlb", "nlb"));
    }
}
