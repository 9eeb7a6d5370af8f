//! The reference backend's WeChat half over real HTTP on 127.0.0.1, against the WeChat
//! API simulator: login (code2Session → `{openid, session}`, never the session_key),
//! phone codes (masked number), subscription grants tied to the session, the merchant
//! send (with and without a grant), single use and replays; and strict validation of the
//! new routes without WeChat configured.

mod support;

use support::{serve, Server};

use mp_consent_backend::wechat::WechatSetup;
use mp_consent_server::wechat::simulator::{app as sim_app, SimConfig};
use mp_consent_server::wechat::{WechatClient, WechatConfig};
use mp_consent_server::{Secret, SqliteStore};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

const APP: &str = "wxbackend0000test";
const SECRET: &str = "backend-sim-secret";
const ADMIN: &str = "admin-key-for-tests";

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// `POST path` with a JSON `body`; returns (status, body as JSON or `Null`).
async fn request(addr: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    support::json_request(addr, "POST", path, headers, body).await
}

async fn get(addr: &str, path: &str) -> Value {
    support::json_request(addr, "GET", path, &[], "").await.1
}

/// The simulator and a backend talking to it.
async fn start() -> (Server, Server) {
    let sim = serve(sim_app(SimConfig::new(APP, SECRET))).await;
    let config = WechatConfig::new(APP, Secret::from(SECRET))
        .and_then(|c| c.with_base_url(&format!("http://{}", sim.addr)))
        .expect("config");
    let client = WechatClient::with_defaults(config).expect("client");
    let setup =
        WechatSetup::new(client, Arc::new(SqliteStore::open_in_memory().expect("db")), Some(Secret::from(ADMIN)));
    let backend = serve(mp_consent_backend::app_with_platforms(false, None, None, Some(setup))).await;
    (sim, backend)
}

async fn issue(sim: &Server, path: &str, body: Value) -> Value {
    request(&sim.addr, path, &[], &body.to_string()).await.1
}

fn login_body(code: &str) -> String {
    json!({"loginCode": code, "obtainedAt": now(), "platform": "wechat"}).to_string()
}

#[tokio::test]
async fn login_phone_grants_and_send_end_to_end() {
    let (sim, backend) = start().await;
    let code = issue(&sim, "/__sim/login-code", json!({"user": "ann", "unionid": true})).await;
    let code = code["code"].as_str().expect("code").to_owned();
    let body = login_body(&code);
    let (st, login) = request(&backend.addr, "/consent/login-code", &[("Idempotency-Key", "l1")], &body).await;
    assert_eq!(st, 200, "{login}");
    let session = login["session"].as_str().expect("session").to_owned();
    assert_eq!(session.len(), 43);
    assert!(login["openid"].as_str().is_some_and(|o| o.len() == 28) && login["unionid"].is_string());
    let text = login.to_string();
    assert!(!text.contains("session_key") && !text.contains("\"SK"), "{text}");
    // Replay (the same body under the same key): the same answer, no second code2Session.
    let (st, replay) = request(&backend.addr, "/consent/login-code", &[("Idempotency-Key", "l1")], &body).await;
    assert_eq!((st, &replay), (200, &login));
    let (st, again) =
        request(&backend.addr, "/consent/login-code", &[("Idempotency-Key", "l2")], &login_body(&code)).await;
    assert_eq!((st, again["code"].as_str()), (409, Some("TOKEN_ALREADY_USED")));
    let stats = get(&sim.addr, "/__sim/stats").await;
    assert_eq!(stats["calls"]["jscode2session"], 1);

    // Phone number: masked.
    let phone = issue(&sim, "/__sim/phone-code", json!({"phoneNumber": "13912345678"})).await;
    let body = json!({"dataToken": phone["code"], "obtainedAt": now(), "platform": "wechat"}).to_string();
    let (st, answer) = request(&backend.addr, "/consent/phone-number", &[("Idempotency-Key", "p1")], &body).await;
    assert_eq!(st, 200, "{answer}");
    assert_eq!(answer["phoneNumber"], "139*****678");
    assert!(!answer.to_string().contains("13912345678"));
    let unknown = json!({"dataToken": "PCnever-issued", "obtainedAt": now(), "platform": "wechat"}).to_string();
    let (st, e) = request(&backend.addr, "/consent/phone-number", &[], &unknown).await;
    assert_eq!((st, e["code"].as_str(), e["platformCode"].as_str()), (409, Some("TOKEN_INVALID"), Some("40029")));

    // Grants: need the session; a replay records nothing more.
    let grants = json!({"platform": "wechat", "templateIds": ["TPL_SHIP"], "obtainedAt": now()}).to_string();
    let (st, e) = request(&backend.addr, "/consent/subscription-grants", &[], &grants).await;
    assert_eq!((st, e["code"].as_str()), (401, Some("SESSION_UNKNOWN")));
    let with = [("X-Mpcb-Session", session.as_str()), ("Idempotency-Key", "g1")];
    let (st, recorded) = request(&backend.addr, "/consent/subscription-grants", &with, &grants).await;
    assert_eq!((st, recorded["recorded"].as_u64()), (200, Some(1)), "{recorded}");
    let (st, _) = request(&backend.addr, "/consent/subscription-grants", &with, &grants).await;
    assert_eq!(st, 200);
    // The key names that request: another body, or the same body from another session,
    // under it is refused, never answered with the first request's answer.
    let more = json!({"platform": "wechat", "templateIds": ["TPL_SHIP", "TPL_MORE"], "obtainedAt": now()}).to_string();
    let (st, e) = request(&backend.addr, "/consent/subscription-grants", &with, &more).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("IDEMPOTENCY_KEY_REUSED")), "{e}");
    let elsewhere = [("X-Mpcb-Session", "someone-else"), ("Idempotency-Key", "g1")];
    let (st, e) = request(&backend.addr, "/consent/subscription-grants", &elsewhere, &grants).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("IDEMPOTENCY_KEY_REUSED")), "{e}");
    assert!(e.get("openid").is_none(), "no other user's answer");
    // The user accepted in WeChat's prompt.
    issue(&sim, "/__sim/subscribe", json!({"user": "ann", "verdicts": {"TPL_SHIP": "accept"}})).await;

    let send = json!({"session": session, "templateId": "TPL_SHIP", "page": "pages/order", "data": {"thing1": {"value": "Shipped"}}}).to_string();
    let auth = format!("Bearer {ADMIN}");
    let (st, _) = request(&backend.addr, "/merchant/wechat/send", &[("Authorization", "Bearer wrong")], &send).await;
    assert_eq!(st, 401);
    let (st, sent) = request(&backend.addr, "/merchant/wechat/send", &[("Authorization", &auth)], &send).await;
    assert_eq!((st, sent["outcome"].as_str()), (200, Some("sent")), "{sent}");
    let (st, e) = request(&backend.addr, "/merchant/wechat/send", &[("Authorization", &auth)], &send).await;
    assert_eq!((st, e["code"].as_str()), (404, Some("NOT_SUBSCRIBED")), "the replayed grant was not counted twice");
    let messages = get(&sim.addr, "/__sim/sent").await;
    assert_eq!(messages.as_array().map(Vec::len), Some(1));
    assert_eq!(messages[0]["touser"], login["openid"]);

    // A grant recorded by the backend, but never accepted in WeChat: WeChat answers 43101.
    let other = json!({"platform": "wechat", "templateIds": ["TPL_NEVER"], "obtainedAt": now()}).to_string();
    request(&backend.addr, "/consent/subscription-grants", &[("X-Mpcb-Session", session.as_str())], &other).await;
    let send = json!({"session": session, "templateId": "TPL_NEVER", "data": {"thing1": {"value": "x"}}}).to_string();
    let (st, e) = request(&backend.addr, "/merchant/wechat/send", &[("Authorization", &auth)], &send).await;
    assert_eq!((st, e["platformCode"].as_str()), (404, Some("43101")), "{e}");
}

#[tokio::test]
async fn wechat_failures_are_typed_and_never_leak() {
    let (sim, backend) = start().await;
    let blocked = issue(&sim, "/__sim/login-code", json!({"user": "eve", "blocked": true})).await;
    let (st, e) =
        request(&backend.addr, "/consent/login-code", &[], &login_body(blocked["code"].as_str().expect("c"))).await;
    assert_eq!((st, e["code"].as_str(), e["platformCode"].as_str()), (403, Some("USER_BLOCKED"), Some("40226")));
    let code = issue(&sim, "/__sim/login-code", json!({"user": "eve"})).await["code"].as_str().expect("c").to_owned();
    issue(&sim, "/__sim/fault", json!({"kind": "rateLimit", "api": "jscode2session", "times": 1})).await;
    let (st, e) = request(&backend.addr, "/consent/login-code", &[], &login_body(&code)).await;
    assert_eq!((st, e["code"].as_str()), (429, Some("RATE_LIMITED")));
    assert!(!e.to_string().contains(&code) && !e.to_string().contains(SECRET));
    // Expired before it reached the backend: WeChat is never asked.
    let old = json!({"loginCode": code, "obtainedAt": now() - 301_000, "platform": "wechat"}).to_string();
    let (st, _) = request(&backend.addr, "/consent/login-code", &[], &old).await;
    assert_eq!(st, 410);
    assert_eq!(get(&sim.addr, "/__sim/stats").await["calls"]["jscode2session"], 2);
}

#[tokio::test]
async fn without_wechat_the_new_routes_validate_strictly_and_record() {
    let backend = serve(mp_consent_backend::app(false)).await;
    let (st, first) =
        request(&backend.addr, "/consent/login-code", &[("Idempotency-Key", "a")], &login_body("lc-1")).await;
    assert_eq!((st, first["kind"].as_str()), (200, Some("loginCode")));
    assert!(first.get("session").is_none());
    let (st, _) = request(&backend.addr, "/consent/login-code", &[("Idempotency-Key", "b")], &login_body("lc-1")).await;
    assert_eq!(st, 409);
    for bad in [
        json!({"loginCode": "x", "obtainedAt": now()}),
        json!({"loginCode": "x", "obtainedAt": now(), "platform": "alipay"}),
        json!({"loginCode": "", "obtainedAt": now(), "platform": "wechat"}),
        json!({"loginCode": "x", "obtainedAt": now(), "platform": "wechat", "extra": 1}),
        json!({"loginCode": "x", "obtainedAt": now() + 60_000, "platform": "wechat"}),
    ] {
        assert_eq!(request(&backend.addr, "/consent/login-code", &[], &bad.to_string()).await.0, 400, "{bad}");
    }
    let ok = json!({"platform": "wechat", "templateIds": ["a", "b"], "obtainedAt": now()}).to_string();
    let (st, answer) = request(&backend.addr, "/consent/subscription-grants", &[], &ok).await;
    assert_eq!((st, answer["stored"].as_u64()), (200, Some(2)));
    for bad in [
        json!({"platform": "binance", "templateIds": ["a"], "obtainedAt": 1}),
        json!({"platform": "wechat", "templateIds": [], "obtainedAt": 1}),
        json!({"platform": "wechat", "templateIds": ["a", "a"], "obtainedAt": 1}),
        json!({"templateIds": ["a"], "obtainedAt": 1}),
    ] {
        assert_eq!(request(&backend.addr, "/consent/subscription-grants", &[], &bad.to_string()).await.0, 400, "{bad}");
    }
    let wechat = json!({"dataToken": "wx-p", "obtainedAt": now() - 180_000, "platform": "wechat"}).to_string();
    assert_eq!(request(&backend.addr, "/consent/phone-number", &[], &wechat).await.0, 200);
    let binance = json!({"dataToken": "bn-p", "obtainedAt": now() - 180_000}).to_string();
    assert_eq!(request(&backend.addr, "/consent/phone-number", &[], &binance).await.0, 410);
    let email = json!({"dataToken": "wx-e", "obtainedAt": now(), "platform": "wechat"}).to_string();
    assert_eq!(request(&backend.addr, "/consent/email", &[], &email).await.0, 400);
    let (st, _) = request(&backend.addr, "/merchant/wechat/send", &[], "{}").await;
    assert_eq!(st, 404);
}

#[test]
fn configuration_lines_say_what_is_enabled() {
    let (none, line) = WechatSetup::from_env(|_| None);
    assert!(none.is_none() && line.contains("disabled"), "{line}");
    let env = |k: &str| match k {
        "MPCB_WECHAT_APP_ID" => Some(APP.to_owned()),
        "MPCB_WECHAT_APP_SECRET" => Some(SECRET.to_owned()),
        "MPCB_WECHAT_BASE_URL" => Some("http://example.com".to_owned()),
        _ => None,
    };
    let (none, line) = WechatSetup::from_env(env);
    assert!(none.is_none() && line.contains("https"), "{line}");
    let env = |k: &str| if k == "MPCB_WECHAT_BASE_URL" { Some("http://127.0.0.1:9".to_owned()) } else { env(k) };
    let (some, line) = WechatSetup::from_env(env);
    assert!(some.is_some() && line.contains("enabled") && !line.contains(SECRET), "{line}");
}
