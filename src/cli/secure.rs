//! `forcesim secure`.

use std::process::ExitCode;

use forcesim::whatif::secure::{self, Opts, Search, SecureError};

use super::CliError;
use super::run::load;
use super::whatif_args::SecureArgs;
use super::whatif_common::{emit, resolve};

pub fn secure(a: SecureArgs) -> Result<ExitCode, CliError> {
    let model = load(&a.scenario, &a.scenario_opts.set)?;
    let (trials, seed, threads) = resolve(&a.control, &model);
    let result = secure::secure(
        &model,
        &Opts {
            trials,
            seed,
            threads,
        },
        a.target,
        Search {
            exhaustive: a.exhaustive,
            no_relax: a.no_relax,
        },
    )
    .map_err(|e| match e {
        SecureError::TooManySets(_) => CliError::Usage(e.to_string()),
        SecureError::Engine(e) => CliError::Other(anyhow::Error::new(e)),
    })?;
    emit(
        &[(&a.json, &|| forcesim::whatif::to_json(&result))],
        &|| result.to_table(),
        a.quiet,
    )?;
    Ok(ExitCode::SUCCESS)
}
