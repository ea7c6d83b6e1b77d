//! `pools.png`: can each nation hold what it sends? One row per nation and
//! pooled capability (at most 15, those whose pool binds most often first): a
//! grey bar for its pool (what it can commit in all, deployed × rotation) and a
//! blue one for its mean deployed force × its rotation over the trials in which
//! it takes part, with P(the pool binds) at the end of the row. Drawn only when
//! some nation has a `pool`.
//!
//! Figures: per nation `pools[capability].pool` and `.p_binds`, `rotation`,
//! and `mean_provided[capability] / p_participates` (the mean over the trials in
//! which it takes part: the pool applies only then). A nation that never takes
//! part has no blue bar.

use plotters::chart::ChartBuilder;
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::HPos;

use super::format::thousands;
use super::frame::{
    Canvas, DrawResult, Font, Mark, Rect, fill_rect, fit, frame, house_style, legend, note, text,
    width,
};
use super::theme;
use crate::report::Report;

/// Most rows drawn.
pub const TOP: usize = 15;
/// Widest the row names may be, as a share of the body width.
const MAX_NAME_SHARE: f64 = 0.3;
/// Tallest a row may be, in pixels.
const MAX_ROW: f64 = 90.0;

/// One row: its label, the pool, the mean deployed × rotation (not a number when
/// the nation never takes part) and P(binds).
pub(super) struct Row {
    label: String,
    pool: f64,
    held: f64,
    p_binds: f64,
}

/// Every (nation, pooled capability), most often binding first (not a number last).
pub(super) fn rows(report: &Report) -> Vec<Row> {
    let mut rows: Vec<Row> = report
        .nations
        .iter()
        .flat_map(|(id, n)| {
            let name = if n.name.is_empty() { id } else { &n.name };
            n.pools.iter().map(move |(cap, p)| {
                let mean = n.mean_provided.get(cap).copied().unwrap_or(f64::NAN);
                let held = if n.p_participates > 0.0 {
                    mean / n.p_participates * n.rotation as f64
                } else {
                    f64::NAN
                };
                Row {
                    label: format!("{name} · {cap}"),
                    pool: p.pool,
                    held,
                    p_binds: p.p_binds,
                }
            })
        })
        .collect();
    let key = |p: f64| if p.is_finite() { p } else { -1.0 };
    rows.sort_by(|a, b| key(b.p_binds).total_cmp(&key(a.p_binds)));
    rows
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &Canvas<DB>,
    report: &Report,
    opts: &super::Options,
) -> DrawResult<(), DB> {
    let body = frame(root, report, opts, super::plain_title(super::Chart::Pools))?;
    let all = rows(report);
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let max = all
        .iter()
        .map(|r| finite(r.pool).max(finite(r.held)))
        .fold(0.0, f64::max);
    if all.is_empty() || max <= 0.0 {
        return note(root, body, &["No nation has a pool that holds anything."]);
    }
    let shown = &all[..all.len().min(TOP)];
    let items = [
        (
            Mark::Box(theme::MUTED),
            "pool: what it can commit in all".to_string(),
        ),
        (
            Mark::Box(theme::GOOD),
            "mean deployed × rotation when it takes part (after cuts)".to_string(),
        ),
    ];
    let used = legend(root, body, &items)?;
    let plot = body.below(used + 4);
    let name_w = shown
        .iter()
        .map(|r| width(root, &r.label, name_font()))
        .max()
        .unwrap_or(0)
        .min((body.width() as f64 * MAX_NAME_SHARE) as i32);
    let chart_rect = Rect {
        x0: plot.x0 + name_w + 24,
        ..plot
    };
    let area = chart_rect.area(root);
    let n = shown.len() as f64;
    let plot_h = (chart_rect.height() - theme::X_LABEL_AREA as i32) as f64;
    let used_h = (MAX_ROW * n).min(plot_h);
    let spare = ((plot_h - used_h) / plot_h).clamp(0.0, 0.9);
    let y_lo = -n * spare / (1.0 - spare);
    // Room for the value label after the longest bar.
    let hi = max * 1.7;
    let mut chart = ChartBuilder::on(&area)
        .margin_right(30)
        .x_label_area_size(theme::X_LABEL_AREA)
        .build_cartesian_2d(0.0..hi, y_lo..n)?;
    let x_fmt = |v: &f64| thousands(*v);
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh()
        .x_labels(8)
        .max_light_lines(1)
        .x_label_formatter(&x_fmt)
        .x_desc("units held in all (deployed × rotation) · P(binds): share of its trials cut");
    house_style(&mut mesh).draw()?;
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    draw_rows(root, shown, &px, chart_rect.x0 - 24, name_w)
}

/// Each row: its name, the pool's bar above, the held bar below, and the
/// figures after the longer one.
fn draw_rows<DB: DrawingBackend>(
    root: &Canvas<DB>,
    shown: &[Row],
    px: &dyn Fn(f64, f64) -> (i32, i32),
    name_x: i32,
    name_w: i32,
) -> DrawResult<(), DB> {
    let n = shown.len() as f64;
    let row_px = (px(0.0, 0.0).1 - px(0.0, 1.0).1).max(1);
    let bar_h = ((row_px as f64) * 0.36).clamp(4.0, 32.0) as i32;
    let zero = px(0.0, 0.0).0;
    for (i, r) in shown.iter().enumerate() {
        let (_, y) = px(0.0, n - i as f64 - 0.5);
        let font = name_font();
        let name = fit(root, &r.label, font, name_w);
        text(root, &name, (name_x, y), font.h(HPos::Right))?;
        let mut end = zero;
        for (v, color, top) in [(r.pool, theme::MUTED, y - bar_h), (r.held, theme::GOOD, y)] {
            if v.is_finite() && v > 0.0 {
                let x1 = px(v, 0.0).0;
                fill_rect(root, (zero, top), (x1.max(zero + 1), top + bar_h), color)?;
                end = end.max(x1);
            }
        }
        let label = format!(
            "{} / {} · P(binds) {}",
            thousands(r.held),
            thousands(r.pool),
            crate::report::table::pct(r.p_binds)
        );
        let value = Font::new(theme::VALUE_SIZE);
        text(
            root,
            &label,
            (end + theme::LABEL_GAP, y),
            value.h(HPos::Left),
        )?;
    }
    Ok(())
}

fn name_font() -> Font {
    Font::new(theme::LABEL_SIZE)
}
