//! Tokens as secrets: a newtype whose `Debug` never shows the value, and its validation.

use crate::prelude::*;

use crate::error::{BridgeError, ErrorCode};
use core::fmt;

/// Longest token accepted from a host, in bytes. Real data and push tokens are far
/// shorter; the bound keeps a broken host from pushing megabytes into a request body.
pub const MAX_TOKEN_LEN: usize = 4096;

/// A token from a host: a non-empty string of bounded length without control characters.
/// Its `Debug` output is redacted; read it with [`Token::expose`] only to send it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Validates `raw` as a token; `what` names it in the error ("data token", …).
    pub fn parse(raw: &str, what: &str) -> Result<Token, BridgeError> {
        let problem = if raw.is_empty() {
            Some("is empty")
        } else if raw.len() > MAX_TOKEN_LEN {
            Some("is longer than 4096 bytes")
        } else if raw.chars().any(char::is_control) {
            Some("contains control characters")
        } else if raw.trim() != raw {
            Some("has leading or trailing whitespace")
        } else {
            None
        };
        match problem {
            Some(p) => Err(BridgeError::new(
                ErrorCode::InvalidResult,
                format!("The host returned a {what} that {p}; it cannot be used. Ask again, and report the host version if it persists."),
            )),
            None => Ok(Token(raw.to_owned())),
        }
    }

    /// The secret value, for the request body and nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(<redacted, {} bytes>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_tokens() {
        let t = Token::parse("abc.DEF-123_=", "data token");
        assert_eq!(t.map(|t| t.expose().to_owned()), Ok("abc.DEF-123_=".to_owned()));
    }

    #[test]
    fn rejects_empty_long_control_and_padded_tokens_without_echoing_them() {
        let long = "s".repeat(MAX_TOKEN_LEN + 1);
        for bad in ["", "a\nb", "a\u{0}b", " secret", "secret\t", long.as_str()] {
            let err = Token::parse(bad, "data token").err();
            let err = err.unwrap_or_else(|| BridgeError::new(ErrorCode::HostError, "accepted"));
            assert_eq!(err.code(), ErrorCode::InvalidResult, "{bad:?}");
            assert!(bad.trim().is_empty() || !err.message().contains(bad.trim()));
        }
    }

    #[test]
    fn debug_is_redacted() {
        let t = Token::parse("super-secret-token", "data token").ok();
        let shown = format!("{t:?}");
        assert!(!shown.contains("super-secret"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
