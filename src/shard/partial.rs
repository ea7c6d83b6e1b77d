//! Partial files (`.fsp`): the integer tally of one shard, with everything
//! `merge` needs to check that shards belong together and to rebuild the report
//! without the original scenario file. `docs/partial-format.md` describes the
//! layout byte by byte:
//!
//! ```text
//! 89 46 53 50 0D 0A 1A 0A   signature "\x89FSP\r\n\x1a\n"
//! varint                    format version (5; 4 is read too)
//! varint, bytes             header: UTF-8 JSON (versions, scenario text, seed, trials, blocks)
//! varint, bytes             body: the tally (crate::shard::codec)
//! 4 bytes                   CRC-32 (IEEE) of everything before it, little-endian
//! ```
//!
//! Reading never trusts the bytes: every length is checked against what is left,
//! the checksum against the content, and the header against itself (its block
//! range is the one its shard and trial count imply).

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::codec::{self, Reader, put_varint};
use super::{Shard, trials_in};
use crate::engine::{STREAMS, block_count};
use crate::limits;
use crate::model::Model;
use crate::stats::Tally;

/// The file signature: a high byte (not ASCII), `FSP`, CR LF, Ctrl-Z, LF, so that
/// text-mode transfers and truncation to 7 bits are caught at once.
pub const MAGIC: [u8; 8] = *b"\x89FSP\r\n\x1a\n";
/// The format version this forcesim writes; it reads version 4 too (the same
/// layout without the optional `scenario.file`).
pub const FORMAT_VERSION: u64 = 5;
/// Largest header (the scenario text, JSON-escaped, dominates it).
pub const MAX_HEADER_BYTES: usize = 8 * limits::MAX_SCENARIO_BYTES;

/// Why bytes are not a valid partial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialError {
    /// Byte offset in the file, when the problem is at one place.
    pub offset: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl PartialError {
    fn at(offset: usize, message: impl Into<String>) -> Self {
        PartialError {
            offset: Some(offset),
            message: message.into(),
        }
    }

    fn whole(message: impl Into<String>) -> Self {
        PartialError {
            offset: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for PartialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(o) => write!(f, "at byte {o}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for PartialError {}

/// The scenario a partial was computed from, as given to `run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The scenario path as given (it becomes the report's `scenario.path`).
    pub origin: String,
    /// The scenario file's text; for a scenario that extends another, the
    /// merged document (what the shards ran).
    pub text: String,
    /// For a scenario that extends another: the file's own text, which the
    /// report's SHA-256 and assumptions annex quote (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The `--set` overrides, in order.
    pub overrides: Vec<String>,
    /// The digest of text and overrides, as 16 hexadecimal digits.
    pub digest: String,
}

/// How the shard ran (it becomes part of the merged report's `engine`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartEngine {
    /// Worker threads.
    pub threads: usize,
    /// Wall-clock seconds spent in trials.
    pub elapsed_s: f64,
}

/// Which shard of which run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardInfo {
    /// K, from 1.
    pub index: u64,
    /// N.
    pub count: u64,
}

/// The JSON header of a partial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Version of forcesim that ran the shard.
    pub forcesim: String,
    /// Name and version of the random streams ([`STREAMS`]).
    pub streams: String,
    /// The scenario.
    pub scenario: Source,
    /// Seed of the whole run.
    pub seed: u64,
    /// Trials of the whole run (not of this shard).
    pub trials: u64,
    /// Which shard.
    pub shard: ShardInfo,
    /// The shard's blocks, `[start, end)`.
    pub blocks: [u64; 2],
    /// The blocks counted in the tally, `[start, end)`: all of `blocks`, or a
    /// prefix of them when the run was interrupted.
    pub done: [u64; 2],
    /// Whether the run was stopped before finishing its blocks.
    pub interrupted: bool,
    /// How it ran.
    pub engine: PartEngine,
}

impl Header {
    /// The shard.
    pub fn shard(&self) -> Result<Shard, String> {
        Shard::new(self.shard.index, self.shard.count)
    }

    /// The blocks counted.
    pub fn done(&self) -> Range<u64> {
        self.done[0]..self.done[1]
    }

    /// The shard's blocks.
    pub fn blocks(&self) -> Range<u64> {
        self.blocks[0]..self.blocks[1]
    }

    /// How the run of `other` differs from this one's (scenario text, overrides,
    /// digest, seed, trial count), in words; `None` for the same run.
    pub fn run_difference(&self, other: &Header) -> Option<String> {
        let (a, b) = (&self.scenario, &other.scenario);
        Some(if a.text != b.text && a.digest == b.digest {
            "a different scenario with the same digest: one file is corrupt".to_string()
        } else if a.text != b.text {
            format!("a different scenario (digest {} vs {})", a.digest, b.digest)
        } else if a.file != b.file {
            "a different scenario file that extends the same scenario".to_string()
        } else if a.overrides != b.overrides {
            format!(
                "different --set overrides ([{}] vs [{}])",
                a.overrides.join(", "),
                b.overrides.join(", ")
            )
        } else if a.digest != b.digest {
            format!(
                "the same scenario with different digests ({} vs {}): one file is corrupt",
                a.digest, b.digest
            )
        } else if self.seed != other.seed {
            format!("a different seed ({} vs {})", self.seed, other.seed)
        } else if self.trials != other.trials {
            format!(
                "a different trial count ({} vs {})",
                self.trials, other.trials
            )
        } else {
            return None;
        })
    }

    /// Checks that the header agrees with itself.
    pub fn check(&self) -> Result<(), String> {
        if self.trials == 0 || self.trials > limits::MAX_TRIALS {
            return Err(format!(
                "the run has {} trials; it must have between 1 and {}",
                self.trials,
                limits::MAX_TRIALS
            ));
        }
        let shard = self.shard()?;
        let planned = shard.blocks(block_count(self.trials));
        if self.blocks() != planned {
            return Err(format!(
                "shard {shard} of {} trials covers blocks {planned:?}, but the header says {:?}",
                self.trials,
                self.blocks()
            ));
        }
        let done = self.done();
        if done.start != planned.start || done.end < done.start || done.end > planned.end {
            return Err(format!(
                "the finished blocks {done:?} are not a prefix of the shard's blocks {planned:?}"
            ));
        }
        if self.interrupted != (done != planned) {
            return Err(format!(
                "the header says interrupted = {} but the finished blocks are {done:?} of {planned:?}",
                self.interrupted
            ));
        }
        if self.scenario.digest.len() != 16
            || !self.scenario.digest.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err("the scenario digest is not 16 hexadecimal digits".into());
        }
        let e = &self.engine;
        if !(1..=limits::MAX_THREADS).contains(&e.threads) {
            return Err(format!(
                "the run says it used {} threads; a run uses 1 to {}",
                e.threads,
                limits::MAX_THREADS
            ));
        }
        if !(0.0..=MAX_ELAPSED_S).contains(&e.elapsed_s) {
            return Err(format!(
                "the run says it took {} s; a shard's time is between 0 and {MAX_ELAPSED_S:e} s",
                crate::math::brief(e.elapsed_s)
            ));
        }
        let file = self.scenario.file.as_deref().map_or(0, str::len);
        if self.scenario.text.len().max(file) > limits::MAX_SCENARIO_BYTES {
            return Err(format!(
                "the embedded scenario is larger than the limit of {} bytes",
                limits::MAX_SCENARIO_BYTES
            ));
        }
        Ok(())
    }
}

/// The longest time a partial may say its shard took (about 31 years), so that
/// the merged run's time, their sum, stays a number.
const MAX_ELAPSED_S: f64 = 1e9;

/// A partial: its header and its encoded tally.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    /// The header.
    pub header: Header,
    /// The tally, encoded ([`crate::shard::codec`]).
    pub body: Vec<u8>,
}

/// The digest of a model, as written in headers.
pub fn digest_hex(model: &Model) -> String {
    format!("{:016x}", model.digest)
}

/// CRC-32 (IEEE 802.3, as in zlib, PNG and gzip) of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

impl Partial {
    /// A partial for `tally`, described by `header`.
    pub fn new(header: Header, tally: &Tally) -> Partial {
        Partial {
            header,
            body: codec::encode(tally),
        }
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&self.header).unwrap_or_default();
        let mut out = Vec::with_capacity(header.len() + self.body.len() + 32);
        out.extend_from_slice(&MAGIC);
        put_varint(&mut out, u128::from(FORMAT_VERSION));
        put_varint(&mut out, header.len() as u128);
        out.extend_from_slice(&header);
        put_varint(&mut out, self.body.len() as u128);
        out.extend_from_slice(&self.body);
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Reads a partial from its bytes: signature, version, lengths, checksum and
    /// header are checked; the body is decoded later, against the model
    /// ([`Partial::tally`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Partial, PartialError> {
        check_magic(bytes)?;
        let mut r = Reader::new(&bytes[MAGIC.len()..]);
        let version = r.varint("the format version").map_err(lift)?;
        // Version 4 differs only by lacking `scenario.file`, which is optional.
        if version != u128::from(FORMAT_VERSION) && version != 4 {
            let why = match version {
                0..=2 => {
                    " (an earlier forcesim wrote it: its tally lacks the pools and the committed force); run the shard again with this forcesim"
                }
                3 => {
                    " (an earlier forcesim wrote it: its histograms do not say how their bins are grouped); run the shard again with this forcesim"
                }
                _ => " (a later forcesim wrote it); merge with that forcesim",
            };
            return Err(PartialError::at(
                MAGIC.len(),
                format!(
                    "partial format version {version}; this forcesim reads versions 4 and {FORMAT_VERSION}{why}"
                ),
            ));
        }
        let (header_at, header_bytes) = read_header(&mut r)?;
        let body = read_body(&mut r)?;
        check_crc(bytes, &r)?;
        let header: Header = serde_json::from_slice(header_bytes)
            .map_err(|e| PartialError::at(header_at, format!("the header is not valid: {e}")))?;
        header
            .check()
            .map_err(|m| PartialError::at(header_at, format!("the header is not valid: {m}")))?;
        Ok(Partial {
            header,
            body: body.to_vec(),
        })
    }

    /// Decodes the tally against `template` (the empty tally of the model the
    /// header's scenario compiles to) and checks that it counts exactly the
    /// trials of the finished blocks.
    pub fn tally(&self, template: &Tally) -> Result<Tally, PartialError> {
        let t = codec::decode(&self.body, template)
            .map_err(|e| PartialError::whole(format!("the tally is not valid: {e}")))?;
        let expected = trials_in(self.header.trials, &self.header.done());
        if t.trials != expected {
            return Err(PartialError::whole(format!(
                "the tally counts {} trials but blocks {:?} hold {expected}",
                t.trials,
                self.header.done()
            )));
        }
        Ok(t)
    }
}

/// What a shard run needs to describe itself in a header.
pub struct HeaderInput<'a> {
    /// The compiled scenario.
    pub model: &'a Model,
    /// The scenario path as given.
    pub origin: &'a str,
    /// The scenario text (merged, for a scenario that extends another).
    pub text: &'a str,
    /// The file's own text, where it differs from `text`.
    pub file: Option<&'a str>,
    /// The run's seed.
    pub seed: u64,
    /// The run's trial count.
    pub trials: u64,
    /// Which shard.
    pub shard: Shard,
    /// The shard's run.
    pub run: &'a super::ShardRun,
}

impl Header {
    /// The header of a shard run.
    pub fn for_run(i: &HeaderInput<'_>) -> Header {
        Header {
            forcesim: crate::VERSION.to_string(),
            streams: STREAMS.to_string(),
            scenario: Source {
                origin: i.origin.to_string(),
                text: i.text.to_string(),
                file: i.file.map(str::to_string),
                overrides: i.model.overrides.clone(),
                digest: digest_hex(i.model),
            },
            seed: i.seed,
            trials: i.trials,
            shard: ShardInfo {
                index: i.shard.index(),
                count: i.shard.count(),
            },
            blocks: [i.run.planned.start, i.run.planned.end],
            done: [i.run.done.start, i.run.done.end],
            interrupted: i.run.interrupted(),
            engine: PartEngine {
                threads: i.run.threads,
                elapsed_s: i.run.elapsed_s,
            },
        }
    }
}

/// The offset in the file of the reader's position (the reader starts after the signature).
fn off(r: &Reader<'_>) -> usize {
    MAGIC.len() + r.pos()
}

/// A codec error as a partial error at its offset in the file.
fn lift(e: codec::CodecError) -> PartialError {
    PartialError::at(MAGIC.len() + e.offset, e.message)
}

/// The file starts with the partial signature (with a hint for common mistakes).
fn check_magic(bytes: &[u8]) -> Result<(), PartialError> {
    if bytes.len() >= MAGIC.len() && bytes[..MAGIC.len()] == MAGIC {
        return Ok(());
    }
    let hint = if bytes.first() == Some(&b'{') {
        " (it looks like JSON: merge reads the files written by `run --shard K/N --partial PATH`, not reports)"
    } else if bytes.is_empty() {
        " (it is empty)"
    } else {
        ""
    };
    Err(PartialError::at(
        0,
        format!("not a forcesim partial file: it does not start with the partial signature{hint}"),
    ))
}

/// The header's length and bytes: its offset in the file and its bytes.
fn read_header<'a>(r: &mut Reader<'a>) -> Result<(usize, &'a [u8]), PartialError> {
    let at = off(r);
    let header_len = r.varint("the header length").map_err(lift)?;
    if header_len > MAX_HEADER_BYTES as u128 {
        return Err(PartialError::at(
            at,
            format!(
                "the header claims {header_len} bytes, more than the limit of {MAX_HEADER_BYTES}"
            ),
        ));
    }
    let header_at = off(r);
    let header_bytes = r.bytes(header_len as usize, "the header").map_err(lift)?;
    Ok((header_at, header_bytes))
}

/// The body's length and bytes, which must leave exactly the 4-byte checksum.
fn read_body<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], PartialError> {
    let at = off(r);
    let body_len = r.varint("the body length").map_err(lift)?;
    if body_len > (r.remaining() as u128).saturating_sub(4) {
        return Err(PartialError::at(
            at,
            format!(
                "the body claims {body_len} bytes but only {} remain before the checksum: the file is truncated",
                r.remaining().saturating_sub(4)
            ),
        ));
    }
    let body = r.bytes(body_len as usize, "the body").map_err(lift)?;
    if r.remaining() != 4 {
        return Err(PartialError::at(
            off(r),
            format!(
                "{} bytes follow the body where the 4-byte checksum should end the file",
                r.remaining()
            ),
        ));
    }
    Ok(body)
}

/// The stored checksum (the file's last 4 bytes, at the reader's position) matches.
fn check_crc(bytes: &[u8], r: &Reader<'_>) -> Result<(), PartialError> {
    let crc_at = off(r);
    let stored = u32::from_le_bytes([
        bytes[crc_at],
        bytes[crc_at + 1],
        bytes[crc_at + 2],
        bytes[crc_at + 3],
    ]);
    let actual = crc32(&bytes[..crc_at]);
    if stored != actual {
        return Err(PartialError::at(
            crc_at,
            format!(
                "checksum mismatch (stored {stored:08x}, computed {actual:08x}): the file is corrupt"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RunOptions;

    const TEXT: &str = r#"
[scenario]
name = "Partial"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
lead = ["A"]
requirements = { troops = { uniform = [500, 1500] } }
[nations.A]
participation = 0.8
contributions.land.troops = { triangular = [200, 900, 1400] }
[nations.B]
participation = 0.5
contributions.land.troops = 400
"#;

    fn partial(trials: u64, shard: Shard) -> (Model, Partial) {
        let model = crate::scenario::parse("p.toml", TEXT, &["nations.B.participation=0.6".into()])
            .expect("valid");
        let opts = RunOptions {
            trials,
            seed: 5,
            threads: 1,
            ..Default::default()
        };
        let mut run = crate::shard::run_shard(&model, &opts, shard).expect("runs");
        // No `[mission]`: every trial is mounted (set here for an engine that
        // does not count them yet).
        if run.tally.mounted == 0 {
            run.tally.mounted = run.tally.trials;
        }
        let header = Header::for_run(&HeaderInput {
            model: &model,
            origin: "p.toml",
            text: TEXT,
            file: None,
            seed: 5,
            trials,
            shard,
            run: &run,
        });
        let p = Partial::new(header, &codec::with_committed(run.tally.clone()));
        (model, p)
    }

    #[test]
    fn a_different_text_under_the_same_digest_is_a_corrupt_file() {
        let (_, p) = partial(4096, Shard::new(1, 1).unwrap());
        let mut edited = p.header.clone();
        edited.scenario.text.push_str("# edited\n");
        let said = edited.run_difference(&p.header).expect("differs");
        assert_eq!(
            said,
            "a different scenario with the same digest: one file is corrupt"
        );
        let mut other_file = p.header.clone();
        other_file.scenario.file = Some("[scenario]\nextends = \"p.toml\"\n".into());
        let said = other_file.run_difference(&p.header).expect("differs");
        assert_eq!(
            said,
            "a different scenario file that extends the same scenario"
        );
        assert_eq!(p.header.run_difference(&p.header.clone()), None);
    }

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn partials_round_trip() {
        let (model, p) = partial(3 * 4096 + 10, Shard::new(2, 2).unwrap());
        let bytes = p.to_bytes();
        let back = Partial::from_bytes(&bytes).expect("reads");
        assert_eq!(back, p);
        let template = Tally::new(&model);
        let t = back.tally(&template).expect("decodes");
        assert_eq!(t.trials, 4096 + 10);
    }

    #[test]
    fn truncated_or_flipped_files_are_errors() {
        let (model, p) = partial(600, Shard::new(1, 1).unwrap());
        let bytes = p.to_bytes();
        assert!(bytes.len() < 8192, "{} bytes", bytes.len());
        let template = Tally::new(&model);
        for cut in 0..bytes.len() {
            assert!(Partial::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for i in 0..bytes.len() {
            for x in [0x01u8, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= x;
                // The checksum catches every single-byte change.
                assert!(Partial::from_bytes(&b).is_err(), "flip {x:#x} at {i}");
            }
        }
        // A body that passes the checksum but lies is still refused by decoding.
        let mut lying = p.clone();
        lying.body[0] ^= 1;
        let back = Partial::from_bytes(&lying.to_bytes()).expect("checksum recomputed");
        assert!(back.tally(&template).is_err());
    }

    #[test]
    fn inconsistent_headers_are_refused() {
        let (_, p) = partial(10 * 4096, Shard::new(2, 3).unwrap());
        let mut bad = p.clone();
        bad.header.blocks = [0, 10];
        assert!(Partial::from_bytes(&bad.to_bytes()).is_err());
        let mut bad = p.clone();
        bad.header.done = [3, 8];
        assert!(Partial::from_bytes(&bad.to_bytes()).is_err());
        let mut bad = p.clone();
        bad.header.interrupted = true;
        assert!(Partial::from_bytes(&bad.to_bytes()).is_err());
        let mut bad = p.clone();
        bad.header.engine.elapsed_s = 1e308;
        assert!(Partial::from_bytes(&bad.to_bytes()).is_err());
        let mut bad = p.clone();
        bad.header.engine.threads = usize::MAX;
        assert!(Partial::from_bytes(&bad.to_bytes()).is_err());
        let mut bad = p.clone();
        bad.header.engine.threads = 0;
        assert!(Partial::from_bytes(&bad.to_bytes()).is_err());
        let mut bad = p;
        bad.header.trials = 0;
        assert!(Partial::from_bytes(&bad.to_bytes()).is_err());
        assert!(Partial::from_bytes(b"{\"format\": \"forcesim-report/1\"}").is_err());
        assert!(Partial::from_bytes(b"").is_err());
    }
}
