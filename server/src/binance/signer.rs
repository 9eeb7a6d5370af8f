//! The request signer: canonical request + JWT, as pure functions.
//!
//! Source of each rule:
//! - canonical request, URI, query and body hash: documented (Binance, "Description of
//!   External Interface Signature Authentication Algorithm",
//!   <https://developers.binance.com/docs/mini-program/openservice/signature>);
//! - the JWT (HS256 keyed with the secret key, payload `{iss, dig, ts}`): from the one
//!   public sample (binance/binance-mp-demo, a Python script using PyJWT). The official
//!   page's JWT section was not available to us, so the claim names and the seconds
//!   resolution of `ts` come from that sample only.

use crate::error::{Error, ErrorCode, Result};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The header that carries the JWT on every Open Service call.
pub const TOKEN_HEADER: &str = "X-Mp-Open-Api-Token";

/// The JWT payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The access key.
    pub iss: String,
    /// `hex(sha256(CanonicalRequest))`.
    pub dig: String,
    /// Unix seconds when the request was signed.
    pub ts: u64,
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// `hex(sha256(data))`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// URI-encodes `s` as the signature rules say: the unreserved characters `A-Z a-z 0-9
/// - _ . ~` are kept, every other UTF-8 byte becomes `%XY` with upper-case hex.
pub fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The canonical URI of an absolute path given unencoded (`/mp-api/v1/apps/{appId}/...`):
/// dot segments removed (RFC 3986 §5.2.4), each segment encoded, a `/` appended when it
/// does not end in one; `/` for an empty path.
pub fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').collect();
    let last = parts.len().saturating_sub(1);
    for (i, seg) in parts.iter().enumerate() {
        match *seg {
            "." => {}
            ".." => {
                segments.pop();
            }
            "" if i != 0 && i != last => {} // `//` collapses
            "" => {}
            s => segments.push(s),
        }
    }
    let mut out = String::from("/");
    for seg in segments {
        out.push_str(&uri_encode(seg));
        out.push('/');
    }
    out
}

/// The canonical query string of unencoded `(name, value)` pairs: each encoded, sorted by
/// encoded name (then value, so duplicates are stable), `name=value` joined with `&`;
/// empty for no pairs.
pub fn canonical_query(pairs: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = pairs.iter().map(|(k, v)| (uri_encode(k), uri_encode(v))).collect();
    encoded.sort();
    encoded.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// `METHOD\nCanonicalURI\nCanonicalQueryString\nhex(sha256(body))`.
pub fn canonical_request(method: &str, path: &str, query: &[(&str, &str)], body: &[u8]) -> String {
    format!("{method}\n{}\n{}\n{}", canonical_uri(path), canonical_query(query), sha256_hex(body))
}

/// Signs a canonical request: an HS256 JWT keyed with the secret key over
/// `{"iss": access_key, "dig": hex(sha256(canonical_request)), "ts": ts_secs}`.
pub fn sign(access_key: &str, secret_key: &[u8], canonical_request: &str, ts_secs: u64) -> Result<String> {
    if access_key.is_empty() || secret_key.is_empty() {
        return Err(Error::new(ErrorCode::InvalidConfig, "the Binance access key and secret key must not be empty"));
    }
    let claims = Claims { iss: access_key.to_owned(), dig: sha256_hex(canonical_request.as_bytes()), ts: ts_secs };
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret_key))
        .map_err(|_| Error::new(ErrorCode::InvalidConfig, "could not sign the request with the secret key"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    #[test]
    fn uri_rules_from_the_documentation() {
        assert_eq!(
            canonical_uri("/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd/user-open-data"),
            "/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd/user-open-data/"
        );
        assert_eq!(
            canonical_uri("/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd/message/send/"),
            "/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd/message/send/"
        );
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/a/./b/../c//d"), "/a/c/d/");
        assert_eq!(canonical_uri("/apps/a b/é"), "/apps/a%20b/%C3%A9/");
    }

    #[test]
    fn query_encoding_and_order() {
        assert_eq!(canonical_query(&[]), "");
        assert_eq!(canonical_query(&[("openData", "abc-_.~")]), "openData=abc-_.~");
        assert_eq!(
            canonical_query(&[("z", "1"), ("b", "a+b/c=d&e"), ("a", "é ü"), ("A", "*")]),
            "A=%2A&a=%C3%A9%20%C3%BC&b=a%2Bb%2Fc%3Dd%26e&z=1"
        );
    }

    #[test]
    fn canonical_request_vector_matches_python_hashlib() {
        // The public sample's own construction (Python), for app "app1", token "tok":
        // hashlib.sha256("GET\n/mp-api/v1/apps/app1/user-open-data/\nopenData=tok\n"
        //   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".encode()).hexdigest()
        let cr = canonical_request("GET", "/mp-api/v1/apps/app1/user-open-data", &[("openData", "tok")], b"");
        assert_eq!(
            cr,
            "GET\n/mp-api/v1/apps/app1/user-open-data/\nopenData=tok\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(sha256_hex(cr.as_bytes()), "79de22b8d38626469649190ebf84a98f62a64c4203ad72cea951d487a865ca2c");
        let post = canonical_request("POST", "/mp-api/v1/apps/app1/message/send", &[], br#"{"a":1}"#);
        assert_eq!(post, "POST\n/mp-api/v1/apps/app1/message/send/\n\n015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
    }

    #[test]
    fn jwt_verifies_with_a_standard_decoder() -> Result<(), Box<dyn std::error::Error>> {
        let cr = canonical_request("GET", "/x", &[("openData", "t")], b"");
        let jwt = sign("ak-1", b"sk-1", &cr, 1_700_000_000)?;
        let mut v = Validation::new(Algorithm::HS256);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        let data = jsonwebtoken::decode::<Claims>(&jwt, &DecodingKey::from_secret(b"sk-1"), &v)?;
        assert_eq!(data.claims, Claims { iss: "ak-1".into(), dig: sha256_hex(cr.as_bytes()), ts: 1_700_000_000 });
        assert_eq!(data.header.alg, Algorithm::HS256);
        assert!(jsonwebtoken::decode::<Claims>(&jwt, &DecodingKey::from_secret(b"other"), &v).is_err());
        assert_eq!(sign("", b"k", &cr, 0).err().map(|e| e.code()), Some(ErrorCode::InvalidConfig));
        Ok(())
    }
}
