//! The simulator's routes.

use super::state::{
    CodeEntry, FaultKind, Received, Shared, TokenEntry, ACCESS_LIFETIME_MS, CODE_LIFETIME_MS, REFRESH_LIFETIME_MS,
    REQUEST_TIME_WINDOW_MS,
};
use crate::alipayplus::sign::SignatureHeader;
use crate::alipayplus::timefmt::{format_ms, parse_ms};
use crate::alipayplus::wire::{ApplyTokenRequest, GrantType, InquiryUserInfoRequest};
use crate::clock::{Clock, SystemClock};
use crate::sim_kit::{bad, cors};
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Largest request body the simulator reads (the platform documents fields of at most a
/// few kilobytes).
const MAX_BODY: usize = 16 * 1024;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// How to sign an answer.
#[derive(Clone, Copy, PartialEq)]
enum Signing {
    Good,
    Bad,
    None,
}

/// A signed platform answer (HTTP 200, as the platform answers `S`, `F` and `U` alike).
fn answer(s: &Shared, path: &str, client_id: &str, body: &Value, signing: Signing) -> Response {
    answer_bytes(s, path, client_id, serde_json::to_vec(body).unwrap_or_default(), signing)
}

/// [`answer`] for raw bytes.
fn answer_bytes(s: &Shared, path: &str, client_id: &str, bytes: Vec<u8>, signing: Signing) -> Response {
    // The real clock, like the Request-Time check: moving the simulator's clock ages codes
    // and tokens, not its answers (clients refuse a Response-Time far from their clock).
    let time = format_ms(SystemClock.now_ms());
    let mut r = (StatusCode::OK, bytes.clone()).into_response();
    let h = r.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json; charset=UTF-8"));
    if let Ok(v) = HeaderValue::from_str(client_id) {
        h.insert("client-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&time) {
        h.insert("response-time", v);
    }
    let signed_bytes = match signing {
        Signing::Good => Some(bytes),
        // A valid signature over other content: the shape is right, the check must fail.
        Signing::Bad => Some(b"{\"tampered\":true}".to_vec()),
        Signing::None => None,
    };
    if let Some(content) = signed_bytes {
        if let Ok(sig) = s.config.platform_key.signature_header("POST", path, client_id, &time, &content) {
            if let Ok(v) = HeaderValue::from_str(&sig) {
                h.insert("signature", v);
            }
        }
    }
    r
}

fn result(status: &str, code: &str, message: &str) -> Value {
    json!({"resultStatus": status, "resultCode": code, "resultMessage": message})
}

fn failure(code: &str, message: &str) -> Value {
    json!({ "result": result("F", code, message) })
}

/// Checks `Client-Id`, `Request-Time` and `Signature` exactly; `Err` is the `F` answer.
fn verify(s: &Shared, path: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), Value> {
    let cfg = &s.config;
    let client_id = header(headers, "client-id").unwrap_or_default();
    if client_id != cfg.client_id {
        return Err(failure("INVALID_AUTH_CLIENT", "Client-Id is missing or unknown"));
    }
    if !header(headers, "content-type").is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json")) {
        return Err(failure("PARAM_ILLEGAL", "Content-Type must be application/json"));
    }
    let time = header(headers, "request-time").unwrap_or_default();
    let Some(sent) = parse_ms(time) else {
        return Err(failure("INVALID_SIGNATURE", "Request-Time is missing or not ISO 8601 with an offset"));
    };
    // Freshness is checked against the real clock: moving the simulator's clock ages codes
    // and tokens, not the merchant's requests.
    if sent.abs_diff(SystemClock.now_ms()) > REQUEST_TIME_WINDOW_MS {
        return Err(failure("INVALID_SIGNATURE", "Request-Time is too far from the platform's clock"));
    }
    let Some(sig) = header(headers, "signature") else {
        return Err(failure("INVALID_SIGNATURE", "the Signature header is missing"));
    };
    let parsed = match SignatureHeader::parse(sig) {
        Ok(p) => p,
        Err(e) => return Err(failure("INVALID_SIGNATURE", &e.describe())),
    };
    if !parsed.url_encoded {
        return Err(failure("INVALID_SIGNATURE", "the signature value must be URL-encoded"));
    }
    if parsed.key_version.as_deref().is_some_and(|v| v != cfg.merchant_key_version) {
        return Err(failure("KEY_NOT_FOUND", "no key with this keyVersion"));
    }
    let content = crate::alipayplus::sign::content_to_sign("POST", path, client_id, time, body);
    if cfg.merchant_key.verify_raw(&content, &parsed.signature).is_err() {
        return Err(failure("INVALID_SIGNATURE", "the signature does not verify"));
    }
    Ok(())
}

/// The `resultCode` of an answer.
fn code_of(v: &Value) -> &str {
    v.get("result").and_then(|r| r.get("resultCode")).and_then(Value::as_str).unwrap_or_default()
}

/// Shared front half of both APIs: faults, verification, recording.
// The error is the ready-made answer; boxing it would only add noise to a handler helper.
#[allow(clippy::result_large_err)]
fn front(s: &Shared, api: &str, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<(Signing, String), Response> {
    let path = uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| uri.path().to_owned());
    let echo = header(headers, "client-id")
        .filter(|c| !c.is_empty() && c.len() <= 128 && c.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or(&s.config.client_id)
        .to_owned();
    let fault = s.lock().faults.take(api);
    let record = |code: &str| record(s, api, headers, body, code);
    if let Some(FaultKind::Http500) = fault {
        record("HTTP_500");
        return Err((StatusCode::INTERNAL_SERVER_ERROR, "upstream failure (scripted)").into_response());
    }
    if body.len() > MAX_BODY {
        record("PARAM_ILLEGAL");
        return Err(answer(s, &path, &echo, &failure("PARAM_ILLEGAL", "the body is too large"), Signing::Good));
    }
    if let Err(f) = verify(s, &path, headers, body) {
        record(code_of(&f));
        return Err(answer(s, &path, &echo, &f, Signing::Good));
    }
    let signing = match fault {
        Some(FaultKind::Unknown { result_code }) => {
            let code = result_code.unwrap_or_else(|| "UNKNOWN_EXCEPTION".into());
            record(&code);
            let v = json!({"result": result("U", &code, "unknown result (scripted); retry the same request")});
            return Err(answer(s, &path, &echo, &v, Signing::Good));
        }
        Some(FaultKind::Failure { result_code }) => {
            record(&result_code);
            return Err(answer(s, &path, &echo, &failure(&result_code, "scripted failure"), Signing::Good));
        }
        Some(FaultKind::Malformed) => {
            record("MALFORMED");
            return Err(answer_bytes(s, &path, &echo, b"<html>not json</html>".to_vec(), Signing::Good));
        }
        Some(FaultKind::BadSignature) => Signing::Bad,
        Some(FaultKind::Unsigned) => Signing::None,
        _ => Signing::Good,
    };
    Ok((signing, path))
}

/// Remembers a request and the result code it got.
fn record(s: &Shared, api: &str, headers: &HeaderMap, body: &[u8], code: &str) {
    let mut inner = s.lock();
    inner.received.push(Received {
        api: api.into(),
        body: String::from_utf8_lossy(body).into_owned(),
        request_time: header(headers, "request-time").map(str::to_owned),
        signature: header(headers, "signature").map(str::to_owned),
        result_code: code.into(),
    });
    inner.bound();
}

/// Records a processed request and sends its answer.
fn finish(s: &Shared, api: &str, headers: &HeaderMap, body: &[u8], path: &str, signing: Signing, v: Value) -> Response {
    record(s, api, headers, body, code_of(&v));
    answer(s, path, &s.config.client_id, &v, signing)
}

/// Waits when a `slow` fault is next for `api` (before anything else, like a slow network).
async fn maybe_slow(s: &Shared, api: &str) {
    let ms = {
        let mut inner = s.lock();
        match inner.faults.next(api).cloned() {
            Some(FaultKind::Slow { ms }) => {
                inner.faults.take(api);
                Some(ms.min(30_000))
            }
            _ => None,
        }
    };
    if let Some(ms) = ms {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

pub async fn apply_token(
    State(s): State<Shared>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    maybe_slow(&s, "applyToken").await;
    let (signing, path) = match front(&s, "applyToken", &uri, &headers, &body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let v = match serde_json::from_slice::<ApplyTokenRequest>(&body) {
        Err(_) => failure("PARAM_ILLEGAL", "the body is not an applyToken request"),
        Ok(req) if req.auth_client_id != s.config.client_id => {
            failure("INVALID_AUTH_CLIENT", "authClientId is not this client")
        }
        Ok(req) => grant(&s, &req),
    };
    finish(&s, "applyToken", &headers, &body, &path, signing, v)
}

fn grant(s: &Shared, req: &ApplyTokenRequest) -> Value {
    let now = s.now_ms();
    let mut inner = s.lock();
    let (user_id, scopes) = match req.grant_type {
        GrantType::AuthorizationCode => {
            let Some(code) = req.auth_code.as_deref().filter(|c| !c.is_empty()) else {
                return failure("PARAM_ILLEGAL", "authCode is required with AUTHORIZATION_CODE");
            };
            let Some(entry) = inner.codes.get_mut(code) else {
                return failure("INVALID_AUTH_CODE", "the authCode is unknown");
            };
            if entry.used {
                return failure("USED_CODE", "the authCode was already used");
            }
            if entry.expires_at_ms <= now {
                return failure("EXPIRED_CODE", "the authCode expired");
            }
            entry.used = true;
            (entry.user_id.clone(), entry.scopes.clone())
        }
        GrantType::RefreshToken => {
            let Some(token) = req.refresh_token.as_deref().filter(|c| !c.is_empty()) else {
                return failure("PARAM_ILLEGAL", "refreshToken is required with REFRESH_TOKEN");
            };
            let Some(entry) = inner.refresh.get_mut(token) else {
                return failure("INVALID_REFRESH_TOKEN", "the refreshToken is unknown");
            };
            if entry.used {
                return failure("USED_REFRESH_TOKEN", "the refreshToken was already used");
            }
            if entry.expires_at_ms <= now {
                return failure("EXPIRED_REFRESH_TOKEN", "the refreshToken expired");
            }
            entry.used = true;
            (entry.user_id.clone(), entry.scopes.clone())
        }
    };
    let access = inner.mint("AT");
    let refresh = inner.mint("RT");
    let entry = |lifetime: u64| TokenEntry {
        user_id: user_id.clone(),
        scopes: scopes.clone(),
        expires_at_ms: now + lifetime,
        used: false,
    };
    inner.access.insert(access.clone(), entry(ACCESS_LIFETIME_MS));
    inner.refresh.insert(refresh.clone(), entry(REFRESH_LIFETIME_MS));
    inner.bound();
    json!({
        "result": result("S", "SUCCESS", "success"),
        "accessToken": access,
        "accessTokenExpiryTime": format_ms(now + ACCESS_LIFETIME_MS),
        "refreshToken": refresh,
        "refreshTokenExpiryTime": format_ms(now + REFRESH_LIFETIME_MS),
        "customerId": user_id,
    })
}

pub async fn inquiry_user_info(
    State(s): State<Shared>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    maybe_slow(&s, "inquiryUserInfo").await;
    let (signing, path) = match front(&s, "inquiryUserInfo", &uri, &headers, &body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let now = s.now_ms();
    let v = match serde_json::from_slice::<InquiryUserInfoRequest>(&body) {
        Err(_) => failure("PARAM_ILLEGAL", "the body is not an inquiryUserInfo request"),
        Ok(req) if req.auth_client_id != s.config.client_id => {
            failure("INVALID_AUTH_CLIENT", "authClientId is not this client")
        }
        Ok(req) => match s.lock().access.get(&req.access_token) {
            None => failure("INVALID_ACCESS_TOKEN", "the accessToken is unknown"),
            Some(t) if t.expires_at_ms <= now => failure("EXPIRED_ACCESS_TOKEN", "the accessToken expired"),
            Some(t) => json!({"result": result("S", "SUCCESS", "success"), "userInfo": profile(&t.user_id, &t.scopes)}),
        },
    };
    finish(&s, "inquiryUserInfo", &headers, &body, &path, signing, v)
}

/// The simulated user's profile, limited to what the scopes allow.
fn profile(user_id: &str, scopes: &[String]) -> Value {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut p = Map::new();
    p.insert("userId".into(), json!(user_id));
    p.insert("status".into(), json!("ACTIVE"));
    if has("USER_NICKNAME") || has("auth_user") {
        p.insert("nickName".into(), json!(format!("Sim user {}", user_id.chars().rev().take(4).collect::<String>())));
    }
    if has("USER_AVATAR") || has("auth_user") {
        p.insert("avatar".into(), json!(format!("https://sim.invalid/avatar/{user_id}.png")));
    }
    let mut ids = Vec::new();
    if has("PLAINTEXT_MOBILE_PHONE") {
        ids.push(json!({"loginId": "63-9170000001", "loginIdType": "MOBILE_PHONE"}));
    }
    if has("HASH_LOGIN_ID") {
        ids.push(json!({"hashLoginId": format!("h{user_id}"), "loginIdType": "MOBILE_PHONE"}));
    }
    if !ids.is_empty() {
        p.insert("loginIdInfos".into(), Value::Array(ids));
    }
    Value::Object(p)
}

/// Body of `POST /sim/auth-code`: what the user ticked in the host's consent sheet.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthCodeAsk {
    /// Scopes the page asked for and the user accepted.
    scopes: Vec<String>,
    /// Scopes the page asked for and the user declined.
    #[serde(default)]
    declined: Vec<String>,
    /// The simulated user (default `2160000000000001`).
    #[serde(default)]
    user_id: Option<String>,
}

fn scope_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// What `my.getAuthCode` gives the page: `{authCode, authSuccessScopes, authErrorScopes}`.
pub async fn issue_auth_code(State(s): State<Shared>, body: Bytes) -> Response {
    let Ok(ask) = serde_json::from_slice::<AuthCodeAsk>(&body) else {
        return bad("expected {\"scopes\": [...], \"declined\"?: [...], \"userId\"?: \"...\"}");
    };
    if ask.scopes.is_empty() || ask.scopes.len() + ask.declined.len() > 16 {
        return bad("between 1 and 16 scopes");
    }
    if !ask.scopes.iter().chain(&ask.declined).all(|x| scope_ok(x)) {
        return bad("scopes are letters, digits and '_' (at most 64)");
    }
    let user_id = ask.user_id.unwrap_or_else(|| "2160000000000001".into());
    if user_id.is_empty() || user_id.len() > 64 || !user_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return bad("userId: 1 to 64 letters and digits");
    }
    let now = s.now_ms();
    let mut inner = s.lock();
    let code = inner.mint("AC");
    inner.codes.insert(
        code.clone(),
        CodeEntry { user_id, scopes: ask.scopes.clone(), expires_at_ms: now + CODE_LIFETIME_MS, used: false },
    );
    inner.bound();
    // Assumed: a declined scope is reported with the code the platform uses for scopes
    // not granted ("40006" in the documentation's example).
    let errors: Map<String, Value> = ask.declined.iter().map(|d| (d.clone(), json!("40006"))).collect();
    cors(Json(json!({"authCode": code, "authSuccessScopes": ask.scopes, "authErrorScopes": errors})).into_response())
}

pub async fn received(State(s): State<Shared>) -> Response {
    let list = s.lock().received.clone();
    cors(Json(json!(list)).into_response())
}

pub async fn reset(State(s): State<Shared>) -> Response {
    let mut inner = s.lock();
    inner.faults.clear();
    inner.received.clear();
    cors(Json(json!({"ok": true})).into_response())
}
