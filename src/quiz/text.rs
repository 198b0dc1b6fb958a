//! Purpose: question text as a reader sees it. The TOML files wrap long `"""` strings at about
//! 100 columns; [`reflow`] joins the lines of a paragraph with one space while keeping blank
//! lines between paragraphs, list items and code fences as written. [`broken_sentences`] finds
//! line breaks still left inside a sentence, for `studybot check`.

/// Joins hard-wrapped lines into paragraphs. Kept as written: blank lines (paragraph breaks),
/// list items (`- `, `* `, `1. `), and everything inside a code fence.
pub fn reflow(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    // Whether the last line in `out` is a paragraph or list item that a wrapped line continues.
    let mut open = false;
    for raw in text.trim().lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            out.push(line.to_string());
            open = false;
            continue;
        }
        if in_fence {
            out.push(line.to_string());
            continue;
        }
        if trimmed.is_empty() {
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            open = false;
            continue;
        }
        if is_list_item(trimmed) || !open {
            out.push(line.to_string());
            open = true;
            continue;
        }
        if let Some(last) = out.last_mut() {
            last.push(' ');
            last.push_str(trimmed);
        }
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out.join("\n")
}

/// `- item`, `* item`, `+ item`, `1. item`, `12) item`. A wrapped line that starts with a
/// bigger number ("443. What fixes…") is text, not a list.
fn is_list_item(line: &str) -> bool {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    (1..=2).contains(&digits)
        && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

/// Line breaks left inside a sentence: the 1-based line numbers (within `text`) of lines that
/// end mid-sentence and are followed by an ordinary line (not blank, not a list item, not a
/// fence), outside code fences.
pub fn broken_sentences(text: &str) -> Vec<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut in_fence = false;
    for (i, pair) in lines.windows(2).enumerate() {
        let (line, next) = (pair[0].trim(), pair[1].trim());
        if line.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || line.is_empty() || next.is_empty() {
            continue;
        }
        if next.starts_with("```") || is_list_item(next) {
            continue;
        }
        let ends_sentence = line.ends_with(['.', '!', '?', ':', ';']);
        if !ends_sentence {
            found.push(i + 1);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_become_one_paragraph() {
        let text = "\nA shard accepts up to 1 MB/s\nof writes and serves 2 MB/s\nof reads.";
        assert_eq!(
            reflow(text),
            "A shard accepts up to 1 MB/s of writes and serves 2 MB/s of reads."
        );
        assert!(broken_sentences(&reflow(text)).is_empty());
        assert_eq!(broken_sentences(text.trim()), vec![1, 2]);
    }

    #[test]
    fn paragraphs_lists_and_code_fences_stay_as_written() {
        let text = "First paragraph,\nwrapped.\n\n\nSecond one:\n- item one\n  continued\n- item two\n1. numbered\n\n```\nline 1\n  line 2\n```\nAfter the code.";
        assert_eq!(
            reflow(text),
            "First paragraph, wrapped.\n\nSecond one:\n- item one continued\n- item two\n1. numbered\n\n```\nline 1\n  line 2\n```\nAfter the code."
        );
        assert!(broken_sentences(&reflow(text)).is_empty());
    }

    #[test]
    fn a_wrapped_line_starting_with_a_port_number_is_not_a_list_item() {
        let text = "The NACL only has an inbound allow rule for\n443. What fixes the problem?";
        assert_eq!(
            reflow(text),
            "The NACL only has an inbound allow rule for 443. What fixes the problem?"
        );
    }

    #[test]
    fn text_without_breaks_is_unchanged() {
        assert_eq!(reflow("Just one line."), "Just one line.");
        assert_eq!(reflow("  \n  "), "");
    }
}
