//! Stage 1, parse, for `[[errors]]`: one entry's keys into an [`ErrorDef`] — its
//! variant, status, code, description templates, texts and policy.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::diag::Diagnostic;
use crate::keys::{Cx, Value, describe};
use crate::spec::{ERROR_KEYS, ErrorDef, Loc, keys_with_languages};
use crate::template::Template;

impl Cx<'_> {
    pub(crate) fn error_def(
        &mut self,
        index: usize,
        item: &Value<'_>,
        languages: &[String],
    ) -> Option<ErrorDef> {
        let loc = self.loc(item.span());
        let whole = item.span();
        let Some(t) = item.get_ref().as_table() else {
            let found = describe(item.get_ref());
            self.diags
                .push(loc.error(format!("`errors` entry #{} must be a table, found {found}", index + 1)));
            return None;
        };
        let what = match t.get("variant").and_then(|v| v.get_ref().as_str()) {
            Some(name) => format!("[[errors]] entry `{name}`"),
            None => format!("[[errors]] entry #{}", index + 1),
        };
        let what = what.as_str();
        let allowed = keys_with_languages(&ERROR_KEYS, &["cause", "remedy"], languages);
        self.unknown_keys(t, &allowed.iter().map(String::as_str).collect::<Vec<_>>(), what);
        let variant = self.required_str(t, "variant", what, whole.clone());
        let status = match self.optional_int(t, "status", what) {
            Some((n, status_loc)) => self.status_value(n, &status_loc, what).map(|s| (s, status_loc)),
            None => {
                if !t.contains_key("status") {
                    self.missing(whole.clone(), "status", what, "an HTTP status, 100–599");
                }
                None
            }
        };
        let (error, code_loc) = self.code(t, what);
        let descriptions = self.descriptions(t, what);
        let without_error = self.optional_bool(t, "without_error", what).unwrap_or(false);
        if without_error && error.is_none() {
            let at = t.get("without_error").map_or(whole.clone(), |v| v.span());
            self.diags.push(self.loc(at).error(format!(
                "`without_error` in {what} needs an `error`: an entry without one already matches bodies without `error`"
            )));
        }
        let causes = self.texts(t, "cause", languages, what, whole.clone());
        let remedies = self.texts(t, "remedy", languages, what, whole.clone());
        let prefix = self.optional_bool(t, "prefix", what).unwrap_or(false);
        // `note` is for the spec's readers: only its type is checked.
        let _ = self.optional_str(t, "note", what);
        let retry = self.retry(t, what);
        let alert = self.optional_bool(t, "alert", what);
        if t.contains_key("retry") && retry.is_none() {
            return None;
        }
        let ((variant, variant_loc), (status, status_loc)) = (variant?, status?);
        let descriptions = descriptions?;
        Some(ErrorDef {
            loc,
            variant,
            variant_loc,
            status,
            status_loc,
            error,
            descriptions,
            without_error,
            code_loc,
            prefix,
            causes: causes?,
            remedies: remedies?,
            retry,
            alert,
        })
    }

    /// The entry's code: `error = "..."` or `code = ...` (a string or an integer); an
    /// empty string counts as none.
    fn code(&mut self, t: &DeTable<'_>, what: &str) -> (Option<String>, Option<(bool, Loc)>) {
        if t.contains_key("error") && t.contains_key("code") {
            let at = t.get("code").map_or(0..0, |v| v.span());
            self.diags.push(
                self.loc(at)
                    .error(format!("{what} has both `error` and `code`: they are the same key, keep one")),
            );
        }
        let Some(v) = t.get("code").or_else(|| t.get("error")) else { return (None, None) };
        let loc = self.loc(v.span());
        match v.get_ref() {
            DeValue::String(s) if s.is_empty() => (None, None),
            DeValue::String(s) => (Some(s.to_string()), Some((false, loc))),
            DeValue::Integer(n) => match i64::from_str_radix(n.as_str(), n.radix()) {
                Ok(n) => (Some(n.to_string()), Some((true, loc))),
                Err(_) => {
                    self.diags.push(loc.error(format!("the code of {what} is out of range")));
                    (None, None)
                }
            },
            _ => {
                let key = if t.contains_key("code") { "code" } else { "error" };
                self.wrong_type(v, key, what, "a string or an integer");
                (None, None)
            }
        }
    }

    /// `description`: one template or an array of them (the forms of one meaning); none
    /// when the key is absent.
    fn descriptions(&mut self, t: &DeTable<'_>, what: &str) -> Option<Vec<(Template, Loc)>> {
        let Some(v) = t.get("description") else { return Some(Vec::new()) };
        let expected = "a template string or a non-empty array of them";
        let (forms, all) = self.strings(v, "description", what, (expected, expected))?;
        // Every form is parsed, so that the mistakes of all of them are reported.
        let templates: Vec<Option<(Template, Loc)>> =
            forms.into_iter().map(|(text, loc)| self.template(text, loc, what)).collect();
        templates.into_iter().collect::<Option<Vec<_>>>().filter(|_| all)
    }

    /// Parses a description template, reporting its mistakes at their place in the file.
    fn template(&mut self, text: &str, dloc: Loc, what: &str) -> Option<(Template, Loc)> {
        match Template::parse(text) {
            Ok(template) => Some((template, dloc)),
            Err(errors) => {
                for e in errors {
                    let span = template_span(self.text, &dloc, &e.span);
                    let mut d = Diagnostic::new(
                        self.file,
                        span,
                        format!("{} (in `description` of {what})", e.message),
                    );
                    d.help = e.help;
                    self.diags.push(d);
                }
                None
            }
        }
    }
}

/// Maps a byte range inside a template to the spec file: exact when the TOML string is
/// on one line and holds no escapes (what is between the quotes is the template), else
/// the whole string.
fn template_span(text: &str, dloc: &Loc, inner: &Range<usize>) -> Range<usize> {
    let raw = text.get(dloc.span.clone()).unwrap_or("");
    let single = (raw.starts_with('"') && !raw.starts_with("\"\"\"") && !raw.contains('\\'))
        || (raw.starts_with('\'') && !raw.starts_with("'''"));
    if single && inner.end + 2 <= raw.len() {
        dloc.span.start + 1 + inner.start..dloc.span.start + 1 + inner.end
    } else {
        dloc.span.clone()
    }
}
