//! Arbitrary bytes as partial files given to `merge`: never a panic.
//!
//! Input that starts with the partial signature is taken as a whole file. Any
//! other input is split at its first NUL byte into a header and a body and framed
//! with a correct signature, version, lengths and checksum, so that the fuzzer
//! reaches the header checks and the tally decoder instead of the checksum.
#![no_main]

use forcesim::shard::merge::{Input, merge};
use forcesim::shard::partial::{FORMAT_VERSION, MAGIC, crc32};
use forcesim::shard::codec::put_varint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let bytes = if data.starts_with(&MAGIC) {
        data.to_vec()
    } else {
        let (header, body) = match data.iter().position(|&b| b == 0) {
            Some(i) => (&data[..i], &data[i + 1..]),
            None => (data, &[][..]),
        };
        let mut out = MAGIC.to_vec();
        put_varint(&mut out, u128::from(FORMAT_VERSION));
        put_varint(&mut out, header.len() as u128);
        out.extend_from_slice(header);
        put_varint(&mut out, body.len() as u128);
        out.extend_from_slice(body);
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    };
    let _ = merge(&[Input {
        name: "fuzz.fsp".into(),
        bytes,
    }]);
});
