//! `force.png`: how big the force will be. The distribution of the total of one
//! capability across trials (troops when the scenario counts them), with the
//! report's thresholds as labelled dashed lines ("≥ 15,000: 93 %"), the median
//! as a solid line, the 5–95 % range of trials as a shaded band, and the whole
//! force's requirement on that capability (`[force]`) as a green line labelled
//! with how often it is met. With a `[mission]` the trials are the mounted ones.
//!
//! Figures: `totals[cap].histogram` (bars), `totals[cap].p50` (median),
//! `totals[cap].p05`/`p95` (band), `thresholds[cap]` (dashed lines),
//! `force.capabilities[cap].required` and `.p_met` (requirement line).

use plotters::chart::{ChartBuilder, ChartContext};
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::types::RangedCoordf64;
use plotters::element::Rectangle;
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::HPos;
use plotters::style::{Color, RGBColor};

use super::format::{axis_percent, count_ticks, number, percent, thousands};
use super::frame::{
    Canvas, DrawResult, Font, Mark, Valign, dashed, fill_rect, frame, legend, line, note,
    stack_labels, text, width,
};
use super::theme;
use crate::report::{Report, Threshold, Total};

/// Bars of the distribution.
const BAR: RGBColor = theme::BLUE;
/// The 5–95 % band.
const BAND: RGBColor = theme::ORANGE;
/// The median line.
const MEDIAN: RGBColor = theme::BLACK;
/// Threshold lines.
const THRESHOLD: RGBColor = theme::VERMILLION;
/// The whole force's requirement.
const REQUIRED: RGBColor = theme::GREEN;
/// Width of the y tick label area.
const Y_LABEL_AREA: u32 = 130;
/// Space kept right of the plot.
const RIGHT_PAD: i32 = 36;
/// Height of one row of labels above the bars.
const LABEL_ROW: i32 = 36;
/// Narrowest band, or bar when there are at most three, in pixels (so that a
/// spike stays visible).
const MIN_MARK_PX: f64 = 16.0;

/// The capability drawn: `troops` if counted, else the first with thresholds,
/// else the first.
pub fn pick(report: &Report) -> Option<(&str, &Total)> {
    let id = if report.totals.contains_key("troops") {
        Some("troops")
    } else {
        report
            .thresholds
            .iter()
            .find(|(k, v)| !v.is_empty() && report.totals.contains_key(k.as_str()))
            .map(|(k, _)| k.as_str())
            .or_else(|| report.totals.keys().next().map(String::as_str))
    };
    let id = id?;
    report
        .totals
        .get_key_value(id)
        .map(|(k, t)| (k.as_str(), t))
}

/// A label above the bars: text, x in data units, colour.
struct Label {
    text: String,
    x: f64,
    color: RGBColor,
}

/// What the chart shows of the picked capability.
struct Shown<'a> {
    name: String,
    unit: String,
    total: &'a Total,
    thresholds: &'a [Threshold],
    /// The whole force's requirement on the capability, if any: (required, P(met)).
    required: Option<(f64, f64)>,
    /// Trials in the histogram.
    n: u64,
}

/// The x range and the top of the y axis, in data units.
struct Scale {
    lo: f64,
    hi: f64,
    y_top: f64,
}

/// The labels above the bars, placed: left x, width, and stacking row.
struct Placed {
    labels: Vec<Label>,
    spots: Vec<(i32, i32)>,
    rows: Vec<usize>,
}

type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

pub(super) fn draw<DB: DrawingBackend>(
    root: &Canvas<DB>,
    report: &Report,
    opts: &super::Options,
) -> DrawResult<(), DB> {
    let Some((id, total)) = pick(report) else {
        let body = frame(root, report, opts, "How big will the force be?")?;
        return note(root, body, &["The scenario counts no capability."]);
    };
    let (name, unit) = names(report, id);
    let body = frame(
        root,
        report,
        opts,
        &format!("How big will the force be? Total {name} across trials"),
    )?;
    let n: u64 = total.histogram.counts.iter().sum();
    if report.trials == 0 {
        return note(root, body, &["No trial was run."]);
    }
    if n == 0 || report.mounted_trials == 0 {
        return note(root, body, &["No trial mounted the mission."]);
    }
    let shown = Shown {
        name,
        unit,
        total,
        thresholds: report.thresholds.get(id).map_or(&[], |v| v.as_slice()),
        required: report
            .force
            .as_ref()
            .and_then(|f| f.capabilities.get(id))
            .filter(|c| c.required.is_finite())
            .map(|c| (c.required, c.p_met)),
        n,
    };
    let used = legend(root, body, &legend_items(&shown))?;
    let plot = body.below(used + 6);
    let (lo, hi) = x_range(&shown);
    let plot_x = (plot.x0 + Y_LABEL_AREA as i32, plot.x1 - RIGHT_PAD);
    let placed = place_labels(root, labels(&shown), (lo, hi), plot_x);
    let nrows = placed.rows.iter().max().map_or(0, |r| r + 1) as i32;
    let plot_h = (plot.height() - theme::X_LABEL_AREA as i32).max(1) as f64;
    let headroom_px = (nrows * LABEL_ROW + 24) as f64;
    let y_top = peak(&shown) * 1.05 / (1.0 - (headroom_px / plot_h).min(0.6));
    let scale = Scale { lo, hi, y_top };

    let area = plot.area(root);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(RIGHT_PAD as u32)
        .x_label_area_size(theme::X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(lo..hi, 0.0..y_top)?;
    mesh(&mut chart, &shown)?;
    bars(&mut chart, &shown, &scale, plot_x)?;
    reference_lines(root, &chart, &placed, &scale)
}

/// The capability's name, and its unit (the name when it has none).
fn names(report: &Report, id: &str) -> (String, String) {
    match report.capabilities.get(id) {
        Some(c) => (
            c.name.clone(),
            if c.unit.is_empty() {
                c.name.clone()
            } else {
                c.unit.clone()
            },
        ),
        None => (id.to_string(), id.to_string()),
    }
}

fn legend_items(shown: &Shown<'_>) -> Vec<(Mark, String)> {
    let (s, unit) = (&shown.total.stats, &shown.unit);
    let mut items = vec![
        (Mark::Box(BAR), "share of trials".to_string()),
        (
            Mark::Band(BAND),
            format!(
                "5–95 % of trials: {} – {} {unit}",
                thousands(s.p05),
                thousands(s.p95)
            ),
        ),
        (
            Mark::Line(MEDIAN),
            format!("median: {} {unit}", thousands(s.p50)),
        ),
    ];
    if !shown.thresholds.is_empty() {
        items.push((
            Mark::Dashed(THRESHOLD),
            format!("threshold: P(total ≥ x), x in {unit}"),
        ));
    }
    if shown.required.is_some() {
        items.push((
            Mark::Line(REQUIRED),
            "whole-force requirement: P(met)".to_string(),
        ));
    }
    items
}

/// Where the requirement's line is drawn: on the left edge of its bar, as a
/// threshold's (a drawn requirement at its mean, which need not be whole).
fn required_x(required: f64) -> f64 {
    required.ceil() - 0.5
}

/// The x range: the histogram, the thresholds and the band, with a margin.
fn x_range(shown: &Shown<'_>) -> (f64, f64) {
    let (s, h) = (&shown.total.stats, &shown.total.histogram);
    // Whole numbers sit at the centre of their bars: bin i spans
    // [start + i·width − ½, start + (i+1)·width − ½).
    let end = h.start + h.width * h.counts.len() as f64 - 0.5;
    let mut lo = (h.start - 0.5).min(s.p05 - 0.5);
    let mut hi = end.max(s.p95 + 0.5);
    let required = shown.required.map(|(r, _)| required_x(r));
    for x in shown.thresholds.iter().map(threshold_x).chain(required) {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    let pad = ((hi - lo) * 0.04).max(1.0);
    // Not clamped at 0: a spike at 0 must not hide behind the y axis.
    (lo - pad, hi + pad)
}

/// Where a threshold's line is drawn: on the left edge of the bar of its value,
/// so that the bars right of the line are the trials that reach it.
fn threshold_x(t: &Threshold) -> f64 {
    t.at_least as f64 - 0.5
}

/// The share of trials in a bar of `c` trials, in percent.
fn share(shown: &Shown<'_>, c: u64) -> f64 {
    c as f64 / shown.n as f64 * 100.0
}

/// The highest bar, in percent.
fn peak(shown: &Shown<'_>) -> f64 {
    shown
        .total
        .histogram
        .counts
        .iter()
        .map(|&c| share(shown, c))
        .fold(0.0, f64::max)
        .max(1e-9)
}

/// Labels above the bars: thresholds and median.
fn labels(shown: &Shown<'_>) -> Vec<Label> {
    let mut labels: Vec<Label> = shown
        .thresholds
        .iter()
        .map(|t| Label {
            text: format!("≥ {}: {}", thousands(t.at_least as f64), percent(t.p)),
            x: threshold_x(t),
            color: THRESHOLD,
        })
        .collect();
    if let Some((required, p_met)) = shown.required {
        labels.push(Label {
            text: format!("required {}: {}", thousands(required), percent(p_met)),
            x: required_x(required),
            color: REQUIRED,
        });
    }
    let p50 = shown.total.stats.p50;
    labels.push(Label {
        text: format!("median {}", thousands(p50)),
        x: p50,
        color: MEDIAN,
    });
    labels
}

/// The labels' font.
fn label_font() -> Font {
    Font::new(theme::VALUE_SIZE).bold()
}

/// Places each label right of its line (left when it would pass the plot's
/// right edge), stacked in rows so that none overlap.
fn place_labels<DB: DrawingBackend>(
    root: &Canvas<DB>,
    labels: Vec<Label>,
    (lo, hi): (f64, f64),
    (plot_x0, plot_x1): (i32, i32),
) -> Placed {
    let font = label_font();
    let px = |x: f64| plot_x0 as f64 + (x - lo) / (hi - lo) * (plot_x1 - plot_x0) as f64;
    let spots: Vec<(i32, i32)> = labels
        .iter()
        .map(|l| {
            let w = width(root, &l.text, font);
            let x = px(l.x).round() as i32;
            if x + theme::LABEL_GAP + w <= plot_x1 {
                (x + theme::LABEL_GAP, w)
            } else {
                (x - theme::LABEL_GAP - w, w)
            }
        })
        .collect();
    let rows = stack_labels(&spots, 28);
    Placed {
        labels,
        spots,
        rows,
    }
}

/// Axes, tick labels and axis descriptions.
fn mesh<DB: DrawingBackend>(chart: &mut Plot<'_, DB>, shown: &Shown<'_>) -> DrawResult<(), DB> {
    let (s, h) = (&shown.total.stats, &shown.total.histogram);
    let (name, unit) = (&shown.name, &shown.unit);
    let x_fmt = |v: &f64| thousands(*v);
    let y_fmt = |v: &f64| axis_percent(*v);
    let range = chart.x_range();
    let quantity = if name.eq_ignore_ascii_case(unit) {
        format!("total {name}")
    } else {
        format!("total {name} ({unit})")
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(count_ticks(range.start, range.end, 8))
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(Font::new(theme::LABEL_SIZE).style())
        .axis_desc_style(Font::new(theme::AXIS_DESC_SIZE).style())
        .x_desc(if s.min == s.max {
            format!("{quantity} · the same in every trial: {}", thousands(s.min))
        } else if h.width <= 1.0 {
            format!("{quantity} · one bar per value")
        } else {
            format!("{quantity} · each bar spans {} {unit}", number(h.width))
        })
        .y_desc("share of trials")
        .y_label_offset(5)
        .bold_line_style(theme::GRID)
        .max_light_lines(0)
        .axis_style(theme::AXIS.stroke_width(2))
        .draw()
}

/// The 5–95 % band, then the bars over it.
fn bars<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    shown: &Shown<'_>,
    scale: &Scale,
    (plot_x0, plot_x1): (i32, i32),
) -> DrawResult<(), DB> {
    let (s, h) = (&shown.total.stats, &shown.total.histogram);
    let min_w = MIN_MARK_PX * (scale.hi - scale.lo) / (plot_x1 - plot_x0).max(1) as f64;
    // Widen bars only when there are so few that they cannot touch.
    let filled = h.counts.iter().filter(|c| **c > 0).count();
    let min_bar = if filled <= 3 { min_w } else { 0.0 };
    // The band covers the bars of p05 and p95 (each whole number is ±½ wide).
    let (b0, b1) = widen(s.p05 - 0.5, s.p95 + 0.5, min_w);
    chart.draw_series(std::iter::once(Rectangle::new(
        [(b0, 0.0), (b1, scale.y_top)],
        BAND.mix(theme::BAND_ALPHA).filled(),
    )))?;
    chart.draw_series(
        h.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| {
                let x0 = h.start + h.width * i as f64 - 0.5;
                let (x0, x1) = widen(x0, x0 + h.width, min_bar);
                Rectangle::new([(x0, 0.0), (x1, share(shown, c))], BAR.mix(0.85).filled())
            }),
    )?;
    Ok(())
}

/// Reference lines, from the bottom of the plot to the label row, then their labels.
fn reference_lines<DB: DrawingBackend>(
    root: &Canvas<DB>,
    chart: &Plot<'_, DB>,
    placed: &Placed,
    scale: &Scale,
) -> DrawResult<(), DB> {
    let base = chart.backend_coord(&(scale.lo, 0.0)).1;
    let top = chart.backend_coord(&(scale.lo, scale.y_top)).1;
    let row_y = |r: usize| top + 20 + r as i32 * LABEL_ROW;
    for (l, &row) in placed.labels.iter().zip(&placed.rows) {
        let x = chart.backend_coord(&(l.x, 0.0)).0;
        let y_end = row_y(row) - 12;
        if l.color == MEDIAN || l.color == REQUIRED {
            line(
                root,
                (x, base),
                (x, y_end),
                l.color.stroke_width(theme::LINE_WIDTH),
            )?;
        } else {
            dashed(root, (x, base), (x, y_end), THRESHOLD, theme::LINE_WIDTH)?;
        }
    }
    let font = label_font();
    for ((l, &(x, w)), &row) in placed.labels.iter().zip(&placed.spots).zip(&placed.rows) {
        let y = row_y(row);
        // A white box under the label so that grid lines do not cross it.
        fill_rect(
            root,
            (x - 4, y - 16),
            (x + w + 4, y + 16),
            theme::BACKGROUND,
        )?;
        text(
            root,
            &l.text,
            (x, y),
            font.color(l.color).h(HPos::Left).v(Valign::Middle),
        )?;
    }
    Ok(())
}

/// `[a, b]` widened about its centre to at least `min` wide.
fn widen(a: f64, b: f64, min: f64) -> (f64, f64) {
    if b - a >= min {
        (a, b)
    } else {
        let c = (a + b) / 2.0;
        (c - min / 2.0, c + min / 2.0)
    }
}
