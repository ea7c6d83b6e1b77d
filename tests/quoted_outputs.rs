//! Every output quoted in README.md and docs/*.md is what its command prints.
//!
//! A quoted output is a ```` ```text ```` block that either starts with `$ COMMAND`
//! or follows a ```` ```sh ```` block holding exactly one `forcesim …` command.
//! The command is run (with `forcesim` or `cargo run --release --` standing for
//! the binary under test) from the repository root, and its output (standard
//! output, then standard error) must match the block line by line, with two
//! allowances: timings and thread counts are masked, and `…` marks text left
//! out (a line `…` skips any number of lines; a line ending in `…` matches any
//! line that starts with what precedes it).
//!
//! A paragraph that reads a quoted output (it starts with "Reading it", right
//! after the block) may only cite figures the block shows: every number in it
//! must appear in the block, character for character.
//!
//! `FORCESIM_UPDATE_QUOTES=1 cargo test --test quoted_outputs` rewrites the
//! blocks from what the commands print now (keeping each block's cut), to be
//! committed on purpose after a change that moves the figures.

mod common;

use std::path::{Path, PathBuf};

/// One quoted output: where it is, the command, and the quoted lines.
struct Quote {
    file: PathBuf,
    /// Line index of the first quoted line in the file (after the fence, and
    /// after the `$ command` line when there is one).
    first: usize,
    /// The quoted lines.
    lines: Vec<String>,
    /// The command's arguments after the program name.
    args: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The documents that quote outputs.
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

/// The arguments of `line` when it runs forcesim, else `None`.
fn forcesim_args(line: &str) -> Option<Vec<String>> {
    let line = line.trim().trim_start_matches("$ ");
    let rest = line
        .strip_prefix("cargo run --release -- ")
        .or_else(|| line.strip_prefix("forcesim "))?;
    let rest = rest.split(" #").next().unwrap_or(rest);
    Some(split_shell(rest))
}

/// Splits a command line on blanks, honouring single and double quotes.
fn split_shell(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for c in s.chars() {
        match (quote, c) {
            (None, '\'' | '"') => (quote, any) = (Some(c), true),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// The quoted outputs of one document.
fn quotes(file: &Path) -> Vec<Quote> {
    let text = std::fs::read_to_string(file).expect("document");
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut last_sh: Option<Vec<String>> = None;
    let mut i = 0;
    while i < lines.len() {
        let fence = lines[i].trim_end();
        if fence == "```sh" || fence == "```text" {
            let end = (i + 1..lines.len())
                .find(|&j| lines[j].trim_end() == "```")
                .unwrap_or(lines.len());
            let body: Vec<String> = lines[i + 1..end].iter().map(|s| s.to_string()).collect();
            if fence == "```sh" {
                // A command continued over lines (`\` at the end) is one command.
                let joined = body.join("\n").replace("\\\n", " ");
                let cmds: Vec<&str> = joined
                    .lines()
                    .filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'))
                    .collect();
                last_sh = match cmds.as_slice() {
                    [one] => forcesim_args(one),
                    _ => None,
                };
            } else if let Some(q) = quote_of(file, i + 1, body, last_sh.take()) {
                out.push(q);
            }
            i = end + 1;
            continue;
        }
        if !lines[i].trim().is_empty() {
            last_sh = None;
        }
        i += 1;
    }
    out
}

fn quote_of(
    file: &Path,
    first: usize,
    body: Vec<String>,
    sh: Option<Vec<String>>,
) -> Option<Quote> {
    if let Some(args) = body
        .first()
        .and_then(|l| l.starts_with("$ ").then(|| forcesim_args(l)))
    {
        return Some(Quote {
            file: file.to_path_buf(),
            first: first + 1,
            lines: body[1..].to_vec(),
            args: args?,
        });
    }
    Some(Quote {
        file: file.to_path_buf(),
        first,
        lines: body,
        args: sh?,
    })
}

/// Timings and thread counts, which differ from run to run and machine to machine.
fn mask(line: &str) -> String {
    let mut out = String::new();
    let words: Vec<&str> = line.split(' ').collect();
    let mut k = 0;
    while k < words.len() {
        let w = words[k];
        let numeric = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        };
        let next = words.get(k + 1).copied().unwrap_or("");
        if numeric(w) && (next == "s" || next.starts_with("thread")) {
            out.push_str(if next == "s" { "T s" } else { "N thread" });
            k += 2;
        } else if w.starts_with('(') && numeric(&w[1..]) && next.starts_with("trials/s") {
            out.push_str("(R trials/s)");
            k += 2;
        } else if numeric(w) && next.starts_with("trials/s") {
            out.push_str("R trials/s");
            k += 2;
        } else {
            out.push_str(w);
            k += 1;
        }
        out.push(' ');
    }
    out.trim_end().to_string()
}

/// Where each quoted line matched in `actual`, or the first mismatch.
fn matches(expected: &[String], actual: &[String]) -> Result<(), String> {
    let (mut e, mut a, mut skipping) = (0, 0, false);
    while e < expected.len() {
        let want = expected[e].trim_end();
        if want == "…" {
            skipping = true;
            e += 1;
            continue;
        }
        let ok = |got: &str| match want.strip_suffix('…') {
            Some(prefix) => mask(got).starts_with(&mask(prefix)),
            None => mask(got.trim_end()) == mask(want),
        };
        match actual[a.min(actual.len())..].iter().position(|got| ok(got)) {
            Some(0) => a += 1,
            Some(k) if skipping => a += k + 1,
            _ => {
                let got = actual.get(a).map_or("(end of output)", |s| s.as_str());
                return Err(format!(
                    "quoted line {e}:\n  quoted:  {want}\n  printed: {got}"
                ));
            }
        }
        skipping = false;
        e += 1;
    }
    let cut = expected.last().is_some_and(|l| l.trim_end() == "…");
    match actual.get(a) {
        Some(more) if !cut => Err(format!("printed more than is quoted: {more}")),
        _ => Ok(()),
    }
}

/// What the command prints: standard output, then standard error.
fn printed(args: &[String]) -> Vec<String> {
    let out = std::process::Command::new(common::bin())
        .args(args)
        .current_dir(root())
        .output()
        .expect("forcesim runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines
}

/// The block rewritten from `actual`, keeping its cuts: each run of quoted
/// lines becomes as many printed lines, found after a `…` by the text of its
/// first line up to its first digit. `None` when a run cannot be found.
fn rewritten(expected: &[String], actual: &[String]) -> Option<Vec<String>> {
    if !expected.iter().any(|l| l.trim_end() == "…") {
        return Some(actual.to_vec());
    }
    let mut out = Vec::new();
    let mut a = 0;
    let mut segments = expected.split(|l| l.trim_end() == "…").peekable();
    let mut first = true;
    while let Some(seg) = segments.next() {
        if !first {
            out.push("…".to_string());
            if let Some(head) = seg.first() {
                let anchor: String = head.chars().take_while(|c| !c.is_ascii_digit()).collect();
                a += actual[a.min(actual.len())..]
                    .iter()
                    .position(|l| l.starts_with(anchor.trim_end()))?;
            }
        }
        out.extend(actual.iter().skip(a).take(seg.len()).cloned());
        a += seg.len();
        first = false;
        if segments.peek().is_none() && seg.is_empty() {
            break;
        }
    }
    Some(out)
}

fn update(q: &Quote, new: &[String]) {
    let text = std::fs::read_to_string(&q.file).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.splice(q.first..q.first + q.lines.len(), new.iter().cloned());
    let mut out = lines.join("\n");
    out.push('\n');
    std::fs::write(&q.file, out).unwrap();
}

#[test]
fn every_quoted_output_is_what_its_command_prints() {
    let updating = std::env::var_os("FORCESIM_UPDATE_QUOTES").is_some();
    let mut failures = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        // Bottom up, so that rewriting a block keeps the line numbers of those above.
        for q in quotes(&doc).iter().rev() {
            let actual = printed(&q.args);
            checked += 1;
            let Err(why) = matches(&q.lines, &actual) else {
                continue;
            };
            match (updating, rewritten(&q.lines, &actual)) {
                (true, Some(new)) => update(q, &new),
                _ => failures.push(format!(
                    "{}:{}: `forcesim {}`: {why}",
                    q.file.display(),
                    q.first + 1,
                    q.args.join(" ")
                )),
            }
        }
    }
    assert!(checked >= 5, "only {checked} quoted outputs found");
    assert!(
        failures.is_empty(),
        "{} quoted output(s) differ from what the command prints (regenerate on purpose with \
         FORCESIM_UPDATE_QUOTES=1 cargo test --test quoted_outputs):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_matcher_masks_timings_and_honours_cuts() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let quoted = s(&[
        "a · 2 threads · 0.07 s (3,074,807 trials/s)",
        "…",
        "c",
        "d…",
    ]);
    let printed = s(&[
        "a · 1 thread · 1.5 s (10 trials/s)",
        "x",
        "y",
        "c",
        "d and more",
    ]);
    assert!(matches(&quoted, &printed).is_ok());
    assert!(matches(&s(&["a", "c"]), &s(&["a", "b", "c"])).is_err());
    assert!(matches(&s(&["35.2 %"]), &s(&["35.1 %"])).is_err());
    assert!(matches(&s(&["a"]), &s(&["a", "b"])).is_err());
    assert!(matches(&s(&["a", "…"]), &s(&["a", "b"])).is_ok());
    let cut = s(&["…", "Nations 1", "  x 2", "…"]);
    let now = s(&["head", "Nations 7", "  y 8", "tail"]);
    assert_eq!(
        rewritten(&cut, &now).unwrap(),
        s(&["…", "Nations 7", "  y 8", "…"])
    );
    assert_eq!(
        split_shell("run s.toml --set 'a[1]=0' --variant \"x: y=1\""),
        s(&["run", "s.toml", "--set", "a[1]=0", "--variant", "x: y=1"])
    );
}

/// The paragraph right after quote `q`'s block when it starts with "Reading it".
fn reading(q: &Quote) -> Option<String> {
    let text = std::fs::read_to_string(&q.file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The closing fence follows the quoted lines.
    let after = q.first + q.lines.len() + 1;
    let start = (after..lines.len()).find(|&i| !lines[i].trim().is_empty())?;
    if !lines[start].starts_with("Reading it") {
        return None;
    }
    let end = (start..lines.len())
        .find(|&i| lines[i].trim().is_empty())
        .unwrap_or(lines.len());
    Some(lines[start..end].join(" "))
}

/// The numbers of a text as written: digits with their `,` and `.` inside, and
/// ` %` when one follows.
fn numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || (matches!(chars[i], ',' | '.')
                    && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
        {
            i += 1;
        }
        let mut n: String = chars[start..i].iter().collect();
        if chars.get(i) == Some(&' ') && chars.get(i + 1) == Some(&'%') {
            n.push_str(" %");
        }
        out.push(n);
    }
    out
}

#[test]
fn every_figure_read_from_a_quoted_output_is_in_it() {
    let mut failures = Vec::new();
    let mut read = 0;
    for doc in documents() {
        for q in quotes(&doc) {
            let Some(text) = reading(&q) else { continue };
            read += 1;
            let block = q.lines.join("\n");
            for n in numbers(&text) {
                if !block.contains(&n) {
                    failures.push(format!(
                        "{}:{}: `{n}` is not in the output it reads",
                        q.file.display(),
                        q.first + 1
                    ));
                }
            }
        }
    }
    assert!(read >= 1, "no reading of a quoted output found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn numbers_are_read_as_written() {
    assert_eq!(
        numbers("median of 21,894 troops, 35.4 % and day 30."),
        ["21,894", "35.4 %", "30"]
    );
}

/// The charts in docs/img that README.md and docs/charts.md show as drawn by
/// `forcesim run scenarios/paris-2026.toml --charts docs/img` are what that
/// command draws now, byte for byte (`FORCESIM_UPDATE_QUOTES=1` rewrites them).
#[test]
fn the_reference_charts_in_docs_img_are_what_run_draws() {
    let (dir, drawn) = draw(&["run", "scenarios/paris-2026.toml", "-q"]);
    assert!(drawn.len() >= 6, "{drawn:?}");
    let pairs: Vec<(&str, &str)> = drawn.iter().map(|n| (n.as_str(), n.as_str())).collect();
    assert_shown(dir.path(), &pairs);
}

/// The charts docs/whatif.md shows under its sweep and compare commands are
/// what those commands draw now, byte for byte.
#[test]
fn the_whatif_charts_in_docs_img_are_what_their_commands_draw() {
    const P: &str = "scenarios/paris-2026.toml";
    let sweep = [
        "sweep",
        P,
        "--vary",
        "domains.land.requirements.troops=12000:24000:2000",
    ];
    let table = [
        "sweep",
        P,
        "--vary",
        "nations.ESP.participation=0:1:0.25",
        "--vary",
        "conditions.us_backstop.probability=0.5,0.75,0.9,1",
    ];
    let compare = [
        "compare",
        P,
        "--variant",
        "no-backstop: conditions.us_backstop.probability=0",
        "--variant",
        "spain-says-no: nations.ESP.approval[1].probability=0",
    ];
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &sweep,
            "sweep-domains.land.requirements.troops.png",
            "sweep.png",
        ),
        (
            &table,
            "sweep-nations.ESP.participation-conditions.us_backstop.probability.png",
            "sweep-decision-table.png",
        ),
        (
            &compare,
            "compare-paris-2026-no-backstop-spain-says-no.png",
            "compare.png",
        ),
    ];
    for (args, drawn_name, shown) in cases {
        let (dir, drawn) = draw(args);
        assert_eq!(drawn, [drawn_name], "{args:?}");
        assert_shown(dir.path(), &[(drawn_name, shown)]);
    }
}

/// Runs forcesim with `args` and `--charts` into a scratch directory, in the
/// repository's root: the directory and the names of the files drawn, sorted.
fn draw(args: &[&str]) -> (tempfile::TempDir, Vec<String>) {
    let dir = common::scratch();
    let out = std::process::Command::new(common::bin())
        .args(args)
        .arg("--charts")
        .arg(dir.path())
        .current_dir(root())
        .output()
        .expect("forcesim runs");
    assert!(out.status.success(), "{args:?}: {out:?}");
    let mut drawn: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    drawn.sort();
    (dir, drawn)
}

/// Each (drawn, shown) pair: the file `drawn` in `dir` is byte for byte
/// docs/img/`shown` (`FORCESIM_UPDATE_QUOTES=1` rewrites the shown file).
fn assert_shown(dir: &std::path::Path, pairs: &[(&str, &str)]) {
    let updating = std::env::var_os("FORCESIM_UPDATE_QUOTES").is_some();
    let mut stale = Vec::new();
    for &(drawn, shown) in pairs {
        let now = std::fs::read(dir.join(drawn)).unwrap();
        let shown_path = root().join("docs/img").join(shown);
        if std::fs::read(&shown_path).ok().as_ref() != Some(&now) {
            if updating {
                std::fs::write(&shown_path, &now).unwrap();
            } else {
                stale.push(shown.to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/img/{{{}}} differ from what the command draws (regenerate on purpose with \
         FORCESIM_UPDATE_QUOTES=1 cargo test --test quoted_outputs)",
        stale.join(",")
    );
}

/// README's count of the 30k variant's lines is the file's.
#[test]
fn the_readme_counts_the_variants_lines_right() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let variant = root().join("scenarios/paris-2026-30k.toml");
    let lines = std::fs::read_to_string(variant).unwrap().lines().count();
    let claim = format!("asks, in {lines} lines");
    assert!(readme.contains(&claim), "README.md should say `{claim}`");
}
