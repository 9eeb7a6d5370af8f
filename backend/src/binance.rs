//! The Binance half of the reference backend, on `mp-consent-server`: exchanges forwarded
//! data tokens (getOpenData + decryption), stores push tokens, and sends template
//! messages from a merchant-only endpoint.
//!
//! Configuration comes from the environment; a missing variable disables only what needs
//! it, and [`BinanceSetup::from_env`] says so in its startup lines:
//! `MPCB_BINANCE_APP_ID`, `MPCB_BINANCE_ACCESS_KEY`, `MPCB_BINANCE_SECRET_KEY` (all
//! Binance calls), `MPCB_BINANCE_PRIVATE_KEY_FILE` (getOpenData), `MPCB_BINANCE_BASE_URL`
//! (default: the official host), `MPCB_ADMIN_KEY` (the merchant send endpoint),
//! `MPCB_PUSH_DB` (SQLite file for push tokens; in memory when unset).
//!
//! The page's user: the reference backend has no sessions, so a page names its user in
//! the `X-Mpcb-User` header (`demo-user` when absent; 400 when not 1 to 128 visible ASCII
//! characters); a real merchant takes it from its own
//! session instead.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mp_consent_bridge::wire::{DataTokenBody, SubscriptionsBody};
use mp_consent_server::binance::{self, BinanceClient, Config, OpenDataKind, Parameter, PushMessage, PushOutcome};
use mp_consent_server::{Error, ErrorCode, PushTokenStore, Secret, SqliteStore};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Header naming the page's user (the reference backend's stand-in for a session).
pub const USER_HEADER: &str = "x-mpcb-user";

/// Binance credentials, client and push-token store.
pub struct BinanceSetup {
    client: BinanceClient,
    store: Arc<dyn PushTokenStore>,
    admin_key: Option<Secret<String>>,
    purge: crate::Every,
}

impl std::fmt::Debug for BinanceSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinanceSetup").field("client", &self.client).finish_non_exhaustive()
    }
}

impl BinanceSetup {
    /// Reads the environment through `get`; returns the setup (when the three credentials
    /// are there) and the startup lines that say what is enabled.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> (Option<BinanceSetup>, Vec<String>) {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let mut lines = Vec::new();
        let (app, ak, sk) =
            (var("MPCB_BINANCE_APP_ID"), var("MPCB_BINANCE_ACCESS_KEY"), var("MPCB_BINANCE_SECRET_KEY"));
        let (Some(app), Some(ak), Some(sk)) = (app, ak, sk) else {
            let missing: Vec<&str> = ["MPCB_BINANCE_APP_ID", "MPCB_BINANCE_ACCESS_KEY", "MPCB_BINANCE_SECRET_KEY"]
                .into_iter()
                .filter(|k| var(k).is_none())
                .collect();
            lines.push(format!(
                "binance: getOpenData and push messages disabled ({} not set); consent routes validate and store tokens only",
                missing.join(", ")
            ));
            return (None, lines);
        };
        let (ak, sk) = (Secret::new(ak), Secret::new(sk));
        let config = match var("MPCB_BINANCE_PRIVATE_KEY_FILE") {
            None => {
                lines.push("binance: getOpenData disabled (MPCB_BINANCE_PRIVATE_KEY_FILE not set)".to_owned());
                Config::for_push_only(&app, ak, sk)
            }
            Some(file) => match std::fs::read_to_string(&file) {
                Ok(pem) => {
                    let pem = Secret::new(pem);
                    Config::new(&app, ak.clone(), sk.clone(), pem.expose()).or_else(|e| {
                        lines.push(format!(
                            "binance: getOpenData disabled (MPCB_BINANCE_PRIVATE_KEY_FILE: {})",
                            e.message()
                        ));
                        Config::for_push_only(&app, ak, sk)
                    })
                }
                Err(e) => {
                    lines.push(format!(
                        "binance: getOpenData disabled (cannot read MPCB_BINANCE_PRIVATE_KEY_FILE: {e})"
                    ));
                    Config::for_push_only(&app, ak, sk)
                }
            },
        };
        let config = match (config, var("MPCB_BINANCE_BASE_URL")) {
            (Ok(c), Some(url)) => c.with_base_url(&url),
            (c, None) => c,
            (Err(e), _) => Err(e),
        };
        let config = match config {
            Ok(c) => c,
            Err(e) => {
                lines.push(format!("binance: disabled ({})", e.message()));
                return (None, lines);
            }
        };
        let store: Arc<dyn PushTokenStore> = match var("MPCB_PUSH_DB") {
            Some(path) => match SqliteStore::open(&path) {
                Ok(s) => Arc::new(s),
                Err(e) => {
                    lines.push(format!("binance: disabled (MPCB_PUSH_DB: {})", e.message()));
                    return (None, lines);
                }
            },
            None => match SqliteStore::open_in_memory() {
                Ok(s) => {
                    lines.push(
                        "binance: push tokens kept in memory (set MPCB_PUSH_DB to keep them across restarts)".into(),
                    );
                    Arc::new(s)
                }
                Err(e) => {
                    lines.push(format!("binance: disabled ({})", e.message()));
                    return (None, lines);
                }
            },
        };
        let admin_key = var("MPCB_ADMIN_KEY").map(Secret::new);
        if admin_key.is_none() {
            lines.push("binance: merchant send endpoint disabled (MPCB_ADMIN_KEY not set)".into());
        }
        let exchange = config.key().is_some();
        let base = mp_consent_server::http::origin_of(config.base_url());
        let client = match BinanceClient::new(config) {
            Ok(c) => c,
            Err(e) => {
                lines.push(format!("binance: disabled ({})", e.message()));
                return (None, lines);
            }
        };
        lines.push(format!(
            "binance: {} via {base}",
            if exchange { "getOpenData and push messages enabled" } else { "push messages enabled" }
        ));
        (Some(BinanceSetup { client, store, admin_key, purge: crate::Every::default() }), lines)
    }

    /// A setup from parts (tests).
    pub fn new(client: BinanceClient, store: Arc<dyn PushTokenStore>, admin_key: Option<Secret<String>>) -> Self {
        BinanceSetup { client, store, admin_key, purge: crate::Every::default() }
    }

    /// Whether forwarded data tokens are exchanged.
    pub fn exchange_enabled(&self) -> bool {
        self.client.config().key().is_some()
    }
}

/// The page's user from [`USER_HEADER`], or `demo-user` when the header is absent. A
/// header that is present but empty, over 128 bytes or not visible ASCII is refused
/// (400): storing the tokens under another user would lose them silently.
// The error is the ready-made answer; boxing it would only add noise to a handler helper.
#[allow(clippy::result_large_err)]
pub fn user_of(headers: &HeaderMap) -> Result<String, Response> {
    let Some(value) = headers.get(USER_HEADER) else { return Ok("demo-user".to_owned()) };
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 128 || !bytes.iter().all(|b| b.is_ascii_graphic()) {
        return Err(error_response(&Error::new(
            ErrorCode::InvalidArgument,
            "X-Mpcb-User must be 1 to 128 visible ASCII characters",
        )));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// An error answer from a crate error: its stable code, message and platform code; never
/// a token or personal data (the crate's messages carry none).
pub fn error_response(e: &Error) -> Response {
    let status = match e.code() {
        ErrorCode::TokenExpired => StatusCode::GONE,
        ErrorCode::TokenInvalid => StatusCode::CONFLICT,
        ErrorCode::InvalidArgument => StatusCode::BAD_REQUEST,
        ErrorCode::NoPushToken | ErrorCode::NotSubscribed => StatusCode::NOT_FOUND,
        ErrorCode::UserBlocked => StatusCode::FORBIDDEN,
        ErrorCode::PlatformBusy => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Timeout => StatusCode::GATEWAY_TIMEOUT,
        ErrorCode::Unreachable | ErrorCode::Network => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::InvalidConfig | ErrorCode::Store => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_GATEWAY,
    };
    let body = json!({
        "code": e.code().as_str(),
        "message": e.message(),
        "platformCode": e.platform_code(),
        "data": null,
        "success": false,
    });
    (status, Json(body)).into_response()
}

/// `+971501234567` → `+971******4567`: enough for the user to recognise, not to reuse.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let keep_end = 4.min(chars.len() / 3);
    let keep_start = if chars.first() == Some(&'+') { 4 } else { 3 }.min(chars.len() / 3);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep_start || i + keep_end >= chars.len() { *c } else { '*' })
        .collect()
}

/// `alice@example.com` → `a***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// Exchanges a forwarded data token; returns the fields the page gets.
// The error is the ready-made answer; boxing it would only add noise to a handler helper.
#[allow(clippy::result_large_err)]
pub async fn exchange(setup: &BinanceSetup, kind: &str, body: &DataTokenBody) -> Result<Value, Response> {
    let data =
        setup.client.get_open_data(&body.data_token, Some(body.obtained_at)).await.map_err(|e| error_response(&e))?;
    // Each value is checked against its kind's shape before anything is answered, so a
    // wrong key's synthetic plaintext or a phone token on the open-id route is refused;
    // the phone number and email only ever leave masked.
    let get = |kind| data.get(kind).map_err(|e| error_response(&e));
    Ok(match kind {
        "openId" => json!({ "openId": get(OpenDataKind::OpenId)?.expose() }),
        "phoneNumber" => json!({ "phoneNumber": mask_phone(get(OpenDataKind::PhoneNumber)?.expose()) }),
        _ => json!({ "email": mask_email(get(OpenDataKind::Email)?.expose()) }),
    })
}

/// Stores the accepted push tokens of a subscriptions body for `user`: one store call
/// (one SQLite transaction), run on tokio's blocking pool so a slow disk never stalls the
/// other requests; every [`crate::PURGE_EVERY`] calls it also deletes expired tokens.
// The error is the ready-made answer; boxing it would only add noise to a handler helper.
#[allow(clippy::result_large_err)]
pub async fn store_subscriptions(
    setup: &BinanceSetup,
    user: &str,
    body: &SubscriptionsBody,
    now_ms: u64,
) -> Result<(), Response> {
    let store = Arc::clone(&setup.store);
    let user = user.to_owned();
    let tokens: Vec<(String, Secret<String>)> =
        body.subscriptions.iter().map(|s| (s.template_id.clone(), Secret::new(s.push_token.clone()))).collect();
    let purge = setup.purge.due();
    tokio::task::spawn_blocking(move || {
        if purge {
            // Housekeeping: a failure here is the next write's to report.
            let _ = store.purge_expired(now_ms);
        }
        binance::push::accept_many(store.as_ref(), &user, tokens, now_ms)
    })
    .await
    .unwrap_or_else(|_| Err(Error::new(ErrorCode::Store, "the push-token store task failed; retry")))
    .map_err(|e| error_response(&e))
}

/// The merchant send request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendRequest {
    user_id: String,
    template_id: String,
    language: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    parameters: Vec<Parameter>,
}

/// Whether the `Authorization: Bearer …` header holds the admin key (compared as
/// SHA-256 digests, so the comparison's timing does not follow the key's bytes).
pub fn admin_authorized(admin_key: Option<&Secret<String>>, headers: &HeaderMap) -> bool {
    let Some(key) = admin_key else { return false };
    let given = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    given.is_some_and(|g| Sha256::digest(g.as_bytes()) == Sha256::digest(key.expose().as_bytes()))
}

/// `POST /merchant/binance/send` (admin key): sends a template message with a stored
/// push token. Answers `{"outcome": "sent" | "userRefusedAll" | "userDeclinedTemplate"}`.
pub async fn merchant_send(setup: &BinanceSetup, headers: &HeaderMap, body: &[u8]) -> Response {
    if setup.admin_key.is_none() {
        return error_response(&Error::new(
            ErrorCode::InvalidConfig,
            "the merchant send endpoint needs MPCB_ADMIN_KEY",
        ));
    }
    if !admin_authorized(setup.admin_key.as_ref(), headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"code": "UNAUTHORIZED", "message": "send Authorization: Bearer <MPCB_ADMIN_KEY>"})),
        )
            .into_response();
    }
    let req: SendRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return error_response(&Error::new(ErrorCode::InvalidArgument, format!("invalid send request: {e}"))),
    };
    let message = PushMessage {
        template_id: req.template_id,
        language: req.language,
        path: req.path,
        parameters: req.parameters,
    };
    match binance::push::send(&setup.client, setup.store.as_ref(), &req.user_id, &message).await {
        Ok(outcome) => {
            let outcome = match outcome {
                PushOutcome::Sent => "sent",
                PushOutcome::UserRefusedAll => "userRefusedAll",
                PushOutcome::UserDeclinedTemplate => "userDeclinedTemplate",
            };
            (StatusCode::OK, Json(json!({ "outcome": outcome }))).into_response()
        }
        Err(e) => error_response(&e),
    }
}
