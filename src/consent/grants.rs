//! The consents platforms added beside Binance's tokens: subscription templates accepted
//! without a token (WeChat, Alipay) and login codes (`wx.login`, `bn.login`).

use crate::prelude::*;

use super::{Platform, RejectReason, Rejection, Token};
use serde::Serialize;

/// How long a login code is treated as valid: 5 minutes, single use. WeChat documents
/// both (`wx.login`); Binance documents no lifetime for `bn.login`, so the same 5 minutes
/// is assumed.
pub const LOGIN_CODE_LIFETIME_MS: u64 = 5 * 60 * 1000;

/// The outcome of a WeChat or Alipay subscription request: the accepted template ids (the
/// platform hands the page no token; the server later sends by the user's id) and the
/// rest with why. Partial or total refusal is not an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionGrants {
    /// `wechat` or `alipay`.
    pub platform: Platform,
    /// Accepted template ids, in request order.
    pub accepted: Vec<String>,
    /// Templates not accepted, in request order.
    pub rejected: Vec<Rejection>,
    /// When the host answered, ms since the Unix epoch.
    pub obtained_at: u64,
}

/// A validated login code: single use; the backend exchanges it (WeChat `code2Session`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginCodeConsent {
    /// Which platform issued it.
    pub platform: Platform,
    /// The code, secret.
    #[serde(serialize_with = "super::expose_token")]
    pub login_code: Token,
    /// When the host handed it over, ms since the Unix epoch.
    pub obtained_at: u64,
    /// When it is treated as expired (`obtained_at` + 5 minutes).
    pub expires_at: u64,
}

impl LoginCodeConsent {
    /// A login code from `platform` obtained at `obtained_at`; treated as expired 5
    /// minutes later.
    pub fn new(platform: Platform, login_code: Token, obtained_at: u64) -> Self {
        LoginCodeConsent {
            platform,
            login_code,
            obtained_at,
            expires_at: obtained_at.saturating_add(LOGIN_CODE_LIFETIME_MS),
        }
    }
}

impl SubscriptionGrants {
    /// The verdict on each asked id, in asked order (one loop for every platform).
    pub(super) fn collect(
        platform: Platform,
        ids: &[String],
        obtained_at: u64,
        verdict: &dyn Fn(&str) -> Result<(), RejectReason>,
    ) -> Self {
        let mut grants = SubscriptionGrants { platform, accepted: Vec::new(), rejected: Vec::new(), obtained_at };
        for id in ids {
            match verdict(id) {
                Ok(()) => grants.accepted.push(id.clone()),
                Err(reason) => grants.rejected.push(Rejection { template_id: id.clone(), reason }),
            }
        }
        grants
    }
}
