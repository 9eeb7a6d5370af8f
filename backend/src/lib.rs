//! Reference merchant backend for mp-consent-bridge.
//!
//! Implements the default routes of the wire format with the crate's own body types,
//! validates bodies, enforces single use and token lifetimes, and answers CORS. A
//! test-only fault mode (off unless enabled) records requests (the last
//! [`MAX_RECEIVED`]), scripts failures through `POST /__test/fault`, exposes what was
//! received at `GET /__test/received`, and audits the client at `GET /__test/violations`
//! (a token in a URL, or one token under two idempotency keys). Without it nothing about
//! a request is kept but the single-use record, which forgets a token once its lifetime
//! (plus [`USED_MARGIN_MS`]) is over and holds at most [`MAX_USED`] tokens.
//!
//! With Binance credentials in the environment (see [`binance`]), the data-token routes
//! also exchange the token with the Binance Open Service and answer what the page needs
//! (the open id; the phone number and email masked), `/consent/subscriptions` keeps the
//! push tokens, and `POST /merchant/binance/send` sends a template message with one.
//!
//! With Alipay+ credentials (see [`alipayplus`]), `/consent/auth-code` exchanges the code
//! (applyToken, inquiryUserInfo) and answers `{session, user}`, never a token.
//!
//! With WeChat credentials (see [`wechat`]), `/consent/login-code` runs code2Session and
//! answers `{openid, unionid?, session}` (never the `session_key`), a WeChat phone code on
//! `/consent/phone-number` answers the masked number, `/consent/subscription-grants`
//! records grants for the session's user, and `POST /merchant/wechat/send` sends.

pub mod alipayplus;
pub mod binance;
pub mod wechat;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mp_consent_bridge::consent::UserProfile;
use mp_consent_bridge::wire::{self, AuthCodeBody, DataTokenBody, SubscriptionGrantsBody, SubscriptionsBody};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Digest as _;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What a scripted failure does.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum FaultKind {
    /// Answer this status (with an optional JSON body, padded to `pad` bytes, and
    /// `Retry-After` seconds).
    #[serde(rename_all = "camelCase")]
    Status {
        status: u16,
        #[serde(default)]
        body: Option<Value>,
        #[serde(default)]
        retry_after: Option<u32>,
        #[serde(default)]
        pad: Option<usize>,
    },
    /// Answer `307 Temporary Redirect` to `location`.
    Redirect { location: String },
    /// Wait this long before handling the request normally.
    Slow { ms: u64 },
    /// Answer 200 with a body that is not JSON.
    Malformed,
    /// Answer 200 with a body over the client's 64 KiB cap.
    Oversized,
    /// Start a response and break the connection.
    Drop,
}

/// One scripted failure, applied to the next `times` consent requests of its scenario.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// What happens.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many requests it applies to.
    pub times: u32,
    /// Only requests whose `X-Test-Scenario` header has this value; any request if absent.
    #[serde(default)]
    pub scenario: Option<String>,
}

/// Header that ties a request to the faults of one test (tests run concurrently).
pub const SCENARIO_HEADER: &str = "x-test-scenario";

/// A request as the backend received it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    /// Path and query exactly as requested.
    pub uri: String,
    /// The `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
    /// All header names and values (lower-case names).
    pub headers: HashMap<String, String>,
    /// The raw body.
    pub body: String,
    /// The status answered (0 while the request is still being handled).
    pub status: u16,
}

/// Most items in one `/consent/subscriptions` body (as many as `/consent/subscription-grants`
/// takes; Binance's subscribe prompt offers 3 templates by default).
pub const MAX_SUBSCRIPTIONS: usize = 20;

/// Most requests the fault mode keeps for `GET /__test/received` (oldest dropped first).
pub const MAX_RECEIVED: usize = 1_000;
/// Most violations and first idempotency keys the fault mode's audit keeps.
pub const MAX_AUDIT: usize = 10_000;
/// Most accepted tokens remembered for single use; when full (after forgetting expired
/// ones) a new token is refused with 503 rather than forgetting one still alive.
pub const MAX_USED: usize = 100_000;
/// How long past a token's own lifetime its single-use record is kept (clock skew and
/// the bridge's 5-second allowance for an `obtainedAt` in the future).
pub const USED_MARGIN_MS: u64 = 60_000;

/// An accepted token: the key and body it came with, the stored answer, and when it may
/// be forgotten.
struct Used {
    key: Option<String>,
    /// [`fingerprint`] of the body: a replay must be the same request, not just the same key.
    body_sha256: [u8; 32],
    answer: Value,
    forget_at_ms: u64,
}

#[derive(Default)]
struct Inner {
    faults: Vec<Fault>,
    received: VecDeque<(u64, Received)>,
    serial: u64,
    /// Token -> the idempotency key it first arrived with (for the audit).
    first_key: HashMap<String, Option<String>>,
    /// What a well-behaved client never does, as seen by this backend.
    violations: Vec<String>,
    /// Token -> what was answered, for consents accepted once.
    used: HashMap<String, Used>,
    /// When [`forget_expired`] next walks `used`.
    next_sweep_ms: u64,
    accepted: u64,
    /// Token -> a lock held while its platform exchange runs, so a client's retry that
    /// arrives meanwhile waits and gets the stored answer instead of racing the platform.
    exchanging: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
}

/// Shared server state.
#[derive(Clone, Default)]
pub struct AppState {
    inner: Arc<Mutex<Inner>>,
    faults_enabled: bool,
    binance: Option<Arc<binance::BinanceSetup>>,
    alipayplus: Option<Arc<alipayplus::AlipayPlusSetup>>,
    wechat: Option<Arc<wechat::WechatSetup>>,
}

/// Stores purge expired rows on the first write and every [`PURGE_EVERY`] writes after
/// (push tokens on `/consent/subscriptions`, Alipay+ sessions on `/consent/auth-code`),
/// so expired rows never pile up in a backend that runs for months.
pub const PURGE_EVERY: u64 = 100;

/// Counts writes; [`Every::due`] says when housekeeping should run.
#[derive(Default)]
pub(crate) struct Every(std::sync::atomic::AtomicU64);

impl Every {
    /// True on the first call and every [`PURGE_EVERY`] calls after.
    pub(crate) fn due(&self) -> bool {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed).is_multiple_of(PURGE_EVERY)
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn cors(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert("access-control-allow-methods", HeaderValue::from_static("POST, GET, OPTIONS"));
    h.insert("access-control-allow-headers", HeaderValue::from_static("*"));
    h.insert("access-control-expose-headers", HeaderValue::from_static("Retry-After"));
    h.insert("access-control-max-age", HeaderValue::from_static("600"));
    response
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message, "data": null, "success": false }))).into_response()
}

/// The consent routes and what each body must be.
#[derive(Clone, Copy)]
enum Route {
    Data(&'static str),
    Subscriptions,
    AuthCode,
    UserInfo,
    LoginCode,
    SubscriptionGrants,
}

/// Validates a body for `route`; returns the secrets it carries (for single use).
// The error is the ready-made answer; boxing it would only add noise to a handler helper.
#[allow(clippy::result_large_err)]
fn validate(route: Route, body: &[u8], now: u64) -> Result<Vec<String>, Response> {
    let bad = |m: &str| error(StatusCode::BAD_REQUEST, "INVALID_BODY", m);
    match route {
        Route::Data(_) => {
            let b: DataTokenBody = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
            if b.data_token.is_empty() {
                return Err(bad("dataToken is empty"));
            }
            if b.obtained_at > now + 5_000 {
                return Err(bad("obtainedAt is in the future"));
            }
            let name = match route {
                Route::Data(name) => name,
                _ => "",
            };
            let Some(lifetime) = wechat::data_token_lifetime(name, b.platform) else {
                return Err(bad("this platform issues no such data token"));
            };
            if now.saturating_sub(b.obtained_at) > lifetime {
                return Err(error(StatusCode::GONE, "900200", "data token expired"));
            }
            Ok(vec![b.data_token])
        }
        Route::Subscriptions => {
            let b: SubscriptionsBody = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
            if b.subscriptions.is_empty()
                || b.subscriptions.len() > MAX_SUBSCRIPTIONS
                || b.subscriptions.iter().any(|s| s.template_id.is_empty() || s.push_token.is_empty())
            {
                return Err(bad(&format!(
                    "subscriptions must hold 1 to {MAX_SUBSCRIPTIONS} items, each with templateId and pushToken"
                )));
            }
            Ok(b.subscriptions.into_iter().map(|s| s.push_token).collect())
        }
        Route::AuthCode => {
            let b: AuthCodeBody = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
            if b.auth_code.is_empty() {
                return Err(bad("authCode is empty"));
            }
            Ok(vec![b.auth_code])
        }
        Route::UserInfo => {
            let _: UserProfile = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
            Ok(Vec::new())
        }
        Route::LoginCode => wechat::validate_login_code(body, now),
        Route::SubscriptionGrants => wechat::validate_subscription_grants(body),
    }
}

/// Every secret a body carries, read leniently (the audit must see malformed bodies too).
fn secrets_of(body: &[u8]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else { return Vec::new() };
    let mut out: Vec<String> =
        ["dataToken", "authCode", "loginCode"].iter().filter_map(|k| v[*k].as_str().map(str::to_owned)).collect();
    if let Some(items) = v["subscriptions"].as_array() {
        out.extend(items.iter().filter_map(|i| i["pushToken"].as_str().map(str::to_owned)));
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Records a violation when a token is in the URL or arrives with another idempotency key.
/// (Fault mode only; each record bounded by [`MAX_AUDIT`].)
fn audit(inner: &mut Inner, uri: &Uri, key: &Option<String>, body: &[u8]) {
    let uri = uri.to_string();
    let mut found = Vec::new();
    for secret in secrets_of(body) {
        if uri.contains(&secret) {
            found.push(format!("a token appeared in the URL {}", uri.replace(&secret, "<token>")));
        }
        match inner.first_key.get(&secret) {
            Some(first) if first != key => {
                found.push(format!("a token arrived with idempotency key {key:?} after {first:?}"));
            }
            Some(_) => {}
            None => {
                if inner.first_key.len() >= MAX_AUDIT {
                    // A test run never gets here; a long one forgets old tokens wholesale.
                    inner.first_key.clear();
                }
                inner.first_key.insert(secret, key.clone());
            }
        }
    }
    let room = MAX_AUDIT.saturating_sub(inner.violations.len());
    inner.violations.extend(found.into_iter().take(room));
}

/// Records a request on arrival (fault mode only), dropping the oldest past [`MAX_RECEIVED`].
fn record(inner: &mut Inner, serial: u64, uri: &Uri, key: &Option<String>, headers: &HeaderMap, body: &[u8]) {
    while inner.received.len() >= MAX_RECEIVED {
        inner.received.pop_front();
    }
    inner.received.push_back((
        serial,
        Received {
            uri: uri.to_string(),
            idempotency_key: key.clone(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("<binary>").to_owned()))
                .collect(),
            body: String::from_utf8_lossy(body).into_owned(),
            status: 0,
        },
    ));
}

/// Sends the status line, headers and half a body, then breaks the connection. (An empty
/// reply is not enough: browsers silently retry those on reused keep-alive sockets.)
fn broken_body() -> Response {
    use futures_util::StreamExt;
    let first = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(Bytes::from_static(b"{\"ok\":"))]);
    let broken = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped on purpose"))
    });
    (StatusCode::OK, [("content-type", "application/json")], Body::from_stream(first.chain(broken))).into_response()
}

async fn consent(state: AppState, route: Route, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let key = headers.get(wire::IDEMPOTENCY_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    // In fault mode, recorded on arrival (status 0 until answered), so a request the
    // client gave up on is visible at once. Outside it nothing is recorded.
    let (serial, fault) = {
        let mut inner = state.inner.lock().unwrap_or_else(|p| p.into_inner());
        if !state.faults_enabled {
            drop(inner);
            let response = handle_with_platform(&state, route, key, &headers, &body).await;
            return cors(response);
        }
        inner.serial += 1;
        let serial = inner.serial;
        audit(&mut inner, &uri, &key, &body);
        record(&mut inner, serial, &uri, &key, &headers, &body);
        let scenario = headers.get(SCENARIO_HEADER).and_then(|v| v.to_str().ok());
        let fault = inner
            .faults
            .iter_mut()
            .find(|f| f.times > 0 && (f.scenario.is_none() || f.scenario.as_deref() == scenario))
            .map(|f| {
                f.times -= 1;
                f.kind.clone()
            });
        inner.faults.retain(|f| f.times > 0);
        (serial, fault)
    };
    let response = match fault {
        Some(FaultKind::Status { status, body, retry_after, pad }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut body = body.unwrap_or_else(|| json!({"code": "FAULT", "message": "scripted failure"}));
            if let (Some(pad), Some(obj)) = (pad, body.as_object_mut()) {
                obj.insert("pad".into(), json!("x".repeat(pad)));
            }
            let mut r = (status, Json(body)).into_response();
            if let Some(secs) = retry_after {
                r.headers_mut().insert("retry-after", HeaderValue::from(secs));
            }
            r
        }
        Some(FaultKind::Redirect { location }) => {
            (StatusCode::TEMPORARY_REDIRECT, [("location", location)]).into_response()
        }
        Some(FaultKind::Malformed) => {
            (StatusCode::OK, [("content-type", "application/json")], "{not json").into_response()
        }
        Some(FaultKind::Oversized) => (StatusCode::OK, Json(json!({ "pad": "x".repeat(70 * 1024) }))).into_response(),
        Some(FaultKind::Drop) => broken_body(),
        Some(FaultKind::Slow { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            handle_with_platform(&state, route, key.clone(), &headers, &body).await
        }
        None => handle_with_platform(&state, route, key.clone(), &headers, &body).await,
    };
    let mut inner = state.inner.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, r)) = inner.received.iter_mut().find(|(s, _)| *s == serial) {
        r.status = response.status().as_u16();
    }
    cors(response)
}

/// Whether any of `secrets` was already accepted (the answer is then a replay or a 409).
fn already_used(state: &AppState, secrets: &[String]) -> bool {
    let mut inner = state.inner.lock().unwrap_or_else(|p| p.into_inner());
    forget_expired(&mut inner, now_ms());
    secrets.iter().any(|s| inner.used.contains_key(s))
}

/// [`handle`], with the platform's half first when Binance or Alipay+ is configured: a data
/// token is exchanged (getOpenData), push tokens are stored, or an auth code is exchanged
/// (applyToken, inquiryUserInfo, a session) before the token counts as accepted. Validation
/// and single use come first, so a replay never reaches the platform.
async fn handle_with_platform(
    state: &AppState,
    route: Route,
    key: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let alipayplus = match route {
        Route::AuthCode => state.alipayplus.clone(),
        _ => None,
    };
    let binance = state.binance.clone();
    let wechat = state.wechat.clone().and_then(|setup| {
        let name = match route {
            Route::Data(name) => name,
            Route::LoginCode => "loginCode",
            Route::SubscriptionGrants => "subscriptionGrants",
            _ => "",
        };
        wechat::Call::of(name, body).map(|call| (setup, call))
    });
    if alipayplus.is_none() && binance.is_none() && wechat.is_none() {
        return handle(state, route, key, body, None);
    }
    let arrived = now_ms();
    let secrets = match validate(route, body, arrived) {
        Ok(s) => s,
        Err(r) => return r,
    };
    // One exchange per token at a time (keyed by the first token of the body).
    let lock = secrets.first().map(|t| {
        let mut inner = state.inner.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(inner.exchanging.entry(t.clone()).or_default())
    });
    let _guard = match &lock {
        Some(l) => Some(l.lock().await),
        None => None,
    };
    let response = match (&alipayplus, &binance, &wechat) {
        (_, _, Some((setup, call))) => {
            exchange_wechat(state, setup, call, route, key, headers, body, &secrets, arrived).await
        }
        (Some(setup), _, _) => exchange_auth_code(state, setup, key, body, &secrets, arrived).await,
        (None, Some(setup), _) => exchange_once(state, setup, route, key, headers, body, &secrets, arrived).await,
        (None, None, None) => handle(state, route, key, body, None),
    };
    if let Some(first) = secrets.first() {
        let mut inner = state.inner.lock().unwrap_or_else(|p| p.into_inner());
        // Dropped only when no other request waits on it (ours plus the map's: 2).
        if inner.exchanging.get(first).is_some_and(|l| Arc::strong_count(l) <= 2) {
            inner.exchanging.remove(first);
        }
    }
    response
}

/// The body of [`handle_with_platform`], run while holding the token's exchange lock.
#[allow(clippy::too_many_arguments)]
async fn exchange_once(
    state: &AppState,
    setup: &binance::BinanceSetup,
    route: Route,
    key: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
    secrets: &[String],
    arrived: u64,
) -> Response {
    if already_used(state, secrets) {
        return handle(state, route, key, body, None);
    }
    match route {
        Route::Data(kind) if setup.exchange_enabled() => {
            let Ok(parsed) = serde_json::from_slice::<DataTokenBody>(body) else {
                return handle(state, route, key, body, None);
            };
            match binance::exchange(setup, kind, &parsed).await {
                Ok(extra) => handle_checked_at(state, route, key, body, Some(extra), arrived),
                Err(r) => r,
            }
        }
        Route::Subscriptions => {
            let Ok(parsed) = serde_json::from_slice::<SubscriptionsBody>(body) else {
                return handle(state, route, key, body, None);
            };
            let user = match binance::user_of(headers) {
                Ok(u) => u,
                Err(r) => return r,
            };
            match binance::store_subscriptions(setup, &user, &parsed, now_ms()).await {
                Ok(()) => handle_checked_at(state, route, key, body, None, arrived),
                Err(r) => r,
            }
        }
        _ => handle(state, route, key, body, None),
    }
}

/// `/consent/auth-code` with Alipay+ configured, run while holding the code's exchange
/// lock: single use first (a replay never reaches the platform), then applyToken,
/// inquiryUserInfo and a session; the answer gains `{session, user}`.
async fn exchange_auth_code(
    state: &AppState,
    setup: &alipayplus::AlipayPlusSetup,
    key: Option<String>,
    body: &[u8],
    secrets: &[String],
    arrived: u64,
) -> Response {
    if already_used(state, secrets) {
        return handle(state, Route::AuthCode, key, body, None);
    }
    let Ok(parsed) = serde_json::from_slice::<AuthCodeBody>(body) else {
        return handle(state, Route::AuthCode, key, body, None);
    };
    match alipayplus::exchange(setup, &parsed).await {
        Ok(extra) => handle_checked_at(state, Route::AuthCode, key, body, Some(extra), arrived),
        Err(r) => r,
    }
}

/// A WeChat body with WeChat configured, run while holding the code's exchange lock:
/// single use first (a replay never reaches WeChat), then the exchange; the answer gains
/// what [`wechat::exchange`] returns.
#[allow(clippy::too_many_arguments)]
async fn exchange_wechat(
    state: &AppState,
    setup: &wechat::WechatSetup,
    call: &wechat::Call,
    route: Route,
    key: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
    secrets: &[String],
    arrived: u64,
) -> Response {
    if already_used(state, secrets) {
        return handle(state, route, key, body, None);
    }
    match wechat::exchange(setup, call, key.as_deref(), headers).await {
        Ok(extra) => handle_checked_at(state, route, key, body, Some(extra), arrived),
        Err(r) => r,
    }
}

/// Handles a consent body: validation, single use (replaying the stored answer for the
/// same idempotency key and body; 422 `IDEMPOTENCY_KEY_REUSED` for the same key with
/// another body), and the answer (with `extra` fields merged in). Replays expire with the
/// token's single-use record.
fn handle(state: &AppState, route: Route, key: Option<String>, body: &[u8], extra: Option<Value>) -> Response {
    handle_checked_at(state, route, key, body, extra, now_ms())
}

/// [`handle`] with the body's lifetime checked at `checked_at`: after a platform exchange
/// that is when the request arrived, not now. The exchange succeeded inside the token's
/// lifetime and the platform spent the token, so refusing it as expired afterwards would
/// only throw the user's data away.
fn handle_checked_at(
    state: &AppState,
    route: Route,
    key: Option<String>,
    body: &[u8],
    extra: Option<Value>,
    checked_at: u64,
) -> Response {
    let secrets = match validate(route, body, checked_at) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let now = now_ms();
    let mut inner = state.inner.lock().unwrap_or_else(|p| p.into_inner());
    forget_expired(&mut inner, now);
    let body_sha256 = fingerprint(body);
    for secret in &secrets {
        if let Some(used) = inner.used.get(secret) {
            if key.is_some() && used.key == key && used.body_sha256 == body_sha256 {
                return (StatusCode::OK, Json(used.answer.clone())).into_response();
            }
            if key.is_some() && used.key == key {
                // Stripe's rule: a key names one request; another body under it is refused
                // rather than answered with the first body's answer (which would drop its
                // new tokens silently).
                return idempotency_key_reused();
            }
            return error(StatusCode::CONFLICT, "TOKEN_ALREADY_USED", "this token was already exchanged");
        }
    }
    if inner.used.len().saturating_add(secrets.len()) > MAX_USED {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "BUSY",
            "this backend remembers too many live tokens to accept more; retry later",
        );
    }
    inner.accepted += 1;
    let kind = match route {
        Route::Data(kind) => kind,
        Route::Subscriptions => "subscriptions",
        Route::AuthCode => "authCode",
        Route::UserInfo => "userInfo",
        Route::LoginCode => "loginCode",
        Route::SubscriptionGrants => "subscriptionGrants",
    };
    let mut answer = json!({ "ok": true, "kind": kind, "receipt": format!("r-{}", inner.accepted) });
    if let Route::Subscriptions = route {
        answer["stored"] = json!(secrets.len());
    }
    if let Route::SubscriptionGrants = route {
        let ids = serde_json::from_slice::<SubscriptionGrantsBody>(body).map(|b| b.template_ids.len()).unwrap_or(0);
        answer["stored"] = json!(ids);
    }
    if let (Some(Value::Object(extra)), Some(obj)) = (extra, answer.as_object_mut()) {
        obj.extend(extra);
    }
    let forget_at_ms = forget_at(route, body, now);
    for secret in secrets {
        inner.used.insert(secret, Used { key: key.clone(), body_sha256, answer: answer.clone(), forget_at_ms });
    }
    (StatusCode::OK, Json(answer)).into_response()
}

/// 422 `IDEMPOTENCY_KEY_REUSED`: a key names one request (Stripe's rule).
pub(crate) fn idempotency_key_reused() -> Response {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "IDEMPOTENCY_KEY_REUSED",
        "this Idempotency-Key was used with another body; send a new body with a new key",
    )
}

/// SHA-256 of the body as canonical JSON (sorted keys, no spaces), so a replay that only
/// re-serializes the same request still matches; raw bytes when it is not JSON.
pub(crate) fn fingerprint(body: &[u8]) -> [u8; 32] {
    let canonical = serde_json::from_slice::<Value>(body).ok().and_then(|v| serde_json::to_vec(&v).ok());
    sha2::Sha256::digest(canonical.as_deref().unwrap_or(body)).into()
}

/// When the single-use record of a body's tokens may go: once the platform would refuse
/// them anyway (their lifetime, with the bridge's lifetimes, is over) plus
/// [`USED_MARGIN_MS`]. Counted from acceptance, not from the body's `obtainedAt`: the same
/// token may come back with a later `obtainedAt`, and it was issued before it got here.
fn forget_at(route: Route, body: &[u8], now: u64) -> u64 {
    use mp_consent_bridge::consent::{AUTH_CODE_LIFETIME_MS, LOGIN_CODE_LIFETIME_MS, PUSH_TOKEN_LIFETIME_MS};
    let lifetime = match route {
        Route::Data(name) => serde_json::from_slice::<DataTokenBody>(body)
            .ok()
            .and_then(|b| wechat::data_token_lifetime(name, b.platform))
            .unwrap_or(0),
        Route::LoginCode => LOGIN_CODE_LIFETIME_MS,
        Route::AuthCode => AUTH_CODE_LIFETIME_MS,
        Route::Subscriptions => PUSH_TOKEN_LIFETIME_MS,
        Route::UserInfo | Route::SubscriptionGrants => 0,
    };
    now.saturating_add(lifetime).saturating_add(USED_MARGIN_MS)
}

/// Forgets the single-use records whose tokens are past their lifetime (a full pass at
/// most once a second, so a full record costs one pass a second, not one a request).
fn forget_expired(inner: &mut Inner, now: u64) {
    if now < inner.next_sweep_ms {
        return;
    }
    inner.next_sweep_ms = now.saturating_add(1_000);
    inner.used.retain(|_, u| u.forget_at_ms > now);
}

async fn preflight() -> Response {
    cors(StatusCode::NO_CONTENT.into_response())
}

/// The router: consent routes always, `/__test/*` only when faults are enabled.
pub fn app(faults_enabled: bool) -> Router {
    app_with(faults_enabled, None)
}

/// [`app`] with the Binance exchange, push store and merchant send endpoint.
pub fn app_with(faults_enabled: bool, binance: Option<binance::BinanceSetup>) -> Router {
    app_with_alipayplus(faults_enabled, binance, None)
}

/// [`app_with`] plus the Alipay+ exchange on `/consent/auth-code`.
pub fn app_with_alipayplus(
    faults_enabled: bool,
    binance: Option<binance::BinanceSetup>,
    alipayplus: Option<alipayplus::AlipayPlusSetup>,
) -> Router {
    app_with_platforms(faults_enabled, binance, alipayplus, None)
}

/// [`app_with_alipayplus`] plus the WeChat exchanges and `/merchant/wechat/send`.
pub fn app_with_platforms(
    faults_enabled: bool,
    binance: Option<binance::BinanceSetup>,
    alipayplus: Option<alipayplus::AlipayPlusSetup>,
    wechat: Option<wechat::WechatSetup>,
) -> Router {
    let state = AppState {
        faults_enabled,
        binance: binance.map(Arc::new),
        alipayplus: alipayplus.map(Arc::new),
        wechat: wechat.map(Arc::new),
        ..AppState::default()
    };
    let route = |r: Route| {
        post(move |State(s): State<AppState>, uri: Uri, headers: HeaderMap, body: Bytes| {
            consent(s, r, uri, headers, body)
        })
        .options(preflight)
    };
    let mut router = Router::new()
        .route(wire::ROUTE_PHONE_NUMBER, route(Route::Data("phoneNumber")))
        .route(wire::ROUTE_OPEN_ID, route(Route::Data("openId")))
        .route(wire::ROUTE_EMAIL, route(Route::Data("email")))
        .route(wire::ROUTE_SUBSCRIPTIONS, route(Route::Subscriptions))
        .route(wire::ROUTE_AUTH_CODE, route(Route::AuthCode))
        .route(wire::ROUTE_USER_INFO, route(Route::UserInfo))
        .route(wire::ROUTE_LOGIN_CODE, route(Route::LoginCode))
        .route(wire::ROUTE_SUBSCRIPTION_GRANTS, route(Route::SubscriptionGrants))
        .route(
            "/merchant/wechat/send",
            post(|State(s): State<AppState>, headers: HeaderMap, body: Bytes| async move {
                cors(match &s.wechat {
                    Some(setup) => wechat::merchant_send(setup, &headers, &body).await,
                    None => error(
                        StatusCode::NOT_FOUND,
                        "NOT_CONFIGURED",
                        "set the MPCB_WECHAT_* variables to send WeChat messages",
                    ),
                })
            })
            .options(preflight),
        )
        .route("/health", get(|| async { cors(Json(json!({"ok": true})).into_response()) }))
        .route(
            "/alipayplus/me",
            get(|State(s): State<AppState>, headers: HeaderMap| async move {
                let response = match &s.alipayplus {
                    Some(setup) => alipayplus::me(setup, &headers).await,
                    None => error(StatusCode::NOT_FOUND, "NOT_CONFIGURED", "set the MPCB_ALIPAYPLUS_* variables"),
                };
                cors(response)
            })
            .options(preflight),
        )
        .route(
            "/merchant/binance/send",
            post(|State(s): State<AppState>, headers: HeaderMap, body: Bytes| async move {
                // CORS too: the host simulator page plays the merchant's console in the demo.
                cors(match &s.binance {
                    Some(setup) => binance::merchant_send(setup, &headers, &body).await,
                    None => error(
                        StatusCode::NOT_FOUND,
                        "NOT_CONFIGURED",
                        "set the MPCB_BINANCE_* variables to send Binance messages",
                    ),
                })
            })
            .options(preflight),
        );
    if state.faults_enabled {
        router = router
            .route("/__test/fault", post(add_fault).options(preflight))
            .route("/__test/received", get(received).options(preflight))
            .route("/__test/violations", get(violations).options(preflight))
            .route("/__test/reset", post(reset).options(preflight));
    }
    router
        .fallback(|method: Method| async move {
            if method == Method::OPTIONS {
                preflight().await
            } else {
                cors(error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such route"))
            }
        })
        .with_state(state)
}

async fn add_fault(State(s): State<AppState>, body: Bytes) -> Response {
    match serde_json::from_slice::<Fault>(&body) {
        Ok(fault) => {
            s.inner.lock().unwrap_or_else(|p| p.into_inner()).faults.push(fault);
            cors(Json(json!({"ok": true})).into_response())
        }
        Err(e) => cors(error(StatusCode::BAD_REQUEST, "INVALID_FAULT", &e.to_string())),
    }
}

async fn received(State(s): State<AppState>) -> Response {
    let inner = s.inner.lock().unwrap_or_else(|p| p.into_inner());
    let list: Vec<&Received> = inner.received.iter().map(|(_, r)| r).collect();
    cors(Json(json!(list)).into_response())
}

async fn violations(State(s): State<AppState>) -> Response {
    let inner = s.inner.lock().unwrap_or_else(|p| p.into_inner());
    cors(Json(json!(inner.violations)).into_response())
}

async fn reset(State(s): State<AppState>) -> Response {
    let mut inner = s.inner.lock().unwrap_or_else(|p| p.into_inner());
    inner.faults.clear();
    inner.received.clear();
    cors(Json(json!({"ok": true})).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(faults_enabled: bool) -> AppState {
        AppState { faults_enabled, ..AppState::default() }
    }

    async fn post_open_id(state: &AppState, token: &str) -> StatusCode {
        let body = format!(r#"{{"dataToken":"{token}","obtainedAt":{}}}"#, now_ms());
        let uri: Uri = "/consent/open-id".parse().unwrap_or_default();
        consent(state.clone(), Route::Data("openId"), uri, HeaderMap::new(), Bytes::from(body)).await.status()
    }

    fn inner(state: &AppState) -> std::sync::MutexGuard<'_, Inner> {
        state.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    #[tokio::test]
    async fn without_fault_mode_nothing_about_a_request_is_kept_but_single_use() {
        let s = state(false);
        for i in 0..50 {
            assert_eq!(post_open_id(&s, &format!("t{i}")).await, StatusCode::OK);
        }
        let inner = inner(&s);
        assert_eq!((inner.received.len(), inner.first_key.len(), inner.violations.len()), (0, 0, 0));
        assert_eq!(inner.used.len(), 50);
    }

    #[tokio::test]
    async fn fault_mode_keeps_only_the_latest_requests() {
        let s = state(true);
        for i in 0..MAX_RECEIVED + 10 {
            post_open_id(&s, &format!("t{i}")).await;
        }
        let inner = inner(&s);
        assert_eq!(inner.received.len(), MAX_RECEIVED);
        assert_eq!(inner.received.front().map(|(serial, _)| *serial), Some(11), "the oldest go first");
    }

    #[tokio::test]
    async fn single_use_records_go_once_the_token_lifetime_is_over_and_are_bounded() {
        let s = state(false);
        assert_eq!(post_open_id(&s, "t").await, StatusCode::OK);
        let lifetime = mp_consent_bridge::consent::DATA_TOKEN_LIFETIME_MS + USED_MARGIN_MS;
        {
            let mut inner = inner(&s);
            forget_expired(&mut inner, now_ms() + lifetime - 5_000);
            assert_eq!(inner.used.len(), 1, "kept while the token may still be replayed");
            inner.next_sweep_ms = 0;
            forget_expired(&mut inner, now_ms() + lifetime + 1_000);
            assert_eq!(inner.used.len(), 0, "forgotten once the platform would refuse it anyway");
            for i in 0..MAX_USED {
                let used = Used { key: None, body_sha256: [0; 32], answer: Value::Null, forget_at_ms: u64::MAX };
                inner.used.insert(format!("live-{i}"), used);
            }
        }
        assert_eq!(post_open_id(&s, "one-more").await, StatusCode::SERVICE_UNAVAILABLE, "full: refused, not forgotten");
        assert_eq!(inner(&s).used.len(), MAX_USED);
    }
}
