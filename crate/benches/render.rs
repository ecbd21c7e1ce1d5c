//! Render benchmarks at 1024×768: the fast CPU path at 10k / 100k / 1M points, 1M points across
//! radii (the cost should stay nearly flat), 100k points with contours and points layers, and the
//! exact reference at 10k points.

use criterion::{Criterion, criterion_group, criterion_main};
use geoheat::raster::reference;
use geoheat::{
    CpuRenderer, HeatStyle, LayerKind, LayerSpec, LayerStack, Normalize, Radius, Surface,
    UniformValue,
};
use std::hint::black_box;
use std::time::Duration;

mod scene;
use scene::{VIEW, clusters, scene_at_view};

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
        let (r25, plan) = scene_at_view(points.clone(), &style(25.0), &LayerStack::default());
        group.bench_function(format!("{n}pts_r25"), |b| {
            b.iter(|| {
                renderer
                    .render(black_box(&r25), &plan, &mut surface)
                    .expect("render")
            })
        });
        if n == 1_000_000 {
            for r in [10.0, 50.0, 100.0] {
                let (scene_r, plan) =
                    scene_at_view(points.clone(), &style(r), &LayerStack::default());
                group.bench_function(format!("{n}pts_r{r}"), |b| {
                    b.iter(|| {
                        renderer
                            .render(black_box(&scene_r), &plan, &mut surface)
                            .expect("render")
                    })
                });
            }
        }
    }
    group.finish();
}

/// 100k points at r = 25 with contours (bands filled) and 2.5 px dots over the heat: the cost of
/// compositing three layers on the CPU, against `fast/100000pts_r25` for the heat alone.
fn layered(c: &mut Criterion) {
    let mut surface = Surface::new(VIEW.width, VIEW.height).expect("valid size");
    let mut renderer = CpuRenderer::new();
    let points = clusters(100_000);
    let style = style(25.0);
    let mut layers = LayerStack::default();
    for spec in [
        LayerSpec {
            uniforms: vec![("fill".into(), UniformValue::F32(0.35))],
            ..LayerSpec::built_in("contours", LayerKind::Contours)
        },
        LayerSpec::built_in("points", LayerKind::Points),
    ] {
        layers.add(spec, None).expect("valid layer");
    }
    let mut group = c.benchmark_group("layers");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    let (layered, plan) = scene_at_view(points, &style, &layers);
    group.bench_function("100000pts_r25_heat_contours_points", |b| {
        b.iter(|| {
            renderer
                .render(black_box(&layered), &plan, &mut surface)
                .expect("render")
        })
    });
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

criterion_group!(benches, fast, layered, exact);
criterion_main!(benches);
