//! Stage 2, validate: rules across entries, and defaults resolved, giving a [`Model`]
//! that the expand stage turns into code without further checks.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::ident::variant_name_problem;
use crate::source::SourceFile;
use crate::spec::{BackoffDef, ErrorDef, Loc, Retry, RetryDef, Spec, Verbatim};
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
    /// Which of its texts a Rust string literal holds as they are.
    pub verbatim: Verbatim,
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
    /// Entry indices in lookup order: grouped by (status, `error`) so that each pair's
    /// entries are contiguous (groups in order of first appearance), then specific
    /// templates before catch-alls, then spec order.
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
///
/// On success the entries' text moves into the [`Model`] and `spec.errors` is left
/// empty (at 10,000 entries, copying it was a measurable part of every build); the
/// rest of `spec` stays, for rendering diagnostics of the earlier stage. On failure
/// `spec` is untouched and every problem is returned.
pub fn validate(spec: &mut Spec) -> Result<Model, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let Checked { name, statuses, resolved, order } = check(spec, &mut diags);
    if !diags.is_empty() || spec.api.is_none() {
        return Err(diags);
    }
    // Each entry's texts are moved over field by field: moving whole entries (hundreds
    // of bytes each, copied at every step of an iterator chain unoptimized) cost more.
    let mut entries = Vec::with_capacity(spec.errors.len());
    let take = std::mem::take::<String>;
    for (e, resolved) in spec.errors.iter_mut().zip(resolved) {
        // Every entry resolves when there is no problem (see `check`).
        let (retry, alert) = resolved.unwrap_or((Policy::Never, false));
        entries.push(EntryModel {
            variant: take(&mut e.variant),
            status: e.status,
            error: e.error.take().filter(|s| !s.is_empty()),
            template: std::mem::take(&mut e.description),
            catch_all: e.description_loc.is_none(),
            cause: take(&mut e.cause),
            cause_zh: take(&mut e.cause_zh),
            remedy: take(&mut e.remedy),
            remedy_zh: take(&mut e.remedy_zh),
            retry,
            alert,
            verbatim: e.verbatim,
        });
    }
    spec.errors = Vec::new();
    Ok(Model {
        name,
        doc: spec.api.as_ref().and_then(|a| a.doc.clone()),
        statuses,
        entries,
        order,
        files: spec.sources.iter().map(|s| s.resolved.clone()).collect(),
    })
}

/// What [`check`] resolves on the borrowed spec.
struct Checked {
    /// The enum's name.
    name: String,
    /// The statuses, sorted.
    statuses: Vec<StatusModel>,
    /// Per entry, its retry policy and alert flag; `None` when its status is not declared.
    resolved: Vec<Option<(Policy, bool)>>,
    /// The lookup order (see [`Model::order`]).
    order: Vec<usize>,
}

/// The rules, on the borrowed spec.
fn check(spec: &Spec, diags: &mut Vec<Diagnostic>) -> Checked {
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
        let retry = resolve(&s.retry, diags);
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

    // The per-entry rules, giving each entry's policy and alert flag.
    let per_entry = |diags: &mut Vec<Diagnostic>| -> Vec<Option<(Policy, bool)>> {
        let mut resolved = Vec::with_capacity(spec.errors.len());
        let mut variants: HashMap<&str, &Loc, BuildNameHasher> =
            HashMap::with_capacity_and_hasher(spec.errors.len(), BuildNameHasher);
        for e in &spec.errors {
            if let Some(problem) = variant_name_problem(&e.variant) {
                diags.push(
                    e.variant_loc.error(format!("`variant` of [[errors]] entry: {problem}")).with_help(
                        format!("use an UpperCamelCase name such as `{}`", suggest_variant(&e.variant)),
                    ),
                );
            } else if RESERVED_VARIANTS.contains(&e.variant.as_str()) {
                diags.push(e.variant_loc.error(format!(
                "variant name `{}` is reserved: the generated enum uses `Status` for answers without an error body and `Unknown` for errors the spec does not list",
                e.variant
            )));
            } else {
                match variants.entry(&e.variant) {
                    Entry::Occupied(first) => diags.push(
                        e.variant_loc.error(format!("duplicate variant name `{}`", e.variant)).with_help(
                            format!("`{}` is first declared at {}", e.variant, line_of(first.get())),
                        ),
                    ),
                    Entry::Vacant(slot) => {
                        slot.insert(&e.variant_loc);
                    }
                }
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
                resolved.push(None);
                continue;
            };
            let retry = match &e.retry {
                Some(r) => resolve(r, diags),
                None => status.retry,
            };
            resolved.push(Some((retry, e.alert.unwrap_or(status.alert))));
        }

        resolved
    };

    // The per-entry rules and the rules of the lookup order are independent (both
    // need only which statuses are declared): for a large spec the second run on
    // another thread. Their problems are reported in the same order either way.
    // (A plain search of the few declared statuses: the map's SipHash costs ~1,500
    // instructions a lookup unoptimized, for every entry.)
    let declared_statuses: Vec<u16> = statuses.iter().map(|s| s.status).collect();
    let declared = |e: &ErrorDef| {
        let known = declared_statuses.as_slice();
        let mut i = 0;
        while i < known.len() && known[i] != e.status {
            i += 1;
        }
        i < known.len()
    };
    let (resolved, (order, more)) = if spec.errors.len() >= PARALLEL_FROM {
        std::thread::scope(|scope| {
            let other =
                std::thread::Builder::new().spawn_scoped(scope, || lookup_rules(spec, &declared, &line_of));
            let resolved = per_entry(diags);
            // A thread that could not start (it never panics) is made up for here.
            let rules = match other.map(|w| w.join()) {
                Ok(Ok(rules)) => rules,
                _ => lookup_rules(spec, &declared, &line_of),
            };
            (resolved, rules)
        })
    } else {
        (per_entry(diags), lookup_rules(spec, &declared, &line_of))
    };
    diags.extend(more);
    Checked { name, statuses, resolved, order }
}

/// Specs from this many entries check their rules on two threads.
const PARALLEL_FROM: usize = 2000;

/// The lookup order of the entries whose status is `declared` (the others take no part:
/// that is already an error), and the problems of the two rules it makes checkable:
/// duplicates and shadowing.
fn lookup_rules(
    spec: &Spec,
    declared: &(dyn Fn(&ErrorDef) -> bool + Sync),
    line_of: &(dyn Fn(&Loc) -> String + Sync),
) -> (Vec<usize>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let kept: Vec<&ErrorDef> = spec.errors.iter().filter(|e| declared(e)).collect();
    let (order, group) = lookup_order(&kept);
    for (pos, &later) in order.iter().enumerate() {
        let Some(b) = kept.get(later) else { continue };
        for &earlier in order.get(..pos).unwrap_or_default().iter().rev() {
            if group.get(earlier) != group.get(later) {
                break;
            }
            let Some(a) = kept.get(earlier) else { continue };
            let where_b = b.description_loc.as_ref().unwrap_or(&b.variant_loc);
            if a.description.text == b.description.text
                || (a.description_loc.is_none() && b.description_loc.is_none())
            {
                diags.push(
                    where_b
                        .error(format!(
                            "entries `{}` and `{}` match the same (status {}, error {}, description `{}`)",
                            a.variant,
                            b.variant,
                            b.status,
                            show_error(error_of(b)),
                            b.description.text
                        ))
                        .with_help(format!("remove one of them; `{}` is at {}", a.variant, line_of(&a.loc))),
                );
                break;
            }
            if a.description.covers(&b.description) {
                diags.push(
                    where_b
                        .error(format!(
                            "entry `{}` can never match: the earlier entry `{}` (description `{}`) matches every description `{}` can",
                            b.variant, a.variant, a.description.text, b.description.text
                        ))
                        .with_help(format!(
                            "move `{}` before `{}` (at {}), or make the templates disjoint",
                            b.variant,
                            a.variant,
                            line_of(&a.loc)
                        )),
                );
                break;
            }
        }
    }
    (order, diags)
}

/// The lookup order of `entries`: grouped by (status, `error`), groups in order of first
/// appearance; in a group, entries with a description before catch-alls, each in spec
/// order. Also each entry's group. Counted into place rather than sorted: comparing
/// string keys is slow in the unoptimized macro.
fn lookup_order(entries: &[&ErrorDef]) -> (Vec<usize>, Vec<usize>) {
    let mut group_of: HashMap<(u16, Option<&str>), usize, BuildNameHasher> =
        HashMap::with_capacity_and_hasher(entries.len(), BuildNameHasher);
    // Per group: how many entries with a description, how many catch-alls.
    let mut counts: Vec<(usize, usize)> = Vec::new();
    let mut group = Vec::with_capacity(entries.len());
    for e in entries {
        let next = counts.len();
        let g = *group_of.entry((e.status, error_of(e))).or_insert(next);
        if g == next {
            counts.push((0, 0));
        }
        if let Some(c) = counts.get_mut(g) {
            if e.description_loc.is_none() { c.1 += 1 } else { c.0 += 1 }
        }
        group.push(g);
    }
    // Where each group's next entry with a description, and next catch-all, go.
    let mut next = Vec::with_capacity(counts.len());
    let mut at = 0;
    for &(specific, catch_all) in &counts {
        next.push((at, at + specific));
        at += specific + catch_all;
    }
    let mut order = vec![0; entries.len()];
    for (i, (e, &g)) in entries.iter().zip(&group).enumerate() {
        let Some(slot) = next.get_mut(g) else { continue };
        let pos = if e.description_loc.is_none() { &mut slot.1 } else { &mut slot.0 };
        if let Some(o) = order.get_mut(*pos) {
            *o = i;
        }
        *pos += 1;
    }
    (order, group)
}

/// A cheap hasher for variant names and lookup groups: the macro runs unoptimized,
/// where SipHash costs thousands of instructions per name. The names are the spec
/// author's own, so there is no one to mount a collision attack.
#[derive(Clone, Copy, Default)]
struct BuildNameHasher;

impl BuildHasher for BuildNameHasher {
    type Hasher = NameHasher;
    fn build_hasher(&self) -> NameHasher {
        NameHasher(0)
    }
}

/// Eight bytes at a time, multiply and rotate (as rustc's own `FxHasher`).
struct NameHasher(u64);

impl NameHasher {
    /// Mixes one word in.
    #[inline(always)]
    fn mix(&mut self, word: u64) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        self.0 = (self.0 ^ word).wrapping_mul(K).rotate_left(26);
    }
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Plain indexing: iterator adapters cost hundreds of instructions a call in the
        // unoptimized macro.
        let mut i = 0;
        while i + 8 <= bytes.len() {
            self.mix(crate::scan::word_at(bytes, i));
            i += 8;
        }
        let mut last = 0u64;
        let mut shift = 0;
        while i < bytes.len() {
            last |= u64::from(bytes[i]) << shift;
            shift += 8;
            i += 1;
        }
        self.mix(last ^ bytes.len() as u64);
    }

    // Integers (a status, `Option`'s discriminant, the end mark of a `str`) are mixed
    // in directly, not as a byte slice.
    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.mix(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn write_isize(&mut self, n: isize) {
        self.mix(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// An entry's `error`; empty counts as none.
fn error_of(e: &ErrorDef) -> Option<&str> {
    e.error.as_deref().filter(|s| !s.is_empty())
}

fn show_error(e: Option<&str>) -> String {
    e.map_or_else(|| "absent".to_owned(), |e| format!("`{e}`"))
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
