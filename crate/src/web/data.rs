//! `setData`: one entry point for every kind of GeoJSON source, as MapLibre's GeoJSON source
//! takes them. A string or `URL` is fetched and parsed as it streams; a `Response`, a
//! `ReadableStream` or a `Blob` is read as it streams; an `ArrayBuffer` or `Uint8Array` of
//! GeoJSON text is parsed in one go; any other object is an already-parsed GeoJSON document,
//! walked in place with the same visitors (never turned back into text).
//!
//! Streams are read in slices of at most [`LOAD_SLICE_MS`], each followed by a new task, so that
//! animation frames keep coming while a large file loads (a pan during the load shows), on a
//! page and in a worker alike. The points are committed only when the whole input was read: a
//! failed load (a fetch, the stream, the GeoJSON) rejects and keeps the current data.

use super::errors::message_of;
use super::global::{self, next_task, now_ms};
use super::options::{self, LoadOptions};
use super::{Heatmap, Shared, load, types};
use crate::error::{Error, GeoJsonProblem};
use crate::ingest::{ChunkedIngest, IngestProgress, IngestReport};
use crate::points::PointBuffer;
use js_sys::{ArrayBuffer, Reflect, Uint8Array};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableStream, ReadableStreamDefaultReader, Response, Url};

/// Parsing time before the load lets other tasks (animation frames) run.
const LOAD_SLICE_MS: f64 = 8.0;
/// Bytes parsed between two looks at the clock (a large stream chunk is cut into these).
const PUSH_BYTES: usize = 1 << 18;

/// Where the GeoJSON comes from.
enum Source {
    Url(String),
    Response(Response),
    Stream(ReadableStream, Option<usize>),
    Bytes(Vec<u8>),
    Object(JsValue),
}

impl Source {
    fn of(data: JsValue) -> Result<Self, JsValue> {
        if let Some(url) = data.as_string() {
            return Ok(Self::Url(url));
        }
        if let Some(url) = data.dyn_ref::<Url>() {
            return Ok(Self::Url(url.href()));
        }
        if data.is_instance_of::<Response>() {
            return Ok(Self::Response(data.unchecked_into()));
        }
        if data.is_instance_of::<ReadableStream>() {
            return Ok(Self::Stream(data.unchecked_into(), None));
        }
        if let Some(blob) = data.dyn_ref::<Blob>() {
            return Ok(Self::Stream(blob.stream(), Some(blob.size() as usize)));
        }
        if let Some(bytes) = load::buffer_bytes(&data) {
            return Ok(Self::Bytes(bytes));
        }
        if js_sys::Array::is_array(&data) {
            // An object's deserializer would read an array as a list of [key, value] pairs.
            return Err(Error::GeoJsonValue {
                problem: GeoJsonProblem::NotAnObject { found: "an array" },
                feature_index: None,
            }
            .into());
        }
        if data.is_object() && !ArrayBuffer::is_view(&data) {
            return Ok(Self::Object(data));
        }
        Err(Error::argument(
            "setData takes a URL (string or URL), a Response, a ReadableStream, a Blob, an \
             ArrayBuffer or Uint8Array of GeoJSON text, or a GeoJSON object",
        )
        .into())
    }
}

#[wasm_bindgen]
impl Heatmap {
    /// Replaces the data with GeoJSON from `data`: a URL (a string is a URL, resolved against the
    /// document), a `URL`, a `Response`, a `ReadableStream`, a `Blob`, an `ArrayBuffer` or
    /// `Uint8Array` of GeoJSON text, or a GeoJSON object. Resolves to the load report (also
    /// emitted as `load`); emits `progress` while it reads. Rejects with a `GeoheatError`
    /// (`FETCH_FAILED` with `url` and `status`, `GEOJSON_*` with the place, `INVALID_OPTION`,
    /// `LOAD_SUPERSEDED` when another load finished or started since) and then keeps the data
    /// it had.
    #[wasm_bindgen(js_name = setData, unchecked_return_type = "Promise<LoadReport>")]
    pub fn set_data(
        &self,
        #[wasm_bindgen(unchecked_param_type = "GeoJSONData")] data: JsValue,
        options: Option<types::LoadOptions>,
    ) -> js_sys::Promise {
        let shared = Rc::clone(&self.shared);
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        wasm_bindgen_futures::future_to_promise(
            async move { shared.set_data(data, &options).await },
        )
    }
}

impl Shared {
    async fn set_data(&self, data: JsValue, options: &JsValue) -> Result<JsValue, JsValue> {
        let load = options::parse_load(options)?;
        let started = now_ms();
        let generation = self.load_generation.get() + 1;
        self.load_generation.set(generation);
        let (points, report) = match Source::of(data)? {
            Source::Url(url) => {
                let response = fetch(&global::resolve_url(&url)).await?;
                self.read_response(&response, &load).await?
            }
            Source::Response(response) => self.read_response(&response, &load).await?,
            Source::Stream(stream, total) => self.read_stream(&stream, total, &load).await?,
            Source::Bytes(bytes) => self.parse_bytes(&bytes, &load)?,
            Source::Object(object) => load::parse_object(&object, &load)?,
        };
        if self.load_generation.get() != generation {
            return Err(Error::LoadSuperseded.into());
        }
        Ok(self.commit_load(points, &report, &load, started)?)
    }

    /// Checks the status and reads the body, with `Content-Length` as the total for progress.
    /// Errors name the response's URL (resolved, after redirects).
    async fn read_response(
        &self,
        response: &Response,
        load: &LoadOptions,
    ) -> Result<(PointBuffer, IngestReport), JsValue> {
        if !response.ok() {
            return Err(fetch_failed(
                &response.url(),
                Some(response.status()),
                &response.status_text(),
            ));
        }
        if response.body_used() {
            return Err(Error::argument("the Response's body has already been read").into());
        }
        let total = response
            .headers()
            .get("content-length")
            .ok()
            .flatten()
            .and_then(|length| length.trim().parse::<usize>().ok());
        match response.body() {
            Some(body) => self.read_stream(&body, total, load).await,
            // A response without a body (204, HEAD) is empty input.
            None => Ok(self.parse_bytes(&[], load)?),
        }
    }

    /// Parses a stream of `Uint8Array` chunks as they arrive, with `progress` events (phase
    /// `"stream"`), letting other tasks run every [`LOAD_SLICE_MS`]. On a bad chunk the stream
    /// is cancelled.
    async fn read_stream(
        &self,
        stream: &ReadableStream,
        total: Option<usize>,
        load: &LoadOptions,
    ) -> Result<(PointBuffer, IngestReport), JsValue> {
        if stream.locked() {
            return Err(
                Error::argument("the stream is locked (another reader is reading it)").into(),
            );
        }
        let mut ingest = ChunkedIngest::new(&load.ingest)?;
        let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
        let mut chunk = Vec::new();
        let mut slice_started = now_ms();
        loop {
            let read =
                JsFuture::from(reader.read())
                    .await
                    .map_err(|thrown| Error::StreamFailed {
                        reason: message_of(&thrown),
                    })?;
            if Reflect::get(&read, &"done".into())
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true)
            {
                break;
            }
            let value = Reflect::get(&read, &"value".into()).unwrap_or(JsValue::UNDEFINED);
            let Some(bytes) = value.dyn_ref::<Uint8Array>() else {
                let _ = reader.cancel();
                return Err(Error::argument("a GeoJSON stream must give Uint8Array chunks").into());
            };
            chunk.resize(bytes.length() as usize, 0);
            bytes.copy_to(&mut chunk);
            for piece in chunk.chunks(PUSH_BYTES) {
                if let Err(error) = ingest.push(piece) {
                    let _ = reader.cancel();
                    return Err(error.into());
                }
                if now_ms() - slice_started > LOAD_SLICE_MS {
                    next_task().await;
                    slice_started = now_ms();
                }
            }
            if self.listeners.has("progress") {
                let progress = IngestProgress {
                    bytes_read: ingest.bytes_pushed(),
                    total_bytes: total.unwrap_or(0),
                    features: ingest.features_read(),
                };
                self.emit_progress("stream", progress, total);
            }
        }
        Ok(ingest.finish()?)
    }
}

/// `fetch(url)`; a network error rejects with `FETCH_FAILED` naming the URL.
async fn fetch(url: &str) -> Result<Response, JsValue> {
    let response = JsFuture::from(global::fetch(url)?)
        .await
        .map_err(|thrown| fetch_failed(url, None, &message_of(&thrown)))?;
    response
        .dyn_into::<Response>()
        .map_err(|_| fetch_failed(url, None, "fetch did not give a Response"))
}

/// A `FETCH_FAILED` error naming the URL and the HTTP status (`None`: no response came).
fn fetch_failed(url: &str, status: Option<u16>, reason: &str) -> JsValue {
    Error::FetchFailed {
        url: url.into(),
        status,
        reason: reason.into(),
    }
    .into()
}
