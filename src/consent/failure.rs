//! Turning a host failure (a `fail` payload, a rejection, a synchronous throw) into a
//! typed error: the user saying no is `USER_DENIED`; anything else is `HOST_ERROR` with
//! the host's own code and message kept in the details.

use crate::prelude::*;
use crate::text::find;

use super::value::HostValue;
use crate::error::{bounded, scrub, BridgeError, ErrorCode};

/// Words hosts put in `errMsg` when the user refused or dismissed the modal
/// (`"getPhoneNumber:fail user deny"`, `"…:fail auth deny"`, `"…:fail cancel"`).
const DENIAL_WORDS: [&str; 5] = ["deny", "denied", "cancel", "refuse", "reject"];

/// `HOST_TIMEOUT` for `api`.
pub(crate) fn timeout(api: &str) -> BridgeError {
    BridgeError::new(
        ErrorCode::HostTimeout,
        format!("The host did not answer {api} in time. Let the user try again; raise hostTimeoutMs if the modal needs longer."),
    )
}

/// Whether a WeChat-style `errMsg` reports a failure (`"api:fail …"`), not `"api:ok"`.
pub fn is_failure_message(msg: &str) -> bool {
    let lower = msg.to_ascii_lowercase();
    find(&lower, ":fail").is_some() || lower.starts_with("fail")
}

fn mentions_denial(msg: &str) -> bool {
    let lower = msg.to_ascii_lowercase();
    DENIAL_WORDS.iter().any(|w| find(&lower, w).is_some())
}

/// Keys whose string values are secrets wherever they sit in a failure payload (a push
/// token inside a template's verdict, an auth code next to an error).
const SECRET_KEYS: [&str; 7] =
    ["token", "data_token", "dataToken", "authCode", "auth_code", "pushToken", "accessToken"];

/// Every string under `token_keys` or [`SECRET_KEYS`], at any depth of `value`.
fn secrets_in<'a>(value: &'a HostValue, token_keys: &[&str], out: &mut Vec<&'a str>) {
    match value {
        HostValue::Object(entries) => {
            for (key, item) in entries {
                match item {
                    HostValue::String(s)
                        if token_keys.contains(&key.as_str()) || SECRET_KEYS.contains(&key.as_str()) =>
                    {
                        out.push(s)
                    }
                    _ => secrets_in(item, token_keys, out),
                }
            }
        }
        HostValue::Array(items) => items.iter().for_each(|item| secrets_in(item, token_keys, out)),
        _ => {}
    }
}

/// The host's own code and message, read from the fields hosts use; a field named in
/// `token_keys` is a token, never a code.
fn host_code_and_message(value: &HostValue, token_keys: &[&str]) -> (Option<String>, Option<String>) {
    if let HostValue::String(s) = value {
        return (None, Some(s.clone()));
    }
    let code = ["errCode", "errorCode", "error", "code", "errno"]
        .iter()
        .filter(|k| !token_keys.contains(k))
        .find_map(|k| value.get(k).and_then(HostValue::code_text));
    let message = ["errMsg", "errorMessage", "message", "msg"]
        .iter()
        .find_map(|k| value.get(k).and_then(|v| v.as_str()).filter(|s| !s.is_empty()))
        .map(str::to_owned);
    (code, message)
}

/// Classifies a failure of `api`. `cancel_codes` are host codes that mean the user
/// cancelled (Alipay: 11, 3, 1001); Binance reports denial in `errMsg` only.
/// `token_keys` name the fields that carry this API's tokens (Binance's `code`): they are
/// never read as the host's code, and every token found in the payload is scrubbed from
/// the host's code and message before they are kept.
pub fn failure_error(api: &str, value: &HostValue, cancel_codes: &[&str], token_keys: &[&str]) -> BridgeError {
    let (code, message) = host_code_and_message(value, token_keys);
    let mut secrets = Vec::new();
    secrets_in(value, token_keys, &mut secrets);
    let clean = |text: Option<String>| text.map(|t| bounded(scrub(&t, &secrets)));
    let denied =
        code.as_deref().is_some_and(|c| cancel_codes.contains(&c)) || message.as_deref().is_some_and(mentions_denial);
    let error = if denied {
        BridgeError::new(
            ErrorCode::UserDenied,
            format!(
                "The user declined {api}. Offer a manual path, and ask again only when the user needs the feature."
            ),
        )
    } else if code.is_none() && message.is_none() {
        BridgeError::new(
            ErrorCode::HostError,
            format!("The host failed {api} without a code or message ({}). Check that the mini program has this capability and the app version supports it.", value.type_name()),
        )
    } else {
        BridgeError::new(
            ErrorCode::HostError,
            format!("The host failed {api}; see details.hostCode and details.hostMessage for the host's own reason."),
        )
    };
    error.with_host(clean(code), clean(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(entries: &[(&str, HostValue)]) -> HostValue {
        HostValue::Object(entries.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
    }

    fn s(v: &str) -> HostValue {
        HostValue::String(v.to_owned())
    }

    #[test]
    fn wechat_style_denials_are_user_denied() {
        for msg in [
            "getPhoneNumber:fail user deny",
            "getOpenId:fail auth deny",
            "getEmailAddress:fail cancel",
            "fail:auth denied",
        ] {
            let e = failure_error("getPhoneNumber", &obj(&[("errMsg", s(msg))]), &[], &[]);
            assert_eq!(e.code(), ErrorCode::UserDenied, "{msg}");
            assert_eq!(e.details().host_message.as_deref(), Some(msg));
        }
    }

    #[test]
    fn cancel_codes_are_user_denied_and_others_keep_the_host_code() {
        let cancelled = failure_error("getAuthCode", &obj(&[("error", HostValue::Number(11.0))]), &["11", "3"], &[]);
        assert_eq!(cancelled.code(), ErrorCode::UserDenied);
        let net = failure_error(
            "getAuthCode",
            &obj(&[("error", HostValue::Number(12.0)), ("errorMessage", s("network error"))]),
            &["11", "3"],
            &[],
        );
        assert_eq!(net.code(), ErrorCode::HostError);
        assert_eq!(net.details().host_code.as_deref(), Some("12"));
        assert_eq!(net.details().host_message.as_deref(), Some("network error"));
    }

    #[test]
    fn odd_failures_are_host_errors() {
        for v in [HostValue::Undefined, HostValue::Null, obj(&[]), HostValue::Number(3.5), HostValue::Other("symbol")] {
            let e = failure_error("getOpenId", &v, &[], &[]);
            assert_eq!(e.code(), ErrorCode::HostError, "{v:?}");
            assert_eq!(e.details().host_code, None);
        }
        let thrown = failure_error("getOpenId", &s("boom"), &[], &[]);
        assert_eq!(thrown.code(), ErrorCode::HostError);
        assert_eq!(thrown.details().host_message.as_deref(), Some("boom"));
    }

    #[test]
    fn tokens_in_a_failure_are_scrubbed_from_the_kept_text() {
        let tok = "tok-9f8e7d6c5b4a";
        let e = failure_error(
            "getPhoneNumber",
            &obj(&[("errMsg", s(&format!("getPhoneNumber:fail token={tok}"))), ("token", s(tok))]),
            &[],
            &["code"],
        );
        assert_eq!(e.details().host_message.as_deref(), Some("getPhoneNumber:fail token=[redacted]"));
        let nested = obj(&[
            ("errMsg", s(&format!("requestSubscribeMessage:fail {tok}"))),
            ("T1", obj(&[("type", s("accept")), ("token", s(tok))])),
            ("code", s(tok)),
        ]);
        let e = failure_error("requestSubscribeMessage", &nested, &[], &["code"]);
        assert_eq!(e.details().host_code, None, "a token field is never read as the host's code");
        assert!(!format!("{e:?}").contains(tok));
    }

    #[test]
    fn failure_messages_are_recognised() {
        assert!(is_failure_message("getPhoneNumber:fail user deny"));
        assert!(!is_failure_message("requestSubscribeMessage:ok"));
    }
}
