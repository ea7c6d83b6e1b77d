//! A stop is honoured within about a second however long a trial takes: waves of
//! blocks start at one block per worker and grow only while they are quick (a
//! run used to finish a wave of 16 blocks per worker first, minutes on a large
//! scenario).
#![cfg(unix)]

use std::fmt::Write as _;
use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A scenario whose blocks take a few seconds each: 10,000 nations, each
/// contributing to three domains.
fn slow_scenario() -> String {
    let (nations, domains) = (10_000, 3);
    let mut s = String::from(
        "[scenario]\nname = \"slow blocks\"\n[simulation]\ntimeline_days = [30, 90]\n\
         [capabilities]\ntroops = { unit = \"personnel\" }\n",
    );
    for d in 0..domains {
        let _ = writeln!(
            s,
            "[domains.d{d}]\nrequirements = {{ troops = {{ pert = [50000, 60000, 70000] }} }}"
        );
    }
    for n in 0..nations {
        let _ = writeln!(
            s,
            "[nations.N{n}]\nparticipation = 0.5\nready_days = {{ triangular = [10, 40, 90] }}"
        );
        for d in 0..domains {
            let _ = writeln!(
                s,
                "contributions.d{d}.troops = {{ triangular = [0, 50, 100] }}"
            );
        }
    }
    s
}

/// Runs forcesim with `args`, sends it SIGINT after `wait`, and returns its
/// output and how long it took to stop after the signal.
fn stopped_after(args: &[&str], wait: Duration) -> (std::process::Output, Duration) {
    let child = Command::new(env!("CARGO_BIN_EXE_forcesim"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("forcesim starts");
    std::thread::sleep(wait);
    let sent = Instant::now();
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let out = child.wait_with_output().unwrap();
    (out, sent.elapsed())
}

#[test]
fn a_stop_takes_effect_within_seconds_when_blocks_are_slow() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("slow.toml");
    fs::write(&sc, slow_scenario()).unwrap();
    let json = dir.path().join("r.json");
    let (sc, json_s) = (sc.to_str().unwrap(), json.to_str().unwrap());
    // Past reading the scenario, into the first wave.
    let args = ["run", sc, "-n", "1e9", "-j", "1", "-q", "--json", json_s];
    let (out, took) = stopped_after(&args, Duration::from_secs(4));
    assert_eq!(out.status.code(), Some(130));
    // A block takes a few seconds here; a wave of 16 blocks took over thirty.
    assert!(took < Duration::from_secs(12), "the stop took {took:?}");
    let text = fs::read_to_string(&json).expect("the report is written");
    assert!(text.contains("\"interrupted\": true"), "{text}");
}

/// A scenario of `nations` nations in two domains: `sensitivity` builds about
/// six variants of it per nation before its first trial.
fn many_inputs(nations: usize) -> String {
    let mut s = String::from(
        "[scenario]\nname = \"many inputs\"\n[capabilities]\ntroops = { unit = \"personnel\" }\n\
         [domains.land]\nrequirements = { troops = 5000 }\n[domains.sea]\nrequirements = { troops = 500 }\n",
    );
    for n in 0..nations {
        let _ = writeln!(
            s,
            "[nations.N{n}]\nparticipation = 0.5\ncontributions.land.troops = {{ triangular = [0, 20, 40] }}\n\
             contributions.sea.troops = {{ triangular = [0, 2, 4] }}"
        );
    }
    s
}

#[test]
fn a_stop_while_sensitivity_builds_its_variants_takes_effect_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("many.toml");
    fs::write(&sc, many_inputs(400)).unwrap();
    let json = dir.path().join("s.json");
    let (sc, json_s) = (sc.to_str().unwrap(), json.to_str().unwrap());
    let args = [
        "sensitivity",
        sc,
        "-n",
        "1000",
        "-j",
        "1",
        "-q",
        "--json",
        json_s,
    ];
    let (out, took) = stopped_after(&args, Duration::from_millis(1500));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    // Decoding its 1,600-odd variants takes far longer than this.
    assert!(took < Duration::from_secs(5), "the stop took {took:?}");
    assert!(err.contains("nothing written"), "{err}");
    assert!(!json.exists());
}
