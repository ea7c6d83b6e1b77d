//! `tornado.png`: whose decision matters most. Nations ranked by the size of
//! their swing on P(all domains covered), the largest at the top (at most 15),
//! as signed bars: to the right when the force is more often complete with the
//! nation than without it, to the left when less often.
//!
//! Figures: per nation `swing` = P(all covered | it takes part) − P(all covered
//! | it does not), in percentage points. A nation that always or never takes
//! part has no swing (`null`) and is left out; the chart says how many.

use plotters::chart::ChartBuilder;
use plotters::prelude::DrawingBackend;
use plotters::style::Color;
use plotters::style::text_anchor::HPos;

use super::format::{axis_points, points, thousands};
use super::frame::{
    Canvas, DrawResult, Font, Mark, Rect, fill_rect, fit, frame, house_style, legend, line, note,
    text, width,
};
use super::theme;
use crate::report::Report;

/// Most nations drawn.
pub const TOP: usize = 15;
/// Widest the nation names may be, as a share of the body width.
const MAX_NAME_SHARE: f64 = 0.3;
/// Tallest a row may be, in pixels.
const MAX_ROW: f64 = 80.0;
/// Swings smaller than this (in probability) count as no change.
const NEGLIGIBLE: f64 = 1e-12;

pub(super) fn draw<DB: DrawingBackend>(root: &Canvas<DB>, report: &Report) -> DrawResult<(), DB> {
    let body = frame(
        root,
        report,
        "Whose decision matters most? Swing on P(all domains covered)",
    )?;
    let mut ranked: Vec<(&str, f64)> = report
        .nations
        .iter()
        .filter_map(|(id, n)| {
            n.swing.filter(|s| s.is_finite()).map(|s| {
                let name = if n.name.is_empty() {
                    id.as_str()
                } else {
                    n.name.as_str()
                };
                (name, s)
            })
        })
        .collect();
    let without = report.nations.len() - ranked.len();
    // Largest |swing| first; ties keep scenario order (the sort is stable).
    ranked.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    let shown = ranked.len().min(TOP);
    let all_negligible = ranked.iter().all(|(_, s)| s.abs() < NEGLIGIBLE);
    if ranked.is_empty() || all_negligible {
        let detail = if report.nations.is_empty() {
            "The scenario has no nation.".to_string()
        } else if ranked.is_empty() {
            "Every nation always or never takes part, so none has a swing.".to_string()
        } else {
            format!(
                "P(all domains covered) is the same with or without each of the {} nations.",
                ranked.len()
            )
        };
        return note(
            root,
            body,
            &["No nation's decision changes the outcome.", &detail],
        );
    }
    let ranked = &ranked[..shown];

    let items = [
        (
            Mark::Box(theme::GOOD),
            "more often complete when the nation takes part".to_string(),
        ),
        (
            Mark::Box(theme::BAD),
            "less often complete when it takes part".to_string(),
        ),
    ];
    let used = legend(root, body, &items)?;
    let mut plot = body.below(used + 4);
    let mut remarks = Vec::new();
    if report.nations.len() - without > shown {
        remarks.push(format!(
            "the {shown} largest of {} swings",
            thousands((report.nations.len() - without) as f64)
        ));
    }
    if without > 0 {
        remarks.push(format!(
            "{without} nation{} always or never take{} part: no swing",
            if without == 1 { "" } else { "s" },
            if without == 1 { "s" } else { "" }
        ));
    }
    let small = Font::new(theme::SMALL_SIZE).color(theme::MUTED);
    if !remarks.is_empty() {
        text(
            root,
            &fit(root, &remarks.join(" · "), small, plot.width()),
            (plot.x0, plot.y0 + 12),
            small,
        )?;
        plot = plot.below(30);
    }

    let name_font = Font::new(theme::LABEL_SIZE);
    let name_w = ranked
        .iter()
        .map(|(n, _)| width(root, n, name_font))
        .max()
        .unwrap_or(0)
        .min((body.width() as f64 * MAX_NAME_SHARE) as i32);
    let chart_rect = Rect {
        x0: plot.x0 + name_w + 24,
        ..plot
    };
    let area = chart_rect.area(root);
    // The axis spans both signs only when both occur (zero stays visible).
    let max = ranked.iter().map(|(_, s)| *s).fold(0.0, f64::max) * 100.0;
    let min = ranked.iter().map(|(_, s)| *s).fold(0.0, f64::min) * 100.0;
    let span = nice_ceiling(max.max(-min) * 1.2);
    let hi = if max > 0.0 {
        nice_ceiling(max * 1.2)
    } else {
        span * 0.1
    };
    let lo = if min < 0.0 {
        -nice_ceiling(-min * 1.2)
    } else {
        -span * 0.1
    };
    let n = ranked.len() as f64;
    let plot_h = (chart_rect.height() - theme::X_LABEL_AREA as i32) as f64;
    let used_h = (MAX_ROW * n).min(plot_h);
    let spare = ((plot_h - used_h) / plot_h).clamp(0.0, 0.9);
    let y_lo = -n * spare / (1.0 - spare);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(30)
        .x_label_area_size(theme::X_LABEL_AREA)
        .build_cartesian_2d(lo..hi, y_lo..n)?;
    let x_fmt = |v: &f64| axis_points(*v);
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh()
        .x_labels(8)
        .max_light_lines(1)
        .x_label_formatter(&x_fmt)
        .x_desc("change in P(all domains covered) when the nation takes part (percentage points)");
    house_style(&mut mesh).draw()?;

    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    let (left, right) = (px(lo, 0.0).0, px(hi, 0.0).0);
    let row_px = (px(0.0, 0.0).1 - px(0.0, 1.0).1).max(1);
    let bar_h = ((row_px as f64) * 0.62).clamp(6.0, 44.0) as i32;
    let value = Font::new(theme::VALUE_SIZE).bold();
    let zero = px(0.0, 0.0).0;
    line(
        root,
        (zero, px(0.0, n).1),
        (zero, px(0.0, 0.0).1),
        theme::AXIS.stroke_width(2),
    )?;
    for (i, (name, s)) in ranked.iter().enumerate() {
        let yc = n - i as f64 - 0.5;
        let (x1, y) = px(s * 100.0, yc);
        text(
            root,
            &fit(root, name, name_font, name_w),
            (chart_rect.x0 - 24, y),
            name_font.h(HPos::Right),
        )?;
        let color = if *s >= 0.0 { theme::GOOD } else { theme::BAD };
        if x1 != zero {
            fill_rect(
                root,
                (zero.min(x1), y - bar_h / 2),
                (zero.max(x1), y + bar_h / 2),
                color,
            )?;
        }
        let label = points(*s);
        let w = width(root, &label, value);
        let gap = theme::LABEL_GAP;
        let (x, f) = if *s >= 0.0 {
            if x1 + gap + w <= right {
                (x1 + gap, value.color(color).h(HPos::Left))
            } else {
                (x1 - gap, value.color(theme::BACKGROUND).h(HPos::Right))
            }
        } else if x1 - gap - w >= left {
            (x1 - gap, value.color(color).h(HPos::Right))
        } else {
            (x1 + gap, value.color(theme::BACKGROUND).h(HPos::Left))
        };
        text(root, &label, (x, y), f)?;
    }
    Ok(())
}

/// The smallest round value (1, 1.2, 1.5, 2, 2.5 … × 10ⁿ) at least `x`, and at least 1.
fn nice_ceiling(x: f64) -> f64 {
    if !(x.is_finite() && x > 1.0) {
        return 1.0;
    }
    let mag = 10f64.powf(x.log10().floor());
    for k in [
        1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0,
    ] {
        if k * mag >= x {
            return k * mag;
        }
    }
    10.0 * mag
}

#[cfg(test)]
mod tests {
    use super::nice_ceiling;

    #[test]
    fn ceilings_are_round() {
        assert_eq!(nice_ceiling(0.2), 1.0);
        assert_eq!(nice_ceiling(27.0 * 1.2), 35.0);
        assert_eq!(nice_ceiling(46.3 * 1.2), 60.0);
        assert_eq!(nice_ceiling(101.0), 120.0);
    }
}
