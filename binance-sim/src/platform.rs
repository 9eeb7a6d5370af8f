//! The platform routes: getOpenData and sendPushMessage, with the documented codes.
//!
//! HTTP statuses are assumed (undocumented): 200 for answers with a business code,
//! 401 for 900002, 400 for 900001, 500 for 900003. Clients must read the envelope's code
//! whatever the status.

use crate::state::{DataKind, Fault, InboxMessage, DATA_TOKEN_MS, PUSH_TOKEN_MS};
use crate::verify::{canonical, verify};
use crate::Simulator;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// Largest request body read, in bytes.
const MAX_BODY: usize = 64 * 1024;

fn envelope(status: StatusCode, code: &str, message: Option<&str>, data: Value) -> Response {
    (status, Json(json!({"code": code, "message": message, "data": data, "success": code == "000000"}))).into_response()
}

fn fail(code: &str, message: &str) -> Response {
    let status = match code {
        "900001" => StatusCode::BAD_REQUEST,
        "900002" => StatusCode::UNAUTHORIZED,
        "900003" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::OK,
    };
    envelope(status, code, Some(message), Value::Null)
}

pub(crate) fn routes(sim: Simulator) -> Router {
    Router::new()
        .route("/mp-api/v1/apps/{app_id}/user-open-data", get(open_data))
        .route("/mp-api/v1/apps/{app_id}/user-open-data/", get(open_data))
        .route("/mp-api/v1/apps/{app_id}/message/send", post(send))
        .route("/mp-api/v1/apps/{app_id}/message/send/", post(send))
        .with_state(sim)
}

/// Counts the call, then checks the JWT and the app id. `Err` is the ready answer.
// The error is the ready-made answer; boxing it would only add noise to a handler helper.
#[allow(clippy::result_large_err)]
fn authenticate(
    sim: &Simulator,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    app_id: &str,
) -> Result<(), Response> {
    let now_secs = {
        let mut s = sim.lock();
        s.calls += 1;
        s.now_ms() / 1000
    };
    let token = headers.get("x-mp-open-api-token").and_then(|v| v.to_str().ok());
    let cr = canonical(method.as_str(), uri.path(), uri.query(), body)
        .ok_or_else(|| fail("900001", "the request path or query is not valid percent-encoded UTF-8"))?;
    verify(token, &sim.config.access_key, &sim.config.secret_key, &cr, now_secs)
        .map_err(|why| fail("900002", &format!("JWT authentication failed: {why}")))?;
    if app_id != sim.config.app_id {
        return Err(fail("900001", "unknown appId"));
    }
    Ok(())
}

fn broken_body() -> Response {
    use futures_util::StreamExt;
    let first = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(Bytes::from_static(b"{\"code\":"))]);
    let broken = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped on purpose"))
    });
    (StatusCode::OK, [("content-type", "application/json")], Body::from_stream(first.chain(broken))).into_response()
}

async fn open_data(
    State(sim): State<Simulator>,
    Path(app_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authenticate(&sim, &method, &uri, &headers, b"", &app_id) {
        return r;
    }
    let fault = {
        let mut s = sim.lock();
        if s.faults.is_empty() {
            None
        } else {
            Some(s.faults.remove(0))
        }
    };
    match fault {
        Some(Fault::Unexpected) => return fail("900003", "unexpected error"),
        Some(Fault::Http503) => return (StatusCode::SERVICE_UNAVAILABLE, "upstream unavailable").into_response(),
        Some(Fault::Malformed) => return (StatusCode::OK, "{not json").into_response(),
        Some(Fault::Oversized) => return (StatusCode::OK, "x".repeat(1 << 20)).into_response(),
        Some(Fault::Drop) => return broken_body(),
        Some(Fault::Slow(ms)) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(Fault::BadUserData) | None => {}
    }
    let token = uri.query().unwrap_or("").split('&').find_map(|p| p.strip_prefix("openData="));
    let Some(token) = token.and_then(|t| percent_encoding::percent_decode_str(t).decode_utf8().ok()) else {
        return fail("900001", "openData is required");
    };
    let plain = {
        let mut s = sim.lock();
        let now = s.now_ms();
        let Some(t) = s.data_tokens.get_mut(token.as_ref()) else {
            return fail("900201", "invalid data token");
        };
        if t.used {
            return fail("900201", "invalid data token");
        }
        if now.saturating_sub(t.issued_ms) >= DATA_TOKEN_MS {
            return fail("900200", "data token expired");
        }
        t.used = true;
        let (user, kind) = (t.user.clone(), t.kind);
        let u = s.user(&user);
        match kind {
            DataKind::OpenId => json!({"openId": u.open_id}).to_string(),
            DataKind::PhoneNumber => u.phone_number.clone(),
            DataKind::Email => json!({"email": u.email}).to_string(),
        }
    };
    if fault == Some(Fault::BadUserData) {
        return envelope(StatusCode::OK, "000000", None, json!({"userData": "not*base64url!"}));
    }
    match sim.config.public_key.pkcs1v15_encrypt(plain.as_bytes()) {
        Ok(ct) => envelope(
            StatusCode::OK,
            "000000",
            None,
            json!({"userData": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ct)}),
        ),
        Err(_) => fail("900003", "could not encrypt userData"),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendBody {
    app_id: String,
    push_token: String,
    template_id: String,
    language: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    parameters: Vec<Value>,
}

async fn send(
    State(sim): State<Simulator>,
    Path(app_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if body.len() > MAX_BODY {
        return fail("900001", "body too large");
    }
    if let Err(r) = authenticate(&sim, &method, &uri, &headers, &body, &app_id) {
        return r;
    }
    let Ok(b) = serde_json::from_slice::<SendBody>(&body) else {
        return fail("900001", "body must be {appId, pushToken, templateId, language, path?, parameters}");
    };
    if b.app_id != sim.config.app_id || b.template_id.is_empty() || b.language.is_empty() {
        return fail("900001", "appId, templateId and language are required");
    }
    let mut s = sim.lock();
    if s.rate_limit > 0 {
        s.rate_limit -= 1;
        return fail("900231", "rate limit");
    }
    let now = s.now_ms();
    let Some(t) = s.push_tokens.get_mut(&b.push_token) else {
        return fail("900230", "invalid or expired pushToken");
    };
    if t.used || t.template != b.template_id || now.saturating_sub(t.issued_ms) >= PUSH_TOKEN_MS {
        return fail("900230", "invalid or expired pushToken");
    }
    t.used = true;
    let user_id = t.user.clone();
    let user = s.user(&user_id).clone();
    let status = if user.refuse_all {
        "900240"
    } else if user.declined.contains(&b.template_id) {
        "900241"
    } else {
        s.inbox.push(InboxMessage {
            user_id,
            template_id: b.template_id,
            language: b.language,
            path: b.path,
            parameters: b.parameters,
            delivered_at: now,
        });
        s.bound();
        "000000"
    };
    envelope(StatusCode::OK, "000000", None, json!({"statusCode": status}))
}
