//! Premultiplied f32 blending of layers and the resolve to straight RGBA8, by the formulas in
//! the [`crate::layer`] module docs (the GPU's blend states compute the same).

use crate::layer::Blend;

/// One premultiplied RGBA pixel of the accumulation buffer.
pub(crate) type Premul = [f32; 4];

/// `color`, or transparent if a component is NaN or infinite: what the GPU's layer pass does
/// with such a `shade` result. Only layers whose math can overflow need it.
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(crate) fn finite_or_transparent(color: [f32; 4]) -> [f32; 4] {
    if color.iter().all(|c| c.is_finite()) {
        color
    } else {
        [0.0; 4]
    }
}

/// Blends the straight colour `color` (clamped to [0, 1] here) with `opacity` over `dst`.
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(crate) fn blend_pixel(dst: &mut Premul, color: [f32; 4], opacity: f32, blend: Blend) {
    let [r, g, b, a] = color.map(|c| c.clamp(0.0, 1.0));
    let a = a * opacity;
    // A transparent source leaves every mode's destination as it is.
    if a <= 0.0 {
        return;
    }
    let src = [r * a, g * a, b * a, a];
    match blend {
        Blend::Normal => {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = s + *d * (1.0 - a);
            }
        }
        Blend::Add => {
            for (d, s) in dst.iter_mut().zip(src) {
                *d += s;
            }
        }
        Blend::Multiply => {
            for (d, c) in dst[..3].iter_mut().zip([r, g, b]) {
                *d *= 1.0 - a + c * a;
            }
        }
    }
}

/// The premultiplied `premul` as straight RGBA8: clamped to [0, 1], then `rgb / a` and `a`
/// rounded to bytes; where `a` is 0 the pixel is transparent black.
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(crate) fn straight_rgba8(premul: Premul) -> [u8; 4] {
    let [r, g, b, a] = premul.map(|c| c.clamp(0.0, 1.0));
    if a <= 0.0 {
        return [0; 4];
    }
    // Round half up, as `lut_index` does (f32::round is a library call on baseline x86-64).
    let byte = |c: f32| (c.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
    [byte(r / a), byte(g / a), byte(b / a), byte(a)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Premul, b: Premul) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
    }

    const BELOW: Premul = [0.2, 0.3, 0.1, 0.5];

    #[test]
    fn normal_is_source_over() {
        let mut dst = BELOW;
        blend_pixel(&mut dst, [1.0, 0.5, 0.0, 0.8], 0.5, Blend::Normal);
        // a = 0.4: src = (0.4, 0.2, 0, 0.4); dst = src + below · 0.6.
        assert!(close(dst, [0.52, 0.38, 0.06, 0.7]), "{dst:?}");
    }

    #[test]
    fn add_sums_and_clamps_only_at_the_end() {
        let mut dst = BELOW;
        blend_pixel(&mut dst, [1.0, 1.0, 1.0, 1.0], 1.0, Blend::Add);
        blend_pixel(&mut dst, [1.0, 0.0, 0.0, 1.0], 1.0, Blend::Add);
        assert!(close(dst, [2.2, 1.3, 1.1, 2.5]), "{dst:?}");
        // Clamped to (1, 1, 1, 1): white.
        assert_eq!(straight_rgba8(dst), [255, 255, 255, 255]);
    }

    #[test]
    fn multiply_tints_colour_and_keeps_alpha() {
        let mut dst = BELOW;
        blend_pixel(&mut dst, [0.5, 0.0, 1.0, 0.5], 1.0, Blend::Multiply);
        // Factors 1 − 0.5 + c · 0.5: 0.75, 0.5, 1.
        assert!(close(dst, [0.15, 0.15, 0.1, 0.5]), "{dst:?}");
    }

    #[test]
    fn inputs_are_clamped_and_transparent_sources_change_nothing() {
        let mut dst = BELOW;
        blend_pixel(&mut dst, [2.0, -1.0, 0.5, 3.0], 1.0, Blend::Normal);
        assert!(close(dst, [1.0, 0.0, 0.5, 1.0]), "{dst:?}");
        for blend in [Blend::Normal, Blend::Add, Blend::Multiply] {
            let mut dst = BELOW;
            blend_pixel(&mut dst, [0.3, 0.3, 0.3, 0.0], 1.0, blend);
            blend_pixel(&mut dst, [0.3, 0.3, 0.3, 1.0], 0.0, blend);
            assert_eq!(dst, BELOW, "{blend:?}");
        }
    }

    #[test]
    fn non_finite_colours_draw_nothing() {
        for color in [[f32::NAN, 0.0, 0.0, 1.0], [0.0, 0.0, f32::INFINITY, 1.0]] {
            let mut dst = BELOW;
            blend_pixel(&mut dst, finite_or_transparent(color), 1.0, Blend::Normal);
            assert_eq!(dst, BELOW);
        }
        assert_eq!(finite_or_transparent(BELOW), BELOW);
    }

    #[test]
    fn resolve_unpremultiplies_and_rounds() {
        // rgb / a = (0.2, 0.5, 1): 51, round(127.5) = 128, 255; a = 128.
        assert_eq!(straight_rgba8([0.1, 0.25, 0.5, 0.5]), [51, 128, 255, 128]);
        assert_eq!(straight_rgba8([0.0; 4]), [0; 4]);
        assert_eq!(straight_rgba8([0.3, 0.3, 0.3, -0.1]), [0; 4]);
    }
}
