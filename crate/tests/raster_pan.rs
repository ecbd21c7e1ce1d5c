//! A renderer that keeps its splat grid, its densities and its pixels between frames draws every
//! frame byte for byte as a fresh renderer does: after pans of any length and fraction (drags by
//! whole device pixels move densities and pixels), at odd device pixel ratios, and across changes
//! of zoom, radius, style, normalisation, intensity, data and surface that must drop what it kept.

mod common;

use common::{Lcg, clusters, push_pixel, style};
use geoheat::frame::{FramePlan, StableMax};
use geoheat::{
    Aggregation, CpuRenderer, HeatStyle, LayerKind, LayerSpec, LayerStack, Normalize, PointBuffer,
    Radius, Scene, Surface, View,
};
use proptest::prelude::*;

/// The heatmap under test: one scene, one stable cache and one renderer kept across frames, as
/// the engine keeps them.
struct Kept {
    scene: Scene,
    stable: StableMax,
    renderer: CpuRenderer,
    surface: Surface,
}

impl Kept {
    fn new(points: PointBuffer, style: HeatStyle) -> Self {
        let mut scene = Scene::new(points);
        scene.set_style(style).expect("valid style");
        Self {
            scene,
            stable: StableMax::new(),
            renderer: CpuRenderer::new(),
            surface: Surface::new(1, 1).expect("valid size"),
        }
    }

    /// Draws `view` with the kept renderer, `slice` points at a time, and checks the frame and
    /// its density against a fresh renderer's.
    fn check(&mut self, view: &View, slice: usize, what: &str) {
        let mut surface = std::mem::replace(&mut self.surface, Surface::new(1, 1).expect("size"));
        self.check_on(&mut surface, view, slice, what);
        self.surface = surface;
    }

    /// [`Kept::check`] drawing into `surface` instead of the kept one.
    fn check_on(&mut self, surface: &mut Surface, view: &View, slice: usize, what: &str) {
        let plan = FramePlan::new(&self.scene, view, &mut self.stable).expect("valid plan");
        let mut job = self.renderer.begin_frame(&self.scene, &plan);
        while !self.renderer.splat_more(&mut job, &self.scene, slice) {}
        self.renderer
            .finish_frame(job, &self.scene, surface)
            .expect("kept renderer draws");
        let mut fresh = CpuRenderer::new();
        let mut expected = Surface::new(1, 1).expect("valid size");
        let fresh_plan = FramePlan::new(&self.scene, view, &mut StableMax::new()).expect("plan");
        fresh
            .render(&self.scene, &fresh_plan, &mut expected)
            .expect("fresh renderer draws");
        let density = self.renderer.density();
        let differing = density
            .values
            .iter()
            .zip(&fresh.density().values)
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count();
        assert_eq!(
            differing, 0,
            "{what}: {differing} densities differ from a fresh render"
        );
        assert!(
            surface.front() == expected.front(),
            "{what}: the frame differs from a fresh render"
        );
    }

    /// Begins a frame of `view` and leaves it after `points` points: the next frame must not see
    /// the half-splatted grid.
    fn abandon(&mut self, view: &View, points: usize) {
        let plan = FramePlan::new(&self.scene, view, &mut self.stable).expect("valid plan");
        let mut job = self.renderer.begin_frame(&self.scene, &plan);
        let _ = self.renderer.splat_more(&mut job, &self.scene, points);
    }

    fn set_style(&mut self, style: HeatStyle) {
        self.scene.set_style(style).expect("valid style");
    }
}

/// Points spread over `view` and a screen beyond it on every side (so long pans keep finding
/// heat), clustered and weighted unevenly.
fn wide_points(view: &View, n: usize, seed: u64) -> PointBuffer {
    let (w, h) = (
        f64::from(view.pixel_width()),
        f64::from(view.pixel_height()),
    );
    let mut rng = Lcg::new(seed);
    let mut points = PointBuffer::new();
    let centres: Vec<[f64; 2]> = (0..12)
        .map(|_| {
            [
                (rng.next_f64() * 3.0 - 1.0) * w,
                (rng.next_f64() * 3.0 - 1.0) * h,
            ]
        })
        .collect();
    for k in 0..n {
        let [cx, cy] = centres[k % centres.len()];
        let spread = 5.0 + 40.0 * rng.next_f64();
        let x = cx + rng.gaussian() * spread;
        let y = cy + rng.gaussian() * spread;
        push_pixel(&mut points, view, x, y, (0.5 + rng.next_f64() * 3.0) as f32);
    }
    points
}

fn base_view(ratio: f64) -> View {
    View {
        center: [10.0, 50.0],
        zoom: 10.0,
        width: 240,
        height: 180,
        device_pixel_ratio: ratio,
    }
}

#[test]
fn pans_of_every_length_draw_what_a_fresh_renderer_draws() {
    for ratio in [1.0, 1.5, 2.75] {
        let view = base_view(ratio);
        for (radius, normalize) in [
            (12.0, Normalize::Viewport),
            (25.0, Normalize::Stable),
            (40.0, Normalize::Fixed(3.0)),
        ] {
            let mut kept = Kept::new(wide_points(&view, 4_000, 7), style(radius, normalize));
            let mut rng = Lcg::new(11);
            let mut v = view;
            kept.check(&v, usize::MAX, "first frame");
            for step in 0..24 {
                // Device pixels: small drags, a whole number of pixels or not, jumps past the kept
                // margin, and a pan straight back.
                let reach = [0.7, 6.0, 60.0, 400.0][step % 4];
                let (dx, dy) = (
                    (rng.next_f64() * 2.0 - 1.0) * reach,
                    (rng.next_f64() * 2.0 - 1.0) * reach,
                );
                let (dx, dy) = if step % 3 == 0 {
                    (dx.round(), dy.round())
                } else {
                    (dx, dy)
                };
                v = v.panned_by(dx / ratio, dy / ratio);
                let what = format!(
                    "dpr {ratio}, r {radius}, {normalize:?}, pan {step} by ({dx:.2}, {dy:.2})"
                );
                kept.check(&v, usize::MAX, &what);
            }
        }
    }
}

#[test]
fn drags_by_whole_device_pixels_draw_what_a_fresh_renderer_draws() {
    for ratio in [1.0, 2.0, 1.5] {
        let view = base_view(ratio);
        for normalize in [
            Normalize::Viewport,
            Normalize::Stable,
            Normalize::Fixed(2.0),
        ] {
            let mut kept = Kept::new(wide_points(&view, 3_000, 23), style(25.0, normalize));
            let mut v = view;
            kept.check(&v, usize::MAX, "first frame");
            // Steps of a few device pixels along x, y and both, long enough to cross the view
            // several times, so that clusters (and with them the viewport's maximum) come and go.
            for step in 0..60 {
                let (dx, dy) = [
                    (5.0, 0.0),
                    (0.0, 3.0),
                    (-4.0, 2.0),
                    (7.0, 7.0),
                    (-1.0, -6.0),
                ][step % 5];
                let (dx, dy) = if step < 30 { (dx, dy) } else { (-2.0 * dx, dy) };
                v = v.panned_by(dx / ratio, dy / ratio);
                let what = format!("dpr {ratio}, {normalize:?}, step {step} by ({dx}, {dy}) px");
                kept.check(&v, usize::MAX, &what);
            }
        }
    }
}

/// A mean moves two fields (density and coverage) and its pixels; switching between sum and mean
/// while dragging must never move one aggregation's pixels into the other's frame.
#[test]
fn mean_drags_and_switches_of_aggregation_draw_what_a_fresh_renderer_draws() {
    let view = base_view(1.0);
    let mean = |intensity: f32| HeatStyle {
        aggregation: Aggregation::Mean,
        intensity,
        ..style(20.0, Normalize::Fixed(3.0))
    };
    let mut kept = Kept::new(wide_points(&view, 3_000, 31), mean(1.0));
    let mut v = view;
    kept.check(&v, usize::MAX, "first frame");
    for step in 0..16 {
        v = v.panned_by(4.0, -3.0);
        match step % 8 {
            3 => kept.set_style(style(20.0, Normalize::Fixed(3.0))),
            4 => kept.set_style(mean(1.0)),
            6 => kept.set_style(mean(1.5)),
            _ => {}
        }
        let slice = if step % 5 == 2 { 700 } else { usize::MAX };
        kept.check(&v, slice, &format!("mean, step {step}"));
    }
    kept.set_style(mean(1.0));
    kept.abandon(&v, 1_000);
    v = v.panned_by(-600.0, 0.0);
    kept.check(&v, usize::MAX, "mean, a long pan after an abandoned frame");
}

#[test]
fn drags_survive_other_surfaces_and_colour_changes() {
    let view = base_view(1.0);
    let mut kept = Kept::new(
        wide_points(&view, 3_000, 29),
        style(20.0, Normalize::Viewport),
    );
    let mut other = Surface::new(1, 1).expect("valid size");
    let mut v = view;
    kept.check(&v, usize::MAX, "first frame");
    for step in 0..12 {
        v = v.panned_by(3.0, -2.0);
        match step % 4 {
            // A frame into another surface: the kept surface's front is then two pans behind.
            1 => kept.check_on(
                &mut other,
                &v,
                usize::MAX,
                &format!("step {step}, other surface"),
            ),
            // The colours change while the densities move.
            2 => {
                kept.set_style(HeatStyle {
                    opacity: 0.4 + 0.05 * step as f32,
                    ..style(20.0, Normalize::Viewport)
                });
                kept.check(&v, usize::MAX, &format!("step {step}, other colours"));
            }
            _ => kept.check(&v, usize::MAX, &format!("step {step}")),
        }
    }
}

#[test]
fn sub_pixel_css_pans_at_odd_ratios() {
    for ratio in [1.25, 1.5, 3.0] {
        let view = base_view(ratio);
        let mut kept = Kept::new(
            wide_points(&view, 3_000, 5),
            style(20.0, Normalize::Viewport),
        );
        let mut v = view;
        kept.check(&v, usize::MAX, "first frame");
        for (k, (dx, dy)) in [
            (0.5, 0.0),
            (0.0, 0.25),
            (-0.33, 0.5),
            (1.0, -1.0),
            (0.1, 0.1),
        ]
        .into_iter()
        .enumerate()
        {
            v = v.panned_by(dx, dy);
            kept.check(&v, usize::MAX, &format!("dpr {ratio}, CSS pan {k}"));
        }
    }
}

#[test]
fn changes_that_must_drop_the_kept_grid() {
    let view = base_view(1.0);
    let points = wide_points(&view, 3_000, 3);
    let mut kept = Kept::new(points.clone(), style(25.0, Normalize::Viewport));
    let mut v = view;
    kept.check(&v, usize::MAX, "first frame");
    v = v.panned_by(7.0, -3.0);
    kept.check(&v, usize::MAX, "pan");
    // Zoom: another scale, other nodes.
    v = View { zoom: 10.5, ..v };
    kept.check(&v, usize::MAX, "zoom in");
    v = v.panned_by(-11.0, 4.5);
    kept.check(&v, usize::MAX, "pan after zoom");
    // Radius with the same cell (⌊r/8⌋ = 3) and with another.
    kept.set_style(style(30.0, Normalize::Viewport));
    kept.check(&v, usize::MAX, "radius, same cell");
    kept.set_style(style(9.0, Normalize::Viewport));
    kept.check(&v, usize::MAX, "radius, other cell");
    // Colour, normalisation and intensity.
    kept.set_style(HeatStyle {
        opacity: 0.6,
        threshold: 0.05,
        ..style(9.0, Normalize::Stable)
    });
    kept.check(&v, usize::MAX, "style");
    kept.set_style(HeatStyle {
        intensity: 2.5,
        ..style(9.0, Normalize::Stable)
    });
    kept.check(&v, usize::MAX, "intensity");
    v = v.panned_by(3.0, 3.0);
    kept.check(&v, usize::MAX, "pan after intensity");
    // Other data, then the same data again (a new buffer: a new revision), then appended data.
    kept.scene.set_points(clusters(&v, 2_000));
    kept.check(&v, usize::MAX, "other points");
    kept.scene.set_points(points.clone());
    kept.check(&v, usize::MAX, "the first points again");
    let mut more = points;
    push_pixel(&mut more, &v, 120.0, 90.0, 50.0);
    kept.scene.set_points(more);
    kept.check(&v, usize::MAX, "one point more");
    // Size.
    v = View {
        width: 200,
        height: 230,
        ..v
    };
    kept.check(&v, usize::MAX, "resize");
}

#[test]
fn sliced_and_abandoned_frames_keep_the_grid_consistent() {
    let view = base_view(1.0);
    let mut kept = Kept::new(
        wide_points(&view, 5_000, 9),
        style(25.0, Normalize::Viewport),
    );
    let mut v = view;
    kept.check(&v, 777, "first frame in slices");
    for (k, (dx, dy)) in [(300.0, 0.0), (-5.0, 250.0), (2.5, 2.5), (-600.0, -400.0)]
        .into_iter()
        .enumerate()
    {
        // A frame that moves the grid is abandoned half splatted, then another pan is drawn.
        let far = v.panned_by(dx, dy);
        kept.abandon(&far, 1_000);
        kept.check(&v, 1_234, &format!("back after abandoning {k}"));
        v = far.panned_by(1.5, -0.5);
        kept.check(&v, 999, &format!("sliced pan {k}"));
    }
}

#[test]
fn pans_across_the_antimeridian() {
    let view = View {
        center: [179.0, 0.0],
        zoom: 3.0,
        width: 300,
        height: 200,
        device_pixel_ratio: 1.0,
    };
    let mut points = PointBuffer::new();
    let mut rng = Lcg::new(21);
    for _ in 0..2_000 {
        let lon = 170.0 + rng.next_f64() * 20.0;
        let lon = if lon > 180.0 { lon - 360.0 } else { lon };
        points.push(lon, rng.next_f64() * 20.0 - 10.0, 1.0);
    }
    let mut kept = Kept::new(points, style(15.0, Normalize::Viewport));
    let mut v = view;
    kept.check(&v, usize::MAX, "first frame");
    for k in 0..16 {
        v = v.panned_by(if k < 8 { -37.3 } else { 41.9 }, 0.5);
        kept.check(&v, usize::MAX, &format!("pan {k}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn any_pan_sequence_matches_fresh_frames(
        ratio in prop::sample::select(vec![1.0, 1.5, 2.0, 2.25]),
        radius in 8.0f64..48.0,
        pans in prop::collection::vec((-300.0f64..300.0, -300.0f64..300.0, 0u8..4), 1..6),
    ) {
        let view = base_view(ratio);
        let mut kept = Kept::new(
            wide_points(&view, 1_500, 13),
            HeatStyle {
                radius: Radius::Pixels(radius),
                normalize: Normalize::Viewport,
                ..HeatStyle::default()
            },
        );
        let mut v = view;
        kept.check(&v, usize::MAX, "first frame");
        for (dx, dy, scale) in pans {
            // Scale the pan down to test short drags as often as long ones.
            let f = [1.0, 0.1, 0.01, 0.001][usize::from(scale)];
            v = v.panned_by(dx * f, dy * f);
            kept.check(&v, 500, &format!("pan by ({:.3}, {:.3}) CSS px", dx * f, dy * f));
        }
    }
}

#[test]
fn layered_frames_after_a_pan_match_too() {
    let view = base_view(2.0);
    let mut kept = Kept::new(
        wide_points(&view, 2_000, 17),
        style(20.0, Normalize::Viewport),
    );
    let mut layers = LayerStack::default();
    layers
        .add(LayerSpec::built_in("lines", LayerKind::Contours), None)
        .expect("valid layer");
    kept.scene.set_layers(layers);
    let mut v = view;
    kept.check(&v, usize::MAX, "first frame");
    for k in 0..4 {
        v = v.panned_by(13.3, -7.1);
        kept.check(&v, usize::MAX, &format!("pan {k}"));
    }
}
