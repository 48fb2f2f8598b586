//! What the code that `include_errors!` generates builds on. Not public API: the
//! generated code names it through `::easemob_errors::__private`.
//!
//! The expansion holds the spec's data as typed statics (a [`Catalog`]) and two small
//! functions per enum: `__build` (a variant from the values a description matched) and
//! `__view` (a variant's entry and values, as a [`View`]). Everything else — the
//! classification, the accessors, the trait impls — is written once, here and in
//! [`error_enum_impls!`](crate::__error_enum_impls).

use easemob_errors_template::Captures;

pub use crate::catalog::{CatalogEntry, FieldValue, Placeholder, PlaceholderKind, StatusInfo, Template};
pub use crate::policy::{Backoff, RetryPolicy};
pub use crate::text::Text;
pub use crate::view::View;
pub use serde;

use crate::body::ErrorBody;
use crate::response::{MAX_BODY_LEN, StatusOnly, UnknownError};

/// A generated enum's catalog: what its spec says, as static data.
#[derive(Debug)]
pub struct Catalog {
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
    /// The entry that takes a description no form matches; `None` for bodies without
    /// `error`, which no catch-all takes.
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

    /// Classifies a body's `error` and description into the enum's variant (see
    /// `spec/README.md`, "How a response is classified").
    fn lookup<T>(
        &self,
        status: u16,
        code: Option<&str>,
        description: Option<&str>,
        build: Build<T>,
    ) -> Option<T> {
        let Some(code) = code else { return self.lookup_without_code(status, description?, build) };
        let group = self.group(status, Some(code))?;
        let text = description.unwrap_or_default();
        if let Some(m) = group.forms.iter().find_map(|&form| self.try_form(form, text)) {
            return m.build(description, true, build);
        }
        let index = group.catch_all?;
        build(index, Text::sent(description, None, true), &Values::default())
    }

    /// A body without `error`: the status's error-less forms first; failing those, the
    /// one meaning among all its forms that matches. Several meanings are not guessed.
    fn lookup_without_code<T>(&self, status: u16, description: &str, build: Build<T>) -> Option<T> {
        let errorless = self.group(status, None);
        if let Some(m) = errorless.and_then(|g| g.forms.iter().find_map(|&f| self.try_form(f, description))) {
            return m.build(Some(description), false, build);
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
        first.build(Some(description), false, build)
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
    fn build<T>(self, description: Option<&str>, code_sent: bool, build: Build<T>) -> Option<T> {
        let declared = match self.template.literals {
            [only] => Some(*only),
            _ => None,
        };
        let text = Text::sent(description, declared, code_sent);
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

/// Classifies an HTTP answer: its body is read (see `body.rs`), then looked up.
pub fn classify<T>(catalog: &'static Catalog, status: u16, body: &[u8], build: Build<T>) -> Classified<T> {
    let read = if body.len() > MAX_BODY_LEN { None } else { ErrorBody::from_json(body) };
    match read {
        Some(fields) if fields.error.is_some() || fields.description.is_some() => {
            classify_fields(catalog, status, fields, body, build)
        }
        _ => Classified::Status(StatusOnly::new(status, body)),
    }
}

/// Looks up a body's fields; an empty `error` counts as none. What no entry takes
/// keeps everything: status, fields and raw body.
fn classify_fields<T>(
    catalog: &'static Catalog,
    status: u16,
    fields: ErrorBody<'_>,
    raw: &[u8],
    build: Build<T>,
) -> Classified<T> {
    let code = fields.error.as_deref().filter(|c| !c.is_empty());
    match catalog.lookup(status, code, fields.description.as_deref(), build) {
        Some(known) => Classified::Known(known),
        None => Classified::Unknown(UnknownError::new(status, fields.error, fields.description, raw)),
    }
}

/// The generated `Deserialize`: reads an error body (`error`, `error_description` and
/// an optional `status`; other fields ignored) and classifies it. Without `status`, the
/// statuses whose catalog takes the body must be exactly one; otherwise deserialization
/// fails, since the error cannot be told without it.
pub fn deserialize<'de, D: serde::Deserializer<'de>, T>(
    catalog: &'static Catalog,
    deserializer: D,
    build: Build<T>,
) -> Result<Classified<T>, D::Error> {
    let fields = ErrorBody::deserialize(deserializer)?;
    let raw = fields.to_json();
    let status = match fields.status {
        Some(status) => status,
        None => status_of(catalog, &fields).map_err(<D::Error as serde::de::Error>::custom)?,
    };
    if fields.error.is_none() && fields.description.is_none() {
        return Ok(Classified::Status(StatusOnly::new(status, &raw)));
    }
    Ok(classify_fields(catalog, status, fields, &raw, build))
}

/// The one status whose catalog takes a body without `status`.
fn status_of(catalog: &Catalog, fields: &ErrorBody<'_>) -> Result<u16, &'static str> {
    let code = fields.error.as_deref().filter(|c| !c.is_empty());
    let description = fields.description.as_deref();
    let taken: Build<()> = |_, _, _| Some(());
    let mut statuses: Vec<u16> = catalog.groups.iter().map(|g| g.status).collect();
    statuses.dedup();
    let mut taking =
        statuses.into_iter().filter(|&status| catalog.lookup(status, code, description, taken).is_some());
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

/// The methods and trait impls every generated enum has, written against its `__view`
/// and `__build`; `include_errors!` invokes it once per enum with the enum and its
/// [`Catalog`].
#[doc(hidden)]
#[macro_export]
macro_rules! __error_enum_impls {
    ($name:ident, $catalog:ident) => {
        impl $name {
            /// Classifies a failed call from its HTTP status and raw body.
            ///
            /// Total: any status and any bytes give a value, without panicking. The body's
            /// `error` and `error_description` are matched against the catalog (status,
            /// `error`, description templates, tolerant of letter case, quotes, whitespace
            /// and closing punctuation); an `error` the catalog has never seen gives
            /// `Unknown`, an answer without a usable error body `Status`.
            pub fn from_response(status: u16, body: &[u8]) -> Self {
                Self::__from($crate::__private::classify(&$catalog, status, body, Self::__build))
            }

            /// The HTTP status.
            pub fn status(&self) -> u16 {
                self.__view().status()
            }

            /// The body's `error` string, if there was one.
            pub fn code(&self) -> ::core::option::Option<&str> {
                self.__view().code()
            }

            /// The body's `error_description`, exactly as the server sent it.
            pub fn description(&self) -> ::core::option::Option<&str> {
                self.__view().description()
            }

            /// Why this error happens (English); for unlisted errors, what the status means.
            pub fn cause(&self) -> ::core::option::Option<&'static str> {
                self.__view().cause()
            }

            /// Why this error happens (Chinese); for unlisted errors, what the status means.
            pub fn cause_zh(&self) -> ::core::option::Option<&'static str> {
                self.__view().cause_zh()
            }

            /// What to do about it (English), for listed errors.
            pub fn remedy(&self) -> ::core::option::Option<&'static str> {
                self.__view().remedy()
            }

            /// What to do about it (Chinese), for listed errors.
            pub fn remedy_zh(&self) -> ::core::option::Option<&'static str> {
                self.__view().remedy_zh()
            }

            /// The retry policy: the entry's, else its status's, else
            /// [`never`]($crate::RetryPolicy::Never).
            pub fn retry(&self) -> $crate::RetryPolicy {
                self.__view().retry()
            }

            /// Whether this is a system error that must be logged and alerted on.
            pub fn should_alert(&self) -> bool {
                self.__view().should_alert()
            }

            /// Whether the catalog lists this error (not `Status` or `Unknown`).
            pub fn is_known(&self) -> bool {
                self.__view().entry().is_some()
            }

            /// The variant's name, e.g. `"ReachLimit"`.
            pub fn variant_name(&self) -> &'static str {
                self.__view().variant_name()
            }

            /// The catalog entry of a listed error.
            pub fn catalog_entry(&self) -> ::core::option::Option<&'static $crate::CatalogEntry> {
                self.__view().entry()
            }

            /// What the spec says about this error's status, if it declares it.
            pub fn status_info(&self) -> ::core::option::Option<&'static $crate::StatusInfo> {
                self.__view().status_info()
            }

            /// The values captured from the description, by placeholder name.
            pub fn fields(&self) -> $crate::Fields<'_> {
                self.__view().fields()
            }

            /// Every entry of the catalog, in spec order.
            pub fn catalog() -> &'static [$crate::CatalogEntry] {
                $catalog.entries
            }

            /// Every status the spec declares, in ascending order.
            pub fn statuses() -> &'static [$crate::StatusInfo] {
                $catalog.statuses
            }

            /// What the spec says about `status`, if it declares it.
            pub fn info_for_status(status: u16) -> ::core::option::Option<&'static $crate::StatusInfo> {
                $catalog.status_info(status)
            }

            fn __from(classified: $crate::__private::Classified<Self>) -> Self {
                match classified {
                    $crate::__private::Classified::Known(known) => known,
                    $crate::__private::Classified::Status(status) => Self::Status(status),
                    $crate::__private::Classified::Unknown(unknown) => Self::Unknown(unknown),
                }
            }
        }

        #[automatically_derived]
        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&self.__view(), f)
            }
        }

        #[automatically_derived]
        impl ::std::error::Error for $name {}

        #[automatically_derived]
        impl $crate::retry::Failure for $name {
            fn http_status(&self) -> ::core::option::Option<u16> {
                ::core::option::Option::Some(self.status())
            }

            fn retry_policy(&self) -> $crate::RetryPolicy {
                self.retry()
            }

            fn is_system_error(&self) -> bool {
                self.should_alert()
            }
        }

        #[automatically_derived]
        impl $crate::retry::FromResponse for $name {
            fn from_response(status: u16, body: &[u8]) -> Self {
                Self::from_response(status, body)
            }
        }

        #[automatically_derived]
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::serde::Serialize::serialize(&self.__view(), serializer)
            }
        }

        #[automatically_derived]
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::deserialize(&$catalog, deserializer, Self::__build).map(Self::__from)
            }
        }
    };
}

pub use crate::__error_enum_impls as error_enum_impls;
