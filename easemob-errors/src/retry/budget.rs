//! The client-wide retry budget: one token bucket for every request through a handle.

use core::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Thousandths of a retry: the bucket's unit, so that a success can refill a tenth.
const MILLI: u64 = 1000;

/// A retry budget shared by every request of a client, after gRPC's retry throttling
/// and the AWS SDKs' retry quota: each retry withdraws one token, each success deposits
/// a fraction of one, and the bucket holds at most `max_retries` tokens. While the
/// service answers, retries stay below that fraction of the traffic (plus the bucket);
/// in an outage, the client sends at most `max_retries` retries in all, then each failure
/// gives up at once ([`GiveUpReason::BudgetSpent`](super::GiveUpReason::BudgetSpent)),
/// until successes come back. First attempts never draw on it.
///
/// Clones share one bucket. It is lock-free and never blocks.
///
/// ```
/// use easemob_errors::retry::RetryBudget;
/// let budget = RetryBudget::new(2, 0.5);
/// assert!(budget.try_withdraw() && budget.try_withdraw());
/// assert!(!budget.try_withdraw(), "spent");
/// budget.deposit();
/// budget.deposit(); // two successes refill one retry
/// assert!(budget.try_withdraw());
/// ```
#[derive(Clone)]
pub struct RetryBudget {
    inner: Arc<Bucket>,
}

struct Bucket {
    /// Tokens now, in thousandths.
    tokens: AtomicU64,
    /// The most tokens, in thousandths.
    capacity: u64,
    /// What a success deposits, in thousandths.
    refill: u64,
}

impl RetryBudget {
    /// A full bucket of `max_retries` retries; each success refills `retries_per_success`
    /// of a retry (0.1: retries stay within about 10% of successes). A negative or
    /// non-number refill is taken as zero.
    pub fn new(max_retries: u32, retries_per_success: f64) -> Self {
        let capacity = u64::from(max_retries) * MILLI;
        let refill = if retries_per_success.is_finite() && retries_per_success > 0.0 {
            // Saturating float-to-int: at most u64::MAX, then capped by the capacity.
            ((retries_per_success * MILLI as f64).round() as u64).min(capacity)
        } else {
            0
        };
        RetryBudget { inner: Arc::new(Bucket { tokens: AtomicU64::new(capacity), capacity, refill }) }
    }

    /// Takes one retry from the bucket; `false` (and nothing taken) when less than one
    /// is left.
    pub fn try_withdraw(&self) -> bool {
        self.inner.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(MILLI)).is_ok()
    }

    /// Records a success: refills the bucket by its refill, up to its capacity.
    pub fn deposit(&self) {
        let Bucket { tokens, capacity, refill } = &*self.inner;
        let _ = tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
            (t < *capacity).then(|| t.saturating_add(*refill).min(*capacity))
        });
    }

    /// How many whole retries are left.
    pub fn available(&self) -> u32 {
        u32::try_from(self.inner.tokens.load(Ordering::Acquire) / MILLI).unwrap_or(u32::MAX)
    }

    /// Whether `other` is a clone of this budget (shares its bucket).
    pub fn shares_with(&self, other: &RetryBudget) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Default for RetryBudget {
    /// 100 retries, refilled by a tenth of a retry per success (Google SRE's "retries
    /// at most 10% of requests").
    fn default() -> Self {
        RetryBudget::new(100, 0.1)
    }
}

impl fmt::Debug for RetryBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &*self.inner;
        f.debug_struct("RetryBudget")
            .field("tokens", &(b.tokens.load(Ordering::Acquire) as f64 / MILLI as f64))
            .field("max_retries", &(b.capacity / MILLI))
            .field("retries_per_success", &(b.refill as f64 / MILLI as f64))
            .finish()
    }
}
