//! Alipay / Alipay+ flows against a mock `my` host returning the documented strings and
//! codes, malformed answers, partial scope grants and the shared misbehaviour list.

use crate::support::*;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

fn list(items: &[&str]) -> JsValue {
    items.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into()
}

fn details(err: &JsValue) -> JsValue {
    get(err, "details")
}

#[wasm_bindgen_test]
async fn profile_with_the_2022_empties_is_normal() {
    let host = mock_alipay_host(&plan_json("{}"));
    let profile = fulfilled(bridge(&host, "").ask_open_user_info()).await;
    assert_eq!(
        stringify(&profile),
        r#"{"nickName":"Mock User","avatar":"https://tfs.alipayobjects.com/images/partner/mock.png","gender":"","countryCode":"","province":"","city":""}"#
    );
    let full = plan_json(
        r#"{"nickName": "小明 😀", "gender": "m", "countryCode": "CN", "province": "浙江省", "city": "杭州市"}"#,
    );
    let host = alipay_host_with("getOpenUserInfo", &alipay_user_info(&full));
    let profile = fulfilled(bridge(&host, "").ask_open_user_info()).await;
    assert_eq!(get(&profile, "nickName").as_string().as_deref(), Some("小明 😀"));
    assert_eq!(get(&profile, "countryCode").as_string().as_deref(), Some("CN"));
}

#[wasm_bindgen_test]
async fn documented_inner_failures_say_what_to_do() {
    let host = alipay_host_with("getOpenUserInfo", &alipay_user_info_error("40006"));
    let err = settle(bridge(&host, "").ask_open_user_info()).await.err().unwrap_or(JsValue::NULL);
    assert_eq!(code(&err), "HOST_ERROR");
    assert!(message(&err).contains("obtain basic member information"), "{}", message(&err));
    assert_eq!(get(&details(&err), "hostCode").as_string().as_deref(), Some("40006 isv.insufficient-isv-permissions"));
    let host = alipay_host_with("getOpenUserInfo", &alipay_user_info_error("40003"));
    let err = settle(bridge(&host, "").ask_open_user_info()).await.err().unwrap_or(JsValue::NULL);
    assert_eq!(code(&err), "SCOPE_NOT_GRANTED");
    assert!(message(&err).contains("getAuthorize"));
    assert_eq!(stringify(&get(&details(&err), "scopes")), r#"[{"scope":"userInfo","code":"40003"}]"#);
}

#[wasm_bindgen_test]
async fn malformed_profiles_are_invalid_result() {
    let long = "n".repeat(129);
    let cases = [
        r#"{"success": {"response": 42}}"#.to_owned(),
        r#"{"success": {}}"#.to_owned(),
        r#"{"success": "a string"}"#.to_owned(),
        r#"{"success": {"response": "{not json"}}"#.to_owned(),
        r#"{"success": {"response": "{\"other\": {}}"}}"#.to_owned(),
        r#"{"success": {"response": "{\"response\": {\"code\": \"10000\", \"nickName\": 7}}"}}"#.to_owned(),
        r#"{"success": {"response": "{\"response\": {\"code\": \"10000\", \"gender\": \"male\"}}"}}"#.to_owned(),
        r#"{"success": {"response": "{\"response\": {\"code\": \"10000\", \"avatar\": \"http://x/a.png\"}}"}}"#
            .to_owned(),
        format!(
            r#"{{"success": {{"response": "{{\"response\": {{\"code\": \"10000\", \"nickName\": \"{long}\"}}}}"}}}}"#
        ),
    ];
    for case in cases {
        let host = alipay_host_with("getOpenUserInfo", &plan_json(&case));
        assert_eq!(error_code(bridge(&host, "").ask_open_user_info()).await, "INVALID_RESULT", "{case}");
    }
}

#[wasm_bindgen_test]
async fn auth_codes_and_partial_grants() {
    let host = mock_alipay_host(&plan_json("{}"));
    let b = bridge(&host, "");
    let consent = fulfilled(b.ask_auth_code(list(&["auth_user"]))).await;
    assert!(get(&consent, "authCode").as_string().is_some_and(|c| c.starts_with("authcode.")));
    assert_eq!(stringify(&get(&consent, "grantedScopes")), r#"["auth_user"]"#);
    assert_eq!(stringify(&get(&last_options(&host, "getAuthCode"), "scopes")), r#"["auth_user"]"#);
    let life = get(&consent, "expiresAt").as_f64().unwrap_or(0.0) - get(&consent, "obtainedAt").as_f64().unwrap_or(0.0);
    assert_eq!(life, 24.0 * 3600.0 * 1000.0);
    let partial = plan_json(
        r#"{"success": {"authCode": "AC-SECRET-1", "authSuccessScopes": ["USER_ID"], "authErrorScopes": {"USER_NICKNAME": "40006"}}}"#,
    );
    let host = alipay_host_with("getAuthCode", &partial);
    let err = settle(bridge(&host, "").ask_auth_code(list(&["USER_ID", "USER_NICKNAME"])))
        .await
        .err()
        .unwrap_or(JsValue::NULL);
    assert_eq!(code(&err), "SCOPE_NOT_GRANTED");
    assert_eq!(stringify(&get(&details(&err), "scopes")), r#"[{"scope":"USER_NICKNAME","code":"40006"}]"#);
    assert!(!message(&err).contains("AC-SECRET"), "the code must not leak into the message");
}

#[wasm_bindgen_test]
async fn each_host_error_code() {
    for (error, expected) in [
        (11.0, "USER_DENIED"),
        (3.0, "USER_DENIED"),
        (1001.0, "USER_DENIED"),
        (10.0, "HOST_ERROR"),
        (12.0, "HOST_ERROR"),
        (1000.0, "HOST_ERROR"),
        (1005.0, "HOST_ERROR"),
    ] {
        let host = alipay_host_with("getAuthCode", &alipay_auth_error(error));
        let err = settle(bridge(&host, "").ask_auth_code(list(&["auth_base"]))).await.err().unwrap_or(JsValue::NULL);
        assert_eq!(code(&err), expected, "error {error}");
        assert_eq!(get(&details(&err), "hostCode").as_string(), Some(format!("{error}")));
        assert_eq!(get(&details(&err), "hostMessage").as_string().as_deref(), Some("mock failure"));
        let host = alipay_host_with("getOpenUserInfo", &alipay_auth_error(error));
        assert_eq!(error_code(bridge(&host, "").ask_open_user_info()).await, expected, "getOpenUserInfo error {error}");
    }
}

#[wasm_bindgen_test]
async fn malformed_auth_code_answers() {
    let cases = [
        r#"{"success": {"authSuccessScopes": ["auth_base"]}}"#,
        r#"{"success": {"authCode": "", "authSuccessScopes": ["auth_base"]}}"#,
        r#"{"success": {"authCode": 5, "authSuccessScopes": ["auth_base"]}}"#,
        r#"{"success": {"authCode": "a\nb", "authSuccessScopes": ["auth_base"]}}"#,
        r#"{"success": {"authCode": "ok", "authSuccessScopes": "auth_base"}}"#,
        r#"{"success": null}"#,
    ];
    for case in cases {
        let host = alipay_host_with("getAuthCode", &plan_json(case));
        assert_eq!(error_code(bridge(&host, "").ask_auth_code(list(&["auth_base"]))).await, "INVALID_RESULT", "{case}");
    }
}

#[wasm_bindgen_test]
async fn scopes_are_checked_before_the_host_is_called() {
    let host = mock_alipay_host(&plan_json("{}"));
    let b = bridge(&host, "");
    for bad in [
        list(&[]),
        list(&["auth base"]),
        list(&["a", "a"]),
        list(&["USER_AVATAR", "PLAINTEXT_MOBILE_PHONE"]),
        plan_json("[1]"),
        JsValue::NULL,
    ] {
        assert_eq!(error_code(b.ask_auth_code(bad.clone())).await, "INVALID_ARGUMENT", "{}", stringify(&bad));
    }
    assert_eq!(call_count(&host, "getAuthCode"), 0);
}

#[wasm_bindgen_test]
async fn misbehaving_my_hosts_end_in_typed_errors() {
    let cases: Vec<(&str, JsValue, &str)> = vec![
        ("sync throw", plan_throw_error("my exploded"), "HOST_ERROR"),
        ("promise rejects with undefined", plan_fail_undefined("promise"), "HOST_ERROR"),
        ("never answers", JsValue::from_str("never"), "HOST_TIMEOUT"),
        ("a thenable whose then throws", plan_bad_thenable(), "HOST_ERROR"),
    ];
    for (what, plan, expected) in cases {
        for api in ["getOpenUserInfo", "getAuthCode"] {
            let host = alipay_host_with(api, &plan);
            let b = bridge(&host, r#"{"hostTimeoutMs": 100}"#);
            let p = if api == "getAuthCode" { b.ask_auth_code(list(&["auth_base"])) } else { b.ask_open_user_info() };
            assert_eq!(error_code(p).await, expected, "{api}: {what}");
        }
    }
    let twice = alipay_host_with(
        "getAuthCode",
        &plan_json(
            r#"{"success": {"authCode": "first", "authSuccessScopes": ["auth_base"]}, "via": "both", "twice": true}"#,
        ),
    );
    let consent = fulfilled(bridge(&twice, "").ask_auth_code(list(&["auth_base"]))).await;
    assert_eq!(get(&consent, "authCode").as_string().as_deref(), Some("first"));
    let host = alipay_host_with(
        "getOpenUserInfo",
        &plan_json(r#"{"success": {"response": "{\"response\":{\"code\":\"10000\"}}"}, "delayMs": 30}"#),
    );
    let b = bridge(&host, "");
    let first = b.ask_open_user_info();
    assert_eq!(error_code(b.ask_auth_code(list(&["auth_base"]))).await, "CONSENT_BUSY");
    fulfilled(first).await;
}

#[wasm_bindgen_test]
async fn the_authorize_button_leads_to_the_profile_or_a_denial() {
    let host = mock_alipay_host(&plan_json("{}"));
    let b = bridge(&host, "");
    let profile =
        fulfilled(b.ask_open_user_info_from_event(plan_json(r#"{"type": "getAuthorize", "detail": {}}"#))).await;
    assert_eq!(get(&profile, "nickName").as_string().as_deref(), Some("Mock User"));
    assert_eq!(call_count(&host, "getOpenUserInfo"), 1);
    let cancelled = plan_json(r#"{"type": "error", "detail": {"errorCode": 11, "errorMessage": "用户取消授权"}}"#);
    assert_eq!(error_code(b.ask_open_user_info_from_event(cancelled)).await, "USER_DENIED");
    assert_eq!(error_code(b.ask_open_user_info_from_event(JsValue::NULL)).await, "INVALID_ARGUMENT");
    assert_eq!(call_count(&host, "getOpenUserInfo"), 1, "denials never reach the host");
}

#[wasm_bindgen_test]
async fn every_alipay_entry_point_reaches_the_host_inside_the_tap() {
    let entries: [GestureEntry; 5] = [
        ("askOpenUserInfo", "getOpenUserInfo", |b| b.ask_open_user_info()),
        ("askOpenUserInfoFromEvent", "getOpenUserInfo", |b| {
            b.ask_open_user_info_from_event(plan_json(r#"{"type": "getAuthorize"}"#))
        }),
        ("askAuthCode", "getAuthCode", |b| b.ask_auth_code(list(&["auth_base"]))),
        ("getOpenUserInfo", "getOpenUserInfo", |b| b.get_open_user_info()),
        ("getAuthCode", "getAuthCode", |b| b.get_auth_code(list(&["auth_user"]))),
    ];
    assert_inside_the_tap("alipay", &entries).await;
}

#[wasm_bindgen_test]
async fn profiles_and_auth_codes_are_forwarded() {
    let url = backend();
    let host = mock_alipay_host(&plan_json("{}"));
    let b = bridge(&host, &format!(r#"{{"backend": "{url}", "transport": "host"}}"#));
    let answer = fulfilled(b.get_auth_code(list(&["auth_user"]))).await;
    assert_eq!(get(&answer, "kind").as_string().as_deref(), Some("authCode"));
    let answer = fulfilled(b.get_open_user_info()).await;
    assert_eq!(get(&answer, "kind").as_string().as_deref(), Some("userInfo"));
    // A profile may be sent again (public data); an auth code only once.
    let profile = fulfilled(b.ask_open_user_info()).await;
    fulfilled(b.forward(profile.clone())).await;
    fulfilled(b.forward(profile)).await;
    let code_consent = fulfilled(b.ask_auth_code(list(&["auth_base"]))).await;
    fulfilled(b.forward(code_consent.clone())).await;
    assert_eq!(error_code(b.forward(code_consent)).await, "TOKEN_ALREADY_USED");
    let forged = plan_json(r#"{"nickName": "x", "avatar": "javascript:alert(1)"}"#);
    assert_eq!(error_code(b.forward(forged)).await, "INVALID_ARGUMENT");
    assert_eq!(call_count(&host, "request"), 5, "all through my.request");
}
