//! The `fetch` transport (browsers, web-views, Node, tests), built on gloo-net, with an
//! `AbortController` timeout whose timer is cleared when the request settles.

use super::retry::parse_retry_after;
use super::transport::{HttpRequest, HttpResponse, LocalFuture, Transport, TransportFailure};
use super::MAX_BODY_BYTES;
use crate::sys;
use gloo_net::http::{Method, RequestBuilder};
use web_sys::AbortController;
use web_sys::RequestRedirect;

/// POSTs through the global `fetch`.
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchTransport;

/// Disarms the timer and aborts the request when dropped, whichever way the request ends
/// (aborting a request that already finished does nothing), so an early return never
/// leaves a body downloading.
struct Cleanup {
    timer: Option<wasm_bindgen::JsValue>,
    controller: AbortController,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(id) = self.timer.take() {
            let _ = sys::clear_timeout(&id);
        }
        self.controller.abort();
    }
}

async fn send(request: HttpRequest) -> Result<HttpResponse, TransportFailure> {
    let network = |e: String| TransportFailure::Network(e);
    let controller = AbortController::new().map_err(|_| network("AbortController is missing".into()))?;
    let abort = sys::method(&controller, "abort")
        .ok_or_else(|| network("AbortController.abort is missing".into()))?
        .bind0(&controller);
    let signal = controller.signal();
    let _cleanup = Cleanup { timer: sys::set_timeout(&abort, f64::from(request.timeout_ms)).ok(), controller };
    let mut builder = RequestBuilder::new(&request.url)
        .method(Method::POST)
        .abort_signal(Some(&signal))
        // A redirect would re-send the token to a URL that was never validated.
        .redirect(RequestRedirect::Error);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let outcome = match builder.body(request.body) {
        Ok(req) => req.send().await,
        Err(e) => return Err(network(e.to_string())),
    };
    let response = match outcome {
        Ok(r) => r,
        Err(_) if signal.aborted() => return Err(TransportFailure::Timeout),
        Err(e) => return Err(network(e.to_string())),
    };
    let status = response.status();
    let headers = response.headers();
    let announced = headers.get("content-length").and_then(|v| v.trim().parse::<usize>().ok());
    let retry_after = headers.get("retry-after").as_deref().and_then(parse_retry_after);
    if announced.is_some_and(|n| n > MAX_BODY_BYTES) {
        // A large error page still counts by its status (a 503 is retried); its body is
        // never read.
        return if (200..300).contains(&status) {
            Err(TransportFailure::TooLarge(status))
        } else {
            Ok(HttpResponse { status, retry_after, body: String::new() })
        };
    }
    let body = match response.text().await {
        Ok(text) => text,
        Err(_) if signal.aborted() => return Err(TransportFailure::Timeout),
        Err(e) => return Err(network(e.to_string())),
    };
    Ok(HttpResponse { status, retry_after, body })
}

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, TransportFailure>> {
        Box::pin(send(request))
    }
}
