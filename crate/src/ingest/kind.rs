//! The GeoJSON object types, and which of them may appear where.

/// A GeoJSON `type` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    FeatureCollection,
    Feature,
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
    GeometryCollection,
}

impl Kind {
    /// The kind named by a `type` value; names are case-sensitive (RFC 7946 §1.4).
    pub(super) fn from_name(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"FeatureCollection" => Self::FeatureCollection,
            b"Feature" => Self::Feature,
            b"Point" => Self::Point,
            b"MultiPoint" => Self::MultiPoint,
            b"LineString" => Self::LineString,
            b"MultiLineString" => Self::MultiLineString,
            b"Polygon" => Self::Polygon,
            b"MultiPolygon" => Self::MultiPolygon,
            b"GeometryCollection" => Self::GeometryCollection,
            _ => return None,
        })
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::FeatureCollection => "FeatureCollection",
            Self::Feature => "Feature",
            Self::Point => "Point",
            Self::MultiPoint => "MultiPoint",
            Self::LineString => "LineString",
            Self::MultiLineString => "MultiLineString",
            Self::Polygon => "Polygon",
            Self::MultiPolygon => "MultiPolygon",
            Self::GeometryCollection => "GeometryCollection",
        }
    }

    /// How many arrays enclose each position in this geometry's `coordinates` (0 for a Point,
    /// whose coordinates are one position), or `None` for kinds without coordinates.
    pub(super) fn position_depth(self) -> Option<usize> {
        match self {
            Self::Point => Some(0),
            Self::MultiPoint | Self::LineString => Some(1),
            Self::MultiLineString | Self::Polygon => Some(2),
            Self::MultiPolygon => Some(3),
            Self::FeatureCollection | Self::Feature | Self::GeometryCollection => None,
        }
    }

    /// Line and polygon geometries, whose use follows [`super::LineAndPolygonPolicy`].
    pub(super) fn is_line_or_polygon(self) -> bool {
        matches!(
            self,
            Self::LineString | Self::MultiLineString | Self::Polygon | Self::MultiPolygon
        )
    }

    pub(super) fn is_geometry(self) -> bool {
        !matches!(self, Self::FeatureCollection | Self::Feature)
    }
}

/// Where a GeoJSON object sits, which decides the types it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// The whole document: any type.
    Root,
    /// An element of a FeatureCollection's `features`.
    Feature,
    /// A Feature's `geometry` or an element of a GeometryCollection's `geometries`.
    Geometry,
}

impl Place {
    pub(super) fn allows(self, kind: Kind) -> bool {
        match self {
            Self::Root => true,
            Self::Feature => kind == Kind::Feature,
            Self::Geometry => kind.is_geometry(),
        }
    }

    /// What a `type` at this place may be, for error messages.
    pub(super) fn expected(self) -> &'static str {
        match self {
            Self::Root => "FeatureCollection, Feature or a geometry type",
            Self::Feature => "Feature, as every element of \"features\" is a Feature",
            Self::Geometry => {
                "a geometry type: Point, MultiPoint, LineString, MultiLineString, Polygon, \
                 MultiPolygon or GeometryCollection"
            }
        }
    }
}

/// Describes coordinates whose positions are nested `depth` arrays deep, for error messages.
pub(super) fn shape_name(depth: usize) -> &'static str {
    match depth {
        0 => "a single position [lon, lat]",
        1 => "an array of positions",
        2 => "an array of arrays of positions",
        3 => "an array of arrays of arrays of positions",
        _ => "positions nested more than three arrays deep",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for kind in [
            Kind::FeatureCollection,
            Kind::Feature,
            Kind::Point,
            Kind::MultiPoint,
            Kind::LineString,
            Kind::MultiLineString,
            Kind::Polygon,
            Kind::MultiPolygon,
            Kind::GeometryCollection,
        ] {
            assert_eq!(Kind::from_name(kind.name().as_bytes()), Some(kind));
        }
        assert_eq!(Kind::from_name(b"point"), None);
        assert_eq!(Kind::from_name(b""), None);
    }

    #[test]
    fn places_allow_their_kinds() {
        assert!(Place::Root.allows(Kind::FeatureCollection));
        assert!(!Place::Feature.allows(Kind::Point));
        assert!(!Place::Geometry.allows(Kind::Feature));
        assert!(Place::Geometry.allows(Kind::GeometryCollection));
    }
}
