//! Helpers shared by the integration tests: the binary, scratch directories,
//! and running inline scenarios through the library.
#![allow(dead_code)]

pub mod schema;

use std::path::{Path, PathBuf};

use forcesim::{Report, RunOptions, scenario, simulate};
use tempfile::TempDir;

/// A small valid scenario: one domain led by A, two nations of 600 troops each
/// against 1,000 required.
pub const TWO_NATIONS: &str = r#"
[scenario]
name = "Two nations"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
lead = ["A"]
requirements = { troops = 1000 }
[nations.A]
participation = 0.8
contributions.land.troops = 600
[nations.B]
participation = 0.5
contributions.land.troops = 600
"#;

/// The path of the `forcesim` binary built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_forcesim"))
}

/// A command that runs the `forcesim` binary.
pub fn forcesim() -> assert_cmd::Command {
    assert_cmd::Command::new(bin())
}

/// A fresh, empty scratch directory; it and everything in it are removed when
/// the returned value is dropped (at the end of the test, even one that fails).
pub fn scratch() -> TempDir {
    tempfile::Builder::new()
        .prefix("forcesim-test-")
        .tempdir()
        .expect("scratch dir")
}

/// Writes `bytes` to `dir/name` and returns that path.
pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p
}

/// A scratch directory holding `text` as `s.toml`, and the path of that file.
pub fn scenario_file(text: impl AsRef<[u8]>) -> (TempDir, PathBuf) {
    let dir = scratch();
    let path = write(dir.path(), "s.toml", text);
    (dir, path)
}

/// Parses inline TOML, panicking with every diagnostic when it is invalid.
pub fn model(text: &str) -> forcesim::Model {
    match scenario::parse("test.toml", text, &[]) {
        Ok(m) => m,
        Err(d) => panic!("scenario should be valid:\n{d}"),
    }
}

/// Runs `trials` trials on `threads` threads with `seed`.
pub fn run(text: &str, trials: u64, seed: u64, threads: usize) -> Report {
    let m = model(text);
    simulate(
        &m,
        &RunOptions {
            trials,
            seed,
            threads,
            ..Default::default()
        },
    )
    .expect("runner starts")
    .report
}

/// The report as JSON without its `engine` member.
pub fn json_without_engine(r: &Report) -> String {
    let mut v = serde_json::to_value(r).expect("serialises");
    v.as_object_mut().expect("object").remove("engine");
    serde_json::to_string_pretty(&v).expect("serialises")
}

/// Asserts that a Monte Carlo proportion is within 4.5 standard errors of the exact value
/// (and equal to it when the exact value is 0 or 1).
pub fn assert_prop(what: &str, mc: f64, exact: f64, n: u64) {
    if exact == 0.0 || exact == 1.0 {
        assert_eq!(mc, exact, "{what}: exact value is {exact}, simulated {mc}");
        return;
    }
    let se = (exact * (1.0 - exact) / n as f64).sqrt();
    assert!(
        (mc - exact).abs() <= 4.5 * se,
        "{what}: simulated {mc}, exact {exact}, {:.2} standard errors apart",
        (mc - exact).abs() / se
    );
}

/// Asserts that `exact` lies in the interval `ci`.
pub fn assert_in_ci(what: &str, ci: [f64; 2], exact: f64) {
    assert!(
        ci[0] <= exact && exact <= ci[1],
        "{what}: exact {exact} outside the 95 % interval [{}, {}]",
        ci[0],
        ci[1]
    );
}

/// A headless Chromium on PATH, if any (the browser tests skip, saying so, without).
pub fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Renders `html` with headless `browser` at a phone's width into `png`, and
/// returns the screenshot's bytes (checked to be a PNG of a page, not an empty one).
pub fn screenshot(browser: &str, html: &Path, png: &Path) -> Vec<u8> {
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg("--window-size=390,2000")
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(png).expect("screenshot written");
    assert_eq!(&bytes[1..4], b"PNG");
    assert!(bytes.len() > 20_000, "an empty page? {} bytes", bytes.len());
    bytes
}

/// `validate` fails with exit 2; its stderr.
pub fn invalid(path: &std::path::Path) -> String {
    let out = forcesim().arg("validate").arg(path).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// The error at `line:col` for `key` holds `text`.
pub fn has(stderr: &str, line_col: &str, key: &str, text: &str) {
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
