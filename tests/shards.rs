//! Sharded runs: shards made by separate `forcesim run` processes with different
//! thread counts, merged by `forcesim merge`, give the single run's report byte
//! for byte (but `engine`); parts that do not belong together, overlap, leave
//! blocks out or are not partials at all are rejected with messages naming the files.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{bin, forcesim, scratch};

/// A scenario that exercises every part of the tally: the library's every-form
/// scenario (conditions, a bloc, caps, drawn probabilities, random requirements,
/// thresholds, a timeline), with a rotation so that `committed` is merged too.
fn scenario_text() -> String {
    forcesim::synth::EVERY_FORM.replacen("[simulation]", "rotation = 3\n[simulation]", 1)
}

/// 20 blocks and a short last one.
const TRIALS: &str = "82043";
const SEED: &str = "20260106";

fn scenario(dir: &Path) -> PathBuf {
    let p = dir.join("s.toml");
    std::fs::write(&p, scenario_text()).expect("write scenario");
    p
}

fn run_shard(dir: &Path, s: &Path, shard: &str, threads: usize, extra: &[&str]) -> PathBuf {
    let part = dir.join(format!("part-{}.fsp", shard.replace('/', "-of-")));
    forcesim()
        .args(["run", "-n", TRIALS, "--seed", SEED, "-j"])
        .arg(threads.to_string())
        .args(["--shard", shard, "--partial"])
        .arg(&part)
        .args(extra)
        .arg(s)
        .assert()
        .success()
        .stdout(predicates::str::contains(format!("shard {shard}: blocks")));
    part
}

fn merge(parts: &[PathBuf], extra: &[&str]) -> Output {
    forcesim()
        .arg("merge")
        .args(parts)
        .args(extra)
        .output()
        .expect("runs")
}

/// The report's text up to its `engine` member (the last one), which may differ.
fn without_engine(json: &[u8]) -> String {
    let text = String::from_utf8(json.to_vec()).expect("UTF-8");
    let at = text.find("\n  \"engine\": {").expect("report has engine");
    text[..at].to_string()
}

fn single(dir: &Path, s: &Path, extra: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let json = dir.join("single.json");
    let csv = dir.join("single.csv");
    forcesim()
        .args([
            "run", "-n", TRIALS, "--seed", SEED, "-j", "2", "-q", "--json",
        ])
        .arg(&json)
        .arg("--csv")
        .arg(&csv)
        .args(extra)
        .arg(s)
        .assert()
        .success();
    (
        std::fs::read(json).expect("json"),
        std::fs::read(csv).expect("csv"),
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn merged_shards_equal_the_single_run() {
    let tmp = scratch();
    let dir = tmp.path();
    let s = scenario(dir);
    let (json, csv) = single(dir, &s, &[]);
    for n in [1usize, 2, 3, 7] {
        let parts: Vec<PathBuf> = (1..=n)
            .map(|k| run_shard(dir, &s, &format!("{k}/{n}"), 1 + k % 3, &[]))
            .collect();
        // Order of the parts on the command line does not matter.
        let mut shuffled = parts.clone();
        shuffled.reverse();
        let mjson = dir.join(format!("merged-{n}.json"));
        let mcsv = dir.join(format!("merged-{n}.csv"));
        let out = merge(
            &shuffled,
            &[
                "-q",
                "--json",
                mjson.to_str().unwrap(),
                "--csv",
                mcsv.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{n} shards: {}", stderr(&out));
        let merged = std::fs::read(&mjson).expect("merged json");
        assert_eq!(
            without_engine(&merged),
            without_engine(&json),
            "{n} shards differ from the single run"
        );
        assert_eq!(
            std::fs::read(&mcsv).expect("merged csv"),
            csv,
            "{n} shards: CSV"
        );
        for p in parts {
            let size = std::fs::metadata(&p).unwrap().len();
            assert!(size < 64 * 1024, "{} is {size} bytes", p.display());
        }
    }
}

#[test]
fn overrides_travel_with_the_partials() {
    let tmp = scratch();
    let dir = tmp.path();
    let s = scenario(dir);
    let set = ["--set", "nations.B.participation=0.3"];
    let (json, _) = single(dir, &s, &set);
    let parts: Vec<PathBuf> = (1..=2)
        .map(|k| run_shard(dir, &s, &format!("{k}/2"), k, &set))
        .collect();
    // The scenario file may be gone by merge time: the partials carry it.
    std::fs::remove_file(&s).unwrap();
    let out = merge(&parts, &["--json", "-", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(without_engine(&out.stdout), without_engine(&json));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nations.B.participation=0.3"));
}

#[test]
fn more_shards_than_blocks_leave_some_empty() {
    let tmp = scratch();
    let dir = tmp.path();
    let s = scenario(dir);
    let single = forcesim()
        .args(["run", "-n", "9000", "--json", "-", "-q"])
        .arg(&s)
        .output()
        .unwrap();
    assert!(single.status.success());
    // 3 blocks in 5 shards.
    let parts: Vec<PathBuf> = (1..=5)
        .map(|k| {
            let p = dir.join(format!("e{k}.fsp"));
            forcesim()
                .args([
                    "run",
                    "-n",
                    "9000",
                    "--shard",
                    &format!("{k}/5"),
                    "--partial",
                ])
                .arg(&p)
                .arg(&s)
                .assert()
                .success();
            p
        })
        .collect();
    let out = merge(&parts, &["--json", "-", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(without_engine(&out.stdout), without_engine(&single.stdout));
    // Only the empty shards 1/5 and 3/5: one gap, and only the shards that
    // hold its blocks to run.
    let out = merge(&[parts[0].clone(), parts[2].clone()], &["-q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "blocks 0..3 of 3 (9000 of 9000 trials) missing; run or rerun shard 2/5, 4/5, 5/5\n"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn shards_and_merge_print_the_scenarios_warnings() {
    let tmp = scratch();
    let dir = tmp.path();
    let s = dir.join("w.toml");
    std::fs::write(
        &s,
        "[scenario]\nname = \"w\"\n[capabilities]\ntroops = { unit = \"personnel\" }\n\
         [domains.land]\nrequirements = { troops = 1000 }\n\
         [nations.A]\nparticipation = 0.5\ncontributions = { land = { troops = 10 } }\n",
    )
    .unwrap();
    let part = dir.join("w.fsp");
    let warning = "warning: w.toml:6:27: domains.land.requirements.troops: `land` needs at least 1000 troops but all nations together can contribute at most 10";
    let shard = forcesim()
        .current_dir(dir)
        .args([
            "run",
            "-n",
            "100",
            "--shard",
            "1/1",
            "--partial",
            "w.fsp",
            "w.toml",
        ])
        .output()
        .unwrap();
    assert!(shard.status.success(), "{}", stderr(&shard));
    assert!(stderr(&shard).contains(warning), "{}", stderr(&shard));
    let out = merge(&[part], &["-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out).matches(warning).count(), 1, "{}", stderr(&out));
}

#[test]
fn parts_that_do_not_belong_together_are_rejected() {
    let tmp = scratch();
    let dir = tmp.path();
    let s = scenario(dir);
    let p: Vec<PathBuf> = (1..=3)
        .map(|k| run_shard(dir, &s, &format!("{k}/3"), 1, &[]))
        .collect();
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    let rejected = |parts: &[PathBuf], needles: &[&str]| {
        let out = merge(parts, &["-q"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "stderr: {err}");
        assert!(!err.contains("panicked"), "{err}");
        for n in needles {
            assert!(err.contains(n), "expected {n:?} in: {err}");
        }
    };
    // The same shard twice.
    rejected(
        &[p[0].clone(), p[1].clone(), p[1].clone(), p[2].clone()],
        &["same shard (2/3)", &name(&p[1])],
    );
    // Too few shards.
    rejected(
        &[p[0].clone(), p[2].clone()],
        &["do not cover the whole run", "blocks 7..14", "shard 2/3"],
    );
    // A shard of another seed.
    let other_seed = dir.join("seed.fsp");
    forcesim()
        .args([
            "run",
            "-n",
            TRIALS,
            "--seed",
            "1",
            "--shard",
            "2/3",
            "--partial",
        ])
        .arg(&other_seed)
        .arg(&s)
        .assert()
        .success();
    rejected(
        &[p[0].clone(), other_seed.clone(), p[2].clone()],
        &["seed.fsp", &name(&p[0]), "different seed"],
    );
    // A shard of another trial count.
    let other_trials = dir.join("trials.fsp");
    forcesim()
        .args([
            "run",
            "-n",
            "82044",
            "--seed",
            SEED,
            "--shard",
            "2/3",
            "--partial",
        ])
        .arg(&other_trials)
        .arg(&s)
        .assert()
        .success();
    rejected(
        &[p[0].clone(), other_trials, p[2].clone()],
        &["trials.fsp", "different trial count"],
    );
    // A shard of another scenario, or of the same one with other overrides.
    let other = dir.join("other.toml");
    std::fs::write(&other, scenario_text().replace("every form", "other")).unwrap();
    let other_scenario = dir.join("other.fsp");
    forcesim()
        .args([
            "run",
            "-n",
            TRIALS,
            "--seed",
            SEED,
            "--shard",
            "2/3",
            "--partial",
        ])
        .arg(&other_scenario)
        .arg(&other)
        .assert()
        .success();
    rejected(
        &[p[0].clone(), other_scenario, p[2].clone()],
        &["other.fsp", "different scenario"],
    );
    let other_set = dir.join("set.fsp");
    forcesim()
        .args([
            "run",
            "-n",
            TRIALS,
            "--seed",
            SEED,
            "--shard",
            "2/3",
            "--partial",
        ])
        .arg(&other_set)
        .args(["--set", "nations.A.participation=0.5"])
        .arg(&s)
        .assert()
        .success();
    rejected(
        &[p[0].clone(), other_set, p[2].clone()],
        &["set.fsp", "different --set overrides"],
    );
    // Overlapping splits.
    let half = run_shard(dir, &s, "1/2", 1, &[]);
    rejected(
        &[p[0].clone(), half],
        &["overlap", "shard 1/2", "shard 1/3"],
    );
}

#[test]
fn garbage_partials_are_errors_naming_the_file() {
    let tmp = scratch();
    let dir = tmp.path();
    let s = scenario(dir);
    let good = run_shard(dir, &s, "1/1", 1, &[]);
    let bytes = std::fs::read(&good).unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.fsp", vec![]),
        (
            "json.fsp",
            b"{\"format\": \"forcesim-report/1\"}\n".to_vec(),
        ),
        ("text.fsp", scenario_text().into_bytes()),
        ("truncated.fsp", bytes[..bytes.len() / 2].to_vec()),
        ("short.fsp", bytes[..9].to_vec()),
        ("long.fsp", [bytes.as_slice(), b"tail"].concat()),
    ];
    let mut flipped = bytes.clone();
    let mid = flipped.len() - 40;
    flipped[mid] ^= 0x10;
    cases.push(("flipped.fsp", flipped));
    let mut random = bytes[..8].to_vec();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..4000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        random.push(x as u8);
    }
    cases.push(("random.fsp", random));
    for (name, content) in cases {
        let p = dir.join(name);
        std::fs::write(&p, content).unwrap();
        let out = merge(&[p], &["-q"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(name), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    // Unreadable: exit 1.
    let out = merge(&[dir.join("missing.fsp")], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("missing.fsp"));
}

#[test]
fn shard_flags_are_checked() {
    let tmp = scratch();
    let dir = tmp.path();
    let s = scenario(dir);
    let usage = |args: &[&str]| {
        let out = forcesim()
            .current_dir(dir)
            .arg("run")
            .args(args)
            .arg(&s)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    };
    usage(&["--shard", "1/3"]);
    usage(&["--partial", "x.fsp"]);
    usage(&["--shard", "0/3", "--partial", "x.fsp"]);
    usage(&["--shard", "4/3", "--partial", "x.fsp"]);
    usage(&["--shard", "three", "--partial", "x.fsp"]);
    usage(&["--shard", "1/3", "--partial", "x.fsp", "--json", "r.json"]);
    // A shard draws no chart: the names and markings of charts are for `merge`.
    for chart in [
        ["--title", "T"],
        ["--marking", "M"],
        ["--label", "land=Land"],
    ] {
        usage(&["--shard", "1/3", "--partial", "x.fsp", chart[0], chart[1]]);
    }
    assert!(!dir.join("x.fsp").exists());
    let out = forcesim().arg("merge").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A partial into a missing directory: found before running (bad usage), and
    // nothing left behind.
    let out = forcesim()
        .args(["run", "-n", "5000", "--shard", "1/2", "--partial"])
        .arg(dir.join("no-such-dir").join("p.fsp"))
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!dir.join("no-such-dir").exists());
}

/// The GNU parallel recipe of docs/cluster.md, run as written when `parallel` is installed.
#[test]
fn gnu_parallel_recipe() {
    let ok = std::process::Command::new("parallel")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: GNU parallel is not installed; skipping the docs/cluster.md recipe");
        return;
    }
    let tmp = scratch();
    let dir = tmp.path();
    let s = scenario(dir);
    let bin = bin();
    let script = format!(
        "set -eu\n\
         N=8\n\
         parallel --halt now,fail=1 {bin} run s.toml -n {TRIALS} --seed {SEED} -j 1 --shard {{}}/$N --partial part-{{}}.fsp ::: $(seq 1 $N)\n\
         {bin} merge part-*.fsp --json report.json -q\n\
         {bin} run s.toml -n {TRIALS} --seed {SEED} --json single.json -q\n",
        bin = bin.display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "recipe failed: {}", stderr(&out));
    assert!(s.exists());
    let merged = std::fs::read(dir.join("report.json")).unwrap();
    let json = std::fs::read(dir.join("single.json")).unwrap();
    assert_eq!(without_engine(&merged), without_engine(&json));
}

#[test]
fn a_partial_is_not_written_to_standard_output() {
    let tmp = scratch();
    let s = scenario(tmp.path());
    let out = forcesim()
        .args(["run", "-n", "9000", "--shard", "1/1", "--partial", "-"])
        .arg(&s)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing on standard output");
    assert!(
        stderr(&out).contains("--partial -: a partial must be a file, not standard output"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_part_that_is_no_file_is_refused_with_the_reason() {
    let out = merge(&[PathBuf::from("/dev/null")], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/dev/null: a partial must be a file, not a pipe or device"),
        "{err}"
    );
}

#[test]
fn a_directory_given_to_merge_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(common::bin())
        .args(["merge"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a directory, not a partial file"), "{err}");
}
