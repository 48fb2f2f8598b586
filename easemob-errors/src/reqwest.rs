//! With the `reqwest` feature: classify `reqwest` responses, and send a request with
//! the full retry policy.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::retry::{
    Attempt, Attempted, Failure, FromResponse, GaveUp, GiveUpReason, RequestError, Retrier, TransportError,
    next_told,
};

/// Classifies a failed `reqwest` response. Reads at most one byte more than
/// [`MAX_BODY_LEN`](crate::MAX_BODY_LEN) of the body (a longer one is classified by
/// status, as `from_response` does); if reading fails, what was read is classified, so
/// the status is never lost.
pub async fn classify<E: FromResponse>(mut response: ::reqwest::Response) -> Attempted<RequestError<E>> {
    let status = response.status().as_u16();
    let (body, _) = read_body(&mut response, crate::MAX_BODY_LEN).await;
    failed::<E>(status, response.headers(), &body).0
}

/// Tells a success from an error by the spec's rule: by the status alone, unless
/// the API answers some errors with 2xx (`E::success_needs_body`); then the body is
/// read, and a success is handed back with that body, whole. A failure comes with the
/// API's verdict header ([`crate::http::should_retry`]); a success whose body cannot be
/// read to its end is a transport error (after sending).
pub async fn answer<E: FromResponse>(
    mut response: ::reqwest::Response,
) -> Result<::reqwest::Response, (Attempted<RequestError<E>>, Option<bool>)> {
    if response.status().is_success() && !E::success_needs_body() {
        return Ok(response);
    }
    let status = response.status().as_u16();
    let (mut body, mut broken) = read_body(&mut response, crate::MAX_BODY_LEN).await;
    if !E::success_needs_body() || E::classify(status, &body).is_some() {
        return Err(failed::<E>(status, response.headers(), &body));
    }
    // A body longer than any error body: the rest of the success.
    if broken.is_none() && body.len() > crate::MAX_BODY_LEN {
        let (rest, error) = read_body(&mut response, usize::MAX).await;
        body.extend_from_slice(&rest);
        broken = error;
    }
    if let Some(e) = broken {
        let error = RequestError::Transport(transport_error(&e));
        return Err((Attempted { error, retry_after: None }, None));
    }
    let mut rebuilt = ::http::Response::new(body);
    *rebuilt.status_mut() = response.status();
    *rebuilt.version_mut() = response.version();
    *rebuilt.headers_mut() = response.headers().clone();
    Ok(::reqwest::Response::from(rebuilt))
}

/// The body, until it is longer than `limit` (at most a chunk more) or ends; with the
/// error if reading failed, what was read before it.
async fn read_body(response: &mut ::reqwest::Response, limit: usize) -> (Vec<u8>, Option<::reqwest::Error>) {
    let mut body = Vec::new();
    while body.len() <= limit {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => return (body, Some(e)),
        }
    }
    (body, None)
}

fn failed<E: FromResponse>(
    status: u16,
    headers: &::http::HeaderMap,
    body: &[u8],
) -> (Attempted<RequestError<E>>, Option<bool>) {
    let error = RequestError::Api(E::from_response(status, body));
    let retry_after = crate::http::retry_after(headers, std::time::SystemTime::now());
    (Attempted { error, retry_after }, crate::http::should_retry::<E>(headers))
}

/// What a `reqwest` error means for retrying: a connect error sent nothing; a timeout or
/// any other failure may have happened after sending.
pub fn transport_error(e: &::reqwest::Error) -> TransportError {
    if e.is_connect() {
        TransportError::ConnectionRefused
    } else if e.is_timeout() {
        TransportError::Timeout { sent: true }
    } else {
        TransportError::ConnectionReset { sent: true }
    }
}

/// Sends a request with the full policy: backoff with jitter, `Retry-After`, one token
/// refresh, one body split, no replay of non-idempotent requests after ambiguous
/// failures, and a deadline.
///
/// - `build(token, attempt)` builds each attempt's request (with `attempt.split_body`
///   set after a 413, so that it sends a smaller body);
/// - `refresh()` gets a new app token after a token error (at most once per request);
///   `None` gives up;
/// - `sleep(d)` waits (e.g. `tokio::time::sleep`).
///
/// The retrier's idempotency is taken from the request's method. Success is told by
/// the spec's rule ([`answer`]): for APIs that answer errors with 2xx, the success's
/// body has been read and is handed back with the response; otherwise it is unread. Give the retrier a shared budget
/// ([`Retrier::with_budget`]) to hold retries at client scope; for pacing and a token
/// provider as well, see the `reqwest-middleware` feature's `EasemobMiddleware`.
pub async fn send_with_retry<E, B, R, RF, S, SF>(
    mut retrier: Retrier,
    mut token: String,
    mut build: B,
    mut refresh: R,
    mut sleep: S,
) -> Result<::reqwest::Response, GaveUp<RequestError<E>>>
where
    E: FromResponse + Failure,
    B: FnMut(&str, Attempt) -> ::reqwest::RequestBuilder,
    R: FnMut() -> RF,
    RF: Future<Output = Option<String>>,
    S: FnMut(Duration) -> SF,
    SF: Future<Output = ()>,
{
    let start = Instant::now();
    let mut attempt = Attempt::FIRST;
    let mut last: Option<Attempted<RequestError<E>>> = None;
    loop {
        if attempt.refresh_token {
            match refresh().await {
                Some(new) => token = new,
                None => {
                    if let Some(failed) = last.take() {
                        return Err(GaveUp::new(failed.error, retrier.failures(), true, GiveUpReason::Token));
                    }
                }
            }
        }
        let (client, request) = build(&token, attempt).build_split();
        let (failed, should_retry) = match request {
            Ok(request) => {
                retrier.set_idempotent(request.method().is_idempotent());
                match client.execute(request).await {
                    Ok(response) => match answer::<E>(response).await {
                        Ok(response) => {
                            retrier.succeeded();
                            return Ok(response);
                        }
                        Err(failed) => failed,
                    },
                    Err(e) => (Attempted::from(RequestError::Transport(transport_error(&e))), None),
                }
            }
            Err(e) => (Attempted::from(RequestError::Transport(transport_error(&e))), None),
        };
        let elapsed = retrier.elapsed_since(start);
        match next_told(&mut retrier, &failed, should_retry, elapsed, &mut attempt) {
            Ok(wait) => {
                if !wait.is_zero() {
                    sleep(wait).await;
                }
                last = Some(failed);
            }
            Err((alert, reason)) => return Err(GaveUp::new(failed.error, retrier.failures(), alert, reason)),
        }
    }
}
