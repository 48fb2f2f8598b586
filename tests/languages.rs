//! Causes, remedies and meanings come in the languages a spec declares: the first by
//! `cause()`/`remedy()`, any by `cause_in`/`remedy_in`; `cause_zh()` is `cause_in("zh")`.

mod kiosk {
    easemob_errors::include_errors!("tests/specs/languages.toml");
}
mod google {
    easemob_errors::include_errors!("spec/examples/google.toml");
}

use google::GoogleError;
use kiosk::KioskError;

#[test]
fn a_second_language_other_than_chinese() {
    assert_eq!(KioskError::languages(), ["en", "ja"]);
    let e = KioskError::from_response(
        404,
        br#"{"error":"item_not_found","error_description":"item 7 not found"}"#,
    );
    assert!(matches!(&e, KioskError::ItemNotFound { id, .. } if id == "7"), "{e:?}");
    assert_eq!(e.cause(), Some("The item id is unknown."));
    assert_eq!(e.cause_in("en"), e.cause());
    assert_eq!(e.cause_in("ja"), Some("項目IDが存在しません。"));
    assert_eq!((e.remedy(), e.remedy_in("ja")), (Some("Check the id."), Some("IDを確認してください。")));
    assert_eq!((e.cause_zh(), e.remedy_zh(), e.cause_in("fr")), (None, None, None));
    // Without an error body, the status's meaning stands for the cause.
    let s = KioskError::from_response(404, b"");
    assert_eq!((s.cause(), s.cause_in("ja")), (Some("No such item."), Some("該当する項目がありません。")));
}

#[test]
fn an_english_only_api_has_no_other_texts() {
    assert_eq!(GoogleError::languages(), ["en"]);
    let e = GoogleError::from_response(404, br#"{"error":{"code":404,"message":"x","status":"NOT_FOUND"}}"#);
    assert!(e.is_known(), "{e:?}");
    assert!(e.cause().is_some_and(|c| !c.is_empty()));
    assert_eq!(e.cause_in("en"), e.cause());
    assert_eq!((e.cause_zh(), e.remedy_zh(), e.remedy_in("zh")), (None, None, None));
}
