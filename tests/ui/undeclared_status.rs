//! An entry whose status the spec does not declare.

easemob_errors::include_errors!("tests/ui/specs/undeclared_status.toml");

fn main() {}
