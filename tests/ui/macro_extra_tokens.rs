//! Tokens after the path.

easemob_errors::include_errors!("tests/ui/specs/skeleton_no_cascade.toml", extra);

fn main() {}
