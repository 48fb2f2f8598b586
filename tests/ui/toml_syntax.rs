//! A TOML syntax error: line and column of the parser's complaint.

easemob_errors::include_errors!("tests/ui/specs/toml_syntax.toml");

fn main() {}
