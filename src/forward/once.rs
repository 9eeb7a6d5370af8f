//! Exactly-once bookkeeping: one idempotency key per consent, reused on every retry, and a
//! record of consents already forwarded so a token is never sent twice.

use crate::prelude::*;

use crate::error::{BridgeError, ErrorCode};

/// How many forwarded consents are remembered (oldest forgotten first). Tokens expire in
/// minutes to days, so a page never legitimately holds more.
pub const REMEMBERED: usize = 512;

/// A 64-bit FNV-1a fingerprint of a token: the registry never stores the token itself.
pub fn fingerprint(secret: &str) -> u64 {
    secret.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Formats 16 random bytes as a UUID v4, the usual shape of an idempotency key.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    fingerprint: u64,
    key: Option<String>,
    forwarded: bool,
}

/// Per-bridge record of idempotency keys and forwarded tokens.
#[derive(Clone, Debug, Default)]
pub struct OnceRegistry {
    entries: Vec<Entry>,
}

fn refused() -> BridgeError {
    BridgeError::new(
        ErrorCode::TokenAlreadyUsed,
        "This consent was already forwarded successfully; tokens are single use. Ask the user again if you need a new one.",
    )
}

impl OnceRegistry {
    /// The entry for `fp`, moved to the back (most recently used), created if absent;
    /// the oldest entry is evicted to keep the registry bounded.
    fn entry(&mut self, fp: u64) -> Option<&mut Entry> {
        let entry = match self.entries.iter().position(|e| e.fingerprint == fp) {
            Some(i) => self.entries.remove(i),
            None => Entry { fingerprint: fp, key: None, forwarded: false },
        };
        if self.entries.len() >= REMEMBERED {
            self.entries.remove(0);
        }
        self.entries.push(entry);
        self.entries.last_mut()
    }

    /// The idempotency key of a request carrying the tokens `parts` (one request: `bundle`
    /// identifies the set), minted with `mint` the first time and reused on every retry;
    /// `TOKEN_ALREADY_USED` if any of the tokens was already forwarded successfully.
    pub fn key_for(
        &mut self,
        bundle: u64,
        parts: &[u64],
        mint: impl FnOnce() -> String,
    ) -> Result<String, BridgeError> {
        let used = |fp: &u64| self.entries.iter().any(|e| e.fingerprint == *fp && e.forwarded);
        if used(&bundle) || parts.iter().any(used) {
            return Err(refused());
        }
        Ok(match self.entry(bundle) {
            Some(entry) => entry.key.get_or_insert_with(mint).clone(),
            None => mint(),
        })
    }

    /// Records that the request `bundle` carrying `parts` was forwarded successfully.
    pub fn mark_forwarded(&mut self, bundle: u64, parts: &[u64]) {
        for fp in parts.iter().chain([&bundle]) {
            if let Some(entry) = self.entry(*fp) {
                entry.forwarded = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_until_forwarded_then_refused() {
        let mut r = OnceRegistry::default();
        let fp = fingerprint("tok");
        let k1 = r.key_for(fp, &[fp], || "k1".into());
        let k2 = r.key_for(fp, &[fp], || "k2".into());
        assert_eq!(k1, Ok("k1".to_owned()));
        assert_eq!(k2, Ok("k1".to_owned()));
        r.mark_forwarded(fp, &[fp]);
        assert_eq!(r.key_for(fp, &[fp], || "k3".into()).map_err(|e| e.code()), Err(ErrorCode::TokenAlreadyUsed));
        let other = fingerprint("other");
        assert_eq!(r.key_for(other, &[other], || "k4".into()), Ok("k4".to_owned()));
    }

    #[test]
    fn a_token_of_a_forwarded_bundle_is_refused_alone_or_in_another_bundle() {
        let mut r = OnceRegistry::default();
        let (a, b, c) = (fingerprint("A"), fingerprint("B"), fingerprint("C"));
        let ab = fingerprint("A\nB");
        assert!(r.key_for(ab, &[a, b], || "kab".into()).is_ok());
        r.mark_forwarded(ab, &[a, b]);
        assert_eq!(r.key_for(a, &[a], || "ka".into()).map_err(|e| e.code()), Err(ErrorCode::TokenAlreadyUsed));
        let bc = fingerprint("B\nC");
        assert_eq!(r.key_for(bc, &[b, c], || "kbc".into()).map_err(|e| e.code()), Err(ErrorCode::TokenAlreadyUsed));
        assert!(r.key_for(c, &[c], || "kc".into()).is_ok());
    }

    #[test]
    fn registry_is_bounded() {
        let mut r = OnceRegistry::default();
        for i in 0..(REMEMBERED as u64 + 10) {
            let _ = r.key_for(i, &[i], || i.to_string());
        }
        assert_eq!(r.entries.len(), REMEMBERED);
    }

    #[test]
    fn uuid_shape() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert!(matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }
}
