//! Compares `easemob_errors_impl::toml` with the `toml` crate on one text: both accept
//! it with the same values, or both reject it. Shared by `tests/toml_conformance.rs`
//! and the `toml` fuzz target.

use std::collections::BTreeMap;

use easemob_errors_impl::toml as ours;
use toml::de::{DeTable, DeValue};

/// A value in a form both readers map to. Floats by bits (NaN signs aside), dates only
/// by kind (the `toml` crate normalizes their text).
#[derive(Debug, PartialEq)]
pub enum V {
    S(String),
    I(i64),
    F(u64),
    B(bool),
    D,
    A(Vec<V>),
    T(BTreeMap<String, V>),
}

fn float_bits(f: f64) -> u64 {
    if f.is_nan() { f64::NAN.to_bits() } else { f.to_bits() }
}

fn from_ours(v: &ours::Value) -> V {
    match v {
        ours::Value::String(s) => V::S(s.clone()),
        ours::Value::Integer(n) => V::I(*n),
        ours::Value::Float(f) => V::F(float_bits(*f)),
        ours::Value::Boolean(b) => V::B(*b),
        ours::Value::Datetime(_) => V::D,
        ours::Value::Array(items) => V::A(items.iter().map(|i| from_ours(i.get_ref())).collect()),
        ours::Value::Table(t) => {
            V::T(t.iter().map(|(k, v)| (k.get_ref().to_string(), from_ours(v.get_ref()))).collect())
        }
    }
}

/// `None` when the `toml` crate's lenient table holds an integer outside 64 bits (its
/// full deserializer rejects those).
fn from_theirs(v: &DeValue<'_>) -> Option<V> {
    Some(match v {
        DeValue::String(s) => V::S(s.to_string()),
        DeValue::Integer(i) => {
            V::I(i64::try_from(i128::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()?).ok()?)
        }
        DeValue::Float(f) => {
            let text = f.as_str().replace('_', "");
            let unsigned = text.trim_start_matches(['+', '-']);
            let x = match unsigned {
                "inf" if text.starts_with('-') => f64::NEG_INFINITY,
                "inf" => f64::INFINITY,
                "nan" => f64::NAN,
                _ => text.parse().ok()?,
            };
            V::F(float_bits(x))
        }
        DeValue::Boolean(b) => V::B(*b),
        DeValue::Datetime(_) => V::D,
        DeValue::Array(items) => V::A(items.iter().map(|i| from_theirs(i.get_ref())).collect::<Option<_>>()?),
        DeValue::Table(t) => V::T(
            t.iter()
                .map(|(k, v)| Some((k.get_ref().to_string(), from_theirs(v.get_ref())?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// What each reader made of `text`: the document, or `None` for a rejection (with the
/// reason, for the failure message).
pub fn both(text: &str) -> (Result<V, String>, Result<V, String>) {
    let ours = ours::parse(text)
        .map(|t| {
            V::T(t.get_ref().iter().map(|(k, v)| (k.get_ref().to_string(), from_ours(v.get_ref()))).collect())
        })
        .map_err(|e| format!("{} at {:?}", e.message(), e.span()));
    let theirs = match DeTable::parse(text) {
        Ok(t) => t
            .get_ref()
            .iter()
            .map(|(k, v)| Some((k.get_ref().to_string(), from_theirs(v.get_ref())?)))
            .collect::<Option<BTreeMap<_, _>>>()
            .map(V::T)
            .ok_or_else(|| "integer out of range".to_owned()),
        Err(e) => Err(e.message().to_owned()),
    };
    (ours, theirs)
}

/// Panics with both readings when they disagree, or when a string our reader calls
/// verbatim is not (see [`assert_verbatim_holds`]).
pub fn assert_agree(text: &str) {
    if let Ok(doc) = ours::parse(text) {
        for (_, v) in doc.get_ref().iter() {
            assert_verbatim_holds(text, v);
        }
    }
    match both(text) {
        (Ok(a), Ok(b)) => assert!(a == b, "different values for {text:?}:\nours   {a:?}\ntheirs {b:?}"),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("readers disagree on {text:?}:\nours   {a:?}\ntheirs {b:?}"),
    }
}

/// Every string our reader calls verbatim, in `v` and below, is written between `"`s
/// exactly as its value, and its value holds nothing a Rust string literal must or
/// should escape (what the expansion then copies without escaping).
pub fn assert_verbatim_holds(text: &str, v: &ours::Spanned<ours::Value>) {
    match v.get_ref() {
        ours::Value::String(s) if v.is_verbatim() => {
            let written = text.get(v.span());
            assert_eq!(
                written,
                Some(format!("\"{s}\"").as_str()),
                "verbatim string not as written in {text:?}"
            );
            let plain = |c: char| {
                !(c == '"'
                    || c == '\\'
                    || c.is_control()
                    || ('\u{80}'..='\u{bf}').contains(&c)
                    || ('\u{2000}'..='\u{2fff}').contains(&c))
            };
            assert!(s.chars().all(plain), "verbatim string {s:?} holds a character to escape");
        }
        ours::Value::Array(items) => items.iter().for_each(|i| assert_verbatim_holds(text, i)),
        ours::Value::Table(t) => t.iter().for_each(|(_, i)| assert_verbatim_holds(text, i)),
        _ => {}
    }
}
