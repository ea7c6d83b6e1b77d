//! Reading a pledges file: CSV, or the first visible sheet of a workbook, into
//! rows of cell texts, within the limits of a pledges sheet.

use super::*;

/// The rows of cell texts of [`read_sheet`].
pub fn read_cells(path: &Path) -> Result<Vec<Vec<String>>, ReadError> {
    read_sheet(path).map(|cells| cells.rows)
}

/// Reads a CSV file or a workbook (xlsx, xlsm, xlsb, xls, ods: its first visible
/// sheet, named in [`Cells::sheet`]) into rows of cell texts, with the
/// workbook cells that are not what they show marked. A file that cannot be read is
/// [`ReadError::Io`]; a directory, a file over [`MAX_PLEDGES_BYTES`], or one
/// whose content cannot be read as its kind, is [`ReadError::Invalid`]; a
/// semicolon-separated sheet with a figure that reads two ways (`6.000`) is
/// [`ReadError::Rows`], with every other problem of its rows.
pub fn read_sheet(path: &Path) -> Result<Cells, ReadError> {
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
        return workbook_sheet(bytes).map_err(invalid);
    }
    if let Some(kind) = workbook_signature(&bytes) {
        return Err(invalid(format!(
            "the file is {kind}, not CSV text: give it the workbook's extension (.xlsx, .xls or .ods), or save the sheet as CSV UTF-8"
        )));
    }
    let (rows, separator) = csv_sheet(&bytes).map_err(invalid)?;
    if let Some(problem) = unclosed_quote(&bytes, &rows, separator) {
        return Err(ReadError::Rows(ImportError {
            origin: shown,
            problems: vec![problem],
        }));
    }
    if separator == b';' {
        refuse_ambiguous(&shown, &rows)?;
    }
    Ok(Cells {
        rows,
        ..Cells::default()
    })
}

/// The figures of a semicolon-separated sheet that read two ways (`6.000`:
/// six, or six thousand), with every other problem of the sheet, as
/// [`ReadError::Rows`]; nothing where there is none.
pub(super) fn refuse_ambiguous(origin: &str, rows: &[Vec<String>]) -> Result<(), ReadError> {
    let s = sheet(rows, &Default::default(), true);
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

/// What a file that is a workbook, whatever its name, is: a zip container
/// (xlsx, xlsm, xlsb, ods) or a compound document (xls).
pub(super) fn workbook_signature(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        Some("a workbook (a zip container, as an .xlsx or .ods is)")
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some("a workbook (a compound document, as an .xls is)")
    } else {
        None
    }
}

/// The cell where a quote opens that is never closed, as a problem: the CSV
/// reader reads such a cell to the end of the file, so every line after it
/// would silently become part of that one cell, the last of the last row.
pub(super) fn unclosed_quote(bytes: &[u8], rows: &[Vec<String>], separator: u8) -> Option<Problem> {
    if !ends_in_quote(bytes, separator) {
        return None;
    }
    let row = rows.len();
    let col = rows.last().map_or(0, |r| r.len().saturating_sub(1));
    let header = rows
        .iter()
        .position(|r| r.iter().any(|c| !c.trim().is_empty()));
    let name = header
        .filter(|&h| h + 1 < row)
        .and_then(|h| rows[h].get(col))
        .map(|n| n.trim())
        .filter(|n| !n.is_empty());
    let column = match name {
        Some(n) => format!("{} ({})", letter(col), clip(n)),
        None => letter(col),
    };
    Some(Problem {
        row,
        column,
        message: "a quote opened here is never closed, so every line below it would be read into this cell: close the quote (a quote inside a quoted cell is written twice: \"\")".into(),
    })
}

/// Whether a CSV text ends inside a quoted cell, read as the CSV reader reads
/// it: a quote opens a quoted cell only as the cell's first character; inside
/// one, a doubled quote is a quote and a single quote closes it.
pub(super) fn ends_in_quote(bytes: &[u8], separator: u8) -> bool {
    #[derive(Clone, Copy)]
    enum At {
        Start,
        Plain,
        Quoted,
        QuoteInQuoted,
    }
    let mut at = At::Start;
    let mut text = bytes;
    while let Some(rest) = text.strip_prefix("\u{feff}".as_bytes()) {
        text = rest;
    }
    for &b in text {
        let ends_cell = b == separator || b == b'\n' || b == b'\r';
        at = match (at, b) {
            (At::Start, b'"') | (At::QuoteInQuoted, b'"') => At::Quoted,
            (At::Quoted, b'"') => At::QuoteInQuoted,
            (At::Quoted, _) => At::Quoted,
            _ if ends_cell => At::Start,
            _ => At::Plain,
        };
    }
    matches!(at, At::Quoted)
}

/// The file's bytes, at most one past [`MAX_PLEDGES_BYTES`].
pub(super) fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::input::read_limited(path, MAX_PLEDGES_BYTES as u64)
}

/// The rows of a CSV text (comma, or semicolon when the header has no comma).
pub fn csv_cells(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    csv_sheet(bytes).map(|(rows, _)| rows)
}

/// The rows of a CSV text, and the separator they were split at.
pub(super) fn csv_sheet(bytes: &[u8]) -> Result<(Vec<Vec<String>>, u8), String> {
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
pub(super) fn blank_lines(bytes: &[u8], from: usize) -> usize {
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
pub(super) const MAX_UNPACKED_BYTES: u64 = 128 << 20;

/// The size a zip container (an `.xlsx` or `.ods`) says its parts unpack to, as
/// its central directory gives it; `None` for a workbook that is no zip (`.xls`).
pub(super) fn unpacked_size(bytes: &[u8]) -> Option<u64> {
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

/// The rows of [`workbook_sheet`].
#[cfg(test)]
pub(super) fn workbook_cells(bytes: Vec<u8>) -> Result<Vec<Vec<String>>, String> {
    workbook_sheet(bytes).map(|cells| cells.rows)
}

/// The cells of a workbook's first visible worksheet. Its cells are read one by
/// one (xlsx, xlsm, xlsb), or checked for their reach before the workbook is
/// opened (xls, ods, read whole when opened): memory follows the cells that
/// hold something, never the area up to the farthest one.
pub(super) fn workbook_sheet(bytes: Vec<u8>) -> Result<Cells, String> {
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

/// [`workbook_sheet`], where the reader may panic.
pub(super) fn read_book(bytes: Vec<u8>) -> Result<Cells, String> {
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
        marks: Default::default(),
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
                grid.put((top + r as u32, left + c as u32), d, false)?;
            }
        }
    }
    let marks = std::mem::take(&mut grid.marks);
    let merged = merged_regions(&mut book, &name);
    Ok(Cells {
        rows: grid.rows()?,
        sheet: Some(name.clone()),
        marks,
        merged,
    })
}

/// The regions of merged cells of the sheet `name`, where the reader gives
/// them (xlsx, xlsm, xls; not xlsb nor ods). They only explain empty cells, so
/// a sheet whose regions cannot be read has none.
fn merged_regions<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Sheets<RS>,
    name: &str,
) -> Vec<Merged> {
    use calamine::Sheets;
    let regions = match book {
        Sheets::Xlsx(b) => b.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(b) => b.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xlsb(_) | Sheets::Ods(_) => Vec::new(),
    };
    let at = |(r, c): (u32, u32)| (r as usize, c as usize);
    regions
        .into_iter()
        .map(|d| Merged {
            start: at(d.start),
            end: at(d.end),
        })
        .collect()
}

/// The name of the first worksheet that is not hidden.
pub(super) fn first_visible(sheets: &[calamine::Sheet]) -> Result<String, String> {
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
pub(super) struct Grid<'a> {
    /// The sheet, as named in messages.
    sheet: &'a str,
    rows: Vec<Vec<String>>,
    /// The cells whose text is not what the sheet means.
    marks: std::collections::HashMap<(usize, usize), Mark>,
    /// Bytes of text held so far (at most [`MAX_UNPACKED_BYTES`]: a string
    /// shared by many cells is held once per cell).
    held: u64,
}

impl Grid<'_> {
    /// The cell at `(row, col)` (from 0), unless it holds nothing (or only
    /// spaces); one beyond [`MAX_SHEET_ROWS`] or [`MAX_SHEET_COLUMNS`] is
    /// refused. A formula whose value the file does not store (`uncomputed`),
    /// a date and a time are marked.
    fn put(
        &mut self,
        (row, col): (u32, u32),
        d: &calamine::Data,
        uncomputed: bool,
    ) -> Result<(), String> {
        let (text, mark) = match uncomputed {
            true => (String::new(), Some(Mark::Uncomputed)),
            false => cell_read(d),
        };
        if text.trim().is_empty() && mark.is_none() {
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
            return Err(self.stray(r, c, &text));
        }
        if self.rows.len() <= r {
            self.rows.resize_with(r + 1, Vec::new);
        }
        let line = &mut self.rows[r];
        if line.len() <= c {
            line.resize(c + 1, String::new());
        }
        line[c] = text;
        if let Some(mark) = mark {
            self.marks.insert((r, c), mark);
        }
        Ok(())
    }

    /// The message for a cell at `(r, c)` (from 0), holding `text`, beyond
    /// the rows and columns a pledges sheet may use.
    fn stray(&self, r: usize, c: usize, text: &str) -> String {
        let held = match text.trim() {
            "" => "a formula".to_string(),
            t => format!("`{}`", clip(t)),
        };
        format!(
            "sheet `{}`: cell {}{} holds {held}, beyond the {MAX_SHEET_ROWS} rows and {MAX_SHEET_COLUMNS} columns (A to {}) a pledges sheet may use: delete the stray cell, or copy the pledges to a new sheet",
            clip(self.sheet),
            letter(c),
            r as u64 + 1,
            letter(MAX_SHEET_COLUMNS - 1)
        )
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

/// The cells of the xlsx (or xlsm) sheet `grid.sheet`, read one at a time,
/// with the formulas whose value the file does not store.
pub(super) fn xlsx_cells<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<RS>,
    grid: &mut Grid,
) -> Result<(), String> {
    let mut cells = book
        .worksheet_cells_reader(grid.sheet)
        .map_err(|e| grid.unreadable(e))?;
    put_all(grid, || {
        let cell = cells.next_cell_with_formula_metadata();
        cell.map(|c| {
            c.map(|c| {
                let uncomputed = c.formula.is_some() && matches!(c.value, calamine::DataRef::Empty);
                (c.pos, calamine::Data::from(c.value), uncomputed)
            })
        })
    })
}

/// The cells of the xlsb sheet `grid.sheet`, read one at a time (a formula's
/// value is always stored in an xlsb file).
pub(super) fn xlsb_cells<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsb<RS>,
    grid: &mut Grid,
) -> Result<(), String> {
    let mut cells = book
        .worksheet_cells_reader(grid.sheet)
        .map_err(|e| grid.unreadable(e))?;
    put_all(grid, || {
        let cell = cells.next_cell();
        cell.map(|c| {
            c.map(|c| {
                (
                    c.get_position(),
                    calamine::Data::from(c.get_value().clone()),
                    false,
                )
            })
        })
    })
}

/// Puts each cell that `next` reads into `grid`, until it reads none; each
/// with whether it is a formula whose value the file does not store.
fn put_all<E: fmt::Display>(
    grid: &mut Grid,
    mut next: impl FnMut() -> Result<Option<((u32, u32), calamine::Data, bool)>, E>,
) -> Result<(), String> {
    loop {
        match next() {
            Ok(Some((at, d, uncomputed))) => grid.put(at, &d, uncomputed)?,
            Ok(None) => return Ok(()),
            Err(e) => return Err(grid.unreadable(e)),
        }
    }
}

/// A workbook cell's text, and its mark where the text is not what the sheet
/// means: a date reads as the date (`2024-03-05`), a time as the sheet's
/// number of days.
pub(super) fn cell_read(d: &calamine::Data) -> (String, Option<Mark>) {
    use calamine::Data;
    match d {
        Data::DateTime(t) if t.is_duration() => (t.as_f64().to_string(), Some(Mark::Time)),
        Data::DateTime(t) => {
            let (y, mo, day, h, mi, sec, _) = t.to_ymd_hms_milli();
            let text = match (h, mi, sec) {
                (0, 0, 0) => format!("{y:04}-{mo:02}-{day:02}"),
                _ => format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{sec:02}"),
            };
            (text, Some(Mark::Date))
        }
        Data::DateTimeIso(t) => (t.clone(), Some(Mark::Date)),
        Data::DurationIso(t) => (t.clone(), Some(Mark::Time)),
        other => (cell_text(other), None),
    }
}

/// A workbook cell as the sheet shows it.
pub(super) fn cell_text(d: &calamine::Data) -> String {
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
