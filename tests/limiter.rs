//! The adaptive limiter, on tokio's paused clock: its sleeps advance the clock it reads,
//! so the pacing is asserted exactly and nothing waits.

use std::time::Duration;

use easemob_errors::limiter::{AdaptiveLimiter, Busy, LimiterConfig, RateLimiter, Signal};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A limiter on tokio's paused clock: sleeps end as soon as every task waits, and the
/// clock moves by exactly what they slept.
struct Fake {
    rt: tokio::runtime::Runtime,
    limiter: AdaptiveLimiter,
    start: tokio::time::Instant,
}

impl Fake {
    fn new(config: LimiterConfig) -> Fake {
        let rt =
            tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
        let (limiter, start) = {
            let _in = rt.enter();
            (AdaptiveLimiter::new(config), tokio::time::Instant::now())
        };
        Fake { rt, limiter, start }
    }

    fn advance(&self, d: Duration) {
        self.rt.block_on(tokio::time::advance(d));
    }

    fn now(&self) -> Duration {
        let _in = self.rt.enter();
        self.start.elapsed()
    }

    fn block_on<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    /// Takes `n` slots one after the other; the times they were taken at.
    fn take(&self, key: &str, n: usize) -> Vec<Duration> {
        self.block_on(async {
            let mut times = Vec::new();
            for _ in 0..n {
                self.limiter.acquire(key, Duration::from_secs(60)).await.unwrap();
                times.push(self.start.elapsed());
            }
            times
        })
    }

    fn observe(&self, key: &str, signal: Signal) {
        self.block_on(self.limiter.observe(key, signal));
    }
}

/// The gaps between successive times.
fn gaps(times: &[Duration]) -> Vec<Duration> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[test]
fn sends_are_paced_evenly_at_the_rate() {
    let fake = Fake::new(LimiterConfig::default().burst(1)); // 100/s
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
    let fake = Fake::new(LimiterConfig::default().burst(1)); // floor 10/s, cooldown 100 ms
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
    let fake = Fake::new(LimiterConfig::default().rate(10.0).burst(1));
    fake.take("k", 1);
    let refused = fake.block_on(fake.limiter.acquire("k", ms(50)));
    assert_eq!(refused.map_err(|busy: Busy| busy.wait), Err(ms(100)));
    assert_eq!(fake.now(), Duration::ZERO, "refused without waiting");
    assert_eq!(fake.block_on(fake.limiter.acquire("k", ms(100))), Ok(()), "the slot was not taken");
    assert_eq!(fake.now(), ms(100));
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
    assert_eq!(LimiterConfig::default().burst, 2);
}

#[test]
fn a_rate_change_reaches_requests_already_waiting() {
    // Two requests queue for one key; while the head waits for its slot, a throttling
    // answer halves the rate: the second request's slot is spaced at the new rate.
    let fake = Fake::new(LimiterConfig::default().rate(10.0).burst(1));
    let limiter = fake.limiter.clone();
    fake.take("k", 1); // t = 0; next slot at 100 ms
    let observer = fake.limiter.clone();
    fake.block_on(async {
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

#[test]
fn a_late_wake_up_is_caught_up_by_the_default_burst_of_two() {
    let fake = Fake::new(LimiterConfig::default()); // 100/s, burst 2
    let times = fake.take("k", 4);
    assert_eq!(gaps(&times), [ms(0), ms(10), ms(10)]);
    // The next slot is at 30 ms; its sender's timer wakes it 3 ms late.
    fake.advance(ms(13));
    let late = fake.now();
    let times = fake.take("k", 2);
    assert_eq!(times, [late, late + ms(7)], "the schedule holds: 100/s on average");
}

#[test]
fn a_request_queued_past_its_wait_gives_up_in_the_queue() {
    // Three requests at 10/s, each allowing 150 ms: the third would wait 200 ms.
    let fake = Fake::new(LimiterConfig::default().rate(10.0).burst(1));
    let l = fake.limiter.clone();
    let results = fake.block_on(async {
        let w = ms(150);
        let (a, b, c) = tokio::join!(l.acquire("k", w), l.acquire("k", w), l.acquire("k", w));
        [a.is_ok(), b.is_ok(), c.is_ok()]
    });
    assert_eq!(results, [true, true, false]);
}
