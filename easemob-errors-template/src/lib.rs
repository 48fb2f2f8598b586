//! Description templates, as `easemob-errors` matches them.
//!
//! A template is literal text around placeholders, e.g. `group member {username} doesn't
//! exist`. The `include_errors!` macro uses this crate to find entries that can never
//! match; the runtime uses it to classify a server's description. Both depend on it so
//! that the rule lives in one place.
//!
//! A template is given as its literal pieces (one more than it has placeholders) and the
//! kinds of its placeholders:
//!
//! ```
//! use easemob_errors_template::{PlaceholderKind, captures};
//!
//! let literals = ["sku ", ": requested ", ", available ", ""];
//! let kinds = [PlaceholderKind::Str, PlaceholderKind::U64, PlaceholderKind::U64];
//! let caps = captures(&literals, &kinds, "sku A-1: requested 5, available 2").unwrap();
//! assert_eq!((caps.get(0), caps.get(1), caps.get(2)), (Some("A-1"), Some("5"), Some("2")));
//! assert!(captures(&literals, &kinds, "sku A-1: requested five, available 2").is_none());
//! // Letter case, quotes and whitespace runs of the literal text do not count.
//! assert!(captures(&literals, &kinds, "SKU A-1:  requested 5, available 2").is_some());
//! ```

#![forbid(unsafe_code)]

mod overlap;

pub use overlap::overlap;

/// The most placeholders a template may have.
pub const MAX_PLACEHOLDERS: usize = 8;

/// The most values one match may try to place. Each literal is found leftmost first;
/// when a typed value does not parse there, later occurrences are tried. The bound keeps
/// a pathological description from costing more than a few dozen searches.
pub const MAX_PLACEMENTS: usize = 64;

/// What a placeholder accepts, and the type of the field it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlaceholderKind {
    /// Any text, possibly empty (`String`).
    Str,
    /// Decimal digits without a sign or leading zeros, in range (`u64`).
    U64,
    /// Any text, split at `", "` (`Vec<String>`; empty text is an empty list).
    List,
}

impl PlaceholderKind {
    /// The spelling in a template: `string`, `u64` or `list`.
    pub const fn name(&self) -> &'static str {
        match self {
            PlaceholderKind::Str => "string",
            PlaceholderKind::U64 => "u64",
            PlaceholderKind::List => "list",
        }
    }

    /// The kind a template spells `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "string" => Some(PlaceholderKind::Str),
            "u64" => Some(PlaceholderKind::U64),
            "list" => Some(PlaceholderKind::List),
            _ => None,
        }
    }

    /// Every kind's spelling, for error messages.
    pub const NAMES: [&'static str; 3] = ["string", "u64", "list"];

    /// Whether `text` is a value of this kind.
    pub fn accepts(&self, text: &str) -> bool {
        match self {
            PlaceholderKind::Str | PlaceholderKind::List => true,
            PlaceholderKind::U64 => parse_u64(text).is_some(),
        }
    }
}

/// A placeholder as the matcher sees it: only its kind matters.
pub trait HasKind {
    /// What the placeholder accepts.
    fn kind(&self) -> PlaceholderKind;
}

impl HasKind for PlaceholderKind {
    fn kind(&self) -> PlaceholderKind {
        *self
    }
}

/// A `u64` written canonically — digits only, no leading zero — so that it renders back
/// to the same text; `None` otherwise or when out of range.
pub fn parse_u64(text: &str) -> Option<u64> {
    if text.len() > 1 && text.starts_with('0') || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The items of a list value: `a, b` gives `a` and `b`; empty text gives none.
pub fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(", ").filter(move |_| !text.is_empty())
}

/// Where each placeholder's value lies in a matched text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Captures<'t> {
    text: &'t str,
    // Byte ranges into `text`, as `u32` to keep `Captures` small: it is returned by
    // value from every successful match (a text past 4 GiB matches no placeholder).
    ranges: [(u32, u32); MAX_PLACEHOLDERS],
    len: usize,
}

impl<'t> Captures<'t> {
    /// The value of placeholder `i`, as text.
    pub fn get(&self, i: usize) -> Option<&'t str> {
        let &(start, end) = self.ranges.get(..self.len)?.get(i)?;
        self.text.get(start as usize..end as usize)
    }

    /// How many placeholders the template has.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the template has no placeholders.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Matches `text` against the template made of `literals` (one more than `placeholders`)
/// and `placeholders`; the values of its placeholders if it matches.
///
/// Literal text matches tolerantly (see [`units_equal`]): regardless of ASCII letter
/// case, straight or typographic quotes, and the length of whitespace runs. Closing
/// punctuation — trailing `.`, `!`, `。` and whitespace — is ignored on both sides, and
/// is never part of a value. Captured values are slices of `text` itself: the server's
/// exact words.
///
/// The first literal must start the text and the last one end it. Each literal between
/// is found leftmost; if a typed value does not parse with that split, later occurrences
/// are tried, leftmost first, within [`MAX_PLACEMENTS`]. Templates with more than
/// [`MAX_PLACEHOLDERS`] placeholders, or whose counts disagree, match nothing.
#[inline]
pub fn captures<'t, S: AsRef<str>, P: HasKind>(
    literals: &[S],
    placeholders: &[P],
    text: &'t str,
) -> Option<Captures<'t>> {
    // Most templates tried against a text differ from it in the first byte: this test,
    // inlined into the caller's loop, turns them away before any call (about 7 % of a
    // body on the classify bench when it was measured).
    let first = literals.first()?.as_ref().as_bytes().first();
    if matches!((first, text.as_bytes().first()), (Some(&a), Some(&b)) if plain(a) && plain(b) && !a.eq_ignore_ascii_case(&b))
    {
        return None;
    }
    captures_in(literals, placeholders, text)
}

fn captures_in<'t, S: AsRef<str>, P: HasKind>(
    literals: &[S],
    kinds: &[P],
    text: &'t str,
) -> Option<Captures<'t>> {
    let (first, rest) = literals.split_first()?;
    if rest.len() != kinds.len() || kinds.len() > MAX_PLACEHOLDERS {
        return None;
    }
    let (first, text_bytes) = (first.as_ref().as_bytes(), text.as_bytes());
    let last = trim_closing(rest.last().map_or(first, |l| l.as_ref().as_bytes()));
    // A sentence's closing punctuation is neither matched nor part of a value.
    let end = trim_closing(text_bytes).len();
    // Many of the rest differ from it in the last byte.
    let text_last = text_bytes.get(..end).and_then(<[u8]>::last);
    if matches!((last.last(), text_last), (Some(&a), Some(&b)) if plain_end(a) && plain_end(b) && !a.eq_ignore_ascii_case(&b))
    {
        return None;
    }
    match_from(first, rest, kinds, text, last, end)
}

/// A byte that matches only itself, up to ASCII case, where a unit starts: not
/// whitespace, not a quote, not the first byte of a typographic quote.
fn plain(b: u8) -> bool {
    !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\'' | b'"' | 0xE2)
}

/// The same where a unit ends: not the last byte of a typographic quote either.
fn plain_end(b: u8) -> bool {
    plain(b) && !matches!(b, 0x98 | 0x99 | 0x9C | 0x9D)
}

/// Matches `text[..end]` against the template whose last literal is `last`.
fn match_from<'t, S: AsRef<str>, P: HasKind>(
    first: &[u8],
    rest: &[S],
    kinds: &[P],
    text: &'t str,
    last: &[u8],
    end: usize,
) -> Option<Captures<'t>> {
    let text_bytes = text.as_bytes();
    let mut caps = Captures { text, ranges: [(0, 0); MAX_PLACEHOLDERS], len: kinds.len() };
    if rest.is_empty() {
        return (match_forward(text_bytes, 0, last) == Some(end)).then_some(caps);
    }
    let start = match_forward(text_bytes, 0, first)?;
    let last_start = match_backward(text_bytes, end, last)?;
    if last_start < start {
        return None;
    }
    let middle = &rest[..rest.len() - 1];
    let mut search = Search { caps: &mut caps, kinds, middle, end: last_start, budget: MAX_PLACEMENTS };
    search.place_from(0, start).then_some(caps)
}

/// `text` without its closing punctuation: trailing `.`, `!`, `。` and whitespace.
fn trim_closing(text: &[u8]) -> &[u8] {
    let mut end = text.len();
    loop {
        match text.get(..end) {
            Some([.., b'.' | b'!' | b' ' | b'\t' | b'\r' | b'\n']) => end -= 1,
            Some([.., 0xE3, 0x80, 0x82]) => end -= 3,
            _ => return text.get(..end).unwrap_or_default(),
        }
    }
}

/// One unit of text as tolerant matching compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A byte, ASCII letters in lower case.
    Byte(u8),
    /// A run of ASCII whitespace.
    Space,
    /// `'`, `‘` or `’`.
    SingleQuote,
    /// `"`, `“` or `”`.
    DoubleQuote,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The unit that starts at `at`, and where it ends.
fn unit_forward(text: &[u8], at: usize) -> Option<(Unit, usize)> {
    let rest = text.get(at..)?;
    Some(match rest {
        [] => return None,
        [b, ..] if is_space(*b) => (Unit::Space, at + rest.iter().take_while(|b| is_space(**b)).count()),
        [b'\'', ..] | [0xE2, 0x80, 0x98 | 0x99, ..] => {
            (Unit::SingleQuote, at + if rest[0] == b'\'' { 1 } else { 3 })
        }
        [b'"', ..] | [0xE2, 0x80, 0x9C | 0x9D, ..] => {
            (Unit::DoubleQuote, at + if rest[0] == b'"' { 1 } else { 3 })
        }
        [b, ..] => (Unit::Byte(b.to_ascii_lowercase()), at + 1),
    })
}

/// The unit that ends at `end`, and where it starts.
fn unit_backward(text: &[u8], end: usize) -> Option<(Unit, usize)> {
    let before = text.get(..end)?;
    Some(match before {
        [] => return None,
        [.., b] if is_space(*b) => {
            (Unit::Space, end - before.iter().rev().take_while(|b| is_space(**b)).count())
        }
        [.., 0xE2, 0x80, 0x98 | 0x99] => (Unit::SingleQuote, end - 3),
        [.., 0xE2, 0x80, 0x9C | 0x9D] => (Unit::DoubleQuote, end - 3),
        [.., b'\''] => (Unit::SingleQuote, end - 1),
        [.., b'"'] => (Unit::DoubleQuote, end - 1),
        [.., b] => (Unit::Byte(b.to_ascii_lowercase()), end - 1),
    })
}

/// Whether two texts are equal under the tolerant rules: ASCII letter case, straight
/// or typographic quotes (`'` `‘` `’`, `"` `“` `”`) and the length of whitespace runs
/// do not count (closing punctuation is [`captures`]' business, not this one's).
pub fn units_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match_forward(a, 0, b) == Some(a.len())
}

/// Where `literal` ends if it matches `text` from `at`.
///
/// Identical bytes are skipped in bulk — a description is most often its template's text
/// byte for byte — and the units are compared one by one only where the two differ.
fn match_forward(text: &[u8], mut at: usize, literal: &[u8]) -> Option<usize> {
    let mut l = 0;
    loop {
        let same = common_prefix(text.get(at..)?, literal.get(l..)?);
        let (mut next_l, mut next) = (l + same, at + same);
        // Back up to the character where the two differ: compare whole units from there.
        while next_l > l && literal.get(next_l).is_some_and(|&b| b & 0xC0 == 0x80) {
            (next_l, next) = (next_l - 1, next - 1);
        }
        // Within a whitespace run both just had whitespace: the rest of either run counts
        // as the same run.
        if next_l > l && literal.get(next_l - 1).is_some_and(|&b| is_space(b)) {
            next_l += space_run(literal, next_l);
            next += space_run(text, next);
        }
        (l, at) = (next_l, next);
        let Some((want, next_l)) = unit_forward(literal, l) else { return Some(at) };
        let (got, next) = unit_forward(text, at)?;
        if got != want {
            return None;
        }
        (l, at) = (next_l, next);
    }
}

/// How many leading bytes `a` and `b` share, compared eight at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let chunks = a.chunks_exact(8).zip(b.chunks_exact(8)).take_while(|(x, y)| x == y).count();
    let done = chunks * 8;
    done + a
        .get(done..)
        .unwrap_or_default()
        .iter()
        .zip(b.get(done..).unwrap_or_default())
        .take_while(|(x, y)| x == y)
        .count()
}

/// The length of the whitespace run at `at`.
fn space_run(text: &[u8], at: usize) -> usize {
    text.get(at..).map_or(0, |rest| rest.iter().take_while(|&&b| is_space(b)).count())
}

/// Where `literal` starts if it matches `text` ending at `end`.
fn match_backward(text: &[u8], mut end: usize, literal: &[u8]) -> Option<usize> {
    let mut l = literal.len();
    while let Some(&want) = l.checked_sub(1).and_then(|i| literal.get(i)) {
        // Plain bytes compare up to case without decoding units.
        if plain_end(want) {
            if !end.checked_sub(1).and_then(|i| text.get(i))?.eq_ignore_ascii_case(&want) {
                return None;
            }
            (l, end) = (l - 1, end - 1);
            continue;
        }
        let (want, next_l) = unit_backward(literal, l)?;
        let (got, next) = unit_backward(text, end)?;
        if got != want {
            return None;
        }
        (l, end) = (next_l, next);
    }
    Some(end)
}

/// The state of one match: the values placed so far and what is left to try.
struct Search<'c, 't, 'l, S, P> {
    caps: &'c mut Captures<'t>,
    kinds: &'l [P],
    /// The literals between the first and the last.
    middle: &'l [S],
    /// Where the last literal starts.
    end: usize,
    budget: usize,
}

impl<S: AsRef<str>, P: HasKind> Search<'_, '_, '_, S, P> {
    /// Places the value of placeholder `i`, which starts at `pos`, and those after it.
    fn place_from(&mut self, i: usize, pos: usize) -> bool {
        let Some(literal) = self.middle.get(i) else {
            // The last placeholder takes the rest, up to the last literal.
            return self.place(i, pos, self.end);
        };
        let literal = literal.as_ref().as_bytes();
        let text = self.caps.text.as_bytes();
        let mut from = pos;
        while self.budget > 0 {
            let Some((at, after)) = find(text, from, self.end, literal) else {
                return false;
            };
            if self.place(i, pos, at) && self.place_from(i + 1, after) {
                return true;
            }
            from = at + 1;
        }
        false
    }

    /// Gives placeholder `i` the text `start..end`, if its kind accepts it.
    fn place(&mut self, i: usize, start: usize, end: usize) -> bool {
        if self.budget == 0 || start > end {
            return false;
        }
        self.budget -= 1;
        let accepted = self
            .caps
            .text
            .get(start..end)
            .is_some_and(|v| self.kinds.get(i).is_some_and(|p| p.kind().accepts(v)));
        if let (true, Some(range), Ok(start), Ok(end)) =
            (accepted, self.caps.ranges.get_mut(i), u32::try_from(start), u32::try_from(end))
        {
            *range = (start, end);
            return true;
        }
        false
    }
}

/// The leftmost place in `text[from..end]` where `literal` matches (starting at a
/// character boundary and ending by `end`): where it starts and where it ends.
fn find(text: &[u8], from: usize, end: usize, literal: &[u8]) -> Option<(usize, usize)> {
    let hay = text.get(..end)?;
    // A literal that starts with whitespace is found by the byte after it (a space is
    // common in a description, a letter rarer), then extended back over the run.
    let leading = literal.iter().take_while(|&&b| is_space(b)).count();
    let rest = literal.get(leading..)?;
    let Some(&key) = rest.first() else {
        // Only whitespace: the first run in `from..end`, or nothing for an empty literal.
        return if leading == 0 {
            (from <= end).then_some((from, from))
        } else {
            let at = from + hay.get(from..)?.iter().position(|&b| is_space(b))?;
            Some((at, at + hay.get(at..)?.iter().take_while(|&&b| is_space(b)).count()))
        };
    };
    // A match at `candidate`: the key's unit there, after a whitespace run if the literal
    // starts with one.
    let try_at = |candidate: usize| {
        let start = if leading == 0 {
            candidate
        } else {
            let run = hay.get(from..candidate)?.iter().rev().take_while(|&&b| is_space(b)).count();
            candidate.checked_sub(run).filter(|_| run > 0)?
        };
        match_forward(hay, candidate, rest).map(|after| (start, after))
    };
    let from = from + leading.min(1);
    let window = hay.get(from..)?;
    // Each candidate is where a unit may start that matches the key's (a character's
    // first byte), found by `memchr` in one pass.
    match key {
        b'\'' | b'"' | 0xE2 => memchr::memchr3_iter(b'\'', b'"', 0xE2, window).find_map(|i| try_at(from + i)),
        b if b.is_ascii_alphabetic() => {
            memchr::memchr2_iter(b.to_ascii_lowercase(), b.to_ascii_uppercase(), window)
                .find_map(|i| try_at(from + i))
        }
        b => memchr::memchr_iter(b, window).find_map(|i| try_at(from + i)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlaceholderKind::{List, Str, U64};

    fn values<'t>(literals: &[&str], kinds: &[PlaceholderKind], text: &'t str) -> Option<Vec<&'t str>> {
        let caps = captures(literals, kinds, text)?;
        Some((0..caps.len()).filter_map(|i| caps.get(i)).collect())
    }

    #[test]
    fn literals_are_found_leftmost_and_the_last_is_anchored_at_the_end() {
        let t = ["Could not find application for ", "/", " from URI: ", ""];
        assert_eq!(
            values(&t, &[Str, Str, Str], "Could not find application for a/b/c from URI: a/b/c/users"),
            Some(vec!["a", "b/c", "a/b/c/users"])
        );
        assert_eq!(values(&t, &[Str, Str, Str], "Could not find application for a"), None);
        assert_eq!(values(&["ab", "ba"], &[Str], "aba"), None, "prefix and suffix may not overlap");
        assert_eq!(values(&["ab", "ba"], &[Str], "abba"), Some(vec![""]));
        assert_eq!(values(&["exact"], &[], "exact"), Some(vec![]));
        assert_eq!(values(&["exact"], &[], "exact!"), Some(vec![]), "closing punctuation is forgiven");
        assert_eq!(values(&["exact"], &[], "exact?"), None);
    }

    #[test]
    fn typed_values_try_later_splits() {
        let t = ["", " at [Source: ", "; line: ", "]"];
        assert_eq!(
            values(&t, &[Str, Str, U64], "x at [Source: a; line: 2; line: 1]"),
            Some(vec!["x", "a; line: 2", "1"])
        );
        assert_eq!(values(&t, &[Str, Str, U64], "x at [Source: a; line: b]"), None);
    }

    #[test]
    fn pathological_texts_are_bounded() {
        let text = "x-".repeat(1000) + "y";
        assert_eq!(values(&["", "-", "-", ""], &[Str, Str, U64], &text), None);
        assert_eq!(values(&["", "-", "-", ""], &[Str, Str, U64], "a-b-c-7"), Some(vec!["a", "b-c", "7"]));
    }

    #[test]
    fn mismatched_templates_match_nothing() {
        assert_eq!(values(&["a", "b"], &[], "ab"), None);
        assert!(captures::<&str, PlaceholderKind>(&[], &[], "").is_none());
        let many = [""; MAX_PLACEHOLDERS + 2];
        assert_eq!(values(&many, &[Str; MAX_PLACEHOLDERS + 1], ""), None);
    }

    #[test]
    fn find_is_leftmost() {
        for (hay, needle, want) in [
            ("abcabc", "ca", Some((2, 4))),
            ("aaab", "ab", Some((2, 4))),
            ("ab", "abc", None),
            ("xyz", "z", Some((2, 3))),
            ("", "a", None),
            ("a", "", Some((0, 0))),
            ("é é", " é", Some((2, 5))),
            ("a  b", " b", Some((1, 4))),
            ("it’s", "'s", Some((2, 6))),
        ] {
            assert_eq!(find(hay.as_bytes(), 0, hay.len(), needle.as_bytes()), want, "{hay:?} {needle:?}");
        }
    }

    #[test]
    fn literals_match_tolerantly_and_values_stay_exact() {
        let t = ["group member ", " doesn't exist"];
        for text in [
            "group member Bob doesn't exist",
            "Group Member Bob doesn’t exist.",
            "GROUP  MEMBER Bob\tdoesn‘t exist!",
            "group member Bob doesn't exist 。",
        ] {
            let text = text.replace("\\t", "\t");
            assert_eq!(values(&t, &[Str], &text), Some(vec!["Bob"]), "{text:?}");
        }
        assert_eq!(values(&t, &[Str], "group member Bob does not exist"), None);
        assert_eq!(
            values(&["This request has reached api limit"], &[], "this request has reached API limit!"),
            Some(vec![])
        );
        assert_eq!(values(&["say \"hi\""], &[], "say “hi”"), Some(vec![]));
        assert_eq!(values(&["say 'hi'"], &[], "say \"hi\""), None, "single and double quotes differ");
        // Closing punctuation is never part of a value.
        assert_eq!(values(&["user ", ""], &[Str], "user bob."), Some(vec!["bob"]));
        assert_eq!(values(&["user ", "."], &[Str], "user bob"), Some(vec!["bob"]));
        assert_eq!(values(&["group ", ""], &[U64], "group 42!"), Some(vec!["42"]));
        assert!(units_equal("Doesn’t  EXIST", "doesn't exist") && !units_equal("a", "a."));
        assert_eq!(values(&["it’"], &[], "IT‘"), Some(vec![]), "typographic quotes alike, also at the end");
        assert_eq!(values(&["“", "”"], &[Str], "\"x\""), Some(vec!["x"]));
    }

    #[test]
    fn u64_values_are_canonical() {
        for (text, n) in
            [("12", Some(12)), ("0", Some(0)), ("012", None), ("", None), ("1a", None), ("+1", None)]
        {
            assert_eq!(parse_u64(text), n, "{text:?}");
        }
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551616"), None);
    }

    #[test]
    fn lists_split_at_comma_space() {
        assert_eq!(split_list("a, b,, c").collect::<Vec<_>>(), ["a", "b,", "c"]);
        assert_eq!(split_list("").count(), 0);
        assert_eq!(split_list(", ").collect::<Vec<_>>(), ["", ""]);
        assert!(List.accepts("anything") && Str.accepts("") && !U64.accepts("x"));
        for kind in [Str, U64, List] {
            assert_eq!(PlaceholderKind::from_name(kind.name()), Some(kind));
        }
    }
}
