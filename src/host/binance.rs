//! The Binance (`bn`) adapter: which host API yields each data token.

use crate::consent::DataKind;
use crate::sys;
use wasm_bindgen::JsValue;

/// The host API that provides `kind`. Open id is `getOpenId`; newer SDKs (jssdk ≥ 4.7)
/// have only the promise-style `getUserOpenid`, used when `getOpenId` is missing.
pub(super) fn data_api(host: Option<&JsValue>, kind: DataKind) -> &'static str {
    let has = |api: &str| host.is_some_and(|h| sys::method(h, api).is_some());
    match kind {
        DataKind::OpenId if host.is_some() && !has("getOpenId") && has("getUserOpenid") => "getUserOpenid",
        other => other.host_api(),
    }
}
