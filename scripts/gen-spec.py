#!/usr/bin/env python3
"""Writes a synthetic spec with N error entries, for compile-time measurements.

usage: gen-spec.py N OUT.toml

Entries spread over 8 statuses and N/4 `error` strings; a third have no placeholder, a
third one, a third two (one of them a u64), like the real catalog; each (status, `error`)
pair that needs one has a catch-all (an entry without description), counted in N.
"""
import sys

n, out = int(sys.argv[1]), sys.argv[2]
statuses = [400, 401, 403, 404, 409, 413, 429, 500]
lines = ['[api]', 'name = "BigError"', 'languages = ["en", "zh"]', '']
for s in statuses:
    lines += [f'[status.{s}]', f'name = "Status {s}"', 'meaning = "m"', 'meaning_zh = "含义"', 'retry = "never"', '']
codes = max(1, n // 4)


def entry(i, status, code, desc):
    out = ['[[errors]]', f'variant = "Error{i}"', f'status = {status}', f'error = "{code}"']
    if desc is not None:
        out.append(f'description = "{desc}"')
    return out + [f'cause = "Cause of error {i}."', 'cause_zh = "原因。"',
                  f'remedy = "Remedy of error {i}."', 'remedy_zh = "处理。"', '']


# Every (status, `error`) pair needs a catch-all unless its one entry has no placeholder:
# the pair's catch-all entries count towards N, so the spec has exactly N entries.
regular, pairs = [], {}
while len(regular) + sum(1 for v in pairs.values() if len(v) > 1 or v[0] != 0) < n:
    i = len(regular)
    pair = (statuses[i % len(statuses)], f"error_code_{i % codes}")
    regular.append((i, pair))
    pairs.setdefault(pair, []).append(i % 3)
catch_alls = {p for p, kinds in pairs.items() if len(kinds) > 1 or kinds[0] != 0}
next_index = len(regular)
for i, (status, code) in regular:
    kind = i % 3
    if kind == 0:
        desc = f"fixed description number {i}"
    elif kind == 1:
        desc = f"entity {{name}} number {i} does not exist"
    else:
        desc = f"entity {{name}} in group {{group_id:u64}} failed check {i}"
    lines += entry(i, status, code, desc)
for status, code in sorted(catch_alls):
    lines += entry(next_index, status, code, None)
    next_index += 1
open(out, "w").write("\n".join(lines))
