//! Interruption: a stopped run reports an exact prefix of its blocks, identical
//! to an uninterrupted run of that many trials; Ctrl-C and SIGTERM reach it from
//! outside, exit with code 130 and leave only whole files behind.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use forcesim::engine::BLOCK_TRIALS;
use forcesim::{RunOptions, simulate};

const TEXT: &str = r#"
[scenario]
name = "Interrupt"
[simulation]
timeline_days = [20, 60]
[capabilities]
troops = { unit = "personnel" }
[conditions.c]
probability = 0.6
[domains.land]
lead = ["A", "B"]
requirements = { troops = { pert = [800, 1000, 1500] } }
[nations.A]
participation = 0.8
if_absent = { c = 0.5 }
ready_days = { uniform = [5, 80] }
contributions.land.troops = { triangular = [300, 700, 1100] }
[nations.B]
participation = 0.6
contributions.land.troops = 500
"#;

/// The report as JSON without `engine`, with `interrupted` cleared.
fn comparable(r: &forcesim::Report) -> String {
    let mut r = r.clone();
    r.interrupted = false;
    common::json_without_engine(&r)
}

#[test]
fn a_stopped_run_reports_exactly_its_finished_blocks() {
    let model = common::model(TEXT);
    let total = 120 * BLOCK_TRIALS + 5;
    for (threads, waves) in [(1, 1), (2, 2), (3, 1)] {
        let stop = AtomicBool::new(false);
        let calls = AtomicUsize::new(0);
        let progress = |_done: u64| {
            if calls.fetch_add(1, Ordering::SeqCst) + 1 >= waves {
                stop.store(true, Ordering::SeqCst);
            }
        };
        let run = simulate(
            &model,
            &RunOptions {
                trials: total,
                seed: 11,
                threads,
                stop: Some(&stop),
                progress: Some(&progress),
            },
        )
        .expect("runs");
        let r = run.report;
        assert!(r.interrupted, "{threads} threads");
        assert!(r.trials > 0 && r.trials < total);
        assert_eq!(r.trials % BLOCK_TRIALS, 0, "whole blocks only");
        let full = common::run(TEXT, r.trials, 11, 2);
        assert!(!full.interrupted);
        assert_eq!(comparable(&r), comparable(&full), "{threads} threads");
    }
}

#[test]
fn a_run_stopped_before_it_starts_reports_no_trials() {
    let model = common::model(TEXT);
    let stop = AtomicBool::new(true);
    let run = simulate(
        &model,
        &RunOptions {
            trials: 10_000,
            seed: 1,
            threads: 1,
            stop: Some(&stop),
            progress: None,
        },
    )
    .expect("runs");
    assert!(run.report.interrupted);
    assert_eq!(run.report.trials, 0);
    assert!(run.report.to_json().contains("\"interrupted\": true"));
    // Every writer copes with an empty report.
    assert!(forcesim::report::table::to_table(&run.report).contains("INTERRUPTED"));
    assert!(forcesim::report::csv::to_csv(&run.report).starts_with("scenario,"));
}

#[test]
fn an_interrupted_shard_is_refused_by_merge() {
    use forcesim::shard::merge::{Input, MergeError, merge};
    use forcesim::shard::partial::{Header, HeaderInput, Partial};
    use forcesim::shard::{Shard, run_shard};

    let model = common::model(TEXT);
    let trials = 80 * BLOCK_TRIALS;
    let part = |k: u64, stop_after: Option<usize>| {
        let shard = Shard::new(k, 2).unwrap();
        let stop = AtomicBool::new(false);
        let calls = AtomicUsize::new(0);
        let progress = |_: u64| {
            if stop_after.is_some_and(|n| calls.fetch_add(1, Ordering::SeqCst) + 1 >= n) {
                stop.store(true, Ordering::SeqCst);
            }
        };
        let opts = RunOptions {
            trials,
            seed: 4,
            threads: 1,
            stop: Some(&stop),
            progress: Some(&progress),
        };
        let run = run_shard(&model, &opts, shard).expect("runs");
        let header = Header::for_run(&HeaderInput {
            model: &model,
            origin: "test.toml",
            text: TEXT,
            file: None,
            seed: 4,
            trials,
            shard,
            run: &run,
        });
        Input {
            name: format!("part-{k}.fsp"),
            bytes: Partial::new(header, &run.tally).to_bytes(),
        }
    };
    let whole = [part(1, None), part(2, None)];
    let merged = merge(&whole).expect("complete parts merge");
    assert_eq!(merged.tally.trials, trials);
    let cut = [part(1, None), part(2, Some(1))];
    let header = Partial::from_bytes(&cut[1].bytes).unwrap().header;
    assert!(header.interrupted);
    assert_eq!(header.done[0], header.blocks[0]);
    assert!(header.done[1] < header.blocks[1]);
    match merge(&cut) {
        Err(MergeError::Incompatible(m)) => {
            assert!(m.contains("missing"), "{m}");
            assert!(m.contains("part-2.fsp (shard 2/2) was interrupted"), "{m}");
        }
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("an interrupted shard must not merge into a complete report"),
    }
}

#[cfg(unix)]
mod signals {
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use tempfile::TempDir;

    use crate::common::{bin, scenario_file};

    /// A scratch directory holding the scenario as `s.toml`.
    fn scratch() -> TempDir {
        scenario_file(super::TEXT).0
    }

    /// Starts forcesim with `args` in `dir`, its standard error kept.
    fn spawn(dir: &Path, args: &[&str]) -> Child {
        Command::new(bin())
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts")
    }

    /// Starts a run far too long to finish, and gives it time to start its trials.
    fn start(dir: &Path, extra: &[&str]) -> Child {
        let run = ["run", "s.toml", "-n", "1e11", "-j", "2", "-q"];
        let child = spawn(dir, &[&run[..], extra].concat());
        wait_for_handler(&child);
        // Let it finish a few blocks.
        std::thread::sleep(Duration::from_millis(300));
        child
    }

    /// Waits until the process catches SIGINT (it has parsed the scenario and
    /// is about to run), so that a signal is not sent too early on a busy machine.
    fn wait_for_handler(child: &Child) {
        wait_for_handler_every(child, Duration::from_millis(20));
    }

    /// [`wait_for_handler`], looking every `poll`.
    fn wait_for_handler_every(child: &Child, poll: Duration) {
        let status = format!("/proc/{}/status", child.id());
        if !Path::new(&status).exists() {
            // No procfs: give it time instead.
            std::thread::sleep(Duration::from_millis(1500));
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let caught = std::fs::read_to_string(&status)
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("SigCgt:"))
                        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
                })
                .unwrap_or(0);
            // SIGINT is signal 2: bit 1 of the mask.
            if caught & 0b10 != 0 {
                return;
            }
            std::thread::sleep(poll);
        }
        panic!("forcesim did not install its Ctrl-C handler within 30 s");
    }

    /// Sends `sig` with the shell's `kill` builtin (no procps needed).
    fn signal(child: &Child, sig: &str) {
        let ok = Command::new("sh")
            .args([
                "-c",
                "kill \"$1\" \"$2\"",
                "sh",
                sig,
                &child.id().to_string(),
            ])
            .status()
            .expect("sh runs");
        assert!(ok.success());
    }

    /// Waits at most a minute; a run that ignores the signal fails the test.
    fn finish(mut child: Child) -> (i32, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().expect("waits") {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                return (status.code().unwrap_or(-1), err);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("forcesim did not stop within a minute of the signal");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    fn check_report(path: &Path) -> serde_json::Value {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).expect("report written"))
                .expect("a whole JSON document");
        assert_eq!(v["interrupted"], true);
        let trials = v["trials"].as_u64().expect("trials");
        assert_eq!(trials % 4096, 0, "whole blocks: {trials}");
        v
    }

    #[test]
    fn ctrl_c_writes_the_report_of_the_finished_blocks() {
        let tmp = scratch();
        let dir = tmp.path();
        let child = start(dir, &["--json", "r.json", "--csv", "r.csv"]);
        signal(&child, "-INT");
        let (code, err) = finish(child);
        assert_eq!(code, 130, "{err}");
        assert!(err.contains("stopping after the current blocks"), "{err}");
        assert!(err.contains("interrupted"), "{err}");
        let v = check_report(&dir.join("r.json"));
        assert!(v["trials"].as_u64().unwrap() > 0);
        assert!(
            std::fs::read_to_string(dir.join("r.csv"))
                .unwrap()
                .contains(",run,,,interrupted,,1,,\n")
        );
        assert!(leftovers(dir).is_empty());
    }

    /// Sweep, compare and sensitivity stopped as soon as they catch Ctrl-C
    /// (while their models are prepared, before any trial finishes, where the
    /// timing allows) keep an existing output rather than replace it by an
    /// analysis of no trials; stopped later, they write the finished blocks.
    #[test]
    fn a_what_if_stopped_before_any_trial_keeps_existing_outputs() {
        let reference = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/paris-2026.toml");
        let commands: [&[&str]; 3] = [
            &[
                "sweep",
                reference,
                "--vary",
                "nations.ESP.participation=0,1",
            ],
            &[
                "compare",
                reference,
                "--variant",
                "v: nations.ESP.participation=1",
            ],
            &["sensitivity", reference, "--inputs", "nations"],
        ];
        let tmp = scratch();
        let dir = tmp.path();
        for args in commands.iter().flat_map(|a| [a; 3]) {
            std::fs::write(dir.join("old.json"), "OLD").unwrap();
            let child = spawn(
                dir,
                &[*args, &["-n", "1e9", "-q", "--json", "old.json"]].concat(),
            );
            wait_for_handler_every(&child, Duration::from_millis(1));
            signal(&child, "-INT");
            let (code, err) = finish(child);
            assert_eq!(code, 130, "{args:?}: {err}");
            assert!(!err.contains("first 0 of"), "{args:?}: {err}");
            let kept = std::fs::read_to_string(dir.join("old.json")).unwrap();
            // A sweep's results come a point at a time.
            let nothing = ["trial", "point"]
                .map(|u| format!("interrupted before any {u} finished: nothing written"));
            if nothing.iter().any(|n| err.contains(n.as_str())) {
                assert_eq!(kept, "OLD", "{args:?}");
            } else {
                let v: serde_json::Value = serde_json::from_str(&kept).expect("whole JSON");
                assert_eq!(v["interrupted"], true, "{args:?}");
                assert_eq!(v["trials_asked"].as_u64(), Some(1_000_000_000), "{args:?}");
            }
        }
    }

    /// `secure` drops the variant in progress: a stop takes effect within
    /// seconds even where one variant (here 10⁹ trials) would take minutes, and
    /// with no variant finished it writes nothing.
    #[test]
    fn secure_stops_within_a_variant() {
        let reference = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/paris-2026.toml");
        let tmp = scratch();
        let dir = tmp.path();
        std::fs::write(dir.join("old.json"), "OLD").unwrap();
        let secure = ["secure", reference, "--target", "0.9", "-n", "1e9", "-q"];
        let child = spawn(dir, &[&secure[..], &["--json", "old.json"]].concat());
        wait_for_handler(&child);
        std::thread::sleep(Duration::from_millis(300));
        let t0 = Instant::now();
        signal(&child, "-TERM");
        let (code, err) = finish(child);
        assert!(t0.elapsed() < Duration::from_secs(20), "{:?}", t0.elapsed());
        assert_eq!(code, 130, "{err}");
        // Its first run (of the scenario as written) had finished no variant.
        assert!(
            err.contains(
                "interrupted before the scenario's own coverage was known: nothing written"
            ),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("old.json")).unwrap(),
            "OLD"
        );
    }

    #[test]
    fn sigterm_stops_like_ctrl_c() {
        let tmp = scratch();
        let dir = tmp.path();
        let child = start(dir, &["--json", "r.json"]);
        signal(&child, "-TERM");
        let (code, err) = finish(child);
        assert_eq!(code, 130, "{err}");
        check_report(&dir.join("r.json"));
    }

    #[test]
    fn a_second_ctrl_c_quits_at_once_leaving_no_half_file() {
        let tmp = scratch();
        let dir = tmp.path();
        let child = start(dir, &["--json", "r.json"]);
        signal(&child, "-INT");
        signal(&child, "-INT");
        let (code, err) = finish(child);
        assert_eq!(code, 130, "{err}");
        // Either the report was written whole before the second signal, or not at
        // all, and then the quit says so.
        if dir.join("r.json").exists() {
            check_report(&dir.join("r.json"));
        } else {
            assert!(err.contains("quit: outputs not yet written"), "{err}");
        }
        assert!(leftovers(dir).is_empty(), "{:?}", leftovers(dir));
    }

    #[test]
    fn an_interrupted_shard_writes_a_partial_marked_interrupted() {
        let tmp = scratch();
        let dir = tmp.path();
        let child = start(dir, &["--shard", "1/2", "--partial", "p1.fsp"]);
        signal(&child, "-INT");
        let (code, err) = finish(child);
        assert_eq!(code, 130, "{err}");
        assert!(err.contains("run shard 1/2 again"), "{err}");
        let bytes = std::fs::read(dir.join("p1.fsp")).expect("partial written");
        let p = forcesim::shard::partial::Partial::from_bytes(&bytes).expect("valid partial");
        assert!(p.header.interrupted);
        let out = Command::new(bin())
            .args(["merge", "p1.fsp"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("p1.fsp (shard 1/2) was interrupted"), "{err}");
    }
}
