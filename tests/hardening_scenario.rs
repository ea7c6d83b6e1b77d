//! Hardening of the scenario format: diagnostics that stay fast on huge files,
//! weights and parameters that overflow, `rotation` bounds, table-form `--set`,
//! names with control characters in messages, and one bad value reported once
//! (never also as a missing one elsewhere).

use std::time::{Duration, Instant};

use forcesim::scenario;

/// A small valid scenario: one domain, two nations, a condition and a bloc.
const BASE: &str = r#"
[scenario]
name = "Hardening base"

[capabilities]
troops = { unit = "personnel" }

[conditions.backstop]
probability = 0.75

[blocs.west]
correlation = 0.3

[domains.land]
lead = ["ARL", "GBR"]
requirements = { troops = 1000 }

[nations.ARL]
participation = 0.8
contributions = { land = { troops = 800 } }

[nations.GBR]
participation = 0.6
bloc = "west"
contributions = { land = { troops = 500 } }
"#;

/// The rendered diagnostics of `text` with `overrides`, or a panic if it is accepted.
fn errors(text: &str, overrides: &[&str]) -> String {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    match scenario::parse("s.toml", text, &overrides) {
        Ok(_) => panic!("accepted:\n{text}\nwith {overrides:?}"),
        Err(d) => d.to_string(),
    }
}

fn accepts(text: &str, overrides: &[&str]) {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    if let Err(d) = scenario::parse("s.toml", text, &overrides) {
        panic!("rejected:\n{d}");
    }
}

#[test]
fn an_id_made_of_digits_is_reached_by_set() {
    let text = BASE.replace("ARL", "123");
    accepts(&text, &["nations.123.participation=0.9"]);
    let out = errors(&text, &["nations.123.participation=2"]);
    assert!(out.contains("nations.123.participation: "), "{out}");
}

#[test]
fn a_set_value_that_is_not_toml_says_why() {
    let out = errors(BASE, &["nations.ARL.participation=0.5 # note"]);
    assert!(
        out.contains("the value is not valid TOML: ")
            && out.contains("(a `# comment` cannot follow a --set value)"),
        "{out}"
    );
    let out = errors(BASE, &["nations.ARL.participation="]);
    assert!(out.contains("no value after `=`"), "{out}");
    let out = errors(BASE, &["nations.ARL.participation=0.5x"]);
    assert!(out.contains("the value is not valid TOML: "), "{out}");
    // A word is text, as before: a name with a space, a decision.
    accepts(BASE, &["scenario.name=My plan", "nations.ARL.decision=in"]);
}

#[test]
fn a_set_element_that_breaks_its_distribution_is_blamed_for_it() {
    let text = BASE.replace(
        "contributions = { land = { troops = 800 } }",
        "contributions = { land = { troops = { triangular = [700, 800, 900] } } }",
    );
    accepts(&text, &[]);
    let set = "nations.ARL.contributions.land.troops.triangular[0]=9999";
    let out = errors(&text, &[set]);
    assert!(
        out.contains(&format!("s.toml (--set {set}): ")) && out.contains("found [9999, 800, 900]"),
        "{out}"
    );
    // The file's own mistake stays at its line.
    let out = errors(&text.replace("[700, 800, 900]", "[900, 800, 700]"), &[]);
    assert!(out.contains("s.toml:20:52: "), "{out}");
}

#[test]
fn a_number_beyond_2_53_is_quoted_briefly_not_misquoted() {
    let text = BASE.replace("troops = 800", "troops = -9007199254740993");
    let out = errors(&text, &[]);
    assert!(
        out.contains("a count cannot be negative, found -9.0072e15"),
        "{out}"
    );
}

#[test]
fn an_emptied_table_is_reported_at_the_override_that_emptied_it() {
    let out = errors(BASE, &["nations={}"]);
    assert!(
        out.contains("(--set nations={}): nations: the scenario defines no nation"),
        "{out}"
    );
    let with_effect = BASE.replace(
        "probability = 0.75\n",
        "probability = 0.75\n[[conditions.backstop.effects]]\nscale = 2\ntargets = [\"domains.land.requirements\"]\n",
    );
    accepts(&with_effect, &[]);
    let out = errors(&with_effect, &["conditions.backstop.effects[0].targets=[]"]);
    assert!(
        out.contains("(--set conditions.backstop.effects[0].targets=[]): conditions.backstop.effects[0].targets: an effect needs at least one target"),
        "{out}"
    );
    let out = errors(BASE, &["force.requirements={}"]);
    assert!(
        out.contains(
            "(--set force.requirements={}): force.requirements: [force] lists no requirements"
        ),
        "{out}"
    );
}

#[test]
fn a_byte_order_mark_is_no_column() {
    let base = BASE.replace("\n[scenario]\nname = \"Hardening base\"\n", "");
    let text = format!("\u{feff}scenario = {{ name = 5 }}\n{base}");
    let out = errors(&text, &[]);
    assert!(
        out.contains("s.toml:1:21: scenario.name: expected a string"),
        "{out}"
    );
    assert!(out.contains("1 | scenario = { name = 5 }\n"), "{out}");
}

#[test]
fn a_key_nested_past_the_parsers_limit_is_placed_at_its_line() {
    let deep = vec!["a"; 90].join(".");
    let text = format!("{BASE}\n{deep} = 1\n");
    let line = text.lines().count();
    let out = errors(&text, &[]);
    let message = "TOML syntax: a key of 90 parts; a dotted key or table header has at most 80";
    assert!(
        out.contains(&format!("s.toml:{line}:1: {message}")),
        "{out}"
    );
    // A header and a key in an inline table are placed at their first part;
    // 80 parts are allowed.
    let header = format!("[{}]", vec!["b"; 81].join("."));
    let fits = vec!["c"; 80].join(".");
    let text = format!("{BASE}\n{fits} = 1\n{header}\nx = {{ {deep} = 1 }}\n");
    let out = errors(&text, &[]);
    for (line, column, parts) in [(line + 1, 2, 81), (line + 2, 7, 90)] {
        let message = format!("TOML syntax: a key of {parts} parts;");
        assert!(
            out.contains(&format!("s.toml:{line}:{column}: {message}")),
            "{out}"
        );
    }
    assert!(!out.contains(&format!(":{line}:1: TOML")), "{out}");
}

#[test]
fn keys_and_headers_of_millions_of_parts_are_refused_at_once() {
    // Each part once rebuilt and rehashed the whole path: a minute for 300,000
    // parts, hours for the millions that the size limit allows.
    let parts = vec!["a"; 2_000_000].join(".");
    for text in [
        format!("{BASE}\n{parts} = 1\n"),
        format!("{BASE}\n[{parts}]\nb = 1\nb = 2\n"),
    ] {
        let start = Instant::now();
        let out = errors(&text, &[]);
        let elapsed = start.elapsed();
        assert!(out.contains("a key of 2000000 parts;"), "{out:.300}");
        // Under a second on a 2-core machine; a generous bound for slow ones.
        assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");
    }
}

#[test]
fn values_nested_twenty_thousand_deep_are_an_error_not_a_crash() {
    let n = 20_000;
    let arrays = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let tables = format!("{}1{}", "{a=".repeat(n), "}".repeat(n));
    for value in [&arrays, &tables] {
        let out = errors(&format!("{BASE}\nfoo = {value}\n"), &[]);
        assert!(out.contains("cannot recurse further"), "{out:.300}");
        let out = errors(BASE, &[&format!("nations.GBR.foo={value}")]);
        assert!(out.contains("--set nations.GBR.foo="), "{out:.300}");
    }
}

#[test]
fn the_base_scenario_is_valid() {
    accepts(BASE, &[]);
}

#[test]
fn diagnostics_of_twenty_thousand_tables_take_well_under_a_second() {
    let mut text = String::from("[scenario]\nname = \"many\"\n");
    for i in 0..20_000 {
        text.push_str(&format!("[nations.N{i}]\n"));
    }
    let start = Instant::now();
    let out = errors(&text, &[]);
    let elapsed = start.elapsed();
    assert!(out.contains("s.toml:20002:1: nations.N19999.participation: missing required key"));
    assert!(out.contains("too many nations"));
    // Several seconds before line starts were indexed once; a generous bound for slow machines.
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

#[test]
fn checks_and_warnings_of_120_thousand_contributions_stay_linear() {
    // 2,000 nations of 60 contributions each: rules that looked up each
    // contribution or nation by a scan took over ten seconds here.
    let caps = 60;
    let mut text = String::from("[scenario]\nname = \"many\"\n[capabilities]\n");
    for c in 0..caps {
        text.push_str(&format!("c{c} = {{ unit = \"u\" }}\n"));
    }
    text.push_str("[domains.land.requirements]\n");
    for c in 0..caps {
        text.push_str(&format!("c{c} = 100\n"));
    }
    for i in 0..2_000 {
        text.push_str(&format!(
            "[nations.N{i}]\nparticipation = 0.5\n[nations.N{i}.contributions.land]\n"
        ));
        for c in 0..caps {
            text.push_str(&format!("c{c} = {{ uniform = [0, 10] }}\n"));
        }
    }
    let start = Instant::now();
    let checked = scenario::check_bytes("s.toml", text.as_bytes(), &[]).expect("valid");
    let elapsed = start.elapsed();
    assert_eq!(checked.model.contributions.len(), 120_000);
    // About half a second on a 2-core machine; a generous bound for slow ones.
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
}

#[test]
fn control_characters_in_names_are_escaped_in_messages() {
    let text = BASE.replace("bloc = \"west\"", "bloc = \"we\\u001b[2Jst\\r\\u202e\"");
    let out = errors(&text, &[]);
    assert!(
        out.contains("unknown bloc `we\\u{1b}[2Jst\\u{d}\\u{202e}`"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}') && !out.contains('\r') && !out.contains('\u{202e}'));
}

#[test]
fn control_characters_in_keys_are_escaped() {
    // A TOML escape puts ESC and BEL into the key: the dotted key and the message show escapes.
    let text = BASE.replace("[nations.GBR]", "[nations.\"G\\u001bB\\u0007R\"]");
    let out = errors(&text, &[]);
    assert!(
        out.contains("nations.G\\u{1b}B\\u{7}R: `G\\u{1b}B\\u{7}R` is not a valid id"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out}");
}

#[test]
fn control_characters_in_source_lines_are_escaped_and_the_caret_follows() {
    // A raw ESC is a TOML syntax error; the quoted source line must not carry it raw.
    let text = BASE.replace("[nations.GBR]", "[nations.\"G\u{1b}BR\"]");
    let out = errors(&text, &[]);
    assert!(!out.contains('\u{1b}'), "{out}");
    let line = out.lines().find(|l| l.contains("[nations.\"G")).unwrap();
    assert!(line.ends_with("| [nations.\"G\\u{1b}BR\"]"), "{out}");
    // The caret sits under the escape, six columns wide.
    let caret = out.lines().skip_while(|l| *l != line).nth(1).unwrap();
    let col = caret.find('^').unwrap();
    assert_eq!(&line[col..col + 6], "\\u{1b}", "{out}");
}

#[test]
fn control_characters_in_overrides_are_escaped() {
    let out = errors(BASE, &["nations.\u{1b}X.participation=1"]);
    assert!(out.contains("\\u{1b}X"), "{out}");
    assert!(!out.contains('\u{1b}'), "{out}");
}

#[test]
fn rotation_must_be_between_one_and_ten() {
    let with = |r: &str| {
        BASE.replace(
            "name = \"Hardening base\"",
            &format!("name = \"x\"\nrotation = {r}"),
        )
    };
    accepts(&with("1"), &[]);
    accepts(&with("10"), &[]);
    let out = errors(&with("0"), &[]);
    assert!(
        out.contains("scenario.rotation: must be between 1 and 10, found 0"),
        "{out}"
    );
    assert!(out.contains("^"), "{out}");
    assert!(errors(&with("11"), &[]).contains("scenario.rotation: too large: at most 10"));
    // Below 0 the message gives the same range, not "at least 0".
    let out = errors(&with("-1"), &[]);
    assert!(
        out.contains("scenario.rotation: must be between 1 and 10, found -1"),
        "{out}"
    );
    let out = errors(BASE, &["scenario.rotation=0"]);
    assert!(
        out.contains("(--set scenario.rotation=0): scenario.rotation: must be between 1 and 10"),
        "{out}"
    );
}

/// Replaces ARL's participation (a probability) and contribution (a count) in turn with `dist`.
fn each_dist_place(dist: &str) -> Vec<String> {
    vec![
        BASE.replace("participation = 0.8", &format!("participation = {dist}")),
        BASE.replace("{ troops = 800 }", &format!("{{ troops = {dist} }}")),
        BASE.replace(
            "requirements = { troops = 1000 }",
            &format!("requirements = {{ troops = {dist} }}"),
        ),
        BASE.replace(
            "participation = 0.6",
            &format!("participation = 0.6\nready_days = {dist}"),
        ),
        BASE.replace("probability = 0.75", &format!("probability = {dist}")),
    ]
}

#[test]
fn discrete_weights_whose_sum_overflows_are_rejected_everywhere() {
    for text in each_dist_place("{ discrete = { values = [0, 1], weights = [1e308, 1e308] } }") {
        let out = errors(&text, &[]);
        assert!(
            out.contains("the sum of the discrete weights is too large to compute"),
            "{out}"
        );
        assert!(out.contains(".discrete: "), "{out}");
    }
    // Large but finite totals are fine.
    for text in each_dist_place("{ discrete = { values = [0, 1], weights = [1e307, 1e307] } }") {
        accepts(&text, &[]);
    }
}

#[test]
fn parameters_that_overflow_while_drawing_are_rejected() {
    for (dist, what) in [
        ("{ uniform = [-1e308, 1e308] }", "the span max − min"),
        (
            "{ triangular = [-1e308, 0, 1e308] }",
            "the span max − min (or the mean)",
        ),
        (
            "{ pert = [-1e308, 0, 1e308] }",
            "the span max − min (or the mean)",
        ),
        (
            "{ pert = [0, 1e308, 1e308] }",
            "the span max − min (or the mean)",
        ),
        ("{ normal = { mean = 1e308, sd = 1e308 } }", "mean ± 10 sd"),
        (
            "{ lognormal = { median = 1, sigma = 100 } }",
            "median × e^(10 sigma)",
        ),
    ] {
        // Days accept every form and sign, so the overflow is the only fault there.
        let text = BASE.replace(
            "participation = 0.6",
            &format!("participation = 0.6\nready_days = {dist}"),
        );
        let out = errors(&text, &[]);
        assert!(
            out.contains(&format!("{what} is too large to compute")),
            "{dist}: {out}"
        );
    }
}

#[test]
fn table_form_set_creates_nothing_the_leaf_form_rejects() {
    let leaf = errors(BASE, &["nations.ARl.participation=0"]);
    assert!(
        leaf.contains("no key `ARl` at `nations` (did you mean `ARL`?)"),
        "{leaf}"
    );
    let table = errors(BASE, &["nations.ARl={participation=0}"]);
    assert!(
        table.contains("no key `ARl` at `nations` (did you mean `ARL`?)"),
        "{table}"
    );
    assert!(
        table.contains("(--set nations.ARl={participation=0}): nations.ARl: "),
        "{table}"
    );
    // Replacing an existing entry or creating an optional value table still works.
    accepts(BASE, &["nations.ARL={participation=0.5}"]);
    accepts(BASE, &["simulation={trials=10}"]);
    accepts(BASE, &["report.thresholds={troops=[100]}"]);
    accepts(BASE, &["nations.GBR.ready_days={uniform=[1, 5]}"]);
}

/// The `error:` lines of rendered diagnostics.
fn error_lines(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with("error: ")).collect()
}

/// One bad value in each place that another check reads.
const CASCADE: &str = r#"[scenario]
name = "one bad value each"
[capabilities]
troops = { unit = "p" }
[force]
requirements = { troops = -1 }
[conditions.c]
probability = 0.5
[[conditions.c.effects]]
scale = 2
targets = ["force.requirements.troops", "domains.land.requirements.troops", "nations.A.contributions.land"]
[[conditions.c.effects]]
scale = 2
targets = ["domains.land.requirements", 5]
[[conditions.c.effects]]
scale = 2
targets = [5]
[domains.land]
lead = ["A", 7]
requirements = { troops = nan }
[domains.sea]
lead = [7]
lead_provides = { troops = 0.5 }
requirements = { troops = 1 }
[nations.A]
participation = 0.5
contributions.land.troops = { normal = { mean = 10, sd = -1 } }
contributions.sea.troops = 1
"#;

#[test]
fn a_value_present_but_invalid_is_not_also_reported_as_missing() {
    let out = errors(CASCADE, &[]);
    for own in [
        "s.toml:6:27: force.requirements.troops: a count cannot be negative",
        "s.toml:14:41: conditions.c.effects[1].targets[1]: expected a string",
        "s.toml:17:12: conditions.c.effects[2].targets[0]: expected a string",
        "s.toml:19:14: domains.land.lead[1]: expected a string",
        "s.toml:20:27: domains.land.requirements.troops: expected a finite number",
        "s.toml:22:9: domains.sea.lead[0]: expected a string",
        "s.toml:27:40: nations.A.contributions.land.troops.normal: normal needs",
    ] {
        assert!(out.contains(own), "missing {own:?} in:\n{out}");
    }
    assert_eq!(error_lines(&out).len(), 7, "{out}");
}

#[test]
fn a_bad_override_is_reported_once_at_the_override() {
    let force = format!(
        "{BASE}[force]\nrequirements = {{ troops = 10 }}\n[[conditions.backstop.effects]]\nscale = 2\ntargets = [\"force.requirements.troops\"]\n"
    );
    accepts(&force, &[]);
    for set in ["force.requirements.troops=1000000000001", "force=1"] {
        let out = errors(&force, &[set]);
        let lines = error_lines(&out);
        assert_eq!(lines.len(), 1, "{set}: {out}");
        assert!(lines[0].contains(&format!("(--set {set})")), "{out}");
    }
    let out = errors(BASE, &["nations=1"]);
    let lines = error_lines(&out);
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].contains("(--set nations=1): nations: expected a table, found an integer"),
        "{out}"
    );
}

#[test]
fn a_cycle_made_by_an_override_is_reported_at_the_override() {
    let base = BASE.replace(
        "participation = 0.6\n",
        "participation = 0.6\nif_absent = { ARL = 0.5 }\n",
    );
    accepts(&base, &[]);
    let out = errors(&base, &["nations.ARL.if_present.GBR=0.1"]);
    assert!(
        out.contains("(--set nations.ARL.if_present.GBR=0.1): nations.ARL.if_present.GBR: `if_absent` and `if_present` references form a cycle: ARL → GBR → ARL"),
        "{out}"
    );
}

#[test]
fn every_independent_cycle_is_reported_once() {
    let mut text = String::from(
        "[scenario]\nname = \"x\"\n[capabilities]\ntroops = {}\n[domains.land]\nrequirements = { troops = 10 }\n",
    );
    for (n, on) in [
        ("AAA", "BBB"),
        ("BBB", "AAA"),
        ("CCC", "DDD"),
        ("DDD", "CCC"),
    ] {
        text.push_str(&format!(
            "[nations.{n}]\nparticipation = 0.5\nif_absent = {{ {on} = 0.4 }}\ncontributions.land.troops = 5\n"
        ));
    }
    let out = errors(&text, &[]);
    let lines = error_lines(&out);
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].contains("cycle: AAA → BBB → AAA"), "{out}");
    assert!(lines[1].contains("cycle: CCC → DDD → CCC"), "{out}");
}

#[test]
fn a_missing_scenario_table_hides_no_other_error() {
    let out = errors(
        "[capabilities]\ntroops = {}\n[mission]\nrequires = [\"cesefire\"]\n[conditions.ceasefire]\nprobability = 0.5\n[domains.land]\nlead = [\"BRX\"]\nrequirements = { troops = 10 }\n[nations.A]\nparticipation = 9\ncontributions.land.troops = 15\n",
        &[],
    );
    for e in [
        "scenario: missing required key `scenario`",
        "s.toml:4:13: mission.requires[0]: unknown condition `cesefire`",
        "s.toml:8:9: domains.land.lead[0]: unknown nation `BRX`",
        "s.toml:11:17: nations.A.participation: probability must be between 0 and 1",
    ] {
        assert!(out.contains(e), "missing {e:?} in:\n{out}");
    }
    assert_eq!(error_lines(&out).len(), 4, "{out}");
    // A file of comments lacks every required table, and says so.
    let out = errors("# a scenario, one day\n", &[]);
    for e in [
        "scenario: missing required key `scenario`",
        "domains: the scenario defines no domain",
        "nations: the scenario defines no nation",
    ] {
        assert!(out.contains(e), "missing {e:?} in:\n{out}");
    }
}

#[test]
fn trials_below_one_say_at_least_one_whatever_the_sign() {
    for (set, found) in [("simulation.trials=0", "0"), ("simulation.trials=-5", "-5")] {
        let out = errors(BASE, &[set]);
        assert!(
            out.contains(&format!(
                "simulation.trials: trials must be at least 1, found {found}"
            )),
            "{out}"
        );
        assert_eq!(error_lines(&out).len(), 1, "{out}");
    }
}

#[test]
fn extends_and_remove_cannot_be_set_and_say_why() {
    for key in ["scenario.extends", "scenario.remove"] {
        let out = errors(BASE, &[&format!("{key}=base.toml")]);
        assert!(
            out.contains(&format!("{key}: `{key}` cannot be set with --set: the files a scenario extends are read and merged before overrides apply")),
            "{out}"
        );
    }
}

#[test]
fn a_long_cycle_and_too_many_nations_read_briefly_at_their_place() {
    let mut text = String::from(
        "[scenario]\nname = \"cycle\"\n[capabilities]\ntroops = {}\n[domains.land]\nrequirements = { troops = 1 }\n",
    );
    for i in 0..30 {
        let next = (i + 1) % 30;
        text.push_str(&format!(
            "[nations.N{i}]\nparticipation = 0.5\nif_absent = {{ N{next} = 0.1 }}\ncontributions.land.troops = 1\n"
        ));
    }
    let out = errors(&text, &[]);
    assert!(out.contains("… 19 more …"), "{out}");
    assert!(out.len() < 2000, "{out}");
    // Past the nations' limit, the error is at the nations, not at line 1.
    let mut many = String::from(
        "[scenario]\nname = \"many\"\n[capabilities]\ntroops = {}\n[domains.land]\nrequirements = { troops = 1 }\n",
    );
    for i in 0..=forcesim::limits::MAX_NATIONS {
        many.push_str(&format!("[nations.N{i}]\nparticipation = 0.5\n"));
    }
    let out = errors(&many, &[]);
    assert!(
        out.contains("s.toml:7:2: nations: too many nations"),
        "{}",
        &out[..out.len().min(2000)]
    );
}

/// Past a million contributions a trial's committed force of one capability
/// (10^12 × rotation 10 from each) could pass 64 bits: refused, at the nations.
#[test]
fn more_contributions_than_the_limit_are_refused_at_the_nations() {
    let caps = forcesim::limits::MAX_CONTRIBUTIONS / forcesim::limits::MAX_NATIONS + 1;
    let mut many = String::from("[scenario]\nname = \"many\"\nrotation = 10\n[capabilities]\n");
    for c in 0..caps {
        many.push_str(&format!("c{c} = {{}}\n"));
    }
    many.push_str("[domains.land]\nrequirements = { c0 = 1 }\n");
    let line = 7 + caps;
    // Short lines: the file stays under the 16 MiB a scenario may take.
    let amounts: String = (0..caps).map(|c| format!("c{c}=1\n")).collect();
    for n in 0..forcesim::limits::MAX_NATIONS {
        many.push_str(&format!(
            "[nations.N{n}]\nparticipation = 0.5\n[nations.N{n}.contributions.land]\n{amounts}"
        ));
    }
    let out = errors(&many, &[]);
    let want = format!(
        "s.toml:{line}:2: nations: too many contributions: {}, at most 1000000",
        caps * forcesim::limits::MAX_NATIONS
    );
    assert!(out.contains(&want), "{}", &out[..out.len().min(2000)]);
}

#[test]
fn a_set_into_a_table_the_file_lacks_says_so() {
    let text = BASE.replace("[conditions.backstop]\nprobability = 0.75\n", "");
    accepts(&text, &[]);
    let out = errors(&text, &["conditions.backstop.probability=0.5"]);
    assert!(
        out.contains("the scenario has no [conditions] table, and --set cannot create one"),
        "{out}"
    );
}
