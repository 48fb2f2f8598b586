//! Stage 2, validate: rules across entries, and defaults resolved, giving a [`Model`]
//! that the expand stage turns into code without further checks.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::ident::variant_name_problem;
use crate::source::SourceFile;
use crate::spec::{BackoffDef, Loc, Retry, RetryDef, Spec};
use crate::template::Template;

/// Built-in backoff numbers, used where neither the entry nor `[defaults]` gives one.
pub const DEFAULT_BACKOFF: Backoff = Backoff { attempts: 3, base_ms: 500, max_ms: 30_000 };

/// Names the generated enum keeps for its own variants.
pub const RESERVED_VARIANTS: [&str; 2] = ["Status", "Unknown"];

/// A retry policy with every number resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Do not retry.
    Never,
    /// Exponential backoff.
    Backoff(Backoff),
    /// Refresh the app token, retry once.
    RefreshToken,
    /// Split the body, retry.
    SplitBody,
}

/// Resolved backoff numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Most attempts in all, the first included (1–100).
    pub attempts: u32,
    /// Base delay, milliseconds (≥ 1).
    pub base_ms: u64,
    /// Largest delay, milliseconds (≥ base, ≤ one day).
    pub max_ms: u64,
}

/// A validated status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusModel {
    /// HTTP status.
    pub status: u16,
    /// Reason phrase.
    pub name: String,
    /// Meaning, English.
    pub meaning: String,
    /// Meaning, Chinese.
    pub meaning_zh: String,
    /// Default retry policy.
    pub retry: Policy,
    /// System error: log and alert.
    pub alert: bool,
}

/// A validated error entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryModel {
    /// Variant name.
    pub variant: String,
    /// HTTP status.
    pub status: u16,
    /// The `error` string, if the server sends one.
    pub error: Option<String>,
    /// Description template.
    pub template: Template,
    /// Whether the entry gave no description and so matches any.
    pub catch_all: bool,
    /// Cause, English.
    pub cause: String,
    /// Cause, Chinese.
    pub cause_zh: String,
    /// Remedy, English.
    pub remedy: String,
    /// Remedy, Chinese.
    pub remedy_zh: String,
    /// Retry policy (the status default unless overridden).
    pub retry: Policy,
    /// Alert flag (the status default unless overridden).
    pub alert: bool,
}

/// Everything the expand stage needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The enum's name.
    pub name: String,
    /// The enum's doc text.
    pub doc: Option<String>,
    /// Statuses, sorted.
    pub statuses: Vec<StatusModel>,
    /// Entries in spec order (the index is the catalog index).
    pub entries: Vec<EntryModel>,
    /// Entry indices in lookup order: by (status, `error`), so each pair's entries are
    /// contiguous, then specific templates before catch-alls, then spec order.
    pub order: Vec<usize>,
    /// Files to track for rebuilds.
    pub files: Vec<PathBuf>,
}

/// The enum name and files of a spec, for the skeleton emitted when validation fails.
pub fn skeleton_name(spec: &Spec) -> Option<String> {
    let api = spec.api.as_ref()?;
    variant_name_problem(&api.name).is_none().then(|| api.name.clone())
}

/// Checks the rules that span entries and resolves defaults.
pub fn validate(spec: &Spec) -> Result<Model, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let line_of = |loc: &Loc| -> String {
        spec.sources.get(loc.file).map_or_else(String::new, |s: &SourceFile| {
            format!("{}:{}", s.display, s.line_col(loc.span.start).line)
        })
    };

    let name = match &spec.api {
        Some(api) => {
            if let Some(problem) = variant_name_problem(&api.name) {
                diags.push(
                    api.name_loc
                        .error(format!("`name` in [api]: {problem}"))
                        .with_help("the generated enum needs an UpperCamelCase name, e.g. `EasemobError`"),
                );
            }
            api.name.clone()
        }
        None => String::new(),
    };

    let defaults = spec.defaults;
    let resolve = |retry: &Retry, diags: &mut Vec<Diagnostic>| -> Policy {
        match retry.def {
            RetryDef::Never => Policy::Never,
            RetryDef::RefreshToken => Policy::RefreshToken,
            RetryDef::SplitBody => Policy::SplitBody,
            RetryDef::Backoff(b) => Policy::Backoff(resolve_backoff(b, defaults, &retry.loc, diags)),
        }
    };

    let mut statuses: Vec<StatusModel> = Vec::new();
    let mut status_locs: HashMap<u16, &Loc> = HashMap::new();
    for s in &spec.statuses {
        if let Some(first) = status_locs.get(&s.status) {
            diags.push(
                s.loc
                    .error(format!("status {} is declared twice", s.status))
                    .with_help(format!("the first declaration is at {}", line_of(first))),
            );
            continue;
        }
        status_locs.insert(s.status, &s.loc);
        let retry = resolve(&s.retry, &mut diags);
        statuses.push(StatusModel {
            status: s.status,
            name: s.name.clone(),
            meaning: s.meaning.clone(),
            meaning_zh: s.meaning_zh.clone(),
            retry,
            alert: s.alert,
        });
    }
    statuses.sort_by_key(|s| s.status);

    let mut entries = Vec::new();
    let mut variants: HashMap<&str, &Loc> = HashMap::new();
    for e in &spec.errors {
        if let Some(problem) = variant_name_problem(&e.variant) {
            diags.push(
                e.variant_loc.error(format!("`variant` of [[errors]] entry: {problem}")).with_help(format!(
                    "use an UpperCamelCase name such as `{}`",
                    suggest_variant(&e.variant)
                )),
            );
        } else if RESERVED_VARIANTS.contains(&e.variant.as_str()) {
            diags.push(e.variant_loc.error(format!(
                "variant name `{}` is reserved: the generated enum uses `Status` for answers without an error body and `Unknown` for errors the spec does not list",
                e.variant
            )));
        } else if let Some(first) = variants.get(e.variant.as_str()) {
            diags.push(
                e.variant_loc.error(format!("duplicate variant name `{}`", e.variant)).with_help(format!(
                    "`{}` is first declared at {}",
                    e.variant,
                    line_of(first)
                )),
            );
        } else {
            variants.insert(&e.variant, &e.variant_loc);
        }
        let status = statuses.iter().find(|s| s.status == e.status);
        let Some(status) = status else {
            if !status_locs.contains_key(&e.status) {
                diags.push(
                    e.status_loc
                        .error(format!(
                            "status {} of entry `{}` is not declared in the spec",
                            e.status, e.variant
                        ))
                        .with_help(format!(
                            "declare it with a `[status.{}]` table (name, meaning, meaning_zh, retry)",
                            e.status
                        )),
                );
            }
            continue;
        };
        let retry = match &e.retry {
            Some(r) => resolve(r, &mut diags),
            None => status.retry,
        };
        entries.push((
            e,
            EntryModel {
                variant: e.variant.clone(),
                status: e.status,
                error: e.error.clone().filter(|s| !s.is_empty()),
                template: e.description.clone(),
                catch_all: e.description_loc.is_none(),
                cause: e.cause.clone(),
                cause_zh: e.cause_zh.clone(),
                remedy: e.remedy.clone(),
                remedy_zh: e.remedy_zh.clone(),
                retry,
                alert: e.alert.unwrap_or(status.alert),
            },
        ));
    }

    // Lookup order, and the two rules it makes checkable: duplicates and shadowing.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| {
        let (ea, eb) = (&entries[a].1, &entries[b].1);
        (ea.status, &ea.error, ea.catch_all, a).cmp(&(eb.status, &eb.error, eb.catch_all, b))
    });
    for (pos, &later) in order.iter().enumerate() {
        let (def_b, b) = &entries[later];
        for &earlier in order[..pos].iter().rev() {
            let (def_a, a) = &entries[earlier];
            if (a.status, &a.error) != (b.status, &b.error) {
                break;
            }
            let where_b = def_b.description_loc.as_ref().unwrap_or(&def_b.variant_loc);
            if a.template.text == b.template.text || (a.catch_all && b.catch_all) {
                diags.push(
                    where_b
                        .error(format!(
                            "entries `{}` and `{}` match the same (status {}, error {}, description `{}`)",
                            a.variant,
                            b.variant,
                            b.status,
                            show_error(&b.error),
                            b.template.text
                        ))
                        .with_help(format!(
                            "remove one of them; `{}` is at {}",
                            a.variant,
                            line_of(&def_a.loc)
                        )),
                );
                break;
            }
            if a.template.covers(&b.template) {
                diags.push(
                    where_b
                        .error(format!(
                            "entry `{}` can never match: the earlier entry `{}` (description `{}`) matches every description `{}` can",
                            b.variant, a.variant, a.template.text, b.template.text
                        ))
                        .with_help(format!(
                            "move `{}` before `{}` (at {}), or make the templates disjoint",
                            b.variant,
                            a.variant,
                            line_of(&def_a.loc)
                        )),
                );
                break;
            }
        }
    }

    if diags.is_empty() && spec.api.is_some() {
        Ok(Model {
            name,
            doc: spec.api.as_ref().and_then(|a| a.doc.clone()),
            statuses,
            entries: entries.into_iter().map(|(_, m)| m).collect(),
            order,
            files: spec.sources.iter().map(|s| s.resolved.clone()).collect(),
        })
    } else {
        Err(diags)
    }
}

fn show_error(e: &Option<String>) -> String {
    e.as_ref().map_or_else(|| "absent".to_owned(), |e| format!("`{e}`"))
}

fn suggest_variant(name: &str) -> String {
    let camel = crate::ident::to_upper_camel(name);
    if camel.is_empty() {
        "MyError".into()
    } else if camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("E{camel}")
    } else {
        camel
    }
}

fn resolve_backoff(b: BackoffDef, d: BackoffDef, loc: &Loc, diags: &mut Vec<Diagnostic>) -> Backoff {
    let attempts = b.attempts.or(d.attempts).unwrap_or(u64::from(DEFAULT_BACKOFF.attempts));
    let base_ms = b.base_ms.or(d.base_ms).unwrap_or(DEFAULT_BACKOFF.base_ms);
    let max_ms = b.max_ms.or(d.max_ms).unwrap_or(DEFAULT_BACKOFF.max_ms);
    if !(1..=100).contains(&attempts) {
        diags.push(
            loc.error(format!("backoff `attempts` is {attempts}: it must be between 1 and 100"))
                .with_help("attempts counts the first try too; use `retry = \"never\"` for no retries"),
        );
    }
    if !(1..=3_600_000).contains(&base_ms) {
        diags.push(
            loc.error(format!("backoff `base_ms` is {base_ms}: it must be between 1 and 3600000 (one hour)")),
        );
    }
    if max_ms < base_ms {
        diags.push(loc.error(format!(
            "backoff `max_ms` ({max_ms}) is below `base_ms` ({base_ms}): the largest delay cannot be shorter than the first"
        )));
    } else if max_ms > 86_400_000 {
        diags.push(loc.error(format!("backoff `max_ms` is {max_ms}: it must be at most 86400000 (one day)")));
    }
    Backoff { attempts: u32::try_from(attempts).unwrap_or(u32::MAX), base_ms, max_ms }
}

impl Model {
    /// The entry a response would be classified as, by the runtime's rules: the entries
    /// of (status, `error`) in lookup order, the first whose template (and typed values)
    /// match. An empty `error` counts as none.
    pub fn classify(&self, status: u16, error: Option<&str>, description: &str) -> Option<&EntryModel> {
        let error = error.filter(|e| !e.is_empty());
        self.order
            .iter()
            .filter_map(|&i| self.entries.get(i))
            .filter(|e| e.status == status && e.error.as_deref() == error)
            .find(|e| e.template.captures_typed(description).is_some())
    }
}
