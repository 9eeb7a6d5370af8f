//! The host-request transport for mini program logic layers without `fetch`:
//! `wx.request` and `bn.request` (success `{data, header, statusCode}`; failure
//! `{errMsg, errno}`, callbacks only on WeChat) and `my.request` (success
//! `{data, status, headers}`; fails with `{error: 19, status}` on HTTP errors and
//! `{error: 13}` on timeouts). The response is asked for as text, so parsing stays ours;
//! the timeout aborts the returned RequestTask. The host's own request API may follow
//! redirects; the bridge cannot see or stop that (SECURITY.md).

use crate::prelude::*;

use crate::forward::{
    parse_retry_after, HttpRequest, HttpResponse, LocalFuture, Transport, TransportFailure, MAX_BODY_BYTES,
};
use crate::host::{HostCall, RawSettlement};
use crate::sys;
use js_sys::Object;
use wasm_bindgen::JsValue;

/// POSTs through `host.request`.
#[derive(Clone, Debug)]
pub struct HostRequestTransport {
    host: JsValue,
}

impl HostRequestTransport {
    /// A transport over `host.request` (the host object is `bn`, `my` or a look-alike).
    pub fn new(host: JsValue) -> Self {
        HostRequestTransport { host }
    }
}

/// The status of an answer: `statusCode` (bn/wx) or `status` (my), a number or a string
/// of digits (some hosts pass the status line's text through).
fn status_of(value: &JsValue) -> Option<u16> {
    ["statusCode", "status"]
        .iter()
        .find_map(|k| {
            let v = sys::get(value, k);
            v.as_f64().or_else(|| sys::string_within(&v, 3).ok().and_then(|t| t.parse::<u16>().ok()).map(f64::from))
        })
        .filter(|s| s.is_finite() && (100.0..1000.0).contains(s))
        .map(|s| s as u16)
}

/// A body the host answered as bytes (an ArrayBuffer or a view, though text was asked
/// for), read as UTF-8 like `Response.text()`: `None` past the cap, measured before the
/// copy; not bytes at all: `Some(None)`. (A raw ArrayBuffer from another realm is not
/// recognised; views are, through `ArrayBuffer.isView`.)
fn bytes_of(data: &JsValue) -> Option<Option<String>> {
    let view = if js_sys::ArrayBuffer::is_view(data) {
        let at = |k| sys::get(data, k).as_f64().unwrap_or(0.0) as u32;
        js_sys::Uint8Array::new_with_byte_offset_and_length(
            &sys::get(data, "buffer"),
            at("byteOffset"),
            at("byteLength"),
        )
    } else if wasm_bindgen::JsCast::is_instance_of::<js_sys::ArrayBuffer>(data) {
        js_sys::Uint8Array::new(data)
    } else {
        return Some(None);
    };
    if view.length() as usize > MAX_BODY_BYTES {
        return None;
    }
    let bytes = view.to_vec();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    Some(Some(String::from_utf8_lossy(body).into_owned()))
}

/// One response header, matched without regard to case; names and the value are
/// bounded before they are copied.
fn header_of(value: &JsValue, name: &str) -> Option<String> {
    let headers = [sys::get(value, "header"), sys::get(value, "headers")].into_iter().find(JsValue::is_object)?;
    let keys = sys::object_keys(&headers).ok()?;
    keys.iter()
        .filter_map(|k| sys::string_within(&k, 64).ok())
        .find(|k| k.eq_ignore_ascii_case(name))
        .and_then(|k| sys::get_string(&headers, &k, 64).ok())
}

/// The body as text, or `None` when it is over the cap: strings as they are, objects a
/// host parsed anyway re-serialised (in JS), each measured before it is copied.
fn body_of(value: &JsValue) -> Option<String> {
    let data = sys::get(value, "data");
    if data.is_undefined() || data.is_null() {
        return Some(String::new());
    }
    if let Some(bytes) = bytes_of(&data)? {
        return Some(bytes);
    }
    let text = if data.is_string() { data } else { js_sys::JSON::stringify(&data).map(JsValue::from).ok()? };
    match sys::string_within(&text, MAX_BODY_BYTES) {
        Ok(body) if body.len() <= MAX_BODY_BYTES => Some(body),
        Ok(_) | Err(sys::Refused::TooLong) => None,
        // Not text (a number, an ArrayBuffer): nothing JSON to read.
        Err(sys::Refused::NotString) => Some(String::new()),
        // What JSON.parse would have read, with U+FFFD: no token of ours comes back here.
        Err(sys::Refused::LoneSurrogate) => Some(String::new()),
    }
}

fn answer(value: &JsValue, status: u16) -> HttpResponse {
    HttpResponse {
        status,
        retry_after: header_of(value, "retry-after").as_deref().and_then(parse_retry_after),
        body: body_of(value),
    }
}

async fn send(host: JsValue, request: HttpRequest) -> Result<HttpResponse, TransportFailure> {
    // Defined, not assigned, so a header named `__proto__` is sent like any other.
    let headers = Object::new();
    for (name, value) in &request.headers {
        sys::define(&headers, name, &JsValue::from_str(value));
    }
    let options = Object::new();
    sys::set(&options, "url", &JsValue::from_str(&request.url));
    sys::set(&options, "method", &JsValue::from_str("POST"));
    // bn/wx read `header`, my reads `headers`.
    sys::set(&options, "header", &headers);
    sys::set(&options, "headers", &headers);
    sys::set(&options, "data", &JsValue::from_str(&request.body));
    sys::set(&options, "dataType", &JsValue::from_str("text"));
    sys::set(&options, "responseType", &JsValue::from_str("text"));
    sys::set(&options, "timeout", &JsValue::from_f64(f64::from(request.timeout_ms)));
    // The host's own timeout fires first; ours (a little later) covers hosts that ignore it.
    let call = HostCall::start(&host, "request", options, request.timeout_ms.saturating_add(500))
        .map_err(|_| TransportFailure::Unsupported)?;
    let task = call.returned().clone();
    match call.settle_raw().await {
        RawSettlement::Success(value) => match status_of(&value) {
            Some(status) => Ok(answer(&value, status)),
            None => Err(TransportFailure::Network("the host request answered without a status".into())),
        },
        RawSettlement::Failure(value) => {
            let code = sys::get(&value, "error").as_f64();
            // wx/bn report their own timeout as `errMsg: "request:fail timeout"`.
            let timed_out =
                sys::get_string(&value, "errMsg", 256).is_ok_and(|m| crate::text::find(&m, "timeout").is_some());
            match (code, status_of(&value)) {
                (Some(13.0), _) => Err(TransportFailure::Timeout),
                _ if timed_out => Err(TransportFailure::Timeout),
                // my.request fails with the status of an HTTP error; a "failure" that
                // claims success is no answer to trust (retried under the same key).
                (_, Some(status)) if !(200..300).contains(&status) => Ok(answer(&value, status)),
                _ => {
                    let msg = ["errMsg", "errorMessage"].iter().find_map(|k| sys::get_string(&value, k, 256).ok());
                    Err(TransportFailure::Network(msg.unwrap_or_else(|| "the host request failed".into())))
                }
            }
        }
        RawSettlement::Timeout => {
            if let Some(abort) = sys::method(&task, "abort") {
                let _ = abort.call0(&task);
            }
            Err(TransportFailure::Timeout)
        }
    }
}

impl Transport for HostRequestTransport {
    fn send(&self, request: HttpRequest) -> LocalFuture<Result<HttpResponse, TransportFailure>> {
        Box::pin(send(self.host.clone(), request))
    }
}
