//! Binance consent flows against documented and misbehaving mock hosts.

use crate::support::*;
use js_sys::{Array, Promise};
use mp_consent_bridge::ConsentBridge;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

const DATA_APIS: [(&str, &str); 3] =
    [("getPhoneNumber", "phoneNumber"), ("getOpenId", "openId"), ("getEmailAddress", "email")];

fn ask(bridge: &ConsentBridge, api: &str) -> Promise {
    match api {
        "getPhoneNumber" => bridge.ask_phone_number(),
        "getOpenId" => bridge.ask_open_id(),
        "getEmailAddress" => bridge.ask_email_address(),
        other => panic!("unknown api {other}"),
    }
}

fn ids(list: &[&str]) -> JsValue {
    list.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into()
}

#[wasm_bindgen_test]
async fn data_tokens_arrive_through_callbacks_promises_or_both() {
    for (api, kind) in DATA_APIS {
        for via in ["callback", "promise", "both"] {
            let host =
                host_with(api, &plan_json(&format!(r#"{{"success": {{"code": "tok-{via}"}}, "via": "{via}"}}"#)));
            let consent = fulfilled(ask(&bridge(&host, ""), api)).await;
            assert_eq!(get(&consent, "kind").as_string().as_deref(), Some(kind));
            assert_eq!(get(&consent, "token").as_string(), Some(format!("tok-{via}")));
            let (obtained, expires) = (
                get(&consent, "obtainedAt").as_f64().unwrap_or(0.0),
                get(&consent, "expiresAt").as_f64().unwrap_or(0.0),
            );
            assert_eq!(expires - obtained, 120_000.0, "{api} via {via}: data tokens live 2 minutes");
            assert!((js_sys::Date::now() - obtained).abs() < 5_000.0);
            assert_eq!(call_count(&host, api), 1);
        }
    }
}

#[wasm_bindgen_test]
async fn other_documented_token_fields_are_read() {
    for answer in [r#""bare-token""#, r#"{"token": "t1", "openId": "o"}"#, r#"{"data_token": "t2"}"#] {
        let host = host_with("getOpenId", &plan_json(&format!(r#"{{"success": {answer}, "via": "promise"}}"#)));
        let consent = fulfilled(bridge(&host, "").ask_open_id()).await;
        assert!(get(&consent, "token").as_string().is_some_and(|t| !t.is_empty()), "{answer}");
    }
}

#[wasm_bindgen_test]
async fn open_id_falls_back_to_get_user_openid() {
    let host = mock_binance_host(&plan_json("{}"));
    let _ = js_sys::Reflect::delete_property(host.unchecked_ref::<js_sys::Object>(), &"getOpenId".into());
    let fallback = js_sys::Function::new_with_args(
        "",
        "this.calls.push({api: 'getUserOpenid'}); return Promise.resolve({openId: 'x', token: 'new-sdk-token'})",
    );
    let _ = js_sys::Reflect::set(&host, &"getUserOpenid".into(), &fallback);
    let consent = fulfilled(bridge(&host, "").ask_open_id()).await;
    assert_eq!(get(&consent, "token").as_string().as_deref(), Some("new-sdk-token"));
}

/// The current docs name the call `bn.getUserOpenId` (success `res.code`): used when the
/// host has it and not the original `getOpenId`, before the jssdk's `getUserOpenid`.
#[wasm_bindgen_test]
async fn open_id_uses_get_user_open_id_from_the_current_docs() {
    let host = mock_binance_host(&plan_json("{}"));
    let _ = js_sys::Reflect::delete_property(host.unchecked_ref::<js_sys::Object>(), &"getOpenId".into());
    let current = js_sys::Function::new_with_args(
        "o",
        "this.calls.push({api: 'getUserOpenId'}); o.success({code: 'current-docs-token'})",
    );
    let older = js_sys::Function::new_with_args("", "throw new Error('the jssdk name must not be preferred')");
    let _ = js_sys::Reflect::set(&host, &"getUserOpenId".into(), &current);
    let _ = js_sys::Reflect::set(&host, &"getUserOpenid".into(), &older);
    let consent = fulfilled(bridge(&host, "").ask_open_id()).await;
    assert_eq!(get(&consent, "token").as_string().as_deref(), Some("current-docs-token"));
    assert_eq!(call_count(&host, "getUserOpenId"), 1);
}

/// The email button (`bindgetemailaddress`, token in `detail.code`), like the phone one.
#[wasm_bindgen_test]
async fn email_button_events() {
    let b = forwarding_bridge();
    let ok = fulfilled(b.email_address_from_event(plan_json(r#"{"detail": {"code": "email-btn-token"}}"#))).await;
    assert_eq!(get(&ok, "kind").as_string().as_deref(), Some("email"));
    assert_eq!(get(&ok, "token").as_string().as_deref(), Some("email-btn-token"));
    let denied = b.email_address_from_event(plan_json(r#"{"detail": {"errMsg": "getEmailAddress:fail user deny"}}"#));
    assert_eq!(error_code(denied).await, "USER_DENIED");
    assert_eq!(error_code(b.email_address_from_event(plan_json("{}"))).await, "INVALID_ARGUMENT");
    let token = format!("email-forward-{}", js_sys::Date::now() as u64);
    let answer =
        fulfilled(b.forward_email_address_event(plan_json(&format!(r#"{{"detail": {{"code": "{token}"}}}}"#)))).await;
    assert_eq!(get(&answer, "kind").as_string().as_deref(), Some("email"));
}

fn forwarding_bridge() -> ConsentBridge {
    bridge(&mock_binance_host(&plan_json("{}")), &format!(r#"{{"backend": "{}"}}"#, backend()))
}

#[wasm_bindgen_test]
async fn denials_are_user_denied_with_the_host_message() {
    for (api, _) in DATA_APIS {
        for msg in ["user deny", "auth deny", "cancel"] {
            let errmsg = format!("{api}:fail {msg}");
            let host = host_with(api, &plan_json(&format!(r#"{{"fail": {{"errMsg": "{errmsg}"}}}}"#)));
            let err = settle(ask(&bridge(&host, ""), api)).await.err().unwrap_or(JsValue::NULL);
            assert_eq!(code(&err), "USER_DENIED", "{errmsg}");
            assert_eq!(get(&get(&err, "details"), "hostMessage").as_string(), Some(errmsg));
        }
    }
}

#[wasm_bindgen_test]
async fn other_failures_keep_the_host_code_and_message() {
    let host = host_with(
        "getPhoneNumber",
        &plan_json(r#"{"fail": {"errCode": 10001, "errMsg": "getPhoneNumber:fail system error"}}"#),
    );
    let err = settle(bridge(&host, "").ask_phone_number()).await.err().unwrap_or(JsValue::NULL);
    assert_eq!(code(&err), "HOST_ERROR");
    let details = get(&err, "details");
    assert_eq!(get(&details, "hostCode").as_string().as_deref(), Some("10001"));
    assert_eq!(get(&details, "hostMessage").as_string().as_deref(), Some("getPhoneNumber:fail system error"));
    assert!(err.is_instance_of::<js_sys::Error>(), "BridgeError is a real Error");
    assert!(get(&err, "stack").is_string());
}

#[wasm_bindgen_test]
async fn malformed_answers_are_invalid_result_and_never_echo_the_token() {
    let secret = "SECRET-TOKEN-abc";
    let cases = [
        r#"{"success": null}"#.to_owned(),
        r#"{"success": 42}"#.to_owned(),
        r#"{"success": {}}"#.to_owned(),
        r#"{"success": {"code": ""}}"#.to_owned(),
        r#"{"success": {"code": 12345}}"#.to_owned(),
        r#"{"success": {"code": ["a"]}}"#.to_owned(),
        format!(r#"{{"success": {{"code": "{secret}\n"}}}}"#),
        format!(r#"{{"success": {{"code": " {secret}"}}}}"#),
        format!(r#"{{"success": {{"code": "{}"}}}}"#, "S".repeat(5000)),
        r#"{"success": {"errMsg": "getPhoneNumber:ok"}}"#.to_owned(),
    ];
    for case in cases {
        let host = host_with("getPhoneNumber", &plan_json(&case));
        let err = settle(bridge(&host, "").ask_phone_number()).await.err().unwrap_or(JsValue::NULL);
        assert_eq!(code(&err), "INVALID_RESULT", "{case}");
        let shown = format!("{} {}", message(&err), stringify(&get(&err, "details")));
        assert!(!shown.contains(secret) && !shown.contains("SSSS"), "the token leaked: {shown}");
    }
    for plan in [plan_huge_answer(), plan_deep_answer()] {
        let host = host_with("getPhoneNumber", &plan);
        assert_eq!(error_code(bridge(&host, "").ask_phone_number()).await, "INVALID_RESULT");
    }
}

#[wasm_bindgen_test]
async fn a_token_inside_a_failure_never_reaches_the_error() {
    let host = host_with(
        "getPhoneNumber",
        &plan_json(r#"{"success": {"errMsg": "getPhoneNumber:fail system", "code": "LEAKY-SECRET"}}"#),
    );
    let err = settle(bridge(&host, "").ask_phone_number()).await.err().unwrap_or(JsValue::NULL);
    assert_eq!(code(&err), "HOST_ERROR");
    let shown = format!("{} {}", message(&err), stringify(&get(&err, "details")));
    assert!(!shown.contains("LEAKY"), "{shown}");
    let host = host_with("getPhoneNumber", &plan_json(r#"{"success": {"code": null, "token": "T-after-null"}}"#));
    let consent = fulfilled(bridge(&host, "").ask_phone_number()).await;
    assert_eq!(get(&consent, "token").as_string().as_deref(), Some("T-after-null"));
}

#[wasm_bindgen_test]
async fn a_fail_errmsg_inside_a_success_is_a_failure() {
    let host = host_with("getPhoneNumber", &plan_json(r#"{"success": {"errMsg": "getPhoneNumber:fail user deny"}}"#));
    assert_eq!(error_code(bridge(&host, "").ask_phone_number()).await, "USER_DENIED");
}

#[wasm_bindgen_test]
async fn misbehaving_hosts_end_in_typed_errors() {
    let cases: Vec<(&str, JsValue, &str)> = vec![
        ("sync throw of an Error", plan_throw_error("host exploded"), "HOST_ERROR"),
        ("sync throw of a string", plan_throw_value(&"just a string".into()), "HOST_ERROR"),
        ("sync throw of undefined", plan_throw_value(&JsValue::UNDEFINED), "HOST_ERROR"),
        ("promise rejects with undefined", plan_fail_undefined("promise"), "HOST_ERROR"),
        ("fail callback with undefined", plan_fail_undefined("callback"), "HOST_ERROR"),
        ("rejects with a plain object", plan_json(r#"{"fail": {}, "via": "promise"}"#), "HOST_ERROR"),
        ("rejects with a string", plan_json(r#"{"fail": "nope", "via": "promise"}"#), "HOST_ERROR"),
        ("a thenable whose then throws", plan_bad_thenable(), "HOST_ERROR"),
        ("never answers", JsValue::from_str("never"), "HOST_TIMEOUT"),
        ("answers after the timeout", plan_late_success(400), "HOST_TIMEOUT"),
    ];
    for (what, plan, expected) in cases {
        let host = host_with("getPhoneNumber", &plan);
        let b = bridge(&host, r#"{"hostTimeoutMs": 150}"#);
        assert_eq!(error_code(b.ask_phone_number()).await, expected, "{what}");
        // The slot is free again and the bridge still works after the misbehaviour.
        assert_ne!(error_code(b.ask_phone_number()).await, "CONSENT_BUSY", "{what}: slot not released");
    }
    let sync_err =
        settle(bridge(&host_with("getPhoneNumber", &plan_throw_error("host exploded")), "").ask_phone_number()).await;
    let sync_err = sync_err.err().unwrap_or(JsValue::NULL);
    assert_eq!(get(&get(&sync_err, "details"), "hostMessage").as_string().as_deref(), Some("host exploded"));
    sleep(500).await; // late callbacks fire into settled promises without harm
}

#[wasm_bindgen_test]
async fn first_settlement_wins() {
    let twice =
        host_with("getPhoneNumber", &plan_json(r#"{"success": {"code": "first"}, "via": "both", "twice": true}"#));
    let consent = fulfilled(bridge(&twice, "").ask_phone_number()).await;
    assert_eq!(get(&consent, "token").as_string().as_deref(), Some("first"));
    let promise_first = host_with("getPhoneNumber", &plan_resolve_then_callback());
    let consent = fulfilled(bridge(&promise_first, "").ask_phone_number()).await;
    assert_eq!(get(&consent, "token").as_string().as_deref(), Some("promise-token"));
    let fail_first = host_with(
        "getPhoneNumber",
        &plan_json(r#"{"fail": {"errMsg": "getPhoneNumber:fail user deny"}, "via": "both", "twice": true}"#),
    );
    assert_eq!(error_code(bridge(&fail_first, "").ask_phone_number()).await, "USER_DENIED");
}

#[wasm_bindgen_test]
async fn one_consent_request_at_a_time() {
    let host = host_with("getPhoneNumber", &plan_json(r#"{"success": {"code": "slow"}, "delayMs": 50}"#));
    let b = bridge(&host, "");
    let first = b.ask_phone_number();
    let second = b.ask_email_address();
    let third = b.ask_subscribe(ids(&["t1"]));
    assert_eq!(error_code(second).await, "CONSENT_BUSY");
    assert_eq!(error_code(third).await, "CONSENT_BUSY");
    assert_eq!(
        call_count(&host, "getEmailAddress") + call_count(&host, "requestSubscribeMessage"),
        0,
        "busy calls never reach the host"
    );
    fulfilled(first).await;
    fulfilled(b.ask_phone_number()).await;
    assert_eq!(call_count(&host, "getPhoneNumber"), 2);
}

#[wasm_bindgen_test]
async fn missing_host_or_api_is_host_unavailable_and_construction_never_throws() {
    // No `bn` or `my` global exists in the test page.
    let no_host = ConsentBridge::new(None).unwrap_or_else(|e| panic!("threw {}", code(&e)));
    assert_eq!(error_code(no_host.ask_phone_number()).await, "HOST_UNAVAILABLE");
    let empty = bridge(&plan_json("{}"), "");
    assert_eq!(error_code(empty.ask_open_id()).await, "HOST_UNAVAILABLE");
    assert_eq!(error_code(empty.ask_subscribe(ids(&["a"]))).await, "HOST_UNAVAILABLE");
}

#[wasm_bindgen_test]
async fn button_events() {
    let b = bridge(&mock_binance_host(&plan_json("{}")), "");
    let ok = fulfilled(b.phone_number_from_event(plan_json(
        r#"{"type": "getphonenumber", "detail": {"code": "btn-token", "errMsg": "getPhoneNumber:ok"}}"#,
    )))
    .await;
    assert_eq!(get(&ok, "token").as_string().as_deref(), Some("btn-token"));
    assert_eq!(get(&ok, "kind").as_string().as_deref(), Some("phoneNumber"));
    let cases = [
        (r#"{"detail": {"errMsg": "getPhoneNumber:fail user deny"}}"#, "USER_DENIED"),
        (r#"{"detail": {}}"#, "USER_DENIED"),
        (r#"{"detail": {"errMsg": "getPhoneNumber:fail no permission", "errno": 1400001}}"#, "HOST_ERROR"),
        (r#"{"detail": {"code": 5}}"#, "INVALID_RESULT"),
        (r#"{"detail": {"code": ""}}"#, "INVALID_RESULT"),
        (r#"{"detail": "code"}"#, "INVALID_ARGUMENT"),
        (r#"{}"#, "INVALID_ARGUMENT"),
        (r#"null"#, "INVALID_ARGUMENT"),
    ];
    for (event, expected) in cases {
        assert_eq!(error_code(b.phone_number_from_event(plan_json(event))).await, expected, "{event}");
    }
    assert_eq!(error_code(b.phone_number_from_event(JsValue::UNDEFINED)).await, "INVALID_ARGUMENT");
}

#[wasm_bindgen_test]
async fn template_ids_are_checked_before_the_host_is_called() {
    let host = mock_binance_host(&plan_json("{}"));
    let b = bridge(&host, "");
    let bad: Vec<JsValue> = vec![
        ids(&[]),
        ids(&["a", "b", "c", "d"]),
        ids(&["a", "a"]),
        ids(&["has space"]),
        ids(&["tab\there"]),
        ids(&[""]),
        ids(&[&"x".repeat(129)]),
        plan_json(r#"["ok", 5]"#),
        plan_json(r#""not-an-array""#),
        JsValue::UNDEFINED,
    ];
    for list in bad {
        assert_eq!(error_code(b.ask_subscribe(list.clone())).await, "INVALID_ARGUMENT", "{}", stringify(&list));
    }
    assert_eq!(call_count(&host, "requestSubscribeMessage"), 0);
    let five = bridge(&host, r#"{"maxTemplatesPerCall": 5}"#);
    let outcome = fulfilled(five.ask_subscribe(ids(&["a", "b", "c", "d", "e"]))).await;
    assert_eq!(get(&outcome, "accepted").unchecked_into::<Array>().length(), 5);
    let sent = last_options(&host, "requestSubscribeMessage");
    assert_eq!(stringify(&get(&sent, "tmplIds")), r#"["a","b","c","d","e"]"#);
}

#[wasm_bindgen_test]
async fn subscription_outcomes_report_every_reason() {
    let answer = r#"{"success": {
        "errMsg": "requestSubscribeMessage:ok",
        "acc": {"type": "accept", "token": "push-1"},
        "rej": {"type": "reject"},
        "ban": "ban",
        "fil": {"type": "filter"},
        "notok": {"type": "accept"},
        "badtok": {"type": "accept", "token": 7}
    }}"#;
    let host = host_with("requestSubscribeMessage", &plan_json(answer));
    let b = bridge(&host, r#"{"maxTemplatesPerCall": 10}"#);
    let outcome =
        fulfilled(b.ask_subscribe(ids(&["acc", "rej", "ban", "fil", "notok", "badtok", "gone", "weird"]))).await;
    assert_eq!(
        stringify(&get(&outcome, "rejected")),
        r#"[{"templateId":"rej","reason":"reject"},{"templateId":"ban","reason":"ban"},{"templateId":"fil","reason":"filter"},{"templateId":"notok","reason":"noToken"},{"templateId":"badtok","reason":"invalidToken"},{"templateId":"gone","reason":"missing"},{"templateId":"weird","reason":"missing"}]"#
    );
    let accepted = get(&outcome, "accepted").unchecked_into::<Array>();
    assert_eq!(accepted.length(), 1);
    let push = accepted.get(0);
    assert_eq!(get(&push, "pushToken").as_string().as_deref(), Some("push-1"));
    let life = get(&push, "expiresAt").as_f64().unwrap_or(0.0) - get(&push, "obtainedAt").as_f64().unwrap_or(0.0);
    assert_eq!(life, 7.0 * 24.0 * 3600.0 * 1000.0, "push tokens live 7 days");
}

#[wasm_bindgen_test]
async fn unrequested_and_prototype_keys_change_nothing() {
    let requested = ["tmpl-1", "__proto__", "constructor"];
    let host = host_with("requestSubscribeMessage", &plan_proto_keys(&ids(&requested[..1])));
    let outcome = fulfilled(bridge(&host, "").ask_subscribe(ids(&requested[..1]))).await;
    assert_eq!(stringify(&get(&outcome, "rejected")), "[]");
    assert_eq!(
        get(&outcome, "accepted").unchecked_into::<Array>().length(),
        1,
        "errMsg, __proto__ and constructor are not templates"
    );
    // Asking for "__proto__" itself reads only an own key, never the prototype.
    let host =
        host_with("requestSubscribeMessage", &plan_json(r#"{"success": {"errMsg": "requestSubscribeMessage:ok"}}"#));
    let outcome = fulfilled(bridge(&host, "").ask_subscribe(ids(&["__proto__", "constructor"]))).await;
    assert_eq!(
        stringify(&get(&outcome, "rejected")),
        r#"[{"templateId":"__proto__","reason":"missing"},{"templateId":"constructor","reason":"missing"}]"#
    );
}

#[wasm_bindgen_test]
async fn subscription_failures() {
    let denied = host_with(
        "requestSubscribeMessage",
        &plan_json(r#"{"fail": {"errMsg": "requestSubscribeMessage:fail cancel"}}"#),
    );
    assert_eq!(error_code(bridge(&denied, "").ask_subscribe(ids(&["a"]))).await, "USER_DENIED");
    let not_object = host_with("requestSubscribeMessage", &plan_json(r#"{"success": "accept"}"#));
    assert_eq!(error_code(bridge(&not_object, "").ask_subscribe(ids(&["a"]))).await, "INVALID_RESULT");
    let errored = host_with(
        "requestSubscribeMessage",
        &plan_json(r#"{"fail": {"errCode": 20004, "errMsg": "requestSubscribeMessage:fail main switch off"}}"#),
    );
    assert_eq!(error_code(bridge(&errored, "").ask_subscribe(ids(&["a"]))).await, "HOST_ERROR");
}

/// Every entry point calls the host in the same synchronous turn as the method call. The
/// gesture host refuses calls outside the tap, which the control case proves.
#[wasm_bindgen_test]
async fn every_entry_point_reaches_the_host_inside_the_tap() {
    let entries: [GestureEntry; 8] = [
        ("askPhoneNumber", "getPhoneNumber", |b| b.ask_phone_number()),
        ("askOpenId", "getOpenId", |b| b.ask_open_id()),
        ("askEmailAddress", "getEmailAddress", |b| b.ask_email_address()),
        ("askSubscribe", "requestSubscribeMessage", |b| b.ask_subscribe(ids(&["g1"]))),
        ("getPhoneNumber", "getPhoneNumber", |b| b.get_phone_number()),
        ("getOpenId", "getOpenId", |b| b.get_open_id()),
        ("getEmailAddress", "getEmailAddress", |b| b.get_email_address()),
        ("requestSubscribeMessage", "requestSubscribeMessage", |b| b.request_subscribe_message(ids(&["g2"]))),
    ];
    assert_inside_the_tap("binance", &entries).await;
    // Control: a call after one microtask hop is refused by the gesture host.
    let host = gesture_host("binance");
    let b = bridge(&host, "");
    set_tap(&host, true);
    let hop = js_sys::Promise::resolve(&JsValue::NULL);
    set_tap(&host, false);
    let _ = wasm_bindgen_futures::JsFuture::from(hop).await;
    assert_eq!(
        error_code(b.ask_phone_number()).await,
        "HOST_ERROR",
        "the gesture host must refuse calls outside the tap"
    );
}

#[wasm_bindgen_test]
fn invalid_options_are_invalid_config() {
    let cases = [
        r#"{"hostTimeoutMs": -1}"#,
        r#"{"hostTimeoutMs": 1.5}"#,
        r#"{"hostTimeoutMs": "100"}"#,
        r#"{"maxTemplatesPerCall": 0}"#,
        r#"{"hots": {}}"#,
        r#"{"host": "bn"}"#,
        r#"{"backend": "http://api.example.com"}"#,
        r#"{"backend": "ftp://127.0.0.1"}"#,
        r#"{"backend": "https://user:pw@api.example.com"}"#,
        r#"{"backend": "https://api.example.com/?token=1"}"#,
        r#"{"backend": 5}"#,
        r#"{"timeoutMs": 100}"#,
        r#"{"backend": "https://a.example", "retries": 11}"#,
        r#"{"backend": "https://a.example", "transport": "xhr"}"#,
        r#"{"backend": "https://a.example", "routes": {"phone": "/p"}}"#,
        r#"{"backend": "https://a.example", "routes": {"phoneNumber": "p?x"}}"#,
        r#"{"backend": "https://a.example", "headers": {"X-Session": "1", "x-session": "2"}}"#,
        r#"{"backend": "https://a.example", "headers": {"X-Session": "a\r\nInjected: 1"}}"#,
        r#"{"backend": "https://a.example", "headers": {"Bad Name": "v"}}"#,
        r#"{"backend": "https://a.example", "headers": {"Idempotency-Key": "mine"}}"#,
        r#"{"backend": "https://a.example", "headers": {"X-Number": 5}}"#,
        r#"{"backend": "https://a.example", "headers": {"X-User": "小明"}}"#,
        r#"{"backend": "https://a.example", "transport": "host", "host": {}}"#,
        r#"{"backend": "http://[::1].evil.example"}"#,
    ];
    for case in cases {
        match ConsentBridge::new(Some(options(&JsValue::UNDEFINED, case))) {
            Ok(_) => panic!("accepted {case}"),
            Err(e) => {
                assert_eq!(code(&e), "INVALID_CONFIG", "{case}");
                assert!(message(&e).len() > 20, "{case}: the message must say what to do");
            }
        }
    }
    for ok in [
        r#"{"backend": "https://api.example.com/mp/"}"#,
        r#"{"backend": "http://localhost:8080"}"#,
        r#"{"backend": "http://127.0.0.1:1"}"#,
        r#"{"backend": "http://[::1]:9"}"#,
    ] {
        assert!(ConsentBridge::new(Some(options(&JsValue::UNDEFINED, ok))).is_ok(), "{ok}");
    }
}
