//! Stop on precision: run blocks until the 95 % interval of one probability is
//! narrow enough.
//!
//! The run is checked only at fixed checkpoints, counted in blocks of
//! [`BLOCK_TRIALS`] trials and independent of the thread count: 8, 16, 24 … 64
//! blocks, then steps of one eighth of the blocks run so far, rounded down to a
//! multiple of 8 ([`checkpoints`]). The run stops at the first checkpoint where the
//! Wilson half-width of the chosen probability is at most ε, or at the trial cap.
//! Because every checkpoint's tally is a pure function of (scenario, seed, blocks
//! run), so is the stopping point: the report is a pure function of (scenario,
//! seed, ε, cap), whatever `-j` is. Checking at a checkpoint at most 1/8 past the
//! previous one means a run overshoots the trials it needed by at most about 12.5 %
//! (or 8 blocks, whichever is more).

use crate::engine::{BLOCK_TRIALS, Control, EngineError, Runner, block_count};
use crate::math::wilson;
use crate::model::Model;
use crate::report::Report;
use crate::{Run, RunOptions};

/// Blocks between the first checkpoints (and the first checkpoint).
pub const STEP_BLOCKS: u64 = 8;

/// Most trials a run with `--precision` and no `-n` may use.
pub const DEFAULT_MAX_TRIALS: u64 = 100_000_000;

/// The probability whose precision is targeted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum On {
    /// P(every domain covered).
    AllCovered,
    /// P(domain covered), by domain index.
    Domain(usize),
}

impl On {
    /// Reads `p_all_covered` or `domains.ID.p_covered`.
    pub fn parse(model: &Model, s: &str) -> Result<On, String> {
        let s = s.trim();
        if s == "p_all_covered" {
            return Ok(On::AllCovered);
        }
        let valid = || {
            let mut v = vec!["p_all_covered".to_string()];
            v.extend(
                model
                    .domains
                    .iter()
                    .map(|d| format!("domains.{}.p_covered", d.id)),
            );
            v.join(", ")
        };
        match s
            .strip_prefix("domains.")
            .and_then(|r| r.strip_suffix(".p_covered"))
        {
            Some(id) => match model.domain(id) {
                Some(d) => Ok(On::Domain(d)),
                None => Err(format!(
                    "no domain `{id}` in this scenario; valid figures: {}",
                    valid()
                )),
            },
            None => Err(format!(
                "`{s}` is not a figure precision can target; valid figures: {}",
                valid()
            )),
        }
    }

    /// Its name in the report (`p_all_covered`, `domains.land.p_covered`).
    pub fn name(&self, model: &Model) -> String {
        match self {
            On::AllCovered => "p_all_covered".into(),
            On::Domain(d) => format!("domains.{}.p_covered", model.domains[*d].id),
        }
    }
}

/// What a precision-targeted run achieved: the report layer's type, produced here.
pub use crate::report::Precision;

/// The checkpoints of a run capped at `max_trials`, in blocks from the start:
/// 8, 16 … 64, then `c + 8·⌊c / 64⌋`, and finally the cap itself.
pub fn checkpoints(max_trials: u64) -> Vec<u64> {
    let last = block_count(max_trials);
    let mut out = Vec::new();
    let mut c = STEP_BLOCKS;
    while c < last {
        out.push(c);
        c += STEP_BLOCKS * (c / 64).max(1);
    }
    out.push(last);
    out
}

/// The 95 % half-width of `k` in `n`; NaN (no interval) when `n` is 0.
pub fn half_width_of(k: u64, n: u64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    super::half_width(wilson(k, n))
}

/// Runs `model` until the 95 % half-width of `on` is at most `eps`, checked at
/// [`checkpoints`], or until `opts.trials` trials (the cap). The report's
/// `precision` member says which.
pub fn simulate(
    model: &Model,
    opts: &RunOptions<'_>,
    eps: f64,
    on: &On,
) -> Result<Run, EngineError> {
    let runner = Runner::new(model, opts.seed, opts.trials, opts.threads)?;
    let start = std::time::Instant::now();
    let mut done = 0u64;
    let mut interrupted = false;
    // No interval before the first checkpoint, nor while no trial is mounted.
    let mut half = f64::NAN;
    let mut met = false;
    let progress_base = std::sync::atomic::AtomicU64::new(0);
    let progress = |t: u64| {
        if let Some(p) = opts.progress {
            p(progress_base.load(std::sync::atomic::Ordering::Relaxed) + t);
        }
    };
    for c in checkpoints(opts.trials) {
        progress_base.store(done * BLOCK_TRIALS, std::sync::atomic::Ordering::Relaxed);
        let reached = runner.run(
            done..c,
            Control {
                stop: opts.stop,
                progress: Some(&progress),
            },
        );
        if reached < c {
            interrupted = true;
            break;
        }
        done = c;
        let (n, k) = match on {
            On::AllCovered => runner.all_covered(),
            On::Domain(d) => runner.covered(*d),
        };
        half = half_width_of(k, n);
        if half <= eps {
            met = true;
            break;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let tally = runner.tally();
    let mut report = Report::measured(model, &tally, opts.seed, runner.threads(), elapsed);
    report.interrupted = interrupted;
    report.precision = Some(Precision {
        target: eps,
        on: on.name(model),
        half_width: half,
        met,
        trials: tally.trials,
        max_trials: opts.trials,
    });
    Ok(Run { report, tally })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_grow_by_at_most_an_eighth_after_64_blocks() {
        let c = checkpoints(10_000 * BLOCK_TRIALS);
        assert_eq!(&c[..9], &[8, 16, 24, 32, 40, 48, 56, 64, 72]);
        for w in c.windows(2) {
            assert!(w[1] > w[0]);
            assert!(w[0] % STEP_BLOCKS == 0);
            if w[0] >= 64 {
                assert!(w[1] - w[0] <= w[0] / 8);
            }
        }
        assert_eq!(*c.last().unwrap(), 10_000);
    }

    #[test]
    fn the_cap_is_the_last_checkpoint() {
        assert_eq!(checkpoints(1), vec![1]);
        assert_eq!(checkpoints(8 * BLOCK_TRIALS), vec![8]);
        assert_eq!(checkpoints(8 * BLOCK_TRIALS + 1), vec![8, 9]);
    }
}
