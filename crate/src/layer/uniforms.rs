//! A layer's typed uniforms: named `f32`/`vec2`/`vec3`/`vec4` values, their WGSL struct and its
//! bytes in the uniform address space layout.

use crate::error::{Error, Result};

/// One uniform value; the variant is its WGSL type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UniformValue {
    F32(f32),
    Vec2([f32; 2]),
    Vec3([f32; 3]),
    Vec4([f32; 4]),
}

impl UniformValue {
    /// A value from 1 to 4 numbers (`f32` for one, `vecN<f32>` for N).
    pub fn from_slice(values: &[f32]) -> Option<Self> {
        Some(match *values {
            [x] => Self::F32(x),
            [x, y] => Self::Vec2([x, y]),
            [x, y, z] => Self::Vec3([x, y, z]),
            [x, y, z, w] => Self::Vec4([x, y, z, w]),
            _ => return None,
        })
    }

    /// The components, 1 to 4.
    pub fn as_slice(&self) -> &[f32] {
        match self {
            Self::F32(x) => std::slice::from_ref(x),
            Self::Vec2(v) => v,
            Self::Vec3(v) => v,
            Self::Vec4(v) => v,
        }
    }

    /// The WGSL type: `f32`, `vec2<f32>`, `vec3<f32>` or `vec4<f32>`.
    pub fn wgsl_type(&self) -> &'static str {
        match self {
            Self::F32(_) => "f32",
            Self::Vec2(_) => "vec2<f32>",
            Self::Vec3(_) => "vec3<f32>",
            Self::Vec4(_) => "vec4<f32>",
        }
    }

    /// Alignment in the uniform address space (WGSL: 4, 8, 16, 16 bytes).
    fn align(&self) -> usize {
        match self {
            Self::F32(_) => 4,
            Self::Vec2(_) => 8,
            Self::Vec3(_) | Self::Vec4(_) => 16,
        }
    }
}

/// Most uniforms a layer may declare.
pub const MAX_UNIFORMS: usize = 32;

/// A layer's uniforms in declaration order. The names and types are fixed when the layer is made
/// (they are the fields of its WGSL `Uniforms` struct); values change with
/// [`Uniforms::set`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Uniforms {
    entries: Vec<(String, UniformValue)>,
}

impl Uniforms {
    /// Uniforms with these names and values; names must be WGSL identifiers, unique, and values
    /// finite.
    pub fn new(layer: &str, entries: Vec<(String, UniformValue)>) -> Result<Self> {
        if entries.len() > MAX_UNIFORMS {
            return Err(Error::layer(
                layer,
                format!(
                    "declares {} uniforms; at most {MAX_UNIFORMS} are allowed",
                    entries.len()
                ),
            ));
        }
        for (i, (name, value)) in entries.iter().enumerate() {
            check_identifier(layer, name)?;
            if entries[..i].iter().any(|(other, _)| other == name) {
                return Err(Error::layer(
                    layer,
                    format!("uniform `{name}` is given twice"),
                ));
            }
            check_finite(layer, name, value)?;
        }
        Ok(Self { entries })
    }

    /// Name and value of each uniform, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, UniformValue)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), *v))
    }

    /// The value of `name`, if declared.
    pub fn get(&self, name: &str) -> Option<UniformValue> {
        self.entries
            .iter()
            .find_map(|(n, v)| (n == name).then_some(*v))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets a declared uniform; the value must have the declared type and be finite.
    pub fn set(&mut self, layer: &str, name: &str, value: UniformValue) -> Result<()> {
        check_finite(layer, name, &value)?;
        let Some(index) = self.entries.iter().position(|(n, _)| n == name) else {
            let declared: Vec<&str> = self.entries.iter().map(|(n, _)| n.as_str()).collect();
            return Err(Error::layer(
                layer,
                format!(
                    "has no uniform `{name}`; its uniforms are: {}",
                    if declared.is_empty() {
                        "(none)".to_string()
                    } else {
                        declared.join(", ")
                    }
                ),
            ));
        };
        let slot = &mut self.entries[index].1;
        if std::mem::discriminant(slot) != std::mem::discriminant(&value) {
            return Err(Error::layer(
                layer,
                format!(
                    "uniform `{name}` is {}, not {} ({} numbers given)",
                    slot.wgsl_type(),
                    value.wgsl_type(),
                    value.as_slice().len()
                ),
            ));
        }
        *slot = value;
        Ok(())
    }

    /// Sets every given uniform, or none if any is wrong.
    pub fn set_all(&mut self, layer: &str, values: &[(String, UniformValue)]) -> Result<()> {
        let mut updated = self.clone();
        for (name, value) in values {
            updated.set(layer, name, *value)?;
        }
        *self = updated;
        Ok(())
    }

    /// `struct Uniforms { … }` and the `u` binding, or nothing without uniforms.
    pub fn wgsl_declaration(&self) -> String {
        if self.entries.is_empty() {
            return String::new();
        }
        let mut out = String::from("struct Uniforms {\n");
        for (name, value) in &self.entries {
            out.push_str(&format!("    {name}: {},\n", value.wgsl_type()));
        }
        out.push_str("}\n@group(1) @binding(1) var<uniform> u: Uniforms;\n");
        out
    }

    /// The struct's bytes in the uniform address space layout (each member at its alignment, the
    /// size rounded up to 16), little-endian; at least 16 bytes, since a binding cannot be empty.
    pub fn to_bytes(&self, out: &mut Vec<u8>) {
        out.clear();
        for (_, value) in &self.entries {
            out.resize(out.len().next_multiple_of(value.align()), 0);
            for component in value.as_slice() {
                out.extend(component.to_le_bytes());
            }
        }
        out.resize(out.len().next_multiple_of(16).max(16), 0);
    }
}

fn check_finite(layer: &str, name: &str, value: &UniformValue) -> Result<()> {
    match value.as_slice().iter().find(|c| !c.is_finite()) {
        None => Ok(()),
        // Printed as f64, whose formatting the page's wasm carries anyway (f32's would add 2 KB).
        Some(&bad) => Err(Error::layer(
            layer,
            format!(
                "uniform `{name}` holds {}, which is not finite",
                f64::from(bad)
            ),
        )),
    }
}

/// A WGSL identifier that cannot clash with geoheat's own names (`geoheat*`, `__*`).
fn check_identifier(layer: &str, name: &str) -> Result<()> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !name.starts_with("__")
        && !name.starts_with("geoheat")
        && name.len() <= 64;
    if valid {
        Ok(())
    } else {
        Err(Error::layer(
            layer,
            format!(
                "uniform name {name:?} is not allowed: use letters, digits and `_` (not first a \
                 digit, at most 64), not starting with `__` or `geoheat`"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_follows_wgsl_alignment() {
        let uniforms = Uniforms::new(
            "t",
            vec![
                ("a".into(), UniformValue::F32(1.0)),
                ("b".into(), UniformValue::Vec3([2.0, 3.0, 4.0])),
                ("c".into(), UniformValue::F32(5.0)),
                ("d".into(), UniformValue::Vec2([6.0, 7.0])),
            ],
        )
        .expect("valid uniforms");
        let mut bytes = Vec::new();
        uniforms.to_bytes(&mut bytes);
        let floats: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        // a at 0, b at 16 (vec3 aligns to 16), c right after b's 12 bytes at 28, d at 32 (8-aligned).
        assert_eq!(
            floats,
            [1.0, 0.0, 0.0, 0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 0.0, 0.0]
        );
    }

    #[test]
    fn set_checks_name_type_and_finiteness() {
        let mut uniforms =
            Uniforms::new("t", vec![("k".into(), UniformValue::F32(1.0))]).expect("valid");
        assert!(
            uniforms
                .set("t", "k", UniformValue::Vec2([1.0, 2.0]))
                .is_err()
        );
        assert!(
            uniforms
                .set("t", "missing", UniformValue::F32(1.0))
                .is_err()
        );
        assert!(uniforms.set("t", "k", UniformValue::F32(f32::NAN)).is_err());
        uniforms
            .set("t", "k", UniformValue::F32(2.0))
            .expect("same type");
        assert_eq!(uniforms.get("k"), Some(UniformValue::F32(2.0)));
    }

    #[test]
    fn rejects_bad_names() {
        for name in ["", "1x", "a-b", "geoheat_x", "__x", "_"] {
            let result = Uniforms::new("t", vec![(name.into(), UniformValue::F32(0.0))]);
            assert!(result.is_err(), "{name:?} accepted");
        }
    }
}
