//! Unclosed `{`, empty `{}`, names that are not field names, unknown types.

easemob_errors::include_errors!("tests/ui/specs/placeholder_syntax.toml");

fn main() {}
