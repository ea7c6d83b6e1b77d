//! Charts and hostile names: control characters and markup characters in the
//! scenario's, domains', nations' and capabilities' names (and in `compare`
//! labels) still give SVG charts that are well-formed XML, and PNG charts in
//! which each control character is drawn as U+FFFD.

use forcesim::charts::{self, Chart, Format};
use forcesim::whatif::compare;
use forcesim::{Report, RunOptions};

/// A scenario whose every free-text name holds control characters and markup.
fn scenario(mark: &str) -> String {
    format!(
        r#"[scenario]
name = "Hostile{mark}<scenario> & 'co' \"x\""

[simulation]
timeline_days = [30, 90]

[report]
thresholds = {{ troops = [100, 200] }}

[capabilities]
troops = {{ unit = "pers{mark}<onnel>", name = "Troops{mark}&" }}
ships = {{ unit = "ships & <boats>" }}

[domains.land]
name = "Land{mark}<b>&amp;"
lead = ["A"]
requirements = {{ troops = 150 }}

[domains.sea]
name = "Sea ]]> \"{mark}\""
requirements = {{ ships = 2 }}

[nations.A]
name = "Alpha{mark}<&>"
participation = 0.6
contributions.land.troops = 120
contributions.sea.ships = 1

[nations.B]
name = "Bravo{mark}'\""
participation = 0.5
contributions.land.troops = 80
contributions.sea.ships = 2
"#
    )
}

fn options() -> RunOptions<'static> {
    RunOptions {
        trials: 4000,
        seed: 11,
        threads: 1,
        ..Default::default()
    }
}

fn report(mark: &str) -> Report {
    let model = forcesim::scenario::parse("hostile.toml", &scenario(mark), &[])
        .unwrap_or_else(|d| panic!("scenario does not parse:\n{d}"));
    forcesim::simulate(&model, &options())
        .expect("simulation starts")
        .report
}

const HOSTILE: &str = "\\u0001\\u001b\\u007f";

#[test]
fn svg_charts_of_hostile_names_are_well_formed_xml() {
    let r = report(HOSTILE);
    for chart in Chart::ALL {
        let svg = charts::render(chart, &r, Format::Svg).expect("chart renders");
        let svg = String::from_utf8(svg).expect("SVG is UTF-8");
        if let Err(e) = well_formed(&svg) {
            panic!("{} is not well-formed XML: {e}", chart.name());
        }
        assert!(svg.contains('\u{FFFD}'), "{}: no placeholder", chart.name());
    }
}

#[test]
fn svg_compare_chart_of_hostile_labels_is_well_formed_xml() {
    let text = scenario(HOSTILE);
    let model = forcesim::scenario::parse("hostile.toml", &text, &[]).unwrap();
    let scenarios = vec![
        ("base\u{1}<&>".to_string(), model.clone()),
        ("other\u{1b}\u{FFFF}'\"".to_string(), model),
    ];
    let c = compare::compare(&scenarios, &options()).unwrap();
    let svg = String::from_utf8(charts::compare::render(&c, Format::Svg).unwrap()).unwrap();
    well_formed(&svg).unwrap_or_else(|e| panic!("compare.svg is not well-formed XML: {e}"));
    assert!(svg.contains("base\u{FFFD}&lt;&amp;&gt;"));
}

#[test]
fn png_draws_control_characters_as_the_replacement_character() {
    let hostile = report(HOSTILE);
    let replaced = report("\u{FFFD}\u{FFFD}\u{FFFD}");
    for chart in [Chart::Coverage, Chart::Contributions] {
        let a = charts::render(chart, &hostile, Format::Png).unwrap();
        let b = charts::render(chart, &replaced, Format::Png).unwrap();
        assert!(
            a == b,
            "{}: control characters not drawn as U+FFFD",
            chart.name()
        );
    }
}

#[test]
fn the_checker_rejects_what_xml_rejects() {
    assert!(well_formed("<svg a=\"1\"><text>a &amp; b</text></svg>\n").is_ok());
    assert!(well_formed("<?xml version=\"1.0\"?>\n<svg><g/></svg>").is_ok());
    assert!(well_formed("<svg><text>a\u{1}</text></svg>").is_err());
    assert!(well_formed("<svg><text>a\u{FFFF}</text></svg>").is_err());
    assert!(well_formed("<svg><text>a & b</text></svg>").is_err());
    assert!(well_formed("<svg><text>a < b</text></svg>").is_err());
    assert!(well_formed("<svg a=\"<\"></svg>").is_err());
    assert!(well_formed("<svg><text></svg>").is_err());
    assert!(well_formed("<svg></svg><svg></svg>").is_err());
}

/// Checks the XML 1.0 well-formedness rules an SVG writer can break: only allowed
/// characters, references that are entities or character references, balanced
/// tags, quoted attributes without `<`, one root element.
fn well_formed(xml: &str) -> Result<(), String> {
    if let Some(c) = xml.chars().find(|&c| forbidden(c)) {
        return Err(format!("forbidden character U+{:04X}", c as u32));
    }
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = xml;
    while let Some(i) = rest.find(['<', '&']) {
        check_text(&rest[..i])?;
        rest = &rest[i..];
        if rest.starts_with('&') {
            rest = &rest[reference(rest)?..];
            continue;
        }
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>").ok_or("unclosed <?")? + 2..];
            continue;
        }
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->").ok_or("unclosed comment")? + 3..];
            continue;
        }
        let end = tag_end(rest)?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if stack.pop() != Some(name.trim()) {
                return Err(format!("unbalanced </{name}>"));
            }
            continue;
        }
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(t) => (t, true),
            None => (tag, false),
        };
        let name = tag.split_whitespace().next().ok_or("empty tag")?;
        attributes(&tag[name.len()..])?;
        if stack.is_empty() {
            roots += 1;
        }
        if !empty {
            stack.push(name);
        }
    }
    check_text(rest)?;
    if !stack.is_empty() {
        return Err(format!("unclosed <{}>", stack.join("><")));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Text between markup: no `<` (handled by the caller) and no `&` (idem).
fn check_text(t: &str) -> Result<(), String> {
    if t.contains(['<', '&']) {
        return Err(format!("markup character in text {t:?}"));
    }
    Ok(())
}

/// The length of the reference at the start of `s` (`&amp;`, `&#38;`, `&#x26;`).
fn reference(s: &str) -> Result<usize, String> {
    let end = s.find(';').ok_or("unterminated reference")?;
    let body = &s[1..end];
    let ok = matches!(body, "amp" | "lt" | "gt" | "quot" | "apos")
        || body.strip_prefix("#x").is_some_and(|h| {
            u32::from_str_radix(h, 16)
                .is_ok_and(|v| char::from_u32(v).is_some_and(|c| !forbidden(c)))
        })
        || body.strip_prefix('#').is_some_and(|d| {
            d.parse::<u32>()
                .is_ok_and(|v| char::from_u32(v).is_some_and(|c| !forbidden(c)))
        });
    if ok {
        Ok(end + 1)
    } else {
        Err(format!("bad reference &{body};"))
    }
}

/// The index of the `>` closing the tag at the start of `s`, skipping quoted values.
fn tag_end(s: &str) -> Result<usize, String> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Ok(i),
            (None, '<') => return Err("< inside a tag".into()),
            _ => {}
        }
    }
    Err("unclosed tag".into())
}

/// ` a="1" b='2'`: names followed by quoted values without `<`, references valid.
fn attributes(mut s: &str) -> Result<(), String> {
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return Ok(());
        }
        let eq = s
            .find('=')
            .ok_or(format!("attribute without value: {s:?}"))?;
        let name = s[..eq].trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!("bad attribute name {name:?}"));
        }
        let v = s[eq + 1..].trim_start();
        let q = v
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\''))
            .ok_or("unquoted value")?;
        let close = v[1..].find(q).ok_or("unclosed value")? + 1;
        let mut value = &v[1..close];
        while let Some(i) = value.find(['<', '&']) {
            if value[i..].starts_with('<') {
                return Err("< in an attribute value".into());
            }
            value = &value[i + reference(&value[i..])?..];
        }
        s = &v[close + 1..];
    }
}
