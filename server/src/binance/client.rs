//! The Binance Open Service client: `get_open_data` and `send_push_message`.

use super::config::Config;
use super::decrypt::OpenData;
use super::signer::{canonical_request, sign, uri_encode, TOKEN_HEADER};
use super::wire::{self, Parameter, SendBody};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpClient, HttpRequest, Method, ReqwestClient};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// Longest data or push token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 1024;
/// Most template parameters in one message.
pub const MAX_PARAMETERS: usize = 32;
/// Largest sendPushMessage body, in bytes.
pub const MAX_SEND_BODY_BYTES: usize = 16 * 1024;

/// A template message to send with one push token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushMessage {
    /// The template the user accepted.
    pub template_id: String,
    /// The message's language, e.g. `"en"`.
    pub language: String,
    /// The page opened when the user taps the message (default: the entry page).
    pub path: Option<String>,
    /// The template's parameters, in order.
    pub parameters: Vec<Parameter>,
}

/// What the platform did with a message it accepted for processing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// Sent (`statusCode` 000000).
    Sent,
    /// The user refused all messages of this mini program (900240).
    UserRefusedAll,
    /// The user declined this template (900241).
    UserDeclinedTemplate,
}

/// The client. Cheap to share behind an `Arc`; every call signs afresh.
pub struct BinanceClient {
    config: Config,
    http: Arc<dyn HttpClient>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for BinanceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinanceClient").field("config", &self.config).finish_non_exhaustive()
    }
}

/// Checks a token's shape without ever putting it in the message.
fn check_token(what: &str, token: &str) -> Result<()> {
    if token.is_empty() || token.len() > MAX_TOKEN_BYTES || token.chars().any(|c| c.is_control() || c == ' ') {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("the {what} must be 1 to {MAX_TOKEN_BYTES} bytes without spaces or control characters"),
        ));
    }
    Ok(())
}

/// Replaces every occurrence of `secret` in a platform message (platforms sometimes echo
/// the parameter they refuse).
fn scrub(message: Option<String>, secret: &str) -> Option<String> {
    message.map(|m| crate::secret::scrub(&m, secret, "<token>"))
}

/// A platform answer after the envelope was read.
struct Answer {
    status: u16,
    data: Value,
}

impl BinanceClient {
    /// A client with the default HTTP client (reqwest + rustls) and the system clock.
    pub fn new(config: Config) -> Result<Self> {
        Ok(Self::with_parts(config, Arc::new(ReqwestClient::new()?), Arc::new(SystemClock)))
    }

    /// A client over a given HTTP client and clock.
    pub fn with_parts(config: Config, http: Arc<dyn HttpClient>, clock: Arc<dyn Clock>) -> Self {
        BinanceClient { config, http, clock }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The clock in use.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Signs and sends one request; reads the envelope. `secret` is scrubbed from any
    /// platform message.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Vec<u8>,
        secret: &str,
    ) -> Result<Answer> {
        let cr = canonical_request(method.as_str(), path, query, &body);
        let jwt = sign(
            self.config.access_key.expose(),
            self.config.secret_key.expose().as_bytes(),
            &cr,
            self.clock.now_secs(),
        )?;
        let encoded_path: String = path.split('/').map(uri_encode).collect::<Vec<_>>().join("/");
        let mut url = format!("{}{}", self.config.base_url, encoded_path);
        if !query.is_empty() {
            let q: Vec<String> = query.iter().map(|(k, v)| format!("{}={}", uri_encode(k), uri_encode(v))).collect();
            url.push('?');
            url.push_str(&q.join("&"));
        }
        let mut headers = vec![(TOKEN_HEADER.to_owned(), jwt), ("Accept".to_owned(), "application/json".to_owned())];
        if method == Method::Post {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        let response = self
            .http
            .send(HttpRequest {
                method,
                url,
                headers,
                body,
                timeout: self.config.timeout,
                max_response_bytes: self.config.max_response_bytes,
            })
            .await?;
        let status = response.status;
        let invalid = |what: &str| {
            Error::new(ErrorCode::InvalidResponse, format!("the Binance Open Service answered {what} (HTTP {status})"))
                .with_status(status)
        };
        let envelope: Value = match serde_json::from_slice(&response.body) {
            Ok(v @ Value::Object(_)) => v,
            _ if status >= 500 => {
                return Err(Error::new(
                    ErrorCode::PlatformRejected,
                    format!("the Binance Open Service failed (HTTP {status}); it is retried when safe"),
                )
                .with_status(status))
            }
            _ => return Err(invalid("something that is not a JSON envelope")),
        };
        let code = match envelope.get("code") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => format!("{n:0>6}"),
            _ => return Err(invalid("an envelope without a code")),
        };
        let message = envelope.get("message").and_then(Value::as_str).map(str::to_owned);
        if code != wire::OK {
            return Err(platform_error(&code, scrub(message, secret)).with_status(status));
        }
        if !(200..300).contains(&status) {
            return Err(invalid("success with a non-2xx status"));
        }
        let data = envelope.get("data").cloned().unwrap_or(Value::Null);
        Ok(Answer { status, data })
    }

    /// Exchanges a data token (from `bn.getPhoneNumber`, `bn.getUserOpenId`,
    /// `bn.getEmailAddress`) for the decrypted open data. Retries 900003, 5xx, timeouts
    /// and network failures with backoff while the token can still be alive (2 minutes
    /// after `obtained_at_ms` when given, after now otherwise); never retries 9002xx.
    pub async fn get_open_data(&self, data_token: &str, obtained_at_ms: Option<u64>) -> Result<OpenData> {
        check_token("data token", data_token)?;
        if self.config.key.is_none() {
            return Err(Error::new(
                ErrorCode::InvalidConfig,
                "no RSA private key is configured, so open data cannot be decrypted; set MPCB_BINANCE_PRIVATE_KEY_FILE",
            ));
        }
        let now = self.clock.now_ms();
        let deadline = obtained_at_ms.unwrap_or(now).saturating_add(wire::DATA_TOKEN_LIFETIME_MS);
        if now >= deadline {
            return Err(Error::new(
                ErrorCode::TokenExpired,
                "the data token is older than its 2-minute lifetime; ask the user again",
            ));
        }
        let path = wire::open_data_path(&self.config.app_id);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = self.call(Method::Get, &path, &[("openData", data_token)], Vec::new(), data_token).await;
            let err = match result {
                Ok(answer) => return self.read_open_data(answer),
                Err(e) => e,
            };
            let retryable = matches!(err.code(), ErrorCode::Network | ErrorCode::Unreachable | ErrorCode::Timeout)
                || err.platform_code() == Some(wire::UNEXPECTED)
                || (err.platform_code().is_none() && err.http_status().is_some_and(|s| s >= 500));
            let wait = self.backoff(attempt);
            let in_time = self.clock.now_ms().saturating_add(wait.as_millis() as u64) < deadline;
            if !retryable || attempt >= self.config.max_attempts || !in_time {
                return Err(err);
            }
            tokio::time::sleep(wait).await;
        }
    }

    fn read_open_data(&self, answer: Answer) -> Result<OpenData> {
        let user_data = answer.data.get("userData").and_then(Value::as_str).ok_or_else(|| {
            Error::new(ErrorCode::InvalidResponse, "the Binance Open Service answered success without data.userData")
                .with_status(answer.status)
        })?;
        match &self.config.key {
            Some(key) => key.decrypt_user_data(user_data),
            None => Err(Error::new(ErrorCode::InvalidConfig, "no RSA private key is configured")),
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.config.backoff.saturating_mul(1u32 << attempt.saturating_sub(1).min(6))
    }

    /// Sends a template message with one push token. Retries 900231 (rate limit: not
    /// sent) with backoff; never retries anything else (a repeated send could deliver
    /// twice, and 9002xx never heal).
    pub async fn send_push_message(&self, push_token: &str, message: &PushMessage) -> Result<PushOutcome> {
        check_token("push token", push_token)?;
        let body = self.send_body(push_token, message)?;
        let path = wire::send_path(&self.config.app_id);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match self.call(Method::Post, &path, &[], body.clone(), push_token).await {
                Ok(answer) => return read_push_outcome(&answer),
                Err(e) if e.code() == ErrorCode::RateLimited && attempt < self.config.max_attempts => {
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn send_body(&self, push_token: &str, m: &PushMessage) -> Result<Vec<u8>> {
        let bad = |what: &str| Error::new(ErrorCode::InvalidArgument, format!("the push message's {what}"));
        if m.template_id.is_empty() || m.template_id.len() > 128 {
            return Err(bad("template id must be 1 to 128 bytes"));
        }
        if m.language.is_empty() || m.language.len() > 16 {
            return Err(bad("language must be 1 to 16 bytes (e.g. \"en\")"));
        }
        if m.path.as_ref().is_some_and(|p| p.is_empty() || p.len() > 512) {
            return Err(bad("path must be 1 to 512 bytes when given"));
        }
        if m.parameters.len() > MAX_PARAMETERS || m.parameters.iter().any(|p| p.name.is_empty() || p.name.len() > 64) {
            return Err(bad(&format!("parameters must be at most {MAX_PARAMETERS}, each with a 1 to 64 byte name")));
        }
        let body = SendBody {
            app_id: self.config.app_id.clone(),
            push_token: push_token.to_owned(),
            template_id: m.template_id.clone(),
            language: m.language.clone(),
            path: m.path.clone(),
            parameters: m.parameters.clone(),
        };
        let bytes = serde_json::to_vec(&body).map_err(|_| bad("could not be encoded as JSON"))?;
        if bytes.len() > MAX_SEND_BODY_BYTES {
            return Err(bad(&format!("body is over {MAX_SEND_BODY_BYTES} bytes; shorten the parameters")));
        }
        Ok(bytes)
    }
}

fn read_push_outcome(answer: &Answer) -> Result<PushOutcome> {
    let status = answer.data.get("statusCode").and_then(Value::as_str);
    match status {
        Some(wire::OK) => Ok(PushOutcome::Sent),
        Some(wire::STATUS_USER_REFUSED_ALL) => Ok(PushOutcome::UserRefusedAll),
        Some(wire::STATUS_USER_DECLINED_TEMPLATE) => Ok(PushOutcome::UserDeclinedTemplate),
        Some(other) => Err(Error::new(
            ErrorCode::InvalidResponse,
            "the Binance Open Service answered an unknown data.statusCode; the message may or may not have been sent",
        )
        .with_platform(other, None)
        .with_status(answer.status)),
        None => Err(Error::new(
            ErrorCode::InvalidResponse,
            "the Binance Open Service answered success without data.statusCode",
        )
        .with_status(answer.status)),
    }
}

/// The typed error for a platform code, with what to check.
fn platform_error(code: &str, message: Option<String>) -> Error {
    let (kind, text) = match code {
        wire::INVALID_PARAMETER => (ErrorCode::InvalidArgument, "the Binance Open Service refused a parameter (900001); check the app id, template id and parameters"),
        wire::JWT_AUTH_FAILED => (ErrorCode::AuthFailed, "the Binance Open Service refused the signature (900002); check MPCB_BINANCE_ACCESS_KEY, MPCB_BINANCE_SECRET_KEY and the server clock"),
        wire::UNEXPECTED => (ErrorCode::PlatformRejected, "the Binance Open Service failed unexpectedly (900003); retry later"),
        wire::DATA_TOKEN_EXPIRED => (ErrorCode::TokenExpired, "the data token expired (900200; it lives 2 minutes); ask the user again"),
        wire::DATA_TOKEN_INVALID => (ErrorCode::TokenInvalid, "the data token is invalid or was already used (900201); ask the user again"),
        wire::PUSH_TOKEN_INVALID => (ErrorCode::TokenInvalid, "the push token is invalid, expired or already used (900230); ask the user to subscribe again"),
        wire::RATE_LIMIT => (ErrorCode::RateLimited, "the Binance Open Service rate-limited the send (900231); the message was not sent, retry later"),
        _ => (ErrorCode::PlatformRejected, "the Binance Open Service refused the call with a code this crate does not know"),
    };
    Error::new(kind, text).with_platform(code, message)
}
