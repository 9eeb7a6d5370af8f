//! WeChat: the merchant's half of the mini program login, phone-number and subscription
//! message flows.
//!
//! The page gets single-use codes from the host (`wx.login()` → a login code; the
//! `getPhoneNumber` button → a phone code, both 5 minutes) and the bridge forwards them.
//! This module exchanges them with WeChat's server API and sends subscription messages:
//! - [`token`]: the app's access token from `POST /cgi-bin/stable_token`, cached, renewed
//!   before it expires (one request at a time), force-refreshed once when an API call
//!   says the token is invalid or expired;
//! - [`client`]: `code2Session` (`GET /sns/jscode2session`), the phone-number exchange
//!   (`POST /wxa/business/getuserphonenumber`) and `subscribeMessage.send`
//!   (`POST /cgi-bin/message/subscribe/send`);
//! - [`errors`]: WeChat's `errcode`/`errmsg` as typed errors (both kept, scrubbed);
//! - [`session`]: merchant sessions (opaque id → openid and `session_key`) and recorded
//!   subscription grants, in the SQLite store;
//! - [`config`], [`wire`] (JSON bodies) and, with the `simulator` feature, [`simulator`].
//!
//! WeChat puts the app secret, the `js_code` and the access token in query strings. Those
//! URLs live only inside an [`HttpRequest`](crate::http::HttpRequest), whose `Debug`
//! prints the path alone; no error built here holds a URL, and every platform message is
//! scrubbed of the request's secrets before it is kept.
//!
//! Facts and their sources (stored copies found with the project's `search` tool):
//! - Documented (developers.weixin.qq.com, "code2Session" / `auth.code2Session`):
//!   `GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code` answers
//!   `{openid, session_key, unionid?}` or `{errcode, errmsg}`; errcodes `40029` invalid
//!   code, `45011` rate limit (100 per user per minute), `40226` high-risk user blocked,
//!   `-1` system busy (try again later). `session_key` must never be sent to the page.
//! - Documented ("getStableAccessToken"): `POST /cgi-bin/stable_token` with
//!   `{grant_type: "client_credential", appid, secret, force_refresh?}` → `{access_token,
//!   expires_in}` (7200 s); normal mode returns the same token while it is valid, forced
//!   mode invalidates the previous token and returns a new one.
//! - Documented ("getPhoneNumber" server API): `POST /wxa/business/getuserphonenumber?
//!   access_token=…` `{code}` → `{errcode, errmsg, phone_info: {phoneNumber,
//!   purePhoneNumber, countryCode, watermark: {timestamp, appid}}}`; the phone code is
//!   single use and lives 5 minutes (`40029` when expired, used or foreign).
//! - Documented ("subscribeMessage.send"): `POST /cgi-bin/message/subscribe/send?
//!   access_token=…` `{touser, template_id, page?, data: {key: {value}}}`.
//! - From public reports on WeChat's developer forum (not the API page): `43101` "user
//!   refuse to accept the msg" when no one-time subscription is left (one accept allows
//!   one send); `40163` "code been used" for a reused login code; `40125` invalid app
//!   secret, `40013` invalid app id; `40001` / `42001` / `40014` for an invalid, expired or
//!   malformed access token.
//! - Assumed: the renewal margin (5 minutes before `expires_in` runs out), the bounded
//!   retry of `-1` (3 attempts), and that an HTTP status other than 200 is a transport
//!   failure (WeChat answers its errors with HTTP 200).

pub mod client;
pub mod config;
pub mod errors;
pub mod session;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod token;
pub mod wire;

pub use client::{LoginSession, PhoneNumber, SubscribeMessage, WechatClient};
pub use config::WechatConfig;
pub use session::{WechatSession, WechatStore};
