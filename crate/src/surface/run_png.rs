//! A small PNG encoder for the browser, where the `png` crate (with its deflate and filters) would
//! be a sixth of the wasm for one method, `snapshot`. Rows are unfiltered and deflated in one
//! fixed-Huffman block whose only matches repeat the previous pixel (distance 4): the transparent
//! and flat areas that make up most of a heatmap shrink to a few bits per run, the rest is stored
//! as literals. Any PNG decoder reads it; the pixels are exactly the surface's.

/// Encodes `rgba` (`width`×`height` straight RGBA8, length already checked) as a PNG.
pub(super) fn encode(rgba: &[u8], width: u32, height: u32) -> Vec<u8> {
    let row = width as usize * 4;
    // Each row is its filter byte (0: none) and its pixels.
    let mut raw = Vec::with_capacity((row + 1) * height as usize);
    for pixels in rgba.chunks_exact(row) {
        raw.push(0);
        raw.extend_from_slice(pixels);
    }
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    // 8 bits per channel, RGBA, deflate, no filter method choice, not interlaced.
    header.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &zlib(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // Chunks here are at most one deflated image of ≤ 8192² pixels: far below 2³¹ bytes.
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (n, entry) in table.iter_mut().enumerate() {
        let mut c = n as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *entry = c;
    }
    !bytes.iter().fold(!0u32, |c, &b| {
        table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8)
    })
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that cannot overflow `b` before the modulo (zlib's NMAX).
    for block in bytes.chunks(5552) {
        for &byte in block {
            a += u32::from(byte);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// Base lengths of the length symbols 257..=285 and their extra bits (RFC 1951, 3.2.5).
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// The previous pixel.
const DISTANCE: usize = 4;
/// Distance code 3 is distance 4 with no extra bits.
const DISTANCE_CODE: u32 = 3;
const MAX_MATCH: usize = 258;

/// `data` as a zlib stream of one fixed-Huffman deflate block.
fn zlib(data: &[u8]) -> Vec<u8> {
    // CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (no dictionary, check bits for 0x7801 % 31 == 0).
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        buffer: 0,
        count: 0,
    };
    // BFINAL = 1, BTYPE = 01 (fixed Huffman codes).
    bits.put(0b011, 3);
    let mut i = 0;
    while i < data.len() {
        let run = if i >= DISTANCE {
            data[i..]
                .iter()
                .zip(&data[i - DISTANCE..])
                .take(MAX_MATCH)
                .take_while(|(a, b)| a == b)
                .count()
        } else {
            0
        };
        if run >= 3 {
            bits.length(run);
            bits.huffman(DISTANCE_CODE, 5);
            i += run;
        } else {
            bits.literal(u32::from(data[i]));
            i += 1;
        }
    }
    bits.literal(256); // end of block
    let mut out = bits.finish();
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// A deflate bit stream: values least significant bit first, Huffman codes most significant first.
struct Bits {
    out: Vec<u8>,
    buffer: u32,
    count: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.buffer |= value << self.count;
        self.count += count;
        while self.count >= 8 {
            self.out.push(self.buffer as u8);
            self.buffer >>= 8;
            self.count -= 8;
        }
    }

    fn huffman(&mut self, code: u32, length: u32) {
        self.put(code.reverse_bits() >> (32 - length), length);
    }

    /// A literal byte or symbol 256..=287, in the fixed code (RFC 1951, 3.2.6).
    fn literal(&mut self, symbol: u32) {
        match symbol {
            0..=143 => self.huffman(0x30 + symbol, 8),
            144..=255 => self.huffman(0x190 + symbol - 144, 9),
            256..=279 => self.huffman(symbol - 256, 7),
            _ => self.huffman(0xc0 + symbol - 280, 8),
        }
    }

    /// A match length, 3..=258.
    fn length(&mut self, length: usize) {
        // The last base not above `length`; `length` ≥ 3 = LENGTH_BASE[0].
        let index = LENGTH_BASE.partition_point(|&base| usize::from(base) <= length) - 1;
        self.literal(257 + index as u32);
        let extra = u32::from(LENGTH_EXTRA[index]);
        if extra > 0 {
            self.put((length - usize::from(LENGTH_BASE[index])) as u32, extra);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.buffer as u8);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::encode;
    use crate::surface::decode_png;

    /// Runs of every length around the symbols' bases, noise and a transparent tail.
    #[test]
    fn decodes_to_the_same_pixels() {
        let (width, height) = (97u32, 13u32);
        let mut pixels = Vec::new();
        let mut seed = 7u32;
        let mut run = 1;
        while pixels.len() < (width * height * 4) as usize {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let pixel = (seed >> 8).to_le_bytes();
            for _ in 0..run {
                pixels.extend_from_slice(&pixel);
            }
            run = run % 70 + 1;
        }
        pixels.truncate((width * height * 4) as usize);
        let tail = pixels.len() - 600 * 4;
        pixels[tail..].fill(0);
        let png = encode(&pixels, width, height);
        assert_eq!(decode_png(&png).expect("decodes"), (width, height, pixels));
        assert!(
            png.len() < width as usize * height as usize * 4,
            "runs are compressed"
        );
    }

    #[test]
    fn a_single_pixel_decodes() {
        let png = encode(&[1, 2, 3, 4], 1, 1);
        assert_eq!(decode_png(&png).expect("decodes"), (1, 1, vec![1, 2, 3, 4]));
    }
}
