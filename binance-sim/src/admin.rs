//! Control routes under `/__sim/` (CORS-enabled; loopback only like the rest):
//!
//! - `POST /__sim/data-token` `{userId, kind: "openId"|"phoneNumber"|"email"}` → `{dataToken}`
//! - `POST /__sim/subscribe` `{userId, templateIds, reject?}` → `{[id]: {type, token?}}`
//!   (the shape `bn.requestSubscribeMessage` resolves with)
//! - `POST /__sim/user` `{userId, refuseAll?, declined?, phoneNumber?, email?}` → the user
//! - `POST /__sim/rate-limit` `{times}`; `POST /__sim/faults` `{faults}`;
//!   `POST /__sim/clock` `{advanceMs}`
//! - `GET /__sim/inbox` → delivered messages; `GET /health`

use crate::state::{DataKind, Fault};
use crate::Simulator;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

fn cors(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert("access-control-allow-methods", HeaderValue::from_static("GET, POST, OPTIONS"));
    h.insert("access-control-allow-headers", HeaderValue::from_static("*"));
    r
}

fn ok(v: Value) -> Response {
    cors(Json(v).into_response())
}

fn bad(m: &str) -> Response {
    cors((StatusCode::BAD_REQUEST, Json(json!({"error": m}))).into_response())
}

/// Parses a JSON body or answers 400.
// The error is the ready-made answer; boxing it would only add noise to a handler helper.
#[allow(clippy::result_large_err)]
fn body<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(bytes).map_err(|e| bad(&e.to_string()))
}

fn id_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DataReq {
    user_id: String,
    kind: DataKind,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscribeReq {
    user_id: String,
    template_ids: Vec<String>,
    #[serde(default)]
    reject: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserReq {
    user_id: String,
    refuse_all: Option<bool>,
    declined: Option<Vec<String>>,
    phone_number: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TimesReq {
    times: u32,
}

#[derive(Deserialize)]
struct FaultsReq {
    faults: Vec<Fault>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockReq {
    advance_ms: u64,
}

pub(crate) fn routes(sim: Simulator) -> Router {
    let preflight = || async { cors(StatusCode::NO_CONTENT.into_response()) };
    Router::new()
        .route(
            "/__sim/data-token",
            post(|State(sim): State<Simulator>, b: axum::body::Bytes| async move {
                match body::<DataReq>(&b) {
                    Ok(r) if id_ok(&r.user_id) => ok(json!({"dataToken": sim.issue_data_token(&r.user_id, r.kind)})),
                    Ok(_) => bad("userId must be 1 to 128 bytes"),
                    Err(e) => e,
                }
            })
            .options(preflight),
        )
        .route(
            "/__sim/subscribe",
            post(|State(sim): State<Simulator>, b: axum::body::Bytes| async move {
                let r = match body::<SubscribeReq>(&b) {
                    Ok(r) => r,
                    Err(e) => return e,
                };
                if !id_ok(&r.user_id)
                    || r.template_ids.is_empty()
                    || r.template_ids.len() > 3
                    || !r.template_ids.iter().all(|t| id_ok(t))
                {
                    return bad("userId and 1 to 3 templateIds are required");
                }
                let mut out = Map::new();
                for t in &r.template_ids {
                    let v = if r.reject.contains(t) {
                        json!({"type": "reject"})
                    } else {
                        json!({"type": "accept", "token": sim.issue_push_token(&r.user_id, t)})
                    };
                    out.insert(t.clone(), v);
                }
                ok(Value::Object(out))
            })
            .options(preflight),
        )
        .route(
            "/__sim/user",
            post(|State(sim): State<Simulator>, b: axum::body::Bytes| async move {
                let r = match body::<UserReq>(&b) {
                    Ok(r) if id_ok(&r.user_id) => r,
                    Ok(_) => return bad("userId must be 1 to 128 bytes"),
                    Err(e) => return e,
                };
                let user = sim.set_user(&r.user_id, |u| {
                    if let Some(v) = r.refuse_all {
                        u.refuse_all = v;
                    }
                    if let Some(d) = r.declined {
                        u.declined = d.into_iter().take(100).collect();
                    }
                    if let Some(p) = r.phone_number {
                        u.phone_number = p;
                    }
                    if let Some(e) = r.email {
                        u.email = e;
                    }
                });
                ok(json!(user))
            })
            .options(preflight),
        )
        .route(
            "/__sim/rate-limit",
            post(|State(sim): State<Simulator>, b: axum::body::Bytes| async move {
                match body::<TimesReq>(&b) {
                    Ok(r) => {
                        sim.rate_limit(r.times);
                        ok(json!({"ok": true}))
                    }
                    Err(e) => e,
                }
            })
            .options(preflight),
        )
        .route(
            "/__sim/faults",
            post(|State(sim): State<Simulator>, b: axum::body::Bytes| async move {
                match body::<FaultsReq>(&b) {
                    Ok(r) if r.faults.len() <= 100 => {
                        sim.push_faults(&r.faults);
                        ok(json!({"ok": true}))
                    }
                    Ok(_) => bad("at most 100 faults"),
                    Err(e) => e,
                }
            })
            .options(preflight),
        )
        .route(
            "/__sim/clock",
            post(|State(sim): State<Simulator>, b: axum::body::Bytes| async move {
                match body::<ClockReq>(&b) {
                    Ok(r) => {
                        sim.advance_clock(r.advance_ms);
                        ok(json!({"ok": true}))
                    }
                    Err(e) => e,
                }
            })
            .options(preflight),
        )
        .route(
            "/__sim/inbox",
            get(|State(sim): State<Simulator>| async move { ok(json!(sim.inbox())) }).options(preflight),
        )
        .route("/health", get(|| async { ok(json!({"ok": true})) }))
        .with_state(sim)
}
