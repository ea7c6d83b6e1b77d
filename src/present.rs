//! The presentation layer shared by every output: number formatting for the
//! terminal, CSV fields, JSON documents, and escaping of control characters.
//!
//! Reports (`report`) and what-if results (`whatif`) both write through these
//! helpers, so that a number, a CSV field or a JSON document looks the same
//! whichever command wrote it.

use std::borrow::Cow;
use std::fmt::Write;

use serde::Serialize;

/// What every output writes for a figure that is not finite (NaN, ±∞): an en
/// dash, never "NaN" or "inf".
pub const NOT_FINITE: &str = "–";

/// ASCII digits grouped by threes with commas: `"1234567"` → `"1,234,567"`.
pub fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `x` rounded to an integer (halves away from zero, as counts are rounded),
/// digits grouped by threes, a negative figure led by `minus`, a figure that is
/// not finite written [`NOT_FINITE`]: `-2500.4` → `-2,500` (or `−2,500`), `-0.2` → `0`.
pub fn thousands_with(x: f64, minus: char) -> String {
    if !x.is_finite() {
        return NOT_FINITE.to_string();
    }
    let r = x.round();
    let mut out = group(&format!("{:.0}", r.abs()));
    if r < 0.0 && out != "0" {
        out.insert(0, minus);
    }
    out
}

/// A figure for the terminal, CSV-free text and tables: `12345.6` → `12,346`;
/// `-20000` → `-20,000` (ASCII hyphen, which every terminal and font has).
/// Charts write the same figure with the typographic minus (U+2212).
pub fn thousands(x: f64) -> String {
    thousands_with(x, '-')
}

/// A figure that is not a probability (a mean, a difference of means) for a
/// table: grouped thousands from 100 up (`12,346`), one decimal from 1
/// (`8.6`), and three significant digits below 1 (`0.476`, `-0.0213`), so
/// that a figure that is not 0 never reads 0; below 10^-6 in magnitude,
/// `< 0.000001` (or `> -0.000001`). One that is not finite is [`NOT_FINITE`].
pub fn amount(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        NOT_FINITE.to_string()
    } else if a >= 100.0 {
        thousands(x)
    } else if x == 0.0 {
        "0.0".to_string()
    } else if a >= 1.0 {
        fixed(x, 1)
    } else if a >= 1e-6 {
        // `a` < 1: two more decimals than its leading zeros.
        let d = (2 - a.log10().floor() as i32).clamp(1, 8) as usize;
        fixed(x, d)
    } else if x > 0.0 {
        "< 0.000001".to_string()
    } else {
        "> -0.000001".to_string()
    }
}

/// [`amount`] with its sign always written (`+0.476`, `-2.0`, `+0.0`).
pub fn signed_amount(x: f64) -> String {
    let s = amount(x);
    if x.is_finite() && !s.starts_with(['-', '<', '>']) {
        format!("+{s}")
    } else {
        s
    }
}

/// A probability as a percentage with one decimal (`0.1234` → `12.3 %`); one
/// that is not finite (no trial to count) is [`NOT_FINITE`]. A probability
/// that is not exactly 0 or 1 never reads `0.0 %` or `100.0 %`: see
/// [`percent`].
pub fn pct(p: f64) -> String {
    if !p.is_finite() {
        return NOT_FINITE.to_string();
    }
    format!("{} %", percent(p))
}

/// A signed difference of probabilities in percentage points (`+1.2 pp`); one
/// that is not finite is [`NOT_FINITE`]. One that is not exactly 0 never
/// reads `+0.0 pp`.
pub fn pp(p: f64) -> String {
    if !p.is_finite() {
        return NOT_FINITE.to_string();
    }
    let x = 100.0 * p;
    let s = match decimals(1, x, &[0.0]) {
        Some(d) if x < 0.0 => format!("-{}", fixed(-x, d)),
        Some(d) => format!("+{}", fixed(x, d)),
        None if x > 0.0 => "< +0.0001".to_string(),
        None => "> -0.0001".to_string(),
    };
    format!("{s} pp")
}

/// A probability's percentage, without the sign: one decimal (`12.3`), more
/// (up to four) where one would show 0 or 100 for a probability that is
/// neither (`99.98`, `0.004`), and `> 99.9999` or `< 0.0001` beyond that.
pub fn percent(p: f64) -> String {
    percent_from(1, p)
}

/// A share as a whole percentage (`76 %`), with decimals (up to four) only
/// where a whole number would show 0 or 100 for a share that is neither
/// (`99.8 %`, `0.1 %`): see [`percent`].
pub fn whole_pct(p: f64) -> String {
    if !p.is_finite() {
        return NOT_FINITE.to_string();
    }
    format!("{} %", percent_from(0, p))
}

/// [`percent`] with at least `least` decimals.
fn percent_from(least: usize, p: f64) -> String {
    let x = 100.0 * p;
    match decimals(least, x, &[0.0, 100.0]) {
        Some(d) => fixed(x, d),
        None if x < 50.0 => "< 0.0001".to_string(),
        None => "> 99.9999".to_string(),
    }
}

/// An interval of probabilities as `34.8–35.2 %` (each end as [`percent`]),
/// or [`NOT_FINITE`] when an end is not finite.
pub fn pct_range(ci: [f64; 2]) -> String {
    if ci.iter().all(|v| v.is_finite()) {
        format!("{}–{} %", percent(ci[0]), percent(ci[1]))
    } else {
        NOT_FINITE.to_string()
    }
}

/// The fewest decimals (`least` to four) with which `x` reads as one of
/// `edges` only where it is that edge; `None` where four are not enough.
fn decimals(least: usize, x: f64, edges: &[f64]) -> Option<usize> {
    (least..=4).find(|&d| {
        let shown: f64 = fixed(x, d).parse().unwrap_or(x);
        edges.iter().all(|&e| (shown == e) == (x == e))
    })
}

/// `x` with `d` decimals, rounded as a spreadsheet rounds it: its decimal
/// form to 15 significant digits, then halves away from zero. So 0.4915 as a
/// percentage (49.149999… in binary) shows `49.2`, as a `0.0%` cell shows it,
/// where `format!("{:.1}")` would show `49.1`. A finite `x` only.
pub fn fixed(x: f64, d: usize) -> String {
    let sci = format!("{:.14e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // Digits kept: those before the point (exp + 1) and `d` after it.
    let keep = exp + 1 + d as i32;
    let mut point = exp + 1;
    if keep < 0 {
        digits.clear();
    } else if (keep as usize) < digits.len() {
        let up = digits[keep as usize] >= 5;
        digits.truncate(keep as usize);
        if up && carry(&mut digits) {
            point += 1;
        }
    }
    let text = place_point(&digits, point, d);
    let zero = text.bytes().all(|b| b == b'0' || b == b'.');
    if x < 0.0 && !zero {
        format!("-{text}")
    } else {
        text
    }
}

/// Adds one to the last of `digits`; true when it carries out of the first
/// (a new leading 1 is then in front).
fn carry(digits: &mut Vec<u8>) -> bool {
    for v in digits.iter_mut().rev() {
        if *v == 9 {
            *v = 0;
        } else {
            *v += 1;
            return false;
        }
    }
    digits.insert(0, 1);
    true
}

/// `digits` (the first is at 10^(point − 1)) written with `d` decimals.
fn place_point(digits: &[u8], point: i32, d: usize) -> String {
    let at = |i: i32| {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i))
            .map_or('0', |&v| char::from(b'0' + v))
    };
    let mut out: String = if point < 1 {
        "0".into()
    } else {
        (0..point).map(at).collect()
    };
    if d > 0 {
        out.push('.');
        out.extend((0..d as i32).map(|i| at(point + i)));
    }
    out
}

/// Writes control character `c` as visible text: `\n`, `\r`, `\t`, `\x1b`, `\u{85}`.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Text safe to print on a terminal: every control character (C0, DEL, C1;
/// newlines and tabs too) written as an escape (`\x1b`, `\r`, `\u{9b}`), so that
/// a name in a scenario cannot move the cursor, recolour or clear the screen.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break
/// or any other control character, quotes doubled. Line breaks are kept inside
/// the quotes; other control characters (escape, bell, C1 …) are written as
/// visible escapes (`\x1b`), as on the terminal, so that a CSV printed with
/// `cat` cannot drive the terminal. A text that a spreadsheet would read as a
/// formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return, and
/// not a finite number: `-inf` is a formula there) gets a leading `'`, so that it shows as text and never runs.
pub fn csv_field(s: &str) -> String {
    let number = s.trim().parse::<f64>().is_ok_and(f64::is_finite);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number {
        return csv_field_quoted(&format!("'{s}"));
    }
    csv_field_quoted(s)
}

/// [`csv_field`] without the formula guard.
fn csv_field_quoted(s: &str) -> String {
    if !s.contains([',', '"']) && !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\"\""),
            '\n' | '\r' => out.push(c),
            c if c.is_control() => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number as a CSV value: as Rust writes it, or an empty field when it is not
/// a number (a figure of a run without trials).
pub fn csv_number(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

/// Serialises a document as pretty JSON with a trailing newline. Numbers that
/// are not finite (figures of a run without trials) are written as `null`.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise: {e}\"}}"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amount_that_is_not_0_never_reads_0() {
        assert_eq!(amount(12_345.6), "12,346");
        assert_eq!(amount(-250.0), "-250");
        assert_eq!(amount(8.61), "8.6");
        assert_eq!(amount(-0.476), "-0.476");
        assert_eq!(amount(0.0213), "0.0213");
        assert_eq!(amount(0.0), "0.0");
        assert_eq!(amount(-0.0), "0.0");
        assert_eq!(amount(3e-7), "< 0.000001");
        assert_eq!(amount(f64::NAN), NOT_FINITE);
        assert_eq!(signed_amount(0.476), "+0.476");
        assert_eq!(signed_amount(-2.0), "-2.0");
        assert_eq!(signed_amount(0.0), "+0.0");
        assert_eq!(signed_amount(-3e-7), "> -0.000001");
        let mut x = 1e-6;
        while x < 200.0 {
            for v in [x, -x] {
                let s = amount(v);
                let shown: f64 = s.replace(',', "").parse().expect("a number");
                assert!(shown != 0.0 && shown.signum() == v.signum(), "{v}: {s}");
                let a = v.abs();
                // Three significant digits below 1, one decimal to 100, units beyond.
                let tol = if a >= 100.0 {
                    0.5
                } else if a >= 1.0 {
                    0.05
                } else {
                    0.005 * a
                };
                assert!((shown - v).abs() <= tol * (1.0 + 1e-9), "{v}: {s}");
            }
            x *= 1.013;
        }
    }

    #[test]
    fn a_probability_reads_0_or_100_percent_only_when_it_is() {
        assert_eq!(pct(0.1234), "12.3 %");
        assert_eq!(pct(1.0), "100.0 %");
        assert_eq!(pct(0.0), "0.0 %");
        assert_eq!(pct(0.99982), "99.98 %");
        assert_eq!(pct(0.9999969), "99.9997 %");
        assert_eq!(pct(1.0 - 1e-9), "> 99.9999 %");
        assert_eq!(pct(0.0002), "0.02 %");
        assert_eq!(pct(4e-7), "< 0.0001 %");
        assert_eq!(pct(0.9995), "99.95 %");
        assert_eq!(pct(0.99949), "99.9 %");
        assert_eq!(pct_range([0.99969, 0.99987]), "99.97–99.99 %");
        assert_eq!(pct_range([0.25, 1.0]), "25.0–100.0 %");
        assert_eq!(whole_pct(0.7634), "76 %");
        assert_eq!(whole_pct(0.998), "99.8 %");
        assert_eq!(whole_pct(0.001), "0.1 %");
        assert_eq!(whole_pct(0.004), "0.4 %");
        assert_eq!(whole_pct(0.996), "99.6 %");
        assert_eq!(whole_pct(0.994), "99 %");
        assert_eq!(whole_pct(1.0), "100 %");
        assert_eq!(pp(0.0), "+0.0 pp");
        assert_eq!(pp(0.0123), "+1.2 pp");
        assert_eq!(pp(-0.0123), "-1.2 pp");
        assert_eq!(pp(0.00002), "+0.002 pp");
        assert_eq!(pp(-1e-9), "> -0.0001 pp");
        assert_eq!(pp(1e-9), "< +0.0001 pp");
        // Every probability in a fine grid near the edges: 0 and 100 only when exact.
        for i in 0..=100_000u32 {
            let p = f64::from(i) / 100_000.0;
            for p in [p, 1.0 - p * 1e-4, p * 1e-4] {
                let s = pct(p);
                assert_eq!(s == "0.0 %", p == 0.0, "{p}: {s}");
                assert_eq!(s == "100.0 %", p == 1.0, "{p}: {s}");
            }
        }
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234.0), "1,234");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(-20000.0), "-20,000");
        assert_eq!(thousands(-0.4), "0");
        assert_eq!(thousands(f64::NAN), "–");
        assert_eq!(thousands(f64::INFINITY), "–");
    }

    #[test]
    fn terminal_and_charts_share_one_rule_but_the_minus_sign() {
        // Halves away from zero, as counts are rounded (not to even).
        assert_eq!(thousands(2.5), "3");
        assert_eq!(thousands(-2.5), "-3");
        assert_eq!(thousands_with(-2500.4, '−'), "−2,500");
        assert_eq!(crate::charts::format::thousands(-2500.4), "−2,500");
        for x in [0.0, 0.5, 1234.5, -1e6, 12345678.49, f64::NAN] {
            assert_eq!(
                crate::charts::format::thousands(x).replace('−', "-"),
                thousands(x)
            );
        }
    }

    #[test]
    fn a_text_a_spreadsheet_would_run_is_written_as_text() {
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        assert_eq!(csv_field("+cmd|x"), "'+cmd|x");
        assert_eq!(csv_field("@SUM(1)"), "'@SUM(1)");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        // Infinities and NaN parse as f64 but are formulas to a spreadsheet.
        assert_eq!(csv_field("-inf"), "'-inf");
        assert_eq!(csv_field("-NaN"), "'-NaN");
        assert_eq!(csv_field("+infinity"), "'+infinity");
        assert_eq!(csv_field("\tx"), "\"'\\tx\"");
        // Numbers and ordinary text are left as they are.
        assert_eq!(csv_field("-5"), "-5");
        assert_eq!(csv_field("-0.25"), "-0.25");
        assert_eq!(csv_field("land"), "land");
        assert_eq!(csv_field("a=b"), "a=b");
    }

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(csv_field("land"), "land");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn control_characters_never_reach_the_terminal_raw() {
        assert_eq!(escape("plain name"), "plain name");
        assert_eq!(escape("a\x1b[2Jb\r\x07"), "a\\x1b[2Jb\\r\\x07");
        assert_eq!(escape("c1\u{9b}31m"), "c1\\u{9b}31m");
        assert_eq!(csv_field("red\x1b[31m"), "\"red\\x1b[31m\"");
        assert!(!csv_field("x\u{7f}").contains('\u{7f}'));
    }

    #[test]
    fn decimals_round_the_decimal_form_halves_away_from_zero() {
        let cases: [(f64, usize, &str); 14] = [
            (49.15, 1, "49.2"),
            (100.0 * 0.4915, 1, "49.2"),
            (0.125, 2, "0.13"),
            (-0.125, 2, "-0.13"),
            (2.5, 0, "3"),
            (9.96, 1, "10.0"),
            (99.95, 1, "100.0"),
            (0.0, 2, "0.00"),
            (-0.004, 2, "0.00"),
            (0.00123, 3, "0.001"),
            (0.0005, 3, "0.001"),
            (0.0004, 3, "0.000"),
            (1234.5678, 2, "1234.57"),
            (1e-9, 4, "0.0000"),
        ];
        for (x, d, want) in cases {
            assert_eq!(fixed(x, d), want, "{x} to {d}");
        }
        // Every share of 2,000 trials, k/20 %: k/2 tenths of a percent,
        // halves up, counted in integers.
        for k in 0..=2000u64 {
            let tenths = k.div_ceil(2);
            let want = format!("{}.{}", tenths / 10, tenths % 10);
            assert_eq!(fixed(100.0 * k as f64 / 2000.0, 1), want, "{k}/2000");
        }
        assert_eq!(pct(0.4915), "49.2 %");
        assert_eq!(pp(-0.00015), "-0.02 pp");
    }

    #[test]
    fn nan_is_null_in_json_and_empty_in_csv() {
        assert_eq!(to_json(&[f64::NAN, 0.5]), "[\n  null,\n  0.5\n]\n");
        assert_eq!(csv_number(f64::NAN), "");
        assert_eq!(csv_number(0.25), "0.25");
    }
}
