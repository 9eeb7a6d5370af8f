//! Raw JS bindings, all in one place. Every call that can throw is `catch`; globals that
//! may be missing are optional statics, so nothing here throws when a runtime lacks them
//! (no `globalThis`, no `bn`, no `setTimeout`), and nothing uses `instanceof` or `eval`.

use crate::prelude::*;

use js_sys::{Array, Function, JsString, Object};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The Binance host object, when the runtime defines it.
    #[wasm_bindgen(thread_local_v2, js_name = bn)]
    pub static BN: Option<Object>;

    /// The Alipay / Alipay+ host object, when the runtime defines it.
    #[wasm_bindgen(thread_local_v2, js_name = my)]
    pub static MY: Option<Object>;

    /// The WeChat host object, when the runtime defines it.
    #[wasm_bindgen(thread_local_v2, js_name = wx)]
    pub static WX: Option<Object>;

    /// The global `fetch`, when the runtime has one.
    #[wasm_bindgen(thread_local_v2, js_name = fetch)]
    pub static FETCH: Option<Function>;

    /// The global `Headers` constructor: its presence is part of "this runtime has fetch".
    #[wasm_bindgen(thread_local_v2, js_name = Headers)]
    pub static HEADERS: Option<Function>;

    /// The global `Request` constructor.
    #[wasm_bindgen(thread_local_v2, js_name = Request)]
    pub static REQUEST: Option<Function>;

    /// The global `AbortController` constructor.
    #[wasm_bindgen(thread_local_v2, js_name = AbortController)]
    pub static ABORT_CONTROLLER: Option<Function>;

    /// The global `crypto`, for unpredictable idempotency keys.
    #[wasm_bindgen(thread_local_v2, js_name = crypto)]
    pub static CRYPTO: Option<Object>;

    /// `fetch(url, init)`; a missing `fetch` or a synchronous throw is an `Err`.
    #[wasm_bindgen(catch, js_name = fetch)]
    pub fn fetch(url: &str, init: &Object) -> Result<JsValue, JsValue>;

    /// `setTimeout(handler, ms)`; the id is a number in browsers and an object in Node.
    #[wasm_bindgen(catch, js_name = setTimeout)]
    pub fn set_timeout(handler: &JsValue, ms: f64) -> Result<JsValue, JsValue>;

    /// `clearTimeout(id)`.
    #[wasm_bindgen(catch, js_name = clearTimeout)]
    pub fn clear_timeout(id: &JsValue) -> Result<(), JsValue>;

    /// `Object.keys(value)`, which a Proxy can make throw.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    pub fn object_keys(value: &JsValue) -> Result<Array, JsValue>;

    /// `Array.isArray(value)`.
    #[wasm_bindgen(js_namespace = Array, js_name = isArray)]
    pub fn is_array(value: &JsValue) -> bool;
}

/// `Reflect.get(target, key)` that answers `undefined` for non-objects and on a throw.
pub fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() && !target.is_function() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `Reflect.set` on an object this crate created, where it cannot fail. Only for keys
/// this crate chooses: a key from outside may be `__proto__` (see [`define`]).
pub fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

/// Defines an own, enumerable data property, whatever the key: unlike an assignment, a
/// key named `__proto__` becomes a property instead of replacing the prototype.
pub fn define(target: &Object, key: &str, value: &JsValue) {
    let descriptor = Object::new();
    set(&descriptor, "value", value);
    for flag in ["enumerable", "writable", "configurable"] {
        set(&descriptor, flag, &JsValue::TRUE);
    }
    let _ = js_sys::Reflect::define_property(target, &JsValue::from_str(key), &descriptor);
}

/// Why a JS value was not copied as a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// It is not a string.
    NotString,
    /// It is longer than allowed: refused before any byte was copied.
    TooLong,
    /// It holds a lone surrogate, which the copy would silently turn into U+FFFD.
    LoneSurrogate,
}

/// Copies `value` into Rust only if it is a string of at most `max_units` UTF-16 code
/// units, checked on the JS side before the copy (a copy is what fills wasm memory), and
/// only if it is well-formed UTF-16, so nothing is altered on the way in.
pub fn string_within(value: &JsValue, max_units: usize) -> Result<String, Refused> {
    let js = value.dyn_ref::<JsString>().ok_or(Refused::NotString)?;
    if js.length() as usize > max_units {
        return Err(Refused::TooLong);
    }
    let copy = String::from(js);
    if copy.chars().any(|c| c == '\u{FFFD}') && !js.is_valid_utf16() {
        return Err(Refused::LoneSurrogate);
    }
    Ok(copy)
}

/// [`string_within`] of `target[key]`.
pub fn get_string(target: &JsValue, key: &str, max_units: usize) -> Result<String, Refused> {
    string_within(&get(target, key), max_units)
}

/// The function at `target[key]`, if it is one.
pub fn method(target: &JsValue, key: &str) -> Option<Function> {
    get(target, key).dyn_into::<Function>().ok()
}

/// Whether `fetch` and everything the fetch transport builds on exist.
pub fn has_fetch() -> bool {
    FETCH.with(Option::is_some)
        && HEADERS.with(Option::is_some)
        && REQUEST.with(Option::is_some)
        && ABORT_CONTROLLER.with(Option::is_some)
}

/// Fills `bytes` from `crypto.getRandomValues`, or `Math.random` where there is no crypto.
pub fn random_bytes(bytes: &mut [u8]) {
    let filled = CRYPTO.with(|crypto| {
        let crypto = crypto.as_ref()?;
        let view = js_sys::Uint8Array::new_with_length(bytes.len() as u32);
        method(crypto, "getRandomValues")?.call1(crypto, &view).ok()?;
        view.copy_to(bytes);
        Some(())
    });
    if filled.is_none() {
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    let now = js_sys::Date::now();
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}
