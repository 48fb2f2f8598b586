//! Classification cost, side by side: `from_response` against the floor (serde_json
//! merely validating the body) and against what users write by hand today
//! (`serde_json::Value` plus string matching).
//!
//! `cargo bench -p easemob-errors --bench classify` runs the criterion groups, then
//! prints the medians of interleaved rounds and the ratios the project aims for:
//! `from_response / floor <= 3` and `by hand / from_response >= 2`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use easemob_errors::EasemobError;
use serde_json::Value;

/// Realistic bodies: every seed row in the server's full shape, an unknown error,
/// an OAuth-style two-field body and an HTML 502 page.
fn corpus() -> Vec<(u16, Vec<u8>)> {
    let full = |error: Option<&str>, desc: &str| {
        let e =
            error.map(|e| format!("\"error\":{},", serde_json::to_string(e).unwrap())).unwrap_or_default();
        format!(
            "{{{e}\"exception\":\"org.apache.usergrid.rest.exceptions.SomeException\",\"timestamp\":1542350000000,\"duration\":0,\"error_description\":{}}}",
            serde_json::to_string(desc).unwrap()
        )
        .into_bytes()
    };
    let mut c = vec![
        (400, full(Some("invalid_grant"), "invalid username or password")),
        (
            400,
            full(
                Some("organization_application_not_found"),
                "Could not find application for easemob-demo/aachatdemoui from URI: easemob-demo/aachatdemoui/users",
            ),
        ),
        (400, full(Some("illegal_argument"), "Entity user requires a property named username")),
        (400, full(Some("illegal_argument"), "password or pin must provided")),
        (
            400,
            full(
                Some("json_parse"),
                "Unexpected character ('=' (code 61)): was expecting a colon to separate field name and value\n at [Source: java.io.BufferedInputStream@170e3f35; line: 1, column: 23]",
            ),
        ),
        (
            400,
            full(
                Some("duplicate_unique_property_exists"),
                "Application 4d7e4ba0-dc4a-11e3-90d5-e1ffbaacdaf5Entity user requires that property named username be unique, value of dddd exists",
            ),
        ),
        (400, full(Some("illegal_argument"), "newpassword is required")),
        (400, full(Some("illegal_argument"), "group member username1 doesn't exist")),
        (401, full(Some("unauthorized"), "registration is not open, please contact the app admin")),
        (401, full(Some("auth_bad_access_token"), "Unable to authenticate due to corrupt access token")),
        (401, full(Some("auth_bad_access_token"), "Unable to authenticate")),
        (401, full(None, "Unable to authenticate due to expired access token")),
        (404, full(Some("service_resource_not_found"), "Service resource not found")),
        (413, full(Some("Request Entity Too Large"), "Request Entity Too Large")),
        (429, full(Some("reach_limit"), "This request has reached api limit")),
        (
            500,
            full(
                Some("no_full_text_index"),
                "Entity 'user' with property named 'username' is not full text indexed. You cannot use the 'contains' operand on this field",
            ),
        ),
        (500, full(Some("unsupported_service_operation"), "Service operation not supported")),
        (500, full(Some("web_application"), "javax.ws.rs.WebApplicationException")),
        (403, full(Some("forbidden_op"), "users [alice, bob] are not members of this group!")),
        (400, full(Some("brand_new_error"), "Something the catalog does not know")),
        (400, br#"{"error":"invalid_grant","error_description":"invalid username or password"}"#.to_vec()),
    ];
    c.push((502, b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n".to_vec()));
    c
}

/// What users write by hand today: parse to `Value`, then match strings.
fn by_hand(status: u16, body: &[u8]) -> (u16, &'static str, Option<String>) {
    let Ok(v) = serde_json::from_slice::<Value>(body) else { return (status, "status", None) };
    let error = v.get("error").and_then(Value::as_str);
    let desc = v.get("error_description").and_then(Value::as_str).unwrap_or("");
    let kind = match (status, error, desc) {
        (400, Some("invalid_grant"), "invalid username or password") => "InvalidGrant",
        (400, Some("organization_application_not_found"), d)
            if d.starts_with("Could not find application for ") =>
        {
            return (status, "OrganizationApplicationNotFound", Some(d.to_owned()));
        }
        (400, Some("illegal_argument"), "Entity user requires a property named username") => {
            "MissingUsername"
        }
        (400, Some("illegal_argument"), "password or pin must provided") => "MissingPassword",
        (400, Some("json_parse"), d) => return (status, "JsonParse", Some(d.to_owned())),
        (400, Some("duplicate_unique_property_exists"), d) => {
            return (status, "DuplicateUsername", Some(d.to_owned()));
        }
        (400, Some("illegal_argument"), "newpassword is required") => "MissingNewPassword",
        (400, Some("illegal_argument"), d)
            if d.starts_with("group member ") && d.ends_with(" doesn't exist") =>
        {
            return (
                status,
                "GroupMemberNotFound",
                Some(d["group member ".len()..d.len() - " doesn't exist".len()].to_owned()),
            );
        }
        (401, Some("unauthorized"), "registration is not open, please contact the app admin") => {
            "RegistrationNotOpen"
        }
        (401, Some("auth_bad_access_token"), "Unable to authenticate due to corrupt access token") => {
            "CorruptAccessToken"
        }
        (401, Some("auth_bad_access_token"), "Unable to authenticate") => "UnrecognizedAccessToken",
        (401, None, "Unable to authenticate due to expired access token") => "ExpiredToken",
        (404, Some("service_resource_not_found"), _) => "ServiceResourceNotFound",
        (413, Some("Request Entity Too Large"), _) => "RequestEntityTooLarge",
        (429, Some("reach_limit"), _) => "ReachLimit",
        (500, Some("no_full_text_index"), d) => return (status, "NoFullTextIndex", Some(d.to_owned())),
        (500, Some("unsupported_service_operation"), _) => "UnsupportedServiceOperation",
        (500, Some("web_application"), _) => "WebApplication",
        (_, Some(e), d) => return (status, "Unknown", Some(format!("{e}: {d}"))),
        _ => "Status",
    };
    (status, kind, None)
}

/// The least any classifier that reads the body with serde_json pays: a visitor that
/// borrows `error` and `error_description` and skips every other value with
/// `IgnoredAny` (no lookup, no values kept).
mod reference {
    use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
    use std::borrow::Cow;
    use std::fmt;

    pub struct TwoFields<'a> {
        pub error: Option<Str<'a>>,
        pub description: Option<Str<'a>>,
    }

    /// A string, borrowed from the body unless it holds escapes.
    pub struct Str<'a>(pub Cow<'a, str>);

    impl<'de: 'a, 'a> de::Deserialize<'de> for Str<'a> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_str(StrVisitor)
        }
    }

    struct StrVisitor;

    impl<'de> Visitor<'de> for StrVisitor {
        type Value = Str<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Str<'de>, E> {
            Ok(Str(Cow::Borrowed(s)))
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Str<'de>, E> {
            Ok(Str(Cow::Owned(s.to_owned())))
        }
    }

    impl<'de: 'a, 'a> de::Deserialize<'de> for TwoFields<'a> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_map(TwoFieldsVisitor)
        }
    }

    struct TwoFieldsVisitor;

    impl<'de> Visitor<'de> for TwoFieldsVisitor {
        type Value = TwoFields<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an error body")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TwoFields<'de>, A::Error> {
            let mut read = TwoFields { error: None, description: None };
            while let Some(key) = map.next_key::<Str<'_>>()? {
                match key.0.as_ref() {
                    "error" => read.error = map.next_value()?,
                    "error_description" => read.description = map.next_value()?,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(read)
        }
    }
}

fn read_two_fields(body: &[u8]) -> bool {
    serde_json::from_slice::<reference::TwoFields<'_>>(body)
        .is_ok_and(|t| t.error.is_some() || t.description.is_some())
}

fn floor(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

fn criterion_groups(c: &mut Criterion, corpus: &[(u16, Vec<u8>)]) {
    let bytes: usize = corpus.iter().map(|(_, b)| b.len()).sum();
    let mut g = c.benchmark_group("classify corpus");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("floor: serde_json IgnoredAny", |b| {
        b.iter(|| corpus.iter().filter(|(_, body)| floor(black_box(body))).count())
    });
    g.bench_function("from_response", |b| {
        b.iter(|| {
            for (s, body) in corpus {
                black_box(EasemobError::from_response(*s, black_box(body)));
            }
        });
    });
    g.bench_function("by hand: Value + string match", |b| {
        b.iter(|| {
            for (s, body) in corpus {
                black_box(by_hand(*s, black_box(body)));
            }
        });
    });
    g.finish();
}

/// Per round of the interleaved loop: nanoseconds per body of each contender (floor,
/// ours, hand, and reading alone).
type Round = [f64; 4];

/// Every round's nanoseconds per body of each contender, the four measured one after the
/// other in each round (so that drift in machine load hits them alike).
fn interleaved(corpus: &[(u16, Vec<u8>)], rounds: usize, reps: usize) -> Vec<Round> {
    let mut all = Vec::with_capacity(rounds);
    let per_body = |t: std::time::Duration| t.as_nanos() as f64 / (reps * corpus.len()) as f64;
    for _ in 0..rounds {
        let mut round = [0.0; 4];
        let t = Instant::now();
        for _ in 0..reps {
            for (_, body) in corpus {
                black_box(floor(black_box(body)));
            }
        }
        round[0] = per_body(t.elapsed());
        let t = Instant::now();
        for _ in 0..reps {
            for (s, body) in corpus {
                black_box(EasemobError::from_response(*s, black_box(body)));
            }
        }
        round[1] = per_body(t.elapsed());
        let t = Instant::now();
        for _ in 0..reps {
            for (s, body) in corpus {
                black_box(by_hand(*s, black_box(body)));
            }
        }
        round[2] = per_body(t.elapsed());
        let t = Instant::now();
        for _ in 0..reps {
            for (_, body) in corpus {
                black_box(read_two_fields(black_box(body)));
            }
        }
        round[3] = per_body(t.elapsed());
        all.push(round);
    }
    all
}

/// The lower quartile, median and upper quartile of `values`.
fn quartiles(mut values: Vec<f64>) -> [f64; 3] {
    values.sort_by(f64::total_cmp);
    let at = |q: usize| values.get(values.len().saturating_sub(1) * q / 4).copied().unwrap_or(f64::NAN);
    [at(1), at(2), at(3)]
}

/// Per body: median nanoseconds of the floor and of `from_response` over interleaved rounds.
fn by_body(corpus: &[(u16, Vec<u8>)], rounds: usize, reps: u32) -> Vec<(f64, f64)> {
    let time = |f: &dyn Fn()| {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        t.elapsed().as_nanos() as f64 / f64::from(reps)
    };
    corpus
        .iter()
        .map(|(s, body)| {
            let (mut floors, mut ours) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                floors.push(time(&|| {
                    black_box(floor(black_box(body)));
                }));
                ours.push(time(&|| {
                    black_box(EasemobError::from_response(*s, black_box(body)));
                }));
            }
            (quartiles(floors)[1], quartiles(ours)[1])
        })
        .collect()
}

fn main() {
    let corpus = corpus();
    let mut c = Criterion::default().configure_from_args();
    criterion_groups(&mut c, &corpus);
    c.final_summary();

    // `cargo test --benches` runs this binary in test mode: keep that quick.
    let quick = std::env::args().any(|a| a == "--test");
    let (rounds, reps) = if quick { (3, 10) } else { (41, 2_000) };
    let all = interleaved(&corpus, rounds, reps);
    let median = |k: usize| quartiles(all.iter().map(|r| r[k]).collect())[1];
    let [floor_ns, ours_ns, hand_ns] = [median(0), median(1), median(2)];
    let spread = |a: usize, b: usize| quartiles(all.iter().map(|r| r[a] / r[b]).collect());
    println!("\nmedians of {rounds} interleaved rounds, {} bodies, ns per body:", corpus.len());
    println!("  floor  serde_json::from_slice::<IgnoredAny>  {floor_ns:8.1}");
    println!("  ours   EasemobError::from_response           {ours_ns:8.1}");
    println!("  hand   serde_json::Value + string matching   {hand_ns:8.1}");
    println!("ratios:");
    println!("  ours / floor = {:.2}  (budget <= 3)", ours_ns / floor_ns);
    println!("  hand / ours  = {:.2}  (budget >= 2)", hand_ns / ours_ns);
    // The same ratios taken round by round: how much they move within this run.
    let [a, m, b] = spread(1, 0);
    println!("  ours / floor, round by round: median {m:.2}, quartiles {a:.2} to {b:.2}");
    let [a, m, b] = spread(2, 1);
    println!("  hand / ours,  round by round: median {m:.2}, quartiles {a:.2} to {b:.2}");

    println!("\nby body (medians of {rounds} interleaved rounds, ns):");
    println!("  {:>7} {:>7} {:>6}  body", "floor", "ours", "ratio");
    for ((s, body), (f, o)) in corpus.iter().zip(by_body(&corpus, rounds, 500)) {
        let kind = match EasemobError::from_response(*s, body) {
            EasemobError::Status(_) => "status-only".to_owned(),
            EasemobError::Unknown(_) => "unknown".to_owned(),
            e if e.fields().next().is_some() => format!("{} (captures)", e.variant_name()),
            e => e.variant_name().to_owned(),
        };
        println!("  {f:7.1} {o:7.1} {:6.2}  {s} {kind}", o / f);
    }

    // For scale: reading alone, with the least a serde_json visitor does (see
    // `reference`; a lower bound: `IgnoredAny` checks no UTF-8 in the strings it skips).
    // Against `by hand`, a budget of `hand / ours >= 2` leaves `hand / 2 - this` per body
    // for everything after reading.
    let read_ns = median(3);
    println!("\nreading alone (a visitor that borrows two fields and skips the rest), ns per body:");
    println!(
        "  floor {floor_ns:.1}  reference reader {read_ns:.1}  reader / floor = {:.2}",
        read_ns / floor_ns
    );
    println!("  left per body after reading under hand / ours >= 2: {:.1}", hand_ns / 2.0 - read_ns);

    // The same bodies with a space before each key's colon: the same JSON, read the same
    // way (whitespace costs the reader what it costs the floor).
    let spaced: Vec<(u16, Vec<u8>)> = corpus
        .iter()
        .map(|(s, body)| (*s, String::from_utf8_lossy(body).replace("\":", "\" :").into_bytes()))
        .collect();
    let all = interleaved(&spaced, rounds, reps / 2);
    let median = |k: usize| quartiles(all.iter().map(|r| r[k]).collect())[1];
    println!("\nthe same bodies with a space before each key's colon:");
    println!("  floor {:.1}  ours {:.1}  ours / floor = {:.2}", median(0), median(1), median(1) / median(0));
}
