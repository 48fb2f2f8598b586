//! Description templates: the server's text with `{placeholders}` for the values it fills in.
//!
//! Syntax: literal text, `{name}` (a `String`), `{name:type}` with a type named by
//! [`PlaceholderKind::NAMES`], and `{{` / `}}` for literal braces. Matching is the
//! runtime's own rule, from `easemob-errors-template`.

use std::ops::Range;

pub use easemob_errors_template::{MAX_PLACEHOLDERS, PlaceholderKind, overlap};

/// One `{name}` or `{name:type}` in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// The field name.
    pub name: String,
    /// The field type.
    pub kind: PlaceholderKind,
}

impl easemob_errors_template::HasKind for Placeholder {
    fn kind(&self) -> PlaceholderKind {
        self.kind
    }
}

/// A parsed template: `literals.len() == placeholders.len() + 1`; literal `i` comes
/// before placeholder `i`, the last literal after the last placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl TemplateError {
    fn new(span: Range<usize>, message: impl Into<String>, help: impl Into<String>) -> Self {
        TemplateError { span, message: message.into(), help: Some(help.into()) }
    }
}

const UNCLOSED_HELP: &str = "close the placeholder with `}`, or write `{{` for a literal `{`";

impl Template {
    /// Parses a template, reporting every mistake in it.
    pub fn parse(text: &str) -> Result<Template, Vec<TemplateError>> {
        let mut errors = Vec::new();
        let mut literals = vec![String::new()];
        let mut placeholders: Vec<Placeholder> = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find(['{', '}']) {
            let offset = text.len() - rest.len();
            let (before, from_brace) = rest.split_at(at);
            push_literal(&mut literals, before);
            if let Some(after) = from_brace.strip_prefix("{{").or_else(|| from_brace.strip_prefix("}}")) {
                push_literal(&mut literals, &from_brace[..1]);
                rest = after;
                continue;
            }
            let start = offset + at;
            if let Some(after) = from_brace.strip_prefix('}') {
                errors.push(TemplateError::new(
                    start..start + 1,
                    "unmatched `}` in description template",
                    "write `}}` for a literal `}`",
                ));
                rest = after;
                continue;
            }
            // A `{`: the placeholder runs to the next brace, which must close it.
            let inner_and_on = &from_brace[1..];
            match inner_and_on.find(['{', '}']) {
                Some(close) if inner_and_on[close..].starts_with('}') => {
                    let span = start..start + close + 2;
                    match parse_placeholder(&inner_and_on[..close], span.clone()) {
                        Ok(p) => {
                            check_placement(&p, &placeholders, &literals, span, &mut errors);
                            placeholders.push(p);
                            literals.push(String::new());
                        }
                        Err(e) => errors.push(e),
                    }
                    rest = &inner_and_on[close + 1..];
                }
                // No `}` before the next `{` (or the end): the `{` is unclosed.
                next_open => {
                    let end = next_open.unwrap_or(inner_and_on.len());
                    let span = start..start + 1 + end;
                    errors.push(TemplateError::new(
                        span,
                        "unclosed `{` in description template",
                        UNCLOSED_HELP,
                    ));
                    rest = &inner_and_on[end..];
                }
            }
        }
        push_literal(&mut literals, rest);
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
        if errors.is_empty() {
            Ok(Template { text: text.to_owned(), literals, placeholders })
        } else {
            Err(errors)
        }
    }

    /// The placeholder values of `text`, if it matches this template (the runtime's rule).
    pub fn captures<'t>(&self, text: &'t str) -> Option<Vec<&'t str>> {
        let caps = easemob_errors_template::captures(&self.literals, &self.placeholders, text)?;
        Some((0..caps.len()).filter_map(|i| caps.get(i)).collect())
    }

    /// Whether the two templates are the same under the tolerant rules: equal literals
    /// (ignoring case, quotes, whitespace runs and closing punctuation) around
    /// placeholders of the same kinds. Such templates match the same texts.
    pub fn same_shape(&self, other: &Template) -> bool {
        let kinds = |t: &Template| t.placeholders.iter().map(|p| p.kind).collect::<Vec<_>>();
        let last = self.literals.len().saturating_sub(1);
        self.literals.len() == other.literals.len()
            && kinds(self) == kinds(other)
            && self.literals.iter().zip(&other.literals).enumerate().all(|(i, (a, b))| {
                let closing = |s: &str| -> String {
                    if i == last {
                        s.trim_end_matches(['.', '!', '。', ' ', '\t', '\r', '\n']).to_owned()
                    } else {
                        s.to_owned()
                    }
                };
                easemob_errors_template::units_equal(&closing(a), &closing(b))
            })
    }

    /// Whether every text that `other` matches is also matched by `self`
    /// (so an earlier `self` would always win over a later `other`).
    ///
    /// Exact for untyped placeholders: each placeholder of `other` is replaced by a
    /// character that no literal of `self` contains; if `self` still matches, the
    /// sentinel fell inside one of `self`'s placeholders, which accept any text.
    pub fn covers(&self, other: &Template) -> bool {
        let sentinel = '\u{10FFFD}';
        if self.placeholders.iter().any(|p| p.kind == PlaceholderKind::U64)
            || self.literals.iter().any(|l| l.contains(sentinel))
        {
            return false;
        }
        let mut probe = String::new();
        for (i, lit) in other.literals.iter().enumerate() {
            if i > 0 {
                probe.push(sentinel);
            }
            probe.push_str(lit);
        }
        self.captures(&probe).is_some()
    }
}

fn push_literal(literals: &mut [String], text: &str) {
    if let Some(last) = literals.last_mut() {
        last.push_str(text);
    }
}

/// Two placeholders need text between them, and each name is used once.
fn check_placement(
    p: &Placeholder,
    earlier: &[Placeholder],
    literals: &[String],
    span: Range<usize>,
    errors: &mut Vec<TemplateError>,
) {
    if let (Some(previous), Some("")) = (earlier.last(), literals.last().map(String::as_str)) {
        errors.push(TemplateError::new(
            span.clone(),
            format!(
                "placeholders `{{{}}}` and `{{{}}}` have no literal text between them, so the split between their values is ambiguous",
                previous.name, p.name
            ),
            "merge them into one placeholder, or keep the text that separates them",
        ));
    }
    if earlier.iter().any(|q| q.name == p.name) {
        errors.push(TemplateError::new(
            span,
            format!("placeholder `{{{}}}` appears twice in the template", p.name),
            "give each captured value its own name",
        ));
    }
}

fn parse_placeholder(inner: &str, span: Range<usize>) -> Result<Placeholder, TemplateError> {
    let (name, kind) = match inner.split_once(':') {
        Some((name, kind)) => (name.trim(), Some(kind.trim())),
        None => (inner.trim(), None),
    };
    if name.is_empty() {
        return Err(TemplateError::new(
            span,
            "empty placeholder `{}` in description template",
            "name the captured value, e.g. `{username}`, or write `{{}}` for literal braces",
        ));
    }
    if !crate::ident::is_field_name(name) {
        return Err(TemplateError::new(
            span,
            format!("placeholder name `{name}` is not a valid Rust field name"),
            "use a snake_case identifier that is not a keyword, e.g. `{username}` or `{group_id}`",
        ));
    }
    let kind = match kind {
        None => PlaceholderKind::Str,
        Some(kind) => PlaceholderKind::from_name(kind).ok_or_else(|| TemplateError {
            span,
            message: format!("unknown placeholder type `{kind}` (expected one of `string`, `u64`, `list`)"),
            help: crate::diag::closest(kind, PlaceholderKind::NAMES)
                .map(|best| format!("did you mean `{best}`?")),
        })?,
    };
    Ok(Placeholder { name: name.to_owned(), kind })
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
        assert_eq!(
            (tpl.placeholders[0].kind, tpl.placeholders[1].kind),
            (PlaceholderKind::U64, PlaceholderKind::List)
        );
        assert_eq!(tpl.literals.last().unwrap(), "] {x}");
        assert_eq!(
            t("{ name : u64 }").placeholders[0],
            Placeholder { name: "name".into(), kind: PlaceholderKind::U64 }
        );
    }

    #[test]
    fn reports_each_mistake_where_it_is() {
        assert!(err("a {b").contains("unclosed `{`"));
        assert!(err("a {} b").contains("empty placeholder"));
        assert!(err("a {9x} b").contains("not a valid Rust field name"));
        assert!(err("a {type} b").contains("not a valid Rust field name"));
        assert!(err("{a} and {a}").contains("appears twice"));
        assert!(err("{a}{b}").contains("ambiguous"));
        assert!(err("a } b").contains("unmatched `}`"));
        let e = &Template::parse("{n:u46}").unwrap_err()[0];
        assert_eq!(e.help.as_deref(), Some("did you mean `u64`?"));
        let all = Template::parse("x {a {b} }").unwrap_err();
        let spans: Vec<_> = all.iter().map(|e| e.span.clone()).collect();
        assert_eq!(spans, [2..5, 9..10], "{all:?}");
    }

    #[test]
    fn covering() {
        assert!(t("{x}").covers(&t("anything {y} here")));
        assert!(t("user {a} x").covers(&t("user b x")));
        assert!(!t("user {a} x").covers(&t("users b x")));
        assert!(!t("a {x} b").covers(&t("a {y} c")));
        assert!(!t("{n:u64}").covers(&t("7")), "typed placeholders are not compared");
        assert!(t("Order {n:u64}  gone.").same_shape(&t("order {id:u64} gone")));
        assert!(!t("order {n:u64} gone").same_shape(&t("order {id} gone")));
    }
}
