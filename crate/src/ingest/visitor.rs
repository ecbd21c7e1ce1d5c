//! The serde reader: visitors that walk GeoJSON objects for the rules of [`rules`] and hand
//! features to the sink without building a document tree. They read documents that are already
//! parsed ([`super::ingest_geojson_from`]), and text that the byte scanner gives up on, where
//! `serde_json` names any problem and its place.
//!
//! Every GeoJSON object is read by one visitor, [`ObjectSeed`], that knows its [`Place`]. JSON
//! members come in any order, so the object's `type` may arrive last: until it is known, every
//! member that could matter at this place is read (positions into the shared scratch list), and
//! the object is judged once it is complete. When `type` comes first, members that do not
//! belong to that type are foreign members and skipped unread.

use super::coordinates::CoordinatesSeed;
use super::ctx::{Ctx, RootState};
use super::errors;
use super::kind::{Kind, Place};
use super::properties::PropertiesSeed;
use super::rules::{self, Key, Members, Route};
use super::sink::GeometryOutcome;
use crate::error::GeoJsonProblem;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

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
        Ok(Key::from_name(key.as_bytes()))
    }

    fn visit_str<E>(self, key: &str) -> Result<Key, E> {
        Ok(Key::from_name(key.as_bytes()))
    }
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
        let mut m = Members::new(ctx.scratch.len());
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
            let route = rules::route(ctx, &mut m, place, key).map_err(|p| ctx.fail(p))?;
            if probing {
                // A probe stops in the value of this member; a `features` array read here
                // counts as read for the next probe.
                ctx.root_state = Some(RootState {
                    kind: m.kind,
                    features: m.features || route == Route::Features,
                    seen: m.seen,
                });
            }
            let before = ctx.scratch.len();
            match route {
                Route::Type => {
                    m.kind = Some(map.next_value_seed(TypeSeed {
                        ctx: &mut *ctx,
                        place,
                    })?);
                }
                Route::Features => {
                    map.next_value_seed(FeaturesSeed {
                        ctx: &mut *ctx,
                        first_index: 0,
                        placeholder: false,
                    })?;
                    m.features = true;
                }
                Route::Geometry => {
                    let outcome = map.next_value_seed(GeometryMemberSeed { ctx: &mut *ctx })?;
                    m.geometry = Some((before..ctx.scratch.len(), outcome));
                }
                Route::Properties => {
                    m.weight = Some(map.next_value_seed(PropertiesSeed { ctx: &mut *ctx })?);
                }
                Route::Coordinates => {
                    let shape = map.next_value_seed(CoordinatesSeed { ctx: &mut *ctx })?;
                    m.coordinates = Some((before..ctx.scratch.len(), shape));
                }
                Route::Geometries => {
                    let outcome = map.next_value_seed(GeometriesSeed { ctx: &mut *ctx })?;
                    m.geometries = Some((before..ctx.scratch.len(), outcome));
                }
                Route::Skip => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        rules::finish_object(ctx, place, m).map_err(|problem| ctx.fail(problem))
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
        rules::kind_at(self.place, name).map_err(|problem| self.ctx.fail(problem))
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
    use crate::ingest::{IngestOptions, ingest_geojson};

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
