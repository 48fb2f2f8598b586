//! An argument that is not a string literal.

easemob_errors::include_errors!(spec::path);

fn main() {}
