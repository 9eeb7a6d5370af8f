//! A small, bounded JSON parser into [`HostValue`], for JSON that arrives as a string
//! inside a host answer (Alipay's `getOpenUserInfo` `response`). Pure Rust, so it is
//! fuzzed natively, and it keeps serde_json and its float formatting out of the wasm.

use crate::prelude::*;

use super::value::{HostValue, Limits};

/// Why a string is not acceptable JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON at all, or trailing data.
    Syntax,
    /// Beyond the [`Limits`] (depth, size or string length).
    TooLarge,
    /// An otherwise valid document repeats a key in an object. `JSON.parse` keeps the last
    /// one and this crate's readers the first, so the bridge and the backend could disagree.
    DuplicateKey,
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    nodes: usize,
    limits: Limits,
    /// A repeated key was seen; reported only if the rest of the document is valid JSON.
    duplicate: bool,
}

/// Parses `text` as one JSON value within `limits`.
pub fn parse_json(text: &str, limits: Limits) -> Result<HostValue, JsonError> {
    let mut p = Parser { bytes: text.as_bytes(), pos: 0, nodes: 0, limits, duplicate: false };
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos != p.bytes.len() {
        Err(JsonError::Syntax)
    } else if p.duplicate {
        Err(JsonError::DuplicateKey)
    } else {
        Ok(value)
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, literal: &[u8]) -> Result<(), JsonError> {
        if self.bytes.get(self.pos..self.pos + literal.len()) == Some(literal) {
            self.pos += literal.len();
            Ok(())
        } else {
            Err(JsonError::Syntax)
        }
    }

    fn value(&mut self, depth: usize) -> Result<HostValue, JsonError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes || depth > self.limits.max_depth {
            return Err(JsonError::TooLarge);
        }
        self.skip_ws();
        match self.peek().ok_or(JsonError::Syntax)? {
            b'n' => self.eat(b"null").map(|()| HostValue::Null),
            b't' => self.eat(b"true").map(|()| HostValue::Bool(true)),
            b'f' => self.eat(b"false").map(|()| HostValue::Bool(false)),
            b'"' => self.string().map(HostValue::String),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(HostValue::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(HostValue::Array(items));
                        }
                        _ => return Err(JsonError::Syntax),
                    }
                }
            }
            b'{' => {
                self.pos += 1;
                let mut entries = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(HostValue::Object(entries));
                }
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return Err(JsonError::Syntax);
                    }
                    let key = self.string()?;
                    if entries.iter().any(|(k, _)| *k == key) {
                        self.duplicate = true;
                    }
                    self.skip_ws();
                    self.eat(b":")?;
                    let value = self.value(depth + 1)?;
                    entries.push((key, value));
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(HostValue::Object(entries));
                        }
                        _ => return Err(JsonError::Syntax),
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(JsonError::Syntax),
        }
    }

    /// A number, validated to the JSON grammar. Its value is exact for integers up to
    /// 2^53 and close for the rest: hosts put codes here, never tokens, and `str::parse`
    /// for f64 would add tens of KB of float parsing to the wasm.
    fn number(&mut self) -> Result<HostValue, JsonError> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let mut value = 0.0_f64;
        // Powers of ten still to apply to `value`.
        let mut scale = 0_i32;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                let (v, _, dropped) = self.digits(value);
                value = v;
                scale = dropped;
            }
            _ => return Err(JsonError::Syntax),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(JsonError::Syntax);
            }
            let (v, taken, _) = self.digits(value);
            value = v;
            scale = scale.saturating_sub(taken);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            let sign = match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    -1
                }
                Some(b'+') => {
                    self.pos += 1;
                    1
                }
                _ => 1,
            };
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(JsonError::Syntax);
            }
            let mut exponent = 0_i32;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                exponent = exponent.saturating_mul(10).saturating_add(i32::from(d - b'0')).min(100_000);
                self.pos += 1;
            }
            scale = scale.saturating_add(sign * exponent);
        }
        // Applied in steps so that neither 10^scale nor an intermediate overflows early
        // (2.2e-308 is 22...e-324: 10^324 alone would be infinite).
        let mut magnitude = value;
        while scale != 0 && magnitude != 0.0 && magnitude.is_finite() {
            let step = scale.clamp(-300, 300);
            magnitude = if step > 0 { magnitude * pow10(step) } else { magnitude / pow10(-step) };
            scale -= step;
        }
        Ok(HostValue::Number(if negative { -magnitude } else { magnitude }))
    }

    /// Consumes digits, accumulating them onto `value` while it stays well inside f64
    /// range; returns the value, how many digits were accumulated and how many were not.
    fn digits(&mut self, mut value: f64) -> (f64, i32, i32) {
        let (mut taken, mut dropped) = (0_i32, 0_i32);
        while let Some(d @ b'0'..=b'9') = self.peek() {
            if value < 1e290 {
                value = value * 10.0 + f64::from(d - b'0');
                taken = taken.saturating_add(1);
            } else {
                dropped = dropped.saturating_add(1);
            }
            self.pos += 1;
        }
        (value, taken, dropped)
    }

    /// Exactly four hex digits (`from_str_radix` alone would also take a sign).
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let hex = self.bytes.get(self.pos..self.pos + 4).ok_or(JsonError::Syntax)?;
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return Err(JsonError::Syntax);
        }
        let text = core::str::from_utf8(hex).map_err(|_| JsonError::Syntax)?;
        let value = u32::from_str_radix(text, 16).map_err(|_| JsonError::Syntax)?;
        self.pos += 4;
        Ok(value)
    }

    /// The code point of a `\u` escape (after the `u`), joining a surrogate pair; a lone
    /// surrogate becomes U+FFFD and the escape after it is read on its own.
    fn unicode_escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let mut unit = self.hex4()?;
        loop {
            if !(0xD800..0xDC00).contains(&unit) || self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
                return Ok(());
            }
            self.pos += 2;
            let next = self.hex4()?;
            if (0xDC00..0xE000).contains(&next) {
                out.push(char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (next - 0xDC00)).unwrap_or('\u{FFFD}'));
                return Ok(());
            }
            out.push('\u{FFFD}');
            unit = next;
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            if out.len() > self.limits.max_string_len {
                return Err(JsonError::TooLarge);
            }
            let start = self.pos;
            while !matches!(self.peek(), Some(b'"' | b'\\') | None) {
                if self.peek().is_some_and(|b| b < 0x20) {
                    return Err(JsonError::Syntax);
                }
                self.pos += 1;
            }
            let run = self.bytes.get(start..self.pos).unwrap_or_default();
            out.push_str(core::str::from_utf8(run).map_err(|_| JsonError::Syntax)?);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return if out.len() > self.limits.max_string_len { Err(JsonError::TooLarge) } else { Ok(out) };
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = self.peek().ok_or(JsonError::Syntax)?;
                    self.pos += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => self.unicode_escape(&mut out)?,
                        _ => return Err(JsonError::Syntax),
                    }
                }
                _ => return Err(JsonError::Syntax),
            }
        }
    }
}

/// `10^exp` for `0 <= exp <= 300` by squaring, as `f64::powi` computes it (which is
/// std-only): the same steps, so the same rounding.
fn pow10(mut exp: i32) -> f64 {
    let (mut base, mut result) = (10f64, 1f64);
    loop {
        if exp & 1 == 1 {
            result *= base;
        }
        exp /= 2;
        if exp == 0 {
            return result;
        }
        base *= base;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<HostValue, JsonError> {
        parse_json(text, Limits::default())
    }

    #[test]
    fn parses_what_serde_json_parses() {
        for text in [
            r#"{"response":{"code":"10000","msg":"Success","nickName":"小明 😀","avatar":"https://a/b.png","gender":""}}"#,
            r#"[1, -2.5e3, 0, true, false, null, "a\"b\\c\/\n\u00e9\ud83d\ude00"]"#,
            "  {}  ",
            "[]",
            "\"\"",
        ] {
            let ours = p(text);
            let theirs: Result<serde_json::Value, _> = serde_json::from_str(text);
            assert!(ours.is_ok() && theirs.is_ok(), "{text}");
        }
        assert_eq!(p(r#""\ud83d\ude00""#), Ok(HostValue::String("😀".into())));
        assert_eq!(p(r#""\ud800\ud83d\ude00x""#), Ok(HostValue::String("\u{FFFD}😀x".into())));
        assert_eq!(p(r#""\udc00""#), Ok(HostValue::String("\u{FFFD}".into())));
        assert_eq!(p("-0.5"), Ok(HostValue::Number(-0.5)));
        assert_eq!(p("10000"), Ok(HostValue::Number(10000.0)));
        assert_eq!(p("9007199254740991"), Ok(HostValue::Number(9007199254740991.0)));
        assert_eq!(p("1.5e3"), Ok(HostValue::Number(1500.0)));
        assert_eq!(p("-2E-2"), Ok(HostValue::Number(-0.02)));
        assert_eq!(p("0"), Ok(HostValue::Number(0.0)));
        assert!(matches!(p("2.2e-308"), Ok(HostValue::Number(n)) if ((n - 2.2e-308) / 2.2e-308).abs() < 1e-12));
        assert!(
            matches!(p("2.2010558077689465e-308"), Ok(HostValue::Number(n)) if (n - 2.2010558077689465e-308).abs() < 1e-320)
        );
        assert!(
            matches!(p(&format!("1{}.5e-400", "0".repeat(400))), Ok(HostValue::Number(n)) if (n - 1.0).abs() < 1e-9)
        );
        assert_eq!(p("1e400"), Ok(HostValue::Number(f64::INFINITY)));
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for text in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            "nul",
            "\"a\nb\"",
            "{'a':1}",
            "[1] 2",
            "\"\\x\"",
            "{\"a\" 1}",
            "NaN",
            r#""\u+041""#,
            r#""\u004""#,
        ] {
            assert_eq!(p(text), Err(JsonError::Syntax), "{text:?}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn refuses_duplicate_keys() {
        assert_eq!(p(r#"{"code":"10000","code":"40003"}"#), Err(JsonError::DuplicateKey));
        assert_eq!(p(r#"{"a":1,"a",2}"#), Err(JsonError::Syntax), "a syntax error wins over a duplicate");
        assert!(p(r#"{"a":{"code":1},"b":{"code":2}}"#).is_ok());
    }

    #[test]
    fn enforces_limits() {
        let deep = format!("{}{}", "[".repeat(20), "]".repeat(20));
        assert_eq!(p(&deep), Err(JsonError::TooLarge));
        let long = format!("\"{}\"", "x".repeat(20_000));
        assert_eq!(p(&long), Err(JsonError::TooLarge));
        let wide = format!("[{}0]", "0,".repeat(2_000));
        assert_eq!(p(&wide), Err(JsonError::TooLarge));
    }
}
