//! Reads a Feature's `properties`, keeping only the weight property and the kept columns.

use super::ctx::Ctx;
use super::sink::{NonNumeric, Sink, Slot, Weight};
use crate::error::GeoJsonProblem;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The `properties` member (an object or null): the weight found in it; the kept properties
/// found go to the sink.
pub(super) struct PropertiesSeed<'c, 'a> {
    pub(super) ctx: &'c mut Ctx<'a>,
}

impl<'de> DeserializeSeed<'de> for PropertiesSeed<'_, '_> {
    type Value = Weight;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Weight, D::Error> {
        self.ctx.member = "properties";
        let sink = &mut self.ctx.sink;
        sink.clear_found();
        let mut duplicate = None;
        let read = deserializer.deserialize_option(PropertiesVisitor {
            sink,
            duplicate: &mut duplicate,
        });
        if let Some(property) = duplicate {
            // The parser's error carries the place; the problem is recorded beside it.
            self.ctx.problem = Some(GeoJsonProblem::DuplicateProperty { property });
        }
        read
    }
}

struct PropertiesVisitor<'s, 'd> {
    sink: &'s mut Sink,
    /// Set to the name of a property the load reads that comes twice, which stops the read.
    duplicate: &'d mut Option<String>,
}

impl<'de> Visitor<'de> for PropertiesVisitor<'_, '_> {
    type Value = Weight;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object or null")
    }

    fn visit_none<E>(self) -> Result<Weight, E> {
        Ok(Weight::Default)
    }

    fn visit_unit<E>(self) -> Result<Weight, E> {
        Ok(Weight::Default)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Weight, D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Weight, A::Error> {
        let mut weight = Weight::Default;
        let sink = self.sink;
        if sink.ignores_properties() {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(weight);
        }
        // A repeated weight or kept property is refused, as a repeated member is (see
        // `rules::route`); other properties may repeat.
        while let Some(slot) = map.next_key_seed(PropertyKey { sink: &*sink })? {
            if slot.is_unused() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if !sink.first_sight(slot) {
                *self.duplicate = Some(sink.slot_name(slot));
                return Err(de::Error::custom("duplicate property"));
            }
            let value = map.next_value_seed(WeightValue { slot })?;
            if let Some(column) = slot.column {
                sink.set_found(column, value.clone());
            }
            if slot.weight {
                weight = value;
            }
        }
        Ok(weight)
    }
}

/// A property name: what it is to the load. Compared in place, without allocating.
struct PropertyKey<'s> {
    sink: &'s Sink,
}

impl<'de> DeserializeSeed<'de> for PropertyKey<'_> {
    type Value = Slot;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Slot, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for PropertyKey<'_> {
    type Value = Slot;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_str<E>(self, key: &str) -> Result<Slot, E> {
        Ok(self.sink.slot(key.as_bytes()))
    }
}

/// The weight property's or a kept property's value, whatever its JSON type; the sink judges
/// it.
struct WeightValue {
    slot: Slot,
}

impl<'de> DeserializeSeed<'de> for WeightValue {
    type Value = Weight;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Weight, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for WeightValue {
    type Value = Weight;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a weight")
    }

    fn visit_f64<E>(self, v: f64) -> Result<Weight, E> {
        Ok(Weight::Number(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Weight, E> {
        Ok(Weight::Number(v as f64))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Weight, E> {
        Ok(Weight::Number(v as f64))
    }

    fn visit_unit<E>(self) -> Result<Weight, E> {
        Ok(Weight::Default)
    }

    fn visit_none<E>(self) -> Result<Weight, E> {
        Ok(Weight::Default)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Weight, E> {
        Ok(Weight::NonNumeric(NonNumeric::Bool(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Weight, E> {
        Ok(NonNumeric::string_in(v, self.slot))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Weight, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Weight::NonNumeric(NonNumeric::Object))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Weight, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Weight::NonNumeric(NonNumeric::Array))
    }
}
