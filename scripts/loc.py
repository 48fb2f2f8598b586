#!/usr/bin/env python3
"""Lines of code of the macro's stages and the runtime's catalog support.

What the budget of the issue "A core a newcomer can read" counts: the `.rs` files of
`easemob-errors-impl/src` and `easemob-errors/src`, the retry engine and the HTTP
integrations aside; lines that are neither blank nor only a comment, outside each
file's `#[cfg(test)] mod`. Prints each file's count, largest first, then the total.

    python3 scripts/loc.py
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The retry engine and the HTTP integrations are not the catalog's support.
NOT_COUNTED = {"http.rs", "reqwest.rs", "middleware.rs", "limiter.rs", "token.rs"}


def files():
    yield from sorted((ROOT / "easemob-errors-impl/src").glob("*.rs"))
    for path in sorted((ROOT / "easemob-errors/src").glob("*.rs")):
        if path.name not in NOT_COUNTED:
            yield path


def count(path):
    n, depth, test_mod_depth, cfg_test, in_block = 0, 0, None, False, False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if test_mod_depth is not None:
            depth += line.count("{") - line.count("}")
            if depth <= test_mod_depth:
                test_mod_depth = None
            continue
        if line.startswith("#[cfg(test)]"):
            cfg_test = True
            continue
        if cfg_test and re.match(r"(pub(\(\w+\))? )?mod \w+\s*\{", line):
            test_mod_depth = depth
            depth += line.count("{") - line.count("}")
            cfg_test = False
            continue
        cfg_test = False
        if in_block:
            in_block = "*/" not in line
            continue
        if line.startswith("/*"):
            in_block = "*/" not in line
            continue
        if not line or line.startswith("//"):
            continue
        depth += line.count("{") - line.count("}")
        n += 1
    return n


def main():
    counts = sorted(((count(p), p.relative_to(ROOT)) for p in files()), reverse=True)
    for n, path in counts:
        print(f"{n:5} {path}")
    print(f"{sum(n for n, _ in counts):5} total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
