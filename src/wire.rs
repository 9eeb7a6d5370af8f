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
/// Default route for login codes (`wx.login`, `bn.login`).
pub const ROUTE_LOGIN_CODE: &str = "/consent/login-code";
/// Default route for accepted subscription templates that come without a token (WeChat,
/// Alipay): the server later sends by the user's id.
pub const ROUTE_SUBSCRIPTION_GRANTS: &str = "/consent/subscription-grants";

/// The platform a body came from. A body without one means what it meant before platforms
/// were named: Binance for data tokens and subscriptions, Alipay for auth codes and profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Binance (`bn`).
    Binance,
    /// Alipay / Alipay+ (`my`).
    Alipay,
    /// WeChat (`wx`).
    Wechat,
}

impl Platform {
    /// The platform called `name` on the wire and in options, if any.
    pub fn from_name(name: &str) -> Option<Platform> {
        [Platform::Binance, Platform::Alipay, Platform::Wechat].into_iter().find(|p| p.as_str() == name)
    }

    /// The wire name: `"binance"`, `"alipay"` or `"wechat"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::Binance => "binance",
            Platform::Alipay => "alipay",
            Platform::Wechat => "wechat",
        }
    }
}

impl ToJson for Platform {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

/// Name of the header that carries the per-consent idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// Body of `POST /consent/phone-number`, `/consent/open-id` and `/consent/email`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataTokenBody {
    /// The single-use token: Binance's `data_token`, or WeChat's phone-number `code`.
    pub data_token: String,
    /// When the host handed it over, ms since the Unix epoch.
    pub obtained_at: u64,
    /// `binance` (also when absent) or `wechat` (phone number only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

/// Body of `POST /consent/login-code`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginCodeBody {
    /// The single-use `code` from `wx.login()` / `bn.login()`.
    pub login_code: String,
    /// When the host handed it over, ms since the Unix epoch.
    pub obtained_at: u64,
    /// Which platform issued it (required: the route is new, there is no old meaning).
    pub platform: Platform,
}

/// Body of `POST /consent/subscription-grants`: the templates a user accepted where the
/// platform hands the page no token (WeChat, Alipay). The backend ties them to the user
/// through the caller's own session headers.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscriptionGrantsBody {
    /// `wechat` or `alipay` (required).
    pub platform: Platform,
    /// The accepted template ids (WeChat `tmplIds`, Alipay `entityIds`), in asked order.
    pub template_ids: Vec<String>,
    /// When the host answered, ms since the Unix epoch.
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
    /// `binance` (also when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

/// Body of `POST /consent/auth-code`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthCodeBody {
    /// The single-use Alipay auth code.
    pub auth_code: String,
    /// The scopes it was granted for.
    pub scopes: Vec<String>,
    /// `alipay` (also when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

impl ToJson for DataTokenBody {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("dataToken", &self.data_token)
            .field("obtainedAt", &self.obtained_at)
            .field_opt("platform", self.platform.as_ref())
            .end();
    }
}

impl ToJson for LoginCodeBody {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("loginCode", &self.login_code)
            .field("obtainedAt", &self.obtained_at)
            .field("platform", &self.platform)
            .end();
    }
}

impl ToJson for SubscriptionGrantsBody {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("platform", &self.platform)
            .field("templateIds", &self.template_ids)
            .field("obtainedAt", &self.obtained_at)
            .end();
    }
}

impl ToJson for SubscriptionItem {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out).field("templateId", &self.template_id).field("pushToken", &self.push_token).end();
    }
}

impl ToJson for SubscriptionsBody {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("subscriptions", &self.subscriptions)
            .field_opt("platform", self.platform.as_ref())
            .end();
    }
}

impl ToJson for AuthCodeBody {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("authCode", &self.auth_code)
            .field("scopes", &self.scopes)
            .field_opt("platform", self.platform.as_ref())
            .end();
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
    DataTokenBody { obtained_at, platform } secret data_token;
    LoginCodeBody { obtained_at, platform } secret login_code;
    SubscriptionItem { template_id } secret push_token;
    AuthCodeBody { scopes, platform } secret auth_code;
}

impl core::fmt::Debug for SubscriptionsBody {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SubscriptionsBody")
            .field("subscriptions", &self.subscriptions)
            .field("platform", &self.platform)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wasm writes bodies by hand and the backend reads them with serde: each body
    /// must come back equal.
    #[test]
    fn hand_written_bodies_read_back_with_serde() {
        for platform in [None, Some(Platform::Binance), Some(Platform::Wechat)] {
            let data = DataTokenBody { data_token: "t\"\u{1}".into(), obtained_at: 1_700_000_000_000, platform };
            assert!(serde_json::from_str::<DataTokenBody>(&data.to_json()).ok() == Some(data));
            let subs = SubscriptionsBody {
                subscriptions: vec![SubscriptionItem { template_id: "a".into(), push_token: "p\\".into() }],
                platform,
            };
            assert!(serde_json::from_str::<SubscriptionsBody>(&subs.to_json()).ok() == Some(subs));
            let auth = AuthCodeBody { auth_code: "c".into(), scopes: vec!["auth_user".into(), "é".into()], platform };
            assert!(serde_json::from_str::<AuthCodeBody>(&auth.to_json()).ok() == Some(auth));
        }
        for platform in [Platform::Binance, Platform::Alipay, Platform::Wechat] {
            let login = LoginCodeBody { login_code: "l\u{7f}".into(), obtained_at: 1, platform };
            assert!(serde_json::from_str::<LoginCodeBody>(&login.to_json()).ok() == Some(login));
            let grants =
                SubscriptionGrantsBody { platform, template_ids: vec!["x".into(), "y\"".into()], obtained_at: 2 };
            assert!(serde_json::from_str::<SubscriptionGrantsBody>(&grants.to_json()).ok() == Some(grants));
        }
    }

    /// A body without a platform reads as it always did; an unknown platform is refused.
    #[test]
    fn platform_is_optional_on_old_routes_and_required_on_new_ones() {
        let old = serde_json::from_str::<DataTokenBody>(r#"{"dataToken":"t","obtainedAt":1}"#);
        assert!(old.map(|b| b.platform).ok() == Some(None));
        assert!(
            serde_json::from_str::<DataTokenBody>(r#"{"dataToken":"t","obtainedAt":1,"platform":"douyin"}"#).is_err()
        );
        assert!(serde_json::from_str::<LoginCodeBody>(r#"{"loginCode":"c","obtainedAt":1}"#).is_err());
        let body = DataTokenBody { data_token: "t".into(), obtained_at: 1, platform: None };
        assert_eq!(body.to_json(), r#"{"dataToken":"t","obtainedAt":1}"#);
        let login = LoginCodeBody { login_code: "SECRET".into(), obtained_at: 1, platform: Platform::Wechat };
        assert!(!format!("{login:?}").contains("SECRET"));
    }
}
