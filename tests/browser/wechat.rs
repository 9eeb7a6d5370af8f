//! WeChat flows in Chromium against a mock `wx` host and the reference backend: login
//! codes and subscription grants forwarded to their routes, phone events with the quota
//! and denial failures, the gesture rule for every new entry point, and Alipay
//! subscriptions with `entityIds`.

use crate::support::*;
use js_sys::Array;
use mp_consent_bridge::ConsentBridge;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

fn ids(items: &[&str]) -> JsValue {
    items.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into()
}

fn wechat(host: &JsValue) -> ConsentBridge {
    bridge(host, &format!(r#"{{"platform": "wechat", "backend": "{}"}}"#, backend()))
}

/// The bodies the backend received that contain `needle`, and their routes.
async fn received_with(needle: &str) -> Vec<(String, String)> {
    let all: Array = backend_received(backend()).await.unchecked_into();
    all.iter()
        .map(|r| (get(&r, "uri").as_string().unwrap_or_default(), get(&r, "body").as_string().unwrap_or_default()))
        .filter(|(_, body)| body.contains(needle))
        .collect()
}

#[wasm_bindgen_test]
async fn every_new_entry_point_calls_the_host_inside_the_tap() {
    assert_inside_the_tap(
        "wechat",
        &[
            ("askLoginCode", "login", |b| b.ask_login_code()),
            ("login", "login", |b| b.login()),
            ("askSubscribe", "requestSubscribeMessage", |b| b.ask_subscribe(ids(&["tap-1"]))),
            ("requestSubscribeMessage", "requestSubscribeMessage", |b| b.request_subscribe_message(ids(&["tap-2"]))),
        ],
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_login_code_reaches_its_route_once() {
    let code = format!("wx-login-{}", js_sys::Date::now());
    let host = mock_wechat_host(&plan_json(&format!(
        r#"{{"login": {{"success": {{"code": "{code}", "errMsg": "login:ok"}}}}}}"#
    )));
    let b = wechat(&host);
    let consent = fulfilled(b.ask_login_code()).await;
    assert_eq!(get(&consent, "platform").as_string().as_deref(), Some("wechat"));
    let answer = fulfilled(b.forward(consent.clone())).await;
    assert_eq!(get(&answer, "kind").as_string().as_deref(), Some("loginCode"));
    assert_eq!(error_code(b.forward(consent)).await, "TOKEN_ALREADY_USED");
    let seen = received_with(&code).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen.first().map(|(uri, _)| uri.as_str()), Some("/consent/login-code"));
    assert!(seen.first().is_some_and(|(_, body)| body.ends_with(r#""platform":"wechat"}"#)), "{seen:?}");
}

#[wasm_bindgen_test]
async fn grants_are_forwarded_without_tokens_and_refusal_is_an_outcome() {
    let id = format!("grant-{}", js_sys::Date::now());
    let plan = format!(
        r#"{{"requestSubscribeMessage": {{"success": {{"errMsg": "requestSubscribeMessage:ok", "{id}": "accept", "r": "reject", "f": "filter"}}}}}}"#
    );
    let b = wechat(&mock_wechat_host(&plan_json(&plan)));
    let sub = fulfilled(b.request_subscribe_message(ids(&[&id, "r", "f"]))).await;
    assert_eq!(stringify(&get(&sub, "accepted")), format!(r#"["{id}"]"#));
    assert_eq!(stringify(&get(&sub, "forwarded")), format!(r#"["{id}"]"#));
    assert_eq!(
        stringify(&get(&sub, "rejected")),
        r#"[{"templateId":"r","reason":"reject"},{"templateId":"f","reason":"filter"}]"#
    );
    let seen = received_with(&id).await;
    assert_eq!(seen.first().map(|(uri, _)| uri.as_str()), Some("/consent/subscription-grants"));
    // Alipay: the same result shape, asked with entityIds.
    let my = mock_alipay_host(&plan_json("{}"));
    let alipay = bridge(&my, &format!(r#"{{"platform": "alipay", "backend": "{}"}}"#, backend()));
    let sub = fulfilled(alipay.request_subscribe_message(ids(&["e-1"]))).await;
    assert_eq!(get(&sub, "platform").as_string().as_deref(), Some("alipay"));
    assert_eq!(stringify(&get(&last_options(&my, "requestSubscribeMessage"), "entityIds")), r#"["e-1"]"#);
}

#[wasm_bindgen_test]
async fn phone_events_and_subscribe_failures_are_typed() {
    let b = wechat(&mock_wechat_host(&plan_json(
        r#"{"requestSubscribeMessage": {"fail": {"errMsg": "requestSubscribeMessage:fail", "errCode": 20004}}}"#,
    )));
    let ok = fulfilled(
        b.phone_number_from_event(plan_json(r#"{"detail": {"code": "wx-phone", "errMsg": "getPhoneNumber:ok"}}"#)),
    )
    .await;
    assert_eq!(
        get(&ok, "expiresAt").as_f64().zip(get(&ok, "obtainedAt").as_f64()).map(|(e, o)| e - o),
        Some(300_000.0)
    );
    let cases = [
        (r#"{"detail": {"errMsg": "getPhoneNumber:fail user deny"}}"#, "USER_DENIED"),
        (r#"{"detail": {"errMsg": "getPhoneNumber:fail no permission", "errno": 1400001}}"#, "QUOTA_EXCEEDED"),
        (r#"{"detail": {"code": 5}}"#, "INVALID_RESULT"),
        (r#"{}"#, "INVALID_ARGUMENT"),
    ];
    for (event, expected) in cases {
        assert_eq!(error_code(b.phone_number_from_event(plan_json(event))).await, expected, "{event}");
    }
    let off = settle(b.ask_subscribe(ids(&["t"]))).await.err().unwrap_or(JsValue::NULL);
    assert_eq!(code(&off), "USER_DENIED");
    assert_eq!(get(&get(&off, "details"), "hostCode").as_string().as_deref(), Some("20004"));
    assert_eq!(error_code(b.ask_phone_number()).await, "HOST_UNAVAILABLE");
}
