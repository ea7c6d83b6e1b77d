//! `timeline.png`: when the force is in place. P(covered by day d) for every
//! whole day, as exact step curves, for every domain (coloured as in
//! `contributions.png`) and for all domains at once (black, thicker). The
//! scenario's `timeline_days` are marked: a vertical line each, a dot where each
//! curve crosses it, and the overall value written there. A contribution counts
//! from the whole day its nation is ready.
//!
//! With `[force]`, the whole force has its own curve, and the black one is
//! every domain and the force at once.
//!
//! Figures: `timeline.days_to_all_covered.steps` (black curve),
//! `timeline.days_to_coverage[domain].steps` and `timeline.days_to_force.steps`
//! (coloured curves; the final value is written at the right end),
//! `timeline.days`, `timeline.p_all_covered`, `timeline.domains[domain]` and
//! `timeline.force` (the dots, equal to the curves there).

use plotters::chart::ChartBuilder;
use plotters::element::{Circle, PathElement};
use plotters::prelude::DrawingBackend;
use plotters::style::Color;
use plotters::style::text_anchor::HPos;

use super::format::{count_ticks, percent, thousands};
use super::frame::{
    Canvas, DrawResult, Font, Mark, Valign, covered_axis, dashed, fill_rect, frame, house_style,
    legend, note, text, width,
};
use super::theme;
use crate::report::{DaysToCoverage, Report, Timeline};

/// Space right of the plot for the final values.
const RIGHT_PAD: i32 = 130;
/// Width of the y tick label area.
const Y_LABEL_AREA: u32 = 120;
/// Closest two end labels may be, vertically, in pixels.
const LABEL_SPACING: i32 = 30;
/// The colour of the `timeline_days` markers.
const MARKER: plotters::style::RGBColor = theme::MUTED;

/// One curve: name, colour, values at the timeline days, exact steps (when the
/// report has them), whether it is the overall curve.
struct Series<'a> {
    name: &'a str,
    color: plotters::style::RGBColor,
    values: &'a [f64],
    steps: Option<&'a DaysToCoverage>,
    overall: bool,
}

impl Series<'_> {
    /// The value at the right end of the chart.
    fn last(&self) -> Option<f64> {
        match self.steps {
            Some(s) => Some(s.steps.last().map_or(0.0, |x| x.1)),
            None => self.values.last().copied(),
        }
    }
}

/// The pixel of (day, P).
type Px<'c> = &'c dyn Fn(f64, f64) -> (i32, i32);

/// The points of the step curve of P(covered by day d) from day 0 to `x_end`:
/// flat between the days at which it rises, vertical at them.
pub fn step_points(steps: &[(u64, f64)], x_end: f64) -> Vec<(f64, f64)> {
    let mut pts = vec![(0.0, 0.0)];
    let mut cur = 0.0;
    for &(d, p) in steps {
        pts.push((d as f64, cur));
        pts.push((d as f64, p));
        cur = p;
    }
    pts.push((x_end.max(pts.last().map_or(0.0, |p| p.0)), cur));
    pts
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
        "When is the force in place? P(covered) by day",
    )?;
    let Some(tl) = &report.timeline else {
        return note(
            root,
            body,
            &[
                "The scenario has no timeline.",
                "Add  [simulation] timeline_days = [30, 90, 180]  to see coverage by day.",
            ],
        );
    };
    if tl.days.is_empty() {
        return note(root, body, &["The timeline has no day."]);
    }
    let series = all_series(report, tl);
    let mut items = vec![(Mark::Line(theme::BLACK), all_name(tl).to_string())];
    items.extend(
        series
            .iter()
            .filter(|s| !s.overall)
            .map(|s| (Mark::Line(s.color), s.name.to_string())),
    );
    items.push((Mark::Dashed(MARKER), "timeline_days of the scenario".into()));
    let used = legend(root, body, &items)?;
    let plot = body.below(used + 10);

    let last_day = series
        .iter()
        .filter_map(|s| s.steps.and_then(|x| x.steps.last()).map(|x| x.0))
        .chain(tl.days.iter().copied())
        .max()
        .unwrap_or(0) as f64;
    let x_hi = (last_day * 1.04).max(last_day + 1.0);
    let area = plot.area(root);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(RIGHT_PAD as u32)
        .margin_top(16)
        .x_label_area_size(theme::X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(0.0..x_hi, 0.0..100.0)?;
    let day_fmt = |v: &f64| thousands(*v);
    let mut mesh = chart.configure_mesh();
    house_style(covered_axis(&mut mesh))
        .x_labels(count_ticks(0.0, x_hi, 10))
        .x_label_formatter(&day_fmt)
        .x_desc("days from the start of deployment (a nation counts from its ready day)");
    mesh.draw()?;

    let px = |d: f64, p: f64| chart.backend_coord(&(d, p * 100.0));
    day_markers(root, &tl.days, &px)?;
    series_lines(root, &series, &tl.days, &px, x_hi)?;
    let x_end = px(x_hi, 0.0).0 + 14;
    overall_values(root, &series, &tl.days, &px, x_end)?;
    end_labels(root, &series, &px, x_end)
}

/// One curve per domain with a timeline, then the overall curve.
fn all_series<'a>(report: &'a Report, tl: &'a Timeline) -> Vec<Series<'a>> {
    let exact = !tl.days_to_coverage.is_empty();
    let mut series: Vec<Series<'_>> = report
        .domains
        .iter()
        .enumerate()
        .filter_map(|(i, (id, d))| {
            tl.domains.get(id).map(|v| Series {
                name: d.name.as_str(),
                color: theme::series(i),
                values: v.as_slice(),
                steps: tl.days_to_coverage.get(id),
                overall: false,
            })
        })
        .collect();
    if let Some(force) = &tl.force {
        series.push(Series {
            name: "Whole force",
            color: theme::series(report.domains.len()),
            values: force.as_slice(),
            steps: tl.days_to_force.as_ref().filter(|_| exact),
            overall: false,
        });
    }
    series.push(Series {
        name: all_name(tl),
        color: theme::BLACK,
        values: tl.p_all_covered.as_slice(),
        steps: exact.then_some(&tl.days_to_all_covered),
        overall: true,
    });
    series
}

/// The overall curve's name: every domain, and the force with `[force]`.
fn all_name(tl: &Timeline) -> &'static str {
    if tl.force.is_some() {
        "All covered"
    } else {
        "All domains"
    }
}

/// The scenario's `timeline_days`: a dashed vertical line each, labelled at the top.
fn day_markers<DB: DrawingBackend>(
    root: &Canvas<DB>,
    days: &[u64],
    px: Px<'_>,
) -> DrawResult<(), DB> {
    let (y_base, y_top) = (px(0.0, 0.0).1, px(0.0, 1.0).1);
    let font = Font::new(theme::SMALL_SIZE)
        .color(MARKER)
        .h(HPos::Center)
        .v(Valign::Baseline);
    let mut last_end = i32::MIN;
    for &d in days {
        let x = px(d as f64, 0.0).0;
        dashed(root, (x, y_top), (x, y_base), MARKER, 2)?;
        let label = format!("day {}", thousands(d as f64));
        let w = width(root, &label, font);
        if x - w / 2 > last_end + 8 {
            text(root, &label, (x, y_top - 4), font)?;
            last_end = x + w / 2;
        }
    }
    Ok(())
}

/// Step curves (or, without exact steps, the dots alone): domains first, the
/// overall curve on top; a dot where each crosses a timeline day.
fn series_lines<DB: DrawingBackend>(
    root: &Canvas<DB>,
    series: &[Series<'_>],
    days: &[u64],
    px: Px<'_>,
    x_hi: f64,
) -> DrawResult<(), DB> {
    for s in series {
        let w = if s.overall {
            theme::DATA_LINE_WIDTH + 2
        } else {
            theme::DATA_LINE_WIDTH
        };
        if let Some(st) = s.steps {
            let pts: Vec<(i32, i32)> = step_points(&st.steps, x_hi)
                .into_iter()
                .map(|(d, p)| px(d, p.clamp(0.0, 1.0)))
                .collect();
            root.draw(&PathElement::new(pts, s.color.stroke_width(w)))?;
        }
        for (&d, &p) in days.iter().zip(s.values) {
            let r = if s.overall { 8 } else { 6 };
            root.draw(&Circle::new(
                px(d as f64, p.clamp(0.0, 1.0)),
                r,
                s.color.filled(),
            ))?;
        }
    }
    Ok(())
}

/// The overall curve's values at the timeline days, above its dots (none where
/// the label would reach the column of end labels).
fn overall_values<DB: DrawingBackend>(
    root: &Canvas<DB>,
    series: &[Series<'_>],
    days: &[u64],
    px: Px<'_>,
    x_end: i32,
) -> DrawResult<(), DB> {
    let y_top = px(0.0, 1.0).1;
    let value = Font::new(theme::VALUE_SIZE).bold().h(HPos::Center);
    if let Some(all) = series.last() {
        let end = all.last().map(percent);
        for (k, (&d, &p)) in days.iter().zip(all.values).enumerate() {
            let (x, y) = px(d as f64, p.clamp(0.0, 1.0));
            let label = percent(p);
            let w = width(root, &label, value);
            // The end label already says it (the curve is flat from the last day on).
            let said = k + 1 == days.len() && end.as_deref() == Some(label.as_str());
            if said || x + w / 2 + 8 >= x_end {
                continue;
            }
            let y = if y - 30 < y_top + 24 { y + 30 } else { y - 28 };
            fill_rect(
                root,
                (x - w / 2 - 4, y - 15),
                (x + w / 2 + 4, y + 15),
                theme::BACKGROUND.mix(0.85),
            )?;
            text(root, &label, (x, y), value)?;
        }
    }
    Ok(())
}

/// Every curve's final value at the right end (the overall one in black), moved
/// apart so that none overlap.
fn end_labels<DB: DrawingBackend>(
    root: &Canvas<DB>,
    series: &[Series<'_>],
    px: Px<'_>,
    x_end: i32,
) -> DrawResult<(), DB> {
    let (y_base, y_top) = (px(0.0, 0.0).1, px(0.0, 1.0).1);
    let mut ends: Vec<(i32, String, plotters::style::RGBColor)> = series
        .iter()
        .filter_map(|s| {
            let p = s.last()?;
            Some((px(0.0, p.clamp(0.0, 1.0)).1, percent(p), s.color))
        })
        .collect();
    ends.sort_by_key(|e| e.0);
    let mut ys = spread(&ends.iter().map(|e| e.0).collect::<Vec<_>>(), LABEL_SPACING);
    // Keep the stack within the plot (not into the legend, not below the axis).
    if let Some(&last) = ys.last() {
        let up = (last - y_base).max(0);
        ys.iter_mut().for_each(|y| *y -= up);
    }
    if let Some(&first) = ys.first() {
        let down = (y_top - first).max(0);
        ys.iter_mut().for_each(|y| *y += down);
    }
    let end_font = Font::new(theme::VALUE_SIZE).bold();
    for ((_, label, color), y) in ends.iter().zip(ys) {
        text(root, label, (x_end, y), end_font.color(*color))?;
    }
    Ok(())
}

/// Positions as close as possible to sorted `ys` (least squares), at least
/// `gap` apart: overlapping labels form runs centred on their wanted places.
fn spread(ys: &[i32], gap: i32) -> Vec<i32> {
    // A run: first index, length, and Σ (wanted − offset in the run).
    struct Run {
        first: usize,
        len: i64,
        sum: i64,
    }
    impl Run {
        fn top(&self) -> i64 {
            self.sum.div_euclid(self.len)
        }
    }
    let gap = i64::from(gap);
    let mut runs: Vec<Run> = Vec::new();
    for (i, &y) in ys.iter().enumerate() {
        runs.push(Run {
            first: i,
            len: 1,
            sum: i64::from(y),
        });
        while runs.len() >= 2 {
            let b = &runs[runs.len() - 1];
            let a = &runs[runs.len() - 2];
            if b.top() >= a.top() + a.len * gap {
                break;
            }
            let merged = Run {
                first: a.first,
                len: a.len + b.len,
                sum: a.sum + b.sum - b.len * a.len * gap,
            };
            runs.truncate(runs.len() - 2);
            runs.push(merged);
        }
    }
    let mut out = vec![0; ys.len()];
    for r in &runs {
        for k in 0..r.len {
            let v = r.top() + k * gap;
            out[r.first + k as usize] = v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{spread, step_points};

    #[test]
    fn steps_are_flat_then_vertical() {
        let pts = step_points(&[(5, 0.25), (9, 0.5)], 20.0);
        assert_eq!(
            pts,
            vec![
                (0.0, 0.0),
                (5.0, 0.0),
                (5.0, 0.25),
                (9.0, 0.25),
                (9.0, 0.5),
                (20.0, 0.5)
            ]
        );
    }

    #[test]
    fn spread_keeps_labels_apart() {
        assert_eq!(spread(&[10, 100], 30), vec![10, 100]);
        let s = spread(&[100, 100, 100], 30);
        assert_eq!(s, vec![70, 100, 130]);
        let s = spread(&[0, 10, 200], 30);
        assert_eq!(s, vec![-10, 20, 200]);
        let s = spread(&[0, 20, 40, 41], 30);
        assert!(s.windows(2).all(|w| w[1] - w[0] >= 30), "{s:?}");
    }
}
