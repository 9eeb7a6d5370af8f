//! The host layer: finding the host object, the host API and options object for each
//! ask (one adapter per platform), calling it gesture-safely, and copying answers out of
//! JS within bounds.

mod alipay;
mod binance;
mod call;
mod convert;

pub(crate) use call::{HostCall, RawSettlement};
pub(crate) use convert::to_host_value;

use crate::prelude::*;

use crate::consent::Ask;
use crate::sys;
use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

/// The host object to use when none is injected: `bn` if defined, else `my`. Never throws.
pub(crate) fn detect() -> Option<JsValue> {
    let bn = sys::BN.with(|v| v.clone());
    let my = sys::MY.with(|v| v.clone());
    bn.or(my).map(JsValue::from)
}

/// The host API to call for `ask` and its options object (callbacks are added by
/// [`HostCall::start`]).
pub(crate) fn request_for(host: Option<&JsValue>, ask: &Ask) -> (&'static str, Object) {
    match ask {
        Ask::Data(kind) => (binance::data_api(host, *kind), Object::new()),
        Ask::Subscribe(ids) => ("requestSubscribeMessage", list_options("tmplIds", ids)),
        Ask::Profile => (alipay::PROFILE_API, Object::new()),
        Ask::AuthCode(scopes) => (alipay::AUTH_CODE_API, list_options("scopes", scopes)),
    }
}

/// Host options carrying one list of strings, e.g. `{tmplIds: [...]}` or `{scopes: [...]}`.
fn list_options(key: &str, items: &[String]) -> Object {
    let options = Object::new();
    let list: Array = items.iter().map(|s| JsValue::from_str(s)).collect();
    sys::set(&options, key, &list);
    options
}
