//! The WeChat client: `code2Session`, the phone-number exchange and
//! `subscribeMessage.send`, over an [`HttpClient`] and a [`Clock`].
//!
//! Retries: `-1` (system busy) and a request that certainly never left (connect failure)
//! are retried up to the configured attempts. A timeout or a broken connection is not:
//! the single-use code may already be spent. An answer saying the access token is
//! invalid or expired (`40001`, `40014`, `42001`) makes the client force a new token once
//! and send the call once more (WeChat checks the token before it looks at the code, so
//! the code is still unused — assumed, it is not documented).

use super::config::{WechatConfig, MAX_RESPONSE_BYTES};
use super::errors::{is_token_rejection, platform_error};
use super::token::{AccessTokenCache, CachedToken};
use super::wire::{
    Code2SessionResponse, DataValue, PhoneCodeRequest, PhoneNumberResponse, SendResponse, StableTokenRequest,
    StableTokenResponse, Status,
};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpClient, HttpRequest, Method, ReqwestClient};
use crate::secret::Secret;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use url::form_urlencoded::Serializer;

/// Longest code accepted from a caller (login or phone code), in bytes.
pub const MAX_CODE_BYTES: usize = 512;
/// Most keys in one subscription message.
pub const MAX_DATA_KEYS: usize = 32;
/// Longest subscription message value, in bytes.
pub const MAX_VALUE_BYTES: usize = 1024;

/// What `code2Session` gives: who the user is, and the session key (server only).
#[derive(Debug, Clone)]
pub struct LoginSession {
    /// The user's id in this mini program.
    pub openid: String,
    /// The user's id across the merchant's apps, when WeChat sent one.
    pub unionid: Option<String>,
    /// The session key: a secret that never leaves the server.
    pub session_key: Secret<String>,
}

/// A phone number from the phone-code exchange (personal data: [`Secret`]s).
#[derive(Debug, Clone)]
pub struct PhoneNumber {
    /// With the country code, as WeChat gives it.
    pub phone_number: Secret<String>,
    /// Without the country code.
    pub pure_phone_number: Secret<String>,
    /// The country code, e.g. `86`.
    pub country_code: String,
}

/// A subscription message to one user.
#[derive(Debug, Clone, Serialize)]
pub struct SubscribeMessage {
    /// The user's openid.
    pub touser: String,
    /// The template the user accepted.
    pub template_id: String,
    /// The mini program page the message opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// The template's keys and values.
    pub data: BTreeMap<String, DataValue>,
}

/// The WeChat client. Share one per app: it holds the access token cache.
#[derive(Debug)]
pub struct WechatClient<H = ReqwestClient, C = SystemClock> {
    config: WechatConfig,
    http: H,
    clock: C,
    tokens: AccessTokenCache,
}

impl WechatClient {
    /// A client over reqwest (rustls) and the system clock.
    pub fn with_defaults(config: WechatConfig) -> Result<Self> {
        Ok(WechatClient::new(config, ReqwestClient::new()?, SystemClock))
    }
}

fn invalid(what: &str) -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        format!("WeChat answered {what} that cannot be used; check the base URL and app id"),
    )
}

fn check_code(what: &str, code: &str) -> Result<()> {
    if code.is_empty() || code.len() > MAX_CODE_BYTES || !code.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("the {what} must be 1 to {MAX_CODE_BYTES} printable ASCII characters"),
        ));
    }
    Ok(())
}

fn bounded(value: &str, max: usize) -> bool {
    !value.is_empty() && value.len() <= max
}

impl<H: HttpClient, C: Clock> WechatClient<H, C> {
    /// A client over the given HTTP client and clock.
    pub fn new(config: WechatConfig, http: H, clock: C) -> Self {
        WechatClient { config, http, clock, tokens: AccessTokenCache::default() }
    }

    /// The configuration.
    pub fn config(&self) -> &WechatConfig {
        &self.config
    }

    /// A valid access token (cached; renewed before expiry), for WeChat APIs this crate
    /// does not wrap. Keep it on the server.
    pub async fn access_token(&self) -> Result<Secret<String>> {
        let margin = self.config.refresh_margin.as_millis() as u64;
        Ok(self.tokens.get(self.clock.now_ms(), margin, |force| self.fetch_token(force)).await?.token)
    }

    /// Forgets the cached access token (the next call fetches one in normal mode).
    pub async fn forget_access_token(&self) {
        self.tokens.clear().await;
    }

    /// `POST /cgi-bin/stable_token`.
    async fn fetch_token(&self, force_refresh: bool) -> Result<CachedToken> {
        let c = &self.config;
        let body = StableTokenRequest {
            grant_type: "client_credential".into(),
            appid: c.app_id.clone(),
            secret: c.app_secret.expose().clone(),
            force_refresh,
        };
        let body = Secret::new(serde_json::to_vec(&body).map_err(|_| invalid("nothing"))?);
        let url = format!("{}/cgi-bin/stable_token", c.base_url);
        let make = |_: &str| post(&url, body.expose().clone(), c);
        let value = self.call("stable_token", &make, "", &[c.app_secret.expose()]).await?;
        let obtained_at_ms = self.clock.now_ms();
        let raw: StableTokenResponse = serde_json::from_value(value).map_err(|_| invalid("a stable_token"))?;
        if !bounded(&raw.access_token, 2048) || raw.expires_in == 0 {
            return Err(invalid("an empty or oversized access token"));
        }
        Ok(CachedToken {
            token: Secret::new(raw.access_token),
            obtained_at_ms,
            expires_at_ms: obtained_at_ms.saturating_add(raw.expires_in.saturating_mul(1000)),
        })
    }

    /// `code2Session`: exchanges a login code from `wx.login()` (single use, 5 minutes).
    pub async fn code2session(&self, js_code: &str) -> Result<LoginSession> {
        check_code("login code", js_code)?;
        let c = &self.config;
        let query = Secret::new(
            Serializer::new(String::new())
                .append_pair("appid", &c.app_id)
                .append_pair("secret", c.app_secret.expose())
                .append_pair("js_code", js_code)
                .append_pair("grant_type", "authorization_code")
                .finish(),
        );
        let url = Secret::new(format!("{}/sns/jscode2session?{}", c.base_url, query.expose()));
        let make = |_: &str| HttpRequest {
            method: Method::Get,
            url: url.expose().clone(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout: c.timeout,
            max_response_bytes: MAX_RESPONSE_BYTES,
        };
        let value = self.call("code2Session", &make, "", &[js_code, c.app_secret.expose()]).await?;
        let raw: Code2SessionResponse = serde_json::from_value(value).map_err(|_| invalid("a code2Session"))?;
        let raw_session_key = Secret::new(raw.session_key);
        if !bounded(&raw.openid, 128)
            || !bounded(raw_session_key.expose(), 256)
            || raw.unionid.as_deref().is_some_and(|u| !bounded(u, 128))
        {
            return Err(invalid("a code2Session with missing or oversized fields"));
        }
        Ok(LoginSession { openid: raw.openid, unionid: raw.unionid, session_key: raw_session_key })
    }

    /// The phone-number exchange: a phone code from the `getPhoneNumber` button event
    /// (single use, 5 minutes) for the user's number. The answer's watermark must name
    /// this app.
    pub async fn phone_number(&self, code: &str) -> Result<PhoneNumber> {
        check_code("phone code", code)?;
        let body = Secret::new(
            serde_json::to_vec(&PhoneCodeRequest { code: code.to_owned() }).map_err(|_| invalid("nothing"))?,
        );
        let path = "/wxa/business/getuserphonenumber";
        let value = self.with_token("getuserphonenumber", path, body.expose(), code).await?;
        let raw: PhoneNumberResponse =
            serde_json::from_value(value).map_err(|_| invalid("a getuserphonenumber without phone_info"))?;
        let info = raw.phone_info;
        if info.watermark.appid != self.config.app_id {
            return Err(invalid("a phone number whose watermark names another app"));
        }
        let (phone, pure) = (Secret::new(info.phone_number), Secret::new(info.pure_phone_number));
        if !bounded(phone.expose(), 32) || !bounded(pure.expose(), 32) || info.country_code.len() > 8 {
            return Err(invalid("a phone number with missing or oversized fields"));
        }
        Ok(PhoneNumber { phone_number: phone, pure_phone_number: pure, country_code: info.country_code })
    }

    /// `subscribeMessage.send`: one message to a user who accepted the template. Returns
    /// WeChat's `msgid` when it sent one. `43101` (no subscription left) is
    /// [`ErrorCode::NotSubscribed`].
    pub async fn send_subscribe_message(&self, message: &SubscribeMessage) -> Result<Option<String>> {
        let bad = |m: &str| Error::new(ErrorCode::InvalidArgument, m.to_owned());
        if !bounded(&message.touser, 128) || !bounded(&message.template_id, 128) {
            return Err(bad("touser and template_id must be 1 to 128 bytes"));
        }
        if message.page.as_deref().is_some_and(|p| p.len() > 1024) {
            return Err(bad("page must be at most 1024 bytes"));
        }
        let keys_ok = message.data.iter().all(|(k, v)| {
            bounded(k, 64)
                && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && v.value.len() <= MAX_VALUE_BYTES
        });
        if message.data.is_empty() || message.data.len() > MAX_DATA_KEYS || !keys_ok {
            return Err(bad("data needs 1 to 32 keys (letters, digits, '_') with values of at most 1024 bytes"));
        }
        let body = serde_json::to_vec(message).map_err(|_| bad("the message could not be encoded"))?;
        let value = self.with_token("subscribeMessage.send", "/cgi-bin/message/subscribe/send", &body, "").await?;
        let raw: SendResponse = serde_json::from_value(value).unwrap_or(SendResponse { msgid: None });
        Ok(raw.msgid.map(|m| match m {
            Value::String(s) => s,
            other => other.to_string(),
        }))
    }

    /// A POST to `path?access_token=…` with the cached token; after a token rejection, one
    /// forced refresh and one more attempt.
    async fn with_token(&self, api: &str, path: &str, body: &[u8], secret: &str) -> Result<Value> {
        let c = &self.config;
        let margin = c.refresh_margin.as_millis() as u64;
        let token = self.tokens.get(self.clock.now_ms(), margin, |force| self.fetch_token(force)).await?;
        let make = |token: &str| {
            let query = Serializer::new(String::new()).append_pair("access_token", token).finish();
            post(&format!("{}{path}?{query}", c.base_url), body.to_vec(), c)
        };
        match self.call(api, &make, token.token.expose(), &[secret]).await {
            Err(e) if e.platform_code().and_then(|p| p.parse().ok()).is_some_and(is_token_rejection) => {
                let now = self.clock.now_ms();
                let fresh = self.tokens.replace_rejected(&token.token, now, |force| self.fetch_token(force)).await?;
                self.call(api, &make, fresh.token.expose(), &[secret]).await
            }
            other => other,
        }
    }

    /// Sends one call (built by `make` from the access token, if any) with bounded
    /// retries; returns the success body or the typed error.
    async fn call(
        &self,
        api: &str,
        make: &(dyn Fn(&str) -> HttpRequest + Sync),
        token: &str,
        secrets: &[&str],
    ) -> Result<Value> {
        let c = &self.config;
        let mut scrub: Vec<&str> = secrets.to_vec();
        scrub.push(token);
        let mut last = Error::new(ErrorCode::Network, "no attempt was made");
        for attempt in 1..=c.max_attempts {
            if attempt > 1 {
                tokio::time::sleep(c.retry_backoff * (attempt - 1)).await;
            }
            let response = match self.http.send(make(token)).await {
                Ok(r) => r,
                Err(e) if e.code() == ErrorCode::Unreachable => {
                    last = e;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if response.status != 200 {
                return Err(Error::new(
                    ErrorCode::Network,
                    format!("WeChat {api} answered HTTP {}; check the base URL and WeChat's status", response.status),
                )
                .with_status(response.status));
            }
            let value: Value = serde_json::from_slice(&response.body)
                .map_err(|_| invalid(&format!("a {api} body that is not JSON")))?;
            let status: Status = serde_json::from_value(value.clone()).unwrap_or_default();
            if status.errcode == 0 {
                return Ok(value);
            }
            let error = platform_error(api, status.errcode, status.errmsg.as_deref(), &scrub);
            if status.errcode != super::errors::BUSY {
                return Err(error);
            }
            last = error;
        }
        Err(last)
    }
}

/// A JSON POST to `url`.
fn post(url: &str, body: Vec<u8>, c: &WechatConfig) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: url.to_owned(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body,
        timeout: c.timeout,
        max_response_bytes: MAX_RESPONSE_BYTES,
    }
}
