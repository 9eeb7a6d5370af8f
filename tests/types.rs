//! One declaration per shape: the TypeScript in `src/api.rs` (shipped in the package's
//! `.d.ts`) against the Rust it describes. A code, option or field added on one side and
//! not the other fails here, natively.

use mp_consent_bridge::ErrorCode;
use std::collections::BTreeSet;

const API: &str = include_str!("../src/api.rs");
const OPTIONS: &str = include_str!("../src/options.rs");

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start:?} not found")) + start.len();
    let len = text[from..].find(end).unwrap_or_else(|| panic!("{end:?} not found after {start:?}"));
    &text[from..from + len]
}

/// Every `"quoted"` string in `text`.
fn quoted(text: &str) -> BTreeSet<String> {
    text.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

/// The property names declared in a TypeScript interface body (`name?: type;` lines).
fn properties(body: &str) -> BTreeSet<String> {
    body.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("/**") && !l.starts_with('*') && !l.is_empty())
        .flat_map(|l| l.split(';'))
        .filter_map(|part| part.split(':').next())
        .map(|name| name.trim().trim_end_matches('?').to_owned())
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect()
}

#[test]
fn every_error_code_is_in_the_typescript_union_and_nothing_else() {
    let union = quoted(between(API, "export type BridgeErrorCode =", ";"));
    let rust: BTreeSet<String> = ErrorCode::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(union, rust);
}

#[test]
fn every_option_key_is_declared_in_typescript_and_read_by_rust() {
    let declared = properties(between(API, "export interface ConsentBridgeOptions {", "\n}"));
    let read = quoted(between(OPTIONS, "pub const OPTION_KEYS: [&str; 10] = [", "];"));
    assert_eq!(declared, read);
}

#[test]
fn every_route_key_is_declared_in_typescript() {
    let declared = properties(between(API, "export interface ConsentRoutes {", "\n}"));
    let config = include_str!("../src/forward/config.rs");
    let accepted = quoted(between(config, "let slot = match name {", "_ =>"));
    assert_eq!(declared, accepted);
}

#[test]
fn consent_shapes_match_their_json() {
    use mp_consent_bridge::consent::{
        AuthCodeConsent, DataConsent, DataKind, LoginCodeConsent, Platform, PushConsent, SubscriptionGrants, Token,
    };
    use mp_consent_bridge::json_write::ToJson;
    let token = Token::parse("t", "token").expect("token");
    let keys = |json: String| -> BTreeSet<String> {
        let value: serde_json::Value = serde_json::from_str(&json).expect("json");
        value.as_object().expect("object").keys().cloned().collect()
    };
    for (interface, json) in [
        ("DataConsent", DataConsent::new(DataKind::Email, token.clone(), 1).to_json()),
        ("PushConsent", PushConsent::new("id".into(), token.clone(), 1).to_json()),
        ("AuthCodeConsent", AuthCodeConsent::new(token.clone(), vec![], 1).to_json()),
        ("UserProfile", mp_consent_bridge::consent::UserProfile::default().to_json()),
        (
            "SubscriptionGrants",
            SubscriptionGrants { platform: Platform::Wechat, accepted: vec![], rejected: vec![], obtained_at: 1 }
                .to_json(),
        ),
        ("LoginCodeConsent", LoginCodeConsent::new(Platform::Wechat, token.clone(), 1).to_json()),
    ] {
        let declared = properties(between(API, &format!("export interface {interface} {{"), "\n}"));
        assert_eq!(declared, keys(json), "{interface}");
    }
}
