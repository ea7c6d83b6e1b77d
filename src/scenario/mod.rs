//! The scenario file format: parsing, `--set` overrides, validation.
//!
//! ```text
//! text ──toml──▶ spanned tree ──extends──▶ merged tree ──--set──▶ spanned tree
//!      ──decode──▶ ScenarioFile ──validate──▶ Model ──lint──▶ warnings
//! ```
//!
//! Every stage records problems instead of stopping at the first, so a user sees
//! every error at once, each with `file:line:column` and the dotted key. A file
//! may extend another ([`extend`]); its diagnostics name the file each value came
//! from. Warnings ([`lint`]) point at likely modelling mistakes in a valid scenario.

pub mod decode;
pub mod diag;
mod effects;
pub mod extend;
pub mod figures;
mod ids;
pub mod iso;
mod keys;
pub mod lint;
pub mod raw;
mod reach;
pub mod validate;

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub use diag::{BaseText, Diagnostic, Diagnostics, Severity, SourceText};

use crate::model::Model;
use decode::{Cx, Decode};

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read (exit code 1).
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The scenario is invalid (exit code 2).
    #[error("{0}")]
    Invalid(Box<Diagnostics>),
}

/// A valid scenario and the warnings about it.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The model.
    pub model: Model,
    /// Likely modelling mistakes ([`lint`]); `items` is empty when there are none.
    pub warnings: Diagnostics,
}

/// Reads, overrides, decodes and validates the scenario at `path` (and the files
/// it extends).
pub fn load(path: &Path, overrides: &[String]) -> Result<Model, LoadError> {
    load_checked(path, overrides).map(|c| c.model)
}

/// Like [`load`], with the warnings about the scenario.
pub fn load_checked(path: &Path, overrides: &[String]) -> Result<Checked, LoadError> {
    let (origin, bytes) = read(path)?;
    check_bytes(&origin, &bytes, overrides).map_err(|d| LoadError::Invalid(Box::new(d)))
}

/// Reads the scenario file at `path`: its display name and bytes. A file larger
/// than [`crate::limits::MAX_SCENARIO_BYTES`] is refused without reading it whole.
pub fn read(path: &Path) -> Result<(String, Vec<u8>), LoadError> {
    let origin = path.display().to_string();
    let io = |source| LoadError::Io {
        path: origin.clone(),
        source,
    };
    let limit = crate::limits::MAX_SCENARIO_BYTES;
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        let message = "a directory, not a scenario file: give the path of a .toml file";
        return Err(LoadError::Invalid(Box::new(whole_file(
            &origin,
            message.into(),
        ))));
    }
    // A pipe (`<(cat s.toml)`, `/dev/stdin`) can be read only once: its bytes
    // are kept, so that every reading of it in this process (the check of the
    // outputs, the load, each variant) gets the same text.
    // A text over the limit is kept too (its first bytes past the limit), so
    // that every reading refuses it, not the rest of the pipe.
    let once = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    let bytes = match once.then(|| read_once(path)).flatten() {
        Some(bytes) => bytes,
        None => {
            let bytes = crate::input::read_limited(path, limit as u64).map_err(io)?;
            if once && let Ok(mut read) = READ_ONCE.lock() {
                read.push((path.to_path_buf(), bytes.clone()));
            }
            bytes
        }
    };
    if bytes.len() > limit {
        return Err(LoadError::Invalid(Box::new(too_large(&origin))));
    }
    Ok((origin, bytes))
}

/// The bytes of each scenario that is not a regular file, as first read.
static READ_ONCE: std::sync::Mutex<Vec<(std::path::PathBuf, Vec<u8>)>> =
    std::sync::Mutex::new(Vec::new());

/// The bytes of `path` if it was read before as a file that is not regular.
fn read_once(path: &Path) -> Option<Vec<u8>> {
    let read = READ_ONCE.lock().ok()?;
    read.iter().find(|(p, _)| p == path).map(|(_, b)| b.clone())
}

/// The files the scenario at `path` reads through `extends` (at any depth),
/// nearest first, as far as the chain can be read; the file itself is not
/// included. A command that writes files refuses to write over any of them.
pub fn base_files(path: &Path) -> Vec<std::path::PathBuf> {
    let Ok((origin, bytes)) = read(path) else {
        return Vec::new();
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Vec::new();
    };
    let mut source = SourceText::new(&origin, text);
    document(&mut source, Files::Read, &mut Cx::default());
    source
        .bases
        .iter()
        .map(|b| std::path::PathBuf::from(&b.origin))
        .collect()
}

fn too_large(origin: &str) -> Diagnostics {
    whole_file(
        origin,
        format!(
            "the file is larger than {} bytes, the limit for a scenario",
            crate::limits::MAX_SCENARIO_BYTES
        ),
    )
}

/// One problem with the file `origin` as a whole.
fn whole_file(origin: &str, message: String) -> Diagnostics {
    Diagnostics::errors(
        SourceText::new(origin, ""),
        vec![Diagnostic {
            more: 0,
            span: 0..0,
            key: String::new(),
            message,
        }],
    )
}

/// Like [`parse`], from raw bytes read from the file `origin`: invalid UTF-8 is a
/// located error, and an `extends` is read relative to `origin`.
pub fn parse_bytes(origin: &str, bytes: &[u8], overrides: &[String]) -> Result<Model, Diagnostics> {
    check_bytes(origin, bytes, overrides).map(|c| c.model)
}

/// Like [`parse_bytes`], with the warnings about the scenario.
pub fn check_bytes(
    origin: &str,
    bytes: &[u8],
    overrides: &[String],
) -> Result<Checked, Diagnostics> {
    utf8(origin, bytes).and_then(|text| check(origin, text, overrides, Files::Read))
}

fn utf8<'b>(origin: &str, bytes: &'b [u8]) -> Result<&'b str, Diagnostics> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        // Safe: `valid` is the valid UTF-8 prefix.
        let text = String::from_utf8_lossy(valid).into_owned();
        let at = text.len();
        Diagnostics::errors(
            SourceText::new(origin, text),
            vec![Diagnostic {
                more: 0,
                span: at..at,
                key: String::new(),
                message: "the file is not valid UTF-8 text: save it as UTF-8".into(),
            }],
        )
    })
}

/// The scenario read from the file `origin` as one document: its own text when it
/// extends nothing, else the merged document of it and its bases as TOML (what a
/// sharded run embeds in its partials, so that they merge without the base files).
pub fn resolved_text(origin: &str, bytes: &[u8]) -> Result<String, Diagnostics> {
    let text = utf8(origin, bytes)?;
    let mut source = SourceText::new(origin, text);
    let mut cx = Cx::default();
    let extends = document(&mut source, Files::Read, &mut cx);
    match extends {
        Some(false) if cx.diags.is_empty() => return Ok(text.to_string()),
        Some(true) if cx.diags.is_empty() => {}
        _ => return Err(Diagnostics::errors(source, cx.diags)),
    }
    let bases = source.bases.clone();
    let (root, _) = DeTable::parse_recoverable(text);
    let doc = extend::resolve(root.into_inner(), &bases, &mut cx);
    if cx.diags.is_empty() {
        Ok(extend::to_toml(&doc))
    } else {
        Err(Diagnostics::errors(source, cx.diags))
    }
}

/// Whether `extends` may read files (a scenario given as text may not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Files {
    Read,
    Refuse,
}

/// Parses the file's text and reads the bases it extends into `source`; `None`
/// (the errors recorded) when the text is not TOML. Returns whether it extends.
fn document(source: &mut SourceText, files: Files, cx: &mut Cx) -> Option<bool> {
    let text = source.text.clone();
    let (root, errors) = DeTable::parse_recoverable(&text);
    if !errors.is_empty() {
        keys::syntax_errors(&text, 0, &errors, cx);
        return None;
    }
    let Some(first) = extend::extends_of(root.get_ref(), cx) else {
        if let Some(r) = extend::remove_of(root.get_ref()) {
            cx.error(
                r.span(),
                "scenario.remove",
                "`remove` takes keys out of a base scenario, but this file extends none: add `extends = \"BASE.toml\"` or delete `remove`",
            );
        }
        return Some(false);
    };
    if files == Files::Refuse {
        cx.error(
            first.1,
            "scenario.extends",
            "this scenario extends another file, but it was given as text: load it from its file so that the base can be read",
        );
        return None;
    }
    source.bases = extend::read_chain(&source.origin, first, source, cx).into_boxed_slice();
    Some(true)
}

/// Parses a scenario from text (`origin` names it in messages), applies `overrides`
/// (`KEY=VALUE`, dotted keys), and validates it. Every problem is returned at once.
/// A scenario given as text cannot `extends` another: use [`load`] or [`parse_bytes`].
pub fn parse(origin: &str, text: &str, overrides: &[String]) -> Result<Model, Diagnostics> {
    check(origin, text, overrides, Files::Refuse).map(|c| c.model)
}

/// Like [`parse`], with the warnings about the scenario.
pub fn parse_checked(
    origin: &str,
    text: &str,
    overrides: &[String],
) -> Result<Checked, Diagnostics> {
    check(origin, text, overrides, Files::Refuse)
}

fn check(
    origin: &str,
    text: &str,
    overrides: &[String],
    files: Files,
) -> Result<Checked, Diagnostics> {
    if text.len() > crate::limits::MAX_SCENARIO_BYTES {
        return Err(too_large(origin));
    }
    let mut source = SourceText::new(origin, text);
    let mut cx = Cx::default();
    let fail = |source: SourceText, cx: Cx| Diagnostics::errors(source, cx.diags);
    if text.trim().is_empty() {
        cx.error(
            0..0,
            "",
            "the file is empty: a scenario needs at least [scenario], [domains.ID] and [nations.ID] tables",
        );
        return Err(fail(source, cx));
    }
    let extends = match document(&mut source, files, &mut cx) {
        Some(extends) if cx.diags.is_empty() => extends,
        Some(true) => {
            own_errors(text, &mut cx);
            return Err(fail(source, cx));
        }
        _ => return Err(fail(source, cx)),
    };
    let bases = source.bases.clone();
    let (root, _) = DeTable::parse_recoverable(text);
    let span = root.span();
    let mut root = root.into_inner();
    let mut resolved = None;
    if extends {
        root = extend::resolve(root, &bases, &mut cx);
        resolved = Some(extend::to_toml(&root));
        extend::locate_removals(&source, &mut cx);
    }
    // Overrides are parsed from their own strings; spans are shifted past the file
    // (and its bases) so that messages can point at the override instead of a line.
    if !overrides.is_empty() {
        cx.overrides_from = Some(source.next_override_base());
    }
    for o in overrides {
        let base = source.next_override_base();
        source.overrides.push((base, o.clone()));
        apply_override(&mut root, o, base, &mut cx);
    }
    let root_node = Spanned::new(span, DeValue::Table(root));
    let file = raw::ScenarioFile::decode(&root_node, "", &mut cx);
    let model = file
        .as_ref()
        .and_then(|f| validate::validate(f, origin, &mut cx));
    match (model, file) {
        (Some(mut m), Some(f)) if cx.diags.is_empty() => {
            m.overrides = overrides.to_vec();
            m.digest = digest(resolved.as_deref().unwrap_or(text), overrides);
            let items = lint::lint(&f, &m);
            let warnings = Diagnostics {
                source,
                items,
                severity: Severity::Warning,
            };
            Ok(Checked { model: m, warnings })
        }
        _ => Err(fail(source, cx)),
    }
}

/// Where the base of a file that extends one cannot be read: the file's own
/// errors (unknown keys, values of the wrong type or out of range), found by
/// decoding it alone. A key it leaves to its base is not an error, nor is
/// anything that refers to what the base defines (that is validated later).
fn own_errors(text: &str, cx: &mut Cx) {
    let (root, _) = DeTable::parse_recoverable(text);
    let span = root.span();
    let node = Spanned::new(span, DeValue::Table(extend::own_keys(root.into_inner())));
    let mut own = Cx::default();
    raw::ScenarioFile::decode(&node, "", &mut own);
    let errors = own.diags.into_iter();
    cx.diags
        .extend(errors.filter(|d| !d.message.starts_with("missing required key")));
}

/// A 64-bit digest of the scenario text and its overrides: two runs with the same
/// digest, seed and trial count compute the same report.
fn digest(text: &str, overrides: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    eat(text.as_bytes());
    for o in overrides {
        eat(&[0]);
        eat(o.as_bytes());
    }
    h
}

/// One segment of a `--set` key: a table key, an array index (`[1]`), or a
/// bare number (`.0`): an index into an array, a key of a table (an id made
/// of digits).
#[derive(Clone, Copy)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
    Number(&'a str, usize),
}

impl<'a> Segment<'a> {
    /// The segment as it applies to `cur`: a bare number is a key of a table.
    fn on(self, cur: &DeValue<'_>) -> Segment<'a> {
        match (self, cur) {
            (Segment::Number(k, _), DeValue::Table(_)) => Segment::Key(k),
            (Segment::Number(_, i), _) => Segment::Index(i),
            (s, _) => s,
        }
    }
}

fn segments(key: &str) -> Option<Vec<Segment<'_>>> {
    let mut out = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() && rest.is_empty() {
            return None;
        }
        if !name.is_empty() {
            match name.parse::<usize>() {
                Ok(i) if !out.is_empty() => out.push(Segment::Number(name, i)),
                _ => out.push(Segment::Key(name)),
            }
        }
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            out.push(Segment::Index(r[..end].parse().ok()?));
            rest = &r[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

fn shift<'i>(v: Spanned<DeValue<'i>>, off: usize) -> Spanned<DeValue<'i>> {
    let span = v.span();
    let span = span.start + off..span.end + off;
    let value = match v.into_inner() {
        DeValue::Array(mut a) => {
            for item in a.iter_mut() {
                *item = shift(item.clone(), off);
            }
            DeValue::Array(a)
        }
        DeValue::Table(t) => {
            let mut out = DeTable::new();
            for (k, v) in t {
                let ks = k.span();
                out.insert(
                    Spanned::new(ks.start + off..ks.end + off, k.into_inner()),
                    shift(v, off),
                );
            }
            DeValue::Table(out)
        }
        other => other,
    };
    Spanned::new(span, value)
}

/// A parsed file's table with every span moved `off` bytes on (a base file's place
/// in the [`SourceText`]).
pub(crate) fn shift_table(t: DeTable<'_>, off: usize) -> DeTable<'_> {
    match shift(Spanned::new(0..0, DeValue::Table(t)), off).into_inner() {
        DeValue::Table(t) => t,
        _ => DeTable::new(),
    }
}

fn keys_of(t: &DeTable<'_>) -> String {
    let keys: Vec<&str> = t.keys().map(|k| k.get_ref().as_ref()).collect();
    if keys.is_empty() {
        "none".into()
    } else {
        keys.join(", ")
    }
}

/// Applies `KEY=VALUE` to the document. VALUE is TOML (`0.3`, `[1, 2]`,
/// `{ pert = [1, 2, 3] }`); anything that does not parse as TOML is taken as a string.
/// Whether an override's value holds another override after a `,` or a space
/// (`0.9, nations.B.participation=0.9`).
fn two_overrides(value: &str) -> bool {
    value.split([',', ' ']).skip(1).any(|part| {
        part.split_once('=')
            .is_some_and(|(k, _)| segments(k.trim()).is_some() && k.contains('.'))
    })
}

fn apply_override<'i>(root: &mut DeTable<'i>, o: &'i str, base: usize, cx: &mut Cx) {
    let whole = base..base + o.len();
    let Some((key, value)) = o.split_once('=') else {
        cx.error(
            whole,
            "",
            "an override must look like KEY=VALUE, e.g. nations.ESP.participation=0.3",
        );
        return;
    };
    let key = key.trim();
    if matches!(key, "scenario.extends" | "scenario.remove") {
        cx.error(
            whole,
            key,
            format!("`{key}` cannot be set with --set: the files a scenario extends are read and merged before overrides apply; write it in the scenario file"),
        );
        return;
    }
    let value_off = base + o.len() - value.len();
    let Some(segs) = segments(key) else {
        cx.error(
            whole,
            key,
            "not a dotted key: write e.g. nations.ESP.participation or nations.ESP.approval[0].probability",
        );
        return;
    };
    let trimmed = value.trim();
    let lead = value.len() - value.trim_start().len();
    // A word (`in`, `My plan`) is taken as text; what starts like a number or
    // holds a comment must be valid TOML.
    let word = trimmed.starts_with(|c: char| c.is_alphabetic()) && !trimmed.contains('#');
    let parsed = match DeValue::parse(trimmed) {
        Ok(v) => v,
        Err(_) if trimmed.is_empty() => {
            cx.error(
                whole,
                key,
                "no value after `=`: write e.g. KEY=0.3, KEY=\"text\" or KEY=[...]",
            );
            return;
        }
        Err(e) if !word || trimmed.starts_with(['{', '[', '"', '\'']) => {
            let inner = e
                .span()
                .and_then(|s| keys::key_in_value(trimmed, key, s.start));
            cx.error(
                whole,
                inner.as_deref().unwrap_or(key),
                format!(
                    "the value is not valid TOML: {}{}",
                    e.message().trim(),
                    if trimmed.contains('#') {
                        " (a `# comment` cannot follow a --set value)".to_string()
                    } else if two_overrides(trimmed) {
                        " (this holds another KEY=VALUE: one override per --set, and in --variant separate them with `;`)".to_string()
                    } else {
                        figures::figure_hint(trimmed)
                    }
                ),
            );
            return;
        }
        Err(_) => Spanned::new(0..trimmed.len(), DeValue::String(trimmed.into())),
    };
    let new_value = shift(parsed, value_off + lead);

    let mut doc = DeValue::Table(std::mem::take(root));
    set_path(&mut doc, &segs, new_value, key, whole, value_off, cx);
    if let DeValue::Table(t) = doc {
        *root = t;
    }
}

/// Optional tables that hold only values may be created by an override; tables
/// of named entities may not (a typo would add one). A nation's contributions
/// to a domain may: their domain must be one the scenario declares, which
/// validation checks (with a did-you-mean), as it does for a table set whole.
fn creatable(path: &str, k: &str) -> bool {
    let parent: Vec<&str> = path.split('.').collect();
    matches!(
        (parent.as_slice(), k),
        ([""], "simulation" | "report" | "mission" | "force")
            | (["report"], "thresholds")
            | (["force"], "requirements")
            | (
                ["nations", _],
                "if_absent" | "if_present" | "pool" | "contributions"
            )
            | (["nations", _, "contributions"], _)
            | (["domains", _], "lead_provides")
    )
}

/// Records that table `t` at `path` has no key `k`, with a did-you-mean hint;
/// `next` is the segment of the key that follows `k`, if any.
fn no_such_key(
    t: &DeTable<'_>,
    path: &str,
    k: &str,
    next: Option<Segment<'_>>,
    target: &Target<'_>,
    cx: &mut Cx,
) {
    let level = if path.is_empty() {
        "the top level".to_string()
    } else {
        format!("`{path}`")
    };
    let present: Vec<&str> = t.keys().map(|k| k.get_ref().as_ref()).collect();
    let country = (path == "nations")
        .then(|| iso::suggest(k, &present))
        .flatten();
    let hint = match (country, decode::closest(k, &present)) {
        (Some((code, name)), _) => format!(" (did you mean `{code}`, {name}?)"),
        (None, Some(c)) => format!(" (did you mean `{c}`?)"),
        (None, None) => String::new(),
    };
    // `a.b[0].c` (or `a.b.0.c`, `b` a list of the format) where `a` has no `b`:
    // a list --set cannot add to.
    let list = match next {
        Some(Segment::Index(_)) => true,
        Some(Segment::Number(..)) => list_key(k),
        _ => false,
    };
    let message = if list {
        let at = decode::join(path, k);
        format!(
            "no list `{k}` at {level}{hint}, and --set cannot add an entry to a list the scenario does not have: set the whole list instead, e.g. --set '{at}=[…]'"
        )
    } else if path.is_empty()
        && matches!(
            k,
            "conditions" | "blocs" | "capabilities" | "domains" | "nations"
        )
    {
        // A table of named entities the file does not have: --set creates none.
        format!(
            "the scenario has no [{k}] table, and --set cannot create one (a typo would add an entity): write [{k}.ID] in the file first"
        )
    } else {
        format!(
            "no key `{k}` at {level}{hint}; valid keys there: {}",
            keys_of(t)
        )
    };
    target.error(cx, message);
}

/// Whether `k` names a list anywhere in the scenario format (`effects`,
/// `approval`, `lead`, …): a bare number after it is an index, not an id.
fn list_key(k: &str) -> bool {
    fn walk(v: &serde_json::Value, k: &str) -> bool {
        match v {
            serde_json::Value::Object(o) => {
                let here = o
                    .get("properties")
                    .and_then(|p| p.get(k))
                    .is_some_and(|p| p.get("type").and_then(|t| t.as_str()) == Some("array"));
                here || o.values().any(|x| walk(x, k))
            }
            serde_json::Value::Array(a) => a.iter().any(|x| walk(x, k)),
            _ => false,
        }
    }
    walk(&schema(), k)
}

/// The override being applied: its key as written, its whole span, and where
/// its value starts.
struct Target<'k> {
    key: &'k str,
    whole: std::ops::Range<usize>,
    value_off: usize,
}

impl Target<'_> {
    fn error(&self, cx: &mut Cx, message: String) {
        cx.error(self.whole.clone(), self.key, message);
    }
}

fn set_path<'i>(
    doc: &mut DeValue<'i>,
    segs: &[Segment<'_>],
    new_value: Spanned<DeValue<'i>>,
    key: &str,
    whole: std::ops::Range<usize>,
    value_off: usize,
    cx: &mut Cx,
) {
    let target = Target {
        key,
        whole,
        value_off,
    };
    let (last, parents) = segs.split_last().expect("segments are non-empty");
    let mut path = String::new();
    let mut cur = doc;
    for (n, seg) in parents.iter().enumerate() {
        let after = segs.get(n + 1).copied();
        let next = match seg.on(cur) {
            Segment::Key(k) => step_key(cur, k, after, &mut path, &target, cx),
            Segment::Index(i) | Segment::Number(_, i) => step_index(cur, i, &mut path, &target, cx),
        };
        match next {
            Some(next) => cur = next,
            None => return,
        }
    }
    set_leaf(cur, &last.on(cur), &path, new_value, &target, cx);
}

/// Descends into key `k` of the table `cur` (at `path`), creating it where
/// [`creatable`]; `None` (the error recorded) when it cannot. `after` is the
/// segment that follows `k`.
fn step_key<'d, 'i>(
    cur: &'d mut DeValue<'i>,
    k: &str,
    after: Option<Segment<'_>>,
    path: &mut String,
    target: &Target<'_>,
    cx: &mut Cx,
) -> Option<&'d mut DeValue<'i>> {
    let DeValue::Table(t) = cur else {
        target.error(
            cx,
            format!("`{path}` is not a table, so it has no key `{k}`"),
        );
        return None;
    };
    if !t.contains_key(k) {
        if !creatable(path, k) {
            no_such_key(t, path, k, after, target, cx);
            return None;
        }
        let at = target.value_off..target.value_off;
        t.insert(
            Spanned::new(at.clone(), k.to_string().into()),
            Spanned::new(at, DeValue::Table(DeTable::new())),
        );
    }
    *path = decode::join(path, k);
    t.get_mut(k).map(Spanned::get_mut)
}

/// Descends into element `i` of the array `cur` (at `path`); `None` (the error
/// recorded) when there is none.
fn step_index<'d, 'i>(
    cur: &'d mut DeValue<'i>,
    i: usize,
    path: &mut String,
    target: &Target<'_>,
    cx: &mut Cx,
) -> Option<&'d mut DeValue<'i>> {
    let DeValue::Array(a) = cur else {
        target.error(
            cx,
            format!("`{path}` is not an array, so it has no element [{i}]"),
        );
        return None;
    };
    let len = a.len();
    if i >= len {
        target.error(
            cx,
            format!("`{path}` has {len} elements, so there is no [{i}]"),
        );
        return None;
    }
    *path = format!("{path}[{i}]");
    a.get_mut(i).map(Spanned::get_mut)
}

/// Sets the last segment of the key in `cur` (at `path`).
fn set_leaf<'i>(
    cur: &mut DeValue<'i>,
    last: &Segment<'_>,
    path: &str,
    new_value: Spanned<DeValue<'i>>,
    target: &Target<'_>,
    cx: &mut Cx,
) {
    match (last, cur) {
        // A table value at a new key would add an entity (a typo of a nation's id
        // would add a nation): refused as the leaf form refuses it.
        (Segment::Key(k), DeValue::Table(t))
            if !t.contains_key(*k)
                && matches!(new_value.get_ref(), DeValue::Table(_))
                && matches!(
                    path,
                    "capabilities" | "conditions" | "blocs" | "domains" | "nations"
                ) =>
        {
            no_such_key(t, path, k, None, target, cx)
        }
        (Segment::Key(k), DeValue::Table(t)) => {
            let span = new_value.span();
            t.insert(Spanned::new(span, (*k).to_string().into()), new_value);
        }
        (Segment::Index(i) | Segment::Number(_, i), DeValue::Array(a)) if *i < a.len() => {
            if let Some(slot) = a.get_mut(*i) {
                *slot = new_value;
            }
        }
        (Segment::Key(k), _) => target.error(
            cx,
            format!("`{path}` is not a table, so it has no key `{k}`"),
        ),
        (Segment::Index(i) | Segment::Number(_, i), _) => {
            target.error(cx, format!("`{path}` has no element [{i}] to set"))
        }
    }
}

/// The JSON Schema of the scenario format, generated from the same types that decode it.
pub fn schema() -> serde_json::Value {
    let mut s = raw::ScenarioFile::schema();
    if let Some(meta) = s
        .pointer_mut("/properties/scenario/properties")
        .and_then(|p| p.as_object_mut())
    {
        meta.insert(
            "extends".into(),
            serde_json::json!({
                "type": "string",
                "description": "The base scenario this one changes, relative to this file: the base is read first, then this file's tables are merged into it key by key (arrays and distributions replace the base's whole)."
            }),
        );
        meta.insert(
            "remove".into(),
            serde_json::json!({
                "type": "array",
                "items": { "type": "string" },
                "description": "Dotted keys to delete from the base before the merge, e.g. \"nations.DNK\"; needs `extends`."
            }),
        );
    }
    // `participation` is required unless the decision is fixed.
    if let Some(nation) = s
        .pointer_mut("/properties/nations/additionalProperties")
        .and_then(|n| n.as_object_mut())
    {
        nation.insert(
            "if".into(),
            serde_json::json!({
                "properties": { "decision": { "enum": ["in", "out"] } },
                "required": ["decision"]
            }),
        );
        nation.insert(
            "else".into(),
            serde_json::json!({ "required": ["participation"] }),
        );
    }
    // A file that extends another may leave out what its base gives: the
    // members required of a whole scenario apply only to a file without `extends`.
    let whole = s
        .pointer_mut("/properties")
        .and_then(take_required)
        .map(|p| serde_json::json!({ "properties": p }));
    if let Some(o) = s.as_object_mut() {
        o.insert(
            "$schema".into(),
            "https://json-schema.org/draft/2020-12/schema".into(),
        );
        o.insert("title".into(), "forcesim scenario".into());
        if let Some(whole) = whole {
            o.insert(
                "if".into(),
                serde_json::json!({ "properties": { "scenario": { "required": ["extends"] } } }),
            );
            o.insert("else".into(), whole);
        }
    }
    s
}

/// Removes from the tables of `properties` (and from theirs, through
/// `properties` and `additionalProperties`) their `required` members and
/// conditions (`if`, `then`, `else`), and returns them in the same shape;
/// `None` when there are none. Alternatives (`anyOf`, `oneOf`) and array
/// items keep theirs: there a required member tells the forms apart.
fn take_required(properties: &mut serde_json::Value) -> Option<serde_json::Value> {
    let mut out = serde_json::Map::new();
    for (k, v) in properties.as_object_mut()? {
        if let Some(t) = take_from_table(v) {
            out.insert(k.clone(), t);
        }
    }
    (!out.is_empty()).then_some(serde_json::Value::Object(out))
}

/// [`take_required`] of one table's schema.
fn take_from_table(v: &mut serde_json::Value) -> Option<serde_json::Value> {
    let o = v.as_object_mut()?;
    let mut out = serde_json::Map::new();
    for key in ["required", "if", "then", "else"] {
        match o.remove(key) {
            Some(serde_json::Value::Array(a)) if a.is_empty() => {}
            Some(x) => {
                out.insert(key.into(), x);
            }
            None => {}
        }
    }
    if let Some(p) = o.get_mut("properties").and_then(take_required) {
        out.insert("properties".into(), p);
    }
    if let Some(t) = o.get_mut("additionalProperties").and_then(take_from_table) {
        out.insert("additionalProperties".into(), t);
    }
    (!out.is_empty()).then_some(serde_json::Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_parse_keys_and_indices() {
        let s = segments("nations.ESP.approval[1].probability").unwrap();
        assert_eq!(s.len(), 5);
        assert!(matches!(s[3], Segment::Index(1)));
        let s = segments("nations.ESP.approval.0.probability").unwrap();
        assert!(matches!(s[3], Segment::Number("0", 0)));
        // A bare number is an index into an array, a key of a table.
        let table = DeValue::Table(DeTable::new());
        let array = DeValue::Array(Default::default());
        assert!(matches!(s[3].on(&array), Segment::Index(0)));
        assert!(matches!(s[3].on(&table), Segment::Key("0")));
        assert!(segments("a..b").is_none());
        assert!(segments("a[x]").is_none());
    }
}
