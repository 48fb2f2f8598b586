//! In a group of one (status, `error`), the first template that matches in spec order
//! wins, and the catch-all comes last, as the spec's reader expects.

mod lookup {
    easemob_errors::include_errors!("tests/specs/lookup.toml");
}

use lookup::LookupError;

fn classify(description: &str) -> LookupError {
    let body = serde_json::json!({ "error": "forbidden", "error_description": description });
    LookupError::from_response(403, &serde_json::to_vec(&body).unwrap())
}

#[test]
fn the_first_match_in_spec_order_wins_across_first_bytes() {
    let t = |text: &'static str| easemob_errors::Text::new(text);
    // `{account} is banned` (a placeholder first) comes before `guest {action}`.
    assert_eq!(
        classify("guest x is banned"),
        LookupError::Banned { account: "guest x".into(), text: t("guest x is banned") }
    );
    // `guest {action}` comes before `{action} is not allowed`.
    assert_eq!(
        classify("guest x is not allowed"),
        LookupError::Guest { action: "x is not allowed".into(), text: t("guest x is not allowed") }
    );
    assert_eq!(
        classify("x is not allowed"),
        LookupError::NotAllowed { action: "x".into(), text: t("x is not allowed") }
    );
    assert_eq!(classify("guest"), LookupError::Other { text: t("guest") });
    assert_eq!(classify("gone"), LookupError::Gone { text: t("gone") });
    assert_eq!(
        classify("Gone!"),
        LookupError::Gone { text: t("Gone!") },
        "closing punctuation and case do not count"
    );
    assert_eq!(classify("gone?"), LookupError::Other { text: t("gone?") });
    assert_eq!(classify(""), LookupError::Other { text: t("") });
    assert_eq!(classify(" is banned"), LookupError::Banned { account: String::new(), text: t(" is banned") });
}
