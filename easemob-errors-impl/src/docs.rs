//! The documentation the expansion carries, as Markdown: the enum's page reads as the
//! catalog (its statuses and entries as tables), and each variant says its status,
//! `error`, accepted text, cause, remedy and retry policy.

use std::fmt::Write as _;

use crate::spec::Policy;
use crate::validate::{EntryModel, Model};

/// The enum's doc: the spec's own text, how to use the type, and the catalog as tables.
pub fn enum_doc(model: &Model) -> String {
    let mut doc = model
        .doc
        .clone()
        .unwrap_or_else(|| "The errors of this API, generated from its spec by `include_errors!`.".into());
    doc.push_str(
        "\n\nBuild one with `from_response(status, body)`; match on the variants, or ask it for \
         `status()`, `code()`, `description()`, `cause()`, `retry()` and `should_alert()`.\n\n\
         Each variant is one meaning and lists the descriptions it accepts; letter case, quotes, \
         whitespace runs and a closing `.`, `!` or `。` do not count when matching them. Every \
         variant keeps the server's words in its field `text` (skip it with `..` in patterns).\n",
    );
    if !model.statuses.is_empty() {
        doc.push_str("\n# Statuses\n\n| status | meaning | retry | alert |\n|---|---|---|---|\n");
        for s in &model.statuses {
            let alert = yes_no(s.alert);
            let _ = writeln!(
                doc,
                "| {} {} | {} | {} | {alert} |",
                s.status,
                cell(&s.name),
                cell(s.meanings.first().map_or("", String::as_str)),
                policy(s.retry)
            );
        }
    }
    if !model.entries.is_empty() {
        doc.push_str(
            "\n# Catalog\n\n| variant | status | `error` | description | retry |\n|---|---|---|---|---|\n",
        );
        for e in &model.entries {
            let _ = writeln!(
                doc,
                "| [`{v}`](Self::{v}) | {} | {} | {} | {} |",
                e.status,
                cell(&code(e)),
                cell(&forms_summary(e)),
                policy(e.retry),
                v = e.variant,
            );
        }
    }
    doc
}

/// A variant's doc: what the server sends (every form it accepts), why, and what to do.
pub fn variant_doc(e: &EntryModel, languages: &[String]) -> String {
    let mut doc = format!("**{} {}**\n\nAccepts:\n", e.status, code(e));
    for t in &e.templates {
        let more = if e.prefix { " (and whatever follows)" } else { "" };
        let _ = writeln!(doc, "- {}{more}", code_span(&t.text));
    }
    if e.without_error {
        doc.push_str("- the same descriptions in a body without `error`\n");
    }
    if e.is_catch_all() {
        doc.push_str("- any description with this status and `error` that no other entry matches\n");
    } else if e.takes_any {
        doc.push_str("- any other description with this status and `error` (its only meaning)\n");
    }
    doc.push('\n');
    for (i, lang) in languages.iter().enumerate() {
        let (cause, remedy) = labels(lang);
        let (c, r) =
            (e.causes.get(i).map_or("", String::as_str), e.remedies.get(i).map_or("", String::as_str));
        let _ = write!(doc, "**{cause}:** {c}\n\n**{remedy}:** {r}\n\n");
    }
    let _ = write!(doc, "**Retry:** {}. **Alert:** {}.", policy(e.retry), yes_no(e.alert));
    doc
}

/// The catalog table's description cell: the first form, and how many more.
fn forms_summary(e: &EntryModel) -> String {
    match e.templates.split_first() {
        None => "(any other)".to_owned(),
        Some((first, [])) => code_span(&first.text),
        Some((first, rest)) => format!("{} (+{} more)", code_span(&first.text), rest.len()),
    }
}

/// The headings of a cause and a remedy in `lang`.
fn labels(lang: &str) -> (String, String) {
    match lang {
        "en" => ("Cause".into(), "Remedy".into()),
        "zh" => ("原因".into(), "处理".into()),
        other => (format!("Cause ({other})"), format!("Remedy ({other})")),
    }
}

/// A retry policy in words.
fn policy(p: Policy) -> String {
    match p {
        Policy::Never => "never".into(),
        Policy::RefreshToken => "refresh the app token, then retry once".into(),
        Policy::SplitBody => "split the body into smaller ones, then retry".into(),
        Policy::Backoff(b) => {
            format!(
                "backoff: up to {} attempts, {} ms base delay, {} ms max",
                b.attempts, b.base_ms, b.max_ms
            )
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The entry's `error` as inline code.
fn code(e: &EntryModel) -> String {
    e.error.as_deref().map_or_else(|| "(no `error`)".to_owned(), code_span)
}

/// Text as Markdown inline code: line breaks shown as `\n`, fenced with enough backticks.
fn code_span(text: &str) -> String {
    let one_line = text.replace('\n', "\\n");
    if one_line.contains('`') { format!("`` {one_line} ``") } else { format!("`{one_line}`") }
}

/// A Markdown table cell: `|` escaped, one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
