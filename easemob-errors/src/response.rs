//! What is kept of answers the catalog cannot name: nothing the server sent is lost.

use core::fmt;

/// Bodies longer than this are not parsed: they are classified by status alone, and
/// only their first [`MAX_BODY_LEN`] bytes are kept ([`StatusOnly::is_truncated`] says so).
///
/// Error bodies are a few hundred bytes; the bound keeps classification of any input
/// linear and small (one pass over at most 64 KiB, nesting bounded by serde_json's
/// limit of 128).
pub const MAX_BODY_LEN: usize = 64 * 1024;

/// The raw body as received, cut to [`MAX_BODY_LEN`] bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct RawBody {
    bytes: Box<[u8]>,
    original_len: usize,
}

impl RawBody {
    pub(crate) fn new(body: &[u8]) -> Self {
        let kept = body.get(..MAX_BODY_LEN).unwrap_or(body);
        RawBody { bytes: kept.into(), original_len: body.len() }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn original_len(&self) -> usize {
        self.original_len
    }

    pub(crate) fn is_truncated(&self) -> bool {
        self.original_len > self.bytes.len()
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.bytes))?;
        if self.is_truncated() {
            write!(f, " (truncated from {} bytes)", self.original_len)?;
        }
        Ok(())
    }
}

/// An answer without a usable error body: not JSON, not an object, neither a code nor a
/// message where the API's shape puts them (Easemob: `error`, `error_description`), or
/// longer than [`MAX_BODY_LEN`].
/// An HTML 502 page from a gateway, or an empty 504, lands here.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusOnly {
    status: u16,
    body: RawBody,
}

impl StatusOnly {
    pub(crate) fn new(status: u16, body: &[u8]) -> Self {
        StatusOnly { status, body: RawBody::new(body) }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The raw body (its first [`MAX_BODY_LEN`] bytes).
    pub fn body(&self) -> &[u8] {
        self.body.bytes()
    }

    /// The body's length as received.
    pub fn body_len(&self) -> usize {
        self.body.original_len()
    }

    /// Whether the body was longer than [`MAX_BODY_LEN`] and only its start is kept
    /// (such a body is not parsed).
    pub fn is_truncated(&self) -> bool {
        self.body.is_truncated()
    }
}

/// An error body that the catalog does not list. Keeps status, code (Easemob: `error`),
/// message (`error_description`), the retry delay the body gave, and the raw body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnknownError {
    status: u16,
    /// The retry delay the body gave, in milliseconds.
    delay_ms: Option<std::num::NonZeroU32>,
    code: Option<Box<str>>,
    description: Option<Box<str>>,
    body: RawBody,
}

impl UnknownError {
    pub(crate) fn new(
        status: u16,
        code: Option<&str>,
        description: Option<&str>,
        retry_delay: Option<std::time::Duration>,
        body: &[u8],
    ) -> Self {
        UnknownError {
            status,
            delay_ms: retry_delay.and_then(crate::text::delay_ms),
            code: code.map(Box::from),
            description: description.map(Box::from),
            body: RawBody::new(body),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body's code as text, verbatim (integer codes in decimal; `None` if absent).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The retry delay the body gave, where the API puts one there.
    pub fn retry_delay(&self) -> Option<std::time::Duration> {
        self.delay_ms.map(|ms| std::time::Duration::from_millis(ms.get().into()))
    }

    /// The body's message (Easemob: `error_description`), verbatim (`None` if absent or
    /// not a string).
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The raw body, byte for byte.
    pub fn body(&self) -> &[u8] {
        self.body.bytes()
    }
}
