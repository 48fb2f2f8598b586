//! Stage 3, expand: a validated [`Model`] into the source text of the generated enum.
//!
//! Lookups are data, not code: the catalog, the statuses, the lookup slots and a hash
//! table of (status, `error`) groups are static arrays the runtime reads, so the generated
//! code grows linearly with the spec and holds one `match` arm per entry in each of two
//! small functions (`__build` and `__parts`); `Debug`, `Clone` and `PartialEq` go through
//! them instead of being derived with an arm per variant each.
//!
//! The output is Rust source text, which the macro hands to the compiler's own lexer
//! (`TokenStream::from_str`): building tens of thousands of tokens one by one in an
//! unoptimized proc-macro costs far more than writing their text.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::template::{Kind, Template};
use crate::validate::{EntryModel, Model, Policy};

/// A Rust string literal of `s` (`str`'s `Debug` output is valid Rust literal syntax).
struct Lit<'a>(&'a str);

impl std::fmt::Display for Lit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// An optional string as `::core::option::Option<&str>` source.
struct OptLit<'a>(Option<&'a str>);

impl std::fmt::Display for OptLit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(s) => write!(f, "::core::option::Option::Some({:?})", s),
            None => f.write_str("::core::option::Option::None"),
        }
    }
}

/// Expands a model into source text. `model.files` are tracked with `include_bytes!`
/// so that cargo rebuilds the invoking crate when the spec changes.
pub fn expand(model: &Model) -> String {
    let mut out = String::with_capacity(1024 + model.entries.len() * 1024);
    let o = &mut out;
    let name = &model.name;

    // The enum.
    let _ = writeln!(o, "#[doc = {}]", Lit(&enum_doc(model)));
    o.push_str("#[non_exhaustive]\n");
    let _ = writeln!(o, "pub enum {name} {{");
    for e in &model.entries {
        variant(o, e);
    }
    o.push_str(ENUM_TAIL);

    // The statics and impls, in a private block that imports the runtime's support once.
    o.push_str("const _: () = {\nuse ::easemob_errors::__private as __p;\n");
    o.push_str(&track(&model.files));
    let _ = writeln!(o, "static __STATUSES: [__p::StatusInfo; {}] = [", model.statuses.len());
    for s in &model.statuses {
        let _ = write!(
            o,
            "__p::StatusInfo::__new({}u16, {}, {}, {}, ",
            s.status,
            Lit(&s.name),
            Lit(&s.meaning),
            Lit(&s.meaning_zh)
        );
        policy(o, s.retry);
        let _ = writeln!(o, ", {}),", s.alert);
    }
    o.push_str("];\n");
    let _ = writeln!(o, "static __CATALOG: [__p::CatalogEntry; {}] = [", model.entries.len());
    for e in &model.entries {
        let _ = write!(
            o,
            "__p::CatalogEntry::__new({}, {}u16, {}, ",
            Lit(&e.variant),
            e.status,
            OptLit(e.error.as_deref())
        );
        template(o, &e.template);
        let _ = write!(
            o,
            ", {}, {}, {}, {}, ",
            Lit(&e.cause),
            Lit(&e.cause_zh),
            Lit(&e.remedy),
            Lit(&e.remedy_zh)
        );
        policy(o, e.retry);
        let _ = writeln!(o, ", {}),", e.alert);
    }
    o.push_str("];\n");
    let slots = slots(model);
    let n = slots.len();
    let _ = write!(o, "static __ORDER: [u32; {n}] = [");
    for s in &slots {
        let _ = write!(o, "{},", s.index);
    }
    let _ = write!(o, "];\nstatic __FIRST: [u16; {n}] = [");
    for s in &slots {
        let _ = write!(o, "{},", s.first);
    }
    let _ = write!(o, "];\nstatic __RANK: [u32; {n}] = [");
    for s in &slots {
        let _ = write!(o, "{},", s.rank);
    }
    o.push_str("];\n");
    let groups = groups(model);
    let _ = writeln!(o, "static __GROUPS: [__p::Group; {}] = [", groups.len());
    for (status, code, start, end) in &groups {
        let _ = writeln!(o, "__p::Group::__new({status}u16, {}, {start}, {end}),", OptLit(*code));
    }
    let hash = hash_table(model);
    let _ = write!(o, "];\nstatic __HASH: [u16; {}] = [", hash.len());
    for h in &hash {
        let _ = write!(o, "{h},");
    }
    o.push_str(
        "];\nstatic __TABLE: __p::Table = __p::Table::__new(&__STATUSES, &__CATALOG, &__ORDER, \
         &__FIRST, &__RANK, &__GROUPS, &__HASH);\n",
    );

    let _ = writeln!(o, "impl {name} {{");
    o.push_str(METHODS);
    // One arm per entry: its variant from the values of its placeholders.
    o.push_str(
        "fn __build(index: usize, values: &__p::Values<'_>) -> ::core::option::Option<Self> {\n\
         let _ = values;\nmatch index {\n",
    );
    for (i, e) in model.entries.iter().enumerate() {
        let v = &e.variant;
        if e.template.placeholders.is_empty() {
            let _ = writeln!(o, "{i} => ::core::option::Option::Some(Self::{v}),");
            continue;
        }
        let _ = write!(o, "{i} => ::core::option::Option::Some(Self::{v} {{ ");
        for (k, ph) in e.template.placeholders.iter().enumerate() {
            let f = &ph.name;
            let _ = match ph.kind {
                Kind::Str => write!(o, "{f}: values.string({k}), "),
                Kind::U64 => write!(o, "{f}: values.u64({k})?, "),
                Kind::List => write!(o, "{f}: values.list({k}), "),
            };
        }
        o.push_str("}),\n");
    }
    o.push_str("_ => ::core::option::Option::None,\n}\n}\n");
    // One arm per entry: its catalog index and a view of its values.
    o.push_str("fn __parts(&self) -> __p::Parts<'_> {\nmatch self {\n");
    for (i, e) in model.entries.iter().enumerate() {
        let v = &e.variant;
        if e.template.placeholders.is_empty() {
            let _ = writeln!(o, "Self::{v} => __p::Parts::known(&__TABLE, {i}, &[]),");
            continue;
        }
        let _ = write!(o, "Self::{v} {{ ");
        for ph in &e.template.placeholders {
            let _ = write!(o, "{}, ", ph.name);
        }
        let _ = write!(o, "}} => __p::Parts::known(&__TABLE, {i}, &[");
        for ph in &e.template.placeholders {
            let f = &ph.name;
            let _ = match ph.kind {
                Kind::Str => write!(o, "__p::FieldValue::Str({f}), "),
                Kind::U64 => write!(o, "__p::FieldValue::U64(*{f}), "),
                Kind::List => write!(o, "__p::FieldValue::List({f}), "),
            };
        }
        o.push_str("]),\n");
    }
    o.push_str(
        "Self::Status(status) => __p::Parts::status_only(&__TABLE, status),\n\
         Self::Unknown(unknown) => __p::Parts::unknown(&__TABLE, unknown),\n}\n}\n}\n",
    );
    o.push_str(&TRAITS.replace("__NAME__", name));
    o.push_str("};\n");
    out
}

/// The two variants every generated enum ends with.
const ENUM_TAIL: &str = "\
/// An answer without a usable error body: not JSON, not an object, no `error`
/// or `error_description`, or too large to read (an HTML 502 page, an empty 504).
/// It keeps the status and the raw body.
Status(::easemob_errors::StatusOnly),
/// An error body the catalog does not list. It keeps everything the server
/// sent: status, `error`, `error_description` and the raw body.
Unknown(::easemob_errors::UnknownError),
}
";

/// The inherent methods that do not depend on the entries.
const METHODS: &str = r#"/// Classifies a failed call from its HTTP status and raw body.
///
/// Total: any status and any bytes give a value, without panicking. The body's
/// `error` and `error_description` are matched against the catalog (status,
/// `error`, description template); a body the catalog does not list gives
/// [`Self::Unknown`], one without a usable error body [`Self::Status`].
pub fn from_response(status: u16, body: &[u8]) -> Self {
    Self::__from(__p::classify(&__TABLE, status, body, Self::__build))
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

fn __from(classified: __p::Classified<Self>) -> Self {
    match classified {
        __p::Classified::Known(known) => known,
        __p::Classified::Status(status) => Self::Status(status),
        __p::Classified::Unknown(unknown) => Self::Unknown(unknown),
    }
}
"#;

/// The trait impls; `__NAME__` is the enum's name.
const TRAITS: &str = r#"
#[automatically_derived]
impl ::core::fmt::Debug for __NAME__ {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        __p::debug(&self.__parts(), f)
    }
}

#[automatically_derived]
impl ::core::clone::Clone for __NAME__ {
    fn clone(&self) -> Self {
        Self::__from(__p::clone(&self.__parts(), Self::__build))
    }
}

#[automatically_derived]
impl ::core::cmp::PartialEq for __NAME__ {
    fn eq(&self, other: &Self) -> bool {
        __p::eq(&self.__parts(), &other.__parts())
    }
}

#[automatically_derived]
impl ::core::cmp::Eq for __NAME__ {}

#[automatically_derived]
impl ::core::fmt::Display for __NAME__ {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        ::core::fmt::Display::fmt(&self.__parts(), f)
    }
}

#[automatically_derived]
impl ::std::error::Error for __NAME__ {}

#[automatically_derived]
impl ::easemob_errors::retry::Failure for __NAME__ {
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
impl ::easemob_errors::retry::FromResponse for __NAME__ {
    fn from_response(status: u16, body: &[u8]) -> Self {
        Self::from_response(status, body)
    }
}

#[automatically_derived]
impl __p::serde::Serialize for __NAME__ {
    fn serialize<S: __p::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
        __p::serde::Serialize::serialize(&self.__parts(), serializer)
    }
}

#[automatically_derived]
impl<'de> __p::serde::Deserialize<'de> for __NAME__ {
    fn deserialize<D: __p::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
        __p::deserialize(&__TABLE, deserializer, Self::__build).map(Self::__from)
    }
}
"#;

/// One lookup slot: the entry, its template's first byte plus one (0: a placeholder
/// first), and its rank in its group's lookup order.
struct Slot {
    index: usize,
    first: u16,
    rank: usize,
}

/// The lookup slots: the model's lookup order, each group's slots sorted by first byte
/// (so the runtime finds the candidates for a description by binary search), keeping
/// their rank.
fn slots(model: &Model) -> Vec<Slot> {
    let mut slots: Vec<Slot> = Vec::with_capacity(model.order.len());
    for (start, end) in groups(model).iter().map(|g| (g.2 as usize, g.3 as usize)) {
        let mut group: Vec<Slot> = model
            .order
            .get(start..end)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(rank, &index)| {
                let byte = model.entries.get(index).and_then(|e| e.template.literals.first()?.bytes().next());
                Slot { index, first: byte.map_or(0, |b| u16::from(b) + 1), rank }
            })
            .collect();
        group.sort_by_key(|s| (s.first, s.rank));
        slots.extend(group);
    }
    slots
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
pub fn track(files: &[PathBuf]) -> String {
    let mut out = String::new();
    for f in files.iter().filter_map(|f| f.to_str()) {
        let _ = writeln!(out, "const _: &[u8] = ::core::include_bytes!({});", Lit(f));
    }
    out
}

fn policy(o: &mut String, p: Policy) {
    let _ = match p {
        Policy::Never => write!(o, "__p::RetryPolicy::Never"),
        Policy::RefreshToken => write!(o, "__p::RetryPolicy::RefreshToken"),
        Policy::SplitBody => write!(o, "__p::RetryPolicy::SplitBody"),
        Policy::Backoff(b) => write!(
            o,
            "__p::RetryPolicy::Backoff(__p::Backoff::new({}u32, {}u64, {}u64))",
            b.attempts, b.base_ms, b.max_ms
        ),
    };
}

fn template(o: &mut String, t: &Template) {
    let _ = write!(o, "__p::Template::__new({}, &[", Lit(&t.text));
    for (i, l) in t.literals.iter().enumerate() {
        let _ = write!(o, "{}{}", if i > 0 { ", " } else { "" }, Lit(l));
    }
    o.push_str("], &[");
    for (i, ph) in t.placeholders.iter().enumerate() {
        let kind = match ph.kind {
            Kind::Str => "Str",
            Kind::U64 => "U64",
            Kind::List => "List",
        };
        let sep = if i > 0 { ", " } else { "" };
        let _ = write!(o, "{sep}__p::Placeholder::__new({}, __p::PlaceholderKind::{kind})", Lit(&ph.name));
    }
    o.push_str("])");
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

fn variant(o: &mut String, e: &EntryModel) {
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
    let _ = writeln!(o, "#[doc = {}]", Lit(&doc));
    if e.template.placeholders.is_empty() {
        let _ = writeln!(o, "{},", e.variant);
        return;
    }
    let _ = writeln!(o, "{} {{", e.variant);
    for ph in &e.template.placeholders {
        let ty = match ph.kind {
            Kind::Str => "::std::string::String",
            Kind::U64 => "u64",
            Kind::List => "::std::vec::Vec<::std::string::String>",
        };
        let _ = writeln!(o, "/// The `{{{}}}` value of the description.\n{}: {ty},", ph.name, ph.name);
    }
    o.push_str("},\n");
}
