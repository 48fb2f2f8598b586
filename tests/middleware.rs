//! The middleware end to end: a reqwest-middleware client built with it, against a local
//! Easemob-like server (hyper). Sleeps advance an injected clock, so nothing waits.

mod server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use easemob_errors::EasemobError;
use easemob_errors::limiter::{BoxFuture, Busy, RateLimiter, Signal};
use easemob_errors::middleware::{EasemobMiddleware, gave_up};
use easemob_errors::retry::{GiveUpReason, RequestError, RetryBudget, RetryConfig};
use easemob_errors::token::AppTokenProvider;
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use server::{Reply, Seen, reply, serve};

const REACH_LIMIT: &str =
    r#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#;
const EXPIRED: &str =
    r#"{"error":"unauthorized","error_description":"Unable to authenticate due to expired access token"}"#;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A fake clock and the sleeps made on it.
#[derive(Clone, Default)]
struct Clock {
    now: Arc<Mutex<Duration>>,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl Clock {
    /// The middleware on this clock, with jitter that takes the cap.
    fn middleware<E>(&self) -> EasemobMiddleware<E> {
        let (now, advance, log) = (Arc::clone(&self.now), Arc::clone(&self.now), Arc::clone(&self.slept));
        EasemobMiddleware::new().with_jitter(|cap| cap).with_limiter(None).with_clock(
            move || *now.lock().unwrap(),
            move |d| {
                *advance.lock().unwrap() += d;
                log.lock().unwrap().push(d);
                Box::pin(tokio::task::yield_now())
            },
        )
    }

    fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

fn client<E>(middleware: EasemobMiddleware<E>) -> ClientWithMiddleware
where
    E: easemob_errors::retry::Failure
        + easemob_errors::retry::FromResponse
        + std::fmt::Debug
        + std::fmt::Display
        + Send
        + Sync
        + 'static,
{
    ClientBuilder::new(reqwest::Client::new()).with(middleware).build()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// An Easemob-like app: a token endpoint handing out `t1`, `t2`, …, and an API that
/// accepts only the newest token and otherwise answers as `api` says.
struct App {
    addr: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    fetches: Arc<AtomicUsize>,
}

fn app(api: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> App {
    let fetches = Arc::new(AtomicUsize::new(0));
    let issued = Arc::clone(&fetches);
    let (addr, seen) = serve(move |seen| {
        if seen.path == "/org/app/token" {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            return reply(200, &format!(r#"{{"access_token":"t{n}","expires_in":3600}}"#));
        }
        let newest = format!("Bearer t{}", issued.load(Ordering::SeqCst));
        if seen.authorization != newest {
            return reply(401, EXPIRED);
        }
        api(seen, issued.load(Ordering::SeqCst))
    });
    App { addr, seen, fetches }
}

impl App {
    fn tokens(&self) -> AppTokenProvider {
        AppTokenProvider::new(&self.addr, "org", "app", "id", "secret")
    }

    fn api_calls(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().iter().filter(|s| s.path != "/org/app/token").cloned().collect()
    }
}

#[test]
fn building_the_client_is_all_a_user_writes() {
    let calls = AtomicUsize::new(0);
    let app = app(move |_, _| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 { reply(429, REACH_LIMIT) } else { reply(200, "{}") }
    });
    let clock = Clock::default();
    let client = client(clock.middleware::<EasemobError>().with_tokens(app.tokens()));
    let response =
        runtime().block_on(client.post(format!("{}/org/app/messages", app.addr)).body("{}").send());
    assert_eq!(response.unwrap().status(), 200);
    assert_eq!(clock.slept(), [ms(1000)], "the 429 policy's first delay");
    let calls = app.api_calls();
    assert_eq!(
        calls.iter().map(|s| s.authorization.as_str()).collect::<Vec<_>>(),
        ["Bearer t1", "Bearer t1"]
    );
    assert_eq!(calls[1].body, b"{}", "the body is sent again");
    assert_eq!(app.fetches.load(Ordering::SeqCst), 1);
}

/// A limiter that lets the requests through 100 at a time, so that 100 requests are in
/// flight at once (and a custom limiter plugs in through the trait).
struct Gate(tokio::sync::Barrier);

impl RateLimiter for Gate {
    fn acquire<'a>(&'a self, _: &'a str, _: Duration) -> BoxFuture<'a, Result<(), Busy>> {
        Box::pin(async {
            self.0.wait().await;
            Ok(())
        })
    }

    fn observe<'a>(&'a self, _: &'a str, _: Signal) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

#[test]
fn a_hundred_concurrent_401s_refresh_the_token_once() {
    let app = app(|_, _| reply(200, "{}"));
    let tokens = app.tokens();
    let rt = runtime();
    // The app's first token is revoked before any request uses it.
    rt.block_on(tokens.token()).unwrap();
    app.fetches.fetch_add(1, Ordering::SeqCst); // the server now accepts only "t2"
    let gate: Arc<dyn RateLimiter> = Arc::new(Gate(tokio::sync::Barrier::new(100)));
    let client = client(
        Clock::default().middleware::<EasemobError>().with_tokens(tokens.clone()).with_limiter(Some(gate)),
    );
    let statuses = rt.block_on(async {
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let request = client.get(format!("{}/org/app/users/u{i}", app.addr));
                tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().unwrap());
        }
        statuses
    });
    assert_eq!(statuses, [200; 100]);
    let calls = app.api_calls();
    let refused = calls.iter().filter(|s| s.authorization == "Bearer t1").count();
    assert_eq!((refused, calls.len()), (100, 200), "100 401s, then 100 retries with the new token");
    assert_eq!(tokens.fetches(), 2, "the first token, then one refresh for all 100 requests");
    assert!(
        calls.iter().skip(100).all(|s| s.authorization == "Bearer t3"),
        "t2 was never issued: the test server skipped it"
    );
}

#[test]
fn a_post_is_not_replayed_after_an_ambiguous_failure_unless_the_request_opts_in() {
    let app =
        app(|seen, _| if seen.body == b"first" { reply(502, "<html>502</html>") } else { reply(200, "{}") });
    let clock = Clock::default();
    let client = client(clock.middleware::<EasemobError>().with_tokens(app.tokens()));
    let rt = runtime();
    let err =
        rt.block_on(client.post(format!("{}/org/app/messages", app.addr)).body("first").send()).unwrap_err();
    let gave_up = gave_up::<EasemobError>(&err).expect("a typed give-up");
    assert_eq!((gave_up.attempts, gave_up.reason), (1, GiveUpReason::NotSafe));
    assert!(matches!(&gave_up.error, RequestError::Api(e) if e.status() == 502));
    assert_eq!(app.api_calls().len(), 1);

    // The same POST, opted in for this request only: replayed after the backoff.
    let opt_in = RetryConfig::default().retry_ambiguous(true);
    let result = rt.block_on(
        client.post(format!("{}/org/app/messages", app.addr)).body("first").with_extension(opt_in).send(),
    );
    assert!(result.is_err(), "502 every time: it gives up after the policy's attempts");
    assert_eq!(app.api_calls().len(), 1 + 3, "3 attempts (the 502 policy)");
}

#[test]
fn the_budget_is_shared_by_every_request_of_the_client() {
    let app = app(|_, _| reply(503, ""));
    let budget = RetryBudget::new(2, 0.0);
    let clock = Clock::default();
    let client =
        client(clock.middleware::<EasemobError>().with_tokens(app.tokens()).with_budget(budget.clone()));
    let rt = runtime();
    let url = format!("{}/org/app/users", app.addr);
    let first = rt.block_on(client.get(&url).send()).unwrap_err();
    let first = gave_up::<EasemobError>(&first).unwrap();
    assert_eq!((first.attempts, first.reason), (3, GiveUpReason::BudgetSpent), "two retries, then spent");
    let second = rt.block_on(client.get(&url).send()).unwrap_err();
    let text = second.to_string();
    let second = gave_up::<EasemobError>(&second).unwrap();
    assert_eq!((second.attempts, second.reason), (1, GiveUpReason::BudgetSpent), "first attempt only");
    assert!(text.contains("retry budget spent"), "{text}");
    assert_eq!(app.api_calls().len(), 4);
    assert_eq!(budget.available(), 0);
}

#[test]
fn the_adaptive_limiter_paces_the_client_and_slows_down_on_503() {
    use easemob_errors::limiter::{AdaptiveLimiter, LimiterConfig};
    let calls = AtomicUsize::new(0);
    let app = app(
        move |_, _| if calls.fetch_add(1, Ordering::SeqCst) < 2 { reply(503, "") } else { reply(200, "{}") },
    );
    let clock = Clock::default();
    let (now, advance) = (Arc::clone(&clock.now), Arc::clone(&clock.now));
    let limiter = AdaptiveLimiter::new(LimiterConfig::default().rate(10.0)).with_clock(
        move || *now.lock().unwrap(),
        move |d| {
            *advance.lock().unwrap() += d;
            Box::pin(async {})
        },
    );
    let shared: Arc<dyn RateLimiter> = Arc::new(limiter.clone());
    let client =
        client(clock.middleware::<EasemobError>().with_tokens(app.tokens()).with_limiter(Some(shared)));
    let rt = runtime();
    let response = rt.block_on(client.get(format!("{}/org/app/users", app.addr)).send()).unwrap();
    assert_eq!(response.status(), 200);
    let key = format!("{}/org/app", app.addr.trim_start_matches("http://").split(':').next().unwrap());
    // 10/s halved by the first 503; the second came 1 s later (after the cooldown),
    // halved again; the 200 then raised it by x1.25.
    assert_eq!(limiter.rate(&key), 10.0 * 0.5 * 0.5 * 1.25);
}

// Any enum that include_errors! generates works, not only EasemobError.
easemob_errors::include_errors!("tests/specs/shop.toml");

#[test]
fn the_middleware_is_generic_over_the_error_enum() {
    let conflict = r#"{"error":"conflict","error_description":"busy"}"#;
    let calls = AtomicUsize::new(0);
    let (addr, seen) = serve(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 { reply(409, conflict) } else { reply(200, "{}") }
    });
    let clock = Clock::default();
    let client = client(clock.middleware::<ShopError>());
    let response = runtime().block_on(client.put(format!("{addr}/orders/7")).body("x").send()).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(clock.slept(), [ms(200)], "the shop spec's own backoff (200 ms base)");
    assert_eq!(seen.lock().unwrap().len(), 2);
}

/// WeChat answers errors with HTTP 200; Google puts a retry delay in the body; Stripe says
/// in a header whether to retry.
mod wechat {
    easemob_errors::include_errors!("spec/examples/wechat.toml");
}
mod google {
    easemob_errors::include_errors!("spec/examples/google.toml");
}
mod stripe {
    easemob_errors::include_errors!("spec/examples/stripe.toml");
}

#[test]
fn the_middleware_follows_each_apis_body_shape_success_rule_and_hints() {
    use google::GoogleError;
    use stripe::StripeError;
    use wechat::WechatError;
    // An error answered with 200 is retried; the success's body is handed back.
    let calls = AtomicUsize::new(0);
    let (addr, seen) = serve(move |_| match calls.fetch_add(1, Ordering::SeqCst) {
        0 => reply(200, r#"{"errcode":-1,"errmsg":"system error rid: 1"}"#),
        _ => reply(200, r#"{"errcode":0,"errmsg":"ok","nickname":"Bob"}"#),
    });
    let clock = Clock::default();
    let wechat = client(clock.middleware::<WechatError>());
    let rt = runtime();
    let response = rt.block_on(wechat.get(format!("{addr}/cgi-bin/user/info")).send()).unwrap();
    assert_eq!(rt.block_on(response.text()).unwrap(), r#"{"errcode":0,"errmsg":"ok","nickname":"Bob"}"#);
    assert_eq!((seen.lock().unwrap().len(), clock.slept().len()), (2, 1));

    // The body's retry delay is waited as a Retry-After would be.
    let quota = r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[
        {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"2.5s"},
        {"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED"}]}}"#;
    let calls = AtomicUsize::new(0);
    let (addr, _) =
        serve(
            move |_| {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 { reply(429, quota) } else { reply(200, "{}") }
            },
        );
    let clock = Clock::default();
    let google = client(clock.middleware::<GoogleError>());
    let response = rt.block_on(google.get(format!("{addr}/v1/things")).send()).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(clock.slept(), [ms(2500)]);

    // `Stripe-Should-Retry: false` stops a retry the policy would make.
    let locked = r#"{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"x"}}"#;
    let (addr, seen) = serve(move |_| reply(409, locked).with_header("Stripe-Should-Retry", "false"));
    let clock = Clock::default();
    let stripe = client(clock.middleware::<StripeError>());
    let response = rt.block_on(stripe.get(format!("{addr}/v1/charges")).send());
    assert!(response.is_err(), "{response:?}");
    assert_eq!((seen.lock().unwrap().len(), clock.slept().len()), (1, 0));
}
