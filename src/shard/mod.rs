//! Shards: one run split into N contiguous, disjoint block ranges that any
//! scheduler (a Slurm job array, a Kubernetes Indexed Job, GNU parallel) can place.
//!
//! With B = [`block_count`]`(trials)`, shard K of N (1-based, written `K/N`) covers
//! blocks `[(K−1)·B/N, K·B/N)`. The N ranges are contiguous, disjoint and cover
//! every block; a shard is empty when N > B and K·B/N = (K−1)·B/N. Because a
//! block's outcome depends only on (scenario, seed, block), the tallies of the N
//! shards add up to exactly the tally of the whole run ([`crate::shard::merge`]).

use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::time::Instant;

use crate::engine::{self, EngineError, block_count, block_len};
use crate::limits;
use crate::model::Model;
use crate::stats::Tally;

pub mod codec;
pub mod merge;
pub mod partial;

/// Shard `index` of `count` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    /// Shard `index` of `count`: `1 ≤ index ≤ count ≤` [`limits::MAX_SHARDS`].
    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 || count > limits::MAX_SHARDS {
            return Err(format!(
                "the number of shards must be between 1 and {} (got {count})",
                limits::MAX_SHARDS
            ));
        }
        if index == 0 || index > count {
            return Err(format!(
                "shard {index}/{count} does not exist: K runs from 1 to {count}"
            ));
        }
        Ok(Shard { index, count })
    }

    /// K, from 1.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// N.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The blocks of this shard in a run of `total_blocks` blocks.
    pub fn blocks(&self, total_blocks: u64) -> Range<u64> {
        let at =
            |k: u64| (u128::from(k) * u128::from(total_blocks) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `K/N`, e.g. `3/8`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: write K/N, e.g. 3/8 for the third of eight");
        let (k, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        Shard::new(k, n)
    }
}

/// The trials in blocks `blocks` of a run of `trials` trials.
pub fn trials_in(trials: u64, blocks: &Range<u64>) -> u64 {
    let b = blocks.start.min(blocks.end)..blocks.end.min(block_count(trials));
    if b.is_empty() {
        return 0;
    }
    // Every block but the last one of the run is full.
    let full = b.end - b.start - 1;
    full * engine::BLOCK_TRIALS + block_len(trials, b.end - 1)
}

/// The outcome of [`run_shard`].
pub struct ShardRun {
    /// The tally of the blocks finished.
    pub tally: Tally,
    /// The shard's blocks.
    pub planned: Range<u64>,
    /// The blocks finished: all of `planned`, or a prefix of it when stopped.
    pub done: Range<u64>,
    /// Worker threads used.
    pub threads: usize,
    /// Wall-clock seconds spent in trials.
    pub elapsed_s: f64,
}

impl ShardRun {
    /// Whether the run was stopped before finishing its blocks.
    pub fn interrupted(&self) -> bool {
        self.done != self.planned
    }
}

/// Runs shard `shard` of a run of `opts.trials` trials of `model`, honouring
/// `opts.stop` and `opts.progress` like [`crate::simulate`].
pub fn run_shard(
    model: &Model,
    opts: &crate::RunOptions<'_>,
    shard: Shard,
) -> Result<ShardRun, EngineError> {
    let runner = engine::Runner::new(model, opts.seed, opts.trials, opts.threads)?;
    let planned = shard.blocks(runner.blocks());
    let start = Instant::now();
    let end = runner.run(
        planned.clone(),
        engine::Control {
            stop: opts.stop,
            progress: opts.progress,
        },
    );
    Ok(ShardRun {
        tally: runner.tally(),
        done: planned.start..end,
        planned,
        threads: runner.threads(),
        elapsed_s: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_tile_the_blocks() {
        for blocks in [0u64, 1, 2, 7, 10, 30, 1000] {
            for n in [1u64, 2, 3, 7, 8, 31] {
                let mut next = 0;
                for k in 1..=n {
                    let r = Shard::new(k, n).unwrap().blocks(blocks);
                    assert_eq!(r.start, next, "{k}/{n} of {blocks}");
                    assert!(r.start <= r.end);
                    next = r.end;
                }
                assert_eq!(next, blocks);
            }
        }
        assert_eq!(Shard::new(3, 7).unwrap().blocks(30), 8..12);
    }

    #[test]
    fn shards_parse_and_print() {
        let s: Shard = "3/7".parse().unwrap();
        assert_eq!((s.index(), s.count()), (3, 7));
        assert_eq!(s.to_string(), "3/7");
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "-1/3", "1/2/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let big = format!("1/{}", limits::MAX_SHARDS + 1);
        assert!(big.parse::<Shard>().is_err());
    }

    #[test]
    fn trials_in_blocks_add_up() {
        let t = 5 * engine::BLOCK_TRIALS + 123;
        assert_eq!(trials_in(t, &(0..6)), t);
        assert_eq!(trials_in(t, &(5..6)), 123);
        assert_eq!(trials_in(t, &(1..3)), 2 * engine::BLOCK_TRIALS);
        assert_eq!(trials_in(t, &(3..3)), 0);
        assert_eq!(trials_in(t, &(4..99)), engine::BLOCK_TRIALS + 123);
    }
}
