//! Hardening of the shard subsystem: crafted, CRC-valid partials whose tallies are
//! inconsistent are rejected with an error naming the file and the field; decoding
//! arbitrary bytes never panics; merging any split of a run equals the whole run.

use forcesim::RunOptions;
use forcesim::model::Model;
use forcesim::scenario;
use forcesim::shard::merge::{Input, MergeError, Source, merge, merge_from};
use forcesim::shard::partial::{Header, HeaderInput, Partial};
use forcesim::shard::{Shard, run_shard};
use forcesim::stats::Tally;
use proptest::prelude::*;

fn text() -> String {
    forcesim::synth::scenario(6, 3, 1)
}

fn part(model: &Model, text: &str, trials: u64, seed: u64, shard: Shard) -> Partial {
    let opts = RunOptions {
        trials,
        seed,
        threads: 1,
        ..Default::default()
    };
    let run = run_shard(model, &opts, shard).expect("runs");
    let header = Header::for_run(&HeaderInput {
        model,
        origin: "s.toml",
        text,
        file: None,
        seed,
        trials,
        shard,
        run: &run,
    });
    Partial::new(header, &run.tally)
}

/// A whole-run partial, its model and its decoded tally.
fn whole() -> (Model, Partial, Tally) {
    let text = text();
    let model = scenario::parse("s.toml", &text, &[]).expect("valid");
    let p = part(&model, &text, 500, 7, Shard::new(1, 1).unwrap());
    let t = p.tally(&Tally::new(&model)).expect("decodes");
    (model, p, t)
}

/// Merges `p` with its tally replaced by `t` (re-encoded, so the checksum is valid).
fn merge_tampered(p: &Partial, t: &Tally) -> Result<u64, String> {
    let bytes = Partial::new(p.header.clone(), t).to_bytes();
    merge(&[Input {
        name: "t.fsp".into(),
        bytes,
    }])
    .map(|m| m.tally.trials)
    .map_err(|e| e.to_string())
}

fn rejected(p: &Partial, t: &Tally, field: &str) {
    let e = merge_tampered(p, t).expect_err("a tampered tally is rejected");
    assert!(e.contains("t.fsp"), "{e}");
    assert!(e.contains(field), "{field} not in {e}");
}

#[test]
fn the_untampered_partial_merges() {
    let (_, p, t) = whole();
    assert_eq!(merge_tampered(&p, &t), Ok(500));
}

#[test]
fn histogram_maximum_at_u64_max_is_an_error_not_a_panic() {
    let (_, p, mut t) = whole();
    t.totals[0].max = u64::MAX;
    rejected(&p, &t, "totals[0].max");
}

#[test]
fn maximum_outside_its_last_bin_is_rejected() {
    let (_, p, mut t) = whole();
    t.provided[0].max += 5_000;
    rejected(&p, &t, "provided[0]");
}

#[test]
fn minimum_above_maximum_is_rejected() {
    let (_, p, mut t) = whole();
    let h = &mut t.totals[0];
    h.min = h.max + 1;
    rejected(&p, &t, "totals[0]");
}

#[test]
fn all_covered_above_a_domains_covered_is_rejected() {
    let (_, p, mut t) = whole();
    t.covered[0] = 0;
    t.all_covered = t.all_covered.max(1);
    rejected(&p, &t, "covered[0]");
}

#[test]
fn leads_above_trials_are_rejected() {
    let (_, p, mut t) = whole();
    t.leads[0] = t.trials + 1;
    rejected(&p, &t, "leads[0]");
}

#[test]
fn histogram_count_not_the_trials_is_rejected() {
    let (_, p, mut t) = whole();
    t.totals[1].n -= 1;
    // The bins still hold one value per trial: the decoder names the count.
    let e = merge_tampered(&p, &t).expect_err("rejected");
    assert!(e.contains("t.fsp") && e.contains("totals[1]"), "{e}");
}

#[test]
fn a_sum_beyond_trials_times_the_largest_value_is_rejected() {
    let (_, p, mut t) = whole();
    t.contributed[0] = u128::MAX;
    rejected(&p, &t, "contributed[0]");
}

/// Two parts whose bytes a test can change after each has been read once.
struct Changing {
    parts: Vec<Vec<u8>>,
    reads: std::cell::RefCell<Vec<usize>>,
    /// Part `.0` reads as `.1` from its second read on.
    after_first: Option<(usize, Vec<u8>)>,
}

impl Source for Changing {
    fn count(&self) -> usize {
        self.parts.len()
    }
    fn name(&self, i: usize) -> &str {
        ["1.fsp", "2.fsp"][i]
    }
    fn read(&self, i: usize) -> Result<std::borrow::Cow<'_, [u8]>, MergeError> {
        let mut reads = self.reads.borrow_mut();
        reads[i] += 1;
        Ok(match &self.after_first {
            Some((k, b)) if *k == i && reads[i] > 1 => b.clone().into(),
            _ => self.parts[i].clone().into(),
        })
    }
}

#[test]
fn each_part_is_read_for_its_header_then_for_its_tally_and_must_not_change() {
    let text = text();
    let model = scenario::parse("s.toml", &text, &[]).expect("valid");
    let two = |k| part(&model, &text, 9_000, 3, Shard::new(k, 2).unwrap()).to_bytes();
    let one = part(&model, &text, 9_000, 3, Shard::new(1, 1).unwrap());
    let one = one.tally(&Tally::new(&model)).expect("decodes");
    let parts = vec![two(1), two(2)];
    let src = |after_first| Changing {
        parts: parts.clone(),
        reads: std::cell::RefCell::new(vec![0; 2]),
        after_first,
    };
    let s = src(None);
    let merged = merge_from(&s).expect("merges");
    assert_eq!(merged.tally, one);
    assert_eq!(*s.reads.borrow(), [2, 2], "each part read twice, no more");
    // Part 2 replaced, between the two reads, by another valid partial of the run
    // (shard 1's): refused by name, not merged.
    let e = merge_from(&src(Some((1, parts[0].clone()))))
        .err()
        .expect("a part that changed is refused")
        .to_string();
    assert!(
        e.contains("2.fsp") && e.contains("changed while it was being merged"),
        "{e}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Partial::from_bytes(&bytes);
        let _ = merge(&[Input { name: "x.fsp".into(), bytes }]);
    }

    #[test]
    fn arbitrary_bodies_behind_a_valid_header_never_panic(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (_, mut p, _) = whole();
        p.body = body;
        let _ = merge(&[Input { name: "x.fsp".into(), bytes: p.to_bytes() }]);
    }

    #[test]
    fn merge_of_any_split_equals_one_run(trials in 1u64..3_000, count in 1u64..6, seed in any::<u64>()) {
        let text = text();
        let model = scenario::parse("s.toml", &text, &[]).expect("valid");
        let one = part(&model, &text, trials, seed, Shard::new(1, 1).unwrap());
        let one = one.tally(&Tally::new(&model)).expect("decodes");
        let inputs: Vec<Input> = (1..=count)
            .map(|k| Input {
                name: format!("{k}.fsp"),
                bytes: part(&model, &text, trials, seed, Shard::new(k, count).unwrap()).to_bytes(),
            })
            .rev()
            .collect();
        let merged = merge(&inputs).expect("merges");
        prop_assert_eq!(merged.tally, one);
    }
}
