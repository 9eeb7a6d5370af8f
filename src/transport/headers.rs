//! Custom headers from JS: a `{name: value}` object read strictly and bounded before any
//! copy, or a function called before each forward (a session token that changes).

use crate::prelude::*;

use crate::error::{BridgeError, ErrorCode};
use crate::forward::{validate_header, HeaderSource, LocalFuture, MAX_HEADER_NAME_LEN, MAX_HEADER_VALUE_LEN};
use crate::sys;
use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Most custom headers accepted.
const MAX_HEADERS: u32 = 64;

/// Reads and validates a headers object (`{name: value}` with string values); `source`
/// names it in errors.
pub fn headers_from_js(value: &JsValue, source: &str) -> Result<Vec<(String, String)>, BridgeError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let bad = || {
        BridgeError::new(
            ErrorCode::InvalidConfig,
            format!("{source} must be an object of at most 64 string header values (names up to 256 characters, values up to 8192)."),
        )
    };
    let keys = sys::object_keys(value).map_err(|_| bad())?;
    if !value.is_object() || sys::is_array(value) || keys.length() > MAX_HEADERS {
        return Err(bad());
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for key in keys.iter() {
        let name = sys::string_within(&key, MAX_HEADER_NAME_LEN).map_err(|_| bad())?;
        let header_value = sys::get_string(value, &name, MAX_HEADER_VALUE_LEN).map_err(|_| bad())?;
        validate_header(&name, &header_value)?;
        if headers.iter().any(|(seen, _)| seen.eq_ignore_ascii_case(&name)) {
            // fetch would join the two values ("a, b"), a malformed credential.
            return Err(BridgeError::new(
                ErrorCode::InvalidConfig,
                format!("{source} sets header {name} twice (header names ignore case); keep one."),
            ));
        }
        headers.push((name, header_value));
    }
    Ok(headers)
}

/// `options.headers` as a function, called before each forward; it may return an object
/// or a promise of one.
#[derive(Clone, Debug)]
pub struct DynamicHeaders(pub Function);

fn failed() -> BridgeError {
    BridgeError::new(
        ErrorCode::InvalidConfig,
        "options.headers() threw or rejected; it must return an object of string header values.",
    )
}

impl HeaderSource for DynamicHeaders {
    fn headers(&self) -> LocalFuture<Result<Vec<(String, String)>, BridgeError>> {
        let called = self.0.call0(&JsValue::NULL);
        Box::pin(async move {
            let mut value = called.map_err(|_| failed())?;
            if sys::method(&value, "then").is_some() {
                value = JsFuture::from(Promise::resolve(&value)).await.map_err(|_| failed())?;
            }
            headers_from_js(&value, "The object returned by options.headers()")
        })
    }
}
