//! Format 2 in the scenario layer: the mission gate, `if_present`, effects,
//! nation `scale`, co-lead entries with obligations and the whole force, as
//! compiled into the model; every mistake reported at once; `--set` on each new
//! key; format-1 files unchanged.

mod common;

use common::{forcesim, has, invalid, model, scenario_file, scratch, write};
use forcesim::model::{CapOn, LeadEntry, Obligation};
use forcesim::scenario;
use forcesim::streams::stream_key;

const VALID: &str = r#"[scenario]
name = "f2"
[capabilities]
troops = {}
hq = {}
[conditions.ceasefire]
probability = 0.4
[conditions.us_backstop]
probability = 0.7
[[conditions.us_backstop.effects]]
scale = 1.5
targets = ["domains.land.requirements.troops"]
[[conditions.us_backstop.effects]]
when = true
scale = { uniform = [0.5, 1] }
targets = ["nations.FRA.contributions", "force.requirements", "nations.FRA.contributions.land.troops"]
[[conditions.ceasefire.effects]]
when = true
scale = 0
targets = ["domains.land.requirements", "nations.DEU.contributions.land"]
[mission]
requires = ["ceasefire"]
[force]
requirements = { troops = { triangular = [80, 100, 120] }, hq = 1 }
[domains.land]
lead = [["GBR", "FRA"], "DEU"]
lead_provides = { troops = 0.4, hq = 1 }
requirements = { troops = 100, hq = 1 }
[domains.air]
lead = ["FRA"]
requirements = { troops = 10 }
[nations.GBR]
participation = 0.9
if_present = { DEU = 0.8, us_backstop = 0.5 }
if_absent = { DEU = 0.7 }
scale = 0.8
contributions.land = { troops = 50, hq = 1 }
[nations.FRA]
participation = 0.9
contributions.land.troops = 40
contributions.air.troops = 5
[nations.DEU]
participation = 0.5
contributions.land.troops = { pert = [10, 20, 30] }
"#;

#[test]
fn a_format_2_scenario_compiles_to_the_model_fields() {
    let m = model(VALID);
    assert_eq!(m.mission, vec![0]);
    // Effects condition by condition (conditions in file order), each
    // condition's in its own order.
    assert_eq!(m.effects.len(), 3);
    let e = &m.effects;
    let head = |i: usize| (e[i].condition, e[i].when, e[i].fixed);
    assert_eq!(head(0), (0, true, Some(0.0)));
    assert_eq!(head(1), (1, false, Some(1.5)));
    assert_eq!(head(2), (1, true, None));
    assert_eq!(e[0].key, stream_key("effect", "ceasefire#0"));
    assert_eq!(e[1].key, stream_key("effect", "us_backstop#0"));
    assert_eq!(e[2].key, stream_key("effect", "us_backstop#1"));
    assert_eq!(e[1].targets, vec!["domains.land.requirements.troops"]);
    // Each value lists its effects once, ascending.
    let land = &m.domains[0];
    assert_eq!(land.requirements[0].effects, vec![0, 1]);
    assert_eq!(land.requirements[1].effects, vec![0]);
    assert!(m.domains[1].requirements[0].effects.is_empty());
    let effects_of = |n: &str, d: &str| {
        let k = m
            .contributions
            .iter()
            .find(|k| m.nations[k.nation].id == n && m.domains[k.domain].id == d)
            .expect("contribution");
        k.effects.clone()
    };
    assert_eq!(effects_of("FRA", "land"), vec![2]);
    assert_eq!(effects_of("FRA", "air"), vec![2]);
    assert_eq!(effects_of("DEU", "land"), vec![0]);
    assert!(effects_of("GBR", "land").is_empty());
    // The whole force.
    let force = m.force.as_ref().expect("force");
    assert_eq!(force.len(), 2);
    assert_eq!(m.capabilities[force[0].capability].id, "troops");
    assert_eq!(force[0].fixed, None);
    assert_eq!(force[0].key, stream_key("force", "troops"));
    assert_eq!(force[0].effects, vec![2]);
    assert_eq!(
        (force[1].fixed, force[1].key),
        (Some(1), stream_key("force", "hq"))
    );
    // Nations: scale and caps (if_absent first, then if_present).
    let gbr = &m.nations[0];
    assert_eq!(gbr.scale, 0.8);
    assert_eq!(m.nations[1].scale, 1.0);
    let caps: Vec<(CapOn, bool, f64)> = gbr
        .caps
        .iter()
        .map(|c| (c.on, c.present, c.p.fixed))
        .collect();
    assert_eq!(
        caps,
        vec![
            (CapOn::Nation(2), false, 0.7),
            (CapOn::Nation(2), true, 0.8),
            (CapOn::Condition(1), true, 0.5),
        ]
    );
    // DEU is decided before GBR, which names it.
    let pos = |n| m.order.iter().position(|&x| x == n).unwrap();
    assert!(pos(2) < pos(0));
    // Leads: entries with labels, and obligations.
    assert_eq!(
        land.leads,
        vec![
            LeadEntry {
                label: "GBR+FRA".into(),
                members: vec![0, 1]
            },
            LeadEntry {
                label: "DEU".into(),
                members: vec![2]
            },
        ]
    );
    assert_eq!(
        land.provides,
        vec![
            Obligation {
                requirement: 0,
                share: 0.4
            },
            Obligation {
                requirement: 1,
                share: 1.0
            },
        ]
    );
    assert_eq!(
        m.domains[1].leads,
        vec![LeadEntry {
            label: "FRA".into(),
            members: vec![1]
        }]
    );
    assert!(m.domains[1].provides.is_empty());
}

const HOSTILE: &str = r#"[scenario]
name = "bad"
[capabilities]
troops = {}
[conditions.c]
probability = 0.5
[[conditions.c.effects]]
when = "yes"
scale = { normal = { mean = 1, sd = 0.1 } }
targets = []
[[conditions.c.effects]]
scale = -1
targets = ["domains.lnd.requirements", 3, "force.requirements.troops", "nations.A.contributions.sea"]
[mission]
requires = ["cease", "c", "c"]
[force]
requirements = {}
[domains.land]
lead = [["A", "B"], "A", [], [1], ["UK"]]
lead_provides = { troops = 40, jets = 0.5 }
requirements = { troops = 10 }
[domains.sea]
lead_provides = { troops = 0.5 }
[nations.A]
participation = 1
scale = -2
if_present = { B = 0.5 }
contributions.land.troops = 5
[nations.B]
participation = 1
if_absent = { A = 0.5 }
if_present = { B = 0.1, nope = 0.2 }
contributions.land.troops = 5
"#;

#[test]
fn every_format_2_mistake_is_reported_at_once_with_its_place_and_key() {
    let (_dir, path) = scenario_file(HOSTILE);
    let e = invalid(&path);
    let fx = "conditions.c.effects";
    has(
        &e,
        "10:11",
        &format!("{fx}[0].targets"),
        "needs at least one target",
    );
    has(
        &e,
        "8:8",
        &format!("{fx}[0].when"),
        "expected true or false, found a string",
    );
    has(&e, "9:9", &format!("{fx}[0].scale"), "not a normal");
    has(
        &e,
        "12:9",
        &format!("{fx}[1].scale"),
        "a scale cannot be negative, found -1",
    );
    has(
        &e,
        "13:12",
        &format!("{fx}[1].targets[0]"),
        "unknown domain `lnd` (did you mean `land`?)",
    );
    has(
        &e,
        "13:40",
        &format!("{fx}[1].targets[1]"),
        "expected a string, found an integer",
    );
    has(
        &e,
        "13:43",
        &format!("{fx}[1].targets[2]"),
        "the scenario has no [force] requirements",
    );
    has(
        &e,
        "13:72",
        &format!("{fx}[1].targets[3]"),
        "`A` contributes nothing to `sea`",
    );
    has(
        &e,
        "15:13",
        "mission.requires[0]",
        "unknown condition `cease`",
    );
    has(
        &e,
        "15:27",
        "mission.requires[2]",
        "`c` appears twice in `requires`",
    );
    has(
        &e,
        "17:16",
        "force.requirements",
        "[force] lists no requirements",
    );
    has(
        &e,
        "19:21",
        "domains.land.lead[1]",
        "`A` appears twice in the lead list",
    );
    has(
        &e,
        "19:26",
        "domains.land.lead[2]",
        "a group of co-leads needs at least one nation",
    );
    has(
        &e,
        "19:31",
        "domains.land.lead[3][0]",
        "expected a nation id",
    );
    has(
        &e,
        "19:36",
        "domains.land.lead[4][0]",
        "unknown nation `UK`",
    );
    has(
        &e,
        "20:28",
        "domains.land.lead_provides.troops",
        "did you mean 0.4?",
    );
    has(
        &e,
        "20:32",
        "domains.land.lead_provides.jets",
        "unknown capability `jets`",
    );
    has(
        &e,
        "23:17",
        "domains.sea.lead_provides",
        "`sea` has no lead entry (its `lead` list is absent or empty)",
    );
    has(
        &e,
        "23:19",
        "domains.sea.lead_provides.troops",
        "`sea` does not require `troops`",
    );
    has(
        &e,
        "26:9",
        "nations.A.scale",
        "must be a number ≥ 0, found -2",
    );
    has(
        &e,
        "27:14",
        "nations.A.if_present",
        "cycle: A → B → A (nations.A.if_present.B, nations.B.if_absent.A)",
    );
    has(
        &e,
        "32:16",
        "nations.B.if_present.B",
        "cannot depend on its own participation",
    );
    has(
        &e,
        "32:25",
        "nations.B.if_present.nope",
        "unknown condition or nation `nope`",
    );
    assert!(e.contains("23 problems in"), "{e}");
}

#[test]
fn a_cycle_through_if_present_alone_is_one_error() {
    let text = r#"[scenario]
name = "c"
[domains.d]
[nations.A]
participation = 0.5
if_present = { C = 0.1 }
[nations.B]
participation = 0.5
if_present = { A = 0.1 }
[nations.C]
participation = 0.5
if_present = { B = 0.1 }
"#;
    let (_dir, path) = scenario_file(text);
    let e = invalid(&path);
    has(
        &e,
        "6:14",
        "nations.A.if_present",
        "`if_present` references form a cycle: A → C → B → A",
    );
    assert_eq!(e.matches("cycle").count(), 1, "{e}");
}

#[test]
fn effect_targets_that_match_nothing_are_errors() {
    let text = VALID.replace(
        "targets = [\"domains.land.requirements.troops\"]",
        "targets = [\"domains.air.requirements.hq\", \"force.requirement\", \"nations.GBR.contributions.air\", \"domains.land.requirements.jets\", \"nations.FRA.contributions.land.hq\"]",
    );
    let (_dir, path) = scenario_file(text);
    let e = invalid(&path);
    for want in [
        "`air` does not require `hq` (it requires troops)",
        "expected `requirements` where it says `requirement` (did you mean `requirements`?)",
        "`GBR` contributes nothing to `air`",
        "unknown capability `jets`",
        "`FRA` contributes no `hq` to `land`",
    ] {
        assert!(e.contains(want), "missing {want:?} in\n{e}");
    }
    assert!(e.contains("5 problems in"), "{e}");
}

fn with_sets(sets: &[&str]) -> forcesim::Model {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match scenario::parse("t.toml", VALID, &sets) {
        Ok(m) => m,
        Err(d) => panic!("{d}"),
    }
}

#[test]
fn set_reaches_every_new_key() {
    let m = with_sets(&[
        "mission.requires=[\"us_backstop\", \"ceasefire\"]",
        "nations.FRA.scale=1.25",
        "nations.GBR.if_present.DEU=0.3",
        "nations.FRA.if_present.GBR=0.6",
        "domains.land.lead=[\"DEU\", [\"FRA\", \"GBR\"]]",
        "domains.land.lead_provides.troops=0.5",
        "domains.air.lead_provides.troops=0.2",
        "force.requirements.troops=150",
        "conditions.us_backstop.effects.0.scale=1.2",
        "conditions.us_backstop.effects[1].when=false",
        "conditions.ceasefire.effects[0].targets=[\"domains.air.requirements\"]",
    ]);
    assert_eq!(m.mission, vec![1, 0]);
    assert_eq!(m.nations[1].scale, 1.25);
    let gbr_deu = m.nations[0]
        .caps
        .iter()
        .find(|c| c.present && c.on == CapOn::Nation(2));
    assert_eq!(gbr_deu.map(|c| c.p.fixed), Some(0.3));
    let fra = &m.nations[1].caps;
    assert_eq!(fra.len(), 1);
    assert_eq!(
        (fra[0].on, fra[0].present, fra[0].p.fixed),
        (CapOn::Nation(0), true, 0.6)
    );
    let labels: Vec<&str> = m.domains[0]
        .leads
        .iter()
        .map(|l| l.label.as_str())
        .collect();
    assert_eq!(labels, vec!["DEU", "FRA+GBR"]);
    assert_eq!(m.domains[0].provides[0].share, 0.5);
    assert_eq!(
        m.domains[1].provides,
        vec![Obligation {
            requirement: 0,
            share: 0.2
        }]
    );
    let force = m.force.as_ref().unwrap();
    assert_eq!(force[0].fixed, Some(150));
    assert_eq!(m.effects[1].fixed, Some(1.2));
    assert!(!m.effects[2].when);
    assert_eq!(m.domains[1].requirements[0].effects, vec![0]);
    assert_eq!(m.domains[0].requirements[0].effects, vec![1]);
}

#[test]
fn set_creates_the_new_value_tables_but_not_entries() {
    let format1 = r#"[scenario]
name = "f1"
[capabilities]
troops = {}
[conditions.ceasefire]
probability = 0.4
[domains.land]
requirements = { troops = 100 }
lead = ["GBR"]
[nations.GBR]
participation = 1
contributions.land.troops = 5
[nations.FRA]
participation = 1
contributions.land.troops = 5
"#;
    let sets: Vec<String> = [
        "mission.requires=[\"ceasefire\"]",
        "force.requirements.troops=10",
        "nations.GBR.if_present.FRA=0.5",
        "nations.FRA.if_absent.ceasefire=0.4",
        "domains.land.lead_provides.troops=0.5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let m = scenario::parse("t.toml", format1, &sets).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(m.mission, vec![0]);
    assert_eq!(m.force.as_ref().map(Vec::len), Some(1));
    assert!(m.nations[0].caps[0].present);
    let fra = &m.nations[1].caps;
    assert_eq!((fra[0].on, fra[0].present), (CapOn::Condition(0), false));
    assert_eq!(m.domains[0].provides.len(), 1);
    // A typo of a nation is not created.
    let e = scenario::parse(
        "t.toml",
        format1,
        &["nations.GRB.if_present.FRA=0.5".into()],
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("did you mean `GBR`"), "{e}");
}

#[test]
fn bad_overrides_of_new_keys_are_located_errors() {
    let (dir, path) = scenario_file(VALID);
    let out = forcesim()
        .arg("validate")
        .arg(&path)
        .args(["--set", "conditions.us_backstop.effects.5.scale=1"])
        .args(["--set", "nations.GBR.scale=-1"])
        .args(["--set", "domains.land.lead_provides.hq=2"])
        .args(["--set", "mission.requires=[\"nope\"]"])
        .output()
        .unwrap();
    drop(dir);
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    for want in [
        "(--set conditions.us_backstop.effects.5.scale=1): conditions.us_backstop.effects.5.scale: `conditions.us_backstop.effects` has 2 elements, so there is no [5]",
        "(--set nations.GBR.scale=-1): nations.GBR.scale: must be a number ≥ 0",
        "(--set domains.land.lead_provides.hq=2): domains.land.lead_provides.hq: a share must be between 0 and 1",
        "(--set mission.requires=[\"nope\"]): mission.requires[0]: unknown condition `nope`",
    ] {
        assert!(e.contains(want), "missing {want:?} in\n{e}");
    }
}

/// The `lead` list of domain `d` as written (format 1: nation ids).
fn written_leads(text: &str, d: &str) -> Vec<String> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).expect("TOML");
    fn table<'a, 'i>(v: Option<&'a toml::Spanned<DeValue<'i>>>) -> Option<&'a DeTable<'i>> {
        match v.map(|v| v.get_ref()) {
            Some(DeValue::Table(t)) => Some(t),
            _ => None,
        }
    }
    let Some(dom) = table(doc.get_ref().get("domains")).and_then(|t| table(t.get(d))) else {
        return Vec::new();
    };
    match dom.get("lead").map(|v| v.get_ref()) {
        Some(DeValue::Array(a)) => a
            .iter()
            .map(|v| match v.get_ref() {
                DeValue::String(s) => s.to_string(),
                other => panic!("format-1 lead entry {other:?}"),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn format_1_files_compile_as_before() {
    let root = env!("CARGO_MANIFEST_DIR");
    for f in ["coalition.toml", "paris-2026-30k-format1.toml"] {
        let path = std::path::Path::new(root).join("tests/fixtures").join(f);
        let m = scenario::load(&path, &[]).unwrap_or_else(|e| panic!("{f}: {e}"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            m.mission.is_empty() && m.effects.is_empty() && m.force.is_none(),
            "{f}"
        );
        for n in &m.nations {
            assert_eq!(n.scale, 1.0, "{f}");
            assert!(n.caps.iter().all(|c| !c.present), "{f}");
        }
        assert!(m.contributions.iter().all(|k| k.effects.is_empty()), "{f}");
        for d in &m.domains {
            assert!(d.provides.is_empty(), "{f}");
            assert!(d.requirements.iter().all(|r| r.effects.is_empty()), "{f}");
            // Each lead is a single-member entry labelled by the nation's id, in listed order.
            let written = written_leads(&text, &d.id);
            let entries: Vec<LeadEntry> = written
                .iter()
                .map(|id| LeadEntry {
                    label: id.clone(),
                    members: vec![m.nation(id).unwrap()],
                })
                .collect();
            assert_eq!(d.leads, entries, "{f}: {}", d.id);
        }
        assert!(m.lead_slots() > 0, "{f} has leads");
    }
}

#[test]
fn an_extension_carries_the_new_keys_into_the_merged_document() {
    let dir = scratch();
    write(dir.path(), "base.toml", VALID);
    let child = r#"[scenario]
extends = "base.toml"
name = "child"
[force]
requirements.hq = 2
[domains.land]
lead_provides.hq = 0.5
[nations.GBR]
if_present.us_backstop = 0.4
"#;
    let path = write(dir.path(), "child.toml", child);
    let m = scenario::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    let force = m.force.as_ref().unwrap();
    assert_eq!((force.len(), force[1].fixed), (2, Some(2)));
    assert_eq!(m.domains[0].provides[1].share, 0.5);
    assert_eq!(m.domains[0].provides[0].share, 0.4);
    let caps = &m.nations[0].caps;
    assert_eq!(caps.len(), 3);
    assert_eq!(caps[2].p.fixed, 0.4);
    assert_eq!(m.effects.len(), 3);
    // The merged document (what a sharded run embeds) compiles to the same model.
    let bytes = std::fs::read(&path).unwrap();
    let text = scenario::resolved_text(&path.display().to_string(), &bytes).unwrap();
    for key in [
        "[mission]",
        "[force.requirements]",
        "lead_provides",
        "if_present",
        "effects = [{",
    ] {
        assert!(text.contains(key), "{key} missing from\n{text}");
    }
    let again =
        scenario::parse("merged.toml", &text, &[]).unwrap_or_else(|d| panic!("{d}\n{text}"));
    assert_eq!(format!("{:?}", again.domains), format!("{:?}", m.domains));
    assert_eq!(format!("{:?}", again.effects), format!("{:?}", m.effects));
    assert_eq!(format!("{:?}", again.force), format!("{:?}", m.force));
    assert_eq!(format!("{:?}", again.nations), format!("{:?}", m.nations));
    assert_eq!(again.mission, m.mission);
}

#[test]
fn the_schema_describes_the_new_keys() {
    let s = scenario::schema();
    for pointer in [
        "/properties/mission/properties/requires",
        "/properties/force/properties/requirements",
        "/properties/conditions/additionalProperties/properties/effects/items/properties/when",
        "/properties/conditions/additionalProperties/properties/effects/items/properties/scale",
        "/properties/conditions/additionalProperties/properties/effects/items/properties/targets",
        "/properties/domains/additionalProperties/properties/lead/items/oneOf",
        "/properties/domains/additionalProperties/properties/lead_provides",
        "/properties/nations/additionalProperties/properties/if_present",
        "/properties/nations/additionalProperties/properties/scale",
    ] {
        assert!(s.pointer(pointer).is_some(), "{pointer} missing");
    }
    let required = s
        .pointer("/properties/conditions/additionalProperties/properties/effects/items/required")
        .unwrap();
    assert_eq!(required, &serde_json::json!(["scale"]));
    // A scale is never a normal.
    let forms = s
        .pointer("/properties/conditions/additionalProperties/properties/effects/items/properties/scale/oneOf")
        .and_then(|f| f.as_array())
        .unwrap();
    assert_eq!(forms.len(), 6);
    assert!(
        forms
            .iter()
            .all(|f| f.pointer("/properties/normal").is_none())
    );
    let share = s
        .pointer("/properties/domains/additionalProperties/properties/lead_provides/additionalProperties")
        .unwrap();
    assert_eq!(share["maximum"], 1);
}

#[test]
fn warnings_point_at_format_2_mistakes() {
    let text = VALID
        .replace(
            "lead_provides = { troops = 0.4, hq = 1 }",
            "lead_provides = { troops = 0, hq = 1 }",
        )
        .replace(
            "[[conditions.ceasefire.effects]]\nwhen = true\nscale = 0",
            "[[conditions.ceasefire.effects]]\nscale = 1",
        )
        .replace("hq = 1 }\n[domains.land]", "hq = 3 }\n[domains.land]");
    let (_dir, path) = scenario_file(text);
    let out = forcesim().arg("validate").arg(&path).output().unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{e}");
    for want in [
        "domains.land.lead_provides.troops: a share of 0 is always met",
        "conditions.ceasefire.effects[0]: `ceasefire` is required by [mission], so it is true in every mounted trial and an effect with when = false never applies",
        "conditions.ceasefire.effects[0].scale: a scale of 1 leaves every target as it is",
        // 3 hq scaled by as little as 0.5 (the us_backstop effect): at least 2.
        "force.requirements.hq: the force needs at least 2 hq but all nations together can contribute at most 1",
    ] {
        assert!(e.contains(want), "missing {want:?} in\n{e}");
    }
    // A condition used only by the mission gate, an effect or if_present is not "unused".
    assert!(!e.contains("is referenced by no"), "{e}");
}
