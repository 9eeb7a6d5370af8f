//! Alipay+ signer and verifier: fixed vectors, the header format, tampering, bad keys, and
//! agreement with an independent SHA256withRSA implementation (the `openssl` command line
//! tool, which scripts/setup installs) in both directions.

use mp_consent_server::alipayplus::sign::{
    content_to_sign, format_signature_header, url_encode, RsaSigner, RsaVerifier, SignError, SignatureHeader,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alipayplus").join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture")
}

fn merchant() -> RsaSigner {
    RsaSigner::from_pem(&read("merchant_private.pem"), "1").expect("merchant key")
}

fn merchant_verifier() -> RsaVerifier {
    RsaVerifier::from_pem(&read("merchant_public.pem"), Some("1".into())).expect("merchant public key")
}

const CLIENT: &str = "TEST_5X00000000000000";
const TIME: &str = "2026-12-02T03:13:38+00:00";
const URI: &str = "/v2/authorizations/applyToken";
const BODY: &str = r#"{"authClientId":"TEST_5X00000000000000","grantType":"AUTHORIZATION_CODE","authCode":"2810111301lGZcM9CjlF91WH00039190xxxx"}"#;

#[test]
fn content_is_method_uri_newline_client_time_body() {
    let c = content_to_sign("POST", URI, CLIENT, TIME, BODY.as_bytes());
    let want = format!("POST {URI}\n{CLIENT}.{TIME}.{BODY}");
    assert_eq!(c, want.as_bytes());
    // Empty body: the trailing dot stays.
    assert_eq!(content_to_sign("POST", "/x", "c", "t", b""), b"POST /x\nc.t.");
}

/// The expected value was computed once with `openssl dgst -sha256 -sign` over the same
/// content (PKCS#1 v1.5 signatures are deterministic).
#[test]
fn fixed_vector_matches_openssl() {
    let header = merchant().signature_header("POST", URI, CLIENT, TIME, BODY.as_bytes()).expect("sign");
    let want_b64 = read("vector1.sig.b64");
    let want = format!("algorithm=RSA256, keyVersion=1, signature={}", url_encode(want_b64.trim()));
    assert_eq!(header, want);
    assert!(header.contains("%2B") && header.contains("%2F") && header.ends_with("%3D%3D"), "{header}");
    merchant_verifier().verify_header(Some(&header), "POST", URI, CLIENT, TIME, BODY.as_bytes()).expect("verifies");
}

#[test]
fn url_encoding_is_java_urlencoder_for_base64() {
    assert_eq!(url_encode("ab+/cd=="), "ab%2B%2Fcd%3D%3D");
    assert_eq!(url_encode("AZaz09"), "AZaz09");
}

#[test]
fn every_part_of_the_message_is_covered() {
    let header = merchant().signature_header("POST", URI, CLIENT, TIME, BODY.as_bytes()).expect("sign");
    let v = merchant_verifier();
    let body2 = BODY.replace("xxxx", "xxxy");
    let cases: [(&str, &str, &str, &str, &[u8]); 5] = [
        ("GET", URI, CLIENT, TIME, BODY.as_bytes()),
        ("POST", "/v1/authorizations/applyToken", CLIENT, TIME, BODY.as_bytes()),
        ("POST", URI, "TEST_5X00000000000001", TIME, BODY.as_bytes()),
        ("POST", URI, CLIENT, "2026-12-02T03:13:39+00:00", BODY.as_bytes()),
        ("POST", URI, CLIENT, TIME, body2.as_bytes()),
    ];
    for (m, u, c, t, b) in cases {
        assert_eq!(v.verify_header(Some(&header), m, u, c, t, b), Err(SignError::Mismatch), "{m} {u} {c} {t}");
    }
}

#[test]
fn wrong_key_missing_and_malformed_headers_are_errors() {
    let header = merchant().signature_header("POST", URI, CLIENT, TIME, BODY.as_bytes()).expect("sign");
    let platform = RsaVerifier::from_pem(&read("platform_public.pem"), None).expect("platform key");
    assert_eq!(
        platform.verify_header(Some(&header), "POST", URI, CLIENT, TIME, BODY.as_bytes()),
        Err(SignError::Mismatch)
    );
    let v = merchant_verifier();
    let check = |h: Option<&str>| v.verify_header(h, "POST", URI, CLIENT, TIME, BODY.as_bytes());
    assert_eq!(check(None), Err(SignError::MissingHeader));
    assert_eq!(check(Some(&header.replace("RSA256", "RSA"))), Err(SignError::UnsupportedAlgorithm));
    assert_eq!(check(Some(&header.replace("keyVersion=1", "keyVersion=2"))), Err(SignError::KeyVersionMismatch));
    assert!(matches!(check(Some("algorithm=RSA256, keyVersion=1")), Err(SignError::MalformedHeader(_))));
    assert!(matches!(check(Some("algorithm=RSA256, signature=!!!")), Err(SignError::MalformedHeader(_))));
    assert!(matches!(check(Some("algorithm=RSA256, signature=%ZZ")), Err(SignError::MalformedHeader(_))));
    assert!(matches!(check(Some(&format!("{header}, signature=abc"))), Err(SignError::MalformedHeader(_))));
    assert!(matches!(check(Some(&"a".repeat(5000))), Err(SignError::MalformedHeader(_))));
    // A truncated signature never reaches the RSA code as a valid length.
    assert_eq!(check(Some("algorithm=RSA256, signature=AAAA")), Err(SignError::Mismatch));
}

#[test]
fn header_parsing_accepts_documented_variants() {
    let raw = merchant().sign_raw(b"x").expect("sign");
    let h = format_signature_header("7", &raw);
    let parsed = SignatureHeader::parse(&h).expect("parse");
    assert_eq!(parsed.signature, raw);
    assert_eq!(parsed.key_version.as_deref(), Some("7"));
    assert!(parsed.url_encoded);
    // Keys in another order and case, no spaces, keyVersion absent; not URL-encoded.
    use base64::Engine as _;
    let plain = base64::engine::general_purpose::STANDARD.encode(&raw);
    let parsed = SignatureHeader::parse(&format!("signature={plain},ALGORITHM=rsa256")).expect("parse");
    assert_eq!(parsed.signature, raw);
    assert_eq!(parsed.key_version, None);
    assert_eq!(parsed.url_encoded, !plain.contains(['+', '/', '=']));
}

#[test]
fn keys_are_checked_and_never_shown() {
    assert_eq!(RsaSigner::from_pem("not a key", "1").err(), Some(SignError::BadPrivateKey));
    assert_eq!(RsaVerifier::from_pem("not a key", None).err(), Some(SignError::BadPublicKey));
    assert_eq!(RsaSigner::from_pem(&read("weak_1024.pem"), "1").err(), Some(SignError::KeySize(1024)));
    // A public key where a private one belongs, and the other way round.
    assert_eq!(RsaSigner::from_pem(&read("merchant_public.pem"), "1").err(), Some(SignError::BadPrivateKey));
    assert_eq!(RsaVerifier::from_pem(&read("merchant_private.pem"), None).err(), Some(SignError::BadPublicKey));
    // PKCS#1 private key (the platform's fixture) loads as well as PKCS#8.
    let platform = RsaSigner::from_pem(&read("platform_private.pem"), "1").expect("pkcs1");
    let shown = format!("{platform:?}");
    assert!(shown.contains("<redacted>") && !shown.contains("BEGIN"), "{shown}");
}

/// Runs `openssl` with `args`, feeding nothing; panics with its stderr on failure.
fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl").args(args).output().expect("the openssl command (scripts/setup installs it)");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mpcb-alipayplus-sign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join(name);
    std::fs::File::create(&path).and_then(|mut f| f.write_all(bytes)).expect("write tmp");
    path
}

/// Both directions against openssl, over content with non-ASCII text and reserved
/// characters in the URI and body: our signature verifies with openssl, and openssl's
/// signature is byte-identical to ours and verifies with our verifier.
#[test]
fn agrees_with_openssl_both_ways() {
    let uri = "/v2/users/inquiryUserInfo?x=a%20b&y=ü";
    let body = r#"{"accessToken":"281010033AB2F588D14B43238637264FCA5AAF35xxxx","extendInfo":"名字 ✓ \"q\" \\ /"}"#;
    let content = content_to_sign("POST", uri, CLIENT, TIME, body.as_bytes());
    let content_path = temp_file("content.bin", &content);
    let ours = merchant().sign_raw(&content).expect("sign");
    let sig_path = temp_file("ours.sig", &ours);
    let verified = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        fixture("merchant_public.pem").to_str().unwrap_or_default(),
        "-signature",
        sig_path.to_str().unwrap_or_default(),
        content_path.to_str().unwrap_or_default(),
    ]);
    assert!(String::from_utf8_lossy(&verified).contains("Verified OK"));
    let theirs = openssl(&[
        "dgst",
        "-sha256",
        "-sign",
        fixture("merchant_private.pem").to_str().unwrap_or_default(),
        content_path.to_str().unwrap_or_default(),
    ]);
    assert_eq!(theirs, ours, "PKCS#1 v1.5 is deterministic: both implementations give the same bytes");
    merchant_verifier().verify_raw(&content, &theirs).expect("openssl's signature verifies");
    // And a tampered openssl signature does not.
    let mut bad = theirs.clone();
    if let Some(b) = bad.last_mut() {
        *b ^= 1;
    }
    assert_eq!(merchant_verifier().verify_raw(&content, &bad), Err(SignError::Mismatch));
    let _ = std::fs::remove_dir_all(content_path.parent().unwrap_or(Path::new("/nonexistent")));
}
