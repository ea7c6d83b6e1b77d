#!/usr/bin/env python3
"""Writes a scenario at every documented limit at once (src/limits.rs): 10,000
nations, 1,000 domains, 1,000 capabilities, 2,000 tracked (domain, capability)
pairs, 10,000 conditions, 1,000 timeline days, 1,000 thresholds, values up to
10^12; and every part of force generation at its widest: a mission gate, an
effect on every requirement, co-lead entries with obligations on every domain,
a whole-force requirement on every capability, a pool on every nation, rotation
10 and ambition everywhere. Domain requirements, which the effect scales by up to
1.5, go up to 2/3 of the limit, so that they stay within it once scaled (a value
its scales can carry past the limit is a validation error).
Usage: python3 benches/limits_scenario.py > /tmp/limits.toml"""

N, D, C, CONDS, DAYS, MAXV = 10_000, 1_000, 1_000, 10_000, 1_000, 10**12
REQ = MAXV * 2 // 3  # × the effect's largest scale, 1.5: within MAXV
out = ['[scenario]\nname = "Every limit at once"\nrotation = 10\nambition = 0.5\n']
days = ", ".join(str(36 * (i + 1)) for i in range(DAYS))
out.append(f"[simulation]\ntrials = 1000\nseed = 1\ntimeline_days = [{days}]\n")
thr = ", ".join(str(MAXV // 1000 * (i + 1)) for i in range(1000))
out.append(f"[report]\nthresholds = {{ c0 = [{thr}] }}\n")
out.append("[capabilities]")
out += [f'c{c} = {{ unit = "units" }}' for c in range(C)]
out.append("")
out.append('[mission]\nrequires = ["k0"]\n')
out.append("[force]\nrequirements = { " + ", ".join(
    f"c{c} = {{ uniform = [0, {MAXV}] }}" for c in range(C)) + " }\n")
out.append('[[conditions.k1.effects]]\nwhen = false\nscale = { uniform = [0.5, 1.5] }\n'
           'targets = [' + ", ".join(f'"domains.d{d}.requirements"' for d in range(D)) + ']\n')
for k in range(CONDS):
    out.append(f"[conditions.k{k}]\nprobability = 0.5\n")
for d in range(D):
    # Two capabilities per domain: 2,000 tracked pairs, wide random requirements.
    a, b = d % C, (d + 500) % C
    out.append(f"[domains.d{d}]\nlead = [[\"N{d}\", \"N{d + D}\"], \"N{d + 2 * D}\"]\n"
               f"lead_provides = {{ c{a} = 0.4, c{b} = 0.4 }}\n"
               f"requirements = {{ c{a} = {{ uniform = [0, {REQ}] }}, c{b} = {{ uniform = [0, {REQ}] }} }}\n")
for n in range(N):
    d = n % D
    c = d % C if n % 2 == 0 else (d + 500) % C
    out.append(f"[nations.N{n}]\nparticipation = 0.5\n"
               f"ready_days = {{ uniform = [0, 36500] }}\n"
               f"pool = {{ c{c} = {{ uniform = [0, {MAXV}] }} }}\n"
               f"contributions.d{d}.c{c} = {{ uniform = [0, {MAXV}] }}\n")
print("\n".join(out))
