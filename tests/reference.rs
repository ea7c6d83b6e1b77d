//! The reference scenarios validate, and the Paris baseline is calibrated to the
//! reported 15,000–30,000 band.

mod common;

use forcesim::{RunOptions, scenario, simulate};

#[test]
fn every_shipped_scenario_validates() {
    for name in ["paris-2026.toml", "paris-2026-30k.toml", "tutorial.toml"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name);
        if let Err(e) = scenario::load(&path, &[]) {
            panic!("{name} is invalid:\n{e}");
        }
    }
}

#[test]
fn paris_median_troops_lie_in_the_reported_band() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/paris-2026.toml");
    let model = scenario::load(&path, &[]).expect("valid");
    assert_eq!(
        model.nations.len(),
        36,
        "35 coalition participants plus the United States"
    );
    let usa = model.nation("USA").expect("the US is in the scenario");
    assert!(
        model.nations[usa]
            .contributions
            .clone()
            .all(|k| model.capabilities[model.contributions[k].capability].id != "troops"),
        "the US sends no troops"
    );
    for d in ["land", "air", "sea", "monitoring", "regeneration"] {
        assert!(model.domain(d).is_some(), "domain {d}");
    }
    let run = simulate(
        &model,
        &RunOptions {
            trials: 40_000,
            seed: 20260106,
            threads: 2,
            ..Default::default()
        },
    )
    .expect("runs");
    let troops = &run.report.totals["troops"].stats;
    assert!(
        (15_000.0..=30_000.0).contains(&troops.p50),
        "median troops {}",
        troops.p50
    );
    let thresholds: Vec<u64> = run.report.thresholds["troops"]
        .iter()
        .map(|t| t.at_least)
        .collect();
    assert_eq!(thresholds, [15_000, 20_000, 30_000]);
    let land = &run.report.domains["land"];
    assert_eq!(land.lead_share.keys().collect::<Vec<_>>(), ["GBR+FRA"]);
}
