//! `gaps.png`: by how much each domain falls short. One row per domain and
//! required capability, grouped by domain; with `[force]`, the whole force's
//! requirements follow under their own heading ("Whole force"), as on
//! force.png and timeline.png. The grey track is the whole
//! requirement; over it, nested bars show the gap's 95th percentile (lightest),
//! 75th percentile and median (darkest), as a share of the requirement so that
//! troops, aircraft and ships share one axis. The figures themselves are written
//! beside each row in the capability's own unit.
//!
//! Figures: per domain and capability, `required`, `p_met`, `gap.p50`,
//! `gap.p75`, `gap.p95` (gap = max(0, required − provided)); the same of
//! `force.capabilities[cap]` (provided = the total over every domain).

use indexmap::IndexMap;
use plotters::chart::ChartBuilder;
use plotters::prelude::DrawingBackend;
use plotters::style::Color;

use super::format::{axis_percent, number, percent};
use super::frame::{
    Canvas, DrawResult, Font, Mark, Rect, fill_rect, fit, frame, house_style, legend, line, note,
    text, width,
};
use super::theme;
use crate::report::{CapabilityFigures, Report};

/// Width of the left column (domain and capability names).
const NAME_COL: i32 = 400;
/// Width of the right column (the figures in the capability's unit).
const VALUE_COL: i32 = 470;
/// Tallest a capability row may be, in pixels.
const MAX_ROW: f64 = 92.0;
/// Height of a domain header relative to a capability row.
const HEADER_ROW: f64 = 0.62;
/// The heading of the whole force's requirements (`[force]`).
const WHOLE_FORCE: &str = "Whole force: every domain together";

/// A line of the chart: a domain header or one of its capabilities.
enum Line<'a> {
    Domain(&'a str),
    Capability {
        name: String,
        unit: String,
        fig: &'a CapabilityFigures,
    },
}

/// Where the rows go, in pixels.
struct Layout<'c> {
    /// The plot: names column, chart, figures column.
    plot: Rect,
    /// Left of the figures column.
    value_x: i32,
    /// Height of a capability row.
    row: f64,
    /// Height of a bar.
    bar_h: i32,
    /// Whether each row has room for two lines of text.
    two_lines: bool,
    /// The right end of the x axis, in percent of the requirement.
    x_max: f64,
    /// The x pixel of a share in percent.
    x_of: &'c dyn Fn(f64) -> i32,
}

/// The fonts of the rows.
struct Fonts {
    label: Font,
    header: Font,
    value: Font,
    small: Font,
}

impl Fonts {
    fn new() -> Fonts {
        Fonts {
            label: Font::new(theme::LABEL_SIZE),
            header: Font::new(theme::LABEL_SIZE).bold(),
            value: Font::new(theme::SMALL_SIZE + 1.0)
                .bold()
                .color(theme::GAP_SHADES[0]),
            small: Font::new(theme::SMALL_SIZE).color(theme::MUTED),
        }
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &Canvas<DB>,
    report: &Report,
    opts: &super::Options,
) -> DrawResult<(), DB> {
    let question = if report.force.is_some() {
        "By how much does each domain, and the whole force, fall short?"
    } else {
        "By how much does each domain fall short?"
    };
    let body = frame(root, report, opts, question)?;
    let lines = lines(report);
    if lines.is_empty() {
        return note(
            root,
            body,
            &["No domain has a requirement:", "nothing can fall short."],
        );
    }
    let used = legend(root, body, &legend_items())?;
    let plot = body.below(used + 10);
    let x_max = x_max(&lines);
    let chart_rect = Rect {
        x0: plot.x0 + NAME_COL,
        x1: plot.x1 - VALUE_COL,
        ..plot
    };
    let area = chart_rect.area(root);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(20)
        .x_label_area_size(theme::X_LABEL_AREA)
        .build_cartesian_2d(0.0..x_max, 0.0..1.0)?;
    let x_fmt = |v: &f64| axis_percent(*v);
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh()
        .x_labels(6)
        .max_light_lines(1)
        .x_label_formatter(&x_fmt)
        .x_desc("gap as a share of the requirement");
    house_style(&mut mesh).draw()?;

    // Rows, top to bottom, in pixels.
    let top = chart.backend_coord(&(0.0, 1.0)).1;
    let bottom = chart.backend_coord(&(0.0, 0.0)).1;
    let row = ((bottom - top) as f64 / row_units(&lines)).min(MAX_ROW);
    let x_of = |v: f64| chart.backend_coord(&(v, 0.0)).0;
    let layout = Layout {
        plot,
        value_x: chart_rect.x1 + 10,
        row,
        bar_h: (row * 0.42).clamp(8.0, 36.0) as i32,
        two_lines: row >= 2.2 * theme::SMALL_SIZE,
        x_max,
        x_of: &x_of,
    };
    rows(root, &layout, &lines, top as f64)
}

/// The domains with a requirement, each followed by its required capabilities,
/// then the whole force's (with `[force]`).
fn lines(report: &Report) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    for d in report.domains.values() {
        group(&mut lines, report, &d.name, &d.capabilities);
    }
    if let Some(force) = &report.force {
        group(&mut lines, report, WHOLE_FORCE, &force.capabilities);
    }
    lines
}

/// A heading and its required capabilities, when it has any.
fn group<'a>(
    lines: &mut Vec<Line<'a>>,
    report: &Report,
    heading: &'a str,
    capabilities: &'a IndexMap<String, CapabilityFigures>,
) {
    let mut caps = capabilities
        .iter()
        .filter(|(_, c)| c.required > 0.0)
        .peekable();
    if caps.peek().is_none() {
        return;
    }
    lines.push(Line::Domain(heading));
    for (id, fig) in caps {
        let (name, unit) = match report.capabilities.get(id) {
            Some(c) => (c.name.clone(), c.unit.clone()),
            None => (id.clone(), String::new()),
        };
        lines.push(Line::Capability { name, unit, fig });
    }
}

fn legend_items() -> [(Mark, String); 4] {
    [
        (Mark::Box(theme::GAP_SHADES[0]), "median gap".to_string()),
        (
            Mark::Box(theme::GAP_SHADES[1]),
            "75th percentile".to_string(),
        ),
        (
            Mark::Box(theme::GAP_SHADES[2]),
            "95th percentile".to_string(),
        ),
        (Mark::Box(theme::TRACK), "the whole requirement".to_string()),
    ]
}

/// The end of the x axis: the gap as a share of the requirement (above 100 %
/// only when the requirement is itself uncertain and the gap can exceed its mean).
fn x_max(lines: &[Line<'_>]) -> f64 {
    lines
        .iter()
        .filter_map(|l| match l {
            Line::Capability { fig, .. } => Some(fig.gap.p95 / fig.required * 100.0),
            Line::Domain(_) => None,
        })
        .filter(|v| v.is_finite())
        .fold(100.0, f64::max)
}

/// The height of all lines, in capability rows.
fn row_units(lines: &[Line<'_>]) -> f64 {
    lines
        .iter()
        .map(|l| match l {
            Line::Domain(_) => HEADER_ROW,
            Line::Capability { .. } => 1.0,
        })
        .sum()
}

/// Draws every line from `y` down.
fn rows<DB: DrawingBackend>(
    root: &Canvas<DB>,
    layout: &Layout<'_>,
    lines: &[Line<'_>],
    mut y: f64,
) -> DrawResult<(), DB> {
    let fonts = Fonts::new();
    for (i, l) in lines.iter().enumerate() {
        match l {
            Line::Domain(name) => {
                domain_header(root, layout, &fonts, (i, name), y)?;
                y += layout.row * HEADER_ROW;
            }
            Line::Capability { name, unit, fig } => {
                let yc = (y + layout.row / 2.0).round() as i32;
                let cap = Cap { name, unit, fig };
                capability_names(root, layout, &fonts, &cap, yc)?;
                gap_bars(root, layout, fig, yc)?;
                gap_figures(root, layout, &fonts, &cap, yc)?;
                y += layout.row;
            }
        }
    }
    Ok(())
}

/// One capability row's figures.
struct Cap<'a> {
    name: &'a str,
    unit: &'a str,
    fig: &'a CapabilityFigures,
}

/// A domain's name, under a rule when it is not the first line.
fn domain_header<DB: DrawingBackend>(
    root: &Canvas<DB>,
    layout: &Layout<'_>,
    fonts: &Fonts,
    (i, name): (usize, &str),
    y: f64,
) -> DrawResult<(), DB> {
    let (plot, header) = (layout.plot, fonts.header);
    let h = layout.row * HEADER_ROW;
    if i > 0 {
        line(
            root,
            (plot.x0, y.round() as i32),
            (plot.x1, y.round() as i32),
            theme::GRID.stroke_width(1),
        )?;
    }
    let yc = (y + h * 0.6).round() as i32;
    text(
        root,
        &fit(root, name, header, NAME_COL + 300),
        (plot.x0, yc),
        header,
    )
}

/// The capability's name and requirement, in the names column.
fn capability_names<DB: DrawingBackend>(
    root: &Canvas<DB>,
    layout: &Layout<'_>,
    fonts: &Fonts,
    cap: &Cap<'_>,
    yc: i32,
) -> DrawResult<(), DB> {
    let (x, name, small) = (layout.plot.x0 + 24, cap.name, fonts.small);
    let req_txt = match cap.fig.required_p05_p95 {
        Some([lo, hi]) if lo != hi => format!(
            "{}–{} {} required (p05–p95)",
            number(lo),
            number(hi),
            unit_or(cap.unit, name)
        ),
        _ => format!(
            "{} {} required",
            number(cap.fig.required),
            unit_or(cap.unit, name)
        ),
    };
    if layout.two_lines {
        text(
            root,
            &fit(root, name, fonts.label, NAME_COL - 40),
            (x, yc - (theme::SMALL_SIZE * 0.6) as i32),
            fonts.label,
        )?;
        text(
            root,
            &fit(root, &req_txt, small, NAME_COL - 40),
            (x, yc + (theme::SMALL_SIZE * 0.75) as i32),
            small,
        )
    } else {
        text(
            root,
            &fit(root, &format!("{name}: {req_txt}"), small, NAME_COL - 30),
            (x, yc),
            small.color(theme::TEXT),
        )
    }
}

/// The track (the whole requirement), then p95, p75, median, and the 100 % mark.
fn gap_bars<DB: DrawingBackend>(
    root: &Canvas<DB>,
    layout: &Layout<'_>,
    fig: &CapabilityFigures,
    yc: i32,
) -> DrawResult<(), DB> {
    let (x_of, bar_h) = (layout.x_of, layout.bar_h);
    let x0 = x_of(0.0);
    let y0 = yc - bar_h / 2;
    let y1 = yc + bar_h / 2;
    fill_rect(root, (x0, y0), (x_of(100.0), y1), theme::TRACK)?;
    for (k, v) in [fig.gap.p95, fig.gap.p75, fig.gap.p50].iter().enumerate() {
        let share = (v / fig.required * 100.0).clamp(0.0, layout.x_max);
        if share.is_finite() && share > 0.0 {
            let inset = (k as i32) * bar_h / 10;
            fill_rect(
                root,
                (x0, y0 + inset),
                (x_of(share).max(x0 + 2), y1 - inset),
                theme::GAP_SHADES[2 - k],
            )?;
        }
    }
    line(
        root,
        (x_of(100.0), y0 - 6),
        (x_of(100.0), y1 + 6),
        theme::REFERENCE.stroke_width(2),
    )
}

/// The gap's figures in the capability's unit, in the figures column.
fn gap_figures<DB: DrawingBackend>(
    root: &Canvas<DB>,
    layout: &Layout<'_>,
    fonts: &Fonts,
    cap: &Cap<'_>,
    yc: i32,
) -> DrawResult<(), DB> {
    let (vx, fig, value, small) = (layout.value_x, cap.fig, fonts.value, fonts.small);
    let (p50, p75, p95) = (
        number(fig.gap.p50),
        number(fig.gap.p75),
        number(fig.gap.p95),
    );
    let mut figures = format!("median {p50} · p75 {p75} · p95 {p95}");
    if width(root, &figures, value) > VALUE_COL - 20 {
        figures = fit(
            root,
            &format!("{p50} · {p75} · {p95}"),
            value,
            VALUE_COL - 20,
        );
    }
    let met = format!(
        "{}; met in {}",
        unit_or(cap.unit, cap.name),
        percent(fig.p_met)
    );
    if layout.two_lines {
        text(
            root,
            &figures,
            (vx, yc - (theme::SMALL_SIZE * 0.6) as i32),
            value,
        )?;
        text(
            root,
            &fit(root, &met, small, VALUE_COL - 20),
            (vx, yc + (theme::SMALL_SIZE * 0.75) as i32),
            small,
        )
    } else {
        text(
            root,
            &fit(root, &format!("{figures} {met}"), small, VALUE_COL - 20),
            (vx, yc),
            small.color(theme::GAP_SHADES[0]),
        )
    }
}

/// The unit, or the capability's name when it has none.
fn unit_or<'a>(unit: &'a str, name: &'a str) -> &'a str {
    if unit.is_empty() { name } else { unit }
}
