//! The whole documented catalog: every row of Easemob's public error tables
//! (`tests/fixtures/official-errors.tsv`, realistic values in place of the docs'
//! placeholders) is a known error, with its status, its text verbatim and its values
//! captured; and `CATALOG.md` is what the spec generates.

use easemob_errors::{EasemobError, catalog_markdown};
use easemob_errors_tests::{bodies, fields_json, official_rows as cases};

#[test]
fn the_fixture_covers_every_documented_row() {
    let cases = cases();
    // 308 rows of the public tables (overview rows excluded) and the 19 seed rows.
    assert_eq!(cases.len(), 327);
    assert_eq!(cases.iter().filter(|c| c.variant.is_empty()).count(), 0);
}

#[test]
fn every_documented_row_is_a_known_error_with_its_values() {
    let mut failures = Vec::new();
    for case in cases() {
        for body in bodies(case.error.as_deref(), &case.description) {
            let e = EasemobError::from_response(case.status, &body);
            let got =
                (e.variant_name(), e.is_known(), e.status(), e.code(), e.description().map(str::to_owned));
            let want = (
                case.variant.as_str(),
                true,
                case.status,
                case.error.as_deref(),
                Some(case.description.clone()),
            );
            if got != want || fields_json(&e) != case.fields {
                failures.push(format!(
                    "line {}: got {got:?} {}, want {want:?} {}",
                    case.line,
                    fields_json(&e),
                    case.fields
                ));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{} rows misclassified:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_entry_has_causes_and_remedies_in_both_languages() {
    for entry in EasemobError::catalog() {
        for text in [entry.cause(), entry.remedy()] {
            assert!(!text.trim().is_empty(), "{}", entry.variant());
        }
        for text in [entry.cause_zh(), entry.remedy_zh(), entry.cause_in("zh")] {
            assert!(
                text.is_some_and(|t| !t.is_ascii()),
                "{}: Chinese text expected, got {text:?}",
                entry.variant()
            );
        }
        assert_eq!(entry.languages(), ["en", "zh"]);
        assert_eq!(entry.cause_in("en"), Some(entry.cause()));
        assert_eq!(entry.cause_in("fr"), None);
    }
    assert_eq!(EasemobError::languages(), ["en", "zh"]);
}

#[test]
fn policies_follow_what_errors_mean() {
    use easemob_errors::RetryPolicy;
    let by_variant = |name: &str| {
        EasemobError::catalog().iter().find(|e| e.variant() == name).unwrap_or_else(|| panic!("no {name}"))
    };
    let policy = |status: u16, error: &str, description: &str| {
        let body = serde_json::json!({"error": error, "error_description": description}).to_string();
        let e = EasemobError::from_response(status, body.as_bytes());
        assert!(e.is_known(), "{e:?}");
        (e.retry(), e.should_alert())
    };
    assert!(matches!(
        policy(403, "message_send_error", "message send reach limit").0,
        RetryPolicy::Backoff(_)
    ));
    assert_eq!(
        policy(401, "group_authorization", "this token is bad, or has expired!").0,
        RetryPolicy::RefreshToken
    );
    assert_eq!(
        policy(401, "expired_token", "Unable to authenticate due to expired access token").0,
        RetryPolicy::RefreshToken
    );
    assert_eq!(
        policy(
            429,
            "resource_limited",
            "You have exceeded the limit of the Free edition. Please upgrade to higher edition."
        ),
        (RetryPolicy::Never, true)
    );
    assert!(matches!(
        policy(409, "concurrent_operation_error", "The message has been edited by another.").0,
        RetryPolicy::Backoff(_)
    ));
    assert_eq!(
        policy(401, "unauthorized", "Subject does not have permission [applications:post:1a2b:/users]").0,
        RetryPolicy::Never
    );
    assert_eq!(by_variant("ReachLimit").retry().action(), "backoff");
    for status in [405, 409, 415] {
        assert!(EasemobError::info_for_status(status).is_some(), "status {status} declared");
    }
}

#[test]
fn catalog_md_is_generated_from_the_spec() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/CATALOG.md");
    let expected = format!(
        "# Easemob REST error catalog\n\n\
         Generated from `spec/easemob.toml` and `spec/easemob/` (the same tables as `explain --catalog`);\n\
         do not edit by hand. Refresh: `UPDATE_CATALOG=1 cargo test --test catalog`.\n\n{}",
        catalog_markdown(EasemobError::statuses(), EasemobError::catalog())
    );
    if std::env::var_os("UPDATE_CATALOG").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    if actual != expected {
        let diff = similar::TextDiff::from_lines(&actual, &expected);
        panic!(
            "CATALOG.md is stale (- file, + spec): run `UPDATE_CATALOG=1 cargo test --test catalog`\n{}",
            diff.unified_diff().context_radius(2)
        );
    }
}
