//! One error type with stable codes, shared by the Rust and the JS surfaces.
//!
//! Messages are written by this crate and say what to do next; they never contain a
//! token. Details copied from a host or backend (their own codes and messages) are kept
//! apart from the message and bounded in length.

use crate::prelude::*;

use core::fmt;

/// Declares [`ErrorCode`], its [`ErrorCode::ALL`] list and its stable strings from one
/// table, so a code cannot be added to one and forgotten in another.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $name:ident => $text:literal,)+) => {
        /// The stable, machine-readable reason for a [`BridgeError`] (`BridgeError.code` in JS).
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $name,)+
        }

        impl ErrorCode {
            /// Every code, for documentation and exhaustive tests.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)+];

            /// The stable string form, e.g. `"USER_DENIED"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$name => $text,)+
                }
            }
        }
    };
}

error_codes! {
    /// No host object, or the host lacks the API that was called.
    HostUnavailable => "HOST_UNAVAILABLE",
    /// The user refused, cancelled or dismissed the consent.
    UserDenied => "USER_DENIED",
    /// Another consent request of this bridge is still open, or the same consent is being
    /// forwarded right now.
    ConsentBusy => "CONSENT_BUSY",
    /// The host failed; its own code and message are in the details.
    HostError => "HOST_ERROR",
    /// The platform's quota for this consent is used up and the user saw no prompt
    /// (WeChat phone number, errno 1400001); the host's code is in the details.
    QuotaExceeded => "QUOTA_EXCEEDED",
    /// The host answered something malformed.
    InvalidResult => "INVALID_RESULT",
    /// Some requested scopes were not granted.
    ScopeNotGranted => "SCOPE_NOT_GRANTED",
    /// The token is older than its lifetime allows.
    TokenExpired => "TOKEN_EXPIRED",
    /// The token was already forwarded successfully.
    TokenAlreadyUsed => "TOKEN_ALREADY_USED",
    /// The host did not answer in time.
    HostTimeout => "HOST_TIMEOUT",
    /// The backend did not answer in time.
    BackendTimeout => "BACKEND_TIMEOUT",
    /// The request to the backend failed before an answer arrived.
    Network => "NETWORK",
    /// The backend answered with a non-2xx status or an error envelope.
    BackendRejected => "BACKEND_REJECTED",
    /// The backend answered 2xx with a body that is not usable JSON.
    BackendInvalidResponse => "BACKEND_INVALID_RESPONSE",
    /// The bridge options are invalid.
    InvalidConfig => "INVALID_CONFIG",
    /// An argument of the call is invalid.
    InvalidArgument => "INVALID_ARGUMENT",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest host- or backend-supplied text kept in [`ErrorDetails`].
pub const MAX_DETAIL_LEN: usize = 256;

/// Structured context of an error: what the host or backend said, never a token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorDetails {
    /// The host's own error code (`errCode`, `error`, an Alipay `code`/`subCode`).
    pub host_code: Option<String>,
    /// The host's own message (`errMsg`, `errorMessage`, `msg`/`subMsg`).
    pub host_message: Option<String>,
    /// HTTP status of a backend answer.
    pub status: Option<u16>,
    /// The backend's own error code from its envelope.
    pub backend_code: Option<String>,
    /// The backend's own error message from its envelope.
    pub backend_message: Option<String>,
    /// Scopes or templates concerned, with the host's code for each where it gave one.
    pub scopes: Vec<(String, String)>,
}

/// The error of every bridge operation: a stable [`ErrorCode`], a message that says what
/// to do, and [`ErrorDetails`].
#[derive(Clone, PartialEq)]
pub struct BridgeError {
    code: ErrorCode,
    message: String,
    // Boxed: errors travel through every `Result` of the crate, so they stay small.
    details: Box<ErrorDetails>,
}

impl BridgeError {
    /// An error with a code and a message (the message must never contain a token).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        BridgeError { code, message: message.into(), details: Box::default() }
    }

    /// `INVALID_CONFIG`: the bridge options are wrong; `message` says which and how.
    pub fn invalid_config(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidConfig, message)
    }

    /// `INVALID_ARGUMENT`: an argument of the call is wrong; `message` says which.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    /// `INVALID_RESULT`: the host answered something malformed (`message` never quotes it).
    pub fn invalid_result(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidResult, message)
    }

    /// Attaches details.
    pub fn with_details(mut self, details: ErrorDetails) -> Self {
        *self.details = details;
        self
    }

    /// Attaches the host's own code and message (bounded in length).
    pub fn with_host(mut self, code: Option<String>, message: Option<String>) -> Self {
        self.details.host_code = code.map(bounded);
        self.details.host_message = message.map(bounded);
        self
    }

    /// The same error with every one of `secrets` scrubbed from its message and details
    /// (see [`scrub`]). Text from hosts and backends is scrubbed before it is cut to
    /// [`MAX_DETAIL_LEN`] where it is first read; this is the last pass before an error
    /// leaves a flow.
    pub fn scrubbed(mut self, secrets: &[&str]) -> Self {
        if secrets.is_empty() {
            return self;
        }
        let clean = |text: &mut Option<String>| {
            if let Some(t) = text.as_mut() {
                *t = bounded(scrub(t, secrets));
            }
        };
        self.message = scrub(&self.message, secrets);
        let d = &mut *self.details;
        for text in [&mut d.host_code, &mut d.host_message, &mut d.backend_code, &mut d.backend_message] {
            clean(text);
        }
        for (scope, code) in d.scopes.iter_mut() {
            *scope = scrub(scope, secrets);
            *code = scrub(code, secrets);
        }
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The structured details.
    pub fn details(&self) -> &ErrorDetails {
        &self.details
    }
}

/// What replaces a secret in text that leaves the library.
pub const REDACTED: &str = "[redacted]";

/// `text` with every occurrence of each of `secrets` replaced by [`REDACTED`]: the one
/// scrubber for host and backend text (a backend that echoes the token it refuses, a
/// host whose failure message quotes the code). Empty secrets are ignored.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = String::from(text);
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let mut rest = core::mem::take(&mut out);
        while let Some(at) = crate::text::find(&rest, secret) {
            out.push_str(rest.get(..at).unwrap_or_default());
            out.push_str(REDACTED);
            rest = rest.get(at + secret.len()..).unwrap_or_default().to_owned();
        }
        out.push_str(&rest);
    }
    out
}

/// Cuts host- or backend-supplied text to [`MAX_DETAIL_LEN`] bytes on a char boundary.
pub fn bounded(mut text: String) -> String {
    if text.len() > MAX_DETAIL_LEN {
        let mut end = MAX_DETAIL_LEN;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

impl fmt::Debug for BridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BridgeError")
            .field("code", &self.code.as_str())
            .field("message", &self.message)
            .field("details", &self.details)
            .finish()
    }
}

impl fmt::Display for BridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl core::error::Error for BridgeError {}

/// Shorthand for results of this crate.
pub type Result<T, E = BridgeError> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_screaming_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{s}");
        }
        assert_eq!(seen.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn scrub_removes_every_occurrence_of_every_secret() {
        assert_eq!(scrub("a tok b tok", &["tok"]), "a [redacted] b [redacted]");
        assert_eq!(scrub("abc", &["", "zz"]), "abc");
        assert_eq!(scrub("xAAy", &["A"]), "x[redacted][redacted]y");
        let e = BridgeError::new(ErrorCode::BackendRejected, "m")
            .with_details(ErrorDetails {
                backend_message: Some("data token s3cr3t is invalid".into()),
                ..Default::default()
            })
            .scrubbed(&["s3cr3t"]);
        assert_eq!(e.details().backend_message.as_deref(), Some("data token [redacted] is invalid"));
    }

    #[test]
    fn display_is_code_and_message() {
        let e = BridgeError::new(ErrorCode::UserDenied, "The user refused.");
        assert_eq!(e.to_string(), "USER_DENIED: The user refused.");
    }

    #[test]
    fn host_details_are_bounded_on_a_char_boundary() {
        let long = "é".repeat(300);
        let e = BridgeError::new(ErrorCode::HostError, "x").with_host(Some(long), None);
        let kept = e.details().host_code.clone().unwrap_or_default();
        assert!(kept.len() <= MAX_DETAIL_LEN && kept.len() >= MAX_DETAIL_LEN - 1);
        assert!(kept.chars().all(|c| c == 'é'));
    }
}
