//! The Binance (`bn`) adapter: which host API yields each data token, subscriptions with
//! `{tmplIds}`, and `bn.login`.

use crate::consent::{Ask, DataKind};
use crate::error::BridgeError;
use crate::sys;
use js_sys::Object;
use wasm_bindgen::JsValue;

/// Names of the open-id call, in order of preference: `getOpenId` (the original docs),
/// `getUserOpenId` (the current docs, success `res.code`) and the promise-style
/// `getUserOpenid` of jssdk ≥ 4.7 (`{openId?, token}`).
const OPEN_ID_APIS: [&str; 3] = ["getOpenId", "getUserOpenId", "getUserOpenid"];

/// The host API that provides `kind`: for the open id, the first of [`OPEN_ID_APIS`] the
/// host has (`getOpenId` when it has none, so the error names the documented call).
fn data_api(host: Option<&JsValue>, kind: DataKind) -> &'static str {
    let has = |api: &str| host.is_some_and(|h| sys::method(h, api).is_some());
    match kind {
        DataKind::OpenId => OPEN_ID_APIS.into_iter().find(|api| has(api)).unwrap_or("getOpenId"),
        other => other.host_api(),
    }
}

/// The `bn` API and options for `ask`.
pub(super) fn request(host: Option<&JsValue>, ask: &Ask) -> Result<(&'static str, Object), BridgeError> {
    Ok(match ask {
        Ask::Data(kind) => (data_api(host, *kind), Object::new()),
        Ask::Subscribe(ids) => ("requestSubscribeMessage", super::list_options("tmplIds", ids)),
        Ask::Login => ("login", Object::new()),
        Ask::Profile | Ask::AuthCode(_) => {
            return Err(super::unsupported(
                "binance has no profile or auth-code call: use askOpenId(), askLoginCode() or the data buttons.",
            ))
        }
    })
}
