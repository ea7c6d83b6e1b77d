//! Authoring: scenarios that extend others (`[scenario] extends`), and the
//! warnings of `validate` (with `--strict`), each against an exact expectation.

mod common;

use std::path::Path;

use common::{forcesim, scratch, write};
use forcesim::scenario::{self, Diagnostics, LoadError};

const PLANTED: &str = "tests/fixtures/authoring/planted.toml";

fn invalid(e: LoadError) -> Box<Diagnostics> {
    match e {
        LoadError::Invalid(d) => d,
        other => panic!("expected diagnostics, got {other}"),
    }
}

fn json_without_engine(path: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("engine");
    o["scenario"].as_object_mut().unwrap().remove("path");
    v
}

// ---------------------------------------------------------------- warnings

#[test]
fn every_planted_mistake_gets_one_warning() {
    let checked = scenario::load_checked(Path::new(PLANTED), &[]).expect("valid");
    let p = PLANTED;
    let expected = [
        format!(
            "{p}:5:22: simulation.timeline_days[1]: day 400 is after every nation is ready (day 90 at the latest), so it shows the final coverage: use days up to 90, or drop it"
        ),
        format!(
            "{p}:14:13: conditions.unused: condition `unused` is used by no `if_absent` or `if_present` cap, no effect and no [mission] requires, so it changes nothing: cap a nation with if_absent.unused = P or if_present.unused = P, give it [[conditions.unused.effects]], list it in [mission] requires, or remove it"
        ),
        format!(
            "{p}:17:8: blocs.lonely: bloc `lonely` has one member (`FRA`): a correlation needs two or more; add members with bloc = \"lonely\", or remove the bloc"
        ),
        format!(
            "{p}:21:16: domains.land.lead[1]: `NOR` leads `land` but contributes nothing to it: add [nations.NOR.contributions.land] or take it out of the lead list"
        ),
        format!(
            "{p}:22:47: domains.land.requirements.helicopters: 1.5 is not a whole number: counts are rounded, so this is 2; write 2, or a distribution such as {{ uniform = [1, 2] }} for a range"
        ),
        format!(
            "{p}:26:26: domains.sea.requirements.ships: `sea` needs at least 40 ships but all nations together can contribute at most 12: it can never be met; lower the requirement or add contributions to sea.ships"
        ),
        format!(
            "{p}:28:10: domains.liaison: `liaison` requires nothing, so it never falls short: add what it needs, e.g. [domains.liaison.requirements] troops = 1000"
        ),
        format!(
            "{p}:34:25: nations.GBR.if_absent.us_backstop: the cap 0.95 is not below `GBR`'s probability of taking part (at most 0.9), so `us_backstop` never changes it: lower the cap below 0.9 or remove it"
        ),
        format!(
            "{p}:36:43: nations.GBR.contributions.sea.troops: `sea` does not require troops, so this contribution never counts toward covering it: add troops to [domains.sea.requirements], or contribute it to a domain that requires it"
        ),
        format!(
            "{p}:44:10: nations.NOR: `NOR` contributes nothing: give it [nations.NOR.contributions.DOMAIN] amounts, or remove the nation"
        ),
    ];
    assert_eq!(checked.warnings.lines(), expected);
}

#[test]
fn validate_prints_warnings_and_passes_strict_fails() {
    let out = forcesim().args(["validate", PLANTED]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        format!("{PLANTED}: ok (3 nations, 3 domains, 3 capabilities, 10 warnings)\n")
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("\nwarning: ").count() + 1, 10);
    assert!(stderr.ends_with(&format!("10 warnings in {PLANTED}\n")));

    let out = forcesim()
        .args(["validate", "--strict", PLANTED])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("error: ").count(), 10);
    assert!(stderr.contains("10 problems in"));
    assert!(stderr.ends_with("1 of 1 scenario is invalid\n"));
}

#[test]
fn validate_counts_every_file_that_fails() {
    let dir = common::scratch();
    let d = dir.path();
    common::write(d, "ok.toml", common::TWO_NATIONS);
    common::write(d, "bad.toml", "[scenario]\nname = 1\n");
    let out = forcesim()
        .current_dir(d)
        .args(["validate", "ok.toml", "missing.toml", "bad.toml", "."])
        .output()
        .unwrap();
    // An invalid file makes the exit code 2; an unreadable one is counted too.
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.ends_with("2 of 4 scenarios are invalid, 1 could not be read\n"),
        "{stderr}"
    );
    let out = forcesim()
        .current_dir(d)
        .args(["validate", "ok.toml", "missing.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.ends_with("1 of 2 scenarios could not be read\n"),
        "{stderr}"
    );
}

#[test]
fn strict_passes_a_scenario_without_warnings() {
    forcesim()
        .args([
            "validate",
            "--strict",
            "scenarios/paris-2026.toml",
            "scenarios/paris-2026-30k.toml",
            "scenarios/tutorial.toml",
        ])
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn run_prints_the_warnings_once_on_stderr_and_succeeds() {
    let out = forcesim()
        .args(["run", PLANTED, "-n", "2000", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("10 warnings in").count(), 1);
    assert!(stderr.contains("nations.NOR: `NOR` contributes nothing"));
}

/// One fixed base: a single valid nation and domain, with each mistake added by `extra`.
fn warnings_of(extra: &str) -> Vec<String> {
    let text = format!(
        "[scenario]\nname = \"t\"\n[capabilities.troops]\n[domains.land]\nlead = [\"GBR\"]\n\
         requirements = {{ troops = 10 }}\n[nations.GBR]\nparticipation = 0.9\n\
         contributions.land.troops = 20\n{extra}"
    );
    let c = scenario::parse_checked("t.toml", &text, &[]).expect("valid");
    c.warnings
        .items
        .iter()
        .map(|d| format!("{}: {}", d.key, d.message))
        .collect()
}

#[test]
fn a_clean_scenario_has_no_warnings() {
    assert_eq!(warnings_of(""), Vec::<String>::new());
}

#[test]
fn a_contribution_a_domain_does_not_require_still_counts_for_the_force() {
    let extra = "[capabilities.jets]\n[domains.air]\nrequirements = { troops = 1 }\n\
                 [nations.FRA]\nparticipation = 0.5\ncontributions.air.troops = 1\ncontributions.air.jets = 2\n";
    let alone = warnings_of(extra);
    assert!(
        alone
            .iter()
            .any(|w| w.contains("so this contribution never counts toward covering it")),
        "{alone:?}"
    );
    let with_force = warnings_of(&format!("{extra}[force]\nrequirements = {{ jets = 2 }}\n"));
    assert!(
        with_force.iter().any(|w| w.contains(
            "so this contribution counts toward the whole force's requirement only, never toward covering it"
        )),
        "{with_force:?}"
    );
}

#[test]
fn each_rule_fires_on_its_mistake_only() {
    assert_eq!(
        warnings_of(
            "[nations.FRA]\nparticipation = 0.5\ncontributions.land.troops = { discrete = { values = [0, 2.5] } }\n"
        ),
        [
            "nations.FRA.contributions.land.troops: 2.5 is not a whole number: counts are rounded, so this is 3; write 3, or a distribution such as { uniform = [2, 3] } for a range"
        ]
    );
    // A requirement that an unbounded contribution could meet is not flagged.
    assert_eq!(
        warnings_of("[nations.FRA]\nparticipation = 0.5\ncontributions.land.troops = { normal = { mean = 5, sd = 1 } }\n")
            .len(),
        0
    );
    // A nation that only matters through another's if_absent contributes nothing, silently.
    assert_eq!(
        warnings_of(
            "[nations.USA]\nparticipation = 0.5\n[nations.FRA]\nparticipation = 0.5\nif_absent.USA = 0.1\ncontributions.land.troops = 5\n"
        ),
        Vec::<String>::new()
    );
    // A cap below the nation's probability binds: no warning; at it, a warning.
    assert_eq!(
        warnings_of(
            "[conditions.c]\nprobability = 0.5\n[nations.FRA]\nparticipation = { uniform = [0.2, 0.6] }\nif_absent.c = 0.5\ncontributions.land.troops = 5\n"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        warnings_of(
            "[conditions.c]\nprobability = 0.5\n[nations.FRA]\nparticipation = 0.8\napproval = [{ body = \"p\", probability = 0.5 }]\nif_absent.c = 0.4\ncontributions.land.troops = 5\n"
        ),
        [
            "nations.FRA.if_absent.c: the cap 0.4 is not below `FRA`'s probability of taking part (at most 0.4), so `c` never changes it: lower the cap below 0.4 or remove it"
        ]
    );
    // The nation's probability is written without float noise (0.35 × 0.75).
    assert_eq!(
        warnings_of(
            "[conditions.c]\nprobability = 0.5\n[nations.FRA]\nparticipation = 0.35\napproval = [{ body = \"p\", probability = 0.75 }]\nif_absent.c = 0.3\ncontributions.land.troops = 5\n"
        ),
        [
            "nations.FRA.if_absent.c: the cap 0.3 is not below `FRA`'s probability of taking part (at most 0.2625), so `c` never changes it: lower the cap below 0.2625 or remove it"
        ]
    );
    // A decision set to "out" (or "in") ignores caps by rule: nothing to say.
    assert_eq!(
        warnings_of(
            "[conditions.c]\nprobability = 0.5\n[nations.FRA]\nparticipation = 0.8\ndecision = \"out\"\nif_absent.c = 0.9\ncontributions.land.troops = 5\n"
        ),
        Vec::<String>::new()
    );
    // Nor can caps matter to a nation that never takes part (an approval at 0).
    assert_eq!(
        warnings_of(
            "[conditions.c]\nprobability = 0.5\n[nations.FRA]\nparticipation = 0.8\napproval = [{ body = \"p\", probability = 0 }]\nif_absent.c = 0.4\ncontributions.land.troops = 5\n"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        warnings_of("[blocs.b]\ncorrelation = 0.3\n"),
        [
            "blocs.b: no nation is in bloc `b`: set bloc = \"b\" on two or more nations, or remove the bloc"
        ]
    );
    // Timeline days up to the latest ready day are fine; without ready_days every day is after.
    assert_eq!(
        warnings_of("[simulation]\ntimeline_days = [0, 1]\n"),
        [
            "simulation.timeline_days[1]: day 1 is after every nation is ready (day 0 at the latest), so it shows the final coverage: use days up to 0, or drop it"
        ]
    );
}

/// The warnings about a domain `land` that needs 70 troops of one nation
/// contributing 30, with `extra` added.
fn needs_70_of_30(extra: &str) -> Vec<String> {
    let text = format!(
        "[scenario]\nname = \"t\"\n[capabilities.troops]\n[domains.land]\n\
         requirements = {{ troops = 70 }}\n[force]\nrequirements = {{ troops = 70 }}\n\
         [nations.A]\nparticipation = 1\ncontributions.land.troops = 30\n{extra}"
    );
    let c = scenario::parse_checked("t.toml", &text, &[]).expect("valid");
    c.warnings
        .items
        .iter()
        .map(|d| format!("{}: {}", d.key, d.message))
        .collect()
}

#[test]
fn a_requirement_is_unreachable_only_beyond_the_largest_scales() {
    let never = needs_70_of_30("");
    assert_eq!(never.len(), 2, "{never:?}");
    assert!(never[0].contains("contribute at most 30: it can never be met"));
    // The nation's scale, or an effect on its contributions, can make 90.
    assert_eq!(needs_70_of_30("scale = 3\n"), Vec::<String>::new());
    let effect = "[conditions.surge]\nprobability = 0.5\n[[conditions.surge.effects]]\n\
                  when = true\nscale = { uniform = [1, 3] }\ntargets = [\"nations.A.contributions\"]\n";
    assert_eq!(needs_70_of_30(effect), Vec::<String>::new());
    // An effect that can lower the requirements to 28, likewise.
    let lower = "[conditions.calm]\nprobability = 0.5\n[[conditions.calm.effects]]\n\
                 scale = 0.4\ntargets = [\"domains.land.requirements\", \"force.requirements\"]\n";
    assert_eq!(needs_70_of_30(lower), Vec::<String>::new());
    // An unbounded scale cannot be bounded: no warning.
    let unbounded = effect.replace(
        "{ uniform = [1, 3] }",
        "{ lognormal = { median = 1, sigma = 0.1 } }",
    );
    assert_eq!(needs_70_of_30(&unbounded), Vec::<String>::new());
    // Scales that cannot reach it leave the warning, with the bound they allow.
    let short = needs_70_of_30("scale = 2\n");
    assert_eq!(short.len(), 2, "{short:?}");
    assert!(
        short[0].contains("contribute at most 60: it can never be met"),
        "{short:?}"
    );
}

#[test]
fn a_requirement_is_unreachable_by_nations_that_never_go_or_whose_pool_holds_them_back() {
    // B adds 50 to A's 30: 80 of the 70 needed, unless B never goes or its
    // pool holds it back.
    let with_b =
        |b: &str| needs_70_of_30(&format!("[nations.B]\ncontributions.land.troops = 50\n{b}"));
    assert_eq!(with_b("participation = 1\n"), Vec::<String>::new());
    for never in [
        "participation = 0\n",
        "participation = 1\ndecision = \"out\"\n",
        "participation = 1\napproval = [{ body = \"P\", probability = 0 }]\n",
    ] {
        let w = with_b(never);
        assert_eq!(w.len(), 2, "{never}: {w:?}");
        assert!(
            w[0].contains("contribute at most 30: it can never be met"),
            "{w:?}"
        );
    }
    // A pool of 39 lets B deploy 39 (rotation 1): 69 in all.
    let w = with_b("participation = 1\npool = { troops = 39 }\n");
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].contains("contribute at most 69"), "{w:?}");
    assert_eq!(
        with_b("participation = 1\npool = { troops = 40 }\n"),
        Vec::<String>::new()
    );
}

#[test]
fn ids_that_differ_only_in_case_are_named_together() {
    assert_eq!(
        warnings_of(
            "[capabilities.Troops]\n[domains.Land]\nrequirements = { Troops = 5 }\n\
             [nations.gbr]\nparticipation = 0.5\ncontributions.Land.Troops = 5\n"
        ),
        [
            "capabilities.Troops: `Troops` and `troops` differ only in case: ids are case-sensitive, so these are two capabilities; use one spelling if they are meant to be the same, or rename one",
            "domains.Land: `Land` and `land` differ only in case: ids are case-sensitive, so these are two domains; use one spelling if they are meant to be the same, or rename one",
            "nations.gbr: `gbr` and `GBR` differ only in case: ids are case-sensitive, so these are two nations; use one spelling if they are meant to be the same, or rename one",
        ]
    );
}

#[test]
fn a_probability_written_as_a_percentage_asks_about_the_fraction() {
    let text = "[scenario]\nname = \"t\"\n[domains.land]\n[nations.GBR]\nparticipation = 90\n";
    let d = scenario::parse("t.toml", text, &[]).unwrap_err();
    assert_eq!(
        d.lines(),
        [
            "t.toml:5:17: nations.GBR.participation: probability must be between 0 and 1, found 90 (did you mean 0.9? a probability is a fraction, not a percentage)"
        ]
    );
    // The fraction as it would be written, without the noise of the division.
    let d = scenario::parse("t.toml", &text.replace("90", "2.2"), &[]).unwrap_err();
    assert!(
        d.lines()[0].ends_with(
            "found 2.2 (did you mean 0.022? a probability is a fraction, not a percentage)"
        ),
        "{d}"
    );
    // Just above 1 is a slip more likely than a share of a percent: no such hint.
    let d = scenario::parse("t.toml", &text.replace("90", "1.8"), &[]).unwrap_err();
    assert!(
        d.lines()[0].ends_with("probability must be between 0 and 1, found 1.8"),
        "{d}"
    );
}

#[test]
fn unknown_nation_ids_suggest_iso_codes_from_names_and_aliases() {
    let text = "[scenario]\nname = \"t\"\n[conditions.c]\nprobability = 0.5\n[domains.land]\nlead = [\"UK\"]\n\
                [nations.GBR]\nparticipation = 0.5\n[nations.DNK]\nparticipation = 0.5\n\
                [nations.DEU]\nparticipation = 0.5\nif_absent.Germany = 0.1\n";
    let d = scenario::parse("t.toml", text, &[]).unwrap_err();
    assert_eq!(
        d.lines(),
        [
            "t.toml:6:9: domains.land.lead[0]: unknown nation `UK` (did you mean `GBR`, United Kingdom?)",
            "t.toml:13:11: nations.DEU.if_absent.Germany: unknown condition or nation `Germany` (did you mean `DEU`, Germany?)",
        ]
    );
    let e = scenario::parse(
        "t.toml",
        text.replace("\"UK\"", "\"GBR\"")
            .replace("Germany", "DNK")
            .as_str(),
        &["nations.UK.participation=0.1".into()],
    )
    .unwrap_err();
    assert!(
        e.lines()[0].contains("no key `UK` at `nations` (did you mean `GBR`, United Kingdom?)"),
        "{:?}",
        e.lines()
    );
}

// ---------------------------------------------------------------- extends

const BASE: &str = r#"[scenario]
name = "Base"
description = "the base"

[capabilities.troops]
[capabilities.ships]

[domains.land]
lead = ["GBR", "FRA"]
requirements = { troops = 100 }

[domains.sea]
lead = ["FRA"]
requirements = { ships = 2 }

[nations.GBR]
participation = 0.9
contributions.land.troops = { pert = [50, 80, 120], source = "s" }

[nations.FRA]
participation = 0.8
contributions.land.troops = 60
contributions.sea.ships = 3

[nations.DNK]
participation = 0.5
contributions.land.troops = 10
"#;

#[test]
fn extends_merges_tables_key_by_key_and_replaces_values_arrays_and_distributions() {
    let dir = scratch();
    write(dir.path(), "base.toml", BASE);
    let child = write(
        dir.path(),
        "child.toml",
        r#"[scenario]
extends = "base.toml"
remove = ["nations.DNK", "domains.sea.requirements.ships"]
name = "Child"

[domains.land]
lead = []

[domains.sea]
requirements.troops = 5

[nations.GBR]
contributions.land.troops = { triangular = [10, 20, 30] }

[nations.NOR]
participation = 0.4
contributions.sea.troops = 7
"#,
    );
    let m = scenario::load(&child, &[]).expect("valid");
    assert_eq!(m.name, "Child");
    assert_eq!(m.description, "the base");
    let ids: Vec<&str> = m.nations.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["GBR", "FRA", "NOR"]);
    assert!(m.domains[0].leads.is_empty());
    assert_eq!(m.domains[1].leads[0].members, [1]);
    // Land keeps its requirement; sea's ships are removed, troops added.
    assert_eq!(m.domains[0].requirements[0].fixed, Some(100));
    assert_eq!(m.domains[1].requirements.len(), 1);
    assert_eq!(m.domains[1].requirements[0].fixed, Some(5));
    // GBR's distribution is replaced whole (no pert left beside the triangular).
    let gbr = &m.contributions[m.nations[0].contributions.clone()][0];
    assert_eq!(
        gbr.dist,
        forcesim::dist::Dist::Triangular {
            min: 10.0,
            mode: 20.0,
            max: 30.0
        }
    );
    // FRA is untouched: both its contributions remain.
    assert_eq!(m.nations[1].contributions.len(), 2);
}

#[test]
fn set_applies_after_the_merge() {
    let dir = scratch();
    write(dir.path(), "base.toml", BASE);
    let child = write(
        dir.path(),
        "child.toml",
        "[scenario]\nextends = \"base.toml\"\n[domains.land]\nrequirements.troops = 200\n",
    );
    let m = scenario::load(&child, &["domains.land.requirements.troops=300".into()]).unwrap();
    assert_eq!(m.domains[0].requirements[0].fixed, Some(300));
    let m = scenario::load(&child, &[]).unwrap();
    assert_eq!(m.domains[0].requirements[0].fixed, Some(200));
}

#[test]
fn diagnostics_name_the_file_each_value_was_written_in() {
    let dir = scratch();
    let base = write(
        dir.path(),
        "base.toml",
        BASE.replace("participation = 0.5", "participation = 5"),
    );
    let child = write(
        dir.path(),
        "child.toml",
        "[scenario]\nextends = \"base.toml\"\n[nations.GBR]\nbloc = \"e3\"\n",
    );
    let d = invalid(scenario::load(&child, &[]).unwrap_err());
    let (b, c) = (base.display(), child.display());
    assert_eq!(
        d.lines(),
        [
            format!("{c}:4:8: nations.GBR.bloc: unknown bloc `e3`; the scenario defines no bloc"),
            format!(
                "{b}:26:17: nations.DNK.participation: probability must be between 0 and 1, found 5 (did you mean 0.05? a probability is a fraction, not a percentage)"
            ),
        ]
    );
    let text = d.to_string();
    assert!(text.contains("26 | participation = 5\n"), "{text}");
    assert!(text.ends_with(&format!("2 problems in {c}")));
}

#[test]
fn warnings_in_a_base_name_the_base() {
    let dir = scratch();
    let base = write(
        dir.path(),
        "base.toml",
        BASE.replace("troops = 10\n", "troops = 10.5\n"),
    );
    let child = write(
        dir.path(),
        "child.toml",
        "[scenario]\nextends = \"base.toml\"\n",
    );
    let c = scenario::load_checked(&child, &[]).unwrap();
    assert_eq!(
        c.warnings.lines(),
        [format!(
            "{}:27:29: nations.DNK.contributions.land.troops: 10.5 is not a whole number: counts are rounded, so this is 11; write 11, or a distribution such as {{ uniform = [10, 11] }} for a range",
            base.display()
        )]
    );
}

#[test]
fn cycles_missing_bases_and_deep_chains_are_refused_at_the_extends() {
    let dir = scratch();
    let a = write(dir.path(), "a.toml", "[scenario]\nextends = \"b.toml\"\n");
    let b = write(dir.path(), "b.toml", "[scenario]\nextends = \"a.toml\"\n");
    let d = invalid(scenario::load(&a, &[]).unwrap_err());
    assert_eq!(
        d.lines(),
        [format!(
            "{}:2:11: scenario.extends: `extends` forms a cycle: {} → {} → {}; the chain must end in a scenario that extends nothing",
            b.display(),
            a.display(),
            b.display(),
            a.display()
        )]
    );

    let c = write(
        dir.path(),
        "c.toml",
        "[scenario]\nextends = \"missing.toml\"\n",
    );
    let d = invalid(scenario::load(&c, &[]).unwrap_err());
    let missing = dir.path().join("missing.toml");
    assert_eq!(d.lines().len(), 1);
    assert!(
        d.lines()[0].starts_with(&format!(
            "{}:2:11: scenario.extends: cannot read the base scenario `missing.toml` ({}): ",
            c.display(),
            missing.display()
        )),
        "{:?}",
        d.lines()
    );

    // A directory is not a scenario.
    std::fs::create_dir(dir.path().join("d.toml")).unwrap();
    let e = write(dir.path(), "e.toml", "[scenario]\nextends = \"d.toml\"\n");
    let d = invalid(scenario::load(&e, &[]).unwrap_err());
    assert_eq!(
        d.lines(),
        [format!(
            "{}:2:11: scenario.extends: cannot read the base scenario `d.toml` ({}): not a regular file (a directory, device, pipe or socket)",
            e.display(),
            dir.path().join("d.toml").display()
        )]
    );

    // Without its base, the file's own errors are still every one reported;
    // what it leaves to the base (its name) and refers to in it (nation A) is not.
    let g = write(
        dir.path(),
        "g.toml",
        "[scenario]\nextends = \"missing.toml\"\n[nations.A]\nparticipation = 1.5\nbogus = 3\n[domains.land]\nlead = [\"A\"]\n",
    );
    let d = invalid(scenario::load(&g, &[]).unwrap_err());
    let lines = d.lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].contains("g.toml:2:11: scenario.extends: cannot read"));
    assert!(
        lines[1].ends_with(
            "g.toml:4:17: nations.A.participation: probability must be between 0 and 1, found 1.5"
        ),
        "{lines:?}"
    );
    assert!(
        lines[2].contains("g.toml:5:1: nations.A.bogus: unknown key `bogus`"),
        "{lines:?}"
    );

    // f0 extends f1 … extends f9: nine bases, one more than allowed.
    write(dir.path(), "f9.toml", BASE);
    for i in 0..9 {
        write(
            dir.path(),
            &format!("f{i}.toml"),
            format!("[scenario]\nextends = \"f{}.toml\"\n", i + 1),
        );
    }
    let d = invalid(scenario::load(&dir.path().join("f0.toml"), &[]).unwrap_err());
    assert_eq!(
        d.lines(),
        [format!(
            "{}:2:11: scenario.extends: too many levels of `extends`: a chain may pass through at most 8 base files",
            dir.path().join("f8.toml").display()
        )]
    );
    // Eight bases are fine.
    assert!(scenario::load(&dir.path().join("f1.toml"), &[]).is_ok());
}

#[test]
fn remove_names_keys_that_are_not_in_the_base_and_needs_extends() {
    let dir = scratch();
    write(dir.path(), "base.toml", BASE);
    let child = write(
        dir.path(),
        "child.toml",
        "[scenario]\nextends = \"base.toml\"\nremove = [\"nations.DKN\", 3]\n",
    );
    let d = invalid(scenario::load(&child, &[]).unwrap_err());
    let c = child.display();
    assert_eq!(
        d.lines(),
        [
            format!(
                "{c}:3:11: scenario.remove[0]: cannot remove `nations.DKN`: the base has no `DKN` in `nations` (did you mean `nations.DNK`?)"
            ),
            format!(
                "{c}:3:26: scenario.remove[1]: expected a dotted key as a string, e.g. \"nations.DNK\""
            ),
        ]
    );
    // A key an earlier entry took out is named as removed, not as missing.
    let twice = write(
        dir.path(),
        "twice.toml",
        "[scenario]\nextends = \"base.toml\"\nremove = [\"nations.DNK\", \"nations.DNK.contributions\"]\n",
    );
    let d = invalid(scenario::load(&twice, &[]).unwrap_err());
    assert_eq!(
        d.lines(),
        [format!(
            "{}:3:26: scenario.remove[1]: cannot remove `nations.DNK.contributions`: `scenario.remove[0]` already removed it",
            twice.display()
        )]
    );
    let lone = write(
        dir.path(),
        "lone.toml",
        BASE.replace("description", "remove = [\"x\"]\ndescription"),
    );
    let d = invalid(scenario::load(&lone, &[]).unwrap_err());
    assert_eq!(
        d.lines(),
        [format!(
            "{}:3:10: scenario.remove: `remove` takes keys out of a base scenario, but this file extends none: add `extends = \"BASE.toml\"` or delete `remove`",
            lone.display()
        )]
    );
}

#[test]
fn a_scenario_given_as_text_cannot_extend() {
    let d = scenario::parse("t.toml", "[scenario]\nextends = \"base.toml\"\n", &[]).unwrap_err();
    assert_eq!(
        d.lines(),
        [
            "t.toml:2:11: scenario.extends: this scenario extends another file, but it was given as text: load it from its file so that the base can be read"
        ]
    );
}

#[test]
fn the_30k_extension_gives_the_report_of_the_full_file_it_replaces() {
    let dir = scratch();
    let mut reports = Vec::new();
    for (name, file) in [
        ("ext.json", "scenarios/paris-2026-30k.toml"),
        ("full.json", "tests/fixtures/paris-2026-30k-full.toml"),
    ] {
        let out = dir.path().join(name);
        forcesim()
            .args(["run", file, "-n", "3000", "--seed", "7", "-q", "--json"])
            .arg(&out)
            .assert()
            .code(0)
            .stderr("");
        reports.push(json_without_engine(&out));
    }
    assert_eq!(reports[0], reports[1]);
    assert!(
        std::fs::read_to_string("scenarios/paris-2026-30k.toml")
            .unwrap()
            .lines()
            .count()
            < 100
    );
}

#[test]
fn sharded_runs_of_an_extension_merge_without_the_base_files() {
    let dir = scratch();
    let p1 = dir.path().join("p1.fsp");
    let p2 = dir.path().join("p2.fsp");
    let s = "scenarios/paris-2026-30k.toml";
    for (k, p) in [("1/2", &p1), ("2/2", &p2)] {
        forcesim()
            .args(["run", s, "-n", "3000", "-q", "--shard", k, "--partial"])
            .arg(p)
            .assert()
            .code(0);
    }
    let merged = dir.path().join("merged.json");
    // Merged from the scratch directory, where no scenario file exists.
    forcesim()
        .current_dir(dir.path())
        .args(["merge", "p1.fsp", "p2.fsp", "-q", "--json", "merged.json"])
        .assert()
        .code(0);
    let whole = dir.path().join("whole.json");
    forcesim()
        .args(["run", s, "-n", "3000", "-q", "--json"])
        .arg(&whole)
        .assert()
        .code(0);
    assert_eq!(json_without_engine(&merged), json_without_engine(&whole));
}

#[test]
fn validate_help_describes_strict_warnings_and_extends() {
    let out = forcesim().args(["validate", "--help"]).output().unwrap();
    // Words as clap wraps them, joined by one space.
    let help = String::from_utf8(out.stdout).unwrap();
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "--strict",
        "Treat warnings as errors",
        "Exit code 0 when every file is valid, 2 when one is invalid, 1 when one cannot be read",
        "(of a domain or the force) no coalition could meet",
        "an if_absent or if_present cap that never binds",
        "a lead_provides share of 0",
        "a [mission] that mounts every trial or none",
        "[scenario] extends = \"base.toml\"",
        "forcesim validate --strict tutorial.toml",
    ] {
        assert!(help.contains(needle), "{needle:?} missing from:\n{help}");
    }
}

// ------------------------------------------------------ byte-order marks

#[test]
fn a_base_opening_with_a_byte_order_mark_is_located_as_the_file_alone() {
    let dir = scratch();
    let base = write(
        dir.path(),
        "bombase.toml",
        format!("\u{feff}bogus = 1\n{BASE}"),
    );
    let child = write(
        dir.path(),
        "child.toml",
        "[scenario]\nextends = \"bombase.toml\"\n",
    );
    let alone = invalid(scenario::load(&base, &[]).unwrap_err());
    let through = invalid(scenario::load(&child, &[]).unwrap_err());
    let b = base.display().to_string();
    let first = |d: &Diagnostics| d.lines().into_iter().find(|l| l.starts_with(&b));
    let line = first(&through).expect("an error in the base");
    assert!(line.starts_with(&format!("{b}:1:1: bogus: ")), "{line}");
    assert_eq!(Some(line), first(&alone));
    // The caret sits under the key, as when the base is checked alone.
    let caret = |d: &Diagnostics| {
        let text = d.to_string();
        let at = text.find("1 | bogus = 1\n").expect("the line is shown");
        text[at..].lines().nth(1).map(str::to_string)
    };
    assert_eq!(caret(&through), caret(&alone));
    assert_eq!(caret(&through).as_deref(), Some("  | ^"));
}

// ------------------------------------------------------- --set into lists

#[test]
fn a_set_into_a_list_the_scenario_lacks_is_explained_in_either_spelling() {
    let text = format!("{BASE}\n[conditions.ally_support]\nprobability = 0.5\n");
    let lines = |set: &str| {
        let d = scenario::parse("s.toml", &text, &[set.to_string()]).unwrap_err();
        d.lines()
    };
    for key in [
        "conditions.ally_support.effects.0.scale",
        "conditions.ally_support.effects[0].scale",
    ] {
        assert_eq!(
            lines(&format!("{key}=1.2")),
            [format!(
                "s.toml (--set {key}=1.2): {key}: no list `effects` at `conditions.ally_support`, and --set cannot add an entry to a list the scenario does not have: set the whole list instead, e.g. --set 'conditions.ally_support.effects=[…]'"
            )]
        );
    }
    for key in [
        "nations.GBR.approval.0.probability",
        "nations.GBR.approval[0].probability",
    ] {
        let got = lines(&format!("{key}=0.5"));
        assert!(
            got[0].contains("no list `approval` at `nations.GBR`"),
            "{got:?}"
        );
    }
    // A number after a key that is no list of the format is an id: the key is
    // unknown, and the nearest one is suggested.
    let got = lines("nations.GBR.contribution.land.troops=1");
    assert!(got[0].contains("no key `contribution`"), "{got:?}");
    let got = lines("nations.GBR.contribution.0=1");
    assert!(
        got[0].contains("no key `contribution` at `nations.GBR` (did you mean `contributions`?)"),
        "{got:?}"
    );
}

// ------------------------------------------------- init and special files

/// Runs the program with `args` in `dir`, failing the test if it has not
/// finished within 20 seconds (it is killed then).
fn init_within(dir: &Path, args: &[&str]) -> std::process::Output {
    within(&common::bin(), dir, args)
}

/// Runs `program` with `args` in `dir`, as [`init_within`].
fn within(program: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    use std::process::{Command, Stdio};
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().expect("waits").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`{} {}` did not finish within 20 s",
                program.display(),
                args.join(" ")
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// Makes a named pipe at `path`; false (said on stderr) without `mkfifo`.
fn mkfifo(path: &Path) -> bool {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return false;
    }
    true
}

#[test]
fn init_refuses_a_named_pipe_where_a_file_goes_at_once() {
    use std::os::unix::fs::FileTypeExt;
    let cases: [(&[&str], &str); 5] = [
        (&["init"], "tutorial.toml"),
        (&["init", "--force"], "tutorial.toml"),
        (&["init"], "forcesim.schema.json"),
        (
            &["init", "d", "--example", "paris-30k"],
            "d/paris-2026.toml",
        ),
        (
            &["init", "d", "--example", "paris-30k", "--force"],
            "d/paris-2026.toml",
        ),
    ];
    for (args, name) in cases {
        let dir = scratch();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        let fifo = dir.path().join(name);
        if !mkfifo(&fifo) {
            return;
        }
        let out = init_within(dir.path(), args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "{name} is not a regular file: it is a named pipe (FIFO) (nothing written)"
            )),
            "{args:?}: {err}"
        );
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
        // Nothing else was written.
        for other in [
            "tutorial.toml",
            "forcesim.schema.json",
            "d/paris-2026-30k.toml",
        ] {
            let p = dir.path().join(other);
            assert!(other == name || !p.exists(), "{args:?}: {other} written");
        }
    }
}

#[test]
fn init_neither_reads_nor_writes_a_device_behind_a_link() {
    for (device, force) in [
        ("/dev/null", true),
        ("/dev/zero", false),
        ("/dev/zero", true),
    ] {
        if !Path::new(device).exists() {
            eprintln!("skipped: no {device}");
            continue;
        }
        let dir = scratch();
        std::os::unix::fs::symlink(device, dir.path().join("tutorial.toml")).unwrap();
        // Bounded memory: a program that read the device whole would fail, not
        // take the machine's memory.
        let script = format!(
            "ulimit -v 4000000; exec \"$0\" init{}",
            if force { " --force" } else { "" }
        );
        let bin = common::bin();
        let args = ["-c", &script, bin.to_str().unwrap()];
        let out = within(Path::new("/bin/sh"), dir.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{device} {force}: {err}");
        assert!(
            err.contains("tutorial.toml is not a regular file: it is a symbolic link to a device"),
            "{err}"
        );
        assert!(!dir.path().join("forcesim.schema.json").exists());
    }
}

#[test]
fn init_force_never_writes_through_a_link() {
    let dir = scratch();
    let d = dir.path();
    write(d, "mine.toml", "mine");
    std::os::unix::fs::symlink("mine.toml", d.join("tutorial.toml")).unwrap();
    std::os::unix::fs::symlink("nowhere.json", d.join("forcesim.schema.json")).unwrap();
    for args in [&["init"][..], &["init", "--force"]] {
        let out = init_within(d, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(
                "tutorial.toml, forcesim.schema.json are symbolic links, not regular files: init does not write through links; remove them first (nothing written)"
            ),
            "{args:?}: {err}"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("mine.toml")).unwrap(),
            "mine"
        );
        assert!(!d.join("nowhere.json").exists());
    }
}

#[test]
fn init_leaves_links_to_files_that_hold_the_text_already() {
    let dir = scratch();
    let d = dir.path();
    std::fs::create_dir(d.join("real")).unwrap();
    std::fs::create_dir(d.join("linked")).unwrap();
    let out = init_within(d, &["init", "real", "--example", "paris-30k"]);
    assert!(out.status.success(), "{out:?}");
    for f in [
        "paris-2026-30k.toml",
        "paris-2026.toml",
        "forcesim.schema.json",
    ] {
        std::os::unix::fs::symlink(d.join("real").join(f), d.join("linked").join(f)).unwrap();
    }
    let out = init_within(d, &["init", "linked", "--example", "paris-30k", "--force"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("nothing to write"), "{err}");
    // The base a variant extends, behind a link, is kept as any base is.
    std::fs::write(d.join("real/paris-2026.toml"), "# mine\n").unwrap();
    std::fs::remove_file(d.join("linked/paris-2026-30k.toml")).unwrap();
    let out = init_within(d, &["init", "linked", "--example", "paris-30k"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("kept linked/paris-2026.toml"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("real/paris-2026.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn init_paris_30k_keeps_an_edited_base_with_force_too() {
    let dir = scratch();
    let d = dir.path();
    let out = init_within(d, &["init", "--example", "paris-30k"]);
    assert!(out.status.success(), "{out:?}");
    let mine = format!(
        "{}# my adapted baseline\n",
        std::fs::read_to_string(d.join("paris-2026.toml")).unwrap()
    );
    std::fs::write(d.join("paris-2026.toml"), &mine).unwrap();
    std::fs::write(d.join("paris-2026-30k.toml"), "# stale\n").unwrap();
    let out = init_within(d, &["init", "--example", "paris-30k", "--force"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("kept paris-2026.toml"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("paris-2026.toml")).unwrap(),
        mine
    );
    let variant = std::fs::read_to_string(d.join("paris-2026-30k.toml")).unwrap();
    assert!(variant.contains("extends"), "{variant}");
}

#[test]
fn init_into_a_link_to_nothing_says_so() {
    let dir = scratch();
    let d = dir.path();
    std::os::unix::fs::symlink("nowhere", d.join("out")).unwrap();
    let out = init_within(d, &["init", "out"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("out is a symbolic link to nowhere, which does not exist: create that directory, or give another (nothing written)"),
        "{err}"
    );
    assert!(!d.join("nowhere").exists());
}

const REFERENCED: &str = r#"[scenario]
name = "base"
[capabilities]
troops = { unit = "personnel" }
ships = {}
medics = {}
[conditions.c]
probability = 0.5
[conditions.d]
probability = 0.5
[[conditions.d.effects]]
scale = 2
targets = ["domains.sea.requirements.ships", "nations.DNK.contributions.land.troops"]
[mission]
requires = ["c"]
[blocs.e3]
correlation = 0.5
[domains.land]
lead = ["GBR"]
requirements = { troops = 100 }
[domains.sea]
requirements = { ships = 2 }
[nations.GBR]
participation = 0.5
contributions.land.troops = 50
[nations.FRA]
participation = 0.5
bloc = "e3"
if_absent = { GBR = 0.5 }
contributions.land = { troops = 50, medics = 5 }
contributions.sea.ships = 3
[nations.DNK]
participation = 0.5
bloc = "e3"
contributions.land.troops = 10
"#;

#[test]
fn an_id_removed_by_an_extension_is_unknown_where_it_is_used_and_names_the_remove() {
    let dir = scratch();
    let base = write(dir.path(), "base.toml", REFERENCED);
    let child = write(
        dir.path(),
        "var.toml",
        "[scenario]\nextends = \"base.toml\"\nremove = [\"nations.GBR\", \"blocs.e3\", \"conditions.c\",\n  \"domains.sea\", \"capabilities.medics\", \"nations.DNK.contributions.land\"]\nname = \"var\"\n",
    );
    let d = invalid(scenario::load(&child, &[]).unwrap_err());
    let (b, c) = (base.display(), child.display());
    // Each error stays at the reference, and names the entry of `remove`.
    let removed = |word: &str, at: &str, i: usize, path: &str| {
        format!(
            "`{word}` was removed by {c}:{at} (scenario.remove[{i}] = \"{path}\"); delete this reference as well, or take \"{path}\" out of `remove` to keep it"
        )
    };
    assert_eq!(
        d.lines(),
        [
            format!(
                "{b}:13:12: conditions.d.effects[0].targets[0]: target `domains.sea.requirements.ships`: unknown domain `sea`: {}",
                removed("sea", "4:3", 3, "domains.sea")
            ),
            format!(
                "{b}:13:46: conditions.d.effects[0].targets[1]: target `nations.DNK.contributions.land.troops` matches no value: `DNK` contributes no `troops` to `land`; {}",
                removed("land", "4:41", 5, "nations.DNK.contributions.land")
            ),
            format!(
                "{b}:15:13: mission.requires[0]: unknown condition `c`: {}",
                removed("c", "3:38", 2, "conditions.c")
            ),
            format!(
                "{b}:19:9: domains.land.lead[0]: unknown nation `GBR`: {}",
                removed("GBR", "3:11", 0, "nations.GBR")
            ),
            format!(
                "{b}:28:8: nations.FRA.bloc: unknown bloc `e3`: {}",
                removed("e3", "3:26", 1, "blocs.e3")
            ),
            format!(
                "{b}:29:15: nations.FRA.if_absent.GBR: unknown condition or nation `GBR`: {}",
                removed("GBR", "3:11", 0, "nations.GBR")
            ),
            format!(
                "{b}:30:37: nations.FRA.contributions.land.medics: unknown capability `medics`: {}",
                removed("medics", "4:18", 4, "capabilities.medics")
            ),
            format!(
                "{b}:31:15: nations.FRA.contributions.sea: unknown domain `sea`: {}",
                removed("sea", "4:3", 3, "domains.sea")
            ),
            format!(
                "{b}:34:8: nations.DNK.bloc: unknown bloc `e3`: {}",
                removed("e3", "3:26", 1, "blocs.e3")
            ),
        ]
    );
    // A whole table removed is named for each id it held.
    let all = write(
        dir.path(),
        "all.toml",
        "[scenario]\nextends = \"base.toml\"\nremove = [\"blocs\"]\n",
    );
    let d = invalid(scenario::load(&all, &[]).unwrap_err());
    let a = all.display();
    assert!(
        d.lines().contains(&format!(
            "{b}:28:8: nations.FRA.bloc: unknown bloc `e3`: `e3` was removed by {a}:3:11 (scenario.remove[0] = \"blocs\"); delete this reference as well, or take \"blocs\" out of `remove` to keep it"
        )),
        "{:?}",
        d.lines()
    );
}

#[test]
fn an_id_the_base_never_had_is_not_called_removed() {
    let dir = scratch();
    write(dir.path(), "base.toml", REFERENCED);
    // `blocs` removed whole and written again: a typo is a typo, not a removal.
    let child = write(
        dir.path(),
        "var.toml",
        "[scenario]\nextends = \"base.toml\"\nremove = [\"blocs\"]\n\
         [blocs.e3]\ncorrelation = 0.5\n[nations.FRA]\nbloc = \"e4\"\n",
    );
    let d = invalid(scenario::load(&child, &[]).unwrap_err());
    let c = child.display();
    assert!(
        d.lines().contains(&format!(
            "{c}:7:8: nations.FRA.bloc: unknown bloc `e4` (did you mean `e3`?)"
        )),
        "{:?}",
        d.lines()
    );
    assert!(
        !d.lines().iter().any(|l| l.contains("`e4` was removed")),
        "{:?}",
        d.lines()
    );
}
