//! Checking the rows: the header, each row's cells, and the pledges against
//! each other and a scenario's ids; every problem with its row and column.

use super::*;

/// The spreadsheet name of column `i` (0 → `A`, 26 → `AA`).
pub(super) fn letter(mut i: usize) -> String {
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
pub(super) struct Header {
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

pub(super) fn header(cells: &[String], problems: &mut Vec<Problem>) -> Header {
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

/// ` (did you mean `x`?)` for the closest of `known` (as a scenario's own
/// messages find it), or nothing.
pub fn did_you_mean(word: &str, known: &[&str]) -> String {
    crate::scenario::decode::closest(word, known)
        .map_or_else(String::new, |k| format!(" (did you mean `{k}`?)"))
}

/// [`did_you_mean`] for a nation: first the known id of the country `word`
/// names (`UK` → `GBR`, United Kingdom), then the closest by spelling.
pub fn did_you_mean_nation(word: &str, known: &[&str]) -> String {
    match crate::scenario::iso::suggest(word, known) {
        Some((code, name)) => format!(" (did you mean `{code}`, {name}?)"),
        None => did_you_mean(word, known),
    }
}

/// A number as a sheet writes it: `5000`, `5_000`, `5,000` (thousands), `2.5`.
pub(super) fn number(text: &str) -> Option<f64> {
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
pub(super) fn ambiguous(text: &str) -> bool {
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

pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The pledges of a sheet, or every problem in it.
pub fn pledges(origin: &str, rows: &[Vec<String>]) -> Result<Vec<Pledge>, ImportError> {
    let s = sheet(rows, &Marks::new(), false);
    done(origin, s.pledges, s.problems)
}

/// The pledges of the sheet read from the file `path` (its marked cells
/// are problems where their column is read), for the scenario whose ids are
/// `known` if any ([`pledges_into`]), else for a new scenario ([`pledges`]);
/// or every problem in it, named with the file and the workbook sheet.
pub fn pledges_in(
    path: &str,
    cells: &Cells,
    known: Option<&Known>,
) -> Result<Vec<Pledge>, ImportError> {
    let mut s = sheet_merged(&cells.rows, &cells.marks, &cells.merged, false);
    if let Some(known) = known {
        s.check_ids(known);
    }
    done(&cells.origin(path), s.pledges, s.problems)
}

/// The pledges of a sheet for the scenario whose ids are `known`, or every
/// problem in it: those of the sheet and, for the rows that read, each id the
/// scenario lacks.
pub fn pledges_into(
    origin: &str,
    rows: &[Vec<String>],
    known: &Known,
) -> Result<Vec<Pledge>, ImportError> {
    let mut s = sheet(rows, &Marks::new(), false);
    s.check_ids(known);
    done(origin, s.pledges, s.problems)
}

/// The pledges, where there is no problem.
pub(super) fn done(
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
pub(super) fn sheet(rows: &[Vec<String>], marks: &Marks, semicolon: bool) -> Sheet {
    sheet_merged(rows, marks, &[], semicolon)
}

/// [`sheet`], with the sheet's regions of `merged` cells, which explain the
/// empty cells in them.
pub(super) fn sheet_merged(
    rows: &[Vec<String>],
    marks: &Marks,
    merged: &[Merged],
    semicolon: bool,
) -> Sheet {
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
    let merged = &MergedIndex::new(merged, &head);
    for p in &mut problems {
        p.row = first + 1;
    }
    // A header with a problem still locates its known columns: the rows are
    // checked in them, so that every problem is reported at once; none of
    // them becomes a pledge.
    let complete = problems.is_empty();
    let (mut out, mut bad, mut seen) = (Vec::new(), Vec::new(), Seen::default());
    let mut ambiguous = false;
    let marked: std::collections::HashSet<usize> = marks.keys().map(|&(r, _)| r).collect();
    for (i, cells) in rows.iter().enumerate().skip(first + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) && !marked.contains(&i) {
            continue;
        }
        // Every row, with a bad cell or not, is checked against every row before.
        let at = Place {
            row: i + 1,
            head: &head,
            marks,
            merged,
            semicolon,
        };
        let r = row(&at, cells, &mut problems);
        ambiguous |= r.ambiguous;
        check_against(&r.pledge, &seen, &head, &mut problems);
        seen.add(&r.pledge);
        if r.ok && complete {
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
pub(super) struct Sheet {
    pledges: Vec<Pledge>,
    bad: Vec<Pledge>,
    pub(super) problems: Vec<Problem>,
    head: Option<Header>,
    /// A figure reads two ways ([`ambiguous`]).
    pub(super) ambiguous: bool,
}

impl Sheet {
    /// Adds a problem for each id of a row that `known` lacks.
    fn check_ids(&mut self, known: &Known) {
        if let Some(head) = &self.head {
            let column = |name: &str| head.column(name);
            self.problems.extend(known.problems(&self.pledges, &column));
            self.problems.extend(known.problems(&self.bad, &column));
        }
    }

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
pub(super) fn too_many_nations(pledges: &[Pledge], head: &Header) -> Option<Problem> {
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

/// The marked cells of a sheet: (row, column), both from 0.
pub(super) type Marks = std::collections::HashMap<(usize, usize), Mark>;

/// The regions of merged cells over the columns the header names, indexed so
/// that the region holding a cell is found in logarithmic time: a sheet of
/// many rows and many regions is read in time proportional to them, not to
/// their product.
pub(super) struct MergedIndex {
    /// Column → its regions, by first row, each with the farthest last row
    /// among it and the regions before it (and the region that reaches it).
    columns: std::collections::HashMap<usize, Vec<(usize, usize, Merged)>>,
}

impl MergedIndex {
    fn new(merged: &[Merged], head: &Header) -> Self {
        let mut columns: std::collections::HashMap<usize, Vec<(usize, usize, Merged)>> =
            std::collections::HashMap::new();
        let named: std::collections::BTreeSet<usize> =
            (0..head.named.len()).filter(|&c| head.named[c]).collect();
        for m in merged {
            for &c in named.range(m.start.1..=m.end.1) {
                columns.entry(c).or_default().push((m.start.0, m.end.0, *m));
            }
        }
        for regions in columns.values_mut() {
            regions.sort_by_key(|r| r.0);
            let mut far: Option<(usize, Merged)> = None;
            for r in regions.iter_mut() {
                if far.is_none_or(|f| r.1 > f.0) {
                    far = Some((r.1, r.2));
                }
                (r.1, r.2) = far.expect("set above");
            }
        }
        MergedIndex { columns }
    }

    /// A region that holds the cell at (row, column), from 0.
    fn holding(&self, (r, c): (usize, usize)) -> Option<Merged> {
        let regions = self.columns.get(&c)?;
        let k = regions.partition_point(|x| x.0 <= r);
        let (_, end, m) = *regions.get(k.checked_sub(1)?)?;
        (end >= r).then_some(m)
    }
}

/// Where a row is read: its spreadsheet row, the header, the sheet's marked
/// cells, and whether the sheet is semicolon-separated (a figure may read
/// two ways).
pub(super) struct Place<'a> {
    row: usize,
    head: &'a Header,
    marks: &'a Marks,
    merged: &'a MergedIndex,
    semicolon: bool,
}

/// One row's cells, and the problems found in them.
pub(super) struct RowCells<'a> {
    row: usize,
    cells: &'a [String],
    head: &'a Header,
    marks: &'a Marks,
    /// The regions of merged cells, which explain an empty cell.
    merged: &'a MergedIndex,
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

    /// The cell of column `name` is marked ([`Mark`]): a problem at the cell
    /// for a formula with no value, and for a date or time where a figure is
    /// read (`figure`). Whether there is one.
    fn marked(&mut self, name: &str, figure: bool) -> bool {
        let at = self.head.find(name).map(|c| (self.row - 1, c));
        let message = match at.and_then(|at| self.marks.get(&at)) {
            Some(Mark::Uncomputed) => {
                "a formula with no computed value: open and save the workbook in a spreadsheet so that it stores the value"
            }
            Some(Mark::Date) if figure => {
                "a date, not a number (a spreadsheet may have turned a figure such as 3-5 or 1/2 into a date): format the cell as a number and type the figure again"
            }
            Some(Mark::Time) if figure => {
                "a time, not a number (a spreadsheet may have turned a figure such as 3:5 into a time): format the cell as a number and type the figure again"
            }
            _ => return false,
        };
        self.push(name, message.into());
        true
    }

    /// A text column (`source`, `name`): its text, if any.
    fn text(&mut self, name: &str) -> Option<String> {
        if self.marked(name, false) {
            return None;
        }
        self.get(name)
    }

    /// Where the empty cell of column `name` lies in merged cells: why it is
    /// empty, as a hint; else nothing.
    fn merged_hint(&self, name: &str) -> String {
        let at = self.head.find(name).map(|c| (self.row - 1, c));
        at.and_then(|at| self.merged.holding(at))
            .map_or_else(String::new, |m| m.hint())
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

    /// An id column: present and made of letters, digits, `_` and `-`. A
    /// column the header lacks is a problem of the header alone.
    fn id(&mut self, name: &str) -> String {
        if self.head.find(name).is_none() || self.marked(name, false) {
            return String::new();
        }
        match self.get(name) {
            None => {
                let hint = self.merged_hint(name);
                self.push(name, format!("the {name} is missing{hint}"));
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
        self.head.find(name)?;
        if self.marked(name, true) {
            return None;
        }
        let Some(v) = self.get(name) else {
            let hint = self.merged_hint(name);
            self.push(name, format!("the {name} figure is missing{hint}"));
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
        if self.marked("participation", true) {
            return None;
        }
        let v = self.get("participation")?;
        if self.two_ways("participation", &v) {
            return None;
        }
        let percent = crate::scenario::figures::percent;
        // One `%` at most (`90%%` is no number); `-0` is 0 (`+ 0.0` makes −0 +0).
        let (digits, marked) = match v.strip_suffix('%') {
            Some(d) => (d, true),
            None => (v.as_str(), false),
        };
        match number(digits).map(|x| x + 0.0) {
            Some(x) if marked && (0.0..=100.0).contains(&x) => Some(percent(x)),
            Some(_) if marked => {
                self.push(
                    "participation",
                    format!("{} is not a percentage from 0 to 100 %", clip(&v)),
                );
                None
            }
            Some(x) if (0.0..=1.0).contains(&x) => Some(x),
            Some(x) if crate::scenario::figures::reads_as_percent(x) => {
                self.push(
                    "participation",
                    format!(
                        "{} is not a probability: did you mean {} ({} %)?",
                        clip(&v),
                        percent(x),
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
pub(super) struct RowRead {
    pledge: Pledge,
    ok: bool,
    ambiguous: bool,
}

/// One row's pledge; its problems are added to `problems`.
pub(super) fn row(at: &Place, cells: &[String], problems: &mut Vec<Problem>) -> RowRead {
    let before = problems.len();
    let row = at.row;
    let mut r = RowCells {
        row,
        cells,
        head: at.head,
        marks: at.marks,
        merged: at.merged,
        problems,
        semicolon: at.semicolon,
        ambiguous: false,
    };
    r.unnamed();
    let nation = r.id("nation");
    let domain = r.id("domain");
    let capability = r.id("capability");
    let (low, likely, high) = (r.amount("low"), r.amount("likely"), r.amount("high"));
    r.order(low, likely, high);
    let participation = r.participation();
    let (source, name) = (r.text("source"), r.text("name"));
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
pub(super) fn check_against(
    p: &Pledge,
    earlier: &Seen,
    head: &Header,
    problems: &mut Vec<Problem>,
) {
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
pub(super) struct Seen {
    /// (nation, domain, capability) → the first row that pledges it.
    cells: std::collections::HashMap<(String, String, String), usize>,
    /// (nation, field) → the values the rows gave it.
    fields: std::collections::HashMap<(String, &'static str), Given>,
}

/// The first value a nation's field was given, and the first row that gave
/// another: enough to name the first earlier row that disagrees with any value.
pub(super) struct Given {
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
                        if what == "nation" {
                            did_you_mean_nation(id, &names)
                        } else {
                            did_you_mean(id, &names)
                        }
                    ),
                });
            }
        }
        problems
    }
}
