//! The same transport tests for every transport a Rust caller can choose: fetch, the
//! host's request API, and gloo-net (feature `gloo`, which the test command enables).
//! Each runs the fault matrix through the Rust `Bridge` against the reference backend.

use crate::support::*;
use js_sys::Array;
use mp_consent_bridge::{Bridge, BridgeOptions, ErrorCode, ForwardOptions, HeaderOption, TransportChoice};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

fn choices() -> Vec<(&'static str, TransportChoice)> {
    vec![("fetch", TransportChoice::Fetch), ("host", TransportChoice::Host), ("gloo", TransportChoice::Gloo)]
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e9) as u64)
}

fn host_with_token(token: &str) -> JsValue {
    mock_binance_host(&plan_json(&format!(r#"{{"getPhoneNumber": {{"success": {{"code": "{token}"}}}}}}"#)))
}

async fn received_with(token: &str) -> Vec<JsValue> {
    let all = backend_received(backend()).await.unchecked_into::<Array>();
    all.iter().filter(|r| get(r, "body").as_string().is_some_and(|b| b.contains(token))).collect()
}

fn rust_bridge(host: &JsValue, transport: TransportChoice, scenario: &str, retries: u32, timeout_ms: u32) -> Bridge {
    let mut forward = ForwardOptions::new(backend());
    forward.transport = transport;
    forward.retries = retries;
    forward.timeout_ms = timeout_ms;
    forward.headers = HeaderOption::Fixed(vec![("X-Test-Scenario".into(), scenario.into())]);
    let options = BridgeOptions { host: Some(host.clone()), forward: Some(forward), ..BridgeOptions::default() };
    Bridge::new(options).unwrap_or_else(|e| panic!("bridge: {e}"))
}

#[wasm_bindgen_test]
async fn every_transport_passes_the_fault_matrix() {
    // (scripted fault, retries, timeout, expected outcome, requests the backend sees)
    let cases: [(&str, u32, u32, Option<ErrorCode>, usize); 8] = [
        (r#"{"kind": "status", "status": 503, "times": 2}"#, 2, 3000, None, 3),
        (r#"{"kind": "status", "status": 500, "times": 5}"#, 2, 3000, Some(ErrorCode::BackendRejected), 3),
        (r#"{"kind": "status", "status": 400, "times": 1}"#, 2, 3000, Some(ErrorCode::BackendRejected), 1),
        (r#"{"kind": "slow", "ms": 1500, "times": 1}"#, 0, 300, Some(ErrorCode::BackendTimeout), 1),
        (r#"{"kind": "slow", "ms": 1500, "times": 1}"#, 1, 300, None, 2),
        (r#"{"kind": "malformed", "times": 1}"#, 2, 3000, Some(ErrorCode::BackendInvalidResponse), 1),
        (r#"{"kind": "oversized", "times": 1}"#, 2, 3000, Some(ErrorCode::BackendInvalidResponse), 1),
        (r#"{"kind": "drop", "times": 1}"#, 1, 3000, None, 2),
    ];
    for (name, transport) in choices() {
        for (fault, retries, timeout_ms, expected, attempts) in cases {
            let scenario = unique("transport");
            let open = fault.trim_end().strip_suffix('}').unwrap_or(fault);
            backend_fault(backend(), &format!(r#"{open}, "scenario": "{scenario}"}}"#)).await;
            let token = unique(name);
            let bridge = rust_bridge(&host_with_token(&token), transport, &scenario, retries, timeout_ms);
            let outcome = bridge.get_phone_number().await;
            let got = received_with(&token).await;
            assert_eq!(outcome.as_ref().err().map(|e| e.code()), expected, "{name}: {fault}");
            assert_eq!(got.len(), attempts, "{name}: {fault}: attempts");
            let keys: Vec<String> =
                got.iter().map(|r| get(r, "idempotencyKey").as_string().unwrap_or_default()).collect();
            assert!(keys.iter().all(|k| k == &keys[0] && k.len() == 36), "{name}: one key across attempts: {keys:?}");
            assert!(got.iter().all(|r| !get(r, "uri").as_string().unwrap_or_default().contains(&token)));
        }
    }
}

/// fetch and gloo-net refuse redirects, so a token never reaches a URL that was not
/// validated. (The host's request API may follow them: SECURITY.md says so, and the mock
/// host, built on fetch's default, does, as a real one may.)
#[wasm_bindgen_test]
async fn fetch_and_gloo_refuse_redirects() {
    for (name, transport) in choices().into_iter().filter(|(name, _)| *name != "host") {
        let scenario = unique("redirect");
        let target = format!("{}/consent/email", backend());
        let fault = format!(r#"{{"kind": "redirect", "location": "{target}", "times": 5, "scenario": "{scenario}"}}"#);
        backend_fault(backend(), &fault).await;
        let token = unique(name);
        let outcome = rust_bridge(&host_with_token(&token), transport, &scenario, 0, 3000).get_phone_number().await;
        assert_eq!(outcome.err().map(|e| e.code()), Some(ErrorCode::Network), "{name}");
        let got = received_with(&token).await;
        assert_eq!(got.len(), 1, "{name}: the redirect target never received the token");
    }
}
