//! `aggregate`: longitude, latitude and weight columns to the density grid of a view, on the
//! core's CPU path (the CLI's densities), without colour and without normalisation, so that grids
//! of parts of the data add up to the grid of the whole.

use crate::errors::to_py;
use crate::view::View;
use geoheat::style::Radius;
use geoheat::{HeatStyle, Normalize, PointBuffer, Scene, geo};
use numpy::ndarray::ArrayView1;
use numpy::{AllowTypeChange, PyArray1, PyArray2, PyArrayLike1, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The density grid of the points (`lon`, `lat` in degrees, optional `weight` ≥ 0, each 1-D and
/// of one length) seen through `view`: a float32 array of `view.shape`, each value
/// `intensity · Σ wᵢ · exp(−d²/2σ²)` over the points within the kernel's square, σ = r/3, as
/// the CLI computes it.
///
/// The kernel radius is `radius` CSS pixels, or `radius_meters` on the ground when given.
/// Grids are additive: the grid of all the points equals the sum of the grids of any split of
/// them within float32 rounding, provided every part uses the same `origin` (the longitude and
/// latitude the core measures positions from; by default the first point, as the CLI does).
/// Colour a grid, or a sum of grids, with `shade`.
///
/// Only points whose kernel reaches the view are drawn. Arrays of the right dtype (float64
/// positions, float32 weights) are read in place; others are converted once. The GIL is
/// released while the grid is computed. Raises `ValueError` for a point outside the
/// longitude/latitude range or a negative or non-finite weight (naming its index), columns of
/// different lengths, or a radius out of range at this view.
#[pyfunction]
#[pyo3(signature = (lon, lat, weight = None, *, view, radius = 25.0, radius_meters = None,
    intensity = 1.0, origin = None))]
#[allow(clippy::too_many_arguments)] // The Python signature: keyword arguments with defaults.
pub fn aggregate<'py>(
    py: Python<'py>,
    lon: PyArrayLike1<'py, f64, AllowTypeChange>,
    lat: PyArrayLike1<'py, f64, AllowTypeChange>,
    weight: Option<PyArrayLike1<'py, f32, AllowTypeChange>>,
    view: View,
    radius: f64,
    radius_meters: Option<f64>,
    intensity: f32,
    origin: Option<(f64, f64)>,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let style = HeatStyle {
        radius: radius_meters.map_or(Radius::Pixels(radius), Radius::Meters),
        intensity,
        // The grid is never coloured here: the maximum is the caller's (`shade`).
        normalize: Normalize::Viewport,
        ..HeatStyle::default()
    };
    let (lon, lat) = (lon.as_array(), lat.as_array());
    let weight = weight.as_ref().map(|w| w.as_array());
    if lat.len() != lon.len() || weight.as_ref().is_some_and(|w| w.len() != lon.len()) {
        return Err(PyValueError::new_err(format!(
            "lon, lat and weight must have one length, not {}, {} and {}",
            lon.len(),
            lat.len(),
            weight.as_ref().map_or(lon.len(), |w| w.len())
        )));
    }
    let columns = Columns { lon, lat, weight };
    let view = view.inner;
    let (h, w) = (view.pixel_height() as usize, view.pixel_width() as usize);
    let values = py
        .detach(|| density(&columns, &view, &style, origin))
        .map_err(|e| to_py(e, "aggregate"))?;
    PyArray1::from_vec(py, values).reshape([h, w])
}

/// Borrowed point columns.
struct Columns<'a> {
    lon: ArrayView1<'a, f64>,
    lat: ArrayView1<'a, f64>,
    weight: Option<ArrayView1<'a, f32>>,
}

fn density(
    columns: &Columns<'_>,
    view: &geoheat::View,
    style: &HeatStyle,
    origin: Option<(f64, f64)>,
) -> geoheat::Result<Vec<f32>> {
    style.validate()?;
    view.validate()?;
    let radius_px = style.radius_px(view)?;
    let origin = origin.or_else(|| Some((*columns.lon.first()?, *columns.lat.first()?)));
    let points = points_in_reach(columns, view, radius_px, origin)?;
    let mut scene = Scene::new(points);
    scene.set_style(style.clone())?;
    geoheat::tiles::density(&scene, view)
}

/// Every point after checking it (index order, as the core's `[lon, lat, w]` triples are
/// checked), keeping only those whose kernel can reach `view`, measured from `origin`.
fn points_in_reach(
    columns: &Columns<'_>,
    view: &geoheat::View,
    radius_px: f64,
    origin: Option<(f64, f64)>,
) -> geoheat::Result<PointBuffer> {
    let reach = Reach::of(view, radius_px);
    let mut points = match origin {
        Some((lon, lat)) => {
            check(0, lon, lat, 0.0)?;
            PointBuffer::with_origin([geo::lon_to_world_x(lon), geo::lat_to_world_y(lat)], 0)
        }
        None => PointBuffer::new(),
    };
    for (index, (&lon, &lat)) in columns.lon.iter().zip(&columns.lat).enumerate() {
        let weight = columns.weight.as_ref().map_or(1.0, |w| w[index]);
        check(index, lon, lat, weight)?;
        if reach.contains(lon, lat) {
            points.push(lon, lat, weight);
        }
    }
    Ok(points)
}

/// The core's rules for a point given as numbers.
fn check(index: usize, lon: f64, lat: f64, weight: f32) -> geoheat::Result<()> {
    if !((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
        return Err(geoheat::Error::InvalidPoint {
            index,
            reason: format!("[{lon}, {lat}] is not a longitude/latitude"),
        });
    }
    if !(weight.is_finite() && weight >= 0.0) {
        return Err(geoheat::Error::InvalidPoint {
            index,
            reason: format!("weight {weight} must be finite and not negative"),
        });
    }
    Ok(())
}

/// The longitudes and latitudes whose kernel can reach a view's pixels: the view grown by
/// twice the radius and a margin for the splat grid's cells (generous, since a point left out
/// must contribute nothing; one kept in vain costs only its splat).
#[derive(Debug)]
struct Reach {
    /// `None` when the view and its margin wrap round the world (every longitude is kept).
    lon: Option<(f64, f64)>,
    lat: (f64, f64),
}

impl Reach {
    fn of(view: &geoheat::View, radius_px: f64) -> Self {
        let margin = 2.0 * radius_px + 64.0;
        let s = view.scale();
        let [cx, cy] = view.center_world();
        let half_w = (f64::from(view.pixel_width()) / 2.0 + margin) / s;
        let half_h = (f64::from(view.pixel_height()) / 2.0 + margin) / s;
        let lon = (view.world_copies(margin) == (0..=0)).then(|| {
            (
                geo::world_x_to_lon(cx - half_w),
                geo::world_x_to_lon(cx + half_w),
            )
        });
        // World y grows southward; beyond the world's edge every latitude on that side is kept.
        let north = if cy - half_h <= 0.0 {
            f64::INFINITY
        } else {
            geo::world_y_to_lat(cy - half_h)
        };
        let south = if cy + half_h >= 1.0 {
            f64::NEG_INFINITY
        } else {
            geo::world_y_to_lat(cy + half_h)
        };
        Self {
            lon,
            lat: (south, north),
        }
    }

    fn contains(&self, lon: f64, lat: f64) -> bool {
        let lon_in = self
            .lon
            .is_none_or(|(west, east)| lon >= west && lon <= east);
        lon_in && lat >= self.lat.0 && lat <= self.lat.1
    }
}
