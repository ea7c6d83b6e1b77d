//! `coverage.png`: how likely each domain is to be covered. One row per domain
//! (and a first row for all domains at once, the whole force last with
//! `[force]`, and with a `[mission]` a row for P(mounted) before them all):
//! P(covered) as a bar with its 95 % interval as a whisker, and beneath it
//! P(leaderless), split into the trials in which entries of the lead list took
//! part but none provided its share (short) and those in which none took part
//! (no candidate).
//!
//! Figures: `p_mounted`, `p_all_covered`, `p_all_covered_ci95`, per domain
//! `p_covered`, `p_covered_ci95`, `p_lead_short`, `p_no_lead_candidate` (a domain
//! without a lead list needs no lead), and `force.p_covered`. A figure no trial
//! gave (no trial mounted) is written "–" and drawn as nothing.

use plotters::chart::ChartBuilder;
use plotters::prelude::DrawingBackend;
use plotters::style::Color;
use plotters::style::text_anchor::HPos;

use super::format::{axis_percent, percent, percent_range};
use super::frame::{
    Canvas, DrawResult, Font, Mark, Rect, fill_rect, fit, frame, legend, line, note, text, width,
};
use super::theme;
use crate::report::Report;

/// Widest the domain names may be, as a share of the body width.
const MAX_NAME_SHARE: f64 = 0.34;
/// Space right of the plot, for the value labels of bars near 100 %.
const RIGHT_PAD: i32 = 270;
/// Tallest a row may be, in pixels.
const MAX_ROW: f64 = 120.0;

/// One row: a label, P(covered) and its interval, P(leaderless) when it applies.
struct Row {
    label: String,
    p: f64,
    ci: [f64; 2],
    /// P(lead short), P(no lead candidate).
    leaderless: Option<(f64, f64)>,
    bold: bool,
    /// A row that is not a domain (mounted, all, the force): no lead line.
    summary: bool,
}

/// The colour of P(lead short).
const SHORT: plotters::style::RGBColor = theme::ORANGE;

/// Where the rows go: the chart's coordinates and the sizes of its marks.
struct Layout<'c> {
    /// The pixel of (P, row position).
    px: &'c dyn Fn(f64, f64) -> (i32, i32),
    /// Right end of the names.
    name_x: i32,
    name_w: i32,
    bar_h: i32,
    lead_h: i32,
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &Canvas<DB>,
    report: &Report,
    opts: &super::Options,
) -> DrawResult<(), DB> {
    let body = frame(
        root,
        report,
        opts,
        "How likely is each domain to be covered?",
    )?;
    if report.domains.is_empty() {
        return note(root, body, &["The scenario has no domain."]);
    }
    let used = legend(root, body, &legend_items(report))?;
    let plot = body.below(used + 10);
    let rows = rows(report);
    let tops = rows.iter().take_while(|r| r.bold).count();
    let name_w = rows
        .iter()
        .map(|r| width(root, &r.label, name_font(r)))
        .max()
        .unwrap_or(0)
        .min((body.width() as f64 * MAX_NAME_SHARE) as i32);
    let chart_rect = Rect {
        x0: plot.x0 + name_w + 24,
        ..plot
    };
    let area = chart_rect.area(root);
    let n = rows.len() as f64;
    let plot_h = (chart_rect.height() - theme::X_LABEL_AREA as i32) as f64;
    let used_h = (MAX_ROW * n).min(plot_h);
    let spare = ((plot_h - used_h) / plot_h).clamp(0.0, 0.9);
    let y_lo = -n * spare / (1.0 - spare);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(RIGHT_PAD as u32)
        .x_label_area_size(theme::X_LABEL_AREA)
        .build_cartesian_2d(0.0..100.0, y_lo..n)?;
    let x_fmt = |v: &f64| axis_percent(*v);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(11)
        .max_light_lines(0)
        .x_label_formatter(&x_fmt)
        .label_style(Font::new(theme::LABEL_SIZE).style())
        .axis_desc_style(Font::new(theme::AXIS_DESC_SIZE).style())
        .x_desc("probability (share of trials)")
        .bold_line_style(theme::GRID)
        .axis_style(theme::AXIS.stroke_width(2))
        .draw()?;

    let px = |x: f64, y: f64| chart.backend_coord(&(x * 100.0, y));
    let row_px = (px(0.0, 0.0).1 - px(0.0, 1.0).1).max(1);
    let layout = Layout {
        px: &px,
        name_x: chart_rect.x0 - 24,
        name_w,
        bar_h: ((row_px as f64) * 0.36).clamp(8.0, 34.0) as i32,
        lead_h: ((row_px as f64) * 0.2).clamp(5.0, 18.0) as i32,
    };
    for (i, r) in rows.iter().enumerate() {
        draw_row(root, &layout, r, n - i as f64 - 0.5)?;
        // A rule under the summary rows at the top.
        if i + 1 == tops && rows.len() > tops {
            let yb = px(0.0, n - tops as f64).1;
            line(
                root,
                (plot.x0, yb),
                (chart_rect.x1 - RIGHT_PAD, yb),
                theme::GRID.stroke_width(2),
            )?;
        }
    }
    Ok(())
}

fn legend_items(report: &Report) -> Vec<(Mark, String)> {
    let mut items = vec![
        (Mark::Box(theme::GOOD), "P(covered)".to_string()),
        (
            Mark::Whisker(theme::BLACK),
            "95 % interval (in brackets)".to_string(),
        ),
        (
            Mark::Box(theme::BAD),
            "P(leaderless): no nation of the lead list takes part".to_string(),
        ),
    ];
    if any_short(report) {
        items[2].1 = "P(leaderless), no candidate: no entry of the lead list takes part".into();
        items.push((
            Mark::Box(SHORT),
            "lead short: entries take part, none provides its share".into(),
        ));
    }
    items
}

/// Whether a lead fell short in any trial (the format-1 legend otherwise).
fn any_short(report: &Report) -> bool {
    report
        .domains
        .values()
        .any(|d| d.p_lead_short.is_finite() && d.p_lead_short > 0.0)
}

/// With a mission "Mission mounted", then "All domains" (with the force:
/// "All covered"; with a mission: "…, if mounted"), each domain, the force.
fn rows(report: &Report) -> Vec<Row> {
    let mut rows = Vec::new();
    let summary = |label: &str, p: f64, ci: [f64; 2], bold: bool| Row {
        label: label.to_string(),
        p,
        ci,
        leaderless: None,
        bold,
        summary: true,
    };
    if !report.mission.is_empty() {
        rows.push(summary(
            "Mission mounted",
            report.p_mounted,
            report.p_mounted_ci95,
            true,
        ));
    }
    let all = match (report.force.is_some(), report.mission.is_empty()) {
        (false, true) => "All domains",
        (true, true) => "All covered",
        (false, false) => "All domains, if mounted",
        (true, false) => "All covered, if mounted",
    };
    rows.push(summary(
        all,
        report.p_all_covered,
        report.p_all_covered_ci95,
        true,
    ));
    for d in report.domains.values() {
        rows.push(Row {
            label: d.name.clone(),
            p: d.p_covered,
            ci: d.p_covered_ci95,
            leaderless: (!d.lead_share.is_empty())
                .then_some((d.p_lead_short, d.p_no_lead_candidate)),
            bold: false,
            summary: false,
        });
    }
    if let Some(f) = &report.force {
        rows.push(summary("Whole force", f.p_covered, f.p_covered_ci95, false));
    }
    rows
}

/// The font of a row's name.
fn name_font(r: &Row) -> Font {
    let f = Font::new(theme::LABEL_SIZE);
    if r.bold { f.bold() } else { f }
}

fn small_font() -> Font {
    Font::new(theme::SMALL_SIZE).color(theme::MUTED)
}

/// One row, centred on `yc`: name, P(covered) (bar, whisker, value), P(leaderless).
fn draw_row<DB: DrawingBackend>(
    root: &Canvas<DB>,
    layout: &Layout<'_>,
    r: &Row,
    yc: f64,
) -> DrawResult<(), DB> {
    let (px, bar_h, lead_h) = (layout.px, layout.bar_h, layout.lead_h);
    let (x0, y) = px(0.0, yc);
    let bar_y = if r.leaderless.is_some() {
        y - lead_h / 2 - 2
    } else {
        y
    };
    let f = name_font(r);
    text(
        root,
        &fit(root, &r.label, f, layout.name_w),
        (layout.name_x, bar_y),
        f.h(HPos::Right),
    )?;
    covered(root, layout, r, (yc, bar_y))?;
    let ly = bar_y + bar_h / 2 + 6 + lead_h / 2;
    if let Some((short, none)) = r.leaderless {
        leaderless(root, layout, (short, none), (yc, ly))?;
    } else if !r.summary {
        text(root, "no lead needed", (x0 + 6, ly), small_font())?;
    }
    Ok(())
}

/// P(leaderless) beneath a domain's bar: "no candidate" from 0, then "short"
/// after it (drawn only when a lead was short in some trial).
fn leaderless<DB: DrawingBackend>(
    root: &Canvas<DB>,
    layout: &Layout<'_>,
    (short, none): (f64, f64),
    (yc, ly): (f64, i32),
) -> DrawResult<(), DB> {
    let (px, lead_h) = (layout.px, layout.lead_h);
    let x0 = px(0.0, yc).0;
    let total = short + none;
    if !total.is_finite() {
        return text(
            root,
            &format!("leaderless {}", percent(total)),
            (x0 + 6, ly),
            small_font().color(theme::BAD),
        );
    }
    let xn = px(none, yc).0;
    let xs = px(total, yc).0;
    if xn > x0 {
        fill_rect(
            root,
            (x0, ly - lead_h / 2),
            (xn, ly + lead_h / 2),
            theme::BAD,
        )?;
    }
    if xs > xn {
        fill_rect(root, (xn, ly - lead_h / 2), (xs, ly + lead_h / 2), SHORT)?;
    }
    let label = if short > 0.0 {
        format!(
            "leaderless {}: no candidate {}, short {}",
            percent(total),
            percent(none),
            percent(short)
        )
    } else {
        format!("leaderless {}", percent(total))
    };
    text(
        root,
        &label,
        (xs.max(x0) + theme::LABEL_GAP, ly),
        small_font().color(theme::BAD),
    )
}

/// P(covered): bar, whisker, value and interval.
fn covered<DB: DrawingBackend>(
    root: &Canvas<DB>,
    layout: &Layout<'_>,
    r: &Row,
    (yc, bar_y): (f64, i32),
) -> DrawResult<(), DB> {
    let (px, bar_h) = (layout.px, layout.bar_h);
    let x0 = px(0.0, yc).0;
    if !r.p.is_finite() {
        // No trial gave the figure: a dash, no bar and no whisker.
        let value_font = Font::new(theme::VALUE_SIZE).bold();
        return text(
            root,
            &percent(r.p),
            (x0 + theme::LABEL_GAP, bar_y),
            value_font,
        );
    }
    let x1 = px(r.p, yc).0;
    if x1 > x0 {
        fill_rect(
            root,
            (x0, bar_y - bar_h / 2),
            (x1, bar_y + bar_h / 2),
            theme::GOOD,
        )?;
    }
    let (lo, hi) = (px(r.ci[0], yc).0, px(r.ci[1], yc).0);
    let st = theme::BLACK.stroke_width(3);
    let cap = bar_h / 2 + 5;
    line(root, (lo, bar_y), (hi, bar_y), st)?;
    line(root, (lo, bar_y - cap), (lo, bar_y + cap), st)?;
    line(root, (hi, bar_y - cap), (hi, bar_y + cap), st)?;
    let vx = x1.max(hi) + theme::LABEL_GAP + 4;
    let value_font = Font::new(theme::VALUE_SIZE).bold();
    let label = percent(r.p);
    text(root, &label, (vx, bar_y), value_font.color(theme::GOOD))?;
    text(
        root,
        &format!("({})", percent_range(r.ci[0], r.ci[1])),
        (vx + width(root, &label, value_font) + 8, bar_y),
        small_font(),
    )
}
