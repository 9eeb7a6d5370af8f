//! Copying a JS value into a [`HostValue`] within [`Limits`], structurally: own
//! enumerable keys only, no `instanceof`, getters that throw become an error.

use crate::prelude::*;

use crate::consent::{HostValue, Limits};
use crate::error::{BridgeError, ErrorCode};
use crate::sys;
use wasm_bindgen::{JsCast, JsValue};

struct Budget {
    limits: Limits,
    nodes: usize,
}

fn too_big(what: &str) -> BridgeError {
    BridgeError::new(
        ErrorCode::InvalidResult,
        format!("The host answer is {what}; the bridge refuses it unread. Report the host version if it persists."),
    )
}

/// Copies `value` into a [`HostValue`], refusing anything beyond `limits`.
pub fn to_host_value(value: &JsValue, limits: Limits) -> Result<HostValue, BridgeError> {
    copy(value, 0, &mut Budget { limits, nodes: 0 })
}

fn copy(value: &JsValue, depth: usize, budget: &mut Budget) -> Result<HostValue, BridgeError> {
    budget.nodes += 1;
    if budget.nodes > budget.limits.max_nodes {
        return Err(too_big("too large (too many values)"));
    }
    if value.is_undefined() {
        return Ok(HostValue::Undefined);
    }
    if value.is_null() {
        return Ok(HostValue::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(HostValue::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        return Ok(HostValue::Number(n));
    }
    if let Some(s) = value.dyn_ref::<js_sys::JsString>() {
        if s.length() as usize > budget.limits.max_string_len {
            return Err(too_big("too large (an overlong string)"));
        }
        return Ok(HostValue::String(String::from(s)));
    }
    if value.is_function() {
        return Ok(HostValue::Other("function"));
    }
    if !value.is_object() {
        return Ok(HostValue::Other(if value.is_symbol() { "symbol" } else { "bigint" }));
    }
    if depth >= budget.limits.max_depth {
        return Err(too_big("nested too deeply"));
    }
    let keys = sys::object_keys(value).map_err(|_| too_big("an object whose keys cannot be read"))?;
    if sys::is_array(value) {
        let mut items = Vec::new();
        for i in 0..keys.length() {
            let item = js_sys::Reflect::get_u32(value, i).map_err(|_| too_big("an array with a throwing element"))?;
            items.push(copy(&item, depth + 1, budget)?);
        }
        return Ok(HostValue::Array(items));
    }
    let mut entries = Vec::new();
    for key in keys.iter() {
        let Some(name) = key.as_string() else { continue };
        let item = js_sys::Reflect::get(value, &key).map_err(|_| too_big("an object with a throwing getter"))?;
        entries.push((name, copy(&item, depth + 1, budget)?));
    }
    // Errors thrown by hosts keep `message`, `code` and `name` off the enumerable keys.
    for hidden in ["message", "code", "name"] {
        if entries.iter().all(|(k, _)| k != hidden) {
            let item = sys::get(value, hidden);
            if item.is_string() {
                entries.push((hidden.to_owned(), copy(&item, depth + 1, budget)?));
            }
        }
    }
    Ok(HostValue::Object(entries))
}
