//! A TOML reader for specs: TOML 1.1 (the version the `toml` crate reads), every value
//! and key with its byte range, every mistake an [`Error`] with a range — never a panic.
//!
//! Why not the `toml` crate: the macro runs in the dev profile, unoptimized, on every
//! build that edits a spec, and there a combinator-based parser costs about a thousand
//! instructions per byte (0.7 s for a 10,000-entry spec). This one is a plain loop over
//! bytes, some twenty times cheaper unoptimized. It accepts exactly what the `toml`
//! crate accepts, with the same values: `tests/toml_conformance.rs` checks a corpus and
//! the `toml` fuzz target checks arbitrary text against it.

use std::ops::Range;

use crate::scan;

/// A value or key with the byte range of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    value: T,
    span: Range<usize>,
    /// A string written on one line between `"`s without escapes, tabs, or characters
    /// from U+0080 to U+00BF (the C1 controls among them) or from U+2000 to U+2FFF
    /// (the bidirectional overrides among them): its value is its text as written, and a
    /// Rust string literal holds it as it is.
    verbatim: bool,
}

impl<T> Spanned<T> {
    /// The value.
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// Its byte range in the text.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The value, to change or move out of.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// Whether this is a string that a Rust string literal holds as it is: written on
    /// one line between `"`s, without escapes, tabs, or characters from U+0080 to U+00BF
    /// or from U+2000 to U+2FFF (the ranges of the C1 controls and of the bidirectional
    /// overrides: a scan tells them by their first byte). The expansion copies such
    /// strings without escaping them.
    pub fn is_verbatim(&self) -> bool {
        self.verbatim
    }
}

/// A table key's text. Nearly every key is short, and those are kept in place: a
/// `String` costs some 700 instructions to make and free in the unoptimized macro, and
/// a spec has eight keys per entry.
#[derive(Clone)]
pub struct Key(KeyText);

#[derive(Clone)]
enum KeyText {
    /// Up to [`INLINE_KEY`] bytes of UTF-8, in place.
    Inline { len: u8, bytes: [u8; INLINE_KEY] },
    /// A longer key.
    Heap(String),
}

/// The longest key kept in place.
const INLINE_KEY: usize = 22;

impl Key {
    fn new(text: &str) -> Key {
        let b = text.as_bytes();
        let mut bytes = [0u8; INLINE_KEY];
        match bytes.get_mut(..b.len()) {
            Some(room) => {
                room.copy_from_slice(b);
                Key(KeyText::Inline { len: b.len() as u8, bytes })
            }
            None => Key(KeyText::Heap(text.to_owned())),
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Whole `str`s go in, so this never fails (and gives "" if it did).
            KeyText::Inline { len, bytes } => {
                std::str::from_utf8(bytes.get(..usize::from(*len)).unwrap_or_default()).unwrap_or_default()
            }
            KeyText::Heap(s) => s,
        }
    }

    /// The key's bytes (without checking them again, as [`Key::as_str`] does).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            KeyText::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            KeyText::Heap(s) => s.as_bytes(),
        }
    }
}

impl std::ops::Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A TOML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string, escapes decoded.
    String(String),
    /// An integer (TOML integers are 64-bit).
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Boolean(bool),
    /// A date, time or date-time, as written (no spec key takes one).
    Datetime(String),
    /// An array, or an array of tables.
    Array(Vec<Spanned<Value>>),
    /// A table.
    Table(Table),
}

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is a string.
    pub fn is_str(&self) -> bool {
        matches!(self, Value::String(_))
    }
}

/// How a table came to be: TOML forbids defining a table twice and extending some
/// kinds of tables in some ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Created as the parent of a `[header]`; may be defined by a header later, once.
    Implicit,
    /// Defined by a `[header]` or `[[header]]`.
    Header,
    /// Created by a dotted key (`a.b = 1`); may be extended by dotted keys.
    Dotted,
    /// An inline table `{ ... }`: complete, extended by nothing.
    Inline,
    /// Static array of tables (`[{...}]`) or the document.
    Fixed,
}

/// A table: its keys in the order written.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    entries: Vec<(Spanned<Key>, Spanned<Value>)>,
    origin: Origin,
    /// For arrays: whether it is an array of tables made by `[[header]]`s.
    aot: Vec<bool>,
}

impl Table {
    fn new(origin: Origin) -> Self {
        // A table opened by a header usually gets several keys: room for eight at once
        // spares growing it twice (each growth an allocation and a copy).
        let room = if origin == Origin::Header { 8 } else { 0 };
        Table { entries: Vec::with_capacity(room), origin, aot: Vec::new() }
    }

    /// Where `key` is among the entries. Plain indexing and lengths compared first:
    /// iterator adapters and closures cost tens of instructions a step unoptimized, and
    /// every key of every spec entry is looked up.
    fn position(&self, key: &str) -> Option<usize> {
        self.position_of(key.as_bytes())
    }

    /// As [`Table::position`], for a key's bytes.
    fn position_of(&self, key: &[u8]) -> Option<usize> {
        // Slices, indexed and measured without calls.
        let entries = self.entries.as_slice();
        let mut i = 0;
        while i < entries.len() {
            // Lengths first, read in place: most keys differ in length.
            let same = match &entries[i].0.value.0 {
                // The first byte next, in place (keys of one length mostly differ
                // there), and only then the whole key.
                KeyText::Inline { len, bytes } => {
                    usize::from(*len) == key.len()
                        && (key.is_empty() || bytes[0] == key[0])
                        && bytes.get(..key.len()) == Some(key)
                }
                KeyText::Heap(k) => k.as_bytes() == key,
            };
            if same {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Spanned<Value>> {
        let i = self.position(key)?;
        self.entries.get(i).map(|(_, v)| v)
    }

    /// The value of `key`, to change or move out of.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Spanned<Value>> {
        let i = self.position(key)?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    /// The key (with its range) and value of `key`.
    pub fn get_key_value(&self, key: &str) -> Option<(&Spanned<Key>, &Spanned<Value>)> {
        let i = self.position(key)?;
        self.entries.get(i).map(|(k, v)| (k, v))
    }

    /// The keys, in the order written.
    pub fn keys(&self) -> impl Iterator<Item = &Spanned<Key>> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Keys and values, in the order written.
    pub fn iter(&self) -> impl Iterator<Item = (&Spanned<Key>, &Spanned<Value>)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it has no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> IntoIterator for &'a Table {
    type Item = (&'a Spanned<Key>, &'a Spanned<Value>);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Spanned<Key>, Spanned<Value>)>,
        fn(&'a (Spanned<Key>, Spanned<Value>)) -> (&'a Spanned<Key>, &'a Spanned<Value>),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

/// A syntax error, or a table or key defined twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    span: Range<usize>,
    message: String,
}

impl Error {
    /// Where.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

type Res<T> = Result<T, Error>;

fn err<T>(span: Range<usize>, message: impl Into<String>) -> Res<T> {
    Err(Error { span, message: message.into() })
}

/// Parses a document.
pub fn parse(text: &str) -> Result<Spanned<Table>, Error> {
    if text.len() >= PARALLEL_BYTES
        && let Some(doc) = parse_halves(text)
    {
        return Ok(doc);
    }
    parse_range(text, 0, text.len(), false)
}

/// Parses the document's top-level keys: everything before its first `[header]` (the
/// only place TOML puts them), without reading the rest.
pub fn parse_top_level(text: &str) -> Result<Spanned<Table>, Error> {
    parse_range(text, 0, text.len(), true)
}

/// Documents from this size are read in two halves on two threads where they can be
/// (the macro runs unoptimized: a spec of 10,000 entries takes ~0.1 s to read).
const PARALLEL_BYTES: usize = 1 << 18;

/// A large document in two halves, split at a `[[key]]` line near its middle: the
/// second half read on another thread. Only when the result is the same as reading it
/// whole: both halves read without error, the second holds nothing but `[[key]]` tables
/// and the first has `key` as an array of tables, which they extend. Anything else
/// (an error, other tables after the split, `key` defined otherwise) gives `None`, and
/// the document is read whole, errors and all.
fn parse_halves(text: &str) -> Option<Spanned<Table>> {
    let (split, key) = split_point(text)?;
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| parse_range(text, split, text.len(), false));
        let first = parse_range(text, 0, split, false);
        (first, second.join())
    });
    let (mut first, mut second) = (first.ok()?, second.ok()?.ok()?.value);
    if second.entries.len() != 1 || second.aot.first() != Some(&true) {
        return None;
    }
    let (k, v) = second.entries.pop()?;
    let (Value::Array(more), true) = (v.value, k.value.as_str() == key) else { return None };
    let i = first.value.position(key)?;
    if !first.value.aot.get(i).copied().unwrap_or(false) {
        return None;
    }
    let Value::Array(items) = &mut first.value.entries.get_mut(i)?.1.value else { return None };
    items.extend(more);
    first.span = 0..text.len();
    Some(first)
}

/// The start of the first line from the middle of `text` on that is exactly
/// `[[key]]` (a bare key) followed by the line's end, a blank or a comment, and `key`.
fn split_point(text: &str) -> Option<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut from = text.len() / 2;
    loop {
        let at = from + text.get(from..)?.find("\n[[")? + 1;
        let key_start = at + 2;
        let mut end = key_start;
        while bytes.get(end).copied().is_some_and(is_bare) {
            end += 1;
        }
        let closed = bytes.get(end..end + 2) == Some(b"]]");
        let after = bytes.get(end + 2).copied();
        if end > key_start && closed && matches!(after, None | Some(b'\n' | b'\r' | b' ' | b'\t' | b'#')) {
            return Some((at, text.get(key_start..end)?));
        }
        from = at;
    }
}

/// Parses `text[from..to]` (`from` at the start of a line, `to` at the end of one),
/// with every position counted from the start of `text`.
fn parse_range(text: &str, from: usize, to: usize, first_header: bool) -> Result<Spanned<Table>, Error> {
    let text = text.get(..to).unwrap_or(text);
    // A byte order mark is not part of the document.
    let start = if from == 0 && text.starts_with('\u{feff}') { 3 } else { from };
    let mut p = Parser { text, bytes: text.as_bytes(), pos: start, inline: 0 };
    let mut root = Table::new(Origin::Fixed);
    // The table that key/value lines go into: a path of entry indices from the root
    // (an array of tables stands for its last table).
    let mut current: Vec<usize> = Vec::new();
    loop {
        p.ws();
        let Some(b) = p.peek() else { break };
        match b {
            b'#' => p.comment()?,
            b'\n' => p.pos += 1,
            b'\r' => p.newline()?,
            b'[' if first_header => break,
            b'[' => {
                current = p.header(&mut root)?;
                p.line_end()?;
            }
            _ => {
                let Some(table) = walk(&mut root, &current) else {
                    return err(p.here(), "internal: the current table is gone");
                };
                p.keyval(table, b'=')?;
                p.line_end()?;
            }
        }
    }
    Ok(Spanned { value: root, span: from..text.len(), verbatim: false })
}

/// The table at `path` (entry indices; an array of tables stands for its last table).
/// Paths are only built by the parser over tables that exist.
fn walk<'t>(t: &'t mut Table, path: &[usize]) -> Option<&'t mut Table> {
    let Some((&i, rest)) = path.split_first() else { return Some(t) };
    let next = match &mut t.entries.get_mut(i)?.1.value {
        Value::Table(inner) => inner,
        Value::Array(items) => match &mut items.last_mut()?.value {
            Value::Table(inner) => inner,
            _ => return None,
        },
        _ => return None,
    };
    walk(next, rest)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// How many inline tables are open: inside one, line breaks and comments count as
    /// blanks between a key, its `=` and its value (TOML 1.1).
    inline: u32,
}

#[inline(always)]
fn is_bare(b: u8) -> bool {
    // One table lookup: five range tests cost some twenty instructions unoptimized.
    BARE[b as usize]
}

/// Which bytes a bare key is made of: ASCII letters, digits, `_` and `-`.
static BARE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = matches!(b as u8, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-');
        b += 1;
    }
    t
};

impl<'a> Parser<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline(always)]
    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn here(&self) -> Range<usize> {
        let end = self
            .text
            .get(self.pos..)
            .and_then(|s| s.chars().next())
            .map_or(self.pos, |c| self.pos + c.len_utf8());
        self.pos..end
    }

    fn expected<T>(&self, what: &str) -> Res<T> {
        let found = match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            None => "the end of the file".to_owned(),
            Some('\n') => "a line break".to_owned(),
            Some('\r') => "a carriage return".to_owned(),
            Some(c) if c.is_control() => format!("control character U+{:04X}", u32::from(c)),
            Some(c) => format!("`{c}`"),
        };
        err(self.here(), format!("expected {what}, found {found}"))
    }

    /// Spaces and tabs.
    fn ws(&mut self) {
        while let Some(b' ' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// `\n` or `\r\n`.
    fn newline(&mut self) -> Res<()> {
        match (self.peek(), self.peek_at(1)) {
            (Some(b'\n'), _) => self.pos += 1,
            (Some(b'\r'), Some(b'\n')) => self.pos += 2,
            _ => return self.expected("a line break"),
        }
        Ok(())
    }

    /// A comment, from `#` to the end of the line (not included).
    fn comment(&mut self) -> Res<()> {
        self.pos += 1;
        loop {
            self.pos = scan::until(self.bytes, self.pos, *b"\n\r\n\r");
            match self.peek() {
                None | Some(b'\n' | b'\r') => return Ok(()),
                Some(b'\t') => self.pos += 1,
                Some(c) => return err(self.here(), format!("control character U+{c:04X} in a comment")),
            }
        }
    }

    /// After a header or key/value: spaces, an optional comment, then a line break or
    /// the end of the file.
    fn line_end(&mut self) -> Res<()> {
        // Most lines end right after their value.
        if self.peek() == Some(b'\n') {
            self.pos += 1;
            return Ok(());
        }
        self.ws();
        if self.peek() == Some(b'#') {
            self.comment()?;
        }
        match self.peek() {
            None => Ok(()),
            Some(b'\n' | b'\r') => self.newline(),
            _ => self.expected("a line break after the value"),
        }
    }

    /// Blanks between the parts of a key/value: spaces and tabs, and inside an inline
    /// table also line breaks and comments.
    fn blanks(&mut self) -> Res<()> {
        if self.inline > 0 {
            self.ws_comments_newlines()
        } else {
            self.ws();
            Ok(())
        }
    }

    /// Spaces, tabs, line breaks and comments (inside arrays and inline tables).
    fn ws_comments_newlines(&mut self) -> Res<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n') => self.pos += 1,
                Some(b'\r') => self.newline()?,
                Some(b'#') => self.comment()?,
                _ => return Ok(()),
            }
        }
    }

    /// One key: bare, or a single-line quoted string.
    fn simple_key(&mut self) -> Res<Spanned<Key>> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'"') => {
                if self.peek_at(1) == Some(b'"') && self.peek_at(2) == Some(b'"') {
                    return err(self.here(), "a key cannot be a multi-line string");
                }
                Key::new(&self.basic_string()?)
            }
            Some(b'\'') => {
                if self.peek_at(1) == Some(b'\'') && self.peek_at(2) == Some(b'\'') {
                    return err(self.here(), "a key cannot be a multi-line string");
                }
                Key::new(&self.literal_string()?)
            }
            Some(b) if is_bare(b) => {
                let mut end = self.pos;
                while end < self.bytes.len() && is_bare(self.bytes[end]) {
                    end += 1;
                }
                self.pos = end;
                Key::new(self.text.get(start..self.pos).unwrap_or(""))
            }
            _ => return self.expected("a key (letters, digits, `_`, `-`, or a quoted string)"),
        };
        Ok(Spanned { value, span: start..self.pos, verbatim: false })
    }

    /// A dotted key: `a`, `a.b`, `"a b".c`.
    fn key(&mut self) -> Res<Vec<Spanned<Key>>> {
        let first = self.simple_key()?;
        self.key_after(first)
    }

    /// The rest of a dotted key whose first part is read.
    fn key_after(&mut self, first: Spanned<Key>) -> Res<Vec<Spanned<Key>>> {
        let mut parts = vec![first];
        loop {
            let save = self.pos;
            self.ws();
            if self.peek() == Some(b'.') {
                self.pos += 1;
                self.ws();
                parts.push(self.simple_key()?);
            } else {
                self.pos = save;
                return Ok(parts);
            }
        }
    }

    /// `[a.b]` or `[[a.b]]`: the path of the table it opens.
    fn header(&mut self, root: &mut Table) -> Res<Vec<usize>> {
        let start = self.pos;
        let aot = self.peek_at(1) == Some(b'[');
        self.pos += if aot { 2 } else { 1 };
        self.ws();
        let key = self.key()?;
        self.ws();
        let close: &[u8] = if aot { b"]]" } else { b"]" };
        if self.bytes.get(self.pos..self.pos + close.len()) != Some(close) {
            return self.expected(if aot { "`]]` to close the header" } else { "`]` to close the header" });
        }
        self.pos += close.len();
        let span = start..self.pos;
        let (last, parents) =
            key.split_last().ok_or_else(|| Error { span: span.clone(), message: "empty header".into() })?;
        let mut path = Vec::with_capacity(key.len());
        let mut t = root;
        for part in parents {
            let i = match t.position_of(part.value.as_bytes()) {
                Some(i) => i,
                None => {
                    let table = Value::Table(Table::new(Origin::Implicit));
                    t.entries
                        .push((part.clone(), Spanned { value: table, span: span.clone(), verbatim: false }));
                    t.entries.len() - 1
                }
            };
            path.push(i);
            t = match t.entries.get_mut(i).map(|(_, v)| &mut v.value) {
                Some(Value::Table(inner)) if inner.origin != Origin::Inline => inner,
                Some(Value::Array(items)) if t.aot.get(i).copied().unwrap_or(false) => {
                    match items.last_mut().map(|v| &mut v.value) {
                        Some(Value::Table(inner)) => inner,
                        _ => return err(part.span.clone(), "internal: array of tables without a table"),
                    }
                }
                _ => {
                    return err(
                        part.span.clone(),
                        format!("cannot open a table inside `{}`: it is already a value", part.value),
                    );
                }
            };
        }
        let found = t.position_of(last.value.as_bytes());
        if aot {
            match found {
                None => {
                    let first = Spanned {
                        value: Value::Table(Table::new(Origin::Header)),
                        span: span.clone(),
                        verbatim: false,
                    };
                    t.entries.push((
                        last.clone(),
                        Spanned { value: Value::Array(vec![first]), span, verbatim: false },
                    ));
                    set_aot(t, t.entries.len() - 1);
                    path.push(t.entries.len() - 1);
                }
                Some(i) if t.aot.get(i).copied().unwrap_or(false) => {
                    if let Some((_, Spanned { value: Value::Array(items), .. })) = t.entries.get_mut(i) {
                        items.push(Spanned {
                            value: Value::Table(Table::new(Origin::Header)),
                            span,
                            verbatim: false,
                        });
                    }
                    path.push(i);
                }
                Some(_) => {
                    return err(
                        last.span.clone(),
                        format!(
                            "`[[{}]]` cannot extend `{}`: it is not an array of tables",
                            dotted(&key),
                            last.value
                        ),
                    );
                }
            }
        } else {
            match found {
                None => {
                    t.entries.push((
                        last.clone(),
                        Spanned { value: Value::Table(Table::new(Origin::Header)), span, verbatim: false },
                    ));
                    path.push(t.entries.len() - 1);
                }
                Some(i) => {
                    let entry = t.entries.get_mut(i).map(|(_, v)| v);
                    match entry {
                        Some(Spanned { value: Value::Table(inner), span: s, .. })
                            if inner.origin == Origin::Implicit =>
                        {
                            inner.origin = Origin::Header;
                            *s = span;
                            path.push(i);
                        }
                        _ => {
                            return err(
                                last.span.clone(),
                                format!("table `[{}]` is defined twice", dotted(&key)),
                            );
                        }
                    }
                }
            }
        }
        Ok(path)
    }

    /// What follows a key: `sep` (`=`) and the value.
    fn after_key(&mut self, sep: u8) -> Res<Spanned<Value>> {
        self.blanks()?;
        if self.peek() != Some(sep) {
            return self.expected("`=` after the key");
        }
        self.pos += 1;
        self.blanks()?;
        self.value()
    }

    /// `key = value` into `t`; `sep` is `=`.
    fn keyval(&mut self, t: &mut Table, sep: u8) -> Res<()> {
        let first = self.simple_key()?;
        let save = self.pos;
        self.ws();
        if self.peek() != Some(b'.') {
            // A plain key (nearly all of them): no vector of parts is made for it (an
            // allocation and its bookkeeping cost hundreds of instructions unoptimized).
            self.pos = save;
            let value = match self.bytes.get(self.pos..) {
                // `key = "text"` as most are written: the string read at once (the
                // general path's layers cost about a thousand instructions unoptimized).
                Some([b' ', b'=', b' ', b'"', rest @ ..]) if sep == b'=' && !rest.starts_with(b"\"\"") => {
                    let start = self.pos + 3;
                    self.pos = start;
                    let (text, verbatim) = self.basic_string_verbatim()?;
                    Spanned { value: Value::String(text), span: start..self.pos, verbatim }
                }
                _ => self.after_key(sep)?,
            };
            if t.position_of(first.value.as_bytes()).is_some() {
                return err(
                    first.span.clone(),
                    format!("duplicate key `{}`", dotted(std::slice::from_ref(&first))),
                );
            }
            t.entries.push((first, value));
            return Ok(());
        }
        self.pos = save;
        let key = self.key_after(first)?;
        let value = self.after_key(sep)?;
        let (last, parents) = match key.split_last() {
            Some(split) => split,
            None => return err(self.here(), "empty key"),
        };
        let mut t = t;
        for part in parents {
            let i = match t.position_of(part.value.as_bytes()) {
                Some(i) => i,
                None => {
                    let table = Value::Table(Table::new(Origin::Dotted));
                    t.entries.push((
                        part.clone(),
                        Spanned { value: table, span: part.span.clone(), verbatim: false },
                    ));
                    t.entries.len() - 1
                }
            };
            t = match t.entries.get_mut(i).map(|(_, v)| &mut v.value) {
                // Dotted keys extend tables made by dotted keys, and tables only
                // implied by headers (which then count as made by dotted keys); never
                // ones defined by a header or inline.
                Some(Value::Table(inner)) if matches!(inner.origin, Origin::Dotted | Origin::Implicit) => {
                    inner.origin = Origin::Dotted;
                    inner
                }
                _ => {
                    return err(
                        part.span.clone(),
                        format!(
                            "cannot add keys to `{}` with a dotted key: it is defined elsewhere",
                            part.value
                        ),
                    );
                }
            };
        }
        if t.position_of(last.value.as_bytes()).is_some() {
            return err(last.span.clone(), format!("duplicate key `{}`", dotted(&key)));
        }
        let mut key = key;
        if let Some(last) = key.pop() {
            t.entries.push((last, value));
        }
        Ok(())
    }

    fn value(&mut self) -> Res<Spanned<Value>> {
        let start = self.pos;
        let mut verbatim = false;
        let value = match self.peek() {
            Some(b'"') => {
                if self.peek_at(1) == Some(b'"') && self.peek_at(2) == Some(b'"') {
                    Value::String(self.ml_basic_string()?)
                } else {
                    let (text, as_written) = self.basic_string_verbatim()?;
                    verbatim = as_written;
                    Value::String(text)
                }
            }
            Some(b'\'') => {
                if self.peek_at(1) == Some(b'\'') && self.peek_at(2) == Some(b'\'') {
                    Value::String(self.ml_literal_string()?)
                } else {
                    Value::String(self.literal_string()?)
                }
            }
            Some(b'[') => self.array()?,
            Some(b'{') => self.inline_table()?,
            Some(b't') if self.bytes.get(self.pos..self.pos + 4) == Some(b"true") => {
                self.pos += 4;
                Value::Boolean(true)
            }
            Some(b'f') if self.bytes.get(self.pos..self.pos + 5) == Some(b"false") => {
                self.pos += 5;
                Value::Boolean(false)
            }
            Some(b'0'..=b'9' | b'+' | b'-' | b'i' | b'n') => self.number_or_datetime()?,
            _ => return self.expected("a value (a string, number, boolean, date, array or inline table)"),
        };
        Ok(Spanned { value, span: start..self.pos, verbatim })
    }

    fn array(&mut self) -> Res<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.ws_comments_newlines()?;
            if self.peek() == Some(b']') {
                self.pos += 1;
                return Ok(Value::Array(items));
            }
            items.push(self.value()?);
            self.ws_comments_newlines()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return self.expected("`,` or `]` in the array"),
            }
        }
    }

    fn inline_table(&mut self) -> Res<Value> {
        self.pos += 1;
        self.inline += 1;
        let value = self.inline_table_body();
        self.inline -= 1;
        value
    }

    fn inline_table_body(&mut self) -> Res<Value> {
        let mut t = Table::new(Origin::Dotted);
        loop {
            self.ws_comments_newlines()?;
            if self.peek() == Some(b'}') {
                self.pos += 1;
                break;
            }
            self.keyval(&mut t, b'=')?;
            self.ws_comments_newlines()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return self.expected("`,` or `}` in the inline table"),
            }
        }
        freeze(&mut t);
        Ok(Value::Table(t))
    }

    /// A `"..."` string at `"`.
    fn basic_string(&mut self) -> Res<String> {
        self.basic_string_verbatim().map(|(text, _)| text)
    }

    /// A `"..."` string at `"`, and whether it is verbatim (see [`Spanned::is_verbatim`]):
    /// the scan for its end also stops at the lead bytes of the characters that are not
    /// (0xc2: U+0080-U+00BF; 0xe2: U+2000-U+2FFF), so this costs nothing more for most.
    fn basic_string_verbatim(&mut self) -> Res<(String, bool)> {
        self.pos += 1;
        let mut out = String::new();
        let mut verbatim = true;
        let mut run_start = self.pos;
        loop {
            self.pos = scan::until(self.bytes, self.pos, [b'"', b'\\', 0xc2, 0xe2]);
            match self.peek() {
                Some(b'"') => {
                    let run = self.text.get(run_start..self.pos).unwrap_or("");
                    self.pos += 1;
                    // Most strings are one run: copied once, at their length.
                    if out.is_empty() {
                        return Ok((run.to_owned(), verbatim));
                    }
                    out.push_str(run);
                    return Ok((out, verbatim));
                }
                Some(0xc2 | 0xe2) => {
                    // A character like any other here, part of the run.
                    verbatim = false;
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            verbatim = false;
            out.push_str(self.text.get(run_start..self.pos).unwrap_or(""));
            match self.peek() {
                Some(b'\\') => self.escape(&mut out)?,
                Some(b'\t') => {
                    out.push('\t');
                    self.pos += 1;
                }
                Some(b'\n' | b'\r') | None => return self.expected("`\"` to close the string"),
                Some(_) => return self.expected("text in the string"),
            }
            run_start = self.pos;
        }
    }

    /// A `"""..."""` string at `"""`.
    fn ml_basic_string(&mut self) -> Res<String> {
        self.pos += 3;
        self.trim_first_newline();
        let mut out = String::new();
        loop {
            self.ml_text(b'"', b'\\', &mut out);
            match self.peek() {
                Some(b'"') => {
                    if self.close_ml(b'"', &mut out) {
                        return Ok(out);
                    }
                }
                Some(b'\\') => {
                    // A line-ending backslash trims the break and the blanks after it.
                    let mut ahead = self.pos + 1;
                    while let Some(b' ' | b'\t') = self.bytes.get(ahead) {
                        ahead += 1;
                    }
                    if let Some(b'\n' | b'\r') = self.bytes.get(ahead) {
                        self.pos = ahead;
                        loop {
                            match self.peek() {
                                Some(b' ' | b'\t' | b'\n') => self.pos += 1,
                                Some(b'\r') => self.newline()?,
                                _ => break,
                            }
                        }
                    } else {
                        self.escape(&mut out)?;
                    }
                }
                Some(b'\r') => {
                    self.newline()?;
                    out.push_str("\r\n");
                }
                None => return self.expected("`\"\"\"` to close the string"),
                Some(_) => return self.expected("text in the string"),
            }
        }
    }

    /// A `'...'` string at `'`.
    fn literal_string(&mut self) -> Res<String> {
        self.pos += 1;
        let start = self.pos;
        loop {
            self.pos = scan::until(self.bytes, self.pos, *b"''''");
            match self.peek() {
                Some(b'\'') => {
                    let s = self.text.get(start..self.pos).unwrap_or("").to_owned();
                    self.pos += 1;
                    return Ok(s);
                }
                Some(b) if (b < 0x20 && b != b'\t') || b == 0x7f => {
                    return if b == b'\n' || b == b'\r' {
                        self.expected("`'` to close the string")
                    } else {
                        self.expected("text in the string")
                    };
                }
                Some(_) => self.pos += 1,
                None => return self.expected("`'` to close the string"),
            }
        }
    }

    /// A `'''...'''` string at `'''`.
    fn ml_literal_string(&mut self) -> Res<String> {
        self.pos += 3;
        self.trim_first_newline();
        let mut out = String::new();
        loop {
            self.ml_text(b'\'', b'\'', &mut out);
            match self.peek() {
                Some(b'\'') => {
                    if self.close_ml(b'\'', &mut out) {
                        return Ok(out);
                    }
                }
                Some(b'\r') => {
                    self.newline()?;
                    out.push_str("\r\n");
                }
                None => return self.expected("`'''` to close the string"),
                Some(_) => return self.expected("text in the string"),
            }
        }
    }

    /// Appends the multi-line string's text at the cursor, up to the next `a` or `b`,
    /// carriage return or other control character (tabs and line feeds are text).
    fn ml_text(&mut self, a: u8, b: u8, out: &mut String) {
        let run_start = self.pos;
        loop {
            self.pos = scan::until(self.bytes, self.pos, [a, b, a, b]);
            match self.peek() {
                Some(b'\t' | b'\n') => self.pos += 1,
                _ => break,
            }
        }
        out.push_str(self.text.get(run_start..self.pos).unwrap_or(""));
    }

    fn trim_first_newline(&mut self) {
        match (self.peek(), self.peek_at(1)) {
            (Some(b'\n'), _) => self.pos += 1,
            (Some(b'\r'), Some(b'\n')) => self.pos += 2,
            _ => {}
        }
    }

    /// At a quote inside a multi-line string: a run of 3 to 5 closes it (the extra ones
    /// are content); fewer are content.
    fn close_ml(&mut self, quote: u8, out: &mut String) -> bool {
        let mut n = 0;
        while self.peek_at(n) == Some(quote) {
            n += 1;
        }
        let q = char::from(quote);
        if n >= 3 {
            let extra = (n - 3).min(2);
            (0..extra).for_each(|_| out.push(q));
            self.pos += 3 + extra;
            true
        } else {
            (0..n).for_each(|_| out.push(q));
            self.pos += n;
            false
        }
    }

    /// An escape at `\`.
    fn escape(&mut self, out: &mut String) -> Res<()> {
        let start = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'b') => '\u{8}',
            Some(b't') => '\t',
            Some(b'n') => '\n',
            Some(b'f') => '\u{c}',
            Some(b'r') => '\r',
            Some(b'e') => '\u{1b}',
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'x') => return self.hex_escape(start, 2, out),
            Some(b'u') => return self.hex_escape(start, 4, out),
            Some(b'U') => return self.hex_escape(start, 8, out),
            _ => {
                return err(
                    start..self.here().end,
                    "invalid escape (expected `\\b`, `\\t`, `\\n`, `\\f`, `\\r`, `\\e`, `\\\"`, `\\\\`, `\\xHH`, `\\uHHHH` or `\\UHHHHHHHH`)",
                );
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex_escape(&mut self, start: usize, digits: usize, out: &mut String) -> Res<()> {
        self.pos += 1;
        let hex = self.bytes.get(self.pos..self.pos + digits).unwrap_or(&[]);
        if hex.len() != digits || !hex.iter().all(u8::is_ascii_hexdigit) {
            return err(start..self.pos, format!("expected {digits} hex digits in the escape"));
        }
        let n = hex.iter().fold(0u32, |n, &d| (n << 4) | char::from(d).to_digit(16).unwrap_or(0));
        self.pos += digits;
        match char::from_u32(n) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => err(
                start..self.pos,
                format!(
                    "escape `{}` is not a Unicode scalar value",
                    self.text.get(start..self.pos).unwrap_or("")
                ),
            ),
        }
    }

    /// A number, `inf`, `nan`, or a date/time.
    fn number_or_datetime(&mut self) -> Res<Value> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-' | b'.' | b':'))
        {
            self.pos += 1;
        }
        // A date and a time separated by one space are one value.
        let token = self.text.get(start..self.pos).unwrap_or("");
        if is_full_date(token)
            && self.peek() == Some(b' ')
            && self.peek_at(1).is_some_and(|b| b.is_ascii_digit())
            && self.peek_at(2).is_some_and(|b| b.is_ascii_digit())
            && self.peek_at(3) == Some(b':')
        {
            self.pos += 1;
            while self
                .peek()
                .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.' | b':'))
            {
                self.pos += 1;
            }
        }
        let token = self.text.get(start..self.pos).unwrap_or("");
        let span = start..self.pos;
        let bytes = token.as_bytes();
        let looks_like_datetime = (bytes.len() >= 5
            && bytes.get(4) == Some(&b'-')
            && bytes[..4].iter().all(u8::is_ascii_digit))
            || (bytes.len() >= 3 && bytes.get(2) == Some(&b':') && bytes[..2].iter().all(u8::is_ascii_digit));
        if looks_like_datetime {
            return if datetime(token) {
                Ok(Value::Datetime(token.to_owned()))
            } else {
                err(span, format!("invalid date or time `{token}`"))
            };
        }
        if let Some(n) = integer(token) {
            return n.map(Value::Integer).ok_or_else(|| Error {
                span,
                message: format!("integer `{token}` is out of range (TOML integers are 64-bit)"),
            });
        }
        match float(token) {
            Some(f) => Ok(Value::Float(f)),
            None if token.is_empty() => self.expected("a value"),
            None => err(span, format!("invalid number `{token}`")),
        }
    }
}

fn set_aot(t: &mut Table, i: usize) {
    if t.aot.len() <= i {
        t.aot.resize(i + 1, false);
    }
    if let Some(flag) = t.aot.get_mut(i) {
        *flag = true;
    }
}

/// Makes an inline table and every table inside it complete.
fn freeze(t: &mut Table) {
    t.origin = Origin::Inline;
    for (_, v) in &mut t.entries {
        freeze_value(&mut v.value);
    }
}

fn freeze_value(v: &mut Value) {
    match v {
        Value::Table(t) => freeze(t),
        Value::Array(items) => items.iter_mut().for_each(|i| freeze_value(&mut i.value)),
        _ => {}
    }
}

fn dotted(key: &[Spanned<Key>]) -> String {
    key.iter().map(|k| k.value.as_str()).collect::<Vec<_>>().join(".")
}

/// Digits with single underscores between them (`1_000`), in `radix`.
fn digits_ok(s: &str, radix: u32) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.first() != Some(&b'_')
        && b.last() != Some(&b'_')
        && !s.contains("__")
        && s.chars().all(|c| c == '_' || c.is_digit(radix))
}

/// `Some(Some(n))` for an integer in range, `Some(None)` for one out of range, `None`
/// when the token is not an integer.
#[allow(clippy::option_option)]
fn integer(token: &str) -> Option<Option<i64>> {
    // The common case, plain decimal digits (`status = 404`), without the pattern and
    // parse machinery that is slow in the unoptimized macro; 18 digits cannot overflow.
    let bytes = token.as_bytes();
    if (1..=18).contains(&bytes.len()) && (bytes.len() == 1 || bytes[0] != b'0') {
        let (mut n, mut i) = (0i64, 0);
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            n = n * 10 + i64::from(bytes[i] - b'0');
            i += 1;
        }
        if i == bytes.len() {
            return Some(Some(n));
        }
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(digits) = token.strip_prefix(prefix) {
            if !digits_ok(digits, radix) {
                return None;
            }
            return Some(
                u64::from_str_radix(&digits.replace('_', ""), radix).ok().and_then(|n| i64::try_from(n).ok()),
            );
        }
    }
    let unsigned = token.strip_prefix(['+', '-']).unwrap_or(token);
    if !digits_ok(unsigned, 10) || (unsigned.len() > 1 && unsigned.starts_with('0')) {
        return None;
    }
    Some(token.replace('_', "").parse::<i64>().ok())
}

fn float(token: &str) -> Option<f64> {
    let unsigned = token.strip_prefix(['+', '-']).unwrap_or(token);
    let negative = token.starts_with('-');
    match unsigned {
        "inf" => return Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY }),
        "nan" => return Some(if negative { -f64::NAN } else { f64::NAN }),
        _ => {}
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (unsigned.get(..i)?, Some(unsigned.get(i + 1..)?)),
        None => (unsigned, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    if !digits_ok(int, 10) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    if frac.is_some_and(|f| !digits_ok(f, 10)) {
        return None;
    }
    if let Some(e) = exponent
        && !digits_ok(e.strip_prefix(['+', '-']).unwrap_or(e), 10)
    {
        return None;
    }
    if frac.is_none() && exponent.is_none() {
        return None;
    }
    token.replace('_', "").parse::<f64>().ok()
}

fn two(b: &[u8]) -> Option<u32> {
    match b {
        [x, y] if x.is_ascii_digit() && y.is_ascii_digit() => {
            Some(u32::from(x - b'0') * 10 + u32::from(y - b'0'))
        }
        _ => None,
    }
}

fn is_full_date(s: &str) -> bool {
    full_date(s.as_bytes()).is_some()
}

/// `YYYY-MM-DD`, a real day.
fn full_date(b: &[u8]) -> Option<()> {
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year: u32 = std::str::from_utf8(b.get(..4)?)
        .ok()
        .filter(|y| y.bytes().all(|c| c.is_ascii_digit()))?
        .parse()
        .ok()?;
    let month = two(b.get(5..7)?)?;
    let day = two(b.get(8..10)?)?;
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then_some(())
}

/// `HH:MM[:SS[.fraction]]`, in range.
fn partial_time(b: &[u8]) -> Option<()> {
    let hour = two(b.get(..2)?)?;
    if b.get(2) != Some(&b':') {
        return None;
    }
    let minute = two(b.get(3..5)?)?;
    if hour > 23 || minute > 59 {
        return None;
    }
    match b.get(5..) {
        Some([]) => Some(()),
        Some([b':', rest @ ..]) => {
            let second = two(rest.get(..2)?)?;
            if second > 60 {
                return None;
            }
            match rest.get(2..)? {
                [] => Some(()),
                [b'.', frac @ ..] if !frac.is_empty() && frac.iter().all(u8::is_ascii_digit) => Some(()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `Z` or `±HH:MM`.
fn offset(b: &[u8]) -> Option<()> {
    match b {
        [b'Z' | b'z'] => Some(()),
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            (two(&[*h1, *h2])? <= 23 && two(&[*m1, *m2])? <= 59).then_some(())
        }
        _ => None,
    }
}

/// A local date, local time, local date-time or offset date-time.
fn datetime(token: &str) -> bool {
    let b = token.as_bytes();
    if b.get(2) == Some(&b':') {
        return partial_time(b).is_some();
    }
    let Some(date) = b.get(..10) else { return false };
    if full_date(date).is_none() {
        return false;
    }
    let Some(rest) = b.get(10..) else { return false };
    let Some((&sep, time)) = rest.split_first() else { return true };
    if !matches!(sep, b'T' | b't' | b' ') {
        return false;
    }
    let split = time.iter().position(|&c| matches!(c, b'Z' | b'z' | b'+' | b'-')).unwrap_or(time.len());
    let (time, off) = time.split_at(split);
    partial_time(time).is_some() && (off.is_empty() || offset(off).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Table {
        parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}")).value
    }

    fn bad(text: &str) -> String {
        match parse(text) {
            Ok(t) => panic!("{text:?} parsed: {t:?}"),
            Err(e) => e.message,
        }
    }

    /// A document over [`PARALLEL_BYTES`] of `[[errors]]` tables, with `middle` after
    /// the table nearest its middle.
    fn large(middle: &str, tail: &str) -> String {
        let entry = |i: usize| {
            format!(
                "[[errors]]\nvariant = \"E{i}\"\nstatus = 400\ndescription = \"d {{x}} {i}\"\n[errors.retry]\naction = \"never\"\n\n"
            )
        };
        let n = PARALLEL_BYTES / entry(0).len() + 10;
        let mut doc = String::from("[api]\nname = \"Big\"\n\n");
        for i in 0..n {
            doc.push_str(&entry(i));
            if i == n / 2 {
                doc.push_str(middle);
            }
        }
        doc.push_str(tail);
        doc
    }

    #[test]
    fn keys_short_and_long_are_found_and_kept_whole() {
        let long = "a quoted key longer than twenty-two bytes";
        let text = format!("k = 1\n\"{long}\" = 2\n\"ключ\" = 3\n\"\" = 4\nexactly_twenty_two_byt = 5\n");
        let t = ok(&text);
        let keys: Vec<&str> = t.keys().map(|k| k.get_ref().as_str()).collect();
        assert_eq!(keys, ["k", long, "ключ", "", "exactly_twenty_two_byt"]);
        for (key, n) in [("k", 1), (long, 2), ("ключ", 3), ("", 4), ("exactly_twenty_two_byt", 5)] {
            assert_eq!(t.get(key).map(|v| v.get_ref()), Some(&Value::Integer(n)), "{key:?}");
        }
        assert_eq!(t.get("ключи"), None);
        assert!(bad(&format!("\"{long}\" = 1\n\"{long}\" = 2\n")).contains("duplicate key"));
    }

    #[test]
    fn verbatim_strings_are_the_plain_one_line_ones() {
        // (TOML value as written, verbatim?)
        let cases = [
            (r#""plain text""#, true),
            (r#""""#, true),
            (r#""中文原因。，""#, true),
            (r#""quote \" inside""#, false),
            (r#""escape \n""#, false),
            (r#""unicode \u00e9""#, false),
            ("\"tab\there\"", false),
            ("\"em \u{2014} dash\"", false),
            ("\"no-break\u{a0}space\"", false),
            ("\"override \u{202e}\"", false),
            ("\"after \u{2014} \\\" both\"", false),
            ("'literal'", false),
            ("\"\"\"multi\"\"\"", false),
            ("42", false),
        ];
        for (value, verbatim) in cases {
            let doc = parse(&format!("k = {value}\n")).unwrap_or_else(|e| panic!("{value}: {e:?}"));
            let v = doc.get_ref().get("k").unwrap_or_else(|| panic!("{value}: no k"));
            assert_eq!(v.is_verbatim(), verbatim, "{value}");
        }
        // Mid-string stops at non-verbatim characters keep the value whole.
        let t = ok("k = \"a\u{2014}b\u{85}c\\td\"\n");
        assert_eq!(t.get("k").map(|v| v.get_ref()), Some(&Value::String("a\u{2014}b\u{85}c\td".into())));
    }

    #[test]
    fn integers_plain_and_otherwise() {
        use super::integer;
        let cases: [(&str, Option<Option<i64>>); 14] = [
            ("0", Some(Some(0))),
            ("7", Some(Some(7))),
            ("404", Some(Some(404))),
            ("123456789012345678", Some(Some(123_456_789_012_345_678))),
            ("9223372036854775807", Some(Some(i64::MAX))),
            ("9223372036854775808", Some(None)),
            ("-9223372036854775808", Some(Some(i64::MIN))),
            ("+12", Some(Some(12))),
            ("-0", Some(Some(0))),
            ("1_000", Some(Some(1000))),
            ("0x1f", Some(Some(31))),
            ("007", None),
            ("12a", None),
            ("", None),
        ];
        for (token, expected) in cases {
            assert_eq!(integer(token), expected, "{token:?}");
        }
    }

    #[test]
    fn a_large_document_read_in_halves_is_the_document_read_whole() {
        // A multi-line string around the middle, with header-like lines.
        let trap = format!("s = \"\"\"\n{}\"\"\"\n", "[[errors]]\n".repeat(2000));
        let cases = [
            ("", "", true),
            ("# a comment\r\n", "[[errors]] # last\nvariant = \"Last\"\n", true),
            // What the halves cannot tell alone: the document is read whole.
            ("", "[other]\nx = 1\n", false),
            (&trap, "", false),
            ("", "[api]\nname = \"Twice\"\n", false),
            ("", "[[errors]]\nvariant = 1\nvariant = 2\n", false),
            ("", "[[api]]\n", false),
            ("", "[errors]\n", false),
        ];
        for (middle, tail, halves) in cases {
            let doc = large(middle, tail);
            assert!(doc.len() >= PARALLEL_BYTES && split_point(&doc).is_some());
            assert_eq!(parse_halves(&doc).is_some(), halves, "{middle:?} {tail:?}");
            assert_eq!(parse(&doc), parse_range(&doc, 0, doc.len(), false), "{middle:?} {tail:?}");
        }
        // A document whose `errors` is not an array of tables until the split.
        let doc = format!("errors = []\n{}", large("", ""));
        assert_eq!(parse(&doc), parse_range(&doc, 0, doc.len(), false));
        assert!(parse(&doc).is_err());
        // And the halves do split it: every table, in order, with its position.
        let text = large("", "");
        let doc = parse(&text).unwrap_or_else(|e| panic!("{e:?}"));
        let Some(Value::Array(errors)) = doc.value.get("errors").map(Spanned::get_ref) else { panic!() };
        assert_eq!(errors.len(), text.matches("[[errors]]").count());
        let last = errors.last().and_then(|e| match e.get_ref() {
            Value::Table(t) => t.get("variant").map(Spanned::span),
            _ => None,
        });
        let at = text.rfind("\"E").unwrap_or(0);
        assert_eq!(last.map(|s| s.start), Some(at));
    }

    #[test]
    fn values_and_spans() {
        let t = ok(
            "a = \"x\\ty\" # c\nb = 'lit\\'\nc = -1_000\nd = 0xff\ne = 1.5e3\nf = true\ng = [1, [2], {h = 3}]\n",
        );
        assert_eq!(t.get("a").map(Spanned::get_ref), Some(&Value::String("x\ty".into())));
        assert_eq!(t.get("a").map(Spanned::span), Some(4..10));
        assert_eq!(t.get("b").map(Spanned::get_ref), Some(&Value::String("lit\\".into())));
        assert_eq!(t.get("c").map(Spanned::get_ref), Some(&Value::Integer(-1000)));
        assert_eq!(t.get("d").map(Spanned::get_ref), Some(&Value::Integer(255)));
        assert_eq!(t.get("e").map(Spanned::get_ref), Some(&Value::Float(1500.0)));
        assert_eq!(t.get("f").map(Spanned::get_ref), Some(&Value::Boolean(true)));
        assert!(matches!(t.get("g").map(Spanned::get_ref), Some(Value::Array(items)) if items.len() == 3));
    }

    #[test]
    fn multi_line_strings() {
        let t = ok("a = \"\"\"\nline\\\n   next \"\"quoted\"\" \"\"\"\"\nb = '''\r\nraw\\n ''x'''''\n");
        assert_eq!(t.get("a").and_then(|v| v.get_ref().as_str()), Some("linenext \"\"quoted\"\" \""));
        assert_eq!(t.get("b").and_then(|v| v.get_ref().as_str()), Some("raw\\n ''x''"));
    }

    #[test]
    fn tables_and_arrays_of_tables() {
        let t = ok("[a.b]\nx = 1\n[a]\ny = 2\n[[e]]\nv = 1\n[[e]]\nv = 2\n[e.sub]\nw = 3\n");
        let Some(Value::Table(a)) = t.get("a").map(Spanned::get_ref) else { panic!() };
        assert!(a.get("b").is_some() && a.get("y").is_some());
        let Some(Value::Array(e)) = t.get("e").map(Spanned::get_ref) else { panic!() };
        assert_eq!(e.len(), 2);
        let Some(Value::Table(second)) = e.get(1).map(Spanned::get_ref) else { panic!() };
        assert!(second.get("sub").is_some());
        assert_eq!(e.first().map(Spanned::span), Some(22..27));
    }

    #[test]
    fn redefinitions_are_rejected() {
        assert!(bad("[a]\n[a]\n").contains("defined twice"));
        assert!(bad("a = 1\na = 2\n").contains("duplicate key"));
        assert!(bad("a = {b = 1}\n[a.c]\n").contains("already a value"));
        assert!(bad("a.b = 1\n[a]\n").contains("defined twice"));
        assert!(bad("[a.b]\n[a]\nb.c = 1\n").contains("dotted key"));
        assert!(bad("a = [1]\n[[a]]\n").contains("not an array of tables"));
        assert!(bad("[[a]]\n[a]\n").contains("defined twice"));
        assert!(bad("a = {b.c = 1}\na.b.d = 2\n").contains("dotted key"));
    }

    #[test]
    fn syntax_errors_say_what_and_where() {
        let e = parse("variant = \"OrderNotFound\nx = 1").unwrap_err();
        assert_eq!(
            (e.span(), e.message()),
            (24..25, "expected `\"` to close the string, found a line break")
        );
        assert!(bad("a = 1 b = 2").contains("line break after the value"));
        assert!(bad("a = 01").contains("invalid number"));
        assert!(bad("a = 9223372036854775808").contains("out of range"));
        assert!(bad("a = \"\\q\"").contains("invalid escape"));
        assert!(bad("a = \"\\uD800\"").contains("Unicode scalar"));
        assert!(bad("a = 1979-02-30").contains("invalid date"));
        assert!(bad("# \u{1} \n").contains("control character"));
        assert!(bad("a = 1\r").contains("line break"));
        assert!(bad("= 1").contains("expected a key"));
    }

    #[test]
    fn top_level_keys_alone() {
        let t = parse_top_level("include = [\"a\"]\n[api]\nname = 1\n[api]\n").map(|t| t.value);
        assert_eq!(t.map(|t| t.len()), Ok(1));
    }

    #[test]
    fn dates_and_special_floats() {
        let t = ok(
            "a = 1979-05-27T07:32:00Z\nb = 1979-05-27 07:32:00.999-07:00\nc = 07:32\nd = 1979-05-27\ne = -inf\nf = nan\n",
        );
        assert!(
            matches!(t.get("b").map(Spanned::get_ref), Some(Value::Datetime(s)) if s == "1979-05-27 07:32:00.999-07:00")
        );
        assert!(matches!(t.get("c").map(Spanned::get_ref), Some(Value::Datetime(_))));
        assert_eq!(t.get("e").map(Spanned::get_ref), Some(&Value::Float(f64::NEG_INFINITY)));
    }
}
