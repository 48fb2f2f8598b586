#!/usr/bin/env bash
# A user's clean build: a new crate that depends on easemob-errors with default
# features, built with `cargo build` (dev profile) from an empty target directory.
# Prints each run and the median of RUNS (default 3), in seconds.
#
# The crate uses the workspace's lock file, so the versions are the ones CI tests, and
# builds offline (run `cargo fetch` once on a new machine).
#
# usage: [RUNS=3] scripts/clean-build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/user/src"
cat > "$work/user/Cargo.toml" <<TOML
[package]
name = "user-crate"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
easemob-errors = { path = "$root/easemob-errors" }

[workspace]
TOML
cat > "$work/user/src/main.rs" <<'RS'
fn main() {
    let body = br#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#;
    println!("{}", easemob_errors::EasemobError::from_response(429, body));
}
RS
cp "$root/Cargo.lock" "$work/user/"

times=()
for run in $(seq "$runs"); do
  rm -rf "$work/target"
  start=$(date +%s%N)
  (cd "$work/user" && CARGO_TARGET_DIR="$work/target" cargo build -q --offline)
  end=$(date +%s%N)
  t=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.2f", ns / 1e9 }')
  echo "run $run: $t s"
  times+=("$t")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "clean build (default features), median of $runs: $median s (budget <= 10 s)"
