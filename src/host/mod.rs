//! The host layer: finding the host object and its platform, the host API and options
//! object for each ask (one adapter module per platform), calling it gesture-safely, and
//! copying answers out of JS within bounds.
//!
//! Adding a platform: one adapter module here (its API names and options), one
//! [`Platform`] variant, and its answer parsing in the pure core.

mod alipay;
mod binance;
mod call;
mod convert;
mod wechat;

pub(crate) use call::{HostCall, RawSettlement};
pub(crate) use convert::to_host_value;

use crate::prelude::*;

use crate::consent::{Ask, Platform};
use crate::error::{BridgeError, ErrorCode};
use crate::sys;
use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

/// The global host object of each platform, when the runtime defines it.
fn globals() -> [(Platform, Option<JsValue>); 3] {
    // Only objects count (a `bn = 0` is no host). `wx` comes last: when one object is
    // several globals (a `wx = my` shim), `bn` or `my` names it.
    let object = |v: Option<JsValue>| v.filter(JsValue::is_object);
    [
        (Platform::Binance, object(sys::BN.with(|v| v.clone()).map(JsValue::from))),
        (Platform::Alipay, object(sys::MY.with(|v| v.clone()).map(JsValue::from))),
        (Platform::Wechat, object(sys::WX.with(|v| v.clone()).map(JsValue::from))),
    ]
}

/// The host object and platform to use. A named platform wins; an injected host that is
/// one of the globals takes its platform; another injected host (a mock, a proxy) keeps
/// the behaviour it had before platforms were named (`None`: Binance shapes, Alipay's
/// profile and auth code). Without either, the globals decide: `bn` or `my` names its
/// platform even beside a `wx` (WeChat's runtime defines neither, while Binance and Alipay
/// builds of WeChat-style frameworks such as Taro and uni-app carry a `wx` shim); `wx`
/// alone is WeChat; `bn` and `my` together are `INVALID_CONFIG` (never a guess); no global
/// leaves the bridge without a host, reported as `HOST_UNAVAILABLE` when a flow runs.
pub(crate) fn resolve(
    host: Option<JsValue>,
    platform: Option<Platform>,
) -> Result<(Option<JsValue>, Option<Platform>), BridgeError> {
    let globals = globals();
    if let Some(host) = host {
        let known = globals.iter().find(|(_, g)| g.as_ref().is_some_and(|g| Object::is(g, &host)));
        return Ok((Some(host), platform.or(known.map(|(p, _)| *p))));
    }
    if let Some(platform) = platform {
        let host = globals.into_iter().find(|(p, _)| *p == platform).and_then(|(_, g)| g);
        return Ok((host, Some(platform)));
    }
    let [binance, alipay, wechat] = globals;
    match (binance, alipay) {
        ((_, Some(_)), (_, Some(_))) => Err(BridgeError::invalid_config(
            "This runtime defines both bn and my; pass options.platform (\"binance\" or \"alipay\") so the bridge does not guess.",
        )),
        ((p, Some(host)), _) | (_, (p, Some(host))) => Ok((Some(host), Some(p))),
        _ => Ok((wechat.1.clone(), wechat.1.map(|_| wechat.0))),
    }
}

/// The host API to call for `ask` on `platform` and its options object (callbacks are
/// added by [`HostCall::start`]), or a typed error when the platform has no such API.
pub(crate) fn request_for(
    platform: Option<Platform>,
    host: Option<&JsValue>,
    ask: &Ask,
) -> Result<(&'static str, Object), BridgeError> {
    match platform {
        Some(Platform::Wechat) => wechat::request(ask),
        Some(Platform::Binance) => binance::request(host, ask),
        Some(Platform::Alipay) => alipay::request(ask),
        // A host without a named platform: every API the bridge knew before platforms
        // were named, with Binance's subscription options.
        None => match ask {
            Ask::Profile | Ask::AuthCode(_) => alipay::request(ask),
            _ => binance::request(host, ask),
        },
    }
}

/// `HOST_UNAVAILABLE` for an API the platform does not have; `message` names the
/// platform and says what to use instead.
pub(crate) fn unsupported(message: &'static str) -> BridgeError {
    BridgeError::new(ErrorCode::HostUnavailable, message)
}

/// Host options carrying one list of strings, e.g. `{tmplIds: [...]}` or `{scopes: [...]}`.
fn list_options(key: &str, items: &[String]) -> Object {
    let options = Object::new();
    let list: Array = items.iter().map(|s| JsValue::from_str(s)).collect();
    sys::set(&options, key, &list);
    options
}
