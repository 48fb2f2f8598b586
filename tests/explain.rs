//! The `explain` example: the project's main job, as a user runs it.

use easemob_errors_tests::explain;
use serde_json::Value;

fn json(args: &[&str], stdin: &[u8]) -> Value {
    let out = explain(args, stdin);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.trim_end().lines().count(), 1, "exactly one JSON line: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn json_for_a_known_error_has_every_key() {
    let v = json(
        &[
            "--json",
            "429",
            r#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#,
        ],
        b"",
    );
    assert_eq!(v["variant"], "ReachLimit");
    assert_eq!(v["known"], true);
    assert_eq!(v["status"], 429);
    assert_eq!(v["error"], "reach_limit");
    assert_eq!(v["description"], "This request has reached api limit");
    assert_eq!(v["fields"], serde_json::json!({}));
    assert_eq!(v["retry"]["action"], "backoff");
    assert_eq!(v["retry"]["attempts"], 5);
    assert_eq!(v["alert"], false);
}

#[test]
fn json_carries_captured_fields_with_their_types() {
    let body = r#"{"error":"json_parse","error_description":"Unexpected character\n at [Source: s; line: 3, column: 7]"}"#;
    let v = json(&["--json", "400", body], b"");
    assert_eq!(v["variant"], "JsonParse");
    assert_eq!(v["fields"]["line"], 3);
    assert_eq!(v["fields"]["column"], 7);
    assert_eq!(v["fields"]["detail"], "Unexpected character");
    assert_eq!(v["description"], "Unexpected character\n at [Source: s; line: 3, column: 7]");
}

#[test]
fn json_reads_raw_bytes_from_stdin_and_survives_any_body() {
    let v = json(&["--json", "502", "-"], b"<html>\xff\xfe bad gateway</html>");
    assert_eq!(v["variant"], "Status");
    assert_eq!(v["known"], false);
    assert_eq!(v["error"], Value::Null);
    assert_eq!(v["description"], Value::Null);
    assert_eq!(v["alert"], true);
    let v = json(&["--json", "504"], b"");
    assert_eq!((v["variant"].as_str(), v["status"].as_u64()), (Some("Status"), Some(504)));
    let v = json(&["--json", "403", r#"{"error":"x_y","error_description":"new"}"#], b"");
    assert_eq!(
        (v["variant"].as_str(), v["error"].as_str(), v["description"].as_str()),
        (Some("Unknown"), Some("x_y"), Some("new"))
    );
}

#[test]
fn human_output_explains_cause_remedy_and_retry() {
    let out = explain(
        &["401", r#"{"error_description":"Unable to authenticate due to expired access token"}"#],
        b"",
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ExpiredToken"), "{text}");
    assert!(text.contains("401: Unable to authenticate due to expired access token"), "{text}");
    assert!(text.contains("app token 已过期"), "{text}");
    assert!(text.contains("refresh the app token"), "{text}");
    assert!(!text.contains("a success"), "{text}");
    let out = explain(&["200", r#"{"error":"reach_limit","error_description":"x"}"#], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("note     a success under Easemob's rule"), "a 2xx is no error: {text}");
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    for args in [&["abc"][..], &["--json"], &[], &["--bogus", "400"], &["400", "{}", "extra"], &["70000"]] {
        let out = explain(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn catalog_prints_every_entry_as_markdown() {
    let out = explain(&["--catalog"], b"");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for entry in easemob_errors::EasemobError::catalog() {
        assert!(
            text.contains(&format!("| `{}` | {} |", entry.variant(), entry.status())),
            "{}",
            entry.variant()
        );
    }
    assert!(text.contains("| 429 | Too Many Requests |"));
}

#[test]
fn attempt_and_headers_add_the_retry_decision() {
    let limit = r#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#;
    let v = json(&["--json", "--attempt", "2", "--header", "Retry-After: 7", "429", limit], b"");
    assert_eq!(v["retry"]["decision"], "retry");
    assert_eq!(v["retry"]["delay_ms"], 7000);
    let v = json(&["--json", "--attempt", "2", "429", limit], b"");
    assert_eq!(v["retry"]["delay_ms"], 2000, "the second retry's backoff cap");
    let v = json(&["--json", "--attempt", "5", "429", limit], b"");
    assert_eq!((v["retry"]["decision"].as_str(), &v["retry"]["delay_ms"]), (Some("give_up"), &Value::Null));
    let v = json(&["--json", "--attempt", "1", "--method", "POST", "502", "-"], b"<html>bad gateway</html>");
    assert_eq!(v["retry"]["decision"], "give_up", "no replay of a POST after an ambiguous failure");
    let v = json(
        &[
            "--json",
            "--attempt",
            "1",
            "401",
            r#"{"error_description":"Unable to authenticate due to expired access token"}"#,
        ],
        b"",
    );
    assert_eq!(
        (v["retry"]["decision"].as_str(), v["retry"]["delay_ms"].as_u64()),
        (Some("refresh_token"), Some(0))
    );
    let v = json(
        &[
            "--json",
            "--header",
            "Retry-After: 1",
            "413",
            r#"{"error":"Request Entity Too Large","error_description":"Request Entity Too Large"}"#,
        ],
        b"",
    );
    assert_eq!(v["retry"]["decision"], "split_body");
    let v = json(&["--json", "429", limit], b"");
    assert!(v["retry"].get("decision").is_none(), "only with --attempt or --header");
}

#[test]
fn bad_retry_flags_are_usage_errors() {
    for args in [
        &["--attempt", "0", "429"][..],
        &["--attempt", "x", "429"],
        &["--header", "NoColon", "429"],
        &["429", "--attempt"],
    ] {
        let out = explain(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

mod any_input {
    use super::*;
    use proptest::prelude::*;

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..300),
            ("\\PC{0,40}", "\\PC{0,80}").prop_map(|(e, d)| {
                serde_json::json!({"error": e, "error_description": d, "timestamp": 1})
                    .to_string()
                    .into_bytes()
            }),
        ]
    }

    proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 48, ..Default::default() })]

        #[test]
        fn explain_json_is_one_valid_object_for_any_answer(status in any::<u16>(), body in body()) {
            let v = json(&["--json", &status.to_string(), "-"], &body);
            prop_assert_eq!(v["status"].as_u64(), Some(u64::from(status)));
            for key in ["variant", "known", "error", "description", "fields", "retry", "alert"] {
                prop_assert!(v.get(key).is_some(), "{key} missing in {v}");
            }
        }
    }
}
