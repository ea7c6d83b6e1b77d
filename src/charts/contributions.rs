//! `contributions.png`: who contributes what. One panel per capability (troops,
//! aircraft, ships… each in its own unit); in each, the nations ranked by their
//! mean contribution, largest first, as horizontal bars stacked by domain. When
//! a panel cannot list every nation legibly, the smallest are summed in a last
//! "other nations" bar, so that every bar still adds up.
//!
//! Figures: per nation `mean_provided_by_domain[domain][capability]` (segments)
//! and `mean_provided[capability]` (bar totals): the mean over all trials,
//! counting 0 in the trials where the nation stays out.

use plotters::chart::ChartBuilder;
use plotters::prelude::DrawingBackend;
use plotters::style::Color;
use plotters::style::text_anchor::HPos;

use super::format::{count_axis_top, count_ticks, number, thousands};
use super::frame::{
    Canvas, DrawResult, Font, Mark, Rect, Valign, fill_rect, fit, frame, legend, note, text, width,
};
use super::theme;
use crate::report::Report;

/// Most panels drawn (capabilities beyond are named in a remark).
const MAX_PANELS: usize = 5;
/// Thinnest a bar row may be, in pixels.
const MIN_ROW: f64 = 27.0;
/// Thickest a bar row may be, in pixels.
const MAX_ROW: f64 = 64.0;
/// Space between panels.
const PANEL_GAP: i32 = 40;

/// One bar: a nation (or the sum of the smallest) and its segments per domain.
struct Bar {
    label: String,
    segments: Vec<f64>,
    total: f64,
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
        "Who contributes what? Mean contribution per nation, by domain",
    )?;
    let domains: Vec<&str> = report.domains.keys().map(String::as_str).collect();
    let caps = contributed(report);
    if caps.is_empty() {
        let why = if report.nations.is_empty() {
            "The scenario has no nation."
        } else {
            "No nation contributed anything in any trial."
        };
        return note(root, body, &[why]);
    }
    let items: Vec<(Mark, String)> = report
        .domains
        .values()
        .enumerate()
        .map(|(i, d)| (Mark::Box(theme::series(i)), d.name.clone()))
        .collect();
    let used = legend(root, body, &items)?;
    let plot = remark(root, body.below(used), &caps)?;
    panels(root, plot, report, &caps, &domains)
}

/// Capabilities that some nation contributes on average.
fn contributed(report: &Report) -> Vec<&str> {
    report
        .capabilities
        .keys()
        .map(String::as_str)
        .filter(|c| {
            report
                .nations
                .values()
                .any(|n| n.mean_provided.get(*c).is_some_and(|v| *v > 0.0))
        })
        .collect()
}

/// The remark under the legend (what the means are, what is not shown); returns
/// the rectangle left below it.
fn remark<DB: DrawingBackend>(
    root: &Canvas<DB>,
    plot: Rect,
    caps: &[&str],
) -> DrawResult<Rect, DB> {
    let small = Font::new(theme::SMALL_SIZE).color(theme::MUTED);
    let mut remark = "mean over all trials, counting 0 when a nation stays out".to_string();
    if caps.len() > MAX_PANELS {
        remark.push_str(&format!(" · not shown: {}", caps[MAX_PANELS..].join(", ")));
    }
    text(
        root,
        &fit(root, &remark, small, plot.width()),
        (plot.x0, plot.y0 + 10),
        small,
    )?;
    Ok(plot.below(34))
}

/// The panels: the main capability (the one of force.png) gets a full-height panel
/// on the left; the others share the right part: one or two stacked, three or
/// four in a 2×2 grid (the third spanning both columns when there are three).
fn panels<DB: DrawingBackend>(
    root: &Canvas<DB>,
    plot: Rect,
    report: &Report,
    caps: &[&str],
    domains: &[&str],
) -> DrawResult<(), DB> {
    let main = super::force::pick(report)
        .map(|(id, _)| id)
        .filter(|id| caps.contains(id))
        .unwrap_or(caps[0]);
    let mut shown: Vec<&str> = vec![main];
    shown.extend(caps.iter().copied().filter(|c| *c != main));
    shown.truncate(MAX_PANELS);
    let others = &shown[1..];
    let titled = !others.is_empty();
    let left_share = if others.len() >= 3 { 0.4 } else { 0.5 };
    let left_w = ((plot.width() - PANEL_GAP) as f64 * left_share) as i32;
    let left = if titled {
        Rect {
            x1: plot.x0 + left_w,
            ..plot
        }
    } else {
        plot
    };
    panel(root, left, report, main, domains, titled)?;
    let right = Rect {
        x0: plot.x0 + left_w + PANEL_GAP,
        ..plot
    };
    for (cap, rect) in others.iter().zip(cells(right, others.len())) {
        panel(root, rect, report, cap, domains, true)?;
    }
    Ok(())
}

/// The rectangles of `k` panels in `area` (see [`draw`]).
fn cells(area: Rect, k: usize) -> Vec<Rect> {
    let (cols, rows) = if k <= 2 { (1, k as i32) } else { (2, 2) };
    let w = (area.width() - PANEL_GAP * (cols - 1)) / cols;
    let h = (area.height() - PANEL_GAP * (rows - 1)) / rows.max(1);
    (0..k as i32)
        .map(|i| {
            let (c, r) = (i % cols, i / cols);
            let x0 = area.x0 + c * (w + PANEL_GAP);
            let y0 = area.y0 + r * (h + PANEL_GAP);
            // With three panels the third spans both columns.
            let x1 = if k == 3 && i == 2 { area.x1 } else { x0 + w };
            Rect {
                x0,
                y0,
                x1,
                y1: y0 + h,
            }
        })
        .collect()
}

/// How a panel is drawn.
struct Panel {
    name: String,
    unit: String,
    titled: bool,
    /// Height of the x label area.
    x_area: u32,
    /// Height of the plot (without the x label area).
    plot_h: f64,
    font_size: f64,
}

/// One capability's panel.
fn panel<DB: DrawingBackend>(
    root: &Canvas<DB>,
    rect: Rect,
    report: &Report,
    cap: &str,
    domains: &[&str],
    titled: bool,
) -> DrawResult<(), DB> {
    let (name, unit) = match report.capabilities.get(cap) {
        Some(c) => (c.name.clone(), c.unit.clone()),
        None => (cap.to_string(), String::new()),
    };
    let unit = if unit.is_empty() { name.clone() } else { unit };
    let mut bars = bars(report, cap, domains);
    let mut top = rect;
    let head = Font::new(theme::LABEL_SIZE).bold();
    if titled {
        text(
            root,
            &fit(root, &format!("{name} ({unit})"), head, rect.width()),
            (rect.x0, rect.y0 + 14),
            head,
        )?;
        top = rect.below(34);
    }
    let x_area = if titled { 52 } else { theme::X_LABEL_AREA };
    let plot_h = (top.height() - x_area as i32) as f64;
    let min_row = if titled { MIN_ROW - 3.0 } else { MIN_ROW };
    let fit_rows = ((plot_h / min_row).floor() as usize).max(2);
    lump(&mut bars, fit_rows, domains.len());
    let font_size = if titled {
        theme::SMALL_SIZE
    } else {
        theme::LABEL_SIZE
    };
    let p = Panel {
        name,
        unit,
        titled,
        x_area,
        plot_h,
        font_size,
    };
    panel_chart(root, top, &p, &bars)
}

/// Every nation's bar for `cap`, largest first (nations without a contribution left out).
fn bars(report: &Report, cap: &str, domains: &[&str]) -> Vec<Bar> {
    let mut bars: Vec<Bar> = report
        .nations
        .iter()
        .map(|(id, n)| {
            let segments: Vec<f64> = domains
                .iter()
                .map(|d| {
                    n.mean_provided_by_domain
                        .get(*d)
                        .and_then(|m| m.get(cap))
                        .copied()
                        .filter(|v| v.is_finite() && *v > 0.0)
                        .unwrap_or(0.0)
                })
                .collect();
            Bar {
                label: if n.name.is_empty() {
                    id.clone()
                } else {
                    n.name.clone()
                },
                total: segments.iter().sum(),
                segments,
            }
        })
        .filter(|b| b.total > 0.0)
        .collect();
    bars.sort_by(|a, b| b.total.total_cmp(&a.total));
    bars
}

/// Keeps at most `fit_rows` bars: the smallest are summed into "N other nations".
fn lump(bars: &mut Vec<Bar>, fit_rows: usize, domains: usize) {
    if bars.len() <= fit_rows {
        return;
    }
    let rest = bars.split_off(fit_rows - 1);
    let mut segments = vec![0.0; domains];
    for b in &rest {
        for (s, v) in segments.iter_mut().zip(&b.segments) {
            *s += v;
        }
    }
    bars.push(Bar {
        label: format!("{} other nations", rest.len()),
        total: segments.iter().sum(),
        segments,
    });
}

/// The panel's axes and bars, below its title.
fn panel_chart<DB: DrawingBackend>(
    root: &Canvas<DB>,
    top: Rect,
    p: &Panel,
    bars: &[Bar],
) -> DrawResult<(), DB> {
    let name_font = Font::new(p.font_size);
    let name_w = bars
        .iter()
        .map(|b| width(root, &b.label, name_font))
        .max()
        .unwrap_or(0)
        .min((top.width() as f64 * 0.4) as i32);
    let chart_rect = Rect {
        x0: top.x0 + name_w + 16,
        ..top
    };
    let max = count_axis_top(bars.iter().map(|b| b.total).fold(0.0, f64::max));
    let value_font = Font::new(p.font_size).bold();
    let max_label = bars
        .iter()
        .map(|b| width(root, &number(b.total), value_font))
        .max()
        .unwrap_or(0);
    let n = bars.len() as f64;
    let used_h = (MAX_ROW * n).min(p.plot_h);
    let spare = ((p.plot_h - used_h) / p.plot_h).clamp(0.0, 0.9);
    let y_lo = -n * spare / (1.0 - spare);
    let area = chart_rect.area(root);
    let mut chart = ChartBuilder::on(&area)
        .margin_right((max_label + 24) as u32)
        .x_label_area_size(p.x_area)
        .build_cartesian_2d(0.0..max * 1.04, y_lo..n)?;
    let x_fmt = |v: &f64| thousands(*v);
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh()
        .x_labels(count_ticks(0.0, max * 1.04, if p.titled { 5 } else { 7 }))
        .max_light_lines(0)
        .x_label_formatter(&x_fmt)
        .label_style(Font::new(p.font_size).style())
        .bold_line_style(theme::GRID)
        .axis_style(theme::AXIS.stroke_width(2));
    if !p.titled {
        mesh.axis_desc_style(Font::new(theme::AXIS_DESC_SIZE).style())
            .x_desc(if p.name.eq_ignore_ascii_case(&p.unit) {
                format!("{}, mean per trial", p.name)
            } else {
                format!("{} ({}), mean per trial", p.name, p.unit)
            });
    }
    mesh.draw()?;
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    let rows = Rows {
        px: &px,
        name_x: chart_rect.x0 - 16,
        name_w,
        font_size: p.font_size,
    };
    rows.draw(root, bars)
}

/// The bars of a panel, on its chart's coordinates.
struct Rows<'c> {
    px: &'c dyn Fn(f64, f64) -> (i32, i32),
    name_x: i32,
    name_w: i32,
    font_size: f64,
}

impl Rows<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Canvas<DB>, bars: &[Bar]) -> DrawResult<(), DB> {
        let px = self.px;
        let (name_font, value_font) = (Font::new(self.font_size), Font::new(self.font_size).bold());
        let n = bars.len() as f64;
        let row_px = (px(0.0, 0.0).1 - px(0.0, 1.0).1).max(1);
        let bar_h = ((row_px as f64) * 0.7).clamp(6.0, 44.0) as i32;
        for (i, b) in bars.iter().enumerate() {
            let yc = n - i as f64 - 0.5;
            let y = px(0.0, yc).1;
            let other = i + 1 == bars.len() && b.label.ends_with("other nations");
            let f = if other {
                name_font.color(theme::MUTED)
            } else {
                name_font
            };
            text(
                root,
                &fit(root, &b.label, f, self.name_w),
                (self.name_x, y),
                f.h(HPos::Right).v(Valign::Middle),
            )?;
            self.segments(root, b, (yc, y), bar_h)?;
            text(
                root,
                &number(b.total),
                (px(b.total, yc).0 + theme::LABEL_GAP, y),
                value_font,
            )?;
        }
        Ok(())
    }

    /// A bar's segments, one per domain, left to right.
    fn segments<DB: DrawingBackend>(
        &self,
        root: &Canvas<DB>,
        b: &Bar,
        (yc, y): (f64, i32),
        bar_h: i32,
    ) -> DrawResult<(), DB> {
        let px = self.px;
        let mut acc = 0.0;
        for (d, v) in b.segments.iter().enumerate() {
            if *v <= 0.0 {
                continue;
            }
            let (x0, x1) = (px(acc, yc).0, px(acc + v, yc).0);
            // At least one pixel, so that a small contributor still shows.
            let x1 = x1.max(x0 + 1);
            // A thin white seam where a segment follows another.
            let seam = i32::from(acc > 0.0 && x1 - x0 >= 4);
            acc += v;
            fill_rect(
                root,
                (x0 + seam, y - bar_h / 2),
                (x1, y + bar_h / 2),
                theme::series(d),
            )?;
        }
        Ok(())
    }
}
