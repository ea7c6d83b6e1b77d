//! The reach of the sheets of the workbooks that are read whole when they are
//! opened (.xls and .ods: each sheet becomes a grid as large as the span of its
//! cells), checked on the file itself before it is opened: a cell beyond
//! [`MAX_SHEET_ROWS`] or [`MAX_SHEET_COLUMNS`], on any sheet, is refused with
//! its reference.

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
