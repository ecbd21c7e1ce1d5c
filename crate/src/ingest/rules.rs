//! The GeoJSON object rules, written once for every reader of a document.
//!
//! A reader (the byte scanner of `scan`, or the serde visitors of `visitor` for documents that
//! are already parsed and for naming the exact place of an error) walks the JSON and asks
//! these rules what each member is ([`route`]), reads the value the way the route says, and
//! hands the complete object to [`finish_object`], which judges it and commits features to the
//! sink. Which members count where, duplicates, missing members, the order-independence of
//! `type`, what a Feature without `geometry` means: all of that is here and nowhere else.

use super::LineAndPolygonPolicy;
use super::coordinates::CoordShape;
use super::ctx::Ctx;
use super::kind::{Kind, Place};
use super::sink::{GeometryOutcome, Weight, excerpt};
use crate::error::GeoJsonProblem;
use std::ops::Range;

/// Member names that matter; everything else is a foreign member.
pub(super) enum Key {
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

    /// The key of a member name (as written, without escapes, or decoded).
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn from_name(name: &[u8]) -> Self {
        match name {
            b"type" => Self::Type,
            b"features" => Self::Features,
            b"geometry" => Self::Geometry,
            b"properties" => Self::Properties,
            b"coordinates" => Self::Coordinates,
            b"geometries" => Self::Geometries,
            _ => Self::Other,
        }
    }
}

/// The members of one object read so far. Ranges index `Ctx::scratch`.
#[derive(Default)]
pub(super) struct Members {
    pub(super) kind: Option<Kind>,
    /// Length of the scratch list when the object began.
    pub(super) start: usize,
    pub(super) features: bool,
    pub(super) geometry: Option<(Range<usize>, GeometryOutcome)>,
    pub(super) weight: Option<Weight>,
    pub(super) coordinates: Option<(Range<usize>, CoordShape)>,
    pub(super) geometries: Option<(Range<usize>, GeometryOutcome)>,
    /// The members geoheat reads that this object has had, as bits of `Key::read_member`.
    pub(super) seen: u8,
}

impl Members {
    /// An object that begins when the scratch list holds `start` positions.
    pub(super) fn new(start: usize) -> Self {
        Self {
            start,
            ..Self::default()
        }
    }
}

/// How the value of a member is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    /// The object's `type`: a string checked by [`kind_at`].
    Type,
    /// A FeatureCollection's `features`: an array of Feature objects, each committed in turn.
    Features,
    /// A Feature's `geometry`: a geometry object or null.
    Geometry,
    /// A Feature's `properties`: an object or null, of which only the weight is read.
    Properties,
    /// A geometry's `coordinates`, of any nesting (checked by [`CoordShape::check`]).
    Coordinates,
    /// A GeometryCollection's `geometries`: an array of geometry objects.
    Geometries,
    /// A foreign member (or one that `type` made foreign): skipped, checked as JSON only.
    Skip,
}

/// Decides how the member `key` of the object `m` at `place` is read. Until `type` is known,
/// whatever could matter here is read; a member read twice is an error where it appears again
/// (foreign or not, as that is known only once `type` is).
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(super) fn route(
    ctx: &mut Ctx<'_>,
    m: &mut Members,
    place: Place,
    key: Key,
) -> Result<Route, GeoJsonProblem> {
    if let Some((member, bit)) = key.read_member() {
        if m.seen & bit != 0 {
            return Err(GeoJsonProblem::DuplicateMember { member });
        }
        m.seen |= bit;
    }
    let may_be = |wanted: fn(Kind) -> bool| m.kind.is_none_or(wanted);
    let route = match key {
        Key::Type => Route::Type,
        Key::Features if place == Place::Root && may_be(|k| k == Kind::FeatureCollection) => {
            Route::Features
        }
        Key::Geometry if place != Place::Geometry && may_be(|k| k == Kind::Feature) => {
            Route::Geometry
        }
        Key::Properties if place != Place::Geometry && may_be(|k| k == Kind::Feature) => {
            Route::Properties
        }
        Key::Coordinates if place != Place::Feature && may_be(|k| k.position_depth().is_some()) => {
            Route::Coordinates
        }
        Key::Geometries if place != Place::Feature && may_be(|k| k == Kind::GeometryCollection) => {
            Route::Geometries
        }
        _ => Route::Skip,
    };
    if !matches!(route, Route::Type | Route::Features | Route::Skip) {
        ctx.enter_root_feature(place);
    }
    Ok(route)
}

/// The kind named by a `type` value, if it is allowed at `place`.
pub(super) fn kind_at(place: Place, name: &str) -> Result<Kind, GeoJsonProblem> {
    kind_named(place, name.as_bytes()).ok_or_else(|| GeoJsonProblem::UnexpectedType {
        found: excerpt(name),
        expected: place.expected(),
    })
}

/// [`kind_at`] for a reader that leaves the error to the serde path: the name's bytes as
/// written, without escapes.
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(super) fn kind_named(place: Place, name: &[u8]) -> Option<Kind> {
    Kind::from_name(name).filter(|&kind| place.allows(kind))
}

/// Judges a complete object now that its `type` is known, and commits it if it is a feature.
#[cfg_attr(wasm_for_size, optimize(speed))]
pub(super) fn finish_object(
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
    let read_properties = m.weight.is_some();
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
    if kind != Kind::Feature || !read_properties {
        // Kept properties come only from a Feature's own `properties`.
        ctx.sink.clear_found();
    }
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
#[cfg_attr(wasm_for_size, optimize(speed))]
fn keep_only(scratch: &mut Vec<[f64; 2]>, start: usize, kept: Range<usize>) {
    let len = kept.len();
    if kept.start != start {
        scratch.copy_within(kept, start);
    }
    scratch.truncate(start + len);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_only_moves_the_kept_range_down() {
        let mut scratch = vec![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        keep_only(&mut scratch, 1, 2..4);
        assert_eq!(scratch, [[0.0, 0.0], [2.0, 2.0], [3.0, 3.0]]);
        keep_only(&mut scratch, 1, 1..1);
        assert_eq!(scratch, [[0.0, 0.0]]);
    }
}
