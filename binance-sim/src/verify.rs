//! Verifies `X-Mp-Open-Api-Token` exactly as the platform describes it, from the request
//! as received: the canonical request is rebuilt from the raw method, path, query and
//! body (independently of the server crate's signer, so a bug there shows up here), then
//! the JWT must be HS256 under the secret key with `iss` = the access key, `dig` = the
//! digest, and `ts` within the freshness window of the simulator's clock.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Seconds a `ts` may differ from the simulator's clock (assumed: the platform does not
/// document its window).
pub const TS_WINDOW_SECS: u64 = 300;

#[derive(Deserialize)]
struct Claims {
    iss: String,
    dig: String,
    ts: u64,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 3986 encoding with the unreserved set kept, upper-case `%XY` otherwise.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn decode(s: &str) -> Option<String> {
    percent_decode_str(s).decode_utf8().ok().map(|c| c.into_owned())
}

/// The canonical request of a received request (raw path and query as on the wire).
pub fn canonical(method: &str, raw_path: &str, raw_query: Option<&str>, body: &[u8]) -> Option<String> {
    let mut stack: Vec<String> = Vec::new();
    for seg in raw_path.split('/').filter(|s| !s.is_empty()) {
        let seg = decode(seg)?;
        match seg.as_str() {
            "." => {}
            ".." => {
                stack.pop();
            }
            _ => stack.push(seg),
        }
    }
    let mut uri = String::from("/");
    for seg in &stack {
        uri.push_str(&encode(seg));
        uri.push('/');
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for pair in raw_query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.push((encode(&decode(k)?), encode(&decode(v)?)));
    }
    pairs.sort();
    let query = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    Some(format!("{method}\n{uri}\n{query}\n{}", hex(&Sha256::digest(body))))
}

/// Why a token was refused (shown in the simulator's answer message; never the secret).
pub fn verify(
    token: Option<&str>,
    access_key: &str,
    secret_key: &str,
    canonical_request: &str,
    now_secs: u64,
) -> Result<(), &'static str> {
    let token = token.ok_or("missing X-Mp-Open-Api-Token header")?;
    let mut v = Validation::new(Algorithm::HS256);
    v.required_spec_claims.clear();
    v.validate_exp = false;
    v.validate_nbf = false;
    let data = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(secret_key.as_bytes()), &v)
        .map_err(|_| "JWT signature or format invalid")?;
    if data.claims.iss != access_key {
        return Err("iss is not a known access key");
    }
    if data.claims.ts.abs_diff(now_secs) > TS_WINDOW_SECS {
        return Err("ts is outside the freshness window (check the server clock)");
    }
    if data.claims.dig != hex(&Sha256::digest(canonical_request.as_bytes())) {
        return Err("dig does not match the canonical request");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_request_from_the_wire() {
        let cr = canonical("GET", "/mp-api/v1/apps/app1/user-open-data", Some("openData=tok"), b"");
        assert_eq!(
            cr.as_deref(),
            Some("GET\n/mp-api/v1/apps/app1/user-open-data/\nopenData=tok\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        // Received encoded (any case), re-encoded canonically and sorted.
        let cr = canonical("GET", "/a/%7e/./b/", Some("z=1&a=%c3%a9%20&A=%2a"), b"");
        assert_eq!(
            cr.as_deref().map(|s| s.lines().take(3).collect::<Vec<_>>().join("|")).as_deref(),
            Some("GET|/a/~/b/|A=%2A&a=%C3%A9%20&z=1")
        );
        assert_eq!(canonical("GET", "/%ff", None, b""), None, "not UTF-8");
    }

    #[test]
    fn verify_refuses_each_wrong_part() {
        use jsonwebtoken::{EncodingKey, Header};
        let cr = "GET\n/\n\nx";
        let dig = hex(&Sha256::digest(cr.as_bytes()));
        let make = |iss: &str, dig: &str, ts: u64, key: &[u8]| {
            jsonwebtoken::encode(
                &Header::default(),
                &serde_json::json!({"iss": iss, "dig": dig, "ts": ts}),
                &EncodingKey::from_secret(key),
            )
            .unwrap_or_default()
        };
        assert_eq!(verify(Some(&make("ak", &dig, 1000, b"sk")), "ak", "sk", cr, 1000), Ok(()));
        assert!(verify(None, "ak", "sk", cr, 1000).is_err());
        assert!(verify(Some(&make("ak", &dig, 1000, b"other")), "ak", "sk", cr, 1000).is_err());
        assert!(verify(Some(&make("x", &dig, 1000, b"sk")), "ak", "sk", cr, 1000).is_err());
        assert!(verify(Some(&make("ak", "00", 1000, b"sk")), "ak", "sk", cr, 1000).is_err());
        assert!(verify(Some(&make("ak", &dig, 1000, b"sk")), "ak", "sk", cr, 1000 + TS_WINDOW_SECS + 1).is_err());
    }
}
