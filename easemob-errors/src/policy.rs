//! Retry policies, as the spec states them for each status and error.

use core::fmt;
use core::time::Duration;

/// What to do when a call fails with a given error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryPolicy {
    /// Do not retry: the request itself is wrong, and will fail again.
    Never,
    /// Retry with exponential backoff (full jitter), up to a number of attempts.
    Backoff(Backoff),
    /// Get a new app token, then retry once.
    RefreshToken,
    /// Split the request body into bodies under 5 KB, then retry.
    SplitBody,
}

impl RetryPolicy {
    /// The policy's name as the spec and `explain --json` spell it:
    /// `never`, `backoff`, `refresh_token` or `split_body`.
    pub const fn action(&self) -> &'static str {
        match self {
            RetryPolicy::Never => "never",
            RetryPolicy::Backoff(_) => "backoff",
            RetryPolicy::RefreshToken => "refresh_token",
            RetryPolicy::SplitBody => "split_body",
        }
    }

    /// Whether the policy allows another attempt of some kind.
    pub const fn is_retryable(&self) -> bool {
        !matches!(self, RetryPolicy::Never)
    }

    /// The backoff numbers, for [`RetryPolicy::Backoff`].
    pub const fn backoff(&self) -> Option<Backoff> {
        match self {
            RetryPolicy::Backoff(b) => Some(*b),
            _ => None,
        }
    }
}

impl fmt::Display for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryPolicy::Never => f.write_str("do not retry"),
            RetryPolicy::Backoff(b) => write!(f, "retry with backoff ({b})"),
            RetryPolicy::RefreshToken => f.write_str("refresh the app token, then retry once"),
            RetryPolicy::SplitBody => f.write_str("split the body into bodies under 5 KB, then retry"),
        }
    }
}

/// Exponential backoff numbers: at most `attempts` tries in all (the first included),
/// delays growing from `base` up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Backoff {
    attempts: u32,
    base_ms: u64,
    max_ms: u64,
}

impl Backoff {
    /// Backoff numbers. `attempts` is at least 1 and `max_ms` at least `base_ms`
    /// (smaller values are raised to them).
    pub const fn new(attempts: u32, base_ms: u64, max_ms: u64) -> Self {
        let attempts = if attempts == 0 { 1 } else { attempts };
        let max_ms = if max_ms < base_ms { base_ms } else { max_ms };
        Backoff { attempts, base_ms, max_ms }
    }

    /// Most attempts in all, the first one included.
    pub const fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The first delay, before jitter.
    pub const fn base_delay(&self) -> Duration {
        Duration::from_millis(self.base_ms)
    }

    /// The largest delay.
    pub const fn max_delay(&self) -> Duration {
        Duration::from_millis(self.max_ms)
    }

    /// The delay cap before retry number `retry` (0 for the first retry):
    /// `min(max, base × 2^retry)`. Wait a random time up to it (full jitter).
    pub fn delay_cap(&self, retry: u32) -> Duration {
        let factor = 1u64.checked_shl(retry.min(63)).unwrap_or(u64::MAX);
        Duration::from_millis(self.base_ms.saturating_mul(factor).min(self.max_ms))
    }
}

impl fmt::Display for Backoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "up to {} attempts, {} ms base delay, {} ms max", self.attempts, self.base_ms, self.max_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_caps_grow_then_saturate() {
        let b = Backoff::new(5, 200, 1_000);
        let caps: Vec<u128> = (0..5).map(|r| b.delay_cap(r).as_millis()).collect();
        assert_eq!(caps, [200, 400, 800, 1_000, 1_000]);
        assert_eq!(b.delay_cap(200).as_millis(), 1_000);
        assert_eq!(Backoff::new(0, 10, 5), Backoff::new(1, 10, 10));
    }
}
