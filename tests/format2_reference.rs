//! forcesim against the independent NumPy implementation (benches/numpy_reference.py)
//! on format-2 scenarios written for this test: every figure the reference computes
//! (the mission gate, coverage, leads short or without candidate, lead shares by
//! entry label, the force, gaps, drawn requirements, totals, the timeline with its
//! force row) must agree within 5 standard errors. And the reference itself agrees
//! with exact enumeration on tiny scenarios (benches/numpy_reference_check.py).
//! Skips, saying so, where python3 or NumPy is missing.

mod common;

use std::path::Path;
use std::process::Command;

use common::{forcesim, scratch, write};

const TRIALS: &str = "200000";

/// python3 with NumPy and tomllib (Python 3.11+), if there is one.
fn python() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy, tomllib"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs forcesim and the reference on `text`, and asserts that they agree.
fn agree(name: &str, text: &str, seed: u64) {
    let tmp = scratch();
    let s = write(tmp.path(), &format!("{name}.toml"), text);
    agree_on(name, &s, seed);
}

/// Runs forcesim and the reference on the scenario file `s`, and asserts that they agree.
fn agree_on(name: &str, s: &Path, seed: u64) {
    if !python() {
        eprintln!("skipping {name}: python3 with NumPy (and Python 3.11+) is not available");
        return;
    }
    let tmp = scratch();
    let report = tmp.path().join("report.json");
    forcesim()
        .args([
            "run",
            "-n",
            TRIALS,
            "--seed",
            &seed.to_string(),
            "-q",
            "--json",
        ])
        .arg(&report)
        .arg(s)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report written")).expect("JSON");
    assert_eq!(json["format"], "forcesim-report/2");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/numpy_reference.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(s)
        .args(["-n", TRIALS, "--seed", &(seed + 1).to_string(), "--compare"])
        .arg(&report)
        .env("OMP_NUM_THREADS", "1")
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name}: forcesim and the NumPy reference disagree:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The comparison covered the format-2 figures, not only the old ones.
    for figure in ["p_mounted", "p_all_covered_overall"] {
        assert!(stdout.contains(figure), "{name}: {figure} not compared");
    }
    // And the finite-force figures, where the scenario has pools.
    let pooled = json["nations"].as_object().is_some_and(|ns| {
        ns.values()
            .any(|n| n["pools"].as_object().is_some_and(|p| !p.is_empty()))
    });
    if pooled {
        for figure in [".p_binds", ".cut.mean", ".committed.mean"] {
            assert!(stdout.contains(figure), "{name}: {figure} not compared");
        }
    }
    eprintln!("{name}: {}", stdout.lines().last().unwrap_or(""));
}

/// A two-condition gate (one drawn probability); effects with drawn scales on a
/// domain requirement, on the whole force and on contributions; `if_present` on a
/// condition and on a nation; a nation scale; co-lead groups with obligations on
/// two capabilities; drawn contributions, requirements and readiness; a bloc; the
/// force on two capabilities; a timeline with its force row.
const DRAWN_GATE: &str = r#"
[scenario]
name = "northern flank, drawn"
[simulation]
timeline_days = [14, 45, 100]
[report]
thresholds = { troops = [3000, 6000] }
[capabilities]
troops = { unit = "personnel" }
hq = { unit = "headquarters" }
jets = { unit = "aircraft" }
[conditions.accord]
probability = 0.75
[conditions.host_consent]
probability = { uniform = [0.6, 0.95] }
[conditions.winter]
probability = 0.4
[[conditions.winter.effects]]
when = true
scale = { uniform = [1.1, 1.5] }
targets = ["domains.north.requirements.troops", "force.requirements.troops"]
[[conditions.winter.effects]]
when = true
scale = { pert = [0.5, 0.8, 1.0] }
targets = ["nations.ITA.contributions", "nations.ESP.contributions.north"]
[conditions.airbase]
probability = 0.55
[[conditions.airbase.effects]]
scale = { discrete = { values = [0.0, 0.5], weights = [1, 2] } }
targets = ["nations.NOR.contributions.air.jets", "domains.air.requirements"]
[blocs.nordic]
correlation = 0.5
[mission]
requires = ["accord", "host_consent"]
[force]
requirements = { troops = { triangular = [4000, 5500, 7000] }, jets = 18 }
[domains.north]
lead = [["NOR", "SWE"], "FIN", ["ITA", "ESP"]]
lead_provides = { troops = 0.35, hq = 1.0 }
requirements = { troops = { pert = [3500, 4500, 6000] }, hq = 1 }
[domains.air]
lead = ["SWE", "NOR", "ITA"]
lead_provides = { jets = 0.25 }
requirements = { jets = { uniform = [10, 20] } }
[domains.logistics]
requirements = { troops = 600 }
[nations.NOR]
participation = 0.85
bloc = "nordic"
ready_days = { triangular = [5, 15, 40] }
contributions.north.troops = { triangular = [800, 1300, 2000] }
contributions.north.hq = 1
contributions.air.jets = { pert = [4, 8, 12] }
[nations.SWE]
participation = 0.75
bloc = "nordic"
if_present = { winter = 0.6 }
ready_days = { uniform = [10, 60] }
contributions.north.troops = { pert = [700, 1200, 1800] }
contributions.air.jets = { discrete = { values = [4, 6, 10], weights = [1, 2, 1] } }
[nations.FIN]
participation = 0.9
bloc = "nordic"
if_absent = { NOR = 0.6 }
contributions.north.troops = { lognormal = { median = 1500, sigma = 0.25 } }
contributions.north.hq = 1
contributions.logistics.troops = 200
[nations.ITA]
participation = 0.6
if_present = { SWE = 0.5 }
scale = 0.85
ready_days = 30
contributions.north.troops = { normal = { mean = 1100, sd = 250 } }
contributions.air.jets = 6
contributions.logistics.troops = { uniform = [200, 500] }
[nations.ESP]
participation = 0.55
ready_days = { triangular = [20, 50, 120] }
contributions.north.troops = { triangular = [500, 900, 1400] }
contributions.north.hq = 1
contributions.logistics.troops = 300
"#;

#[test]
fn drawn_gate_effects_co_leads_and_force_agree_with_numpy() {
    agree("drawn_gate", DRAWN_GATE, 4242);
}

/// No mission, no force: effects stacking on one value (three of them, one a
/// discrete scale with 0), a scale on a fixed requirement, a zero-scaled nation that still leads where no
/// obligation binds, an approval gate, a fixed decision, a cap both `if_absent`
/// and `if_present` on one nation, single-nation leads with an obligation of
/// share 1, and a timeline on which leads wait for readiness.
const STACKED_EFFECTS: &str = r#"
[scenario]
name = "southern ports, stacked effects"
[simulation]
timeline_days = [7, 21, 60, 150]
[capabilities]
ships = { unit = "ships" }
troops = { unit = "personnel" }
[conditions.strike]
probability = 0.3
[[conditions.strike.effects]]
when = true
scale = { discrete = { values = [0.0, 0.6, 1.0], weights = [1, 1, 2] } }
targets = ["nations.GRC.contributions.ports"]
[[conditions.strike.effects]]
when = true
scale = 1.3
targets = ["domains.ports.requirements", "nations.GRC.contributions.ports.ships", "domains.harbour.requirements.troops"]
[conditions.calm]
probability = 0.65
[[conditions.calm.effects]]
when = false
scale = { triangular = [0.7, 0.9, 1.0] }
targets = ["nations.GRC.contributions", "nations.CYP.contributions.harbour.troops"]
[domains.ports]
lead = ["HRV", "GRC", "MLT"]
lead_provides = { ships = 0.3 }
requirements = { ships = { triangular = [5, 8, 12] } }
[domains.harbour]
lead = ["HRV", "CYP"]
lead_provides = { troops = 1.0 }
requirements = { troops = 300 }
[domains.patrol]
lead = ["HRV", "MLT"]
requirements = { ships = 2 }
[nations.HRV]
participation = 0.8
scale = 0.0
ready_days = { uniform = [5, 30] }
contributions.ports.ships = 3
contributions.harbour.troops = 400
[nations.GRC]
participation = 0.7
approval = [{ body = "Hellenic Parliament", probability = 0.9 }]
ready_days = { triangular = [10, 25, 70] }
contributions.ports.ships = { pert = [3, 5, 8] }
contributions.patrol.ships = 1
[nations.MLT]
participation = 0.5
if_absent = { GRC = 0.3 }
if_present = { GRC = 0.35, strike = 0.2 }
contributions.ports.ships = { discrete = { values = [1, 2, 3] } }
contributions.patrol.ships = 1
[nations.CYP]
participation = 0.3
decision = "in"
ready_days = 40
contributions.harbour.troops = { uniform = [250, 450] }
contributions.patrol.ships = 1
"#;

#[test]
fn stacked_effects_and_zero_scaled_leads_agree_with_numpy() {
    agree("stacked_effects", STACKED_EFFECTS, 77);
}

/// A format-1 file (no format-2 key): the figures it had, but on the timeline the
/// leads now wait for readiness.
const FORMAT_1: &str = r#"
[scenario]
name = "format 1, leads ready late"
[simulation]
timeline_days = [10, 30, 90]
[capabilities]
troops = { unit = "personnel" }
[conditions.backing]
probability = 0.7
[domains.east]
lead = ["POL", "LTU"]
requirements = { troops = { uniform = [1500, 2500] } }
[domains.rear]
requirements = { troops = 400 }
[nations.POL]
participation = 0.8
if_absent = { backing = 0.4 }
ready_days = { triangular = [30, 60, 120] }
contributions.east.troops = { triangular = [300, 500, 800] }
[nations.LTU]
participation = 0.7
ready_days = { uniform = [20, 50] }
contributions.east.troops = 400
contributions.rear.troops = 250
[nations.DEU]
participation = 0.85
contributions.east.troops = { pert = [1200, 1800, 2600] }
contributions.rear.troops = { uniform = [100, 400] }
"#;

#[test]
fn a_format_1_file_agrees_with_numpy() {
    agree("format_1", FORMAT_1, 5);
}

/// Nations with finite forces: a scenario rotation (2) that one nation overrides (3)
/// and one keeps; pools that bind often, one fixed and two drawn, one spread over two
/// domains and one on a capability a nation provides in one domain only; a scenario
/// ambition (0.4) that one nation overrides (0.8) and one turns off (0), on pert,
/// triangular, uniform, normal, lognormal and discrete contributions beside fixed
/// ones; an effect and a nation scale before the cut; leads with an obligation on a
/// pooled capability; the force and a timeline on the cut values.
const FINITE_FORCES: &str = r#"
[scenario]
name = "finite forces"
rotation = 2
ambition = 0.4
[simulation]
timeline_days = [10, 25]
[capabilities]
troops = { unit = "personnel" }
jets = { unit = "aircraft" }
[conditions.escalation]
probability = 0.4
[[conditions.escalation.effects]]
when = true
scale = { uniform = [1.1, 1.6] }
targets = ["nations.GBR.contributions.land.troops", "domains.land.requirements.troops"]
[force]
requirements = { troops = 5200, jets = 14 }
[domains.land]
lead = ["GBR", ["FRA", "BEL"], "POL"]
lead_provides = { troops = 0.3 }
requirements = { troops = { pert = [3000, 4000, 5500] } }
[domains.air]
lead = ["FRA", "GBR"]
requirements = { jets = { triangular = [8, 12, 16] }, troops = 300 }
[nations.GBR]
participation = 0.85
rotation = 3
ready_days = { uniform = [5, 30] }
pool = { troops = { pert = [4000, 6000, 9000] } }
contributions.land.troops = { pert = [1200, 1800, 2600] }
contributions.air.troops = { triangular = [100, 200, 350] }
contributions.air.jets = { discrete = { values = [8, 4, 6], weights = [1, 2, 1] } }
[nations.FRA]
participation = 0.8
ambition = 0.8
scale = 0.9
pool = { troops = 3600, jets = { uniform = [10, 20] } }
contributions.land.troops = { normal = { mean = 1500, sd = 300 } }
contributions.air.troops = 150
contributions.air.jets = { pert = [4, 7, 10] }
[nations.BEL]
participation = 0.6
rotation = 1
ambition = 0
pool = { troops = { triangular = [300, 500, 800] } }
contributions.land.troops = { uniform = [300, 700] }
[nations.POL]
participation = 0.7
ready_days = 20
pool = { troops = { uniform = [1500, 2600] } }
contributions.land.troops = { lognormal = { median = 1000, sigma = 0.3 } }
contributions.air.troops = { uniform = [50, 150] }
"#;

#[test]
fn pools_rotation_and_ambition_agree_with_numpy() {
    agree("finite_forces", FINITE_FORCES, 1414);
}

/// The shipped scenarios (the reference one and its 30,000 variant, which extends it).
#[test]
fn shipped_scenarios_agree_with_numpy() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for (name, seed) in [("paris-2026", 20260106), ("paris-2026-30k", 30)] {
        agree_on(name, &dir.join(format!("{name}.toml")), seed);
    }
}

/// Tiny scenarios for the reference's own check: a two-condition gate, an
/// `if_present` cap on a nation, a discrete effect on the force and a contribution,
/// a co-lead group with obligations on two capabilities, a timeline with its force row.
const TINY_GATE: &str = r#"
[scenario]
name = "tiny gate"
[simulation]
timeline_days = [3, 12, 40]
[capabilities]
troops = { unit = "personnel" }
hq = { unit = "headquarters" }
[conditions.vote]
probability = 0.8
[conditions.talks]
probability = 0.65
[conditions.surge]
probability = 0.45
[[conditions.surge.effects]]
when = true
scale = { discrete = { values = [1.2, 1.7], weights = [2, 1] } }
targets = ["force.requirements", "nations.BEL.contributions.centre.troops"]
[mission]
requires = ["vote", "talks"]
[force]
requirements = { troops = 2600 }
[domains.centre]
lead = [["NLD", "BEL"], "LUX"]
lead_provides = { troops = 0.5, hq = 1 }
requirements = { troops = 2000, hq = 1 }
[domains.reserve]
lead = ["LUX"]
requirements = { troops = 300 }
[nations.NLD]
participation = 0.7
ready_days = 10
contributions.centre.troops = 900
contributions.centre.hq = 1
[nations.BEL]
participation = 0.6
if_present = { NLD = 0.45, surge = 0.5 }
ready_days = 2
contributions.centre.troops = 700
[nations.LUX]
participation = 0.9
if_absent = { BEL = 0.5 }
ready_days = 20
contributions.centre.troops = 1100
contributions.centre.hq = 1
contributions.reserve.troops = 400
"#;

/// A gate that never opens: every conditional figure is null.
const TINY_CLOSED: &str = r#"
[scenario]
name = "tiny closed gate"
[simulation]
timeline_days = [10]
[capabilities]
troops = { unit = "personnel" }
[conditions.never]
probability = 0
[mission]
requires = ["never"]
[force]
requirements = { troops = 1 }
[domains.d]
lead = ["A"]
requirements = { troops = 1 }
[nations.A]
participation = 0.5
contributions.d.troops = 2
"#;

#[test]
fn the_numpy_reference_agrees_with_exact_enumeration() {
    if !python() {
        eprintln!("skipping: python3 with NumPy (and Python 3.11+) is not available");
        return;
    }
    let tmp = scratch();
    let a = write(tmp.path(), "gate.toml", TINY_GATE);
    let b = write(tmp.path(), "closed.toml", TINY_CLOSED);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/numpy_reference_check.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&a)
        .arg(&b)
        .args(["-n", "200000", "--seed", "8"])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the NumPy reference disagrees with exact enumeration:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("centre.lead_share.NLD+BEL"), "{stdout}");
    assert!(stdout.contains("timeline.force.day12"), "{stdout}");
}

/// Values at forcesim's limits (benches/reference_limits_check.py writes the
/// scenario): a pool cut whose v × T is far beyond int64, `lead_provides` shares of
/// 7 and 19 decimals with entries one short of and exactly at their need, totals
/// far above 2^22. Most of its figures hold in every trial, so they must be equal.
#[test]
fn values_at_the_limits_agree_with_numpy() {
    if !python() {
        eprintln!("skipping: python3 with NumPy (and Python 3.11+) is not available");
        return;
    }
    let tmp = scratch();
    let s = tmp.path().join("limits.toml");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference_limits_check.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg("--write")
        .arg(&s)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    agree_on("values_at_the_limits", &s, 99);
}

/// Both references (Numba where it is installed) against figures computed exactly
/// in Python integers at values near the limits: exact pool cuts, obligations and
/// quantiles, in memory that does not grow with the values.
#[test]
fn the_references_are_exact_at_the_limits() {
    if !python() {
        eprintln!("skipping: python3 with NumPy (and Python 3.11+) is not available");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference_limits_check.py");
    let out = Command::new("python3")
        .arg(&script)
        .env("OMP_NUM_THREADS", "1")
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "a reference differs from the exact figures at the limits:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("numpy: every figure exact"), "{stdout}");
    eprintln!(
        "{}",
        stdout
            .lines()
            .filter(|l| !l.starts_with("  "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
