#!/usr/bin/env python3
"""Writes a scenario of 2,000 tracked (domain, capability) pairs whose values all fall
in a modest range (0 to 100,000): every histogram expects that range, more than a
tally's budget of fine bins can grant, so most keep their bins in pages and groups.
Usage: python3 benches/modest_ranges.py > /tmp/modest.toml"""

out = ['[scenario]\nname = "Modest ranges"\n[capabilities]']
out += [f'c{c} = {{ unit = "u" }}' for c in range(1000)]
for d in range(1000):
    a, b = d % 1000, (d + 500) % 1000
    out.append(f"[domains.d{d}]\nrequirements = {{ c{a} = {{ uniform = [0, 100000] }}, "
               f"c{b} = {{ uniform = [0, 100000] }} }}")
for n in range(2000):
    d = n % 1000
    c = d if n % 2 == 0 else (d + 500) % 1000
    out.append(f"[nations.N{n}]\nparticipation = 0.7\n"
               f"contributions.d{d}.c{c} = {{ uniform = [0, 100000] }}")
print("\n".join(out))
