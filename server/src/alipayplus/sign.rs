//! Alipay+ message signatures: pure functions, no I/O.
//!
//! Documented (Alipay+ / Antom "Sign a request and verify the signature", and the mini
//! program server API pages): the content to sign is
//! `"<HTTP-Method> <HTTP-URI>\n<Client-Id>.<Request-Time>.<Request-Body>"`; the signature is
//! SHA256withRSA (PKCS#1 v1.5) with a 2048-bit key, base64-encoded, then URL-encoded, and
//! sent as `Signature: algorithm=RSA256, keyVersion=<n>, signature=<value>`. A response is
//! signed the same way with the platform's key over the same method and URI, the
//! response's `Client-Id`, its `Response-Time` and the response body.
//!
//! Assumed (not spelled out by the pages we have): the URL-encoding is Java's
//! `URLEncoder.encode(value, "UTF-8")`, which for base64 text means `+`, `/` and `=` become
//! `%2B`, `%2F` and `%3D` (what the public SDK samples do); header keys are matched without
//! regard to case and may be separated by `,` with optional spaces; the URI is the path as
//! sent, with its query string if there is one.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::sha2::Sha256;
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use std::fmt;

/// The only algorithm name this module signs with and accepts (case-insensitively).
pub const ALGORITHM: &str = "RSA256";
/// Smallest RSA modulus accepted for either key (the platform requires 2048 bits).
pub const MIN_KEY_BITS: usize = 2048;
/// Largest RSA modulus accepted (bounds the work a hostile key could cause).
pub const MAX_KEY_BITS: usize = 4096;
/// Longest `Signature` header value accepted (a 4096-bit signature is about 700 bytes).
pub const MAX_SIGNATURE_HEADER: usize = 2048;

/// Why signing or verifying failed. Never carries key material or signed content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignError {
    /// The PEM is not an RSA private key (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`).
    BadPrivateKey,
    /// The PEM is not an RSA public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`).
    BadPublicKey,
    /// The key's modulus is outside [`MIN_KEY_BITS`]..=[`MAX_KEY_BITS`].
    KeySize(usize),
    /// The key could not sign (should not happen with a valid key).
    SigningFailed,
    /// The `Signature` header is absent.
    MissingHeader,
    /// The `Signature` header is not `algorithm=..., keyVersion=..., signature=...`.
    MalformedHeader(&'static str),
    /// The header names an algorithm other than `RSA256`.
    UnsupportedAlgorithm,
    /// The header's `keyVersion` is not the one configured.
    KeyVersionMismatch,
    /// The signature does not verify under the key for this content.
    Mismatch,
}

impl SignError {
    /// What to check, in words (no secrets).
    pub fn describe(&self) -> String {
        match self {
            SignError::BadPrivateKey => {
                "the private key is not an RSA key in PEM (PKCS#8 \"PRIVATE KEY\" or PKCS#1 \"RSA PRIVATE KEY\")".into()
            }
            SignError::BadPublicKey => {
                "the public key is not an RSA key in PEM (\"PUBLIC KEY\" or \"RSA PUBLIC KEY\")".into()
            }
            SignError::KeySize(bits) => {
                format!("the RSA key has {bits} bits; Alipay+ keys are {MIN_KEY_BITS} bits (at most {MAX_KEY_BITS} accepted)")
            }
            SignError::SigningFailed => "the private key could not produce a signature".into(),
            SignError::MissingHeader => "the Signature header is missing".into(),
            SignError::MalformedHeader(why) => format!("the Signature header is malformed: {why}"),
            SignError::UnsupportedAlgorithm => format!("the Signature header's algorithm is not {ALGORITHM}"),
            SignError::KeyVersionMismatch => "the Signature header's keyVersion is not the configured one".into(),
            SignError::Mismatch => "the signature does not match the message under the configured key".into(),
        }
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for SignError {}

/// The bytes that are signed: `"<METHOD> <URI>\n<Client-Id>.<Time>.<body>"`.
///
/// `time` is the `Request-Time` header for a request and `Response-Time` for a response;
/// `body` is the exact body sent or received (byte for byte: re-serialising JSON would
/// change what was signed).
pub fn content_to_sign(method: &str, uri: &str, client_id: &str, time: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(method.len() + uri.len() + client_id.len() + time.len() + body.len() + 4);
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(uri.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(client_id.as_bytes());
    out.push(b'.');
    out.extend_from_slice(time.as_bytes());
    out.push(b'.');
    out.extend_from_slice(body);
    out
}

/// Signs with an RSA private key (the merchant's for requests, the platform's in the
/// simulator for responses). `Debug` never shows the key.
pub struct RsaSigner {
    key: PrivateKey,
    key_version: String,
}

impl fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaSigner").field("key", &"<redacted>").field("key_version", &self.key_version).finish()
    }
}

impl RsaSigner {
    /// Reads a PEM private key (PKCS#8 or PKCS#1) of 2048 to 4096 bits.
    pub fn from_pem(pem: &str, key_version: impl Into<String>) -> Result<Self, SignError> {
        let pem = pem.trim();
        let key = PrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| PrivateKey::from_pkcs1_pem(pem))
            .map_err(|_| SignError::BadPrivateKey)?;
        check_bits(key.size() * 8)?;
        Ok(RsaSigner { key, key_version: key_version.into() })
    }

    /// Wraps a key already in memory (tests, the simulator).
    pub fn from_key(key: PrivateKey, key_version: impl Into<String>) -> Result<Self, SignError> {
        check_bits(key.size() * 8)?;
        Ok(RsaSigner { key, key_version: key_version.into() })
    }

    /// The key version put in the header.
    pub fn key_version(&self) -> &str {
        &self.key_version
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        self.key.to_public_key()
    }

    /// The raw signature bytes (PKCS#1 v1.5, SHA-256) over `content`.
    pub fn sign_raw(&self, content: &[u8]) -> Result<Vec<u8>, SignError> {
        self.key.pkcs1v15_sign::<Sha256>(content).map_err(|_| SignError::SigningFailed)
    }

    /// The complete `Signature` header value for one message.
    pub fn signature_header(
        &self,
        method: &str,
        uri: &str,
        client_id: &str,
        time: &str,
        body: &[u8],
    ) -> Result<String, SignError> {
        let raw = self.sign_raw(&content_to_sign(method, uri, client_id, time, body))?;
        Ok(format_signature_header(&self.key_version, &raw))
    }
}

/// Verifies with an RSA public key (the platform's for responses; the merchant's in the
/// simulator for requests).
#[derive(Clone, Debug)]
pub struct RsaVerifier {
    key: PublicKey,
    key_version: Option<String>,
}

impl RsaVerifier {
    /// Reads a PEM public key (SPKI or PKCS#1). With `key_version` set, a header naming
    /// another version is refused; without it, any version is accepted.
    pub fn from_pem(pem: &str, key_version: Option<String>) -> Result<Self, SignError> {
        let pem = pem.trim();
        let key = PublicKey::from_public_key_pem(pem)
            .or_else(|_| PublicKey::from_pkcs1_pem(pem))
            .map_err(|_| SignError::BadPublicKey)?;
        Self::from_key(key, key_version)
    }

    /// Wraps a key already in memory.
    pub fn from_key(key: PublicKey, key_version: Option<String>) -> Result<Self, SignError> {
        check_bits(key.size() * 8)?;
        Ok(RsaVerifier { key, key_version })
    }

    /// Checks a `Signature` header value against the message it came with.
    pub fn verify_header(
        &self,
        header: Option<&str>,
        method: &str,
        uri: &str,
        client_id: &str,
        time: &str,
        body: &[u8],
    ) -> Result<(), SignError> {
        let parsed = SignatureHeader::parse(header.ok_or(SignError::MissingHeader)?)?;
        if let (Some(want), Some(got)) = (&self.key_version, &parsed.key_version) {
            if want != got {
                return Err(SignError::KeyVersionMismatch);
            }
        }
        self.verify_raw(&content_to_sign(method, uri, client_id, time, body), &parsed.signature)
    }

    /// Checks raw signature bytes over `content`.
    pub fn verify_raw(&self, content: &[u8], signature: &[u8]) -> Result<(), SignError> {
        if signature.len() != self.key.size() {
            return Err(SignError::Mismatch);
        }
        self.key.pkcs1v15_verify::<Sha256>(content, signature).map_err(|_| SignError::Mismatch)
    }
}

fn check_bits(bits: usize) -> Result<(), SignError> {
    if (MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
        Ok(())
    } else {
        Err(SignError::KeySize(bits))
    }
}

/// `algorithm=RSA256, keyVersion=<v>, signature=<URL-encoded base64>`.
pub fn format_signature_header(key_version: &str, raw_signature: &[u8]) -> String {
    let b64 = STANDARD.encode(raw_signature);
    format!("algorithm={ALGORITHM}, keyVersion={key_version}, signature={}", url_encode(&b64))
}

/// Java `URLEncoder` semantics for base64 text: everything but ASCII letters and digits
/// is `%XY` (upper-case hex).
pub fn url_encode(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

/// A parsed `Signature` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHeader {
    /// The `keyVersion` field, when present.
    pub key_version: Option<String>,
    /// The decoded signature bytes.
    pub signature: Vec<u8>,
    /// Whether the `signature` value was sent URL-encoded as documented (no raw `+`, `/`
    /// or `=`): the simulator insists on it, a client reading responses does not.
    pub url_encoded: bool,
}

impl SignatureHeader {
    /// Parses `algorithm=RSA256, keyVersion=1, signature=...` (keys in any case, in any
    /// order, each at most once). `algorithm` is required and must be `RSA256`.
    pub fn parse(value: &str) -> Result<Self, SignError> {
        if value.len() > MAX_SIGNATURE_HEADER {
            return Err(SignError::MalformedHeader("longer than 2048 bytes"));
        }
        let (mut algorithm, mut key_version, mut signature) = (None, None, None);
        for part in value.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (k, v) = part.split_once('=').ok_or(SignError::MalformedHeader("a field has no '='"))?;
            let slot = match k.trim().to_ascii_lowercase().as_str() {
                "algorithm" => &mut algorithm,
                "keyversion" => &mut key_version,
                "signature" => &mut signature,
                _ => {
                    return Err(SignError::MalformedHeader("unknown field (expected algorithm, keyVersion, signature)"))
                }
            };
            if slot.replace(v.trim()).is_some() {
                return Err(SignError::MalformedHeader("a field appears twice"));
            }
        }
        let algorithm = algorithm.ok_or(SignError::MalformedHeader("no algorithm field"))?;
        if !algorithm.eq_ignore_ascii_case(ALGORITHM) {
            return Err(SignError::UnsupportedAlgorithm);
        }
        let encoded = signature.ok_or(SignError::MalformedHeader("no signature field"))?;
        let url_encoded = !encoded.contains(['+', '/', '=']);
        let decoded = percent_decode_str(encoded)
            .decode_utf8()
            .map_err(|_| SignError::MalformedHeader("the signature is not valid URL-encoded text"))?;
        let signature = STANDARD
            .decode(decoded.as_bytes())
            .map_err(|_| SignError::MalformedHeader("the signature is not base64 after URL-decoding"))?;
        if signature.is_empty() {
            return Err(SignError::MalformedHeader("the signature is empty"));
        }
        Ok(SignatureHeader { key_version: key_version.map(str::to_owned), signature, url_encoded })
    }
}
