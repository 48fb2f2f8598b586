//! The one reader of answer bodies, on serde: `from_response` and `classify` (through
//! `serde_json`) and the generated `Deserialize` read a body with the same visitor.
//!
//! The visitor is guided by the spec's [`Shape`]: it follows the paths of the code, the
//! message, the success conditions and the retry delay, keeps the values it finds there
//! — strings borrowed from the input when they hold no escapes, so a known error costs no
//! allocation — and skips everything else. `serde_json` checks the whole body as it goes
//! (syntax, UTF-8 of strings, a nesting limit of 128).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::shape::{MAX_PATHS, Shape, Step};

/// A value found at the end of a path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    /// A string.
    Str(Cow<'a, str>),
    /// An integer.
    Int(i128),
    /// A boolean.
    Bool(bool),
    /// Anything else: a float, `null`, an array or an object (present, but no scalar).
    Other,
}

/// What a body holds at the shape's paths, one slot per path in [`Shape::paths`] order,
/// and its top-level `status` when asked for (a body read on its own, by `Deserialize`).
#[derive(Debug, Default)]
pub(crate) struct Read<'a> {
    pub(crate) slots: [Option<Scalar<'a>>; MAX_PATHS],
    pub(crate) status: Option<u16>,
}

impl<'a> Read<'a> {
    /// Reads a response body into `self` (kept in place: it is a few hundred bytes);
    /// `false` when the body is not one JSON object.
    pub(crate) fn read_json(&mut self, shape: &Shape, body: &'a [u8]) -> bool {
        let mut reader = serde_json::Deserializer::from_slice(body);
        self.read(shape, &mut reader, false).is_ok() && reader.end().is_ok()
    }

    /// Reads a body from any deserializer into `self`; with `status`, its top-level
    /// `status` too.
    pub(crate) fn read<'de: 'a, D: Deserializer<'de>>(
        &mut self,
        shape: &Shape,
        deserializer: D,
        status: bool,
    ) -> Result<(), D::Error> {
        let mut paths: [&[Step]; MAX_PATHS] = [&[]; MAX_PATHS];
        for (slot, path) in paths.iter_mut().zip(shape.paths()) {
            *slot = path.0;
        }
        let all = (1u32 << shape.paths().count().min(MAX_PATHS)) - 1;
        let node = Node { paths: &paths, depth: 0, active: all, leaves: 0, out: self, status };
        deserializer.deserialize_map(NodeVisitor(node))
    }

    /// The value of slot `i`.
    pub(crate) fn slot(&self, i: usize) -> Option<&Scalar<'a>> {
        self.slots.get(i)?.as_ref()
    }
}

/// Reading one value of the body at `depth` along the paths in `active` (bit `i`: path
/// `i` goes on below this value) and `leaves` (path `i` ends at this value).
struct Node<'p, 'r, 'a> {
    paths: &'p [&'static [Step]; MAX_PATHS],
    depth: usize,
    active: u32,
    leaves: u32,
    out: &'r mut Read<'a>,
    /// Whether to keep a top-level `status` (only at depth 0).
    status: bool,
}

/// The indices of the set bits of `mask`, lowest first.
fn bits(mut mask: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let i = mask.trailing_zeros() as usize;
        mask &= mask.wrapping_sub(1);
        (i < 32).then_some(i)
    })
}

impl<'a> Node<'_, '_, 'a> {
    fn paths_here(&self, mask: u32) -> impl Iterator<Item = (usize, &'static [Step])> + '_ {
        bits(mask).filter_map(|i| Some((i, *self.paths.get(i)?)))
    }

    /// A scalar at the end of the paths in `leaves`; a repeated key keeps its last value.
    fn fill(&mut self, value: Scalar<'a>) {
        for i in bits(self.leaves) {
            if let Some(slot) = self.out.slots.get_mut(i) {
                *slot = Some(value.clone());
            }
        }
    }

    /// Which paths a key continues: (those it ends, those that go on below it).
    fn step(&self, key: &str) -> (u32, u32) {
        let (mut leaves, mut below) = (0, 0);
        for (i, path) in self.paths_here(self.active) {
            if matches!(path.get(self.depth), Some(Step::Key(k)) if *k == key) {
                if path.len() == self.depth + 1 {
                    leaves |= 1 << i;
                } else {
                    below |= 1 << i;
                }
            }
        }
        (leaves, below)
    }

    /// The node of a value below this one, on the paths in `active` and `leaves` (none:
    /// the value is read through and dropped, by recursion within serde_json's depth
    /// limit — `serde::de::IgnoredAny` would make serde_json allocate a stack for
    /// values nested two deep).
    fn child(&mut self, active: u32, leaves: u32) -> Node<'_, '_, 'a> {
        let (paths, depth) = (self.paths, self.depth + 1);
        Node { paths, depth, active, leaves, out: &mut *self.out, status: false }
    }

    /// What an object's key is here.
    fn key(&self, key: &str) -> Key {
        let (leaves, below) = self.step(key);
        if leaves | below == 0 && self.status && key == "status" {
            Key::Status
        } else {
            Key::Path { leaves, below }
        }
    }

    /// A key of an element of an array the paths in `selecting` select from: (the
    /// paths whose selector field it is, the paths that take its value).
    fn element_key(&self, selecting: u32, key: &str) -> (u32, u32) {
        let (mut selects, mut takes) = (0, 0);
        for (i, path) in self.paths_here(selecting) {
            if matches!(path.get(self.depth), Some(Step::Where { field, .. }) if *field == key) {
                selects |= 1 << i;
            }
            if matches!(path.get(self.depth + 1), Some(Step::Key(k)) if *k == key) {
                takes |= 1 << i;
            }
        }
        (selects, takes)
    }
}

struct NodeVisitor<'p, 'r, 'a>(Node<'p, 'r, 'a>);

impl<'a> NodeVisitor<'_, '_, 'a> {
    /// A scalar value: kept in the slots of the paths that end here.
    fn scalar<E>(mut self, value: Scalar<'a>) -> Result<(), E> {
        self.0.fill(value);
        Ok(())
    }
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for NodeVisitor<'_, '_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for NodeVisitor<'_, '_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<(), E> {
        self.scalar(Scalar::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        // A string that is not kept is not copied.
        if self.0.leaves == 0 {
            return Ok(());
        }
        self.scalar(Scalar::Str(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<(), E> {
        self.scalar(Scalar::Str(Cow::Owned(s)))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.scalar(Scalar::Int(n.into()))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.scalar(Scalar::Int(n.into()))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        self.scalar(Scalar::Bool(b))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar(Scalar::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar(Scalar::Other)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.0.fill(Scalar::Other);
        let node = &mut self.0;
        while let Some(key) = map.next_key_seed(KeyWith(|key: &str| node.key(key)))? {
            match key {
                Key::Status => {
                    let value = next_scalar(&mut map, node.paths)?;
                    node.out.status = match value {
                        Some(Scalar::Int(n)) => u16::try_from(n).ok(),
                        _ => None,
                    };
                }
                // A key on no path is walked through the same way, keeping nothing.
                Key::Path { leaves, below } => map.next_value_seed(NodeVisitor(node.child(below, leaves)))?,
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.0.fill(Scalar::Other);
        // The paths that select an element here: `[field$=value]`, then one key.
        let node = &mut self.0;
        let mut selecting = 0;
        for (i, path) in node.paths_here(node.active) {
            if matches!(path.get(node.depth), Some(Step::Where { .. })) {
                selecting |= 1 << i;
            }
        }
        if selecting == 0 {
            while seq.next_element_seed(NodeVisitor(node.child(0, 0)))?.is_some() {}
            return Ok(());
        }
        while seq.next_element_seed(Element { node: &mut *node, selecting })?.is_some() {}
        Ok(())
    }
}

/// The next value of `map` as a scalar (`Other` when it is none), whatever its type.
fn next_scalar<'de, A: MapAccess<'de>>(
    map: &mut A,
    paths: &[&'static [Step]; MAX_PATHS],
) -> Result<Option<Scalar<'de>>, A::Error> {
    let mut value = Read::default();
    let leaf = Node { paths, depth: 0, active: 0, leaves: 1, out: &mut value, status: false };
    map.next_value_seed(NodeVisitor(leaf))?;
    Ok(value.slots.into_iter().next().flatten())
}

/// A key of an object, told apart without keeping it.
enum Key {
    /// The top-level `status` of a body read on its own.
    Status,
    /// The paths it ends, and those that go on below it (none: on no path).
    Path { leaves: u32, below: u32 },
}

/// A map key, read as a string (which the deserializer checks) and handed to a
/// function that tells what it is, without keeping it.
struct KeyWith<F>(F);

impl<'de, T, F: FnOnce(&str) -> T> DeserializeSeed<'de> for KeyWith<F> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<T, F: FnOnce(&str) -> T> Visitor<'_> for KeyWith<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<T, E> {
        Ok((self.0)(key))
    }
}

/// One element of an array that paths select from: an object whose selector field
/// decides whether the key after it is taken. The first element that matches wins.
struct Element<'n, 'p, 'r, 'a> {
    node: &'n mut Node<'p, 'r, 'a>,
    selecting: u32,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for Element<'_, '_, '_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Element<'_, '_, '_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array element")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (node, selecting) = (self.node, self.selecting);
        let depth = node.depth;
        let mut found = Read::default();
        let mut selected = 0u32;
        while let Some((selects, takes)) =
            map.next_key_seed(KeyWith(|key: &str| node.element_key(selecting, key)))?
        {
            if selects | takes == 0 {
                map.next_value_seed(NodeVisitor(node.child(0, 0)))?;
                continue;
            }
            let value = next_scalar(&mut map, node.paths)?;
            for (i, path) in node.paths_here(selects) {
                if let (Some(Step::Where { value: want, ends_with, .. }), Some(Scalar::Str(got))) =
                    (path.get(depth), &value)
                    && (if *ends_with { got.ends_with(want) } else { got == want })
                {
                    selected |= 1 << i;
                }
            }
            for i in bits(takes) {
                if let Some(slot) = found.slots.get_mut(i) {
                    *slot = value.clone();
                }
            }
        }
        for i in bits(selected) {
            if let (Some(slot), Some(value)) = (node.out.slots.get_mut(i), found.slots.get_mut(i))
                && slot.is_none()
            {
                *slot = value.take();
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(NodeVisitor(self.node.child(0, 0)))?.is_some() {}
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::{CodeKind, Condition, Literal, Path, SuccessStatus};

    const EASEMOB: Shape = Shape::EASEMOB;

    fn read<'a>(shape: &Shape, body: &'a str) -> Option<Vec<Option<Scalar<'a>>>> {
        let n = shape.paths().count();
        let mut read = Read::default();
        read.read_json(shape, body.as_bytes()).then(|| read.slots.into_iter().take(n).collect())
    }

    fn s(text: &str) -> Option<Scalar<'_>> {
        Some(Scalar::Str(Cow::Borrowed(text)))
    }

    #[test]
    fn keeps_the_values_on_its_paths_and_borrows_them_when_it_can() {
        let got = read(&EASEMOB, r#"{"duration":0,"error_description":"x \"y\"","exception":{"a":[1,2.5e3,null]},"error":"reach_limit"}"#).unwrap();
        assert!(matches!(&got[0], Some(Scalar::Str(Cow::Borrowed("reach_limit")))), "{got:?}");
        assert!(matches!(&got[1], Some(Scalar::Str(Cow::Owned(d))) if d == "x \"y\""), "{got:?}");
        assert_eq!(
            read(&EASEMOB, r#"{"error":1,"error_description":[{"a":"b"}]}"#),
            Some(vec![Some(Scalar::Int(1)), Some(Scalar::Other)])
        );
        assert_eq!(
            read(&EASEMOB, r#"{"error":"a","error":"b"}"#),
            Some(vec![s("b"), None]),
            "the last one wins"
        );
    }

    #[test]
    fn follows_nested_paths_and_selects_array_elements() {
        static GOOGLE: Shape = Shape {
            code: &[
                Path(&[
                    Step::Key("error"),
                    Step::Key("details"),
                    Step::Where { field: "@type", value: "ErrorInfo", ends_with: true },
                    Step::Key("reason"),
                ]),
                Path(&[Step::Key("error"), Step::Key("status")]),
            ],
            code_kind: CodeKind::Text,
            code_default: None,
            message: &[Path(&[Step::Key("error"), Step::Key("message")])],
            success_status: SuccessStatus::TwoXx,
            conditions: &[Condition {
                path: Path(&[Step::Key("ok")]),
                equals: &[Literal::Bool(true)],
                absent: false,
            }],
            retry_delay: Some(Path(&[
                Step::Key("error"),
                Step::Key("details"),
                Step::Where { field: "@type", value: "RetryInfo", ends_with: true },
                Step::Key("retryDelay"),
            ])),
            should_retry_header: None,
        };
        let body = r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[
            {"reason":"WRONG","@type":"type.googleapis.com/google.rpc.Help"},
            {"reason":"RATE_LIMIT_EXCEEDED","@type":"type.googleapis.com/google.rpc.ErrorInfo","metadata":{"a":"b"}},
            {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"},
            {"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SECOND"}]},"ok":false}"#;
        let got = read(&GOOGLE, body).unwrap();
        assert_eq!(
            got,
            vec![
                s("RATE_LIMIT_EXCEEDED"),
                s("RESOURCE_EXHAUSTED"),
                s("Quota exceeded"),
                Some(Scalar::Bool(false)),
                s("30s")
            ]
        );
        let got = read(&GOOGLE, r#"{"error":{"details":"none","status":"NOT_FOUND"}}"#).unwrap();
        assert_eq!(got, vec![None, s("NOT_FOUND"), None, None, None]);
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
            assert_eq!(read(&EASEMOB, body), None, "{body:?}");
        }
    }

    #[test]
    fn deserialize_reads_the_status_too() {
        let value = serde_json::json!({"status": 429, "error": "reach_limit", "other": [1]});
        let mut read = Read::default();
        read.read(&EASEMOB, value, true).unwrap();
        assert_eq!((read.status, read.slot(0)), (Some(429), s("reach_limit").as_ref()));
    }

    #[test]
    fn a_status_that_is_no_number_is_read_through() {
        for status in ["[1,{\"a\":2}]", "\"429\"", "70000", "null"] {
            let body = format!(r#"{{"status":{status},"error":"reach_limit"}}"#);
            let mut read = Read::default();
            read.read(&EASEMOB, &mut serde_json::Deserializer::from_str(&body), true).unwrap();
            assert_eq!((read.status, read.slot(0)), (None, s("reach_limit").as_ref()), "{body}");
        }
    }
}
