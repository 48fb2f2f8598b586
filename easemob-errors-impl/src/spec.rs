//! Stage 1, parse: spec files (TOML) into plain data that remembers where each value came from.
//!
//! This stage checks what one key can tell on its own: that it is known, present when
//! required, of the right type and in range. Rules across entries live in [`crate::validate`].

use std::ops::Range;
use std::path::Path;

use crate::toml::{Key, Spanned, Table, Value};

use crate::diag::Diagnostic;
use crate::source::{SourceFile, resolve};
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
    /// `[defaults]`.
    pub defaults: BackoffDef,
    /// Every `[status.NNN]` table, in file order.
    pub statuses: Vec<StatusDef>,
    /// Every `[[errors]]` entry, in file order.
    pub errors: Vec<ErrorDef>,
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

/// Backoff numbers; each may be left to the spec's `[defaults]` or the built-in ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BackoffDef {
    /// Most attempts in all, the first one included.
    pub attempts: Option<u64>,
    /// Base delay in milliseconds.
    pub base_ms: Option<u64>,
    /// Largest delay in milliseconds.
    pub max_ms: Option<u64>,
}

/// A retry policy as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryDef {
    /// Do not retry.
    Never,
    /// Retry with exponential backoff.
    Backoff(BackoffDef),
    /// Get a new app token, then retry once.
    RefreshToken,
    /// Split the request body into smaller bodies, then retry.
    SplitBody,
}

/// The retry policy names a spec may use.
pub const RETRY_NAMES: [&str; 4] = ["never", "backoff", "refresh_token", "split_body"];

/// A retry policy and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    /// The policy.
    pub def: RetryDef,
    /// Where it is.
    pub loc: Loc,
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
    /// What the status means for this API (English).
    pub meaning: String,
    /// What the status means for this API (Chinese).
    pub meaning_zh: String,
    /// Default retry policy of errors with this status.
    pub retry: Retry,
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
    /// The body's `error` string; `None` when the server sends none.
    pub error: Option<String>,
    /// The description template (`{description}` when the entry gives none: a catch-all).
    pub description: Template,
    /// Where the description is, if given.
    pub description_loc: Option<Loc>,
    /// Cause, English.
    pub cause: String,
    /// Cause, Chinese.
    pub cause_zh: String,
    /// Remedy, English.
    pub remedy: String,
    /// Remedy, Chinese.
    pub remedy_zh: String,
    /// Retry policy, when it differs from the status default.
    pub retry: Option<Retry>,
    /// Alert flag, when it differs from the status default.
    pub alert: Option<bool>,
    /// Which of its texts a Rust string literal holds as they are.
    pub verbatim: Verbatim,
}

/// Which of an entry's texts are verbatim: written in the spec as one-line `"..."`
/// strings holding nothing a Rust string literal shows otherwise (no escapes, tabs, or
/// characters from U+0080 to U+00BF or from U+2000 to U+2FFF; see
/// [`Spanned::is_verbatim`]). The expansion copies those without escaping them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verbatim {
    /// The `error` string.
    pub error: bool,
    /// The description template (and so its literal pieces).
    pub description: bool,
    /// Cause, English.
    pub cause: bool,
    /// Cause, Chinese.
    pub cause_zh: bool,
    /// Remedy, English.
    pub remedy: bool,
    /// Remedy, Chinese.
    pub remedy_zh: bool,
}

const TOP_KEYS: [&str; 5] = ["include", "api", "defaults", "status", "errors"];
const API_KEYS: [&str; 2] = ["name", "doc"];
const BACKOFF_KEYS: [&str; 3] = ["attempts", "base_ms", "max_ms"];
const RETRY_TABLE_KEYS: [&str; 4] = ["action", "attempts", "base_ms", "max_ms"];
const STATUS_KEYS: [&str; 5] = ["name", "meaning", "meaning_zh", "retry", "alert"];
const ERROR_KEYS: [&str; 11] = [
    "variant",
    "status",
    "error",
    "description",
    "cause",
    "cause_zh",
    "remedy",
    "remedy_zh",
    "retry",
    "alert",
    "note",
];

/// Reads the spec named by `written` (a `.toml` file, or a directory of them, read in
/// name order), resolved against `base`.
pub fn read_sources(written: &str, base: Option<&Path>) -> Result<Vec<SourceFile>, Diagnostic> {
    read_sources_following(written, base, true)
}

/// [`read_sources`]; `follow` says whether to read the root file's `include` list
/// (included files' own lists are not followed: the parse stage reports them).
fn read_sources_following(
    written: &str,
    base: Option<&Path>,
    follow: bool,
) -> Result<Vec<SourceFile>, Diagnostic> {
    if written.trim().is_empty() {
        return Err(Diagnostic::global("the spec path is empty").with_help(
            "name a spec file relative to the crate's Cargo.toml, e.g. `include_errors!(\"spec/api.toml\")`",
        ));
    }
    let resolved = resolve(written, base);
    let meta = std::fs::metadata(&resolved).map_err(|e| {
        Diagnostic::global(format!(
            "cannot read spec `{written}` (resolved to {}): {}",
            resolved.display(),
            io_reason(&e)
        ))
        .with_help("paths are relative to the invoking crate's directory (CARGO_MANIFEST_DIR)")
    })?;
    let mut files = Vec::new();
    if meta.is_dir() {
        let entries = std::fs::read_dir(&resolved).map_err(|e| {
            Diagnostic::global(format!(
                "cannot list spec directory `{written}` (resolved to {}): {}",
                resolved.display(),
                io_reason(&e)
            ))
        })?;
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "toml") && e.path().is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(Diagnostic::global(format!(
                "spec directory `{written}` (resolved to {}) has no `.toml` files",
                resolved.display()
            )));
        }
        for name in names {
            let display = format!("{}/{name}", written.trim_end_matches('/'));
            files.push(read_one(&display, &resolved.join(&name))?);
        }
    } else {
        let root = read_one(written, &resolved)?;
        let includes = if follow { included_paths(&root.text) } else { Vec::new() };
        files.push(root);
        let (display_dir, resolved_dir) = (parent_of(written), resolved.parent().map(Path::to_path_buf));
        for include in includes {
            let display =
                if display_dir.is_empty() { include.clone() } else { format!("{display_dir}/{include}") };
            let base = resolved_dir.as_deref();
            let more = read_sources_following(&include, base, false).map_err(|d| {
                Diagnostic::global(format!("in `include` of `{written}`: {}", d.message)).with_help(
                    d.help.unwrap_or_else(|| "`include` paths are relative to the including file".into()),
                )
            })?;
            for mut file in more {
                file.display = file.display.replacen(&include, &display, 1);
                files.push(file);
            }
        }
    }
    Ok(files)
}

/// The `include = [...]` list of a root spec file (read leniently: the parse stage
/// reports a malformed one). Only the top-level keys are read.
fn included_paths(text: &str) -> Vec<String> {
    let Ok(table) = crate::toml::parse_top_level(text) else { return Vec::new() };
    match table.get_ref().get("include").map(|v| v.get_ref()) {
        Some(Value::Array(items)) => {
            items.iter().filter_map(|i| i.get_ref().as_str().map(str::to_owned)).collect()
        }
        _ => Vec::new(),
    }
}

fn parent_of(written: &str) -> String {
    Path::new(written).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

fn read_one(display: &str, path: &Path) -> Result<SourceFile, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::global(format!(
            "cannot read spec file `{display}` (resolved to {}): {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(display, path, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(e.as_bytes().get(..at).unwrap_or_default()).into_owned();
            let pos = SourceFile::new(display, path, valid).line_col(at);
            Err(Diagnostic::global(format!(
                "spec file `{display}` (resolved to {}) is not valid UTF-8: invalid byte at line {}, column {}",
                path.display(),
                pos.line,
                pos.column
            ))
            .with_help("save the spec as UTF-8"))
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Parses already-read sources into a [`Spec`], collecting every problem found.
pub fn parse(sources: Vec<SourceFile>) -> (Spec, Vec<Diagnostic>) {
    let mut spec = Spec { sources, ..Spec::default() };
    let texts: Vec<String> = spec.sources.iter().map(|s| s.text.clone()).collect();
    let mut cx = Cx { diags: Vec::new(), file: 0, texts: &texts };
    let mut tables = Vec::new();
    for (file, text) in texts.iter().enumerate() {
        cx.file = file;
        match crate::toml::parse(text) {
            Ok(table) => tables.push((file, table)),
            Err(e) => {
                let span = e.span();
                cx.diags.push(Diagnostic::new(
                    file,
                    span,
                    format!("TOML syntax error: {}", e.message().trim()),
                ));
            }
        }
    }
    let mut api_seen: Option<Loc> = None;
    // `[defaults]` first: `retry = "backoff"` anywhere takes its numbers.
    for (file, table) in &tables {
        cx.file = *file;
        if let Some(value) = table.get_ref().get("defaults")
            && let Some(t) = cx.table(value, "[defaults]")
        {
            cx.unknown_keys(t, &BACKOFF_KEYS, "[defaults]");
            spec.defaults = cx.backoff_numbers(t, "[defaults]");
        }
    }
    for (file, table) in &mut tables {
        cx.file = *file;
        // The entries are moved out (an empty list stays): their strings move on into
        // the `ErrorDef`s instead of being copied.
        let errors = table
            .get_mut()
            .get_mut("errors")
            .map(|v| (v.span(), std::mem::replace(v.get_mut(), Value::Array(Vec::new()))));
        let table = table.get_ref();
        cx.unknown_keys(table, &TOP_KEYS, "the spec's top level");
        if let Some(value) = table.get("include") {
            let is_list =
                matches!(value.get_ref(), Value::Array(items) if items.iter().all(|i| i.get_ref().is_str()));
            if !is_list {
                cx.wrong_type(
                    value,
                    "include",
                    "the spec's top level",
                    "an array of paths, e.g. `[\"easemob\"]`",
                );
            } else if *file != 0 {
                cx.diags.push(cx.loc(value.span()).error(
                    "`include` is only read in the spec file that `include_errors!` names, not in included files",
                ));
            }
        }
        if let Some((key, value)) = table.get_key_value("api") {
            let loc = cx.loc(key.span());
            if let Some(prev) = &api_seen {
                cx.diags.push(loc.error("`[api]` is declared twice").with_help(format!(
                    "keep one `[api]` table; the other one is in {}",
                    spec.sources.get(prev.file).map_or("", |s| s.display.as_str())
                )));
            } else if let Some(t) = cx.table(value, "[api]") {
                cx.unknown_keys(t, &API_KEYS, "[api]");
                let name = cx.req_str(t, "name", "[api]", value.span());
                let doc = cx.opt_str(t, "doc", "[api]");
                if let Some((name, name_loc)) = name {
                    spec.api = Some(Api { name, name_loc, doc });
                }
                api_seen = Some(loc);
            }
        }
        if let Some(value) = table.get("status")
            && let Some(t) = cx.table(value, "[status]")
        {
            for (key, value) in t {
                if let Some(s) = cx.status_def(key, value) {
                    spec.statuses.push(s);
                }
            }
        }
        if let Some((span, value)) = errors {
            match value {
                Value::Array(items) => {
                    let (defs, diags) = error_defs(cx.file, cx.texts, items);
                    spec.errors.extend(defs);
                    cx.diags.extend(diags);
                }
                other => cx.diags.push(cx.loc(span).error(format!(
                    "`errors` must be an array of tables (`[[errors]]`), found {}",
                    describe(&other)
                ))),
            }
        }
    }
    if api_seen.is_none() && !spec.sources.is_empty() && cx.diags.is_empty() {
        cx.diags.push(
            Diagnostic::new(0, 0..0, "the spec has no `[api]` table")
                .with_help("add `[api]` with `name = \"MyApiError\"`, the name of the generated enum"),
        );
    }
    (spec, cx.diags)
}

/// Entries from which `[[errors]]` tables are read on two threads.
const PARALLEL_FROM: usize = 2000;

/// Reads the `[[errors]]` tables of one file, in order; a large list in two halves on
/// two threads (each entry is read on its own, so the result is the same).
fn error_defs(
    file: usize,
    texts: &[String],
    mut items: Vec<Spanned<Value>>,
) -> (Vec<ErrorDef>, Vec<Diagnostic>) {
    let total = items.len();
    // `room`: the first half's list has room for all (each list has room for at least
    // its own entries), so the second is appended to it without growing it. A plain
    // loop: each entry is hundreds of bytes, copied at every step of an iterator chain
    // in the unoptimized macro.
    let read = |base: usize, items: Vec<Spanned<Value>>, room: usize| {
        let mut cx = Cx { diags: Vec::new(), file, texts };
        let mut defs: Vec<ErrorDef> = Vec::with_capacity(room.max(items.len()));
        for (i, item) in (base..).zip(items) {
            if let Some(def) = cx.error_def(i, item) {
                defs.push(def);
            }
        }
        (defs, cx.diags)
    };
    if items.len() < PARALLEL_FROM {
        return read(0, items, total);
    }
    let base = items.len() / 2;
    let mut second = Some(items.split_off(base));
    let ((mut defs, mut diags), rest) = std::thread::scope(|scope| {
        let worker =
            std::thread::Builder::new().spawn_scoped(scope, || second.take().map(|half| read(base, half, 0)));
        let first = read(0, items, total);
        (first, worker.ok().and_then(|w| w.join().ok()).flatten())
    });
    // If no second thread could start, the second half is read here.
    match rest.or_else(|| second.take().map(|half| read(base, half, 0))) {
        Some((more_defs, more_diags)) => {
            defs.extend(more_defs);
            diags.extend(more_diags);
        }
        // The second thread stopped (it never panics): say so rather than lose entries.
        None => diags.push(Diagnostic::new(
            file,
            0..0,
            "internal error: reading the second half of `[[errors]]` failed; please report it",
        )),
    }
    (defs, diags)
}

struct Cx<'t> {
    diags: Vec<Diagnostic>,
    file: usize,
    texts: &'t [String],
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a datetime",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

impl Cx<'_> {
    fn loc(&self, span: Range<usize>) -> Loc {
        Loc { file: self.file, span }
    }

    fn table<'a>(&mut self, v: &'a Spanned<Value>, what: &str) -> Option<&'a Table> {
        match v.get_ref() {
            Value::Table(t) => Some(t),
            other => {
                self.diags.push(
                    self.loc(v.span()).error(format!("{what} must be a table, found {}", describe(other))),
                );
                None
            }
        }
    }

    fn unknown_keys(&mut self, t: &Table, allowed: &[&str], what: &str) {
        for key in t.keys() {
            if !crate::ident::is_one_of(key.get_ref().as_bytes(), allowed) {
                let name = key.get_ref().as_str();
                let d = self
                    .loc(key.span())
                    .error(format!(
                        "unknown key `{name}` in {what} (expected one of {})",
                        allowed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    ))
                    .suggest(name, allowed.iter().copied());
                self.diags.push(d);
            }
        }
    }

    fn missing(&mut self, span: Range<usize>, key: &str, what: &str, expected: &str) {
        self.diags.push(
            self.loc(span).error(format!("missing required key `{key}` in {what} (expected {expected})")),
        );
    }

    fn wrong_type(&mut self, v: &Spanned<Value>, key: &str, what: &str, expected: &str) {
        self.diags.push(self.loc(v.span()).error(format!(
            "wrong type for `{key}` in {what}: expected {expected}, found {}",
            describe(v.get_ref())
        )));
    }

    fn opt_str(&mut self, t: &Table, key: &str, what: &str) -> Option<String> {
        self.opt_str_loc(t, key, what).map(|(s, _)| s)
    }

    fn opt_str_loc(&mut self, t: &Table, key: &str, what: &str) -> Option<(String, Loc)> {
        let v = t.get(key)?;
        match v.get_ref() {
            Value::String(s) => Some((s.to_string(), self.loc(v.span()))),
            _ => {
                self.wrong_type(v, key, what, "a string");
                None
            }
        }
    }

    /// As [`Self::opt_str_loc`], moving the string out of the table (an empty one stays).
    /// Also whether the string is verbatim (see [`crate::toml::Spanned::is_verbatim`]).
    fn take_str_loc(&mut self, t: &mut Table, key: &str, what: &str) -> Option<(String, Loc, bool)> {
        let v = t.get_mut(key)?;
        let span = v.span();
        let verbatim = v.is_verbatim();
        match v.get_mut() {
            Value::String(s) => Some((std::mem::take(s), self.loc(span), verbatim)),
            _ => {
                self.wrong_type(v, key, what, "a string");
                None
            }
        }
    }

    /// As [`Self::req_str`], moving the string out of the table (an empty one stays).
    fn take_req_str(
        &mut self,
        t: &mut Table,
        key: &str,
        what: &str,
        whole: Range<usize>,
    ) -> Option<(String, Loc, bool)> {
        let taken = self.take_str_loc(t, key, what);
        // One lookup when the key is there (nearly always).
        if taken.is_none() && t.get(key).is_none() {
            self.missing(whole, key, what, "a string");
        }
        taken
    }

    fn req_str(&mut self, t: &Table, key: &str, what: &str, whole: Range<usize>) -> Option<(String, Loc)> {
        if t.get(key).is_none() {
            self.missing(whole, key, what, "a string");
            return None;
        }
        self.opt_str_loc(t, key, what)
    }

    fn opt_bool(&mut self, t: &Table, key: &str, what: &str) -> Option<bool> {
        let v = t.get(key)?;
        match v.get_ref() {
            Value::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(v, key, what, "a boolean (`true` or `false`)");
                None
            }
        }
    }

    fn opt_int(&mut self, t: &Table, key: &str, what: &str) -> Option<(i128, Loc)> {
        let v = t.get(key)?;
        match v.get_ref() {
            Value::Integer(n) => Some((i128::from(*n), self.loc(v.span()))),
            _ => {
                self.wrong_type(v, key, what, "an integer");
                None
            }
        }
    }

    fn non_negative(&mut self, t: &Table, key: &str, what: &str) -> Option<u64> {
        let (n, loc) = self.opt_int(t, key, what)?;
        match u64::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                self.diags.push(loc.error(format!("`{key}` in {what} must not be negative, found {n}")));
                None
            }
        }
    }

    fn backoff_numbers(&mut self, t: &Table, what: &str) -> BackoffDef {
        BackoffDef {
            attempts: self.non_negative(t, "attempts", what),
            base_ms: self.non_negative(t, "base_ms", what),
            max_ms: self.non_negative(t, "max_ms", what),
        }
    }

    fn retry(&mut self, t: &Table, what: &str) -> Option<Retry> {
        let v = t.get("retry")?;
        let loc = self.loc(v.span());
        let named = |cx: &mut Self, name: &str, span: Range<usize>| -> Option<RetryDef> {
            match name {
                "never" => Some(RetryDef::Never),
                "backoff" => Some(RetryDef::Backoff(BackoffDef::default())),
                "refresh_token" => Some(RetryDef::RefreshToken),
                "split_body" => Some(RetryDef::SplitBody),
                other => {
                    let d = cx
                        .loc(span)
                        .error(format!(
                            "unknown retry policy `{other}` in {what} (expected `never`, `backoff`, `refresh_token` or `split_body`)"
                        ))
                        .suggest(other, RETRY_NAMES);
                    cx.diags.push(d);
                    None
                }
            }
        };
        let def = match v.get_ref() {
            Value::String(s) => named(self, s, v.span())?,
            Value::Table(rt) => {
                let inner = format!("the `retry` table of {what}");
                self.unknown_keys(rt, &RETRY_TABLE_KEYS, &inner);
                let (action, action_loc) = self.req_str(rt, "action", &inner, v.span())?;
                let def = named(self, &action, action_loc.span.clone())?;
                let numbers = self.backoff_numbers(rt, &inner);
                match def {
                    RetryDef::Backoff(_) => RetryDef::Backoff(numbers),
                    other => {
                        if numbers != BackoffDef::default() {
                            self.diags.push(loc.error(format!(
                                "retry policy `{action}` in {what} takes no `attempts`, `base_ms` or `max_ms`"
                            )).with_help("only `backoff` has numbers"));
                        }
                        other
                    }
                }
            }
            _ => {
                self.wrong_type(v, "retry", what, "a policy name (`\"never\"`, `\"backoff\"`, ...) or a table `{ action = \"backoff\", attempts = 3, base_ms = 500, max_ms = 30000 }`");
                return None;
            }
        };
        Some(Retry { def, loc })
    }

    fn status_def(&mut self, key: &Spanned<Key>, value: &Spanned<Value>) -> Option<StatusDef> {
        let loc = self.loc(key.span());
        let raw: &str = key.get_ref();
        let status = match raw.parse::<u16>() {
            Ok(s) if (400..=599).contains(&s) => s,
            Ok(_) | Err(_) => {
                self.diags.push(loc.error(format!(
                    "status `{raw}` is outside 400–599: only error statuses can be declared"
                )));
                return None;
            }
        };
        let what = format!("[status.{status}]");
        let t = self.table(value, &what)?;
        self.unknown_keys(t, &STATUS_KEYS, &what);
        let whole = value.span();
        let name = self.req_str(t, "name", &what, whole.clone());
        let meaning = self.req_str(t, "meaning", &what, whole.clone());
        let meaning_zh = self.req_str(t, "meaning_zh", &what, whole.clone());
        let retry = self.retry(t, &what);
        if t.get("retry").is_none() {
            self.missing(whole, "retry", &what, "a retry policy");
        }
        let alert = self.opt_bool(t, "alert", &what).unwrap_or(false);
        Some(StatusDef {
            status,
            loc,
            name: name?.0,
            meaning: meaning?.0,
            meaning_zh: meaning_zh?.0,
            retry: retry?,
            alert,
        })
    }

    fn error_def(&mut self, index: usize, mut item: Spanned<Value>) -> Option<ErrorDef> {
        let loc = self.loc(item.span());
        let whole = item.span();
        let Value::Table(t) = item.get_mut() else {
            self.diags.push(loc.error(format!(
                "`errors` entry #{} must be a table, found {}",
                index + 1,
                describe(item.get_ref())
            )));
            return None;
        };
        // (Concatenated: `format!` costs thousands of instructions unoptimized.)
        let label = match t.get("variant").and_then(|v| v.get_ref().as_str()) {
            Some(name) => {
                let mut label = String::with_capacity(name.len() + 20);
                label.push_str("[[errors]] entry `");
                label.push_str(name);
                label.push('`');
                label
            }
            None => format!("[[errors]] entry #{}", index + 1),
        };
        let what = label.as_str();
        self.unknown_keys(t, &ERROR_KEYS, what);
        let variant = self.take_req_str(t, "variant", what, whole.clone()).map(|(s, loc, _)| (s, loc));
        let status = match self.opt_int(t, "status", what) {
            Some((n, sloc)) => match u16::try_from(n) {
                Ok(s) if (400..=599).contains(&s) => Some((s, sloc)),
                _ => {
                    self.diags.push(sloc.error(format!("`status` in {what} is {n}, outside 400–599")));
                    None
                }
            },
            None => {
                if t.get("status").is_none() {
                    self.missing(whole.clone(), "status", what, "an HTTP status, 400–599");
                }
                None
            }
        };
        let (error, error_verbatim) = match self.take_str_loc(t, "error", what) {
            Some((s, _, verbatim)) => (Some(s), verbatim),
            None => (None, false),
        };
        let description = match self.take_str_loc(t, "description", what) {
            Some((text, dloc, verbatim)) => match Template::parse_owned(text) {
                Ok(tpl) => Some((tpl, Some(dloc), verbatim)),
                Err(errors) => {
                    let file = self.file;
                    for e in errors {
                        let span = template_span(self.texts.get(file), &dloc, &e.span);
                        let mut d = Diagnostic::new(
                            file,
                            span,
                            format!("{} (in `description` of {what})", e.message),
                        );
                        d.help = e.help;
                        self.diags.push(d);
                    }
                    None
                }
            },
            None if t.get("description").is_some() => None,
            None => Some((Template::catch_all(), None, false)),
        };
        let cause = self.take_req_str(t, "cause", what, whole.clone());
        let cause_zh = self.take_req_str(t, "cause_zh", what, whole.clone());
        let remedy = self.take_req_str(t, "remedy", what, whole.clone());
        let remedy_zh = self.take_req_str(t, "remedy_zh", what, whole.clone());
        // `note` is for the spec's readers: only its type is checked.
        if let Some(note) = t.get("note")
            && !note.get_ref().is_str()
        {
            self.wrong_type(note, "note", what, "a string");
        }
        let retry_given = t.get("retry").is_some();
        let retry = self.retry(t, what);
        let alert = self.opt_bool(t, "alert", what);
        if retry_given && retry.is_none() {
            return None;
        }
        let (variant, variant_loc) = variant?;
        let (status, status_loc) = status?;
        let (description, description_loc, description_verbatim) = description?;
        let (cause, cause_zh, remedy, remedy_zh) = (cause?, cause_zh?, remedy?, remedy_zh?);
        let verbatim = Verbatim {
            error: error_verbatim,
            description: description_verbatim,
            cause: cause.2,
            cause_zh: cause_zh.2,
            remedy: remedy.2,
            remedy_zh: remedy_zh.2,
        };
        Some(ErrorDef {
            loc,
            variant,
            variant_loc,
            status,
            status_loc,
            error,
            description,
            description_loc,
            cause: cause.0,
            cause_zh: cause_zh.0,
            remedy: remedy.0,
            remedy_zh: remedy_zh.0,
            retry,
            alert,
            verbatim,
        })
    }
}

/// Maps a byte range inside a template to the spec file: exact when the TOML string is
/// on one line and holds no escapes (what is between the quotes is the template), else
/// the whole string.
fn template_span(text: Option<&String>, dloc: &Loc, inner: &Range<usize>) -> Range<usize> {
    let raw = text.and_then(|t| t.get(dloc.span.clone())).unwrap_or("");
    let single = (raw.starts_with('"') && !raw.starts_with("\"\"\"") && !raw.contains('\\'))
        || (raw.starts_with('\'') && !raw.starts_with("\'\'\'"));
    if single && inner.end + 2 <= raw.len() {
        dloc.span.start + 1 + inner.start..dloc.span.start + 1 + inner.end
    } else {
        dloc.span.clone()
    }
}
