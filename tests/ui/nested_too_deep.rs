//! A spec nested past the TOML parser's limit is an ordinary error, not a crash.

easemob_errors::include_errors!("tests/ui/specs/nested_too_deep.toml");

fn main() {}
