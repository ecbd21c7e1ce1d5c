//! GeoJSON → [`PointBuffer`] without building a document tree.
//!
//! [`ingest_geojson`] reads bytes with a purpose-built scanner (`scan`) that writes positions
//! straight into the buffer and skips everything else (foreign members, all properties but the
//! weight and the kept columns) by JSON syntax alone. The `geojson` crate's types never appear on that path;
//! [`PointBuffer::from_geojson`] serves Rust callers who already hold a parsed
//! [`geojson::GeoJson`] and applies the same rules.
//!
//! The GeoJSON rules (which members count where, duplicates, missing members, what a Feature
//! without `geometry` means) are written once, in `rules`, and the weight and coordinate
//! policies once, in `sink`, which also keeps the property columns (`IngestOptions::properties`)
//! read in the same pass, judged by the weight's rules. Two readers walk JSON for them: the
//! byte scanner, and serde visitors (`visitor`) driven by any serde deserializer. The scanner reads every document it
//! can; it checks JSON at least as strictly as `serde_json` and, on anything it does not read
//! itself (a problem, a member name with escapes, deep nesting), gives up without judging,
//! and the visitors read the same text with `serde_json` from the start. So a problem is
//! always named, and located, by one reader, and the scanner only ever makes loads faster.
//! The visitors also read documents that are already parsed ([`ingest_geojson_from`]).
//!
//! What is accepted: a FeatureCollection, a Feature or a bare geometry at the top; Point and
//! MultiPoint geometries, GeometryCollections (nested too), and lines and polygons per
//! [`LineAndPolygonPolicy`]; members in any order; positions with altitude or more values
//! (extra values ignored); a leading byte order mark; foreign members anywhere (skipped). Null
//! geometries are valid and counted; a Feature without a `geometry` member counts as one with a
//! null geometry. A member that geoheat reads (`type`, `features`, `geometry`, `geometries`,
//! `coordinates`, `properties`, and the weight property in `properties`) given twice in one
//! object is an error, whatever the order of members. Anything else is an [`Error::GeoJson`] naming the problem,
//! the line, column and byte offset, and the feature.
//!
//! An error's location is where the parser noticed the problem: the offending character for
//! broken JSON, the end of the offending value (a wrong `type`, a short position), or the
//! closing brace of the object for what is known only once the object is complete (a missing
//! member, a bad weight, a coordinate out of range). Byte offsets and columns count a leading
//! byte order mark.
//!
//! A load is all or nothing: the buffer is returned only when the whole input was read.
//!
//! [`ChunkedIngest`] reads the same input in pieces as it arrives (a `fetch` body), parsing a
//! FeatureCollection feature by feature with the scanner, in place in each piece, so that
//! memory does not grow with the file, and gives the same points, report and errors. What it
//! must hold (any other document, which it reads only once complete, or one feature) is
//! bounded by [`ChunkedIngest::set_max_buffered_bytes`].
//!
//! Natively, `ingest_geojson_parallel` reads a large FeatureCollection on two threads (see
//! `split`) with the same points, report and errors.
//!
//! [`ingest_geojson_from`] walks a document that is already parsed (a JavaScript object, a
//! `serde_json::Value`) through any serde deserializer with the same visitors and rules.
//!
//! [`Error::GeoJson`]: crate::Error::GeoJson

mod chunked;
mod coordinates;
mod ctx;
mod errors;
mod from_geojson;
mod kind;
mod number;
mod properties;
mod rules;
mod scan;
mod sink;
#[cfg(not(target_arch = "wasm32"))]
mod split;
mod triples;
mod value;
mod visitor;

use crate::error::{Error, GeoJsonProblem, Result};
use crate::geo::LonLatBounds;
use crate::points::{Column, ColumnKind, PointBuffer};
use std::time::Duration;

pub use chunked::{ChunkedIngest, DEFAULT_MAX_BUFFERED_BYTES};
pub use triples::points_from_triples;
pub use value::ingest_geojson_from;

/// What to do with a feature or position that breaks a rule (bad weight, coordinate out of range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvalidPolicy {
    /// Stop and return an error naming the place (the default: nothing is silently dropped).
    #[default]
    Error,
    /// Leave it out and count it in [`IngestReport::skipped_by_policy`].
    Skip,
}

/// What to do with LineString, Polygon, MultiLineString and MultiPolygon geometries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineAndPolygonPolicy {
    /// Leave them out and count them in [`IngestReport::skipped_by_type`] (the default).
    #[default]
    Skip,
    /// Use every vertex as a point.
    Vertices,
}

/// How GeoJSON is read.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestOptions {
    /// Feature property holding the weight; `None` gives every point `default_weight`.
    pub weight_property: Option<String>,
    /// Weight of points whose feature has no (or a null) weight property.
    pub default_weight: f32,
    /// Non-numeric, negative or too large weights, and kept property values (see
    /// `properties`) that are not numbers, too large for f32, or (for the time property) not
    /// an ISO 8601 date or date-time.
    pub invalid_weight: InvalidPolicy,
    /// Longitudes outside [-180, 180] and latitudes outside [-90, 90].
    pub out_of_range: InvalidPolicy,
    /// LineString, Polygon and their Multi forms.
    pub lines_and_polygons: LineAndPolygonPolicy,
    /// Numeric properties kept as f32 columns beside the points ([`crate::points::Column`]), for
    /// weights, filters and time windows chosen after the load. A feature without one (or with
    /// `null`) gets NaN there. Each costs 4 bytes per point.
    pub properties: Vec<String>,
    /// The property holding each feature's time: a number (epoch milliseconds) or an ISO 8601
    /// string ([`crate::iso8601`]), kept as a time column (added to `properties` if absent).
    pub time_property: Option<String>,
    /// Most points a load may make (default [`DEFAULT_MAX_POINTS`]); the feature that would
    /// pass it fails the load with [`GeoJsonProblem::TooManyPoints`] before its points are
    /// stored, so a load too big for memory stops with an error instead of where the allocator
    /// gives up, and the data loaded before stays.
    pub max_points: usize,
}

/// Default of [`IngestOptions::max_points`]: 50 million points, 600 MB as stored (12 bytes a
/// point), which leaves room in a page's 4 GiB of wasm memory for the buffer's growth and
/// the input.
pub const DEFAULT_MAX_POINTS: usize = 50_000_000;

impl IngestOptions {
    /// Checks the options that can be wrong on their own.
    pub fn validate(&self) -> Result<()> {
        let weight = self.default_weight;
        if !weight.is_finite() || weight < 0.0 {
            return Err(Error::option(
                "default_weight",
                format!("{weight} is not a finite weight of at least 0"),
            ));
        }
        for (i, name) in self.properties.iter().enumerate() {
            if self.properties[..i].contains(name) {
                return Err(Error::option(
                    "properties",
                    format!("\"{name}\" is named more than once"),
                ));
            }
        }
        Ok(())
    }

    /// The columns a load keeps: `properties` in order, then the time property if it is not
    /// among them.
    pub fn columns(&self) -> Vec<Column> {
        let kind = |name: &String| match self.time_property.as_ref() == Some(name) {
            true => ColumnKind::Time,
            false => ColumnKind::Number,
        };
        let mut columns: Vec<Column> = self
            .properties
            .iter()
            .map(|name| Column::new(name.clone(), kind(name)))
            .collect();
        if let Some(time) = self
            .time_property
            .as_ref()
            .filter(|t| !self.properties.contains(t))
        {
            columns.push(Column::new(time.clone(), ColumnKind::Time));
        }
        columns
    }
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            weight_property: None,
            default_weight: 1.0,
            invalid_weight: InvalidPolicy::Error,
            out_of_range: InvalidPolicy::Error,
            lines_and_polygons: LineAndPolygonPolicy::Skip,
            properties: Vec::new(),
            time_property: None,
            max_points: DEFAULT_MAX_POINTS,
        }
    }
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestReport {
    /// Points written to the buffer.
    pub points: usize,
    /// Features read (a bare geometry counts as one).
    pub features: usize,
    /// Features that gave at least one point.
    pub point_features: usize,
    /// Features whose geometry was a line or polygon type, left out by [`LineAndPolygonPolicy::Skip`].
    pub skipped_by_type: usize,
    /// Features left out by [`InvalidPolicy::Skip`] (bad weight or coordinate).
    pub skipped_by_policy: usize,
    /// Features with a null geometry (valid GeoJSON, nothing to draw).
    pub null_geometry: usize,
    /// Longitude/latitude box of the points written.
    pub bounds: Option<LonLatBounds>,
    /// Bytes read.
    pub bytes: usize,
    /// Memory each point takes in the buffer: 12 bytes of `[x, y, w]` and 4 per kept column.
    pub bytes_per_point: usize,
    /// Wall time of the load. Always zero on wasm32, where Rust has no clock: the web layer
    /// times loads itself.
    pub elapsed: Duration,
}

/// Progress of a long load, reported about every megabyte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestProgress {
    /// Bytes of the input parsed so far.
    pub bytes_read: usize,
    /// Bytes of the whole input.
    pub total_bytes: usize,
    /// Features read so far.
    pub features: usize,
}

/// Parses GeoJSON bytes into a new [`PointBuffer`].
///
/// # Errors
///
/// [`Error::GeoJson`] when the input is not valid GeoJSON or breaks a rule whose policy is
/// [`InvalidPolicy::Error`]; [`Error::InvalidOption`] when `options` are invalid.
pub fn ingest_geojson(
    bytes: &[u8],
    options: &IngestOptions,
) -> Result<(PointBuffer, IngestReport)> {
    ingest_geojson_with_progress(bytes, options, &mut |_| {})
}

/// [`ingest_geojson`], calling `progress` about every megabyte of input and once at the end.
///
/// # Errors
///
/// As [`ingest_geojson`].
pub fn ingest_geojson_with_progress(
    bytes: &[u8],
    options: &IngestOptions,
    progress: &mut dyn FnMut(IngestProgress),
) -> Result<(PointBuffer, IngestReport)> {
    ingest_with(bytes, options, progress, None)
}

/// [`ingest_geojson_with_progress`] on two threads when the input is large: a second thread
/// reads the second half of a FeatureCollection's features. The points (in order, bit for
/// bit), the report and any error are those of [`ingest_geojson_with_progress`]; progress
/// is reported for the first thread's reading, so it may jump ahead once.
///
/// # Errors
///
/// As [`ingest_geojson`].
#[cfg(not(target_arch = "wasm32"))]
pub fn ingest_geojson_parallel(
    bytes: &[u8],
    options: &IngestOptions,
    progress: &mut dyn FnMut(IngestProgress),
) -> Result<(PointBuffer, IngestReport)> {
    ingest_with(bytes, options, progress, Some(split::MIN_SPLIT_BYTES))
}

/// A byte ingest, with a second thread reading part of the features when `split_from` is
/// given and the input has at least that many bytes.
fn ingest_with(
    bytes: &[u8],
    options: &IngestOptions,
    progress: &mut dyn FnMut(IngestProgress),
    split_from: Option<usize>,
) -> Result<(PointBuffer, IngestReport)> {
    options.validate()?;
    #[cfg(not(target_arch = "wasm32"))]
    if split_from.is_some_and(|min| bytes.len() >= min) {
        return split::with_part(bytes, options, |part| {
            ingest_bytes(bytes, options, progress, part)
        });
    }
    // wasm32 has no threads: every load there is read by one.
    let _ = split_from;
    ingest_bytes(bytes, options, progress, None)
}

/// Bytes of the byte order mark that `bytes` start with, if any.
fn bom_len(bytes: &[u8]) -> usize {
    match bytes.starts_with("\u{feff}".as_bytes()) {
        true => "\u{feff}".len(),
        false => 0,
    }
}

/// The part of the features read on another thread; wasm32 has no threads, so none there.
#[cfg(not(target_arch = "wasm32"))]
type Part = split::Split;
#[cfg(target_arch = "wasm32")]
type Part = std::convert::Infallible;

/// A byte ingest, taking `part`, if given, when the first reader reaches its start.
fn ingest_bytes(
    bytes: &[u8],
    options: &IngestOptions,
    progress: &mut dyn FnMut(IngestProgress),
    part: Option<Part>,
) -> Result<(PointBuffer, IngestReport)> {
    let clock = crate::clock::Stopwatch::start();
    // Validating all of the input up front is cheap, and it also catches bad bytes inside
    // strings that the scanner skips.
    std::str::from_utf8(bytes).map_err(|err| Error::GeoJson {
        problem: GeoJsonProblem::InvalidUtf8,
        at: crate::SourceLocation::at_offset(bytes, err.valid_up_to(), None),
    })?;
    let skipped = bom_len(bytes);
    let text = &bytes[skipped..];
    let input = errors::Input { bytes, skipped };
    check_top_level(text, skipped)
        .map_err(|(problem, offset)| input.error_at_offset(problem, offset))?;

    // The scanner reads nearly every document; what it gives up on (a problem, a rare
    // construct) the serde path reads again from the start, naming any problem exactly.
    let mut ctx = ctx::Ctx::new(options, text, skipped, Some(&mut *progress));
    #[cfg(not(target_arch = "wasm32"))]
    {
        ctx.split = part;
    }
    #[cfg(target_arch = "wasm32")]
    let _ = part;
    let scanned = scan::Scanner::new(text, &mut ctx).document();
    let ctx = match scanned {
        Ok(()) => ctx,
        Err(scan::Bail) => {
            let reported = ctx.next_progress_at();
            drop(ctx);
            let mut ctx = ctx::Ctx::new(options, text, skipped, Some(progress));
            ctx.skip_progress_to(reported);
            // From bytes, as the chunked ingest reads: one copy of the parser and the GeoJSON
            // visitors in the wasm instead of two.
            let mut deserializer = serde_json::Deserializer::from_slice(text);
            visitor::read_document(&mut ctx, &mut deserializer)
                .map_err(|stopped| input.stopped(stopped))?;
            ctx
        }
    };
    let mut ctx = ctx;
    ctx.report_done();
    let (points, report) = ctx.sink.finish(bytes.len());
    let report = IngestReport {
        elapsed: clock.elapsed(),
        ..report
    };
    Ok((points, report))
}

/// Refuses empty input and a top level that is not an object before parsing, with a clearer
/// message than the parser's (and without walking into a huge top-level array). Returns the
/// problem and its byte offset in the input.
fn check_top_level(text: &[u8], skipped: usize) -> Result<(), (GeoJsonProblem, usize)> {
    let blank = text
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    let body = &text[blank..];
    let offset = skipped + blank;
    let starts = |prefix: &[u8]| body.starts_with(prefix);
    let found = if body.is_empty() {
        return Err((GeoJsonProblem::Empty, offset));
    } else if starts(b"[") {
        "an array"
    } else if starts(b"\"") {
        "a string"
    } else if starts(b"true") || starts(b"false") {
        "a boolean"
    } else if starts(b"null") {
        "null"
    } else if body[0] == b'-' || body[0].is_ascii_digit() {
        "a number"
    } else {
        // An object, or not JSON at all: the parser says which.
        return Ok(());
    };
    Err((GeoJsonProblem::NotAnObject { found }, offset))
}
