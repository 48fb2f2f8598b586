//! How long the macro's work takes on a spec: read, parse, validate, expand, and turn
//! the tokens into text (what the compiler receives). Build it in the dev profile, as
//! users get the macro:
//!
//! ```text
//! cargo run -p easemob-errors-impl --example expand-time -- SPEC [RUNS]
//! ```
//!
//! Prints the median of RUNS (default 5) in milliseconds.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: expand-time SPEC [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..runs {
        let start = Instant::now();
        match easemob_errors_impl::generate(path, None) {
            Ok(tokens) => size = tokens.to_string().len(),
            Err(failure) => {
                eprintln!("{}", failure.messages.join("\n"));
                std::process::exit(1);
            }
        }
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!("{:.1} ms (median of {runs}; {size} bytes of tokens)", times[times.len() / 2]);
}
