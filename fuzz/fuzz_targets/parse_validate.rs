//! Arbitrary bytes through scenario parsing and validation: never a panic, and
//! every rejection has at least one located diagnostic. Valid scenarios run a
//! few trials, so that what validation lets through is exercised too.
#![no_main]

use forcesim::scenario::{self, diag::Place};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // An optional `--set` override rides after the first NUL byte.
    let (text, overrides) = match data.iter().position(|&b| b == 0) {
        Some(i) => (
            &data[..i],
            vec![String::from_utf8_lossy(&data[i + 1..]).into_owned()],
        ),
        None => (data, vec![]),
    };
    match scenario::parse_bytes("fuzz.toml", text, &overrides) {
        Err(d) => {
            assert!(!d.items.is_empty(), "a rejection without a diagnostic");
            for item in &d.items {
                match d.source.locate(item.span.start) {
                    Place::File { line, column } => assert!(line >= 1 && column >= 1),
                    Place::Override(o) => assert!(overrides.contains(&o)),
                }
            }
            let _ = d.to_string();
        }
        Ok(model) => {
            let opts = forcesim::RunOptions {
                trials: 64,
                seed: 1,
                threads: 1,
                ..Default::default()
            };
            if let Ok(run) = forcesim::simulate(&model, &opts) {
                let _ = run.report.to_json();
            }
        }
    }
});
