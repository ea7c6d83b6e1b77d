//! Nations with finite forces in the engine: pools and the cut they make, the
//! committed force, and ambition (a Gaussian copula over a nation's
//! contributions). The models are parsed from format-1 scenarios and given their
//! pools, rotations and ambition by hand.

use super::trial::{BATCH, run_block};
use super::{Isa, Plan, Scratch, trace};
use crate::dist::{Dist, Sampler};
use crate::model::{Model, Pool};
use crate::quantile::beta_cdf;
use crate::stats::Tally;
use crate::streams::{stream, stream_key};

/// A and B take part at random; A sends land and sea troops (fixed), B land
/// troops (discrete).
const TWO: &str = r#"
[scenario]
name = "pools"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
requirements = { troops = 60 }
[domains.sea]
requirements = { troops = 10 }
[nations.A]
participation = 0.8
[nations.A.contributions.land]
troops = 30
[nations.A.contributions.sea]
troops = 20
[nations.B]
participation = 0.6
[nations.B.contributions.land]
troops = { discrete = { values = [10, 40], weights = [1, 1] } }
"#;

fn pool(model: &Model, n: &str, cap: &str, dist: Dist) -> Pool {
    Pool {
        capability: model.capability(cap).unwrap(),
        sampler: Sampler::new(&dist),
        fixed: dist
            .is_fixed()
            .then(|| crate::math::to_count(dist.support().0)),
        dist,
        key: stream_key("pool", &format!("{n}.{cap}")),
    }
}

/// A holds a pool of troops drawn from {90, 150, 300} with rotation 3; B has
/// rotation 2 and no pool.
fn pooled() -> Model {
    let mut m = crate::scenario::parse("pools.toml", TWO, &[]).unwrap();
    let (a, b) = (m.nation("A").unwrap(), m.nation("B").unwrap());
    let p = pool(
        &m,
        "A",
        "troops",
        Dist::Discrete {
            values: vec![90.0, 150.0, 300.0],
            weights: vec![1.0, 1.0, 1.0],
        },
    );
    m.nations[a].pools = vec![p];
    m.nations[a].rotation = 3;
    m.nations[b].rotation = 2;
    m
}

/// The tally, re-derived trial by trial: participation from the trace, the
/// pool and B's amount read from their streams, the cut by the contract's
/// arithmetic.
#[test]
fn pools_cut_as_the_contract_reads_trial_by_trial() {
    let m = pooled();
    let (seed, trials) = (11, 5000u64);
    let tr = trace(&m, seed, trials);
    let tally = super::run_serial(&m, seed, trials, 0..super::block_count(trials));
    let (a, b) = (m.nation("A").unwrap(), m.nation("B").unwrap());
    let pkey = m.nations[a].pools[0].key;
    let bk = m.contributions[m.nations[b].contributions.start].key;
    let (mut binds, mut drawn, mut cuts, mut total, mut committed) =
        (0u64, 0u128, Vec::new(), 0u128, 0u128);
    let mut a_land = 0u128;
    for t in 0..trials {
        let (pa, pb) = (tr.part[a][t as usize], tr.part[b][t as usize]);
        let (mut land, mut sea) = (0u64, 0u64);
        if pa {
            let p = m.nations[a].pools[0]
                .sampler
                .sample(&mut stream(seed, t, pkey));
            let p = p as u64;
            drawn += u128::from(p);
            (land, sea) = (30, 20);
            let d = land + sea;
            if d * 3 > p {
                let keep = p / 3;
                (land, sea) = (land * keep / d, sea * keep / d);
                binds += 1;
                cuts.push(d - land - sea);
            }
        }
        let bv = if pb {
            m.contributions[m.nations[b].contributions.start]
                .sampler
                .sample(&mut stream(seed, t, bk)) as u64
        } else {
            0
        };
        a_land += u128::from(land);
        total += u128::from(land + sea + bv);
        committed += u128::from(3 * (land + sea) + 2 * bv);
        let k = m.nations[a].contributions.start;
        if pa {
            assert_eq!(tr.contributions[k][t as usize], Some(land), "trial {t}");
        }
    }
    assert!(binds > 0 && binds < trials, "the pool binds sometimes");
    assert_eq!(tally.pool_binds, vec![binds]);
    assert_eq!(tally.pool_drawn, vec![drawn]);
    let h = &tally.pool_cut[0];
    assert_eq!(h.n, binds);
    assert_eq!(h.sum, cuts.iter().map(|&c| u128::from(c)).sum::<u128>());
    // Pool 90: T = 30, land 18 and sea 12, a cut of 20.
    assert!(cuts.iter().all(|&c| c == 20));
    assert_eq!(tally.totals[0].sum, total);
    assert_eq!(tally.committed[0].sum, committed);
    assert_eq!(tally.committed[0].n, trials);
    let k = m.nations[a].contributions.start;
    assert_eq!(tally.contributed[k], a_land);
}

/// Without pools or rotation, the committed force is the total, trial by trial.
#[test]
fn committed_is_the_total_where_every_rotation_is_one() {
    let m = crate::scenario::parse("pools.toml", TWO, &[]).unwrap();
    let t = super::run_serial(&m, 3, 3000, 0..1);
    assert_eq!(t.committed, t.totals);
}

/// One nation with two PERT contributions (wide, so that ties are rare) and
/// ambition ρ.
fn ambitious(rho: f64) -> Model {
    let text = r#"
[scenario]
name = "ambition"
[capabilities]
troops = { unit = "personnel" }
[domains.land]
requirements = { troops = 1 }
[domains.sea]
requirements = { troops = 1 }
[nations.A]
participation = 1
[nations.A.contributions.land]
troops = { pert = [0, 20000, 100000] }
[nations.A.contributions.sea]
troops = { pert = [1000, 1500, 9000] }
"#;
    let mut m = crate::scenario::parse("ambition.toml", text, &[]).unwrap();
    m.nations[0].ambition = rho;
    m.nations[0].ambition_key = stream_key("ambition", "A");
    m
}

/// P(count ≤ n) for a PERT rounded to counts: F(n + ½).
fn pert_count_cdf(min: f64, mode: f64, max: f64, n: u64) -> f64 {
    let (a, b) = crate::dist::pert_shape(min, mode, max);
    let x = ((n as f64 + 0.5 - min) / (max - min)).clamp(0.0, 1.0);
    beta_cdf(a, b, x)
}

/// Kolmogorov–Smirnov distance of `sample` from the rounded PERT.
fn ks(sample: &mut [u64], (min, mode, max): (f64, f64, f64)) -> f64 {
    sample.sort_unstable();
    let n = sample.len() as f64;
    let mut worst: f64 = 0.0;
    for (i, &v) in sample.iter().enumerate() {
        // Only the last of a run of ties counts the step.
        if sample.get(i + 1) == Some(&v) {
            continue;
        }
        let f = pert_count_cdf(min, mode, max, v);
        let below = if v == 0 {
            0.0
        } else {
            pert_count_cdf(min, mode, max, v - 1)
        };
        let first = sample.partition_point(|&x| x < v) as f64 / n;
        worst = worst.max((f - (i + 1) as f64 / n).abs());
        worst = worst.max((below - first).abs());
    }
    worst
}

fn values(model: &Model, trials: u64, k: usize) -> Vec<u64> {
    trace(model, 23, trials).contributions[k]
        .iter()
        .map(|v| v.expect("always takes part"))
        .collect()
}

/// Every ρ leaves each contribution's distribution as it was: the KS distance
/// from the exact rounded PERT stays within its 0.1% critical value.
#[test]
fn ambition_leaves_the_marginals_unchanged() {
    let n = 20_000u64;
    let crit = 1.95 / (n as f64).sqrt();
    for rho in [0.0, 0.3, 0.9] {
        let m = ambitious(rho);
        for (k, shape) in [(0, (0.0, 20000.0, 100000.0)), (1, (1000.0, 1500.0, 9000.0))] {
            let mut v = values(&m, n, k);
            let d = ks(&mut v, shape);
            assert!(d < crit, "ρ = {rho}, contribution {k}: KS {d} ≥ {crit}");
        }
    }
}

/// Spearman's rank correlation.
fn spearman(x: &[u64], y: &[u64]) -> f64 {
    let ranks = |v: &[u64]| {
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by_key(|&i| v[i]);
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
                j += 1;
            }
            for &o in &order[i..=j] {
                r[o] = (i + j) as f64 / 2.0;
            }
            i = j + 1;
        }
        r
    };
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Two contributions of one nation have the Gaussian copula's rank correlation
/// 6/π·asin(ρ/2), within four standard errors.
#[test]
fn ambition_gives_the_copulas_rank_correlation() {
    let n = 20_000u64;
    for rho in [0.0, 0.5, 0.9] {
        let m = ambitious(rho);
        let t = trace(&m, 23, n);
        let col =
            |k: usize| -> Vec<u64> { t.contributions[k].iter().map(|v| v.unwrap()).collect() };
        let r = spearman(&col(0), &col(1));
        let want = 6.0 / std::f64::consts::PI * (rho / 2.0).asin();
        let se = (1.0 - want * want) / (n as f64).sqrt();
        assert!(
            (r - want).abs() < 4.0 * se + 0.005,
            "ρ = {rho}: {r} vs {want}"
        );
    }
}

/// A model with everything of this issue at once: pools (fixed and drawn),
/// rotation, ambition on one nation and pools on another.
fn everything() -> Model {
    let mut m =
        crate::scenario::parse("forms.toml", &crate::synth::scenario(12, 4, 3), &[]).unwrap();
    for n in 0..m.nations.len() {
        let caps: Vec<usize> = m.contributions[m.nations[n].contributions.clone()]
            .iter()
            .map(|c| c.capability)
            .collect();
        let id = m.nations[n].id.clone();
        m.nations[n].rotation = 1 + (n as u64 % 3);
        if n % 2 == 0 {
            m.nations[n].ambition = 0.6;
            m.nations[n].ambition_key = stream_key("ambition", &id);
        }
        if let Some(&c) = caps.first()
            && n % 3 != 1
        {
            let cap = m.capabilities[c].id.clone();
            let dist = if n % 3 == 0 {
                Dist::Fixed(200.0)
            } else {
                Dist::Uniform {
                    min: 50.0,
                    max: 5000.0,
                }
            };
            let p = pool(&m, &id, &cap, dist);
            m.nations[n].pools = vec![p];
        }
    }
    m
}

/// With pools and ambition, the batch width and the instruction set are a
/// matter of speed only.
#[test]
fn pools_and_ambition_do_not_depend_on_batch_or_isa() {
    let m = everything();
    assert!(m.pool_slots() > 0);
    let plan = Plan::new(&m);
    let run = |b: usize, isa: Isa| {
        let mut s = Scratch::with_batch(&plan, b);
        s.isa = isa;
        let mut t = Tally::new(&m);
        run_block(&plan, 9, 0, 1000, &mut s, &mut t);
        run_block(&plan, 9, 1, 333, &mut s, &mut t);
        t
    };
    let wide = run(BATCH, Isa::baseline());
    assert!(wide.pool_binds.iter().any(|&b| b > 0), "some pool binds");
    for b in [1, 7, 64] {
        assert_eq!(run(b, Isa::baseline()), wide, "batch width {b}");
    }
    for isa in Isa::available() {
        assert_eq!(run(BATCH, isa), wide, "{}", isa.name());
    }
}

/// A nation's pool and ambition touch no other nation's draws, trial by trial.
#[test]
fn pools_and_ambition_leave_other_nations_alone() {
    let base =
        crate::scenario::parse("forms.toml", &crate::synth::scenario(12, 4, 3), &[]).unwrap();
    let m = everything();
    let (t0, t1) = (trace(&base, 5, 2000), trace(&m, 5, 2000));
    assert_eq!(t0.part, t1.part);
    for (n, nat) in m.nations.iter().enumerate() {
        if nat.pools.is_empty() && nat.ambition == 0.0 {
            for k in nat.contributions.clone() {
                assert_eq!(t0.contributions[k], t1.contributions[k], "nation {n}");
            }
        }
    }
}
