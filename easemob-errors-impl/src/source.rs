//! Spec files as read from disk, and positions inside them.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// One spec file: the path as the user wrote it, where it resolved to, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as written in `include_errors!(...)` (or joined to it, for a directory
    /// or an `include`).
    pub display: String,
    /// The absolute path the file was read from.
    pub resolved: PathBuf,
    /// The file's text.
    pub text: String,
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl SourceFile {
    /// Creates a source file from its parts (for tests and tools that do not read disk).
    pub fn new(display: impl Into<String>, resolved: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self { display: display.into(), resolved: resolved.into(), text: text.into() }
    }

    /// The line and column of byte offset `at` (clamped to the text).
    pub fn line_col(&self, at: usize) -> LineCol {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &self.text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        LineCol { line: before.matches('\n').count() + 1, column: before[line_start..].chars().count() + 1 }
    }

    /// The text of the (1-based) line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        self.text.lines().nth(line.saturating_sub(1)).unwrap_or("")
    }
}

/// Reads the spec that `include_errors!(written)` names, resolved against `base` (the
/// invoking crate's `CARGO_MANIFEST_DIR`): one `.toml` file and the files its top-level
/// `include` list names, or a directory whose `*.toml` files are read in name order.
pub fn read_sources(written: &str, base: Option<&Path>) -> Result<Vec<SourceFile>, Diagnostic> {
    if written.trim().is_empty() {
        return Err(Diagnostic::global("the spec path is empty").with_help(
            "name a spec file relative to the crate's Cargo.toml, e.g. `include_errors!(\"spec/api.toml\")`",
        ));
    }
    let resolved = resolve(written, base);
    let mut files = read_path(written, &resolved)?;
    // Only the file `include_errors!` names may include others; the parse stage reports
    // an `include` anywhere else.
    if let (false, [root]) = (resolved.is_dir(), files.as_slice()) {
        let (dir, resolved_dir) = (parent_of(written), root.resolved.parent().map(Path::to_path_buf));
        for include in included_paths(&root.text) {
            let display = if dir.is_empty() { include.clone() } else { format!("{dir}/{include}") };
            let resolved = resolve(&include, resolved_dir.as_deref());
            let more = read_path(&display, &resolved).map_err(|d| {
                Diagnostic::global(format!("in `include` of `{written}`: {}", d.message))
                    .with_help("`include` paths are relative to the including file")
            })?;
            files.extend(more);
        }
    }
    Ok(files)
}

/// Resolves a path as written against `base`, unless it is absolute.
fn resolve(written: &str, base: Option<&Path>) -> PathBuf {
    match base {
        Some(base) if Path::new(written).is_relative() => base.join(written),
        _ => PathBuf::from(written),
    }
}

/// One file, or the `*.toml` files of a directory in name order.
fn read_path(display: &str, resolved: &Path) -> Result<Vec<SourceFile>, Diagnostic> {
    let meta = std::fs::metadata(resolved).map_err(|e| {
        Diagnostic::global(format!("cannot read spec `{display}`: {}", io_reason(&e)))
            .with_help("paths are relative to the invoking crate's directory (CARGO_MANIFEST_DIR)")
    })?;
    if !meta.is_dir() {
        return Ok(vec![read_file(display, resolved)?]);
    }
    let entries = std::fs::read_dir(resolved).map_err(|e| {
        Diagnostic::global(format!("cannot list spec directory `{display}`: {}", io_reason(&e)))
    })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml") && e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(Diagnostic::global(format!("spec directory `{display}` has no `.toml` files")));
    }
    let dir = display.trim_end_matches('/');
    names.iter().map(|name| read_file(&format!("{dir}/{name}"), &resolved.join(name))).collect()
}

fn read_file(display: &str, path: &Path) -> Result<SourceFile, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::global(format!("cannot read spec file `{display}`: {}", io_reason(&e))))?;
    String::from_utf8(bytes).map(|text| SourceFile::new(display, path, text)).map_err(|e| {
        let valid_up_to = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..valid_up_to]).into_owned();
        let at = SourceFile::new(display, path, valid).line_col(valid_up_to);
        Diagnostic::global(format!(
            "spec file `{display}` is not valid UTF-8: invalid byte at line {}, column {}",
            at.line, at.column
        ))
        .with_help("save the spec as UTF-8")
    })
}

/// The `include = [...]` list of a root spec file, read leniently: the parse stage
/// reports a malformed one. (The root file is parsed again there; it is a few hundred
/// lines, and keeping reading apart from parsing lets tools parse sources they hold.)
fn included_paths(text: &str) -> Vec<String> {
    let (table, _) = toml::de::DeTable::parse_recoverable(text);
    let Some(list) = table.get_ref().get("include").and_then(|v| v.get_ref().as_array()) else {
        return Vec::new();
    };
    list.iter().filter_map(|item| item.get_ref().as_str().map(str::to_owned)).collect()
}

fn parent_of(written: &str) -> String {
    Path::new(written).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
