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
        "http://[::1].evil.example",
        "http://[::1]evil.example/x",
        "http://evil.localhost",
        "https://a.example:99999",
        "https://a.example:0",
        "https://a.example:",
        "https://a.example\\@evil.example",
        "https://a%2eexample",
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
        ("X-User", "小明"),
    ] {
        assert_eq!(validate_header(n, v).map_err(|e| e.code()).err(), Some(ErrorCode::InvalidConfig), "{n:?}");
    }
}

#[test]
fn wire_bodies_are_camel_case_strict_and_redacted_in_debug() {
    let body = DataTokenBody { data_token: "SECRET".into(), obtained_at: 7, platform: None };
    let json = serde_json::to_string(&body).unwrap_or_default();
    assert_eq!(json, r#"{"dataToken":"SECRET","obtainedAt":7}"#);
    assert!(serde_json::from_str::<DataTokenBody>(r#"{"dataToken":"x","obtainedAt":1,"extra":1}"#).is_err());
    let subs = SubscriptionsBody {
        subscriptions: vec![SubscriptionItem { template_id: "t".into(), push_token: "PUSHSECRET".into() }],
        platform: None,
    };
    for shown in [format!("{body:?}"), format!("{subs:?}")] {
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}

mod alipay {
    use super::*;
    use mp_consent_bridge::consent::{auth_code, authorize_event, open_user_info, validate_scopes, UserProfile};

    fn user_info(inner: &str) -> Settlement {
        let response = format!(r#"{{"response":{inner}}}"#);
        Settlement::Success(obj(&[("response", s(&response))]))
    }

    #[test]
    fn documented_profile_with_2022_empties_is_normal() {
        let inner = r#"{"code":"10000","msg":"Success","avatar":"https://tfs.alipayobjects.com/images/partner/x","nickName":"小明","gender":"","countryCode":"","province":"","city":""}"#;
        let p = open_user_info(user_info(inner)).unwrap_or_default();
        assert_eq!(
            p,
            UserProfile {
                nick_name: "小明".into(),
                avatar: "https://tfs.alipayobjects.com/images/partner/x".into(),
                ..UserProfile::default()
            }
        );
        let full = r#"{"code":"10000","nickName":"n","gender":"f","countryCode":"CN","province":"浙江省","city":"杭州市","avatar":""}"#;
        assert_eq!(open_user_info(user_info(full)).map(|p| p.gender), Ok("f".to_owned()));
    }

    #[test]
    fn inner_failures_say_what_to_do() {
        let e = open_user_info(user_info(r#"{"code":"40006","msg":"Insufficient Permissions","subCode":"isv.insufficient-isv-permissions","subMsg":"ISV权限不足"}"#)).err();
        let e = e.unwrap_or_else(|| panic!("accepted 40006"));
        assert_eq!(e.code(), ErrorCode::HostError);
        assert!(e.message().contains("obtain basic member information"));
        assert_eq!(e.details().host_code.as_deref(), Some("40006 isv.insufficient-isv-permissions"));
        let e = open_user_info(user_info(r#"{"code":"40003","subCode":"isv.invalid-auth-relations"}"#)).err();
        let e = e.unwrap_or_else(|| panic!("accepted 40003"));
        assert_eq!(e.code(), ErrorCode::ScopeNotGranted);
        assert!(e.message().contains("getAuthorize"));
        assert_eq!(e.details().scopes, vec![("userInfo".to_owned(), "40003".to_owned())]);
    }

    #[test]
    fn malformed_profiles_are_invalid_result() {
        let long = format!(r#"{{"code":"10000","nickName":"{}"}}"#, "n".repeat(129));
        let cases = [
            Settlement::Success(obj(&[("response", HostValue::Number(1.0))])),
            Settlement::Success(obj(&[])),
            Settlement::Success(obj(&[("response", s("not json"))])),
            Settlement::Success(obj(&[("response", s(r#"{"other":{}}"#))])),
            user_info(r#""string""#),
            user_info(r#"{"msg":"no code"}"#),
            user_info(r#"{"code":"10000","nickName":5}"#),
            user_info(r#"{"code":"10000","gender":"x"}"#),
            user_info(r#"{"code":"10000","countryCode":"CHN"}"#),
            user_info(r#"{"code":"10000","avatar":"http://insecure/a.png"}"#),
            user_info(r#"{"code":"10000","avatar":"javascript:alert(1)"}"#),
            user_info(r#"{"code":"10000","nickName":"a\u0007b"}"#),
            user_info(&long),
        ];
        for case in cases {
            let shown = format!("{case:?}");
            assert_eq!(open_user_info(case).map_err(|e| e.code()).err(), Some(ErrorCode::InvalidResult), "{shown}");
        }
    }

    #[test]
    fn auth_codes_need_every_scope() {
        let ok = obj(&[
            ("authCode", s("ac-1")),
            ("authSuccessScopes", HostValue::Array(vec![s("auth_base"), s("auth_user")])),
            ("authErrorScopes", obj(&[])),
        ]);
        let c = auth_code(&ids(&["auth_user"]), Settlement::Success(ok), 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.auth_code.expose(), "ac-1");
        assert_eq!(c.granted_scopes, ids(&["auth_base", "auth_user"]));
        let partial = obj(&[
            ("authCode", s("ac-2")),
            ("authSuccessScopes", HostValue::Array(vec![s("USER_ID")])),
            ("authErrorScopes", obj(&[("USER_NICKNAME", s("40006"))])),
        ]);
        let e = auth_code(&ids(&["USER_ID", "USER_NICKNAME", "USER_AVATAR"]), Settlement::Success(partial), 0).err();
        let e = e.unwrap_or_else(|| panic!("accepted a partial grant"));
        assert_eq!(e.code(), ErrorCode::ScopeNotGranted);
        assert_eq!(
            e.details().scopes,
            vec![("USER_NICKNAME".into(), "40006".into()), ("USER_AVATAR".into(), String::new())]
        );
        assert!(!e.message().contains("ac-2"));
        // A host that echoes the code it still handed over, as a scope's error code and in
        // a failure's message: no part of the error carries it.
        let echoed = obj(&[
            ("authCode", s("ac-secret-3")),
            ("authSuccessScopes", HostValue::Array(vec![])),
            ("authErrorScopes", obj(&[("auth_user", s("ac-secret-3"))])),
        ]);
        let e = auth_code(&ids(&["auth_user"]), Settlement::Success(echoed), 0).err();
        let e = e.unwrap_or_else(|| panic!("accepted a refused scope"));
        assert_eq!(e.details().scopes, vec![("auth_user".into(), "[redacted]".into())]);
        assert!(!format!("{e:?} {e}").contains("ac-secret-3"));
        let fail = obj(&[
            ("authCode", s("ac-secret-4")),
            ("error", HostValue::Number(12.0)),
            ("errorMessage", s("code ac-secret-4 rejected")),
        ]);
        let e = auth_code(&ids(&["auth_base"]), Settlement::Failure(fail), 0).err();
        let e = e.unwrap_or_else(|| panic!("accepted a failure"));
        assert!(!format!("{e:?} {e} {:?}", e.details().host_message).contains("ac-secret-4"));
    }

    #[test]
    fn auth_code_failures_map_by_code() {
        for (code, expected) in [
            (11.0, ErrorCode::UserDenied),
            (3.0, ErrorCode::UserDenied),
            (1001.0, ErrorCode::UserDenied),
            (12.0, ErrorCode::HostError),
            (10.0, ErrorCode::HostError),
        ] {
            let fail = obj(&[("error", HostValue::Number(code)), ("errorMessage", s("x"))]);
            let e = auth_code(&ids(&["auth_base"]), Settlement::Failure(fail), 0).err();
            assert_eq!(e.as_ref().map(|e| e.code()), Some(expected), "{code}");
            assert_eq!(e.and_then(|e| e.details().host_code.clone()), Some(format!("{code}")));
        }
        for bad in [
            obj(&[("authSuccessScopes", HostValue::Array(vec![s("auth_base")]))]),
            obj(&[("authCode", HostValue::Number(1.0)), ("authSuccessScopes", HostValue::Array(vec![s("auth_base")]))]),
            obj(&[("authCode", s("a")), ("authSuccessScopes", s("auth_base"))]),
        ] {
            let shown = format!("{bad:?}");
            assert_eq!(
                auth_code(&ids(&["auth_base"]), Settlement::Success(bad), 0).map_err(|e| e.code()).err(),
                Some(ErrorCode::InvalidResult),
                "{shown}"
            );
        }
    }

    #[test]
    fn scopes_are_checked_before_asking() {
        assert!(validate_scopes(&ids(&["auth_base"])).is_ok());
        assert!(validate_scopes(&ids(&["USER_ID", "USER_NICKNAME", "USER_AVATAR", "SEND_MESSAGE"])).is_ok());
        for bad in [
            vec![],
            ids(&["auth base"]),
            ids(&["a", "a"]),
            ids(&[""]),
            ids(&["USER_NICKNAME", "PLAINTEXT_MOBILE_PHONE"]),
            ids(&["x"; 11]),
        ] {
            assert_eq!(validate_scopes(&bad).map_err(|e| e.code()).err(), Some(ErrorCode::InvalidArgument), "{bad:?}");
        }
    }

    #[test]
    fn authorize_button_events() {
        assert!(authorize_event(&obj(&[("type", s("getAuthorize")), ("detail", obj(&[]))])).is_ok());
        let cancelled = obj(&[
            ("type", s("error")),
            ("detail", obj(&[("errorMessage", s("用户取消授权")), ("errorCode", HostValue::Number(11.0))])),
        ]);
        assert_eq!(authorize_event(&cancelled).map_err(|e| e.code()).err(), Some(ErrorCode::UserDenied));
        let plain_error = obj(&[("type", s("error")), ("detail", obj(&[("errorMessage", s("something"))]))]);
        assert_eq!(authorize_event(&plain_error).map_err(|e| e.code()).err(), Some(ErrorCode::UserDenied));
        assert_eq!(authorize_event(&HostValue::Null).map_err(|e| e.code()).err(), Some(ErrorCode::InvalidArgument));
    }
}

mod platforms {
    //! The documented WeChat and Alipay answers, odd answers and misbehaving hosts.
    use super::{ids, obj, s};
    use mp_consent_bridge::consent::{
        alipay_grants, login_code, wechat_grants, wechat_phone_from_event, Ask, Consent, HostValue, Platform,
        RejectReason, Settlement, LOGIN_CODE_LIFETIME_MS, WECHAT_PHONE_CODE_LIFETIME_MS,
    };
    use mp_consent_bridge::ErrorCode;

    fn n(v: f64) -> HostValue {
        HostValue::Number(v)
    }
    fn event(detail: HostValue) -> HostValue {
        obj(&[("type", s("getphonenumber")), ("detail", detail)])
    }
    fn code_of<T: core::fmt::Debug>(r: Result<T, mp_consent_bridge::BridgeError>) -> Option<ErrorCode> {
        r.map_err(|e| e.code()).err()
    }

    #[test]
    fn wechat_phone_events_documented_and_odd() {
        let ok = wechat_phone_from_event(&event(obj(&[("errMsg", s("getPhoneNumber:ok")), ("code", s("wx-c"))])), 10);
        let ok = ok.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((ok.platform, ok.token.expose()), (Platform::Wechat, "wx-c"));
        assert_eq!(ok.expires_at, 10 + WECHAT_PHONE_CODE_LIFETIME_MS);
        let deny = wechat_phone_from_event(&event(obj(&[("errMsg", s("getPhoneNumber:fail user deny"))])), 1);
        assert_eq!(code_of(deny), Some(ErrorCode::UserDenied));
        for errno in [n(1_400_001.0), s("1400001")] {
            let quota = wechat_phone_from_event(
                &event(obj(&[("errMsg", s("getPhoneNumber:fail no quota")), ("errno", errno)])),
                1,
            );
            let e = quota.err().unwrap_or_else(|| panic!("quota accepted"));
            assert_eq!(e.code(), ErrorCode::QuotaExceeded);
            assert_eq!(e.details().host_code.as_deref(), Some("1400001"));
            assert!(e.message().contains("manual path"));
        }
        // Another errno is a host error with its code kept, never a quota or a denial.
        let other =
            wechat_phone_from_event(&event(obj(&[("errMsg", s("getPhoneNumber:fail")), ("errno", n(102.0))])), 1);
        assert_eq!(other.as_ref().map_err(|e| e.details().host_code.clone()).err(), Some(Some("102".into())));
        assert_eq!(code_of(other), Some(ErrorCode::HostError));
        // Odd events: no detail, a detail that is not an object, a code that is no string.
        assert_eq!(code_of(wechat_phone_from_event(&obj(&[]), 1)), Some(ErrorCode::InvalidArgument));
        assert_eq!(code_of(wechat_phone_from_event(&event(s("x")), 1)), Some(ErrorCode::InvalidArgument));
        assert_eq!(
            code_of(wechat_phone_from_event(&event(obj(&[("code", n(5.0))])), 1)),
            Some(ErrorCode::InvalidResult)
        );
        // The realtime button's event has the same shape.
        let realtime = obj(&[("type", s("getrealtimephonenumber")), ("detail", obj(&[("code", s("rt"))]))]);
        assert!(wechat_phone_from_event(&realtime, 1).is_ok());
    }

    #[test]
    fn wechat_subscribe_verdicts_and_failures() {
        let asked = ids(&["a", "b", "c", "d", "e", "f"]);
        let answer = obj(&[
            ("errMsg", s("requestSubscribeMessage:ok")),
            ("a", s("accept")),
            ("b", s("reject")),
            ("c", s("ban")),
            ("d", s("filter")),
            ("e", obj(&[("type", s("accept")), ("token", s("t"))])),
            ("__proto__", s("accept")),
        ]);
        let g = wechat_grants(&asked, Settlement::Success(answer), 7).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((g.platform, g.accepted.clone(), g.obtained_at), (Platform::Wechat, ids(&["a"]), 7));
        let reasons: Vec<RejectReason> = g.rejected.iter().map(|r| r.reason).collect();
        assert_eq!(
            reasons,
            [
                RejectReason::Reject,
                RejectReason::Ban,
                RejectReason::Filter,
                RejectReason::UnknownType,
                RejectReason::Missing
            ]
        );
        let all_off = wechat_grants(
            &asked,
            Settlement::Failure(obj(&[("errMsg", s("requestSubscribeMessage:fail")), ("errCode", n(20004.0))])),
            1,
        );
        let e = all_off.err().unwrap_or_else(|| panic!("20004 accepted"));
        assert_eq!((e.code(), e.details().host_code.as_deref()), (ErrorCode::UserDenied, Some("20004")));
        assert!(e.message().contains("switched off all subscription messages"));
        for code in [10001.0, 10005.0, 20001.0, 20013.0] {
            let failed = wechat_grants(
                &asked,
                Settlement::Failure(obj(&[("errMsg", s("requestSubscribeMessage:fail x")), ("errCode", n(code))])),
                1,
            );
            let e = failed.err().unwrap_or_else(|| panic!("accepted"));
            assert_eq!(e.code(), ErrorCode::HostError);
            assert_eq!(e.details().host_message.as_deref(), Some("requestSubscribeMessage:fail x"));
        }
        // A complete-only host that resolves its failure, a timeout, an answer that is no object.
        let resolved = obj(&[("errMsg", s("requestSubscribeMessage:fail")), ("errCode", n(20004.0))]);
        assert_eq!(code_of(wechat_grants(&asked, Settlement::Success(resolved), 1)), Some(ErrorCode::UserDenied));
        assert_eq!(code_of(wechat_grants(&asked, Settlement::Timeout, 1)), Some(ErrorCode::HostTimeout));
        assert_eq!(code_of(wechat_grants(&asked, Settlement::Success(s("accept")), 1)), Some(ErrorCode::InvalidResult));
    }

    #[test]
    fn alipay_subscribe_verdicts_and_failures() {
        let asked = ids(&["e1", "e2", "e3"]);
        let answer = obj(&[
            ("behavior", s("subscribe")),
            ("keep", HostValue::Bool(false)),
            ("refuse", HostValue::Bool(false)),
            ("show", HostValue::Bool(true)),
            ("e1", s("accept")),
            ("e2", s("reject")),
            (
                "result",
                obj(&[
                    ("subscribeEntityIds", HostValue::Array(vec![s("e1"), s("e3")])),
                    ("unsubscribedEntityIds", HostValue::Array(vec![s("e2")])),
                ]),
            ),
        ]);
        let g = alipay_grants(&asked, Settlement::Success(answer), 3).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((g.platform, g.accepted.clone()), (Platform::Alipay, ids(&["e1", "e3"])));
        assert_eq!(g.rejected.iter().map(|r| r.reason).collect::<Vec<_>>(), [RejectReason::Reject]);
        let cancelled = obj(&[("behavior", s("cancel")), ("show", HostValue::Bool(true))]);
        let g = alipay_grants(&asked, Settlement::Success(cancelled), 3).unwrap_or_else(|e| panic!("{e}"));
        assert!(g.accepted.is_empty() && g.rejected.iter().all(|r| r.reason == RejectReason::Missing));
        for (code, expected) in [
            (11.0, ErrorCode::UserDenied),
            (15.0, ErrorCode::ConsentBusy),
            (203.0, ErrorCode::InvalidArgument),
            (106002.0, ErrorCode::InvalidArgument),
            (106008.0, ErrorCode::InvalidArgument),
            (100201.0, ErrorCode::HostError),
            (12.0, ErrorCode::HostError),
        ] {
            let failed =
                alipay_grants(&asked, Settlement::Failure(obj(&[("errorCode", n(code)), ("errorMessage", s("m"))])), 1);
            let e = failed.err().unwrap_or_else(|| panic!("{code} accepted"));
            assert_eq!(e.code(), expected, "{code}");
            assert_eq!(e.details().host_message.as_deref(), Some("m"));
        }
        // A failure resolved as success is still a failure.
        let resolved = obj(&[("errorCode", n(15.0)), ("errorMessage", s("busy"))]);
        assert_eq!(code_of(alipay_grants(&asked, Settlement::Success(resolved), 1)), Some(ErrorCode::ConsentBusy));
    }

    #[test]
    fn login_codes_for_wechat_and_binance() {
        for platform in [Platform::Wechat, Platform::Binance] {
            let ok = login_code(platform, Settlement::Success(obj(&[("code", s("lc")), ("errMsg", s("login:ok"))])), 5);
            let ok = ok.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                (ok.platform, ok.login_code.expose(), ok.expires_at),
                (platform, "lc", 5 + LOGIN_CODE_LIFETIME_MS)
            );
        }
        let fail = login_code(Platform::Wechat, Settlement::Failure(obj(&[("errMsg", s("login:fail timeout"))])), 1);
        assert_eq!(code_of(fail), Some(ErrorCode::HostError));
        assert_eq!(
            code_of(login_code(Platform::Wechat, Settlement::Success(obj(&[])), 1)),
            Some(ErrorCode::InvalidResult)
        );
        let padded = login_code(Platform::Binance, Settlement::Success(obj(&[("code", s(" lc "))])), 1);
        assert_eq!(code_of(padded), Some(ErrorCode::InvalidResult));
    }

    #[test]
    fn the_platform_decides_how_a_subscribe_answer_is_read() {
        let ask = Ask::Subscribe(ids(&["t"]));
        let answer = || Settlement::Success(obj(&[("t", s("accept"))]));
        assert!(matches!(ask.consent(Platform::Wechat, answer(), 1), Ok(Consent::Grants(_))));
        assert!(matches!(ask.consent(Platform::Alipay, answer(), 1), Ok(Consent::Grants(_))));
        // Binance wants a push token with each acceptance.
        let binance = ask.consent(Platform::Binance, answer(), 1);
        assert!(matches!(binance, Ok(Consent::Subscribe(ref o)) if o.accepted.is_empty()));
    }
}

#[test]
fn each_platform_consent_goes_to_its_route_with_its_body() {
    use mp_consent_bridge::consent::{Consent, DataConsent, LoginCodeConsent, Platform, SubscriptionGrants, Token};
    use mp_consent_bridge::forward::outgoing;
    let routes = Routes::default();
    let token = |t: &str| Token::parse(t, "token").unwrap_or_else(|e| panic!("{e}"));
    let wx_phone = Consent::Data(DataConsent::on(Platform::Wechat, DataKind::PhoneNumber, token("p"), 1));
    let bn_phone = Consent::Data(DataConsent::new(DataKind::PhoneNumber, token("p"), 1));
    let login = Consent::Login(LoginCodeConsent::new(Platform::Wechat, token("l"), 2));
    let grants = |accepted: &[&str]| {
        Consent::Grants(SubscriptionGrants {
            platform: Platform::Alipay,
            accepted: ids(accepted),
            rejected: vec![],
            obtained_at: 3,
        })
    };
    let sent = |c: &Consent| outgoing(c, &routes).map(|o| (o.route.to_owned(), o.body, o.secrets.len(), o.deadline));
    assert_eq!(
        sent(&wx_phone),
        Some((
            "/consent/phone-number".into(),
            r#"{"dataToken":"p","obtainedAt":1,"platform":"wechat"}"#.into(),
            1,
            Some(1 + 300_000 - 15_000)
        ))
    );
    // Binance's body is unchanged: no platform key for strict backends.
    assert_eq!(sent(&bn_phone).map(|s| s.1), Some(r#"{"dataToken":"p","obtainedAt":1}"#.to_owned()));
    assert_eq!(
        sent(&login).map(|s| (s.0, s.1, s.2)),
        Some(("/consent/login-code".into(), r#"{"loginCode":"l","obtainedAt":2,"platform":"wechat"}"#.into(), 1))
    );
    assert_eq!(
        sent(&grants(&["a", "b"])),
        Some((
            "/consent/subscription-grants".into(),
            r#"{"platform":"alipay","templateIds":["a","b"],"obtainedAt":3}"#.into(),
            0,
            None
        ))
    );
    assert_eq!(sent(&grants(&[])), None, "nothing accepted, nothing sent");
}
