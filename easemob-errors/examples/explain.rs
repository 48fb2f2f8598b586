//! `explain`: what an Easemob REST error means, and what to do about it.
//!
//! ```text
//! explain STATUS [BODY|-]          human-readable
//! explain --json STATUS [BODY|-]   one JSON object
//! explain --catalog                the whole catalog as Markdown
//!
//! options for a retry decision:
//!   --attempt N              the N-th attempt (1 = the first) just failed with this answer
//!   --header 'Name: value'   a response header (repeatable; Retry-After is honoured)
//!   --method M               the request's method (default GET; POST is not idempotent)
//! ```
//!
//! `BODY` is the response body as a string; `-` reads raw bytes from stdin; no body means
//! status only. Any body, however broken, exits 0; a usage error exits 2. With `--attempt`
//! or `--header`, the JSON `retry` object also has `decision` (`retry`, `refresh_token`,
//! `split_body`, `give_up`) and `delay_ms` (null when giving up; the backoff's cap, since
//! full jitter draws uniformly below it).

use std::io::Read as _;
use std::process::ExitCode;

use std::time::{Duration, SystemTime};

use easemob_errors::retry::{Decision, Retrier, RetryConfig, parse_retry_after};
use easemob_errors::{EasemobError, FieldValue, RetryPolicy, catalog_markdown};
use serde_json::{Map, Value, json};

const USAGE: &str = "usage: explain [--json] [--attempt N] [--header 'Name: value']... [--method M] STATUS [BODY|-]\n       explain --catalog";

struct Args {
    json: bool,
    catalog: bool,
    status: Option<u16>,
    body: Option<String>,
    attempt: Option<u32>,
    headers: Vec<(String, String)>,
    method: String,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        json: false,
        catalog: false,
        status: None,
        body: None,
        attempt: None,
        headers: Vec::new(),
        method: "GET".into(),
    };
    let mut positional = Vec::new();
    let mut only_positional = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--attempt" if !only_positional => {
                let v = value("--attempt")?;
                match v.parse::<u32>() {
                    Ok(n) if n >= 1 => parsed.attempt = Some(n),
                    _ => return Err(format!("--attempt takes a number from 1, got `{v}`")),
                }
            }
            "--header" if !only_positional => {
                let v = value("--header")?;
                let (name, val) =
                    v.split_once(':').ok_or(format!("--header takes `Name: value`, got `{v}`"))?;
                parsed.headers.push((name.trim().to_owned(), val.trim().to_owned()));
            }
            "--method" if !only_positional => parsed.method = value("--method")?.to_ascii_uppercase(),
            "--json" if !only_positional => parsed.json = true,
            "--catalog" if !only_positional => parsed.catalog = true,
            "-h" | "--help" if !only_positional => return Err(String::new()),
            "--" if !only_positional => only_positional = true,
            s if !only_positional && s.starts_with("--") => return Err(format!("unknown option `{s}`")),
            _ => positional.push(arg),
        }
    }
    if parsed.catalog {
        return if positional.is_empty() { Ok(parsed) } else { Err("--catalog takes no arguments".into()) };
    }
    let mut positional = positional.into_iter();
    let status = positional.next().ok_or("missing STATUS")?;
    parsed.status = Some(
        status
            .parse::<u16>()
            .map_err(|_| format!("STATUS must be a number from 0 to 65535, got `{status}`"))?,
    );
    parsed.body = positional.next();
    if let Some(extra) = positional.next() {
        return Err(format!("unexpected argument `{extra}` (quote the body as one argument)"));
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            if message.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("explain: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.catalog {
        print!("{}", catalog_markdown(EasemobError::statuses(), EasemobError::catalog()));
        return ExitCode::SUCCESS;
    }
    let body = match args.body.as_deref() {
        None => Vec::new(),
        Some("-") => {
            let mut buf = Vec::new();
            if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
                eprintln!("explain: cannot read the body from stdin: {e}");
                return ExitCode::from(2);
            }
            buf
        }
        Some(text) => text.as_bytes().to_vec(),
    };
    let err = EasemobError::from_response(args.status.unwrap_or_default(), &body);
    let decision = (args.attempt.is_some() || !args.headers.is_empty()).then(|| decide(&err, &args));
    if args.json {
        let mut out = to_json(&err);
        if let (Some(d), Some(retry)) = (decision, out.get_mut("retry").and_then(Value::as_object_mut)) {
            retry.insert("decision".into(), json!(d.name()));
            retry.insert("delay_ms".into(), json!(d.delay().map(|d| d.as_millis())));
            if let Decision::GiveUp { alert } = d {
                retry.insert("alert".into(), json!(alert));
            }
        }
        println!("{out}");
    } else {
        print!("{}", human(&err));
        if EasemobError::classify(err.status(), &body).is_none() {
            println!("{:<9}a success under Easemob's rule (errors come with non-2xx statuses)", "note");
        }
        if let Some(d) = decision {
            let what = match d {
                Decision::Retry { after } => format!("retry after {} ms", after.as_millis()),
                Decision::GiveUp { alert: true } => "give up, and alert".into(),
                Decision::GiveUp { alert: false } => "give up".into(),
                other => other.name().replace('_', " "),
            };
            println!("{:<9}{what} (attempt {} failed)", "decision", args.attempt.unwrap_or(1));
        }
    }
    ExitCode::SUCCESS
}

/// The retry engine's decision after attempt N failed with `err` (each earlier attempt
/// having failed the same way), with the jitter at its cap so the answer is repeatable.
fn decide(err: &EasemobError, args: &Args) -> Decision {
    let retry_after = args
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, value)| parse_retry_after(value, SystemTime::now()));
    let idempotent = matches!(args.method.as_str(), "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE");
    let mut retrier = Retrier::new(RetryConfig::default(), idempotent).with_jitter(|cap| cap);
    let mut decision = Decision::GiveUp { alert: err.should_alert() };
    for _ in 0..args.attempt.unwrap_or(1) {
        decision = retrier.decide(err, retry_after, Duration::ZERO);
    }
    decision
}

fn field_json(v: FieldValue<'_>) -> Value {
    match v {
        FieldValue::U64(n) => json!(n),
        FieldValue::List(items) => json!(items),
        other => json!(other.to_string()),
    }
}

fn retry_json(p: RetryPolicy) -> Value {
    let mut retry = Map::new();
    retry.insert("action".into(), json!(p.action()));
    if let Some(b) = p.backoff() {
        retry.insert("attempts".into(), json!(b.attempts()));
        retry.insert("base_ms".into(), json!(b.base_delay().as_millis()));
        retry.insert("max_ms".into(), json!(b.max_delay().as_millis()));
    }
    if p == RetryPolicy::RefreshToken {
        retry.insert("attempts".into(), json!(2));
    }
    Value::Object(retry)
}

fn to_json(err: &EasemobError) -> Value {
    let fields: Map<String, Value> = err.fields().map(|(k, v)| (k.to_owned(), field_json(v))).collect();
    let mut out = json!({
        "variant": err.variant_name(),
        "known": err.is_known(),
        "status": err.status(),
        "error": err.code(),
        "description": err.description(),
        "fields": fields,
        "retry": retry_json(err.retry()),
        "alert": err.should_alert(),
        "display": err.to_string(),
        "cause": err.cause(),
        "cause_zh": err.cause_zh(),
        "remedy": err.remedy(),
        "remedy_zh": err.remedy_zh(),
    });
    if let (EasemobError::Status(s), Some(obj)) = (err, out.as_object_mut()) {
        obj.insert("body_len".into(), json!(s.body_len()));
        obj.insert("truncated".into(), json!(s.is_truncated()));
    }
    out
}

fn human(err: &EasemobError) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        // CJK labels are two columns wide per character.
        let width: usize = label.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        out.push_str(&format!("{label}{}{value}\n", " ".repeat(9usize.saturating_sub(width))));
    };
    line("error", &err.to_string());
    line(
        "variant",
        &format!("{}{}", err.variant_name(), if err.is_known() { "" } else { " (not in the catalog)" }),
    );
    for (name, value) in err.fields() {
        line("field", &format!("{name} = {value}"));
    }
    if let Some(c) = err.cause() {
        line("cause", c);
    }
    if let Some(c) = err.cause_zh() {
        line("原因", c);
    }
    if let Some(r) = err.remedy() {
        line("remedy", r);
    }
    if let Some(r) = err.remedy_zh() {
        line("处理", r);
    }
    line("retry", &err.retry().to_string());
    line("alert", if err.should_alert() { "yes: log it and alert the operators" } else { "no" });
    out
}
