//! Variant names that are not identifiers, keywords, or reserved.

easemob_errors::include_errors!("tests/ui/specs/bad_variant_name.toml");

fn main() {}
