//! Criterion benches: per-trial cost on the reference scenario, a synthetic scale
//! series (10 to 300 nations, 3 to 8 domains), thread scaling, and the cost of each
//! kind of draw. Run with `cargo bench`; `forcesim bench` gives the same per-trial
//! figure beside the floor of the scenario's own draws.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use forcesim::dist::{Dist, Sampler};
use forcesim::engine::{BLOCK_TRIALS, Control, Runner, run_serial};
use rand_core::SeedableRng;

const REFERENCE: &str = include_str!("../scenarios/paris-2026.toml");

fn model(text: &str) -> forcesim::Model {
    forcesim::scenario::parse("bench.toml", text, &[]).expect("bench scenarios are valid")
}

/// Per-trial cost of the reference scenario on one thread.
fn reference(c: &mut Criterion) {
    let m = model(REFERENCE);
    let blocks = 8;
    let trials = blocks * BLOCK_TRIALS;
    let mut g = c.benchmark_group("trial");
    g.throughput(Throughput::Elements(trials));
    g.sample_size(20);
    g.bench_function("paris-2026", |b| {
        b.iter(|| black_box(run_serial(&m, 1, trials, 0..blocks)))
    });
    g.finish();
}

/// Cost per nation-trial as the coalition grows: flat means the engine scales
/// linearly in the number of nations.
fn scale(c: &mut Criterion) {
    let mut g = c.benchmark_group("scale");
    g.sample_size(10);
    for (nations, domains) in [(10, 3), (35, 5), (100, 6), (300, 8)] {
        let m = model(&forcesim::synth::scenario(nations, domains, 1));
        let blocks = (40 / nations as u64).max(1) * 2;
        let trials = blocks * BLOCK_TRIALS;
        g.throughput(Throughput::Elements(trials * nations as u64));
        g.bench_with_input(
            BenchmarkId::new("nation-trials", format!("{nations}x{domains}")),
            &m,
            |b, m| b.iter(|| black_box(run_serial(m, 1, trials, 0..blocks))),
        );
    }
    g.finish();
}

/// Trials per second on 1 … N threads (N = available cores).
fn threads(c: &mut Criterion) {
    let m = model(REFERENCE);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let blocks = 16 * cores as u64;
    let trials = blocks * BLOCK_TRIALS;
    let mut g = c.benchmark_group("threads");
    g.throughput(Throughput::Elements(trials));
    g.sample_size(10);
    for t in 1..=cores {
        g.bench_with_input(BenchmarkId::from_parameter(t), &t, |b, &t| {
            b.iter(|| {
                let r = Runner::new(&m, 1, trials, t).expect("pool starts");
                r.run(0..blocks, Control::default());
                black_box(r.all_covered())
            })
        });
    }
    g.finish();
}

/// The cost of one draw of each kind (the floor's ingredients).
fn draws(c: &mut Criterion) {
    let kinds = [
        ("uniform", Dist::Uniform { min: 0.0, max: 1.0 }),
        ("normal", Dist::Normal { mean: 0.0, sd: 1.0 }),
        (
            "triangular",
            Dist::Triangular {
                min: 5_000.0,
                mode: 7_500.0,
                max: 10_000.0,
            },
        ),
        (
            "pert",
            Dist::Pert {
                min: 8.0,
                mode: 12.0,
                max: 20.0,
            },
        ),
        (
            "lognormal",
            Dist::LogNormal {
                median: 40.0,
                sigma: 0.4,
            },
        ),
        (
            "discrete",
            Dist::Discrete {
                values: vec![0.0, 1.0, 2.0],
                weights: vec![1.0, 2.0, 1.0],
            },
        ),
    ];
    let n = 10_000u64;
    let mut g = c.benchmark_group("draw");
    g.throughput(Throughput::Elements(n));
    for (name, d) in kinds {
        let s = Sampler::new(&d);
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        g.bench_function(name, |b| {
            b.iter(|| {
                // An integer xor folds the draws without a float-add chain,
                // whose latency would dominate the cheapest draws.
                let mut sum = 0u64;
                for _ in 0..n {
                    sum ^= s.sample(&mut rng).to_bits();
                }
                black_box(sum)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, reference, scale, threads, draws);
criterion_main!(benches);
