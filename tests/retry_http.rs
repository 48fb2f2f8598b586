//! The retry engine against a real HTTP server on 127.0.0.1 (hyper) that answers like
//! Easemob, driven by a real reqwest client. Sleeps are recorded and advance an injected
//! clock, so delays are asserted exactly and the tests do not wait.

mod server;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use easemob_errors::EasemobError;
use easemob_errors::reqwest::send_with_retry;
use easemob_errors::retry::{
    Attempt, Failure, GaveUp, GiveUpReason, RequestError, Retrier, RetryBudget, RetryConfig,
};
use server::{reply, serve_script as serve};

const REACH_LIMIT: &str =
    r#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#;
const EXPIRED: &str =
    r#"{"error":"expired_token","error_description":"Unable to authenticate due to expired access token"}"#;
const TOO_LARGE: &str =
    r#"{"error":"Request Entity Too Large","error_description":"Request Entity Too Large"}"#;
const BAD_GATEWAY_PAGE: &str = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";

struct Outcome {
    result: Result<u16, GaveUp<RequestError<EasemobError>>>,
    slept: Vec<Duration>,
    refreshes: usize,
    attempts: Vec<Attempt>,
}

/// Sends `method` to the server with the full policy; sleeps advance a fake clock.
fn send(addr: &str, method: reqwest::Method, config: RetryConfig) -> Outcome {
    send_within(addr, method, config, RetryBudget::default())
}

/// [`send`], drawing retries from `budget`.
fn send_within(addr: &str, method: reqwest::Method, config: RetryConfig, budget: RetryBudget) -> Outcome {
    let clock = Arc::new(Mutex::new(Duration::ZERO));
    let slept = Arc::new(Mutex::new(Vec::new()));
    let refreshes = Arc::new(Mutex::new(0));
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let retrier = {
        let clock = Arc::clone(&clock);
        Retrier::new(config, false)
            .with_jitter(|cap| cap)
            .with_clock(move || *clock.lock().unwrap())
            .with_budget(budget)
    };
    let client = reqwest::Client::new();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let result = runtime.block_on(send_with_retry::<EasemobError, _, _, _, _, _>(
        retrier,
        "token-1".to_owned(),
        |token, attempt| {
            attempts.lock().unwrap().push(attempt);
            let body = if attempt.split_body { "x".repeat(10) } else { "x".repeat(100) };
            client.request(method.clone(), format!("{addr}/org/app/messages")).bearer_auth(token).body(body)
        },
        || {
            *refreshes.lock().unwrap() += 1;
            async { Some("token-2".to_owned()) }
        },
        |d| {
            slept.lock().unwrap().push(d);
            *clock.lock().unwrap() += d;
            async {}
        },
    ));
    let (slept, refreshes, attempts) =
        (slept.lock().unwrap().clone(), *refreshes.lock().unwrap(), attempts.lock().unwrap().clone());
    Outcome { result: result.map(|r| r.status().as_u16()), slept, refreshes, attempts }
}

#[test]
fn rate_limited_then_ok_backs_off_by_the_policy() {
    let (addr, seen) = serve(vec![reply(429, REACH_LIMIT), reply(200, "{}")]);
    let out = send(&addr, reqwest::Method::POST, RetryConfig::default());
    assert_eq!(out.result.unwrap(), 200);
    assert_eq!(out.slept, [Duration::from_millis(1000)], "the 429 policy's first delay cap");
    assert_eq!(seen.lock().unwrap().len(), 2, "a 429 was rejected before processing: a POST may be replayed");
}

#[test]
fn rate_limited_with_retry_after_waits_as_told() {
    let limited = reply(429, REACH_LIMIT).with_header("Retry-After", "7");
    let (addr, seen) = serve(vec![limited, reply(200, "{}")]);
    let out = send(&addr, reqwest::Method::GET, RetryConfig::default());
    assert_eq!(out.result.unwrap(), 200);
    assert_eq!(out.slept, [Duration::from_secs(7)]);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn expired_token_is_refreshed_once_then_the_request_succeeds() {
    let (addr, seen) = serve(vec![reply(401, EXPIRED), reply(200, "{}")]);
    let out = send(&addr, reqwest::Method::POST, RetryConfig::default());
    assert_eq!(out.result.unwrap(), 200);
    assert_eq!(out.refreshes, 1);
    assert!(out.slept.is_empty(), "a refresh does not wait");
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.iter().map(|s| s.authorization.as_str()).collect::<Vec<_>>(),
        ["Bearer token-1", "Bearer token-2"]
    );
}

#[test]
fn a_second_401_gives_up_without_a_refresh_loop() {
    let (addr, seen) = serve(vec![reply(401, EXPIRED)]);
    let out = send(&addr, reqwest::Method::GET, RetryConfig::default());
    let gave_up = out.result.unwrap_err();
    assert_eq!((gave_up.attempts, gave_up.alert), (2, true));
    assert_eq!(gave_up.error.http_status(), Some(401));
    assert_eq!(out.refreshes, 1);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn bad_gateway_page_backs_off_for_get_but_is_not_replayed_for_post() {
    let (addr, seen) =
        serve(vec![reply(502, BAD_GATEWAY_PAGE), reply(502, BAD_GATEWAY_PAGE), reply(200, "{}")]);
    let out = send(&addr, reqwest::Method::GET, RetryConfig::default());
    assert_eq!(out.result.unwrap(), 200);
    assert_eq!(out.slept, [Duration::from_millis(500), Duration::from_millis(1000)]);
    assert_eq!(seen.lock().unwrap().len(), 3);

    let (addr, seen) = serve(vec![reply(502, BAD_GATEWAY_PAGE), reply(200, "{}")]);
    let out = send(&addr, reqwest::Method::POST, RetryConfig::default());
    let gave_up = out.result.unwrap_err();
    assert!(
        matches!(&gave_up.error, RequestError::Api(EasemobError::Status(s)) if s.body() == BAD_GATEWAY_PAGE.as_bytes())
    );
    assert_eq!((gave_up.attempts, gave_up.alert), (1, true));
    assert_eq!(seen.lock().unwrap().len(), 1, "a POST that may have been applied is not sent twice");
}

#[test]
fn too_large_body_is_split_and_sent_again() {
    let (addr, seen) = serve(vec![reply(413, TOO_LARGE), reply(200, "{}")]);
    let out = send(&addr, reqwest::Method::POST, RetryConfig::default());
    assert_eq!(out.result.unwrap(), 200);
    assert_eq!(out.attempts.iter().map(|a| a.split_body).collect::<Vec<_>>(), [false, true]);
    assert_eq!(seen.lock().unwrap().iter().map(|s| s.body.len()).collect::<Vec<_>>(), [100, 10]);
}

#[test]
fn server_errors_until_the_deadline_give_up_with_an_alert() {
    let unavailable = reply(503, "").with_header("Retry-After", "10");
    let (addr, seen) = serve(vec![unavailable]);
    let out = send(&addr, reqwest::Method::GET, RetryConfig::default().deadline(Duration::from_secs(25)));
    let gave_up = out.result.unwrap_err();
    assert_eq!(out.slept, [Duration::from_secs(10), Duration::from_secs(10)]);
    assert_eq!((gave_up.attempts, gave_up.alert), (3, true));
    assert_eq!(seen.lock().unwrap().len(), 3);
    assert!(seen.lock().unwrap().iter().all(|s| s.method == "GET"));
}

#[test]
fn connection_refused_is_a_transport_failure_retried_by_policy() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    drop(listener); // nothing listens there now
    let out = send(&addr, reqwest::Method::POST, RetryConfig::default());
    let gave_up = out.result.unwrap_err();
    assert!(matches!(gave_up.error, RequestError::Transport(_)), "{:?}", gave_up.error);
    assert_eq!((gave_up.attempts, gave_up.alert), (3, true), "3 attempts, as the transport policy says");
    assert_eq!(out.slept, [Duration::from_millis(500), Duration::from_millis(1000)]);
}

#[test]
fn a_dropped_connection_after_sending_is_ambiguous_for_a_post() {
    let (addr, seen) = serve(vec![server::Reply::Drop, reply(200, "{}")]);
    let out = send(&addr, reqwest::Method::POST, RetryConfig::default());
    let gave_up = out.result.unwrap_err();
    assert!(matches!(gave_up.error, RequestError::Transport(_)), "{:?}", gave_up.error);
    assert_eq!(gave_up.reason, GiveUpReason::NotSafe);
    assert_eq!(seen.lock().unwrap().len(), 1, "not replayed");
}

#[test]
fn a_spent_budget_stops_send_with_retry_after_its_first_attempt() {
    let budget = RetryBudget::new(1, 0.0);
    let (addr, seen) = serve(vec![reply(429, REACH_LIMIT)]);
    let out = send_within(&addr, reqwest::Method::GET, RetryConfig::default(), budget.clone());
    let gave_up = out.result.unwrap_err();
    assert_eq!((gave_up.attempts, gave_up.reason), (2, GiveUpReason::BudgetSpent), "one retry, then spent");
    assert_eq!(seen.lock().unwrap().len(), 2);
    let out = send_within(&addr, reqwest::Method::GET, RetryConfig::default(), budget);
    assert_eq!(out.result.unwrap_err().attempts, 1, "the next request still makes its first attempt");
    assert_eq!(seen.lock().unwrap().len(), 3);
}
