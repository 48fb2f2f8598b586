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
    // `{account} is banned` (a placeholder first) comes before `guest {action}`.
    assert_eq!(classify("guest x is banned"), LookupError::Banned { account: "guest x".into() });
    // `guest {action}` comes before `{action} is not allowed`.
    assert_eq!(classify("guest x is not allowed"), LookupError::Guest { action: "x is not allowed".into() });
    assert_eq!(classify("x is not allowed"), LookupError::NotAllowed { action: "x".into() });
    assert_eq!(classify("guest"), LookupError::Other { description: "guest".into() });
    assert_eq!(classify("gone"), LookupError::Gone);
    assert_eq!(classify("gone!"), LookupError::Other { description: "gone!".into() });
    assert_eq!(classify(""), LookupError::Other { description: String::new() });
    assert_eq!(classify(" is banned"), LookupError::Banned { account: String::new() });
}
