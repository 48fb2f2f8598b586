//! A template that can never match: an earlier one always wins.

easemob_errors::include_errors!("tests/ui/specs/shadowed_template.toml");

fn main() {}
