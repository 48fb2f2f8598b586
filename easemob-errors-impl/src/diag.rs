//! Diagnostics: what is wrong, where in which spec file, and how to fix it.

use std::fmt::{self, Write as _};
use std::ops::Range;

use crate::source::SourceFile;

/// One problem found in a spec, pointing into one of its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Index of the file in the list of sources the spec was read from;
    /// `None` for problems that belong to no file (e.g. the path itself).
    pub file: Option<usize>,
    /// Byte range in that file.
    pub span: Range<usize>,
    /// What is wrong, including the key and what was expected.
    pub message: String,
    /// An optional hint, e.g. `did you mean `variant`?`.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem at `span` of file `file`.
    pub fn new(file: usize, span: Range<usize>, message: impl Into<String>) -> Self {
        Self { file: Some(file), span, message: message.into(), help: None }
    }

    /// A problem with no position in any file.
    pub fn global(message: impl Into<String>) -> Self {
        Self { file: None, span: 0..0, message: message.into(), help: None }
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a "did you mean" hint when one of `candidates` is close to `got`.
    #[must_use]
    pub fn suggest<'a>(self, got: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        match closest(got, candidates) {
            Some(best) => self.with_help(format!("did you mean `{best}`?")),
            None => self,
        }
    }

    /// Renders the diagnostic as rustc and askama do:
    /// the message, `--> file:line:col`, the line with a caret, and the hint.
    pub fn render(&self, sources: &[SourceFile]) -> String {
        let mut out = self.message.clone();
        if let Some(file) = self.file.and_then(|i| sources.get(i)) {
            let start = file.line_col(self.span.start);
            let end = file.line_col(self.span.end.max(self.span.start));
            let line = file.line_text(start.line);
            let gutter = " ".repeat(start.line.to_string().len());
            let _ = write!(
                out,
                "\n{gutter}--> {}:{}:{}\n{gutter} |\n{} | {}\n{gutter} | {}{}",
                file.display,
                start.line,
                start.column,
                start.line,
                line,
                " ".repeat(start.column - 1),
                "^".repeat(if end.line == start.line {
                    end.column.saturating_sub(start.column).max(1)
                } else {
                    line.chars().count().saturating_sub(start.column - 1).max(1)
                }),
            );
            if let Some(help) = &self.help {
                let _ = write!(out, "\n{gutter} = help: {help}");
            }
        } else if let Some(help) = &self.help {
            let _ = write!(out, "\n  = help: {help}");
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The candidate closest to `got` by edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(got: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let got_lower = got.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&got_lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(got.chars().count()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance over characters where swapping two neighbours counts as one edit
/// (optimal string alignment), so `nmae` is one edit from `name`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        d[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        d[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[at(i - 1, j)] + 1).min(d[at(i, j - 1)] + 1).min(d[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[at(i - 2, j - 2)] + 1);
            }
            d[at(i, j)] = best;
        }
    }
    d[at(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["variant", "status", "description", "cause_zh"];
        assert_eq!(closest("varient", keys), Some("variant"));
        assert_eq!(closest("descripton", keys), Some("description"));
        assert_eq!(closest("colour", keys), None);
    }

    #[test]
    fn renders_file_line_column_and_caret() {
        let src = SourceFile::new("spec/a.toml", "/abs/spec/a.toml", "[api]\nnmae = \"X\"\n");
        let d = Diagnostic::new(0, 6..10, "unknown key `nmae` in [api]").suggest("nmae", ["name", "doc"]);
        let text = d.render(&[src]);
        assert!(text.contains("--> spec/a.toml:2:1"), "{text}");
        assert!(text.contains("2 | nmae = \"X\""), "{text}");
        assert!(text.contains("  | ^^^^"), "{text}");
        assert!(text.contains("did you mean `name`?"), "{text}");
    }
}
