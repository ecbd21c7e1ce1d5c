//! GPU render benchmarks at 1024×768, r = 25, viewport normalisation: a whole frame with readback
//! into a surface at 10k and 100k points (points uploaded once, as in steady state), with the
//! plain heat stack and with a composited stack (heat, contours, points); on a hardware adapter
//! also at 1M and 10M points. Group names carry the adapter kind: on a software adapter
//! (lavapipe, DeviceType::Cpu) the numbers are CPU emulation, not GPU speed. Where the device has
//! timestamp queries, each case also prints the GPU's own time per frame (median of
//! `TIMED_FRAMES`): the frame's commands without submission and readback.

use criterion::{Criterion, criterion_group, criterion_main};
use geoheat::{
    GpuRenderer, HeatStyle, LayerKind, LayerSpec, LayerStack, Normalize, Radius, Surface,
};
use std::time::Duration;

/// Frames whose GPU time is taken for each case.
const TIMED_FRAMES: usize = 10;

mod scene;
use scene::{VIEW, clusters, scene_at_view};

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
    let plain = LayerStack::default();
    let mut composited = LayerStack::default();
    for kind in [LayerKind::Contours, LayerKind::Points] {
        composited
            .add(LayerSpec::built_in(kind.name(), kind), None)
            .expect("built-in layer");
    }
    let mut surface = Surface::new(VIEW.width, VIEW.height).expect("valid size");
    let mut group = c.benchmark_group(format!("gpu_{kind}"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    // A software adapter needs seconds per frame beyond 100k points.
    let sizes: &[usize] = if renderer.is_software() {
        &[10_000, 100_000]
    } else {
        &[10_000, 100_000, 1_000_000, 10_000_000]
    };
    for &n in sizes {
        let points = clusters(n);
        for (name, layers) in [("", &plain), ("_heat_contours_points", &composited)] {
            let (scene, plan) = scene_at_view(points.clone(), &style, layers);
            let case = format!("{n}pts_r25{name}_frame_readback");
            group.bench_function(&case, |b| {
                b.iter(|| {
                    renderer
                        .render_to_surface_blocking(&scene, &plan, &mut surface)
                        .expect("render")
                })
            });
            let mut times = Vec::with_capacity(TIMED_FRAMES);
            for _ in 0..TIMED_FRAMES {
                renderer
                    .render_to_surface_blocking(&scene, &plan, &mut surface)
                    .expect("render");
                match renderer.last_frame_gpu_time_blocking().expect("timestamps") {
                    Some(time) => times.push(time),
                    None => break,
                }
            }
            times.sort();
            if let Some(median) = times.get(times.len() / 2) {
                eprintln!(
                    "{case}: GPU time {:.3} ms a frame (timestamps, median of {TIMED_FRAMES})",
                    median.as_secs_f64() * 1e3
                );
            }
        }
    }
    group.finish();
}

criterion_group!(benches, gpu);
criterion_main!(benches);
