//! Any text as a spec: the parse and validate stages give a model or errors, never a
//! panic; a valid model expands into a Rust file; any template parses or is rejected.
#![no_main]

use easemob_errors_impl::template::Template;
use easemob_errors_impl::{SourceFile, check, expand};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(t) = Template::parse(text) {
        let _ = t.captures(text);
        let _ = t.covers(&t);
    }
    match check(vec![SourceFile::new("fuzz.toml", "/fuzz/fuzz.toml", text)]) {
        Ok(model) => {
            let code = expand::expand(&model);
            if let Err(e) = syn::parse2::<syn::File>(code.clone()) {
                panic!("the expansion of an accepted spec does not parse: {e}\n{code}");
            }
        }
        Err(rejected) => assert!(!rejected.messages.is_empty()),
    }
});
