//! Stage 2, validate: rules across entries, and each entry's policy and alert flag
//! inherited from its status where it gives none, giving a [`Model`]
//! that the expand stage turns into code without further checks.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::ident::variant_name_problem;
use crate::shape::{CodeKind, Shape};
use crate::spec::{ErrorDef, Loc, Policy, Spec, StatusDef, localized};
use crate::template::{MAX_PLACEHOLDERS, Placeholder, PlaceholderKind, Template, overlap};

/// Names the generated enum keeps for its own variants.
pub const RESERVED_VARIANTS: [&str; 2] = ["Status", "Unknown"];

/// A validated error entry: one meaning, with every form the server gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryModel {
    /// Variant name.
    pub variant: String,
    /// HTTP status.
    pub status: u16,
    /// The `error` string, if the server sends one.
    pub error: Option<String>,
    /// The description templates, in spec order; empty for a catch-all. All of them
    /// have the same placeholders (the variant's fields), possibly in another order.
    pub templates: Vec<Template>,
    /// Whether the server also sends these descriptions without `error`.
    pub without_error: bool,
    /// The variant's fields: the placeholders of the first template.
    pub fields: Vec<Placeholder>,
    /// Whether the entry also takes any description of its (status, `error`) that no
    /// form matches: it gave none (a catch-all), or it is that pair's only meaning and
    /// has no fields.
    pub takes_any: bool,
    /// Whether the descriptions match the start of the message: each template then
    /// ends in a hidden placeholder that takes the rest (see [`PREFIX_REST`]).
    pub prefix: bool,
    /// Why it happens, one text per language of [`Model::languages`].
    pub causes: Vec<String>,
    /// What to do, one text per language.
    pub remedies: Vec<String>,
    /// Retry policy (the status default unless overridden).
    pub retry: Policy,
    /// Alert flag (the status default unless overridden).
    pub alert: bool,
}

/// The name of the hidden placeholder a `prefix` template ends in: not a field name, so
/// it is no field of the variant.
pub const PREFIX_REST: &str = "..";

impl EntryModel {
    /// Whether the entry gave no description and so is its pair's catch-all.
    pub fn is_catch_all(&self) -> bool {
        self.templates.is_empty()
    }
}

/// One form of an entry: a template of it that a group tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Form {
    /// Index into [`Model::entries`].
    pub entry: usize,
    /// Index into that entry's templates.
    pub template: usize,
}

/// The forms a body with one status and `error` may be: the unit of lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// HTTP status.
    pub status: u16,
    /// The `error` string; `None` for bodies without one.
    pub error: Option<String>,
    /// The forms in the order they are tried (spec order).
    pub forms: Vec<Form>,
    /// The entry a description no form matches lands on. `None` for bodies without a
    /// code, which are never taken by a catch-all — unless the API has no codes at all,
    /// where each status may have one.
    pub catch_all: Option<usize>,
}

/// Everything the expand stage needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Model {
    /// The enum's name.
    pub name: String,
    /// The enum's doc text.
    pub doc: Option<String>,
    /// The languages of causes, remedies and meanings, the first the default.
    pub languages: Vec<String>,
    /// Where answers keep their code and message, and what a success is.
    pub shape: Shape,
    /// Statuses, sorted.
    pub statuses: Vec<StatusDef>,
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
        Model { name, files, languages: vec!["en".to_owned()], ..Model::default() }
    }

    /// The entry a response would be classified as, by the runtime's rules (see
    /// `spec/README.md`): with an `error`, the first form of (status, `error`) that
    /// matches, else that pair's catch-all; without one, the first error-less form of
    /// the status, else the status's catch-all (APIs without codes only), else the one
    /// meaning among all the status's forms that matches (none when several do). An
    /// empty `error` counts as none.
    pub fn classify(&self, status: u16, error: Option<&str>, description: &str) -> Option<&EntryModel> {
        let error = error.filter(|e| !e.is_empty());
        let group = |error: Option<&str>| {
            let at = self.groups.binary_search_by(|g| (g.status, g.error.as_deref()).cmp(&(status, error)));
            at.ok().and_then(|i| self.groups.get(i))
        };
        let matches = |f: &Form| {
            let entry = self.entries.get(f.entry)?;
            entry.templates.get(f.template)?.captures(description).map(|_| f.entry)
        };
        if let Some(error) = error {
            let g = group(Some(error))?;
            return g.forms.iter().find_map(matches).or(g.catch_all).and_then(|i| self.entries.get(i));
        }
        let errorless = group(None);
        if let Some(i) = errorless.and_then(|g| g.forms.iter().find_map(matches).or(g.catch_all)) {
            return self.entries.get(i);
        }
        let mut found = self
            .groups
            .iter()
            .filter(|g| g.status == status)
            .flat_map(|g| g.forms.iter().filter_map(matches));
        let first = found.next()?;
        found.all(|i| i == first).then(|| self.entries.get(first)).flatten()
    }
}

/// The enum name of a spec, when it is usable, for the skeleton of a broken spec.
pub fn skeleton_name(spec: &Spec) -> Option<String> {
    let api = spec.api.as_ref()?;
    variant_name_problem(&api.name).is_none().then(|| api.name.clone())
}

/// Checks the rules that span entries and gives each entry its status's policy and
/// alert flag where it has none; every problem at once.
pub fn validate(spec: &Spec) -> Result<Model, Vec<Diagnostic>> {
    let mut check = Check { spec, diags: Vec::new() };
    if let Some(api) = &spec.api
        && let Some(problem) = variant_name_problem(&api.name)
    {
        let help = "the generated enum needs an UpperCamelCase name, e.g. `EasemobError`";
        check.diags.push(api.name_loc.error(format!("`name` in [api]: {problem}")).with_help(help));
    }

    let mut statuses: BTreeMap<u16, &StatusDef> = BTreeMap::new();
    for s in &spec.statuses {
        match statuses.entry(s.status) {
            Entry::Occupied(first) => {
                let help = format!("the first declaration is at {}", check.line_of(&first.get().loc));
                check
                    .diags
                    .push(s.loc.error(format!("status {} is declared twice", s.status)).with_help(help));
            }
            Entry::Vacant(slot) => {
                slot.insert(s);
            }
        }
    }

    let mut entries = Vec::with_capacity(spec.errors.len());
    let mut variants: BTreeMap<&str, &Loc> = BTreeMap::new();
    for e in &spec.errors {
        check.variant_name(e, &mut variants);
        let Some(status) = statuses.get(&e.status) else {
            let message = format!("status {} of entry `{}` is not declared in the spec", e.status, e.variant);
            let meanings: Vec<String> =
                (0..spec.languages.len()).map(|i| localized("meaning", &spec.languages, i)).collect();
            let help = format!(
                "declare it with a `[status.{}]` table (name, {}, retry)",
                e.status,
                meanings.join(", ")
            );
            check.diags.push(e.status_loc.error(message).with_help(help));
            continue;
        };
        let retry = e.retry.unwrap_or(status.retry);
        check.forms(e);
        check.code_kind(e);
        entries.push((e, entry_model(e, retry, e.alert.unwrap_or(status.alert))));
    }

    let groups = check.lookup_groups(&mut entries);
    let Some(api) = spec.api.as_ref().filter(|_| check.diags.is_empty()) else { return Err(check.diags) };
    Ok(Model {
        name: api.name.clone(),
        doc: api.doc.clone(),
        languages: spec.languages.clone(),
        shape: spec.shape.clone(),
        statuses: statuses.into_values().cloned().collect(),
        entries: entries.into_iter().map(|(_, model)| model).collect(),
        groups,
        files: spec.sources.iter().map(|s| s.resolved.clone()).collect(),
    })
}

fn entry_model(e: &ErrorDef, retry: Policy, alert: bool) -> EntryModel {
    let mut templates: Vec<Template> = e.descriptions.iter().map(|(t, _)| t.clone()).collect();
    let fields = templates.first().map(|t| t.placeholders.clone()).unwrap_or_default();
    if e.prefix {
        // A prefix matches the start of the message: a hidden last placeholder takes the rest.
        for t in &mut templates {
            t.literals.push(String::new());
            t.placeholders.push(Placeholder { name: PREFIX_REST.to_owned(), kind: PlaceholderKind::Str });
        }
    }
    EntryModel {
        variant: e.variant.clone(),
        status: e.status,
        error: e.error.clone(),
        fields,
        templates,
        prefix: e.prefix,
        without_error: e.without_error,
        takes_any: e.descriptions.is_empty(),
        causes: e.causes.clone(),
        remedies: e.remedies.clone(),
        retry,
        alert,
    }
}

/// The name of the field every variant has for the server's own words.
pub const TEXT_FIELD: &str = "text";

/// An entry as the lookup rules see it: its definition (for locations) and its model.
type Entries<'s> = [(&'s ErrorDef, EntryModel)];

/// The spec being validated, and every problem found so far.
struct Check<'s> {
    spec: &'s Spec,
    diags: Vec<Diagnostic>,
}

impl<'s> Check<'s> {
    /// `file:line` of `loc`, for a message that points at a second place.
    fn line_of(&self, loc: &Loc) -> String {
        let source = self.spec.sources.get(loc.file);
        source.map_or_else(String::new, |s| format!("{}:{}", s.display, s.line_col(loc.span.start).line))
    }

    /// An entry's code is written as the spec's `code_type` says.
    fn code_kind(&mut self, e: &ErrorDef) {
        let Some((integer, loc)) = &e.code_loc else { return };
        let message = match (self.spec.shape.code_kind, integer) {
            (CodeKind::Integer, false) => {
                "is a string, but [body] says codes are integers (`code_type = \"integer\"`)"
            }
            (CodeKind::Text, true) => {
                "is an integer, but [body] says codes are strings (set `code_type = \"integer\"`)"
            }
            _ => return,
        };
        self.diags.push(loc.error(format!("the code of entry `{}` {message}", e.variant)));
    }

    /// The forms of one entry must give the variant the same fields, and none may be
    /// called `text`; where answers have codes, an entry without one needs a description
    /// to be told by (an API without codes may have a catch-all per status).
    fn forms(&mut self, e: &ErrorDef) {
        if !self.spec.shape.code.is_empty() && e.error.is_none() && e.descriptions.is_empty() {
            let message = format!(
                "entry `{}` has neither `error` nor `description`: a body without `error` is told by its description alone, so the entry could never match",
                e.variant
            );
            let help = "give the entry the description the server sends, or the `error` it sends";
            self.diags.push(e.variant_loc.error(message).with_help(help));
        }
        for (t, loc) in &e.descriptions {
            if e.prefix && t.literals.last().is_some_and(String::is_empty) && !t.placeholders.is_empty() {
                let message = format!(
                    "description `{}` of prefix entry `{}` ends in a placeholder: the rest of the message would have no place",
                    t.text, e.variant
                );
                self.diags.push(loc.error(message).with_help("end a prefix template with literal text"));
            }
            if e.prefix && t.placeholders.len() >= MAX_PLACEHOLDERS {
                let message = format!(
                    "description `{}` of prefix entry `{}` has {} placeholders: a prefix keeps the rest of the message in a hidden one, so it may have at most {}",
                    t.text,
                    e.variant,
                    t.placeholders.len(),
                    MAX_PLACEHOLDERS - 1
                );
                self.diags.push(loc.error(message));
            }
            if t.placeholders.iter().any(|p| p.name == TEXT_FIELD) {
                let message = format!(
                    "placeholder `{{{TEXT_FIELD}}}` in entry `{}`: every variant has a field `{TEXT_FIELD}` that keeps the server's words",
                    e.variant
                );
                self.diags.push(loc.error(message).with_help("give the captured value another name"));
            }
        }
        let Some(((first, _), rest)) = e.descriptions.split_first() else { return };
        for (t, loc) in rest {
            if fields(t) != fields(first) {
                let message = format!(
                    "the descriptions of entry `{}` have different placeholders: `{}` and `{}`",
                    e.variant, first.text, t.text
                );
                let help =
                    "every form of one meaning gives the variant the same fields (same names and types)";
                self.diags.push(loc.error(message).with_help(help));
            }
        }
    }

    fn variant_name(&mut self, e: &'s ErrorDef, seen: &mut BTreeMap<&'s str, &'s Loc>) {
        let at = &e.variant_loc;
        if let Some(problem) = variant_name_problem(&e.variant) {
            let help = format!("use an UpperCamelCase name such as `{}`", suggest_variant(&e.variant));
            self.diags.push(at.error(format!("`variant` of [[errors]] entry: {problem}")).with_help(help));
        } else if RESERVED_VARIANTS.contains(&e.variant.as_str()) {
            self.diags.push(at.error(format!(
                "variant name `{}` is reserved: the generated enum uses `Status` for answers without an error body and `Unknown` for errors the spec does not list",
                e.variant
            )));
        } else if let Some(first) = seen.insert(&e.variant, at) {
            let help = format!("`{}` is first declared at {}", e.variant, self.line_of(first));
            self.diags.push(at.error(format!("duplicate variant name `{}`", e.variant)).with_help(help));
        }
    }

    /// Groups the forms by (status, `error`), gives each pair with an `error` (and, in an
    /// API without codes, each status) its catch-all, and reports what can never match
    /// or cannot be told apart.
    fn lookup_groups(&mut self, entries: &mut Entries<'_>) -> Vec<Group> {
        let mut pairs: BTreeMap<(u16, Option<String>), Vec<usize>> = BTreeMap::new();
        for (i, (_, e)) in entries.iter().enumerate() {
            pairs.entry((e.status, e.error.clone())).or_default().push(i);
            if e.without_error {
                pairs.entry((e.status, None)).or_default().push(i);
            }
        }
        let mut out = Vec::with_capacity(pairs.len());
        for ((status, error), members) in pairs {
            let forms: Vec<Form> = members
                .iter()
                .flat_map(|&entry| {
                    (0..entries[entry].1.templates.len()).map(move |template| Form { entry, template })
                })
                .collect();
            self.overlaps(entries, &forms, status, error.as_deref());
            let catch_all = match &error {
                // Bodies without a code are never taken by a catch-all, unless the API
                // has no codes at all: then each status may have one.
                None if self.spec.shape.code.is_empty() => {
                    members.iter().copied().find(|&i| entries[i].1.is_catch_all())
                }
                None => None,
                Some(code) => self.catch_all(entries, &members, status, code),
            };
            if let Some(i) = catch_all {
                entries[i].1.takes_any = true;
            }
            out.push(Group { status, error, forms, catch_all });
        }
        out
    }

    /// Reports a form that an earlier one of the same pair already matches in full
    /// (under the tolerant rules: case, quotes, whitespace runs and closing punctuation
    /// do not count), so that it can never win.
    fn overlaps(&mut self, entries: &Entries<'_>, forms: &[Form], status: u16, error: Option<&str>) {
        let pair = error
            .map_or(format!("(status {status}, no `error`)"), |e| format!("(status {status}, error `{e}`)"));
        let template = |f: &Form| &entries[f.entry].1.templates[f.template];
        for (pos, later) in forms.iter().enumerate() {
            let (b_def, b) = &entries[later.entry];
            let (b_tpl, at) = &b_def.descriptions[later.template];
            let covering =
                forms[..pos].iter().find(|f| template(f).same_shape(b_tpl) || template(f).covers(b_tpl));
            // Without a code, two meanings that share a text cannot be told apart: any
            // overlap is reported, not only a form hidden in full.
            let overlapping = || {
                let b = template(later);
                forms[..pos].iter().find(|f| {
                    let a = template(f);
                    f.entry != later.entry
                        && overlap(&a.literals, &a.placeholders, &b.literals, &b.placeholders)
                })
            };
            let (earlier, message) = match covering {
                Some(earlier) if earlier.entry == later.entry => (
                    earlier,
                    format!(
                        "description `{}` of entry `{}` is already matched by its description `{}`",
                        b_tpl.text,
                        b.variant,
                        template(earlier).text
                    ),
                ),
                Some(earlier) => (
                    earlier,
                    format!(
                        "entries `{}` and `{}` cannot be told apart under {pair}: every description `{}` matches, `{}` matches too",
                        entries[earlier.entry].1.variant,
                        b.variant,
                        b_tpl.text,
                        template(earlier).text
                    ),
                ),
                None if error.is_none() => match overlapping() {
                    Some(earlier) => (
                        earlier,
                        format!(
                            "entries `{}` and `{}` cannot be told apart under {pair}: some descriptions match both `{}` and `{}`, and a body without `error` has nothing else to tell them by",
                            entries[earlier.entry].1.variant,
                            b.variant,
                            template(earlier).text,
                            b_tpl.text
                        ),
                    ),
                    None => continue,
                },
                None => continue,
            };
            let (a_def, a) = &entries[earlier.entry];
            let help = format!(
                "letter case, quotes, whitespace runs and a closing `.`/`!`/`。` do not count when matching; remove the form, or make the templates disjoint (`{}` is at {})",
                a.variant,
                self.line_of(&a_def.loc)
            );
            self.diags.push(at.error(message).with_help(help));
        }
    }

    /// The catch-all of (status, `code`): the entry without a description, or the pair's
    /// only meaning when it has no fields. A pair of several meanings needs one declared.
    fn catch_all(
        &mut self,
        entries: &Entries<'_>,
        members: &[usize],
        status: u16,
        code: &str,
    ) -> Option<usize> {
        let own: Vec<usize> =
            members.iter().copied().filter(|&i| entries[i].1.error.as_deref() == Some(code)).collect();
        let declared: Vec<usize> = own.iter().copied().filter(|&i| entries[i].1.is_catch_all()).collect();
        if let [first, second, ..] = declared[..] {
            let ((a_def, a), (b_def, b)) = (&entries[first], &entries[second]);
            let message = format!(
                "entries `{}` and `{}` are both catch-alls of (status {status}, error `{code}`)",
                a.variant, b.variant
            );
            let help = format!(
                "keep one entry without `description`; `{}` is at {}",
                a.variant,
                self.line_of(&a_def.loc)
            );
            self.diags.push(b_def.variant_loc.error(message).with_help(help));
        }
        if let Some(&i) = declared.first() {
            return Some(i);
        }
        match own[..] {
            [only] if entries[only].1.fields.is_empty() => Some(only),
            _ => {
                let (first_def, _) = &entries[*own.first()?];
                let message = format!(
                    "(status {status}, error `{code}`) has no catch-all: a description none of its {} entries matches would have no variant",
                    own.len()
                );
                // Named after the code, unless an entry already has that name.
                let mut variant = suggest_variant(code);
                if self.spec.errors.iter().any(|e| e.variant == variant) {
                    variant.push_str("Error");
                }
                let help = format!(
                    "add an entry for the code itself, without `description`, e.g. `variant = \"{variant}\"`, `status = {status}`, `error = \"{code}\"` with its cause and remedy"
                );
                self.diags.push(first_def.loc.error(message).with_help(help));
                None
            }
        }
    }
}

/// A template's placeholders as the variant's fields: names and types, sorted.
fn fields(t: &Template) -> Vec<(&str, &str)> {
    let mut fields: Vec<_> = t.placeholders.iter().map(|p| (p.name.as_str(), p.kind.name())).collect();
    fields.sort_unstable();
    fields
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
