//! Rendering in slices (begin_frame / splat_more / finish_frame) gives exactly the one-call frame.

mod common;

use common::{clusters, sparse, style, view};
use geoheat::{CpuRenderer, LayerStack, Normalize, Surface};

fn one_call(points: &geoheat::PointBuffer, radius: f64) -> Vec<u8> {
    let heat = LayerStack::default();
    let v = view(320, 240);
    let mut surface = Surface::new(1, 1).expect("valid size");
    CpuRenderer::new()
        .render(
            points,
            &style(radius, Normalize::Viewport),
            &heat,
            &v,
            &mut surface,
        )
        .expect("renders");
    surface.front().to_vec()
}

#[test]
fn slices_of_any_size_give_the_same_bytes() {
    let heat = LayerStack::default();
    let v = view(320, 240);
    let points = clusters(&v, 20_000);
    let expected = one_call(&points, 25.0);
    for slice in [1, 777, 5_000, 19_999, 20_000, usize::MAX] {
        let mut renderer = CpuRenderer::new();
        let mut surface = Surface::new(1, 1).expect("valid size");
        let mut job = renderer
            .begin_frame(&points, &style(25.0, Normalize::Viewport), &v)
            .expect("valid frame");
        let mut calls = 1;
        while !renderer.splat_more(&mut job, &points, slice) {
            calls += 1;
        }
        assert_eq!(job.points_done(), points.len());
        assert_eq!(
            calls,
            points.len().div_ceil(slice.min(points.len())),
            "slice {slice}"
        );
        renderer
            .finish_frame(job, &points, &heat, &mut surface)
            .expect("finishes");
        assert!(
            surface.front() == expected.as_slice(),
            "slice {slice}: frame differs"
        );
    }
}

#[test]
fn the_front_buffer_keeps_the_last_frame_until_the_next_is_whole() {
    let heat = LayerStack::default();
    let v = view(320, 240);
    let (a, b) = (sparse(&v), clusters(&v, 5_000));
    let mut renderer = CpuRenderer::new();
    let mut surface = Surface::new(1, 1).expect("valid size");
    renderer
        .render(
            &a,
            &style(25.0, Normalize::Viewport),
            &heat,
            &v,
            &mut surface,
        )
        .expect("renders");
    let shown = surface.front().to_vec();
    let mut job = renderer
        .begin_frame(&b, &style(25.0, Normalize::Viewport), &v)
        .expect("valid frame");
    assert!(!renderer.splat_more(&mut job, &b, 100));
    assert_eq!(
        surface.front(),
        shown.as_slice(),
        "half a frame is never shown"
    );
    renderer
        .finish_frame(job, &b, &heat, &mut surface)
        .expect("finishes");
    assert_eq!(surface.front(), one_call(&b, 25.0).as_slice());
}

#[test]
fn changed_points_or_an_abandoned_job_start_the_splat_over() {
    let heat = LayerStack::default();
    let v = view(320, 240);
    let (a, b) = (clusters(&v, 8_000), sparse(&v));
    let mut renderer = CpuRenderer::new();
    let mut surface = Surface::new(1, 1).expect("valid size");

    // The points are replaced halfway: the frame shows only the new ones.
    let mut job = renderer
        .begin_frame(&a, &style(25.0, Normalize::Viewport), &v)
        .expect("valid frame");
    assert!(!renderer.splat_more(&mut job, &a, 4_000));
    renderer
        .finish_frame(job, &b, &heat, &mut surface)
        .expect("finishes");
    assert_eq!(surface.front(), one_call(&b, 25.0).as_slice());

    // A job from a frame that a newer begin_frame abandoned finishes the newer frame.
    let stale = renderer
        .begin_frame(&a, &style(10.0, Normalize::Viewport), &v)
        .expect("valid frame");
    let current = renderer
        .begin_frame(&a, &style(25.0, Normalize::Viewport), &v)
        .expect("valid frame");
    drop(current);
    renderer
        .finish_frame(stale, &a, &heat, &mut surface)
        .expect("finishes");
    assert_eq!(surface.front(), one_call(&a, 25.0).as_slice());
}
