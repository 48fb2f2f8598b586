//! The reqwest integration with enums of other APIs, against a real HTTP server on
//! 127.0.0.1: errors answered with HTTP 200 are told from successes by the spec's rule
//! (and retried by their policy), a success's body is still readable, and Stripe's
//! verdict header decides over the policy. Sleeps are recorded, not waited.

mod server;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use easemob_errors::reqwest::send_with_retry;
use easemob_errors::retry::{GaveUp, GiveUpReason, RequestError, Retrier, RetryConfig};
use server::{reply, serve_script};

/// WeChat answers its errors with HTTP 200.
pub mod wechat {
    easemob_errors::include_errors!("spec/examples/wechat.toml");
}

/// Stripe says in a header whether to retry.
pub mod stripe {
    easemob_errors::include_errors!("spec/examples/stripe.toml");
}

/// Sends one idempotent request (GET) to `addr` with the full policy; returns the outcome,
/// the body of a success, and the sleeps.
fn send<E>(addr: &str) -> (Result<String, GaveUp<RequestError<E>>>, Vec<Duration>)
where
    E: easemob_errors::retry::FromResponse + easemob_errors::retry::Failure,
{
    send_as(addr, true)
}

/// The same, for a request that is idempotent (GET) or not (POST).
fn send_as<E>(addr: &str, idempotent: bool) -> (Result<String, GaveUp<RequestError<E>>>, Vec<Duration>)
where
    E: easemob_errors::retry::FromResponse + easemob_errors::retry::Failure,
{
    let slept = Arc::new(Mutex::new(Vec::new()));
    let retrier = Retrier::new(RetryConfig::default(), idempotent).with_jitter(|cap| cap);
    let client = reqwest::Client::new();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let result = runtime.block_on(async {
        let response = send_with_retry::<E, _, _, _, _, _>(
            retrier,
            "token".to_owned(),
            |_, _| {
                let url = format!("{addr}/cgi-bin/user/info");
                // The retrier takes idempotency from the method.
                if idempotent { client.get(url) } else { client.post(url) }
            },
            || async { None },
            |d| {
                slept.lock().unwrap().push(d);
                async {}
            },
        )
        .await?;
        Ok(response.text().await.unwrap_or_default())
    });
    let slept = slept.lock().unwrap().clone();
    (result, slept)
}

#[test]
fn an_error_answered_with_200_is_retried_and_the_success_body_kept() {
    let (addr, seen) = serve_script(vec![
        reply(200, r#"{"errcode":-1,"errmsg":"system error rid: 1"}"#),
        reply(200, r#"{"errcode":0,"errmsg":"ok","nickname":"Bob"}"#),
    ]);
    let (result, slept) = send::<wechat::WechatError>(&addr);
    assert_eq!(result.ok().as_deref(), Some(r#"{"errcode":0,"errmsg":"ok","nickname":"Bob"}"#));
    assert_eq!(seen.lock().unwrap().len(), 2);
    assert_eq!(slept.len(), 1, "system error backs off once");
}

#[test]
fn an_error_answered_with_200_that_must_not_be_retried_gives_up_at_once() {
    let (addr, seen) =
        serve_script(vec![reply(200, r#"{"errcode":40013,"errmsg":"invalid appid hint: [abc]"}"#)]);
    let (result, _) = send::<wechat::WechatError>(&addr);
    let gave_up = result.unwrap_err();
    let RequestError::Api(e) = &gave_up.error else { panic!("{gave_up:?}") };
    assert_eq!((e.variant_name(), e.code()), ("InvalidAppid", Some("40013")));
    assert_eq!(gave_up.reason, GiveUpReason::NotRetryable);
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn stripes_verdict_header_decides_over_the_policy() {
    let declined =
        r#"{"error":{"type":"card_error","code":"card_declined","message":"Your card was declined."}}"#;
    let locked = r#"{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"x"}}"#;
    // `false` never retries, whatever the policy says.
    let (addr, seen) =
        serve_script(vec![reply(409, locked).with_header("Stripe-Should-Retry", "false"), reply(200, "{}")]);
    let (result, _) = send::<stripe::StripeError>(&addr);
    assert!(result.is_err());
    assert_eq!(seen.lock().unwrap().len(), 1);
    // `true` retries an error whose policy would not.
    let (addr, seen) =
        serve_script(vec![reply(402, declined).with_header("Stripe-Should-Retry", "true"), reply(200, "{}")]);
    let (result, _) = send::<stripe::StripeError>(&addr);
    assert_eq!(result.ok().as_deref(), Some("{}"));
    assert_eq!(seen.lock().unwrap().len(), 2);
    // A server error on a request that is not idempotent is not repeated: it may have
    // been applied. Unless Stripe says so: `true` vouches that repeating is safe.
    let api_error = r#"{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}"#;
    let (addr, seen) = serve_script(vec![reply(500, api_error), reply(200, "{}")]);
    let (result, _) = send_as::<stripe::StripeError>(&addr, false);
    assert_eq!(result.map_err(|g| g.reason).err(), Some(GiveUpReason::NotSafe));
    assert_eq!(seen.lock().unwrap().len(), 1);
    let (addr, seen) = serve_script(vec![
        reply(500, api_error).with_header("Stripe-Should-Retry", "true"),
        reply(200, "{}"),
    ]);
    let (result, _) = send_as::<stripe::StripeError>(&addr, false);
    assert_eq!(result.ok().as_deref(), Some("{}"));
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn a_success_longer_than_any_error_body_is_handed_back_whole() {
    // WeChat's rule needs the body; a listing past `MAX_BODY_LEN` is read to its end.
    let items: Vec<String> = (0..20_000).map(|i| format!("\"openid-{i:06}\"")).collect();
    let long = format!(r#"{{"total":20000,"data":{{"openid":[{}]}}}}"#, items.join(","));
    assert!(long.len() > 3 * easemob_errors::MAX_BODY_LEN);
    let (addr, seen) = serve_script(vec![reply(200, &long)]);
    let (result, slept) = send::<wechat::WechatError>(&addr);
    assert_eq!(result.ok().map(|body| body.len()), Some(long.len()));
    assert_eq!((seen.lock().unwrap().len(), slept.len()), (1, 0));
}

#[test]
fn a_gateway_page_is_no_success_even_where_errors_come_with_any_status() {
    // WeChat's rule takes any status and a body without `errcode`; an HTML page is no
    // such body, so its status tells: a 502 is an error (here undeclared: not retried).
    let page = "<html><head><title>502 Bad Gateway</title></head></html>";
    let (addr, seen) = serve_script(vec![reply(502, page)]);
    let (result, _) = send::<wechat::WechatError>(&addr);
    let gave_up = result.unwrap_err();
    let RequestError::Api(e) = &gave_up.error else { panic!("{gave_up:?}") };
    assert!(
        matches!(e, wechat::WechatError::Status(s) if s.status() == 502 && s.body() == page.as_bytes()),
        "{e:?}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert_eq!(wechat::WechatError::classify(502, b""), Some(wechat::WechatError::from_response(502, b"")));
    assert_eq!(wechat::WechatError::classify(200, b"\x89PNG"), None, "a download is a success");
}
