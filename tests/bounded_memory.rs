//! Histograms hold a bounded number of bins beyond their expected ranges: where
//! a scenario has thousands of histograms of values spread to 10^12, bins are
//! grouped, and the report is still the same whatever the threads, shards and
//! merges, and says how far its quantiles may be from the exact ones.

mod common;

use common::{forcesim, json_without_engine, run, scratch};

/// 300 domains, each requiring two capabilities drawn up to 10^12, and a nation
/// per domain contributing both: about 2,400 histograms, so that each holds
/// a few hundred bins beyond its range, fewer than the trials' distinct values.
fn wide() -> String {
    let mut s = String::from(
        "[scenario]\nname = \"Wide\"\n[capabilities]\na = { unit = \"u\" }\nb = { unit = \"u\" }\n",
    );
    for d in 0..300 {
        s += &format!(
            "[domains.d{d}]\nrequirements = {{ a = {{ uniform = [0, 1000000000000] }}, b = {{ uniform = [0, 1000000000000] }} }}\n"
        );
        s += &format!(
            "[nations.N{d}]\nparticipation = 0.9\ncontributions.d{d}.a = {{ uniform = [0, 1000000000000] }}\ncontributions.d{d}.b = {{ triangular = [0, 10, 1000000000000] }}\n"
        );
    }
    // A fixed requirement: its gap is read from the grouped histogram of what
    // was provided.
    s += "[domains.fixed]\nrequirements = { a = 500000000000 }\n";
    s += "[nations.F]\nparticipation = 0.9\ncontributions.fixed.a = { uniform = [0, 1000000000000] }\n";
    s
}

#[test]
fn grouped_histograms_give_one_report_whatever_the_split() {
    let text = wide();
    let trials = 3 * 4096 + 77;
    let report = run(&text, trials, 9, 1);
    let provided = &report.domains["d0"].capabilities["a"].provided;
    let within = provided
        .within
        .expect("bins grouped: quantiles within a bound");
    // Grouped, but within a small part of the range (cap ≈ 1,700 groups).
    assert!(within > 0.0 && within < 2e10, "within {within}");
    let fixed = &report.domains["fixed"].capabilities["a"];
    let bound = fixed.provided.within.expect("grouped");
    assert!(
        fixed.gap.within.is_some_and(|w| w >= bound),
        "{:?}",
        fixed.gap
    );
    let gap = &report.domains["d3"].capabilities["b"].gap;
    assert_eq!(gap.min, 0.0);
    let one = json_without_engine(&report);
    assert_eq!(one, json_without_engine(&run(&text, trials, 9, 3)));
    // Three shards, merged in an order of their own, give the same report.
    let dir = scratch();
    let path = dir.path().join("wide.toml");
    std::fs::write(&path, &text).expect("write");
    let part = |k: u32| dir.path().join(format!("p{k}.fsp"));
    for k in 1..=3 {
        let shard = format!("{k}/3");
        forcesim()
            .args(["run", "-q", "-n", &trials.to_string(), "--seed", "9"])
            .args(["-j", &k.to_string(), "--shard", &shard, "--partial"])
            .arg(part(k))
            .arg(&path)
            .assert()
            .success();
    }
    let (merged, csv) = (
        dir.path().join("merged.json"),
        dir.path().join("merged.csv"),
    );
    forcesim()
        .args(["merge", "-q", "--json"])
        .arg(&merged)
        .arg("--csv")
        .arg(&csv)
        .args([part(3), part(1), part(2)])
        .assert()
        .success();
    // The CSV carries the bound beside the statistics.
    let csv = std::fs::read_to_string(&csv).expect("read");
    assert!(
        csv.contains(",domain,d0,a,provided,within,"),
        "no within row"
    );
    let merged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&merged).expect("read")).expect("json");
    let mut single: serde_json::Value = serde_json::from_str(&one).expect("json");
    // `scenario.path` names the file the shards ran.
    single["scenario"]["path"] = merged["scenario"]["path"].clone();
    // The report with `within` still follows its schema.
    common::schema::valid(&common::schema::schema("--report"), &merged);
    let mut merged = merged;
    merged.as_object_mut().expect("object").remove("engine");
    assert_eq!(single, merged);
}
