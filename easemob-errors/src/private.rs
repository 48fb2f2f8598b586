//! What the code that `include_errors!` generates builds on. Not public API: the
//! generated code names it through `::easemob_errors::__private`.
//!
//! The expansion holds the spec's data as typed statics (a [`Catalog`]) and two small
//! functions per enum: `__build` (a variant from the values a description matched) and
//! `__view` (a variant's entry and values, as a [`View`]). Everything else — the
//! classification, the accessors, the trait impls — is written once, here and in
//! [`error_enum_impls!`](crate::__error_enum_impls).

use easemob_errors_template::Captures;

use std::time::Duration;

pub use crate::catalog::{CatalogEntry, FieldValue, Placeholder, PlaceholderKind, StatusInfo, Template};
pub use crate::enum_impls::error_enum_impls;
pub use crate::policy::{Backoff, RetryPolicy};
pub use crate::shape::{CodeKind, Condition, Literal, Path, Shape, Step, SuccessStatus};
pub use crate::text::Text;
pub use crate::view::View;
pub use serde;

use crate::body::Read;
use crate::response::{MAX_BODY_LEN, StatusOnly, UnknownError};

/// A generated enum's catalog: what its spec says, as static data.
#[derive(Debug)]
pub struct Catalog {
    /// The languages of causes, remedies and meanings; the first is the default.
    pub languages: &'static [&'static str],
    /// Where the API's answers keep their code and message.
    pub shape: &'static Shape,
    /// Every declared status, sorted.
    pub statuses: &'static [StatusInfo],
    /// Every entry, in spec order: `__build`'s indices.
    pub entries: &'static [CatalogEntry],
    /// The forms of each (status, `error`) pair, sorted by that pair.
    pub groups: &'static [Group],
}

/// What a body with one status and `error` may be, in the order it is tried.
#[derive(Debug)]
pub struct Group {
    /// The HTTP status.
    pub status: u16,
    /// The body's `error`; `None` for bodies without one.
    pub code: Option<&'static str>,
    /// The forms to try, in spec order: (entry, template) indices into
    /// [`Catalog::entries`] and that entry's templates.
    pub forms: &'static [(usize, usize)],
    /// The entry that takes a description no form matches; for bodies without a code,
    /// `None` unless the API has no codes at all.
    pub catch_all: Option<usize>,
}

impl Catalog {
    /// What the spec says about `status`.
    pub fn status_info(&self, status: u16) -> Option<&'static StatusInfo> {
        let statuses: &'static [StatusInfo] = self.statuses;
        statuses.binary_search_by_key(&status, |s| s.status).ok().and_then(|i| statuses.get(i))
    }

    fn group(&self, status: u16, code: Option<&str>) -> Option<&'static Group> {
        let groups: &'static [Group] = self.groups;
        let at = groups.binary_search_by(|g| (g.status, g.code).cmp(&(status, code))).ok()?;
        groups.get(at)
    }

    /// The form (`entry`, `template`), if it matches `description`.
    fn try_form<'t>(&self, (index, template): (usize, usize), description: &'t str) -> Option<Matched<'t>> {
        let entry = self.entries.get(index)?;
        let template = entry.templates.get(template)?;
        let captures =
            easemob_errors_template::captures(template.literals, template.placeholders, description)?;
        Some(Matched { index, entry, template, captures })
    }

    /// Classifies what a body said into the enum's variant (see `spec/README.md`, "How a
    /// response is classified").
    fn lookup<T>(&self, status: u16, said: &Said<'_>, build: Build<T>) -> Option<T> {
        let Some(code) = said.code else { return self.lookup_without_code(status, said, build) };
        let group = self.group(status, Some(code))?;
        let text = said.description.unwrap_or_default();
        if let Some(m) = group.forms.iter().find_map(|&form| self.try_form(form, text)) {
            return m.build(said, true, build);
        }
        said.catch_all(group.catch_all?, true, build)
    }

    /// A body without a code: the status's error-less forms first; failing those, the
    /// one meaning among all its forms that matches. Several meanings are not guessed.
    fn lookup_without_code<T>(&self, status: u16, said: &Said<'_>, build: Build<T>) -> Option<T> {
        let description = said.description?;
        let errorless = self.group(status, None);
        if let Some(m) = errorless.and_then(|g| g.forms.iter().find_map(|&f| self.try_form(f, description))) {
            return m.build(said, false, build);
        }
        // An API without codes may have a catch-all per status.
        if let Some(index) = errorless.and_then(|g| g.catch_all) {
            return said.catch_all(index, false, build);
        }
        let mut matches = self
            .groups
            .iter()
            .filter(|g| g.status == status)
            .flat_map(|g| g.forms.iter())
            .filter_map(|&form| self.try_form(form, description));
        let first = matches.next()?;
        if matches.any(|m| m.index != first.index) {
            return None;
        }
        first.build(said, false, build)
    }
}

/// What a body said: its code as text (integers in decimal), its message, and the
/// retry delay it gives.
#[derive(Debug)]
struct Said<'a> {
    code: Option<&'a str>,
    description: Option<&'a str>,
    retry_delay: Option<Duration>,
}

impl<'r> Said<'r> {
    /// What a body read along `shape` says (an integer code is written into `buffer`).
    /// A body with a message but no code has the shape's `code_default`, if any.
    fn read(shape: &'static Shape, read: &'r Read<'_>, buffer: &'r mut itoa::Buffer) -> Self {
        let description = shape.message(read).map(|m| m.as_ref());
        let code = shape.code(read).map(|c| c.text(buffer));
        Said {
            code: code.or(shape.code_default.filter(|_| description.is_some())),
            description,
            retry_delay: shape.retry_delay(read),
        }
    }

    /// The variant of catch-all entry `index`, keeping the server's words.
    fn catch_all<T>(&self, index: usize, code_sent: bool, build: Build<T>) -> Option<T> {
        build(index, Text::sent(self.description, None, code_sent, self.retry_delay), &Values::default())
    }
}

/// A form that matched a description: its entry, the template, where the values are.
struct Matched<'t> {
    index: usize,
    entry: &'static CatalogEntry,
    template: &'static Template,
    captures: Captures<'t>,
}

impl Matched<'_> {
    /// The variant, keeping the server's words (borrowed from the catalog when they are
    /// the template's own text, byte for byte).
    fn build<T>(self, said: &Said<'_>, code_sent: bool, build: Build<T>) -> Option<T> {
        let declared = match self.template.literals {
            [only] => Some(*only),
            _ => None,
        };
        let text = Text::sent(said.description, declared, code_sent, said.retry_delay);
        let values = Values {
            captures: Some(self.captures),
            template: self.template.placeholders,
            fields: self.entry.fields,
        };
        build(self.index, text, &values)
    }
}

/// Builds the variant of catalog entry `index` from the server's words and the values
/// its template matched.
pub type Build<T> = fn(usize, Text, &Values<'_>) -> Option<T>;

/// The values a description gave a template's placeholders, read as the variant's
/// fields (a template may name them in another order than the variant).
#[derive(Debug, Clone, Copy, Default)]
pub struct Values<'t> {
    captures: Option<Captures<'t>>,
    template: &'static [Placeholder],
    fields: &'static [Placeholder],
}

impl<'t> Values<'t> {
    /// The text of the variant's field `i`.
    fn get(&self, i: usize) -> Option<&'t str> {
        let name = self.fields.get(i)?.name;
        let at = self.template.iter().position(|p| p.name == name)?;
        self.captures?.get(at)
    }

    /// The value of field `i` as text.
    pub fn string(&self, i: usize) -> Option<String> {
        self.get(i).map(str::to_owned)
    }

    /// The value of field `i` as a number.
    pub fn u64(&self, i: usize) -> Option<u64> {
        easemob_errors_template::parse_u64(self.get(i)?)
    }

    /// The value of field `i` as a list of names.
    pub fn list(&self, i: usize) -> Option<Vec<String>> {
        Some(easemob_errors_template::split_list(self.get(i)?).map(str::to_owned).collect())
    }
}

/// A classified answer, before it becomes the generated enum.
#[derive(Debug)]
pub enum Classified<T> {
    /// A catalog entry matched.
    Known(T),
    /// No usable error body.
    Status(StatusOnly),
    /// An error body the catalog does not list.
    Unknown(UnknownError),
}

/// Classifies an HTTP answer that failed: its body is read (see `body.rs`) along the
/// shape's paths, then its code and message are looked up. A success under the spec's
/// rule, given anyway, is status-only.
pub fn classify<T>(catalog: &'static Catalog, status: u16, body: &[u8], build: Build<T>) -> Classified<T> {
    classify_answer(catalog, status, body, build)
        .unwrap_or_else(|| Classified::Status(StatusOnly::new(status, body)))
}

/// Reads `body` into `read`; `None` when it is too large or not one JSON object.
fn read_body<'r, 'a>(catalog: &Catalog, body: &'a [u8], read: &'r mut Read<'a>) -> Option<&'r Read<'a>> {
    (body.len() <= MAX_BODY_LEN && read.read_json(catalog.shape, body)).then_some(read)
}

/// Classifies any HTTP answer: `None` when it is a success under the spec's rule.
pub fn classify_answer<T>(
    catalog: &'static Catalog,
    status: u16,
    body: &[u8],
    build: Build<T>,
) -> Option<Classified<T>> {
    let mut read = Read::default();
    let read = read_body(catalog, body, &mut read);
    if catalog.shape.is_success(status, read) {
        return None;
    }
    Some(classify_read(catalog, status, read, body, build))
}

/// Looks up what a body says. Without a code and a message it is no error body; what
/// no entry takes keeps everything: status, code, message and raw body.
fn classify_read<T>(
    catalog: &'static Catalog,
    status: u16,
    read: Option<&Read<'_>>,
    raw: &[u8],
    build: Build<T>,
) -> Classified<T> {
    let shape = catalog.shape;
    let Some(read) = read else { return Classified::Status(StatusOnly::new(status, raw)) };
    let mut buffer = itoa::Buffer::new();
    let said = Said::read(shape, read, &mut buffer);
    if said.code.is_none() && said.description.is_none() {
        return Classified::Status(StatusOnly::new(status, raw));
    }
    if let Some(known) = catalog.lookup(status, &said, build) {
        return Classified::Known(known);
    }
    Classified::Unknown(UnknownError::new(status, said.code, said.description, said.retry_delay, raw))
}

/// The generated `Deserialize`: reads a body in the API's shape, with an optional
/// top-level `status`, and classifies it. Without `status`, the statuses whose catalog
/// takes the body must be exactly one; otherwise deserialization fails, since the error
/// cannot be told without it.
pub fn deserialize<'de, D: serde::Deserializer<'de>, T>(
    catalog: &'static Catalog,
    deserializer: D,
    build: Build<T>,
) -> Result<Classified<T>, D::Error> {
    let shape = catalog.shape;
    let mut read = Read::default();
    read.read(shape, deserializer, true)?;
    let mut buffer = itoa::Buffer::new();
    let said = Said::read(shape, &read, &mut buffer);
    let status = match read.status {
        Some(status) => status,
        None => status_of(catalog, &said).map_err(<D::Error as serde::de::Error>::custom)?,
    };
    let raw = body_json(shape, Some(status), said.code, said.description, said.retry_delay);
    let raw = serde_json::to_vec(&raw).unwrap_or_default();
    Ok(classify(catalog, status, &raw, build))
}

/// The one status whose catalog takes a body without `status`.
fn status_of(catalog: &Catalog, said: &Said<'_>) -> Result<u16, &'static str> {
    let taken: Build<()> = |_, _, _| Some(());
    let mut statuses: Vec<u16> = catalog.groups.iter().map(|g| g.status).collect();
    statuses.dedup();
    let mut taking = statuses.into_iter().filter(|&status| catalog.lookup(status, said, taken).is_some());
    match (taking.next(), taking.next()) {
        (Some(status), None) => Ok(status),
        (Some(_), Some(_)) => {
            Err("error body has no `status` and matches catalog entries of several statuses")
        }
        (None, _) => {
            Err("error body has no `status` and matches no catalog entry: cannot tell which error it is")
        }
    }
}

/// A body in the API's shape (for `Serialize`): the code at the first code path, the message at the
/// first message path, and `status` at the top level. `Serialize` writes it and
/// `from_response` reads it back.
pub fn body_json(
    shape: &Shape,
    status: Option<u16>,
    code: Option<&str>,
    description: Option<&str>,
    retry_delay: Option<Duration>,
) -> serde_json::Value {
    use serde_json::Value;
    let mut body = Value::Object(serde_json::Map::new());
    let code = code.map(|c| match (shape.code_kind, c.parse::<i64>()) {
        (CodeKind::Integer, Ok(n)) => Value::from(n),
        _ => Value::from(c),
    });
    // A protobuf duration: seconds, and nanoseconds when there are any.
    let delay = retry_delay.map(|d| match d.subsec_nanos() {
        0 => Value::from(format!("{}s", d.as_secs())),
        n => Value::from(format!("{}.{}s", d.as_secs(), format!("{n:09}").trim_end_matches('0'))),
    });
    let values = [
        (shape.code.first(), code),
        (shape.message.first(), description.map(Value::from)),
        (shape.retry_delay.as_ref(), delay),
    ];
    for (path, value) in values {
        if let (Some(path), Some(value)) = (path, value) {
            put(&mut body, path.0, value);
        }
    }
    if let (Some(status), Value::Object(map)) = (status, &mut body) {
        map.insert("status".into(), status.into());
    }
    body
}

/// Writes `value` at `steps` into `at`, making the objects and the selected array
/// element the path goes through.
fn put(at: &mut serde_json::Value, steps: &[Step], value: serde_json::Value) {
    use serde_json::{Map, Value};
    let Some((step, rest)) = steps.split_first() else {
        *at = value;
        return;
    };
    match step {
        Step::Key(key) => {
            if !at.is_object() {
                *at = Value::Object(Map::new());
            }
            if let Value::Object(map) = at {
                put(map.entry(*key).or_insert(Value::Null), rest, value);
            }
        }
        Step::Where { field, value: selector, .. } => {
            let mut element = Value::Object(Map::new());
            if let Value::Object(map) = &mut element {
                map.insert((*field).into(), (*selector).into());
            }
            put(&mut element, rest, value);
            *at = Value::Array(vec![element]);
        }
    }
}
