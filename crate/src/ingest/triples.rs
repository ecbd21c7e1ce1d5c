//! Points from flat `[lon, lat, weight]` triples (a typed array from JavaScript, say), with the
//! coordinate and weight rules of GeoJSON ingest.

use super::sink::{is_lon_lat, narrow_weight};
use crate::error::{Error, Result};
use crate::points::PointBuffer;

/// Parses `[lon, lat, weight]` triples; the first bad one is an error naming its index, and then
/// no points are returned.
pub fn points_from_triples(values: &[f64]) -> Result<PointBuffer> {
    if !values.len().is_multiple_of(3) {
        return Err(Error::option(
            "points",
            format!(
                "{} numbers do not make [lon, lat, weight] triples",
                values.len()
            ),
        ));
    }
    let mut points = PointBuffer::with_capacity(values.len() / 3);
    for (index, t) in values.chunks_exact(3).enumerate() {
        let (lon, lat, weight) = (t[0], t[1], t[2]);
        if !is_lon_lat(lon, lat) {
            return Err(Error::InvalidPoint {
                index,
                reason: format!("[{lon}, {lat}] is not a longitude/latitude"),
            });
        }
        let weight = narrow_weight(weight).ok_or_else(|| Error::InvalidPoint {
            index,
            reason: format!("weight {weight} must be finite and not negative"),
        })?;
        points.push(lon, lat, weight);
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples_become_points_and_bad_ones_are_named() {
        let points = points_from_triples(&[10.0, 20.0, 1.5, -180.0, -90.0, 0.0]).expect("valid");
        assert_eq!(points.len(), 2);
        assert_eq!(points.as_slice()[2], 1.5);
        assert!(matches!(
            points_from_triples(&[1.0, 2.0]),
            Err(Error::InvalidOption { .. })
        ));
        for (bad, index) in [
            (vec![0.0, 0.0, 1.0, 181.0, 0.0, 1.0], 1),
            (vec![0.0, 91.0, 1.0], 0),
            (vec![0.0, 0.0, -1.0], 0),
            (vec![0.0, 0.0, f64::NAN], 0),
            (vec![0.0, 0.0, 1e39], 0),
        ] {
            assert!(
                matches!(points_from_triples(&bad), Err(Error::InvalidPoint { index: i, .. }) if i == index),
                "{bad:?}"
            );
        }
    }
}
