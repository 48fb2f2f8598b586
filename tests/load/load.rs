//! The load benchmark: `cargo run --release --example load` (by hand; not a test).
//!
//! For each contender (ours, reqwest-retry, no retry), a fresh Easemob-like server on
//! 127.0.0.1 (see `server.rs`) and an open-loop workload: 3,000 logical requests, the
//! i-th starting at i/300 s (3x the key's 100/s), 70% GET and 30% POST; then an outage
//! phase against a server that answers every API request 503: 100 logical requests/s for
//! 30 s, each with a 10 s deadline. Logs go to stderr; stdout gets the `server` line and
//! six result lines. Exits non-zero if the client's counts and the server's disagree.

mod clients;
mod server;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clients::{Contender, Kind};
use server::{Counts, Params, Server};

const OFFERED: usize = 3000;
const OFFER_RATE: f64 = 300.0;
const LIMIT: f64 = 100.0;
const BURST: u32 = 10;
const REVOKE_EVERY: Duration = Duration::from_secs(5);
const UNAVAILABLE: (Duration, Duration) = (Duration::from_secs(10), Duration::from_secs(15));
const AMBIGUOUS_POSTS: f64 = 0.02;
/// A logical request not ended this long after its start is lost.
const LOST_AFTER: Duration = Duration::from_secs(60);
/// Ours gives up by itself before the harness calls a request lost.
const OUR_DEADLINE: Duration = Duration::from_secs(45);
const OUTAGE_RATE: f64 = 100.0;
const OUTAGE_SECONDS: u64 = 30;
const OUTAGE_DEADLINE: Duration = Duration::from_secs(10);

/// How one logical request ended.
#[derive(Debug, Clone, Copy)]
struct Ended {
    start: Duration,
    end: Duration,
    /// `None`: lost (not ended in time, or its task panicked).
    success: Option<bool>,
}

/// Runs `count` logical requests, the i-th at i/`rate` s after `t0`, each cut at `limit`.
async fn workload(
    contender: &Arc<Contender>,
    t0: Instant,
    count: usize,
    rate: f64,
    limit: Duration,
) -> Vec<Ended> {
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let at = t0 + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(at.into()).await;
        let contender = Arc::clone(contender);
        let task = tokio::spawn(async move {
            let start = t0.elapsed();
            let result = tokio::time::timeout(limit, contender.send(i)).await.ok();
            (start, t0.elapsed(), result)
        });
        tasks.push((t0.elapsed(), task));
    }
    let mut ended = Vec::with_capacity(count);
    for (started, task) in tasks {
        ended.push(match task.await {
            Ok((start, end, success)) => Ended { start, end, success },
            Err(_) => Ended { start: started, end: started + limit, success: None },
        });
    }
    ended
}

/// One contender's main-phase line, and whether its counts agree.
struct Report {
    line: String,
    agree: bool,
}

fn ratio(x: f64) -> String {
    format!("{x:.3}")
}

fn percentile(sorted: &[Duration], p: f64) -> u128 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_millis()
}

/// Compares what the client and the server counted; logs disagreements.
fn agree(phase: &str, kind: Kind, contender: &Contender, counts: &Counts, successes: u64) -> bool {
    let client =
        (contender.attempts.load(std::sync::atomic::Ordering::Relaxed), successes, contender.token_fetches());
    let server = (counts.arrivals, counts.successes, counts.token_fetches);
    let ok = client == server;
    eprintln!(
        "[{phase} {}] client (attempts, successes, token fetches) = {client:?}, server = {server:?}{}",
        kind.name(),
        if ok { "" } else { "  <- DISAGREE" }
    );
    ok
}

async fn main_phase(kind: Kind, seed: u64) -> Report {
    let params = Params {
        rate: LIMIT,
        burst: BURST,
        revoke_every: Some(REVOKE_EVERY),
        unavailable: Some(UNAVAILABLE),
        always_unavailable: false,
        ambiguous_posts: AMBIGUOUS_POSTS,
    };
    let server = Server::start(params, seed);
    let contender = Arc::new(Contender::new(kind, &server.addr, OUR_DEADLINE));
    let t0 = server.start_instant();
    eprintln!("[main {}] {} requests at {OFFER_RATE}/s against {}", kind.name(), OFFERED, server.addr);
    let ended = workload(&contender, t0, OFFERED, OFFER_RATE, LOST_AFTER).await;
    let counts = server.stop();

    let successes = ended.iter().filter(|e| e.success == Some(true)).count();
    let lost = ended.iter().filter(|e| e.success.is_none()).count();
    let first = ended.iter().map(|e| e.start).min().unwrap_or_default();
    let last = ended.iter().map(|e| e.end).max().unwrap_or_default();
    let overlap = last.min(UNAVAILABLE.1).saturating_sub(first.max(UNAVAILABLE.0));
    let seconds = (last - first).saturating_sub(overlap).as_secs_f64();
    let goodput = if seconds > 0.0 { successes as f64 / (LIMIT * seconds) } else { 0.0 };
    let mut latencies: Vec<Duration> = ended.iter().map(|e| e.end - e.start).collect();
    latencies.sort();
    let expiries = (1..).map(|k| REVOKE_EVERY * k).take_while(|t| *t <= last).filter(|t| *t > first).count();
    eprintln!(
        "[main {}] run {:.2} s (first send {:.3} s, last end {:.3} s), statuses {:?}, ambiguous {}",
        kind.name(),
        (last - first).as_secs_f64(),
        first.as_secs_f64(),
        last.as_secs_f64(),
        counts.statuses,
        counts.ambiguous.len()
    );
    let agree = agree("main", kind, &contender, &counts, successes as u64);
    let line = format!(
        "contender={} completed={} goodput={} amplification={} p50_ms={} p99_ms={} token_fetches={} expiries={} replays={} lost={} offered={}",
        kind.name(),
        ratio(successes as f64 / OFFERED as f64),
        ratio(goodput),
        ratio(counts.arrivals as f64 / OFFERED as f64),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        counts.token_fetches,
        expiries,
        counts.replays(),
        lost,
        OFFERED,
    );
    Report { line, agree }
}

async fn outage_phase(kind: Kind, seed: u64) -> Report {
    let params = Params {
        rate: LIMIT,
        burst: BURST,
        revoke_every: None,
        unavailable: None,
        always_unavailable: true,
        ambiguous_posts: 0.0,
    };
    let server = Server::start(params, seed);
    let contender = Arc::new(Contender::new(kind, &server.addr, OUTAGE_DEADLINE));
    let t0 = server.start_instant();
    let count = (OUTAGE_RATE as usize) * OUTAGE_SECONDS as usize;
    eprintln!(
        "[outage {}] {count} requests at {OUTAGE_RATE}/s, {} s deadline",
        kind.name(),
        OUTAGE_DEADLINE.as_secs()
    );
    let ended = workload(&contender, t0, count, OUTAGE_RATE, OUTAGE_DEADLINE).await;
    let counts = server.stop();
    let successes = ended.iter().filter(|e| e.success == Some(true)).count() as u64;
    eprintln!(
        "[outage {}] arrivals {}, repeats {}, distinct {}",
        kind.name(),
        counts.arrivals,
        counts.repeats(),
        counts.per_request.len()
    );
    let agree = agree("outage", kind, &contender, &counts, successes);
    let line = format!(
        "outage contender={} extra_load={}",
        kind.name(),
        ratio(counts.repeats() as f64 / count as f64)
    );
    Report { line, agree }
}

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
    let Ok(runtime) = runtime else {
        eprintln!("no tokio runtime");
        return ExitCode::FAILURE;
    };
    println!(
        "server addr=127.0.0.1 app_keys=1 limit={LIMIT}/s burst={BURST} gcra=true token_and_refused_not_counted=true \
         token_revoked_every_s={} unavailable_503_s={}-{} ambiguous_posts={AMBIGUOUS_POSTS} (502_or_dropped) \
         workload=open_loop offered={OFFERED} offer_rate={OFFER_RATE}/s get=0.7 post=0.3 lost_after_s={} \
         outage=all_503 outage_rate={OUTAGE_RATE}/s outage_s={OUTAGE_SECONDS} outage_deadline_s={} \
         contenders=ours,reqwest-retry,none",
        REVOKE_EVERY.as_secs(),
        UNAVAILABLE.0.as_secs(),
        UNAVAILABLE.1.as_secs(),
        LOST_AFTER.as_secs(),
        OUTAGE_DEADLINE.as_secs(),
    );
    let reports = runtime.block_on(async {
        let mut reports = Vec::new();
        for (n, kind) in Kind::ALL.into_iter().enumerate() {
            reports.push(main_phase(kind, 20 + n as u64).await);
        }
        for (n, kind) in Kind::ALL.into_iter().enumerate() {
            reports.push(outage_phase(kind, 40 + n as u64).await);
        }
        reports
    });
    for report in &reports {
        println!("{}", report.line);
    }
    if reports.iter().all(|r| r.agree) {
        ExitCode::SUCCESS
    } else {
        eprintln!("client-side and server-side counts disagree");
        ExitCode::FAILURE
    }
}
