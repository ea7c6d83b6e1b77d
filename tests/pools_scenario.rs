//! Nations with finite forces in the scenario layer: `rotation`, `pool` and
//! `ambition` compiled into the model; every mistake reported at once with its
//! place and key; `--set` on each new key; merged documents carry them; format-1
//! files unchanged.

mod common;

use common::{forcesim, has, invalid, model, scenario_file, scratch, write};
use forcesim::dist::Dist;
use forcesim::scenario;
use forcesim::streams::stream_key;

const VALID: &str = r#"[scenario]
name = "pools"
rotation = 3
ambition = 0.4
[capabilities]
troops = {}
hq = {}
[domains.land]
requirements = { troops = 100, hq = 1 }
[domains.air]
requirements = { troops = 10 }
[nations.GBR]
participation = 0.9
rotation = 2
ambition = 0.6
pool = { troops = 30_000, hq = { pert = [1, 2, 4], source = "s" } }
contributions.land = { troops = { pert = [10, 20, 30] }, hq = 1 }
contributions.air.troops = { uniform = [1, 5] }
[nations.FRA]
participation = 0.9
pool = { troops = { uniform = [50, 80.5] } }
contributions.land.troops = { pert = [10, 20, 30] }
contributions.air.troops = { triangular = [1, 2, 5] }
[nations.DEU]
participation = 0.5
ambition = 0
contributions.land.troops = 5
"#;

#[test]
fn a_scenario_with_finite_forces_compiles_to_the_model_fields() {
    let m = model(VALID);
    assert_eq!(m.rotation, Some(3));
    assert_eq!(m.ambition, 0.4);
    let (gbr, fra, deu) = (&m.nations[0], &m.nations[1], &m.nations[2]);
    // Own values win over the scenario's defaults.
    assert_eq!((gbr.rotation, gbr.ambition), (2, 0.6));
    assert_eq!((fra.rotation, fra.ambition), (3, 0.4));
    assert_eq!((deu.rotation, deu.ambition), (3, 0.0));
    assert_eq!(gbr.ambition_key, stream_key("ambition", "GBR"));
    // Pools, in file order, on capability indices, with their streams.
    assert_eq!(gbr.pools.len(), 2);
    assert_eq!(gbr.pools[0].capability, 0);
    assert_eq!(gbr.pools[0].fixed, Some(30_000));
    assert_eq!(gbr.pools[0].dist, Dist::Fixed(30_000.0));
    assert_eq!(gbr.pools[0].key, stream_key("pool", "GBR.troops"));
    assert_eq!(gbr.pools[1].capability, 1);
    assert_eq!(gbr.pools[1].fixed, None);
    assert_eq!(gbr.pools[1].key, stream_key("pool", "GBR.hq"));
    assert_eq!(fra.pools.len(), 1);
    assert_eq!(fra.pools[0].fixed, None);
    assert_eq!(fra.pools[0].key, stream_key("pool", "FRA.troops"));
    assert!(deu.pools.is_empty());
    // A fixed fractional pool is rounded once, as counts are.
    let m = scenario::parse("t.toml", VALID, &["nations.FRA.pool.troops=80.5".into()])
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(m.nations[1].pools[0].fixed, Some(81));
}

const HOSTILE: &str = r#"[scenario]
name = "bad"
rotation = 0
ambition = 1
[capabilities]
troops = {}
hq = {}
[domains.land]
requirements = { troops = 10 }
[nations.A]
participation = 1
rotation = 11
ambition = -0.1
pool = { troop = 5, hq = 1, troops = { normal = { mean = 5, sd = 1 } } }
contributions.land.troops = 5
[nations.B]
participation = 1
rotation = 1.5
ambition = "x"
pool = { troops = -3 }
contributions.land.troops = 5
[nations.C]
participation = 1
rotation = 0
pool = { troops = { uniform = [-1, 5] }, source = "x" }
contributions.land.troops = 5
[nations.D]
participation = 1
pool = { troops = 1e13, hq = [1] }
contributions.land.troops = 5
"#;

#[test]
fn every_finite_force_mistake_is_reported_at_once_with_its_place_and_key() {
    let (_dir, path) = scenario_file(HOSTILE);
    let e = invalid(&path);
    has(
        &e,
        "3:12",
        "scenario.rotation",
        "rotation: must be between 1 and 10, found 0",
    );
    has(
        &e,
        "4:12",
        "scenario.ambition",
        "ambition must satisfy 0 ≤ ρ < 1, found 1",
    );
    has(&e, "12:12", "nations.A.rotation", "too large: at most 10");
    has(
        &e,
        "13:12",
        "nations.A.ambition",
        "ambition must satisfy 0 ≤ ρ < 1, found -0.1",
    );
    has(
        &e,
        "14:10",
        "nations.A.pool.troop",
        "unknown capability `troop` (did you mean `troops`?)",
    );
    has(
        &e,
        "14:21",
        "nations.A.pool.hq",
        "`A` contributes no `hq` to any domain",
    );
    has(&e, "14:38", "nations.A.pool.troops", "not a normal");
    has(
        &e,
        "18:12",
        "nations.B.rotation",
        "expected a whole number, found 1.5",
    );
    has(
        &e,
        "19:12",
        "nations.B.ambition",
        "expected a number, found a string",
    );
    has(
        &e,
        "20:19",
        "nations.B.pool.troops",
        "a pool cannot be negative, found -3",
    );
    has(
        &e,
        "24:12",
        "nations.C.rotation",
        "rotation: must be between 1 and 10, found 0",
    );
    has(
        &e,
        "25:19",
        "nations.C.pool.troops",
        "a pool cannot be negative, found -1",
    );
    has(
        &e,
        "25:51",
        "nations.C.pool.source",
        "its source goes inside the capability's distribution table",
    );
    has(&e, "29:19", "nations.D.pool.troops", "too large to count");
    has(
        &e,
        "29:30",
        "nations.D.pool.hq",
        "expected a number, or one of",
    );
    assert!(e.contains("15 problems in"), "{e}");
}

fn with_sets(text: &str, sets: &[&str]) -> forcesim::Model {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    scenario::parse("t.toml", text, &sets).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn set_reaches_every_new_key_and_creates_a_pool() {
    let m = with_sets(
        VALID,
        &[
            "scenario.rotation=4",
            "scenario.ambition=0.1",
            "nations.GBR.rotation=5",
            "nations.GBR.ambition=0.2",
            "nations.GBR.pool.troops=100",
            "nations.FRA.pool={ troops = 7 }",
            "nations.DEU.pool.troops={ uniform = [1, 9] }",
        ],
    );
    assert_eq!((m.rotation, m.ambition), (Some(4), 0.1));
    let (gbr, fra, deu) = (&m.nations[0], &m.nations[1], &m.nations[2]);
    assert_eq!((gbr.rotation, gbr.ambition), (5, 0.2));
    assert_eq!((fra.rotation, fra.ambition), (4, 0.1));
    assert_eq!(gbr.pools[0].fixed, Some(100));
    assert_eq!(gbr.pools.len(), 2, "the other pool is kept");
    assert_eq!(fra.pools[0].fixed, Some(7));
    // DEU had no pool: the table is created.
    assert_eq!(deu.pools.len(), 1);
    assert_eq!(deu.pools[0].dist, Dist::Uniform { min: 1.0, max: 9.0 });
    assert_eq!(deu.pools[0].key, stream_key("pool", "DEU.troops"));
}

#[test]
fn bad_overrides_of_new_keys_are_located_errors() {
    let (dir, path) = scenario_file(VALID);
    let out = forcesim()
        .arg("validate")
        .arg(&path)
        .args(["--set", "nations.GBR.rotation=0"])
        .args(["--set", "scenario.ambition=1.5"])
        .args(["--set", "nations.DEU.pool.hq=3"])
        .args(["--set", "nations.FRA.pool.troopz=3"])
        .args(["--set", "nations.GRB.pool.troops=3"])
        .output()
        .unwrap();
    drop(dir);
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    for want in [
        "(--set nations.GBR.rotation=0): nations.GBR.rotation: must be between 1 and 10, found 0",
        "(--set scenario.ambition=1.5): scenario.ambition: ambition must satisfy 0 ≤ ρ < 1, found 1.5",
        "(--set nations.DEU.pool.hq=3): nations.DEU.pool.hq: `DEU` contributes no `hq` to any domain",
        "(--set nations.FRA.pool.troopz=3): nations.FRA.pool.troopz: unknown capability `troopz` (did you mean `troops`?)",
        "did you mean `GBR`",
    ] {
        assert!(e.contains(want), "missing {want:?} in\n{e}");
    }
}

const FORMAT1: &str = r#"[scenario]
name = "f1"
[capabilities]
troops = {}
[domains.land]
requirements = { troops = 100 }
[nations.GBR]
participation = 1
contributions.land.troops = { pert = [1, 2, 3] }
contributions.land.hq = 1
[nations.FRA]
participation = 1
contributions.land.troops = 5
"#;

#[test]
fn format_1_files_keep_rotation_one_no_pools_and_no_ambition() {
    let text = FORMAT1.replace("contributions.land.hq = 1\n", "");
    let m = model(&text);
    assert_eq!((m.rotation, m.ambition), (None, 0.0));
    for n in &m.nations {
        assert_eq!((n.rotation, n.ambition), (1, 0.0));
        assert!(n.pools.is_empty());
        assert_eq!(n.ambition_key, stream_key("ambition", &n.id));
    }
    // A scenario rotation alone is every nation's.
    let m = model(&text.replace("name = \"f1\"", "name = \"f1\"\nrotation = 3"));
    assert_eq!(m.rotation, Some(3));
    assert!(m.nations.iter().all(|n| n.rotation == 3));
    let root = env!("CARGO_MANIFEST_DIR");
    let m = scenario::load(
        &std::path::Path::new(root).join("tests/fixtures/coalition.toml"),
        &[],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.ambition, 0.0);
    for n in &m.nations {
        assert_eq!(n.ambition, 0.0);
        assert!(n.pools.is_empty());
        assert_eq!(n.rotation, m.rotation.unwrap_or(1));
    }
}

#[test]
fn an_extension_merges_pools_key_by_key_and_carries_every_new_key() {
    let dir = scratch();
    write(dir.path(), "base.toml", VALID);
    let child = r#"[scenario]
extends = "base.toml"
name = "child"
ambition = 0.3
[nations.GBR]
rotation = 4
pool.troops = 500
[nations.DEU]
pool = { troops = 9 }
ambition = 0.5
"#;
    let path = write(dir.path(), "child.toml", child);
    let m = scenario::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((m.rotation, m.ambition), (Some(3), 0.3));
    let gbr = &m.nations[0];
    assert_eq!((gbr.rotation, gbr.ambition), (4, 0.6));
    assert_eq!(gbr.pools.len(), 2, "the base's hq pool is kept");
    assert_eq!(gbr.pools[0].fixed, Some(500));
    assert_eq!(gbr.pools[1].fixed, None);
    assert_eq!(m.nations[1].ambition, 0.3);
    assert_eq!(m.nations[2].pools[0].fixed, Some(9));
    assert_eq!(m.nations[2].ambition, 0.5);
    // The merged document (what a sharded run embeds) compiles to the same model.
    let bytes = std::fs::read(&path).unwrap();
    let text = scenario::resolved_text(&path.display().to_string(), &bytes).unwrap();
    assert!(text.contains("[nations.GBR.pool]"), "{text}");
    let again =
        scenario::parse("merged.toml", &text, &[]).unwrap_or_else(|d| panic!("{d}\n{text}"));
    assert_eq!(format!("{:?}", again.nations), format!("{:?}", m.nations));
    assert_eq!((again.rotation, again.ambition), (m.rotation, m.ambition));
}

#[test]
fn the_30k_fixture_compiles_to_the_model_of_the_extension() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ext = scenario::load(&root.join("scenarios/paris-2026-30k.toml"), &[]).unwrap();
    let full = scenario::load(&root.join("tests/fixtures/paris-2026-30k-full.toml"), &[]).unwrap();
    assert_eq!(format!("{:?}", ext.nations), format!("{:?}", full.nations));
    assert_eq!((ext.rotation, ext.ambition), (full.rotation, full.ambition));
    assert_eq!(
        ext.nations.iter().filter(|n| !n.pools.is_empty()).count(),
        15
    );
}

#[test]
fn the_schema_describes_the_new_keys() {
    let s = scenario::schema();
    let nation = "/properties/nations/additionalProperties/properties";
    for pointer in [
        "/properties/scenario/properties/rotation".to_string(),
        "/properties/scenario/properties/ambition".to_string(),
        format!("{nation}/rotation"),
        format!("{nation}/ambition"),
        format!("{nation}/pool"),
    ] {
        assert!(s.pointer(&pointer).is_some(), "{pointer} missing");
    }
    assert_eq!(
        s.pointer(&format!("{nation}/rotation/minimum")),
        Some(&1.into())
    );
    assert_eq!(
        s.pointer(&format!("{nation}/ambition/exclusiveMaximum")),
        Some(&1.into())
    );
    let forms = s
        .pointer(&format!("{nation}/pool/additionalProperties/oneOf"))
        .and_then(|f| f.as_array())
        .unwrap();
    assert_eq!(forms.len(), 6);
    assert!(
        forms
            .iter()
            .all(|f| f.pointer("/properties/normal").is_none())
    );
}

#[test]
fn ambition_with_nothing_to_move_together_is_a_warning() {
    let text = VALID
        .replace("ambition = 0\n", "ambition = 0.5\n")
        .replace("troops = 30_000,", "troops = 30_000.5,")
        .replace("troops = 100, hq = 1 }", "troops = 60, hq = 1 }");
    let c = scenario::parse_checked("t.toml", &text, &[]).unwrap_or_else(|d| panic!("{d}"));
    let w: Vec<(&str, &str)> = c
        .warnings
        .items
        .iter()
        .map(|d| (d.key.as_str(), d.message.as_str()))
        .collect();
    assert!(
        w.iter().any(|(k, m)| *k == "nations.DEU.ambition"
            && m.contains("draws 0 of its contributions at random")),
        "{w:?}"
    );
    // A fractional pool is rounded, as every count is.
    assert!(
        w.iter()
            .any(|(k, m)| *k == "nations.GBR.pool.troops" && m.contains("not a whole number")),
        "{w:?}"
    );
    assert_eq!(w.len(), 2, "{w:?}");
    // The scenario's default reaches GBR and FRA (two random contributions each): no warning.
    assert!(!w.iter().any(|(k, _)| *k == "scenario.ambition"), "{w:?}");
    // A default that reaches no nation with two random contributions is one warning.
    let lone = FORMAT1
        .replace("contributions.land.hq = 1\n", "")
        .replace("troops = 100 }", "troops = 5 }")
        .replace("name = \"f1\"", "name = \"f1\"\nambition = 0.5");
    let c = scenario::parse_checked("t.toml", &lone, &[]).unwrap_or_else(|d| panic!("{d}"));
    let keys: Vec<&str> = c.warnings.items.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys, vec!["scenario.ambition"]);
}
