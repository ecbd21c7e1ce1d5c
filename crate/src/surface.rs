//! [`Surface`]: a double-buffered straight-RGBA8 pixel surface, and PNG encoding of its front.
//!
//! A renderer draws into the back buffer and calls [`Surface::swap`] once the frame is whole;
//! presenters (Canvas 2D, PNG) only read the front, so they never show half a frame.

use crate::error::{Error, Result};
use crate::geo::MAX_PIXEL_SIDE;
use crate::raster::field::Shift;
use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(any(target_arch = "wasm32", test))]
mod run_png;

/// Two RGBA8 buffers of the same size: back (being drawn) and front (last whole frame).
#[derive(Debug, Clone)]
pub struct Surface {
    width: u32,
    height: u32,
    front: Vec<u8>,
    back: Vec<u8>,
    /// Names what the front buffer holds: a new value, unique in the process, whenever it may
    /// have changed. A renderer that remembers the value after drawing a frame knows, while it is
    /// unchanged, that the front still holds that frame (and can move its pixels for the next).
    front_id: u64,
}

/// A process-wide counter, so that two surfaces never share a [`Surface::front_id`] unless one is
/// a clone of the other with the same pixels.
fn next_front_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Surface {
    /// A transparent surface of `width`×`height` pixels.
    pub fn new(width: u32, height: u32) -> Result<Self> {
        let len = byte_len(width, height)?;
        Ok(Self {
            width,
            height,
            front: vec![0; len],
            back: vec![0; len],
            front_id: next_front_id(),
        })
    }

    /// Changes the size; reallocates only when it differs. Both buffers become transparent.
    pub fn resize(&mut self, width: u32, height: u32) -> Result<()> {
        if (width, height) == (self.width, self.height) {
            return Ok(());
        }
        let len = byte_len(width, height)?;
        for buffer in [&mut self.front, &mut self.back] {
            buffer.clear();
            buffer.resize(len, 0);
        }
        (self.width, self.height) = (width, height);
        self.front_id = next_front_id();
        Ok(())
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// The last whole frame, row-major straight RGBA8.
    pub fn front(&self) -> &[u8] {
        &self.front
    }

    /// The buffer being drawn.
    pub fn back_mut(&mut self) -> &mut [u8] {
        &mut self.back
    }

    /// Makes the back buffer the front (O(1): the buffers trade places).
    pub fn swap(&mut self) {
        std::mem::swap(&mut self.front, &mut self.back);
        self.front_id = next_front_id();
    }

    /// What the front buffer holds now (see the field's comment).
    pub(crate) fn front_id(&self) -> u64 {
        self.front_id
    }

    /// Copies the front's pixels into the back buffer moved as `shift` says (back pixel `(i, j)`
    /// gets front pixel `(i + dx, j + dy)`); the back's pixels that no front pixel covers are left
    /// as they were, for the caller to draw.
    pub(crate) fn scroll_into_back(&mut self, shift: Shift) {
        let size = [self.width as usize, self.height as usize];
        for row in shift.rows(size, 4) {
            self.back[row.to..row.to + row.len]
                .copy_from_slice(&self.front[row.from..row.from + row.len]);
        }
    }

    /// Encodes the front buffer as a PNG.
    pub fn encode_png(&self, compression: PngCompression) -> Result<Vec<u8>> {
        encode_png(&self.front, self.width, self.height, compression)
    }
}

fn byte_len(width: u32, height: u32) -> Result<usize> {
    if width == 0 || height == 0 {
        return Err(Error::InvalidSize {
            width,
            height,
            reason: "zero size",
        });
    }
    if width > MAX_PIXEL_SIDE || height > MAX_PIXEL_SIDE {
        return Err(Error::InvalidSize {
            width,
            height,
            reason: "a side is larger than 8192 pixels",
        });
    }
    Ok(width as usize * height as usize * 4)
}

/// PNG compression effort: `Fast` is ~10x quicker and makes files ~1.7x larger. In wasm every
/// effort writes the same small encoding (see `run_png`): the browser has no `png` crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PngCompression {
    Fast,
    #[default]
    Balanced,
    Best,
}

/// Encodes straight RGBA8 pixels as a PNG.
pub fn encode_png(
    rgba: &[u8],
    width: u32,
    height: u32,
    compression: PngCompression,
) -> Result<Vec<u8>> {
    if rgba.len() != byte_len(width, height)? {
        return Err(Error::Png(format!(
            "{} bytes do not make a {width}x{height} RGBA image",
            rgba.len()
        )));
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = compression;
        Ok(run_png::encode(rgba, width, height))
    }
    #[cfg(not(target_arch = "wasm32"))]
    crate_png(rgba, width, height, compression)
}

#[cfg(not(target_arch = "wasm32"))]
fn crate_png(rgba: &[u8], width: u32, height: u32, compression: PngCompression) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(match compression {
        PngCompression::Fast => png::Compression::Fast,
        PngCompression::Balanced => png::Compression::Balanced,
        PngCompression::Best => png::Compression::High,
    });
    let png_err = |e: png::EncodingError| Error::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(png_err)?;
    writer.write_image_data(rgba).map_err(png_err)?;
    writer.finish().map_err(png_err)?;
    Ok(out)
}

/// Decodes an RGBA8 PNG (as written by [`encode_png`]) into `(width, height, pixels)`.
#[cfg(not(target_arch = "wasm32"))]
pub fn decode_png(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>)> {
    let png_err = |e: png::DecodingError| Error::Png(e.to_string());
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().map_err(png_err)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| Error::Png("image too large".into()))?;
    let mut pixels = vec![0; size];
    let info = reader.next_frame(&mut pixels).map_err(png_err)?;
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return Err(Error::Png(format!(
            "expected 8-bit RGBA, found {:?} {:?}",
            info.color_type, info.bit_depth
        )));
    }
    pixels.truncate(info.buffer_size());
    Ok((info.width, info.height, pixels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_shows_the_finished_back_buffer() {
        let mut surface = Surface::new(2, 1).expect("valid size");
        surface
            .back_mut()
            .copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(surface.front(), &[0; 8]);
        surface.swap();
        assert_eq!(surface.front(), &[1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn png_round_trips() {
        let pixels: Vec<u8> = (0..3 * 2 * 4).map(|i| (i * 11) as u8).collect();
        for compression in [
            PngCompression::Fast,
            PngCompression::Balanced,
            PngCompression::Best,
        ] {
            let png = encode_png(&pixels, 3, 2, compression).expect("encodes");
            assert_eq!(decode_png(&png).expect("decodes"), (3, 2, pixels.clone()));
        }
    }

    #[test]
    fn bad_sizes_are_errors() {
        assert!(Surface::new(0, 10).is_err());
        assert!(Surface::new(9000, 10).is_err());
        assert!(encode_png(&[0; 7], 1, 2, PngCompression::Fast).is_err());
    }
}
