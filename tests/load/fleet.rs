//! The fleet benchmark: `cargo run --release --example fleet` (by hand; not a test).
//!
//! Several app servers share one app key through Redis. The run starts its own
//! `redis-server` (a free port of 127.0.0.1) and the load benchmark's Easemob-like server
//! (`server.rs`: the key's GCRA, no token expiry, no 503 window, no ambiguous failures),
//! then PROCESSES app servers: this binary again, each with its own client, limiter and
//! token. Together they offer 3x the key's limit for 40 s (each 1/PROCESSES of it, as
//! open-loop GETs). Redis is killed at t = 15 s and started again on the same port at
//! t = 20 s. Each app server reports on stderr when it falls back to its local share and
//! when the limit is shared again; stdout gets one line:
//!
//! `fleet processes=N combined_rate=R combined_rate_after=R goodput=R redis_outage_recovered=B lost=N`
//!
//! combined_rate: the API requests that arrived at the server in t = 0-40 s ÷ (limit ×
//! 40 s); combined_rate_after: the same over t = 22-40 s; goodput: the 2xx answers the
//! server gave in t = 0-40 s ÷ (limit × 40 s); redis_outage_recovered: every app server
//! fell back during the outage and was shared again within 2 s of Redis answering
//! again; lost: requests that neither succeeded nor returned an error (or whose app
//! server did not report).

mod fleet_app;
// Shared with the load benchmark, which uses all of it.
#[allow(dead_code)]
mod server;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use easemob_errors_tests::redis_server::RedisServer;
use server::{Params, Server};

/// How many app servers.
const PROCESSES: usize = 3;
/// The key's limit, requests per second, for all of them; the server's burst.
const LIMIT: f64 = 100.0;
const SERVER_BURST: u32 = 10;
/// The offer, as a multiple of the limit, and how long.
const OFFER: f64 = 3.0;
const RUN: Duration = Duration::from_secs(40);
/// Redis is away from, to.
const OUTAGE: (Duration, Duration) = (Duration::from_secs(15), Duration::from_secs(20));
/// combined_rate_after counts from.
const AFTER: Duration = Duration::from_secs(22);
/// An app server shared again later than this after Redis's return did not recover.
const RECOVERED_WITHIN: Duration = Duration::from_secs(2);
/// From the parent's start to t = 0: time for the app servers to start.
const LEAD: Duration = Duration::from_secs(2);
/// An app server still running this long after t = 0 is killed.
const CHILD_LIMIT: Duration = Duration::from_secs(90);

fn main() -> ExitCode {
    if std::env::var_os(fleet_app::CHILD).is_some() {
        return fleet_app::main();
    }
    match fleet() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("[fleet] {e}");
            ExitCode::FAILURE
        }
    }
}

/// What one app server reported on its stdout.
#[derive(Debug, Default)]
struct Report {
    /// Mode changes: (t since t = 0, "shared" or "fallback").
    modes: Vec<(Duration, String)>,
    /// Its final counts: offered, ok, errors, lost.
    done: Option<[u64; 4]>,
}

fn fleet() -> Result<String, String> {
    let mut redis = RedisServer::start()?;
    let params = Params {
        rate: LIMIT,
        burst: SERVER_BURST,
        revoke_every: None,
        unavailable: None,
        always_unavailable: false,
        ambiguous_posts: 0.0,
    };
    let server = Server::start(params, 21);
    // t = 0 on the server's clock, and as a wall-clock time for the app servers.
    let t0 = server.start_instant() + LEAD;
    let unix_now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?;
    let t0_unix = unix_now + t0.saturating_duration_since(Instant::now());
    let per_process = LIMIT * OFFER / PROCESSES as f64;
    eprintln!(
        "[fleet] redis {} server {}; {PROCESSES} app servers at {per_process:.1}/s each for {} s, limit {LIMIT}/s; \
         redis away {}-{} s",
        redis.url(),
        server.addr,
        RUN.as_secs(),
        OUTAGE.0.as_secs(),
        OUTAGE.1.as_secs()
    );

    let exe = std::env::current_exe().map_err(|e| format!("no path to this binary: {e}"))?;
    let mut children = Vec::new();
    let mut readers = Vec::new();
    for n in 0..PROCESSES {
        let mut child = Command::new(&exe)
            .env(fleet_app::CHILD, n.to_string())
            .env(fleet_app::REDIS, redis.url())
            .env(fleet_app::SERVER, &server.addr)
            .env(fleet_app::T0_UNIX_US, t0_unix.as_micros().to_string())
            .env(fleet_app::RATE, per_process.to_string())
            .env(fleet_app::LIMIT, LIMIT.to_string())
            .env(fleet_app::INSTANCES, PROCESSES.to_string())
            .env(fleet_app::SECONDS, RUN.as_secs().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start app server {n}: {e}"))?;
        let report = Arc::new(Mutex::new(Report::default()));
        if let Some(out) = child.stdout.take() {
            let report = Arc::clone(&report);
            readers.push(std::thread::spawn(move || read_reports(out, &report)));
        }
        children.push((child, report));
    }

    sleep_until(t0 + OUTAGE.0);
    redis.stop();
    eprintln!("[fleet] t={:.3} s: redis stopped", t0.elapsed().as_secs_f64());
    sleep_until(t0 + OUTAGE.1);
    redis.restart()?;
    let back = t0.elapsed();
    eprintln!("[fleet] t={:.3} s: redis answers again (same port)", back.as_secs_f64());

    for (child, _) in &mut children {
        wait_or_kill(child, t0 + CHILD_LIMIT);
    }
    for reader in readers {
        let _ = reader.join();
    }
    let counts = server.stop();
    drop(redis);

    let window = |from: Duration, to: Duration, ok_only: bool| {
        let from = from + LEAD;
        let to = to + LEAD;
        let counted = counts.arrived.iter().filter(|(at, status)| {
            // The server's clock started LEAD before t = 0.
            *at >= from && *at < to && (!ok_only || (200..300).contains(status))
        });
        counted.count() as f64
    };
    let capacity = |d: Duration| LIMIT * d.as_secs_f64();
    let combined = window(Duration::ZERO, RUN, false) / capacity(RUN);
    let combined_after = window(AFTER, RUN, false) / capacity(RUN - AFTER);
    let goodput = window(Duration::ZERO, RUN, true) / capacity(RUN);

    let mut recovered = true;
    let mut lost = 0;
    let (mut client_ok, mut client_err) = (0, 0);
    for (n, (_, report)) in children.iter().enumerate() {
        let report = report.lock().map_err(|_| "a reader panicked")?;
        let fell_back = report.modes.iter().any(|(t, m)| m == "fallback" && *t >= OUTAGE.0 && *t < back);
        let shared_again =
            report.modes.iter().any(|(t, m)| m == "shared" && *t >= back && *t <= back + RECOVERED_WITHIN);
        recovered &= fell_back && shared_again;
        match report.done {
            Some([offered, ok, err, lost_here]) => {
                eprintln!("[fleet] app {n}: offered {offered}, ok {ok}, errors {err}, lost {lost_here}");
                lost += lost_here;
                client_ok += ok;
                client_err += err;
            }
            None => {
                eprintln!("[fleet] app {n} did not report: all its requests count as lost");
                lost += (capacity(RUN) * OFFER / PROCESSES as f64) as u64;
            }
        }
    }
    let mut statuses: Vec<_> = counts.statuses.iter().collect();
    statuses.sort();
    eprintln!(
        "[fleet] server: {} arrivals, {} successes over the whole run (statuses {statuses:?}, token fetches {}); \
         the app servers counted {client_ok} ok and {client_err} errors",
        counts.arrivals, counts.successes, counts.token_fetches
    );
    let per_second = |ok_only: bool| {
        (0..RUN.as_secs())
            .map(move |s| window(Duration::from_secs(s), Duration::from_secs(s + 1), ok_only) as u64)
    };
    eprintln!("[fleet] arrivals per second: {:?}", per_second(false).collect::<Vec<_>>());
    eprintln!("[fleet] 2xx per second:      {:?}", per_second(true).collect::<Vec<_>>());
    let refused: Vec<String> = counts
        .arrived
        .iter()
        .filter(|(_, status)| *status == 429)
        .map(|(at, _)| format!("{:.2}", at.saturating_sub(LEAD).as_secs_f64()))
        .collect();
    eprintln!("[fleet] 429s at t = {}", refused.join(" "));
    Ok(format!(
        "fleet processes={PROCESSES} combined_rate={combined:.3} combined_rate_after={combined_after:.3} \
         goodput={goodput:.3} redis_outage_recovered={recovered} lost={lost}"
    ))
}

/// Reads an app server's report lines: `mode NAME t_us=N` and `done N N N N`.
fn read_reports(out: impl std::io::Read, report: &Mutex<Report>) {
    for line in BufReader::new(out).lines().map_while(Result::ok) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Ok(mut report) = report.lock() else { return };
        match words.as_slice() {
            ["mode", mode, t] => {
                if let Some(us) = t.strip_prefix("t_us=").and_then(|t| t.parse().ok()) {
                    report.modes.push((Duration::from_micros(us), (*mode).to_owned()));
                }
            }
            ["done", rest @ ..] => {
                let numbers: Vec<u64> = rest.iter().filter_map(|n| n.parse().ok()).collect();
                if let [offered, ok, err, lost] = numbers.as_slice() {
                    report.done = Some([*offered, *ok, *err, *lost]);
                }
            }
            _ => {}
        }
    }
}

fn sleep_until(at: Instant) {
    std::thread::sleep(at.saturating_duration_since(Instant::now()));
}

fn wait_or_kill(child: &mut Child, limit: Instant) {
    while Instant::now() < limit {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("[fleet] an app server ran past its time: killed");
    let _ = child.kill();
    let _ = child.wait();
}
