//! The transport seam: one POST of a JSON body, over `fetch` or the host's request API.

use crate::prelude::*;

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
    /// The body as text (already checked against the size cap where the length was known).
    pub body: String,
}

/// Why no answer arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportFailure {
    /// Connection refused, reset, CORS, DNS: the host's or browser's own words.
    Network(String),
    /// Aborted by the timeout.
    Timeout,
    /// A 2xx answer announced a body over the cap.
    TooLarge(u16),
    /// The transport cannot work in this runtime (no `host.request`).
    Unsupported,
}

/// A boxed, non-`Send` future (JS futures live on one thread).
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// Sends one request. Implementations must clear every timer they arm when the request
/// settles.
pub trait Transport {
    /// POSTs `request` and resolves with the answer or why none came.
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, TransportFailure>>;
}
