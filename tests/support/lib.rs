//! Helpers shared by the workspace tests: realistic Easemob error bodies, and the
//! `explain` example binary.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A JSON string literal for `s`.
pub fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The same error as several realistic bodies: the full server shape, other field orders,
/// extra and nested fields, no `exception`, the OAuth endpoint's two-field shape, and
/// pretty-printed. `error: None` leaves the `error` field out.
pub fn bodies(error: Option<&str>, description: &str) -> Vec<Vec<u8>> {
    let e = error.map(|e| format!("\"error\":{},", json_str(e))).unwrap_or_default();
    let d = json_str(description);
    let exc = "\"exception\":\"org.apache.usergrid.rest.exceptions.SomeException\",";
    vec![
        format!("{{{e}{exc}\"timestamp\":1542350000000,\"duration\":0,\"error_description\":{d}}}"),
        format!("{{\"error_description\":{d},\"duration\":12,{exc}{}\"timestamp\":1542350000000}}", e),
        format!("{{\"timestamp\":1542350000000,{e}\"error_description\":{d},\"extra\":{{\"a\":[1,2,{{\"b\":null}}],\"c\":\"\\\"}}\"}}}}"),
        format!("{{{e}\"error_description\":{d}}}"),
        format!("{{\n  {}\n  \"error_description\" : {d} ,\n  \"duration\" : 0\n}}\n", e.replace("\":", "\" : ")),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect()
}

/// The `explain` example as built by `cargo test` (which builds examples), beside the
/// test binaries in the target directory.
pub fn explain_path() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let debug_dir = exe.parent().and_then(|deps| deps.parent()).map(PathBuf::from).unwrap_or_default();
    debug_dir.join("examples").join(format!("explain{}", std::env::consts::EXE_SUFFIX))
}

/// Runs `explain` with `args`, feeding `stdin`.
pub fn explain(args: &[&str], stdin: &[u8]) -> Output {
    let path = explain_path();
    assert!(
        path.exists(),
        "{} is missing: run `cargo test --workspace`, which builds the examples",
        path.display()
    );
    let mut child = Command::new(&path)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write as _;
        let _ = input.write_all(stdin);
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("explain did not finish: {e}"))
}
