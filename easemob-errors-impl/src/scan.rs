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

/// The eight bytes at `i` as a little-endian word; the caller checks `i + 8 <= len`.
/// Plain indexing, which costs no calls unoptimized (a slice and `try_into` do).
#[inline(always)]
pub fn word_at(bytes: &[u8], i: usize) -> u64 {
    u64::from_le_bytes([
        bytes[i],
        bytes[i + 1],
        bytes[i + 2],
        bytes[i + 3],
        bytes[i + 4],
        bytes[i + 5],
        bytes[i + 6],
        bytes[i + 7],
    ])
}

/// The index of the first byte at or after `from` that is one of `stops` or a control
/// byte (below 0x20, or 0x7f); `bytes.len()` if there is none.
pub fn until(bytes: &[u8], from: usize, stops: [u8; 4]) -> usize {
    // Plain operations only: the macro runs unoptimized, where every call costs.
    let [a, b, c, d] = stops;
    let (pa, pb, pc, pd) = (ONES * a as u64, ONES * b as u64, ONES * c as u64, ONES * d as u64);
    let del = ONES * 0x7f;
    let mut i = from;
    while i + 8 <= bytes.len() {
        let w = word_at(bytes, i);
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        let hits = zero_lanes(w ^ pa)
            | zero_lanes(w ^ pb)
            | zero_lanes(w ^ pc)
            | zero_lanes(w ^ pd)
            | zero_lanes(w ^ del)
            | control;
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() {
        let x = bytes[i];
        if x == a || x == b || x == c || x == d || x < 0x20 || x == 0x7f {
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
        let sets: [[u8; 4]; 4] = [*br#""\"\"#, *b"{}{}", *b"''''", [b'"', b'\\', 0xc2, 0xe2]];
        for start in 0..24 {
            for len in [0, 1, 7, 8, 9, 16, 33, 300] {
                let Some(hay) = text.get(start..start + len) else { continue };
                for stops in sets {
                    for from in [0, 1, 5] {
                        let plain = (from..hay.len())
                            .find(|&i| {
                                let c = hay[i];
                                stops.contains(&c) || c < 0x20 || c == 0x7f
                            })
                            .unwrap_or(hay.len());
                        assert_eq!(until(hay, from, stops), plain, "{start} {len} {from}");
                    }
                }
            }
        }
    }
}
