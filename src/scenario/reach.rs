//! Values that pass the value limit (10¹²) through their scales.
//!
//! An amount as written is checked against the limit where it is decoded. A
//! contribution is then multiplied by its nation's `scale` and its effects'
//! scales, a requirement by its effects' scales, and a draw beyond the limit is
//! capped there: a requirement capped at the limit would read as met by a
//! contribution capped there too. So the same rule that holds for a written
//! amount holds for the scaled one: its upper end (its mean or median, for a
//! normal or a log-normal) times the largest scales must stay within the limit.
//! An effect's scale counts with its upper end (its median, for a log-normal),
//! and at least 1 (an effect that does not apply leaves the value as it is);
//! the tails of unbounded amounts and scales get a warning with the share of
//! draws they take past the limit ([`share_over`]).

use std::collections::HashMap;

use super::decode::{Cx, Located};
use super::raw::ScenarioFile;
use crate::dist::Dist;
use crate::limits::MAX_VALUE;
use crate::math::norm_cdf;
use crate::model::Model;

/// Every amount of `file` (compiled to `model`) that its scales can carry past
/// the value limit, as an error at the amount.
pub(super) fn check(file: &ScenarioFile, model: &Model, cx: &mut Cx) {
    amounts(file, model, |amount, scales| {
        over(model, amount, scales, cx)
    });
}

/// Calls `f` on every count of `file` (compiled to `model`) that a trial draws,
/// with what scales it: its nation's `scale` (1 for all but contributions) and
/// its effects.
pub(super) fn amounts(
    file: &ScenarioFile,
    model: &Model,
    mut f: impl FnMut(&Located<Dist>, (f64, &[usize])),
) {
    for (d_id, dom) in file.domains.ok() {
        let Some(d) = model.domain(&d_id.value) else {
            continue;
        };
        for (c_id, req) in dom.requirements.ok() {
            let effects = model
                .capability(&c_id.value)
                .and_then(|c| {
                    let reqs = &model.domains[d].requirements;
                    reqs.iter().find(|r| r.capability == c)
                })
                .map_or(&[][..], |r| &r.effects);
            f(&req.0, (1.0, effects));
        }
    }
    if let (Some(force), Some(reqs)) = (&file.force, &model.force) {
        for (c_id, req) in force.requirements.ok() {
            let effects = model
                .capability(&c_id.value)
                .and_then(|c| reqs.iter().find(|r| r.capability == c))
                .map_or(&[][..], |r| &r.effects);
            f(&req.0, (1.0, effects));
        }
    }
    for (_, nat) in file.nations.ok() {
        for (_, pool) in nat.pool.ok() {
            f(&pool.0, (1.0, &[]));
        }
    }
    contributions(file, model, &mut f);
}

/// [`amounts`] of every contribution: × its nation's `scale` and its effects.
fn contributions(
    file: &ScenarioFile,
    model: &Model,
    f: &mut impl FnMut(&Located<Dist>, (f64, &[usize])),
) {
    let ids = Ids::of(model);
    for (n_id, nat) in file.nations.ok() {
        let Some(n) = ids.nation(&n_id.value) else {
            continue;
        };
        let scale = model.nations[n].scale;
        for (d_id, caps) in nat.contributions.ok() {
            let Some(d) = ids.domain(&d_id.value) else {
                continue;
            };
            for (c_id, amount) in caps.ok() {
                let effects = ids
                    .capability(&c_id.value)
                    .and_then(|c| ids.contribution(n, d, c))
                    .map_or(&[][..], |k| &model.contributions[k].effects);
                f(&amount.0, (scale, effects));
            }
        }
    }
}

/// A model's ids and contributions by key, for rules that look each one up
/// (a scan per lookup made them quadratic in the nations and contributions).
pub(super) struct Ids<'a> {
    nations: HashMap<&'a str, usize>,
    domains: HashMap<&'a str, usize>,
    capabilities: HashMap<&'a str, usize>,
    /// (nation, domain, capability) to its contribution's index.
    contributions: HashMap<(usize, usize, usize), usize>,
}

impl<'a> Ids<'a> {
    pub(super) fn of(model: &'a Model) -> Ids<'a> {
        let index =
            |ids: Vec<&'a str>| ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect();
        Ids {
            nations: index(model.nations.iter().map(|n| n.id.as_str()).collect()),
            domains: index(model.domains.iter().map(|d| d.id.as_str()).collect()),
            capabilities: index(model.capabilities.iter().map(|c| c.id.as_str()).collect()),
            contributions: (model.contributions.iter().enumerate())
                .map(|(i, k)| ((k.nation, k.domain, k.capability), i))
                .collect(),
        }
    }
    pub(super) fn nation(&self, id: &str) -> Option<usize> {
        self.nations.get(id).copied()
    }
    pub(super) fn domain(&self, id: &str) -> Option<usize> {
        self.domains.get(id).copied()
    }
    pub(super) fn capability(&self, id: &str) -> Option<usize> {
        self.capabilities.get(id).copied()
    }
    pub(super) fn contribution(&self, n: usize, d: usize, c: usize) -> Option<usize> {
        self.contributions.get(&(n, d, c)).copied()
    }
}

/// The share of draws of an unbounded `d` (a normal, a log-normal) that reach
/// the value limit once multiplied by `factor`, where they are capped: 0 for a
/// bounded form.
pub(super) fn share_capped(d: &Dist, factor: f64) -> f64 {
    if factor <= 0.0 {
        return 0.0;
    }
    share_beyond(d, MAX_VALUE as f64 / factor)
}

/// The share of draws of `amount`, times its `scales`, that pass the value limit,
/// and the effect whose unbounded scale takes it there (`None`: the amount's own
/// tail): the larger of the amount's tail under its largest scales and each
/// effect scale's tail under the amount's reach and the other scales.
pub(super) fn share_over(
    model: &Model,
    amount: &Dist,
    (scale, effects): (f64, &[usize]),
) -> (f64, Option<usize>) {
    let own = share_capped(amount, largest_factor(model, (scale, effects)));
    let mut worst = (own, None);
    for (i, &e) in effects.iter().enumerate() {
        let others: Vec<usize> = [&effects[..i], &effects[i + 1..]].concat();
        let rest = largest_factor(model, (scale, &others)) * reach(amount);
        if rest > 0.0 {
            let share = share_beyond(&model.effects[e].dist, MAX_VALUE as f64 / rest);
            if share > worst.0 {
                worst = (share, Some(e));
            }
        }
    }
    worst
}

/// The share of draws of an unbounded `d` (a normal, a log-normal) above
/// `limit`: 0 for a bounded form.
pub(super) fn share_beyond(d: &Dist, limit: f64) -> f64 {
    match *d {
        Dist::Normal { mean, sd } if sd > 0.0 => norm_cdf((mean - limit) / sd),
        Dist::LogNormal { median, sigma } if sigma > 0.0 => norm_cdf((median / limit).ln() / sigma),
        _ => 0.0,
    }
}

/// The value a draw of `d` is held to under the limit: its upper end where it
/// has one, else its centre (the mean of a normal, the median of a log-normal).
pub(super) fn reach(d: &Dist) -> f64 {
    let hi = d.support().1;
    if hi.is_finite() {
        return hi;
    }
    match *d {
        Dist::Normal { mean, .. } => mean,
        Dist::LogNormal { median, .. } => median,
        _ => hi,
    }
}

/// The largest factor by which a nation's `scale` and `effects` multiply a
/// value (each effect at least 1: it may not apply).
pub(super) fn largest_factor(model: &Model, (scale, effects): (f64, &[usize])) -> f64 {
    let effects: f64 = effects
        .iter()
        .map(|&e| reach(&model.effects[e].dist).max(1.0))
        .product();
    scale * effects
}

/// An error at `amount` when its scales carry it past the limit.
fn over(model: &Model, amount: &Located<Dist>, scales: (f64, &[usize]), cx: &mut Cx) {
    let factor = largest_factor(model, scales);
    let most = reach(&amount.value) * factor;
    // A value within the limit as written, taken past it by its scales.
    if factor > 1.0 && most > MAX_VALUE as f64 {
        let what = if scales.0 == 1.0 {
            "its effects' scales"
        } else if scales.1.is_empty() {
            "its nation's scale"
        } else {
            "its nation's scale and its effects' scales"
        };
        cx.error(
            amount.at.span.clone(),
            &amount.at.key,
            format!(
                "with {what} (up to ×{}) this amount can reach {}, past the limit of 1e12 at which values are capped, so that a capped requirement could read as met: lower the amount or the scale",
                short(factor),
                short(most)
            ),
        );
    }
}

/// `x` for a message: as written up to a million, else in `e` notation, to ten
/// significant digits (so that a product's rounding does not show).
fn short(x: f64) -> String {
    if x < 1e6 {
        format!("{}", (x * 1e3).round() / 1e3)
    } else {
        let x: f64 = format!("{x:.9e}").parse().unwrap_or(x);
        format!("{x:e}")
    }
}
