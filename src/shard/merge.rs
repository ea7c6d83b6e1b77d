//! Merging partials into the tally of the whole run.
//!
//! The parts must belong together (same format, forcesim version and random
//! streams as this forcesim; same scenario text, overrides, seed and trial count)
//! and cover every block of the run exactly once. Each problem is an error that
//! names the files. The merged tally is exactly the tally of a single-machine run,
//! so the report built from it is byte-identical to that run's (but `engine`).

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use super::partial::{Partial, PartialError, digest_hex};
use crate::engine::{STREAMS, block_count};
use crate::model::Model;
use crate::scenario::{self, Diagnostics};
use crate::stats::Tally;

/// One partial file to merge: its name (for messages) and bytes.
pub struct Input {
    /// The path as given.
    pub name: String,
    /// Its contents.
    pub bytes: Vec<u8>,
}

/// Why parts cannot be merged. Every variant's message names the files.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No part was given.
    #[error("no partial files to merge")]
    NoParts,
    /// A file is not a valid partial.
    #[error("{file}: {error}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong with it.
        error: PartialError,
    },
    /// The parts do not belong together or do not cover the run exactly once.
    #[error("{0}")]
    Incompatible(String),
    /// A part could not be read.
    #[error("{0}")]
    Read(ReadError),
    /// The scenario embedded in a part is not valid for this forcesim.
    #[error("{file}: the embedded scenario is not valid:\n{diagnostics}")]
    Scenario {
        /// The file.
        file: String,
        /// Every problem.
        diagnostics: Box<Diagnostics>,
    },
}

/// The outcome of a merge.
pub struct Merged {
    /// The model, compiled from the embedded scenario.
    pub model: Model,
    /// The tally of every block of the run.
    pub tally: Tally,
    /// The run's seed.
    pub seed: u64,
    /// Worker threads of all parts together.
    pub threads: usize,
    /// Seconds spent in trials by all parts together.
    pub elapsed_s: f64,
    /// The embedded scenario's text.
    pub text: String,
    /// The scenario file's own text (`text` unless it extends another): what the
    /// report's SHA-256 and assumptions annex quote.
    pub file: String,
    /// The scenario's warnings (likely modelling mistakes), as `run` prints them.
    pub warnings: Diagnostics,
}

struct Blocks<'a>(&'a Range<u64>);

impl fmt::Display for Blocks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        if r.end == r.start + 1 {
            write!(f, "block {}", r.start)
        } else {
            write!(f, "blocks {}..{}", r.start, r.end)
        }
    }
}

/// A partial read from one input: the name given and its contents.
type Part<'a> = (&'a str, Partial);

/// `Err(MergeError::Incompatible(m))`.
fn incompatible<T>(m: String) -> Result<T, MergeError> {
    Err(MergeError::Incompatible(m))
}

/// Where a merge reads its parts: each one's name and, on demand, its bytes.
/// A merge reads each part twice, once for the headers and once for the tally,
/// so that it holds one part's bytes at a time however many parts there are.
pub trait Source {
    /// How many parts.
    fn count(&self) -> usize;
    /// Part `i`'s name, for messages.
    fn name(&self, i: usize) -> &str;
    /// Part `i`'s bytes.
    fn read(&self, i: usize) -> Result<Cow<'_, [u8]>, MergeError>;
}

impl Source for [Input] {
    fn count(&self) -> usize {
        self.len()
    }
    fn name(&self, i: usize) -> &str {
        &self[i].name
    }
    fn read(&self, i: usize) -> Result<Cow<'_, [u8]>, MergeError> {
        Ok(Cow::Borrowed(&self[i].bytes))
    }
}

/// Partial files on disk, read when the merge needs them; any larger than
/// [`crate::limits::MAX_PARTIAL_BYTES`] is refused.
pub struct Files {
    paths: Vec<PathBuf>,
    names: Vec<String>,
}

impl Files {
    /// The files at `paths`.
    pub fn new(paths: &[PathBuf]) -> Files {
        Files {
            paths: paths.to_vec(),
            names: paths.iter().map(|p| p.display().to_string()).collect(),
        }
    }
}

impl Source for Files {
    fn count(&self) -> usize {
        self.paths.len()
    }
    fn name(&self, i: usize) -> &str {
        &self.names[i]
    }
    fn read(&self, i: usize) -> Result<Cow<'_, [u8]>, MergeError> {
        read_file(&self.paths[i], &self.names[i])
            .map(Cow::Owned)
            .map_err(MergeError::Read)
    }
}

/// Reads, checks and merges `inputs`.
pub fn merge(inputs: &[Input]) -> Result<Merged, MergeError> {
    merge_from(inputs)
}

/// Reads, checks and merges the parts of `src`: first every header (each part's
/// tally is dropped as soon as it is read), then, in block order, each tally,
/// decoded and added to the sum.
pub fn merge_from<S: Source + ?Sized>(src: &S) -> Result<Merged, MergeError> {
    if src.count() == 0 {
        return Err(MergeError::NoParts);
    }
    let mut parts: Vec<Part<'_>> = Vec::with_capacity(src.count());
    let mut crcs = Vec::with_capacity(src.count());
    for i in 0..src.count() {
        let bytes = src.read(i)?;
        let mut p = parse(src.name(i), &bytes)?;
        crcs.push(fingerprint(&bytes));
        p.body = Vec::new();
        parts.push((src.name(i), p));
    }
    check_origin(&parts)?;
    check_same_run(&parts)?;
    let order = check_blocks(&parts)?;
    check_coverage(&parts, &order)?;
    let (first, p) = &parts[order[0]];
    let (model, warnings) = embedded_model(first, p)?;
    let (tally, threads, elapsed_s) = sum_tallies(src, (&order, &crcs), &model)?;
    let h0 = &parts[0].1.header;
    debug_assert_eq!(tally.trials, h0.trials);
    Ok(Merged {
        model,
        tally,
        seed: h0.seed,
        threads,
        elapsed_s,
        text: p.header.scenario.text.clone(),
        file: (p.header.scenario.file.clone()).unwrap_or_else(|| p.header.scenario.text.clone()),
        warnings,
    })
}

/// What tells two reads of a part apart: its length and the CRC-32 of all but
/// its last four bytes (a valid part ends with that CRC, and the CRC of bytes
/// followed by their own CRC is the same for all).
fn fingerprint(bytes: &[u8]) -> (usize, u32) {
    let n = bytes.len();
    (n, super::partial::crc32(&bytes[..n.saturating_sub(4)]))
}

/// The partial in `bytes`, read from the part `name`.
fn parse(name: &str, bytes: &[u8]) -> Result<Partial, MergeError> {
    Partial::from_bytes(bytes).map_err(|error| MergeError::Invalid {
        file: name.to_string(),
        error,
    })
}

/// Every part was written by this forcesim, with these streams.
fn check_origin(parts: &[Part<'_>]) -> Result<(), MergeError> {
    for (name, p) in parts {
        let h = &p.header;
        if h.forcesim != crate::VERSION {
            return incompatible(format!(
                "{name} was written by forcesim {}; this is forcesim {}: merge with the version that ran the shards",
                h.forcesim,
                crate::VERSION
            ));
        }
        if h.streams != STREAMS {
            return incompatible(format!(
                "{name} was computed with random streams `{}`; this forcesim uses `{STREAMS}`",
                h.streams
            ));
        }
    }
    Ok(())
}

/// Every part belongs to the same run: scenario, overrides, seed, trials.
fn check_same_run(parts: &[Part<'_>]) -> Result<(), MergeError> {
    let (name0, p0) = &parts[0];
    for (name, p) in &parts[1..] {
        if let Some(what) = p.header.run_difference(&p0.header) {
            return incompatible(format!(
                "{name} and {name0} are not parts of the same run: {what}"
            ));
        }
    }
    Ok(())
}

/// No shard is given twice and no two parts overlap; returns the parts' indices
/// in block order.
fn check_blocks(parts: &[Part<'_>]) -> Result<Vec<usize>, MergeError> {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| {
        let d = parts[i].1.header.done();
        (d.start, d.end)
    });
    let mut seen: std::collections::HashMap<(u64, u64), &str> = Default::default();
    for (name, p) in parts {
        let s = p.header.shard;
        if let Some(other) = seen.insert((s.index, s.count), name) {
            return incompatible(format!(
                "{other} and {name} are the same shard ({}/{}): give each shard once",
                s.index, s.count
            ));
        }
    }
    // Sorted by start, a part overlaps an earlier one exactly when it starts
    // before the furthest end reached so far.
    let mut reach: Option<(u64, usize)> = None;
    for &i in &order {
        let d = parts[i].1.header.done();
        if d.is_empty() {
            continue;
        }
        if let Some((end, j)) = reach
            && d.start < end
        {
            let (a, b) = (&parts[j], &parts[i]);
            let (sa, sb) = (a.1.header.shard, b.1.header.shard);
            let overlap = d.start..end.min(d.end);
            return incompatible(format!(
                "{} (shard {}/{}) and {} (shard {}/{}) overlap: both count {}",
                a.0,
                sa.index,
                sa.count,
                b.0,
                sb.index,
                sb.count,
                Blocks(&overlap)
            ));
        }
        if reach.is_none_or(|(end, _)| d.end > end) {
            reach = Some((d.end, i));
        }
    }
    Ok(order)
}

/// The parts (in block order) cover every block of the run; the error lists what
/// is missing and which shards to run again.
fn check_coverage(parts: &[Part<'_>], order: &[usize]) -> Result<(), MergeError> {
    let h0 = &parts[0].1.header;
    let total = block_count(h0.trials);
    let mut missing: Vec<Range<u64>> = Vec::new();
    let mut next = 0u64;
    for &i in order {
        let d = parts[i].1.header.done();
        if d.is_empty() {
            // An empty shard (more shards than blocks) splits no gap.
            continue;
        }
        if d.start > next {
            missing.push(next..d.start);
        }
        next = next.max(d.end);
    }
    if next < total {
        missing.push(next..total);
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|r| Blocks(r).to_string()).collect();
        let trials: u64 = missing.iter().map(|r| super::trials_in(h0.trials, r)).sum();
        let mut msg = format!(
            "the parts do not cover the whole run: {} of {total} ({trials} of {} trials) missing",
            list.join(", "),
            h0.trials
        );
        if let Some(absent) = shards_to_run(parts, &missing, total) {
            msg.push_str(&absent);
        }
        for (name, p) in parts {
            if p.header.interrupted {
                let h = &p.header;
                msg.push_str(&format!(
                    "\n  {name} (shard {}/{}) was interrupted after {} of its {} blocks",
                    h.shard.index,
                    h.shard.count,
                    h.done[1] - h.done[0],
                    h.blocks[1] - h.blocks[0]
                ));
            }
        }
        return incompatible(msg);
    }
    Ok(())
}

/// Where every part is of one split into N shards: the shards to run or rerun,
/// those not among the complete parts whose blocks fall in the `missing` ones
/// (an empty shard holds none), at most 20 named.
fn shards_to_run(parts: &[Part<'_>], missing: &[Range<u64>], total: u64) -> Option<String> {
    let counts: std::collections::BTreeSet<u64> =
        parts.iter().map(|(_, p)| p.header.shard.count).collect();
    let &[n] = counts.iter().copied().collect::<Vec<_>>().as_slice() else {
        return None;
    };
    let have: std::collections::BTreeSet<u64> = parts
        .iter()
        .filter(|(_, p)| !p.header.interrupted)
        .map(|(_, p)| p.header.shard.index)
        .collect();
    let holds_missing = |k: u64| {
        let b = super::Shard::new(k, n).map_or(0..0, |s| s.blocks(total));
        missing.iter().any(|m| b.start < m.end && m.start < b.end)
    };
    let absent: Vec<u64> = (1..=n)
        .filter(|k| !have.contains(k) && holds_missing(*k))
        .take(21)
        .collect();
    if absent.is_empty() {
        return None;
    }
    let named: Vec<String> = absent.iter().take(20).map(|k| format!("{k}/{n}")).collect();
    let more = if absent.len() > 20 { ", …" } else { "" };
    Some(format!("; run or rerun shard {}{more}", named.join(", ")))
}

/// The model, from the scenario embedded in `p` (the shard that starts the run:
/// the report's path is the one given to it), checked against its digest, and
/// its warnings.
fn embedded_model(first: &str, p: &Partial) -> Result<(Model, Diagnostics), MergeError> {
    let src = &p.header.scenario;
    let relabel = |mut d: Diagnostics| {
        // A file that extends others is embedded as one document with its
        // bases: its places are lines of that document, not of the file.
        if src.file.is_some() {
            d.source.origin = format!("{} (as one document with its bases)", src.origin);
        }
        d
    };
    let checked = scenario::parse_checked(&src.origin, &src.text, &src.overrides).map_err(|d| {
        MergeError::Scenario {
            file: first.to_string(),
            diagnostics: Box::new(relabel(d)),
        }
    })?;
    let (model, warnings) = (checked.model, relabel(checked.warnings));
    if digest_hex(&model) != src.digest {
        return Err(MergeError::Invalid {
            file: first.to_string(),
            error: PartialError {
                offset: None,
                message: format!(
                    "the embedded scenario has digest {} but the header says {}: the file is corrupt",
                    digest_hex(&model),
                    src.digest
                ),
            },
        });
    }
    Ok((model, warnings))
}

/// The sum of the parts' tallies (in block order: the sum does not depend on it),
/// each read again, checked to be the bytes read for its header (`crcs`: their
/// [`fingerprint`]s),
/// decoded and checked against the model; with the threads and seconds spent.
fn sum_tallies<S: Source + ?Sized>(
    src: &S,
    (order, crcs): (&[usize], &[(usize, u32)]),
    model: &Model,
) -> Result<(Tally, usize, f64), MergeError> {
    let template = Tally::new(model);
    let mut tally = template.clone();
    let (mut threads, mut elapsed_s) = (0usize, 0.0f64);
    for &i in order {
        let name = src.name(i);
        let invalid = |message: String| MergeError::Invalid {
            file: name.to_string(),
            error: PartialError {
                offset: None,
                message,
            },
        };
        let bytes = src.read(i)?;
        if fingerprint(&bytes) != crcs[i] {
            return Err(invalid(
                "the file changed while it was being merged: merge again once the shards have finished".into(),
            ));
        }
        let p = parse(name, &bytes)?;
        drop(bytes);
        let t = p.tally(&template).map_err(|error| MergeError::Invalid {
            file: name.to_string(),
            error,
        })?;
        super::codec::check_pools_of(&t, model)
            .map_err(|message| invalid(format!("the tally is not valid: {message}")))?;
        tally += &t;
        threads = threads.saturating_add(p.header.engine.threads);
        if p.header.engine.elapsed_s.is_finite() && p.header.engine.elapsed_s > 0.0 {
            elapsed_s += p.header.engine.elapsed_s;
        }
    }
    Ok((tally, threads, elapsed_s))
}

/// Reads the partial file at `path` (`name`: as given), refusing one larger than
/// [`crate::limits::MAX_PARTIAL_BYTES`]. An unreadable file is an I/O error.
fn read_file(path: &std::path::Path, name: &str) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        path: name.to_string(),
        source,
    };
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(ReadError::Directory {
            path: name.to_string(),
        });
    }
    let bytes = crate::input::read_limited(path, crate::limits::MAX_PARTIAL_BYTES).map_err(io)?;
    if bytes.len() as u64 > crate::limits::MAX_PARTIAL_BYTES {
        return Err(ReadError::TooLarge {
            path: name.to_string(),
        });
    }
    Ok(bytes)
}

/// Why partial files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read (exit code 1).
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is larger than any partial (exit code 2).
    #[error(
        "{path}: larger than {} bytes, the limit for a partial file",
        crate::limits::MAX_PARTIAL_BYTES
    )]
    TooLarge {
        /// The path.
        path: String,
    },
    /// A directory was given (exit code 2).
    #[error("{path}: a directory, not a partial file: give the path of each shard's .partial file")]
    Directory {
        /// The path.
        path: String,
    },
}
