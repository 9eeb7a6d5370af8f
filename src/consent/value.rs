//! A JSON-like snapshot of what a host returned, so validation is pure Rust.
//!
//! The wasm layer copies a JS value into a [`HostValue`] within [`Limits`]; everything
//! after that (validation, denial detection, envelope reading) works on this type and is
//! tested natively and fuzzed.

use crate::prelude::*;

/// A host answer, copied out of JS. Objects keep only own enumerable string keys, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum HostValue {
    /// `undefined`.
    Undefined,
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<HostValue>),
    /// A plain object's own enumerable string-keyed properties.
    Object(Vec<(String, HostValue)>),
    /// Something with no JSON form: a function, symbol or bigint (named by `typeof`).
    Other(&'static str),
}

/// Bounds on what is copied out of a host answer, so a hostile or broken host cannot make
/// the bridge allocate without limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of arrays and objects.
    pub max_depth: usize,
    /// Most values in total.
    pub max_nodes: usize,
    /// Longest string: UTF-16 code units when copied from JS, UTF-8 bytes when parsed
    /// from JSON text.
    pub max_string_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 8, max_nodes: 1024, max_string_len: 16 * 1024 }
    }
}

impl HostValue {
    /// The value of `key` when this is an object (the first one, if a key repeats).
    pub fn get(&self, key: &str) -> Option<&HostValue> {
        match self {
            HostValue::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HostValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the value's type, for error messages (never the value itself).
    pub fn type_name(&self) -> &'static str {
        match self {
            HostValue::Undefined => "undefined",
            HostValue::Null => "null",
            HostValue::Bool(_) => "boolean",
            HostValue::Number(_) => "number",
            HostValue::String(_) => "string",
            HostValue::Array(_) => "array",
            HostValue::Object(_) => "object",
            HostValue::Other(t) => t,
        }
    }

    /// A code-like property rendered as text: strings as they are, integral numbers in
    /// decimal (hosts use both, e.g. `error: 11` and `code: "40006"`).
    pub fn code_text(&self) -> Option<String> {
        match self {
            HostValue::String(s) if !s.is_empty() => Some(s.clone()),
            HostValue::Number(n) if n.abs() < 1e15 && *n == (*n as i64) as f64 => Some(format!("{}", *n as i64)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_reads_only_objects_and_the_first_key() {
        let v = HostValue::Object(vec![("a".into(), HostValue::Number(1.0)), ("a".into(), HostValue::Number(2.0))]);
        assert_eq!(v.get("a"), Some(&HostValue::Number(1.0)));
        assert_eq!(HostValue::String("a".into()).get("a"), None);
    }

    #[test]
    fn code_text_accepts_strings_and_integers_only() {
        assert_eq!(HostValue::Number(11.0).code_text().as_deref(), Some("11"));
        assert_eq!(HostValue::Number(-3.0).code_text().as_deref(), Some("-3"));
        assert_eq!(HostValue::String("40006".into()).code_text().as_deref(), Some("40006"));
        assert_eq!(HostValue::Number(1.5).code_text(), None);
        assert_eq!(HostValue::Number(f64::NAN).code_text(), None);
        assert_eq!(HostValue::String(String::new()).code_text(), None);
        assert_eq!(HostValue::Null.code_text(), None);
    }
}
