//! The JS clock: `Date.now`, `setTimeout` (cleared when the wait is dropped, so a
//! forward that ends early leaves no timer armed), `Math.random` for jitter and
//! `crypto.getRandomValues` for idempotency keys.

use crate::prelude::*;

use crate::forward::{uuid_v4, Clock, LocalFuture};
use crate::sys;
use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Time and randomness from the JS runtime.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsClock;

/// Clears its timer when dropped (clearing one that already fired does nothing).
struct Armed(Option<JsValue>);

impl Drop for Armed {
    fn drop(&mut self) {
        if let Some(id) = self.0.take() {
            let _ = sys::clear_timeout(&id);
        }
    }
}

impl Clock for JsClock {
    fn now_ms(&self) -> u64 {
        sys::now_ms()
    }

    fn sleep(&self, ms: u32) -> LocalFuture<()> {
        let mut armed = Armed(None);
        let promise = Promise::new(&mut |resolve, _| armed.0 = sys::set_timeout(&resolve, f64::from(ms)).ok());
        Box::pin(async move {
            if armed.0.is_some() {
                let _ = JsFuture::from(promise).await;
            }
            drop(armed);
        })
    }

    fn jitter(&self) -> f64 {
        js_sys::Math::random()
    }

    fn new_key(&self) -> String {
        let mut bytes = [0u8; 16];
        sys::random_bytes(&mut bytes);
        uuid_v4(bytes)
    }
}
