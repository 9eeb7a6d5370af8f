//! Using the consent flows from Rust: a page whose logic is written in Rust exports tap
//! handlers to JS. Each handler calls the bridge method synchronously (the host API is
//! invoked right there, inside the tap) and only then awaits.
//!
//! Built for wasm32 by the test command's lint suite:
//! `cargo build --example rust_page --target wasm32-unknown-unknown`.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[cfg(target_arch = "wasm32")]
mod page {
    use mp_consent_bridge::{Bridge, BridgeOptions, ErrorCode, ForwardOptions};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::future_to_promise;

    /// The page's bridge: forwards to the merchant backend, finds `bn`/`my` itself.
    fn bridge() -> Result<Bridge, JsValue> {
        let mut forward = ForwardOptions::new("https://api.example.com");
        forward.retries = 3;
        // With the `gloo` feature, a page that already uses gloo-net forwards through it.
        #[cfg(feature = "gloo")]
        {
            forward.transport = mp_consent_bridge::TransportChoice::Gloo;
        }
        Bridge::new(BridgeOptions { forward: Some(forward), ..BridgeOptions::default() }).map_err(JsValue::from)
    }

    /// Tap handler: ask for the phone number, show a manual form on denial.
    #[wasm_bindgen(js_name = onPhoneTap)]
    pub fn on_phone_tap() -> Result<js_sys::Promise, JsValue> {
        let bridge = bridge()?;
        // Called now, synchronously: the host sees the tap.
        let asked = bridge.ask_phone_number();
        Ok(future_to_promise(async move {
            match asked.await {
                Ok(consent) => bridge.forward_data(&consent).await.map_err(JsValue::from),
                Err(e) if e.code() == ErrorCode::UserDenied => Ok(JsValue::from_str("show the manual form")),
                Err(e) => Err(e.into()),
            }
        }))
    }

    /// Tap handler: subscribe to two templates and forward whatever was accepted.
    #[wasm_bindgen(js_name = onSubscribeTap)]
    pub fn on_subscribe_tap() -> Result<js_sys::Promise, JsValue> {
        let bridge = bridge()?;
        let asked = bridge.request_subscribe_message(vec!["tmpl-order-shipped".into(), "tmpl-price-alert".into()]);
        Ok(future_to_promise(async move {
            let (outcome, forwarded) = asked.await?;
            let summary = format!(
                "{} accepted, {} rejected, {} forwarded",
                outcome.accepted.len(),
                outcome.rejected.len(),
                forwarded.forwarded.len()
            );
            Ok(JsValue::from_str(&summary))
        }))
    }

    /// Tap handler: an Alipay auth code for the member id, exchanged by the backend.
    #[wasm_bindgen(js_name = onLoginTap)]
    pub fn on_login_tap() -> Result<js_sys::Promise, JsValue> {
        let bridge = bridge()?;
        let exchanged = bridge.get_auth_code(vec!["auth_base".into()]);
        Ok(future_to_promise(async move { exchanged.await.map_err(JsValue::from) }))
    }
}

fn main() {}
