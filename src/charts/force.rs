//! `force.png`: how big the force will be. The distribution of the total of one
//! capability across trials (troops when the scenario counts them), with the
//! report's thresholds as labelled dashed lines ("≥ 15,000: 93 %"), the median
//! as a solid line and the 5–95 % range of trials as a shaded band.
//!
//! Figures: `totals[cap].histogram` (bars), `totals[cap].p50` (median),
//! `totals[cap].p05`/`p95` (band), `thresholds[cap]` (dashed lines).

use plotters::chart::ChartBuilder;
use plotters::element::Rectangle;
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::HPos;
use plotters::style::{Color, RGBColor};

use super::format::{axis_percent, number, percent, thousands};
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

pub(super) fn draw<DB: DrawingBackend>(root: &Canvas<DB>, report: &Report) -> DrawResult<(), DB> {
    let Some((id, total)) = pick(report) else {
        let body = frame(root, report, "How big will the force be?")?;
        return note(root, body, &["The scenario counts no capability."]);
    };
    let (name, unit) = match report.capabilities.get(id) {
        Some(c) => (
            c.name.clone(),
            if c.unit.is_empty() {
                c.name.clone()
            } else {
                c.unit.clone()
            },
        ),
        None => (id.to_string(), id.to_string()),
    };
    let body = frame(
        root,
        report,
        &format!("How big will the force be? Total {name} across trials"),
    )?;
    let s = &total.stats;
    let h = &total.histogram;
    let n: u64 = h.counts.iter().sum();
    if n == 0 || report.trials == 0 {
        return note(root, body, &["No trial was run."]);
    }
    let thresholds: &[Threshold] = report.thresholds.get(id).map_or(&[], |v| v.as_slice());

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
    if !thresholds.is_empty() {
        items.push((
            Mark::Dashed(THRESHOLD),
            format!("threshold: P(total ≥ x), x in {unit}"),
        ));
    }
    let used = legend(root, body, &items)?;
    let plot = body.below(used + 6);

    // x range: the histogram, the thresholds and the band, with a margin.
    let end = h.start + h.width * h.counts.len() as f64;
    let mut lo = h.start.min(s.p05);
    let mut hi = end.max(s.p95);
    for t in thresholds {
        lo = lo.min(t.at_least as f64);
        hi = hi.max(t.at_least as f64);
    }
    let pad = ((hi - lo) * 0.04).max(1.0);
    // Not clamped at 0: a spike at 0 must not hide behind the y axis.
    lo -= pad;
    hi += pad;
    let share = |c: u64| c as f64 / n as f64 * 100.0;
    let peak = h
        .counts
        .iter()
        .map(|&c| share(c))
        .fold(0.0, f64::max)
        .max(1e-9);

    // Labels above the bars: thresholds and median, stacked so none overlap.
    let mut labels: Vec<Label> = thresholds
        .iter()
        .map(|t| Label {
            text: format!("≥ {}: {}", thousands(t.at_least as f64), percent(t.p)),
            x: t.at_least as f64,
            color: THRESHOLD,
        })
        .collect();
    labels.push(Label {
        text: format!("median {}", thousands(s.p50)),
        x: s.p50,
        color: MEDIAN,
    });
    let font = Font::new(theme::VALUE_SIZE).bold();
    let plot_x0 = plot.x0 + Y_LABEL_AREA as i32;
    let plot_x1 = plot.x1 - RIGHT_PAD;
    let px = |x: f64| plot_x0 as f64 + (x - lo) / (hi - lo) * (plot_x1 - plot_x0) as f64;
    let placed: Vec<(i32, i32, bool)> = labels
        .iter()
        .map(|l| {
            let w = width(root, &l.text, font);
            let x = px(l.x).round() as i32;
            if x + theme::LABEL_GAP + w <= plot_x1 {
                (x + theme::LABEL_GAP, w, false)
            } else {
                (x - theme::LABEL_GAP - w, w, true)
            }
        })
        .collect();
    let rows = stack_labels(
        &placed.iter().map(|&(x, w, _)| (x, w)).collect::<Vec<_>>(),
        28,
    );
    let nrows = rows.iter().max().map_or(0, |r| r + 1) as i32;
    let plot_h = (plot.height() - theme::X_LABEL_AREA as i32).max(1) as f64;
    let headroom_px = (nrows * LABEL_ROW + 24) as f64;
    let y_top = peak * 1.05 / (1.0 - (headroom_px / plot_h).min(0.6));

    let area = plot.area(root);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(RIGHT_PAD as u32)
        .x_label_area_size(theme::X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(lo..hi, 0.0..y_top)?;
    let x_fmt = |v: &f64| thousands(*v);
    let y_fmt = |v: &f64| axis_percent(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(Font::new(theme::LABEL_SIZE).style())
        .axis_desc_style(Font::new(theme::AXIS_DESC_SIZE).style())
        .x_desc(if s.min == s.max {
            format!(
                "total {name} ({unit}) · the same in every trial: {}",
                thousands(s.min)
            )
        } else {
            format!(
                "total {name} ({unit}) · each bar {} {unit} wide",
                number(h.width)
            )
        })
        .y_desc("share of trials")
        .y_label_offset(5)
        .bold_line_style(theme::GRID)
        .max_light_lines(0)
        .axis_style(theme::AXIS.stroke_width(2))
        .draw()?;

    let min_w = MIN_MARK_PX * (hi - lo) / (plot_x1 - plot_x0).max(1) as f64;
    // Widen bars only when there are so few that they cannot touch.
    let filled = h.counts.iter().filter(|c| **c > 0).count();
    let min_bar = if filled <= 3 { min_w } else { 0.0 };
    // Band behind the bars.
    let (b0, b1) = widen(s.p05, s.p95, min_w);
    chart.draw_series(std::iter::once(Rectangle::new(
        [(b0, 0.0), (b1, y_top)],
        BAND.mix(theme::BAND_ALPHA).filled(),
    )))?;
    // Bars.
    chart.draw_series(
        h.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| {
                let x0 = h.start + h.width * i as f64;
                let (x0, x1) = widen(x0, x0 + h.width, min_bar);
                Rectangle::new([(x0, 0.0), (x1, share(c))], BAR.mix(0.85).filled())
            }),
    )?;

    // Reference lines, from the bottom of the plot to the label row.
    let base = chart.backend_coord(&(lo, 0.0)).1;
    let top = chart.backend_coord(&(lo, y_top)).1;
    let row_y = |r: usize| top + 20 + r as i32 * LABEL_ROW;
    for (i, l) in labels.iter().enumerate() {
        let x = chart.backend_coord(&(l.x, 0.0)).0;
        let y_end = row_y(rows[i]) - 12;
        if l.color == MEDIAN {
            line(
                root,
                (x, base),
                (x, y_end),
                MEDIAN.stroke_width(theme::LINE_WIDTH),
            )?;
        } else {
            dashed(root, (x, base), (x, y_end), THRESHOLD, theme::LINE_WIDTH)?;
        }
    }
    for (i, l) in labels.iter().enumerate() {
        let (x, w, _) = placed[i];
        let y = row_y(rows[i]);
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
