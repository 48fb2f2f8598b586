//! The retry engine's decisions, with deterministic jitter.

use std::time::Duration;

use easemob_errors::EasemobError;
use easemob_errors::retry::{
    Attempted, Decision, GiveUpReason, Retrier, RetryBudget, RetryConfig, TransportError, run,
};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn err(status: u16, body: &str) -> EasemobError {
    EasemobError::from_response(status, body.as_bytes())
}

fn reach_limit() -> EasemobError {
    err(429, r#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#)
}

/// Jitter that always takes the cap: delays are the caps, so tests can name them.
fn retrier(idempotent: bool) -> Retrier {
    Retrier::new(RetryConfig::default(), idempotent).with_jitter(|cap| cap)
}

#[test]
fn exponential_backoff_with_a_cap_and_a_maximum_of_attempts() {
    let mut r = retrier(false);
    let e = reach_limit(); // backoff: 5 attempts, 1000 ms base, 30 s max
    let delays: Vec<Decision> = (0..5).map(|_| r.decide(&e, None, Duration::ZERO)).collect();
    assert_eq!(
        delays,
        [
            Decision::Retry { after: ms(1000) },
            Decision::Retry { after: ms(2000) },
            Decision::Retry { after: ms(4000) },
            Decision::Retry { after: ms(8000) },
            Decision::GiveUp { alert: true },
        ]
    );
}

#[test]
fn full_jitter_draws_below_the_cap() {
    let mut r = Retrier::new(RetryConfig::default(), true).with_jitter(|cap| cap / 4);
    assert_eq!(r.decide(&reach_limit(), None, Duration::ZERO), Decision::Retry { after: ms(250) });
    let mut r = Retrier::new(RetryConfig::default(), true); // the real random jitter
    for _ in 0..3 {
        match r.decide(&reach_limit(), None, Duration::ZERO) {
            Decision::Retry { after } => assert!(after <= ms(4000)),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn retry_after_is_honoured_clamped_and_never_below_the_base() {
    let e = reach_limit();
    assert_eq!(
        retrier(true).decide(&e, Some(Duration::from_secs(7)), Duration::ZERO),
        Decision::Retry { after: ms(7000) }
    );
    assert_eq!(
        retrier(true).decide(&e, Some(Duration::from_secs(3600)), Duration::ZERO),
        Decision::Retry { after: ms(60_000) }
    );
    assert_eq!(
        retrier(true).decide(&e, Some(Duration::ZERO), Duration::ZERO),
        Decision::Retry { after: ms(1000) }
    );
}

#[test]
fn the_deadline_ends_retries_with_an_alert() {
    let config = RetryConfig::default().deadline(Duration::from_secs(10));
    let mut r = Retrier::new(config, true).with_jitter(|cap| cap);
    assert_eq!(r.decide(&reach_limit(), None, ms(9_500)), Decision::GiveUp { alert: true });
}

#[test]
fn rejected_failures_retry_for_any_method_ambiguous_ones_only_when_idempotent() {
    let bad_gateway = err(502, "<html>502 Bad Gateway</html>");
    assert!(matches!(retrier(true).decide(&bad_gateway, None, Duration::ZERO), Decision::Retry { .. }));
    assert_eq!(retrier(false).decide(&bad_gateway, None, Duration::ZERO), Decision::GiveUp { alert: true });
    let opted_in = Retrier::new(RetryConfig::default().retry_ambiguous(true), false).with_jitter(|c| c);
    assert!(matches!({ opted_in }.decide(&bad_gateway, None, Duration::ZERO), Decision::Retry { .. }));
    // 429 and 503 were rejected before any processing: safe for a POST.
    assert!(matches!(retrier(false).decide(&reach_limit(), None, Duration::ZERO), Decision::Retry { .. }));
    assert!(matches!(retrier(false).decide(&err(503, ""), None, Duration::ZERO), Decision::Retry { .. }));
    assert!(matches!(retrier(false).decide(&err(504, ""), None, Duration::ZERO), Decision::GiveUp { .. }));
}

#[test]
fn transport_failures_speak_the_same_vocabulary() {
    assert!(matches!(
        retrier(false).decide(&TransportError::ConnectionRefused, None, Duration::ZERO),
        Decision::Retry { .. }
    ));
    assert_eq!(
        retrier(false).decide(&TransportError::Timeout { sent: true }, None, Duration::ZERO),
        Decision::GiveUp { alert: true }
    );
    assert!(matches!(
        retrier(true).decide(&TransportError::ConnectionReset { sent: true }, None, Duration::ZERO),
        Decision::Retry { .. }
    ));
}

#[test]
fn token_refresh_happens_once_per_request() {
    let expired = err(401, r#"{"error_description":"Unable to authenticate due to expired access token"}"#);
    let mut r = retrier(false);
    assert_eq!(r.decide(&expired, None, Duration::ZERO), Decision::RefreshToken);
    assert_eq!(r.decide(&expired, None, Duration::ZERO), Decision::GiveUp { alert: true });
}

#[test]
fn split_body_is_advised_once_then_alerts() {
    let too_large =
        err(413, r#"{"error":"Request Entity Too Large","error_description":"Request Entity Too Large"}"#);
    let mut r = retrier(false);
    assert_eq!(r.decide(&too_large, None, Duration::ZERO), Decision::SplitBody);
    assert_eq!(r.decide(&too_large, None, Duration::ZERO), Decision::GiveUp { alert: true });
}

#[test]
fn never_policies_give_up_at_once_alerting_only_system_errors() {
    let bad = err(400, r#"{"error":"invalid_grant","error_description":"invalid username or password"}"#);
    assert_eq!(retrier(true).decide(&bad, None, Duration::ZERO), Decision::GiveUp { alert: false });
    let not_impl = err(501, "");
    assert_eq!(retrier(true).decide(&not_impl, None, Duration::ZERO), Decision::GiveUp { alert: true });
}

#[test]
fn the_sync_driver_sleeps_as_decided_and_reports_attempts() {
    let mut slept = Vec::new();
    let mut calls = 0;
    let result = run(
        retrier(true),
        |attempt| {
            calls += 1;
            assert_eq!(attempt.number, calls);
            if calls < 3 { Err(Attempted::from(reach_limit())) } else { Ok("done") }
        },
        |d| slept.push(d),
    );
    assert_eq!(result, Ok("done"));
    assert_eq!(slept, [ms(1000), ms(2000)]);

    let gave_up = run(retrier(true), |_| Err::<(), _>(Attempted::from(reach_limit())), |_| {}).unwrap_err();
    assert_eq!((gave_up.attempts, gave_up.alert), (5, true));
    assert_eq!(gave_up.error, reach_limit());
}

/// Counts tracing events by level.
#[derive(Default, Clone)]
struct Events {
    warn: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    error: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Every event's fields, as `name=value` text.
    messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

/// Writes an event's fields as text.
struct Text(String);

impl tracing::field::Visit for Text {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

impl Events {
    fn count(&self, event: &tracing::Event<'_>) {
        use std::sync::atomic::Ordering::Relaxed;
        let mut text = Text(String::new());
        event.record(&mut text);
        self.messages.lock().unwrap().push(text.0);
        match *event.metadata().level() {
            tracing::Level::WARN => self.warn.fetch_add(1, Relaxed),
            tracing::Level::ERROR => self.error.fetch_add(1, Relaxed),
            _ => 0,
        };
    }
}

/// Runs `f` with the events of this thread counted by `events`.
///
/// One global subscriber hands each event to the collector of the thread that emits it.
/// A scoped subscriber per test (`with_default`) is not enough: when another test's
/// scoped subscriber ends while this one runs, tracing may rebuild the callsites'
/// interest without it, and an event is lost (about 1 run in 70 here).
fn capture<T>(events: &Events, f: impl FnOnce() -> T) -> T {
    static GLOBAL: std::sync::Once = std::sync::Once::new();
    GLOBAL.call_once(|| {
        tracing::subscriber::set_global_default(PerThread).expect("no other global subscriber")
    });
    CAPTURE.with(|c| *c.borrow_mut() = Some(events.clone()));
    let out = f();
    CAPTURE.with(|c| *c.borrow_mut() = None);
    out
}

thread_local! {
    static CAPTURE: std::cell::RefCell<Option<Events>> = const { std::cell::RefCell::new(None) };
}

/// The global subscriber of this test binary: forwards events to [`capture`]'s collector.
struct PerThread;

impl tracing::Subscriber for PerThread {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        CAPTURE.with(|c| {
            if let Some(events) = &*c.borrow() {
                events.count(event);
            }
        });
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn tracing_warns_per_retry_and_errors_on_alert() {
    use std::sync::atomic::Ordering::Relaxed;
    let events = Events::default();
    let gave_up =
        capture(&events, || run(retrier(true), |_| Err::<(), _>(Attempted::from(reach_limit())), |_| {}));
    assert!(gave_up.unwrap_err().alert);
    assert_eq!((events.warn.load(Relaxed), events.error.load(Relaxed)), (4, 1), "4 retries, then one alert");

    let quiet = Events::default();
    let bad = err(400, r#"{"error":"invalid_grant","error_description":"invalid username or password"}"#);
    let _ = capture(&quiet, || run(retrier(true), |_| Err::<(), _>(Attempted::from(bad.clone())), |_| {}));
    assert_eq!(
        (quiet.warn.load(Relaxed), quiet.error.load(Relaxed)),
        (0, 0),
        "a client error that is not alerted stays quiet"
    );
}

#[test]
fn the_budget_is_shared_spent_by_retries_and_refilled_by_successes() {
    let budget = RetryBudget::new(3, 0.5);
    let e = reach_limit();
    // Three requests of one client each retry once: the bucket of 3 is spent.
    for _ in 0..3 {
        let mut r = retrier(true).with_budget(budget.clone());
        assert!(matches!(r.decide(&e, None, Duration::ZERO), Decision::Retry { .. }));
    }
    assert_eq!(budget.available(), 0);
    let mut r = retrier(true).with_budget(budget.clone());
    assert_eq!(
        r.decide(&e, None, Duration::ZERO),
        Decision::GiveUp { alert: true },
        "spent: give up at once"
    );
    assert_eq!(r.give_up_reason(), Some(GiveUpReason::BudgetSpent));
    // Two successes refill one retry.
    r.succeeded();
    retrier(true).with_budget(budget.clone()).succeeded();
    assert_eq!(budget.available(), 1);
    let mut r = retrier(true).with_budget(budget.clone());
    assert!(matches!(r.decide(&e, None, Duration::ZERO), Decision::Retry { .. }));
    assert_eq!(r.give_up_reason(), None);
    // Successes never fill it past its size.
    for _ in 0..100 {
        budget.deposit();
    }
    assert_eq!(budget.available(), 3);
}

#[test]
fn a_give_up_costs_nothing_and_a_spent_budget_never_blocks_first_attempts() {
    let budget = RetryBudget::new(1, 0.0);
    let bad = err(400, r#"{"error":"invalid_grant","error_description":"invalid username or password"}"#);
    let mut r = retrier(true).with_budget(budget.clone());
    assert_eq!(r.decide(&bad, None, Duration::ZERO), Decision::GiveUp { alert: false });
    assert_eq!(r.give_up_reason(), Some(GiveUpReason::NotRetryable));
    assert_eq!(budget.available(), 1, "a give-up withdraws nothing");
    assert!(budget.try_withdraw());

    // Spent: each request still makes its first attempt, then gives up at once.
    for _ in 0..3 {
        let mut calls = 0;
        let gave_up = run(
            retrier(true).with_budget(budget.clone()),
            |_| {
                calls += 1;
                Err::<(), _>(Attempted::from(reach_limit()))
            },
            |_| panic!("no wait: the budget is spent"),
        )
        .unwrap_err();
        assert_eq!((calls, gave_up.attempts, gave_up.reason), (1, 1, GiveUpReason::BudgetSpent));
        assert!(gave_up.to_string().contains("retry budget spent"), "{gave_up}");
    }
    // A success through the driver refills nothing here (refill 0) but is recorded.
    assert_eq!(
        run(retrier(true).with_budget(budget.clone()), |_| Ok::<_, Attempted<EasemobError>>(1), |_| {}),
        Ok(1)
    );
}

#[test]
fn budget_clones_share_one_bucket_and_odd_refills_are_tamed() {
    let a = RetryBudget::default();
    assert!(a.shares_with(&a.clone()));
    assert!(!a.shares_with(&RetryBudget::default()));
    assert_eq!(a.available(), 100);
    for refill in [f64::NAN, -1.0, f64::INFINITY] {
        let b = RetryBudget::new(1, refill);
        assert!(b.try_withdraw());
        b.deposit();
        assert_eq!(b.available(), 0, "refill {refill} is taken as zero");
    }
    let b = RetryBudget::new(0, 1.0);
    assert!(!b.try_withdraw(), "an empty budget allows no retry");
}

#[test]
fn the_error_event_names_a_spent_budget() {
    use std::sync::atomic::Ordering::Relaxed;
    let budget = RetryBudget::new(0, 0.0);
    let events = Events::default();
    let gave_up = capture(&events, || {
        run(retrier(true).with_budget(budget), |_| Err::<(), _>(Attempted::from(reach_limit())), |_| {})
    })
    .unwrap_err();
    assert_eq!(gave_up.reason, GiveUpReason::BudgetSpent);
    assert_eq!((events.warn.load(Relaxed), events.error.load(Relaxed)), (0, 1));
    assert!(
        events.messages.lock().unwrap().iter().any(|m| m.contains("budget_spent")),
        "{:?}",
        events.messages
    );
}

#[test]
fn a_token_refresh_is_not_drawn_from_the_budget() {
    // A spent budget must not leave requests on a stale token: the refresh is at most once
    // per request, and no success could ever refill the budget while the token is stale.
    let budget = RetryBudget::new(0, 0.0);
    let expired = err(401, r#"{"error_description":"Unable to authenticate due to expired access token"}"#);
    let mut r = retrier(false).with_budget(budget.clone());
    assert_eq!(r.decide(&expired, None, Duration::ZERO), Decision::RefreshToken);
    assert_eq!(r.decide(&expired, None, Duration::ZERO), Decision::GiveUp { alert: true });
    assert_eq!(r.give_up_reason(), Some(GiveUpReason::Exhausted));
}
