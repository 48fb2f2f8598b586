//! The catalog as Markdown, for `explain --catalog` and `CATALOG.md`.

use std::fmt::Write as _;

use crate::catalog::{CatalogEntry, StatusInfo};

/// Renders statuses and entries as Markdown tables (one row each), in the order given.
///
/// ```
/// use easemob_errors::{EasemobError, catalog_markdown};
/// let md = catalog_markdown(EasemobError::statuses(), EasemobError::catalog());
/// assert!(md.contains("| `ReachLimit` | 429 | `reach_limit` |"));
/// ```
pub fn catalog_markdown(statuses: &[StatusInfo], entries: &[CatalogEntry]) -> String {
    let mut out = String::new();
    out.push_str(
        "## Statuses\n\n| status | name | meaning | 含义 | retry | alert |\n|---|---|---|---|---|---|\n",
    );
    for s in statuses {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            s.status(),
            cell(s.name()),
            cell(s.meaning()),
            cell(s.meaning_zh().unwrap_or_default()),
            cell(&s.retry().to_string()),
            yes_no(s.should_alert())
        );
    }
    out.push_str(
        "\n## Errors\n\n| variant | status | `error` | description | cause | 原因 | remedy | 处理 | retry | alert |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    for e in entries {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            e.variant(),
            e.status(),
            e.code().map_or_else(|| "—".to_owned(), code),
            forms(e),
            cell(e.cause()),
            cell(e.cause_zh().unwrap_or_default()),
            cell(e.remedy()),
            cell(e.remedy_zh().unwrap_or_default()),
            cell(&e.retry().to_string()),
            yes_no(e.should_alert())
        );
    }
    out
}

/// The entry's forms for a table cell: its templates, and whether the server also
/// sends them without `error`.
fn forms(e: &CatalogEntry) -> String {
    let mut cell = e.templates().iter().map(|t| code(t.text())).collect::<Vec<_>>().join("<br>");
    if e.is_catch_all() {
        cell.push_str("(any other)");
    }
    if e.also_without_error() {
        cell.push_str("<br>(also without `error`)");
    }
    cell
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Text for a table cell: pipes escaped, newlines shown as `\n`.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "\\n")
}

/// Inline code for a table cell, fenced with enough backticks.
fn code(s: &str) -> String {
    let s = cell(s);
    if s.contains('`') { format!("`` {s} ``") } else { format!("`{s}`") }
}
