//! Stage 3, expand: a validated [`Model`] into the tokens of the generated enum.
//!
//! The expansion is the enum (documented as the catalog), the spec's data as typed
//! statics — one struct literal per status, and each entry and lookup group a named
//! `const` the statics list — and two functions
//! per enum: `__build` makes the variant of an entry from the values its template
//! matched, `__view` gives a variant's entry and values. The methods and trait impls
//! every enum shares are the runtime's `error_enum_impls!`, invoked at the end.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote};

use crate::docs::{enum_doc, variant_doc};
use crate::shape::{Literal as ShapeLiteral, Shape, Step};
use crate::spec::{Policy, StatusDef};
use crate::template::{Placeholder, PlaceholderKind};
use crate::validate::{EntryModel, Group, Model};

/// The generated code for `model`.
pub fn expand(model: &Model) -> TokenStream {
    let name = Ident::new(&model.name, Span::call_site());
    let doc = doc_attrs(&enum_doc(model));
    let variants = model.entries.iter().map(|e| variant(e, &model.languages));
    let tracked = model.files.iter().map(|f| f.to_string_lossy().into_owned());
    let [statuses, entries, groups] =
        [model.statuses.len(), model.entries.len(), model.groups.len()].map(Literal::usize_unsuffixed);
    let languages = &model.languages;
    let language_count = Literal::usize_unsuffixed(languages.len());
    let shape = shape(&model.shape);
    let status_data = model.statuses.iter().map(status_info);
    // Each entry and group is a named `const`, and the statics list them: rustc type-checks
    // one initializer's slice coercions in time that grows with their square (a static of
    // 10,000 such literals: 53 s to type-check; as 10,000 consts, 2.5 s; see BENCHMARKS.md).
    let entry_names: Vec<Ident> = (0..model.entries.len()).map(|i| format_ident!("ENTRY_{}", i)).collect();
    let group_names: Vec<Ident> = (0..model.groups.len()).map(|i| format_ident!("GROUP_{}", i)).collect();
    let entry_data = model.entries.iter().map(catalog_entry);
    let group_data = model.groups.iter().map(group);
    let build = build_fn(model);
    let view = view_fn(model);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An answer without a usable error body: not JSON, not an object, neither a
            /// code nor a message where the API puts them, or too large to read (an HTML
            /// 502 page, an empty 504). It keeps the status and the raw body.
            Status(::easemob_errors::StatusOnly),
            /// An error body the catalog does not list. It keeps everything the server
            /// sent: status, code, message, retry delay and the raw body.
            Unknown(::easemob_errors::UnknownError),
        }

        const _: () = {
            use ::core::option::Option::{self, None, Some};
            use ::easemob_errors::__private as __p;

            // The spec's files: cargo rebuilds this crate when one of them changes.
            #(const _: &[u8] = ::core::include_bytes!(#tracked);)*

            // The languages of causes, remedies and meanings; the first is the default.
            static LANGUAGES: [&str; #language_count] = [#(#languages),*];
            static SHAPE: __p::Shape = #shape;
            static STATUSES: [__p::StatusInfo; #statuses] = [#(#status_data),*];
            #(const #entry_names: __p::CatalogEntry = #entry_data;)*
            static ENTRIES: [__p::CatalogEntry; #entries] = [#(#entry_names),*];
            #(const #group_names: __p::Group = #group_data;)*
            static GROUPS: [__p::Group; #groups] = [#(#group_names),*];
            static CATALOG: __p::Catalog = __p::Catalog {
                languages: &LANGUAGES,
                shape: &SHAPE,
                statuses: &STATUSES,
                entries: &ENTRIES,
                groups: &GROUPS,
            };

            impl #name {
                #build
                #view
            }

            __p::error_enum_impls!(#name, CATALOG);
        };
    }
}

/// `#[doc = "..."]`, one per line, as `///` comments are.
fn doc_attrs(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| if line.is_empty() { String::new() } else { format!(" {line}") });
    quote! { #(#[doc = #lines])* }
}

fn variant(e: &EntryModel, languages: &[String]) -> TokenStream {
    let doc = doc_attrs(&variant_doc(e, languages));
    let name = Ident::new(&e.variant, Span::call_site());
    let fields = e.fields.iter().map(|p| {
        let field = Ident::new(&p.name, Span::call_site());
        let doc = format!(" The `{{{}}}` value of the description.", p.name);
        let ty = match p.kind {
            PlaceholderKind::U64 => quote!(u64),
            PlaceholderKind::List => quote!(::std::vec::Vec<::std::string::String>),
            _ => quote!(::std::string::String),
        };
        quote! { #[doc = #doc] #field: #ty, }
    });
    quote! {
        #doc
        #name {
            #(#fields)*
            /// The server's words: its message as sent, and whether the body had a code.
            text: ::easemob_errors::Text,
        },
    }
}

fn number<T: Into<u64>>(n: T) -> Literal {
    Literal::u64_unsuffixed(n.into())
}

fn some<T: ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

/// The runtime's variant of the same name: `CodeKind`, `SuccessStatus` and
/// `PlaceholderKind` are spelled alike on both sides (a mismatch fails to compile).
fn same_name(value: impl std::fmt::Debug) -> Ident {
    format_ident!("{value:?}")
}

fn policy(p: Policy) -> TokenStream {
    match p {
        Policy::Never => quote!(__p::RetryPolicy::Never),
        Policy::RefreshToken => quote!(__p::RetryPolicy::RefreshToken),
        Policy::SplitBody => quote!(__p::RetryPolicy::SplitBody),
        Policy::Backoff(b) => {
            let (attempts, base, max) = (number(b.attempts), number(b.base_ms), number(b.max_ms));
            quote!(__p::RetryPolicy::Backoff(__p::Backoff::new(#attempts, #base, #max)))
        }
    }
}

fn status_info(s: &StatusDef) -> TokenStream {
    let StatusDef { name, meanings, alert, .. } = s;
    let (status, retry) = (number(s.status), policy(s.retry));
    quote! {
        __p::StatusInfo {
            status: #status,
            name: #name,
            languages: &LANGUAGES,
            meanings: &[#(#meanings),*],
            retry: #retry,
            alert: #alert,
        }
    }
}

fn placeholders(list: &[Placeholder]) -> TokenStream {
    let items = list.iter().map(|p| {
        let (name, kind) = (&p.name, same_name(p.kind));
        quote!(__p::Placeholder { name: #name, kind: __p::PlaceholderKind::#kind })
    });
    quote!(&[#(#items),*])
}

fn catalog_entry(e: &EntryModel) -> TokenStream {
    let EntryModel { variant, causes, remedies, alert, without_error, .. } = e;
    let (status, code, retry) = (number(e.status), some(e.error.as_deref()), policy(e.retry));
    let templates = e.templates.iter().map(|t| {
        let (text, literals, placeholders) = (&t.text, &t.literals, placeholders(&t.placeholders));
        quote!(__p::Template { text: #text, literals: &[#(#literals),*], placeholders: #placeholders })
    });
    let fields = placeholders(&e.fields);
    quote! {
        __p::CatalogEntry {
            variant: #variant,
            status: #status,
            code: #code,
            templates: &[#(#templates),*],
            without_error: #without_error,
            fields: #fields,
            languages: &LANGUAGES,
            causes: &[#(#causes),*],
            remedies: &[#(#remedies),*],
            retry: #retry,
            alert: #alert,
        }
    }
}

/// The body's shape: where the code and message are, and what a success is.
fn shape(s: &Shape) -> TokenStream {
    let code = s.code.iter().map(path);
    let message = s.message.iter().map(path);
    let (code_kind, success_status) = (same_name(s.code_kind), same_name(s.success_status));
    let conditions = s.conditions.iter().map(|c| {
        let (path, absent) = (path(&c.path), c.absent);
        let equals = c.equals.iter().map(|l| match l {
            ShapeLiteral::Str(v) => quote!(__p::Literal::Str(#v)),
            ShapeLiteral::Int(n) => quote!(__p::Literal::Int(#n)),
            ShapeLiteral::Bool(b) => quote!(__p::Literal::Bool(#b)),
        });
        quote!(__p::Condition { path: #path, equals: &[#(#equals),*], absent: #absent })
    });
    let retry_delay = some(s.retry_delay.as_ref().map(path));
    let header = some(s.should_retry_header.as_deref());
    let code_default = some(s.code_default.as_deref());
    quote! {
        __p::Shape {
            code: &[#(#code),*],
            code_kind: __p::CodeKind::#code_kind,
            code_default: #code_default,
            message: &[#(#message),*],
            success_status: __p::SuccessStatus::#success_status,
            conditions: &[#(#conditions),*],
            retry_delay: #retry_delay,
            should_retry_header: #header,
        }
    }
}

fn path(p: &crate::shape::Path) -> TokenStream {
    let steps = p.steps.iter().map(|step| match step {
        Step::Key(k) => quote!(__p::Step::Key(#k)),
        Step::Where { field, value, ends_with } => {
            quote!(__p::Step::Where { field: #field, value: #value, ends_with: #ends_with })
        }
    });
    quote!(__p::Path(&[#(#steps),*]))
}

fn group(g: &Group) -> TokenStream {
    let (status, code) = (number(g.status), some(g.error.as_deref()));
    let forms = g.forms.iter().map(|f| {
        let (entry, template) = (Literal::usize_unsuffixed(f.entry), Literal::usize_unsuffixed(f.template));
        quote!((#entry, #template))
    });
    let catch_all = some(g.catch_all.map(Literal::usize_unsuffixed));
    quote!(__p::Group { status: #status, code: #code, forms: &[#(#forms),*], catch_all: #catch_all })
}

/// `__build`: the variant of entry `index`, its fields read from the matched values.
fn build_fn(model: &Model) -> TokenStream {
    if model.entries.is_empty() {
        return quote! {
            fn __build(_: usize, _: ::easemob_errors::Text, _: &__p::Values<'_>) -> Option<Self> {
                None
            }
        };
    }
    let any_values = model.entries.iter().any(|e| !e.fields.is_empty());
    let values = if any_values { format_ident!("values") } else { format_ident!("_values") };
    let arms = model.entries.iter().enumerate().map(|(i, e)| {
        let index = Literal::usize_unsuffixed(i);
        let name = Ident::new(&e.variant, Span::call_site());
        let fields = e.fields.iter().enumerate().map(|(at, p)| {
            let field = Ident::new(&p.name, Span::call_site());
            let at = Literal::usize_unsuffixed(at);
            // `Values::string`, `u64` or `list`: the kind's name in templates.
            let read = format_ident!("{}", p.kind.name());
            quote!(#field: #values.#read(#at)?,)
        });
        quote!(#index => Self::#name { #(#fields)* text },)
    });
    quote! {
        fn __build(index: usize, text: ::easemob_errors::Text, #values: &__p::Values<'_>) -> Option<Self> {
            Some(match index {
                #(#arms)*
                _ => return None,
            })
        }
    }
}

/// `__view`: each variant's catalog entry and values, or the fallback it holds.
fn view_fn(model: &Model) -> TokenStream {
    let arms = model.entries.iter().enumerate().map(|(i, e)| {
        let index = Literal::usize_unsuffixed(i);
        let name = Ident::new(&e.variant, Span::call_site());
        let fields: Vec<Ident> = e.fields.iter().map(|p| Ident::new(&p.name, Span::call_site())).collect();
        // Each value by its own constructor, not `.into()`: rustc then infers nothing in
        // a function of one arm per entry (inference across such a function grows
        // faster than the number of entries).
        let values = e.fields.iter().zip(&fields).map(|(p, field)| {
            let (kind, deref) = (same_name(p.kind), (p.kind == PlaceholderKind::U64).then_some(quote!(*)));
            quote!(__p::FieldValue::#kind(#deref #field))
        });
        quote! {
            Self::#name { #(#fields,)* text } => {
                __p::View::known(&CATALOG, &ENTRIES[#index], text, [#(#values),*])
            }
        }
    });
    quote! {
        fn __view(&self) -> __p::View<'_> {
            match self {
                #(#arms)*
                Self::Status(status) => __p::View::status_only(&CATALOG, status),
                Self::Unknown(unknown) => __p::View::unknown(&CATALOG, unknown),
            }
        }
    }
}
