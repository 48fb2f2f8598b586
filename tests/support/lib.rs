//! Helpers shared by the workspace tests: realistic Easemob error bodies, the rows of
//! the documented catalog, the `explain` example binary, and a `redis-server` of our own.

pub mod redis_server;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// One row of `tests/fixtures/official-errors.tsv`: a documented error body (realistic
/// values in place of the docs' placeholders) and the variant it lands on.
#[derive(Debug, Clone)]
pub struct Row {
    /// The fixture's line.
    pub line: usize,
    /// The HTTP status.
    pub status: u16,
    /// The body's `error`, if the docs show one.
    pub error: Option<String>,
    /// The body's `error_description`.
    pub description: String,
    /// The variant of the meaning it lands on.
    pub variant: String,
    /// The captured values, by field name.
    pub fields: serde_json::Value,
}

/// Every row of the documented catalog: the public tables and the seed.
pub fn official_rows() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/official-errors.tsv");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() >= 5, "line {}: {l:?}", i + 1);
            Row {
                line: i + 1,
                status: cols[0].parse().unwrap_or_else(|e| panic!("line {}: {e}", i + 1)),
                error: Some(cols[1].to_owned()).filter(|e| !e.is_empty()),
                description: cols[2].replace("\\n", "\n"),
                variant: cols[3].to_owned(),
                fields: serde_json::from_str(cols[4]).unwrap_or_else(|e| panic!("line {}: {e}", i + 1)),
            }
        })
        .collect()
}

/// The captured values of `e` as a JSON object, as the fixture writes them.
pub fn fields_json(e: &easemob_errors::EasemobError) -> serde_json::Value {
    use easemob_errors::FieldValue;
    let map: serde_json::Map<String, serde_json::Value> = e
        .fields()
        .map(|(k, v)| {
            let v = match v {
                FieldValue::U64(n) => serde_json::Value::from(n),
                FieldValue::List(items) => serde_json::Value::from(items.to_vec()),
                other => serde_json::Value::from(other.to_string()),
            };
            (k.to_owned(), v)
        })
        .collect();
    serde_json::Value::Object(map)
}

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
