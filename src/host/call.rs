//! One host call, gesture-safe and settled exactly once.
//!
//! The host API is invoked synchronously by [`HostCall::start`], before the caller's
//! first await. The host gets the JS promise's own `resolve`/`reject` as
//! `success`/`fail`/`complete`, and any promise it returns is chained to the same pair,
//! so the first settlement wins and later ones are no-ops. No Rust closure is handed to
//! the host: the timeout is `reject` bound to a unique marker, passed to `setTimeout` and
//! cleared when the call settles, so a host that never answers leaks nothing.

use crate::prelude::*;

use crate::consent::{Limits, Settlement};
use crate::error::{BridgeError, ErrorCode};
use crate::host::convert::to_host_value;
use crate::sys;
use core::fmt;
use js_sys::{Function, Object, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// A host call in flight.
pub(crate) struct HostCall {
    promise: Promise,
    timeout_marker: Object,
    timer: Option<JsValue>,
    returned: JsValue,
}

impl fmt::Debug for HostCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostCall").field("timer_armed", &self.timer.is_some()).finish_non_exhaustive()
    }
}

/// The raw way a host call ended, before its value is copied out of JS.
pub(crate) enum RawSettlement {
    /// Fulfilled with this value.
    Success(JsValue),
    /// Rejected, failed or threw with this value.
    Failure(JsValue),
    /// The timeout fired first.
    Timeout,
}

/// A Rust caller that drops the future before the host answers disarms the timer too.
impl Drop for HostCall {
    fn drop(&mut self) {
        self.disarm();
    }
}

impl HostCall {
    fn disarm(&mut self) {
        if let Some(timer) = self.timer.take() {
            let _ = sys::clear_timeout(&timer);
        }
    }

    /// Calls `host[api](options)` now, with `success`/`fail`/`complete` added to
    /// `options`. Fails at once with `HOST_UNAVAILABLE` when the API is missing.
    pub fn start(host: &JsValue, api: &str, options: Object, timeout_ms: u32) -> Result<HostCall, BridgeError> {
        let func = sys::method(host, api).ok_or_else(|| {
            BridgeError::new(
                ErrorCode::HostUnavailable,
                format!("The host has no {api} function. Run this in a mini program whose host provides it (check the app and SDK version), or pass options.host."),
            )
        })?;
        let mut settle: Option<(Function, Function)> = None;
        let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
        let Some((resolve, reject)) = settle else {
            return Err(BridgeError::new(
                ErrorCode::HostError,
                "The JS Promise executor did not run; this runtime's Promise is broken.",
            ));
        };
        sys::set(&options, "success", &resolve);
        sys::set(&options, "fail", &reject);
        sys::set(&options, "complete", &resolve);
        let timeout_marker = Object::new();
        let on_timeout = reject.bind1(&JsValue::NULL, &timeout_marker);
        let timer = sys::set_timeout(&on_timeout, f64::from(timeout_ms)).ok();
        let returned = match func.call1(host, &options) {
            Ok(returned) => {
                if let Some(then) = sys::method(&returned, "then") {
                    if let Err(thrown) = then.call2(&returned, &resolve, &reject) {
                        let _ = reject.call1(&JsValue::NULL, &thrown);
                    }
                }
                returned
            }
            Err(thrown) => {
                let _ = reject.call1(&JsValue::NULL, &thrown);
                JsValue::UNDEFINED
            }
        };
        Ok(HostCall { promise, timeout_marker, timer, returned })
    }

    /// What the host API returned synchronously (a promise, a RequestTask, …).
    pub fn returned(&self) -> &JsValue {
        &self.returned
    }

    /// Waits for the first settlement and disarms the timer.
    pub async fn settle_raw(mut self) -> RawSettlement {
        let outcome = JsFuture::from(self.promise.clone()).await;
        self.disarm();
        match outcome {
            Ok(value) => RawSettlement::Success(value),
            Err(e) if Object::is(&e, &self.timeout_marker) => RawSettlement::Timeout,
            Err(e) => RawSettlement::Failure(e),
        }
    }

    /// Waits for the first settlement and copies the answer out of JS within `limits`.
    pub async fn settle(self, limits: Limits) -> Result<Settlement, BridgeError> {
        Ok(match self.settle_raw().await {
            RawSettlement::Success(v) => Settlement::Success(to_host_value(&v, limits)?),
            // A failure payload that is too odd to copy is still a failure, not a result.
            RawSettlement::Failure(v) => {
                Settlement::Failure(to_host_value(&v, limits).unwrap_or(crate::consent::HostValue::Other("unreadable")))
            }
            RawSettlement::Timeout => Settlement::Timeout,
        })
    }
}
