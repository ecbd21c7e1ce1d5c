//! [`Json`]: an expression as written, before it is compiled.
//!
//! Expressions arrive as JSON (`--weight-expr` on the command line) or as JavaScript values (a
//! page's `setWeight(["get", "mag"])`). Both become this small tree, which is all the compiler
//! reads: numbers are f64 as in JavaScript, and objects, which no expression contains, keep no
//! content. The page reads JavaScript values into it directly, so the wasm needs no general JSON
//! value type (with its map, its serializer and its float printer) for a few short expressions.

use std::fmt;

/// A JSON value as the expression compiler reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    /// An object (or, from JavaScript, a value JSON has no form for); never valid in an
    /// expression, so only its presence is kept.
    Object,
}

impl From<&serde_json::Value> for Json {
    fn from(value: &serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Json::String(s.clone()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::Object(_) => Json::Object,
        }
    }
}

impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Self {
        Json::from(&value)
    }
}

/// Compact JSON, as error messages quote the part of an expression they refuse.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            // Very large and very small magnitudes in exponent form, as JavaScript prints them,
            // not as hundreds of digits.
            Json::Number(n) if n.is_finite() && *n != 0.0 && !(1e-6..1e21).contains(&n.abs()) => {
                write!(f, "{n:e}")
            }
            Json::Number(n) => write!(f, "{n}"),
            Json::String(s) => quoted(s, f),
            Json::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Json::Object => f.write_str("{…}"),
        }
    }
}

/// `s` as a JSON string literal.
fn quoted(s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            c if u32::from(c) < 0x20 => write!(f, "\\u{:04x}", u32::from(c))?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prints_as_compact_json() {
        let value = json!([">=", ["get", "a\"b\n"], 2.5, null, true, {"x": 1}, 1e300, -0.5, 3]);
        assert_eq!(
            Json::from(value).to_string(),
            r#"[">=",["get","a\"b\n"],2.5,null,true,{…},1e300,-0.5,3]"#
        );
    }
}
