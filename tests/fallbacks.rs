//! Answers the catalog cannot name: nothing the server sent is lost, nothing panics.

use easemob_errors::{EasemobError, MAX_BODY_LEN, RetryPolicy};

#[test]
fn html_502_page_is_status_only_and_keeps_the_page() {
    let page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let e = EasemobError::from_response(502, page);
    let EasemobError::Status(s) = &e else { panic!("{e:?}") };
    assert_eq!(s.status(), 502);
    assert_eq!(s.body(), page);
    assert!(!s.is_truncated());
    assert!(!e.is_known());
    assert_eq!(e.code(), None);
    assert_eq!(e.description(), None);
    assert!(matches!(e.retry(), RetryPolicy::Backoff(_)), "502 backs off");
    assert!(e.should_alert(), "gateway errors are system errors");
    assert_eq!(e.to_string(), format!("502 Bad Gateway (no error body; {} bytes)", page.len()));
}

#[test]
fn empty_504_is_status_only() {
    let e = EasemobError::from_response(504, b"");
    assert!(matches!(&e, EasemobError::Status(s) if s.body().is_empty()));
    assert_eq!(e.to_string(), "504 Gateway Timeout (empty body)");
    assert_eq!(e.cause(), EasemobError::info_for_status(504).map(|s| s.meaning()));
}

#[test]
fn json_without_error_fields_is_status_only() {
    for body in [&b"{}"[..], b"[]", b"\"text\"", b"{\"error\":42}", b"{\"message\":\"x\"}", b"null"] {
        let e = EasemobError::from_response(500, body);
        assert!(matches!(&e, EasemobError::Status(s) if s.body() == body), "{e:?}");
    }
}

#[test]
fn unknown_error_keeps_status_code_description_and_raw_body() {
    let body = br#"{"error":"brand_new_error","exception":"x.Y","timestamp":1,"error_description":"Something new happened"}"#;
    let e = EasemobError::from_response(403, body);
    let EasemobError::Unknown(u) = &e else { panic!("{e:?}") };
    assert_eq!(u.status(), 403);
    assert_eq!(u.code(), Some("brand_new_error"));
    assert_eq!(u.description(), Some("Something new happened"));
    assert_eq!(u.body(), body);
    assert_eq!(e.to_string(), "403 brand_new_error: Something new happened");
    assert_eq!(e.variant_name(), "Unknown");
    assert_eq!(e.retry(), RetryPolicy::Never, "403's default");
}

#[test]
fn a_new_wording_of_a_known_code_is_known_and_kept() {
    // `reach_limit` has one meaning: a wording the catalog has not seen is still it.
    let body = br#"{"error":"reach_limit","error_description":"Your request has reached some limit"}"#;
    let e = EasemobError::from_response(429, body);
    assert!(matches!(e, EasemobError::ReachLimit { .. }), "{e:?}");
    assert_eq!(e.description(), Some("Your request has reached some limit"));
    assert!(matches!(e.retry(), RetryPolicy::Backoff(_)));
    // `illegal_argument` has many: a new one lands on the code's own variant.
    let body = br#"{"error":"illegal_argument","error_description":"brand new rule"}"#;
    let e = EasemobError::from_response(400, body);
    assert!(
        matches!(&e, EasemobError::IllegalArgument { text } if text.description() == Some("brand new rule")),
        "{e:?}"
    );
    // No description at all is a known code too.
    let e = EasemobError::from_response(429, br#"{"error":"reach_limit"}"#);
    assert!(matches!(e, EasemobError::ReachLimit { .. }), "{e:?}");
    assert_eq!((e.description(), e.to_string().as_str()), (None, "429 reach_limit: (no description)"));
}

#[test]
fn a_text_without_error_is_not_guessed_between_meanings() {
    // "user not in group" is a text of two meanings at 404, under two codes.
    let e = EasemobError::from_response(404, br#"{"error_description":"user not in group"}"#);
    assert!(matches!(&e, EasemobError::Unknown(u) if u.description() == Some("user not in group")), "{e:?}");
    // A new text without `error` is never taken by a catch-all.
    let e = EasemobError::from_response(400, br#"{"error_description":"brand new rule"}"#);
    assert!(matches!(e, EasemobError::Unknown(_)), "{e:?}");
}

#[test]
fn known_text_with_another_status_is_unknown() {
    let body = br#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#;
    let e = EasemobError::from_response(503, body);
    assert!(matches!(e, EasemobError::Unknown(_)), "{e:?}");
    assert_eq!(e.status(), 503);
}

#[test]
fn description_only_bodies_are_matched_without_error() {
    let e = EasemobError::from_response(
        401,
        br#"{"error_description":"Unable to authenticate due to expired access token"}"#,
    );
    assert!(matches!(e, EasemobError::ExpiredToken { .. }), "{e:?}");
    assert_eq!(e.code(), None, "the body had no `error`");
    let e = EasemobError::from_response(
        401,
        br#"{"error":"","error_description":"Unable to authenticate due to expired access token"}"#,
    );
    assert!(matches!(e, EasemobError::ExpiredToken { .. }), "an empty error counts as none: {e:?}");
}

#[test]
fn undeclared_status_is_alerted_and_not_retried() {
    let e = EasemobError::from_response(418, b"teapot");
    assert_eq!(e.status(), 418);
    assert_eq!(e.retry(), RetryPolicy::Never);
    assert!(e.should_alert());
    assert_eq!(e.cause(), None);
    assert_eq!(e.to_string(), "418 (undeclared status) (no error body; 6 bytes)");
    let e = EasemobError::from_response(418, br#"{"error":"x","error_description":"y"}"#);
    assert!(matches!(e, EasemobError::Unknown(_)), "{e:?}");
    assert_eq!((e.status(), e.code()), (418, Some("x")));
}

#[test]
fn a_success_given_to_from_response_is_status_only() {
    // Easemob answers errors with non-2xx statuses only: a 200 is a success, whatever
    // its body says, and keeps its body.
    let body = br#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#;
    let e = EasemobError::from_response(200, body);
    assert!(matches!(&e, EasemobError::Status(s) if s.body() == body), "{e:?}");
    assert_eq!(EasemobError::classify(200, body), None);
}

#[test]
fn broken_bodies_never_panic_and_keep_the_bytes() {
    let cases: Vec<&[u8]> = vec![
        b"{",
        b"{\"error\":\"reach_limit\"",
        b"\xff\xfe",
        b"{\"error\":\"reach_limit\",\"error_description\":\"This request has reached api limit\"}garbage",
        b"{\"error\":\"\\ud800\",\"error_description\":\"x\"}",
        b"\0",
        b"   ",
    ];
    for body in cases {
        let e = EasemobError::from_response(429, body);
        assert!(matches!(&e, EasemobError::Status(s) if s.body() == body), "{e:?}");
    }
}

#[test]
fn huge_bodies_are_classified_by_status_and_kept_truncated() {
    let mut body =
        br#"{"error":"reach_limit","error_description":"This request has reached api limit","pad":""#
            .to_vec();
    body.resize(MAX_BODY_LEN + 10, b'a');
    body.extend_from_slice(b"\"}");
    let e = EasemobError::from_response(429, &body);
    let EasemobError::Status(s) = &e else { panic!("{e:?}") };
    assert!(s.is_truncated());
    assert_eq!(s.body().len(), MAX_BODY_LEN);
    assert_eq!(s.body_len(), body.len());
    assert_eq!(s.body(), &body[..MAX_BODY_LEN]);
}

#[test]
fn deep_nesting_is_bounded() {
    let deep = format!("{{\"a\":{}}}", "[".repeat(200_000));
    let e = EasemobError::from_response(400, deep.as_bytes());
    assert!(matches!(e, EasemobError::Status(_)));
    let ok = format!(
        "{{\"a\":{}1{},\"error\":\"reach_limit\",\"error_description\":\"This request has reached api limit\"}}",
        "[".repeat(100),
        "]".repeat(100)
    );
    assert!(matches!(EasemobError::from_response(429, ok.as_bytes()), EasemobError::ReachLimit { .. }));
}
