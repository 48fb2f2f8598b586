//! The shape of an API's answers, as its spec's `[body]` declares it: where the error
//! code and message are, what a success looks like, and where a retry delay is. The
//! generated code writes one [`Shape`] per enum; Easemob's is [`Shape::EASEMOB`].

use std::borrow::Cow;
use std::time::Duration;

use crate::body::{Read, Scalar};

/// The most paths a shape may read (the macro checks it).
pub const MAX_PATHS: usize = 8;

/// Where an API's answers keep their error code and message, and what a success is.
#[derive(Debug)]
pub struct Shape {
    /// The code: the first of these paths that holds one (a non-empty string, or an
    /// integer when codes are integers).
    pub code: &'static [Path],
    /// How the code is written.
    pub code_kind: CodeKind,
    /// The code of a body that gives none at the code paths (RFC 9457: `about:blank`).
    pub code_default: Option<&'static str>,
    /// The message: the first of these paths that holds a string.
    pub message: &'static [Path],
    /// The statuses a success may have.
    pub success_status: SuccessStatus,
    /// Conditions on body fields that a success meets, all of them.
    pub conditions: &'static [Condition],
    /// A retry delay in the body: a protobuf duration such as `"30s"`.
    pub retry_delay: Option<Path>,
    /// A response header that says whether to retry (`true` / `false`).
    pub should_retry_header: Option<&'static str>,
}

/// A path into a JSON body.
#[derive(Debug)]
pub struct Path(pub &'static [Step]);

/// One step of a [`Path`].
#[derive(Debug)]
pub enum Step {
    /// A key of an object.
    Key(&'static str),
    /// The first element of an array of objects whose `field` is `value` (or ends with
    /// it, when `ends_with`); the path goes on with one key of that element.
    Where {
        /// The field compared.
        field: &'static str,
        /// The text compared with.
        value: &'static str,
        /// Whether the field only has to end with `value`.
        ends_with: bool,
    },
}

/// How a body writes its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// A string.
    Text,
    /// An integer (a string of its canonical digits, `"40001"`, counts as the same
    /// number).
    Integer,
}

/// The statuses a success may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuccessStatus {
    /// 200–299.
    TwoXx,
    /// Any status: the body alone tells.
    Any,
}

/// A condition on a body field that a success meets.
#[derive(Debug)]
pub struct Condition {
    /// The field.
    pub path: Path,
    /// The values it may have.
    pub equals: &'static [Literal],
    /// Whether a body without the field meets it too.
    pub absent: bool,
}

/// A value a [`Condition`] compares a field with.
#[derive(Debug)]
pub enum Literal {
    /// A string.
    Str(&'static str),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
}

/// A body's code: a string, or an integer.
#[derive(Debug)]
pub(crate) enum Code<'r> {
    Text(&'r str),
    Number(i128),
}

impl<'r> Code<'r> {
    /// The code as text, an integer written in decimal into `buffer` (on the stack: a
    /// known error costs no allocation).
    pub(crate) fn text(self, buffer: &'r mut itoa::Buffer) -> &'r str {
        match self {
            Code::Text(s) => s,
            Code::Number(n) => buffer.format(n),
        }
    }
}

impl Shape {
    /// Easemob's: `error` and `error_description` at the top level, errors only on
    /// non-2xx answers.
    pub const EASEMOB: Shape = Shape {
        code: &[Path(&[Step::Key("error")])],
        code_kind: CodeKind::Text,
        code_default: None,
        message: &[Path(&[Step::Key("error_description")])],
        success_status: SuccessStatus::TwoXx,
        conditions: &[],
        retry_delay: None,
        should_retry_header: None,
    };

    /// Whether telling a success needs the body: the spec names body fields, or 2xx
    /// answers may be errors.
    pub fn success_needs_body(&self) -> bool {
        !self.conditions.is_empty() || self.success_status == SuccessStatus::Any
    }

    /// Every path the body reader follows, in slot order: codes, messages, conditions,
    /// the retry delay.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &Path> {
        self.code
            .iter()
            .chain(self.message)
            .chain(self.conditions.iter().map(|c| &c.path))
            .chain(self.retry_delay.as_ref())
    }

    /// Whether an answer is a success: its status allowed and every condition met. An
    /// answer whose body is no JSON object, or too large to read (an HTML gateway page, a
    /// file download, a long listing), is told by its status alone: 2xx is a success,
    /// even where the API's JSON errors come with any status.
    pub(crate) fn is_success(&self, status: u16, read: Option<&Read<'_>>) -> bool {
        let two_xx = (200..300).contains(&status);
        let Some(read) = read else { return two_xx };
        let status_ok = match self.success_status {
            SuccessStatus::TwoXx => two_xx,
            SuccessStatus::Any => true,
        };
        let first = self.code.len() + self.message.len();
        status_ok
            && self.conditions.iter().enumerate().all(|(i, c)| match read.slot(first + i) {
                None => c.absent,
                Some(value) => c.equals.iter().any(|want| literal_matches(want, value)),
            })
    }

    /// The body's code: the first code path holding a non-empty string, or for integer
    /// codes an integer (or a string of its canonical digits).
    pub(crate) fn code<'r>(&self, read: &'r Read<'_>) -> Option<Code<'r>> {
        (0..self.code.len()).find_map(|i| match read.slot(i)? {
            Scalar::Str(s) if s.is_empty() => None,
            Scalar::Str(s) if self.code_kind == CodeKind::Text => Some(Code::Text(s)),
            Scalar::Str(s) => match s.parse::<i128>() {
                // "01" or "+1" stay as written; "1" is the number 1.
                Ok(n) if itoa::Buffer::new().format(n) == s.as_ref() => Some(Code::Number(n)),
                _ => Some(Code::Text(s)),
            },
            Scalar::Int(n) if self.code_kind == CodeKind::Integer => Some(Code::Number(*n)),
            _ => None,
        })
    }

    /// The body's message: the first message path holding a string.
    pub(crate) fn message<'r, 'a>(&self, read: &'r Read<'a>) -> Option<&'r Cow<'a, str>> {
        (self.code.len()..self.code.len() + self.message.len()).find_map(|i| match read.slot(i)? {
            Scalar::Str(s) => Some(s),
            _ => None,
        })
    }

    /// The body's retry delay, if the shape has one and the body gives it.
    pub(crate) fn retry_delay(&self, read: &Read<'_>) -> Option<Duration> {
        self.retry_delay.as_ref()?;
        match read.slot(self.paths().count() - 1)? {
            Scalar::Str(s) => parse_duration(s),
            _ => None,
        }
    }
}

fn literal_matches(want: &Literal, got: &Scalar<'_>) -> bool {
    match (want, got) {
        (Literal::Str(w), Scalar::Str(g)) => g == w,
        (Literal::Int(w), Scalar::Int(g)) => i128::from(*w) == *g,
        // Some APIs write numbers as strings (`"code": "200"`).
        (Literal::Int(w), Scalar::Str(g)) => g.parse::<i64>().is_ok_and(|g| g == *w),
        (Literal::Bool(w), Scalar::Bool(g)) => w == g,
        _ => false,
    }
}

/// A protobuf `Duration` in JSON: seconds with up to nine decimals and an `s`
/// (`"30s"`, `"1.5s"`); `None` for anything else.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let number = text.strip_suffix('s')?;
    let (secs, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if secs.is_empty() || !digits(secs) || fraction.len() > 9 || !digits(fraction) {
        return None;
    }
    // "5" of "1.5s" is 500,000,000 nanoseconds: the digits scaled to nine places.
    let scale = 10u32.pow(9 - u32::try_from(fraction.len()).ok()?);
    let nanos = if fraction.is_empty() { 0 } else { fraction.parse::<u32>().ok()? * scale };
    Some(Duration::new(secs.parse().ok()?, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_decimals() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        for bad in ["", "s", "1", "-1s", "1.s5", "1.0000000001s", "x s"] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }
}
