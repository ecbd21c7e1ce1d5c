//! The streaming parser: serde visitors that walk GeoJSON objects and hand features to the
//! [`Sink`] without building a document tree.
//!
//! Every GeoJSON object is read by one visitor, [`ObjectSeed`], that knows its [`Place`]. JSON
//! members come in any order, so the object's `type` may arrive last: until it is known, every
//! member that could matter at this place is read (positions into the shared scratch list), and
//! the object is judged once it is complete. When `type` comes first, members that do not
//! belong to that type are foreign members and skipped unread.

use super::IngestProgress;
use super::coordinates::{CoordShape, CoordinatesSeed};
use super::errors;
use super::kind::{Kind, Place};
use super::properties::PropertiesSeed;
use super::sink::{GeometryOutcome, Sink, Weight, excerpt};
use super::{IngestOptions, LineAndPolygonPolicy};
use crate::error::GeoJsonProblem;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::ops::Range;

/// Bytes between two progress reports.
pub(super) const PROGRESS_STEP: usize = 1 << 20;

/// State shared by every visitor of one load.
pub(super) struct Ctx<'a> {
    pub(super) sink: Sink,
    /// Positions of the feature being read. Reused, so steady state does not allocate.
    pub(super) scratch: Vec<[f64; 2]>,
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
    progress: Progress<'a>,
}

/// What the root object has read so far that decides how its later members are read.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct RootState {
    kind: Option<Kind>,
    features: bool,
    seen: u8,
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
        text: &str,
        skipped: usize,
        callback: Option<&'a mut dyn FnMut(IngestProgress)>,
    ) -> Self {
        Self {
            sink: Sink::new(options),
            scratch: Vec::new(),
            shape: CoordShape::default(),
            member: "",
            feature_index: None,
            problem: None,
            features_open: false,
            root_state: None,
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
    fn note_key(&mut self, key: &str) {
        let p = &mut self.progress;
        let Some(callback) = p.callback.as_mut() else {
            return;
        };
        let offset = (key.as_ptr() as usize).wrapping_sub(p.text_start);
        if offset >= p.next_at && offset < p.text_len {
            p.next_at = (offset / PROGRESS_STEP + 1) * PROGRESS_STEP;
            callback(IngestProgress {
                bytes_read: offset + p.skipped,
                total_bytes: p.text_len + p.skipped,
                features: self.sink.features(),
            });
        }
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

    /// Members of a Feature or geometry at the root belong to feature 0.
    fn enter_root_feature(&mut self, place: Place) {
        if place == Place::Root {
            self.feature_index = Some(0);
        }
    }
}

/// Member names that matter; everything else is a foreign member.
enum Key {
    Type,
    Features,
    Geometry,
    Properties,
    Coordinates,
    Geometries,
    Other,
}

impl Key {
    /// The member's name and its bit in a set of members seen, for the members geoheat reads.
    fn read_member(&self) -> Option<(&'static str, u8)> {
        Some(match self {
            Self::Type => ("type", 1),
            Self::Features => ("features", 2),
            Self::Geometry => ("geometry", 4),
            Self::Properties => ("properties", 8),
            Self::Coordinates => ("coordinates", 16),
            Self::Geometries => ("geometries", 32),
            Self::Other => return None,
        })
    }

    fn from_name(name: &str) -> Self {
        match name {
            "type" => Self::Type,
            "features" => Self::Features,
            "geometry" => Self::Geometry,
            "properties" => Self::Properties,
            "coordinates" => Self::Coordinates,
            "geometries" => Self::Geometries,
            _ => Self::Other,
        }
    }
}

struct KeySeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    /// Whether to check progress: done only in features, once per key.
    track_progress: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key, E> {
        if self.track_progress {
            self.ctx.note_key(key);
        }
        Ok(Key::from_name(key))
    }

    fn visit_str<E>(self, key: &str) -> Result<Key, E> {
        Ok(Key::from_name(key))
    }
}

/// The members of one object read so far. Ranges index `Ctx::scratch`.
#[derive(Default)]
struct Members {
    kind: Option<Kind>,
    /// Length of the scratch list when the object began.
    start: usize,
    features: bool,
    geometry: Option<(Range<usize>, GeometryOutcome)>,
    weight: Option<Weight>,
    coordinates: Option<(Range<usize>, CoordShape)>,
    geometries: Option<(Range<usize>, GeometryOutcome)>,
    /// The members geoheat reads that this object has had, as bits of `Key::read_member`.
    seen: u8,
}

/// Any GeoJSON object at `place`. A Feature or a bare root geometry is committed to the sink
/// when it ends; a nested geometry leaves its positions in the scratch list and returns its
/// outcome to the Feature or GeometryCollection around it.
pub(super) struct ObjectSeed<'c, 'a> {
    pub(super) ctx: &'c mut Ctx<'a>,
    pub(super) place: Place,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_, '_> {
    type Value = GeometryOutcome;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<GeometryOutcome, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_, '_> {
    type Value = GeometryOutcome;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self.place {
            Place::Root => "a GeoJSON object",
            Place::Feature => "a Feature object",
            Place::Geometry => "a geometry object",
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<GeometryOutcome, A::Error> {
        let (ctx, place) = (self.ctx, self.place);
        let mut m = Members {
            start: ctx.scratch.len(),
            ..Members::default()
        };
        let probing = place == Place::Root && ctx.root_state.is_some();
        if let Some(state) = ctx.root_state.filter(|_| probing) {
            m.kind = state.kind;
            m.features = state.features;
            m.seen = state.seen;
        }
        let track_progress = place == Place::Feature;
        while let Some(key) = map.next_key_seed(KeySeed {
            ctx: &mut *ctx,
            track_progress,
        })? {
            // Whatever the type and the order of members, a member read twice is an error where
            // it appears again (foreign or not, as that is known only once `type` is).
            if let Some((member, bit)) = key.read_member() {
                if m.seen & bit != 0 {
                    return Err(ctx.fail(GeoJsonProblem::DuplicateMember { member }));
                }
                m.seen |= bit;
            }
            // Until `type` is known, read whatever could matter here.
            let may_be = |wanted: fn(Kind) -> bool| m.kind.is_none_or(wanted);
            if probing {
                // A probe stops in the value of this member; a `features` array read here
                // counts as read for the next probe.
                let features =
                    matches!(key, Key::Features) && may_be(|k| k == Kind::FeatureCollection);
                ctx.root_state = Some(RootState {
                    kind: m.kind,
                    features: m.features || features,
                    seen: m.seen,
                });
            }
            match key {
                Key::Type => {
                    m.kind = Some(map.next_value_seed(TypeSeed {
                        ctx: &mut *ctx,
                        place,
                    })?);
                }
                Key::Features
                    if place == Place::Root && may_be(|k| k == Kind::FeatureCollection) =>
                {
                    map.next_value_seed(FeaturesSeed {
                        ctx: &mut *ctx,
                        first_index: 0,
                        placeholder: false,
                    })?;
                    m.features = true;
                }
                Key::Geometry if place != Place::Geometry && may_be(|k| k == Kind::Feature) => {
                    ctx.enter_root_feature(place);
                    let before = ctx.scratch.len();
                    let outcome = map.next_value_seed(GeometryMemberSeed { ctx: &mut *ctx })?;
                    m.geometry = Some((before..ctx.scratch.len(), outcome));
                }
                Key::Properties if place != Place::Geometry && may_be(|k| k == Kind::Feature) => {
                    ctx.enter_root_feature(place);
                    m.weight = Some(map.next_value_seed(PropertiesSeed { ctx: &mut *ctx })?);
                }
                Key::Coordinates
                    if place != Place::Feature && may_be(|k| k.position_depth().is_some()) =>
                {
                    ctx.enter_root_feature(place);
                    let before = ctx.scratch.len();
                    let shape = map.next_value_seed(CoordinatesSeed { ctx: &mut *ctx })?;
                    m.coordinates = Some((before..ctx.scratch.len(), shape));
                }
                Key::Geometries
                    if place != Place::Feature && may_be(|k| k == Kind::GeometryCollection) =>
                {
                    ctx.enter_root_feature(place);
                    let before = ctx.scratch.len();
                    let outcome = map.next_value_seed(GeometriesSeed { ctx: &mut *ctx })?;
                    m.geometries = Some((before..ctx.scratch.len(), outcome));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        finish_object(ctx, place, m).map_err(|problem| ctx.fail(problem))
    }
}

/// Why a parse stopped: the problem, where the parser was in the text it read (one-based line
/// and column, as serde_json counts them) and the feature being read.
#[derive(Debug)]
pub(super) struct Stopped {
    pub(super) problem: GeoJsonProblem,
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) feature_index: Option<usize>,
}

impl Stopped {
    /// Pairs a parser error with the problem a visitor recorded for it, if any.
    pub(super) fn new(ctx: &mut Ctx<'_>, err: &serde_json::Error) -> Self {
        Self {
            problem: errors::classify(err, ctx.problem.take(), ctx.member),
            line: err.line(),
            column: err.column(),
            feature_index: ctx.feature_index,
        }
    }
}

/// Reads a whole GeoJSON document (any type at the top) into `ctx`, refusing anything after it.
pub(super) fn read_document<'de, R: serde_json::de::Read<'de>>(
    ctx: &mut Ctx<'_>,
    deserializer: &mut serde_json::Deserializer<R>,
) -> Result<(), Stopped> {
    ObjectSeed {
        ctx: &mut *ctx,
        place: Place::Root,
    }
    .deserialize(&mut *deserializer)
    .and_then(|_| deserializer.end())
    .map_err(|err| Stopped::new(ctx, &err))
}

/// Judges a complete object now that its `type` is known, and commits it if it is a feature.
fn finish_object(
    ctx: &mut Ctx<'_>,
    place: Place,
    m: Members,
) -> Result<GeometryOutcome, GeoJsonProblem> {
    let Some(kind) = m.kind else {
        return Err(GeoJsonProblem::MissingType);
    };
    if kind == Kind::FeatureCollection {
        if !m.features {
            return Err(GeoJsonProblem::MissingMember {
                member: "features",
                of: "FeatureCollection",
            });
        }
        // Drop positions of root members read before `type` said they are foreign.
        ctx.scratch.truncate(m.start);
        ctx.feature_index = None;
        return Ok(GeometryOutcome::default());
    }
    if m.features {
        // Only reachable when `features` came before `type`: the features are already loaded.
        return Err(GeoJsonProblem::InvalidMember {
            member: "features",
            reason: format!("a {} cannot have features", kind.name()),
        });
    }
    ctx.enter_root_feature(place);
    let missing = |member| GeoJsonProblem::MissingMember {
        member,
        of: kind.name(),
    };
    let (kept, mut outcome, weight) = match kind {
        Kind::Feature => {
            // A Feature without `geometry` is read as one with a null geometry, as the
            // `geojson` crate does, so both ingest paths agree.
            let null = GeometryOutcome {
                null: true,
                skipped_by_type: false,
            };
            let (range, outcome) = m.geometry.unwrap_or((m.start..m.start, null));
            (range, outcome, m.weight.unwrap_or(Weight::Default))
        }
        Kind::GeometryCollection => {
            let (range, outcome) = m.geometries.ok_or_else(|| missing("geometries"))?;
            (range, outcome, Weight::Default)
        }
        _ => {
            let (range, shape) = m.coordinates.ok_or_else(|| missing("coordinates"))?;
            shape.check(kind)?;
            (range, GeometryOutcome::default(), Weight::Default)
        }
    };
    keep_only(&mut ctx.scratch, m.start, kept);
    if kind.is_line_or_polygon()
        && ctx.sink.options().lines_and_polygons == LineAndPolygonPolicy::Skip
    {
        ctx.scratch.truncate(m.start);
        outcome.skipped_by_type = true;
    }
    if place == Place::Geometry {
        return Ok(outcome);
    }
    // A Feature, or a bare geometry at the root: one feature.
    let committed = ctx.sink.commit(&ctx.scratch[m.start..], outcome, &weight);
    ctx.scratch.truncate(m.start);
    committed?;
    if place == Place::Root {
        ctx.feature_index = None;
    }
    Ok(GeometryOutcome::default())
}

/// Leaves only `kept` of the positions from `start` on, moved to `start`. Other ranges hold
/// members that `type` turned out to make foreign (read before `type` was known).
fn keep_only(scratch: &mut Vec<[f64; 2]>, start: usize, kept: Range<usize>) {
    let len = kept.len();
    if kept.start != start {
        scratch.copy_within(kept, start);
    }
    scratch.truncate(start + len);
}

/// A `type` member: the kind, if it is allowed at `place`.
struct TypeSeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    place: Place,
}

impl<'de> DeserializeSeed<'de> for TypeSeed<'_, '_> {
    type Value = Kind;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Kind, D::Error> {
        self.ctx.member = "type";
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for TypeSeed<'_, '_> {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string naming a GeoJSON type")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Kind, E> {
        match Kind::from_name(name) {
            Some(kind) if self.place.allows(kind) => Ok(kind),
            _ => Err(self.ctx.fail(GeoJsonProblem::UnexpectedType {
                found: excerpt(name),
                expected: self.place.expected(),
            })),
        }
    }
}

/// A FeatureCollection's `features`: each element is read and committed in turn.
///
/// A chunked load reads the array a few elements at a time: it hands the parser
/// `[0, <element>` for element `first_index > 0`, where the placeholder `0` stands for the
/// elements already read, so that the parser checks the comma before the element exactly as it
/// does in the whole document.
struct FeaturesSeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    /// Index of the first element read.
    first_index: usize,
    /// The array starts with a placeholder to skip (see above).
    placeholder: bool,
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.ctx.member = "features";
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of Feature objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        ctx.features_open = true;
        if self.placeholder {
            seq.next_element::<IgnoredAny>()?;
        }
        for index in self.first_index.. {
            ctx.feature_index = Some(index);
            ctx.member = "features";
            let element = seq.next_element_seed(ObjectSeed {
                ctx: &mut *ctx,
                place: Place::Feature,
            })?;
            if element.is_none() {
                break;
            }
        }
        ctx.feature_index = None;
        ctx.features_open = false;
        Ok(())
    }
}

/// Reads a run of elements of a FeatureCollection's `features` for a chunked load.
///
/// `text` is `[` followed by the array as it appears in the document from its opening bracket
/// on (for `first_index == 0`), or `[[0` followed by the array from the comma before element
/// `first_index` on; the caller closes it with `]]` when the run is complete, or not at all
/// when the document ends there. The outer bracket stands for the root object, so the parser
/// meets every element at the nesting depth it has in the whole document, and its recursion
/// limit bites at the same place.
pub(super) fn read_features_run(
    ctx: &mut Ctx<'_>,
    text: &[u8],
    first_index: usize,
) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    RunSeed { ctx, first_index }.deserialize(&mut deserializer)
}

/// The outer array of [`read_features_run`]: holds the `features` array.
struct RunSeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    first_index: usize,
}

impl<'de> DeserializeSeed<'de> for RunSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RunSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a run of features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let first_index = self.first_index;
        seq.next_element_seed(FeaturesSeed {
            ctx: self.ctx,
            first_index,
            placeholder: first_index > 0,
        })?;
        Ok(())
    }
}

/// A Feature's `geometry`: a geometry object or null.
struct GeometryMemberSeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
}

impl<'de> DeserializeSeed<'de> for GeometryMemberSeed<'_, '_> {
    type Value = GeometryOutcome;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<GeometryOutcome, D::Error> {
        self.ctx.member = "geometry";
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for GeometryMemberSeed<'_, '_> {
    type Value = GeometryOutcome;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a geometry object or null")
    }

    fn visit_none<E>(self) -> Result<GeometryOutcome, E> {
        Ok(GeometryOutcome {
            null: true,
            skipped_by_type: false,
        })
    }

    fn visit_some<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<GeometryOutcome, D::Error> {
        ObjectSeed {
            ctx: self.ctx,
            place: Place::Geometry,
        }
        .deserialize(deserializer)
    }
}

/// A GeometryCollection's `geometries`. Each member goes back through the deserializer, so its
/// recursion limit bounds nested collections too.
struct GeometriesSeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
}

impl<'de> DeserializeSeed<'de> for GeometriesSeed<'_, '_> {
    type Value = GeometryOutcome;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<GeometryOutcome, D::Error> {
        self.ctx.member = "geometries";
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for GeometriesSeed<'_, '_> {
    type Value = GeometryOutcome;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of geometry objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GeometryOutcome, A::Error> {
        let ctx = self.ctx;
        let mut outcome = GeometryOutcome::default();
        loop {
            ctx.member = "geometries";
            let member = seq.next_element_seed(ObjectSeed {
                ctx: &mut *ctx,
                place: Place::Geometry,
            })?;
            match member {
                Some(member) => outcome.merge(member),
                None => return Ok(outcome),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::ingest_geojson;

    #[test]
    fn keep_only_moves_the_kept_range_down() {
        let mut scratch = vec![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        keep_only(&mut scratch, 1, 2..4);
        assert_eq!(scratch, [[0.0, 0.0], [2.0, 2.0], [3.0, 3.0]]);
        keep_only(&mut scratch, 1, 1..1);
        assert_eq!(scratch, [[0.0, 0.0]]);
    }

    #[test]
    fn members_read_before_the_type_are_dropped_when_foreign() {
        let options = IngestOptions::default();
        // `coordinates` and `geometries` on a Feature are foreign (RFC 7946 §7.1).
        let text = r#"{"coordinates": [[9, 9]], "geometries": [{"type": "Point", "coordinates": [8, 8]}],
            "geometry": {"type": "Point", "coordinates": [1, 2]}, "type": "Feature"}"#;
        let (points, report) = ingest_geojson(text.as_bytes(), &options).expect("valid");
        assert_eq!(points.len(), 1);
        assert_eq!(points.bounds().map(|b| (b.west, b.south)), Some((1.0, 2.0)));
        assert_eq!(report.features, 1);
        // ...and `geometry` on a GeometryCollection.
        let text = r#"{"geometry": {"type": "Point", "coordinates": [9, 9]},
            "geometries": [{"type": "Point", "coordinates": [3, 4]}], "type": "GeometryCollection"}"#;
        let (points, _) = ingest_geojson(text.as_bytes(), &options).expect("valid");
        assert_eq!(points.bounds().map(|b| (b.west, b.south)), Some((3.0, 4.0)));
    }

    #[test]
    fn escaped_keys_are_recognised() {
        let text = r#"{"typ\u0065": "Point", "coordinates": [5, 6]}"#;
        let (points, _) = ingest_geojson(text.as_bytes(), &IngestOptions::default())
            .expect("an escaped key is the same key");
        assert_eq!(points.len(), 1);
    }
}
