//! The state of one load, shared by every reader of the document: the sink, the scratch list
//! of positions, the feature being read, progress reports.

use super::IngestOptions;
use super::IngestProgress;
use super::coordinates::CoordShape;
use super::kind::{Kind, Place};
use super::sink::Sink;
use crate::error::GeoJsonProblem;
use serde::de;

/// Bytes between two progress reports.
pub(super) const PROGRESS_STEP: usize = 1 << 20;

/// State shared by every visitor of one load.
pub(super) struct Ctx<'a> {
    pub(super) sink: Sink,
    /// Positions of the feature being read. Reused, so steady state does not allocate.
    pub(super) scratch: Vec<[f64; 2]>,
    /// Containers open while the byte scanner skips a value (`true` for an object). Reused.
    pub(super) skipping: Vec<bool>,
    /// Shape of the `coordinates` member being read.
    pub(super) shape: CoordShape,
    /// The member being read, named in errors about a value of the wrong JSON type.
    pub(super) member: &'static str,
    /// Index of the feature being read, if any.
    pub(super) feature_index: Option<usize>,
    /// The structured problem behind the last error raised by a visitor. serde errors carry only
    /// a message; the driver pairs this with the parser's line and column.
    pub(super) problem: Option<GeoJsonProblem>,
    /// Whether a FeatureCollection's `features` array is being read. A chunked load parses the
    /// document up to the opening bracket of a `features` member and reads this to learn
    /// whether the one-shot path would stream that array or skip it as a foreign member.
    pub(super) features_open: bool,
    /// For a chunked load's probe: the state of the root object, read when the root object
    /// begins and written after each of its member names, so that the next probe can go on
    /// from the last member it read instead of parsing the whole document again.
    pub(super) root_state: Option<RootState>,
    /// Where the root's `features` may go on in a part read on another thread.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) split: Option<super::split::Split>,
    /// Parts read on another thread that were taken, for tests to see that a split happened.
    #[cfg(all(test, not(target_arch = "wasm32")))]
    pub(super) parts_taken: usize,
    progress: Progress<'a>,
}

/// What the root object has read so far that decides how its later members are read.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct RootState {
    pub(super) kind: Option<Kind>,
    pub(super) features: bool,
    pub(super) seen: u8,
}

/// Calls the progress callback when the parser passes the next megabyte.
struct Progress<'a> {
    /// `None` when nobody listens (a chunked load reports progress per chunk instead).
    callback: Option<&'a mut dyn FnMut(IngestProgress)>,
    /// Address of the text being parsed: a borrowed key's address minus this is its offset.
    text_start: usize,
    text_len: usize,
    /// Bytes before the text (a byte order mark), added to offsets to count from the input.
    skipped: usize,
    next_at: usize,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(
        options: &IngestOptions,
        text: &[u8],
        skipped: usize,
        callback: Option<&'a mut dyn FnMut(IngestProgress)>,
    ) -> Self {
        Self {
            sink: Sink::new(options),
            scratch: Vec::new(),
            skipping: Vec::new(),
            shape: CoordShape::default(),
            member: "",
            feature_index: None,
            problem: None,
            features_open: false,
            root_state: None,
            #[cfg(not(target_arch = "wasm32"))]
            split: None,
            #[cfg(all(test, not(target_arch = "wasm32")))]
            parts_taken: 0,
            progress: Progress {
                callback,
                text_start: text.as_ptr() as usize,
                text_len: text.len(),
                skipped,
                next_at: PROGRESS_STEP,
            },
        }
    }

    /// Records `problem` and returns the error that carries it up through the parser.
    pub(super) fn fail<E: de::Error>(&mut self, problem: GeoJsonProblem) -> E {
        self.problem = Some(problem);
        E::custom("GeoJSON problem")
    }

    /// Reports progress if `key`, a slice of the input text, lies past the next megabyte. Keys
    /// without escapes are handed out borrowed from the input, so their address gives the exact
    /// offset of the parser; this costs a subtraction and a comparison.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn note_key(&mut self, key: &str) {
        let offset = (key.as_ptr() as usize).wrapping_sub(self.progress.text_start);
        self.note_offset(offset);
    }

    /// Reports progress if text byte `offset` lies past the next megabyte.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn note_offset(&mut self, offset: usize) {
        let p = &mut self.progress;
        let Some(callback) = p.callback.as_mut() else {
            return;
        };
        if offset >= p.next_at && offset < p.text_len {
            p.next_at = (offset / PROGRESS_STEP + 1) * PROGRESS_STEP;
            callback(IngestProgress {
                bytes_read: offset + p.skipped,
                total_bytes: p.text_len + p.skipped,
                features: self.sink.features(),
            });
        }
    }

    /// Where the next progress report is due, for a second read of the same text.
    pub(super) fn next_progress_at(&self) -> usize {
        self.progress.next_at
    }

    /// Reports progress only from text byte `offset` on: a second read of the same text does
    /// not report again what the first one did.
    pub(super) fn skip_progress_to(&mut self, offset: usize) {
        self.progress.next_at = offset;
    }

    /// Reports the end of the input.
    pub(super) fn report_done(&mut self) {
        let p = &mut self.progress;
        let total = p.text_len + p.skipped;
        if let Some(callback) = p.callback.as_mut() {
            callback(IngestProgress {
                bytes_read: total,
                total_bytes: total,
                features: self.sink.features(),
            });
        }
    }

    /// At the start of an element of the root's `features` at text byte `at`: when the part read
    /// on another thread starts there and was read whole, takes its features and returns where
    /// the array ended (just past its `]`). Once the scanner is past the part's start the part
    /// can no longer be used and is stopped.
    #[inline]
    pub(super) fn take_part_at(&mut self, at: usize) -> Option<usize> {
        #[cfg(not(target_arch = "wasm32"))]
        if self.split.as_ref().is_some_and(|split| at >= split.at()) {
            let split = self.split.take()?;
            let (part, end) = split.join_at(at)?;
            self.sink.append(part).ok()?;
            #[cfg(test)]
            {
                self.parts_taken += 1;
            }
            self.note_offset(end);
            return Some(end);
        }
        let _ = at;
        None
    }

    /// Members of a Feature or geometry at the root belong to feature 0.
    pub(super) fn enter_root_feature(&mut self, place: Place) {
        if place == Place::Root {
            self.feature_index = Some(0);
        }
    }
}
