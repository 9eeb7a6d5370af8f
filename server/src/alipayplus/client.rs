//! The Alipay+ client: `applyToken` (authorization code or refresh token) and
//! `inquiryUserInfo`, each request signed and each answer's signature verified before a
//! byte of its body is trusted.
//!
//! Retries (documented: `U` means the outcome is unknown and the same request may be
//! sent again; `F` is final): a `U` answer, a timeout, a network failure or an unsigned
//! 5xx from something in front of the platform is retried up to the configured number of
//! attempts with the same body (a fresh `Request-Time` and signature each time, since the
//! signature covers the time). `F` is never retried. A missing or wrong response
//! signature is an error, never retried and never ignored.

use super::config::{AlipayPlusConfig, MAX_RESPONSE_BYTES};
use super::errors::{failure_error, signature_error, unknown_error};
use super::timefmt::{format_ms, parse_ms};
use super::wire::{
    ApplyTokenRequest, ApplyTokenResponse, GrantType, InquiryUserInfoRequest, ResultInfo, UserInfo, MAX_LOGIN_IDS,
    MAX_PROFILE_FIELD,
};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpClient, HttpRequest, HttpResponse, Method, ReqwestClient};
use crate::secret::Secret;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What `applyToken` grants. Tokens are [`Secret`]s: keep them on the server.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The platform's user id (`customerId`).
    pub customer_id: String,
    /// The access token.
    pub access_token: Secret<String>,
    /// When the access token expires (Unix ms).
    pub access_token_expires_at_ms: u64,
    /// The refresh token, when the wallet issues one.
    pub refresh_token: Option<Secret<String>>,
    /// When the refresh token expires (Unix ms), when given.
    pub refresh_token_expires_at_ms: Option<u64>,
}

/// Longest token or code accepted from a caller or the platform, in bytes.
pub const MAX_TOKEN_BYTES: usize = 1024;

/// How far an answer's `Response-Time` may be from the client's clock (ms). Assumed: the
/// Alipay+ documentation defines the header and its signature but gives no window; this
/// is the window the simulator allows a `Request-Time`.
pub const RESPONSE_TIME_WINDOW_MS: u64 = 5 * 60_000;

/// The Alipay+ client over an [`HttpClient`] and a [`Clock`].
#[derive(Debug)]
pub struct AlipayPlusClient<H = ReqwestClient, C = SystemClock> {
    config: AlipayPlusConfig,
    http: H,
    clock: C,
}

impl AlipayPlusClient {
    /// A client over reqwest (rustls) and the system clock.
    pub fn with_defaults(config: AlipayPlusConfig) -> Result<Self> {
        Ok(AlipayPlusClient { config, http: ReqwestClient::new()?, clock: SystemClock })
    }
}

/// How one answer ends a call.
enum Outcome {
    Success(Value),
    /// Worth another attempt (the error is what to report if none is left).
    Retry(Error),
    Final(Error),
}

fn check_token(what: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > MAX_TOKEN_BYTES {
        return Err(Error::new(ErrorCode::InvalidArgument, format!("the {what} must be 1 to {MAX_TOKEN_BYTES} bytes")));
    }
    Ok(())
}

impl<H: HttpClient, C: Clock> AlipayPlusClient<H, C> {
    /// A client over the given HTTP client and clock.
    pub fn new(config: AlipayPlusConfig, http: H, clock: C) -> Self {
        AlipayPlusClient { config, http, clock }
    }

    /// The configuration.
    pub fn config(&self) -> &AlipayPlusConfig {
        &self.config
    }

    /// Exchanges an `authCode` from `my.getAuthCode` (single use) for tokens and the user id.
    pub async fn apply_token(&self, auth_code: &str) -> Result<TokenGrant> {
        check_token("auth code", auth_code)?;
        let request = ApplyTokenRequest {
            app_id: self.config.app_id.clone(),
            auth_client_id: self.config.auth_client_id.clone(),
            grant_type: GrantType::AuthorizationCode,
            auth_code: Some(auth_code.to_owned()),
            refresh_token: None,
            customer_belongs_to: self.config.customer_belongs_to.clone(),
        };
        self.grant(&request, auth_code).await
    }

    /// Exchanges a refresh token for a new access token (and, usually, a new refresh token).
    pub async fn refresh_token(&self, refresh_token: &Secret<String>) -> Result<TokenGrant> {
        let token = refresh_token.expose();
        check_token("refresh token", token)?;
        let request = ApplyTokenRequest {
            app_id: self.config.app_id.clone(),
            auth_client_id: self.config.auth_client_id.clone(),
            grant_type: GrantType::RefreshToken,
            auth_code: None,
            refresh_token: Some(token.clone()),
            customer_belongs_to: self.config.customer_belongs_to.clone(),
        };
        self.grant(&request, token).await
    }

    /// Queries the user's information with an access token; only the fields the user's
    /// scopes allowed are present.
    pub async fn inquiry_user_info(&self, access_token: &Secret<String>) -> Result<UserInfo> {
        let token = access_token.expose();
        check_token("access token", token)?;
        let request = InquiryUserInfoRequest {
            access_token: token.clone(),
            auth_client_id: self.config.auth_client_id.clone(),
            customer_belongs_to: self.config.customer_belongs_to.clone(),
        };
        let body = Secret::new(serde_json::to_vec(&request).map_err(encode_error)?);
        let value = self.call(&self.config.inquiry_user_info_path, body.expose(), token).await?;
        let info: UserInfo = field(&value, "userInfo")?;
        check_user_info(&info)?;
        Ok(info)
    }

    async fn grant(&self, request: &ApplyTokenRequest, secret: &str) -> Result<TokenGrant> {
        let body = Secret::new(serde_json::to_vec(request).map_err(encode_error)?);
        let value = self.call(&self.config.apply_token_path, body.expose(), secret).await?;
        let raw: ApplyTokenResponse = serde_json::from_value(value).map_err(|_| invalid("applyToken fields"))?;
        let missing = |what: &str| invalid(&format!("applyToken succeeded without {what}"));
        let customer_id = raw.customer_id.ok_or_else(|| missing("customerId"))?;
        if customer_id.is_empty() || customer_id.len() > 128 {
            return Err(invalid("customerId"));
        }
        let access_token = raw.access_token.ok_or_else(|| missing("accessToken"))?;
        check_token("access token", &access_token).map_err(|_| invalid("accessToken"))?;
        let expiry = raw.access_token_expiry_time.ok_or_else(|| missing("accessTokenExpiryTime"))?;
        let access_token_expires_at_ms = parse_ms(&expiry).ok_or_else(|| invalid("accessTokenExpiryTime"))?;
        let refresh_token_expires_at_ms = match raw.refresh_token_expiry_time {
            Some(t) => Some(parse_ms(&t).ok_or_else(|| invalid("refreshTokenExpiryTime"))?),
            None => None,
        };
        if let Some(r) = &raw.refresh_token {
            check_token("refresh token", r).map_err(|_| invalid("refreshToken"))?;
        }
        Ok(TokenGrant {
            customer_id,
            access_token: Secret::new(access_token),
            access_token_expires_at_ms,
            refresh_token: raw.refresh_token.map(Secret::new),
            refresh_token_expires_at_ms,
        })
    }

    /// Sends one signed call with bounded retries; returns the verified `S` answer.
    async fn call(&self, path: &str, body: &[u8], secret: &str) -> Result<Value> {
        let c = &self.config;
        // The signed URI is the request's path as sent: the base URL's path, then the API's.
        let uri = format!("{}{path}", c.uri_prefix);
        let path = uri.as_str();
        let mut last = Error::new(ErrorCode::Network, "no attempt was made");
        for attempt in 1..=c.max_attempts {
            if attempt > 1 {
                tokio::time::sleep(c.retry_backoff * (attempt - 1)).await;
            }
            let time = format_ms(self.clock.now_ms());
            let signature = c
                .signer
                .signature_header("POST", path, &c.client_id, &time, body)
                .map_err(|e| Error::new(ErrorCode::InvalidConfig, format!("cannot sign the request: {e}")))?;
            let request = HttpRequest {
                method: Method::Post,
                url: format!("{}{}", c.base_url, path.get(c.uri_prefix.len()..).unwrap_or(path)),
                headers: vec![
                    ("Content-Type".into(), "application/json; charset=UTF-8".into()),
                    ("Client-Id".into(), c.client_id.clone()),
                    ("Request-Time".into(), time),
                    ("Signature".into(), signature),
                ],
                body: body.to_vec(),
                timeout: c.timeout,
                max_response_bytes: MAX_RESPONSE_BYTES,
            };
            let outcome = match self.http.send(request).await {
                Ok(response) => self.read(path, &response, secret),
                Err(e) if matches!(e.code(), ErrorCode::Network | ErrorCode::Unreachable | ErrorCode::Timeout) => {
                    Outcome::Retry(e)
                }
                Err(e) => Outcome::Final(e),
            };
            match outcome {
                Outcome::Success(v) => return Ok(v),
                Outcome::Final(e) => return Err(e),
                Outcome::Retry(e) => last = e,
            }
        }
        Err(last)
    }

    /// Verifies and classifies one answer.
    fn read(&self, path: &str, response: &HttpResponse, secret: &str) -> Outcome {
        let c = &self.config;
        let signature = response.header("signature");
        if signature.is_none() && response.status >= 500 {
            // Something in front of the platform (a proxy, a load balancer) failed: the
            // request may not have been processed, like `U`.
            return Outcome::Retry(
                Error::new(
                    ErrorCode::Network,
                    format!("the platform answered HTTP {} without a signature", response.status),
                )
                .with_status(response.status),
            );
        }
        let client_id = response.header("client-id");
        let time = response.header("response-time");
        if client_id != Some(c.client_id.as_str()) {
            return Outcome::Final(signature_error(response.status, "its Client-Id header is missing or not ours"));
        }
        let Some(time) = time else {
            return Outcome::Final(signature_error(response.status, "its Response-Time header is missing"));
        };
        if let Err(e) = c.verifier.verify_header(signature, "POST", path, &c.client_id, time, &response.body) {
            return Outcome::Final(signature_error(response.status, &e.describe()));
        }
        // A signed answer stays valid forever; only its time says it was made for this
        // request. One recorded earlier and replayed (for the same path and body) is refused.
        let fresh = parse_ms(time).is_some_and(|t| t.abs_diff(self.clock.now_ms()) <= RESPONSE_TIME_WINDOW_MS);
        if !fresh {
            return Outcome::Final(signature_error(
                response.status,
                "its Response-Time is more than 5 minutes from this server's clock; check the clock (NTP)",
            ));
        }
        let Ok(value) = serde_json::from_slice::<Value>(&response.body) else {
            return Outcome::Final(invalid("a body that is not JSON").with_status(response.status));
        };
        let result: ResultInfo = match value.get("result").cloned().map(serde_json::from_value) {
            Some(Ok(r)) => r,
            _ => return Outcome::Final(invalid("a body without a result object").with_status(response.status)),
        };
        match result.result_status.as_str() {
            "S" => Outcome::Success(value),
            "U" => Outcome::Retry(unknown_error(&result, secret).with_status(response.status)),
            "F" => Outcome::Final(failure_error(&result, secret).with_status(response.status)),
            _ => Outcome::Final(invalid("a resultStatus other than S, F or U").with_status(response.status)),
        }
    }
}

fn invalid(what: &str) -> Error {
    Error::new(
        ErrorCode::InvalidResponse,
        format!("the Alipay+ platform answered {what} that cannot be read; check the base URL and paths"),
    )
}

fn encode_error(_: serde_json::Error) -> Error {
    Error::new(ErrorCode::InvalidArgument, "the request body could not be encoded")
}

fn field<T: DeserializeOwned>(value: &Value, name: &str) -> Result<T> {
    value.get(name).cloned().map(serde_json::from_value).and_then(|r| r.ok()).ok_or_else(|| invalid(name))
}

fn check_user_info(info: &UserInfo) -> Result<()> {
    let long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.len() > MAX_PROFILE_FIELD);
    if info.user_id.is_empty()
        || info.user_id.len() > 128
        || long(&info.nick_name)
        || long(&info.avatar)
        || long(&info.gender)
        || long(&info.status)
        || info.login_id_infos.len() > MAX_LOGIN_IDS
    {
        return Err(invalid("a userInfo with missing or oversized fields"));
    }
    Ok(())
}
