//! One error type for the server crate, with stable codes.
//!
//! The `message` says what to check and is written by this crate only: it never holds a
//! key, a token, an access token or decrypted personal data. What the platform said is
//! kept apart (`platform_code`, `platform_message`), length-capped, with any token the
//! request carried scrubbed out by the platform module before the error is built.

use std::fmt;

/// Stable error codes (the strings from [`ErrorCode::as_str`] never change meaning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The configuration is missing or malformed (a key, a URL, an id).
    InvalidConfig,
    /// A caller-supplied argument is malformed or out of bounds.
    InvalidArgument,
    /// The connection broke or failed after the request may have been sent.
    Network,
    /// The platform could not be reached at all (connect or TLS failure): the request was
    /// certainly not sent, so a single-use token it carried is still unused.
    Unreachable,
    /// The platform did not answer in time.
    Timeout,
    /// The platform answered something this crate cannot read.
    InvalidResponse,
    /// The platform's answer was larger than the configured cap.
    ResponseTooLarge,
    /// The platform rejected this server's credentials or signature.
    AuthFailed,
    /// The token expired (platform code or local lifetime check).
    TokenExpired,
    /// The platform does not know this token, or it was already used.
    TokenInvalid,
    /// The platform rate-limited the call (it was not performed).
    RateLimited,
    /// The platform rejected the call for another reason (its code is kept).
    PlatformRejected,
    /// The platform's payload did not decrypt or decode under the merchant's key.
    DecryptFailed,
    /// The local store failed (SQLite I/O, corruption, a full disk).
    Store,
    /// No unspent, unexpired push token is stored for this user and template.
    NoPushToken,
    /// The platform's answer was still "unknown" (Alipay+ `U`) after every retry: the
    /// call may or may not have taken effect.
    ResultUnknown,
    /// The platform's answer carried no signature, or one that does not verify: nothing
    /// in it was used.
    SignatureInvalid,
    /// The platform refused this user (WeChat `40226`: a high-risk user, login blocked).
    UserBlocked,
    /// The platform stayed busy (WeChat `-1`) after every retry: try again later.
    PlatformBusy,
    /// The user has no subscription left for this template (WeChat `43101`), or the
    /// merchant recorded no grant for it: ask the user to subscribe again.
    NotSubscribed,
}

impl ErrorCode {
    /// The stable string form, e.g. `"AUTH_FAILED"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidConfig => "INVALID_CONFIG",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::Network => "NETWORK",
            ErrorCode::Unreachable => "PLATFORM_UNREACHABLE",
            ErrorCode::Timeout => "PLATFORM_TIMEOUT",
            ErrorCode::InvalidResponse => "PLATFORM_INVALID_RESPONSE",
            ErrorCode::ResponseTooLarge => "PLATFORM_RESPONSE_TOO_LARGE",
            ErrorCode::AuthFailed => "PLATFORM_AUTH_FAILED",
            ErrorCode::TokenExpired => "TOKEN_EXPIRED",
            ErrorCode::TokenInvalid => "TOKEN_INVALID",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::PlatformRejected => "PLATFORM_REJECTED",
            ErrorCode::DecryptFailed => "DECRYPT_FAILED",
            ErrorCode::Store => "STORE",
            ErrorCode::NoPushToken => "NO_PUSH_TOKEN",
            ErrorCode::ResultUnknown => "PLATFORM_RESULT_UNKNOWN",
            ErrorCode::SignatureInvalid => "PLATFORM_SIGNATURE_INVALID",
            ErrorCode::UserBlocked => "USER_BLOCKED",
            ErrorCode::PlatformBusy => "PLATFORM_BUSY",
            ErrorCode::NotSubscribed => "NOT_SUBSCRIBED",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest platform message kept on an error (bytes, cut at a character boundary).
pub const MAX_PLATFORM_MESSAGE: usize = 256;

/// An error from the server crate: a stable code, a message that says what to do, and
/// what the platform said when it said something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    platform_code: Option<String>,
    platform_message: Option<String>,
    http_status: Option<u16>,
}

impl Error {
    /// A new error. `message` must not contain secrets: pass fixed text and
    /// non-secret details (names, sizes, statuses) only.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), platform_code: None, platform_message: None, http_status: None }
    }

    /// Attaches the platform's own code and message (the message capped at
    /// [`MAX_PLATFORM_MESSAGE`] bytes). The caller scrubs tokens out of it first.
    pub fn with_platform(mut self, code: impl Into<String>, message: Option<String>) -> Self {
        self.platform_code = Some(cap(code.into(), 32));
        self.platform_message = message.map(|m| cap(m, MAX_PLATFORM_MESSAGE));
        self
    }

    /// Attaches the HTTP status the platform answered.
    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// What went wrong and what to check (never a secret).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The platform's own code (e.g. Binance `"900201"`), when it answered one.
    pub fn platform_code(&self) -> Option<&str> {
        self.platform_code.as_deref()
    }

    /// The platform's own message, capped and scrubbed of the request's token.
    pub fn platform_message(&self) -> Option<&str> {
        self.platform_message.as_deref()
    }

    /// The HTTP status the platform answered, when it answered.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// Whether calling again (with backoff) may succeed: timeouts, network failures,
    /// rate limits. Token and authentication errors never become retryable.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::Network
                | ErrorCode::Unreachable
                | ErrorCode::Timeout
                | ErrorCode::RateLimited
                | ErrorCode::PlatformBusy
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(code) = &self.platform_code {
            write!(f, " (platform code {code}")?;
            if let Some(m) = &self.platform_message {
                write!(f, ": {m}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Cuts `s` to at most `max` bytes at a character boundary.
fn cap(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_keeps_code_and_platform_details() {
        let e = Error::new(ErrorCode::TokenInvalid, "the data token is unknown")
            .with_platform("900201", Some("invalid data token".into()))
            .with_status(200);
        assert_eq!(
            e.to_string(),
            "TOKEN_INVALID: the data token is unknown (platform code 900201: invalid data token)"
        );
        assert_eq!(e.http_status(), Some(200));
        assert!(!e.is_transient());
    }

    #[test]
    fn platform_message_is_capped_at_a_char_boundary() {
        let e = Error::new(ErrorCode::PlatformRejected, "x").with_platform("1", Some("é".repeat(400)));
        let m = e.platform_message().unwrap_or_default();
        assert!(m.len() <= MAX_PLATFORM_MESSAGE + '…'.len_utf8());
        assert!(m.ends_with('…'));
    }
}
