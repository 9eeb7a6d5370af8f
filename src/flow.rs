//! One consent flow, whatever it asks for: the bridge's single consent slot, the host
//! call started inside the tap, and the answer validated by the core.
//!
//! Every flow goes through [`Started::consent`], so the wasm holds one state machine for
//! all of them rather than one per method; the typed methods of `Bridge` and of the JS
//! class are thin shells over it.

use crate::consent::{Ask, Consent, Limits, Platform};
use crate::error::{BridgeError, ErrorCode, Result};
use crate::host::{self, HostCall};
use crate::sys;
use alloc::rc::Rc;
use core::cell::Cell;
use wasm_bindgen::JsValue;

/// One consent modal at a time: the slot a bridge's flows take while the host is asked.
#[derive(Clone, Debug, Default)]
pub(crate) struct Slot(Rc<Cell<bool>>);

/// Holds the consent slot; frees it when dropped.
#[must_use]
pub(crate) struct SlotGuard(Rc<Cell<bool>>);

impl Drop for SlotGuard {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl Slot {
    /// Takes the slot, or `CONSENT_BUSY` when another flow holds it.
    fn take(&self) -> Result<SlotGuard> {
        if self.0.replace(true) {
            return Err(BridgeError::new(
                ErrorCode::ConsentBusy,
                "Another consent request is still open; wait for it to finish (disable the button while it runs).",
            ));
        }
        Ok(SlotGuard(self.0.clone()))
    }

    /// Whether a flow holds the slot.
    pub(crate) fn is_taken(&self) -> bool {
        self.0.get()
    }
}

/// A flow after its synchronous part: the host call in flight, or already decided (a
/// button event read, a refused argument, a busy bridge).
pub(crate) enum Started {
    /// The host was called; the guard holds the consent slot until it answers. The
    /// platform decides how the answer is read.
    Calling(HostCall, SlotGuard, Ask, Platform),
    /// Nothing to wait for.
    Decided(Result<Consent>),
}

impl Started {
    /// Checks `ask`'s arguments, takes the slot and calls the host, synchronously: the
    /// part of every flow that must happen inside the tap.
    pub(crate) fn begin(
        host: Option<&JsValue>,
        platform: Option<Platform>,
        slot: &Slot,
        ask: Ask,
        max_templates: usize,
        timeout_ms: u32,
    ) -> Started {
        let started = ask.validate(max_templates).and_then(|()| {
            let host = host.ok_or_else(|| {
                BridgeError::new(ErrorCode::HostUnavailable, "No host object was found (no global wx, bn or my). Pass options.host, e.g. new ConsentBridge({ platform: \"wechat\", host: wx }).")
            })?;
            let (api, options) = host::request_for(platform, Some(host), &ask)?;
            let guard = slot.take()?;
            Ok((HostCall::start(host, api, options, timeout_ms)?, guard))
        });
        // A host without a named platform is read with Binance's shapes, as before.
        let platform = platform.unwrap_or(Platform::Binance);
        match started {
            Ok((call, guard)) => Started::Calling(call, guard, ask, platform),
            Err(e) => Started::Decided(Err(e)),
        }
    }

    /// Waits for the host, frees the consent slot, and validates the answer.
    pub(crate) async fn consent(self) -> Result<Consent> {
        let (call, guard, ask, platform) = match self {
            Started::Decided(decided) => return decided,
            Started::Calling(call, guard, ask, platform) => (call, guard, ask, platform),
        };
        let settled = call.settle(Limits::default()).await;
        drop(guard);
        ask.consent(platform, settled?, sys::now_ms())
    }
}
