//! The retry engine: from a classified failure to the next action.
//!
//! [`Retrier`] decides, for one request, what to do after each failed attempt: wait and
//! retry (exponential backoff with full jitter, or the server's `Retry-After`), refresh
//! the app token and retry (once), split the body and retry (once), or give up, and
//! whether to alert. It needs no async runtime: [`run`] and [`run_async`] drive a request
//! closure with a sleep the caller supplies.
//!
//! What holds across requests lives in shared handles: a [`RetryBudget`] (retries spend
//! from one token bucket that successes refill, so that a burst of failures cannot turn
//! into a retry storm), and, in [`crate::limiter`], the pacing of sends per app key.
//!
//! Safety rules for repeating a request:
//! - a failure the server rejected before doing anything (a 4xx other than 408, 503
//!   throttling, a connection refused before sending) is safe to repeat for any method;
//! - an ambiguous one (408, 5xx other than 503, a timeout or reset after sending) may
//!   have been applied: it is repeated only for idempotent requests, unless the caller
//!   opts in with [`RetryConfig::retry_ambiguous`].
//!
//! ```
//! use easemob_errors::retry::{Decision, Retrier, RetryConfig};
//! use easemob_errors::EasemobError;
//! use std::time::Duration;
//!
//! let mut retrier = Retrier::new(RetryConfig::default(), true).with_jitter(|cap| cap); // no randomness
//! let err = EasemobError::from_response(429, br#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#);
//! assert_eq!(retrier.decide(&err, None, Duration::ZERO), Decision::Retry { after: Duration::from_millis(1000) });
//! ```

use core::fmt;
use std::time::{Duration, SystemTime};

use crate::policy::{Backoff, RetryPolicy};

mod budget;
mod drive;
mod failure;

pub use budget::RetryBudget;
#[cfg(feature = "reqwest")]
pub(crate) use drive::next_told;
pub use drive::{Attempt, Attempted, GaveUp, Verdict, run, run_async};
pub use failure::{Failure, FromResponse, RequestError, TransportError};

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Decision {
    /// Wait, then send the request again.
    Retry {
        /// How long to wait.
        after: Duration,
    },
    /// Get a new app token, then send the request again (at once).
    RefreshToken,
    /// Split the body into smaller bodies, then send them.
    SplitBody,
    /// Stop; report the failure. `alert`: log it and alert the operators.
    GiveUp {
        /// Whether to alert.
        alert: bool,
    },
}

impl Decision {
    /// The decision's name as `explain --json` spells it: `retry`, `refresh_token`,
    /// `split_body` or `give_up`.
    pub const fn name(&self) -> &'static str {
        match self {
            Decision::Retry { .. } => "retry",
            Decision::RefreshToken => "refresh_token",
            Decision::SplitBody => "split_body",
            Decision::GiveUp { .. } => "give_up",
        }
    }

    /// The wait before the next attempt (`None` when giving up; zero for a token refresh
    /// or a split).
    pub const fn delay(&self) -> Option<Duration> {
        match self {
            Decision::Retry { after } => Some(*after),
            Decision::RefreshToken | Decision::SplitBody => Some(Duration::ZERO),
            Decision::GiveUp { .. } => None,
        }
    }
}

/// Limits that hold for every request, whatever the error's own policy says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Give up when the next wait would end past this much time since the first attempt.
    pub deadline: Duration,
    /// The longest `Retry-After` honoured; longer ones are cut to it.
    pub max_retry_after: Duration,
    /// Repeat ambiguous failures (that may have been applied) of non-idempotent requests.
    pub retry_ambiguous: bool,
}

impl Default for RetryConfig {
    /// A 2-minute deadline, `Retry-After` up to 60 s, no replay of ambiguous failures of
    /// non-idempotent requests.
    fn default() -> Self {
        RetryConfig {
            deadline: Duration::from_secs(120),
            max_retry_after: Duration::from_secs(60),
            retry_ambiguous: false,
        }
    }
}

impl RetryConfig {
    /// Sets the overall deadline.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets the longest `Retry-After` honoured.
    #[must_use]
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Opts in to repeating ambiguous failures of non-idempotent requests.
    #[must_use]
    pub fn retry_ambiguous(mut self, yes: bool) -> Self {
        self.retry_ambiguous = yes;
        self
    }
}

type Jitter = Box<dyn FnMut(Duration) -> Duration + Send>;
type Clock = Box<dyn FnMut() -> Duration + Send>;

/// Why a request was given up: what [`GaveUp`] and the `tracing` event say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// The error's policy is not to retry.
    NotRetryable,
    /// The failure is ambiguous (it may have been applied) and the request is not
    /// idempotent: it is not replayed (see [`RetryConfig::retry_ambiguous`]).
    NotSafe,
    /// The policy's attempts are used up (or its one token refresh or split is).
    Exhausted,
    /// The next attempt would start past the deadline.
    Deadline,
    /// The client-wide [`RetryBudget`] is spent: no retry until successes refill it.
    BudgetSpent,
    /// A new app token could not be had.
    Token,
    /// The body must be split, which only the caller can do (the middleware cannot).
    SplitBody,
}

impl GiveUpReason {
    /// A short name, as the `tracing` events spell it: `not_retryable`, `not_safe`,
    /// `exhausted`, `deadline`, `budget_spent`, `token` or `split_body`.
    pub const fn name(&self) -> &'static str {
        match self {
            GiveUpReason::NotRetryable => "not_retryable",
            GiveUpReason::NotSafe => "not_safe",
            GiveUpReason::Exhausted => "exhausted",
            GiveUpReason::Deadline => "deadline",
            GiveUpReason::BudgetSpent => "budget_spent",
            GiveUpReason::Token => "token",
            GiveUpReason::SplitBody => "split_body",
        }
    }
}

impl fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GiveUpReason::NotRetryable => "not retryable",
            GiveUpReason::NotSafe => "may have been applied; not replayed",
            GiveUpReason::Exhausted => "retries exhausted",
            GiveUpReason::Deadline => "deadline reached",
            GiveUpReason::BudgetSpent => "retry budget spent",
            GiveUpReason::Token => "no app token",
            GiveUpReason::SplitBody => "the body must be split",
        })
    }
}

/// The retry state of one request: how many attempts failed, whether the token was
/// refreshed or the body split already, and the client-wide budget it draws on.
pub struct Retrier {
    config: RetryConfig,
    idempotent: bool,
    failures: u32,
    refreshed: bool,
    split: bool,
    jitter: Jitter,
    clock: Option<Clock>,
    budget: Option<RetryBudget>,
    reason: Option<GiveUpReason>,
}

impl fmt::Debug for Retrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retrier")
            .field("config", &self.config)
            .field("idempotent", &self.idempotent)
            .field("failures", &self.failures)
            .field("refreshed", &self.refreshed)
            .field("split", &self.split)
            .field("budget", &self.budget)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

impl Retrier {
    /// A retrier for one request. `idempotent`: whether sending it twice is harmless
    /// (GET, PUT, DELETE; not POST). Jitter is random (full jitter: uniform in
    /// `0..=cap`); see [`Retrier::with_jitter`] for deterministic tests.
    pub fn new(config: RetryConfig, idempotent: bool) -> Self {
        let mut rng = fastrand::Rng::new();
        Retrier {
            config,
            idempotent,
            failures: 0,
            refreshed: false,
            split: false,
            jitter: Box::new(move |cap| full_jitter(&mut rng, cap)),
            clock: None,
            budget: None,
            reason: None,
        }
    }

    /// Draws every retry from `budget`, shared with the other requests of a client
    /// (clones of one [`RetryBudget`] share it): when it is spent, a failure gives up
    /// at once ([`GiveUpReason::BudgetSpent`]). First attempts never draw on it, nor
    /// does the one retry after a token refresh.
    #[must_use]
    pub fn with_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Tells the budget (if any) that the request succeeded, which refills it. The
    /// drivers call it; call it yourself when you drive [`Retrier::decide`] by hand.
    pub fn succeeded(&mut self) {
        if let Some(budget) = &self.budget {
            budget.deposit();
        }
    }

    /// Why the last decision gave up, if it did.
    pub fn give_up_reason(&self) -> Option<GiveUpReason> {
        self.reason
    }

    /// The configuration.
    pub fn config(&self) -> &RetryConfig {
        &self.config
    }

    /// Replaces the clock the drivers read the time spent with (by default, the wall
    /// time since the first attempt): a function giving the time spent so far.
    #[must_use]
    pub fn with_clock(mut self, clock: impl FnMut() -> Duration + Send + 'static) -> Self {
        self.clock = Some(Box::new(clock));
        self
    }

    /// The time spent since `start`, by the injected clock if there is one.
    pub(crate) fn elapsed_since(&mut self, start: std::time::Instant) -> Duration {
        match &mut self.clock {
            Some(clock) => clock(),
            None => start.elapsed(),
        }
    }

    /// Replaces the jitter: a function from the delay cap to the delay.
    #[must_use]
    pub fn with_jitter(mut self, jitter: impl FnMut(Duration) -> Duration + Send + 'static) -> Self {
        self.jitter = Box::new(jitter);
        self
    }

    /// Sets whether the request is idempotent (the `reqwest` helper takes it from the
    /// request's method).
    pub fn set_idempotent(&mut self, idempotent: bool) {
        self.idempotent = idempotent;
    }

    /// How many failed attempts were seen.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Decides what to do after a failed attempt. `retry_after`: the answer's
    /// `Retry-After`, already parsed (see [`parse_retry_after`]); `elapsed`: time since
    /// the first attempt started. With a budget, every retry it decides on is drawn from
    /// it; [`Retrier::give_up_reason`] tells why it gave up.
    pub fn decide(
        &mut self,
        failure: &dyn Failure,
        retry_after: Option<Duration>,
        elapsed: Duration,
    ) -> Decision {
        self.failures = self.failures.saturating_add(1);
        // A delay the body gave counts as `Retry-After` where the headers give none.
        let retry_after = retry_after.or_else(|| failure.retry_delay_hint());
        let (decision, reason) = self.policy_decision(failure, retry_after, elapsed);
        // Only retries draw on the budget: a give-up costs nothing, and neither does a
        // token refresh. That one is not a sign of overload but of a stale credential,
        // at most once per request, and the provider makes it once for all of them;
        // blocking it would leave every later request on the stale token, failing and
        // never refilling the budget.
        let (decision, reason) = match (decision, &self.budget) {
            (Decision::GiveUp { .. } | Decision::RefreshToken, _) | (_, None) => (decision, reason),
            (_, Some(budget)) if budget.try_withdraw() => (decision, None),
            _ => (Decision::GiveUp { alert: true }, Some(GiveUpReason::BudgetSpent)),
        };
        self.reason = reason;
        decision
    }

    /// The decision the error's policy and the limits make, budget aside.
    fn policy_decision(
        &mut self,
        failure: &dyn Failure,
        retry_after: Option<Duration>,
        elapsed: Duration,
    ) -> (Decision, Option<GiveUpReason>) {
        let alert = failure.is_system_error();
        let policy = failure.retry_policy();
        if policy.is_retryable() {
            // Whatever the kind of retry: never replay what may have been applied, and
            // never go past the deadline.
            let safe = failure.rejected_before_processing() || self.idempotent || self.config.retry_ambiguous;
            if !safe {
                return (Decision::GiveUp { alert }, Some(GiveUpReason::NotSafe));
            }
            if elapsed > self.config.deadline {
                return (Decision::GiveUp { alert: true }, Some(GiveUpReason::Deadline));
            }
        }
        match policy {
            RetryPolicy::RefreshToken if !self.refreshed => {
                self.refreshed = true;
                (Decision::RefreshToken, None)
            }
            RetryPolicy::SplitBody if !self.split => {
                self.split = true;
                (Decision::SplitBody, None)
            }
            // Still failing after its one retry.
            RetryPolicy::RefreshToken | RetryPolicy::SplitBody => {
                (Decision::GiveUp { alert: true }, Some(GiveUpReason::Exhausted))
            }
            RetryPolicy::Backoff(b) => self.backoff(b, retry_after, elapsed),
            _ => (Decision::GiveUp { alert }, Some(GiveUpReason::NotRetryable)),
        }
    }

    fn backoff(
        &mut self,
        b: Backoff,
        retry_after: Option<Duration>,
        elapsed: Duration,
    ) -> (Decision, Option<GiveUpReason>) {
        if self.failures >= b.attempts() {
            return (Decision::GiveUp { alert: true }, Some(GiveUpReason::Exhausted));
        }
        let after = match retry_after {
            Some(ra) => ra.min(self.config.max_retry_after).max(b.base_delay()),
            None => {
                let cap = b.delay_cap(self.failures - 1);
                (self.jitter)(cap).min(cap)
            }
        };
        if elapsed.saturating_add(after) > self.config.deadline {
            return (Decision::GiveUp { alert: true }, Some(GiveUpReason::Deadline));
        }
        (Decision::Retry { after }, None)
    }
}

/// Full jitter: uniform in `0..=cap`, at millisecond resolution.
fn full_jitter(rng: &mut fastrand::Rng, cap: Duration) -> Duration {
    let ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rng.u64(0..=ms))
}

/// Parses a `Retry-After` value, in either form: delta-seconds (`120`) or an HTTP-date
/// (`Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete RFC 850 and asctime forms, read by
/// `httpdate`), the latter relative to `now`. A date in the past gives zero; anything
/// else unparsable, `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SystemTime {
        httpdate::parse_http_date(s).unwrap()
    }

    #[test]
    fn retry_after_in_both_forms() {
        let now = at("Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(), 784_111_777);
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("Sunday, 06-Nov-94 08:49:47 GMT", now), Some(Duration::from_secs(10)));
        assert_eq!(parse_retry_after("Sun Nov  6 08:49:57 1994", now), Some(Duration::from_secs(20)));
        assert_eq!(parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now), Some(Duration::ZERO), "past");
        for bad in ["", "-5", "1.5", "soon", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT"]
        {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn jitter_stays_within_the_cap() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..1000 {
            assert!(full_jitter(&mut rng, Duration::from_millis(250)) <= Duration::from_millis(250));
        }
        assert_eq!(full_jitter(&mut rng, Duration::ZERO), Duration::ZERO);
    }
}
