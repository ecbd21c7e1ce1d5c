//! `geoheat.View`: what part of the world a grid covers, at what size.

use pyo3::prelude::*;

/// A north-up view: centre (longitude, latitude), zoom (the world is 512·2^zoom CSS pixels
/// wide), size in CSS pixels and device pixel ratio. Grids have `height·dpr` rows of
/// `width·dpr` device pixels.
#[pyclass(module = "geoheat", frozen, eq)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub inner: geoheat::View,
}

#[pymethods]
impl View {
    #[new]
    #[pyo3(signature = (center, zoom, width, height, dpr = 1.0))]
    fn new(center: (f64, f64), zoom: f64, width: u32, height: u32, dpr: f64) -> PyResult<Self> {
        let inner = geoheat::View {
            center: [center.0, center.1],
            zoom,
            width,
            height,
            device_pixel_ratio: dpr,
        };
        inner
            .validate()
            .map_err(|e| crate::errors::to_py(e, "view"))?;
        Ok(Self { inner })
    }

    /// The view of XYZ map tile `z`/`x`/`y`, `size` pixels square (256 or 512 as web maps use):
    /// 512 CSS pixels at zoom `z` with a pixel ratio of `size / 512`, so a radius meant in tile
    /// pixels is `radius · 512 / size` CSS pixels. Adjacent tiles' grids are, pixel for pixel,
    /// the grid of one view of their union.
    #[staticmethod]
    #[pyo3(signature = (z, x, y, size = 256))]
    fn tile(z: u32, x: u32, y: u32, size: u32) -> PyResult<Self> {
        geoheat::View::xyz_tile(z, x, y, size)
            .map(|inner| Self { inner })
            .map_err(|e| crate::errors::to_py(e, "tile"))
    }

    #[getter]
    fn center(&self) -> (f64, f64) {
        (self.inner.center[0], self.inner.center[1])
    }

    #[getter]
    fn zoom(&self) -> f64 {
        self.inner.zoom
    }

    #[getter]
    fn width(&self) -> u32 {
        self.inner.width
    }

    #[getter]
    fn height(&self) -> u32 {
        self.inner.height
    }

    #[getter]
    fn dpr(&self) -> f64 {
        self.inner.device_pixel_ratio
    }

    /// `(rows, columns)` of the view's grids, in device pixels.
    #[getter]
    fn shape(&self) -> (u32, u32) {
        (self.inner.pixel_height(), self.inner.pixel_width())
    }

    /// Pickles as the constructor's arguments, so views travel to Dask workers.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let v = slf.get().inner;
        let args = (
            (v.center[0], v.center[1]),
            v.zoom,
            v.width,
            v.height,
            v.device_pixel_ratio,
        );
        Ok((slf.get_type(), args).into_pyobject(slf.py())?.into_any())
    }

    fn __repr__(&self) -> String {
        let v = &self.inner;
        format!(
            "View(center=({}, {}), zoom={}, width={}, height={}, dpr={})",
            v.center[0], v.center[1], v.zoom, v.width, v.height, v.device_pixel_ratio
        )
    }
}
