//! `shade` and `to_png`: a density grid to straight RGBA8 with the CLI's palette, normalisation
//! and rounding, and RGBA8 to the CLI's PNG encoding.

use geoheat::surface::{PngCompression, encode_png};
use geoheat::{ColorRamp, HeatStyle, Normalize};
use numpy::{AllowTypeChange, PyArray1, PyArray3, PyArrayLike2, PyArrayMethods, PyReadonlyArray3};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use std::path::PathBuf;

/// How the grid's densities are scaled to [0, 1].
#[derive(Debug, Clone, Copy)]
pub enum Normalization {
    /// The grid's own highest density: the CLI's `--normalize viewport`. On a sum of grids it
    /// is the maximum of the sum, so one normalisation covers all the data.
    Viewport,
    /// A given maximum: the CLI's `--normalize fixed:MAX`.
    Fixed(f32),
}

impl<'py> FromPyObject<'_, 'py> for Normalization {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(max) = obj.extract::<f32>() {
            return Ok(Self::Fixed(max));
        }
        match obj.extract::<String>().as_deref() {
            Ok("viewport") => Ok(Self::Viewport),
            Ok("stable") => Err(PyValueError::new_err(
                "normalize=\"stable\" needs every point at the zoom, not one view's grid: use \
                 \"viewport\" (the grid's maximum) or a number",
            )),
            _ => Err(PyValueError::new_err(
                "normalize takes \"viewport\" or a maximum density (a number)",
            )),
        }
    }
}

/// Colours a density grid (2-D, as `aggregate` returns, or a sum of such grids) into an RGBA
/// uint8 array of shape `(rows, columns, 4)`, straight (not premultiplied) alpha.
///
/// `ramp` is a ramp name ("classic", "viridis", "magma", "greys") or stops such as
/// "0:#0000ff00,0.5:lime,1:red", as the CLI's `--ramp`. `normalize` is "viewport" (the grid's
/// highest density maps to the top of the ramp: computed here, from the whole grid, so a sum of
/// partial grids is normalised once) or a fixed maximum density. `opacity` multiplies the
/// ramp's alpha; values below `threshold` (normalised) are transparent. The palette and the
/// rounding are the CLI's: the pixels equal its PNG's for the same scene.
#[pyfunction]
#[pyo3(signature = (density, *, ramp = "classic", normalize = Normalization::Viewport,
    opacity = 1.0, threshold = 0.0))]
pub fn shade<'py>(
    py: Python<'py>,
    density: PyArrayLike2<'py, f32, AllowTypeChange>,
    ramp: &str,
    normalize: Normalization,
    opacity: f32,
    threshold: f32,
) -> PyResult<Bound<'py, PyArray3<u8>>> {
    let invalid = |e: geoheat::Error| PyValueError::new_err(e.to_string());
    let (normalize, fixed) = match normalize {
        Normalization::Viewport => (Normalize::Viewport, None),
        Normalization::Fixed(max) => (Normalize::Fixed(max), Some(max)),
    };
    let style = HeatStyle {
        ramp: ColorRamp::parse(ramp).map_err(invalid)?,
        normalize,
        opacity,
        threshold,
        ..HeatStyle::default()
    };
    style.validate().map_err(invalid)?;
    // A grid from `aggregate` is contiguous; anything else is copied once.
    let values = density.as_array();
    let (rows, columns) = values.dim();
    let owned;
    let values = match values.as_slice() {
        Some(values) => values,
        None => {
            owned = values.iter().copied().collect::<Vec<f32>>();
            &owned
        }
    };
    let rgba = py
        .detach(|| {
            // The CLI's viewport maximum: the highest density, at least 0 (NaN never wins).
            let max = fixed.unwrap_or_else(|| {
                values
                    .iter()
                    .fold(0.0, |m: f32, &v| if v > m { v } else { m })
            });
            let mut rgba = vec![0; values.len() * 4];
            geoheat::raster::shade(values, max, &style, &mut rgba).map(|()| rgba)
        })
        .map_err(invalid)?;
    PyArray1::from_vec(py, rgba).reshape([rows, columns, 4])
}

/// Writes an RGBA uint8 array of shape `(rows, columns, 4)` (as `shade` returns) to `path` as a
/// PNG, encoded as the CLI encodes (`compression` "fast", "balanced" or "best"), so a shaded
/// grid of the CLI's scene gives its file byte for byte.
#[pyfunction]
#[pyo3(signature = (rgba, path, *, compression = "balanced"))]
pub fn to_png(
    py: Python<'_>,
    rgba: PyReadonlyArray3<'_, u8>,
    path: PathBuf,
    compression: &str,
) -> PyResult<()> {
    let compression = match compression {
        "fast" => PngCompression::Fast,
        "balanced" => PngCompression::Balanced,
        "best" => PngCompression::Best,
        other => {
            return Err(PyValueError::new_err(format!(
                "compression takes \"fast\", \"balanced\" or \"best\", not {other:?}"
            )));
        }
    };
    let pixels = rgba.as_array();
    let (rows, columns, channels) = pixels.dim();
    if channels != 4 {
        return Err(PyValueError::new_err(format!(
            "rgba must have shape (rows, columns, 4), not ({rows}, {columns}, {channels})"
        )));
    }
    let size = |n: usize| u32::try_from(n).map_err(|_| PyValueError::new_err("image too large"));
    let (width, height) = (size(columns)?, size(rows)?);
    let owned;
    let pixels = match pixels.as_slice() {
        Some(pixels) => pixels,
        None => {
            owned = pixels.iter().copied().collect::<Vec<u8>>();
            &owned
        }
    };
    let name = path.display().to_string();
    py.detach(|| {
        let png = encode_png(pixels, width, height, compression)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        std::fs::write(&path, png)
            .map_err(|e| PyOSError::new_err((e.raw_os_error(), format!("{name}: {e}"))))
    })
}
