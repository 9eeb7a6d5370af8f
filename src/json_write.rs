//! JSON output without serde or core::fmt: the request bodies and the results handed to
//! JS (through `JSON.parse`). The serde derives on the same types stay for the reference
//! backend and the tests, which check that both produce the same JSON; Rust callers can
//! use [`ToJson`] to send a consent through a transport of their own.

use crate::prelude::*;

/// Something with a JSON form.
pub trait ToJson {
    /// Appends this value's JSON to `out`.
    fn write_json(&self, out: &mut String);

    /// This value as a JSON text.
    fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        out.push('"');
        for c in self.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    out.push_str("\\u00");
                    for nibble in [u32::from(c) >> 4, u32::from(c) & 0xf] {
                        out.push(char::from_digit(nibble, 16).unwrap_or('0'));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

impl ToJson for u64 {
    fn write_json(&self, out: &mut String) {
        push_decimal(out, *self);
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

/// Appends the decimal digits of `n`.
pub fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in digits.iter().skip(start) {
        out.push(char::from(d));
    }
}

/// Writes a JSON object field by field: `JsonObject::new(out).field("a", &1u64).end()`.
pub struct JsonObject<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> JsonObject<'a> {
    /// Opens an object on `out`.
    pub fn new(out: &'a mut String) -> Self {
        out.push('{');
        JsonObject { out, first: true }
    }

    /// Appends `"key":value`.
    pub fn field(mut self, key: &str, value: &(impl ToJson + ?Sized)) -> Self {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        key.write_json(self.out);
        self.out.push(':');
        value.write_json(self.out);
        self
    }

    /// Appends `"key":value` when `value` is `Some`, nothing otherwise.
    pub fn field_opt(self, key: &str, value: Option<&(impl ToJson + ?Sized)>) -> Self {
        match value {
            Some(v) => self.field(key, v),
            None => self,
        }
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_what_json_requires() {
        let s = "a\"b\\c\nd\u{1}\u{1f}é😀\u{7f}";
        let json = s.to_json();
        assert_eq!(serde_json::from_str::<String>(&json).ok().as_deref(), Some(s));
        assert_eq!(json, "\"a\\\"b\\\\c\\nd\\u0001\\u001fé😀\u{7f}\"");
    }

    #[test]
    fn decimals_cover_the_whole_range() {
        for n in [0u64, 7, 10, 99, 1_700_000_000_000, u64::MAX] {
            assert_eq!(n.to_json(), n.to_string());
        }
    }

    #[test]
    fn objects_and_arrays_nest() {
        let mut out = String::new();
        JsonObject::new(&mut out).field("a", &1u64).field("b", &vec!["x".to_string()]).field("c", "y").end();
        assert_eq!(out, r#"{"a":1,"b":["x"],"c":"y"}"#);
        let mut empty = String::new();
        JsonObject::new(&mut empty).end();
        assert_eq!(empty, "{}");
    }
}
