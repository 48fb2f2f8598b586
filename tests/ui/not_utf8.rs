//! A spec that is not UTF-8: where the first bad byte is.

easemob_errors::include_errors!("tests/ui/specs/not_utf8.toml");

fn main() {}
