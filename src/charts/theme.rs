//! The look shared by every chart, in one place: canvas size, the compiled-in
//! font, text sizes, margins and a colour-blind-safe palette (Okabe–Ito).
//!
//! Sizes are in pixels of the 1600×1000 canvas, chosen so that every text stays
//! legible when the chart fills a presentation slide.

use std::sync::OnceLock;

use plotters::style::{FontFamily, FontStyle, RGBColor};

/// Canvas width in pixels (PNG and SVG).
pub const WIDTH: u32 = 1600;
/// Canvas height in pixels (PNG and SVG).
pub const HEIGHT: u32 = 1000;

/// Font family name used by every text. PNG rendering resolves it to the
/// compiled-in DejaVu Sans; SVG viewers read it as a CSS font list.
pub const FONT: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

/// DejaVu Sans, compiled into the binary (licence: `assets/fonts/LICENSE-DejaVu.txt`).
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the compiled-in font with plotters, once per process. Returns false
/// when the font data could not be read (it is checked by the test suite).
pub fn register_font() -> bool {
    static DONE: OnceLock<bool> = OnceLock::new();
    *DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, REGULAR).is_ok()
            && plotters::style::register_font(FONT, FontStyle::Bold, BOLD).is_ok()
    })
}

/// The font family of every text.
pub fn family() -> FontFamily<'static> {
    FontFamily::Name(FONT)
}

/// Chart title (first line of the header), bold.
pub const TITLE_SIZE: f64 = 44.0;
/// Second header line: the scenario's name.
pub const SUBTITLE_SIZE: f64 = 28.0;
/// Axis descriptions ("share of trials (%)").
pub const AXIS_DESC_SIZE: f64 = 28.0;
/// Tick labels, category names (domains, nations), legend entries.
pub const LABEL_SIZE: f64 = 25.0;
/// Values written beside marks ("72 %", "≥ 15,000: 93 %").
pub const VALUE_SIZE: f64 = 24.0;
/// Smaller annotations (secondary values, notes under a row).
pub const SMALL_SIZE: f64 = 21.0;
/// The footer: scenario · trials · seed.
pub const FOOTER_SIZE: f64 = 21.0;
/// A message drawn in place of data ("no nation's decision changes the outcome").
pub const NOTE_SIZE: f64 = 32.0;

/// Outer margin around everything.
pub const MARGIN: i32 = 28;
/// Height of the header band (title + scenario line + space).
pub const HEADER_HEIGHT: i32 = 118;
/// Height of one legend row.
pub const LEGEND_ROW_HEIGHT: i32 = 38;
/// Height of the footer band.
pub const FOOTER_HEIGHT: i32 = 44;
/// Space reserved under a plot for x tick labels and the axis description.
pub const X_LABEL_AREA: u32 = 96;
/// Width of a legend swatch.
pub const SWATCH: i32 = 30;
/// Gap between a mark and its value label.
pub const LABEL_GAP: i32 = 10;
/// Thickness of reference lines (median, thresholds, requirements).
pub const LINE_WIDTH: u32 = 3;
/// Thickness of data lines (timeline).
pub const DATA_LINE_WIDTH: u32 = 4;

/// Okabe–Ito: black.
pub const BLACK: RGBColor = RGBColor(0, 0, 0);
/// Okabe–Ito: orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe–Ito: sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
/// Okabe–Ito: bluish green.
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito: yellow.
pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
/// Okabe–Ito: blue.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito: vermillion.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Okabe–Ito: reddish purple.
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);

/// Main text colour.
pub const TEXT: RGBColor = RGBColor(20, 20, 20);
/// Secondary text (scenario line, footer, notes).
pub const MUTED: RGBColor = RGBColor(90, 90, 90);
/// Axis lines.
pub const AXIS: RGBColor = RGBColor(60, 60, 60);
/// Major grid lines.
pub const GRID: RGBColor = RGBColor(215, 215, 215);
/// Minor grid lines.
pub const GRID_LIGHT: RGBColor = RGBColor(238, 238, 238);
/// Background tracks (e.g. the whole requirement behind a gap bar).
pub const TRACK: RGBColor = RGBColor(228, 228, 228);
/// Background.
pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);

/// "Good" marks: coverage, positive swing, the main series.
pub const GOOD: RGBColor = BLUE;
/// "Bad" marks: leaderless, negative swing, gaps.
pub const BAD: RGBColor = VERMILLION;
/// Thresholds and requirements.
pub const REFERENCE: RGBColor = BLACK;

/// Series colours in order (domains everywhere, so a domain keeps its colour
/// from chart to chart). Yellow comes last: it is the hardest to see on white.
pub const SERIES: [RGBColor; 7] = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW];

/// The series colour of the `i`-th item (cycles).
pub fn series(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// Three shades of the gap colour, from the median (darkest) to p95 (lightest).
pub const GAP_SHADES: [RGBColor; 3] = [
    RGBColor(166, 60, 0),
    RGBColor(213, 94, 0),
    RGBColor(240, 178, 128),
];

/// Opacity of shaded bands (uncertainty ranges).
pub const BAND_ALPHA: f64 = 0.22;
