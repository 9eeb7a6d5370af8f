//! Run Binance and Alipay mini program consent flows safely: gesture-safe host calls,
//! strict validation, typed errors, and exactly-once forwarding to your backend.
//!
//! The pure core ([`consent`], [`error`], [`forward`]'s policies, [`wire`]) builds and
//! tests natively. On `wasm32` the crate adds the host layer, the transports, the Rust
//! [`Bridge`] and the `ConsentBridge` JS class.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

extern crate alloc;

#[cfg(all(target_arch = "wasm32", not(feature = "std"), target_feature = "atomics"))]
compile_error!("without `std` this crate is single-threaded; enable `std` for wasm threads");

mod prelude;
#[cfg(all(target_arch = "wasm32", feature = "standalone", not(feature = "std")))]
mod standalone;

pub mod consent;
pub mod error;
pub mod forward;
pub mod json_write;
mod text;
pub mod wire;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod bridge;
#[cfg(target_arch = "wasm32")]
mod flow;
#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod js_error;
#[cfg(target_arch = "wasm32")]
mod options;
#[cfg(target_arch = "wasm32")]
mod sys;
#[cfg(target_arch = "wasm32")]
mod transport;

#[cfg(target_arch = "wasm32")]
pub use api::ConsentBridge;
#[cfg(target_arch = "wasm32")]
pub use bridge::{Bridge, SubscriptionsForwarded};
#[cfg(target_arch = "wasm32")]
pub use options::{BridgeOptions, ForwardOptions, HeaderOption, TransportChoice, DEFAULT_HOST_TIMEOUT_MS};

pub use error::{BridgeError, ErrorCode, ErrorDetails};
