//! The reference backend's Alipay+ exchange over real HTTP on 127.0.0.1: the page posts
//! an auth code issued by the gateway simulator, the backend runs applyToken and
//! inquiryUserInfo against the simulator and answers `{session, user}` — never a token;
//! replays, used codes, U-then-success, a bad platform signature, and the configuration
//! lines.

mod support;

use support::{serve, Server};

use mp_consent_backend::alipayplus::AlipayPlusSetup;
use mp_consent_server::alipayplus::sign::{RsaSigner, RsaVerifier};
use mp_consent_server::alipayplus::simulator::{app as sim_app, SimConfig};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use support::json_request;

const CLIENT: &str = "SANDBOX_BACKEND_CLIENT";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/tests/fixtures/alipayplus").join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture")
}

async fn start_sim() -> Server {
    serve(sim_app(SimConfig::new(
        CLIENT,
        RsaVerifier::from_pem(&read("merchant_public.pem"), None).expect("key"),
        "1",
        RsaSigner::from_pem(&read("platform_private.pem"), "1").expect("key"),
    )))
    .await
}

fn env_for(sim: &Server) -> HashMap<&'static str, String> {
    HashMap::from([
        ("MPCB_ALIPAYPLUS_BASE_URL", format!("http://{}", sim.addr)),
        ("MPCB_ALIPAYPLUS_CLIENT_ID", CLIENT.to_owned()),
        ("MPCB_ALIPAYPLUS_PRIVATE_KEY_FILE", fixture("merchant_private.pem").display().to_string()),
        ("MPCB_ALIPAYPLUS_PLATFORM_PUBLIC_KEY_FILE", fixture("platform_public.pem").display().to_string()),
    ])
}

async fn start_backend(sim: &Server) -> Server {
    let env = env_for(sim);
    let (setup, line) = AlipayPlusSetup::from_env(|k| env.get(k).cloned());
    assert!(line.contains("enabled"), "{line}");
    serve(mp_consent_backend::app_with_alipayplus(false, None, setup)).await
}

async fn auth_code(sim: &Server) -> String {
    let (st, v) =
        json_request(&sim.addr, "POST", "/sim/auth-code", &[], r#"{"scopes":["USER_ID","USER_NICKNAME"]}"#).await;
    assert_eq!(st, 200, "{v}");
    v["authCode"].as_str().expect("authCode").to_owned()
}

async fn applied(sim: &Server) -> Vec<String> {
    let (_, v) = json_request(&sim.addr, "GET", "/__sim/received", &[], "").await;
    v.as_array()
        .map(|a| a.iter().filter(|r| r["api"] == "applyToken").map(|r| r["resultCode"].to_string()).collect())
        .unwrap_or_default()
}

fn body(code: &str) -> String {
    json!({"authCode": code, "scopes": ["USER_ID", "USER_NICKNAME"]}).to_string()
}

#[tokio::test]
async fn auth_code_becomes_a_session_and_a_profile_never_a_token() {
    let sim = start_sim().await;
    let backend = start_backend(&sim).await;
    let code = auth_code(&sim).await;
    let (st, v) =
        json_request(&backend.addr, "POST", "/consent/auth-code", &[("Idempotency-Key", "k1")], &body(&code)).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["session"].as_str().map(str::len), Some(43), "{v}");
    assert_eq!(v["user"]["userId"], "2160000000000001");
    assert!(v["user"]["nickName"].is_string());
    let text = v.to_string();
    for secret in ["accessToken", "refreshToken", "\"AT", "\"RT"] {
        assert!(!text.contains(secret), "the page never sees a token: {text}");
    }
    // The same request again (same key) replays the answer without a second exchange.
    let (st, again) =
        json_request(&backend.addr, "POST", "/consent/auth-code", &[("Idempotency-Key", "k1")], &body(&code)).await;
    assert_eq!((st, &again), (200, &v));
    assert_eq!(applied(&sim).await.len(), 1);
    // A later request on the session: the server uses (and would refresh) the tokens.
    let bearer = format!("Bearer {}", v["session"].as_str().unwrap_or_default());
    let (st, me) = json_request(&backend.addr, "GET", "/alipayplus/me", &[("Authorization", &bearer)], "").await;
    assert_eq!((st, &me["user"]), (200, &v["user"]), "{me}");
    let (st, me) = json_request(&backend.addr, "GET", "/alipayplus/me", &[("Authorization", "Bearer nope")], "").await;
    assert_eq!((st, me["code"].as_str()), (401, Some("SESSION_UNKNOWN")));
    // Another key with the same code is refused by the backend before the platform.
    let (st, v) =
        json_request(&backend.addr, "POST", "/consent/auth-code", &[("Idempotency-Key", "k2")], &body(&code)).await;
    assert_eq!((st, v["code"].as_str()), (409, Some("TOKEN_ALREADY_USED")));
    assert_eq!(applied(&sim).await.len(), 1);
}

#[tokio::test]
async fn a_retry_during_a_slow_exchange_waits_for_the_stored_answer() {
    let sim = start_sim().await;
    let backend = start_backend(&sim).await;
    let code = auth_code(&sim).await;
    // Two U answers make the first exchange take the retry backoff (about 0.9 s).
    json_request(&sim.addr, "POST", "/__sim/fault", &[], r#"{"kind":"unknown","api":"applyToken","times":2}"#).await;
    let b = body(&code);
    let first = json_request(&backend.addr, "POST", "/consent/auth-code", &[("Idempotency-Key", "slow")], &b);
    let second = async {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        json_request(&backend.addr, "POST", "/consent/auth-code", &[("Idempotency-Key", "slow")], &b).await
    };
    let ((s1, v1), (s2, v2)) = tokio::join!(first, second);
    assert_eq!((s1, s2), (200, 200), "{v1} {v2}");
    assert_eq!(v1, v2, "the retry gets the same session");
    let codes = applied(&sim).await;
    assert_eq!(codes.iter().filter(|c| c.contains("SUCCESS")).count(), 1, "{codes:?}");
    assert!(!codes.iter().any(|c| c.contains("USED_CODE")), "{codes:?}");
}

#[tokio::test]
async fn platform_failures_reach_the_page_as_typed_errors() {
    let sim = start_sim().await;
    let backend = start_backend(&sim).await;
    // A code the platform does not know.
    let (st, v) = json_request(&backend.addr, "POST", "/consent/auth-code", &[], &body("AC-never-issued")).await;
    assert_eq!(
        (st, v["code"].as_str(), v["platformCode"].as_str()),
        (409, Some("TOKEN_INVALID"), Some("INVALID_AUTH_CODE"))
    );
    // U twice, then success.
    let code = auth_code(&sim).await;
    json_request(&sim.addr, "POST", "/__sim/fault", &[], r#"{"kind":"unknown","api":"applyToken","times":2}"#).await;
    let (st, v) = json_request(&backend.addr, "POST", "/consent/auth-code", &[], &body(&code)).await;
    assert_eq!(st, 200, "{v}");
    // A response whose signature does not verify is never trusted.
    let code = auth_code(&sim).await;
    json_request(&sim.addr, "POST", "/__sim/fault", &[], r#"{"kind":"badSignature","times":1}"#).await;
    let (st, v) = json_request(&backend.addr, "POST", "/consent/auth-code", &[], &body(&code)).await;
    assert_eq!((st, v["code"].as_str()), (502, Some("PLATFORM_SIGNATURE_INVALID")), "{v}");
    assert!(v.get("session").is_none());
}

#[tokio::test]
async fn wallet_paths_and_ids_come_from_the_environment() {
    let mut config = SimConfig::new(
        CLIENT,
        RsaVerifier::from_pem(&read("merchant_public.pem"), None).expect("key"),
        "1",
        RsaSigner::from_pem(&read("platform_private.pem"), "1").expect("key"),
    );
    config.apply_token_path = "/v1/authorizations/applyToken".into();
    config.inquiry_user_info_path = "/v1/users/inquiryUserInfo".into();
    let sim = serve(sim_app(config)).await;
    let mut env = env_for(&sim);
    env.insert("MPCB_ALIPAYPLUS_APPLY_TOKEN_PATH", "/v1/authorizations/applyToken".into());
    env.insert("MPCB_ALIPAYPLUS_INQUIRY_USER_INFO_PATH", "/v1/users/inquiryUserInfo".into());
    env.insert("MPCB_ALIPAYPLUS_APP_ID", "3333010071465913".into());
    env.insert("MPCB_ALIPAYPLUS_CUSTOMER_BELONGS_TO", "GCASH".into());
    let (setup, line) = AlipayPlusSetup::from_env(|k| env.get(k).cloned());
    assert!(line.contains("enabled"), "{line}");
    let backend = serve(mp_consent_backend::app_with_alipayplus(false, None, setup)).await;
    let code = auth_code(&sim).await;
    let (st, v) = json_request(&backend.addr, "POST", "/consent/auth-code", &[], &body(&code)).await;
    assert_eq!(st, 200, "{v}");
    let (_, got) = json_request(&sim.addr, "GET", "/__sim/received", &[], "").await;
    let sent: Value = serde_json::from_str(got[0]["body"].as_str().unwrap_or_default()).expect("json body");
    assert_eq!((sent["appId"].as_str(), sent["customerBelongsTo"].as_str()), (Some("3333010071465913"), Some("GCASH")));
    // A path that is not a path is a startup line, not a panic.
    env.insert("MPCB_ALIPAYPLUS_APPLY_TOKEN_PATH", "v1?x".into());
    let (setup, line) = AlipayPlusSetup::from_env(|k| env.get(k).cloned());
    assert!(setup.is_none() && line.contains("disabled"), "{line}");
}

#[tokio::test]
async fn missing_configuration_disables_only_the_exchange() {
    let sim = start_sim().await;
    let mut env = env_for(&sim);
    env.remove("MPCB_ALIPAYPLUS_PLATFORM_PUBLIC_KEY_FILE");
    let (setup, line) = AlipayPlusSetup::from_env(|k| env.get(k).cloned());
    assert!(setup.is_none());
    assert!(line.contains("disabled") && line.contains("MPCB_ALIPAYPLUS_PLATFORM_PUBLIC_KEY_FILE"), "{line}");
    let (setup, line) = AlipayPlusSetup::from_env(|_| None);
    assert!(setup.is_none() && line.contains("MPCB_ALIPAYPLUS_BASE_URL"), "{line}");
    let mut env = env_for(&sim);
    env.insert("MPCB_ALIPAYPLUS_PRIVATE_KEY_FILE", fixture("weak_1024.pem").display().to_string());
    let (setup, line) = AlipayPlusSetup::from_env(|k| env.get(k).cloned());
    assert!(setup.is_none() && line.contains("1024"), "{line}");
    assert!(!line.contains("BEGIN"), "{line}");
    // Without the exchange the route behaves as before.
    let backend = serve(mp_consent_backend::app(false)).await;
    let (st, v) = json_request(&backend.addr, "POST", "/consent/auth-code", &[], &body("AC-anything")).await;
    assert_eq!((st, v["kind"].as_str()), (200, Some("authCode")), "{v}");
    assert!(v.get("session").is_none());
}
