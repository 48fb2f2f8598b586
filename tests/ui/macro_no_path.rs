//! No argument.

easemob_errors::include_errors!();

fn main() {}
