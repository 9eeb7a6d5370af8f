//! Alipay+: the merchant's half of the silent-authorization flow.
//!
//! The page gets a single-use `authCode` from `my.getAuthCode`, the bridge forwards it,
//! and the merchant server exchanges it (`applyToken`) for an access token and the user
//! id, queries the user (`inquiryUserInfo`), and keeps a session ([`session`]); the
//! access token never leaves the server.
//!
//! One job per module: [`sign`] (pure signer and verifier), [`wire`] (JSON bodies),
//! [`config`], [`client`] (signed calls, verified answers, bounded retries), [`errors`]
//! (result codes to typed errors), [`session`] (sessions in the SQLite store),
//! [`timefmt`] (ISO 8601 times) and, with the `simulator` feature, [`simulator`] (a
//! gateway simulator for tests and the demo).
//!
//! What comes from documentation and what is assumed is said in each module's docs and
//! in the README's Alipay+ section.

pub mod client;
pub mod config;
pub mod errors;
pub mod session;
pub mod sign;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod timefmt;
pub mod wire;

pub use client::{AlipayPlusClient, TokenGrant};
pub use config::AlipayPlusConfig;
pub use session::{Session, SessionStore};
pub use wire::UserInfo;
