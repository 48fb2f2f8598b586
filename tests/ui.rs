//! The compile-time contract: every spec mistake is a precise compile error.
//!
//! Each `tests/ui/<case>.rs` includes `tests/ui/specs/<case>.toml`; its expected compiler
//! output is `tests/ui/<case>.stderr`. The output depends on the compiler version, which
//! `rust-toolchain.toml` pins. To refresh the `.stderr` files after a deliberate change:
//! `TRYBUILD=overwrite cargo test --test ui`, then review the diff.

use std::path::{Path, PathBuf};

/// trybuild compiles each case in `<target>/tests/trybuild/<crate>/`, which is the
/// `CARGO_MANIFEST_DIR` the macro resolves spec paths against: copy the specs there so
/// the cases can name them as a user would, relative to their crate.
fn stage_specs() {
    let exe = std::env::current_exe().expect("test binary path");
    let target = exe.ancestors().nth(3).expect("<target>/debug/deps/<test>");
    let project = target.join("tests/trybuild/easemob-errors-tests");
    copy_dir(Path::new("tests/ui/specs"), &project.join("tests/ui/specs"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create spec dir");
    for entry in std::fs::read_dir(from).expect("read tests/ui/specs") {
        let entry = entry.expect("dir entry");
        let dest: PathBuf = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).expect("copy spec");
        }
    }
}

#[test]
fn ui() {
    stage_specs();
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
