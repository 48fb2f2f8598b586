//! A larger synthetic spec (302 entries): every entry classifies, views, clones and
//! round-trips through serde, and the generated code is clean under
//! `deny(warnings, missing_docs)` and pedantic clippy like any generated code.
#![deny(warnings, missing_docs)]
#![warn(clippy::pedantic)]

/// 302 synthetic errors.
pub mod many {
    easemob_errors::include_errors!("tests/specs/many.toml");
}

use many::BigError;

/// The description of `entry` with sample values in its placeholders (any text for a
/// catch-all).
fn sample(entry: &easemob_errors::CatalogEntry) -> String {
    let Some(t) = entry.templates().first() else { return format!("any wording for {}", entry.variant()) };
    let mut out = String::new();
    for (i, lit) in t.literals().iter().enumerate() {
        if let Some(p) = i.checked_sub(1).and_then(|i| t.placeholders().get(i)) {
            out.push_str(if p.kind() == easemob_errors::PlaceholderKind::U64 { "42" } else { "x-1" });
        }
        out.push_str(lit);
    }
    out
}

#[test]
fn every_entry_classifies_views_and_clones() {
    assert_eq!(BigError::catalog().len(), 302);
    for entry in BigError::catalog() {
        let body = serde_json::json!({ "error": entry.code(), "error_description": sample(entry) });
        let e = BigError::from_response(entry.status(), &serde_json::to_vec(&body).unwrap());
        assert_eq!(e.variant_name(), entry.variant(), "{e:?}");
        assert_eq!(e.catalog_entry(), Some(entry));
        assert_eq!(e.description(), Some(sample(entry).as_str()));
        assert_eq!(e.clone(), e);
        assert!(format!("{e:?}").starts_with(entry.variant()));
        let back: BigError = serde_json::from_slice(&serde_json::to_vec(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }
}

#[test]
fn variants_at_the_end_of_the_catalog_are_typed() {
    let e = BigError::from_response(
        404,
        br#"{"error":"error_code_29","error_description":"entity a in group 7 failed check 179"}"#,
    );
    let text = || easemob_errors::Text::new("entity a in group 7 failed check 179");
    assert_eq!(e, BigError::Error179 { name: "a".into(), group_id: 7, text: text() });
    assert_ne!(e, BigError::Error179 { name: "a".into(), group_id: 8, text: text() });
}

#[test]
fn placeholders_may_be_named_like_the_generated_code_s_own_names() {
    let e = BigError::from_response(
        400,
        br#"{"error":"shadowing","error_description":"table t, values 3, index i, e x, parts [a, b]"}"#,
    );
    let expected = BigError::Shadowing {
        table: "t".into(),
        values: 3,
        index: "i".into(),
        e: "x".into(),
        parts: vec!["a".into(), "b".into()],
        text: "table t, values 3, index i, e x, parts [a, b]".into(),
    };
    assert_eq!(e, expected);
    assert_eq!(e.clone().description(), Some("table t, values 3, index i, e x, parts [a, b]"));
    let fields: Vec<String> = e.fields().map(|(name, value)| format!("{name}={value}")).collect();
    assert_eq!(fields, ["table=t", "values=3", "index=i", "e=x", "parts=a, b"]);
}
