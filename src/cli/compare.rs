//! `forcesim compare`.

use std::process::ExitCode;

use anyhow::Context;
use forcesim::RunOptions;
use forcesim::whatif::compare::{self, unique_labels};
use forcesim::whatif::sweep::split_top;

use super::CliError;
use super::run::load;
use super::whatif_args::CompareArgs;
use super::whatif_common::{emit, one_stdout, resolve};

/// Reads `[LABEL:] KEY=VALUE[; KEY=VALUE…]` into a label and overrides.
pub fn parse_variant(spec: &str) -> Result<(String, Vec<String>), String> {
    let (label, rest) = match (spec.find(':'), spec.find('=')) {
        (Some(c), Some(e)) if c < e => (spec[..c].trim().to_string(), &spec[c + 1..]),
        _ => (String::new(), spec),
    };
    let sets: Vec<String> = split_top(rest, ';')
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if sets.is_empty() || sets.iter().any(|s| !s.contains('=')) {
        return Err(format!(
            "--variant `{spec}`: write [LABEL:] KEY=VALUE[; KEY=VALUE…], e.g. 'no-backstop: conditions.us_backstop.probability=0'"
        ));
    }
    for s in &sets {
        forcesim::whatif::check_varied_key(s, "--variant")?;
    }
    let label = if label.is_empty() {
        sets.join("; ")
    } else {
        label
    };
    Ok((label, sets))
}

pub fn compare(a: CompareArgs) -> Result<ExitCode, CliError> {
    one_stdout(&[("--json", &a.json), ("--csv", &a.csv)])?;
    let variants = a
        .variant
        .iter()
        .map(|v| parse_variant(v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::Usage)?;
    if a.scenarios.len() + variants.len() < 2 {
        return Err(CliError::Usage(
            "compare needs at least two scenarios: give two files, or one file and a --variant"
                .into(),
        ));
    }
    let mut labels = Vec::new();
    let mut models = Vec::new();
    for path in &a.scenarios {
        models.push(load(path, &a.scenario_opts.set)?);
        labels.push(
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
        );
    }
    for (label, sets) in &variants {
        let mut set = a.scenario_opts.set.clone();
        set.extend(sets.iter().cloned());
        models.push(load(&a.scenarios[0], &set)?);
        labels.push(label.clone());
    }
    let labels = unique_labels(labels);
    let (trials, seed, threads) = resolve(&a.control, &models[0]);
    let scenarios: Vec<(String, forcesim::Model)> = labels.into_iter().zip(models).collect();
    let result = compare::compare(
        &scenarios,
        &RunOptions {
            trials,
            seed,
            threads,
            ..Default::default()
        },
    )
    .context("the simulation could not start")?;
    if let Some(dir) = &a.charts {
        forcesim::charts::compare::write(&result, dir, a.chart_format.into())
            .map_err(anyhow::Error::new)?;
    }
    emit(
        &[
            (&a.json, &|| forcesim::whatif::to_json(&result)),
            (&a.csv, &|| result.to_csv()),
        ],
        &|| result.to_table(),
        a.quiet,
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_have_labels_and_several_overrides() {
        let (l, s) = parse_variant("no-us: conditions.us_backstop.probability=0").unwrap();
        assert_eq!(l, "no-us");
        assert_eq!(s, ["conditions.us_backstop.probability=0"]);
        let (l, s) = parse_variant("a.b=1; c.d={ pert = [1, 2, 3] }").unwrap();
        assert_eq!(l, "a.b=1; c.d={ pert = [1, 2, 3] }");
        assert_eq!(s.len(), 2);
        assert!(parse_variant("label:").is_err());
        assert!(parse_variant("nothing").is_err());
    }
}
