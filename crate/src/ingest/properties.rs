//! Reads a Feature's `properties`, keeping only the weight property.

use super::ctx::Ctx;
use super::sink::{NonNumeric, Weight};
use crate::error::GeoJsonProblem;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The `properties` member (an object or null): the weight found in it.
pub(super) struct PropertiesSeed<'c, 'a> {
    pub(super) ctx: &'c mut Ctx<'a>,
}

impl<'de> DeserializeSeed<'de> for PropertiesSeed<'_, '_> {
    type Value = Weight;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Weight, D::Error> {
        self.ctx.member = "properties";
        let name = self.ctx.sink.options().weight_property.as_deref();
        let mut duplicate = false;
        let read = deserializer.deserialize_option(PropertiesVisitor {
            name,
            duplicate: &mut duplicate,
        });
        if duplicate {
            // The parser's error carries the place; the problem is recorded beside it.
            let property = name.unwrap_or_default().to_owned();
            self.ctx.problem = Some(GeoJsonProblem::DuplicateProperty { property });
        }
        read
    }
}

struct PropertiesVisitor<'n, 'd> {
    name: Option<&'n str>,
    /// Set when the weight property comes twice, which stops the read.
    duplicate: &'d mut bool,
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
        let Some(name) = self.name else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(weight);
        };
        // A repeated weight is refused, as a repeated member is (see `rules::route`).
        let mut seen = false;
        while let Some(is_weight) = map.next_key_seed(WeightKey { name })? {
            if is_weight {
                if seen {
                    *self.duplicate = true;
                    return Err(de::Error::custom("duplicate weight property"));
                }
                seen = true;
                weight = map.next_value_seed(WeightValue)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(weight)
    }
}

/// A property name: is it the weight property? Compared in place, without allocating.
struct WeightKey<'n> {
    name: &'n str,
}

impl<'de> DeserializeSeed<'de> for WeightKey<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for WeightKey<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_str<E>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.name)
    }
}

/// The weight property's value, whatever its JSON type; the sink judges it.
struct WeightValue;

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
        Ok(Weight::NonNumeric(NonNumeric::string(v)))
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
