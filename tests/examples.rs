//! The nine example specs of `spec/examples/`, each compiled in its own module of one
//! crate (as a user's crate would), classifying the bodies their docs print
//! (`tests/fixtures/examples/<name>.toml`, the source noted per case): errors told from
//! successes, the code read where the API puts it, and most of them known entries.

use toml::de::{DeTable, DeValue};

/// The `TencentImError` example.
pub mod tencent_im {
    easemob_errors::include_errors!("spec/examples/tencent_im.toml");
}

/// The `RongCloudError` example.
pub mod rongcloud {
    easemob_errors::include_errors!("spec/examples/rongcloud.toml");
}

/// The `NeteaseImError` example.
pub mod netease_im {
    easemob_errors::include_errors!("spec/examples/netease_im.toml");
}

/// The `WechatError` example.
pub mod wechat {
    easemob_errors::include_errors!("spec/examples/wechat.toml");
}

/// The `SlackError` example.
pub mod slack {
    easemob_errors::include_errors!("spec/examples/slack.toml");
}

/// The `StripeError` example.
pub mod stripe {
    easemob_errors::include_errors!("spec/examples/stripe.toml");
}

/// The `GithubError` example.
pub mod github {
    easemob_errors::include_errors!("spec/examples/github.toml");
}

/// The `GoogleError` example.
pub mod google {
    easemob_errors::include_errors!("spec/examples/google.toml");
}

/// The `ProblemDetailsError` example.
pub mod problem_details {
    easemob_errors::include_errors!("spec/examples/problem_details.toml");
}

/// What a fixture case expects.
struct Case {
    line: String,
    status: u16,
    body: String,
    success: bool,
    variant: Option<String>,
    known: bool,
    code: Option<String>,
}

fn cases(name: &str) -> Vec<Case> {
    let path = format!("{}/tests/fixtures/examples/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let table = DeTable::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}")).into_inner();
    let Some(DeValue::Array(items)) = table.get("case").map(|v| v.get_ref()) else {
        panic!("{path}: no [[case]]")
    };
    items
        .iter()
        .map(|item| {
            let t = item.get_ref().as_table().unwrap_or_else(|| panic!("{path}: a case is not a table"));
            let str_of = |k: &str| t.get(k).and_then(|v| v.get_ref().as_str()).map(str::to_owned);
            let bool_of = |k: &str| t.get(k).and_then(|v| v.get_ref().as_bool());
            let status =
                t.get("status").and_then(|v| v.get_ref().as_integer()).map(|n| n.as_str().parse::<u16>());
            Case {
                line: format!("{name} ({})", str_of("source").unwrap_or_default()),
                status: status
                    .and_then(Result::ok)
                    .unwrap_or_else(|| panic!("{path}: a case without status")),
                body: str_of("body").unwrap_or_default(),
                success: bool_of("success").unwrap_or(false),
                variant: str_of("variant"),
                known: bool_of("known").unwrap_or(true),
                code: str_of("code"),
            }
        })
        .collect()
}

/// What one example API's fixtures give: (cases, errors, errors known).
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    cases: usize,
    errors: usize,
    known: usize,
}

macro_rules! check {
    ($module:ident, $name:ident) => {{
        use $module::$name;
        let mut tally = Tally::default();
        let mut problems = Vec::new();
        for case in cases(stringify!($module)) {
            tally.cases += 1;
            let got = $name::classify(case.status, case.body.as_bytes());
            if case.success {
                if let Some(e) = got {
                    problems.push(format!("{}: a success read as {e:?}", case.line));
                }
                // Given a success anyway, `from_response` gives the status-only variant.
                let forced = $name::from_response(case.status, case.body.as_bytes());
                if !matches!(forced, $name::Status(_)) {
                    problems.push(format!("{}: from_response of a success gave {forced:?}", case.line));
                }
                continue;
            }
            let Some(e) = got else {
                problems.push(format!("{}: an error read as a success", case.line));
                continue;
            };
            tally.errors += 1;
            tally.known += usize::from(e.is_known());
            if e.code() != case.code.as_deref() {
                problems.push(format!("{}: code {:?}, want {:?}", case.line, e.code(), case.code));
            }
            match &case.variant {
                Some(v) if e.variant_name() != v => {
                    problems.push(format!("{}: {} , want {v}", case.line, e.variant_name()))
                }
                None if case.known != e.is_known() => {
                    problems.push(format!("{}: known {}, want {}", case.line, e.is_known(), case.known))
                }
                _ => {}
            }
            // `from_response` stays total: the same error for a caller who knows it failed.
            assert_eq!($name::from_response(case.status, case.body.as_bytes()), e);
            // Serialized in the API's own shape, it reads back the same (an unknown error
            // keeps status, code and message through it, not its raw body).
            let json = serde_json::to_vec(&e).unwrap_or_default();
            let again = $name::from_response(e.status(), &json);
            let back: $name =
                serde_json::from_slice(&json).unwrap_or_else(|err| panic!("{}: {err}", case.line));
            for other in [&again, &back] {
                let same = (other.status(), other.code(), other.description())
                    == (e.status(), e.code(), e.description());
                assert!(
                    same && (!e.is_known() || *other == e),
                    "{}: {other:?} from {}",
                    case.line,
                    String::from_utf8_lossy(&json)
                );
            }
        }
        assert!(problems.is_empty(), "{}:\n{}", stringify!($module), problems.join("\n"));
        assert!(
            tally.cases >= 5 && tally.errors > 0 && tally.errors < tally.cases,
            "{}: {tally:?}",
            stringify!($module)
        );
        assert!($name::catalog().len() >= 20, "{}: {} entries", stringify!($module), $name::catalog().len());
        assert_eq!($name::languages(), ["en"]);
        tally
    }};
}

#[test]
fn every_example_tells_errors_from_successes_and_reads_their_codes() {
    let tallies = [
        check!(tencent_im, TencentImError),
        check!(rongcloud, RongCloudError),
        check!(netease_im, NeteaseImError),
        check!(wechat, WechatError),
        check!(slack, SlackError),
        check!(stripe, StripeError),
        check!(github, GithubError),
        check!(google, GoogleError),
        check!(problem_details, ProblemDetailsError),
    ];
    let (errors, known) = tallies.iter().fold((0, 0), |(e, k), t| (e + t.errors, k + t.known));
    println!("{known} of {errors} example error bodies are known catalog entries");
    assert!(known * 4 >= errors * 3, "only {known} of {errors} example error bodies are known");
}

#[test]
fn body_hints_reach_the_generated_type() {
    use google::GoogleError;
    use std::time::Duration;
    let body = br#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[
        {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"},
        {"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED"}]}}"#;
    let e = GoogleError::from_response(429, body);
    assert_eq!(e.code(), Some("RATE_LIMIT_EXCEEDED"));
    assert_eq!(e.retry_delay(), Some(std::time::Duration::from_millis(1500)));
    assert_eq!(easemob_errors::retry::Failure::retry_delay_hint(&e), e.retry_delay());
    // The retry engine waits it, as it waits a `Retry-After` (none in the headers here).
    let mut retrier =
        easemob_errors::retry::Retrier::new(Default::default(), true).with_jitter(|_| Duration::ZERO);
    let decision = retrier.decide(&e, None, Duration::ZERO);
    assert_eq!(decision, easemob_errors::retry::Decision::Retry { after: Duration::from_millis(1500) });
    // Without an ErrorInfo, the code is the canonical status.
    let e = GoogleError::from_response(404, br#"{"error":{"code":404,"message":"x","status":"NOT_FOUND"}}"#);
    assert_eq!(e.code(), Some("NOT_FOUND"));
    assert_eq!(
        <stripe::StripeError as easemob_errors::retry::FromResponse>::should_retry_header(),
        Some("Stripe-Should-Retry")
    );
}

#[test]
fn integer_codes_and_prefixes() {
    use wechat::WechatError;
    let body = br#"{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest rid: 5f36d1e3-1b3ce3a5"}"#;
    let e = WechatError::classify(200, body).expect("an error answered with 200");
    assert_eq!((e.variant_name(), e.code()), ("InvalidCredential", Some("40001")));
    let message = "invalid credential, access_token is invalid or not latest rid: 5f36d1e3-1b3ce3a5";
    assert_eq!(e.description(), Some(message), "the rest of the message is kept");
    assert!(WechatError::classify(200, br#"{"errcode":0,"errmsg":"ok"}"#).is_none());
    assert!(
        WechatError::classify(200, br#"{"access_token":"x","expires_in":7200}"#).is_none(),
        "errcode absent"
    );
    // A code the spec has never seen keeps its number as text.
    let e = WechatError::from_response(200, br#"{"errcode":99999,"errmsg":"new"}"#);
    assert_eq!((e.is_known(), e.code()), (false, Some("99999")));
}

/// Causes, remedies and meanings come in the languages a spec declares: the first by
/// `cause()`/`remedy()`, any by `cause_in`/`remedy_in`; `cause_zh()` is `cause_in("zh")`.
/// A spec whose second language is Japanese:
mod kiosk {
    easemob_errors::include_errors!("tests/specs/languages.toml");
}

#[test]
fn a_second_language_other_than_chinese() {
    assert_eq!(kiosk::KioskError::languages(), ["en", "ja"]);
    let e = kiosk::KioskError::from_response(
        404,
        br#"{"error":"item_not_found","error_description":"item 7 not found"}"#,
    );
    assert!(matches!(&e, kiosk::KioskError::ItemNotFound { id, .. } if id == "7"), "{e:?}");
    assert_eq!(e.cause(), Some("The item id is unknown."));
    assert_eq!(e.cause_in("en"), e.cause());
    assert_eq!(e.cause_in("ja"), Some("項目IDが存在しません。"));
    assert_eq!((e.remedy(), e.remedy_in("ja")), (Some("Check the id."), Some("IDを確認してください。")));
    assert_eq!((e.cause_zh(), e.remedy_zh(), e.cause_in("fr")), (None, None, None));
    // Without an error body, the status's meaning stands for the cause.
    let s = kiosk::KioskError::from_response(404, b"");
    assert_eq!((s.cause(), s.cause_in("ja")), (Some("No such item."), Some("該当する項目がありません。")));
}

#[test]
fn an_english_only_api_has_no_other_texts() {
    assert_eq!(google::GoogleError::languages(), ["en"]);
    let e = google::GoogleError::from_response(
        404,
        br#"{"error":{"code":404,"message":"x","status":"NOT_FOUND"}}"#,
    );
    assert!(e.is_known(), "{e:?}");
    assert!(e.cause().is_some_and(|c| !c.is_empty()));
    assert_eq!(e.cause_in("en"), e.cause());
    assert_eq!((e.cause_zh(), e.remedy_zh(), e.remedy_in("zh")), (None, None, None));
}
