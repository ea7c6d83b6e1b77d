//! Chunks of variants: how many a pass may run at once.
//!
//! Every variant of a paired pass runs on the same trials at once, so the memory
//! of the pass grows with the number of variants times the size of the scenario.
//! Where they would take more than about 1 GB together, `sensitivity` and
//! `sweep` run them a chunk at a time, each chunk over every trial (with the
//! scenario as written again in each), with the same figures.

use crate::model::Model;

/// How many model units ([`weight`]) the variants run at once may hold in all:
/// about 1 GB on two workers (2 KB a unit and variant, measured on 300 nations),
/// shared out among more ([`per_chunk`]). A scenario of
/// a few hundred nations with a thousand or so variants runs them a chunk at a
/// time.
pub const CHUNK_UNITS: usize = 600_000;

/// A rough measure of a model's size in memory (its plan, tally and report grow
/// with it).
pub fn weight(m: &Model) -> usize {
    m.contributions.len()
        + m.nations.len()
        + m.domains.len() * m.capabilities.len()
        + m.conditions.len()
        + m.effects.len()
        + 1
}

/// The model units a chunk may hold: [`CHUNK_UNITS`], or the whole number in
/// `FORCESIM_CHUNK_UNITS` where it is set (for tests and measurements: a small
/// one splits a small scenario's variants into chunks).
pub fn chunk_units() -> usize {
    std::env::var("FORCESIM_CHUNK_UNITS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&u| u > 0)
        .unwrap_or(CHUNK_UNITS)
}

/// How many items, each of `per_item` variants of `model`, one chunk runs on
/// `threads` worker threads (0: one per core), at least one.
pub fn per_chunk(model: &Model, per_item: usize, threads: usize) -> usize {
    (units_for(chunk_units(), threads) / (per_item.max(1) * weight(model))).max(1)
}

/// The model units a chunk may hold on `threads` workers (0: one per core):
/// `units` for up to two (the measure of [`CHUNK_UNITS`] was taken on two),
/// shared out among more, since each worker holds a tally of every variant.
fn units_for(units: usize, threads: usize) -> usize {
    (units.saturating_mul(2) / crate::engine::workers(threads).max(2)).max(1)
}

/// The length of each chunk that splits `items` into as few chunks of at most
/// `per_chunk` as it can, of lengths as even as it can (1,000 by 719: two of
/// 500, not 719 and 281): the same number of passes, with less held at once.
pub fn even(items: usize, per_chunk: usize) -> usize {
    let chunks = items.div_ceil(per_chunk.max(1)).max(1);
    items.div_ceil(chunks).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_as_few_and_as_even_as_can_be() {
        assert_eq!(even(1000, 719), 500);
        assert_eq!(even(1000, 1438), 1000);
        assert_eq!(even(1000, 1000), 1000);
        assert_eq!(even(1001, 1000), 501);
        assert_eq!(even(7, 3), 3);
        assert_eq!(even(0, 3), 1);
        assert_eq!(even(5, 0), 1);
    }

    #[test]
    fn more_workers_hold_fewer_units_each() {
        assert_eq!(units_for(600_000, 1), 600_000);
        assert_eq!(units_for(600_000, 2), 600_000);
        assert_eq!(units_for(600_000, 3), 400_000);
        assert_eq!(units_for(600_000, 8), 150_000);
        assert_eq!(units_for(1, 64), 1);
        let cores = crate::engine::workers(0);
        assert_eq!(units_for(600_000, 0), units_for(600_000, cores));
    }
}
