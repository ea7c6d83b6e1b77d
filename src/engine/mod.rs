//! The Monte Carlo engine: fixed-size blocks of trials, counter-based random words
//! per entity and trial, rayon over blocks, one [`Tally`] per worker thread.
//!
//! Trials are numbered `0 .. trials` and grouped into blocks of [`BLOCK_TRIALS`].
//! The random words each condition, bloc, decision, readiness, contribution,
//! effect and requirement uses in trial t are a function of `(seed, key, t)` alone
//! (a trial not mounted draws its conditions only), where `key`
//! is a hash of the entity's kind and id ([`crate::streams`]). A block's outcome is
//! therefore a pure function of the scenario, the seed and the block index, the
//! merged tally is the same whatever the thread count, shard split or order of
//! completion, and a variant changes no draw of an entity it does not touch.
//!
//! [`Runner::run`] runs a range of blocks in waves; between waves it reports
//! progress and honours a stop flag, so that an interrupted run has finished an
//! exact prefix of its blocks.

mod days;
#[cfg(test)]
mod format2_tests;
mod plan;
#[cfg(test)]
mod pools_tests;
mod trace;
mod trial;

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

pub use crate::isa::Isa;
use crate::limits;
use crate::model::Model;
use crate::stats::Tally;
pub use plan::Plan;
pub use trace::Trace;
pub use trial::{Outcomes, Scratch};

pub use crate::streams::{BLOCK_TRIALS, STREAMS};

/// Number of blocks for `trials` trials.
pub fn block_count(trials: u64) -> u64 {
    trials.div_ceil(BLOCK_TRIALS)
}

/// Number of trials in block `b` of a run of `trials` trials.
pub fn block_len(trials: u64, b: u64) -> u64 {
    trials.saturating_sub(b * BLOCK_TRIALS).min(BLOCK_TRIALS)
}

/// Runs `blocks` of a run in one call, on the calling thread. Used by tests and benches.
pub fn run_serial(model: &Model, seed: u64, trials: u64, blocks: Range<u64>) -> Tally {
    let plan = Plan::new(model);
    let mut tally = Tally::new(model);
    let mut scratch = Scratch::new(&plan);
    for b in blocks {
        trial::run_block(
            &plan,
            seed,
            b,
            block_len(trials, b),
            &mut scratch,
            &mut tally,
        );
    }
    tally
}

/// Runs block `b` of a run of `trials` trials on the calling thread, adding its
/// outcomes to `tally` (and recording them per trial when `scratch.outcomes` is set).
pub fn run_block(
    plan: &Plan,
    seed: u64,
    b: u64,
    len: u64,
    scratch: &mut Scratch,
    tally: &mut Tally,
) {
    trial::run_block(plan, seed, b, len, scratch, tally);
}

/// What the caller may observe and steer while blocks run.
#[derive(Default, Clone, Copy)]
pub struct Control<'a> {
    /// When set, the run stops at the end of the current wave of blocks.
    pub stop: Option<&'a AtomicBool>,
    /// Called after each wave with the number of trials finished so far in this call.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

struct Worker {
    scratch: Scratch,
    tally: Tally,
}

/// A wave that takes less than this doubles the next one; one that takes more
/// than four times this halves it.
const WAVE_SECONDS: f64 = 0.25;

/// Most blocks per worker in one wave.
const MOST_PER_WORKER: u64 = 16;

/// Runs the blocks of `range` (of a run of `trials` trials) on `pool`, calling
/// `f` on each block from a pool thread, in waves: `control`'s stop flag is
/// honoured and its progress reported between waves, so that a stop leaves an
/// exact prefix of blocks. A wave starts at one block per worker and grows (to
/// [`MOST_PER_WORKER`]) while waves are quick, so that a stop takes effect
/// within about a second, or after one block per worker where one block takes
/// longer. Returns the end of the finished prefix.
pub fn in_waves(
    pool: &rayon::ThreadPool,
    workers: usize,
    (range, trials): (Range<u64>, u64),
    control: Control<'_>,
    f: &(dyn Fn(u64) + Sync),
) -> u64 {
    let workers = workers.max(1) as u64;
    let mut per_worker = 1;
    let (mut next, mut done_trials) = (range.start, 0u64);
    while next < range.end {
        if control.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            break;
        }
        let stop = (next + workers * per_worker).min(range.end);
        let start = std::time::Instant::now();
        pool.install(|| {
            use rayon::prelude::*;
            (next..stop).into_par_iter().for_each(f);
        });
        let took = start.elapsed().as_secs_f64();
        if took < WAVE_SECONDS {
            per_worker = (per_worker * 2).min(MOST_PER_WORKER);
        } else if took > 4.0 * WAVE_SECONDS {
            per_worker = (per_worker / 2).max(1);
        }
        done_trials += (next..stop).map(|b| block_len(trials, b)).sum::<u64>();
        next = stop;
        if let Some(p) = control.progress {
            p(done_trials);
        }
    }
    next
}

/// A run in progress: the model, seed and trial count, a thread pool, and one
/// tally per worker thread.
pub struct Runner<'m> {
    model: &'m Model,
    plan: Plan,
    seed: u64,
    trials: u64,
    pool: rayon::ThreadPool,
    workers: Vec<Mutex<Worker>>,
}

/// Why a runner could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {source}")]
    Pool {
        /// Threads asked for.
        threads: usize,
        /// The cause.
        source: rayon::ThreadPoolBuildError,
    },
}

/// The worker threads a run asked for `threads` (0: one per available core)
/// gets, at most [`limits::MAX_THREADS`].
pub fn workers(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(limits::MAX_THREADS)
}

/// A pool of `threads` worker threads (0: one per available core, at most
/// [`limits::MAX_THREADS`]), and how many that is.
pub fn pool(threads: usize) -> Result<(rayon::ThreadPool, usize), EngineError> {
    let threads = workers(threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("forcesim-worker-{i}"))
        .build()
        .map_err(|source| EngineError::Pool { threads, source })?;
    Ok((pool, threads))
}

impl<'m> Runner<'m> {
    /// A runner for `trials` trials of `model` seeded `seed` on `threads` threads
    /// (0: one per available core).
    pub fn new(
        model: &'m Model,
        seed: u64,
        trials: u64,
        threads: usize,
    ) -> Result<Self, EngineError> {
        let (pool, threads) = pool(threads)?;
        let plan = pool.install(|| Plan::new(model));
        let workers = (0..threads)
            .map(|_| {
                Mutex::new(Worker {
                    scratch: Scratch::new(&plan),
                    tally: Tally::new(model),
                })
            })
            .collect();
        Ok(Runner {
            model,
            plan,
            seed,
            trials,
            pool,
            workers,
        })
    }

    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.workers.len()
    }

    /// Number of blocks in the whole run.
    pub fn blocks(&self) -> u64 {
        block_count(self.trials)
    }

    /// Runs the blocks in `range` (clipped to the run). Returns the end of the
    /// prefix of `range` that was completed: `range.end` unless stopped early.
    pub fn run(&self, range: Range<u64>, control: Control<'_>) -> u64 {
        let range = range.start.min(self.blocks())..range.end.min(self.blocks());
        let workers = self.workers.len();
        in_waves(&self.pool, workers, (range, self.trials), control, &|b| {
            let i = rayon::current_thread_index().unwrap_or(0) % workers;
            let mut w = self.workers[i].lock().unwrap_or_else(|e| e.into_inner());
            let Worker { scratch, tally } = &mut *w;
            trial::run_block(
                &self.plan,
                self.seed,
                b,
                block_len(self.trials, b),
                scratch,
                tally,
            );
        })
    }

    /// Mounted trials finished so far (every trial without a mission gate), and
    /// in how many of them everything (every domain and the force) was covered.
    pub fn all_covered(&self) -> (u64, u64) {
        self.workers.iter().fold((0, 0), |(n, k), w| {
            let w = w.lock().unwrap_or_else(|e| e.into_inner());
            (n + w.tally.mounted, k + w.tally.all_covered)
        })
    }

    /// Mounted trials finished so far, and in how many of them domain `d` was
    /// covered.
    pub fn covered(&self, d: usize) -> (u64, u64) {
        self.workers.iter().fold((0, 0), |(n, k), w| {
            let w = w.lock().unwrap_or_else(|e| e.into_inner());
            (n + w.tally.mounted, k + w.tally.covered[d])
        })
    }

    /// The merged tally of every block run so far.
    pub fn tally(&self) -> Tally {
        let mut total = Tally::new(self.model);
        for w in &self.workers {
            let w = w.lock().unwrap_or_else(|e| e.into_inner());
            total += &w.tally;
        }
        total
    }
}

/// Runs trials `0..trials` (at most 2²⁰) of `model` seeded `seed` on the calling
/// thread, recording every entity's value in every trial.
pub fn trace(model: &Model, seed: u64, trials: u64) -> Trace {
    let trials = trials.min(1 << 20);
    let plan = Plan::new(model);
    let mut s = Scratch::new(&plan);
    s.trace = Some(Box::new(Trace::new(
        &plan,
        model.contributions.len(),
        trials as usize,
    )));
    let mut tally = Tally::new(model);
    for block in 0..block_count(trials) {
        run_block(
            &plan,
            seed,
            block,
            block_len(trials, block),
            &mut s,
            &mut tally,
        );
    }
    *s.trace
        .take()
        .unwrap_or_else(|| Box::new(Trace::new(&plan, 0, 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_partition_the_trials() {
        assert_eq!(block_count(1), 1);
        assert_eq!(block_count(BLOCK_TRIALS), 1);
        assert_eq!(block_count(BLOCK_TRIALS + 1), 2);
        let t = 3 * BLOCK_TRIALS + 17;
        let sum: u64 = (0..block_count(t)).map(|b| block_len(t, b)).sum();
        assert_eq!(sum, t);
    }
}
