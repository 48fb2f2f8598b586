//! A spec directory without `.toml` files.

easemob_errors::include_errors!("tests/ui/specs/empty_dir");

fn main() {}
