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
//! ```

#![forbid(unsafe_code)]

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
    ranges: [(usize, usize); MAX_PLACEHOLDERS],
    len: usize,
}

impl<'t> Captures<'t> {
    /// The value of placeholder `i`, as text.
    pub fn get(&self, i: usize) -> Option<&'t str> {
        let &(start, end) = self.ranges.get(..self.len)?.get(i)?;
        self.text.get(start..end)
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
/// The first literal must start the text and the last one end it. Each literal between
/// is found leftmost; if a typed value does not parse with that split, later occurrences
/// are tried, leftmost first, within [`MAX_PLACEMENTS`]. Templates with more than
/// [`MAX_PLACEHOLDERS`] placeholders, or whose counts disagree, match nothing.
pub fn captures<'t, S: AsRef<str>, P: HasKind>(
    literals: &[S],
    placeholders: &[P],
    text: &'t str,
) -> Option<Captures<'t>> {
    let kinds = placeholders;
    let (first, rest) = literals.split_first()?;
    if rest.len() != kinds.len() || kinds.len() > MAX_PLACEHOLDERS {
        return None;
    }
    // Most templates of a group differ from the text in their first or last byte: those
    // tests are cheaper than the calls that compare whole literals.
    let first = first.as_ref();
    let last_byte = rest.last().and_then(|l| l.as_ref().as_bytes().last());
    if first.as_bytes().first().is_some_and(|b| text.as_bytes().first() != Some(b))
        || last_byte.is_some_and(|b| text.as_bytes().last() != Some(b))
    {
        return None;
    }
    let after_first = text.strip_prefix(first)?;
    let mut search = Search {
        caps: Captures { text, ranges: [(0, 0); MAX_PLACEHOLDERS], len: kinds.len() },
        kinds,
        middle: &[],
        end: text.len(),
        budget: MAX_PLACEMENTS,
    };
    let Some((last, middle)) = rest.split_last() else {
        return after_first.is_empty().then_some(search.caps);
    };
    let start = text.len() - after_first.len();
    search.end = text.len().checked_sub(last.as_ref().len()).filter(|&end| end >= start)?;
    if !text.ends_with(last.as_ref()) {
        return None;
    }
    search.middle = middle;
    search.place_from(0, start).then_some(search.caps)
}

/// The state of one match: the values placed so far and what is left to try.
struct Search<'t, 'l, S, P> {
    caps: Captures<'t>,
    kinds: &'l [P],
    /// The literals between the first and the last.
    middle: &'l [S],
    /// Where the last literal starts.
    end: usize,
    budget: usize,
}

impl<S: AsRef<str>, P: HasKind> Search<'_, '_, S, P> {
    /// Places the value of placeholder `i`, which starts at `pos`, and those after it.
    fn place_from(&mut self, i: usize, pos: usize) -> bool {
        let Some(literal) = self.middle.get(i) else {
            // The last placeholder takes the rest, up to the last literal.
            return self.place(i, pos, self.end);
        };
        let literal = literal.as_ref();
        let text = self.caps.text;
        let mut from = pos;
        while self.budget > 0 {
            let Some(at) = text.get(from..self.end).and_then(|hay| find(hay, literal)) else {
                return false;
            };
            let at = from + at;
            if self.place(i, pos, at) && self.place_from(i + 1, at + literal.len()) {
                return true;
            }
            from = at + text.get(at..).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
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
        if let (true, Some(range)) = (accepted, self.caps.ranges.get_mut(i)) {
            *range = (start, end);
            return true;
        }
        false
    }
}

/// Where `needle` first occurs in `hay`. Descriptions are short: trying each place where
/// the needle's first byte occurs is cheaper than building the two-way searcher of
/// `str::find` for every literal (which was two thirds of the time to classify a body
/// whose template captures values). A match starts with the needle's first byte, so it
/// starts at a character boundary.
fn find(hay: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else { return Some(0) };
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut from = 0;
    while let Some(at) = hay.get(from..=last_start)?.iter().position(|&b| b == first) {
        if hay.get(from + at..).is_some_and(|h| h.starts_with(needle)) {
            return Some(from + at);
        }
        from += at + 1;
    }
    None
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
        assert_eq!(values(&["exact"], &[], "exact!"), None);
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
    fn find_is_leftmost_and_agrees_with_str_find() {
        for (hay, needle) in [
            ("abcabc", "ca"),
            ("aaab", "ab"),
            ("ab", "abc"),
            ("xyz", "z"),
            ("", "a"),
            ("a", ""),
            ("é é", " é"),
        ] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay:?} {needle:?}");
        }
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
