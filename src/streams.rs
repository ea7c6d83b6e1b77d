//! The random streams: each entity's stream key (a hash of its kind and id) and the
//! random words it uses in each trial. Scenario compilation assigns the keys; the
//! engine and the draw-floor benchmark draw their words here and nowhere else. One
//! module owns the whole definition, so that it changes in one place, and its name,
//! [`STREAMS`], with it.
//!
//! # The definition (`splitmix64-ctr/entity-trial/v3`)
//!
//! `mix` is the SplitMix64 finaliser (Stafford's Mix13) and `γ = 0x9e3779b97f4a7c15`.
//! For a run seeded `seed`, the entity with stream key `key` uses in trial `t` (trials
//! numbered from 0 across the whole run) the words
//!
//! ```text
//! E(seed, key) = mix(mix(seed ^ 0x6a09e667f3bcc909) ^ key)            per entity
//! T(seed, t)   = mix(mix(seed ^ 0xbb67ae8584caa73b) + (t + 1)·γ)      per trial
//! σ(e, t)      = E ^ T                                               per (entity, trial)
//! word i       = mix(σ + (i + 1)·γ)                                  i = 0, 1, 2, …
//! ```
//!
//! i.e. a SplitMix64 generator (Steele, Lea & Flood 2014; passes BigCrush) seeded
//! with `σ`, where both halves of `σ` are outputs of the mixer: every word is two
//! chained mixes of counters, `mix(mix(seed-keyed trial counter) ^ E + γ)`. The words
//! are a function of (seed, key, t) alone: what other entities draw, and whether the
//! entity drew in earlier trials, changes nothing. A draw that needs more than one
//! word (the normal's ziggurat tail, PERT's rejection) reads words 1, 2, … of the
//! same (entity, trial). Entity keys pass through the mixer, so stream keys that
//! differ in a bit or by a constant give entity keys `E` that differ by an unrelated
//! 64-bit value; two entities' SplitMix64 seeds in one trial differ by that value in
//! xor, which the mixer's additions do not preserve, and across trials `T` is itself
//! mixed, so no entity's words are a shift of another's sequence. The usual case —
//! one word per entity and trial — costs one mix (`T` is shared by every entity of a
//! trial), pure arithmetic that the compiler runs in SIMD lanes over many trials.
//!
//! [`BLOCK_TRIALS`] only schedules work (blocks, shards, progress); it no longer
//! enters the numbers, but it stays part of the partial format's layout.

use rand_core::{Infallible, TryRng};

/// Trials per block: the unit of scheduling, sharding and progress.
pub const BLOCK_TRIALS: u64 = 4096;

/// Name and version of the stream definition, recorded in partial files.
pub const STREAMS: &str = "splitmix64-ctr/entity-trial/v3";

/// The golden ratio increment of SplitMix64.
pub const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// A 64-bit FNV-1a hash of `kind:id`: the stream key of an entity, stable across
/// scenario edits that add or remove other entities.
pub fn stream_key(kind: &str, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in kind.bytes().chain([b':']).chain(id.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The SplitMix64 finaliser (Stafford's Mix13): a bijection of 64-bit words with
/// full avalanche.
#[inline(always)]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One SplitMix64 step from `z`: the generator's output for state `z + γ`.
#[inline(always)]
pub(crate) fn splitmix(z: u64) -> u64 {
    mix(z.wrapping_add(GAMMA))
}

/// `E(seed, key)`: the per-run key of an entity.
pub fn entity_key(seed: u64, key: u64) -> u64 {
    mix(mix(seed ^ 0x6a09_e667_f3bc_c909) ^ key)
}

/// The per-run base of the trial keys: `T(seed, t) = mix(base + (t + 1)·γ)`.
pub fn trial_base(seed: u64) -> u64 {
    mix(seed ^ 0xbb67_ae85_84ca_a73b)
}

/// `T(seed, t)` from [`trial_base`]`(seed)`.
#[inline(always)]
pub fn trial_key(base: u64, t: u64) -> u64 {
    mix(base.wrapping_add(t.wrapping_add(1).wrapping_mul(GAMMA)))
}

/// Word 0 of entity key `e` (from [`entity_key`]) in the trial with key `t` (from
/// [`trial_key`]): what a one-word draw uses. Equal to the first word of
/// [`TrialRng::new`]`(e, t)`.
#[inline(always)]
pub fn first_word(e: u64, t: u64) -> u64 {
    splitmix(e ^ t)
}

/// The words of one entity in one trial: SplitMix64 seeded with `σ = E ^ T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrialRng {
    state: u64,
}

impl TrialRng {
    /// The words of entity key `e` in the trial with key `t`.
    #[inline(always)]
    pub fn new(e: u64, t: u64) -> TrialRng {
        TrialRng { state: e ^ t }
    }

    /// The words that follow `word` 0, for a draw that began with [`first_word`].
    #[inline(always)]
    pub fn after_first(e: u64, t: u64) -> TrialRng {
        TrialRng {
            state: (e ^ t).wrapping_add(GAMMA),
        }
    }
}

impl TryRng for TrialRng {
    type Error = Infallible;

    #[inline(always)]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next_word() >> 32) as u32)
    }

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_word())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let w = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}

impl TrialRng {
    #[inline(always)]
    fn next_word(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }
}

/// The words of the entity with stream key `key` in trial `t` of a run seeded
/// `seed` (the whole definition in one call; the engine computes the same words
/// with the per-run and per-trial keys hoisted).
pub fn stream(seed: u64, t: u64, key: u64) -> TrialRng {
    TrialRng::new(entity_key(seed, key), trial_key(trial_base(seed), t))
}

// The stream definition's unit tests, and a fast statistical battery of the words
// as the engine uses them (uniformity, serial correlation across trials,
// correlation between entities, keys that differ in one bit or by a constant).
#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::Rng;

    #[test]
    fn words_depend_on_seed_trial_and_key() {
        let a = stream(1, 0, 7).next_u64();
        assert_ne!(a, stream(1, 1, 7).next_u64());
        assert_ne!(a, stream(1, 0, 8).next_u64());
        assert_ne!(a, stream(2, 0, 7).next_u64());
        assert_eq!(a, stream(1, 0, 7).next_u64());
    }

    #[test]
    fn stream_keys_differ_by_kind() {
        assert_ne!(stream_key("nation", "GBR"), stream_key("bloc", "GBR"));
    }

    #[test]
    fn the_hoisted_keys_give_the_same_words() {
        let (e, t) = (entity_key(5, 99), trial_key(trial_base(5), 12_345));
        let mut r = stream(5, 12_345, 99);
        assert_eq!(first_word(e, t), r.next_u64());
        let mut rest = TrialRng::after_first(e, t);
        assert_eq!(rest.next_u64(), r.next_u64());
        assert_eq!(
            TrialRng::new(e, t).next_u32(),
            (first_word(e, t) >> 32) as u32
        );
    }

    /// SplitMix64's published first outputs for seed 1234567 (Vigna's reference code):
    /// `mix` is that finaliser.
    #[test]
    fn mix_is_the_splitmix64_finaliser() {
        let mut s: u64 = 1_234_567;
        let mut next = || {
            s = s.wrapping_add(GAMMA);
            mix(s)
        };
        assert_eq!(next(), 6_457_827_717_110_365_317);
        assert_eq!(next(), 3_203_168_211_198_807_973);
        assert_eq!(next(), 9_817_491_932_198_370_423);
    }

    /// χ² of `counts` against equal expected counts.
    fn chi2(counts: &[u64]) -> f64 {
        let n: u64 = counts.iter().sum();
        let e = n as f64 / counts.len() as f64;
        counts.iter().map(|&c| (c as f64 - e).powi(2) / e).sum()
    }

    /// |z| of a χ² with `df` degrees of freedom (Wilson–Hilferty).
    fn chi2_z(x: f64, df: f64) -> f64 {
        let a = 2.0 / (9.0 * df);
        (((x / df).powf(1.0 / 3.0) - (1.0 - a)) / a.sqrt()).abs()
    }

    /// Pearson correlation of two equally long series.
    fn corr(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
        for (&x, &y) in a.iter().zip(b) {
            sab += (x - ma) * (y - mb);
            saa += (x - ma).powi(2);
            sbb += (y - mb).powi(2);
        }
        sab / (saa * sbb).sqrt()
    }

    const N: u64 = 1 << 16;

    /// The first words of entity `key` over trials `0..N`, as uniforms.
    fn units(seed: u64, key: u64) -> Vec<f64> {
        let (e, b) = (entity_key(seed, key), trial_base(seed));
        (0..N)
            .map(|t| (first_word(e, trial_key(b, t)) >> 11) as f64 / (1u64 << 53) as f64)
            .collect()
    }

    #[test]
    fn bytes_and_top_bits_are_uniform() {
        let (e, b) = (entity_key(3, 17), trial_base(3));
        let mut bytes = [0u64; 256];
        let mut top = [0u64; 1024];
        for t in 0..N {
            let mut r = TrialRng::new(e, trial_key(b, t));
            for _ in 0..2 {
                let w = r.next_u64();
                for byte in w.to_le_bytes() {
                    bytes[usize::from(byte)] += 1;
                }
                top[(w >> 54) as usize] += 1;
            }
        }
        assert!(chi2_z(chi2(&bytes), 255.0) < 4.5, "bytes");
        assert!(chi2_z(chi2(&top), 1023.0) < 4.5, "top bits");
    }

    /// 5 sd of a correlation estimated from `N` pairs.
    const CORR_LIMIT: f64 = 5.0 / 256.0;

    #[test]
    fn consecutive_trials_are_uncorrelated() {
        let u = units(11, stream_key("nation", "GBR"));
        let r = corr(&u[..u.len() - 1], &u[1..]);
        assert!(r.abs() < CORR_LIMIT, "{r}");
    }

    #[test]
    fn entities_are_uncorrelated_in_the_same_trial() {
        let seed = 20_260_106;
        let keys = [
            stream_key("nation", "GBR"),
            stream_key("nation", "FRA"),
            stream_key("nation", "FRB"),
            stream_key("contribution", "GBR.land.troops"),
            1,
            0,
            1 << 63,
            GAMMA,
            GAMMA.wrapping_mul(2),
        ];
        let series: Vec<Vec<f64>> = keys.iter().map(|&k| units(seed, k)).collect();
        for i in 0..series.len() {
            for j in i + 1..series.len() {
                let r = corr(&series[i], &series[j]);
                assert!(r.abs() < CORR_LIMIT, "keys {i} and {j}: {r}");
            }
        }
    }

    #[test]
    fn keys_one_bit_apart_give_unrelated_words() {
        let (b, base) = (trial_base(1), stream_key("nation", "GBR"));
        for bit in 0..64 {
            let (e1, e2) = (entity_key(1, base), entity_key(1, base ^ (1 << bit)));
            let mut flipped = 0u32;
            for t in 0..256 {
                let tk = trial_key(b, t);
                flipped += (first_word(e1, tk) ^ first_word(e2, tk)).count_ones();
            }
            // Each of 256 × 64 bits differs with probability 1/2: 8192 ± 64.
            assert!((7_800..8_600).contains(&flipped), "bit {bit}: {flipped}");
        }
    }

    #[test]
    fn entity_keys_one_bit_apart_give_unrelated_words() {
        // The adversarial case, which hashed stream keys never produce: entity
        // keys (after the mixer) that differ in one bit.
        let (b, e) = (trial_base(2), entity_key(2, 5));
        for bit in 0..64 {
            let mut flipped = 0u32;
            for t in 0..256 {
                let tk = trial_key(b, t);
                flipped += (first_word(e, tk) ^ first_word(e ^ (1 << bit), tk)).count_ones();
            }
            assert!((7_800..8_600).contains(&flipped), "bit {bit}: {flipped}");
        }
    }

    #[test]
    fn keys_a_constant_apart_do_not_share_a_sequence() {
        // Entity keys that differ by γ (the Weyl step) must not make one entity's
        // words in trial t another's in a nearby trial.
        let b = trial_base(7);
        let e = entity_key(7, 42);
        for d in [GAMMA, GAMMA.wrapping_neg(), 1] {
            let shifted = e.wrapping_add(d);
            let words: std::collections::HashSet<u64> =
                (0..4096).map(|t| first_word(e, trial_key(b, t))).collect();
            let shared = (0..4096)
                .filter(|&t| words.contains(&first_word(shifted, trial_key(b, t))))
                .count();
            assert_eq!(shared, 0, "offset {d:#x}");
        }
    }
}
