//! A newtype for secrets: access keys, secret keys, tokens, decrypted personal data.
//!
//! `Debug` prints `Secret(<redacted>)`, there is no `Display`, and the value is zeroized
//! when dropped, so a secret cannot reach a log line by formatting and does not linger in
//! freed memory longer than its owner.

use zeroize::Zeroize;

/// Replaces every appearance of `secret` in a platform message with `mask`: as is, and in
/// the forms a platform may echo a request parameter in — percent-encoded (upper- and
/// lower-case hex, every non-unreserved byte, as the clients send query values) and
/// form-encoded (spaces as `+`). An empty secret changes nothing.
pub fn scrub(message: &str, secret: &str, mask: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    if secret.is_empty() {
        return message.to_owned();
    }
    const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    let encoded = utf8_percent_encode(secret, UNRESERVED).to_string();
    let mut forms = vec![
        secret.to_owned(),
        encoded.clone(),
        lower_hex_escapes(&encoded),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
    ];
    // Longest first, so a form that contains another is replaced whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms.iter().fold(message.to_owned(), |m, f| m.replace(f.as_str(), mask))
}

/// `%2F` → `%2f` in a percent-encoded string.
fn lower_hex_escapes(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut after_percent = 0;
    for c in encoded.chars() {
        if c == '%' {
            after_percent = 2;
            out.push(c);
        } else if after_percent > 0 {
            after_percent -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

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

#[cfg(test)]
mod scrub_tests {
    use super::scrub;

    #[test]
    fn every_echoed_form_of_a_token_is_masked() {
        let token = "dt+Secret/Token== x";
        for echoed in [
            "dt+Secret/Token== x",
            "dt%2BSecret%2FToken%3D%3D%20x",
            "dt%2bSecret%2fToken%3d%3d%20x",
            "dt%2BSecret%2FToken%3D%3D+x",
        ] {
            let m = scrub(&format!("invalid openData {echoed}!"), token, "<token>");
            assert_eq!(m, "invalid openData <token>!", "{echoed}");
        }
        assert_eq!(scrub("nothing here", "", "<token>"), "nothing here");
    }
}
