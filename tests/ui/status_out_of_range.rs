//! Statuses outside 100–599.

easemob_errors::include_errors!("tests/ui/specs/status_out_of_range.toml");

fn main() {}
