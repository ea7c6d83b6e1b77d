//! Charts a planner can put in a briefing, drawn from a [`Report`] (never from
//! raw trials), as PNG (1600×1000) or SVG.
//!
//! One module per chart; the look (font, sizes, palette, margins) lives in
//! [`theme`]. The font is compiled into the binary and rendered by plotters'
//! `ab_glyph` backend, so no system font library is needed. PNG images are
//! rendered into a memory buffer, encoded with the `png` crate and written whole
//! ([`crate::output::write_atomic`]): a chart file is complete or absent.
//!
//! | file                | chart                                                       |
//! |---------------------|-------------------------------------------------------------|
//! | `force.png`         | distribution of total troops, thresholds, median, 5–95 % band |
//! | `coverage.png`      | P(covered) per domain with 95 % intervals, P(leaderless)     |
//! | `gaps.png`          | gap median, p75, p95 per domain and capability vs the requirement |
//! | `tornado.png`       | nations ranked by their swing on P(all covered)             |
//! | `contributions.png` | mean contribution per nation, stacked by domain             |
//! | `timeline.png`      | P(covered) by day, per domain and overall (with `timeline_days`) |
//! | `pools.png`         | each nation's pool beside its mean deployed × rotation, P(binds) (with pools) |
//! | `sweep-KEY.png`     | `forcesim sweep`: P(covered) against the varied value, or a heat map for two (`sweep-KEY1-KEY2.png`) |
//! | `compare-A-B.png`   | `forcesim compare`: P(covered) per domain, one bar per scenario (named after the scenarios' labels) |
//!
//! ```
//! # let text = "[scenario]\nname = \"Tiny\"\n[capabilities]\ntroops = { unit = \"personnel\" }\n[domains.land]\nrequirements = { troops = 100 }\n[nations.A]\nparticipation = 0.5\ncontributions.land.troops = 150\n";
//! # let model = forcesim::scenario::parse("tiny.toml", text, &[]).unwrap();
//! # let run = forcesim::simulate(&model, &forcesim::RunOptions { trials: 1000, seed: 1, threads: 1, ..Default::default() }).unwrap();
//! use forcesim::charts::{self, Chart, Format};
//! let png = charts::render(Chart::Coverage, &run.report, Format::Png).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! ```

mod contributions;
mod coverage;
mod force;
pub mod format;
pub mod frame;
mod gaps;
pub mod names;
mod pools;
pub mod theme;
mod timeline;
mod tornado;
// What-if charts: drawn from a sweep or a comparison rather than one report.
pub mod compare;
mod render;
pub mod sensitivity;
pub mod sweep;

use std::path::{Path, PathBuf};

use plotters::prelude::DrawingBackend;

use crate::output::{WriteError, write_atomic};
use crate::report::Report;
use frame::{Canvas, DrawResult};

/// The file format of the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// PNG, 1600×1000 pixels: for slides.
    #[default]
    Png,
    /// SVG, 1600×1000 units: for reports and further editing.
    Svg,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// One chart of a run. The file names are part of the command-line contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// `force`: the distribution of total troops, with thresholds, median and 5–95 % band.
    Force,
    /// `coverage`: P(covered) per domain with 95 % intervals, and P(leaderless).
    Coverage,
    /// `gaps`: per domain and capability, the gap's median, p75 and p95 against the requirement.
    Gaps,
    /// `tornado`: the nations whose decision moves P(all covered) most, signed.
    Tornado,
    /// `contributions`: mean contribution per nation, stacked by domain, largest first.
    Contributions,
    /// `timeline`: P(covered) by day, per domain and overall.
    Timeline,
    /// `pools`: each nation's pool beside its mean deployed × rotation (with pools).
    Pools,
}

impl Chart {
    /// Every chart, in the order they are written.
    pub const ALL: [Chart; 7] = [
        Chart::Force,
        Chart::Coverage,
        Chart::Gaps,
        Chart::Tornado,
        Chart::Contributions,
        Chart::Timeline,
        Chart::Pools,
    ];

    /// The file stem: `force`, `coverage`, ….
    pub fn name(self) -> &'static str {
        match self {
            Chart::Force => "force",
            Chart::Coverage => "coverage",
            Chart::Gaps => "gaps",
            Chart::Tornado => "tornado",
            Chart::Contributions => "contributions",
            Chart::Timeline => "timeline",
            Chart::Pools => "pools",
        }
    }

    /// The file name in `format`: `force.png`.
    pub fn file_name(self, format: Format) -> String {
        format!("{}.{}", self.name(), format.extension())
    }

    /// Whether [`write_all`] draws this chart for `report` (the timeline needs
    /// `timeline_days`; every other chart is always drawn).
    pub fn applies_to(self, report: &Report) -> bool {
        match self {
            Chart::Timeline => report.timeline.is_some(),
            Chart::Pools => report.nations.values().any(|n| !n.pools.is_empty()),
            _ => true,
        }
    }
}

/// Why a chart could not be drawn or written. Each variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Drawing failed.
    #[error("cannot draw {file}: {message}")]
    Draw {
        /// The chart's file name.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// PNG encoding failed.
    #[error("cannot encode {file}: {message}")]
    Encode {
        /// The chart's file name.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// The compiled-in font could not be loaded.
    #[error("cannot draw {file}: the compiled-in font could not be loaded")]
    Font {
        /// The chart's file name.
        file: String,
    },
    /// The directory could not be created.
    #[error("cannot write charts to {}: {cause}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// A file could not be written (nothing is left behind).
    #[error("cannot write {}: {cause}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
}

impl From<WriteError> for ChartError {
    fn from(e: WriteError) -> Self {
        ChartError::Write {
            path: e.path,
            cause: e.cause,
        }
    }
}

/// What the command line may change on every chart: the title, a protective
/// marking, and readable names for keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// `--title`: replaces the chart's title.
    pub title: Option<String>,
    /// `--marking`: written at the top and the bottom of every chart
    /// (e.g. "OFFICIAL-SENSITIVE").
    pub marking: Option<String>,
    /// `--label KEY=TEXT`: the name drawn for a dotted key, a scenario or an id.
    pub labels: Vec<(String, String)>,
}

impl Options {
    /// The `--label` given for `key`, if any (the last one given wins).
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// One of a run's charts, drawn from its report.
struct RunChart<'a> {
    chart: Chart,
    report: &'a Report,
    opts: &'a Options,
}

impl render::Drawing for RunChart<'_> {
    fn name(&self) -> String {
        self.chart.name().to_string()
    }
    fn draw<DB: DrawingBackend>(&self, root: &frame::Canvas<DB>) -> frame::DrawResult<(), DB> {
        draw(self.chart, root, self.report, self.opts)
    }
}

/// Renders `chart` of `report` in `format`: the bytes of a PNG or SVG file.
pub fn render(chart: Chart, report: &Report, format: Format) -> Result<Vec<u8>, ChartError> {
    render_with(chart, report, format, &Options::default())
}

/// [`render`] with a title, a marking or labels.
pub fn render_with(
    chart: Chart,
    report: &Report,
    format: Format,
    opts: &Options,
) -> Result<Vec<u8>, ChartError> {
    render::render(
        &RunChart {
            chart,
            report,
            opts,
        },
        format,
    )
}

/// `force.png`: see [`Chart::Force`].
pub fn force(report: &Report, format: Format) -> Result<Vec<u8>, ChartError> {
    render(Chart::Force, report, format)
}

/// `coverage.png`: see [`Chart::Coverage`].
pub fn coverage(report: &Report, format: Format) -> Result<Vec<u8>, ChartError> {
    render(Chart::Coverage, report, format)
}

/// `gaps.png`: see [`Chart::Gaps`].
pub fn gaps(report: &Report, format: Format) -> Result<Vec<u8>, ChartError> {
    render(Chart::Gaps, report, format)
}

/// `tornado.png`: see [`Chart::Tornado`].
pub fn tornado(report: &Report, format: Format) -> Result<Vec<u8>, ChartError> {
    render(Chart::Tornado, report, format)
}

/// `contributions.png`: see [`Chart::Contributions`].
pub fn contributions(report: &Report, format: Format) -> Result<Vec<u8>, ChartError> {
    render(Chart::Contributions, report, format)
}

/// `timeline.png`: see [`Chart::Timeline`]. Without `timeline_days` the chart
/// says so instead of plotting.
pub fn timeline(report: &Report, format: Format) -> Result<Vec<u8>, ChartError> {
    render(Chart::Timeline, report, format)
}

/// Renders every chart that applies to `report` and writes them into `dir`
/// (created if missing). Every chart is rendered before the first file is
/// written, and each file is written whole or not at all; a file that cannot be
/// written does not stop the others, and the first such failure is returned
/// once every file was tried. Returns the paths written, in [`Chart::ALL`] order.
pub fn write_all(report: &Report, dir: &Path, format: Format) -> Result<Vec<PathBuf>, ChartError> {
    write_all_with(report, dir, format, &Options::default())
}

/// [`write_all`] with a title, a marking or labels.
pub fn write_all_with(
    report: &Report,
    dir: &Path,
    format: Format,
    opts: &Options,
) -> Result<Vec<PathBuf>, ChartError> {
    let mut rendered = Vec::new();
    for chart in Chart::ALL {
        if chart.applies_to(report) {
            let bytes = render_with(chart, report, format, opts)?;
            rendered.push((chart.file_name(format), bytes));
        }
    }
    std::fs::create_dir_all(dir).map_err(|cause| ChartError::Dir {
        path: dir.to_path_buf(),
        cause,
    })?;
    let mut written = Vec::with_capacity(rendered.len());
    let mut failed = None;
    for (name, bytes) in rendered {
        let path = dir.join(name);
        match write_atomic(&path, &bytes) {
            Ok(()) => written.push(path),
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
    }
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(written),
    }
}

/// The title of a chart that has no figure to show.
fn plain_title(chart: Chart) -> &'static str {
    match chart {
        Chart::Force => "How big will the force be?",
        Chart::Coverage => "How likely is each domain to be covered?",
        Chart::Gaps => "By how much does each domain fall short?",
        Chart::Tornado => "Swing on P(all covered): an association, not an effect",
        Chart::Contributions => "Who contributes what? Mean contribution per nation, by domain",
        Chart::Timeline => "When is the force in place? P(covered) by day",
        Chart::Pools => "Can each nation hold what it sends? Pool against deployed × rotation",
    }
}

fn draw<DB: DrawingBackend>(
    chart: Chart,
    root: &Canvas<DB>,
    report: &Report,
    opts: &Options,
) -> DrawResult<(), DB> {
    // Trials ran but none mounted the mission: every figure but P(mounted) is
    // undefined, so the charts say so rather than draw invented numbers
    // (coverage.png still shows P(mounted)).
    if (report.is_empty() || report.none_mounted()) && chart != Chart::Coverage {
        let body = frame::frame(root, report, opts, plain_title(chart))?;
        let why = if report.is_empty() {
            "No trial finished: there is no figure to draw."
        } else {
            "No trial mounted the mission: there is no figure for the force."
        };
        return frame::note(root, body, &[why]);
    }
    match chart {
        Chart::Force => force::draw(root, report, opts),
        Chart::Coverage => coverage::draw(root, report, opts),
        Chart::Gaps => gaps::draw(root, report, opts),
        Chart::Tornado => tornado::draw(root, report, opts),
        Chart::Contributions => contributions::draw(root, report, opts),
        Chart::Timeline => timeline::draw(root, report, opts),
        Chart::Pools => pools::draw(root, report, opts),
    }
}
