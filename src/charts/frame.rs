//! Drawing helpers shared by the charts: the frame (title, scenario line,
//! footer), text placed by its visible extent, text fitted to a width, legends
//! laid out above the plot (so that they never cover data), and notes drawn in
//! place of data.
//!
//! Every helper draws on the whole canvas in pixel coordinates, so that a chart
//! can mix plotters' axes with marks placed by hand.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind};
use plotters::element::{PathElement, Rectangle, Text};
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontStyle, IntoFont, RGBColor, ShapeStyle, TextStyle};

use super::Options;
use super::format::{axis_percent, thousands};
use super::theme::{self, family};
use crate::report::Report;

/// The result of a drawing step on backend `DB`.
pub type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The canvas every chart draws on.
pub type Canvas<DB> = DrawingArea<DB, Shift>;

/// A rectangle of the canvas, in pixels: `x0 ≤ x < x1`, `y0 ≤ y < y1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x0: i32,
    /// Top.
    pub y0: i32,
    /// Right.
    pub x1: i32,
    /// Bottom.
    pub y1: i32,
}

impl Rect {
    /// Width in pixels (never negative).
    pub fn width(&self) -> i32 {
        (self.x1 - self.x0).max(0)
    }
    /// Height in pixels (never negative).
    pub fn height(&self) -> i32 {
        (self.y1 - self.y0).max(0)
    }
    /// The part below the first `h` pixels.
    pub fn below(&self, h: i32) -> Rect {
        Rect {
            y0: (self.y0 + h).min(self.y1),
            ..*self
        }
    }
    /// The sub-area of the canvas this rectangle covers (at least 1×1 pixel).
    pub fn area<DB: DrawingBackend>(&self, root: &Canvas<DB>) -> Canvas<DB> {
        root.clone().shrink(
            (self.x0.max(0), self.y0.max(0)),
            (self.width().max(1) as u32, self.height().max(1) as u32),
        )
    }
}

/// How a text is placed vertically with respect to its `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Valign {
    /// `y` is the top of the capital letters.
    Top,
    /// `y` is the middle of the capital letters.
    Middle,
    /// `y` is the baseline.
    Baseline,
}

/// One text: size, colour, weight and alignment.
#[derive(Clone, Copy)]
pub struct Font {
    /// Size in pixels (the plotters size).
    pub size: f64,
    /// Colour.
    pub color: RGBColor,
    /// Bold?
    pub bold: bool,
    /// Horizontal alignment on `x`.
    pub halign: HPos,
    /// Vertical alignment on `y`.
    pub valign: Valign,
}

impl Font {
    /// Regular text of `size`, main text colour, left-aligned, centred vertically.
    pub fn new(size: f64) -> Font {
        Font {
            size,
            color: theme::TEXT,
            bold: false,
            halign: HPos::Left,
            valign: Valign::Middle,
        }
    }
    /// The same in bold.
    pub fn bold(self) -> Font {
        Font { bold: true, ..self }
    }
    /// The same in `color`.
    pub fn color(self, color: RGBColor) -> Font {
        Font { color, ..self }
    }
    /// The same, aligned horizontally on `h`.
    pub fn h(self, halign: HPos) -> Font {
        Font { halign, ..self }
    }
    /// The same, aligned vertically on `v`.
    pub fn v(self, valign: Valign) -> Font {
        Font { valign, ..self }
    }
    /// The plotters text style (anchored at the top; see [`text`]).
    pub fn style(&self) -> TextStyle<'static> {
        let weight = if self.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        (family(), self.size, weight)
            .into_font()
            .color(&self.color)
            .pos(Pos::new(self.halign, VPos::Top))
    }
}

// With the ab_glyph backend a text anchored at its top has its baseline
// `size / 2` below the anchor, and DejaVu's capitals are 0.626 × size tall.
const BASELINE: f64 = 0.5;
const CAP_HEIGHT: f64 = 0.626;

/// Draws `s` at `(x, y)` on the canvas.
pub fn text<DB: DrawingBackend>(
    root: &Canvas<DB>,
    s: &str,
    (x, y): (i32, i32),
    font: Font,
) -> DrawResult<(), DB> {
    if s.is_empty() {
        return Ok(());
    }
    let baseline = match font.valign {
        Valign::Top => y as f64 + CAP_HEIGHT * font.size,
        Valign::Middle => y as f64 + CAP_HEIGHT * font.size / 2.0,
        Valign::Baseline => y as f64,
    };
    let top = (baseline - BASELINE * font.size).round() as i32;
    root.draw(&Text::new(s.to_string(), (x, top), font.style()))
}

/// The width of `s` in pixels (an estimate when the font cannot measure it).
pub fn width<DB: DrawingBackend>(root: &Canvas<DB>, s: &str, font: Font) -> i32 {
    match root.estimate_text_size(s, &font.style()) {
        Ok((w, _)) => w as i32,
        Err(_) => (s.chars().count() as f64 * font.size * 0.55) as i32,
    }
}

/// `s`, cut with "…" so that it is at most `max` pixels wide.
pub fn fit<DB: DrawingBackend>(root: &Canvas<DB>, s: &str, font: Font, max: i32) -> String {
    if width(root, s, font) <= max {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cand: String = chars[..mid]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if width(root, &cand, font) <= max {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    chars[..lo]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…"
}

/// A filled rectangle between two canvas points.
pub fn fill_rect<DB: DrawingBackend, C: Color>(
    root: &Canvas<DB>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    color: C,
) -> DrawResult<(), DB> {
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()))
}

/// A straight line between two canvas points.
pub fn line<DB: DrawingBackend, S: Into<ShapeStyle>>(
    root: &Canvas<DB>,
    from: (i32, i32),
    to: (i32, i32),
    style: S,
) -> DrawResult<(), DB> {
    root.draw(&PathElement::new(vec![from, to], style))
}

/// A dashed line between two canvas points.
pub fn dashed<DB: DrawingBackend>(
    root: &Canvas<DB>,
    from: (i32, i32),
    to: (i32, i32),
    color: RGBColor,
    width: u32,
) -> DrawResult<(), DB> {
    let (dx, dy) = ((to.0 - from.0) as f64, (to.1 - from.1) as f64);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1.0 {
        return Ok(());
    }
    let (dash, gap) = (14.0, 9.0);
    let mut t = 0.0;
    while t < len {
        let t1 = (t + dash).min(len);
        let p = |s: f64| {
            (
                (from.0 as f64 + dx * s / len).round() as i32,
                (from.1 as f64 + dy * s / len).round() as i32,
            )
        };
        line(root, p(t), p(t1), color.stroke_width(width))?;
        t = t1 + gap;
    }
    Ok(())
}

/// Paints the background, the title block and the footer of a run's chart; returns
/// the body: the rectangle left for the chart itself.
///
/// The title block is the chart's `title` (bold; `--title` replaces it) over the
/// scenario's name; the footer reads "scenario · trials · seed" (and the `--set`
/// overrides, if any); a `--marking` is written at the top and the bottom.
pub fn frame<DB: DrawingBackend>(
    root: &Canvas<DB>,
    report: &Report,
    opts: &Options,
    title: &str,
) -> DrawResult<Rect, DB> {
    frame_with(
        root,
        opts,
        title,
        &report.scenario.name,
        &footer_text(report),
    )
}

/// The title's size and lines: the full size when it fits, else smaller, else on
/// two lines, so that a title is never cut (only a title too long even for two
/// lines is shortened, with "…").
fn title_lines<DB: DrawingBackend>(
    root: &Canvas<DB>,
    title: &str,
    inner: i32,
) -> (Font, Vec<String>) {
    let mut size = theme::TITLE_SIZE;
    while size >= 32.0 {
        let font = Font::new(size).bold().v(Valign::Top);
        if width(root, title, font) <= inner {
            return (font, vec![title.to_string()]);
        }
        size -= 4.0;
    }
    let font = Font::new(26.0).bold().v(Valign::Top);
    let words: Vec<&str> = title.split(' ').collect();
    // The latest break that leaves the first line within the width.
    let split = (1..words.len())
        .rev()
        .find(|&k| width(root, &words[..k].join(" "), font) <= inner)
        .unwrap_or(1)
        .min(words.len());
    let first = words[..split].join(" ");
    let second = words[split..].join(" ");
    (
        font,
        vec![
            fit(root, &first, font, inner),
            fit(root, &second, font, inner),
        ],
    )
}

/// Height of the band a marking takes at the bottom.
const MARKING_BAND: i32 = 28;

/// Paints the background, the title block (`title` in bold over `subtitle`; the
/// options' title replaces `title`), the footer (`footer` on the left, the
/// forcesim version on the right) and the marking, if any; returns the body left
/// for the chart.
pub fn frame_with<DB: DrawingBackend>(
    root: &Canvas<DB>,
    opts: &Options,
    title: &str,
    subtitle: &str,
    footer: &str,
) -> DrawResult<Rect, DB> {
    root.fill(&theme::BACKGROUND)?;
    let (w, h) = (theme::WIDTH as i32, theme::HEIGHT as i32);
    let inner = w - 2 * theme::MARGIN;
    let title = opts.title.as_deref().unwrap_or(title);
    let (title_font, lines) = title_lines(root, title, inner);
    let line_h = (title_font.size * 1.15) as i32;
    for (i, l) in lines.iter().enumerate() {
        text(
            root,
            l,
            (theme::MARGIN, theme::MARGIN + i as i32 * line_h),
            title_font,
        )?;
    }
    let sub_font = Font::new(theme::SUBTITLE_SIZE)
        .color(theme::MUTED)
        .v(Valign::Top);
    text(
        root,
        &fit(root, subtitle, sub_font, inner),
        (theme::MARGIN, theme::MARGIN + 62),
        sub_font,
    )?;
    let band = if opts.marking.is_some() {
        MARKING_BAND
    } else {
        0
    };
    let rule_y = h - theme::FOOTER_HEIGHT - band;
    line(
        root,
        (theme::MARGIN, rule_y),
        (w - theme::MARGIN, rule_y),
        theme::GRID.stroke_width(1),
    )?;
    let footer_font = Font::new(theme::FOOTER_SIZE).color(theme::MUTED);
    let right = format!("forcesim {}", crate::VERSION);
    let right_w = width(root, &right, footer_font);
    let y = rule_y + theme::FOOTER_HEIGHT / 2;
    text(
        root,
        &fit(root, footer, footer_font, inner - right_w - 40),
        (theme::MARGIN, y),
        footer_font,
    )?;
    text(
        root,
        &right,
        (w - theme::MARGIN, y),
        footer_font.h(HPos::Right),
    )?;
    if let Some(m) = &opts.marking {
        marking(root, m, inner)?;
    }
    Ok(Rect {
        x0: theme::MARGIN,
        y0: theme::MARGIN + theme::HEADER_HEIGHT,
        x1: w - theme::MARGIN,
        y1: rule_y - 12,
    })
}

/// A protective marking, centred at the very top and the very bottom.
fn marking<DB: DrawingBackend>(root: &Canvas<DB>, m: &str, inner: i32) -> DrawResult<(), DB> {
    let font = Font::new(theme::SMALL_SIZE).bold().h(HPos::Center);
    let m = fit(root, m, font, inner);
    let x = theme::WIDTH as i32 / 2;
    text(root, &m, (x, 3), font.v(Valign::Top))?;
    text(
        root,
        &m,
        (x, theme::HEIGHT as i32 - MARKING_BAND / 2),
        font.v(Valign::Middle),
    )
}

/// "scenario · 200,000 trials · seed 20260106", plus overrides and interruption.
pub fn footer_text(report: &Report) -> String {
    let mut s = format!(
        "{} · {} trial{} · seed {}",
        report.scenario.name,
        thousands(report.trials as f64),
        if report.trials == 1 { "" } else { "s" },
        report.seed
    );
    if report.interrupted {
        s.push_str(" · interrupted early");
    }
    for o in &report.overrides {
        s.push_str(" · --set ");
        s.push_str(o);
    }
    s
}

/// The mark drawn before a legend entry.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    /// A filled box.
    Box(RGBColor),
    /// A translucent box (a band).
    Band(RGBColor),
    /// A solid line.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A horizontal interval with end ticks (a confidence interval).
    Whisker(RGBColor),
    /// A line with a dot (a data series).
    Series(RGBColor),
}

/// The house style of a chart's mesh: label and axis-title fonts, grid lines and
/// axis. Tick counts, formatters and titles stay with each chart.
pub fn house_style<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.label_style(Font::new(theme::LABEL_SIZE).style())
        .axis_desc_style(Font::new(theme::AXIS_DESC_SIZE).style())
        .bold_line_style(theme::GRID)
        .light_line_style(theme::GRID_LIGHT)
        .axis_style(theme::AXIS.stroke_width(2))
}

/// A y axis of P(covered) from 0 to 100 %, as the what-if and timeline charts draw it.
pub fn covered_axis<'m, 'a, 'b, X: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, RangedCoordf64, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, RangedCoordf64, DB> {
    mesh.y_labels(6)
        .max_light_lines(1)
        .y_label_formatter(&percent_tick)
        .y_desc("P(covered)")
        .y_label_offset(5)
}

fn percent_tick(v: &f64) -> String {
    axis_percent(*v)
}

/// Draws legend entries in rows from the top-left of `area`, wrapping as
/// needed; returns the height used.
pub fn legend<DB: DrawingBackend>(
    root: &Canvas<DB>,
    area: Rect,
    items: &[(Mark, String)],
) -> DrawResult<i32, DB> {
    if items.is_empty() {
        return Ok(0);
    }
    let font = Font::new(theme::LABEL_SIZE);
    let row_h = theme::LEGEND_ROW_HEIGHT;
    // Entries are cut to a third of the width when a long list of long names
    // (domains) would otherwise take more than three rows.
    let rows_with = |max: i32| {
        let (mut x, mut rows) = (area.x0, 1);
        for (_, label) in items {
            let w = theme::SWATCH + 10 + width(root, label, font).min(max);
            if x > area.x0 && x + w > area.x1 {
                x = area.x0;
                rows += 1;
            }
            x += w + 40;
        }
        rows
    };
    let mut max_label = area.width() - theme::SWATCH - 12;
    if rows_with(max_label) > 3 {
        max_label = area.width() / 3 - theme::SWATCH - 50;
    }
    let (mut x, mut y) = (area.x0, area.y0 + row_h / 2);
    for (mark, label) in items {
        let label = fit(root, label, font, max_label);
        let item_w = theme::SWATCH + 10 + width(root, &label, font);
        if x > area.x0 && x + item_w > area.x1 {
            x = area.x0;
            y += row_h;
        }
        draw_mark(root, *mark, (x, y))?;
        text(root, &label, (x + theme::SWATCH + 10, y), font)?;
        x += item_w + 40;
    }
    Ok(y + row_h / 2 - area.y0 + 8)
}

/// Draws a legend mark whose left end is at `x`, centred on `y`.
fn draw_mark<DB: DrawingBackend>(
    root: &Canvas<DB>,
    mark: Mark,
    (x, y): (i32, i32),
) -> DrawResult<(), DB> {
    let s = theme::SWATCH;
    match mark {
        Mark::Box(c) => fill_rect(root, (x, y - 10), (x + s, y + 10), c),
        Mark::Band(c) => fill_rect(root, (x, y - 12), (x + s, y + 12), c.mix(theme::BAND_ALPHA)),
        Mark::Line(c) => line(root, (x, y), (x + s, y), c.stroke_width(theme::LINE_WIDTH)),
        Mark::Dashed(c) => {
            line(root, (x, y), (x + 11, y), c.stroke_width(theme::LINE_WIDTH))?;
            line(
                root,
                (x + 19, y),
                (x + s, y),
                c.stroke_width(theme::LINE_WIDTH),
            )
        }
        Mark::Whisker(c) => {
            let st = c.stroke_width(2);
            line(root, (x + 2, y), (x + s - 2, y), st)?;
            line(root, (x + 2, y - 8), (x + 2, y + 8), st)?;
            line(root, (x + s - 2, y - 8), (x + s - 2, y + 8), st)
        }
        Mark::Series(c) => {
            line(
                root,
                (x, y),
                (x + s, y),
                c.stroke_width(theme::DATA_LINE_WIDTH),
            )?;
            root.draw(&plotters::element::Circle::new(
                (x + s / 2, y),
                6,
                c.filled(),
            ))
        }
    }
}

/// Writes `lines` centred in `area`, in place of data that cannot be drawn.
pub fn note<DB: DrawingBackend>(
    root: &Canvas<DB>,
    area: Rect,
    lines: &[&str],
) -> DrawResult<(), DB> {
    let font = Font::new(theme::NOTE_SIZE)
        .color(theme::MUTED)
        .h(HPos::Center);
    let step = (theme::NOTE_SIZE * 1.5) as i32;
    let cx = (area.x0 + area.x1) / 2;
    let mut y = (area.y0 + area.y1) / 2 - step * (lines.len() as i32 - 1) / 2;
    for l in lines {
        text(root, &fit(root, l, font, area.width() - 20), (cx, y), font)?;
        y += step;
    }
    Ok(())
}

/// Places labels of the given pixel widths at preferred positions along a
/// line, in as few rows as possible so that no two labels in a row overlap.
/// `wanted[i] = (start, width)`; returns the row of each label.
pub fn stack_labels(wanted: &[(i32, i32)], gap: i32) -> Vec<usize> {
    let mut rows: Vec<Vec<(i32, i32)>> = Vec::new();
    let mut out = Vec::with_capacity(wanted.len());
    for &(start, w) in wanted {
        let end = start + w;
        let free = rows
            .iter()
            .position(|row| row.iter().all(|&(s, e)| end + gap <= s || start >= e + gap));
        let r = match free {
            Some(r) => r,
            None => {
                rows.push(Vec::new());
                rows.len() - 1
            }
        };
        rows[r].push((start, end));
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_that_overlap_go_to_new_rows() {
        let rows = stack_labels(&[(0, 100), (50, 100), (200, 50), (120, 60)], 10);
        assert_eq!(rows, vec![0, 1, 0, 0]);
        let rows = stack_labels(&[(0, 100), (20, 100), (40, 100)], 0);
        assert_eq!(rows, vec![0, 1, 2]);
    }
}
