//! The byte scanner: reads GeoJSON text straight from its bytes with the rules of [`rules`],
//! skipping what it does not need (foreign members, properties other than the weight and the
//! kept columns) by JSON syntax alone.
//!
//! It is the fast path of every byte ingest. It checks the JSON at least as strictly as the
//! serde path does (strings, escapes, control characters, numbers, nesting, what follows the
//! document), and whenever it meets anything it does not read itself (broken JSON, a GeoJSON
//! problem, a member name with escapes, nesting deeper than [`MAX_DEPTH`]) it gives up with
//! [`Bail`] without judging. The caller then reads the same text with the serde path, which
//! names the problem and its exact place, or reads the rare construct the scanner leaves to
//! it. Whatever the scanner accepts the serde path accepts with the same points and report;
//! tests hold the two paths to that.
//!
//! [`rules`]: super::rules

use super::coordinates::CoordShape;
use super::ctx::Ctx;
use super::kind::Place;
use super::number;
use super::rules::{self, Key, Members, Route};
use super::sink::{GeometryOutcome, NonNumeric, Slot, Weight};

/// The scanner gave up: the text has a problem, or something it leaves to the serde path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Bail;

type Scan<T> = Result<T, Bail>;

/// Deepest nesting of arrays and objects the scanner reads itself, below the serde parser's
/// recursion limit (128), so that the parser decides every document near it. Skipped values
/// are not counted: the parser skips them without a limit too.
const MAX_DEPTH: usize = 100;

/// Nesting of a FeatureCollection's features: inside the root object and its `features`.
const FEATURE_DEPTH: usize = 3;

/// Reads one text into a load's state.
pub(super) struct Scanner<'t, 'c, 'a> {
    text: &'t [u8],
    pos: usize,
    ctx: &'c mut Ctx<'a>,
}

impl<'t, 'c, 'a> Scanner<'t, 'c, 'a> {
    pub(super) fn new(text: &'t [u8], ctx: &'c mut Ctx<'a>) -> Self {
        Self { text, pos: 0, ctx }
    }

    /// A scanner that starts at byte `pos` of `text`.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn at(text: &'t [u8], pos: usize, ctx: &'c mut Ctx<'a>) -> Self {
        Self { text, pos, ctx }
    }

    /// Where the scanner is in the text.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Reads a whole document: one object, then only whitespace.
    #[inline(never)]
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn document(&mut self) -> Scan<()> {
        self.ws();
        self.object(Place::Root, 1)?;
        self.ws();
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// Reads one element of a FeatureCollection's `features` that starts at the scanner's
    /// position (after whitespace), up to its closing brace, and commits it as feature `index`.
    #[inline(never)]
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn feature(&mut self, index: usize) -> Scan<()> {
        self.ws();
        self.ctx.feature_index = Some(index);
        self.ctx.note_offset(self.pos);
        self.object(Place::Feature, FEATURE_DEPTH)?;
        self.ctx.feature_index = None;
        Ok(())
    }

    /// Skips JSON whitespace.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.text.get(self.pos) {
            self.pos += 1;
        }
    }

    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    /// Takes the byte `want`, or gives up.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn eat(&mut self, want: u8) -> Scan<()> {
        if self.peek() == Some(want) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// Takes `,` (true) or `close` (false) after whitespace, or gives up.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[inline]
    fn comma_or(&mut self, close: u8) -> Scan<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.ws();
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            _ => Err(Bail),
        }
    }

    /// An object at `place`, `depth` containers deep, starting at its `{`.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn object(&mut self, place: Place, depth: usize) -> Scan<GeometryOutcome> {
        if depth > MAX_DEPTH {
            return Err(Bail);
        }
        self.eat(b'{')?;
        let mut m = Members::new(self.ctx.scratch.len());
        self.ws();
        let mut more = self.peek() != Some(b'}');
        if !more {
            self.pos += 1;
        }
        while more {
            let key = self.key()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            let route = rules::route(self.ctx, &mut m, place, key).map_err(|_| Bail)?;
            let before = self.ctx.scratch.len();
            match route {
                Route::Type => {
                    let name = self.plain_string()?;
                    m.kind = Some(rules::kind_named(place, name).ok_or(Bail)?);
                }
                Route::Features => {
                    self.features()?;
                    m.features = true;
                }
                Route::Geometry => {
                    let outcome = self.geometry_member(depth + 1)?;
                    m.geometry = Some((before..self.ctx.scratch.len(), outcome));
                }
                Route::Properties => m.weight = Some(self.properties()?),
                Route::Coordinates => {
                    self.ctx.shape = CoordShape::default();
                    self.coordinates(0, depth + 1)?;
                    m.coordinates = Some((before..self.ctx.scratch.len(), self.ctx.shape));
                }
                Route::Geometries => {
                    let outcome = self.geometries(depth + 1)?;
                    m.geometries = Some((before..self.ctx.scratch.len(), outcome));
                }
                Route::Skip => self.skip_value()?,
            }
            more = self.comma_or(b'}')?;
        }
        rules::finish_object(self.ctx, place, m).map_err(|_| Bail)
    }

    /// A member name. One with escapes is left to the serde path, which decodes it.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn key(&mut self) -> Scan<Key> {
        Ok(Key::from_name(self.plain_string()?))
    }

    /// A string without escapes, as its bytes between the quotes.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[inline]
    fn plain_string(&mut self) -> Scan<&'t [u8]> {
        self.eat(b'"')?;
        let start = self.pos;
        self.pos = string_content_end(self.text, start).ok_or(Bail)?;
        self.eat(b'"')?;
        Ok(&self.text[start..self.pos - 1])
    }

    /// A FeatureCollection's `features`, each element committed in turn.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn features(&mut self) -> Scan<()> {
        self.eat(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        for index in 0.. {
            self.feature(index)?;
            if !self.comma_or(b']')? {
                break;
            }
            if let Some(end) = self.ctx.take_part_at(self.pos) {
                self.pos = end;
                break;
            }
        }
        Ok(())
    }

    /// Reads elements of a root `features` array from the scanner's position (the start of
    /// one) through the array's `]`, as [`Scanner::features`] would after a comma; returns the
    /// position after the `]`. Gives up when `stop` is set.
    #[inline(never)]
    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn features_part(&mut self, stop: &std::sync::atomic::AtomicBool) -> Scan<usize> {
        for index in 0.. {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(Bail);
            }
            self.feature(index)?;
            if !self.comma_or(b']')? {
                break;
            }
        }
        Ok(self.pos)
    }

    /// A Feature's `geometry`: a geometry object or null.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn geometry_member(&mut self, depth: usize) -> Scan<GeometryOutcome> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            return Ok(GeometryOutcome {
                null: true,
                skipped_by_type: false,
            });
        }
        self.object(Place::Geometry, depth)
    }

    /// A GeometryCollection's `geometries`.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn geometries(&mut self, depth: usize) -> Scan<GeometryOutcome> {
        if depth > MAX_DEPTH {
            return Err(Bail);
        }
        self.eat(b'[')?;
        self.ws();
        let mut outcome = GeometryOutcome::default();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(outcome);
        }
        loop {
            outcome.merge(self.object(Place::Geometry, depth + 1)?);
            if !self.comma_or(b']')? {
                return Ok(outcome);
            }
        }
    }

    /// A `coordinates` array `level` arrays inside the member: a position (numbers) or a list
    /// of arrays, as its first element decides. Positions go to the scratch list.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn coordinates(&mut self, level: usize, depth: usize) -> Scan<()> {
        if depth > MAX_DEPTH {
            return Err(Bail);
        }
        self.eat(b'[')?;
        self.ws();
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                self.ctx.shape.note_empty(level);
            }
            Some(b'[') => loop {
                self.coordinates(level + 1, depth + 1)?;
                if !self.comma_or(b']')? {
                    break;
                }
            },
            _ => {
                let lon = self.number()?;
                // A position with one number is a problem the serde path names.
                if !self.comma_or(b']')? {
                    return Err(Bail);
                }
                let lat = self.number()?;
                // Altitude and any further values are allowed and ignored (RFC 7946 §3.1.1).
                while self.comma_or(b']')? {
                    self.number()?;
                }
                self.ctx.shape.note_position(level).map_err(|_| Bail)?;
                self.ctx.scratch.push([lon, lat]);
            }
        }
        Ok(())
    }

    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn number(&mut self) -> Scan<f64> {
        number::parse(self.text, &mut self.pos).ok_or(Bail)
    }

    /// A Feature's `properties` (an object or null): the weight found in it; the kept
    /// properties found go to the sink. A repeated weight or kept property is left to the serde
    /// path, which refuses it.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn properties(&mut self) -> Scan<Weight> {
        self.ctx.sink.clear_found();
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            return Ok(Weight::Default);
        }
        self.eat(b'{')?;
        self.ws();
        let mut weight = Weight::Default;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(weight);
        }
        loop {
            // The parser decodes every property name, so escapes go to it.
            let key = self.plain_string()?;
            let slot = self.ctx.sink.slot(key);
            self.ws();
            self.eat(b':')?;
            self.ws();
            if slot.is_unused() {
                self.skip_value()?;
            } else {
                if !self.ctx.sink.first_sight(slot) {
                    return Err(Bail);
                }
                let value = self.value(slot)?;
                if let Some(column) = slot.column {
                    self.ctx.sink.set_found(column, value.clone());
                }
                if slot.weight {
                    weight = value;
                }
            }
            if !self.comma_or(b'}')? {
                return Ok(weight);
            }
        }
    }

    /// The weight's or a kept property's value, whatever its JSON type; the sink judges it. An
    /// object or an array (never a number) is left to the serde path.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn value(&mut self, slot: Slot) -> Scan<Weight> {
        Ok(match self.peek() {
            Some(b'n') => {
                self.literal(b"null")?;
                Weight::Default
            }
            Some(b't') => {
                self.literal(b"true")?;
                Weight::NonNumeric(NonNumeric::Bool(true))
            }
            Some(b'f') => {
                self.literal(b"false")?;
                Weight::NonNumeric(NonNumeric::Bool(false))
            }
            Some(b'"') => {
                let text = self.plain_string()?;
                let text = std::str::from_utf8(text).map_err(|_| Bail)?;
                NonNumeric::string_in(text, slot)
            }
            _ => Weight::Number(self.number()?),
        })
    }

    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[inline]
    fn literal(&mut self, word: &[u8]) -> Scan<()> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// Skips any JSON value, checking its syntax only, without recursion: nesting is tracked
    /// in `Ctx::skipping`, so any depth is skipped, as the parser skips it.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn skip_value(&mut self) -> Scan<()> {
        let base = self.ctx.skipping.len();
        loop {
            // At the start of a value.
            match self.peek().ok_or(Bail)? {
                b'{' => {
                    self.pos += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        self.ctx.skipping.push(true);
                        self.skip_name()?;
                        continue;
                    }
                }
                b'[' => {
                    self.pos += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        self.ctx.skipping.push(false);
                        continue;
                    }
                }
                b'"' => self.skip_string()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => number::skip(self.text, &mut self.pos).ok_or(Bail)?,
            }
            // After a value: close what ends here, up to the next value.
            loop {
                let Some(&object) = self
                    .ctx
                    .skipping
                    .last()
                    .filter(|_| self.ctx.skipping.len() > base)
                else {
                    return Ok(());
                };
                let close = if object { b'}' } else { b']' };
                if self.comma_or(close)? {
                    if object {
                        self.skip_name()?;
                    }
                    break;
                }
                self.ctx.skipping.pop();
            }
        }
    }

    /// Skips a member name and its colon inside a skipped object, up to the value.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    #[inline]
    fn skip_name(&mut self) -> Scan<()> {
        if self.peek() != Some(b'"') {
            return Err(Bail);
        }
        self.skip_string()?;
        self.ws();
        self.eat(b':')?;
        self.ws();
        Ok(())
    }

    /// Skips a string, checking its escapes and that it has no control characters.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    fn skip_string(&mut self) -> Scan<()> {
        self.eat(b'"')?;
        let text = self.text;
        loop {
            self.pos = string_content_end(text, self.pos).ok_or(Bail)?;
            match text[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                b'\\' => {
                    let escape = *text.get(self.pos + 1).ok_or(Bail)?;
                    self.pos += 2;
                    match escape {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            let hex = text.get(self.pos..self.pos + 4).ok_or(Bail)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(Bail);
                            }
                            self.pos += 4;
                        }
                        _ => return Err(Bail),
                    }
                }
                _ => return Err(Bail),
            }
        }
    }
}

/// The index of the first byte from `from` on that ends a run of plain string content: a
/// quote, a backslash or a control character; `None` when no byte does.
///
/// Eight bytes at a time (SWAR): GeoJSON strings are mostly short names and values, whose scan
/// a byte-by-byte loop spends on one branch per byte. In each word, a byte is flagged when it
/// is zero after an xor with `"` or `\\`, or lies below 0x20; the subtraction's borrow can flag
/// bytes above a flagged one too, never below, so the lowest flag is exact. The page's wasm
/// keeps one copy of it, which both string readers call.
#[cfg_attr(wasm_for_size, optimize(speed), inline(never))]
fn string_content_end(text: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    let mut at = from;
    while let Some(word) = text[at..].first_chunk::<8>() {
        let word = u64::from_le_bytes(*word);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let flagged = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | word.wrapping_sub(ONES * 0x20) & !word)
            & HIGH;
        if flagged != 0 {
            return Some(at + (flagged.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = text[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20);
    tail.map(|len| at + len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::visitor::read_document;
    use crate::ingest::{IngestOptions, IngestReport, InvalidPolicy, LineAndPolygonPolicy};
    use std::time::Duration;

    /// What a path made of `text`: the points and then each column's origin and values as
    /// bits, and the report, or nothing.
    type Read = Option<(Vec<u32>, IngestReport)>;

    fn finish(ctx: Ctx<'_>) -> Read {
        let (points, report) = ctx.sink.finish(0);
        let mut bits: Vec<u32> = points.as_slice().iter().map(|v| v.to_bits()).collect();
        for column in points.columns() {
            let origin = column.origin().to_bits();
            bits.extend([(origin >> 32) as u32, origin as u32]);
            bits.extend(column.values().iter().map(|v| v.to_bits()));
        }
        Some((
            bits,
            IngestReport {
                elapsed: Duration::ZERO,
                ..report
            },
        ))
    }

    fn scanned(text: &[u8], options: &IngestOptions) -> Read {
        let mut ctx = Ctx::new(options, b"", 0, None);
        Scanner::new(text, &mut ctx).document().ok()?;
        finish(ctx)
    }

    fn parsed(text: &[u8], options: &IngestOptions) -> Read {
        let mut ctx = Ctx::new(options, b"", 0, None);
        let mut deserializer = serde_json::Deserializer::from_slice(text);
        read_document(&mut ctx, &mut deserializer).ok()?;
        finish(ctx)
    }

    /// The scanner accepts only what the serde path accepts, with the same result.
    #[track_caller]
    fn assert_agree(text: &[u8], options: &IngestOptions) -> bool {
        let Some(scan) = scanned(text, options) else {
            return false;
        };
        assert_eq!(
            Some(&scan),
            parsed(text, options).as_ref(),
            "{}",
            String::from_utf8_lossy(text)
        );
        true
    }

    fn option_sets() -> Vec<IngestOptions> {
        let mag = IngestOptions {
            weight_property: Some("mag".to_owned()),
            ..IngestOptions::default()
        };
        vec![
            IngestOptions::default(),
            mag.clone(),
            IngestOptions {
                invalid_weight: InvalidPolicy::Skip,
                out_of_range: InvalidPolicy::Skip,
                lines_and_polygons: LineAndPolygonPolicy::Vertices,
                properties: vec!["depth".to_owned(), "mag".to_owned()],
                time_property: Some("t".to_owned()),
                ..mag.clone()
            },
            IngestOptions {
                lines_and_polygons: LineAndPolygonPolicy::Vertices,
                properties: vec!["mag".to_owned(), "depth".to_owned()],
                time_property: Some("t".to_owned()),
                ..IngestOptions::default()
            },
        ]
    }

    const DOCUMENT: &str = r#"{"type": "FeatureCollection", "bbox": [0, 0, 1, 1], "x": {"a": [1, {"b": "\u00e9\n"}], "c": null},
 "features": [
  {"type": "Feature", "properties": {"mag": 2.5, "name": "a\"b", "n": [true, false], "t": "2024-02-29T10:00:00.5+01:00"}, "geometry": {"type": "Point", "coordinates": [1.25, -2e-3, 7]}},
  {"properties": {"ma": -1, "mag": 3, "t": 1.7e12, "depth": -3.5}, "geometry": {"coordinates": [[5, 6], [7.5, 8]], "type": "MultiPoint"}, "type": "Feature", "id": 1},
  {"type": "Feature", "properties": null, "geometry": {"type": "GeometryCollection", "geometries": [
     {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}, {"type": "Point", "coordinates": [-0, 0.1]}]}},
  {"type": "Feature", "properties": {"mag": "heavy", "t": "2024-13-01", "depth": 1e39}, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1], [0, 0]], []]}},
  {"type": "Feature", "properties": {"mag": true}, "geometry": {"type": "Point", "coordinates": [200, 0]}},
  {"type": "Feature", "geometry": null, "foreign": {"type": "Point"}},
  {"type": "Feature", "properties": {"t": "1970-01-01", "depth": null}, "geometry": {"type": "Point", "coordinates": [3, 4]}},
  {"type": "Feature", "properties": {"mag": 12345678901234567890.123}, "geometry": {"type": "MultiPolygon", "coordinates": [[[[179.99999999999999999, 89.5]]]]}}
 ]
}"#;

    #[test]
    fn the_scanner_reads_what_the_parser_reads() {
        for options in option_sets() {
            assert!(
                assert_agree(DOCUMENT.as_bytes(), &options)
                    || options.invalid_weight == InvalidPolicy::Error,
                "the scanner reads the whole document when nothing is refused"
            );
        }
        let text = br#"{"coordinates": [1, 2], "type": "Point"}"#;
        assert!(assert_agree(text, &IngestOptions::default()));
    }

    #[test]
    fn changed_bytes_never_make_the_scanner_accept_more() {
        // A fixed-seed LCG keeps the cases the same from run to run.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let alphabet = b"{}[],:\"0123456789-+.eE \n\t\\/unlltruefalseabc\x01";
        let options = option_sets();
        let mut read = 0;
        for round in 0..20_000 {
            let mut bytes = DOCUMENT.as_bytes().to_vec();
            for _ in 0..1 + next() % 3 {
                let at = next() % bytes.len();
                match next() % 3 {
                    0 => bytes[at] = alphabet[next() % alphabet.len()],
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, alphabet[next() % alphabet.len()]),
                }
            }
            if assert_agree(&bytes, &options[round % options.len()]) {
                read += 1;
            }
        }
        assert!(read > 500, "only {read} changed documents were read");
    }

    #[test]
    fn string_content_ends_at_the_first_quote_backslash_or_control_byte() {
        let naive = |text: &[u8], from: usize| {
            (from..text.len()).find(|&i| matches!(text[i], b'"' | b'\\' | 0..0x20))
        };
        // Every special byte at every place in and around a word, among plain bytes that a
        // borrow could flag (`#` and `]` are one above `"` and `\\`, the space one above the
        // control bytes) and UTF-8's high bytes.
        let fillers = [
            b'a', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xa2, 0xdc, 0xff,
        ];
        let specials = [b'"', b'\\', 0x00, 0x1f, 0x0a];
        for len in 0..20 {
            for &filler in &fillers {
                let mut text = vec![filler; len];
                assert_eq!(string_content_end(&text, 0), None);
                for at in 0..len {
                    for &special in &specials {
                        text[at] = special;
                        for second in at..len {
                            let saved = text[second];
                            text[second] = specials[(at + second) % specials.len()];
                            for from in [0, 1, 3, 9].into_iter().filter(|&f| f <= len) {
                                assert_eq!(
                                    string_content_end(&text, from),
                                    naive(&text, from),
                                    "{text:?} from {from}"
                                );
                            }
                            text[second] = saved;
                        }
                        text[at] = filler;
                    }
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_left_to_the_parser() {
        let deep = |n: usize| {
            format!(
                r#"{{"type": "Point", "coordinates": {}1, 2{}}}"#,
                "[".repeat(n),
                "]".repeat(n)
            )
        };
        let options = IngestOptions::default();
        assert_eq!(
            scanned(deep(1).as_bytes(), &options).map(|r| r.1.points),
            Some(1)
        );
        assert_eq!(scanned(deep(MAX_DEPTH + 1).as_bytes(), &options), None);
    }
}
