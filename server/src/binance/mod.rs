//! Binance Open Service: the merchant's half of the Binance mini program flows.
//!
//! - [`BinanceClient::get_open_data`]: a data token from `bn.getPhoneNumber`,
//!   `bn.getUserOpenId` or `bn.getEmailAddress` → the decrypted value;
//! - [`BinanceClient::send_push_message`]: a template message with one push token from
//!   `bn.requestSubscribeMessage`;
//! - [`push`]: push tokens kept in a [`crate::PushTokenStore`] and spent exactly once.
//!
//! What is documented, what comes from the public sample and what is assumed is said in
//! each module ([`signer`], [`wire`], [`decrypt`]).

mod client;
mod config;
pub mod decrypt;
pub mod push;
pub mod shape;
pub mod signer;
pub mod wire;

pub use client::{BinanceClient, PushMessage, PushOutcome, MAX_PARAMETERS, MAX_SEND_BODY_BYTES, MAX_TOKEN_BYTES};
pub use config::{Config, DEFAULT_BASE_URL};
pub use decrypt::{MerchantKey, OpenData, OpenDataValue};
pub use shape::OpenDataKind;
pub use wire::Parameter;
