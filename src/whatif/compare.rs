//! Comparisons (`"format": "forcesim-compare/1"`): the key figures of two or more
//! scenarios side by side, and each one's difference from the first with a 95 %
//! interval.
//!
//! Intervals on differences treat the runs as independent samples: Newcombe's
//! hybrid score interval (his method 10, built from the two Wilson intervals) for
//! differences of proportions, and the normal interval with the Welch standard
//! error for differences of means. Medians get no interval. Every run uses the
//! same seed, so entities with the same id draw the same random numbers in each
//! (common random numbers); the runs are usually positively correlated, the
//! variance of a difference is then smaller than the independent formula says,
//! and these intervals are conservative (a cap that one nation's presence puts
//! on another, or a changed mission gate, can correlate them negatively).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::{Figure, KeyFigures, Spread};
use crate::engine::EngineError;
use crate::model::Model;
use crate::present::{amount, escape, pct, pp, signed_amount};
use crate::report::csv::{Origin, Tidy};
use crate::{RunOptions, simulate};

/// The comparison format tag.
pub const FORMAT: &str = "forcesim-compare/1";

/// What the output says about its intervals.
pub const NOTE: &str = "Differences are from the first scenario. Their 95 % intervals treat the runs as independent (Newcombe for proportions, Welch for means); the runs share random numbers for every id they have in common, which usually makes the true uncertainty smaller, so the intervals are conservative (not where a variant's change lets one nation in and holds another back, or changes the mission gate).";

/// What the output says about its intervals when they are paired (the default).
pub const NOTE_PAIRED: &str = "Differences are from the first scenario. Every scenario runs on the same trials (common random numbers), so the 95 % intervals of P(all covered), each domain's P(covered) and each mean total are paired: computed from the per-trial differences (discordant pairs for probabilities, the paired variance for means). With a mission gate, P(mounted) and the overall P(all covered) are paired too; the figures over the mounted trials are paired only where both scenarios mount the same trials. Other proportions keep the independent interval (Newcombe), which is conservative where the runs are positively correlated, as common random numbers usually make them; medians get none. --unpaired gives the independent intervals for every figure.";

/// One compared scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Short label (the file's stem, or the variant's overrides).
    pub label: String,
    /// Scenario name.
    pub name: String,
    /// Path as given.
    pub path: String,
    /// Overrides applied, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// Its key figures.
    #[serde(flatten)]
    pub figures: KeyFigures,
}

/// One figure's difference between a scenario and the first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Dotted path of the figure (`domains.land.p_covered`).
    pub figure: String,
    /// Label of the scenario.
    pub of: String,
    /// Label of the first scenario.
    pub from: String,
    /// The first scenario's value.
    pub base: f64,
    /// This scenario's value.
    pub value: f64,
    /// `value − base`.
    pub difference: f64,
    /// 95 % interval of the difference; null for medians.
    pub ci95: Option<[f64; 2]>,
}

/// A figure that only some scenarios have (their domains or capabilities differ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotShared {
    /// Dotted path.
    pub figure: String,
    /// Labels of the scenarios that have it.
    pub only_in: Vec<String>,
}

/// A whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// `forcesim-compare/1`.
    pub format: String,
    /// Trials per scenario.
    pub trials: u64,
    /// The trials asked for, where a stop cut the run short (`trials` is then
    /// what every figure covers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trials_asked: Option<u64>,
    /// Seed of every scenario.
    pub seed: u64,
    /// The scenarios, the first being the base of every difference.
    pub scenarios: Vec<Column>,
    /// Differences from the first scenario, figure by figure, for the figures all share.
    pub differences: Vec<Difference>,
    /// Figures not every scenario has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_shared: Vec<NotShared>,
    /// How to read the intervals.
    pub note: String,
}

pub use crate::math::newcombe;

/// The 95 % interval of a difference of two figures, when one is defined.
pub fn difference_ci(a: &Figure, na: u64, b: &Figure, nb: u64) -> Option<[f64; 2]> {
    if !(a.value - b.value).is_finite() {
        return None;
    }
    match (a.spread, b.spread) {
        (Spread::Proportion(ca), Spread::Proportion(cb)) => {
            Some(newcombe(a.value, ca, b.value, cb))
        }
        // A standard deviation from one trial says nothing of the spread, nor
        // do two runs whose trials all gave one value each.
        (Spread::Mean { sd: sa }, Spread::Mean { sd: sb })
            if na >= 2 && nb >= 2 && (sa > 0.0 || sb > 0.0) =>
        {
            let half = crate::quantile::welch_half95((sa, na), (sb, nb));
            let d = b.value - a.value;
            Some([d - half, d + half])
        }
        _ => None,
    }
}

/// Labels that are unique: `label`, then `label #2`, `label #3` … for repeats,
/// skipping any label given as written (a repeat of `a` beside a given `a #2`
/// becomes `a #3`: the given one keeps its name).
pub fn unique_labels(labels: Vec<String>) -> Vec<String> {
    let given: std::collections::HashSet<String> = labels.iter().cloned().collect();
    let mut out: Vec<String> = Vec::with_capacity(labels.len());
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    for l in labels {
        let mut candidate = l.clone();
        let mut k = 2;
        while taken.contains(&candidate) || (candidate != l && given.contains(&candidate)) {
            candidate = format!("{l} #{k}");
            k += 1;
        }
        taken.insert(candidate.clone());
        out.push(candidate);
    }
    out
}

/// Runs every model with the same seed and trial count and compares them with the first.
pub fn compare(
    scenarios: &[(String, Model)],
    opts: &RunOptions<'_>,
) -> Result<Comparison, EngineError> {
    let gated = any_gate(scenarios);
    let mut columns = Vec::with_capacity(scenarios.len());
    for (label, model) in scenarios {
        let run = simulate(model, opts)?;
        columns.push(Column {
            label: label.clone(),
            name: model.name.clone(),
            path: model.path.clone(),
            overrides: model.overrides.clone(),
            figures: KeyFigures::among(&run.report, gated),
        });
    }
    Ok(build(columns, opts.trials, opts.seed))
}

/// Whether some of `scenarios` have a mission gate.
pub fn any_gate(scenarios: &[(String, Model)]) -> bool {
    scenarios.iter().any(|(_, m)| !m.mission.is_empty())
}

/// What [`run_paired`] returns: each scenario's report, the comparison with the
/// first, and whether a stop request cut the pass short.
pub struct Paired {
    /// Each scenario's full report, in order.
    pub reports: Vec<crate::Report>,
    /// Key figures side by side, differences from the first with their intervals.
    pub comparison: Comparison,
    /// A stop request cut it short (every scenario covers the same prefix of blocks).
    pub interrupted: bool,
}

/// Runs every model on the same trials in one paired pass (each block of every
/// model in the same worker pass) and compares them with the first, with paired
/// intervals for P(all covered), each domain's P(covered) and each mean total
/// where the scenarios count the same domains and capabilities in the same order
/// (variants of one scenario do); other figures keep the independent intervals.
/// Returns the comparison and whether a stop request cut it short (every
/// scenario then covers the same prefix of blocks).
pub fn compare_paired(
    scenarios: &[(String, Model)],
    opts: &RunOptions<'_>,
) -> Result<(Comparison, bool), EngineError> {
    let p = run_paired(scenarios, opts)?;
    Ok((p.comparison, p.interrupted))
}

/// Whether `m` counts the same domains and capabilities as `base`, in the same
/// order (then their per-trial outcomes can be paired).
fn aligned_with(base: &Model, m: &Model) -> bool {
    m.domains
        .iter()
        .map(|d| &d.id)
        .eq(base.domains.iter().map(|d| &d.id))
        && m.capabilities
            .iter()
            .map(|c| &c.id)
            .eq(base.capabilities.iter().map(|c| &c.id))
}

/// [`compare_paired`], keeping every scenario's report.
pub fn run_paired(
    scenarios: &[(String, Model)],
    opts: &RunOptions<'_>,
) -> Result<Paired, EngineError> {
    let labels: Vec<String> = scenarios.iter().map(|(l, _)| l.clone()).collect();
    let models: Vec<Model> = scenarios.iter().map(|(_, m)| m.clone()).collect();
    run_paired_models(&labels, &models, opts)
}

/// [`run_paired`] on `models` labelled `labels` (a sweep's points, which are
/// many: not copied).
pub fn run_paired_models(
    labels: &[String],
    models: &[Model],
    opts: &RunOptions<'_>,
) -> Result<Paired, EngineError> {
    run_paired_among(labels, models, opts, Among::of(models))
}

/// What the figures of a paired pass depend on beyond its own models, where it
/// runs some of a larger set (a chunk of a sweep's points with the base).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Among {
    /// Some model of the set has a mission gate (every column then shows the
    /// gate's figures).
    pub gated: bool,
    /// Every model of the set counts the same domains and capabilities as the
    /// first, in the same order (the differences then get paired intervals).
    pub aligned: bool,
}

impl Among {
    /// The set `models` (the first the base).
    pub fn of(models: &[Model]) -> Among {
        match models.split_first() {
            Some((base, others)) => Among::with_base(base, others),
            None => Among {
                gated: false,
                aligned: false,
            },
        }
    }

    /// The set of `base` followed by `others`.
    pub fn with_base(base: &Model, others: &[Model]) -> Among {
        Among {
            gated: std::iter::once(base)
                .chain(others)
                .any(|m| !m.mission.is_empty()),
            aligned: others.iter().all(|m| aligned_with(base, m)),
        }
    }
}

/// [`run_paired_models`] for models that are part of a larger set described by
/// `among`: their figures are those they have in a pass of the whole set.
pub fn run_paired_among(
    labels: &[String],
    models: &[Model],
    opts: &RunOptions<'_>,
    among: Among,
) -> Result<Paired, EngineError> {
    let Among { gated, aligned } = among;
    let pairs: Vec<(usize, usize)> = if aligned {
        (1..models.len()).map(|k| (0, k)).collect()
    } else {
        Vec::new()
    };
    let control = crate::engine::Control {
        stop: opts.stop,
        progress: opts.progress,
    };
    let pass = super::paired::run(
        models,
        &pairs,
        opts.seed,
        opts.trials,
        opts.threads,
        control,
    )?;
    let reports: Vec<crate::Report> = models
        .iter()
        .zip(&pass.tallies)
        .map(|(m, t)| crate::Report::measured(m, t, opts.seed, pass.threads, pass.elapsed_s))
        .collect();
    let columns = (labels.iter().zip(models))
        .zip(&reports)
        .map(|((label, model), r)| Column {
            label: label.clone(),
            name: model.name.clone(),
            path: model.path.clone(),
            overrides: model.overrides.clone(),
            figures: KeyFigures::among(r, gated),
        })
        .collect();
    let mut comparison = build(columns, opts.trials, opts.seed);
    let done = pass.tallies.first().map_or(0, |t| t.trials);
    if pass.interrupted && done < opts.trials {
        comparison.trials = done;
        comparison.trials_asked = Some(opts.trials);
    }
    if aligned {
        pair_intervals(&mut comparison, &models[0], &pass.pairs);
    }
    Ok(Paired {
        reports,
        comparison,
        interrupted: pass.interrupted,
    })
}

/// Replaces the intervals of the differences that pairing covers by paired ones.
fn pair_intervals(c: &mut Comparison, base: &Model, pairs: &[super::paired::PairSums]) {
    let labels: Vec<String> = c.scenarios.iter().map(|s| s.label.clone()).collect();
    for d in &mut c.differences {
        let Some(k) = labels.iter().position(|l| *l == d.of) else {
            continue;
        };
        let pairing = super::sensitivity::Pairing::of(base, &d.figure);
        if !d.difference.is_finite() {
            d.ci95 = None;
            continue;
        }
        if let Some(ci) = k
            .checked_sub(1)
            .and_then(|i| pairs.get(i))
            .and_then(|s| pairing.ci95(s, d.difference))
        {
            d.ci95 = Some(ci);
        }
    }
    c.note = NOTE_PAIRED.into();
}

/// Computes differences and unshared figures from finished columns.
pub fn build(columns: Vec<Column>, trials: u64, seed: u64) -> Comparison {
    let flats: Vec<Vec<Figure>> = columns.iter().map(|c| c.figures.flat()).collect();
    let mut differences = Vec::new();
    let mut not_shared = Vec::new();
    if let Some(base) = flats.first() {
        let base_col = &columns[0];
        for (col, flat) in columns.iter().zip(&flats).skip(1) {
            for a in base {
                if let Some(b) = flat.iter().find(|f| f.path == a.path) {
                    differences.push(Difference {
                        figure: a.path.clone(),
                        of: col.label.clone(),
                        from: base_col.label.clone(),
                        base: a.value,
                        value: b.value,
                        difference: b.value - a.value,
                        ci95: difference_ci(
                            a,
                            base_col.figures.mounted_trials,
                            b,
                            col.figures.mounted_trials,
                        ),
                    });
                }
            }
        }
        // Every path, in order of first appearance, that some scenario lacks.
        let mut seen: Vec<&str> = Vec::new();
        for flat in &flats {
            for f in flat {
                if seen.contains(&f.path.as_str()) {
                    continue;
                }
                seen.push(&f.path);
                let having: Vec<String> = columns
                    .iter()
                    .zip(&flats)
                    .filter(|(_, fl)| fl.iter().any(|g| g.path == f.path))
                    .map(|(c, _)| c.label.clone())
                    .collect();
                if having.len() < columns.len() {
                    not_shared.push(NotShared {
                        figure: f.path.clone(),
                        only_in: having,
                    });
                }
            }
        }
    }
    Comparison {
        format: FORMAT.into(),
        trials,
        trials_asked: None,
        seed,
        scenarios: columns,
        differences,
        not_shared,
        note: NOTE.into(),
    }
}

fn is_table_figure(path: &str) -> bool {
    path == "p_all_covered"
        || path == "p_mounted"
        || path == "p_all_covered_overall"
        || path.ends_with(".p_covered")
        || (path.starts_with("totals.") && path.ends_with(".mean"))
        || path.starts_with("thresholds.")
}

fn value_text(f: &Figure) -> String {
    match f.spread {
        Spread::Proportion(_) => pct(f.value),
        _ => amount(f.value),
    }
}

fn diff_text(d: &Difference, proportion: bool) -> String {
    let fmt = |x: f64| {
        if proportion { pp(x) } else { signed_amount(x) }
    };
    let strip = |s: String| s.trim_end_matches(" pp").to_string();
    match d.ci95 {
        Some([lo, hi]) => {
            let mark = if lo > 0.0 || hi < 0.0 { "*" } else { " " };
            if proportion {
                format!(
                    "{} [{}, {}]{mark}",
                    fmt(d.difference),
                    strip(fmt(lo)),
                    strip(fmt(hi))
                )
            } else {
                format!("{} [{}, {}]{mark}", fmt(d.difference), fmt(lo), fmt(hi))
            }
        }
        None => format!("{} ", fmt(d.difference)),
    }
}

/// Column widths of the comparison table: figure, value, difference.
struct Widths {
    fw: usize,
    vw: usize,
    dw: usize,
}

impl Comparison {
    /// The terminal table: one row per key figure, one column per scenario, and
    /// each difference from the first with its 95 % interval.
    pub fn to_table(&self) -> String {
        let mut o = String::new();
        self.sources(&mut o);
        let Some(first) = self.scenarios.first() else {
            return o;
        };
        let rows: Vec<Figure> = first
            .figures
            .flat()
            .into_iter()
            .filter(|f| is_table_figure(&f.path))
            .collect();
        let w = Widths {
            fw: rows
                .iter()
                .map(|f| escape(&f.path).chars().count())
                .max()
                .unwrap_or(10)
                .max(10),
            vw: self
                .scenarios
                .iter()
                .map(|c| escape(&c.label).chars().count())
                .max()
                .unwrap_or(8)
                .max(9),
            dw: 30,
        };
        self.head(&mut o, first, &w);
        for f in &rows {
            self.figure_row(&mut o, f, &w);
        }
        self.unshared(&mut o, &rows, &w);
        let starred = self.differences.iter().any(|d| {
            is_table_figure(&d.figure) && d.ci95.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0)
        });
        if starred {
            let _ = write!(o, "\n  * the 95 % interval of the difference excludes 0.");
        }
        let _ = writeln!(o, "\n  {}", self.note);
        o
    }

    /// The run line and one line per scenario compared.
    fn sources(&self, o: &mut String) {
        let done = self
            .scenarios
            .first()
            .map_or(self.trials, |c| c.figures.trials);
        let _ = writeln!(
            o,
            "Comparison · {} each · seed {} · common random numbers",
            super::trials_done(done, self.trials_asked.unwrap_or(self.trials)),
            self.seed
        );
        for (i, c) in self.scenarios.iter().enumerate() {
            let _ = writeln!(
                o,
                "  {} {}: {} ({}){}",
                if i == 0 { "base" } else { "    " },
                escape(&c.label),
                escape(&c.name),
                escape(&c.path),
                if c.overrides.is_empty() {
                    String::new()
                } else {
                    format!(" with {}", escape(&c.overrides.join(", ")))
                }
            );
        }
    }

    fn head(&self, o: &mut String, first: &Column, w: &Widths) {
        let Widths { fw, vw, dw } = *w;
        let base = escape(&first.label);
        let mut head = format!("\n  {:<fw$}  {:>vw$}", "figure", base);
        for c in self.scenarios.iter().skip(1) {
            let _ = write!(
                head,
                "  {:>vw$}  {:>dw$}",
                escape(&c.label),
                format!("Δ vs {base} [95 % CI]")
            );
        }
        let _ = writeln!(o, "{head}");
    }

    /// One figure: its value in each scenario and the differences from the first.
    fn figure_row(&self, o: &mut String, f: &Figure, w: &Widths) {
        let Widths { fw, vw, dw } = *w;
        let mut line = format!("  {:<fw$}  {:>vw$}", escape(&f.path), value_text(f));
        for c in self.scenarios.iter().skip(1) {
            let flat = c.figures.flat();
            let (v, d) = match flat.iter().find(|g| g.path == f.path) {
                Some(g) => {
                    let d = self
                        .differences
                        .iter()
                        .find(|d| d.of == c.label && d.figure == f.path)
                        .map(|d| diff_text(d, matches!(f.spread, Spread::Proportion(_))))
                        .unwrap_or_default();
                    (value_text(g), d)
                }
                None => ("—".into(), String::new()),
            };
            let _ = write!(line, "  {:>vw$}  {:>dw$}", v, d);
        }
        let _ = writeln!(o, "{line}");
    }

    /// Figures that only later scenarios have.
    fn unshared(&self, o: &mut String, rows: &[Figure], w: &Widths) {
        let fw = w.fw;
        for c in self.scenarios.iter().skip(1) {
            for f in c.figures.flat() {
                if is_table_figure(&f.path) && !rows.iter().any(|r| r.path == f.path) {
                    let _ = writeln!(
                        o,
                        "  {:<fw$}  only in {}: {}",
                        escape(&f.path),
                        escape(&c.label),
                        value_text(&f)
                    );
                }
            }
        }
    }

    /// The tidy CSV ([`crate::report::csv`]) with the scenarios' SHA-256 left empty.
    pub fn to_csv(&self) -> String {
        self.to_csv_with(&[], false)
    }

    /// The tidy CSV ([`crate::report::csv`]): the comparison's own rows (seed,
    /// interruption; `variant` empty), then per scenario (`variant`: its label;
    /// `scenario_sha256`: `sha256[i]`, empty when not given) its overrides, trials
    /// and key figures, then the differences from the first scenario (`variant`:
    /// `LABEL minus FIRST`; `value`: the difference, with its interval).
    pub fn to_csv_with(&self, sha256: &[String], interrupted: bool) -> String {
        let mut w = Tidy::new();
        let first = self.scenarios.first();
        w.origin(&Origin {
            scenario: first.map(|c| c.name.clone()).unwrap_or_default(),
            sha256: sha256.first().cloned().unwrap_or_default(),
            variant: String::new(),
        });
        w.count(["run", "", "", "seed", ""], self.seed);
        w.count(["run", "", "", "interrupted", ""], u64::from(interrupted));
        for (i, c) in self.scenarios.iter().enumerate() {
            let mut origin = Origin {
                scenario: c.name.clone(),
                sha256: sha256.get(i).cloned().unwrap_or_default(),
                variant: c.label.clone(),
            };
            w.origin(&origin);
            super::tidy_overrides(&mut w, &c.overrides);
            super::tidy_figures(&mut w, &c.figures);
            for d in self.differences.iter().filter(|d| d.of == c.label) {
                origin.variant = format!("{} minus {}", d.of, d.from);
                w.origin(&origin);
                let k = super::tidy_key(&d.figure);
                let key = [k[0].as_str(), &k[1], &k[2], &k[3], &k[4]];
                w.figure(key, d.difference, d.ci95);
            }
        }
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::wilson;

    #[test]
    fn newcombe_matches_published_example() {
        // Newcombe (1998), table II, example (a): 56/70 vs 48/80, method 10: 0.0524 to 0.3339.
        let (p1, p2) = (48.0 / 80.0, 56.0 / 70.0);
        let ci = newcombe(p1, wilson(48, 80), p2, wilson(56, 70));
        assert!((ci[0] - 0.0524).abs() < 5e-4, "{ci:?}");
        assert!((ci[1] - 0.3339).abs() < 5e-4, "{ci:?}");
    }

    #[test]
    fn labels_are_made_unique() {
        let l = unique_labels(vec!["a".into(), "b".into(), "a".into(), "a".into()]);
        assert_eq!(l, ["a", "b", "a #2", "a #3"]);
        // A label given as `a #2` keeps it; the repeat of `a` takes the next.
        let given = ["a", "a", "a #2"].map(String::from).to_vec();
        assert_eq!(unique_labels(given), ["a", "a #3", "a #2"]);
    }
}
