//! Property tests and fuzzing of every validator and parser of the pure core: arbitrary
//! JSON-like host answers, `getOpenUserInfo` response strings, backend bodies and
//! envelopes, template-id and scope lists, header values and backend URLs. Every input
//! must end in `Ok` or a typed error, never a panic, and the invariants below must hold.
//! Strings starting with `SECRET` play tokens: no message or `Debug` output may show one.
//!
//! `MPCB_FUZZ_CASES` sets the cases per target (default 2000, the short pass the test
//! command runs); `bash bench/fuzz` runs a million per target and prints the counts.
#![cfg(not(target_arch = "wasm32"))]

use mp_consent_bridge::consent::{
    alipay_grants, auth_code, authorize_event, data_consent, data_consent_from_event, failure_error, login_code,
    open_user_info, parse_json, subscribe_outcome, validate_scopes, validate_template_ids, wechat_grants,
    wechat_phone_from_event, DataKind, HostValue, JsonError, Limits, Platform, Settlement, SubscriptionGrants,
    CANCEL_CODES,
};
use mp_consent_bridge::error::MAX_DETAIL_LEN;
use mp_consent_bridge::forward::{is_error_envelope, rejected, validate_header, BackendUrl};
use mp_consent_bridge::{BridgeError, ErrorCode};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::Cell;

fn cases() -> u32 {
    std::env::var("MPCB_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

/// Runs `check` on `cases()` values of `strategy`; `check` says whether the input was
/// accepted (`Ok(true)`) or refused with a typed error (`Ok(false)`). Prints the counts.
fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<bool, TestCaseError>) {
    let cases = cases();
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 2000, ..Config::default() };
    let (accepted, refused) = (Cell::new(0u64), Cell::new(0u64));
    let outcome = TestRunner::new(config).run(&strategy, |value| {
        let ok = check(value)?;
        let counter = if ok { &accepted } else { &refused };
        counter.set(counter.get() + 1);
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("fuzz {name}: {e}");
    }
    println!("fuzz {name:<24} {cases:>9} cases: {:>9} accepted, {:>9} typed errors", accepted.get(), refused.get());
}

const KEYS: [&str; 26] = [
    "code",
    "token",
    "data_token",
    "dataToken",
    "errMsg",
    "errorMessage",
    "error",
    "errCode",
    "type",
    "authCode",
    "authSuccessScopes",
    "authErrorScopes",
    "response",
    "detail",
    "success",
    "message",
    "__proto__",
    "constructor",
    "nickName",
    "avatar",
    "gender",
    "countryCode",
    "t1",
    "t2",
    "auth_base",
    "subCode",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0u32..1000).prop_map(|n| format!("SECRET-{n}")),
        1 => prop::sample::select(vec![
            "accept", "reject", "ban", "filter", "getPhoneNumber:fail user deny", "x:fail cancel", "ok", "10000",
            "40006", "40003", "11", "https://a.example/x.png", "m", "f", "CN", "", " ", "auth_base", "USER_ID",
        ]).prop_map(str::to_owned),
        2 => ".{0,12}",
        1 => "[\\x00-\\x1f\\u{7f}\\u{d7ff}\\u{e000}\\u{10ffff}]{1,4}",
        1 => (100usize..5000).prop_map(|n| "S".repeat(n)),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![4 => prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned), 1 => text()]
}

fn host_value() -> impl Strategy<Value = HostValue> {
    let leaf = prop_oneof![
        Just(HostValue::Undefined),
        Just(HostValue::Null),
        any::<bool>().prop_map(HostValue::Bool),
        prop_oneof![any::<f64>(), (-2000i64..2000).prop_map(|n| n as f64)].prop_map(HostValue::Number),
        text().prop_map(HostValue::String),
        Just(HostValue::Other("function")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(HostValue::Array),
            prop::collection::vec((key(), inner), 0..7).prop_map(HostValue::Object),
        ]
    })
}

/// Text that is not a token (template ids, header names): never starts with `SECRET`.
fn plain_text() -> impl Strategy<Value = String> {
    text().prop_map(|s| s.replace("SECRET", "PLAIN"))
}

fn obj(entries: Vec<(&str, HostValue)>) -> HostValue {
    HostValue::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// Near-valid answers of the documented shapes, so the accepting paths run too; each
/// field may be a plausible value or anything at all.
fn shaped(field: impl Strategy<Value = HostValue> + Clone) -> impl Strategy<Value = HostValue> {
    let scopes = prop::collection::vec(
        prop::sample::select(vec!["auth_base", "auth_user", "USER_ID", "t1"]).prop_map(|s| HostValue::String(s.into())),
        0..4,
    );
    prop_oneof![
        field.clone().prop_map(|t| obj(vec![("code", t)])),
        (field.clone(), text()).prop_map(|(t, m)| obj(vec![("token", t), ("openId", HostValue::String(m))])),
        field.clone().prop_map(|t| obj(vec![(
            "detail",
            obj(vec![("code", t), ("errMsg", HostValue::String("getPhoneNumber:ok".into()))])
        )])),
        (field.clone(), scopes.clone(), host_value()).prop_map(|(t, ok, errs)| obj(vec![
            ("authCode", t),
            ("authSuccessScopes", HostValue::Array(ok)),
            ("authErrorScopes", errs),
        ])),
        (field.clone(), field).prop_map(|(a, b)| obj(vec![
            ("t1", obj(vec![("type", HostValue::String("accept".into())), ("token", a)])),
            ("t2", b),
            ("errMsg", HostValue::String("requestSubscribeMessage:ok".into())),
        ])),
    ]
}

fn token_like() -> impl Strategy<Value = HostValue> + Clone {
    prop_oneof![
        4 => (0u32..1000).prop_map(|n| HostValue::String(format!("SECRET-{n}"))),
        1 => host_value(),
    ]
}

/// A plausible inner `getOpenUserInfo` response, each field sometimes wrong.
fn profile_inner() -> impl Strategy<Value = HostValue> {
    let pick = |good: Vec<&'static str>| {
        prop_oneof![
            4 => prop::sample::select(good).prop_map(|s| HostValue::String(s.into())),
            1 => host_value(),
        ]
    };
    (
        pick(vec!["10000", "40006", "40003", "20000"]),
        pick(vec!["小明", "Mock", "", "a\u{7}b"]),
        pick(vec!["https://a.example/p.png", "", "http://a/p.png", "javascript:x"]),
        pick(vec!["", "m", "f", "x"]),
        pick(vec!["", "CN", "CHN", "1A"]),
        pick(vec!["", "浙江省"]),
    )
        .prop_map(|(code, nick, avatar, gender, country, province)| {
            obj(vec![
                ("code", code),
                ("nickName", nick),
                ("avatar", avatar),
                ("gender", gender),
                ("countryCode", country),
                ("province", province),
                ("city", HostValue::String(String::new())),
            ])
        })
}

fn settlement() -> impl Strategy<Value = Settlement> {
    prop_oneof![
        4 => host_value().prop_map(Settlement::Success),
        4 => shaped(token_like()).prop_map(Settlement::Success),
        2 => host_value().prop_map(Settlement::Failure),
        1 => Just(Settlement::Timeout),
    ]
}

/// JSON text: valid documents, mutated ones (truncated, a byte flipped, a snippet
/// inserted) and noise, so both the accepting and the refusing paths are exercised.
fn json_text() -> impl Strategy<Value = String> {
    let doc = host_value().prop_map(|v| to_json(&v)).boxed();
    prop_oneof![
        3 => doc.clone(),
        3 => (doc, any::<prop::sample::Index>(), prop::sample::select(vec!["", "\"", "\\", "\\u", "\\ud800", ",", "}", "]", "{", "[", ":", "-", "e", "1", ".", "null", "\\n", "\u{0}"]), 0u8..3)
            .prop_map(|(d, at, snippet, how)| {
                let mut cut = at.index(d.len() + 1);
                while !d.is_char_boundary(cut) { cut -= 1; }
                match how {
                    0 => d[..cut].to_owned(),
                    1 => format!("{}{snippet}{}", &d[..cut], &d[cut..]),
                    _ => format!("{}{}", &d[..cut], d[cut..].chars().skip(1).collect::<String>()),
                }
            }),
        1 => ".{0,40}",
    ]
}

/// Whether `text` has a `\\u` escape of a UTF-16 surrogate (where serde_json, bound to
/// Rust strings, refuses lone ones that JSON and this parser accept).
fn has_surrogate_escape(text: &str) -> bool {
    text.match_indices("\\u").any(|(i, _)| {
        text.get(i + 2..i + 6)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .is_some_and(|u| (0xD800..0xE000).contains(&u))
    })
}

/// Whether a parsed value equals serde_json's (numbers within rounding: this parser is
/// exact only for integers).
fn same(ours: &HostValue, theirs: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (ours, theirs) {
        (HostValue::Null, Value::Null) => true,
        (HostValue::Bool(a), Value::Bool(b)) => a == b,
        (HostValue::Number(a), Value::Number(b)) => {
            let b = b.as_f64().unwrap_or(f64::NAN);
            a == &b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
        }
        (HostValue::String(a), Value::String(b)) => a == b,
        (HostValue::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (HostValue::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

fn to_json(v: &HostValue) -> String {
    fn conv(v: &HostValue) -> serde_json::Value {
        match v {
            HostValue::Undefined | HostValue::Null | HostValue::Other(_) => serde_json::Value::Null,
            HostValue::Bool(b) => serde_json::Value::Bool(*b),
            HostValue::Number(n) => {
                serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            HostValue::String(s) => serde_json::Value::String(s.clone()),
            HostValue::Array(a) => serde_json::Value::Array(a.iter().map(conv).collect()),
            HostValue::Object(o) => serde_json::Value::Object(o.iter().map(|(k, v)| (k.clone(), conv(v))).collect()),
        }
    }
    conv(v).to_string()
}

/// The invariants of every refusal: a typed code, our own message (never a token), and
/// host or backend details bounded in length.
fn refused(e: &BridgeError) -> Result<bool, TestCaseError> {
    prop_assert!(ErrorCode::ALL.contains(&e.code()));
    prop_assert!(!e.message().contains("SECRET"), "a message shows input: {}", e.message());
    prop_assert!(e.message().len() > 20, "a message must say what to do");
    let d = e.details();
    for text in [&d.host_code, &d.host_message, &d.backend_code, &d.backend_message].into_iter().flatten() {
        prop_assert!(text.len() <= MAX_DETAIL_LEN);
    }
    Ok(false)
}

fn no_secret_in<T: core::fmt::Debug>(value: &T) -> Result<bool, TestCaseError> {
    let shown = format!("{value:?}");
    prop_assert!(!shown.contains("SECRET"), "Debug shows a token: {shown}");
    Ok(true)
}

/// Near-valid answers of the WeChat and Alipay shapes: string verdicts, the phone
/// button's `errno`, `errCode`/`errorCode` failures, Alipay's `result` lists, odd keys.
fn platform_shaped() -> impl Strategy<Value = HostValue> {
    let verdict = || {
        prop_oneof![
            4 => prop::sample::select(vec!["accept", "reject", "ban", "filter", "ACCEPT", ""]).prop_map(|s| HostValue::String(s.into())),
            1 => host_value(),
        ]
    };
    let code = || {
        prop_oneof![
            3 => prop::sample::select(vec![1400001.0, 20004.0, 10001.0, 11.0, 15.0, 203.0, 100201.0, 106002.0, 106008.0, 0.0])
                .prop_map(HostValue::Number),
            1 => prop::sample::select(vec!["1400001", "20004", "15", "x"]).prop_map(|s| HostValue::String(s.into())),
            1 => host_value(),
        ]
    };
    let ids = || {
        prop::collection::vec(
            prop::sample::select(vec!["t1", "t2", "__proto__", "x"]).prop_map(|s| HostValue::String(s.into())),
            0..3,
        )
    };
    prop_oneof![
        (verdict(), verdict()).prop_map(|(a, b)| obj(vec![
            ("errMsg", HostValue::String("requestSubscribeMessage:ok".into())),
            ("t1", a),
            ("__proto__", b),
        ])),
        (token_like(), code(), plain_text()).prop_map(|(t, c, m)| obj(vec![(
            "detail",
            obj(vec![("code", t), ("errno", c), ("errMsg", HostValue::String(m))])
        )])),
        (code(), plain_text())
            .prop_map(|(c, m)| obj(vec![("detail", obj(vec![("errno", c), ("errMsg", HostValue::String(m))]))])),
        // A token echoed in the failure message must be scrubbed from what is kept.
        (code(), 0u32..1000).prop_map(|(c, n)| obj(vec![
            ("errMsg", HostValue::String(format!("requestSubscribeMessage:fail SECRET-{n}"))),
            ("errCode", c),
            ("code", HostValue::String(format!("SECRET-{n}"))),
        ])),
        (code(), plain_text()).prop_map(|(c, m)| obj(vec![("errorCode", c), ("errorMessage", HostValue::String(m))])),
        (verdict(), ids(), ids(), host_value()).prop_map(|(v, yes, no, behavior)| obj(vec![
            ("behavior", behavior),
            ("t2", v),
            (
                "result",
                obj(vec![
                    ("subscribeEntityIds", HostValue::Array(yes)),
                    ("unsubscribedEntityIds", HostValue::Array(no))
                ])
            ),
        ])),
        token_like().prop_map(|t| obj(vec![("code", t), ("errMsg", HostValue::String("login:ok".into()))])),
    ]
}

fn platform_settlement() -> impl Strategy<Value = Settlement> {
    prop_oneof![
        2 => host_value().prop_map(Settlement::Success),
        4 => platform_shaped().prop_map(Settlement::Success),
        3 => platform_shaped().prop_map(Settlement::Failure),
        1 => host_value().prop_map(Settlement::Failure),
        1 => Just(Settlement::Timeout),
    ]
}

fn grant_ids() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec!["t1", "t2", "__proto__", "errMsg", "result", "behavior"]).prop_map(str::to_owned),
            plain_text()
        ],
        0..6,
    )
}

/// The invariants of a grants outcome: every asked id once, in asked order.
fn grants_hold(ids: &[String], g: &SubscriptionGrants, platform: Platform) -> Result<bool, TestCaseError> {
    prop_assert_eq!(g.platform, platform);
    prop_assert_eq!(g.accepted.len() + g.rejected.len(), ids.len());
    let order: Vec<&String> = ids.iter().filter(|id| g.accepted.contains(id)).collect();
    prop_assert_eq!(order, g.accepted.iter().collect::<Vec<_>>());
    Ok(true)
}

#[test]
fn wechat_phone_button_events() {
    let event = prop_oneof![host_value(), shaped(token_like()), platform_shaped()];
    fuzz("wechat phone events", event, |event| match wechat_phone_from_event(&event, 1) {
        Ok(c) => {
            prop_assert_eq!(c.platform, Platform::Wechat);
            prop_assert_eq!(c.expires_at - c.obtained_at, 300_000);
            no_secret_in(&c)
        }
        Err(e) => {
            if e.code() == ErrorCode::QuotaExceeded {
                prop_assert_eq!(e.details().host_code.as_deref(), Some("1400001"));
            }
            refused(&e)
        }
    });
}

#[test]
fn wechat_subscription_answers() {
    fuzz("wechat subscriptions", (grant_ids(), platform_settlement()), |(ids, settled)| {
        match wechat_grants(&ids, settled, 1) {
            Ok(g) => grants_hold(&ids, &g, Platform::Wechat),
            Err(e) => refused(&e),
        }
    });
}

#[test]
fn alipay_subscription_answers() {
    fuzz("alipay subscriptions", (grant_ids(), platform_settlement()), |(ids, settled)| {
        match alipay_grants(&ids, settled, 1) {
            Ok(g) => grants_hold(&ids, &g, Platform::Alipay),
            Err(e) => refused(&e),
        }
    });
}

#[test]
fn login_code_answers() {
    let platform = prop::sample::select(vec![Platform::Wechat, Platform::Binance]);
    fuzz("login codes", (platform, prop_oneof![settlement(), platform_settlement()]), |(platform, settled)| {
        match login_code(platform, settled, 1) {
            Ok(c) => {
                prop_assert_eq!((c.platform, c.expires_at - c.obtained_at), (platform, 300_000));
                no_secret_in(&c)
            }
            Err(e) => refused(&e),
        }
    });
}

/// A token a WeChat failure echoes (in `errMsg`, beside it in `code`) never reaches an
/// error, whichever entry point reads it.
#[test]
fn tokens_inside_wechat_failures_stay_out_of_errors() {
    let code = prop_oneof![
        Just(HostValue::Number(20004.0)),
        Just(HostValue::Number(1400001.0)),
        plain_text().prop_map(HostValue::String)
    ];
    fuzz("wechat failure tokens", (code, plain_text(), 0u32..1000, 0u8..3), |(code, msg, n, entry)| {
        let failure = obj(vec![
            ("errMsg", HostValue::String(format!("x:fail {msg} SECRET-{n}"))),
            ("errCode", code.clone()),
            ("errno", code),
            ("code", HostValue::String(format!("SECRET-{n}"))),
        ]);
        let e = match entry {
            0 => wechat_grants(&["t1".into()], Settlement::Failure(failure), 1).err(),
            1 => login_code(Platform::Wechat, Settlement::Success(failure), 1).err(),
            _ => wechat_phone_from_event(&obj(vec![("detail", failure)]), 1).err(),
        };
        match e {
            Some(e) => {
                prop_assert!(!format!("{e:?}").contains("SECRET"), "{e:?}");
                refused(&e)
            }
            // The phone event carries its code as the token: accepted, and that is right.
            None => Ok(entry == 2),
        }
    });
}

fn kind() -> impl Strategy<Value = DataKind> {
    prop::sample::select(vec![DataKind::PhoneNumber, DataKind::OpenId, DataKind::Email])
}

#[test]
fn binance_data_answers() {
    fuzz("binance data answers", (kind(), settlement()), |(kind, settled)| match data_consent(kind, settled, 1) {
        Ok(c) => {
            prop_assert_eq!(c.expires_at - c.obtained_at, 120_000);
            no_secret_in(&c)
        }
        Err(e) => refused(&e),
    });
}

#[test]
fn binance_button_events() {
    let event = prop_oneof![host_value(), shaped(token_like())];
    fuzz("binance button events", event, |event| match data_consent_from_event(&event, 1) {
        Ok(c) => no_secret_in(&c),
        Err(e) => refused(&e),
    });
}

#[test]
fn tokens_inside_binance_failures_stay_out_of_errors() {
    let failure = (text(), prop::sample::select(vec!["code", "token", "data_token", "dataToken"]), 0u32..1000);
    fuzz("binance failure tokens", failure, |(msg, field, n)| {
        let value = HostValue::Object(vec![
            ("errMsg".into(), HostValue::String(format!("getPhoneNumber:fail {}", msg.replace("SECRET", "")))),
            (field.into(), HostValue::String(format!("SECRET-{n}"))),
        ]);
        let e = data_consent(DataKind::PhoneNumber, Settlement::Success(value), 1).err();
        let e = e.ok_or_else(|| TestCaseError::fail("a failure was accepted"))?;
        prop_assert!(!format!("{e:?}").contains("SECRET"), "{e:?}");
        refused(&e)
    });
}

#[test]
fn subscription_answers() {
    let ids = prop::collection::vec(
        prop_oneof![prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned), plain_text()],
        0..6,
    );
    fuzz("subscription answers", (ids, settlement()), |(ids, settled)| match subscribe_outcome(&ids, settled, 1) {
        Ok(out) => {
            prop_assert_eq!(out.accepted.len() + out.rejected.len(), ids.len());
            let order: Vec<&String> =
                ids.iter().filter(|id| out.accepted.iter().any(|a| &&a.template_id == id)).collect();
            prop_assert_eq!(order, out.accepted.iter().map(|a| &a.template_id).collect::<Vec<_>>());
            no_secret_in(&out)?;
            Ok(true)
        }
        Err(e) => refused(&e),
    });
}

#[test]
fn template_id_and_scope_lists() {
    let list = || prop::collection::vec(text(), 0..12);
    fuzz("template id lists", (list(), 1usize..8), |(ids, max)| match validate_template_ids(&ids, max) {
        Ok(()) => {
            prop_assert!(!ids.is_empty() && ids.len() <= max);
            prop_assert!(ids
                .iter()
                .all(|id| !id.is_empty() && !id.chars().any(|c| c.is_whitespace() || c.is_control())));
            Ok(true)
        }
        Err(e) => refused(&e),
    });
    fuzz("scope lists", list(), |scopes| match validate_scopes(&scopes) {
        Ok(()) => {
            prop_assert!(scopes
                .iter()
                .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')));
            Ok(true)
        }
        Err(e) => refused(&e),
    });
}

#[test]
fn alipay_profile_strings() {
    let answer = prop_oneof![
        3 => json_text().prop_map(|t| Settlement::Success(HostValue::Object(vec![("response".into(), HostValue::String(t))]))),
        3 => host_value().prop_map(|inner| Settlement::Success(HostValue::Object(vec![(
            "response".into(),
            HostValue::String(to_json(&HostValue::Object(vec![("response".into(), inner)]))),
        )]))),
        4 => profile_inner().prop_map(|inner| Settlement::Success(obj(vec![(
            "response",
            HostValue::String(to_json(&obj(vec![("response", inner)]))),
        )]))),
        1 => settlement(),
    ];
    fuzz("alipay profile answers", answer, |settled| match open_user_info(settled) {
        Ok(p) => {
            prop_assert!(matches!(p.gender.as_str(), "" | "m" | "f"));
            prop_assert!(p.avatar.is_empty() || p.avatar.to_ascii_lowercase().starts_with("https://"));
            prop_assert!(p.nick_name.len() <= 128 && p.avatar.len() <= 2048);
            Ok(true)
        }
        Err(e) => refused(&e),
    });
}

#[test]
fn alipay_auth_codes_and_button_events() {
    let scopes = prop::collection::vec(
        prop::sample::select(vec!["auth_base", "auth_user", "USER_ID", "t1"]).prop_map(str::to_owned),
        1..4,
    );
    fuzz("alipay auth code answers", (scopes, settlement()), |(scopes, settled)| {
        match auth_code(&scopes, settled, 1) {
            Ok(c) => {
                prop_assert!(scopes.iter().all(|s| c.granted_scopes.contains(s)), "a scope was not granted");
                no_secret_in(&c)
            }
            Err(e) => refused(&e),
        }
    });
    fuzz("alipay authorize events", host_value(), |event| match authorize_event(&event) {
        Ok(()) => Ok(true),
        Err(e) => refused(&e),
    });
}

#[test]
fn host_failures() {
    fuzz("host failures", host_value(), |value| refused(&failure_error("getAuthCode", &value, &CANCEL_CODES, &[])));
}

#[test]
fn json_parser_agrees_with_serde_json() {
    let limits = Limits { max_depth: 64, max_nodes: 100_000, max_string_len: 1 << 20 };
    fuzz("json parser vs serde_json", json_text(), |text| {
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        match parse_json(&text, limits) {
            Ok(ours) => {
                // JSON's grammar allows lone surrogate escapes and JSON.parse keeps them; this
                // parser maps them to U+FFFD, while serde_json (Rust strings) refuses them.
                let replaced = has_surrogate_escape(&text);
                // Numbers beyond f64: JSON allows them and JSON.parse gives ±Infinity.
                let huge = theirs.as_ref().err().is_some_and(|e| e.to_string().contains("out of range"));
                match &theirs {
                    Ok(value) => prop_assert!(same(&ours, value), "parsed differently: {text:?}"),
                    Err(_) => prop_assert!(replaced || huge, "accepted what serde_json refuses: {text:?}"),
                }
                Ok(true)
            }
            // serde_json keeps the last of repeated keys; this parser refuses them.
            Err(JsonError::DuplicateKey) => {
                prop_assert!(theirs.is_ok(), "a duplicate key reported in invalid JSON: {text:?}");
                Ok(false)
            }
            Err(e) => {
                prop_assert!(e != JsonError::TooLarge, "limits far above the inputs were hit: {text:?}");
                prop_assert!(theirs.is_err(), "refused ({e:?}) what serde_json accepts: {text:?}");
                Ok(false)
            }
        }
    });
}

#[test]
fn backend_envelopes() {
    fuzz("backend envelopes", (100u16..600, host_value()), |(status, body)| {
        let _ = is_error_envelope(&body);
        let e = rejected(status, Some(&body), &[]);
        prop_assert_eq!(e.code(), ErrorCode::BackendRejected);
        prop_assert_eq!(e.details().status, Some(status));
        refused(&e)
    });
}

#[test]
fn header_values_and_backend_urls() {
    fuzz("header values", (plain_text(), text()), |(name, value)| match validate_header(&name, &value) {
        Ok(()) => {
            prop_assert!(!value.contains(['\r', '\n', '\0']) && value.chars().all(|c| u32::from(c) <= 0xFF));
            prop_assert!(!name.is_empty() && name.is_ascii());
            Ok(true)
        }
        Err(e) => refused(&e),
    });
    let url = prop_oneof![
        (
            prop::sample::select(vec!["https://", "http://", "HTTP://", "ftp://", ""]),
            prop::sample::select(vec![
                "localhost",
                "127.0.0.1",
                "[::1]",
                "a.example",
                "127.0.0.1.evil",
                "[::1].evil",
                "u@localhost",
                "localhost.",
                "127.1"
            ]),
            prop::sample::select(vec!["", ":1", ":65535", ":65536", ":0", ":", ":x"]),
            prop::sample::select(vec!["", "/", "/base", "?q", "#f", "\\x"])
        )
            .prop_map(|(a, b, c, d)| format!("{a}{b}{c}{d}")),
        ".{0,30}".prop_map(|s| s),
    ];
    fuzz("backend urls", url, |raw| match BackendUrl::parse(&raw) {
        Ok(u) => {
            let joined = u.join("");
            let s = joined.as_str();
            let authority =
                s.split_once("://").map(|(_, rest)| rest.split('/').next().unwrap_or_default()).unwrap_or_default();
            let host = match authority.strip_prefix('[') {
                Some(v6) => v6.split(']').next().unwrap_or_default(),
                None => authority.split(':').next().unwrap_or_default(),
            };
            let quad = host.split('.').collect::<Vec<_>>();
            let loopback = host == "localhost"
                || host == "::1"
                || (quad.len() == 4 && quad[0] == "127" && quad.iter().all(|o| o.parse::<u8>().is_ok()));
            prop_assert!(s.starts_with("https://") || (s.starts_with("http://") && loopback), "accepted {raw:?}");
            prop_assert!(!s.contains(['?', '#', '@', '\\']));
            Ok(true)
        }
        Err(e) => refused(&e),
    });
}

/// A token and text around it that may be long enough for the detail cut to fall inside
/// the token: the scrubber must run before the cut.
fn echoed() -> impl Strategy<Value = (String, String, String)> {
    ((0u32..1000).prop_map(|n| format!("SECRET-echo-{n}")), ".{0,300}", ".{0,300}")
}

#[test]
fn echoed_tokens_never_reach_backend_details() {
    fuzz(
        "echoed tokens (backend)",
        (100u16..600, echoed(), any::<bool>()),
        |(status, (tok, before, after), as_code)| {
            let text = HostValue::String(format!("{before}{tok}{after}"));
            let code = if as_code { HostValue::String(tok.clone()) } else { HostValue::Number(7.0) };
            let body = obj(vec![("code", code), ("message", text.clone()), ("error", obj(vec![("message", text)]))]);
            let e = rejected(status, Some(&body), &[&tok]);
            prop_assert!(!format!("{e:?}").contains(&tok), "{e:?}");
            refused(&e)
        },
    );
}

#[test]
fn tokens_in_host_failures_never_reach_details() {
    let keyed = prop::sample::select(vec!["token", "code", "data_token", "dataToken", "authCode", "pushToken"]);
    fuzz("echoed tokens (host)", (echoed(), keyed, host_value()), |((tok, before, after), key, extra)| {
        let value = obj(vec![
            ("errMsg", HostValue::String(format!("getPhoneNumber:fail {before}{tok}{after}"))),
            (key, HostValue::String(tok.clone())),
            ("t1", obj(vec![("type", HostValue::String("accept".into())), ("token", HostValue::String(tok.clone()))])),
            ("extra", extra),
        ]);
        let e = failure_error("getPhoneNumber", &value, &[], &["code", "token", "data_token", "dataToken"]);
        prop_assert!(!format!("{:?}", e.details()).contains(&tok), "{e:?}");
        refused(&e)
    });
}

/// One step of a page using the exactly-once registry.
#[derive(Clone, Debug)]
enum Step {
    /// Claim these tokens (indexes into a small pool) for one request.
    Claim(Vec<u8>),
    /// Finish the oldest open claim this way (0 forwarded, 1 sent, 2 not sent).
    Finish(u8),
    /// Let time pass (minutes).
    Wait(u16),
}

#[test]
fn the_registry_never_gives_a_token_two_keys_or_a_second_success() {
    use mp_consent_bridge::forward::{Claim, Finish, OnceRegistry, TokenRef};
    use std::collections::HashMap;
    let step = prop_oneof![
        4 => prop::collection::vec(0u8..6, 1..4).prop_map(Step::Claim),
        3 => (0u8..3).prop_map(Step::Finish),
        1 => (0u16..3000).prop_map(Step::Wait),
    ];
    fuzz("registry sequences", prop::collection::vec(step, 1..60), |steps| {
        const LIFE: u64 = 7 * 86_400_000;
        let mut registry = OnceRegistry::default();
        let mut now = 0u64;
        let mut keys = 0u32;
        // Per token: the key it was sent under, whether it was forwarded, when it dies.
        let mut sent: HashMap<u64, (String, bool, u64)> = HashMap::new();
        let mut open: Vec<(Claim, Vec<u64>)> = Vec::new();
        let mut born: HashMap<u64, u64> = HashMap::new();
        for step in steps {
            match step {
                Step::Claim(pool) => {
                    let tokens: Vec<u64> = pool.iter().map(|i| u64::from(*i) + 1).collect();
                    let twice = tokens.iter().enumerate().any(|(i, t)| tokens[..i].contains(t));
                    // The forwarder identifies a request by its body; here, by its tokens in order.
                    let request = tokens.iter().fold(7u64, |h, t| h.rotate_left(9) ^ t.wrapping_mul(0x9e37_79b9));
                    let refs: Vec<TokenRef> = tokens
                        .iter()
                        .map(|t| TokenRef { fingerprint: *t, expires_at: *born.entry(*t).or_insert(now) + LIFE })
                        .collect();
                    let claimed = registry.claim(&refs, request, now, || {
                        keys += 1;
                        format!("k{keys}")
                    });
                    let live = |t: &u64| sent.get(t).filter(|(_, _, dies)| *dies > now);
                    let busy = open.iter().any(|(_, ts)| ts.iter().any(|t| tokens.contains(t)));
                    match claimed {
                        Ok(claim) => {
                            prop_assert!(!twice, "a request carrying a token twice was claimed");
                            prop_assert!(!busy, "a token in flight was claimed again");
                            for t in &tokens {
                                if let Some((key, forwarded, _)) = live(t) {
                                    prop_assert!(!forwarded, "a forwarded token was claimed again");
                                    prop_assert_eq!(key, &claim.key, "a token got a second key");
                                }
                            }
                            open.push((claim, tokens));
                        }
                        Err(e) => {
                            let used = tokens.iter().any(|t| live(t).is_some_and(|(_, f, _)| *f));
                            let explained = twice || busy || used || tokens.iter().any(|t| live(t).is_some());
                            prop_assert!(explained, "refused ({:?}) a fresh request", e.code());
                        }
                    }
                }
                Step::Finish(how) if !open.is_empty() => {
                    let (claim, tokens) = open.remove(0);
                    let finish = [Finish::Forwarded, Finish::Sent, Finish::NotSent][usize::from(how)];
                    registry.finish(&claim, finish);
                    if finish != Finish::NotSent {
                        for t in tokens {
                            let dies = born[&t] + LIFE;
                            let forwarded = finish == Finish::Forwarded;
                            sent.insert(t, (claim.key.clone(), forwarded, dies));
                        }
                    }
                }
                Step::Finish(_) => {}
                Step::Wait(minutes) => now += u64::from(minutes) * 60_000,
            }
        }
        Ok(true)
    });
}
