//! The Rust API, `Bridge`: its typed futures against the mock hosts and the reference
//! backend, and the gesture rule for each of its entry points (the host is called when
//! the method is called, before the future is first polled).

use crate::support::*;
use core::future::Future;
use core::pin::Pin;
use mp_consent_bridge::consent::DataKind;
use mp_consent_bridge::{Bridge, BridgeError, BridgeOptions, ErrorCode, ForwardOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

fn rust_bridge(host: &JsValue, forward: bool) -> Bridge {
    let options = BridgeOptions {
        host: Some(host.clone()),
        host_timeout_ms: 2000,
        forward: forward.then(|| ForwardOptions::new(backend())),
        ..BridgeOptions::default()
    };
    Bridge::new(options).unwrap_or_else(|e| panic!("bridge: {e}"))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[wasm_bindgen_test]
async fn typed_binance_flows_ask_validate_and_forward_once() {
    let host = mock_binance_host(&JsValue::UNDEFINED);
    let bridge = rust_bridge(&host, true);
    let consent = bridge.ask_phone_number().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(consent.kind, DataKind::PhoneNumber);
    assert_eq!(consent.expires_at - consent.obtained_at, 120_000);
    let answer = bridge.forward_data(&consent).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&answer, "ok").as_bool(), Some(true));
    assert_eq!(get(&answer, "kind").as_string().as_deref(), Some("phoneNumber"));
    let again = bridge.forward_data(&consent).await.err().map(|e| e.code());
    assert_eq!(again, Some(ErrorCode::TokenAlreadyUsed));

    let answer = bridge.get_email_address().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&answer, "kind").as_string().as_deref(), Some("email"));

    let (outcome, forwarded) =
        bridge.request_subscribe_message(strings(&["r-1", "r-2"])).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.accepted.len(), 2);
    assert_eq!(forwarded.forwarded, strings(&["r-1", "r-2"]));
    assert_eq!(get(&forwarded.response, "stored").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
async fn typed_alipay_flows_ask_validate_and_forward() {
    let host = mock_alipay_host(&JsValue::UNDEFINED);
    let bridge = rust_bridge(&host, true);
    let profile = bridge.ask_open_user_info().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(profile.nick_name, "Mock User");
    let code = bridge.ask_auth_code(strings(&["auth_base"])).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code.granted_scopes, strings(&["auth_base"]));
    let answer = bridge.forward_auth_code(&code).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&answer, "ok").as_bool(), Some(true));
    let answer = bridge.get_open_user_info().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&answer, "ok").as_bool(), Some(true));
}

#[wasm_bindgen_test]
async fn typed_flows_refuse_bad_arguments_before_the_host_and_need_a_backend_to_forward() {
    let host = mock_binance_host(&JsValue::UNDEFINED);
    let bridge = rust_bridge(&host, false);
    let refused = bridge.ask_subscribe(strings(&["same", "same"])).await.err().map(|e| e.code());
    assert_eq!(refused, Some(ErrorCode::InvalidArgument));
    assert_eq!(call_count(&host, "requestSubscribeMessage"), 0);
    let unconfigured = bridge.get_phone_number().await.err().map(|e| e.code());
    assert_eq!(unconfigured, Some(ErrorCode::InvalidConfig));
    let denied = rust_bridge(&mock_alipay_host(&JsValue::UNDEFINED), false)
        .ask_auth_code(strings(&["not a scope"]))
        .await
        .err()
        .map(|e| e.code());
    assert_eq!(denied, Some(ErrorCode::InvalidArgument));
}

type Flow = Pin<Box<dyn Future<Output = bool>>>;

/// A typed flow as one that says whether it succeeded; the host call already happened
/// when the method was called.
fn ok<T>(flow: impl Future<Output = Result<T, BridgeError>> + 'static) -> Flow {
    Box::pin(async move { flow.await.is_ok() })
}

/// Each typed entry point, called while the gesture host is "in the tap" and awaited
/// only after the tap ended, still reaches the host inside it.
#[wasm_bindgen_test]
async fn every_typed_entry_point_reaches_the_host_inside_the_tap() {
    type Entry = (&'static str, &'static str, fn(&Bridge) -> Flow);
    let entries: [Entry; 8] = [
        ("binance", "getPhoneNumber", |b| ok(b.ask_phone_number())),
        ("binance", "getOpenId", |b| ok(b.ask_open_id())),
        ("binance", "getEmailAddress", |b| ok(b.ask_email_address())),
        ("binance", "requestSubscribeMessage", |b| ok(b.ask_subscribe(strings(&["t"])))),
        ("binance", "getPhoneNumber", |b| ok(b.get_phone_number())),
        ("alipay", "getOpenUserInfo", |b| ok(b.ask_open_user_info())),
        ("alipay", "getAuthCode", |b| ok(b.ask_auth_code(strings(&["auth_base"])))),
        ("alipay", "getAuthCode", |b| ok(b.get_auth_code(strings(&["auth_base"])))),
    ];
    for (platform, api, call) in entries {
        let host = gesture_host(platform);
        let bridge = rust_bridge(&host, true);
        set_tap(&host, true);
        let flow = call(&bridge);
        set_tap(&host, false);
        assert_eq!(call_count(&host, api), 1, "{api} was not called synchronously");
        assert!(flow.await, "{platform} {api}: the flow failed after a call inside the tap");
    }
}

/// The button-event and forward-only methods of the Rust API: the phone-number button,
/// the getAuthorize button, forwarding a profile and accepted push tokens on their own.
#[wasm_bindgen_test]
async fn typed_event_and_forward_methods() {
    let host = mock_binance_host(&JsValue::UNDEFINED);
    let bridge = rust_bridge(&host, true);
    let event = plan_json(r#"{"detail": {"code": "rust-event-token-1"}}"#);
    let consent = bridge.phone_number_from_event(&event).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((consent.kind, consent.token.expose()), (DataKind::PhoneNumber, "rust-event-token-1"));
    let denied =
        bridge.phone_number_from_event(&plan_json(r#"{"detail": {"errMsg": "getPhoneNumber:fail user deny"}}"#));
    assert_eq!(denied.err().map(|e| e.code()), Some(ErrorCode::UserDenied));
    let answer = bridge
        .forward_phone_number_event(&plan_json(r#"{"detail": {"code": "rust-event-token-2"}}"#))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&answer, "kind").as_string().as_deref(), Some("phoneNumber"));
    let answer = bridge.get_open_id().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&answer, "kind").as_string().as_deref(), Some("openId"));
    let outcome = bridge.ask_subscribe(strings(&["f-1"])).await.unwrap_or_else(|e| panic!("{e}"));
    let sent = bridge.forward_subscriptions(&outcome.accepted).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sent.forwarded, strings(&["f-1"]));
    let again = bridge.forward_subscriptions(&outcome.accepted).await.err().map(|e| e.code());
    assert_eq!(again, Some(ErrorCode::TokenAlreadyUsed));

    let alipay = rust_bridge(&mock_alipay_host(&JsValue::UNDEFINED), true);
    let profile = alipay
        .ask_open_user_info_from_event(&plan_json(r#"{"type": "getAuthorize", "detail": {}}"#))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = alipay.forward_user_info(&profile).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get(&answer, "ok").as_bool(), Some(true));
    let refused = alipay
        .ask_open_user_info_from_event(&plan_json(r#"{"type": "error", "detail": {"errorMessage": "user cancelled"}}"#))
        .await;
    assert_eq!(refused.err().map(|e| e.code()), Some(ErrorCode::UserDenied));
}
