//! Pledges from a spreadsheet: one row per nation, domain and capability, with a
//! low, likely and high figure, become the nations' contributions in a scenario.
//!
//! The sheet's first row names the columns (any order, any case): `nation`,
//! `domain`, `capability`, `low`, `likely`, `high`, and optionally
//! `participation`, `source` and `name` (the nation's). Rows are checked all at
//! once: every problem is reported with its row and column, as a spreadsheet
//! numbers them (row 1 is the header, column A the first).
//!
//! Built with the `import` feature (on with `cli`).

use std::fmt;
use std::path::Path;

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

/// The distribution a pledge's low, likely and high become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// `{ triangular = [low, likely, high] }`.
    #[default]
    Triangular,
    /// `{ pert = [low, likely, high] }`.
    Pert,
}

impl Shape {
    fn key(self) -> &'static str {
        match self {
            Shape::Triangular => "triangular",
            Shape::Pert => "pert",
        }
    }
}

/// One row of pledges.
#[derive(Debug, Clone, PartialEq)]
pub struct Pledge {
    /// The spreadsheet row (1 is the header).
    pub row: usize,
    /// Nation id.
    pub nation: String,
    /// Domain id.
    pub domain: String,
    /// Capability id.
    pub capability: String,
    /// Least, most likely and largest amount.
    pub low: f64,
    /// Most likely amount.
    pub likely: f64,
    /// Largest amount.
    pub high: f64,
    /// The nation's participation, if the row gives it.
    pub participation: Option<f64>,
    /// Where the figures come from.
    pub source: Option<String>,
    /// The nation's display name.
    pub name: Option<String>,
}

/// A workbook cell whose text is not what the sheet means: a problem where
/// its column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A formula whose value the file does not store (its text is empty).
    Uncomputed,
    /// A date (its text is the date): a problem in a figure's column.
    Date,
    /// A time or duration: a problem in a figure's column.
    Time,
}

/// A sheet as read: its rows of cell texts, the name of the workbook sheet
/// they come from, and the cells whose text is not what the sheet means.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cells {
    /// The rows (the first is the spreadsheet's row 1), of cell texts.
    pub rows: Vec<Vec<String>>,
    /// The workbook sheet read; `None` for a CSV file.
    pub sheet: Option<String>,
    /// (row, column), both from 0, of each marked cell.
    pub marks: std::collections::HashMap<(usize, usize), Mark>,
    /// The regions of merged cells of the sheet (xlsx, xlsm and xls; none for a
    /// CSV file, nor for the formats whose merged cells the reader does not give:
    /// xlsb and ods).
    pub merged: Vec<Merged>,
}

/// A region of merged cells: rows and columns from 0, both ends included. Only
/// its first cell holds a value; the others read as empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merged {
    /// First row and column.
    pub start: (usize, usize),
    /// Last row and column.
    pub end: (usize, usize),
}

impl Merged {
    /// Whether the cell at (row, column), from 0, lies in the region.
    pub fn holds(&self, (r, c): (usize, usize)) -> bool {
        (self.start.0..=self.end.0).contains(&r) && (self.start.1..=self.end.1).contains(&c)
    }

    /// The region as a spreadsheet names it: `A2:A4`.
    pub fn name(&self) -> String {
        format!(
            "{}{}:{}{}",
            letter(self.start.1),
            self.start.0 + 1,
            letter(self.end.1),
            self.end.0 + 1
        )
    }

    /// Why a cell of the region is empty, and what to do: ` (the cell is part
    /// of merged cells A2:A4: unmerge them and fill each row)`.
    pub fn hint(&self) -> String {
        let each = if self.end.0 > self.start.0 {
            "row"
        } else {
            "cell"
        };
        format!(
            " (the cell is part of merged cells {}: unmerge them and fill each {each})",
            self.name()
        )
    }
}

impl Cells {
    /// The file `path`, with the sheet read, as messages name them:
    /// ``pledges.xlsx, sheet `Pledges` ``.
    pub fn origin(&self, path: &str) -> String {
        match &self.sheet {
            Some(sheet) => format!("{path}, sheet `{}`", clip(sheet)),
            None => path.to_string(),
        }
    }
}

/// A problem with one cell (or row) of the sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Spreadsheet row (1 is the header).
    pub row: usize,
    /// Column letter and header, e.g. `E (likely)`; empty for a whole row.
    pub column: String,
    /// What is wrong, and the fix.
    pub message: String,
}

/// Every problem of a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The file, as named in messages.
    pub origin: String,
    /// The problems, in row order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{}: {n} problem{} in the pledges:",
            self.origin,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            if p.column.is_empty() {
                writeln!(f, "  row {}: {}", p.row, p.message)?;
            } else {
                writeln!(f, "  row {}, column {}: {}", p.row, p.column, p.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

/// A failure to read the file itself.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file cannot be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// It was read, but is no spreadsheet this can read (a malformed workbook,
    /// a file over the size limit): bad input.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// Its rows are wrong.
    #[error("{0}")]
    Rows(#[from] ImportError),
}

/// Largest pledges file read: the limit for a scenario
/// ([`crate::limits::MAX_SCENARIO_BYTES`]); a stray path (`/dev/zero`) is
/// refused while reading, never read into memory whole.
pub const MAX_PLEDGES_BYTES: usize = crate::limits::MAX_SCENARIO_BYTES;

/// Most characters of a cell quoted in a message; a longer cell is cut there.
pub const MAX_ECHOED_CHARS: usize = 80;

/// A cell's text as quoted in a message: at most [`MAX_ECHOED_CHARS`] characters.
fn clip(text: &str) -> String {
    let n = text.chars().count();
    if n <= MAX_ECHOED_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX_ECHOED_CHARS).collect();
    format!("{head}… ({n} characters)")
}

const REQUIRED: [&str; 6] = ["nation", "domain", "capability", "low", "likely", "high"];
const OPTIONAL: [&str; 3] = ["participation", "source", "name"];

// Reading a file (read, with reach for the workbooks read whole), checking its
// rows (check), and writing the pledges as TOML (write).
mod check;
mod reach;
mod read;
#[cfg(test)]
mod tests;
mod write;

pub use check::{Known, did_you_mean, pledges, pledges_in, pledges_into};
pub use read::{MAX_SHEET_COLUMNS, MAX_SHEET_ROWS, csv_cells, read_cells, read_sheet};
pub use write::{fresh, merge_into, rebase_extends};
// The parts name each other's items through this module (`use super::*`).
#[allow(unused_imports)]
use {check::*, read::*, write::*};
