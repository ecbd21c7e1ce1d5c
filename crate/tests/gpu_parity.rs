//! The GPU backend against the exact reference, on the scenes of `raster_parity.rs`, plus what
//! only a GPU path can get wrong: row padding on readback, uploads, errors, device loss.
//!
//! These tests need an adapter with float32 blending. Without a GPU that is lavapipe
//! (`apt-get install mesa-vulkan-drivers libvulkan1`); when none is found they fail, not skip.
#![cfg(feature = "gpu")]

mod common;

use common::{
    GpuLoose, RenderLoose, antimeridian_view, clusters, heavy, mean_scenes, normalized, push_pixel,
    quake_selections, quakes, read_texture, renderer, scene_and_plan, selected_scene, sparse,
    style, texture, view,
};
use geoheat::frame::FramePlan;
use geoheat::frame::{DensityField, FrameStats};
use geoheat::gpu::{TargetAlpha, ViewTarget, wgpu};
use geoheat::raster::metrics::{max_abs_diff, max_abs_diff_u8, psnr, psnr_u8};
use geoheat::raster::reference;
use geoheat::{
    Aggregation, Error, GpuRenderer, HeatStyle, LayerStack, Normalize, PointBuffer, Scene, Surface,
    View,
};

/// Largest RGBA channel difference allowed against the reference. The GPU sums the same kernel in
/// f32 (the reference in f64), so values differ by ~1e-6 of the maximum and an index changes only
/// where a value sits on a rounding boundary: one palette index, at most 26 units on the steepest
/// stretch of the default ramp (its alpha, 0 to 255 over the first 10%).
const MAX_CHANNEL_DIFF: u8 = 26;

/// A frame of the plain heat stack, what these tests compare with the reference.
fn heat_frame(
    renderer: &mut GpuRenderer,
    points: &PointBuffer,
    style: &HeatStyle,
    view: &View,
    surface: &mut Surface,
) -> geoheat::Result<FrameStats> {
    renderer.surface_loose(points, style, &LayerStack::default(), view, 0.0, surface)
}

/// [`heat_frame`] into a texture view.
fn heat_to_view(
    renderer: &mut GpuRenderer,
    points: &PointBuffer,
    style: &HeatStyle,
    view: &View,
    target: &wgpu::TextureView,
    alpha: TargetAlpha,
) -> geoheat::Result<FrameStats> {
    renderer.view_loose(
        points,
        style,
        &LayerStack::default(),
        view,
        ViewTarget {
            view: target,
            alpha,
        },
    )
}

fn gpu_frame(
    renderer: &mut GpuRenderer,
    points: &PointBuffer,
    style: &HeatStyle,
    view: &View,
) -> (DensityField, Vec<u8>, FrameStats) {
    let (scene, plan) =
        scene_and_plan(points, style, &LayerStack::default(), view, 0.0).expect("valid scene");
    scene_frame(renderer, &scene, &plan)
}

/// The density, pixels and statistics of the GPU frame of `scene`.
fn scene_frame(
    renderer: &mut GpuRenderer,
    scene: &Scene,
    plan: &FramePlan,
) -> (DensityField, Vec<u8>, FrameStats) {
    let field = renderer
        .render_density_blocking(scene, plan)
        .expect("GPU density");
    let mut surface = Surface::new(1, 1).expect("valid size");
    let stats = renderer
        .render_to_surface_blocking(scene, plan, &mut surface)
        .expect("GPU render");
    (field, surface.front().to_vec(), stats)
}

fn reference_frame(
    points: &PointBuffer,
    style: &HeatStyle,
    view: &View,
) -> (DensityField, Vec<u8>, FrameStats) {
    let mut surface = Surface::new(1, 1).expect("valid size");
    let stats = reference::render(points, style, view, &mut surface).expect("reference render");
    (
        reference::density(points, style, view).expect("reference density"),
        surface.front().to_vec(),
        stats,
    )
}

/// Compares one scene; returns a failure description, if any.
fn compare(
    renderer: &mut GpuRenderer,
    name: &str,
    points: &PointBuffer,
    style: &HeatStyle,
    view: &View,
) -> Option<String> {
    let (g, g_rgba, g_stats) = gpu_frame(renderer, points, style, view);
    judge(
        name,
        (g, g_rgba, g_stats),
        reference_frame(points, style, view),
    )
}

/// Compares a GPU frame with the reference's; returns a failure description, if any.
fn judge(
    name: &str,
    (g, g_rgba, g_stats): (DensityField, Vec<u8>, FrameStats),
    (e, e_rgba, e_stats): (DensityField, Vec<u8>, FrameStats),
) -> Option<String> {
    let e_max = e.max();
    let density_psnr = psnr(
        &normalized(&g.values, e_max),
        &normalized(&e.values, e_max),
        1.0,
    );
    let worst = max_abs_diff(&g.values, &e.values) / e_max;
    let rgba_psnr = psnr_u8(&g_rgba, &e_rgba);
    let rgba_max = max_abs_diff_u8(&g_rgba, &e_rgba);
    let max_rel = (g_stats.max_density - e_stats.max_density).abs() / e_stats.max_density;
    let norm_rel = (g_stats.normalize_max - e_stats.normalize_max).abs() / e_stats.normalize_max;
    eprintln!(
        "{name:>34}: density PSNR {density_psnr:6.2} dB, max |diff| {:.2e} of max; \
         RGBA PSNR {rgba_psnr:6.2} dB, max channel diff {rgba_max:3}; frame max rel. diff {max_rel:.1e}",
        worst
    );
    let ok = density_psnr >= 45.0
        && worst <= 2e-3
        && rgba_max <= MAX_CHANNEL_DIFF
        && max_rel <= 1e-4
        && norm_rel <= 1e-4
        && (g.width, g.height) == (e.width, e.height);
    (!ok).then(|| name.to_string())
}

#[test]
fn gpu_matches_the_reference() {
    let mut renderer = renderer();
    let view = view(512, 384);
    let scenes = [
        ("sparse", sparse(&view)),
        ("clusters", clusters(&view, 50_000)),
        ("heavy", heavy(&view)),
    ];
    let mut failures = Vec::new();
    for (name, points) in &scenes {
        for r in [10.0, 25.0] {
            for (mode, normalize) in [
                ("viewport", Normalize::Viewport),
                ("stable", Normalize::Stable),
                ("fixed", Normalize::Fixed(5.0)),
            ] {
                let label = format!("{name} r={r} {mode}");
                failures.extend(compare(
                    &mut renderer,
                    &label,
                    points,
                    &style(r, normalize),
                    &view,
                ));
            }
        }
    }
    assert!(failures.is_empty(), "below the bar: {failures:?}");
}

#[test]
fn selections_match_the_reference_on_a_filtered_copy() {
    let mut renderer = renderer();
    let view = view(512, 384);
    let points = quakes(&view, 20_000);
    let mut failures = Vec::new();
    for (name, weight, filter, window, copy) in quake_selections(&points) {
        for normalize in [Normalize::Viewport, Normalize::Fixed(20.0)] {
            let style = style(15.0, normalize);
            let (scene, plan) = selected_scene(
                &points,
                &style,
                weight.as_ref(),
                filter.as_ref(),
                window,
                &view,
            );
            let gpu = scene_frame(&mut renderer, &scene, &plan);
            let label = format!("{name} {normalize:?}");
            failures.extend(judge(&label, gpu, reference_frame(&copy, &style, &view)));
        }
    }
    assert!(failures.is_empty(), "below the bar: {failures:?}");
}

#[test]
fn frames_are_timed_on_the_gpu_where_the_device_has_timestamps() {
    let mut renderer = renderer();
    let timestamps =
        wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS;
    let has_timestamps = renderer.device().features().contains(timestamps);
    // lavapipe, what CI renders on, has them: there the timer must work.
    assert!(
        has_timestamps || !renderer.is_software(),
        "{} opened without timestamp queries",
        renderer.describe()
    );
    let view = view(640, 480);
    let points = clusters(&view, 20_000);
    let mut surface = Surface::new(1, 1).expect("valid size");
    let started = std::time::Instant::now();
    heat_frame(
        &mut renderer,
        &points,
        &style(25.0, Normalize::Viewport),
        &view,
        &mut surface,
    )
    .expect("frame");
    let wall = started.elapsed();
    let gpu = renderer
        .last_frame_gpu_time_blocking()
        .expect("timestamps read");
    match gpu {
        // Between the stamps: the frame's commands only, not its submission or readback.
        Some(gpu) => assert!(
            !gpu.is_zero() && gpu <= wall,
            "GPU time {gpu:?} against {wall:?} of wall time for the frame"
        ),
        None => assert!(
            !has_timestamps,
            "a device with timestamp queries gave no time"
        ),
    }
}

#[test]
fn odd_width_reads_back_row_by_row() {
    // 1001 · 4 bytes is not a multiple of 256: readback rows are padded.
    let mut renderer = renderer();
    let view = view(1001, 73);
    let points = sparse(&view);
    let failure = compare(
        &mut renderer,
        "sparse 1001x73 r=12 viewport",
        &points,
        &style(12.0, Normalize::Viewport),
        &view,
    );
    assert!(failure.is_none(), "{failure:?}");
}

#[test]
fn antimeridian_view_draws_both_world_copies() {
    let mut renderer = renderer();
    let view = antimeridian_view();
    let mut points = PointBuffer::new();
    points.push(179.9, 0.0, 1.0);
    points.push(-179.9, 0.0, 1.0);
    points.push(-179.97, 0.05, 2.0);
    let style = style(10.0, Normalize::Viewport);
    let failure = compare(&mut renderer, "antimeridian", &points, &style, &view);
    assert!(failure.is_none(), "{failure:?}");
    let g = renderer
        .density_loose(&points, &style, &view)
        .expect("density");
    for lon in [179.9, -179.9] {
        let [x, y] = view.lon_lat_to_pixel(lon, 0.0);
        assert!(g.value_at(x, y).expect("inside") > 0.9, "lon {lon}");
    }
}

#[test]
fn far_from_the_origin_keeps_sub_pixel_precision() {
    // The first point (the offsets' origin) is half a world away from the view at zoom 14: point
    // offsets times the scale are ~4 million device pixels, where f32 steps by 0.25-0.5 px.
    let view = View {
        center: [170.0, 10.0],
        zoom: 14.0,
        ..view(300, 200)
    };
    let mut points = PointBuffer::new();
    points.push(-10.0, -10.0, 1.0);
    let mut rng = common::Lcg::new(7);
    for _ in 0..200 {
        push_pixel(
            &mut points,
            &view,
            rng.next_f64() * 300.0,
            rng.next_f64() * 200.0,
            1.0,
        );
    }
    let mut renderer = renderer();
    let failure = compare(
        &mut renderer,
        "far from origin, zoom 14",
        &points,
        &style(6.0, Normalize::Viewport),
        &view,
    );
    assert!(failure.is_none(), "{failure:?}");
}

#[test]
fn empty_points_give_a_transparent_frame() {
    let mut renderer = renderer();
    let view = view(40, 30);
    let mut surface = Surface::new(40, 30).expect("valid size");
    for normalize in [
        Normalize::Viewport,
        Normalize::Stable,
        Normalize::Fixed(1.0),
    ] {
        surface.back_mut().fill(9);
        let stats = heat_frame(
            &mut renderer,
            &PointBuffer::new(),
            &style(10.0, normalize),
            &view,
            &mut surface,
        )
        .expect("render");
        assert_eq!(stats.max_density, 0.0);
        assert!(surface.front().iter().all(|&b| b == 0), "{normalize:?}");
    }
    assert_eq!(renderer.point_uploads(), 0);
}

#[test]
fn unchanged_points_are_not_uploaded_again() {
    let mut renderer = renderer();
    let view = view(64, 48);
    let mut points = clusters(&view, 500);
    let style = style(8.0, Normalize::Viewport);
    let mut surface = Surface::new(1, 1).expect("valid size");
    let first = heat_frame(&mut renderer, &points, &style, &view, &mut surface).expect("render");
    let pixels = surface.front().to_vec();
    assert_eq!(renderer.point_uploads(), 1);
    // Same data, panned and restyled: no upload.
    let panned = View {
        center: view.pixel_to_lon_lat([40.0, 20.0]),
        ..view
    };
    for v in [view, panned, view] {
        heat_frame(&mut renderer, &points, &style, &v, &mut surface).expect("render");
    }
    assert_eq!(renderer.point_uploads(), 1);
    assert_eq!(surface.front(), &pixels[..], "same frame again");
    // Appending uploads (the tail), and the result includes the new point.
    push_pixel(&mut points, &view, 5.5, 5.5, 50.0);
    let appended = heat_frame(&mut renderer, &points, &style, &view, &mut surface).expect("render");
    assert_eq!(renderer.point_uploads(), 2);
    assert!(appended.max_density > first.max_density);
    let failure = compare(&mut renderer, "after append", &points, &style, &view);
    assert!(failure.is_none(), "{failure:?}");
}

#[test]
fn stable_maximum_matches_the_cpu_estimate() {
    let heat = LayerStack::default();
    let mut renderer = renderer();
    let view = view(256, 192);
    let points = clusters(&view, 5_000);
    let stable = style(20.0, Normalize::Stable);
    let mut surface = Surface::new(1, 1).expect("valid size");
    let gpu = heat_frame(&mut renderer, &points, &stable, &view, &mut surface).expect("render");
    let cpu = geoheat::CpuRenderer::new()
        .render_loose(&points, &stable, &heat, &view, &mut surface)
        .expect("render");
    assert_eq!(gpu.normalize_max.to_bits(), cpu.normalize_max.to_bits());
}

#[test]
fn render_to_view_draws_into_a_bgra_texture() {
    let mut renderer = renderer();
    let view = view(96, 64);
    let points = clusters(&view, 1_000);
    let style = style(10.0, Normalize::Fixed(20.0));
    let texture = texture(
        &renderer,
        [96, 64],
        wgpu::TextureFormat::Bgra8Unorm,
        wgpu::TextureUsages::RENDER_ATTACHMENT,
    );
    let target = texture.create_view(&Default::default());
    let stats = heat_to_view(
        &mut renderer,
        &points,
        &style,
        &view,
        &target,
        TargetAlpha::Premultiplied,
    )
    .expect("render to a view");
    assert_eq!(stats.normalize_max, 20.0);
    assert!(stats.max_density.is_nan(), "not read back");
    heat_to_view(
        &mut renderer,
        &PointBuffer::new(),
        &style,
        &view,
        &target,
        TargetAlpha::Straight,
    )
    .expect("empty frame");
}

#[test]
fn render_to_view_matches_the_surface_path_premultiplied() {
    let mut renderer = renderer();
    let view = view(77, 50);
    let points = clusters(&view, 800);
    let style = HeatStyle {
        opacity: 0.7,
        ..style(9.0, Normalize::Viewport)
    };
    let mut surface = Surface::new(1, 1).expect("valid size");
    heat_frame(&mut renderer, &points, &style, &view, &mut surface).expect("render");
    let texture = texture(
        &renderer,
        [77, 50],
        wgpu::TextureFormat::Rgba8Unorm,
        wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
    );
    let target = texture.create_view(&Default::default());
    for alpha in [TargetAlpha::Straight, TargetAlpha::Premultiplied] {
        heat_to_view(&mut renderer, &points, &style, &view, &target, alpha)
            .expect("render to a view");
        let pixels = read_texture(&renderer, &texture);
        let mut worst = 0;
        for (got, want) in pixels.chunks_exact(4).zip(surface.front().chunks_exact(4)) {
            let a = f32::from(want[3]) / 255.0;
            for c in 0..4 {
                let expected = match alpha {
                    TargetAlpha::Premultiplied if c < 3 => f32::from(want[c]) * a,
                    _ => f32::from(want[c]),
                };
                worst = worst.max((f32::from(got[c]) - expected).abs().round() as u32);
            }
        }
        // Straight: the same bytes; premultiplied: within the GPU's rounding of rgb · a.
        let bound = if alpha == TargetAlpha::Straight { 0 } else { 1 };
        assert!(worst <= bound, "{alpha:?}: max channel diff {worst}");
    }
}

#[test]
fn wgpu_validation_errors_are_errors_not_panics() {
    let mut renderer = renderer();
    let view = view(32, 32);
    let points = clusters(&view, 100);
    let style = style(5.0, Normalize::Viewport);
    // A target that cannot be rendered to: wgpu's validation error comes back as Error::Gpu.
    let sampled = texture(
        &renderer,
        [32, 32],
        wgpu::TextureFormat::Rgba8Unorm,
        wgpu::TextureUsages::TEXTURE_BINDING,
    );
    let err = heat_to_view(
        &mut renderer,
        &points,
        &style,
        &view,
        &sampled.create_view(&Default::default()),
        TargetAlpha::Straight,
    )
    .expect_err("not a render attachment");
    eprintln!("{err}");
    assert_eq!(err.code(), "GPU", "{err}");
    // A format the colour pass does not write.
    let float = texture(
        &renderer,
        [32, 32],
        wgpu::TextureFormat::Rgba16Float,
        wgpu::TextureUsages::RENDER_ATTACHMENT,
    );
    let err = heat_to_view(
        &mut renderer,
        &points,
        &style,
        &view,
        &float.create_view(&Default::default()),
        TargetAlpha::Straight,
    )
    .expect_err("unsupported format");
    assert_eq!(err.code(), "INVALID_OPTION", "{err}");
    // The renderer still works afterwards.
    let mut surface = Surface::new(1, 1).expect("valid size");
    heat_frame(&mut renderer, &points, &style, &view, &mut surface).expect("render after errors");
}

#[test]
fn a_view_beyond_the_device_texture_limit_is_an_error() {
    let adapter = pollster_adapter();
    let limits = wgpu::Limits {
        max_texture_dimension_2d: 1024,
        ..wgpu::Limits::downlevel_defaults()
    };
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        required_features: wgpu::Features::FLOAT32_BLENDABLE,
        required_limits: limits,
        ..Default::default()
    }))
    .expect("device with small limits");
    let mut renderer =
        pollster::block_on(GpuRenderer::from_device(adapter.get_info(), device, queue))
            .expect("renderer");
    let wide = view(2000, 10);
    let mut surface = Surface::new(1, 1).expect("valid size");
    let err = heat_frame(
        &mut renderer,
        &sparse(&wide),
        &HeatStyle::default(),
        &wide,
        &mut surface,
    )
    .expect_err("wider than the device allows");
    assert!(
        matches!(err, Error::InvalidSize { width: 2000, .. }),
        "{err}"
    );
}

#[test]
fn a_device_without_float32_blending_is_refused() {
    let adapter = pollster_adapter();
    let (device, queue) =
        pollster::block_on(adapter.request_device(&Default::default())).expect("plain device");
    let err = pollster::block_on(GpuRenderer::from_device(adapter.get_info(), device, queue))
        .expect_err("no FLOAT32_BLENDABLE");
    assert_eq!(err.code(), "GPU_UNAVAILABLE", "{err}");
}

#[test]
fn a_lost_device_makes_render_return_gpu_lost() {
    let mut renderer = renderer();
    let view = view(32, 32);
    let points = clusters(&view, 100);
    let style = style(5.0, Normalize::Viewport);
    let mut surface = Surface::new(1, 1).expect("valid size");
    heat_frame(&mut renderer, &points, &style, &view, &mut surface)
        .expect("render before the loss");
    renderer.device().destroy();
    let err = heat_frame(&mut renderer, &points, &style, &view, &mut surface)
        .expect_err("device destroyed");
    assert_eq!(err.code(), "GPU_LOST", "{err}");
    assert!(renderer.is_lost());
    let err =
        heat_frame(&mut renderer, &points, &style, &view, &mut surface).expect_err("still lost");
    assert_eq!(err.code(), "GPU_LOST", "{err}");
}

fn pollster_adapter() -> wgpu::Adapter {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
    pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions::default()))
        .expect("a GPU adapter (install mesa-vulkan-drivers libvulkan1 for lavapipe)")
}

#[test]
fn gpu_mean_matches_the_reference() {
    let mut renderer = renderer();
    let view = view(512, 384);
    let mut failures = Vec::new();
    for (name, points, radii) in mean_scenes(&view) {
        for &r in radii {
            for normalize in [Normalize::Viewport, Normalize::Stable] {
                let style = HeatStyle {
                    aggregation: Aggregation::Mean,
                    ..style(r, normalize)
                };
                let label = format!("mean {name} r={r} {normalize:?}");
                failures.extend(compare(&mut renderer, &label, &points, &style, &view));
            }
        }
    }
    assert!(failures.is_empty(), "below the bar: {failures:?}");
}
