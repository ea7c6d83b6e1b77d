#!/usr/bin/env python3
"""A vectorised NumPy implementation of forcesim's trial semantics (docs/design.md).

It is the baseline a planner would otherwise write: whole arrays of trials at a
time, one NumPy call per step. It serves two purposes:

* speed: `python3 benches/numpy_reference.py SCENARIO -n TRIALS` prints trials/s
  on one thread, to compare with `forcesim bench SCENARIO -n TRIALS -j 1`;
* correctness: `--compare report.json` checks forcesim's figures against this
  independent implementation, figure by figure, in standard errors.

Format 2 is covered whole: the mission gate (figures over the mounted trials,
`p_mounted`, `p_all_covered_overall`), `if_present` caps, condition effects
(fixed or drawn scales, every target form, several multiplying) and nation
`scale`, applied before rounding, lead entries with co-lead groups and
`lead_provides` obligations (`p_lead_short`, `p_no_lead_candidate`, `lead_share`
by label), `[force]` requirements (all covered includes the force), and the
timeline on which leads wait for readiness. Format-1 files mean what they meant.
Nations with finite forces too: `rotation` (the nation's, else the scenario's,
else 1), `pool` per capability (drawn and rounded per trial, cutting the rounded
contributions to ⌊pool / rotation⌋ in proportion), `ambition` ρ (a Gaussian
copula: each random contribution is F⁻¹(Φ(√ρ·A + √(1−ρ)·ε)) with the exact
inverse CDF, PERT by inverting the incomplete beta function), and the figures
`p_binds`, the mean `cut` and `totals.C.committed`.
Exact at every value forcesim accepts: pool cuts without int64 overflow (v × T can
reach 10^27), committed forces summed in uint64 and floats, and totals' quantiles
from counts by value whose memory does not grow with the values' magnitude.
Trials are vectorised whole: values a trial that is not mounted would not draw
are drawn anyway and not counted, which leaves every figure's distribution as is.

Random numbers come from NumPy's own generator, so figures agree with forcesim
within Monte Carlo error, not bit for bit. Requires Python 3.11+ and NumPy.
"""

import argparse
import json
import math
import os
import sys
import time
import tomllib
from fractions import Fraction

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

MAX_VALUE = 1e12

# Wichura's AS 241 coefficients (increasing degree).
A = [3.387132872796366608, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4,
     4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3]
B = [1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
     2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4, 5.2264952788528545610e3]
C = [1.42343711074968357734, 4.63033784615654529590, 5.76949722146069140550, 3.64784832476320460504,
     1.27045825245236838258, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4]
D = [1.0, 2.05319162663775882187, 1.67638483018380384940, 6.89767334985100004550e-1,
     1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9]
E = [6.65790464350110377720, 5.46378491116411436990, 1.78482653991729133580, 2.96560571828504891230e-1,
     2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7]
F = [1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
     7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15]



def share_fraction(share):
    """A lead_provides share as the decimal it is written as (num, den): 0.55 is
    55/100, though 0.55 * 27000 is 14850.000000000002 in binary. As in forcesim,
    a share with more than 18 decimals is rounded up to 18 (den ≤ 10^18)."""
    f = Fraction(repr(min(max(float(share), 0.0), 1.0)))
    if f.denominator > 10**18:
        f = Fraction(-(-f.numerator * 10**18 // f.denominator), 10**18)
    return f.numerator, f.denominator


def mul_div_floor(a, b, d):
    """⌊a × b / d⌋ per element, exactly, in int64 arrays, where the product a × b
    may be far beyond int64 (pool cuts: v ≤ 10^15, T ≤ 10^12): a float estimate,
    off by at most one while the quotient is below 2^52, corrected with the
    remainder a × b − q × d, which lies in [−d, 2d) and so is exact in wrapping
    int64 arithmetic for d < 2^62."""
    a, b, d = (np.asarray(x, dtype=np.int64) for x in (a, b, d))
    with np.errstate(all="ignore"):
        q = np.floor(a.astype(float) * b.astype(float) / d.astype(float)).astype(np.int64)
        for _ in range(2):
            r = a * b - q * d  # wraps; the true value fits int64
            q = q - (r < 0) + (r >= d)
    return q


def gives_share(own, share, req):
    """own >= share * req per trial, exactly, for the share as written."""
    num, den = share_fraction(share)
    own, req = np.asarray(own), np.asarray(req)
    big = 2**62
    if num * int(req.max(initial=0)) < big and den * int(own.max(initial=0)) < big:
        return own.astype(np.int64) * den >= req.astype(np.int64) * num
    return np.array([int(o) * den >= int(q) * num for o, q in zip(own, req)], dtype=bool)

def poly(c, x):
    out = np.zeros_like(x)
    for k in reversed(c):
        out = out * x + k
    return out


def norm_inv(p):
    """Vectorised inverse normal CDF; -inf at 0 and +inf at 1."""
    p = np.asarray(p, dtype=float)
    q = p - 0.5
    out = np.empty_like(p)
    central = np.abs(q) <= 0.425
    r = 0.180625 - q[central] ** 2
    out[central] = q[central] * poly(A, r) / poly(B, r)
    tail = ~central
    rt = np.where(q[tail] < 0, p[tail], 1 - p[tail])
    with np.errstate(divide="ignore", invalid="ignore"):
        rt = np.sqrt(-np.log(rt))
        near = rt <= 5.0
        v = np.where(near, poly(C, rt - 1.6) / poly(D, rt - 1.6), poly(E, rt - 5.0) / poly(F, rt - 5.0))
    v = np.where(q[tail] < 0, -v, v)
    v = np.where(p[tail] <= 0, -np.inf, np.where(p[tail] >= 1, np.inf, v))
    out[tail] = v
    return out


def draw(spec, n, rng):
    """n draws of a scenario number or distribution table."""
    if isinstance(spec, (int, float)):
        return np.full(n, float(spec))
    form = next(k for k in spec if k != "source")
    v = spec[form]
    if form == "uniform":
        return rng.uniform(v[0], v[1], n)
    if form == "triangular":
        a, c, b = v
        return np.full(n, float(a)) if a == b else rng.triangular(a, c, b, n)
    if form == "pert":
        a, c, b = v
        if a == b:
            return np.full(n, float(a))
        al = 1 + 4 * (c - a) / (b - a)
        be = 1 + 4 * (b - c) / (b - a)
        return a + (b - a) * rng.beta(al, be, n)
    if form == "normal":
        return rng.normal(v["mean"], v["sd"], n)
    if form == "lognormal":
        return v["median"] * np.exp(v["sigma"] * rng.standard_normal(n))
    if form == "discrete":
        vals = np.asarray(v["values"], dtype=float)
        w = np.asarray(v.get("weights", [1.0] * len(vals)), dtype=float)
        return vals[rng.choice(len(vals), size=n, p=w / w.sum())]
    raise ValueError(f"unknown distribution {form}")


def norm_cdf(z):
    """Vectorised standard normal CDF."""
    return 0.5 * _erfc(-np.asarray(z, dtype=float) / math.sqrt(2.0))


_erfc = np.frompyfunc(math.erfc, 1, 1)


def betainc(a, b, x):
    """The regularised incomplete beta I_x(a, b), vectorised over x (a continued
    fraction, modified Lentz, on the side where it converges fast)."""
    x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
    swap = x > (a + 1) / (a + b + 2)
    aa, bb = np.where(swap, b, a), np.where(swap, a, b)
    xx = np.where(swap, 1 - x, x)
    tiny = 1e-300
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_front = (aa * np.log(xx) + bb * np.log1p(-xx)
                    - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)))
        front = np.where(xx > 0, np.exp(ln_front) / aa, 0.0)
        c = np.ones_like(xx)
        d = 1 - (aa + bb) * xx / (aa + 1)
        d = np.where(np.abs(d) < tiny, tiny, d)
        d = 1 / d
        f = d.copy()
        for m in range(1, 300):
            for num in (m * (bb - m) * xx / ((aa + 2 * m - 1) * (aa + 2 * m)),
                        -(aa + m) * (aa + bb + m) * xx / ((aa + 2 * m) * (aa + 2 * m + 1))):
                d = 1 + num * d
                d = np.where(np.abs(d) < tiny, tiny, d)
                c = 1 + num / c
                c = np.where(np.abs(c) < tiny, tiny, c)
                d = 1 / d
                delta = c * d
                f = f * delta
            if np.all(np.abs(delta - 1) < 1e-15):
                break
        v = front * f
    v = np.where(swap, 1 - v, v)
    return np.where(x <= 0, 0.0, np.where(x >= 1, 1.0, v))


def beta_inv(a, b, u):
    """The Beta(a, b) quantile at u (vectorised): a tabulated start, then
    safeguarded Newton steps with bisection brackets, to about 1e-12."""
    u = np.asarray(u, dtype=float)
    grid = np.linspace(0.0, 1.0, 4097)
    x = np.interp(u, betainc(a, b, grid), grid)
    lo, hi = np.zeros_like(u), np.ones_like(u)
    lnb = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    for _ in range(60):
        f = betainc(a, b, x) - u
        if np.all(np.abs(f) < 1e-11):
            break
        lo = np.where(f < 0, x, lo)
        hi = np.where(f >= 0, x, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            pdf = np.exp((a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - lnb)
            nx = x - f / pdf
        bad = ~np.isfinite(nx) | (nx <= lo) | (nx >= hi)
        x = np.where(bad, 0.5 * (lo + hi), nx)
    return x


def quantile_of(spec, u):
    """F⁻¹(u) of a scenario distribution, vectorised (the exact inverse CDF)."""
    form = next(k for k in spec if k != "source")
    v = spec[form]
    if form == "uniform":
        return v[0] + u * (v[1] - v[0])
    if form == "triangular":
        a, c, b = (float(x) for x in v)
        if a == b:
            return np.full(len(u), a)
        fc = (c - a) / (b - a)
        return np.where(u < fc, a + np.sqrt(u * (b - a) * (c - a)), b - np.sqrt((1 - u) * (b - a) * (b - c)))
    if form == "pert":
        a, c, b = (float(x) for x in v)
        if a == b:
            return np.full(len(u), a)
        al = 1 + 4 * (c - a) / (b - a)
        be = 1 + 4 * (b - c) / (b - a)
        return a + (b - a) * beta_inv(al, be, u)
    if form == "normal":
        return v["mean"] + v["sd"] * norm_inv(u)
    if form == "lognormal":
        return v["median"] * np.exp(v["sigma"] * norm_inv(u))
    if form == "discrete":
        vals = np.asarray(v["values"], dtype=float)
        w = np.asarray(v.get("weights", [1.0] * len(vals)), dtype=float)
        order = np.argsort(vals, kind="stable")
        vals, w = vals[order], w[order]
        cum = np.cumsum(w) / w.sum()
        return vals[np.minimum(np.searchsorted(cum, u, side="left"), len(vals) - 1)]
    raise ValueError(f"unknown distribution {form}")


def count(x):
    """Round half away from zero, never below 0, at most 1e12."""
    return np.minimum(np.where(x > 0, np.floor(x + 0.5), 0.0), MAX_VALUE).astype(np.int64)


DISTRIBUTIONS = {"uniform", "triangular", "pert", "normal", "lognormal", "discrete"}


def merge(base, over):
    """`extends`: tables merge key by key (new keys after the base's), except a
    distribution table, which, like any other value, replaces the base's whole."""
    for k, v in over.items():
        b = base.get(k)
        if isinstance(v, dict) and isinstance(b, dict) and not (DISTRIBUTIONS & (set(v) | set(b))):
            merge(b, v)
        else:
            base[k] = v
    return base


def load(path, depth=0):
    """A scenario file as a table, with `[scenario] extends` and `remove` applied."""
    with open(path, "rb") as f:
        sc = tomllib.load(f)
    meta = sc.get("scenario", {})
    base_name = meta.pop("extends", None)
    removals = meta.pop("remove", [])
    if base_name is None or depth > 8:
        return sc
    base = load(os.path.join(os.path.dirname(path), base_name), depth + 1)
    for key in removals:
        *parents, last = key.split(".")
        t = base
        for p in parents:
            t = t[p]
        del t[last]
    return merge(base, sc)


def decision_order(nations):
    """Nations in an order that decides every nation named in a cap (`if_absent`
    or `if_present`) before the nation it caps."""
    order, placed = [], set()
    while len(order) < len(nations):
        for nid, nat in nations.items():
            if nid in placed:
                continue
            keys = list(nat.get("if_absent", {})) + list(nat.get("if_present", {}))
            if all(k in placed or k not in nations for k in keys):
                order.append(nid)
                placed.add(nid)
                break
        else:
            raise ValueError("if_absent/if_present cycle")
    return order


def lead_entries(dom):
    """A domain's lead list as (label, members): an entry is a nation or a group of co-leads."""
    out = []
    for e in dom.get("lead", []):
        members = [e] if isinstance(e, str) else list(e)
        out.append(("+".join(members), members))
    return out


def effect_values(sc, target):
    """The values an effect target names: ("req", D, C), ("force", C) or ("con", N, D, C)."""
    p = target.split(".")
    if p[0] == "domains":
        reqs = sc["domains"][p[1]].get("requirements", {})
        return {("req", p[1], c) for c in (p[3:4] or reqs)}
    if p[0] == "force":
        reqs = sc.get("force", {}).get("requirements", {})
        return {("force", c) for c in (p[2:3] or reqs)}
    if p[0] == "nations":
        contrib = sc["nations"][p[1]].get("contributions", {})
        return {("con", p[1], d, c) for d in (p[3:4] or contrib) for c in (p[4:5] or contrib[d])}
    raise ValueError(f"unknown effect target {target}")


class Tally:
    """Counts over the trials (all) and the mounted trials (everything else)."""

    def __init__(self, sc):
        self.sc = sc
        self.n = 0
        self.mounted = 0
        self.all = 0
        self.entries = {d: lead_entries(dom) for d, dom in sc["domains"].items()}
        self.cond_true = {c: 0 for c in sc.get("conditions", {})}
        self.covered = {d: 0 for d in sc["domains"]}
        self.leaderless = {d: 0 for d in sc["domains"]}
        self.short = {d: 0 for d in sc["domains"]}
        self.lead = {d: [0] * len(e) for d, e in self.entries.items()}
        self.met = {}
        self.gap = {}  # (scope, cap) -> [sum, sum of squares]
        self.req = {}  # (scope, cap) -> [sum, sum of squares]
        self.force_reqs = sc.get("force", {}).get("requirements", {})
        self.force_covered = 0
        self.inn = {n: 0 for n in sc["nations"]}
        self.in_all = {n: 0 for n in sc["nations"]}
        self.totals = {}
        self.provided_sum = {}
        self.binds = {}  # (nation, cap) -> mounted trials in which its pool cut it
        self.cut = {}  # (nation, cap) -> [sum, sum of squares] of the cut where it binds
        self.committed = {}  # cap -> [sum, sum of squares] of Σ deployed × rotation
        self.days = sc.get("simulation", {}).get("timeline_days", [])
        self.tl_all = [0] * len(self.days)
        self.tl_force = [0] * len(self.days)
        self.tl = {d: [0] * len(self.days) for d in sc["domains"]}

    def add(self, key, table, x, m):
        # Summed as floats: a chunk's integer sum can pass int64 (committed forces).
        s = table.setdefault(key, [0.0, 0.0])
        xm = x[m].astype(float)
        s[0] += float(xm.sum())
        s[1] += float((xm ** 2).sum())


def effect_scales(sc, conds, n, rng):
    """Per target value, the product of the scales of the effects that apply, per trial."""
    mult = {}
    for c, cond in sc.get("conditions", {}).items():
        for e in cond.get("effects", []):
            s = draw(e["scale"], n, rng)
            f = np.where(conds[c] == bool(e.get("when", False)), s, 1.0)
            for key in set().union(*(effect_values(sc, t) for t in e["targets"])):
                mult[key] = mult.get(key, 1.0) * f
    return mult


def decide(sc, order, conds, n, rng):
    """Who takes part, per nation: caps from `if_absent` (condition false / nation
    absent) and `if_present` (condition true / nation in), blocs, fixed decisions."""
    nations = sc["nations"]
    factor = {b: rng.standard_normal(n) for b in sc.get("blocs", {})}
    part = {}
    for nid in order:
        nat = nations[nid]
        fixed = nat.get("decision", "draw")
        if fixed != "draw":
            part[nid] = np.full(n, fixed == "in")
            continue
        p = draw(nat["participation"], n, rng)
        for gate in nat.get("approval", []):
            p = p * draw(gate["probability"], n, rng)
        for present, caps in ((False, nat.get("if_absent", {})), (True, nat.get("if_present", {}))):
            for key, cap in caps.items():
                state = conds[key] if key in conds else part[key]
                applies = state if present else ~state
                p = np.where(applies, np.minimum(p, draw(cap, n, rng)), p)
        if "bloc" in nat:
            rho = sc["blocs"][nat["bloc"]]["correlation"]
            latent = math.sqrt(rho) * factor[nat["bloc"]] + math.sqrt(1 - rho) * rng.standard_normal(n)
            part[nid] = latent < norm_inv(p)
        else:
            part[nid] = rng.random(n) < p
    return part


def contributions(sc, part, mult, n, rng):
    """Per nation: (domain, capability) -> its final amount (v × effect scales ×
    nation scale, rounded once; 0 where it does not take part), and its ready day."""
    amounts, ready = {}, {}
    meta = sc.get("scenario", {})
    for nid, nat in sc["nations"].items():
        ready[nid] = draw(nat["ready_days"], n, rng) if "ready_days" in nat else np.zeros(n)
        scale = float(nat.get("scale", 1.0))
        rho = float(nat.get("ambition", meta.get("ambition", 0.0)))
        common = rng.standard_normal(n) if rho > 0 else None
        a = {}
        for dom, caps in nat.get("contributions", {}).items():
            for cap, spec in caps.items():
                if rho > 0 and not isinstance(spec, (int, float)):
                    z = math.sqrt(rho) * common + math.sqrt(1 - rho) * rng.standard_normal(n)
                    if "normal" in spec or "lognormal" in spec:
                        # F⁻¹(Φ(z)) in closed form (the same value, without a round trip).
                        x = spec.get("normal") or spec.get("lognormal")
                        raw = (x["mean"] + x["sd"] * z if "normal" in spec
                               else x["median"] * np.exp(x["sigma"] * z))
                    else:
                        raw = quantile_of(spec, norm_cdf(z).astype(float))
                else:
                    raw = draw(spec, n, rng)
                v = raw * mult.get(("con", nid, dom, cap), 1.0) * scale
                a[(dom, cap)] = np.where(part[nid], count(v), 0)
        amounts[nid] = a
    return amounts, ready


def rotation(sc, nid):
    """A nation's rotation: its own, else the scenario's, else 1."""
    return int(sc["nations"][nid].get("rotation", sc.get("scenario", {}).get("rotation", 1)))


def apply_pools(sc, amounts, part, n, rng):
    """Cuts each pooled capability of a participating nation to its pool (drawn and
    rounded per trial): where D × rotation > pool, v → ⌊v × T / D⌋ with T = ⌊pool / rotation⌋.
    Returns (nation, capability) -> (binds, cut) per trial."""
    out = {}
    for nid, nat in sc["nations"].items():
        r = rotation(sc, nid)
        a = amounts[nid]
        for cap, spec in nat.get("pool", {}).items():
            pool = count(draw(spec, n, rng))
            keys = [k for k in a if k[1] == cap]
            dep = sum((a[k] for k in keys), np.zeros(n, dtype=np.int64))
            binds = part[nid] & (dep * r > pool)
            tgt = pool // r
            safe = np.where(dep > 0, dep, 1)
            after = np.zeros(n, dtype=np.int64)
            for k in keys:
                # v × T overflows int64 from about 9.2e18 (v up to 10^15, T up to 10^12).
                a[k] = np.where(binds, mul_div_floor(a[k], tgt, safe), a[k])
                after = after + a[k]
            out[(nid, cap)] = (binds, dep - after)
    return out


def requirements(sc, mult, n, rng):
    """This trial's requirements of each domain and of the force, effect-scaled and rounded."""
    reqs = {}
    for d, dom in sc["domains"].items():
        for cap, spec in dom.get("requirements", {}).items():
            reqs[(d, cap)] = count(draw(spec, n, rng) * mult.get(("req", d, cap), 1.0))
    force = {}
    for cap, spec in sc.get("force", {}).get("requirements", {}).items():
        force[cap] = count(draw(spec, n, rng) * mult.get(("force", cap), 1.0))
    return reqs, force


def coverage(sc, entries, amounts, avail, reqs, freqs, n):
    """Domains, leads and the force, counting each nation's amounts only where
    `avail` holds for it (it takes part, and on the timeline is ready by the day)."""
    zero = np.zeros(n, dtype=np.int64)
    provided, totals = {}, {}
    seen = {nid: {k: np.where(avail[nid], v, 0) for k, v in a.items()} for nid, a in amounts.items()}
    for a in seen.values():
        for (dom, cap), v in a.items():
            provided[(dom, cap)] = provided.get((dom, cap), zero) + v
            totals[cap] = totals.get(cap, zero) + v
    doms = {}
    for d, dom in sc["domains"].items():
        lead = np.full(n, -1)
        present_any = np.zeros(n, dtype=bool)
        for i, (_, members) in enumerate(entries[d]):
            present = np.zeros(n, dtype=bool)
            for m in members:
                present |= avail[m]
            qualifies = present.copy()
            for cap, share in dom.get("lead_provides", {}).items():
                own = sum((seen[m].get((d, cap), zero) for m in members), zero)
                qualifies &= gives_share(own, share, reqs[(d, cap)])
            lead = np.where((lead < 0) & qualifies, i, lead)
            present_any |= present
        led = lead >= 0 if entries[d] else np.ones(n, dtype=bool)
        met = {cap: provided.get((d, cap), zero) >= reqs[(d, cap)] for cap in dom.get("requirements", {})}
        cov = led.copy()
        for x in met.values():
            cov &= x
        doms[d] = {"covered": cov, "lead": lead, "present": present_any, "met": met}
    force_met = {cap: totals.get(cap, zero) >= r for cap, r in freqs.items()}
    force = np.ones(n, dtype=bool)
    for x in force_met.values():
        force &= x
    return doms, force, force_met, provided, totals


def chunk(sc, order, n, rng, t):
    conds = {c: rng.random(n) < draw(v["probability"], n, rng) for c, v in sc.get("conditions", {}).items()}
    m = np.ones(n, dtype=bool)
    for c in sc.get("mission", {}).get("requires", []):
        m &= conds[c]
    for c, x in conds.items():
        t.cond_true[c] += int(x.sum())
    # Everything below is drawn in every trial (vectorised) but counted only where mounted.
    mult = effect_scales(sc, conds, n, rng)
    part = decide(sc, order, conds, n, rng)
    amounts, ready = contributions(sc, part, mult, n, rng)
    pools = apply_pools(sc, amounts, part, n, rng)
    reqs, freqs = requirements(sc, mult, n, rng)
    doms, force, force_met, provided, totals = coverage(sc, t.entries, amounts, part, reqs, freqs, n)
    all_cov = force.copy()
    for d, f in doms.items():
        all_cov &= f["covered"]
        t.covered[d] += int((f["covered"] & m).sum())
        if t.entries[d]:
            leaderless = (f["lead"] < 0) & m
            t.leaderless[d] += int(leaderless.sum())
            t.short[d] += int((leaderless & f["present"]).sum())
            for i in range(len(t.entries[d])):
                t.lead[d][i] += int(((f["lead"] == i) & m).sum())
        for cap, met in f["met"].items():
            t.met[(d, cap)] = t.met.get((d, cap), 0) + int((met & m).sum())
            have = provided.get((d, cap), np.zeros(n, dtype=np.int64))
            t.add((d, cap), t.gap, np.maximum(reqs[(d, cap)] - have, 0), m)
            t.add((d, cap), t.req, reqs[(d, cap)], m)
    t.force_covered += int((force & m).sum())
    for cap, met in force_met.items():
        t.met[("force", cap)] = t.met.get(("force", cap), 0) + int((met & m).sum())
        have = totals.get(cap, np.zeros(n, dtype=np.int64))
        t.add(("force", cap), t.gap, np.maximum(freqs[cap] - have, 0), m)
        t.add(("force", cap), t.req, freqs[cap], m)
    t.all += int((all_cov & m).sum())
    t.mounted += int(m.sum())
    for nid, a in amounts.items():
        t.inn[nid] += int((part[nid] & m).sum())
        t.in_all[nid] += int((part[nid] & all_cov & m).sum())
        for (_, cap), v in a.items():
            t.provided_sum[(nid, cap)] = t.provided_sum.get((nid, cap), 0) + int(v[m].sum())
    for (nid, cap), (binds, cut) in pools.items():
        b = binds & m
        t.binds[(nid, cap)] = t.binds.get((nid, cap), 0) + int(b.sum())
        t.add((nid, cap), t.cut, cut, b)
    committed = {}
    for nid, a in amounts.items():
        r = rotation(sc, nid)
        for (_, cap), v in a.items():
            # In uint64, as forcesim: Σ deployed × rotation can pass int64's 9.2e18.
            committed[cap] = committed.get(cap, 0) + v.astype(np.uint64) * np.uint64(r)
    for cap in sc.get("capabilities", {}):
        t.add(cap, t.committed, committed.get(cap, np.zeros(n, dtype=np.uint64)), m)
    for cap in sc.get("capabilities", {}):
        t.totals.setdefault(cap, Counts()).add(totals.get(cap, np.zeros(n, dtype=np.int64))[m])
    for k, day in enumerate(t.days):
        avail = {nid: part[nid] & (ready[nid] <= day) for nid in part}
        doms_k, force_k, _, _, _ = coverage(sc, t.entries, amounts, avail, reqs, freqs, n)
        all_k = force_k.copy()
        for d, f in doms_k.items():
            t.tl[d][k] += int((f["covered"] & m).sum())
            all_k &= f["covered"]
        t.tl_force[k] += int((force_k & m).sum())
        t.tl_all[k] += int((all_k & m).sum())
    t.n += n


class Counts:
    """How many trials gave each value, exactly, in memory that does not grow with
    the values' magnitude: a dense histogram of the values below DENSE (the common
    case, one np.bincount per chunk), and the others as sorted distinct values with
    their counts (at most one entry per trial that gave such a value), merged in
    batches so that adding stays O(k log k) overall."""

    DENSE = 1 << 22

    def __init__(self):
        self.dense = np.zeros(1, dtype=np.int64)
        self.values = np.zeros(0, dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)
        self.pending = []
        self.pending_size = 0

    def add(self, x):
        x = np.asarray(x, dtype=np.int64)
        small = x < self.DENSE
        if small.all():
            counts = np.bincount(x, minlength=1)
        else:
            counts = np.bincount(x[small], minlength=1)
            v, c = np.unique(x[~small], return_counts=True)
            self.pending.append((v, c))
            self.pending_size += len(v)
            if self.pending_size >= max(len(self.values), 1 << 16):
                self._merge()
        if len(counts) > len(self.dense):
            counts[:len(self.dense)] += self.dense
            self.dense = counts
        else:
            self.dense[:len(counts)] += counts

    def add_histogram(self, h):
        """Adds h[v] trials of each value v (below DENSE)."""
        h = np.asarray(h, dtype=np.int64)
        if len(h) > len(self.dense):
            self.dense = np.pad(self.dense, (0, len(h) - len(self.dense)))
        self.dense[:len(h)] += h

    def _merge(self):
        if not self.pending:
            return
        v = np.concatenate([self.values] + [p[0] for p in self.pending])
        c = np.concatenate([self.counts] + [p[1] for p in self.pending])
        self.values, inv = np.unique(v, return_inverse=True)
        self.counts = np.bincount(inv, weights=c, minlength=len(self.values)).astype(np.int64)
        self.pending, self.pending_size = [], 0

    def quantile(self, n, pct):
        """The smallest v with at least ⌈pct·n/100⌉ trials ≤ v (n ≥ 1)."""
        self._merge()
        rank = max(1, -(-pct * n // 100))
        cum = np.cumsum(self.dense)
        if cum[-1] >= rank:
            return int(np.searchsorted(cum, rank))
        return int(self.values[np.searchsorted(np.cumsum(self.counts), rank - int(cum[-1]))])

    def moments(self, n):
        """Mean and sd over the n trials counted (n ≥ 1)."""
        self._merge()
        v = np.concatenate([np.arange(len(self.dense), dtype=float), self.values.astype(float)])
        c = np.concatenate([self.dense, self.counts]).astype(float)
        mean = float((v * c).sum() / n)
        return mean, float(math.sqrt(((v - mean) ** 2 * c).sum() / n))


def ratio(k, n):
    """k / n, or None (JSON null) over no trial."""
    return k / n if n else None


def moments(s, n):
    """Mean and sd from [sum, sum of squares] over n trials (None over none)."""
    if not n:
        return None, None
    mean = s[0] / n
    return mean, math.sqrt(max(s[1] / n - mean * mean, 0.0))


def capability_figures(t, key, m, spec):
    mean_gap, sd_gap = moments(t.gap[key], m)
    mean_req, sd_req = moments(t.req[key], m)
    return {"p_met": ratio(t.met[key], m), "gap_mean": mean_gap, "gap_sd": sd_gap,
            "required_mean": mean_req, "required_sd": sd_req,
            "required_drawn": not isinstance(spec, (int, float))}


def summarise(sc, t):
    n, m = t.n, t.mounted
    out = {"trials": n, "mounted_trials": m, "p_mounted": ratio(m, n), "p_all_covered": ratio(t.all, m),
           "p_all_covered_overall": ratio(t.all, n),
           "conditions": {c: {"p_true": ratio(k, n)} for c, k in t.cond_true.items()},
           "domains": {}, "nations": {}, "totals": {}}
    for d, dom in sc["domains"].items():
        short = t.short[d]
        out["domains"][d] = {
            "p_covered": ratio(t.covered[d], m),
            "p_leaderless": ratio(t.leaderless[d], m),
            "p_lead_short": ratio(short, m),
            "p_no_lead_candidate": ratio(t.leaderless[d] - short, m),
            "lead_share": {label: ratio(k, m) for (label, _), k in zip(t.entries[d], t.lead[d])},
            "capabilities": {cap: capability_figures(t, (d, cap), m, spec)
                             for cap, spec in dom.get("requirements", {}).items()},
        }
    if "force" in sc:
        out["force"] = {"p_covered": ratio(t.force_covered, m),
                        "capabilities": {cap: capability_figures(t, ("force", cap), m, spec)
                                         for cap, spec in t.force_reqs.items()}}
    for nid in sc["nations"]:
        inn = t.inn[nid]
        out_n = m - inn
        swing = None
        if inn and out_n:
            swing = t.in_all[nid] / inn - (t.all - t.in_all[nid]) / out_n
        out["nations"][nid] = {
            "p_participates": ratio(inn, m),
            "swing": swing,
            "mean_provided": {cap: ratio(s, m) for (k, cap), s in t.provided_sum.items() if k == nid},
            "rotation": rotation(sc, nid),
            "pools": {},
        }
        for cap in sc["nations"][nid].get("pool", {}):
            k = t.binds.get((nid, cap), 0)
            cut_mean, cut_sd = moments(t.cut.get((nid, cap), [0.0, 0.0]), k)
            out["nations"][nid]["pools"][cap] = {"p_binds": ratio(k, inn), "binds": k,
                                                 "cut_mean": cut_mean, "cut_sd": cut_sd}
    for cap, counts in t.totals.items():
        if not m:
            out["totals"][cap] = {"mean": None, "sd": None}
            continue
        mean, sd = counts.moments(m)
        out["totals"][cap] = {
            "mean": mean,
            "sd": sd,
            **{f"p{p:02d}": counts.quantile(m, p) for p in (5, 25, 50, 75, 95)},
        }
        cm, csd = moments(t.committed.get(cap, [0.0, 0.0]), m)
        out["totals"][cap]["committed_mean"] = cm
        out["totals"][cap]["committed_sd"] = csd
    if t.days:
        out["timeline"] = {"days": t.days, "p_all_covered": [ratio(k, m) for k in t.tl_all],
                           "domains": {d: [ratio(k, m) for k in v] for d, v in t.tl.items()}}
        if "force" in sc:
            out["timeline"]["force"] = [ratio(k, m) for k in t.tl_force]
    return out


def compare(mine, theirs):
    """Prints each shared figure with its distance in standard errors; returns the largest.

    Figures over the mounted trials are compared with the mounted counts; a figure
    that is null (no mounted trial) must be null on both sides. `mine` may also be
    the format-1 figures of benches/numba_reference.py (no gate, `p_met` per domain)."""
    n1, n2 = mine["trials"], theirs["trials"]
    m1, m2 = mine.get("mounted_trials", n1), theirs.get("mounted_trials", n2)
    rows = []

    def prop(name, a, b, k1, k2):
        if a is None or b is None or not k1 or not k2:
            rows.append((name, 0.0 if a is None and b is None else math.inf))
            return
        p = (a * k1 + b * k2) / (k1 + k2)
        se = math.sqrt(max(p * (1 - p), 1e-12) * (1 / k1 + 1 / k2))
        rows.append((name, (a - b) / se))

    def mean(name, a, b, sd, k1, k2):
        if a is None or b is None or not k1 or not k2:
            rows.append((name, 0.0 if a is None and b is None else math.inf))
            return
        se = sd * math.sqrt(1 / k1 + 1 / k2) or 1e-12
        rows.append((name, (a - b) / se))

    def capability(scope, f, g):
        prop(f"{scope}.p_met", f["p_met"], g["p_met"], m1, m2)
        mean(f"{scope}.gap.mean", f["gap_mean"], g["gap"]["mean"], f["gap_sd"], m1, m2)
        if f["required_drawn"]:
            mean(f"{scope}.required", f["required_mean"], g["required"], f["required_sd"], m1, m2)

    if "p_mounted" in mine:
        prop("p_mounted", mine["p_mounted"], theirs.get("p_mounted", 1.0), n1, n2)
        prop("p_all_covered_overall", mine["p_all_covered_overall"],
             theirs.get("p_all_covered_overall", theirs["p_all_covered"]), n1, n2)
    prop("p_all_covered", mine["p_all_covered"], theirs["p_all_covered"], m1, m2)
    for c, f in mine.get("conditions", {}).items():
        g = theirs.get("conditions", {}).get(c)
        if g is not None:
            prop(f"conditions.{c}.p_true", f["p_true"], g["p_true"], n1, n2)
    for d, f in mine["domains"].items():
        g = theirs["domains"][d]
        prop(f"domains.{d}.p_covered", f["p_covered"], g["p_covered"], m1, m2)
        prop(f"domains.{d}.p_leaderless", f["p_leaderless"], g["p_leaderless"], m1, m2)
        if "p_lead_short" in f and theirs.get("format") != "forcesim-report/1":
            prop(f"domains.{d}.p_lead_short", f["p_lead_short"], g["p_lead_short"], m1, m2)
            prop(f"domains.{d}.p_no_lead_candidate", f["p_no_lead_candidate"], g["p_no_lead_candidate"], m1, m2)
        for label, s in f["lead_share"].items():
            prop(f"domains.{d}.lead_share.{label}", s, g["lead_share"][label], m1, m2)
        for cap, cf in f.get("capabilities", {}).items():
            capability(f"domains.{d}.{cap}", cf, g["capabilities"][cap])
        for cap, p in f.get("p_met", {}).items():
            prop(f"domains.{d}.{cap}.p_met", p, g["capabilities"][cap]["p_met"], m1, m2)
    if "force" in mine:
        g = theirs["force"]
        prop("force.p_covered", mine["force"]["p_covered"], g["p_covered"], m1, m2)
        for cap, cf in mine["force"]["capabilities"].items():
            capability(f"force.{cap}", cf, g["capabilities"][cap])
    elif "force" in theirs:
        rows.append(("force (absent from the scenario)", math.inf))
    for nid, f in mine["nations"].items():
        g = theirs["nations"][nid]
        prop(f"nations.{nid}.p_participates", f["p_participates"], g["p_participates"], m1, m2)
        if f.get("pools") and "rotation" in g and g["rotation"] != f["rotation"]:
            rows.append((f"nations.{nid}.rotation {f['rotation']} vs {g['rotation']}", math.inf))
        for cap, pf in f.get("pools", {}).items():
            pg = (g.get("pools") or {}).get(cap)
            if pg is None:
                rows.append((f"nations.{nid}.pools.{cap} (missing from the report)", math.inf))
                continue
            k1 = round((f["p_participates"] or 0) * m1)
            k2 = round((g["p_participates"] or 0) * m2)
            prop(f"nations.{nid}.pools.{cap}.p_binds", pf["p_binds"], pg["p_binds"], k1, k2)
            b1 = pf["binds"]
            b2 = round((pg["p_binds"] or 0) * k2)
            gc = pg.get("cut")
            if b1 >= 30 and b2 >= 30 and gc is not None:
                mean(f"nations.{nid}.pools.{cap}.cut.mean", pf["cut_mean"], gc["mean"], pf["cut_sd"], b1, b2)
    for cap, f in mine["totals"].items():
        g = theirs["totals"][cap]
        mean(f"totals.{cap}.mean", f["mean"], g["mean"], f["sd"], m1, m2)
        if "committed_mean" in f and "committed" in g:
            gc = g["committed"]
            mean(f"totals.{cap}.committed.mean", f["committed_mean"], gc["mean"] if gc else None,
                 f["committed_sd"], m1, m2)
    if "timeline" in mine:
        tl, their_tl = mine["timeline"], theirs["timeline"]
        for k, day in enumerate(tl["days"]):
            prop(f"timeline.day{day}", tl["p_all_covered"][k], their_tl["p_all_covered"][k], m1, m2)
            for d, v in tl["domains"].items():
                prop(f"timeline.{d}.day{day}", v[k], their_tl["domains"][d][k], m1, m2)
            if "force" in tl:
                prop(f"timeline.force.day{day}", tl["force"][k], their_tl["force"][k], m1, m2)
    worst = 0.0
    for name, z in rows:
        worst = max(worst, abs(z))
        print(f"{name:48s} {z:+6.2f} se")
    print(f"{len(rows)} figures; largest distance {worst:.2f} standard errors")
    return worst


def simulate(sc, trials, seed, chunk_size=200_000):
    """The figures of `trials` trials of scenario `sc` (a parsed TOML table)."""
    rng = np.random.default_rng(seed)
    order = decision_order(sc["nations"])
    t = Tally(sc)
    left = trials
    while left > 0:
        n = min(chunk_size, left)
        chunk(sc, order, n, rng, t)
        left -= n
    return summarise(sc, t)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario")
    ap.add_argument("-n", "--trials", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=200_000, help="trials per vectorised step")
    ap.add_argument("--json", help="write the figures as JSON to this path")
    ap.add_argument("--compare", help="a forcesim JSON report to compare with")
    a = ap.parse_args()
    sc = load(a.scenario)
    start = time.perf_counter()
    out = simulate(sc, a.trials, a.seed, a.chunk)
    elapsed = time.perf_counter() - start
    print(f"numpy {np.__version__}: {a.trials:,} trials in {elapsed:.2f} s = {a.trials / elapsed:,.0f} trials/s "
          f"({elapsed * 1e9 / a.trials:,.0f} ns/trial), 1 thread")
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
