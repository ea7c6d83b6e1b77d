//! `forcesim import`: pledges from a spreadsheet into a scenario.

use std::process::ExitCode;

use forcesim::import::{self, Known, ReadError, Shape};

use super::CliError;
use super::args::{Dist, ImportArgs};
use super::common::print_stdout;
use super::outputs::Outputs;

pub fn import(a: ImportArgs) -> Result<ExitCode, CliError> {
    let origin = a.pledges.display().to_string();
    let shape = match a.dist {
        Dist::Triangular => Shape::Triangular,
        Dist::Pert => Shape::Pert,
    };
    // The pledges, and what `--into` extends, are inputs; `-o` may name the
    // `--into` file itself (the merged scenario replaces it).
    let mut inputs = vec![a.pledges.clone()];
    if let Some(into) = &a.into {
        inputs.extend(forcesim::scenario::base_files(into));
    }
    Outputs::new(&[("-o", &a.output)]).check(&inputs)?;
    let cells = import::read_cells(&a.pledges).map_err(|e| match e {
        ReadError::Io { .. } => CliError::Other(anyhow::anyhow!("{e}")),
        ReadError::Invalid { .. } => CliError::Usage(e.to_string()),
        ReadError::Rows(rows) => CliError::Invalid(rows.to_string()),
    })?;
    // With --into, the ids are checked against the scenario as it loads (with
    // what it extends), with the sheet's own problems.
    let pledges = match &a.into {
        Some(path) => {
            let known = Known::of(&super::common::load(path, &[])?);
            import::pledges_into(&origin, &cells, &known)
        }
        None => import::pledges(&origin, &cells),
    }
    .map_err(|e| CliError::Invalid(e.to_string()))?;
    // Where the result will lie: `-o`'s directory, else (standard output, or a
    // device or pipe, whose reader may put it anywhere) the `--into` file's.
    let out_file = a.output.as_deref().filter(|p| {
        !super::common::is_stdout(p) && !std::fs::metadata(p).is_ok_and(|m| !m.is_file())
    });
    let home = out_file.or(a.into.as_deref()).map(dir_of);
    let (text, name) = match &a.into {
        Some(path) => {
            let (_, bytes) = forcesim::scenario::read(path)?;
            let text = String::from_utf8_lossy(&bytes);
            let invalid = |e: String| CliError::Invalid(format!("{}: {e}", path.display()));
            let merged = import::merge_into(&text, &pledges, shape).map_err(invalid)?;
            // A relative `extends` must still name the base from where it is written.
            let home = home.as_deref().unwrap_or(std::path::Path::new("."));
            let merged = import::rebase_extends(&merged, &dir_of(path), home).map_err(invalid)?;
            (merged, path.display().to_string())
        }
        None => (
            import::fresh(&origin, &pledges, shape),
            "the new scenario".into(),
        ),
    };
    // What is written must load: check it the way `validate` would.
    let check_origin = a
        .output
        .as_ref()
        .map_or_else(|| name.clone(), |p| p.display().to_string());
    check(&check_origin, &text, a.into.as_ref().and(home.as_deref()))?;
    match &a.output {
        Some(path) if path.as_os_str() != "-" => {
            forcesim::output::write_atomic(path, text.as_bytes()).map_err(anyhow::Error::new)?;
            say!(
                "wrote {} ({} pledge{})",
                path.display(),
                pledges.len(),
                if pledges.len() == 1 { "" } else { "s" }
            );
        }
        _ => print_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The directory of the file `path` (`.` for a bare file name).
fn dir_of(path: &std::path::Path) -> std::path::PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}

/// The scenario text must be valid; when merged into a file, it is checked in
/// `dir`, where it will lie, so that what it extends resolves as it will.
fn check(origin: &str, text: &str, dir: Option<&std::path::Path>) -> Result<(), CliError> {
    let result = match dir {
        Some(dir) => {
            let tmp = tempfile::Builder::new()
                .prefix(".forcesim-import-")
                .suffix(".toml")
                .tempfile_in(dir)
                .map_err(|e| CliError::Other(anyhow::anyhow!("cannot check the result: {e}")))?;
            std::fs::write(tmp.path(), text)
                .map_err(|e| CliError::Other(anyhow::anyhow!("cannot check the result: {e}")))?;
            let shown = tmp.path().display().to_string();
            forcesim::scenario::load(tmp.path(), &[])
                .map(|_| ())
                .map_err(|e| CliError::Invalid(e.to_string().replace(&shown, origin)))
        }
        None => forcesim::scenario::parse(origin, text, &[])
            .map(|_| ())
            .map_err(|d| CliError::Invalid(d.to_string())),
    };
    result.map_err(|e| match e {
        CliError::Invalid(d) => CliError::Invalid(format!(
            "{d}\nthe imported scenario is not valid (nothing written): fix the pledges or the scenario"
        )),
        other => other,
    })
}
