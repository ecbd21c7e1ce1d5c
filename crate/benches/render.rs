//! Render benchmarks at 1024×768: the fast CPU path at 10k / 100k / 1M points, 1M points across
//! radii (the cost should stay nearly flat), and the exact reference at 10k points.

use criterion::{Criterion, criterion_group, criterion_main};
use geoheat::raster::reference;
use geoheat::{CpuRenderer, HeatStyle, Normalize, PointBuffer, Radius, Surface, View};
use std::hint::black_box;
use std::time::Duration;

const VIEW: View = View {
    center: [10.0, 50.0],
    zoom: 10.0,
    width: 1024,
    height: 768,
    device_pixel_ratio: 1.0,
};

/// `n` points in 12 Gaussian clusters over the view (fixed seed LCG).
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

fn style(radius: f64) -> HeatStyle {
    HeatStyle {
        radius: Radius::Pixels(radius),
        normalize: Normalize::Viewport,
        ..HeatStyle::default()
    }
}

fn fast(c: &mut Criterion) {
    let mut surface = Surface::new(VIEW.width, VIEW.height).expect("valid size");
    let mut renderer = CpuRenderer::new();
    let mut group = c.benchmark_group("fast");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for n in [10_000, 100_000, 1_000_000] {
        let points = clusters(n);
        let r25 = style(25.0);
        group.bench_function(format!("{n}pts_r25"), |b| {
            b.iter(|| {
                renderer
                    .render(black_box(&points), &r25, &VIEW, &mut surface)
                    .expect("render")
            })
        });
        if n == 1_000_000 {
            for r in [10.0, 50.0, 100.0] {
                let style_r = style(r);
                group.bench_function(format!("{n}pts_r{r}"), |b| {
                    b.iter(|| {
                        renderer
                            .render(black_box(&points), &style_r, &VIEW, &mut surface)
                            .expect("render")
                    })
                });
            }
        }
    }
    group.finish();
}

fn exact(c: &mut Criterion) {
    let mut surface = Surface::new(VIEW.width, VIEW.height).expect("valid size");
    let points = clusters(10_000);
    let style = style(25.0);
    let mut group = c.benchmark_group("reference");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("10000pts_r25", |b| {
        b.iter(|| {
            reference::render(black_box(&points), &style, &VIEW, &mut surface).expect("render")
        })
    });
    group.finish();
}

criterion_group!(benches, fast, exact);
criterion_main!(benches);
