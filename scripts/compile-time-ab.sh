#!/usr/bin/env bash
# The build of a crate that includes an N-entry spec (default 10,000), side by side for
# two revisions of this repository: a clean build (dependencies built) and the rebuild
# after a one-entry edit, each revision once per round, interleaved. Also the macro's
# expansion time, warm (median of 3 in one process) and cold (one run in a fresh
# process), each revision timed by its own `expand-time` example. This VM's speed
# drifts by up to 2x within the hour, so comparing across time says little; comparing
# within a round does.
#
# usage: [ROUNDS=5] scripts/compile-time-ab.sh BASE_REV [NEW_REV] [N]
#        (NEW_REV defaults to the working tree)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
base_rev=${1:?usage: scripts/compile-time-ab.sh BASE_REV [NEW_REV] [N]}
new_rev=${2:-}
n=${3:-10000}
rounds=${ROUNDS:-5}
work=$(mktemp -d)
cleanup() {
  git -C "$root" worktree remove --force "$work/base-src" >/dev/null 2>&1 || true
  git -C "$root" worktree remove --force "$work/new-src" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

git worktree add -q --detach "$work/base-src" "$base_rev"
new_src=$root
if [ -n "$new_rev" ]; then
  git worktree add -q --detach "$work/new-src" "$new_rev"
  new_src=$work/new-src
fi
python3 scripts/gen-spec.py "$n" "$work/spec.toml"
. scripts/big-crate.sh

for v in base new; do
  src=$work/base-src
  [ "$v" = new ] && src=$new_src
  big_crate "$work/$v" "$src"
  cp "$work/spec.toml" "$work/$v/"
  (cd "$work/$v" && CARGO_TARGET_DIR="$work/$v/target" cargo build -q --offline) # dependencies, once
  (cd "$src" && CARGO_TARGET_DIR="$work/$v/target" cargo build -q -p easemob-errors-impl --example expand-time)
  cp "$work/$v/target/debug/examples/expand-time" "$work/$v-expand"
done

timed_build() {
  local start end
  start=$(date +%s%N)
  (cd "$work/$1" && CARGO_TARGET_DIR="$work/$1/target" cargo build -q --offline)
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.2f", ns / 1e9 }'
}
declare -A clean edit warm cold
for round in $(seq "$rounds"); do
  for v in base new; do
    warm[$v]+="$("$work/$v-expand" "$work/spec.toml" 3 | cut -d' ' -f1) "
    cold[$v]+="$("$work/$v-expand" "$work/spec.toml" 1 | cut -d' ' -f1) "
    (cd "$work/$v" && CARGO_TARGET_DIR="$work/$v/target" cargo clean -q -p big-spec)
    clean[$v]+="$(timed_build "$v") "
    sed -i "s/^cause = \"Cause of error 0.*\"/cause = \"Cause of error 0 (edit $round).\"/" "$work/$v/spec.toml"
    edit[$v]+="$(timed_build "$v") "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '%s entries, %s interleaved rounds (seconds; each round: base, then new)\n' "$n" "$rounds"
printf '%-5s %-40s %8s %8s %12s %12s\n' "" "" "clean" "edit" "expand warm" "expand cold"
for v in base new; do
  label=$base_rev
  [ "$v" = new ] && label=${new_rev:-working tree}
  printf '%-5s %-40s %8s %8s %9s ms %9s ms\n' "$v" "$label" \
    "$(echo "${clean[$v]}" | median)" "$(echo "${edit[$v]}" | median)" \
    "$(echo "${warm[$v]}" | median)" "$(echo "${cold[$v]}" | median)"
  printf '      clean: %s; edit: %s\n      warm: %s; cold: %s\n' \
    "${clean[$v]% }" "${edit[$v]% }" "${warm[$v]% }" "${cold[$v]% }"
done
