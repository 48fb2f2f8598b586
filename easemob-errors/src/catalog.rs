//! The catalog: what the spec says about each status and error, as static data.

use core::fmt;

use crate::policy::RetryPolicy;

/// What the spec says about one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusInfo {
    status: u16,
    name: &'static str,
    meaning: &'static str,
    meaning_zh: &'static str,
    retry: RetryPolicy,
    alert: bool,
}

impl StatusInfo {
    #[doc(hidden)]
    pub const fn __new(
        status: u16,
        name: &'static str,
        meaning: &'static str,
        meaning_zh: &'static str,
        retry: RetryPolicy,
        alert: bool,
    ) -> Self {
        StatusInfo { status, name, meaning, meaning_zh, retry, alert }
    }

    /// The HTTP status.
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase, e.g. `Too Many Requests`.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// What the status means for this API (English).
    pub const fn meaning(&self) -> &'static str {
        self.meaning
    }

    /// What the status means for this API (Chinese).
    pub const fn meaning_zh(&self) -> &'static str {
        self.meaning_zh
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

/// The type of a value captured from a description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlaceholderKind {
    /// Any text (`String`).
    Str,
    /// A decimal unsigned integer (`u64`).
    U64,
    /// A list of names separated by `", "` (`Vec<String>`).
    List,
}

impl PlaceholderKind {
    /// The spelling in a template: `string`, `u64` or `list`.
    pub const fn name(&self) -> &'static str {
        match self {
            PlaceholderKind::Str => "string",
            PlaceholderKind::U64 => "u64",
            PlaceholderKind::List => "list",
        }
    }
}

/// One `{name}` in a description template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder {
    name: &'static str,
    kind: PlaceholderKind,
}

impl Placeholder {
    #[doc(hidden)]
    pub const fn __new(name: &'static str, kind: PlaceholderKind) -> Self {
        Placeholder { name, kind }
    }

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
    text: &'static str,
    literals: &'static [&'static str],
    placeholders: &'static [Placeholder],
}

impl Template {
    #[doc(hidden)]
    pub const fn __new(
        text: &'static str,
        literals: &'static [&'static str],
        placeholders: &'static [Placeholder],
    ) -> Self {
        Template { text, literals, placeholders }
    }

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

/// One error of the catalog: where it comes from, what it means, what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogEntry {
    variant: &'static str,
    status: u16,
    code: Option<&'static str>,
    template: Template,
    cause: &'static str,
    cause_zh: &'static str,
    remedy: &'static str,
    remedy_zh: &'static str,
    retry: RetryPolicy,
    alert: bool,
}

impl CatalogEntry {
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        variant: &'static str,
        status: u16,
        code: Option<&'static str>,
        template: Template,
        cause: &'static str,
        cause_zh: &'static str,
        remedy: &'static str,
        remedy_zh: &'static str,
        retry: RetryPolicy,
        alert: bool,
    ) -> Self {
        CatalogEntry { variant, status, code, template, cause, cause_zh, remedy, remedy_zh, retry, alert }
    }

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

    /// The description template.
    pub const fn template(&self) -> &Template {
        &self.template
    }

    /// Why it happens (English).
    pub const fn cause(&self) -> &'static str {
        self.cause
    }

    /// Why it happens (Chinese).
    pub const fn cause_zh(&self) -> &'static str {
        self.cause_zh
    }

    /// What to do (English).
    pub const fn remedy(&self) -> &'static str {
        self.remedy
    }

    /// What to do (Chinese).
    pub const fn remedy_zh(&self) -> &'static str {
        self.remedy_zh
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

/// The captured values of an error, by placeholder name, in template order.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    pub(crate) names: [&'static str; crate::__private::MAX_PLACEHOLDERS],
    pub(crate) values: [Option<FieldValue<'a>>; crate::__private::MAX_PLACEHOLDERS],
    pub(crate) next: usize,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'static str, FieldValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let name = *self.names.get(self.next)?;
        let value = (*self.values.get(self.next)?)?;
        self.next += 1;
        Some((name, value))
    }
}
