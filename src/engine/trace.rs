//! A traced run: every entity's value in every trial of a small run, for tests of
//! common random numbers (a variant that touches one entity must leave every other
//! entity's values as they were, trial by trial). The engine records into a
//! [`Trace`] only when a worker's scratch carries one; runs never do.

use super::plan::Plan;

/// Per entity, per trial: what the run drew or decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Per condition (model order): whether it held.
    pub conditions: Vec<Vec<bool>>,
    /// Per bloc: its common factor.
    pub factors: Vec<Vec<f64>>,
    /// Per nation (model order): whether it took part.
    pub part: Vec<Vec<bool>>,
    /// Per nation: its `ready_days` draw, where it took part and has a random one.
    pub ready: Vec<Vec<Option<f64>>>,
    /// Per contribution (model order): its amount, where its nation took part.
    pub contributions: Vec<Vec<Option<u64>>>,
    /// Per tracked (domain, capability) pair: the requirement.
    pub required: Vec<Vec<u64>>,
}

/// `n` empty rows with room for `trials` values.
fn per<T: Clone>(n: usize, trials: usize) -> Vec<Vec<T>> {
    vec![Vec::with_capacity(trials); n]
}

impl Trace {
    pub(crate) fn new(plan: &Plan, contributions: usize, trials: usize) -> Trace {
        Trace {
            conditions: per(plan.conditions.len(), trials),
            factors: per(plan.bloc_keys.len(), trials),
            part: per(plan.nation_keys.len(), trials),
            ready: vec![vec![None; trials]; plan.nation_keys.len()],
            contributions: vec![vec![None; trials]; contributions],
            required: per(plan.tracked, trials),
        }
    }

    /// Records a batch's per-trial arrays (entity-major, stride `b`, `m` trials).
    pub(crate) fn batch(
        &mut self,
        cond: &[bool],
        factor: &[f64],
        part: &[bool],
        required: &[u64],
        b: usize,
        m: usize,
    ) {
        let rows = |v: &mut Vec<Vec<bool>>, x: &[bool]| {
            for (i, r) in v.iter_mut().enumerate() {
                r.extend_from_slice(&x[i * b..i * b + m]);
            }
        };
        rows(&mut self.conditions, cond);
        rows(&mut self.part, part);
        for (i, r) in self.factors.iter_mut().enumerate() {
            r.extend_from_slice(&factor[i * b..i * b + m]);
        }
        for (i, r) in self.required.iter_mut().enumerate() {
            r.extend_from_slice(&required[i * b..i * b + m]);
        }
    }

    /// Records a contribution's (or, with `ready`, a readiness's) values in the
    /// listed trials of the batch starting at trial `first`.
    pub(crate) fn values(&mut self, index: usize, first: u64, list: &[u16], amounts: &[u64]) {
        let row = &mut self.contributions[index];
        for (&j, &a) in list.iter().zip(amounts) {
            row[first as usize + usize::from(j)] = Some(a);
        }
    }

    /// Records a nation's `ready_days` draws in the listed trials.
    pub(crate) fn ready(&mut self, nation: usize, first: u64, list: &[u16], days: &[f64]) {
        let row = &mut self.ready[nation];
        for (&j, &d) in list.iter().zip(days) {
            row[first as usize + usize::from(j)] = Some(d);
        }
    }
}
