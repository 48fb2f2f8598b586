//! The app-token provider against a local token endpoint (hyper), on an injected clock.

mod server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use easemob_errors::token::{AppTokenProvider, Secret, TokenError};
use server::{Reply, reply, serve};

const SECRET: &str = "YXA6-the-secret";

/// A token endpoint that hands out `t1`, `t2`, … valid for `expires_in` seconds.
fn token_server(expires_in: u64) -> (String, Arc<AtomicUsize>, Arc<Mutex<Vec<server::Seen>>>) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&fetches);
    let (addr, seen) = serve(move |seen| {
        if seen.method != "POST" || seen.path != "/org/app/token" {
            return reply(404, "{}");
        }
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        reply(
            200,
            &format!(r#"{{"access_token":"t{n}","expires_in":{expires_in},"application":"app-uuid"}}"#),
        )
    });
    (addr, fetches, seen)
}

fn provider(addr: &str, clock: &Arc<Mutex<Duration>>) -> AppTokenProvider {
    let clock = Arc::clone(clock);
    AppTokenProvider::new(addr, "org", "app", "YXA6-client-id", SECRET)
        .with_margin(Duration::from_secs(10))
        .with_clock(move || *clock.lock().unwrap())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn the_client_credentials_grant_is_sent_and_the_token_cached_until_shortly_before_expiry() {
    let (addr, fetches, seen) = token_server(100);
    let clock = Arc::new(Mutex::new(Duration::ZERO));
    let tokens = provider(&addr, &clock);
    let rt = runtime();
    assert_eq!(rt.block_on(tokens.token()).unwrap().as_str(), "t1");
    assert_eq!(rt.block_on(tokens.token()).unwrap().as_str(), "t1", "cached");
    *clock.lock().unwrap() = Duration::from_secs(89);
    assert_eq!(rt.block_on(tokens.token()).unwrap().as_str(), "t1", "still good 11 s before expiry");
    *clock.lock().unwrap() = Duration::from_secs(90);
    assert_eq!(rt.block_on(tokens.token()).unwrap().as_str(), "t2", "renewed 10 s before expiry");
    assert_eq!((fetches.load(Ordering::SeqCst), tokens.fetches()), (2, 2));

    let body: serde_json::Value = serde_json::from_slice(&seen.lock().unwrap()[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"grant_type": "client_credentials", "client_id": "YXA6-client-id", "client_secret": SECRET})
    );
}

#[test]
fn a_hundred_concurrent_refreshes_of_one_stale_token_fetch_once() {
    let (addr, fetches, _) = token_server(3600);
    let clock = Arc::new(Mutex::new(Duration::ZERO));
    let tokens = provider(&addr, &clock);
    let rt = runtime();
    let stale = rt.block_on(tokens.token()).unwrap();
    let fresh = rt.block_on(async {
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let (tokens, stale) = (tokens.clone(), stale.clone());
                tokio::spawn(async move { tokens.refresh(&stale).await.unwrap() })
            })
            .collect();
        let mut fresh = Vec::new();
        for task in tasks {
            fresh.push(task.await.unwrap().as_str().to_owned());
        }
        fresh
    });
    assert!(fresh.iter().all(|t| t == "t2"), "{fresh:?}");
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "one fetch, then one refresh for all 100");
    // A later refresh of the same stale token still fetches nothing.
    assert_eq!(rt.block_on(tokens.refresh(&stale)).unwrap().as_str(), "t2");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[test]
fn the_secret_never_shows() {
    let clock = Arc::new(Mutex::new(Duration::ZERO));
    let tokens = provider("http://127.0.0.1:9", &clock);
    let debug = format!("{tokens:?} {:?}", Secret::new(SECRET));
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("YXA6-client-id") && debug.contains("***"), "{debug}");
}

#[test]
fn a_refused_or_malformed_answer_is_an_error_not_a_token() {
    let (addr, _) = serve(|seen| match seen.path.as_str() {
        "/bad/app/token" => reply(401, r#"{"error":"invalid_grant"}"#),
        "/odd/app/token" => reply(200, r#"{"access_token":5}"#),
        _ => Reply::Drop,
    });
    let rt = runtime();
    let refused = AppTokenProvider::new(&addr, "bad", "app", "id", SECRET);
    match rt.block_on(refused.token()) {
        Err(TokenError::Refused { status: 401, body }) => assert!(body.contains("invalid_grant")),
        other => panic!("{other:?}"),
    }
    let odd = AppTokenProvider::new(&addr, "odd", "app", "id", SECRET);
    assert_eq!(rt.block_on(odd.token()), Err(TokenError::Malformed));
    let dropped = AppTokenProvider::new(&addr, "gone", "app", "id", SECRET);
    assert!(matches!(rt.block_on(dropped.token()), Err(TokenError::Transport(_))));
    assert!(!format!("{:?}", rt.block_on(refused.token())).contains(SECRET));
}
