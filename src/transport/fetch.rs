//! The `fetch` transport (browsers, web-views, Node, tests), over raw bindings, with an
//! `AbortController` timeout whose timer is cleared when the request settles. The body
//! is read chunk by chunk from `response.body` and reading stops at the size cap counted
//! in decoded bytes, so a compressed or unannounced body can never fill wasm memory.

use crate::prelude::*;

use crate::forward::{
    parse_retry_after, HttpRequest, HttpResponse, LocalFuture, Transport, TransportFailure, MAX_BODY_BYTES,
};
use crate::sys;
use js_sys::{Array, Object, Promise, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

/// POSTs through the global `fetch`.
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchTransport;

/// Disarms the timer and aborts the request when dropped, whichever way the request ends
/// (aborting a request that already finished does nothing), so an early return never
/// leaves a body downloading.
pub(super) struct Cleanup {
    pub(super) timer: Option<JsValue>,
    pub(super) controller: AbortController,
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

/// What a rejected fetch or body read says (`TypeError: …`), bounded.
pub(super) fn reason(error: &JsValue) -> String {
    if let Ok(text) = sys::string_within(error, 256) {
        return text;
    }
    let message = sys::get_string(error, "message", 256).unwrap_or_else(|_| "fetch failed".into());
    match sys::get_string(error, "name", 64) {
        Ok(name) if !name.is_empty() => format!("{name}: {message}"),
        _ => message,
    }
}

/// Awaits a promise-returning call, mapping a throw or a rejection to a failure (a
/// `Timeout` if the abort signal fired).
async fn settle(call: Result<JsValue, JsValue>, signal: &AbortSignal) -> Result<JsValue, TransportFailure> {
    let outcome = match call {
        Ok(promise) => JsFuture::from(Promise::resolve(&promise)).await,
        Err(thrown) => Err(thrown),
    };
    outcome
        .map_err(|e| if signal.aborted() { TransportFailure::Timeout } else { TransportFailure::Network(reason(&e)) })
}

pub(super) fn header(headers: &JsValue, name: &str) -> Option<String> {
    let value = sys::method(headers, "get")?.call1(headers, &JsValue::from_str(name)).ok()?;
    sys::string_within(&value, 64).ok()
}

/// Calls `target[name]()`: a `Network` failure if it is not there, else what the call
/// returned or threw.
fn call(target: &JsValue, name: &str) -> Result<Result<JsValue, JsValue>, TransportFailure> {
    let f =
        sys::method(target, name).ok_or_else(|| TransportFailure::Network(format!("the response has no {name}()")))?;
    Ok(f.call0(target))
}

/// The body as text, or `None` past [`MAX_BODY_BYTES`] decoded bytes. Streams are read
/// chunk by chunk and cancelled at the cap; a runtime without streams falls back to
/// `text()`, whose length is checked before the copy into wasm.
pub(super) async fn read_body(response: &JsValue, signal: &AbortSignal) -> Result<Option<String>, TransportFailure> {
    let stream = sys::get(response, "body");
    let Some(reader) = sys::method(&stream, "getReader").and_then(|f| f.call0(&stream).ok()) else {
        let text = settle(call(response, "text")?, signal).await?;
        return Ok(match sys::string_within(&text, MAX_BODY_BYTES) {
            Ok(body) if body.len() <= MAX_BODY_BYTES => Some(body),
            Ok(_) | Err(sys::Refused::TooLong) => None,
            Err(sys::Refused::NotString | sys::Refused::LoneSurrogate) => Some(String::new()),
        });
    };
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        let chunk = settle(call(&reader, "read")?, signal).await?;
        if sys::get(&chunk, "done").as_bool() == Some(true) {
            break;
        }
        let value = sys::get(&chunk, "value");
        let len = sys::get(&value, "byteLength").as_f64().unwrap_or(0.0);
        if !(len >= 0.0 && bytes.len() as f64 + len <= MAX_BODY_BYTES as f64) {
            let _ = call(&reader, "cancel");
            return Ok(None);
        }
        // A view made in this realm, so a chunk from another realm copies the same way.
        let view = Uint8Array::new(&value);
        let start = bytes.len();
        bytes.resize(start + view.length() as usize, 0);
        if let Some(slot) = bytes.get_mut(start..) {
            view.copy_to(slot);
        }
    }
    // What `Response.text()` does: UTF-8 with replacement, a leading BOM dropped.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    Ok(Some(String::from_utf8_lossy(body).into_owned()))
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
    answer(&response, status, &signal).await
}

/// The status, `Retry-After` and capped body of a fetch `Response`.
pub(super) async fn answer(
    response: &JsValue,
    status: u16,
    signal: &AbortSignal,
) -> Result<HttpResponse, TransportFailure> {
    let headers = sys::get(response, "headers");
    let retry_after = header(&headers, "retry-after").as_deref().and_then(parse_retry_after);
    let announced = header(&headers, "content-length").and_then(|v| v.trim().parse::<usize>().ok());
    // An announced oversize body is never read at all.
    let body = if announced.is_some_and(|n| n > MAX_BODY_BYTES) { None } else { read_body(response, signal).await? };
    Ok(HttpResponse { status, retry_after, body })
}

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, TransportFailure>> {
        Box::pin(send(request))
    }
}
