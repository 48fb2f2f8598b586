//! Support for the code `include_errors!` generates. Not a public API: it may change
//! in any release.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::mem::ManuallyDrop;
use std::sync::OnceLock;

pub use ::serde;

use crate::catalog::Fields;
pub use crate::catalog::{CatalogEntry, FieldValue, Placeholder, PlaceholderKind, StatusInfo, Template};
use crate::json::{self, Scan};
pub use crate::policy::{Backoff, RetryPolicy};
use crate::response::{MAX_BODY_LEN, StatusOnly, UnknownError};

/// Most placeholders in one template (the macro enforces it).
pub const MAX_PLACEHOLDERS: usize = 8;

/// Groups of at most this many slots find their candidates by counting, not searching.
const SMALL_GROUP: usize = 16;

/// Strings of each entry before its literals: variant, template, cause, cause (Chinese),
/// remedy, remedy (Chinese).
const FIXED_STRINGS: usize = 6;

/// The generated catalog, as arrays of plain values: the compiler checks and compiles
/// those far faster than arrays of structs, which matters for specs of thousands of
/// entries (one string and a few integer tables, however many entries). Each integer
/// table is one byte-string literal of little-endian values (`u32`s unless said
/// otherwise): an array literal would cost the compiler type checking and evaluation
/// per element.
///
/// The strings of entry `i`, which has `k` placeholders and `p = placeholders[i]` before
/// it, are strings `7 * i + 2 * p` onward: variant, template, cause, cause (Chinese),
/// remedy, remedy (Chinese), then the template's `k + 1` literals with the `k`
/// placeholder names between them. After every entry's strings come the `error` of each
/// group (empty for none).
///
/// The lookup: `order` holds entry indices by slot, grouped by (status, `error`); within
/// a group, slots are sorted by `first` (the template's first byte plus one, 0 when it
/// starts with a placeholder) and each keeps its `rank` in the group's lookup order
/// (specific templates before catch-alls, then spec order). `hash` is an
/// open-addressing table (a power of two long, at most half full) of group index plus
/// one by [`group_hash`], linear probing, 0 for empty.
#[doc(hidden)]
#[derive(Debug)]
pub struct Data {
    /// The statuses, ascending.
    pub statuses: &'static [StatusInfo],
    /// The distinct retry policies of the entries.
    pub policies: &'static [RetryPolicy],
    /// Every string, back to back.
    pub text: &'static str,
    /// String `j` is `text[cuts[j]..cuts[j + 1]]`.
    pub cuts: &'static [u8],
    /// Per entry, how many placeholders the entries before it have; then the total.
    pub placeholders: &'static [u8],
    /// Per placeholder, a byte: 0 text, 1 `u64`, 2 list.
    pub kinds: &'static [u8],
    /// Per entry, its group.
    pub group: &'static [u8],
    /// Per entry, its retry policy: an index into `policies`.
    pub retry: &'static [u8],
    /// Per entry, a byte: 1 to alert, 0 not to.
    pub alert: &'static [u8],
    /// Per group, its status (`u16`s).
    pub group_status: &'static [u8],
    /// Per group, the end of its slots (it starts where the previous one ends).
    pub group_end: &'static [u8],
    /// Per slot, the entry.
    pub order: &'static [u8],
    /// Per slot, a byte: the template's first byte plus one, 0 for a placeholder first
    /// (text never starts with a byte above 0xf4).
    pub first: &'static [u8],
    /// Per slot, its position in its group's lookup order.
    pub rank: &'static [u8],
    /// Group index plus one by hash.
    pub hash: &'static [u8],
    /// Per entry, its shape: which values its variant holds, as the macro numbers
    /// shapes (`u16`s; 0 for none). The generated `build` reads an entry's values by it.
    pub shapes: &'static [u8],
}

/// The generated catalog's data, and the [`CatalogEntry`] values made from it the
/// first time somebody asks for them (classification never needs them).
#[derive(Debug)]
pub struct Table {
    data: Data,
    /// The string index of the first group's `error`.
    group_codes: usize,
    literals: OnceLock<Box<[&'static str]>>,
    placeholders: OnceLock<Box<[Placeholder]>>,
    entries: OnceLock<Box<[CatalogEntry]>>,
}

impl Table {
    #[doc(hidden)]
    pub const fn __new(data: Data) -> Self {
        Table {
            group_codes: (FIXED_STRINGS + 1) * entry_count(&data) + 2 * data.kinds.len(),
            data,
            literals: OnceLock::new(),
            placeholders: OnceLock::new(),
            entries: OnceLock::new(),
        }
    }

    /// What the spec says about `status`.
    pub fn status_info(&self, status: u16) -> Option<&'static StatusInfo> {
        let statuses = self.data.statuses;
        let i = statuses.binary_search_by_key(&status, StatusInfo::status).ok()?;
        statuses.get(i)
    }

    /// Every entry, in spec order: made once, on first use (one allocation each for the
    /// entries, their literals and their placeholders).
    pub fn catalog(&'static self) -> &'static [CatalogEntry] {
        self.entries.get_or_init(|| {
            let n = self.len();
            let literals =
                self.literals.get_or_init(|| (0..n).flat_map(|i| self.entry(i).literal_texts()).collect());
            let placeholders = self
                .placeholders
                .get_or_init(|| (0..n).flat_map(|i| self.entry(i).placeholder_list()).collect());
            (0..n)
                .map(|i| {
                    let e = self.entry(i);
                    let (p, k) = (e.first_placeholder(), e.kinds().len());
                    let template = Template::__new(
                        e.text(),
                        literals.get(p + i..p + i + k + 1).unwrap_or(&[]),
                        placeholders.get(p..p + k).unwrap_or(&[]),
                    );
                    let (code, status) = (e.code(), e.status());
                    CatalogEntry::__new(
                        e.variant(),
                        status,
                        code,
                        template,
                        e.cause(),
                        e.cause_zh(),
                        e.remedy(),
                        e.remedy_zh(),
                        e.retry(),
                        e.should_alert(),
                    )
                })
                .collect()
        })
    }

    /// The shape of entry `index` (see [`Data::shapes`]); `usize::MAX` for an index the
    /// table does not have.
    pub fn shape(&self, index: usize) -> usize {
        u16_at(self.data.shapes, index).map_or(usize::MAX, usize::from)
    }

    /// How many entries there are.
    fn len(&self) -> usize {
        entry_count(&self.data)
    }

    /// Entry `index` (a view of the arrays; an index out of range reads as empty).
    fn entry(&'static self, index: usize) -> Entry {
        Entry { table: self, index }
    }

    /// String `j`.
    fn string(&self, j: usize) -> &'static str {
        let (a, b) = self.cut(j);
        self.data.text.get(a..b).unwrap_or("")
    }

    /// Where string `j` starts and ends.
    fn cut(&self, j: usize) -> (usize, usize) {
        pair(self.data.cuts, j).unwrap_or((0, 0))
    }

    /// String `j`, as bytes (no character boundaries to check).
    fn bytes(&self, j: usize) -> &'static [u8] {
        let (a, b) = self.cut(j);
        self.data.text.as_bytes().get(a..b).unwrap_or(&[])
    }

    /// The entry in `slot`.
    fn slot_entry(&'static self, slot: usize) -> Option<Entry> {
        Some(self.entry(index(self.data.order, slot)?))
    }

    /// The slots of a group that can match a description starting with `first` (its
    /// first byte plus one, 0 for an empty description), in lookup order: the slots whose
    /// template starts with that byte, merged by rank with those that start with a
    /// placeholder. One counting pass for a small group, binary searches for a large one.
    fn candidates(&self, group: std::ops::Range<usize>, first: u16) -> Candidates<'_> {
        let start = group.start;
        let keys = self.data.first.get(group).unwrap_or(&[]);
        // Keys are sorted, so counting gives the same bounds as binary searches; for
        // the usual small group, one branch-free pass costs less than three searches.
        let (zeros, below, upto) = if keys.len() <= SMALL_GROUP {
            keys.iter().fold((0, 0, 0), |(z, b, u), &k| {
                let k = u16::from(k);
                (z + usize::from(k == 0), b + usize::from(k < first), u + usize::from(k <= first))
            })
        } else {
            (
                keys.partition_point(|&k| k == 0),
                keys.partition_point(|&k| u16::from(k) < first),
                keys.partition_point(|&k| u16::from(k) <= first),
            )
        };
        let (lo, hi) = if first == 0 { (zeros, zeros) } else { (below, upto) };
        Candidates { rank: self.data.rank, start, zeros: 0..zeros, matching: lo..hi }
    }

    /// The `error` of group `g` (`None` for the empty string).
    fn group_code(&self, g: usize) -> Option<&'static str> {
        Some(self.string(self.group_codes + g)).filter(|c| !c.is_empty())
    }

    /// The slot range of (status, code): one hash, usually one probe.
    #[inline]
    fn group(&self, status: u16, code: Option<&[u8]>) -> Option<std::ops::Range<usize>> {
        let hash_table = self.data.hash;
        let slots = hash_table.len() / 4;
        let mask = slots.checked_sub(1)?;
        // Masked as u64 first, so that 32-bit targets probe where the (64-bit) macro put it.
        let mut at = usize::try_from(hash(status, code) & mask as u64).unwrap_or(0);
        for _ in 0..slots {
            let g = index(hash_table, at)?.checked_sub(1)?;
            if u16_at(self.data.group_status, g)? == status && {
                let c = self.bytes(self.group_codes + g);
                if c.is_empty() { code.is_none() } else { code == Some(c) }
            } {
                let end = |g: usize| index(self.data.group_end, g).unwrap_or(0);
                return Some(if g == 0 { 0 } else { end(g - 1) }..end(g));
            }
            at = (at + 1) & mask;
        }
        None
    }
}

/// How many entries `data` has: `placeholders` holds one prefix sum per entry, then the total.
const fn entry_count(data: &Data) -> usize {
    (data.placeholders.len() / 4).saturating_sub(1)
}

/// Value `i` of little-endian `u32`s stored as bytes.
#[inline]
fn u32_at(bytes: &[u8], i: usize) -> Option<u32> {
    bytes.as_chunks::<4>().0.get(i).map(|&w| u32::from_le_bytes(w))
}

/// Value `i` of little-endian `u32`s stored as bytes, as an index.
#[inline]
fn index(bytes: &[u8], i: usize) -> Option<usize> {
    usize::try_from(u32_at(bytes, i)?).ok()
}

/// Values `i` and `i + 1` of little-endian `u32`s stored as bytes, as indices (one
/// bounds check for both).
#[inline]
fn pair(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let &[a, b] = bytes.as_chunks::<4>().0.get(i..)?.first_chunk::<2>()?;
    Some((usize::try_from(u32::from_le_bytes(a)).ok()?, usize::try_from(u32::from_le_bytes(b)).ok()?))
}

/// Value `i` of little-endian `u16`s stored as bytes.
#[inline]
fn u16_at(bytes: &[u8], i: usize) -> Option<u16> {
    bytes.as_chunks::<2>().0.get(i).map(|&w| u16::from_le_bytes(w))
}

/// A view of one entry of a [`Table`].
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    table: &'static Table,
    index: usize,
}

/// A template's literal pieces (one more than its placeholders), as bytes.
trait Literals {
    /// How many there are (at least one).
    fn count(&self) -> usize;
    /// Piece `j` (empty past the end).
    fn get(&self, j: usize) -> &[u8];
}

/// Literals given as a slice (the unit tests' templates).
#[cfg(test)]
impl Literals for [&[u8]] {
    fn count(&self) -> usize {
        self.len()
    }

    fn get(&self, j: usize) -> &[u8] {
        <[&[u8]]>::get(self, j).copied().unwrap_or(&[])
    }
}

/// An entry's literals, read from the table as they are needed.
struct EntryLiterals {
    table: &'static Table,
    /// The string index of the first literal (they alternate with placeholder names).
    at: usize,
    count: usize,
}

impl Literals for EntryLiterals {
    fn count(&self) -> usize {
        self.count
    }

    fn get(&self, j: usize) -> &[u8] {
        self.table.bytes(self.at.saturating_add(2 * j))
    }
}

impl Entry {
    /// Its placeholders' range in [`Data::kinds`] (and so how many come before it).
    fn placeholder_range(&self) -> (usize, usize) {
        pair(self.table.data.placeholders, self.index).unwrap_or((0, 0))
    }

    /// How many placeholders the entries before this one have.
    fn first_placeholder(&self) -> usize {
        self.placeholder_range().0
    }

    /// The index of this entry's string `k`, given `p`, its [`Self::first_placeholder`].
    fn at(&self, p: usize, k: usize) -> usize {
        // Saturating: an index past the end (never emitted) reads as empty strings.
        ((FIXED_STRINGS + 1).saturating_mul(self.index)).saturating_add(2 * p).saturating_add(k)
    }

    fn string(&self, k: usize) -> &'static str {
        self.table.string(self.at(self.first_placeholder(), k))
    }

    /// The kinds of its placeholders.
    fn kinds(&self) -> &'static [u8] {
        let (p, q) = self.placeholder_range();
        self.table.data.kinds.get(p..q).unwrap_or(&[])
    }

    /// Its literals and the kinds of its placeholders (one lookup of where they are).
    fn template(&self) -> (EntryLiterals, &'static [u8]) {
        let (p, q) = self.placeholder_range();
        let kinds = self.table.data.kinds.get(p..q).unwrap_or(&[]);
        let at = self.at(p, FIXED_STRINGS);
        (EntryLiterals { table: self.table, at, count: kinds.len() + 1 }, kinds)
    }

    /// The variant's name.
    pub fn variant(&self) -> &'static str {
        self.string(0)
    }

    fn text(&self) -> &'static str {
        self.string(1)
    }

    fn cause(&self) -> &'static str {
        self.string(2)
    }

    fn cause_zh(&self) -> &'static str {
        self.string(3)
    }

    fn remedy(&self) -> &'static str {
        self.string(4)
    }

    fn remedy_zh(&self) -> &'static str {
        self.string(5)
    }

    /// Literal `j` of the template.
    fn literal(&self, j: usize) -> &'static str {
        self.string(FIXED_STRINGS + 2 * j)
    }

    /// The name of placeholder `j`.
    fn name(&self, j: usize) -> &'static str {
        self.string(FIXED_STRINGS + 1 + 2 * j)
    }

    /// The template's literals, as bytes.
    fn literals(&self) -> EntryLiterals {
        self.template().0
    }

    fn literal_texts(self) -> impl Iterator<Item = &'static str> {
        (0..=self.kinds().len()).map(move |j| self.literal(j))
    }

    fn placeholder_list(self) -> impl Iterator<Item = Placeholder> {
        self.kinds().iter().enumerate().map(move |(j, &k)| Placeholder::__new(self.name(j), kind(k)))
    }

    /// The placeholder names, in order.
    fn names(&self) -> [&'static str; MAX_PLACEHOLDERS] {
        let mut names = [""; MAX_PLACEHOLDERS];
        for (j, name) in names.iter_mut().take(self.kinds().len()).enumerate() {
            *name = self.name(j);
        }
        names
    }

    fn group(&self) -> usize {
        index(self.table.data.group, self.index).unwrap_or(usize::MAX)
    }

    fn status(&self) -> u16 {
        u16_at(self.table.data.group_status, self.group()).unwrap_or(0)
    }

    fn code(&self) -> Option<&'static str> {
        self.table.group_code(self.group())
    }

    fn retry(&self) -> RetryPolicy {
        let policy = index(self.table.data.retry, self.index).unwrap_or(usize::MAX);
        self.table.data.policies.get(policy).copied().unwrap_or(RetryPolicy::Never)
    }

    fn should_alert(&self) -> bool {
        self.table.data.alert.get(self.index).is_none_or(|&a| a != 0)
    }
}

/// A placeholder kind from its number in [`Data::kinds`].
fn kind(k: u8) -> PlaceholderKind {
    match k {
        1 => PlaceholderKind::U64,
        2 => PlaceholderKind::List,
        _ => PlaceholderKind::Str,
    }
}

/// [`Data::kinds`]' number of `u64`.
const U64: u8 = 1;

/// Slots of a group in lookup order: two runs merged by rank.
struct Candidates<'t> {
    rank: &'t [u8],
    start: usize,
    zeros: std::ops::Range<usize>,
    matching: std::ops::Range<usize>,
}

impl Iterator for Candidates<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let rank = |i: usize| u32_at(self.rank, self.start + i).unwrap_or(u32::MAX);
        let take_zero = match (self.zeros.is_empty(), self.matching.is_empty()) {
            (true, true) => return None,
            (false, true) => true,
            (true, false) => false,
            (false, false) => rank(self.zeros.start) < rank(self.matching.start),
        };
        let run = if take_zero { &mut self.zeros } else { &mut self.matching };
        run.next().map(|i| self.start + i)
    }
}

/// The hash the macro builds the group table with (`easemob_errors_impl::expand` has
/// the same): status, length and the first and last eight bytes of the code, mixed with
/// a few multiplications; no loop over the bytes.
pub fn group_hash(status: u16, code: Option<&str>) -> u64 {
    hash(status, code.map(str::as_bytes))
}

/// [`group_hash`] of a code given as (UTF-8) bytes.
fn hash(status: u16, code: Option<&[u8]>) -> u64 {
    let bytes = code.unwrap_or(&[]);
    // Eight bytes little-endian, zero-padded; one load when there are eight (most codes).
    let word = |chunk: &[u8]| match <[u8; 8]>::try_from(chunk) {
        Ok(w) => u64::from_le_bytes(w),
        Err(_) => chunk.iter().rev().fold(0u64, |w, &b| (w << 8) | u64::from(b)),
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

/// A description (text) matched against a template: the ranges of each
/// placeholder's value. Literals are text, and UTF-8 never starts a character inside
/// another, so every range is at character boundaries: a capture is sliced from the
/// text without checking its UTF-8 again.
#[derive(Debug, Clone, Copy)]
pub struct Captures<'a> {
    text: &'a str,
    ranges: [(usize, usize); MAX_PLACEHOLDERS],
}

impl Captures<'_> {
    /// The captures of a template without placeholders.
    const NONE: Captures<'static> = Captures { text: "", ranges: [(0, 0); MAX_PLACEHOLDERS] };

    fn get(&self, i: usize) -> &str {
        self.ranges.get(i).and_then(|&(a, b)| self.text.get(a..b)).unwrap_or("")
    }
}

/// Text of a field of the body (checked UTF-8 by the reader).
fn text(bytes: Cow<'_, [u8]>) -> Cow<'_, str> {
    match bytes {
        Cow::Borrowed(b) => std::str::from_utf8(b).map_or_else(|_| String::from_utf8_lossy(b), Cow::Borrowed),
        Cow::Owned(v) => Cow::Owned(
            String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
    }
}

/// Where a variant's values come from when it is built: a description's captures, or
/// the values of an existing variant (for `Clone`).
#[derive(Debug, Clone, Copy)]
pub enum Values<'a> {
    /// Text matched against a template.
    Captures(&'a Captures<'a>),
    /// Typed values, in template order.
    Fields(&'a [Option<FieldValue<'a>>; MAX_PLACEHOLDERS]),
}

impl Values<'_> {
    /// The value of placeholder `i`, as text.
    pub fn string(&self, i: usize) -> String {
        match self {
            Values::Captures(c) => c.get(i).to_owned(),
            Values::Fields(f) => match f.get(i) {
                Some(Some(FieldValue::Str(s))) => (*s).to_owned(),
                Some(Some(other)) => other.to_string(),
                _ => String::new(),
            },
        }
    }

    /// The value of placeholder `i` as a number. Classification only builds a variant
    /// from captures whose `u64` values parse (see [`parse_u64`]); anything else reads 0.
    pub fn u64(&self, i: usize) -> u64 {
        match self {
            Values::Captures(c) => parse_u64(c.get(i).as_bytes()).unwrap_or(0),
            Values::Fields(f) => match f.get(i) {
                Some(Some(FieldValue::U64(n))) => *n,
                _ => 0,
            },
        }
    }

    /// The value of placeholder `i` as a list: the text split at `", "` (empty text, no items).
    pub fn list(&self, i: usize) -> Vec<String> {
        match self {
            Values::Captures(c) => {
                let s = c.get(i);
                if s.is_empty() {
                    return Vec::new();
                }
                let mut items = Vec::new();
                let mut rest = s;
                // `", "` is ASCII: the cuts are at character boundaries.
                while let Some(at) = find(rest.as_bytes(), b", ") {
                    let (Some(item), Some(tail)) = (rest.get(..at), rest.get(at + 2..)) else { break };
                    items.push(item.to_owned());
                    rest = tail;
                }
                items.push(rest.to_owned());
                items
            }
            Values::Fields(f) => match f.get(i) {
                Some(Some(FieldValue::List(items))) => items.to_vec(),
                _ => Vec::new(),
            },
        }
    }
}

/// A `u64` written canonically (so that it renders back to the same text), in range.
fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || (s.len() > 1 && s.first() == Some(&b'0')) {
        return None;
    }
    s.iter().try_fold(0u64, |n, &b| {
        if b.is_ascii_digit() { n.checked_mul(10)?.checked_add(u64::from(b - b'0')) } else { None }
    })
}

/// Whether every `u64` placeholder's captured text parses.
fn typed_ok(kinds: &[u8], caps: &Captures<'_>) -> bool {
    kinds.iter().enumerate().all(|(i, &k)| k != U64 || parse_u64(caps.get(i).as_bytes()).is_some())
}

/// Matches `text` against a template; leftmost matching of each literal is complete
/// for placeholders that accept any text, and placeholders are never adjacent.
fn match_template<'a, L: Literals + ?Sized>(literals: &L, text: &'a str) -> Option<Captures<'a>> {
    let bytes = text.as_bytes();
    let first = literals.get(0);
    // Cheap rejections first: most entries of a group differ in their first byte.
    if let Some(&b) = first.first()
        && bytes.first() != Some(&b)
    {
        return None;
    }
    if !bytes.starts_with(first) {
        return None;
    }
    let mut ranges = [(0, 0); MAX_PLACEHOLDERS];
    let mut pos = first.len();
    let placeholders = literals.count().checked_sub(1)?;
    if placeholders == 0 {
        return (pos == bytes.len()).then_some(Captures { text, ranges });
    }
    for i in 0..placeholders - 1 {
        let lit = literals.get(i + 1);
        let at = pos + find(bytes.get(pos..)?, lit)?;
        *ranges.get_mut(i)? = (pos, at);
        pos = at + lit.len();
    }
    let last = literals.get(placeholders);
    let end = bytes.len().checked_sub(last.len())?;
    if end < pos || !bytes.get(end..)?.eq(last) {
        return None;
    }
    *ranges.get_mut(placeholders - 1)? = (pos, end);
    Some(Captures { text, ranges })
}

/// Most splits tried for one template when the leftmost one's typed values do not parse:
/// it keeps classification of a pathological text bounded.
const MAX_SPLITS: usize = 64;

/// Tries the splits of `text` by a template (its literals) with more than one
/// placeholder, leftmost first, up to [`MAX_SPLITS`], until `f` accepts one.
fn other_splits<'a, T, L: Literals + ?Sized>(
    literals: &L,
    text: &'a str,
    f: &mut dyn FnMut(&Captures<'a>) -> Option<T>,
) -> Option<T> {
    let placeholders = literals.count().checked_sub(1)?;
    if placeholders < 2 {
        return None; // one placeholder: one split, already tried
    }
    let (first, last) = (literals.get(0), literals.get(placeholders));
    let bytes = text.as_bytes();
    let end = bytes.len().checked_sub(last.len())?;
    if !bytes.starts_with(first) || !bytes.ends_with(last) || end < first.len() {
        return None;
    }
    let mut ranges = [(0, 0); MAX_PLACEHOLDERS];
    let mut budget = MAX_SPLITS;
    let middle = Middle { literals, count: placeholders - 1 };
    splits_from(&middle, text, 0, first.len(), end, &mut ranges, &mut budget, f)
}

/// The literals between a template's first and last.
struct Middle<'l, L: ?Sized> {
    literals: &'l L,
    count: usize,
}

#[allow(clippy::too_many_arguments)]
fn splits_from<'a, T, L: Literals + ?Sized>(
    middle: &Middle<'_, L>,
    text: &'a str,
    i: usize,
    pos: usize,
    end: usize,
    ranges: &mut [(usize, usize); MAX_PLACEHOLDERS],
    budget: &mut usize,
    f: &mut dyn FnMut(&Captures<'a>) -> Option<T>,
) -> Option<T> {
    let lit = middle.literals.get(i + 1);
    if i >= middle.count {
        if pos > end || *budget == 0 {
            return None;
        }
        *budget -= 1;
        *ranges.get_mut(i)? = (pos, end);
        return f(&Captures { text, ranges: *ranges });
    }
    let mut from = pos;
    while *budget > 0 {
        let at = from + find(text.as_bytes().get(from..end)?, lit)?;
        *ranges.get_mut(i)? = (pos, at);
        if let Some(value) = splits_from(middle, text, i + 1, at + lit.len(), end, ranges, budget, f) {
            return Some(value);
        }
        from = at + 1;
    }
    None
}

/// The first occurrence of `needle` in `hay`: descriptions are short, so a scan for the
/// first byte beats building a two-way searcher.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = 0;
    while i <= last_start {
        let at = i + position_of(hay.get(i..=last_start)?, first)?;
        if hay.get(at + 1..at + needle.len()) == Some(rest) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// The first index of `byte` in `hay`, eight bytes at a time.
fn position_of(hay: &[u8], byte: u8) -> Option<usize> {
    use crate::json::{HIGHS, ONES, word_at};
    let pattern = ONES * u64::from(byte);
    let mut i = 0;
    while let Some(w) = word_at(hay, i) {
        let x = w ^ pattern;
        // The lowest lane that is zero in `x` is the lowest set high bit here (lanes
        // above a zero one may show false hits, which the lowest never is).
        let hits = x.wrapping_sub(ONES) & !x & HIGHS;
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    Some(i + hay.get(i..)?.iter().position(|&b| b == byte)?)
}

/// The outcome of classification, before it becomes the generated enum.
#[derive(Debug)]
pub enum Classified<T> {
    /// A catalog entry matched.
    Known(T),
    /// No usable error body.
    Status(StatusOnly),
    /// An error body the catalog does not list.
    Unknown(UnknownError),
}

/// Builds a variant from a catalog index and values (whose typed values parse);
/// `None` only for an index the catalog does not have.
pub type Build<T> = fn(usize, &Values<'_>) -> Option<T>;

/// Classifies a response. `status_only` and `unknown` make the enum's fallback
/// variants: the value is built where it is returned, without intermediate moves.
pub fn classify<T>(
    table: &'static Table,
    status: u16,
    body: &[u8],
    build: Build<T>,
    status_only: fn(StatusOnly) -> T,
    unknown: fn(UnknownError) -> T,
) -> T {
    if body.len() > MAX_BODY_LEN {
        return status_only(StatusOnly::new(status, body));
    }
    match json::scan(body) {
        Scan::Object { error, description } if error.is_some() || description.is_some() => {
            match lookup(table, status, error.as_deref(), description.as_deref(), build) {
                Some(known) => known,
                None => unknown(UnknownError::new(status, error.map(text), description.map(text), body)),
            }
        }
        _ => status_only(StatusOnly::new(status, body)),
    }
}

/// Tries the entries of (status, code) in lookup order. An empty `error` counts as none,
/// a missing description as empty.
fn lookup<T>(
    table: &'static Table,
    status: u16,
    code: Option<&[u8]>,
    description: Option<&[u8]>,
    build: Build<T>,
) -> Option<T> {
    // No closures, `?` or `Option` combinators in this generic function: each would be
    // compiled, with the enum as a type parameter, in a codegen unit of its own, and
    // each such unit carries the whole enum's debug info (at 10,000 entries, a quarter
    // of a billion instructions of the compiler's).
    let code = match code {
        Some(c) if !c.is_empty() => Some(c),
        _ => None,
    };
    let description = match description {
        Some(d) => d,
        None => &[],
    };
    // Templates that start with other text than the description cannot match: only
    // the group's slots that start with its first byte, or with a placeholder, are tried.
    let first = match description.first() {
        Some(&b) => u16::from(b) + 1,
        None => 0,
    };
    let mut text: Option<&str> = None;
    #[allow(clippy::question_mark)] // (`?` here: see above)
    let Some(group) = table.group(status, code) else { return None };
    for slot in table.candidates(group, first) {
        let Some(entry) = table.slot_entry(slot) else { continue };
        let (literals, kinds) = entry.template();
        if kinds.is_empty() {
            // A template without placeholders: the description is its text, or not.
            if literals.get(0) == description
                && let Some(value) = build(entry.index, &Values::Captures(&Captures::NONE))
            {
                return Some(value);
            }
            continue;
        }
        // The description as text: checked once, when a template with placeholders is
        // first tried (the reader and serde only give UTF-8).
        let text = match text {
            Some(text) => text,
            None => match std::str::from_utf8(description) {
                Ok(checked) => *text.insert(checked),
                Err(_) => return None,
            },
        };
        let Some(caps) = match_template(&literals, text) else { continue };
        // (Built from `caps` where it is: moving the captures costs a copy.)
        if typed_ok(kinds, &caps) {
            if let Some(value) = build(entry.index, &Values::Captures(&caps)) {
                return Some(value);
            }
            continue;
        }
        // A typed value did not parse with the leftmost split; another split may put
        // the literal text elsewhere and make it parse.
        if let Some(caps) = typed_split(&literals, kinds, text)
            && let Some(value) = build(entry.index, &Values::Captures(&caps))
        {
            return Some(value);
        }
    }
    None
}

/// The catalog index of each known variant of a generated enum, found by its
/// discriminant ([`std::mem::discriminant`]: safe, and the same for every value of a
/// variant). The generated code names each variant once where it builds it and once
/// where it reads its values (only variants with values); a `match` naming every
/// variant again to give its index would cost the compiler a search through the
/// enum's variants per arm (quadratic in entries: at 10,000 entries, about a fifth of
/// the build).
///
/// Made on first use: each entry's variant is built once from blank values (empty
/// strings and lists, zeros: they own no memory), and the hash of its discriminant
/// kept in an open-addressing table at most half full. Not generic: only the few
/// lines that touch the enum are compiled in the crate that includes the spec.
#[derive(Debug)]
pub struct Variants {
    map: OnceLock<VariantMap>,
}

#[derive(Debug)]
struct VariantMap {
    /// Entry index plus one by key (linear probing), 0 for empty; a power of two long.
    slots: Box<[u32]>,
    /// Each entry's key: the hash of its variant's discriminant.
    keys: Box<[u64]>,
    /// Whether the keys of all entries differ, so that a key alone names its entry.
    distinct: bool,
}

impl Variants {
    /// An empty map, filled on first use.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Variants { map: OnceLock::new() }
    }

    /// The catalog index of `value`, a known variant of the enum whose entries `table`
    /// describes and `build` builds; `usize::MAX` for any other value.
    // (No closures, `?` or `Option` combinators in the generic functions here: each
    // would be compiled, with the enum as a type parameter, in a codegen unit of its
    // own, and each such unit carries the whole enum's debug info.)
    pub fn index<T>(&self, value: &T, table: &'static Table, build: Build<T>) -> usize {
        self.index_in(value, table.len(), build)
    }

    /// [`Self::index`], for an enum of `entries` entries.
    fn index_in<T>(&self, value: &T, entries: usize, build: Build<T>) -> usize {
        let d = std::mem::discriminant(value);
        let map = match self.map.get() {
            Some(map) => map,
            None => self.init(blank_keys(entries, build)),
        };
        if map.distinct {
            map.find(discriminant_key(d))
        } else {
            // Keys repeat (never with std's `Hash` of a discriminant, which writes its
            // value): compare discriminants, entry by entry.
            scan(d, entries, build)
        }
    }

    fn init(&self, keys: Vec<u64>) -> &VariantMap {
        self.map.get_or_init(|| VariantMap::new(keys))
    }
}

/// Values that build any variant without owning memory: such a variant is not dropped
/// (in a `ManuallyDrop`, which frees nothing here), so that the enum's drop code, a
/// `match` of every variant, is not compiled for this.
const BLANK: [Option<FieldValue<'static>>; MAX_PLACEHOLDERS] = [None; MAX_PLACEHOLDERS];

/// The discriminant of entry `i`'s variant.
fn blank_discriminant<T>(build: Build<T>, i: usize) -> Option<std::mem::Discriminant<T>> {
    match build(i, &Values::Fields(&BLANK)) {
        Some(value) => Some(std::mem::discriminant(&*ManuallyDrop::new(value))),
        None => None,
    }
}

/// The entry whose variant has discriminant `d`, `usize::MAX` for none.
fn scan<T>(d: std::mem::Discriminant<T>, entries: usize, build: Build<T>) -> usize {
    let mut i = 0;
    while i < entries {
        if let Some(other) = blank_discriminant(build, i)
            && other == d
        {
            return i;
        }
        i += 1;
    }
    usize::MAX
}

/// The key of each entry's variant (`u64::MAX` for an index the enum does not build:
/// it is never looked up).
fn blank_keys<T>(entries: usize, build: Build<T>) -> Vec<u64> {
    let mut keys = Vec::with_capacity(entries);
    let mut i = 0;
    while i < entries {
        keys.push(match blank_discriminant(build, i) {
            Some(d) => discriminant_key(d),
            None => u64::MAX,
        });
        i += 1;
    }
    keys
}

impl VariantMap {
    fn new(keys: Vec<u64>) -> Self {
        let capacity = (2 * keys.len()).next_power_of_two().max(2);
        let mask = capacity - 1;
        let mut slots = vec![0u32; capacity].into_boxed_slice();
        let mut distinct = true;
        for (i, &key) in keys.iter().enumerate() {
            let Ok(stored) = u32::try_from(i + 1) else { break };
            let mut slot = key as usize & mask;
            while let Some(s) = slots.get_mut(slot) {
                if *s == 0 {
                    *s = stored;
                    break;
                }
                if keys.get(*s as usize - 1) == Some(&key) {
                    distinct = false;
                }
                slot = (slot + 1) & mask;
            }
        }
        VariantMap { slots, keys: keys.into_boxed_slice(), distinct }
    }

    /// The entry whose key is `key` (the keys being distinct), `usize::MAX` for none.
    fn find(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = key as usize & mask;
        // At most half full: an empty slot ends every probe.
        while let Some(&s) = self.slots.get(slot) {
            let Some(i) = (s as usize).checked_sub(1) else { break };
            if self.keys.get(i) == Some(&key) {
                return i;
            }
            slot = (slot + 1) & mask;
        }
        usize::MAX
    }
}

/// A discriminant's key: whatever `Discriminant`'s `Hash` writes, mixed by an odd
/// multiplier. Its low bits index the table: `n * odd` modulo a power of two is a
/// bijection, so variants numbered in sequence do not collide.
fn discriminant_key<T>(d: std::mem::Discriminant<T>) -> u64 {
    use std::hash::Hash;
    let mut h = Mix(0);
    d.hash(&mut h);
    h.0
}

/// The hasher of [`discriminant_key`].
struct Mix(u64);

impl std::hash::Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
}

/// The first split of `text` by `literals`, past the leftmost, whose typed values parse.
fn typed_split<'a>(literals: &EntryLiterals, kinds: &[u8], text: &'a str) -> Option<Captures<'a>> {
    other_splits(literals, text, &mut |c| typed_ok(kinds, c).then_some(*c))
}

/// A borrowed view of any value of a generated enum, which every accessor goes through.
#[derive(Debug, Clone, Copy)]
pub enum Parts<'a> {
    /// A catalog entry and its captured values.
    Known {
        /// The entry.
        entry: Entry,
        /// Captured values, in template order.
        values: [Option<FieldValue<'a>>; MAX_PLACEHOLDERS],
    },
    /// No usable error body.
    Status(&'static Table, &'a StatusOnly),
    /// Unlisted error.
    Unknown(&'static Table, &'a UnknownError),
}

/// A captured value's type, as a generated variant holds it.
pub trait Field {
    /// The value, borrowed.
    fn field_value(&self) -> FieldValue<'_>;
}

impl Field for String {
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::Str(self)
    }
}

impl Field for u64 {
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::U64(*self)
    }
}

impl Field for Vec<String> {
    fn field_value(&self) -> FieldValue<'_> {
        FieldValue::List(self)
    }
}

/// `known0(table, index)`, `known1(table, index, a)`, ...: the [`Parts`] of entry
/// `index` of `table` with the given values, one function per number of values (so a
/// generated `match` arm is one plain call).
macro_rules! known {
    ($($name:ident($($v:ident: $t:ident),*);)*) => {$(
        /// [`Parts::Known`] of entry `index` of `table`, with these values in template order.
        #[allow(clippy::too_many_arguments)]
        pub fn $name<'a, $($t: Field),*>(table: &'static Table, index: usize, $($v: &'a $t),*) -> Parts<'a> {
            Parts::known(table, index, &[$($v.field_value()),*])
        }
    )*};
}

known! {
    known0();
    known1(a: A);
    known2(a: A, b: B);
    known3(a: A, b: B, c: C);
    known4(a: A, b: B, c: C, d: D);
    known5(a: A, b: B, c: C, d: D, e: E);
    known6(a: A, b: B, c: C, d: D, e: E, f: F);
    known7(a: A, b: B, c: C, d: D, e: E, f: F, g: G);
    known8(a: A, b: B, c: C, d: D, e: E, f: F, g: G, h: H);
}

impl<'a> Parts<'a> {
    /// The known entry `index` of `table`, with its values in template order. An index
    /// the table does not have (the macro never emits one) reads as an empty entry.
    pub fn known(table: &'static Table, index: usize, values: &[FieldValue<'a>]) -> Self {
        let mut slots = [None; MAX_PLACEHOLDERS];
        for (slot, v) in slots.iter_mut().zip(values) {
            *slot = Some(*v);
        }
        Parts::Known { entry: table.entry(index), values: slots }
    }

    /// A status-only answer.
    pub fn status_only(table: &'static Table, s: &'a StatusOnly) -> Self {
        Parts::Status(table, s)
    }

    /// An unlisted error.
    pub fn unknown(table: &'static Table, u: &'a UnknownError) -> Self {
        Parts::Unknown(table, u)
    }

    fn table(&self) -> &'static Table {
        match self {
            Parts::Known { entry, .. } => entry.table,
            Parts::Status(table, _) | Parts::Unknown(table, _) => table,
        }
    }

    /// The catalog entry (made with the whole catalog on first use).
    pub fn entry(&self) -> Option<&'static CatalogEntry> {
        match self {
            Parts::Known { entry, .. } => entry.table.catalog().get(entry.index),
            _ => None,
        }
    }

    fn status_info(&self) -> Option<&'static StatusInfo> {
        self.table().status_info(self.status())
    }

    /// HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Parts::Known { entry, .. } => entry.status(),
            Parts::Status(_, s) => s.status(),
            Parts::Unknown(_, u) => u.status(),
        }
    }

    /// `error` string.
    pub fn code(&self) -> Option<&'a str> {
        match self {
            Parts::Known { entry, .. } => entry.code(),
            Parts::Status(..) => None,
            Parts::Unknown(_, u) => u.code(),
        }
    }

    /// Description.
    pub fn description(&self) -> Option<Cow<'a, str>> {
        match self {
            Parts::Known { entry, values } => {
                if entry.kinds().is_empty() {
                    Some(Cow::Borrowed(entry.literal(0)))
                } else {
                    Some(Cow::Owned(Description { entry: *entry, values }.to_string()))
                }
            }
            Parts::Status(..) => None,
            Parts::Unknown(_, u) => u.description().map(Cow::Borrowed),
        }
    }

    /// Cause (English).
    pub fn cause(&self) -> Option<&'static str> {
        match self {
            Parts::Known { entry, .. } => Some(entry.cause()),
            _ => self.status_info().map(StatusInfo::meaning),
        }
    }

    /// Cause (Chinese).
    pub fn cause_zh(&self) -> Option<&'static str> {
        match self {
            Parts::Known { entry, .. } => Some(entry.cause_zh()),
            _ => self.status_info().map(StatusInfo::meaning_zh),
        }
    }

    /// Remedy (English).
    pub fn remedy(&self) -> Option<&'static str> {
        match self {
            Parts::Known { entry, .. } => Some(entry.remedy()),
            _ => None,
        }
    }

    /// Remedy (Chinese).
    pub fn remedy_zh(&self) -> Option<&'static str> {
        match self {
            Parts::Known { entry, .. } => Some(entry.remedy_zh()),
            _ => None,
        }
    }

    /// Retry policy.
    pub fn retry(&self) -> RetryPolicy {
        match self {
            Parts::Known { entry, .. } => entry.retry(),
            _ => self.status_info().map_or(RetryPolicy::Never, StatusInfo::retry),
        }
    }

    /// Alert flag. An error the catalog does not know, with a status the spec does not
    /// declare, is alerted on: nobody has decided it is harmless.
    pub fn should_alert(&self) -> bool {
        match self {
            Parts::Known { entry, .. } => entry.should_alert(),
            _ => self.status_info().is_none_or(StatusInfo::should_alert),
        }
    }

    /// Whether the catalog lists it.
    pub fn is_known(&self) -> bool {
        matches!(self, Parts::Known { .. })
    }

    /// The variant's name.
    pub fn variant_name(&self) -> &'static str {
        match self {
            Parts::Known { entry, .. } => entry.variant(),
            Parts::Status(..) => "Status",
            Parts::Unknown(..) => "Unknown",
        }
    }

    /// Captured values.
    pub fn fields(&self) -> Fields<'a> {
        match self {
            Parts::Known { entry, values } => Fields { names: entry.names(), values: *values, next: 0 },
            _ => Fields { names: [""; MAX_PLACEHOLDERS], values: [None; MAX_PLACEHOLDERS], next: 0 },
        }
    }
}

/// `Debug` of a generated enum, written as `#[derive(Debug)]` would write it
/// (`ReachLimit`, `GroupMemberNotFound { username: "alice" }`, `Status(StatusOnly { .. })`)
/// without a `match` arm per variant.
pub fn debug(parts: &Parts<'_>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    struct Value<'v>(FieldValue<'v>);
    impl fmt::Debug for Value<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self.0 {
                FieldValue::Str(s) => fmt::Debug::fmt(s, f),
                FieldValue::U64(n) => fmt::Debug::fmt(&n, f),
                FieldValue::List(items) => fmt::Debug::fmt(items, f),
            }
        }
    }
    match parts {
        Parts::Known { entry, .. } if entry.kinds().is_empty() => f.write_str(entry.variant()),
        Parts::Known { entry, .. } => {
            let mut s = f.debug_struct(entry.variant());
            for (name, value) in parts.fields() {
                s.field(name, &Value(value));
            }
            s.finish()
        }
        Parts::Status(_, status) => f.debug_tuple("Status").field(status).finish(),
        Parts::Unknown(_, unknown) => f.debug_tuple("Unknown").field(unknown).finish(),
    }
}

/// `PartialEq` of a generated enum: the same variant with equal values.
pub fn eq(a: &Parts<'_>, b: &Parts<'_>) -> bool {
    match (a, b) {
        (Parts::Known { entry: e, values: x }, Parts::Known { entry: f, values: y }) => {
            e.index == f.index && x == y
        }
        (Parts::Status(_, x), Parts::Status(_, y)) => x == y,
        (Parts::Unknown(_, x), Parts::Unknown(_, y)) => x == y,
        _ => false,
    }
}

/// `Clone` of a generated enum: a known variant is built again from its own values.
pub fn clone<T>(parts: &Parts<'_>, build: Build<T>) -> Classified<T> {
    match parts {
        Parts::Known { entry, values } => match build(entry.index, &Values::Fields(values)) {
            Some(value) => Classified::Known(value),
            // Unreachable (a variant's own values always build it again); kept total.
            None => Classified::Unknown(UnknownError::new(
                entry.status(),
                entry.code().map(Cow::Borrowed),
                parts.description(),
                b"",
            )),
        },
        Parts::Status(_, s) => Classified::Status((*s).clone()),
        Parts::Unknown(_, u) => Classified::Unknown((*u).clone()),
    }
}

/// A known entry's description, rendered from its template and values.
struct Description<'t, 'a> {
    entry: Entry,
    values: &'t [Option<FieldValue<'a>>; MAX_PLACEHOLDERS],
}

impl fmt::Display for Description<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, lit) in self.entry.literal_texts().enumerate() {
            if i > 0
                && let Some(Some(v)) = self.values.get(i - 1)
            {
                fmt::Display::fmt(v, f)?;
            }
            f.write_str(lit)?;
        }
        Ok(())
    }
}

/// Writes through to a formatter with line breaks escaped, so that `Display` is one line.
struct OneLine<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for OneLine<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for (i, part) in s.split('\n').enumerate() {
            if i > 0 {
                self.0.write_str("\\n")?;
            }
            self.0.write_str(&part.replace('\r', "\\r"))?;
        }
        Ok(())
    }
}

impl fmt::Display for Parts<'_> {
    /// One line: `429 reach_limit: This request has reached api limit` (line breaks in
    /// the server's text are shown as `\n`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status())?;
        match self {
            Parts::Known { entry, values } => {
                if let Some(code) = entry.code() {
                    write!(f, " {code}")?;
                }
                f.write_str(": ")?;
                write!(OneLine(f), "{}", Description { entry: *entry, values })
            }
            Parts::Unknown(_, u) => {
                if let Some(code) = u.code() {
                    write!(f, " {}", code.escape_debug())?;
                }
                match u.description() {
                    Some(d) => write!(f, ": {}", d.escape_debug()),
                    None => f.write_str(": (no description)"),
                }
            }
            Parts::Status(_, s) => {
                match self.status_info() {
                    Some(info) => write!(f, " {}", info.name())?,
                    None => f.write_str(" (undeclared status)")?,
                }
                if s.body().is_empty() {
                    f.write_str(" (empty body)")
                } else {
                    write!(f, " (no error body; {} bytes)", s.body_len())
                }
            }
        }
    }
}

impl serde::Serialize for Parts<'_> {
    /// The error body's shape, plus the status: `{"status": 429, "error": ...,
    /// "error_description": ...}` (`error` and `error_description` only when there is one).
    /// `from_response` ignores `status`; `Deserialize` reads it back, so the round trip of
    /// a catalog error is exact. `Status` and `Unknown` values keep status, `error` and
    /// description through it, not the rest of their raw body.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let code = self.code();
        let description = self.description();
        let len = 1 + usize::from(code.is_some()) + usize::from(description.is_some());
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("status", &self.status())?;
        if let Some(code) = code {
            map.serialize_entry("error", code)?;
        }
        if let Some(d) = &description {
            map.serialize_entry("error_description", d.as_ref())?;
        }
        map.end()
    }
}

/// Deserializes an error body (`error`, `error_description`, and an optional `status`;
/// other fields ignored) and classifies it. Without `status`, the statuses of the catalog
/// entries whose `error` and template match must agree on one; otherwise deserialization
/// fails, since the error cannot be told without its status.
pub fn deserialize<'de, D, T>(
    table: &'static Table,
    deserializer: D,
    build: Build<T>,
) -> Result<Classified<T>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let body = deserializer.deserialize_map(BodyVisitor)?;
    let raw = body.to_json();
    let status = match body.status {
        Some(status) => status,
        None => {
            let code = body.error.as_deref().filter(|c| !c.is_empty());
            let description = body.description.as_deref().unwrap_or("");
            let mut statuses = (0..table.len())
                .map(|i| table.entry(i))
                .filter(|e| e.code() == code && match_template(&e.literals(), description).is_some());
            let first = statuses.next().map(|e| e.status());
            match first {
                Some(s) if statuses.all(|e| e.status() == s) => s,
                Some(_) => {
                    return Err(<D::Error as serde::de::Error>::custom(
                        "error body has no `status` and matches catalog entries of several statuses",
                    ));
                }
                None => {
                    return Err(<D::Error as serde::de::Error>::custom(
                        "error body has no `status` and matches no catalog entry: cannot tell which error it is",
                    ));
                }
            }
        }
    };
    if body.error.is_none() && body.description.is_none() {
        return Ok(Classified::Status(StatusOnly::new(status, &raw)));
    }
    let (code, description) = (body.error.as_deref(), body.description.as_deref());
    Ok(match lookup(table, status, code.map(str::as_bytes), description.map(str::as_bytes), build) {
        Some(known) => Classified::Known(known),
        None => Classified::Unknown(UnknownError::new(
            status,
            body.error.map(Cow::Owned),
            body.description.map(Cow::Owned),
            &raw,
        )),
    })
}

#[derive(Default)]
struct Body {
    status: Option<u16>,
    error: Option<String>,
    description: Option<String>,
}

impl Body {
    fn to_json(&self) -> Vec<u8> {
        let mut out = String::from("{");
        let mut sep = "";
        if let Some(s) = self.status {
            out.push_str(&format!("\"status\":{s}"));
            sep = ",";
        }
        for (key, value) in [("error", &self.error), ("error_description", &self.description)] {
            if let Some(v) = value {
                out.push_str(sep);
                out.push_str(&format!("\"{key}\":"));
                push_json_string(&mut out, v);
                sep = ",";
            }
        }
        out.push('}');
        out.into_bytes()
    }
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

struct BodyVisitor;

impl<'de> serde::de::Visitor<'de> for BodyVisitor {
    type Value = Body;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an error body object with `error` and `error_description`")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Body, A::Error> {
        let mut body = Body::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match &*key {
                "status" => body.status = map.next_value()?,
                "error" => body.error = map.next_value()?,
                "error_description" => body.description = map.next_value()?,
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: [&[u8]; 4] = [b"Could not find application for ", b"/", b" from URI: ", b""];

    /// An enum with variants of every shape, and its `build`.
    #[derive(Debug)]
    #[allow(dead_code)] // (the values are only built, never read)
    enum Sample {
        A,
        B { s: String },
        C(u64),
        D { l: Vec<String>, n: u64 },
    }

    fn build_sample(i: usize, v: &Values<'_>) -> Option<Sample> {
        Some(match i {
            0 => Sample::A,
            1 => Sample::B { s: v.string(0) },
            2 => Sample::C(v.u64(0)),
            3 => Sample::D { l: v.list(0), n: v.u64(1) },
            _ => return None,
        })
    }

    fn samples() -> [Sample; 4] {
        [Sample::A, Sample::B { s: "x".into() }, Sample::C(7), Sample::D { l: vec!["a".into()], n: 1 }]
    }

    #[test]
    fn variants_are_found_by_discriminant_whatever_their_values() {
        // A fifth entry that the enum does not build has no variant to find.
        for entries in [4, 5] {
            let variants = Variants::new();
            for (i, v) in samples().iter().enumerate() {
                assert_eq!(variants.index_in(v, entries, build_sample), i, "{v:?}");
            }
            let other = Sample::D { l: Vec::new(), n: u64::MAX };
            assert_eq!(variants.index_in(&other, entries, build_sample), 3);
            let map = variants.map.get().unwrap();
            assert!(map.distinct);
            assert_eq!(map.slots.len(), 2 * entries.next_power_of_two());
        }
    }

    #[test]
    fn repeated_keys_fall_back_to_comparing_discriminants() {
        let map = VariantMap::new(vec![5, 9, 6, 7]);
        assert!(map.distinct);
        assert_eq!((map.find(5), map.find(9), map.find(6), map.find(7)), (0, 1, 2, 3));
        assert_eq!(map.find(8), usize::MAX);
        // 5 and 13 start at the same slot of the eight, and so would any equal keys.
        let map = VariantMap::new(vec![5, 13, 9, 5]);
        assert!(!map.distinct);
        assert_eq!((map.find(13), map.find(9)), (1, 2));
        for (i, v) in samples().iter().enumerate() {
            assert_eq!(scan(std::mem::discriminant(v), 4, build_sample), i);
        }
        assert_eq!(scan(std::mem::discriminant(&Sample::C(0)), 2, build_sample), usize::MAX);
    }

    #[test]
    fn template_matching_captures_leftmost() {
        let caps =
            match_template(&T[..], "Could not find application for a/b/c from URI: a/b/c/users").unwrap();
        assert_eq!((caps.get(0), caps.get(1), caps.get(2)), ("a", "b/c", "a/b/c/users"));
        assert!(match_template(&T[..], "Could not find application for a").is_none());
        const X: [&[u8]; 2] = [b"ab", b"ba"];
        assert!(match_template(&X[..], "aba").is_none(), "prefix and suffix may not overlap");
        assert_eq!(match_template(&X[..], "abba").unwrap().get(0), "");
    }

    #[test]
    fn other_splits_are_bounded_and_leftmost_first() {
        const T3: [&[u8]; 4] = [b"", b"-", b"-", b""]; // {a}-{b}-{n:u64}
        const KINDS: [u8; 3] = [0, 0, U64];
        let text = "x-".repeat(1000) + "y";
        let mut calls = 0;
        assert!(
            other_splits(&T3[..], &text, &mut |_| -> Option<()> {
                calls += 1;
                None
            })
            .is_none()
        );
        assert_eq!(calls, MAX_SPLITS);
        let found = other_splits(&T3[..], "a-b-c-7", &mut |c| {
            let v = Values::Captures(c);
            typed_ok(&KINDS, c).then(|| (v.string(0), v.string(1), v.u64(2)))
        });
        assert_eq!(found, Some(("a".into(), "b-c".into(), 7)));
    }

    static EMPTY: Table = Table::__new(Data {
        statuses: &[],
        policies: &[],
        text: "",
        cuts: &[],
        placeholders: &[],
        kinds: &[],
        group: &[],
        retry: &[],
        alert: &[],
        group_status: &[],
        group_end: &[],
        order: &[],
        first: &[],
        rank: &[],
        hash: &[],
        shapes: &[],
    });

    #[test]
    fn an_index_the_table_does_not_have_reads_as_an_empty_entry() {
        for index in [0, 1, usize::MAX / 7, usize::MAX] {
            let parts = Parts::known(&EMPTY, index, &[]);
            assert_eq!((parts.status(), parts.code(), parts.variant_name()), (0, None, ""));
            assert_eq!(parts.description().as_deref(), Some(""));
            assert_eq!(
                (parts.cause(), parts.retry(), parts.should_alert()),
                (Some(""), RetryPolicy::Never, true)
            );
            assert_eq!(parts.entry(), None);
            assert_eq!(parts.fields().count(), 0);
            assert_eq!(parts.to_string(), "0: ");
        }
        assert!(EMPTY.catalog().is_empty());
        let build: Build<()> = |_, _| Some(());
        assert!(lookup(&EMPTY, 400, Some(b"e"), Some(b"d"), build).is_none());
    }

    #[test]
    fn position_of_agrees_with_a_plain_scan() {
        let hay: Vec<u8> = (0..300u32).map(|i| (i * 37 % 251) as u8).collect();
        for start in 0..20 {
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 64, 200] {
                let Some(h) = hay.get(start..start + len) else { continue };
                for byte in [0u8, 1, 37, 74, 128, 250, 255] {
                    assert_eq!(
                        position_of(h, byte),
                        h.iter().position(|&b| b == byte),
                        "{start} {len} {byte}"
                    );
                }
            }
        }
        assert_eq!(position_of(b"\x01\x01\x00\x01", 1), Some(0));
        assert_eq!(position_of(b"aaaaaaaaab", b'b'), Some(9));
        assert_eq!(position_of(b"\x00\x01aaaaaa", 1), Some(1));
    }

    #[test]
    fn find_is_leftmost() {
        assert_eq!(find(b"abcabc", b"ca"), Some(2));
        assert_eq!(find(b"aaab", b"ab"), Some(2));
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(find(b"xyz", b"z"), Some(2));
        assert_eq!(find(b"", b"a"), None);
    }

    #[test]
    fn typed_captures_parse_only_canonical_text() {
        for (text, n) in [("12", Some(12)), ("0", Some(0)), ("012", None), ("", None), ("1a", None)] {
            assert_eq!(parse_u64(text.as_bytes()), n, "{text:?}");
        }
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        let caps = Captures {
            text: "12 012 a, b",
            ranges: [(0, 2), (3, 6), (7, 11), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0)],
        };
        assert!(typed_ok(&[U64, 0, 2], &caps));
        assert!(!typed_ok(&[U64, U64], &caps));
        let caps = Values::Captures(&caps);
        assert_eq!(caps.u64(0), 12);
        assert_eq!(caps.list(2), ["a", "b"]);
        assert!(caps.list(3).is_empty());
        let text = "a, b,, c, , d,  e, ";
        let caps = Captures { text, ranges: [(0, text.len()); MAX_PLACEHOLDERS] };
        let caps = Values::Captures(&caps);
        let split: Vec<&str> = text.split(", ").collect();
        assert_eq!(caps.list(0), split);
    }
}
