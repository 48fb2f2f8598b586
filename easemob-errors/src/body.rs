//! The one reader of error bodies, on serde: `from_response` (through `serde_json`) and
//! the generated `Deserialize` impl read a body with the same visitor.
//!
//! It keeps the body's `error` and `error_description` when they are strings — borrowed
//! from the input when they hold no escapes, so a known error costs no allocation — and
//! skips every other field. `serde_json` checks the whole body as it goes (syntax, UTF-8
//! of strings, a nesting limit of 128).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// The fields of an error body that classification reads.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ErrorBody<'a> {
    /// `error`, when it is a string.
    pub(crate) error: Option<Cow<'a, str>>,
    /// `error_description`, when it is a string.
    pub(crate) description: Option<Cow<'a, str>>,
    /// `status`, read only where the body stands alone (`Deserialize`), since an HTTP
    /// answer carries its status outside the body.
    pub(crate) status: Option<u16>,
}

impl<'a> ErrorBody<'a> {
    /// Reads a response body; `None` when it is not a JSON object.
    pub(crate) fn from_json(body: &'a [u8]) -> Option<Self> {
        let mut reader = serde_json::Deserializer::from_slice(body);
        let parsed = reader.deserialize_map(BodyVisitor { read_status: false }).ok()?;
        reader.end().ok()?;
        Some(parsed)
    }

    /// Reads a body from any deserializer, with its optional `status`.
    pub(crate) fn deserialize<'de: 'a, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(BodyVisitor { read_status: true })
    }

    /// The body as JSON again, for the raw body of a value read through `Deserialize`.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        let mut map = serde_json::Map::new();
        if let Some(status) = self.status {
            map.insert("status".into(), status.into());
        }
        if let Some(error) = &self.error {
            map.insert("error".into(), error.as_ref().into());
        }
        if let Some(description) = &self.description {
            map.insert("error_description".into(), description.as_ref().into());
        }
        serde_json::to_vec(&map).unwrap_or_default()
    }
}

struct BodyVisitor {
    read_status: bool,
}

impl<'de> Visitor<'de> for BodyVisitor {
    type Value = ErrorBody<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an error body object with `error` and `error_description`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut body = ErrorBody::default();
        // A repeated key keeps its last value, as `serde_json::Value` does.
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Error => body.error = map.next_value::<Text<'de>>()?.0,
                Key::Description => body.description = map.next_value::<Text<'de>>()?.0,
                Key::Status if self.read_status => body.status = map.next_value()?,
                Key::Status | Key::Other => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(body)
    }
}

/// A top-level key, told apart without keeping it. (Not read as bytes, which would be
/// cheaper: `serde_json` then hands keys over unchecked, and a body whose key holds a
/// raw control character — not JSON — would be read.)
enum Key {
    Error,
    Description,
    Status,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "error" => Key::Error,
                    "error_description" => Key::Description,
                    "status" => Key::Status,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// A field's value when it is a string (borrowed where the input allows), `None` when it
/// is any other JSON value (which is still read through, and checked).
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(s))))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(s.to_owned()))))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(s))))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Text(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        de::Deserialize::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        SkipVisitor.visit_seq(seq).map(|_| Text(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        SkipVisitor.visit_map(map).map(|_| Text(None))
    }
}

/// Any value, read through and dropped. Unlike `serde::de::IgnoredAny` it goes through
/// `deserialize_any`: `serde_json` skips an `IgnoredAny` with a heap-allocated stack of
/// the containers it is in, and an error body with a nested `extra` field would then
/// cost an allocation (this walks them by recursion, within serde_json's depth limit).
struct Skip;

impl<'de> de::Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_none<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Skip, D::Error> {
        de::Deserialize::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Fields<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);

    fn read(body: &str) -> Option<Fields<'_>> {
        ErrorBody::from_json(body.as_bytes()).map(|b| (b.error, b.description))
    }

    #[test]
    fn keeps_the_two_strings_and_borrows_them_when_it_can() {
        let (e, d) = read(r#"{"duration":0,"error_description":"x \"y\"","exception":{"a":[1,2.5e3,null]},"error":"reach_limit"}"#).unwrap();
        assert!(matches!(e, Some(Cow::Borrowed("reach_limit"))), "{e:?}");
        assert!(matches!(d.as_deref(), Some("x \"y\"")) && matches!(d, Some(Cow::Owned(_))));
        assert_eq!(read(r#"{"error":1,"error_description":[{"a":"b"}]}"#), Some((None, None)));
        assert_eq!(read(r#"{"error":"a","error":"b"}"#), Some((Some("b".into()), None)), "the last one wins");
        assert_eq!(read(r#"{"error":"a","status":"not a number"}"#), Some((Some("a".into()), None)));
    }

    #[test]
    fn anything_but_a_whole_object_is_none() {
        for body in [
            "",
            "[]",
            "\"text\"",
            "null",
            "{",
            r#"{"error":"a"} trailing"#,
            r#"{"error":"\ud800"}"#,
            "{\"err\u{14}or\":\"a\"}",
        ] {
            assert_eq!(read(body), None, "{body:?}");
        }
    }

    #[test]
    fn deserialize_reads_the_status_and_writes_back_what_it_read() {
        let value = serde_json::json!({"status": 429, "error": "reach_limit", "other": [1]});
        let body = ErrorBody::deserialize(value).unwrap();
        assert_eq!(body.status, Some(429));
        assert_eq!(body.to_json(), br#"{"error":"reach_limit","status":429}"#);
        assert!(ErrorBody::deserialize(serde_json::json!({"status": "x"})).is_err());
    }
}
