//! `include_errors!`: generates a typed error enum from a TOML error catalog.
//!
//! Use it through `easemob_errors::include_errors!`, which re-exports it together with
//! the runtime the generated code needs. This crate is a thin shell: the stages live in
//! `easemob-errors-impl`.

#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenTree};

/// Generates a documented, typed error enum from a spec file (or a directory of them).
///
/// ```text
/// easemob_errors::include_errors!("spec/my_api.toml");
/// ```
///
/// The path is relative to the invoking crate's directory (`CARGO_MANIFEST_DIR`). Every
/// mistake in the spec is a compile error that names the file, line and column. Invoke it
/// where items may go (a module, or a function body); each invocation defines its own enum.
#[proc_macro]
pub fn include_errors(input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let (path, span) = match parse_args(input) {
        Ok(parsed) => parsed,
        Err(e) => return e.to_compile_error().into(),
    };
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    match easemob_errors_impl::generate(&path, manifest_dir.as_deref()) {
        Ok(code) => code.into(),
        Err(failure) => {
            let mut errors = failure.messages.iter().map(|m| syn::Error::new(span, m));
            let mut tokens = TokenStream::new();
            if let Some(mut first) = errors.next() {
                errors.for_each(|e| first.combine(e));
                tokens.extend(TokenStream::from(first.to_compile_error()));
            }
            if let Some(skeleton) = failure.skeleton {
                tokens.extend(TokenStream::from(skeleton));
            }
            tokens
        }
    }
}

const USAGE: &str =
    "expected the path of a spec as one string literal, e.g. `include_errors!(\"spec/my_api.toml\")`";

fn parse_args(input: proc_macro2::TokenStream) -> syn::Result<(String, Span)> {
    let mut tokens = input.into_iter();
    let Some(first) = tokens.next() else {
        return Err(syn::Error::new(Span::call_site(), format!("missing spec path: {USAGE}")));
    };
    let lit: syn::LitStr = match &first {
        TokenTree::Literal(_) => syn::parse2(first.clone().into())
            .map_err(|_| syn::Error::new(first.span(), format!("not a string literal: {USAGE}")))?,
        other => return Err(syn::Error::new(other.span(), format!("not a string literal: {USAGE}"))),
    };
    // One trailing comma is fine, anything else is not.
    let mut rest = tokens.peekable();
    if let Some(TokenTree::Punct(p)) = rest.peek()
        && p.as_char() == ','
    {
        rest.next();
    }
    if let Some(extra) = rest.next() {
        return Err(syn::Error::new(extra.span(), format!("unexpected tokens after the spec path: {USAGE}")));
    }
    if !lit.suffix().is_empty() {
        return Err(syn::Error::new(lit.span(), format!("string literal with a suffix: {USAGE}")));
    }
    Ok((lit.value(), lit.span()))
}
