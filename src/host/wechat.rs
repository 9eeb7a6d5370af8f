//! The WeChat (`wx`) adapter: subscriptions with `{tmplIds}` and `wx.login`. The phone
//! number comes only from its button (`phoneNumberFromEvent`); WeChat has no open-id,
//! email, profile or auth-code call of this kind.

use crate::consent::Ask;
use crate::error::BridgeError;
use js_sys::Object;

/// The `wx` API and options for `ask`.
pub(super) fn request(ask: &Ask) -> Result<(&'static str, Object), BridgeError> {
    Ok(match ask {
        Ask::Subscribe(ids) => ("requestSubscribeMessage", super::list_options("tmplIds", ids)),
        Ask::Login => ("login", Object::new()),
        Ask::Data(_) | Ask::Profile | Ask::AuthCode(_) => {
            return Err(super::unsupported(
                "wechat has no such call: the phone number comes only from <button open-type=\"getPhoneNumber\"> (phoneNumberFromEvent); use askLoginCode() for identity.",
            ))
        }
    })
}
