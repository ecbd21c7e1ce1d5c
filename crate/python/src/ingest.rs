//! `read_geojson`: GeoJSON bytes or a file to NumPy columns, through the core's ingest (the CLI's
//! rules, policies and errors).

use crate::errors::to_py;
use geoheat::ingest::{InvalidPolicy, LineAndPolygonPolicy};
use geoheat::{IngestOptions, PointBuffer, geo};
use numpy::PyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::path::PathBuf;

/// Where the GeoJSON comes from.
#[derive(Debug)]
pub enum Source<'py> {
    /// A path (`str` or `os.PathLike`).
    Path(PathBuf),
    /// `bytes`, read in place.
    Bytes(Bound<'py, PyBytes>),
    /// Anything else holding bytes (`bytearray`, `memoryview`), copied once.
    Buffer(Vec<u8>),
}

impl<'py> FromPyObject<'_, 'py> for Source<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = obj.cast::<PyBytes>() {
            return Ok(Self::Bytes(bytes.to_owned()));
        }
        if let Ok(path) = obj.extract::<PathBuf>() {
            return Ok(Self::Path(path));
        }
        obj.extract::<Vec<u8>>().map(Self::Buffer).map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "read_geojson takes a path (str or os.PathLike) or the GeoJSON as bytes",
            )
        })
    }
}

/// Reads GeoJSON points into columns: a dict of NumPy arrays `lon` and `lat` (float64, degrees)
/// and `weight` (float32), one entry per point, in the order of the file, and one float64 array
/// per name in `properties` and for `time_property` (NaN where a point has no value; times, as
/// epoch milliseconds or ISO 8601 strings in the file, in epoch milliseconds).
///
/// `source` is a path or the GeoJSON itself as bytes. `weight` names the feature property that
/// holds each point's weight (every point weighs `default_weight` otherwise). The policies are
/// the CLI's: `invalid_weight` and `out_of_range` are "error" or "skip", `lines_and_polygons`
/// is "skip" or "vertices". Positions are those geoheat renders (Web Mercator f32 offsets from
/// the first point): within a millimetre for data in a city, about a metre for world-wide data.
///
/// Raises `GeoJSONError` (with `code`, `line`, `column`, `byte_offset`, `feature_index`) for
/// input that is not valid GeoJSON or breaks a policy set to "error", `OSError` when the file
/// cannot be read, `ValueError` for a bad option.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // The Python signature: keyword arguments with defaults.
#[pyo3(signature = (source, weight = None, *, properties = Vec::new(), time_property = None,
    default_weight = 1.0, invalid_weight = "error", out_of_range = "error",
    lines_and_polygons = "skip"))]
pub fn read_geojson<'py>(
    py: Python<'py>,
    source: Source<'py>,
    weight: Option<String>,
    properties: Vec<String>,
    time_property: Option<String>,
    default_weight: f32,
    invalid_weight: &str,
    out_of_range: &str,
    lines_and_polygons: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let options = IngestOptions {
        weight_property: weight,
        default_weight,
        invalid_weight: policy(invalid_weight, "invalid_weight")?,
        out_of_range: policy(out_of_range, "out_of_range")?,
        lines_and_polygons: match lines_and_polygons {
            "skip" => LineAndPolygonPolicy::Skip,
            "vertices" => LineAndPolygonPolicy::Vertices,
            other => {
                return Err(PyValueError::new_err(format!(
                    "lines_and_polygons takes \"skip\" or \"vertices\", not {other:?}"
                )));
            }
        },
        properties,
        time_property,
        ..IngestOptions::default()
    };
    let (name, columns) = match &source {
        Source::Path(path) => {
            let name = path.display().to_string();
            let columns = py.detach(|| {
                let bytes = std::fs::read(path)?;
                Ok::<_, std::io::Error>(ingest(&bytes, &options))
            });
            let columns = columns.map_err(|e| {
                pyo3::exceptions::PyOSError::new_err((e.raw_os_error(), format!("{name}: {e}")))
            })?;
            (name, columns)
        }
        Source::Bytes(bytes) => {
            let bytes = bytes.as_bytes();
            ("<bytes>".to_string(), py.detach(|| ingest(bytes, &options)))
        }
        Source::Buffer(bytes) => ("<bytes>".to_string(), py.detach(|| ingest(bytes, &options))),
    };
    let Columns {
        lon,
        lat,
        weight,
        properties,
    } = columns.map_err(|e| to_py(e, &name))?;
    let dict = PyDict::new(py);
    dict.set_item("lon", PyArray1::from_vec(py, lon))?;
    dict.set_item("lat", PyArray1::from_vec(py, lat))?;
    dict.set_item("weight", PyArray1::from_vec(py, weight))?;
    for (name, values) in properties {
        dict.set_item(name, PyArray1::from_vec(py, values))?;
    }
    Ok(dict)
}

/// The points of one file as columns.
#[derive(Debug)]
struct Columns {
    lon: Vec<f64>,
    lat: Vec<f64>,
    weight: Vec<f32>,
    /// The kept properties (and the time property), by name: NaN where a point has none, times
    /// in epoch milliseconds.
    properties: Vec<(String, Vec<f64>)>,
}

fn ingest(bytes: &[u8], options: &IngestOptions) -> geoheat::Result<Columns> {
    let (points, _) = geoheat::ingest_geojson(bytes, options)?;
    Ok(columns(&points))
}

/// The points back in degrees: the inverse projection of what the buffer holds.
fn columns(points: &PointBuffer) -> Columns {
    let n = points.len();
    let mut out = Columns {
        lon: Vec::with_capacity(n),
        lat: Vec::with_capacity(n),
        weight: Vec::with_capacity(n),
        properties: points
            .columns()
            .iter()
            .map(|column| {
                let values = (0..n).map(|i| column.value(i)).collect();
                (column.name().to_string(), values)
            })
            .collect(),
    };
    for ([x, y], w) in points.iter_world() {
        out.lon.push(geo::world_x_to_lon(x));
        out.lat.push(geo::world_y_to_lat(y));
        out.weight.push(w);
    }
    out
}

fn policy(value: &str, name: &str) -> PyResult<InvalidPolicy> {
    match value {
        "error" => Ok(InvalidPolicy::Error),
        "skip" => Ok(InvalidPolicy::Skip),
        other => Err(PyValueError::new_err(format!(
            "{name} takes \"error\" or \"skip\", not {other:?}"
        ))),
    }
}
