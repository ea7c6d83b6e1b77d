//! The random streams: the block size, each entity's stream key (a hash of its
//! kind and id) and the seeding of its stream in a block. Scenario compilation
//! assigns the keys; the engine and the draw-floor benchmark seed their generators
//! here and nowhere else. One module owns the whole definition, so that it changes
//! in one place, and its name, [`STREAMS`], with it.

use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Trials per block. Part of the definition of a run: changing it changes results.
pub const BLOCK_TRIALS: u64 = 4096;

/// Name and version of the stream derivation, recorded in partial files.
pub const STREAMS: &str = "xoshiro256++/splitmix64/block4096/v2";

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

#[inline]
pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream of the entity with stream key `key` in block `block` of a run seeded
/// `seed`: Xoshiro256++ whose state is the SplitMix64 expansion of
/// `splitmix(splitmix(splitmix(seed) ^ key) ^ block)`.
pub fn stream(seed: u64, block: u64, key: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(splitmix(splitmix(splitmix(seed) ^ key) ^ block))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_block_and_key() {
        use rand_core::Rng;
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
}
