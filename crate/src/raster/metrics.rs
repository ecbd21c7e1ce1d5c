//! Image comparison: PSNR and largest difference, for parity tests between backends and for
//! comparing rendered PNGs with goldens.

/// Peak signal-to-noise ratio in dB of `a` against `b`, for values whose full scale is `peak`
/// (1 for normalised density). Identical inputs give `f64::INFINITY`.
///
/// # Panics
/// When the slices differ in length.
pub fn psnr(a: &[f32], b: &[f32], peak: f64) -> f64 {
    assert_eq!(a.len(), b.len(), "psnr compares images of the same size");
    let sum: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum();
    psnr_from_mse(sum / a.len().max(1) as f64, peak)
}

/// PSNR in dB of two 8-bit images (every channel counts, full scale 255).
///
/// # Panics
/// When the slices differ in length.
pub fn psnr_u8(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len(), "psnr_u8 compares images of the same size");
    let sum: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
        .sum();
    psnr_from_mse(sum / a.len().max(1) as f64, 255.0)
}

fn psnr_from_mse(mse: f64, peak: f64) -> f64 {
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (peak * peak / mse).log10()
    }
}

/// Largest absolute difference between corresponding values.
///
/// # Panics
/// When the slices differ in length.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(
        a.len(),
        b.len(),
        "max_abs_diff compares images of the same size"
    );
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Largest absolute difference between corresponding bytes (for RGBA8: over every channel).
///
/// # Panics
/// When the slices differ in length.
pub fn max_abs_diff_u8(a: &[u8], b: &[u8]) -> u8 {
    assert_eq!(
        a.len(),
        b.len(),
        "max_abs_diff_u8 compares images of the same size"
    );
    a.iter()
        .zip(b)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psnr_of_known_error() {
        // One value off by 0.1 out of 4, peak 1: mse = 0.0025, psnr = 10·log10(400) ≈ 26.02 dB.
        let a = [0.0, 0.5, 1.0, 0.2];
        let b = [0.0, 0.5, 1.0, 0.3];
        assert!((psnr(&a, &b, 1.0) - 26.0206).abs() < 1e-3);
        assert_eq!(psnr(&a, &a, 1.0), f64::INFINITY);
        assert!((max_abs_diff(&a, &b) - 0.1).abs() < 1e-6);
        assert_eq!(max_abs_diff_u8(&[0, 10, 255], &[3, 10, 250]), 5);
        assert!((psnr_u8(&[0; 4], &[0, 0, 0, 255]) - 6.0206).abs() < 1e-3);
    }
}
