//! Purpose: a member's `/stats` picture: accuracy (and predicted recall once personal review
//! exists) per topic as sorted horizontal bars, answers per day over the last twelve weeks as a
//! calendar heatmap (weeks as columns, Monday to Sunday as rows), and readiness per exam domain
//! with its likely range. A section without data is left out; no section at all is
//! [`ChartError::NoData`]. The same figures print as Unicode bars for the terminal.
//!
//! Must not read the store or the clock: `today` comes in with the data.

use std::fmt;

use chrono::{Datelike, Days, NaiveDate};

use super::canvas::{Align, Canvas};
use super::theme::{self, PAD, TextStyle, WIDTH};
use super::{Chart, ChartError, draw_title, paint, percent, short_date};

/// Topics drawn at most; with more, the most-answered ones are kept.
pub const MAX_TOPICS: usize = 12;
/// Weeks in the heatmap, the current one last.
pub const HEATMAP_WEEKS: u32 = 12;

/// Everything the `/stats` picture shows, as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressData {
    /// Heading of the picture, such as "Progress · alice" (may be empty).
    pub title: String,
    pub topics: Vec<TopicStat>,
    /// Answers per local date, any order; repeated dates add up.
    pub days: Vec<(NaiveDate, u32)>,
    /// The member's local date: the heatmap ends on it.
    pub today: NaiveDate,
    pub readiness: Vec<DomainReadiness>,
}

/// One topic's answers.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicStat {
    pub topic: String,
    pub answered: u32,
    /// Share answered correctly, 0..=1.
    pub accuracy: f64,
    /// Predicted recall from the personal review, 0..=1, once it exists.
    pub recall: Option<f64>,
}

/// The readiness estimate for one exam domain, with its likely range (all 0..=1).
#[derive(Debug, Clone, PartialEq)]
pub struct DomainReadiness {
    /// Exam code, such as "DVA-C02": domains are grouped under it in the order first seen.
    pub exam: String,
    pub domain: String,
    pub readiness: f64,
    pub low: f64,
    pub high: f64,
}

/// What the `/stats` picture drew.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressFigures {
    pub title: String,
    /// Topics with answers, best accuracy first (then most answered, then by name).
    pub topics: Vec<TopicFigure>,
    /// Topics with answers left out because of [`MAX_TOPICS`].
    pub topics_hidden: usize,
    /// `None` when there were no answers in the last [`HEATMAP_WEEKS`] weeks.
    pub heatmap: Option<HeatmapFigure>,
    pub readiness: Vec<ExamReadiness>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicFigure {
    pub topic: String,
    pub answered: u32,
    pub accuracy_pct: u8,
    pub recall_pct: Option<u8>,
}

/// Answers per day from the Monday [`HEATMAP_WEEKS`] − 1 weeks before `today`'s week to `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatmapFigure {
    /// A Monday: the first cell (top left).
    pub first_day: NaiveDate,
    pub today: NaiveDate,
    /// Answers per day, `counts[0]` on `first_day`, the last on `today`.
    pub counts: Vec<u32>,
    /// Colour level per day: 0 for none, 1..=4 in quarters of the busiest day.
    pub levels: Vec<u8>,
    pub total: u32,
    pub active_days: u32,
    /// The first day with the most answers, and how many.
    pub busiest: (NaiveDate, u32),
}

impl HeatmapFigure {
    /// Index of `date` in `counts`, when it is in the window.
    pub fn index_of(&self, date: NaiveDate) -> Option<usize> {
        let i = usize::try_from((date - self.first_day).num_days()).ok()?;
        (i < self.counts.len()).then_some(i)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamReadiness {
    pub exam: String,
    pub domains: Vec<DomainReadinessFigure>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainReadinessFigure {
    pub domain: String,
    pub readiness_pct: u8,
    pub low_pct: u8,
    pub high_pct: u8,
}

/// The figures of the `/stats` picture without drawing it (the terminal prints these).
pub fn progress_figures(data: &ProgressData) -> Result<ProgressFigures, ChartError> {
    let mut topics: Vec<TopicFigure> = data
        .topics
        .iter()
        .filter(|t| t.answered > 0)
        .map(|t| TopicFigure {
            topic: t.topic.trim().to_string(),
            answered: t.answered,
            accuracy_pct: percent(t.accuracy),
            recall_pct: t.recall.map(percent),
        })
        .collect();
    let mut topics_hidden = 0;
    if topics.len() > MAX_TOPICS {
        topics.sort_by(|a, b| {
            b.answered
                .cmp(&a.answered)
                .then_with(|| a.topic.cmp(&b.topic))
        });
        topics_hidden = topics.len() - MAX_TOPICS;
        topics.truncate(MAX_TOPICS);
    }
    topics.sort_by(|a, b| {
        b.accuracy_pct
            .cmp(&a.accuracy_pct)
            .then(b.answered.cmp(&a.answered))
            .then_with(|| a.topic.cmp(&b.topic))
    });

    let mut readiness: Vec<ExamReadiness> = Vec::new();
    for d in &data.readiness {
        let (mut low, mut high) = (percent(d.low), percent(d.high));
        if low > high {
            std::mem::swap(&mut low, &mut high);
        }
        let figure = DomainReadinessFigure {
            domain: d.domain.trim().to_string(),
            readiness_pct: percent(d.readiness),
            low_pct: low,
            high_pct: high,
        };
        match readiness.iter_mut().find(|e| e.exam == d.exam.trim()) {
            Some(exam) => exam.domains.push(figure),
            None => readiness.push(ExamReadiness {
                exam: d.exam.trim().to_string(),
                domains: vec![figure],
            }),
        }
    }

    let heatmap = heatmap_figure(&data.days, data.today);
    if topics.is_empty() && heatmap.is_none() && readiness.is_empty() {
        return Err(ChartError::NoData("no answers and no readiness yet"));
    }
    Ok(ProgressFigures {
        title: data.title.trim().to_string(),
        topics,
        topics_hidden,
        heatmap,
        readiness,
    })
}

fn heatmap_figure(days: &[(NaiveDate, u32)], today: NaiveDate) -> Option<HeatmapFigure> {
    let back = u64::from(today.weekday().num_days_from_monday()) + 7 * u64::from(HEATMAP_WEEKS - 1);
    let first_day = today.checked_sub_days(Days::new(back))?;
    let mut counts = vec![0u32; back as usize + 1];
    for &(date, n) in days {
        if let Ok(i) = usize::try_from((date - first_day).num_days())
            && let Some(slot) = counts.get_mut(i)
        {
            *slot = slot.saturating_add(n);
        }
    }
    let total = counts.iter().fold(0u32, |a, &n| a.saturating_add(n));
    if total == 0 {
        return None;
    }
    let max = counts.iter().copied().max().unwrap_or(0);
    let busiest_index = counts.iter().position(|&n| n == max).unwrap_or(0);
    let busiest_day = first_day.checked_add_days(Days::new(busiest_index as u64))?;
    Some(HeatmapFigure {
        first_day,
        today,
        levels: counts.iter().map(|&n| level(n, max)).collect(),
        active_days: counts.iter().filter(|&&n| n > 0).count() as u32,
        total,
        busiest: (busiest_day, max),
        counts,
    })
}

/// 0 for no answers, else 1..=4: which quarter of the busiest day's count `n` reaches.
fn level(n: u32, max: u32) -> u8 {
    if n == 0 || max == 0 {
        return 0;
    }
    (4 * u64::from(n)).div_ceil(u64::from(max)).clamp(1, 4) as u8
}

/// Draws the `/stats` picture; [`ChartError::NoData`] when there is nothing to show.
pub fn render_progress(data: &ProgressData) -> Result<Chart<ProgressFigures>, ChartError> {
    render_with_layout(data).map(|(chart, _)| chart)
}

/// Where things were drawn, in logical pixels, for the tests to look at.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct ProgressLayout {
    /// Per topic in figure order: the accuracy bar's left edge, vertical middle and full width.
    pub topic_bars: Vec<(f32, f32, f32)>,
    /// Heatmap grid: left, top, pitch and cell size.
    pub heatmap: Option<(f32, f32, f32, f32)>,
}

pub(super) fn render_with_layout(
    data: &ProgressData,
) -> Result<(Chart<ProgressFigures>, ProgressLayout), ChartError> {
    let figures = progress_figures(data)?;
    let (png, width, height, layout) = paint(|c| draw(c, &figures))?;
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

fn draw(c: &mut Canvas, f: &ProgressFigures) -> (f32, ProgressLayout) {
    let mut layout = ProgressLayout::default();
    let mut y = draw_title(c, &f.title, PAD);
    let mut first = true;
    let mut gap = |c: &mut Canvas, y: f32| {
        let was_first = std::mem::replace(&mut first, false);
        if was_first {
            y + 20.0
        } else {
            let line_y = y + theme::SECTION_GAP / 2.0;
            c.line((PAD, line_y), (WIDTH - PAD, line_y), 1.5, theme::GRID);
            y + theme::SECTION_GAP
        }
    };
    if !f.topics.is_empty() {
        y = gap(c, y);
        y = draw_topics(c, f, y, &mut layout);
    }
    if let Some(heatmap) = &f.heatmap {
        y = gap(c, y);
        y = draw_heatmap(c, heatmap, y, &mut layout);
    }
    for exam in &f.readiness {
        y = gap(c, y);
        y = draw_readiness(c, exam, y);
    }
    (y, layout)
}

/// A legend entry's symbol.
#[derive(Debug, Clone, Copy)]
enum Key {
    /// A filled square of the bar colour.
    Swatch(theme::Rgb),
    /// A line with end ticks, as the likely range is drawn.
    Range(theme::Rgb),
}

/// A section heading with an optional legend on its right; returns the `y` below it.
fn heading(c: &mut Canvas, text: &str, legend: &[(Key, &str)], y: f32) -> f32 {
    let baseline = y + c.ascent(theme::HEADING.size);
    let mut right = WIDTH - PAD;
    for &(key, label) in legend.iter().rev() {
        right -= c.text(label, right, baseline, theme::SMALL, Align::Right) + 8.0;
        let size = 14.0;
        let mid = baseline - size / 2.0 + 1.0;
        match key {
            Key::Swatch(color) => {
                c.fill_round_rect(right - size, mid - size / 2.0, size, size, 3.0, color)
            }
            Key::Range(color) => {
                let (l, r) = (right - 2.0 * size, right - 1.5);
                c.line((l, mid), (r, mid), 2.5, color);
                c.line((l, mid - 7.0), (l, mid + 7.0), 2.5, color);
                c.line((r, mid - 7.0), (r, mid + 7.0), 2.5, color);
                right -= size;
            }
        }
        right -= size + 18.0;
    }
    let text = c.fit(text, theme::HEADING, right - PAD);
    c.text(&text, PAD, baseline, theme::HEADING, Align::Left);
    y + c.line_height(theme::HEADING.size) + 10.0
}

fn draw_topics(c: &mut Canvas, f: &ProgressFigures, y: f32, layout: &mut ProgressLayout) -> f32 {
    let any_recall = f.topics.iter().any(|t| t.recall_pct.is_some());
    let legend: &[(Key, &str)] = if any_recall {
        &[
            (Key::Swatch(theme::ACCURACY), "accuracy"),
            (Key::Swatch(theme::RECALL), "recall"),
        ]
    } else {
        &[]
    };
    let mut y = heading(c, "Accuracy by topic", legend, y);

    let label = theme::LABEL;
    let pct_style = theme::LABEL.bold();
    let of_style = theme::LABEL.with_color(theme::MUTED);
    let label_w = f
        .topics
        .iter()
        .map(|t| c.text_width(&t.topic, label))
        .fold(0.0, f32::max)
        .min(220.0);
    let value_w = f
        .topics
        .iter()
        .map(|t| {
            c.text_width(&format!("{}%", t.accuracy_pct), pct_style)
                + c.text_width(&format!(" of {}", t.answered), of_style)
        })
        .fold(0.0, f32::max);
    let bar_x = PAD + label_w + 16.0;
    let bar_w = (WIDTH - PAD - value_w - 14.0 - bar_x).max(80.0);
    let value_x = bar_x + bar_w + 14.0;
    let acc_h = if any_recall { 18.0 } else { 22.0 };
    let recall_h = 10.0;
    let cap = c.cap_height(label.size);

    for t in &f.topics {
        let mid = y + acc_h / 2.0;
        let name = c.fit(&t.topic, label, label_w);
        c.text(&name, PAD, mid + cap / 2.0, label, Align::Left);
        bar(c, bar_x, y, bar_w, acc_h, t.accuracy_pct, theme::ACCURACY);
        let w = c.text(
            &format!("{}%", t.accuracy_pct),
            value_x,
            mid + cap / 2.0,
            pct_style,
            Align::Left,
        );
        c.text(
            &format!(" of {}", t.answered),
            value_x + w,
            mid + cap / 2.0,
            of_style,
            Align::Left,
        );
        layout.topic_bars.push((bar_x, mid, bar_w));
        y += acc_h;
        if any_recall {
            y += 4.0;
            if let Some(recall) = t.recall_pct {
                bar(c, bar_x, y, bar_w, recall_h, recall, theme::RECALL);
                let small = theme::SMALL.with_color(theme::RECALL);
                let small_cap = c.cap_height(small.size);
                c.text(
                    &format!("{recall}%"),
                    value_x,
                    y + recall_h / 2.0 + small_cap / 2.0,
                    small,
                    Align::Left,
                );
            }
            y += recall_h;
        }
        y += if any_recall { 16.0 } else { 14.0 };
    }
    if f.topics_hidden > 0 {
        let note = format!(
            "The {} topics with the most answers, of {}",
            f.topics.len(),
            f.topics.len() + f.topics_hidden
        );
        c.text(
            &note,
            PAD,
            y + c.ascent(theme::SMALL.size),
            theme::SMALL,
            Align::Left,
        );
        y += c.line_height(theme::SMALL.size);
    }
    y - 8.0
}

/// A rounded 0–100 % bar: the track, then `pct` of it in `color`.
fn bar(c: &mut Canvas, x: f32, y: f32, w: f32, h: f32, pct: u8, color: theme::Rgb) {
    let r = (h / 2.0).min(5.0);
    c.fill_round_rect(x, y, w, h, r, theme::TRACK);
    let filled = w * f32::from(pct) / 100.0;
    if filled > 0.0 {
        c.fill_round_rect(x, y, filled.max(2.0 * r.min(3.0)), h, r, color);
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn draw_heatmap(c: &mut Canvas, h: &HeatmapFigure, y: f32, layout: &mut ProgressLayout) -> f32 {
    let y = heading(c, "Answers per day, last 12 weeks", &[], y);
    let small = theme::SMALL;
    let (pitch, cell) = (40.0, 34.0);
    let day_w = WEEKDAYS
        .iter()
        .map(|d| c.text_width(d, small))
        .fold(0.0, f32::max);
    let grid_x = PAD + day_w + 12.0;
    let weeks = h.counts.len().div_ceil(7);

    // Month names above the first column of each month (the first column only if there is room).
    let month_base = y + c.ascent(small.size);
    let mut labels: Vec<(usize, String)> = Vec::new();
    let mut previous_month = None;
    for (col, monday) in h.first_day.iter_weeks().take(weeks).enumerate() {
        if previous_month != Some(monday.month()) {
            labels.push((col, month_name(monday)));
            previous_month = Some(monday.month());
        }
    }
    if labels.len() > 1 && labels[1].0 < 2 {
        labels.remove(0);
    }
    for (col, name) in &labels {
        c.text(
            name,
            grid_x + *col as f32 * pitch,
            month_base,
            small,
            Align::Left,
        );
    }
    let grid_y = y + c.line_height(small.size) + 4.0;

    let cap = c.cap_height(small.size);
    for (row, name) in WEEKDAYS.iter().enumerate() {
        let mid = grid_y + row as f32 * pitch + cell / 2.0;
        c.text(name, PAD, mid + cap / 2.0, small, Align::Left);
    }
    for (i, &level) in h.levels.iter().enumerate() {
        let (col, row) = ((i / 7) as f32, (i % 7) as f32);
        let (x, cy) = (grid_x + col * pitch, grid_y + row * pitch);
        c.fill_round_rect(
            x,
            cy,
            cell,
            cell,
            6.0,
            theme::HEAT[usize::from(level.min(4))],
        );
    }
    if let Some(i) = h.index_of(h.today) {
        let (col, row) = ((i / 7) as f32, (i % 7) as f32);
        let (x, cy) = (grid_x + col * pitch, grid_y + row * pitch);
        c.stroke_round_rect(
            [x - 2.5, cy - 2.5, cell + 5.0, cell + 5.0],
            8.0,
            2.0,
            theme::TEXT,
        );
    }
    layout.heatmap = Some((grid_x, grid_y, pitch, cell));

    // The figures beside the grid.
    let stats_x = grid_x + HEATMAP_WEEKS as f32 * pitch + 26.0;
    let stats_w = WIDTH - PAD - stats_x;
    let number = TextStyle {
        size: 30.0,
        color: theme::TEXT,
        bold: true,
    };
    let stats = [
        (h.total.to_string(), plural(h.total, "answer", "answers")),
        (
            h.active_days.to_string(),
            plural(h.active_days, "active day", "active days"),
        ),
        (
            h.busiest.1.to_string(),
            format!("best day, {}", short_date(h.busiest.0)),
        ),
    ];
    let mut sy = grid_y - 4.0;
    for (value, caption) in &stats {
        c.text(
            value,
            stats_x,
            sy + c.ascent(number.size),
            number,
            Align::Left,
        );
        sy += c.line_height(number.size);
        let caption = c.fit(caption, small, stats_w);
        c.text(
            &caption,
            stats_x,
            sy + c.ascent(small.size),
            small,
            Align::Left,
        );
        sy += c.line_height(small.size) + 16.0;
    }

    // Legend under the grid.
    let legend_y = grid_y + 7.0 * pitch + 6.0;
    let base = legend_y + c.ascent(small.size);
    let mut x = grid_x;
    x += c.text("Less", x, base, small, Align::Left) + 10.0;
    let swatch = 18.0;
    for color in theme::HEAT {
        c.fill_round_rect(x, base - swatch + 2.0, swatch, swatch, 4.0, color);
        x += swatch + 5.0;
    }
    c.text("More", x + 5.0, base, small, Align::Left);
    legend_y + c.line_height(small.size)
}

fn month_name(date: NaiveDate) -> String {
    short_date(date)
        .split_once(' ')
        .map(|(_, month)| month.to_string())
        .unwrap_or_default()
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 { one } else { many }.to_string()
}

fn draw_readiness(c: &mut Canvas, exam: &ExamReadiness, y: f32) -> f32 {
    let title = format!("Readiness · {}", exam.exam);
    let mut y = heading(
        c,
        &title,
        &[
            (Key::Swatch(theme::READINESS), "estimate"),
            (Key::Range(theme::WHISKER), "likely range"),
        ],
        y,
    );
    let label = theme::LABEL;
    let pct_style = theme::LABEL.bold();
    let range_style = theme::LABEL.with_color(theme::MUTED);
    let bar_h = 16.0;
    for d in &exam.domains {
        let base = y + c.ascent(label.size);
        let range = format!("  {}–{}%", d.low_pct, d.high_pct);
        let range_w = c.text(&range, WIDTH - PAD, base, range_style, Align::Right);
        let pct_w = c.text(
            &format!("{}%", d.readiness_pct),
            WIDTH - PAD - range_w,
            base,
            pct_style,
            Align::Right,
        );
        let name = c.fit(&d.domain, label, WIDTH - 2.0 * PAD - range_w - pct_w - 16.0);
        c.text(&name, PAD, base, label, Align::Left);
        y += c.line_height(label.size) + 2.0;

        let (x, w) = (PAD, WIDTH - 2.0 * PAD);
        bar(c, x, y, w, bar_h, d.readiness_pct, theme::READINESS);
        let at = |pct: u8| x + w * f32::from(pct) / 100.0;
        let mid = y + bar_h / 2.0;
        let (lo, hi) = (at(d.low_pct), at(d.high_pct));
        c.line((lo, mid), (hi, mid), 3.0, theme::WHISKER);
        c.line((lo, y - 3.0), (lo, y + bar_h + 3.0), 3.0, theme::WHISKER);
        c.line((hi, y - 3.0), (hi, y + bar_h + 3.0), 3.0, theme::WHISKER);
        y += bar_h + 18.0;
    }
    y - 8.0
}

/// The figures as text with Unicode bars, for the terminal.
impl fmt::Display for ProgressFigures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.title.is_empty() {
            writeln!(f, "{}", self.title)?;
        }
        if !self.topics.is_empty() {
            writeln!(f, "\nAccuracy by topic")?;
            let width = self
                .topics
                .iter()
                .map(|t| t.topic.chars().count())
                .max()
                .unwrap_or(0);
            for t in &self.topics {
                write!(
                    f,
                    "  {:<width$}  {}  {:>3}% of {}",
                    t.topic,
                    text_bar(t.accuracy_pct, 20),
                    t.accuracy_pct,
                    t.answered
                )?;
                if let Some(r) = t.recall_pct {
                    write!(f, "   recall {r}%")?;
                }
                writeln!(f)?;
            }
            if self.topics_hidden > 0 {
                writeln!(f, "  (and {} more topics)", self.topics_hidden)?;
            }
        }
        if let Some(h) = &self.heatmap {
            writeln!(
                f,
                "\nAnswers per day, last {HEATMAP_WEEKS} weeks: {} on {} {} (best {} on {})",
                h.total,
                h.active_days,
                plural(h.active_days, "day", "days"),
                h.busiest.1,
                h.busiest.0
            )?;
            const SHADES: [char; 5] = ['·', '░', '▒', '▓', '█'];
            for (row, name) in WEEKDAYS.iter().enumerate() {
                write!(f, "  {name} ")?;
                for level in h.levels.iter().skip(row).step_by(7) {
                    write!(f, "{}", SHADES[usize::from(*level.min(&4))])?;
                }
                writeln!(f)?;
            }
        }
        for exam in &self.readiness {
            writeln!(f, "\nReadiness · {}", exam.exam)?;
            let width = exam
                .domains
                .iter()
                .map(|d| d.domain.chars().count())
                .max()
                .unwrap_or(0);
            for d in &exam.domains {
                writeln!(
                    f,
                    "  {:<width$}  {}  {:>3}% ({}–{}%)",
                    d.domain,
                    text_bar(d.readiness_pct, 20),
                    d.readiness_pct,
                    d.low_pct,
                    d.high_pct
                )?;
            }
        }
        Ok(())
    }
}

/// `pct` of `cells` character cells in eighth blocks, padded with light shade.
fn text_bar(pct: u8, cells: usize) -> String {
    const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    let eighths = (usize::from(pct.min(100)) * cells * 8 + 50) / 100;
    let mut s: String = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8 - 1]);
    }
    let used = s.chars().count();
    s.extend(std::iter::repeat_n('░', cells - used));
    s
}

#[cfg(test)]
mod tests {
    use super::super::testing::decode;
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
    }

    fn topic(name: &str, answered: u32, accuracy: f64) -> TopicStat {
        TopicStat {
            topic: name.to_string(),
            answered,
            accuracy,
            recall: None,
        }
    }

    /// A Saturday.
    fn today() -> NaiveDate {
        date(2026, 3, 14)
    }

    fn data() -> ProgressData {
        ProgressData {
            title: "Progress · alice".to_string(),
            topics: vec![
                topic("sqs", 10, 0.2),
                topic("s3", 40, 1.0),
                topic("kinesis", 12, 0.75),
                topic("iam", 0, 0.0),
            ],
            days: vec![
                (date(2026, 3, 10), 25),
                (date(2026, 3, 11), 1),
                (date(2026, 3, 11), 2),
                (date(2025, 1, 1), 99),
            ],
            today: today(),
            readiness: vec![],
        }
    }

    #[test]
    fn stats_picture_is_1600_pixels_wide_and_as_tall_as_its_sections() {
        let (chart, _) = render_with_layout(&data()).expect("a chart");
        let png = decode(&chart.png);
        assert_eq!((png.width, png.height), (1600, chart.height));
        assert_eq!(chart.width, 1600);
        assert!(
            chart.height > 600 && chart.height < 2400,
            "{}",
            chart.height
        );
    }

    #[test]
    fn topics_are_sorted_best_accuracy_first_and_unanswered_ones_left_out() {
        let figures = progress_figures(&data()).expect("figures");
        let drawn: Vec<(&str, u8)> = figures
            .topics
            .iter()
            .map(|t| (t.topic.as_str(), t.accuracy_pct))
            .collect();
        assert_eq!(drawn, [("s3", 100), ("kinesis", 75), ("sqs", 20)]);
        assert_eq!(figures.topics_hidden, 0);
    }

    #[test]
    fn a_topic_answered_all_right_has_a_longer_bar_than_one_at_twenty_percent() {
        let (chart, layout) = render_with_layout(&data()).expect("a chart");
        let png = decode(&chart.png);
        let run = |i: usize| {
            let (x, mid, w) = layout.topic_bars[i];
            png.run_of(theme::ACCURACY, x, mid, w + 1.0)
        };
        let (full, three_quarters, fifth) = (run(0), run(1), run(2));
        let (_, _, w) = layout.topic_bars[0];
        assert!((full - w).abs() < 3.0, "100% bar is {full} of {w}");
        assert!((three_quarters - 0.75 * w).abs() < 3.0, "{three_quarters}");
        assert!((fifth - 0.2 * w).abs() < 3.0, "{fifth}");
        // Past the 20% bar the track shows.
        let (x, mid, _) = layout.topic_bars[2];
        assert_eq!(png.at(x + fifth + 4.0, mid), theme::TRACK);
    }

    #[test]
    fn a_busy_day_is_a_brighter_cell_than_an_empty_day() {
        let (chart, layout) = render_with_layout(&data()).expect("a chart");
        let heatmap = chart.figures.heatmap.as_ref().expect("a heatmap");
        let png = decode(&chart.png);
        let (gx, gy, pitch, cell) = layout.heatmap.expect("heatmap drawn");
        let centre = |d: NaiveDate| {
            let i = heatmap.index_of(d).expect("in the window");
            let (col, row) = ((i / 7) as f32, (i % 7) as f32);
            png.at(gx + col * pitch + cell / 2.0, gy + row * pitch + cell / 2.0)
        };
        assert_eq!(centre(date(2026, 3, 10)), theme::HEAT[4]);
        assert_eq!(centre(date(2026, 3, 11)), theme::HEAT[1]);
        assert_eq!(centre(date(2026, 3, 9)), theme::HEAT[0]);
        assert_eq!(centre(date(2025, 12, 22)), theme::HEAT[0]);
    }

    #[test]
    fn heatmap_covers_twelve_weeks_from_a_monday_to_today() {
        let h = progress_figures(&data())
            .expect("figures")
            .heatmap
            .expect("a heatmap");
        assert_eq!(h.first_day, date(2025, 12, 22));
        assert_eq!(h.first_day.weekday(), chrono::Weekday::Mon);
        assert_eq!(h.counts.len(), 11 * 7 + 6);
        assert_eq!(h.total, 28, "the answer from 2025 is outside the window");
        assert_eq!(h.active_days, 2);
        assert_eq!(h.busiest, (date(2026, 3, 10), 25));
        assert_eq!(h.levels[h.index_of(date(2026, 3, 11)).expect("in")], 1);
    }

    #[test]
    fn heatmap_levels_are_quarters_of_the_busiest_day() {
        let levels: Vec<u8> = [0, 1, 5, 6, 10, 11, 15, 16, 20]
            .iter()
            .map(|&n| level(n, 20))
            .collect();
        assert_eq!(levels, [0, 1, 1, 2, 2, 3, 3, 4, 4]);
    }

    #[test]
    fn with_more_than_twelve_topics_the_most_answered_are_drawn() {
        let mut d = data();
        d.topics = (0..20)
            .map(|i| topic(&format!("topic-{i:02}"), 1 + i, f64::from(i) / 20.0))
            .collect();
        let figures = progress_figures(&d).expect("figures");
        assert_eq!(figures.topics.len(), MAX_TOPICS);
        assert_eq!(figures.topics_hidden, 8);
        assert_eq!(figures.topics[0].topic, "topic-19");
        assert_eq!(figures.topics[11].topic, "topic-08");
        render_progress(&d).expect("draws");
    }

    #[test]
    fn recall_is_drawn_when_the_personal_review_exists() {
        let mut d = data();
        d.topics[1].recall = Some(0.5);
        let (chart, layout) = render_with_layout(&d).expect("a chart");
        assert_eq!(chart.figures.topics[0].recall_pct, Some(50));
        let png = decode(&chart.png);
        let (x, mid, w) = layout.topic_bars[0];
        // The recall bar sits under the accuracy bar (18 high, 4 apart, 10 high).
        let recall_mid = mid + 9.0 + 4.0 + 5.0;
        let run = png.run_of(theme::RECALL, x, recall_mid, w);
        assert!((run - w / 2.0).abs() < 3.0, "{run} of {w}");
    }

    #[test]
    fn readiness_is_grouped_by_exam_with_its_range_in_order() {
        let mut d = data();
        let r = |exam: &str, domain: &str, v: f64, lo: f64, hi: f64| DomainReadiness {
            exam: exam.to_string(),
            domain: domain.to_string(),
            readiness: v,
            low: lo,
            high: hi,
        };
        d.readiness = vec![
            r("DVA-C02", "Development with AWS Services", 0.62, 0.48, 0.75),
            r("SAA-C03", "Design Secure Architectures", 0.4, 0.2, 0.6),
            r("DVA-C02", "Security", 0.8, 0.9, 0.7),
        ];
        let (chart, _) = render_with_layout(&d).expect("a chart");
        let f = &chart.figures;
        assert_eq!(f.readiness.len(), 2);
        assert_eq!(f.readiness[0].exam, "DVA-C02");
        assert_eq!(
            f.readiness[0].domains[1],
            DomainReadinessFigure {
                domain: "Security".to_string(),
                readiness_pct: 80,
                low_pct: 70,
                high_pct: 90,
            }
        );
        let without = render_progress(&data()).expect("a chart");
        assert!(chart.height > without.height + 200, "readiness adds rows");
    }

    #[test]
    fn sections_without_data_are_left_out() {
        let mut d = data();
        d.days.clear();
        let figures = progress_figures(&d).expect("topics alone still draw");
        assert!(figures.heatmap.is_none());
        let only_topics = render_progress(&d).expect("a chart");
        let all = render_progress(&data()).expect("a chart");
        assert!(only_topics.height + 500 < all.height);

        let mut d = data();
        d.topics.clear();
        let (chart, layout) = render_with_layout(&d).expect("the heatmap alone");
        assert!(layout.topic_bars.is_empty());
        assert!(chart.figures.heatmap.is_some());
    }

    #[test]
    fn a_member_with_no_answers_gets_no_data_instead_of_an_empty_chart() {
        let d = ProgressData {
            title: "Progress · new member".to_string(),
            topics: vec![topic("s3", 0, 0.0)],
            days: vec![(date(2020, 1, 1), 3)],
            today: today(),
            readiness: vec![],
        };
        assert!(matches!(render_progress(&d), Err(ChartError::NoData(_))));
        assert!(matches!(progress_figures(&d), Err(ChartError::NoData(_))));
    }

    #[test]
    fn odd_input_is_clamped_not_a_panic() {
        let d = ProgressData {
            title: "x".repeat(500),
            topics: vec![
                topic(&"very-long-topic-name-".repeat(10), 3, f64::NAN),
                topic("\u{1F600} emoji\ttab", u32::MAX, 7.0),
            ],
            days: vec![(today(), u32::MAX), (today(), u32::MAX)],
            today: NaiveDate::MIN,
            readiness: vec![],
        };
        let chart = render_progress(&d).expect("topics still draw");
        assert_eq!(chart.figures.topics[0].accuracy_pct, 100);
        assert_eq!(chart.figures.topics[1].accuracy_pct, 0);
        assert!(chart.figures.heatmap.is_none(), "no window before MIN");
        let d = ProgressData {
            today: today(),
            ..d
        };
        let h = progress_figures(&d)
            .expect("figures")
            .heatmap
            .expect("a heatmap");
        assert_eq!(h.total, u32::MAX);
    }

    #[test]
    fn terminal_text_shows_the_same_figures_with_unicode_bars() {
        let text = progress_figures(&data()).expect("figures").to_string();
        assert!(
            text.contains("s3       ████████████████████  100% of 40"),
            "{text}"
        );
        assert!(
            text.contains("sqs      ████░░░░░░░░░░░░░░░░   20% of 10"),
            "{text}"
        );
        assert!(
            text.contains("28 on 2 days (best 25 on 2026-03-10)"),
            "{text}"
        );
        assert!(text.contains("  Tue ···········█"), "{text}");
        assert_eq!(text_bar(50, 4), "██░░");
        assert_eq!(text_bar(55, 4), "██▎░");
    }
}
