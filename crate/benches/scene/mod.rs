//! The scene every render benchmark draws: a 1024×768 view and fixed-seed Gaussian clusters.

use geoheat::{PointBuffer, View};

pub const VIEW: View = View {
    center: [10.0, 50.0],
    zoom: 10.0,
    width: 1024,
    height: 768,
    device_pixel_ratio: 1.0,
};

/// `n` points in 12 Gaussian clusters over the view (fixed seed LCG).
pub fn clusters(n: usize) -> PointBuffer {
    let mut state: u64 = 7;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let (w, h) = (f64::from(VIEW.width), f64::from(VIEW.height));
    let centres: Vec<[f64; 3]> = (0..12)
        .map(|_| [w * uniform(), h * uniform(), 10.0 + 80.0 * uniform()])
        .collect();
    let mut points = PointBuffer::with_capacity(n);
    for k in 0..n {
        let [cx, cy, s] = centres[k % centres.len()];
        let r = (-2.0 * uniform().max(1e-300).ln()).sqrt() * s;
        let a = std::f64::consts::TAU * uniform();
        let [lon, lat] = VIEW.pixel_to_lon_lat([cx + r * a.cos(), cy + r * a.sin()]);
        points.push(lon.clamp(-180.0, 180.0), lat, 1.0);
    }
    points
}
