//! An Alipay+ gateway simulator for tests, benchmarks and the demo (loopback only).
//!
//! It behaves like the platform as far as this project can know it:
//! - issues auth codes to the host simulator (`POST /sim/auth-code`, CORS-enabled, as
//!   `my.getAuthCode` would) for the scopes the user ticked;
//! - verifies every request exactly: `Client-Id`, a fresh `Request-Time`, and the
//!   `Signature` header (URL-encoded as documented, the configured `keyVersion`,
//!   SHA256withRSA under the merchant's public key over the exact bytes received);
//! - signs every answer with the platform key (`Client-Id`, `Response-Time`, `Signature`);
//! - enforces single use and expiry of auth codes and refresh tokens, and expiry of
//!   access tokens; answers `userInfo` with the fields the granted scopes allow;
//! - can be told (`POST /__sim/fault`) to answer `U` a few times, `F` with any code, a bad
//!   response signature, no signature, a signed body that is not JSON, an unsigned
//!   HTTP 500, or a slow answer; and its clock can be moved
//!   (`POST /__sim/clock`) to expire codes and tokens without waiting (the `Request-Time`
//!   freshness check keeps using the real clock).
//!
//! Lifetimes are the simulator's choice (documented only as "expires within a day" for
//! codes): codes 10 minutes, access tokens 1 hour, refresh tokens 30 days.

mod handlers;
mod state;

pub use state::{Fault, FaultKind, Received, SimConfig};

use crate::clock::SystemClock;
use crate::sim_kit;
use axum::routing::{get, post};
use axum::Router;
use state::Shared;
use std::sync::Arc;

/// The simulator's router.
pub fn app(config: SimConfig) -> Router {
    let shared = Shared::new(config, Arc::new(SystemClock));
    let apply = shared.config.apply_token_path.clone();
    let inquiry = shared.config.inquiry_user_info_path.clone();
    Router::new()
        .route(&apply, post(handlers::apply_token))
        .route(&inquiry, post(handlers::inquiry_user_info))
        .route("/sim/auth-code", post(handlers::issue_auth_code).options(sim_kit::preflight))
        .route("/__sim/fault", post(sim_kit::add_fault).options(sim_kit::preflight))
        .route("/__sim/clock", post(sim_kit::move_clock).options(sim_kit::preflight))
        .route("/__sim/received", get(handlers::received))
        .route("/__sim/reset", post(handlers::reset))
        .route("/health", get(sim_kit::health))
        .with_state(shared)
}
