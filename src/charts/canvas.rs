//! Purpose: the drawing surface every chart paints on: an opaque RGB picture at [`SCALE`]× its
//! logical size (callers lay out in logical pixels), filled shapes and strokes through tiny-skia,
//! text through ab_glyph with the font embedded in the binary, and PNG encoding.
//!
//! Must not know what a chart means; layout and colours are the callers' (see `theme`).

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use tiny_skia::{
    FillRule, LineCap, LineJoin, Paint, Path, PathBuilder, Pixmap, PremultipliedColorU8, Stroke,
    Transform,
};

use super::ChartError;
use super::theme::{Rgb, TextStyle};

/// Device pixels per logical pixel: charts are laid out at 800 logical pixels and drawn at
/// 1600 so they stay sharp when Discord scales them on a high-density screen.
pub(super) const SCALE: f32 = 2.0;

/// The tallest picture a chart may ask for, in logical pixels (a guard, not a layout rule).
const MAX_LOGICAL_HEIGHT: f32 = 6000.0;

/// DejaVu Sans 2.37 (Bitstream Vera licence with the Arev addendum, see `LICENSE-DejaVu.txt`).
static FONT_TTF: &[u8] = include_bytes!("DejaVuSans.ttf");

/// Where a text's `x` is: its left edge, its right edge or its middle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Right,
    Center,
}

/// A picture being drawn, or only measured: a canvas made by [`Canvas::measure`] has no pixels,
/// so a chart runs its drawing code once to learn its height, then again for real.
pub(super) struct Canvas {
    pixmap: Option<Pixmap>,
    font: FontRef<'static>,
    width: f32,
}

impl Canvas {
    /// A canvas that draws nothing and measures text, for a first layout pass.
    pub(super) fn measure(width: f32) -> Result<Self, ChartError> {
        Ok(Canvas {
            pixmap: None,
            font: embedded_font()?,
            width,
        })
    }

    /// A canvas of `width` × `height` logical pixels filled with `background`.
    pub(super) fn new(width: f32, height: f32, background: Rgb) -> Result<Self, ChartError> {
        let (w, h) = ((width * SCALE).ceil(), (height * SCALE).ceil());
        let too_big = ChartError::Canvas {
            width: w as u32,
            height: h as u32,
        };
        if !(1.0..=MAX_LOGICAL_HEIGHT * SCALE).contains(&h) || !(1.0..=4096.0).contains(&w) {
            return Err(too_big);
        }
        let mut pixmap = Pixmap::new(w as u32, h as u32).ok_or(too_big)?;
        pixmap.fill(background.color());
        Ok(Canvas {
            pixmap: Some(pixmap),
            font: embedded_font()?,
            width,
        })
    }

    /// Logical width.
    pub(super) fn width(&self) -> f32 {
        self.width
    }

    /// A filled rectangle with rounded corners; `r` is clamped to half the shorter side.
    pub(super) fn fill_round_rect(&mut self, x: f32, y: f32, w: f32, h: f32, r: f32, color: Rgb) {
        if self.pixmap.is_none() || w <= 0.0 || h <= 0.0 {
            return;
        }
        if let Some(path) = round_rect(x, y, w, h, r) {
            self.fill_path(&path, color);
        }
    }

    /// The outline of a rounded rectangle, `width` wide, centred on its edge.
    pub(super) fn stroke_round_rect(&mut self, rect: [f32; 4], r: f32, width: f32, color: Rgb) {
        let [x, y, w, h] = rect;
        if self.pixmap.is_none() {
            return;
        }
        if let Some(path) = round_rect(x, y, w, h, r) {
            self.stroke(&path, width, color);
        }
    }

    pub(super) fn fill_circle(&mut self, cx: f32, cy: f32, r: f32, color: Rgb) {
        if self.pixmap.is_none() {
            return;
        }
        if let Some(path) = PathBuilder::from_circle(cx, cy, r) {
            self.fill_path(&path, color);
        }
    }

    /// A straight line with round caps.
    pub(super) fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32, color: Rgb) {
        self.polyline(&[from, to], width, color);
    }

    /// Connected line segments with round joins and caps.
    pub(super) fn polyline(&mut self, points: &[(f32, f32)], width: f32, color: Rgb) {
        if self.pixmap.is_none() || points.len() < 2 {
            return;
        }
        let mut pb = PathBuilder::new();
        pb.move_to(points[0].0, points[0].1);
        for &(x, y) in &points[1..] {
            pb.line_to(x, y);
        }
        if let Some(path) = pb.finish() {
            self.stroke(&path, width, color);
        }
    }

    fn fill_path(&mut self, path: &Path, color: Rgb) {
        if let Some(pixmap) = self.pixmap.as_mut() {
            pixmap.fill_path(path, &paint(color), FillRule::Winding, transform(), None);
        }
    }

    fn stroke(&mut self, path: &Path, width: f32, color: Rgb) {
        let Some(pixmap) = self.pixmap.as_mut() else {
            return;
        };
        let stroke = Stroke {
            width,
            line_cap: LineCap::Round,
            line_join: LineJoin::Round,
            ..Stroke::default()
        };
        pixmap.stroke_path(path, &paint(color), &stroke, transform(), None);
    }

    /// Distance from the baseline to the top of a capital letter, for centring text on a bar.
    pub(super) fn cap_height(&self, size: f32) -> f32 {
        // DejaVu Sans: cap height 0.729 em, and ab_glyph's px scale is ascent − descent = 1.164 em.
        size * 0.729 / 1.164
    }

    /// Height of one line of text at `size` (ascent − descent + line gap).
    pub(super) fn line_height(&self, size: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(size));
        scaled.height() + scaled.line_gap()
    }

    /// Distance from the top of a line box to its baseline.
    pub(super) fn ascent(&self, size: f32) -> f32 {
        self.font.as_scaled(PxScale::from(size)).ascent()
    }

    /// Logical width of `text` in `style`.
    pub(super) fn text_width(&self, text: &str, style: TextStyle) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(style.size));
        let bold_extra = bold_offset(style) as f32 / SCALE;
        let mut width = 0.0;
        let mut prev: Option<GlyphId> = None;
        for id in text.chars().filter_map(|ch| glyph_for(&self.font, ch)) {
            if let Some(p) = prev {
                width += scaled.kern(p, id);
            }
            width += scaled.h_advance(id) + bold_extra;
            prev = Some(id);
        }
        width
    }

    /// `text`, cut and ended with "…" so that it is at most `max_width` wide.
    pub(super) fn fit(&self, text: &str, style: TextStyle, max_width: f32) -> String {
        if self.text_width(text, style) <= max_width {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let cut = |n: usize| chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        // The longest prefix that fits, by bisection (a display name may be very long).
        let (mut lo, mut hi) = (0, chars.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if self.text_width(&cut(mid), style) <= max_width {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        cut(lo)
    }

    /// Draws one line of text with its baseline at `baseline`; returns its logical width.
    pub(super) fn text(
        &mut self,
        text: &str,
        x: f32,
        baseline: f32,
        style: TextStyle,
        align: Align,
    ) -> f32 {
        let width = self.text_width(text, style);
        let left = match align {
            Align::Left => x,
            Align::Right => x - width,
            Align::Center => x - width / 2.0,
        };
        let Canvas { pixmap, font, .. } = self;
        let Some(pixmap) = pixmap.as_mut() else {
            return width;
        };
        let px = PxScale::from(style.size * SCALE);
        let scaled = font.as_scaled(px);
        let bold = bold_offset(style);
        let (pw, ph) = (pixmap.width() as i32, pixmap.height() as i32);
        let pixels = pixmap.pixels_mut();
        let mut caret = left * SCALE;
        let base = baseline * SCALE;
        let mut prev: Option<GlyphId> = None;
        for id in text.chars().filter_map(|ch| glyph_for(font, ch)) {
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(px, point(caret, base));
            if let Some(outlined) = font.outline_glyph(glyph) {
                let bounds = outlined.px_bounds();
                let (bx, by) = (bounds.min.x as i32, bounds.min.y as i32);
                outlined.draw(|gx, gy, coverage| {
                    let y = by + gy as i32;
                    for k in 0..=bold {
                        let x = bx + gx as i32 + k;
                        if x >= 0 && y >= 0 && x < pw && y < ph {
                            let i = (y * pw + x) as usize;
                            blend(&mut pixels[i], style.color, coverage);
                        }
                    }
                });
            }
            caret += scaled.h_advance(id) + bold as f32;
            prev = Some(id);
        }
        width
    }

    /// The picture as PNG bytes (8-bit RGB) with its size in device pixels.
    pub(super) fn encode(self) -> Result<(Vec<u8>, u32, u32), ChartError> {
        let pixmap = self.pixmap.ok_or(ChartError::Canvas {
            width: 0,
            height: 0,
        })?;
        let (width, height) = (pixmap.width(), pixmap.height());
        // Every pixel is opaque (the card is filled first), so premultiplied equals straight RGB.
        let mut rgb = vec![0u8; width as usize * height as usize * 3];
        for (dst, src) in rgb.chunks_exact_mut(3).zip(pixmap.data().chunks_exact(4)) {
            dst.copy_from_slice(&src[..3]);
        }
        let mut out = Vec::with_capacity(rgb.len() / 8);
        {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_compression(png::Compression::Fast);
            // Paeth alone: about the size of adaptive filtering on flat-colour charts, in less time.
            encoder.set_filter(png::Filter::Paeth);
            let mut writer = encoder.write_header()?;
            writer.write_image_data(&rgb)?;
            writer.finish()?;
        }
        Ok((out, width, height))
    }
}

fn embedded_font() -> Result<FontRef<'static>, ChartError> {
    FontRef::try_from_slice(FONT_TTF).map_err(|_| ChartError::Font)
}

/// The glyph for `ch`. A letter the font lacks (a CJK name) is drawn as "?" so that something
/// shows; any other missing character (an emoji, a joiner, a variation selector) is left out,
/// and control characters are drawn as a space.
fn glyph_for(font: &FontRef<'static>, ch: char) -> Option<GlyphId> {
    let ch = if ch.is_control() { ' ' } else { ch };
    let id = font.glyph_id(ch);
    if id.0 != 0 {
        Some(id)
    } else if ch.is_alphabetic() {
        Some(font.glyph_id('?'))
    } else {
        None
    }
}

/// Device pixels a bold text is smeared sideways by (a faux bold: one embedded face only).
fn bold_offset(style: TextStyle) -> i32 {
    if style.bold {
        ((style.size * SCALE) / 26.0).round().max(1.0) as i32
    } else {
        0
    }
}

fn blend(dst: &mut PremultipliedColorU8, color: Rgb, coverage: f32) {
    if coverage <= 0.0 {
        return;
    }
    // Integer mixing: `f32::round` is a libm call here, and this runs for every text pixel.
    let a = (coverage.min(1.0) * 255.0 + 0.5) as u32;
    let mix = |s: u8, d: u8| ((u32::from(s) * a + u32::from(d) * (255 - a) + 127) / 255) as u8;
    if let Some(px) = PremultipliedColorU8::from_rgba(
        mix(color.0, dst.red()),
        mix(color.1, dst.green()),
        mix(color.2, dst.blue()),
        255,
    ) {
        *dst = px;
    }
}

fn paint(color: Rgb) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color(color.color());
    paint.anti_alias = true;
    paint
}

fn transform() -> Transform {
    Transform::from_scale(SCALE, SCALE)
}

fn round_rect(x: f32, y: f32, w: f32, h: f32, r: f32) -> Option<Path> {
    let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
    // Control point distance that makes a cubic close to a quarter circle.
    let k = r * 0.552_284_8;
    let mut pb = PathBuilder::new();
    pb.move_to(x + r, y);
    pb.line_to(x + w - r, y);
    pb.cubic_to(x + w - r + k, y, x + w, y + r - k, x + w, y + r);
    pb.line_to(x + w, y + h - r);
    pb.cubic_to(x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h);
    pb.line_to(x + r, y + h);
    pb.cubic_to(x + r - k, y + h, x, y + h - r + k, x, y + h - r);
    pb.line_to(x, y + r);
    pb.cubic_to(x, y + r - k, x + r - k, y, x + r, y);
    pb.close();
    pb.finish()
}

#[cfg(test)]
mod tests {
    use super::super::theme::LABEL;
    use super::*;

    #[test]
    fn long_labels_are_cut_with_an_ellipsis_to_fit() {
        let c = Canvas::measure(800.0).expect("the font loads");
        let long = "Accelerate Workload Migration and Modernization";
        let fitted = c.fit(long, LABEL, 200.0);
        assert!(
            fitted.ends_with('…') && fitted.len() < long.len(),
            "{fitted}"
        );
        assert!(c.text_width(&fitted, LABEL) <= 200.0);
        let one_more = long.chars().count().min(fitted.chars().count());
        let longer: String = long.chars().take(one_more).collect::<String>() + "…";
        assert!(
            c.text_width(&longer, LABEL) > 200.0,
            "the longest prefix is kept"
        );
        assert_eq!(c.fit("s3", LABEL, 200.0), "s3");
        assert_eq!(c.fit(long, LABEL, 1.0), "…");
    }

    #[test]
    fn emoji_are_left_out_and_unknown_letters_shown_as_a_question_mark() {
        let c = Canvas::measure(800.0).expect("the font loads");
        let w = |s: &str| c.text_width(s, LABEL);
        assert_eq!(w("carol 🚀"), w("carol "));
        assert_eq!(w("田"), w("?"));
    }
}
