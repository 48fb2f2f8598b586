//! The load benchmark's contenders: ours, reqwest-retry, and no retry, each a
//! reqwest-middleware client with a counter of the attempts it sends.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use easemob_errors::EasemobError;
use easemob_errors::middleware::EasemobMiddleware;
use easemob_errors::retry::RetryConfig;
use easemob_errors::token::AppTokenProvider;
use http::Extensions;
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware, Middleware, Next};
use reqwest_retry::RetryTransientMiddleware;
use reqwest_retry::policies::ExponentialBackoff;

/// Which client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ours,
    ReqwestRetry,
    None,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Ours, Kind::ReqwestRetry, Kind::None];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Ours => "ours",
            Kind::ReqwestRetry => "reqwest-retry",
            Kind::None => "none",
        }
    }
}

/// Counts the attempts that leave the client (the innermost middleware: every retry
/// passes through it).
struct Counter(Arc<AtomicU64>);

#[async_trait::async_trait]
impl Middleware for Counter {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        self.0.fetch_add(1, Ordering::Relaxed);
        next.run(request, extensions).await
    }
}

/// A contender, ready to send logical requests.
pub struct Contender {
    kind: Kind,
    base: String,
    client: ClientWithMiddleware,
    /// Ours: the provider; the baselines: the token they share, fetched by hand.
    tokens: Option<AppTokenProvider>,
    token: Mutex<String>,
    plain: reqwest::Client,
    /// Attempts sent, and token fetches made (baselines), seen from the client.
    pub attempts: Arc<AtomicU64>,
    hand_fetches: AtomicU64,
}

impl Contender {
    /// `deadline`: ours gives up by itself then (the harness also stops every contender's
    /// requests at the phase's limit).
    pub fn new(kind: Kind, base: &str, deadline: Duration) -> Contender {
        let attempts = Arc::new(AtomicU64::new(0));
        let plain = reqwest::Client::new();
        let builder = ClientBuilder::new(plain.clone());
        let (builder, tokens) = match kind {
            Kind::Ours => {
                let tokens = AppTokenProvider::new(base, "org", "app", "client-id", "client-secret")
                    .with_client(plain.clone());
                let ours = EasemobMiddleware::<EasemobError>::new()
                    .with_tokens(tokens.clone())
                    .with_config(RetryConfig::default().deadline(deadline));
                (builder.with(ours), Some(tokens))
            }
            Kind::ReqwestRetry => {
                let policy = ExponentialBackoff::builder().build_with_max_retries(3);
                (builder.with(RetryTransientMiddleware::new_with_policy(policy)), None)
            }
            Kind::None => (builder, None),
        };
        let client = builder.with(Counter(Arc::clone(&attempts))).build();
        Contender {
            kind,
            base: base.to_owned(),
            client,
            tokens,
            token: Mutex::new(String::new()),
            plain,
            attempts,
            hand_fetches: AtomicU64::new(0),
        }
    }

    /// Token fetches the client made.
    pub fn token_fetches(&self) -> u64 {
        match &self.tokens {
            Some(tokens) => tokens.fetches(),
            None => self.hand_fetches.load(Ordering::Relaxed),
        }
    }

    /// A baseline's token fetch, as users write it: the client-credentials grant.
    async fn fetch_token(&self) -> Option<String> {
        self.hand_fetches.fetch_add(1, Ordering::Relaxed);
        let body =
            r#"{"grant_type":"client_credentials","client_id":"client-id","client_secret":"client-secret"}"#;
        let response = self
            .plain
            .post(format!("{}/org/app/token", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .ok()?;
        let value: serde_json::Value = serde_json::from_slice(&response.bytes().await.ok()?).ok()?;
        let token = value.get("access_token")?.as_str()?.to_owned();
        *self.token.lock().expect("token") = token.clone();
        Some(token)
    }

    /// Sends logical request `i` (30% POST, 70% GET); whether it succeeded.
    pub async fn send(&self, i: usize) -> bool {
        let post = i % 10 < 3;
        let request = |token: Option<&str>| {
            let builder = if post {
                self.client
                    .post(format!("{}/org/app/messages", self.base))
                    .body(format!(r#"{{"msg":"hi {i}"}}"#))
            } else {
                self.client.get(format!("{}/org/app/users/u{i}", self.base))
            };
            let builder = builder.header("x-request-id", i.to_string());
            match token {
                Some(token) => builder.bearer_auth(token),
                None => builder,
            }
        };
        if self.kind == Kind::Ours {
            return matches!(request(None).send().await, Ok(r) if r.status().is_success());
        }
        // The baselines: the shared token (fetched when there is none yet); on a 401,
        // a new token for this request, then once more.
        let mut token = self.token.lock().expect("token").clone();
        if token.is_empty() {
            match self.fetch_token().await {
                Some(t) => token = t,
                None => return false,
            }
        }
        match request(Some(&token)).send().await {
            Ok(r) if r.status() == 401 => match self.fetch_token().await {
                Some(t) => matches!(request(Some(&t)).send().await, Ok(r) if r.status().is_success()),
                None => false,
            },
            Ok(r) => r.status().is_success(),
            Err(_) => false,
        }
    }
}
