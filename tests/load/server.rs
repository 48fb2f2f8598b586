//! The load benchmark's server: HTTP/1 on 127.0.0.1 (hyper) that answers like Easemob
//! for one app key, and counts what arrives.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;

/// The server's parameters.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// The key's limit, requests per second, and its burst (a GCRA).
    pub rate: f64,
    pub burst: u32,
    /// App tokens are revoked every this long (`None`: never).
    pub revoke_every: Option<Duration>,
    /// Every request in this window (since the start) is answered 503.
    pub unavailable: Option<(Duration, Duration)>,
    /// Every API request is answered 503 (the outage phase).
    pub always_unavailable: bool,
    /// The share of POSTs answered 502 or dropped after being counted.
    pub ambiguous_posts: f64,
}

pub const REACH_LIMIT: &str =
    r#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#;
pub const EXPIRED: &str =
    r#"{"error":"unauthorized","error_description":"Unable to authenticate due to expired access token"}"#;

/// What the server counted.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// API requests that arrived (token requests excluded), by status class.
    pub arrivals: u64,
    /// 2xx answers.
    pub successes: u64,
    /// Token requests.
    pub token_fetches: u64,
    /// Arrivals per logical request (`X-Request-Id`).
    pub per_request: HashMap<String, u32>,
    /// Logical POSTs that met an ambiguous failure, and whether they arrived again after.
    pub ambiguous: HashMap<String, bool>,
    /// API answers by status (0: dropped).
    pub statuses: HashMap<u16, u64>,
    /// Each API request's arrival (since the start) and its answer's status (0: dropped).
    pub arrived: Vec<(Duration, u16)>,
}

impl Counts {
    /// POSTs that reached the server again after an ambiguous failure.
    pub fn replays(&self) -> u64 {
        self.ambiguous.values().filter(|again| **again).count() as u64
    }

    /// Arrivals beyond each logical request's first.
    pub fn repeats(&self) -> u64 {
        self.per_request.values().map(|n| u64::from(n.saturating_sub(1))).sum()
    }
}

struct State {
    params: Params,
    start: Instant,
    /// The GCRA's theoretical arrival time, since the start.
    tat: Duration,
    tokens_issued: u64,
    rng: fastrand::Rng,
    counts: Counts,
}

/// How to answer.
enum Answer {
    Status(u16, String),
    Drop,
}

impl State {
    fn epoch(&self, now: Duration) -> u64 {
        match self.params.revoke_every {
            Some(every) => (now.as_nanos() / every.as_nanos().max(1)) as u64,
            None => 0,
        }
    }

    fn answer(&mut self, method: &str, path: &str, id: Option<&str>, token: Option<&str>) -> Answer {
        let now = self.start.elapsed();
        let in_window = self.params.unavailable.is_some_and(|(from, to)| now >= from && now < to);
        if path.ends_with("/token") {
            self.counts.token_fetches += 1;
            if in_window {
                return Answer::Status(503, String::new());
            }
            self.tokens_issued += 1;
            let token = format!("tok-{}-{}", self.epoch(now), self.tokens_issued);
            return Answer::Status(200, format!(r#"{{"access_token":"{token}","expires_in":7200}}"#));
        }
        self.counts.arrivals += 1;
        if let Some(id) = id {
            *self.counts.per_request.entry(id.to_owned()).or_default() += 1;
            if let Some(again) = self.counts.ambiguous.get_mut(id) {
                *again = true;
            }
        }
        if self.params.always_unavailable || in_window {
            return Answer::Status(503, String::new());
        }
        let epoch = format!("tok-{}-", self.epoch(now));
        if !token.is_some_and(|t| t.starts_with(&epoch)) {
            return Answer::Status(401, EXPIRED.to_owned());
        }
        // The key's GCRA: refused requests do not count against the limit.
        let interval = Duration::from_secs_f64(1.0 / self.params.rate);
        let tolerance = interval * self.params.burst.saturating_sub(1);
        if now + tolerance < self.tat {
            return Answer::Status(429, REACH_LIMIT.to_owned());
        }
        self.tat = self.tat.max(now) + interval;
        if method == "POST" && self.rng.f64() < self.params.ambiguous_posts {
            if let Some(id) = id {
                self.counts.ambiguous.insert(id.to_owned(), false);
            }
            return if self.rng.bool() {
                Answer::Status(502, "<html>502 Bad Gateway</html>".into())
            } else {
                Answer::Drop
            };
        }
        self.counts.successes += 1;
        Answer::Status(200, r#"{"action":"ok"}"#.to_owned())
    }
}

/// A running server.
pub struct Server {
    pub addr: String,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts a server on a free port of 127.0.0.1, on a thread (and runtime) of its own;
    /// its clock starts now.
    pub fn start(params: Params, seed: u64) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = format!("http://{}", listener.local_addr().expect("local addr"));
        let state = Arc::new(Mutex::new(State {
            params,
            start: Instant::now(),
            tat: Duration::ZERO,
            tokens_issued: 0,
            rng: fastrand::Rng::with_seed(seed),
            counts: Counts::default(),
        }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shared = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let accept = async {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else { continue };
                        let state = Arc::clone(&shared);
                        tokio::spawn(async move {
                            let service = service_fn(move |request| handle(Arc::clone(&state), request));
                            let io = hyper_util::rt::TokioIo::new(stream);
                            let _ = http1::Builder::new().serve_connection(io, service).await;
                        });
                    }
                };
                tokio::select! {
                    () = accept => {}
                    _ = stopped => {}
                }
            });
        });
        Server { addr, state, stop: Some(stop), thread: Some(thread) }
    }

    /// The start instant.
    pub fn start_instant(&self) -> Instant {
        self.state.lock().expect("state").start
    }

    /// Stops the server; what it counted.
    pub fn stop(mut self) -> Counts {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.state.lock().expect("state").counts.clone()
    }
}

/// The connection is dropped on purpose.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dropped")
    }
}

impl std::error::Error for Dropped {}

async fn handle(
    state: Arc<Mutex<State>>,
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Dropped> {
    let (parts, body) = request.into_parts();
    let _ = body.collect().await;
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let token = header("authorization").and_then(|a| a.strip_prefix("Bearer "));
    let answer = {
        let mut state = state.lock().expect("state");
        let answer = state.answer(parts.method.as_str(), parts.uri.path(), header("x-request-id"), token);
        if !parts.uri.path().ends_with("/token") {
            let status = match &answer {
                Answer::Status(status, _) => *status,
                Answer::Drop => 0,
            };
            *state.counts.statuses.entry(status).or_default() += 1;
            let at = state.start.elapsed();
            state.counts.arrived.push((at, status));
        }
        answer
    };
    match answer {
        Answer::Status(status, body) => hyper::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|_| Dropped),
        Answer::Drop => Err(Dropped),
    }
}
