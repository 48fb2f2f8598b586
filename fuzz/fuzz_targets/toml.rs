//! Any text: the spec reader's TOML parser accepts it exactly when the `toml` crate
//! does, with the same values, and never panics.
#![no_main]

#[path = "../../easemob-errors-impl/tests/support/toml_compare.rs"]
mod toml_compare;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        toml_compare::assert_agree(text);
    }
});
