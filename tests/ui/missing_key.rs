//! Missing required keys.

easemob_errors::include_errors!("tests/ui/specs/missing_key.toml");

fn main() {}
