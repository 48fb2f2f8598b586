//! Any status and any bytes: `from_response` never panics, keeps the status, and agrees
//! with serde_json (as `Value`, the strictest reading) on what the body says; a 2xx answer
//! is a success, status-only.
#![no_main]

use easemob_errors::{EasemobError, MAX_BODY_LEN};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((head, body)) = data.split_at_checked(2) else { return };
    let status = u16::from_le_bytes([head[0], head[1]]);
    let e = EasemobError::from_response(status, body);
    assert_eq!(e.status(), status);
    let line = e.to_string();
    assert!(!line.contains('\n'), "Display is one line: {line:?}");

    let oracle = if body.len() > MAX_BODY_LEN { None } else { serde_json::from_slice::<Value>(body).ok() };
    let fields = oracle.as_ref().and_then(Value::as_object).map(|map| {
        // An empty `error` counts as none.
        let error = map.get("error").and_then(Value::as_str).filter(|e| !e.is_empty());
        (error, map.get("error_description").and_then(Value::as_str))
    });
    // Easemob's answers are errors only with non-2xx statuses; a success given to
    // `from_response` anyway is status-only, and `classify` says it is no error.
    if (200..300).contains(&status) {
        assert!(matches!(e, EasemobError::Status(_)), "{e:?} from a success");
        assert_eq!(EasemobError::classify(status, body), None);
        return;
    }
    match fields {
        // serde_json rejects the body (or it is too large to read): nothing may be invented.
        None => assert!(matches!(e, EasemobError::Status(_)), "{e:?} from a body serde_json rejects"),
        Some((None, None)) => assert!(matches!(e, EasemobError::Status(_)), "{e:?}"),
        Some((error, description)) => match &e {
            EasemobError::Unknown(u) => {
                assert_eq!(u.code(), error);
                assert_eq!(u.description(), description);
                assert_eq!(u.body(), body);
            }
            EasemobError::Status(_) => panic!("an error body classified as status-only: {e:?}"),
            known => {
                assert_eq!(known.code(), error);
                assert_eq!(known.description(), description, "the server's words are kept");
            }
        },
    }
});
