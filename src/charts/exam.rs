//! Purpose: a mock exam's result as a picture: one bar per exam domain (share answered
//! correctly), green at or above the passing mark and red below it, each crossed by a marker at
//! the passing mark.
//!
//! Must not grade: the exam module's per-domain counts and passing mark come in as they are.

use super::canvas::{Align, Canvas};
use super::theme::{self, PAD, WIDTH};
use super::{Chart, ChartError, draw_title, paint};

/// A finished mock exam, per domain.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamResultData {
    /// Heading, such as "DVA-C02 mock exam · 74%, passed" (may be empty).
    pub title: String,
    pub domains: Vec<DomainScore>,
    /// The passing mark as a percent of questions, 0..=100 (720 of 1,000 is 72).
    pub passing_percent: f64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainScore {
    pub domain: String,
    pub correct: u32,
    pub answered: u32,
}

/// What the exam picture drew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamFigures {
    pub passing_pct: u8,
    /// Domains with at least one question, in the order given.
    pub domains: Vec<DomainResult>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainResult {
    pub domain: String,
    pub correct: u32,
    pub answered: u32,
    pub pct: u8,
    /// At or above the passing mark.
    pub passed: bool,
}

fn exam_figures(data: &ExamResultData) -> Result<ExamFigures, ChartError> {
    let passing_pct = super::percent(data.passing_percent / 100.0);
    let domains: Vec<DomainResult> = data
        .domains
        .iter()
        .filter(|d| d.answered > 0)
        .map(|d| {
            let correct = d.correct.min(d.answered);
            let pct = super::percent(f64::from(correct) / f64::from(d.answered));
            DomainResult {
                domain: d.domain.trim().to_string(),
                correct,
                answered: d.answered,
                pct,
                passed: pct >= passing_pct,
            }
        })
        .collect();
    if domains.is_empty() {
        return Err(ChartError::NoData("no domain of this exam was answered"));
    }
    Ok(ExamFigures {
        passing_pct,
        domains,
    })
}

/// Draws the per-domain result against the passing mark; [`ChartError::NoData`] when no domain
/// has an answered question.
pub fn render_exam_result(data: &ExamResultData) -> Result<Chart<ExamFigures>, ChartError> {
    render_with_layout(data).map(|(chart, _)| chart)
}

/// Per domain in figure order: the bar's left edge, vertical middle and full width.
pub(super) type ExamLayout = Vec<(f32, f32, f32)>;

pub(super) fn render_with_layout(
    data: &ExamResultData,
) -> Result<(Chart<ExamFigures>, ExamLayout), ChartError> {
    let figures = exam_figures(data)?;
    let (png, width, height, layout) = paint(|c| draw(c, &data.title, &figures))?;
    Ok((
        Chart {
            png,
            width,
            height,
            figures,
        },
        layout,
    ))
}

const BAR_H: f32 = 22.0;

fn draw(c: &mut Canvas, title: &str, f: &ExamFigures) -> (f32, ExamLayout) {
    let mut y = draw_title(c, title, PAD);
    let mut layout = Vec::new();

    // Legend: what the marker across the bars means.
    let small = theme::SMALL;
    y += 6.0;
    let base = y + c.ascent(small.size);
    c.line(
        (PAD + 2.0, base - 17.0),
        (PAD + 2.0, base + 3.0),
        3.0,
        theme::WHISKER,
    );
    let mut x = PAD + 14.0;
    x += c.text(
        &format!("passing mark {}%", f.passing_pct),
        x,
        base,
        small,
        Align::Left,
    );
    for (color, label) in [(theme::PASS, "at or above"), (theme::FAIL, "below")] {
        x += 24.0;
        c.fill_round_rect(x, base - 14.0, 14.0, 14.0, 3.0, color);
        x += 22.0;
        x += c.text(label, x, base, small, Align::Left);
    }
    y += c.line_height(small.size) + 18.0;

    let label = theme::LABEL;
    let pct_style = theme::LABEL.bold();
    let count_style = theme::LABEL.with_color(theme::MUTED);
    let (bar_x, bar_w) = (PAD, WIDTH - 2.0 * PAD);
    let pass_x = bar_x + bar_w * f32::from(f.passing_pct) / 100.0;
    for d in &f.domains {
        let base = y + c.ascent(label.size);
        let mark = if d.passed { "✓" } else { "✗" };
        let mark_style = pct_style.with_color(if d.passed { theme::PASS } else { theme::FAIL });
        let mut right = WIDTH - PAD;
        right -= c.text(mark, right, base, mark_style, Align::Right) + 10.0;
        right -= c.text(
            &format!("  {} of {}", d.correct, d.answered),
            right,
            base,
            count_style,
            Align::Right,
        );
        right -= c.text(&format!("{}%", d.pct), right, base, pct_style, Align::Right);
        let name = c.fit(&d.domain, label, right - PAD - 16.0);
        c.text(&name, PAD, base, label, Align::Left);
        y += c.line_height(label.size) + 4.0;

        let color = if d.passed { theme::PASS } else { theme::FAIL };
        let r = 5.0;
        c.fill_round_rect(bar_x, y, bar_w, BAR_H, r, theme::TRACK);
        let filled = bar_w * f32::from(d.pct) / 100.0;
        if filled > 0.0 {
            c.fill_round_rect(bar_x, y, filled.max(2.0 * r), BAR_H, r, color);
        }
        c.line(
            (pass_x, y - 5.0),
            (pass_x, y + BAR_H + 5.0),
            3.0,
            theme::WHISKER,
        );
        layout.push((bar_x, y + BAR_H / 2.0, bar_w));
        y += BAR_H + 22.0;
    }
    (y - 22.0, layout)
}

#[cfg(test)]
mod tests {
    use super::super::testing::decode;
    use super::*;

    fn score(domain: &str, correct: u32, answered: u32) -> DomainScore {
        DomainScore {
            domain: domain.to_string(),
            correct,
            answered,
        }
    }

    fn result() -> ExamResultData {
        ExamResultData {
            title: "DVA-C02 mock exam · 66%".to_string(),
            domains: vec![
                score("Development with AWS Services", 17, 21),
                score("Security", 8, 17),
                score("Deployment", 12, 16),
                score("Troubleshooting and Optimization", 0, 0),
            ],
            passing_percent: 72.0,
        }
    }

    #[test]
    fn exam_result_marks_each_domain_against_the_passing_mark() {
        let (chart, _) = render_with_layout(&result()).expect("a chart");
        let f = &chart.figures;
        assert_eq!(f.passing_pct, 72);
        let drawn: Vec<(&str, u8, bool)> = f
            .domains
            .iter()
            .map(|d| (d.domain.as_str(), d.pct, d.passed))
            .collect();
        assert_eq!(
            drawn,
            [
                ("Development with AWS Services", 81, true),
                ("Security", 47, false),
                ("Deployment", 75, true),
            ],
            "an unasked domain is left out"
        );
        let png = decode(&chart.png);
        assert_eq!((png.width, png.height), (1600, chart.height));
    }

    #[test]
    fn exam_bars_are_green_above_the_line_red_below_and_as_long_as_the_score() {
        let (chart, layout) = render_with_layout(&result()).expect("a chart");
        let png = decode(&chart.png);
        let (x, mid, w) = layout[1];
        // Red up to 47%, and the passing marker at 72% is light.
        let red = png.run_of(theme::FAIL, x + 4.0, mid, w);
        assert!((red + 4.0 - 0.47 * w).abs() < 3.0, "{red}");
        assert_eq!(png.at(x + 0.72 * w, mid), theme::WHISKER);
        assert_eq!(png.at(x + 0.6 * w, mid), theme::TRACK);
        let (x, mid, w) = layout[0];
        assert_eq!(png.at(x + 0.5 * w, mid), theme::PASS);
    }

    #[test]
    fn an_exam_with_no_answered_domain_gets_no_data() {
        let mut data = result();
        data.domains.retain(|d| d.answered == 0);
        assert!(matches!(
            render_exam_result(&data),
            Err(ChartError::NoData(_))
        ));
    }

    #[test]
    fn more_correct_than_answered_is_clamped() {
        let data = ExamResultData {
            title: String::new(),
            domains: vec![score("Security", 9, 3)],
            passing_percent: 250.0,
        };
        let chart = render_exam_result(&data).expect("a chart");
        assert_eq!(chart.figures.domains[0].pct, 100);
        assert_eq!(chart.figures.passing_pct, 100);
        assert!(chart.figures.domains[0].passed);
    }
}
