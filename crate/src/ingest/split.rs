//! Reading a large FeatureCollection on two threads (native only): the scanner reads the
//! document from its start as always, while a second thread reads the root's `features` from a
//! guessed element near the middle of the text through the array's end.
//!
//! The guess is only a guess: a `},{` near the middle may lie inside a feature or a string.
//! It is trusted only when the first reader, which reads everything before it itself, reaches
//! the start of an element of the root's `features` at exactly that byte; the second part,
//! read from there with a fresh feature state, is then what the first reader would have read,
//! and its features are committed in order after the first reader's. Otherwise (a wrong
//! guess, a part that gave up, the point limit passed across the two) the second part is
//! dropped and the first reader reads on by itself, so that the points, the report and any
//! error, with its place, are those of one reader.

use super::IngestOptions;
use super::ctx::Ctx;
use super::scan::Scanner;
use super::sink::Sink;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};

/// Texts shorter than this are read by one thread: starting another costs more than it saves.
pub(super) const MIN_SPLIT_BYTES: usize = 4 << 20;

/// Where the second part starts, as a fraction of the text: the first reader also checks the
/// UTF-8 of the whole text (a seventh of the reading time), so it reads a little less.
const SPLIT_FRACTION: f64 = 0.45;

/// The second part of a split load, as the first reader sees it.
#[derive(Debug)]
pub(super) struct Split {
    /// Text byte where the part starts.
    at: usize,
    /// Tells the part's thread to give up; set when the part is dropped.
    stop: Arc<AtomicBool>,
    /// The part's features and the byte after the array's `]`, or `None` when it gave up.
    part: Receiver<Option<(Sink, usize)>>,
}

impl Split {
    pub(super) fn at(&self) -> usize {
        self.at
    }

    /// The part, when the first reader is at the start of an element at text byte `at` and the
    /// part starts there; waits for the part's thread to finish it.
    pub(super) fn join_at(self, at: usize) -> Option<(Sink, usize)> {
        if at != self.at {
            return None;
        }
        self.part.recv().ok().flatten()
    }
}

impl Drop for Split {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Calls `read` with the part read on another thread, if the input looks like it has one,
/// while that thread reads it: from a guessed element of the root's `features` a little before
/// the middle (the first reader also checks the UTF-8 of the whole) through the array's `]`.
pub(super) fn with_part<R>(
    bytes: &[u8],
    options: &IngestOptions,
    read: impl FnOnce(Option<Split>) -> R,
) -> R {
    // Positions count from the text after a byte order mark, as the first reader's do. The
    // part reads bytes not yet checked for UTF-8: the scanner reads any bytes safely, and
    // the first reader fails the load before taking the part if they are not UTF-8.
    let text = &bytes[super::bom_len(bytes)..];
    let Some(at) = guess(text) else {
        return read(None);
    };
    let stop = Arc::new(AtomicBool::new(false));
    let (send, part) = sync_channel(1);
    std::thread::scope(|scope| {
        let stop_part = Arc::clone(&stop);
        let reader = std::thread::Builder::new().spawn_scoped(scope, move || {
            // The receiver is gone when the first reader finished without the part.
            let _ = send.send(read_part(text, at, options, &stop_part));
        });
        // Dropped at the latest when `read` returns, which stops the part's thread if the
        // first reader did not use it, so that the scope's end does not wait for it.
        read(reader.ok().map(|_| Split { at, stop, part }))
    })
}

/// The root's `features` from the element starting at byte `at` of `text` through the
/// array's `]`: the features and the byte after the `]`, or `None` when the scanner gave up
/// there or `stop` was set.
fn read_part(
    text: &[u8],
    at: usize,
    options: &IngestOptions,
    stop: &AtomicBool,
) -> Option<(Sink, usize)> {
    let mut ctx = Ctx::new(options, b"", 0, None);
    ctx.sink = Sink::for_part(options);
    let end = Scanner::at(text, at, &mut ctx).features_part(stop).ok()?;
    Some((ctx.sink, end))
}

/// Where an element of a FeatureCollection's `features` likely starts, a little before the
/// middle: the `{` of the first `}` `,` `{` (whitespace allowed between) after
/// [`SPLIT_FRACTION`] of the text.
fn guess(text: &[u8]) -> Option<usize> {
    let ws = |b: &u8| matches!(b, b' ' | b'\n' | b'\t' | b'\r');
    let after_ws = |from: usize| text[from..].iter().position(|b| !ws(b)).map(|n| from + n);
    let mut from = (text.len() as f64 * SPLIT_FRACTION) as usize;
    while let Some(close) = text[from..].iter().position(|&b| b == b'}') {
        let close = from + close;
        if let Some(comma) = after_ws(close + 1).filter(|&i| text[i] == b',')
            && let Some(open) = after_ws(comma + 1).filter(|&i| text[i] == b'{')
        {
            return Some(open);
        }
        from = close + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{IngestOptions, InvalidPolicy, ingest_geojson, ingest_with};

    /// The parallel read against the one-reader read of the same text: the same points (bit
    /// for bit), columns, report (but its time) or error.
    fn assert_same(text: &str, options: &IngestOptions) {
        let one = ingest_geojson(text.as_bytes(), options);
        let two = ingest_with(text.as_bytes(), options, &mut |_| {}, Some(0));
        match (one, two) {
            (Ok((p1, r1)), Ok((p2, r2))) => {
                let bits = |p: &crate::PointBuffer| -> Vec<u32> {
                    p.as_slice().iter().map(|v| v.to_bits()).collect()
                };
                assert_eq!(bits(&p1), bits(&p2), "points of {text}");
                assert_eq!(p1.origin(), p2.origin());
                assert_eq!(p1.total_weight().to_bits(), p2.total_weight().to_bits());
                assert_eq!(p1.columns().len(), p2.columns().len());
                for (c1, c2) in p1.columns().iter().zip(p2.columns()) {
                    assert_eq!(c1.origin().to_bits(), c2.origin().to_bits());
                    let values = |c: &crate::points::Column| -> Vec<u32> {
                        c.values().iter().map(|v| v.to_bits()).collect()
                    };
                    assert_eq!(values(c1), values(c2));
                }
                let timeless = |r: crate::IngestReport| crate::IngestReport {
                    elapsed: std::time::Duration::ZERO,
                    ..r
                };
                assert_eq!(timeless(r1), timeless(r2), "report of {text}");
            }
            (Err(e1), Err(e2)) => assert_eq!(e1, e2, "error of {text}"),
            (one, two) => panic!("{text}: one reader {one:?}, two {two:?}"),
        }
    }

    fn feature(i: usize, extra: &str) -> String {
        let lon = (i as f64 * 7.31) % 360.0 - 180.0;
        let lat = (i as f64 * 3.17) % 170.0 - 85.0;
        format!(
            r#"{{"type":"Feature","properties":{{"w":{},"t":"2024-01-0{}T00:00:00Z"{extra}}},"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}"#,
            (i % 7) as f64 * 0.5,
            i % 9 + 1
        )
    }

    fn collection(features: &[String], after: &str) -> String {
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]{after}}}",
            features.join(",\n")
        )
    }

    /// `features` with one in the middle wide enough that the guess lands inside it, on a
    /// `},{` in an array of objects in its properties or in a string.
    fn with_wide_middle(features: &[String]) -> Vec<String> {
        let objects = vec!["{}"; 3000].join(",");
        let mut odd = features.to_vec();
        let extra = format!(r#","a":[{objects}],"s":"{objects}""#);
        odd[features.len() / 2] = feature(0, &extra);
        odd
    }

    fn options() -> IngestOptions {
        IngestOptions {
            weight_property: Some("w".into()),
            properties: vec!["w".into()],
            time_property: Some("t".into()),
            ..IngestOptions::default()
        }
    }

    /// Whether the second part of `text` was read on its own thread and taken.
    fn part_taken(text: &str) -> bool {
        let options = options();
        with_part(text.as_bytes(), &options, |part| {
            let mut ctx = Ctx::new(&options, text.as_bytes(), 0, None);
            ctx.split = part;
            Scanner::new(text.as_bytes(), &mut ctx).document().is_ok() && ctx.parts_taken == 1
        })
    }

    #[test]
    fn the_part_is_taken_when_the_guess_is_right() {
        let features: Vec<String> = (0..200).map(|i| feature(i, "")).collect();
        assert!(part_taken(&collection(&features, "")));
        assert!(part_taken(&collection(&features, r#","bbox":[1,2,3,4]"#)));
        assert!(!part_taken(&collection(&with_wide_middle(&features), "")));
    }

    #[test]
    fn the_guess_lands_on_an_element() {
        let features: Vec<String> = (0..40).map(|i| feature(i, "")).collect();
        let text = collection(&features, "");
        let at = guess(text.as_bytes()).expect("a boundary");
        assert!(text[at..].starts_with("{\"type\":\"Feature\""));
        assert!(at >= text.len() * 2 / 5 && at < text.len() / 2);
    }

    #[test]
    fn two_readers_read_what_one_does() {
        let features: Vec<String> = (0..200).map(|i| feature(i, "")).collect();
        let options = options();
        assert_same(&collection(&features, ""), &options);
        // Members after the array, and a collection whose only boundary is early.
        assert_same(
            &collection(&features, r#","bbox":[1,2,3,4],"x":{"a":[{},{}]}"#),
            &options,
        );
        assert_same(&collection(&features[..2], r#","x":"},{""#), &options);
        assert_same(&collection(&[], ""), &options);
        // The middle's `},{` inside properties and inside a string: the guess is wrong.
        assert_same(&collection(&with_wide_middle(&features), ""), &options);
        // A top level other than a FeatureCollection, with `features` a foreign member.
        let foreign = format!(
            r#"{{"type":"Feature","geometry":null,"properties":null,"features":[{}]}}"#,
            features.join(",")
        );
        assert_same(&foreign, &options);
        let late_type = format!(
            r#"{{"features":[{}],"type":"FeatureCollection"}}"#,
            features.join(",")
        );
        assert_same(&late_type, &options);
    }

    #[test]
    fn errors_and_limits_are_those_of_one_reader() {
        let mut features: Vec<String> = (0..200).map(|i| feature(i, "")).collect();
        let options = options();
        for bad in [20, 150] {
            let mut broken = features.clone();
            broken[bad] = broken[bad].replace("\"w\":", "\"w\":-");
            assert_same(&collection(&broken, ""), &options);
            broken[bad] = broken[bad].replace("Point", "Pint");
            assert_same(&collection(&broken, ""), &options);
        }
        let skip = IngestOptions {
            invalid_weight: InvalidPolicy::Skip,
            ..options.clone()
        };
        features[150] = features[150].replace("\"w\":", "\"w\":-");
        assert_same(&collection(&features, ""), &skip);
        assert_same(&collection(&features, ""), &options);
        features[150] = feature(150, "");
        for max_points in [50, 120, 199, 200] {
            let limited = IngestOptions {
                max_points,
                ..options.clone()
            };
            assert_same(&collection(&features, ""), &limited);
        }
        // Broken JSON after the array and a truncated document.
        let text = collection(&features, ",");
        assert_same(&text, &options);
        let text = collection(&features, "");
        assert_same(&text[..text.len() - 3], &options);
    }

    #[test]
    fn null_geometries_before_the_middle_leave_the_origins_to_the_part() {
        let mut features: Vec<String> = (0..100)
            .map(|_| r#"{"type":"Feature","properties":{},"geometry":null}"#.to_owned())
            .collect();
        features.extend((0..100).map(|i| feature(i, "")));
        assert_same(&collection(&features, ""), &options());
    }
}
