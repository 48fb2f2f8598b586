//! With the `limiter` feature: pacing sends per app key, below the key's rate limit.
//!
//! [`RateLimiter`] is the contract: an async `acquire` that resolves when a request may
//! be sent, and `observe`, which tells the limiter how the answer went so that it can
//! adapt. [`AdaptiveLimiter`] is the local implementation: a GCRA per key whose rate
//! halves when 429/503 answers arrive and grows back when they stop (AWS's adaptive
//! retry mode does the same). [`redis::RedisLimiter`] (feature `redis`) implements the
//! same trait for a limit shared by several processes, through Redis.
//!
//! Why a GCRA of our own and not `governor`: governor's quota is fixed when the limiter
//! is built, and adapting means changing the rate at run time, on every throttling
//! answer; rebuilding a governor limiter would forget its state (and its waiters). The
//! algorithm itself is a dozen lines ([`AdaptiveLimiter`]'s `reserve`), with the time
//! given by an injected clock, which also makes it testable without waiting.

use core::fmt;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

#[cfg(feature = "redis")]
pub mod redis;

/// A boxed, sendable future, the return type of [`RateLimiter`]'s methods (so that the
/// trait stays object-safe: `Arc<dyn RateLimiter>`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What an answer says about the send rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Signal {
    /// The server throttled the request (429, or 503): slow down.
    Throttled,
    /// Any other answer: the rate is fine.
    Accepted,
}

impl Signal {
    /// The signal of an answer's status: `Throttled` for 429 and 503.
    pub const fn of_status(status: u16) -> Signal {
        if matches!(status, 429 | 503) { Signal::Throttled } else { Signal::Accepted }
    }
}

/// No send slot for the key within the wait allowed: nothing was reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Busy {
    /// About how long the request would have had to wait.
    pub wait: Duration,
}

impl fmt::Display for Busy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rate limited: no send slot for about {} ms", self.wait.as_millis())
    }
}

impl std::error::Error for Busy {}

/// Paces the sends of each app key.
pub trait RateLimiter: Send + Sync {
    /// Resolves when a request for `key` may be sent (its slot is then taken), or with
    /// [`Busy`] at once when the slot would come later than `max_wait` from now.
    fn acquire<'a>(&'a self, key: &'a str, max_wait: Duration) -> BoxFuture<'a, Result<(), Busy>>;

    /// Tells the limiter how the answer to a request for `key` went.
    fn observe<'a>(&'a self, key: &'a str, signal: Signal) -> BoxFuture<'a, ()>;
}

/// The numbers of an [`AdaptiveLimiter`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct LimiterConfig {
    /// The most sends per second for one key (Easemob's documented default: 100).
    pub rate: f64,
    /// How many sends may go back to back after a quiet time (1: evenly spaced; 2, the
    /// default, also lets a send whose wake-up came late be followed by the next on
    /// time, so that timer lateness does not lower the rate).
    pub burst: u32,
    /// The rate never goes below this, so that the limiter keeps probing.
    pub min_rate: f64,
    /// The rate is multiplied by this on a throttling answer (at most once per
    /// `cooldown`).
    pub decrease: f64,
    /// The rate is multiplied by this on each other answer, up to `rate`, once
    /// `cooldown` has passed since the last throttling answer.
    pub increase: f64,
    /// The time after a decrease during which answers change nothing (the answers to
    /// requests sent before it are still arriving).
    pub cooldown: Duration,
}

impl Default for LimiterConfig {
    /// 100 sends/s, bursts of 2; halved on throttling, at most every 100 ms, down to
    /// 10/s; then ×1.25 per answer back up.
    fn default() -> Self {
        LimiterConfig {
            rate: 100.0,
            burst: 2,
            min_rate: 10.0,
            decrease: 0.5,
            increase: 1.25,
            cooldown: Duration::from_millis(100),
        }
    }
}

impl LimiterConfig {
    /// Sets the most sends per second (and the floor to a tenth of it).
    #[must_use]
    pub fn rate(mut self, per_second: f64) -> Self {
        self.rate = per_second;
        self.min_rate = per_second / 10.0;
        self
    }

    /// Sets how many sends may go back to back.
    #[must_use]
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst;
        self
    }

    /// The numbers made sane: positive finite rates, the floor below the rate, factors
    /// on the right side of 1.
    fn sane(self) -> Self {
        let positive = |x: f64, or: f64| if x.is_finite() && x > 0.0 { x } else { or };
        let rate = positive(self.rate, 100.0);
        LimiterConfig {
            rate,
            burst: self.burst.max(1),
            min_rate: positive(self.min_rate, rate / 10.0).min(rate),
            decrease: if self.decrease > 0.0 && self.decrease < 1.0 { self.decrease } else { 0.5 },
            increase: if self.increase > 1.0 && self.increase.is_finite() { self.increase } else { 1.25 },
            cooldown: self.cooldown,
        }
    }
}

type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;
type Sleep = Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>;

/// The local [`RateLimiter`]: one adaptive GCRA per key, in this process. Clones share
/// their state.
///
/// Waiters for a key queue in order (a fair async lock); the one at the head sleeps
/// until its slot, so that a rate change applies to every request still waiting.
#[derive(Clone)]
pub struct AdaptiveLimiter {
    config: LimiterConfig,
    keys: Arc<Mutex<HashMap<String, Arc<Key>>>>,
    clock: Clock,
    sleep: Sleep,
}

/// One key's limiter.
struct Key {
    /// Held by the request whose slot comes next, while it waits for it.
    queue: tokio::sync::Mutex<()>,
    state: Mutex<State>,
}

/// A key's GCRA state.
#[derive(Debug, Clone, Copy)]
struct State {
    /// The theoretical arrival time of the next send (on the limiter's clock).
    tat: Duration,
    /// The current rate, sends per second.
    rate: f64,
    /// When the rate was last decreased.
    decreased: Option<Duration>,
    /// Requests waiting in the queue.
    waiting: u32,
}

impl fmt::Debug for AdaptiveLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdaptiveLimiter").field("config", &self.config).finish_non_exhaustive()
    }
}

impl AdaptiveLimiter {
    /// A limiter with these numbers, on tokio's clock (so that a runtime with paused
    /// time drives it too), sleeping with `tokio::time::sleep`.
    pub fn new(config: LimiterConfig) -> Self {
        let epoch = tokio::time::Instant::now();
        AdaptiveLimiter {
            config: config.sane(),
            keys: Arc::default(),
            clock: Arc::new(move || epoch.elapsed()),
            sleep: Arc::new(|d| Box::pin(tokio::time::sleep(d))),
        }
    }

    /// Replaces the clock (the time since any fixed start) and the sleep, for tests
    /// that do not wait: a sleep that advances the clock it reads.
    #[must_use]
    pub fn with_clock(
        mut self,
        clock: impl Fn() -> Duration + Send + Sync + 'static,
        sleep: impl Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync + 'static,
    ) -> Self {
        self.clock = Arc::new(clock);
        self.sleep = Arc::new(sleep);
        self
    }

    /// The numbers in force.
    pub fn config(&self) -> &LimiterConfig {
        &self.config
    }

    /// The current rate of `key`, sends per second.
    pub fn rate(&self, key: &str) -> f64 {
        self.key(key).state.lock().unwrap_or_else(PoisonError::into_inner).rate
    }

    /// How far ahead of now the slots of `key` are spoken for: those taken, then one
    /// for each request waiting in its queue. A shared limiter hands this over when it
    /// stops using this one (the queue still drains here).
    #[cfg(feature = "redis")]
    fn booked(&self, key: &str) -> Duration {
        let now = (self.clock)();
        let k = self.key(key);
        let s = k.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.tat.saturating_sub(now).saturating_add(per(f64::from(s.waiting), s.rate))
    }

    /// Takes the slots of `key` up to `ahead` from now (those another limiter already
    /// granted), so that the next one comes after them.
    #[cfg(feature = "redis")]
    fn book(&self, key: &str, ahead: Duration) {
        let until = (self.clock)().saturating_add(ahead);
        let k = self.key(key);
        let mut s = k.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.tat = s.tat.max(until);
    }

    fn key(&self, key: &str) -> Arc<Key> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(k) = keys.get(key) {
            return Arc::clone(k);
        }
        let k = Arc::new(Key {
            queue: tokio::sync::Mutex::new(()),
            state: Mutex::new(State {
                tat: Duration::ZERO,
                rate: self.config.rate,
                decreased: None,
                waiting: 0,
            }),
        });
        keys.insert(key.to_owned(), Arc::clone(&k));
        k
    }

    /// The GCRA: the wait until `now` conforms, and the state once the slot is taken
    /// (`take`), or the wait alone.
    fn reserve(&self, state: &mut State, now: Duration, take: bool) -> Duration {
        let interval = per(1.0, state.rate);
        let tolerance = interval.saturating_mul(self.config.burst.saturating_sub(1));
        let at = now.max(state.tat.saturating_sub(tolerance));
        if take {
            state.tat = state.tat.max(at).saturating_add(interval);
        }
        at.saturating_sub(now)
    }

    async fn acquire_slot(&self, key: &str, max_wait: Duration) -> Result<(), Busy> {
        let k = self.key(key);
        let start = (self.clock)();
        {
            // Refuse at once what the queue ahead makes too late even at the full rate
            // (the current rate may be back up by the time the queue moves).
            let mut s = k.state.lock().unwrap_or_else(PoisonError::into_inner);
            let ahead = per(f64::from(s.waiting), self.config.rate);
            let wait = self.reserve(&mut s, start, false).saturating_add(ahead);
            if wait > max_wait {
                return Err(Busy { wait });
            }
            s.waiting = s.waiting.saturating_add(1);
        }
        let result = self.take_turn(&k, start, max_wait).await;
        let mut s = k.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.waiting = s.waiting.saturating_sub(1);
        result
    }

    /// Waits in the key's queue (no longer than `max_wait` since `start`), then at its
    /// head for the slot.
    async fn take_turn(&self, k: &Key, start: Duration, max_wait: Duration) -> Result<(), Busy> {
        let _turn = match k.queue.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                let left = max_wait.saturating_sub((self.clock)().saturating_sub(start));
                match first_of(k.queue.lock(), (self.sleep)(left)).await {
                    Some(turn) => turn,
                    None => return Err(Busy { wait: max_wait }),
                }
            }
        };
        loop {
            let wait = {
                let now = (self.clock)();
                let mut s = k.state.lock().unwrap_or_else(PoisonError::into_inner);
                let wait = self.reserve(&mut s, now, false);
                let spent = now.saturating_sub(start);
                if spent.saturating_add(wait) > max_wait {
                    return Err(Busy { wait: spent.saturating_add(wait) });
                }
                if wait.is_zero() {
                    self.reserve(&mut s, now, true);
                    return Ok(());
                }
                wait
            };
            // At most one interval at the current rate: a rate change made meanwhile
            // is read when it ends.
            (self.sleep)(wait).await;
        }
    }

    fn adapt(&self, key: &str, signal: Signal) {
        let k = self.key(key);
        let now = (self.clock)();
        let c = &self.config;
        let mut s = k.state.lock().unwrap_or_else(PoisonError::into_inner);
        let cooled = s.decreased.is_none_or(|at| now.saturating_sub(at) >= c.cooldown);
        match signal {
            Signal::Throttled if cooled => {
                s.rate = (s.rate * c.decrease).max(c.min_rate);
                s.decreased = Some(now);
            }
            Signal::Accepted if cooled && s.rate < c.rate => {
                s.rate = (s.rate * c.increase).min(c.rate);
            }
            _ => {}
        }
    }
}

/// The output of `a`, or `None` if `b` ends first.
async fn first_of<T>(a: impl Future<Output = T>, b: impl Future<Output = ()>) -> Option<T> {
    let (mut a, mut b) = (std::pin::pin!(a), std::pin::pin!(b));
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(value) = a.as_mut().poll(cx) {
            return std::task::Poll::Ready(Some(value));
        }
        b.as_mut().poll(cx).map(|()| None)
    })
    .await
}

/// How long `count` sends take at `rate` per second (saturating, never panicking).
fn per(count: f64, rate: f64) -> Duration {
    Duration::try_from_secs_f64(count / rate).unwrap_or(Duration::MAX)
}

impl RateLimiter for AdaptiveLimiter {
    fn acquire<'a>(&'a self, key: &'a str, max_wait: Duration) -> BoxFuture<'a, Result<(), Busy>> {
        Box::pin(self.acquire_slot(key, max_wait))
    }

    fn observe<'a>(&'a self, key: &'a str, signal: Signal) -> BoxFuture<'a, ()> {
        // Read the clock when the future runs (in the caller's runtime), not before.
        Box::pin(async move { self.adapt(key, signal) })
    }
}
