//! The wasm implementations of the forwarder's seams: the `fetch`, host-request and
//! (feature `gloo`) gloo-net transports, the JS clock, and custom headers read from JS.

mod clock;
mod fetch;
#[cfg(feature = "gloo")]
mod gloo;
mod headers;
mod host_request;

pub use clock::JsClock;
pub use fetch::FetchTransport;
#[cfg(feature = "gloo")]
pub use gloo::GlooTransport;
pub use headers::{headers_from_js, DynamicHeaders};
pub use host_request::HostRequestTransport;
