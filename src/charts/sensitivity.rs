//! `sensitivity.png`: a tornado of the inputs with the largest effect on the
//! first figure asked for. One row per input (the largest |effect| at the top),
//! two bars from the figure as written: to its value with the input at its low
//! setting (orange) and at its high setting (blue). The whisker is the paired
//! 95 % interval of the effect (high − low), drawn at the high end: the interval
//! of the figure at the high setting given the figure at the low one.
//!
//! Figures: `figures[0].base`, `figures[0].rows[].at_low`, `at_high`, `ci95`.

use std::path::{Path, PathBuf};

use plotters::chart::ChartBuilder;
use plotters::prelude::DrawingBackend;
use plotters::style::Color;
use plotters::style::text_anchor::HPos;

use super::format::{number, thousands};
use super::frame::{
    Canvas, DrawResult, Font, Mark, Rect, fill_rect, fit, frame_with, house_style, legend, line,
    note, text, width,
};
use super::render::{self, Drawing};
use super::{ChartError, Format, Options, theme};
use crate::whatif::sensitivity::{FigureRows, Row, Sensitivity};

/// Rows drawn by default.
pub const DEFAULT_TOP: usize = 15;

/// The chart of a sensitivity analysis, with at most `top` rows.
pub struct SensitivityChart<'a> {
    /// The analysis.
    pub result: &'a Sensitivity,
    /// Rows drawn.
    pub top: usize,
    /// `--title`, `--marking`, `--label`.
    pub opts: &'a Options,
}

impl Drawing for SensitivityChart<'_> {
    fn name(&self) -> String {
        "sensitivity".into()
    }
    fn draw<DB: DrawingBackend>(&self, root: &Canvas<DB>) -> DrawResult<(), DB> {
        tornado(root, self.result, self.top, self.opts)
    }
}

/// Renders `sensitivity.png` (or `.svg`).
pub fn render(s: &Sensitivity, top: usize, format: Format) -> Result<Vec<u8>, ChartError> {
    render_with(s, top, format, &Options::default())
}

/// [`render`] with a title, a marking or labels.
pub fn render_with(
    s: &Sensitivity,
    top: usize,
    format: Format,
    opts: &Options,
) -> Result<Vec<u8>, ChartError> {
    render::render(
        &SensitivityChart {
            result: s,
            top,
            opts,
        },
        format,
    )
}

/// Renders the chart and writes it into `dir` as `sensitivity.png` (or `.svg`).
pub fn write(
    s: &Sensitivity,
    top: usize,
    dir: &Path,
    format: Format,
    opts: &Options,
) -> Result<PathBuf, ChartError> {
    render::write(
        &SensitivityChart {
            result: s,
            top,
            opts,
        },
        dir,
        format,
    )
}

fn legend_items() -> [(Mark, String); 3] {
    [
        (Mark::Box(theme::ORANGE), "input at its low setting".into()),
        (Mark::Box(theme::BLUE), "input at its high setting".into()),
        (
            Mark::Whisker(theme::BLACK),
            "paired 95 % interval of the effect, at the high end".into(),
        ),
    ]
}

/// A value of the figure in its axis unit: percent for probabilities.
fn unit(f: &FigureRows, x: f64) -> f64 {
    if f.probability { 100.0 * x } else { x }
}

/// The chart's footer: trials, seed and the `--set`s, to reproduce it.
fn footer(s: &Sensitivity) -> String {
    let mut footer = format!(
        "{} trials per setting · seed {} · common random numbers · intervals paired on the same trials",
        thousands(s.trials as f64),
        s.seed
    );
    for o in &s.scenario.overrides {
        footer.push_str(" · --set ");
        footer.push_str(o);
    }
    footer
}

fn tornado<DB: DrawingBackend>(
    root: &Canvas<DB>,
    s: &Sensitivity,
    top: usize,
    opts: &Options,
) -> DrawResult<(), DB> {
    let footer = footer(s);
    let Some(f) = s.figures.first() else {
        let body = frame_with(root, opts, "Sensitivity", &s.scenario.name, &footer)?;
        return note(root, body, &["No figure asked for."]);
    };
    let title = format!(
        "What moves {} most? Effect of each input, low to high",
        f.figure
    );
    let body = frame_with(root, opts, &title, &s.scenario.name, &footer)?;
    // Each row named by its `--label`, else its key.
    let named: Vec<Row> = f
        .rows
        .iter()
        .filter(|r| r.effect.is_finite())
        .take(top.max(1))
        .map(|r| Row {
            input: opts.label(&r.input).unwrap_or(&r.input).to_string(),
            ..r.clone()
        })
        .collect();
    let rows: Vec<&Row> = named.iter().collect();
    if rows.is_empty() || !f.base.is_finite() {
        return note(
            root,
            body,
            &["No input has a finite effect on this figure."],
        );
    }
    let used = legend(root, body, &legend_items())?;
    let plot = body.below(used + 10);
    let name_font = Font::new(theme::LABEL_SIZE);
    let name_w = rows
        .iter()
        .map(|r| width(root, &r.input, name_font))
        .max()
        .unwrap_or(0)
        .min(plot.width() * 3 / 10);
    let rect = Rect {
        x0: plot.x0 + name_w + 24,
        ..plot
    };
    let base = unit(f, f.base);
    let (lo, hi) = x_range(f, &rows);
    let n = rows.len() as f64;
    let area = rect.area(root);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(30)
        .x_label_area_size(theme::X_LABEL_AREA)
        .build_cartesian_2d(lo..hi, 0.0..n)?;
    let x_fmt = |v: &f64| number(*v);
    let desc = if f.probability {
        format!("{} (%), the line at its value as written", f.figure)
    } else {
        format!("{}, the line at its value as written", f.figure)
    };
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh()
        .x_labels(8)
        .x_label_formatter(&x_fmt)
        .x_desc(desc);
    house_style(&mut mesh).draw()?;
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    draw_rows(root, f, &rows, &px, (rect.x0 - 24, name_w))?;
    let (xb, y0) = px(base, 0.0);
    let (_, y1) = px(base, n);
    line(root, (xb, y0), (xb, y1), theme::BLACK.stroke_width(2))
}

/// The x range, in axis units: the base, every setting's figure and interval, padded.
fn x_range(f: &FigureRows, rows: &[&Row]) -> (f64, f64) {
    let base = unit(f, f.base);
    let (mut lo, mut hi) = (base, base);
    for r in rows {
        let mut xs = vec![r.at_low, r.at_high];
        if let Some(c) = r.ci95 {
            xs.extend([r.at_low + c[0], r.at_low + c[1]]);
        }
        for v in xs {
            lo = lo.min(unit(f, v));
            hi = hi.max(unit(f, v));
        }
    }
    let pad = ((hi - lo) * 0.08).max(1e-9);
    (lo - pad, hi + pad)
}

/// Each row's two bars, its whisker and its name (right-aligned at `name.0`,
/// at most `name.1` wide).
fn draw_rows<DB: DrawingBackend>(
    root: &Canvas<DB>,
    f: &FigureRows,
    rows: &[&Row],
    px: &dyn Fn(f64, f64) -> (i32, i32),
    name: (i32, i32),
) -> DrawResult<(), DB> {
    let n = rows.len() as f64;
    let base = unit(f, f.base);
    let name_font = Font::new(theme::LABEL_SIZE).h(HPos::Right);
    let row_h = (px(base, 0.0).1 - px(base, 1.0).1).max(2);
    let bar_h = (row_h * 3 / 10).max(1);
    let (xb, _) = px(base, 0.0);
    let span = |x: i32| (xb.min(x), xb.max(x).max(xb.min(x) + 1));
    for (k, r) in rows.iter().enumerate() {
        let yc = px(base, n - k as f64 - 0.5).1;
        let (l0, l1) = span(px(unit(f, r.at_low), 0.0).0);
        let (h0, h1) = span(px(unit(f, r.at_high), 0.0).0);
        fill_rect(root, (l0, yc - bar_h), (l1, yc), theme::ORANGE)?;
        fill_rect(root, (h0, yc), (h1, yc + bar_h), theme::BLUE)?;
        if let Some(c) = r.ci95 {
            let (x0, _) = px(unit(f, r.at_low + c[0]), 0.0);
            let (x1, _) = px(unit(f, r.at_low + c[1]), 0.0);
            let st = theme::BLACK.stroke_width(2);
            let y = yc + bar_h / 2;
            let cap = (bar_h / 2).clamp(2, 10);
            line(root, (x0, y), (x1, y), st)?;
            line(root, (x0, y - cap), (x0, y + cap), st)?;
            line(root, (x1, y - cap), (x1, y + cap), st)?;
        }
        let label = fit(root, &r.input, name_font, name.1);
        text(root, &label, (name.0, yc - 12), name_font)?;
    }
    Ok(())
}
