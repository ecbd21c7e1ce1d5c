//! `geoheat._geoheat`, the extension module under the Python package `geoheat`: GeoJSON to NumPy
//! columns, columns to a density grid, a grid to RGBA and PNG, all on the geoheat core's CPU
//! path, so that a grid shaded here is the CLI's PNG byte for byte.
//!
//! Each function releases the GIL while it computes and reads NumPy arrays in place when their
//! dtype already fits. The Python side (`python/geoheat`) adds the Dask functions and the type
//! stubs.

mod density;
mod errors;
mod ingest;
mod shade;
mod tiles;
mod view;

use pyo3::prelude::*;

#[pymodule]
fn _geoheat(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<view::View>()?;
    m.add_class::<tiles::Pyramid>()?;
    m.add("GeoJSONError", m.py().get_type::<errors::GeoJSONError>())?;
    m.add_function(wrap_pyfunction!(ingest::read_geojson, m)?)?;
    m.add_function(wrap_pyfunction!(density::aggregate, m)?)?;
    m.add_function(wrap_pyfunction!(shade::shade, m)?)?;
    m.add_function(wrap_pyfunction!(shade::to_png, m)?)?;
    Ok(())
}
