//! The spec file does not exist: the resolved path is named.

easemob_errors::include_errors!("tests/ui/specs/does_not_exist.toml");

fn main() {}
