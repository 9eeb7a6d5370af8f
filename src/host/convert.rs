//! Copying a JS value into a [`HostValue`] within [`Limits`], structurally: own
//! enumerable keys only, no `instanceof`, getters that throw become an error.

use crate::prelude::*;

use crate::consent::{HostValue, Limits};
use crate::error::{BridgeError, ErrorCode};
use crate::sys::{self, Refused};
use wasm_bindgen::JsValue;

struct Budget {
    limits: Limits,
    nodes: usize,
    /// UTF-16 units copied so far, strings and keys together: at most four strings' worth.
    units: usize,
}

impl Budget {
    /// The room left for the next string: its own limit, or what the total allows.
    fn room(&self) -> usize {
        let total = self.limits.max_string_len.saturating_mul(4);
        self.limits.max_string_len.min(total.saturating_sub(self.units))
    }

    fn spend(&mut self, text: &str) {
        self.units = self.units.saturating_add(text.len());
    }
}

fn too_big(what: &str) -> BridgeError {
    BridgeError::new(
        ErrorCode::InvalidResult,
        format!("The host answer is {what}; the bridge refuses it unread. Report the host version if it persists."),
    )
}

/// Copies `value` into a [`HostValue`], refusing anything beyond `limits`.
pub(crate) fn to_host_value(value: &JsValue, limits: Limits) -> Result<HostValue, BridgeError> {
    copy(value, 0, &mut Budget { limits, nodes: 0, units: 0 })
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
    if value.is_string() {
        return match sys::string_within(value, budget.room()) {
            Ok(s) => {
                budget.spend(&s);
                Ok(HostValue::String(s))
            }
            // Kept as a non-string, so a token field holding one is refused, never altered.
            Err(Refused::LoneSurrogate) => Ok(HostValue::Other("string with a lone surrogate")),
            Err(_) => Err(too_big("too large (an overlong string)")),
        };
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
        // Keys are bounded before they are copied, like values.
        let name = match sys::string_within(&key, budget.room()) {
            Ok(name) => {
                budget.spend(&name);
                name
            }
            Err(Refused::NotString) => continue,
            Err(_) => return Err(too_big("too large (an overlong or malformed key)")),
        };
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
