//! Probability distributions of the scenario format: parameters, closed-form
//! moments, support, and a compiled [`Sampler`] for the trial loop.
//!
//! [`Dist`] is what a scenario says (`{ pert = [8, 12, 20] }`); its parameters are
//! checked by [`Dist::check`]. [`Sampler`] is the ready-to-draw form: constants are
//! precomputed once so that a draw is a few arithmetic operations on one or two
//! uniforms. Every sampler is exact up to `f64` (β-PERT's tables bound a rejection
//! step; they approximate nothing).

use std::hint::select_unpredictable;

use rand_core::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

use crate::streams::{TrialRng, first_word};

/// A distribution as written in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dist {
    /// Always this value.
    Fixed(f64),
    /// Continuous uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular on `[min, max]` with its peak at `mode`.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// β-PERT on `[min, max]` with mode `mode` and λ = 4.
    Pert {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal with this mean and standard deviation.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (≥ 0).
        sd: f64,
    },
    /// Log-normal: `median · exp(sigma · Z)`, Z standard normal.
    LogNormal {
        /// Median (> 0).
        median: f64,
        /// Standard deviation of the logarithm (≥ 0).
        sigma: f64,
    },
    /// One of `values`, with probabilities proportional to `weights`.
    Discrete {
        /// The possible values.
        values: Vec<f64>,
        /// Non-negative weights, not all zero; same length as `values`.
        weights: Vec<f64>,
    },
}

impl Dist {
    /// Checks the parameters; the message says what would be valid.
    pub fn check(&self) -> Result<(), String> {
        self.check_form()?;
        self.check_overflow()
    }

    /// Arithmetic on valid parameters that would overflow to infinity while drawing
    /// (a span max − min, a weight total, mean ± 10 sd, median × e^(10 sigma)).
    fn check_overflow(&self) -> Result<(), String> {
        let too_wide = |what: &str| {
            Err(format!(
                "{what} is too large to compute: it overflows to infinity; use smaller numbers"
            ))
        };
        match self {
            Dist::Uniform { min, max } if !(max - min).is_finite() => {
                too_wide("the span max − min")
            }
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max }
                if !((max - min).is_finite() && (min + 4.0 * mode + max).is_finite()) =>
            {
                too_wide("the span max − min (or the mean)")
            }
            Dist::Normal { mean, sd } if !(mean.abs() + 10.0 * sd).is_finite() => {
                too_wide("mean ± 10 sd")
            }
            Dist::LogNormal { median, sigma }
                if !(median.ln() + 10.0 * sigma).exp().is_finite() =>
            {
                too_wide("median × e^(10 sigma)")
            }
            Dist::Discrete { weights, .. } if !weights.iter().sum::<f64>().is_finite() => {
                too_wide("the sum of the discrete weights")
            }
            Dist::Discrete { weights, .. }
                if (0.0..f64::MIN_POSITIVE)
                    .contains(&weights.iter().sum::<f64>())
                    && weights.iter().any(|&w| w > 0.0) =>
            {
                Err("the discrete weights are too small to compute with (their sum is below 2.2e-308): use larger numbers in the same proportions".into())
            }
            _ => Ok(()),
        }
    }

    fn check_form(&self) -> Result<(), String> {
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        match self {
            Dist::Fixed(v) if !v.is_finite() => Err("must be a finite number".into()),
            Dist::Uniform { min, max } if !finite(&[*min, *max]) || min > max => Err(format!(
                "uniform needs [min, max] with min ≤ max, found [{min}, {max}]"
            )),
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max }
                if !(finite(&[*min, *mode, *max]) && min <= mode && mode <= max) =>
            {
                Err(format!(
                    "needs [min, mode, max] with min ≤ mode ≤ max, found [{min}, {mode}, {max}]"
                ))
            }
            Dist::Normal { mean, sd } if !finite(&[*mean, *sd]) || *sd < 0.0 => Err(format!(
                "normal needs a finite mean and sd ≥ 0, found mean = {mean}, sd = {sd}"
            )),
            Dist::LogNormal { median, sigma }
                if !finite(&[*median, *sigma]) || *median <= 0.0 || *sigma < 0.0 =>
            {
                Err(format!(
                    "lognormal needs median > 0 and sigma ≥ 0, found median = {median}, sigma = {sigma}"
                ))
            }
            Dist::Discrete { values, weights } => {
                if values.is_empty() {
                    Err("discrete needs at least one value".into())
                } else if values.len() != weights.len() {
                    Err(format!(
                        "discrete needs as many weights as values: {} values, {} weights",
                        values.len(),
                        weights.len()
                    ))
                } else if !finite(values) || !finite(weights) || weights.iter().any(|w| *w < 0.0) {
                    Err("discrete needs finite values and finite weights ≥ 0".into())
                } else if weights.iter().sum::<f64>() <= 0.0 {
                    Err("discrete weights must not all be zero".into())
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// The smallest and largest value a draw can take (infinite for unbounded forms).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Fixed(v) => (*v, *v),
            Dist::Uniform { min, max }
            | Dist::Triangular { min, max, .. }
            | Dist::Pert { min, max, .. } => (*min, *max),
            Dist::Normal { mean, sd } if *sd == 0.0 => (*mean, *mean),
            Dist::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Dist::LogNormal { median, sigma } if *sigma == 0.0 => (*median, *median),
            Dist::LogNormal { .. } => (0.0, f64::INFINITY),
            Dist::Discrete { values, weights } => {
                let live = values.iter().zip(weights).filter(|(_, w)| **w > 0.0);
                live.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (v, _)| {
                    (lo.min(*v), hi.max(*v))
                })
            }
        }
    }

    /// Whether every draw is the same value.
    pub fn is_fixed(&self) -> bool {
        let (lo, hi) = self.support();
        lo == hi
    }

    /// Closed-form mean.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Dist::Normal { mean, .. } => *mean,
            Dist::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Dist::Discrete { values, weights } => {
                let total: f64 = weights.iter().sum();
                values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total
            }
        }
    }

    /// Closed-form variance.
    pub fn variance(&self) -> f64 {
        match self {
            Dist::Fixed(_) => 0.0,
            Dist::Uniform { min, max } => (max - min).powi(2) / 12.0,
            Dist::Triangular { min, mode, max } => {
                let (a, c, b) = (*min, *mode, *max);
                (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0
            }
            Dist::Pert { min, mode, max } => {
                if max == min {
                    return 0.0;
                }
                let (alpha, beta) = pert_shape(*min, *mode, *max);
                let s = alpha + beta;
                (max - min).powi(2) * alpha * beta / (s * s * (s + 1.0))
            }
            Dist::Normal { sd, .. } => sd * sd,
            Dist::LogNormal { median, sigma } => {
                let s2 = sigma * sigma;
                (s2.exp() - 1.0) * median * median * s2.exp()
            }
            Dist::Discrete { values, weights } => {
                let m = self.mean();
                let total: f64 = weights.iter().sum();
                values
                    .iter()
                    .zip(weights)
                    .map(|(v, w)| w * (v - m).powi(2))
                    .sum::<f64>()
                    / total
            }
        }
    }

    /// The form's name as written in a scenario.
    pub fn form(&self) -> &'static str {
        match self {
            Dist::Fixed(_) => "number",
            Dist::Uniform { .. } => "uniform",
            Dist::Triangular { .. } => "triangular",
            Dist::Pert { .. } => "pert",
            Dist::Normal { .. } => "normal",
            Dist::LogNormal { .. } => "lognormal",
            Dist::Discrete { .. } => "discrete",
        }
    }
}

/// β-PERT shape parameters (λ = 4): α = 1 + 4(mode − min)/(max − min), β = 1 + 4(max − mode)/(max − min).
pub fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let r = max - min;
    (1.0 + 4.0 * (mode - min) / r, 1.0 + 4.0 * (max - mode) / r)
}

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline(always)]
pub fn unit<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // Through i64: the value fits in 53 bits, and signed conversion is one
    // instruction where unsigned 64-bit conversion is a sequence.
    ((rng.next_u64() >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal draw (ziggurat).
#[inline(always)]
pub fn std_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    StandardNormal.sample(rng)
}

/// The layer edges of the normal ziggurat of `rand_distr` 0.6 (its
/// `ZIG_NORM_X`, copied under its MIT licence), for [`std_normals`]'s fast path.
#[rustfmt::skip]
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
static ZIG_NORM_X: [f64; 257] = [
    3.910757959537090045, 3.654152885361008796, 3.449278298560964462, 3.320244733839166074,
    3.224575052047029100, 3.147889289517149969, 3.083526132001233044, 3.027837791768635434,
    2.978603279880844834, 2.934366867207854224, 2.894121053612348060, 2.857138730872132548,
    2.822877396825325125, 2.790921174000785765, 2.760944005278822555, 2.732685359042827056,
    2.705933656121858100, 2.680514643284522158, 2.656283037575502437, 2.633116393630324570,
    2.610910518487548515, 2.589575986706995181, 2.569035452680536569, 2.549221550323460761,
    2.530075232158516929, 2.511544441625342294, 2.493583041269680667, 2.476149939669143318,
    2.459208374333311298, 2.442725318198956774, 2.426670984935725972, 2.411018413899685520,
    2.395743119780480601, 2.380822795170626005, 2.366237056715818632, 2.351967227377659952,
    2.337996148795031370, 2.324308018869623016, 2.310888250599850036, 2.297723348901329565,
    2.284800802722946056, 2.272108990226823888, 2.259637095172217780, 2.247375032945807760,
    2.235313384928327984, 2.223443340090905718, 2.211756642882544366, 2.200245546609647995,
    2.188902771624720689, 2.177721467738641614, 2.166695180352645966, 2.155817819875063268,
    2.145083634046203613, 2.134487182844320152, 2.124023315687815661, 2.113687150684933957,
    2.103474055713146829, 2.093379631137050279, 2.083399693996551783, 2.073530263516978778,
    2.063767547809956415, 2.054107931648864849, 2.044547965215732788, 2.035084353727808715,
    2.025713947862032960, 2.016433734904371722, 2.007240830558684852, 1.998132471356564244,
    1.989106007615571325, 1.980158896898598364, 1.971288697931769640, 1.962493064942461896,
    1.953769742382734043, 1.945116560006753925, 1.936531428273758904, 1.928012334050718257,
    1.919557336591228847, 1.911164563769282232, 1.902832208548446369, 1.894558525668710081,
    1.886341828534776388, 1.878180486290977669, 1.870072921069236838, 1.862017605397632281,
    1.854013059758148119, 1.846057850283119750, 1.838150586580728607, 1.830289919680666566,
    1.822474540091783224, 1.814703175964167636, 1.806974591348693426, 1.799287584547580199,
    1.791640986550010028, 1.784033659547276329, 1.776464495522344977, 1.768932414909077933,
    1.761436365316706665, 1.753975320315455111, 1.746548278279492994, 1.739154261283669012,
    1.731792314050707216, 1.724461502945775715, 1.717160915015540690, 1.709889657069006086,
    1.702646854797613907, 1.695431651932238548, 1.688243209434858727, 1.681080704722823338,
    1.673943330923760353, 1.666830296159286684, 1.659740822855789499, 1.652674147080648526,
    1.645629517902360339, 1.638606196773111146, 1.631603456932422036, 1.624620582830568427,
    1.617656869570534228, 1.610711622367333673, 1.603784156023583041, 1.596873794420261339,
    1.589979870021648534, 1.583101723393471438, 1.576238702733332886, 1.569390163412534456,
    1.562555467528439657, 1.555733983466554893, 1.548925085471535512, 1.542128153226347553,
    1.535342571438843118, 1.528567729435024614, 1.521803020758293101, 1.515047842773992404,
    1.508301596278571965, 1.501563685112706548, 1.494833515777718391, 1.488110497054654369,
    1.481394039625375747, 1.474683555695025516, 1.467978458615230908, 1.461278162507407830,
    1.454582081885523293, 1.447889631277669675, 1.441200224845798017, 1.434513276002946425,
    1.427828197027290358, 1.421144398672323117, 1.414461289772464658, 1.407778276843371534,
    1.401094763676202559, 1.394410150925071257, 1.387723835686884621, 1.381035211072741964,
    1.374343665770030531, 1.367648583594317957, 1.360949343030101844, 1.354245316759430606,
    1.347535871177359290, 1.340820365893152122, 1.334098153216083604, 1.327368577624624679,
    1.320630975217730096, 1.313884673146868964, 1.307128989027353860, 1.300363230327433728,
    1.293586693733517645, 1.286798664489786415, 1.279998415710333237, 1.273185207661843732,
    1.266358287014688333, 1.259516886060144225, 1.252660221891297887, 1.245787495544997903,
    1.238897891102027415, 1.231990574742445110, 1.225064693752808020, 1.218119375481726552,
    1.211153726239911244, 1.204166830140560140, 1.197157747875585931, 1.190125515422801650,
    1.183069142678760732, 1.175987612011489825, 1.168879876726833800, 1.161744859441574240,
    1.154581450355851802, 1.147388505416733873, 1.140164844363995789, 1.132909248648336975,
    1.125620459211294389, 1.118297174115062909, 1.110938046009249502, 1.103541679420268151,
    1.096106627847603487, 1.088631390649514197, 1.081114409698889389, 1.073554065787871714,
    1.065948674757506653, 1.058296483326006454, 1.050595664586207123, 1.042844313139370538,
    1.035040439828605274, 1.027181966030751292, 1.019266717460529215, 1.011292417434978441,
    1.003256679539591412, 0.995156999629943084, 0.986990747093846266, 0.978755155288937750,
    0.970447311058864615, 0.962064143217605250, 0.953602409875572654, 0.945058684462571130,
    0.936429340280896860, 0.927710533396234771, 0.918898183643734989, 0.909987953490768997,
    0.900975224455174528, 0.891855070726792376, 0.882622229578910122, 0.873271068082494550,
    0.863795545546826915, 0.854189171001560554, 0.844444954902423661, 0.834555354079518752,
    0.824512208745288633, 0.814306670128064347, 0.803929116982664893, 0.793369058833152785,
    0.782615023299588763, 0.771654424216739354, 0.760473406422083165, 0.749056662009581653,
    0.737387211425838629, 0.725446140901303549, 0.713212285182022732, 0.700661841097584448,
    0.687767892786257717, 0.674499822827436479, 0.660822574234205984, 0.646695714884388928,
    0.632072236375024632, 0.616896989996235545, 0.601104617743940417, 0.584616766093722262,
    0.567338257040473026, 0.549151702313026790, 0.529909720646495108, 0.509423329585933393,
    0.487443966121754335, 0.463634336771763245, 0.437518402186662658, 0.408389134588000746,
    0.375121332850465727, 0.335737519180459465, 0.286174591747260509, 0.215241895913273806,
    0.000000000000000000,
];

/// Standard normal draws for entity key `key` in the trials whose keys are `tk`,
/// into `out`: bit for bit [`std_normal`]`(&mut TrialRng::new(key, k))` for each
/// trial key `k`. The ziggurat's fast path (a draw settled by its first word, 255
/// times in 256) runs over all the trials at once, in SIMD lanes; the few draws
/// it does not settle are drawn again from the start, one by one.
#[inline(always)]
pub fn std_normals(key: u64, tk: &[u64], out: &mut [f64]) {
    for (o, &k) in out.iter_mut().zip(tk) {
        // As `rand_distr`'s ziggurat: 8 bits pick the layer, the 52 high bits
        // give u in [-1, 1), and x = u·X[i] is accepted when |x| < X[i + 1].
        let bits = first_word(key, k);
        let i = (bits & 0xff) as usize;
        let u = f64::from_bits(bits >> 12 | 0x4000_0000_0000_0000) - 3.0;
        let x = u * ZIG_NORM_X[i];
        *o = if x.abs() < ZIG_NORM_X[i + 1] {
            x
        } else {
            f64::NAN
        };
    }
    for (o, &k) in out.iter_mut().zip(tk) {
        if o.is_nan() {
            *o = std_normal(&mut TrialRng::new(key, k));
        }
    }
}

/// A distribution compiled for drawing: constants precomputed, no allocation per draw.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// A constant.
    Fixed(f64),
    /// `min + width · U`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// `max − min`.
        width: f64,
    },
    /// Triangular, from two uniforms (see [`Tri`]).
    Triangular(Tri),
    /// β-PERT: `min + range · Beta(α, β)`.
    Pert {
        /// Lower bound.
        min: f64,
        /// `max − min`.
        range: f64,
        /// Beta sampler for the shape.
        beta: BetaSampler,
    },
    /// `mean + sd · Z`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// `median · exp(sigma · Z)`.
    LogNormal {
        /// Median.
        median: f64,
        /// Log-scale sd.
        sigma: f64,
    },
    /// Inverse-CDF over a cumulative weight table.
    Discrete {
        /// The values.
        values: Box<[f64]>,
        /// Cumulative weights, normalised so that the last is 1.
        cumulative: Box<[f64]>,
    },
}

impl Sampler {
    /// Compiles a checked distribution. Degenerate forms become [`Sampler::Fixed`].
    pub fn new(dist: &Dist) -> Sampler {
        if dist.is_fixed() {
            return Sampler::Fixed(dist.support().0);
        }
        match dist {
            Dist::Fixed(v) => Sampler::Fixed(*v),
            Dist::Uniform { min, max } => Sampler::Uniform {
                min: *min,
                width: max - min,
            },
            Dist::Triangular { min, mode, max } => Sampler::Triangular(Tri::new(*min, *mode, *max)),
            Dist::Pert { min, mode, max } => {
                let (alpha, beta) = pert_shape(*min, *mode, *max);
                Sampler::Pert {
                    min: *min,
                    range: max - min,
                    beta: BetaSampler::new(alpha, beta),
                }
            }
            Dist::Normal { mean, sd } => Sampler::Normal {
                mean: *mean,
                sd: *sd,
            },
            Dist::LogNormal { median, sigma } => Sampler::LogNormal {
                median: *median,
                sigma: *sigma,
            },
            Dist::Discrete { values, weights } => {
                let total: f64 = weights.iter().sum();
                let mut acc = 0.0;
                let mut cumulative: Vec<f64> = weights
                    .iter()
                    .map(|w| {
                        acc += w;
                        acc / total
                    })
                    .collect();
                if let Some(last) = cumulative.last_mut() {
                    *last = 1.0;
                }
                Sampler::Discrete {
                    values: values.clone().into_boxed_slice(),
                    cumulative: cumulative.into_boxed_slice(),
                }
            }
        }
    }

    /// A rank per form, to group samplers of the same form together.
    pub fn kind_rank(&self) -> u8 {
        match self {
            Sampler::Triangular(_) => 0,
            Sampler::Pert { .. } => 1,
            Sampler::Uniform { .. } => 2,
            Sampler::Normal { .. } => 3,
            Sampler::LogNormal { .. } => 4,
            Sampler::Discrete { .. } => 5,
            Sampler::Fixed(_) => 6,
        }
    }

    /// Whether a draw needs no random numbers.
    #[inline]
    pub fn is_fixed(&self) -> bool {
        matches!(self, Sampler::Fixed(_))
    }

    /// One draw.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Fixed(v) => *v,
            Sampler::Uniform { min, width } => min + width * unit(rng),
            Sampler::Triangular(t) => t.sample(rng),
            Sampler::Pert { min, range, beta } => min + range * beta.sample(rng),
            Sampler::Normal { mean, sd } => mean + sd * std_normal(rng),
            Sampler::LogNormal { median, sigma } => median * (sigma * std_normal(rng)).exp(),
            Sampler::Discrete { values, cumulative } => {
                let u = unit(rng);
                let i = cumulative.partition_point(|c| *c <= u);
                values[i.min(values.len() - 1)]
            }
        }
    }
}

/// Above this many values, a discrete draw searches its cumulative weights
/// rather than counting them.
const COUNTED: usize = 32;

/// Discrete draws from uniforms, in place: for each `u`, the value whose
/// cumulative weight first exceeds it, as [`Sampler::sample`] picks it (the count
/// of cumulative weights at or below `u` is the place `partition_point` finds,
/// counted without a branch so that the compiler vectorises it, or found by
/// binary search among more than [`COUNTED`] values, where counting would cost
/// a draw time in proportion to the values).
#[inline(always)]
pub fn discrete_from_units(values: &[f64], cumulative: &[f64], u: &mut [f64]) {
    let last = values.len() - 1;
    if cumulative.len() > COUNTED {
        for x in u {
            let i = cumulative.partition_point(|c| *c <= *x);
            *x = values[i.min(last)];
        }
        return;
    }
    for x in u {
        let i: usize = cumulative.iter().map(|&c| usize::from(c <= *x)).sum();
        *x = values[i.min(last)];
    }
}

/// An exact triangular sampler: the inverse CDF, without a branch (which side of
/// the mode a draw falls on is a coin toss, so a branch would often be mispredicted).
///
/// With `u` uniform and `side = (u ≥ F(mode))`, the draw is
/// `base[side] + sign[side] · √(off[side] + slope[side] · u)`: on the left
/// `min + √(u (max − min)(mode − min))`, on the right
/// `max − √((1 − u)(max − min)(max − mode))`. The side indexes small tables, so the
/// compiler cannot turn the choice back into a branch.
#[derive(Debug, Clone, Copy)]
pub struct Tri {
    /// CDF at the mode: (mode − min)/(max − min).
    split: f64,
    /// Per side (left, right): `[base, sign, off, slope]`.
    side: [[f64; 4]; 2],
}

impl Tri {
    /// Prepares a sampler for triangular(min, mode, max), min < max.
    pub fn new(min: f64, mode: f64, max: f64) -> Tri {
        let left = (max - min) * (mode - min);
        let right = (max - min) * (max - mode);
        Tri {
            split: (mode - min) / (max - min),
            side: [[min, 1.0, 0.0, left], [max, -1.0, right, -right]],
        }
    }

    /// One draw: one uniform and one square root.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u = unit(rng);
        let [base, sign, off, slope] = self.side[usize::from(u >= self.split)];
        // `off + slope · u` ≥ 0 on both sides (on the right, right · u ≤ right).
        base + sign * (off + slope * u).sqrt()
    }

    /// Turns uniforms into draws, in place: the same values as [`Tri::sample`]
    /// for the same uniforms, in a loop free of the stream's dependency chain.
    /// The side is chosen by bit masks, which the compiler vectorises (two or
    /// more square roots per instruction) where it would turn a table lookup or
    /// an `if` into scalar code or a branch.
    #[inline(always)]
    pub fn from_units(&self, u: &mut [f64]) {
        let [[lb, ls, lo, lk], [rb, rs, ro, rk]] = self.side;
        let pick = |m: u64, a: f64, b: f64| f64::from_bits((a.to_bits() & m) | (b.to_bits() & !m));
        for x in u {
            let m = u64::from(*x < self.split).wrapping_neg();
            let arg = pick(m, lo, ro) + pick(m, lk, rk) * *x;
            *x = pick(m, lb, rb) + pick(m, ls, rs) * arg.sqrt();
        }
    }
}

/// Number of strips of a [`BetaSampler`]'s hat (a power of two: 8 bits pick one).
const STRIPS: usize = 256;
/// Capacity of an alias cell: strip weights are integers in units of 2⁻²⁴ of a cell.
const CELL: u64 = 1 << 24;

/// An exact Beta(α, β) sampler for α, β ≥ 1 (the PERT shapes), by rejection from a
/// step-function hat.
///
/// The unit interval is cut into 256 equal strips. On each, the (unimodal)
/// density's maximum and minimum are known in closed form — at the strip's ends, or
/// at the mode when it falls inside. Each strip gets an integer weight `wᵢ` and a
/// hat height `Hᵢ = wᵢ·s` at or above the density's maximum there, and a squeeze
/// at or below its minimum. A draw usually takes one 64-bit random word: 8 bits
/// pick a cell and 12 bits give the leading bits of a 24-bit coin, so strip i is
/// chosen with probability exactly `wᵢ/Σw` (Walker's alias method in integer
/// arithmetic); 12 bits give the leading bits of the 32-bit height, and 32 bits
/// place the point in the strip (a grid of 2⁻⁴⁰ on the unit interval). Only when
/// the leading bits cannot settle a comparison (the coin's, 1 in 4,096 draws; the
/// height's, near the squeeze) are the trailing bits drawn from a second word, so
/// every decision is the one the full-width numbers would make. The point is
/// accepted at once under the squeeze (about 98.5 % of draws), else after one
/// density evaluation. Rejection from a dominating hat is exact: accepted points
/// follow Beta(α, β), up to the 2⁻³² resolution of the height and the 2⁻⁴⁰ grid.
/// Hats are inflated, and squeezes deflated, by 1e-9 relative so that rounding
/// cannot let the density poke above a hat.
#[derive(Debug, Clone)]
pub struct BetaSampler {
    a1: f64,
    b1: f64,
    log_max: f64,
    /// Per cell: `keep << 8 | alias` (keep in 0 ..= 2²⁴ needs 25 bits, so u64).
    cells: Box<[u64; STRIPS]>,
    /// Per strip: squeeze as a fraction of the hat, in units of 2⁻³².
    squeeze: Box<[u32; STRIPS]>,
    /// Per strip: hat height.
    hat: Box<[f64; STRIPS]>,
}

impl BetaSampler {
    /// Prepares a sampler for Beta(alpha, beta), alpha, beta ≥ 1.
    pub fn new(alpha: f64, beta: f64) -> Self {
        let (a1, b1) = (alpha - 1.0, beta - 1.0);
        let mode = if a1 + b1 > 0.0 { a1 / (a1 + b1) } else { 0.5 };
        let log_f = |x: f64| -> f64 {
            let l = if a1 != 0.0 { a1 * x.ln() } else { 0.0 };
            l + if b1 != 0.0 { b1 * (1.0 - x).ln() } else { 0.0 }
        };
        let log_max = log_f(mode);
        let f = |x: f64| (log_f(x) - log_max).exp();
        let mut top = [0.0; STRIPS];
        let mut bottom = [0.0; STRIPS];
        for i in 0..STRIPS {
            let (lo, hi) = (i as f64 / STRIPS as f64, (i + 1) as f64 / STRIPS as f64);
            let (fl, fh) = (f(lo), f(hi));
            let peak = if lo <= mode && mode <= hi {
                1.0
            } else {
                fl.max(fh)
            };
            top[i] = peak * (1.0 + 1e-9) + 1e-300;
            bottom[i] = fl.min(fh) * (1.0 - 1e-9);
        }
        // Integer weights wᵢ ≥ topᵢ/s with Σw = STRIPS·CELL exactly: round up, then
        // give what is left to the largest strips (raising a hat keeps it a hat).
        let total_units = STRIPS as u64 * CELL;
        let sum: f64 = top.iter().sum();
        let scale = sum / (total_units as f64) * (1.0 + 1e-6);
        let mut w: Vec<u64> = top.iter().map(|t| (t / scale).ceil() as u64).collect();
        let mut left = total_units.saturating_sub(w.iter().sum());
        while left > 0 {
            for wi in w.iter_mut() {
                let add = left.min(*wi / 1_000_000 + 1);
                *wi += add;
                left -= add;
                if left == 0 {
                    break;
                }
            }
        }
        let hat: [f64; STRIPS] = std::array::from_fn(|i| w[i] as f64 * scale);
        let squeeze: [u32; STRIPS] = std::array::from_fn(|i| {
            let frac = (bottom[i] / hat[i]).clamp(0.0, 1.0);
            (frac * 4_294_967_296.0).floor().min(u32::MAX as f64) as u32
        });
        // Vose's alias method, exactly, in integers: each cell holds CELL units.
        let mut keep = [CELL; STRIPS];
        let mut alias: [usize; STRIPS] = std::array::from_fn(|i| i);
        let mut rest = w.clone();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..STRIPS).partition(|&i| rest[i] < CELL);
        while let (Some(sm), Some(&lg)) = (small.pop(), large.last()) {
            keep[sm] = rest[sm];
            alias[sm] = lg;
            rest[lg] -= CELL - rest[sm];
            if rest[lg] < CELL {
                large.pop();
                small.push(lg);
            }
        }
        let cells = std::array::from_fn(|i| keep[i] << 8 | alias[i] as u64);
        BetaSampler {
            a1,
            b1,
            log_max,
            cells: Box::new(cells),
            squeeze: Box::new(squeeze),
            hat: Box::new(hat),
        }
    }

    /// One draw in `[0, 1)`.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let r = rng.next_u64();
            let cell = (r >> 56) as usize;
            let coin = ((r >> 44) & 0xfff) as u32;
            let c = self.cells[cell];
            let keep = (c >> 8) as u32;
            // The coin's leading 12 bits settle `coin < keep` unless they tie with
            // keep's (then its trailing 12 bits are drawn).
            let own = coin_below(coin, keep, || (rng.next_u64() >> 52) as u32);
            // Branch-free: the coin is a fair random bit stream.
            let i = select_unpredictable(own, cell, (c & 0xff) as usize);
            // Strip i, and 32 bits of position in it: exact in an f64.
            let x = ((((i as u64) << 32) | (r & 0xffff_ffff)) as i64) as f64
                * (1.0 / (1u64 << 40) as f64);
            let lead = ((r >> 32) & 0xfff) as u32;
            if lead < self.squeeze[i] >> 20 {
                // The whole 2⁻¹² band of heights lies under the squeeze.
                return x;
            }
            if self.accept_slow(rng, lead, i, x) {
                return x;
            }
        }
    }

    /// Draws for entity key `key` in the trials whose keys are `tk`, into `out`:
    /// bit for bit [`BetaSampler::sample`] with `TrialRng::new(key, k)` for each
    /// trial key `k`. The draws its first word settles (no coin tie, the height's
    /// leading bits under the squeeze: most of them) are made for all the trials at
    /// once, in SIMD lanes; the others are drawn again from the start, one by one.
    #[inline(always)]
    pub fn sample_lanes(&self, key: u64, tk: &[u64], out: &mut [f64]) {
        for (o, &k) in out.iter_mut().zip(tk) {
            // The first pass of `sample`'s loop, with every branch a mask.
            let r = first_word(key, k);
            let cell = (r >> 56) as usize;
            let coin = ((r >> 44) & 0xfff) as u32;
            let c = self.cells[cell];
            let keep = (c >> 8) as u32;
            // Own cell or its alias, chosen by a mask (the coin is a fair bit).
            let own = usize::from(coin < keep >> 12).wrapping_neg();
            let i = (cell & own) | ((c & 0xff) as usize & !own);
            let x = ((((i as u64) << 32) | (r & 0xffff_ffff)) as i64) as f64
                * (1.0 / (1u64 << 40) as f64);
            let lead = ((r >> 32) & 0xfff) as u32;
            let settled = (coin != keep >> 12) & (lead < self.squeeze[i] >> 20);
            *o = if settled { x } else { f64::NAN };
        }
        for (o, &k) in out.iter_mut().zip(tk) {
            if o.is_nan() {
                *o = self.sample(&mut TrialRng::new(key, k));
            }
        }
    }

    /// The rest of the acceptance test: the height's trailing 20 bits, the squeeze,
    /// then the density.
    #[cold]
    #[inline(never)]
    fn accept_slow<R: Rng + ?Sized>(&self, rng: &mut R, lead: u32, i: usize, x: f64) -> bool {
        let height = (lead << 20) | (rng.next_u64() >> 44) as u32;
        if height < self.squeeze[i] {
            return true;
        }
        let y = (f64::from(height) + 0.5) * (1.0 / 4_294_967_296.0) * self.hat[i];
        y < self.density(x)
    }

    /// The density, scaled so that its maximum is 1.
    #[cold]
    fn density(&self, x: f64) -> f64 {
        let l = if self.a1 != 0.0 {
            self.a1 * x.ln()
        } else {
            0.0
        };
        let r = if self.b1 != 0.0 {
            self.b1 * (1.0 - x).ln()
        } else {
            0.0
        };
        (l + r - self.log_max).exp()
    }
}

/// Whether a 24-bit coin `lead << 12 | trailing` is below `keep` (≤ 2²⁴), drawing
/// the `trailing` 12 bits only when the leading ones tie with `keep`'s.
#[inline(always)]
fn coin_below(lead: u32, keep: u32, trailing: impl FnOnce() -> u32) -> bool {
    if lead == keep >> 12 {
        tie_break(lead, keep, trailing)
    } else {
        lead < keep >> 12
    }
}

#[cold]
#[inline(never)]
fn tie_break(lead: u32, keep: u32, trailing: impl FnOnce() -> u32) -> bool {
    ((lead << 12) | trailing()) < keep
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Discrete draws from uniforms in lanes pick what the scalar sampler picks,
    /// including uniforms exactly on a cumulative weight.
    #[test]
    fn discrete_in_lanes_is_the_scalar_sampler() {
        let d = Dist::Discrete {
            values: vec![1.0, 5.0, 7.0, 9.0],
            weights: vec![1.0, 0.0, 2.0, 1.0],
        };
        lanes_pick_what_the_scalar_sampler_picks(&d);
        // More values than are counted: searched, with runs of zero weights.
        let n = 5 * COUNTED;
        let d = Dist::Discrete {
            values: (0..n).map(|i| i as f64).collect(),
            weights: (0..n)
                .map(|i| f64::from(i % 3 != 1) * (i % 7) as f64)
                .collect(),
        };
        lanes_pick_what_the_scalar_sampler_picks(&d);
    }

    fn lanes_pick_what_the_scalar_sampler_picks(d: &Dist) {
        let Sampler::Discrete { values, cumulative } = Sampler::new(d) else {
            panic!("a discrete sampler");
        };
        let base = crate::streams::trial_base(3);
        let tk: Vec<u64> = (0..20_000)
            .map(|t| crate::streams::trial_key(base, t))
            .collect();
        let mut u: Vec<f64> = tk.iter().map(|&k| unit(&mut TrialRng::new(9, k))).collect();
        u.extend(cumulative.iter().copied());
        let mut lanes = u.clone();
        discrete_from_units(&values, &cumulative, &mut lanes);
        for (&x, &u) in lanes.iter().zip(&u) {
            let i = cumulative.partition_point(|c| *c <= u);
            assert_eq!(x, values[i.min(values.len() - 1)], "u = {u}");
            // The value whose cumulative weight first exceeds u, by a plain scan.
            let first = cumulative.iter().position(|&c| c > u);
            assert_eq!(x, values[first.unwrap_or(values.len() - 1)], "u = {u}");
        }
        // A value of weight 0 is never drawn; every other value is.
        let Dist::Discrete { values: v, weights } = d else {
            unreachable!()
        };
        for (x, w) in v.iter().zip(weights) {
            assert_eq!(lanes.contains(x), *w > 0.0, "value {x} of weight {w}");
        }
    }

    /// PERT's fast path draws exactly what the scalar sampler draws, including
    /// the draws it leaves to it, for shapes from flat to steep.
    #[test]
    fn beta_in_lanes_is_the_scalar_sampler_bit_for_bit() {
        let base = crate::streams::trial_base(11);
        let tk: Vec<u64> = (0..50_000)
            .map(|t| crate::streams::trial_key(base, t))
            .collect();
        let mut out = vec![0.0; tk.len()];
        for (a, b) in [(1.0, 1.0), (2.0, 5.0), (5.0, 1.0), (1.6, 3.4), (40.0, 40.0)] {
            let beta = BetaSampler::new(a, b);
            beta.sample_lanes(0x5eed, &tk, &mut out);
            for (&x, &k) in out.iter().zip(&tk) {
                let scalar = beta.sample(&mut TrialRng::new(0x5eed, k));
                assert_eq!(x.to_bits(), scalar.to_bits(), "Beta({a}, {b})");
            }
        }
    }

    /// The fast path draws exactly what the scalar ziggurat draws, including
    /// the draws it leaves to it (about 1 in 80 here: first words whose layer or
    /// test falls outside the fast path).
    #[test]
    fn normals_in_lanes_are_the_scalar_ziggurat_bit_for_bit() {
        let base = crate::streams::trial_base(7);
        let tk: Vec<u64> = (0..100_000)
            .map(|t| crate::streams::trial_key(base, t))
            .collect();
        let mut out = vec![0.0; tk.len()];
        for key in [1u64, 0xdead_beef, u64::MAX] {
            std_normals(key, &tk, &mut out);
            let mut slow = 0;
            for (&z, &k) in out.iter().zip(&tk) {
                let w = first_word(key, k);
                let i = (w & 0xff) as usize;
                let u = f64::from_bits(w >> 12 | 0x4000_0000_0000_0000) - 3.0;
                slow += usize::from((u * ZIG_NORM_X[i]).abs() >= ZIG_NORM_X[i + 1]);
                assert_eq!(
                    z.to_bits(),
                    std_normal(&mut TrialRng::new(key, k)).to_bits()
                );
            }
            assert!(slow > 500, "the slow path was taken {slow} times");
        }
    }
    use rand_core::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn moments(d: &Dist, n: usize, seed: u64) -> (f64, f64, f64, f64) {
        let s = Sampler::new(d);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let (mut sum, mut sum2) = (0.0, 0.0);
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for _ in 0..n {
            let x = s.sample(&mut rng);
            sum += x;
            sum2 += x * x;
            lo = lo.min(x);
            hi = hi.max(x);
        }
        let m = sum / n as f64;
        (m, sum2 / n as f64 - m * m, lo, hi)
    }

    /// Sample mean within 5 standard errors of the closed form, and sample variance
    /// within 5 standard errors of its own (using the fourth moment bound 3σ⁴ for
    /// light tails, which all forms here except the log-normal satisfy).
    fn check(d: Dist) {
        let n = 400_000;
        let (m, v, lo, hi) = moments(&d, n, 7);
        let (em, ev) = (d.mean(), d.variance());
        let se_m = (ev / n as f64).sqrt();
        assert!(
            (m - em).abs() <= 5.0 * se_m + 1e-12,
            "{d:?}: mean {m} vs {em} (se {se_m})"
        );
        let se_v = (2.0 * ev * ev / n as f64).sqrt().max(1e-12);
        assert!(
            (v - ev).abs() <= 5.0 * se_v * 1.3,
            "{d:?}: var {v} vs {ev} (se {se_v})"
        );
        let (slo, shi) = d.support();
        assert!(
            lo >= slo && hi <= shi,
            "{d:?}: draws {lo}..{hi} outside support"
        );
    }

    #[test]
    fn moments_match_closed_forms() {
        check(Dist::Uniform {
            min: 2.0,
            max: 10.0,
        });
        check(Dist::Triangular {
            min: 20.0,
            mode: 45.0,
            max: 90.0,
        });
        check(Dist::Triangular {
            min: 0.0,
            mode: 0.0,
            max: 1.0,
        });
        check(Dist::Pert {
            min: 8.0,
            mode: 12.0,
            max: 20.0,
        });
        check(Dist::Pert {
            min: 0.0,
            mode: 0.0,
            max: 10.0,
        });
        check(Dist::Pert {
            min: 0.0,
            mode: 10.0,
            max: 10.0,
        });
        check(Dist::Pert {
            min: 0.0,
            mode: 9.0,
            max: 10.0,
        });
        check(Dist::Normal {
            mean: 100.0,
            sd: 15.0,
        });
        check(Dist::Discrete {
            values: vec![1.0, 5.0, 9.0],
            weights: vec![1.0, 2.0, 1.0],
        });
    }

    #[test]
    fn lognormal_mean_matches() {
        let d = Dist::LogNormal {
            median: 50.0,
            sigma: 0.3,
        };
        let n = 400_000;
        let (m, _, lo, _) = moments(&d, n, 3);
        let se = (d.variance() / n as f64).sqrt();
        assert!((m - d.mean()).abs() < 5.0 * se);
        assert!(lo > 0.0);
        // The median is exact: half the draws fall below it.
        let s = Sampler::new(&d);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let below = (0..n).filter(|_| s.sample(&mut rng) < 50.0).count();
        let p = below as f64 / n as f64;
        assert!((p - 0.5).abs() < 5.0 * (0.25 / n as f64).sqrt());
    }

    /// I_x(a, b) for integer shapes: Σ_{j=a}^{a+b−1} C(a+b−1, j) xʲ (1−x)^(a+b−1−j).
    fn beta_cdf_int(x: f64, a: u32, b: u32) -> f64 {
        let n = a + b - 1;
        let choose =
            |n: u32, k: u32| (0..k).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1));
        (a..=n)
            .map(|j| choose(n, j) * x.powi(j as i32) * (1.0 - x).powi((n - j) as i32))
            .sum()
    }

    #[test]
    fn pert_follows_the_exact_beta_cdf() {
        // Modes at 0, ¼, ½, ¾ and 1 of the range give Beta(1,5) … Beta(5,1).
        for (k, (a, b)) in [(1, 5), (2, 4), (3, 3), (4, 2), (5, 1)]
            .into_iter()
            .enumerate()
        {
            let d = Dist::Pert {
                min: 10.0,
                mode: 10.0 + 20.0 * f64::from(a - 1) / 4.0,
                max: 30.0,
            };
            let s = Sampler::new(&d);
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(40 + k as u64);
            let n = 200_000;
            let mut draws: Vec<f64> = (0..n).map(|_| (s.sample(&mut rng) - 10.0) / 20.0).collect();
            draws.sort_by(f64::total_cmp);
            assert!(draws[0] >= 0.0 && draws[n - 1] < 1.0);
            for q in 1..40 {
                let x = q as f64 / 40.0;
                let exact = beta_cdf_int(x, a, b);
                let p = draws.partition_point(|d| *d <= x) as f64 / n as f64;
                let se = (exact * (1.0 - exact) / n as f64).sqrt().max(1e-9);
                assert!(
                    (p - exact).abs() < 5.0 * se,
                    "Beta({a},{b}): F({x}) = {p}, exact {exact}"
                );
            }
        }
    }

    #[test]
    fn split_coins_decide_as_full_width_coins() {
        // Every 24-bit coin, against thresholds at and around 12-bit boundaries.
        for keep in [
            0,
            1,
            4095,
            4096,
            4097,
            0x7f_f800,
            0x7f_fabc,
            (1 << 24) - 1,
            1 << 24,
        ] {
            for coin in 0..1u32 << 24 {
                let (lead, trailing) = (coin >> 12, coin & 0xfff);
                let mut drawn = false;
                let below = coin_below(lead, keep, || {
                    drawn = true;
                    trailing
                });
                assert_eq!(below, coin < keep, "coin {coin:#x}, keep {keep:#x}");
                // Trailing bits are drawn only on a tie of the leading ones.
                assert_eq!(drawn, lead == keep >> 12);
            }
        }
    }

    #[test]
    fn triangular_transform_equals_the_draw() {
        // `from_units` (the trial loop's) and `sample` (everything else) give the
        // same value for the same uniform, on both sides of the mode and at its edges.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        for (a, c, b) in [
            (0.0, 0.0, 1.0),
            (5.0, 7.5, 10.0),
            (100.0, 1500.0, 4000.0),
            (2.0, 3.0, 3.0),
        ] {
            let t = Tri::new(a, c, b);
            let mut copy = rng.clone();
            let mut units: Vec<f64> = (0..10_000).map(|_| unit(&mut rng)).collect();
            units.extend([0.0, t.split, t.split.next_down(), 1.0f64.next_down()]);
            let mut drawn: Vec<f64> = (0..10_000).map(|_| t.sample(&mut copy)).collect();
            let [[lb, ls, lo, lk], [rb, rs, ro, rk]] = t.side;
            for &u in &units[10_000..] {
                let [base, sign, off, slope] = if u < t.split {
                    [lb, ls, lo, lk]
                } else {
                    [rb, rs, ro, rk]
                };
                drawn.push(base + sign * (off + slope * u).sqrt());
            }
            t.from_units(&mut units);
            assert_eq!(units, drawn, "triangular({a}, {c}, {b})");
        }
    }

    #[test]
    fn triangular_follows_its_exact_cdf() {
        for (k, (a, c, b)) in [
            (0.0, 0.0, 10.0),
            (0.0, 10.0, 10.0),
            (5.0, 7.5, 10.0),
            (20.0, 45.0, 90.0),
        ]
        .into_iter()
        .enumerate()
        {
            let s = Sampler::new(&Dist::Triangular {
                min: a,
                mode: c,
                max: b,
            });
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(70 + k as u64);
            let n = 200_000;
            let mut draws: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
            draws.sort_by(f64::total_cmp);
            assert!(draws[0] >= a && draws[n - 1] <= b);
            for q in 1..40 {
                let x = a + (b - a) * q as f64 / 40.0;
                let exact = if x <= c {
                    (x - a).powi(2) / ((b - a) * (c - a))
                } else {
                    1.0 - (b - x).powi(2) / ((b - a) * (b - c))
                };
                let p = draws.partition_point(|d| *d <= x) as f64 / n as f64;
                let se = (exact * (1.0 - exact) / n as f64).sqrt().max(1e-9);
                assert!(
                    (p - exact).abs() < 5.0 * se,
                    "tri({a},{c},{b}): F({x}) = {p}, exact {exact}"
                );
            }
        }
    }

    #[test]
    fn checks_reject_bad_parameters() {
        assert!(
            Dist::Triangular {
                min: 5.0,
                mode: 1.0,
                max: 9.0
            }
            .check()
            .is_err()
        );
        assert!(
            Dist::Normal {
                mean: 0.0,
                sd: -1.0
            }
            .check()
            .is_err()
        );
        assert!(
            Dist::Discrete {
                values: vec![1.0],
                weights: vec![0.0]
            }
            .check()
            .is_err()
        );
        assert!(
            Dist::LogNormal {
                median: 0.0,
                sigma: 1.0
            }
            .check()
            .is_err()
        );
        assert!(Dist::Uniform { min: 1.0, max: 2.0 }.check().is_ok());
    }
}
