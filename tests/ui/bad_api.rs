//! The enum name must be UpperCamelCase.

easemob_errors::include_errors!("tests/ui/specs/bad_api.toml");

fn main() {}
