//! Purpose: turn a tantivy snippet (a fragment and highlighted byte ranges) into one line of
//! Discord markdown: note text escaped, matched words in `**bold**`, `…` where text was cut.

use std::ops::Range;

/// A matched word in a passage: where it is, which query term it matched, how rare that term is.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub range: Range<usize>,
    pub term: usize,
    pub weight: f32,
}

/// The part of `body` (at most about `max_chars` bytes) that shows the most of the query: the
/// span whose distinct matched terms weigh most, widened to `max_chars` at word boundaries.
pub fn best_window(body: &str, matches: &[Match], max_chars: usize) -> Range<usize> {
    if body.len() <= max_chars {
        return 0..body.len();
    }
    let mut best: Option<(f32, usize, usize)> = None; // (score, first match, last match)
    for i in 0..matches.len() {
        let mut seen: Vec<usize> = Vec::new();
        let mut score = 0.0;
        for j in i..matches.len() {
            if matches[j].range.end - matches[i].range.start > max_chars {
                break;
            }
            if seen.contains(&matches[j].term) {
                score += matches[j].weight * 0.1;
            } else {
                seen.push(matches[j].term);
                score += matches[j].weight;
            }
            if best.is_none_or(|(b, _, _)| score > b) {
                best = Some((score, i, j));
            }
        }
    }
    let Some((_, i, j)) = best else {
        return 0..word_floor(body, max_chars);
    };
    let (span_start, span_end) = (matches[i].range.start, matches[j].range.end);
    let slack = max_chars.saturating_sub(span_end - span_start);
    // Show a little context before the first match, the rest after.
    let mut start = span_start.saturating_sub(slack / 3);
    let mut end = (span_end + (slack - (span_start - start))).min(body.len());
    if end == body.len() {
        start = end.saturating_sub(max_chars).min(start);
    }
    while !body.is_char_boundary(start) {
        start -= 1;
    }
    while !body.is_char_boundary(end) {
        end += 1;
    }
    // Snap to word boundaries inside the window.
    if start > 0
        && let Some(ws) = body[start..span_start].find(char::is_whitespace)
    {
        start += ws + 1;
    }
    if end < body.len()
        && let Some(ws) = body[span_end..end].rfind(char::is_whitespace)
    {
        end = span_end + ws;
    }
    start..end
}

fn word_floor(body: &str, max: usize) -> usize {
    if body.len() <= max {
        return body.len();
    }
    let mut cut = max;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    body[..cut].rfind(char::is_whitespace).unwrap_or(cut)
}

/// Characters that Discord markdown gives a meaning to.
const MARKDOWN_SPECIAL: &[char] = &['\\', '*', '_', '~', '`', '|', '>', '[', ']'];

/// Escapes note text so Discord shows it as written (as the start of a message).
pub fn escape_markdown(text: &str) -> String {
    escape(text, true)
}

/// `#` and `-` only mean something at the start of a message.
fn escape(text: &str, at_message_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        if MARKDOWN_SPECIAL.contains(&c) || (at_message_start && i == 0 && matches!(c, '#' | '-')) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Renders `fragment` with `highlighted` (byte ranges into it) in bold. Whitespace runs become
/// one space; highlights joined only by `-`, `/` or `@` merge (`**fan-out**`). `cut_before` and
/// `cut_after` add an ellipsis where the fragment does not start or end the passage.
pub fn render(
    fragment: &str,
    highlighted: &[Range<usize>],
    cut_before: bool,
    cut_after: bool,
) -> String {
    let ranges = merge_ranges(fragment, highlighted);
    let mut out = String::with_capacity(fragment.len() + 16);
    if cut_before {
        out.push('…');
    }
    let mut pos = 0;
    for r in &ranges {
        if r.is_empty()
            || r.start < pos
            || r.end > fragment.len()
            || !fragment.is_char_boundary(r.start)
            || !fragment.is_char_boundary(r.end)
        {
            continue;
        }
        push_plain(&mut out, &fragment[pos..r.start]);
        out.push_str("**");
        let at_start = out.is_empty();
        out.push_str(&escape(&collapse(&fragment[r.clone()]), at_start));
        out.push_str("**");
        pos = r.end;
    }
    push_plain(&mut out, &fragment[pos..]);
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    if cut_after {
        out.push('…');
    }
    if cut_before {
        // "…" followed by a space reads badly.
        out = out.replacen("… ", "…", 1);
    }
    out
}

fn push_plain(out: &mut String, text: &str) {
    let at_start = out.is_empty();
    out.push_str(&escape(&collapse(text), at_start));
}

/// Whitespace runs (newlines included) become one space.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = true;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    if pending_space {
        out.push(' ');
    }
    out
}

fn merge_ranges(fragment: &str, ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut sorted: Vec<Range<usize>> = ranges.to_vec();
    sorted.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for r in sorted {
        if let Some(last) = out.last_mut() {
            let gap = fragment.get(last.end..r.start.max(last.end));
            if r.start <= last.end || gap.is_some_and(|g| matches!(g, "-" | "/" | "@")) {
                last.end = last.end.max(r.end);
                continue;
            }
        }
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matched_words_are_bold_and_hyphenated_compounds_stay_one_highlight() {
        let text = "consumers that use enhanced fan-out get 2 MB/s";
        let s = render(text, &[19..27, 28..31, 32..35], false, false);
        assert_eq!(s, "consumers that use **enhanced** **fan-out** get 2 MB/s");
    }

    #[test]
    fn note_text_is_escaped_so_discord_shows_it_as_written() {
        let text = "s3:x-amz-server-side-encryption uses *AES256* and a_b | `code` > q";
        let s = render(text, &[], false, false);
        assert_eq!(
            s,
            "s3:x-amz-server-side-encryption uses \\*AES256\\* and a\\_b \\| \\`code\\` \\> q"
        );
        assert_eq!(escape_markdown("# not a heading"), "\\# not a heading");
        assert_eq!(escape_markdown("- not a list"), "\\- not a list");
    }

    #[test]
    fn highlighted_text_is_escaped_inside_the_bold() {
        let s = render(
            "AWS_XRAY_DAEMON_ADDRESS is set",
            &[0..23, 24..24],
            false,
            false,
        ); // an empty range is ignored;
        assert_eq!(s, "**AWS\\_XRAY\\_DAEMON\\_ADDRESS** is set");
    }

    #[test]
    fn cut_text_gets_ellipses_and_whitespace_collapses() {
        let s = render(
            "the visibility\n   timeout hides",
            &[4..14, 18..25],
            true,
            true,
        );
        assert_eq!(s, "…the **visibility** **timeout** hides…");
    }

    #[test]
    fn the_window_shows_the_rarest_terms_together() {
        let body = format!(
            "{} kinesis shard here {} enhanced fan-out consumers {}",
            "x ".repeat(100),
            "y ".repeat(100),
            "z ".repeat(100)
        );
        let at = |w: &str| body.find(w).unwrap();
        let m = |w: &str, term, weight| Match {
            range: at(w)..at(w) + w.len(),
            term,
            weight,
        };
        let matches = [
            m("kinesis", 0, 0.1),
            m("enhanced", 1, 0.5),
            m("fan-out", 2, 0.5),
        ];
        let w = best_window(&body, &matches, 80);
        assert!(w.len() <= 80, "{w:?}");
        let shown = &body[w];
        assert!(shown.contains("enhanced fan-out consumers"), "{shown}");
        assert!(
            !shown.starts_with(' ') && !shown.ends_with(' '),
            "{shown:?}"
        );
    }

    #[test]
    fn bad_ranges_are_ignored_rather_than_panicking() {
        let s = render("héllo world", &[1..2, 3..100], false, false);
        assert_eq!(s, "héllo world");
    }
}
