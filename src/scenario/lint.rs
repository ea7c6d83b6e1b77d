//! Warnings: likely modelling mistakes in a valid scenario.
use super::diag::Diagnostic;
use super::raw::ScenarioFile;
use crate::model::Model;

/// Every warning about `file` (compiled to `model`), in file order.
pub fn lint(_file: &ScenarioFile, _model: &Model) -> Vec<Diagnostic> {
    Vec::new()
}
