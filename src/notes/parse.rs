//! Purpose: turn the text of one note into passages.
//!
//! Formats (all met in real notes): Markdown with `#` headings, `**bold**`-only lines acting as
//! headings (also as list items with nested content), code fences (no headings inside), generated
//! tables of contents (skipped), YAML-ish front matter; and indented plain-text outlines whose
//! blocks are separated by dash-only lines (also indented ones). Long sections are split into
//! passages of bounded size that keep their heading path.

/// Metadata from a `---` block at the top of a Markdown note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub topic: Option<String>,
    pub exams: Vec<String>,
}

/// A passage before it is given an id and a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPassage {
    pub heading_path: Vec<String>,
    pub start_line: u32,
    pub end_line: u32,
    pub text: String,
}

/// The result of parsing one note.
#[derive(Debug, Clone, Default)]
pub struct ParsedNote {
    pub front_matter: FrontMatter,
    pub passages: Vec<RawPassage>,
    /// Slugs of every heading, in order (GitHub style; see [`slugify`]).
    pub anchors: Vec<String>,
    /// Line (1-based) of each anchor, parallel to `anchors`.
    pub anchor_lines: Vec<u32>,
}

/// A passage grows to about this many characters before it is cut at a good place.
const TARGET_CHARS: usize = 700;
/// A passage is cut here even without a good place.
const HARD_CHARS: usize = 1400;
/// Headings longer than this are shortened (outline titles can be whole sentences).
const MAX_HEADING_CHARS: usize = 90;

/// Parses a note. `file` is only used to tell Markdown from outline text.
pub fn parse_note(file: &str, text: &str) -> ParsedNote {
    let lines: Vec<&str> = text.lines().collect();
    let (front_matter, first) = front_matter(&lines);
    let mut note = ParsedNote {
        front_matter,
        ..ParsedNote::default()
    };
    let markdown_ext = !file.to_ascii_lowercase().ends_with(".txt");
    if !markdown_ext
        && !has_atx_heading(&lines[first..])
        && lines[first..].iter().any(|l| is_separator(l))
    {
        parse_outline(&lines, first, &mut note);
    } else {
        parse_markdown(&lines, first, &mut note);
    }
    note
}

/// GitHub-style anchor: lower-case, keep letters, digits, spaces, `-` and `_`, spaces → `-`.
/// `SSE-C (customer keys)` → `sse-c-customer-keys`.
pub fn slugify(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

fn front_matter(lines: &[&str]) -> (FrontMatter, usize) {
    let mut fm = FrontMatter::default();
    if lines.first().map(|l| l.trim()) != Some("---") {
        return (fm, 0);
    }
    let Some(close) = lines
        .iter()
        .enumerate()
        .skip(1)
        .take(40)
        .find(|(_, l)| l.trim() == "---")
        .map(|(i, _)| i)
    else {
        return (fm, 0);
    };
    let body = &lines[1..close];
    let looks_like_yaml = !body.is_empty()
        && body.iter().all(|l| {
            l.trim().is_empty()
                || l.trim_start().starts_with('#')
                || l.contains(':')
                || l.trim_start().starts_with("- ")
        });
    if !looks_like_yaml {
        return (fm, 0);
    }
    for line in body {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        match key.trim() {
            "title" => fm.title = Some(value.to_string()),
            "topic" => fm.topic = Some(value.to_string()),
            "exams" => {
                fm.exams = value
                    .trim_matches(|c| c == '[' || c == ']')
                    .split(',')
                    .map(|e| e.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
                    .filter(|e| !e.is_empty())
                    .collect();
            }
            _ => {}
        }
    }
    (fm, close + 1)
}

fn indent_of(line: &str) -> usize {
    let mut n = 0;
    for c in line.chars() {
        match c {
            ' ' => n += 1,
            '\t' => n += 4,
            _ => break,
        }
    }
    n
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// A line of three or more dashes and nothing else (indentation allowed).
fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && t.chars().all(|c| c == '-')
}

fn fence_marker(line: &str) -> Option<&'static str> {
    let t = line.trim_start();
    if t.starts_with("```") {
        Some("```")
    } else if t.starts_with("~~~") {
        Some("~~~")
    } else {
        None
    }
}

/// `## Title ##` → `(2, "Title")`.
fn atx_heading(line: &str) -> Option<(usize, String)> {
    if indent_of(line) > 3 {
        return None;
    }
    let t = line.trim_start();
    let level = t.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let title = clean_heading(rest.trim().trim_end_matches('#'));
    (!title.is_empty()).then_some((level, title))
}

fn has_atx_heading(lines: &[&str]) -> bool {
    let mut fence = None;
    for line in lines {
        if let Some(m) = fence_marker(line) {
            fence = if fence.is_some() { None } else { Some(m) };
            continue;
        }
        if fence.is_none() && atx_heading(line).is_some() {
            return true;
        }
    }
    false
}

/// A list marker (`- `, `* `, `+ `, `1. `) at the start of trimmed text, if any.
fn strip_list_marker(t: &str) -> Option<&str> {
    for m in ["- ", "* ", "+ "] {
        if let Some(rest) = t.strip_prefix(m) {
            return Some(rest);
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0
        && digits < 4
        && let Some(rest) = t[digits..]
            .strip_prefix(". ")
            .or_else(|| t[digits..].strip_prefix(") "))
    {
        return Some(rest);
    }
    None
}

/// `**Title**` or `**Title**:` alone → `Title`.
fn bold_only(t: &str) -> Option<String> {
    let t = t.trim().trim_end_matches(':').trim_end();
    let inner = t
        .strip_prefix("**")
        .and_then(|r| r.strip_suffix("**"))
        .or_else(|| t.strip_prefix("__").and_then(|r| r.strip_suffix("__")))?;
    if inner.trim().is_empty()
        || inner.contains("**")
        || inner.contains("__")
        || inner.chars().count() > 120
    {
        return None;
    }
    let title = clean_heading(inner);
    (!title.is_empty()).then_some(title)
}

/// `* [IAM Users](#iam-users)`: an entry of a generated table of contents.
fn is_toc_entry(t: &str) -> bool {
    let Some(rest) = strip_list_marker(t) else {
        return false;
    };
    let rest = rest.trim();
    rest.starts_with('[') && rest.ends_with(')') && rest.contains("](#")
}

/// Removes emphasis, code ticks, link targets and trailing colons from heading text.
fn clean_heading(raw: &str) -> String {
    let unlinked = strip_links(raw);
    let cleaned: String = unlinked
        .replace("**", "")
        .replace("__", "")
        .replace('`', "");
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = collapsed.trim_end_matches([':', ' ', '-']).trim();
    shorten(trimmed, MAX_HEADING_CHARS)
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for word in s.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = s.chars().take(max).collect();
    }
    out.push('…');
    out
}

/// `[text](url)` → `text`; `<https://x>` → `https://x`.
pub(crate) fn strip_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else {
            break;
        };
        let target = &after[close + 2..];
        let Some(end) = target.find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&after[..close]);
        rest = &target[end + 1..];
    }
    out.push_str(rest);
    // Autolinks: `<https://example.com>` → `https://example.com`.
    while let Some(open) = out.find("<http") {
        match out[open..].find('>') {
            Some(close) => {
                out.replace_range(open + close..open + close + 1, "");
                out.replace_range(open..open + 1, "");
            }
            None => break,
        }
    }
    out
}

/// Markdown-free text for indexing and snippets: list markers, emphasis, code ticks, link
/// targets and table pipes removed; one line per source line.
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('|') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
            continue; // table rule
        }
        let t = strip_list_marker(t).unwrap_or(t);
        let t = t.trim_start_matches('>').trim_start();
        let t = strip_links(t)
            .replace("**", "")
            .replace("__", "")
            .replace('`', "");
        let t = if t.contains('|') {
            t.trim_matches('|')
                .split('|')
                .map(str::trim)
                .filter(|cell| !cell.is_empty())
                .collect::<Vec<_>>()
                .join(" · ")
        } else {
            t
        };
        if t.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&t);
    }
    out
}

/// A section being collected: its heading path, the line of its heading, and its lines.
struct Section {
    path: Vec<String>,
    heading_line: Option<u32>,
    lines: Vec<(u32, String)>,
}

impl Section {
    fn new(path: Vec<String>, heading_line: Option<u32>) -> Self {
        Section {
            path,
            heading_line,
            lines: Vec::new(),
        }
    }
}

fn parse_markdown(lines: &[&str], first: usize, note: &mut ParsedNote) {
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut pseudo: Option<(String, Option<usize>)> = None; // bold heading, indent if a list item
    let mut fence: Option<&'static str> = None;
    let mut in_toc = false;
    let mut section = Section::new(Vec::new(), None);

    let path_of = |stack: &[(usize, String)], pseudo: &Option<(String, Option<usize>)>| {
        let mut p: Vec<String> = stack.iter().map(|(_, t)| t.clone()).collect();
        if let Some((t, _)) = pseudo {
            p.push(t.clone());
        }
        p
    };

    for (idx, line) in lines.iter().enumerate().skip(first) {
        let lineno = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        let t = line.trim();
        if let Some(marker) = fence {
            if t.starts_with(marker) {
                fence = None;
            }
            section.lines.push((lineno, (*line).to_string()));
            continue;
        }
        if let Some(marker) = fence_marker(line) {
            fence = Some(marker);
            section.lines.push((lineno, (*line).to_string()));
            continue;
        }
        if t.starts_with("<!--") {
            if t.to_ascii_lowercase().contains("toc") {
                in_toc = !in_toc;
            }
            continue;
        }
        if in_toc || is_toc_entry(t) || t.eq_ignore_ascii_case("[toc]") {
            continue;
        }
        if let Some((level, title)) = atx_heading(line) {
            flush(&mut section, &mut note.passages);
            while stack.last().is_some_and(|(l, _)| *l >= level) {
                stack.pop();
            }
            note.anchors.push(slugify(&title));
            note.anchor_lines.push(lineno);
            stack.push((level, title));
            pseudo = None;
            section = Section::new(path_of(&stack, &pseudo), Some(lineno));
            continue;
        }
        // End a list-item pseudo heading when the list returns to its level.
        if let Some((_, Some(item_indent))) = &pseudo
            && !is_blank(line)
            && indent_of(line) <= *item_indent
        {
            flush(&mut section, &mut note.passages);
            pseudo = None;
            section = Section::new(path_of(&stack, &pseudo), None);
        }
        if let Some(title) = bold_heading(lines, idx) {
            flush(&mut section, &mut note.passages);
            let item_indent = strip_list_marker(t).map(|_| indent_of(line));
            note.anchors.push(slugify(&title));
            note.anchor_lines.push(lineno);
            pseudo = Some((title, item_indent));
            section = Section::new(path_of(&stack, &pseudo), Some(lineno));
            continue;
        }
        if is_separator(line) || t == "***" || t == "___" {
            flush(&mut section, &mut note.passages);
            section = Section::new(path_of(&stack, &pseudo), None);
            continue;
        }
        section.lines.push((lineno, (*line).to_string()));
    }
    flush(&mut section, &mut note.passages);
}

/// A line that is only `**bold**` acts as a heading; as a list item it does so only when
/// nested lines follow it.
fn bold_heading(lines: &[&str], idx: usize) -> Option<String> {
    let line = lines[idx];
    let t = line.trim();
    match strip_list_marker(t) {
        None => bold_only(t),
        Some(item) => {
            let title = bold_only(item)?;
            let next = lines[idx + 1..].iter().find(|l| !is_blank(l))?;
            (indent_of(next) > indent_of(line)).then_some(title)
        }
    }
}

fn flush(section: &mut Section, out: &mut Vec<RawPassage>) {
    let lines = std::mem::take(&mut section.lines);
    out.extend(chunk(&section.path, section.heading_line, &lines));
}

/// Splits a section into passages of bounded size, cutting preferably at blank lines or at
/// lines as little indented as the section's least indented line (top-level bullets).
fn chunk(path: &[String], heading_line: Option<u32>, lines: &[(u32, String)]) -> Vec<RawPassage> {
    let nonblank: Vec<&(u32, String)> = lines.iter().filter(|(_, l)| !is_blank(l)).collect();
    if nonblank.is_empty() {
        return Vec::new();
    }
    let min_indent = nonblank
        .iter()
        .map(|(_, l)| indent_of(l))
        .min()
        .unwrap_or(0);
    let mut groups: Vec<Vec<&(u32, String)>> = Vec::new();
    let mut current: Vec<&(u32, String)> = Vec::new();
    let mut size = 0usize;
    let mut after_blank = false;
    for entry in lines {
        let (_, line) = entry;
        if is_blank(line) {
            after_blank = true;
            continue;
        }
        let len = line.trim().len() + 1;
        let good_break = after_blank || indent_of(line) <= min_indent;
        after_blank = false;
        if !current.is_empty()
            && ((size + len > TARGET_CHARS && good_break) || size + len > HARD_CHARS)
        {
            groups.push(std::mem::take(&mut current));
            size = 0;
        }
        current.push(entry);
        size += len;
    }
    if !current.is_empty() {
        groups.push(current);
    }

    let mut passages = Vec::with_capacity(groups.len());
    for (gi, group) in groups.iter().enumerate() {
        let Some(first) = group.first() else { continue };
        let Some(last) = group.last() else { continue };
        let mut heading_path = path.to_vec();
        let first_indent = indent_of(&first.1);
        if gi > 0 && first_indent > min_indent {
            // A continuation deep inside an outline: name the item it continues.
            if let Some((_, parent)) = lines
                .iter()
                .rev()
                .filter(|(n, l)| *n < first.0 && !is_blank(l))
                .find(|(_, l)| indent_of(l) < first_indent)
            {
                let label =
                    clean_heading(strip_list_marker(parent.trim()).unwrap_or(parent.trim()));
                if !label.is_empty() {
                    heading_path.push(label);
                }
            }
        }
        if heading_path.is_empty() {
            heading_path.push(clean_heading(
                strip_list_marker(first.1.trim()).unwrap_or(first.1.trim()),
            ));
        }
        let start_line = match (gi, heading_line) {
            (0, Some(h)) => h,
            _ => first.0,
        };
        let dedent = group.iter().map(|(_, l)| indent_of(l)).min().unwrap_or(0);
        let text = group
            .iter()
            .map(|(_, l)| dedent_line(l, dedent))
            .collect::<Vec<_>>()
            .join("\n");
        passages.push(RawPassage {
            heading_path,
            start_line,
            end_line: last.0,
            text,
        });
    }
    passages
}

fn dedent_line(line: &str, n: usize) -> String {
    let mut removed = 0;
    let mut chars = line.char_indices();
    let mut cut = line.len();
    for (i, c) in chars.by_ref() {
        if removed >= n {
            cut = i;
            break;
        }
        match c {
            ' ' => removed += 1,
            '\t' => removed += 4,
            _ => {
                cut = i;
                break;
            }
        }
    }
    if removed >= n && cut == line.len() && line.chars().all(|c| c == ' ' || c == '\t') {
        return String::new();
    }
    line[cut..].trim_end().to_string()
}

fn parse_outline(lines: &[&str], first: usize, note: &mut ParsedNote) {
    let mut blocks: Vec<Vec<usize>> = Vec::new();
    let mut current = Vec::new();
    for (idx, line) in lines.iter().enumerate().skip(first) {
        if is_separator(line) {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else if !is_blank(line) {
            current.push(idx);
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    // Consecutive small blocks under the same heading path become one passage: an outline
    // often separates one-line points with dashes, and one-line passages rank badly.
    let mut group: Option<Section> = None;
    let mut group_chars = 0usize;
    for block in blocks {
        let Some(&head) = block.first() else { continue };
        let base = indent_of(lines[head]);
        // The block's title: its first line(s) at the base indent when deeper lines follow.
        let deeper = block.iter().position(|&k| indent_of(lines[k]) > base);
        let title_len = match deeper {
            Some(j) if (1..=2).contains(&j) => j,
            _ => 0,
        };
        let mut path = outline_ancestors(lines, head, base, first);
        let mut heading_line = None;
        if title_len > 0 {
            let title = clean_heading(
                &block[..title_len]
                    .iter()
                    .map(|&k| lines[k].trim())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            note.anchors.push(slugify(&title));
            note.anchor_lines
                .push(u32::try_from(head + 1).unwrap_or(u32::MAX));
            path.push(title);
            heading_line = Some(u32::try_from(head + 1).unwrap_or(u32::MAX));
        }
        let body: Vec<(u32, String)> = block[title_len..]
            .iter()
            .map(|&k| {
                (
                    u32::try_from(k + 1).unwrap_or(u32::MAX),
                    lines[k].to_string(),
                )
            })
            .collect();
        let chars: usize = body.iter().map(|(_, l)| l.trim().len() + 1).sum();
        match &mut group {
            Some(g)
                if title_len == 0
                    && path.starts_with(&g.path)
                    && group_chars + chars <= TARGET_CHARS =>
            {
                if let Some(&(n, _)) = body.first() {
                    g.lines.push((n.saturating_sub(1), String::new()));
                }
                g.lines.extend(body);
                group_chars += chars;
            }
            _ => {
                if let Some(mut g) = group.take() {
                    flush(&mut g, &mut note.passages);
                }
                let mut g = Section::new(path, heading_line);
                g.lines = body;
                group = Some(g);
                group_chars = chars;
            }
        }
    }
    if let Some(mut g) = group.take() {
        flush(&mut g, &mut note.passages);
    }
}

/// The nearest earlier lines indented less than `indent`, outermost first.
fn outline_ancestors(lines: &[&str], idx: usize, indent: usize, first: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut threshold = indent;
    for k in (first..idx).rev() {
        if threshold == 0 || out.len() >= 4 {
            break;
        }
        let line = lines[k];
        if is_blank(line) || is_separator(line) {
            continue;
        }
        let ind = indent_of(line);
        if ind < threshold {
            out.push(clean_heading(
                strip_list_marker(line.trim()).unwrap_or(line.trim()),
            ));
            threshold = ind;
        }
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(note: &ParsedNote) -> Vec<String> {
        note.passages
            .iter()
            .map(|p| p.heading_path.join(" > "))
            .collect()
    }

    fn lines(note: &ParsedNote) -> Vec<(u32, u32)> {
        note.passages
            .iter()
            .map(|p| (p.start_line, p.end_line))
            .collect()
    }

    #[test]
    fn markdown_headings_nest_into_paths_with_line_ranges() {
        let text = "# Kinesis\nintro line\n\n## Data Streams\n\n### Shards\n1 MB/s in\n2 MB/s out\n\n## Firehose\nnear real time\n";
        let note = parse_note("kinesis.md", text);
        assert_eq!(
            paths(&note),
            [
                "Kinesis",
                "Kinesis > Data Streams > Shards",
                "Kinesis > Firehose"
            ]
        );
        assert_eq!(lines(&note), [(1, 2), (6, 8), (10, 11)]);
        assert_eq!(note.passages[1].text, "1 MB/s in\n2 MB/s out");
        assert_eq!(
            note.anchors,
            ["kinesis", "data-streams", "shards", "firehose"]
        );
    }

    #[test]
    fn bold_only_lines_act_as_headings() {
        let text = "# SQS\n**Visibility timeout**\ndefault 30 s\n**Long polling:**\nup to 20 s\n";
        let note = parse_note("sqs.md", text);
        assert_eq!(
            paths(&note),
            ["SQS > Visibility timeout", "SQS > Long polling"]
        );
        assert_eq!(lines(&note), [(2, 3), (4, 5)]);
    }

    #[test]
    fn bullet_lists_with_bold_items_and_nested_bullets_become_sections() {
        let text = "# S3 Security\n- **SSE-S3**:\n  + keys owned by AWS\n  + AES-256\n- **SSE-C**:\n  + ONLY HTTPS\n- plain bullet after\n";
        let note = parse_note("s3.md", text);
        assert_eq!(
            paths(&note),
            ["S3 Security > SSE-S3", "S3 Security > SSE-C", "S3 Security"]
        );
        assert_eq!(lines(&note), [(2, 4), (5, 6), (7, 7)]);
        assert_eq!(note.passages[1].text, "+ ONLY HTTPS");
    }

    #[test]
    fn a_bold_list_item_without_nested_lines_is_text() {
        let text = "# CloudFront\n- **signed URL**: one file\n- **signed cookies**\n- next\n";
        let note = parse_note("cf.md", text);
        assert_eq!(paths(&note), ["CloudFront"]);
        assert!(note.passages[0].text.contains("**signed cookies**"));
    }

    #[test]
    fn no_headings_inside_code_fences() {
        let text = "# Build\n```yaml\n# not a heading\nphases:\n```\nafter fence\n## Next\nx\n";
        let note = parse_note("b.md", text);
        assert_eq!(paths(&note), ["Build", "Build > Next"]);
        assert!(note.passages[0].text.contains("# not a heading"));
        assert_eq!(lines(&note), [(1, 6), (7, 8)]);
    }

    #[test]
    fn generated_tables_of_contents_are_skipped() {
        let text = "# Notes\n\n<!-- vim-markdown-toc GFM -->\n\n* [AWS IAM](#aws-iam)\n\t* [IAM Users](#iam-users)\n\n<!-- vim-markdown-toc -->\n\n## AWS IAM\nusers and roles\n";
        let note = parse_note("n.md", text);
        assert_eq!(paths(&note), ["Notes > AWS IAM"]);
        assert!(!note.passages.iter().any(|p| p.text.contains("iam-users")));
        assert_eq!(lines(&note), [(10, 11)]);
    }

    #[test]
    fn front_matter_is_read_and_not_indexed() {
        let text =
            "---\ntitle: Amazon Kinesis\nexams: DVA-C02, SAP-C02\n---\n\n# Kinesis\nstreams\n";
        let note = parse_note("kinesis.md", text);
        assert_eq!(note.front_matter.title.as_deref(), Some("Amazon Kinesis"));
        assert_eq!(note.front_matter.exams, ["DVA-C02", "SAP-C02"]);
        assert_eq!(paths(&note), ["Kinesis"]);
        assert_eq!(lines(&note), [(6, 7)]);
    }

    #[test]
    fn outline_blocks_split_on_dash_lines_with_titles_and_ancestors() {
        let text = "\
Notes header
------------------------------------
SQS
  long polling up to 20 s
  -----
  Visibility Timeout
    invisible to other consumers
    default 30 s
  ------
  DLQ
    after maxReceiveCount
------------------------------------
Security Groups - stateful
";
        let note = parse_note("notes.txt", text);
        assert_eq!(
            paths(&note),
            [
                "Notes header",
                "SQS",
                "SQS > Visibility Timeout",
                "SQS > DLQ",
                "Security Groups - stateful"
            ]
        );
        assert_eq!(lines(&note), [(1, 1), (3, 4), (6, 8), (10, 11), (13, 13)]);
        assert_eq!(
            note.passages[2].text,
            "invisible to other consumers\ndefault 30 s"
        );
    }

    #[test]
    fn indented_separators_start_nested_blocks_under_their_parent_path() {
        let text = "EC2\n  Instance Profile\n    passes a role\n    -----\n    the SDK uses IMDS\n";
        let note = parse_note("n.txt", text);
        // The nested block is small and lies under the first block's path: one passage.
        assert_eq!(paths(&note), ["EC2"]);
        assert_eq!(lines(&note), [(1, 5)]);
        let bigger = text.replace("the SDK uses IMDS", &"the SDK uses IMDS ".repeat(60));
        let note = parse_note("n.txt", &bigger);
        assert_eq!(paths(&note), ["EC2", "EC2 > Instance Profile"]);
    }

    #[test]
    fn small_outline_blocks_under_one_heading_merge_into_one_passage() {
        let text = "DynamoDB\n  Transactions API\n    all or nothing\n    -----\n    2x the capacity\n    -----\n    TransactWriteItems\n  -----\n  Streams\n    24 h\n";
        let note = parse_note("n.txt", text);
        assert_eq!(paths(&note), ["DynamoDB", "DynamoDB > Streams"]);
        assert_eq!(lines(&note), [(1, 7), (9, 10)]);
        assert_eq!(
            note.passages[0].text,
            "Transactions API\n  all or nothing\n  2x the capacity\n  TransactWriteItems"
        );
    }

    #[test]
    fn long_sections_are_split_into_bounded_passages_keeping_the_path() {
        let mut text = String::from("# Limits\n## Lambda\n");
        for i in 0..80 {
            text.push_str(&format!(
                "- limit number {i} is a fact worth remembering for the exam\n"
            ));
        }
        let note = parse_note("l.md", &text);
        assert!(note.passages.len() > 3, "{}", note.passages.len());
        for p in &note.passages {
            assert_eq!(p.heading_path, ["Limits", "Lambda"]);
            assert!(p.text.len() <= HARD_CHARS, "{}", p.text.len());
        }
        // Consecutive, non-overlapping, covering every line.
        assert_eq!(note.passages[0].start_line, 2);
        for w in note.passages.windows(2) {
            assert_eq!(w[1].start_line, w[0].end_line + 1);
        }
        assert_eq!(note.passages.last().map(|p| p.end_line), Some(82));
    }

    #[test]
    fn windows_line_endings_and_empty_files_are_fine() {
        let note = parse_note("w.md", "# A\r\ntext\r\n");
        assert_eq!(note.passages[0].text, "text");
        assert!(parse_note("e.md", "").passages.is_empty());
        assert!(parse_note("e.txt", "\n\n-----\n\n").passages.is_empty());
    }

    #[test]
    fn slugs_follow_github() {
        assert_eq!(slugify("Enhanced fan-out"), "enhanced-fan-out");
        assert_eq!(slugify("SSE-C (customer keys)"), "sse-c-customer-keys");
        assert_eq!(slugify("Lambda@Edge"), "lambdaedge");
        assert_eq!(slugify("Scan vs Query"), "scan-vs-query");
    }

    #[test]
    fn plain_text_drops_markdown_syntax() {
        let text = "- **SSE-S3**: `AES256`\n| a | b |\n|---|---|\n| | d |\n> see [docs](https://x)";
        assert_eq!(plain_text(text), "SSE-S3: AES256\na · b\nd\nsee docs");
    }
}
