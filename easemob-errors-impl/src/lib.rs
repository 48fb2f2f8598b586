//! The stages behind `easemob_errors::include_errors!`, as an ordinary library so each
//! can be unit-tested without a compiler:
//!
//! 1. [`source`] and [`spec`] — read the spec's files and their TOML (with the `toml`
//!    crate) into plain data that keeps positions;
//! 2. [`validate`] — rules across entries, status defaults inherited, giving a
//!    [`validate::Model`];
//! 3. [`expand`] — the model into the tokens of the generated enum.
//!
//! [`generate`] drives them; on failure it returns every problem at once, each rendered
//! with the spec's file, line and column, plus a skeleton of the type so that the user
//! sees the real errors and not a cascade of follow-on ones.

#![forbid(unsafe_code)]

pub mod diag;
mod docs;
mod entry;
pub mod expand;
pub mod ident;
mod keys;
pub mod shape;
pub mod source;
pub mod spec;
pub mod template;
pub mod validate;

use std::path::Path;

use proc_macro2::TokenStream;

pub use diag::Diagnostic;
pub use source::SourceFile;

/// Why a spec could not be expanded.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Every problem, rendered (`message`, `--> file:line:col`, the line, a hint).
    pub messages: Vec<String>,
    /// A skeleton of the generated type (no entries) when its name is known, so that
    /// code using it still type-checks while the spec is being fixed.
    pub skeleton: Option<TokenStream>,
}

/// A spec that did not pass: every problem, and the skeleton model when the name is known.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// Every problem, rendered.
    pub messages: Vec<String>,
    /// The enum with no entries, to expand in place of the real one.
    pub skeleton: Option<Box<validate::Model>>,
}

/// Parses and validates the spec's sources; every problem at once, rendered.
pub fn check(sources: Vec<SourceFile>) -> Result<validate::Model, Rejected> {
    let (spec, mut diags) = spec::parse(sources);
    match validate::validate(&spec) {
        Ok(model) if diags.is_empty() => Ok(model),
        result => {
            diags.extend(result.err().unwrap_or_default());
            diags.sort_by_key(|d| (d.file, d.span.start));
            diags.dedup();
            let messages = diags.iter().map(|d| d.render(&spec.sources)).collect();
            let files = spec.sources.iter().map(|s| s.resolved.clone()).collect();
            let skeleton =
                validate::skeleton_name(&spec).map(|name| Box::new(validate::Model::skeleton(name, files)));
            Err(Rejected { messages, skeleton })
        }
    }
}

/// Runs every stage on the spec that `include_errors!(written)` names, resolved
/// against `manifest_dir` (the invoking crate's `CARGO_MANIFEST_DIR`).
pub fn generate(written: &str, manifest_dir: Option<&Path>) -> Result<TokenStream, Failure> {
    let sources = source::read_sources(written, manifest_dir)
        .map_err(|d| Failure { messages: vec![d.render(&[])], skeleton: None })?;
    match check(sources) {
        Ok(model) => Ok(expand::expand(&model)),
        Err(Rejected { messages, skeleton }) => {
            Err(Failure { messages, skeleton: skeleton.as_deref().map(expand::expand) })
        }
    }
}
