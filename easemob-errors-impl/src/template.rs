//! Description templates: the server's text with `{placeholders}` for the values it fills in.
//!
//! Syntax: literal text, `{name}` (a `String`), `{name:type}` with a type from
//! [`KIND_NAMES`], and `{{` / `}}` for literal braces.

use std::ops::Range;

/// The type of a captured value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Any text: a `String` field.
    Str,
    /// A decimal unsigned integer: a `u64` field.
    U64,
    /// A comma-separated list of names: a `Vec<String>` field.
    List,
}

/// The spellings of [`Kind`] in a template, in order of [`Kind::Str`], [`Kind::U64`], [`Kind::List`].
pub const KIND_NAMES: [&str; 3] = ["string", "u64", "list"];

impl Kind {
    /// The spelling of this kind in a template.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Str => KIND_NAMES[0],
            Kind::U64 => KIND_NAMES[1],
            Kind::List => KIND_NAMES[2],
        }
    }
}

/// Most placeholders one template may have.
pub const MAX_PLACEHOLDERS: usize = 8;

/// One `{name}` or `{name:type}` in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// The field name.
    pub name: String,
    /// The field type.
    pub kind: Kind,
    /// Byte range of the whole `{...}` in the template text.
    pub span: Range<usize>,
}

/// A parsed template: `literals.len() == placeholders.len() + 1`; literal `i` comes
/// before placeholder `i`, the last literal after the last placeholder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template {
    /// The template as written.
    pub text: String,
    /// Literal text between placeholders (braces unescaped).
    pub literals: Vec<String>,
    /// The placeholders in order.
    pub placeholders: Vec<Placeholder>,
}

/// A mistake in a template, with its byte range in the template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte range in the template text.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// A hint, if any.
    pub help: Option<String>,
}

impl Template {
    /// Parses a template, reporting every mistake in it.
    pub fn parse(text: &str) -> Result<Template, Vec<TemplateError>> {
        Self::parse_owned(text.to_owned())
    }

    /// As [`Template::parse`], keeping `text` as the template's text (no copy).
    pub fn parse_owned(owned: String) -> Result<Template, Vec<TemplateError>> {
        let text = owned.as_str();
        let mut errors = Vec::new();
        let mut literals = vec![String::new()];
        let mut placeholders: Vec<Placeholder> = Vec::new();
        // Braces are ASCII, so byte positions at them are char boundaries.
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(&c) = bytes.get(i) {
            let next = bytes.get(i + 1).copied();
            match c {
                b'{' if next == Some(b'{') => {
                    push_literal(&mut literals, "{");
                    i += 2;
                }
                b'}' if next == Some(b'}') => {
                    push_literal(&mut literals, "}");
                    i += 2;
                }
                b'}' => {
                    errors.push(TemplateError {
                        span: i..i + 1,
                        message: "unmatched `}` in description template".into(),
                        help: Some("write `}}` for a literal `}`".into()),
                    });
                    i += 1;
                }
                b'{' => {
                    let Some(close) = next_brace(bytes, i + 1) else {
                        errors.push(TemplateError {
                            span: i..text.len(),
                            message: "unclosed `{` in description template".into(),
                            help: Some(
                                "close the placeholder with `}`, or write `{{` for a literal `{`".into(),
                            ),
                        });
                        break;
                    };
                    if text.as_bytes()[close] == b'{' {
                        errors.push(TemplateError {
                            span: i..close,
                            message: "unclosed `{` in description template".into(),
                            help: Some(
                                "close the placeholder with `}`, or write `{{` for a literal `{`".into(),
                            ),
                        });
                        // Resume at the next `{`.
                        i = close;
                        continue;
                    }
                    let span = i..close + 1;
                    let inner = &text[i + 1..close];
                    match parse_placeholder(inner, span.clone()) {
                        Ok(p) => {
                            if literals.last().is_some_and(String::is_empty) && !placeholders.is_empty() {
                                errors.push(TemplateError {
                                    span: span.clone(),
                                    message: format!(
                                        "placeholders `{{{}}}` and `{{{}}}` have no literal text between them, so the split between their values is ambiguous",
                                        placeholders.last().map_or("", |p| p.name.as_str()),
                                        p.name
                                    ),
                                    help: Some("merge them into one placeholder, or keep the text that separates them".into()),
                                });
                            }
                            if placeholders.iter().any(|q| q.name == p.name) {
                                errors.push(TemplateError {
                                    span: span.clone(),
                                    message: format!(
                                        "placeholder `{{{}}}` appears twice in the template",
                                        p.name
                                    ),
                                    help: Some("give each captured value its own name".into()),
                                });
                            }
                            placeholders.push(p);
                            literals.push(String::new());
                        }
                        Err(e) => errors.push(e),
                    }
                    i = close + 1;
                }
                // Plain text, up to the next brace.
                _ => {
                    let end = next_brace(bytes, i).unwrap_or(bytes.len());
                    push_literal(&mut literals, text.get(i..end).unwrap_or(""));
                    i = end;
                }
            }
        }
        if placeholders.len() > MAX_PLACEHOLDERS {
            errors.push(TemplateError {
                span: 0..text.len(),
                message: format!(
                    "the template has {} placeholders; at most {MAX_PLACEHOLDERS} are supported",
                    placeholders.len()
                ),
                help: None,
            });
        }
        if errors.is_empty() { Ok(Template { text: owned, literals, placeholders }) } else { Err(errors) }
    }

    /// The catch-all template used when an entry gives no description: `{description}`.
    pub fn catch_all() -> Template {
        Template {
            text: "{description}".into(),
            literals: vec![String::new(), String::new()],
            placeholders: vec![Placeholder { name: "description".into(), kind: Kind::Str, span: 0..13 }],
        }
    }

    /// Whether `text` matches this template (the same algorithm as the runtime's, kinds ignored).
    pub fn matches(&self, text: &str) -> bool {
        self.captures(text).is_some()
    }

    /// The placeholder values of `text`, if it matches this template (kinds ignored):
    /// each literal is found leftmost, the last one anchored at the end.
    pub fn captures<'t>(&self, text: &'t str) -> Option<Vec<&'t str>> {
        let (first, rest) = self.literals.split_first()?;
        let mut tail = text.strip_prefix(first.as_str())?;
        let Some((last, middle)) = rest.split_last() else {
            return tail.is_empty().then(Vec::new);
        };
        let mut values = Vec::new();
        for lit in middle {
            let at = tail.find(lit.as_str())?;
            values.push(&tail[..at]);
            tail = &tail[at + lit.len()..];
        }
        values.push(tail.strip_suffix(last.as_str())?);
        Some(values)
    }

    /// Like [`Template::captures`], and each value also parses as its placeholder's kind
    /// (`u64`: canonical decimal digits), as the runtime requires: when the leftmost split
    /// does not parse, later occurrences of the literals are tried, leftmost first, up to
    /// 64 splits (the runtime's bound).
    pub fn captures_typed<'t>(&self, text: &'t str) -> Option<Vec<&'t str>> {
        let values = self.captures(text)?;
        if self.typed_ok(&values) {
            return Some(values);
        }
        let (first, rest) = self.literals.split_first()?;
        let (last, middle) = rest.split_last()?;
        let end = text.len().checked_sub(last.len())?;
        let mut budget = 64;
        let mut found = None;
        self.splits(middle, text, first.len(), end, &mut Vec::new(), &mut budget, &mut found);
        found
    }

    #[allow(clippy::too_many_arguments)]
    fn splits<'t>(
        &self,
        middle: &[String],
        text: &'t str,
        pos: usize,
        end: usize,
        values: &mut Vec<&'t str>,
        budget: &mut usize,
        found: &mut Option<Vec<&'t str>>,
    ) {
        let Some((lit, more)) = middle.split_first() else {
            if pos <= end && *budget > 0 {
                *budget -= 1;
                values.push(&text[pos..end]);
                if self.typed_ok(values) {
                    *found = Some(values.clone());
                }
                values.pop();
            }
            return;
        };
        let mut from = pos;
        while found.is_none() && *budget > 0 {
            let Some(at) = text.get(from..end).and_then(|t| t.find(lit.as_str())).map(|i| from + i) else {
                return;
            };
            values.push(&text[pos..at]);
            self.splits(more, text, at + lit.len(), end, values, budget, found);
            values.pop();
            from = at + text[at..].chars().next().map_or(1, char::len_utf8);
        }
    }

    fn typed_ok(&self, values: &[&str]) -> bool {
        self.placeholders.iter().zip(values).all(|(p, v)| match p.kind {
            Kind::U64 => {
                !v.is_empty()
                    && v.bytes().all(|b| b.is_ascii_digit())
                    && (*v == "0" || !v.starts_with('0'))
                    && v.parse::<u64>().is_ok()
            }
            Kind::Str | Kind::List => true,
        })
    }

    /// Whether every text that `other` matches is also matched by `self`
    /// (so an earlier `self` would always win over a later `other`).
    ///
    /// Exact for untyped placeholders: each placeholder of `other` is replaced by a
    /// character that no literal of `self` contains; if `self` still matches, the
    /// sentinel fell inside one of `self`'s placeholders, which accept any text.
    pub fn covers(&self, other: &Template) -> bool {
        if self.placeholders.iter().any(|p| p.kind != Kind::Str) {
            return false;
        }
        let sentinel = '\u{10FFFD}';
        if self.literals.iter().any(|l| l.contains(sentinel)) {
            return false;
        }
        let mut probe = String::new();
        for (i, lit) in other.literals.iter().enumerate() {
            probe.push_str(lit);
            if i < other.placeholders.len() {
                probe.push(sentinel);
            }
        }
        self.matches(&probe)
    }
}

/// The index of the first `{` or `}` at or after `from`.
fn next_brace(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        at = crate::scan::until(bytes, at, *b"{}{}");
        match bytes.get(at) {
            Some(b'{' | b'}') => return Some(at),
            None => return None,
            Some(_) => at += 1, // a control character: text too
        }
    }
}

/// `s` without surrounding whitespace; the common case (none) without `char` decoding,
/// which is slow in the unoptimized macro.
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

fn push_literal(literals: &mut [String], text: &str) {
    if let Some(last) = literals.last_mut() {
        last.push_str(text);
    }
}

fn parse_placeholder(inner: &str, span: Range<usize>) -> Result<Placeholder, TemplateError> {
    // `:` is ASCII, so the split is at a char boundary.
    // Plain indexing: an iterator costs tens of instructions a byte unoptimized.
    let bytes = inner.as_bytes();
    let mut at = 0;
    while at < bytes.len() && bytes[at] != b':' {
        at += 1;
    }
    let colon = (at < bytes.len()).then_some(at);
    let (name, kind) = match colon.and_then(|at| Some((inner.get(..at)?, inner.get(at + 1..)?))) {
        Some((name, kind)) => (trim(name), Some(trim(kind))),
        None => (trim(inner), None),
    };
    if name.is_empty() {
        return Err(TemplateError {
            span,
            message: "empty placeholder `{}` in description template".into(),
            help: Some(
                "name the captured value, e.g. `{username}`, or write `{{}}` for literal braces".into(),
            ),
        });
    }
    if !crate::ident::is_field_name(name) {
        return Err(TemplateError {
            span,
            message: format!("placeholder name `{name}` is not a valid Rust field name"),
            help: Some(
                "use a snake_case identifier that is not a keyword, e.g. `{username}` or `{group_id}`".into(),
            ),
        });
    }
    let kind = match kind {
        None | Some("string") => Kind::Str,
        Some("u64") => Kind::U64,
        Some("list") => Kind::List,
        Some(other) => {
            let e = TemplateError {
                span,
                message: format!(
                    "unknown placeholder type `{other}` (expected one of `string`, `u64`, `list`)"
                ),
                help: None,
            };
            return Err(match crate::diag::closest(other, KIND_NAMES) {
                Some(best) => TemplateError { help: Some(format!("did you mean `{best}`?")), ..e },
                None => e,
            });
        }
    };
    Ok(Placeholder { name: name.to_owned(), kind, span })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Template {
        Template::parse(s).unwrap()
    }

    fn err(s: &str) -> String {
        Template::parse(s).unwrap_err()[0].message.clone()
    }

    #[test]
    fn splits_literals_and_placeholders() {
        let tpl = t("group member {username} doesn't exist");
        assert_eq!(tpl.literals, ["group member ", " doesn't exist"]);
        assert_eq!(tpl.placeholders[0].name, "username");
        let tpl = t("line: {line:u64}, users [{users:list}] {{x}}");
        assert_eq!(tpl.placeholders[0].kind, Kind::U64);
        assert_eq!(tpl.placeholders[1].kind, Kind::List);
        assert_eq!(tpl.literals.last().unwrap(), "] {x}");
    }

    #[test]
    fn reports_each_mistake() {
        assert!(err("a {b").contains("unclosed `{`"));
        assert!(err("a {} b").contains("empty placeholder"));
        assert!(err("a {9x} b").contains("not a valid Rust field name"));
        assert!(err("a {type} b").contains("not a valid Rust field name"));
        assert!(err("{a} and {a}").contains("appears twice"));
        assert!(err("{a}{b}").contains("ambiguous"));
        assert!(err("a } b").contains("unmatched `}`"));
        let e = &Template::parse("{n:u46}").unwrap_err()[0];
        assert_eq!(e.help.as_deref(), Some("did you mean `u64`?"));
    }

    #[test]
    fn typed_captures_try_other_splits() {
        let tpl = t("{detail} at [Source: {source}; line: {line:u64}]");
        assert_eq!(
            tpl.captures_typed("x at [Source: a; line: 2; line: 1]"),
            Some(vec!["x", "a; line: 2", "1"])
        );
        assert_eq!(tpl.captures_typed("x at [Source: a; line: b]"), None);
    }

    #[test]
    fn matching_and_covering() {
        let tpl = t("Could not find application for {org}/{app} from URI: {uri}");
        assert!(tpl.matches("Could not find application for a/b from URI: a/b/users"));
        assert!(!tpl.matches("Could not find application for a from URI: x"));
        assert!(t("{x}").covers(&t("anything {y} here")));
        assert!(t("user {a} x").covers(&t("user b x")));
        assert!(!t("user {a} x").covers(&t("users b x")));
        assert!(!t("a {x} b").covers(&t("a {y} c")));
    }
}
