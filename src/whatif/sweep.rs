//! Sweeps (`"format": "forcesim-sweep/1"`): the key figures at every point of a
//! grid of one or two varied values.
//!
//! Each point is the scenario with one extra `--set KEY=VALUE` per axis, parsed and
//! validated like any override, then run with the same seed and trial count as
//! every other point. The streams depend only on (seed, block, entity id), so all
//! points share their random numbers: an entity the axis does not touch draws the
//! same values at every point, and differences between points are differences of
//! the scenario, not of sampling. A point's report is byte-identical (but for
//! `engine`) to `forcesim run` with the same overrides.

use std::fmt::Write;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::{KeyFigures, Source};
use crate::engine::EngineError;
use crate::model::Model;
use crate::present::{NOT_FINITE, pct, pp};
use crate::report::Report;
use crate::report::csv::{Origin, Tidy};
use crate::scenario::{Diagnostics, parse_bytes};
use crate::{RunOptions, simulate};

/// The sweep format tag.
pub const FORMAT: &str = "forcesim-sweep/1";
/// Most points in one sweep (all axes together).
pub const MAX_POINTS: usize = 1000;
/// Most axes in one sweep.
pub const MAX_AXES: usize = 2;

/// One varied value: a dotted key and the values it takes, as TOML literals.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Dotted key (`domains.land.requirements.troops`).
    pub key: String,
    /// The values, as TOML literals (`20000`, `0.35`, `{ pert = [1, 2, 3] }`).
    pub values: Vec<String>,
}

/// Splits `s` at `sep` outside brackets, braces and quotes.
pub fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, ch) in s.char_indices() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None => match ch {
                '"' | '\'' => quote = Some(ch),
                '[' | '{' => depth += 1,
                ']' | '}' => depth -= 1,
                c if c == sep && depth == 0 => {
                    out.push(&s[start..i]);
                    start = i + ch.len_utf8();
                }
                _ => {}
            },
        }
    }
    out.push(&s[start..]);
    out
}

/// Digits after the decimal point of a decimal literal, its exponent counted
/// (`0.25` and `2.5e-1`: 2; `1e3`: 0).
fn decimals(s: &str) -> usize {
    let mut parts = s.split(['e', 'E']);
    let mantissa = parts.next().unwrap_or(s);
    let exponent: i64 = parts.next().and_then(|e| e.parse().ok()).unwrap_or(0);
    let frac = mantissa.split('.').nth(1).unwrap_or("");
    let digits = frac.chars().filter(char::is_ascii_digit).count() as i64;
    (digits - exponent).clamp(0, 400) as usize
}

/// A decimal number rendered with `d` decimals, trailing zeros trimmed (but kept a float).
fn render_float(x: f64, d: usize) -> String {
    let mut s = format!("{x:.d$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.push('0');
        }
    } else {
        s.push_str(".0");
    }
    if s == "-0.0" { "0.0".into() } else { s }
}

fn too_many(n: f64) -> String {
    format!(
        "{} values; a sweep has at most {MAX_POINTS} points in all: take a larger STEP or a narrower range",
        crate::math::brief(n)
    )
}

impl Axis {
    /// Reads `KEY=START:END:STEP` (END included when the steps reach it),
    /// `KEY=V1,V2,…` (TOML values) or `KEY=VALUE`.
    ///
    /// When START, END and STEP are all integers the values are integers, so that
    /// they can set whole-number keys; otherwise they are decimals rendered with
    /// as many decimals as the bounds were written with (`0.1:0.5:0.1` gives
    /// `0.1, 0.2, 0.3, 0.4, 0.5`, not `0.30000000000000004`).
    pub fn parse(spec: &str) -> Result<Axis, String> {
        let usage = "write --vary KEY=START:END:STEP (e.g. domains.land.requirements.troops=10000:30000:5000) or KEY=V1,V2,… (e.g. nations.ESP.participation=0,0.5,1)";
        let Some((key, rhs)) = spec.split_once('=') else {
            return Err(format!("`{spec}` has no `=`: {usage}"));
        };
        let key = key.trim();
        let rhs = rhs.trim();
        if key.is_empty() || rhs.is_empty() {
            return Err(format!("`{spec}` needs a key and values: {usage}"));
        }
        super::check_varied_key(key, "--vary")?;
        let range = split_top(rhs, ':');
        let values = if range.len() > 1 && !rhs.starts_with(['{', '[', '"', '\'']) {
            let [start, end, step] = range[..] else {
                return Err(format!(
                    "`{rhs}` is not START:END:STEP (three numbers): {usage}"
                ));
            };
            let (start, end, step) = (start.trim(), end.trim(), step.trim());
            Self::range(start, end, step).map_err(|e| format!("--vary {key}={rhs}: {e}"))?
        } else {
            let list: Vec<String> = split_top(rhs, ',')
                .into_iter()
                .map(|v| v.trim().to_string())
                .collect();
            if list.iter().any(String::is_empty) {
                return Err(format!("`{rhs}` has an empty value: {usage}"));
            }
            if list.len() > MAX_POINTS {
                return Err(format!("--vary {key}: {}", too_many(list.len() as f64)));
            }
            list
        };
        Ok(Axis {
            key: key.to_string(),
            values,
        })
    }

    fn range(start: &str, end: &str, step: &str) -> Result<Vec<String>, String> {
        let int = |s: &str| s.replace('_', "").parse::<i64>().ok();
        if let (Some(a), Some(b), Some(d)) = (int(start), int(end), int(step)) {
            if d == 0 {
                return Err("STEP must not be 0".into());
            }
            let span = i128::from(b) - i128::from(a);
            if span != 0 && (span > 0) != (d > 0) {
                return Err(format!(
                    "STEP {d} does not lead from {a} to {b}: use a {} step",
                    if span > 0 { "positive" } else { "negative" }
                ));
            }
            let n = span / i128::from(d) + 1;
            if n > MAX_POINTS as i128 {
                return Err(too_many(n as f64));
            }
            return Ok((0..n)
                .map(|i| (i128::from(a) + i * i128::from(d)).to_string())
                .collect());
        }
        let num = |s: &str| -> Result<f64, String> {
            match s.replace('_', "").parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(format!("`{s}` is not a number")),
            }
        };
        let (a, b, d) = (num(start)?, num(end)?, num(step)?);
        if d == 0.0 {
            return Err("STEP must not be 0".into());
        }
        let steps = (b - a) / d;
        if steps < -1e-9 {
            return Err(format!(
                "STEP {step} does not lead from {start} to {end}: use a {} step",
                if b > a { "positive" } else { "negative" }
            ));
        }
        let n = (steps + 1e-9).floor() + 1.0;
        if n > MAX_POINTS as f64 {
            return Err(too_many(n));
        }
        let dec = decimals(start).max(decimals(end)).max(decimals(step));
        // Values with more digits than an `f64` holds (`1e299`, `1e-30`) in the
        // shortest form that reads back, not hundreds of digits.
        let shortest = dec > 15 || a.abs().max(b.abs()) >= 1e15;
        Ok((0..n as u64)
            .map(|i| a + i as f64 * d)
            .map(|x| {
                if shortest {
                    format!("{x:?}")
                } else {
                    render_float(x, dec)
                }
            })
            .collect())
    }

    /// The override for value `i`.
    pub fn set(&self, i: usize) -> String {
        format!("{}={}", self.key, self.values[i])
    }
}

/// A TOML literal as JSON: integers and floats become numbers, anything else its text.
pub fn literal_json(s: &str) -> Json {
    let clean = s.replace('_', "");
    if let Ok(i) = clean.parse::<i64>() {
        return Json::from(i);
    }
    match clean.parse::<f64>() {
        Ok(x) if x.is_finite() => return Json::from(x),
        _ => {}
    }
    match toml::de::DeValue::parse(s).map(|v| v.into_inner()) {
        Ok(toml::de::DeValue::String(t)) => Json::from(t.to_string()),
        Ok(toml::de::DeValue::Boolean(b)) => Json::from(b),
        _ => Json::from(s),
    }
}

/// One point of the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Index of each axis's value.
    pub at: Vec<usize>,
    /// The overrides that make it (`KEY=VALUE`, one per axis).
    pub set: Vec<String>,
}

/// Every point of the grid, the first axis varying slowest.
pub fn points(axes: &[Axis]) -> Result<Vec<Point>, String> {
    if axes.is_empty() {
        return Err("give at least one --vary KEY=START:END:STEP".into());
    }
    if axes.len() > MAX_AXES {
        return Err(format!(
            "at most {MAX_AXES} --vary axes (a table or a decision table); run one sweep per pair"
        ));
    }
    for (i, a) in axes.iter().enumerate() {
        if axes[..i].iter().any(|b| b.key == a.key) {
            return Err(format!("`{}` is varied twice", a.key));
        }
    }
    let total: u128 = axes.iter().map(|a| a.values.len() as u128).product();
    if total > MAX_POINTS as u128 {
        let dims: Vec<String> = axes.iter().map(|a| a.values.len().to_string()).collect();
        return Err(format!(
            "the sweep has {total} points ({}); at most {MAX_POINTS}: take larger steps or narrower ranges",
            dims.join(" × ")
        ));
    }
    let mut out = vec![Point {
        at: vec![],
        set: vec![],
    }];
    for a in axes {
        out = out
            .into_iter()
            .flat_map(|p| {
                (0..a.values.len()).map(move |i| {
                    let mut q = p.clone();
                    q.at.push(i);
                    q.set.push(a.set(i));
                    q
                })
            })
            .collect();
    }
    Ok(out)
}

/// A point whose scenario is invalid.
#[derive(Debug)]
pub struct PointError {
    /// 1-based point number.
    pub number: usize,
    /// Its overrides.
    pub set: Vec<String>,
    /// What is wrong.
    pub diagnostics: Box<Diagnostics>,
}

impl std::fmt::Display for PointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "sweep point {} ({}) is not a valid scenario:",
            self.number,
            self.set.join(", ")
        )?;
        write!(f, "{}", self.diagnostics)
    }
}

/// Builds every point's model: the scenario text with `base` overrides, then the
/// point's. Every point is validated before anything runs; all failures are returned.
pub fn prepare(
    origin: &str,
    bytes: &[u8],
    base: &[String],
    points: &[Point],
) -> Result<Vec<Model>, Vec<PointError>> {
    let mut models = Vec::with_capacity(points.len());
    let mut errors = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let mut set = base.to_vec();
        set.extend(p.set.iter().cloned());
        match parse_bytes(origin, bytes, &set) {
            Ok(m) => models.push(m),
            Err(d) => errors.push(PointError {
                number: i + 1,
                set: p.set.clone(),
                diagnostics: Box::new(d),
            }),
        }
    }
    if errors.is_empty() {
        Ok(models)
    } else {
        Err(errors)
    }
}

/// An axis as recorded in the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AxisOut {
    /// Dotted key.
    pub key: String,
    /// Its values (numbers where they are numbers).
    pub values: Vec<Json>,
}

/// One point's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// The value of each axis at this point.
    pub values: Vec<Json>,
    /// The overrides that make it.
    pub set: Vec<String>,
    /// Its key figures.
    #[serde(flatten)]
    pub figures: KeyFigures,
    /// Its differences from the base scenario (no `--vary` value), with paired
    /// 95 % intervals where the pairing covers the figure; empty with `--unpaired`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vs_base: Vec<Delta>,
}

/// A point's difference from the base scenario in one figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    /// Dotted path of the figure (`domains.land.p_covered`).
    pub figure: String,
    /// The point's value minus the base's.
    pub difference: f64,
    /// Its 95 % interval (paired where the pairing covers the figure, else
    /// Newcombe or Welch); null for medians.
    pub ci95: Option<[f64; 2]>,
}

/// A whole sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// `forcesim-sweep/1`.
    pub format: String,
    /// The scenario and the overrides common to every point.
    pub scenario: Source,
    /// Trials per point.
    pub trials: u64,
    /// The trials asked for, where a stop cut a paired sweep short (`trials` is
    /// then what every point covers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trials_asked: Option<u64>,
    /// Seed of every point.
    pub seed: u64,
    /// The varied keys, first varying slowest.
    pub axes: Vec<AxisOut>,
    /// The base scenario's key figures (no `--vary` value), run on the same trials;
    /// absent with `--unpaired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<KeyFigures>,
    /// Every point, the first axis varying slowest.
    pub points: Vec<SweepPoint>,
    /// Every point's full report, in the same order (not serialised).
    #[serde(skip)]
    pub reports: Vec<Report>,
}

/// A point's record from its report.
fn point(p: &Point, axes: &[Axis], (report, gated): (&Report, bool)) -> SweepPoint {
    SweepPoint {
        values: p
            .at
            .iter()
            .zip(axes)
            .map(|(&k, a)| literal_json(&a.values[k]))
            .collect(),
        set: p.set.clone(),
        figures: KeyFigures::among(report, gated),
        vs_base: Vec::new(),
    }
}

/// A sweep without points yet.
fn empty(base: &Model, axes: &[Axis], opts: &RunOptions<'_>) -> Sweep {
    Sweep {
        format: FORMAT.into(),
        scenario: Source::of(base),
        trials: opts.trials,
        trials_asked: None,
        seed: opts.seed,
        axes: axes
            .iter()
            .map(|a| AxisOut {
                key: a.key.clone(),
                values: a.values.iter().map(|v| literal_json(v)).collect(),
            })
            .collect(),
        base: None,
        points: Vec::new(),
        reports: Vec::new(),
    }
}

/// Runs every point's model with the same seed and trial count, one after
/// another (`--unpaired`). `on_point` is called after each point with the number
/// of points done.
pub fn run(
    base: &Model,
    axes: &[Axis],
    points: &[Point],
    models: &[Model],
    opts: &RunOptions<'_>,
    on_point: &dyn Fn(usize),
) -> Result<Sweep, EngineError> {
    let mut out = empty(base, axes, opts);
    let gated = models.iter().any(|m| !m.mission.is_empty());
    for (i, (p, m)) in points.iter().zip(models).enumerate() {
        let run = simulate(m, opts)?;
        out.points.push(point(p, axes, (&run.report, gated)));
        out.reports.push(run.report);
        on_point(i + 1);
    }
    Ok(out)
}

/// Runs the base scenario and every point on the same trials, block by block,
/// and adds to each point its differences from the base with paired intervals.
/// Every point's figures are those of [`run`]. Returns the sweep and whether a
/// stop request cut it short.
///
/// Every point of a pass runs on the same trials at once, so memory grows with
/// the points times the size of the scenario: where they would take more than
/// about 1 GB together ([`super::chunks`]), the points run a chunk at a time,
/// in chunks as even as can be, each chunk with the base, over every trial
/// ([`run_paired_chunked`]), with the same figures.
pub fn run_paired(
    base: &Model,
    axes: &[Axis],
    points: &[Point],
    models: Vec<Model>,
    opts: &RunOptions<'_>,
) -> Result<(Sweep, bool), EngineError> {
    // Besides its share of the pass, a point holds its model (every point is
    // parsed before anything runs) and its report to the end: about two
    // settings of `sensitivity` (2.7 KB a unit and point, measured on 200
    // nations, where a setting takes 2 KB).
    let per_chunk = super::chunks::per_chunk(base, 2, opts.threads);
    let per_chunk = super::chunks::even(points.len(), per_chunk);
    run_paired_chunked(base, axes, points, models, opts, per_chunk)
}

/// [`run_paired`] `per_chunk` points at a time, each chunk in one pass with the
/// base over every trial: the same sweep whatever `per_chunk`. A stop in a pass
/// of the only chunk keeps every point over the same whole blocks of trials; with
/// several chunks it ends the sweep with the chunks finished, every point of
/// them over every trial, the points of the others left out (none, and no base,
/// when the first chunk did not finish).
pub fn run_paired_chunked(
    base: &Model,
    axes: &[Axis],
    points: &[Point],
    models: Vec<Model>,
    opts: &RunOptions<'_>,
    per_chunk: usize,
) -> Result<(Sweep, bool), EngineError> {
    let per_chunk = per_chunk.max(1);
    let among = super::compare::Among::with_base(base, &models);
    let chunks = points.len().div_ceil(per_chunk).max(1);
    let mut out = empty(base, axes, opts);
    let mut models = models.into_iter();
    for k in 0..chunks {
        let first = k * per_chunk;
        let end = (first + per_chunk).min(points.len());
        // Progress over every chunk: `done` trials of this one.
        let offset = k as u64 * opts.trials;
        let progress = |done: u64| {
            if let Some(p) = opts.progress {
                p((offset + done) / chunks as u64);
            }
        };
        let o = RunOptions {
            progress: Some(&progress),
            ..*opts
        };
        // The base first, then the points: each model held once.
        let labels: Vec<String> = std::iter::once("base".to_string())
            .chain((first + 1..=end).map(|i| format!("point {i}")))
            .collect();
        let chunk: Vec<Model> = std::iter::once(base.clone())
            .chain(models.by_ref().take(end - first))
            .collect();
        let paired = super::compare::run_paired_among(&labels, &chunk, &o, among)?;
        let interrupted = paired.interrupted;
        if interrupted && chunks > 1 {
            if k == 0 {
                out.trials = 0;
                out.trials_asked = Some(opts.trials);
            }
            return Ok((out, true));
        }
        add_chunk(&mut out, &points[first..end], axes, (paired, among.gated));
        if interrupted {
            return Ok((out, true));
        }
    }
    Ok((out, false))
}

/// Adds the points of a chunk's pass (the base its first column) to `out`, and
/// the base and the trials where `out` has none yet.
fn add_chunk(
    out: &mut Sweep,
    points: &[Point],
    axes: &[Axis],
    (paired, gated): (super::compare::Paired, bool),
) {
    let mut reports = paired.reports.into_iter();
    let base = reports.next().map(|r| KeyFigures::among(&r, gated));
    if out.base.is_none() {
        out.trials = paired.comparison.trials;
        out.trials_asked = paired.comparison.trials_asked;
        out.base = base;
    }
    let labels: Vec<&str> = paired
        .comparison
        .scenarios
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    for ((p, r), label) in points.iter().zip(reports).zip(labels.iter().skip(1)) {
        let mut sp = point(p, axes, (&r, gated));
        sp.vs_base = paired
            .comparison
            .differences
            .iter()
            .filter(|d| d.of == *label)
            .map(|d| Delta {
                figure: d.figure.clone(),
                difference: d.difference,
                ci95: d.ci95,
            })
            .collect();
        out.points.push(sp);
        out.reports.push(r);
    }
}

fn show(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn ci(c: [f64; 2]) -> String {
    crate::present::pct_range(c)
}

/// A point's difference from the base in P(all covered), with its interval.
fn delta_all(p: &SweepPoint) -> String {
    let Some(d) = p.vs_base.iter().find(|d| d.figure == "p_all_covered") else {
        return "—".into();
    };
    if !d.difference.is_finite() {
        return NOT_FINITE.into();
    }
    let bare = |v: f64| crate::present::pp(v).trim_end_matches(" pp").to_string();
    match d.ci95 {
        Some([lo, hi]) => format!("{} ({} to {})", pp(d.difference), bare(lo), bare(hi)),
        None => pp(d.difference),
    }
}

impl Sweep {
    /// The terminal summary: a table for one axis, a decision table for two.
    pub fn to_table(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "{}", self.scenario.name);
        let done = self
            .points
            .first()
            .map_or(self.trials, |p| p.figures.trials);
        let _ = writeln!(
            o,
            "Sweep: {} point{} × {} · seed {} · common random numbers (the same draws at every point)",
            self.points.len(),
            if self.points.len() == 1 { "" } else { "s" },
            super::trials_done(done, self.trials_asked.unwrap_or(self.trials)),
            self.seed
        );
        for s in &self.scenario.overrides {
            let _ = writeln!(o, "override: {s}");
        }
        match self.axes.len() {
            1 => self.one_axis(&mut o),
            _ => self.two_axes(&mut o),
        }
        o
    }

    fn one_axis(&self, o: &mut String) {
        let key = &self.axes[0].key;
        let domains: Vec<&String> = self
            .points
            .first()
            .map(|p| p.figures.domains.keys().collect())
            .unwrap_or_default();
        let width = self
            .points
            .iter()
            .map(|p| show(&p.values[0]).chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(o, "\n{key}");
        let paired = self.base.is_some();
        let gate = self.points.iter().any(|p| p.figures.gate.is_some());
        let mut head = format!("  {:>width$}  {:>9}  {:>13}", "value", "P(all)", "95 % CI");
        if gate {
            let _ = write!(head, "  {:>10}  {:>9}", "P(mounted)", "overall");
        }
        if paired {
            let _ = write!(head, "  {:>24}", "vs base (95 % CI)");
        }
        let dw: Vec<usize> = domains
            .iter()
            .map(|d| d.chars().count().clamp(9, 14))
            .collect();
        for (d, w) in domains.iter().zip(&dw) {
            let _ = write!(head, "  {:>w$}", truncate(d, *w));
        }
        let _ = writeln!(o, "{head}");
        for p in &self.points {
            let f = &p.figures;
            let mut line = format!(
                "  {:>width$}  {:>9}  {:>13}",
                show(&p.values[0]),
                pct(f.p_all_covered),
                ci(f.p_all_covered_ci95)
            );
            if gate {
                let (m, all) = f.gate.map_or(("—".into(), "—".into()), |g| {
                    (pct(g.p_mounted), pct(g.p_all_covered_overall))
                });
                let _ = write!(line, "  {m:>10}  {all:>9}");
            }
            if paired {
                let _ = write!(line, "  {:>24}", delta_all(p));
            }
            for (d, w) in domains.iter().zip(&dw) {
                let v = f.domains.get(*d).map_or("—".into(), |x| pct(x.p_covered));
                let _ = write!(line, "  {:>w$}", v);
            }
            let _ = writeln!(o, "{line}");
        }
        self.one_axis_notes(o, gate, !domains.is_empty());
    }

    /// The lines under the one-axis table: the base, and what the columns are.
    fn one_axis_notes(&self, o: &mut String, gate: bool, domains: bool) {
        if let Some(b) = &self.base {
            let _ = writeln!(
                o,
                "  base (no --vary value): P(all) {}, {}; differences on the same trials",
                pct(b.p_all_covered),
                ci(b.p_all_covered_ci95)
            );
            let _ = writeln!(
                o,
                "  (vs base: a paired interval, or an independent one where a point mounts other trials than the base)"
            );
        }
        if gate {
            let _ = writeln!(
                o,
                "  (P(all) and the domain columns: if mounted; P(mounted) and overall: of every trial)"
            );
        }
        if domains {
            let _ = writeln!(
                o,
                "  (domain columns: P(covered); 95 % intervals in --json and --csv)"
            );
        }
    }

    fn two_axes(&self, o: &mut String) {
        let (rows, cols) = (&self.axes[0], &self.axes[1]);
        let _ = writeln!(
            o,
            "\n{}: rows {}, columns {}",
            self.scenario.headline(),
            rows.key,
            cols.key
        );
        let rw = rows
            .values
            .iter()
            .map(|v| show(v).chars().count())
            .max()
            .unwrap_or(1)
            .max(3);
        let cw = cols
            .values
            .iter()
            .map(|v| show(v).chars().count())
            .max()
            .unwrap_or(1)
            .max(7);
        let mut head = format!("  {:>rw$}", "");
        for c in &cols.values {
            let _ = write!(head, "  {:>cw$}", show(c));
        }
        let _ = writeln!(o, "{head}");
        for (i, r) in rows.values.iter().enumerate() {
            let mut line = format!("  {:>rw$}", show(r));
            for j in 0..cols.values.len() {
                let p = &self.points[i * cols.values.len() + j];
                let _ = write!(line, "  {:>cw$}", pct(p.figures.p_all_covered));
            }
            let _ = writeln!(o, "{line}");
        }
        let _ = writeln!(
            o,
            "  (per-domain P(covered) and 95 % intervals in --json and --csv)"
        );
    }

    /// The tidy CSV ([`crate::report::csv`]) with the scenario's SHA-256 left empty.
    pub fn to_csv(&self) -> String {
        self.to_csv_with("", false)
    }

    /// The tidy CSV ([`crate::report::csv`]): first the sweep's own rows (seed,
    /// interruption, the overrides common to every point; `variant` empty), then
    /// per point (`variant`: its overrides joined by `; `) the overrides that
    /// make it, its trials and its key figures.
    pub fn to_csv_with(&self, sha256: &str, interrupted: bool) -> String {
        let mut w = Tidy::new();
        let mut origin = Origin {
            scenario: self.scenario.name.clone(),
            sha256: sha256.to_string(),
            variant: String::new(),
        };
        w.origin(&origin);
        w.count(["run", "", "", "seed", ""], self.seed);
        w.count(["run", "", "", "interrupted", ""], u64::from(interrupted));
        super::tidy_overrides(&mut w, &self.scenario.overrides);
        if let Some(base) = &self.base {
            origin.variant = "base".into();
            w.origin(&origin);
            super::tidy_figures(&mut w, base);
        }
        for p in &self.points {
            origin.variant = p.set.join("; ");
            w.origin(&origin);
            super::tidy_overrides(&mut w, &p.set);
            super::tidy_figures(&mut w, &p.figures);
            if !p.vs_base.is_empty() {
                origin.variant = format!("{} minus base", p.set.join("; "));
                w.origin(&origin);
            }
            for d in &p.vs_base {
                let k = super::tidy_key(&d.figure);
                let key = [k[0].as_str(), &k[1], &k[2], &k[3], &k[4]];
                w.figure(key, d.difference, d.ci95);
            }
        }
        w.finish()
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Quotes a CSV field when it needs it.
pub use crate::present::csv_field;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ranges_stay_integers() {
        let a = Axis::parse("domains.land.requirements.troops=10000:30000:5000").unwrap();
        assert_eq!(a.key, "domains.land.requirements.troops");
        assert_eq!(a.values, ["10000", "15000", "20000", "25000", "30000"]);
        let a = Axis::parse("k=10:0:-5").unwrap();
        assert_eq!(a.values, ["10", "5", "0"]);
        let a = Axis::parse("k=0:10:4").unwrap();
        assert_eq!(a.values, ["0", "4", "8"]);
        let a = Axis::parse("k=20_000:21_000:1_000").unwrap();
        assert_eq!(a.values, ["20000", "21000"]);
    }

    #[test]
    fn decimal_ranges_do_not_drift() {
        let a = Axis::parse("nations.ESP.participation=0.1:0.5:0.1").unwrap();
        assert_eq!(a.values, ["0.1", "0.2", "0.3", "0.4", "0.5"]);
        let a = Axis::parse("k=0:1:0.25").unwrap();
        assert_eq!(a.values, ["0.0", "0.25", "0.5", "0.75", "1.0"]);
        // Bounds with an exponent: the shortest form that reads back.
        let a = Axis::parse("k=0:3e299:1e299").unwrap();
        assert_eq!(a.values, ["0.0", "1e299", "2e299", "3e299"]);
        // Small exponents: as many decimals as the bounds have.
        let a = Axis::parse("k=1e-1:5e-1:1e-1").unwrap();
        assert_eq!(a.values, ["0.1", "0.2", "0.3", "0.4", "0.5"]);
        let a = Axis::parse("k=0:3e3:1e3").unwrap();
        assert_eq!(a.values, ["0.0", "1000.0", "2000.0", "3000.0"]);
        let a = Axis::parse("k=1e-7:3e-7:1e-7").unwrap();
        assert_eq!(a.values, ["0.0000001", "0.0000002", "0.0000003"]);
        let a = Axis::parse("k=1e-30:3e-30:1e-30").unwrap();
        assert_eq!(a.values.len(), 3);
        assert!(a.values.iter().all(|v| v.len() < 25), "{:?}", a.values);
        let e = Axis::parse("k=10000:30000:1e-300").unwrap_err();
        assert!(e.contains("2e304 values"), "{e}");
    }

    #[test]
    fn lists_keep_toml_values_whole() {
        let a = Axis::parse("k=0, 0.5,1").unwrap();
        assert_eq!(a.values, ["0", "0.5", "1"]);
        let a = Axis::parse("k={ pert = [1, 2, 3] },{ uniform = [0, 1] }").unwrap();
        assert_eq!(a.values, ["{ pert = [1, 2, 3] }", "{ uniform = [0, 1] }"]);
        assert_eq!(Axis::parse("k=5").unwrap().values, ["5"]);
    }

    #[test]
    fn bad_specs_say_what_to_write() {
        for bad in [
            "k", "=1:2:1", "k=", "k=1:2", "k=1:2:0", "k=2:1:1", "k=a:b:c", "k=1,,2",
        ] {
            let e = Axis::parse(bad).unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
        let e = Axis::parse("k=0:1000000:1").unwrap_err();
        assert!(e.contains("at most 1000"), "{e}");
    }

    #[test]
    fn grids_are_capped_and_row_major() {
        let a = Axis::parse("a=1:3:1").unwrap();
        let b = Axis::parse("b=10,20").unwrap();
        let p = points(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(p.len(), 6);
        assert_eq!(p[1].set, ["a=1", "b=20"]);
        assert_eq!(p[2].set, ["a=2", "b=10"]);
        let big = Axis::parse("c=1:100:1").unwrap();
        let e = points(&[big.clone(), Axis::parse("d=1:11:1").unwrap()]).unwrap_err();
        assert!(e.contains("1100 points (100 × 11)"), "{e}");
        assert!(points(&[a.clone(), a.clone()]).is_err());
        assert!(points(&[a, b, big]).is_err());
    }

    #[test]
    fn literals_become_json_numbers() {
        assert_eq!(literal_json("20000"), Json::from(20000));
        assert_eq!(literal_json("0.5"), Json::from(0.5));
        assert_eq!(literal_json("\"x\""), Json::from("x"));
        assert_eq!(literal_json("{ a = 1 }"), Json::from("{ a = 1 }"));
    }
}
