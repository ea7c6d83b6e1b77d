#!/usr/bin/env python3
"""A JIT-compiled (Numba) implementation of forcesim's trial semantics (DESIGN.md).

It is the fast Python a skilled engineer would write: the scenario is compiled to
flat NumPy arrays (distribution kinds and parameters, CSR-style index arrays for
approvals, caps, contributions, requirements and leads), and one `@njit` loop runs
every trial, one at a time, on preallocated scratch arrays, accumulating integer
tallies and histograms inside the loop. Random numbers come from Numba's own
generator (NumPy's Mersenne Twister, seeded inside the compiled code).

* speed: `python3 benches/numba_reference.py SCENARIO -n TRIALS` compiles the
  loop on a tiny warm-up run first, then prints the compile time and the timed
  run's trials/s on one thread (JIT compile time excluded);
* correctness: `--compare report.json` checks forcesim's figures against this
  implementation in standard errors: the figures benches/numpy_reference.py
  compares, then thresholds, conditions, swings, mean contributions and the
  timeline per domain.

Figures agree with forcesim within Monte Carlo error, not bit for bit.
Requires Python 3.11+, NumPy and Numba: `pip install -r benches/requirements.txt`.
"""

import argparse
import json
import math
import os
import sys
import time
import tomllib

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import numba  # noqa: E402
from numba import njit  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_reference import compare as compare_common, decision_order  # noqa: E402

MAX_VALUE = 1e12
MAX_BINS = 1 << 22  # histogram cells per capability; a larger total lands in the last cell

NPAR = 8  # parameters per distribution

# Distribution kinds.
FIXED, UNIFORM, TRIANGULAR, PERT, NORMAL, LOGNORMAL, DISCRETE = range(7)

# Wichura's AS 241 coefficients (increasing degree), as in numpy_reference.py.
AS241 = np.array([
    [3.387132872796366608, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4,
     4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3],
    [1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
     2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4, 5.2264952788528545610e3],
    [1.42343711074968357734, 4.63033784615654529590, 5.76949722146069140550, 3.64784832476320460504,
     1.27045825245236838258, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4],
    [1.0, 2.05319162663775882187, 1.67638483018380384940, 6.89767334985100004550e-1,
     1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9],
    [6.65790464350110377720, 5.46378491116411436990, 1.78482653991729133580, 2.96560571828504891230e-1,
     2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7],
    [1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
     7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15],
])


@njit(cache=False, inline="always")
def _poly(row, x):
    out = 0.0
    for k in range(7, -1, -1):
        out = out * x + AS241[row, k]
    return out


@njit(cache=False, inline="always")
def ndtri(p):
    """Inverse normal CDF (AS 241); -inf at 0 and +inf at 1."""
    if p <= 0.0:
        return -np.inf
    if p >= 1.0:
        return np.inf
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _poly(0, r) / _poly(1, r)
    r = p if q < 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        v = _poly(2, r - 1.6) / _poly(3, r - 1.6)
    else:
        v = _poly(4, r - 5.0) / _poly(5, r - 5.0)
    return -v if q < 0.0 else v


@njit(cache=False, inline="always")
def beta_pert(mode, a, b, alpha, beta, gamma):
    """A Beta draw for β-PERT (both shapes ≥ 1), exact: by inversion where a shape is 1,
    else by Cheng's algorithm BB (1978); `cheng_bb` sets up the arguments."""
    if mode == 1.0:  # Beta(1, q): 1 − U^(1/q), a = 1/q
        return 1.0 - np.random.random() ** a
    if mode == 2.0:  # Beta(p, 1): U^(1/p), a = 1/p
        return np.random.random() ** a
    while True:
        u1 = np.random.random()
        u2 = np.random.random()
        if u1 <= 0.0 or u1 >= 1.0:
            continue
        v = beta * math.log(u1 / (1.0 - u1))
        w = a * math.exp(v)
        z = u1 * u1 * u2
        r = gamma * v - 1.3862943611198906  # log 4
        s = a + r - w
        if s + 2.6094379124341003 >= 5.0 * z:  # 1 + log 5
            break
        t = math.log(z)
        if s > t:
            break
        if r + alpha * math.log(alpha / (b + w)) >= t:
            break
    if mode == 3.0:
        return w / (b + w)
    return b / (b + w)


@njit(cache=False, inline="always")
def to_count(x):
    """Round half away from zero, never below 0, at most 1e12."""
    if x > 0.0:
        return np.int64(min(math.floor(x + 0.5), MAX_VALUE))
    return np.int64(0)


def make_trial_loop(dk, dp, doff, dval, dcum,
                    cond_dist,
                    bloc_sf, bloc_se,
                    order, part_dist, n_pbase, n_pconst, n_qbase, n_bloc,
                    appr_off, appr_dist,
                    cap_off, cap_is_cond, cap_target, cap_dist, cap_const, cap_q,
                    ready_dist,
                    con_off, con_pair, con_cap, con_dist,
                    dom_lead_off, lead_nation,
                    dom_req_off, req_pair, req_dist, req_const, req_fixed,
                    n_pairs, n_caps, days,
                    hist_off, thr_cap, thr_value):
    """The trial loop for one compiled scenario: `run_trials(n, seed)` returns the tallies.

    The scenario's arrays are closure variables, which Numba freezes into the compiled
    code as constant arrays: unlike array arguments, reading them inside the inlined
    samplers costs no reference counting (an atomic increment and decrement per draw)."""

    @njit(cache=False, inline="always")
    def sample(d):
        """One draw of distribution d (see `Dists` for the parameter layout)."""
        k = dk[d]
        if k == FIXED:
            return dp[d, 0]
        if k == UNIFORM:
            return dp[d, 0] + dp[d, 1] * np.random.random()
        if k == TRIANGULAR:
            u = np.random.random()
            if u < dp[d, 2]:
                return dp[d, 0] + math.sqrt(u * dp[d, 3])
            return dp[d, 1] - math.sqrt((1.0 - u) * dp[d, 4])
        if k == PERT:
            return dp[d, 0] + dp[d, 1] * beta_pert(dp[d, 2], dp[d, 3], dp[d, 4], dp[d, 5], dp[d, 6], dp[d, 7])
        if k == NORMAL:
            return dp[d, 0] + dp[d, 1] * np.random.standard_normal()
        if k == LOGNORMAL:
            return dp[d, 0] * math.exp(dp[d, 1] * np.random.standard_normal())
        u = np.random.random()
        end = doff[d + 1] - 1
        j = doff[d]
        while j < end and u >= dcum[j]:
            j += 1
        return dval[j]

    @njit(cache=False)
    def run_trials(n, seed):
        np.random.seed(seed)
        n_cond = cond_dist.shape[0]
        n_bloc_ = bloc_sf.shape[0]
        n_nat = n_pbase.shape[0]
        n_dom = dom_req_off.shape[0] - 1
        n_req = req_dist.shape[0]
        n_days = days.shape[0]
        # Per-trial scratch, allocated once.
        cond = np.zeros(n_cond, np.bool_)
        factor = np.zeros(n_bloc_)
        part = np.zeros(n_nat, np.bool_)
        provided = np.zeros(n_pairs, np.int64)
        prov_day = np.zeros((n_days, n_pairs), np.int64)
        totals = np.zeros(n_caps, np.int64)
        mine = np.zeros(n_caps, np.int64)
        req = np.zeros(n_req, np.int64)
        has_lead = np.zeros(n_dom, np.bool_)
        # Tallies.
        t_all = 0
        t_cond = np.zeros(n_cond, np.int64)
        t_cov = np.zeros(n_dom, np.int64)
        t_leaderless = np.zeros(n_dom, np.int64)
        t_lead = np.zeros(lead_nation.shape[0], np.int64)
        t_met = np.zeros(n_req, np.int64)
        t_in = np.zeros(n_nat, np.int64)
        t_in_all = np.zeros(n_nat, np.int64)
        t_prov = np.zeros((n_nat, n_caps), np.int64)
        t_prov_sq = np.zeros((n_nat, n_caps))
        t_tot = np.zeros(n_caps, np.int64)
        t_tot_sq = np.zeros(n_caps)
        t_hist = np.zeros(hist_off[-1], np.int64)
        t_thr = np.zeros(thr_cap.shape[0], np.int64)
        t_tl = np.zeros((n_days, n_dom), np.int64)
        t_tl_all = np.zeros(n_days, np.int64)

        for _ in range(n):
            # 1. Conditions.
            for c in range(n_cond):
                cond[c] = np.random.random() < sample(cond_dist[c])
                t_cond[c] += cond[c]
            for b in range(n_bloc_):
                factor[b] = np.random.standard_normal()
            # 2-3. Decisions, in an order that respects if_absent.
            for i in range(n_nat):
                nat = order[i]
                b = n_bloc[nat]
                if n_pconst[nat]:
                    p = n_pbase[nat]
                else:
                    p = sample(part_dist[nat])
                    for a in range(appr_off[nat], appr_off[nat + 1]):
                        p *= sample(appr_dist[a])
                if b < 0:
                    for k in range(cap_off[nat], cap_off[nat + 1]):
                        t = cap_target[k]
                        applies = (not cond[t]) if cap_is_cond[k] else (not part[t])
                        if applies:
                            p = min(p, sample(cap_dist[k]))
                    part[nat] = np.random.random() < p
                else:
                    # Bloc member: latent < Φ⁻¹(p); caps are a minimum in quantile space too.
                    q = n_qbase[nat] if n_pconst[nat] else ndtri(p)
                    for k in range(cap_off[nat], cap_off[nat + 1]):
                        t = cap_target[k]
                        applies = (not cond[t]) if cap_is_cond[k] else (not part[t])
                        if applies:
                            if cap_const[k]:
                                q = min(q, cap_q[k])
                            else:
                                q = min(q, ndtri(sample(cap_dist[k])))
                    latent = bloc_sf[b] * factor[b] + bloc_se[b] * np.random.standard_normal()
                    part[nat] = latent < q
            # 4. Contributions and readiness of the nations that take part.
            provided[:] = 0
            prov_day[:, :] = 0
            totals[:] = 0
            for nat in range(n_nat):
                if not part[nat]:
                    continue
                t_in[nat] += 1
                ready = 0.0
                if ready_dist[nat] >= 0:
                    ready = sample(ready_dist[nat])
                for j in range(con_off[nat], con_off[nat + 1]):
                    v = to_count(sample(con_dist[j]))
                    pr = con_pair[j]
                    cp = con_cap[j]
                    provided[pr] += v
                    totals[cp] += v
                    t_prov[nat, cp] += v
                    for k in range(n_days):
                        if ready <= days[k]:
                            prov_day[k, pr] += v
                    mine[cp] += v
                for j in range(con_off[nat], con_off[nat + 1]):
                    cp = con_cap[j]
                    if mine[cp] != 0:
                        t_prov_sq[nat, cp] += float(mine[cp]) * float(mine[cp])
                        mine[cp] = 0
            # 5-6. Leads, requirements, coverage.
            all_cov = True
            for d in range(n_dom):
                lo = dom_lead_off[d]
                hi = dom_lead_off[d + 1]
                found = hi == lo
                for j in range(lo, hi):
                    if part[lead_nation[j]]:
                        t_lead[j] += 1
                        found = True
                        break
                has_lead[d] = found
                if not found:
                    t_leaderless[d] += 1
                cov = found
                for r in range(dom_req_off[d], dom_req_off[d + 1]):
                    need = req_fixed[r] if req_const[r] else to_count(
                        sample(req_dist[r]))
                    req[r] = need
                    if provided[req_pair[r]] >= need:
                        t_met[r] += 1
                    else:
                        cov = False
                if cov:
                    t_cov[d] += 1
                else:
                    all_cov = False
            if all_cov:
                t_all += 1
                for nat in range(n_nat):
                    if part[nat]:
                        t_in_all[nat] += 1
            # Totals, histograms, thresholds.
            for c in range(n_caps):
                v = totals[c]
                t_tot[c] += v
                t_tot_sq[c] += float(v) * float(v)
                cell = hist_off[c] + v
                if cell >= hist_off[c + 1]:
                    cell = hist_off[c + 1] - 1
                t_hist[cell] += 1
            for h in range(thr_cap.shape[0]):
                if totals[thr_cap[h]] >= thr_value[h]:
                    t_thr[h] += 1
            # Timeline.
            for k in range(n_days):
                all_k = True
                for d in range(n_dom):
                    cov = has_lead[d]
                    if cov:
                        for r in range(dom_req_off[d], dom_req_off[d + 1]):
                            if prov_day[k, req_pair[r]] < req[r]:
                                cov = False
                                break
                    if cov:
                        t_tl[k, d] += 1
                    else:
                        all_k = False
                if all_k:
                    t_tl_all[k] += 1
        return (t_all, t_cond, t_cov, t_leaderless, t_lead, t_met, t_in, t_in_all, t_prov, t_prov_sq,
                t_tot, t_tot_sq, t_hist, t_thr, t_tl, t_tl_all)

    return run_trials


def cheng_bb(p, q):
    """β-PERT's shape (α = p, β = q) as `beta_pert` reads it: [mode, …].

    mode 1: α = 1, and the next entry is 1/β; mode 2: β = 1, next 1/α; mode 3 or 4:
    Cheng's BB with a = min(p, q), b = max(p, q), α = a + b, β = √((α − 2)/(2ab − α)),
    γ = a + 1/β; mode 3 when a = p (the draw is W/(b + W)), 4 when a = q."""
    if p == 1.0:
        return [1.0, 1.0 / q]
    if q == 1.0:
        return [2.0, 1.0 / p]
    a, b = min(p, q), max(p, q)
    alpha = a + b
    beta = math.sqrt((alpha - 2.0) / (2.0 * a * b - alpha))
    return [3.0 if a == p else 4.0, a, b, alpha, beta, a + 1.0 / beta]


class Dists:
    """Every distribution of the scenario as flat arrays.

    Parameters by kind (columns of `dp`): fixed [v]; uniform [min, max − min];
    triangular [min, max, F(mode), (max − min)(mode − min), (max − min)(max − mode)];
    pert [min, max − min, then the shape as `cheng_bb` sets it up]; normal [mean, sd]; lognormal [median, σ];
    discrete: values and cumulative probabilities in `dval`/`dcum` from `doff[d]`.
    """

    def __init__(self):
        self.kind, self.par, self.vals, self.cum, self.off = [], [], [], [], [0]

    def add(self, spec):
        kind, par = self._parse(spec)
        self.kind.append(kind)
        self.par.append(par + [0.0] * (NPAR - len(par)))
        self.off.append(len(self.vals))
        return len(self.kind) - 1

    def _parse(self, spec):
        if isinstance(spec, (int, float)):
            return FIXED, [float(spec)]
        form = next(k for k in spec if k != "source")
        v = spec[form]
        if form == "uniform":
            return UNIFORM, [float(v[0]), float(v[1] - v[0])]
        if form in ("triangular", "pert"):
            a, c, b = (float(x) for x in v)
            if a == b:
                return FIXED, [a]
            if form == "triangular":
                return TRIANGULAR, [a, b, (c - a) / (b - a), (b - a) * (c - a), (b - a) * (b - c)]
            return PERT, [a, b - a, *cheng_bb(1 + 4 * (c - a) / (b - a), 1 + 4 * (b - c) / (b - a))]
        if form == "normal":
            return NORMAL, [float(v["mean"]), float(v["sd"])]
        if form == "lognormal":
            return LOGNORMAL, [float(v["median"]), float(v["sigma"])]
        if form == "discrete":
            w = np.asarray(v.get("weights", [1.0] * len(v["values"])), dtype=float)
            self.vals.extend(float(x) for x in v["values"])
            self.cum.extend(np.cumsum(w) / w.sum())
            return DISCRETE, []
        raise ValueError(f"unknown distribution {form}")

    def upper(self, d):
        """A value that draws of d exceed only in the far tail (for histogram sizes)."""
        k, p = self.kind[d], self.par[d]
        if k == FIXED:
            return p[0]
        if k in (UNIFORM, PERT):
            return p[0] + p[1]
        if k == TRIANGULAR:
            return p[1]
        if k == NORMAL:
            return p[0] + 8 * p[1]
        if k == LOGNORMAL:
            return p[0] * math.exp(8 * p[1])
        return max(self.vals[self.off[d]:self.off[d + 1]])

    def fixed(self, d):
        return self.kind[d] == FIXED

    def arrays(self):
        return (np.asarray(self.kind, np.int64), np.asarray(self.par, np.float64).reshape(-1, NPAR),
                np.asarray(self.off, np.int64), np.asarray(self.vals + [0.0], np.float64),
                np.asarray(list(self.cum) + [1.0], np.float64))


def count(x):
    return int(min(math.floor(x + 0.5), MAX_VALUE)) if x > 0 else 0


def compile_scenario(sc):
    """The scenario as the flat arrays `run_trials` takes, plus the names to read its tallies."""
    dists = Dists()
    conds = list(sc.get("conditions", {}))
    blocs = list(sc.get("blocs", {}))
    nations = list(sc["nations"])
    domains = list(sc["domains"])
    caps = list(sc.get("capabilities", {}))
    nat_ix = {n: i for i, n in enumerate(nations)}
    cap_ix = {c: i for i, c in enumerate(caps)}
    cond_dist = [dists.add(sc["conditions"][c]["probability"]) for c in conds]
    rho = [float(sc["blocs"][b]["correlation"]) for b in blocs]
    a = {k: [] for k in ("part_dist", "pbase", "pconst", "qbase", "bloc", "appr_off", "appr_dist",
                         "cap_off", "cap_is_cond", "cap_target", "cap_dist", "cap_const", "cap_q",
                         "ready_dist", "con_off", "con_pair", "con_cap", "con_dist")}
    pairs = {}
    upper = [0.0] * len(caps)
    for nid in nations:
        nat = sc["nations"][nid]
        a["appr_off"].append(len(a["appr_dist"]))
        a["cap_off"].append(len(a["cap_dist"]))
        a["con_off"].append(len(a["con_dist"]))
        pd = dists.add(nat["participation"])
        gates = [dists.add(g["probability"]) for g in nat.get("approval", [])]
        const = dists.fixed(pd) and all(dists.fixed(g) for g in gates)
        p = math.prod([dists.par[pd][0]] + [dists.par[g][0] for g in gates]) if const else 0.0
        a["part_dist"].append(pd)
        a["appr_dist"].extend(gates)
        a["pconst"].append(const)
        a["pbase"].append(p)
        a["qbase"].append(ndtri(p) if const else 0.0)
        a["bloc"].append(blocs.index(nat["bloc"]) if "bloc" in nat else -1)
        for key, cap in nat.get("if_absent", {}).items():
            d = dists.add(cap)
            a["cap_is_cond"].append(key in conds)
            a["cap_target"].append(conds.index(key) if key in conds else nat_ix[key])
            a["cap_dist"].append(d)
            a["cap_const"].append(dists.fixed(d))
            a["cap_q"].append(ndtri(dists.par[d][0]) if dists.fixed(d) else 0.0)
        a["ready_dist"].append(dists.add(nat["ready_days"]) if "ready_days" in nat else -1)
        for dom, contributions in nat.get("contributions", {}).items():
            for cap, spec in contributions.items():
                d = dists.add(spec)
                a["con_pair"].append(pairs.setdefault((dom, cap), len(pairs)))
                a["con_cap"].append(cap_ix[cap])
                a["con_dist"].append(d)
                upper[cap_ix[cap]] += max(dists.upper(d), 0.0)
    for k in ("appr", "cap", "con"):
        a[f"{k}_off"].append(len(a[f"{k}_dist"]))
    lead_off, lead_nation, req_off, req_pair, req_dist, req_const, req_fixed = [0], [], [0], [], [], [], []
    req_names = []
    for dom in domains:
        lead_nation.extend(nat_ix[n] for n in sc["domains"][dom].get("lead", []))
        lead_off.append(len(lead_nation))
        for cap, spec in sc["domains"][dom].get("requirements", {}).items():
            d = dists.add(spec)
            req_pair.append(pairs.setdefault((dom, cap), len(pairs)))
            req_dist.append(d)
            req_const.append(dists.fixed(d))
            req_fixed.append(count(dists.par[d][0]) if dists.fixed(d) else 0)
            req_names.append((dom, cap))
        req_off.append(len(req_dist))
    bins = [min(int(math.floor(u + 0.5)) + 2, MAX_BINS) for u in upper]
    hist_off = np.concatenate([[0], np.cumsum(bins)]).astype(np.int64)
    thr = [(cap_ix[c], float(x)) for c, xs in sc.get("report", {}).get("thresholds", {}).items() for x in xs]
    days = sc.get("simulation", {}).get("timeline_days", [])
    i64, f64, b1 = np.int64, np.float64, np.bool_
    args = (*dists.arrays(),
            np.asarray(cond_dist, i64),
            np.sqrt(np.asarray(rho, f64)), np.sqrt(1 - np.asarray(rho, f64)),
            np.asarray([nat_ix[n] for n in decision_order(sc["nations"])], i64),
            np.asarray(a["part_dist"], i64), np.asarray(a["pbase"], f64), np.asarray(a["pconst"], b1),
            np.asarray(a["qbase"], f64), np.asarray(a["bloc"], i64),
            np.asarray(a["appr_off"], i64), np.asarray(a["appr_dist"], i64),
            np.asarray(a["cap_off"], i64), np.asarray(a["cap_is_cond"], b1), np.asarray(a["cap_target"], i64),
            np.asarray(a["cap_dist"], i64), np.asarray(a["cap_const"], b1), np.asarray(a["cap_q"], f64),
            np.asarray(a["ready_dist"], i64),
            np.asarray(a["con_off"], i64), np.asarray(a["con_pair"], i64), np.asarray(a["con_cap"], i64),
            np.asarray(a["con_dist"], i64),
            np.asarray(lead_off, i64), np.asarray(lead_nation, i64),
            np.asarray(req_off, i64), np.asarray(req_pair, i64), np.asarray(req_dist, i64),
            np.asarray(req_const, b1), np.asarray(req_fixed, i64),
            len(pairs), len(caps), np.asarray(days, f64),
            hist_off, np.asarray([c for c, _ in thr], i64), np.asarray([x for _, x in thr], f64))
    names = {"conds": conds, "nations": nations, "domains": domains, "caps": caps, "days": days,
             "reqs": req_names, "hist_off": hist_off,
             "thresholds": [(caps[c], x) for c, x in thr]}
    return args, names


def quantile(counts, n, pct):
    rank = max(1, -(-pct * n // 100))
    return int(np.searchsorted(np.cumsum(counts), rank))


def summarise(sc, names, n, tallies):
    (t_all, t_cond, t_cov, t_leaderless, t_lead, t_met, t_in, t_in_all, t_prov, t_prov_sq,
     t_tot, t_tot_sq, t_hist, t_thr, t_tl, t_tl_all) = tallies
    out = {"trials": n, "p_all_covered": t_all / n, "domains": {}, "nations": {}, "totals": {},
           "thresholds": {}, "conditions": {}}
    for c, cid in enumerate(names["conds"]):
        out["conditions"][cid] = {"p_true": int(t_cond[c]) / n}
    lead_j, req_j = 0, 0
    for d, did in enumerate(names["domains"]):
        dom = sc["domains"][did]
        shares = {}
        for lid in dom.get("lead", []):
            shares[lid] = int(t_lead[lead_j]) / n
            lead_j += 1
        met = {}
        for cap in dom.get("requirements", {}):
            met[cap] = int(t_met[req_j]) / n
            req_j += 1
        out["domains"][did] = {"p_covered": int(t_cov[d]) / n, "p_leaderless": int(t_leaderless[d]) / n,
                               "lead_share": shares, "p_met": met}
    caps = names["caps"]
    for i, nid in enumerate(names["nations"]):
        inn, in_all = int(t_in[i]), int(t_in_all[i])
        out_n = n - inn
        swing, p_in, p_out = None, None, None
        if inn and out_n:
            p_in, p_out = in_all / inn, (t_all - in_all) / out_n
            swing = p_in - p_out
        contributed = {cap for caps_ in sc["nations"][nid].get("contributions", {}).values() for cap in caps_}
        out["nations"][nid] = {
            "p_participates": inn / n,
            "swing": swing,
            "swing_parts": [p_in, p_out],
            "mean_provided": {c: int(t_prov[i, k]) / n for k, c in enumerate(caps) if c in contributed},
            "sd_provided": {c: math.sqrt(max(t_prov_sq[i, k] / n - (int(t_prov[i, k]) / n) ** 2, 0.0))
                            for k, c in enumerate(caps) if c in contributed},
        }
    hist_off = names["hist_off"]
    for k, cap in enumerate(caps):
        counts = t_hist[hist_off[k]:hist_off[k + 1]]
        mean = int(t_tot[k]) / n
        out["totals"][cap] = {
            "mean": mean,
            "sd": math.sqrt(max(t_tot_sq[k] / n - mean * mean, 0.0)),
            **{f"p{p:02d}": quantile(counts, n, p) for p in (5, 25, 50, 75, 95)},
        }
    for h, (cap, x) in enumerate(names["thresholds"]):
        out["thresholds"].setdefault(cap, []).append({"at_least": x, "p": int(t_thr[h]) / n})
    if names["days"]:
        out["timeline"] = {"days": names["days"], "p_all_covered": [int(k) / n for k in t_tl_all],
                           "domains": {did: [int(t_tl[k, d]) / n for k in range(len(names["days"]))]
                                       for d, did in enumerate(names["domains"])}}
    return out


def compare(mine, theirs):
    """numpy_reference.py's comparison, then the figures it leaves out; returns the largest distance."""
    worst = compare_common(mine, theirs)
    n1, n2 = mine["trials"], theirs["trials"]
    both = 1 / n1 + 1 / n2

    def z_prop(a, b):
        p = (a * n1 + b * n2) / (n1 + n2)
        return (a - b) / math.sqrt(max(p * (1 - p), 1e-12) * both)

    rows = []
    for cap, rows_ in mine["thresholds"].items():
        for k, f in enumerate(rows_):
            g = theirs["thresholds"][cap][k]
            rows.append((f"thresholds.{cap}.at_least_{g['at_least']:g}", z_prop(f["p"], g["p"])))
    for c, f in mine["conditions"].items():
        rows.append((f"conditions.{c}.p_true", z_prop(f["p_true"], theirs["conditions"][c]["p_true"])))
    for nid, f in mine["nations"].items():
        g = theirs["nations"][nid]
        if f["swing"] is not None and g["swing"] is not None:
            p_in, p_out = f["swing_parts"]
            share = f["p_participates"]
            var = p_in * (1 - p_in) / share + p_out * (1 - p_out) / (1 - share)
            se = math.sqrt(max(var, 1e-12) * both)
            rows.append((f"nations.{nid}.swing", (f["swing"] - g["swing"]) / se))
        for cap, m in f["mean_provided"].items():
            se = f["sd_provided"][cap] * math.sqrt(both)
            if se > 0:
                rows.append((f"nations.{nid}.mean_provided.{cap}", (m - g["mean_provided"][cap]) / se))
    if "timeline" in mine:
        for d, series in mine["timeline"]["domains"].items():
            for k, day in enumerate(mine["timeline"]["days"]):
                rows.append((f"timeline.{d}.day{day}", z_prop(series[k], theirs["timeline"]["domains"][d][k])))
    for name, z in rows:
        worst = max(worst, abs(z))
        print(f"{name:48s} {z:+6.2f} se")
    print(f"{len(rows)} more figures; largest distance of all {worst:.2f} standard errors")
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario")
    ap.add_argument("-n", "--trials", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="write the figures as JSON to this path")
    ap.add_argument("--compare", help="a forcesim JSON report to compare with")
    a = ap.parse_args()
    with open(a.scenario, "rb") as f:
        sc = tomllib.load(f)
    start = time.perf_counter()
    args, names = compile_scenario(sc)
    run_trials = make_trial_loop(*args)
    run_trials(100, a.seed + 1)  # compiles the loop: the timed run below excludes it
    compiled = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    tallies = run_trials(a.trials, a.seed)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    out = summarise(sc, names, a.trials, tallies)
    print(f"numba {numba.__version__} (numpy {np.__version__}): compile and warm-up {compiled:.2f} s; "
          f"{a.trials:,} trials in {elapsed:.3f} s = {a.trials / elapsed:,.0f} trials/s "
          f"({elapsed * 1e9 / a.trials:,.0f} ns/trial; CPU {cpu:.3f} s = {cpu * 1e9 / a.trials:,.0f} ns/trial), "
          f"1 thread")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)
    if a.compare:
        with open(a.compare) as f:
            theirs = json.load(f)
        worst = compare(out, theirs)
        sys.exit(0 if worst < 5 else 1)


if __name__ == "__main__":
    main()
