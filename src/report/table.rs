//! The terminal summary: force size, coverage per domain, biggest gaps, top swings.

use std::fmt::Write;

use super::Report;

/// `12345.6` → `12,346`.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg && out != "0" {
        out.insert(0, '-');
    }
    out
}

/// A probability as a percentage with one decimal.
pub fn pct(p: f64) -> String {
    format!("{:.1} %", 100.0 * p)
}

/// A signed difference of probabilities in percentage points.
pub fn pp(p: f64) -> String {
    format!("{:+.1} pp", 100.0 * p)
}

/// The readable summary printed by `forcesim run`.
pub fn to_table(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", r.scenario.name);
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
        let _ = writeln!(o, "override: {o_}");
    }
    if let Some(p) = &r.precision {
        let _ = writeln!(
            o,
            "precision: 95 % half-width of {} {:.4} {} target {} after {} trials{}",
            p.on,
            p.half_width,
            if p.met { "≤" } else { ">" },
            p.target,
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

    let _ = writeln!(
        o,
        "\nAll domains covered: {}  (95 % CI {}–{})",
        pct(r.p_all_covered),
        pct(r.p_all_covered_ci95[0]),
        pct(r.p_all_covered_ci95[1])
    );

    if !r.totals.is_empty() {
        let _ = writeln!(o, "\nForce size (total across domains)");
        let _ = writeln!(
            o,
            "  {:<14} {:<18} {:>10} {:>10} {:>10} {:>10}",
            "capability", "unit", "mean", "p05", "median", "p95"
        );
        for (id, t) in &r.totals {
            let unit = r.capabilities.get(id).map_or("", |c| c.unit.as_str());
            let s = &t.stats;
            let _ = writeln!(
                o,
                "  {:<14} {:<18} {:>10} {:>10} {:>10} {:>10}",
                id,
                unit,
                thousands(s.mean),
                thousands(s.p05),
                thousands(s.p50),
                thousands(s.p95)
            );
            if let Some(c) = &t.committed {
                let _ = writeln!(
                    o,
                    "  {:<14} {:<18} {:>10} {:>10} {:>10} {:>10}",
                    "",
                    "committed (rot.)",
                    thousands(c.mean),
                    thousands(c.p05),
                    thousands(c.p50),
                    thousands(c.p95)
                );
            }
        }
        for (id, list) in &r.thresholds {
            let parts: Vec<String> = list
                .iter()
                .map(|t| format!("≥ {}: {}", thousands(t.at_least as f64), pct(t.p)))
                .collect();
            let _ = writeln!(o, "  P({id} total {})", parts.join(" · "));
        }
    }

    let _ = writeln!(o, "\nCoverage by domain");
    let _ = writeln!(
        o,
        "  {:<14} {:>10} {:>17} {:>11}  lead (share of trials)",
        "domain", "P(covered)", "95 % CI", "leaderless"
    );
    for (id, d) in &r.domains {
        let leads: Vec<String> = d
            .lead_share
            .iter()
            .filter(|(_, s)| **s > 0.0)
            .map(|(n, s)| format!("{n} {:.0} %", 100.0 * s))
            .collect();
        let _ = writeln!(
            o,
            "  {:<14} {:>10} {:>17} {:>11}  {}",
            id,
            pct(d.p_covered),
            format!(
                "{:.1}–{:.1} %",
                100.0 * d.p_covered_ci95[0],
                100.0 * d.p_covered_ci95[1]
            ),
            if d.lead_share.is_empty() {
                "—".to_string()
            } else {
                pct(d.p_leaderless)
            },
            if leads.is_empty() {
                if d.lead_share.is_empty() {
                    "no lead needed".into()
                } else {
                    "none".into()
                }
            } else {
                leads.join(", ")
            }
        );
    }

    // Requirements, most often short first.
    let mut gaps: Vec<(&str, &str, &super::CapabilityFigures)> = r
        .domains
        .iter()
        .flat_map(|(d, f)| {
            f.capabilities
                .iter()
                .filter(|(_, c)| c.required > 0.0)
                .map(move |(c, fig)| (d.as_str(), c.as_str(), fig))
        })
        .collect();
    gaps.sort_by(|a, b| a.2.p_met.total_cmp(&b.2.p_met).then(a.0.cmp(b.0)));
    if !gaps.is_empty() {
        let _ = writeln!(o, "\nRequirements (most often short first)");
        let _ = writeln!(
            o,
            "  {:<14} {:<12} {:>10} {:>13} {:>10} {:>10} {:>10}",
            "domain", "capability", "required", "provided p50", "P(met)", "gap p50", "gap p95"
        );
        for (d, c, f) in gaps.iter().take(10) {
            let _ = writeln!(
                o,
                "  {:<14} {:<12} {:>10} {:>13} {:>10} {:>10} {:>10}",
                d,
                c,
                thousands(f.required),
                thousands(f.provided.p50),
                pct(f.p_met),
                thousands(f.gap.p50),
                thousands(f.gap.p95)
            );
        }
    }

    let mut swings: Vec<(&str, f64, f64)> = r
        .nations
        .iter()
        .filter_map(|(id, n)| n.swing.map(|s| (id.as_str(), s, n.p_participates)))
        .collect();
    swings.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(b.0)));
    if !swings.is_empty() {
        let _ = writeln!(o, "\nWhose decision matters most (swing on P(all covered))");
        let _ = writeln!(o, "  {:<8} {:>10} {:>10}", "nation", "P(in)", "swing");
        for (id, s, p) in swings.iter().take(8) {
            let _ = writeln!(o, "  {:<8} {:>10} {:>10}", id, pct(*p), pp(*s));
        }
    }

    if let Some(t) = &r.timeline {
        let _ = writeln!(o, "\nCoverage by day (nations' ready_days)");
        let mut head = format!("  {:<14}", "day");
        for d in &t.days {
            let _ = write!(head, " {:>8}", d);
        }
        let _ = writeln!(o, "{head}");
        let mut line = format!("  {:<14}", "all domains");
        for p in &t.p_all_covered {
            let _ = write!(line, " {:>8}", pct(*p));
        }
        let _ = writeln!(o, "{line}");
        for (id, ps) in &t.domains {
            let mut line = format!("  {:<14}", id);
            for p in ps {
                let _ = write!(line, " {:>8}", pct(*p));
            }
            let _ = writeln!(o, "{line}");
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234.0), "1,234");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(-20000.0), "-20,000");
    }
}
