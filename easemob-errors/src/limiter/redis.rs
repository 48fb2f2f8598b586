//! With the `redis` feature: one rate limit for every process that sends with an app
//! key, kept in Redis.
//!
//! An Easemob rate limit belongs to the app key, not to a process: N app servers that each
//! pace themselves to the key's 100 calls/s send N × 100. [`RedisLimiter`] keeps each
//! key's GCRA in Redis instead (a hash per key, taken and updated by one Lua script, one
//! round trip per send, on Redis's clock), so that all the processes together stay
//! below the limit. It adapts like [`AdaptiveLimiter`] (the rate halves on 429/503
//! answers and grows back), with the rate kept in Redis too.
//!
//! ```no_run
//! use std::sync::Arc;
//! use easemob_errors::EasemobError;
//! use easemob_errors::limiter::{LimiterConfig, RateLimiter};
//! use easemob_errors::limiter::redis::{RedisLimiter, RedisLimiterConfig};
//! use easemob_errors::middleware::EasemobMiddleware;
//!
//! # fn f() -> Result<(), redis::RedisError> {
//! // Three app servers share the key's 100 calls/s.
//! let config = RedisLimiterConfig::new(3).limiter(LimiterConfig::default().rate(100.0));
//! let limiter: Arc<dyn RateLimiter> = Arc::new(RedisLimiter::open("redis://127.0.0.1:6379", config)?);
//! let middleware = EasemobMiddleware::<EasemobError>::new().with_limiter(Some(limiter));
//! # Ok(()) }
//! ```
//!
//! While Redis is away (down, restarted, or slower than [`RedisLimiterConfig::timeout`]),
//! each process paces by itself at its share of the limit (the rate divided by
//! [`RedisLimiterConfig::instances`]), so that the fleet still keeps to it. No call waits
//! on Redis longer than the timeout (a request that connects makes two calls, the
//! connection and its slot: at most twice the timeout), and a request whose call to
//! Redis fails is paced by the local share instead: none is lost. Every [`RedisLimiterConfig::retry_every`],
//! one request tries Redis again; when it answers, the shared limit is back. Each change
//! of [`Mode`] is reported once: a `tracing` event (feature `tracing`; a warning when
//! falling back) and the callback given to [`RedisLimiter::on_mode_change`].
//!
//! At the hand-overs, the slots already taken stay taken: the local share starts after
//! the last shared slot this process saw granted, and the shared limit after the local
//! queue. What is lost at a fault is at most the slots of the calls that timed out
//! (Redis may still take them when it wakes), and a slot whose request was dropped while
//! waiting for it.

use core::fmt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, Client, RedisError, Script};
use tokio::time::Instant;

use super::{AdaptiveLimiter, BoxFuture, Busy, LimiterConfig, RateLimiter, Signal};

/// Where a [`RedisLimiter`] takes its send slots from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// From the key's limiter in Redis, shared with every process that uses the key.
    Shared,
    /// From the local share of the limit, while Redis does not answer.
    Fallback,
}

impl Mode {
    /// `"shared"` or `"fallback"`.
    pub const fn name(self) -> &'static str {
        match self {
            Mode::Shared => "shared",
            Mode::Fallback => "fallback",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The numbers of a [`RedisLimiter`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RedisLimiterConfig {
    /// The key's limit (for all the processes together) and how it adapts.
    pub limiter: LimiterConfig,
    /// How many processes share the key: each paces at `rate / instances` while Redis
    /// is away.
    pub instances: u32,
    /// The longest any call waits for Redis (50 ms by default; connecting is one call,
    /// taking a slot another); past it, the request is paced locally.
    pub timeout: Duration,
    /// While Redis is away, how often a request tries it again (500 ms by default).
    pub retry_every: Duration,
    /// The prefix of the Redis keys, before the app key (`easemob-errors:limiter:`).
    pub prefix: String,
}

impl RedisLimiterConfig {
    /// The defaults for a key shared by `instances` processes: [`LimiterConfig::default`]
    /// (100 sends/s in all), a 50 ms timeout, a new try every 500 ms while Redis is away.
    pub fn new(instances: u32) -> Self {
        RedisLimiterConfig {
            limiter: LimiterConfig::default(),
            instances,
            timeout: Duration::from_millis(50),
            retry_every: Duration::from_millis(500),
            prefix: "easemob-errors:limiter:".to_owned(),
        }
    }

    /// Sets the key's limit and its adaptation.
    #[must_use]
    pub fn limiter(mut self, limiter: LimiterConfig) -> Self {
        self.limiter = limiter;
        self
    }

    /// Sets the longest wait for Redis.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets how often Redis is tried again while it is away.
    #[must_use]
    pub fn retry_every(mut self, every: Duration) -> Self {
        self.retry_every = every;
        self
    }

    /// Sets the prefix of the Redis keys.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The local share: the limit divided by the instances.
    fn share(&self) -> LimiterConfig {
        let n = f64::from(self.instances.max(1));
        LimiterConfig { rate: self.limiter.rate / n, min_rate: self.limiter.min_rate / n, ..self.limiter }
    }
}

type OnModeChange = Arc<dyn Fn(Mode, &str) + Send + Sync>;

/// A [`RateLimiter`] shared through Redis, with a local share of the limit while Redis
/// is away (see the [module](self) docs). Clones share their state; build one per
/// process and give it to every client of the process.
#[derive(Clone)]
pub struct RedisLimiter {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    config: RedisLimiterConfig,
    /// The fallback: an adaptive limiter at the local share.
    local: AdaptiveLimiter,
    acquire: Script,
    adapt: Script,
    link: Mutex<Link>,
    /// Held by the one request that connects to Redis.
    connecting: tokio::sync::Mutex<()>,
    keys: Mutex<HashMap<String, KeyState>>,
    on_mode_change: Mutex<Option<OnModeChange>>,
}

/// The connection to Redis, and the mode.
struct Link {
    /// `Some` while shared; `None` before the first connection and while Redis is away.
    conn: Option<MultiplexedConnection>,
    /// Counts connections, so that a late failure of an old one leaves a new one alone.
    generation: u64,
    mode: Mode,
    /// While Redis is away: when to try it again.
    retry_at: Option<Instant>,
}

/// What this process knows of a key's shared limiter.
#[derive(Debug, Clone, Copy)]
struct KeyState {
    /// Its rate, as of the last answer.
    rate: f64,
    /// The last shared slot granted here (the local share starts after it).
    booked: Instant,
    /// The next shared call carries the local queue (set on falling back).
    hand_over: bool,
}

/// A connection in shared mode.
struct Linked {
    conn: MultiplexedConnection,
    generation: u64,
}

impl fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("config", &self.inner.config)
            .field("mode", &self.mode())
            .finish_non_exhaustive()
    }
}

impl RedisLimiter {
    /// A limiter on the Redis server at `url` (`redis://host:port/db`); it connects on
    /// the first request. Errs only when the URL is not a Redis URL.
    pub fn open(url: &str, config: RedisLimiterConfig) -> Result<Self, RedisError> {
        Ok(RedisLimiter::new(Client::open(url)?, config))
    }

    /// A limiter on the Redis server of `client` (TLS, passwords and the database are
    /// the client's); it connects on the first request.
    pub fn new(client: Client, mut config: RedisLimiterConfig) -> Self {
        config.limiter = config.limiter.sane();
        config.instances = config.instances.max(1);
        config.timeout = config.timeout.max(Duration::from_millis(1));
        let local = AdaptiveLimiter::new(config.share());
        RedisLimiter {
            inner: Arc::new(Inner {
                client,
                local,
                acquire: Script::new(include_str!("acquire.lua")),
                adapt: Script::new(include_str!("adapt.lua")),
                link: Mutex::new(Link { conn: None, generation: 0, mode: Mode::Shared, retry_at: None }),
                connecting: tokio::sync::Mutex::new(()),
                keys: Mutex::default(),
                on_mode_change: Mutex::new(None),
                config,
            }),
        }
    }

    /// Calls `f` with the new mode and why, each time the mode changes (once per
    /// change, not per request), for this limiter and its clones (replacing the
    /// callback set before, if any).
    #[must_use]
    pub fn on_mode_change(self, f: impl Fn(Mode, &str) + Send + Sync + 'static) -> Self {
        *self.inner.on_mode_change.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(f));
        self
    }

    /// The mode in force: `Shared` until a call to Redis fails (or before the first).
    pub fn mode(&self) -> Mode {
        self.inner.link().mode
    }

    /// The numbers in force.
    pub fn config(&self) -> &RedisLimiterConfig {
        &self.inner.config
    }
}

impl Inner {
    fn link(&self) -> std::sync::MutexGuard<'_, Link> {
        self.link.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, KeyState>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn redis_key(&self, key: &str) -> String {
        format!("{}{key}", self.config.prefix)
    }

    /// The connection when shared; otherwise a new one when it is time to try Redis
    /// (one request tries; the others are paced locally meanwhile, except before the
    /// first connection, which they wait for, within the timeout).
    async fn connection(&self) -> Option<Linked> {
        if let Some(linked) = self.current() {
            return Some(linked);
        }
        let first = self.link().mode == Mode::Shared;
        let _turn = if first { self.connecting.lock().await } else { self.connecting.try_lock().ok()? };
        if let Some(linked) = self.current() {
            return Some(linked);
        }
        if self.link().retry_at.is_some_and(|at| Instant::now() < at) {
            return None;
        }
        let connect = async {
            let timeouts = AsyncConnectionConfig::new()
                .set_connection_timeout(Some(self.config.timeout))
                .set_response_timeout(Some(self.config.timeout));
            let mut conn = self.client.get_multiplexed_async_connection_with_config(&timeouts).await?;
            // A restarted Redis has forgotten the scripts: load them now, not per call.
            self.acquire.prepare_invoke().load_async(&mut conn).await?;
            self.adapt.prepare_invoke().load_async(&mut conn).await?;
            Ok::<_, RedisError>(conn)
        };
        match tokio::time::timeout(self.config.timeout, connect).await {
            Ok(Ok(conn)) => Some(self.install(conn)),
            Ok(Err(e)) => {
                self.fall_back(None, &format!("cannot connect to Redis: {e}"));
                None
            }
            Err(_) => {
                self.fall_back(None, &self.timed_out("connecting to Redis"));
                None
            }
        }
    }

    fn current(&self) -> Option<Linked> {
        let link = self.link();
        let conn = link.conn.clone()?;
        Some(Linked { conn, generation: link.generation })
    }

    fn timed_out(&self, what: &str) -> String {
        format!("no answer within {} ms {what}", self.config.timeout.as_millis())
    }

    /// Shared mode on `conn`.
    fn install(&self, conn: MultiplexedConnection) -> Linked {
        let (linked, was) = {
            let mut link = self.link();
            link.conn = Some(conn.clone());
            link.generation = link.generation.wrapping_add(1);
            link.retry_at = None;
            let was = std::mem::replace(&mut link.mode, Mode::Shared);
            (Linked { conn, generation: link.generation }, was)
        };
        if was != Mode::Shared {
            self.report(Mode::Shared, "Redis answers again");
        }
        linked
    }

    /// Fallback mode after a failure of connection `generation` (`None`: of a new
    /// connection), unless another connection has replaced that one.
    fn fall_back(&self, generation: Option<u64>, why: &str) {
        let was = {
            let mut link = self.link();
            if generation.is_some_and(|g| g != link.generation || link.conn.is_none()) {
                return;
            }
            link.conn = None;
            link.retry_at = Some(later(self.config.retry_every));
            std::mem::replace(&mut link.mode, Mode::Fallback)
        };
        if was == Mode::Fallback {
            return;
        }
        // The shared slots granted here stay taken: the local share starts after them.
        let now = Instant::now();
        for (key, state) in self.keys().iter_mut() {
            self.local.book(key, state.booked.saturating_duration_since(now));
            state.hand_over = true;
        }
        self.report(Mode::Fallback, why);
    }

    fn report(&self, mode: Mode, why: &str) {
        #[cfg(feature = "tracing")]
        match mode {
            Mode::Fallback => tracing::warn!(
                mode = mode.name(),
                share = self.config.share().rate,
                "rate limiter: Redis is away ({why}); pacing at the local share"
            ),
            Mode::Shared => {
                tracing::info!(mode = mode.name(), "rate limiter: {why}; the limit is shared again")
            }
        }
        let f = self.on_mode_change.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(f) = f {
            f(mode, why);
        }
    }

    /// What to tell the shared limiter about this process's local queue, until a
    /// call after a fallback has told it (`None`: nothing to tell).
    fn local_queue(&self, key: &str) -> Option<Duration> {
        let mut keys = self.keys();
        let state = keys.entry(key.to_owned()).or_insert(KeyState {
            rate: self.config.limiter.rate,
            booked: Instant::now(),
            hand_over: false,
        });
        state.hand_over.then(|| self.local.booked(key))
    }

    /// Notes the shared limiter's answer for `key`: its rate, the slot granted, and
    /// whether the local queue was handed over with the call.
    fn note(&self, key: &str, rate: &str, granted: Option<Instant>, handed_over: bool) {
        let mut keys = self.keys();
        if let Some(state) = keys.get_mut(key) {
            if let Ok(rate) = rate.parse::<f64>() {
                state.rate = rate;
            }
            if let Some(at) = granted {
                state.booked = state.booked.max(at);
            }
            if handed_over {
                state.hand_over = false;
            }
        }
    }

    async fn acquire_slot(&self, key: &str, max_wait: Duration) -> Result<(), Busy> {
        let start = Instant::now();
        if let Some(Linked { mut conn, generation }) = self.connection().await {
            let c = &self.config.limiter;
            let queue = self.local_queue(key);
            let mut call = self.acquire.key(self.redis_key(key));
            call.arg(c.rate).arg(c.burst).arg(micros(max_wait)).arg(micros(queue.unwrap_or_default()));
            let answer = call.invoke_async::<(i64, i64, String)>(&mut conn);
            match tokio::time::timeout(self.config.timeout, answer).await {
                Ok(Ok((granted, wait, rate))) => {
                    let wait = Duration::from_micros(u64::try_from(wait).unwrap_or(0));
                    if granted != 1 {
                        self.note(key, &rate, None, queue.is_some());
                        return Err(Busy { wait });
                    }
                    self.note(key, &rate, Some(later(wait)), queue.is_some());
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                    return Ok(());
                }
                Ok(Err(e)) => self.fall_back(Some(generation), &format!("Redis failed: {e}")),
                Err(_) => self.fall_back(Some(generation), &self.timed_out("from Redis")),
            }
        }
        self.local.acquire(key, max_wait.saturating_sub(start.elapsed())).await
    }

    async fn observe_answer(&self, key: &str, signal: Signal) {
        let Some(Linked { mut conn, generation }) = self.current() else {
            return self.local.observe(key, signal).await;
        };
        let c = &self.config.limiter;
        let throttled = signal == Signal::Throttled;
        // An accepted answer changes nothing while the rate is at its most: no call.
        let below = self.keys().get(key).is_some_and(|s| s.rate < c.rate);
        if !throttled && !below {
            return;
        }
        let mut call = self.adapt.key(self.redis_key(key));
        call.arg(c.rate).arg(c.min_rate).arg(c.decrease).arg(c.increase);
        call.arg(micros(c.cooldown)).arg(u8::from(throttled));
        match tokio::time::timeout(self.config.timeout, call.invoke_async::<String>(&mut conn)).await {
            Ok(Ok(rate)) => self.note(key, &rate, None, false),
            Ok(Err(e)) => self.fall_back(Some(generation), &format!("Redis failed: {e}")),
            Err(_) => self.fall_back(Some(generation), &self.timed_out("from Redis")),
        }
    }
}

/// The instant `d` from now (a year at most, so that it never overflows).
fn later(d: Duration) -> Instant {
    Instant::now() + d.min(Duration::from_secs(365 * 86_400))
}

/// `d` in whole microseconds (saturating).
fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl RateLimiter for RedisLimiter {
    fn acquire<'a>(&'a self, key: &'a str, max_wait: Duration) -> BoxFuture<'a, Result<(), Busy>> {
        Box::pin(self.inner.acquire_slot(key, max_wait))
    }

    fn observe<'a>(&'a self, key: &'a str, signal: Signal) -> BoxFuture<'a, ()> {
        Box::pin(self.inner.observe_answer(key, signal))
    }
}
