//! Two entries with the same variant name.

easemob_errors::include_errors!("tests/ui/specs/duplicate_variant.toml");

fn main() {}
