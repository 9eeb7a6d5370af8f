//! Validation of the Alipay / Alipay+ (`my`) consent answers: `getOpenUserInfo` (a JSON
//! string inside `res.response`) and `getAuthCode`.

use crate::prelude::*;
use crate::text::join;

use super::failure::{failure_error, timeout};
use super::json::{parse_json, JsonError};
use super::value::{HostValue, Limits};
use super::{Settlement, Token};
use crate::error::{BridgeError, ErrorCode, ErrorDetails};
use serde::{Deserialize, Serialize};

/// Host error codes that mean the user cancelled: 11 (cancelled), 3 (no result, treated
/// as cancelled) and Alipay+'s 1001.
pub const CANCEL_CODES: [&str; 3] = ["11", "3", "1001"];
/// How long an auth code is treated as valid: it is single use and expires within a day.
pub const AUTH_CODE_LIFETIME_MS: u64 = 24 * 60 * 60 * 1000;
/// Most scopes per `getAuthCode` call.
pub const MAX_SCOPES: usize = 10;
/// Longest profile field Alipay+ documents, in bytes (the avatar URL may be longer).
pub const MAX_FIELD_LEN: usize = 128;
/// Longest avatar URL Alipay+ documents, in bytes.
pub const MAX_AVATAR_LEN: usize = 2048;

/// Scopes that disclose the phone number; asking for them together with profile scopes in
/// one modal breaks the platform rules.
const PHONE_SCOPES: [&str; 1] = ["PLAINTEXT_MOBILE_PHONE"];
const PROFILE_SCOPES: [&str; 3] = ["auth_user", "USER_NICKNAME", "USER_AVATAR"];

/// The member's public profile from `my.getOpenUserInfo`. User-controlled data: display
/// it, but never trust it for identity (use an auth code exchanged by the backend).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserProfile {
    /// Nickname (may be empty).
    pub nick_name: String,
    /// Avatar URL: https, or empty.
    pub avatar: String,
    /// `"m"`, `"f"` or empty (empty for everyone since 2022).
    pub gender: String,
    /// Two-letter country code or empty.
    pub country_code: String,
    /// Province or empty.
    pub province: String,
    /// City or empty.
    pub city: String,
}

/// A validated auth code and the scopes it was granted for.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthCodeConsent {
    /// The single-use auth code, secret; the backend exchanges it (`applyToken`).
    #[serde(serialize_with = "super::expose_token")]
    pub auth_code: Token,
    /// The scopes granted, as the host listed them.
    pub granted_scopes: Vec<String>,
    /// When the host handed it over, ms since the Unix epoch.
    pub obtained_at: u64,
    /// When it is treated as expired.
    pub expires_at: u64,
}

impl AuthCodeConsent {
    /// An auth code granted for `granted_scopes` at `obtained_at`; treated as expired a
    /// day later.
    pub fn new(auth_code: Token, granted_scopes: Vec<String>, obtained_at: u64) -> Self {
        AuthCodeConsent {
            auth_code,
            granted_scopes,
            obtained_at,
            expires_at: obtained_at.saturating_add(AUTH_CODE_LIFETIME_MS),
        }
    }
}

/// Reads one profile field: absent or empty is `""`; anything but a bounded string
/// without control characters is `INVALID_RESULT`.
fn field(inner: &HostValue, name: &str, max: usize) -> Result<String, BridgeError> {
    match inner.get(name) {
        None | Some(HostValue::Undefined) | Some(HostValue::Null) => Ok(String::new()),
        Some(HostValue::String(s)) if s.len() > max => {
            Err(BridgeError::invalid_result(format!("getOpenUserInfo returned a {name} longer than {max} bytes.")))
        }
        Some(HostValue::String(s)) if s.chars().any(char::is_control) => {
            Err(BridgeError::invalid_result(format!("getOpenUserInfo returned a {name} with control characters.")))
        }
        Some(HostValue::String(s)) => Ok(s.clone()),
        Some(other) => Err(BridgeError::invalid_result(format!(
            "getOpenUserInfo returned a {name} that is a {}, not a string.",
            other.type_name()
        ))),
    }
}

fn inner_failure(inner: &HostValue, code: String) -> BridgeError {
    let text = |k: &str| inner.get(k).and_then(HostValue::as_str).map(str::to_owned);
    let sub_code = text("subCode");
    let host_message = text("subMsg").or_else(|| text("msg"));
    let error = match code.as_str() {
        "40006" => BridgeError::new(
            ErrorCode::HostError,
            "Alipay refused getOpenUserInfo (40006, isv.insufficient-isv-permissions): add the \"obtain basic member information\" feature to this mini program in the Alipay console.",
        ),
        "40003" => BridgeError::new(
            ErrorCode::ScopeNotGranted,
            "The user has not authorized the profile yet (40003, isv.invalid-auth-relations): show <button open-type=\"getAuthorize\" scope=\"userInfo\"> and ask again from its onGetAuthorize handler.",
        )
        .with_details(ErrorDetails { scopes: vec![("userInfo".into(), "40003".into())], ..ErrorDetails::default() }),
        _ => BridgeError::new(
            ErrorCode::HostError,
            "Alipay refused getOpenUserInfo; see details.hostCode and details.hostMessage.",
        ),
    };
    let host_code = match sub_code {
        Some(sub) => format!("{code} {sub}"),
        None => code,
    };
    error.with_host(Some(host_code), host_message)
}

/// Turns how `my.getOpenUserInfo` ended into a validated profile.
pub fn open_user_info(settled: Settlement) -> Result<UserProfile, BridgeError> {
    let api = "getOpenUserInfo";
    let value = match settled {
        Settlement::Timeout => return Err(timeout(api)),
        Settlement::Failure(v) => return Err(failure_error(api, &v, &CANCEL_CODES, &[])),
        Settlement::Success(v) => v,
    };
    let Some(response) = value.get("response") else {
        return Err(BridgeError::invalid_result("getOpenUserInfo answered without a response field."));
    };
    let Some(text) = response.as_str() else {
        return Err(BridgeError::invalid_result(format!(
            "getOpenUserInfo answered a response that is a {}, not a JSON string.",
            response.type_name()
        )));
    };
    let parsed =
        parse_json(text, Limits { max_depth: 4, max_nodes: 64, max_string_len: 4096 }).map_err(|e| match e {
            JsonError::Syntax => {
                BridgeError::invalid_result("getOpenUserInfo answered a response string that is not JSON.")
            }
            JsonError::TooLarge => {
                BridgeError::invalid_result("getOpenUserInfo answered a response string that is too large.")
            }
            JsonError::DuplicateKey => {
                BridgeError::invalid_result("getOpenUserInfo answered a response string that repeats a key.")
            }
        })?;
    let Some(inner @ HostValue::Object(_)) = parsed.get("response") else {
        return Err(BridgeError::invalid_result("getOpenUserInfo's response JSON lacks the inner response object."));
    };
    match inner.get("code").and_then(HostValue::code_text) {
        Some(code) if code == "10000" => {}
        Some(code) => return Err(inner_failure(inner, code)),
        None => return Err(BridgeError::invalid_result("getOpenUserInfo's inner response has no code.")),
    }
    validate_profile(inner)
}

/// Validates the profile fields of an inner `getOpenUserInfo` response (or of a profile
/// handed back to `forward()`): bounded strings, gender `m`/`f`/empty, a two-letter
/// country code or empty, an https avatar or empty. Missing fields are empty.
pub fn validate_profile(inner: &HostValue) -> Result<UserProfile, BridgeError> {
    let profile = UserProfile {
        nick_name: field(inner, "nickName", MAX_FIELD_LEN)?,
        avatar: field(inner, "avatar", MAX_AVATAR_LEN)?,
        gender: field(inner, "gender", MAX_FIELD_LEN)?,
        country_code: field(inner, "countryCode", MAX_FIELD_LEN)?,
        province: field(inner, "province", MAX_FIELD_LEN)?,
        city: field(inner, "city", MAX_FIELD_LEN)?,
    };
    if !matches!(profile.gender.as_str(), "" | "m" | "f") {
        return Err(BridgeError::invalid_result("getOpenUserInfo returned a gender other than \"m\", \"f\" or empty."));
    }
    if !(profile.country_code.is_empty()
        || (profile.country_code.len() == 2 && profile.country_code.bytes().all(|b| b.is_ascii_alphabetic())))
    {
        return Err(BridgeError::invalid_result("getOpenUserInfo returned a country code that is not two letters."));
    }
    if !(profile.avatar.is_empty() || is_https_url(&profile.avatar)) {
        return Err(BridgeError::invalid_result("getOpenUserInfo returned an avatar that is not an https URL."));
    }
    Ok(profile)
}

fn is_https_url(s: &str) -> bool {
    let lower = s.get(..8).map(str::to_ascii_lowercase);
    lower.as_deref() == Some("https://") && s.len() > 8 && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Checks scopes before the host is asked: 1..=10 distinct scope names of letters, digits
/// and `_`, never phone and profile scopes in the same modal.
pub fn validate_scopes(scopes: &[String]) -> Result<(), BridgeError> {
    let arg = BridgeError::invalid_argument;
    if scopes.is_empty() {
        return Err(arg("Pass at least one scope, e.g. [\"auth_base\"] or [\"auth_user\"].".into()));
    }
    if scopes.len() > MAX_SCOPES {
        return Err(arg(format!("Pass at most {MAX_SCOPES} scopes per call.")));
    }
    for (i, scope) in scopes.iter().enumerate() {
        if scope.is_empty() || scope.len() > 64 || !scope.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(arg(format!("Scope #{i} is not a scope name (letters, digits and _ only, at most 64).")));
        }
        if scopes.iter().take(i).any(|earlier| earlier == scope) {
            return Err(arg(format!("Scope #{i} repeats an earlier one.")));
        }
    }
    let has = |set: &[&str]| scopes.iter().any(|s| set.contains(&s.as_str()));
    if has(&PHONE_SCOPES) && has(&PROFILE_SCOPES) {
        return Err(arg(
            "Ask for the phone number and the profile in separate modals; the platform forbids both in one.".into(),
        ));
    }
    Ok(())
}

fn string_list(value: Option<&HostValue>) -> Option<Vec<String>> {
    match value {
        Some(HostValue::Array(items)) => items.iter().map(|i| i.as_str().map(str::to_owned)).collect(),
        _ => None,
    }
}

/// Turns how `my.getAuthCode({scopes})` ended into an auth code, only when every
/// requested scope was granted.
pub fn auth_code(requested: &[String], settled: Settlement, now_ms: u64) -> Result<AuthCodeConsent, BridgeError> {
    // A host that refuses a scope may still hand over a code, and may echo it anywhere
    // (an error code, a message): no error may carry it.
    let code = match &settled {
        Settlement::Success(v) | Settlement::Failure(v) => match v.get("authCode") {
            Some(HostValue::String(s)) => Some(s.clone()),
            _ => None,
        },
        Settlement::Timeout => None,
    };
    auth_code_unscrubbed(requested, settled, now_ms).map_err(|e| match &code {
        Some(code) => e.scrubbed(&[code.as_str()]),
        None => e,
    })
}

fn auth_code_unscrubbed(
    requested: &[String],
    settled: Settlement,
    now_ms: u64,
) -> Result<AuthCodeConsent, BridgeError> {
    let api = "getAuthCode";
    let value = match settled {
        Settlement::Timeout => return Err(timeout(api)),
        Settlement::Failure(v) => return Err(failure_error(api, &v, &CANCEL_CODES, &[])),
        Settlement::Success(v @ HostValue::Object(_)) => v,
        Settlement::Success(other) => {
            return Err(BridgeError::invalid_result(format!(
                "getAuthCode answered a {} instead of an object.",
                other.type_name()
            )))
        }
    };
    let granted = match value.get("authSuccessScopes") {
        None | Some(HostValue::Undefined) => Vec::new(),
        some => string_list(some).ok_or_else(|| {
            BridgeError::invalid_result("getAuthCode answered authSuccessScopes that is not a list of strings.")
        })?,
    };
    let refused: Vec<(String, String)> = requested
        .iter()
        .filter(|scope| !granted.contains(scope))
        .map(|scope| {
            let code = value.get("authErrorScopes").and_then(|e| e.get(scope)).and_then(HostValue::code_text);
            (scope.clone(), code.unwrap_or_default())
        })
        .collect();
    if !refused.is_empty() {
        let names = join(refused.iter().map(|(s, _)| s.as_str()), ", ");
        return Err(BridgeError::new(
            ErrorCode::ScopeNotGranted,
            format!("The user or platform did not grant {}; see details.scopes for each code. Continue without it or ask again later.", names),
        )
        .with_details(ErrorDetails { scopes: refused, ..ErrorDetails::default() }));
    }
    let raw = match value.get("authCode") {
        Some(HostValue::String(s)) => s.as_str(),
        Some(other) => {
            return Err(BridgeError::invalid_result(format!(
                "getAuthCode answered an authCode that is a {}, not a string.",
                other.type_name()
            )))
        }
        None => return Err(BridgeError::invalid_result("getAuthCode answered without an authCode.")),
    };
    let auth_code = Token::parse(raw, "auth code")?;
    Ok(AuthCodeConsent::new(auth_code, granted, now_ms))
}

/// Turns the `getAuthorize` button's events into the next step: `Ok(())` means the user
/// authorized (call `getOpenUserInfo` now); an error event becomes a typed denial.
pub fn authorize_event(event: &HostValue) -> Result<(), BridgeError> {
    let detail = event.get("detail").unwrap_or(&HostValue::Undefined);
    let failed = ["errorCode", "error", "errorMessage", "errMsg"]
        .iter()
        .any(|k| detail.get(k).is_some_and(|v| !matches!(v, HostValue::Undefined | HostValue::Null)))
        || event.get("type").and_then(HostValue::as_str) == Some("error");
    if !matches!(event, HostValue::Object(_)) {
        return Err(BridgeError::new(
            ErrorCode::InvalidArgument,
            "Pass the event object of the getAuthorize button's onGetAuthorize or onError handler.",
        ));
    }
    if failed {
        let mut error = failure_error("getAuthorize", detail, &CANCEL_CODES, &[]);
        if error.code() == ErrorCode::HostError && error.details().host_code.is_none() {
            // The button's onError is the user dismissing the authorization by default.
            error = BridgeError::new(
                ErrorCode::UserDenied,
                "The user did not authorize; offer a manual path and ask again only when needed.",
            )
            .with_host(None, error.details().host_message.clone());
        }
        return Err(error);
    }
    Ok(())
}
