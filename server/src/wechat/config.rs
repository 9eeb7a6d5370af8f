//! WeChat configuration: which mini program, its secret, where the API is, and how
//! patient to be.

use crate::error::{Error, ErrorCode, Result};
use crate::http::check_base_url;
use crate::secret::Secret;
use std::time::Duration;

/// WeChat's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.weixin.qq.com";
/// Default attempts for one call (the first plus retries after `-1` busy or a request
/// that never left).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Renew the access token when less than this is left of it (assumed; the docs give
/// the 7200 s lifetime only).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// Largest answer read from WeChat.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Everything the WeChat client needs. `Debug` never shows the secret.
#[derive(Debug)]
pub struct WechatConfig {
    pub(crate) app_id: String,
    pub(crate) app_secret: Secret<String>,
    pub(crate) base_url: String,
    pub(crate) max_attempts: u32,
    pub(crate) retry_backoff: Duration,
    pub(crate) timeout: Duration,
    pub(crate) refresh_margin: Duration,
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::InvalidConfig, message)
}

impl WechatConfig {
    /// A configuration for the mini program `app_id` (e.g. `wx0123456789abcdef`) with its
    /// app secret, against WeChat's own host.
    pub fn new(app_id: &str, app_secret: Secret<String>) -> Result<Self> {
        let id_ok = !app_id.is_empty() && app_id.len() <= 64 && app_id.bytes().all(|b| b.is_ascii_alphanumeric());
        if !id_ok {
            return Err(invalid("the WeChat app id must be 1 to 64 letters and digits"));
        }
        let secret = app_secret.expose();
        if secret.is_empty() || secret.len() > 128 || !secret.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid("the WeChat app secret must be 1 to 128 printable ASCII characters"));
        }
        Ok(WechatConfig {
            app_id: app_id.to_owned(),
            app_secret,
            base_url: DEFAULT_BASE_URL.into(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            retry_backoff: Duration::from_millis(200),
            timeout: Duration::from_secs(10),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
        })
    }

    /// Another API host (`https`, or loopback `http` for the simulator).
    pub fn with_base_url(mut self, url: &str) -> Result<Self> {
        self.base_url = check_base_url(url)?;
        Ok(self)
    }

    /// Attempts per call (1 to 10) and the pause before the n-th retry (`n * backoff`).
    pub fn with_retries(mut self, max_attempts: u32, backoff: Duration) -> Result<Self> {
        if !(1..=10).contains(&max_attempts) || backoff > Duration::from_secs(10) {
            return Err(invalid("WeChat retries: 1 to 10 attempts, backoff at most 10 s"));
        }
        self.max_attempts = max_attempts;
        self.retry_backoff = backoff;
        Ok(self)
    }

    /// Time allowed for each HTTP exchange (1 ms to 60 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Result<Self> {
        if timeout.is_zero() || timeout > Duration::from_secs(60) {
            return Err(invalid("the WeChat timeout must be between 1 ms and 60 s"));
        }
        self.timeout = timeout;
        Ok(self)
    }

    /// How long before its expiry the access token is renewed (at most 30 minutes).
    pub fn with_refresh_margin(mut self, margin: Duration) -> Result<Self> {
        if margin > Duration::from_secs(1800) {
            return Err(invalid("the WeChat token refresh margin must be at most 30 minutes"));
        }
        self.refresh_margin = margin;
        Ok(self)
    }

    /// The app id (not a secret).
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The API host.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}
