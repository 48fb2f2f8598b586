//! Stage 1, parse: spec files (TOML, read by the `toml` crate) into plain data that
//! remembers where each value came from.
//!
//! This stage checks what one key can tell on its own — that it is known, present when
//! required, of the right type and in range — and resolves retry policies against
//! `[defaults]` (read first). Rules across entries live in [`crate::validate`].

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::Diagnostic;
use crate::keys::{Cx, Value};
use crate::shape::Shape;
use crate::source::SourceFile;
use crate::template::Template;

/// A position in one of the spec's files.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Loc {
    /// Index into [`Spec::sources`].
    pub file: usize,
    /// Byte range in that file.
    pub span: Range<usize>,
}

impl Loc {
    /// A diagnostic at this position.
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.file, self.span.clone(), message)
    }
}

/// A spec as read: every file, and what they declare.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// The files the spec was read from, in order.
    pub sources: Vec<SourceFile>,
    /// The `[api]` table (exactly one file must have it).
    pub api: Option<Api>,
    /// Every `[status.NNN]` table, in file order.
    pub statuses: Vec<StatusDef>,
    /// Every `[[errors]]` entry, in file order.
    pub errors: Vec<ErrorDef>,
    /// The languages of causes, remedies and meanings (`[api] languages`), the first the
    /// default; `["en"]` unless declared.
    pub languages: Vec<String>,
    /// `[body]`: where answers keep their code and message; Easemob's by default.
    pub shape: Shape,
}

/// `[api]`: what the generated type is called and how it is documented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    /// The enum's name.
    pub name: String,
    /// Where `name` is.
    pub name_loc: Loc,
    /// Doc text for the enum.
    pub doc: Option<String>,
}

/// Backoff numbers as written; each may be left to `[defaults]` or the built-in ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BackoffDef {
    /// Most attempts in all, the first one included.
    pub attempts: Option<u64>,
    /// Base delay in milliseconds.
    pub base_ms: Option<u64>,
    /// Largest delay in milliseconds.
    pub max_ms: Option<u64>,
}

/// The retry policy names a spec may use.
pub const RETRY_NAMES: [&str; 4] = ["never", "backoff", "refresh_token", "split_body"];

/// Built-in backoff numbers, used where neither the entry nor `[defaults]` gives one.
pub const DEFAULT_BACKOFF: Backoff = Backoff { attempts: 3, base_ms: 500, max_ms: 30_000 };

/// A retry policy, its numbers resolved (the entry's, else `[defaults]`, else the
/// built-in ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Do not retry.
    Never,
    /// Exponential backoff.
    Backoff(Backoff),
    /// Get a new app token, then retry once.
    RefreshToken,
    /// Split the request body into smaller bodies, then retry.
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

/// `[status.NNN]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDef {
    /// The HTTP status.
    pub status: u16,
    /// Where the status key is.
    pub loc: Loc,
    /// Reason phrase, e.g. `Bad Gateway`.
    pub name: String,
    /// What the status means for this API, one text per language.
    pub meanings: Vec<String>,
    /// Default retry policy of errors with this status.
    pub retry: Policy,
    /// Whether errors with this status are system errors that must be logged and alerted.
    pub alert: bool,
}

/// One `[[errors]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDef {
    /// The whole entry.
    pub loc: Loc,
    /// Variant name.
    pub variant: String,
    /// Where the variant name is.
    pub variant_loc: Loc,
    /// HTTP status.
    pub status: u16,
    /// Where the status is.
    pub status_loc: Loc,
    /// The body's code (`error` or `code`); `None` when the server sends none (or an
    /// empty one).
    pub error: Option<String>,
    /// Whether the code was written as an integer (`code = 40001`), and where.
    pub code_loc: Option<(bool, Loc)>,
    /// Whether the descriptions match the start of the message (the rest is kept).
    pub prefix: bool,
    /// The description templates, each with where it is; none for a catch-all, which
    /// matches any description.
    pub descriptions: Vec<(Template, Loc)>,
    /// Whether the server also sends these descriptions without `error`.
    pub without_error: bool,
    /// Why it happens, one text per language.
    pub causes: Vec<String>,
    /// What to do, one text per language.
    pub remedies: Vec<String>,
    /// Retry policy, when it differs from the status default.
    pub retry: Option<Policy>,
    /// Alert flag, when it differs from the status default.
    pub alert: Option<bool>,
}

const TOP_KEYS: [&str; 6] = ["include", "api", "body", "defaults", "status", "errors"];
const API_KEYS: [&str; 3] = ["name", "doc", "languages"];
const BACKOFF_KEYS: [&str; 3] = ["attempts", "base_ms", "max_ms"];
const RETRY_TABLE_KEYS: [&str; 4] = ["action", "attempts", "base_ms", "max_ms"];
const STATUS_KEYS: [&str; 4] = ["name", "meaning", "retry", "alert"];
pub(crate) const ERROR_KEYS: [&str; 12] = [
    "variant",
    "status",
    "error",
    "code",
    "description",
    "without_error",
    "prefix",
    "cause",
    "remedy",
    "retry",
    "alert",
    "note",
];

/// The key of a text in language `i` of `languages`: `key` for the first, `key_<lang>`
/// for the others (`cause`, `cause_zh`).
pub fn localized(key: &str, languages: &[String], i: usize) -> String {
    match (i, languages.get(i)) {
        (0, _) | (_, None) => key.to_owned(),
        (_, Some(lang)) => format!("{key}_{lang}"),
    }
}

/// A table's allowed keys: `base`, plus the other languages' forms of `texts`.
pub(crate) fn keys_with_languages(base: &[&str], texts: &[&str], languages: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = base.iter().map(|k| (*k).to_owned()).collect();
    for text in texts {
        keys.extend((1..languages.len()).map(|i| localized(text, languages, i)));
    }
    keys
}

/// Parses already-read sources into a [`Spec`], collecting every problem found.
pub fn parse(sources: Vec<SourceFile>) -> (Spec, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut tables = Vec::with_capacity(sources.len());
    for (file, source) in sources.iter().enumerate() {
        let (table, errors) = DeTable::parse_recoverable(&source.text);
        let broken = !errors.is_empty();
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            diags.push(Diagnostic::new(file, span, format!("TOML syntax error: {}", e.message().trim())));
        }
        tables.push((table.into_inner(), broken));
    }
    let mut spec = Spec { languages: vec!["en".to_owned()], ..Spec::default() };
    let mut defaults = BackoffDef::default();
    let mut api_file: Option<usize> = None;
    let mut body_file: Option<usize> = None;
    // `[api] languages` and `[defaults]` first: the languages name the keys every
    // status and entry must have, and `retry = "backoff"` in any file takes the
    // defaults' numbers.
    for (file, (table, broken)) in tables.iter().enumerate() {
        let mut cx = Cx { diags: &mut diags, file, text: &sources[file].text, defaults };
        if let (false, Some(api)) = (*broken, table.get("api").and_then(|a| a.get_ref().as_table()))
            && let Some(languages) = cx.languages(api)
        {
            spec.languages = languages;
        }
        if let Some(value) = table.get("defaults")
            && let Some(t) = cx.table(value, "[defaults]")
        {
            cx.unknown_keys(t, &BACKOFF_KEYS, "[defaults]");
            defaults = cx.backoff_numbers(t, "[defaults]");
        }
    }
    for (file, (table, broken)) in tables.iter().enumerate() {
        // A file with syntax errors is only read for the enum's name (for the skeleton):
        // what the parser recovered would give follow-on errors, not real ones.
        if *broken {
            spec.api = spec.api.take().or_else(|| lenient_api(table, file));
            continue;
        }
        let mut cx = Cx { diags: &mut diags, file, text: &sources[file].text, defaults };
        cx.unknown_keys(table, &TOP_KEYS, "the spec's top level");
        if let Some(value) = table.get("include") {
            let is_list = value.get_ref().as_array().is_some_and(|a| a.iter().all(|i| i.get_ref().is_str()));
            if !is_list {
                cx.wrong_type(
                    value,
                    "include",
                    "the spec's top level",
                    "an array of paths, e.g. `[\"easemob\"]`",
                );
            } else if file != 0 {
                cx.diags.push(cx.loc(value.span()).error(
                    "`include` is only read in the spec file that `include_errors!` names, not in included files",
                ));
            }
        }
        if let Some((key, value)) = table.get_key_value("api") {
            if let Some(first) = api_file {
                let first = sources.get(first).map_or("", |s| s.display.as_str());
                let d = cx.loc(key.span()).error("`[api]` is declared twice");
                cx.diags.push(d.with_help(format!("keep one `[api]` table; the other one is in {first}")));
            } else if let Some(t) = cx.table(value, "[api]") {
                api_file = Some(file);
                cx.unknown_keys(t, &API_KEYS, "[api]");
                let name = cx.required_str(t, "name", "[api]", value.span());
                let doc = cx.optional_str(t, "doc", "[api]").map(|(doc, _)| doc);
                if let Some((name, name_loc)) = name {
                    spec.api = Some(Api { name, name_loc, doc });
                }
            }
        }
        if let Some((key, value)) = table.get_key_value("body") {
            if body_file.is_some() {
                cx.diags.push(cx.loc(key.span()).error("`[body]` is declared twice"));
            } else {
                body_file = Some(file);
                spec.shape = cx.shape(value);
            }
        }
        if let Some(value) = table.get("status")
            && let Some(t) = cx.table(value, "[status]")
        {
            for (key, value) in t {
                spec.statuses.extend(cx.status_def(key, value, &spec.languages));
            }
        }
        if let Some(value) = table.get("errors") {
            match value.get_ref().as_array() {
                Some(items) => {
                    for (index, item) in items.iter().enumerate() {
                        spec.errors.extend(cx.error_def(index, item, &spec.languages));
                    }
                }
                None => cx.wrong_type(
                    value,
                    "errors",
                    "the spec's top level",
                    "an array of tables (`[[errors]]`)",
                ),
            }
        }
    }
    if api_file.is_none() && !sources.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::new(0, 0..0, "the spec has no `[api]` table")
                .with_help("add `[api]` with `name = \"MyApiError\"`, the name of the generated enum"),
        );
    }
    spec.sources = sources;
    (spec, diags)
}

/// `[api]`'s name in a file that does not parse, if it can be read.
fn lenient_api(table: &DeTable<'_>, file: usize) -> Option<Api> {
    let name = table.get("api")?.get_ref().as_table()?.get("name")?;
    let name_loc = Loc { file, span: name.span() };
    Some(Api { name: name.get_ref().as_str()?.to_owned(), name_loc, doc: None })
}

impl Cx<'_> {
    /// `languages` of `[api]`: language tags, the first the default; `None` if absent
    /// or wrong.
    fn languages(&mut self, api: &DeTable<'_>) -> Option<Vec<String>> {
        let v = api.get("languages")?;
        let tags: Option<Vec<String>> = v
            .get_ref()
            .as_array()
            .filter(|a| !a.is_empty())
            .and_then(|a| a.iter().map(|i| i.get_ref().as_str().map(str::to_owned)).collect());
        let valid = |tag: &str| !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        match tags {
            Some(tags) if tags.iter().all(|t| valid(t)) => Some(tags),
            _ => {
                self.wrong_type(
                    v,
                    "languages",
                    "[api]",
                    "a non-empty array of lowercase language tags, e.g. `[\"en\", \"zh\"]`",
                );
                None
            }
        }
    }

    /// One required text per language: `key`, `key_zh`, ...
    pub(crate) fn texts(
        &mut self,
        t: &DeTable<'_>,
        key: &str,
        languages: &[String],
        what: &str,
        whole: Range<usize>,
    ) -> Option<Vec<String>> {
        let texts: Vec<Option<String>> = (0..languages.len())
            .map(|i| self.required_str(t, &localized(key, languages, i), what, whole.clone()).map(|(s, _)| s))
            .collect();
        texts.into_iter().collect()
    }

    /// A status: an integer from 100 to 599 (APIs that answer errors with HTTP 200
    /// declare 200 too).
    pub(crate) fn status_value(&mut self, n: i128, loc: &Loc, what: &str) -> Option<u16> {
        match u16::try_from(n) {
            Ok(status) if (100..=599).contains(&status) => Some(status),
            _ => {
                let message = format!("status `{n}` in {what} is outside 100–599: not an HTTP status");
                self.diags.push(loc.error(message));
                None
            }
        }
    }

    fn backoff_numbers(&mut self, t: &DeTable<'_>, what: &str) -> BackoffDef {
        BackoffDef {
            attempts: self.non_negative(t, "attempts", what),
            base_ms: self.non_negative(t, "base_ms", what),
            max_ms: self.non_negative(t, "max_ms", what),
        }
    }

    /// The policy `name` stands for (`backoff` with the `[defaults]` numbers).
    fn policy_name(&mut self, name: &str, loc: &Loc, what: &str) -> Option<Policy> {
        match name {
            "never" => Some(Policy::Never),
            "backoff" => Some(Policy::Backoff(self.backoff(BackoffDef::default(), loc))),
            "refresh_token" => Some(Policy::RefreshToken),
            "split_body" => Some(Policy::SplitBody),
            other => {
                let message = format!(
                    "unknown retry policy `{other}` in {what} (expected `never`, `backoff`, `refresh_token` or `split_body`)"
                );
                self.diags.push(loc.error(message).suggest(other, RETRY_NAMES));
                None
            }
        }
    }

    /// `retry = "name"` or `retry = { action = "backoff", attempts = 3, ... }`.
    pub(crate) fn retry(&mut self, t: &DeTable<'_>, what: &str) -> Option<Policy> {
        let v = t.get("retry")?;
        let loc = self.loc(v.span());
        match v.get_ref() {
            DeValue::String(name) => self.policy_name(name, &loc, what),
            DeValue::Table(rt) => {
                let inner = format!("the `retry` table of {what}");
                self.unknown_keys(rt, &RETRY_TABLE_KEYS, &inner);
                let (action, action_loc) = self.required_str(rt, "action", &inner, v.span())?;
                let numbers = self.backoff_numbers(rt, &inner);
                if action == "backoff" {
                    return Some(Policy::Backoff(self.backoff(numbers, &loc)));
                }
                let policy = self.policy_name(&action, &action_loc, what)?;
                if numbers != BackoffDef::default() {
                    let message = format!(
                        "retry policy `{action}` in {what} takes no `attempts`, `base_ms` or `max_ms`"
                    );
                    self.diags.push(loc.error(message).with_help("only `backoff` has numbers"));
                    return None;
                }
                Some(policy)
            }
            _ => {
                self.wrong_type(v, "retry", what, "a policy name (`\"never\"`, `\"backoff\"`, ...) or a table `{ action = \"backoff\", attempts = 3, base_ms = 500, max_ms = 30000 }`");
                None
            }
        }
    }

    /// Backoff numbers resolved (`numbers`, else `[defaults]`, else the built-in ones)
    /// and checked.
    fn backoff(&mut self, numbers: BackoffDef, loc: &Loc) -> Backoff {
        let (b, d) = (numbers, self.defaults);
        let attempts = b.attempts.or(d.attempts).unwrap_or(u64::from(DEFAULT_BACKOFF.attempts));
        let base_ms = b.base_ms.or(d.base_ms).unwrap_or(DEFAULT_BACKOFF.base_ms);
        let max_ms = b.max_ms.or(d.max_ms).unwrap_or(DEFAULT_BACKOFF.max_ms);
        if !(1..=100).contains(&attempts) {
            let message = format!("backoff `attempts` is {attempts}: it must be between 1 and 100");
            let help = "attempts counts the first try too; use `retry = \"never\"` for no retries";
            self.diags.push(loc.error(message).with_help(help));
        }
        if !(1..=3_600_000).contains(&base_ms) {
            let message =
                format!("backoff `base_ms` is {base_ms}: it must be between 1 and 3600000 (one hour)");
            self.diags.push(loc.error(message));
        }
        if max_ms < base_ms {
            self.diags.push(loc.error(format!(
                "backoff `max_ms` ({max_ms}) is below `base_ms` ({base_ms}): the largest delay cannot be shorter than the first"
            )));
        } else if max_ms > 86_400_000 {
            let message = format!("backoff `max_ms` is {max_ms}: it must be at most 86400000 (one day)");
            self.diags.push(loc.error(message));
        }
        Backoff { attempts: u32::try_from(attempts).unwrap_or(u32::MAX), base_ms, max_ms }
    }

    fn status_def(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Value<'_>,
        languages: &[String],
    ) -> Option<StatusDef> {
        let loc = self.loc(key.span());
        let raw = key.get_ref().as_ref();
        let Some(status) = raw.parse::<i128>().ok().and_then(|n| self.status_value(n, &loc, "`[status]`"))
        else {
            if raw.parse::<i128>().is_err() {
                self.diags.push(loc.error(format!("status `{raw}` is not a number: write `[status.429]`")));
            }
            return None;
        };
        let what = format!("[status.{status}]");
        let t = self.table(value, &what)?;
        let allowed = keys_with_languages(&STATUS_KEYS, &["meaning"], languages);
        self.unknown_keys(t, &allowed.iter().map(String::as_str).collect::<Vec<_>>(), &what);
        let whole = value.span();
        let name = self.required_str(t, "name", &what, whole.clone());
        let meanings = self.texts(t, "meaning", languages, &what, whole.clone());
        if !t.contains_key("retry") {
            self.missing(whole, "retry", &what, "a retry policy");
        }
        let retry = self.retry(t, &what);
        let alert = self.optional_bool(t, "alert", &what).unwrap_or(false);
        Some(StatusDef { status, loc, name: name?.0, meanings: meanings?, retry: retry?, alert })
    }
}
