#!/usr/bin/env bash
# Compile-time cost of include_errors! for specs of 100, 1,000 and 10,000 entries:
# the macro's expansion time (stages in the dev profile, as users get the macro) and
# the build time of a crate that includes the spec (its dependencies built already).
#
# usage: scripts/compile-time.sh [SIZES...]     (default: 100 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000 10000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build -q -p easemob-errors-impl --example expand-time
mkdir -p "$work/crate/src"
cat > "$work/crate/Cargo.toml" <<TOML
[package]
name = "big-spec"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
easemob-errors = { path = "$root/easemob-errors" }

[workspace]
TOML
echo 'easemob_errors::include_errors!("spec.toml");' > "$work/crate/src/lib.rs"
cp Cargo.lock "$work/crate/"
python3 scripts/gen-spec.py 10 "$work/crate/spec.toml"
export CARGO_TARGET_DIR="$root/target/compile-time"
(cd "$work/crate" && cargo build -q --offline)   # dependencies, once

printf '%8s  %14s  %12s\n' entries expansion build
declare -A build
for n in "${sizes[@]}"; do
  python3 scripts/gen-spec.py "$n" "$work/spec-$n.toml"
  expand=$(./target/debug/examples/expand-time "$work/spec-$n.toml" 5 | cut -d' ' -f1)
  times=()
  for _ in 1 2 3; do
    cp "$work/spec-$n.toml" "$work/crate/spec.toml"
    touch "$work/crate/spec.toml"
    start=$(date +%s%N)
    (cd "$work/crate" && cargo build -q --offline)
    end=$(date +%s%N)
    times+=("$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  build[$n]=$median
  printf '%8s  %11s ms  %10.2f s\n' "$n" "$expand" "$median"
done
if [ -n "${build[1000]:-}" ] && [ -n "${build[10000]:-}" ]; then
  awk -v a="${build[10000]}" -v b="${build[1000]}" 'BEGIN { printf "build(10000) / build(1000) = %.1f\n", a / b }'
fi
