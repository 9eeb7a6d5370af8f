//! The pure consent core: typed results, validation of host answers, token lifetimes.
//!
//! Nothing here knows about JS. The host layer copies each host answer into a
//! [`HostValue`] and hands it here together with how it arrived ([`Settlement`]).

mod alipay;
mod alipay_subscribe;
mod binance;
mod failure;
mod grants;
mod json;
mod to_json;
mod token;
mod value;
mod wechat;

pub use crate::wire::Platform;
pub use alipay::{
    auth_code, authorize_event, open_user_info, validate_profile, validate_scopes, AuthCodeConsent, UserProfile,
    AUTH_CODE_LIFETIME_MS, CANCEL_CODES,
};
pub use alipay_subscribe::{alipay_grants, ALIPAY_MAX_TEMPLATES};
pub use binance::login_code;
pub use binance::{
    data_consent, data_consent_from_button, data_consent_from_event, subscribe_outcome, validate_template_ids,
    DEFAULT_MAX_TEMPLATES, MAX_TEMPLATE_ID_LEN,
};
pub use failure::{failure_error, is_failure_message};
pub use grants::{LoginCodeConsent, SubscriptionGrants, LOGIN_CODE_LIFETIME_MS};
pub use json::{parse_json, JsonError};
pub use token::{Token, MAX_TOKEN_LEN};
pub use value::{HostValue, Limits};
pub use wechat::{wechat_grants, wechat_phone_from_event, WECHAT_MAX_TEMPLATES, WECHAT_PHONE_CODE_LIFETIME_MS};

use crate::prelude::*;
use serde::Serialize;

/// How long a Binance data token (phone number, open id, email) stays valid: 2 minutes.
pub const DATA_TOKEN_LIFETIME_MS: u64 = 2 * 60 * 1000;
/// How long a Binance push token stays valid: 7 days (and it is single use).
pub const PUSH_TOKEN_LIFETIME_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// How a host call ended, as the host layer observed it.
#[derive(Clone, Debug, PartialEq)]
pub enum Settlement {
    /// `success` was called or the returned promise fulfilled (or only `complete` came).
    Success(HostValue),
    /// `fail` was called, the returned promise rejected, or the call threw synchronously.
    Failure(HostValue),
    /// Nothing arrived within the host timeout.
    Timeout,
}

/// Which Binance open-data token a consent carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DataKind {
    /// `bn.getPhoneNumber` or the `getPhoneNumber` button.
    PhoneNumber,
    /// `bn.getOpenId` / `bn.getUserOpenid`.
    OpenId,
    /// `bn.getEmailAddress`.
    Email,
}

impl DataKind {
    /// The name used in JS results and on the wire (`"phoneNumber"`, `"openId"`, `"email"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            DataKind::PhoneNumber => "phoneNumber",
            DataKind::OpenId => "openId",
            DataKind::Email => "email",
        }
    }

    /// The host API that produces it, for messages.
    pub const fn host_api(self) -> &'static str {
        match self {
            DataKind::PhoneNumber => "getPhoneNumber",
            DataKind::OpenId => "getOpenId",
            DataKind::Email => "getEmailAddress",
        }
    }
}

/// A validated data token and its lifetime (times in ms since the Unix epoch): a Binance
/// `data_token`, or a WeChat phone-number `code`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataConsent {
    /// Which data the token unlocks.
    pub kind: DataKind,
    /// Which platform issued it (`binance`, or `wechat` for a phone-number code).
    pub platform: Platform,
    /// The `data_token`, secret.
    #[serde(serialize_with = "expose_token")]
    pub token: Token,
    /// When the host handed it over.
    pub obtained_at: u64,
    /// When it stops being valid (Binance: `obtained_at` + 2 minutes; WeChat: + 5).
    pub expires_at: u64,
}

/// A validated push token for one accepted subscription template.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushConsent {
    /// The template the user accepted.
    pub template_id: String,
    /// The single-use push token, secret.
    #[serde(serialize_with = "expose_token")]
    pub push_token: Token,
    /// When the host handed it over.
    pub obtained_at: u64,
    /// When it stops being valid (`obtained_at` + 7 days).
    pub expires_at: u64,
}

/// Why a requested template did not yield a push token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RejectReason {
    /// The user rejected it (`type: "reject"`).
    Reject,
    /// The platform banned the template (`"ban"`).
    Ban,
    /// The platform filtered the template (`"filter"`).
    Filter,
    /// Accepted, but no usable token came with it.
    NoToken,
    /// Accepted with a token that is malformed (wrong type, control characters, too long).
    InvalidToken,
    /// The host said nothing about this template.
    Missing,
    /// The host answered a type this library does not know.
    UnknownType,
}

/// A template that yielded no push token, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejection {
    /// The template id as requested.
    pub template_id: String,
    /// Why it was not accepted.
    pub reason: RejectReason,
}

/// The outcome of a subscription request: partial or total refusal is not an error.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SubscribeOutcome {
    /// Templates accepted with a valid push token, in request order.
    pub accepted: Vec<PushConsent>,
    /// Templates not accepted, in request order.
    pub rejected: Vec<Rejection>,
}

impl DataConsent {
    /// A Binance data consent obtained at `obtained_at`; it expires 2 minutes later.
    pub fn new(kind: DataKind, token: Token, obtained_at: u64) -> Self {
        DataConsent::on(Platform::Binance, kind, token, obtained_at)
    }

    /// A data consent from `platform`: WeChat's phone-number code lives 5 minutes, every
    /// other data token 2.
    pub fn on(platform: Platform, kind: DataKind, token: Token, obtained_at: u64) -> Self {
        let life = match platform {
            Platform::Wechat => WECHAT_PHONE_CODE_LIFETIME_MS,
            Platform::Binance | Platform::Alipay => DATA_TOKEN_LIFETIME_MS,
        };
        DataConsent { kind, platform, token, obtained_at, expires_at: obtained_at.saturating_add(life) }
    }
}

impl PushConsent {
    /// A push token for `template_id` obtained at `obtained_at`; it expires 7 days later.
    pub fn new(template_id: String, push_token: Token, obtained_at: u64) -> Self {
        PushConsent {
            template_id,
            push_token,
            obtained_at,
            expires_at: obtained_at.saturating_add(PUSH_TOKEN_LIFETIME_MS),
        }
    }
}

/// What a flow asks the host for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ask {
    /// `getPhoneNumber`, `getOpenId` / `getUserOpenid` or `getEmailAddress`.
    Data(DataKind),
    /// `requestSubscribeMessage` for these template ids.
    Subscribe(Vec<String>),
    /// `getOpenUserInfo`.
    Profile,
    /// `getAuthCode` for these scopes.
    AuthCode(Vec<String>),
    /// `login()`: a login code (`wx.login`, `bn.login`).
    Login,
}

/// A validated consent of any kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Consent {
    /// A Binance data token.
    Data(DataConsent),
    /// A subscription outcome (its accepted push tokens).
    Subscribe(SubscribeOutcome),
    /// An Alipay profile.
    Profile(UserProfile),
    /// An Alipay auth code.
    AuthCode(AuthCodeConsent),
    /// Subscription templates accepted without a token (WeChat, Alipay).
    Grants(SubscriptionGrants),
    /// A login code.
    Login(LoginCodeConsent),
}

impl Ask {
    /// Checks the arguments before the host is asked (template ids, scopes).
    pub fn validate(&self, max_templates: usize) -> Result<(), crate::error::BridgeError> {
        match self {
            Ask::Subscribe(ids) => validate_template_ids(ids, max_templates),
            Ask::AuthCode(scopes) => validate_scopes(scopes),
            Ask::Data(_) | Ask::Profile | Ask::Login => Ok(()),
        }
    }

    /// Validates how the host call for this ask ended on `platform`, at `now_ms`. The
    /// platform decides the shape of subscriptions and who issued a login code; a host
    /// without a named platform is read as before platforms were named (Binance shapes).
    pub fn consent(
        &self,
        platform: Platform,
        settled: Settlement,
        now_ms: u64,
    ) -> Result<Consent, crate::error::BridgeError> {
        match (self, platform) {
            (Ask::Subscribe(ids), Platform::Wechat) => wechat_grants(ids, settled, now_ms).map(Consent::Grants),
            (Ask::Subscribe(ids), Platform::Alipay) => alipay_grants(ids, settled, now_ms).map(Consent::Grants),
            (Ask::Subscribe(ids), Platform::Binance) => subscribe_outcome(ids, settled, now_ms).map(Consent::Subscribe),
            (Ask::Data(kind), _) => data_consent(*kind, settled, now_ms).map(Consent::Data),
            (Ask::Profile, _) => open_user_info(settled).map(Consent::Profile),
            (Ask::AuthCode(scopes), _) => auth_code(scopes, settled, now_ms).map(Consent::AuthCode),
            (Ask::Login, _) => login_code(platform, settled, now_ms).map(Consent::Login),
        }
    }
}

/// What a typed method gets when a flow yields another kind of consent: it cannot, as
/// each method asks for one kind, but the answer is an error rather than a panic.
fn other_kind() -> crate::error::BridgeError {
    crate::error::BridgeError::new(
        crate::error::ErrorCode::InvalidResult,
        "The flow produced a different kind of consent than asked for.",
    )
}

impl Consent {
    /// The data consent, for the typed Rust API.
    pub fn into_data(self) -> Result<DataConsent, crate::error::BridgeError> {
        match self {
            Consent::Data(c) => Ok(c),
            _ => Err(other_kind()),
        }
    }

    /// The subscription outcome, for the typed Rust API.
    pub fn into_subscribe(self) -> Result<SubscribeOutcome, crate::error::BridgeError> {
        match self {
            Consent::Subscribe(o) => Ok(o),
            _ => Err(other_kind()),
        }
    }

    /// The profile, for the typed Rust API.
    pub fn into_profile(self) -> Result<UserProfile, crate::error::BridgeError> {
        match self {
            Consent::Profile(p) => Ok(p),
            _ => Err(other_kind()),
        }
    }

    /// The auth code, for the typed Rust API.
    pub fn into_auth_code(self) -> Result<AuthCodeConsent, crate::error::BridgeError> {
        match self {
            Consent::AuthCode(c) => Ok(c),
            _ => Err(other_kind()),
        }
    }

    /// The login code, for the typed Rust API.
    pub fn into_login(self) -> Result<LoginCodeConsent, crate::error::BridgeError> {
        match self {
            Consent::Login(c) => Ok(c),
            _ => Err(other_kind()),
        }
    }
}

fn expose_token<S: serde::Serializer>(token: &Token, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(token.expose())
}
