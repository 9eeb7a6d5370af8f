//! Turning a host failure (a `fail` payload, a rejection, a synchronous throw) into a
//! typed error: the user saying no is `USER_DENIED`; anything else is `HOST_ERROR` with
//! the host's own code and message kept in the details.

use crate::prelude::*;
use crate::text::find;

use super::value::HostValue;
use crate::error::{BridgeError, ErrorCode};

/// Words hosts put in `errMsg` when the user refused or dismissed the modal
/// (`"getPhoneNumber:fail user deny"`, `"…:fail auth deny"`, `"…:fail cancel"`).
const DENIAL_WORDS: [&str; 5] = ["deny", "denied", "cancel", "refuse", "reject"];

/// `INVALID_RESULT` with `message` (which must never contain host data).
pub(crate) fn invalid(message: String) -> BridgeError {
    BridgeError::new(ErrorCode::InvalidResult, message)
}

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

/// The host's own code and message, read from the fields hosts use.
fn host_code_and_message(value: &HostValue) -> (Option<String>, Option<String>) {
    if let HostValue::String(s) = value {
        return (None, Some(s.clone()));
    }
    let code = ["errCode", "errorCode", "error", "code", "errno"]
        .iter()
        .find_map(|k| value.get(k).and_then(HostValue::code_text));
    let message = ["errMsg", "errorMessage", "message", "msg"]
        .iter()
        .find_map(|k| value.get(k).and_then(|v| v.as_str()).filter(|s| !s.is_empty()))
        .map(str::to_owned);
    (code, message)
}

/// Classifies a failure of `api`. `cancel_codes` are host codes that mean the user
/// cancelled (Alipay: 11, 3, 1001); Binance reports denial in `errMsg` only.
pub fn failure_error(api: &str, value: &HostValue, cancel_codes: &[&str]) -> BridgeError {
    let (code, message) = host_code_and_message(value);
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
    error.with_host(code, message)
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
            let e = failure_error("getPhoneNumber", &obj(&[("errMsg", s(msg))]), &[]);
            assert_eq!(e.code(), ErrorCode::UserDenied, "{msg}");
            assert_eq!(e.details().host_message.as_deref(), Some(msg));
        }
    }

    #[test]
    fn cancel_codes_are_user_denied_and_others_keep_the_host_code() {
        let cancelled = failure_error("getAuthCode", &obj(&[("error", HostValue::Number(11.0))]), &["11", "3"]);
        assert_eq!(cancelled.code(), ErrorCode::UserDenied);
        let net = failure_error(
            "getAuthCode",
            &obj(&[("error", HostValue::Number(12.0)), ("errorMessage", s("network error"))]),
            &["11", "3"],
        );
        assert_eq!(net.code(), ErrorCode::HostError);
        assert_eq!(net.details().host_code.as_deref(), Some("12"));
        assert_eq!(net.details().host_message.as_deref(), Some("network error"));
    }

    #[test]
    fn odd_failures_are_host_errors() {
        for v in [HostValue::Undefined, HostValue::Null, obj(&[]), HostValue::Number(3.5), HostValue::Other("symbol")] {
            let e = failure_error("getOpenId", &v, &[]);
            assert_eq!(e.code(), ErrorCode::HostError, "{v:?}");
            assert_eq!(e.details().host_code, None);
        }
        let thrown = failure_error("getOpenId", &s("boom"), &[]);
        assert_eq!(thrown.code(), ErrorCode::HostError);
        assert_eq!(thrown.details().host_message.as_deref(), Some("boom"));
    }

    #[test]
    fn failure_messages_are_recognised() {
        assert!(is_failure_message("getPhoneNumber:fail user deny"));
        assert!(!is_failure_message("requestSubscribeMessage:ok"));
    }
}
