//! Property-based tests of the Web Mercator projection and the view transforms.

use geoheat::View;
use geoheat::geo::{
    MAX_LATITUDE, lat_to_world_y, lon_to_world_x, world_x_to_lon, world_y_to_lat, wrap_lon,
};
use proptest::prelude::*;

fn lon() -> impl Strategy<Value = f64> {
    -180.0..180.0f64
}

fn lat() -> impl Strategy<Value = f64> {
    -MAX_LATITUDE..MAX_LATITUDE
}

fn view() -> impl Strategy<Value = View> {
    (
        lon(),
        -80.0..80.0f64,
        0.0..20.0f64,
        1u32..2000,
        1u32..2000,
        prop::sample::select(vec![1.0, 1.5, 2.0, 3.0]),
    )
        .prop_map(|(lon, lat, zoom, width, height, dpr)| View {
            center: [lon, lat],
            zoom,
            width,
            height,
            device_pixel_ratio: dpr,
        })
}

/// Same device pixel within a thousandth, or the same place on another copy of the world (a view
/// wider than the world shows a longitude more than once).
fn same_place(view: &View, a: [f64; 2], b: [f64; 2]) -> bool {
    let world = view.scale();
    let dx = (a[0] - b[0]).rem_euclid(world);
    (dx < 1e-3 || world - dx < 1e-3) && (a[1] - b[1]).abs() < 1e-3
}

proptest! {
    #[test]
    fn lon_lat_round_trip_through_world(lon in lon(), lat in lat()) {
        let (x, y) = (lon_to_world_x(lon), lat_to_world_y(lat));
        prop_assert!((0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y));
        prop_assert!((world_x_to_lon(x) - lon).abs() < 1e-9);
        prop_assert!((world_y_to_lat(y) - lat).abs() < 1e-9);
    }

    #[test]
    fn projection_is_monotonic(a in lat(), b in lat()) {
        // North is up: a larger latitude has a smaller y.
        prop_assume!(a < b);
        prop_assert!(lat_to_world_y(a) > lat_to_world_y(b));
    }

    #[test]
    fn pixel_round_trip(view in view(), fx in 0.0..1.0f64, fy in 0.0..1.0f64) {
        let pixel = [fx * f64::from(view.pixel_width()), fy * f64::from(view.pixel_height())];
        let [lon, lat] = view.pixel_to_lon_lat(pixel);
        prop_assume!(lat.abs() < MAX_LATITUDE - 1e-6);
        let back = view.lon_lat_to_pixel(lon, lat);
        prop_assert!(same_place(&view, back, pixel), "{back:?} vs {pixel:?}");
    }

    #[test]
    fn zooming_around_a_point_keeps_it_under_the_anchor(view in view(), dz in -3.0..3.0f64, fx in 0.0..1.0f64, fy in 0.0..1.0f64) {
        let anchor = [fx * f64::from(view.width), fy * f64::from(view.height)];
        let dpr = view.device_pixel_ratio;
        let [lon, lat] = view.pixel_to_lon_lat([anchor[0] * dpr, anchor[1] * dpr]);
        let zoomed = view.zoomed_around(view.zoom + dz, anchor);
        // Only when the centre stays inside Web Mercator is the anchor exactly kept.
        prop_assume!(zoomed.center[1].abs() < MAX_LATITUDE - 1e-6 && lat.abs() < MAX_LATITUDE - 1e-6);
        let back = zoomed.lon_lat_to_pixel(lon, lat);
        let anchor_px = [anchor[0] * dpr, anchor[1] * dpr];
        prop_assert!(same_place(&zoomed, back, anchor_px), "{back:?} vs {anchor_px:?}");
    }

    #[test]
    fn panning_there_and_back_returns(view in view(), dx in -500.0..500.0f64, dy in -500.0..500.0f64) {
        let back = view.panned_by(dx, dy).panned_by(-dx, -dy);
        let moved = view.panned_by(dx, dy);
        prop_assume!(moved.center[1].abs() < MAX_LATITUDE - 1e-6);
        prop_assert!(wrap_lon(back.center[0] - view.center[0]).abs() < 1e-9);
        prop_assert!((back.center[1] - view.center[1]).abs() < 1e-9);
    }
}
