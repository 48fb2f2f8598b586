//! Adjacent placeholders; the same placeholder twice.

easemob_errors::include_errors!("tests/ui/specs/placeholder_ambiguous.toml");

fn main() {}
