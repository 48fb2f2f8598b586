# Sourced by the compile-time scripts: `big_crate DIR SRC` writes, in DIR, a crate that
# only includes `spec.toml` with the easemob-errors of the checkout SRC (its lock file
# too). The spec itself is the caller's to put there.
big_crate() {
  local dir=$1 src=$2
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "big-spec"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
easemob-errors = { path = "$src/easemob-errors" }

[workspace]
TOML
  echo 'easemob_errors::include_errors!("spec.toml");' > "$dir/src/lib.rs"
  cp "$src/Cargo.lock" "$dir/"
}
