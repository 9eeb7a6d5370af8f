//! Shared helpers: harness bindings, bridge construction, promise outcomes.
#![allow(dead_code)]

use js_sys::{Object, Promise, Reflect};
use mp_consent_bridge::ConsentBridge;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/mock-hosts.js")]
extern "C" {
    #[wasm_bindgen(js_name = mockBinanceHost)]
    pub fn mock_binance_host(script: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = mockAlipayHost)]
    pub fn mock_alipay_host(script: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = mockWechatHost)]
    pub fn mock_wechat_host(script: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = alipayUserInfo)]
    pub fn alipay_user_info(profile: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = alipayUserInfoError)]
    pub fn alipay_user_info_error(code: &str) -> JsValue;
    #[wasm_bindgen(js_name = alipayAuthError)]
    pub fn alipay_auth_error(error: f64) -> JsValue;
}

#[wasm_bindgen(module = "/tests/support/harness.js")]
extern "C" {
    #[wasm_bindgen(js_name = hostWith)]
    pub fn host_with(api: &str, plan: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = planJson)]
    pub fn plan_json(json: &str) -> JsValue;
    #[wasm_bindgen(js_name = planFailUndefined)]
    pub fn plan_fail_undefined(via: &str) -> JsValue;
    #[wasm_bindgen(js_name = planThrowError)]
    pub fn plan_throw_error(message: &str) -> JsValue;
    #[wasm_bindgen(js_name = planThrowValue)]
    pub fn plan_throw_value(value: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = planResolveThenCallback)]
    pub fn plan_resolve_then_callback() -> JsValue;
    #[wasm_bindgen(js_name = planLateSuccess)]
    pub fn plan_late_success(ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = planBadThenable)]
    pub fn plan_bad_thenable() -> JsValue;
    #[wasm_bindgen(js_name = planHugeAnswer)]
    pub fn plan_huge_answer() -> JsValue;
    #[wasm_bindgen(js_name = planDeepAnswer)]
    pub fn plan_deep_answer() -> JsValue;
    #[wasm_bindgen(js_name = planProtoKeys)]
    pub fn plan_proto_keys(ids: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = callCount)]
    pub fn call_count(host: &JsValue, api: &str) -> u32;
    #[wasm_bindgen(js_name = lastOptions)]
    pub fn last_options(host: &JsValue, api: &str) -> JsValue;
    #[wasm_bindgen(js_name = gestureHost)]
    pub fn gesture_host(platform: &str) -> JsValue;
    #[wasm_bindgen(js_name = alipayHostWith)]
    pub fn alipay_host_with(api: &str, plan: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = setTap)]
    pub fn set_tap(host: &JsValue, on: bool);
    #[wasm_bindgen(js_name = backendFault)]
    pub async fn backend_fault(url: &str, fault: &str);
    #[wasm_bindgen(js_name = backendReceived)]
    pub async fn backend_received(url: &str) -> JsValue;
    #[wasm_bindgen(js_name = sleep)]
    pub async fn sleep(ms: u32);
    #[wasm_bindgen(js_name = stringify)]
    pub fn stringify(value: &JsValue) -> String;
}

/// The reference backend, started by the test command before these tests were compiled.
/// A missing URL fails the test that needs it: the suite never skips.
pub fn backend() -> &'static str {
    match option_env!("MPCB_TEST_BACKEND") {
        Some(url) if !url.is_empty() => url,
        _ => panic!("MPCB_TEST_BACKEND was not set at compile time; run the suite through scripts/test"),
    }
}

/// Options `{host, hostTimeoutMs: 2000, ...extra}`; `extra` is a JSON object.
pub fn options(host: &JsValue, extra: &str) -> JsValue {
    let opts = plan_json(if extra.is_empty() { "{}" } else { extra });
    if !host.is_undefined() {
        let _ = Reflect::set(&opts, &"host".into(), host);
    }
    if Reflect::get(&opts, &"hostTimeoutMs".into()).map(|v| v.is_undefined()).unwrap_or(true) {
        let _ = Reflect::set(&opts, &"hostTimeoutMs".into(), &2000.into());
    }
    opts
}

pub fn bridge(host: &JsValue, extra: &str) -> ConsentBridge {
    match ConsentBridge::new(Some(options(host, extra))) {
        Ok(b) => b,
        Err(e) => panic!("bridge construction failed: {} {}", code(&e), message(&e)),
    }
}

pub async fn settle(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

pub fn code(err: &JsValue) -> String {
    get(err, "code").as_string().unwrap_or_else(|| format!("<no code: {}>", stringify(err)))
}

pub fn message(err: &JsValue) -> String {
    get(err, "message").as_string().unwrap_or_default()
}

/// Awaits `p` and returns the error's code, failing the test if it fulfilled.
pub async fn error_code(p: Promise) -> String {
    match settle(p).await {
        Ok(v) => panic!("expected a rejection, got {}", stringify(&v)),
        Err(e) => {
            assert_eq!(
                get(&e, "name").as_string().as_deref(),
                Some("BridgeError"),
                "not a BridgeError: {}",
                stringify(&e)
            );
            code(&e)
        }
    }
}

pub async fn fulfilled(p: Promise) -> JsValue {
    match settle(p).await {
        Ok(v) => v,
        Err(e) => panic!("expected success, got {} {}", code(&e), message(&e)),
    }
}

pub fn obj() -> Object {
    Object::new()
}

/// A bridge method to call, the host API it must reach, and how to call it.
pub type GestureEntry = (&'static str, &'static str, fn(&ConsentBridge) -> Promise);

/// Every entry calls its host API in the same synchronous turn as the method call (the
/// gesture host of `platform` refuses calls outside the tap), then completes.
pub async fn assert_inside_the_tap(platform: &str, entries: &[GestureEntry]) {
    let url = backend();
    for (method, api, call) in entries {
        let host = gesture_host(platform);
        // WeChat is named: an injected mock without a platform keeps the older shapes.
        let extra = match platform {
            "wechat" => format!(r#"{{"backend": "{url}", "platform": "wechat"}}"#),
            _ => format!(r#"{{"backend": "{url}"}}"#),
        };
        let b = bridge(&host, &extra);
        set_tap(&host, true);
        let pending = call(&b);
        let called_in_tap = call_count(&host, api);
        set_tap(&host, false);
        assert_eq!(called_in_tap, 1, "{method} did not call {api} synchronously");
        fulfilled(pending).await;
    }
}
