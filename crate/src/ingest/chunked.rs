//! [`ChunkedIngest`]: the ingest of [`super::ingest_geojson`] for input that arrives in pieces.
//!
//! A FeatureCollection is read one feature at a time. Inside the top-level `features` array,
//! the byte scanner of the one-shot path reads each element in place in the pushed piece, as
//! long as the element and the comma or bracket after it are in that piece (all but about one
//! element a piece). An element cut by the end of a piece, or one the scanner gives up on, is
//! collected by a small state machine that follows the JSON structure (strings with escapes,
//! nesting of `{}` and `[]`) across pushes, and read by the serde visitors once complete,
//! which name any problem; its bytes are then dropped. The same state machine follows the root
//! object outside the array. Everything else of the document (the "skeleton": the root object
//! with the streamed arrays emptied to `[]`) is kept and read by the serde visitors at
//! [`ChunkedIngest::finish`], so `type`, `bbox` and foreign members, before or after
//! `features`, follow the same rules.
//!
//! Errors name the same problem and place as the one-shot path: the parser sees every element
//! at the nesting depth and after the same separator as in the whole document (see
//! `visitor::read_features_run`), and positions in the pieces it reads are mapped back to the
//! whole input.

use super::ctx::{Ctx, RootState};
use super::errors::{TextPosition, index_in};
use super::scan::Scanner;
use super::visitor::{self, Stopped};
use super::{IngestOptions, IngestReport, ingest_geojson};
use crate::clock::Stopwatch;
use crate::error::{Error, GeoJsonProblem, Result, SourceLocation};
use crate::points::PointBuffer;
use std::fmt;

/// The UTF-8 byte order mark, accepted (and counted in locations) at the very start.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Default of [`ChunkedIngest::set_max_buffered_bytes`]: 128 MiB, far above the skeleton of any
/// FeatureCollection or any one feature, and well below what a page's wasm memory can hold
/// next to the points.
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 128 << 20;

/// Size of a held buffer (the skeleton, an element) at which it is first parsed on trial to
/// find a problem early (see `ChunkedIngest::try_early`); each trial doubles it.
const FIRST_TRIAL: usize = 64 << 10;

/// Where the scanner is in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the first byte that is not whitespace.
    Start,
    /// The top level is not an object: every byte is kept for the one-shot parser, which names
    /// the problem at the end.
    Whole,
    /// In (or after) the root object, outside a streamed `features` array: bytes go to the
    /// skeleton.
    Root,
    /// Inside a streamed `features` array: bytes go to the element being collected.
    Features,
}

/// The contents of a streamed `features` array, cut out of the skeleton. Locations in the
/// skeleton are mapped back to the input across these.
#[derive(Debug, Clone, Copy)]
struct Gap {
    /// Index in the skeleton text (after a byte order mark) where the contents were.
    at: usize,
    /// Bytes cut out.
    len: usize,
    /// Newlines among them.
    newlines: usize,
    /// Text offset of the start of the line holding the array's closing bracket.
    line_start: usize,
}

/// Where the text in the element buffer comes from.
#[derive(Debug, Clone, Copy, Default)]
struct Origin {
    /// Bytes of made-up prefix (`[` or `[[0`) before the first byte from the text.
    lead: usize,
    /// Text offset of the first byte from the text: the array's `[` or the comma before the
    /// element.
    offset: usize,
    /// Its line, and the text offset where that line starts.
    line: usize,
    line_start: usize,
}

/// GeoJSON ingest fed in pieces of any size, for input that arrives over time (a `fetch`
/// body, a file read in blocks).
///
/// A FeatureCollection is parsed feature by feature while it arrives, so memory stays about
/// one feature, plus the points, whatever the file size. Any other object at the top (a
/// Feature, a bare geometry) is kept until [`finish`](Self::finish) and parsed there, up to
/// [`set_max_buffered_bytes`](Self::set_max_buffered_bytes); a top level that is not an
/// object, and problems in what is kept (nesting deeper than the parser allows), are refused
/// as soon as they are seen, as the one-shot path refuses them.
///
/// The result, and any error with its problem, line, column, byte offset and feature, is the
/// one [`super::ingest_geojson`] gives for the whole input, however it was split (inside a
/// string, a number or a UTF-8 sequence alike), with one exception: the one-shot path checks
/// that all of the input is UTF-8 before it reads anything, while a chunked load reports the
/// first problem it meets, so for input with invalid UTF-8 after another problem the two
/// name different problems.
///
/// ```
/// use geoheat::ingest::{ChunkedIngest, IngestOptions};
///
/// let text = br#"{"type": "FeatureCollection", "features": [
///   {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}
/// ]}"#;
/// let mut ingest = ChunkedIngest::new(&IngestOptions::default())?;
/// for chunk in text.chunks(7) {
///     ingest.push(chunk)?;
/// }
/// let (points, report) = ingest.finish()?;
/// assert_eq!((points.len(), report.bytes), (1, text.len()));
/// # Ok::<(), geoheat::Error>(())
/// ```
pub struct ChunkedIngest {
    ctx: Ctx<'static>,
    clock: Stopwatch,
    stage: Stage,
    /// The error of a failed push, returned again by every later call.
    failed: Option<Error>,
    /// Bytes pushed.
    pushed: usize,
    /// Bytes scanned: all pushed bytes but an incomplete UTF-8 sequence at the end.
    scanned: usize,
    /// That incomplete sequence, completed by the next push.
    utf8_tail: Vec<u8>,
    /// Newlines scanned, and the input offset just after the last one.
    newlines: usize,
    line_start: usize,
    /// Length of a leading byte order mark (0 or 3).
    skipped: usize,
    /// The input without the contents of streamed `features` arrays.
    skeleton: Vec<u8>,
    gaps: Vec<Gap>,
    /// Lexer state, kept across pushes.
    in_string: bool,
    escaped: bool,
    /// Root stage: nesting depth (1 inside the root object), whether a member name comes next
    /// at depth 1, whether a member name is being read (and where it starts in the skeleton),
    /// and whether the last member name may be `features`.
    depth: usize,
    expect_key: bool,
    in_key: bool,
    key_start: usize,
    maybe_features: bool,
    /// Where the last probe of the skeleton (see `streams_features`) stopped: the skeleton
    /// length then, just after a `[`, and the root object's state at that member.
    probed: Option<(usize, RootState)>,
    /// Features stage: the element being collected, behind its made-up prefix.
    element: Vec<u8>,
    origin: Origin,
    /// Index of that element in its array.
    index: usize,
    /// Whether it has anything but whitespace.
    nonblank: bool,
    /// Brackets open in it, innermost last.
    nesting: Vec<u8>,
    /// The byte scanner may read the elements from the next byte on (see `read_fast`).
    fast: bool,
    /// The scanner has read and committed the element; only its `,` or `]` is awaited.
    committed: bool,
    /// Text offset just after the array's `[`, and the newlines scanned by then.
    array_start: usize,
    array_newlines: usize,
    /// Most bytes held at once (see [`ChunkedIngest::set_max_buffered_bytes`]).
    max_buffered: usize,
    /// Sizes of the skeleton and of the element at which they are first, and next, parsed on
    /// trial.
    first_trial: usize,
    skeleton_trial_at: usize,
    element_trial_at: usize,
    /// Bytes parsed a second time (probes, decoded names, trials): linear in the input.
    reread: usize,
}

impl fmt::Debug for ChunkedIngest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkedIngest")
            .field("stage", &self.stage)
            .field("bytes_pushed", &self.pushed)
            .field("features_read", &self.features_read())
            .field("buffered_bytes", &self.buffered_bytes())
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl ChunkedIngest {
    /// A load with `options`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] when `options` are invalid.
    pub fn new(options: &IngestOptions) -> Result<Self> {
        options.validate()?;
        Ok(Self {
            ctx: Ctx::new(options, b"", 0, None),
            clock: Stopwatch::start(),
            stage: Stage::Start,
            failed: None,
            pushed: 0,
            scanned: 0,
            utf8_tail: Vec::new(),
            newlines: 0,
            line_start: 0,
            skipped: 0,
            skeleton: Vec::new(),
            gaps: Vec::new(),
            in_string: false,
            escaped: false,
            depth: 0,
            expect_key: false,
            in_key: false,
            key_start: 0,
            maybe_features: false,
            probed: None,
            element: Vec::new(),
            origin: Origin::default(),
            index: 0,
            nonblank: false,
            nesting: Vec::new(),
            fast: false,
            committed: false,
            array_start: 0,
            array_newlines: 0,
            max_buffered: DEFAULT_MAX_BUFFERED_BYTES,
            first_trial: FIRST_TRIAL,
            skeleton_trial_at: FIRST_TRIAL,
            element_trial_at: FIRST_TRIAL,
            reread: 0,
        })
    }

    /// Sets the most bytes the load holds at once (default [`DEFAULT_MAX_BUFFERED_BYTES`]).
    ///
    /// A FeatureCollection is read feature by feature, so it holds only its skeleton (the
    /// document outside `features`) and the feature being read; any other document (a Feature,
    /// a bare geometry, a GeometryCollection) is held whole until [`finish`](Self::finish).
    /// When what is held would exceed `limit`, the push fails with
    /// [`GeoJsonProblem::TooLarge`] (code `GEOJSON_TOO_LARGE`) at the last byte pushed, where
    /// the one-shot path, which holds the whole input anyway, would read on. The limit is
    /// checked after each push, so it may be exceeded by at most one piece.
    pub fn set_max_buffered_bytes(&mut self, limit: usize) {
        self.max_buffered = limit;
    }

    /// Reads the next piece of the input. Pieces may split the input anywhere.
    ///
    /// # Errors
    ///
    /// [`Error::GeoJson`] as soon as the input read so far cannot be valid GeoJSON (or breaks
    /// a rule whose policy is [`super::InvalidPolicy::Error`]); the load is then over, and
    /// every later call returns the same error.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let pushed = self.push_checked(chunk);
        if let Err(err) = &pushed {
            self.failed = Some(err.clone());
            // Nothing more will be read: give the memory back now.
            self.skeleton = Vec::new();
            self.element = Vec::new();
            self.nesting = Vec::new();
        }
        pushed
    }

    /// Ends the input and returns the points and the report, as
    /// [`super::ingest_geojson`] does for the whole input. [`IngestReport::elapsed`] is the
    /// time since [`new`](Self::new).
    ///
    /// # Errors
    ///
    /// The error of a failed push; otherwise [`Error::GeoJson`] when the document is
    /// incomplete or has a problem found only now.
    pub fn finish(mut self) -> Result<(PointBuffer, IngestReport)> {
        if let Some(err) = self.failed.take() {
            return Err(err);
        }
        if !self.utf8_tail.is_empty() {
            return Err(self.invalid_utf8());
        }
        if self.stage == Stage::Features {
            // The input ends inside the `features` array: the parser says where and how.
            let err = match visitor::read_features_run(&mut self.ctx, &self.element, self.index) {
                Err(err) => {
                    let stopped = Stopped::new(&mut self.ctx, &err);
                    self.element_error(stopped)
                }
                // An array that is never closed cannot parse; this keeps the path total.
                Ok(()) => self.here(GeoJsonProblem::Truncated, self.scanned),
            };
            return Err(err);
        }
        if self.gaps.is_empty() {
            // Nothing was streamed: the skeleton is the whole input.
            let (points, report) = ingest_geojson(&self.skeleton, self.ctx.sink.options())?;
            return Ok((points, self.timed(report)));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&self.skeleton[self.skipped..]);
        if let Err(stopped) = visitor::read_document(&mut self.ctx, &mut deserializer) {
            return Err(self.skeleton_error(stopped));
        }
        let clock = self.clock;
        let (points, report) = self.ctx.sink.finish(self.pushed);
        Ok((
            points,
            IngestReport {
                elapsed: clock.elapsed(),
                ..report
            },
        ))
    }

    /// Bytes pushed so far, for progress reports.
    pub fn bytes_pushed(&self) -> usize {
        self.pushed
    }

    /// Features of a FeatureCollection read so far, for progress reports. A Feature or a bare
    /// geometry at the top is read only by [`finish`](Self::finish).
    pub fn features_read(&self) -> usize {
        self.ctx.sink.features()
    }

    /// Bytes held for later: the document outside the `features` array, the feature being
    /// collected, and a split UTF-8 sequence. Small for a FeatureCollection whatever its size.
    pub fn buffered_bytes(&self) -> usize {
        self.skeleton.len() + self.element.len() + self.utf8_tail.len()
    }

    /// Capacity of the internal byte buffers, for tests that check memory stays bounded.
    #[doc(hidden)]
    pub fn buffer_capacity(&self) -> usize {
        self.skeleton.capacity() + self.element.capacity() + self.nesting.capacity()
    }

    /// Sets the size at which held buffers are first parsed on trial (default 64 KiB), so that
    /// tests and fuzzing reach trial parses with small inputs.
    #[doc(hidden)]
    pub fn set_first_trial(&mut self, bytes: usize) {
        self.first_trial = bytes;
        self.skeleton_trial_at = bytes;
        self.element_trial_at = bytes;
    }

    /// Bytes parsed a second time so far (probes of the skeleton, decoded member names, trial
    /// parses), for tests that check the work stays linear in the input.
    #[doc(hidden)]
    pub fn bytes_reread(&self) -> usize {
        self.reread
    }

    fn timed(&self, report: IngestReport) -> IngestReport {
        IngestReport {
            elapsed: self.clock.elapsed(),
            ..report
        }
    }

    /// Checks UTF-8 (a sequence may be split across pushes) and scans what is complete.
    fn push_checked(&mut self, mut chunk: &[u8]) -> Result<()> {
        self.pushed += chunk.len();
        if let Some(&lead) = self.utf8_tail.first() {
            let take = (utf8_width(lead) - self.utf8_tail.len()).min(chunk.len());
            self.utf8_tail.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.utf8_tail.len() < utf8_width(lead) {
                return Ok(());
            }
            let head = std::mem::take(&mut self.utf8_tail);
            if std::str::from_utf8(&head).is_err() {
                return Err(self.invalid_utf8());
            }
            self.scan(&head)?;
        }
        match std::str::from_utf8(chunk) {
            Ok(_) => self.scan(chunk),
            Err(err) => {
                let valid = err.valid_up_to();
                // Problems before the bad bytes come first, as the parser would meet them.
                self.scan(&chunk[..valid])?;
                if err.error_len().is_some() {
                    return Err(self.invalid_utf8());
                }
                self.utf8_tail.extend_from_slice(&chunk[valid..]);
                Ok(())
            }
        }
    }

    /// Invalid UTF-8 at the first byte not scanned.
    fn invalid_utf8(&self) -> Error {
        Error::GeoJson {
            problem: GeoJsonProblem::InvalidUtf8,
            at: SourceLocation {
                byte_offset: self.scanned,
                line: self.newlines + 1,
                column: self.scanned - self.line_start + 1,
                feature_index: None,
            },
        }
    }

    /// Text offset where the current line starts.
    fn text_line_start(&self) -> usize {
        if self.newlines == 0 {
            0
        } else {
            self.line_start - self.skipped
        }
    }

    /// The error for `problem` where the parser would stop before input byte `input_offset`.
    fn here(&self, problem: GeoJsonProblem, input_offset: usize) -> Error {
        let index = input_offset - self.skipped;
        TextPosition::before(self.newlines + 1, self.text_line_start(), index).error(
            problem,
            self.skipped,
            None,
        )
    }

    fn newline(&mut self, input_offset: usize) {
        self.newlines += 1;
        self.line_start = input_offset + 1;
    }

    /// Appends scanned bytes to the buffer of the current stage.
    fn keep(&mut self, bytes: &[u8]) {
        match self.stage {
            Stage::Features => self.element.extend_from_slice(bytes),
            Stage::Start | Stage::Whole | Stage::Root => self.skeleton.extend_from_slice(bytes),
        }
    }

    /// Scans complete UTF-8 text. Bytes from `kept` on are not yet in a buffer.
    #[inline(never)]
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn scan(&mut self, bytes: &[u8]) -> Result<()> {
        let base = self.scanned;
        let mut kept = 0;
        let mut i = 0;
        while i < bytes.len() {
            if self.fast {
                // Just after the `[` or comma before an element (which left `kept == i`).
                let used = self.read_fast(&bytes[i..], base + i);
                if used > 0 {
                    i += used;
                    kept = i;
                    continue;
                }
            }
            if self.in_string {
                if self.escaped {
                    // An escaped byte cannot end the string; a raw newline still counts.
                    self.escaped = false;
                    if bytes[i] == b'\n' {
                        self.newline(base + i);
                    }
                    i += 1;
                    continue;
                }
                let Some(n) = bytes[i..]
                    .iter()
                    .position(|&b| matches!(b, b'"' | b'\\' | b'\n'))
                else {
                    break;
                };
                i += n;
                match bytes[i] {
                    b'"' => {
                        self.in_string = false;
                        if self.in_key {
                            self.keep(&bytes[kept..=i]);
                            kept = i + 1;
                            self.key_ended();
                        }
                    }
                    b'\\' => self.escaped = true,
                    _ => self.newline(base + i),
                }
                i += 1;
                continue;
            }
            let b = bytes[i];
            if b == b'\n' {
                self.newline(base + i);
                i += 1;
                continue;
            }
            match self.stage {
                Stage::Start => match b {
                    b' ' | b'\t' | b'\r' => {}
                    0xef if base + i == 0 && bytes[i..].starts_with(BOM) => {
                        self.skipped = BOM.len();
                        i += BOM.len();
                        continue;
                    }
                    b'{' => {
                        self.stage = Stage::Root;
                        self.depth = 1;
                        self.expect_key = true;
                    }
                    _ => self.stage = Stage::Whole,
                },
                // The one-shot parser reads all of it at the end; only newlines matter here.
                Stage::Whole => {}
                Stage::Root => match b {
                    b'"' => {
                        self.in_string = true;
                        if self.depth == 1 && self.expect_key {
                            self.in_key = true;
                            self.key_start = self.skeleton.len() + (i + 1 - kept);
                        }
                    }
                    b'{' => self.depth += 1,
                    b'[' => {
                        self.depth += 1;
                        if self.depth == 2 && !self.expect_key && self.maybe_features {
                            self.maybe_features = false;
                            self.keep(&bytes[kept..=i]);
                            kept = i + 1;
                            if self.streams_features()? {
                                self.open_array(base + i);
                            }
                        }
                    }
                    // A stray closer makes the document invalid; the final parse says where.
                    b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                    b',' if self.depth == 1 => self.expect_key = true,
                    b':' if self.depth == 1 => self.expect_key = false,
                    _ => {}
                },
                Stage::Features => match b {
                    b' ' | b'\t' | b'\r' => {}
                    b'"' => {
                        self.in_string = true;
                        self.nonblank = true;
                        self.committed = false;
                    }
                    b'{' | b'[' => {
                        self.nesting.push(b);
                        self.nonblank = true;
                        self.committed = false;
                    }
                    b']' if self.committed => {
                        self.committed = false;
                        self.keep(&bytes[kept..i]);
                        kept = i;
                        self.close_array(base + i);
                        continue;
                    }
                    b',' if self.committed => {
                        self.committed = false;
                        self.index += 1;
                        self.begin_element(b"[[0", b',', base + i);
                        kept = i + 1;
                    }
                    b'}' | b']' => match self.nesting.pop() {
                        Some(open) if open == matching_open(b) => {}
                        Some(_) => {
                            // A closer that does not match: the parser stops here at the latest.
                            self.keep(&bytes[kept..=i]);
                            return Err(self.broken_element(base + i));
                        }
                        None => {
                            self.keep(&bytes[kept..i]);
                            kept = i;
                            self.end_element(b, base + i)?;
                            if b == b']' {
                                // The array is over; its `]` belongs to the skeleton.
                                self.close_array(base + i);
                                continue;
                            }
                            kept = i + 1;
                        }
                    },
                    b',' if self.nesting.is_empty() => {
                        self.keep(&bytes[kept..i]);
                        self.end_element(b, base + i)?;
                        self.begin_element(b"[[0", b',', base + i);
                        kept = i + 1;
                    }
                    _ => {
                        self.nonblank = true;
                        self.committed = false;
                    }
                },
            }
            i += 1;
        }
        self.keep(&bytes[kept..]);
        self.scanned = base + bytes.len();
        self.try_early()?;
        if self.buffered_bytes() > self.max_buffered {
            let limit = self.max_buffered;
            let mut err = self.here(GeoJsonProblem::TooLarge { limit }, self.scanned);
            if let Error::GeoJson { at, .. } = &mut err {
                at.feature_index = (self.stage == Stage::Features).then_some(self.index);
            }
            return Err(err);
        }
        Ok(())
    }

    /// Looks for a problem in what is held before the document is complete, so that input the
    /// one-shot path refuses early (a top level that is not an object, nesting deeper than the
    /// parser allows, an element that is not an object) is refused early here too, instead of
    /// being held until the end or the limit. A trial parses a held buffer as `finish` would;
    /// it runs out of input unless the text has a problem, which is then the load's error, as
    /// the parser meets it in the same place in the whole document, provided the parser stopped
    /// before the last byte held: at the end, a token cut short (`1.` of `1.5`) can look like
    /// a problem, so that waits for more input. A buffer is tried when it
    /// reaches [`FIRST_TRIAL`] bytes and then each time it doubles, so trials read each byte
    /// about twice at most.
    fn try_early(&mut self) -> Result<()> {
        match self.stage {
            Stage::Start => Ok(()),
            // Decided by the first few bytes: which JSON value it is, or not JSON at all.
            Stage::Whole => {
                self.reread += self.skeleton.len();
                match ingest_geojson(&self.skeleton, self.ctx.sink.options()) {
                    Err(Error::GeoJson {
                        problem: GeoJsonProblem::Truncated,
                        ..
                    }) => Ok(()),
                    // Refused by its first byte, before any parse.
                    Err(
                        err @ Error::GeoJson {
                            problem: GeoJsonProblem::NotAnObject { .. },
                            ..
                        },
                    ) => Err(err),
                    Err(Error::GeoJson { at, .. }) if at.byte_offset + 1 >= self.skeleton.len() => {
                        Ok(())
                    }
                    Err(err) => Err(err),
                    // A document that is not an object never loads; this keeps the path total.
                    Ok(_) => Ok(()),
                }
            }
            Stage::Root if self.skeleton.len() >= self.skeleton_trial_at => {
                self.skeleton_trial_at = (self.skeleton.len() * 2).max(1);
                self.reread += self.skeleton.len() - self.skipped;
                let mut trial = Ctx::new(self.ctx.sink.options(), b"", 0, None);
                let text = &self.skeleton[self.skipped..];
                let mut deserializer = serde_json::Deserializer::from_slice(text);
                match visitor::read_document(&mut trial, &mut deserializer) {
                    Err(stopped) if conclusive(text, &stopped) => Err(self.skeleton_error(stopped)),
                    _ => Ok(()),
                }
            }
            Stage::Features if self.element.len() >= self.element_trial_at => {
                self.element_trial_at = (self.element.len() * 2).max(1);
                self.try_element()
            }
            Stage::Root | Stage::Features => Ok(()),
        }
    }

    /// A trial parse of the element being collected (see `try_early`). Only an element that
    /// cannot be complete is tried, as reading a complete Feature would commit it: one still
    /// inside its outer object or array, or one that is not an object.
    fn try_element(&mut self) -> Result<()> {
        let start = self.origin.lead + 1;
        let first = self.element[start..]
            .iter()
            .find(|b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'));
        if self.committed || (self.nesting.is_empty() && first == Some(&b'{')) {
            return Ok(());
        }
        self.reread += self.element.len();
        let read = visitor::read_features_run(&mut self.ctx, &self.element, self.index);
        let Err(err) = read else {
            // The element is not closed, so it cannot parse; this keeps the path total.
            return Ok(());
        };
        let stopped = Stopped::new(&mut self.ctx, &err);
        // Leave the state shared with the rest of the load as the element found it.
        self.ctx.scratch.clear();
        self.ctx.skipping.clear();
        self.ctx.feature_index = None;
        self.ctx.features_open = false;
        if conclusive(&self.element, &stopped) {
            Err(self.element_error(stopped))
        } else {
            Ok(())
        }
    }

    /// A member name at depth 1 has ended (it is the end of the skeleton). A name with escapes
    /// is decoded here; one that does not decode is left to the probe, which reports it.
    fn key_ended(&mut self) {
        self.in_key = false;
        let name = &self.skeleton[self.key_start..self.skeleton.len() - 1];
        self.maybe_features = if name.contains(&b'\\') {
            let quoted = &self.skeleton[self.key_start - 1..];
            self.reread += quoted.len();
            serde_json::from_slice::<String>(quoted).map_or(true, |name| name == "features")
        } else {
            name == b"features"
        };
    }

    /// Decides whether the array that the skeleton now ends with is a FeatureCollection's
    /// `features`, to be streamed, by letting the one-shot visitor read the skeleton up to
    /// here: it streams the array unless `type` already said the root is something else (then
    /// the array is a foreign member, kept whole). A problem before the array is the load's
    /// error, as in the one-shot path.
    ///
    /// The skeleton before the previous probe's array parsed, so a later probe reads only what
    /// came since, behind a made-up member whose array stands for what came before, with the
    /// root object's state carried over. Every probe thus reads each byte of the skeleton
    /// once. When that short read does not run out of input in the array as expected, the
    /// whole skeleton is read again, to name the problem and its place exactly.
    fn streams_features(&mut self) -> Result<bool> {
        let options = self.ctx.sink.options();
        let decided = match self.probed {
            Some((from, state)) => {
                let mut text = b"{\"\":[".to_vec();
                text.extend_from_slice(&self.skeleton[from..]);
                self.reread += text.len();
                probe(options, &text, state)
            }
            None => None,
        };
        let decided = decided.or_else(|| {
            self.reread += self.skeleton.len() - self.skipped;
            probe(
                options,
                &self.skeleton[self.skipped..],
                RootState::default(),
            )
        });
        if let Some((streams, state)) = decided {
            self.probed = Some((self.skeleton.len(), state));
            return Ok(streams);
        }
        self.reread += self.skeleton.len() - self.skipped;
        let mut probe = Ctx::new(options, b"", 0, None);
        let mut deserializer = serde_json::Deserializer::from_slice(&self.skeleton[self.skipped..]);
        match visitor::read_document(&mut probe, &mut deserializer) {
            Err(stopped) => Err(self.skeleton_error(stopped)),
            // The skeleton ends in `[`, so it cannot parse; this keeps the path total.
            Ok(()) => Ok(false),
        }
    }

    /// Starts streaming the `features` array whose `[` is input byte `at`.
    fn open_array(&mut self, at: usize) {
        self.stage = Stage::Features;
        self.array_start = at + 1 - self.skipped;
        self.array_newlines = self.newlines;
        self.index = 0;
        self.begin_element(b"[", b'[', at);
    }

    /// Starts collecting an element: `lead` stands for what the parser has read before (see
    /// `visitor::read_features_run`), `separator` (input byte `at`) is the `[` or comma
    /// before the element.
    fn begin_element(&mut self, lead: &[u8], separator: u8, at: usize) {
        self.element.clear();
        self.element.extend_from_slice(lead);
        self.element.push(separator);
        self.origin = Origin {
            lead: lead.len(),
            offset: at - self.skipped,
            line: self.newlines + 1,
            line_start: self.text_line_start(),
        };
        self.nonblank = false;
        self.nesting.clear();
        self.fast = true;
        self.element_trial_at = self.first_trial;
    }

    /// Reads elements of the `features` array straight from `bytes` (input byte `at` on,
    /// just after the `[` or comma before an element) with the byte scanner, for as long as it
    /// reads them, and returns how many bytes it used. Every element read is followed here by
    /// its comma (then the next one is tried) or by the array's `]` (left to the root stage),
    /// or the bytes end after it: then it is kept as collected and marked committed, so that
    /// the comma or bracket that comes next ends it without a second read. Any other element
    /// (cut by the end of `bytes`, or one the scanner gives up on) is left to the byte-by-byte
    /// scan from its start, which collects it and reads it with the serde path; so errors come
    /// from that path, as ever.
    #[inline(never)]
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn read_fast(&mut self, bytes: &[u8], at: usize) -> usize {
        self.fast = false;
        let mut used = 0;
        loop {
            let mut scanner = Scanner::new(&bytes[used..], &mut self.ctx);
            let read = scanner.feature(self.index);
            let end = used + scanner.pos();
            if read.is_err() {
                // Features begin with an empty scratch list; drop what the scan left.
                self.ctx.scratch.clear();
                self.ctx.skipping.clear();
                self.ctx.feature_index = None;
                break;
            }
            let after = end
                + bytes[end..]
                    .iter()
                    .position(|b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
                    .unwrap_or(bytes.len() - end);
            self.skip_lines(&bytes[used..after], at + used);
            match bytes.get(after) {
                Some(b',') => {
                    self.index += 1;
                    self.begin_element(b"[[0", b',', at + after);
                    used = after + 1;
                }
                Some(b']') => {
                    self.close_array(at + after);
                    used = after;
                    break;
                }
                _ => {
                    self.element.extend_from_slice(&bytes[used..after]);
                    self.nonblank = true;
                    self.committed = true;
                    used = after;
                    break;
                }
            }
        }
        self.fast = false;
        used
    }

    /// Counts the newlines of `bytes`, input bytes from `at` on, as scanned.
    fn skip_lines(&mut self, bytes: &[u8], at: usize) {
        if let Some(last) = bytes.iter().rposition(|&b| b == b'\n') {
            self.newlines += bytes.iter().filter(|&&b| b == b'\n').count();
            self.line_start = at + last + 1;
        }
    }

    /// Reads the collected element, ended by `terminator` (input byte `at`) at its top level.
    fn end_element(&mut self, terminator: u8, at: usize) -> Result<()> {
        let empty_array = !self.nonblank && self.index == 0 && terminator == b']';
        if empty_array {
            return Ok(());
        }
        if !self.nonblank || terminator == b'}' {
            // A missing element or an array closed by `}`: with the terminator the parser
            // meets the problem where it does in the whole document.
            self.element.push(terminator);
            return Err(self.broken_element(at));
        }
        self.element.extend_from_slice(b"]]");
        if let Err(err) = visitor::read_features_run(&mut self.ctx, &self.element, self.index) {
            let stopped = Stopped::new(&mut self.ctx, &err);
            return Err(self.element_error(stopped));
        }
        self.index += 1;
        Ok(())
    }

    /// The error in an element that cannot parse, whose last byte is input byte `at`.
    fn broken_element(&mut self, at: usize) -> Error {
        match visitor::read_features_run(&mut self.ctx, &self.element, self.index) {
            Err(err) => {
                let stopped = Stopped::new(&mut self.ctx, &err);
                self.element_error(stopped)
            }
            // The element ends in a closer or comma that does not fit, so this is not reached.
            Ok(()) => self.here(
                GeoJsonProblem::Syntax("unexpected character in \"features\"".to_owned()),
                at + 1,
            ),
        }
    }

    /// Ends the streamed array at its `]`, input byte `at`, which the root stage reads next.
    fn close_array(&mut self, at: usize) {
        let end = at - self.skipped;
        self.gaps.push(Gap {
            at: self.skeleton.len() - self.skipped,
            len: end - self.array_start,
            newlines: self.newlines - self.array_newlines,
            line_start: self.text_line_start(),
        });
        self.stage = Stage::Root;
        self.element.clear();
    }

    /// Locates a parse of the element buffer in the input.
    fn element_error(&self, stopped: Stopped) -> Error {
        let origin = self.origin;
        let (line_start, index) = index_in(&self.element, stopped.line, stopped.column);
        let index = origin.offset + index.saturating_sub(origin.lead);
        let position = if stopped.line == 1 {
            TextPosition::before(origin.line, origin.line_start, index)
        } else {
            let line_start = origin.offset + line_start.saturating_sub(origin.lead);
            TextPosition::before(origin.line + stopped.line - 1, line_start, index)
        };
        position.error(stopped.problem, self.skipped, stopped.feature_index)
    }

    /// Locates a parse of the skeleton in the input, across the cut-out arrays.
    fn skeleton_error(&self, stopped: Stopped) -> Error {
        let text = &self.skeleton[self.skipped..];
        let (line_start, index) = index_in(text, stopped.line, stopped.column);
        let (mut shift, mut newlines, mut last) = (0, 0, None);
        for gap in self.gaps.iter().take_while(|gap| gap.at < index) {
            shift += gap.len;
            newlines += gap.newlines;
            last = Some(gap);
        }
        let line_start = match last {
            // The line began before the last cut: it starts where that cut's line starts.
            Some(gap) if line_start < gap.at => gap.line_start,
            _ => line_start + shift,
        };
        let mut position = TextPosition::before(stopped.line + newlines, line_start, index + shift);
        // As `SourceLocation::at_line_column` does, stay within the text read.
        let text_len = text.len() + self.gaps.iter().map(|gap| gap.len).sum::<usize>();
        position.offset = position.offset.min(text_len);
        position.error(stopped.problem, self.skipped, stopped.feature_index)
    }
}

/// Reads `text`, a root object that ends in the `[` of the array to decide on, going on from
/// `state`: whether the one-shot path streams that array, and the root object's state there;
/// `None` when the parser stops anywhere else.
fn probe(options: &IngestOptions, text: &[u8], state: RootState) -> Option<(bool, RootState)> {
    let mut probe = Ctx::new(options, b"", 0, None);
    probe.root_state = Some(state);
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    match visitor::read_document(&mut probe, &mut deserializer) {
        // The text ends in the array, so the parser runs out of input in it.
        Err(stopped) if stopped.problem == GeoJsonProblem::Truncated => {
            Some((probe.features_open, probe.root_state?))
        }
        Err(_) | Ok(()) => None,
    }
}

/// Whether a trial parse of `text`, a prefix of what is to come, that `stopped`, found the
/// problem of the whole document: it did not run out of input, and it stopped before the last
/// byte, where a token cut short can look like a problem that the whole token does not have.
fn conclusive(text: &[u8], stopped: &Stopped) -> bool {
    let (_, index) = index_in(text, stopped.line, stopped.column);
    stopped.problem != GeoJsonProblem::Truncated && index + 1 < text.len()
}

/// The opening bracket that `close` closes.
fn matching_open(close: u8) -> u8 {
    if close == b']' { b'[' } else { b'{' }
}

/// Length of the UTF-8 sequence that starts with `lead` (a lead byte the validator accepted as
/// the start of an incomplete sequence).
fn utf8_width(lead: u8) -> usize {
    match lead {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        _ => 2,
    }
}
