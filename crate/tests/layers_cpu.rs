//! The layer stack on the CPU renderer: compositing by the formulas of `geoheat::layer`, the
//! built-in layers against what they should draw, and the default stack's bytes unchanged.

mod common;

use common::{RenderLoose, antimeridian_view, clusters, push_pixel, style, view};
use geoheat::{
    Blend, ColorRamp, CpuRenderer, HeatStyle, LayerKind, LayerSpec, LayerStack, Normalize,
    PointBuffer, Surface, UniformValue, View,
};

/// One frame of `layers`, as straight RGBA8.
fn frame(points: &PointBuffer, style: &HeatStyle, layers: &LayerStack, view: &View) -> Vec<u8> {
    let mut surface = Surface::new(1, 1).expect("valid size");
    CpuRenderer::new()
        .render_loose(points, style, layers, view, &mut surface)
        .expect("renders");
    surface.front().to_vec()
}

/// A built-in layer for [`stack`]: kind, uniforms, blend and opacity.
type Built<'a> = (LayerKind, &'a [(&'a str, UniformValue)], Blend, f32);

/// A stack of the given layers in order, named by kind and index (`heat-0`, `points-1`, ...).
fn stack(layers: &[Built]) -> LayerStack {
    let mut stack = LayerStack::empty();
    for (i, &(kind, uniforms, blend, opacity)) in layers.iter().enumerate() {
        let spec = LayerSpec {
            uniforms: uniforms
                .iter()
                .map(|&(name, value)| (name.to_string(), value))
                .collect(),
            blend,
            opacity,
            ..LayerSpec::built_in(&format!("{}-{i}", kind.name()), kind)
        };
        stack.add(spec, None).expect("valid layer");
    }
    stack
}

fn heat(blend: Blend, opacity: f32) -> Built<'static> {
    (LayerKind::Heat, &[], blend, opacity)
}

fn pixel(rgba: &[u8], view: &View, x: usize, y: usize) -> [u8; 4] {
    let at = (y * view.pixel_width() as usize + x) * 4;
    rgba[at..at + 4].try_into().expect("4 bytes")
}

/// A style whose ramp is one colour, so the heat layer paints it wherever the frame has density.
fn flat_style(color: [u8; 4]) -> HeatStyle {
    let stop = |offset| geoheat::style::ColorStop { offset, color };
    HeatStyle {
        ramp: ColorRamp::new(vec![stop(0.0), stop(1.0)]).expect("valid ramp"),
        ..style(10.0, Normalize::Viewport)
    }
}

#[test]
fn the_default_stack_is_the_single_layer_frame() {
    let v = view(160, 120);
    let points = clusters(&v, 3_000);
    let style = style(15.0, Normalize::Viewport);
    let mut renderer = CpuRenderer::new();
    let mut surface = Surface::new(1, 1).expect("valid size");
    let stats = renderer
        .render_loose(&points, &style, &LayerStack::default(), &v, &mut surface)
        .expect("renders");
    // The colouring of the single-layer renderer, written out: lut[round(clamp(d / max) · 255)].
    let lut = style.ramp.lut();
    let inv = 1.0 / stats.normalize_max;
    let expected: Vec<u8> = renderer
        .density()
        .values
        .iter()
        .flat_map(|&d| lut[((d * inv).clamp(0.0, 1.0) * 255.0 + 0.5) as usize])
        .collect();
    assert!(surface.front() == expected.as_slice());
    // Hidden layers do not take the frame off that path.
    let mut hidden = LayerStack::default();
    hidden
        .add(
            LayerSpec {
                visible: false,
                ..LayerSpec::built_in("dots", LayerKind::Points)
            },
            None,
        )
        .expect("valid layer");
    assert!(frame(&points, &style, &hidden, &v) == expected);
}

#[test]
fn heat_through_the_compositor_at_half_opacity_halves_alpha() {
    let v = view(160, 120);
    let points = clusters(&v, 3_000);
    let style = HeatStyle {
        opacity: 0.8,
        threshold: 0.1,
        ..style(15.0, Normalize::Viewport)
    };
    let plain = frame(&points, &style, &LayerStack::default(), &v);
    for opacity in [1.0, 0.5] {
        let layered = frame(&points, &style, &stack(&[heat(Blend::Normal, opacity)]), &v);
        for (p, l) in plain.chunks_exact(4).zip(layered.chunks_exact(4)) {
            let alpha = (f32::from(p[3]) * opacity).round();
            assert!(
                (f32::from(l[3]) - alpha).abs() <= 1.0,
                "opacity {opacity}: {p:?} → {l:?}"
            );
            // Where the heat has no alpha at all the compositor writes transparent black;
            // elsewhere the colour is the ramp's.
            if l != [0; 4] {
                let close = p[..3].iter().zip(&l[..3]).all(|(a, b)| a.abs_diff(*b) <= 1);
                assert!(close, "opacity {opacity}: {p:?} → {l:?}");
            }
        }
    }
}

#[test]
fn blend_modes_and_opacity_give_the_hand_computed_pixel() {
    // Heat paints (0.2, 0.4, 1.0, 0.8) everywhere; a dot of (1, 0.4, 0, 1) at opacity 0.6 covers
    // one pixel fully. Below: premultiplied (0.16, 0.32, 0.8, 0.8); the dot's alpha a = 0.6.
    let v = view(40, 30);
    let style = flat_style([51, 102, 255, 204]);
    let mut points = PointBuffer::new();
    push_pixel(&mut points, &v, 20.5, 15.5, 1.0);
    let dot: &[(&str, UniformValue)] = &[
        ("radius", UniformValue::F32(3.0)),
        ("color", UniformValue::Vec4([1.0, 0.4, 0.0, 1.0])),
    ];
    for (blend, expected) in [
        // src (0.6, 0.24, 0, 0.6) + below · 0.4 = (0.664, 0.368, 0.32, 0.92); / 0.92.
        (Blend::Normal, [184, 102, 89, 235]),
        // src + below = (0.76, 0.56, 0.8, 1.4), clamped to alpha 1.
        (Blend::Add, [194, 143, 204, 255]),
        // rgb · (1 − a + c · a) = rgb · (1, 0.64, 0.4), alpha stays 0.8.
        (Blend::Multiply, [51, 65, 102, 204]),
    ] {
        let layers = stack(&[
            heat(Blend::Normal, 1.0),
            (LayerKind::Points, dot, blend, 0.6),
        ]);
        let rgba = frame(&points, &style, &layers, &v);
        assert_eq!(pixel(&rgba, &v, 20, 15), expected, "{blend:?}");
        // Away from the dot, the heat alone.
        assert_eq!(pixel(&rgba, &v, 2, 2), [51, 102, 255, 204], "{blend:?}");
    }
}

#[test]
fn transparent_stays_transparent() {
    let v = view(40, 30);
    let mut points = PointBuffer::new();
    push_pixel(&mut points, &v, 20.5, 15.5, 1.0);
    let style = style(10.0, Normalize::Viewport);
    let blank = |points: &PointBuffer, layers: &LayerStack| {
        frame(points, &style, layers, &v).iter().all(|&b| b == 0)
    };
    assert!(blank(&points, &LayerStack::empty()));
    // Without points no layer draws anything, whatever its blend.
    for (kind, blend) in [
        (LayerKind::Heat, Blend::Add),
        (LayerKind::Contours, Blend::Normal),
        (LayerKind::Contours, Blend::Add),
        (LayerKind::Points, Blend::Normal),
    ] {
        let layers = stack(&[(kind, &[], blend, 1.0)]);
        assert!(blank(&PointBuffer::new(), &layers), "{kind:?} {blend:?}");
    }
    // Multiply darkens what is below; over nothing it leaves nothing.
    assert!(blank(
        &points,
        &stack(&[(LayerKind::Heat, &[], Blend::Multiply, 1.0)])
    ));
    // Away from its dots a points layer is transparent.
    let dots = stack(&[(LayerKind::Points, &[], Blend::Normal, 1.0)]);
    assert_eq!(pixel(&frame(&points, &style, &dots, &v), &v, 2, 2), [0; 4]);
}

/// The alpha a disc of `radius` device pixels centred at `centre` gives pixel `(x, y)`.
fn disc_alpha(centre: [f64; 2], radius: f64, x: usize, y: usize) -> f64 {
    let d = (x as f64 + 0.5 - centre[0]).hypot(y as f64 + 0.5 - centre[1]);
    (radius + 0.5 - d).clamp(0.0, 1.0) * 255.0
}

#[test]
fn a_point_is_a_disc_of_its_radius_at_its_pixel() {
    for dpr in [1.0, 2.0] {
        let v = View {
            device_pixel_ratio: dpr,
            ..view(48, 32)
        };
        // A pixel centre at both ratios.
        let centre = [20.0 * dpr + 0.5, 15.0 * dpr + 0.5];
        let mut points = PointBuffer::new();
        push_pixel(&mut points, &v, centre[0], centre[1], 1.0);
        let dots = stack(&[(
            LayerKind::Points,
            &[
                ("radius", UniformValue::F32(4.0)),
                ("color", UniformValue::Vec4([1.0, 0.4, 0.0, 1.0])),
            ],
            Blend::Normal,
            1.0,
        )]);
        let rgba = frame(&points, &style(10.0, Normalize::Viewport), &dots, &v);
        let radius = 4.0 * dpr;
        let (w, h) = (v.pixel_width() as usize, v.pixel_height() as usize);
        let mut covered = 0;
        for y in 0..h {
            for x in 0..w {
                let expected = disc_alpha(centre, radius, x, y);
                let got = pixel(&rgba, &v, x, y);
                assert!(
                    (f64::from(got[3]) - expected).abs() <= 1.0,
                    "dpr {dpr} ({x}, {y}): {got:?}, expected alpha {expected}"
                );
                if expected == 0.0 {
                    assert_eq!(got, [0; 4], "dpr {dpr} ({x}, {y}) is outside");
                } else {
                    assert_eq!(got[..3], [255, 102, 0], "dpr {dpr} ({x}, {y})");
                    covered += 1;
                }
            }
        }
        // The centre is fully covered; a pixel `radius` away is half covered.
        let (cx, cy) = ((20.0 * dpr) as usize, (15.0 * dpr) as usize);
        assert_eq!(pixel(&rgba, &v, cx, cy)[3], 255);
        assert!(pixel(&rgba, &v, cx + radius as usize, cy)[3].abs_diff(128) <= 1);
        // About the area of a disc of radius + 0.5 (partial pixels count once).
        let area = std::f64::consts::PI * (radius + 0.5) * (radius + 0.5);
        assert!(
            (covered as f64 - area).abs() < 0.25 * area,
            "{covered} vs {area}"
        );
    }
}

#[test]
fn points_across_the_antimeridian_draw_on_the_near_world_copy() {
    let v = antimeridian_view();
    let dots = stack(&[(
        LayerKind::Points,
        &[("radius", UniformValue::F32(2.0))],
        Blend::Normal,
        1.0,
    )]);
    for lon in [179.9, -179.9] {
        let mut points = PointBuffer::new();
        points.push(lon, 0.1, 1.0);
        let rgba = frame(&points, &style(10.0, Normalize::Viewport), &dots, &v);
        let [x, y] = v.lon_lat_to_pixel(lon, 0.1);
        assert!((0.0..200.0).contains(&x), "{lon} is on screen at {x}");
        let got = pixel(&rgba, &v, x as usize, y as usize);
        assert!(got[3] > 200, "{lon}: {got:?} at ({x}, {y})");
        let drawn = rgba.chunks_exact(4).filter(|p| p[3] > 0).count();
        // One disc of radius 2.5 (partial pixels included), not two or none.
        assert!((15..=40).contains(&drawn), "{lon}: {drawn} pixels");
    }
}

#[test]
fn overlapping_points_keep_the_largest_coverage() {
    let v = view(40, 30);
    let mut points = PointBuffer::new();
    push_pixel(&mut points, &v, 18.5, 15.5, 1.0);
    push_pixel(&mut points, &v, 21.5, 15.5, 1.0);
    let dots = stack(&[(
        LayerKind::Points,
        &[
            ("radius", UniformValue::F32(4.0)),
            ("color", UniformValue::Vec4([1.0, 1.0, 1.0, 0.5])),
        ],
        Blend::Normal,
        1.0,
    )]);
    let style = style(10.0, Normalize::Viewport);
    let rgba = frame(&points, &style, &dots, &v);
    // Covered by both discs: half alpha once, not 0.75 (stacked) or 1 (summed).
    assert_eq!(pixel(&rgba, &v, 20, 15), [255, 255, 255, 128]);
    // The order of the points does not matter.
    let mut reversed = PointBuffer::new();
    push_pixel(&mut reversed, &v, 21.5, 15.5, 1.0);
    push_pixel(&mut reversed, &v, 18.5, 15.5, 1.0);
    assert!(frame(&reversed, &style, &dots, &v) == rgba);
}

/// One point of radius 30 px (σ = 10) in the middle of a 120×120 view: its normalised value at
/// distance `d` is exp(−d² / 2σ²), so the level `v` lies at `σ · sqrt(−2 ln v)`.
fn gaussian_scene() -> (View, PointBuffer, HeatStyle, [f64; 2], f64) {
    let v = view(120, 120);
    let centre = [60.5, 60.5];
    let mut points = PointBuffer::new();
    push_pixel(&mut points, &v, centre[0], centre[1], 1.0);
    (v, points, style(30.0, Normalize::Viewport), centre, 10.0)
}

#[test]
fn contour_lines_lie_where_the_gaussian_takes_each_level() {
    let (v, points, style, centre, sigma) = gaussian_scene();
    let interval = 0.25;
    let lines = stack(&[(
        LayerKind::Contours,
        &[
            ("interval", UniformValue::F32(interval)),
            ("width", UniformValue::F32(1.0)),
            ("color", UniformValue::Vec4([1.0, 1.0, 1.0, 1.0])),
        ],
        Blend::Normal,
        1.0,
    )]);
    let rgba = frame(&points, &style, &lines, &v);
    // Levels 0.25, 0.5 and 0.75; none at 1 (the value is clamped there).
    let radii: Vec<f64> = (1..=3)
        .map(|k| sigma * (-2.0 * (f64::from(k) * f64::from(interval)).ln()).sqrt())
        .collect();
    let mut on_line = [0; 3];
    for y in 0..120 {
        for x in 0..120 {
            let d = (x as f64 + 0.5 - centre[0]).hypot(y as f64 + 0.5 - centre[1]);
            let (k, off) = radii
                .iter()
                .map(|r| (d - r).abs())
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .expect("three levels");
            let alpha = pixel(&rgba, &v, x, y)[3];
            if off > 2.0 {
                assert_eq!(alpha, 0, "({x}, {y}) is {off:.2} px from the nearest line");
            }
            if off < 0.3 {
                assert!(alpha > 100, "({x}, {y}) is on line {k} but alpha {alpha}");
                on_line[k] += 1;
            }
        }
    }
    // Every ring was checked somewhere (a ring of radius r crosses about 2πr · 0.6 pixels so).
    assert!(on_line.iter().all(|&n| n > 10), "{on_line:?}");
}

#[test]
fn contour_bands_fill_with_the_ramp_at_their_lower_level() {
    let (v, points, style, centre, sigma) = gaussian_scene();
    let interval = 0.25;
    let bands = stack(&[(
        LayerKind::Contours,
        &[
            ("interval", UniformValue::F32(interval)),
            // Transparent lines: the fill alone.
            ("color", UniformValue::Vec4([1.0, 1.0, 1.0, 0.0])),
            ("fill", UniformValue::F32(0.5)),
        ],
        Blend::Normal,
        1.0,
    )]);
    let rgba = frame(&points, &style, &bands, &v);
    let lut = style.ramp.lut();
    let level_radius = |level: f64| sigma * (-2.0 * level.ln()).sqrt();
    // Halfway (in distance) between levels, and inside the top one.
    for (band, d) in [
        (1, 0.5 * (level_radius(0.25) + level_radius(0.5))),
        (2, 0.5 * (level_radius(0.5) + level_radius(0.75))),
        (3, 0.5 * level_radius(0.75)),
    ] {
        let x = (centre[0] + d) as usize;
        let got = pixel(&rgba, &v, x, 60);
        let color = lut[(f64::from(band) * f64::from(interval) * 255.0 + 0.5) as usize];
        let alpha = (f32::from(color[3]) * 0.5).round();
        assert!(
            got[..3]
                .iter()
                .zip(&color[..3])
                .all(|(a, b)| a.abs_diff(*b) <= 1)
                && (f32::from(got[3]) - alpha).abs() <= 1.0,
            "band {band} at x {x}: {got:?}, ramp {color:?}"
        );
    }
    // Below the first level: no band.
    let outside = (centre[0] + level_radius(0.25) + 3.0) as usize;
    assert_eq!(pixel(&rgba, &v, outside, 60), [0; 4]);
}

#[test]
fn custom_layers_are_skipped_on_the_cpu() {
    let v = view(80, 60);
    let points = clusters(&v, 1_000);
    let style = style(10.0, Normalize::Viewport);
    let dots = (LayerKind::Points, &[][..], Blend::Normal, 1.0);
    let without = stack(&[heat(Blend::Normal, 0.7), dots]);
    let mut with = without.clone();
    with.add(
        LayerSpec::custom(
            "red",
            "fn shade(value: f32, density: f32, px: vec2<f32>) -> vec4<f32> {\n    return vec4(1.0, 0.0, 0.0, 1.0);\n}\n",
        ),
        Some("points-1"),
    )
    .expect("valid WGSL");
    assert!(frame(&points, &style, &with, &v) == frame(&points, &style, &without, &v));
}
