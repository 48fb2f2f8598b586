//! The catalog: what the spec says about each status and error, as static data.

use core::fmt;

use crate::policy::RetryPolicy;
use easemob_errors_template::MAX_PLACEHOLDERS;

// The catalog types below are static data that `include_errors!` writes as struct
// literals, so their fields are public for the generated code; they are hidden from the
// documentation and not part of the API: read them through the accessors.

/// What the spec says about one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusInfo {
    #[doc(hidden)]
    pub status: u16,
    #[doc(hidden)]
    pub name: &'static str,
    #[doc(hidden)]
    pub languages: &'static [&'static str],
    #[doc(hidden)]
    pub meanings: &'static [&'static str],
    #[doc(hidden)]
    pub retry: RetryPolicy,
    #[doc(hidden)]
    pub alert: bool,
}

impl StatusInfo {
    /// The HTTP status.
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase, e.g. `Too Many Requests`.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// What the status means for this API, in the spec's first language.
    pub fn meaning(&self) -> &'static str {
        self.meanings.first().copied().unwrap_or_default()
    }

    /// What the status means for this API in `lang` (e.g. `"zh"`), if the spec has it.
    pub fn meaning_in(&self, lang: &str) -> Option<&'static str> {
        in_language(self.languages, self.meanings, lang)
    }

    /// What the status means for this API in Chinese, if the spec has it.
    pub fn meaning_zh(&self) -> Option<&'static str> {
        self.meaning_in("zh")
    }

    /// The default retry policy of errors with this status.
    pub const fn retry(&self) -> RetryPolicy {
        self.retry
    }

    /// Whether errors with this status are system errors to log and alert on.
    pub const fn should_alert(&self) -> bool {
        self.alert
    }
}

/// The text of `lang` among `texts`, one per language of `languages`.
fn in_language(languages: &[&str], texts: &'static [&'static str], lang: &str) -> Option<&'static str> {
    texts.get(languages.iter().position(|l| *l == lang)?).copied()
}

pub use easemob_errors_template::PlaceholderKind;

/// One `{name}` in a description template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder {
    #[doc(hidden)]
    pub name: &'static str,
    #[doc(hidden)]
    pub kind: PlaceholderKind,
}

impl easemob_errors_template::HasKind for Placeholder {
    fn kind(&self) -> PlaceholderKind {
        self.kind
    }
}

impl Placeholder {
    /// The field name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The value's type.
    pub const fn kind(&self) -> PlaceholderKind {
        self.kind
    }
}

/// A description template: literal text around placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    #[doc(hidden)]
    pub text: &'static str,
    #[doc(hidden)]
    pub literals: &'static [&'static str],
    #[doc(hidden)]
    pub placeholders: &'static [Placeholder],
}

impl Template {
    /// The template as written in the spec, e.g. `group member {username} doesn't exist`.
    pub const fn text(&self) -> &'static str {
        self.text
    }

    /// The literal pieces: one more than there are placeholders.
    pub const fn literals(&self) -> &'static [&'static str] {
        self.literals
    }

    /// The placeholders, in order.
    pub const fn placeholders(&self) -> &'static [Placeholder] {
        self.placeholders
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

/// One error of the catalog: one meaning, every form the server gives it, what it
/// means and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogEntry {
    #[doc(hidden)]
    pub variant: &'static str,
    #[doc(hidden)]
    pub status: u16,
    #[doc(hidden)]
    pub code: Option<&'static str>,
    #[doc(hidden)]
    pub templates: &'static [Template],
    #[doc(hidden)]
    pub without_error: bool,
    #[doc(hidden)]
    pub fields: &'static [Placeholder],
    #[doc(hidden)]
    pub languages: &'static [&'static str],
    #[doc(hidden)]
    pub causes: &'static [&'static str],
    #[doc(hidden)]
    pub remedies: &'static [&'static str],
    #[doc(hidden)]
    pub retry: RetryPolicy,
    #[doc(hidden)]
    pub alert: bool,
}

impl CatalogEntry {
    /// The variant's name.
    pub const fn variant(&self) -> &'static str {
        self.variant
    }

    /// The HTTP status.
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// The body's `error` string, if the server sends one.
    pub const fn code(&self) -> Option<&'static str> {
        self.code
    }

    /// The description templates the entry accepts, in the order they are tried;
    /// empty for a catch-all, which takes any description of its status and `error`.
    pub const fn templates(&self) -> &'static [Template] {
        self.templates
    }

    /// Whether the server also sends these descriptions without `error`.
    pub const fn also_without_error(&self) -> bool {
        self.without_error
    }

    /// Whether the entry declares no description: the catch-all of its status and `error`.
    pub const fn is_catch_all(&self) -> bool {
        self.templates.is_empty()
    }

    /// The variant's fields (besides `text`): the placeholders its templates fill.
    pub const fn fields(&self) -> &'static [Placeholder] {
        self.fields
    }

    /// Why it happens, in the spec's first language.
    pub fn cause(&self) -> &'static str {
        self.causes.first().copied().unwrap_or_default()
    }

    /// Why it happens in `lang` (e.g. `"zh"`), if the spec has it.
    pub fn cause_in(&self, lang: &str) -> Option<&'static str> {
        in_language(self.languages, self.causes, lang)
    }

    /// Why it happens in Chinese, if the spec has it.
    pub fn cause_zh(&self) -> Option<&'static str> {
        self.cause_in("zh")
    }

    /// What to do, in the spec's first language.
    pub fn remedy(&self) -> &'static str {
        self.remedies.first().copied().unwrap_or_default()
    }

    /// What to do in `lang` (e.g. `"zh"`), if the spec has it.
    pub fn remedy_in(&self, lang: &str) -> Option<&'static str> {
        in_language(self.languages, self.remedies, lang)
    }

    /// What to do in Chinese, if the spec has it.
    pub fn remedy_zh(&self) -> Option<&'static str> {
        self.remedy_in("zh")
    }

    /// The languages of the causes and remedies, the first the default.
    pub const fn languages(&self) -> &'static [&'static str] {
        self.languages
    }

    /// The retry policy.
    pub const fn retry(&self) -> RetryPolicy {
        self.retry
    }

    /// Whether to log and alert.
    pub const fn should_alert(&self) -> bool {
        self.alert
    }
}

/// A value captured from a description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldValue<'a> {
    /// Text.
    Str(&'a str),
    /// A number.
    U64(u64),
    /// A list of names.
    List(&'a [String]),
}

impl fmt::Display for FieldValue<'_> {
    /// Writes the value as it appeared in the description.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Str(s) => f.write_str(s),
            FieldValue::U64(n) => write!(f, "{n}"),
            FieldValue::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(item)?;
                }
                Ok(())
            }
        }
    }
}

impl<'a> From<&'a String> for FieldValue<'a> {
    fn from(s: &'a String) -> Self {
        FieldValue::Str(s)
    }
}

impl From<&u64> for FieldValue<'_> {
    fn from(n: &u64) -> Self {
        FieldValue::U64(*n)
    }
}

impl<'a> From<&'a Vec<String>> for FieldValue<'a> {
    fn from(items: &'a Vec<String>) -> Self {
        FieldValue::List(items)
    }
}

/// The captured values of an error, by placeholder name, in template order.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    pub(crate) names: &'static [Placeholder],
    pub(crate) values: core::iter::Flatten<core::array::IntoIter<Option<FieldValue<'a>>, MAX_PLACEHOLDERS>>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'static str, FieldValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let (first, rest) = self.names.split_first()?;
        self.names = rest;
        Some((first.name, self.values.next()?))
    }
}
