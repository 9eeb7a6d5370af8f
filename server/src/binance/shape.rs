//! What a decrypted value of each kind must look like before it is handed out.
//!
//! Why: `rsa` 0.10 decrypts PKCS#1 v1.5 with implicit rejection. A ciphertext under
//! another key, or a corrupted one, does not fail: it decrypts to a deterministic
//! pseudo-random "synthetic" message, and the crate's documentation says "The enclosing
//! protocol must authenticate the returned message". Binance's `userData` carries no MAC,
//! so the only authentication available is the value's own shape: a random message of
//! random length is refused here with `DECRYPT_FAILED` (short synthetic messages made of
//! letters would otherwise pass as an open id). The same checks stop a phone-number token
//! forwarded to the open-id route from answering the raw number as an open id.
//!
//! The shapes are assumptions: Binance documents neither the open id's alphabet nor the
//! plaintext format. Open id: 8 to 128 characters of `A-Z a-z 0-9 _ -` with at least one
//! letter (the simulator's are `oid-` and 9 random characters; WeChat's are 28 such
//! characters). Phone: an optional `+`, digits, spaces, `-`, `(`, `)`, with 6 to 15 digits
//! (E.164's maximum is 15). Email: at most 254 bytes, one `@`, a local part of 1 to 64
//! printable ASCII characters, a dotted domain of letters, digits and `-`.

/// The kinds of open data a data token can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenDataKind {
    /// `bn.getUserOpenId`.
    OpenId,
    /// `bn.getPhoneNumber`.
    PhoneNumber,
    /// `bn.getEmailAddress`.
    Email,
}

impl OpenDataKind {
    /// The JSON field names the value may come under when the plaintext is an object.
    pub fn field_names(self) -> &'static [&'static str] {
        match self {
            OpenDataKind::OpenId => &["openId", "openid", "open_id"],
            OpenDataKind::PhoneNumber => &["phoneNumber", "phone", "purePhoneNumber", "mobile"],
            OpenDataKind::Email => &["email", "emailAddress"],
        }
    }

    /// The kind's name in messages (never the value).
    pub fn name(self) -> &'static str {
        match self {
            OpenDataKind::OpenId => "an open id",
            OpenDataKind::PhoneNumber => "a phone number",
            OpenDataKind::Email => "an email address",
        }
    }

    /// Whether `value` has this kind's shape.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            OpenDataKind::OpenId => is_open_id(value),
            OpenDataKind::PhoneNumber => is_phone(value),
            OpenDataKind::Email => is_email(value),
        }
    }
}

fn is_open_id(v: &str) -> bool {
    (8..=128).contains(&v.len())
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && v.bytes().any(|b| b.is_ascii_alphabetic())
}

fn is_phone(v: &str) -> bool {
    let body = v.strip_prefix('+').unwrap_or(v);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    v.len() <= 24
        && (6..=15).contains(&digits)
        && body.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'(')
        && body.bytes().all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'(' | b')'))
}

fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else { return false };
    let labels: Vec<&str> = domain.split('.').collect();
    v.len() <= 254
        && (1..=64).contains(&local.len())
        && local.bytes().all(|b| b.is_ascii_graphic() && b != b'@')
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::OpenDataKind::*;

    #[test]
    fn shapes() {
        for ok in ["oid-abcdefghi", "oABCD1234_efgh-ij", "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"] {
            assert!(OpenId.accepts(ok), "{ok}");
        }
        for bad in ["", "a7", "oid", "+971501234567", "971501234567", "a@b.co", "oid abcdefgh", "é-abcdefgh"] {
            assert!(!OpenId.accepts(bad), "{bad}");
        }
        for ok in ["+971501234567", "+971 50 123 4567", "(050) 123-4567", "13800138000"] {
            assert!(PhoneNumber.accepts(ok), "{ok}");
        }
        for bad in ["", "+", "12345", "+1234567890123456", "call 12345678", "--12345678", "1234567a"] {
            assert!(!PhoneNumber.accepts(bad), "{bad}");
        }
        for ok in ["alice@example.com", "a.b+c@mail.example.co.uk"] {
            assert!(Email.accepts(ok), "{ok}");
        }
        for bad in ["", "alice", "@example.com", "a@b", "a@@b.com", "a b@c.com", "a@-b.com", "a@b..com"] {
            assert!(!Email.accepts(bad), "{bad}");
        }
    }
}
