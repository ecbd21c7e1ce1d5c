//! `geoheat.Pyramid`: the core's heat tiles (`geoheat::tiles`) for `geoheat.dask.tiles`: which
//! tiles a zoom needs, the radius their views take, and one normalisation per zoom, so that the
//! package writes the CLI's tiles (`geoheat tiles`) from the same code.

use crate::errors::to_py;
use geoheat::surface::PngCompression;
use geoheat::tiles::{TileId, shade_zoom, write_zoom};
use geoheat::{ColorRamp, HeatStyle, LonLatBounds};
use numpy::{AllowTypeChange, PyArrayLike2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::path::PathBuf;

/// An XYZ pyramid of heat tiles: zooms `min_zoom..=max_zoom`, `tile_size` pixels square (256
/// or 512), a kernel radius of `radius` tile pixels at every zoom.
#[pyclass(module = "geoheat", frozen)]
#[derive(Debug, Clone, Copy)]
pub struct Pyramid {
    inner: geoheat::tiles::Pyramid,
}

#[pymethods]
impl Pyramid {
    #[new]
    #[pyo3(signature = (min_zoom, max_zoom, tile_size = 256, radius = 25.0))]
    fn new(min_zoom: u32, max_zoom: u32, tile_size: u32, radius: f64) -> PyResult<Self> {
        geoheat::tiles::Pyramid::new(min_zoom, max_zoom, tile_size, radius)
            .map(|inner| Self { inner })
            .map_err(|e| to_py(e, "pyramid"))
    }

    #[getter]
    fn min_zoom(&self) -> u32 {
        self.inner.min_zoom
    }

    #[getter]
    fn max_zoom(&self) -> u32 {
        self.inner.max_zoom
    }

    #[getter]
    fn tile_size(&self) -> u32 {
        self.inner.tile_size
    }

    #[getter]
    fn radius(&self) -> f64 {
        self.inner.radius
    }

    /// The radius in the CSS pixels of a tile's `View` (a tile is 512 CSS pixels wide): what
    /// `aggregate` takes for a tile.
    #[getter]
    fn css_radius(&self) -> f64 {
        self.inner.css_radius()
    }

    /// The tiles `(x, y)` of zoom `z` that points within the box `west, south, east, north`
    /// (degrees; `west > east` crosses the antimeridian) can heat: tiles beyond stay transparent.
    fn tiles(
        &self,
        z: u32,
        west: f64,
        south: f64,
        east: f64,
        north: f64,
    ) -> PyResult<Vec<(u32, u32)>> {
        if !self.inner.zooms().contains(&z) {
            return Err(PyValueError::new_err(format!(
                "zoom {z} is outside the pyramid's {}..{}",
                self.inner.min_zoom, self.inner.max_zoom
            )));
        }
        let bounds = LonLatBounds {
            west,
            south,
            east,
            north,
        };
        Ok(self
            .inner
            .tiles_reached(z, &bounds)
            .into_iter()
            .map(|t| (t.x, t.y))
            .collect())
    }

    /// Colours the density grids of zoom `z`'s tiles (`(x, y, grid)`, each grid `tile_size`
    /// square, as `aggregate` returns for `View.tile`) with one maximum, the highest density
    /// over all of them, and writes those that show heat to `out_dir/z/x/y.png` as the CLI
    /// does. Returns `(maximum, tiles written)`.
    #[pyo3(signature = (out_dir, z, grids, *, ramp = "classic", opacity = 1.0, threshold = 0.0))]
    #[allow(clippy::too_many_arguments)] // The Python signature: keyword arguments with defaults.
    fn write_zoom(
        &self,
        py: Python<'_>,
        out_dir: PathBuf,
        z: u32,
        grids: Vec<(u32, u32, PyArrayLike2<'_, f32, AllowTypeChange>)>,
        ramp: &str,
        opacity: f32,
        threshold: f32,
    ) -> PyResult<(f32, usize)> {
        let invalid = |e: geoheat::Error| PyValueError::new_err(e.to_string());
        let style = HeatStyle {
            ramp: ColorRamp::parse(ramp).map_err(invalid)?,
            opacity,
            threshold,
            ..HeatStyle::default()
        };
        let grids: Vec<(TileId, Vec<f32>)> = grids
            .iter()
            .map(|(x, y, grid)| {
                let tile = TileId { z, x: *x, y: *y };
                (tile, grid.as_array().iter().copied().collect())
            })
            .collect();
        let size = self.inner.tile_size;
        py.detach(|| {
            let zoom = shade_zoom(&grids, size, &style)?;
            let written = write_zoom(&out_dir, &zoom, size, PngCompression::default())?;
            Ok((zoom.maximum, written))
        })
        .map_err(invalid)
    }

    fn __repr__(&self) -> String {
        let p = &self.inner;
        format!(
            "Pyramid(min_zoom={}, max_zoom={}, tile_size={}, radius={})",
            p.min_zoom, p.max_zoom, p.tile_size, p.radius
        )
    }
}
