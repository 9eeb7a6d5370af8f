//! Decryption of `userData`: base64url of an RSA PKCS#1 v1.5 ciphertext under the public
//! key the merchant uploaded (documented on the getOpenData page; the padding and the
//! base64url alphabet are confirmed by the public sample, which calls
//! `private_key.decrypt(base64.urlsafe_b64decode(userData), padding.PKCS1v15())`).
//!
//! The plaintext format is not documented. This module accepts a JSON object (kept typed
//! as a map) or any other non-empty UTF-8 text (kept as a bare string), and always keeps
//! the raw text. Both are [`Secret`]s: decrypted personal data never reaches a log.
//! [`OpenData::get`] hands out a value only when it has its kind's shape (see [`super::shape`]):
//! that check is what refuses the synthetic message implicit rejection produces.
//!
//! Timing: `rsa` 0.10 decrypts with blinding (operating-system RNG) and implicit rejection
//! (a ciphertext with bad padding decrypts to a deterministic synthetic message instead of
//! failing early), which is its mitigation for Bleichenbacher/Marvin-style attacks; the
//! crate still documents itself as not fully constant-time. See SECURITY.md.

pub use super::shape::OpenDataKind;
use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::PrivateKey;

/// Largest `userData` accepted, in base64 characters (a 4096-bit ciphertext is 683).
pub const MAX_USER_DATA_CHARS: usize = 2048;

/// What `userData` decrypted to.
#[derive(Clone, Debug)]
pub enum OpenDataValue {
    /// A JSON object, e.g. `{"openId": "..."}` (field names are the platform's).
    Object(Secret<String>),
    /// Plain text, e.g. the open id, phone number or email itself.
    Text(Secret<String>),
}

/// Decrypted open data: the typed value and the raw plaintext.
#[derive(Clone, Debug)]
pub struct OpenData {
    /// The plaintext read as a JSON object or as bare text.
    pub value: OpenDataValue,
    /// The plaintext exactly as decrypted (UTF-8).
    pub raw: Secret<String>,
}

impl OpenData {
    /// The value of `kind`: the bare text, or the first string field of the object among
    /// the kind's names; refused with `DECRYPT_FAILED` unless it has the kind's shape (a
    /// wrong key's synthetic message, or a token of another kind, never passes).
    pub fn get(&self, kind: OpenDataKind) -> Result<Secret<String>> {
        let value = match &self.value {
            OpenDataValue::Text(t) => Some(t.clone()),
            OpenDataValue::Object(raw) => serde_json::from_str::<serde_json::Value>(raw.expose()).ok().and_then(|v| {
                kind.field_names()
                    .iter()
                    .find_map(|n| v.get(*n).and_then(|x| x.as_str()).map(|s| Secret::new(s.to_owned())))
            }),
        };
        value.filter(|v| kind.accepts(v.expose())).ok_or_else(|| {
            Error::new(
                ErrorCode::DecryptFailed,
                format!(
                    "userData did not decrypt to {} under the merchant's private key; check that the uploaded public key matches MPCB_BINANCE_PRIVATE_KEY_FILE and that the token came from the matching bn.* call",
                    kind.name()
                ),
            )
        })
    }
}

/// The merchant's RSA private key (PKCS#1 or PKCS#8 PEM). The key material is zeroized
/// on drop by `rsa`; `Debug` shows only the modulus size.
pub struct MerchantKey(PrivateKey);

impl std::fmt::Debug for MerchantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MerchantKey(RSA-{}, <redacted>)", self.0.size() * 8)
    }
}

impl MerchantKey {
    /// Reads a PEM private key: `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1) or
    /// `-----BEGIN PRIVATE KEY-----` (PKCS#8, unencrypted). At least 2048 bits.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let key = if pem.contains("BEGIN RSA PRIVATE KEY") {
            PrivateKey::from_pkcs1_pem(pem).ok()
        } else if pem.contains("BEGIN PRIVATE KEY") {
            PrivateKey::from_pkcs8_pem(pem).ok()
        } else {
            None
        };
        let key = key.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidConfig,
                "the RSA private key is not a PEM PKCS#1 (BEGIN RSA PRIVATE KEY) or unencrypted PKCS#8 (BEGIN PRIVATE KEY) key",
            )
        })?;
        if key.size() < 256 {
            return Err(Error::new(ErrorCode::InvalidConfig, "the RSA private key must be at least 2048 bits"));
        }
        Ok(MerchantKey(key))
    }

    /// Wraps a key already in memory.
    pub fn from_key(key: PrivateKey) -> Self {
        MerchantKey(key)
    }

    /// The public half (what the merchant uploads to the platform).
    pub fn public_key(&self) -> rsa::PublicKey {
        self.0.to_public_key()
    }

    /// Decrypts `userData` and reads the plaintext.
    pub fn decrypt_user_data(&self, user_data: &str) -> Result<OpenData> {
        let fail = |m: &str| Error::new(ErrorCode::DecryptFailed, m.to_owned());
        if user_data.len() > MAX_USER_DATA_CHARS {
            return Err(fail("userData is longer than any RSA ciphertext this server accepts"));
        }
        let trimmed = user_data.trim();
        let ciphertext = URL_SAFE
            .decode(trimmed)
            .or_else(|_| URL_SAFE_NO_PAD.decode(trimmed))
            .map_err(|_| fail("userData is not base64url; the platform's answer is malformed"))?;
        if ciphertext.len() != self.0.size() {
            return Err(fail(
                "userData is not a ciphertext for this key's size; check that the uploaded public key matches MPCB_BINANCE_PRIVATE_KEY_FILE",
            ));
        }
        // One message for every failure after the private-key operation (padding, UTF-8,
        // readable text), so an answer never tells which step refused: no padding oracle.
        // With implicit rejection a wrong key yields random bytes, refused here.
        const UNREADABLE: &str = "userData did not decrypt to readable text under the merchant's private key; check that the uploaded public key matches MPCB_BINANCE_PRIVATE_KEY_FILE";
        let plain = Secret::new(self.0.pkcs1v15_decrypt(&ciphertext).map_err(|_| fail(UNREADABLE))?);
        let text = std::str::from_utf8(plain.expose()).map_err(|_| fail(UNREADABLE))?;
        if text.is_empty() || text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(fail(UNREADABLE));
        }
        let raw = Secret::new(text.to_owned());
        let value = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(_)) => OpenDataValue::Object(raw.clone()),
            _ => OpenDataValue::Text(raw.clone()),
        };
        Ok(OpenData { value, raw })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};

    pub(crate) fn key(seed: u64) -> PrivateKey {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        PrivateKey::new(&mut rng, 2048).unwrap_or_else(|e| panic!("keygen: {e}"))
    }

    fn encrypt(key: &PrivateKey, plain: &[u8]) -> String {
        let ct = key.to_public_key().pkcs1v15_encrypt(plain).unwrap_or_else(|e| panic!("encrypt: {e}"));
        URL_SAFE_NO_PAD.encode(ct)
    }

    #[test]
    fn round_trips_object_and_text_with_both_pem_formats() -> Result<(), Box<dyn std::error::Error>> {
        let k = key(1);
        let pkcs1 = k.to_pkcs1_pem(LineEnding::LF)?;
        let pkcs8 = k.to_pkcs8_pem(LineEnding::LF)?;
        for pem in [pkcs1.as_str(), pkcs8.as_str()] {
            let mk = MerchantKey::from_pem(pem)?;
            let obj = mk.decrypt_user_data(&encrypt(&k, br#"{"openId":"oid-12345"}"#))?;
            assert!(matches!(obj.value, OpenDataValue::Object(_)));
            assert_eq!(obj.get(OpenDataKind::OpenId)?.expose(), "oid-12345");
            let text = mk.decrypt_user_data(&encrypt(&k, "+971 50 123 4567".as_bytes()))?;
            assert_eq!(text.raw.expose(), "+971 50 123 4567");
            assert_eq!(text.get(OpenDataKind::PhoneNumber)?.expose(), "+971 50 123 4567");
            let refused = text.get(OpenDataKind::OpenId).err().map(|e| e.code());
            assert_eq!(refused, Some(ErrorCode::DecryptFailed), "a phone number is never an open id");
            assert!(!format!("{text:?}").contains("4567"), "decrypted data must not print");
        }
        Ok(())
    }

    #[test]
    fn bad_inputs_are_typed_errors() -> Result<(), Box<dyn std::error::Error>> {
        let k = key(2);
        let mk = MerchantKey::from_key(k.clone());
        let code = |r: Result<OpenData>| r.err().map(|e| e.code());
        assert_eq!(code(mk.decrypt_user_data("***not base64***")), Some(ErrorCode::DecryptFailed));
        assert_eq!(code(mk.decrypt_user_data(&URL_SAFE_NO_PAD.encode([1u8; 16]))), Some(ErrorCode::DecryptFailed));
        assert_eq!(code(mk.decrypt_user_data(&"A".repeat(MAX_USER_DATA_CHARS + 1))), Some(ErrorCode::DecryptFailed));
        // Encrypted for another key pair: implicit rejection gives garbage, refused.
        let other = key(3);
        assert_eq!(code(mk.decrypt_user_data(&encrypt(&other, br#"{"openId":"o"}"#))), Some(ErrorCode::DecryptFailed));
        // Not UTF-8.
        assert_eq!(code(mk.decrypt_user_data(&encrypt(&k, &[0xff, 0xfe, 0x00]))), Some(ErrorCode::DecryptFailed));
        for bad in ["", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"] {
            assert_eq!(MerchantKey::from_pem(bad).err().map(|e| e.code()), Some(ErrorCode::InvalidConfig));
        }
        let small = PrivateKey::new(&mut rand_chacha::ChaCha8Rng::seed_from_u64(4), 1024)?;
        let pem = small.to_pkcs8_pem(LineEnding::LF)?;
        assert_eq!(MerchantKey::from_pem(&pem).err().map(|e| e.code()), Some(ErrorCode::InvalidConfig));
        Ok(())
    }

    /// Implicit rejection: a ciphertext under another key (or corrupted) decrypts to a
    /// synthetic message instead of failing; none may pass as a value of any kind.
    #[test]
    fn foreign_ciphertexts_never_yield_a_value() -> Result<(), Box<dyn std::error::Error>> {
        use rand_chacha::rand_core::Rng;
        let mk = MerchantKey::from_key(key(5));
        let other = key(6).to_public_key();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let kinds = [OpenDataKind::OpenId, OpenDataKind::PhoneNumber, OpenDataKind::Email];
        let mut decrypted = 0;
        for i in 0..2_000u32 {
            // Short plaintexts under the wrong key, and random "ciphertexts".
            let ct = if i % 2 == 0 {
                other.pkcs1v15_encrypt(format!("{{\"openId\":\"oid-{i:09}\"}}").as_bytes())?
            } else {
                let mut b = vec![0u8; 256];
                rng.fill_bytes(&mut b);
                b[0] = 0;
                b
            };
            let Ok(data) = mk.decrypt_user_data(&URL_SAFE_NO_PAD.encode(ct)) else { continue };
            decrypted += 1;
            for kind in kinds {
                assert!(data.get(kind).is_err(), "a synthetic message passed as {kind:?}");
            }
        }
        assert!(decrypted > 0, "some synthetic messages get past the text checks: the shape checks are needed");
        Ok(())
    }
}
