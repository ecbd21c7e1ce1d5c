//! Committing loaded points (all or nothing, fitting the view when asked) and the synchronous
//! load methods: `loadGeoJSON` (bytes, one shot), `geoJSONLoader` (chunks pushed by the page) and
//! `setPoints` (`[lon, lat, weight]` triples). `setData` ([`super::data`]) takes every kind of
//! source and ends in the same [`Shared::commit_load`].

use super::global::now_ms;
use super::{Heatmap, Shared, options, to_js_value, to_ts, types};
use crate::engine::FitOptions;
use crate::error::{Error, Result};
use crate::geo::LonLatBounds;
use crate::ingest::{
    ChunkedIngest, IngestProgress, IngestReport, ingest_geojson, ingest_geojson_with_progress,
    points_from_triples,
};
use crate::points::PointBuffer;
use js_sys::{Float32Array, Uint8Array};
use serde::Serialize;
use std::rc::Rc;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

/// What a load read (returned by the load methods and emitted as `load`).
#[derive(Debug, Serialize, Tsify)]
#[tsify(missing_as_null)]
#[serde(rename_all = "camelCase")]
pub struct LoadReport {
    points: usize,
    features: usize,
    point_features: usize,
    skipped_by_type: usize,
    skipped_by_policy: usize,
    null_geometry: usize,
    /// [west, south, east, north]; west > east when the data crosses the antimeridian.
    bbox: Option<[f64; 4]>,
    bytes: usize,
    ms: f64,
}

impl LoadReport {
    fn new(report: &IngestReport, ms: f64) -> Self {
        Self {
            points: report.points,
            features: report.features,
            point_features: report.point_features,
            skipped_by_type: report.skipped_by_type,
            skipped_by_policy: report.skipped_by_policy,
            null_geometry: report.null_geometry,
            bbox: report.bounds.map(LonLatBounds::to_array),
            bytes: report.bytes,
            ms,
        }
    }
}

/// How far a load got (the `progress` event).
#[derive(Debug, Serialize, Tsify)]
#[tsify(missing_as_null)]
#[serde(rename_all = "camelCase")]
pub struct ProgressEvent {
    /// "stream": a chunk of a URL, Response, stream or loader was parsed; "parse": bytes are
    /// parsed in one go.
    #[tsify(type = "\"stream\" | \"parse\"")]
    phase: &'static str,
    bytes: usize,
    total_bytes: Option<usize>,
    features: usize,
}

impl Shared {
    /// Swaps in freshly loaded points (the old ones stay until this moment); the engine fits
    /// the view as `fit` and its rules say.
    fn commit_points(&self, points: PointBuffer, fit: &FitOptions) -> Result<()> {
        self.state.borrow_mut().engine.load(points, fit)?;
        // A `setData` still loading must not replace these later.
        self.load_generation.set(self.load_generation.get() + 1);
        self.request_frame();
        Ok(())
    }

    pub(super) fn emit_progress(
        &self,
        phase: &'static str,
        progress: IngestProgress,
        total: Option<usize>,
    ) {
        let event = ProgressEvent {
            phase,
            bytes: progress.bytes_read,
            total_bytes: total,
            features: progress.features,
        };
        self.listeners.emit("progress", &to_js_value(&event));
    }

    /// Parses GeoJSON bytes in one go, with `progress` events (phase `"parse"`).
    pub(super) fn parse_bytes(
        &self,
        bytes: &[u8],
        load: &options::LoadOptions,
    ) -> Result<(PointBuffer, IngestReport)> {
        let report_progress = self.listeners.has("progress");
        let total = Some(bytes.len());
        ingest_geojson_with_progress(bytes, &load.ingest, &mut |p| {
            if report_progress {
                self.emit_progress("parse", p, total);
            }
        })
    }

    /// Swaps in the points of a successful load and reports it (returned and as a `load` event).
    pub(super) fn commit_load(
        &self,
        points: PointBuffer,
        report: &IngestReport,
        load: &options::LoadOptions,
        started_ms: f64,
    ) -> Result<JsValue> {
        self.commit_points(points, &load.fit)?;
        let report = to_js_value(&LoadReport::new(report, now_ms() - started_ms));
        self.listeners.emit("load", &report);
        Ok(report)
    }
}

/// Parses a GeoJSON object (already parsed by the page) as the text `JSON.stringify` writes
/// of it: the byte scanner reads that faster than a walk over the object's properties would,
/// with exactly the rules of a load from bytes. The object has no text of its own, so errors
/// name the feature, not a line.
pub(super) fn parse_object(
    object: &JsValue,
    load: &options::LoadOptions,
) -> Result<(PointBuffer, IngestReport)> {
    let text = js_sys::JSON::stringify(object)
        .map_err(|e| {
            Error::argument(format!(
                "the GeoJSON object cannot be written as JSON: {}",
                super::errors::message_of(&e)
            ))
        })?
        .as_string()
        .unwrap_or_default();
    // Without progress events: their byte counts would be of text the page never had.
    ingest_geojson(text.as_bytes(), &load.ingest)
        .map_err(|error| match error {
            Error::GeoJson { problem, at } => Error::GeoJsonValue {
                problem,
                feature_index: at.feature_index,
            },
            other => other,
        })
        .map(|(points, report)| {
            // The text was ours, not the page's.
            (points, IngestReport { bytes: 0, ..report })
        })
}

/// Bytes of a `Uint8Array`, `ArrayBuffer` or string, copied into wasm memory.
pub(super) fn bytes_of(data: &JsValue) -> Result<Vec<u8>> {
    if let Some(text) = data.as_string() {
        return Ok(text.into_bytes());
    }
    buffer_bytes(data).ok_or_else(|| {
        Error::argument("GeoJSON must be given as a string, Uint8Array or ArrayBuffer")
    })
}

/// Bytes of a `Uint8Array` or `ArrayBuffer`, copied once into wasm memory; `None` for any
/// other value.
pub(super) fn buffer_bytes(data: &JsValue) -> Option<Vec<u8>> {
    // `new Uint8Array(array)` views an ArrayBuffer but copies a Uint8Array: a second copy of
    // the whole input, a tenth of a large load's time.
    if let Some(array) = data.dyn_ref::<Uint8Array>() {
        return Some(array.to_vec());
    }
    data.is_instance_of::<js_sys::ArrayBuffer>()
        .then(|| Uint8Array::new(data).to_vec())
}

#[wasm_bindgen]
impl Heatmap {
    /// Loads GeoJSON (string, `Uint8Array` or `ArrayBuffer`), replacing the current points.
    /// Throws a `GeoheatError` (with `code`, `line`, `column`, `byteOffset`, `featureIndex`) on bad
    /// input, and then the current heatmap stays as it was.
    #[wasm_bindgen(js_name = loadGeoJSON)]
    pub fn load_geojson(
        &self,
        data: JsValue,
        options: Option<types::LoadOptions>,
    ) -> Result<Ts<LoadReport>, JsValue> {
        let load = options::parse_load(&options.map_or(JsValue::UNDEFINED, Into::into))?;
        let started = now_ms();
        let bytes = bytes_of(&data)?;
        let (points, report) = self.shared.parse_bytes(&bytes, &load)?;
        let report = self.shared.commit_load(points, &report, &load, started)?;
        Ok(Ts::new_unchecked(report))
    }

    /// A loader that takes GeoJSON in chunks (for example from `response.body`), reports
    /// `progress` events, and replaces the points when `finish()` succeeds.
    #[wasm_bindgen(js_name = geoJSONLoader)]
    pub fn geojson_loader(
        &self,
        options: Option<types::LoadOptions>,
    ) -> Result<GeoJsonLoader, JsValue> {
        let load = options::parse_load(&options.map_or(JsValue::UNDEFINED, Into::into))?;
        let ingest = ChunkedIngest::new(&load.ingest)?;
        Ok(GeoJsonLoader {
            shared: self.shared.clone(),
            pending: Some((load, ingest)),
            chunk: Vec::new(),
            total_bytes: None,
            started_ms: now_ms(),
        })
    }

    /// Replaces the points with `[lon, lat, weight]` triples from a `Float64Array`,
    /// `Float32Array` or array of numbers.
    #[wasm_bindgen(js_name = setPoints)]
    pub fn set_points(
        &self,
        triples: JsValue,
        options: Option<types::LoadOptions>,
    ) -> Result<Ts<LoadReport>, JsValue> {
        let load = options::parse_load(&options.map_or(JsValue::UNDEFINED, Into::into))?;
        let started = now_ms();
        if !(triples.is_instance_of::<js_sys::Float64Array>()
            || triples.is_instance_of::<Float32Array>()
            || js_sys::Array::is_array(&triples))
        {
            return Err(Error::argument(
                "setPoints takes a Float64Array, Float32Array or number[] of [lon, lat, weight] triples",
            )
            .into());
        }
        let values = js_sys::Float64Array::new(&triples).to_vec();
        let points = points_from_triples(&values)?;
        let report = IngestReport {
            points: points.len(),
            features: points.len(),
            point_features: points.len(),
            bounds: points.bounds(),
            ..IngestReport::default()
        };
        self.shared.commit_points(points, &load.fit)?;
        Ok(to_ts(&LoadReport::new(&report, now_ms() - started)))
    }
}

/// Takes GeoJSON in chunks; see `Heatmap.geoJSONLoader`. Each chunk is parsed as it arrives (a
/// FeatureCollection's features as soon as they are complete), so wasm memory holds the points and
/// one chunk, never the whole file, and the parse is spread over the download.
#[wasm_bindgen]
pub struct GeoJsonLoader {
    shared: Rc<Shared>,
    /// Gone once the loader finished (or failed in `finish`).
    pending: Option<(options::LoadOptions, ChunkedIngest)>,
    /// The chunk copied out of JS memory; reused, so a load allocates it once.
    chunk: Vec<u8>,
    total_bytes: Option<usize>,
    started_ms: f64,
}

impl std::fmt::Debug for GeoJsonLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pushed = self
            .pending
            .as_ref()
            .map(|(_, ingest)| ingest.bytes_pushed());
        f.debug_struct("GeoJsonLoader")
            .field("bytes_pushed", &pushed)
            .finish_non_exhaustive()
    }
}

#[wasm_bindgen]
impl GeoJsonLoader {
    /// The expected size (for example `Content-Length`), so progress can give a fraction.
    #[wasm_bindgen(setter, js_name = totalBytes)]
    pub fn set_total_bytes(&mut self, total: usize) {
        self.total_bytes = Some(total);
    }

    /// Parses a chunk and emits a `"progress"` event (phase `"stream"`). Throws on bad input
    /// (with the same `code`, `line`, `column`, `byteOffset` and `featureIndex` as
    /// `loadGeoJSON`); the heatmap keeps its points, and so does every later call.
    pub fn push(&mut self, chunk: &Uint8Array) -> Result<(), JsValue> {
        let Some((_, ingest)) = self.pending.as_mut() else {
            return Err(Error::LoaderFinished.into());
        };
        self.chunk.resize(chunk.length() as usize, 0);
        chunk.copy_to(&mut self.chunk);
        ingest.push(&self.chunk)?;
        if self.shared.listeners.has("progress") {
            let progress = IngestProgress {
                bytes_read: ingest.bytes_pushed(),
                total_bytes: self.total_bytes.unwrap_or(0),
                features: ingest.features_read(),
            };
            self.shared
                .emit_progress("stream", progress, self.total_bytes);
        }
        Ok(())
    }

    /// Ends the input and replaces the heatmap's points; throws on bad or incomplete input, and
    /// then the heatmap keeps its current points.
    pub fn finish(&mut self) -> Result<Ts<LoadReport>, JsValue> {
        let (load, ingest) = self.pending.take().ok_or(Error::LoaderFinished)?;
        self.chunk = Vec::new();
        let (points, report) = ingest.finish()?;
        let report = self
            .shared
            .commit_load(points, &report, &load, self.started_ms)?;
        Ok(Ts::new_unchecked(report))
    }
}
