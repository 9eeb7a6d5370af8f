//! The simulator's routes.

use super::state::{
    openid_of, FaultKind, Inner, LoginCode, PhoneCode, SentMessage, Shared, CODE_LIFETIME_MS, RENEW_WINDOW_MS,
    TOKEN_LIFETIME_SECS,
};
use crate::sim_kit::{bad, cors, json_or_default};
use crate::wechat::wire::{PhoneCodeRequest, StableTokenRequest};
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Largest request body read.
const MAX_BODY: usize = 16 * 1024;

/// A WeChat error answer (HTTP 200, as WeChat answers errors).
fn err(errcode: i64, errmsg: &str) -> Value {
    json!({"errcode": errcode, "errmsg": format!("{errmsg} rid: sim")})
}

fn query(uri: &Uri) -> HashMap<String, String> {
    url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()).into_owned().collect()
}

/// Counts the call, waits for a `slow` fault, and returns the answer a fault demands (or
/// `Ok(foreign_watermark)` to go on).
async fn front(s: &Shared, api: &str) -> Result<bool, Response> {
    let fault = {
        let mut inner = s.lock();
        *inner.calls.entry(api.to_owned()).or_default() += 1;
        inner.faults.take(api)
    };
    let fault = match fault {
        Some(FaultKind::Slow { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms.min(30_000))).await;
            None
        }
        other => other,
    };
    let answer = match fault {
        None => return Ok(false),
        Some(FaultKind::ForeignWatermark) => return Ok(true),
        Some(FaultKind::Http500) => {
            return Err((StatusCode::INTERNAL_SERVER_ERROR, "upstream failure (scripted)").into_response())
        }
        Some(FaultKind::Busy) => err(-1, "system error"),
        Some(FaultKind::RateLimit) => err(45011, "api minute-quota reach limit  mustslower  retry next minute"),
        Some(FaultKind::ExpiredToken) => err(42001, "access_token expired"),
        Some(FaultKind::Errcode { errcode, errmsg }) => err(errcode, errmsg.as_deref().unwrap_or("scripted error")),
        Some(FaultKind::Slow { .. }) => return Ok(false),
    };
    Err(Json(answer).into_response())
}

/// Checks the `access_token` query parameter.
fn check_token(s: &Shared, inner: &Inner, uri: &Uri) -> Result<(), Value> {
    let q = query(uri);
    let Some(token) = q.get("access_token").filter(|t| !t.is_empty()) else {
        return Err(err(41001, "access_token missing"));
    };
    if token.len() > 512 || !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'x') {
        return Err(err(40014, "invalid access_token"));
    }
    match inner.tokens.get(token) {
        None => Err(err(40001, "invalid credential, access_token is invalid or not latest")),
        Some(&expires) if expires <= s.now_ms() => Err(err(42001, "access_token expired")),
        Some(_) => Ok(()),
    }
}

fn mint_token(s: &Shared, inner: &mut Inner) -> String {
    let token = inner.mint("AT_");
    inner.tokens.insert(token.clone(), s.now_ms() + TOKEN_LIFETIME_SECS * 1000);
    inner.current = Some(token.clone());
    inner.bound();
    token
}

pub async fn stable_token(State(s): State<Shared>, body: Bytes) -> Response {
    if let Err(r) = front(&s, "stable_token").await {
        return r;
    }
    let v = match serde_json::from_slice::<StableTokenRequest>(&body) {
        Err(_) => err(47001, "data format error"),
        Ok(r) if r.grant_type != "client_credential" => err(40002, "invalid grant_type"),
        Ok(r) if r.appid != s.config.app_id => err(40013, "invalid appid"),
        Ok(r) if r.secret != s.config.app_secret => err(40125, "invalid appsecret"),
        Ok(r) => {
            let now = s.now_ms();
            let mut inner = s.lock();
            if r.force_refresh {
                inner.forced_refreshes += 1;
                if let Some(old) = inner.current.take() {
                    inner.tokens.remove(&old);
                }
            }
            let reusable = inner
                .current
                .clone()
                .and_then(|t| inner.tokens.get(&t).map(|&e| (t, e)))
                .filter(|(_, e)| *e > now + RENEW_WINDOW_MS);
            let (token, expires) = match reusable {
                Some(pair) => pair,
                None => {
                    let t = mint_token(&s, &mut inner);
                    (t, now + TOKEN_LIFETIME_SECS * 1000)
                }
            };
            json!({"access_token": token, "expires_in": expires.saturating_sub(now) / 1000})
        }
    };
    Json(v).into_response()
}

pub async fn jscode2session(State(s): State<Shared>, OriginalUri(uri): OriginalUri) -> Response {
    if let Err(r) = front(&s, "jscode2session").await {
        return r;
    }
    let q = query(&uri);
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let v = if get("appid") != s.config.app_id {
        err(40013, "invalid appid")
    } else if get("secret") != s.config.app_secret {
        err(40125, "invalid appsecret")
    } else if get("grant_type") != "authorization_code" {
        err(40002, "invalid grant_type")
    } else if get("js_code").is_empty() {
        err(41008, "missing code")
    } else {
        let now = s.now_ms();
        let mut inner = s.lock();
        match inner.login_codes.get_mut(get("js_code")) {
            None => err(40029, "invalid code"),
            Some(c) if c.used => err(40163, "code been used"),
            Some(c) if c.expires_at_ms <= now => err(40029, "invalid code"),
            Some(c) if c.blocked => {
                c.used = true;
                err(40226, "code blocked")
            }
            Some(c) => {
                c.used = true;
                let (openid, unionid) = (c.openid.clone(), c.unionid.clone());
                let session_key = inner.mint("SK");
                match unionid {
                    Some(u) => json!({"openid": openid, "session_key": session_key, "unionid": u}),
                    None => json!({"openid": openid, "session_key": session_key}),
                }
            }
        }
    };
    Json(v).into_response()
}

pub async fn phone_number(State(s): State<Shared>, OriginalUri(uri): OriginalUri, body: Bytes) -> Response {
    let foreign = match front(&s, "getuserphonenumber").await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let now = s.now_ms();
    let mut inner = s.lock();
    if let Err(v) = check_token(&s, &inner, &uri) {
        return Json(v).into_response();
    }
    let v = match serde_json::from_slice::<PhoneCodeRequest>(&body) {
        Err(_) => err(47001, "data format error"),
        Ok(r) => match inner.phone_codes.get_mut(&r.code) {
            None => err(40029, "invalid code"),
            Some(c) if c.used || c.expires_at_ms <= now => err(40029, "invalid code"),
            Some(c) => {
                c.used = true;
                let appid = if foreign { "wx00000000000000ff".to_owned() } else { s.config.app_id.clone() };
                let pure = c.phone_number.clone();
                json!({"errcode": 0, "errmsg": "ok", "phone_info": {
                    "phoneNumber": if c.country_code == "86" { pure.clone() } else { format!("+{}{}", c.country_code, pure) },
                    "purePhoneNumber": pure,
                    "countryCode": c.country_code,
                    "watermark": {"timestamp": now / 1000, "appid": appid},
                }})
            }
        },
    };
    Json(v).into_response()
}

/// Body of `subscribe/send`, read loosely so each documented rule answers its errcode.
#[derive(Deserialize)]
pub struct SendBody {
    #[serde(default)]
    touser: String,
    #[serde(default)]
    template_id: String,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    data: Value,
}

pub async fn send(State(s): State<Shared>, OriginalUri(uri): OriginalUri, body: Bytes) -> Response {
    if let Err(r) = front(&s, "send").await {
        return r;
    }
    let mut inner = s.lock();
    if let Err(v) = check_token(&s, &inner, &uri) {
        return Json(v).into_response();
    }
    let req = match serde_json::from_slice::<SendBody>(&body) {
        Ok(r) if body.len() <= MAX_BODY => r,
        _ => return Json(err(47001, "data format error")).into_response(),
    };
    if !inner.users.contains_key(&req.touser) {
        return Json(err(40003, "invalid openid")).into_response();
    }
    if req.template_id.is_empty() {
        return Json(err(40037, "invalid template_id")).into_response();
    }
    let bad_key = match req.data.as_object() {
        Some(map) if !map.is_empty() => map.iter().find(|(_, v)| !v.get("value").is_some_and(Value::is_string)),
        _ => return Json(err(47003, "argument invalid! data is empty")).into_response(),
    };
    if let Some((key, _)) = bad_key {
        return Json(err(47003, &format!("argument invalid! data.{key}.value is empty or not a string")))
            .into_response();
    }
    let grant = (req.touser.clone(), req.template_id.clone());
    match inner.grants.get_mut(&grant) {
        Some(n) if *n > 0 => *n -= 1,
        _ => return Json(err(43101, "user refuse to accept the msg")).into_response(),
    }
    inner.serial += 1;
    let msgid = 1_900_000_000_000_000_000 + inner.serial;
    inner.sent.push(SentMessage {
        msgid,
        touser: req.touser,
        template_id: req.template_id,
        page: req.page,
        data: req.data,
    });
    inner.bound();
    Json(json!({"errcode": 0, "errmsg": "ok", "msgid": msgid})).into_response()
}

fn user_ok(u: &str) -> bool {
    !u.is_empty() && u.len() <= 64 && u.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Body of `POST /__sim/login-code`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginAsk {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    unionid: bool,
    #[serde(default)]
    blocked: bool,
}

/// What `wx.login()` gives the page: `{code}` (plus the openid it will map to, for tests).
pub async fn issue_login_code(State(s): State<Shared>, body: Bytes) -> Response {
    let ask: LoginAsk = match json_or_default(&body) {
        Some(a) => a,
        None => return bad("expected {\"user\"?: \"...\", \"unionid\"?: bool, \"blocked\"?: bool}"),
    };
    let user = ask.user.unwrap_or_else(|| "sim-user".into());
    if !user_ok(&user) {
        return bad("user: 1 to 64 letters, digits, '-' and '_'");
    }
    let openid = openid_of(&s.config.app_id, &user);
    let now = s.now_ms();
    let mut inner = s.lock();
    let code = inner.mint("LC");
    let unionid = ask.unionid.then(|| openid_of("union", &user));
    inner.users.insert(openid.clone(), ());
    inner.login_codes.insert(
        code.clone(),
        LoginCode {
            openid: openid.clone(),
            unionid,
            blocked: ask.blocked,
            expires_at_ms: now + CODE_LIFETIME_MS,
            used: false,
        },
    );
    inner.bound();
    cors(Json(json!({"code": code, "errMsg": "login:ok", "openid": openid})).into_response())
}

/// Body of `POST /__sim/phone-code`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhoneAsk {
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    country_code: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

/// What the `getPhoneNumber` button's event gives the page: `detail.code`.
pub async fn issue_phone_code(State(s): State<Shared>, body: Bytes) -> Response {
    let ask: PhoneAsk = match json_or_default(&body) {
        Some(a) => a,
        None => return bad("expected {\"phoneNumber\"?: digits, \"countryCode\"?: digits, \"user\"?: ...}"),
    };
    let digits = |v: &str, max: usize| !v.is_empty() && v.len() <= max && v.bytes().all(|b| b.is_ascii_digit());
    let phone = ask.phone_number.unwrap_or_else(|| "13800138000".into());
    let country = ask.country_code.unwrap_or_else(|| "86".into());
    if !digits(&phone, 20) || !digits(&country, 4) || ask.user.as_deref().is_some_and(|u| !user_ok(u)) {
        return bad("phoneNumber: up to 20 digits, countryCode: up to 4 digits");
    }
    let now = s.now_ms();
    let mut inner = s.lock();
    let code = inner.mint("PC");
    inner.phone_codes.insert(
        code.clone(),
        PhoneCode { phone_number: phone, country_code: country, expires_at_ms: now + CODE_LIFETIME_MS, used: false },
    );
    inner.bound();
    cors(Json(json!({"code": code, "errMsg": "getPhoneNumber:ok"})).into_response())
}

/// Body of `POST /__sim/subscribe`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscribeAsk {
    #[serde(default)]
    user: Option<String>,
    verdicts: HashMap<String, String>,
}

/// What the user answered in `wx.requestSubscribeMessage`: each `accept` allows one send.
pub async fn subscribe(State(s): State<Shared>, body: Bytes) -> Response {
    let Ok(ask) = serde_json::from_slice::<SubscribeAsk>(&body) else {
        return bad(
            "expected {\"user\"?: \"...\", \"verdicts\": {\"tmplId\": \"accept\" | \"reject\" | \"ban\" | \"filter\"}}",
        );
    };
    let user = ask.user.unwrap_or_else(|| "sim-user".into());
    let verdict_ok = |v: &str| matches!(v, "accept" | "reject" | "ban" | "filter");
    // Documented: at most 3 templates per call.
    if ask.verdicts.is_empty()
        || ask.verdicts.len() > 3
        || !user_ok(&user)
        || !ask.verdicts.iter().all(|(k, v)| !k.is_empty() && k.len() <= 128 && verdict_ok(v))
    {
        return bad("1 to 3 template ids, each accept, reject, ban or filter");
    }
    let openid = openid_of(&s.config.app_id, &user);
    let mut inner = s.lock();
    let mut answer = Map::new();
    answer.insert("errMsg".into(), json!("requestSubscribeMessage:ok"));
    for (template, verdict) in ask.verdicts {
        if verdict == "accept" {
            *inner.grants.entry((openid.clone(), template.clone())).or_default() += 1;
        }
        answer.insert(template, json!(verdict));
    }
    inner.bound();
    cors(Json(Value::Object(answer)).into_response())
}

pub async fn sent(State(s): State<Shared>) -> Response {
    let list = s.lock().sent.clone();
    cors(Json(json!(list)).into_response())
}

/// Body of `POST /__sim/token`.
#[derive(Deserialize)]
pub struct TokenAction {
    action: String,
}

/// `expire`: the current token expires now (calls with it get `42001`); `rotate`: it is
/// replaced as if another server forced a refresh (calls with it get `40001`).
pub async fn token_action(State(s): State<Shared>, body: Bytes) -> Response {
    let Ok(a) = serde_json::from_slice::<TokenAction>(&body) else {
        return bad("expected {\"action\": \"expire\" | \"rotate\"}");
    };
    let now = s.now_ms();
    let mut inner = s.lock();
    let Some(current) = inner.current.clone() else { return bad("no token was issued yet") };
    match a.action.as_str() {
        "expire" => {
            inner.tokens.insert(current, now);
        }
        "rotate" => {
            inner.tokens.remove(&current);
            mint_token(&s, &mut inner);
        }
        _ => return bad("action: expire or rotate"),
    }
    cors(Json(json!({"ok": true})).into_response())
}

pub async fn stats(State(s): State<Shared>) -> Response {
    let inner = s.lock();
    cors(Json(json!({"calls": inner.calls, "forcedRefreshes": inner.forced_refreshes})).into_response())
}

pub async fn reset(State(s): State<Shared>) -> Response {
    let mut inner = s.lock();
    inner.faults.clear();
    inner.sent.clear();
    inner.calls.clear();
    inner.forced_refreshes = 0;
    cors(Json(json!({"ok": true})).into_response())
}
