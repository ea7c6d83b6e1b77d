//! `forcesim run --shard K/N --partial PATH`: one shard of a run, written as a
//! partial file for `forcesim merge`. Prints a one-line note instead of the table.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use forcesim::engine::block_count;
use forcesim::output::{Special, write_output};
use forcesim::shard::partial::{Header, HeaderInput, Partial};
use forcesim::shard::{Shard, ShardRun, run_shard, trials_in};
use forcesim::{RunOptions, scenario};

use super::CliError;
use super::args::RunArgs;
use super::common::{DEFAULT_SEED, DEFAULT_TRIALS};
use super::interrupt::{EXIT_INTERRUPTED, stop_flag};
use super::{escape, progress};

/// Refuses, before any work, a `--partial` that is standard output (`-`), a
/// device, pipe or socket: a partial must be a whole file on disk.
fn check_target(partial: &Path) -> Result<(), CliError> {
    if partial == Path::new("-") {
        return Err(CliError::Usage(
            "--partial -: a partial must be a file, not standard output; give a file path such as part-1.fsp"
                .into(),
        ));
    }
    match std::fs::metadata(partial) {
        Ok(m) if !m.is_file() => Err(CliError::Usage(format!(
            "--partial {}: not a regular file (a directory, device, pipe or socket); a partial must be a file",
            escape(&partial.display().to_string())
        ))),
        _ => Ok(()),
    }
}

/// The one-line note of a shard written to `partial` (`len` bytes), on standard
/// output.
fn say_written(
    partial: &Path,
    out: &ShardRun,
    (shard, trials, seed): (Shard, u64, u64),
    len: usize,
) -> Result<(), CliError> {
    let done = &out.done;
    let note = format!(
        "shard {shard}: blocks {}..{} of {} ({} of {trials} trials, seed {seed}) → {} ({len} bytes); combine the shards with `forcesim merge`",
        done.start,
        done.end,
        block_count(trials),
        out.tally.trials,
        escape(&partial.display().to_string()),
    );
    super::common::print_stdout(&format!("{note}\n"))
}

/// Whether the file at `path` is a valid partial of the same run and shard as
/// `header` that counts more blocks: an interrupted rerun must not replace it.
fn holds_more(path: &Path, header: &Header) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let Ok(old) = Partial::from_bytes(&bytes) else {
        return false;
    };
    let (h, o) = (header, &old.header);
    let same = o.run_difference(h).is_none()
        && (o.shard.index, o.shard.count) == (h.shard.index, h.shard.count)
        && o.forcesim == h.forcesim;
    same && o.done().end - o.done().start > h.done().end - h.done().start
}

pub fn run(a: &RunArgs, shard: Shard, partial: &Path) -> Result<ExitCode, CliError> {
    check_target(partial)?;
    let (origin, bytes) = scenario::read(&a.scenario)?;
    let checked = scenario::check_bytes(&origin, &bytes, &a.scenario_opts.set)
        .map_err(|d| CliError::Invalid(d.to_string()))?;
    if !checked.warnings.items.is_empty() {
        say!("{}", super::escape_lines(&checked.warnings.to_string()));
    }
    let model = checked.model;
    // The scenario as one document (its bases merged in), so that the partials
    // merge without the files it extends.
    let text =
        scenario::resolved_text(&origin, &bytes).map_err(|d| CliError::Invalid(d.to_string()))?;
    let trials = a.trials.or(model.default_trials).unwrap_or(DEFAULT_TRIALS);
    let seed = a.seed.or(model.default_seed).unwrap_or(DEFAULT_SEED);
    let planned = shard.blocks(block_count(trials));
    let bar = progress::bar(trials_in(trials, &planned));
    let on_progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let out = run_shard(
        &model,
        &RunOptions {
            trials,
            seed,
            threads: a.threads.unwrap_or(0),
            stop: Some(stop_flag("blocks")),
            progress: Some(&on_progress),
        },
        shard,
    )
    .context("the simulation could not start")?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    // The file as `run` quotes it (its SHA-256, the annex), where it extends another.
    let file = String::from_utf8_lossy(&bytes);
    let header = Header::for_run(&HeaderInput {
        model: &model,
        origin: &origin,
        text: &text,
        file: Some(file.as_ref()).filter(|f| *f != text),
        seed,
        trials,
        shard,
        run: &out,
    });
    if out.interrupted() && holds_more(partial, &header) {
        say!(
            "interrupted: {} already holds more of shard {shard} of this run (an earlier run's partial), so it is kept and nothing is written",
            escape(&partial.display().to_string())
        );
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    let bytes = Partial::new(header, &out.tally).to_bytes();
    // A partial must be a whole file: a device or pipe is refused, not written into.
    write_output(partial, &bytes, Special::Refuse).map_err(anyhow::Error::new)?;
    let done = &out.done;
    if !a.output.quiet {
        say_written(partial, &out, (shard, trials, seed), bytes.len())?;
    }
    if out.interrupted() {
        say!(
            "interrupted: {} holds blocks {}..{} of the shard's {}..{}; merge will report the rest missing: run shard {shard} again",
            escape(&partial.display().to_string()),
            done.start,
            done.end,
            out.planned.start,
            out.planned.end
        );
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete partial of shard 1/1 of a 3-block run, written to a file.
    fn complete(dir: &Path) -> (std::path::PathBuf, Header) {
        let text = forcesim::synth::scenario(4, 2, 1);
        let model = scenario::parse("s.toml", &text, &[]).expect("valid");
        let shard = Shard::new(1, 1).expect("a shard");
        let opts = RunOptions {
            trials: 10_000,
            seed: 3,
            threads: 1,
            ..Default::default()
        };
        let run = run_shard(&model, &opts, shard).expect("runs");
        let header = Header::for_run(&HeaderInput {
            model: &model,
            origin: "s.toml",
            text: &text,
            file: None,
            seed: 3,
            trials: 10_000,
            shard,
            run: &run,
        });
        let path = dir.join("p.fsp");
        std::fs::write(&path, Partial::new(header.clone(), &run.tally).to_bytes()).unwrap();
        (path, header)
    }

    #[test]
    fn an_interrupted_rerun_keeps_a_partial_that_holds_more() {
        let dir = tempfile::tempdir().unwrap();
        let (path, header) = complete(dir.path());
        let mut fewer = header.clone();
        (fewer.done, fewer.interrupted) = ([0, 1], true);
        assert!(holds_more(&path, &fewer), "fewer blocks than on disk: kept");
        assert!(!holds_more(&path, &header), "as many: replaced");
        let mut other = fewer.clone();
        other.seed = 4;
        assert!(
            !holds_more(&path, &other),
            "another run's partial: replaced"
        );
        std::fs::write(&path, b"not a partial").unwrap();
        assert!(!holds_more(&path, &fewer), "no partial: replaced");
    }
}
