//! Two entries that match the same (status, error, description).

easemob_errors::include_errors!("tests/ui/specs/duplicate_match.toml");

fn main() {}
