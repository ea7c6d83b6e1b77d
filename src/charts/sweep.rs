//! `sweep.png`: what a sweep shows.
//!
//! - One axis: a line chart of P(all domains covered) (black, thicker) and of
//!   P(covered) per domain (coloured as in the other charts), each with its 95 %
//!   interval as a shaded band, against the varied value.
//! - Two axes: a heat map (decision table) of P(all domains covered), rows for the
//!   first key and columns for the second, every cell labelled when it is large
//!   enough, with a colour scale.
//!
//! Figures: `points[].p_all_covered`, `p_all_covered_ci95`,
//! `points[].domains[id].p_covered`, `p_covered_ci95`, and `axes[].values`.

use std::path::{Path, PathBuf};

use plotters::chart::ChartBuilder;
use plotters::element::{Circle, PathElement, Polygon};
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::HPos;
use plotters::style::{Color, RGBColor};
use serde_json::Value as Json;

use super::format::{axis_percent, number, percent, plain, thousands};
use super::frame::{
    Canvas, DrawResult, Font, Mark, Rect, Valign, covered_axis, fill_rect, fit, frame_with,
    house_style, legend, line, note, text, width,
};
use super::names::file_stem;
use super::render::{self, Drawing};
use super::{ChartError, Format, Options, theme};
use crate::whatif::sweep::Sweep;

/// Space right of the line plot for the last values.
const RIGHT_PAD: u32 = 120;
/// Width of the y tick label area.
const Y_LABEL_AREA: u32 = 120;
/// Closest two end labels may be, vertically, in pixels.
const LABEL_SPACING: i32 = 28;
/// Most points drawn with a dot.
const MAX_DOTS: usize = 60;
/// Width of the heat map's colour scale, and the space for its labels.
const SCALE_W: i32 = 34;
const SCALE_LABELS: i32 = 110;
/// The heat map's colour at P = 1 (at 0 it is white).
const HEAT: RGBColor = theme::BLUE;

/// The chart of a sweep.
pub struct SweepChart<'a>(pub &'a Sweep, pub &'a Options);

impl Drawing for SweepChart<'_> {
    fn name(&self) -> String {
        file_name(self.0)
    }
    fn draw<DB: DrawingBackend>(&self, root: &Canvas<DB>) -> DrawResult<(), DB> {
        if self.0.axes.len() >= 2 {
            heat_map(root, self.0, self.1)
        } else {
            lines(root, self.0, self.1)
        }
    }
}

/// The file stem of a sweep's chart, after its keys:
/// `sweep-nations.ESP.participation`, `sweep-KEY1-KEY2` (`sweep` without an axis).
pub fn file_name(s: &Sweep) -> String {
    let keys: Vec<&str> = s.axes.iter().map(|a| a.key.as_str()).collect();
    file_stem("sweep", &keys)
}

/// Renders the chart of a sweep (PNG or SVG bytes).
pub fn render(s: &Sweep, format: Format) -> Result<Vec<u8>, ChartError> {
    render_with(s, format, &Options::default())
}

/// [`render`] with a title, a marking or labels.
pub fn render_with(s: &Sweep, format: Format, opts: &Options) -> Result<Vec<u8>, ChartError> {
    render::render(&SweepChart(s, opts), format)
}

/// Renders the sweep's chart and writes it into `dir` as `sweep-KEY.png` (or `.svg`).
pub fn write(s: &Sweep, dir: &Path, format: Format) -> Result<PathBuf, ChartError> {
    write_with(s, dir, format, &Options::default())
}

/// [`write`] with a title, a marking or labels.
pub fn write_with(
    s: &Sweep,
    dir: &Path,
    format: Format,
    opts: &Options,
) -> Result<PathBuf, ChartError> {
    render::write(&SweepChart(s, opts), dir, format)
}

fn footer(s: &Sweep) -> String {
    let mut f = format!(
        "{} point{} × {} trials · seed {} · common random numbers",
        s.points.len(),
        if s.points.len() == 1 { "" } else { "s" },
        thousands(s.trials as f64),
        s.seed
    );
    for o in &s.scenario.overrides {
        f.push_str(" · --set ");
        f.push_str(o);
    }
    f
}

/// A value of an axis as a label: numbers with separators, anything else as written.
fn label(v: &Json) -> String {
    match v {
        Json::Number(n) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x.abs() >= 1000.0 => thousands(x),
            Some(x) => {
                let s = n.to_string();
                if s.len() <= 8 { s } else { number(x) }
            }
            None => n.to_string(),
        },
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One line of the line chart.
struct Series {
    name: String,
    color: RGBColor,
    /// (P, 95 % interval) per point.
    values: Vec<(f64, [f64; 2])>,
    overall: bool,
}

/// The line chart's x positions: the values when they are all numbers, else
/// their indices.
struct Xs<'a> {
    values: Vec<&'a Json>,
    numeric: bool,
    xs: Vec<f64>,
}

impl<'a> Xs<'a> {
    fn of(s: &'a Sweep) -> Xs<'a> {
        let values: Vec<&Json> = s.points.iter().map(|p| &p.values[0]).collect();
        let numeric: Option<Vec<f64>> = values.iter().map(|v| v.as_f64()).collect();
        let xs: Vec<f64> = match &numeric {
            Some(x) => x.clone(),
            None => (0..values.len()).map(|i| i as f64).collect(),
        };
        Xs {
            values,
            numeric: numeric.is_some(),
            xs,
        }
    }

    /// The x range, with a margin.
    fn range(&self) -> (f64, f64) {
        let (lo, hi) = self
            .xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let pad = if hi > lo { (hi - lo) * 0.03 } else { 1.0 };
        (lo - pad, hi + pad)
    }

    /// The tick label at `v`: the number, or the value whose index it is.
    fn tick(&self, v: f64) -> String {
        if self.numeric {
            if v.fract() == 0.0 && v.abs() >= 1000.0 {
                thousands(v)
            } else {
                plain((v * 1e6).round() / 1e6)
            }
        } else {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < self.values.len() {
                label(self.values[i as usize])
            } else {
                String::new()
            }
        }
    }
}

/// The pixel of (x, P).
type Px<'c> = &'c dyn Fn(f64, f64) -> (i32, i32);

fn lines<DB: DrawingBackend>(root: &Canvas<DB>, s: &Sweep, opts: &Options) -> DrawResult<(), DB> {
    let key = s.axes.first().map_or("", |a| a.key.as_str());
    let name = opts.key_name(key);
    let body = frame_with(
        root,
        opts,
        &format!("How coverage changes with {name}"),
        &s.scenario.name,
        &footer(s),
    )?;
    if s.points.is_empty() {
        return note(root, body, &["The sweep has no point."]);
    }
    let xs = Xs::of(s);
    let (x_lo, x_hi) = xs.range();
    let series = all_series(s, opts);
    let used = legend(root, body, &legend_items(&series))?;
    let plot = body.below(used + 10);

    let area = plot.area(root);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(RIGHT_PAD)
        .margin_top(16)
        .x_label_area_size(theme::X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(x_lo..x_hi, 0.0..100.0)?;
    let x_fmt = |v: &f64| xs.tick(*v);
    let x_ticks = if xs.numeric {
        8
    } else {
        xs.values.len().min(12)
    };
    let mut mesh = chart.configure_mesh();
    house_style(covered_axis(&mut mesh))
        .x_labels(x_ticks)
        .x_label_formatter(&x_fmt)
        .x_desc(if name == key {
            key.to_string()
        } else {
            format!("{name} ({key})")
        });
    mesh.draw()?;

    let px = |x: f64, p: f64| chart.backend_coord(&(x, p.clamp(0.0, 1.0) * 100.0));
    bands(root, &series, &xs.xs, &px)?;
    series_lines(root, &series, &xs.xs, &px)?;
    end_labels(root, &series, &xs.xs, &px, (x_lo, x_hi))
}

/// One line per domain, then the overall line.
fn all_series(s: &Sweep, opts: &Options) -> Vec<Series> {
    let first = &s.points[0].figures;
    let mut series: Vec<Series> = first
        .domains
        .keys()
        .enumerate()
        .map(|(i, id)| Series {
            name: opts.domain_name(id),
            color: theme::series(i),
            values: s
                .points
                .iter()
                .map(|p| {
                    p.figures
                        .domains
                        .get(id)
                        .map_or((f64::NAN, [f64::NAN; 2]), |d| {
                            (d.p_covered, d.p_covered_ci95)
                        })
                })
                .collect(),
            overall: false,
        })
        .collect();
    series.push(Series {
        name: "All domains".into(),
        color: theme::BLACK,
        values: s
            .points
            .iter()
            .map(|p| (p.figures.p_all_covered, p.figures.p_all_covered_ci95))
            .collect(),
        overall: true,
    });
    series
}

fn legend_items(series: &[Series]) -> Vec<(Mark, String)> {
    let mut items = vec![(Mark::Series(theme::BLACK), "All domains".to_string())];
    items.extend(
        series
            .iter()
            .filter(|x| !x.overall)
            .map(|x| (Mark::Series(x.color), x.name.clone())),
    );
    items.push((Mark::Band(theme::BLACK), "95 % interval".to_string()));
    items
}

/// The 95 % bands, first, under every line.
fn bands<DB: DrawingBackend>(
    root: &Canvas<DB>,
    series: &[Series],
    xs: &[f64],
    px: Px<'_>,
) -> DrawResult<(), DB> {
    for sr in series {
        let pts: Vec<(f64, [f64; 2])> = xs
            .iter()
            .zip(&sr.values)
            .filter(|(_, (p, _))| p.is_finite())
            .map(|(&x, &(_, ci))| (x, ci))
            .collect();
        if pts.len() < 2 {
            continue;
        }
        let mut poly: Vec<(i32, i32)> = pts.iter().map(|(x, ci)| px(*x, ci[1])).collect();
        poly.extend(pts.iter().rev().map(|(x, ci)| px(*x, ci[0])));
        root.draw(&Polygon::new(
            poly,
            sr.color.mix(theme::BAND_ALPHA).filled(),
        ))?;
    }
    Ok(())
}

/// Lines and dots: domains, then the overall line on top.
fn series_lines<DB: DrawingBackend>(
    root: &Canvas<DB>,
    series: &[Series],
    xs: &[f64],
    px: Px<'_>,
) -> DrawResult<(), DB> {
    for sr in series {
        let pts: Vec<(i32, i32)> = xs
            .iter()
            .zip(&sr.values)
            .filter(|(_, (p, _))| p.is_finite())
            .map(|(&x, &(p, _))| px(x, p))
            .collect();
        let w = if sr.overall {
            theme::DATA_LINE_WIDTH + 2
        } else {
            theme::DATA_LINE_WIDTH
        };
        root.draw(&PathElement::new(pts.clone(), sr.color.stroke_width(w)))?;
        if pts.len() <= MAX_DOTS {
            for p in &pts {
                root.draw(&Circle::new(
                    *p,
                    if sr.overall { 7 } else { 5 },
                    sr.color.filled(),
                ))?;
            }
        }
    }
    Ok(())
}

/// The last value of every line at the right end, moved apart so none overlap.
fn end_labels<DB: DrawingBackend>(
    root: &Canvas<DB>,
    series: &[Series],
    xs: &[f64],
    px: Px<'_>,
    (x_lo, x_hi): (f64, f64),
) -> DrawResult<(), DB> {
    let last = xs.len() - 1;
    let mut ends: Vec<(i32, String, RGBColor, bool)> = series
        .iter()
        .filter(|sr| sr.values[last].0.is_finite())
        .map(|sr| {
            let (p, _) = sr.values[last];
            (px(xs[last], p).1, percent(p), sr.color, sr.overall)
        })
        .collect();
    ends.sort_by_key(|e| e.0);
    let (y_top, y_base) = (px(x_lo, 1.0).1, px(x_lo, 0.0).1);
    let ys = apart(
        &ends.iter().map(|e| e.0).collect::<Vec<_>>(),
        LABEL_SPACING,
        y_top,
        y_base,
    );
    let x_end = px(x_hi, 0.0).0 + 12;
    let end_font = Font::new(theme::VALUE_SIZE).bold();
    for ((_, label, color, _), y) in ends.iter().zip(ys) {
        text(root, label, (x_end, y), end_font.color(*color))?;
    }
    Ok(())
}

/// Moves sorted positions apart to at least `gap`, keeping them within
/// `[top, bottom]` when there is room.
fn apart(ys: &[i32], gap: i32, top: i32, bottom: i32) -> Vec<i32> {
    let mut out = ys.to_vec();
    for i in 1..out.len() {
        out[i] = out[i].max(out[i - 1] + gap);
    }
    let last = out.last().copied().unwrap_or(bottom);
    if last > bottom {
        let up = last - bottom;
        for y in out.iter_mut() {
            *y -= up;
        }
        for i in (0..out.len().saturating_sub(1)).rev() {
            out[i] = out[i].min(out[i + 1] - gap);
        }
    }
    let first = out.first().copied().unwrap_or(top);
    if first < top {
        let down = top - first;
        for y in out.iter_mut() {
            *y += down;
        }
    }
    out
}

/// The top of the heat map's scale: the largest value rounded up to 10 %, so that
/// small probabilities still differ in colour (the scale always starts at 0).
fn scale_top(ps: impl Iterator<Item = f64>) -> f64 {
    let max = ps.filter(|p| p.is_finite()).fold(0.0f64, f64::max);
    ((max * 10.0).ceil() / 10.0).clamp(0.1, 1.0)
}

/// The heat map's colour of probability `p` on a scale from 0 (white) to `top`
/// ([`HEAT`]).
fn heat(p: f64, top: f64) -> RGBColor {
    let t = if p.is_finite() {
        (p / top).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    RGBColor(mix(250, HEAT.0), mix(250, HEAT.1), mix(250, HEAT.2))
}

/// The heat map's cells, in pixels.
struct Grid {
    rect: Rect,
    nr: usize,
    nc: usize,
    cw: f64,
    ch: f64,
}

impl Grid {
    fn new(rect: Rect, nr: usize, nc: usize) -> Grid {
        Grid {
            rect,
            nr,
            nc,
            cw: rect.width() as f64 / nc as f64,
            ch: rect.height() as f64 / nr as f64,
        }
    }

    /// Cell (row `i`, column `j`): `(x0, y0, x1, y1)`.
    fn cell(&self, i: usize, j: usize) -> (i32, i32, i32, i32) {
        let g = &self.rect;
        (
            g.x0 + (j as f64 * self.cw).round() as i32,
            g.y0 + (i as f64 * self.ch).round() as i32,
            g.x0 + ((j + 1) as f64 * self.cw).round() as i32,
            g.y0 + ((i + 1) as f64 * self.ch).round() as i32,
        )
    }
}

fn heat_map<DB: DrawingBackend>(
    root: &Canvas<DB>,
    s: &Sweep,
    opts: &Options,
) -> DrawResult<(), DB> {
    let (rows, cols) = (&s.axes[0], &s.axes[1]);
    let (row_name, col_name) = (opts.key_name(&rows.key), opts.key_name(&cols.key));
    let body = frame_with(
        root,
        opts,
        &format!("P(all covered) by {row_name} and {col_name}"),
        &s.scenario.name,
        &footer(s),
    )?;
    let (nr, nc) = (rows.values.len(), cols.values.len());
    if nr == 0 || nc == 0 || s.points.len() < nr * nc {
        return note(root, body, &["The sweep has no point."]);
    }
    let label_font = Font::new(theme::LABEL_SIZE);
    let desc_font = Font::new(theme::AXIS_DESC_SIZE);
    let row_labels: Vec<String> = rows.values.iter().map(label).collect();
    let col_labels: Vec<String> = cols.values.iter().map(label).collect();
    let row_w = row_labels
        .iter()
        .map(|l| width(root, l, label_font))
        .max()
        .unwrap_or(0)
        .min(body.width() / 4);
    // Layout: row key above the row labels, column key under the column labels.
    let grid = Grid::new(
        Rect {
            x0: body.x0 + row_w + 24,
            y0: body.y0 + 50,
            x1: body.x1 - SCALE_W - SCALE_LABELS - 30,
            y1: body.y1 - 100,
        },
        nr,
        nc,
    );
    text(
        root,
        &fit(root, &format!("↓ {row_name}"), desc_font, body.width()),
        (body.x0, body.y0 + 16),
        desc_font.color(theme::MUTED),
    )?;
    let top_p = scale_top(s.points.iter().map(|p| p.figures.p_all_covered));
    heat_cells(root, s, &grid, top_p)?;
    cell_rules(root, &grid)?;
    row_label_column(root, &grid, &row_labels, row_w)?;
    col_label_row(root, &grid, &col_labels)?;
    let g = grid.rect;
    text(
        root,
        &fit(root, &format!("{col_name} →"), desc_font, g.width()),
        ((g.x0 + g.x1) / 2, g.y1 + 66),
        desc_font.color(theme::MUTED).h(HPos::Center),
    )?;
    color_scale(root, &grid, top_p)
}

/// The cells, coloured by P(all covered), with the value when there is room.
fn heat_cells<DB: DrawingBackend>(
    root: &Canvas<DB>,
    s: &Sweep,
    grid: &Grid,
    top_p: f64,
) -> DrawResult<(), DB> {
    let value_font = Font::new(theme::VALUE_SIZE).h(HPos::Center);
    let show_values = grid.cw >= 64.0 && grid.ch >= 28.0;
    for i in 0..grid.nr {
        for j in 0..grid.nc {
            let p = s.points[i * grid.nc + j].figures.p_all_covered;
            let (x0, y0, x1, y1) = grid.cell(i, j);
            fill_rect(root, (x0, y0), (x1, y1), heat(p, top_p))?;
            if show_values {
                let color = if p / top_p > 0.55 {
                    theme::BACKGROUND
                } else {
                    theme::TEXT
                };
                text(
                    root,
                    &percent(p),
                    ((x0 + x1) / 2, (y0 + y1) / 2),
                    value_font.color(color),
                )?;
            }
        }
    }
    Ok(())
}

/// Thin white lines between cells, when they are wide enough to need them.
fn cell_rules<DB: DrawingBackend>(root: &Canvas<DB>, grid: &Grid) -> DrawResult<(), DB> {
    if grid.cw < 8.0 || grid.ch < 8.0 {
        return Ok(());
    }
    let g = grid.rect;
    for j in 1..grid.nc {
        let x = grid.cell(0, j).0;
        line(
            root,
            (x, g.y0),
            (x, g.y1),
            theme::BACKGROUND.stroke_width(2),
        )?;
    }
    for i in 1..grid.nr {
        let y = grid.cell(i, 0).1;
        line(
            root,
            (g.x0, y),
            (g.x1, y),
            theme::BACKGROUND.stroke_width(2),
        )?;
    }
    Ok(())
}

/// Row labels, thinned so that they do not overlap.
fn row_label_column<DB: DrawingBackend>(
    root: &Canvas<DB>,
    grid: &Grid,
    labels: &[String],
    row_w: i32,
) -> DrawResult<(), DB> {
    let label_font = Font::new(theme::LABEL_SIZE);
    let mut last_y: Option<i32> = None;
    for (i, l) in labels.iter().enumerate() {
        let (_, y0, _, y1) = grid.cell(i, 0);
        let y = (y0 + y1) / 2;
        if last_y.is_none_or(|last| y - last >= 28) {
            text(
                root,
                &fit(root, l, label_font, row_w),
                (grid.rect.x0 - 12, y),
                label_font.h(HPos::Right),
            )?;
            last_y = Some(y);
        }
    }
    Ok(())
}

/// Column labels, thinned likewise.
fn col_label_row<DB: DrawingBackend>(
    root: &Canvas<DB>,
    grid: &Grid,
    labels: &[String],
) -> DrawResult<(), DB> {
    let tick = Font::new(theme::LABEL_SIZE).h(HPos::Center).v(Valign::Top);
    let mut last_end = i32::MIN;
    for (j, l) in labels.iter().enumerate() {
        let (x0, _, x1, _) = grid.cell(0, j);
        let x = (x0 + x1) / 2;
        let w = width(root, l, tick);
        if x - w / 2 > last_end + 12 {
            text(root, l, (x, grid.rect.y1 + 14), tick)?;
            last_end = x + w / 2;
        }
    }
    Ok(())
}

/// The colour scale, right of the grid, from 0 to `top_p`.
fn color_scale<DB: DrawingBackend>(
    root: &Canvas<DB>,
    grid: &Grid,
    top_p: f64,
) -> DrawResult<(), DB> {
    let g = grid.rect;
    let sx = g.x1 + 30;
    let steps = 100;
    let sh = g.height() as f64;
    for k in 0..steps {
        let p = top_p * (1.0 - (k as f64 + 0.5) / steps as f64);
        let y0 = g.y0 + (k as f64 * sh / steps as f64).round() as i32;
        let y1 = g.y0 + ((k + 1) as f64 * sh / steps as f64).round() as i32;
        fill_rect(root, (sx, y0), (sx + SCALE_W, y1), heat(p, top_p))?;
    }
    for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = g.y1 - (q * sh).round() as i32;
        line(
            root,
            (sx + SCALE_W, y),
            (sx + SCALE_W + 8, y),
            theme::AXIS.stroke_width(2),
        )?;
        text(
            root,
            &axis_percent(q * top_p * 100.0),
            (sx + SCALE_W + 14, y),
            Font::new(theme::LABEL_SIZE),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_labels_move_apart_within_the_plot() {
        assert_eq!(apart(&[10, 100], 28, 0, 1000), vec![10, 100]);
        assert_eq!(apart(&[100, 100, 100], 28, 0, 1000), vec![100, 128, 156]);
        let v = apart(&[990, 995, 1000], 28, 0, 1000);
        assert_eq!(v, vec![944, 972, 1000]);
        assert!(apart(&[0, 0], 28, 5, 1000)[0] >= 5);
    }

    #[test]
    fn heat_runs_from_white_to_the_heat_colour() {
        assert_eq!(heat(0.0, 1.0), RGBColor(250, 250, 250));
        assert_eq!(heat(1.0, 1.0), HEAT);
        assert_eq!(heat(0.4, 0.4), HEAT);
        assert_eq!(heat(f64::NAN, 1.0), RGBColor(250, 250, 250));
        assert_eq!(scale_top([0.05, 0.31].into_iter()), 0.4);
        assert_eq!(scale_top([0.0].into_iter()), 0.1);
        assert_eq!(scale_top([1.0, f64::NAN].into_iter()), 1.0);
    }
}
