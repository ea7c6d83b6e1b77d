//! `timeline.png`: when the force is in place. P(covered) by day for every
//! domain (coloured as in `contributions.png`) and for all domains at once
//! (black, thicker, each point labelled), at the scenario's `timeline_days`.
//! A contribution counts by day d only when its nation is ready by then.
//!
//! Figures: `timeline.days` (x), `timeline.p_all_covered` (black line),
//! `timeline.domains[domain]` (coloured lines; the last value is written at
//! the right end).

use plotters::chart::{ChartBuilder, LabelAreaPosition};
use plotters::element::{Circle, PathElement};
use plotters::prelude::DrawingBackend;
use plotters::style::Color;
use plotters::style::text_anchor::HPos;

use super::format::{percent, thousands};
use super::frame::{
    Canvas, DrawResult, Font, Mark, Valign, covered_axis, fill_rect, frame, house_style, legend,
    line, note, text, width,
};
use super::theme;
use crate::report::{Report, Timeline};

/// Space right of the plot for the final values.
const RIGHT_PAD: i32 = 130;
/// Width of the y tick label area.
const Y_LABEL_AREA: u32 = 120;
/// Closest two end labels may be, vertically, in pixels.
const LABEL_SPACING: i32 = 30;

/// One line: name, colour, values by day, whether it is the overall line.
struct Series<'a> {
    name: &'a str,
    color: plotters::style::RGBColor,
    values: &'a [f64],
    overall: bool,
}

/// The pixel of (day, P).
type Px<'c> = &'c dyn Fn(f64, f64) -> (i32, i32);

pub(super) fn draw<DB: DrawingBackend>(root: &Canvas<DB>, report: &Report) -> DrawResult<(), DB> {
    let body = frame(
        root,
        report,
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
    let mut items = vec![(Mark::Series(theme::BLACK), "All domains".to_string())];
    items.extend(
        series
            .iter()
            .filter(|s| !s.overall)
            .map(|s| (Mark::Series(s.color), s.name.to_string())),
    );
    let used = legend(root, body, &items)?;
    let plot = body.below(used + 10);

    let last_day = tl.days.iter().copied().max().unwrap_or(0) as f64;
    let x_hi = (last_day * 1.04).max(last_day + 1.0);
    let area = plot.area(root);
    let mut chart = ChartBuilder::on(&area)
        .margin_right(RIGHT_PAD as u32)
        .margin_top(16)
        .x_label_area_size(theme::X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(0.0..x_hi, 0.0..100.0)?;
    let no_label = |_: &f64| String::new();
    let mut mesh = chart.configure_mesh();
    house_style(covered_axis(&mut mesh))
        .disable_x_mesh()
        .x_labels(2)
        .x_label_formatter(&no_label)
        .set_tick_mark_size(LabelAreaPosition::Bottom, 0)
        .x_desc("days from the start of deployment");
    mesh.draw()?;

    let px = |d: f64, p: f64| chart.backend_coord(&(d, p * 100.0));
    day_ticks(root, &tl.days, &px)?;
    series_lines(root, &series, &tl.days, &px)?;
    overall_values(root, &series, &tl.days, &px)?;
    end_labels(root, &series, &tl.days, &px, last_day)
}

/// One line per domain with a timeline, then the overall line.
fn all_series<'a>(report: &'a Report, tl: &'a Timeline) -> Vec<Series<'a>> {
    let mut series: Vec<Series<'_>> = report
        .domains
        .iter()
        .enumerate()
        .filter_map(|(i, (id, d))| {
            tl.domains.get(id).map(|v| Series {
                name: d.name.as_str(),
                color: theme::series(i),
                values: v.as_slice(),
                overall: false,
            })
        })
        .collect();
    series.push(Series {
        name: "All domains",
        color: theme::BLACK,
        values: tl.p_all_covered.as_slice(),
        overall: true,
    });
    series
}

/// The report's days (and day 0): a grid line and a tick label each (thinned when dense).
fn day_ticks<DB: DrawingBackend>(
    root: &Canvas<DB>,
    days: &[u64],
    px: Px<'_>,
) -> DrawResult<(), DB> {
    let (y_base, y_top) = (px(0.0, 0.0).1, px(0.0, 1.0).1);
    let tick = Font::new(theme::LABEL_SIZE).h(HPos::Center).v(Valign::Top);
    let mut last_end = i32::MIN;
    let mut days = days.to_vec();
    if days.first() != Some(&0) {
        days.insert(0, 0);
    }
    for &d in &days {
        let x = px(d as f64, 0.0).0;
        line(root, (x, y_top), (x, y_base), theme::GRID.stroke_width(1))?;
        line(
            root,
            (x, y_base),
            (x, y_base + 8),
            theme::AXIS.stroke_width(2),
        )?;
        let label = thousands(d as f64);
        let w = width(root, &label, tick);
        if x - w / 2 > last_end + 12 {
            text(root, &label, (x, y_base + 18), tick)?;
            last_end = x + w / 2;
        }
    }
    Ok(())
}

/// Lines and points: domains first, the overall line on top.
fn series_lines<DB: DrawingBackend>(
    root: &Canvas<DB>,
    series: &[Series<'_>],
    days: &[u64],
    px: Px<'_>,
) -> DrawResult<(), DB> {
    for s in series {
        let pts: Vec<(i32, i32)> = days
            .iter()
            .zip(s.values)
            .map(|(&d, &p)| px(d as f64, p.clamp(0.0, 1.0)))
            .collect();
        let w = if s.overall {
            theme::DATA_LINE_WIDTH + 2
        } else {
            theme::DATA_LINE_WIDTH
        };
        root.draw(&PathElement::new(pts.clone(), s.color.stroke_width(w)))?;
        for p in &pts {
            root.draw(&Circle::new(
                *p,
                if s.overall { 8 } else { 6 },
                s.color.filled(),
            ))?;
        }
    }
    Ok(())
}

/// The overall line's values at every day, above its points.
fn overall_values<DB: DrawingBackend>(
    root: &Canvas<DB>,
    series: &[Series<'_>],
    days: &[u64],
    px: Px<'_>,
) -> DrawResult<(), DB> {
    let y_top = px(0.0, 1.0).1;
    let value = Font::new(theme::VALUE_SIZE).bold().h(HPos::Center);
    if let Some(all) = series.last() {
        for (&d, &p) in days.iter().zip(all.values) {
            let (x, y) = px(d as f64, p.clamp(0.0, 1.0));
            let label = percent(p);
            let w = width(root, &label, value);
            let y = if y - 30 < y_top { y + 30 } else { y - 28 };
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

/// Every domain's last value at the right end, moved apart so none overlap.
fn end_labels<DB: DrawingBackend>(
    root: &Canvas<DB>,
    series: &[Series<'_>],
    days: &[u64],
    px: Px<'_>,
    last_day: f64,
) -> DrawResult<(), DB> {
    let y_top = px(0.0, 1.0).1;
    let mut ends: Vec<(i32, String, plotters::style::RGBColor)> = series
        .iter()
        .filter(|s| !s.overall)
        .filter_map(|s| {
            let (&d, &p) = (days.last()?, s.values.get(days.len() - 1)?);
            Some((px(d as f64, p.clamp(0.0, 1.0)).1, percent(p), s.color))
        })
        .collect();
    ends.sort_by_key(|e| e.0);
    let mut ys = spread(&ends.iter().map(|e| e.0).collect::<Vec<_>>(), LABEL_SPACING);
    // Keep the stack from climbing above the plot (into the legend).
    if let Some(&first) = ys.first() {
        let down = (y_top - first).max(0);
        ys.iter_mut().for_each(|y| *y += down);
    }
    let x_end = px(last_day, 0.0).0 + 14;
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
    use super::spread;

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
