//! The pure consent core: typed results, validation of host answers, token lifetimes.
//!
//! Nothing here knows about JS. The host layer copies each host answer into a
//! [`HostValue`] and hands it here together with how it arrived ([`Settlement`]).

mod alipay;
mod binance;
mod failure;
mod json;
mod to_json;
mod token;
mod value;

pub use alipay::{
    auth_code, authorize_event, open_user_info, validate_profile, validate_scopes, AuthCodeConsent, UserProfile,
    AUTH_CODE_LIFETIME_MS, CANCEL_CODES,
};
pub use binance::{
    data_consent, data_consent_from_event, subscribe_outcome, validate_template_ids, DEFAULT_MAX_TEMPLATES,
    MAX_TEMPLATE_ID_LEN,
};
pub use failure::{failure_error, is_failure_message};
pub use json::{parse_json, JsonError};
pub use token::{Token, MAX_TOKEN_LEN};
pub use value::{HostValue, Limits};

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

/// A validated Binance data token and its lifetime (times in ms since the Unix epoch).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataConsent {
    /// Which data the token unlocks.
    pub kind: DataKind,
    /// The `data_token`, secret.
    #[serde(serialize_with = "expose_token")]
    pub token: Token,
    /// When the host handed it over.
    pub obtained_at: u64,
    /// When it stops being valid (`obtained_at` + 2 minutes).
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

fn expose_token<S: serde::Serializer>(token: &Token, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(token.expose())
}
