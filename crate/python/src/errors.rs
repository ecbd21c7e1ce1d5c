//! The core's errors as Python exceptions: GeoJSON problems as `GeoJSONError` with the place
//! named as attributes (and in the message, as the CLI prints it), the rest as `ValueError`.

use geoheat::Error;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

pyo3::create_exception!(
    geoheat,
    GeoJSONError,
    PyValueError,
    "GeoJSON that geoheat cannot read. Attributes: `code` (e.g. \"GEOJSON_SYNTAX\"), `line` and \
     `column` (1-based), `byte_offset` (0-based) and `feature_index` (0-based, or None outside \
     any feature)."
);

/// `error` as a Python exception; `source` names the input in GeoJSON messages.
pub fn to_py(error: Error, source: &str) -> PyErr {
    match &error {
        Error::GeoJson { problem, at } => {
            let feature = at
                .feature_index
                .map(|i| format!(", feature {i}"))
                .unwrap_or_default();
            let message = format!(
                "{source}:{}:{}: {problem} (byte {}{feature})",
                at.line, at.column, at.byte_offset
            );
            let attributes = Location {
                line: Some(at.line),
                column: Some(at.column),
                byte_offset: Some(at.byte_offset),
                feature_index: at.feature_index,
            };
            geojson_error(message, error.code(), attributes)
        }
        Error::GeoJsonValue { feature_index, .. } => {
            let attributes = Location {
                feature_index: *feature_index,
                ..Location::default()
            };
            geojson_error(format!("{source}: {error}"), error.code(), attributes)
        }
        _ => PyValueError::new_err(error.to_string()),
    }
}

/// Where a GeoJSON problem is, as far as it is known.
#[derive(Debug, Default)]
struct Location {
    line: Option<usize>,
    column: Option<usize>,
    byte_offset: Option<usize>,
    feature_index: Option<usize>,
}

fn geojson_error(message: String, code: &str, at: Location) -> PyErr {
    Python::attach(|py| {
        let error = GeoJSONError::new_err(message);
        let value = error.value(py);
        let set = || -> PyResult<()> {
            value.setattr("code", code)?;
            value.setattr("line", at.line)?;
            value.setattr("column", at.column)?;
            value.setattr("byte_offset", at.byte_offset)?;
            value.setattr("feature_index", at.feature_index)
        };
        match set() {
            Ok(()) => error,
            Err(e) => e,
        }
    })
}
