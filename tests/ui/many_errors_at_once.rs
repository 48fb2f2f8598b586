//! Every broken entry is reported in one go.

easemob_errors::include_errors!("tests/ui/specs/many_errors_at_once.toml");

fn main() {}
