//! GPU render benchmarks at 1024×768, r = 25, viewport normalisation: a whole frame with readback
//! into a surface at 10k and 100k points (points uploaded once, as in steady state), and the
//! density pass alone at 10k. Group names carry the adapter kind: on a software adapter (lavapipe,
//! DeviceType::Cpu) the numbers are CPU emulation, not GPU speed.

use criterion::{Criterion, criterion_group, criterion_main};
use geoheat::{GpuRenderer, HeatStyle, Normalize, PointBuffer, Radius, Surface, View};
use std::time::Duration;

const VIEW: View = View {
    center: [10.0, 50.0],
    zoom: 10.0,
    width: 1024,
    height: 768,
    device_pixel_ratio: 1.0,
};

/// `n` points in 12 Gaussian clusters over the view (the same fixed-seed scene as `render.rs`).
fn clusters(n: usize) -> PointBuffer {
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

fn gpu(c: &mut Criterion) {
    let mut renderer = GpuRenderer::new_blocking()
        .expect("a GPU adapter with float32 blending (lavapipe: mesa-vulkan-drivers libvulkan1)");
    let kind = if renderer.is_software() {
        "software-adapter"
    } else {
        "hardware-adapter"
    };
    eprintln!("GPU bench on {}", renderer.describe());
    let style = HeatStyle {
        radius: Radius::Pixels(25.0),
        normalize: Normalize::Viewport,
        ..HeatStyle::default()
    };
    let mut surface = Surface::new(VIEW.width, VIEW.height).expect("valid size");
    let mut group = c.benchmark_group(format!("gpu_{kind}"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for n in [10_000, 100_000] {
        let points = clusters(n);
        group.bench_function(format!("{n}pts_r25_frame_readback"), |b| {
            b.iter(|| {
                renderer
                    .render_to_surface_blocking(&points, &style, &VIEW, &mut surface)
                    .expect("render")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, gpu);
criterion_main!(benches);
