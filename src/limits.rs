//! Limits that keep every counter exact and memory bounded. Values beyond them are
//! validation errors that name the limit.

/// Largest trial count: counters are `u64`, sums `u128`; 10^12 trials keep every
/// figure exact and a run's length bounded.
pub const MAX_TRIALS: u64 = 1_000_000_000_000;
/// Largest value of one contribution or requirement (10^12): with the nation limit,
/// a total stays far below `u64::MAX`. Unbounded draws (normal, lognormal) are clamped here.
pub const MAX_VALUE: u64 = 1_000_000_000_000;
/// Most nations in a scenario.
pub const MAX_NATIONS: usize = 10_000;
/// Most contributions in a scenario (every nation's, over every domain and
/// capability): a trial's committed force of one capability, at most
/// [`MAX_VALUE`] × [`MAX_ROTATION`] from each, stays below `u64::MAX` (10^19
/// against 1.8 × 10^19). A file well under 16 MiB can hold more
/// (10,000 nations of 101 contributions each take 6.6 MB), and so can a chain
/// of `extends`.
pub const MAX_CONTRIBUTIONS: usize = 1_000_000;
/// Most domains in a scenario.
pub const MAX_DOMAINS: usize = 1_000;
/// Most capabilities in a scenario.
pub const MAX_CAPABILITIES: usize = 1_000;
/// Most conditions (and most blocs) in a scenario.
pub const MAX_CONDITIONS: usize = 10_000;
/// Most thresholds per capability.
pub const MAX_THRESHOLDS: usize = 1_000;
/// Most timeline days.
pub const MAX_TIMELINE_DAYS: usize = 1_000;
/// Largest day number (100 years).
pub const MAX_DAYS: u64 = 36_500;
/// Largest rotation factor.
pub const MAX_ROTATION: u64 = 10;
/// Most worker threads.
pub const MAX_THREADS: usize = 1_024;
/// Largest scenario file (16 MiB): parsing and validation stay quick, and a
/// stray path (`/dev/zero`, a disk image) is refused instead of read into memory.
pub const MAX_SCENARIO_BYTES: usize = 16 << 20;
/// Most (domain, capability) pairs that are required or contributed: each costs
/// one or two histograms (32 KiB to a few MiB each) in every worker's tally.
pub const MAX_TRACKED: usize = 2_000;
/// Most shards a run can be split into (`--shard K/N`).
pub const MAX_SHARDS: u64 = 1_000_000;
/// Largest partial file `merge` reads (1 GiB; partials are usually kilobytes).
pub const MAX_PARTIAL_BYTES: u64 = 1 << 30;

// The committed force of a capability in a trial fits a `u64`.
const _: () = assert!(
    (MAX_CONTRIBUTIONS as u128) * (MAX_VALUE as u128) * (MAX_ROTATION as u128) < u64::MAX as u128
);
