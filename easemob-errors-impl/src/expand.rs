//! Stage 3, expand: a validated [`Model`] into the tokens of the generated enum.
//!
//! Lookups are data, not code: the catalog, the statuses, the lookup order and a hash
//! table of (status, `error`) groups are static arrays the runtime reads, so the generated
//! code grows linearly with the spec and holds one `match` arm per entry in each of two
//! small functions.

use std::fmt::Write as _;
use std::path::PathBuf;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::template::{Kind, Template};
use crate::validate::{EntryModel, Model, Policy};

/// Expands a model. `files` are tracked with `include_bytes!` so that cargo rebuilds
/// the invoking crate when the spec changes.
pub fn expand(model: &Model) -> TokenStream {
    let name = Ident::new(&model.name, Span::call_site());
    // Inside the `const _` block, the runtime's support module is imported once as `__p`
    // (an absolute path, invisible outside the block): it keeps the expansion small.
    let p = quote!(__p);
    let tracked = track(&model.files);

    let enum_doc = enum_doc(model);
    let variants = model.entries.iter().map(variant);
    let statuses = model.statuses.iter().map(|s| {
        let (status, sname, meaning, meaning_zh, alert) =
            (s.status, &s.name, &s.meaning, &s.meaning_zh, s.alert);
        let retry = policy(s.retry);
        quote!(#p::StatusInfo::__new(#status, #sname, #meaning, #meaning_zh, #retry, #alert))
    });
    let catalog = model.entries.iter().map(|e| {
        let (variant, status, cause, cause_zh, remedy, remedy_zh, alert) =
            (&e.variant, e.status, &e.cause, &e.cause_zh, &e.remedy, &e.remedy_zh, e.alert);
        let code = match &e.error {
            Some(c) => quote!(::core::option::Option::Some(#c)),
            None => quote!(::core::option::Option::None),
        };
        let template = template(&e.template);
        let retry = policy(e.retry);
        quote! {
            #p::CatalogEntry::__new(#variant, #status, #code, #template, #cause, #cause_zh, #remedy, #remedy_zh, #retry, #alert)
        }
    });
    let order = model.order.iter().map(|&i| Literal::u32_unsuffixed(u32::try_from(i).unwrap_or(u32::MAX)));
    let first = model.order.iter().map(|&i| {
        let byte = model.entries.get(i).and_then(|e| e.template.literals.first()?.bytes().next());
        Literal::u16_unsuffixed(byte.map_or(0, |b| u16::from(b) + 1))
    });
    let groups = groups(model).into_iter().map(|(status, code, start, end)| {
        let code = match code {
            Some(c) => quote!(::core::option::Option::Some(#c)),
            None => quote!(::core::option::Option::None),
        };
        let (start, end) = (Literal::u32_unsuffixed(start), Literal::u32_unsuffixed(end));
        quote!(#p::Group::__new(#status, #code, #start, #end))
    });
    let n_groups = groups.len();
    let hash = hash_table(model).into_iter().map(Literal::u16_unsuffixed);
    let n_hash = hash.len();
    let (n_status, n_entries) = (model.statuses.len(), model.entries.len());

    let build_arms = model.entries.iter().enumerate().map(|(i, e)| {
        let v = format_ident!("{}", e.variant);
        let i = Literal::usize_unsuffixed(i);
        if e.template.placeholders.is_empty() {
            return quote!(#i => ::core::option::Option::Some(Self::#v),);
        }
        let fields = e.template.placeholders.iter().enumerate().map(|(k, ph)| {
            let f = format_ident!("{}", ph.name);
            let k = Literal::usize_unsuffixed(k);
            match ph.kind {
                Kind::Str => quote!(#f: caps.string(#k)),
                Kind::U64 => quote!(#f: caps.u64(#k)?),
                Kind::List => quote!(#f: caps.list(#k)),
            }
        });
        quote!(#i => ::core::option::Option::Some(Self::#v { #(#fields),* }),)
    });
    let parts_arms = model.entries.iter().enumerate().map(|(i, e)| {
        let v = format_ident!("{}", e.variant);
        let i = Literal::usize_unsuffixed(i);
        if e.template.placeholders.is_empty() {
            return quote!(Self::#v => #p::Parts::known(&__TABLE, &__CATALOG[#i], &[]),);
        }
        let names: Vec<Ident> =
            e.template.placeholders.iter().map(|ph| format_ident!("{}", ph.name)).collect();
        let values = e.template.placeholders.iter().zip(&names).map(|(ph, f)| match ph.kind {
            Kind::Str => quote!(#p::FieldValue::Str(#f)),
            Kind::U64 => quote!(#p::FieldValue::U64(*#f)),
            Kind::List => quote!(#p::FieldValue::List(#f)),
        });
        quote!(Self::#v { #(#names),* } => #p::Parts::known(&__TABLE, &__CATALOG[#i], &[#(#values),*]),)
    });

    quote! {
        #[doc = #enum_doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An answer without a usable error body: not JSON, not an object, no `error`
            /// or `error_description`, or too large to read (an HTML 502 page, an empty 504).
            /// It keeps the status and the raw body.
            Status(::easemob_errors::StatusOnly),
            /// An error body the catalog does not list. It keeps everything the server
            /// sent: status, `error`, `error_description` and the raw body.
            Unknown(::easemob_errors::UnknownError),
        }

        const _: () = {
            use ::easemob_errors::__private as __p;
            #tracked

            static __STATUSES: [#p::StatusInfo; #n_status] = [#(#statuses),*];
            static __CATALOG: [#p::CatalogEntry; #n_entries] = [#(#catalog),*];
            static __ORDER: [u32; #n_entries] = [#(#order),*];
            static __FIRST: [u16; #n_entries] = [#(#first),*];
            static __GROUPS: [#p::Group; #n_groups] = [#(#groups),*];
            static __HASH: [u16; #n_hash] = [#(#hash),*];
            static __TABLE: #p::Table = #p::Table::__new(&__STATUSES, &__CATALOG, &__ORDER, &__FIRST, &__GROUPS, &__HASH);

            impl #name {
                /// Classifies a failed call from its HTTP status and raw body.
                ///
                /// Total: any status and any bytes give a value, without panicking. The body's
                /// `error` and `error_description` are matched against the catalog (status,
                /// `error`, description template); a body the catalog does not list gives
                /// [`Self::Unknown`], one without a usable error body [`Self::Status`].
                pub fn from_response(status: u16, body: &[u8]) -> Self {
                    Self::__from(#p::classify(&__TABLE, status, body, Self::__build))
                }

                /// The HTTP status.
                pub fn status(&self) -> u16 {
                    self.__parts().status()
                }

                /// The body's `error` string, if there was one.
                pub fn code(&self) -> ::core::option::Option<&str> {
                    self.__parts().code()
                }

                /// The body's `error_description`, exactly as the server sent it
                /// (rebuilt from the template and the captured values for known errors).
                pub fn description(&self) -> ::core::option::Option<::std::borrow::Cow<'_, str>> {
                    self.__parts().description()
                }

                /// Why this error happens (English); for unlisted errors, what the status means.
                pub fn cause(&self) -> ::core::option::Option<&'static str> {
                    self.__parts().cause()
                }

                /// Why this error happens (Chinese); for unlisted errors, what the status means.
                pub fn cause_zh(&self) -> ::core::option::Option<&'static str> {
                    self.__parts().cause_zh()
                }

                /// What to do about it (English), for listed errors.
                pub fn remedy(&self) -> ::core::option::Option<&'static str> {
                    self.__parts().remedy()
                }

                /// What to do about it (Chinese), for listed errors.
                pub fn remedy_zh(&self) -> ::core::option::Option<&'static str> {
                    self.__parts().remedy_zh()
                }

                /// The retry policy: the entry's, else its status's, else [`never`](::easemob_errors::RetryPolicy::Never).
                pub fn retry(&self) -> ::easemob_errors::RetryPolicy {
                    self.__parts().retry()
                }

                /// Whether this is a system error that must be logged and alerted on.
                pub fn should_alert(&self) -> bool {
                    self.__parts().should_alert()
                }

                /// Whether the catalog lists this error (not `Status` or `Unknown`).
                pub fn is_known(&self) -> bool {
                    self.__parts().is_known()
                }

                /// The variant's name, e.g. `"ReachLimit"`.
                pub fn variant_name(&self) -> &'static str {
                    self.__parts().variant_name()
                }

                /// The catalog entry of a listed error.
                pub fn catalog_entry(&self) -> ::core::option::Option<&'static ::easemob_errors::CatalogEntry> {
                    self.__parts().entry()
                }

                /// What the spec says about this error's status, if it declares it.
                pub fn status_info(&self) -> ::core::option::Option<&'static ::easemob_errors::StatusInfo> {
                    __TABLE.status_info(self.status())
                }

                /// The values captured from the description, by placeholder name.
                pub fn fields(&self) -> ::easemob_errors::Fields<'_> {
                    self.__parts().fields()
                }

                /// Every entry of the catalog, in spec order.
                pub fn catalog() -> &'static [::easemob_errors::CatalogEntry] {
                    &__CATALOG
                }

                /// Every status the spec declares, in ascending order.
                pub fn statuses() -> &'static [::easemob_errors::StatusInfo] {
                    &__STATUSES
                }

                /// What the spec says about `status`, if it declares it.
                pub fn info_for_status(status: u16) -> ::core::option::Option<&'static ::easemob_errors::StatusInfo> {
                    __TABLE.status_info(status)
                }

                fn __from(classified: #p::Classified<Self>) -> Self {
                    match classified {
                        #p::Classified::Known(known) => known,
                        #p::Classified::Status(status) => Self::Status(status),
                        #p::Classified::Unknown(unknown) => Self::Unknown(unknown),
                    }
                }

                fn __build(index: usize, caps: &#p::Captures<'_>) -> ::core::option::Option<Self> {
                    let _ = caps;
                    match index {
                        #(#build_arms)*
                        _ => ::core::option::Option::None,
                    }
                }

                fn __parts(&self) -> #p::Parts<'_> {
                    match self {
                        #(#parts_arms)*
                        Self::Status(status) => #p::Parts::status_only(&__TABLE, status),
                        Self::Unknown(unknown) => #p::Parts::unknown(&__TABLE, unknown),
                    }
                }
            }

            #[automatically_derived]
            impl ::core::fmt::Display for #name {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::core::fmt::Display::fmt(&self.__parts(), f)
                }
            }

            #[automatically_derived]
            impl ::std::error::Error for #name {}

            #[automatically_derived]
            impl ::easemob_errors::retry::Failure for #name {
                fn http_status(&self) -> ::core::option::Option<u16> {
                    ::core::option::Option::Some(self.status())
                }

                fn retry_policy(&self) -> ::easemob_errors::RetryPolicy {
                    self.retry()
                }

                fn is_system_error(&self) -> bool {
                    self.should_alert()
                }
            }

            #[automatically_derived]
            impl ::easemob_errors::retry::FromResponse for #name {
                fn from_response(status: u16, body: &[u8]) -> Self {
                    Self::from_response(status, body)
                }
            }

            #[automatically_derived]
            impl #p::serde::Serialize for #name {
                fn serialize<S: #p::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                    #p::serde::Serialize::serialize(&self.__parts(), serializer)
                }
            }

            #[automatically_derived]
            impl<'de> #p::serde::Deserialize<'de> for #name {
                fn deserialize<D: #p::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                    #p::deserialize(&__TABLE, deserializer, Self::__build).map(Self::__from)
                }
            }
        };
    }
}

/// The slot range of each distinct (status, `error`) in the lookup order.
fn groups(model: &Model) -> Vec<(u16, Option<&str>, u32, u32)> {
    let mut out: Vec<(u16, Option<&str>, u32, u32)> = Vec::new();
    for (slot, e) in model.order.iter().filter_map(|&i| model.entries.get(i)).enumerate() {
        let slot = u32::try_from(slot).unwrap_or(u32::MAX);
        match out.last_mut() {
            Some(last) if (last.0, last.1) == (e.status, e.error.as_deref()) => last.3 = slot + 1,
            _ => out.push((e.status, e.error.as_deref(), slot, slot + 1)),
        }
    }
    out
}

/// The runtime's `__private::group_hash` (`tests/hash.rs` checks they agree): status, length and the first and last eight
/// bytes of the `error`, mixed (the two must agree, or lookups find nothing).
pub fn group_hash(status: u16, code: Option<&str>) -> u64 {
    let bytes = code.map_or(&[][..], str::as_bytes);
    let word = |chunk: &[u8]| {
        let mut w = [0u8; 8];
        for (d, s) in w.iter_mut().zip(chunk) {
            *d = *s;
        }
        u64::from_le_bytes(w)
    };
    let head = word(bytes.get(..8).unwrap_or(bytes));
    let tail = word(bytes.get(bytes.len().saturating_sub(8)..).unwrap_or(bytes));
    let len = code.map_or(0, |c| c.len() as u64 + 1);
    let h = (u64::from(status) << 48)
        ^ (len << 32)
        ^ head.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ tail.rotate_left(29);
    let h = (h ^ (h >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 29)
}

/// The open-addressing table of groups: a power of two at least twice the number of
/// groups, each slot the group's index plus one (0: empty), linear probing.
fn hash_table(model: &Model) -> Vec<u16> {
    let groups = groups(model);
    let size = (groups.len() * 2).next_power_of_two().max(2);
    let mut table = vec![0u16; size];
    for (i, (status, code, _, _)) in groups.iter().enumerate() {
        let mut at = usize::try_from(group_hash(*status, *code) & (size as u64 - 1)).unwrap_or(0);
        while table[at] != 0 {
            at = (at + 1) & (size - 1);
        }
        table[at] = u16::try_from(i + 1).unwrap_or(u16::MAX);
    }
    table
}

/// `include_bytes!` of every spec file, so that cargo reruns the macro when one changes.
pub fn track(files: &[PathBuf]) -> TokenStream {
    let files = files.iter().filter_map(|f| f.to_str());
    quote!(#(const _: &[u8] = ::core::include_bytes!(#files);)*)
}

fn policy(p: Policy) -> TokenStream {
    let r = quote!(__p::RetryPolicy);
    match p {
        Policy::Never => quote!(#r::Never),
        Policy::RefreshToken => quote!(#r::RefreshToken),
        Policy::SplitBody => quote!(#r::SplitBody),
        Policy::Backoff(b) => {
            let (a, base, max) = (b.attempts, b.base_ms, b.max_ms);
            quote!(#r::Backoff(__p::Backoff::new(#a, #base, #max)))
        }
    }
}

fn template(t: &Template) -> TokenStream {
    let p = quote!(__p);
    let text = &t.text;
    let literals = &t.literals;
    let placeholders = t.placeholders.iter().map(|ph| {
        let name = &ph.name;
        let kind = match ph.kind {
            Kind::Str => quote!(Str),
            Kind::U64 => quote!(U64),
            Kind::List => quote!(List),
        };
        quote!(#p::Placeholder::__new(#name, #p::PlaceholderKind::#kind))
    });
    quote!(#p::Template::__new(#text, &[#(#literals),*], &[#(#placeholders),*]))
}

/// A policy in words, for docs and tables.
pub fn policy_text(p: Policy) -> String {
    match p {
        Policy::Never => "never".into(),
        Policy::RefreshToken => "refresh the app token, then retry once".into(),
        Policy::SplitBody => "split the body into smaller ones, then retry".into(),
        Policy::Backoff(b) => format!(
            "backoff: up to {} attempts, {} ms base delay, {} ms max",
            b.attempts, b.base_ms, b.max_ms
        ),
    }
}

fn code_text(e: &EntryModel) -> String {
    e.error.as_ref().map_or_else(|| "(no `error`)".to_owned(), |c| format!("`{c}`"))
}

/// Shows a template inside Markdown inline code (backticks doubled around text with backticks).
fn code_span(text: &str) -> String {
    let one_line = text.replace('\n', "\\n");
    if one_line.contains('`') { format!("`` {one_line} ``") } else { format!("`{one_line}`") }
}

fn enum_doc(model: &Model) -> String {
    let mut doc = String::new();
    match &model.doc {
        Some(d) => doc.push_str(d),
        None => {
            let _ = write!(doc, "The errors of this API, generated from its spec by `include_errors!`.");
        }
    }
    doc.push_str(
        "\n\nBuild one with `from_response(status, body)`; match on the variants, or ask it for \
         `status()`, `code()`, `description()`, `cause()`, `retry()` and `should_alert()`.\n",
    );
    if !model.statuses.is_empty() {
        doc.push_str("\n# Statuses\n\n| status | meaning | retry | alert |\n|---|---|---|---|\n");
        for s in &model.statuses {
            let _ = writeln!(
                doc,
                "| {} {} | {} | {} | {} |",
                s.status,
                s.name,
                s.meaning.replace('|', "\\|"),
                policy_text(s.retry),
                if s.alert { "yes" } else { "no" }
            );
        }
    }
    if !model.entries.is_empty() {
        doc.push_str(
            "\n# Catalog\n\n| variant | status | `error` | description | retry |\n|---|---|---|---|---|\n",
        );
        for e in &model.entries {
            let _ = writeln!(
                doc,
                "| [`{v}`](Self::{v}) | {} | {} | {} | {} |",
                e.status,
                code_text(e),
                code_span(&e.template.text).replace('|', "\\|"),
                policy_text(e.retry),
                v = e.variant
            );
        }
    }
    doc
}

fn variant(e: &EntryModel) -> TokenStream {
    let v = format_ident!("{}", e.variant);
    let mut doc = format!("**{} {}** — {}\n\n", e.status, code_text(e), code_span(&e.template.text));
    if e.catch_all {
        doc.push_str("Matches any description with this status and `error` that no other entry matches.\n\n");
    }
    let _ = write!(
        doc,
        "**Cause:** {}\n\n**Remedy:** {}\n\n**原因:** {}\n\n**处理:** {}\n\n**Retry:** {}. **Alert:** {}.",
        e.cause,
        e.remedy,
        e.cause_zh,
        e.remedy_zh,
        policy_text(e.retry),
        if e.alert { "yes" } else { "no" }
    );
    if e.template.placeholders.is_empty() {
        return quote!(#[doc = #doc] #v,);
    }
    let fields = e.template.placeholders.iter().map(|ph| {
        let f = format_ident!("{}", ph.name);
        let fdoc = format!("The `{{{}}}` value of the description.", ph.name);
        let ty = match ph.kind {
            Kind::Str => quote!(::std::string::String),
            Kind::U64 => quote!(u64),
            Kind::List => quote!(::std::vec::Vec<::std::string::String>),
        };
        quote!(#[doc = #fdoc] #f: #ty)
    });
    quote!(#[doc = #doc] #v { #(#fields),* },)
}
