//! [`Selection`]: which points a scene draws and with what weight (a weight expression, a filter,
//! a time window), and [`derive`], which turns the loaded points into the buffer the renderers
//! read.
//!
//! Exclusion is done once per change, not per frame: the points that pass are copied, with their
//! derived weights, into a packed buffer of their own (same origin, so the same offsets), which
//! every renderer (the exact reference, the CPU fast path, the stable maximum, the GPU upload)
//! reads exactly as it reads a load. No renderer tests a flag per point, a frame neither
//! allocates nor copies, and excluded points cost nothing while drawing. The buffer is refilled
//! in place when no frame in flight still holds it.

use crate::error::{Error, Result};
use crate::expr::{FilterExpr, Scratch, WeightExpr};
use crate::points::{ColumnKind, PointBuffer};
use std::sync::Arc;

/// The weight, filter and time window a scene applies to its loaded points.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// The weight of each point, instead of the one read at load. A point whose weight is NaN
    /// (a missing value), infinite or negative is left out.
    pub weight: Option<Arc<WeightExpr>>,
    /// Only points that pass are drawn.
    pub filter: Option<Arc<FilterExpr>>,
    /// Only points whose time (the points' time column) is in `[start, end)` (epoch ms) are
    /// drawn; the normalisation ignores it (see [`derive`]).
    pub window: Option<[f64; 2]>,
}

impl Selection {
    /// True when the weight or the filter changes what is drawn.
    pub fn weighs_or_filters(&self) -> bool {
        self.weight.is_some() || self.filter.is_some()
    }
}

/// Points whose weight and filter are evaluated together (see [`crate::expr`]): long enough
/// for each step to be a loop over arrays, short enough for them to stay in the L1 cache.
const CHUNK: usize = 512;

/// Checks a time window: finite, start before end.
pub fn check_window(window: [f64; 2]) -> Result<()> {
    let [start, end] = window;
    if start.is_finite() && end.is_finite() && start < end {
        Ok(())
    } else {
        Err(Error::option(
            "time_window",
            format!("[{start}, {end}] is not a window of finite times with start < end"),
        ))
    }
}

/// Fills `out` with the points of `source` that pass the weight and filter of `selection`, and
/// its time window when `windowed`. `out` keeps its capacity (no allocation once it is large
/// enough) and gets a new revision, the source's origin and the source's bounds: the bounds of
/// the data loaded, which fitting uses, not of the points that pass.
#[inline(never)]
#[cfg_attr(wasm_for_size, optimize(speed))]
pub fn derive(source: &PointBuffer, selection: &Selection, windowed: bool, out: &mut PointBuffer) {
    let columns = source.columns();
    let weight = selection.weight.as_deref();
    let filter = selection.filter.as_deref();
    let weight_columns = weight.map(|w| w.bind(columns));
    let filter_columns = filter.map(|f| f.bind(columns));
    let time = columns.iter().find(|c| c.kind() == ColumnKind::Time);
    // Compared in the column's own offsets: one subtraction per window, none per point.
    let window = match (selection.window.filter(|_| windowed), time) {
        (Some([start, end]), Some(time)) => {
            Some([(start - time.origin()) as f32, (end - time.origin()) as f32])
        }
        // A window over points without times: none of them is in it.
        (Some(_), None) => Some([f32::INFINITY, f32::INFINITY]),
        (None, _) => None,
    };
    // The expressions are evaluated a chunk at a time, as the points come to each chunk.
    let n = source.len();
    let mut scratch = Scratch::default();
    let (mut weights, mut passes) = (vec![0.0; CHUNK], vec![true; CHUNK]);
    out.refill_from(source, |index, loaded| {
        let k = index % CHUNK;
        if k == 0 {
            let len = CHUNK.min(n - index);
            if let (Some(filter), Some(bound)) = (filter, &filter_columns) {
                filter.eval(bound, index, &mut passes[..len], &mut scratch);
            }
            if let (Some(weight), Some(bound)) = (weight, &weight_columns) {
                weight.eval(bound, index, &mut weights[..len], &mut scratch);
            }
        }
        if let (Some([start, end]), Some(time)) = (window, time) {
            let t = time.values()[index];
            if !(t >= start && t < end) {
                return None;
            }
        }
        if !passes[k] {
            return None;
        }
        if weight.is_none() {
            return Some(loaded);
        }
        let w = weights[k] as f32;
        (w.is_finite() && w >= 0.0).then_some(w)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::points::Column;
    use serde_json::json;

    #[test]
    fn derive_keeps_what_passes_with_its_weight_and_the_origin() {
        let columns = [
            Column::new("mag", ColumnKind::Number),
            Column::new("t", ColumnKind::Time),
        ];
        let mut source = PointBuffer::with_columns(columns);
        for (i, row) in [[1.0, 1e12], [f64::NAN, 1e12 + 10.0], [3.0, 1e12 + 20.0]]
            .iter()
            .enumerate()
        {
            source.push(i as f64, 0.0, 5.0);
            source.push_values(row);
        }
        let cols = source.columns();
        let selection = Selection {
            weight: Some(Arc::new(
                WeightExpr::parse(&json!(["*", ["get", "mag"], 2]).into(), Some(cols))
                    .expect("valid"),
            )),
            filter: None,
            window: Some([1e12, 1e12 + 20.0]),
        };
        let mut out = PointBuffer::new();
        derive(&source, &selection, false, &mut out);
        assert_eq!(out.len(), 2, "NaN weight left out");
        assert_eq!(out.as_slice()[2], 2.0);
        assert_eq!(out.origin(), source.origin());
        let third = &source.as_slice()[6..9];
        assert_eq!(out.as_slice()[3..6], [third[0], third[1], 6.0]);
        let before = out.revision();
        derive(&source, &selection, true, &mut out);
        assert_eq!(out.len(), 1, "the window ends before the third");
        assert_ne!(out.revision(), before);
        assert_eq!(out.bounds(), source.bounds());
        let filter = FilterExpr::parse(&json!([">", ["get", "t"], 1e12 + 5.0]).into(), Some(cols));
        let selection = Selection {
            filter: Some(Arc::new(filter.expect("valid"))),
            ..Selection::default()
        };
        derive(&source, &selection, true, &mut out);
        assert_eq!(out.as_slice(), &source.as_slice()[3..]);
        assert_eq!(out.total_weight(), 10.0);
        assert!(check_window([1.0, 1.0]).is_err() && check_window([0.0, f64::NAN]).is_err());
    }

    #[test]
    fn expressions_see_every_chunk() {
        let mut source = PointBuffer::with_columns([Column::new("i", ColumnKind::Number)]);
        let n = 3 * CHUNK + 7;
        for i in 0..n {
            source.push(0.0, 0.0, 1.0);
            source.push_values(&[i as f64]);
        }
        let cols = source.columns();
        let weight = WeightExpr::parse(&json!(["get", "i"]).into(), Some(cols)).expect("valid");
        let filter = FilterExpr::parse(&json!([">=", ["get", "i"], CHUNK - 3]).into(), Some(cols));
        let selection = Selection {
            weight: Some(Arc::new(weight)),
            filter: Some(Arc::new(filter.expect("valid"))),
            window: None,
        };
        let mut out = PointBuffer::new();
        derive(&source, &selection, true, &mut out);
        let weights: Vec<f32> = out.as_slice().chunks(3).map(|p| p[2]).collect();
        let expected: Vec<f32> = (CHUNK - 3..n).map(|i| i as f32).collect();
        assert_eq!(weights, expected);
    }
}
