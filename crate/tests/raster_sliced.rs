//! Rendering in slices (begin_frame / splat_more / finish_frame) gives exactly the one-call frame.

mod common;

use common::{clusters, scene_and_plan, sparse, style, view};
use geoheat::{CpuRenderer, FramePlan, LayerStack, Normalize, PointBuffer, Scene, Surface};

/// The heat-only scene of `points` at r = `radius`, viewport normalisation, in a 320×240 view.
fn scene(points: &PointBuffer, radius: f64) -> (Scene, FramePlan) {
    scene_and_plan(
        points,
        &style(radius, Normalize::Viewport),
        &LayerStack::default(),
        &view(320, 240),
        0.0,
    )
    .expect("valid scene")
}

fn one_call(points: &PointBuffer, radius: f64) -> Vec<u8> {
    let (scene, plan) = scene(points, radius);
    let mut surface = Surface::new(1, 1).expect("valid size");
    CpuRenderer::new()
        .render(&scene, &plan, &mut surface)
        .expect("renders");
    surface.front().to_vec()
}

#[test]
fn slices_of_any_size_give_the_same_bytes() {
    let v = view(320, 240);
    let points = clusters(&v, 20_000);
    let expected = one_call(&points, 25.0);
    let (heat, plan) = scene(&points, 25.0);
    for slice in [1, 777, 5_000, 19_999, 20_000, usize::MAX] {
        let mut renderer = CpuRenderer::new();
        let mut surface = Surface::new(1, 1).expect("valid size");
        let mut job = renderer.begin_frame(&heat, &plan);
        let mut calls = 1;
        while !renderer.splat_more(&mut job, &heat, slice) {
            calls += 1;
        }
        assert_eq!(job.points_done(), points.len());
        assert_eq!(
            calls,
            points.len().div_ceil(slice.min(points.len())),
            "slice {slice}"
        );
        renderer
            .finish_frame(job, &heat, &mut surface)
            .expect("finishes");
        assert!(
            surface.front() == expected.as_slice(),
            "slice {slice}: frame differs"
        );
    }
}

#[test]
fn the_front_buffer_keeps_the_last_frame_until_the_next_is_whole() {
    let v = view(320, 240);
    let (a, b) = (scene(&sparse(&v), 25.0), scene(&clusters(&v, 5_000), 25.0));
    let mut renderer = CpuRenderer::new();
    let mut surface = Surface::new(1, 1).expect("valid size");
    renderer.render(&a.0, &a.1, &mut surface).expect("renders");
    let shown = surface.front().to_vec();
    let mut job = renderer.begin_frame(&b.0, &b.1);
    assert!(!renderer.splat_more(&mut job, &b.0, 100));
    assert_eq!(
        surface.front(),
        shown.as_slice(),
        "half a frame is never shown"
    );
    renderer
        .finish_frame(job, &b.0, &mut surface)
        .expect("finishes");
    assert_eq!(surface.front(), one_call(b.0.points(), 25.0).as_slice());
}

#[test]
fn changed_points_or_an_abandoned_job_start_the_splat_over() {
    let v = view(320, 240);
    let (a, b) = (clusters(&v, 8_000), sparse(&v));
    let (scene_a, plan_a) = scene(&a, 25.0);
    let (scene_b, _) = scene(&b, 25.0);
    let mut renderer = CpuRenderer::new();
    let mut surface = Surface::new(1, 1).expect("valid size");

    // The points are replaced halfway: the frame shows only the new ones.
    let mut job = renderer.begin_frame(&scene_a, &plan_a);
    assert!(!renderer.splat_more(&mut job, &scene_a, 4_000));
    renderer
        .finish_frame(job, &scene_b, &mut surface)
        .expect("finishes");
    assert_eq!(surface.front(), one_call(&b, 25.0).as_slice());

    // A job from a frame that a newer begin_frame abandoned finishes the newer frame.
    let (scene_a10, plan_a10) = scene(&a, 10.0);
    let stale = renderer.begin_frame(&scene_a10, &plan_a10);
    let current = renderer.begin_frame(&scene_a, &plan_a);
    drop(current);
    renderer
        .finish_frame(stale, &scene_a, &mut surface)
        .expect("finishes");
    assert_eq!(surface.front(), one_call(&a, 25.0).as_slice());
}
