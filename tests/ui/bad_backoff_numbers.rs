//! Zero attempts; max delay below base delay.

easemob_errors::include_errors!("tests/ui/specs/bad_backoff_numbers.toml");

fn main() {}
