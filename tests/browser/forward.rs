//! Forwarding to the reference backend over fetch and over the host's request API,
//! including the fault matrix.

use crate::support::*;
use js_sys::{Array, Promise};
use mp_consent_bridge::ConsentBridge;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

fn ids(list: &[&str]) -> JsValue {
    list.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into()
}

/// The requests the backend received whose body contains `needle`.
async fn received_with(needle: &str) -> Vec<JsValue> {
    let all = backend_received(backend()).await.unchecked_into::<Array>();
    all.iter().filter(|r| get(r, "body").as_string().is_some_and(|b| b.contains(needle))).collect()
}

fn forwarding(host: &JsValue, extra: &str) -> ConsentBridge {
    let url = backend();
    let extra = if extra.is_empty() { String::new() } else { format!(", {extra}") };
    bridge(host, &format!(r#"{{"backend": "{url}", "timeoutMs": 3000{extra}}}"#))
}

fn host_with_token(token: &str) -> JsValue {
    mock_binance_host(&plan_json(&format!(
        r#"{{"getPhoneNumber": {{"success": {{"code": "{token}"}}}}, "getOpenId": {{"success": {{"code": "{token}"}}}}, "getEmailAddress": {{"success": {{"code": "{token}"}}}}}}"#
    )))
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e9) as u64)
}

async fn check_delivered(token: &str, route: &str) -> JsValue {
    let got = received_with(token).await;
    assert_eq!(got.len(), 1, "exactly one request carried the token");
    let req = &got[0];
    let uri = get(req, "uri").as_string().unwrap_or_default();
    assert_eq!(uri, route);
    assert!(!uri.contains(token), "the token must never be in the URL");
    assert_eq!(get(&get(req, "headers"), "content-type").as_string().as_deref(), Some("application/json"));
    assert!(get(req, "idempotencyKey").as_string().is_some_and(|k| k.len() == 36));
    req.clone()
}

#[wasm_bindgen_test]
async fn each_data_flow_end_to_end_over_fetch() {
    type Flow = fn(&ConsentBridge) -> Promise;
    let flows: [(&str, &str, Flow); 3] = [
        ("phoneNumber", "/consent/phone-number", |b| b.get_phone_number()),
        ("openId", "/consent/open-id", |b| b.get_open_id()),
        ("email", "/consent/email", |b| b.get_email_address()),
    ];
    for (kind, route, flow) in flows {
        let token = unique(kind);
        let b = forwarding(&host_with_token(&token), r#""headers": {"X-Session": "sess-1"}"#);
        let answer = fulfilled(flow(&b)).await;
        assert_eq!(get(&answer, "ok").as_bool(), Some(true));
        assert_eq!(get(&answer, "kind").as_string().as_deref(), Some(kind));
        let req = check_delivered(&token, route).await;
        assert_eq!(get(&get(&req, "headers"), "x-session").as_string().as_deref(), Some("sess-1"));
        let body = js_sys::JSON::parse(&get(&req, "body").as_string().unwrap_or_default()).unwrap_or(JsValue::NULL);
        assert_eq!(get(&body, "dataToken").as_string(), Some(token.clone()));
        assert!(get(&body, "obtainedAt").as_f64().is_some());
    }
}

#[wasm_bindgen_test]
async fn each_flow_end_to_end_over_the_host_request_api() {
    let token = unique("viahost");
    let host = host_with_token(&token);
    let b = forwarding(&host, r#""transport": "host""#);
    let answer = fulfilled(b.get_phone_number()).await;
    assert_eq!(get(&answer, "kind").as_string().as_deref(), Some("phoneNumber"));
    assert_eq!(call_count(&host, "request"), 1, "the request went through bn.request");
    check_delivered(&token, "/consent/phone-number").await;
    let sub = fulfilled(b.request_subscribe_message(ids(&["h-t1", "h-t2"]))).await;
    assert_eq!(stringify(&get(&sub, "forwarded")), r#"["h-t1","h-t2"]"#);
    assert_eq!(get(&get(&sub, "response"), "stored").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
async fn subscriptions_forward_only_accepted_templates() {
    let host = host_with(
        "requestSubscribeMessage",
        &plan_json(r#"{"success": {"s-a": {"type": "accept", "token": "PUSH-sa-1"}, "s-b": {"type": "reject"}}}"#),
    );
    let b = forwarding(&host, "");
    let sub = fulfilled(b.request_subscribe_message(ids(&["s-a", "s-b"]))).await;
    assert_eq!(stringify(&get(&sub, "forwarded")), r#"["s-a"]"#);
    assert_eq!(stringify(&get(&sub, "rejected")), r#"[{"templateId":"s-b","reason":"reject"}]"#);
    let req = check_delivered("PUSH-sa-1", "/consent/subscriptions").await;
    assert_eq!(
        get(&req, "body").as_string().as_deref(),
        Some(r#"{"subscriptions":[{"templateId":"s-a","pushToken":"PUSH-sa-1"}]}"#)
    );
    // Nothing accepted: nothing is sent, and the outcome still says why.
    let none = host_with("requestSubscribeMessage", &plan_json(r#"{"success": {"s-c": "reject"}}"#));
    let sub = fulfilled(forwarding(&none, "").request_subscribe_message(ids(&["s-c"]))).await;
    assert_eq!(stringify(&get(&sub, "forwarded")), "[]");
    assert!(get(&sub, "response").is_null());
}

#[wasm_bindgen_test]
async fn forward_sends_a_consent_once_and_refuses_expired_ones() {
    let token = unique("once");
    let b = forwarding(&host_with_token(&token), "");
    let consent = fulfilled(b.ask_phone_number()).await;
    fulfilled(b.forward(consent.clone())).await;
    assert_eq!(error_code(b.forward(consent.clone())).await, "TOKEN_ALREADY_USED");
    assert_eq!(received_with(&token).await.len(), 1);
    // A consent obtained 2 minutes ago is not sent; editing expiresAt does not help.
    let stale = plan_json(&format!(
        r#"{{"kind": "phoneNumber", "token": "{}", "obtainedAt": {}, "expiresAt": 99999999999999}}"#,
        unique("stale"),
        js_sys::Date::now() as u64 - 120_000
    ));
    assert_eq!(error_code(b.forward(stale)).await, "TOKEN_EXPIRED");
    assert_eq!(error_code(b.forward(plan_json(r#"{"kind": "nope"}"#))).await, "INVALID_ARGUMENT");
    let unconfigured = bridge(&host_with_token("t"), "");
    assert_eq!(error_code(unconfigured.get_phone_number()).await, "INVALID_CONFIG");
}

#[wasm_bindgen_test]
async fn headers_can_come_from_a_function() {
    let token = unique("hdrfn");
    let opts = options(&host_with_token(&token), &format!(r#"{{"backend": "{}"}}"#, backend()));
    let f = js_sys::Function::new_no_args("return Promise.resolve({'X-Session': 'from-fn'})");
    let _ = js_sys::Reflect::set(&opts, &"headers".into(), &f);
    let b = ConsentBridge::new(Some(opts)).unwrap_or_else(|e| panic!("{}", message(&e)));
    fulfilled(b.get_phone_number()).await;
    let req = check_delivered(&token, "/consent/phone-number").await;
    assert_eq!(get(&get(&req, "headers"), "x-session").as_string().as_deref(), Some("from-fn"));
    let bad = options(&host_with_token(&unique("hdrbad")), &format!(r#"{{"backend": "{}"}}"#, backend()));
    let f = js_sys::Function::new_no_args("return {'X-Evil': 'a\\nb'}");
    let _ = js_sys::Reflect::set(&bad, &"headers".into(), &f);
    let b = ConsentBridge::new(Some(bad)).unwrap_or_else(|e| panic!("{}", message(&e)));
    assert_eq!(error_code(b.get_phone_number()).await, "INVALID_CONFIG");
}

/// Scripts `fault` for requests carrying the `X-Test-Scenario: scenario` header only.
async fn fault_for(scenario: &str, fault: &str) {
    let open = fault.trim_end().strip_suffix('}').unwrap_or(fault);
    let scoped = format!(r#"{open}, "scenario": "{scenario}"}}"#);
    backend_fault(backend(), &scoped).await;
}

fn scenario_header(scenario: &str) -> String {
    format!(r#""headers": {{"X-Test-Scenario": "{scenario}"}}"#)
}

fn keys(requests: &[JsValue]) -> Vec<String> {
    requests.iter().map(|r| get(r, "idempotencyKey").as_string().unwrap_or_default()).collect()
}

#[wasm_bindgen_test]
async fn transient_failures_are_retried_with_one_idempotency_key() {
    let scenario = unique("s503");
    fault_for(&scenario, r#"{"kind": "status", "status": 503, "times": 2}"#).await;
    let token = unique("retry");
    let answer = fulfilled(forwarding(&host_with_token(&token), &scenario_header(&scenario)).get_phone_number()).await;
    assert_eq!(get(&answer, "ok").as_bool(), Some(true));
    let got = received_with(&token).await;
    assert_eq!(got.len(), 3, "two 503s then success");
    let k = keys(&got);
    assert!(k.iter().all(|x| x == &k[0] && x.len() == 36), "one idempotency key across retries: {k:?}");
    assert_eq!(
        got.iter().map(|r| get(r, "status").as_f64().unwrap_or(0.0) as u16).collect::<Vec<_>>(),
        vec![503, 503, 200]
    );

    let scenario = unique("s429");
    fault_for(&scenario, r#"{"kind": "status", "status": 429, "times": 1, "retryAfter": 1}"#).await;
    let token = unique("retry-after");
    let started = js_sys::Date::now();
    fulfilled(forwarding(&host_with_token(&token), &scenario_header(&scenario)).get_phone_number()).await;
    let waited = js_sys::Date::now() - started;
    assert!(waited >= 950.0, "Retry-After: 1 was honoured (waited {waited} ms)");
    assert_eq!(received_with(&token).await.len(), 2);
}

#[wasm_bindgen_test]
async fn the_fault_matrix() {
    // (scripted fault, extra options, expected outcome, requests the backend sees)
    let cases = [
        (r#"{"kind": "status", "status": 500, "times": 5}"#, r#""retries": 2"#, "BACKEND_REJECTED", 3),
        (
            r#"{"kind": "status", "status": 400, "times": 1, "body": {"code": "BAD", "message": "no"}}"#,
            r#""retries": 2"#,
            "BACKEND_REJECTED",
            1,
        ),
        (r#"{"kind": "status", "status": 409, "times": 1}"#, r#""retries": 2"#, "BACKEND_REJECTED", 1),
        (
            r#"{"kind": "status", "status": 200, "times": 1, "body": {"code": "900201", "message": "invalid data token", "data": null, "success": false}}"#,
            r#""retries": 2"#,
            "BACKEND_REJECTED",
            1,
        ),
        (r#"{"kind": "slow", "ms": 1500, "times": 1}"#, r#""retries": 0, "timeoutMs": 300"#, "BACKEND_TIMEOUT", 1),
        (r#"{"kind": "slow", "ms": 1500, "times": 1}"#, r#""retries": 1, "timeoutMs": 300"#, "OK", 2),
        (r#"{"kind": "malformed", "times": 1}"#, r#""retries": 2"#, "BACKEND_INVALID_RESPONSE", 1),
        (r#"{"kind": "oversized", "times": 1}"#, r#""retries": 2"#, "BACKEND_INVALID_RESPONSE", 1),
        (r#"{"kind": "drop", "times": 1}"#, r#""retries": 0"#, "NETWORK", 1),
        (r#"{"kind": "drop", "times": 1}"#, r#""retries": 1"#, "OK", 2),
    ];
    let url = backend();
    for (fault, extra, expected, attempts) in cases {
        let scenario = unique("matrix");
        fault_for(&scenario, fault).await;
        let token = unique("matrix");
        let b = bridge(
            &host_with_token(&token),
            &format!(r#"{{"backend": "{url}", {extra}, {}}}"#, scenario_header(&scenario)),
        );
        let outcome = match settle(b.get_phone_number()).await {
            Ok(_) => "OK".to_owned(),
            Err(e) => {
                if fault.contains(r#""BAD""#) {
                    let d = get(&e, "details");
                    assert_eq!(get(&d, "status").as_f64(), Some(400.0));
                    assert_eq!(get(&d, "backendCode").as_string().as_deref(), Some("BAD"));
                    assert_eq!(get(&d, "backendMessage").as_string().as_deref(), Some("no"));
                }
                code(&e)
            }
        };
        let got = received_with(&token).await;
        assert_eq!(outcome, expected, "{fault} with {extra}");
        assert_eq!(got.len(), attempts, "{fault} with {extra}: attempts");
        let k = keys(&got);
        assert!(k.iter().all(|x| x == &k[0]), "{fault}: one key across attempts");
    }
}

#[wasm_bindgen_test]
async fn redirects_are_refused_so_tokens_only_reach_the_validated_url() {
    let url = backend();
    let scenario = unique("redirect");
    fault_for(&scenario, &format!(r#"{{"kind": "redirect", "location": "{url}/consent/email", "times": 5}}"#)).await;
    let token = unique("redir");
    let b = bridge(
        &host_with_token(&token),
        &format!(r#"{{"backend": "{url}", "retries": 0, {}}}"#, scenario_header(&scenario)),
    );
    assert_eq!(error_code(b.get_phone_number()).await, "NETWORK");
    let got = received_with(&token).await;
    assert_eq!(got.len(), 1, "the redirect target never received the token");
    assert_eq!(get(&got[0], "uri").as_string().as_deref(), Some("/consent/phone-number"));
}

#[wasm_bindgen_test]
async fn large_error_pages_still_count_by_status_and_large_json_answers_are_fine() {
    let url = backend();
    let scenario = unique("big503");
    fault_for(&scenario, r#"{"kind": "status", "status": 503, "times": 1, "pad": 100000}"#).await;
    let token = unique("big503");
    let b = bridge(&host_with_token(&token), &format!(r#"{{"backend": "{url}", {}}}"#, scenario_header(&scenario)));
    fulfilled(b.get_phone_number()).await;
    assert_eq!(received_with(&token).await.len(), 2, "a large 503 is retried like any 503");
    let scenario = unique("bigarray");
    let zeros = vec!["0"; 5000].join(",");
    fault_for(&scenario, &format!(r#"{{"kind": "status", "status": 200, "times": 1, "body": [{zeros}]}}"#)).await;
    let b = bridge(
        &host_with_token(&unique("bigarray")),
        &format!(r#"{{"backend": "{url}", {}}}"#, scenario_header(&scenario)),
    );
    let answer = fulfilled(b.get_phone_number()).await;
    assert_eq!(answer.unchecked_into::<Array>().length(), 5000, "valid 2xx JSON is returned whatever its shape");
}

#[wasm_bindgen_test]
async fn a_push_token_is_never_sent_twice_even_in_another_bundle() {
    let host = host_with(
        "requestSubscribeMessage",
        &plan_json(&format!(
            r#"{{"success": {{"p-a": {{"type": "accept", "token": "{}"}}, "p-b": {{"type": "accept", "token": "{}"}}}}}}"#,
            unique("PA"),
            unique("PB")
        )),
    );
    let b = forwarding(&host, "");
    let outcome = fulfilled(b.ask_subscribe(ids(&["p-a", "p-b"]))).await;
    fulfilled(b.forward(outcome.clone())).await;
    let accepted = get(&outcome, "accepted").unchecked_into::<Array>();
    let only_a = plan_json("{}");
    let _ = js_sys::Reflect::set(&only_a, &"accepted".into(), &Array::of1(&accepted.get(0)));
    assert_eq!(error_code(b.forward(only_a)).await, "TOKEN_ALREADY_USED");
}

#[wasm_bindgen_test]
async fn expiry_is_enforced_before_every_attempt_and_edits_cannot_extend_it() {
    let url = backend();
    let b = forwarding(&host_with_token("unused"), "");
    let future = plan_json(&format!(
        r#"{{"kind": "phoneNumber", "token": "{}", "obtainedAt": {}}}"#,
        unique("future"),
        js_sys::Date::now() as u64 + 60_000
    ));
    assert_eq!(error_code(b.forward(future)).await, "INVALID_ARGUMENT");
    // 100 s old: sendable now (the margin is 15 s of the 120 s), but not after a 3 s wait.
    let scenario = unique("expiring");
    fault_for(&scenario, r#"{"kind": "status", "status": 503, "times": 5, "retryAfter": 3}"#).await;
    let token = unique("expiring");
    let b = bridge(
        &host_with_token("x"),
        &format!(r#"{{"backend": "{url}", "retries": 5, {}}}"#, scenario_header(&scenario)),
    );
    let old = plan_json(&format!(
        r#"{{"kind": "phoneNumber", "token": "{token}", "obtainedAt": {}}}"#,
        js_sys::Date::now() as u64 - 103_000
    ));
    assert_eq!(error_code(b.forward(old)).await, "TOKEN_EXPIRED");
    assert_eq!(received_with(&token).await.len(), 1, "one attempt, then no retry past the deadline");
}
