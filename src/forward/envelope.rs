//! Reading backend answers: a 2xx JSON body is the result; a non-2xx status or an error
//! envelope becomes `BACKEND_REJECTED` with the backend's own code and message.

use crate::prelude::*;

use crate::consent::HostValue;
use crate::error::{bounded, scrub, BridgeError, ErrorCode, ErrorDetails};

/// Largest backend body read, in bytes; larger answers are refused before parsing.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The backend's own code and message, from `{code, message}`, `{error: "…"}`,
/// `{error: {code, message}}` or the platform style `{code, message, data, success}`,
/// with `secrets` (the tokens of the request) scrubbed before the text is cut to length.
fn code_and_message(body: &HostValue, secrets: &[&str]) -> (Option<String>, Option<String>) {
    let text = |v: Option<&HostValue>| v.and_then(HostValue::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let nested = body.get("error").filter(|e| matches!(e, HostValue::Object(_)));
    let source = nested.unwrap_or(body);
    let code = source.get("code").and_then(HostValue::code_text);
    let message = text(source.get("message"))
        .or_else(|| text(source.get("msg")))
        .or_else(|| text(body.get("error")))
        .or_else(|| text(body.get("error_description")));
    let clean = |text: String| bounded(scrub(&text, secrets));
    (code.map(clean), message.map(clean))
}

/// Whether a 2xx body is nevertheless an error envelope (`success: false`).
pub fn is_error_envelope(body: &HostValue) -> bool {
    matches!(body.get("success"), Some(HostValue::Bool(false)))
}

/// The `BACKEND_REJECTED` error for `status` and an optional parsed body; a backend that
/// echoes a token of the request (`secrets`) does not get it into the details.
pub fn rejected(status: u16, body: Option<&HostValue>, secrets: &[&str]) -> BridgeError {
    let (backend_code, backend_message) = body.map(|b| code_and_message(b, secrets)).unwrap_or((None, None));
    let message = if (200..300).contains(&status) {
        format!("The backend answered {status} with an error envelope (success: false); see details.backendCode and details.backendMessage.")
    } else {
        format!("The backend refused the consent with HTTP {status}; see details.backendCode and details.backendMessage. Do not retry the same token.")
    };
    BridgeError::new(ErrorCode::BackendRejected, message).with_details(ErrorDetails {
        status: Some(status),
        backend_code,
        backend_message,
        ..ErrorDetails::default()
    })
}

/// The `BACKEND_INVALID_RESPONSE` error for a 2xx answer that cannot be used.
pub fn invalid_response(status: u16, why: &str) -> BridgeError {
    BridgeError::new(
        ErrorCode::BackendInvalidResponse,
        format!("The backend answered {status} but {why}; it must answer a JSON body under 64 KiB."),
    )
    .with_details(ErrorDetails { status: Some(status), ..ErrorDetails::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> HostValue {
        fn conv(v: serde_json::Value) -> HostValue {
            match v {
                serde_json::Value::Null => HostValue::Null,
                serde_json::Value::Bool(b) => HostValue::Bool(b),
                serde_json::Value::Number(n) => HostValue::Number(n.as_f64().unwrap_or(f64::NAN)),
                serde_json::Value::String(s) => HostValue::String(s),
                serde_json::Value::Array(a) => HostValue::Array(a.into_iter().map(conv).collect()),
                serde_json::Value::Object(o) => HostValue::Object(o.into_iter().map(|(k, v)| (k, conv(v))).collect()),
            }
        }
        conv(serde_json::from_str(json).unwrap_or(serde_json::Value::Null))
    }

    #[test]
    fn reads_the_common_envelopes() {
        let cases = [
            (r#"{"code":"TOKEN_INVALID","message":"bad token"}"#, Some("TOKEN_INVALID"), Some("bad token")),
            (r#"{"error":"invalid_grant"}"#, None, Some("invalid_grant")),
            (r#"{"error":{"code":900201,"message":"invalid data token"}}"#, Some("900201"), Some("invalid data token")),
            (
                r#"{"code":"900200","message":"data token expired","data":null,"success":false}"#,
                Some("900200"),
                Some("data token expired"),
            ),
            (r#"[1,2]"#, None, None),
        ];
        for (json, code, message) in cases {
            let e = rejected(400, Some(&parse(json)), &[]);
            assert_eq!(e.code(), ErrorCode::BackendRejected);
            assert_eq!(e.details().status, Some(400));
            assert_eq!(e.details().backend_code.as_deref(), code, "{json}");
            assert_eq!(e.details().backend_message.as_deref(), message, "{json}");
        }
    }

    #[test]
    fn an_echoed_token_is_scrubbed_even_when_the_text_is_cut() {
        let tok = "T".repeat(200);
        let json = format!(r#"{{"code":"{tok}","message":"{} data token {tok} is invalid"}}"#, "x".repeat(100));
        let e = rejected(400, Some(&parse(&json)), &[&tok]);
        let shown = format!("{e:?}");
        assert!(!shown.contains("TTTT"), "{shown}");
        assert_eq!(e.details().backend_code.as_deref(), Some("[redacted]"));
    }

    #[test]
    fn success_false_is_an_error_envelope() {
        assert!(is_error_envelope(&parse(r#"{"success":false,"code":"x"}"#)));
        assert!(!is_error_envelope(&parse(r#"{"success":true}"#)));
        assert!(!is_error_envelope(&parse(r#"{"ok":1}"#)));
    }
}
