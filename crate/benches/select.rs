//! What a weight switch, a filter change and a time-window move cost at 1M points, natively:
//! the derivation of the drawn points from the kept columns (no parse), and a filter change
//! with the full frame after it (stable maximum and fast-path redraw included).

use criterion::{Criterion, criterion_group, criterion_main};
use geoheat::expr::Json;
use geoheat::points::{Column, ColumnKind};
use geoheat::{
    CpuRenderer, FramePlan, HeatStyle, LayerStack, Normalize, PointBuffer, StableMax, Surface,
};
use serde_json::json;
use std::hint::black_box;
use std::time::Duration;

mod scene;
use scene::{VIEW, clusters, scene_at_view};

/// 2024-03-01T00:00:00Z, the first time of the points.
const T0: f64 = 1_709_251_200_000.0;

/// [`clusters`] with columns `mag` (0 to 5) and `t` (over 30 days), as a load keeping them gives.
fn with_columns(n: usize) -> PointBuffer {
    let mut state: u64 = 11;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let columns = [
        Column::new("mag", ColumnKind::Number),
        Column::new("t", ColumnKind::Time),
    ];
    let mut points = PointBuffer::with_columns(columns);
    for ([x, y], w) in clusters(n).iter_world() {
        let (lon, lat) = (
            geoheat::geo::world_x_to_lon(x),
            geoheat::geo::world_y_to_lat(y),
        );
        points.push(lon, lat, w);
        points.push_values(&[5.0 * uniform(), T0 + 30.0 * 86_400_000.0 * uniform()]);
    }
    points
}

fn select(c: &mut Criterion) {
    let style = HeatStyle {
        normalize: Normalize::Stable,
        ..HeatStyle::default()
    };
    let (mut scene, _) = scene_at_view(with_columns(1_000_000), &style, &LayerStack::default());
    let mut group = c.benchmark_group("select");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));

    let weights: [Json; 2] = [
        json!(["get", "mag"]).into(),
        json!(["*", ["get", "mag"], 2]).into(),
    ];
    let mut k = 0;
    group.bench_function("weight_switch_1M", |b| {
        b.iter(|| {
            k += 1;
            scene.set_weight(Some(&weights[k % 2])).expect("valid");
            black_box(scene.points().len())
        });
    });
    scene.set_weight(None).expect("no weight");

    let filters: [Json; 2] = [
        json!([">=", ["get", "mag"], 2]).into(),
        json!(["all", [">=", ["get", "mag"], 3], ["<", ["get", "mag"], 4.5]]).into(),
    ];
    group.bench_function("filter_change_1M", |b| {
        b.iter(|| {
            k += 1;
            scene.set_filter(Some(&filters[k % 2])).expect("valid");
            black_box(scene.points().len())
        });
    });

    let day = 86_400_000.0;
    group.bench_function("window_move_1M", |b| {
        b.iter(|| {
            k += 1;
            let start = T0 + day * (k % 29) as f64;
            scene
                .set_time_window(Some([start, start + day]))
                .expect("valid");
            black_box(scene.points().len())
        });
    });
    scene.set_time_window(None).expect("no window");

    let mut renderer = CpuRenderer::new();
    let mut stable = StableMax::new();
    let mut surface = Surface::new(VIEW.width, VIEW.height).expect("valid size");
    group.bench_function("filter_change_and_frame_1M", |b| {
        b.iter(|| {
            k += 1;
            scene.set_filter(Some(&filters[k % 2])).expect("valid");
            let plan = FramePlan::new(&scene, &VIEW, &mut stable).expect("valid plan");
            renderer
                .render(&scene, &plan, &mut surface)
                .expect("renders");
        });
    });
    group.finish();
}

criterion_group!(benches, select);
criterion_main!(benches);
