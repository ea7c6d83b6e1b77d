//! Synthetic scenarios of any size, for benchmarks and scale tests.
//!
//! [`scenario`] writes a valid scenario with `nations` nations and `domains`
//! domains that looks like the reference coalition: a few lead nations, blocs of
//! correlated nations, a backstop condition with caps, approval gates, PERT and
//! triangular contributions, and readiness. Requirements grow with the coalition so
//! that coverage stays informative (neither always nor never) at every size.

use std::fmt::Write;

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

const CAPABILITIES: [(&str, &str, f64); 8] = [
    ("troops", "personnel", 600.0),
    ("aircraft", "combat aircraft", 4.0),
    ("vessels", "ships", 1.5),
    ("monitors", "observers", 40.0),
    ("trainers", "instructors", 60.0),
    ("engineers", "personnel", 80.0),
    ("medics", "personnel", 30.0),
    ("drones", "systems", 10.0),
];

fn unit(rng: &mut Xoshiro256PlusPlus) -> f64 {
    crate::dist::unit(rng)
}

/// A scenario with `nations` nations (≥ 2) and `domains` domains (1 to 8), as TOML.
pub fn scenario(nations: usize, domains: usize, seed: u64) -> String {
    let nations = nations.max(2);
    let domains = domains.clamp(1, CAPABILITIES.len());
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut s = String::new();
    header(&mut s, nations, domains, seed);
    let blocs = (nations / 8).max(1);
    for b in 0..blocs {
        let _ = writeln!(
            s,
            "[blocs.b{b}]\ncorrelation = {:.2}\n",
            0.2 + 0.4 * unit(&mut rng)
        );
    }
    domain_tables(&mut s, nations, domains);
    for n in 0..nations {
        nation(&mut s, &mut rng, n, domains, blocs);
    }
    s
}

fn id(n: usize) -> String {
    format!("N{n:03}")
}

/// The scenario, simulation, report, capabilities and conditions tables.
fn header(s: &mut String, nations: usize, domains: usize, seed: u64) {
    let _ = writeln!(
        s,
        "[scenario]\nname = \"Synthetic coalition: {nations} nations, {domains} domains\"\n"
    );
    let _ = writeln!(
        s,
        "[simulation]\ntrials = 100_000\nseed = {seed}\ntimeline_days = [30, 90, 180]\n"
    );
    let _ = writeln!(
        s,
        "[report]\nthresholds = {{ troops = [15_000, 20_000, 30_000] }}\n"
    );
    let _ = writeln!(s, "[capabilities]");
    for (id, unit, _) in CAPABILITIES.iter().take(domains) {
        let _ = writeln!(s, "{id} = {{ unit = \"{unit}\" }}");
    }
    let _ = writeln!(s, "\n[conditions.backstop]\nprobability = 0.75\n");
}

/// The domains: domain d requires capability d; its lead list is three nations.
fn domain_tables(s: &mut String, nations: usize, domains: usize) {
    for (d, (cap, _, per)) in CAPABILITIES.iter().enumerate().take(domains) {
        // About 55 % of the nations take part on average; ask for a bit less than
        // the expected supply so that coverage is informative.
        let need = (per * nations as f64 * 0.45).round().max(1.0);
        let mut leads: Vec<String> = (0..3)
            .map(|k| format!("\"{}\"", id((d + k * 7) % nations)))
            .collect();
        leads.sort();
        leads.dedup();
        let _ = writeln!(
            s,
            "[domains.d{d}]\nlead = [{}]\nrequirements = {{ {cap} = {need} }}\n",
            leads.join(", ")
        );
    }
}

/// Nation `n`'s table.
fn nation(s: &mut String, rng: &mut Xoshiro256PlusPlus, n: usize, domains: usize, blocs: usize) {
    let p = 0.55 + 0.4 * unit(rng);
    let _ = writeln!(s, "[nations.{}]\nparticipation = {p:.3}", id(n));
    if n.is_multiple_of(3) {
        let _ = writeln!(
            s,
            "approval = [{{ body = \"parliament\", probability = {:.2} }}]",
            0.7 + 0.3 * unit(rng)
        );
    }
    if n % 4 == 1 {
        let _ = writeln!(s, "if_absent = {{ backstop = 0.4, {} = 0.5 }}", id(0));
    } else if n % 4 == 2 {
        let _ = writeln!(s, "if_absent = {{ backstop = 0.5 }}");
    }
    if n % 5 != 4 {
        let _ = writeln!(s, "bloc = \"b{}\"", n % blocs);
    }
    let fast = 10 + (unit(rng) * 30.0) as u64;
    let _ = writeln!(
        s,
        "ready_days = {{ triangular = [{fast}, {}, {}] }}",
        fast * 2,
        fast * 5
    );
    // Each nation contributes to one or two domains.
    let first = n % domains;
    let mut gives = vec![first];
    if domains > 1 && n.is_multiple_of(2) {
        gives.push((first + 1 + n / 2) % domains);
    }
    gives.dedup();
    for d in gives {
        let (cap, _, per) = CAPABILITIES[d];
        let mode = (per * (0.5 + unit(rng))).round().max(1.0);
        let form = if (n + d).is_multiple_of(2) {
            format!(
                "{{ pert = [{}, {mode}, {}] }}",
                (mode * 0.5).floor(),
                (mode * 2.0).ceil()
            )
        } else {
            format!(
                "{{ triangular = [{}, {mode}, {}] }}",
                (mode * 0.6).floor(),
                (mode * 1.6).ceil()
            )
        };
        let _ = writeln!(s, "contributions.d{d}.{cap} = {form}");
    }
    s.push('\n');
}

/// A small scenario that uses every form of distribution, drawn probabilities
/// (participation, a condition, an `if_absent` cap), a bloc, approvals, readiness,
/// thresholds and a timeline: for tests that must touch every path of the engine.
pub const EVERY_FORM: &str = r#"
[scenario]
name = "every form"
[simulation]
timeline_days = [10, 40, 90]
[report]
thresholds = { troops = [3000, 6000] }
[capabilities]
troops = { unit = "personnel" }
ships = { unit = "ships" }
[conditions.backstop]
probability = { uniform = [0.5, 0.9] }
[blocs.west]
correlation = 0.3
[domains.land]
lead = ["A", "B"]
requirements = { troops = { triangular = [3000, 4000, 6000] } }
[domains.sea]
lead = ["C"]
requirements = { ships = { discrete = { values = [3, 4], weights = [1, 2] } } }
[nations.A]
participation = { pert = [0.6, 0.8, 0.95] }
approval = [{ body = "parliament", probability = 0.9 }]
bloc = "west"
ready_days = { triangular = [5, 20, 60] }
contributions.land.troops = { pert = [1500, 2500, 4000] }
[nations.B]
participation = 0.7
bloc = "west"
if_absent = { A = 0.3, backstop = { uniform = [0.2, 0.4] } }
ready_days = { lognormal = { median = 25, sigma = 0.5 } }
contributions.land.troops = { normal = { mean = 2000, sd = 300 } }
contributions.sea.ships = { discrete = { values = [2, 3, 4], weights = [1, 1, 1] } }
[nations.C]
participation = 0.6
contributions.sea.ships = { uniform = [1, 4] }
contributions.land.troops = { lognormal = { median = 500, sigma = 0.3 } }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_scenarios_are_valid_at_every_size() {
        for (n, d) in [(2, 1), (10, 3), (35, 5), (300, 8)] {
            let text = scenario(n, d, 1);
            if let Err(e) = crate::scenario::parse("synthetic.toml", &text, &[]) {
                panic!("{n} nations, {d} domains:\n{e}");
            }
        }
    }

    #[test]
    fn same_seed_same_text() {
        assert_eq!(scenario(35, 5, 3), scenario(35, 5, 3));
        assert_ne!(scenario(35, 5, 3), scenario(35, 5, 4));
    }
}
