//! [`Text`]: the server's own words, kept in every known error.

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

/// What the server said when it sent a known error: its description exactly as sent
/// (the catalog matches it tolerantly, so it may differ from the declared form in
/// letter case, quotes, whitespace or closing punctuation), and whether the body had an
/// `error` code.
///
/// Every catalog variant keeps one in its field `text`; a `match` skips it with `..`:
///
/// ```
/// use easemob_errors::EasemobError;
///
/// let body = br#"{"error":"reach_limit","error_description":"This request has reached API limit!"}"#;
/// let err = EasemobError::from_response(429, body);
/// assert!(matches!(err, EasemobError::ReachLimit { .. }));
/// assert_eq!(err.description(), Some("This request has reached API limit!"));
/// ```
///
/// A description equal to a declared form byte for byte is kept without allocating.
#[derive(Clone)]
pub struct Text(Repr);

// One enum rather than a description and its flags side by side: the flag and the delay
// (milliseconds) fit beside the enum's tag, so every variant of a generated enum stays 8
// bytes smaller (and a `Result<_, Attempted<EasemobError>>` under clippy's
// `result_large_err` bound).
#[derive(Clone)]
enum Repr {
    /// A declared form, byte for byte: borrowed from the catalog.
    Declared { text: &'static str, code_sent: bool, delay_ms: Option<NonZeroU32> },
    /// The server's own text, where it differs from every declared form.
    Sent { text: Box<str>, code_sent: bool, delay_ms: Option<NonZeroU32> },
    /// The body had no description.
    Absent { code_sent: bool, delay_ms: Option<NonZeroU32> },
}

impl Text {
    /// The words of a body with an `error` code and this description.
    pub fn new(description: impl Into<Cow<'static, str>>) -> Self {
        Text(match description.into() {
            Cow::Borrowed(text) => Repr::Declared { text, code_sent: true, delay_ms: None },
            Cow::Owned(text) => Repr::Sent { text: text.into_boxed_str(), code_sent: true, delay_ms: None },
        })
    }

    /// The words of a body with an `error` code and no description.
    pub const fn no_description() -> Self {
        Text(Repr::Absent { code_sent: true, delay_ms: None })
    }

    /// The same words, from a body that had no `error` code.
    #[must_use]
    pub fn without_code(self) -> Self {
        Text(match self.0 {
            Repr::Declared { text, delay_ms, .. } => Repr::Declared { text, code_sent: false, delay_ms },
            Repr::Sent { text, delay_ms, .. } => Repr::Sent { text, code_sent: false, delay_ms },
            Repr::Absent { delay_ms, .. } => Repr::Absent { code_sent: false, delay_ms },
        })
    }

    /// The description exactly as the server sent it, if it sent one.
    pub fn description(&self) -> Option<&str> {
        match &self.0 {
            Repr::Declared { text, .. } => Some(text),
            Repr::Sent { text, .. } => Some(text),
            Repr::Absent { .. } => None,
        }
    }

    /// Whether the body had an `error` code (some answers give only the description).
    pub const fn code_sent(&self) -> bool {
        match self.0 {
            Repr::Declared { code_sent, .. }
            | Repr::Sent { code_sent, .. }
            | Repr::Absent { code_sent, .. } => code_sent,
        }
    }

    /// The retry delay the body gave, where the API puts one there (Google's
    /// `RetryInfo.retryDelay`), to the millisecond.
    pub fn retry_delay(&self) -> Option<Duration> {
        let (Repr::Declared { delay_ms, .. } | Repr::Sent { delay_ms, .. } | Repr::Absent { delay_ms, .. }) =
            self.0;
        delay_ms.map(|ms| Duration::from_millis(ms.get().into()))
    }

    /// The words a body gave: `description` as it is (borrowed when it equals the
    /// declared form `declared` byte for byte), and whether `error` was there.
    pub(crate) fn sent(
        description: Option<&str>,
        declared: Option<&'static str>,
        code_sent: bool,
        delay: Option<Duration>,
    ) -> Self {
        let delay_ms = delay.and_then(delay_ms);
        Text(match (description, declared) {
            (None, _) => Repr::Absent { code_sent, delay_ms },
            (Some(d), Some(form)) if form == d => Repr::Declared { text: form, code_sent, delay_ms },
            (Some(d), _) => Repr::Sent { text: d.into(), code_sent, delay_ms },
        })
    }
}

/// A retry delay as kept beside the text: whole milliseconds, at least one, saturating
/// at about 49 days.
pub(crate) fn delay_ms(delay: Duration) -> Option<NonZeroU32> {
    NonZeroU32::new(u32::try_from(delay.as_millis().max(1)).unwrap_or(u32::MAX))
}

impl PartialEq for Text {
    /// The same words: the same description (however it is held), the same flag and
    /// the same retry delay.
    fn eq(&self, other: &Self) -> bool {
        (self.description(), self.code_sent(), self.retry_delay())
            == (other.description(), other.code_sent(), other.retry_delay())
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.description(), self.code_sent(), self.retry_delay()).hash(state);
    }
}

impl From<&'static str> for Text {
    fn from(description: &'static str) -> Self {
        Text::new(description)
    }
}

impl From<String> for Text {
    fn from(description: String) -> Self {
        Text::new(description)
    }
}

impl fmt::Debug for Text {
    /// Short, since every known error's `Debug` shows it: `Text("…")`, `Text(None)`, and
    /// `Text("…", without code)` for a body that had no `error`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut t = f.debug_tuple("Text");
        match self.description() {
            Some(d) => t.field(&d),
            None => t.field(&None::<&str>),
        };
        if !self.code_sent() {
            t.field(&format_args!("without code"));
        }
        t.finish()
    }
}

impl fmt::Display for Text {
    /// The description, or nothing when there was none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_words_are_equal_however_they_are_held() {
        let declared = Text::sent(Some("x"), Some("x"), true, None);
        assert!(matches!(declared.0, Repr::Declared { .. }));
        assert_eq!(declared, Text::new(String::from("x")));
        assert_ne!(declared, Text::new("x").without_code());
        assert_ne!(Text::no_description(), Text::new(""));
        assert_eq!(std::mem::size_of::<Text>(), 24);
    }
}
