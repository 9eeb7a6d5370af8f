//! Alipay+ answers as typed errors: each keeps `resultCode` and `resultMessage` (scrubbed
//! of the token the request carried) and gets the crate's stable code.
//!
//! Result codes. Documented by the wallets' applyToken / inquiryUserInfo pages and the
//! issue's platform notes: `INVALID_AUTH_CODE`, `EXPIRED_CODE`, `USED_CODE`,
//! `INVALID_AUTH_CLIENT`, `USED_REFRESH_TOKEN`, `PARAM_ILLEGAL`, `UNKNOWN_EXCEPTION` (U),
//! `REQUEST_TRAFFIC_EXCEED_LIMIT` (U). Assumed by analogy (names seen in other Alipay+
//! APIs, handled the same way): `INVALID_REFRESH_TOKEN`, `EXPIRED_REFRESH_TOKEN`,
//! `INVALID_ACCESS_TOKEN`, `EXPIRED_ACCESS_TOKEN`, `INVALID_SIGNATURE`, `KEY_NOT_FOUND`,
//! `ACCESS_DENIED`, `INVALID_CLIENT_STATUS`. Any other `F` code is kept as
//! `PLATFORM_REJECTED` with the code.

use super::wire::ResultInfo;
use crate::error::{Error, ErrorCode};

/// Documented and assumed `F` codes, with the crate code each maps to.
pub const FAILURE_CODES: &[(&str, ErrorCode)] = &[
    ("INVALID_AUTH_CODE", ErrorCode::TokenInvalid),
    ("USED_CODE", ErrorCode::TokenInvalid),
    ("EXPIRED_CODE", ErrorCode::TokenExpired),
    ("INVALID_REFRESH_TOKEN", ErrorCode::TokenInvalid),
    ("USED_REFRESH_TOKEN", ErrorCode::TokenInvalid),
    ("EXPIRED_REFRESH_TOKEN", ErrorCode::TokenExpired),
    ("INVALID_ACCESS_TOKEN", ErrorCode::TokenInvalid),
    ("EXPIRED_ACCESS_TOKEN", ErrorCode::TokenExpired),
    ("INVALID_AUTH_CLIENT", ErrorCode::AuthFailed),
    ("INVALID_SIGNATURE", ErrorCode::AuthFailed),
    ("KEY_NOT_FOUND", ErrorCode::AuthFailed),
    ("INVALID_CLIENT_STATUS", ErrorCode::AuthFailed),
    ("ACCESS_DENIED", ErrorCode::AuthFailed),
    ("PARAM_ILLEGAL", ErrorCode::PlatformRejected),
];

fn hint(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::TokenInvalid => "the code or token is unknown or was already used; ask the user to authorize again",
        ErrorCode::TokenExpired => "the code or token expired; ask the user to authorize again",
        ErrorCode::AuthFailed => "the platform refused this merchant; check the client id, key version and private key",
        _ => "the platform refused the request; see its result code",
    }
}

/// Cuts the token the request carried out of the platform's message.
fn scrub(message: Option<&str>, secret: &str) -> Option<String> {
    message.map(|m| crate::secret::scrub(m, secret, "<token>"))
}

/// The error for an `F` answer.
pub fn failure_error(result: &ResultInfo, secret: &str) -> Error {
    let code = FAILURE_CODES
        .iter()
        .find(|(c, _)| *c == result.result_code)
        .map(|(_, code)| *code)
        .unwrap_or(ErrorCode::PlatformRejected);
    Error::new(code, format!("Alipay+ answered F {}: {}", short(&result.result_code), hint(code)))
        .with_platform(result.result_code.clone(), scrub(result.result_message.as_deref(), secret))
}

/// The error for a `U` answer that was still `U` after the last attempt.
pub fn unknown_error(result: &ResultInfo, secret: &str) -> Error {
    let (code, what) = if result.result_code == "REQUEST_TRAFFIC_EXCEED_LIMIT" {
        (ErrorCode::RateLimited, "the platform is rate-limiting this merchant; try again later")
    } else {
        (ErrorCode::ResultUnknown, "the outcome stayed unknown (U) after every retry; try again later")
    };
    Error::new(code, format!("Alipay+ answered U {}: {what}", short(&result.result_code)))
        .with_platform(result.result_code.clone(), scrub(result.result_message.as_deref(), secret))
}

/// The error for an answer whose signature is missing or wrong.
pub fn signature_error(status: u16, why: &str) -> Error {
    Error::new(
        ErrorCode::SignatureInvalid,
        format!(
            "the Alipay+ answer is not signed by the platform ({why}); nothing in it was used: check the platform public key and the base URL"
        ),
    )
    .with_status(status)
}

/// A result code as put in a message: at most 64 ASCII graphic characters.
fn short(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_graphic()).take(64).collect()
}
