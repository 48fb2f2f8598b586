//! A borrowed view of one value of a generated enum: its catalog entry and captured
//! values, or the fallback it holds. Every accessor, `Display` and `Serialize` of the
//! generated enums are written once, here, against this view.

use std::fmt;

use easemob_errors_template::MAX_PLACEHOLDERS;

use crate::__private::Catalog;
use crate::catalog::{CatalogEntry, FieldValue, Fields, StatusInfo};
use crate::policy::RetryPolicy;
use crate::response::{StatusOnly, UnknownError};
use crate::text::Text;

/// What a generated `__view` returns for each variant.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    catalog: &'static Catalog,
    of: Of<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Of<'a> {
    Known { entry: &'static CatalogEntry, text: &'a Text, values: [Option<FieldValue<'a>>; MAX_PLACEHOLDERS] },
    Status(&'a StatusOnly),
    Unknown(&'a UnknownError),
}

impl<'a> View<'a> {
    /// A catalog variant: its entry, the server's words, and its fields' values in the
    /// variant's order.
    pub fn known<const N: usize>(
        catalog: &'static Catalog,
        entry: &'static CatalogEntry,
        text: &'a Text,
        values: [FieldValue<'a>; N],
    ) -> Self {
        const { assert!(N <= MAX_PLACEHOLDERS, "a template has at most MAX_PLACEHOLDERS placeholders") };
        let mut slots = [None; MAX_PLACEHOLDERS];
        for (slot, value) in slots.iter_mut().zip(values) {
            *slot = Some(value);
        }
        View { catalog, of: Of::Known { entry, text, values: slots } }
    }

    /// The `Status` variant.
    pub fn status_only(catalog: &'static Catalog, status: &'a StatusOnly) -> Self {
        View { catalog, of: Of::Status(status) }
    }

    /// The `Unknown` variant.
    pub fn unknown(catalog: &'static Catalog, unknown: &'a UnknownError) -> Self {
        View { catalog, of: Of::Unknown(unknown) }
    }

    /// The catalog entry of a catalog variant.
    pub fn entry(&self) -> Option<&'static CatalogEntry> {
        match self.of {
            Of::Known { entry, .. } => Some(entry),
            _ => None,
        }
    }

    /// What the spec says about the status.
    pub fn status_info(&self) -> Option<&'static StatusInfo> {
        self.catalog.status_info(self.status())
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self.of {
            Of::Known { entry, .. } => entry.status,
            Of::Status(s) => s.status(),
            Of::Unknown(u) => u.status(),
        }
    }

    /// The body's `error` string.
    pub fn code(&self) -> Option<&'a str> {
        match self.of {
            Of::Known { entry, text, .. } => entry.code.filter(|_| text.code_sent()),
            Of::Status(_) => None,
            Of::Unknown(u) => u.code(),
        }
    }

    /// The description, exactly as the server sent it.
    pub fn description(&self) -> Option<&'a str> {
        match self.of {
            Of::Known { text, .. } => text.description(),
            Of::Status(_) => None,
            Of::Unknown(u) => u.description(),
        }
    }

    /// The cause in the spec's first language; for the fallbacks, what the status means.
    pub fn cause(&self) -> Option<&'static str> {
        match self.of {
            Of::Known { entry, .. } => Some(entry.cause()),
            _ => self.status_info().map(StatusInfo::meaning),
        }
    }

    /// The cause in `lang`; for the fallbacks, what the status means in `lang`.
    pub fn cause_in(&self, lang: &str) -> Option<&'static str> {
        match self.of {
            Of::Known { entry, .. } => entry.cause_in(lang),
            _ => self.status_info()?.meaning_in(lang),
        }
    }

    /// The remedy in the spec's first language, for catalog variants.
    pub fn remedy(&self) -> Option<&'static str> {
        self.entry().map(CatalogEntry::remedy)
    }

    /// The remedy in `lang`, for catalog variants.
    pub fn remedy_in(&self, lang: &str) -> Option<&'static str> {
        self.entry()?.remedy_in(lang)
    }

    /// The retry delay the body gave, where the API puts one there.
    pub fn retry_delay(&self) -> Option<std::time::Duration> {
        match self.of {
            Of::Known { text, .. } => text.retry_delay(),
            Of::Status(_) => None,
            Of::Unknown(u) => u.retry_delay(),
        }
    }

    /// The retry policy: the entry's, else its status's, else `Never`.
    pub fn retry(&self) -> RetryPolicy {
        match self.of {
            Of::Known { entry, .. } => entry.retry,
            _ => self.status_info().map_or(RetryPolicy::Never, StatusInfo::retry),
        }
    }

    /// Whether to alert. An error the catalog does not know, with a status the spec does
    /// not declare, is alerted on: nobody has decided it is harmless.
    pub fn should_alert(&self) -> bool {
        match self.of {
            Of::Known { entry, .. } => entry.alert,
            _ => self.status_info().is_none_or(StatusInfo::should_alert),
        }
    }

    /// The variant's name.
    pub fn variant_name(&self) -> &'static str {
        match self.of {
            Of::Known { entry, .. } => entry.variant,
            Of::Status(_) => "Status",
            Of::Unknown(_) => "Unknown",
        }
    }

    /// The captured values, by placeholder name.
    pub fn fields(&self) -> Fields<'a> {
        match self.of {
            Of::Known { entry, values, .. } => {
                Fields { names: entry.fields, values: values.into_iter().flatten() }
            }
            _ => Fields { names: &[], values: [None; MAX_PLACEHOLDERS].into_iter().flatten() },
        }
    }
}

/// Writes through to a formatter with line breaks escaped, so that `Display` is one line.
struct OneLine<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for OneLine<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for (i, part) in s.split('\n').enumerate() {
            if i > 0 {
                self.0.write_str("\\n")?;
            }
            self.0.write_str(&part.replace('\r', "\\r"))?;
        }
        Ok(())
    }
}

impl fmt::Display for View<'_> {
    /// One line: `429 reach_limit: This request has reached api limit` (line breaks in
    /// the server's text are shown as `\n`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status())?;
        match self.of {
            Of::Known { .. } => {
                if let Some(code) = self.code() {
                    write!(f, " {code}")?;
                }
                match self.description() {
                    Some(d) => {
                        f.write_str(": ")?;
                        fmt::Write::write_str(&mut OneLine(f), d)
                    }
                    None => f.write_str(": (no description)"),
                }
            }
            Of::Unknown(u) => {
                if let Some(code) = u.code() {
                    write!(f, " {}", code.escape_debug())?;
                }
                match u.description() {
                    Some(d) => write!(f, ": {}", d.escape_debug()),
                    None => f.write_str(": (no description)"),
                }
            }
            Of::Status(s) => {
                match self.status_info() {
                    Some(info) => write!(f, " {}", info.name())?,
                    None => f.write_str(" (undeclared status)")?,
                }
                if s.body().is_empty() {
                    f.write_str(" (empty body)")
                } else {
                    write!(f, " (no error body; {} bytes)", s.body_len())
                }
            }
        }
    }
}

impl serde::Serialize for View<'_> {
    /// The body in the API's shape, plus the status: for Easemob `{"status": 429,
    /// "error": ..., "error_description": ...}` (code and message only when there is
    /// one). `from_response` ignores `status`; `Deserialize` reads it back, so the round
    /// trip of a catalog error is exact. `Status` and `Unknown` values keep status, code
    /// and description through it, not the rest of their raw body.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let body = crate::__private::body_json(
            self.catalog.shape,
            Some(self.status()),
            self.code(),
            self.description(),
            self.retry_delay(),
        );
        serde::Serialize::serialize(&body, serializer)
    }
}
