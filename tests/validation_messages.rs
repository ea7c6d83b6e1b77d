//! Messages of `forcesim validate` for mistakes of form: duplicate keys and
//! tables named with their dotted key and first definition, a long list of bad
//! values summed up instead of flooding, `participation` optional when the
//! decision is fixed, and a file of comments told every part it lacks.

mod common;

use common::{forcesim, scenario_file, scratch, write};
use forcesim::scenario;
use proptest::prelude::*;

/// A small valid scenario: one domain, two nations.
const BASE: &str = r#"[scenario]
name = "messages"

[capabilities]
troops = { unit = "personnel" }

[domains.land]
lead = ["A", "B"]
requirements = { troops = 10 }

[nations.A]
participation = 0.5
contributions.land.troops = 15

[nations.B]
participation = 0.5
contributions.land.troops = 5
"#;

/// The stderr of `forcesim validate` on `text` with `args`, checking exit code 2.
fn invalid(text: &str, args: &[&str]) -> String {
    let (_dir, path) = scenario_file(text);
    let out = forcesim()
        .arg("validate")
        .arg(&path)
        .args(args)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "expected exit 2:\n{stderr}");
    assert!(!stderr.contains("panicked"), "panicked:\n{stderr}");
    stderr
}

/// The `error: ` lines of rendered diagnostics.
fn error_lines(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with("error: ")).collect()
}

fn has(out: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(out.contains(w), "missing {w:?} in:\n{out}");
    }
}

/// The diagnostics of `text` parsed as a library call, or a panic if accepted.
fn errors(text: &str, overrides: &[&str]) -> String {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    match scenario::parse("s.toml", text, &overrides) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(d) => d.to_string(),
    }
}

#[test]
fn a_duplicate_key_and_a_table_defined_twice_are_named_with_their_first_place() {
    let text = "[scenario]\nname = \"duplicate key\"\n[capabilities]\ntroops = { unit = \"p\" }\n\
                [domains.land]\nrequirements = { troops = 10 }\n[nations.A]\nparticipation = 0.5\n\
                participation = 0.6\n[nations.A.contributions.land]\ntroops = 15\n[nations.A]\nname = \"again\"\n";
    let out = invalid(text, &[]);
    has(
        &out,
        &[
            "s.toml:9:1: nations.A.participation: duplicate key: already set at 8:1",
            "s.toml:12:10: nations.A: table defined twice: first at 7:1",
        ],
    );
    assert_eq!(error_lines(&out).len(), 2, "{out}");
    assert!(!out.contains("TOML syntax: duplicate key"), "{out}");
}

#[test]
fn duplicates_in_inline_tables_dotted_keys_and_arrays_of_tables_are_named() {
    let text = format!(
        "{BASE}[nations.C]\nparticipation = 0.5\ncontributions = {{ land = {{ troops = 1, troops = 2 }} }}\n\
         [nations.D]\nparticipation = 0.5\ncontributions.land.troops = 1\ncontributions.land.troops = 2\n\
         [conditions.c]\nprobability = 0.5\n[[conditions.c.effects]]\nscale = 2\n\
         [[conditions.c.effects]]\nscale = 2\nscale = 3\n"
    );
    let out = errors(&text, &[]);
    has(
        &out,
        &[
            "s.toml:20:40: nations.C.contributions.land.troops: duplicate key: already set at 20:28",
            "s.toml:24:20: nations.D.contributions.land.troops: duplicate key: already set at 23:1",
            "s.toml:31:1: conditions.c.effects[1].scale: duplicate key: already set at 30:1",
        ],
    );
    assert_eq!(error_lines(&out).len(), 3, "{out}");
}

#[test]
fn a_table_defined_by_dotted_keys_then_by_a_header_is_named() {
    let text = format!("{BASE}[nations.A.contributions.land]\ntroops = 1\n");
    let out = errors(&text, &[]);
    has(
        &out,
        &["nations.A.contributions.land: duplicate key: already set at 13:1"],
    );
}

#[test]
fn a_duplicate_key_in_an_override_or_a_base_file_is_named() {
    let out = invalid(
        BASE,
        &["--set", "nations.A.pool={ troops = 1, troops = 2 }"],
    );
    has(
        &out,
        &[
            "(--set nations.A.pool={ troops = 1, troops = 2 }): nations.A.pool.troops: the value is not valid TOML: duplicate key",
        ],
    );
    let dir = scratch();
    write(
        dir.path(),
        "base.toml",
        format!("{BASE}[nations.B.pool]\ntroops = 1\ntroops = 2\n"),
    );
    let child = write(
        dir.path(),
        "child.toml",
        "[scenario]\nextends = \"base.toml\"\n",
    );
    let out = forcesim()
        .arg("validate")
        .arg(&child)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    has(
        &stderr,
        &["base.toml:20:1: nations.B.pool.troops: duplicate key: already set at 19:1"],
    );
}

#[test]
fn other_syntax_errors_keep_their_message() {
    let out = errors("[scenario]\nname = \"x\"\n[domains.a\n", &[]);
    has(&out, &["s.toml:3:11: TOML syntax: unclosed table"]);
    // A dotted key through a value names the key.
    let out = errors("[scenario]\nname = \"x\"\nname.first = \"y\"\n", &[]);
    has(&out, &["s.toml:3:1: scenario.name: TOML syntax:"]);
}

#[test]
fn a_bracket_left_open_is_one_error_not_its_cascade() {
    let text = "[scenario]\nname = \"x\"\nseed = 12k\n[capabilities]\ntroops = { unit = \"personnel\" }\n\
        [domains.land]\nrequirements = { troops = 100 }\n[nations.GBR]\nparticipation = 0.5\n\
        [nations.GBR.contributions.land]\ntroops = { triangular = [1, 2 }\n[nations.FRA]\nparticipation = 0.5\n";
    let out = errors(text, &[]);
    // The error before the open bracket stays; the ten the parser finds after
    // it (commas, `=` in an array, a header read as a float …) are its echo.
    assert_eq!(error_lines(&out).len(), 2, "{out}");
    has(
        &out,
        &[
            "s.toml:3:8: TOML syntax: string values must be quoted, expected literal string (write the whole number: 12k is 12000)",
            "s.toml:11:31: TOML syntax: missing comma between array elements, expected `,` (the `[` at 11:25 is never closed: the errors it causes further on are not shown)",
            "\n2 problems in s.toml",
        ],
    );
    // A bracket closed on its line is no cascade: each error is its own.
    let out = errors(&text.replace("[1, 2 }", "[1, 2]] }"), &[]);
    assert!(!out.contains("never closed"), "{out}");
    // A header left open says so once, as the parser does.
    let out = errors("[scenario]\nname = \"x\"\n[domains.a\n", &[]);
    has(&out, &["s.toml:3:11: TOML syntax: unclosed table"]);
    assert!(!out.contains("never closed"), "{out}");
}

#[test]
fn a_bracket_left_open_at_the_end_of_its_line_is_one_error_naming_it() {
    // The first error is on the line after the bracket's.
    let text = "[scenario]\nname = \"x\"\n[capabilities]\ntroops = { unit = \"personnel\" }\n\
        [domains.land]\nlead = [\"GBR\"\nrequirements = { troops = 100 }\n[nations.GBR]\n\
        participation = 0.5\n[nations.GBR.contributions.land]\ntroops = 5\n";
    let out = errors(text, &[]);
    assert_eq!(error_lines(&out).len(), 1, "{out}");
    has(&out, &["(the `[` at 6:8 is never closed"]);
    let text = text.replace("lead = [\"GBR\"", "lead = [\"GBR\"]");
    let text = text.replace("{ troops = 100 }", "{ troops = 100");
    let out = errors(&text, &[]);
    assert_eq!(error_lines(&out).len(), 1, "{out}");
    has(&out, &["(the `{` at 7:16 is never closed"]);
    // An array over several lines that closes is no cascade, even with an
    // error inside it and a bracket left open further on.
    let text = "[scenario]\nname = \"x\"\n[capabilities]\ntroops = { unit = \"personnel\" }\n\
        [domains.land]\nrequirements = { troops = 100 }\n[nations.GBR]\nparticipation = 0.5\n\
        approval = [\n  { body = \"p\", probability = 12k },\n]\n\
        [nations.GBR.contributions.land]\ntroops = [5, 6\n";
    let out = errors(text, &[]);
    assert!(!out.contains("the `[` at 9:12"), "{out}");
    has(
        &out,
        &["s.toml:10:31: TOML syntax: string values must be quoted"],
    );
}

#[test]
fn a_list_over_several_lines_closed_later_hides_no_error() {
    // The `[` of line 3 is closed on line 5: the errors after it are their own.
    let text =
        "[scenario]\nname = \"x\"\nlist = [1 2,\n  3,\n]\nbad = = 1\nother = 7x\nx = { y = 1\n";
    let out = errors(text, &[]);
    assert!(!out.contains("never closed"), "{out}");
    has(
        &out,
        &[
            "s.toml:3:9: TOML syntax:",
            "s.toml:6:7: TOML syntax: extra `=`",
            "s.toml:7:9: TOML syntax:",
            "s.toml:8:12: TOML syntax: unclosed inline table",
        ],
    );
    // A bracket in a string, a comment or a multi-line string opens nothing.
    for opener in ["\"[\"", "'['", "\"\\\"[\"", "1 # [", "\"\"\"\n[\n\"\"\""] {
        let text = format!("[scenario]\nname = {opener}\nbad = = 1\nx = {{ y = 1\n");
        let out = errors(&text, &[]);
        assert!(!out.contains("never closed"), "{text}\n{out}");
        has(&out, &["extra `=`", "unclosed inline table"]);
    }
}

/// Odd texts around duplicates: never a panic, always a located message.
const ODD: &[&str] = &[
    "a = 1\na = 2\n",
    "\"a\" = 1\na = 2\n",
    "'a.b' = 1\n\"a.b\" = 2\n",
    "[a]\n[a]\n[a]\n",
    "[[a]]\n[a]\n",
    "[a]\n[[a]]\n",
    "a = [1]\n[[a]]\n",
    "a.b = 1\n[a]\nb = 2\n",
    "a = { b = 1 }\na.c = 2\n",
    "a = { b = { c = 1, c = 2 }, b = 3 }\n",
    "x = [ { y = 1, y = 2 }, { y = 3, y = 4 } ]\n",
    "[a.b]\n[a]\nb = 1\n",
    "[ a . b ]\n[a.\"b\"]\n",
    "[a]\nb = 1\n[a\nb = 2\n",
    "a = {\nb = 1,\nb = 2\n}\n",
    "a = 1\r\na = 2\r\n",
    "é = 1\né = 2\n",
    "\u{feff}a = 1\na = 2\n",
    "[\"\u{202e}\"]\n[\"\u{202e}\"]\n",
    "a=1\na=1\na=1\na=1\n",
];

#[test]
fn odd_texts_around_duplicates_never_panic() {
    for text in ODD {
        let out = errors(text, &[]);
        assert!(out.contains("s.toml:"), "{out}");
        for o in ["a={b=1,b=2}", "a=[{b=1,b=1}]", "a={", "a.b[0]={c=1,c=1}"] {
            let _ = scenario::parse("s.toml", text, &[o.to_string()]);
            let _ = scenario::parse("s.toml", BASE, &[o.to_string()]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Texts made of header, key and value pieces, duplicated at will.
    #[test]
    fn texts_of_repeated_pieces_never_panic(pieces in prop::collection::vec(0usize..14, 0..24)) {
        const PIECES: &[&str] = &[
            "[a]\n", "[a.b]\n", "[[a]]\n", "[[a.c]]\n", "b = 1\n", "b.c = 2\n", "c = { d = 1 }\n",
            "c = { d = 1, d = 2 }\n", "e = [ { f = 1 }, { f = 2, f = 3 } ]\n", "[\n", "= 1\n",
            "\"b\" = 3\n", "a.b.c = 4\n", "x = {\n",
        ];
        let text: String = pieces.iter().map(|&i| PIECES[i]).collect();
        let _ = scenario::parse("s.toml", &text, &[]);
        let _ = scenario::parse("s.toml", BASE, &[format!("nations.A.pool={}", text.replace('\n', ","))]);
    }
}

#[test]
fn a_hundred_thousand_timeline_days_are_one_error() {
    let days: Vec<String> = (1..=100_000).map(|d| d.to_string()).collect();
    let text = format!("{BASE}[simulation]\ntimeline_days = [{}]\n", days.join(","));
    let out = errors(&text, &[]);
    let lines = error_lines(&out);
    assert_eq!(lines.len(), 1, "{}", &out[..out.len().min(3000)]);
    has(
        lines[0],
        &["s.toml:19:17: simulation.timeline_days: at most 1000 timeline days, found 100000"],
    );
    // Within the limit, every element is still checked.
    let text = format!("{BASE}[simulation]\ntimeline_days = [5, 3, 40000]\n");
    let out = errors(&text, &[]);
    has(
        &out,
        &[
            "simulation.timeline_days[1]: timeline days must be strictly increasing: 3 follows 5",
            "simulation.timeline_days[2]: too large: at most 36500, found 40000",
        ],
    );
}

#[test]
fn a_long_list_of_bad_values_shows_twenty_and_counts_the_rest() {
    let bad: Vec<&str> = vec!["\"x\""; 5000];
    let text = format!(
        "{BASE}[nations.C]\nparticipation = {{ discrete = {{ values = [{}] }} }}\ncontributions.land.troops = 1\n",
        bad.join(", ")
    );
    let out = errors(&text, &[]);
    let lines = error_lines(&out);
    // Twenty errors, then a note (not an error) that counts the rest; the
    // count of problems is every one of them.
    assert_eq!(lines.len(), 20, "{}", &out[..out.len().min(3000)]);
    has(
        &out,
        &[
            "nations.C.participation.discrete.values[19]: expected a number, found a string",
            "\nnote: s.toml:",
            "nations.C.participation.discrete.values: … and 4980 more errors in this list, not shown",
            "\n5000 problems in s.toml",
        ],
    );
    // Unknown ids in a lead list, found after decoding, are summed up too.
    let leads: Vec<String> = (0..3000).map(|i| format!("\"X{i}\"")).collect();
    let text = BASE.replace(
        "lead = [\"A\", \"B\"]",
        &format!("lead = [{}]", leads.join(", ")),
    );
    let out = errors(&text, &[]);
    let lines = error_lines(&out);
    assert_eq!(lines.len(), 20, "{}", &out[..out.len().min(3000)]);
    has(
        &out,
        &["domains.land.lead: … and 2980 more errors in this list, not shown"],
    );
    // A few errors in one list are all shown.
    let text = BASE.replace("lead = [\"A\", \"B\"]", "lead = [\"X\", \"Y\", \"Z\"]");
    let out = errors(&text, &[]);
    assert_eq!(error_lines(&out).len(), 3, "{out}");
    assert!(!out.contains("not shown"), "{out}");
}

#[test]
fn thirty_syntax_errors_are_thirty_problems() {
    let bad: String = (1..=30).map(|i| format!("bad line {i}\n")).collect();
    let out = errors(&format!("{BASE}{bad}"), &[]);
    assert_eq!(error_lines(&out).len(), 20, "{out}");
    has(
        &out,
        &["… and 10 more errors, not shown", "\n30 problems in s.toml"],
    );
}

#[test]
fn a_key_set_many_times_shows_twenty_and_counts_the_rest() {
    let text = BASE.replace(
        "participation = 0.5\ncontributions.land.troops = 15",
        &format!(
            "{}contributions.land.troops = 15",
            "participation = 0.5\n".repeat(2001)
        ),
    );
    let out = errors(&text, &[]);
    let lines = error_lines(&out);
    assert_eq!(lines.len(), 20, "{}", &out[..out.len().min(3000)]);
    has(
        &out,
        &[
            "nations.A.participation: duplicate key: already set at 12:1",
            "nations.A.participation: … and 1980 more errors at this key, not shown",
        ],
    );
    // Twenty times over: every one shown.
    let text = BASE.replace(
        "participation = 0.5\ncontributions.land.troops = 15",
        &format!(
            "{}contributions.land.troops = 15",
            "participation = 0.5\n".repeat(21)
        ),
    );
    let out = errors(&text, &[]);
    assert_eq!(error_lines(&out).len(), 20, "{out}");
    assert!(!out.contains("not shown"), "{out}");
}

#[test]
fn sources_and_effect_targets_do_not_flood() {
    let many = vec!["1"; 2000].join(", ");
    let targets = vec!["\"domains.nowhere.requirements\""; 2000].join(", ");
    let text = format!(
        "{}[conditions.c]\nprobability = 0.5\n[[conditions.c.effects]]\nscale = 2\ntargets = [{targets}]\n",
        BASE.replace(
            "name = \"messages\"",
            &format!("name = \"messages\"\nsources = [{many}]")
        )
    );
    let out = errors(&text, &[]);
    assert_eq!(
        error_lines(&out).len(),
        40,
        "{}",
        &out[..out.len().min(4000)]
    );
    has(
        &out,
        &[
            "scenario.sources: … and 1980 more errors in this list, not shown",
            "conditions.c.effects[0].targets: … and 1980 more errors in this list, not shown",
        ],
    );
}

const FIXED: &str = r#"
[nations.C]
decision = "in"
contributions.land.troops = 10

[nations.D]
decision = "out"
contributions.land.troops = 10
"#;

#[test]
fn a_fixed_decision_needs_no_participation() {
    let text = format!("{BASE}{FIXED}");
    let model = scenario::parse("s.toml", &text, &[]).unwrap_or_else(|d| panic!("{d}"));
    let p = |id: &str| {
        let n = model.nations.iter().find(|n| n.id == id).unwrap();
        n.p.fixed
    };
    assert_eq!((p("C"), p("D")), (1.0, 0.0));
    // Given anyway, it is accepted as before.
    let with = text.replace(
        "decision = \"in\"",
        "decision = \"in\"\nparticipation = 0.2",
    );
    assert!(scenario::parse("s.toml", &with, &[]).is_ok());
    // A drawn decision still needs it, also when an override makes it drawn.
    let out = errors(&text, &["nations.C.decision=draw"]);
    has(
        &out,
        &["s.toml:19:1: nations.C.participation: missing required key `participation`"],
    );
    assert_eq!(error_lines(&out).len(), 1, "{out}");
    let drawn = text.replace("decision = \"out\"", "decision = \"draw\"");
    let out = invalid(&drawn, &[]);
    has(
        &out,
        &["nations.D.participation: missing required key `participation`"],
    );
    // An invalid participation is its own error, not also a missing one.
    let bad = text.replace(
        "participation = 0.5\ncontributions.land.troops = 15",
        "participation = 5\ncontributions.land.troops = 15",
    );
    let out = errors(&bad, &[]);
    has(
        &out,
        &["s.toml:12:17: nations.A.participation: probability must be between 0 and 1"],
    );
    assert_eq!(error_lines(&out).len(), 1, "{out}");
    // An invalid decision is its own error, not also a missing participation.
    let bad = text.replace("decision = \"in\"", "decision = \"inn\"");
    let out = errors(&bad, &[]);
    has(&out, &["nations.C.decision: decision must be"]);
    assert_eq!(error_lines(&out).len(), 1, "{out}");
    // An override can fix the decision of a nation that has no participation.
    let none = BASE.replace(
        "participation = 0.5\ncontributions.land.troops = 5\n",
        "contributions.land.troops = 5\n",
    );
    assert!(scenario::parse("s.toml", &none, &["nations.B.decision=out".into()]).is_ok());
}

#[test]
fn the_schema_requires_participation_only_for_a_drawn_decision() {
    let out = forcesim().arg("schema").output().expect("runs");
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let lenient = &schema["properties"]["nations"]["additionalProperties"];
    assert!(lenient.get("required").is_none(), "{lenient}");
    // The rule holds for a file that extends no other (see `the_schema_accepts…`).
    let nation = &schema["else"]["properties"]["nations"]["additionalProperties"];
    assert_eq!(
        nation["if"]["properties"]["decision"]["enum"],
        serde_json::json!(["in", "out"])
    );
    assert_eq!(
        nation["else"]["required"],
        serde_json::json!(["participation"])
    );
    let shipped: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("forcesim.schema.json").unwrap()).unwrap();
    assert!(
        shipped == schema,
        "forcesim.schema.json is stale: run `forcesim schema > forcesim.schema.json`"
    );
}

#[test]
fn a_file_of_comments_is_told_every_part_it_lacks() {
    let wanted = [
        "scenario: missing required key `scenario`",
        "domains: the scenario defines no domain",
        "nations: the scenario defines no nation",
    ];
    for text in [
        "   \n\n# comment only\n",
        "# a scenario\n",
        "#\r\n#\r\n",
        "\u{feff}# x\n",
    ] {
        let out = invalid(text, &[]);
        has(&out, &wanted);
        assert_eq!(error_lines(&out).len(), 3, "{out}");
    }
    // The same set as a file with only [scenario], less what it has.
    let out = invalid("[scenario]\nname = \"x\"\n", &[]);
    has(&out, &wanted[1..]);
    assert_eq!(error_lines(&out).len(), 2, "{out}");
}

#[test]
fn a_directory_given_as_the_scenario_is_bad_input() {
    let dir = scratch();
    for cmd in ["validate", "run"] {
        let out = forcesim().arg(cmd).arg(dir.path()).output().expect("runs");
        let e = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {e}");
        assert!(e.contains("a directory, not a scenario file"), "{e}");
    }
}

#[test]
fn a_set_into_a_list_the_scenario_lacks_says_to_set_the_whole_list() {
    let out = errors(BASE, &["nations.A.approval[0].probability=0.5"]);
    has(
        &out,
        &[
            "nations.A.approval[0].probability: no list `approval` at `nations.A`, and --set cannot add an entry to a list the scenario does not have: set the whole list instead, e.g. --set 'nations.A.approval=[…]'",
        ],
    );
    // Set whole, it is taken.
    let set = ["nations.A.approval=[{ body = \"parliament\", probability = 0.5 }]".to_string()];
    assert!(scenario::parse("s.toml", BASE, &set).is_ok());
}

#[test]
fn a_target_with_spaces_around_it_is_told_so() {
    let text = format!(
        "{BASE}[conditions.c]\nprobability = 0.5\neffects = [{{ when = true, targets = [\" domains.land.requirements.troops \"], scale = 2 }}]\n"
    );
    let out = errors(&text, &[]);
    has(
        &out,
        &[
            "conditions.c.effects[0].targets[0]: ` domains.land.requirements.troops ` has spaces around it: write the target without them, `domains.land.requirements.troops`",
        ],
    );
}

/// A key whose value is bad and that names nothing known gets both problems at
/// once, in every table keyed by capability or domain, so that fixing the value
/// does not reveal a second error.
#[test]
fn a_bad_value_under_an_unknown_key_reports_both() {
    let text = "[scenario]\nname = \"both\"\n[capabilities]\ntroops = {}\n\
                [domains.d]\nlead = [\"A\"]\nlead_provides = { tx = 2 }\n\
                requirements = { troops = 1, t = -1 }\n\
                [force]\nrequirements = { tf = -1 }\n\
                [report]\nthresholds = { tr = [-1] }\n\
                [nations.A]\nparticipation = 0.5\npool = { tp = -1 }\n\
                contributions.d = { troops = 1, tc = -1 }\n\
                contributions.nodomain = { troops = -1 }\n";
    let out = errors(text, &[]);
    has(
        &out,
        &[
            "domains.d.lead_provides.tx: unknown capability `tx`",
            "domains.d.requirements.t: unknown capability `t`",
            "domains.d.requirements.t: a count cannot be negative",
            "force.requirements.tf: unknown capability `tf`",
            "report.thresholds.tr: unknown capability `tr`",
            "nations.A.pool.tp: unknown capability `tp`",
            "nations.A.contributions.d.tc: unknown capability `tc`",
            "nations.A.contributions.nodomain: unknown domain `nodomain`",
        ],
    );
}

#[test]
fn a_misspelt_extends_or_remove_is_named() {
    let text = BASE.replace(
        "name = \"messages\"",
        "name = \"messages\"\nextend = \"base.toml\"\nremov = [\"nations.A\"]",
    );
    let out = errors(&text, &[]);
    has(
        &out,
        &[
            "scenario.extend: unknown key `extend` (did you mean `extends`?); valid keys here: name, description, sources, rotation, ambition, extends, remove",
            "scenario.remov: unknown key `remov` (did you mean `remove`?)",
        ],
    );
}

/// Whether `out` carries one of the hints for a figure written as people write it.
fn hinted(out: &str) -> bool {
    [
        "(a share is",
        "(TOML groups",
        "(a decimal is",
        "(write the whole",
    ]
    .iter()
    .any(|h| out.contains(h))
}

#[test]
fn figures_written_as_people_write_them_are_explained() {
    let file = |from: &str, to: &str| errors(&BASE.replacen(from, to, 1), &[]);
    let cases = [
        (
            file("participation = 0.5", "participation = 60%"),
            "s.toml:12:17: TOML syntax: string values must be quoted, expected literal string (a share is written as a fraction: 60% is 0.6)",
        ),
        (
            file("troops = 10 }", "troops = 10,000 }"),
            "(TOML groups digits with `_`, not `,`: write 10000 or 10_000)",
        ),
        (
            file("troops = 10 }", "troops = 2k }"),
            "(write the whole number: 2k is 2000)",
        ),
        (
            file("participation = 0.5", "participation = \"60 %\""),
            "found a string (a share is written as a fraction: 60% is 0.6)",
        ),
        (
            file("participation = 0.5", "participation = \"0.6\""),
            "found a string (write it without quotes)",
        ),
        // A figure inside a string or a comment is no figure of the value.
        (
            file("participation = 0.5", "participation = 0.5 0 # 60%"),
            "TOML syntax: string values must be quoted, expected literal string\n",
        ),
    ];
    for (out, wanted) in &cases {
        has(out, &[wanted]);
    }
    // Only where the whole value is such a figure: not an array, a string, a
    // word, nor a figure in another value's text.
    for (from, to) in [
        ("troops = 10 }", "troops = [30,90], }"),
        ("name = \"messages\"", "name = Paris 30k ambition"),
        ("name = \"messages\"", "name = \"\"\"\n60% \\q\"\"\""),
    ] {
        let out = file(from, to);
        assert!(!hinted(&out), "{to}: {out}");
    }
    has(
        &file("participation = 0.5", "participation = \"infinity\""),
        &["found a string\n"],
    );
    let set = |o: &str| errors(BASE, &[o]);
    for o in [
        "simulation.timeline_days=[30,90",
        "scenario.sources=[\"about 10,000 troops\", \"R2\"]]",
        "nations.A.source=\"R1: 60% of troops",
        // A figure ending in a character of several bytes.
        "nations.A.participation=20€",
    ] {
        let out = set(o);
        assert!(!hinted(&out), "{o}: {out}");
    }
    // The value named exactly, however small.
    has(
        &set("nations.A.participation=0.000000000001%"),
        &["0.000000000001% is 0.00000000000001)"],
    );
    has(
        &set("nations.A.participation=30%"),
        &["(a share is written as a fraction: 30% is 0.3)"],
    );
    has(
        &set("domains.land.requirements.troops=5,000"),
        &["(TOML groups digits with `_`, not `,`: write 5000 or 5_000)"],
    );
    has(
        &set("nations.A.participation=0,5"),
        &["(a decimal is written with `.`: 0.5)"],
    );
    has(
        &set("nations.A.participation=0.9, nations.B.participation=0.9"),
        &[
            "(this holds another KEY=VALUE: one override per --set, and in --variant separate them with `;`)",
        ],
    );
}

#[test]
fn a_co_lead_written_as_the_report_labels_it_is_explained() {
    let out = errors(
        &BASE.replacen(r#"lead = ["A", "B"]"#, r#"lead = ["A+B"]"#, 1),
        &[],
    );
    has(
        &out,
        &[
            "s.toml:8:9: domains.land.lead[0]: unknown nation `A+B`: nations that lead together are a list in the list, e.g. lead = [[\"A\", \"B\"]] (the report labels them `A+B`)",
        ],
    );
    // Not when a part is no nation, nor twice the same, nor outside a lead list.
    for (from, to) in [
        (r#"lead = ["A", "B"]"#, r#"lead = ["A+C"]"#),
        (r#"lead = ["A", "B"]"#, r#"lead = ["A+A"]"#),
        (
            "[nations.B]\n",
            "[nations.B]\nif_absent = { \"A+B\" = 0.2 }\n",
        ),
    ] {
        let out = errors(&BASE.replacen(from, to, 1), &[]);
        assert!(!out.contains("list in the list"), "{out}");
    }
}

#[test]
fn a_new_nation_that_contributes_nothing_and_is_named_like_another_is_pointed_at_it() {
    let dir = scratch();
    write(
        dir.path(),
        "base.toml",
        BASE.replace("[nations.B]", "[nations.GBR]")
            .replace("\"B\"]", "\"GBR\"]"),
    );
    // Meant to change GBR's participation: the swapped letters add a nation.
    let variant = write(
        dir.path(),
        "v.toml",
        "[scenario]\nextends = \"base.toml\"\n[nations.GRB]\nparticipation = 1.0\n",
    );
    let out = forcesim().arg("validate").arg(&variant).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    has(
        &err,
        &[
            "nations.GRB: `GRB` contributes nothing: give it [nations.GRB.contributions.DOMAIN] amounts, or remove the nation (did you mean `GBR`? a table under a new id adds a nation; it changes none)",
        ],
    );
}

#[test]
fn a_target_beside_an_invalid_requirement_gets_its_own_error() {
    let text = BASE.replace(
        "requirements = { troops = 10 }",
        "requirements = { troops = -3 }",
    ) + r#"
[force]
requirements = { troops = -5 }

[conditions.c]
probability = 0.5
[[conditions.c.effects]]
targets = ["force.requirements.ships", "force.requirements.jets", "domains.land.requirements.ships", "domains.land.requirements"]
scale = 1.5
"#;
    let text = text.replace(
        "troops = { unit = \"personnel\" }",
        "troops = { unit = \"personnel\" }\nships = { unit = \"ships\" }",
    );
    let out = errors(&text, &[]);
    has(
        &out,
        &[
            "target `force.requirements.ships` matches no value: [force] does not require `ships` (it requires troops)",
            "target `force.requirements.jets`: unknown capability `jets`",
            "target `domains.land.requirements.ships` matches no value: `land` does not require `ships` (it requires troops)",
            "force.requirements.troops: a count cannot be negative",
            "domains.land.requirements.troops: a count cannot be negative",
        ],
    );
    assert!(!out.contains("no [force] requirements"), "{out}");
    assert!(!out.contains("requires nothing"), "{out}");
    assert!(!out.contains("targets[3]"), "{out}");
}

#[test]
fn a_stray_key_in_a_distribution_is_named_and_a_pool_offers_no_normal() {
    let text = BASE
        .replace(
            "contributions.land.troops = 15",
            "contributions.land.troops = { uniform = [1, 20], foo = 1 }\npool = { troops = { unifrom = [1, 2] } }",
        )
        .replace(
            "contributions.land.troops = 5",
            "contributions.land.troops = { uniform = [1, 2], pert = [1, 2, 3] }\npool = { troops = {} }",
        );
    let out = errors(&text, &[]);
    has(
        &out,
        &[
            "nations.A.contributions.land.troops.foo: unknown key `foo` in a distribution table: it holds one form and optionally `source`",
            "nations.A.pool.troops.unifrom: unknown distribution `unifrom` (did you mean `uniform`?)",
            "nations.B.contributions.land.troops: a distribution table needs exactly one form",
            "nations.B.pool.troops: a distribution table needs exactly one form",
        ],
    );
    let pools: Vec<&str> = out.lines().filter(|l| l.contains(".pool.")).collect();
    assert_eq!(pools.len(), 2, "{out}");
    assert!(pools.iter().all(|l| !l.contains("{ normal =")), "{out}");
}
