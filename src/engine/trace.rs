//! A traced run: every entity's value in every trial of a small run, for tests of
//! common random numbers (a variant that touches one entity must leave every other
//! entity's values as they were, trial by trial). The engine records into a
//! [`Trace`] only when a worker's scratch carries one; runs never do.

use super::plan::Plan;

/// Per entity, per trial: what the run drew or decided. In a trial where the
/// mission is not mounted only the conditions are drawn: every other entity
/// records its empty value there (false, 0, `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Per condition (model order): whether it held.
    pub conditions: Vec<Vec<bool>>,
    /// Per trial: whether the mission was mounted.
    pub mounted: Vec<bool>,
    /// Per bloc: its common factor.
    pub factors: Vec<Vec<f64>>,
    /// Per nation (model order): whether it took part.
    pub part: Vec<Vec<bool>>,
    /// Per nation: its `ready_days` draw, where it took part and has a random one.
    pub ready: Vec<Vec<Option<f64>>>,
    /// Per effect: its scale as drawn (or fixed), where mounted, whether or not
    /// it applied.
    pub effects: Vec<Vec<Option<f64>>>,
    /// Per contribution (model order): its amount, where its nation took part.
    pub contributions: Vec<Vec<Option<u64>>>,
    /// Per tracked (domain, capability) pair: the requirement.
    pub required: Vec<Vec<u64>>,
    /// Per force requirement: the requirement.
    pub force: Vec<Vec<u64>>,
}

/// `n` empty rows with room for `trials` values.
fn per<T: Clone>(n: usize, trials: usize) -> Vec<Vec<T>> {
    vec![Vec::with_capacity(trials); n]
}

/// One batch's per-trial arrays (entity-major, stride `b`), over its mounted
/// trials, and where those trials stand among all of the batch's.
pub(crate) struct Rows<'a> {
    pub factor: &'a [f64],
    pub part: &'a [bool],
    pub required: &'a [u64],
    pub force: &'a [u64],
    /// Per trial of the batch: mounted.
    pub mounted: &'a [bool],
    /// Per mounted trial: its place in the batch.
    pub pos: &'a [u16],
}

/// Appends to each row of `rows` the batch's values of that entity (`x`,
/// entity-major with stride `b`, over the mounted trials `pos` of `all`), `zero`
/// where a trial is not mounted.
fn scatter<T: Copy>(rows: &mut [Vec<T>], x: &[T], b: usize, pos: &[u16], all: usize, zero: T) {
    for (i, r) in rows.iter_mut().enumerate() {
        let start = r.len();
        r.resize(start + all, zero);
        for (k, &j) in pos.iter().enumerate() {
            r[start + usize::from(j)] = x[i * b + k];
        }
    }
}

impl Trace {
    pub(crate) fn new(plan: &Plan, contributions: usize, trials: usize) -> Trace {
        Trace {
            conditions: per(plan.conditions.len(), trials),
            mounted: Vec::with_capacity(trials),
            factors: per(plan.bloc_keys.len(), trials),
            part: per(plan.nation_keys.len(), trials),
            ready: vec![vec![None; trials]; plan.nation_keys.len()],
            effects: vec![vec![None; trials]; plan.effects.len()],
            contributions: vec![vec![None; trials]; contributions],
            required: per(plan.tracked, trials),
            force: per(plan.force_keys.len(), trials),
        }
    }

    /// Records a batch's conditions (entity-major, stride `b`, `all` trials).
    pub(crate) fn conditions(&mut self, cond: &[bool], b: usize, all: usize) {
        for (i, r) in self.conditions.iter_mut().enumerate() {
            r.extend_from_slice(&cond[i * b..i * b + all]);
        }
    }

    /// Records the rest of a batch.
    pub(crate) fn batch(&mut self, x: &Rows<'_>, b: usize) {
        let all = x.mounted.len();
        self.mounted.extend_from_slice(x.mounted);
        scatter(&mut self.part, x.part, b, x.pos, all, false);
        scatter(&mut self.factors, x.factor, b, x.pos, all, 0.0);
        scatter(&mut self.required, x.required, b, x.pos, all, 0);
        scatter(&mut self.force, x.force, b, x.pos, all, 0);
    }

    /// Records a contribution's values in the listed (mounted) trials of the
    /// batch starting at trial `first`.
    pub(crate) fn values(
        &mut self,
        index: usize,
        first: u64,
        pos: &[u16],
        list: &[u16],
        amounts: &[u64],
    ) {
        let row = &mut self.contributions[index];
        for (&j, &a) in list.iter().zip(amounts) {
            row[first as usize + usize::from(pos[usize::from(j)])] = Some(a);
        }
    }

    /// Records a nation's `ready_days` draws in the listed trials.
    pub(crate) fn ready(
        &mut self,
        nation: usize,
        first: u64,
        pos: &[u16],
        list: &[u16],
        days: &[f64],
    ) {
        let row = &mut self.ready[nation];
        for (&j, &d) in list.iter().zip(days) {
            row[first as usize + usize::from(pos[usize::from(j)])] = Some(d);
        }
    }

    /// Records an effect's scales in the mounted trials `pos`.
    pub(crate) fn effect(&mut self, e: usize, first: u64, pos: &[u16], scales: &[f64]) {
        let row = &mut self.effects[e];
        for (&j, &x) in pos.iter().zip(scales) {
            row[first as usize + usize::from(j)] = Some(x);
        }
    }
}
