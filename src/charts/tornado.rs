//! `tornado.png`: each nation's swing, an association (the trials with it
//! against those without it, carrying its links through blocs, caps and
//! conditions), not the effect of securing or losing it, which
//! `forcesim sensitivity` measures. The title says so and the axis caption
//! points to `forcesim sensitivity` (and says "an association" itself when
//! `--title` replaces the title). Nations ranked by the size of
//! their swing on P(all domains covered), the largest at the top (at most 15),
//! as signed bars: to the right when the force is more often complete with the
//! nation than without it, to the left when less often.
//!
//! Figures: per nation `swing` = P(all covered | it takes part) − P(all covered
//! | it does not), in percentage points. A nation that always or never takes
//! part has no swing (`null`) and is left out; the chart says how many.

use plotters::chart::ChartBuilder;
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::HPos;
use plotters::style::{Color, RGBColor};

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

pub(super) fn draw<DB: DrawingBackend>(
    root: &Canvas<DB>,
    report: &Report,
    opts: &super::Options,
) -> DrawResult<(), DB> {
    let body = frame(
        root,
        report,
        opts,
        "Swing on P(all covered): an association, not an effect",
    )?;
    let ranked = ranked(report);
    let without = report.nations.len() - ranked.len();
    if let Some(detail) = nothing_to_show(report, &ranked) {
        return note(
            root,
            body,
            &["No nation's decision changes the outcome.", &detail],
        );
    }
    let shown = ranked.len().min(TOP);
    let ranked = &ranked[..shown];
    let used = legend(root, body, &legend_items())?;
    let mut plot = body.below(used + 4);
    let remarks = remarks(report.nations.len() - without, shown, without);
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
    let name_w = ranked
        .iter()
        .map(|(n, _)| width(root, n, name_font()))
        .max()
        .unwrap_or(0)
        .min((body.width() as f64 * MAX_NAME_SHARE) as i32);
    let chart_rect = Rect {
        x0: plot.x0 + name_w + 24,
        ..plot
    };
    let area = chart_rect.area(root);
    let (lo, hi) = x_range(ranked);
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
        .x_desc(caption(opts));
    house_style(&mut mesh).draw()?;
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    let bars = Bars {
        px: &px,
        lo,
        hi,
        name_x: chart_rect.x0 - 24,
        name_w,
    };
    bars.draw(root, ranked)
}

/// The axis caption: what the swing is, and where effects are measured. A
/// `--title` replaces the title that calls the swing an association, so the
/// caption then says so itself.
fn caption(opts: &super::Options) -> &'static str {
    if opts.title.is_some() {
        "P(all covered | takes part) − P(all covered | does not), pp · an association; effects: forcesim sensitivity"
    } else {
        "P(all covered | takes part) − P(all covered | does not), pp · effects: forcesim sensitivity"
    }
}

fn name_font() -> Font {
    Font::new(theme::LABEL_SIZE)
}

/// The nations with a finite swing (by name, or id when unnamed), largest
/// |swing| first; ties keep scenario order (the sort is stable).
fn ranked(report: &Report) -> Vec<(&str, f64)> {
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
    ranked.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    ranked
}

/// Why there is nothing to draw, if there is not.
fn nothing_to_show(report: &Report, ranked: &[(&str, f64)]) -> Option<String> {
    let all_negligible = ranked.iter().all(|(_, s)| s.abs() < NEGLIGIBLE);
    if !(ranked.is_empty() || all_negligible) {
        return None;
    }
    Some(if report.nations.is_empty() {
        "The scenario has no nation.".to_string()
    } else if ranked.is_empty() {
        "Every nation always or never takes part, so none has a swing.".to_string()
    } else {
        format!(
            "P(all covered) is the same with or without each of the {} nations.",
            ranked.len()
        )
    })
}

fn legend_items() -> [(Mark, String); 2] {
    [
        (
            Mark::Box(theme::GOOD),
            "more often complete when the nation takes part".to_string(),
        ),
        (
            Mark::Box(theme::BAD),
            "less often complete when it takes part".to_string(),
        ),
    ]
}

/// What is left out: swings beyond the `shown`, nations `without` a swing.
fn remarks(with: usize, shown: usize, without: usize) -> Vec<String> {
    let mut remarks = Vec::new();
    if with > shown {
        remarks.push(format!(
            "the {shown} largest of {} swings",
            thousands(with as f64)
        ));
    }
    if without > 0 {
        remarks.push(format!(
            "{without} nation{} always or never take{} part: no swing",
            if without == 1 { "" } else { "s" },
            if without == 1 { "s" } else { "" }
        ));
    }
    remarks
}

/// The x range in points: it spans both signs only when both occur (zero stays visible).
fn x_range(ranked: &[(&str, f64)]) -> (f64, f64) {
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
    (lo, hi)
}

/// The bars, their names and values, on the chart's coordinates.
struct Bars<'c> {
    px: &'c dyn Fn(f64, f64) -> (i32, i32),
    lo: f64,
    hi: f64,
    name_x: i32,
    name_w: i32,
}

impl Bars<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &Canvas<DB>,
        ranked: &[(&str, f64)],
    ) -> DrawResult<(), DB> {
        let px = self.px;
        let n = ranked.len() as f64;
        let row_px = (px(0.0, 0.0).1 - px(0.0, 1.0).1).max(1);
        let bar_h = ((row_px as f64) * 0.62).clamp(6.0, 44.0) as i32;
        let zero = px(0.0, 0.0).0;
        line(
            root,
            (zero, px(0.0, n).1),
            (zero, px(0.0, 0.0).1),
            theme::AXIS.stroke_width(2),
        )?;
        for (i, (name, s)) in ranked.iter().enumerate() {
            let (x1, y) = px(s * 100.0, n - i as f64 - 0.5);
            let font = name_font();
            text(
                root,
                &fit(root, name, font, self.name_w),
                (self.name_x, y),
                font.h(HPos::Right),
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
            self.value(root, *s, (x1, y), color)?;
        }
        Ok(())
    }

    /// The swing's value beside the bar's end, or inside it when there is no room.
    fn value<DB: DrawingBackend>(
        &self,
        root: &Canvas<DB>,
        s: f64,
        (x1, y): (i32, i32),
        color: RGBColor,
    ) -> DrawResult<(), DB> {
        let (left, right) = ((self.px)(self.lo, 0.0).0, (self.px)(self.hi, 0.0).0);
        let value = Font::new(theme::VALUE_SIZE).bold();
        let label = points(s);
        let w = width(root, &label, value);
        let gap = theme::LABEL_GAP;
        let (x, f) = if s >= 0.0 {
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
        text(root, &label, (x, y), f)
    }
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
