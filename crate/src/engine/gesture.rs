//! Pointer gestures as view changes, so that a host only forwards pointer positions (CSS pixels
//! relative to the canvas): one pointer drags, two pinch-zoom around their midpoint and drag by
//! its motion.

use crate::geo::View;

/// `view` zoomed by `delta` levels around `anchor` (CSS pixels; the centre when `None`).
pub(crate) fn zoomed_by(view: &View, delta: f64, anchor: Option<[f64; 2]>) -> View {
    let anchor = anchor.unwrap_or([f64::from(view.width) / 2.0, f64::from(view.height) / 2.0]);
    view.zoomed_around(view.zoom + delta, anchor)
}

/// The view after pointers moved from `old` to `new` (the same pointers, in the same order), or
/// `None` for anything but one or two pointers.
pub(crate) fn after_gesture(view: &View, old: &[[f64; 2]], new: &[[f64; 2]]) -> Option<View> {
    match (old, new) {
        ([a], [b]) => Some(view.panned_by(b[0] - a[0], b[1] - a[1])),
        ([a0, a1], [b0, b1]) => {
            let (old_d, new_d) = (distance(*a0, *a1), distance(*b0, *b1));
            let (old_mid, new_mid) = (midpoint(*a0, *a1), midpoint(*b0, *b1));
            let panned = view.panned_by(new_mid[0] - old_mid[0], new_mid[1] - old_mid[1]);
            Some(if old_d > 0.0 && new_d > 0.0 {
                panned.zoomed_around(panned.zoom + libm::log2(new_d / old_d), new_mid)
            } else {
                panned
            })
        }
        _ => None,
    }
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

fn midpoint(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> View {
        View {
            center: [10.0, 50.0],
            zoom: 5.0,
            width: 400,
            height: 300,
            device_pixel_ratio: 1.0,
        }
    }

    #[test]
    fn one_pointer_drags() {
        let v = view();
        let moved = after_gesture(&v, &[[100.0, 100.0]], &[[130.0, 90.0]]);
        assert_eq!(moved, Some(v.panned_by(30.0, -10.0)));
    }

    #[test]
    fn two_pointers_spreading_twice_as_far_zoom_in_one_level() {
        let v = view();
        let old = [[150.0, 150.0], [250.0, 150.0]];
        let new = [[100.0, 150.0], [300.0, 150.0]];
        let zoomed = after_gesture(&v, &old, &new).expect("two pointers");
        assert!((zoomed.zoom - 6.0).abs() < 1e-12, "{}", zoomed.zoom);
        // The midpoint did not move, and it keeps the same place on the map.
        let mid = [200.0, 150.0];
        let before = v.pixel_to_lon_lat(mid);
        let after = zoomed.pixel_to_lon_lat(mid);
        assert!((before[0] - after[0]).abs() < 1e-9 && (before[1] - after[1]).abs() < 1e-9);
        assert_eq!(after_gesture(&v, &[[0.0; 2]; 3], &[[1.0; 2]; 3]), None);
    }

    #[test]
    fn zoom_by_defaults_to_the_centre() {
        let v = view();
        assert_eq!(
            zoomed_by(&v, 1.0, None),
            v.zoomed_around(6.0, [200.0, 150.0])
        );
    }
}
