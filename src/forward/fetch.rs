//! The `fetch` transport (browsers, web-views, Node, tests), built on gloo-net, with an
//! `AbortController` timeout whose timer is cleared when the request settles.

use super::retry::parse_retry_after;
use super::transport::{HttpRequest, HttpResponse, LocalFuture, Transport, TransportFailure};
use super::MAX_BODY_BYTES;
use crate::sys;
use gloo_net::http::{Method, RequestBuilder};
use web_sys::AbortController;

/// POSTs through the global `fetch`.
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchTransport;

/// Disarms a timer when dropped, whichever way the request ends.
struct TimerGuard(Option<wasm_bindgen::JsValue>);

impl Drop for TimerGuard {
    fn drop(&mut self) {
        if let Some(id) = self.0.take() {
            let _ = sys::clear_timeout(&id);
        }
    }
}

async fn send(request: HttpRequest) -> Result<HttpResponse, TransportFailure> {
    let network = |e: String| TransportFailure::Network(e);
    let controller = AbortController::new().map_err(|_| network("AbortController is missing".into()))?;
    let abort = sys::method(&controller, "abort")
        .ok_or_else(|| network("AbortController.abort is missing".into()))?
        .bind0(&controller);
    let _timer = TimerGuard(sys::set_timeout(&abort, f64::from(request.timeout_ms)).ok());
    let signal = controller.signal();
    let mut builder = RequestBuilder::new(&request.url).method(Method::POST).abort_signal(Some(&signal));
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
    if announced.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(TransportFailure::TooLarge(status));
    }
    let retry_after = headers.get("retry-after").as_deref().and_then(parse_retry_after);
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
