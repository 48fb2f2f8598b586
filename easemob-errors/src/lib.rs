//! Typed errors of the Easemob (环信) IM REST API.
//!
//! A failed REST call answers with an HTTP status and, usually, a JSON body such as
//! `{"error":"reach_limit","error_description":"This request has reached api limit"}`.
//! [`EasemobError::from_response`] turns any such answer into a typed value that
//! says what went wrong, why, and whether and how to retry:
//!
//! ```
//! use easemob_errors::{EasemobError, RetryPolicy};
//!
//! let body = br#"{"error":"reach_limit","error_description":"This request has reached api limit"}"#;
//! let err = EasemobError::from_response(429, body);
//! assert!(matches!(err, EasemobError::ReachLimit { .. }));
//! assert_eq!(err.to_string(), "429 reach_limit: This request has reached api limit");
//! assert!(matches!(err.retry(), RetryPolicy::Backoff(_)));
//!
//! // Values the server puts into the text become fields.
//! let body = br#"{"error":"illegal_argument","error_description":"group member alice doesn't exist"}"#;
//! match EasemobError::from_response(400, body) {
//!     EasemobError::GroupMemberNotFound { username, .. } => assert_eq!(username, "alice"),
//!     other => panic!("unexpected {other}"),
//! }
//!
//! // The server's wording may drift: case, quotes, whitespace and a closing period
//! // do not count, and the exact text is kept.
//! let body = br#"{"error":"reach_limit","error_description":"this request has reached api limit."}"#;
//! let err = EasemobError::from_response(429, body);
//! assert!(matches!(err, EasemobError::ReachLimit { .. }));
//! assert_eq!(err.description(), Some("this request has reached api limit."));
//!
//! // Nothing is lost: an error the catalog does not list keeps all the server sent.
//! let err = EasemobError::from_response(400, br#"{"error":"brand_new","error_description":"?"}"#);
//! assert!(!err.is_known());
//! assert_eq!(err.code(), Some("brand_new"));
//! ```
//!
//! The enum is generated at build time from `spec/easemob.toml` (and the files it includes) by [`include_errors!`],
//! which other crates can use on their own specs, for other REST APIs.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

// Lets the generated code name this crate `::easemob_errors` from inside it, too.
extern crate self as easemob_errors;

mod body;
mod catalog;
mod enum_impls;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "limiter")]
pub mod limiter;
mod markdown;
#[cfg(feature = "reqwest-middleware")]
pub mod middleware;
mod policy;
#[cfg(feature = "reqwest")]
pub mod reqwest;
mod response;
pub mod retry;
mod shape;
mod text;
#[cfg(feature = "token")]
pub mod token;
mod view;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use catalog::{CatalogEntry, FieldValue, Fields, Placeholder, PlaceholderKind, StatusInfo, Template};
pub use easemob_errors_macro::include_errors;
pub use markdown::catalog_markdown;
pub use policy::{Backoff, RetryPolicy};
pub use response::{MAX_BODY_LEN, StatusOnly, UnknownError};
pub use text::Text;

include_errors!("spec/easemob.toml");
