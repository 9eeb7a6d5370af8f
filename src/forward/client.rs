//! The forwarding client: builds each request, retries transient failures with the same
//! idempotency key, reads the answer, and records successful forwards.

use crate::prelude::*;
use crate::text::join;

use super::transport::{HttpRequest, Transport, TransportFailure};
use super::{
    fingerprint, invalid_response, is_error_envelope, rejected, uuid_v4, validate_header, AttemptOutcome, BackendUrl,
    OnceRegistry, RetryPolicy, Routes, MAX_BODY_BYTES,
};
use crate::consent::Limits;
use crate::error::{BridgeError, ErrorCode};
use crate::host::to_host_value;
use crate::sys;
use crate::wire::IDEMPOTENCY_HEADER;
use alloc::rc::Rc;
use core::cell::RefCell;
use core::fmt;
use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Where custom headers come from: fixed at construction, or a function called before
/// each forward (for a session token that changes).
#[derive(Clone)]
pub enum HeaderSource {
    /// Validated once.
    Fixed(Vec<(String, String)>),
    /// Called before each forward; may return an object or a promise of one.
    Dynamic(Function),
}

impl fmt::Debug for HeaderSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Header values are often credentials: show names only.
            HeaderSource::Fixed(h) => {
                f.debug_tuple("Fixed").field(&h.iter().map(|(k, _)| k).collect::<Vec<_>>()).finish()
            }
            HeaderSource::Dynamic(_) => f.write_str("Dynamic(<function>)"),
        }
    }
}

/// Reads and validates a headers object (`{name: value}` with string values).
pub fn headers_from_js(value: &JsValue, source: &str) -> Result<Vec<(String, String)>, BridgeError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let bad =
        || BridgeError::new(ErrorCode::InvalidConfig, format!("{source} must be an object of string header values."));
    let keys = sys::object_keys(value).map_err(|_| bad())?;
    if !value.is_object() || sys::is_array(value) {
        return Err(bad());
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for key in keys.iter() {
        let name = key.as_string().ok_or_else(bad)?;
        let header_value = sys::get(value, &name).as_string().ok_or_else(bad)?;
        validate_header(&name, &header_value)?;
        if headers.iter().any(|(seen, _)| seen.eq_ignore_ascii_case(&name)) {
            // fetch would join the two values ("a, b"), a malformed credential.
            return Err(BridgeError::new(
                ErrorCode::InvalidConfig,
                format!("{source} sets header {name} twice (header names ignore case); keep one."),
            ));
        }
        headers.push((name, header_value));
    }
    Ok(headers)
}

/// Sends consents to the merchant backend.
pub struct Forwarder {
    /// The validated base URL.
    pub base: BackendUrl,
    /// The route of each consent kind.
    pub routes: Routes,
    /// Custom headers.
    pub headers: HeaderSource,
    /// Per-request timeout, ms.
    pub timeout_ms: u32,
    /// Retry policy.
    pub policy: RetryPolicy,
    /// The transport in use.
    pub transport: Rc<dyn Transport>,
    /// Idempotency keys and forwarded consents.
    pub registry: RefCell<OnceRegistry>,
}

impl fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forwarder")
            .field("base", &self.base)
            .field("routes", &self.routes)
            .field("headers", &self.headers)
            .field("timeout_ms", &self.timeout_ms)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Resolves after `ms` (the timer always fires, so nothing is left behind).
async fn sleep(ms: u32) {
    let mut armed = false;
    let promise = Promise::new(&mut |resolve, _| armed = sys::set_timeout(&resolve, f64::from(ms)).is_ok());
    if armed {
        let _ = JsFuture::from(promise).await;
    }
}

fn random_key() -> String {
    let mut bytes = [0u8; 16];
    sys::random_bytes(&mut bytes);
    uuid_v4(bytes)
}

impl Forwarder {
    async fn current_headers(&self) -> Result<Vec<(String, String)>, BridgeError> {
        match &self.headers {
            HeaderSource::Fixed(h) => Ok(h.clone()),
            HeaderSource::Dynamic(f) => {
                let failed = || {
                    BridgeError::new(
                        ErrorCode::InvalidConfig,
                        "options.headers() threw or rejected; it must return an object of string header values.",
                    )
                };
                let mut value = f.call0(&JsValue::NULL).map_err(|_| failed())?;
                if sys::method(&value, "then").is_some() {
                    value = JsFuture::from(Promise::resolve(&value)).await.map_err(|_| failed())?;
                }
                headers_from_js(&value, "The object returned by options.headers()")
            }
        }
    }

    /// POSTs `body` to `route`, retrying transient failures with one idempotency key, and
    /// resolves with the backend's JSON answer. `secrets` are the tokens in the body: each
    /// is sent at most once per bridge, and the request keeps its key across calls; with no
    /// secrets (public profile data) every call is a new request. No attempt starts, and
    /// no retry waits, past `deadline` (ms since the epoch): the tokens would be expired.
    pub async fn post(
        &self,
        route: &str,
        body: String,
        secrets: &[&str],
        deadline: Option<u64>,
    ) -> Result<JsValue, BridgeError> {
        let parts: Vec<u64> = secrets.iter().map(|s| fingerprint(s)).collect();
        let bundle = (!secrets.is_empty()).then(|| fingerprint(&join(secrets.iter().copied(), "\n")));
        let key = match bundle {
            Some(bundle) => self.registry.borrow_mut().key_for(bundle, &parts, random_key)?,
            None => random_key(),
        };
        let mut headers = self.current_headers().await?;
        headers.push(("Content-Type".into(), "application/json".into()));
        headers.push((IDEMPOTENCY_HEADER.into(), key));
        let request = HttpRequest { url: self.base.join(route), headers, body, timeout_ms: self.timeout_ms };
        let expired = |extra_ms: u32| deadline.is_some_and(|d| sys::now_ms().saturating_add(u64::from(extra_ms)) >= d);
        let mut retry = 0;
        loop {
            if expired(0) {
                return Err(token_expired());
            }
            let sent = self.transport.send(request.clone()).await;
            let outcome = match &sent {
                Ok(r) if (200..300).contains(&r.status) => None,
                Ok(r) => Some(AttemptOutcome::Status(r.status, r.retry_after)),
                Err(TransportFailure::Timeout) => Some(AttemptOutcome::Timeout),
                Err(TransportFailure::Network(_)) => Some(AttemptOutcome::Network),
                Err(TransportFailure::TooLarge(_) | TransportFailure::Unsupported) => None,
            };
            retry += 1;
            if let Some(delay) = outcome.and_then(|o| self.policy.delay_ms(retry, o, js_sys::Math::random())) {
                if expired(delay) {
                    return Err(token_expired());
                }
                sleep(delay).await;
                continue;
            }
            let result = read_answer(sent);
            if let (Ok(_), Some(bundle)) = (&result, bundle) {
                self.registry.borrow_mut().mark_forwarded(bundle, &parts);
            }
            return result;
        }
    }
}

fn token_expired() -> BridgeError {
    BridgeError::new(
        ErrorCode::TokenExpired,
        "The token is too close to its expiry to be exchanged (or expired while the backend was unreachable); nothing more was sent. Ask the user again.",
    )
}

fn read_answer(sent: Result<super::transport::HttpResponse, TransportFailure>) -> Result<JsValue, BridgeError> {
    let response = match sent {
        Ok(r) => r,
        Err(TransportFailure::Timeout) => {
            return Err(BridgeError::new(ErrorCode::BackendTimeout, "The backend did not answer in time, after retries. The consent may still be valid: let the user retry soon."))
        }
        Err(TransportFailure::Network(_)) => {
            return Err(BridgeError::new(ErrorCode::Network, "The backend could not be reached, after retries. Check the connection (and, in a browser, CORS), then let the user retry."))
        }
        Err(TransportFailure::TooLarge(status)) => return Err(invalid_response(status, "its body is over the size cap")),
        Err(TransportFailure::Unsupported) => {
            return Err(BridgeError::new(
                ErrorCode::HostUnavailable,
                "This runtime has neither fetch nor a host request API (bn.request / my.request); pass options.host or run where fetch exists.",
            ))
        }
    };
    let status = response.status;
    if response.body.len() > MAX_BODY_BYTES {
        return Err(if (200..300).contains(&status) {
            invalid_response(status, "its body is over the size cap")
        } else {
            rejected(status, None)
        });
    }
    let parsed = js_sys::JSON::parse(&response.body).ok();
    // Only an error answer is copied out of JS (to read its code and message); a large
    // but valid 2xx answer is returned as it is.
    let envelope =
        |v: &JsValue| to_host_value(v, Limits { max_depth: 16, max_nodes: 4096, max_string_len: MAX_BODY_BYTES }).ok();
    if !(200..300).contains(&status) {
        return Err(rejected(status, parsed.as_ref().and_then(envelope).as_ref()));
    }
    match parsed {
        Some(value) if sys::get(&value, "success").as_bool() == Some(false) => {
            let body = envelope(&value);
            Err(rejected(status, body.as_ref().filter(|b| is_error_envelope(b))))
        }
        Some(value) => Ok(value),
        None => Err(invalid_response(status, "its body is not JSON")),
    }
}
