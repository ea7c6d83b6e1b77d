//! Throughput measurement: the model's trials per second against the *draw floor*,
//! the time the same number and kinds of random draws take with no model logic.
//!
//! The floor is what no implementation of the same semantics can beat without
//! drawing fewer random numbers. [`draws`] counts, from a finished run's tally, how
//! many draws of each kind the run made (a decision per nation, a draw per
//! contribution of a participating nation, …); [`floor`] makes exactly those draws
//! with the engine's counter-based generator, folding them so the optimiser cannot
//! drop any.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::dist::{Sampler, discrete_from_units, std_normals, unit};
use crate::engine::Isa;
use crate::isa::multiversion;
use crate::math::to_count;
use crate::model::Model;
use crate::quantile::{Inverse, Tables};
use crate::stats::Tally;
use crate::streams::{BLOCK_TRIALS, TrialRng, entity_key, trial_base, trial_key};

/// Draws of one kind made by a run.
#[derive(Debug, Clone)]
pub struct Draws {
    /// The kind ("uniform", "normal", "pert" …).
    pub kind: &'static str,
    /// A sampler of that kind (the scenario's own parameters).
    pub sampler: Sampler,
    /// How many draws the run made.
    pub count: u64,
    /// For a contribution drawn under its nation's ambition (kind "copula"):
    /// its inverse distribution function, through which a normal becomes its
    /// value.
    pub inverse: Option<Arc<Inverse>>,
}

fn kind(s: &Sampler) -> &'static str {
    match s {
        Sampler::Fixed(_) => "fixed",
        Sampler::Uniform { .. } => "uniform",
        Sampler::Triangular(_) => "triangular",
        Sampler::Pert { .. } => "pert",
        Sampler::Normal { .. } => "normal",
        Sampler::LogNormal { .. } => "lognormal",
        Sampler::Discrete { .. } => "discrete",
    }
}

/// The draws a run of `model` made, from its tally: one uniform per condition
/// (with its random factors) in every trial; in each mounted trial (every trial
/// without a `[mission]` gate) one normal per bloc factor and per decision in a
/// bloc, one uniform per decision outside a bloc, one draw per random
/// probability factor, random effect and random requirement (of a domain or of
/// the force); and for each participating nation one draw per random
/// contribution, pool and its `ready_days` (when the scenario has a timeline) —
/// under ambition one normal more (its A) and, per random contribution, a
/// "copula" draw: a normal made into the contribution's value by its inverse
/// distribution function, as the engine makes it (the table's bracket, the exact
/// quantile where the bracket leaves the rounding open). Samplers are grouped by
/// their exact parameters.
pub fn draws(model: &Model, tally: &Tally) -> Vec<Draws> {
    let all = tally.trials;
    let n = tally.mounted;
    let mut out: Vec<Draws> = Vec::new();
    let mut add = |sampler: &Sampler, count: u64| {
        if count == 0 || sampler.is_fixed() {
            return;
        }
        out.push(Draws {
            kind: kind(sampler),
            sampler: sampler.clone(),
            count,
            inverse: None,
        });
    };
    let mut copulas: Vec<(&crate::dist::Dist, u64)> = Vec::new();
    let uniform = Sampler::Uniform {
        min: 0.0,
        width: 1.0,
    };
    let normal = Sampler::Normal { mean: 0.0, sd: 1.0 };
    for c in &model.conditions {
        add(&uniform, all);
        for f in &c.p.random {
            add(f, all);
        }
    }
    for e in &model.effects {
        add(&e.sampler, n);
    }
    for _ in &model.blocs {
        add(&normal, n);
    }
    for (i, nat) in model.nations.iter().enumerate() {
        let decision = if nat.bloc.is_some() {
            &normal
        } else {
            &uniform
        };
        add(decision, n);
        for f in nat
            .p
            .random
            .iter()
            .chain(nat.caps.iter().flat_map(|c| c.p.random.iter()))
        {
            add(f, n);
        }
        let inn = tally.nation_in[i];
        if let (Some(r), false) = (&nat.ready, model.timeline_days.is_empty()) {
            add(r, inn);
        }
        let ambitious = nat.ambition > 0.0;
        if ambitious {
            add(&normal, inn);
        }
        for k in nat.contributions.clone() {
            let c = &model.contributions[k];
            if ambitious && !c.sampler.is_fixed() {
                copulas.push((&c.dist, inn));
            } else {
                add(&c.sampler, inn);
            }
        }
        for p in &nat.pools {
            add(&p.sampler, inn);
        }
    }
    for d in &model.domains {
        for r in &d.requirements {
            add(&r.sampler, n);
        }
    }
    for r in model.force.iter().flatten() {
        add(&r.sampler, n);
    }
    out.extend(copula_draws(&copulas));
    out
}

/// The copula draws of `copulas` (a distribution and how many draws of it),
/// each with its inverse distribution function.
fn copula_draws(copulas: &[(&crate::dist::Dist, u64)]) -> Vec<Draws> {
    let dists: Vec<_> = copulas.iter().map(|&(d, _)| d).collect();
    let inverses = Tables::shared().get_all(&dists);
    copulas
        .iter()
        .zip(inverses)
        .filter(|((_, count), _)| *count > 0)
        .map(|(&(_, count), inverse)| Draws {
            kind: "copula",
            sampler: Sampler::Normal { mean: 0.0, sd: 1.0 },
            count,
            inverse: Some(inverse),
        })
        .collect()
}

/// Total draws per kind, in a stable order.
pub fn per_kind(draws: &[Draws]) -> Vec<(&'static str, u64)> {
    let mut kinds: Vec<(&'static str, u64)> = Vec::new();
    for d in draws {
        match kinds.iter_mut().find(|(k, _)| *k == d.kind) {
            Some((_, c)) => *c += d.count,
            None => kinds.push((d.kind, d.count)),
        }
    }
    kinds
}

/// Makes every draw in `draws` with the engine's generator and returns the time
/// taken: each kind of draw from one entity's words in consecutive trials, the
/// trial keys computed once per [`BLOCK_TRIALS`] trials (as the engine computes
/// them once per batch for every entity), in a loop of its own with the sampler
/// inlined, as the engine draws them. The draws are compiled for the same
/// instruction set as the engine's trial loop (see [`crate::engine::Isa`]), and
/// folded with an integer `xor`, which costs nothing next to a draw.
pub fn floor(draws: &[Draws], seed: u64) -> Duration {
    let base = trial_base(seed);
    let tk: Vec<u64> = (0..BLOCK_TRIALS).map(|t| trial_key(base, t)).collect();
    let isa = Isa::detect();
    let start = Instant::now();
    let key = entity_key(seed, 0);
    let mut b = Buffers::new(tk.len(), isa);
    let mut sink = draw_all_on(isa, draws, &tk, key);
    for d in draws {
        if let Some(inv) = &d.inverse {
            for_chunks(d.count, &tk, |tk| {
                sink ^= copula_on(isa, inv, key, tk, &mut b)
            });
        }
    }
    black_box(sink);
    start.elapsed()
}

/// Calls `f` on the first `count` trials of `tk`, `tk.len()` at a time (`count`
/// may exceed it: the keys are reused).
#[inline(always)]
fn for_chunks(count: u64, tk: &[u64], mut f: impl FnMut(&[u64])) {
    let mut left = count;
    while left > 0 {
        let n = left.min(tk.len() as u64) as usize;
        f(&tk[..n]);
        left -= n as u64;
    }
}

/// Every draw of `draws` but the copula draws.
#[inline(always)]
fn draw_all(draws: &[Draws], tk: &[u64], key: u64) -> u64 {
    let mut sink = 0u64;
    let mut buf = vec![0.0; tk.len()];
    for d in draws {
        if d.inverse.is_some() {
            continue;
        }
        let mut left = d.count;
        while left > 0 {
            let n = left.min(tk.len() as u64) as usize;
            sink ^= draw_kind(&d.sampler, key, &tk[..n], &mut buf[..n]);
            left -= n as u64;
        }
    }
    sink
}

/// The floor's buffers, one entry per trial of a block.
struct Buffers {
    z: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    counts: Vec<u64>,
    open: Vec<u16>,
    /// The instruction set the brackets are computed with.
    isa: Isa,
}

impl Buffers {
    fn new(n: usize, isa: Isa) -> Buffers {
        Buffers {
            z: vec![0.0; n],
            lo: vec![0.0; n],
            hi: vec![0.0; n],
            counts: vec![0; n],
            open: vec![0; n],
            isa,
        }
    }
}

/// One copula draw per trial of `tk`: a normal, made into a count by `inv` as
/// the engine makes it (bracketed in a branch-free loop, the exact quantile
/// for the lanes left open); the `xor` of the counts.
#[inline(always)]
fn copula(inv: &Inverse, key: u64, tk: &[u64], b: &mut Buffers) -> u64 {
    let n = tk.len();
    let (z, counts) = (&mut b.z[..n], &mut b.counts[..n]);
    std_normals(key, tk, z);
    let Some(t) = inv.table() else {
        return z.iter().map(|&z| inv.count(z, |x| x)).fold(0, |a, c| a ^ c);
    };
    let (lo, hi) = (&mut b.lo[..n], &mut b.hi[..n]);
    t.brackets(b.isa, z, lo, hi);
    // × 1.0 changes no value: the engine's rounding, without its effects.
    let open = t.settle((z, lo, hi), 1.0, counts, &mut b.open);
    for &i in &b.open[..open] {
        let i = usize::from(i);
        counts[i] = to_count(inv.value(z[i]));
    }
    counts.iter().fold(0, |a, &c| a ^ c)
}

/// Draws one value from `sampler` in each trial of `tk`, the `xor` of their bits
/// (`buf`: room for as many values, for the kinds drawn many trials at a time).
#[inline(always)]
fn draw_kind(sampler: &Sampler, key: u64, tk: &[u64], buf: &mut [f64]) -> u64 {
    match *sampler {
        Sampler::Triangular(ref tri) => {
            units(key, tk, buf);
            tri.from_units(buf);
            fold_values(buf, |x| x)
        }
        Sampler::Discrete {
            ref values,
            ref cumulative,
        } => {
            units(key, tk, buf);
            discrete_from_units(values, cumulative, buf);
            fold_values(buf, |x| x)
        }
        Sampler::Pert {
            min,
            range,
            ref beta,
        } => {
            beta.sample_lanes(key, tk, buf);
            fold_values(buf, |x| min + range * x)
        }
        Sampler::Uniform { min, width } => fold_draws(tk, key, |r| min + width * unit(r)),
        Sampler::Normal { mean, sd } => {
            std_normals(key, tk, buf);
            fold_values(buf, |z| mean + sd * z)
        }
        Sampler::LogNormal { median, sigma } => {
            std_normals(key, tk, buf);
            fold_values(buf, |z| median * (sigma * z).exp())
        }
        _ => fold_draws(tk, key, |r| sampler.sample(r)),
    }
}

#[inline(always)]
fn fold_draws(tk: &[u64], key: u64, f: impl Fn(&mut TrialRng) -> f64) -> u64 {
    tk.iter()
        .map(|&k| f(&mut TrialRng::new(key, k)).to_bits())
        .fold(0, |a, b| a ^ b)
}

/// One uniform per trial of `tk`, into `out` (the first step of the kinds drawn
/// from one uniform).
#[inline(always)]
fn units(key: u64, tk: &[u64], out: &mut [f64]) {
    for (o, &k) in out.iter_mut().zip(tk) {
        *o = unit(&mut TrialRng::new(key, k));
    }
}

#[inline(always)]
fn fold_values(values: &[f64], f: impl Fn(f64) -> f64) -> u64 {
    values.iter().map(|&v| f(v).to_bits()).fold(0, |a, b| a ^ b)
}

multiversion!(
    /// [`draw_all`], compiled for `isa`.
    fn draw_all_on(draws: &[Draws], tk: &[u64], key: u64) -> u64 = draw_all
);

multiversion!(
    /// [`copula`], compiled for `isa` on its own (as the engine's stages).
    fn copula_on(inv: &Inverse, key: u64, tk: &[u64], b: &mut Buffers) -> u64 = copula
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_count_decisions_and_participants() {
        let text = r#"
[scenario]
name = "t"
[capabilities]
x = {}
[conditions.c]
probability = 0.5
[blocs.b]
correlation = 0.3
[domains.d]
[nations.A]
participation = 1
bloc = "b"
contributions.d.x = { triangular = [1, 2, 3] }
[nations.B]
participation = 0
contributions.d.x = { pert = [1, 2, 3] }
"#;
        let m = crate::scenario::parse("t.toml", text, &[]).unwrap();
        let tally = crate::engine::run_serial(&m, 1, 1000, 0..1);
        let k = per_kind(&draws(&m, &tally));
        // Condition and B's decision: uniforms; the bloc factor and A's decision: normals;
        // A's contribution every trial; B never takes part, so no PERT draws.
        assert_eq!(
            k,
            vec![("uniform", 2000), ("normal", 2000), ("triangular", 1000)]
        );
        assert!(floor(&draws(&m, &tally), 1) > Duration::ZERO);
    }

    #[test]
    fn under_ambition_contributions_are_copula_draws() {
        let text = r#"
[scenario]
name = "t"
ambition = 0.5
[capabilities]
x = {}
[domains.d]
[nations.A]
participation = 1
contributions.d.x = { pert = [1, 2, 9] }
contributions.d.y = 4
[capabilities.y]
"#;
        let m = crate::scenario::parse("t.toml", text, &[]).unwrap();
        let tally = crate::engine::run_serial(&m, 1, 1000, 0..1);
        let d = draws(&m, &tally);
        // A's decision: a uniform; its A: a normal; its PERT contribution: a copula
        // draw through its table; its fixed contribution: nothing.
        assert_eq!(
            per_kind(&d),
            vec![("uniform", 1000), ("normal", 1000), ("copula", 1000)]
        );
        let inv = d
            .iter()
            .find_map(|x| x.inverse.clone())
            .expect("a copula draw");
        assert!(inv.table().is_some());
        // The floor's counts are the engine's: the exact quantile at each normal.
        let base = trial_base(1);
        let tk: Vec<u64> = (0..500).map(|t| trial_key(base, t)).collect();
        let key = entity_key(1, 7);
        let mut z = vec![0.0; tk.len()];
        std_normals(key, &tk, &mut z);
        let exact: Vec<u64> = z.iter().map(|&z| to_count(inv.value(z))).collect();
        for isa in Isa::available() {
            let mut b = Buffers::new(tk.len(), isa);
            let sink = copula(&inv, key, &tk, &mut b);
            assert_eq!(b.counts, exact, "{}", isa.name());
            assert_eq!(sink, exact.iter().fold(0, |a, &c| a ^ c));
        }
    }
}
