//! The request that forwards a consent: its route, its body in the default wire format,
//! the tokens it carries (each sent at most once) and the time after which no attempt
//! may start.

use crate::prelude::*;

use super::{Routes, EXPIRY_MARGIN_MS};
use crate::consent::{Consent, DataKind, Platform};
use crate::json_write::ToJson;
use crate::wire::{
    AuthCodeBody, DataTokenBody, LoginCodeBody, SubscriptionGrantsBody, SubscriptionItem, SubscriptionsBody,
};

/// A token carried by a request, and when it expires (ms since the epoch).
#[derive(Clone, Copy, Debug)]
pub struct Secret<'a> {
    /// The token itself (only ever in the body).
    pub value: &'a str,
    /// When the platform stops accepting it.
    pub expires_at: u64,
}

/// The request that forwards one consent. Tokens are only ever in `body`.
#[derive(Debug)]
pub struct Outgoing<'a> {
    /// The route (from the bridge's options).
    pub route: &'a str,
    /// The JSON body in the default wire format.
    pub body: String,
    /// The tokens in the body.
    pub secrets: Vec<Secret<'a>>,
    /// No attempt starts past this time (ms since the epoch): the tokens would be expired.
    pub deadline: Option<u64>,
}

/// The request that forwards `consent`, or `None` when there is nothing to send (a
/// subscription outcome that accepted nothing).
pub fn outgoing<'a>(consent: &'a Consent, routes: &'a Routes) -> Option<Outgoing<'a>> {
    let with_margin = |secrets: &[Secret<'_>]| {
        secrets.iter().map(|s| s.expires_at).min().map(|end| end.saturating_sub(EXPIRY_MARGIN_MS))
    };
    let outgoing = match consent {
        Consent::Data(c) => {
            let secrets = vec![Secret { value: c.token.expose(), expires_at: c.expires_at }];
            Outgoing {
                route: match c.kind {
                    DataKind::PhoneNumber => &routes.phone_number,
                    DataKind::OpenId => &routes.open_id,
                    DataKind::Email => &routes.email,
                },
                body: DataTokenBody {
                    data_token: c.token.expose().to_owned(),
                    obtained_at: c.obtained_at,
                    // Binance's bodies stay as they were, for backends that refuse unknown keys.
                    platform: (c.platform != Platform::Binance).then_some(c.platform),
                }
                .to_json(),
                deadline: with_margin(&secrets),
                secrets,
            }
        }
        Consent::Subscribe(outcome) => {
            let accepted = &outcome.accepted;
            if accepted.is_empty() {
                return None;
            }
            let subscriptions = accepted
                .iter()
                .map(|p| SubscriptionItem {
                    template_id: p.template_id.clone(),
                    push_token: p.push_token.expose().to_owned(),
                })
                .collect();
            let secrets: Vec<Secret<'a>> =
                accepted.iter().map(|p| Secret { value: p.push_token.expose(), expires_at: p.expires_at }).collect();
            Outgoing {
                route: &routes.subscriptions,
                body: SubscriptionsBody { subscriptions, platform: None }.to_json(),
                deadline: with_margin(&secrets),
                secrets,
            }
        }
        // Public profile data: not single use, no lifetime.
        Consent::Profile(profile) => {
            Outgoing { route: &routes.user_info, body: profile.to_json(), secrets: Vec::new(), deadline: None }
        }
        Consent::AuthCode(c) => {
            let secrets = vec![Secret { value: c.auth_code.expose(), expires_at: c.expires_at }];
            Outgoing {
                route: &routes.auth_code,
                body: AuthCodeBody {
                    auth_code: c.auth_code.expose().to_owned(),
                    scopes: c.granted_scopes.clone(),
                    platform: None,
                }
                .to_json(),
                deadline: with_margin(&secrets),
                secrets,
            }
        }
        // Template ids only: nothing single use travels, so nothing is bookkept.
        Consent::Grants(grants) => {
            if grants.accepted.is_empty() {
                return None;
            }
            let body = SubscriptionGrantsBody {
                platform: grants.platform,
                template_ids: grants.accepted.clone(),
                obtained_at: grants.obtained_at,
            };
            Outgoing { route: &routes.subscription_grants, body: body.to_json(), secrets: Vec::new(), deadline: None }
        }
        Consent::Login(c) => {
            let secrets = vec![Secret { value: c.login_code.expose(), expires_at: c.expires_at }];
            let body = LoginCodeBody {
                login_code: c.login_code.expose().to_owned(),
                obtained_at: c.obtained_at,
                platform: c.platform,
            };
            Outgoing { route: &routes.login_code, body: body.to_json(), deadline: with_margin(&secrets), secrets }
        }
    };
    Some(outgoing)
}
