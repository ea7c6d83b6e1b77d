//! Hints for figures written as people write them but TOML does not read them
//! (`60%`, `10,000`, `0,5`, `12k`), for syntax errors, overrides and quoted
//! figures alike.

/// A hint where the whole of `value` is a figure written as people write it
/// but TOML does not read it: `60%` or `60 %`, `10,000`, `0,5`, `12k`; empty
/// for anything else (an array, a string, a word).
pub fn figure_hint(value: &str) -> String {
    let v = value.trim();
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let number = |t: &str| {
        let (int, frac) = t.split_once('.').unwrap_or((t, "0"));
        digits(int) && digits(frac)
    };
    let hint = if let Some(x) = v.strip_suffix('%').map(str::trim_end).filter(|x| number(x)) {
        format!(
            "a share is written as a fraction: {x}% is {}",
            shifted(x, -2)
        )
    } else if let Some((x, times)) = suffixed(v).filter(|(x, _)| number(x)) {
        format!("write the whole number: {v} is {}", shifted(x, times))
    } else if grouped(v) {
        let whole = v.replace(',', "");
        format!(
            "TOML groups digits with `_`, not `,`: write {whole} or {}",
            v.replace(',', "_")
        )
    } else if let Some((int, frac)) = v.split_once(',').filter(|(i, f)| digits(i) && digits(f)) {
        format!("a decimal is written with `.`: {int}.{frac}")
    } else {
        return String::new();
    };
    format!(" ({hint})")
}

/// `x` percent as a fraction, shifted in decimal (`33.3` → 0.333, where
/// `33.3 / 100` is 0.33299999999999996): the fraction as a person would write it.
pub fn percent(x: f64) -> f64 {
    format!("{x}e-2").parse().unwrap_or(x / 100.0)
}

/// Whether a probability or share written as `p` reads as a percentage: from 2
/// to 100 (2 is 2 %). Just above 1 (`1.2`) is more likely a slip than a share
/// of a percent, and gets no such hint.
pub fn reads_as_percent(p: f64) -> bool {
    (2.0..=100.0).contains(&p)
}

/// `12k` → (`12`, 3), `1.5M` → (`1.5`, 6).
fn suffixed(v: &str) -> Option<(&str, i32)> {
    let times = match v.chars().last()? {
        'k' | 'K' => 3,
        'm' | 'M' => 6,
        _ => return None,
    };
    Some((v[..v.len() - 1].trim_end(), times))
}

/// `10,000` or `1,234,567.5`: digits grouped by threes with commas.
fn grouped(v: &str) -> bool {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    int.contains(',')
        && (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// The decimal `x` (digits, at most one `.`) times 10^`by`, written exactly.
fn shifted(x: &str, by: i32) -> String {
    let (int, frac) = x.split_once('.').unwrap_or((x, ""));
    let all: String = format!("{int}{frac}");
    let point = int.len() as i64 + i64::from(by);
    let padded = if point <= 0 {
        format!("{}{all}", "0".repeat((1 - point) as usize))
    } else if point as usize > all.len() {
        format!("{all}{}", "0".repeat(point as usize - all.len()))
    } else {
        all
    };
    let point = point.max(1) as usize;
    let (i, f) = padded.split_at(point);
    let i = i.trim_start_matches('0');
    let i = if i.is_empty() { "0" } else { i };
    let f = f.trim_end_matches('0');
    if f.is_empty() {
        i.to_string()
    } else {
        format!("{i}.{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_shift_in_decimal() {
        // Each is noisy as a division: 0.33299999999999996, 0.022000000000000002 …
        for (x, want) in [
            (33.3, 0.333),
            (2.2, 0.022),
            (2.8, 0.028),
            (90.0, 0.9),
            (0.5, 0.005),
        ] {
            assert_eq!(percent(x), want, "{x}");
            assert_eq!(format!("{}", percent(x)), format!("{want}"));
        }
        assert_ne!(33.3 / 100.0, 0.333);
        assert!(percent(f64::NAN).is_nan());
        assert!(!reads_as_percent(1.2) && !reads_as_percent(1.0) && !reads_as_percent(100.5));
        assert!(reads_as_percent(2.0) && reads_as_percent(95.0) && reads_as_percent(100.0));
    }
}
