//! How long the macro's work takes on a spec: read, parse and validate, then expand
//! into the tokens the compiler receives. Build it in the dev profile, as users get
//! the macro:
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
    // Per stage: read + parse + validate, expand to tokens.
    let mut stages: [Vec<f64>; 2] = Default::default();
    let mut size = 0;
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..runs {
        let t = Instant::now();
        let model = easemob_errors_impl::source::read_sources(path, None)
            .map_err(|d| vec![d.render(&[])])
            .and_then(|sources| easemob_errors_impl::check(sources).map_err(|r| r.messages));
        let model = match model {
            Ok(model) => model,
            Err(messages) => {
                eprintln!("{}", messages.join("\n"));
                std::process::exit(1);
            }
        };
        stages[0].push(ms(t));
        let t = Instant::now();
        let tokens = easemob_errors_impl::expand::expand(&model);
        stages[1].push(ms(t));
        // The macro hands the tokens over as they are; their text is only for the report.
        size = tokens.to_string().len();
    }
    let [check, expand] = stages.map(|mut v| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    });
    println!(
        "{:.1} ms (median of {runs}: check {check:.1}, expand {expand:.1}; {size} bytes)",
        check + expand
    );
}
