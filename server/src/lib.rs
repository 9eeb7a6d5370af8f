//! The merchant backend's half of mp-consent-bridge.
//!
//! A mini program page gets a consent token from the host (`bn.getPhoneNumber`,
//! `bn.requestSubscribeMessage`, ...) and the bridge forwards it to the merchant's
//! backend exactly once. This crate finishes the flow on the server: it exchanges the
//! token with the platform, decrypts what comes back, and keeps single-use push tokens
//! until they are spent.
//!
//! Shared pieces, one module each:
//! - [`error`]: one error type with stable codes whose messages never carry a secret;
//! - [`secret`]: a newtype for keys and tokens (redacted `Debug`, zeroized on drop);
//! - [`http`]: the HTTP-client seam (reqwest over rustls by default; tests may use fakes);
//! - [`clock`]: the clock seam (system time by default);
//! - [`store`]: the push-token store (embedded SQLite by default) with atomic spend.
//!
//! Platform modules: [`binance`] (Binance Open Service: `getOpenData`, `sendPushMessage`);
//! [`alipayplus`] (Alipay+: `applyToken`, `inquiryUserInfo`, sessions, and a gateway
//! simulator behind the `simulator` feature); [`wechat`] (stable access token,
//! `code2Session`, the phone-number exchange, `subscribeMessage.send`, sessions and
//! grants, and an API simulator behind the `simulator` feature).

#![deny(missing_docs)]

pub mod alipayplus;
pub mod binance;
pub mod clock;
pub mod error;
pub mod http;
pub mod secret;
#[cfg(feature = "simulator")]
pub mod sim_kit;
pub mod store;
pub mod wechat;

pub use clock::{Clock, SystemClock};
pub use error::{Error, ErrorCode};
pub use http::{HttpClient, HttpRequest, HttpResponse, ReqwestClient};
pub use secret::Secret;
pub use store::{PushTokenStore, SqliteStore, StoredPushToken};
