//! Diagnostics: every problem found in a scenario, with its place and dotted key.
//!
//! A [`Diagnostic`] holds a byte span into a [`SourceText`] (the scenario file
//! followed by the `--set` overrides) and the dotted key of the value at fault.
//! [`Diagnostics`] renders them all at once as `file:line:column: key: message`,
//! followed by the offending source line and a caret, the way compilers do.

use std::fmt;
use std::ops::Range;

/// The text a scenario was read from: the file, the files it extends, then each
/// `--set` override.
///
/// Spans up to `text.len()` point into the file; each base file and override
/// follows at its own virtual offset. [`SourceText::locate`] tells them apart and
/// [`SourceText::origin_at`] names the file a span points into.
#[derive(Debug, Clone, Default)]
pub struct SourceText {
    /// Display name of the file (its path as given).
    pub origin: String,
    /// The file's text.
    pub text: String,
    /// The files it extends (`[scenario] extends`), nearest first.
    pub bases: Box<[BaseText]>,
    /// Each override as `(virtual start offset, "KEY=VALUE")`.
    pub overrides: Vec<(usize, String)>,
}

/// A file that a scenario extends, placed at a virtual offset past the file's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaseText {
    /// Virtual offset of its first byte.
    pub start: usize,
    /// Its path, relative to the working directory as the extending file's was.
    pub origin: String,
    /// Its text.
    pub text: String,
    /// Its lines, indexed once (when a diagnostic first points into it).
    lines: LazyLines,
}

/// A text's [`LineIndex`], built on first use; equal to any other (it is
/// derived from the text).
#[derive(Debug, Clone, Default)]
struct LazyLines(std::sync::OnceLock<LineIndex>);

impl PartialEq for LazyLines {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for LazyLines {}

impl BaseText {
    /// The base file `origin` with `text`, placed at virtual offset `start`.
    pub fn new(start: usize, origin: String, text: String) -> BaseText {
        BaseText {
            start,
            origin,
            text,
            lines: LazyLines::default(),
        }
    }

    /// Its lines, indexed on first use.
    fn lines(&self) -> &LineIndex {
        self.lines.0.get_or_init(|| LineIndex::new(&self.text))
    }

    fn holds(&self, at: usize) -> bool {
        self.start <= at && at <= self.start + self.text.len()
    }
}

/// Where a span points: a place in the file, or one of the overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// 1-based line and column (in characters) in the file.
    File {
        /// 1-based line.
        line: usize,
        /// 1-based column, counted in characters.
        column: usize,
    },
    /// The `--set` override with this text.
    Override(String),
}

impl SourceText {
    /// A source with no overrides.
    pub fn new(origin: impl Into<String>, text: impl Into<String>) -> Self {
        SourceText {
            origin: origin.into(),
            text: text.into(),
            bases: Box::default(),
            overrides: Vec::new(),
        }
    }

    /// The virtual offset at which the next override's value starts.
    pub(crate) fn next_override_base(&self) -> usize {
        match (self.overrides.last(), self.bases.last()) {
            (Some((start, text)), _) => start + text.len() + 1,
            (None, Some(b)) => b.start + b.text.len() + 1,
            (None, None) => self.text.len() + 1,
        }
    }

    /// The base file holding virtual offset `at`, if any.
    fn base_at(&self, at: usize) -> Option<&BaseText> {
        if at <= self.text.len() {
            return None;
        }
        self.bases.iter().find(|b| b.holds(at))
    }

    /// The name of the file that offset `at` points into (the scenario's own for
    /// overrides).
    pub fn origin_at(&self, at: usize) -> &str {
        self.base_at(at).map_or(&self.origin, |b| &b.origin)
    }

    /// Where the byte offset `at` points. Indexes the file's lines on each call:
    /// to locate many offsets, build a [`LineIndex`] once and use [`SourceText::locate_in`].
    pub fn locate(&self, at: usize) -> Place {
        self.locate_in(&LineIndex::new(&self.text), at)
    }

    /// Where the byte offset `at` points, with the file's lines indexed by `lines`
    /// (built from this text): O(log lines + length of the line). In a base file,
    /// the line and column are that file's ([`SourceText::origin_at`] names it).
    pub fn locate_in(&self, lines: &LineIndex, at: usize) -> Place {
        if let Some(b) = self.base_at(at) {
            let local = floor_char_boundary(&b.text, at - b.start);
            let index = b.lines();
            let line = index.line_of(local);
            let column = b.text[index.starts[line - 1]..local].chars().count() + 1;
            return Place::File { line, column };
        }
        if at > self.text.len() {
            let found = self
                .overrides
                .iter()
                .rev()
                .find(|(start, _)| *start <= at)
                .or(self.overrides.first());
            if let Some((_, text)) = found {
                return Place::Override(text.clone());
            }
        }
        let at = floor_char_boundary(&self.text, at.min(self.text.len()));
        let line = lines.line_of(at);
        let line_start = lines.starts[line - 1];
        // A byte-order mark opening the file is no column (editors do not show it).
        let before = self.text[line_start..at].trim_start_matches(bom_at(line_start));
        let column = before.chars().count() + 1;
        Place::File { line, column }
    }

    /// Where the byte offset `at` points, as messages name it: `file:line:column`,
    /// or `file (--set KEY=VALUE)`.
    pub fn place_text(&self, at: usize) -> String {
        let origin = self.origin_at(at);
        match self.locate(at) {
            Place::File { line, column } => format!("{origin}:{line}:{column}"),
            Place::Override(text) => format!("{origin} (--set {text})"),
        }
    }

    /// The full text of 1-based line `line` of the file, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        self.line_text_in(&LineIndex::new(&self.text), line)
    }

    /// [`SourceText::line_text`] with the file's lines indexed by `lines`.
    pub fn line_text_in(&self, lines: &LineIndex, line: usize) -> &str {
        line_of_text(&self.text, lines, line)
    }
}

/// Line `line` (1-based) of `text`, whose lines `lines` indexes, without its
/// newline (nor a byte-order mark opening the text).
fn line_of_text<'t>(text: &'t str, lines: &LineIndex, line: usize) -> &'t str {
    let Some(&start) = lines.starts.get(line.saturating_sub(1)) else {
        return "";
    };
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text[start..end]
        .trim_end_matches('\r')
        .trim_start_matches(bom_at(start))
}

/// What to strip from the start of a line that starts at byte `start`: the
/// byte-order mark where the line opens the text, nothing elsewhere.
fn bom_at(start: usize) -> &'static [char] {
    if start == 0 { &['\u{feff}'] } else { &[] }
}

/// The byte offset at which each line of a text starts, indexed once so that
/// every diagnostic finds its line by binary search.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Start of each line; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line holding byte offset `at`.
    fn line_of(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at)
    }
}

/// `s` with every control character and every invisible formatting character
/// (bidirectional overrides, zero-width marks) written as a `\u{..}` escape, so
/// that names from a scenario cannot reach a terminal raw.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    if needs_escape(c) {
        out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
    } else {
        out.push(c);
    }
}

/// Control characters (C0, DEL, C1) and the invisible characters that reorder or
/// hide text: bidirectional marks, embeddings, overrides and isolates, zero-width
/// characters, line and paragraph separators, the byte-order mark.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// Characters a word of a message may have before it is cut.
const LONG_WORD: usize = 200;

/// `s` with every word (a run without blanks) longer than [`LONG_WORD`]
/// characters cut to its first 64 and a count of the rest, so that an id or a
/// value of a million characters reads as one line of a message.
fn shorten(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.split(' ').any(|w| w.len() > LONG_WORD) {
        return std::borrow::Cow::Borrowed(s);
    }
    let words: Vec<String> = s
        .split(' ')
        .map(|w| match w.chars().count() {
            n if n > LONG_WORD => {
                let head: String = w.chars().take(64).collect();
                format!("{head}…({n} characters)")
            }
            _ => w.to_string(),
        })
        .collect();
    std::borrow::Cow::Owned(words.join(" "))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One problem in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Byte span in the [`SourceText`].
    pub span: Range<usize>,
    /// Dotted key of the value at fault (`nations.GBR.participation`); empty for the whole file.
    pub key: String,
    /// What is wrong and what would be valid.
    pub message: String,
    /// For a line that counts problems not shown (`… and 12 more errors in
    /// this list`): how many; 0 for a problem.
    pub more: usize,
}

/// Whether diagnostics stop the scenario (errors) or only point at a likely
/// modelling mistake (warnings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Severity {
    /// The scenario is invalid.
    #[default]
    Error,
    /// The scenario runs, but probably not as meant.
    Warning,
}

impl Severity {
    fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Every problem found in one scenario, with the text needed to show where.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    /// The text the spans point into.
    pub source: SourceText,
    /// The problems, in the order they were found.
    pub items: Vec<Diagnostic>,
    /// Errors, or warnings.
    pub severity: Severity,
}

impl Diagnostics {
    /// Errors in `source`.
    pub fn errors(source: SourceText, items: Vec<Diagnostic>) -> Self {
        Diagnostics {
            source,
            items,
            severity: Severity::Error,
        }
    }

    /// Problems sorted by their place in the file (overrides last), then by key.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| (a.span.start, &a.key).cmp(&(b.span.start, &b.key)));
        v.dedup_by(|a, b| a == b);
        v
    }

    /// One line per problem: `file:line:column: key: message`.
    pub fn lines(&self) -> Vec<String> {
        let lines = LineIndex::new(&self.source.text);
        self.sorted()
            .into_iter()
            .map(|d| self.headline(&lines, d))
            .collect()
    }

    /// One line per problem, with the file's lines indexed once.
    fn headline(&self, lines: &LineIndex, d: &Diagnostic) -> String {
        let key = if d.key.is_empty() {
            String::new()
        } else {
            format!("{}: ", shorten(&escape(&d.key)))
        };
        let origin = escape(self.source.origin_at(d.span.start));
        let message = escape(&d.message);
        let message = shorten(&message);
        match self.source.locate_in(lines, d.span.start) {
            Place::File { line, column } => {
                format!("{origin}:{line}:{column}: {key}{message}")
            }
            Place::Override(text) => {
                format!("{origin} (--set {}): {key}{message}", escape(&text))
            }
        }
    }

    /// The offending source line and a caret under `column`, the line escaped
    /// like the messages (the caret moved past each escape).
    fn excerpt(
        &self,
        f: &mut fmt::Formatter<'_>,
        lines: &LineIndex,
        at: usize,
        (line, column): (usize, usize),
    ) -> fmt::Result {
        let text = match self.source.base_at(at) {
            Some(b) => line_of_text(&b.text, b.lines(), line).to_string(),
            None => self.source.line_text_in(lines, line).to_string(),
        };
        let text = text.as_str();
        if text.trim().is_empty() || text.len() >= 300 {
            return Ok(());
        }
        let gutter = line.to_string();
        let shown: String = text
            .chars()
            .map(|c| {
                if c == '\t' {
                    "\t".into()
                } else {
                    escape(&c.to_string()).into_owned()
                }
            })
            .collect();
        writeln!(f, "{:>w$} |", "", w = gutter.len())?;
        writeln!(f, "{gutter} | {shown}")?;
        let mut pad = String::new();
        for c in text.chars().take(column - 1) {
            if c == '\t' {
                pad.push('\t');
            } else {
                let width = escape(&c.to_string()).chars().count();
                pad.extend(std::iter::repeat_n(' ', width));
            }
        }
        writeln!(f, "{:>w$} | {pad}^", "", w = gutter.len())
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sorted = self.sorted();
        let lines = LineIndex::new(&self.source.text);
        for d in &sorted {
            if d.more > 0 {
                writeln!(f, "note: {}", self.headline(&lines, d))?;
                continue;
            }
            writeln!(f, "{}: {}", self.severity.word(), self.headline(&lines, d))?;
            if let Place::File { line, column } = self.source.locate_in(&lines, d.span.start) {
                self.excerpt(f, &lines, d.span.start, (line, column))?;
            }
        }
        let n: usize = sorted.iter().map(|d| d.more.max(1)).sum();
        let what = match self.severity {
            Severity::Error => "problem",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{} {what}{} in {}",
            n,
            if n == 1 { "" } else { "s" },
            escape(&self.source.origin)
        )
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_columns_in_characters() {
        let s = SourceText::new("f.toml", "a = 1\nné = 2\n");
        assert_eq!(s.locate(0), Place::File { line: 1, column: 1 });
        assert_eq!(s.locate(6), Place::File { line: 2, column: 1 });
        // "né = " : 'é' is two bytes, so byte 11 is character column 5.
        assert_eq!(s.locate(11), Place::File { line: 2, column: 5 });
        // The newline itself belongs to the line it ends; the end of the text to the last line.
        assert_eq!(s.locate(5), Place::File { line: 1, column: 6 });
        assert_eq!(s.locate(15), Place::File { line: 3, column: 1 });
        assert_eq!(s.line_text(2), "né = 2");
        assert_eq!(s.line_text(9), "");
    }

    #[test]
    fn a_long_word_of_a_message_is_cut_with_its_length() {
        assert_eq!(shorten("unknown nation `GBR`"), "unknown nation `GBR`");
        let long = "A".repeat(LONG_WORD);
        assert_eq!(shorten(&long), long);
        let id = "é".repeat(1_000_000);
        let message = format!("unknown nation `{id}` here");
        let cut = shorten(&message);
        let head: String = format!("`{}", "é".repeat(63));
        assert_eq!(
            cut,
            format!("unknown nation {head}…(1000002 characters) here")
        );
    }

    #[test]
    fn escapes_control_and_invisible_characters() {
        assert_eq!(escape("GBR"), "GBR");
        assert_eq!(escape("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape("x\ry\u{202e}z\u{7f}"), "x\\u{d}y\\u{202e}z\\u{7f}");
        assert_eq!(escape("né"), "né");
    }

    #[test]
    fn spans_past_the_file_point_at_overrides() {
        let mut s = SourceText::new("f.toml", "a = 1\n");
        let base = s.next_override_base();
        s.overrides.push((base, "x=2".into()));
        let base2 = s.next_override_base();
        s.overrides.push((base2, "y=3".into()));
        assert_eq!(s.locate(base), Place::Override("x=2".into()));
        assert_eq!(s.locate(base2 + 1), Place::Override("y=3".into()));
    }
}
