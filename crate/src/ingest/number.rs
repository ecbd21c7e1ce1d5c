//! JSON numbers to f64, bit for bit as `serde_json` (without its `float_roundtrip` feature)
//! reads them, so that the byte scanner and the serde path give the same points.
//!
//! That algorithm is exact for up to 19 significant digits with a power of ten up to 22 (one
//! correctly rounded multiplication or division of exact values), which covers coordinates as
//! they are written; longer numbers round twice, as they always have here.

/// The powers of ten that f64 holds exactly: a product or quotient with one of them is correctly
/// rounded. Larger exponents (rare in GeoJSON) are read by `serde_json` itself.
#[rustfmt::skip]
static POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Whether `value * 10 + digit` overflows u64.
fn overflows(value: u64, digit: u64) -> bool {
    value >= u64::MAX / 10 && (value > u64::MAX / 10 || digit > u64::MAX % 10)
}

fn digit_at(text: &[u8], pos: usize) -> Option<u64> {
    match text.get(pos) {
        Some(&c @ b'0'..=b'9') => Some(u64::from(c - b'0')),
        _ => None,
    }
}

/// Reads the number at `*pos` and moves past it. `None` when the text there is not a JSON
/// number or its value is out of range (the parser's errors; the caller's reader names them).
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(super) fn parse(text: &[u8], pos: &mut usize) -> Option<f64> {
    let mut at = *pos;
    let positive = text.get(at) != Some(&b'-');
    if !positive {
        at += 1;
    }
    let mut significand = digit_at(text, at)?;
    at += 1;
    if significand == 0 {
        // There can be only one leading zero.
        if digit_at(text, at).is_some() {
            return None;
        }
    } else {
        while let Some(digit) = digit_at(text, at) {
            if overflows(significand, digit) {
                // Too long for u64: the rest of the integer only scales it.
                let mut exponent = 0i32;
                while digit_at(text, at).is_some() {
                    at += 1;
                    exponent += 1;
                }
                return fraction(text, pos, at, positive, significand, exponent);
            }
            at += 1;
            significand = significand * 10 + digit;
        }
    }
    if !matches!(text.get(at), Some(b'.' | b'e' | b'E')) {
        *pos = at;
        // As an integer: u64 or i64 first, then to f64 (`-0` stays negative zero).
        let value = significand as f64;
        return Some(if positive { value } else { -value });
    }
    fraction(text, pos, at, positive, significand, 0)
}

/// The part of a number from `at` on: an optional fraction and exponent.
#[cfg_attr(wasm_for_size, optimize(speed))]
fn fraction(
    text: &[u8],
    pos: &mut usize,
    mut at: usize,
    positive: bool,
    mut significand: u64,
    mut exponent: i32,
) -> Option<f64> {
    if text.get(at) == Some(&b'.') {
        at += 1;
        let digits_from = at;
        while let Some(digit) = digit_at(text, at) {
            if overflows(significand, digit) {
                // Further digits cannot change the u64 significand: they are skipped.
                while digit_at(text, at).is_some() {
                    at += 1;
                }
                break;
            }
            at += 1;
            significand = significand * 10 + digit;
            exponent -= 1;
        }
        if at == digits_from {
            return None;
        }
    }
    if matches!(text.get(at), Some(b'e' | b'E')) {
        at += 1;
        let positive_exp = match text.get(at) {
            Some(b'+') => {
                at += 1;
                true
            }
            Some(b'-') => {
                at += 1;
                false
            }
            _ => true,
        };
        let mut exp = i32::try_from(digit_at(text, at)?).ok()?;
        at += 1;
        while let Some(digit) = digit_at(text, at) {
            at += 1;
            let digit = digit as i32;
            if exp >= i32::MAX / 10 && (exp > i32::MAX / 10 || digit > i32::MAX % 10) {
                // An exponent beyond i32: infinity is an error, zero stays zero.
                if significand != 0 && positive_exp {
                    return None;
                }
                while digit_at(text, at).is_some() {
                    at += 1;
                }
                *pos = at;
                return Some(if positive { 0.0 } else { -0.0 });
            }
            exp = exp * 10 + digit;
        }
        exponent = if positive_exp {
            exponent.saturating_add(exp)
        } else {
            exponent.saturating_sub(exp)
        };
    }
    let number = &text[*pos..at];
    *pos = at;
    from_parts(number, positive, significand, exponent)
}

/// `significand × 10^exponent` as `serde_json` computes it from `number`, its text; `None` when
/// it overflows.
fn from_parts(number: &[u8], positive: bool, significand: u64, exponent: i32) -> Option<f64> {
    let Some(&pow) = POW10.get(exponent.unsigned_abs() as usize) else {
        // serde_json's table of all 309 powers is in the wasm already; a copy here would be
        // 2.4 KB more. Its reading is the definition this module follows.
        return serde_json::from_slice::<f64>(number).ok();
    };
    let mut f = significand as f64;
    if exponent >= 0 {
        f *= pow;
        if f.is_infinite() {
            return None;
        }
    } else {
        f /= pow;
    }
    Some(if positive { f } else { -f })
}

/// Moves past the number at `*pos`, checking its syntax only (as a skipped value is).
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(super) fn skip(text: &[u8], pos: &mut usize) -> Option<()> {
    let mut at = *pos;
    if text.get(at) == Some(&b'-') {
        at += 1;
    }
    let digits = |at: &mut usize| {
        let from = *at;
        while digit_at(text, *at).is_some() {
            *at += 1;
        }
        *at > from
    };
    match text.get(at) {
        Some(b'0') => at += 1,
        Some(b'1'..=b'9') => {
            digits(&mut at);
        }
        _ => return None,
    }
    if text.get(at) == Some(&b'.') {
        at += 1;
        if !digits(&mut at) {
            return None;
        }
    }
    if matches!(text.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(text.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if !digits(&mut at) {
            return None;
        }
    }
    *pos = at;
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_json makes of `text` as an f64, through the same conversions the ingest's
    /// visitors apply.
    fn serde(text: &str) -> Option<f64> {
        match serde_json::from_str::<serde_json::Value>(text).ok()? {
            serde_json::Value::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    fn ours(text: &str) -> Option<f64> {
        let mut pos = 0;
        let value = parse(text.as_bytes(), &mut pos)?;
        (pos == text.len()).then_some(value)
    }

    #[track_caller]
    fn agree(text: &str) {
        let (a, b) = (ours(text), serde(text));
        assert_eq!(
            a.map(f64::to_bits),
            b.map(f64::to_bits),
            "{text}: {a:?} vs {b:?}"
        );
        let mut pos = 0;
        let skipped = skip(text.as_bytes(), &mut pos).is_some() && pos == text.len();
        if a.is_some() {
            assert!(skipped, "{text} parses but does not skip");
        }
    }

    #[test]
    fn numbers_read_as_serde_json_reads_them() {
        for text in [
            "0",
            "-0",
            "1",
            "-1",
            "0.5",
            "-0.0",
            "12.345678",
            "-122.41940",
            "1e5",
            "1E+5",
            "1e-5",
            "2.5e-3",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "0.1234567890123456789012",
            "1.7976931348623157e308",
            "1e308",
            "1e309",
            "1e400",
            "-1e400",
            "4.9e-324",
            "1e-400",
            "0e999999999999",
            "1e99999999999",
            "1e-99999999999",
            "179.99999999999999999",
            "12345678901234567890.5",
            "1.",
            ".5",
            "01",
            "-",
            "1e",
            "1e+",
            "--1",
            "+1",
            "0x1",
            "123456789012345678901234567890e-10",
            "0.000000000000000000000000000001e30",
        ] {
            agree(text);
        }
    }

    #[test]
    fn random_decimals_read_as_serde_json_reads_them() {
        let mut state = 0x1234_5678_9abc_def1_u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 11
        };
        for _ in 0..20_000 {
            let digits = 1 + next() % 22;
            let mut text = String::new();
            if next() % 2 == 0 {
                text.push('-');
            }
            for i in 0..digits {
                let d = next() % 10;
                if i == 0 && d == 0 && digits > 1 {
                    text.push('1');
                } else {
                    text.push(char::from(b'0' + d as u8));
                }
            }
            let point = (next() % (digits + 1)) as usize;
            if point > 0 && point < text.len() && !text[..point].ends_with('-') {
                text.insert(point, '.');
            }
            if next() % 4 == 0 {
                text.push_str(&format!("e{}", next() % 700));
                if next() % 2 == 0 {
                    text = text.replace('e', "e-");
                }
            }
            agree(&text);
        }
    }
}
