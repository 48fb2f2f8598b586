//! Typed access to the keys of a TOML table, with a diagnostic for each key that is
//! unknown, missing or of the wrong type.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::Diagnostic;
use crate::spec::{BackoffDef, Loc};

/// A TOML value with its span.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// What a value is, for messages: `a string`, `an integer`, ...
pub(crate) fn describe(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Reading one file: where problems go, and which file they are in.
pub(crate) struct Cx<'a> {
    pub(crate) diags: &'a mut Vec<Diagnostic>,
    pub(crate) file: usize,
    pub(crate) text: &'a str,
    /// `[defaults]`: the numbers of a `backoff` that leaves some out.
    pub(crate) defaults: BackoffDef,
}

impl Cx<'_> {
    pub(crate) fn loc(&self, span: Range<usize>) -> Loc {
        Loc { file: self.file, span }
    }

    pub(crate) fn table<'t, 'i>(&mut self, v: &'t Value<'i>, what: &str) -> Option<&'t DeTable<'i>> {
        let table = v.get_ref().as_table();
        if table.is_none() {
            let found = describe(v.get_ref());
            self.diags.push(self.loc(v.span()).error(format!("{what} must be a table, found {found}")));
        }
        table
    }

    pub(crate) fn unknown_keys(&mut self, t: &DeTable<'_>, allowed: &[&str], what: &str) {
        for key in t.keys() {
            let name = key.get_ref().as_ref();
            if !allowed.contains(&name) {
                let expected = allowed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                let d = self
                    .loc(key.span())
                    .error(format!("unknown key `{name}` in {what} (expected one of {expected})"));
                self.diags.push(d.suggest(name, allowed.iter().copied()));
            }
        }
    }

    pub(crate) fn missing(&mut self, whole: Range<usize>, key: &str, what: &str, expected: &str) {
        let message = format!("missing required key `{key}` in {what} (expected {expected})");
        self.diags.push(self.loc(whole).error(message));
    }

    pub(crate) fn wrong_type(&mut self, v: &Value<'_>, key: &str, what: &str, expected: &str) {
        let found = describe(v.get_ref());
        let message = format!("wrong type for `{key}` in {what}: expected {expected}, found {found}");
        self.diags.push(self.loc(v.span()).error(message));
    }

    /// A value that is one string or a non-empty array of strings: each string, with
    /// where it is, and whether every item was one (each other item is reported as not
    /// being `item`). `None`, reported, when the value is neither.
    pub(crate) fn strings<'v>(
        &mut self,
        v: &'v Value<'_>,
        key: &str,
        what: &str,
        (whole, item): (&str, &str),
    ) -> Option<(Vec<(&'v str, Loc)>, bool)> {
        let items: Vec<&Value<'_>> = match v.get_ref() {
            DeValue::String(_) => vec![v],
            DeValue::Array(items) if !items.is_empty() => items.iter().collect(),
            _ => {
                self.wrong_type(v, key, what, whole);
                return None;
            }
        };
        let (mut strings, mut all) = (Vec::with_capacity(items.len()), true);
        for i in items {
            match i.get_ref().as_str() {
                Some(text) => strings.push((text, self.loc(i.span()))),
                None => {
                    self.wrong_type(i, key, what, item);
                    all = false;
                }
            }
        }
        Some((strings, all))
    }

    /// The value of `key`, if present, read by `read`; a value `read` refuses is
    /// reported as not being `expected`.
    fn optional<'t, 'i, T>(
        &mut self,
        t: &'t DeTable<'i>,
        key: &str,
        what: &str,
        expected: &str,
        read: impl FnOnce(&'t DeValue<'i>) -> Option<T>,
    ) -> Option<(T, Loc)> {
        let v = t.get(key)?;
        let value = read(v.get_ref());
        if value.is_none() {
            self.wrong_type(v, key, what, expected);
        }
        Some((value?, self.loc(v.span())))
    }

    pub(crate) fn optional_str(&mut self, t: &DeTable<'_>, key: &str, what: &str) -> Option<(String, Loc)> {
        self.optional(t, key, what, "a string", |v| v.as_str().map(str::to_owned))
    }

    pub(crate) fn required_str(
        &mut self,
        t: &DeTable<'_>,
        key: &str,
        what: &str,
        whole: Range<usize>,
    ) -> Option<(String, Loc)> {
        if !t.contains_key(key) {
            self.missing(whole, key, what, "a string");
        }
        self.optional_str(t, key, what)
    }

    pub(crate) fn optional_bool(&mut self, t: &DeTable<'_>, key: &str, what: &str) -> Option<bool> {
        self.optional(t, key, what, "a boolean (`true` or `false`)", DeValue::as_bool).map(|(b, _)| b)
    }

    pub(crate) fn optional_int(&mut self, t: &DeTable<'_>, key: &str, what: &str) -> Option<(i128, Loc)> {
        let (n, loc) = self.optional(t, key, what, "an integer", DeValue::as_integer)?;
        let n = i128::from_str_radix(n.as_str(), n.radix()).ok();
        if n.is_none() {
            self.diags.push(loc.error(format!("`{key}` in {what} is out of range")));
        }
        Some((n?, loc))
    }

    pub(crate) fn non_negative(&mut self, t: &DeTable<'_>, key: &str, what: &str) -> Option<u64> {
        let (n, loc) = self.optional_int(t, key, what)?;
        let n = u64::try_from(n).ok();
        if n.is_none() {
            self.diags.push(loc.error(format!("`{key}` in {what} must not be negative")));
        }
        n
    }
}
