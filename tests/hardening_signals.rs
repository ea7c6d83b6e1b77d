//! Every long command stops on SIGINT or SIGTERM after its current unit, writes
//! what is finished marked interrupted and exits 130; the duplicate SIGINT that
//! `timeout -s INT` delivers is not taken for a second, quit-now signal.
#![cfg(unix)]

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SCENARIO: &str = r#"
[scenario]
name = "Signals"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
lead = ["A", "B"]
requirements = { troops = { pert = [800, 1000, 1500] } }
[nations.A]
participation = 0.8
contributions.land.troops = { triangular = [300, 700, 1100] }
[nations.B]
participation = 0.6
contributions.land.troops = 500
"#;

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_forcesim"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("forcesim starts")
}

/// Runs `args`, sends `signal` once the command has started its work, and
/// returns what it printed, standard output included.
fn signalled(args: &[&str], signal: &str) -> std::process::Output {
    let child = Command::new(env!("CARGO_BIN_EXE_forcesim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("forcesim starts");
    settle();
    kill(&child, signal);
    child.wait_with_output().unwrap()
}

fn kill(child: &Child, signal: &str) {
    let ok = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Lets the command start its work (the handler is installed before it).
fn settle() {
    std::thread::sleep(Duration::from_millis(1500));
}

#[test]
fn a_doubled_sigint_still_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    fs::write(&sc, SCENARIO).unwrap();
    let json = dir.path().join("r.json");
    let child = spawn(&[
        "run",
        s(&sc),
        "-n",
        "1e11",
        "-j",
        "1",
        "-q",
        "--json",
        s(&json),
    ]);
    settle();
    // As `timeout -s INT`: the signal twice, at once.
    kill(&child, "-INT");
    kill(&child, "-INT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    let text = fs::read_to_string(&json).expect("the report is written");
    assert!(text.contains("\"interrupted\": true"), "{text}");
}

fn interrupted_json(cmd: &[&str], json: &Path, signal: &str) -> String {
    let child = spawn(cmd);
    settle();
    kill(&child, signal);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    fs::read_to_string(json).expect("the finished work is written")
}

#[test]
fn sweep_stops_after_its_current_point() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    fs::write(&sc, SCENARIO).unwrap();
    let json = dir.path().join("sweep.json");
    for signal in ["-INT", "-TERM"] {
        let text = interrupted_json(
            &[
                "sweep",
                s(&sc),
                // Paired sweeps stop between blocks (tests/sweep_paired.rs);
                // --unpaired ones between points.
                "--unpaired",
                "--vary",
                "nations.A.participation=0:0.999:0.001",
                "-n",
                "2000000",
                "-j",
                "1",
                "-q",
                "--json",
                s(&json),
            ],
            &json,
            signal,
        );
        assert!(text.contains("\"interrupted\": true"), "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let n = v["points"].as_array().unwrap().len();
        assert!(n < 1000, "{n} points");
    }
}

#[test]
fn compare_stops_after_its_current_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    fs::write(&sc, SCENARIO).unwrap();
    let json = dir.path().join("cmp.json");
    let mut args: Vec<String> = [
        "compare",
        s(&sc),
        // Independent runs stop between scenarios; paired runs between blocks
        // (tests/sensitivity.rs).
        "--unpaired",
        "-n",
        "50000000",
        "-j",
        "1",
        "-q",
        "--json",
        s(&json),
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    for i in 0..5 {
        args.push("--variant".into());
        args.push(format!("v{i}: nations.B.participation=0.{i}"));
    }
    let refs: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
    let text = interrupted_json(&refs, &json, "-INT");
    assert!(text.contains("\"interrupted\": true"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(v["scenarios"].as_array().unwrap().len() < 6);
}

#[test]
fn secure_stops_after_its_current_variant() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    // Many nations, so that greedy has many variants to run per step.
    let mut text = String::from(
        "[scenario]\nname = \"Signals\"\n[capabilities]\ntroops = { unit = \"personnel\" }\n\
         [domains.land]\nrequirements = { troops = 20000 }\n",
    );
    for i in 0..30 {
        text.push_str(&format!(
            "[nations.N{i:02}]\nparticipation = 0.3\ncontributions.land.troops = {{ triangular = [0, 500, 1500] }}\n"
        ));
    }
    fs::write(&sc, text).unwrap();
    let json = dir.path().join("secure.json");
    for signal in ["-INT", "-TERM"] {
        let text = interrupted_json(
            &[
                "secure",
                s(&sc),
                "--target",
                "0.999",
                "-n",
                "3000000",
                "-j",
                "1",
                "-q",
                "--json",
                s(&json),
            ],
            &json,
            signal,
        );
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["interrupted"], true, "{text}");
        assert_eq!(v["stopped"], "interrupted", "{text}");
        assert_eq!(v["reached"], false, "{text}");
        assert!(v["relaxations"].as_array().unwrap().is_empty(), "{text}");
    }
}

#[test]
fn an_interrupted_paired_table_says_how_many_trials_ran() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    fs::write(&sc, SCENARIO).unwrap();
    let json = dir.path().join("out.json");
    for command in ["sweep", "compare"] {
        let what = match command {
            "sweep" => ["--vary", "nations.B.participation=0.2,0.8"],
            _ => ["--variant", "v: nations.B.participation=0.2"],
        };
        let args = [
            command,
            s(&sc),
            what[0],
            what[1],
            "-n",
            "500000000",
            "-j",
            "1",
            "--json",
            s(&json),
        ];
        let out = signalled(&args, "-INT");
        assert_eq!(out.status.code(), Some(130), "{command}");
        let table = String::from_utf8_lossy(&out.stdout);
        let head = table.lines().find(|l| l.contains("trials")).unwrap_or("");
        assert!(
            head.contains(" of 500,000,000 trials (interrupted)"),
            "{command}: {table}"
        );
        // The JSON's `trials` is what every figure covers; the number asked
        // for is kept beside it.
        let v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
        let each = if command == "sweep" {
            "points"
        } else {
            "scenarios"
        };
        let done = v[each][0]["trials"].as_u64().unwrap();
        assert!(done > 0 && done < 500_000_000, "{command}: {done}");
        assert_eq!(v["trials"].as_u64(), Some(done), "{command}");
        assert_eq!(v["trials_asked"].as_u64(), Some(500_000_000), "{command}");
        for p in v[each].as_array().unwrap() {
            assert_eq!(p["trials"].as_u64(), Some(done), "{command}");
        }
    }
}

/// `bench` stopped by either signal measures nothing, says so and exits 130.
#[test]
fn bench_stops_on_either_signal_and_prints_no_figure() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    fs::write(&sc, SCENARIO).unwrap();
    for signal in ["-INT", "-TERM"] {
        let out = signalled(&["bench", s(&sc), "-n", "1e11"], signal);
        assert_eq!(out.status.code(), Some(130), "{signal}: {out:?}");
        assert!(out.stdout.is_empty(), "{signal}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("interrupted: nothing measured"), "{err}");
    }
}

/// An unpaired `compare` or `sweep` stopped between scenarios or points says
/// so at the head of its table, with how many finished.
#[test]
fn an_interrupted_unpaired_table_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    fs::write(&sc, SCENARIO).unwrap();
    // 300 short runs each: some finish before the signal, most do not.
    let mut compare = vec!["compare", s(&sc), "-n", "1e6", "--unpaired"];
    for _ in 0..299 {
        compare.extend(["--variant", "v: nations.B.participation=0.7"]);
    }
    let values: Vec<String> = (0..300).map(|i| format!("{}", i as f64 / 1000.0)).collect();
    let vary = format!("nations.B.participation={}", values.join(","));
    let sweep = vec!["sweep", s(&sc), "-n", "1e6", "--unpaired", "--vary", &vary];
    for (cmd, unit) in [(compare, "scenarios"), (sweep, "points")] {
        let out = signalled(&cmd, "-INT");
        assert_eq!(out.status.code(), Some(130), "{unit}: {out:?}");
        let table = String::from_utf8_lossy(&out.stdout);
        let head = table.lines().next().unwrap_or_default();
        assert!(head.starts_with("INTERRUPTED: "), "{unit}: {head}");
        assert!(head.contains(&format!(" of 300 {unit} finished")), "{head}");
    }
}
