//! The command line as a user meets it: exit codes, messages with file:line:column
//! and the dotted key for each class of bad input, and output files.

mod common;

use common::{forcesim, scenario_file};

const VALID: &str = r#"
[scenario]
name = "Valid"
[capabilities]
troops = { unit = "personnel" }
[conditions.backstop]
probability = 0.7
[domains.land]
lead = ["A", "B"]
requirements = { troops = 1000 }
[nations.A]
participation = 0.8
contributions.land.troops = 600
[nations.B]
participation = 0.6
if_absent = { backstop = 0.3 }
contributions.land.troops = 600
"#;

/// Runs `validate` on `text` and returns stderr, asserting exit code 2.
fn invalid(name: &str, text: &[u8]) -> String {
    let (_dir, path) = scenario_file(text);
    let out = forcesim()
        .arg("validate")
        .arg(&path)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{name}: expected exit 2, stderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
    stderr
}

/// Asserts that stderr has an error at `line:col` for `key` whose message contains `text`.
fn has(stderr: &str, line_col: &str, key: &str, text: &str) {
    let found = stderr.lines().any(|l| {
        l.starts_with("error: ")
            && l.contains(&format!("s.toml:{line_col}: {key}: "))
            && l.contains(text)
    });
    assert!(
        found,
        "no error at {line_col} for `{key}` containing {text:?} in:\n{stderr}"
    );
}

#[test]
fn valid_scenario_validates_and_runs() {
    let (dir, path) = scenario_file(VALID);
    forcesim()
        .arg("validate")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "ok (2 nations, 1 domain, 1 capability)",
        ));
    let json = dir.path().join("r.json");
    let csv = dir.path().join("r.csv");
    forcesim()
        .args(["run", "-n", "20000", "--seed", "3", "-j", "2", "--json"])
        .arg(&json)
        .arg("--csv")
        .arg(&csv)
        .arg(&path)
        .assert()
        .success()
        .stdout(predicates::str::contains("All domains covered"));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["format"], "forcesim-report/2");
    assert_eq!(report["trials"], 20000);
    assert_eq!(report["seed"], 3);
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(csv.starts_with(forcesim::report::csv::HEADER));
    assert!(csv.contains(",domain,land,,p_covered,,"));
    assert!(csv.contains(",nation,B,troops,mean_provided,,"));
    // Every row has eleven fields.
    assert!(csv.lines().all(|l| l.split(',').count() == 11));
}

#[test]
fn json_to_stdout_is_the_whole_document() {
    let (_dir, path) = scenario_file(VALID);
    let out = forcesim()
        .args(["run", "-n", "5000", "--json", "-"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON only");
    assert!(v["p_all_covered"].as_f64().is_some());
}

#[test]
fn reports_are_identical_across_thread_counts() {
    let (_dir, path) = scenario_file(VALID);
    let strip = |j: usize| {
        let out = forcesim()
            .args([
                "run", "-n", "30000", "--seed", "9", "--json", "-", "-q", "-j",
            ])
            .arg(j.to_string())
            .arg(&path)
            .output()
            .unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_object_mut().unwrap().remove("engine");
        serde_json::to_string(&v).unwrap()
    };
    let one = strip(1);
    assert_eq!(one, strip(2));
    assert_eq!(one, strip(4));
}

#[test]
fn every_error_is_reported_at_once_with_place_and_key() {
    let text = r#"[scenario]
name = "bad"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
lead = ["GBR", "XYZ"]
requirements = { troops = 20_000, tanks = 5 }
[nations.GBR]
participation = 1.5
approval = [{ body = "Commons", probability = -0.1 }]
contributions.land.troops = { triangular = [10, 5, 1] }
[nations.FRA]
participation = 0.5
bloc = "nope"
contributions.land.troops = { pert = [1, 2] }
"#;
    let e = invalid("many", text.as_bytes());
    has(&e, "6:16", "domains.land.lead[1]", "unknown nation `XYZ`");
    has(
        &e,
        "7:35",
        "domains.land.requirements.tanks",
        "unknown capability `tanks`",
    );
    has(&e, "9:17", "nations.GBR.participation", "between 0 and 1");
    has(
        &e,
        "10:47",
        "nations.GBR.approval[0].probability",
        "between 0 and 1",
    );
    has(
        &e,
        "11:44",
        "nations.GBR.contributions.land.troops.triangular",
        "min ≤ mode ≤ max",
    );
    has(&e, "14:8", "nations.FRA.bloc", "unknown bloc `nope`");
    has(
        &e,
        "15:38",
        "nations.FRA.contributions.land.troops.pert",
        "expected 3 numbers",
    );
    assert!(e.contains("7 problems in"), "{e}");
}

#[test]
fn one_error_does_not_hide_others_in_the_same_table() {
    let text = br#"[scenario]
name = "p"
[capabilities]
troops = {}
[domains.land]
lead = ["GBR", 5, "XYZ"]
[nations.GBR]
participation = 1.5
contributions.sea.troops = { pert = [10, 5, 20], source = 3 }
[nations.FRA]
bloc = "none"
"#;
    let e = invalid("nested", text);
    has(
        &e,
        "6:16",
        "domains.land.lead[1]",
        "expected a string, found an integer",
    );
    has(&e, "6:19", "domains.land.lead[2]", "unknown nation `XYZ`");
    has(&e, "8:17", "nations.GBR.participation", "between 0 and 1");
    has(
        &e,
        "9:15",
        "nations.GBR.contributions.sea",
        "unknown domain `sea`",
    );
    has(
        &e,
        "9:37",
        "nations.GBR.contributions.sea.troops.pert",
        "min ≤ mode ≤ max",
    );
    has(
        &e,
        "9:59",
        "nations.GBR.contributions.sea.troops.source",
        "expected a string",
    );
    has(
        &e,
        "10:1",
        "nations.FRA.participation",
        "missing required key",
    );
    has(&e, "11:8", "nations.FRA.bloc", "unknown bloc `none`");
    assert!(e.contains("8 problems in"), "{e}");
}

#[test]
fn wrong_types_and_unknown_keys() {
    let text = br#"[scenario]
name = 5
[simulation]
trials = "many"
[domains.land]
lead = "GBR"
[nations.GBR]
participaton = 0.5
"#;
    let e = invalid("types", text);
    has(
        &e,
        "2:8",
        "scenario.name",
        "expected a string, found an integer",
    );
    has(
        &e,
        "4:10",
        "simulation.trials",
        "expected a whole number, found a string",
    );
    has(
        &e,
        "6:8",
        "domains.land.lead",
        "expected an array, found a string",
    );
    has(
        &e,
        "8:1",
        "nations.GBR.participaton",
        "did you mean `participation`?",
    );
    has(
        &e,
        "7:1",
        "nations.GBR.participation",
        "missing required key",
    );
}

#[test]
fn bad_distribution_parameters() {
    let text = br#"[scenario]
name = "d"
[capabilities]
x = {}
[domains.d]
[nations.A]
participation = 1
contributions.d.x = { normal = { mean = 5, sd = -1 } }
ready_days = { lognormal = { median = 0, sigma = 1 } }
[nations.B]
participation = { normal = { mean = 0.5, sd = 0.1 } }
contributions.d.x = { discrete = { values = [1, 2], weights = [0, 0] } }
[nations.C]
participation = { uniform = [0.5, 1.5] }
contributions.d.x = { gamma = [1, 2] }
"#;
    let e = invalid("dists", text);
    has(&e, "8:32", "nations.A.contributions.d.x.normal", "sd ≥ 0");
    has(&e, "9:28", "nations.A.ready_days.lognormal", "median > 0");
    has(
        &e,
        "11:17",
        "nations.B.participation",
        "bounded distribution",
    );
    has(
        &e,
        "12:34",
        "nations.B.contributions.d.x.discrete",
        "must not all be zero",
    );
    has(&e, "14:17", "nations.C.participation", "must lie in [0, 1]");
    has(
        &e,
        "15:23",
        "nations.C.contributions.d.x.gamma",
        "unknown distribution `gamma`",
    );
}

#[test]
fn nan_infinity_and_values_too_large() {
    let text = br#"[scenario]
name = "n"
[simulation]
trials = 99_000_000_000_000_000
[capabilities]
x = {}
[domains.d]
requirements = { x = inf }
[nations.A]
participation = nan
contributions.d.x = 1e15
[nations.B]
participation = -inf
contributions.d.x = 123456789012345678901234567890
"#;
    let e = invalid("nan", text);
    has(
        &e,
        "4:10",
        "simulation.trials",
        "too large: at most 1000000000000",
    );
    has(&e, "8:22", "domains.d.requirements.x", "finite number");
    has(&e, "10:17", "nations.A.participation", "finite number");
    has(
        &e,
        "11:21",
        "nations.A.contributions.d.x",
        "too large to count",
    );
    has(&e, "13:17", "nations.B.participation", "finite number");
    has(&e, "14:21", "nations.B.contributions.d.x", "too large");
}

#[test]
fn if_absent_cycles_are_named() {
    let text = br#"[scenario]
name = "c"
[domains.d]
[nations.A]
participation = 0.5
if_absent = { C = 0.1 }
[nations.B]
participation = 0.5
if_absent = { A = 0.1 }
[nations.C]
participation = 0.5
if_absent = { B = 0.1, C = 0.2 }
"#;
    let e = invalid("cycle", text);
    has(&e, "6:13", "nations.A.if_absent", "cycle: A → C → B → A");
    has(&e, "12:24", "nations.C.if_absent.C", "its own absence");
}

#[test]
fn empty_binary_and_malformed_files() {
    let e = invalid("empty", b"");
    assert!(e.contains("s.toml:1:1: the file is empty"), "{e}");
    let e = invalid("blank", b"   \n\n");
    assert!(e.contains("the file is empty"), "{e}");
    let e = invalid("binary", b"[scenario]\nname = \"x\xff\xfe\"\n");
    assert!(
        e.contains("s.toml:2:10: the file is not valid UTF-8"),
        "{e}"
    );
    let e = invalid(
        "syntax",
        b"[scenario]\nname = \"x\"\nname = \"y\"\n[domains.a\n",
    );
    assert!(
        e.contains("s.toml:3:1: scenario.name: duplicate key: already set at 2:1"),
        "{e}"
    );
    assert!(e.contains("s.toml:4:11: TOML syntax:"), "{e}");
    let e = invalid("nothing", b"[scenario]\nname = \"x\"\n");
    assert!(e.contains("domains: the scenario defines no domain"), "{e}");
    assert!(e.contains("nations: the scenario defines no nation"), "{e}");
    let e = invalid(
        "noscenario",
        b"[domains.d]\n[nations.A]\nparticipation = 1\n",
    );
    assert!(
        e.contains("scenario: missing required key `scenario`"),
        "{e}"
    );
    let e = invalid(
        "ids",
        b"[scenario]\nname = \"x\"\n[domains.d]\n[nations.\"A B\"]\nparticipation = 1\n",
    );
    assert!(
        e.contains("s.toml:4:10: nations.A B: `A B` is not a valid id"),
        "{e}"
    );
}

#[test]
fn overrides_are_checked_like_the_file() {
    let (_dir, path) = scenario_file(VALID);
    let out = forcesim()
        .args([
            "validate",
            "--set",
            "nations.Q.participation=1",
            "--set",
            "nations.A.participation=2",
        ])
        .args(["--set", "nations.A.participaton=0.5", "--set", "novalue"])
        .arg(&path)
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains("(--set nations.Q.participation=1): nations.Q.participation: no key `Q` at `nations`; valid keys there: A, B"), "{e}");
    assert!(e.contains("(--set nations.A.participation=2): nations.A.participation: probability must be between 0 and 1"), "{e}");
    assert!(e.contains("did you mean `participation`?"), "{e}");
    assert!(
        e.contains("(--set novalue): an override must look like KEY=VALUE"),
        "{e}"
    );
    // A valid override changes the figures.
    let p = |set: &str| {
        let out = forcesim()
            .args(["run", "-n", "20000", "-q", "--json", "-", "--set", set])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["overrides"][0], set);
        v["nations"]["A"]["p_participates"].as_f64().unwrap()
    };
    assert_eq!(p("nations.A.participation=1"), 1.0);
    assert_eq!(p("nations.A.participation=0"), 0.0);
}

#[test]
fn unreadable_files_and_bad_flags() {
    forcesim()
        .args(["run", "/nonexistent/forcesim/s.toml"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "cannot read /nonexistent/forcesim/s.toml",
        ));
    let (dir, path) = scenario_file(VALID);
    for bad in [["-n", "0"], ["-n", "many"], ["-j", "x"], ["--seed", "-1"]] {
        forcesim().arg("run").args(bad).arg(&path).assert().code(2);
    }
    // An output that cannot be written is found before running: bad usage (2),
    // and nothing is left behind.
    forcesim()
        .args(["run", "-n", "1000", "--json"])
        .arg(dir.path().join("missing").join("r.json"))
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot write"));
    assert!(!dir.path().join("missing").exists());
}

#[test]
fn schema_is_json() {
    let out = forcesim().arg("schema").output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["properties"]["nations"]["type"], "object");
    assert!(
        v["properties"]["nations"]["additionalProperties"]["properties"]["participation"]
            .is_object()
    );
}

/// The forms a scenario's schema offers for a value are those validation takes:
/// a probability no normal nor log-normal, a count's normal a mean ≥ 0.
#[test]
fn the_schema_offers_only_the_forms_validation_takes() {
    let out = forcesim().arg("schema").output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nation = &v["properties"]["nations"]["additionalProperties"]["properties"];
    let forms = |s: &serde_json::Value| -> Vec<String> {
        s["oneOf"]
            .as_array()
            .expect("a oneOf of forms")
            .iter()
            .filter_map(|f| f["required"][0].as_str().map(String::from))
            .collect()
    };
    let probability = forms(&nation["participation"]);
    assert_eq!(probability, ["uniform", "triangular", "pert", "discrete"]);
    let count = &v["properties"]["domains"]["additionalProperties"]["properties"]["requirements"]["additionalProperties"];
    assert!(forms(count).contains(&"normal".to_string()));
    let normal = count["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["required"][0] == "normal")
        .unwrap();
    assert_eq!(
        normal["properties"]["normal"]["properties"]["mean"]["minimum"],
        0
    );
    // What the schema leaves out, validation refuses.
    let (_dir, path) = scenario_file(common::TWO_NATIONS.replace(
        "participation = 0.5",
        "participation = { normal = { mean = 0.5, sd = 0.1 } }",
    ));
    forcesim()
        .arg("validate")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "a probability needs a bounded distribution",
        ));
}

/// A scenario given as a pipe (`/dev/stdin`, `<(cat s.toml)`) is read once and
/// that text serves every reading: the check of the outputs, the load, and each
/// point of a sweep or variant of a comparison; the figures are those of the file.
#[test]
fn a_scenario_read_from_a_pipe_runs_as_the_file_does() {
    let (_dir, path) = scenario_file(common::TWO_NATIONS);
    let text = std::fs::read(&path).unwrap();
    let figures = |args: &[&str], stdin: Option<&[u8]>| {
        let mut cmd = forcesim();
        cmd.args(args).args(["-n", "2000", "-q", "--json", "-"]);
        if let Some(bytes) = stdin {
            cmd.write_stdin(bytes.to_vec());
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v
    };
    let file = path.to_str().unwrap();
    for cmd in [
        vec!["run"],
        vec!["sweep", "--vary", "nations.B.participation=0.2,0.9"],
        vec!["compare", "--variant", "x: nations.B.participation=0.9"],
    ] {
        let mut piped = cmd.clone();
        piped.insert(1, "/dev/stdin");
        let mut direct = cmd.clone();
        direct.insert(1, file);
        let (a, b) = (figures(&piped, Some(&text)), figures(&direct, None));
        let key = if cmd[0] == "run" {
            "p_all_covered"
        } else {
            "seed"
        };
        assert_eq!(a[key], b[key], "{cmd:?}");
        if cmd[0] != "run" {
            // The figures, not the labels (a file's stem names a compared scenario).
            let numbers = |v: &serde_json::Value| match v.get("points") {
                Some(p) => p.clone(),
                None => v["differences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["difference"].clone())
                    .collect(),
            };
            assert_eq!(numbers(&a), numbers(&b), "{cmd:?}");
        }
    }
}

/// A pipe past the size limit is refused by every reading of it, not run on
/// the bytes left in the pipe after the first reading stopped at the limit.
#[test]
fn a_pipe_past_the_size_limit_is_refused_by_every_command() {
    let (_dir, path) = scenario_file(common::TWO_NATIONS);
    let mut big = vec![b'#'; forcesim::limits::MAX_SCENARIO_BYTES + 100];
    big.push(b'\n');
    big.extend(std::fs::read(&path).unwrap());
    for cmd in [
        vec!["run"],
        vec!["sensitivity"],
        vec!["secure", "--target", "0.5"],
    ] {
        let mut child = std::process::Command::new(common::bin())
            .args(&cmd)
            .args(["/dev/stdin", "-n", "1000", "-q"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let bytes = big.clone();
        // The reader stops at the limit: the rest of the write may fail.
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            let _ = stdin.write_all(&bytes);
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {err}");
        assert!(err.contains("larger than"), "{cmd:?}: {err}");
    }
}
