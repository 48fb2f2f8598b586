//! Unknown retry policies, with the closest valid one.

easemob_errors::include_errors!("tests/ui/specs/unknown_retry_policy.toml");

fn main() {}
