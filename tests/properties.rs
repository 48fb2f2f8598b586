//! Properties over arbitrary values: round trips of every catalog entry, one-line
//! Display, and unknown errors kept byte for byte.

use easemob_errors::{CatalogEntry, EasemobError, PlaceholderKind};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Values of the classes that break naive code: unicode, quotes, backslashes, braces,
/// empty, control characters, very long.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z0-9_]{1,12}",
        "\\PC{0,24}",
        "[\"\\\\{}\\[\\]/:,. \\n\\t\u{0}\u{7f}é中😀]{0,16}",
        "[a-z]{1,4}".prop_map(|s| s.repeat(2000)),
    ]
}

/// The literals of every entry with the same status and `error` as `entry`: a value
/// containing one could legitimately be read differently (leftmost matching).
fn literals_near(entry: &CatalogEntry) -> Vec<&'static str> {
    EasemobError::catalog()
        .iter()
        .filter(|e| e.status() == entry.status() && e.code() == entry.code())
        .flat_map(|e| e.templates().iter().flat_map(|t| t.literals().iter().copied()))
        .filter(|l| !l.is_empty())
        .collect()
}

fn render(entry: &CatalogEntry, values: &[String]) -> Option<String> {
    let t = entry.templates().first()?;
    let mut out = String::new();
    for (i, lit) in t.literals().iter().enumerate() {
        if i > 0 {
            let p = t.placeholders().get(i - 1)?;
            let v = values.get(i - 1)?;
            match p.kind() {
                PlaceholderKind::U64 => out.push_str(&(v.len() as u64 * 7919).to_string()),
                PlaceholderKind::List if v.is_empty() => {}
                PlaceholderKind::List => out.push_str(&format!("{v}, {v}x")),
                _ => out.push_str(v),
            }
        }
        out.push_str(lit);
    }
    Some(out)
}

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    #[test]
    fn every_entry_round_trips_with_arbitrary_values(
        index in 0..EasemobError::catalog().len(),
        values in proptest::collection::vec(value(), 8),
    ) {
        let entry = &EasemobError::catalog()[index];
        prop_assume!(!entry.is_catch_all());
        let near = literals_near(entry);
        prop_assume!(values.iter().all(|v| near.iter().all(|l| !v.to_lowercase().contains(&l.to_lowercase()))));
        let description = render(entry, &values).unwrap();
        // The text may read as another entry of the same group (values are arbitrary);
        // whatever it reads as, it is known, keeps the text, and round-trips.
        let mut body = serde_json::Map::new();
        if let Some(code) = entry.code() {
            body.insert("error".into(), code.into());
        }
        body.insert("error_description".into(), description.clone().into());
        let bytes = serde_json::to_vec(&body).unwrap();
        let e = EasemobError::from_response(entry.status(), &bytes);
        prop_assert!(e.is_known(), "{e:?}");
        prop_assert_eq!(e.description(), Some(description.as_str()));
        let again = EasemobError::from_response(e.status(), &serde_json::to_vec(&e).unwrap());
        prop_assert_eq!(&again, &e);
        let back: EasemobError = serde_json::from_slice(&serde_json::to_vec(&e).unwrap()).unwrap();
        prop_assert_eq!(back, e);
    }

    #[test]
    fn any_text_under_a_catalog_pair_is_a_known_error(index in 0..EasemobError::catalog().len(), description in value()) {
        let entry = &EasemobError::catalog()[index];
        let Some(code) = entry.code() else { return Ok(()) };
        let body = serde_json::json!({"error": code, "error_description": description}).to_string();
        let e = EasemobError::from_response(entry.status(), body.as_bytes());
        prop_assert!(e.is_known(), "{e:?}");
        prop_assert_eq!(e.code(), Some(code));
        prop_assert_eq!(e.description(), Some(description.as_str()));
    }

    #[test]
    fn display_is_one_line_for_any_answer(status in any::<u16>(), error in value(), description in value()) {
        let body = serde_json::json!({"error": error, "error_description": description}).to_string();
        for e in [EasemobError::from_response(status, body.as_bytes()), EasemobError::from_response(status, description.as_bytes())] {
            let line = e.to_string();
            prop_assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
            prop_assert!(line.starts_with(&status.to_string()), "{line:?}");
        }
    }

    #[test]
    fn unknown_errors_keep_everything_byte_for_byte(
        status in 400u16..600,
        error in "zz_[a-z_]{0,12}",
        description in value(),
        extra in value(),
    ) {
        let body = serde_json::json!({"timestamp": 1, "error": error, "x": extra, "error_description": description}).to_string();
        let e = EasemobError::from_response(status, body.as_bytes());
        let EasemobError::Unknown(u) = &e else { return Err(TestCaseError::fail(format!("{e:?}"))) };
        prop_assert_eq!(u.status(), status);
        prop_assert_eq!(u.code(), Some(error.as_str()));
        prop_assert_eq!(u.description(), Some(description.as_str()));
        prop_assert_eq!(u.body(), body.as_bytes());
    }

    #[test]
    fn any_bytes_classify_without_losing_the_status(status in any::<u16>(), body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let e = EasemobError::from_response(status, &body);
        prop_assert_eq!(e.status(), status);
        if let EasemobError::Status(s) = &e {
            prop_assert_eq!(s.body(), &body[..]);
        }
    }
}
