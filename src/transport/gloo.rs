//! The gloo-net transport (feature `gloo`), for Rust callers who already use gloo-net:
//! the request is built and sent by `gloo_net::http`, with the same rules as the
//! built-in fetch transport (redirects refused, an abort timer cleared when the request
//! settles, the body read from the stream up to the cap in decoded bytes).

use crate::prelude::*;

use super::fetch::{answer, Cleanup};
use crate::forward::{HttpRequest, HttpResponse, LocalFuture, Transport, TransportFailure};
use crate::sys;
use gloo_net::http::Request;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, RequestRedirect};

/// POSTs through `gloo_net::http::Request`.
#[derive(Clone, Copy, Debug, Default)]
pub struct GlooTransport;

async fn send(request: HttpRequest) -> Result<HttpResponse, TransportFailure> {
    let network = |e: String| TransportFailure::Network(e);
    let controller = AbortController::new().map_err(|_| network("AbortController is missing".into()))?;
    let abort = sys::method(&controller, "abort")
        .ok_or_else(|| network("AbortController.abort is missing".into()))?
        .bind0(&controller);
    let signal = controller.signal();
    let _cleanup = Cleanup { timer: sys::set_timeout(&abort, f64::from(request.timeout_ms)).ok(), controller };
    let mut builder = Request::post(&request.url).abort_signal(Some(&signal)).redirect(RequestRedirect::Error);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let sent = builder.body(JsValue::from_str(&request.body)).map_err(|e| network(e.to_string()))?.send().await;
    let response = match sent {
        Ok(response) => web_sys::Response::from(response),
        Err(_) if signal.aborted() => return Err(TransportFailure::Timeout),
        Err(e) => return Err(network(e.to_string())),
    };
    answer(&response, response.status(), &signal).await
}

impl Transport for GlooTransport {
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, TransportFailure>> {
        Box::pin(send(request))
    }
}
