//! The `fetch` transport (browsers, web-views, Node, tests), over raw bindings, with an
//! `AbortController` timeout whose timer is cleared when the request settles.

use crate::prelude::*;

use super::retry::parse_retry_after;
use super::transport::{HttpRequest, HttpResponse, LocalFuture, Transport, TransportFailure};
use super::MAX_BODY_BYTES;
use crate::sys;
use js_sys::{Array, Object, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

/// POSTs through the global `fetch`.
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchTransport;

/// Disarms the timer and aborts the request when dropped, whichever way the request ends
/// (aborting a request that already finished does nothing), so an early return never
/// leaves a body downloading.
struct Cleanup {
    timer: Option<JsValue>,
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

/// The fetch `init` object: headers as `[name, value]` pairs (a plain object would lose a
/// header named `__proto__`), the abort signal, and redirects refused (a redirect would
/// re-send the token to a URL that was never validated).
fn init(request: &HttpRequest, signal: &JsValue) -> Object {
    let headers: Array = request
        .headers
        .iter()
        .map(|(name, value)| Array::of2(&JsValue::from_str(name), &JsValue::from_str(value)))
        .collect();
    let init = Object::new();
    sys::set(&init, "method", &JsValue::from_str("POST"));
    sys::set(&init, "headers", &headers);
    sys::set(&init, "body", &JsValue::from_str(&request.body));
    sys::set(&init, "signal", signal);
    sys::set(&init, "redirect", &JsValue::from_str("error"));
    init
}

/// What a rejected fetch or body read says, for `NETWORK` details (`TypeError: …`).
fn reason(error: &JsValue) -> String {
    if let Some(text) = error.as_string() {
        return text;
    }
    let message = sys::get(error, "message").as_string().unwrap_or_else(|| "fetch failed".into());
    match sys::get(error, "name").as_string() {
        Some(name) if !name.is_empty() => format!("{name}: {message}"),
        _ => message,
    }
}

/// Awaits a promise-returning call, mapping a throw or a rejection to a failure (a
/// `Timeout` if the abort signal fired).
async fn settle(call: Result<JsValue, JsValue>, signal: &web_sys::AbortSignal) -> Result<JsValue, TransportFailure> {
    let outcome = match call {
        Ok(promise) => JsFuture::from(Promise::resolve(&promise)).await,
        Err(thrown) => Err(thrown),
    };
    outcome
        .map_err(|e| if signal.aborted() { TransportFailure::Timeout } else { TransportFailure::Network(reason(&e)) })
}

fn header(headers: &JsValue, name: &str) -> Option<String> {
    sys::method(headers, "get")?.call1(headers, &JsValue::from_str(name)).ok()?.as_string()
}

async fn send(request: HttpRequest) -> Result<HttpResponse, TransportFailure> {
    let network = |e: &str| TransportFailure::Network(e.into());
    let controller = AbortController::new().map_err(|_| network("AbortController is missing"))?;
    let abort = sys::method(&controller, "abort")
        .ok_or_else(|| network("AbortController.abort is missing"))?
        .bind0(&controller);
    let signal = controller.signal();
    let _cleanup = Cleanup { timer: sys::set_timeout(&abort, f64::from(request.timeout_ms)).ok(), controller };
    let response = settle(sys::fetch(&request.url, &init(&request, &signal)), &signal).await?;
    let status = match sys::get(&response, "status").as_f64() {
        Some(s) if (100.0..1000.0).contains(&s) => s as u16,
        _ => return Err(network("fetch answered without an HTTP status")),
    };
    let headers = sys::get(&response, "headers");
    let announced = header(&headers, "content-length").and_then(|v| v.trim().parse::<usize>().ok());
    let retry_after = header(&headers, "retry-after").as_deref().and_then(parse_retry_after);
    if announced.is_some_and(|n| n > MAX_BODY_BYTES) {
        // A large error page still counts by its status (a 503 is retried); its body is
        // never read.
        return if (200..300).contains(&status) {
            Err(TransportFailure::TooLarge(status))
        } else {
            Ok(HttpResponse { status, retry_after, body: String::new() })
        };
    }
    let text = sys::method(&response, "text").ok_or_else(|| network("the fetch response has no text()"))?;
    let body = settle(text.call0(&response), &signal).await?;
    Ok(HttpResponse { status, retry_after, body: body.as_string().unwrap_or_default() })
}

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, TransportFailure>> {
        Box::pin(send(request))
    }
}
