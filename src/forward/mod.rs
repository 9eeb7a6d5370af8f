//! The typed HTTP layer, pure: options and the wire format, envelopes, retries, the
//! exactly-once bookkeeping and the forwarding loop, over the [`Transport`], [`Clock`]
//! and [`HeaderSource`] seams. The wasm transports live in `crate::transport`.

mod config;
mod envelope;
mod forwarder;
mod once;
mod outgoing;
mod retry;
mod transport;

pub use config::{validate_header, BackendUrl, Routes, MAX_HEADER_NAME_LEN, MAX_HEADER_VALUE_LEN, ROUTE_KEYS};
pub use envelope::{invalid_response, is_error_envelope, rejected, MAX_BODY_BYTES};
pub use forwarder::{read_answer, Forwarder};
#[cfg(target_arch = "wasm32")]
pub(crate) use once::uuid_v4;
pub use once::{Claim, Finish, OnceRegistry, TokenRef, ISSUED_RETAIN_MS, MAX_LIVE_TOKENS};
pub use outgoing::{outgoing, Outgoing, Secret};
pub use retry::{parse_retry_after, AttemptOutcome, RetryPolicy, DEFAULT_RETRIES, MAX_RETRIES};
pub use transport::{
    Clock, FixedHeaders, HeaderSource, HttpRequest, HttpResponse, LocalFuture, Transport, TransportFailure,
};

/// Default time one request to the backend may take, ms.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// Safety margin kept before a data token's expiry: a token this close to expiring is not
/// sent, because the backend still has to exchange it with the platform.
pub const EXPIRY_MARGIN_MS: u64 = 15_000;
