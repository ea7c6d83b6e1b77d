//! No command writes over a file it reads (through `extends` too), over another
//! of its outputs (chart files included), or over a read-only file; every
//! output's destination is checked before any work; an output that fails at
//! the end does not stop the others; messages say the cause once.
#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use common::{forcesim, scratch, write};

use common::TWO_NATIONS as BASE;

fn run(dir: &Path, args: &[&str]) -> Output {
    forcesim()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("forcesim runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `out` is bad input (exit 2) and its message holds `text`.
fn refused(out: &Output, text: &str) {
    let e = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains(text), "no {text:?} in: {e}");
}

/// `base.toml`, `mid.toml` extending it and `top.toml` extending `mid.toml`.
fn chain(dir: &Path) {
    write(dir, "base.toml", BASE);
    write(
        dir,
        "mid.toml",
        "[scenario]\nextends = \"base.toml\"\n[nations.B]\nparticipation = 0.6\n",
    );
    write(
        dir,
        "top.toml",
        "[scenario]\nextends = \"mid.toml\"\n[nations.B]\nparticipation = 0.7\n",
    );
}

#[test]
fn files_read_through_extends_at_any_depth_are_inputs() {
    let dir = scratch();
    let d = dir.path();
    chain(d);
    let mid = fs::read(d.join("mid.toml")).unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["run", "mid.toml", "--json", "base.toml"],
        vec!["run", "top.toml", "--json", "base.toml"],
        vec!["run", "top.toml", "--csv", "mid.toml"],
        vec!["run", "top.toml", "--html", "./base.toml"],
        vec!["run", "top.toml", "--xlsx", "base.toml"],
        vec![
            "run",
            "top.toml",
            "--shard",
            "1/1",
            "--partial",
            "base.toml",
        ],
        vec![
            "sweep",
            "top.toml",
            "--vary",
            "nations.A.participation=0,1",
            "--json",
            "base.toml",
        ],
        vec!["sensitivity", "top.toml", "--json", "base.toml"],
        vec![
            "secure",
            "top.toml",
            "--target",
            "0.5",
            "--json",
            "base.toml",
        ],
        vec![
            "compare",
            "top.toml",
            "--variant",
            "a: nations.A.participation=1",
            "--json",
            "mid.toml",
        ],
        vec!["compare", "base.toml", "top.toml", "--csv", "mid.toml"],
    ];
    for args in cases {
        let mut all = args.clone();
        all.extend(["-n", "1000", "-q"]);
        let out = run(d, &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("would overwrite the input"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(
            fs::read_to_string(d.join("base.toml")).unwrap(),
            BASE,
            "{args:?}"
        );
        assert_eq!(fs::read(d.join("mid.toml")).unwrap(), mid, "{args:?}");
    }
}

#[test]
fn import_never_writes_over_its_pledges_but_may_replace_the_into_file() {
    let dir = scratch();
    let d = dir.path();
    let pledges = "nation,domain,capability,low,likely,high\nA,land,troops,100,200,300\n";
    write(d, "p.csv", pledges);
    std::os::unix::fs::symlink("p.csv", d.join("link.csv")).unwrap();
    write(d, "base.toml", BASE);
    write(d, "into.toml", "[scenario]\nextends = \"base.toml\"\n");
    for args in [
        vec!["import", "p.csv", "-o", "p.csv"],
        vec!["import", "p.csv", "-o", "./link.csv"],
        vec!["import", "link.csv", "-o", "p.csv"],
        vec!["import", "p.csv", "--into", "into.toml", "-o", "p.csv"],
        vec!["import", "p.csv", "--into", "into.toml", "-o", "base.toml"],
    ] {
        let out = run(d, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(fs::read_to_string(d.join("p.csv")).unwrap(), pledges);
        assert_eq!(fs::read_to_string(d.join("base.toml")).unwrap(), BASE);
    }
    let out = run(
        d,
        &["import", "p.csv", "--into", "into.toml", "-o", "into.toml"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        fs::read_to_string(d.join("into.toml"))
            .unwrap()
            .contains("triangular")
    );
}

#[test]
fn chart_files_are_checked_against_inputs_and_other_outputs() {
    let dir = scratch();
    let d = dir.path();
    fs::create_dir(d.join("r3")).unwrap();
    write(&d.join("r3"), "force.png", BASE);
    let out = run(
        d,
        &["run", "r3/force.png", "-n", "1000", "-q", "--charts", "r3"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(d.join("r3/force.png")).unwrap(), BASE);
    write(d, "s.toml", BASE);
    let out = run(
        d,
        &[
            "run",
            "s.toml",
            "-n",
            "1000",
            "-q",
            "--charts",
            "c",
            "--json",
            "c/gaps.png",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!d.join("c").exists());
    let vary = ["--vary", "nations.A.participation=0,1"];
    let out = run(
        d,
        &[
            &["sweep", "s.toml", "-n", "1000", "-q"][..],
            &vary,
            &[
                "--charts",
                "c",
                "--csv",
                "c/sweep-nations.A.participation.png",
            ],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!d.join("c").exists());
    // A partial named like a chart, in the chart directory, is an input of merge.
    let out = run(
        d,
        &[
            "run",
            "s.toml",
            "-n",
            "1000",
            "-q",
            "--shard",
            "1/1",
            "--partial",
            "r3/coverage.png",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let part = fs::read(d.join("r3/coverage.png")).unwrap();
    let out = run(d, &["merge", "r3/coverage.png", "-q", "--charts", "r3"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(fs::read(d.join("r3/coverage.png")).unwrap(), part);
}

#[test]
fn output_destinations_are_checked_before_any_work() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    fs::create_dir(d.join("adir")).unwrap();
    write(d, "afile", "x");
    // 100 million trials would take long: each is refused at once.
    for (args, says) in [
        (
            vec!["--json", "nd/x.json"],
            "the directory nd does not exist",
        ),
        (vec!["--csv", "adir"], "it is a directory"),
        (vec!["--charts", "afile"], "not a directory"),
        (vec!["--charts", "afile/sub"], "afile is not a directory"),
        (vec!["--json", "afile/x.json"], "Not a directory"),
        (
            vec!["--shard", "1/1", "--partial", "nd/p.fsp"],
            "the directory nd does not exist",
        ),
    ] {
        let mut all = vec!["run", "s.toml", "-n", "100000000", "-q"];
        all.extend(&args);
        let out = run(d, &all);
        let e = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.contains(says), "{args:?}: {e}");
        assert!(!e.contains(".tmp"), "{args:?}: {e}");
    }
    let out = run(
        d,
        &[
            "sweep",
            "s.toml",
            "--vary",
            "nations.A.participation=0:1:0.001",
            "-n",
            "100000",
            "--json",
            "nd/s.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_read_only_output_file_is_refused_not_replaced() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    let kept = write(d, "r.json", "{\"precious\":1}\n");
    fs::set_permissions(&kept, fs::Permissions::from_mode(0o444)).unwrap();
    let out = run(
        d,
        &["run", "s.toml", "-n", "1000", "-q", "--json", "r.json"],
    );
    refused(&out, "read-only");
    assert_eq!(fs::read_to_string(&kept).unwrap(), "{\"precious\":1}\n");
    // The library refuses it too.
    assert!(forcesim::output::write_atomic(&kept, b"x").is_err());
    assert_eq!(fs::read_to_string(&kept).unwrap(), "{\"precious\":1}\n");
}

#[test]
fn an_output_that_fails_at_the_end_does_not_stop_the_others_nor_the_table() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    let out = run(
        d,
        &[
            "run",
            "s.toml",
            "-n",
            "1000",
            "--json",
            "/dev/full",
            "--csv",
            "ok.csv",
            "--charts",
            "c",
        ],
    );
    let e = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(d.join("ok.csv").is_file());
    assert!(d.join("c/force.png").is_file());
    assert!(String::from_utf8_lossy(&out.stdout).contains("1,000 trials"));
    assert_eq!(e.matches("No space left on device").count(), 1, "{e}");
    assert!(e.contains("cannot write /dev/full"), "{e}");
}

#[test]
fn a_file_name_at_the_limit_is_written_and_leaves_no_temporary_file() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    let name = format!("{}.json", "a".repeat(250));
    let out = run(d, &["run", "s.toml", "-n", "1000", "-q", "--json", &name]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(d.join(&name).is_file());
    let names: Vec<_> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn init_into_a_file_is_a_usage_error() {
    let dir = scratch();
    write(dir.path(), "afile", "");
    let out = run(dir.path(), &["init", "afile"]);
    refused(&out, "afile is not a directory");
}

#[test]
fn import_refuses_oversized_and_malformed_input_as_bad_input() {
    let dir = scratch();
    let d = dir.path();
    let big = fs::File::create(d.join("big.csv")).unwrap();
    big.set_len(17 << 20).unwrap();
    let out = run(d, &["import", "big.csv"]);
    refused(&out, "larger than 16777216 bytes");
    write(d, "fake.xlsx", BASE);
    let out = run(d, &["import", "fake.xlsx"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let huge = format!(
        "nation,domain,capability,low,likely,high\nA,land,troops,1,2,{}x\n",
        "9".repeat(100_000)
    );
    write(d, "huge.csv", huge);
    let out = run(d, &["import", "huge.csv"]);
    refused(&out, "(100001 characters)");
    assert!(out.stderr.len() < 1000, "{}", stderr(&out));
}

#[test]
fn help_and_version_to_a_full_stdout_fail_and_to_a_closed_pipe_do_not() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    for args in [
        &["--help"][..],
        &["--version"],
        &["run", "--help"],
        &["help", "merge"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(common::bin())
            .args(args)
            .stdout(full)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains("cannot write to standard output"), "{e}");
    }
    // A reader that stops at once (a closed pipe) is no error.
    let mut child = std::process::Command::new(common::bin())
        .arg("--help")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_standard_error_that_cannot_take_the_messages_changes_no_exit_code() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    write(d, "bad.toml", "[scenario]\nname = 1\n");
    let cases: [(&[&str], i32); 3] = [
        (&["run", "missing.toml"], 1),
        (&["validate", "bad.toml"], 2),
        (&["run", "s.toml", "-n", "1000", "--seed", "x"], 2),
    ];
    for (args, code) in cases {
        // A reader that has gone (`2>&1 | head`), and a full device.
        let mut child = std::process::Command::new(common::bin())
            .args(args)
            .current_dir(d)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}, closed pipe");
        if Path::new("/dev/full").exists() {
            let full = fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap();
            let status = std::process::Command::new(common::bin())
                .args(args)
                .current_dir(d)
                .stdout(std::process::Stdio::null())
                .stderr(full)
                .status()
                .unwrap();
            assert_eq!(status.code(), Some(code), "{args:?}, /dev/full");
        }
    }
}

#[test]
fn an_output_named_by_a_descriptor_is_written_where_it_stands() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    // A shell's `>> log`: standard output opened to append.
    fs::write(d.join("log"), "kept\n").unwrap();
    let log = fs::OpenOptions::new()
        .append(true)
        .open(d.join("log"))
        .unwrap();
    let status = std::process::Command::new(common::bin())
        .current_dir(d)
        .args(["run", "s.toml", "-n", "500", "-q", "--csv", "/dev/stdout"])
        .stdout(log)
        .status()
        .unwrap();
    assert!(status.success());
    let text = fs::read_to_string(d.join("log")).unwrap();
    assert!(
        text.starts_with("kept\nscenario,scenario_sha256,"),
        "{text}"
    );
    // A descriptor that is not open for writing is refused before any work.
    refused(
        &run(d, &["run", "s.toml", "-n", "500", "--json", "/dev/fd/9"]),
        "descriptor 9 is not open for writing",
    );
}

#[test]
fn an_output_that_is_standard_output_by_another_name_keeps_the_table_out() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    for name in ["/dev/stdout", "/dev/fd/1", "out.json"] {
        // `> out.json`: standard output is the file that `--json` names.
        let out_file = fs::File::create(d.join("out.json")).unwrap();
        let out = std::process::Command::new(common::bin())
            .current_dir(d)
            .args(["run", "s.toml", "-n", "500", "--json", name])
            .stdout(out_file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}");
        let text = fs::read_to_string(d.join("out.json")).unwrap();
        let json: Result<serde_json::Value, _> = serde_json::from_str(&text);
        assert!(json.is_ok(), "{name}: {text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("All domains covered"),
            "{name}: the table on stderr"
        );
    }
    // Two outputs to standard output under two names are refused.
    let out_file = fs::File::create(d.join("both")).unwrap();
    let out = std::process::Command::new(common::bin())
        .current_dir(d)
        .args([
            "run",
            "s.toml",
            "-n",
            "500",
            "--json",
            "-",
            "--csv",
            "/dev/stdout",
        ])
        .stdout(out_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--json - and --csv /dev/stdout cannot all write to standard output"),
        "{err}"
    );
}

#[test]
fn an_input_or_output_pipe_without_its_other_end_is_no_wait() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    let made = std::process::Command::new("mkfifo")
        .arg(d.join("p"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    // Read with no writer: an empty scenario at once (exit 2), not a wait.
    let t = std::time::Instant::now();
    refused(&run(d, &["validate", "p"]), "the file is empty");
    // Written with no reader: an error at the end (exit 1), not a wait.
    let out = run(d, &["run", "s.toml", "-n", "500", "-q", "--json", "p"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no process reads this pipe"),
        "{}",
        stderr(&out)
    );
    assert!(t.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn a_shards_note_on_a_closed_or_full_standard_output_is_no_panic() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    let args = ["run", "s.toml", "-n", "4096", "--shard", "1/1"];
    // A reader that has gone (`| true`): the note is dropped, the shard is done.
    let mut child = std::process::Command::new(common::bin())
        .args(args)
        .args(["--partial", "a.fsp"])
        .current_dir(d)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(d.join("a.fsp").exists());
    if Path::new("/dev/full").exists() {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(common::bin())
            .args(args)
            .args(["--partial", "b.fsp"])
            .current_dir(d)
            .stdout(full)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("cannot write to standard output"), "{err}");
    }
}

#[test]
fn an_output_name_ending_in_a_slash_is_refused_before_any_work() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    let slash = "a file name cannot end in `/`: remove the slash";
    refused(
        &run(
            d,
            &["run", "s.toml", "--shard", "1/1", "--partial", "p.fsp/"],
        ),
        slash,
    );
    refused(&run(d, &["run", "s.toml", "--json", "out.json/"]), slash);
    assert!(!d.join("p.fsp").exists() && !d.join("out.json").exists());
    fs::create_dir(d.join("sub")).unwrap();
    refused(
        &run(d, &["run", "s.toml", "--json", "sub/"]),
        "it is a directory",
    );
}

/// Every spelling of a descriptor, and a link to one, is written where it
/// stands: never followed to the file behind it and replaced.
#[test]
fn a_descriptor_spelt_otherwise_is_still_a_descriptor() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    std::os::unix::fs::symlink("/dev/stdout", d.join("link")).unwrap();
    for name in [
        "//dev/stdout",
        "/dev/./fd/1",
        "/proc/thread-self/fd/1",
        "link",
    ] {
        fs::write(d.join("log"), "kept\n").unwrap();
        let log = fs::OpenOptions::new()
            .append(true)
            .open(d.join("log"))
            .unwrap();
        let status = std::process::Command::new(common::bin())
            .current_dir(d)
            .args(["run", "s.toml", "-n", "500", "-q", "--csv", name])
            .stdout(log)
            .status()
            .unwrap();
        assert!(status.success(), "{name}");
        let text = fs::read_to_string(d.join("log")).unwrap();
        assert!(text.starts_with("kept\nscenario,"), "{name}: {text}");
    }
    // Standard input, read-only from a file, is refused and the file kept.
    for name in ["/dev/stdin", "/proc/thread-self/fd/0", "//dev/fd/0"] {
        fs::write(d.join("victim"), "kept\n").unwrap();
        let out = std::process::Command::new(common::bin())
            .current_dir(d)
            .args(["run", "s.toml", "-n", "500", "-q", "--json", name])
            .stdin(fs::File::open(d.join("victim")).unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains("descriptor 0 is not open for writing"),
            "{name}: {err}"
        );
        assert_eq!(fs::read_to_string(d.join("victim")).unwrap(), "kept\n");
    }
}

/// Standard output opened onto an input (`>> s.toml`, `1<> s.toml`): refused
/// before anything is printed, the input unchanged.
#[test]
fn standard_output_onto_an_input_is_refused() {
    let dir = scratch();
    let d = dir.path();
    write(d, "s.toml", BASE);
    let pledges = "nation,domain,capability,low,likely,high\nA,land,troops,100,200,300\n";
    write(d, "p.csv", pledges);
    for (args, file, text) in [
        (vec!["run", "s.toml", "-n", "100"], "s.toml", BASE),
        (
            vec!["run", "s.toml", "-n", "100", "-q", "--json", "-"],
            "s.toml",
            BASE,
        ),
        (vec!["validate", "s.toml"], "s.toml", BASE),
        (vec!["import", "p.csv"], "p.csv", pledges),
    ] {
        let stdout = fs::OpenOptions::new()
            .append(true)
            .open(d.join(file))
            .unwrap();
        let out = std::process::Command::new(common::bin())
            .current_dir(d)
            .args(&args)
            .stdout(stdout)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("standard output is the input"),
            "{args:?}"
        );
        assert_eq!(fs::read_to_string(d.join(file)).unwrap(), text, "{args:?}");
    }
}

/// A workbook is never written to a terminal: `/dev/ptmx` opens as one (a new
/// pseudo-terminal) on Linux, as `/dev/tty` does in a session.
#[test]
fn a_workbook_to_a_terminal_is_refused() {
    if !Path::new("/dev/ptmx").exists() {
        eprintln!("skipped: no /dev/ptmx");
        return;
    }
    let out = forcesim()
        .args([
            "run",
            "scenarios/tutorial.toml",
            "-n",
            "100",
            "-q",
            "--xlsx",
            "/dev/ptmx",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--xlsx /dev/ptmx: a terminal"), "{err}");
}
