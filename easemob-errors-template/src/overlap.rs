//! Whether two templates can match one text: what the macro asks of forms that nothing
//! tells apart but their description (bodies without a code).

use crate::{HasKind, PlaceholderKind, Unit, trim_closing, unit_forward};

/// One step of a template as matching sees it: a unit of literal text, or a placeholder
/// (which takes any run of units; a `u64` one only digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Unit(Unit),
    Any,
    Digits,
}

impl Token {
    /// Whether this placeholder can take `unit` as part of its value.
    fn takes(self, unit: Token) -> bool {
        match (self, unit) {
            (Token::Any, Token::Unit(_)) => true,
            (Token::Digits, Token::Unit(Unit::Byte(b))) => b.is_ascii_digit(),
            _ => false,
        }
    }

    fn is_placeholder(self) -> bool {
        matches!(self, Token::Any | Token::Digits)
    }
}

/// The tokens of a template, its closing punctuation left out (it never counts).
fn tokens<S: AsRef<str>, P: HasKind>(literals: &[S], placeholders: &[P]) -> Vec<Token> {
    let mut out = Vec::new();
    for (i, literal) in literals.iter().enumerate() {
        let mut text = literal.as_ref().as_bytes();
        if i + 1 == literals.len() {
            text = trim_closing(text);
        }
        let mut at = 0;
        while let Some((unit, next)) = unit_forward(text, at) {
            out.push(Token::Unit(unit));
            at = next;
        }
        if let Some(p) = placeholders.get(i) {
            out.push(match p.kind() {
                PlaceholderKind::U64 => Token::Digits,
                _ => Token::Any,
            });
        }
    }
    out
}

/// Whether some text matches both templates under the tolerant rules (a `u64`
/// placeholder is taken as any run of digits, so this may answer yes for a text whose
/// number is out of range). Templates are given as [`captures`](crate::captures) takes
/// them.
///
/// ```
/// use easemob_errors_template::{PlaceholderKind, overlap};
///
/// let any = [PlaceholderKind::Str];
/// assert!(overlap(&["rate limit for ", "."], &any, &["Rate limit for ", " (per IP)"], &any));
/// assert!(!overlap(&["user ", " not found"], &any, &["group ", " not found"], &any));
/// ```
pub fn overlap<S: AsRef<str>, P: HasKind, T: AsRef<str>, Q: HasKind>(
    a_literals: &[S],
    a_placeholders: &[P],
    b_literals: &[T],
    b_placeholders: &[Q],
) -> bool {
    let (a, b) = (tokens(a_literals, a_placeholders), tokens(b_literals, b_placeholders));
    // A text both match starts with the literal units of both templates up to their first
    // placeholder, and ends with those after their last: where these disagree, nothing
    // matches both. Most pairs end here, so a spec with many forms per status stays quick.
    if disagree(a.iter(), b.iter()) || disagree(a.iter().rev(), b.iter().rev()) {
        return false;
    }
    // A walk over (position in a, position in b): both reach their ends on one text.
    let width = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * width];
    let mut todo = vec![(0, 0)];
    while let Some((i, j)) = todo.pop() {
        match seen.get_mut(i * width + j) {
            Some(seen) if !*seen => *seen = true,
            _ => continue,
        }
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        match (x, y) {
            (None, None) => return true,
            (Some(x), Some(y)) if !x.is_placeholder() && x == y => todo.push((i + 1, j + 1)),
            _ => {}
        }
        // A placeholder may end here, or take the other side's next unit.
        if let Some(x) = x.filter(|x| x.is_placeholder()) {
            todo.push((i + 1, j));
            if y.is_some_and(|y| x.takes(y)) {
                todo.push((i, j + 1));
            }
        }
        if let Some(y) = y.filter(|y| y.is_placeholder()) {
            todo.push((i, j + 1));
            if x.is_some_and(|x| y.takes(x)) {
                todo.push((i + 1, j));
            }
        }
    }
    false
}

/// Whether two runs of tokens differ in a literal unit before either reaches a
/// placeholder.
fn disagree<'t>(x: impl Iterator<Item = &'t Token>, y: impl Iterator<Item = &'t Token>) -> bool {
    let literal = |t: &&Token| !t.is_placeholder();
    x.take_while(literal).zip(y.take_while(literal)).any(|(x, y)| x != y)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANY: [PlaceholderKind; 1] = [PlaceholderKind::Str];
    const NONE: [PlaceholderKind; 0] = [];

    #[test]
    fn overlap_follows_the_tolerant_rules() {
        assert!(overlap(&["User Not Found."], &NONE, &["user  not found"], &NONE));
        assert!(overlap(&["it doesn’t exist"], &NONE, &["it doesn't exist!"], &NONE));
        assert!(!overlap(&["user not found"], &NONE, &["group not found"], &NONE));
        assert!(overlap(&["", " is expired"], &ANY, &["file ", ""], &ANY));
        assert!(!overlap(&["a ", " b"], &ANY, &["c ", " d"], &ANY));
        let digits = [PlaceholderKind::U64];
        assert!(!overlap(&["limit ", ""], &digits, &["limit none"], &NONE));
        assert!(overlap(&["limit ", ""], &digits, &["limit 10"], &NONE));
    }
}
