//! Every seed row of the reference table, classified from realistic bodies.

use easemob_errors::{EasemobError, RetryPolicy, Text};
use easemob_errors_tests::bodies;

struct Row {
    status: u16,
    error: Option<&'static str>,
    description: &'static str,
    expected: EasemobError,
    retry: &'static str,
    alert: bool,
}

fn rows() -> Vec<Row> {
    use EasemobError::*;
    let row = |status,
               error: Option<&'static str>,
               description,
               expected: fn(Text) -> EasemobError,
               retry,
               alert| {
        // The server's words, as a body with (or without) `error` gives them.
        let text =
            if error.is_some() { Text::new(description) } else { Text::new(description).without_code() };
        Row { status, error, description, expected: expected(text), retry, alert }
    };
    vec![
        row(
            400,
            Some("invalid_grant"),
            "invalid username or password",
            |text| InvalidGrant { text },
            "never",
            false,
        ),
        row(
            400,
            Some("organization_application_not_found"),
            "Could not find application for easemob-demo/aachatdemoui from URI: easemob-demo/aachatdemoui/users",
            |text| OrganizationApplicationNotFound {
                org: String::from("easemob-demo"),
                app: String::from("aachatdemoui"),
                uri: String::from("easemob-demo/aachatdemoui/users"),
                text,
            },
            "never",
            false,
        ),
        row(
            400,
            Some("illegal_argument"),
            "Entity user requires a property named username",
            |text| MissingUsername { text },
            "never",
            false,
        ),
        row(
            400,
            Some("illegal_argument"),
            "password or pin must provided",
            |text| MissingPassword { text },
            "never",
            false,
        ),
        row(
            400,
            Some("json_parse"),
            "Unexpected character ('=' (code 61)): was expecting a colon to separate field name and value\n at [Source: java.io.BufferedInputStream@170e3f35; line: 1, column: 23]",
            |text| JsonParse {
                detail: String::from(
                    "Unexpected character ('=' (code 61)): was expecting a colon to separate field name and value",
                ),
                source: String::from("java.io.BufferedInputStream@170e3f35"),
                line: 1,
                column: 23,
                text,
            },
            "never",
            false,
        ),
        row(
            400,
            Some("duplicate_unique_property_exists"),
            "Application 4d7e4ba0-dc4a-11e3-90d5-e1ffbaacdaf5Entity user requires that property named username be unique, value of dddd exists",
            |text| DuplicateUsername {
                application_id: String::from("4d7e4ba0-dc4a-11e3-90d5-e1ffbaacdaf5"),
                username: String::from("dddd"),
                text,
            },
            "never",
            false,
        ),
        row(
            400,
            Some("illegal_argument"),
            "newpassword is required",
            |text| MissingNewPassword { text },
            "never",
            false,
        ),
        row(
            400,
            Some("illegal_argument"),
            "group member username1 doesn't exist",
            |text| GroupMemberNotFound { username: String::from("username1"), text },
            "never",
            false,
        ),
        row(
            401,
            Some("unauthorized"),
            "registration is not open, please contact the app admin",
            |text| RegistrationNotOpen { text },
            "never",
            false,
        ),
        row(
            401,
            Some("auth_bad_access_token"),
            "Unable to authenticate due to corrupt access token",
            |text| CorruptAccessToken { text },
            "refresh_token",
            false,
        ),
        row(
            401,
            Some("auth_bad_access_token"),
            "Unable to authenticate",
            |text| UnrecognizedAccessToken { text },
            "refresh_token",
            true,
        ),
        row(
            401,
            None,
            "Unable to authenticate due to expired access token",
            |text| ExpiredToken { text },
            "refresh_token",
            false,
        ),
        row(
            404,
            Some("service_resource_not_found"),
            "Service resource not found",
            |text| ServiceResourceNotFound { text },
            "never",
            false,
        ),
        row(
            413,
            Some("Request Entity Too Large"),
            "Request Entity Too Large",
            |text| RequestEntityTooLarge { text },
            "split_body",
            false,
        ),
        row(
            429,
            Some("reach_limit"),
            "This request has reached api limit",
            |text| ReachLimit { text },
            "backoff",
            false,
        ),
        row(
            500,
            Some("no_full_text_index"),
            "Entity 'user' with property named 'username' is not full text indexed. You cannot use the 'contains' operand on this field",
            |text| NoFullTextIndex { entity: String::from("user"), property: String::from("username"), text },
            "never",
            true,
        ),
        row(
            500,
            Some("unsupported_service_operation"),
            "Service operation not supported",
            |text| UnsupportedServiceOperation { text },
            "never",
            true,
        ),
        row(
            500,
            Some("web_application"),
            "javax.ws.rs.WebApplicationException",
            |text| WebApplication { text },
            "never",
            true,
        ),
    ]
}

#[test]
fn every_seed_row_is_classified_from_every_body_shape() {
    for row in rows() {
        for body in bodies(row.error, row.description) {
            let got = EasemobError::from_response(row.status, &body);
            assert_eq!(got, row.expected, "body {}", String::from_utf8_lossy(&body));
        }
    }
}

#[test]
fn seed_rows_keep_status_code_and_description_verbatim() {
    for row in rows() {
        let e = &row.expected;
        assert!(e.is_known(), "{e:?}");
        assert_eq!(e.status(), row.status);
        assert_eq!(e.code(), row.error);
        assert_eq!(e.description(), Some(row.description), "{e:?}");
    }
}

#[test]
fn seed_rows_have_their_retry_policy_and_alert_flag() {
    for row in rows() {
        assert_eq!(row.expected.retry().action(), row.retry, "{:?}", row.expected);
        assert_eq!(row.expected.should_alert(), row.alert, "{:?}", row.expected);
    }
}

#[test]
fn seed_rows_explain_themselves_in_english_and_chinese() {
    for row in rows() {
        let e = &row.expected;
        for text in [e.cause(), e.cause_zh(), e.remedy(), e.remedy_zh()] {
            assert!(text.is_some_and(|t| !t.trim().is_empty()), "{e:?}");
        }
        assert!(e.cause_zh().is_some_and(|t| !t.is_ascii()), "{e:?}: Chinese cause");
    }
}

#[test]
fn display_is_one_line_with_status_code_and_server_text() {
    let limit = EasemobError::ReachLimit { text: "This request has reached api limit".into() };
    assert_eq!(limit.to_string(), "429 reach_limit: This request has reached api limit");
    let expired = EasemobError::from_response(
        401,
        br#"{"error_description":"Unable to authenticate due to expired access token"}"#,
    );
    assert_eq!(expired.to_string(), "401: Unable to authenticate due to expired access token");
    let e = EasemobError::GroupMemberNotFound {
        username: "bob".into(),
        text: "group member bob doesn't exist".into(),
    };
    assert_eq!(e.to_string(), "400 illegal_argument: group member bob doesn't exist");
    for row in rows() {
        assert!(!row.expected.to_string().contains('\n'), "{}", row.expected);
    }
}

#[test]
fn captured_values_are_typed_fields() {
    let body = br#"{"error":"json_parse","error_description":"Unexpected end-of-input\n at [Source: x; line: 11, column: 2]"}"#;
    let EasemobError::JsonParse { line, column, .. } = EasemobError::from_response(400, body) else {
        panic!("not JsonParse")
    };
    assert_eq!((line, column), (11, 2));
    let e = EasemobError::GroupMemberNotFound {
        username: "bob".into(),
        text: "group member bob doesn't exist".into(),
    };
    let fields: Vec<(&str, String)> = e.fields().map(|(k, v)| (k, v.to_string())).collect();
    assert_eq!(fields, [("username", "bob".to_owned())]);
}

#[test]
fn a_number_that_does_not_parse_loses_nothing() {
    // `line` is a u64 placeholder; "one" is not a number, so no form matches and the
    // error lands on its code's catch-all, kept whole.
    let desc = "Unexpected x\n at [Source: x; line: one, column: 2]";
    let body = format!(
        "{{\"error\":\"json_parse\",\"error_description\":{}}}",
        easemob_errors_tests::json_str(desc)
    );
    let e = EasemobError::from_response(400, body.as_bytes());
    assert!(matches!(e, EasemobError::InvalidJson { .. }), "{e:?}");
    assert_eq!(e.description(), Some(desc));
}

#[test]
fn the_same_error_string_is_told_apart_by_description() {
    let a = EasemobError::from_response(
        401,
        br#"{"error":"auth_bad_access_token","error_description":"Unable to authenticate"}"#,
    );
    let b = EasemobError::from_response(
        401,
        br#"{"error":"auth_bad_access_token","error_description":"Unable to authenticate due to corrupt access token"}"#,
    );
    assert!(matches!(a, EasemobError::UnrecognizedAccessToken { .. }), "{a:?}");
    assert!(matches!(b, EasemobError::CorruptAccessToken { .. }), "{b:?}");
}

#[test]
fn retry_policies_carry_their_numbers() {
    let t = || Text::no_description();
    let RetryPolicy::Backoff(b) = EasemobError::ReachLimit { text: t() }.retry() else {
        panic!("429 backs off")
    };
    assert_eq!((b.attempts(), b.base_delay().as_millis(), b.max_delay().as_millis()), (5, 1000, 30_000));
    assert_eq!(EasemobError::RequestEntityTooLarge { text: t() }.retry(), RetryPolicy::SplitBody);
    assert_eq!(EasemobError::InvalidGrant { text: t() }.retry(), RetryPolicy::Never);
    assert!(!EasemobError::InvalidGrant { text: t() }.retry().is_retryable());
}

#[test]
fn typed_values_find_their_split_when_the_leftmost_one_does_not_parse() {
    // The parser's `source` itself contains "; line: 2": the leftmost split would give
    // `line` = `2"; line: 1`, which is not a number; the other split is right.
    let desc = "Unexpected character\n at [Source: (String)\"a; line: 2\"; line: 1, column: 5]";
    let body = format!(
        "{{\"error\":\"json_parse\",\"error_description\":{}}}",
        easemob_errors_tests::json_str(desc)
    );
    let e = EasemobError::from_response(400, body.as_bytes());
    assert_eq!(
        e,
        EasemobError::JsonParse {
            detail: "Unexpected character".into(),
            source: "(String)\"a; line: 2\"".into(),
            line: 1,
            column: 5,
            text: desc.to_owned().into(),
        }
    );
    assert_eq!(e.description(), Some(desc));
}
