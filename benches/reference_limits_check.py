#!/usr/bin/env python3
"""Checks benches/numpy_reference.py and benches/numba_reference.py at values near
forcesim's limits (src/limits.rs), where int64 arithmetic and value-sized histograms
break, against figures computed exactly here in Python integers:

* a pool cut of amounts up to 10^12 (v × T up to about 10^24, beyond int64), with
  a requirement met by the cut amount exactly and one missed by one;
* `lead_provides` shares with 7 and with 19 decimals (forcesim keeps 18, rounded up),
  an entry that gives exactly its need and one that gives one less;
* totals far above 2^22 (and 10^8): their quantiles must be the exact values, and
  computing them must not take memory in proportion to the values.

    python3 benches/reference_limits_check.py [-n TRIALS] [--seed S] [--only numpy|numba]

Probabilities and quantiles must be equal, means (sums over trials in floating
point) equal to 1e-12 relatively. Numba is checked when it is installed (it says
so when it is not). Exit status 1 when a figure differs."""
import argparse
import math
import os
import sys
import tomllib
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

AMOUNTS = [1_000_000_000_000, 999_999_999_999, 777_777_777_777]
POOL, ROTATION = 999_999_999_999, 3
HQ_SHARE, HQ_REQ, HQ_GIVES = 0.1234567, 10_000_000, 1_234_567
FINE_SHARE, FINE_REQ = 0.0012345678901234567, 1_000_000_000_000
JETS_A, JETS_B, P_A, P_B = 300_000_000_000, 5_000_000, 0.7, 0.4


def need(share, req):
    """The least whole x ≥ share × req, the share as its shortest decimal form,
    kept to 18 decimals and rounded up beyond (forcesim's rule), in integers."""
    text = format(Decimal(repr(share)), "f")
    whole, _, frac = text.partition(".")
    kept = frac[:18]
    num = int(whole + kept) + (1 if frac[18:].strip("0") else 0)
    return -(-num * req // 10 ** len(kept))


def cut():
    d = sum(AMOUNTS)
    t = POOL // ROTATION
    return [v * t // d for v in AMOUNTS]


FINE_NEED = need(FINE_SHARE, FINE_REQ)
KEPT = cut()

SCENARIO = f"""
[scenario]
name = "values at the limits"
[capabilities]
troops = {{ unit = "personnel" }}
staff = {{ unit = "officers" }}
jets = {{ unit = "aircraft" }}
[domains.a]
requirements = {{ troops = {KEPT[0]} }}
[domains.b]
requirements = {{ troops = {KEPT[1] + 1} }}
[domains.c]
requirements = {{ troops = 1 }}
[domains.hq]
lead = ["L"]
lead_provides = {{ staff = {HQ_SHARE!r} }}
requirements = {{ staff = {HQ_REQ} }}
[domains.fine]
lead = ["K", "L"]
lead_provides = {{ staff = {FINE_SHARE!r} }}
requirements = {{ staff = {FINE_REQ} }}
[domains.air]
requirements = {{ jets = 1 }}
[nations.N]
participation = 1.0
rotation = {ROTATION}
pool = {{ troops = {POOL} }}
contributions.a.troops = {AMOUNTS[0]}
contributions.b.troops = {AMOUNTS[1]}
contributions.c.troops = {AMOUNTS[2]}
[nations.L]
participation = 1.0
contributions.hq.staff = {HQ_GIVES}
contributions.fine.staff = {FINE_NEED}
[nations.K]
participation = 1.0
contributions.fine.staff = {FINE_NEED - 1}
[nations.A]
participation = {P_A}
contributions.air.jets = {JETS_A}
[nations.B]
participation = {P_B}
contributions.air.jets = {JETS_B}
"""


def expected():
    """Figures that hold in every trial (exact), and the jets quantiles (exact as
    long as the empirical shares stay clear of their boundaries)."""
    troops = sum(KEPT)
    staff = HQ_GIVES + 2 * FINE_NEED - 1
    assert HQ_GIVES == need(HQ_SHARE, HQ_REQ)
    jets_q = {5: 0, 25: JETS_B, 50: JETS_A, 75: JETS_A + JETS_B, 95: JETS_A + JETS_B}
    return {
        "domains.a.p_covered": 1.0,
        "domains.b.p_covered": 0.0,
        "domains.hq.lead_share.L": 1.0,
        "domains.fine.lead_share.K": 0.0,
        "domains.fine.lead_share.L": 1.0,
        "nations.N.pools.troops.p_binds": 1.0,
        "nations.N.pools.troops.cut_mean": float(sum(AMOUNTS) - troops),
        "totals.troops.committed_mean": float(troops * ROTATION),
        **{f"totals.troops.p{p:02d}": troops for p in (5, 25, 50, 75, 95)},
        **{f"totals.staff.p{p:02d}": staff for p in (5, 25, 50, 75, 95)},
        "totals.troops.mean": float(troops),
        "totals.staff.mean": float(staff),
        **{f"totals.jets.p{p:02d}": v for p, v in jets_q.items()},
    }


def figure(out, key):
    parts = key.split(".")
    x = out
    for p in parts[:-1]:
        x = x[p]
    return x[parts[-1]]


def check(name, out):
    bad = 0
    for key, want in expected().items():
        got = figure(out, key)
        # Means are sums over trials in floating point: equal to 1e-12, relatively.
        ok = got == want or (isinstance(want, float) and abs(got - want) <= 1e-12 * abs(want))
        bad += not ok
        print(f"  {name:6s} {key:40s} {got!s:>16} {'' if ok else f'<-- exact: {want}'}")
    # The jets' mean, within Monte Carlo error.
    m = out["mounted_trials"]
    mean = P_A * JETS_A + P_B * JETS_B
    sd = math.sqrt(P_A * (1 - P_A) * JETS_A ** 2 + P_B * (1 - P_B) * JETS_B ** 2)
    z = (out["totals"]["jets"]["mean"] - mean) / (sd / math.sqrt(m))
    print(f"  {name:6s} {'totals.jets.mean':40s} z={z:+.2f}")
    bad += abs(z) > 5
    print(f"{name}: {'every figure exact' if not bad else f'{bad} figure(s) differ'}")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--trials", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", choices=["numpy", "numba"])
    ap.add_argument("--write", help="write the scenario to this path and exit")
    a = ap.parse_args()
    if a.write:
        with open(a.write, "w") as f:
            f.write(SCENARIO)
        return
    sc = tomllib.loads(SCENARIO)
    bad = 0
    if a.only != "numba":
        import numpy_reference
        bad += check("numpy", numpy_reference.simulate(sc, a.trials, a.seed))
    if a.only != "numpy":
        try:
            import numba_reference
        except ImportError as e:
            print(f"numba: not checked ({e})")
            if a.only == "numba":
                bad += 1
        else:
            bad += check("numba", numba_reference.simulate(sc, a.trials, a.seed))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
