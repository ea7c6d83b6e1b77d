//! Golden files: the definition of the random streams and the exact JSON report
//! of a small run are pinned under `tests/golden/`, so that a change that moves
//! every draw (a dependency update, a new seeding) or any figure or field of the
//! report fails here rather than passing unnoticed.
//!
//! The default run only compares. To change a golden file on purpose, run
//!
//! ```text
//! FORCESIM_UPDATE_GOLDEN=1 cargo test --test golden
//! ```
//!
//! and commit the new file with the change that explains it. A change of the
//! streams must also change their name, `forcesim::engine::STREAMS` (so that
//! `merge` refuses partials computed with the old streams): the update is refused
//! while the name is the one recorded.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::forcesim;
use forcesim::engine::STREAMS;
use forcesim::streams::{stream, stream_key};
use rand_core::Rng;

const UPDATE: &str = "FORCESIM_UPDATE_GOLDEN";

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn updating() -> bool {
    std::env::var_os(UPDATE).is_some_and(|v| v == "1")
}

/// The first line where `a` and `b` differ, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    let (mut la, mut lb) = (a.lines(), b.lines());
    for n in 1.. {
        match (la.next(), lb.next()) {
            (None, None) => return "no line differs (line endings?)".into(),
            (x, y) if x == y => {}
            (x, y) => {
                return format!(
                    "line {n}:\n  golden: {}\n  now:    {}",
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>")
                );
            }
        }
    }
    unreachable!()
}

/// Compares `actual` with the golden file `name`; with `FORCESIM_UPDATE_GOLDEN=1`,
/// rewrites it instead (after `may_update` agrees).
fn check(name: &str, actual: &str, why: &str, may_update: impl Fn(&str) -> Result<(), String>) {
    let path = golden_path(name);
    let golden = std::fs::read_to_string(&path).ok();
    if golden.as_deref() == Some(actual) {
        return;
    }
    if updating() {
        if let Some(old) = &golden
            && let Err(e) = may_update(old)
        {
            panic!("{UPDATE}=1: refusing to rewrite {}: {e}", path.display());
        }
        std::fs::write(&path, actual).expect("write golden file");
        eprintln!("{UPDATE}=1: rewrote {}", path.display());
        return;
    }
    let what = match &golden {
        None => format!("{} is missing", path.display()),
        Some(g) => format!(
            "{} differs from what this build computes; first difference at {}",
            path.display(),
            first_difference(g, actual)
        ),
    };
    panic!(
        "{what}\n\n{why}\nIf the change is intended, rewrite the file on purpose with\n    \
         {UPDATE}=1 cargo test --test golden\nand commit it with the change that explains it."
    );
}

/// The stream definition as text: its name, a few stream keys, and the first
/// words of a few streams.
fn streams_text() -> String {
    let mut s = String::from(
        "# forcesim's random streams, pinned (tests/golden.rs).\n\
         # key KIND:ID = streams::stream_key(KIND, ID)\n\
         # stream SEED TRIAL KEY = the first six words of streams::stream(SEED, TRIAL, KEY)\n",
    );
    writeln!(s, "name {STREAMS}").unwrap();
    for (kind, id) in [
        ("nation", "GBR"),
        ("nation", "FRA"),
        ("bloc", "GBR"),
        ("condition", "us_backstop"),
        ("domain", "land"),
        ("", ""),
    ] {
        writeln!(s, "key {kind}:{id} = {:#018x}", stream_key(kind, id)).unwrap();
    }
    let gbr = stream_key("nation", "GBR");
    for (seed, trial, key) in [
        (0, 0, 0),
        (42, 0, gbr),
        (42, 1, gbr),
        (20260106, 244_140, stream_key("condition", "us_backstop")),
        (u64::MAX, u64::MAX, u64::MAX),
    ] {
        let mut rng = stream(seed, trial, key);
        write!(s, "stream {seed} {trial} {key:#018x} =").unwrap();
        for _ in 0..6 {
            write!(s, " {:#018x}", rng.next_u64()).unwrap();
        }
        s.push('\n');
    }
    s
}

#[test]
fn the_random_streams_are_pinned() {
    check(
        "streams.txt",
        &streams_text(),
        "The random streams changed: every draw of every run, and so every report, changes \
         with them, and partials made before no longer merge with partials made after.",
        |old| {
            let recorded = format!("name {STREAMS}\n");
            if old.contains(&recorded) {
                Err(format!(
                    "the streams changed but their name did not: give \
                     forcesim::engine::STREAMS (now `{STREAMS}`) a new version first"
                ))
            } else {
                Ok(())
            }
        },
    );
}

/// The report `forcesim run` writes, without its `engine` member (version,
/// threads and timing: the only part that varies between identical runs).
fn report_without_engine(threads: &str) -> String {
    let out = forcesim()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "scenarios/tutorial.toml", "-n", "10000", "--seed"])
        .args(["42", "-q", "--json", "-", "-j", threads])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let start = text
        .find(",\n  \"engine\": {")
        .expect("the report has an engine member");
    let end = start + text[start..].find("\n  }").expect("the engine member ends") + "\n  }".len();
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn a_small_run_reports_exactly_the_golden_json() {
    let json = report_without_engine("2");
    assert!(!json.contains("\"engine\""), "{json}");
    serde_json::from_str::<serde_json::Value>(&json).expect("still one JSON document");
    check(
        "tutorial-n10000-seed42.json",
        &json,
        "The report of `forcesim run scenarios/tutorial.toml -n 10000 --seed 42 --json -` \
         changed (engine member aside): a figure, a field, the number format or the draws.",
        |_| Ok(()),
    );
    // The thread count changes nothing.
    assert_eq!(report_without_engine("1"), json);
}

#[test]
fn first_difference_names_the_line() {
    let d = first_difference("a\nb\nc\n", "a\nx\nc\n");
    assert!(d.starts_with("line 2:") && d.contains("golden: b") && d.contains("now:    x"));
    assert!(first_difference("a\n", "a\nb\n").contains("<end of file>"));
}
