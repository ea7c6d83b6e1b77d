//! The terminal summary: force size, coverage per domain, biggest gaps, top swings.
//!
//! Every name from the scenario (ids, names, units, overrides) is written through
//! [`escape`], so that control characters in a scenario cannot drive the terminal.

use std::fmt::Write;

use super::{CapabilityFigures, Report};
pub use crate::present::{NOT_FINITE, escape, pp, thousands, whole_pct};

/// A probability as a percentage with one decimal (`0.1234` → `12.3 %`), or
/// [`NOT_FINITE`] when no trial gave it.
pub fn pct(p: f64) -> String {
    if p.is_finite() {
        crate::present::pct(p)
    } else {
        NOT_FINITE.to_string()
    }
}

/// A probability with its 95 % interval: `35.0 %  (95 % CI 34.8–35.2 %)`.
fn with_ci(p: f64, ci: [f64; 2]) -> String {
    if !p.is_finite() {
        return NOT_FINITE.to_string();
    }
    format!("{}  (95 % CI {}–{})", pct(p), pct(ci[0]), pct(ci[1]))
}

/// A quantile of `s`: marked `≈` where its block has a `within` bound (read
/// from histogram bins that hold more than one value), see [`grouped_note`].
fn quantile(s: &crate::stats::Stats, x: f64) -> String {
    match s.within {
        Some(_) => format!("≈{}", thousands(x)),
        None => thousands(x),
    }
}

/// The note under the table when a quantile it prints is marked `≈`: the widest
/// bound of those figures.
fn grouped_note(o: &mut String, r: &Report) {
    let stats = r
        .totals
        .values()
        .flat_map(|t| [Some(&t.stats), t.committed.as_ref()]);
    let caps = r
        .domains
        .values()
        .flat_map(|d| d.capabilities.values())
        .chain(r.force.iter().flat_map(|f| f.capabilities.values()))
        .flat_map(|c| [Some(&c.provided), Some(&c.gap)]);
    let days = r.timeline.iter().flat_map(|t| {
        let domains = t.days_to_coverage.values();
        std::iter::once(&t.days_to_all_covered)
            .chain(domains)
            .chain(t.days_to_force.iter())
            .map(|d| d.within)
    });
    let widest = stats
        .chain(caps)
        .flatten()
        .map(|s| s.within)
        .chain(days)
        .flatten()
        .fold(None, |m: Option<f64>, w| Some(m.map_or(w, |m| m.max(w))));
    if let Some(w) = widest {
        let _ = writeln!(
            o,
            "\n≈ read from histogram bins that hold more than one value (values over a wide range): within ±{} of the exact figure; the JSON's `within` gives each figure's bound",
            thousands(w)
        );
    }
}

/// The readable summary printed by `forcesim run`.
pub fn to_table(r: &Report) -> String {
    let mut o = String::new();
    header(&mut o, r);
    if r.is_empty() {
        let _ = writeln!(
            o,
            "\nNo trial finished: the run stopped before its first block, so there are no figures."
        );
        return o;
    }
    if !headline(&mut o, r) {
        return o;
    }
    force_size(&mut o, r);
    coverage(&mut o, r);
    requirements(&mut o, r);
    sustainability(&mut o, r);
    swings(&mut o, r);
    timeline(&mut o, r);
    grouped_note(&mut o, r);
    o
}

/// P(all covered), and with a mission P(mounted) and P(overall) first; false
/// when no trial mounted the mission (there is then no other figure to show).
fn headline(o: &mut String, r: &Report) -> bool {
    let all = if r.force.is_some() {
        "all domains and the force covered"
    } else {
        "all domains covered"
    };
    if r.mission.is_empty() {
        let mut all = all.to_string();
        all[..1].make_ascii_uppercase();
        let _ = writeln!(
            o,
            "\n{all}: {}",
            with_ci(r.p_all_covered, r.p_all_covered_ci95)
        );
        return true;
    }
    let mission: Vec<String> = r.mission.iter().map(|c| escape(c).into_owned()).collect();
    let _ = writeln!(
        o,
        "\nMission mounted: {}  in {} of {} trials (requires {})",
        with_ci(r.p_mounted, r.p_mounted_ci95),
        thousands(r.mounted_trials as f64),
        thousands(r.trials as f64),
        mission.join(", ")
    );
    if r.mounted_trials == 0 {
        let _ = writeln!(
            o,
            "\nNo trial mounted the mission, so there are no figures for the force (overall: {}).",
            with_ci(r.p_all_covered_overall, r.p_all_covered_overall_ci95)
        );
        return false;
    }
    let _ = writeln!(
        o,
        "If mounted, {all}: {}; overall {}",
        with_ci(r.p_all_covered, r.p_all_covered_ci95),
        with_ci(r.p_all_covered_overall, r.p_all_covered_overall_ci95)
    );
    let _ = writeln!(
        o,
        "Every figure below is over the {} mounted trials: a share of them, not of every trial.",
        thousands(r.mounted_trials as f64)
    );
    true
}

/// Name, run line, overrides and precision.
fn header(o: &mut String, r: &Report) {
    let _ = writeln!(o, "{}", escape(&r.scenario.name));
    let _ = writeln!(
        o,
        "{} trials · seed {} · {} thread{} · {:.2} s ({} trials/s){}",
        thousands(r.trials as f64),
        r.seed,
        r.engine.threads,
        if r.engine.threads == 1 { "" } else { "s" },
        r.engine.elapsed_s,
        thousands(r.engine.trials_per_s),
        if r.interrupted { " · INTERRUPTED" } else { "" }
    );
    for o_ in &r.overrides {
        let _ = writeln!(o, "override: {}", escape(o_));
    }
    if let Some(p) = &r.precision {
        let reached = if p.half_width.is_finite() {
            format!("{:.4} {}", p.half_width, if p.met { "≤" } else { ">" })
        } else {
            "– (no interval: no trial mounted the mission), against".to_string()
        };
        let _ = writeln!(
            o,
            "precision: 95 % half-width of {} {reached} target {} after {} trials{}",
            escape(&p.on),
            crate::math::brief(p.target),
            thousands(p.trials as f64),
            if p.met {
                String::new()
            } else if r.interrupted {
                " · NOT MET: interrupted".to_string()
            } else {
                format!(
                    " · NOT MET: the cap of {} trials was reached (raise -n)",
                    thousands(p.max_trials as f64)
                )
            }
        );
    }
}

/// One row of the force-size table.
fn force_row(o: &mut String, id: &str, unit: &str, s: &crate::stats::Stats) {
    let _ = writeln!(
        o,
        "  {:<14} {:<18} {:>10} {:>10} {:>10} {:>10}",
        escape(id),
        escape(unit),
        thousands(s.mean),
        quantile(s, s.p05),
        quantile(s, s.p50),
        quantile(s, s.p95)
    );
}

/// Totals across domains, with the committed force and the thresholds.
fn force_size(o: &mut String, r: &Report) {
    if r.totals.is_empty() {
        return;
    }
    let _ = writeln!(o, "\nForce size (total across domains)");
    let _ = writeln!(
        o,
        "  {:<14} {:<18} {:>10} {:>10} {:>10} {:>10}",
        "capability", "unit", "mean", "p05", "median", "p95"
    );
    for (id, t) in &r.totals {
        let unit = r.capabilities.get(id).map_or("", |c| c.unit.as_str());
        force_row(o, id, unit, &t.stats);
        match &t.committed {
            Some(c) if rotated(r) => force_row(o, "", "committed (rot.)", c),
            _ => {}
        }
    }
    for (id, list) in &r.thresholds {
        let parts: Vec<String> = list
            .iter()
            .map(|t| format!("≥ {}: {}", thousands(t.at_least as f64), pct(t.p)))
            .collect();
        let _ = writeln!(o, "  P({} total {})", escape(id), parts.join(" · "));
    }
}

/// Whether a nation holds more than it deploys (a rotation above 1): only then
/// does the force-size table show the committed force.
fn rotated(r: &Report) -> bool {
    r.nations.values().any(|n| n.rotation > 1)
}

/// The nations whose pool binds most often, and the committed force beside the
/// deployed one per capability; only when some nation has a pool.
fn sustainability(o: &mut String, r: &Report) {
    let mut pools: Vec<(&str, &str, &super::PoolFigures, u64)> = r
        .nations
        .iter()
        .flat_map(|(n, f)| {
            f.pools
                .iter()
                .map(move |(c, p)| (n.as_str(), c.as_str(), p, f.rotation))
        })
        .collect();
    if pools.is_empty() {
        return;
    }
    // Most often binding first; never-taking-part (not a number) last.
    let key = |p: f64| if p.is_finite() { p } else { -1.0 };
    pools.sort_by(|a, b| {
        key(b.2.p_binds)
            .total_cmp(&key(a.2.p_binds))
            .then(a.0.cmp(b.0))
    });
    let _ = writeln!(
        o,
        "\nSustainability (pools: deployed × rotation held against what each nation has)"
    );
    let _ = writeln!(
        o,
        "  {:<8} {:<12} {:>10} {:>8} {:>10} {:>10}",
        "nation", "capability", "pool", "rot.", "P(binds)", "mean cut"
    );
    for (n, c, p, rot) in pools.iter().take(10) {
        let cut = p.cut.map_or_else(|| "–".to_string(), |s| thousands(s.mean));
        let _ = writeln!(
            o,
            "  {:<8} {:<12} {:>10} {:>8} {:>10} {:>10}",
            escape(n),
            escape(c),
            thousands(p.pool),
            rot,
            pct(p.p_binds),
            cut
        );
    }
    if pools.len() > 10 {
        let _ = writeln!(
            o,
            "  … and {} more pools (see the JSON report)",
            pools.len() - 10
        );
    }
    let _ = writeln!(
        o,
        "  {:<14} {:>13} {:>13} {:>13} {:>13}",
        "capability", "deployed mean", "committed", "deployed p95", "committed p95"
    );
    for (id, t) in &r.totals {
        let Some(c) = &t.committed else { continue };
        let _ = writeln!(
            o,
            "  {:<14} {:>13} {:>13} {:>13} {:>13}",
            escape(id),
            thousands(t.stats.mean),
            thousands(c.mean),
            quantile(&t.stats, t.stats.p95),
            quantile(c, c.p95)
        );
    }
    let _ = writeln!(
        o,
        "  (deployed: after pool cuts; committed: deployed × each nation's rotation)"
    );
}

/// P(covered) per domain, its interval, leaderless share and leads; the whole
/// force last. When a lead fell short in any trial, the leaderless share is
/// split into "short" (entries took part but none provided its share) and "no
/// candidate" (no entry took part).
fn coverage(o: &mut String, r: &Report) {
    let split = r
        .domains
        .values()
        .any(|d| d.p_lead_short.is_finite() && d.p_lead_short > 0.0);
    let _ = writeln!(o, "\nCoverage by domain");
    let extra = if split {
        format!(" {:>8} {:>9}", "short", "no cand.")
    } else {
        String::new()
    };
    let _ = writeln!(
        o,
        "  {:<14} {:>10} {:>17} {:>11}{extra}  lead (share of trials)",
        "domain", "P(covered)", "95 % CI", "leaderless"
    );
    for (id, d) in &r.domains {
        let leads: Vec<String> = d
            .lead_share
            .iter()
            .filter(|(_, s)| **s > 0.0)
            .map(|(n, s)| format!("{} {}", escape(n), whole_pct(*s)))
            .collect();
        let lead = match (leads.is_empty(), d.lead_share.is_empty()) {
            (false, _) => leads.join(", "),
            (true, true) => "no lead needed".into(),
            (true, false) => "none".into(),
        };
        let shown = |p: f64| {
            if d.lead_share.is_empty() {
                "—".to_string()
            } else {
                pct(p)
            }
        };
        let extra = if split {
            format!(
                " {:>8} {:>9}",
                shown(d.p_lead_short),
                shown(d.p_no_lead_candidate)
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "  {:<14} {:>10} {:>17} {:>11}{extra}  {}",
            escape(id),
            pct(d.p_covered),
            ci_text(d.p_covered_ci95),
            shown(d.p_leaderless),
            lead
        );
    }
    if let Some(f) = &r.force {
        let _ = writeln!(
            o,
            "  {:<14} {:>10} {:>17}",
            FORCE,
            pct(f.p_covered),
            ci_text(f.p_covered_ci95)
        );
    }
}

/// The row name of the whole force (`[force]`) in the tables.
const FORCE: &str = "whole force";

/// An interval as `34.8–35.2 %` ([`NOT_FINITE`] when no trial gave it).
fn ci_text(ci: [f64; 2]) -> String {
    crate::present::pct_range(ci)
}

/// The ten requirements most often short.
fn requirements(o: &mut String, r: &Report) {
    let mut gaps: Vec<(&str, &str, &CapabilityFigures)> = r
        .domains
        .iter()
        .flat_map(|(d, f)| {
            f.capabilities
                .iter()
                .filter(|(_, c)| c.required > 0.0)
                .map(move |(c, fig)| (d.as_str(), c.as_str(), fig))
        })
        .collect();
    if let Some(f) = &r.force {
        gaps.extend(
            f.capabilities
                .iter()
                .map(|(c, fig)| (FORCE, c.as_str(), fig)),
        );
    }
    gaps.sort_by(|a, b| a.2.p_met.total_cmp(&b.2.p_met).then(a.0.cmp(b.0)));
    if gaps.is_empty() {
        return;
    }
    let _ = writeln!(o, "\nRequirements (most often short first)");
    // Uncertain requirements read as their p05–p95 range (a wider column then).
    let ranged = gaps.iter().take(10).any(|g| g.2.required_p05_p95.is_some());
    let w = if ranged { 13 } else { 10 };
    let _ = writeln!(
        o,
        "  {:<14} {:<12} {:>w$} {:>13} {:>10} {:>10} {:>10}",
        "domain", "capability", "required", "provided p50", "P(met)", "gap p50", "gap p95"
    );
    for (d, c, f) in gaps.iter().take(10) {
        let _ = writeln!(
            o,
            "  {:<14} {:<12} {:>w$} {:>13} {:>10} {:>10} {:>10}",
            escape(d),
            escape(c),
            required_text(f),
            quantile(&f.provided, f.provided.p50),
            pct(f.p_met),
            quantile(&f.gap, f.gap.p50),
            quantile(&f.gap, f.gap.p95)
        );
    }
    if ranged {
        let _ = writeln!(
            o,
            "  (a range: the requirement is uncertain; its p05–p95 over the trials)"
        );
    }
}

/// The requirement: its value, or its p05–p95 range when it is uncertain.
pub fn required_text(f: &crate::report::CapabilityFigures) -> String {
    match f.required_p05_p95 {
        Some([lo, hi]) if lo != hi => format!("{}–{}", thousands(lo), thousands(hi)),
        Some([lo, _]) => thousands(lo),
        None => thousands(f.required),
    }
}

/// The eight nations whose decision moves P(all covered) most.
fn swings(o: &mut String, r: &Report) {
    let mut swings: Vec<(&str, f64, f64)> = r
        .nations
        .iter()
        .filter_map(|(id, n)| n.swing.map(|s| (id.as_str(), s, n.p_participates)))
        .collect();
    swings.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(b.0)));
    if swings.is_empty() {
        return;
    }
    let _ = writeln!(o, "\nWhose decision matters most (swing on P(all covered))");
    let _ = writeln!(o, "  {:<8} {:>10} {:>10}", "nation", "P(in)", "swing");
    for (id, s, p) in swings.iter().take(8) {
        let _ = writeln!(o, "  {:<8} {:>10} {:>10}", escape(id), pct(*p), pp(*s));
    }
}

/// Coverage by day, with `timeline_days`.
fn timeline(o: &mut String, r: &Report) {
    let Some(t) = &r.timeline else {
        return;
    };
    let _ = writeln!(o, "\nCoverage by day (nations' ready_days)");
    let mut head = format!("  {:<14}", "day");
    for d in &t.days {
        let _ = write!(head, " {:>8}", d);
    }
    let _ = writeln!(o, "{head}");
    let all = all_label(t);
    let rows = std::iter::once((all.to_string(), &t.p_all_covered))
        .chain(
            t.domains
                .iter()
                .map(|(id, ps)| (escape(id).into_owned(), ps)),
        )
        .chain(t.force.iter().map(|ps| (FORCE.to_string(), ps)));
    for (id, ps) in rows {
        let mut line = format!("  {:<14}", id);
        for p in ps {
            let _ = write!(line, " {:>8}", pct(*p));
        }
        let _ = writeln!(o, "{line}");
    }
    days_to_coverage(o, t);
}

/// The timeline's first row: every domain, and the force with `[force]`.
fn all_label(t: &crate::report::Timeline) -> &'static str {
    if t.force.is_some() {
        "all covered"
    } else {
        "all domains"
    }
}

/// Median and p90 of the days to coverage ("–": not covered in that share of
/// trials; ">36500": later than the limit of days).
fn days_to_coverage(o: &mut String, t: &crate::report::Timeline) {
    if t.days_to_coverage.is_empty() {
        return;
    }
    let _ = writeln!(o, "\nDays to coverage");
    let _ = writeln!(
        o,
        "  {:<14} {:>8} {:>8} {:>8}",
        "", "median", "p90", "never"
    );
    // The day after the limit stands for "later" (ready days past the limit).
    let after = crate::limits::MAX_DAYS + 1;
    let day = |d: Option<u64>, grouped: bool| match d {
        None => "–".to_string(),
        Some(d) if d >= after => format!(">{}", after - 1),
        Some(d) if grouped => format!("≈{d}"),
        Some(d) => d.to_string(),
    };
    let rows = std::iter::once((all_label(t).to_string(), &t.days_to_all_covered))
        .chain(
            t.days_to_coverage
                .iter()
                .map(|(id, d)| (escape(id).into_owned(), d)),
        )
        .chain(t.days_to_force.iter().map(|d| (FORCE.to_string(), d)));
    for (id, d) in rows {
        let _ = writeln!(
            o,
            "  {:<14} {:>8} {:>8} {:>8}",
            id,
            day(d.median, d.within.is_some()),
            day(d.p90, d.within.is_some()),
            pct(d.p_never)
        );
    }
}
