//! The dotted keys of a TOML text, read from the parser's events, to name the
//! key of a syntax error and where that key was first defined.
//!
//! The TOML parser reports a duplicate key with the span of the second one only.
//! [`Named::of`] walks the text's events (table headers, dotted keys, inline
//! tables, arrays and arrays of tables) and finds, for each error span that is a
//! key, its dotted key (`nations.A.participation`) and the place of its first
//! definition. It never fails: a text too broken to follow names fewer keys.

use std::collections::{HashMap, HashSet};

use super::decode::Cx;
use super::diag::{LineIndex, Place, SourceText};

use toml_parser::Source;
use toml_parser::parser::{Event, EventKind};

/// Where a key occurs: its dotted path, the offset of the key, the offset of the
/// line's definition (the header's `[`, or the first key of a `key = value`), and
/// how it occurs.
struct Occurrence<'p> {
    path: &'p str,
    key_at: usize,
    def_at: usize,
    kind: Kind,
}

/// How a key occurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The last key of a `[table]` header: defines the table.
    Header,
    /// The last key of an `[[array]]` header: adds an element.
    ArrayHeader,
    /// A parent named in a header: defines nothing.
    HeaderParent,
    /// A key of a `key = value` (or a table a dotted key opens): defines it.
    Value,
}

/// A table or array the walk is inside.
enum Frame {
    Table {
        path: String,
        keys: Vec<(String, usize)>,
        value: Option<String>,
    },
    Array {
        path: String,
        index: usize,
    },
}

impl Frame {
    fn table(path: String) -> Self {
        Frame::Table {
            path,
            keys: Vec::new(),
            value: None,
        }
    }
}

/// A `[table]` or `[[table]]` header being read.
struct Header {
    array: bool,
    at: usize,
    keys: Vec<(String, usize)>,
}

/// Walks the events of a document and calls `visit` for each key.
struct Walker<'s, F> {
    source: Source<'s>,
    stack: Vec<Frame>,
    header: Option<Header>,
    tables: HashMap<String, usize>,
    /// Whether a key of more parts than the parser allows was met.
    lost: bool,
    visit: F,
}

/// Appends the key `key` to the dotted key `path`, in place: a path grows by
/// one part at a time, never copied whole for each part.
fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Most parts of a dotted key or table header: the TOML parser refuses more
/// (its "recursion limit"), and the walk stops at such a key, so that a key of
/// millions of parts costs no more than one of this many.
const MAX_KEY_PARTS: usize = 80;

impl<F: FnMut(Occurrence<'_>)> Walker<'_, F> {
    fn event(&mut self, e: &Event) {
        let at = e.span().start();
        match e.kind() {
            EventKind::StdTableOpen | EventKind::ArrayTableOpen => {
                self.stack.truncate(1);
                self.header = Some(Header {
                    array: e.kind() == EventKind::ArrayTableOpen,
                    at,
                    keys: Vec::new(),
                });
            }
            EventKind::StdTableClose | EventKind::ArrayTableClose => self.close_header(),
            EventKind::SimpleKey => self.key(e),
            EventKind::KeyValSep => self.key_val(),
            EventKind::InlineTableOpen => {
                let path = self.value_path();
                self.stack.push(Frame::table(path));
            }
            EventKind::ArrayOpen => {
                let path = self.value_path();
                self.stack.push(Frame::Array { path, index: 0 });
            }
            EventKind::InlineTableClose | EventKind::ArrayClose if self.stack.len() > 1 => {
                self.stack.pop();
            }
            EventKind::ValueSep => match self.stack.last_mut() {
                Some(Frame::Array { index, .. }) => *index += 1,
                Some(Frame::Table { keys, value, .. }) => {
                    keys.clear();
                    *value = None;
                }
                None => {}
            },
            EventKind::Newline => {
                self.close_header();
                if let [Frame::Table { keys, value, .. }] = self.stack.as_mut_slice() {
                    keys.clear();
                    *value = None;
                }
            }
            _ => {}
        }
    }

    fn key(&mut self, e: &Event) {
        let mut name = String::new();
        if let Some(raw) = self.source.get(e) {
            raw.decode_key(&mut name, &mut ());
        }
        let at = e.span().start();
        let keys = match (self.header.as_mut(), self.stack.last_mut()) {
            (Some(h), _) => &mut h.keys,
            (None, Some(Frame::Table { keys, value, .. })) => {
                if value.is_some() {
                    keys.clear();
                    *value = None;
                }
                keys
            }
            _ => return,
        };
        if keys.len() == MAX_KEY_PARTS {
            // The parser refuses the text: nothing from here on is named.
            self.lost = true;
        } else {
            keys.push((name, at));
        }
    }

    /// The path of the value about to be read (an inline table or an array).
    fn value_path(&self) -> String {
        match self.stack.last() {
            Some(Frame::Array { path, index }) => format!("{path}[{index}]"),
            Some(Frame::Table { value: Some(v), .. }) => v.clone(),
            Some(Frame::Table { path, .. }) => path.clone(),
            None => String::new(),
        }
    }

    fn key_val(&mut self) {
        let Some(Frame::Table { path, keys, value }) = self.stack.last_mut() else {
            return;
        };
        let def_at = keys.first().map_or(0, |k| k.1);
        let mut p = path.clone();
        for (name, key_at) in keys.iter() {
            push_key(&mut p, name);
            (self.visit)(Occurrence {
                path: &p,
                key_at: *key_at,
                def_at,
                kind: Kind::Value,
            });
        }
        *value = Some(p);
    }

    fn close_header(&mut self) {
        let Some(h) = self.header.take() else {
            return;
        };
        let mut p = String::new();
        let last = h.keys.len().saturating_sub(1);
        for (i, (name, key_at)) in h.keys.iter().enumerate() {
            push_key(&mut p, name);
            let kind = match (i < last, h.array) {
                (true, _) => Kind::HeaderParent,
                (false, true) => Kind::ArrayHeader,
                (false, false) => Kind::Header,
            };
            (self.visit)(Occurrence {
                path: &p,
                key_at: *key_at,
                def_at: h.at,
                kind,
            });
            if i == last && h.array {
                let n = self.tables.entry(p.clone()).or_insert(0);
                p.push_str(&format!("[{n}]"));
                *n += 1;
            } else if let Some(n) = self.tables.get(&p) {
                p.push_str(&format!("[{}]", n.saturating_sub(1)));
            }
        }
        self.stack.truncate(1);
        if let Some(root) = self.stack.first_mut() {
            *root = Frame::table(p);
        }
    }
}

/// Calls `visit` for each key of the document `text`, or, with a `base`, of
/// the value `text` set at the dotted key `base`.
fn walk(text: &str, base: Option<&str>, visit: impl FnMut(Occurrence<'_>)) {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    if too_deep(&tokens) {
        // The parser below recurses once per level: past the limit the TOML
        // parser has refused the text already, and no key is named.
        return;
    }
    let mut events: Vec<Event> = Vec::new();
    let mut push = |e: Event| events.push(e);
    match base {
        None => toml_parser::parser::parse_document(&tokens, &mut push, &mut ()),
        Some(_) => toml_parser::parser::parse_value(&tokens, &mut push, &mut ()),
    }
    let root = match base {
        None => Frame::table(String::new()),
        Some(b) => Frame::Table {
            path: String::new(),
            keys: Vec::new(),
            value: Some(b.to_string()),
        },
    };
    let mut w = Walker {
        source,
        stack: vec![root],
        header: None,
        tables: HashMap::new(),
        lost: false,
        visit,
    };
    for e in &events {
        w.event(e);
        if w.lost {
            return;
        }
    }
    w.close_header();
}

/// Arrays and inline tables nested deeper than this are not walked.
const MAX_NESTING: usize = 1_000;

/// Whether `tokens` open more than [`MAX_NESTING`] brackets and braces at once.
fn too_deep(tokens: &[toml_parser::lexer::Token]) -> bool {
    use toml_parser::lexer::TokenKind as K;
    let mut depth = 0usize;
    for t in tokens {
        match t.kind() {
            K::LeftSquareBracket | K::LeftCurlyBracket => depth += 1,
            K::RightSquareBracket | K::RightCurlyBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING {
            return true;
        }
    }
    false
}

/// A key named at an error's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Named {
    /// Its dotted key.
    pub key: String,
    /// How it occurs there.
    pub kind: Kind,
    /// Where it was first defined, if before: the offset and whether by a header.
    pub first: Option<(usize, bool)>,
}

impl Named {
    /// The keys at each of `spans` (error offsets) in the document `text`, or in
    /// the value `text` of the dotted key `base`.
    pub(crate) fn of(text: &str, base: Option<&str>, spans: &[usize]) -> HashMap<usize, Named> {
        let wanted: HashSet<usize> = spans.iter().copied().collect();
        let mut named: HashMap<usize, Named> = HashMap::new();
        if wanted.is_empty() {
            return named;
        }
        walk(text, base, |o| {
            if wanted.contains(&o.key_at) {
                named.entry(o.key_at).or_insert(Named {
                    key: o.path.to_string(),
                    kind: o.kind,
                    first: None,
                });
            }
        });
        if named.is_empty() {
            return named;
        }
        let paths: HashSet<String> = named.values().map(|n| n.key.clone()).collect();
        // Each path's first definition: (its key, its line, by a header).
        let mut first: HashMap<String, (usize, usize, bool)> = HashMap::new();
        walk(text, base, |o| {
            if o.kind != Kind::HeaderParent && paths.contains(o.path) {
                first.entry(o.path.to_string()).or_insert((
                    o.key_at,
                    o.def_at,
                    o.kind == Kind::Header,
                ));
            }
        });
        for (at, n) in named.iter_mut() {
            n.first = first
                .get(&n.key)
                .filter(|f| f.0 < *at)
                .map(|&(_, def, header)| (def, header));
        }
        named
    }
}

/// Where a syntax error is and, for a key of more parts than the parser
/// allows, how many parts it has.
struct Placed {
    span: Option<std::ops::Range<usize>>,
    parts: Option<usize>,
}

/// The place of each of `errors` in `text`. The parser's key-depth error has
/// none: each is the next key of more than [`MAX_KEY_PARTS`] parts, in order.
fn place_errors(text: &str, errors: &[&toml::de::Error]) -> Vec<Placed> {
    let mut long = long_keys(text).into_iter();
    errors
        .iter()
        .map(|e| match e.span() {
            None if e.message().contains("recursion limit") => match long.next() {
                Some((at, parts)) => Placed {
                    span: Some(at..at),
                    parts: Some(parts),
                },
                None => Placed {
                    span: None,
                    parts: None,
                },
            },
            span => Placed { span, parts: None },
        })
        .collect()
}

/// Records the syntax `errors` of the TOML document `text`, placed `off` bytes
/// into the source: each that points at a key names it, and a duplicate says
/// where the key or table was first defined.
pub(crate) fn syntax_errors(text: &str, off: usize, errors: &[toml::de::Error], cx: &mut Cx) {
    let (errors, open) = without_cascade(text, errors);
    let errors = &errors[..];
    let placed = place_errors(text, errors);
    let spans: Vec<usize> = placed
        .iter()
        .filter(|p| p.parts.is_none())
        .filter_map(|p| p.span.as_ref().map(|s| s.start))
        .collect();
    let named = Named::of(text, None, &spans);
    let lines = LineIndex::new(text);
    let source = SourceText::new("", text);
    let place = |at: usize| match source.locate_in(&lines, at) {
        Place::File { line, column } => format!("{line}:{column}"),
        Place::Override(_) => String::new(),
    };
    for (i, (e, p)) in errors.iter().zip(placed).enumerate() {
        let span = p.span.unwrap_or(0..0);
        let message = e.message().trim();
        let mut hint = syntax_hint(text, span.start);
        if let Some((_, (bracket, at))) = open.filter(|&(first, _)| first == i) {
            hint.push_str(&format!(
                " (the `{bracket}` at {} is never closed: the errors it causes further on are not shown)",
                place(at)
            ));
        }
        let shifted = span.start + off..span.end + off;
        if let Some(parts) = p.parts {
            let message = format!(
                "TOML syntax: a key of {parts} parts; a dotted key or table header has at most {MAX_KEY_PARTS}"
            );
            cx.error(shifted, "", message);
            continue;
        }
        let Some(n) = named.get(&span.start) else {
            cx.error(shifted, "", format!("TOML syntax: {message}{hint}"));
            continue;
        };
        let message = match (message, n.first) {
            ("duplicate key", Some((at, true))) if n.kind == Kind::Header => {
                format!("table defined twice: first at {}", place(at))
            }
            ("duplicate key", Some((at, _))) => {
                format!("duplicate key: already set at {}", place(at))
            }
            ("duplicate key", None) => "duplicate key".to_string(),
            (other, _) => format!("TOML syntax: {other}{hint}"),
        };
        cx.error(shifted, &n.key, message);
    }
}

/// `errors` less the cascade of an array or inline table left open: where a
/// bracket opened before an error's line ends (on that line or an earlier one)
/// is still open at the first `unclosed …` error after it, the parser read the
/// text between as the bracket's contents and every other error there (the
/// parser lists them out of order) is its consequence. A bracket that closes
/// before that point (a list written over several lines) starts no cascade.
/// Returns the errors kept and, when a cascade was left out, the index among
/// them of the error that starts it, with the bracket and its offset.
#[allow(clippy::type_complexity)]
fn without_cascade<'e>(
    text: &str,
    errors: &'e [toml::de::Error],
) -> (Vec<&'e toml::de::Error>, Option<(usize, (char, usize))>) {
    let at = |e: &toml::de::Error| e.span().map_or(usize::MAX, |s| s.start);
    let mut unclosed: Vec<usize> = errors
        .iter()
        .filter(|e| e.message().trim_start().starts_with("unclosed"))
        .map(at)
        .collect();
    if unclosed.is_empty() {
        return (errors.iter().collect(), None);
    }
    unclosed.sort_unstable();
    let brackets = Brackets::of(text);
    let mut order: Vec<usize> = (0..errors.len()).collect();
    order.sort_by_key(|&i| at(&errors[i]));
    for i in order {
        let from = at(&errors[i]);
        let Some(&to) = unclosed.get(unclosed.partition_point(|&u| u < from)) else {
            break;
        };
        let Some(bracket) = brackets.open_at(text, from, to) else {
            continue;
        };
        let hidden = from.max(bracket.1)..=to;
        let kept: Vec<_> = (0..errors.len())
            .filter(|&j| j == i || !hidden.contains(&at(&errors[j])))
            .collect();
        if kept.len() == errors.len() {
            break;
        }
        let first = kept.iter().position(|&j| j == i).unwrap_or(0);
        return (
            kept.iter().map(|&j| &errors[j]).collect(),
            Some((first, bracket)),
        );
    }
    (errors.iter().collect(), None)
}

/// One `[` or `{` of a text: the bracket, its offset, the offset of the
/// bracket that closes it (if any) and the bracket it lies in (if any).
type Bracket = (char, usize, Option<usize>, Option<usize>);

/// Each `[` and `{` of a text (outside strings and comments, of one line or
/// several), in order, as the TOML lexer reads them.
struct Brackets(Vec<Bracket>);

impl Brackets {
    fn of(text: &str) -> Self {
        use toml_parser::lexer::TokenKind as K;
        let mut all: Vec<Bracket> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        for t in Source::new(text).lex() {
            let at = t.span().start();
            let opener = match t.kind() {
                K::LeftSquareBracket | K::LeftCurlyBracket => {
                    let c = if t.kind() == K::LeftSquareBracket {
                        '['
                    } else {
                        '{'
                    };
                    all.push((c, at, None, stack.last().copied()));
                    stack.push(all.len() - 1);
                    continue;
                }
                K::RightSquareBracket => '[',
                K::RightCurlyBracket => '{',
                _ => continue,
            };
            // A closer that does not match the innermost bracket closes nothing.
            if let Some(&top) = stack.last().filter(|&&top| all[top].0 == opener) {
                all[top].2 = Some(at);
                stack.pop();
            }
        }
        Brackets(all)
    }

    /// The innermost `[` or `{` opened before the end of the line of byte `at`
    /// of `text` (and not after `to`) that is still open at byte `to`, with its
    /// offset. Only the last bracket opened before then and the brackets it
    /// lies in can be: any other closed before it opened.
    fn open_at(&self, text: &str, at: usize, to: usize) -> Option<(char, usize)> {
        let at = (0..=at.min(text.len()))
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let last = self.0.partition_point(|b| b.1 < end && b.1 <= to);
        let mut k = last.checked_sub(1);
        while let Some(i) = k {
            let (c, open, close, parent) = self.0[i];
            if close.is_none_or(|close| close > to) {
                return Some((c, open));
            }
            k = parent;
        }
        None
    }
}

/// The value that a syntax error at byte `at` of `text` falls in, as written:
/// from the `=` before it on its line (after `at` only when there is none
/// before) to the end of the word at `at`; `None` in a line without `=`.
fn value_at(text: &str, at: usize) -> Option<&str> {
    let at = (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let eq = start + text[start..at].rfind('=')? + 1;
    let end = text[at..]
        .find(|c: char| c.is_whitespace() || matches!(c, '}' | ']' | '#'))
        .map_or(text.len(), |i| at + i);
    Some(&text[eq..end.max(eq)])
}

/// The hint for a syntax error at byte `at` of `text` whose value is a figure
/// written as people write it ([`figure_hint`]); empty otherwise.
fn syntax_hint(text: &str, at: usize) -> String {
    value_at(text, at).map_or(String::new(), |v| {
        super::figures::figure_hint(v.trim().trim_end_matches([',', '}', ']']).trim_end())
    })
}

/// Each dotted key (or table header) of `text` with more than
/// [`MAX_KEY_PARTS`] parts, in order: the offset of its first part and its
/// number of parts. A value's dots (`1.5`) make chains of two parts at most.
fn long_keys(text: &str) -> Vec<(usize, usize)> {
    use toml_parser::lexer::TokenKind as K;
    let mut found = Vec::new();
    // The chain being read (its start and parts), and whether a dot follows its last part.
    let mut chain: Option<(usize, usize)> = None;
    let mut dot = false;
    let mut close = |chain: Option<(usize, usize)>| {
        if let Some((at, parts)) = chain.filter(|c| c.1 > MAX_KEY_PARTS) {
            found.push((at, parts));
        }
    };
    for t in Source::new(text).lex() {
        match t.kind() {
            K::Atom | K::BasicString | K::LiteralString => {
                chain = match chain {
                    Some((at, parts)) if dot => Some((at, parts + 1)),
                    other => {
                        close(other);
                        Some((t.span().start(), 1))
                    }
                };
                dot = false;
            }
            K::Dot if chain.is_some() && !dot => dot = true,
            K::Whitespace => {}
            _ => {
                close(chain.take());
                dot = false;
            }
        }
    }
    close(chain);
    found
}

/// The dotted key that the error at `at` in the value `text` of the override
/// `key` points at, if any.
pub(crate) fn key_in_value(text: &str, key: &str, at: usize) -> Option<String> {
    Named::of(text, Some(key), &[at]).remove(&at).map(|n| n.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_at(text: &str, needle: &str, nth: usize) -> Option<Named> {
        let at = text.match_indices(needle).nth(nth).unwrap().0;
        Named::of(text, None, &[at]).remove(&at)
    }

    #[test]
    fn names_keys_in_headers_dotted_keys_inline_tables_and_arrays() {
        let text = "[a.b]\nc.d = 1\ne = { f = [1, { g = 2 }] }\n[[h]]\ni = 1\n[[h]]\ni = 2\n[h.j]\nk = 1\n";
        let k = |needle, nth| key_at(text, needle, nth).map(|n| n.key);
        assert_eq!(k("b", 0).as_deref(), Some("a.b"));
        assert_eq!(k("d", 0).as_deref(), Some("a.b.c.d"));
        assert_eq!(k("g", 0).as_deref(), Some("a.b.e.f[1].g"));
        assert_eq!(k("i", 1).as_deref(), Some("h[1].i"));
        assert_eq!(k("k", 0).as_deref(), Some("h[1].j.k"));
    }

    #[test]
    fn finds_the_first_definition() {
        let text = "[t]\nx = 1\nx = 2\n[t]\n";
        let n = key_at(text, "x", 1).unwrap();
        assert_eq!((n.key.as_str(), n.first), ("t.x", Some((4, false))));
        let n = key_at(text, "t", 1).unwrap();
        assert_eq!(
            (n.key.as_str(), n.kind, n.first),
            ("t", Kind::Header, Some((0, true)))
        );
        // A parent named by a header defines nothing.
        let text = "[a.b]\n[a]\n[a]\n";
        let n = key_at(text, "a", 2).unwrap();
        assert_eq!(n.first, Some((6, true)));
        // An array of tables is defined by its first header; a key is not its own first.
        let n = key_at("[[a]]\n[a]\n", "a", 1).unwrap();
        assert_eq!(n.first, Some((0, false)));
        let n = key_at("[[a.b]]\n[a]\nb.c = 1\n", "c", 0).unwrap();
        assert_eq!((n.key.as_str(), n.first), ("a.b.c", None));
    }

    #[test]
    fn names_keys_inside_a_value() {
        let text = "{ troops = 1, troops = 2 }";
        let at = text.rfind("troops").unwrap();
        let n = Named::of(text, Some("nations.A.pool"), &[at]).remove(&at);
        assert_eq!(n.unwrap().key, "nations.A.pool.troops");
    }

    #[test]
    fn keys_of_more_parts_than_the_parser_allows_are_found_and_end_the_walk() {
        let long = vec!["a"; 81].join(" . ");
        let text = format!(
            "x = 1.5\n[{}]\ny = {{ '{long}' = 1, {long} = 2 }}\nz = 1\nz = 2\n",
            vec!["b"; 80].join(".")
        );
        let at = text.rfind(&long).unwrap();
        assert_eq!(long_keys(&text), vec![(at, 81)]);
        // Keys before it are named; none after it is.
        assert_eq!(
            key_at(&text, "y", 0).map(|n| n.key).as_deref(),
            Some(&*format!("{}.y", vec!["b"; 80].join(".")))
        );
        assert_eq!(key_at(&text, "z", 1), None);
    }

    #[test]
    fn never_panics_on_broken_text() {
        for text in [
            "",
            "[",
            "[[",
            "]",
            "]]",
            "a",
            "a.",
            ".a",
            "a = {",
            "a = [",
            "a = }",
            "a = ]",
            "[a\nb = 1",
            "a = { b = [ { c = ",
            "[[a]]\n[a]\n[[a]]",
            "a.b.c",
            "\"\" = 1\n\"\" = 2",
            "'a' = 1\n'a'= 2",
            "a = [1,,2]",
            "a = { , }",
            "[a.]\n",
            "[.a]",
            "x = \"\u{202e}\"\n[x]\n",
            "\u{feff}a=1",
        ] {
            let spans: Vec<usize> = (0..=text.len()).collect();
            let _ = Named::of(text, None, &spans);
            let _ = Named::of(text, Some("k"), &spans);
        }
    }
}
