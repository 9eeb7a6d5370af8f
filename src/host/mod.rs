//! The host layer: finding the host object, calling its APIs gesture-safely, and copying
//! answers out of JS.

mod call;
mod convert;

pub use call::{HostCall, RawSettlement};
pub use convert::to_host_value;

use crate::sys;
use wasm_bindgen::JsValue;

/// The host object to use when none is injected: `bn` if defined, else `my`. Never throws.
pub fn detect() -> Option<JsValue> {
    let bn = sys::BN.with(|v| v.clone());
    let my = sys::MY.with(|v| v.clone());
    bn.or(my).map(JsValue::from)
}
