//! Render benchmarks at 1024×768: a full redraw of the fast CPU path (a zoom change, so nothing
//! kept from the previous frame helps) at 10k / 100k / 1M points, 1M points across radii (the
//! cost should stay nearly flat), the redraw after a 5 px pan at 1.7k / 10k / 100k / 1M points,
//! 100k points under contours and points layers (each alone and both), and the exact reference
//! at 10k points.

use criterion::{Criterion, criterion_group, criterion_main};
use geoheat::raster::reference;
use geoheat::{
    CpuRenderer, FramePlan, HeatStyle, LayerKind, LayerSpec, LayerStack, Normalize, Radius, Scene,
    StableMax, Surface, UniformValue, View,
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

/// Plans for two views that differ only in zoom (by 0.1%): drawing them in turn makes every frame
/// a full redraw, as after a zoom step, since a renderer keeps its splat grid only at one scale.
fn zoom_pair(scene: &Scene) -> [FramePlan; 2] {
    [
        VIEW,
        View {
            zoom: VIEW.zoom + 0.001,
            ..VIEW
        },
    ]
    .map(|view| FramePlan::new(scene, &view, &mut StableMax::new()).expect("valid plan"))
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
        let radii: &[f64] = if n == 1_000_000 {
            &[25.0, 10.0, 50.0, 100.0]
        } else {
            &[25.0]
        };
        for &r in radii {
            let (scene, _) = scene_at_view(points.clone(), &style(r), &LayerStack::default());
            let plans = zoom_pair(&scene);
            let mut frame = 0;
            group.bench_function(format!("{n}pts_r{r}"), |b| {
                b.iter(|| {
                    frame += 1;
                    renderer
                        .render(black_box(&scene), &plans[frame % 2], &mut surface)
                        .expect("render")
                })
            });
        }
    }
    group.finish();
}

/// The redraw after a drag: each frame the view moves 5 px east of the last (turning back every
/// 100 frames, so it stays over the data), as `bench/compare.mjs` pans, with the renderer kept.
fn pan(c: &mut Criterion) {
    let mut surface = Surface::new(VIEW.width, VIEW.height).expect("valid size");
    let mut group = c.benchmark_group("pan");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for n in [1_700, 10_000, 100_000, 1_000_000] {
        let (scene, plan) = scene_at_view(clusters(n), &style(25.0), &LayerStack::default());
        let mut renderer = CpuRenderer::new();
        renderer
            .render(&scene, &plan, &mut surface)
            .expect("render");
        let mut stable = StableMax::new();
        let (mut view, mut frame) = (VIEW, 0u64);
        group.bench_function(format!("{n}pts_r25"), |b| {
            b.iter(|| {
                frame += 1;
                let dx = if (frame / 100) % 2 == 0 { -5.0 } else { 5.0 };
                view = view.panned_by(dx, 0.0);
                let plan = FramePlan::new(&scene, &view, &mut stable).expect("valid plan");
                renderer
                    .render(black_box(&scene), &plan, &mut surface)
                    .expect("render")
            })
        });
    }
    group.finish();
}

/// 100k points at r = 25, full redraws as in [`fast`], with layers: the heat alone (the default
/// stack, which skips compositing), the heat at opacity 0.9 (the same pixels through the
/// compositor), the heat under contours (bands filled), under 2.5 px dots, and under both: the
/// cost of each layer on the CPU against the plain frame's.
fn layered(c: &mut Criterion) {
    let mut surface = Surface::new(VIEW.width, VIEW.height).expect("valid size");
    let mut renderer = CpuRenderer::new();
    let points = clusters(100_000);
    let style = style(25.0);
    let contours = LayerSpec {
        uniforms: vec![("fill".into(), UniformValue::F32(0.35))],
        ..LayerSpec::built_in("contours", LayerKind::Contours)
    };
    let dots = LayerSpec::built_in("points", LayerKind::Points);
    let faded = LayerSpec {
        opacity: 0.9,
        ..LayerSpec::built_in("heat", LayerKind::Heat)
    };
    let stacks = [
        ("heat", LayerStack::default(), vec![]),
        ("heat_composited", LayerStack::empty(), vec![faded]),
        (
            "heat_contours",
            LayerStack::default(),
            vec![contours.clone()],
        ),
        ("heat_points", LayerStack::default(), vec![dots.clone()]),
        (
            "heat_contours_points",
            LayerStack::default(),
            vec![contours, dots],
        ),
    ];
    let mut group = c.benchmark_group("layers");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for (name, mut layers, specs) in stacks {
        for spec in specs {
            layers.add(spec, None).expect("valid layer");
        }
        let (scene, _) = scene_at_view(points.clone(), &style, &layers);
        let plans = zoom_pair(&scene);
        let mut frame = 0;
        group.bench_function(format!("100000pts_r25_{name}"), |b| {
            b.iter(|| {
                frame += 1;
                renderer
                    .render(black_box(&scene), &plans[frame % 2], &mut surface)
                    .expect("render")
            })
        });
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

criterion_group!(benches, fast, pan, layered, exact);
criterion_main!(benches);
