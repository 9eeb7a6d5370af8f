//! Alipay+ configuration: who the merchant is, its signing key, the platform's
//! verification key, where the platform is, and how patient to be.

use super::sign::{RsaSigner, RsaVerifier};
use crate::error::{Error, ErrorCode, Result};
use crate::http::check_base_url;
use std::time::Duration;

/// The documented v2 path of `applyToken` (some wallets use `/v1/...`: configurable).
pub const DEFAULT_APPLY_TOKEN_PATH: &str = "/v2/authorizations/applyToken";
/// The documented v2 path of `inquiryUserInfo`.
pub const DEFAULT_INQUIRY_USER_INFO_PATH: &str = "/v2/users/inquiryUserInfo";
/// Default number of attempts for one call (the first plus retries after `U` or a
/// transport failure).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Largest answer read from the platform.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Longest id accepted in the configuration.
const MAX_ID: usize = 128;

/// Everything the Alipay+ client needs. `Debug` never shows a key.
#[derive(Debug)]
pub struct AlipayPlusConfig {
    pub(crate) client_id: String,
    pub(crate) auth_client_id: String,
    pub(crate) signer: RsaSigner,
    pub(crate) verifier: RsaVerifier,
    pub(crate) base_url: String,
    /// The base URL's own path (e.g. `/gateway`), which is part of the signed URI.
    pub(crate) uri_prefix: String,
    pub(crate) apply_token_path: String,
    pub(crate) inquiry_user_info_path: String,
    pub(crate) app_id: Option<String>,
    pub(crate) customer_belongs_to: Option<String>,
    pub(crate) max_attempts: u32,
    pub(crate) retry_backoff: Duration,
    pub(crate) timeout: Duration,
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidConfig, message)
}

fn check_id(what: &str, value: &str) -> Result<String> {
    let ok = !value.is_empty() && value.len() <= MAX_ID && value.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(value.to_owned())
    } else {
        Err(invalid(format!("the Alipay+ {what} must be 1 to {MAX_ID} printable ASCII characters")))
    }
}

fn check_path(what: &str, path: &str) -> Result<String> {
    if path.starts_with('/')
        && path.len() <= 256
        && path.bytes().all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#')
    {
        Ok(path.to_owned())
    } else {
        Err(invalid(format!("the Alipay+ {what} path must start with '/' and have no query")))
    }
}

impl AlipayPlusConfig {
    /// A configuration from the client id, the merchant's private key (PEM, PKCS#8 or
    /// PKCS#1), the platform's public key (PEM), the key version put in the `Signature`
    /// header (usually `"1"`) and the platform's base URL (`https`, or loopback `http`).
    /// Paths default to the documented v2 ones; `authClientId` defaults to the client id.
    pub fn new(
        client_id: &str,
        merchant_private_key_pem: &str,
        platform_public_key_pem: &str,
        key_version: &str,
        base_url: &str,
    ) -> Result<Self> {
        let client_id = check_id("client id", client_id)?;
        let key_version = check_id("key version", key_version)?;
        let signer = RsaSigner::from_pem(merchant_private_key_pem, key_version)
            .map_err(|e| invalid(format!("the merchant private key: {e}")))?;
        let verifier = RsaVerifier::from_pem(platform_public_key_pem, None)
            .map_err(|e| invalid(format!("the platform public key: {e}")))?;
        let base_url = check_base_url(base_url)?;
        let uri_prefix = url::Url::parse(&base_url)
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .map_err(|_| invalid("the Alipay+ base URL is not an absolute URL".into()))?;
        Ok(AlipayPlusConfig {
            auth_client_id: client_id.clone(),
            client_id,
            signer,
            verifier,
            base_url,
            uri_prefix,
            apply_token_path: DEFAULT_APPLY_TOKEN_PATH.into(),
            inquiry_user_info_path: DEFAULT_INQUIRY_USER_INFO_PATH.into(),
            app_id: None,
            customer_belongs_to: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            retry_backoff: Duration::from_millis(300),
            timeout: Duration::from_secs(10),
        })
    }

    /// Other paths (e.g. a wallet that documents `/v1/authorizations/applyToken`).
    pub fn with_paths(mut self, apply_token: &str, inquiry_user_info: &str) -> Result<Self> {
        self.apply_token_path = check_path("applyToken", apply_token)?;
        self.inquiry_user_info_path = check_path("inquiryUserInfo", inquiry_user_info)?;
        Ok(self)
    }

    /// An `authClientId` other than the client id.
    pub fn with_auth_client_id(mut self, auth_client_id: &str) -> Result<Self> {
        self.auth_client_id = check_id("auth client id", auth_client_id)?;
        Ok(self)
    }

    /// Sends `appId` (the mini program's id) in `applyToken`.
    pub fn with_app_id(mut self, app_id: &str) -> Result<Self> {
        self.app_id = Some(check_id("app id", app_id)?);
        Ok(self)
    }

    /// Sends `customerBelongsTo` (the wallet, e.g. `GCASH`).
    pub fn with_customer_belongs_to(mut self, wallet: &str) -> Result<Self> {
        self.customer_belongs_to = Some(check_id("customerBelongsTo", wallet)?);
        Ok(self)
    }

    /// Attempts per call (1 to 10) and the pause before the n-th retry (`n * backoff`).
    pub fn with_retries(mut self, max_attempts: u32, backoff: Duration) -> Result<Self> {
        if !(1..=10).contains(&max_attempts) || backoff > Duration::from_secs(10) {
            return Err(invalid("Alipay+ retries: 1 to 10 attempts, backoff at most 10 s".into()));
        }
        self.max_attempts = max_attempts;
        self.retry_backoff = backoff;
        Ok(self)
    }

    /// Time allowed for each HTTP exchange (1 ms to 60 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Result<Self> {
        if timeout.is_zero() || timeout > Duration::from_secs(60) {
            return Err(invalid("the Alipay+ timeout must be between 1 ms and 60 s".into()));
        }
        self.timeout = timeout;
        Ok(self)
    }

    /// The client id (not a secret).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}
