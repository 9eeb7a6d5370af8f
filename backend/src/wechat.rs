//! The WeChat half of the reference backend, on `mp-consent-server`.
//!
//! - `/consent/login-code` with `platform: "wechat"`: `code2Session`, a new merchant
//!   session (opaque id → openid, unionid, `session_key`), answer `{openid, unionid?,
//!   session}` — never the `session_key`.
//! - `/consent/phone-number` with `platform: "wechat"`: the phone-number exchange, answer
//!   `{phoneNumber (masked), countryCode}`.
//! - `/consent/subscription-grants` with `platform: "wechat"`: records one grant per
//!   accepted template for the user of the caller's session, passed in the
//!   [`SESSION_HEADER`] header (`X-Mpcb-Session: <session>`; a custom header rather than
//!   `Authorization`, which a CORS preflight's `Access-Control-Allow-Headers: *` does not
//!   cover). A replay with the same `Idempotency-Key`, session and body answers the same
//!   and records nothing; another body or session under that key is 422
//!   `IDEMPOTENCY_KEY_REUSED`.
//! - `POST /merchant/wechat/send` (`Authorization: Bearer <MPCB_ADMIN_KEY>`): spends one
//!   grant of the session's user and sends the subscription message.
//!
//! Configuration: `MPCB_WECHAT_APP_ID` and `MPCB_WECHAT_APP_SECRET` (both required),
//! `MPCB_WECHAT_BASE_URL` (default WeChat's own host), `MPCB_ADMIN_KEY` (the send route),
//! `MPCB_PUSH_DB` (sessions and grants; in memory when unset). Without them the routes
//! still validate strictly, keep single use and record.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mp_consent_bridge::wire::{DataTokenBody, LoginCodeBody, Platform, SubscriptionGrantsBody};
use mp_consent_server::wechat::wire::DataValue;
use mp_consent_server::wechat::{SubscribeMessage, WechatClient, WechatConfig, WechatSession, WechatStore};
use mp_consent_server::{Error, ErrorCode, Secret, SqliteStore};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use crate::binance::{admin_authorized, error_response, mask_phone};
// The lifetimes the page's bridge enforces too: one definition for both ends.
use mp_consent_bridge::consent::{DATA_TOKEN_LIFETIME_MS, LOGIN_CODE_LIFETIME_MS, WECHAT_PHONE_CODE_LIFETIME_MS};

/// Header carrying the merchant session id a login answered.
pub const SESSION_HEADER: &str = "x-mpcb-session";

/// Idempotency key → (fingerprint of the session and body it named, the answer).
type Replays = HashMap<String, ([u8; 32], Value)>;

/// The WeChat client, the session and grant store, and the admin key.
pub struct WechatSetup {
    client: WechatClient,
    store: Arc<dyn WechatStore>,
    admin_key: Option<Secret<String>>,
    /// Idempotency key → the fingerprint of the grants request it named (session and body)
    /// and its answer.
    replays: Mutex<Replays>,
}

impl std::fmt::Debug for WechatSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatSetup").field("client", &self.client).finish_non_exhaustive()
    }
}

impl WechatSetup {
    /// A setup from parts (tests).
    pub fn new(client: WechatClient, store: Arc<dyn WechatStore>, admin_key: Option<Secret<String>>) -> Self {
        WechatSetup { client, store, admin_key, replays: Mutex::default() }
    }

    /// Reads the environment through `get`; returns the setup when the app id and secret
    /// are set and usable, and one startup line saying what is enabled.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> (Option<WechatSetup>, String) {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let off = |why: String| {
            (None, format!("wechat: code2Session, phone numbers and subscription messages disabled ({why}); the WeChat routes validate and record only"))
        };
        let (Some(app), Some(secret)) = (var("MPCB_WECHAT_APP_ID"), var("MPCB_WECHAT_APP_SECRET")) else {
            return off("MPCB_WECHAT_APP_ID and MPCB_WECHAT_APP_SECRET not both set".into());
        };
        let config = WechatConfig::new(&app, Secret::new(secret));
        let config = match var("MPCB_WECHAT_BASE_URL") {
            Some(url) => config.and_then(|c| c.with_base_url(&url)),
            None => config,
        };
        let client = match config.and_then(WechatClient::with_defaults) {
            Ok(c) => c,
            Err(e) => return off(e.message().to_owned()),
        };
        let store = match var("MPCB_PUSH_DB") {
            Some(path) => SqliteStore::open(&path),
            None => SqliteStore::open_in_memory(),
        };
        let store = match store {
            Ok(s) => s,
            Err(e) => return off(format!("session store: {}", e.message())),
        };
        let admin_key = var("MPCB_ADMIN_KEY").map(Secret::new);
        let line = format!(
            "wechat: code2Session, phone numbers and subscription grants enabled against {}{}",
            mp_consent_server::http::origin_of(client.config().base_url()),
            if admin_key.is_some() {
                "; /merchant/wechat/send enabled"
            } else {
                " (send disabled: MPCB_ADMIN_KEY not set)"
            }
        );
        (Some(WechatSetup::new(client, Arc::new(store), admin_key)), line)
    }
}

/// A WeChat body the setup acts on.
pub enum Call {
    /// `/consent/login-code`.
    Login(LoginCodeBody),
    /// `/consent/phone-number`.
    Phone(DataTokenBody),
    /// `/consent/subscription-grants`.
    Grants(SubscriptionGrantsBody),
}

impl Call {
    /// The WeChat call a body on `route` makes, if it is one (`platform: "wechat"`).
    pub fn of(route: &str, body: &[u8]) -> Option<Call> {
        match route {
            "loginCode" => serde_json::from_slice::<LoginCodeBody>(body)
                .ok()
                .filter(|b| b.platform == Platform::Wechat)
                .map(Call::Login),
            "phoneNumber" => serde_json::from_slice::<DataTokenBody>(body)
                .ok()
                .filter(|b| b.platform == Some(Platform::Wechat))
                .map(Call::Phone),
            "subscriptionGrants" => serde_json::from_slice::<SubscriptionGrantsBody>(body)
                .ok()
                .filter(|b| b.platform == Platform::Wechat)
                .map(Call::Grants),
            _ => None,
        }
    }
}

fn session_unknown() -> Response {
    crate::error(
        StatusCode::UNAUTHORIZED,
        "SESSION_UNKNOWN",
        "send X-Mpcb-Session with the session a WeChat login answered; sign in again if it expired",
    )
}

#[allow(clippy::result_large_err)]
fn session_of(setup: &WechatSetup, headers: &HeaderMap) -> Result<Option<WechatSession>, Response> {
    let id = headers.get(SESSION_HEADER).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or_default();
    setup.store.wechat_session(id, crate::now_ms()).map_err(|e| error_response(&e))
}

/// Runs a WeChat call; returns the fields added to the page's answer, or the error answer.
// The error is the ready-made answer; boxing it would only add noise to a handler helper.
#[allow(clippy::result_large_err)]
pub async fn exchange(
    setup: &WechatSetup,
    call: &Call,
    key: Option<&str>,
    headers: &HeaderMap,
) -> Result<Value, Response> {
    let err = |e: Error| error_response(&e);
    match call {
        Call::Login(b) => {
            let login = setup.client.code2session(&b.login_code).await.map_err(err)?;
            let session = WechatSession {
                openid: login.openid.clone(),
                unionid: login.unionid.clone(),
                session_key: login.session_key,
            };
            let id = setup.store.create_wechat_session(&session, crate::now_ms()).map_err(err)?;
            let mut answer = json!({ "openid": login.openid, "session": id.expose() });
            if let (Some(u), Some(obj)) = (login.unionid, answer.as_object_mut()) {
                obj.insert("unionid".into(), json!(u));
            }
            Ok(answer)
        }
        Call::Phone(b) => {
            let phone = setup.client.phone_number(&b.data_token).await.map_err(err)?;
            Ok(json!({ "phoneNumber": mask_phone(phone.phone_number.expose()), "countryCode": phone.country_code }))
        }
        Call::Grants(b) => {
            // A key names one request: the same body from the same session replays its
            // answer; another body or session under that key is refused, never answered
            // with someone else's answer.
            let session_header = headers.get(SESSION_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
            let body = serde_json::to_vec(b).unwrap_or_default();
            let request = crate::fingerprint(&[session_header, b"\n", &body].concat());
            let replay_key = key.map(|k| format!("grants:{k}"));
            let replays = || setup.replays.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(k) = &replay_key {
                match replays().get(k) {
                    Some((seen, previous)) if *seen == request => return Ok(previous.clone()),
                    Some(_) => return Err(crate::idempotency_key_reused()),
                    None => {}
                }
            }
            let Some(session) = session_of(setup, headers)? else { return Err(session_unknown()) };
            for template in &b.template_ids {
                setup.store.add_grant(&session.openid, template).map_err(err)?;
            }
            let answer = json!({ "openid": session.openid, "recorded": b.template_ids.len() });
            if let Some(k) = replay_key {
                let mut m = replays();
                if m.len() >= 10_000 {
                    m.clear();
                }
                m.insert(k, (request, answer.clone()));
            }
            Ok(answer)
        }
    }
}

/// The merchant send request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendRequest {
    session: String,
    template_id: String,
    #[serde(default)]
    page: Option<String>,
    data: BTreeMap<String, DataValue>,
}

/// `POST /merchant/wechat/send` (admin key): spends one recorded grant of the session's
/// user for the template and sends the message. Answers `{"outcome": "sent", "msgid"}`;
/// `404 NOT_SUBSCRIBED` without a grant.
pub async fn merchant_send(setup: &WechatSetup, headers: &HeaderMap, body: &[u8]) -> Response {
    if setup.admin_key.is_none() {
        return error_response(&Error::new(
            ErrorCode::InvalidConfig,
            "the merchant send endpoint needs MPCB_ADMIN_KEY",
        ));
    }
    if !admin_authorized(setup.admin_key.as_ref(), headers) {
        return crate::error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "send Authorization: Bearer <MPCB_ADMIN_KEY>");
    }
    let req: SendRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return error_response(&Error::new(ErrorCode::InvalidArgument, format!("invalid send request: {e}"))),
    };
    let session = match setup.store.wechat_session(&req.session, crate::now_ms()) {
        Ok(Some(s)) => s,
        Ok(None) => return session_unknown(),
        Err(e) => return error_response(&e),
    };
    match setup.store.take_grant(&session.openid, &req.template_id) {
        Ok(true) => {}
        Ok(false) => return error_response(&Error::new(
            ErrorCode::NotSubscribed,
            "no recorded grant for this user and template; the user must accept it in wx.requestSubscribeMessage first",
        )),
        Err(e) => return error_response(&e),
    }
    let message = SubscribeMessage {
        touser: session.openid.clone(),
        template_id: req.template_id.clone(),
        page: req.page,
        data: req.data,
    };
    match setup.client.send_subscribe_message(&message).await {
        Ok(msgid) => (StatusCode::OK, Json(json!({ "outcome": "sent", "msgid": msgid }))).into_response(),
        Err(e) => {
            // The request never left, or was refused before WeChat looked at it: the
            // user's accept is still unspent.
            if matches!(e.code(), ErrorCode::Unreachable | ErrorCode::InvalidArgument) {
                let _ = setup.store.return_grant(&session.openid, &req.template_id);
            }
            error_response(&e)
        }
    }
}

fn bad(m: &str) -> Response {
    crate::error(StatusCode::BAD_REQUEST, "INVALID_BODY", m)
}

/// `POST /consent/login-code`: a strict [`LoginCodeBody`] from WeChat or Binance, not from
/// the future and within the code's 5 minutes (assumed the same for `bn.login`); the code
/// is its secret (single use).
#[allow(clippy::result_large_err)]
pub fn validate_login_code(body: &[u8], now: u64) -> Result<Vec<String>, Response> {
    let b: LoginCodeBody = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
    if b.login_code.is_empty() || b.login_code.len() > 1024 {
        return Err(bad("loginCode must be 1 to 1024 bytes"));
    }
    if b.platform == Platform::Alipay {
        return Err(bad("Alipay issues auth codes, not login codes: use /consent/auth-code"));
    }
    if b.obtained_at > now + 5_000 {
        return Err(bad("obtainedAt is in the future"));
    }
    if now.saturating_sub(b.obtained_at) > LOGIN_CODE_LIFETIME_MS {
        return Err(crate::error(StatusCode::GONE, "40029", "login code expired"));
    }
    Ok(vec![b.login_code])
}

/// `POST /consent/subscription-grants`: a strict [`SubscriptionGrantsBody`] from WeChat or
/// Alipay with 1 to 20 distinct template ids of 1 to 128 bytes; it carries no token.
#[allow(clippy::result_large_err)]
pub fn validate_subscription_grants(body: &[u8]) -> Result<Vec<String>, Response> {
    let b: SubscriptionGrantsBody = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
    if b.platform == Platform::Binance {
        return Err(bad("Binance subscriptions carry push tokens: use /consent/subscriptions"));
    }
    let ids = &b.template_ids;
    if ids.is_empty() || ids.len() > 20 || ids.iter().any(|id| id.is_empty() || id.len() > 128) {
        return Err(bad("templateIds must hold 1 to 20 ids of 1 to 128 bytes"));
    }
    let mut seen: Vec<&String> = ids.iter().collect();
    seen.sort();
    seen.dedup();
    if seen.len() != ids.len() {
        return Err(bad("templateIds repeats an id"));
    }
    Ok(Vec::new())
}

/// The lifetime of a data token on `route` from `platform`: Binance 2 minutes, a WeChat
/// phone code 5 minutes; `None` when the platform issues no such token.
pub fn data_token_lifetime(route: &str, platform: Option<Platform>) -> Option<u64> {
    match (route, platform) {
        (_, None | Some(Platform::Binance)) => Some(DATA_TOKEN_LIFETIME_MS),
        ("phoneNumber", Some(Platform::Wechat)) => Some(WECHAT_PHONE_CODE_LIFETIME_MS),
        _ => None,
    }
}
