//! The default wire format to the merchant backend: request bodies shared with the
//! reference backend (serde there; hand-written JSON in the wasm, checked against serde by
//! the tests below).

use crate::json_write::{JsonObject, ToJson};
use crate::prelude::*;
use serde::{Deserialize, Serialize};

/// Default route for phone-number data tokens.
pub const ROUTE_PHONE_NUMBER: &str = "/consent/phone-number";
/// Default route for open-id data tokens.
pub const ROUTE_OPEN_ID: &str = "/consent/open-id";
/// Default route for email data tokens.
pub const ROUTE_EMAIL: &str = "/consent/email";
/// Default route for push tokens of accepted subscriptions.
pub const ROUTE_SUBSCRIPTIONS: &str = "/consent/subscriptions";
/// Default route for the validated Alipay profile.
pub const ROUTE_USER_INFO: &str = "/consent/user-info";
/// Default route for Alipay auth codes.
pub const ROUTE_AUTH_CODE: &str = "/consent/auth-code";

/// Name of the header that carries the per-consent idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// Body of `POST /consent/phone-number`, `/consent/open-id` and `/consent/email`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataTokenBody {
    /// The Binance `data_token`.
    pub data_token: String,
    /// When the host handed it over, ms since the Unix epoch.
    pub obtained_at: u64,
}

/// One accepted template in [`SubscriptionsBody`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionItem {
    /// The template id.
    pub template_id: String,
    /// Its single-use push token.
    pub push_token: String,
}

/// Body of `POST /consent/subscriptions`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionsBody {
    /// The accepted templates and their push tokens.
    pub subscriptions: Vec<SubscriptionItem>,
}

/// Body of `POST /consent/auth-code`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthCodeBody {
    /// The single-use Alipay auth code.
    pub auth_code: String,
    /// The scopes it was granted for.
    pub scopes: Vec<String>,
}

impl ToJson for DataTokenBody {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out).field("dataToken", &self.data_token).field("obtainedAt", &self.obtained_at).end();
    }
}

impl ToJson for SubscriptionItem {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out).field("templateId", &self.template_id).field("pushToken", &self.push_token).end();
    }
}

impl ToJson for SubscriptionsBody {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out).field("subscriptions", &self.subscriptions).end();
    }
}

impl ToJson for AuthCodeBody {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out).field("authCode", &self.auth_code).field("scopes", &self.scopes).end();
    }
}

macro_rules! redacted_debug {
    ($($ty:ident { $($field:ident),* } secret $secret:ident;)*) => {$(
        impl core::fmt::Debug for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($field), &self.$field))*
                    .field(stringify!($secret), &"<redacted>")
                    .finish()
            }
        }
    )*};
}

redacted_debug! {
    DataTokenBody { obtained_at } secret data_token;
    SubscriptionItem { template_id } secret push_token;
    AuthCodeBody { scopes } secret auth_code;
}

impl core::fmt::Debug for SubscriptionsBody {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SubscriptionsBody").field("subscriptions", &self.subscriptions).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wasm writes bodies by hand and the backend reads them with serde: each body
    /// must come back equal.
    #[test]
    fn hand_written_bodies_read_back_with_serde() {
        let data = DataTokenBody { data_token: "t\"\u{1}".into(), obtained_at: 1_700_000_000_000 };
        assert!(serde_json::from_str::<DataTokenBody>(&data.to_json()).ok() == Some(data));
        let subs = SubscriptionsBody {
            subscriptions: vec![SubscriptionItem { template_id: "a".into(), push_token: "p\\".into() }],
        };
        assert!(serde_json::from_str::<SubscriptionsBody>(&subs.to_json()).ok() == Some(subs));
        let auth = AuthCodeBody { auth_code: "c".into(), scopes: vec!["auth_user".into(), "é".into()] };
        assert!(serde_json::from_str::<AuthCodeBody>(&auth.to_json()).ok() == Some(auth));
    }
}
