//! Diagnostics: every problem found in a scenario, with its place and dotted key.
//!
//! A [`Diagnostic`] holds a byte span into a [`SourceText`] (the scenario file
//! followed by the `--set` overrides) and the dotted key of the value at fault.
//! [`Diagnostics`] renders them all at once as `file:line:column: key: message`,
//! followed by the offending source line and a caret, the way compilers do.

use std::fmt;
use std::ops::Range;

/// The text a scenario was read from: the file, then each `--set` override.
///
/// Spans at or beyond `file.len()` belong to the overrides; [`SourceText::locate`]
/// tells the two apart.
#[derive(Debug, Clone, Default)]
pub struct SourceText {
    /// Display name of the file (its path as given).
    pub origin: String,
    /// The file's text.
    pub text: String,
    /// Each override as `(virtual start offset, "KEY=VALUE")`.
    pub overrides: Vec<(usize, String)>,
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
            overrides: Vec::new(),
        }
    }

    /// The virtual offset at which the next override's value starts.
    pub(crate) fn next_override_base(&self) -> usize {
        match self.overrides.last() {
            Some((start, text)) => start + text.len() + 1,
            None => self.text.len() + 1,
        }
    }

    /// Where the byte offset `at` points.
    pub fn locate(&self, at: usize) -> Place {
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
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..at].chars().count() + 1;
        Place::File { line, column }
    }

    /// The full text of 1-based line `line` of the file, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        self.text
            .split('\n')
            .nth(line.saturating_sub(1))
            .unwrap_or("")
            .trim_end_matches('\r')
    }
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
}

/// Every problem found in one scenario, with the text needed to show where.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    /// The text the spans point into.
    pub source: SourceText,
    /// The problems, in the order they were found.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Problems sorted by their place in the file (overrides last), then by key.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| (a.span.start, &a.key).cmp(&(b.span.start, &b.key)));
        v.dedup_by(|a, b| a == b);
        v
    }

    /// One line per problem: `file:line:column: key: message`.
    pub fn lines(&self) -> Vec<String> {
        self.sorted()
            .into_iter()
            .map(|d| self.headline(d))
            .collect()
    }

    fn headline(&self, d: &Diagnostic) -> String {
        let key = if d.key.is_empty() {
            String::new()
        } else {
            format!("{}: ", d.key)
        };
        match self.source.locate(d.span.start) {
            Place::File { line, column } => format!(
                "{}:{}:{}: {}{}",
                self.source.origin, line, column, key, d.message
            ),
            Place::Override(text) => format!(
                "{} (--set {}): {}{}",
                self.source.origin, text, key, d.message
            ),
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sorted = self.sorted();
        for d in &sorted {
            writeln!(f, "error: {}", self.headline(d))?;
            if let Place::File { line, column } = self.source.locate(d.span.start) {
                let text = self.source.line_text(line);
                if !text.trim().is_empty() && text.len() < 300 {
                    let gutter = line.to_string();
                    writeln!(f, "{:>w$} |", "", w = gutter.len())?;
                    writeln!(f, "{gutter} | {text}")?;
                    let pad: String = text
                        .chars()
                        .take(column - 1)
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    writeln!(f, "{:>w$} | {pad}^", "", w = gutter.len())?;
                }
            }
        }
        let n = sorted.len();
        write!(
            f,
            "{} problem{} in {}",
            n,
            if n == 1 { "" } else { "s" },
            self.source.origin
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
