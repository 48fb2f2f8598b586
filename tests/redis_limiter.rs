//! The shared limiter against a real `redis-server` of each test's own (127.0.0.1, a
//! free port, killed at the end): pacing shared by two limiters with separate
//! connections, the local share while Redis is down or frozen, and the way back.
//! Every test is bounded in time (`within`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use easemob_errors::limiter::redis::{Mode, RedisLimiter, RedisLimiterConfig};
use easemob_errors::limiter::{Busy, LimiterConfig, RateLimiter, Signal};
use easemob_errors_tests::redis_server::RedisServer;

const KEY: &str = "a1.easemob.com/org/app";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A limiter on `server` at `rate` sends/s in all, bursts of 1, shared by `instances`;
/// a generous timeout unless the test is about it (the machine may be busy).
fn limiter(server: &RedisServer, rate: f64, instances: u32, timeout: Duration) -> RedisLimiter {
    let config = RedisLimiterConfig::new(instances)
        .limiter(LimiterConfig::default().rate(rate).burst(1))
        .timeout(timeout)
        .retry_every(ms(200));
    RedisLimiter::open(&server.url(), config).unwrap()
}

/// Records the mode changes a limiter reports.
fn changes(limiter: RedisLimiter) -> (RedisLimiter, Arc<Mutex<Vec<Mode>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    (limiter.on_mode_change(move |mode, _why| log.lock().unwrap().push(mode)), seen)
}

/// Runs `test` on a multi-threaded runtime, failing it after `limit`.
fn within(limit: Duration, test: impl std::future::Future<Output = ()>) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        if tokio::time::timeout(limit, test).await.is_err() {
            panic!("the test took longer than {limit:?}");
        }
    });
}

/// Takes `n` slots of KEY one after the other; when each was granted.
async fn take(limiter: &RedisLimiter, n: usize) -> Vec<Instant> {
    let mut at = Vec::new();
    for _ in 0..n {
        limiter.acquire(KEY, Duration::from_secs(10)).await.unwrap();
        at.push(Instant::now());
    }
    at
}

fn span(times: &[Instant]) -> Duration {
    match (times.iter().min(), times.iter().max()) {
        (Some(first), Some(last)) => *last - *first,
        _ => Duration::ZERO,
    }
}

#[test]
fn two_limiters_hold_the_combined_rate() {
    let server = RedisServer::start().unwrap();
    within(Duration::from_secs(20), async {
        // 20/s in all: each alone would take its 15 slots in 0.7 s; sharing, the 30
        // slots take 29 intervals of 50 ms.
        let a = limiter(&server, 20.0, 2, ms(1000));
        let b = limiter(&server, 20.0, 2, ms(1000));
        let (ta, tb) = tokio::join!(take(&a, 15), take(&b, 15));
        let all: Vec<Instant> = ta.iter().chain(&tb).copied().collect();
        assert_eq!((a.mode(), b.mode()), (Mode::Shared, Mode::Shared));
        let span = span(&all);
        assert!(span >= ms(1400), "30 shared slots at 20/s in {span:?}");
        assert!(span < ms(3000), "30 shared slots at 20/s in {span:?}");
        // No one-second window holds more than the rate (and the slot a window's edge
        // can catch, and one woken late; unshared, a second would hold 30).
        for first in &all {
            let in_window = all.iter().filter(|t| **t >= *first && **t - *first < ms(1000)).count();
            assert!(in_window <= 22, "{in_window} slots within a second");
        }
    });
}

#[test]
fn a_slot_past_the_wait_is_refused_and_not_taken() {
    let server = RedisServer::start().unwrap();
    within(Duration::from_secs(20), async {
        let a = limiter(&server, 10.0, 2, ms(1000));
        let b = limiter(&server, 10.0, 2, ms(1000));
        a.acquire(KEY, ms(1000)).await.unwrap();
        // a's slot is b's too: the next one is 100 ms away.
        let Err(Busy { wait, .. }) = b.acquire(KEY, Duration::ZERO).await else {
            panic!("b got a slot that a had taken");
        };
        assert!(wait > ms(50) && wait <= ms(100), "{wait:?}");
        // The refusal took nothing: b's slot is the one 100 ms after a's, not 200 ms.
        let start = Instant::now();
        b.acquire(KEY, ms(1000)).await.unwrap();
        let waited = start.elapsed();
        assert!(waited >= ms(40) && waited < ms(180), "{waited:?}");
    });
}

#[test]
fn a_throttling_answer_slows_every_limiter_of_the_key() {
    let server = RedisServer::start().unwrap();
    within(Duration::from_secs(20), async {
        let a = limiter(&server, 20.0, 2, ms(1000));
        let b = limiter(&server, 20.0, 2, ms(1000));
        take(&a, 1).await;
        // a hears a 429; b paces at half the rate: 6 slots 100 ms apart, not 50.
        a.observe(KEY, Signal::Throttled).await;
        let span = span(&take(&b, 6).await);
        assert!(span >= ms(480) && span < ms(2000), "6 slots at 10/s in {span:?}");
        assert_eq!((a.mode(), b.mode()), (Mode::Shared, Mode::Shared));
    });
}

#[test]
fn redis_down_falls_back_to_the_local_share_and_comes_back() {
    let mut server = RedisServer::start().unwrap();
    let (limiter, seen) = changes(limiter(&server, 40.0, 2, ms(300)));
    within(Duration::from_secs(30), async {
        take(&limiter, 1).await;
        assert_eq!(limiter.mode(), Mode::Shared);

        server.stop();
        let start = Instant::now();
        limiter.acquire(KEY, Duration::from_secs(10)).await.unwrap();
        assert!(start.elapsed() < ms(800), "falling back took {:?}", start.elapsed());
        assert_eq!(limiter.mode(), Mode::Fallback);
        // The local share is half the limit: 20/s, so 11 slots take 10 intervals of 50 ms
        // (at the full 40/s they would take 250 ms).
        let times = take(&limiter, 11).await;
        let span = span(&times);
        assert!(span >= ms(480) && span < ms(2000), "11 local slots at 20/s in {span:?}");
        // Reported once, however many requests met the fault (and the tries every 200 ms).
        assert_eq!(*seen.lock().unwrap(), [Mode::Fallback]);

        tokio::task::block_in_place(|| server.restart()).unwrap();
        tokio::time::sleep(ms(250)).await;
        take(&limiter, 2).await;
        assert_eq!(limiter.mode(), Mode::Shared);
        assert_eq!(*seen.lock().unwrap(), [Mode::Fallback, Mode::Shared]);
    });
}

#[test]
fn a_frozen_redis_blocks_nothing_beyond_the_timeout() {
    let server = RedisServer::start().unwrap();
    let (limiter, seen) = changes(limiter(&server, 1000.0, 2, ms(100)));
    within(Duration::from_secs(30), async {
        take(&limiter, 1).await;
        assert_eq!(limiter.mode(), Mode::Shared);

        // SIGSTOP: the connection stays open and nothing answers (a connection to the
        // frozen server is accepted by the kernel, and then nothing answers either).
        server.pause().unwrap();
        let mut slowest = Duration::ZERO;
        let start = Instant::now();
        let mut sent = 0;
        while start.elapsed() < ms(1200) {
            let one = Instant::now();
            limiter.acquire(KEY, Duration::from_secs(10)).await.unwrap();
            slowest = slowest.max(one.elapsed());
            sent += 1;
        }
        server.resume().unwrap();
        // 1.2 s covers the first fault and five tries again, each cut at 100 ms; the
        // local share (500/s) waits 2 ms per slot.
        assert!(slowest < ms(600), "an acquire took {slowest:?} with a 100 ms timeout");
        assert!(sent > 100, "{sent} slots in 1.2 s");
        assert_eq!(*seen.lock().unwrap(), [Mode::Fallback]);

        // Thawed, it is shared again at the next try.
        let start = Instant::now();
        while limiter.mode() != Mode::Shared && start.elapsed() < Duration::from_secs(5) {
            limiter.acquire(KEY, Duration::from_secs(10)).await.unwrap();
            tokio::time::sleep(ms(20)).await;
        }
        assert_eq!(limiter.mode(), Mode::Shared);
        assert_eq!(*seen.lock().unwrap(), [Mode::Fallback, Mode::Shared]);
    });
}

#[test]
fn the_local_queue_is_handed_over_when_redis_is_back() {
    let mut server = RedisServer::start().unwrap();
    // One instance, so that the local share is the whole 10/s: 100 ms between slots.
    let limiter = limiter(&server, 10.0, 1, ms(300));
    within(Duration::from_secs(30), async {
        take(&limiter, 1).await;
        server.stop();
        // Eight requests queue locally: their slots run 0.7 s from now (later if the
        // machine is busy).
        let start = Instant::now();
        let local: Vec<_> = (0..8)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move { take(&limiter, 1).await })
            })
            .collect();
        tokio::time::sleep(ms(50)).await;
        assert_eq!(limiter.mode(), Mode::Fallback);
        tokio::task::block_in_place(|| server.restart()).unwrap();
        tokio::time::sleep(ms(250)).await;
        // Back to shared (about 0.3 s from the start), this request's slot comes after
        // the local queue's (0.8 s), not beside them, which would send twice the rate.
        let shared = take(&limiter, 1).await[0] - start;
        assert_eq!(limiter.mode(), Mode::Shared);
        assert!(shared >= ms(750), "the shared slot came {shared:?} from the start");
        for task in local {
            task.await.unwrap();
        }
    });
}
