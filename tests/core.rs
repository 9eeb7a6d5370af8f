//! Native tests of the pure core: Binance answer validation, forwarding options and the
//! wire types, without any JS.
#![cfg(not(target_arch = "wasm32"))]

use mp_consent_bridge::consent::{
    data_consent, data_consent_from_event, subscribe_outcome, validate_template_ids, DataKind, HostValue, RejectReason,
    Settlement, DATA_TOKEN_LIFETIME_MS,
};
use mp_consent_bridge::forward::{validate_header, BackendUrl, Routes};
use mp_consent_bridge::wire::{DataTokenBody, SubscriptionItem, SubscriptionsBody};
use mp_consent_bridge::ErrorCode;

fn obj(entries: &[(&str, HostValue)]) -> HostValue {
    HostValue::Object(entries.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
}
fn s(v: &str) -> HostValue {
    HostValue::String(v.to_owned())
}
fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn data_consents_carry_kind_token_and_a_two_minute_life() {
    let c = data_consent(DataKind::Email, Settlement::Success(obj(&[("code", s("tok"))])), 1_000);
    let c = c.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.kind, DataKind::Email);
    assert_eq!(c.token.expose(), "tok");
    assert_eq!((c.obtained_at, c.expires_at), (1_000, 1_000 + DATA_TOKEN_LIFETIME_MS));
}

#[test]
fn settlements_map_to_codes() {
    let cases = [
        (Settlement::Timeout, ErrorCode::HostTimeout),
        (Settlement::Failure(obj(&[("errMsg", s("getEmailAddress:fail auth deny"))])), ErrorCode::UserDenied),
        (Settlement::Failure(HostValue::Undefined), ErrorCode::HostError),
        (Settlement::Success(HostValue::Null), ErrorCode::InvalidResult),
        (Settlement::Success(obj(&[("token", HostValue::Bool(true))])), ErrorCode::InvalidResult),
        (Settlement::Success(obj(&[("errMsg", s("getEmailAddress:fail cancel"))])), ErrorCode::UserDenied),
    ];
    for (settled, code) in cases {
        let shown = format!("{settled:?}");
        assert_eq!(data_consent(DataKind::Email, settled, 0).map_err(|e| e.code()).err(), Some(code), "{shown}");
    }
}

#[test]
fn button_events() {
    let ok = data_consent_from_event(&obj(&[("detail", obj(&[("code", s("b"))]))]), 5);
    assert_eq!(ok.map(|c| c.token.expose().to_owned()).ok().as_deref(), Some("b"));
    let denied = data_consent_from_event(&obj(&[("detail", obj(&[]))]), 5);
    assert_eq!(denied.map_err(|e| e.code()).err(), Some(ErrorCode::UserDenied));
    let no_detail = data_consent_from_event(&obj(&[]), 5);
    assert_eq!(no_detail.map_err(|e| e.code()).err(), Some(ErrorCode::InvalidArgument));
}

#[test]
fn template_id_rules() {
    assert!(validate_template_ids(&ids(&["a", "b", "c"]), 3).is_ok());
    for bad in [vec![], ids(&["a", "b", "c", "d"]), ids(&["a", "a"]), ids(&["a b"]), ids(&["\u{7}"]), ids(&[""])] {
        assert_eq!(
            validate_template_ids(&bad, 3).map_err(|e| e.code()).err(),
            Some(ErrorCode::InvalidArgument),
            "{bad:?}"
        );
    }
}

#[test]
fn subscribe_reads_only_requested_ids_in_order() {
    let answer = obj(&[
        ("errMsg", s("requestSubscribeMessage:ok")),
        ("__proto__", obj(&[("type", s("accept")), ("token", s("evil"))])),
        ("b", obj(&[("type", s("accept")), ("token", s("pb"))])),
        ("a", s("filter")),
    ]);
    let out = subscribe_outcome(&ids(&["a", "b", "c"]), Settlement::Success(answer), 0).unwrap_or_default();
    assert_eq!(out.accepted.iter().map(|p| p.template_id.as_str()).collect::<Vec<_>>(), ["b"]);
    assert_eq!(
        out.rejected.iter().map(|r| (r.template_id.as_str(), r.reason)).collect::<Vec<_>>(),
        [("a", RejectReason::Filter), ("c", RejectReason::Missing)]
    );
}

#[test]
fn backend_urls() {
    for ok in [
        "https://a.example",
        "https://a.example:8443/base/",
        "http://localhost:3000",
        "http://127.0.0.1:1",
        "http://[::1]:2",
        "HTTPS://A.EXAMPLE",
    ] {
        assert!(BackendUrl::parse(ok).is_ok(), "{ok}");
    }
    for bad in [
        "a.example",
        "http://a.example",
        "http://127.0.0.1.evil.example",
        "http://10.0.0.1",
        "ws://localhost",
        "https://u:p@a.example",
        "https://a.example/?q",
        "https://a.example/#f",
        "https:// a.example",
        "https://",
    ] {
        assert_eq!(BackendUrl::parse(bad).map_err(|e| e.code()).err(), Some(ErrorCode::InvalidConfig), "{bad}");
    }
    let url = BackendUrl::parse("https://a.example/base/").map(|u| u.join("/consent/email")).unwrap_or_default();
    assert_eq!(url, "https://a.example/base/consent/email");
}

#[test]
fn routes_and_headers() {
    let mut r = Routes::default();
    assert_eq!(r.phone_number, "/consent/phone-number");
    assert!(r.set("authCode", "/v2/auth").is_ok());
    assert_eq!(r.auth_code, "/v2/auth");
    assert!(r.set("nope", "/x").is_err());
    assert!(r.set("email", "relative").is_err());
    assert!(validate_header("X-Session", "abc").is_ok());
    for (n, v) in [
        ("X-A", "a\r\nb"),
        ("X A", "v"),
        ("", "v"),
        ("Content-Type", "text/plain"),
        ("idempotency-key", "k"),
        ("X-B", "nul\0"),
    ] {
        assert_eq!(validate_header(n, v).map_err(|e| e.code()).err(), Some(ErrorCode::InvalidConfig), "{n:?}");
    }
}

#[test]
fn wire_bodies_are_camel_case_strict_and_redacted_in_debug() {
    let body = DataTokenBody { data_token: "SECRET".into(), obtained_at: 7 };
    let json = serde_json::to_string(&body).unwrap_or_default();
    assert_eq!(json, r#"{"dataToken":"SECRET","obtainedAt":7}"#);
    assert!(serde_json::from_str::<DataTokenBody>(r#"{"dataToken":"x","obtainedAt":1,"extra":1}"#).is_err());
    let subs = SubscriptionsBody {
        subscriptions: vec![SubscriptionItem { template_id: "t".into(), push_token: "PUSHSECRET".into() }],
    };
    for shown in [format!("{body:?}"), format!("{subs:?}")] {
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
