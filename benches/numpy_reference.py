#!/usr/bin/env python3
"""A vectorised NumPy implementation of forcesim's trial semantics (docs/design.md).

It is the baseline a planner would otherwise write: whole arrays of trials at a
time, one NumPy call per step. It serves two purposes:

* speed: `python3 benches/numpy_reference.py SCENARIO -n TRIALS` prints trials/s
  on one thread, to compare with `forcesim bench SCENARIO -n TRIALS -j 1`;
* correctness: `--compare report.json` checks forcesim's figures against this
  independent implementation, figure by figure, in standard errors.

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


def count(x):
    """Round half away from zero, never below 0, at most 1e12."""
    return np.minimum(np.where(x > 0, np.floor(x + 0.5), 0.0), MAX_VALUE).astype(np.int64)


def decision_order(nations):
    order, placed = [], set()
    while len(order) < len(nations):
        for nid, nat in nations.items():
            if nid in placed:
                continue
            if all(k in placed or k not in nations for k in nat.get("if_absent", {})):
                order.append(nid)
                placed.add(nid)
                break
        else:
            raise ValueError("if_absent cycle")
    return order


class Tally:
    def __init__(self, sc):
        self.n = 0
        self.all = 0
        self.covered = {d: 0 for d in sc["domains"]}
        self.leaderless = {d: 0 for d in sc["domains"]}
        self.lead = {d: {l: 0 for l in dom.get("lead", [])} for d, dom in sc["domains"].items()}
        self.met = {}
        self.inn = {n: 0 for n in sc["nations"]}
        self.in_all = {n: 0 for n in sc["nations"]}
        self.totals = {}
        self.provided_sum = {}
        self.days = sc.get("simulation", {}).get("timeline_days", [])
        self.tl_all = [0] * len(self.days)
        self.tl = {d: [0] * len(self.days) for d in sc["domains"]}


def chunk(sc, order, n, rng, t):
    nations, domains = sc["nations"], sc["domains"]
    conds = {c: rng.random(n) < draw(v["probability"], n, rng) for c, v in sc.get("conditions", {}).items()}
    factor = {b: rng.standard_normal(n) for b in sc.get("blocs", {})}
    part = {}
    for nid in order:
        nat = nations[nid]
        p = draw(nat["participation"], n, rng)
        for gate in nat.get("approval", []):
            p = p * draw(gate["probability"], n, rng)
        for key, cap in nat.get("if_absent", {}).items():
            applies = ~conds[key] if key in conds else ~part[key]
            p = np.where(applies, np.minimum(p, draw(cap, n, rng)), p)
        if "bloc" in nat:
            rho = sc["blocs"][nat["bloc"]]["correlation"]
            latent = math.sqrt(rho) * factor[nat["bloc"]] + math.sqrt(1 - rho) * rng.standard_normal(n)
            part[nid] = latent < norm_inv(p)
        else:
            part[nid] = rng.random(n) < p
    provided = {}
    by_day = {}
    totals = {}
    for nid, nat in nations.items():
        ready = draw(nat["ready_days"], n, rng) if "ready_days" in nat else np.zeros(n)
        for dom, caps in nat.get("contributions", {}).items():
            for cap, spec in caps.items():
                v = np.where(part[nid], count(draw(spec, n, rng)), 0)
                provided[(dom, cap)] = provided.get((dom, cap), 0) + v
                totals[cap] = totals.get(cap, 0) + v
                key = (nid, cap)
                t.provided_sum[key] = t.provided_sum.get(key, 0) + int(v.sum())
                for k, day in enumerate(t.days):
                    by_day[(k, dom, cap)] = by_day.get((k, dom, cap), 0) + np.where(ready <= day, v, 0)
    all_cov = np.ones(n, dtype=bool)
    has_lead = {}
    reqs = {}
    for d, dom in domains.items():
        leads = dom.get("lead", [])
        found = np.zeros(n, dtype=bool)
        for l in leads:
            leads_now = part[l] & ~found
            t.lead[d][l] += int(leads_now.sum())
            found |= part[l]
        has_lead[d] = found if leads else np.ones(n, dtype=bool)
        t.leaderless[d] += int((~has_lead[d]).sum())
        cov = has_lead[d].copy()
        for cap, spec in dom.get("requirements", {}).items():
            req = count(draw(spec, n, rng))
            reqs[(d, cap)] = req
            met = provided.get((d, cap), np.zeros(n, dtype=np.int64)) >= req
            t.met[(d, cap)] = t.met.get((d, cap), 0) + int(met.sum())
            cov &= met
        t.covered[d] += int(cov.sum())
        all_cov &= cov
    t.all += int(all_cov.sum())
    for nid in nations:
        t.inn[nid] += int(part[nid].sum())
        t.in_all[nid] += int((part[nid] & all_cov).sum())
    for cap in sc.get("capabilities", {}):
        tot = totals.get(cap, np.zeros(n, dtype=np.int64))
        if np.isscalar(tot):
            tot = np.full(n, tot, dtype=np.int64)
        counts = np.bincount(tot)
        prev = t.totals.get(cap)
        if prev is None:
            t.totals[cap] = counts
        else:
            size = max(len(prev), len(counts))
            t.totals[cap] = np.pad(prev, (0, size - len(prev))) + np.pad(counts, (0, size - len(counts)))
    for k, _ in enumerate(t.days):
        all_k = np.ones(n, dtype=bool)
        for d, dom in domains.items():
            cov = has_lead[d].copy()
            for cap in dom.get("requirements", {}):
                cov &= by_day.get((k, d, cap), np.zeros(n, dtype=np.int64)) >= reqs[(d, cap)]
            t.tl[d][k] += int(cov.sum())
            all_k &= cov
        t.tl_all[k] += int(all_k.sum())
    t.n += n


def quantile(counts, n, pct):
    rank = max(1, -(-pct * n // 100))
    return int(np.searchsorted(np.cumsum(counts), rank))


def summarise(sc, t):
    n = t.n
    out = {"trials": n, "p_all_covered": t.all / n, "domains": {}, "nations": {}, "totals": {}}
    for d, dom in sc["domains"].items():
        out["domains"][d] = {
            "p_covered": t.covered[d] / n,
            "p_leaderless": t.leaderless[d] / n,
            "lead_share": {l: c / n for l, c in t.lead[d].items()},
            "p_met": {cap: t.met[(d, cap)] / n for cap in dom.get("requirements", {})},
        }
    for nid in sc["nations"]:
        inn = t.inn[nid]
        out_n = n - inn
        swing = None
        if inn and out_n:
            swing = t.in_all[nid] / inn - (t.all - t.in_all[nid]) / out_n
        out["nations"][nid] = {
            "p_participates": inn / n,
            "swing": swing,
            "mean_provided": {cap: s / n for (m, cap), s in t.provided_sum.items() if m == nid},
        }
    for cap, counts in t.totals.items():
        values = np.arange(len(counts))
        mean = float((values * counts).sum() / n)
        out["totals"][cap] = {
            "mean": mean,
            "sd": float(math.sqrt(((values - mean) ** 2 * counts).sum() / n)),
            **{f"p{p:02d}": quantile(counts, n, p) for p in (5, 25, 50, 75, 95)},
        }
    if t.days:
        out["timeline"] = {"days": t.days, "p_all_covered": [k / n for k in t.tl_all],
                           "domains": {d: [k / n for k in v] for d, v in t.tl.items()}}
    return out


def compare(mine, theirs):
    """Prints each shared figure with its distance in standard errors; returns the largest."""
    n1, n2 = mine["trials"], theirs["trials"]

    def z_prop(a, b):
        p = (a * n1 + b * n2) / (n1 + n2)
        se = math.sqrt(max(p * (1 - p), 1e-12) * (1 / n1 + 1 / n2))
        return (a - b) / se

    rows = [("p_all_covered", z_prop(mine["p_all_covered"], theirs["p_all_covered"]))]
    for d, f in mine["domains"].items():
        g = theirs["domains"][d]
        rows.append((f"domains.{d}.p_covered", z_prop(f["p_covered"], g["p_covered"])))
        rows.append((f"domains.{d}.p_leaderless", z_prop(f["p_leaderless"], g["p_leaderless"])))
        for l, s in f["lead_share"].items():
            rows.append((f"domains.{d}.lead_share.{l}", z_prop(s, g["lead_share"][l])))
        for cap, p in f["p_met"].items():
            rows.append((f"domains.{d}.{cap}.p_met", z_prop(p, g["capabilities"][cap]["p_met"])))
    for nid, f in mine["nations"].items():
        g = theirs["nations"][nid]
        rows.append((f"nations.{nid}.p_participates", z_prop(f["p_participates"], g["p_participates"])))
    for cap, f in mine["totals"].items():
        g = theirs["totals"][cap]
        se = f["sd"] * math.sqrt(1 / n1 + 1 / n2) or 1e-12
        rows.append((f"totals.{cap}.mean", (f["mean"] - g["mean"]) / se))
    if "timeline" in mine:
        for k, day in enumerate(mine["timeline"]["days"]):
            rows.append((f"timeline.day{day}", z_prop(mine["timeline"]["p_all_covered"][k],
                                                     theirs["timeline"]["p_all_covered"][k])))
    worst = 0.0
    for name, z in rows:
        worst = max(worst, abs(z))
        print(f"{name:48s} {z:+6.2f} se")
    print(f"{len(rows)} figures; largest distance {worst:.2f} standard errors")
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario")
    ap.add_argument("-n", "--trials", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=200_000, help="trials per vectorised step")
    ap.add_argument("--json", help="write the figures as JSON to this path")
    ap.add_argument("--compare", help="a forcesim JSON report to compare with")
    a = ap.parse_args()
    with open(a.scenario, "rb") as f:
        sc = tomllib.load(f)
    rng = np.random.default_rng(a.seed)
    order = decision_order(sc["nations"])
    t = Tally(sc)
    start = time.perf_counter()
    left = a.trials
    while left > 0:
        n = min(a.chunk, left)
        chunk(sc, order, n, rng, t)
        left -= n
    elapsed = time.perf_counter() - start
    out = summarise(sc, t)
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
