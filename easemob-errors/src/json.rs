//! A single-pass reader of error bodies: it validates the whole body exactly as
//! `serde_json` reads it into a `Value`, and returns borrowed `error` and
//! `error_description` strings, skipping everything else. No recursion, no allocation
//! unless a wanted string holds escapes.

use std::borrow::Cow;

/// serde_json's recursion limit lets 127 nested arrays/objects through, not 128.
const MAX_DEPTH: u32 = 127;

/// A top-level field of interest: its string value (escapes decoded; checked UTF-8), or
/// `None` when it is absent or not a string (null, a number...).
pub(crate) type Field<'a> = Option<Cow<'a, [u8]>>;

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

/// What a top-level key names.
#[derive(Clone, Copy)]
enum Key {
    /// `error`.
    Error,
    /// `error_description`.
    Description,
    /// Anything else.
    Other,
}

/// A one in every byte lane.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte lane.
pub(crate) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `at` as a little-endian word, if there are eight.
#[inline(always)]
pub(crate) fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk = bytes.get(at..at + 8)?;
    let mut word = [0u8; 8];
    word.copy_from_slice(chunk);
    Some(u64::from_le_bytes(word))
}

/// The index of the first byte at or after `from` that ends a run of plain string
/// content: `"`, `\\` or a control character, and with `STOP_HIGH` also a non-ASCII
/// byte (or `bytes.len()`). Eight bytes at a time.
#[inline]
fn special<const STOP_HIGH: bool>(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(w) = word_at(bytes, i) {
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        // A byte is zero in `x` iff `(x - 1) & !x` has its high bit set (for each lane
        // holding no borrow from a lower one, which only matters after a hit).
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        let high = if STOP_HIGH { w & HIGHS } else { 0 };
        let hits = zero(quote) | zero(backslash) | control | high;
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 || (STOP_HIGH && b >= 0x80) {
            break;
        }
        i += 1;
    }
    i
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Reads a body.
pub(crate) fn scan(body: &[u8]) -> Scan<'_> {
    // JSON text is UTF-8. Outside strings only ASCII is valid, which the structure's
    // byte-by-byte reading ensures; inside strings, the runs of non-ASCII bytes (found
    // by the same eight-bytes-at-a-time scan) are checked. So a body is read once.
    let mut r = Reader { bytes: body, pos: 0 };
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
            let key = match self.known_key() {
                Some((key, len)) => {
                    self.pos += len;
                    key
                }
                None => {
                    let key = self.key_bytes()?;
                    self.ws();
                    self.eat(b':')?;
                    // Dispatch on the length first: most keys are neither, and are told
                    // so without comparing bytes.
                    match (key.len(), &*key) {
                        (5, b"error") => Key::Error,
                        (17, b"error_description") => Key::Description,
                        _ => Key::Other,
                    }
                }
            };
            self.ws();
            match key {
                Key::Error => error = self.field()?,
                Key::Description => description = self.field()?,
                // Other fields: scalars directly, containers by the general loop.
                Key::Other => match self.peek() {
                    Some(b'"') => self.skip_string()?,
                    Some(b'-' | b'0'..=b'9') => self.number()?,
                    _ => self.skip_value(1)?,
                },
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

    /// The key at `"` when it is one of the keys of Easemob's error bodies written as
    /// the server writes them (`"error":`, with its colon and no space): which it is,
    /// and its length through the colon. One or two word compares, where reading a key
    /// scans it for escapes and compares it by length and bytes. Any other key, or
    /// spacing, is left to [`Self::key_bytes`].
    #[inline]
    fn known_key(&self) -> Option<(Key, usize)> {
        const fn word(s: &[u8; 8]) -> u64 {
            u64::from_le_bytes(*s)
        }
        const ERROR: u64 = word(b"\"error\":");
        const ERROR_D: u64 = word(b"\"error_d");
        const EXCEPTI: u64 = word(b"\"excepti");
        const TIMESTA: u64 = word(b"\"timesta");
        const DURATIO: u64 = word(b"\"duratio");
        let head = self.bytes.get(self.pos..self.pos + 8)?;
        let head = u64::from_le_bytes(<[u8; 8]>::try_from(head).ok()?);
        // The bytes after the first eight, through the colon.
        let rest = |tail: &[u8], key: Key| {
            let at = self.pos + 8;
            (self.bytes.get(at..at + tail.len()) == Some(tail)).then_some((key, 8 + tail.len()))
        };
        match head {
            ERROR => Some((Key::Error, 8)),
            ERROR_D => rest(b"escription\":", Key::Description),
            EXCEPTI => rest(b"on\":", Key::Other),
            TIMESTA => rest(b"mp\":", Key::Other),
            DURATIO => rest(b"n\":", Key::Other),
            _ => None,
        }
    }

    /// A key's bytes: borrowed when it has no escapes (no UTF-8 boundary checks needed
    /// to compare it with ASCII names), decoded otherwise.
    fn key_bytes(&mut self) -> Res<Cow<'a, [u8]>> {
        let open = self.pos;
        self.eat(b'"')?;
        let start = self.pos;
        self.pos = special::<true>(self.bytes, start);
        if self.peek() == Some(b'"') {
            let key = self.bytes.get(start..self.pos).ok_or(())?;
            self.pos += 1;
            return Ok(Cow::Borrowed(key));
        }
        self.pos = open;
        self.string()
    }

    /// At a non-ASCII byte inside a string: the run up to the next `"`, `\\` or control
    /// byte (none of which occurs inside a UTF-8 sequence) must be UTF-8.
    fn utf8_run(&mut self) -> Res<()> {
        let end = special::<false>(self.bytes, self.pos);
        std::str::from_utf8(self.bytes.get(self.pos..end).ok_or(())?).map_err(|_| ())?;
        self.pos = end;
        Ok(())
    }

    fn field(&mut self) -> Res<Field<'a>> {
        if self.peek() == Some(b'"') {
            Ok(Some(self.string()?))
        } else {
            self.skip_value(1)?;
            Ok(None)
        }
    }

    /// Reads a string at `"`, decoding escapes and checking it is UTF-8; borrowed when
    /// it has no escapes.
    fn string(&mut self) -> Res<Cow<'a, [u8]>> {
        self.eat(b'"')?;
        let start = self.pos;
        loop {
            self.pos = special::<true>(self.bytes, self.pos);
            match self.peek() {
                Some(b'"') => {
                    let s = self.bytes.get(start..self.pos).ok_or(())?;
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(0x80..=0xff) => self.utf8_run()?,
                _ => return Err(()),
            }
        }
        // Room for the rest too, in the usual case of a few escapes in a short text.
        let first = self.bytes.get(start..self.pos).ok_or(())?;
        let mut out = Vec::with_capacity(2 * first.len() + 32);
        out.extend_from_slice(first);
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
                Some(b) => {
                    let run_start = self.pos;
                    if b >= 0x80 {
                        self.utf8_run()?;
                    } else {
                        self.pos = special::<true>(self.bytes, self.pos);
                    }
                    out.extend_from_slice(self.bytes.get(run_start..self.pos).ok_or(())?);
                }
            }
        }
    }

    /// Skips a string at `"`, validating its escapes and its UTF-8.
    fn skip_string(&mut self) -> Res<()> {
        self.eat(b'"')?;
        loop {
            self.pos = special::<true>(self.bytes, self.pos);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(None)?;
                }
                Some(0x80..=0xff) => self.utf8_run()?,
                _ => return Err(()),
            }
        }
    }

    /// An escape, after its `\`: as serde_json validates them for UTF-8 strings
    /// (surrogates must pair).
    fn escape(&mut self, out: Option<&mut Vec<u8>>) -> Res<()> {
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
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
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

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, and in range as serde_json
    /// computes it (it rejects numbers that overflow an `f64`).
    fn number(&mut self) -> Res<()> {
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
        let int_end = self.pos;
        // Most numbers are plain integers (timestamps, counts): exact up to 19 digits,
        // nothing more to check.
        if int_digits <= 19 && !matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Ok(());
        }
        let mut frac = None;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let frac_start = self.pos;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(());
            }
            self.digits();
            frac = Some(frac_start..self.pos);
        }
        let mut exponent = None;
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            let positive = match self.peek() {
                Some(b'+') => {
                    self.pos += 1;
                    true
                }
                Some(b'-') => {
                    self.pos += 1;
                    false
                }
                _ => true,
            };
            let exp_start = self.pos;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(());
            }
            self.digits();
            exponent = Some((positive, exp_start..self.pos));
        }
        // Integers of up to 19 digits are exact; anything else goes through serde_json's
        // own float arithmetic, which rejects what overflows.
        if frac.is_some() || exponent.is_some() || int_digits > 19 {
            let int = self.bytes.get(int_start..int_end).ok_or(())?;
            let frac = match frac {
                Some(r) => Some(self.bytes.get(r).ok_or(())?),
                None => None,
            };
            let exponent = match exponent {
                Some((positive, r)) => Some((positive, self.bytes.get(r).ok_or(())?)),
                None => None,
            };
            if !finite_as_serde_json(int, frac, exponent) {
                return Err(());
            }
        }
        Ok(())
    }

    /// Skips ASCII digits, eight at a time.
    #[inline]
    fn digits(&mut self) {
        while let Some(w) = word_at(self.bytes, self.pos) {
            // A lane is a digit iff neither `b - 0x30` nor `b + 0x46` sets its high bit;
            // neither borrows nor carries out of a digit lane, so the lowest lane
            // flagged is the first byte that is not a digit.
            let not_digit = (w.wrapping_sub(ONES * 0x30) | w.wrapping_add(ONES * 0x46)) & HIGHS;
            if not_digit != 0 {
                self.pos += (not_digit.trailing_zeros() / 8) as usize;
                return;
            }
            self.pos += 8;
        }
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

/// Whether serde_json (default features, no `float_roundtrip`) reads a number with these
/// integer digits, fraction digits and exponent as finite: its `parse_integer`,
/// `parse_long_integer`, `parse_decimal(_overflow)`, `parse_exponent(_overflow)` and
/// `f64_from_parts`, step for step, so that both reject the same bodies.
fn finite_as_serde_json(int: &[u8], frac: Option<&[u8]>, exponent: Option<(bool, &[u8])>) -> bool {
    let overflows = |a: u64, b: u64| a >= u64::MAX / 10 && (a > u64::MAX / 10 || b > u64::MAX % 10);
    let digit = |c: u8| u64::from(c.wrapping_sub(b'0'));
    let mut significand: u64 = 0;
    let mut e10: i32 = 0;
    let mut long = false;
    for &c in int {
        // Past u64, further integer digits only scale the exponent.
        if long || overflows(significand, digit(c)) {
            long = true;
            e10 = e10.saturating_add(1);
        } else {
            significand = significand * 10 + digit(c);
        }
    }
    for &c in frac.unwrap_or_default() {
        // Past u64, further fraction digits are ignored.
        if overflows(significand, digit(c)) {
            break;
        }
        significand = significand * 10 + digit(c);
        e10 = e10.saturating_sub(1);
    }
    if let Some((positive, digits)) = exponent {
        let mut x: i32 = 0;
        for &c in digits {
            let d = i32::from(c.wrapping_sub(b'0'));
            if x >= i32::MAX / 10 && (x > i32::MAX / 10 || d > i32::MAX % 10) {
                // An exponent past i32: zero, or out of range.
                return significand == 0 || !positive;
            }
            x = x * 10 + d;
        }
        e10 = if positive { e10.saturating_add(x) } else { e10.saturating_sub(x) };
    }
    #[allow(clippy::cast_precision_loss)]
    let mut f = significand as f64;
    loop {
        match POW10.get(e10.unsigned_abs() as usize) {
            Some(&pow) => {
                if e10 >= 0 {
                    f *= pow;
                    return f.is_finite();
                }
                return true;
            }
            None => {
                if f == 0.0 {
                    return true;
                }
                if e10 >= 0 {
                    return false;
                }
                f /= 1e308;
                e10 += 308;
            }
        }
    }
}

/// Powers of ten as serde_json tabulates them (`1e0` to `1e308`).
static POW10: [f64; 309] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35,
    1e36, 1e37, 1e38, 1e39, 1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46, 1e47, 1e48, 1e49, 1e50, 1e51, 1e52,
    1e53, 1e54, 1e55, 1e56, 1e57, 1e58, 1e59, 1e60, 1e61, 1e62, 1e63, 1e64, 1e65, 1e66, 1e67, 1e68, 1e69,
    1e70, 1e71, 1e72, 1e73, 1e74, 1e75, 1e76, 1e77, 1e78, 1e79, 1e80, 1e81, 1e82, 1e83, 1e84, 1e85, 1e86,
    1e87, 1e88, 1e89, 1e90, 1e91, 1e92, 1e93, 1e94, 1e95, 1e96, 1e97, 1e98, 1e99, 1e100, 1e101, 1e102, 1e103,
    1e104, 1e105, 1e106, 1e107, 1e108, 1e109, 1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118,
    1e119, 1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129, 1e130, 1e131, 1e132, 1e133,
    1e134, 1e135, 1e136, 1e137, 1e138, 1e139, 1e140, 1e141, 1e142, 1e143, 1e144, 1e145, 1e146, 1e147, 1e148,
    1e149, 1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162, 1e163,
    1e164, 1e165, 1e166, 1e167, 1e168, 1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178,
    1e179, 1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189, 1e190, 1e191, 1e192, 1e193,
    1e194, 1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201, 1e202, 1e203, 1e204, 1e205, 1e206, 1e207, 1e208,
    1e209, 1e210, 1e211, 1e212, 1e213, 1e214, 1e215, 1e216, 1e217, 1e218, 1e219, 1e220, 1e221, 1e222, 1e223,
    1e224, 1e225, 1e226, 1e227, 1e228, 1e229, 1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238,
    1e239, 1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, 1e250, 1e251, 1e252, 1e253,
    1e254, 1e255, 1e256, 1e257, 1e258, 1e259, 1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268,
    1e269, 1e270, 1e271, 1e272, 1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279, 1e280, 1e281, 1e282, 1e283,
    1e284, 1e285, 1e286, 1e287, 1e288, 1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298,
    1e299, 1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(body: &str) -> (Option<String>, Option<String>) {
        let text = |f: Cow<'_, [u8]>| String::from_utf8(f.into_owned()).unwrap();
        match scan(body.as_bytes()) {
            Scan::Object { error, description } => (error.map(text), description.map(text)),
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

    /// What serde_json reads from a body: `None` if it is not valid JSON, else the two
    /// fields when it is an object (absent or not a string: `None`).
    type Read = Option<Option<(Option<String>, Option<String>)>>;

    fn ours(body: &str) -> Read {
        let text = |f: Cow<'_, [u8]>| String::from_utf8(f.into_owned()).unwrap();
        match scan(body.as_bytes()) {
            Scan::Object { error, description } => Some(Some((error.map(text), description.map(text)))),
            Scan::OtherJson => Some(None),
            Scan::Invalid => None,
        }
    }

    fn theirs(body: &str) -> Read {
        let value: serde_json::Value = serde_json::from_str(body).ok()?;
        let field = |o: &serde_json::Map<String, serde_json::Value>, k: &str| {
            o.get(k).and_then(serde_json::Value::as_str).map(str::to_owned)
        };
        Some(value.as_object().map(|o| (field(o, "error"), field(o, "error_description"))))
    }

    #[test]
    fn server_keys_read_like_any_other_key() {
        // The server's five keys are recognized by word compares (`known_key`); keys
        // that differ from them anywhere, or are spaced or escaped, take the general
        // path. Either way, what is read must be what serde_json reads.
        let server = ["error", "error_description", "exception", "timestamp", "duration"];
        let mut keys: Vec<String> = Vec::new();
        for k in server {
            keys.push(format!("\"{k}\":"));
            keys.push(format!("\"{k}\" :"));
            keys.push(format!("\"{k}\"\t:"));
            for i in 0..=k.len() {
                let (a, b) = k.split_at(i);
                keys.push(format!("\"{a}\":"));
                keys.push(format!("\"{a}x{b}\":"));
                keys.push(format!(
                    "\"{a}\\u00{:02x}{}\":",
                    b.bytes().next().unwrap_or(b'_'),
                    b.get(1..).unwrap_or("")
                ));
                if let Some(rest) = b.get(1..) {
                    keys.push(format!("\"{a}{rest}\":"));
                    keys.push(format!("\"{a}Z{rest}\":"));
                }
            }
        }
        let values = ["\"v\"", "12", "null", "{\"error\":\"inner\"}", "\"a\\nb\""];
        let mut checked = 0;
        for key in &keys {
            for value in values {
                for body in [
                    format!("{{{key}{value}}}"),
                    format!("{{\"error\":\"e\",{key}{value},\"error_description\":\"d\"}}"),
                    format!("{{\"error_description\":\"d\",\"error\":\"e\",{key}{value}}}"),
                    format!("{{{key}{value}, \"error\":\"e\"}}"),
                ] {
                    assert_eq!(ours(&body), theirs(&body), "{body}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 1_000);
        // A body in the server's shape, cut at every length (the word compares must not
        // read past the end), and with each byte replaced by one that breaks it.
        let full = r#"{"error":"reach_limit","exception":"org.apache.usergrid.rest.exceptions.SomeException","timestamp":1542350000000,"duration":0,"error_description":"This request has reached api limit"}"#;
        assert_eq!(
            ours(full),
            Some(Some((Some("reach_limit".into()), Some("This request has reached api limit".into()))))
        );
        for end in 0..full.len() {
            let cut = &full[..end];
            assert_eq!(ours(cut), theirs(cut), "{cut}");
            for b in ["\"", ":", " ", "x", "\\"] {
                let edited = format!("{cut}{b}{}", &full[end + 1..]);
                assert_eq!(ours(&edited), theirs(&edited), "{edited}");
            }
        }
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
        for bad in [
            &b"{\"a\":\"\xff\"}"[..],
            b"{\"error\":\"\xc3\"}",
            b"{\"error\":\"a\\n\xe4\xb8\"}",
            b"{\"\xc3\x28\":1}",
            b"{\"error_description\":\"\xed\xa0\x80\"}",
            b"[\"\xf4\x90\x80\x80\"]",
            b"{\"a\":1}\xc3\xa9",
            b"\xef\xbb\xbf{}",
        ] {
            assert!(serde_json::from_slice::<serde_json::Value>(bad).is_err(), "{bad:?}");
            assert_eq!(scan(bad), Scan::Invalid, "{bad:?}");
        }
        let good = r#"{"k\u00e9":"中文","error":"é\nü","error_description":"😀"}"#;
        assert!(serde_json::from_str::<serde_json::Value>(good).is_ok());
        assert_eq!(fields(good), (Some("é\nü".into()), Some("😀".into())));
    }

    #[test]
    fn accepts_what_serde_json_accepts() {
        for good in [
            "0",
            "-0.0e-5",
            "[]",
            "[[],{}]",
            "\"\"",
            "null",
            " true ",
            "1E+2",
            "[1e308]",
            "1.7976931348623157e308",
            "0e99999999999",
            "1e-99999999999",
            "123456789012345678901234567890",
            "-9223372036854775809",
            "1.5e-400",
        ] {
            assert!(serde_json::from_str::<serde_json::Value>(good).is_ok(), "{good:?}");
            assert_eq!(scan(good.as_bytes()), Scan::OtherJson, "{good:?}");
        }
    }

    #[test]
    fn number_range_matches_serde_json() {
        // Numbers around the edges of f64 and u64, built from a fixed pseudo-random walk.
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..20_000 {
            let int_len = 1 + next(24) as usize;
            let mut text: String = (0..int_len)
                .map(|i| char::from(b'0' + if i == 0 { 1 + next(9) } else { next(10) } as u8))
                .collect();
            if next(2) == 0 {
                text.push('.');
                (0..1 + next(24)).for_each(|_| text.push(char::from(b'0' + next(10) as u8)));
            }
            if next(3) > 0 {
                text.push_str(&format!("e{}{}", ["", "+", "-"][next(3) as usize], 280 + next(60)));
            }
            let ours = scan(text.as_bytes()) == Scan::OtherJson;
            let theirs = serde_json::from_str::<serde_json::Value>(&text).is_ok();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn digit_runs_end_where_serde_json_ends_them() {
        // Runs read eight digits at a time: every length around the word size, then
        // each byte that may follow, including the ones next to '0' and '9'.
        for len in 1..=40 {
            let digits: String = (0..len).map(|i| char::from(b'1' + (i % 9) as u8)).collect();
            for next in [",", "}", " ", ".5", "e5", "E-5", "/", ":", "0", "a", "\u{80}", "\u{7f}"] {
                let bodies = [
                    format!("{{\"n\":{digits}{next}}}"),
                    format!("[-{digits}{next}]"),
                    format!("{digits}{next}"),
                ];
                for body in bodies {
                    let ours = scan(body.as_bytes()) != Scan::Invalid;
                    let theirs = serde_json::from_str::<serde_json::Value>(&body).is_ok();
                    assert_eq!(ours, theirs, "{body:?}");
                }
            }
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
