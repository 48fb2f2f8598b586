//! The adaptive limiter, on an injected clock: its sleeps advance the clock it reads (and
//! yield), so the pacing is asserted exactly and nothing waits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use easemob_errors::limiter::{AdaptiveLimiter, Busy, LimiterConfig, RateLimiter, Signal};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A limiter on a fake clock, and the log of its sleeps.
struct Fake {
    limiter: AdaptiveLimiter,
    clock: Arc<Mutex<Duration>>,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl Fake {
    fn new(config: LimiterConfig) -> Fake {
        let clock = Arc::new(Mutex::new(Duration::ZERO));
        let slept = Arc::new(Mutex::new(Vec::new()));
        let (read, advance, log) = (Arc::clone(&clock), Arc::clone(&clock), Arc::clone(&slept));
        let limiter = AdaptiveLimiter::new(config).with_clock(
            move || *read.lock().unwrap(),
            move |d| {
                *advance.lock().unwrap() += d;
                log.lock().unwrap().push(d);
                // Lets the other tasks run, as a real sleep would.
                Box::pin(tokio::task::yield_now())
            },
        );
        Fake { limiter, clock, slept }
    }

    fn advance(&self, d: Duration) {
        *self.clock.lock().unwrap() += d;
    }

    fn now(&self) -> Duration {
        *self.clock.lock().unwrap()
    }

    /// Takes `n` slots one after the other; the times they were taken at.
    fn take(&self, key: &str, n: usize) -> Vec<Duration> {
        block_on(async {
            let mut times = Vec::new();
            for _ in 0..n {
                self.limiter.acquire(key, Duration::from_secs(60)).await.unwrap();
                times.push(self.now());
            }
            times
        })
    }

    fn observe(&self, key: &str, signal: Signal) {
        block_on(self.limiter.observe(key, signal));
    }
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
}

/// The gaps between successive times.
fn gaps(times: &[Duration]) -> Vec<Duration> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[test]
fn sends_are_paced_evenly_at_the_rate() {
    let fake = Fake::new(LimiterConfig::default()); // 100/s
    let times = fake.take("org/app", 5);
    assert_eq!(times[0], Duration::ZERO, "the first send goes at once");
    assert_eq!(gaps(&times), [ms(10); 4]);
    // After a quiet second, no catching up: still one every 10 ms.
    fake.advance(Duration::from_secs(1));
    assert_eq!(gaps(&fake.take("org/app", 3)), [ms(10); 2]);
}

#[test]
fn a_burst_goes_back_to_back_then_the_rate_holds() {
    let fake = Fake::new(LimiterConfig::default().rate(50.0).burst(3));
    let times = fake.take("k", 6);
    assert_eq!(gaps(&times), [ms(0), ms(0), ms(20), ms(20), ms(20)]);
}

#[test]
fn throttling_halves_the_rate_once_per_cooldown_down_to_the_floor() {
    let fake = Fake::new(LimiterConfig::default()); // floor 10/s, cooldown 100 ms
    fake.observe("k", Signal::Throttled);
    assert_eq!(fake.limiter.rate("k"), 50.0);
    fake.observe("k", Signal::Throttled); // answers to sends made before the decrease
    assert_eq!(fake.limiter.rate("k"), 50.0, "one decrease per cooldown");
    let mut rates = Vec::new();
    for _ in 0..4 {
        fake.advance(ms(100));
        fake.observe("k", Signal::Throttled);
        rates.push(fake.limiter.rate("k"));
    }
    assert_eq!(rates, [25.0, 12.5, 10.0, 10.0], "never below the floor: it keeps probing");
    assert_eq!(gaps(&fake.take("k", 3)), [ms(100); 2], "sends now go at 10/s");
}

#[test]
fn the_rate_recovers_when_throttling_stops() {
    let fake = Fake::new(LimiterConfig::default());
    for _ in 0..4 {
        fake.observe("k", Signal::Throttled);
        fake.advance(ms(100));
    }
    assert_eq!(fake.limiter.rate("k"), 10.0);
    let mut rates = Vec::new();
    for _ in 0..12 {
        fake.observe("k", Signal::Accepted);
        rates.push(fake.limiter.rate("k"));
    }
    assert_eq!(rates[..3], [12.5, 15.625, 19.53125], "x1.25 per answer");
    assert_eq!(*rates.last().unwrap(), 100.0, "back to the configured rate, never above");

    // Answers within the cooldown of a decrease do not undo it.
    fake.observe("k", Signal::Throttled);
    fake.observe("k", Signal::Accepted);
    assert_eq!(fake.limiter.rate("k"), 50.0);
}

#[test]
fn a_slot_later_than_the_wait_allowed_is_refused_at_once() {
    let fake = Fake::new(LimiterConfig::default().rate(10.0));
    fake.take("k", 1);
    let refused = block_on(fake.limiter.acquire("k", ms(50)));
    assert_eq!(refused.map_err(|busy: Busy| busy.wait), Err(ms(100)));
    assert!(fake.slept.lock().unwrap().is_empty(), "refused without waiting");
    assert_eq!(block_on(fake.limiter.acquire("k", ms(100))), Ok(()), "the slot was not taken");
    assert_eq!(*fake.slept.lock().unwrap(), [ms(100)]);
}

#[test]
fn keys_are_paced_and_adapted_independently() {
    let fake = Fake::new(LimiterConfig::default());
    fake.observe("a", Signal::Throttled);
    assert_eq!((fake.limiter.rate("a"), fake.limiter.rate("b")), (50.0, 100.0));
    fake.take("a", 1);
    let before = fake.now();
    fake.take("b", 1);
    assert_eq!(fake.now(), before, "b's first send does not wait behind a's");
}

#[test]
fn odd_numbers_are_made_sane() {
    let mut config = LimiterConfig::default().rate(f64::NAN).burst(0);
    config.decrease = 3.0;
    config.increase = 0.5;
    config.min_rate = -1.0;
    let fake = Fake::new(config);
    let c = *fake.limiter.config();
    assert_eq!((c.rate, c.burst, c.min_rate, c.decrease, c.increase), (100.0, 1, 10.0, 0.5, 1.25));
    assert_eq!(gaps(&fake.take("k", 2)), [ms(10)]);
}

#[test]
fn a_rate_change_reaches_requests_already_waiting() {
    // Two requests queue for one key; while the head waits for its slot, a throttling
    // answer halves the rate: the second request's slot is spaced at the new rate.
    let fake = Fake::new(LimiterConfig::default().rate(10.0));
    let limiter = fake.limiter.clone();
    fake.take("k", 1); // t = 0; next slot at 100 ms
    let observer = fake.limiter.clone();
    block_on(async {
        let first = limiter.acquire("k", Duration::from_secs(60));
        let second = limiter.acquire("k", Duration::from_secs(60));
        let throttle = async {
            observer.observe("k", Signal::Throttled).await;
        };
        let (a, b, ()) = tokio::join!(first, second, throttle);
        assert_eq!((a, b), (Ok(()), Ok(())));
    });
    // 10/s has a floor of 1/s; halved to 5/s: 100 ms, then 200 ms.
    assert_eq!(fake.now(), ms(300));
}
