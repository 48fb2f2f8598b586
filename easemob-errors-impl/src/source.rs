//! Spec files as read from disk, and positions inside them.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// One spec file: the path as the user wrote it, where it resolved to, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as written in `include_errors!(...)` (or joined to it, for a directory).
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
    /// Creates a source file from its parts (used by tests and tools that do not read disk).
    pub fn new(display: impl Into<String>, resolved: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self { display: display.into(), resolved: resolved.into(), text: text.into() }
    }

    /// The line and column of byte offset `at` (clamped to the text).
    pub fn line_col(&self, at: usize) -> LineCol {
        let at = floor_char_boundary(&self.text, at);
        let before = self.text.get(..at).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        LineCol { line, column }
    }

    /// The text of the (1-based) line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        self.text.lines().nth(line.saturating_sub(1)).unwrap_or("")
    }

    /// The source text covered by `span`, if the span lies on char boundaries.
    pub fn slice(&self, span: &Range<usize>) -> Option<&str> {
        self.text.get(span.clone())
    }
}

/// The largest char boundary of `s` that is `<= at`.
pub(crate) fn floor_char_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// What `include_errors!("...")` names: one file, or a directory of `*.toml` files.
///
/// Relative paths are resolved against `base` (the invoking crate's `CARGO_MANIFEST_DIR`).
pub fn resolve(written: &str, base: Option<&Path>) -> PathBuf {
    let path = Path::new(written);
    match base {
        Some(base) if path.is_relative() => base.join(path),
        _ => path.to_path_buf(),
    }
}
