//! Purpose: PNG pictures of progress, drawn from plain structs: a member's `/stats` picture
//! (accuracy and predicted recall per topic, answers per day over twelve weeks, readiness per
//! exam domain), a mock exam's result per domain against the passing mark, and cumulative points
//! of up to five members over a leaderboard period. Each renderer also returns the figures it
//! drew (sorted, rounded, binned), so tests and the terminal read the same numbers the picture
//! shows; [`ProgressFigures`] prints itself with Unicode bars for `studybot stats` without `--png`.
//!
//! Drawing is tiny-skia (anti-aliased shapes) and ab_glyph (text) on an opaque dark card at 2×
//! (1600 pixels wide), encoded with the `png` crate. The font, DejaVu Sans, is embedded with
//! `include_bytes!` (licence in `LICENSE-DejaVu.txt` beside it), so nothing depends on system
//! fonts. Rendering is CPU work of a few milliseconds: call it through
//! `tokio::task::spawn_blocking`, never on an async worker.
//!
//! Must not know Discord, SQL or the clock: the caller passes `today`, the period and the data,
//! and turns [`ChartError::NoData`] into a friendly sentence instead of an empty picture.

mod canvas;
mod exam;
mod points;
mod progress;
mod theme;

use chrono::NaiveDate;

pub use exam::{DomainResult, DomainScore, ExamFigures, ExamResultData, render_exam_result};
pub use points::{
    MAX_DAYS, MAX_SERIES, PointsData, PointsFigures, PointsSeries, SeriesFigure,
    render_points_lines,
};
pub use progress::{
    DomainReadiness, DomainReadinessFigure, ExamReadiness, HEATMAP_WEEKS, HeatmapFigure,
    MAX_TOPICS, ProgressData, ProgressFigures, TopicFigure, TopicStat, progress_figures,
    render_progress,
};

use canvas::Canvas;

/// A rendered picture and the figures drawn in it.
#[derive(Debug, Clone)]
pub struct Chart<F> {
    /// The PNG file's bytes (8-bit RGB), ready to attach.
    pub png: Vec<u8>,
    /// Size in pixels (twice the logical layout size).
    pub width: u32,
    pub height: u32,
    /// What was drawn, after sorting, capping, rounding and binning.
    pub figures: F,
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Nothing to draw: the caller sends a sentence instead of a picture.
    #[error("nothing to draw: {0}")]
    NoData(&'static str),
    #[error("the period ends on {to} before it starts on {from}")]
    InvalidPeriod { from: NaiveDate, to: NaiveDate },
    #[error("a {width}×{height} pixel chart cannot be drawn (too large)")]
    Canvas { width: u32, height: u32 },
    #[error("the embedded chart font could not be read")]
    Font,
    #[error("failed to encode the chart as PNG: {0}")]
    Encode(#[from] png::EncodingError),
}

/// A fraction (0..=1, anything else clamped; NaN counts as 0) as a whole percent.
fn percent(fraction: f64) -> u8 {
    if fraction.is_nan() {
        return 0;
    }
    (fraction.clamp(0.0, 1.0) * 100.0).round() as u8
}

/// Runs `draw` once on a measuring canvas to learn the picture's height, then on a real canvas
/// of that height; returns the PNG, its size and what the second pass reported (its layout).
fn paint<L>(draw: impl Fn(&mut Canvas) -> (f32, L)) -> Result<(Vec<u8>, u32, u32, L), ChartError> {
    let mut measure = Canvas::measure(theme::WIDTH)?;
    let (bottom, _) = draw(&mut measure);
    let mut canvas = Canvas::new(
        theme::WIDTH,
        (bottom + theme::PAD).ceil(),
        theme::BACKGROUND,
    )?;
    let (_, layout) = draw(&mut canvas);
    let (png, width, height) = canvas.encode()?;
    Ok((png, width, height, layout))
}

/// Draws a chart's title at the top; returns the `y` below it.
fn draw_title(c: &mut Canvas, title: &str, y: f32) -> f32 {
    if title.trim().is_empty() {
        return y;
    }
    let text = c.fit(title.trim(), theme::TITLE, c.width() - 2.0 * theme::PAD);
    let baseline = y + c.ascent(theme::TITLE.size);
    c.text(
        &text,
        theme::PAD,
        baseline,
        theme::TITLE,
        canvas::Align::Left,
    );
    y + c.line_height(theme::TITLE.size)
}

/// Short English date for axes and captions: "3 Mar".
fn short_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS[date.month0() as usize % 12];
    format!("{} {month}", date.day())
}

#[cfg(test)]
mod testing {
    //! Decoding the produced PNGs and reading their pixels in logical coordinates.

    use super::canvas::SCALE;
    use super::theme::Rgb;

    pub(super) struct Decoded {
        pub width: u32,
        pub height: u32,
        pub rgb: Vec<u8>,
    }

    impl Decoded {
        /// The colour at logical (x, y).
        pub fn at(&self, x: f32, y: f32) -> Rgb {
            let (px, py) = ((x * SCALE) as u32, (y * SCALE) as u32);
            assert!(px < self.width && py < self.height, "({x}, {y}) is outside");
            let i = (py * self.width + px) as usize * 3;
            Rgb(self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
        }

        /// How far right, in logical pixels from `x0`, `color` continues along row `y`.
        pub fn run_of(&self, color: Rgb, x0: f32, y: f32, max: f32) -> f32 {
            let mut x = x0 + 1.0;
            while x < x0 + max && self.at(x, y) == color {
                x += 0.5;
            }
            x - x0
        }
    }

    pub(super) fn decode(png_bytes: &[u8]) -> Decoded {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("a sane size")];
        let info = reader.next_frame(&mut buf).expect("one frame");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        buf.truncate(info.buffer_size());
        Decoded {
            width: info.width,
            height: info.height,
            rgb: buf,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_has_the_glyphs_the_charts_use() {
        use ab_glyph::Font;
        let font = ab_glyph::FontRef::try_from_slice(include_bytes!("DejaVuSans.ttf"))
            .expect("the embedded font parses");
        for ch in "Accuracy 100% · – … ✓ ✗ Mon Tue 0123456789 ÄéßЖ".chars() {
            assert_ne!(font.glyph_id(ch).0, 0, "{ch:?} has no glyph");
        }
    }

    #[test]
    fn the_same_data_gives_the_same_png_bytes_and_the_title_is_drawn() {
        let data = ExamResultData {
            title: "Mock exam".to_string(),
            domains: vec![DomainScore {
                domain: "Security".to_string(),
                correct: 3,
                answered: 4,
            }],
            passing_percent: 72.0,
        };
        let (a, b) = (
            render_exam_result(&data).expect("a chart"),
            render_exam_result(&data).expect("a chart"),
        );
        assert_eq!(a.png, b.png);
        let png = testing::decode(&a.png);
        let title_row_has_text = (0..300).any(|x| {
            let y = theme::PAD + 20.0;
            png.at(theme::PAD + x as f32, y) == theme::TEXT
        });
        assert!(
            title_row_has_text,
            "the title's glyphs are drawn in the text colour"
        );
        assert_eq!(png.at(2.0, 2.0), theme::BACKGROUND, "an opaque card");
    }

    #[test]
    fn percent_rounds_and_clamps_what_it_is_given() {
        assert_eq!(percent(0.845), 85);
        assert_eq!(percent(1.7), 100);
        assert_eq!(percent(-0.2), 0);
        assert_eq!(percent(f64::NAN), 0);
    }

    #[test]
    fn short_dates_read_day_then_month() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 3).expect("a date");
        assert_eq!(short_date(d), "3 Mar");
    }
}
