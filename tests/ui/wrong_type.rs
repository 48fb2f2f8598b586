//! Values of the wrong type.

easemob_errors::include_errors!("tests/ui/specs/wrong_type.toml");

fn main() {}
