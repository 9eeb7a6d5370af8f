//! The typed HTTP layer: options, the wire format, envelopes, retries and exactly-once
//! bookkeeping in pure Rust; the transports (fetch and the host's request API) on wasm.

mod config;
mod envelope;
mod once;
mod retry;

pub use config::{validate_header, BackendUrl, Routes, MAX_HEADER_VALUE_LEN};
pub use envelope::{invalid_response, is_error_envelope, rejected, MAX_BODY_BYTES};
pub use once::{fingerprint, uuid_v4, OnceRegistry};
pub use retry::{parse_retry_after, AttemptOutcome, RetryPolicy, DEFAULT_RETRIES, MAX_RETRIES};

/// Default time one request to the backend may take, ms.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// Safety margin kept before a data token's expiry: a token this close to expiring is not
/// sent, because the backend still has to exchange it with the platform.
pub const EXPIRY_MARGIN_MS: u64 = 15_000;

#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
mod fetch;
#[cfg(target_arch = "wasm32")]
mod host_request;
#[cfg(target_arch = "wasm32")]
mod transport;

#[cfg(target_arch = "wasm32")]
pub use client::{headers_from_js, Forwarder, HeaderSource};
#[cfg(target_arch = "wasm32")]
pub use fetch::FetchTransport;
#[cfg(target_arch = "wasm32")]
pub use host_request::HostRequestTransport;
#[cfg(target_arch = "wasm32")]
pub use transport::{HttpRequest, HttpResponse, LocalFuture, Transport, TransportFailure};
