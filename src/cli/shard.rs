//! `forcesim run --shard K/N --partial PATH`: one shard of a run, written as a
//! partial file for `forcesim merge`. Prints a one-line note instead of the table.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use forcesim::engine::block_count;
use forcesim::output::{Special, write_output};
use forcesim::shard::partial::{Header, HeaderInput, Partial};
use forcesim::shard::{Shard, run_shard, trials_in};
use forcesim::{RunOptions, scenario};

use super::CliError;
use super::args::RunArgs;
use super::common::{DEFAULT_SEED, DEFAULT_TRIALS};
use super::interrupt::{EXIT_INTERRUPTED, stop_flag};
use super::{escape, progress};

/// Refuses, before any work, a `--partial` that is a device, pipe or socket: a
/// partial must be a whole file on disk (`-`, standard output, is allowed).
fn check_target(partial: &Path) -> Result<(), CliError> {
    match std::fs::metadata(partial) {
        Ok(m) if partial != Path::new("-") && !m.is_file() => Err(CliError::Usage(format!(
            "--partial {}: not a regular file (a directory, device, pipe or socket); a partial must be a file",
            escape(&partial.display().to_string())
        ))),
        _ => Ok(()),
    }
}

pub fn run(a: &RunArgs, shard: Shard, partial: &Path) -> Result<ExitCode, CliError> {
    check_target(partial)?;
    let (origin, bytes) = scenario::read(&a.scenario)?;
    let model = scenario::parse_bytes(&origin, &bytes, &a.scenario_opts.set)
        .map_err(|d| CliError::Invalid(d.to_string()))?;
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
    let header = Header::for_run(&HeaderInput {
        model: &model,
        origin: &origin,
        text: &text,
        seed,
        trials,
        shard,
        run: &out,
    });
    let bytes = Partial::new(header, &out.tally).to_bytes();
    // A partial must be a whole file: a device or pipe is refused, not written into.
    write_output(partial, &bytes, Special::Refuse).map_err(anyhow::Error::new)?;
    let done = &out.done;
    if !a.output.quiet {
        let note = format!(
            "shard {shard}: blocks {}..{} of {} ({} of {trials} trials, seed {seed}) → {} ({} bytes); combine the shards with `forcesim merge`",
            done.start,
            done.end,
            block_count(trials),
            out.tally.trials,
            escape(&partial.display().to_string()),
            bytes.len()
        );
        // `--partial -` sends the partial to standard output: keep the note off it.
        if partial == Path::new("-") {
            eprintln!("{note}");
        } else {
            println!("{note}");
        }
    }
    if out.interrupted() {
        eprintln!(
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
