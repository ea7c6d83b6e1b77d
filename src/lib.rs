//! forcesim: a Monte Carlo planning simulator for a multinational military force.
//!
//! The pipeline (see `docs/` and the README):
//!
//! ```text
//! scenario.toml ─▶ scenario::parse ─▶ Model ─▶ engine::Runner ─▶ Tally ─▶ Report ─▶ JSON | CSV | table | charts
//! ```
//!
//! ```
//! let text = r#"
//! [scenario]
//! name = "Two nations"
//! [capabilities]
//! troops = { unit = "personnel" }
//! [domains.land]
//! lead = ["A"]
//! requirements = { troops = 1000 }
//! [nations.A]
//! participation = 0.8
//! contributions.land.troops = 600
//! [nations.B]
//! participation = 0.5
//! contributions.land.troops = 600
//! "#;
//! let model = forcesim::scenario::parse("inline.toml", text, &[]).unwrap();
//! let run = forcesim::simulate(&model, &forcesim::RunOptions { trials: 20_000, seed: 1, threads: 1, ..Default::default() }).unwrap();
//! // Covered when A leads and B adds its 600: 0.8 × 0.5.
//! assert!((run.report.p_all_covered - 0.4).abs() < 0.02);
//! ```

#![warn(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod bench;
pub mod briefing;
pub mod charts;
pub mod dist;
pub mod engine;
#[cfg(feature = "import")]
pub mod import;
pub mod input;
pub(crate) mod isa;
pub mod limits;
pub mod math;
pub mod model;
pub mod output;
pub mod present;
pub mod quantile;
pub mod report;
pub mod scenario;
pub mod shard;
pub mod stats;
pub mod streams;
pub mod synth;
pub mod whatif;

use std::sync::atomic::AtomicBool;
use std::time::Instant;

pub use model::Model;
pub use report::Report;
pub use stats::Tally;

/// forcesim's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How to run a scenario.
#[derive(Default, Clone, Copy)]
pub struct RunOptions<'a> {
    /// Number of trials.
    pub trials: u64,
    /// Seed of the random streams.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// When set, stop at the next wave of blocks and report the finished prefix.
    pub stop: Option<&'a AtomicBool>,
    /// Called with the trials finished so far.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

/// The outcome of [`simulate`]: the report and the tally it was computed from.
pub struct Run {
    /// Every figure.
    pub report: Report,
    /// The merged integer tally.
    pub tally: Tally,
}

/// Runs `opts.trials` trials of `model` and summarises them.
pub fn simulate(model: &Model, opts: &RunOptions<'_>) -> Result<Run, engine::EngineError> {
    let runner = engine::Runner::new(model, opts.seed, opts.trials, opts.threads)?;
    let start = Instant::now();
    let blocks = runner.blocks();
    let done = runner.run(
        0..blocks,
        engine::Control {
            stop: opts.stop,
            progress: opts.progress,
        },
    );
    let elapsed = start.elapsed().as_secs_f64();
    let tally = runner.tally();
    let mut report = Report::measured(model, &tally, opts.seed, runner.threads(), elapsed);
    report.interrupted = done < blocks;
    Ok(Run { report, tally })
}
