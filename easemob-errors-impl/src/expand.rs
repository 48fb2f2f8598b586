//! Stage 3, expand: a validated [`Model`] into the source text of the generated enum.
//!
//! Lookups are data, not code: the catalog, the statuses, the lookup slots and a hash
//! table of (status, `error`) groups are static arrays of plain values (every string in
//! one literal, cut at offsets; integers) that the runtime reads, so the generated code
//! grows linearly with the spec and holds one `match` arm per entry in each of two
//! small functions (`__build`, a constructor an arm; `__parts`, a constant an arm, then
//! an arm per shape of values whose or-pattern lists the variants of that shape);
//! `Debug`, `Clone` and `PartialEq` go through them instead of being derived with an arm
//! per variant each. What the compiler spends on each construct was measured at 10,000
//! entries (see BENCHMARKS.md): arrays of structs or nested constructors, a `match`
//! dispatching on thousands of or-patterns, `?` in thousands of arms and integer arrays
//! (now byte strings) each cost seconds.
//!
//! The output is Rust source text, which the macro hands to the compiler's own lexer
//! (`TokenStream::from_str`): building tens of thousands of tokens one by one in an
//! unoptimized proc-macro costs far more than writing their text.

use std::path::PathBuf;

use crate::template::Kind;
use crate::validate::{EntryModel, Model, Policy};

/// The generated source as it is written. Its few operations stay cheap in the
/// unoptimized macro: text is appended in as few pieces as possible and without the
/// formatting machinery.
struct Out {
    /// What is written, but for `pending`.
    text: String,
    /// Pieces, gathered here and appended together: an append to `text` costs ~420
    /// instructions a call in the unoptimized macro (the standard library's
    /// precondition checks), one `copy_from_slice` into this buffer ~150 whatever the
    /// piece's length (a byte-by-byte loop ~38 a byte), and most pieces are short.
    pending: [u8; PENDING],
    /// How much of `pending` is in use.
    len: usize,
}

/// Room for pieces before they are appended.
const PENDING: usize = 8192;

/// Pieces up to this long are gathered; longer ones are appended at once.
const SHORT: usize = 1024;

impl Out {
    fn new(capacity: usize) -> Self {
        Out { text: String::with_capacity(capacity), pending: [0; PENDING], len: 0 }
    }

    /// Source text, as is.
    #[inline(always)]
    fn s(&mut self, text: &str) -> &mut Self {
        if text.len() <= SHORT {
            self.bytes(text.as_bytes())
        } else {
            // A long piece (a part written on another thread, say) goes in at once,
            // already known to be text.
            self.flush();
            self.text.push_str(text);
            self
        }
    }

    /// Bytes of source text (whole `str`s, or ASCII).
    fn bytes(&mut self, piece: &[u8]) -> &mut Self {
        if piece.len() <= SHORT {
            if self.len + piece.len() > PENDING {
                self.flush();
            }
            let end = self.len + piece.len();
            if let Some(room) = self.pending.get_mut(self.len..end) {
                room.copy_from_slice(piece);
                self.len = end;
            }
        } else {
            self.flush();
            self.push_text(piece);
        }
        self
    }

    /// Appends the gathered pieces.
    fn flush(&mut self) {
        if self.len > 0 {
            Self::push_checked(&mut self.text, self.pending.get(..self.len).unwrap_or_default());
            self.len = 0;
        }
    }

    /// Appends bytes of whole `str`s (or ASCII), checked to be text as they are: each
    /// part of the output is checked on the thread that writes it, once.
    fn push_text(&mut self, bytes: &[u8]) {
        Self::push_checked(&mut self.text, bytes);
    }

    fn push_checked(text: &mut String, bytes: &[u8]) {
        match std::str::from_utf8(bytes) {
            Ok(piece) => text.push_str(piece),
            // Never happens (only whole `str`s are written); kept visible if it did.
            Err(_) => text.push_str(&String::from_utf8_lossy(bytes)),
        }
    }

    /// The text written.
    fn text(mut self) -> String {
        self.flush();
        self.text
    }

    /// A number.
    fn n(&mut self, n: u64) -> &mut Self {
        let (digits, at) = digits(n);
        self.bytes(digits.get(at..).unwrap_or_default())
    }

    /// Integers as one byte-string literal, `width` bytes each, little-endian
    /// (`b"\x05\0\0\0..."`): the compiler reads a literal at once, where an array
    /// literal costs it type checking and evaluation per element (at 10,000 entries,
    /// ~190,000 elements: a tenth of the build). Printable bytes other than digits are
    /// written as they are, zeros as `\0`, the others in hex. Written through a buffer
    /// on the stack with plain array indexing: appending to the output costs hundreds of
    /// instructions a call in the unoptimized macro, and specs of thousands of entries
    /// have hundreds of thousands of numbers.
    fn le_bytes<T: Copy + Into<u64>>(&mut self, values: &[T], width: usize) -> &mut Self {
        const ROOM: usize = 4096;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; ROOM];
        let mut len = 0;
        self.bytes(b"b\"");
        for &v in values {
            if len + 4 * 8 > ROOM {
                self.bytes(buf.get(..len).unwrap_or_default());
                len = 0;
            }
            let v: u64 = v.into();
            let mut k = 0;
            while k < width && k < 8 {
                let b = (v >> (8 * k)) as u8;
                match b {
                    0 => {
                        buf[len] = b'\\';
                        buf[len + 1] = b'0';
                        len += 2;
                    }
                    // Digits in hex too: `\0` then `1` would read like an octal escape.
                    b' '..=b'~' if !b.is_ascii_digit() && b != b'"' && b != b'\\' => {
                        buf[len] = b;
                        len += 1;
                    }
                    _ => {
                        buf[len] = b'\\';
                        buf[len + 1] = b'x';
                        buf[len + 2] = HEX[usize::from(b >> 4)];
                        buf[len + 3] = HEX[usize::from(b & 15)];
                        len += 4;
                    }
                }
                k += 1;
            }
        }
        self.bytes(buf.get(..len).unwrap_or_default());
        self.bytes(b"\"")
    }

    /// A string literal of `text`.
    fn lit(&mut self, text: &str) -> &mut Self {
        self.bytes(b"\"");
        self.esc(text);
        self.bytes(b"\"");
        self
    }

    /// `text` as the inside of a string literal: as is, in runs, except for what a
    /// literal cannot hold or should not show raw (quotes, backslashes, control
    /// characters, and the bidirectional overrides rustc warns about), escaped.
    fn esc(&mut self, text: &str) -> &mut Self {
        let bytes = text.as_bytes();
        let (mut run, mut i) = (0, 0);
        loop {
            // Text is skipped eight bytes at a time, up to what may need escaping: quotes,
            // backslashes, control bytes, and the lead bytes of the non-ASCII characters
            // that may (0xc2: U+0080-U+00BF, the C1 controls among them; 0xe2: the
            // bidirectional overrides among U+2000-U+2FFF).
            i = crate::scan::until(bytes, i, [b'"', b'\\', 0xc2, 0xe2]);
            let Some(&b) = bytes.get(i) else { break };
            let c = if b < 0x80 {
                char::from(b)
            } else {
                text.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ')
            };
            let escape = match b {
                b'"' => Some("\\\""),
                b'\\' => Some("\\\\"),
                b'\n' => Some("\\n"),
                b'\r' => Some("\\r"),
                b'\t' => Some("\\t"),
                0..=0x1f | 0x7f => Some(""),
                _ if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                    Some("")
                }
                _ => None,
            };
            if let Some(escape) = escape {
                self.s(text.get(run..i).unwrap_or(""));
                if escape.is_empty() {
                    self.unicode_escape(c);
                } else {
                    self.s(escape);
                }
                run = i + c.len_utf8();
            }
            i += c.len_utf8();
        }
        self.s(text.get(run..).unwrap_or(""));
        self
    }

    /// `text` as the inside of a string literal: as it is when it is `verbatim` (see
    /// [`crate::spec::Verbatim`]: nothing in it to escape, known from reading the spec),
    /// else [escaped](Self::esc).
    fn esc_unless(&mut self, verbatim: bool, text: &str) -> &mut Self {
        if verbatim { self.s(text) } else { self.esc(text) }
    }

    /// `\u{...}` of `c`.
    fn unicode_escape(&mut self, c: char) -> &mut Self {
        // Hex digits by hand: `format!` costs about a thousand instructions unoptimized.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0u8; 8];
        let mut at = digits.len();
        let mut v = u32::from(c);
        loop {
            at -= 1;
            digits[at] = HEX[(v & 15) as usize];
            v >>= 4;
            if v == 0 {
                break;
            }
        }
        self.s("\\u{").bytes(digits.get(at..).unwrap_or_default()).s("}")
    }
}

/// The decimal digits of `n`: `digits[at..]` (filled from the right with plain array
/// indexing, which costs no calls in the unoptimized macro; a u64 has at most 20).
fn digits(n: u64) -> ([u8; 20], usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    (digits, at)
}

/// Expands a model into source text. `model.files` are tracked with `include_bytes!`
/// so that cargo rebuilds the invoking crate when the spec changes.
pub fn expand(model: &Model) -> String {
    let entries = &model.entries;
    if entries.len() < PARALLEL_FROM {
        let layout = Layout::new(model);
        let mut o = Out::new(4096 + entries.len() * 1024);
        enum_source(&mut o, model, entries, true, true);
        data_source(&mut o, model, &layout);
        tail_source(&mut o, model, &layout);
        return o.text();
    }
    // Two threads for a large spec, each with about half the work (by instructions, as
    // callgrind counts them at 10,000 entries). This one works out the layout, then
    // writes the enum's doc (its catalog table) and header, and the catalog's data,
    // straight into the output; the other writes the variants (which need no layout),
    // then the methods and trait impls, each handed over when done and appended in
    // source order. One buffer, filled once: no copy of the whole text at the end.
    let layout_cell = std::sync::OnceLock::new();
    let (variants_tx, variants_rx) = std::sync::mpsc::sync_channel::<String>(1);
    // Says the layout is set; dropped unsent if working it out failed, which stops the
    // other thread instead of leaving it waiting.
    let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<()>(1);
    std::thread::scope(|scope| {
        // Owned here, so that a failure below drops it before the scope waits for the
        // other thread.
        let ready_tx = ready_tx;
        let layout_cell = &layout_cell;
        let other = std::thread::Builder::new().spawn_scoped(scope, move || {
            let mut v = Out::new(4096 + entries.len() * 320);
            enum_source(&mut v, model, entries, false, true);
            let _ = variants_tx.send(v.text());
            ready_rx.recv().ok()?;
            let mut t = Out::new(4096 + entries.len() * 256);
            tail_source(&mut t, model, layout_cell.get()?);
            Some(t.text())
        });
        let layout = layout_cell.get_or_init(|| Layout::new(model));
        let _ = ready_tx.send(());
        let mut o = Out::new(4096 + entries.len() * 1024);
        enum_source(&mut o, model, &[], true, false);
        // What the other thread could not do (it never panics; it may not start) is
        // done here.
        match variants_rx.recv() {
            Ok(variants) => o.s(&variants),
            Err(_) => {
                enum_source(&mut o, model, entries, false, true);
                &mut o
            }
        };
        data_source(&mut o, model, layout);
        match other.ok().map(|t| t.join()) {
            Some(Ok(Some(tail))) => o.s(&tail),
            _ => {
                tail_source(&mut o, model, layout);
                &mut o
            }
        };
        o.text()
    })
}

/// Expands a model the caller is done with, then lets it go: a large model's memory
/// (tens of thousands of strings at 10,000 entries, several milliseconds to free) is
/// freed on a thread of its own, so that the compiler gets the text sooner.
pub fn expand_and_release(model: Model) -> String {
    let text = expand(&model);
    if model.entries.len() >= PARALLEL_FROM {
        // If no thread can start, the model is dropped here, with the closure.
        let _ = std::thread::Builder::new().spawn(move || drop(model));
    }
    text
}

/// What both halves of the expansion need: the (status, `error`) groups and each
/// entry's, and the distinct retry policies and each entry's.
struct Layout<'m> {
    /// Status, `error`, first and end slot, in lookup order.
    groups: Vec<(u16, Option<&'m str>, u32, u32)>,
    /// Per entry, its group.
    entry_group: Vec<u32>,
    /// The distinct policies, in order of first use.
    policies: Vec<Policy>,
    /// Per entry, its policy.
    entry_policy: Vec<u32>,
    /// Per entry, its shape: 0 without values, else 1 + the rank of its [`shape_key`]
    /// among the spec's distinct ones.
    shapes: Vec<u16>,
}

impl<'m> Layout<'m> {
    fn new(model: &'m Model) -> Self {
        let groups = groups(model);
        // Groups are runs of the lookup order: each slot's entry is in the slot's group.
        let mut entry_group = vec![0u32; model.entries.len()];
        for (g, &(_, _, start, end)) in groups.iter().enumerate() {
            for &index in model.order.get(start as usize..end as usize).unwrap_or(&[]) {
                if let Some(slot) = entry_group.get_mut(index) {
                    *slot = g as u32;
                }
            }
        }
        // Few distinct policies, in order of first use: a small list, searched with
        // plain indexing (a map or an iterator costs hundreds of instructions a step in
        // the unoptimized macro).
        let mut policies: Vec<Policy> = Vec::new();
        let mut entry_policy = Vec::with_capacity(model.entries.len());
        for e in &model.entries {
            let known = policies.as_slice();
            let mut p = 0;
            while p < known.len() && known[p] != e.retry {
                p += 1;
            }
            if p == known.len() {
                policies.push(e.retry);
            }
            entry_policy.push(p as u32);
        }
        // Few distinct shapes: a small list, searched (at most 9,840: eight values, three
        // kinds).
        let keys: Vec<u64> = model.entries.iter().map(shape_key).collect();
        let mut distinct: Vec<u64> = Vec::new();
        for &key in &keys {
            if key != 0 && !distinct.contains(&key) {
                distinct.push(key);
            }
        }
        distinct.sort_unstable();
        let shapes =
            keys.iter().map(|key| distinct.binary_search(key).map_or(0, |rank| rank as u16 + 1)).collect();
        Layout { groups, entry_group, policies, entry_policy, shapes }
    }
}

/// Entries from which [`expand`] writes its two halves on two threads.
const PARALLEL_FROM: usize = 2000;

/// The enum: its doc attribute (with the catalog table) and `entries`' variants. `start`
/// writes the enum's doc and header before them, `end` the fallback variants after them
/// (one call with both writes the whole enum).
fn enum_source(o: &mut Out, model: &Model, entries: &[EntryModel], start: bool, end: bool) {
    if start {
        o.s("#[doc = \"");
        enum_doc(o, model);
        o.s("\"]\n#[non_exhaustive]\npub enum ").s(&model.name).s(" {\n");
    }
    for e in entries {
        variant(o, e);
    }
    if end {
        o.s(ENUM_TAIL);
    }
}

/// The private block's start: the import of the runtime's support, the tracked files,
/// the statuses and the catalog's data (`__p::Data`).
///
/// The catalog is arrays of plain values, not an array of structs: every string in one
/// literal (one string a line) cut at offsets, and integer arrays. The compiler checks
/// and compiles that in a fraction of the time an initializer per entry takes, which
/// matters for specs of thousands of entries.
fn data_source(o: &mut Out, model: &Model, layout: &Layout<'_>) {
    // The statics and impls, in a private block that imports the runtime's support once.
    o.s("const _: () = {\nuse ::easemob_errors::__private as __p;\n");
    track(o, &model.files);
    o.s("static __STATUSES: [__p::StatusInfo; ").n(model.statuses.len() as u64).s("] = [\n");
    for s in &model.statuses {
        o.s("__p::StatusInfo::__new(").n(u64::from(s.status)).s("u16, ");
        o.lit(&s.name).s(", ").lit(&s.meaning).s(", ").lit(&s.meaning_zh).s(", ");
        policy(o, s.retry);
        o.s(if s.alert { ", true),\n" } else { ", false),\n" });
    }
    o.s("];\nstatic __POLICIES: [__p::RetryPolicy; ").n(layout.policies.len() as u64).s("] = [\n");
    for &p in &layout.policies {
        policy(o, p);
        o.s(",\n");
    }
    // Every string: per entry its variant, template, causes, remedies, then literals
    // and placeholder names alternating; then each group's `error`.
    o.s("];\nstatic __TEXT: &str = \"");
    let mut cuts: Vec<u32> = Vec::with_capacity(model.entries.len() * 8 + layout.groups.len() + 1);
    let mut len = 0usize;
    // `verbatim`: the text needs no escaping (see `Out::esc_unless`).
    let mut string = |o: &mut Out, text: &str, verbatim: bool| {
        cuts.push(u32::try_from(len).unwrap_or(u32::MAX));
        len += text.len();
        o.s("\\\n");
        // A line continuation skips the whitespace the next line starts with, which is
        // escaped. Only an ASCII space or control byte, or a non-ASCII character, can be
        // whitespace: the first byte tells most texts apart without decoding.
        let lead = text.as_bytes().first().is_some_and(|&b| b <= b' ' || b >= 0x80);
        if lead && let Some(c) = text.chars().next().filter(|c| c.is_whitespace()) {
            o.unicode_escape(c);
            o.esc_unless(verbatim, text.get(c.len_utf8()..).unwrap_or(""));
        } else {
            o.esc_unless(verbatim, text);
        }
    };
    for e in &model.entries {
        // Variant and placeholder names are identifiers (validated): nothing to escape.
        // Texts read verbatim from the spec need no escaping either.
        string(o, &e.variant, true);
        let v = e.verbatim;
        string(o, &e.template.text, v.description);
        string(o, &e.cause, v.cause);
        string(o, &e.cause_zh, v.cause_zh);
        string(o, &e.remedy, v.remedy);
        string(o, &e.remedy_zh, v.remedy_zh);
        let t = &e.template;
        for (i, lit) in t.literals.iter().enumerate() {
            string(o, lit, v.description);
            if let Some(ph) = t.placeholders.get(i) {
                string(o, &ph.name, true);
            }
        }
    }
    for &(_, code, _, _) in &layout.groups {
        string(o, code.unwrap_or(""), false);
    }
    cuts.push(u32::try_from(len).unwrap_or(u32::MAX));
    o.s("\";\n");
    table(o, "__CUTS", &cuts, 4);
    let mut placeholders = Vec::with_capacity(model.entries.len() + 1);
    let mut kinds: Vec<u8> = Vec::new();
    for e in &model.entries {
        placeholders.push(kinds.len() as u32);
        kinds.extend(e.template.placeholders.iter().map(|p| match p.kind {
            Kind::Str => 0,
            Kind::U64 => 1,
            Kind::List => 2,
        }));
    }
    placeholders.push(kinds.len() as u32);
    table(o, "__PLACEHOLDERS", &placeholders, 4);
    table(o, "__KINDS", &kinds, 1);
    table(o, "__GROUP", &layout.entry_group, 4);
    table(o, "__RETRY", &layout.entry_policy, 4);
    let alert: Vec<u8> = model.entries.iter().map(|e| u8::from(e.alert)).collect();
    table(o, "__ALERT", &alert, 1);
}

/// `static NAME: &[u8] = b"...";`: `values`, `width` bytes each, little-endian.
fn table<T: Copy + Into<u64>>(o: &mut Out, name: &str, values: &[T], width: usize) {
    o.s("static ").s(name).s(": &[u8] = ");
    o.le_bytes(values, width).s(";\n");
}

/// The rest of the private block: the lookup tables, the inherent methods with the two
/// per-entry matches, and the trait impls.
fn tail_source(o: &mut Out, model: &Model, layout: &Layout<'_>) {
    let name = model.name.as_str();
    let statuses: Vec<u16> = layout.groups.iter().map(|g| g.0).collect();
    table(o, "__GROUP_STATUS", &statuses, 2);
    let ends: Vec<u32> = layout.groups.iter().map(|g| g.3).collect();
    table(o, "__GROUP_END", &ends, 4);
    let slots = slots(model, &layout.groups);
    let order: Vec<u32> = slots.iter().map(|s| s.index as u32).collect();
    table(o, "__ORDER", &order, 4);
    let first: Vec<u8> = slots.iter().map(|s| s.first).collect();
    table(o, "__FIRST", &first, 1);
    let rank: Vec<u32> = slots.iter().map(|s| s.rank as u32).collect();
    table(o, "__RANK", &rank, 4);
    table(o, "__HASH", &hash_table(&layout.groups), 4);
    table(o, "__SHAPES", &layout.shapes, 2);
    o.s("static __TABLE: __p::Table = __p::Table::__new(__p::Data {\n\
         statuses: &__STATUSES,\npolicies: &__POLICIES,\ntext: __TEXT,\ncuts: __CUTS,\n\
         placeholders: __PLACEHOLDERS,\nkinds: __KINDS,\ngroup: __GROUP,\nretry: __RETRY,\n\
         alert: __ALERT,\ngroup_status: __GROUP_STATUS,\ngroup_end: __GROUP_END,\norder: __ORDER,\n\
         first: __FIRST,\nrank: __RANK,\nhash: __HASH,\nshapes: __SHAPES,\n});\n");
    if !model.entries.is_empty() {
        o.s("static __VARIANTS: __p::Variants = __p::Variants::new();\n");
    }

    o.s("impl ").s(name).s(" {\n").s(METHODS);
    let chunk = chunk_size(model.entries.len());
    if model.entries.is_empty() {
        // Only the fallbacks.
        o.s("fn __build(index: usize, values: &__p::Values<'_>) -> ::core::option::Option<Self> {\n");
        build_match(o, &model.entries, 0, &[], "Self", ["index", "__TABLE.shape(index)", "values"]);
        o.s("}\nfn __parts(&self) -> __p::Parts<'_> {\nmatch self {\n\
             Self::Status(status) => __p::Parts::status_only(&__TABLE, status),\n\
             Self::Unknown(unknown) => __p::Parts::unknown(&__TABLE, unknown),\n}\n}\n}\n");
    } else if model.entries.len() <= chunk {
        // One arm per entry: its variant from the values of its placeholders.
        o.s("fn __build(index: usize, values: &__p::Values<'_>) -> ::core::option::Option<Self> {\n");
        build_match(
            o,
            &model.entries,
            0,
            &layout.shapes,
            "Self",
            ["index", "__TABLE.shape(index)", "values"],
        );
        o.s("}\n");
        // The entry's catalog index by discriminant, then a view of its values.
        o.s("fn __parts(&self) -> __p::Parts<'_> {\n").s(PARTS_INDEX);
        if has_values(&layout.shapes) {
            o.s("match self {\n");
            shape_arms(o, &model.entries, &layout.shapes, "Self", "&__TABLE", "index");
            o.s("_ => __p::known0(&__TABLE, index),\n}\n");
        } else {
            o.s("__p::known0(&__TABLE, index)\n");
        }
        o.s("}\n}\n");
    } else {
        // Large specs: the matches are split into chunks, one module each, so that the
        // compiler works on many small functions rather than two huge ones. Both
        // dispatch on the catalog index (a jump table).
        let chunks = model.entries.chunks(chunk);
        o.s("fn __build(index: usize, values: &__p::Values<'_>) -> ::core::option::Option<Self> {\n");
        o.s("match index / ").n(chunk as u64).s(" {\n");
        for k in 0..chunks.len() {
            o.n(k as u64).s(" => __chunk_").n(k as u64).s("::build(index, __TABLE.shape(index), values),\n");
        }
        o.s("_ => ::core::option::Option::None,\n}\n}\n");
        o.s("fn __parts(&self) -> __p::Parts<'_> {\n").s(PARTS_INDEX);
        o.s("match index / ").n(chunk as u64).s(" {\n");
        for (k, entries) in chunks.clone().enumerate() {
            if has_values(layout.shapes.get(k * chunk..k * chunk + entries.len()).unwrap_or(&[])) {
                o.n(k as u64).s(" => __chunk_").n(k as u64).s("::parts(self, &__TABLE, index),\n");
            }
        }
        o.s("_ => __p::known0(&__TABLE, index),\n}\n}\n}\n");
        for (k, entries) in chunks.enumerate() {
            let first = k * chunk;
            let shapes = layout.shapes.get(first..first + entries.len()).unwrap_or(&[]);
            o.s("mod __chunk_").n(k as u64).s(" {\nuse ::easemob_errors::__private as __p;\nuse super::");
            o.s(name).s(" as __E;\n");
            o.s("pub(super) fn build(__index: usize, __shape: usize, __values: &__p::Values<'_>) -> \
                 ::core::option::Option<__E> {\n");
            build_match(o, entries, first, shapes, "__E", ["__index", "__shape", "__values"]);
            o.s("}\n");
            if has_values(shapes) {
                o.s(
                    "pub(super) fn parts<'a>(__e: &'a __E, __table: &'static __p::Table, __index: usize) -> \
                     __p::Parts<'a> {\nmatch __e {\n",
                );
                shape_arms(o, entries, shapes, "__E", "__table", "__index");
                o.s("_ => __p::known0(__table, __index),\n}\n}\n");
            }
            o.s("}\n");
        }
    }
    o.s(&TRAITS.replace("__NAME__", name));
    o.s("};\n");
}

/// Entries per chunk of the per-entry matches: [`CHUNK`], or more for specs of more
/// than [`MAX_CHUNKS`] chunks.
fn chunk_size(entries: usize) -> usize {
    CHUNK.max(entries.div_ceil(MAX_CHUNKS))
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

/// How `__parts` begins: the fallbacks' views, or the catalog index of a known variant.
const PARTS_INDEX: &str = "let index = match self {
Self::Status(status) => return __p::Parts::status_only(&__TABLE, status),
Self::Unknown(unknown) => return __p::Parts::unknown(&__TABLE, unknown),
_ => __VARIANTS.index(self, &__TABLE, Self::__build),
};
";

/// The inherent methods that do not depend on the entries.
const METHODS: &str = r#"/// Classifies a failed call from its HTTP status and raw body.
///
/// Total: any status and any bytes give a value, without panicking. The body's
/// `error` and `error_description` are matched against the catalog (status,
/// `error`, description template); a body the catalog does not list gives
/// [`Self::Unknown`], one without a usable error body [`Self::Status`].
pub fn from_response(status: u16, body: &[u8]) -> Self {
    __p::classify(&__TABLE, status, body, Self::__build, Self::Status, Self::Unknown)
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

/// The catalog entry of a listed error (the catalog's entries are made on first use).
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

/// Every entry of the catalog, in spec order (made from the catalog's data on first
/// use: classification does not need it).
pub fn catalog() -> &'static [::easemob_errors::CatalogEntry] {
    __TABLE.catalog()
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
/// first; a byte: text never starts with a byte above 0xf4), and its rank in its group's
/// lookup order.
struct Slot {
    index: usize,
    first: u8,
    rank: usize,
}

/// The lookup slots: the model's lookup order, each group's slots sorted by first byte
/// (so the runtime finds the candidates for a description by binary search), keeping
/// their rank.
fn slots(model: &Model, groups: &[(u16, Option<&str>, u32, u32)]) -> Vec<Slot> {
    let mut slots: Vec<Slot> = Vec::with_capacity(model.order.len());
    for (start, end) in groups.iter().map(|g| (g.2 as usize, g.3 as usize)) {
        let mut group: Vec<Slot> = model
            .order
            .get(start..end)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(rank, &index)| {
                let byte = model.entries.get(index).and_then(|e| e.template.literals.first()?.bytes().next());
                Slot { index, first: byte.map_or(0, |b| b.saturating_add(1)), rank }
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
fn hash_table(groups: &[(u16, Option<&str>, u32, u32)]) -> Vec<u32> {
    let size = (groups.len() * 2).next_power_of_two().max(2);
    let mut table = vec![0u32; size];
    for (i, (status, code, _, _)) in groups.iter().enumerate() {
        let mut at = usize::try_from(group_hash(*status, *code) & (size as u64 - 1)).unwrap_or(0);
        while table[at] != 0 {
            at = (at + 1) & (size - 1);
        }
        table[at] = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    table
}

/// `include_bytes!` of every spec file, so that cargo reruns the macro when one changes.
fn track(o: &mut Out, files: &[PathBuf]) {
    for f in files.iter().filter_map(|f| f.to_str()) {
        o.s("const _: &[u8] = ::core::include_bytes!(").lit(f).s(");\n");
    }
}

fn policy(o: &mut Out, p: Policy) {
    match p {
        Policy::Never => o.s("__p::RetryPolicy::Never"),
        Policy::RefreshToken => o.s("__p::RetryPolicy::RefreshToken"),
        Policy::SplitBody => o.s("__p::RetryPolicy::SplitBody"),
        Policy::Backoff(b) => o
            .s("__p::RetryPolicy::Backoff(__p::Backoff::new(")
            .n(u64::from(b.attempts))
            .s("u32, ")
            .n(b.base_ms)
            .s("u64, ")
            .n(b.max_ms)
            .s("u64))"),
    };
}

/// A policy in words, for docs and tables (text that a string literal holds as is).
/// Written piece by piece: `format!` costs thousands of instructions unoptimized, and
/// this is written twice per entry.
fn policy_text(o: &mut Out, p: Policy) {
    match p {
        Policy::Never => o.s("never"),
        Policy::RefreshToken => o.s("refresh the app token, then retry once"),
        Policy::SplitBody => o.s("split the body into smaller ones, then retry"),
        Policy::Backoff(b) => o
            .s("backoff: up to ")
            .n(u64::from(b.attempts))
            .s(" attempts, ")
            .n(b.base_ms)
            .s(" ms base delay, ")
            .n(b.max_ms)
            .s(" ms max"),
    };
}

/// The entry's `error` as Markdown inline code, escaped for a string literal.
fn code_text(o: &mut Out, e: &EntryModel) {
    match &e.error {
        Some(code) => o.s("`").esc_unless(e.verbatim.error, code).s("`"),
        None => o.s("(no `error`)"),
    };
}

/// Shows a template inside Markdown inline code (line breaks as `\n`, backticks doubled
/// around text with backticks; in a table `cell`, `|` escaped), escaped for a string
/// literal. Most templates need none of that, which one scan tells: they are written
/// as they are, without the copies.
fn code_span(o: &mut Out, text: &str, verbatim: bool, cell: bool) {
    if crate::scan::until(text.as_bytes(), 0, *b"`|`|") == text.len() {
        o.s("`").esc_unless(verbatim, text).s("`");
        return;
    }
    let one_line = text.replace('\n', "\\n");
    let span = if one_line.contains('`') { format!("`` {one_line} ``") } else { format!("`{one_line}`") };
    if cell {
        o.esc(&span.replace('|', "\\|"));
    } else {
        o.esc(&span);
    }
}

/// The enum's doc text, escaped for the string literal it goes in.
fn enum_doc(o: &mut Out, model: &Model) {
    o.esc(
        model
            .doc
            .as_deref()
            .unwrap_or("The errors of this API, generated from its spec by `include_errors!`."),
    );
    o.esc(
        "\n\nBuild one with `from_response(status, body)`; match on the variants, or ask it for \
         `status()`, `code()`, `description()`, `cause()`, `retry()` and `should_alert()`.\n",
    );
    if !model.statuses.is_empty() {
        o.esc("\n# Statuses\n\n| status | meaning | retry | alert |\n|---|---|---|---|\n");
        for s in &model.statuses {
            o.s("| ").n(u64::from(s.status)).s(" ").esc(&s.name).s(" | ").esc(&cell(&s.meaning)).s(" | ");
            policy_text(o, s.retry);
            o.s(if s.alert { " | yes |\\n" } else { " | no |\\n" });
        }
    }
    if !model.entries.is_empty() {
        o.esc("\n# Catalog\n\n| variant | status | `error` | description | retry |\n|---|---|---|---|---|\n");
        for e in &model.entries {
            o.s("| [`").s(&e.variant).s("`](Self::").s(&e.variant).s(") | ").n(u64::from(e.status)).s(" | ");
            code_text(o, e);
            o.s(" | ");
            code_span(o, &e.template.text, e.verbatim.description, true);
            o.s(" | ");
            policy_text(o, e.retry);
            o.s(" |\\n");
        }
    }
}

/// A Markdown table cell: `|` escaped.
fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('|') { text.replace('|', "\\|").into() } else { text.into() }
}

/// Entries per chunk of the per-entry matches, for large specs.
const CHUNK: usize = 256;

/// Most chunks. Each chunk's `match` on the enum costs the compiler a pass over all of
/// its variants, and each integer `match` a cost growing with the square of its arms:
/// at 10,000 entries, 32 chunks of 313 did best (157 chunks of 64: +15% rustc
/// instructions; 10 of 1,024: +7%).
const MAX_CHUNKS: usize = 32;

/// The body of a function building the variant of each entry from its values: a
/// `match` on the entry's shape (`shapes`, one per entry), whose arm reads the values of
/// that shape once, then moves them into the variant of the entry's index (a `match`
/// with an arm per entry of the shape). `first` is the catalog index of `entries[0]`;
/// `ty` names the enum; `names` the expressions of the index, the shape and the values.
/// Typed values always parse here: classification checks them before it builds.
///
/// Reading the values once per shape, not once per entry, spares the compiler a method
/// call (and its type checking, MIR and machine code) in each of thousands of arms: at
/// 10,000 entries, an eighth of the build. Moving them into the variant is no slower.
fn build_match(
    o: &mut Out,
    entries: &[EntryModel],
    first: usize,
    shapes: &[u16],
    ty: &str,
    names: [&str; 3],
) {
    let [index, shape, values] = names;
    if entries.is_empty() {
        o.s("let _ = (").s(index).s(", ").s(values).s(");\n::core::option::Option::None\n");
        return;
    }
    // The entries by shape (stable: in spec order within one).
    let mut by_shape: Vec<(u16, usize)> = Vec::with_capacity(entries.len());
    for i in 0..entries.len() {
        by_shape.push((shapes.get(i).copied().unwrap_or(0), i));
    }
    by_shape.sort_by_key(|&(s, _)| s);
    o.s("let _ = ").s(values).s(";\nmatch ").s(shape).s(" {\n");
    let mut at = 0;
    while let Some(&(s, i)) = by_shape.get(at) {
        let Some(e) = entries.get(i) else { break };
        o.n(u64::from(s)).s(" => {\n");
        // Numbers first: nothing is owned yet when they are read, so the compiler needs
        // no cleanup path around their calls. The fields keep their declared order.
        let phs = &e.template.placeholders;
        let numbers = phs.iter().enumerate().filter(|(_, ph)| ph.kind == Kind::U64);
        let owned = phs.iter().enumerate().filter(|(_, ph)| ph.kind != Kind::U64);
        for (k, ph) in numbers.chain(owned) {
            o.s("let __").n(k as u64).s(" = ").s(values).s(match ph.kind {
                Kind::Str => ".string(",
                Kind::U64 => ".u64(",
                Kind::List => ".list(",
            });
            o.n(k as u64).s(");\n");
        }
        // One `Some` around the match, not one an arm: a constructor call in each of
        // thousands of arms costs the compiler more than the move costs at run time.
        o.s("::core::option::Option::Some(match ").s(index).s(" {\n");
        while let Some(&(t, i)) = by_shape.get(at)
            && t == s
        {
            let Some(e) = entries.get(i) else { break };
            o.n((first + i) as u64).s(" => ").s(ty).s("::").s(&e.variant);
            if e.template.placeholders.is_empty() {
                o.s(",\n");
            } else {
                o.s(" { ");
                for (k, ph) in e.template.placeholders.iter().enumerate() {
                    o.s(if k > 0 { ", " } else { "" }).s(&ph.name).s(": __").n(k as u64);
                }
                o.s(" },\n");
            }
            at += 1;
        }
        o.s("_ => return ::core::option::Option::None,\n})\n}\n");
    }
    o.s("_ => ::core::option::Option::None,\n}\n");
}

/// An entry's shape: the kinds of its values in template order, as one number (the
/// count, then two bits a kind; the validator allows at most eight values), 0 for none.
/// A number, not a vector: collections keyed by vectors cost thousands of instructions
/// an entry in the unoptimized macro.
fn shape_key(e: &EntryModel) -> u64 {
    let phs = &e.template.placeholders;
    let mut key = phs.len() as u64;
    for (k, ph) in phs.iter().enumerate().take(28) {
        let kind: u64 = match ph.kind {
            Kind::Str => 1,
            Kind::U64 => 2,
            Kind::List => 3,
        };
        key |= kind << (8 + 2 * k);
    }
    key
}

/// Whether any entry of these `shapes` (see [`Layout::shapes`]) has values.
fn has_values(shapes: &[u16]) -> bool {
    shapes.iter().any(|&s| s > 0)
}

/// The arms of a `match` on the enum giving the view of an entry with values (its
/// index already known): one arm per shape (the kinds of the values, in template
/// order), whose or-pattern lists the variants of that shape and binds their values
/// as `__0`, `__1`, ..., then one plain call of the generic `__p::knownN`. Bindings in
/// an arm per variant cost the compiler (type and borrow checking, debug info) more
/// than the whole match did otherwise: at 10,000 entries, 5% of the build.
fn shape_arms(o: &mut Out, entries: &[EntryModel], shapes: &[u16], ty: &str, table: &str, index: &str) {
    // Each entry with values by its shape, sorted: stable, so in spec order within one.
    let mut keyed: Vec<(u16, &EntryModel)> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        match shapes.get(i) {
            Some(&s) if s > 0 => keyed.push((s, e)),
            _ => {}
        }
    }
    keyed.sort_by_key(|&(key, _)| key);
    let mut i = 0;
    while let Some(&(key, first)) = keyed.get(i) {
        let mut j = i;
        while let Some(&(k, e)) = keyed.get(j)
            && k == key
        {
            o.s(if j > i { " | " } else { "" }).s(ty).s("::").s(&e.variant).s(" { ");
            for (k, ph) in e.template.placeholders.iter().enumerate() {
                o.s(if k > 0 { ", " } else { "" }).s(&ph.name).s(": __").n(k as u64);
            }
            o.s(" }");
            j += 1;
        }
        let count = first.template.placeholders.len();
        o.s(" => __p::known").n(count as u64).s("(").s(table).s(", ").s(index);
        for k in 0..count {
            o.s(", __").n(k as u64);
        }
        o.s("),\n");
        i = j;
    }
}

fn variant(o: &mut Out, e: &EntryModel) {
    o.s("#[doc = \"**").n(u64::from(e.status)).s(" ");
    code_text(o, e);
    o.s("** — ");
    code_span(o, &e.template.text, e.verbatim.description, false);
    o.s("\\n\\n");
    if e.catch_all {
        o.s("Matches any description with this status and `error` that no other entry matches.\\n\\n");
    }
    let v = e.verbatim;
    o.s("**Cause:** ").esc_unless(v.cause, &e.cause).s("\\n\\n**Remedy:** ").esc_unless(v.remedy, &e.remedy);
    o.s("\\n\\n**原因:** ").esc_unless(v.cause_zh, &e.cause_zh);
    o.s("\\n\\n**处理:** ").esc_unless(v.remedy_zh, &e.remedy_zh);
    o.s("\\n\\n**Retry:** ");
    policy_text(o, e.retry);
    o.s(if e.alert { ". **Alert:** yes.\"]\n" } else { ". **Alert:** no.\"]\n" });
    o.s(&e.variant);
    if e.template.placeholders.is_empty() {
        o.s(",\n");
        return;
    }
    o.s(" {\n");
    for ph in &e.template.placeholders {
        o.s("/// The `{").s(&ph.name).s("}` value of the description.\n").s(&ph.name);
        o.s(match ph.kind {
            Kind::Str => ": ::std::string::String,\n",
            Kind::U64 => ": u64,\n",
            Kind::List => ": ::std::vec::Vec<::std::string::String>,\n",
        });
    }
    o.s("},\n");
}

#[cfg(test)]
mod tests {
    use super::Out;

    #[test]
    fn gathered_pieces_come_out_in_order() {
        // Pieces of every length around the gathering threshold, enough to fill the
        // buffer many times over, mixed with numbers: the text is their concatenation.
        let mut o = Out::new(0);
        let mut expected = String::new();
        for i in 0..5_000usize {
            let piece: String = (0..i % 41).map(|k| char::from(b'a' + ((i + k) % 26) as u8)).collect();
            o.s(&piece).n(i as u64);
            expected.push_str(&piece);
            expected.push_str(&i.to_string());
        }
        assert_eq!(o.text(), expected);
    }

    #[test]
    fn integer_tables_read_back_as_written() {
        // Every byte value in every position of each width, and the edges of u32; read
        // back the way the compiler reads the literal.
        let read = |values: &[u32], width: usize| {
            let mut o = Out::new(0);
            o.le_bytes(values, width);
            syn::parse_str::<syn::LitByteStr>(&o.text()).expect("a byte-string literal").value()
        };
        let mut values: Vec<u32> =
            (0..=255).flat_map(|b| [b, b << 8, b << 16, b << 24, b * 0x0101_0101]).collect();
        values.extend([u32::MAX, 0x3130_3030, 0x5c22_5c22]);
        for width in [1, 2, 4] {
            let bits = 8 * width as u32;
            let expected: Vec<u8> =
                values.iter().flat_map(|&v| v.to_le_bytes().into_iter().take(width)).collect();
            assert_eq!(read(&values, width), expected, "width {width} ({bits} bits)");
        }
        assert_eq!(read(&[], 4), Vec::<u8>::new());
    }

    #[test]
    fn string_literals_escape_what_they_must() {
        let lit = |s: &str| {
            let mut o = Out::new(0);
            o.lit(s);
            o.text()
        };
        assert_eq!(lit("plain 中文 é"), "\"plain 中文 é\"");
        assert_eq!(lit("q\"b\\n\nr\rt\t"), r#""q\"b\\n\nr\rt\t""#);
        assert_eq!(lit("\u{0}\u{7f}\u{85}\u{202e}x"), r#""\u{0}\u{7f}\u{85}\u{202e}x""#);
        assert_eq!(lit(""), "\"\"");
    }

    #[test]
    fn the_threaded_expansion_is_the_sequential_one() {
        let mut spec = String::from(
            "[api]\nname = \"E\"\n[status.400]\nname = \"B\"\nmeaning = \"m\"\nmeaning_zh = \"m\"\nretry = \"never\"\n",
        );
        for i in 0..super::PARALLEL_FROM + 10 {
            spec.push_str(&format!(
                "[[errors]]\nvariant = \"V{i}\"\nstatus = 400\nerror = \"e{}\"\ndescription = \"d {{x}} {i}\"\n\
                 cause = \"c\"\ncause_zh = \"c\"\nremedy = \"r\"\nremedy_zh = \"r\"\n",
                i % 7
            ));
        }
        let model =
            crate::check(vec![crate::SourceFile::new("s.toml", "/s.toml", spec)]).map_err(|r| r.messages);
        let model = model.unwrap_or_else(|m| panic!("{m:?}"));
        let layout = super::Layout::new(&model);
        let mut o = Out::new(0);
        super::enum_source(&mut o, &model, &model.entries, true, true);
        super::data_source(&mut o, &model, &layout);
        super::tail_source(&mut o, &model, &layout);
        let sequential = o.text();
        assert!(super::expand(&model) == sequential);
        assert!(sequential.contains("mod __chunk_7 {"));
    }

    #[test]
    fn numbers() {
        for n in [0, 7, 10, 65_535, u64::MAX] {
            let mut o = Out::new(0);
            o.n(n);
            assert_eq!(o.text(), n.to_string());
        }
    }
}
