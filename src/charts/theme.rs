//! Purpose: the look shared by every chart: the card and text colours, the data colours, the
//! text sizes and the page geometry, in logical pixels.
//!
//! One opaque dark-slate card with light text reads the same on Discord's dark and light themes
//! (a transparent picture would not). Sizes are large for an 800-pixel-wide picture on purpose:
//! on a phone it is shown about 360 pixels wide, so 22-pixel labels still read at about 10.
//! Must not draw anything.

use tiny_skia::Color;

/// An opaque colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub(super) const fn hex(v: u32) -> Rgb {
        Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
    }

    pub(super) fn color(self) -> Color {
        Color::from_rgba8(self.0, self.1, self.2, 255)
    }
}

/// Size (ab_glyph px scale, logical), colour and weight of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct TextStyle {
    pub size: f32,
    pub color: Rgb,
    pub bold: bool,
}

impl TextStyle {
    pub(super) const fn with_color(self, color: Rgb) -> TextStyle {
        TextStyle {
            size: self.size,
            color,
            bold: self.bold,
        }
    }

    pub(super) const fn bold(self) -> TextStyle {
        TextStyle {
            size: self.size,
            color: self.color,
            bold: true,
        }
    }
}

/// Logical width of every chart (drawn at twice that).
pub(super) const WIDTH: f32 = 800.0;
/// Margin around the card's content.
pub(super) const PAD: f32 = 32.0;
/// Space above a section heading.
pub(super) const SECTION_GAP: f32 = 30.0;

/// The card.
pub(super) const BACKGROUND: Rgb = Rgb::hex(0x1E293B);
/// The empty part of a bar (0–100 %) and empty heatmap days.
pub(super) const TRACK: Rgb = Rgb::hex(0x334155);
/// Separators and grid lines.
pub(super) const GRID: Rgb = Rgb::hex(0x3B4A61);
pub(super) const TEXT: Rgb = Rgb::hex(0xF1F5F9);
pub(super) const MUTED: Rgb = Rgb::hex(0xA3B1C6);

/// Accuracy bars.
pub(super) const ACCURACY: Rgb = Rgb::hex(0x2DD4BF);
/// Predicted-recall bars: amber, told apart from teal also by colour-blind readers.
pub(super) const RECALL: Rgb = Rgb::hex(0xFBBF24);
/// Readiness bars, and the light whisker of their likely range.
pub(super) const READINESS: Rgb = Rgb::hex(0x60A5FA);
pub(super) const WHISKER: Rgb = Rgb::hex(0xF8FAFC);
/// Exam domains at or above the passing line, and below it.
pub(super) const PASS: Rgb = Rgb::hex(0x34D399);
pub(super) const FAIL: Rgb = Rgb::hex(0xF87171);

/// Heatmap: no answers, then four levels of more answers (darker to lighter teal).
pub(super) const HEAT: [Rgb; 5] = [
    TRACK,
    Rgb::hex(0x115E59),
    Rgb::hex(0x0F8B80),
    Rgb::hex(0x14B8A6),
    Rgb::hex(0x5EEAD4),
];

/// Line colours for up to five members (Okabe–Ito, brightened for a dark card).
pub(super) const SERIES: [Rgb; 5] = [
    Rgb::hex(0xE69F00),
    Rgb::hex(0x56B4E9),
    Rgb::hex(0x1FB58F),
    Rgb::hex(0xF0E442),
    Rgb::hex(0xE589BC),
];

pub(super) const TITLE: TextStyle = TextStyle {
    size: 34.0,
    color: TEXT,
    bold: true,
};
pub(super) const HEADING: TextStyle = TextStyle {
    size: 26.0,
    color: TEXT,
    bold: true,
};
pub(super) const LABEL: TextStyle = TextStyle {
    size: 22.0,
    color: TEXT,
    bold: false,
};
pub(super) const SMALL: TextStyle = TextStyle {
    size: 20.0,
    color: MUTED,
    bold: false,
};
