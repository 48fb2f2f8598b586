//! A single-pass reader of error bodies: it validates the whole body exactly as
//! `serde_json` reads it into a `Value`, and returns borrowed `error` and
//! `error_description` strings, skipping everything else. No recursion, no allocation
//! unless a wanted string holds escapes.

use std::borrow::Cow;

/// serde_json's recursion limit lets 127 nested arrays/objects through, not 128.
const MAX_DEPTH: u32 = 127;

/// A top-level field of interest: its string value (escapes decoded), or `None` when it
/// is absent or not a string (null, a number...).
pub(crate) type Field<'a> = Option<Cow<'a, str>>;

/// What a body is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scan<'a> {
    /// A JSON object, with its `error` and `error_description` (last one wins, as in
    /// `serde_json::Value`).
    Object { error: Field<'a>, description: Field<'a> },
    /// Valid JSON, but not an object.
    OtherJson,
    /// Not valid JSON.
    Invalid,
}

type Res<T> = Result<T, ()>;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The index of the first byte at or after `from` that ends a run of plain string
/// content: `"`, `\` or a control character (or `bytes.len()`). Eight bytes at a time.
#[inline]
fn special(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        // A byte is zero in `x` iff `(x - 1) & !x` has its high bit set (for each lane
        // holding no borrow from a lower one, which only matters after a hit).
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        let hits = zero(quote) | zero(backslash) | control;
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// Reads a body.
pub(crate) fn scan(body: &[u8]) -> Scan<'_> {
    // One validation of the whole body: JSON text is UTF-8, and outside strings
    // only ASCII is valid, so this is exactly "every string is valid UTF-8".
    let Ok(text) = std::str::from_utf8(body) else {
        return Scan::Invalid;
    };
    let mut r = Reader { text, bytes: body, pos: 0 };
    r.ws();
    let result =
        if r.peek() == Some(b'{') { r.top_object() } else { r.skip_value(0).map(|()| Scan::OtherJson) };
    match result {
        Ok(scan) => {
            r.ws();
            if r.pos == r.bytes.len() { scan } else { Scan::Invalid }
        }
        Err(()) => Scan::Invalid,
    }
}

impl<'a> Reader<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    #[inline]
    fn eat(&mut self, b: u8) -> Res<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(())
        }
    }

    fn top_object(&mut self) -> Res<Scan<'a>> {
        self.eat(b'{')?;
        let mut error: Field<'a> = None;
        let mut description: Field<'a> = None;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Scan::Object { error, description });
        }
        loop {
            self.ws();
            let key = self.key_bytes()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            // Dispatch on the length first: most keys are neither, and are told so
            // without comparing bytes.
            match (key.len(), &*key) {
                (5, b"error") => error = self.field()?,
                (17, b"error_description") => description = self.field()?,
                _ => self.skip_value(1)?,
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Scan::Object { error, description });
                }
                _ => return Err(()),
            }
        }
    }

    /// A key's bytes: borrowed when it has no escapes (no UTF-8 boundary checks needed
    /// to compare it with ASCII names), decoded otherwise.
    fn key_bytes(&mut self) -> Res<Cow<'a, [u8]>> {
        let open = self.pos;
        self.eat(b'"')?;
        let start = self.pos;
        self.pos = special(self.bytes, start);
        if self.peek() == Some(b'"') {
            let key = self.bytes.get(start..self.pos).ok_or(())?;
            self.pos += 1;
            return Ok(Cow::Borrowed(key));
        }
        self.pos = open;
        Ok(Cow::Owned(self.string()?.into_owned().into_bytes()))
    }

    fn field(&mut self) -> Res<Field<'a>> {
        if self.peek() == Some(b'"') {
            Ok(Some(self.string()?))
        } else {
            self.skip_value(1)?;
            Ok(None)
        }
    }

    /// Reads a string at `"`, decoding escapes; borrowed when there are none.
    fn string(&mut self) -> Res<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.pos;
        self.pos = special(self.bytes, self.pos);
        match self.peek() {
            Some(b'"') => {
                let s = self.text.get(start..self.pos).ok_or(())?;
                self.pos += 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            _ => return Err(()),
        }
        let mut out = String::from(self.text.get(start..self.pos).ok_or(())?);
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(Some(&mut out))?;
                }
                Some(0x00..=0x1f) | None => return Err(()),
                Some(_) => {
                    let run_start = self.pos;
                    self.pos = special(self.bytes, self.pos);
                    out.push_str(self.text.get(run_start..self.pos).ok_or(())?);
                }
            }
        }
    }

    /// Skips a string at `"`, validating its escapes.
    fn skip_string(&mut self) -> Res<()> {
        self.eat(b'"')?;
        loop {
            self.pos = special(self.bytes, self.pos);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(None)?;
                }
                Some(0x00..=0x1f) | None => return Err(()),
                Some(_) => self.pos += 1,
            }
        }
    }

    /// An escape, after its `\`: as serde_json validates them for UTF-8 strings
    /// (surrogates must pair).
    fn escape(&mut self, out: Option<&mut String>) -> Res<()> {
        let b = self.peek().ok_or(())?;
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let n = self.hex4()?;
                match n {
                    0xDC00..=0xDFFF => return Err(()),
                    0xD800..=0xDBFF => {
                        self.eat(b'\\')?;
                        self.eat(b'u')?;
                        let n2 = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&n2) {
                            return Err(());
                        }
                        let cp = 0x1_0000 + ((u32::from(n) - 0xD800) << 10) + (u32::from(n2) - 0xDC00);
                        char::from_u32(cp).ok_or(())?
                    }
                    n => char::from_u32(u32::from(n)).ok_or(())?,
                }
            }
            _ => return Err(()),
        };
        if let Some(out) = out {
            out.push(c);
        }
        Ok(())
    }

    fn hex4(&mut self) -> Res<u16> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or(())?;
        let mut n: u16 = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(()),
            };
            n = (n << 4) | u16::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    fn literal(&mut self, word: &[u8]) -> Res<()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(())
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, and finite as an `f64`
    /// (serde_json rejects numbers out of `f64` range).
    fn number(&mut self) -> Res<()> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(()),
        }
        let int_digits = self.pos - int_start;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(());
            }
            self.digits();
        }
        let mut exponent = false;
        if let Some(b'e' | b'E') = self.peek() {
            exponent = true;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(());
            }
            self.digits();
        }
        // Below 309 integer digits and without an exponent, any number is a finite f64.
        if exponent || int_digits >= 309 {
            let text = self.text.get(start..self.pos).ok_or(())?;
            if !text.parse::<f64>().map_err(|_| ())?.is_finite() {
                return Err(());
            }
        }
        Ok(())
    }

    #[inline]
    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    /// Skips one value, without recursion. `depth` is how many containers are open
    /// around it.
    fn skip_value(&mut self, depth: u32) -> Res<()> {
        // One bit per container opened here: 1 for an object, 0 for an array.
        let mut kinds: u128 = 0;
        let mut open: u32 = 0;
        loop {
            // A value starts here.
            self.ws();
            match self.peek().ok_or(())? {
                b'{' | b'[' => {
                    let is_object = self.peek() == Some(b'{');
                    if depth + open + 1 > MAX_DEPTH {
                        return Err(());
                    }
                    self.pos += 1;
                    kinds = (kinds << 1) | u128::from(is_object);
                    open += 1;
                    self.ws();
                    let close = if is_object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        kinds >>= 1;
                        open -= 1;
                    } else {
                        if is_object {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b'"' => self.skip_string()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return Err(()),
            }
            // After a value: close containers, or move to the next element.
            loop {
                if open == 0 {
                    return Ok(());
                }
                self.ws();
                let in_object = kinds & 1 == 1;
                match (self.peek(), in_object) {
                    (Some(b','), _) => {
                        self.pos += 1;
                        if in_object {
                            self.ws();
                            self.key()?;
                        }
                        break;
                    }
                    (Some(b'}'), true) | (Some(b']'), false) => {
                        self.pos += 1;
                        kinds >>= 1;
                        open -= 1;
                    }
                    _ => return Err(()),
                }
            }
        }
    }

    /// An object key and its colon.
    fn key(&mut self) -> Res<()> {
        self.skip_string()?;
        self.ws();
        self.eat(b':')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(body: &str) -> (Option<String>, Option<String>) {
        match scan(body.as_bytes()) {
            Scan::Object { error, description } => {
                (error.map(Cow::into_owned), description.map(Cow::into_owned))
            }
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn reads_the_two_fields_in_any_order() {
        let (e, d) = fields(
            r#"{"duration":0,"error_description":"x \"y\" \u00e9\n","exception":{"a":[1,2.5e3,null,true]},"error":"reach_limit"}"#,
        );
        assert_eq!(e.as_deref(), Some("reach_limit"));
        assert_eq!(d.as_deref(), Some("x \"y\" é\n"));
        let (e, d) = fields(r#" { } "#);
        assert_eq!((e, d), (None, None));
        let (e, _) = fields(r#"{"error":"a","error":"b"}"#);
        assert_eq!(e.as_deref(), Some("b"), "last one wins, as in serde_json::Value");
        let (e, _) = fields(r#"{"error":"a","error":null}"#);
        assert_eq!(e, None);
        let (e, _) = fields(r#"{"err\u006fr":"escaped key"}"#);
        assert_eq!(e.as_deref(), Some("escaped key"));
        let (e, _) = fields(r#"{"error":"\ud83d\ude00"}"#);
        assert_eq!(e.as_deref(), Some("😀"));
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for bad in [
            "",
            "{",
            "{\"error\":}",
            "{\"error\":\"a\",}",
            "[1,]",
            "{\"a\":1}x",
            "{'a':1}",
            "01",
            "1.",
            "-",
            "1e",
            "+1",
            "{\"a\":tru}",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"a\nb\"",
            "1e400",
            "[1 2]",
            "{\"a\" 1}",
            "{1:2}",
            "\u{feff}{}",
            "nul",
        ] {
            assert!(serde_json::from_str::<serde_json::Value>(bad).is_err(), "serde_json accepts {bad:?}");
            assert_eq!(scan(bad.as_bytes()), Scan::Invalid, "{bad:?}");
        }
        assert_eq!(scan(b"{\"a\":\"\xff\"}"), Scan::Invalid);
    }

    #[test]
    fn accepts_what_serde_json_accepts() {
        for good in ["0", "-0.0e-5", "[]", "[[],{}]", "\"\"", "null", " true ", "1E+2", "[1e308]"] {
            assert!(serde_json::from_str::<serde_json::Value>(good).is_ok(), "{good:?}");
            assert_eq!(scan(good.as_bytes()), Scan::OtherJson, "{good:?}");
        }
    }

    #[test]
    fn nesting_limit_matches_serde_json() {
        for depth in [126usize, 127, 128, 129] {
            let body = format!("{{\"a\":{}1{}}}", "[".repeat(depth - 1), "]".repeat(depth - 1));
            let ours = matches!(scan(body.as_bytes()), Scan::Object { .. });
            let theirs = serde_json::from_str::<serde_json::Value>(&body).is_ok();
            assert_eq!(ours, theirs, "depth {depth}");
        }
        let deep = "[".repeat(200_000);
        assert_eq!(scan(deep.as_bytes()), Scan::Invalid);
    }
}
