//! `gaps.png`: by how much each domain falls short. One row per domain and
//! required capability, grouped by domain. The grey track is the whole
//! requirement; over it, nested bars show the gap's 95th percentile (lightest),
//! 75th percentile and median (darkest), as a share of the requirement so that
//! troops, aircraft and ships share one axis. The figures themselves are written
//! beside each row in the capability's own unit.
//!
//! Figures: per domain and capability, `required`, `p_met`, `gap.p50`,
//! `gap.p75`, `gap.p95` (gap = max(0, required − provided)).

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

/// A line of the chart: a domain header or one of its capabilities.
enum Line<'a> {
    Domain(&'a str),
    Capability {
        name: String,
        unit: String,
        fig: &'a CapabilityFigures,
    },
}

pub(super) fn draw<DB: DrawingBackend>(root: &Canvas<DB>, report: &Report) -> DrawResult<(), DB> {
    let body = frame(root, report, "By how much does each domain fall short?")?;
    let mut lines = Vec::new();
    for d in report.domains.values() {
        let mut caps = d
            .capabilities
            .iter()
            .filter(|(_, c)| c.required > 0.0)
            .peekable();
        if caps.peek().is_none() {
            continue;
        }
        lines.push(Line::Domain(&d.name));
        for (id, fig) in caps {
            let (name, unit) = match report.capabilities.get(id) {
                Some(c) => (c.name.clone(), c.unit.clone()),
                None => (id.clone(), String::new()),
            };
            lines.push(Line::Capability { name, unit, fig });
        }
    }
    if lines.is_empty() {
        return note(
            root,
            body,
            &["No domain has a requirement:", "nothing can fall short."],
        );
    }
    let items = [
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
    ];
    let used = legend(root, body, &items)?;
    let plot = body.below(used + 10);

    // x: the gap as a share of the requirement (above 100 % only when the
    // requirement is itself uncertain and the gap can exceed its mean).
    let x_max = lines
        .iter()
        .filter_map(|l| match l {
            Line::Capability { fig, .. } => Some(fig.gap.p95 / fig.required * 100.0),
            Line::Domain(_) => None,
        })
        .filter(|v| v.is_finite())
        .fold(100.0, f64::max);
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
    let units: f64 = lines
        .iter()
        .map(|l| match l {
            Line::Domain(_) => HEADER_ROW,
            Line::Capability { .. } => 1.0,
        })
        .sum();
    let row = ((bottom - top) as f64 / units).min(MAX_ROW);
    let x_of = |v: f64| chart.backend_coord(&(v, 0.0)).0;
    let x0 = x_of(0.0);
    let label = Font::new(theme::LABEL_SIZE);
    let header = Font::new(theme::LABEL_SIZE).bold();
    let value = Font::new(theme::SMALL_SIZE + 1.0)
        .bold()
        .color(theme::GAP_SHADES[0]);
    let small = Font::new(theme::SMALL_SIZE).color(theme::MUTED);
    let bar_h = (row * 0.42).clamp(8.0, 36.0) as i32;
    let two_lines = row >= 2.2 * theme::SMALL_SIZE;
    let mut y = top as f64;
    for (i, l) in lines.iter().enumerate() {
        match l {
            Line::Domain(name) => {
                let h = row * HEADER_ROW;
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
                )?;
                y += h;
            }
            Line::Capability { name, unit, fig } => {
                let yc = (y + row / 2.0).round() as i32;
                let req = fig.required;
                let req_txt = format!("{} {} required", number(req), unit_or(unit, name));
                if two_lines {
                    text(
                        root,
                        &fit(root, name, label, NAME_COL - 40),
                        (plot.x0 + 24, yc - (theme::SMALL_SIZE * 0.6) as i32),
                        label,
                    )?;
                    text(
                        root,
                        &fit(root, &req_txt, small, NAME_COL - 40),
                        (plot.x0 + 24, yc + (theme::SMALL_SIZE * 0.75) as i32),
                        small,
                    )?;
                } else {
                    text(
                        root,
                        &fit(root, &format!("{name}: {req_txt}"), small, NAME_COL - 30),
                        (plot.x0 + 24, yc),
                        small.color(theme::TEXT),
                    )?;
                }
                // Track (the whole requirement), then p95, p75, median.
                let y0 = yc - bar_h / 2;
                let y1 = yc + bar_h / 2;
                fill_rect(root, (x0, y0), (x_of(100.0), y1), theme::TRACK)?;
                for (k, v) in [fig.gap.p95, fig.gap.p75, fig.gap.p50].iter().enumerate() {
                    let share = (v / req * 100.0).clamp(0.0, x_max);
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
                )?;
                // The figures, in the unit.
                let vx = chart_rect.x1 + 10;
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
                let met = format!("{}; met in {}", unit_or(unit, name), percent(fig.p_met));
                if two_lines {
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
                    )?;
                } else {
                    text(
                        root,
                        &fit(root, &format!("{figures} {met}"), small, VALUE_COL - 20),
                        (vx, yc),
                        small.color(theme::GAP_SHADES[0]),
                    )?;
                }
                y += row;
            }
        }
    }
    Ok(())
}

/// The unit, or the capability's name when it has none.
fn unit_or<'a>(unit: &'a str, name: &'a str) -> &'a str {
    if unit.is_empty() { name } else { unit }
}
