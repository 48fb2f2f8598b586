//! Serialize → from_response gives the same value, for every catalog entry.

use easemob_errors::{EasemobError, PlaceholderKind};

/// A body for entry `i`'s template, with sample values for its placeholders.
fn sample_description(template: &easemob_errors::Template, seed: usize) -> String {
    let mut out = String::new();
    for (i, lit) in template.literals().iter().enumerate() {
        if i > 0
            && let Some(p) = template.placeholders().get(i - 1)
        {
            out.push_str(&match p.kind() {
                PlaceholderKind::U64 => (seed * 31 + i).to_string(),
                PlaceholderKind::List => format!("user{seed}, user{i}"),
                _ => format!("val{seed}_{i}"),
            });
        }
        out.push_str(lit);
    }
    out
}

/// Every form of every entry, with sample values (a new wording for catch-alls).
fn every_entry() -> Vec<EasemobError> {
    let mut all = Vec::new();
    for (i, entry) in EasemobError::catalog().iter().enumerate() {
        let mut descriptions: Vec<String> =
            entry.templates().iter().map(|t| sample_description(t, i)).collect();
        if entry.is_catch_all() {
            descriptions.push(format!("a wording the catalog does not list ({i})"));
        }
        for desc in descriptions {
            let mut body = serde_json::Map::new();
            if let Some(code) = entry.code() {
                body.insert("error".into(), code.into());
            }
            body.insert("error_description".into(), desc.into());
            let bytes = serde_json::to_vec(&body).unwrap();
            let e = EasemobError::from_response(entry.status(), &bytes);
            assert_eq!(e.variant_name(), entry.variant(), "sample body {}", String::from_utf8_lossy(&bytes));
            all.push(e);
        }
    }
    all
}

#[test]
fn every_entry_round_trips_through_serialize_and_from_response() {
    for e in every_entry() {
        let json = serde_json::to_vec(&e).unwrap();
        assert_eq!(EasemobError::from_response(e.status(), &json), e, "{}", String::from_utf8_lossy(&json));
    }
}

#[test]
fn serialize_writes_the_error_body_shape_with_its_status() {
    let limit = EasemobError::ReachLimit { text: "This request has reached api limit".into() };
    let v = serde_json::to_value(&limit).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"status": 429, "error": "reach_limit", "error_description": "This request has reached api limit"})
    );
    // A body without `error` serializes without it, and reads back the same.
    let expired = EasemobError::ExpiredToken {
        text: easemob_errors::Text::new("Unable to authenticate due to expired access token").without_code(),
    };
    let v = serde_json::to_value(&expired).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"status": 401, "error_description": "Unable to authenticate due to expired access token"})
    );
    assert_eq!(serde_json::from_value::<EasemobError>(v).unwrap(), expired);
}

#[test]
fn deserialize_reads_the_body_with_or_without_status() {
    let e: EasemobError = serde_json::from_str(
        r#"{"error":"illegal_argument","exception":"x","error_description":"group member bob doesn't exist"}"#,
    )
    .unwrap();
    assert_eq!(
        e,
        EasemobError::GroupMemberNotFound {
            username: "bob".into(),
            text: "group member bob doesn't exist".into()
        }
    );
    let e: EasemobError =
        serde_json::from_str(r#"{"status":403,"error":"new_one","error_description":"what"}"#).unwrap();
    assert_eq!((e.status(), e.code(), e.is_known()), (403, Some("new_one"), false));
    let err = serde_json::from_str::<EasemobError>(r#"{"error":"new_one","error_description":"what"}"#)
        .unwrap_err();
    assert!(err.to_string().contains("no `status`"), "{err}");
    // The same text under two statuses (chat rooms answer 400, groups 403): ambiguous.
    let body = r#"{"error":"forbidden_op","error_description":"users [a] are not members of this group!"}"#;
    let err = serde_json::from_str::<EasemobError>(body).unwrap_err();
    assert!(err.to_string().contains("several statuses"), "{err}");
}

#[test]
fn every_entry_deserializes_from_its_serialization() {
    for e in every_entry() {
        let json = serde_json::to_string(&e).unwrap();
        let back: EasemobError = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e, "{json}");
    }
}
