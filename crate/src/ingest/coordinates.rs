//! Reads a `coordinates` member of any shape into the scratch list of positions.
//!
//! Members may come in any order, so the geometry `type` may not be known yet. The reader
//! therefore accepts every nesting, records how deep the positions sit ([`CoordShape`]), and
//! the geometry checks the shape against its type once the whole object has been read.

use super::ctx::Ctx;
use super::kind::{Kind, shape_name};
use crate::error::GeoJsonProblem;
use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use std::fmt;

/// How the arrays of one `coordinates` member nest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct CoordShape {
    /// How many arrays enclose each position; the same for every position.
    position_depth: Option<usize>,
    /// The deepest empty array. An empty array where a position belongs is a position with no
    /// numbers; shallower, it is an empty geometry or ring, which is allowed.
    deepest_empty: Option<usize>,
}

impl CoordShape {
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn note_position(&mut self, depth: usize) -> Result<(), GeoJsonProblem> {
        match self.position_depth {
            Some(seen) if seen != depth => Err(GeoJsonProblem::InvalidMember {
                member: "coordinates",
                reason: format!(
                    "positions are nested at different depths ({} and {})",
                    seen, depth
                ),
            }),
            _ => {
                self.position_depth = Some(depth);
                Ok(())
            }
        }
    }

    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn note_empty(&mut self, depth: usize) {
        self.deepest_empty = self.deepest_empty.max(Some(depth));
    }

    /// Checks that the coordinates have the shape `kind` needs.
    #[cfg_attr(wasm_for_size, optimize(speed))]
    pub(super) fn check(self, kind: Kind) -> Result<(), GeoJsonProblem> {
        // Callers pass only kinds with coordinates; 0 keeps this total without a panic path.
        let want = kind.position_depth().unwrap_or(0);
        let mismatch = |found: usize| GeoJsonProblem::InvalidMember {
            member: "coordinates",
            reason: format!(
                "a {} needs {}, found {}",
                kind.name(),
                shape_name(want),
                shape_name(found)
            ),
        };
        if let Some(depth) = self.position_depth {
            if depth != want {
                return Err(mismatch(depth));
            }
        }
        match self.deepest_empty {
            Some(depth) if depth == want => Err(GeoJsonProblem::ShortPosition { len: 0 }),
            Some(depth) if depth > want => Err(mismatch(depth)),
            _ => Ok(()),
        }
    }
}

/// The `coordinates` member: appends its positions to `ctx.scratch`, returns its shape.
pub(super) struct CoordinatesSeed<'c, 'a> {
    pub(super) ctx: &'c mut Ctx<'a>,
}

impl<'de> DeserializeSeed<'de> for CoordinatesSeed<'_, '_> {
    type Value = CoordShape;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<CoordShape, D::Error> {
        self.ctx.member = "coordinates";
        self.ctx.shape = CoordShape::default();
        deserializer.deserialize_seq(ArrayVisitor {
            ctx: &mut *self.ctx,
            depth: 0,
        })?;
        Ok(self.ctx.shape)
    }
}

/// An element of a coordinates array: a number (part of a position) or a nested array.
enum Element {
    Number(f64),
    Array,
}

/// Reads the array `depth` arrays inside `coordinates`, or a number in its place. Every level
/// goes through the deserializer, so its recursion limit bounds the nesting.
struct ArrayVisitor<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    depth: usize,
}

impl<'de> Visitor<'de> for ArrayVisitor<'_, '_> {
    type Value = Element;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of numbers (a position) or of arrays")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
        let ctx = self.ctx;
        let inner = self.depth + 1;
        // The first element decides: a number makes this array a position, an array makes it
        // a list; the rest must follow suit.
        match seq.next_element_seed(ElementSeed {
            ctx: &mut *ctx,
            depth: inner,
        })? {
            None => ctx.shape.note_empty(self.depth),
            Some(Element::Number(lon)) => {
                let Some(lat) = seq.next_element_seed(NumberSeed)? else {
                    return Err(ctx.fail(GeoJsonProblem::ShortPosition { len: 1 }));
                };
                // Altitude and any further values are allowed and ignored (RFC 7946 §3.1.1).
                while seq.next_element_seed(NumberSeed)?.is_some() {}
                ctx.shape
                    .note_position(self.depth)
                    .map_err(|problem| ctx.fail(problem))?;
                ctx.scratch.push([lon, lat]);
            }
            Some(Element::Array) => {
                while seq
                    .next_element_seed(ArraySeed {
                        ctx: &mut *ctx,
                        depth: inner,
                    })?
                    .is_some()
                {}
            }
        }
        Ok(Element::Array)
    }

    fn visit_f64<E>(self, v: f64) -> Result<Element, E> {
        Ok(Element::Number(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Element, E> {
        Ok(Element::Number(v as f64))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Element, E> {
        Ok(Element::Number(v as f64))
    }
}

/// The first element of an array: a number or an array.
struct ElementSeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ElementSeed<'_, '_> {
    type Value = Element;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Element, D::Error> {
        deserializer.deserialize_any(ArrayVisitor {
            ctx: self.ctx,
            depth: self.depth,
        })
    }
}

/// A later element of an array whose first element was an array.
struct ArraySeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(ArrayVisitor {
            ctx: self.ctx,
            depth: self.depth,
        })?;
        Ok(())
    }
}

/// A later number of a position.
struct NumberSeed;

impl<'de> DeserializeSeed<'de> for NumberSeed {
    type Value = f64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_f64(self)
    }
}

impl Visitor<'_> for NumberSeed {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_f64<E>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_u64<E>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_i64<E>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(positions: &[usize], empties: &[usize]) -> Result<CoordShape, GeoJsonProblem> {
        let mut shape = CoordShape::default();
        for &depth in positions {
            shape.note_position(depth)?;
        }
        for &depth in empties {
            shape.note_empty(depth);
        }
        Ok(shape)
    }

    #[test]
    fn shapes_match_their_types() {
        let point = shape(&[0], &[]).expect("one depth");
        assert_eq!(point.check(Kind::Point), Ok(()));
        assert!(matches!(
            point.check(Kind::MultiPoint),
            Err(GeoJsonProblem::InvalidMember {
                member: "coordinates",
                ..
            })
        ));
        let polygon = shape(&[2, 2], &[1]).expect("one depth");
        assert_eq!(
            polygon.check(Kind::Polygon),
            Ok(()),
            "an empty ring is allowed"
        );
        assert!(polygon.check(Kind::MultiPolygon).is_err());
    }

    #[test]
    fn empty_arrays_where_positions_belong_are_short_positions() {
        let empty = shape(&[], &[0]).expect("no positions");
        assert_eq!(
            empty.check(Kind::Point),
            Err(GeoJsonProblem::ShortPosition { len: 0 })
        );
        assert_eq!(empty.check(Kind::MultiPoint), Ok(()), "an empty MultiPoint");
        let too_deep = shape(&[], &[2]).expect("no positions");
        assert!(matches!(
            too_deep.check(Kind::MultiPoint),
            Err(GeoJsonProblem::InvalidMember { .. })
        ));
    }

    #[test]
    fn mixed_depths_are_refused() {
        assert!(matches!(
            shape(&[1, 2], &[]),
            Err(GeoJsonProblem::InvalidMember {
                member: "coordinates",
                ..
            })
        ));
    }
}
