//! Run Binance and Alipay mini program consent flows safely: gesture-safe host calls,
//! strict validation, typed errors, and exactly-once forwarding to your backend.
//!
//! # Layers
//!
//! One direction only; a module imports from the layers above it in this list, never
//! from below:
//!
//! 1. **Pure core** (builds and tests natively, `no_std`): [`error`], `text`,
//!    [`json_write`], [`consent`] (host answers as [`consent::HostValue`], the JSON
//!    parser, validation, tokens, lifetimes), [`wire`] (the bodies), and [`forward`]
//!    (backend URL, routes and headers, envelopes, retries, exactly-once bookkeeping and
//!    the forwarding loop over the `Transport` / `Clock` / `HeaderSource` seams).
//! 2. **Raw bindings** (wasm32): `sys`, every JS call in one place.
//! 3. **Host adapters**: `host` (one module per platform for API names and options,
//!    the gesture-safe call, bounded JS → `HostValue` copies).
//! 4. **Transports**: `transport` (fetch, the host's request API, the JS clock, headers
//!    from JS), the wasm implementations of the forward seams.
//! 5. **Flows**: `flow` (the consent slot, the host call started in the tap, validation).
//! 6. **The Rust API**: [`Bridge`] and its options (`options`).
//! 7. **The JS class**: `ConsentBridge` (`api`) and `BridgeError` as a JS `Error`
//!    (`js_error`). The npm wasm is the separate `npm/` crate: this class, a panic handler
//!    and an allocator.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(all(target_arch = "wasm32", not(feature = "std"), target_feature = "atomics"))]
compile_error!("without `std` this crate is single-threaded; enable `std` for wasm threads");

mod prelude;

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
