//! Tidy CSV: one row per figure, columns `scope,id,capability,metric,value`.
//!
//! | scope | id | capability | metrics |
//! |---|---|---|---|
//! | `run` | | | `trials`, `seed`, `interrupted` (1, only when the run was stopped early), `override` (one row per `--set`, the value as given), `p_all_covered`, `p_all_covered_ci95_lo/hi` |
//! | `precision` | figure targeted | | `target`, `half_width`, `met` (1 or 0), `max_trials` (with `--precision`) |
//! | `total` | | capability | `mean`, `sd`, `min`, `p05` … `max`, `committed_*` with rotation |
//! | `threshold` | | capability | `p_at_least_X` |
//! | `domain` | domain | | `p_covered`, `p_covered_ci95_lo/hi`, `p_leaderless`, `lead_share_NATION` |
//! | `domain` | domain | capability | `required`, `p_met`, `provided_*`, `gap_*` |
//! | `nation` | nation | | `p_participates`, `swing` (empty when undefined) |
//! | `nation` | nation | capability | `mean_provided` |
//! | `condition` | condition | | `p_true` |
//! | `timeline` | `all` or domain | | `p_covered_day_D` |
//!
//! A figure that no trial gave (a run stopped before its first trial) has an
//! empty value, never an invented number. Text fields are quoted when they need
//! it and never carry raw control characters ([`crate::present::csv_field`]).

use std::fmt::Write;

use super::Report;
use crate::present::{csv_field as field, csv_number};
use crate::stats::Stats;

struct Rows(String);

impl Rows {
    /// A row whose value is text (quoted when it needs it).
    fn text(&mut self, scope: &str, id: &str, cap: &str, metric: &str, value: &str) {
        let _ = writeln!(
            self.0,
            "{},{},{},{},{}",
            scope,
            field(id),
            field(cap),
            field(metric),
            field(value)
        );
    }

    /// A row whose value is a count.
    fn count(&mut self, scope: &str, id: &str, cap: &str, metric: &str, value: u64) {
        self.text(scope, id, cap, metric, &value.to_string());
    }

    /// A row whose value is a figure (empty when no trial finished).
    fn row(&mut self, scope: &str, id: &str, cap: &str, metric: &str, value: f64) {
        self.text(scope, id, cap, metric, &csv_number(value));
    }

    fn stats(&mut self, scope: &str, id: &str, cap: &str, prefix: &str, s: &Stats) {
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
            self.row(scope, id, cap, &format!("{prefix}{name}"), v);
        }
    }
}

/// The report as tidy CSV, with a header row.
pub fn to_csv(r: &Report) -> String {
    let mut w = Rows(String::from("scope,id,capability,metric,value\n"));
    run_rows(&mut w, r);
    for (cap, t) in &r.totals {
        w.stats("total", "", cap, "", &t.stats);
        if let Some(c) = &t.committed {
            w.stats("total", "", cap, "committed_", c);
        }
    }
    for (cap, list) in &r.thresholds {
        for t in list {
            let metric = format!("p_at_least_{}", t.at_least);
            w.row("threshold", "", cap, &metric, t.p);
        }
    }
    domain_rows(&mut w, r);
    nation_rows(&mut w, r);
    for (id, c) in &r.conditions {
        w.row("condition", id, "", "p_true", c.p_true);
    }
    timeline_rows(&mut w, r);
    w.0
}

/// The run's rows: trials, seed, interruption, overrides, headline, precision.
fn run_rows(w: &mut Rows, r: &Report) {
    w.count("run", "", "", "trials", r.trials);
    w.count("run", "", "", "seed", r.seed);
    if r.interrupted {
        w.count("run", "", "", "interrupted", 1);
    }
    for o in &r.overrides {
        w.text("run", "", "", "override", o);
    }
    w.row("run", "", "", "p_all_covered", r.p_all_covered);
    let [lo, hi] = r.p_all_covered_ci95;
    w.row("run", "", "", "p_all_covered_ci95_lo", lo);
    w.row("run", "", "", "p_all_covered_ci95_hi", hi);
    if let Some(p) = &r.precision {
        w.row("precision", &p.on, "", "target", p.target);
        w.row("precision", &p.on, "", "half_width", p.half_width);
        w.count("precision", &p.on, "", "met", u64::from(p.met));
        w.count("precision", &p.on, "", "max_trials", p.max_trials);
    }
}

fn domain_rows(w: &mut Rows, r: &Report) {
    for (id, d) in &r.domains {
        w.row("domain", id, "", "p_covered", d.p_covered);
        w.row("domain", id, "", "p_covered_ci95_lo", d.p_covered_ci95[0]);
        w.row("domain", id, "", "p_covered_ci95_hi", d.p_covered_ci95[1]);
        w.row("domain", id, "", "p_leaderless", d.p_leaderless);
        for (nation, share) in &d.lead_share {
            w.row("domain", id, "", &format!("lead_share_{nation}"), *share);
        }
        for (cap, c) in &d.capabilities {
            w.row("domain", id, cap, "required", c.required);
            w.row("domain", id, cap, "p_met", c.p_met);
            w.stats("domain", id, cap, "provided_", &c.provided);
            w.stats("domain", id, cap, "gap_", &c.gap);
        }
    }
}

fn nation_rows(w: &mut Rows, r: &Report) {
    for (id, n) in &r.nations {
        w.row("nation", id, "", "p_participates", n.p_participates);
        match n.swing {
            Some(s) => w.row("nation", id, "", "swing", s),
            None => w.text("nation", id, "", "swing", ""),
        }
        for (cap, v) in &n.mean_provided {
            w.row("nation", id, cap, "mean_provided", *v);
        }
    }
}

fn timeline_rows(w: &mut Rows, r: &Report) {
    let Some(t) = &r.timeline else {
        return;
    };
    for (k, day) in t.days.iter().enumerate() {
        let metric = format!("p_covered_day_{day}");
        w.row("timeline", "all", "", &metric, t.p_all_covered[k]);
    }
    for (id, ps) in &t.domains {
        for (k, day) in t.days.iter().enumerate() {
            w.row("timeline", id, "", &format!("p_covered_day_{day}"), ps[k]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(field("land"), "land");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
