#!/usr/bin/env python3
"""A JIT-compiled (Numba) implementation of forcesim's trial semantics (DESIGN.md).

It is the fast Python a skilled engineer would write: the scenario is compiled to
flat NumPy arrays (distribution kinds and parameters, CSR-style index arrays for
approvals, caps, effects, contributions, pools, requirements, lead entries and their
members), and one `@njit` loop runs every trial, one at a time, on preallocated
scratch arrays, accumulating integer tallies and histograms inside the loop. Random
numbers come from Numba's own generator (NumPy's Mersenne Twister, seeded inside the
compiled code).

It covers the whole current contract, format 1 and format 2:

* the mission gate (`[mission] requires`): a trial that is not mounted draws
  nothing after its conditions and counts only toward `p_mounted`; every other
  figure is over the mounted trials, with `p_all_covered_overall` over all;
* decisions: participation, approval gates, fixed `decision`s, `if_absent` and
  `if_present` caps (on conditions and on nations), blocs as a one-factor Gaussian
  copula (caps taken in quantile space);
* condition effects (`when`, fixed or drawn `scale`, every target form, one draw
  per effect shared by its targets, several effects multiplying) and nation
  `scale`, applied before rounding;
* finite forces: `rotation` (the nation's, else the scenario's, else 1), `pool`
  per capability (drawn and rounded per trial; where deployed × rotation exceeds
  it, each domain's v becomes ⌊v × T / D⌋, T = ⌊pool / rotation⌋), and `ambition`
  ρ (the nation's, else the scenario's): one standard normal A per nation and
  trial, each random contribution F⁻¹(Φ(√ρ·A + √(1−ρ)·ε)) with the exact inverse
  CDF: closed forms for normal, lognormal, uniform and triangular, discrete values
  ascending with their cut points moved to the normal scale, and for β-PERT a
  table of F⁻¹(Φ(z)) at 8,193 points of z in [−9, 9] (the β CDF integrated
  numerically on 2^20 cells and inverted once per scenario, each tail on its own
  side; linear interpolation between the points, error under 1e-7 of the range,
  far below Monte Carlo error);
* leads: entries that are a nation or a group of co-leads (label `A+B`),
  `lead_provides` obligations against this trial's final requirement,
  `p_lead_short` and `p_no_lead_candidate`;
* `[force] requirements` (all covered includes the force), gaps and drawn
  requirements, totals with `committed` (Σ deployed × rotation), thresholds,
  each nation's pool figures (`p_binds`, mean cut), swing and mean contribution,
  and the timeline (contributions, obligations and lead presence count only
  nations ready by the day; the force row too);
* every value forcesim accepts: pool cuts ⌊v × T / D⌋ and obligations' needs
  ⌈num × requirement / den⌉ (a share kept to 18 decimals, as forcesim keeps it) in
  exact integer arithmetic though the products pass int64, committed forces and
  sums over trials in floats, and totals' quantiles exact: a histogram for a
  capability whose totals stay below 2^22, the others (and any total beyond its
  histogram) counted apart by value, the loop running in chunks of trials.
  benches/reference_limits_check.py checks these against exact figures.

* speed: `python3 benches/numba_reference.py SCENARIO -n TRIALS` compiles the
  loop on a tiny warm-up run first, then prints the compile time and the timed
  run's trials/s on one thread (JIT compile time excluded);
* correctness: `--compare report.json` checks a `forcesim-report/2` report
  against this implementation in standard errors: every figure
  benches/numpy_reference.py compares (the gate, coverage, leads, the force, gaps,
  drawn requirements, totals and committed, pools, the timeline), then
  thresholds, swings and mean contributions.

`simulate(sc, trials, seed)` returns the figures in the layout of
numpy_reference.py's, so benches/numpy_reference_check.py's exact enumeration can
check this implementation too. Shared with numpy_reference.py: reading the file
(`extends`, `remove`), the decision order and the comparison; the trial semantics
are written here afresh. Figures agree with forcesim within Monte Carlo error, not
bit for bit. Requires Python 3.11+, NumPy and Numba: `pip install -r benches/requirements.txt`.
"""

import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import numba  # noqa: E402
from numba import njit  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_reference import Counts, compare as compare_common, decision_order, load, share_fraction  # noqa: E402

MAX_VALUE = 1e12
MAX_BINS = Counts.DENSE  # most histogram cells per capability; larger totals are listed apart, exactly
CHUNK_CELLS = 1 << 22  # trials × capabilities per call of the loop (its list of large totals)

NPAR = 8  # parameters per distribution

# Distribution kinds.
FIXED, UNIFORM, TRIANGULAR, PERT, NORMAL, LOGNORMAL, DISCRETE = range(7)

# The β-PERT quantile table: F⁻¹(Φ(z)) at ZGRID points evenly spaced on [−ZMAX, ZMAX].
ZMAX = 9.0
ZGRID = 8193
ZSTEP = 2 * ZMAX / (ZGRID - 1)
SQRT_HALF = math.sqrt(0.5)
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
def mul_div(a, b, d):
    """(⌊a × b / d⌋, remainder), exactly, for 0 ≤ a, b and 0 < d < 2^62 with a
    quotient below 2^52 (pool cuts: v ≤ 10^15, T ≤ 10^12; obligations: a share's
    numerator ≤ 10^18, a requirement ≤ 10^12), though a × b passes int64: a float
    estimate, off by at most one, corrected with the remainder a × b − q × d, which
    then lies in [−d, 2d) and so is exact in int64 arithmetic that wraps."""
    q = np.int64(math.floor(float(a) * float(b) / float(d)))
    r = a * b - q * d
    while r < 0:
        q -= 1
        r += d
    while r >= d:
        q += 1
        r -= d
    return q, r


@njit(cache=False, inline="always")
def to_count(x):
    """Round half away from zero, never below 0, at most 1e12."""
    if x > 0.0:
        return np.int64(min(math.floor(x + 0.5), MAX_VALUE))
    return np.int64(0)


def make_trial_loop(s):
    """The trial loop for one compiled scenario `s` (the arrays of `compile_scenario`):
    `run_trials(n, seed)` returns the tallies (the loop runs in chunks of trials,
    whose tallies add up; seeded once, on the first).

    The scenario's arrays are closure variables, which Numba freezes into the compiled
    code as constant arrays: unlike array arguments, reading them inside the inlined
    samplers costs no reference counting (an atomic increment and decrement per draw)."""
    dk, dp, doff, dval, dcum = s["dk"], s["dp"], s["doff"], s["dval"], s["dcum"]
    qval, qz, dtab, tab = s["qval"], s["qz"], s["dtab"], s["tab"]
    cond_dist, mission = s["cond_dist"], s["mission"]
    eff_cond, eff_when, eff_dist, eff_off, eff_val = (
        s["eff_cond"], s["eff_when"], s["eff_dist"], s["eff_off"], s["eff_val"])
    bloc_sf, bloc_se = s["bloc_sf"], s["bloc_se"]
    order, decision, part_dist, n_pbase, n_pconst, n_qbase, n_bloc = (
        s["order"], s["decision"], s["part_dist"], s["pbase"], s["pconst"], s["qbase"], s["bloc"])
    appr_off, appr_dist = s["appr_off"], s["appr_dist"]
    cap_off, cap_is_cond, cap_present, cap_target, cap_dist, cap_const, cap_q = (
        s["cap_off"], s["cap_is_cond"], s["cap_present"], s["cap_target"], s["cap_dist"], s["cap_const"],
        s["cap_q"])
    ready_dist, nscale, amb_on, amb_a, amb_e, rot = (
        s["ready_dist"], s["nscale"], s["amb_on"], s["amb_a"], s["amb_e"], s["rot"])
    con_off, con_pair, con_cap, con_dist, con_fixed = (
        s["con_off"], s["con_pair"], s["con_cap"], s["con_dist"], s["con_fixed"])
    pool_off, pool_cap, pool_dist = s["pool_off"], s["pool_cap"], s["pool_dist"]
    dom_ent_off, ent_mem_off, ent_mem = s["dom_ent_off"], s["ent_mem_off"], s["ent_mem"]
    dom_ob_off, ob_pair, ob_req, ob_num, ob_den, ob_fast, natpair = (
        s["dom_ob_off"], s["ob_pair"], s["ob_req"], s["ob_num"], s["ob_den"], s["ob_fast"], s["natpair"])
    dom_req_off, req_pair, req_dist = s["dom_req_off"], s["req_pair"], s["req_dist"]
    freq_cap, freq_dist = s["freq_cap"], s["freq_dist"]
    n_pairs, n_caps, days, hist_off, thr_cap, thr_value = (
        s["n_pairs"], s["n_caps"], s["days"], s["hist_off"], s["thr_cap"], s["thr_value"])
    n_con = con_dist.shape[0]
    n_req = req_dist.shape[0]
    n_val = n_con + n_req + freq_dist.shape[0]

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

    @njit(cache=False, inline="always")
    def quantile_z(d, z):
        """F⁻¹(Φ(z)) of distribution d: the exact quantile at the normal score z."""
        k = dk[d]
        if k == FIXED:
            return dp[d, 0]
        if k == NORMAL:
            return dp[d, 0] + dp[d, 1] * z
        if k == LOGNORMAL:
            return dp[d, 0] * math.exp(dp[d, 1] * z)
        if k == PERT:
            t = (z + ZMAX) / ZSTEP
            row = dtab[d]
            if t <= 0.0:
                return tab[row, 0]
            if t >= ZGRID - 1:
                return tab[row, ZGRID - 1]
            i = int(t)
            f = t - i
            return tab[row, i] + f * (tab[row, i + 1] - tab[row, i])
        if k == DISCRETE:
            # Values ascending; the first whose cumulative probability reaches Φ(z).
            end = doff[d + 1] - 1
            j = doff[d]
            while j < end and qz[j] < z:
                j += 1
            return qval[j]
        u = 0.5 * math.erfc(-z * SQRT_HALF)
        if k == UNIFORM:
            return dp[d, 0] + dp[d, 1] * u
        if u < dp[d, 2]:
            return dp[d, 0] + math.sqrt(u * dp[d, 3])
        return dp[d, 1] - math.sqrt((1.0 - u) * dp[d, 4])

    @njit(cache=False, inline="always")
    def capped(k, cond, part):
        """Whether cap k applies: its condition or nation is true/in (`if_present`)
        or false/out (`if_absent`)."""
        t = cap_target[k]
        state = cond[t] if cap_is_cond[k] else part[t]
        return state == cap_present[k]

    @njit(cache=False, inline="always")
    def evaluate(day, part, ready, amt, req, freq, provided, totals, lead_of, present_any, met, fmet, dom_cov):
        """Leads, domains and the force, counting the nations that take part and are
        ready by `day` (inf: every nation that takes part, whose sums `provided` and
        `totals` already hold). Returns (all covered, force covered)."""
        if day < np.inf:
            provided[:] = 0
            totals[:] = 0
            for nat in range(con_off.shape[0] - 1):
                if part[nat] and ready[nat] <= day:
                    for j in range(con_off[nat], con_off[nat + 1]):
                        provided[con_pair[j]] += amt[j]
                        totals[con_cap[j]] += amt[j]
        all_cov = True
        for d in range(dom_ent_off.shape[0] - 1):
            lead = -1
            anyp = False
            for e in range(dom_ent_off[d], dom_ent_off[d + 1]):
                present = False
                for k in range(ent_mem_off[e], ent_mem_off[e + 1]):
                    m = ent_mem[k]
                    if part[m] and ready[m] <= day:
                        present = True
                        break
                if not present:
                    continue
                anyp = True
                ok = True
                for o in range(dom_ob_off[d], dom_ob_off[d + 1]):
                    own = 0
                    for k in range(ent_mem_off[e], ent_mem_off[e + 1]):
                        m = ent_mem[k]
                        j = natpair[m, ob_pair[o]]
                        if j >= 0 and part[m] and ready[m] <= day:
                            own += amt[j]
                    # own < share × requirement, the share as the decimal written
                    # (num / den): in int64 products where they cannot overflow,
                    # else against the least whole amount it asks for, exactly.
                    if ob_fast[o]:
                        short = own * ob_den[o] < ob_num[o] * req[ob_req[o]]
                    else:
                        q, rem = mul_div(ob_num[o], req[ob_req[o]], ob_den[o])
                        short = own < q + (rem > 0)
                    if short:
                        ok = False
                        break
                if ok:
                    lead = e
                    break
            lead_of[d] = lead
            present_any[d] = anyp
            cov = lead >= 0 or dom_ent_off[d] == dom_ent_off[d + 1]
            for r in range(dom_req_off[d], dom_req_off[d + 1]):
                ok = provided[req_pair[r]] >= req[r]
                met[r] = ok
                if not ok:
                    cov = False
            dom_cov[d] = cov
            if not cov:
                all_cov = False
        force = True
        for f in range(freq_cap.shape[0]):
            ok = totals[freq_cap[f]] >= freq[f]
            fmet[f] = ok
            if not ok:
                force = False
        return all_cov and force, force

    @njit(cache=False)
    def run_chunk(n, seed):
        if seed >= 0:
            np.random.seed(seed)
        n_cond = cond_dist.shape[0]
        n_bloc_ = bloc_sf.shape[0]
        n_nat = n_pbase.shape[0]
        n_dom = dom_req_off.shape[0] - 1
        n_ent = ent_mem_off.shape[0] - 1
        n_f = freq_dist.shape[0]
        n_pool = pool_dist.shape[0]
        n_days = days.shape[0]
        # Per-trial scratch, allocated once.
        cond = np.zeros(n_cond, np.bool_)
        factor = np.zeros(n_bloc_)
        part = np.zeros(n_nat, np.bool_)
        ready = np.zeros(n_nat)
        mult = np.ones(n_val)
        amt = np.zeros(n_con, np.int64)
        req = np.zeros(n_req, np.int64)
        freq = np.zeros(n_f, np.int64)
        provided = np.zeros(n_pairs, np.int64)
        totals = np.zeros(n_caps, np.int64)
        committed = np.zeros(n_caps)  # Σ deployed × rotation can pass int64
        mine = np.zeros(n_caps, np.int64)
        lead_of = np.zeros(n_dom, np.int64)
        present_any = np.zeros(n_dom, np.bool_)
        met = np.zeros(n_req, np.bool_)
        fmet = np.zeros(n_f, np.bool_)
        dom_cov = np.zeros(n_dom, np.bool_)
        final_cov = np.zeros(n_dom, np.bool_)
        # Tallies: conditions over every trial, everything else over the mounted ones.
        t_cond = np.zeros(n_cond, np.int64)
        t_sc = np.zeros(3, np.int64)  # mounted, all covered, force covered
        t_cov = np.zeros(n_dom, np.int64)
        t_leaderless = np.zeros(n_dom, np.int64)
        t_short = np.zeros(n_dom, np.int64)
        t_lead = np.zeros(n_ent, np.int64)
        t_met = np.zeros(n_req, np.int64)
        t_req = np.zeros((n_req, 4))  # Σ gap, Σ gap², Σ required, Σ required²
        t_fmet = np.zeros(n_f, np.int64)
        t_freq = np.zeros((n_f, 4))
        t_in = np.zeros(n_nat, np.int64)
        t_in_all = np.zeros(n_nat, np.int64)
        t_prov = np.zeros((n_nat, n_caps))  # over many trials, past int64
        t_prov_sq = np.zeros((n_nat, n_caps))
        t_binds = np.zeros(n_pool, np.int64)
        t_cut = np.zeros((n_pool, 2))
        t_tot = np.zeros((n_caps, 4))  # Σ total, Σ total², Σ committed, Σ committed²
        t_hist = np.zeros(hist_off[-1], np.int64)
        # Totals beyond their capability's histogram, listed (capability, value).
        big_cap = np.empty(n * n_caps, np.int64)
        big_val = np.empty(n * n_caps, np.int64)
        n_big = 0
        t_thr = np.zeros(thr_cap.shape[0], np.int64)
        t_tl = np.zeros((n_days, n_dom), np.int64)
        t_tl_all = np.zeros(n_days, np.int64)
        t_tl_force = np.zeros(n_days, np.int64)

        for _ in range(n):
            # 1. Conditions, and the mission gate.
            for c in range(n_cond):
                cond[c] = np.random.random() < sample(cond_dist[c])
                t_cond[c] += cond[c]
            mounted = True
            for c in mission:
                if not cond[c]:
                    mounted = False
            if not mounted:
                continue
            t_sc[0] += 1
            # Effects: one draw per effect that applies, shared by its targets.
            mult[:] = 1.0
            for e in range(eff_cond.shape[0]):
                if cond[eff_cond[e]] == eff_when[e]:
                    x = sample(eff_dist[e])
                    for k in range(eff_off[e], eff_off[e + 1]):
                        mult[eff_val[k]] *= x
            for b in range(n_bloc_):
                factor[b] = np.random.standard_normal()
            # 2-3. Decisions, in an order that decides every capping nation first.
            for i in range(n_nat):
                nat = order[i]
                if decision[nat] >= 0:
                    part[nat] = decision[nat] == 1
                    continue
                b = n_bloc[nat]
                if n_pconst[nat]:
                    p = n_pbase[nat]
                else:
                    p = sample(part_dist[nat])
                    for a in range(appr_off[nat], appr_off[nat + 1]):
                        p *= sample(appr_dist[a])
                if b < 0:
                    for k in range(cap_off[nat], cap_off[nat + 1]):
                        if capped(k, cond, part):
                            p = min(p, sample(cap_dist[k]))
                    part[nat] = np.random.random() < p
                else:
                    # Bloc member: latent < Φ⁻¹(p); caps are a minimum in quantile space too.
                    q = n_qbase[nat] if n_pconst[nat] else ndtri(p)
                    for k in range(cap_off[nat], cap_off[nat + 1]):
                        if capped(k, cond, part):
                            if cap_const[k]:
                                q = min(q, cap_q[k])
                            else:
                                q = min(q, ndtri(sample(cap_dist[k])))
                    latent = bloc_sf[b] * factor[b] + bloc_se[b] * np.random.standard_normal()
                    part[nat] = latent < q
            # 4. Contributions (ambition copula, effects, scale, rounded once), then pools.
            committed[:] = 0
            provided[:] = 0
            totals[:] = 0
            for nat in range(n_nat):
                if not part[nat]:
                    continue
                t_in[nat] += 1
                ready[nat] = sample(ready_dist[nat]) if ready_dist[nat] >= 0 else 0.0
                amb = amb_on[nat]
                common = np.random.standard_normal() if amb else 0.0
                for j in range(con_off[nat], con_off[nat + 1]):
                    d = con_dist[j]
                    if con_fixed[j]:
                        raw = dp[d, 0]
                    elif amb:
                        raw = quantile_z(d, amb_a[nat] * common + amb_e[nat] * np.random.standard_normal())
                    else:
                        raw = sample(d)
                    amt[j] = to_count(raw * mult[j] * nscale[nat])
                r_nat = rot[nat]
                for k in range(pool_off[nat], pool_off[nat + 1]):
                    pool = to_count(sample(pool_dist[k]))
                    c = pool_cap[k]
                    dep = np.int64(0)
                    for j in range(con_off[nat], con_off[nat + 1]):
                        if con_cap[j] == c:
                            dep += amt[j]
                    if dep * r_nat > pool:
                        tgt = pool // r_nat
                        after = np.int64(0)
                        for j in range(con_off[nat], con_off[nat + 1]):
                            if con_cap[j] == c:
                                amt[j] = mul_div(amt[j], tgt, dep)[0]
                                after += amt[j]
                        cut = float(dep - after)
                        t_binds[k] += 1
                        t_cut[k, 0] += cut
                        t_cut[k, 1] += cut * cut
                for j in range(con_off[nat], con_off[nat + 1]):
                    cp = con_cap[j]
                    t_prov[nat, cp] += amt[j]
                    provided[con_pair[j]] += amt[j]
                    totals[cp] += amt[j]
                    mine[cp] += amt[j]
                    committed[cp] += float(amt[j] * r_nat)
                for j in range(con_off[nat], con_off[nat + 1]):
                    cp = con_cap[j]
                    if mine[cp] != 0:
                        t_prov_sq[nat, cp] += float(mine[cp]) * float(mine[cp])
                        mine[cp] = 0
            # 5. Requirements, effect-scaled and rounded.
            for r in range(n_req):
                req[r] = to_count(sample(req_dist[r]) * mult[n_con + r])
            for f in range(n_f):
                freq[f] = to_count(sample(freq_dist[f]) * mult[n_con + n_req + f])
            # 6. Leads, domains, the force.
            all_cov, force = evaluate(np.inf, part, ready, amt, req, freq, provided, totals, lead_of,
                                      present_any, met, fmet, dom_cov)
            if all_cov:
                t_sc[1] += 1
                for nat in range(n_nat):
                    if part[nat]:
                        t_in_all[nat] += 1
            if force:
                t_sc[2] += 1
            for d in range(n_dom):
                final_cov[d] = dom_cov[d]
                if dom_cov[d]:
                    t_cov[d] += 1
                if lead_of[d] >= 0:
                    t_lead[lead_of[d]] += 1
                elif dom_ent_off[d] != dom_ent_off[d + 1]:
                    t_leaderless[d] += 1
                    if present_any[d]:
                        t_short[d] += 1
            for r in range(n_req):
                if met[r]:
                    t_met[r] += 1
                gap = float(max(req[r] - provided[req_pair[r]], 0))
                t_req[r, 0] += gap
                t_req[r, 1] += gap * gap
                t_req[r, 2] += float(req[r])
                t_req[r, 3] += float(req[r]) * float(req[r])
            for f in range(n_f):
                if fmet[f]:
                    t_fmet[f] += 1
                gap = float(max(freq[f] - totals[freq_cap[f]], 0))
                t_freq[f, 0] += gap
                t_freq[f, 1] += gap * gap
                t_freq[f, 2] += float(freq[f])
                t_freq[f, 3] += float(freq[f]) * float(freq[f])
            # Totals, committed, histograms, thresholds.
            for c in range(n_caps):
                v = totals[c]
                w = committed[c]
                t_tot[c, 0] += float(v)
                t_tot[c, 1] += float(v) * float(v)
                t_tot[c, 2] += w
                t_tot[c, 3] += w * w
                if v < hist_off[c + 1] - hist_off[c]:
                    t_hist[hist_off[c] + v] += 1
                else:
                    big_cap[n_big] = c
                    big_val[n_big] = v
                    n_big += 1
            for h in range(thr_cap.shape[0]):
                if totals[thr_cap[h]] >= thr_value[h]:
                    t_thr[h] += 1
            # Timeline: only nations ready by the day count (leads wait for readiness).
            # A day by which every nation that takes part is ready shows the final coverage.
            latest = 0.0
            for nat in range(n_nat):
                if part[nat] and ready[nat] > latest:
                    latest = ready[nat]
            for k in range(n_days):
                if latest <= days[k]:
                    all_k, force_k = all_cov, force
                    for d in range(n_dom):
                        if final_cov[d]:
                            t_tl[k, d] += 1
                else:
                    all_k, force_k = evaluate(days[k], part, ready, amt, req, freq, provided, totals, lead_of,
                                              present_any, met, fmet, dom_cov)
                    for d in range(n_dom):
                        if dom_cov[d]:
                            t_tl[k, d] += 1
                if all_k:
                    t_tl_all[k] += 1
                if force_k:
                    t_tl_force[k] += 1
        return ((t_cond, t_sc, t_cov, t_leaderless, t_short, t_lead, t_met, t_req, t_fmet, t_freq, t_in,
                 t_in_all, t_prov, t_prov_sq, t_binds, t_cut, t_tot, t_hist, t_thr, t_tl, t_tl_all, t_tl_force),
                big_cap[:n_big], big_val[:n_big])

    chunk = max(1 << 10, CHUNK_CELLS // max(n_caps, 1))

    def run_trials(n, seed):
        """The tallies of n trials, the last one each capability's exact `Counts` of
        its totals (the histogram, and the totals beyond it)."""
        tallies, counts = None, [Counts() for _ in range(n_caps)]
        done = 0
        while done < n or tallies is None:
            k = min(chunk, n - done)
            part, big_cap, big_val = run_chunk(k, seed if done == 0 else -1)
            tallies = part if tallies is None else tuple(a + b for a, b in zip(tallies, part))
            for c in np.unique(big_cap):
                counts[c].add(big_val[big_cap == c])
            done += k
        for c in range(n_caps):
            counts[c].add_histogram(tallies[17][hist_off[c]:hist_off[c + 1]])
        return tallies[:17] + (counts,) + tallies[18:]

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


_erfc = np.frompyfunc(math.erfc, 1, 1)


def pert_table(lo, mode, hi):
    """F⁻¹(Φ(z)) of β-PERT(lo, mode, hi) on the z grid: the Beta(α, β) density
    integrated (trapezoids) on 2^20 cells of [0, 1], normalised, and inverted by
    interpolation at each Φ(z); for z > 0 the mirrored Beta(β, α) at Φ(−z), so that
    the upper tail is as precise as the lower. Both shapes are ≥ 1, so the density is
    bounded."""
    al = 1 + 4 * (mode - lo) / (hi - lo)
    be = 1 + 4 * (hi - mode) / (hi - lo)
    x = np.linspace(0.0, 1.0, (1 << 20) + 1)
    z = np.linspace(-ZMAX, ZMAX, ZGRID)
    lower = 0.5 * _erfc(np.abs(z) * SQRT_HALF).astype(float)  # Φ(−|z|)

    def inverse(p, q):
        pdf = x ** (p - 1) * (1 - x) ** (q - 1)
        cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]))])
        return np.interp(lower, cdf / cdf[-1], x)

    unit = np.where(z <= 0, inverse(al, be), 1.0 - inverse(be, al))
    return lo + (hi - lo) * unit


class Dists:
    """Every distribution of the scenario as flat arrays.

    Parameters by kind (columns of `dp`): fixed [v]; uniform [min, max − min];
    triangular [min, max, F(mode), (max − min)(mode − min), (max − min)(max − mode)];
    pert [min, max − min, then the shape as `cheng_bb` sets it up]; normal [mean, sd]; lognormal [median, σ];
    discrete: values and cumulative probabilities in `dval`/`dcum` from `doff[d]`, and
    for the quantile the values ascending in `qval` with Φ⁻¹ of their cumulative
    probabilities in `qz`. A pert's quantile table is row `dtab[d]` of `tab`.
    """

    def __init__(self):
        self.kind, self.par, self.vals, self.cum, self.off = [], [], [], [], [0]
        self.qval, self.qz, self.tab_of, self.tabs = [], [], [], []

    def add(self, spec):
        kind, par = self._parse(spec)
        self.kind.append(kind)
        self.par.append(par + [0.0] * (NPAR - len(par)))
        self.off.append(len(self.vals))
        self.tab_of.append(-1)
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
            vals = np.asarray(v["values"], dtype=float)
            w = np.asarray(v.get("weights", [1.0] * len(vals)), dtype=float)
            self.vals.extend(vals)
            self.cum.extend(np.cumsum(w) / w.sum())
            order = np.argsort(vals, kind="stable")
            cum = np.cumsum(w[order]) / w.sum()
            self.qval.extend(vals[order])
            self.qz.extend(ndtri(min(max(c, 0.0), 1.0)) for c in cum)
            return DISCRETE, []
        raise ValueError(f"unknown distribution {form}")

    def quantiles(self, d, spec):
        """Makes d's quantile F⁻¹(Φ(z)) available to the copula (a table for pert)."""
        if self.kind[d] == PERT and self.tab_of[d] < 0:
            self.tab_of[d] = len(self.tabs)
            self.tabs.append(pert_table(*(float(x) for x in spec["pert"])))

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
        tab = np.asarray(self.tabs, np.float64) if self.tabs else np.zeros((1, ZGRID))
        return {"dk": np.asarray(self.kind, np.int64), "dp": np.asarray(self.par, np.float64).reshape(-1, NPAR),
                "doff": np.asarray(self.off, np.int64), "dval": np.asarray(self.vals + [0.0], np.float64),
                "dcum": np.asarray(list(self.cum) + [1.0], np.float64),
                "qval": np.asarray(list(self.qval) + [0.0], np.float64),
                "qz": np.asarray(list(self.qz) + [0.0], np.float64),
                "dtab": np.asarray(self.tab_of, np.int64), "tab": tab}


def count(x):
    return int(min(math.floor(x + 0.5), MAX_VALUE)) if x > 0 else 0


def lead_entries(dom):
    """A domain's lead list as (label, members): an entry is a nation or a group of co-leads."""
    return [("+".join(m), m) for m in ([e] if isinstance(e, str) else list(e) for e in dom.get("lead", []))]


def target_values(sc, target, con_ix, req_ix, force_ix):
    """The value indices an effect target names (contributions, domain or force requirements)."""
    p = target.split(".")
    if p[0] == "domains":
        return {i for (d, c), i in req_ix.items() if d == p[1] and (len(p) < 4 or c == p[3])}
    if p[0] == "force":
        return {i for c, i in force_ix.items() if len(p) < 3 or c == p[2]}
    if p[0] == "nations":
        return {i for (n, d, c), i in con_ix.items()
                if n == p[1] and (len(p) < 4 or d == p[3]) and (len(p) < 5 or c == p[4])}
    raise ValueError(f"unknown effect target {target}")


def compile_scenario(sc):
    """The scenario as the flat arrays `make_trial_loop` takes, plus the names to read its tallies."""
    dists = Dists()
    meta = sc.get("scenario", {})
    conds = list(sc.get("conditions", {}))
    blocs = list(sc.get("blocs", {}))
    nations = list(sc["nations"])
    domains = list(sc["domains"])
    caps = list(sc.get("capabilities", {}))
    nat_ix = {n: i for i, n in enumerate(nations)}
    cap_ix = {c: i for i, c in enumerate(caps)}
    cond_dist = [dists.add(sc["conditions"][c]["probability"]) for c in conds]
    rho = [float(sc["blocs"][b]["correlation"]) for b in blocs]
    a = {k: [] for k in ("part_dist", "pbase", "pconst", "qbase", "bloc", "decision", "appr_off", "appr_dist",
                         "cap_off", "cap_is_cond", "cap_present", "cap_target", "cap_dist", "cap_const", "cap_q",
                         "ready_dist", "nscale", "amb_on", "amb_a", "amb_e", "rot",
                         "con_off", "con_pair", "con_cap", "con_dist", "con_fixed",
                         "pool_off", "pool_cap", "pool_dist")}
    pairs = {}
    con_ix = {}
    con_upper = []
    pool_names = []
    for nid in nations:
        nat = sc["nations"][nid]
        for k in ("appr", "cap", "con", "pool"):
            a[f"{k}_off"].append(len(a[f"{k}_dist"]))
        fixed = nat.get("decision", "draw")
        a["decision"].append(-1 if fixed == "draw" else int(fixed == "in"))
        pd = dists.add(nat.get("participation", 0.0))
        gates = [dists.add(g["probability"]) for g in nat.get("approval", [])]
        const = dists.fixed(pd) and all(dists.fixed(g) for g in gates)
        p = math.prod([dists.par[pd][0]] + [dists.par[g][0] for g in gates]) if const else 0.0
        a["part_dist"].append(pd)
        a["appr_dist"].extend(gates)
        a["pconst"].append(const)
        a["pbase"].append(p)
        a["qbase"].append(ndtri(p) if const else 0.0)
        a["bloc"].append(blocs.index(nat["bloc"]) if "bloc" in nat else -1)
        for present, table in ((False, nat.get("if_absent", {})), (True, nat.get("if_present", {}))):
            for key, cap in table.items():
                d = dists.add(cap)
                a["cap_is_cond"].append(key in conds)
                a["cap_present"].append(present)
                a["cap_target"].append(conds.index(key) if key in conds else nat_ix[key])
                a["cap_dist"].append(d)
                a["cap_const"].append(dists.fixed(d))
                a["cap_q"].append(ndtri(dists.par[d][0]) if dists.fixed(d) else 0.0)
        a["ready_dist"].append(dists.add(nat["ready_days"]) if "ready_days" in nat else -1)
        r = float(nat.get("ambition", meta.get("ambition", 0.0)))
        a["nscale"].append(float(nat.get("scale", 1.0)))
        a["amb_on"].append(r > 0)
        a["amb_a"].append(math.sqrt(r))
        a["amb_e"].append(math.sqrt(1 - r))
        a["rot"].append(int(nat.get("rotation", meta.get("rotation", 1))))
        for dom, contributions in nat.get("contributions", {}).items():
            for cap, spec in contributions.items():
                d = dists.add(spec)
                if r > 0:
                    dists.quantiles(d, spec)
                con_ix[(nid, dom, cap)] = len(a["con_dist"])
                a["con_pair"].append(pairs.setdefault((dom, cap), len(pairs)))
                a["con_cap"].append(cap_ix[cap])
                a["con_dist"].append(d)
                a["con_fixed"].append(isinstance(spec, (int, float)))
                con_upper.append(min(max(dists.upper(d), 0.0) * a["nscale"][-1], MAX_VALUE))
        for cap, spec in nat.get("pool", {}).items():
            a["pool_cap"].append(cap_ix[cap])
            a["pool_dist"].append(dists.add(spec))
            pool_names.append((nid, cap))
    for k in ("appr", "cap", "con", "pool"):
        a[f"{k}_off"].append(len(a[f"{k}_dist"]))
    n_con = len(a["con_dist"])
    # Requirements, lead entries and their obligations.
    ent_off, ent_mem_off, ent_mem, labels = [0], [0], [], []
    ob_off, ob_pair, ob_req, ob_num, ob_den, ob_fast = [0], [], [], [], [], []
    req_off, req_pair, req_dist, req_ix = [0], [], [], {}
    for dom in domains:
        dd = sc["domains"][dom]
        for label, members in lead_entries(dd):
            ent_mem.extend(nat_ix[m] for m in members)
            ent_mem_off.append(len(ent_mem))
            labels.append(label)
        ent_off.append(len(labels))
        first = len(req_dist)
        for cap, spec in dd.get("requirements", {}).items():
            req_ix[(dom, cap)] = n_con + len(req_dist)
            req_pair.append(pairs.setdefault((dom, cap), len(pairs)))
            req_dist.append(dists.add(spec))
        req_off.append(len(req_dist))
        for cap, share in dd.get("lead_provides", {}).items():
            r = first + list(dd["requirements"]).index(cap)
            ob_pair.append(req_pair[r])
            ob_req.append(r)
            num, den = share_fraction(share)
            ob_num.append(num)
            ob_den.append(den)
            # own ≤ an entry's members × 10^12 and a requirement ≤ 10^12: whether
            # own × den and num × requirement stay within int64.
            most = max((len(m) for _, m in lead_entries(dd)), default=1) * 10**12
            ob_fast.append(num * 10**12 < 2**62 and den * most < 2**62)
        ob_off.append(len(ob_req))
    force_caps = list(sc.get("force", {}).get("requirements", {}))
    force_ix = {c: n_con + len(req_dist) + f for f, c in enumerate(force_caps)}
    freq_dist = [dists.add(sc["force"]["requirements"][c]) for c in force_caps]
    natpair = np.full((len(nations), max(len(pairs), 1)), -1, np.int64)
    for (nid, dom, cap), j in con_ix.items():
        natpair[nat_ix[nid], pairs[(dom, cap)]] = j
    # Effects: one entry per effect, with the values its targets name (each once).
    eff = {k: [] for k in ("cond", "when", "dist", "val")}
    eff_off = [0]
    grow = [1.0] * n_con
    for c, cond in sc.get("conditions", {}).items():
        for e in cond.get("effects", []):
            vals = sorted(set().union(*(target_values(sc, t, con_ix, req_ix, force_ix) for t in e["targets"])))
            d = dists.add(e["scale"])
            eff["cond"].append(conds.index(c))
            eff["when"].append(bool(e.get("when", False)))
            eff["dist"].append(d)
            eff["val"].extend(vals)
            eff_off.append(len(eff["val"]))
            for v in vals:
                if v < n_con:
                    grow[v] *= max(dists.upper(d), 1.0)
    upper = [0.0] * len(caps)
    for j, u in enumerate(con_upper):
        upper[a["con_cap"][j]] += u * grow[j]
    # A histogram where the totals stay below MAX_BINS; none where they may not
    # (those totals are counted exactly apart, as any total beyond its histogram).
    bins = [b if b <= MAX_BINS else 0 for b in (int(math.floor(min(u, 1e18) + 0.5)) + 2 for u in upper)]
    thr = [(cap_ix[c], float(x)) for c, xs in sc.get("report", {}).get("thresholds", {}).items() for x in xs]
    days = sc.get("simulation", {}).get("timeline_days", [])
    i64, f64, b1 = np.int64, np.float64, np.bool_
    s = dists.arrays()
    s.update({
        "cond_dist": np.asarray(cond_dist, i64),
        "mission": np.asarray([conds.index(c) for c in sc.get("mission", {}).get("requires", [])], i64),
        "eff_cond": np.asarray(eff["cond"], i64), "eff_when": np.asarray(eff["when"], b1),
        "eff_dist": np.asarray(eff["dist"], i64), "eff_off": np.asarray(eff_off, i64),
        "eff_val": np.asarray(eff["val"], i64),
        "bloc_sf": np.sqrt(np.asarray(rho, f64)), "bloc_se": np.sqrt(1 - np.asarray(rho, f64)),
        "order": np.asarray([nat_ix[n] for n in decision_order(sc["nations"])], i64),
        "natpair": natpair,
        "dom_ent_off": np.asarray(ent_off, i64), "ent_mem_off": np.asarray(ent_mem_off, i64),
        "ent_mem": np.asarray(ent_mem, i64),
        "dom_ob_off": np.asarray(ob_off, i64), "ob_pair": np.asarray(ob_pair, i64),
        "ob_req": np.asarray(ob_req, i64), "ob_num": np.asarray(ob_num, i64),
        "ob_den": np.asarray(ob_den, i64),
        "ob_fast": np.asarray(ob_fast, b1),
        "dom_req_off": np.asarray(req_off, i64), "req_pair": np.asarray(req_pair, i64),
        "req_dist": np.asarray(req_dist, i64),
        "freq_cap": np.asarray([cap_ix[c] for c in force_caps], i64), "freq_dist": np.asarray(freq_dist, i64),
        "n_pairs": max(len(pairs), 1), "n_caps": len(caps), "days": np.asarray(days, f64),
        "hist_off": np.concatenate([[0], np.cumsum(bins)]).astype(i64),
        "thr_cap": np.asarray([c for c, _ in thr], i64), "thr_value": np.asarray([x for _, x in thr], f64),
    })
    types = {"pconst": b1, "cap_is_cond": b1, "cap_present": b1, "cap_const": b1, "con_fixed": b1, "amb_on": b1,
             "pbase": f64, "qbase": f64, "cap_q": f64, "nscale": f64, "amb_a": f64, "amb_e": f64}
    for k, v in a.items():
        s[k] = np.asarray(v, types.get(k, i64))
    # The dists table is final only now (effects, pools and requirements added theirs).
    s.update(dists.arrays())
    names = {"conds": conds, "nations": nations, "domains": domains, "caps": caps, "days": days,
             "labels": labels, "force_caps": force_caps, "pools": pool_names,
             "hist_off": s["hist_off"], "thresholds": [(caps[c], x) for c, x in thr]}
    return s, names


def ratio(k, n):
    """k / n, or None (JSON null) over no trial."""
    return int(k) / n if n else None


def moments(s, s2, n):
    """Mean and sd from a sum and a sum of squares over n trials (None over none)."""
    if not n:
        return None, None
    mean = s / n
    return mean, math.sqrt(max(s2 / n - mean * mean, 0.0))


def capability_figures(t, m, spec):
    """A requirement's figures from its row [Σ gap, Σ gap², Σ required, Σ required²]."""
    gap_mean, gap_sd = moments(t[0], t[1], m)
    req_mean, req_sd = moments(t[2], t[3], m)
    return {"p_met": None, "gap_mean": gap_mean, "gap_sd": gap_sd, "required_mean": req_mean,
            "required_sd": req_sd, "required_drawn": not isinstance(spec, (int, float))}


def summarise(sc, names, n, tallies):
    """The figures, in the layout of benches/numpy_reference.py's (plus thresholds,
    and what the swing and mean contribution comparisons need)."""
    (t_cond, t_sc, t_cov, t_leaderless, t_short, t_lead, t_met, t_req, t_fmet, t_freq, t_in,
     t_in_all, t_prov, t_prov_sq, t_binds, t_cut, t_tot, t_counts, t_thr, t_tl, t_tl_all, t_tl_force) = tallies
    m, t_all = int(t_sc[0]), int(t_sc[1])
    out = {"trials": n, "mounted_trials": m, "p_mounted": ratio(m, n), "p_all_covered": ratio(t_all, m),
           "p_all_covered_overall": ratio(t_all, n),
           "conditions": {cid: {"p_true": ratio(t_cond[c], n)} for c, cid in enumerate(names["conds"])},
           "domains": {}, "nations": {}, "totals": {}, "thresholds": {}}
    lead_j, req_j = 0, 0
    for d, did in enumerate(names["domains"]):
        dom = sc["domains"][did]
        shares = {}
        for label, _ in lead_entries(dom):
            shares[label] = ratio(t_lead[lead_j], m)
            lead_j += 1
        capabilities = {}
        for cap, spec in dom.get("requirements", {}).items():
            capabilities[cap] = capability_figures(t_req[req_j], m, spec)
            capabilities[cap]["p_met"] = ratio(t_met[req_j], m)
            req_j += 1
        short = int(t_short[d])
        out["domains"][did] = {
            "p_covered": ratio(t_cov[d], m), "p_leaderless": ratio(t_leaderless[d], m),
            "p_lead_short": ratio(short, m), "p_no_lead_candidate": ratio(t_leaderless[d] - short, m),
            "lead_share": shares, "capabilities": capabilities}
    if "force" in sc:
        capabilities = {}
        for f, cap in enumerate(names["force_caps"]):
            capabilities[cap] = capability_figures(t_freq[f], m, sc["force"]["requirements"][cap])
            capabilities[cap]["p_met"] = ratio(t_fmet[f], m)
        out["force"] = {"p_covered": ratio(t_sc[2], m), "capabilities": capabilities}
    caps = names["caps"]
    meta = sc.get("scenario", {})
    for i, nid in enumerate(names["nations"]):
        nat = sc["nations"][nid]
        inn, in_all = int(t_in[i]), int(t_in_all[i])
        out_n = m - inn
        swing, p_in, p_out = None, None, None
        if inn and out_n:
            p_in, p_out = in_all / inn, (t_all - in_all) / out_n
            swing = p_in - p_out
        contributed = {cap for caps_ in nat.get("contributions", {}).values() for cap in caps_}
        out["nations"][nid] = {
            "p_participates": ratio(inn, m),
            "swing": swing,
            "swing_parts": [p_in, p_out],
            "mean_provided": {c: ratio(t_prov[i, k], m) for k, c in enumerate(caps) if c in contributed},
            "sd_provided": {c: moments(float(t_prov[i, k]), t_prov_sq[i, k], m)[1]
                            for k, c in enumerate(caps) if c in contributed},
            "rotation": int(nat.get("rotation", meta.get("rotation", 1))),
            "pools": {},
        }
    for k, (nid, cap) in enumerate(names["pools"]):
        b = int(t_binds[k])
        cut_mean, cut_sd = moments(t_cut[k, 0], t_cut[k, 1], b)
        inn = int(t_in[names["nations"].index(nid)])
        out["nations"][nid]["pools"][cap] = {"p_binds": ratio(b, inn), "binds": b,
                                             "cut_mean": cut_mean, "cut_sd": cut_sd}
    for k, cap in enumerate(caps):
        mean, sd = moments(t_tot[k, 0], t_tot[k, 1], m)
        cm, csd = moments(t_tot[k, 2], t_tot[k, 3], m)
        out["totals"][cap] = {"mean": mean, "sd": sd,
                              **{f"p{p:02d}": t_counts[k].quantile(m, p) if m else None for p in (5, 25, 50, 75, 95)},
                              "committed_mean": cm, "committed_sd": csd}
    for h, (cap, x) in enumerate(names["thresholds"]):
        out["thresholds"].setdefault(cap, []).append({"at_least": x, "p": ratio(t_thr[h], m)})
    days = names["days"]
    if days:
        out["timeline"] = {"days": days, "p_all_covered": [ratio(k, m) for k in t_tl_all],
                           "domains": {did: [ratio(t_tl[k, d], m) for k in range(len(days))]
                                       for d, did in enumerate(names["domains"])}}
        if "force" in sc:
            out["timeline"]["force"] = [ratio(k, m) for k in t_tl_force]
    return out


def compare(mine, theirs):
    """numpy_reference.py's comparison, then the figures it leaves out (thresholds,
    swings, mean contributions), all over the mounted trials; returns the largest distance."""
    worst = compare_common(mine, theirs)
    m1, m2 = mine["mounted_trials"], theirs.get("mounted_trials", theirs["trials"])
    rows = []
    if not m1 or not m2:
        print("no mounted trial on one side: no more figures to compare")
        return worst
    both = 1 / m1 + 1 / m2

    def z_prop(a, b):
        p = (a * m1 + b * m2) / (m1 + m2)
        return (a - b) / math.sqrt(max(p * (1 - p), 1e-12) * both)

    for cap, rows_ in mine["thresholds"].items():
        for k, f in enumerate(rows_):
            g = theirs["thresholds"][cap][k]
            rows.append((f"thresholds.{cap}.at_least_{g['at_least']:g}", z_prop(f["p"], g["p"])))
    for nid, f in mine["nations"].items():
        g = theirs["nations"][nid]
        if f["swing"] is not None and g["swing"] is not None:
            p_in, p_out = f["swing_parts"]
            share = f["p_participates"]
            var = p_in * (1 - p_in) / share + p_out * (1 - p_out) / (1 - share)
            se = math.sqrt(max(var, 1e-12) * both)
            rows.append((f"nations.{nid}.swing", (f["swing"] - g["swing"]) / se))
        elif (f["swing"] is None) != (g["swing"] is None):
            rows.append((f"nations.{nid}.swing (null on one side only)", math.inf))
        for cap, mp in f["mean_provided"].items():
            se = f["sd_provided"][cap] * math.sqrt(both)
            if se > 0:
                rows.append((f"nations.{nid}.mean_provided.{cap}", (mp - g["mean_provided"][cap]) / se))
    for name, z in rows:
        worst = max(worst, abs(z))
        print(f"{name:48s} {z:+6.2f} se")
    print(f"{len(rows)} more figures; largest distance of all {worst:.2f} standard errors")
    return worst


def simulate(sc, trials, seed):
    """The figures of `trials` trials of scenario `sc` (a parsed TOML table), in the
    layout of benches/numpy_reference.py's `simulate` (compile time included)."""
    s, names = compile_scenario(sc)
    return summarise(sc, names, trials, make_trial_loop(s)(trials, seed))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario")
    ap.add_argument("-n", "--trials", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="write the figures as JSON to this path")
    ap.add_argument("--compare", help="a forcesim JSON report to compare with")
    a = ap.parse_args()
    sc = load(a.scenario)
    start = time.perf_counter()
    s, names = compile_scenario(sc)
    run_trials = make_trial_loop(s)
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
