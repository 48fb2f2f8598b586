//! With the `token` feature: Easemob app tokens, fetched and kept for you.
//!
//! [`AppTokenProvider`] gets an app token by the client-credentials grant
//! (`POST /{org}/{app}/token` with `grant_type=client_credentials`, `client_id`,
//! `client_secret`), keeps it until shortly before its `expires_in`, and, when requests
//! see a token error, refreshes it once for all of them (single flight): the first caller
//! fetches, the others wait and get the new token. The secret never appears in a log, in
//! `Debug` or in `Display`.

use core::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A secret (the app's client secret): shown as `***` by `Debug`, and without `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself, for the one place that sends it.
    fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// An app token, as sent in `Authorization: Bearer …`. `Debug` hides it too.
#[derive(Clone, PartialEq, Eq)]
pub struct AppToken(Arc<str>);

impl AppToken {
    /// The token text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AppToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AppToken({} chars)", self.0.chars().count())
    }
}

/// Why no app token could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The token endpoint could not be reached, or its answer not read.
    Transport(crate::retry::TransportError),
    /// The token endpoint answered with an error status (its body, cut to 200 bytes).
    Refused {
        /// The status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The answer had no `access_token` string or no `expires_in` number.
    Malformed,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Transport(t) => write!(f, "easemob app token: {t}"),
            TokenError::Refused { status, body } => write!(f, "easemob app token refused: {status} {body}"),
            TokenError::Malformed => f.write_str("easemob app token: malformed answer"),
        }
    }
}

impl std::error::Error for TokenError {}

type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;

/// Gets and keeps the app token of one Easemob app. Clones share the token.
///
/// ```no_run
/// # async fn f() -> Result<(), easemob_errors::token::TokenError> {
/// use easemob_errors::token::AppTokenProvider;
/// let tokens = AppTokenProvider::new("https://a1.easemob.com", "org", "app", "YXA6...", "YXA6secret...");
/// let token = tokens.token().await?; // fetched once, then cached
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AppTokenProvider {
    inner: Arc<Inner>,
}

/// What a provider is built with.
#[derive(Clone)]
struct Settings {
    client: ::reqwest::Client,
    url: String,
    client_id: String,
    secret: Secret,
    margin: Duration,
    clock: Clock,
}

struct Inner {
    settings: Settings,
    /// The token and when to stop using it (on `clock`).
    cached: Mutex<Option<(AppToken, Duration)>>,
    /// Held by the one caller that fetches; the others wait on it (single flight).
    fetching: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

impl fmt::Debug for AppTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppTokenProvider")
            .field("url", &self.inner.settings.url)
            .field("client_id", &self.inner.settings.client_id)
            .field("client_secret", &self.inner.settings.secret)
            .field("fetches", &self.fetches())
            .finish_non_exhaustive()
    }
}

impl AppTokenProvider {
    /// A provider for app `org`/`app` at `base_url` (e.g. `https://a1.easemob.com`),
    /// with the app's client id and secret. It fetches with a plain `reqwest::Client`
    /// (see [`AppTokenProvider::with_client`]) and stops using a token 60 s before it
    /// expires (at most half its lifetime before).
    pub fn new(
        base_url: &str,
        org: &str,
        app: &str,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        let epoch = Instant::now();
        AppTokenProvider::from_settings(Settings {
            client: ::reqwest::Client::new(),
            url: format!("{}/{org}/{app}/token", base_url.trim_end_matches('/')),
            client_id: client_id.into(),
            secret: client_secret.into(),
            margin: Duration::from_secs(60),
            clock: Arc::new(move || epoch.elapsed()),
        })
    }

    fn from_settings(settings: Settings) -> Self {
        AppTokenProvider {
            inner: Arc::new(Inner {
                settings,
                cached: Mutex::new(None),
                fetching: tokio::sync::Mutex::new(()),
                fetches: AtomicU64::new(0),
            }),
        }
    }

    /// A provider with changed settings and no token yet (the `with_*` methods are
    /// meant for building; a changed provider shares nothing with the clones of this one).
    fn rebuild(self, change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = self.inner.settings.clone();
        change(&mut settings);
        AppTokenProvider::from_settings(settings)
    }

    /// Fetches with this client (a client without the retry middleware: token requests
    /// are not paced nor retried by it).
    #[must_use]
    pub fn with_client(self, client: ::reqwest::Client) -> Self {
        self.rebuild(|i| i.client = client)
    }

    /// Stops using a token this long before it expires (at most half its lifetime).
    #[must_use]
    pub fn with_margin(self, margin: Duration) -> Self {
        self.rebuild(|i| i.margin = margin)
    }

    /// Replaces the clock the expiry is read on (the time since any fixed start).
    #[must_use]
    pub fn with_clock(self, clock: impl Fn() -> Duration + Send + Sync + 'static) -> Self {
        self.rebuild(|i| i.clock = Arc::new(clock))
    }

    /// How many tokens were fetched so far.
    pub fn fetches(&self) -> u64 {
        self.inner.fetches.load(Ordering::Relaxed)
    }

    /// The cached token if it is still good.
    fn cached(&self) -> Option<AppToken> {
        let now = (self.inner.settings.clock)();
        let cached = self.inner.cached.lock().unwrap_or_else(PoisonError::into_inner);
        cached.as_ref().filter(|(_, until)| now < *until).map(|(t, _)| t.clone())
    }

    /// The app token: the cached one while it is good, else a new one (one fetch for
    /// all the callers that ask meanwhile).
    pub async fn token(&self) -> Result<AppToken, TokenError> {
        if let Some(token) = self.cached() {
            return Ok(token);
        }
        let _fetching = self.inner.fetching.lock().await;
        match self.cached() {
            Some(token) => Ok(token),
            None => self.fetch().await,
        }
    }

    /// A new token to replace `stale`, which the server refused: fetched by the first
    /// caller; those that come while it fetches, or after, with the same stale token
    /// get the new one without fetching again.
    pub async fn refresh(&self, stale: &AppToken) -> Result<AppToken, TokenError> {
        let _fetching = self.inner.fetching.lock().await;
        match self.cached() {
            Some(token) if token != *stale => Ok(token),
            _ => self.fetch().await,
        }
    }

    /// Forgets the cached token (the next [`AppTokenProvider::token`] fetches).
    pub fn invalidate(&self) {
        *self.inner.cached.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    async fn fetch(&self) -> Result<AppToken, TokenError> {
        let (inner, settings) = (&*self.inner, &self.inner.settings);
        inner.fetches.fetch_add(1, Ordering::Relaxed);
        let body = serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": settings.client_id,
            "client_secret": settings.secret.expose(),
        });
        let transport = |e: ::reqwest::Error| TokenError::Transport(crate::reqwest::transport_error(&e));
        let response = settings
            .client
            .post(&settings.url)
            .header(::http::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(transport)?;
        if !(200..300).contains(&status) {
            let end = bytes.len().min(200);
            let body = String::from_utf8_lossy(bytes.get(..end).unwrap_or_default()).into_owned();
            return Err(TokenError::Refused { status, body });
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)?;
        let token = value.get("access_token").and_then(|t| t.as_str()).ok_or(TokenError::Malformed)?;
        let expires_in = value.get("expires_in").and_then(|e| e.as_u64()).ok_or(TokenError::Malformed)?;
        let lifetime = Duration::from_secs(expires_in);
        let until =
            (settings.clock)().saturating_add(lifetime.saturating_sub(settings.margin.min(lifetime / 2)));
        let token = AppToken(Arc::from(token));
        *inner.cached.lock().unwrap_or_else(PoisonError::into_inner) = Some((token.clone(), until));
        #[cfg(feature = "tracing")]
        tracing::info!(expires_in, url = %settings.url, "fetched an easemob app token");
        Ok(token)
    }
}
