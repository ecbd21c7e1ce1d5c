//! The fast CPU path against the exact reference, and the shared definitions every backend must
//! meet: kernel support, margins, world copies, device pixel ratio, normalisation, colour.

mod common;

use common::{
    RenderLoose, antimeridian_view, clusters, heavy, mean_scenes, normalized, push_pixel,
    quake_selections, quakes, selected_scene, sparse, style, view,
};
use geoheat::frame::DensityField;
use geoheat::raster::metrics::{max_abs_diff, max_abs_diff_u8, psnr, psnr_u8};
use geoheat::raster::reference;
use geoheat::{
    Aggregation, CpuRenderer, HeatStyle, LayerStack, MEAN_MIN_COVERAGE, Normalize, PointBuffer,
    Surface, View,
};

/// Renders with the fast path, returning its density and pixels.
fn fast(points: &PointBuffer, style: &HeatStyle, view: &View) -> (DensityField, Vec<u8>) {
    let heat = LayerStack::default();
    let mut renderer = CpuRenderer::new();
    let mut surface = Surface::new(1, 1).expect("valid size");
    renderer
        .render_loose(points, style, &heat, view, &mut surface)
        .expect("fast render");
    (renderer.density().clone(), surface.front().to_vec())
}

/// Renders with the reference, returning its density and pixels.
fn exact(points: &PointBuffer, style: &HeatStyle, view: &View) -> (DensityField, Vec<u8>) {
    let mut surface = Surface::new(1, 1).expect("valid size");
    reference::render(points, style, view, &mut surface).expect("reference render");
    (
        reference::density(points, style, view).expect("reference density"),
        surface.front().to_vec(),
    )
}

/// Largest RGBA channel difference allowed between fast and reference frames. The steepest stretch
/// of the default ramp is its alpha, 0 to 255 over the first 10% (10 units per palette index), so
/// 32 allows a 3-index (1.2% of the maximum) error there, or 6 indices on the colour stretches
/// (5 units per index). Measured: at most 20; the worst pixels are near the edge of an isolated
/// point's square support, where the 1.1% step of the truncated kernel gets resampled.
const MAX_CHANNEL_DIFF: u8 = 32;

#[test]
fn selections_match_the_reference_on_a_filtered_copy() {
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
            assert_eq!(scene.points().len(), copy.len(), "{name}");
            let mut renderer = CpuRenderer::new();
            let mut surface = Surface::new(1, 1).expect("valid size");
            renderer
                .render(&scene, &plan, &mut surface)
                .expect("fast render");
            let f = renderer.density();
            let (e, e_rgba) = exact(&copy, &style, &view);
            let e_max = e.max();
            let density_psnr = psnr(
                &normalized(&f.values, e_max),
                &normalized(&e.values, e_max),
                1.0,
            );
            let rgba_max = max_abs_diff_u8(surface.front(), &e_rgba);
            eprintln!(
                "{name:>28} {normalize:?}: density PSNR {density_psnr:6.2} dB, max channel diff {rgba_max}"
            );
            if density_psnr < 45.0 || rgba_max > MAX_CHANNEL_DIFF {
                failures.push(format!("{name} {normalize:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "below the bar: {failures:?}");
}

#[test]
fn fast_path_matches_the_reference() {
    let view = view(512, 384);
    let scenes = [
        ("sparse", sparse(&view), &[10.0, 25.0, 60.0][..]),
        ("clusters", clusters(&view, 50_000), &[10.0, 25.0][..]),
        ("heavy", heavy(&view), &[10.0, 25.0][..]),
    ];
    let mut failures = Vec::new();
    for (name, points, radii) in &scenes {
        for &r in *radii {
            let style = style(r, Normalize::Viewport);
            let (f, f_rgba) = fast(points, &style, &view);
            let (e, e_rgba) = exact(points, &style, &view);
            let (f_max, e_max) = (f.max(), e.max());
            // As shown: each normalised by its own frame maximum.
            let own = psnr(
                &normalized(&f.values, f_max),
                &normalized(&e.values, e_max),
                1.0,
            );
            // Both scaled by the reference maximum: also checks the absolute level.
            let shared = psnr(
                &normalized(&f.values, e_max),
                &normalized(&e.values, e_max),
                1.0,
            );
            let worst = max_abs_diff(&f.values, &e.values) / e_max;
            let rgba_psnr = psnr_u8(&f_rgba, &e_rgba);
            let rgba_max = max_abs_diff_u8(&f_rgba, &e_rgba);
            eprintln!(
                "{name:>8} r={r:>4}: density PSNR {own:.2} dB (ref-max scale {shared:.2} dB), \
                 max |diff| {:.3}% of max; RGBA PSNR {rgba_psnr:.2} dB, max channel diff {rgba_max}",
                100.0 * worst
            );
            if own < 45.0 || shared < 45.0 || rgba_max > MAX_CHANNEL_DIFF {
                failures.push(format!("{name} r={r}"));
            }
        }
    }
    assert!(failures.is_empty(), "below the bar: {failures:?}");
}

#[test]
fn fast_path_mean_matches_the_reference() {
    let view = view(512, 384);
    let mut failures = Vec::new();
    for (name, points, radii) in mean_scenes(&view) {
        for &r in radii {
            for normalize in [Normalize::Viewport, Normalize::Stable] {
                let style = HeatStyle {
                    aggregation: Aggregation::Mean,
                    ..style(r, normalize)
                };
                let (f, f_rgba) = fast(&points, &style, &view);
                let (e, e_rgba) = exact(&points, &style, &view);
                let e_max = e.max();
                let density_psnr = psnr(
                    &normalized(&f.values, e_max),
                    &normalized(&e.values, e_max),
                    1.0,
                );
                let rgba_psnr = psnr_u8(&f_rgba, &e_rgba);
                let covered = e.values.iter().filter(|&&v| v > 0.0).count();
                eprintln!(
                    "mean {name:>13} r={r:>4} {normalize:?}: density PSNR {density_psnr:6.2} dB, \
                     RGBA PSNR {rgba_psnr:6.2} dB, max channel diff {}",
                    max_abs_diff_u8(&f_rgba, &e_rgba)
                );
                if density_psnr < 45.0 || covered == 0 {
                    failures.push(format!("{name} r={r} {normalize:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "below the bar: {failures:?}");
}

#[test]
fn mean_is_the_weighted_average_and_fades_without_coverage() {
    // Two points 4 px apart with weights 2 and 6: between them the mean lies in (2, 6), at
    // each one's own pixel it leans to its weight, and far away there is no value.
    let view = view(64, 32);
    let mut points = PointBuffer::new();
    push_pixel(&mut points, &view, 30.5, 16.5, 2.0);
    push_pixel(&mut points, &view, 34.5, 16.5, 6.0);
    let style = HeatStyle {
        aggregation: Aggregation::Mean,
        ..style(8.0, Normalize::Viewport)
    };
    let e = reference::density(&points, &style, &view).expect("reference density");
    let at = |x: usize, y: usize| e.values[y * 64 + x];
    assert!((at(32, 16) - 4.0).abs() < 1e-4, "midway: {}", at(32, 16));
    assert!(at(30, 16) > 2.0 && at(30, 16) < 4.0);
    assert!(at(34, 16) > 4.0 && at(34, 16) < 6.0);
    // 8 px beyond the heavier point the coverage is exp(-4.5) < MEAN_MIN_COVERAGE: faded.
    let fringe = 6.0 * (-4.5f32).exp() / MEAN_MIN_COVERAGE;
    assert!(
        (at(42, 16) - fringe).abs() < 1e-3,
        "{} vs {fringe}",
        at(42, 16)
    );
    assert_eq!(at(2, 2), 0.0);
    let (f, rgba) = fast(&points, &style, &view);
    let midway = f.values[16 * 64 + 32];
    assert!((midway - 4.0).abs() < 0.05, "fast midway: {midway}");
    assert_eq!(rgba[4 * (2 * 64 + 2) + 3], 0, "no value: transparent");
    // The stable maximum is the largest mean, near the heavier point's weight.
    let stable = HeatStyle {
        normalize: Normalize::Stable,
        ..style
    };
    let mut renderer = CpuRenderer::new();
    let mut surface = Surface::new(1, 1).expect("valid size");
    let stats = renderer
        .render_loose(
            &points,
            &stable,
            &LayerStack::default(),
            &view,
            &mut surface,
        )
        .expect("fast render");
    assert!(
        stats.normalize_max > 5.0 && stats.normalize_max <= 6.0 + 1e-3,
        "{}",
        stats.normalize_max
    );
    let value = renderer.value_at(32.5, 16.5).expect("inside the frame");
    assert!(
        (value - 4.0).abs() < 0.05,
        "value_at speaks in the mean: {value}"
    );
}

/// A 101×101 view with one point at the centre of pixel (cx, cy) + (fx, fy).
fn single_point(fx: f64, fy: f64) -> (View, PointBuffer) {
    let view = view(101, 101);
    let mut points = PointBuffer::new();
    push_pixel(&mut points, &view, 50.5 + fx, 50.5 + fy, 1.0);
    (view, points)
}

fn argmax(field: &DensityField) -> (usize, usize) {
    let k = field
        .values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(k, _)| k);
    (k % field.width as usize, k / field.width as usize)
}

#[test]
fn single_point_peaks_on_its_pixel_and_is_symmetric() {
    for r in [10.0, 30.0] {
        let (view, points) = single_point(0.0, 0.0);
        let style = style(r, Normalize::Viewport);
        let (f, _) = fast(&points, &style, &view);
        assert_eq!(argmax(&f), (50, 50), "r = {r}");
        let peak = f.max();
        let mut asymmetry: f32 = 0.0;
        for j in 0..101 {
            for i in 0..101 {
                let v = f.values[j * 101 + i];
                for mirrored in [f.values[j * 101 + 100 - i], f.values[i * 101 + j]] {
                    asymmetry = asymmetry.max((v - mirrored).abs() / peak);
                }
            }
        }
        eprintln!("r = {r}: asymmetry {asymmetry:e} of the peak");
        // The grid's nodes are anchored to the world, so the point and the pixel centres sit
        // between nodes and the frame is symmetric up to the bilinear splat and the upsampling's
        // interpolation error: measured 6e-4 of the peak at r = 10 (far below one palette step,
        // 1/255), more on the coarse cells of r >= 16.
        let bound = if r < 16.0 { 1e-3 } else { 5e-3 };
        assert!(asymmetry <= bound, "r = {r}: asymmetry {asymmetry}");
        if r >= 16.0 {
            // Coarse cells place the peak to within their interpolation error (0.14% above),
            // about what moving the point half a pixel changes at this radius.
            continue;
        }
        // Off-centre points peak on the pixel that contains them.
        let (view, points) = single_point(-0.4, 0.45);
        assert_eq!(argmax(&fast(&points, &style, &view).0), (50, 50), "r = {r}");
        let (view, points) = single_point(0.6, -0.7);
        assert_eq!(argmax(&fast(&points, &style, &view).0), (51, 49), "r = {r}");
    }
}

#[test]
fn reference_support_is_the_square_of_radius_r() {
    let (view, points) = single_point(0.0, 0.0);
    let e = reference::density(&points, &style(10.0, Normalize::Viewport), &view).expect("density");
    let at = |i: usize, j: usize| e.values[j * 101 + i];
    assert_eq!(at(50, 50), 1.0);
    // r + 1 pixels away along either axis (and at the corners): outside the support.
    for (i, j) in [(61, 50), (39, 50), (50, 61), (50, 39), (61, 61)] {
        assert_eq!(at(i, j), 0.0, "({i}, {j})");
    }
    // r - 1 away and the corner of the square inside: exp(-81/(2·(10/3)²)) etc.
    assert!((at(59, 50) - (-4.5f32 * 0.81).exp()).abs() < 1e-5);
    assert!((at(59, 59) - (-9.0f32 * 0.81).exp()).abs() < 1e-5);
}

#[test]
fn points_just_outside_the_image_contribute() {
    let view = view(64, 48);
    let style = style(10.0, Normalize::Fixed(1.0));
    for (x, reaches) in [
        (-5.0, true),
        (-9.0, true),
        (-10.5, false),
        (64.0 + 8.0, true),
    ] {
        let mut points = PointBuffer::new();
        push_pixel(&mut points, &view, x, 20.5, 1.0);
        let edge = if x < 0.0 { 0 } else { 63 };
        let e = reference::density(&points, &style, &view).expect("density");
        let (f, _) = fast(&points, &style, &view);
        let (ev, fv) = (e.values[20 * 64 + edge], f.values[20 * 64 + edge]);
        assert_eq!(ev > 0.0, reaches, "x = {x}: reference {ev}");
        // The fast path blurs the truncation edge over a pixel: compare levels, not the edge.
        assert!((fv - ev).abs() < 0.01, "x = {x}: fast {fv}, reference {ev}");
    }
}

#[test]
fn antimeridian_points_show_on_both_sides() {
    let view = antimeridian_view();
    let mut points = PointBuffer::new();
    points.push(179.9, 0.0, 1.0);
    points.push(-179.9, 0.0, 1.0);
    let style = style(10.0, Normalize::Viewport);
    let e = reference::density(&points, &style, &view).expect("density");
    let (f, _) = fast(&points, &style, &view);
    for lon in [179.9, -179.9] {
        let [x, y] = view.lon_lat_to_pixel(lon, 0.0);
        let ev = e.value_at(x, y).expect("inside");
        let fv = f.value_at(x, y).expect("inside");
        assert!(ev > 0.9 && (fv - ev).abs() < 0.02, "lon {lon}: {ev} {fv}");
    }
    // 0.1° at zoom 8 is 36 px: one point left of the centre, one right.
    let [west, _] = view.lon_lat_to_pixel(179.9, 0.0);
    let [east, _] = view.lon_lat_to_pixel(-179.9, 0.0);
    assert!(west < 100.0 && east > 100.0, "{west} {east}");
}

#[test]
fn device_pixel_ratio_doubles_pixels_and_radius() {
    let heat = LayerStack::default();
    let base = view(60, 40);
    let hidpi = View {
        device_pixel_ratio: 2.0,
        ..base
    };
    let mut points = PointBuffer::new();
    points.push(base.center[0], base.center[1], 1.0);
    let style = style(8.0, Normalize::Viewport);
    let mut surface = Surface::new(1, 1).expect("valid size");
    let one = CpuRenderer::new()
        .render_loose(&points, &style, &heat, &base, &mut surface)
        .expect("render");
    let two = CpuRenderer::new()
        .render_loose(&points, &style, &heat, &hidpi, &mut surface)
        .expect("render");
    assert_eq!((two.width, two.height), (120, 80));
    assert_eq!((surface.width(), surface.height()), (120, 80));
    assert_eq!(two.radius_px, 2.0 * one.radius_px);
    // The point sits on the corner of pixels (59, 39) and (60, 40): 16 px (the radius) from the
    // centre of pixel 75 is inside, 17 px (pixel 77 centre is 17.5 away) is not.
    let e = reference::density(&points, &style, &hidpi).expect("density");
    assert!(e.value_at(75.5, 40.5).expect("inside") > 0.0);
    assert_eq!(e.value_at(77.5, 40.5), Some(0.0));
}

#[test]
fn normalisation_modes() {
    let heat = LayerStack::default();
    let view = view(256, 192);
    let points = clusters(&view, 5_000);
    let mut renderer = CpuRenderer::new();
    let mut surface = Surface::new(1, 1).expect("valid size");
    let lut = HeatStyle::default().ramp.lut();

    // Viewport: the top pixel is value 1, the last palette entry.
    let stats = renderer
        .render_loose(
            &points,
            &style(20.0, Normalize::Viewport),
            &heat,
            &view,
            &mut surface,
        )
        .expect("render");
    assert_eq!(stats.normalize_max, stats.max_density);
    let (i, j) = argmax(renderer.density());
    let top = (j * 256 + i) * 4;
    assert_eq!(&surface.front()[top..top + 4], &lut[255]);

    // Fixed at half the maximum: everything at or above it saturates.
    let half = stats.max_density / 2.0;
    let stats = renderer
        .render_loose(
            &points,
            &style(20.0, Normalize::Fixed(half)),
            &heat,
            &view,
            &mut surface,
        )
        .expect("render");
    assert_eq!(stats.normalize_max, half);
    for (k, &d) in renderer.density().values.iter().enumerate() {
        if d >= half {
            assert_eq!(&surface.front()[k * 4..k * 4 + 4], &lut[255]);
        }
    }

    // Stable: the same maximum after panning (exactly), another one after zooming, and for data
    // inside the view the true maximum within the fast path's error.
    let stable = style(20.0, Normalize::Stable);
    let centred = renderer
        .render_loose(&points, &stable, &heat, &view, &mut surface)
        .expect("render");
    // Not by whole pixels: the density is translation-invariant, so a whole-pixel pan that keeps
    // the peak in view keeps the frame's maximum too.
    let moved = View {
        center: view.pixel_to_lon_lat([200.3, 37.6]),
        ..view
    };
    let panned = renderer
        .render_loose(&points, &stable, &heat, &moved, &mut surface)
        .expect("render");
    assert_eq!(
        panned.normalize_max.to_bits(),
        centred.normalize_max.to_bits()
    );
    assert_ne!(
        panned.max_density, centred.max_density,
        "the pan changed the frame"
    );
    // A new renderer (no cache) gets the same value.
    let fresh = CpuRenderer::new()
        .render_loose(&points, &stable, &heat, &moved, &mut surface)
        .expect("render");
    assert_eq!(
        fresh.normalize_max.to_bits(),
        centred.normalize_max.to_bits()
    );
    let zoomed = renderer
        .render_loose(
            &points,
            &stable,
            &heat,
            &View { zoom: 10.5, ..view },
            &mut surface,
        )
        .expect("render");
    assert_ne!(zoomed.normalize_max, centred.normalize_max);
    let true_max = reference::density(&points, &stable, &view)
        .expect("density")
        .max();
    let rel = (centred.normalize_max - true_max).abs() / true_max;
    eprintln!(
        "stable max {} vs reference max {true_max}: {:.3}%",
        centred.normalize_max,
        100.0 * rel
    );
    assert!(
        rel < 0.015,
        "stable {} vs true {true_max}",
        centred.normalize_max
    );
}

#[test]
fn stable_maximum_sees_across_the_antimeridian() {
    let heat = LayerStack::default();
    // Two points 0.2° apart across the antimeridian overlap like any two close points.
    let view = antimeridian_view();
    let mut across = PointBuffer::new();
    across.push(179.95, 0.0, 1.0);
    across.push(-179.95, 0.0, 1.0);
    let mut near = PointBuffer::new();
    near.push(9.95, 0.0, 1.0);
    near.push(10.05, 0.0, 1.0);
    let style = style(25.0, Normalize::Stable);
    let mut surface = Surface::new(1, 1).expect("valid size");
    let a = CpuRenderer::new()
        .render_loose(&across, &style, &heat, &view, &mut surface)
        .expect("render");
    let b = CpuRenderer::new()
        .render_loose(&near, &style, &heat, &view, &mut surface)
        .expect("render");
    assert!(
        (a.normalize_max - b.normalize_max).abs() < 0.01 * b.normalize_max,
        "{} {}",
        a.normalize_max,
        b.normalize_max
    );
}

#[test]
fn opacity_threshold_and_straight_colour() {
    let heat = LayerStack::default();
    let view = view(128, 96);
    let points = clusters(&view, 2_000);
    let lut = HeatStyle::default().ramp.lut();
    let style = HeatStyle {
        opacity: 0.5,
        threshold: 0.4,
        ..style(12.0, Normalize::Viewport)
    };
    let mut renderer = CpuRenderer::new();
    let mut surface = Surface::new(1, 1).expect("valid size");
    let stats = renderer
        .render_loose(&points, &style, &heat, &view, &mut surface)
        .expect("render");
    let rgba = surface.front();
    for (k, &d) in renderer.density().values.iter().enumerate() {
        let value = (d / stats.normalize_max).clamp(0.0, 1.0);
        let px = &rgba[k * 4..k * 4 + 4];
        if value < 0.4 {
            assert_eq!(px, &[0, 0, 0, 0], "pixel {k} below the threshold");
        } else {
            let entry = lut[(value * 255.0).round() as usize];
            // Straight alpha: colour channels are the ramp's, not multiplied by alpha.
            assert_eq!(&px[..3], &entry[..3], "pixel {k}");
            assert_eq!(
                px[3],
                (f32::from(entry[3]) * 0.5).round() as u8,
                "pixel {k}"
            );
        }
    }
    let (i, j) = argmax(renderer.density());
    assert_eq!(&rgba[(j * 128 + i) * 4..][..4], &[255, 0, 0, 128]);
}

#[test]
fn empty_points_give_a_transparent_frame() {
    let heat = LayerStack::default();
    let view = view(40, 30);
    let mut surface = Surface::new(40, 30).expect("valid size");
    surface.back_mut().fill(9);
    surface.swap();
    surface.back_mut().fill(9);
    for normalize in [
        Normalize::Viewport,
        Normalize::Stable,
        Normalize::Fixed(1.0),
    ] {
        let mut renderer = CpuRenderer::new();
        let stats = renderer
            .render_loose(
                &PointBuffer::new(),
                &style(10.0, normalize),
                &heat,
                &view,
                &mut surface,
            )
            .expect("render");
        assert_eq!(stats.max_density, 0.0);
        assert!(surface.front().iter().all(|&b| b == 0));
        assert_eq!(renderer.value_at(10.0, 10.0), Some(0.0));
    }
}

#[test]
fn value_at_reads_the_last_frame() {
    let heat = LayerStack::default();
    let view = view(50, 40);
    let mut points = PointBuffer::new();
    push_pixel(&mut points, &view, 20.5, 10.5, 3.0);
    let mut renderer = CpuRenderer::new();
    assert_eq!(renderer.value_at(0.0, 0.0), None);
    let mut surface = Surface::new(1, 1).expect("valid size");
    let style = HeatStyle {
        intensity: 2.0,
        ..style(10.0, Normalize::Viewport)
    };
    renderer
        .render_loose(&points, &style, &heat, &view, &mut surface)
        .expect("render");
    let peak = renderer.value_at(20.9, 10.1).expect("inside");
    // The point lies between the world-anchored grid's nodes: the bilinear splat's spread, which
    // the taps make up for on average over a node's phases, leaves the peak 0.9% low here
    // (r = 10, σ = 3.3 px; 2.3% before they did).
    assert!((peak - 6.0).abs() < 0.18, "{peak}");
    assert_eq!(renderer.value_at(50.0, 0.0), None);
    assert_eq!(renderer.value_at(-0.1, 0.0), None);
}

#[test]
fn invalid_style_or_view_is_an_error() {
    let heat = LayerStack::default();
    let mut surface = Surface::new(1, 1).expect("valid size");
    let mut renderer = CpuRenderer::new();
    let points = PointBuffer::new();
    let bad_style = HeatStyle {
        opacity: 2.0,
        ..HeatStyle::default()
    };
    assert!(
        renderer
            .render_loose(&points, &bad_style, &heat, &view(10, 10), &mut surface)
            .is_err()
    );
    let bad_view = View {
        zoom: -1.0,
        ..view(10, 10)
    };
    assert!(
        renderer
            .render_loose(
                &points,
                &HeatStyle::default(),
                &heat,
                &bad_view,
                &mut surface
            )
            .is_err()
    );
    assert!(reference::density(&points, &bad_style, &view(10, 10)).is_err());
}
