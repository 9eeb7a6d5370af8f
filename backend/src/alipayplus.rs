//! The Alipay+ half of the reference backend, on `mp-consent-server`: `/consent/auth-code`
//! exchanges the forwarded `authCode` (`applyToken`), queries the user
//! (`inquiryUserInfo`), opens a merchant session, and answers the page
//! `{session, user}` — the session id and the public profile, never a token.
//!
//! Configuration comes from the environment; when one of the required variables is
//! missing the exchange is off (the route then validates and stores codes as before) and
//! [`AlipayPlusSetup::from_env`] says so in its startup line:
//! `MPCB_ALIPAYPLUS_BASE_URL`, `MPCB_ALIPAYPLUS_CLIENT_ID`,
//! `MPCB_ALIPAYPLUS_PRIVATE_KEY_FILE` (the merchant's PEM private key),
//! `MPCB_ALIPAYPLUS_PLATFORM_PUBLIC_KEY_FILE` (the platform's PEM public key), optional
//! `MPCB_ALIPAYPLUS_KEY_VERSION` (default `1`), and for wallets that need them
//! `MPCB_ALIPAYPLUS_APPLY_TOKEN_PATH` and `MPCB_ALIPAYPLUS_INQUIRY_USER_INFO_PATH` (default
//! the v2 paths), `MPCB_ALIPAYPLUS_APP_ID`, `MPCB_ALIPAYPLUS_CUSTOMER_BELONGS_TO`. Sessions go to the same SQLite database
//! as the push tokens (`MPCB_PUSH_DB`; in memory when unset).
//!
//! `GET /alipayplus/me` with `Authorization: Bearer <session>` shows what a later request
//! on the session does: the access token is refreshed on the server when it is about to
//! expire, and the profile is queried again with it.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mp_consent_bridge::wire::AuthCodeBody;
use mp_consent_server::alipayplus::session::fresh_session;
use mp_consent_server::alipayplus::{AlipayPlusClient, AlipayPlusConfig, SessionStore, UserInfo};
use mp_consent_server::http::origin_of;
use mp_consent_server::{Secret, SqliteStore, SystemClock};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The variables that must all be set for the exchange.
pub const REQUIRED: [&str; 4] = [
    "MPCB_ALIPAYPLUS_BASE_URL",
    "MPCB_ALIPAYPLUS_CLIENT_ID",
    "MPCB_ALIPAYPLUS_PRIVATE_KEY_FILE",
    "MPCB_ALIPAYPLUS_PLATFORM_PUBLIC_KEY_FILE",
];

/// The Alipay+ client and the session store.
pub struct AlipayPlusSetup {
    client: AlipayPlusClient,
    sessions: Arc<dyn SessionStore>,
    purge: crate::Every,
}

impl std::fmt::Debug for AlipayPlusSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlipayPlusSetup").field("client", &self.client).finish_non_exhaustive()
    }
}

impl AlipayPlusSetup {
    /// A setup from parts (tests).
    pub fn new(client: AlipayPlusClient, sessions: Arc<dyn SessionStore>) -> Self {
        AlipayPlusSetup { client, sessions, purge: crate::Every::default() }
    }

    /// Reads the environment through `get`; returns the setup when every required
    /// variable is set and usable, and one startup line saying what is enabled.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> (Option<AlipayPlusSetup>, String) {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let off = |why: String| {
            (None, format!("alipayplus: applyToken exchange disabled ({why}); /consent/auth-code validates and stores codes only"))
        };
        let missing: Vec<&str> = REQUIRED.into_iter().filter(|k| var(k).is_none()).collect();
        if !missing.is_empty() {
            return off(format!("{} not set", missing.join(", ")));
        }
        let read = |k: &str| {
            let path = var(k).unwrap_or_default();
            std::fs::read_to_string(&path).map(Secret::new).map_err(|e| format!("{k}: cannot read {path}: {e}"))
        };
        let (key, platform) = match (read(REQUIRED[2]), read(REQUIRED[3])) {
            (Ok(k), Ok(p)) => (k, p),
            (Err(e), _) | (_, Err(e)) => return off(e),
        };
        let base = var(REQUIRED[0]).unwrap_or_default();
        let version = var("MPCB_ALIPAYPLUS_KEY_VERSION").unwrap_or_else(|| "1".into());
        let config = AlipayPlusConfig::new(
            &var(REQUIRED[1]).unwrap_or_default(),
            key.expose(),
            platform.expose(),
            &version,
            &base,
        );
        let config = config.and_then(|mut c| {
            if let Some(apply) = var("MPCB_ALIPAYPLUS_APPLY_TOKEN_PATH") {
                let inquiry = var("MPCB_ALIPAYPLUS_INQUIRY_USER_INFO_PATH")
                    .unwrap_or_else(|| mp_consent_server::alipayplus::config::DEFAULT_INQUIRY_USER_INFO_PATH.into());
                c = c.with_paths(&apply, &inquiry)?;
            } else if let Some(inquiry) = var("MPCB_ALIPAYPLUS_INQUIRY_USER_INFO_PATH") {
                c = c.with_paths(mp_consent_server::alipayplus::config::DEFAULT_APPLY_TOKEN_PATH, &inquiry)?;
            }
            if let Some(app) = var("MPCB_ALIPAYPLUS_APP_ID") {
                c = c.with_app_id(&app)?;
            }
            if let Some(wallet) = var("MPCB_ALIPAYPLUS_CUSTOMER_BELONGS_TO") {
                c = c.with_customer_belongs_to(&wallet)?;
            }
            Ok(c)
        });
        let client = match config.and_then(AlipayPlusClient::with_defaults) {
            Ok(c) => c,
            Err(e) => return off(e.message().to_owned()),
        };
        let store = match var("MPCB_PUSH_DB") {
            Some(path) => SqliteStore::open(&path),
            None => SqliteStore::open_in_memory(),
        };
        match store {
            Ok(store) => (
                Some(AlipayPlusSetup { client, sessions: Arc::new(store), purge: crate::Every::default() }),
                format!("alipayplus: applyToken and inquiryUserInfo enabled against {}", origin_of(&base)),
            ),
            Err(e) => off(format!("session store: {}", e.message())),
        }
    }
}

/// Exchanges a forwarded auth code: `applyToken`, `inquiryUserInfo`, a new session.
/// Returns the fields added to the page's answer, or the error answer.
pub async fn exchange(setup: &AlipayPlusSetup, body: &AuthCodeBody) -> Result<Value, Response> {
    let err = |e: mp_consent_server::Error| crate::binance::error_response(&e);
    let grant = setup.client.apply_token(&body.auth_code).await.map_err(err)?;
    let user = setup.client.inquiry_user_info(&grant.access_token).await.map_err(err)?;
    if setup.purge.due() {
        // Housekeeping: a failure here is the session write's to report.
        let _ = setup.sessions.purge_expired_sessions(crate::now_ms());
    }
    let session = setup.sessions.create_session(&grant).map_err(err)?;
    Ok(json!({ "session": session.expose(), "user": public_profile(&user) }))
}

/// The public profile only: the user id and what the scopes allowed of name and avatar.
fn public_profile(user: &UserInfo) -> Value {
    let mut profile = Map::new();
    profile.insert("userId".into(), json!(user.user_id));
    if let Some(n) = &user.nick_name {
        profile.insert("nickName".into(), json!(n));
    }
    if let Some(a) = &user.avatar {
        profile.insert("avatar".into(), json!(a));
    }
    Value::Object(profile)
}

/// `GET /alipayplus/me`: the session's user, queried with its (refreshed if needed) access
/// token. 401 `SESSION_UNKNOWN` without a live session.
pub async fn me(setup: &AlipayPlusSetup, headers: &HeaderMap) -> Response {
    let id = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let err = |e: mp_consent_server::Error| crate::binance::error_response(&e);
    let session = match fresh_session(&setup.client, setup.sessions.as_ref(), &SystemClock, id).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            let body = json!({"code": "SESSION_UNKNOWN", "message": "no live session with this id; sign in again", "success": false});
            return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
        }
        Err(e) => return err(e),
    };
    match setup.client.inquiry_user_info(&session.access_token).await {
        Ok(user) => Json(json!({ "user": public_profile(&user) })).into_response(),
        Err(e) => err(e),
    }
}
