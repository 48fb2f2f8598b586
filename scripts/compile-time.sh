#!/usr/bin/env bash
# Compile-time cost of include_errors! for specs of 100, 1,000 and 10,000 entries:
# the macro's expansion time (stages in the dev profile, as users get the macro), the
# build time of a crate that includes the spec (its dependencies built already), and
# its rebuild after a one-entry edit.
#
# The expansion is timed two ways: warm, the median of 3 runs in one process (memory
# already mapped, as for a macro that runs again in a long-lived process), and cold, one
# run in a fresh process (every page the stages touch is new, as in a compiler that
# expands the spec once).
#
# usage: [ROUNDS=5] scripts/compile-time.sh [SIZES...]     (default: 100 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000 10000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build -q -p easemob-errors-impl --example expand-time
. scripts/big-crate.sh
big_crate "$work/crate" "$root"
python3 scripts/gen-spec.py 10 "$work/crate/spec.toml"
export CARGO_TARGET_DIR="$root/target/compile-time"
(cd "$work/crate" && cargo build -q --offline)   # dependencies, once

# Interleaved rounds (every size once per round), medians over the rounds: the VM's
# speed drifts by tens of percent from minute to minute, and this way the drift hits
# every size alike (ratios stay meaningful). Per size and round: the expansion (warm:
# median of 3 in one process; cold: one run in a fresh process), a clean build of the including crate (its dependencies built),
# and a rebuild after editing one entry's text (the everyday case; incremental).
rounds=${ROUNDS:-5}
declare -A expands colds builds edits
for n in "${sizes[@]}"; do
  python3 scripts/gen-spec.py "$n" "$work/spec-$n.toml"
done
timed_build() {
  local start end
  start=$(date +%s%N)
  (cd "$work/crate" && cargo build -q --offline)
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }'
}
for round in $(seq "$rounds"); do
  for n in "${sizes[@]}"; do
    expands[$n]+="$(./target/debug/examples/expand-time "$work/spec-$n.toml" 3 | cut -d' ' -f1) "
    colds[$n]+="$(./target/debug/examples/expand-time "$work/spec-$n.toml" 1 | cut -d' ' -f1) "
    cp "$work/spec-$n.toml" "$work/crate/spec.toml"
    (cd "$work/crate" && cargo clean -q -p big-spec)
    builds[$n]+="$(timed_build) "
    sed -i "s/^cause = \"Cause of error 0\.\"/cause = \"Cause of error 0 (edit $round).\"/" "$work/crate/spec.toml"
    edits[$n]+="$(timed_build) "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf 'medians of %s interleaved rounds\n' "$rounds"
printf '%8s  %21s  %12s  %14s\n' entries "expansion warm / cold" build "edit, rebuild"
declare -A build
for n in "${sizes[@]}"; do
  expand=$(echo "${expands[$n]}" | median)
  cold=$(echo "${colds[$n]}" | median)
  build[$n]=$(echo "${builds[$n]}" | median)
  printf '%8s  %9s / %6s ms  %10.2f s  %12.2f s\n' "$n" "$expand" "$cold" "${build[$n]}" "$(echo "${edits[$n]}" | median)"
done
if [ -n "${build[1000]:-}" ] && [ -n "${build[10000]:-}" ]; then
  awk -v a="${build[10000]}" -v b="${build[1000]}" 'BEGIN { printf "build(10000) / build(1000) = %.1f\n", a / b }'
fi
