//! The Alipay / Alipay+ (`my`) adapter: the profile, auth codes and subscriptions with
//! `{entityIds}`.

use crate::consent::Ask;
use crate::error::BridgeError;
use js_sys::Object;

/// The `my` API and options for `ask`.
pub(super) fn request(ask: &Ask) -> Result<(&'static str, Object), BridgeError> {
    Ok(match ask {
        // `my.getOpenUserInfo`: the member's public profile, as a JSON string.
        Ask::Profile => ("getOpenUserInfo", Object::new()),
        // `my.getAuthCode({scopes})`: a single-use auth code.
        Ask::AuthCode(scopes) => ("getAuthCode", super::list_options("scopes", scopes)),
        Ask::Subscribe(ids) => ("requestSubscribeMessage", super::list_options("entityIds", ids)),
        Ask::Data(_) | Ask::Login => {
            return Err(super::unsupported(
                "alipay has no data-token or login-code call: use askAuthCode() and let the backend exchange it.",
            ))
        }
    })
}
