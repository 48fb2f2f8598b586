//! Unknown keys, with the closest valid key.

easemob_errors::include_errors!("tests/ui/specs/unknown_key.toml");

fn main() {}
