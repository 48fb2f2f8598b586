//! The macro is not Easemob-specific: a crate that depends only on `easemob-errors`
//! generates the same surface for its own API, and the generated code is clean under
//! `deny(warnings, missing_docs)` and (through CI's clippy run) `clippy::pedantic`.
#![deny(warnings, missing_docs)]
#![warn(clippy::pedantic)]

/// The imaginary Shop API's errors.
pub mod shop {
    easemob_errors::include_errors!("tests/specs/shop.toml");
}

use easemob_errors::RetryPolicy;
use shop::ShopError;

#[test]
fn typed_fields_from_the_other_api() {
    let e = ShopError::from_response(
        409,
        br#"{"error":"out_of_stock","error_description":"sku A-1: requested 5, available 2"}"#,
    );
    assert_eq!(e, ShopError::OutOfStock { sku: "A-1".into(), requested: 5, available: 2 });
    assert_eq!(e.to_string(), "409 out_of_stock: sku A-1: requested 5, available 2");
    assert_eq!(e.retry(), RetryPolicy::Never);

    let e = ShopError::from_response(
        404,
        br#"{"error":"order_not_found","error_description":"order 42 does not exist"}"#,
    );
    assert_eq!(e, ShopError::OrderNotFound { order_id: 42 });
}

#[test]
fn lists_and_catch_alls() {
    let e = ShopError::from_response(
        409,
        br#"{"error":"items_unavailable","error_description":"items [a, b, c] are no longer sold"}"#,
    );
    assert_eq!(e, ShopError::ItemsUnavailable { skus: vec!["a".into(), "b".into(), "c".into()] });
    let e = ShopError::from_response(
        400,
        br#"{"error":"invalid_request","error_description":"email is malformed"}"#,
    );
    assert_eq!(e, ShopError::InvalidRequest { description: "email is malformed".into() });
    assert_eq!(e.description().as_deref(), Some("email is malformed"));
}

#[test]
fn its_own_policies_and_literal_braces() {
    let e = ShopError::from_response(503, br#"{"error_description":"try again {later}"}"#);
    assert_eq!(e, ShopError::Overloaded);
    let RetryPolicy::Backoff(b) = e.retry() else { panic!("{e:?}") };
    assert_eq!((b.attempts(), b.max_delay().as_secs()), (6, 60));
    assert!(e.should_alert());
    let RetryPolicy::Backoff(b) = ShopError::CartLocked.retry() else { panic!("409 backs off") };
    assert_eq!((b.attempts(), b.base_delay().as_millis()), (4, 200), "[defaults] numbers");
    assert_eq!(ShopError::catalog().len(), 6);
    assert_eq!(
        ShopError::statuses().iter().map(easemob_errors::StatusInfo::status).collect::<Vec<_>>(),
        [400, 404, 409, 503]
    );
}

#[test]
fn unknown_errors_of_the_other_api_keep_everything() {
    let body = br#"{"error":"coupon_expired","error_description":"coupon X expired"}"#;
    let e = ShopError::from_response(400, body);
    let ShopError::Unknown(u) = &e else { panic!("{e:?}") };
    assert_eq!(
        (u.status(), u.code(), u.description(), u.body()),
        (400, Some("coupon_expired"), Some("coupon X expired"), &body[..])
    );
}

#[test]
fn debug_clone_and_eq_behave_as_derived() {
    let e = ShopError::OutOfStock { sku: "A \"1\"".into(), requested: 5, available: 2 };
    assert_eq!(format!("{e:?}"), r#"OutOfStock { sku: "A \"1\"", requested: 5, available: 2 }"#);
    assert_eq!(
        format!("{e:#?}"),
        "OutOfStock {\n    sku: \"A \\\"1\\\"\",\n    requested: 5,\n    available: 2,\n}"
    );
    assert_eq!(format!("{:?}", ShopError::CartLocked), "CartLocked");
    let items = ShopError::ItemsUnavailable { skus: vec!["a".into(), "b".into()] };
    assert_eq!(format!("{items:?}"), r#"ItemsUnavailable { skus: ["a", "b"] }"#);
    let status = ShopError::from_response(502, b"<html>");
    assert!(format!("{status:?}").starts_with("Status(StatusOnly { status: 502"), "{status:?}");
    let unknown = ShopError::from_response(400, br#"{"error":"new","error_description":"d"}"#);
    assert!(format!("{unknown:?}").starts_with("Unknown(UnknownError {"), "{unknown:?}");

    for value in [e, items, ShopError::CartLocked, ShopError::OrderNotFound { order_id: 7 }, status, unknown]
    {
        assert_eq!(value.clone(), value);
    }
    assert_ne!(ShopError::OrderNotFound { order_id: 7 }, ShopError::OrderNotFound { order_id: 8 });
    assert_ne!(ShopError::CartLocked, ShopError::Overloaded);
    let a = ShopError::from_response(502, b"a");
    assert_ne!(a, ShopError::from_response(502, b"b"));
    assert_ne!(a, ShopError::from_response(503, b"a"));
}
