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

/// Reads a CSV file or a workbook (xlsx, xlsm, xls, ods: its first sheet) into rows
/// of cell texts. A file that cannot be read is [`ReadError::Io`]; a directory,
/// a file over [`MAX_PLEDGES_BYTES`], or one whose content cannot be read as its
/// kind, is [`ReadError::Invalid`].
pub fn read_cells(path: &Path) -> Result<Vec<Vec<String>>, ReadError> {
    let shown = path.display().to_string();
    let invalid = |message: String| ReadError::Invalid {
        path: shown.clone(),
        message,
    };
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(invalid(
            "a directory, not a pledges file: give the path of a .csv or .xlsx file".into(),
        ));
    }
    let bytes = read_limited(path).map_err(|e| ReadError::Io {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    if bytes.len() > MAX_PLEDGES_BYTES {
        return Err(invalid(format!(
            "the file is larger than {MAX_PLEDGES_BYTES} bytes, the limit for pledges"
        )));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => workbook_cells(bytes).map_err(invalid),
        _ => csv_cells(&bytes).map_err(invalid),
    }
}

/// The file's bytes, at most one past [`MAX_PLEDGES_BYTES`].
fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::input::read_limited(path, MAX_PLEDGES_BYTES as u64)
}

/// The rows of a CSV text (comma, or semicolon when the header has no comma).
pub fn csv_cells(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        format!("line {line} is not valid UTF-8 text: save the file as UTF-8 (in Excel: CSV UTF-8)")
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    let delimiter = if !first.contains(',') && first.contains(';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        // The reader skips blank lines before a record (its position is where it
        // began reading): each stays an empty row, so that a row's number is the
        // one a spreadsheet shows.
        let from = record.position().map_or(0, |p| p.byte() as usize);
        rows.extend(std::iter::repeat_n(
            Vec::new(),
            blank_lines(text.as_bytes(), from),
        ));
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// The blank lines at `from` in `bytes`, where the CSV reader began reading a
/// record: each line end (`\r\n`, `\n` or `\r`) before the record's first
/// byte, less the `\n` of a `\r\n` that ended the record before.
fn blank_lines(bytes: &[u8], from: usize) -> usize {
    let mut i = from.min(bytes.len());
    if i > 0 && bytes[i - 1] == b'\r' && bytes.get(i) == Some(&b'\n') {
        i += 1;
    }
    let mut blank = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\r' | b'\n' => i += 1,
            _ => break,
        }
        blank += 1;
    }
    blank
}

/// Most bytes a workbook's parts may unpack to (128 MiB: a sheet of 10,000
/// nations' pledges unpacks to a few MiB), so that a small file that unpacks to
/// gigabytes is refused before it is read.
const MAX_UNPACKED_BYTES: u64 = 128 << 20;

/// The size a zip container (an `.xlsx` or `.ods`) says its parts unpack to, as
/// its central directory gives it; `None` for a workbook that is no zip (`.xls`).
fn unpacked_size(bytes: &[u8]) -> Option<u64> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let sizes = (0..zip.len()).map(|i| zip.by_index_raw(i).map_or(0, |f| f.size()));
    Some(sizes.fold(0u64, u64::saturating_add))
}

fn workbook_cells(bytes: Vec<u8>) -> Result<Vec<Vec<String>>, String> {
    use calamine::{Data, Reader, open_workbook_auto_from_rs};
    if let Some(n) = unpacked_size(&bytes).filter(|&n| n > MAX_UNPACKED_BYTES) {
        return Err(format!(
            "the workbook unpacks to {n} bytes, more than the {MAX_UNPACKED_BYTES} a pledges workbook may hold"
        ));
    }
    let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a workbook this can read: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("the workbook has no sheet")?
        .map_err(|e| e.to_string())?;
    let cell = |d: &Data| match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // A very large number as a sheet shows it (`1e308`), not in 309 digits.
        Data::Float(x) if x.abs() >= 1e15 => format!("{x:e}"),
        Data::Float(x) => x.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // As the sheet shows it: `#DIV/0!`, `#N/A`.
        Data::Error(e) => e.to_string(),
        other => other.to_string(),
    };
    // Rows above the used range are empty: keep the spreadsheet's numbering.
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); top as usize];
    for r in range.rows() {
        let mut row = vec![String::new(); left as usize];
        row.extend(r.iter().map(cell));
        rows.push(row);
    }
    Ok(rows)
}

/// The spreadsheet name of column `i` (0 → `A`, 26 → `AA`).
fn letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Where each known column is.
struct Header {
    index: Vec<(&'static str, usize)>,
    /// Per column: the header cell names something (known or not).
    named: Vec<bool>,
}

impl Header {
    fn find(&self, name: &str) -> Option<usize> {
        self.index.iter().find(|(n, _)| *n == name).map(|(_, i)| *i)
    }

    fn column(&self, name: &str) -> String {
        self.find(name)
            .map_or_else(String::new, |i| format!("{} ({name})", letter(i)))
    }
}

fn header(cells: &[String], problems: &mut Vec<Problem>) -> Header {
    let mut index = Vec::new();
    let named = cells.iter().map(|c| !c.trim().is_empty()).collect();
    for (i, raw) in cells.iter().enumerate() {
        let h = raw.trim().to_ascii_lowercase();
        if h.is_empty() {
            continue;
        }
        let known = REQUIRED.iter().chain(OPTIONAL.iter()).find(|k| **k == h);
        let column = format!("{} ({})", letter(i), clip(raw.trim()));
        match known {
            Some(k) if index.iter().any(|(n, _)| n == k) => problems.push(Problem {
                row: 1,
                column,
                message: format!("`{k}` appears twice in the header"),
            }),
            Some(k) => index.push((*k, i)),
            None => {
                let all: Vec<&str> = REQUIRED.iter().chain(OPTIONAL.iter()).copied().collect();
                problems.push(Problem {
                    row: 1,
                    column,
                    message: format!(
                        "unknown column `{}`{}; the columns are {}",
                        clip(raw.trim()),
                        did_you_mean(&h, &all),
                        all.join(", ")
                    ),
                });
            }
        }
    }
    for r in REQUIRED {
        if !index.iter().any(|(n, _)| *n == r) {
            problems.push(Problem {
                row: 1,
                column: String::new(),
                message: format!("the header has no `{r}` column"),
            });
        }
    }
    Header { index, named }
}

/// ` (did you mean `x`?)` for the closest of `known`, or nothing.
pub fn did_you_mean(word: &str, known: &[&str]) -> String {
    let lower = word.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (strsim::levenshtein(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map_or_else(String::new, |(_, k)| format!(" (did you mean `{k}`?)"))
}

/// A number as a sheet writes it: `5000`, `5_000`, `5,000` (thousands), `2.5`.
fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let t: String = t.chars().filter(|c| *c != '_' && *c != ' ').collect();
    let t = if t.contains(',') {
        let (int, frac) = t
            .split_once('.')
            .map_or((t.as_str(), None), |(a, b)| (a, Some(b)));
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or("");
        if first.is_empty() || first.len() > 3 || groups.any(|g| g.len() != 3) {
            return None;
        }
        let digits: String = int.chars().filter(|c| *c != ',').collect();
        match frac {
            Some(f) => format!("{digits}.{f}"),
            None => digits,
        }
    } else {
        t
    };
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The pledges of a sheet, or every problem in it.
pub fn pledges(origin: &str, rows: &[Vec<String>]) -> Result<Vec<Pledge>, ImportError> {
    let s = sheet(rows);
    done(origin, s.pledges, s.problems)
}

/// The pledges of a sheet for the scenario whose ids are `known`, or every
/// problem in it: those of the sheet and, for the rows that read, each id the
/// scenario lacks.
pub fn pledges_into(
    origin: &str,
    rows: &[Vec<String>],
    known: &Known,
) -> Result<Vec<Pledge>, ImportError> {
    let mut s = sheet(rows);
    if let Some(head) = &s.head {
        let column = |name: &str| head.column(name);
        s.problems.extend(known.problems(&s.pledges, &column));
        s.problems.extend(known.problems(&s.bad, &column));
    }
    done(origin, s.pledges, s.problems)
}

/// The pledges, where there is no problem.
fn done(
    origin: &str,
    out: Vec<Pledge>,
    mut problems: Vec<Problem>,
) -> Result<Vec<Pledge>, ImportError> {
    if problems.is_empty() {
        return Ok(out);
    }
    problems.sort_by_key(|p| p.row);
    Err(ImportError {
        origin: origin.into(),
        problems,
    })
}

/// The rows of a sheet that read as pledges, the problems found, and the
/// header where it reads.
fn sheet(rows: &[Vec<String>]) -> Sheet {
    let mut problems = Vec::new();
    let Some(first) = rows
        .iter()
        .position(|r| r.iter().any(|c| !c.trim().is_empty()))
    else {
        problems.push(Problem {
            row: 1,
            column: String::new(),
            message: "the sheet is empty: the first row names the columns nation, domain, capability, low, likely, high".into(),
        });
        return Sheet::unread(problems);
    };
    let head = header(&rows[first], &mut problems);
    if !problems.is_empty() {
        for p in &mut problems {
            p.row = first + 1;
        }
        return Sheet::unread(problems);
    }
    let (mut out, mut bad, mut seen) = (Vec::new(), Vec::new(), Vec::new());
    for (i, cells) in rows.iter().enumerate().skip(first + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // Every row, with a bad cell or not, is checked against every row before.
        let (p, ok) = row(i + 1, cells, &head, &mut problems);
        check_against(&p, &seen, &head, &mut problems);
        seen.push(p.clone());
        if ok { out.push(p) } else { bad.push(p) }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(Problem {
            row: first + 2,
            column: String::new(),
            message: "no pledges below the header".into(),
        });
    }
    problems.extend(too_many_nations(&out, &head));
    Sheet {
        pledges: out,
        bad,
        problems,
        head: Some(head),
    }
}

/// What a sheet reads as: its pledges, the rows with a problem (their ids
/// still checked against a scenario), the problems, and the header.
struct Sheet {
    pledges: Vec<Pledge>,
    bad: Vec<Pledge>,
    problems: Vec<Problem>,
    head: Option<Header>,
}

impl Sheet {
    /// A sheet whose rows could not be read: only `problems`.
    fn unread(problems: Vec<Problem>) -> Sheet {
        Sheet {
            pledges: Vec::new(),
            bad: Vec::new(),
            problems,
            head: None,
        }
    }
}

/// The row that brings one nation more than a scenario holds
/// ([`crate::limits::MAX_NATIONS`]), if any.
fn too_many_nations(pledges: &[Pledge], head: &Header) -> Option<Problem> {
    let most = crate::limits::MAX_NATIONS;
    let mut seen = std::collections::HashSet::new();
    let p = pledges
        .iter()
        .find(|p| seen.insert(p.nation.as_str()) && seen.len() > most)?;
    let count = pledges
        .iter()
        .map(|p| p.nation.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    Some(Problem {
        row: p.row,
        column: head.column("nation"),
        message: format!(
            "{count} nations in all, from this row on more than the {most} a scenario holds: split the pledges into several scenarios"
        ),
    })
}

/// One row's cells, and the problems found in them.
struct RowCells<'a> {
    row: usize,
    cells: &'a [String],
    head: &'a Header,
    problems: &'a mut Vec<Problem>,
}

impl RowCells<'_> {
    /// A value in a column the header does not name (beyond its last column,
    /// or under an empty header cell) is a problem: it would be dropped, and it
    /// is most often half of a cell whose comma was not quoted.
    fn unnamed(&mut self) {
        for (i, c) in self.cells.iter().enumerate() {
            if !c.trim().is_empty() && !self.head.named.get(i).copied().unwrap_or(false) {
                self.problems.push(Problem {
                    row: self.row,
                    column: letter(i),
                    message: format!(
                        "`{}` is in a column the header does not name: put a value that holds a comma in double quotes, or name the column",
                        clip(c.trim())
                    ),
                });
            }
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        self.head
            .find(name)
            .and_then(|i| self.cells.get(i))
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
    }

    fn push(&mut self, name: &str, message: String) {
        self.problems.push(Problem {
            row: self.row,
            column: self.head.column(name),
            message,
        });
    }

    /// An id column: present and made of letters, digits, `_` and `-`.
    fn id(&mut self, name: &str) -> String {
        match self.get(name) {
            None => {
                self.push(name, format!("the {name} is missing"));
                String::new()
            }
            Some(v) if !valid_id(&v) => {
                self.push(
                    name,
                    format!(
                        "`{}` is not an id: 1 to 64 ASCII letters (A–Z, a–z), digits, `_` and `-`",
                        clip(&v)
                    ),
                );
                String::new()
            }
            Some(v) => v,
        }
    }

    /// A figure column: present, a number, not negative, and at most the
    /// largest count a scenario holds ([`crate::limits::MAX_VALUE`]).
    fn amount(&mut self, name: &str) -> Option<f64> {
        let Some(v) = self.get(name) else {
            self.push(name, format!("the {name} figure is missing"));
            return None;
        };
        match number(&v) {
            None => {
                self.push(name, format!("`{}` is not a number", clip(&v)));
                None
            }
            Some(x) if x < 0.0 => {
                self.push(
                    name,
                    format!("{} is negative: a pledge is 0 or more", clip(&v)),
                );
                None
            }
            Some(x) if x > crate::limits::MAX_VALUE as f64 => {
                self.push(
                    name,
                    format!(
                        "{} is too large to count: a pledge is at most {} (1e12)",
                        clip(&v),
                        crate::limits::MAX_VALUE
                    ),
                );
                None
            }
            Some(x) => Some(x),
        }
    }

    /// low ≤ likely ≤ high, for the figures that could be read.
    fn order(&mut self, low: Option<f64>, likely: Option<f64>, high: Option<f64>) {
        if let (Some(l), Some(m)) = (low, likely)
            && l > m
        {
            self.push(
                "low",
                format!("low {l} is above likely {m}: low ≤ likely ≤ high"),
            );
        }
        if let (Some(m), Some(h)) = (likely, high)
            && m > h
        {
            self.push(
                "high",
                format!("high {h} is below likely {m}: low ≤ likely ≤ high"),
            );
        }
        if let (Some(l), None, Some(h)) = (low, likely, high)
            && l > h
        {
            self.push(
                "high",
                format!("high {h} is below low {l}: low ≤ likely ≤ high"),
            );
        }
    }

    /// The participation column: a probability, `0.9` or `90%`; a bare number
    /// between 1 and 100 is questioned as a percentage.
    fn participation(&mut self) -> Option<f64> {
        let v = self.get("participation")?;
        match number(v.trim_end_matches('%')) {
            Some(x) if v.ends_with('%') && (0.0..=100.0).contains(&x) => Some(x / 100.0),
            Some(x) if (0.0..=1.0).contains(&x) => Some(x),
            Some(x) if (1.0..=100.0).contains(&x) => {
                self.push(
                    "participation",
                    format!(
                        "{} is not a probability: did you mean {} ({} %)?",
                        clip(&v),
                        x / 100.0,
                        clip(&v)
                    ),
                );
                None
            }
            _ => {
                self.push(
                    "participation",
                    format!(
                        "`{}` is not a probability between 0 and 1 (e.g. 0.9 or 90%)",
                        clip(&v)
                    ),
                );
                None
            }
        }
    }
}

/// One row's pledge; its problems are added to `problems`.
fn row(row: usize, cells: &[String], head: &Header, problems: &mut Vec<Problem>) -> (Pledge, bool) {
    let before = problems.len();
    let mut r = RowCells {
        row,
        cells,
        head,
        problems,
    };
    r.unnamed();
    let nation = r.id("nation");
    let domain = r.id("domain");
    let capability = r.id("capability");
    let (low, likely, high) = (r.amount("low"), r.amount("likely"), r.amount("high"));
    r.order(low, likely, high);
    let participation = r.participation();
    let (source, name) = (r.get("source"), r.get("name"));
    let bad = r.problems.len() > before;
    let pledge = Pledge {
        row,
        nation,
        domain,
        capability,
        low: low.unwrap_or(0.0),
        likely: likely.unwrap_or(0.0),
        high: high.unwrap_or(0.0),
        participation,
        source,
        name,
    };
    // A row with a problem still names its ids (empty where they are bad):
    // the pledge, and whether it read without a problem.
    (pledge, !bad)
}

/// A pledge against the rows before it: no second pledge for the same
/// capability, one participation and one name per nation.
fn check_against(p: &Pledge, earlier: &[Pledge], head: &Header, problems: &mut Vec<Problem>) {
    // A bad id is empty: it names nothing to compare.
    if p.nation.is_empty() {
        return;
    }
    let named = !p.domain.is_empty() && !p.capability.is_empty();
    if let Some(e) = earlier
        .iter()
        .filter(|_| named)
        .find(|e| e.nation == p.nation && e.domain == p.domain && e.capability == p.capability)
    {
        problems.push(Problem {
            row: p.row,
            column: head.column("capability"),
            message: format!(
                "{} already pledges {} to {} in row {}: one row per nation, domain and capability",
                clip(&p.nation),
                clip(&p.capability),
                clip(&p.domain),
                e.row
            ),
        });
    }
    for (field, value) in [
        ("participation", p.participation.map(|x| x.to_string())),
        ("name", p.name.clone()),
    ] {
        let Some(value) = value else { continue };
        let clash = earlier.iter().find(|e| {
            e.nation == p.nation
                && match field {
                    "participation" => e.participation.is_some_and(|x| x.to_string() != value),
                    _ => e.name.as_ref().is_some_and(|n| *n != value),
                }
        });
        if let Some(e) = clash {
            problems.push(Problem {
                row: p.row,
                column: head.column(field),
                message: format!(
                    "{} has another {field} in row {}: give one per nation",
                    clip(&p.nation),
                    e.row
                ),
            });
        }
    }
}

/// The TOML value of a pledge: a plain number when low = likely = high.
fn amount_value(p: &Pledge, shape: Shape) -> Value {
    let num = |x: f64| -> Value {
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            Value::from(x as i64)
        } else {
            Value::from(x)
        }
    };
    if p.low == p.likely && p.likely == p.high {
        let mut v = num(p.likely);
        if let Some(source) = &p.source {
            let one_line: String = source.chars().filter(|c| !c.is_control()).collect();
            v.decor_mut().set_suffix(format!("  # source: {one_line}"));
        }
        return v;
    }
    let mut arr = Array::new();
    for x in [p.low, p.likely, p.high] {
        arr.push(num(x));
    }
    let mut t = InlineTable::new();
    t.insert(shape.key(), Value::Array(arr));
    if let Some(source) = &p.source {
        t.insert("source", Value::from(source.as_str()));
    }
    Value::InlineTable(t)
}

/// The ids a scenario already has, for checking pledges against it.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Nation ids.
    pub nations: Vec<String>,
    /// Domain ids.
    pub domains: Vec<String>,
    /// Capability ids.
    pub capabilities: Vec<String>,
}

impl Known {
    /// The ids of a model.
    pub fn of(model: &crate::Model) -> Self {
        Known {
            nations: model.nations.iter().map(|n| n.id.clone()).collect(),
            domains: model.domains.iter().map(|d| d.id.clone()).collect(),
            capabilities: model.capabilities.iter().map(|c| c.id.clone()).collect(),
        }
    }

    /// Every pledge naming an id the scenario lacks, with the closest id, each
    /// column named by `column`.
    fn problems(&self, pledges: &[Pledge], column: &dyn Fn(&str) -> String) -> Vec<Problem> {
        let mut problems = Vec::new();
        for p in pledges {
            for (what, id, known) in [
                ("nation", &p.nation, &self.nations),
                ("domain", &p.domain, &self.domains),
                ("capability", &p.capability, &self.capabilities),
            ] {
                // An empty id is a problem of the sheet already.
                if id.is_empty() || known.iter().any(|k| k == id) {
                    continue;
                }
                let names: Vec<&str> = known.iter().map(String::as_str).collect();
                problems.push(Problem {
                    row: p.row,
                    column: column(what),
                    message: format!(
                        "the scenario has no {what} `{}`{}",
                        clip(id),
                        did_you_mean(id, &names)
                    ),
                });
            }
        }
        problems
    }
}

fn table_at<'a>(parent: &'a mut Table, key: &str) -> &'a mut Table {
    let item = parent.entry(key).or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    if !item.is_table() {
        // An inline table (`contributions = { … }`) becomes a [table] to add keys to.
        let taken = std::mem::take(item);
        *item = match taken.into_table() {
            Ok(t) => Item::Table(t),
            Err(_) => Item::Table(Table::new()),
        };
    }
    item.as_table_mut().expect("made a table above")
}

/// `text` (a scenario in directory `from`) as it reads from directory `to`: a
/// relative `[scenario] extends` is rewritten to name the same file from there.
/// Both directories must exist.
pub fn rebase_extends(text: &str, from: &Path, to: &Path) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let Some(ext) = doc
        .get_mut("scenario")
        .and_then(|s| s.get_mut("extends"))
        .and_then(|e| e.as_value_mut())
    else {
        return Ok(text.to_string());
    };
    let Some(base) = ext.as_str().map(Path::new).filter(|b| b.is_relative()) else {
        return Ok(text.to_string());
    };
    let canon = |d: &Path| {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        d.canonicalize()
            .map_err(|e| format!("cannot resolve {}: {e}", d.display()))
    };
    let (from, to) = (canon(from)?, canon(to)?);
    if from == to {
        return Ok(text.to_string());
    }
    let rebased = path_from(&to, &from).join(base);
    let rebased = rebased.to_string_lossy().replace('\\', "/");
    let decor = ext.decor().clone();
    *ext = toml_edit::Value::from(rebased);
    *ext.decor_mut() = decor;
    Ok(doc.to_string())
}

/// The relative path that leads from the absolute directory `to` to `from`.
fn path_from(to: &Path, from: &Path) -> std::path::PathBuf {
    let (a, b): (Vec<_>, Vec<_>) = (to.components().collect(), from.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = std::path::PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c);
    }
    out
}

/// `text` (a scenario) with each pledge's contribution added or replaced (with
/// the row's source), and each row's participation and name set on its nation;
/// comments and layout are kept.
pub fn merge_into(text: &str, pledges: &[Pledge], shape: Shape) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let root = doc.as_table_mut();
    let nations = table_at(root, "nations");
    for p in pledges {
        let nation = table_at(nations, &p.nation);
        if let Some(x) = p.participation {
            nation.insert("participation", toml_edit::value(x));
        }
        if let Some(name) = &p.name {
            nation.insert("name", toml_edit::value(name.as_str()));
        }
        let domain = table_at(table_at(nation, "contributions"), &p.domain);
        let mut new = amount_value(p, shape);
        if let Some(old) = domain.get(&p.capability).and_then(Item::as_value)
            && new.decor().suffix().is_none()
        {
            *new.decor_mut() = old.decor().clone();
        }
        domain.insert(&p.capability, Item::Value(new));
    }
    Ok(doc.to_string())
}

/// A new scenario holding the pledges: capabilities, domains (led by the nations
/// that pledge to them, in row order) and nations, with every requirement set to
/// the sum of the likely pledges and marked TODO.
pub fn fresh(origin: &str, pledges: &[Pledge], shape: Shape) -> String {
    let mut caps: Vec<&str> = Vec::new();
    // Per domain: its id, the nations that pledge to it, and per capability the
    // sum of the likely pledges.
    type Stub<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, f64)>);
    let mut domains: Vec<Stub> = Vec::new();
    for p in pledges {
        if !caps.contains(&p.capability.as_str()) {
            caps.push(&p.capability);
        }
        let d = match domains.iter().position(|d| d.0 == p.domain) {
            Some(i) => &mut domains[i],
            None => {
                domains.push((&p.domain, Vec::new(), Vec::new()));
                domains.last_mut().expect("just pushed")
            }
        };
        if !d.1.contains(&p.nation.as_str()) {
            d.1.push(&p.nation);
        }
        match d.2.iter_mut().find(|(c, _)| *c == p.capability) {
            Some((_, sum)) => *sum += p.likely,
            None => d.2.push((&p.capability, p.likely)),
        }
    }
    let mut s = format!(
        "# Scenario written by `forcesim import` from {origin}.\n\
         # TODO: every line marked TODO is a placeholder to replace with the real figure.\n\n\
         [scenario]\nname = \"Pledges from {}\"  # TODO: the scenario's title\n\n\
         [capabilities]\n",
        origin.replace(['"', '\\'], "")
    );
    for c in &caps {
        s.push_str(&format!(
            "{c} = {{ unit = \"units\" }}  # TODO: the unit counted\n"
        ));
    }
    for (id, leads, reqs) in &domains {
        let leads: Vec<String> = leads.iter().map(|n| format!("\"{n}\"")).collect();
        let reqs: Vec<String> = reqs
            .iter()
            .map(|(c, sum)| format!("{c} = {}", amount_text(sum.round())))
            .collect();
        s.push_str(&format!(
            "\n[domains.{id}]\nlead = [{}]  # TODO: the lead succession, first choice first\n\
             # TODO: the requirements; set here to the sum of the likely pledges\n\
             requirements = {{ {} }}\n",
            leads.join(", "),
            reqs.join(", ")
        ));
    }
    let mut doc: DocumentMut = s.parse().unwrap_or_default();
    let nations = table_at(doc.as_table_mut(), "nations");
    for p in pledges {
        let nation = table_at(nations, &p.nation);
        if !nation.contains_key("participation") {
            let mut v = Value::from(p.participation.unwrap_or(1.0));
            if p.participation.is_none() {
                v.decor_mut().set_suffix("  # TODO: P(it takes part)");
            }
            nation.insert("participation", Item::Value(v));
        }
    }
    let text = doc.to_string();
    merge_into(&text, pledges, shape).unwrap_or(text)
}

fn amount_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(text: &str) -> Vec<Vec<String>> {
        csv_cells(text.as_bytes()).unwrap()
    }

    /// Each problem's row and column, in order.
    fn places(e: &ImportError) -> Vec<(usize, &str)> {
        e.problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect()
    }

    /// A sheet of `n` nations, one row each, with the nation in column B.
    fn nations(n: usize) -> Vec<Vec<String>> {
        let mut text = String::from("domain,nation,capability,low,likely,high\n");
        for i in 0..n {
            text.push_str(&format!("land,N{i},troops,1,2,3\nair,N{i},jets,1,2,3\n"));
        }
        sheet(&text)
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        // Line 1 the header, line 3 blank, a quoted cell over lines 4–5, the bad
        // row on line 7 after a second blank line: spreadsheet rows 1, 3, 4, 6.
        let rows = sheet(
            "nation,domain,capability,low,likely,high,source\n\
             GBR,land,troops,1,2,3,a\n\
             \n\
             FRA,land,troops,1,2,3,\"two\nlines\"\n\
             \n\
             DEU,land,troops,5,2,3,c\n",
        );
        let e = pledges("p.csv", &rows).unwrap_err();
        assert_eq!(places(&e), [(6, "D (low)")], "{e}");
    }

    #[test]
    fn rows_are_numbered_alike_whatever_the_line_ends() {
        let lines = [
            "nation,domain,capability,low,likely,high",
            "GBR,land,troops,1,2,3",
            "",
            "FRA,land,troops,1,2,3",
            "DEU,land,troops,1,2,y",
        ];
        for end in ["\n", "\r\n", "\r"] {
            let text = lines.join(end) + end;
            let e = pledges("p.csv", &sheet(&text)).unwrap_err();
            assert_eq!(places(&e), [(5, "F (high)")], "{end:?}: {e}");
        }
    }

    #[test]
    fn a_row_with_a_bad_cell_is_still_checked_for_a_repeat() {
        let rows = sheet(
            "nation,domain,capability,low,likely,high\n\
             GBR,land,troops,5,2,3\n\
             GBR,land,troops,1,2,3\n\
             FRA,land,troops,1,2,x\n\
             FRA,land,troops,1,2,3\n",
        );
        let e = pledges("p.csv", &rows).unwrap_err();
        let places = places(&e);
        assert_eq!(
            places,
            [
                (2, "D (low)"),
                (3, "C (capability)"),
                (4, "F (high)"),
                (5, "C (capability)")
            ],
            "{e}"
        );
    }

    #[test]
    fn with_a_scenario_the_sheet_and_the_ids_are_checked_at_once() {
        let rows = sheet(
            "capability,nation,domain,low,likely,high\n\
             troops,GBR,land,1,2,3\n\
             troops,GBR,sea,1,2,3\n\
             troops,XXX,land,1,2,3\n\
             troops,GBR,land,4,5,6\n",
        );
        let known = Known {
            nations: vec!["GBR".into()],
            domains: vec!["land".into()],
            capabilities: vec!["troops".into()],
        };
        let e = pledges_into("p.csv", &rows, &known).unwrap_err();
        // The unknown domain and nation (named as the sheet names its columns)
        // and the repeated row, in row order.
        assert_eq!(
            places(&e),
            vec![(3, "C (domain)"), (4, "B (nation)"), (5, "A (capability)")]
        );
        // A row with a bad number still has its ids checked.
        let rows = sheet("nation,domain,capability,low,likely,high\nXXX,land,troops,1,x,3\n");
        let e = pledges_into("p.csv", &rows, &known).unwrap_err();
        assert_eq!(places(&e), vec![(2, "E (likely)"), (2, "A (nation)")]);
        // An id longer than 64 characters is the sheet's problem, at its cell.
        let long = "A".repeat(65);
        let rows = sheet(&format!(
            "nation,domain,capability,low,likely,high\n{long},land,troops,1,2,3\n"
        ));
        let e = pledges("p.csv", &rows).unwrap_err();
        assert_eq!(places(&e), vec![(2, "A (nation)")]);
        assert!(e.problems[0].message.contains("1 to 64"), "{e}");
        let ok = sheet(&format!(
            "nation,domain,capability,low,likely,high\n{},land,troops,1,2,3\n",
            "A".repeat(64)
        ));
        assert!(pledges("p.csv", &ok).is_ok());
    }

    #[test]
    fn a_value_outside_the_named_columns_is_a_problem_at_its_cell() {
        // An unquoted comma in the source shifts the name one column right.
        let rows = sheet(
            "nation,domain,capability,low,likely,high,participation,source,name\n\
             GBR,land,troops,6000,9000,12000,0.9,assumption, from a briefing,United Kingdom\n\
             POL,land,troops,1,2,3,,,\n",
        );
        let e = pledges("p.csv", &rows).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        let p = &e.problems[0];
        assert_eq!((p.row, p.column.as_str()), (2, "J"), "{e}");
        assert!(p.message.contains("`United Kingdom`"), "{e}");
        // A cell under an empty header cell, too; empty cells anywhere are fine.
        let rows = sheet(
            "nation,domain,capability,,low,likely,high\nA,land,t,x,1,2,3\nB,land,t,,1,2,3,,\n",
        );
        let e = pledges("p.csv", &rows).unwrap_err();
        let at = places(&e);
        assert_eq!(at, [(2, "D")], "{e}");
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_line() {
        let e = csv_cells(
            b"nation,domain,capability,low,likely,high,name\nFRA,land,t,1,2,3,Fran\xe7e\n",
        )
        .unwrap_err();
        assert!(e.starts_with("line 2 is not valid UTF-8"), "{e}");
    }

    #[test]
    fn more_nations_than_a_scenario_holds_is_one_problem_at_the_row() {
        let most = crate::limits::MAX_NATIONS;
        assert_eq!(pledges("p.csv", &nations(most)).unwrap().len(), 2 * most);
        let e = pledges("p.csv", &nations(most + 3)).unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        let p = &e.problems[0];
        // Nation 10,001 starts on row 2 + 2 × 10,000 (row 1 is the header).
        assert_eq!((p.row, p.column.as_str()), (2 + 2 * most, "B (nation)"));
        assert!(p.message.starts_with("10003 nations in all"), "{e}");
    }

    /// A zip container of one part `data`, whose directory says it unpacks to
    /// `declared` bytes (deflated, as a workbook's parts are).
    fn zip_of(data: &[u8], declared: u32) -> Vec<u8> {
        let name = b"xl/worksheets/sheet1.xml";
        let crc = crc32fast::hash(data);
        let le16 = |v: u16| v.to_le_bytes();
        let le32 = |v: u32| v.to_le_bytes();
        let sizes = [le32(crc), le32(data.len() as u32), le32(declared)].concat();
        let mut out = [
            &le32(0x0403_4b50)[..],
            &le16(20),
            &le16(0),
            &le16(8),
            &[0; 4],
        ]
        .concat();
        out.extend([&sizes[..], &le16(name.len() as u16), &le16(0), name, data].concat());
        let dir_at = out.len() as u32;
        let mut dir = [
            &le32(0x0201_4b50)[..],
            &le16(20),
            &le16(20),
            &le16(0),
            &le16(8),
        ]
        .concat();
        dir.extend(
            [
                &[0; 4][..],
                &sizes,
                &le16(name.len() as u16),
                &[0; 12],
                &le32(0),
                name,
            ]
            .concat(),
        );
        let dir_len = dir.len() as u32;
        out.extend(dir);
        out.extend([&le32(0x0605_4b50)[..], &[0; 4], &le16(1), &le16(1)].concat());
        out.extend([le32(dir_len), le32(dir_at)].concat());
        out.extend(le16(0));
        out
    }

    #[test]
    fn a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_read() {
        let bomb = zip_of(b"compressed", 1 << 31);
        assert_eq!(unpacked_size(&bomb), Some(1 << 31));
        let e = workbook_cells(bomb).unwrap_err();
        assert!(
            e.starts_with("the workbook unpacks to 2147483648 bytes"),
            "{e}"
        );
        let at_limit = zip_of(b"compressed", MAX_UNPACKED_BYTES as u32);
        assert_eq!(unpacked_size(&at_limit), Some(MAX_UNPACKED_BYTES));
        // Within the limit it goes on to the reader, which finds no workbook here.
        let e = workbook_cells(at_limit).unwrap_err();
        assert!(!e.contains("unpacks"), "{e}");
        // Not a zip: no size to check.
        assert_eq!(unpacked_size(b"nation,domain"), None);
    }

    #[test]
    fn column_letters() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
    }

    #[test]
    fn numbers_as_sheets_write_them() {
        assert_eq!(number("5,000"), Some(5000.0));
        assert_eq!(number("1,234,567.5"), Some(1234567.5));
        assert_eq!(number("5_000"), Some(5000.0));
        assert_eq!(number("2,5"), None);
        assert_eq!(number("ten"), None);
        assert_eq!(number("inf"), None);
    }

    #[test]
    fn every_bad_row_is_reported_with_row_and_column() {
        let rows = sheet(
            "nation,domain,capability,low,likely,high\n\
             FRA,land,troops,1000,2000,3000\n\
             GBR,land,,x,2000,1000\n\
             DEU,land,troops,-1,0,5\n",
        );
        let e = pledges("p.csv", &rows).unwrap_err();
        let got = places(&e);
        assert_eq!(
            got,
            [
                (3, "C (capability)"),
                (3, "D (low)"),
                (3, "F (high)"),
                (4, "D (low)")
            ]
        );
        assert!(
            e.to_string()
                .contains("row 3, column D (low): `x` is not a number")
        );
    }

    #[test]
    fn a_pledge_above_the_value_limit_is_a_problem_at_its_cell() {
        let rows = sheet(
            "nation,domain,capability,low,likely,high\n\
             GBR,land,troops,1,1e300,1000000000000\n",
        );
        let e = pledges("p.csv", &rows).unwrap_err();
        let got = places(&e);
        assert_eq!(got, [(2, "E (likely)")], "{e}");
        assert!(
            e.to_string()
                .contains("1e300 is too large to count: a pledge is at most 1000000000000"),
            "{e}"
        );
    }

    #[test]
    fn unknown_header_suggests_the_column() {
        let rows = sheet("nation,domain,capabilty,low,likely,high\nA,b,c,1,2,3\n");
        let e = pledges("p.csv", &rows).unwrap_err();
        assert!(e.to_string().contains("did you mean `capability`"), "{e}");
    }

    #[test]
    fn participation_as_percentage_is_questioned() {
        let rows = sheet(
            "nation,domain,capability,low,likely,high,participation\nA,b,c,1,2,3,90\nB,b,c,1,2,3,80%\n",
        );
        let e = pledges("p.csv", &rows).unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert!(e.problems[0].message.contains("did you mean 0.9"));
    }

    #[test]
    fn equal_figures_become_a_plain_number() {
        let rows = sheet(
            "nation,domain,capability,low,likely,high\nA,land,troops,5,5,5\nA,land,tanks,1,2,3\n",
        );
        let p = pledges("p.csv", &rows).unwrap();
        let out = merge_into("", &p, Shape::Pert).unwrap();
        assert!(out.contains("troops = 5\n"), "{out}");
        assert!(out.contains("tanks = { pert = [1, 2, 3] }"), "{out}");
    }

    #[test]
    fn merging_keeps_comments() {
        let text = "# top\n[nations.A.contributions.land]\ntroops = 3  # why\n";
        let rows = sheet("nation,domain,capability,low,likely,high\nA,land,troops,1,2,3\n");
        let p = pledges("p.csv", &rows).unwrap();
        let out = merge_into(text, &p, Shape::Triangular).unwrap();
        assert_eq!(
            out,
            "# top\n[nations.A.contributions.land]\ntroops = { triangular = [1, 2, 3] }  # why\n"
        );
    }

    #[test]
    fn fresh_scenario_parses() {
        let rows = sheet(
            "nation,domain,capability,low,likely,high,participation\n\
             A,land,troops,100,200,300,0.9\nB,land,troops,50,60,70,\nB,air,aircraft,4,4,4,\n",
        );
        let p = pledges("p.csv", &rows).unwrap();
        let text = fresh("p.csv", &p, Shape::Triangular);
        crate::scenario::parse("fresh.toml", &text, &[]).unwrap_or_else(|d| panic!("{d}\n{text}"));
    }
}
