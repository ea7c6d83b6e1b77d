//! Small numerical functions: the normal CDF and its inverse, Wilson intervals,
//! and a number rounded for a message ([`brief`]).

// Coefficients are kept as published, digit for digit, so they can be checked
// against the sources; f64 rounds the excess.
#![allow(clippy::excessive_precision)]

/// Standard normal CDF Φ(x), accurate to about 1e-15 (via a Chebyshev-fitted erfc).
pub fn norm_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Cody's coefficients, erf for |x| < 0.5: numerator.
const ERF_A: [f64; 5] = [
    3.161_123_743_870_565_6,
    1.138_641_541_510_501_6e2,
    3.774_852_376_853_020_2e2,
    3.209_377_589_138_469_5e3,
    1.857_777_061_846_031_5e-1,
];

/// Cody's coefficients, erf for |x| < 0.5: denominator.
const ERF_B: [f64; 4] = [
    2.360_129_095_234_412_1e1,
    2.440_246_379_344_441_7e2,
    1.282_616_526_077_372_3e3,
    2.844_236_833_439_170_6e3,
];

/// Cody's coefficients, erfc for 0.5 ≤ |x| < 4: numerator.
const ERFC_C: [f64; 9] = [
    5.641_884_969_886_700_9e-1,
    8.883_149_794_388_376,
    6.611_919_063_714_163e1,
    2.986_351_381_974_001_3e2,
    8.819_522_212_417_691e2,
    1.712_047_612_634_070_7e3,
    2.051_078_377_826_071_6e3,
    1.230_339_354_797_997_2e3,
    2.153_115_354_744_038_3e-8,
];

/// Cody's coefficients, erfc for 0.5 ≤ |x| < 4: denominator.
const ERFC_D: [f64; 8] = [
    1.574_492_611_070_983_5e1,
    1.176_939_508_913_125e2,
    5.371_811_018_620_098_6e2,
    1.621_389_574_566_690_3e3,
    3.290_799_235_733_459_7e3,
    4.362_619_090_143_247e3,
    3.439_367_674_143_721_6e3,
    1.230_339_354_803_749_5e3,
];

/// Cody's coefficients, erfc for |x| ≥ 4: numerator (in 1/x²).
const ERFC_P: [f64; 6] = [
    3.053_266_349_612_323_4e-1,
    3.603_448_999_498_044_5e-1,
    1.257_817_261_112_292_5e-1,
    1.608_378_514_874_227_5e-2,
    6.587_491_615_298_378_5e-4,
    1.631_538_713_730_709_6e-2,
];

/// Cody's coefficients, erfc for |x| ≥ 4: denominator (in 1/x²).
const ERFC_Q: [f64; 5] = [
    2.568_520_192_289_822_4,
    1.872_952_849_923_460_4,
    5.279_051_029_514_284_4e-1,
    6.051_834_131_244_132e-2,
    2.335_204_976_268_691_8e-3,
];

/// Complementary error function (W. J. Cody's rational approximations, |rel err| < 1e-15).
pub fn erfc(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 0.5 {
        return 1.0 - erf_small(x);
    }
    let r = if ax < 4.0 {
        erfc_mid(ax)
    } else if ax >= 27.0 {
        0.0
    } else {
        erfc_large(ax)
    };
    if x < 0.0 { 2.0 - r } else { r }
}

/// erf(x) for |x| < 0.5, from its series-fitted rational form.
fn erf_small(x: f64) -> f64 {
    let z = x * x;
    let mut num = ERF_A[4] * z;
    let mut den = z;
    for i in 0..3 {
        num = (num + ERF_A[i]) * z;
        den = (den + ERF_B[i]) * z;
    }
    x * (num + ERF_A[3]) / (den + ERF_B[3])
}

/// erfc(ax) for 0.5 ≤ ax < 4.
fn erfc_mid(ax: f64) -> f64 {
    let mut num = ERFC_C[8] * ax;
    let mut den = ax;
    for i in 0..7 {
        num = (num + ERFC_C[i]) * ax;
        den = (den + ERFC_D[i]) * ax;
    }
    let r = (num + ERFC_C[7]) / (den + ERFC_D[7]);
    tail(ax, r)
}

/// erfc(ax) for 4 ≤ ax < 27 (beyond, it is 0 in f64).
fn erfc_large(ax: f64) -> f64 {
    let z = 1.0 / (ax * ax);
    let mut num = ERFC_P[5] * z;
    let mut den = z;
    for i in 0..4 {
        num = (num + ERFC_P[i]) * z;
        den = (den + ERFC_Q[i]) * z;
    }
    let r = z * (num + ERFC_P[4]) / (den + ERFC_Q[4]);
    let r = (1.0 / std::f64::consts::PI.sqrt() - r) / ax;
    tail(ax, r)
}

fn tail(ax: f64, r: f64) -> f64 {
    // exp(−x²) computed as exp(−y²)·exp(−(x−y)(x+y)) with y = x rounded to 1/16, as Cody does.
    let y = (ax * 16.0).trunc() / 16.0;
    let del = (ax - y) * (ax + y);
    (-y * y).exp() * (-del).exp() * r
}

/// Evaluates a polynomial with coefficients in increasing degree (Horner).
fn poly(c: &[f64; 8], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, k| acc * x + k)
}

/// AS 241 coefficients, central region (|p − ½| ≤ 0.425): numerator.
const PPND_A: [f64; 8] = [
    3.387_132_872_796_366_608,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];

/// AS 241 coefficients, central region: denominator.
const PPND_B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561e3,
];

/// AS 241 coefficients, tail, r ≤ 5: numerator.
const PPND_C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_7e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_4e-4,
];

/// AS 241 coefficients, tail, r ≤ 5: denominator.
const PPND_D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    6.897_673_349_851_000_045_5e-1,
    1.481_039_764_274_800_745_9e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];

/// AS 241 coefficients, far tail, r > 5: numerator.
const PPND_E: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    2.965_605_718_285_048_912_3e-1,
    2.653_218_952_657_612_309_3e-2,
    1.242_660_947_388_078_438_6e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];

/// AS 241 coefficients, far tail, r > 5: denominator.
const PPND_F: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_9e-1,
    1.369_298_809_227_358_053_1e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// Inverse standard normal CDF Φ⁻¹(p) (Wichura's AS 241 "PPND16", relative error
/// about 1e-16). Returns −∞ for p ≤ 0 and +∞ for p ≥ 1.
pub fn norm_inv(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * poly(&PPND_A, r) / poly(&PPND_B, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let val = if r <= 5.0 {
        let r = r - 1.6;
        poly(&PPND_C, r) / poly(&PPND_D, r)
    } else {
        let r = r - 5.0;
        poly(&PPND_E, r) / poly(&PPND_F, r)
    };
    if q < 0.0 { -val } else { val }
}

/// The nearest integer to `x`, 0 ≤ x < 2⁵² (ties to even), as an integer and as an
/// `f64`, without a float-to-integer conversion or a library call: adding 2⁵²
/// rounds x to an integer, which then sits in the low bits of the sum. Loops of it
/// vectorise.
#[inline(always)]
pub fn nearest_int(x: f64) -> (u64, f64) {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let y = x + TWO_52;
    (y.to_bits().wrapping_sub(TWO_52.to_bits()), y - TWO_52)
}

/// Cells of a [`QuantileGrid`] (a power of two, so that `p · CELLS` is exact).
const CELLS: usize = 1024;

/// Φ⁻¹ on a grid of probabilities, to settle `x < Φ⁻¹(p)` without computing
/// Φ⁻¹(p) for most draws: Φ⁻¹ is increasing, so for p in cell
/// `[k/1024, (k+1)/1024)`, `x < Φ⁻¹(k/1024)` means yes and `x ≥ Φ⁻¹((k+1)/1024)`
/// means no. Only an x between the two (about one draw in a thousand) needs
/// [`norm_inv`], so every answer is the one `x < norm_inv(p)` gives.
#[derive(Debug, Clone)]
pub struct QuantileGrid {
    z: Box<[f64; CELLS + 1]>,
}

impl Default for QuantileGrid {
    fn default() -> Self {
        QuantileGrid {
            z: Box::new(std::array::from_fn(|k| norm_inv(k as f64 / CELLS as f64))),
        }
    }
}

impl QuantileGrid {
    /// Whether `x < Φ⁻¹(p)`, for `p` in `[0, 1]`.
    #[inline(always)]
    pub fn below(&self, x: f64, p: f64) -> bool {
        match self.settle(x, p) {
            (below, false) => below,
            (_, true) => below_exact(x, p),
        }
    }

    /// `(x < Φ⁻¹(p), false)`, or `(_, true)` when the grid cannot tell (then
    /// ask [`QuantileGrid::below`]). Free of branches, for loops over many draws.
    #[inline(always)]
    pub fn settle(&self, x: f64, p: f64) -> (bool, bool) {
        // The cell is ⌊p · 1024⌋ (p · 1024 is exact): the nearest integer, one
        // less where it rounded up.
        let s = p * CELLS as f64;
        let (r, rf) = nearest_int(s);
        let k = (r.wrapping_sub(u64::from(s < rf)) as usize).min(CELLS - 1);
        let (yes, no) = (x < self.z[k], x >= self.z[k + 1]);
        (yes, !yes & !no)
    }
}

#[cold]
#[inline(never)]
fn below_exact(x: f64, p: f64) -> bool {
    x < norm_inv(p)
}

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Newcombe's hybrid score interval for `p2 − p1` from the Wilson intervals of two
/// independent proportions.
pub fn newcombe(p1: f64, ci1: [f64; 2], p2: f64, ci2: [f64; 2]) -> [f64; 2] {
    let d = p2 - p1;
    let lo = d - ((p2 - ci2[0]).powi(2) + (ci1[1] - p1).powi(2)).sqrt();
    let hi = d + ((ci2[1] - p2).powi(2) + (p1 - ci1[0]).powi(2)).sqrt();
    [lo.max(-1.0), hi.min(1.0)]
}

/// Wilson score interval for `k` successes in `n` trials at 95 %. It holds k / n
/// as computed: exactly 0 at the bottom when k = 0 and exactly 1 at the top when
/// k = n (where rounding would otherwise leave the end a hair inside).
pub fn wilson(k: u64, n: u64) -> [f64; 2] {
    if n == 0 {
        return [0.0, 1.0];
    }
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    let lo = if k == 0 {
        0.0
    } else {
        (centre - half).clamp(0.0, p)
    };
    let hi = if k >= n {
        1.0
    } else {
        (centre + half).clamp(p, 1.0)
    };
    [lo, hi]
}

/// Rounds a drawn amount to the nearest integer (halves away from zero), clamped
/// to `[0, MAX_VALUE]`; NaN counts 0. Equal to `x.round()` clamped, without the
/// library call `round` compiles to on baseline x86-64, and without a branch or a
/// float-to-integer conversion, so that a loop of them vectorises.
#[inline(always)]
pub fn to_count(x: f64) -> u64 {
    // `max` returns the other operand for NaN.
    let x = x.max(0.0).min(crate::limits::MAX_VALUE as f64);
    let (n, r) = nearest_int(x);
    // A tie rounded down to even goes up instead (r − x is exact here).
    n + u64::from(r - x == -0.5)
}

/// `x` as a message writes it: to six significant digits, so that float noise
/// does not show (`0.26249999999999996` reads `0.2625`), and in `e` notation
/// when it is 1e15 or more or below 1e-4 (`1e-300`, not 300 digits); `0`, `NaN`
/// and `inf` as Rust writes them.
pub fn brief(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let r: f64 = format!("{x:.5e}").parse().unwrap_or(x);
    if r.abs() >= 1e15 || r.abs() < 1e-4 {
        format!("{r:e}")
    } else {
        format!("{r}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brief_numbers_read_without_noise_or_hundreds_of_digits() {
        assert_eq!(brief(0.35 * 0.75), "0.2625");
        assert_eq!(brief(0.005), "0.005");
        assert_eq!(brief(123.456789), "123.457");
        assert_eq!(brief(-2.5), "-2.5");
        assert_eq!(brief(1e-300), "1e-300");
        assert_eq!(brief(1e300), "1e300");
        assert_eq!(brief(2.5e15), "2.5e15");
        assert_eq!(brief(0.0), "0");
        assert_eq!(brief(f64::NAN), "NaN");
    }

    #[test]
    fn cdf_known_values() {
        assert!((norm_cdf(0.0) - 0.5).abs() < 1e-16);
        assert!((norm_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-14);
        assert!((norm_cdf(-1.0) - 0.158_655_253_931_457_05).abs() < 1e-15);
        assert!((norm_cdf(3.0) - 0.998_650_101_968_369_9).abs() < 1e-15);
        assert!((norm_cdf(-6.0) - 9.865_876_450_376_98e-10).abs() < 1e-22);
        assert!((norm_cdf(0.3) - 0.617_911_422_188_952_7).abs() < 1e-15);
    }

    #[test]
    fn inverse_round_trips() {
        for i in 1..1000 {
            let p = i as f64 / 1000.0;
            let x = norm_inv(p);
            assert!((norm_cdf(x) - p).abs() < 1e-14, "p = {p}");
        }
        for p in [1e-12, 1e-8, 1e-3, 1.0 - 1e-9] {
            let x = norm_inv(p);
            assert!(((norm_cdf(x) - p) / p.min(1.0 - p)).abs() < 1e-9, "p = {p}");
        }
        assert_eq!(norm_inv(0.0), f64::NEG_INFINITY);
        assert_eq!(norm_inv(1.0), f64::INFINITY);
    }

    #[test]
    fn the_quantile_grid_answers_as_norm_inv() {
        let grid = QuantileGrid::default();
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..200_000 {
            let p = next();
            let x = 8.0 * next() - 4.0;
            assert_eq!(grid.below(x, p), x < norm_inv(p), "x {x}, p {p}");
            // Right at the quantile.
            let z = norm_inv(p);
            for x in [z, z.next_down(), z.next_up()] {
                assert_eq!(grid.below(x, p), x < z, "x {x}, p {p}");
            }
        }
        // At the cell edges, and p = 0 and 1.
        for k in 0..=CELLS {
            let p = k as f64 / CELLS as f64;
            let z = norm_inv(p);
            for x in [-9.0, -1.0, 0.0, 0.5, 9.0, z, z.next_down(), f64::INFINITY] {
                assert_eq!(grid.below(x, p), x < z, "x {x}, p {p}");
            }
        }
    }

    #[test]
    fn wilson_holds_its_estimate_and_ends_exactly_at_0_and_1() {
        for n in [1u64, 2, 3, 7, 100, 2000, 4096, 1_000_000, 1 << 40] {
            for k in [0, 1, n / 3, n / 2, n - 1, n] {
                let [lo, hi] = wilson(k, n);
                let p = k as f64 / n as f64;
                assert!(
                    0.0 <= lo && lo <= p && p <= hi && hi <= 1.0,
                    "{k}/{n}: {lo} {hi}"
                );
            }
            assert_eq!(wilson(0, n)[0], 0.0, "0/{n}");
            assert_eq!(wilson(n, n)[1], 1.0, "{n}/{n}");
        }
    }

    #[test]
    fn wilson_matches_textbook() {
        // 8 of 10: Wilson 95 % interval is [0.4902, 0.9433].
        let [lo, hi] = wilson(8, 10);
        assert!((lo - 0.490_162).abs() < 1e-5, "{lo}");
        assert!((hi - 0.943_318).abs() < 1e-5, "{hi}");
        let [lo, hi] = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.2 && hi < 0.35);
    }

    #[test]
    fn counts_round_half_away_and_clamp() {
        assert_eq!(to_count(2.5), 3);
        assert_eq!(to_count(2.49), 2);
        assert_eq!(to_count(-3.0), 0);
        assert_eq!(to_count(f64::NAN), 0);
        assert_eq!(to_count(1e300), crate::limits::MAX_VALUE);
    }

    #[test]
    fn counts_round_like_the_standard_library() {
        use rand_core::Rng;
        let mut r = crate::streams::stream(3, 0, 0);
        for _ in 0..100_000 {
            let x = (r.next_u64() >> 11) as f64 / (1u64 << 33) as f64; // 0 .. 2^20
            assert_eq!(to_count(x), x.round() as u64, "{x}");
        }
        // Halves, and their neighbours, across the range.
        for k in (0..2_000u64).chain((0..2_000).map(|i| (1u64 << 39) + i * 7_919)) {
            let h = k as f64 + 0.5;
            for x in [h, h.next_down(), h.next_up(), k as f64] {
                assert_eq!(to_count(x), x.round() as u64, "{x}");
            }
        }
        for x in [
            -0.0,
            -1e-300,
            f64::NEG_INFINITY,
            f64::INFINITY,
            1e12,
            1e12 + 0.5,
        ] {
            assert_eq!(
                to_count(x),
                (x.round().max(0.0) as u64).min(crate::limits::MAX_VALUE),
                "{x}"
            );
        }
        for x in [
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            4503599627370495.5,
            1e12 - 0.5,
        ] {
            assert_eq!(
                to_count(x),
                (x.round() as u64).min(crate::limits::MAX_VALUE),
                "{x}"
            );
        }
    }
}
