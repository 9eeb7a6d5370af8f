//! The seams of the forwarder: one POST of a JSON body (a [`Transport`]: fetch, the
//! host's request API, gloo-net, or a fake in tests), time (a [`Clock`]) and the custom
//! headers of each request (a [`HeaderSource`]). All pure: the wasm implementations live
//! in `crate::transport`.

use crate::prelude::*;

use crate::error::BridgeError;
use core::future::Future;
use core::pin::Pin;

/// One request to the backend. Tokens are only ever in `body`.
#[derive(Clone)]
pub struct HttpRequest {
    /// Absolute URL (validated base + route).
    pub url: String,
    /// Headers, already validated; includes `Content-Type` and `Idempotency-Key`.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: String,
    /// Abort after this many ms.
    pub timeout_ms: u32,
}

impl core::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("url", &self.url)
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("body", &"<redacted>")
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// An answer from the backend, whatever its status.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// `Retry-After` in seconds, when given as seconds.
    pub retry_after: Option<u32>,
    /// The body as text, at most [`super::MAX_BODY_BYTES`] bytes of it after decoding;
    /// `None` when it was longer (the transport stopped reading at the cap).
    pub body: Option<String>,
}

/// Why no answer arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportFailure {
    /// Connection refused, reset, CORS, DNS: the host's or browser's own words.
    Network(String),
    /// Aborted by the timeout.
    Timeout,
    /// The transport cannot work in this runtime (no `host.request`).
    Unsupported,
}

/// A boxed, non-`Send` future (JS futures live on one thread).
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// Sends one request. Implementations must clear every timer they arm when the request
/// settles, and must stop reading a body past [`super::MAX_BODY_BYTES`] decoded bytes.
pub trait Transport {
    /// POSTs `request` and resolves with the answer or why none came.
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, TransportFailure>>;
}

/// Time, for deadlines and retry waits.
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// Resolves after `ms`.
    fn sleep(&self, ms: u32) -> LocalFuture<()>;
    /// A number in `[0, 1)` for retry jitter.
    fn jitter(&self) -> f64;
    /// A fresh, unpredictable idempotency key.
    fn new_key(&self) -> String;
}

/// The custom headers of each request: fixed, or produced per request (a session token
/// that changes). The forwarder bounds the wait with the request timeout.
pub trait HeaderSource {
    /// The validated headers for the next request.
    fn headers(&self) -> LocalFuture<Result<Vec<(String, String)>, BridgeError>>;
}

/// Headers fixed at construction (already validated).
#[derive(Clone, Default)]
pub struct FixedHeaders(pub Vec<(String, String)>);

impl core::fmt::Debug for FixedHeaders {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Header values are often credentials: names only.
        f.debug_tuple("FixedHeaders").field(&self.0.iter().map(|(k, _)| k).collect::<Vec<_>>()).finish()
    }
}

impl HeaderSource for FixedHeaders {
    fn headers(&self) -> LocalFuture<Result<Vec<(String, String)>, BridgeError>> {
        let headers = self.0.clone();
        Box::pin(async move { Ok(headers) })
    }
}
