#!/usr/bin/env python3
"""Checks benches/numpy_reference.py on its own: for tiny scenarios (fixed
probabilities, contributions, requirements and readiness; fixed or discrete effect
scales; no blocs), every figure is computed exactly by enumerating every outcome of
the conditions, the effect scales and the nations' decisions, and the reference's
Monte Carlo figures must lie within 4.5 standard errors of it (and equal it where it
is 0 or 1).

    python3 benches/numpy_reference_check.py SCENARIO... [-n TRIALS] [--seed S]

The enumeration is written apart from the reference (its own reading of effect
targets, caps, leads, obligations, the force and the timeline); it shares only the
decision order. Exit status 1 when a figure disagrees.
"""
import argparse
import itertools
import math
import os
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_reference as ref  # noqa: E402


def entries(dom):
    return [([e] if isinstance(e, str) else list(e)) for e in dom.get("lead", [])]


def scale_options(spec):
    if isinstance(spec, (int, float)):
        return [(float(spec), 1.0)]
    v = spec["discrete"]
    w = v.get("weights", [1.0] * len(v["values"]))
    return [(float(x), wi / sum(w)) for x, wi in zip(v["values"], w)]


def targets(sc, t):
    """Written independently of the reference: the values a target names."""
    p = t.split(".")
    out = set()
    if p[0] == "domains":
        for c in sc["domains"][p[1]]["requirements"]:
            if len(p) == 3 or p[3] == c:
                out.add(("req", p[1], c))
    elif p[0] == "force":
        for c in sc["force"]["requirements"]:
            if len(p) == 2 or p[2] == c:
                out.add(("force", c))
    else:
        for d, caps in sc["nations"][p[1]]["contributions"].items():
            for c in caps:
                if (len(p) < 4 or p[3] == d) and (len(p) < 5 or p[4] == c):
                    out.add(("con", p[1], d, c))
    assert out, t
    return out


def rnd(x):
    return int(math.floor(x + 0.5)) if x > 0 else 0


def exact(sc):
    conds = list(sc.get("conditions", {}))
    nations = sc["nations"]
    order = ref.decision_order(nations)
    effects = [(c, e) for c in conds for e in sc["conditions"][c].get("effects", [])]
    acc = {}

    def add(k, w):
        acc[k] = acc.get(k, 0.0) + w

    for bits in itertools.product([False, True], repeat=len(conds)):
        cv = dict(zip(conds, bits))
        w0 = 1.0
        for c in conds:
            p = sc["conditions"][c]["probability"]
            w0 *= p if cv[c] else 1 - p
        for c in conds:
            if cv[c]:
                add(("cond", c), w0)
        if not all(cv[c] for c in sc.get("mission", {}).get("requires", [])):
            continue
        add("mounted", w0)
        for combo in itertools.product(*[scale_options(e["scale"]) for _, e in effects]):
            w1 = w0
            mult = {}
            for (c, e), (s, ws) in zip(effects, combo):
                w1 *= ws
                if cv[c] == bool(e.get("when", False)):
                    for key in set().union(*(targets(sc, t) for t in e["targets"])):
                        mult[key] = mult.get(key, 1.0) * s
            # decisions
            stack = [(0, {}, w1)]
            while stack:
                k, part, w = stack.pop()
                if w == 0:
                    continue
                if k == len(order):
                    outcome(sc, cv, part, mult, w, add)
                    continue
                nid = order[k]
                nat = nations[nid]
                dec = nat.get("decision", "draw")
                if dec != "draw":
                    p = 1.0 if dec == "in" else 0.0
                else:
                    p = nat["participation"]
                    for g in nat.get("approval", []):
                        p *= g["probability"]
                    for present, caps in ((False, nat.get("if_absent", {})), (True, nat.get("if_present", {}))):
                        for key, cap in caps.items():
                            state = cv[key] if key in cv else part[key]
                            if state == present:
                                p = min(p, cap)
                stack.append((k + 1, {**part, nid: True}, w * p))
                stack.append((k + 1, {**part, nid: False}, w * (1 - p)))
    return acc


def outcome(sc, cv, part, mult, w, add):
    nations = sc["nations"]
    amt = {}
    for nid, nat in nations.items():
        if not part[nid]:
            continue
        for d, caps in nat.get("contributions", {}).items():
            for c, v in caps.items():
                amt[(nid, d, c)] = rnd(v * mult.get(("con", nid, d, c), 1.0) * nat.get("scale", 1.0))
    req = {(d, c): rnd(v * mult.get(("req", d, c), 1.0))
           for d, dom in sc["domains"].items() for c, v in dom.get("requirements", {}).items()}
    freq = {c: rnd(v * mult.get(("force", c), 1.0)) for c, v in sc.get("force", {}).get("requirements", {}).items()}
    days = sc.get("simulation", {}).get("timeline_days", [])

    def evaluate(day):
        ready = {nid: part[nid] and (day is None or nations[nid].get("ready_days", 0) <= day) for nid in nations}
        dom_cov = {}
        info = {}
        for d, dom in sc["domains"].items():
            def got(ms, c):
                return sum(a for (n, dd, cc), a in amt.items() if dd == d and cc == c and n in ms and ready[n])
            lead, present_any = None, False
            for i, members in enumerate(entries(dom)):
                present = any(ready[m] for m in members)
                present_any |= present
                ok = present and all(got(members, c) >= s * req[(d, c)] for c, s in dom.get("lead_provides", {}).items())
                if ok and lead is None:
                    lead = i
            met = {c: got(list(nations), c) >= req[(d, c)] for c in dom.get("requirements", {})}
            led = lead is not None or not entries(dom)
            dom_cov[d] = led and all(met.values())
            info[d] = (lead, present_any, met)
        tot = {}
        for (n, dd, c), a in amt.items():
            if ready[n]:
                tot[c] = tot.get(c, 0) + a
        fmet = {c: tot.get(c, 0) >= r for c, r in freq.items()}
        force = all(fmet.values())
        return dom_cov, info, force, fmet, tot

    dom_cov, info, force, fmet, tot = evaluate(None)
    allc = force and all(dom_cov.values())
    if allc:
        add("all", w)
    if force and "force" in sc:
        add(("force",), w)
    for c, ok in fmet.items():
        if ok:
            add(("force_met", c), w)
        add(("force_gap", c), w * max(0, freq[c] - tot.get(c, 0)))
    for d, dom in sc["domains"].items():
        lead, present_any, met = info[d]
        labels = ["+".join(m) for m in entries(dom)]
        if dom_cov[d]:
            add(("covered", d), w)
        if entries(dom) and lead is None:
            add(("short" if present_any else "nocand", d), w)
        if lead is not None:
            add(("lead", d, labels[lead]), w)
        for c, ok in met.items():
            if ok:
                add(("met", d, c), w)
    for nid in nations:
        if part[nid]:
            add(("in", nid), w)
    for c in sc.get("capabilities", {}):
        add(("total", c), w * tot.get(c, 0))
    for k, day in enumerate(days):
        dc, _, fk, _, _ = evaluate(day)
        if fk and all(dc.values()):
            add(("tl_all", k), w)
        if fk and "force" in sc:
            add(("tl_force", k), w)
        for d, ok in dc.items():
            if ok:
                add(("tl", d, k), w)


def check(path, trials, seed):
    with open(path, "rb") as f:
        sc = tomllib.load(f)
    ex = exact(sc)
    mc = ref.simulate(sc, trials, seed)
    pm = ex.get("mounted", 0.0)
    m = mc["mounted_trials"]
    rows = []

    def prop(name, got, p, k):
        if k == 0:
            rows.append((name, 0.0 if got is None else math.inf, got, None))
            return
        if p in (0.0, 1.0) or abs(p) < 1e-15 or abs(p - 1) < 1e-15:
            rows.append((name, 0.0 if abs(got - p) < 1e-12 else math.inf, got, p))
            return
        rows.append((name, (got - p) / math.sqrt(p * (1 - p) / k), got, p))

    c = lambda key: ex.get(key, 0.0) / pm if pm else None
    prop("p_mounted", mc["p_mounted"], pm, trials)
    prop("p_all_covered", mc["p_all_covered"], c("all"), m)
    prop("p_all_covered_overall", mc["p_all_covered_overall"], ex.get("all", 0.0), trials)
    for cid in sc.get("conditions", {}):
        prop(f"cond.{cid}", mc["conditions"][cid]["p_true"], ex.get(("cond", cid), 0.0), trials)
    for d, dom in sc["domains"].items():
        f = mc["domains"][d]
        prop(f"{d}.p_covered", f["p_covered"], c(("covered", d)), m)
        prop(f"{d}.p_lead_short", f["p_lead_short"], c(("short", d)), m)
        prop(f"{d}.p_no_lead_candidate", f["p_no_lead_candidate"], c(("nocand", d)), m)
        for label, s in f["lead_share"].items():
            prop(f"{d}.lead_share.{label}", s, c(("lead", d, label)), m)
        for cap in dom.get("requirements", {}):
            prop(f"{d}.{cap}.p_met", f["capabilities"][cap]["p_met"], c(("met", d, cap)), m)
    if "force" in sc:
        prop("force.p_covered", mc["force"]["p_covered"], c(("force",)), m)
        for cap in sc["force"]["requirements"]:
            prop(f"force.{cap}.p_met", mc["force"]["capabilities"][cap]["p_met"], c(("force_met", cap)), m)
            g = mc["force"]["capabilities"][cap]
            if m:
                sd = g["gap_sd"] or 1e-12
                rows.append((f"force.{cap}.gap.mean", (g["gap_mean"] - c(("force_gap", cap))) / (sd / math.sqrt(m)),
                             g["gap_mean"], c(("force_gap", cap))))
    for nid in sc["nations"]:
        prop(f"{nid}.p_participates", mc["nations"][nid]["p_participates"], c(("in", nid)), m)
    for cap in sc.get("capabilities", {}):
        t = mc["totals"][cap]
        if m:
            sd = t["sd"] or 1e-12
            rows.append((f"totals.{cap}.mean", (t["mean"] - c(("total", cap))) / (sd / math.sqrt(m)), t["mean"], c(("total", cap))))
    for k, day in enumerate(sc.get("simulation", {}).get("timeline_days", [])):
        tl = mc["timeline"]
        prop(f"timeline.all.day{day}", tl["p_all_covered"][k], c(("tl_all", k)), m)
        if "force" in sc:
            prop(f"timeline.force.day{day}", tl["force"][k], c(("tl_force", k)), m)
        for d in sc["domains"]:
            prop(f"timeline.{d}.day{day}", tl["domains"][d][k], c(("tl", d, k)), m)
    worst = max(abs(z) for _, z, _, _ in rows)
    for name, z, got, p in rows:
        flag = " <--" if abs(z) > 4.5 else ""
        print(f"  {name:36s} mc={got!s:22.22s} exact={p!s:22.22s} z={z:+.2f}{flag}")
    print(f"{path}: {len(rows)} figures, largest {worst:.2f} se")
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenarios", nargs="+")
    ap.add_argument("-n", "--trials", type=int, default=400_000)
    ap.add_argument("--seed", type=int, default=3)
    a = ap.parse_args()
    bad = [p for p in a.scenarios if check(p, a.trials, a.seed) > 4.5]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
