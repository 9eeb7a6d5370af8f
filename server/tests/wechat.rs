//! The WeChat client against the WeChat API simulator over real HTTP on 127.0.0.1: the
//! access token (cached, renewed before expiry, one request under concurrency, forced
//! refresh once after 42001 / 40001), code2Session (ok, unionid, 40029, used 40163,
//! expired after 5 minutes, 45011, 40226, -1 retried and bounded), the phone-number
//! exchange (ok, used code, foreign watermark), subscribeMessage.send (with and without
//! an accept), and secrets: never in an error, a Debug or a request's printed form.
#![cfg(feature = "simulator")]

use mp_consent_server::clock::{Clock, ManualClock, SystemClock};
use mp_consent_server::error::Result as CrateResult;
use mp_consent_server::http::{BoxFuture, HttpClient, HttpRequest, HttpResponse, ReqwestClient};
use mp_consent_server::wechat::simulator::{app, openid_of, SimConfig, TOKEN_LIFETIME_SECS};
use mp_consent_server::wechat::wire::DataValue;
use mp_consent_server::wechat::{SubscribeMessage, WechatClient, WechatConfig};
use mp_consent_server::{ErrorCode, Secret};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const APP: &str = "wx5f3c0a1b2d4e6f70";
const SECRET: &str = "sim-app-secret-0123456789abcdef";

/// A simulator on a free loopback port, stopped when dropped.
struct Sim {
    url: String,
    task: tokio::task::JoinHandle<()>,
    http: reqwest::Client,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start(clock: Arc<dyn Clock>) -> Sim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let router = app(SimConfig::new(APP, SECRET).with_clock(clock));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Sim { url, task, http: reqwest::Client::new() }
}

impl Sim {
    async fn post(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("sim request");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        serde_json::from_slice(&r.bytes().await.expect("body")).expect("json")
    }
    async fn get(&self, path: &str) -> Value {
        let r = self.http.get(format!("{}{path}", self.url)).send().await.expect("sim");
        serde_json::from_slice(&r.bytes().await.expect("body")).expect("json")
    }
    async fn login_code(&self, user: &str) -> String {
        self.post("/__sim/login-code", json!({"user": user})).await["code"].as_str().expect("code").to_owned()
    }
    async fn phone_code(&self) -> String {
        self.post("/__sim/phone-code", json!({"phoneNumber": "13800138000"})).await["code"]
            .as_str()
            .expect("code")
            .to_owned()
    }
    async fn fault(&self, f: Value) {
        self.post("/__sim/fault", f).await;
    }
    async fn calls(&self, api: &str) -> u64 {
        self.get("/__sim/stats").await["calls"][api].as_u64().unwrap_or(0)
    }
    async fn forced(&self) -> u64 {
        self.get("/__sim/stats").await["forcedRefreshes"].as_u64().unwrap_or(0)
    }
}

/// Records the printed form of every request (what a log line would show).
#[derive(Clone, Debug, Default)]
struct Recording {
    inner: Option<ReqwestClient>,
    printed: Arc<Mutex<Vec<String>>>,
}

impl HttpClient for Recording {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, CrateResult<HttpResponse>> {
        self.printed.lock().expect("lock").push(format!("{request:?}"));
        Box::pin(async move {
            match &self.inner {
                Some(c) => c.send(request).await,
                None => Err(mp_consent_server::Error::new(ErrorCode::Unreachable, "no client")),
            }
        })
    }
}

/// The system clock, or a manual one shared with the simulator.
#[derive(Clone, Debug)]
struct TestClock(Option<Arc<ManualClock>>);

impl Clock for TestClock {
    fn now_ms(&self) -> u64 {
        self.0.as_ref().map_or_else(|| SystemClock.now_ms(), |c| c.now_ms())
    }
}

type Client = WechatClient<Recording, TestClock>;

fn client_for(sim: &Sim, clock: TestClock) -> (Client, Arc<Mutex<Vec<String>>>) {
    let config = WechatConfig::new(APP, Secret::from(SECRET))
        .and_then(|c| c.with_base_url(&sim.url))
        .and_then(|c| c.with_retries(3, Duration::from_millis(10)))
        .expect("config");
    let http = Recording { inner: Some(ReqwestClient::new().expect("reqwest")), printed: Arc::default() };
    let printed = Arc::clone(&http.printed);
    (WechatClient::new(config, http, clock), printed)
}

async fn setup() -> (Sim, Client, Arc<Mutex<Vec<String>>>) {
    let sim = start(Arc::new(SystemClock)).await;
    let (client, printed) = client_for(&sim, TestClock(None));
    (sim, client, printed)
}

fn manual() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(SystemClock.now_ms()))
}

#[tokio::test]
async fn code2session_answers_openid_unionid_and_keeps_the_session_key_secret() {
    let (sim, client, _) = setup().await;
    let code = sim.login_code("alice").await;
    let s = client.code2session(&code).await.expect("code2Session");
    assert_eq!(s.openid, openid_of(APP, "alice"));
    assert!(s.unionid.is_none());
    assert!(s.session_key.expose().starts_with("SK"));
    let shown = format!("{s:?}");
    assert!(!shown.contains(s.session_key.expose().as_str()), "{shown}");
    let with_union = sim.post("/__sim/login-code", json!({"user": "bob", "unionid": true})).await;
    let s = client.code2session(with_union["code"].as_str().expect("code")).await.expect("ok");
    assert!(s.unionid.is_some_and(|u| !u.is_empty()));
}

#[tokio::test]
async fn login_codes_are_single_use_unknown_codes_fail_and_nothing_is_retried() {
    let (sim, client, _) = setup().await;
    let code = sim.login_code("carol").await;
    client.code2session(&code).await.expect("first use");
    let used = client.code2session(&code).await.expect_err("second use");
    assert_eq!((used.code(), used.platform_code()), (ErrorCode::TokenInvalid, Some("40163")));
    let unknown = client.code2session("LCnot-issued").await.expect_err("unknown");
    assert_eq!((unknown.code(), unknown.platform_code()), (ErrorCode::TokenInvalid, Some("40029")));
    assert_eq!(sim.calls("jscode2session").await, 3, "token errors are never retried");
    let empty = client.code2session("").await.expect_err("empty");
    assert_eq!(empty.code(), ErrorCode::InvalidArgument);
}

#[tokio::test]
async fn a_login_code_expires_after_five_minutes() {
    let clock = manual();
    let sim = start(clock.clone()).await;
    let (client, _) = client_for(&sim, TestClock(Some(clock.clone())));
    let fresh = sim.login_code("dave").await;
    let stale = sim.login_code("dave").await;
    clock.advance(4 * 60_000 + 59_000);
    client.code2session(&fresh).await.expect("4:59 is within the lifetime");
    clock.advance(1_000);
    let e = client.code2session(&stale).await.expect_err("5:00 is too late");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::TokenInvalid, Some("40029")));
}

#[tokio::test]
async fn rate_limit_and_blocked_users_are_typed_and_not_retried() {
    let (sim, client, _) = setup().await;
    let code = sim.login_code("erin").await;
    sim.fault(json!({"kind": "rateLimit", "api": "jscode2session", "times": 1})).await;
    let e = client.code2session(&code).await.expect_err("45011");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::RateLimited, Some("45011")));
    assert!(e.is_transient());
    assert_eq!(sim.calls("jscode2session").await, 1);
    client.code2session(&code).await.expect("the code was not spent by the rate-limited call");
    let blocked = sim.post("/__sim/login-code", json!({"user": "mallory", "blocked": true})).await;
    let e = client.code2session(blocked["code"].as_str().expect("code")).await.expect_err("40226");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::UserBlocked, Some("40226")));
}

#[tokio::test]
async fn busy_is_retried_a_bounded_number_of_times() {
    let (sim, client, _) = setup().await;
    let code = sim.login_code("frank").await;
    sim.fault(json!({"kind": "busy", "api": "jscode2session", "times": 2})).await;
    client.code2session(&code).await.expect("busy twice, then ok");
    assert_eq!(sim.calls("jscode2session").await, 3);
    let code = sim.login_code("frank").await;
    sim.fault(json!({"kind": "busy", "api": "jscode2session", "times": 10})).await;
    let e = client.code2session(&code).await.expect_err("busy to the end");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::PlatformBusy, Some("-1")));
    assert_eq!(sim.calls("jscode2session").await, 6, "3 attempts, no more");
}

#[tokio::test]
async fn the_access_token_is_cached_and_fetched_once_under_concurrency() {
    let (sim, client, _) = setup().await;
    sim.fault(json!({"kind": "slow", "api": "stable_token", "ms": 300, "times": 1})).await;
    let mut codes = Vec::new();
    for _ in 0..12 {
        codes.push(sim.phone_code().await);
    }
    let client = Arc::new(client);
    let tasks: Vec<_> = codes
        .into_iter()
        .map(|code| {
            let client = Arc::clone(&client);
            tokio::spawn(async move { client.phone_number(&code).await.map(|p| p.pure_phone_number.expose().clone()) })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("phone").as_str(), "13800138000");
    }
    assert_eq!(sim.calls("stable_token").await, 1, "one stable_token for twelve concurrent calls");
    let again = sim.phone_code().await;
    client.phone_number(&again).await.expect("phone");
    assert_eq!(sim.calls("stable_token").await, 1, "still cached");
}

#[tokio::test]
async fn the_token_is_renewed_before_it_expires_in_normal_mode() {
    let clock = manual();
    let sim = start(clock.clone()).await;
    let (client, _) = client_for(&sim, TestClock(Some(clock.clone())));
    let first = client.access_token().await.expect("token");
    clock.advance((TOKEN_LIFETIME_SECS - 600) * 1000);
    assert_eq!(client.access_token().await.expect("token").expose(), first.expose(), "10 minutes left: cached");
    assert_eq!(sim.calls("stable_token").await, 1);
    clock.advance(400_000);
    let second = client.access_token().await.expect("token");
    assert_ne!(second.expose(), first.expose(), "under 5 minutes left: renewed");
    assert_eq!((sim.calls("stable_token").await, sim.forced().await), (2, 0));
    let code = sim.phone_code().await;
    client.phone_number(&code).await.expect("the renewed token works");
}

#[tokio::test]
async fn an_expired_or_rotated_token_is_force_refreshed_once_and_the_call_retried_once() {
    let (sim, client, _) = setup().await;
    let code = sim.phone_code().await;
    client.phone_number(&code).await.expect("warm the cache");
    // 42001 from a scripted fault: the phone code is not spent.
    sim.fault(json!({"kind": "expiredToken", "api": "getuserphonenumber", "times": 1})).await;
    let code = sim.phone_code().await;
    client.phone_number(&code).await.expect("refreshed and retried");
    assert_eq!(sim.forced().await, 1);
    // The simulator expires the token the client still holds: 42001 for real.
    sim.post("/__sim/token", json!({"action": "expire"})).await;
    client.phone_number(&sim.phone_code().await).await.expect("after expire");
    // Another server forced a refresh: the client's token is no longer the latest (40001).
    sim.post("/__sim/token", json!({"action": "rotate"})).await;
    client.phone_number(&sim.phone_code().await).await.expect("after rotate");
    assert_eq!(sim.forced().await, 3);
    // A platform that keeps saying 42001: one forced refresh, one retry, then the error.
    sim.fault(json!({"kind": "expiredToken", "api": "getuserphonenumber", "times": 5})).await;
    let e = client.phone_number(&sim.phone_code().await).await.expect_err("still 42001");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::AuthFailed, Some("42001")));
    assert_eq!(sim.forced().await, 4);
    assert_eq!(sim.calls("getuserphonenumber").await, 1 + 2 + 2 + 2 + 2);
}

#[tokio::test]
async fn phone_codes_are_single_use_and_the_watermark_must_name_this_app() {
    let (sim, client, _) = setup().await;
    let ask = sim.post("/__sim/phone-code", json!({"phoneNumber": "5551234567", "countryCode": "1"})).await;
    let code = ask["code"].as_str().expect("code");
    let phone = client.phone_number(code).await.expect("phone");
    assert_eq!(phone.phone_number.expose(), "+15551234567");
    assert_eq!((phone.pure_phone_number.expose().as_str(), phone.country_code.as_str()), ("5551234567", "1"));
    assert!(!format!("{phone:?}").contains("5551234567"));
    let used = client.phone_number(code).await.expect_err("used");
    assert_eq!((used.code(), used.platform_code()), (ErrorCode::TokenInvalid, Some("40029")));
    sim.fault(json!({"kind": "foreignWatermark", "times": 1})).await;
    let e = client.phone_number(&sim.phone_code().await).await.expect_err("foreign watermark");
    assert_eq!(e.code(), ErrorCode::InvalidResponse);
    assert!(e.message().contains("watermark"), "{}", e.message());
}

#[tokio::test]
async fn phone_code_expires_after_five_minutes() {
    let clock = manual();
    let sim = start(clock.clone()).await;
    let (client, _) = client_for(&sim, TestClock(Some(clock.clone())));
    let code = sim.phone_code().await;
    clock.advance(5 * 60_000);
    let e = client.phone_number(&code).await.expect_err("expired");
    assert_eq!(e.platform_code(), Some("40029"));
}

fn message(touser: &str, template: &str) -> SubscribeMessage {
    let mut data = std::collections::BTreeMap::new();
    data.insert("thing1".to_owned(), DataValue { value: "Order #7 shipped".into() });
    SubscribeMessage { touser: touser.into(), template_id: template.into(), page: Some("pages/order".into()), data }
}

#[tokio::test]
async fn a_message_needs_an_accept_and_each_accept_allows_one() {
    let (sim, client, _) = setup().await;
    let openid =
        sim.post("/__sim/login-code", json!({"user": "grace"})).await["openid"].as_str().expect("o").to_owned();
    let e = client.send_subscribe_message(&message(&openid, "TPL_SHIP")).await.expect_err("no accept");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::NotSubscribed, Some("43101")));
    let verdicts = sim
        .post("/__sim/subscribe", json!({"user": "grace", "verdicts": {"TPL_SHIP": "accept", "TPL_PROMO": "reject"}}))
        .await;
    assert_eq!(verdicts["errMsg"], "requestSubscribeMessage:ok");
    let msgid = client.send_subscribe_message(&message(&openid, "TPL_SHIP")).await.expect("sent");
    assert!(msgid.is_some());
    let again = client.send_subscribe_message(&message(&openid, "TPL_SHIP")).await.expect_err("accept spent");
    assert_eq!(again.platform_code(), Some("43101"));
    let rejected = client.send_subscribe_message(&message(&openid, "TPL_PROMO")).await.expect_err("rejected");
    assert_eq!(rejected.code(), ErrorCode::NotSubscribed);
    let stranger = client.send_subscribe_message(&message("oUnknownUser", "TPL_SHIP")).await.expect_err("40003");
    assert_eq!((stranger.code(), stranger.platform_code()), (ErrorCode::PlatformRejected, Some("40003")));
    let sent = sim.get("/__sim/sent").await;
    assert_eq!(sent.as_array().map(Vec::len), Some(1));
    assert_eq!(sent[0]["touser"], openid.as_str());
    assert_eq!(sent[0]["data"]["thing1"]["value"], "Order #7 shipped");
    let mut empty = message(&openid, "TPL_SHIP");
    empty.data.clear();
    assert_eq!(
        client.send_subscribe_message(&empty).await.map_err(|e| e.code()).err(),
        Some(ErrorCode::InvalidArgument)
    );
}

#[tokio::test]
async fn no_secret_reaches_an_error_a_debug_or_a_printed_request() {
    let (sim, client, printed) = setup().await;
    let code = sim.login_code("heidi").await;
    // The platform echoes the code in its message: it is scrubbed.
    sim.fault(json!({"kind": "errcode", "errcode": 40999, "errmsg": format!("bad {code} with {SECRET}"), "times": 1}))
        .await;
    let echoed = client.code2session(&code).await.expect_err("scripted");
    let session = client.code2session(&code).await.expect("ok");
    let token = client.access_token().await.expect("token");
    let phone_code = sim.phone_code().await;
    client.phone_number(&phone_code).await.expect("phone");
    // Wrong secret: 40125 from stable_token and from jscode2session.
    let wrong = WechatConfig::new(APP, Secret::from("wrong-secret-value"))
        .and_then(|c| c.with_base_url(&sim.url))
        .expect("config");
    let wrong = WechatClient::new(wrong, ReqwestClient::new().expect("http"), SystemClock);
    let auth = wrong.access_token().await.expect_err("40125");
    assert_eq!((auth.code(), auth.platform_code()), (ErrorCode::AuthFailed, Some("40125")));
    let auth2 = wrong.code2session(&sim.login_code("heidi").await).await.expect_err("40125");
    // Nothing listening: a transport error.
    let dead = WechatConfig::new(APP, Secret::from(SECRET))
        .and_then(|c| c.with_base_url("http://127.0.0.1:9"))
        .and_then(|c| c.with_retries(1, Duration::ZERO))
        .expect("config");
    let dead = WechatClient::new(dead, ReqwestClient::new().expect("http"), SystemClock);
    let down = dead.code2session(&code).await.expect_err("unreachable");
    assert_eq!(down.code(), ErrorCode::Unreachable);
    let mut shown =
        format!("{echoed} {echoed:?} {auth} {auth:?} {auth2:?} {down} {down:?} {client:?} {wrong:?} {session:?}");
    shown.push_str(&printed.lock().expect("lock").join("\n"));
    for secret in [
        SECRET,
        code.as_str(),
        phone_code.as_str(),
        token.expose().as_str(),
        session.session_key.expose().as_str(),
        "wrong-secret-value",
    ] {
        assert!(!shown.contains(secret), "a secret leaked: {shown}");
    }
    assert!(echoed.platform_message().is_some_and(|m| m.contains("<secret>")));
    assert!(printed.lock().expect("lock").iter().any(|p| p.contains("/sns/jscode2session?<redacted>")));
}
