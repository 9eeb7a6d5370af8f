//! A newtype for secrets: access keys, secret keys, tokens, decrypted personal data.
//!
//! `Debug` prints `Secret(<redacted>)`, there is no `Display`, and the value is zeroized
//! when dropped, so a secret cannot reach a log line by formatting and does not linger in
//! freed memory longer than its owner.

use zeroize::Zeroize;

/// A value that must never be printed. Read it with [`Secret::expose`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The value itself; the call site is where a secret leaves its wrapper, so keep it
    /// next to the use (a header, a signature) and never near a log or error message.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret<String> {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl From<Vec<u8>> for Secret<Vec<u8>> {
    fn from(value: Vec<u8>) -> Self {
        Secret(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::from("sk-live-123");
        let shown = format!("{s:?} {:?}", Some(&s));
        assert!(!shown.contains("sk-live-123"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert_eq!(s.expose(), "sk-live-123");
    }
}
