//! Finding the next interesting byte eight bytes at a time. The macro runs unoptimized
//! (the dev profile) and a byte-by-byte loop costs tens of instructions per byte there;
//! the spec's strings and the generated literals are scanned with this instead.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Lanes of `x` that are zero, as their high bits: exact for the lowest one (a lane
/// above a zero one may show a false hit).
#[inline(always)]
fn zero_lanes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The index of the first byte at or after `from` that is `a`, `b`, a control byte
/// (below 0x20, or 0x7f) or, with `non_ascii`, a byte from 0x80 up; `bytes.len()` if
/// there is none.
pub fn until(bytes: &[u8], from: usize, a: u8, b: u8, non_ascii: bool) -> usize {
    let (pa, pb, pdel) = (ONES * u64::from(a), ONES * u64::from(b), ONES * 0x7f);
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([0; 8]));
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        let high = if non_ascii { w & HIGHS } else { 0 };
        let hits = zero_lanes(w ^ pa) | zero_lanes(w ^ pb) | zero_lanes(w ^ pdel) | control | high;
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = bytes.get(i) {
        if c == a || c == b || c < 0x20 || c == 0x7f || (non_ascii && c >= 0x80) {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::until;

    #[test]
    fn agrees_with_a_plain_loop() {
        let text: Vec<u8> = (0..400u32).map(|i| (i * 53 % 256) as u8).collect();
        for start in 0..24 {
            for len in [0, 1, 7, 8, 9, 16, 33, 300] {
                let Some(hay) = text.get(start..start + len) else { continue };
                for (a, b) in [(b'"', b'\\'), (b'{', b'}'), (b'\'', b'\'')] {
                    for non_ascii in [false, true] {
                        for from in [0, 1, 5] {
                            let plain = (from..hay.len())
                                .find(|&i| {
                                    let c = hay[i];
                                    c == a || c == b || c < 0x20 || c == 0x7f || (non_ascii && c >= 0x80)
                                })
                                .unwrap_or(hay.len());
                            assert_eq!(until(hay, from, a, b, non_ascii), plain, "{start} {len} {from}");
                        }
                    }
                }
            }
        }
    }
}
