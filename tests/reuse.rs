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
    assert_eq!(
        e,
        ShopError::OutOfStock {
            sku: "A-1".into(),
            requested: 5,
            available: 2,
            text: "sku A-1: requested 5, available 2".into()
        }
    );
    assert_eq!(e.to_string(), "409 out_of_stock: sku A-1: requested 5, available 2");
    assert_eq!(e.retry(), RetryPolicy::Never);

    let e = ShopError::from_response(
        404,
        br#"{"error":"order_not_found","error_description":"order 42 does not exist"}"#,
    );
    assert_eq!(e, ShopError::OrderNotFound { order_id: 42, text: "order 42 does not exist".into() });

    // A wording the spec does not list lands on the code's catch-all, its text kept.
    let e =
        ShopError::from_response(404, br#"{"error":"order_not_found","error_description":"no order #42"}"#);
    assert_eq!(e, ShopError::OrderMissing { text: "no order #42".into() });
    assert!(e.is_known());
}

#[test]
fn lists_and_catch_alls() {
    let e = ShopError::from_response(
        409,
        br#"{"error":"items_unavailable","error_description":"items [a, b, c] are no longer sold"}"#,
    );
    let ShopError::ItemsUnavailable { skus, .. } = &e else { panic!("{e:?}") };
    assert_eq!(skus, &["a", "b", "c"]);
    let e = ShopError::from_response(
        400,
        br#"{"error":"invalid_request","error_description":"email is malformed"}"#,
    );
    assert_eq!(e, ShopError::InvalidRequest { text: "email is malformed".into() });
    assert_eq!(e.description(), Some("email is malformed"));
}

#[test]
fn its_own_policies_and_literal_braces() {
    let e = ShopError::from_response(503, br#"{"error_description":"try again {later}"}"#);
    assert!(matches!(e, ShopError::Overloaded { .. }), "{e:?}");
    assert_eq!(e.code(), None);
    let RetryPolicy::Backoff(b) = e.retry() else { panic!("{e:?}") };
    assert_eq!((b.attempts(), b.max_delay().as_secs()), (6, 60));
    assert!(e.should_alert());
    let cart_locked = ShopError::from_response(
        409,
        br#"{"error":"cart_locked","error_description":"cart is being checked out"}"#,
    );
    let RetryPolicy::Backoff(b) = cart_locked.retry() else { panic!("409 backs off") };
    assert_eq!((b.attempts(), b.base_delay().as_millis()), (4, 200), "[defaults] numbers");
    assert_eq!(ShopError::catalog().len(), 9);
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
fn one_meaning_has_several_forms_also_without_error() {
    for body in [
        &br#"{"error":"cart_locked","error_description":"cart is being checked out"}"#[..],
        br#"{"error":"cart_locked","error_description":"Checkout of the cart in progress."}"#,
        br#"{"error_description":"cart is being checked out"}"#,
    ] {
        let e = ShopError::from_response(409, body);
        assert!(matches!(e, ShopError::CartLocked { .. }), "{e:?}");
    }
    let e = ShopError::from_response(409, br#"{"error_description":"cart is being checked out"}"#);
    assert_eq!(e.code(), None, "the body had no `error`");
    assert_eq!(e.catalog_entry().and_then(easemob_errors::CatalogEntry::code), Some("cart_locked"));
    assert_eq!(e.to_string(), "409: cart is being checked out");
}

#[test]
fn debug_clone_and_eq_behave_as_derived() {
    let e = ShopError::OutOfStock { sku: "A \"1\"".into(), requested: 5, available: 2, text: "t".into() };
    assert_eq!(
        format!("{e:?}"),
        r#"OutOfStock { sku: "A \"1\"", requested: 5, available: 2, text: Text("t") }"#
    );
    assert_eq!(
        format!("{e:#?}"),
        "OutOfStock {\n    sku: \"A \\\"1\\\"\",\n    requested: 5,\n    available: 2,\n    text: Text(\n        \"t\",\n    ),\n}"
    );
    let cart = ShopError::CartLocked { text: easemob_errors::Text::new("c").without_code() };
    assert_eq!(format!("{cart:?}"), r#"CartLocked { text: Text("c", without code) }"#);
    let items = ShopError::ItemsUnavailable { skus: vec!["a".into(), "b".into()], text: "i".into() };
    assert_eq!(format!("{items:?}"), r#"ItemsUnavailable { skus: ["a", "b"], text: Text("i") }"#);
    let status = ShopError::from_response(502, b"<html>");
    assert!(format!("{status:?}").starts_with("Status(StatusOnly { status: 502"), "{status:?}");
    let unknown = ShopError::from_response(400, br#"{"error":"new","error_description":"d"}"#);
    assert!(format!("{unknown:?}").starts_with("Unknown(UnknownError {"), "{unknown:?}");

    let order = |id, text: &'static str| ShopError::OrderNotFound { order_id: id, text: text.into() };
    for value in [e, items, cart, order(7, "o"), status, unknown] {
        assert_eq!(value.clone(), value);
    }
    assert_ne!(order(7, "o"), order(8, "o"));
    assert_ne!(order(7, "o"), order(7, "O"), "the server's words are part of the value");
    let a = ShopError::from_response(502, b"a");
    assert_ne!(a, ShopError::from_response(502, b"b"));
    assert_ne!(a, ShopError::from_response(503, b"a"));
}
