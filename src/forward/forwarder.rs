//! The forwarding loop, pure: claims the tokens of a request (one key per token), fetches
//! the custom headers within the request timeout, sends through a [`Transport`], retries
//! transient failures with the same key while the tokens are alive, reads the answer,
//! and scrubs the tokens from any error. Time comes from a [`Clock`], so every rule is
//! tested natively with a fake transport and a fake clock.

use crate::prelude::*;

use super::once::{fingerprint, Claim, Finish, OnceRegistry, TokenRef};
use super::outgoing::{outgoing, Outgoing};
use super::transport::{Clock, HeaderSource, HttpRequest, HttpResponse, Transport, TransportFailure};
use super::{
    invalid_response, is_error_envelope, rejected, AttemptOutcome, BackendUrl, RetryPolicy, Routes, EXPIRY_MARGIN_MS,
    MAX_BODY_BYTES,
};
use crate::consent::{parse_json, Consent, HostValue, JsonError, Limits};
use crate::error::{BridgeError, ErrorCode};
use crate::wire::IDEMPOTENCY_HEADER;
use alloc::rc::Rc;
use core::cell::RefCell;
use core::fmt;
use core::future::{poll_fn, Future};
use core::task::Poll;

/// Sends consents to the merchant backend.
pub struct Forwarder {
    base: BackendUrl,
    routes: Routes,
    headers: Box<dyn HeaderSource>,
    timeout_ms: u32,
    policy: RetryPolicy,
    transport: Rc<dyn Transport>,
    clock: Rc<dyn Clock>,
    registry: RefCell<OnceRegistry>,
}

impl fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forwarder")
            .field("base", &self.base)
            .field("routes", &self.routes)
            .field("timeout_ms", &self.timeout_ms)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Records how a claimed request ended when dropped, whichever way the forward ends
/// (a result, an error, or a Rust caller dropping the future mid-flight), so a token is
/// never left "in flight" for good.
struct ClaimGuard<'a> {
    registry: &'a RefCell<OnceRegistry>,
    claim: Option<Claim>,
    finish: Finish,
}

impl Drop for ClaimGuard<'_> {
    fn drop(&mut self) {
        if let Some(claim) = self.claim.take() {
            self.registry.borrow_mut().finish(&claim, self.finish);
        }
    }
}

fn token_expired() -> BridgeError {
    BridgeError::new(
        ErrorCode::TokenExpired,
        "The token is too close to its expiry to be exchanged (or expired while the backend was unreachable); nothing more was sent. Ask the user again.",
    )
}

fn headers_timeout() -> BridgeError {
    BridgeError::new(
        ErrorCode::InvalidConfig,
        "options.headers() did not settle within timeoutMs; it must return (a promise of) an object of string header values promptly. Nothing was sent.",
    )
}

/// Resolves with `future`'s output, or `None` if `timer` (made on first need) fires first.
async fn within<T>(future: impl Future<Output = T>, timer: impl FnOnce() -> super::LocalFuture<()>) -> Option<T> {
    let mut future = core::pin::pin!(future);
    let mut timer = Some(timer);
    let mut armed: Option<super::LocalFuture<()>> = None;
    poll_fn(move |cx| {
        if let Poll::Ready(value) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        if armed.is_none() {
            armed = timer.take().map(|make| make());
        }
        let fired = armed.as_mut().is_some_and(|t| t.as_mut().poll(cx).is_ready());
        if fired {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Limits for reading a backend body: anything valid JSON within the size cap.
const BODY_LIMITS: Limits = Limits { max_depth: 128, max_nodes: MAX_BODY_BYTES, max_string_len: MAX_BODY_BYTES };

impl Forwarder {
    /// A forwarder to `base` over `transport`, with time from `clock`.
    pub fn new(
        base: BackendUrl,
        routes: Routes,
        headers: Box<dyn HeaderSource>,
        timeout_ms: u32,
        policy: RetryPolicy,
        transport: Rc<dyn Transport>,
        clock: Rc<dyn Clock>,
    ) -> Self {
        Forwarder { base, routes, headers, timeout_ms, policy, transport, clock, registry: RefCell::default() }
    }

    /// Remembers the tokens of a consent this bridge hands to the page, so that one passed
    /// back with an edited `obtainedAt` still expires when the host's token does.
    pub fn note_issued(&self, consent: &Consent) {
        if let Some(out) = outgoing(consent, &self.routes) {
            let now = self.clock.now_ms();
            let mut registry = self.registry.borrow_mut();
            for s in &out.secrets {
                registry.note_issued(TokenRef { fingerprint: fingerprint(s.value), expires_at: s.expires_at }, now);
            }
        }
    }

    /// When `token`, handed out earlier by this bridge, really expires (if remembered).
    pub fn issued_expiry(&self, token: &str) -> Option<u64> {
        self.registry.borrow().issued_expiry(fingerprint(token))
    }

    /// Forwards `consent` to its route; resolves with the backend's JSON answer as text,
    /// or `None` when there was nothing to send (a subscription that accepted nothing).
    pub async fn forward(&self, consent: &Consent) -> Result<Option<String>, BridgeError> {
        match outgoing(consent, &self.routes) {
            Some(out) => self.post(out).await.map(Some),
            None => Ok(None),
        }
    }

    /// POSTs one request: each token under one idempotency key for its whole life,
    /// retried on transient failures, never past the deadline, never twice after a
    /// success, never while another forward of it is in flight.
    pub async fn post(&self, mut out: Outgoing<'_>) -> Result<String, BridgeError> {
        let secrets: Vec<&str> = out.secrets.iter().map(|s| s.value).collect();
        let tokens: Vec<TokenRef> = {
            let registry = self.registry.borrow();
            out.secrets
                .iter()
                .map(|s| {
                    let fingerprint = fingerprint(s.value);
                    // A token this bridge handed out dies when the host said, whatever
                    // `obtainedAt` the page sends back.
                    let issued = registry.issued_expiry(fingerprint).unwrap_or(u64::MAX);
                    TokenRef { fingerprint, expires_at: s.expires_at.min(issued) }
                })
                .collect()
        };
        if let Some(end) = tokens.iter().map(|t| t.expires_at).min() {
            let deadline = end.saturating_sub(EXPIRY_MARGIN_MS);
            out.deadline = Some(out.deadline.map_or(deadline, |d| d.min(deadline)));
        }
        let claim = if tokens.is_empty() {
            None
        } else {
            let now = self.clock.now_ms();
            let request = fingerprint(&out.body);
            Some(self.registry.borrow_mut().claim(&tokens, request, now, || self.clock.new_key())?)
        };
        let key = match &claim {
            Some(claim) => claim.key.clone(),
            None => self.clock.new_key(),
        };
        let mut guard = ClaimGuard { registry: &self.registry, claim, finish: Finish::NotSent };
        let result = self.attempts(&out, key, &secrets, &mut guard.finish).await;
        if result.is_ok() {
            guard.finish = Finish::Forwarded;
        }
        drop(guard);
        result.map_err(|e| e.scrubbed(&secrets))
    }

    fn expired(&self, deadline: Option<u64>, wait_ms: u32) -> bool {
        deadline.is_some_and(|d| self.clock.now_ms().saturating_add(u64::from(wait_ms)) >= d)
    }

    async fn attempts(
        &self,
        out: &Outgoing<'_>,
        key: String,
        secrets: &[&str],
        finish: &mut Finish,
    ) -> Result<String, BridgeError> {
        let clock = &self.clock;
        let mut headers =
            within(self.headers.headers(), || clock.sleep(self.timeout_ms)).await.ok_or_else(headers_timeout)??;
        headers.push(("Content-Type".into(), "application/json".into()));
        headers.push((IDEMPOTENCY_HEADER.into(), key));
        let request = HttpRequest {
            url: self.base.join(out.route),
            headers,
            body: out.body.clone(),
            timeout_ms: self.timeout_ms,
        };
        let mut retry = 0;
        loop {
            if self.expired(out.deadline, 0) {
                return Err(token_expired());
            }
            *finish = Finish::Sent;
            let sent = self.transport.send(request.clone()).await;
            let outcome = match &sent {
                Ok(r) if (200..300).contains(&r.status) => None,
                Ok(r) => Some(AttemptOutcome::Status(r.status, r.retry_after)),
                Err(TransportFailure::Timeout) => Some(AttemptOutcome::Timeout),
                Err(TransportFailure::Network(_)) => Some(AttemptOutcome::Network),
                Err(TransportFailure::Unsupported) => None,
            };
            retry += 1;
            if let Some(delay) = outcome.and_then(|o| self.policy.delay_ms(retry, o, clock.jitter())) {
                // The answer is not needed any more: free its body before waiting.
                drop(sent);
                if self.expired(out.deadline, delay) {
                    return Err(token_expired());
                }
                clock.sleep(delay).await;
                continue;
            }
            return read_answer(sent, secrets);
        }
    }
}

/// The backend's answer as the caller sees it: a 2xx JSON body is the result (as text);
/// anything else is a typed error with the backend's own words, tokens scrubbed.
pub fn read_answer(sent: Result<HttpResponse, TransportFailure>, secrets: &[&str]) -> Result<String, BridgeError> {
    let response = match sent {
        Ok(r) => r,
        Err(TransportFailure::Timeout) => {
            return Err(BridgeError::new(ErrorCode::BackendTimeout, "The backend did not answer in time, after retries. The consent may still be valid: forward the same consent again soon (it keeps its idempotency key)."))
        }
        Err(TransportFailure::Network(_)) => {
            return Err(BridgeError::new(ErrorCode::Network, "The backend could not be reached, after retries. Check the connection (and, in a browser, CORS), then let the user retry."))
        }
        Err(TransportFailure::Unsupported) => {
            return Err(BridgeError::new(
                ErrorCode::HostUnavailable,
                "This runtime has neither fetch nor a host request API (bn.request / my.request); pass options.host or run where fetch exists.",
            ))
        }
    };
    let status = response.status;
    let ok = (200..300).contains(&status);
    let Some(body) = response.body else {
        return Err(if ok {
            invalid_response(status, "its body is over the size cap")
        } else {
            rejected(status, None, secrets)
        });
    };
    let parsed = match parse_json(&body, BODY_LIMITS) {
        Ok(value) => Some(value),
        // JSON.parse keeps the last of repeated keys; the answer is still JSON.
        Err(JsonError::DuplicateKey) => Some(HostValue::Null),
        Err(JsonError::Syntax | JsonError::TooLarge) => None,
    };
    match parsed {
        _ if !ok => Err(rejected(status, parsed.as_ref(), secrets)),
        Some(value) if is_error_envelope(&value) => Err(rejected(status, Some(&value), secrets)),
        Some(_) => Ok(body),
        None => Err(invalid_response(status, "its body is not JSON")),
    }
}
