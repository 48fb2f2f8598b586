//! Checks a spec without compiling anything, and optionally which of a list of
//! responses it classifies.
//!
//! ```text
//! cargo run -p easemob-errors-impl --example check-spec -- spec/easemob.toml
//! cargo run -p easemob-errors-impl --example check-spec -- spec/easemob.toml --cases cases.tsv [--verbose]
//! ```
//!
//! `cases.tsv`: tab-separated `status`, `error` (empty for none), `description`
//! (`\n` written as the two characters `\` `n`), further columns ignored; a first line
//! starting with `status` is a header. Exits 1 when the spec is broken or a case is not
//! classified.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: check-spec SPEC [--cases FILE.tsv] [--verbose]");
        return ExitCode::from(2);
    };
    let verbose = args.iter().any(|a| a == "--verbose");
    let cases = args.iter().position(|a| a == "--cases").and_then(|i| args.get(i + 1));
    let sources = match easemob_errors_impl::source::read_sources(path, None) {
        Ok(s) => s,
        Err(d) => {
            eprintln!("error: {}", d.render(&[]));
            return ExitCode::from(1);
        }
    };
    let model = match easemob_errors_impl::check(sources) {
        Ok(model) => model,
        Err(easemob_errors_impl::Rejected { messages, .. }) => {
            for m in &messages {
                eprintln!("error: {m}\n");
            }
            eprintln!("{} problem(s)", messages.len());
            return ExitCode::from(1);
        }
    };
    println!("ok: {} statuses, {} entries", model.statuses.len(), model.entries.len());
    let Some(cases) = cases else { return ExitCode::SUCCESS };
    let text = match std::fs::read_to_string(cases) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {cases}: {e}");
            return ExitCode::from(2);
        }
    };
    let (mut ok, mut missed) = (0, 0);
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || (n == 0 && line.starts_with("status")) {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(status), Some(error), Some(desc)) = (cols.first(), cols.get(1), cols.get(2)) else {
            eprintln!("line {}: expected at least 3 tab-separated columns", n + 1);
            missed += 1;
            continue;
        };
        let Ok(status) = status.parse::<u16>() else {
            eprintln!("line {}: bad status {status:?}", n + 1);
            missed += 1;
            continue;
        };
        let desc = desc.replace("\\n", "\n");
        match model.classify(status, Some(error), &desc) {
            Some(e) => {
                ok += 1;
                if verbose {
                    let caps = e.templates.iter().find_map(|t| t.captures(&desc)).unwrap_or_default();
                    println!("line {}: {} {caps:?}", n + 1, e.variant);
                }
            }
            None => {
                missed += 1;
                println!("line {}: NOT CLASSIFIED: {status}\t{error}\t{desc:?}", n + 1);
            }
        }
    }
    println!("{ok} classified, {missed} not classified");
    if missed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
