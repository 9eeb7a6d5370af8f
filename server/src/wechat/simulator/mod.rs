//! A WeChat server API simulator for tests, benchmarks and the demo (loopback only).
//!
//! It enforces what the platform documents, and never accepts anything else:
//! - `POST /cgi-bin/stable_token` checks `grant_type`, `appid` (`40013`) and `secret`
//!   (`40125`); normal mode answers the same token while more than 5 minutes of it are
//!   left (assumed: then a new one, the old staying valid until it expires), forced mode
//!   invalidates the old token at once;
//! - every API taking `access_token` answers `41001` without one, `40014` for a
//!   malformed one, `40001` for an unknown or invalidated one and `42001` for an expired
//!   one;
//! - `GET /sns/jscode2session` checks the app id and secret, and the login code: issued
//!   here, 5 minutes, single use (`40029` unknown or expired, `40163` used, `40226` for a
//!   blocked user);
//! - `POST /wxa/business/getuserphonenumber` takes a phone code issued here (5 minutes,
//!   single use, `40029` otherwise) and answers `phone_info` with this app's watermark;
//! - `POST /cgi-bin/message/subscribe/send` needs a known openid (`40003`), a template id
//!   (`40037`), `data` as `{key: {value: string}}` (`47003`) and an unspent accept for the
//!   template (`43101` otherwise): one accept allows one message.
//!
//! Test endpoints (CORS-enabled, the host simulator page's `wx` calls them):
//! `POST /__sim/login-code` `{user?, unionid?, blocked?}` → `{code, openid}` (what
//! `wx.login()` gives); `POST /__sim/phone-code` `{user?, phoneNumber?, countryCode?}` →
//! `{code}` (the `getPhoneNumber` button's `detail.code`); `POST /__sim/subscribe`
//! `{user?, verdicts: {tmplId: "accept" | "reject" | "ban" | "filter"}}` records what
//! `wx.requestSubscribeMessage` answered and returns WeChat's success shape;
//! `GET /__sim/sent` lists the messages sent; `POST /__sim/token` `{action: "expire" |
//! "rotate"}`; `POST /__sim/fault` scripts `busy` (-1), `rateLimit` (45011),
//! `expiredToken` (42001), `errcode`, `foreignWatermark`, `http500` or `slow`;
//! `POST /__sim/clock` `{advanceMs}`; `GET /__sim/stats`; `POST /__sim/reset`.
//! The clock is injectable ([`SimConfig::with_clock`]) so tests age codes without waiting.

mod handlers;
mod state;

pub use state::{openid_of, Fault, FaultKind, SimConfig, CODE_LIFETIME_MS, TOKEN_LIFETIME_SECS};

use crate::sim_kit;
use axum::routing::{get, post};
use axum::Router;
use state::Shared;

/// The simulator's router.
pub fn app(config: SimConfig) -> Router {
    Router::new()
        .route("/cgi-bin/stable_token", post(handlers::stable_token))
        .route("/sns/jscode2session", get(handlers::jscode2session))
        .route("/wxa/business/getuserphonenumber", post(handlers::phone_number))
        .route("/cgi-bin/message/subscribe/send", post(handlers::send))
        .route("/__sim/login-code", post(handlers::issue_login_code).options(sim_kit::preflight))
        .route("/__sim/phone-code", post(handlers::issue_phone_code).options(sim_kit::preflight))
        .route("/__sim/subscribe", post(handlers::subscribe).options(sim_kit::preflight))
        .route("/__sim/sent", get(handlers::sent).options(sim_kit::preflight))
        .route("/__sim/token", post(handlers::token_action).options(sim_kit::preflight))
        .route("/__sim/fault", post(sim_kit::add_fault).options(sim_kit::preflight))
        .route("/__sim/clock", post(sim_kit::move_clock).options(sim_kit::preflight))
        .route("/__sim/stats", get(handlers::stats).options(sim_kit::preflight))
        .route("/__sim/reset", post(handlers::reset).options(sim_kit::preflight))
        .route("/health", get(sim_kit::health))
        .with_state({
            let clock = config.clock.clone();
            Shared::new(config, clock)
        })
}
