//! How figures are written on charts: thousands separators, percentages
//! ("72 %"), percentage points ("+21 pp"). Never "NaN" or "inf": a figure that
//! is not finite is written "–".
//!
//! Every figure on a chart is written by a function of this module, and the
//! conventions they share are written once here: the minus sign ([`MINUS`],
//! U+2212). Digit grouping, rounding and the placeholder for a figure that is
//! not finite ([`NOT_FINITE`], U+2013 en dash) are those of every output
//! ([`crate::present`]); only the minus sign differs from the terminal's `-`.

use crate::present::{self, fixed};

/// The minus sign of every negative figure on a chart (U+2212).
pub const MINUS: char = '−';

/// What a chart writes for a figure that is not finite (NaN, ±∞): the en dash
/// of every output ([`present::NOT_FINITE`]).
pub const NOT_FINITE: &str = present::NOT_FINITE;

/// `NOT_FINITE` as an owned string.
fn not_finite() -> String {
    NOT_FINITE.to_string()
}

/// `v` rounded to an integer (halves away from zero), with thousands
/// separators: `15000.0` → `"15,000"`, `-2500.0` → `"−2,500"`, `-0.2` → `"0"`,
/// NaN or ±∞ → `"–"`. The report's own formatter with the chart's minus sign.
pub fn thousands(v: f64) -> String {
    present::thousands_with(v, MINUS)
}

/// A number as Rust writes it (`2.5`, `-0.25`, `1e-7`, `NaN`): the sweep's
/// numeric axis ticks, already rounded by the caller.
pub fn plain(v: f64) -> String {
    format!("{v}")
}

/// A count or a mean of counts: whole numbers with separators; below 10, one
/// decimal when the value is not whole (`0.4` ships, `12` aircraft, `7,400` troops).
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return not_finite();
    }
    if (v - v.round()).abs() < 1e-9 || v.abs() >= 10.0 {
        thousands(v)
    } else {
        fixed(v, 1)
    }
}

/// A probability as a percentage with a space before the sign: `0.72` → `"72 %"`.
/// Between 1 % and 99 % it is rounded to a whole percent; nearer 0 or 100 % more
/// decimals are kept (`0.4 %`, `0.07 %`, `99.6 %`), and values that would round to
/// 0 % or 100 % without being exactly so are written `< 0.01 %` and `> 99.99 %`.
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        return not_finite();
    }
    let x = p * 100.0;
    if x <= 0.0 {
        "0 %".into()
    } else if x >= 100.0 {
        "100 %".into()
    } else if x < 0.005 {
        "< 0.01 %".into()
    } else if x < 0.095 {
        format!("{} %", fixed(x, 2))
    } else if x < 1.0 {
        format!("{} %", fixed(x, 1))
    } else if x <= 99.0 {
        format!("{} %", fixed(x, 0))
    } else if x < 99.95 {
        format!("{} %", fixed(x, 1))
    } else if x < 99.995 {
        format!("{} %", fixed(x, 2))
    } else {
        "> 99.99 %".into()
    }
}

/// An interval of probabilities, with decimals enough to show its width (none
/// when it spans 3 points or more, one down to 0.3 points, else two):
/// `(0.349, 0.353)` → `"34.9–35.3 %"`, `(0.55, 0.61)` → `"55–61 %"`.
pub fn percent_range(lo: f64, hi: f64) -> String {
    if !(lo.is_finite() && hi.is_finite()) {
        return not_finite();
    }
    let (a, b) = (lo * 100.0, hi * 100.0);
    let w = (b - a).abs();
    let d = if w >= 3.0 {
        0
    } else if w >= 0.3 {
        1
    } else {
        2
    };
    format!("{}–{} %", fixed(a, d), fixed(b, d))
}

/// A percentage of an axis (tick labels): `40.0` → `"40 %"`.
pub fn axis_percent(x: f64) -> String {
    if !x.is_finite() {
        return not_finite();
    }
    if (x - x.round()).abs() < 1e-6 {
        format!("{} %", fixed(x, 0))
    } else {
        format!("{} %", fixed(x, 1))
    }
}

/// A difference of probabilities in percentage points, signed: `0.213` → `"+21 pp"`.
pub fn points(d: f64) -> String {
    if !d.is_finite() {
        return not_finite();
    }
    let x = d * 100.0;
    let body = if x.abs() < 0.05 {
        return "0 pp".into();
    } else if x.abs() < 1.0 {
        fixed(x.abs(), 1)
    } else {
        fixed(x.abs(), 0)
    };
    if x < 0.0 {
        format!("{MINUS}{body} pp")
    } else {
        format!("+{body} pp")
    }
}

/// A tick label in percentage points (`-10.0` → `"−10"`).
pub fn axis_points(x: f64) -> String {
    if !x.is_finite() {
        return not_finite();
    }
    let s = if (x - x.round()).abs() < 1e-6 {
        fixed(x.abs(), 0)
    } else {
        fixed(x.abs(), 1)
    };
    if x < -1e-9 {
        format!("{MINUS}{s}")
    } else if x > 1e-9 {
        format!("+{s}")
    } else {
        "0".into()
    }
}

/// How many tick labels to ask plotters for on an axis of counts from `lo` to
/// `hi`, at most `wanted`: no more than there are whole numbers in the range, so
/// that plotters' round steps are whole numbers too (never "0 1 1 2" from ticks
/// at 0, 0.5, 1 and 1.5 rounded).
pub fn count_ticks(lo: f64, hi: f64, wanted: usize) -> usize {
    let span = hi - lo;
    if !span.is_finite() || span < 1.0 {
        return wanted.min(1);
    }
    wanted.min(span.floor() as usize + 1)
}

/// The top of an axis of counts whose largest value is `max`: at least 1, so that
/// the axis shows a whole step.
pub fn count_axis_top(max: f64) -> f64 {
    if max.is_finite() { max.max(1.0) } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(15_000.0), "15,000");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(-2500.0), "−2,500");
        assert_eq!(thousands(-0.2), "0");
        assert_eq!(thousands(f64::NAN), "–");
    }

    #[test]
    fn numbers_keep_a_decimal_when_small() {
        assert_eq!(number(0.4), "0.4");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(12.4), "12");
        assert_eq!(number(7400.2), "7,400");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(0.72), "72 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(1.0), "100 %");
        assert_eq!(percent(0.004), "0.4 %");
        assert_eq!(percent(0.996), "99.6 %");
        assert_eq!(percent(0.0007), "0.07 %");
        assert_eq!(percent(0.9996), "99.96 %");
        assert_eq!(percent(0.9999996), "> 99.99 %");
        assert_eq!(percent(0.0000004), "< 0.01 %");
        assert_eq!(percent(0.0096), "1.0 %");
        assert_eq!(percent(0.9949), "99.5 %");
        assert_eq!(axis_percent(40.0), "40 %");
        assert_eq!(percent_range(0.55, 0.61), "55–61 %");
        assert_eq!(percent_range(0.573, 0.587), "57.3–58.7 %");
        assert_eq!(percent_range(0.349, 0.353), "34.9–35.3 %");
        assert_eq!(percent_range(0.9992, 1.0), "99.92–100.00 %");
        assert_eq!(percent_range(0.35, 0.35), "35.00–35.00 %");
    }

    /// What each formatter writes for a negative figure and for NaN (the
    /// contract the report's formatter will be reconciled with).
    #[test]
    fn negatives_and_not_finite() {
        assert_eq!(thousands(-1234.5), "−1,235");
        assert_eq!(number(-0.4), "-0.4");
        assert_eq!(number(-12.0), "−12");
        assert_eq!(percent(-0.1), "0 %");
        assert_eq!(percent_range(-0.1, 0.2), "-10–20 %");
        assert_eq!(axis_percent(-20.0), "-20 %");
        assert_eq!(points(-0.213), "−21 pp");
        assert_eq!(axis_points(-2.5), "−2.5");
        assert_eq!(plain(-0.25), "-0.25");
        for f in [
            thousands,
            number,
            percent,
            axis_percent,
            points,
            axis_points,
        ] {
            assert_eq!(f(f64::NAN), "–");
            assert_eq!(f(f64::NEG_INFINITY), "–");
        }
        assert_eq!(percent_range(f64::NAN, 0.5), "–");
        assert_eq!(plain(f64::NAN), "NaN");
    }

    #[test]
    fn percentage_points() {
        assert_eq!(points(0.213), "+21 pp");
        assert_eq!(points(-0.05), "−5 pp");
        assert_eq!(points(0.004), "+0.4 pp");
        assert_eq!(points(0.0), "0 pp");
        assert_eq!(axis_points(-10.0), "−10");
        assert_eq!(axis_points(0.0), "0");
    }
}
