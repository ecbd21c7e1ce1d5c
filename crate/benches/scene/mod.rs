//! The scene every render benchmark draws: a 1024×768 view and fixed-seed Gaussian clusters.

use geoheat::{FramePlan, HeatStyle, LayerStack, PointBuffer, Scene, StableMax, View};

/// `points` with `style` and `layers`, and the plan of a frame at [`VIEW`]: made once, outside
/// the measured loop, as a heatmap makes them once per change.
pub fn scene_at_view(
    points: PointBuffer,
    style: &HeatStyle,
    layers: &LayerStack,
) -> (Scene, FramePlan) {
    let mut scene = Scene::new(points);
    scene.set_style(style.clone()).expect("valid style");
    scene.set_layers(layers.clone());
    let plan = FramePlan::new(&scene, &VIEW, &mut StableMax::new()).expect("valid plan");
    (scene, plan)
}

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
