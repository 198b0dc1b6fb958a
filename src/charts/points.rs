//! Purpose: the `chart:true` picture of `/leaderboard` and `/groups`: each of up to five
//! members' (or groups') running total of points over the period, one line per day, numbered by
//! rank so the lines are told apart without colour.
//!
//! Must not rank anyone: the series come in ranked, with the points earned on each date.

use chrono::{Days, NaiveDate};

use super::canvas::{Align, Canvas};
use super::theme::{self, PAD, TextStyle, WIDTH};
use super::{Chart, ChartError, draw_title, paint, short_date};

/// Lines drawn at most; later series are ignored.
pub const MAX_SERIES: usize = 5;
/// Days drawn at most; a longer period keeps its last `MAX_DAYS` days.
pub const MAX_DAYS: u64 = 3660;

/// Points of a few ranked members over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointsData {
    /// Heading, such as "Top 5 · this week" (may be empty).
    pub title: String,
    /// First and last day of the period (local dates), both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Best first; at most [`MAX_SERIES`] are drawn.
    pub series: Vec<PointsSeries>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointsSeries {
    pub label: String,
    /// Points earned per date, any order; repeated dates add up; dates outside the period are
    /// ignored.
    pub daily: Vec<(NaiveDate, i64)>,
}

/// What the points picture drew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointsFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub series: Vec<SeriesFigure>,
    /// Values of the horizontal grid lines, bottom up.
    pub y_ticks: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesFigure {
    pub label: String,
    /// Points in the period.
    pub total: i64,
    /// Running total at the end of each day from `from` to `to`.
    pub cumulative: Vec<i64>,
}

fn points_figures(data: &PointsData) -> Result<PointsFigures, ChartError> {
    if data.to < data.from {
        return Err(ChartError::InvalidPeriod {
            from: data.from,
            to: data.to,
        });
    }
    let span = u64::try_from((data.to - data.from).num_days()).unwrap_or(0) + 1;
    let from = if span > MAX_DAYS {
        data.to
            .checked_sub_days(Days::new(MAX_DAYS - 1))
            .unwrap_or(data.from)
    } else {
        data.from
    };
    let days = usize::try_from((data.to - from).num_days()).unwrap_or(0) + 1;
    let series: Vec<SeriesFigure> = data
        .series
        .iter()
        .take(MAX_SERIES)
        .map(|s| {
            let mut per_day = vec![0i64; days];
            for &(date, points) in &s.daily {
                if let Ok(i) = usize::try_from((date - from).num_days())
                    && let Some(slot) = per_day.get_mut(i)
                {
                    *slot = slot.saturating_add(points);
                }
            }
            let mut total = 0i64;
            let cumulative: Vec<i64> = per_day
                .iter()
                .map(|&p| {
                    total = total.saturating_add(p);
                    total
                })
                .collect();
            SeriesFigure {
                label: s.label.trim().to_string(),
                total,
                cumulative,
            }
        })
        .collect();
    if series.iter().all(|s| s.cumulative.iter().all(|&v| v == 0)) {
        return Err(ChartError::NoData("no points in this period"));
    }
    let lo = series
        .iter()
        .flat_map(|s| s.cumulative.iter().copied())
        .min()
        .unwrap_or(0)
        .min(0);
    let hi = series
        .iter()
        .flat_map(|s| s.cumulative.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    Ok(PointsFigures {
        from,
        to: data.to,
        series,
        y_ticks: nice_ticks(lo, hi),
    })
}

/// Grid values from at or below `lo` to at or above `hi` in steps of 1, 2 or 5 × 10ⁿ, about
/// four steps.
fn nice_ticks(lo: i64, hi: i64) -> Vec<i64> {
    let span = (hi as f64 - lo as f64).max(1.0);
    let raw = span / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
        .max(1.0)
        .round() as i64;
    let start = lo.div_euclid(step).saturating_mul(step);
    let mut ticks = vec![start];
    while let Some(&last) = ticks.last()
        && last < hi
        && ticks.len() < 12
    {
        ticks.push(last.saturating_add(step));
    }
    ticks
}

/// Draws the running totals as lines; [`ChartError::NoData`] when nobody has points in the
/// period, [`ChartError::InvalidPeriod`] when it ends before it starts.
pub fn render_points_lines(data: &PointsData) -> Result<Chart<PointsFigures>, ChartError> {
    render_with_layout(data).map(|(chart, _)| chart)
}

/// The plot area: left, top, right, bottom.
pub(super) type PointsLayout = (f32, f32, f32, f32);

pub(super) fn render_with_layout(
    data: &PointsData,
) -> Result<(Chart<PointsFigures>, PointsLayout), ChartError> {
    let figures = points_figures(data)?;
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

const PLOT_H: f32 = 330.0;
const DOT_R: f32 = 13.0;

fn draw(c: &mut Canvas, title: &str, f: &PointsFigures) -> (f32, PointsLayout) {
    let mut y = draw_title(c, title, PAD) + 10.0;
    let label = theme::LABEL;
    let total_style = theme::LABEL.bold();
    let number = TextStyle {
        size: 17.0,
        color: theme::BACKGROUND,
        bold: true,
    };

    // Legend: rank badge, name, total.
    for (i, s) in f.series.iter().enumerate() {
        let color = theme::SERIES[i % theme::SERIES.len()];
        let mid = y + DOT_R;
        badge(c, PAD + DOT_R, mid, i + 1, color, number);
        let base = mid + c.cap_height(label.size) / 2.0;
        let total_w = c.text(
            &format!("{} pts", s.total),
            WIDTH - PAD,
            base,
            total_style,
            Align::Right,
        );
        let x = PAD + 2.0 * DOT_R + 14.0;
        let name = c.fit(&s.label, label, WIDTH - PAD - total_w - 20.0 - x);
        c.text(&name, x, base, label, Align::Left);
        y += 2.0 * DOT_R + 12.0;
    }
    y += 14.0;

    // Axes.
    let small = theme::SMALL;
    let tick_w = f
        .y_ticks
        .iter()
        .map(|t| c.text_width(&t.to_string(), small))
        .fold(0.0, f32::max);
    let (left, right) = (PAD + tick_w + 12.0, WIDTH - PAD - DOT_R - 2.0);
    let (top, bottom) = (y + DOT_R, y + DOT_R + PLOT_H);
    let (lo, hi) = (
        f.y_ticks.first().copied().unwrap_or(0) as f32,
        f.y_ticks.last().copied().unwrap_or(1) as f32,
    );
    let y_of = |v: i64| bottom - (v as f32 - lo) / (hi - lo).max(1.0) * PLOT_H;
    let days = f.series.first().map_or(1, |s| s.cumulative.len()).max(1);
    let x_of = |i: usize| {
        if days == 1 {
            (left + right) / 2.0
        } else {
            left + (right - left) * i as f32 / (days - 1) as f32
        }
    };
    let cap = c.cap_height(small.size);
    for &t in &f.y_ticks {
        let ty = y_of(t);
        let color = if t == 0 { theme::MUTED } else { theme::GRID };
        c.line((left, ty), (right, ty), 1.5, color);
        c.text(
            &t.to_string(),
            left - 10.0,
            ty + cap / 2.0,
            small,
            Align::Right,
        );
    }
    let base = bottom + 14.0 + c.ascent(small.size);
    for i in date_ticks(days) {
        let Some(date) = f.from.checked_add_days(Days::new(i as u64)) else {
            continue;
        };
        let text = short_date(date);
        let w = c.text_width(&text, small);
        let x = x_of(i).clamp(left + w / 2.0 - 10.0, WIDTH - PAD - w / 2.0);
        c.line(
            (x_of(i), bottom),
            (x_of(i), bottom + 6.0),
            1.5,
            theme::MUTED,
        );
        c.text(&text, x, base, small, Align::Center);
    }

    // Lines, the leader last so it is on top; badges at the line ends, nudged apart.
    for (i, s) in f.series.iter().enumerate().rev() {
        let color = theme::SERIES[i % theme::SERIES.len()];
        let points: Vec<(f32, f32)> = s
            .cumulative
            .iter()
            .enumerate()
            .map(|(d, &v)| (x_of(d), y_of(v)))
            .collect();
        if points.len() == 1 {
            c.line((left, points[0].1), (right, points[0].1), 4.0, color);
        } else {
            c.polyline(&points, 4.0, color);
        }
    }
    let mut ends: Vec<(usize, f32)> = f
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (i, y_of(s.cumulative.last().copied().unwrap_or(0))))
        .collect();
    spread(&mut ends, 2.0 * DOT_R + 2.0, top - DOT_R, bottom + DOT_R);
    for &(i, ey) in ends.iter().rev() {
        let color = theme::SERIES[i % theme::SERIES.len()];
        c.fill_circle(right, ey, DOT_R + 2.0, theme::BACKGROUND);
        badge(c, right, ey, i + 1, color, number);
    }
    (
        base + c.line_height(small.size) - c.ascent(small.size),
        (left, top, right, bottom),
    )
}

/// A filled circle with the rank number in it.
fn badge(c: &mut Canvas, x: f32, y: f32, rank: usize, color: theme::Rgb, number: TextStyle) {
    c.fill_circle(x, y, DOT_R, color);
    let cap = c.cap_height(number.size);
    c.text(&rank.to_string(), x, y + cap / 2.0, number, Align::Center);
}

/// Moves the `y`s (kept with their series) apart so that neighbours are at least `gap` apart,
/// staying within `min..=max` where possible, each as close to its own value as it can be.
fn spread(ends: &mut [(usize, f32)], gap: f32, min: f32, max: f32) {
    ends.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    for i in 1..ends.len() {
        if ends[i].1 < ends[i - 1].1 + gap {
            ends[i].1 = ends[i - 1].1 + gap;
        }
    }
    if let Some(&(_, last)) = ends.last()
        && last > max
    {
        let shift = last - max;
        for e in ends.iter_mut() {
            e.1 -= shift;
        }
        for i in (0..ends.len().saturating_sub(1)).rev() {
            if ends[i].1 > ends[i + 1].1 - gap {
                ends[i].1 = ends[i + 1].1 - gap;
            }
        }
    }
    for e in ends.iter_mut() {
        e.1 = e.1.max(min);
    }
}

/// Day indexes to label: about five, evenly spaced, always the first and the last.
fn date_ticks(days: usize) -> Vec<usize> {
    if days <= 1 {
        return vec![0];
    }
    let step = (days - 1).div_ceil(5).max(1);
    let mut ticks: Vec<usize> = (0..days).step_by(step).collect();
    let last = days - 1;
    if let Some(&t) = ticks.last()
        && t != last
    {
        if (last - t) * 10 < step * 6 {
            ticks.pop();
        }
        ticks.push(last);
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::super::testing::decode;
    use super::*;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("a valid date")
    }

    fn week() -> PointsData {
        PointsData {
            title: "Top 3 · this week".to_string(),
            from: date(9),
            to: date(15),
            series: vec![
                PointsSeries {
                    label: "alice".to_string(),
                    daily: vec![(date(9), 3), (date(11), 2), (date(11), 1), (date(20), 50)],
                },
                PointsSeries {
                    label: "bob".to_string(),
                    daily: vec![(date(10), 2), (date(8), 40)],
                },
                PointsSeries {
                    label: "carol".to_string(),
                    daily: vec![],
                },
            ],
        }
    }

    #[test]
    fn points_lines_add_up_each_day_within_the_period() {
        let chart = render_points_lines(&week()).expect("a chart");
        let f = &chart.figures;
        assert_eq!(f.series[0].cumulative, [3, 3, 6, 6, 6, 6, 6]);
        assert_eq!(f.series[0].total, 6);
        assert_eq!(f.series[1].cumulative, [0, 2, 2, 2, 2, 2, 2]);
        assert_eq!(f.series[2].total, 0);
        assert_eq!(f.y_ticks, [0, 2, 4, 6]);
        let png = decode(&chart.png);
        assert_eq!((png.width, png.height), (1600, chart.height));
    }

    #[test]
    fn the_leaders_line_is_drawn_in_its_colour_at_its_height() {
        let (chart, (left, _, right, bottom)) = render_with_layout(&week()).expect("a chart");
        let png = decode(&chart.png);
        let (lo, hi) = (0.0, 6.0);
        let plot_h = PLOT_H;
        let y_of = |v: f32| bottom - (v - lo) / (hi - lo) * plot_h;
        // Halfway between day 4 and day 5 alice is at 6, bob at 2.
        let x = left + (right - left) * 4.5 / 6.0;
        assert_eq!(png.at(x, y_of(6.0)), theme::SERIES[0]);
        assert_eq!(png.at(x, y_of(2.0)), theme::SERIES[1]);
        assert_eq!(png.at(x, y_of(3.0)), theme::BACKGROUND);
    }

    #[test]
    fn only_the_first_five_series_are_drawn() {
        let mut data = week();
        data.series = (0..8)
            .map(|i| PointsSeries {
                label: format!("member {i}"),
                daily: vec![(date(9), 10 - i)],
            })
            .collect();
        let chart = render_points_lines(&data).expect("a chart");
        assert_eq!(chart.figures.series.len(), MAX_SERIES);
        assert_eq!(chart.figures.series[4].label, "member 4");
    }

    #[test]
    fn a_period_without_points_gets_no_data_and_a_reversed_one_an_error() {
        let mut data = week();
        data.series.truncate(1);
        data.series[0].daily = vec![(date(1), 5)];
        assert!(matches!(
            render_points_lines(&data),
            Err(ChartError::NoData(_))
        ));
        data.series.clear();
        assert!(matches!(
            render_points_lines(&data),
            Err(ChartError::NoData(_))
        ));
        let reversed = PointsData {
            from: date(15),
            to: date(9),
            ..week()
        };
        assert!(matches!(
            render_points_lines(&reversed),
            Err(ChartError::InvalidPeriod { .. })
        ));
    }

    #[test]
    fn a_single_day_and_a_very_long_period_still_draw() {
        let one_day = PointsData {
            from: date(11),
            to: date(11),
            ..week()
        };
        let chart = render_points_lines(&one_day).expect("a chart");
        assert_eq!(chart.figures.series[0].cumulative, [3]);

        let long = PointsData {
            from: NaiveDate::MIN,
            to: date(15),
            ..week()
        };
        let chart = render_points_lines(&long).expect("a chart");
        assert_eq!(chart.figures.series[0].cumulative.len(), MAX_DAYS as usize);
        assert_eq!(chart.figures.series[1].total, 42);
    }

    #[test]
    fn axis_ticks_are_round_numbers_covering_the_data() {
        assert_eq!(nice_ticks(0, 1), [0, 1]);
        assert_eq!(nice_ticks(0, 37), [0, 10, 20, 30, 40]);
        assert_eq!(nice_ticks(-3, 9), [-5, 0, 5, 10]);
        assert_eq!(nice_ticks(0, 1234), [0, 500, 1000, 1500]);
        assert_eq!(date_ticks(7), [0, 2, 4, 6]);
        assert_eq!(date_ticks(1), [0]);
        assert_eq!(date_ticks(31), [0, 6, 12, 18, 24, 30]);
    }

    #[test]
    fn end_badges_are_spread_apart_when_totals_tie() {
        let mut ends = vec![(0, 100.0), (1, 100.0), (2, 300.0)];
        spread(&mut ends, 28.0, 0.0, 400.0);
        assert_eq!(ends, [(0, 100.0), (1, 128.0), (2, 300.0)]);
        let mut ends = vec![(0, 400.0), (1, 400.0)];
        spread(&mut ends, 28.0, 0.0, 400.0);
        assert_eq!(ends, [(0, 372.0), (1, 400.0)]);
    }
}
