//! Stage 2, validate: rules across entries, and defaults resolved, giving a [`Model`]
//! that the expand stage turns into code without further checks.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::ident::variant_name_problem;
use crate::spec::{BackoffDef, ErrorDef, Loc, Retry, RetryDef, Spec};
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
    /// Description template; `{description}` for a catch-all.
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

/// The entries one (status, `error`) pair may be: the unit of lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// HTTP status.
    pub status: u16,
    /// The `error` string; `None` for bodies without one.
    pub error: Option<String>,
    /// Indices into [`Model::entries`] in the order they are tried: entries with a
    /// description first, then the catch-all, each in spec order.
    pub entries: Vec<usize>,
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
    /// The lookup groups, sorted by (status, `error`) for binary search.
    pub groups: Vec<Group>,
    /// Files to track for rebuilds.
    pub files: Vec<PathBuf>,
}

impl Model {
    /// A model with no statuses and no entries: the skeleton expanded in place of a
    /// broken spec, so that code naming the enum still type-checks.
    pub fn skeleton(name: String, files: Vec<PathBuf>) -> Model {
        Model { name, doc: None, statuses: Vec::new(), entries: Vec::new(), groups: Vec::new(), files }
    }

    /// The entry a response would be classified as, by the runtime's rules: the entries
    /// of (status, `error`) in lookup order, the first whose template matches. An empty
    /// `error` counts as none.
    pub fn classify(&self, status: u16, error: Option<&str>, description: &str) -> Option<&EntryModel> {
        let key = (status, error.filter(|e| !e.is_empty()));
        let group = self.groups.binary_search_by(|g| (g.status, g.error.as_deref()).cmp(&key)).ok()?;
        self.groups[group]
            .entries
            .iter()
            .filter_map(|&i| self.entries.get(i))
            .find(|e| e.template.captures(description).is_some())
    }
}

/// The enum name of a spec, when it is usable, for the skeleton of a broken spec.
pub fn skeleton_name(spec: &Spec) -> Option<String> {
    let api = spec.api.as_ref()?;
    variant_name_problem(&api.name).is_none().then(|| api.name.clone())
}

/// Checks the rules that span entries and resolves defaults; every problem at once.
pub fn validate(spec: &Spec) -> Result<Model, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let line_of = |loc: &Loc| -> String {
        spec.sources
            .get(loc.file)
            .map_or_else(String::new, |s| format!("{}:{}", s.display, s.line_col(loc.span.start).line))
    };
    let resolve = |retry: &Retry, diags: &mut Vec<Diagnostic>| match retry.def {
        RetryDef::Never => Policy::Never,
        RetryDef::RefreshToken => Policy::RefreshToken,
        RetryDef::SplitBody => Policy::SplitBody,
        RetryDef::Backoff(b) => Policy::Backoff(resolve_backoff(b, spec.defaults, &retry.loc, diags)),
    };

    if let Some(api) = &spec.api
        && let Some(problem) = variant_name_problem(&api.name)
    {
        diags.push(
            api.name_loc
                .error(format!("`name` in [api]: {problem}"))
                .with_help("the generated enum needs an UpperCamelCase name, e.g. `EasemobError`"),
        );
    }

    let mut statuses: BTreeMap<u16, (StatusModel, &Loc)> = BTreeMap::new();
    for s in &spec.statuses {
        let retry = resolve(&s.retry, &mut diags);
        let model = StatusModel {
            status: s.status,
            name: s.name.clone(),
            meaning: s.meaning.clone(),
            meaning_zh: s.meaning_zh.clone(),
            retry,
            alert: s.alert,
        };
        match statuses.entry(s.status) {
            Entry::Occupied(first) => diags.push(
                s.loc
                    .error(format!("status {} is declared twice", s.status))
                    .with_help(format!("the first declaration is at {}", line_of(first.get().1))),
            ),
            Entry::Vacant(slot) => {
                slot.insert((model, &s.loc));
            }
        }
    }

    let mut entries = Vec::with_capacity(spec.errors.len());
    let mut variants: BTreeMap<&str, &Loc> = BTreeMap::new();
    for e in &spec.errors {
        check_variant_name(e, &mut variants, &line_of, &mut diags);
        let Some((status, _)) = statuses.get(&e.status) else {
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
            continue;
        };
        let retry = e.retry.as_ref().map_or(status.retry, |r| resolve(r, &mut diags));
        entries.push((e, entry_model(e, retry, e.alert.unwrap_or(status.alert))));
    }

    let groups = lookup_groups(&entries, &line_of, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let Some(api) = &spec.api else { return Err(diags) };
    Ok(Model {
        name: api.name.clone(),
        doc: api.doc.clone(),
        statuses: statuses.into_values().map(|(s, _)| s).collect(),
        entries: entries.into_iter().map(|(_, model)| model).collect(),
        groups,
        files: spec.sources.iter().map(|s| s.resolved.clone()).collect(),
    })
}

fn entry_model(e: &ErrorDef, retry: Policy, alert: bool) -> EntryModel {
    EntryModel {
        variant: e.variant.clone(),
        status: e.status,
        error: e.error.clone(),
        template: e.description.clone().unwrap_or_else(catch_all_template),
        catch_all: e.description.is_none(),
        cause: e.cause.clone(),
        cause_zh: e.cause_zh.clone(),
        remedy: e.remedy.clone(),
        remedy_zh: e.remedy_zh.clone(),
        retry,
        alert,
    }
}

/// The template of an entry without a description: `{description}`, any text.
fn catch_all_template() -> Template {
    use crate::template::{Placeholder, PlaceholderKind};
    Template {
        text: "{description}".into(),
        literals: vec![String::new(), String::new()],
        placeholders: vec![Placeholder { name: "description".into(), kind: PlaceholderKind::Str }],
    }
}

fn check_variant_name<'s>(
    e: &'s ErrorDef,
    seen: &mut BTreeMap<&'s str, &'s Loc>,
    line_of: &dyn Fn(&Loc) -> String,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(problem) = variant_name_problem(&e.variant) {
        diags.push(
            e.variant_loc
                .error(format!("`variant` of [[errors]] entry: {problem}"))
                .with_help(format!("use an UpperCamelCase name such as `{}`", suggest_variant(&e.variant))),
        );
    } else if RESERVED_VARIANTS.contains(&e.variant.as_str()) {
        diags.push(e.variant_loc.error(format!(
            "variant name `{}` is reserved: the generated enum uses `Status` for answers without an error body and `Unknown` for errors the spec does not list",
            e.variant
        )));
    } else if let Some(first) = seen.insert(&e.variant, &e.variant_loc) {
        diags.push(
            e.variant_loc.error(format!("duplicate variant name `{}`", e.variant)).with_help(format!(
                "`{}` is first declared at {}",
                e.variant,
                line_of(first)
            )),
        );
    }
}

/// Groups the entries by (status, `error`) in lookup order, and reports the entries
/// that can never match: a second entry with the same description (or a second
/// catch-all), and an entry whose every description an earlier one already matches.
fn lookup_groups(
    entries: &[(&ErrorDef, EntryModel)],
    line_of: &dyn Fn(&Loc) -> String,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Group> {
    let mut groups: BTreeMap<(u16, Option<&str>), Vec<usize>> = BTreeMap::new();
    for (i, (_, e)) in entries.iter().enumerate() {
        groups.entry((e.status, e.error.as_deref())).or_default().push(i);
    }
    let mut out = Vec::with_capacity(groups.len());
    for ((status, error), mut members) in groups {
        // Specific templates first, then catch-alls; a stable sort keeps spec order.
        members.sort_by_key(|&i| entries[i].1.catch_all);
        for (pos, &later) in members.iter().enumerate() {
            let (b_def, b) = &entries[later];
            for &earlier in &members[..pos] {
                let (a_def, a) = &entries[earlier];
                let at = b_def.description_loc.as_ref().unwrap_or(&b_def.variant_loc);
                if a.template.text == b.template.text {
                    let error = error.map_or_else(|| "absent".to_owned(), |e| format!("`{e}`"));
                    diags.push(
                        at.error(format!(
                            "entries `{}` and `{}` match the same (status {status}, error {error}, description `{}`)",
                            a.variant, b.variant, b.template.text
                        ))
                        .with_help(format!("remove one of them; `{}` is at {}", a.variant, line_of(&a_def.loc))),
                    );
                    break;
                }
                if a.template.covers(&b.template) {
                    diags.push(
                        at.error(format!(
                            "entry `{}` can never match: the earlier entry `{}` (description `{}`) matches every description `{}` can",
                            b.variant, a.variant, a.template.text, b.template.text
                        ))
                        .with_help(format!(
                            "move `{}` before `{}` (at {}), or make the templates disjoint",
                            b.variant,
                            a.variant,
                            line_of(&a_def.loc)
                        )),
                    );
                    break;
                }
            }
        }
        out.push(Group { status, error: error.map(str::to_owned), entries: members });
    }
    out
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
