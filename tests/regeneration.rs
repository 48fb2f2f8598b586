//! Editing a spec and running a plain `cargo build` regenerates the enum: the expansion
//! makes cargo track the spec. The macro crate is not rebuilt by a spec edit, and a
//! build with no change rebuilds nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Fixture {
    dir: PathBuf,
    target: PathBuf,
}

impl Fixture {
    /// Copies `tests/fixtures/regen`, `tests/specs/shop.toml` and two example specs into a
    /// fresh temp dir.
    fn new() -> Fixture {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = std::env::temp_dir().join(format!("easemob-regen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("spec")).unwrap();
        let manifest = std::fs::read_to_string(root.join("tests/fixtures/regen/Cargo.toml.in"))
            .unwrap()
            .replace("@EASEMOB_ERRORS@", &root.join("easemob-errors").display().to_string());
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        std::fs::copy(root.join("tests/fixtures/regen/src/main.rs"), dir.join("src/main.rs")).unwrap();
        std::fs::copy(root.join("tests/specs/shop.toml"), dir.join("spec/api.toml")).unwrap();
        std::fs::create_dir_all(dir.join("specs")).unwrap();
        for api in ["wechat", "slack"] {
            let spec = format!("spec/examples/{api}.toml");
            std::fs::copy(root.join(&spec), dir.join(format!("specs/{api}.toml"))).unwrap();
        }
        // Same versions as the workspace, and no registry access needed.
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
        // Kept between runs (inside the workspace's target dir) so dependencies build once.
        let target = std::env::current_exe().unwrap().ancestors().nth(3).unwrap().join("regen-fixture");
        Fixture { dir, target }
    }

    /// `cargo build`; returns what cargo printed.
    fn build(&self) -> String {
        let out = Command::new(env!("CARGO"))
            .args(["build", "--offline", "--verbose", "--color", "never"])
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("CARGO_TERM_QUIET")
            .current_dir(&self.dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "cargo build failed:\n{stderr}");
        stderr
    }

    fn run(&self) -> String {
        let exe = self.target.join("debug").join(format!("regen-fixture{}", std::env::consts::EXE_SUFFIX));
        let out = Command::new(exe).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    }

    fn edit_spec(&self, edit: impl FnOnce(String) -> String) {
        let path = self.dir.join("spec/api.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, edit(text)).unwrap();
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The crates cargo compiled in a build, from its `-v` output (`Running ... --crate-name X`).
fn compiled(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.trim_start().starts_with("Running `") && l.contains("--crate-name"))
        .filter_map(|l| l.split("--crate-name ").nth(1)?.split_whitespace().next().map(str::to_owned))
        .filter(|name| name != "build_script_build")
        .collect()
}

#[test]
fn spec_edits_regenerate_without_clean_and_nothing_else_rebuilds() {
    let fixture = Fixture::new();
    fixture.build();
    let before = fixture.run();
    assert!(before.contains("CartLocked 409 cart_locked"), "{before}");
    assert!(!before.contains("CouponExpired"), "{before}");
    // Several enums, each in its own module, in a crate that depends only on easemob-errors.
    assert!(before.contains("wechat Some(\"InvalidCredential\")"), "{before}");
    assert!(before.contains("slack Some(\"ChannelNotFound\")"), "{before}");

    fixture.edit_spec(|spec| {
        spec.replace("error = \"cart_locked\"", "error = \"cart_busy\"")
            + "\n[[errors]]\nvariant = \"CouponExpired\"\nstatus = 400\nerror = \"coupon_expired\"\n\
               description = \"the coupon has expired\"\ncause = \"c\"\ncause_zh = \"c\"\nremedy = \"r\"\nremedy_zh = \"r\"\n"
    });
    let log = fixture.build();
    assert_eq!(compiled(&log), ["regen_fixture"], "only the crate that includes the spec rebuilds:\n{log}");
    let after = fixture.run();
    assert!(after.contains("CartLocked 409 cart_busy"), "{after}");
    assert!(after.contains("CouponExpired 400 coupon_expired"), "{after}");

    let log = fixture.build();
    assert!(compiled(&log).is_empty(), "a build with no change rebuilds nothing:\n{log}");
}
