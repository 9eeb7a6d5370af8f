//! The wasm implementations of the forwarder's seams: the `fetch` and host-request
//! transports, the JS clock, and custom headers read from JS.

mod clock;
mod fetch;
mod headers;
mod host_request;

pub use clock::JsClock;
pub use fetch::FetchTransport;
pub use headers::{headers_from_js, DynamicHeaders};
pub use host_request::HostRequestTransport;
