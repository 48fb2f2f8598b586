//! A small HTTP/1 server on 127.0.0.1 for the retry tests, built on `hyper`: each request
//! is handed to a closure that says how to answer it (or to drop the connection). It runs
//! on a thread of its own and stops by itself after 60 s.

#![allow(dead_code)] // each test file uses part of it

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;

/// What the server saw of one request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub authorization: String,
    pub body: Vec<u8>,
}

/// How to answer a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An answer.
    Answer { status: u16, headers: Vec<(&'static str, String)>, body: String },
    /// Close the connection without answering.
    Drop,
}

impl Reply {
    pub fn with_header(self, name: &'static str, value: &str) -> Reply {
        match self {
            Reply::Answer { status, mut headers, body } => {
                headers.push((name, value.to_owned()));
                Reply::Answer { status, headers, body }
            }
            Reply::Drop => Reply::Drop,
        }
    }
}

pub fn reply(status: u16, body: &str) -> Reply {
    Reply::Answer { status, headers: Vec::new(), body: body.to_owned() }
}

/// The connection was dropped on purpose.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dropped")
    }
}

impl std::error::Error for Dropped {}

/// Serves with `answer` on a free port; returns the base URL and the log of requests.
pub fn serve(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let accept = async {
                loop {
                    let Ok((stream, _)) = listener.accept().await else { continue };
                    let (answer, log) = (Arc::clone(&answer), Arc::clone(&log));
                    let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let (answer, log) = (Arc::clone(&answer), Arc::clone(&log));
                        async move {
                            let (parts, body) = request.into_parts();
                            let body =
                                body.collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
                            let header = |name| {
                                parts
                                    .headers
                                    .get(name)
                                    .and_then(|v: &hyper::header::HeaderValue| v.to_str().ok())
                            };
                            let seen = Seen {
                                method: parts.method.to_string(),
                                path: parts.uri.path().to_owned(),
                                authorization: header("authorization").unwrap_or("").to_owned(),
                                body,
                            };
                            let reply = answer(&seen);
                            log.lock().unwrap().push(seen);
                            match reply {
                                Reply::Answer { status, headers, body } => {
                                    let mut response = hyper::Response::builder().status(status);
                                    for (k, v) in headers {
                                        response = response.header(k, v);
                                    }
                                    Ok::<_, Dropped>(response.body(Full::new(Bytes::from(body))).unwrap())
                                }
                                Reply::Drop => Err(Dropped),
                            }
                        }
                    });
                    tokio::spawn(async move {
                        let io = hyper_util::rt::TokioIo::new(stream);
                        let _ = http1::Builder::new().serve_connection(io, service).await;
                    });
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(60), accept).await;
        });
    });
    (addr, seen)
}

/// Serves the scripted answers in order (the last one repeats).
pub fn serve_script(script: Vec<Reply>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let next = Mutex::new(0usize);
    serve(move |_| {
        let mut i = next.lock().unwrap();
        let r = script[(*i).min(script.len() - 1)].clone();
        *i += 1;
        r
    })
}
