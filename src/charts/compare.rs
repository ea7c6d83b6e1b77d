//! `compare.png`: the compared scenarios side by side. One group of bars for
//! all domains at once and one per domain; in each group one bar per scenario
//! (coloured in scenario order, the first being the base of every difference),
//! with its 95 % interval as a whisker and its value above. A domain that only
//! some scenarios have gets bars for those only.
//!
//! Figures: `scenarios[].p_all_covered`, `p_all_covered_ci95`,
//! `scenarios[].domains[id].p_covered`, `p_covered_ci95`.

use std::path::{Path, PathBuf};

use plotters::chart::{ChartBuilder, LabelAreaPosition};
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::HPos;
use plotters::style::{Color, RGBColor};

use super::format::{percent, thousands};
use super::frame::{
    Canvas, DrawResult, Font, Mark, Valign, covered_axis, fill_rect, fit, frame_with, house_style,
    legend, line, note, text, width,
};
use super::names::file_stem;
use super::render::{self, Drawing};
use super::{ChartError, Format, Options, theme};
use crate::whatif::compare::Comparison;

/// Width of the y tick label area.
const Y_LABEL_AREA: u32 = 120;
/// Share of a group's width taken by its bars.
const GROUP_FILL: f64 = 0.8;

/// The chart of a comparison.
pub struct CompareChart<'a>(pub &'a Comparison, pub &'a Options);

impl Drawing for CompareChart<'_> {
    fn name(&self) -> String {
        file_name(self.0)
    }
    fn draw<DB: DrawingBackend>(&self, root: &Canvas<DB>) -> DrawResult<(), DB> {
        bars(root, self.0, self.1)
    }
}

/// The file stem of a comparison's chart, after the scenarios compared:
/// `compare-base-variant` (their labels).
pub fn file_name(c: &Comparison) -> String {
    let labels: Vec<&str> = c.scenarios.iter().map(|s| s.label.as_str()).collect();
    file_stem("compare", &labels)
}

/// Renders the chart of a comparison (PNG or SVG bytes).
pub fn render(c: &Comparison, format: Format) -> Result<Vec<u8>, ChartError> {
    render_with(c, format, &Options::default())
}

/// [`render`] with a title, a marking or labels.
pub fn render_with(c: &Comparison, format: Format, opts: &Options) -> Result<Vec<u8>, ChartError> {
    render::render(&CompareChart(c, opts), format)
}

/// Renders the comparison's chart and writes it into `dir` as `compare-A-B.png` (or `.svg`).
pub fn write(c: &Comparison, dir: &Path, format: Format) -> Result<PathBuf, ChartError> {
    write_with(c, dir, format, &Options::default())
}

/// [`write`] with a title, a marking or labels.
pub fn write_with(
    c: &Comparison,
    dir: &Path,
    format: Format,
    opts: &Options,
) -> Result<PathBuf, ChartError> {
    render::write(&CompareChart(c, opts), dir, format)
}

/// One group: a label and, per scenario, P and its interval when it has the figure.
struct Group {
    label: String,
    bars: Vec<Option<(f64, [f64; 2])>>,
}

fn bars<DB: DrawingBackend>(
    root: &Canvas<DB>,
    c: &Comparison,
    opts: &Options,
) -> DrawResult<(), DB> {
    let subtitle = match c.scenarios.first() {
        Some(first) if c.scenarios.iter().all(|s| s.name == first.name) => first.name.clone(),
        _ => format!("{} scenarios", c.scenarios.len()),
    };
    let mut footer = format!(
        "{} trials each · seed {} · common random numbers · the first scenario is the base of every difference",
        thousands(c.trials as f64),
        c.seed
    );
    // The `--set`s every scenario has (a variant's own are in its label).
    if let Some((first, rest)) = c.scenarios.split_first() {
        for o in &first.overrides {
            if rest.iter().all(|s| s.overrides.contains(o)) {
                footer.push_str(" · --set ");
                footer.push_str(o);
            }
        }
    }
    let body = frame_with(root, opts, "P(covered) by scenario", &subtitle, &footer)?;
    if c.scenarios.is_empty() {
        return note(root, body, &["Nothing to compare."]);
    }
    let groups = groups(c, opts);
    let colors: Vec<RGBColor> = (0..c.scenarios.len()).map(theme::series).collect();
    let used = legend(root, body, &legend_items(c, &colors, opts))?;
    let plot = body.below(used + 10);

    let ng = groups.len() as f64;
    let area = plot.area(root);
    let mut chart = ChartBuilder::on(&area)
        .margin_top(40)
        .margin_right(20)
        .x_label_area_size(theme::X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(0.0..ng, 0.0..100.0)?;
    let no_label = |_: &f64| String::new();
    let mut mesh = chart.configure_mesh();
    house_style(covered_axis(&mut mesh))
        .disable_x_mesh()
        .x_labels(2)
        .x_label_formatter(&no_label)
        .set_tick_mark_size(LabelAreaPosition::Bottom, 0);
    mesh.draw()?;

    let px = |x: f64, p: f64| chart.backend_coord(&(x, p.clamp(0.0, 1.0) * 100.0));
    let group_px = (px(1.0, 0.0).0 - px(0.0, 0.0).0).max(1);
    let layout = Layout {
        px: &px,
        group_px,
        bar_w: ((group_px as f64 * GROUP_FILL) / c.scenarios.len() as f64).max(1.0),
        colors: &colors,
    };
    let name_font = Font::new(theme::LABEL_SIZE).h(HPos::Center).v(Valign::Top);
    let y_base = px(0.0, 0.0).1;
    for (g, group) in groups.iter().enumerate() {
        layout.group(root, g, group)?;
        let xc = px(g as f64 + 0.5, 0.0).0;
        text(
            root,
            &fit(root, &group.label, name_font, group_px - 8),
            (xc, y_base + 14),
            if g == 0 { name_font.bold() } else { name_font },
        )?;
    }
    Ok(())
}

/// "All domains", then every domain of any scenario, in order of appearance.
fn groups(c: &Comparison, opts: &Options) -> Vec<Group> {
    let mut groups = vec![Group {
        label: "All domains".into(),
        bars: c
            .scenarios
            .iter()
            .map(|s| Some((s.figures.p_all_covered, s.figures.p_all_covered_ci95)))
            .collect(),
    }];
    let mut ids: Vec<&String> = Vec::new();
    for s in &c.scenarios {
        for id in s.figures.domains.keys() {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    for id in ids {
        groups.push(Group {
            label: opts.domain_name(id),
            bars: c
                .scenarios
                .iter()
                .map(|s| {
                    s.figures
                        .domains
                        .get(id)
                        .map(|d| (d.p_covered, d.p_covered_ci95))
                })
                .collect(),
        });
    }
    groups
}

fn legend_items(c: &Comparison, colors: &[RGBColor], opts: &Options) -> Vec<(Mark, String)> {
    let mut items: Vec<(Mark, String)> = c
        .scenarios
        .iter()
        .zip(colors)
        .enumerate()
        .map(|(i, (s, col))| {
            let label = opts.label(&s.label).unwrap_or(&s.label);
            let l = if i == 0 {
                format!("{label} (base)")
            } else {
                label.to_string()
            };
            (Mark::Box(*col), l)
        })
        .collect();
    items.push((Mark::Whisker(theme::BLACK), "95 % interval".to_string()));
    items
}

/// Where the bars go.
struct Layout<'c> {
    /// The pixel of (group position, P).
    px: &'c dyn Fn(f64, f64) -> (i32, i32),
    /// Width of a group.
    group_px: i32,
    /// Width of a bar.
    bar_w: f64,
    /// One colour per scenario.
    colors: &'c [RGBColor],
}

impl Layout<'_> {
    /// Group `g`'s bars, whiskers and values.
    fn group<DB: DrawingBackend>(
        &self,
        root: &Canvas<DB>,
        g: usize,
        group: &Group,
    ) -> DrawResult<(), DB> {
        let (px, bar_w) = (self.px, self.bar_w);
        let y_base = px(0.0, 0.0).1;
        let value_font = Font::new(if bar_w >= 56.0 {
            theme::SMALL_SIZE
        } else {
            theme::SMALL_SIZE * 0.8
        })
        .h(HPos::Center);
        let x_start = px(g as f64, 0.0).0 as f64 + self.group_px as f64 * (1.0 - GROUP_FILL) / 2.0;
        for (k, bar) in group.bars.iter().enumerate() {
            let Some((p, ci)) = bar else { continue };
            let x0 = (x_start + k as f64 * bar_w).round() as i32;
            let x1 = (x_start + (k + 1) as f64 * bar_w).round() as i32 - 2;
            let y = px(0.0, *p).1;
            if y < y_base {
                fill_rect(root, (x0, y), (x1.max(x0 + 1), y_base), self.colors[k])?;
            }
            let xc = (x0 + x1) / 2;
            let (ylo, yhi) = (px(0.0, ci[0]).1, px(0.0, ci[1]).1);
            let st = theme::BLACK.stroke_width(2);
            let cap = ((x1 - x0) / 4).clamp(2, 10);
            line(root, (xc, ylo), (xc, yhi), st)?;
            line(root, (xc - cap, ylo), (xc + cap, ylo), st)?;
            line(root, (xc - cap, yhi), (xc + cap, yhi), st)?;
            if bar_w >= 40.0 {
                let label = percent(*p);
                if width(root, &label, value_font) <= (bar_w as i32) + 8 {
                    text(root, &label, (xc, yhi.min(y) - 16), value_font)?;
                }
            }
        }
        Ok(())
    }
}
