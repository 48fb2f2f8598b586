//! With the `reqwest-middleware` feature: the whole policy as a `reqwest-middleware`
//! middleware, so that building the client is all you write.
//!
//! ```no_run
//! use easemob_errors::EasemobError;
//! use easemob_errors::middleware::EasemobMiddleware;
//! use easemob_errors::token::AppTokenProvider;
//!
//! # async fn f() -> Result<(), reqwest_middleware::Error> {
//! let tokens = AppTokenProvider::new("https://a1.easemob.com", "org", "app", "YXA6...", "YXA6secret...");
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(EasemobMiddleware::<EasemobError>::new().with_tokens(tokens))
//!     .build();
//! let response = client.get("https://a1.easemob.com/org/app/users/alice").send().await?;
//! # Ok(()) }
//! ```
//!
//! Every request through the client is paced per app key (the URL's `/{org}/{app}`) by
//! a shared [`RateLimiter`], carries the app token, and is retried by the error's policy
//! within one shared [`RetryBudget`]; a token error refreshes the token once for all the
//! requests that saw it. Non-idempotent requests are not replayed after an ambiguous
//! failure unless [`RetryConfig::retry_ambiguous`] says so (set it for the client, or per
//! request with `RequestBuilder::with_extension(config)`).
//!
//! A request that does not end in a 2xx answer ends in `Err`: a
//! [`GaveUp<RequestError<E>>`] (the typed error, the attempts, the alert and the reason;
//! see [`gave_up`]), a [`Busy`] when the limiter had no slot before the deadline for its
//! first attempt, or a [`TokenError`] when no token could be had for it.

use core::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ::http::Extensions;
use ::http::header::{AUTHORIZATION, HeaderValue};
use reqwest_middleware::{Middleware, Next};

use crate::limiter::{AdaptiveLimiter, Busy, LimiterConfig, RateLimiter, Signal};
use crate::reqwest::{answer, transport_error};
use crate::retry::{
    Attempt, Attempted, Failure, FromResponse, GaveUp, GiveUpReason, RequestError, Retrier, RetryBudget,
    RetryConfig, next_told,
};
use crate::token::{AppToken, AppTokenProvider, TokenError};

type Sleep = Arc<dyn Fn(Duration) -> crate::limiter::BoxFuture<'static, ()> + Send + Sync>;
type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;
type Jitter = Arc<dyn Fn(Duration) -> Duration + Send + Sync>;

/// The retry policy, the retry budget, the pacing and the app token, for every request
/// of a `reqwest_middleware::ClientWithMiddleware`. `E` is the error enum (any enum
/// `include_errors!` generates). Clones share the budget, the limiter and the token.
pub struct EasemobMiddleware<E> {
    config: RetryConfig,
    budget: RetryBudget,
    limiter: Option<Arc<dyn RateLimiter>>,
    tokens: Option<AppTokenProvider>,
    sleep: Sleep,
    clock: Option<Clock>,
    jitter: Option<Jitter>,
    error: PhantomData<fn() -> E>,
}

impl<E> Clone for EasemobMiddleware<E> {
    fn clone(&self) -> Self {
        EasemobMiddleware {
            config: self.config,
            budget: self.budget.clone(),
            limiter: self.limiter.clone(),
            tokens: self.tokens.clone(),
            sleep: Arc::clone(&self.sleep),
            clock: self.clock.clone(),
            jitter: self.jitter.clone(),
            error: PhantomData,
        }
    }
}

impl<E> fmt::Debug for EasemobMiddleware<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasemobMiddleware")
            .field("config", &self.config)
            .field("budget", &self.budget)
            .field("limiter", &self.limiter.is_some())
            .field("tokens", &self.tokens)
            .finish_non_exhaustive()
    }
}

impl<E> Default for EasemobMiddleware<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EasemobMiddleware<E> {
    /// The default policy: [`RetryConfig::default`], [`RetryBudget::default`], an
    /// [`AdaptiveLimiter`] at Easemob's 100 calls/s per app key, no token provider
    /// (requests keep the `Authorization` they carry), sleeping with tokio.
    pub fn new() -> Self {
        EasemobMiddleware {
            config: RetryConfig::default(),
            budget: RetryBudget::default(),
            limiter: Some(Arc::new(AdaptiveLimiter::new(LimiterConfig::default()))),
            tokens: None,
            sleep: Arc::new(|d| Box::pin(tokio::time::sleep(d))),
            clock: None,
            jitter: None,
            error: PhantomData,
        }
    }

    /// Sets the limits of every request (a request's own `RetryConfig` extension wins).
    #[must_use]
    pub fn with_config(mut self, config: RetryConfig) -> Self {
        self.config = config;
        self
    }

    /// Draws retries from `budget` (share one budget between clients by cloning it).
    #[must_use]
    pub fn with_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = budget;
        self
    }

    /// Paces sends with `limiter` (`None`: no pacing).
    #[must_use]
    pub fn with_limiter(mut self, limiter: Option<Arc<dyn RateLimiter>>) -> Self {
        self.limiter = limiter;
        self
    }

    /// Sends every request with the app token of `tokens`, refreshed on token errors.
    #[must_use]
    pub fn with_tokens(mut self, tokens: AppTokenProvider) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// Replaces the sleep between attempts, and the clock the deadline is read on (the
    /// time since any fixed start), for tests that do not wait.
    #[must_use]
    pub fn with_clock(
        mut self,
        clock: impl Fn() -> Duration + Send + Sync + 'static,
        sleep: impl Fn(Duration) -> crate::limiter::BoxFuture<'static, ()> + Send + Sync + 'static,
    ) -> Self {
        self.clock = Some(Arc::new(clock));
        self.sleep = Arc::new(sleep);
        self
    }

    /// Replaces the random jitter: a function from the delay cap to the delay.
    #[must_use]
    pub fn with_jitter(mut self, jitter: impl Fn(Duration) -> Duration + Send + Sync + 'static) -> Self {
        self.jitter = Some(Arc::new(jitter));
        self
    }

    /// The budget the retries draw on.
    pub fn budget(&self) -> &RetryBudget {
        &self.budget
    }

    fn now(&self, start: Instant) -> Duration {
        match &self.clock {
            Some(clock) => clock(),
            None => start.elapsed(),
        }
    }
}

/// The typed give-up inside a middleware error, if that is what it is.
pub fn gave_up<E>(error: &reqwest_middleware::Error) -> Option<&GaveUp<RequestError<E>>>
where
    E: fmt::Debug + fmt::Display + Send + Sync + 'static,
{
    match error {
        reqwest_middleware::Error::Middleware(e) => e.downcast_ref(),
        reqwest_middleware::Error::Reqwest(_) => None,
    }
}

/// The limiter's key of a request: its app key, the first two segments of the path
/// (`/{org}/{app}`), with the host.
fn app_key(url: &::reqwest::Url) -> String {
    let mut segments = url.path_segments().into_iter().flatten();
    let (org, app) = (segments.next().unwrap_or(""), segments.next().unwrap_or(""));
    format!("{}/{org}/{app}", url.host_str().unwrap_or(""))
}

/// How one request ended early: the error the middleware returns.
fn stop<E>(
    last: Option<Attempted<RequestError<E>>>,
    attempts: u32,
    reason: GiveUpReason,
    otherwise: impl FnOnce() -> reqwest_middleware::Error,
) -> reqwest_middleware::Error
where
    E: fmt::Debug + fmt::Display + Send + Sync + 'static,
{
    #[cfg(feature = "tracing")]
    tracing::error!(attempt = attempts, reason = reason.name(), "easemob request failed ({reason}); alert");
    match last {
        Some(failed) => {
            reqwest_middleware::Error::middleware(GaveUp::new(failed.error, attempts, true, reason))
        }
        None => otherwise(),
    }
}

#[async_trait::async_trait]
impl<E> Middleware for EasemobMiddleware<E>
where
    E: Failure + FromResponse + fmt::Debug + fmt::Display + Send + Sync + 'static,
{
    async fn handle(
        &self,
        request: ::reqwest::Request,
        extensions: &mut Extensions,
        next_middleware: Next<'_>,
    ) -> reqwest_middleware::Result<::reqwest::Response> {
        let config = extensions.get::<RetryConfig>().copied().unwrap_or(self.config);
        let mut retrier =
            Retrier::new(config, request.method().is_idempotent()).with_budget(self.budget.clone());
        if let Some(jitter) = &self.jitter {
            let jitter = Arc::clone(jitter);
            retrier = retrier.with_jitter(move |cap| jitter(cap));
        }
        let key = app_key(request.url());
        let start = Instant::now();
        let began = self.now(start);
        let mut attempt = Attempt::FIRST;
        let mut last: Option<Attempted<RequestError<E>>> = None;
        let mut token: Option<AppToken> = None;
        let mut pending = Some(request);
        loop {
            let spent = self.now(start).saturating_sub(began);
            if let Some(limiter) = &self.limiter
                && let Err(busy) = limiter.acquire(&key, config.deadline.saturating_sub(spent)).await
            {
                return Err(stop(last, retrier.failures(), GiveUpReason::Deadline, || {
                    reqwest_middleware::Error::middleware(busy)
                }));
            }
            // The request to send now; a copy is kept for the next attempt while one can
            // be made (a streamed body cannot: it is sent once, and a failure of it ends
            // the loop below, so `pending` is always there when the loop comes back).
            let Some(mut request) = pending.take() else {
                return Err(stop(last, retrier.failures(), GiveUpReason::Exhausted, || {
                    reqwest_middleware::Error::middleware(Busy { wait: Duration::ZERO })
                }));
            };
            pending = request.try_clone();
            if let Some(tokens) = &self.tokens {
                // The token in force when the slot comes (it may have been refreshed
                // while this request waited).
                match tokens.token().await {
                    Ok(t) => {
                        if let Ok(value) = HeaderValue::try_from(format!("Bearer {}", t.as_str())) {
                            request.headers_mut().insert(AUTHORIZATION, value);
                        }
                        token = Some(t);
                    }
                    Err(e) => {
                        return Err(stop(last, retrier.failures(), GiveUpReason::Token, || {
                            reqwest_middleware::Error::middleware::<TokenError>(e)
                        }));
                    }
                }
            }
            let (failed, should_retry) = match next_middleware.clone().run(request, extensions).await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if let Some(limiter) = &self.limiter {
                        limiter.observe(&key, Signal::of_status(status)).await;
                    }
                    match answer::<E>(response).await {
                        Ok(response) => {
                            retrier.succeeded();
                            return Ok(response);
                        }
                        Err(failed) => failed,
                    }
                }
                Err(reqwest_middleware::Error::Reqwest(e)) => {
                    (Attempted::from(RequestError::Transport(transport_error(&e))), None)
                }
                Err(other) => return Err(other),
            };
            if pending.is_none() {
                let reason = GiveUpReason::Exhausted;
                return Err(reqwest_middleware::Error::middleware(GaveUp::new(
                    failed.error,
                    1,
                    true,
                    reason,
                )));
            }
            let elapsed = self.now(start).saturating_sub(began);
            match next_told(&mut retrier, &failed, should_retry, elapsed, &mut attempt) {
                Ok(_) if attempt.split_body => {
                    let reason = GiveUpReason::SplitBody;
                    let gave_up = GaveUp::new(failed.error, retrier.failures(), true, reason);
                    return Err(reqwest_middleware::Error::middleware(gave_up));
                }
                Ok(wait) => {
                    // Refresh at once, not when this request's next slot comes: the
                    // requests queued meanwhile then send the new token, not the stale
                    // one (single flight: one fetch for all that saw it refused).
                    if let (true, Some(tokens), Some(stale)) = (attempt.refresh_token, &self.tokens, &token)
                        && let Err(e) = tokens.refresh(stale).await
                    {
                        return Err(stop(Some(failed), retrier.failures(), GiveUpReason::Token, || {
                            reqwest_middleware::Error::middleware::<TokenError>(e)
                        }));
                    }
                    if !wait.is_zero() {
                        (self.sleep)(wait).await;
                    }
                    last = Some(failed);
                }
                Err((alert, reason)) => {
                    let gave_up = GaveUp::new(failed.error, retrier.failures(), alert, reason);
                    return Err(reqwest_middleware::Error::middleware(gave_up));
                }
            }
        }
    }
}
