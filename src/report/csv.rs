//! Tidy CSV, one layout for every command: one row per figure, columns
//!
//! `scenario,scenario_sha256,variant,scope,id,capability,metric,qualifier,value,ci95_lo,ci95_hi`
//!
//! `scenario` is the scenario's name and `scenario_sha256` the SHA-256 of its
//! file; `variant` names the sweep point or compared scenario (empty for a run).
//! What older layouts packed into metric names is in `qualifier`: a nation
//! (`lead_share`), a day (`p_covered_by_day`), a threshold (`p_at_least`), a
//! statistic (`total`, `provided`, `gap`: `mean`, `sd`, `min`, `p05` … `max`, and
//! `within` where the report has it).
//!
//! | scope | id | capability | metric (qualifier) |
//! |---|---|---|---|
//! | `run` | | | `trials`, `mounted_trials`, `seed`, `interrupted` (1 or 0), `override` (the key; value: the TOML value as given), `mission_requires` (value: a condition id, one row each), `p_mounted`, `p_all_covered` (over mounted trials), `p_all_covered_overall` (over every trial) |
//! | `precision` | figure targeted | | `target`, `half_width`, `met` (1 or 0), `trials`, `max_trials` |
//! | `total` | | capability | `total` (statistic), `committed` (statistic: deployed × each nation's rotation), `histogram_start`, `histogram_width`, `histogram_count` (bin index) |
//! | `threshold` | | capability | `p_at_least` (x) |
//! | `domain` | domain | | `p_covered`, `p_leaderless`, `p_lead_short`, `p_no_lead_candidate`, `lead_share` (entry label: `GBR`, `GBR+FRA`) |
//! | `domain` | domain | capability | `required` (`p05`, `p95` when it is drawn), `p_met`, `provided` (statistic), `gap` (statistic) |
//! | `force` | | | `p_covered`, with `[force]` |
//! | `force` | | capability | `required` (`p05`, `p95` when it is drawn), `p_met`, `provided` (statistic of the total), `gap` (statistic) |
//! | `nation` | nation | | `p_participates`, `swing` (empty when undefined), `rotation`, `ambition` |
//! | `nation` | nation | capability | `mean_provided`, `mean_provided_by_domain` (domain); with a `pool` on the capability: `pool`, `p_binds`, `pool_cut` (statistic; empty when it never binds) |
//! | `condition` | condition | | `p_true` |
//! | `timeline` | `all`, domain or `force` | | `p_covered_by_day` (day), `days_to_coverage_median`, `days_to_coverage_p90`, `p_never_covered`, `p_covered_by_day_exact` (each day at which it rises) |
//!
//! Every share carries its 95 % interval (Wilson's over the trials it is
//! counted on; Newcombe's for `swing`); amounts, means and quantiles have none.
//!
//! A figure that no trial gave (a run stopped before its first trial, or a
//! figure over mounted trials when none was mounted) has an empty value, never
//! an invented number. Text fields are quoted when they need
//! it and never carry raw control characters ([`crate::present::csv_field`]).

use std::fmt::Write;

use super::Report;
use crate::present::{csv_field as field, csv_number, escape};
use crate::stats::Stats;

/// The header of every tidy CSV.
pub const HEADER: &str =
    "scenario,scenario_sha256,variant,scope,id,capability,metric,qualifier,value,ci95_lo,ci95_hi\n";

/// Where the rows of one scenario (or variant) come from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The scenario's name.
    pub scenario: String,
    /// The SHA-256 of the scenario file (hexadecimal), empty when unknown.
    pub sha256: String,
    /// The sweep point or compared scenario; empty for a run.
    pub variant: String,
}

/// A tidy CSV being written: the header, then rows.
pub struct Tidy {
    out: String,
    lead: String,
}

impl Default for Tidy {
    fn default() -> Self {
        Tidy::new()
    }
}

impl Tidy {
    /// An empty CSV with its header.
    pub fn new() -> Tidy {
        Tidy {
            out: HEADER.to_string(),
            lead: ",,".into(),
        }
    }

    /// The scenario and variant of the rows that follow. They are repeated on
    /// every row, so even line breaks in them are written as visible escapes.
    pub fn origin(&mut self, o: &Origin) {
        self.lead = format!(
            "{},{},{}",
            field(&escape(&o.scenario)),
            field(&escape(&o.sha256)),
            field(&escape(&o.variant))
        );
    }

    /// A row whose value is text (quoted when it needs it).
    pub fn text(&mut self, key: [&str; 5], value: &str) {
        let [scope, id, cap, metric, q] = key;
        let _ = writeln!(
            self.out,
            "{},{},{},{},{},{},{},,",
            self.lead,
            field(scope),
            field(id),
            field(cap),
            field(metric),
            field(q),
            field(value)
        );
    }

    /// A row whose value is a figure (empty when no trial gave it), with its
    /// 95 % interval when it has one.
    pub fn figure(&mut self, key: [&str; 5], value: f64, ci: Option<[f64; 2]>) {
        let [scope, id, cap, metric, q] = key;
        let (lo, hi) = ci.map_or((String::new(), String::new()), |[l, h]| {
            (csv_number(l), csv_number(h))
        });
        let _ = writeln!(
            self.out,
            "{},{},{},{},{},{},{},{lo},{hi}",
            self.lead,
            field(scope),
            field(id),
            field(cap),
            field(metric),
            field(q),
            csv_number(value)
        );
    }

    /// A row whose value is a count.
    pub fn count(&mut self, key: [&str; 5], value: u64) {
        self.text(key, &value.to_string());
    }

    /// The rows of a statistics block: one per statistic, in `qualifier`.
    fn stats(&mut self, scope: &str, id: &str, cap: &str, metric: &str, s: &Stats) {
        let named = [
            ("mean", s.mean),
            ("sd", s.sd),
            ("min", s.min),
            ("p05", s.p05),
            ("p25", s.p25),
            ("p50", s.p50),
            ("p75", s.p75),
            ("p95", s.p95),
            ("max", s.max),
        ];
        for (name, v) in named {
            self.figure([scope, id, cap, metric, name], v, None);
        }
        if let Some(w) = s.within {
            self.figure([scope, id, cap, metric, "within"], w, None);
        }
    }

    /// The CSV text.
    pub fn finish(self) -> String {
        self.out
    }
}

/// The report as tidy CSV, with a header row; `scenario_sha256` left empty.
pub fn to_csv(r: &Report) -> String {
    to_csv_with(r, "")
}

/// The report as tidy CSV, with the scenario file's SHA-256.
pub fn to_csv_with(r: &Report, sha256: &str) -> String {
    let mut w = Tidy::new();
    w.origin(&Origin {
        scenario: r.scenario.name.clone(),
        sha256: sha256.to_string(),
        variant: String::new(),
    });
    report_rows(&mut w, r);
    w.finish()
}

/// Every figure of a report, under the current origin.
pub fn report_rows(w: &mut Tidy, r: &Report) {
    run_rows(w, r);
    total_rows(w, r);
    let m = r.mounted_trials;
    for (cap, list) in &r.thresholds {
        for t in list {
            let x = t.at_least.to_string();
            let ci = wilson_of(t.p, m);
            w.figure(["threshold", "", cap, "p_at_least", &x], t.p, ci);
        }
    }
    domain_rows(w, r);
    force_rows(w, r);
    nation_rows(w, r);
    for (id, c) in &r.conditions {
        let ci = wilson_of(c.p_true, r.trials);
        w.figure(["condition", id, "", "p_true", ""], c.p_true, ci);
    }
    timeline_rows(w, r);
}

/// The Wilson 95 % interval of a share `p` of `n` trials (`p` is k / n, so k is
/// recovered exactly); `None` where no trial gave it.
fn wilson_of(p: f64, n: u64) -> Option<[f64; 2]> {
    (n > 0 && p.is_finite()).then(|| crate::math::wilson((p * n as f64).round() as u64, n))
}

/// The run's rows: trials, seed, interruption, overrides, headline, precision.
fn run_rows(w: &mut Tidy, r: &Report) {
    w.count(["run", "", "", "trials", ""], r.trials);
    w.count(["run", "", "", "mounted_trials", ""], r.mounted_trials);
    w.count(["run", "", "", "seed", ""], r.seed);
    w.count(["run", "", "", "interrupted", ""], u64::from(r.interrupted));
    for o in &r.overrides {
        let (key, value) = o.split_once('=').unwrap_or((o.as_str(), ""));
        w.text(["run", "", "", "override", key.trim()], value.trim());
    }
    for c in &r.mission {
        w.text(["run", "", "", "mission_requires", ""], c);
    }
    let ci = Some(r.p_mounted_ci95);
    w.figure(["run", "", "", "p_mounted", ""], r.p_mounted, ci);
    let ci = Some(r.p_all_covered_ci95);
    w.figure(["run", "", "", "p_all_covered", ""], r.p_all_covered, ci);
    let ci = Some(r.p_all_covered_overall_ci95);
    let overall = r.p_all_covered_overall;
    w.figure(["run", "", "", "p_all_covered_overall", ""], overall, ci);
    if let Some(p) = &r.precision {
        w.figure(["precision", &p.on, "", "target", ""], p.target, None);
        w.figure(
            ["precision", &p.on, "", "half_width", ""],
            p.half_width,
            None,
        );
        w.count(["precision", &p.on, "", "met", ""], u64::from(p.met));
        w.count(["precision", &p.on, "", "trials", ""], p.trials);
        w.count(["precision", &p.on, "", "max_trials", ""], p.max_trials);
    }
}

fn total_rows(w: &mut Tidy, r: &Report) {
    for (cap, t) in &r.totals {
        w.stats("total", "", cap, "total", &t.stats);
        if let Some(c) = &t.committed {
            w.stats("total", "", cap, "committed", c);
        }
        let h = &t.histogram;
        w.figure(["total", "", cap, "histogram_start", ""], h.start, None);
        w.figure(["total", "", cap, "histogram_width", ""], h.width, None);
        for (i, c) in h.counts.iter().enumerate() {
            w.count(["total", "", cap, "histogram_count", &i.to_string()], *c);
        }
    }
}

fn domain_rows(w: &mut Tidy, r: &Report) {
    for (id, d) in &r.domains {
        let ci = Some(d.p_covered_ci95);
        w.figure(["domain", id, "", "p_covered", ""], d.p_covered, ci);
        let m = r.mounted_trials;
        for (metric, p) in [
            ("p_leaderless", d.p_leaderless),
            ("p_lead_short", d.p_lead_short),
            ("p_no_lead_candidate", d.p_no_lead_candidate),
        ] {
            w.figure(["domain", id, "", metric, ""], p, wilson_of(p, m));
        }
        for (entry, &share) in &d.lead_share {
            let ci = wilson_of(share, m);
            w.figure(["domain", id, "", "lead_share", entry], share, ci);
        }
        for (cap, c) in &d.capabilities {
            capability_rows(w, (["domain", id, cap], m), c);
        }
    }
}

/// The rows of one requirement (of a domain, or of the whole force).
/// `m`: the mounted trials, over which `p_met` is counted.
fn capability_rows(
    w: &mut Tidy,
    ([scope, id, cap], m): ([&str; 3], u64),
    c: &super::CapabilityFigures,
) {
    w.figure([scope, id, cap, "required", ""], c.required, None);
    if let Some([lo, hi]) = c.required_p05_p95 {
        w.figure([scope, id, cap, "required", "p05"], lo, None);
        w.figure([scope, id, cap, "required", "p95"], hi, None);
    }
    w.figure(
        [scope, id, cap, "p_met", ""],
        c.p_met,
        wilson_of(c.p_met, m),
    );
    w.stats(scope, id, cap, "provided", &c.provided);
    w.stats(scope, id, cap, "gap", &c.gap);
}

/// With `[force]`: P(force covered) and each force requirement.
fn force_rows(w: &mut Tidy, r: &Report) {
    let Some(f) = &r.force else {
        return;
    };
    let ci = Some(f.p_covered_ci95);
    w.figure(["force", "", "", "p_covered", ""], f.p_covered, ci);
    for (cap, c) in &f.capabilities {
        capability_rows(w, (["force", "", cap], r.mounted_trials), c);
    }
}

fn nation_rows(w: &mut Tidy, r: &Report) {
    for (id, n) in &r.nations {
        let (p, m) = (n.p_participates, r.mounted_trials);
        w.figure(["nation", id, "", "p_participates", ""], p, wilson_of(p, m));
        // The mounted trials in which it takes part, over which `p_binds` is.
        let inn = if p.is_finite() {
            (p * m as f64).round() as u64
        } else {
            0
        };
        match n.swing {
            Some(s) => w.figure(["nation", id, "", "swing", ""], s, n.swing_ci95),
            None => w.text(["nation", id, "", "swing", ""], ""),
        }
        for (cap, v) in &n.mean_provided {
            w.figure(["nation", id, cap, "mean_provided", ""], *v, None);
        }
        for (domain, caps) in &n.mean_provided_by_domain {
            for (cap, v) in caps {
                let key = ["nation", id, cap, "mean_provided_by_domain", domain];
                w.figure(key, *v, None);
            }
        }
        w.count(["nation", id, "", "rotation", ""], n.rotation);
        w.figure(["nation", id, "", "ambition", ""], n.ambition, None);
        for (cap, p) in &n.pools {
            w.figure(["nation", id, cap, "pool", ""], p.pool, None);
            let ci = wilson_of(p.p_binds, inn);
            w.figure(["nation", id, cap, "p_binds", ""], p.p_binds, ci);
            let cut = p.cut.unwrap_or(super::NO_STATS);
            w.stats("nation", id, cap, "pool_cut", &cut);
        }
    }
}

fn timeline_rows(w: &mut Tidy, r: &Report) {
    let Some(t) = &r.timeline else {
        return;
    };
    for (k, day) in t.days.iter().enumerate() {
        let d = day.to_string();
        let p = t.p_all_covered[k];
        let ci = wilson_of(p, r.mounted_trials);
        w.figure(["timeline", "all", "", "p_covered_by_day", &d], p, ci);
    }
    let force = t.force.iter().map(|ps| ("force", ps));
    for (id, ps) in t
        .domains
        .iter()
        .map(|(id, ps)| (id.as_str(), ps))
        .chain(force)
    {
        for (day, p) in t.days.iter().zip(ps) {
            let d = day.to_string();
            let ci = wilson_of(*p, r.mounted_trials);
            w.figure(["timeline", id, "", "p_covered_by_day", &d], *p, ci);
        }
    }
    let m = r.mounted_trials;
    days_rows(w, ("all", m), &t.days_to_all_covered);
    for (id, days) in &t.days_to_coverage {
        days_rows(w, (id, m), days);
    }
    if let Some(days) = &t.days_to_force {
        days_rows(w, ("force", m), days);
    }
}

/// The days to coverage of `id` (`all` or a domain): median, p90 (empty when
/// never reached by that share of trials), P(never) and the exact steps, each
/// share with its interval over the `m` mounted trials.
fn days_rows(w: &mut Tidy, (id, m): (&str, u64), d: &super::DaysToCoverage) {
    for (metric, v) in [
        ("days_to_coverage_median", d.median),
        ("days_to_coverage_p90", d.p90),
    ] {
        match v {
            Some(v) => w.count(["timeline", id, "", metric, ""], v),
            None => w.text(["timeline", id, "", metric, ""], ""),
        }
    }
    let ci = wilson_of(d.p_never, m);
    w.figure(["timeline", id, "", "p_never_covered", ""], d.p_never, ci);
    for &(day, p) in &d.steps {
        let day = day.to_string();
        let key = ["timeline", id, "", "p_covered_by_day_exact", &day];
        w.figure(key, p, wilson_of(p, m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_carry_the_origin_and_qualifier() {
        let mut w = Tidy::new();
        w.origin(&Origin {
            scenario: "A, B".into(),
            sha256: "ab".into(),
            variant: "v".into(),
        });
        w.figure(
            ["domain", "land", "", "lead_share", "FRA"],
            0.5,
            Some([0.4, 0.6]),
        );
        w.text(["run", "", "", "override", "k"], "{ pert = [1, 2] }");
        assert_eq!(
            w.finish(),
            format!(
                "{HEADER}\"A, B\",ab,v,domain,land,,lead_share,FRA,0.5,0.4,0.6\n\
                 \"A, B\",ab,v,run,,,override,k,\"{{ pert = [1, 2] }}\",,\n"
            )
        );
    }
}
