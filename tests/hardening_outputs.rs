//! Outputs never replace what they point at, never overwrite an input, keep the
//! file's mode, and targets not reached exit 3.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::TWO_NATIONS as SCENARIO;

fn forcesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_forcesim"))
        .args(args)
        .output()
        .expect("forcesim runs")
}

fn scenario(dir: &Path) -> PathBuf {
    let p = dir.join("s.toml");
    fs::write(&p, SCENARIO).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn is_char_device(p: &str) -> bool {
    fs::metadata(p).unwrap().file_type().is_char_device()
}

#[test]
fn dev_null_stays_a_device_for_json_csv_and_charts_free_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let out = forcesim(&["run", s(&sc), "-n", "2000", "-q", "--json", "/dev/null"]);
    assert!(out.status.success(), "{out:?}");
    assert!(is_char_device("/dev/null"));
    let out = forcesim(&["run", s(&sc), "-n", "2000", "-q", "--csv", "/dev/null"]);
    assert!(out.status.success(), "{out:?}");
    assert!(is_char_device("/dev/null"));
}

#[test]
fn a_partial_to_a_device_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let out = forcesim(&[
        "run",
        s(&sc),
        "-n",
        "2000",
        "--shard",
        "1/2",
        "--partial",
        "/dev/null",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
    assert!(is_char_device("/dev/null"));
}

#[test]
fn a_fifo_is_written_into_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let out = forcesim(&["run", s(&sc), "-n", "2000", "-q", "--json", s(&fifo)]);
    assert!(out.status.success(), "{out:?}");
    let text = reader.join().unwrap();
    assert!(text.contains("\"p_all_covered\""), "{text}");
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn a_symlink_to_a_file_is_refused_and_both_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let sub = dir.path().join("real");
    fs::create_dir(&sub).unwrap();
    let real = sub.join("report.json");
    fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = forcesim(&["run", s(&sc), "-n", "2000", "-q", "--json", s(&link)]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("symbolic link"), "{err}");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&real).unwrap(), "old");
}

#[test]
fn an_existing_file_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let json = dir.path().join("r.json");
    fs::write(&json, "old").unwrap();
    fs::set_permissions(&json, fs::Permissions::from_mode(0o600)).unwrap();
    let out = forcesim(&["run", s(&sc), "-n", "2000", "-q", "--json", s(&json)]);
    assert!(out.status.success(), "{out:?}");
    let mode = fs::metadata(&json).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_link_planted_on_the_old_temporary_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, "precious").unwrap();
    // The name the temporary copy used to have: `.NAME.PID.tmp`.
    let planted = dir
        .path()
        .join(format!(".out.json.{}.tmp", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let target = dir.path().join("out.json");
    forcesim::output::write_atomic(&target, b"{}\n").unwrap();
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(fs::read_to_string(&target).unwrap(), "{}\n");
}

#[test]
fn an_output_that_is_an_input_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    for flag in ["--json", "--csv"] {
        let out = forcesim(&["run", s(&sc), "-n", "2000", flag, s(&sc)]);
        assert_eq!(out.status.code(), Some(2), "{flag}: {out:?}");
        assert_eq!(fs::read_to_string(&sc).unwrap(), SCENARIO);
    }
    let out = forcesim(&[
        "run",
        s(&sc),
        "-n",
        "2000",
        "--shard",
        "1/1",
        "--partial",
        s(&sc),
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(fs::read_to_string(&sc).unwrap(), SCENARIO);
    // The same file by another name (a hard link).
    let other = dir.path().join("same.toml");
    fs::hard_link(&sc, &other).unwrap();
    let out = forcesim(&[
        "sweep",
        s(&sc),
        "--vary",
        "nations.A.participation=0,1",
        "-n",
        "1000",
        "--json",
        s(&other),
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(fs::read_to_string(&sc).unwrap(), SCENARIO);
}

#[test]
fn merge_refuses_to_overwrite_a_partial() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let part = dir.path().join("p.fsp");
    let out = forcesim(&[
        "run",
        s(&sc),
        "-n",
        "2000",
        "-q",
        "--shard",
        "1/1",
        "--partial",
        s(&part),
    ]);
    assert!(out.status.success(), "{out:?}");
    let before = fs::read(&part).unwrap();
    let out = forcesim(&["merge", s(&part), "-q", "--json", s(&part)]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(fs::read(&part).unwrap(), before);
}

#[test]
fn two_outputs_to_one_file_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let x = dir.path().join("x");
    let out = forcesim(&["run", s(&sc), "-n", "2000", "--json", s(&x), "--csv", s(&x)]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(!x.exists());
}

#[test]
fn a_target_not_reached_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(dir.path());
    let json = dir.path().join("secure.json");
    // Securing both nations gives P = 1 at most... the target 1.0 is reached:
    // exit 0. A requirement no nation can meet is never reached: exit 3.
    let out = forcesim(&[
        "secure",
        s(&sc),
        "--target",
        "0.99",
        "-n",
        "2000",
        "-q",
        "--no-relax",
        "--set",
        "domains.land.requirements.troops=5000",
        "--json",
        s(&json),
    ]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(json.exists(), "the result is still written");
    let out = forcesim(&[
        "secure",
        s(&sc),
        "--target",
        "0.1",
        "-n",
        "2000",
        "-q",
        "--no-relax",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // --precision that the cap stops first.
    let out = forcesim(&["run", s(&sc), "-q", "--precision", "0.0001", "-n", "100000"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let out = forcesim(&["run", s(&sc), "-q", "--precision", "0.05", "-n", "100000"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn control_characters_in_names_do_not_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("a\u{1b}[31m.toml");
    fs::write(&sc, SCENARIO).unwrap();
    let out = forcesim(&["validate", s(&sc)]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("\\u{1b}"), "{text:?}");
    let missing = dir.path().join("b\u{7}.toml");
    let out = forcesim(&["run", s(&missing), "-n", "100"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\u{7}'), "{err:?}");
}
