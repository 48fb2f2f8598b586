//! Driving a request closure with a [`Retrier`]: the attempt loop, sync and async.

use core::fmt;
use std::future::Future;
use std::time::Duration;

use super::{Decision, Failure, GiveUpReason, Retrier};

/// What a request closure returns on failure: the classified error, and the answer's
/// `Retry-After`, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempted<E> {
    /// The failure.
    pub error: E,
    /// The answer's `Retry-After`, parsed.
    pub retry_after: Option<Duration>,
}

impl<E> From<E> for Attempted<E> {
    fn from(error: E) -> Self {
        Attempted { error, retry_after: None }
    }
}

/// A failure as the API's verdict header has it ([`crate::http::should_retry`], e.g.
/// Stripe's `Stripe-Should-Retry`): `false` never retries; `true` retries with backoff an
/// error whose own policy would not, and vouches that repeating the request is safe (the
/// server knows whether it applied it). The `reqwest` integrations apply it themselves;
/// with [`Retrier::decide`], wrap the error in it.
///
/// ```
/// use easemob_errors::EasemobError;
/// use easemob_errors::retry::{Decision, Retrier, RetryConfig, Verdict};
///
/// let err = EasemobError::from_response(400, br#"{"error":"invalid_grant","error_description":"invalid username or password"}"#);
/// let mut retrier = Retrier::new(RetryConfig::default(), true);
/// let told = Verdict::new(&err, true);
/// assert!(matches!(retrier.decide(&told, None, std::time::Duration::ZERO), Decision::Retry { .. }));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Verdict<'a, F: ?Sized> {
    failure: &'a F,
    retry: bool,
}

impl<'a, F: ?Sized> Verdict<'a, F> {
    /// `failure`, with the verdict `retry`.
    pub fn new(failure: &'a F, retry: bool) -> Self {
        Verdict { failure, retry }
    }
}

impl<F: Failure + ?Sized> Failure for Verdict<'_, F> {
    fn http_status(&self) -> Option<u16> {
        self.failure.http_status()
    }

    fn retry_policy(&self) -> crate::RetryPolicy {
        match (self.retry, self.failure.retry_policy()) {
            (false, _) => crate::RetryPolicy::Never,
            (true, policy) if policy.is_retryable() => policy,
            (true, _) => crate::RetryPolicy::Backoff(crate::Backoff::new(3, 500, 30_000)),
        }
    }

    fn is_system_error(&self) -> bool {
        self.failure.is_system_error()
    }

    fn retry_delay_hint(&self) -> Option<Duration> {
        self.failure.retry_delay_hint()
    }

    fn rejected_before_processing(&self) -> bool {
        self.retry || self.failure.rejected_before_processing()
    }
}

/// What the request closure is told about the attempt it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// Get a new app token before sending (the previous attempt's token was refused).
    pub refresh_token: bool,
    /// Split the body before sending (the previous body was too large).
    pub split_body: bool,
}

impl Attempt {
    /// The first attempt.
    pub(crate) const FIRST: Attempt = Attempt { number: 1, refresh_token: false, split_body: false };
}

/// How a request ended without success.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GaveUp<E> {
    /// The last failure.
    pub error: E,
    /// How many attempts were made.
    pub attempts: u32,
    /// Whether to log and alert.
    pub alert: bool,
    /// Why no further attempt was made.
    pub reason: GiveUpReason,
}

impl<E> GaveUp<E> {
    /// A give-up after `attempts` attempts.
    pub(crate) fn new(error: E, attempts: u32, alert: bool, reason: GiveUpReason) -> Self {
        GaveUp { error, attempts, alert, reason }
    }
}

impl<E: fmt::Display> fmt::Display for GaveUp<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gave up after {} attempt(s) ({}): {}", self.attempts, self.reason, self.error)
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for GaveUp<E> {}

/// Runs `request` until it succeeds or the retrier gives up, sleeping with `sleep`
/// between attempts.
pub fn run<T, E: Failure>(
    mut retrier: Retrier,
    mut request: impl FnMut(Attempt) -> Result<T, Attempted<E>>,
    mut sleep: impl FnMut(Duration),
) -> Result<T, GaveUp<E>> {
    let start = std::time::Instant::now();
    let mut attempt = Attempt::FIRST;
    loop {
        let failed = match request(attempt) {
            Ok(value) => {
                retrier.succeeded();
                return Ok(value);
            }
            Err(failed) => failed,
        };
        let elapsed = retrier.elapsed_since(start);
        match next(&mut retrier, &failed, elapsed, &mut attempt) {
            Ok(wait) => sleep(wait),
            Err((alert, reason)) => {
                return Err(GaveUp::new(failed.error, retrier.failures(), alert, reason));
            }
        }
    }
}

/// [`run`] for async requests: `sleep` returns a future (e.g. `tokio::time::sleep`).
pub async fn run_async<T, E: Failure, Fut, S>(
    mut retrier: Retrier,
    mut request: impl FnMut(Attempt) -> Fut,
    mut sleep: impl FnMut(Duration) -> S,
) -> Result<T, GaveUp<E>>
where
    Fut: Future<Output = Result<T, Attempted<E>>>,
    S: Future<Output = ()>,
{
    let start = std::time::Instant::now();
    let mut attempt = Attempt::FIRST;
    loop {
        let failed = match request(attempt).await {
            Ok(value) => {
                retrier.succeeded();
                return Ok(value);
            }
            Err(failed) => failed,
        };
        let elapsed = retrier.elapsed_since(start);
        match next(&mut retrier, &failed, elapsed, &mut attempt) {
            Ok(wait) => sleep(wait).await,
            Err((alert, reason)) => {
                return Err(GaveUp::new(failed.error, retrier.failures(), alert, reason));
            }
        }
    }
}

/// One step of the drivers: the decision for `failed`, turned into the next attempt
/// and the wait before it, or `Err((alert, reason))` to give up.
pub(crate) fn next<E: Failure>(
    retrier: &mut Retrier,
    failed: &Attempted<E>,
    elapsed: Duration,
    attempt: &mut Attempt,
) -> Result<Duration, (bool, GiveUpReason)> {
    next_told(retrier, failed, None, elapsed, attempt)
}

/// [`next`], with the verdict of the API's verdict header, if it sent one.
pub(crate) fn next_told<E: Failure>(
    retrier: &mut Retrier,
    failed: &Attempted<E>,
    should_retry: Option<bool>,
    elapsed: Duration,
    attempt: &mut Attempt,
) -> Result<Duration, (bool, GiveUpReason)> {
    let decision = match should_retry {
        Some(retry) => retrier.decide(&Verdict::new(&failed.error, retry), failed.retry_after, elapsed),
        None => retrier.decide(&failed.error, failed.retry_after, elapsed),
    };
    let reason = retrier.give_up_reason().unwrap_or(GiveUpReason::Exhausted);
    #[cfg(feature = "tracing")]
    trace(&decision, reason, attempt.number, failed.error.http_status());
    *attempt = Attempt {
        number: attempt.number.saturating_add(1),
        refresh_token: decision == Decision::RefreshToken,
        split_body: decision == Decision::SplitBody,
    };
    match decision {
        Decision::GiveUp { alert } => Err((alert, reason)),
        other => Ok(other.delay().unwrap_or_default()),
    }
}

/// The event of one decision: a warn per retry, an error on an alerted give-up (its
/// `reason` says, e.g., `budget_spent`).
#[cfg(feature = "tracing")]
pub(crate) fn trace(decision: &Decision, reason: GiveUpReason, attempt: u32, status: Option<u16>) {
    match decision {
        Decision::GiveUp { alert: true } => {
            tracing::error!(
                attempt,
                ?status,
                decision = decision.name(),
                reason = reason.name(),
                "easemob request failed ({reason}); alert"
            );
        }
        Decision::GiveUp { alert: false } => {}
        other => {
            tracing::warn!(attempt, ?status, decision = other.name(), delay = ?other.delay(), "retrying easemob request")
        }
    }
}
