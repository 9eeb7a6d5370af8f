//! The Alipay+ client against the gateway simulator over real HTTP on 127.0.0.1: every
//! outcome of applyToken (code and refresh), inquiryUserInfo and sessions — success,
//! used / expired / unknown codes, each documented F code, U then success, U to the end,
//! bad and missing response signatures, unsigned 5xx, transport failure, wrong keys,
//! a stale Request-Time, configurable paths, and what the simulator refuses.
#![cfg(feature = "simulator")]

use mp_consent_server::alipayplus::errors::FAILURE_CODES;
use mp_consent_server::alipayplus::session::{fresh_session, SessionStore};
use mp_consent_server::alipayplus::sign::{RsaSigner, RsaVerifier};
use mp_consent_server::alipayplus::simulator::{app, SimConfig};
use mp_consent_server::alipayplus::{AlipayPlusClient, AlipayPlusConfig};
use mp_consent_server::clock::{Clock, ManualClock, SystemClock};
use mp_consent_server::http::ReqwestClient;
use mp_consent_server::secret::Secret;
use mp_consent_server::store::SqliteStore;
use mp_consent_server::ErrorCode;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const CLIENT: &str = "SANDBOX_5Y0566SG25J00412";

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alipayplus").join(name))
        .expect("fixture")
}

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

fn sim_config() -> SimConfig {
    SimConfig::new(
        CLIENT,
        RsaVerifier::from_pem(&read("merchant_public.pem"), None).expect("merchant key"),
        "1",
        RsaSigner::from_pem(&read("platform_private.pem"), "1").expect("platform key"),
    )
}

async fn start_with(config: SimConfig) -> Sim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app(config)).await;
    });
    Sim { url, task, http: reqwest::Client::new() }
}

async fn start() -> Sim {
    start_with(sim_config()).await
}

async fn json_of(r: reqwest::Response) -> Value {
    serde_json::from_slice(&r.bytes().await.expect("body")).expect("json")
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
        json_of(r).await
    }

    /// What the host simulator's `my.getAuthCode` would hand the page.
    async fn auth_code(&self, scopes: &[&str]) -> String {
        let v = self.post("/sim/auth-code", json!({ "scopes": scopes })).await;
        v["authCode"].as_str().expect("authCode").to_owned()
    }

    async fn fault(&self, fault: Value) {
        self.post("/__sim/fault", fault).await;
    }

    async fn received(&self) -> Vec<Value> {
        let r = self.http.get(format!("{}/__sim/received", self.url)).send().await.expect("received");
        serde_json::from_value(json_of(r).await).expect("a list")
    }

    async fn advance(&self, ms: u64) {
        self.post("/__sim/clock", json!({ "advanceMs": ms })).await;
    }

    fn config(&self) -> AlipayPlusConfig {
        AlipayPlusConfig::new(CLIENT, &read("merchant_private.pem"), &read("platform_public.pem"), "1", &self.url)
            .expect("config")
            .with_retries(3, Duration::from_millis(5))
            .expect("retries")
    }

    fn client(&self) -> AlipayPlusClient<ReqwestClient, SystemClock> {
        AlipayPlusClient::new(self.config(), ReqwestClient::new().expect("http"), SystemClock)
    }
}

#[tokio::test]
async fn code_to_token_to_user_info() {
    let sim = start().await;
    let client = sim.client();
    let code = sim.auth_code(&["USER_ID", "USER_NICKNAME", "USER_AVATAR"]).await;
    let grant = client.apply_token(&code).await.expect("applyToken");
    assert_eq!(grant.customer_id, "2160000000000001");
    assert!(grant.refresh_token.is_some());
    let shown = format!("{grant:?}");
    assert!(!shown.contains(grant.access_token.expose().as_str()), "{shown}");
    let user = client.inquiry_user_info(&grant.access_token).await.expect("inquiryUserInfo");
    assert_eq!(user.user_id, "2160000000000001");
    assert!(user.nick_name.is_some() && user.avatar.is_some());
    assert!(user.login_id_infos.is_empty(), "no phone scope, no phone");
    // Every request carried the documented headers and a URL-encoded signature.
    for r in sim.received().await {
        assert!(r["requestTime"].as_str().is_some_and(|t| t.ends_with("+00:00")), "{r}");
        let sig = r["signature"].as_str().unwrap_or_default();
        assert!(sig.starts_with("algorithm=RSA256, keyVersion=1, signature="), "{sig}");
        assert!(!sig.trim_start_matches("algorithm=RSA256, keyVersion=1, signature=").contains(['+', '/', '=']));
        assert_eq!(r["resultCode"], "SUCCESS");
    }
}

#[tokio::test]
async fn scopes_limit_the_profile() {
    let sim = start().await;
    let client = sim.client();
    let code = sim.auth_code(&["USER_ID"]).await;
    let grant = client.apply_token(&code).await.expect("applyToken");
    let user = client.inquiry_user_info(&grant.access_token).await.expect("user");
    assert!(user.nick_name.is_none() && user.avatar.is_none());
    let code = sim.auth_code(&["USER_ID", "PLAINTEXT_MOBILE_PHONE"]).await;
    let grant = client.apply_token(&code).await.expect("applyToken");
    let user = client.inquiry_user_info(&grant.access_token).await.expect("user");
    assert_eq!(user.login_id_infos.len(), 1);
    assert!(!format!("{user:?}").contains("9170000001"), "Debug hides personal data");
}

#[tokio::test]
async fn used_unknown_and_expired_codes() {
    let sim = start().await;
    let client = sim.client();
    let code = sim.auth_code(&["USER_ID"]).await;
    client.apply_token(&code).await.expect("first use");
    let e = client.apply_token(&code).await.expect_err("second use");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::TokenInvalid, Some("USED_CODE")));
    let e = client.apply_token("AC-not-issued").await.expect_err("unknown");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::TokenInvalid, Some("INVALID_AUTH_CODE")));
    let code = sim.auth_code(&["USER_ID"]).await;
    // Moving the simulator's clock ages the code (the Request-Time check uses real time).
    sim.advance(11 * 60_000).await;
    let e = client.apply_token(&code).await.expect_err("expired");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::TokenExpired, Some("EXPIRED_CODE")));
    assert!(!e.to_string().contains(&code), "the code stays out of the error");
}

#[tokio::test]
async fn unknown_twice_then_success_resends_the_same_body() {
    let sim = start().await;
    let code = sim.auth_code(&["USER_ID"]).await;
    sim.fault(json!({"kind": "unknown", "api": "applyToken", "times": 2})).await;
    let grant = sim.client().apply_token(&code).await.expect("third attempt succeeds");
    assert_eq!(grant.customer_id, "2160000000000001");
    let got = sim.received().await;
    let codes: Vec<&str> = got.iter().map(|r| r["resultCode"].as_str().unwrap_or_default()).collect();
    assert_eq!(codes, ["UNKNOWN_EXCEPTION", "UNKNOWN_EXCEPTION", "SUCCESS"]);
    assert!(got.iter().all(|r| r["body"] == got[0]["body"]), "same body on every attempt");
}

#[tokio::test]
async fn unknown_to_the_end_is_a_typed_error_after_bounded_attempts() {
    let sim = start().await;
    let code = sim.auth_code(&["USER_ID"]).await;
    sim.fault(json!({"kind": "unknown", "times": 10})).await;
    let e = sim.client().apply_token(&code).await.expect_err("U to the end");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::ResultUnknown, Some("UNKNOWN_EXCEPTION")));
    assert_eq!(sim.received().await.len(), 3, "max_attempts = 3");
    sim.post("/__sim/reset", json!({})).await;
    sim.fault(json!({"kind": "unknown", "resultCode": "REQUEST_TRAFFIC_EXCEED_LIMIT", "times": 3})).await;
    let e = sim.client().apply_token(&code).await.expect_err("rate limited");
    assert_eq!(e.code(), ErrorCode::RateLimited);
}

#[tokio::test]
async fn every_failure_code_is_typed_and_never_retried() {
    let sim = start().await;
    let client = sim.client();
    for (result_code, want) in FAILURE_CODES.iter().chain(&[("SOMETHING_NEW", ErrorCode::PlatformRejected)]) {
        sim.post("/__sim/reset", json!({})).await;
        sim.fault(json!({"kind": "failure", "resultCode": result_code, "times": 1})).await;
        let e = client.apply_token("AC-any").await.expect_err("F");
        assert_eq!((e.code(), e.platform_code()), (*want, Some(*result_code)), "{e}");
        assert_eq!(e.platform_message(), Some("scripted failure"));
        assert_eq!(sim.received().await.len(), 1, "{result_code}: F is never retried");
    }
}

#[tokio::test]
async fn bad_or_missing_response_signatures_are_errors() {
    let sim = start().await;
    let client = sim.client();
    for kind in ["badSignature", "unsigned"] {
        sim.post("/__sim/reset", json!({})).await;
        let code = sim.auth_code(&["USER_ID"]).await;
        sim.fault(json!({"kind": kind, "times": 1})).await;
        let e = client.apply_token(&code).await.expect_err(kind);
        assert_eq!(e.code(), ErrorCode::SignatureInvalid, "{kind}: {e}");
        assert_eq!(sim.received().await.len(), 1, "{kind}: not retried");
    }
    // A correctly signed answer that is not JSON is a typed error, not a panic or a retry.
    sim.post("/__sim/reset", json!({})).await;
    sim.fault(json!({"kind": "malformed", "times": 1})).await;
    let e = client.apply_token("AC-any").await.expect_err("malformed");
    assert_eq!(e.code(), ErrorCode::InvalidResponse, "{e}");
    assert_eq!(sim.received().await.len(), 1);
    // A client configured with the wrong platform key trusts nothing either.
    let wrong =
        AlipayPlusConfig::new(CLIENT, &read("merchant_private.pem"), &read("merchant_public.pem"), "1", &sim.url)
            .expect("config");
    let client = AlipayPlusClient::new(wrong, ReqwestClient::new().expect("http"), SystemClock);
    let code = sim.auth_code(&["USER_ID"]).await;
    assert_eq!(client.apply_token(&code).await.expect_err("wrong key").code(), ErrorCode::SignatureInvalid);
}

#[tokio::test]
async fn unsigned_5xx_is_retried_and_transport_failure_is_network() {
    let sim = start().await;
    let code = sim.auth_code(&["USER_ID"]).await;
    sim.fault(json!({"kind": "http500", "times": 1})).await;
    sim.client().apply_token(&code).await.expect("retried after the 500");
    assert_eq!(sim.received().await.len(), 2);
    // Nothing listens on the port of a stopped server.
    let dead = start().await;
    let url = dead.url.clone();
    drop(dead);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let config = AlipayPlusConfig::new(CLIENT, &read("merchant_private.pem"), &read("platform_public.pem"), "1", &url)
        .expect("config")
        .with_retries(2, Duration::from_millis(5))
        .expect("retries");
    let client = AlipayPlusClient::new(config, ReqwestClient::new().expect("http"), SystemClock);
    let e = client.apply_token("AC-x").await.expect_err("no server");
    assert_eq!(e.code(), ErrorCode::Unreachable, "{e}");
}

#[tokio::test]
async fn timeouts_are_retried_then_typed() {
    let sim = start().await;
    let code = sim.auth_code(&["USER_ID"]).await;
    let grant = sim.client().apply_token(&code).await.expect("grant");
    let config = sim.config().with_timeout(Duration::from_millis(300)).expect("timeout");
    let client = AlipayPlusClient::new(config, ReqwestClient::new().expect("http"), SystemClock);
    // One slow answer (inquiryUserInfo changes nothing, so a retry is harmless): retried.
    sim.fault(json!({"kind": "slow", "ms": 1500, "api": "inquiryUserInfo", "times": 1})).await;
    client.inquiry_user_info(&grant.access_token).await.expect("second attempt in time");
    // Slow every time: a typed timeout after the bounded attempts.
    sim.fault(json!({"kind": "slow", "ms": 1500, "api": "inquiryUserInfo", "times": 3})).await;
    let e = client.inquiry_user_info(&grant.access_token).await.expect_err("always slow");
    assert_eq!(e.code(), ErrorCode::Timeout, "{e}");
}

#[tokio::test]
async fn the_simulator_checks_who_signed_what_and_when() {
    let sim = start().await;
    let code = sim.auth_code(&["USER_ID"]).await;
    // Signed with a key the platform does not have for this merchant.
    let wrong_key =
        AlipayPlusConfig::new(CLIENT, &read("platform_private.pem"), &read("platform_public.pem"), "1", &sim.url)
            .expect("config");
    let client = AlipayPlusClient::new(wrong_key, ReqwestClient::new().expect("http"), SystemClock);
    let e = client.apply_token(&code).await.expect_err("wrong key");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::AuthFailed, Some("INVALID_SIGNATURE")));
    // Another client id.
    let other = AlipayPlusConfig::new(
        "OTHER_CLIENT",
        &read("merchant_private.pem"),
        &read("platform_public.pem"),
        "1",
        &sim.url,
    )
    .expect("config");
    let client = AlipayPlusClient::new(other, ReqwestClient::new().expect("http"), SystemClock);
    let e = client.apply_token(&code).await.expect_err("other client");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::AuthFailed, Some("INVALID_AUTH_CLIENT")));
    // Another key version.
    let v2 = AlipayPlusConfig::new(CLIENT, &read("merchant_private.pem"), &read("platform_public.pem"), "2", &sim.url)
        .expect("config");
    let client = AlipayPlusClient::new(v2, ReqwestClient::new().expect("http"), SystemClock);
    assert_eq!(client.apply_token(&code).await.expect_err("v2").platform_code(), Some("KEY_NOT_FOUND"));
    // A Request-Time ten minutes old: the simulator refuses it (the code stays good, below),
    // and its answer is as far from this client's clock, so the client refuses that too.
    let stale = ManualClock::new(SystemClock.now_ms() - 10 * 60_000);
    let client = AlipayPlusClient::new(sim.config(), ReqwestClient::new().expect("http"), stale);
    assert_eq!(client.apply_token(&code).await.expect_err("stale").code(), ErrorCode::SignatureInvalid);
    // None of these consumed the code.
    sim.client().apply_token(&code).await.expect("the code is still good");
}

/// A signed answer recorded earlier and replayed (by anything between the server and the
/// platform) is refused once its Response-Time is more than 5 minutes from the clock.
#[tokio::test]
async fn a_replayed_signed_answer_is_refused_when_stale() {
    use mp_consent_server::http::{HttpClient, HttpRequest, Method};
    use std::sync::{Arc, Mutex};
    let sim = start().await;
    let code = sim.auth_code(&["USER_ID"]).await;
    // A relay that forwards the first request to the simulator and answers every later
    // one with that first, genuinely signed, answer.
    type Recorded = Option<(u16, Vec<(String, String)>, Vec<u8>)>;
    let recorded: Arc<Mutex<Recorded>> = Arc::default();
    let upstream = sim.url.clone();
    let relay = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let (recorded, upstream) = (Arc::clone(&recorded), upstream.clone());
            async move {
                let known = recorded.lock().expect("lock").clone();
                let (status, headers, body) = match known {
                    Some(r) => r,
                    None => {
                        let request = HttpRequest {
                            method: Method::Post,
                            url: format!("{upstream}{}", uri.path()),
                            headers: headers
                                .iter()
                                .filter(|(k, _)| *k != "host" && *k != "content-length")
                                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
                                .collect(),
                            body: body.to_vec(),
                            timeout: Duration::from_secs(5),
                            max_response_bytes: 65_536,
                        };
                        let r = ReqwestClient::new().expect("http").send(request).await.expect("upstream");
                        let r = (r.status, r.headers, r.body);
                        *recorded.lock().expect("lock") = Some(r.clone());
                        r
                    }
                };
                let mut response = axum::response::Response::new(axum::body::Body::from(body));
                *response.status_mut() = axum::http::StatusCode::from_u16(status).expect("status");
                for (k, v) in headers {
                    if let (Ok(k), Ok(v)) = (axum::http::HeaderName::try_from(k), axum::http::HeaderValue::try_from(v))
                    {
                        response.headers_mut().insert(k, v);
                    }
                }
                response
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move { axum::serve(listener, relay).await });
    let config = || {
        AlipayPlusConfig::new(CLIENT, &read("merchant_private.pem"), &read("platform_public.pem"), "1", &url)
            .expect("config")
    };
    let now = AlipayPlusClient::new(config(), ReqwestClient::new().expect("http"), SystemClock);
    now.apply_token(&code).await.expect("the first answer is genuine and fresh");
    let later = ManualClock::new(SystemClock.now_ms() + 10 * 60_000);
    let later = AlipayPlusClient::new(config(), ReqwestClient::new().expect("http"), later);
    let e = later.apply_token(&code).await.expect_err("a ten-minute-old answer replayed");
    assert_eq!(e.code(), ErrorCode::SignatureInvalid, "{e}");
    server.abort();
}

#[tokio::test]
async fn the_simulator_refuses_tampered_and_unencoded_signatures() {
    use base64::Engine as _;
    use mp_consent_server::alipayplus::sign::content_to_sign;
    let sim = start().await;
    let code = sim.auth_code(&["USER_ID"]).await;
    let signer = RsaSigner::from_pem(&read("merchant_private.pem"), "1").expect("key");
    let path = "/v2/authorizations/applyToken";
    let time = mp_consent_server::alipayplus::timefmt::format_ms(SystemClock.now_ms());
    let body = json!({"authClientId": CLIENT, "grantType": "AUTHORIZATION_CODE", "authCode": code}).to_string();
    let send = |signature: String, body: String| {
        let (http, url, time) = (sim.http.clone(), format!("{}{path}", sim.url), time.clone());
        async move {
            let r = http
                .post(url)
                .header("Content-Type", "application/json; charset=UTF-8")
                .header("Client-Id", CLIENT)
                .header("Request-Time", time)
                .header("Signature", signature)
                .body(body)
                .send()
                .await
                .expect("send");
            json_of(r).await["result"]["resultCode"].as_str().unwrap_or_default().to_owned()
        }
    };
    let raw = signer.sign_raw(&content_to_sign("POST", path, CLIENT, &time, body.as_bytes())).expect("sign");
    let plain = base64::engine::general_purpose::STANDARD.encode(&raw);
    if plain.contains(['+', '/', '=']) {
        assert_eq!(
            send(format!("algorithm=RSA256, keyVersion=1, signature={plain}"), body.clone()).await,
            "INVALID_SIGNATURE"
        );
    }
    let header = signer.signature_header("POST", path, CLIENT, &time, body.as_bytes()).expect("sign");
    let tampered = body.replace("AUTHORIZATION_CODE", "REFRESH_TOKEN");
    assert_eq!(send(header.clone(), tampered).await, "INVALID_SIGNATURE");
    assert_eq!(send(header, body).await, "SUCCESS");
}

#[tokio::test]
async fn refresh_rotates_and_refresh_tokens_are_single_use() {
    let sim = start().await;
    let client = sim.client();
    let code = sim.auth_code(&["USER_ID"]).await;
    let first = client.apply_token(&code).await.expect("grant");
    let refresh = first.refresh_token.clone().expect("refresh token");
    let second = client.refresh_token(&refresh).await.expect("refresh");
    assert_ne!(second.access_token.expose(), first.access_token.expose());
    let e = client.refresh_token(&refresh).await.expect_err("reuse");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::TokenInvalid, Some("USED_REFRESH_TOKEN")));
    let e = client.refresh_token(&Secret::from("RT-unknown")).await.expect_err("unknown");
    assert_eq!(e.platform_code(), Some("INVALID_REFRESH_TOKEN"));
    // An access token past its hour.
    sim.advance(61 * 60_000).await;
    let e = client.inquiry_user_info(&second.access_token).await.expect_err("expired");
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::TokenExpired, Some("EXPIRED_ACCESS_TOKEN")));
    let e = client.inquiry_user_info(&Secret::from("AT-unknown")).await.expect_err("unknown");
    assert_eq!(e.platform_code(), Some("INVALID_ACCESS_TOKEN"));
}

/// Two requests on one session at refresh time both get a working token: the second waits
/// for the first's refresh and never spends the already used refresh token (which would
/// be USED_REFRESH_TOKEN, and a user told to authorize again). (With this fixed clock the
/// refreshed token still looks near expiry, so the second refreshes again, with the
/// rotated refresh token the first stored.)
#[tokio::test]
async fn concurrent_requests_at_refresh_time_never_spend_a_used_refresh_token() {
    let sim = start().await;
    let client = sim.client();
    let store = SqliteStore::open_in_memory().expect("store");
    let code = sim.auth_code(&["USER_ID"]).await;
    let grant = client.apply_token(&code).await.expect("grant");
    let id = store.create_session(&grant).expect("session");
    let near_expiry = ManualClock::new(grant.access_token_expires_at_ms - 30_000);
    let (a, b) = tokio::join!(
        fresh_session(&client, &store, &near_expiry, id.expose()),
        fresh_session(&client, &store, &near_expiry, id.expose())
    );
    let (a, b) = (a.expect("first").expect("exists"), b.expect("second").expect("exists"));
    assert_ne!(a.access_token.expose(), grant.access_token.expose());
    assert_ne!(b.access_token.expose(), grant.access_token.expose());
    let stored = store.session(id.expose(), near_expiry.now_ms()).expect("read").expect("exists");
    client.inquiry_user_info(&stored.access_token).await.expect("the stored token works");
}

#[tokio::test]
async fn sessions_map_to_tokens_and_refresh_on_the_server() {
    let sim = start().await;
    let client = sim.client();
    let store = SqliteStore::open_in_memory().expect("store");
    let code = sim.auth_code(&["USER_ID"]).await;
    let grant = client.apply_token(&code).await.expect("grant");
    let id = store.create_session(&grant).expect("session");
    assert_eq!(id.expose().len(), 43, "256 random bits, base64url");
    let now = SystemClock.now_ms();
    let session = store.session(id.expose(), now).expect("read").expect("exists");
    assert_eq!(session.user_id, "2160000000000001");
    assert_eq!(session.access_token.expose(), grant.access_token.expose());
    assert!(store.session("not-a-session", now).expect("read").is_none());
    // Fresh: no refresh. Near expiry: refreshed on the server with the refresh token.
    let fresh = fresh_session(&client, &store, &SystemClock, id.expose()).await.expect("fresh").expect("exists");
    assert_eq!(fresh.access_token.expose(), grant.access_token.expose());
    let near_expiry = ManualClock::new(grant.access_token_expires_at_ms - 30_000);
    let renewed = fresh_session(&client, &store, &near_expiry, id.expose()).await.expect("refresh").expect("exists");
    assert_ne!(renewed.access_token.expose(), grant.access_token.expose());
    client.inquiry_user_info(&renewed.access_token).await.expect("the new token works");
    // Past the refresh token's life the session is gone.
    let far = ManualClock::new(SystemClock.now_ms() + 31 * 24 * 3600 * 1000);
    assert!(fresh_session(&client, &store, &far, id.expose()).await.expect("read").is_none());
    assert_eq!(store.purge_expired_sessions(far.now_ms()).expect("purge"), 1);
    store.delete_session(id.expose()).expect("delete is idempotent");
}

#[tokio::test]
async fn paths_are_configurable_for_v1_wallets() {
    let mut config = sim_config();
    config.apply_token_path = "/v1/authorizations/applyToken".into();
    config.inquiry_user_info_path = "/v1/users/inquiryUserInfo".into();
    let sim = start_with(config).await;
    let client = AlipayPlusClient::new(
        sim.config().with_paths("/v1/authorizations/applyToken", "/v1/users/inquiryUserInfo").expect("paths"),
        ReqwestClient::new().expect("http"),
        SystemClock,
    );
    let code = sim.auth_code(&["USER_ID"]).await;
    let grant = client.apply_token(&code).await.expect("v1 applyToken");
    client.inquiry_user_info(&grant.access_token).await.expect("v1 inquiryUserInfo");
    // The default (v2) client gets nothing signed back from a v1 gateway.
    let code = sim.auth_code(&["USER_ID"]).await;
    assert!(sim.client().apply_token(&code).await.is_err());
}

#[tokio::test]
async fn a_base_url_with_a_path_is_part_of_the_signed_uri() {
    // The gateway mounted under /gateway: both sides sign and verify /gateway/v2/...
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = axum::Router::new().nest("/gateway", app(sim_config()));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let sim = Sim { url: format!("http://{addr}/gateway"), task, http: reqwest::Client::new() };
    let code = sim.auth_code(&["USER_ID"]).await;
    let grant = sim.client().apply_token(&code).await.expect("applyToken under /gateway");
    sim.client().inquiry_user_info(&grant.access_token).await.expect("inquiryUserInfo under /gateway");
}

#[test]
fn bad_configuration_is_a_typed_error() {
    let (key, platform) = (read("merchant_private.pem"), read("platform_public.pem"));
    let cases = [
        AlipayPlusConfig::new("", &key, &platform, "1", "https://example.com").err(),
        AlipayPlusConfig::new(CLIENT, "nope", &platform, "1", "https://example.com").err(),
        AlipayPlusConfig::new(CLIENT, &key, "nope", "1", "https://example.com").err(),
        AlipayPlusConfig::new(CLIENT, &read("weak_1024.pem"), &platform, "1", "https://example.com").err(),
        AlipayPlusConfig::new(CLIENT, &key, &platform, "1", "http://example.com").err(),
    ];
    for e in cases {
        let e = e.expect("an error");
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{e}");
        assert!(!e.to_string().contains("BEGIN"), "{e}");
    }
    let c = AlipayPlusConfig::new(CLIENT, &key, &platform, "1", "https://example.com").expect("ok");
    assert!(!format!("{c:?}").contains("BEGIN"));
}
