//! Binance Open Service configuration: credentials, key, base URL and limits.

use super::decrypt::MerchantKey;
use crate::error::{Error, ErrorCode, Result};
use crate::http::check_base_url;
use crate::secret::Secret;
use std::time::Duration;

/// The official host (documented on every Open Service page).
pub const DEFAULT_BASE_URL: &str = "https://dip-cb.binanceapi.com";

/// Everything a [`super::BinanceClient`] needs. `Debug` shows the app id and base URL only.
pub struct Config {
    pub(crate) app_id: String,
    pub(crate) access_key: Secret<String>,
    pub(crate) secret_key: Secret<String>,
    pub(crate) key: Option<MerchantKey>,
    pub(crate) base_url: String,
    /// Timeout of one HTTP exchange (default 5 s).
    pub timeout: Duration,
    /// Most attempts per call, the first included (default 3).
    pub max_attempts: u32,
    /// Wait before the first retry; doubled for each further one (default 200 ms).
    pub backoff: Duration,
    /// Largest answer read from the platform (default 64 KiB).
    pub max_response_bytes: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("binance::Config")
            .field("app_id", &self.app_id)
            .field("base_url", &self.base_url)
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

fn check(what: &str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() || value.len() > max || value.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorCode::InvalidConfig,
            format!("the Binance {what} must be 1 to {max} printable characters"),
        ));
    }
    Ok(())
}

impl Config {
    /// A configuration for the official host. `private_key_pem` is the PEM (PKCS#1 or
    /// PKCS#8) of the key pair whose public half was uploaded to the platform.
    pub fn new(
        app_id: &str,
        access_key: Secret<String>,
        secret_key: Secret<String>,
        private_key_pem: &str,
    ) -> Result<Self> {
        let mut config = Self::for_push_only(app_id, access_key, secret_key)?;
        config.key = Some(MerchantKey::from_pem(private_key_pem)?);
        Ok(config)
    }

    /// A configuration without the RSA key: `send_push_message` works, `get_open_data`
    /// answers [`ErrorCode::InvalidConfig`] without calling the platform.
    pub fn for_push_only(app_id: &str, access_key: Secret<String>, secret_key: Secret<String>) -> Result<Self> {
        check("app id", app_id, 128)?;
        check("access key", access_key.expose(), 256)?;
        check("secret key", secret_key.expose(), 1024)?;
        Ok(Config {
            app_id: app_id.to_owned(),
            access_key,
            secret_key,
            key: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(5),
            max_attempts: 3,
            backoff: Duration::from_millis(200),
            max_response_bytes: 64 * 1024,
        })
    }

    /// Another base URL: `https`, or `http` to a loopback host (simulators, tests).
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self> {
        self.base_url = check_base_url(base_url)?;
        Ok(self)
    }

    /// The mini program's app id.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The base URL in use.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The merchant's key (its public half is what the platform encrypts to), if any.
    pub fn key(&self) -> Option<&MerchantKey> {
        self.key.as_ref()
    }
}
