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
    let cells = import::read_sheet(&a.pledges).map_err(|e| match e {
        ReadError::Io { .. } => CliError::Other(anyhow::anyhow!("{e}")),
        ReadError::Invalid { .. } => CliError::Usage(e.to_string()),
        ReadError::Rows(rows) => CliError::Invalid(rows.to_string()),
    })?;
    // With --into, the ids are checked against the scenario as it loads (with
    // what it extends), with the sheet's own problems. Its warnings are not
    // printed: those of the scenario written are.
    let known = match &a.into {
        Some(path) => Some(Known::of(&forcesim::scenario::load(path, &[])?)),
        None => None,
    };
    let pledges = import::pledges_in(&origin, &cells, known.as_ref())
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    // Where the result will lie: `-o`'s directory, else (standard output, or a
    // device or pipe, whose reader may put it anywhere) the `--into` file's.
    let out_file = a.output.as_deref().filter(|p| {
        !super::common::is_stdout(p) && !std::fs::metadata(p).is_ok_and(|m| !m.is_file())
    });
    let home = out_file.or(a.into.as_deref()).map(dir_of);
    let text = scenario_text(&a, &origin, &pledges, shape, home.as_deref())?;
    // What is written must load: check it the way `validate` would, and show
    // its warnings, located in the file written.
    let written = match (&a.output, &a.into) {
        (Some(p), _) => p.display().to_string(),
        (None, Some(p)) => p.display().to_string(),
        (None, None) => "the new scenario".into(),
    };
    let warnings = check(&written, &text, a.into.as_ref().and(home.as_deref()))?;
    if !warnings.is_empty() {
        say!("{}", super::escape_lines(&warnings));
    }
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

/// The scenario to write: the pledges merged into `--into`'s text (its
/// relative `extends` rebased to `home`, where it will lie), or a new one.
fn scenario_text(
    a: &ImportArgs,
    origin: &str,
    pledges: &[import::Pledge],
    shape: Shape,
    home: Option<&std::path::Path>,
) -> Result<String, CliError> {
    let Some(path) = &a.into else {
        return Ok(import::fresh(origin, pledges, shape));
    };
    let (_, bytes) = forcesim::scenario::read(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let invalid = |e: String| CliError::Invalid(format!("{}: {e}", path.display()));
    let merged = import::merge_into(&text, pledges, shape).map_err(invalid)?;
    // A relative `extends` must still name the base from where it is written.
    let home = home.unwrap_or(std::path::Path::new("."));
    import::rebase_extends(&merged, &dir_of(path), home).map_err(invalid)
}

/// The directory of the file `path` (`.` for a bare file name).
fn dir_of(path: &std::path::Path) -> std::path::PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}

/// The scenario text must be valid; when merged into a file, it is checked in
/// `dir`, where it will lie, so that what it extends resolves as it will. Its
/// warnings, located in `origin` (empty when there are none).
fn check(origin: &str, text: &str, dir: Option<&std::path::Path>) -> Result<String, CliError> {
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
            let here = |d: String| d.replace(&shown, origin);
            match forcesim::scenario::load_checked(tmp.path(), &[]) {
                Ok(c) => Ok(warnings(&c).map(here)),
                Err(e) => Err(CliError::Invalid(here(e.to_string()))),
            }
        }
        None => forcesim::scenario::parse_checked(origin, text, &[])
            .map(|c| warnings(&c))
            .map_err(|d| CliError::Invalid(d.to_string())),
    };
    result.map(Option::unwrap_or_default).map_err(|e| match e {
        CliError::Invalid(d) => CliError::Invalid(format!(
            "{d}\nthe imported scenario is not valid (nothing written): fix the pledges or the scenario"
        )),
        other => other,
    })
}

/// The warnings of a checked scenario, as `validate` prints them.
fn warnings(c: &forcesim::scenario::Checked) -> Option<String> {
    (!c.warnings.items.is_empty()).then(|| c.warnings.to_string())
}
