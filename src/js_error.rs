//! A [`BridgeError`] becomes a real JS `Error` whose prototype is the exported
//! `BridgeError` class, so `err instanceof BridgeError`, `err instanceof Error`,
//! `err.code`, `err.details` and `err.stack` all work, without any JS snippet.

use crate::prelude::*;

use crate::error::BridgeError;
use crate::sys;
use core::cell::OnceCell;
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

/// The JS error class of this library. Instances are created by the bridge; each has a
/// stable `code`, a `message` that says what to do, and `details`.
#[wasm_bindgen(js_name = BridgeError, skip_typescript)]
pub struct BridgeErrorClass {
    _private: (),
}

#[cfg(feature = "std")]
std::thread_local! {
    static PROTOTYPE: OnceCell<Object> = const { OnceCell::new() };
}

/// Without std there is no `thread_local!`; that build refuses wasm threads (lib.rs), so
/// a plain static cell serves the one thread.
#[cfg(not(feature = "std"))]
struct SingleThreaded(OnceCell<Object>);

// SAFETY: only compiled without std, where lib.rs refuses the atomics target feature.
#[cfg(not(feature = "std"))]
unsafe impl Sync for SingleThreaded {}

#[cfg(not(feature = "std"))]
impl SingleThreaded {
    fn with<R>(&self, f: impl FnOnce(&OnceCell<Object>) -> R) -> R {
        f(&self.0)
    }
}

#[cfg(not(feature = "std"))]
static PROTOTYPE: SingleThreaded = SingleThreaded(OnceCell::new());

/// The `BridgeError.prototype` object, re-parented onto `Error.prototype` on first use.
fn prototype() -> Object {
    PROTOTYPE.with(|cell| {
        cell.get_or_init(|| {
            // An instance of the exported class carries the class prototype.
            let instance = JsValue::from(BridgeErrorClass { _private: () });
            let proto = Object::get_prototype_of(&instance);
            let error_proto = Object::get_prototype_of(&js_sys::Error::new(""));
            Object::set_prototype_of(&proto, &error_proto);
            sys::set(&proto, "name", &JsValue::from_str("BridgeError"));
            proto
        })
        .clone()
    })
}

fn set_opt(target: &Object, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        sys::set(target, key, &JsValue::from_str(v));
    }
}

/// The JS `Error` for `error`.
pub fn to_js(error: &BridgeError) -> JsValue {
    let js = js_sys::Error::new(error.message());
    Object::set_prototype_of(&js, &prototype());
    sys::set(&js, "code", &JsValue::from_str(error.code().as_str()));
    let details = Object::new();
    let d = error.details();
    set_opt(&details, "hostCode", &d.host_code);
    set_opt(&details, "hostMessage", &d.host_message);
    if let Some(status) = d.status {
        sys::set(&details, "status", &JsValue::from(status));
    }
    set_opt(&details, "backendCode", &d.backend_code);
    set_opt(&details, "backendMessage", &d.backend_message);
    if !d.scopes.is_empty() {
        let scopes: Array = d
            .scopes
            .iter()
            .map(|(scope, code)| {
                let item = Object::new();
                sys::set(&item, "scope", &JsValue::from_str(scope));
                sys::set(&item, "code", &JsValue::from_str(code));
                JsValue::from(item)
            })
            .collect();
        sys::set(&details, "scopes", &scopes);
    }
    sys::set(&js, "details", &details);
    js.into()
}

impl From<BridgeError> for JsValue {
    fn from(error: BridgeError) -> JsValue {
        to_js(&error)
    }
}
