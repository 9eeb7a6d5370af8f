//! The reference backend over real HTTP on 127.0.0.1: routes, validation, single use,
//! idempotent replays, lifetimes, CORS and scoped faults.

mod support;

use std::time::{SystemTime, UNIX_EPOCH};
use support::{request, serve, Server};

async fn start(faults: bool) -> Server {
    serve(mp_consent_backend::app(faults)).await
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

const JSON: (&str, &str) = ("Content-Type", "application/json");

#[tokio::test]
async fn accepts_once_replays_same_key_and_refuses_reuse() {
    let s = start(false).await;
    let body = format!(r#"{{"dataToken":"tok-1","obtainedAt":{}}}"#, now());
    let (st, head, first) =
        request(&s.addr, "POST", "/consent/phone-number", &[JSON, ("Idempotency-Key", "k1")], &body).await;
    assert_eq!(st, 200, "{first}");
    assert!(head.contains("access-control-allow-origin: *"));
    assert!(first.contains(r#""kind":"phoneNumber""#));
    let (st, _, replay) =
        request(&s.addr, "POST", "/consent/phone-number", &[JSON, ("Idempotency-Key", "k1")], &body).await;
    assert_eq!((st, replay.as_str()), (200, first.as_str()), "same key: the stored answer again");
    let (st, _, reuse) =
        request(&s.addr, "POST", "/consent/phone-number", &[JSON, ("Idempotency-Key", "k2")], &body).await;
    assert_eq!(st, 409);
    assert!(reuse.contains("TOKEN_ALREADY_USED"));
}

#[tokio::test]
async fn validates_bodies_and_lifetimes() {
    let s = start(false).await;
    let old = format!(r#"{{"dataToken":"t","obtainedAt":{}}}"#, now() - 121_000);
    let (st, _, body) = request(&s.addr, "POST", "/consent/email", &[JSON], &old).await;
    assert_eq!(st, 410);
    assert!(body.contains("900200"));
    for bad in [r#"{"dataToken":""}"#, r#"{"dataToken":"t","obtainedAt":1,"x":1}"#, "not json"] {
        let (st, _, _) = request(&s.addr, "POST", "/consent/open-id", &[JSON], bad).await;
        assert_eq!(st, 400, "{bad}");
    }
    let (st, _, _) = request(&s.addr, "POST", "/consent/subscriptions", &[JSON], r#"{"subscriptions":[]}"#).await;
    assert_eq!(st, 400);
    let (st, _, _) =
        request(&s.addr, "POST", "/consent/auth-code", &[JSON], r#"{"authCode":"a","scopes":["auth_base"]}"#).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn answers_cors_preflights_and_exposes_retry_after() {
    let s = start(false).await;
    let preflight = [("Origin", "http://127.0.0.1:9"), ("Access-Control-Request-Method", "POST")];
    let (st, head, _) = request(&s.addr, "OPTIONS", "/consent/phone-number", &preflight, "").await;
    assert_eq!(st, 204);
    assert!(head.contains("access-control-allow-methods: post"));
    assert!(head.contains("access-control-expose-headers: retry-after"));
}

#[tokio::test]
async fn faults_apply_to_their_scenario_only_and_requests_are_recorded() {
    let s = start(true).await;
    let fault = r#"{"kind":"status","status":503,"times":1,"scenario":"A","retryAfter":2}"#;
    assert_eq!(request(&s.addr, "POST", "/__test/fault", &[JSON], fault).await.0, 200);
    let body = |t: &str| format!(r#"{{"dataToken":"{t}","obtainedAt":{}}}"#, now());
    let (st, _, _) = request(&s.addr, "POST", "/consent/email", &[JSON, ("X-Test-Scenario", "B")], &body("b")).await;
    assert_eq!(st, 200, "another scenario is unaffected");
    let (st, head, _) = request(&s.addr, "POST", "/consent/email", &[JSON, ("X-Test-Scenario", "A")], &body("a")).await;
    assert_eq!(st, 503);
    assert!(head.contains("retry-after: 2"));
    let (st, _, _) = request(&s.addr, "POST", "/consent/email", &[JSON, ("X-Test-Scenario", "A")], &body("a")).await;
    assert_eq!(st, 200, "the fault was used up");
    let (_, _, log) = request(&s.addr, "GET", "/__test/received", &[], "").await;
    assert_eq!(log.matches(r#""uri":"/consent/email""#).count(), 3, "{log}");
    assert_eq!(request(&s.addr, "POST", "/__test/fault", &[JSON], r#"{"kind":"nope"}"#).await.0, 400);
}

#[tokio::test]
async fn test_endpoints_exist_only_in_fault_mode() {
    let s = start(false).await;
    let (st, _, _) = request(&s.addr, "GET", "/__test/received", &[], "").await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn the_audit_flags_tokens_in_urls_and_changed_idempotency_keys() {
    let s = start(true).await;
    let body = format!(r#"{{"dataToken":"aud-1","obtainedAt":{}}}"#, now());
    request(&s.addr, "POST", "/consent/email", &[JSON, ("Idempotency-Key", "k1")], &body).await;
    request(&s.addr, "POST", "/consent/email", &[JSON, ("Idempotency-Key", "k1")], &body).await;
    let (_, _, clean) = request(&s.addr, "GET", "/__test/violations", &[], "").await;
    assert_eq!(clean, "[]", "a retry with the same key is fine");
    request(&s.addr, "POST", "/consent/email", &[JSON, ("Idempotency-Key", "k2")], &body).await;
    let body2 = format!(r#"{{"dataToken":"aud-2","obtainedAt":{}}}"#, now());
    request(&s.addr, "POST", "/consent/email?t=aud-2", &[JSON, ("Idempotency-Key", "k3")], &body2).await;
    let (_, _, log) = request(&s.addr, "GET", "/__test/violations", &[], "").await;
    assert!(log.contains("idempotency key"), "{log}");
    assert!(log.contains("appeared in the URL /consent/email?t=<token>"), "{log}");
    assert!(!log.contains("aud-2"), "the audit log itself never shows a token: {log}");
}

#[tokio::test]
async fn login_codes_are_strict_single_use_and_live_five_minutes() {
    let s = start(false).await;
    let body = format!(r#"{{"loginCode":"lc-1","obtainedAt":{},"platform":"wechat"}}"#, now());
    let (st, _, first) =
        request(&s.addr, "POST", "/consent/login-code", &[JSON, ("Idempotency-Key", "a")], &body).await;
    assert_eq!(st, 200, "{first}");
    assert!(first.contains(r#""kind":"loginCode""#));
    let (st, _, reuse) =
        request(&s.addr, "POST", "/consent/login-code", &[JSON, ("Idempotency-Key", "b")], &body).await;
    assert_eq!((st, reuse.contains("TOKEN_ALREADY_USED")), (409, true));
    let old = format!(r#"{{"loginCode":"lc-2","obtainedAt":{},"platform":"binance"}}"#, now() - 301_000);
    assert_eq!(request(&s.addr, "POST", "/consent/login-code", &[JSON], &old).await.0, 410);
    let fresh_binance = format!(r#"{{"loginCode":"lc-3","obtainedAt":{},"platform":"binance"}}"#, now() - 200_000);
    assert_eq!(request(&s.addr, "POST", "/consent/login-code", &[JSON], &fresh_binance).await.0, 200);
    for bad in [
        format!(r#"{{"loginCode":"lc-4","obtainedAt":{}}}"#, now()),
        format!(r#"{{"loginCode":"lc-4","obtainedAt":{},"platform":"alipay"}}"#, now()),
        format!(r#"{{"loginCode":"","obtainedAt":{},"platform":"wechat"}}"#, now()),
        format!(r#"{{"loginCode":"lc-4","obtainedAt":{},"platform":"wechat","x":1}}"#, now()),
        format!(r#"{{"loginCode":"lc-4","obtainedAt":{},"platform":"wechat"}}"#, now() + 60_000),
    ] {
        assert_eq!(request(&s.addr, "POST", "/consent/login-code", &[JSON], &bad).await.0, 400, "{bad}");
    }
}

#[tokio::test]
async fn subscription_grants_are_strict_and_wechat_phone_codes_live_five_minutes() {
    let s = start(false).await;
    let ok = r#"{"platform":"wechat","templateIds":["a","b"],"obtainedAt":1}"#;
    let (st, _, answer) = request(&s.addr, "POST", "/consent/subscription-grants", &[JSON], ok).await;
    assert_eq!(st, 200, "{answer}");
    assert!(answer.contains(r#""stored":2"#));
    for bad in [
        r#"{"platform":"binance","templateIds":["a"],"obtainedAt":1}"#,
        r#"{"platform":"alipay","templateIds":[],"obtainedAt":1}"#,
        r#"{"platform":"alipay","templateIds":["a","a"],"obtainedAt":1}"#,
        r#"{"templateIds":["a"],"obtainedAt":1}"#,
        r#"{"platform":"alipay","templateIds":["a"],"obtainedAt":1,"pushToken":"x"}"#,
    ] {
        assert_eq!(request(&s.addr, "POST", "/consent/subscription-grants", &[JSON], bad).await.0, 400, "{bad}");
    }
    // A WeChat phone code 3 minutes old is still valid; a Binance data token is not.
    let wechat = format!(r#"{{"dataToken":"wx-p","obtainedAt":{},"platform":"wechat"}}"#, now() - 180_000);
    assert_eq!(request(&s.addr, "POST", "/consent/phone-number", &[JSON], &wechat).await.0, 200);
    let binance = format!(r#"{{"dataToken":"bn-p","obtainedAt":{}}}"#, now() - 180_000);
    assert_eq!(request(&s.addr, "POST", "/consent/phone-number", &[JSON], &binance).await.0, 410);
    let wechat_email = format!(r#"{{"dataToken":"wx-e","obtainedAt":{},"platform":"wechat"}}"#, now());
    assert_eq!(request(&s.addr, "POST", "/consent/email", &[JSON], &wechat_email).await.0, 400);
}

#[tokio::test]
async fn a_subscriptions_body_holds_at_most_twenty_items() {
    let s = start(false).await;
    let items = |n: usize, tag: &str| {
        let list: Vec<String> =
            (0..n).map(|i| format!(r#"{{"templateId":"tpl-{i}","pushToken":"{tag}-{i}"}}"#)).collect();
        format!(r#"{{"subscriptions":[{}]}}"#, list.join(","))
    };
    let max = mp_consent_backend::MAX_SUBSCRIPTIONS;
    let (st, _, body) = request(&s.addr, "POST", "/consent/subscriptions", &[JSON], &items(max + 1, "a")).await;
    assert_eq!(st, 400, "{body}");
    assert!(body.contains("INVALID_BODY"));
    let (st, _, body) = request(&s.addr, "POST", "/consent/subscriptions", &[JSON], &items(max, "b")).await;
    assert_eq!(st, 200, "{body}");
}

/// A key names one request: another body under a used key is refused, never answered
/// with the first body's answer (which would drop the new body's tokens silently).
#[tokio::test]
async fn another_body_under_a_used_idempotency_key_is_refused() {
    let s = start(false).await;
    let one = r#"{"subscriptions":[{"templateId":"tplA","pushToken":"pt-A"}]}"#;
    let two =
        r#"{"subscriptions":[{"templateId":"tplA","pushToken":"pt-A"},{"templateId":"tplC","pushToken":"pt-C"}]}"#;
    let key = [JSON, ("Idempotency-Key", "K1")];
    let (st, _, first) = request(&s.addr, "POST", "/consent/subscriptions", &key, one).await;
    assert_eq!(st, 200, "{first}");
    let (st, _, body) = request(&s.addr, "POST", "/consent/subscriptions", &key, two).await;
    assert_eq!(st, 422, "{body}");
    assert!(body.contains("IDEMPOTENCY_KEY_REUSED"), "{body}");
    let (st, _, replay) = request(&s.addr, "POST", "/consent/subscriptions", &key, one).await;
    assert_eq!((st, replay.as_str()), (200, first.as_str()), "the same body is still a replay");
}
