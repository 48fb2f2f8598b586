//! With the `http` feature: classify answers given as `http` types.

use std::time::{Duration, SystemTime};

use crate::retry::{Attempted, FromResponse, parse_retry_after};

/// The `Retry-After` of an answer's headers, in either form, relative to `now`.
pub fn retry_after(headers: &::http::HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(::http::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, now)
}

/// Classifies an answer from its status, headers and body: the error and its
/// `Retry-After`, ready for [`Retrier::decide`](crate::retry::Retrier::decide).
///
/// ```
/// use easemob_errors::EasemobError;
/// let mut headers = http::HeaderMap::new();
/// headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("3"));
/// let failed = easemob_errors::http::classify::<EasemobError>(http::StatusCode::TOO_MANY_REQUESTS, &headers, b"");
/// assert_eq!(failed.retry_after, Some(std::time::Duration::from_secs(3)));
/// assert_eq!(failed.error.status(), 429);
/// ```
pub fn classify<E: FromResponse>(
    status: ::http::StatusCode,
    headers: &::http::HeaderMap,
    body: &[u8],
) -> Attempted<E> {
    Attempted {
        error: E::from_response(status.as_u16(), body),
        retry_after: retry_after(headers, SystemTime::now()),
    }
}

/// The API's verdict header (`E::should_retry_header`, e.g. Stripe's
/// `Stripe-Should-Retry`), if it has one and it says `true` or `false`. The `reqwest`
/// integrations honour it; with [`Retrier::decide`](crate::retry::Retrier::decide), pass
/// the error in a [`Verdict`](crate::retry::Verdict).
pub fn should_retry<E: FromResponse>(headers: &::http::HeaderMap) -> Option<bool> {
    match headers.get(E::should_retry_header()?)?.to_str().ok()?.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}
