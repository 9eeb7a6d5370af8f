//! One consent flow, whatever it asks for: the host call started inside the tap, the
//! answer validated by the core, and the request that forwards it.
//!
//! Every flow goes through the same two futures ([`Started::consent`] and the forward in
//! `Bridge`), so the wasm holds one state machine for them rather than one per method;
//! the typed methods of `Bridge` and of the JS class are thin shells over them.

use crate::prelude::*;

use crate::bridge::BusyGuard;
use crate::consent::{
    self, AuthCodeConsent, DataConsent, DataKind, Limits, SubscribeOutcome, UserProfile, DATA_TOKEN_LIFETIME_MS,
};
use crate::error::{BridgeError, ErrorCode, Result};
use crate::forward::{Routes, EXPIRY_MARGIN_MS};
use crate::host::HostCall;
use crate::json_write::ToJson;
use crate::sys;
use crate::wire::{AuthCodeBody, DataTokenBody, SubscriptionItem, SubscriptionsBody};

/// What a flow asks the host for.
#[derive(Debug)]
pub(crate) enum Ask {
    /// `getPhoneNumber`, `getOpenId` / `getUserOpenid` or `getEmailAddress`.
    Data(DataKind),
    /// `requestSubscribeMessage` for these template ids.
    Subscribe(Vec<String>),
    /// `getOpenUserInfo`.
    Profile,
    /// `getAuthCode` for these scopes.
    AuthCode(Vec<String>),
}

/// A validated consent of any kind.
#[derive(Clone, Debug)]
pub(crate) enum Consent {
    /// A Binance data token.
    Data(DataConsent),
    /// A subscription outcome (its accepted push tokens).
    Subscribe(SubscribeOutcome),
    /// An Alipay profile.
    Profile(UserProfile),
    /// An Alipay auth code.
    AuthCode(AuthCodeConsent),
}

/// A flow after its synchronous part: the host call in flight, or already decided (a
/// button event read, a refused argument, a busy bridge).
pub(crate) enum Started {
    /// The host was called; the guard holds the bridge's consent slot until it answers.
    Calling(HostCall, BusyGuard, Ask),
    /// Nothing to wait for.
    Decided(Result<Consent>),
}

impl Started {
    /// Waits for the host, frees the consent slot, and validates the answer.
    pub(crate) async fn consent(self) -> Result<Consent> {
        let (call, guard, ask) = match self {
            Started::Decided(decided) => return decided,
            Started::Calling(call, guard, ask) => (call, guard, ask),
        };
        let settled = call.settle(Limits::default()).await;
        drop(guard);
        let (settled, now) = (settled?, sys::now_ms());
        match ask {
            Ask::Data(kind) => consent::data_consent(kind, settled, now).map(Consent::Data),
            Ask::Subscribe(ids) => consent::subscribe_outcome(&ids, settled, now).map(Consent::Subscribe),
            Ask::Profile => consent::open_user_info(settled).map(Consent::Profile),
            Ask::AuthCode(scopes) => consent::auth_code(&scopes, settled, now).map(Consent::AuthCode),
        }
    }
}

/// The request that forwards a consent: tokens only ever in `body`.
pub(crate) struct Outgoing<'a> {
    /// The route (from the bridge's options).
    pub route: &'a str,
    /// The JSON body in the default wire format.
    pub body: String,
    /// The tokens in the body, each sent at most once.
    pub secrets: Vec<&'a str>,
    /// No attempt starts past this time (ms since the epoch): the tokens would be expired.
    pub deadline: Option<u64>,
}

impl Consent {
    /// The request that forwards this consent, or `None` when there is nothing to send
    /// (a subscription outcome that accepted nothing).
    pub(crate) fn outgoing<'a>(&'a self, routes: &'a Routes) -> Option<Outgoing<'a>> {
        let outgoing = match self {
            Consent::Data(c) => {
                let lifetime_end = c.obtained_at.saturating_add(DATA_TOKEN_LIFETIME_MS).min(c.expires_at);
                Outgoing {
                    route: match c.kind {
                        DataKind::PhoneNumber => &routes.phone_number,
                        DataKind::OpenId => &routes.open_id,
                        DataKind::Email => &routes.email,
                    },
                    body: DataTokenBody { data_token: c.token.expose().to_owned(), obtained_at: c.obtained_at }
                        .to_json(),
                    secrets: vec![c.token.expose()],
                    deadline: Some(lifetime_end.saturating_sub(EXPIRY_MARGIN_MS)),
                }
            }
            Consent::Subscribe(outcome) => {
                let accepted = &outcome.accepted;
                let subscriptions = accepted
                    .iter()
                    .map(|p| SubscriptionItem {
                        template_id: p.template_id.clone(),
                        push_token: p.push_token.expose().to_owned(),
                    })
                    .collect();
                Outgoing {
                    route: &routes.subscriptions,
                    body: SubscriptionsBody { subscriptions }.to_json(),
                    secrets: accepted.iter().map(|p| p.push_token.expose()).collect(),
                    deadline: Some(accepted.iter().map(|p| p.expires_at).min()?.saturating_sub(EXPIRY_MARGIN_MS)),
                }
            }
            // Public profile data: not single use, no lifetime.
            Consent::Profile(profile) => {
                Outgoing { route: &routes.user_info, body: profile.to_json(), secrets: Vec::new(), deadline: None }
            }
            Consent::AuthCode(c) => Outgoing {
                route: &routes.auth_code,
                body: AuthCodeBody { auth_code: c.auth_code.expose().to_owned(), scopes: c.granted_scopes.clone() }
                    .to_json(),
                secrets: vec![c.auth_code.expose()],
                deadline: Some(c.expires_at.saturating_sub(EXPIRY_MARGIN_MS)),
            },
        };
        Some(outgoing)
    }
}

/// What a typed method gets when the flow yields another kind of consent: it cannot,
/// as each method asks for one kind, but the answer is an error rather than a panic.
fn other_kind() -> BridgeError {
    BridgeError::new(ErrorCode::InvalidResult, "The flow produced a different kind of consent than asked for.")
}

impl Consent {
    /// The data consent, for the typed Rust API.
    pub(crate) fn into_data(self) -> Result<DataConsent> {
        match self {
            Consent::Data(c) => Ok(c),
            _ => Err(other_kind()),
        }
    }

    /// The subscription outcome, for the typed Rust API.
    pub(crate) fn into_subscribe(self) -> Result<SubscribeOutcome> {
        match self {
            Consent::Subscribe(o) => Ok(o),
            _ => Err(other_kind()),
        }
    }

    /// The profile, for the typed Rust API.
    pub(crate) fn into_profile(self) -> Result<UserProfile> {
        match self {
            Consent::Profile(p) => Ok(p),
            _ => Err(other_kind()),
        }
    }

    /// The auth code, for the typed Rust API.
    pub(crate) fn into_auth_code(self) -> Result<AuthCodeConsent> {
        match self {
            Consent::AuthCode(c) => Ok(c),
            _ => Err(other_kind()),
        }
    }
}
