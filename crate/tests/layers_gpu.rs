//! The layer stack on the GPU backend: custom WGSL layers (uniforms, time, hot swap, non-finite
//! faults), the blend modes against the compositing formulas of `geoheat::layer`, the built-in
//! points layer's coverage, and the built-ins against their CPU twins (`raster::layers`).
//!
//! Like gpu_parity.rs these need an adapter with float32 blending (lavapipe without a GPU) and
//! fail, not skip, without one.
#![cfg(feature = "gpu")]

mod common;

use common::{
    GpuLoose, RenderLoose, clusters, push_pixel, read_texture, renderer, style, texture, view,
};
use geoheat::gpu::{TargetAlpha, ViewTarget, wgpu};
use geoheat::raster::metrics::{max_abs_diff_u8, psnr_u8};
use geoheat::raster::reference;
use geoheat::{
    Blend, CpuRenderer, Error, GpuRenderer, HeatStyle, LayerKind, LayerSpec, LayerStack,
    LayerUpdate, Normalize, PointBuffer, Surface, UniformValue, View,
};

/// A constant colour where the normalised value is above one half, transparent elsewhere.
const MASK: &str = "\
fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    if value > 0.5 {
        return vec4(0.2, 0.4, 0.6, 1.0);
    }
    return vec4(0.0);
}
";

/// `u.tint` wherever there is density.
const TINT: &str = "\
fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {
    return select(vec4(0.0), u.tint, value > 0.0);
}
";

/// A uniform colour everywhere.
fn constant(rgba: [f32; 4]) -> String {
    let [r, g, b, a] = rgba;
    format!(
        "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {{\n    \
         return vec4({r:?}, {g:?}, {b:?}, {a:?});\n}}\n"
    )
}

/// A stack of just these layers, bottom first.
fn stack(specs: impl IntoIterator<Item = LayerSpec>) -> LayerStack {
    let mut layers = LayerStack::empty();
    for spec in specs {
        layers.add(spec, None).expect("valid layer");
    }
    layers
}

/// A small scene: 96×64 pixels of clustered points, r = 10, viewport normalisation.
fn scene() -> (View, PointBuffer, HeatStyle) {
    let view = view(96, 64);
    let points = clusters(&view, 2_000);
    (view, points, style(10.0, Normalize::Viewport))
}

fn frame(
    renderer: &mut GpuRenderer,
    (view, points, style): &(View, PointBuffer, HeatStyle),
    layers: &LayerStack,
    time_s: f32,
) -> Vec<u8> {
    let mut surface = Surface::new(1, 1).expect("valid size");
    renderer
        .surface_loose(points, style, layers, view, time_s, &mut surface)
        .expect("GPU render");
    surface.front().to_vec()
}

fn pixels(rgba: &[u8]) -> impl Iterator<Item = [u8; 4]> + '_ {
    rgba.chunks_exact(4).map(|p| [p[0], p[1], p[2], p[3]])
}

#[test]
fn custom_layer_colours_exactly_where_the_value_passes() {
    let mut renderer = renderer();
    let scene = scene();
    let (view, points, style) = &scene;
    let rgba = frame(
        &mut renderer,
        &scene,
        &stack([LayerSpec::custom("mask", MASK)]),
        0.0,
    );
    let density = reference::density(points, style, view).expect("reference density");
    let max = density.max();
    let (mut inside, mut outside, mut wrong) = (0, 0, Vec::new());
    for (i, (pixel, d)) in pixels(&rgba).zip(&density.values).enumerate() {
        let value = d / max;
        // The GPU sums in f32: leave values within rounding of the edge out.
        if (value - 0.5).abs() < 1e-3 {
            continue;
        }
        let expected = if value > 0.5 {
            inside += 1;
            [51, 102, 153, 255]
        } else {
            outside += 1;
            [0; 4]
        };
        if pixel != expected {
            wrong.push((i % 96, i / 96, pixel, expected));
        }
    }
    eprintln!(
        "mask: {inside} pixels inside, {outside} outside, {} wrong",
        wrong.len()
    );
    assert!(
        inside > 50 && outside > 50,
        "{inside} inside, {outside} outside"
    );
    assert!(wrong.is_empty(), "{:?}", &wrong[..wrong.len().min(5)]);
    assert!(renderer.take_faults().is_empty());
}

#[test]
fn set_uniform_changes_the_pixels() {
    let mut renderer = renderer();
    let scene = scene();
    let mut layers = stack([LayerSpec {
        uniforms: vec![("tint".into(), UniformValue::Vec4([1.0, 0.0, 0.0, 1.0]))],
        ..LayerSpec::custom("tint", TINT)
    }]);
    let red = frame(&mut renderer, &scene, &layers, 0.0);
    layers
        .set_uniform("tint", "tint", UniformValue::Vec4([0.0, 0.0, 1.0, 0.4]))
        .expect("declared uniform");
    let blue = frame(&mut renderer, &scene, &layers, 0.0);
    let covered: Vec<usize> = (0..red.len() / 4).filter(|i| red[i * 4 + 3] != 0).collect();
    assert!(covered.len() > 100, "{} pixels with density", covered.len());
    for &i in &covered {
        assert_eq!(red[i * 4..i * 4 + 4], [255, 0, 0, 255], "pixel {i}");
        assert_eq!(blue[i * 4..i * 4 + 4], [0, 0, 255, 102], "pixel {i}");
    }
}

#[test]
fn time_drives_an_animated_layer() {
    let mut renderer = renderer();
    let scene = scene();
    let layers = stack([LayerSpec::custom(
        "clock",
        "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    \
         return vec4(fract(geoheat.time), 0.0, 0.0, 1.0);\n}\n",
    )]);
    assert!(layers.is_animated());
    let early = frame(&mut renderer, &scene, &layers, 0.25);
    let late = frame(&mut renderer, &scene, &layers, 10.75);
    assert!(
        pixels(&early).all(|p| p == [64, 0, 0, 255]),
        "{:?}",
        &early[..4]
    );
    assert!(
        pixels(&late).all(|p| p == [191, 0, 0, 255]),
        "{:?}",
        &late[..4]
    );
}

#[test]
fn hot_swap_draws_the_new_shader_and_a_bad_swap_keeps_the_old_one() {
    let mut renderer = renderer();
    let scene = scene();
    let mut layers = stack([LayerSpec::custom("swap", &constant([1.0, 0.0, 0.0, 1.0]))]);
    let red = frame(&mut renderer, &scene, &layers, 0.0);
    assert!(pixels(&red).all(|p| p == [255, 0, 0, 255]));
    let swap = |wgsl: &str| LayerUpdate {
        wgsl: Some(wgsl.to_string()),
        ..LayerUpdate::default()
    };
    layers
        .update("swap", swap(&constant([0.0, 1.0, 0.0, 1.0])))
        .expect("valid replacement");
    let green = frame(&mut renderer, &scene, &layers, 0.0);
    assert!(pixels(&green).all(|p| p == [0, 255, 0, 255]));
    let err = layers
        .update(
            "swap",
            swap("fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n  return vec4(oops);\n}\n"),
        )
        .expect_err("unknown name");
    assert!(matches!(err, Error::Wgsl { line: Some(2), .. }), "{err}");
    let after = frame(&mut renderer, &scene, &layers, 0.0);
    assert_eq!(after, green, "the old shader still draws");
}

/// A layer that divides by a uniform set to 0 where the value is above one half: not
/// foldable at compile time, so the GPU really computes inf and NaN.
fn broken() -> LayerSpec {
    LayerSpec {
        uniforms: vec![("zero".into(), UniformValue::F32(0.0))],
        ..LayerSpec::custom(
            "broken",
            "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    \
             if value > 0.5 {\n        return vec4(value / u.zero, 0.0, u.zero / u.zero, 1.0);\n    }\n    \
             return vec4(0.0);\n}\n",
        )
    }
}

#[test]
fn non_finite_shade_is_reported_drawn_transparent_and_leaves_other_layers_alone() {
    let mut renderer = renderer();
    let scene = scene();
    let heat = || LayerSpec::built_in("heat", LayerKind::Heat);
    let clear = LayerSpec::custom("clear", &constant([0.0; 4]));
    let healthy = frame(&mut renderer, &scene, &stack([heat(), clear]), 0.0);
    assert!(renderer.take_faults().is_empty());
    let faulty = frame(&mut renderer, &scene, &stack([heat(), broken()]), 0.0);
    let faults = renderer.take_faults();
    assert_eq!(
        faults,
        [Error::LayerNonFinite {
            layer: "broken".into()
        }]
    );
    assert!(renderer.take_faults().is_empty(), "taken once");
    assert_eq!(faulty, healthy, "the heat below is unchanged");
    // Alone, the faulting pixels are transparent.
    let alone = frame(&mut renderer, &scene, &stack([broken()]), 0.0);
    assert!(alone.iter().all(|&b| b == 0));
    // Composited heat is the plain heat frame up to the premultiplied round trip.
    let plain = frame(&mut renderer, &scene, &LayerStack::default(), 0.0);
    let worst = healthy
        .iter()
        .zip(&plain)
        .map(|(a, b)| a.abs_diff(*b))
        .max();
    assert!(worst <= Some(1), "composited heat differs by {worst:?}");
}

#[test]
fn faults_of_frames_drawn_into_a_view_arrive_without_waiting() {
    let mut renderer = renderer();
    let (view, points, style) = scene();
    let layers = stack([broken()]);
    let texture = view_texture(&renderer, &view);
    let target = texture.create_view(&Default::default());
    let mut faults = Vec::new();
    for _ in 0..3 {
        renderer
            .view_loose(
                &points,
                &style,
                &layers,
                &view,
                ViewTarget {
                    view: &target,
                    alpha: TargetAlpha::Premultiplied,
                },
            )
            .expect("render to a view");
        assert!(renderer.faults_pending(), "mapped asynchronously");
        renderer
            .device()
            .poll(wgpu::PollType::wait_indefinitely())
            .expect("poll");
        faults.extend(renderer.take_faults());
        assert!(!renderer.faults_pending());
    }
    assert_eq!(
        faults,
        vec![
            Error::LayerNonFinite {
                layer: "broken".into()
            };
            3
        ]
    );
    assert!(read_texture(&renderer, &texture).iter().all(|&b| b == 0));
}

fn view_texture(renderer: &GpuRenderer, view: &View) -> wgpu::Texture {
    texture(
        renderer,
        [view.pixel_width(), view.pixel_height()],
        wgpu::TextureFormat::Rgba8Unorm,
        wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
    )
}

/// The compositing formulas of `geoheat::layer` in f64: premultiplied RGBA after each layer of
/// (straight colour, opacity, blend), from transparent.
fn composite(layers: &[([f32; 4], f32, Blend)]) -> [f64; 4] {
    let mut dst = [0.0f64; 4];
    for &(s, opacity, blend) in layers {
        let s = s.map(|c| f64::from(c).clamp(0.0, 1.0));
        let a = s[3] * f64::from(opacity);
        let src = [s[0] * a, s[1] * a, s[2] * a, a];
        for c in 0..4 {
            dst[c] = match blend {
                Blend::Normal => src[c] + dst[c] * (1.0 - a),
                Blend::Add => src[c] + dst[c],
                Blend::Multiply if c < 3 => dst[c] * (1.0 - a + s[c] * a),
                Blend::Multiply => dst[c],
            };
        }
    }
    dst
}

/// RGBA8 of a premultiplied composite: straight (`rgb / a`) or premultiplied, clamped.
fn to_rgba8(premultiplied: [f64; 4], alpha: TargetAlpha) -> [f64; 4] {
    let c = premultiplied.map(|v| v.clamp(0.0, 1.0));
    let a = c[3];
    let rgb = |i: usize| match alpha {
        _ if a <= 0.0 => 0.0,
        TargetAlpha::Straight => (c[i] / a).min(1.0),
        TargetAlpha::Premultiplied => c[i].min(a),
    };
    [rgb(0), rgb(1), rgb(2), a].map(|v| v * 255.0)
}

#[test]
fn blend_modes_follow_the_compositing_formulas() {
    let mut renderer = renderer();
    let scene = scene();
    let texture = view_texture(&renderer, &scene.0);
    let target = texture.create_view(&Default::default());
    let bottom = ([0.2, 0.6, 0.9, 0.5], 1.0);
    // An over-bright top layer too: add must saturate only at the end.
    for top in [([0.8, 0.4, 0.1, 0.6], 0.5), ([1.0, 0.9, 0.8, 1.0], 0.9)] {
        for blend in [Blend::Normal, Blend::Add, Blend::Multiply] {
            let layers = stack([
                LayerSpec::custom("bottom", &constant(bottom.0)),
                LayerSpec {
                    blend,
                    opacity: top.1,
                    ..LayerSpec::custom("top", &constant(top.0))
                },
            ]);
            let expected = composite(&[(bottom.0, bottom.1, Blend::Normal), (top.0, top.1, blend)]);
            let straight = frame(&mut renderer, &scene, &layers, 0.0);
            renderer
                .view_loose(
                    &scene.1,
                    &scene.2,
                    &layers,
                    &scene.0,
                    ViewTarget {
                        view: &target,
                        alpha: TargetAlpha::Premultiplied,
                    },
                )
                .expect("render to a view");
            let premultiplied = read_texture(&renderer, &texture);
            for (alpha, rgba) in [
                (TargetAlpha::Straight, &straight),
                (TargetAlpha::Premultiplied, &premultiplied),
            ] {
                let want = to_rgba8(expected, alpha);
                let first = pixels(rgba).next().expect("pixels");
                assert!(pixels(rgba).all(|p| p == first), "{blend:?}: uniform frame");
                let worst = (0..4)
                    .map(|c| (f64::from(first[c]) - want[c]).abs())
                    .fold(0.0, f64::max);
                eprintln!(
                    "{blend:?} top {top:?} {alpha:?}: got {first:?}, formula {want:.2?}, \
                     max diff {worst:.2}"
                );
                assert!(worst <= 1.0, "{blend:?} {alpha:?}: {first:?} vs {want:?}");
            }
        }
    }
}

#[test]
fn points_layer_draws_anti_aliased_discs_of_its_radius() {
    let mut renderer = renderer();
    for dpr in [1.0, 2.0] {
        let view = View {
            device_pixel_ratio: dpr,
            ..view(40, 30)
        };
        let mut points = PointBuffer::new();
        // At a pixel centre, and a second one overlapping it (max, not sum).
        push_pixel(&mut points, &view, 20.5, 20.5, 1.0);
        push_pixel(&mut points, &view, 22.5, 20.5, 1.0);
        let layers = stack([LayerSpec {
            uniforms: vec![
                ("radius".into(), UniformValue::F32(3.0)),
                ("color".into(), UniformValue::Vec4([1.0, 0.5, 0.0, 0.8])),
            ],
            ..LayerSpec::built_in("dots", LayerKind::Points)
        }]);
        let scene = (view, points, style(5.0, Normalize::Viewport));
        let rgba = frame(&mut renderer, &scene, &layers, 0.0);
        let width = view.pixel_width() as usize;
        let alpha = |x: usize, y: usize| rgba[(y * width + x) * 4 + 3];
        // Coverage clamp(r · dpr + 0.5 − distance, 0, 1) times the colour's alpha 0.8.
        let r = 3.0 * dpr;
        for (x, want) in [
            (20, 1.0),
            (21, 1.0),
            (17, (r + 0.5 - 3.0f64).clamp(0.0, 1.0)),
            (20 - r as usize, 0.5),
            (20 - r as usize - 1, 0.0),
        ] {
            let want = (want * 0.8 * 255.0f64).round() as u8;
            assert!(
                alpha(x, 20).abs_diff(want) <= 1,
                "dpr {dpr}, x {x}: alpha {} want {want}",
                alpha(x, 20)
            );
        }
        let centre = &rgba[(20 * width + 20) * 4..][..4];
        let worst = centre
            .iter()
            .zip([255, 128, 0, 204])
            .map(|(a, b)| a.abs_diff(b))
            .max();
        assert!(worst <= Some(1), "dpr {dpr}: centre {centre:?}");
        assert_eq!(alpha(2, 2), 0, "far from the points");
    }
}

#[test]
fn points_layer_discs_reach_across_the_antimeridian_beyond_the_kernel() {
    // The view's right edge is 10 px west of the antimeridian; a point 5 px east of it lies in
    // the next world copy, 15 px beyond the edge. Its 20 px disc reaches into the view, the 2 px
    // kernel does not.
    let world_px = 512.0 * 2f64.powi(8);
    let view = View {
        center: [360.0 * (1.0 - 110.0 / world_px) - 180.0, 0.0],
        zoom: 8.0,
        ..view(200, 20)
    };
    let mut points = PointBuffer::new();
    points.push(-180.0 + 360.0 * 5.0 / world_px, 0.0, 1.0);
    let layers = stack([LayerSpec {
        uniforms: vec![("radius".into(), UniformValue::F32(20.0))],
        ..LayerSpec::built_in("dots", LayerKind::Points)
    }]);
    let mut renderer = renderer();
    let rgba = frame(
        &mut renderer,
        &(view, points, style(2.0, Normalize::Viewport)),
        &layers,
        0.0,
    );
    let alpha = |x: usize| rgba[(10 * 200 + x) * 4 + 3];
    // 15.5 px from the last column's centre: fully covered, in the default colour's alpha 0.9.
    assert_eq!(alpha(199), 230);
    assert_eq!(alpha(180), 0, "beyond the disc");
}

#[test]
fn an_empty_stack_and_a_stack_of_hidden_layers_are_transparent() {
    let mut renderer = renderer();
    let scene = scene();
    let mut hidden = LayerStack::default();
    hidden
        .update(
            "heat",
            LayerUpdate {
                visible: Some(false),
                ..LayerUpdate::default()
            },
        )
        .expect("heat exists");
    for layers in [LayerStack::empty(), hidden] {
        let rgba = frame(&mut renderer, &scene, &layers, 0.0);
        assert!(rgba.iter().all(|&b| b == 0));
    }
}

#[test]
fn contours_render_on_the_gpu_without_faults() {
    let mut renderer = renderer();
    let scene = scene();
    let layers = stack([LayerSpec {
        uniforms: vec![("fill".into(), UniformValue::F32(0.5))],
        ..LayerSpec::built_in("contours", LayerKind::Contours)
    }]);
    let rgba = frame(&mut renderer, &scene, &layers, 0.0);
    let drawn = pixels(&rgba).filter(|p| p[3] > 0).count();
    eprintln!("contours: {drawn} of {} pixels drawn", rgba.len() / 4);
    assert!(drawn > 100);
    assert!(renderer.take_faults().is_empty());
}

/// GPU and CPU frames of `layers` over one scene, compared as premultiplied colour (what is seen:
/// a straight colour under an alpha that rounds to 0 on one side and 1 on the other is
/// arbitrary): RGBA PSNR and largest channel difference, printed (see them with --nocapture).
fn gpu_vs_cpu(
    renderer: &mut GpuRenderer,
    name: &str,
    scene: &(View, PointBuffer, HeatStyle),
    layers: &LayerStack,
) -> (f64, u8) {
    let gpu = premultiplied(&frame(renderer, scene, layers, 0.0));
    let (view, points, style) = scene;
    let mut surface = Surface::new(1, 1).expect("valid size");
    CpuRenderer::new()
        .render_loose(points, style, layers, view, &mut surface)
        .expect("CPU render");
    let cpu = premultiplied(surface.front());
    let (psnr, worst) = (psnr_u8(&gpu, &cpu), max_abs_diff_u8(&gpu, &cpu));
    eprintln!(
        "{name:>24}: GPU vs CPU premultiplied RGBA PSNR {psnr:6.2} dB, max channel diff {worst}"
    );
    (psnr, worst)
}

/// Straight RGBA8 to premultiplied RGBA8.
fn premultiplied(rgba: &[u8]) -> Vec<u8> {
    pixels(rgba)
        .flat_map(|[r, g, b, a]| {
            let scale = |c: u8| (f32::from(c) * f32::from(a) / 255.0).round() as u8;
            [scale(r), scale(g), scale(b), a]
        })
        .collect()
}

/// A built-in layer named after its kind, with some uniforms set.
fn built_in(kind: LayerKind, uniforms: &[(&str, UniformValue)]) -> LayerSpec {
    LayerSpec {
        uniforms: uniforms
            .iter()
            .map(|(name, value)| ((*name).to_string(), *value))
            .collect(),
        ..LayerSpec::built_in(kind.name(), kind)
    }
}

#[test]
fn points_layer_matches_the_cpu() {
    // Coverage does not depend on the density, so the backends agree to rounding.
    let mut renderer = renderer();
    let view = view(256, 192);
    for dpr in [1.0, 2.0] {
        let view = View {
            device_pixel_ratio: dpr,
            ..view
        };
        let scene = (
            view,
            clusters(&view, 3_000),
            style(12.0, Normalize::Viewport),
        );
        let layers = stack([built_in(
            LayerKind::Points,
            &[
                ("radius", UniformValue::F32(2.0)),
                ("color", UniformValue::Vec4([0.9, 0.3, 0.1, 0.8])),
            ],
        )]);
        let (_, worst) = gpu_vs_cpu(&mut renderer, &format!("points dpr {dpr}"), &scene, &layers);
        assert!(worst <= 1, "points dpr {dpr}: max channel diff {worst}");
    }
}

#[test]
fn heat_and_contours_layers_match_the_cpu_within_the_fast_paths_error() {
    // The CPU bins points on a grid and blurs (the fast path), the GPU sums the exact kernel:
    // values differ by up to ~2% of the maximum (raster_parity.rs), so ramp colours shift a few
    // units (the CLI's GPU test allows 32) and iso-lines, sharp across a pixel or two, move by
    // fractions of a pixel. Measured on lavapipe: heat 49.8 dB (max 6), contours 31.9 dB, the
    // three together 48.4 dB.
    let mut renderer = renderer();
    let view = view(256, 192);
    let scene = (
        view,
        clusters(&view, 5_000),
        style(20.0, Normalize::Viewport),
    );
    let heat = LayerSpec {
        opacity: 0.6,
        ..built_in(LayerKind::Heat, &[])
    };
    let contours = built_in(LayerKind::Contours, &[("fill", UniformValue::F32(0.4))]);
    let dots = built_in(LayerKind::Points, &[]);
    let (psnr, worst) = gpu_vs_cpu(
        &mut renderer,
        "heat opacity 0.6",
        &scene,
        &stack([heat.clone()]),
    );
    assert!(
        psnr >= 40.0 && worst <= 32,
        "heat: {psnr:.2} dB, max diff {worst}"
    );
    let (psnr, _) = gpu_vs_cpu(
        &mut renderer,
        "contours fill 0.4",
        &scene,
        &stack([contours.clone()]),
    );
    assert!(psnr >= 28.0, "contours: {psnr:.2} dB");
    let layers = stack([heat, contours, dots]);
    let (psnr, _) = gpu_vs_cpu(&mut renderer, "heat, contours, points", &scene, &layers);
    assert!(psnr >= 40.0, "stack: {psnr:.2} dB");
}
