//! `[body]`: where an API's answers keep their error code and message, and what a success
//! looks like. Parsed here into a [`Shape`]; Easemob's shape is the default.
//!
//! A path names a value inside the JSON body: keys joined by `.` (`error.code`), where a
//! key may select one element of an array of objects by a field of it, followed by the
//! one key read from that element: `error.details[@type$=ErrorInfo].reason` (`$=`: the
//! field ends with the text; `=`: it is the text).

use toml::de::{DeTable, DeValue};

use crate::keys::{Cx, Value, describe};

/// The most paths a shape may read (codes, messages, conditions and the retry delay).
pub const MAX_PATHS: usize = 8;

const BODY_KEYS: [&str; 8] =
    ["code", "code_type", "code_default", "message", "success", "retry_delay", "should_retry_header", "note"];
const SUCCESS_KEYS: [&str; 4] = ["status", "field", "equals", "absent"];

/// How a body's code is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// A string, e.g. `"reach_limit"`.
    Text,
    /// An integer, e.g. `40001` (a string of its canonical digits, `"40001"`, is read as
    /// the same number).
    Integer,
}

/// Which statuses a success may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuccessStatus {
    /// 200–299.
    TwoXx,
    /// Any: the body alone tells (APIs that answer errors with HTTP 200).
    Any,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A key of an object.
    Key(String),
    /// The first element of an array of objects whose `field` is `value` (or ends with
    /// it, when `ends_with`).
    Where {
        /// The field compared.
        field: String,
        /// The text it is compared with.
        value: String,
        /// `$=` rather than `=`.
        ends_with: bool,
    },
}

/// A path into the body, as written and as steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// As written in the spec.
    pub text: String,
    /// Its steps.
    pub steps: Vec<Step>,
}

/// A value a success condition compares a field with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
}

/// A condition on a body field for an answer to be a success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The field.
    pub path: Path,
    /// The values it may have; empty when only `absent` is allowed.
    pub equals: Vec<Literal>,
    /// Whether a body without the field is a success too.
    pub absent: bool,
}

/// Where a body keeps its code and message, and what a success is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The code: the first of these paths that holds one (a non-empty string, or an
    /// integer when codes are integers).
    pub code: Vec<Path>,
    /// How the code is written.
    pub code_kind: CodeKind,
    /// The code of a body that gives none at the code paths (RFC 9457: `about:blank`).
    pub code_default: Option<String>,
    /// The message: the first of these paths that holds a string.
    pub message: Vec<Path>,
    /// The statuses a success may have.
    pub success_status: SuccessStatus,
    /// Conditions on body fields, all of which a success meets.
    pub conditions: Vec<Condition>,
    /// A retry delay in the body (a protobuf duration such as `"30s"`).
    pub retry_delay: Option<Path>,
    /// A response header that says whether to retry (`true` / `false`).
    pub should_retry_header: Option<String>,
}

impl Default for Shape {
    /// Easemob's: `error` and `error_description` at the top level, errors only on
    /// non-2xx answers.
    fn default() -> Self {
        let key = |k: &str| Path { text: k.to_owned(), steps: vec![Step::Key(k.to_owned())] };
        Shape {
            code: vec![key("error")],
            code_kind: CodeKind::Text,
            code_default: None,
            message: vec![key("error_description")],
            success_status: SuccessStatus::TwoXx,
            conditions: Vec::new(),
            retry_delay: None,
            should_retry_header: None,
        }
    }
}

impl Shape {
    /// Every path the body reader looks for, in slot order: codes, messages,
    /// conditions, the retry delay.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.code
            .iter()
            .chain(&self.message)
            .chain(self.conditions.iter().map(|c| &c.path))
            .chain(self.retry_delay.as_ref())
    }
}

/// Parses a path; `Err` says what is wrong with it.
pub fn parse_path(text: &str) -> Result<Path, String> {
    let mut steps = Vec::new();
    let mut rest = text;
    loop {
        let end = rest.find(['.', '[', ']']).unwrap_or(rest.len());
        let (key, after) = rest.split_at(end);
        if key.is_empty() {
            return Err("a key is empty (two dots in a row, or a dot at an end)".into());
        }
        steps.push(Step::Key(key.to_owned()));
        rest = after;
        if let Some(selector) = rest.strip_prefix('[') {
            let close = selector.find(']').ok_or("`[` is not closed with `]`")?;
            let inner = &selector[..close];
            let (field, value, ends_with) = match inner.split_once("$=") {
                Some((f, v)) => (f, v, true),
                None => match inner.split_once('=') {
                    Some((f, v)) => (f, v, false),
                    None => {
                        return Err(format!(
                            "`[{inner}]` selects nothing: write `[field=value]` or `[field$=suffix]`"
                        ));
                    }
                },
            };
            if field.is_empty() {
                return Err(format!("`[{inner}]` names no field"));
            }
            steps.push(Step::Where { field: field.to_owned(), value: value.to_owned(), ends_with });
            rest = &selector[close + 1..];
        }
        if rest.is_empty() {
            break;
        }
        rest = rest.strip_prefix('.').ok_or_else(|| format!("expected `.` before `{rest}`"))?;
    }
    let selectors = steps.iter().filter(|s| matches!(s, Step::Where { .. })).count();
    let last_is_key_after_selector = matches!(steps.as_slice(), [.., Step::Where { .. }, Step::Key(_)]);
    if selectors > 1 || (selectors == 1 && !last_is_key_after_selector) {
        return Err("a path may select one array element, followed by the one key read from it".into());
    }
    if steps.len() > 8 {
        return Err("a path has at most 8 steps".into());
    }
    Ok(Path { text: text.to_owned(), steps })
}

impl Cx<'_> {
    /// `[body]`: it replaces Easemob's default shape, so a key it leaves out is absent (an
    /// API without codes gives no `code`); a success is a 2xx answer unless it says more.
    pub(crate) fn shape(&mut self, value: &Value<'_>) -> Shape {
        let mut shape = Shape { code: Vec::new(), message: Vec::new(), ..Shape::default() };
        let Some(t) = self.table(value, "[body]") else { return shape };
        self.unknown_keys(t, &BODY_KEYS, "[body]");
        if let Some(paths) = self.paths(t, "code") {
            shape.code = paths;
        }
        if let Some(paths) = self.paths(t, "message") {
            shape.message = paths;
        }
        if let Some((kind, loc)) = self.optional_str(t, "code_type", "[body]") {
            match kind.as_str() {
                "string" => shape.code_kind = CodeKind::Text,
                "integer" => shape.code_kind = CodeKind::Integer,
                other => {
                    let d = loc.error(format!(
                        "unknown `code_type` `{other}` in [body] (expected `string` or `integer`)"
                    ));
                    self.diags.push(d.suggest(other, ["string", "integer"]));
                }
            }
        }
        if let Some(v) = t.get("success") {
            let tables: Vec<&Value<'_>> = match v.get_ref() {
                DeValue::Array(items) => items.iter().collect(),
                _ => vec![v],
            };
            for item in tables {
                self.success(item, &mut shape);
            }
        }
        if let Some(paths) = self.paths(t, "retry_delay") {
            shape.retry_delay = paths.into_iter().next();
        }
        shape.should_retry_header = self.optional_str(t, "should_retry_header", "[body]").map(|(h, _)| h);
        shape.code_default = self.optional_str(t, "code_default", "[body]").map(|(c, _)| c);
        let _ = self.optional_str(t, "note", "[body]");
        let count = shape.paths().count();
        if count > MAX_PATHS {
            self.diags.push(
                self.loc(value.span())
                    .error(format!("[body] reads {count} paths; at most {MAX_PATHS} are supported")),
            );
        }
        shape
    }

    /// One table of `success`.
    fn success(&mut self, item: &Value<'_>, shape: &mut Shape) {
        let what = "a `success` table of [body]";
        let Some(t) = self.table(item, what) else { return };
        self.unknown_keys(t, &SUCCESS_KEYS, what);
        if let Some((status, loc)) = self.optional_str(t, "status", what) {
            match status.as_str() {
                "2xx" => {}
                "any" => shape.success_status = SuccessStatus::Any,
                other => self
                    .diags
                    .push(loc.error(format!("`status` of {what} is `{other}`: expected `2xx` or `any`"))),
            }
        }
        let absent = self.optional_bool(t, "absent", what).unwrap_or(false);
        let equals = match t.get("equals") {
            None => Vec::new(),
            Some(v) => match v.get_ref().as_array() {
                Some(items) => items.iter().filter_map(|i| self.literal(i, what)).collect(),
                None => {
                    self.wrong_type(v, "equals", what, "an array of strings, integers or booleans");
                    Vec::new()
                }
            },
        };
        match self.paths(t, "field").map(|p| p.into_iter().next()) {
            Some(Some(path)) => shape.conditions.push(Condition { path, equals, absent }),
            Some(None) => {}
            None if t.contains_key("equals") || t.contains_key("absent") => {
                self.missing(item.span(), "field", what, "the path of the field `equals` compares")
            }
            None => {}
        }
    }

    fn literal(&mut self, v: &Value<'_>, what: &str) -> Option<Literal> {
        match v.get_ref() {
            DeValue::String(s) => Some(Literal::Str(s.to_string())),
            DeValue::Boolean(b) => Some(Literal::Bool(*b)),
            DeValue::Integer(n) => match i64::from_str_radix(n.as_str(), n.radix()) {
                Ok(n) => Some(Literal::Int(n)),
                Err(_) => {
                    self.diags.push(
                        self.loc(v.span()).error(format!("an `equals` value of {what} is out of range")),
                    );
                    None
                }
            },
            other => {
                let found = describe(other);
                let message =
                    format!("an `equals` value of {what} is {found}: expected a string, integer or boolean");
                self.diags.push(self.loc(v.span()).error(message));
                None
            }
        }
    }

    /// A key holding one path or an array of them (the first present wins).
    fn paths(&mut self, t: &DeTable<'_>, key: &str) -> Option<Vec<Path>> {
        let v = t.get(key)?;
        let path = "a path such as `\"error.code\"`";
        let expected = (&*format!("{path}, or a non-empty array of them"), path);
        let mut paths = Vec::new();
        // A path that is no string or does not parse is reported; the others are kept.
        for (text, loc) in self.strings(v, key, "[body]", expected)?.0 {
            match parse_path(text) {
                Ok(path) => paths.push(path),
                Err(problem) => {
                    self.diags.push(loc.error(format!("path `{text}` of `{key}` in [body]: {problem}")));
                }
            }
        }
        Some(paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_keys_and_one_selector() {
        let p = parse_path("error.details[@type$=google.rpc.ErrorInfo].reason").unwrap();
        assert_eq!(
            p.steps,
            [
                Step::Key("error".into()),
                Step::Key("details".into()),
                Step::Where { field: "@type".into(), value: "google.rpc.ErrorInfo".into(), ends_with: true },
                Step::Key("reason".into()),
            ]
        );
        assert_eq!(parse_path("errcode").unwrap().steps, [Step::Key("errcode".into())]);
        for bad in ["", "a..b", "a.", "a[b]", "a[x=1]", "a[x=1].b.c", "a[x=1].b[y=2].c", "a[x=1"] {
            assert!(parse_path(bad).is_err(), "{bad:?}");
        }
    }
}
