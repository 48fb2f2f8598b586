#!/usr/bin/env python3
"""Writes a synthetic spec with N error entries, for compile-time measurements.

usage: gen-spec.py N OUT.toml

Entries spread over 8 statuses and N/4 `error` strings; a third have no placeholder, a
third one, a third two (one of them a u64), like the real catalog.
"""
import sys

n, out = int(sys.argv[1]), sys.argv[2]
statuses = [400, 401, 403, 404, 409, 413, 429, 500]
lines = ['[api]', 'name = "BigError"', '']
for s in statuses:
    lines += [f'[status.{s}]', f'name = "Status {s}"', 'meaning = "m"', 'meaning_zh = "含义"', 'retry = "never"', '']
codes = max(1, n // 4)
for i in range(n):
    status = statuses[i % len(statuses)]
    code = f"error_code_{i % codes}"
    kind = i % 3
    if kind == 0:
        desc = f"fixed description number {i}"
    elif kind == 1:
        desc = f"entity {{name}} number {i} does not exist"
    else:
        desc = f"entity {{name}} in group {{group_id:u64}} failed check {i}"
    lines += [
        '[[errors]]', f'variant = "Error{i}"', f'status = {status}', f'error = "{code}"',
        f'description = "{desc}"', f'cause = "Cause of error {i}."', 'cause_zh = "原因。"',
        f'remedy = "Remedy of error {i}."', 'remedy_zh = "处理。"', '',
    ]
open(out, "w").write("\n".join(lines))
