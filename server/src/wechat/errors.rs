//! WeChat `errcode`/`errmsg` answers as typed errors. The errcode is kept as the platform
//! code, the errmsg (scrubbed of every secret the request carried) as the platform
//! message. Sources: see the module docs; codes not listed are `PLATFORM_REJECTED`.

use crate::error::{Error, ErrorCode};

/// System busy: retried a bounded number of times.
pub const BUSY: i64 = -1;
/// The access token is invalid or not the latest (e.g. after a forced refresh elsewhere).
pub const INVALID_CREDENTIAL: i64 = 40001;
/// The access token is malformed.
pub const INVALID_ACCESS_TOKEN: i64 = 40014;
/// The access token expired.
pub const ACCESS_TOKEN_EXPIRED: i64 = 42001;
/// The code (login or phone) is invalid: unknown, expired, used or from another app.
pub const INVALID_CODE: i64 = 40029;
/// The login code was already used.
pub const CODE_USED: i64 = 40163;
/// Rate limited.
pub const RATE_LIMITED: i64 = 45011;
/// A high-risk user: login blocked.
pub const USER_BLOCKED: i64 = 40226;
/// The user has no subscription for this template.
pub const NOT_SUBSCRIBED: i64 = 43101;

/// Whether `errcode` says the access token the call carried must be replaced.
pub fn is_token_rejection(errcode: i64) -> bool {
    matches!(errcode, INVALID_CREDENTIAL | INVALID_ACCESS_TOKEN | ACCESS_TOKEN_EXPIRED)
}

/// Documented and reported errcodes, with the crate code and what to do.
const CODES: &[(i64, ErrorCode, &str)] = &[
    (BUSY, ErrorCode::PlatformBusy, "WeChat stayed busy after every retry; try again later"),
    (INVALID_CODE, ErrorCode::TokenInvalid, "the code is invalid, expired or already used; ask the user again"),
    (CODE_USED, ErrorCode::TokenInvalid, "the code was already used; call wx.login() again"),
    (RATE_LIMITED, ErrorCode::RateLimited, "WeChat is rate-limiting this call; try again next minute"),
    (USER_BLOCKED, ErrorCode::UserBlocked, "WeChat blocked this user's login as high-risk; do not retry"),
    (NOT_SUBSCRIBED, ErrorCode::NotSubscribed, "the user has no subscription left for this template; ask again"),
    (INVALID_CREDENTIAL, ErrorCode::AuthFailed, "WeChat refused the access token even after a forced refresh"),
    (INVALID_ACCESS_TOKEN, ErrorCode::AuthFailed, "WeChat refused the access token even after a forced refresh"),
    (ACCESS_TOKEN_EXPIRED, ErrorCode::AuthFailed, "WeChat said the access token expired even after a forced refresh"),
    (40013, ErrorCode::AuthFailed, "WeChat does not know this app id; check MPCB_WECHAT_APP_ID"),
    (40125, ErrorCode::AuthFailed, "WeChat refused the app secret; check MPCB_WECHAT_APP_SECRET"),
];

/// The error for a non-zero `errcode`. `secrets` are cut out of `errmsg` first.
pub fn platform_error(api: &str, errcode: i64, errmsg: Option<&str>, secrets: &[&str]) -> Error {
    let (code, hint) = CODES
        .iter()
        .find(|(c, _, _)| *c == errcode)
        .map(|(_, code, hint)| (*code, *hint))
        .unwrap_or((ErrorCode::PlatformRejected, "WeChat refused the request; see its errcode"));
    let message = errmsg.map(|m| scrub(m, secrets));
    Error::new(code, format!("WeChat {api} answered errcode {errcode}: {hint}"))
        .with_platform(errcode.to_string(), message)
}

/// Replaces every non-empty secret in `message` with `<secret>`, also percent- or
/// form-encoded (see [`crate::secret::scrub`]).
pub fn scrub(message: &str, secrets: &[&str]) -> String {
    secrets.iter().fold(message.to_owned(), |m, s| crate::secret::scrub(&m, s, "<secret>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_typed_and_messages_scrubbed() {
        let e = platform_error("code2Session", 40029, Some("invalid code js-123 hint"), &["js-123", ""]);
        assert_eq!(e.code(), ErrorCode::TokenInvalid);
        assert_eq!(e.platform_code(), Some("40029"));
        assert_eq!(e.platform_message(), Some("invalid code <secret> hint"));
        assert_eq!(platform_error("x", 99999, None, &[]).code(), ErrorCode::PlatformRejected);
        assert!(platform_error("x", -1, None, &[]).is_transient());
        assert!(is_token_rejection(42001) && !is_token_rejection(40029));
    }
}
