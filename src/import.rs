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

/// Reads a CSV file or a workbook (xlsx, xlsm, xlsb, xls, ods: its first visible
/// sheet) into rows of cell texts. A file that cannot be read is
/// [`ReadError::Io`]; a directory, a file over [`MAX_PLEDGES_BYTES`], or one
/// whose content cannot be read as its kind, is [`ReadError::Invalid`]; a
/// semicolon-separated sheet with a figure that reads two ways (`6.000`) is
/// [`ReadError::Rows`], with every other problem of its rows.
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
    if let "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" = ext.as_str() {
        return workbook_cells(bytes).map_err(invalid);
    }
    let (rows, separator) = csv_sheet(&bytes).map_err(invalid)?;
    if separator == b';' {
        refuse_ambiguous(&shown, &rows)?;
    }
    Ok(rows)
}

/// The figures of a semicolon-separated sheet that read two ways (`6.000`:
/// six, or six thousand), with every other problem of the sheet, as
/// [`ReadError::Rows`]; nothing where there is none.
fn refuse_ambiguous(origin: &str, rows: &[Vec<String>]) -> Result<(), ReadError> {
    let s = sheet(rows, true);
    if !s.ambiguous {
        return Ok(());
    }
    let mut problems = s.problems;
    problems.sort_by_key(|p| p.row);
    Err(ReadError::Rows(ImportError {
        origin: origin.into(),
        problems,
    }))
}

/// The file's bytes, at most one past [`MAX_PLEDGES_BYTES`].
fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::input::read_limited(path, MAX_PLEDGES_BYTES as u64)
}

/// The rows of a CSV text (comma, or semicolon when the header has no comma).
pub fn csv_cells(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    csv_sheet(bytes).map(|(rows, _)| rows)
}

/// The rows of a CSV text, and the separator they were split at.
fn csv_sheet(bytes: &[u8]) -> Result<(Vec<Vec<String>>, u8), String> {
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
    Ok((rows, delimiter))
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

/// Most rows a pledges sheet may use (a sheet of 10,000 nations' pledges uses
/// a few tens of thousands): a cell below them is refused with its reference.
pub const MAX_SHEET_ROWS: usize = 100_000;

/// Most columns a pledges sheet may use, A to CV (the pledges use nine): a
/// cell to their right is refused with its reference.
pub const MAX_SHEET_COLUMNS: usize = 100;

/// The rows of a workbook's first visible worksheet. Its cells are read one by
/// one (xlsx, xlsm, xlsb), or checked for their reach before the workbook is
/// opened (xls, ods, read whole when opened): memory follows the cells that
/// hold something, never the area up to the farthest one.
fn workbook_cells(bytes: Vec<u8>) -> Result<Vec<Vec<String>>, String> {
    // The workbook reader can panic on a damaged file: that is bad input, said
    // once, without the reader's own message.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let read = std::panic::catch_unwind(move || read_book(bytes));
    std::panic::set_hook(hook);
    read.unwrap_or_else(|_| {
        Err("the workbook is damaged: its reader could not follow its structure; open it in a spreadsheet and save it again".into())
    })
}

/// [`workbook_cells`], where the reader may panic.
fn read_book(bytes: Vec<u8>) -> Result<Vec<Vec<String>>, String> {
    use calamine::{Reader, Sheets, open_workbook_auto_from_rs};
    if let Some(n) = unpacked_size(&bytes).filter(|&n| n > MAX_UNPACKED_BYTES) {
        return Err(format!(
            "the workbook unpacks to {n} bytes, more than the {MAX_UNPACKED_BYTES} a pledges workbook may hold"
        ));
    }
    reach::check(&bytes)?;
    let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a workbook this can read: {e}"))?;
    let name = first_visible(book.sheets_metadata())?;
    let mut grid = Grid {
        sheet: &name,
        rows: Vec::new(),
        held: 0,
    };
    let streamed = match &mut book {
        Sheets::Xlsx(b) => Some(xlsx_cells(b, &mut grid)),
        Sheets::Xlsb(b) => Some(xlsb_cells(b, &mut grid)),
        Sheets::Xls(_) | Sheets::Ods(_) => None,
    };
    match streamed {
        Some(read) => read?,
        None => {
            let range = book
                .worksheet_range(&name)
                .map_err(|e| grid.unreadable(e))?;
            let (top, left) = range.start().unwrap_or((0, 0));
            for (r, c, d) in range.used_cells() {
                grid.put((top + r as u32, left + c as u32), d)?;
            }
        }
    }
    grid.rows()
}

/// The name of the first worksheet that is not hidden.
fn first_visible(sheets: &[calamine::Sheet]) -> Result<String, String> {
    use calamine::{SheetType, SheetVisible};
    let worksheets = sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    if let Some(s) = worksheets
        .clone()
        .find(|s| s.visible == SheetVisible::Visible)
    {
        return Ok(s.name.clone());
    }
    let hidden: Vec<String> = worksheets.map(|s| format!("`{}`", s.name)).collect();
    if hidden.is_empty() {
        return Err("the workbook has no worksheet: put the pledges on a sheet".into());
    }
    Err(format!(
        "every worksheet is hidden ({}): unhide the sheet of pledges, which forcesim reads as the first visible sheet",
        clip(&hidden.join(", "))
    ))
}

/// The rows of one sheet, built from its cells that hold something.
struct Grid<'a> {
    /// The sheet, as named in messages.
    sheet: &'a str,
    rows: Vec<Vec<String>>,
    /// Bytes of text held so far (at most [`MAX_UNPACKED_BYTES`]: a string
    /// shared by many cells is held once per cell).
    held: u64,
}

impl Grid<'_> {
    /// The cell at `(row, col)` (from 0), unless it holds nothing (or only
    /// spaces); one beyond [`MAX_SHEET_ROWS`] or [`MAX_SHEET_COLUMNS`] is refused.
    fn put(&mut self, (row, col): (u32, u32), d: &calamine::Data) -> Result<(), String> {
        let text = cell_text(d);
        if text.trim().is_empty() {
            return Ok(());
        }
        self.held += text.len() as u64;
        if self.held > MAX_UNPACKED_BYTES {
            return Err(format!(
                "sheet `{}`: its cells hold more than {MAX_UNPACKED_BYTES} bytes of text, more than a pledges sheet needs: keep only the pledges on the sheet",
                clip(self.sheet)
            ));
        }
        let (r, c) = (row as usize, col as usize);
        if r >= MAX_SHEET_ROWS || c >= MAX_SHEET_COLUMNS {
            return Err(format!(
                "sheet `{}`: cell {}{} holds `{}`, beyond the {MAX_SHEET_ROWS} rows and {MAX_SHEET_COLUMNS} columns (A to {}) a pledges sheet may use: delete the stray cell, or copy the pledges to a new sheet",
                clip(self.sheet),
                letter(c),
                r as u64 + 1,
                clip(text.trim()),
                letter(MAX_SHEET_COLUMNS - 1)
            ));
        }
        if self.rows.len() <= r {
            self.rows.resize_with(r + 1, Vec::new);
        }
        let line = &mut self.rows[r];
        if line.len() <= c {
            line.resize(c + 1, String::new());
        }
        line[c] = text;
        Ok(())
    }

    /// The message for a sheet that the workbook reader cannot read.
    fn unreadable(&self, e: impl fmt::Display) -> String {
        format!("sheet `{}` cannot be read: {e}", clip(self.sheet))
    }

    /// The rows; a sheet with no cell that holds something is refused by name.
    fn rows(self) -> Result<Vec<Vec<String>>, String> {
        if self.rows.is_empty() {
            return Err(format!(
                "sheet `{}` is empty; forcesim reads the first visible sheet, whose first row names the columns nation, domain, capability, low, likely, high: put the pledges there, or hide or move the sheet `{}`",
                clip(self.sheet),
                clip(self.sheet)
            ));
        }
        Ok(self.rows)
    }
}

/// The cells of the xlsx sheet `grid.sheet`, read one at a time.
fn xlsx_cells<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<RS>,
    grid: &mut Grid,
) -> Result<(), String> {
    let mut cells = book
        .worksheet_cells_reader(grid.sheet)
        .map_err(|e| grid.unreadable(e))?;
    loop {
        match cells.next_cell() {
            Ok(Some(cell)) => {
                let d = calamine::Data::from(cell.get_value().clone());
                grid.put(cell.get_position(), &d)?;
            }
            Ok(None) => return Ok(()),
            Err(e) => return Err(grid.unreadable(e)),
        }
    }
}

/// The cells of the xlsb sheet `grid.sheet`, read one at a time.
fn xlsb_cells<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsb<RS>,
    grid: &mut Grid,
) -> Result<(), String> {
    let mut cells = book
        .worksheet_cells_reader(grid.sheet)
        .map_err(|e| grid.unreadable(e))?;
    loop {
        match cells.next_cell() {
            Ok(Some(cell)) => {
                let d = calamine::Data::from(cell.get_value().clone());
                grid.put(cell.get_position(), &d)?;
            }
            Ok(None) => return Ok(()),
            Err(e) => return Err(grid.unreadable(e)),
        }
    }
}

/// A workbook cell as the sheet shows it.
fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
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
    }
}

/// The reach of the sheets of the workbooks that are read whole when they are
/// opened (.xls and .ods: each sheet becomes a grid as large as the span of its
/// cells), checked on the file itself before it is opened: a cell beyond
/// [`MAX_SHEET_ROWS`] or [`MAX_SHEET_COLUMNS`], on any sheet, is refused with
/// its reference.
mod reach {
    use super::{MAX_SHEET_COLUMNS, MAX_SHEET_ROWS, MAX_UNPACKED_BYTES, clip, letter};

    /// The workbook's sheets reach no farther than a pledges sheet may; a
    /// workbook of another kind (xlsx), or one whose parts cannot be found, is
    /// left to the workbook reader.
    pub(super) fn check(bytes: &[u8]) -> Result<(), String> {
        match cfb::workbook_stream(bytes) {
            cfb::Found::Workbook(stream) => return biff::check(&stream),
            cfb::Found::Damaged => {
                return Err(
                    "the .xls workbook is damaged (a chain of its sectors loops or leaves the file): open it in a spreadsheet and save it again"
                        .into(),
                );
            }
            cfb::Found::Other => {}
        }
        if let Some(content) = ods_content(bytes) {
            return ods::check(&content);
        }
        shared_strings(bytes)
    }

    /// An xlsx's table of shared strings declares no more strings than its
    /// part can hold (the reader reserves room for as many as it declares).
    fn shared_strings(bytes: &[u8]) -> Result<(), String> {
        use std::io::Read;
        let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
            return Ok(());
        };
        let Ok(part) = zip.by_name("xl/sharedStrings.xml") else {
            return Ok(());
        };
        let size = part.size();
        let mut head = Vec::new();
        let _ = part.take(4096).read_to_end(&mut head);
        let head = String::from_utf8_lossy(&head);
        // The root element's `count` and `uniqueCount`: each string takes at
        // least `<si/>`, five bytes.
        let root = head.split("<sst").nth(1).and_then(|r| r.split('>').next());
        for attr in ["uniqueCount=\"", " count=\""] {
            let declared = root
                .and_then(|r| r.split(attr).nth(1))
                .and_then(|v| v.split('"').next())
                .and_then(|v| v.trim().parse::<u64>().ok());
            if declared.is_some_and(|n| n > size / 5 + 1) {
                return Err(format!(
                    "the workbook's table of shared strings declares {} strings, more than its {size} bytes can hold: the workbook is damaged; open it in a spreadsheet and save it again",
                    declared.unwrap_or(0)
                ));
            }
        }
        Ok(())
    }

    /// The refusal of a cell at `(row, col)` (from 0) of `sheet`, or `None`
    /// where it is within reach.
    fn beyond(sheet: &str, row: u64, col: u64) -> Option<String> {
        if row < MAX_SHEET_ROWS as u64 && col < MAX_SHEET_COLUMNS as u64 {
            return None;
        }
        Some(format!(
            "sheet `{}` reaches cell {}{}, beyond the {MAX_SHEET_ROWS} rows and {MAX_SHEET_COLUMNS} columns (A to {}) a pledges workbook may use (forcesim reads every sheet of an .xls or .ods workbook): delete the stray cell, or copy the pledges to a new workbook",
            clip(sheet),
            letter(usize::try_from(col).unwrap_or(usize::MAX)),
            row.saturating_add(1),
            letter(MAX_SHEET_COLUMNS - 1)
        ))
    }

    /// The text of `content.xml`, where the workbook is a zip container that
    /// holds one (an .ods).
    fn ods_content(bytes: &[u8]) -> Option<Vec<u8>> {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
        let part = zip.by_name("content.xml").ok()?;
        let mut out = Vec::new();
        part.take(MAX_UNPACKED_BYTES + 1)
            .read_to_end(&mut out)
            .ok()?;
        Some(out)
    }

    fn u16_at(b: &[u8], at: usize) -> Option<u16> {
        Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
    }

    fn u32_at(b: &[u8], at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
    }

    /// The compound file of an .xls: just enough of it to find the stream
    /// that holds the workbook.
    mod cfb {
        use super::{u16_at, u32_at};

        const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        /// Sector ids from here on mark the end of a chain, a free sector …
        const LAST_SECTOR: u32 = 0xFFFF_FFFA;
        /// A stream shorter than this lies in the mini stream, in 64-byte sectors.
        const MINI_CUTOFF: usize = 4096;

        /// The file's sectors and their allocation table.
        struct File<'a> {
            bytes: &'a [u8],
            size: usize,
            fat: Vec<u32>,
        }

        impl<'a> File<'a> {
            /// Sector `id`, cut short where the file ends within it.
            fn sector(&self, id: u32) -> Option<&'a [u8]> {
                let at = (id as usize).checked_add(1)?.checked_mul(self.size)?;
                let end = at.checked_add(self.size)?.min(self.bytes.len());
                self.bytes.get(at..end)
            }

            fn count(&self) -> usize {
                self.bytes.len() / self.size
            }

            /// The bytes of the chain of sectors from `start`, at most `len`;
            /// `None` where it leaves the file or goes round in a loop.
            fn chain(&self, start: u32, len: usize) -> Option<Vec<u8>> {
                let (mut out, mut id, mut steps) = (Vec::new(), start, 0);
                while id < LAST_SECTOR && len > 0 {
                    steps += 1;
                    if steps > self.count() + 1 {
                        return None;
                    }
                    out.extend_from_slice(self.sector(id)?);
                    if out.len() >= len {
                        break;
                    }
                    id = *self.fat.get(id as usize)?;
                }
                out.truncate(len);
                Some(out)
            }
        }

        fn words(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
            b.chunks_exact(4)
                .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
        }

        /// The allocation table: the sectors the header and the DIFAT chain
        /// list, at most as many as the file has.
        fn fat(file: &File) -> Option<Vec<u32>> {
            let mut ids: Vec<u32> = words(file.bytes.get(76..512)?).collect();
            let (mut next, mut steps) = (u32_at(file.bytes, 68)?, 0);
            while next < LAST_SECTOR {
                steps += 1;
                if steps > file.count() {
                    return None;
                }
                let listed: Vec<u32> = words(file.sector(next)?).collect();
                let (last, rest) = listed.split_last()?;
                ids.extend_from_slice(rest);
                next = *last;
            }
            ids.retain(|&id| id < LAST_SECTOR);
            if ids.len() > file.count() {
                return None;
            }
            let mut fat = Vec::new();
            for id in ids {
                fat.extend(words(file.sector(id)?));
            }
            Some(fat)
        }

        /// A directory entry's name: its 32 UTF-16 units up to the first NUL.
        fn name(entry: &[u8]) -> String {
            let utf16: Vec<u16> = entry[..64]
                .chunks_exact(2)
                .map(|u| u16::from_le_bytes([u[0], u[1]]))
                .take_while(|&u| u != 0)
                .collect();
            String::from_utf16_lossy(&utf16)
        }

        /// A directory entry's first sector and length (64 bits with 4096-byte
        /// sectors, 32 with 512).
        fn extent(entry: &[u8], size: usize) -> Option<(u32, usize)> {
            let len = match size {
                512 => u64::from(u32_at(entry, 120)?),
                _ => u64::from_le_bytes(entry.get(120..128)?.try_into().ok()?),
            };
            Some((
                u32_at(entry, 116)?,
                usize::try_from(len).unwrap_or(usize::MAX),
            ))
        }

        /// What a file holds as an .xls workbook.
        pub(super) enum Found {
            /// The `Workbook` (or, before Excel 97, `Book`) stream.
            Workbook(Vec<u8>),
            /// A compound file whose sectors cannot be followed.
            Damaged,
            /// Another kind of file, or a compound file with no workbook.
            Other,
        }

        /// The workbook stream of a compound file.
        pub(super) fn workbook_stream(bytes: &[u8]) -> Found {
            if !bytes.starts_with(&SIGNATURE) {
                return Found::Other;
            }
            match stream(bytes) {
                Some(Some(s)) => Found::Workbook(s),
                Some(None) => Found::Other,
                None => Found::Damaged,
            }
        }

        /// The workbook stream of a compound file (`Some(None)` where it has
        /// none); `None` where the file's sectors cannot be followed.
        fn stream(bytes: &[u8]) -> Option<Option<Vec<u8>>> {
            let size = match u16_at(bytes, 30)? {
                9 => 512,
                12 => 4096,
                _ => return None,
            };
            let mut file = File {
                bytes,
                size,
                fat: Vec::new(),
            };
            file.fat = fat(&file)?;
            let dir = file.chain(u32_at(bytes, 48)?, usize::MAX)?;
            let entries: Vec<&[u8]> = dir.chunks_exact(128).collect();
            // The reader follows the root entry's chain (the mini stream) and
            // the mini allocation table's to their ends, whatever their
            // lengths say: both must end within the file.
            file.chain(extent(entries.first()?, size)?.0, usize::MAX)?;
            file.chain(u32_at(bytes, 60)?, usize::MAX)?;
            let Some(entry) = ["Workbook", "Book"].iter().find_map(|wanted| {
                entries
                    .iter()
                    .find(|e| name(e).eq_ignore_ascii_case(wanted))
            }) else {
                return Some(None);
            };
            let (start, len) = extent(entry, size)?;
            if len >= MINI_CUTOFF {
                return file.chain(start, len).map(Some);
            }
            mini_stream(&file, entries.first()?, start, len).map(Some)
        }

        /// A short stream, from the mini stream (held by the root entry) and
        /// its allocation table.
        fn mini_stream(file: &File, root: &[u8], start: u32, want: usize) -> Option<Vec<u8>> {
            let (first, len) = extent(root, file.size)?;
            let minis = file.chain(first, len)?;
            let table_len = (u32_at(file.bytes, 64)? as usize).saturating_mul(file.size);
            let table: Vec<u32> = words(&file.chain(u32_at(file.bytes, 60)?, table_len)?).collect();
            let (mut out, mut id, mut steps) = (Vec::new(), start, 0);
            while id < LAST_SECTOR && want > 0 {
                steps += 1;
                if steps > minis.len() / 64 + 1 {
                    return None;
                }
                let at = (id as usize).checked_mul(64)?;
                let end = at.checked_add(64)?.min(minis.len());
                out.extend_from_slice(minis.get(at..end)?);
                if out.len() >= want {
                    break;
                }
                id = *table.get(id as usize)?;
            }
            out.truncate(want);
            Some(out)
        }
    }

    /// The records of an .xls workbook stream, as the workbook reader walks
    /// them: the sheets that the workbook's globals list, each from its own
    /// offset to its end.
    mod biff {
        use super::{beyond, clip, u16_at, u32_at};

        /// The records from `at`: each its type and data.
        fn records(stream: &[u8], mut at: usize) -> impl Iterator<Item = (u16, &[u8])> {
            std::iter::from_fn(move || {
                let typ = u16_at(stream, at)?;
                let len = usize::from(u16_at(stream, at + 2)?);
                let data = stream.get(at + 4..at + 4 + len)?;
                at += 4 + len;
                Some((typ, data))
            })
        }

        /// Every sheet that reaches no farther than a pledges sheet may.
        pub(super) fn check(stream: &[u8]) -> Result<(), String> {
            // An encrypted workbook is refused by the reader, unread.
            let Some(sheets) = sheets(stream) else {
                return Ok(());
            };
            for (at, name) in sheets {
                if at > stream.len() {
                    return Err(format!(
                        "sheet `{}` lies past the end of the workbook: the file is damaged; open it and save it again",
                        clip(&name)
                    ));
                }
                check_sheet(stream, at, &name)?;
            }
            Ok(())
        }

        /// Each sheet's offset and name, as the globals (up to their end)
        /// list them; `None` for an encrypted workbook.
        fn sheets(stream: &[u8]) -> Option<Vec<(usize, String)>> {
            let (mut out, mut biff8) = (Vec::new(), true);
            for (typ, data) in records(stream, 0) {
                match typ {
                    0x0809 => biff8 = is_biff8(data),
                    0x002F if u16_at(data, 0) != Some(0) => return None,
                    0x0085 => {
                        let at = u32_at(data, 0).map_or(usize::MAX, |a| a as usize);
                        out.push((at, sheet_name(data, biff8)));
                    }
                    0x000A => break,
                    _ => {}
                }
            }
            Some(out)
        }

        /// A BOF record's version is Excel 97's or later (as the reader takes
        /// it: anything but an earlier version).
        fn is_biff8(bof: &[u8]) -> bool {
            !matches!(
                (u16_at(bof, 0), u16_at(bof, 2)),
                (Some(0x0200 | 0x0002 | 0x0007 | 0x0300 | 0x0400 | 0x0500), _)
                    | (Some(0), Some(0x1000))
            )
        }

        /// A sheet's name as its BoundSheet record holds it.
        fn sheet_name(data: &[u8], biff8: bool) -> String {
            let n = usize::from(data.get(6).copied().unwrap_or(0));
            let wide = biff8 && data.get(7).is_some_and(|f| f & 1 == 1);
            let text = data.get(if biff8 { 8 } else { 7 }..).unwrap_or(&[]);
            if wide {
                let units: Vec<u16> = text
                    .chunks_exact(2)
                    .take(n)
                    .map(|u| u16::from_le_bytes([u[0], u[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            } else {
                text.iter().take(n).map(|&b| char::from(b)).collect()
            }
        }

        /// One sheet's cells (not those of a chart embedded in it) and its
        /// declared used range.
        fn check_sheet(stream: &[u8], at: usize, name: &str) -> Result<(), String> {
            let (mut began, mut depth) = (false, 0usize);
            for (typ, data) in records(stream, at) {
                if depth > 0 {
                    match typ {
                        0x0809 => depth += 1,
                        0x000A => depth -= 1,
                        _ => {}
                    }
                    continue;
                }
                match typ {
                    0x0809 if began => depth += 1,
                    0x0809 => began = true,
                    0x000A => break,
                    0x0200 => check_dimensions(data, name)?,
                    _ => {
                        if let Some(far) = cell_reach(typ, data)
                            .and_then(|(row, col)| beyond(name, row.into(), col.into()))
                        {
                            return Err(far);
                        }
                    }
                }
            }
            Ok(())
        }

        /// The farthest cell a cell record holds a value at: its row, and its
        /// column (the last one of a record of several).
        fn cell_reach(typ: u16, data: &[u8]) -> Option<(u16, u16)> {
            let (row, col) = (u16_at(data, 0)?, u16_at(data, 2)?);
            match typ {
                // Number, Label, RString, BoolErr, RK, LabelSst, Formula.
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => Some((row, col)),
                // MulRk: six bytes per cell between the first column and the last.
                0x00BD => {
                    let cells = u16::try_from(data.len().saturating_sub(6) / 6).ok()?;
                    Some((row, col.saturating_add(cells.saturating_sub(1))))
                }
                _ => None,
            }
        }

        /// The used range a sheet declares (its Dimensions record), which the
        /// reader sets memory aside for: within the grid of an .xls sheet
        /// (65,536 rows, 256 columns) and not upside down.
        fn check_dimensions(data: &[u8], name: &str) -> Result<(), String> {
            let (first_row, end_row, first_col, end_col) = match data.len() {
                10 => (
                    u32::from(u16_at(data, 0).unwrap_or(0)),
                    u32::from(u16_at(data, 2).unwrap_or(0)),
                    u16_at(data, 4).unwrap_or(0),
                    u16_at(data, 6).unwrap_or(0),
                ),
                14 | 16 => (
                    u32_at(data, 0).unwrap_or(0),
                    u32_at(data, 4).unwrap_or(0),
                    u16_at(data, 8).unwrap_or(0),
                    u16_at(data, 10).unwrap_or(0),
                ),
                _ => return Ok(()),
            };
            let first_col = if first_col > 0xFF || end_col < first_col {
                0
            } else {
                first_col
            };
            let fits = end_row == 0
                || end_col == 0
                || (end_row <= 65_536 && end_row >= first_row && end_col <= 256);
            if fits {
                return Ok(());
            }
            Err(format!(
                "sheet `{}` declares a used range of rows {} to {end_row} and columns {} to {end_col}, outside the grid of an .xls sheet (65536 rows, 256 columns): the file is damaged; open it and save it again",
                clip(name),
                u64::from(first_row) + 1,
                first_col + 1
            ))
        }
    }

    /// The tables of an .ods `content.xml`, walked tag by tag.
    mod ods {
        use super::beyond;

        /// One tag: its name, its attributes' text, whether it closes an
        /// element (`</x>`) or is one (`<x/>`), and where it ends.
        struct Tag<'a> {
            name: &'a [u8],
            attributes: &'a [u8],
            closing: bool,
            empty: bool,
            end: usize,
        }

        /// The tag at `open` (a `<`), or where the text after a comment, a
        /// processing instruction or a CDATA section goes on (`name` empty).
        fn tag_at(xml: &[u8], open: usize) -> Option<Tag<'_>> {
            let rest = xml.get(open..)?;
            for (start, stop) in [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>")] {
                if rest.starts_with(start.as_bytes()) {
                    let end = find(rest, stop.as_bytes())? + stop.len();
                    return Some(Tag {
                        name: &[],
                        attributes: &[],
                        closing: false,
                        empty: true,
                        end: open + end,
                    });
                }
            }
            let mut quote = None;
            let close = rest.iter().enumerate().skip(1).find_map(|(i, &b)| {
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => return Some(i),
                    None => {}
                }
                None
            })?;
            let inner = &rest[1..close];
            let closing = inner.starts_with(b"/");
            let empty = inner.ends_with(b"/");
            let inner = &inner[usize::from(closing)..inner.len() - usize::from(empty && !closing)];
            let split = inner
                .iter()
                .position(u8::is_ascii_whitespace)
                .unwrap_or(inner.len());
            Some(Tag {
                name: &inner[..split],
                attributes: &inner[split..],
                closing,
                empty,
                end: open + close + 1,
            })
        }

        fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
            hay.windows(needle.len()).position(|w| w == needle)
        }

        /// The value of attribute `wanted`, as written (entities unresolved).
        fn attribute<'a>(attributes: &'a [u8], wanted: &str) -> Option<&'a [u8]> {
            let mut rest = attributes;
            loop {
                rest = rest.trim_ascii_start();
                let eq = rest.iter().position(|&b| b == b'=')?;
                let key = rest[..eq].trim_ascii();
                let value = rest[eq + 1..].trim_ascii_start();
                let quote = *value.first()?;
                let len = value[1..].iter().position(|&b| b == quote)?;
                if key == wanted.as_bytes() {
                    return Some(&value[1..1 + len]);
                }
                rest = &value[len + 2..];
            }
        }

        /// A count (a repeat, a run of spaces), its entities resolved as the
        /// workbook reader resolves them: 1 where there is none or it is no
        /// number.
        fn repeats(tag: &Tag, wanted: &str) -> u64 {
            attribute(tag.attributes, wanted)
                .map(unescape)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(1)
        }

        /// A table's name, its entities resolved.
        fn table_name(tag: &Tag) -> String {
            unescape(attribute(tag.attributes, "table:name").unwrap_or_default())
        }

        /// An attribute's text with its character references (`&#51;`,
        /// `&#x33;`) and the five named entities resolved.
        fn unescape(raw: &[u8]) -> String {
            let text = String::from_utf8_lossy(raw);
            let mut out = String::with_capacity(text.len());
            let mut rest = text.as_ref();
            while let Some(amp) = rest.find('&') {
                out.push_str(&rest[..amp]);
                let after = &rest[amp + 1..];
                let Some(semi) = after.find(';').filter(|&i| i <= 10) else {
                    out.push('&');
                    rest = after;
                    continue;
                };
                let name = &after[..semi];
                let c = match name {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "amp" => Some('&'),
                    _ => name
                        .strip_prefix("#x")
                        .map(|h| u32::from_str_radix(h, 16))
                        .or_else(|| name.strip_prefix('#').map(str::parse))
                        .and_then(Result::ok)
                        .and_then(char::from_u32),
                };
                match c {
                    Some(c) => out.push(c),
                    None => out.push_str(&rest[amp..amp + semi + 2]),
                }
                rest = &after[semi + 1..];
            }
            out.push_str(rest);
            out
        }

        /// Where the walk is: the table, the row (with its repeats) and the
        /// column; the cell open (its last repeat's place, whether its
        /// attributes hold a value, where its content starts, whether an
        /// element is in it); the tables around a table inside a cell.
        #[derive(Default)]
        struct At {
            table: String,
            row: u64,
            rows: u64,
            col: u64,
            cell: Option<Cell>,
            outer: Vec<At>,
            /// Bytes the reader makes of the cells' content, each repeat counted.
            expanded: u64,
        }

        struct Cell {
            last: (u64, u64),
            repeats: u64,
            valued: bool,
            start: usize,
            content: bool,
        }

        /// Every table's cells that hold something (a value, a formula, or
        /// any content) lie within reach; a cell repeated down or across
        /// reaches its last repeat. What the reader makes of the content, each
        /// repeat and each run of spaces counted, stays within the limit.
        pub(super) fn check(xml: &[u8]) -> Result<(), String> {
            let (mut at, mut from) = (At::default(), 0);
            while let Some(open) = xml[from..].iter().position(|&b| b == b'<') {
                let Some(tag) = tag_at(xml, from + open) else {
                    break;
                };
                step(&mut at, &tag, from + open)?;
                from = tag.end;
            }
            Ok(())
        }

        /// One tag of the walk (`open`: where it starts).
        fn step(at: &mut At, tag: &Tag, open: usize) -> Result<(), String> {
            if let Some(cell) = at
                .cell
                .as_mut()
                .filter(|_| !tag.closing && !tag.name.is_empty())
            {
                cell.content = true;
            }
            match (tag.name, tag.closing) {
                (b"table:table", false) => {
                    let mut outer = std::mem::take(at);
                    let stack = std::mem::take(&mut outer.outer);
                    *at = At {
                        table: table_name(tag),
                        expanded: outer.expanded,
                        outer: stack,
                        ..At::default()
                    };
                    at.outer.push(outer);
                }
                (b"table:table", true) => {
                    if let Some(mut outer) = at.outer.pop() {
                        outer.expanded = at.expanded;
                        outer.outer = std::mem::take(&mut at.outer);
                        *at = outer;
                    }
                }
                (b"table:table-row", false) => {
                    at.rows = repeats(tag, "table:number-rows-repeated");
                    at.col = 0;
                    if tag.empty {
                        at.row = at.row.saturating_add(at.rows);
                    }
                }
                (b"table:table-row", true) => at.row = at.row.saturating_add(at.rows),
                (b"table:table-cell" | b"table:covered-table-cell", false) => open_cell(at, tag)?,
                (b"table:table-cell" | b"table:covered-table-cell", true) => close_cell(at, open)?,
                (b"text:s", false) => {
                    let spaces = repeats(tag, "text:c");
                    expand(at, spaces.saturating_mul(at.rows.max(1)))?;
                }
                _ => {}
            }
            Ok(())
        }

        /// A cell opens: an empty one (`<…/>`) is settled at once.
        fn open_cell(at: &mut At, tag: &Tag) -> Result<(), String> {
            let cols = repeats(tag, "table:number-columns-repeated");
            // A value (`office:value`, `office:value-type` …) or a formula.
            let valued = ["office:", "table:formula", "calcext:"]
                .iter()
                .any(|a| find(tag.attributes, a.as_bytes()).is_some());
            let last = (
                at.row.saturating_add(at.rows.saturating_sub(1)),
                at.col.saturating_add(cols.saturating_sub(1)),
            );
            at.col = at.col.saturating_add(cols);
            if cols == 0 || at.rows == 0 {
                return Ok(());
            }
            let cell = Cell {
                last,
                repeats: cols.saturating_mul(at.rows),
                valued,
                start: tag.end,
                content: false,
            };
            if tag.empty {
                return settle(at, &cell, 0);
            }
            at.cell = Some(cell);
            Ok(())
        }

        /// A cell closes at `close`: held if valued or with an element in it.
        fn close_cell(at: &mut At, close: usize) -> Result<(), String> {
            match at.cell.take() {
                Some(cell) => {
                    let len = close.saturating_sub(cell.start) as u64;
                    settle(at, &cell, len)
                }
                None => Ok(()),
            }
        }

        /// A cell that holds something lies within reach, and its content of
        /// `len` bytes, once per repeat, within the limit.
        fn settle(at: &mut At, cell: &Cell, len: u64) -> Result<(), String> {
            if !(cell.valued || cell.content) {
                return Ok(());
            }
            if let Some(far) = beyond(&at.table, cell.last.0, cell.last.1) {
                return Err(far);
            }
            expand(at, len.saturating_mul(cell.repeats))
        }

        /// Adds `bytes` to what the reader makes, refused past the limit.
        fn expand(at: &mut At, bytes: u64) -> Result<(), String> {
            at.expanded = at.expanded.saturating_add(bytes);
            if at.expanded > super::MAX_UNPACKED_BYTES {
                return Err(format!(
                    "the workbook's cells, each repeat counted, hold more than {} bytes: more than a pledges workbook needs; keep only the pledges in it",
                    super::MAX_UNPACKED_BYTES
                ));
            }
            Ok(())
        }
    }
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

/// A figure that reads two ways in a semicolon-separated sheet, where Excel
/// (in German, Dutch, Italian … settings) marks decimals with `,` and groups
/// thousands with `.`: any number with a `,` (`5,000`, `0,9`), and one whose
/// every `.` leads exactly three digits after a first group of one to three
/// digits not led by 0 (`6.000`, `12.500`, `1.234.567`). `6000`, `6.5` and
/// `0.250` read one way.
fn ambiguous(text: &str) -> bool {
    let t: String = text
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| *c != '_' && *c != ' ')
        .collect();
    let t = t.strip_prefix(['-', '+']).unwrap_or(&t);
    let numeric = t
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    if !numeric || !t.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    if t.contains(',') {
        return true;
    }
    let mut groups = t.split('.');
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        && !first.starts_with('0')
        && rest.iter().all(|g| g.len() == 3)
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
    let s = sheet(rows, false);
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
    let mut s = sheet(rows, false);
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
/// header where it reads; `semicolon` for a semicolon-separated sheet, whose
/// figures may read two ways ([`ambiguous`]).
fn sheet(rows: &[Vec<String>], semicolon: bool) -> Sheet {
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
    let (mut out, mut bad, mut seen) = (Vec::new(), Vec::new(), Seen::default());
    let mut ambiguous = false;
    for (i, cells) in rows.iter().enumerate().skip(first + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // Every row, with a bad cell or not, is checked against every row before.
        let r = row(i + 1, cells, &head, semicolon, &mut problems);
        ambiguous |= r.ambiguous;
        check_against(&r.pledge, &seen, &head, &mut problems);
        seen.add(&r.pledge);
        if r.ok {
            out.push(r.pledge)
        } else {
            bad.push(r.pledge)
        }
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
        ambiguous,
    }
}

/// What a sheet reads as: its pledges, the rows with a problem (their ids
/// still checked against a scenario), the problems, and the header.
struct Sheet {
    pledges: Vec<Pledge>,
    bad: Vec<Pledge>,
    problems: Vec<Problem>,
    head: Option<Header>,
    /// A figure reads two ways ([`ambiguous`]).
    ambiguous: bool,
}

impl Sheet {
    /// A sheet whose rows could not be read: only `problems`.
    fn unread(problems: Vec<Problem>) -> Sheet {
        Sheet {
            pledges: Vec::new(),
            bad: Vec::new(),
            problems,
            head: None,
            ambiguous: false,
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
    /// The sheet is semicolon-separated: a figure may read two ways.
    semicolon: bool,
    /// A figure read two ways.
    ambiguous: bool,
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

    /// `v`, the figure of column `name`, reads two ways in a
    /// semicolon-separated sheet: a problem at its cell.
    fn two_ways(&mut self, name: &str, v: &str) -> bool {
        if !self.semicolon || !ambiguous(v) {
            return false;
        }
        self.push(
            name,
            format!(
                "`{}` is ambiguous in a semicolon-separated sheet, where `.` may group thousands and `,` mark decimals: write it without grouping, with `.` for decimals (e.g. 6000 or 6.5), or save the sheet as comma-separated CSV",
                clip(v)
            ),
        );
        self.ambiguous = true;
        true
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
        if self.two_ways(name, &v) {
            return None;
        }
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
        if self.two_ways("participation", &v) {
            return None;
        }
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

/// One row as read: its pledge (with empty ids where they are bad), whether it
/// read without a problem, and whether a figure read two ways.
struct RowRead {
    pledge: Pledge,
    ok: bool,
    ambiguous: bool,
}

/// One row's pledge; its problems are added to `problems`.
fn row(
    row: usize,
    cells: &[String],
    head: &Header,
    semicolon: bool,
    problems: &mut Vec<Problem>,
) -> RowRead {
    let before = problems.len();
    let mut r = RowCells {
        row,
        cells,
        head,
        problems,
        semicolon,
        ambiguous: false,
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
    let ambiguous = r.ambiguous;
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
    RowRead {
        pledge,
        ok: !bad,
        ambiguous,
    }
}

/// A pledge against the rows before it: no second pledge for the same
/// capability, one participation and one name per nation.
fn check_against(p: &Pledge, earlier: &Seen, head: &Header, problems: &mut Vec<Problem>) {
    // A bad id is empty: it names nothing to compare.
    if p.nation.is_empty() {
        return;
    }
    let named = !p.domain.is_empty() && !p.capability.is_empty();
    let key = (p.nation.clone(), p.domain.clone(), p.capability.clone());
    if let Some(row) = earlier.cells.get(&key).filter(|_| named) {
        problems.push(Problem {
            row: p.row,
            column: head.column("capability"),
            message: format!(
                "{} already pledges {} to {} in row {row}: one row per nation, domain and capability",
                clip(&p.nation),
                clip(&p.capability),
                clip(&p.domain),
            ),
        });
    }
    for (field, value) in [
        ("participation", p.participation.map(|x| x.to_string())),
        ("name", p.name.clone()),
    ] {
        let Some(value) = value else { continue };
        let clash = earlier
            .fields
            .get(&(p.nation.clone(), field))
            .and_then(|f| f.other_than(&value));
        if let Some(row) = clash {
            problems.push(Problem {
                row: p.row,
                column: head.column(field),
                message: format!(
                    "{} has another {field} in row {row}: give one per nation",
                    clip(&p.nation),
                ),
            });
        }
    }
}

/// The rows read so far, indexed for [`check_against`] (a sheet of many rows is
/// checked in time proportional to its rows).
#[derive(Default)]
struct Seen {
    /// (nation, domain, capability) → the first row that pledges it.
    cells: std::collections::HashMap<(String, String, String), usize>,
    /// (nation, field) → the values the rows gave it.
    fields: std::collections::HashMap<(String, &'static str), Given>,
}

/// The first value a nation's field was given, and the first row that gave
/// another: enough to name the first earlier row that disagrees with any value.
struct Given {
    first: (String, usize),
    other: Option<usize>,
}

impl Given {
    /// The first earlier row whose value is not `value`.
    fn other_than(&self, value: &str) -> Option<usize> {
        if self.first.0 != value {
            Some(self.first.1)
        } else {
            self.other
        }
    }
}

impl Seen {
    fn add(&mut self, p: &Pledge) {
        let key = (p.nation.clone(), p.domain.clone(), p.capability.clone());
        self.cells.entry(key).or_insert(p.row);
        for (field, value) in [
            ("participation", p.participation.map(|x| x.to_string())),
            ("name", p.name.clone()),
        ] {
            let Some(value) = value else { continue };
            let given = self
                .fields
                .entry((p.nation.clone(), field))
                .or_insert_with(|| Given {
                    first: (value.clone(), p.row),
                    other: None,
                });
            if given.first.0 != value && given.other.is_none() {
                given.other = Some(p.row);
            }
        }
    }
}

/// A figure as TOML: an integer when it is whole (and exactly held), else a
/// decimal.
fn figure(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

/// The TOML value of a pledge: a plain number when low = likely = high.
fn amount_value(p: &Pledge, shape: Shape) -> Value {
    if p.low == p.likely && p.likely == p.high {
        let mut v = figure(p.likely);
        if let Some(source) = &p.source {
            let one_line: String = source.chars().filter(|c| !c.is_control()).collect();
            v.decor_mut().set_suffix(format!("  # source: {one_line}"));
        }
        return v;
    }
    let mut arr = Array::new();
    for x in [p.low, p.likely, p.high] {
        arr.push(figure(x));
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
    merge(&mut doc, pledges, shape);
    Ok(doc.to_string())
}

/// [`merge_into`] on a document.
fn merge(doc: &mut DocumentMut, pledges: &[Pledge], shape: Shape) {
    let nations = table_at(doc.as_table_mut(), "nations");
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
}

/// A new scenario holding the pledges: capabilities, domains (led by the nations
/// that pledge to them, in row order) and nations, with every requirement set to
/// the sum of the likely pledges and marked TODO. The document is built as a
/// tree, never parsed from text, so that no file name can break it.
pub fn fresh(origin: &str, pledges: &[Pledge], shape: Shape) -> String {
    let (caps, domains) = outline(pledges);
    let mut doc = DocumentMut::new();
    let root = doc.as_table_mut();
    root.insert("scenario", Item::Table(scenario_table(origin)));
    root.insert("capabilities", Item::Table(capabilities_table(&caps)));
    let all = table_at(root, "domains");
    for d in &domains {
        all.insert(d.id, Item::Table(domain_table(d)));
    }
    let nations = table_at(root, "nations");
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
    merge(&mut doc, pledges, shape);
    doc.to_string()
}

/// One domain of a new scenario: its id, the nations that pledge to it (in row
/// order), and per capability the sum of the likely pledges.
struct DomainOutline<'a> {
    id: &'a str,
    leads: Vec<&'a str>,
    needs: Vec<(&'a str, f64)>,
}

/// The capabilities (in row order) and domains that the pledges name.
fn outline(pledges: &[Pledge]) -> (Vec<&str>, Vec<DomainOutline<'_>>) {
    let mut caps: Vec<&str> = Vec::new();
    let mut domains: Vec<DomainOutline> = Vec::new();
    for p in pledges {
        if !caps.contains(&p.capability.as_str()) {
            caps.push(&p.capability);
        }
        let i = match domains.iter().position(|d| d.id == p.domain) {
            Some(i) => i,
            None => {
                domains.push(DomainOutline {
                    id: &p.domain,
                    leads: Vec::new(),
                    needs: Vec::new(),
                });
                domains.len() - 1
            }
        };
        let d = &mut domains[i];
        if !d.leads.contains(&p.nation.as_str()) {
            d.leads.push(&p.nation);
        }
        match d.needs.iter_mut().find(|(c, _)| *c == p.capability) {
            Some((_, sum)) => *sum += p.likely,
            None => d.needs.push((&p.capability, p.likely)),
        }
    }
    (caps, domains)
}

/// `[scenario]` of a new scenario, under the comment that says where it comes
/// from: the file's name as a TOML string in the title, and with its control
/// characters written as escapes (`\n`) in the comment.
fn scenario_table(origin: &str) -> Table {
    let mut t = Table::new();
    t.decor_mut().set_prefix(format!(
        "# Scenario written by `forcesim import` from {}.\n\
         # TODO: every line marked TODO is a placeholder to replace with the real figure.\n\n",
        crate::present::escape(origin)
    ));
    let title = format!("Pledges from {origin}");
    // On one line, whatever the name holds (a plain value of a title with a
    // line break would be written over several).
    let mut name: Value = crate::scenario::extend::string_text(&title)
        .parse()
        .unwrap_or_else(|_| Value::from(title));
    name.decor_mut()
        .set_suffix("  # TODO: the scenario's title");
    t.insert("name", Item::Value(name));
    t
}

/// `[capabilities]` of a new scenario: each with a placeholder unit.
fn capabilities_table(caps: &[&str]) -> Table {
    let mut t = Table::new();
    t.decor_mut().set_prefix("\n");
    for c in caps {
        let mut unit = InlineTable::new();
        unit.insert("unit", Value::from("units"));
        let mut v = Value::InlineTable(unit);
        v.decor_mut().set_suffix("  # TODO: the unit counted");
        t.insert(c, Item::Value(v));
    }
    t
}

/// `[domains.ID]` of a new scenario: led by the nations that pledge to it,
/// requiring the sum of their likely pledges.
fn domain_table(d: &DomainOutline) -> Table {
    let mut t = Table::new();
    t.decor_mut().set_prefix("\n");
    let mut lead: Array = d.leads.iter().copied().collect();
    lead.decor_mut()
        .set_suffix("  # TODO: the lead succession, first choice first");
    t.insert("lead", Item::Value(Value::Array(lead)));
    let mut needs = InlineTable::new();
    for (c, sum) in &d.needs {
        needs.insert(*c, figure(sum.round()));
    }
    let key = toml_edit::Key::new("requirements").with_leaf_decor(toml_edit::Decor::new(
        "# TODO: the requirements; set here to the sum of the likely pledges\n",
        " ",
    ));
    t.insert_formatted(&key, Item::Value(Value::InlineTable(needs)));
    t
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

    /// Damaged workbooks are refused as bad input: .xls files whose root chain
    /// starts past the allocation table (the reader panicked on it), or whose
    /// root or mini-table chain loops (the reader followed them into
    /// gigabytes); an xlsx whose shared-string table declares 2³² − 1 strings
    /// (the reader would reserve 100 GB), or whose 1 MiB shared string fills
    /// 10,000 cells.
    #[test]
    fn damaged_workbooks_are_refused_without_a_panic_or_the_memory() {
        let cases: [(&[u8], &str); 5] = [
            (
                include_bytes!("../tests/fixtures/import-damaged.xls"),
                "workbook is damaged",
            ),
            (
                include_bytes!("../tests/fixtures/import-root-loop.xls"),
                "workbook is damaged",
            ),
            (
                include_bytes!("../tests/fixtures/import-mini-loop.xls"),
                "workbook is damaged",
            ),
            (
                include_bytes!("../tests/fixtures/import-shared-count.xlsx"),
                "declares 4294967295 strings",
            ),
            (
                include_bytes!("../tests/fixtures/import-shared-text.xlsx"),
                "bytes of text",
            ),
        ];
        for (bytes, says) in cases {
            let e = workbook_cells(bytes.to_vec()).unwrap_err();
            assert!(e.contains(says), "{e}");
        }
    }

    /// Each row is checked against the first earlier row that disagrees, as
    /// the rows read so far are indexed (not searched one by one).
    #[test]
    fn a_disagreeing_row_names_the_first_earlier_row_that_disagrees() {
        let rows = sheet(
            "nation,domain,capability,low,likely,high,participation,source\n\
             GBR,land,troops,1,2,3,0.5,r2\n\
             GBR,air,jets,1,2,3,0.7,r3\n\
             GBR,sea,ships,1,2,3,0.5,r4\n\
             GBR,land,troops,1,2,3,0.9,r5\n",
        );
        let e = pledges("p.csv", &rows).unwrap_err();
        let text: Vec<String> = e
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.row, p.message))
            .collect();
        // Row 3 (0.7) against row 2 (0.5); row 4 (0.5) against row 3, the first
        // other value; row 5 repeats row 2's cell and disagrees with row 2.
        assert_eq!(
            text,
            [
                "3: GBR has another participation in row 2: give one per nation",
                "4: GBR has another participation in row 3: give one per nation",
                "5: GBR already pledges troops to land in row 2: one row per nation, domain and capability",
                "5: GBR has another participation in row 2: give one per nation",
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

    #[test]
    fn a_fresh_scenario_takes_any_file_name() {
        let rows = sheet("nation,domain,capability,low,likely,high\nA,land,troops,1,2,3\n");
        let p = pledges("p.csv", &rows).unwrap();
        for origin in [
            "a\nb.csv",
            "ctl\u{1}.csv",
            "q\"uo\\te\r.csv",
            "del\u{7f}\u{9b}.csv",
        ] {
            let text = fresh(origin, &p, Shape::Triangular);
            let model = crate::scenario::parse("fresh.toml", &text, &[])
                .unwrap_or_else(|d| panic!("{origin:?}: {d}\n{text}"));
            assert_eq!(model.name, format!("Pledges from {origin}"), "{text}");
            // The comment names the file on one line, its control characters
            // written as escapes.
            let first = text.lines().next().unwrap();
            let shown = crate::present::escape(origin);
            assert_eq!(
                first,
                format!("# Scenario written by `forcesim import` from {shown}."),
                "{text}"
            );
            assert!(!first.chars().any(char::is_control), "{first:?}");
            // So does the title, as a TOML string on one line.
            let name = text.lines().find(|l| l.starts_with("name = ")).unwrap();
            assert!(name.ends_with("  # TODO: the scenario's title"), "{text}");
        }
    }

    /// A semicolon-separated file of `text`, read as `forcesim import` reads it.
    fn read_semicolon(text: &str) -> Result<Vec<Vec<String>>, ReadError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, text).unwrap();
        read_cells(&path)
    }

    #[test]
    fn figures_that_read_two_ways_in_a_semicolon_sheet() {
        for t in [
            "6.000",
            "12.500",
            "1.234.567",
            "5,000",
            "0,9",
            "6,5",
            "-6.000",
            "90,5%",
        ] {
            assert!(ambiguous(t), "{t}");
        }
        for t in [
            "6000", "6.5", "0.25", "0.250", "12.50", "6 000", "1e3", "x.000", "", ".",
        ] {
            assert!(!ambiguous(t), "{t}");
        }
    }

    #[test]
    fn a_semicolon_sheet_refuses_a_figure_that_reads_two_ways_at_its_cell() {
        let e = read_semicolon(
            "nation;domain;capability;low;likely;high;participation\n\
             GBR;land;troops;6.000;9.000;12.000;0.9\n\
             FRA;land;troops;5,000;6000;7000;0,9\n\
             DEU;land;troops;0.25;6.5;6000;90%\n\
             POL;land;troops;x;1;2;\n",
        );
        let Err(ReadError::Rows(e)) = e else {
            panic!("not refused by row: {e:?}");
        };
        assert_eq!(
            places(&e),
            [
                (2, "D (low)"),
                (2, "E (likely)"),
                (2, "F (high)"),
                (3, "D (low)"),
                (3, "G (participation)"),
                (5, "D (low)")
            ],
            "{e}"
        );
        let text = e.to_string();
        assert!(
            text.contains(
                "row 2, column D (low): `6.000` is ambiguous in a semicolon-separated sheet"
            ),
            "{text}"
        );
        assert!(text.contains("e.g. 6000 or 6.5"), "{text}");
        assert!(text.contains("save the sheet as comma-separated"), "{text}");
        // Plain figures read as they are written.
        let rows = read_semicolon(
            "nation;domain;capability;low;likely;high;participation\n\
             DEU;land;troops;0.25;6.5;6000;0.9\n",
        )
        .unwrap();
        let p = pledges("p.csv", &rows).unwrap();
        assert_eq!((p[0].low, p[0].likely, p[0].high), (0.25, 6.5, 6000.0));
        assert_eq!(p[0].participation, Some(0.9));
    }

    #[test]
    fn a_comma_sheet_reads_its_figures_as_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(
            &path,
            "nation,domain,capability,low,likely,high\nGBR,land,troops,6.000,\"9,000\",12000\n",
        )
        .unwrap();
        let p = pledges("p.csv", &read_cells(&path).unwrap()).unwrap();
        assert_eq!((p[0].low, p[0].likely, p[0].high), (6.0, 9000.0, 12000.0));
    }

    const PLEDGES: [&str; 3] = [
        "nation,domain,capability,low,likely,high",
        "GBR,land,troops,6000,9000,12000",
        "FRA,air,jets,4,6,8",
    ];

    /// Rows of comma-separated cells on a sheet: numbers as numbers.
    fn write_rows(sheet: &mut rust_xlsxwriter::Worksheet, rows: &[&str]) {
        for (r, line) in rows.iter().enumerate() {
            for (c, cell) in line.split(',').enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell.parse::<f64>() {
                    Ok(x) => sheet.write_number(r, c, x),
                    Err(_) => sheet.write_string(r, c, cell),
                }
                .unwrap();
            }
        }
    }

    /// The pledges of [`PLEDGES`], as read from a workbook's rows.
    fn assert_pledges(rows: &[Vec<String>]) {
        let p = pledges("p", rows).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.row, p.nation.as_str(), p.low, p.likely, p.high))
            .collect();
        assert_eq!(
            got,
            [
                (2, "GBR", 6000.0, 9000.0, 12000.0),
                (3, "FRA", 4.0, 6.0, 8.0)
            ]
        );
    }

    #[test]
    fn a_stray_cell_far_out_is_refused_by_its_reference_without_a_grid_up_to_it() {
        use rust_xlsxwriter::{Format, Workbook};
        let book_with = |far: &dyn Fn(&mut rust_xlsxwriter::Worksheet)| {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            sheet.set_name("Pledges").unwrap();
            write_rows(sheet, &PLEDGES);
            far(sheet);
            book.save_to_buffer().unwrap()
        };
        // A value at the last cell of the sheet: refused by its reference,
        // quickly, with nothing set aside for the 17 billion cells up to it.
        let started = std::time::Instant::now();
        let book = book_with(&|s| {
            s.write_string(1_048_575, 16_383, "x").unwrap();
        });
        let e = workbook_cells(book).unwrap_err();
        assert!(
            e.starts_with("sheet `Pledges`: cell XFD1048576 holds `x`, beyond the 100000 rows and 100 columns (A to CV)"),
            "{e}"
        );
        assert!(
            e.ends_with("delete the stray cell, or copy the pledges to a new sheet"),
            "{e}"
        );
        assert!(started.elapsed().as_secs() < 10);
        // Just past the last column or row a pledges sheet may use.
        for (r, c, at) in [(0, 100, "CW1"), (100_000, 0, "A100001")] {
            let e = workbook_cells(book_with(&|s| {
                s.write_number(r, c, 1.0).unwrap();
            }))
            .unwrap_err();
            assert!(e.contains(&format!("cell {at} holds `1`")), "{e}");
        }
        // A cell out there that holds nothing (formatted, or spaces) is no
        // stray: the pledges read.
        let bold = Format::new().set_bold();
        let book = book_with(&|s| {
            s.write_blank(1_048_575, 16_383, &bold).unwrap();
            s.write_string(99_999, 99, " ").unwrap();
        });
        assert_pledges(&workbook_cells(book).unwrap());
    }

    #[test]
    fn the_first_visible_sheet_is_read_and_named_when_it_is_empty() {
        use rust_xlsxwriter::Workbook;
        let mut book = Workbook::new();
        let old = book.add_worksheet();
        old.set_name("Old").unwrap();
        write_rows(
            old,
            &[
                "nation,domain,capability,low,likely,high",
                "XXX,sea,subs,9,9,9",
            ],
        );
        old.set_hidden(true);
        let new = book.add_worksheet();
        new.set_name("New").unwrap();
        write_rows(new, &PLEDGES);
        new.set_active(true);
        assert_pledges(&workbook_cells(book.save_to_buffer().unwrap()).unwrap());

        let mut book = Workbook::new();
        book.add_worksheet().set_name("Blank").unwrap();
        write_rows(book.add_worksheet(), &PLEDGES);
        let e = workbook_cells(book.save_to_buffer().unwrap()).unwrap_err();
        assert!(
            e.starts_with("sheet `Blank` is empty; forcesim reads the first visible sheet"),
            "{e}"
        );
    }

    /// An .ods workbook whose `office:spreadsheet` holds `tables`.
    fn ods_of(tables: &str) -> Vec<u8> {
        use std::io::Write;
        use zip::write::SimpleFileOptions;
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let parts = [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet".to_string()),
            (
                "META-INF/manifest.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
                 <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">\
                 <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
                 </manifest:manifest>"
                    .to_string(),
            ),
            (
                "content.xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
                     <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
                     xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
                     xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">\
                     <!-- <table:table-cell office:value-type=\"string\"/> -->\
                     <office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>\
                     </office:document-content>"
                ),
            ),
        ];
        for (name, text) in parts {
            zip.start_file(name, stored).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// A table of [`PLEDGES`] named `name`, then `more` (rows), then the empty
    /// rows and columns up to the sheet's end, as LibreOffice writes them.
    fn ods_table(name: &str, more: &str) -> String {
        let mut out = format!("<table:table table:name=\"{name}\"><table:table-column/>");
        for line in PLEDGES {
            out.push_str("<table:table-row>");
            for cell in line.split(',') {
                out.push_str(&match cell.parse::<f64>() {
                    Ok(x) => format!(
                        "<table:table-cell office:value-type=\"float\" office:value=\"{x}\"><text:p>{x}</text:p></table:table-cell>"
                    ),
                    Err(_) => format!(
                        "<table:table-cell office:value-type=\"string\"><text:p>{cell}</text:p></table:table-cell>"
                    ),
                });
            }
            out.push_str(
                "<table:table-cell table:number-columns-repeated=\"16378\"/></table:table-row>",
            );
        }
        out.push_str(more);
        out.push_str(
            "<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row></table:table>",
        );
        out
    }

    #[test]
    fn an_ods_sheet_is_checked_for_its_reach_before_the_workbook_is_read() {
        let pledges_only = ods_of(&ods_table("Pledges", ""));
        assert_pledges(&workbook_cells(pledges_only).unwrap());
        // A value on the last row and column, on a second sheet: every sheet of
        // an .ods is read when it is opened.
        let far = "<table:table-row table:number-rows-repeated=\"1048572\"><table:table-cell/></table:table-row>\
                   <table:table-row><table:table-cell table:number-columns-repeated=\"16383\"/>\
                   <table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>";
        let book = ods_of(&(ods_table("Pledges", "") + &ods_table("Notes &amp; more", far)));
        let e = workbook_cells(book).unwrap_err();
        assert!(
            e.starts_with("sheet `Notes & more` reaches cell XFD1048576, beyond the 100000 rows and 100 columns"),
            "{e}"
        );
        // A value repeated across the row reaches its last repeat.
        let across = "<table:table-row><table:table-cell office:value-type=\"float\" office:value=\"1\" table:number-columns-repeated=\"200\"/></table:table-row>";
        let e = workbook_cells(ods_of(&ods_table("Pledges", across))).unwrap_err();
        assert!(e.contains("reaches cell GR4,"), "{e}");
    }

    /// What the workbook reader makes of an .ods is checked as it makes it: a
    /// repeat written with a character reference, a table inside a cell, a run
    /// of spaces and a long text repeated down the sheet count in full; an
    /// empty cell written with an end tag holds nothing.
    #[test]
    fn an_ods_counts_what_its_reader_makes_of_it() {
        let open_empty = "<table:table-row table:number-rows-repeated=\"1048572\"><table:table-cell></table:table-cell></table:table-row>";
        assert_pledges(&workbook_cells(ods_of(&ods_table("Pledges", open_empty))).unwrap());
        let entity = "<table:table-row table:number-rows-repeated=\"&#51;00000\"><table:table-cell office:value-type=\"float\" office:value=\"1\"/></table:table-row>";
        let e = workbook_cells(ods_of(&ods_table("Pledges", entity))).unwrap_err();
        assert!(e.contains("reaches cell A300003,"), "{e}");
        let long = "x".repeat(2000);
        let repeated = format!(
            "<table:table-row table:number-rows-repeated=\"20000\"><table:table-cell table:number-columns-repeated=\"50\" office:value-type=\"string\"><text:p>{long}</text:p></table:table-cell></table:table-row>"
        );
        let spaces = "<table:table-row><table:table-cell office:value-type=\"string\"><text:p><text:s text:c=\"400000000\"/></text:p></table:table-cell></table:table-row>";
        let nested = format!(
            "<table:table-row><table:table-cell><table:table table:name=\"in\"><table:table-row/></table:table></table:table-cell></table:table-row>{repeated}"
        );
        for more in [repeated.as_str(), spaces, nested.as_str()] {
            let e = workbook_cells(ods_of(&ods_table("Pledges", more))).unwrap_err();
            assert!(e.contains("each repeat counted, hold more than"), "{e}");
        }
    }

    /// One BIFF record.
    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        [
            &typ.to_le_bytes()[..],
            &(data.len() as u16).to_le_bytes(),
            data,
        ]
        .concat()
    }

    /// An Excel 97 workbook stream: one sheet, `Pledges`, of [`PLEDGES`] and
    /// `cells` (row, column, number), whose Dimensions record says `rows`.
    fn biff_of(cells: &[(u16, u16, f64)], rows: (u32, u32)) -> Vec<u8> {
        let bof = |dt: u16| {
            record(
                0x0809,
                &[&0x0600u16.to_le_bytes()[..], &dt.to_le_bytes(), &[0; 12]].concat(),
            )
        };
        let sheet_name = b"Pledges";
        let bound = |at: u32| {
            record(
                0x0085,
                &[
                    &at.to_le_bytes()[..],
                    &[0, 0, sheet_name.len() as u8, 0],
                    sheet_name,
                ]
                .concat(),
            )
        };
        let globals_len = (bof(5).len() + bound(0).len() + record(0x000A, &[]).len()) as u32;
        let mut out = [bof(5), bound(globals_len), record(0x000A, &[])].concat();
        out.extend(bof(0x10));
        let dims = [
            &rows.0.to_le_bytes()[..],
            &rows.1.to_le_bytes(),
            &0u16.to_le_bytes(),
            &6u16.to_le_bytes(),
            &[0, 0],
        ]
        .concat();
        out.extend(record(0x0200, &dims));
        let at = |r: usize, c: usize| {
            [(r as u16).to_le_bytes(), (c as u16).to_le_bytes(), [0, 0]].concat()
        };
        for (r, line) in PLEDGES.iter().enumerate() {
            for (c, cell) in line.split(',').enumerate() {
                out.extend(match cell.parse::<f64>() {
                    Ok(x) => record(0x0203, &[at(r, c), x.to_le_bytes().to_vec()].concat()),
                    Err(_) => {
                        let text = [
                            &(cell.len() as u16).to_le_bytes()[..],
                            &[0],
                            cell.as_bytes(),
                        ]
                        .concat();
                        record(0x0204, &[at(r, c), text].concat())
                    }
                });
            }
        }
        for &(r, c, x) in cells {
            out.extend(record(
                0x0203,
                &[at(r.into(), c.into()), x.to_le_bytes().to_vec()].concat(),
            ));
        }
        out.extend(record(0x000A, &[]));
        out
    }

    /// 32-bit words, little-endian.
    fn words(w: &[u32]) -> Vec<u8> {
        w.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    /// A compound file's directory entry: its name, type (5 the root, 2 a
    /// stream), first sector, length and child entry.
    fn entry(name: &str, typ: u8, start: u32, len: u32, child: u32) -> Vec<u8> {
        let mut e: Vec<u8> = name
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        e.resize(64, 0);
        e.extend(((name.len() as u16 + 1) * 2).to_le_bytes());
        e.extend([typ, 1]);
        e.extend(words(&[0xFFFF_FFFF, 0xFFFF_FFFF, child]));
        e.resize(116, 0);
        e.extend(words(&[start, len, 0]));
        e
    }

    /// A compound file (512-byte sectors) holding `stream` as `Workbook`: in
    /// the mini stream when it is shorter than 4096 bytes.
    fn xls_of(stream: &[u8]) -> Vec<u8> {
        const END: u32 = 0xFFFF_FFFE;
        let mini = stream.len() < 4096;
        let mut data = stream.to_vec();
        data.resize(data.len().div_ceil(512).max(1) * 512, 0);
        let n = (data.len() / 512) as u32;
        // Sector 0 the FAT, 1 the directory, 2 the mini FAT, then the data.
        let mut fat = vec![0xFFFF_FFFD, END, END];
        fat.extend((3..3 + n).map(|i| if i + 1 < 3 + n { i + 1 } else { END }));
        fat.resize(128, 0xFFFF_FFFF);
        let mut minifat: Vec<u32> = (0..8 * n)
            .map(|i| {
                if (i + 1) * 64 < stream.len() as u32 {
                    i + 1
                } else {
                    END
                }
            })
            .collect();
        minifat.resize(128, 0xFFFF_FFFF);
        let (root, book) = if mini {
            (
                entry("Root Entry", 5, 3, data.len() as u32, 1),
                entry("Workbook", 2, 0, stream.len() as u32, 0xFFFF_FFFF),
            )
        } else {
            (
                entry("Root Entry", 5, END, 0, 1),
                entry("Workbook", 2, 3, stream.len() as u32, 0xFFFF_FFFF),
            )
        };
        let mut header = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        header.resize(24, 0);
        header.extend([0x3E, 0, 3, 0, 0xFE, 0xFF, 9, 0, 6, 0]);
        header.resize(44, 0);
        header.extend(words(&[1, 1, 0, 4096, 2, 1, END, 0, 0]));
        header.extend(words(&[0xFFFF_FFFF; 108]));
        let mut out = [
            header,
            words(&fat),
            root,
            book,
            vec![0; 256],
            words(&minifat),
        ]
        .concat();
        out.extend(data);
        out
    }

    #[test]
    fn an_xls_sheet_is_checked_for_its_reach_before_the_workbook_is_read() {
        // Short (in the mini stream) and long: both read.
        let short = biff_of(&[], (0, 3));
        assert!(short.len() < 4096);
        assert_pledges(&workbook_cells(xls_of(&short)).unwrap());
        let many: Vec<_> = (10..400).map(|r| (r, 0, 0.0)).collect();
        let long = biff_of(&many, (0, 400));
        assert!(long.len() >= 4096);
        let e = pledges("p", &workbook_cells(xls_of(&long)).unwrap()).unwrap_err();
        // Rows 11 to 400 hold a nation (`0`) and nothing else.
        assert_eq!(e.problems.len(), 5 * 390, "{e}");
        assert_eq!(e.problems[0].row, 11, "{e}");
        // A number at column GS of the first row, and one at the last cell of
        // the .xls grid: refused by reference.
        for (far, at) in [((0, 200, 1.0), "GS1"), ((65_535, 255, 1.0), "IV65536")] {
            for stream in [biff_of(&[far], (0, 3)), biff_of(&[far].repeat(400), (0, 3))] {
                let e = workbook_cells(xls_of(&stream)).unwrap_err();
                assert!(
                    e.starts_with(&format!("sheet `Pledges` reaches cell {at}, beyond")),
                    "{e}"
                );
            }
        }
        // A used range declared upside down is damage, refused before the
        // reader sets memory aside for it.
        let e = workbook_cells(xls_of(&biff_of(&[], (9, 3)))).unwrap_err();
        assert!(e.contains("declares a used range of rows 10 to 3"), "{e}");
        // So is a directory whose chain of sectors loops (sector 1 after itself).
        let mut looped = xls_of(&short);
        looped[516..520].copy_from_slice(&1u32.to_le_bytes());
        let e = workbook_cells(looped).unwrap_err();
        assert!(e.starts_with("the .xls workbook is damaged"), "{e}");
    }
}
