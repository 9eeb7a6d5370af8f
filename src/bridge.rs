//! The Rust API: [`Bridge`], the consent flows as futures.
//!
//! Every flow method calls the host API **when the method is called**, not when the
//! returned future is first polled: a future that is spawned or awaited later would
//! otherwise leave the user's tap, and hosts refuse consent calls outside a tap.

use crate::prelude::*;

use crate::consent::{
    self, AuthCodeConsent, DataConsent, DataKind, Limits, PushConsent, SubscribeOutcome, UserProfile,
    DATA_TOKEN_LIFETIME_MS,
};
use crate::error::{BridgeError, ErrorCode, Result};
use crate::forward::{FetchTransport, Forwarder, HostRequestTransport, RetryPolicy, Transport, EXPIRY_MARGIN_MS};
use crate::host::{self, HostCall};
use crate::json_write::ToJson;
use crate::options::{BridgeOptions, TransportChoice};
use crate::sys;
use crate::wire::{AuthCodeBody, DataTokenBody, SubscriptionItem, SubscriptionsBody};
use alloc::rc::Rc;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::future::Future;
use js_sys::Object;
use wasm_bindgen::JsValue;

/// Runs consent flows against one host and forwards their tokens to one backend. A whole
/// page written this way is in `examples/rust_page.rs`.
///
/// ```no_run
/// # async fn tap() -> Result<(), mp_consent_bridge::BridgeError> {
/// use mp_consent_bridge::{Bridge, BridgeOptions, ForwardOptions};
/// let bridge = Bridge::new(BridgeOptions {
///     forward: Some(ForwardOptions::new("https://api.example.com")),
///     ..BridgeOptions::default()
/// })?;
/// // Inside the tap handler: the host is asked now, synchronously.
/// let asked = bridge.ask_phone_number();
/// let consent = asked.await?;
/// let answer = bridge.forward_data(&consent).await?;
/// # let _ = answer; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Bridge {
    inner: Rc<Inner>,
}

struct Inner {
    host: Option<JsValue>,
    host_timeout_ms: u32,
    max_templates: usize,
    busy: Cell<bool>,
    forwarder: Option<Forwarder>,
}

impl fmt::Debug for Bridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bridge")
            .field("host", &self.inner.host.as_ref().map(|_| "<host object>"))
            .field("host_timeout_ms", &self.inner.host_timeout_ms)
            .field("max_templates", &self.inner.max_templates)
            .field("busy", &self.inner.busy.get())
            .field("forwarder", &self.inner.forwarder)
            .finish()
    }
}

/// Holds the bridge's single consent slot; frees it when dropped.
struct BusyGuard(Rc<Inner>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.busy.set(false);
    }
}

/// The result of forwarding a subscription outcome.
#[derive(Clone, Debug)]
pub struct SubscriptionsForwarded {
    /// Template ids whose push tokens were forwarded.
    pub forwarded: Vec<String>,
    /// The backend's JSON answer (`null` when nothing was accepted, so nothing was sent).
    pub response: JsValue,
}

fn not_configured() -> BridgeError {
    BridgeError::new(ErrorCode::InvalidConfig, "Forwarding needs options.backend, the base URL of your backend.")
}

/// Waits for a started host call, frees the consent slot, and says how the call ended.
async fn settle(started: Result<(HostCall, BusyGuard)>) -> Result<consent::Settlement> {
    let (call, guard) = started?;
    let settled = call.settle(Limits::default()).await;
    drop(guard);
    settled
}

/// Host options carrying one list of strings, e.g. `{tmplIds: [...]}` or `{scopes: [...]}`.
fn list_options(key: &str, items: &[String]) -> Object {
    let options = Object::new();
    let list: js_sys::Array = items.iter().map(|s| JsValue::from_str(s)).collect();
    sys::set(&options, key, &list);
    options
}

impl Bridge {
    /// A bridge with `options`; fails with `INVALID_CONFIG` on a bad backend URL.
    pub fn new(options: BridgeOptions) -> Result<Bridge> {
        let host = options.host.or_else(host::detect);
        let forwarder = match options.forward {
            None => None,
            Some(fwd) => {
                let base = crate::forward::BackendUrl::parse(&fwd.backend)?;
                let has_request = host.as_ref().is_some_and(|h| sys::method(h, "request").is_some());
                let transport: Rc<dyn Transport> = match fwd.transport {
                    TransportChoice::Fetch if !sys::has_fetch() => {
                        return Err(BridgeError::new(
                            ErrorCode::InvalidConfig,
                            "options.transport \"fetch\" needs fetch, Headers, Request and AbortController; this runtime lacks one. Use \"host\" or leave it automatic.",
                        ))
                    }
                    TransportChoice::Host if !has_request => {
                        return Err(BridgeError::new(
                            ErrorCode::InvalidConfig,
                            "options.transport \"host\" needs a host object with request() (bn.request / my.request); pass options.host.",
                        ))
                    }
                    TransportChoice::Fetch => Rc::new(FetchTransport),
                    TransportChoice::Auto if sys::has_fetch() => Rc::new(FetchTransport),
                    // Without fetch the host's request API is the only network; a runtime with
                    // neither gets HOST_UNAVAILABLE when it forwards, never a throw here.
                    TransportChoice::Host | TransportChoice::Auto => {
                        Rc::new(HostRequestTransport::new(host.clone().unwrap_or(JsValue::UNDEFINED)))
                    }
                };
                Some(Forwarder {
                    base,
                    routes: fwd.routes,
                    headers: fwd.headers,
                    timeout_ms: fwd.timeout_ms,
                    policy: RetryPolicy { retries: fwd.retries, ..RetryPolicy::default() },
                    transport,
                    registry: RefCell::new(Default::default()),
                })
            }
        };
        Ok(Bridge {
            inner: Rc::new(Inner {
                host,
                host_timeout_ms: options.host_timeout_ms,
                max_templates: options.max_templates_per_call,
                busy: Cell::new(false),
                forwarder,
            }),
        })
    }

    /// Takes the consent slot and calls `api` on the host, synchronously.
    fn start(&self, api: &str, options: Object) -> Result<(HostCall, BusyGuard)> {
        let host = self.inner.host.as_ref().ok_or_else(|| {
            BridgeError::new(ErrorCode::HostUnavailable, "No host object was found (no global bn or my). Pass options.host, e.g. new ConsentBridge({ host: bn }).")
        })?;
        if self.inner.busy.replace(true) {
            return Err(BridgeError::new(
                ErrorCode::ConsentBusy,
                "Another consent request is still open; wait for it to finish (disable the button while it runs).",
            ));
        }
        let guard = BusyGuard(self.inner.clone());
        let call = HostCall::start(host, api, options, self.inner.host_timeout_ms)?;
        Ok((call, guard))
    }

    /// The host API that provides `kind`; open id falls back to the newer `getUserOpenid`.
    fn data_api(&self, kind: DataKind) -> &'static str {
        let host = self.inner.host.as_ref();
        match kind {
            DataKind::OpenId if host.is_some_and(|h| sys::method(h, "getOpenId").is_none()) => {
                if host.is_some_and(|h| sys::method(h, "getUserOpenid").is_some()) {
                    "getUserOpenid"
                } else {
                    "getOpenId"
                }
            }
            other => other.host_api(),
        }
    }

    fn ask_data(&self, kind: DataKind) -> impl Future<Output = Result<DataConsent>> + 'static {
        let started = self.start(self.data_api(kind), Object::new());
        async move {
            let settled = settle(started).await?;
            consent::data_consent(kind, settled, sys::now_ms())
        }
    }

    /// Asks for the phone-number data token (`bn.getPhoneNumber`).
    pub fn ask_phone_number(&self) -> impl Future<Output = Result<DataConsent>> + 'static {
        self.ask_data(DataKind::PhoneNumber)
    }

    /// Asks for the open-id data token (`bn.getOpenId`, or `bn.getUserOpenid`).
    pub fn ask_open_id(&self) -> impl Future<Output = Result<DataConsent>> + 'static {
        self.ask_data(DataKind::OpenId)
    }

    /// Asks for the email data token (`bn.getEmailAddress`).
    pub fn ask_email_address(&self) -> impl Future<Output = Result<DataConsent>> + 'static {
        self.ask_data(DataKind::Email)
    }

    /// Reads the phone-number data token from an `onGetphonenumber` button event.
    pub fn phone_number_from_event(&self, event: &JsValue) -> Result<DataConsent> {
        let value = host::to_host_value(event, Limits::default()).map_err(|_| {
            BridgeError::new(
                ErrorCode::InvalidArgument,
                "The button event is too large or unreadable; pass the event the handler received.",
            )
        })?;
        consent::data_consent_from_event(&value, sys::now_ms())
    }

    /// Asks to subscribe to `template_ids` (`bn.requestSubscribeMessage`). Ids are
    /// checked before the host is called.
    pub fn ask_subscribe(&self, template_ids: Vec<String>) -> impl Future<Output = Result<SubscribeOutcome>> + 'static {
        let started = consent::validate_template_ids(&template_ids, self.inner.max_templates)
            .and_then(|()| self.start("requestSubscribeMessage", list_options("tmplIds", &template_ids)));
        async move {
            let settled = settle(started).await?;
            consent::subscribe_outcome(&template_ids, settled, sys::now_ms())
        }
    }

    /// Forwards a data consent to its route; resolves with the backend's JSON answer.
    pub fn forward_data(&self, consent: &DataConsent) -> impl Future<Output = Result<JsValue>> + 'static {
        let inner = self.inner.clone();
        let consent = consent.clone();
        async move {
            let fwd = inner.forwarder.as_ref().ok_or_else(not_configured)?;
            let lifetime_end = consent.obtained_at.saturating_add(DATA_TOKEN_LIFETIME_MS).min(consent.expires_at);
            let route = match consent.kind {
                DataKind::PhoneNumber => &fwd.routes.phone_number,
                DataKind::OpenId => &fwd.routes.open_id,
                DataKind::Email => &fwd.routes.email,
            };
            let body =
                DataTokenBody { data_token: consent.token.expose().to_owned(), obtained_at: consent.obtained_at }
                    .to_json();
            fwd.post(route, body, &[consent.token.expose()], Some(lifetime_end.saturating_sub(EXPIRY_MARGIN_MS))).await
        }
    }

    /// Forwards the accepted push tokens of a subscription outcome in one request.
    pub fn forward_subscriptions(
        &self,
        accepted: &[PushConsent],
    ) -> impl Future<Output = Result<SubscriptionsForwarded>> + 'static {
        let inner = self.inner.clone();
        let accepted = accepted.to_vec();
        async move {
            let fwd = inner.forwarder.as_ref().ok_or_else(not_configured)?;
            if accepted.is_empty() {
                return Ok(SubscriptionsForwarded { forwarded: Vec::new(), response: JsValue::NULL });
            }
            let deadline = accepted.iter().map(|p| p.expires_at).min().map(|e| e.saturating_sub(EXPIRY_MARGIN_MS));
            let secrets: Vec<&str> = accepted.iter().map(|p| p.push_token.expose()).collect();
            let body = SubscriptionsBody {
                subscriptions: accepted
                    .iter()
                    .map(|p| SubscriptionItem {
                        template_id: p.template_id.clone(),
                        push_token: p.push_token.expose().to_owned(),
                    })
                    .collect(),
            }
            .to_json();
            let response = fwd.post(&fwd.routes.subscriptions, body, &secrets, deadline).await?;
            Ok(SubscriptionsForwarded { forwarded: accepted.iter().map(|p| p.template_id.clone()).collect(), response })
        }
    }

    fn ask_and_forward(
        &self,
        asked: impl Future<Output = Result<DataConsent>> + 'static,
    ) -> impl Future<Output = Result<JsValue>> + 'static {
        let bridge = self.clone();
        async move {
            let consent = asked.await?;
            bridge.forward_data(&consent).await
        }
    }

    /// Asks for the phone number and forwards its token.
    pub fn get_phone_number(&self) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(self.ask_phone_number())
    }

    /// Asks for the open id and forwards its token.
    pub fn get_open_id(&self) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(self.ask_open_id())
    }

    /// Asks for the email address and forwards its token.
    pub fn get_email_address(&self) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(self.ask_email_address())
    }

    /// Reads a `getPhoneNumber` button event and forwards its token.
    pub fn forward_phone_number_event(&self, event: &JsValue) -> impl Future<Output = Result<JsValue>> + 'static {
        let consent = self.phone_number_from_event(event);
        let bridge = self.clone();
        async move { bridge.forward_data(&consent?).await }
    }

    /// Asks to subscribe and forwards the accepted push tokens.
    pub fn request_subscribe_message(
        &self,
        template_ids: Vec<String>,
    ) -> impl Future<Output = Result<(SubscribeOutcome, SubscriptionsForwarded)>> + 'static {
        let asked = self.ask_subscribe(template_ids);
        let bridge = self.clone();
        async move {
            let outcome = asked.await?;
            let forwarded = bridge.forward_subscriptions(&outcome.accepted).await?;
            Ok((outcome, forwarded))
        }
    }

    /// Asks for the member's public profile (`my.getOpenUserInfo`) and validates it.
    pub fn ask_open_user_info(&self) -> impl Future<Output = Result<UserProfile>> + 'static {
        let started = self.start("getOpenUserInfo", Object::new());
        async move {
            let settled = settle(started).await?;
            consent::open_user_info(settled)
        }
    }

    /// Follows the `getAuthorize` button: on its success event asks for the profile right
    /// away (still inside the tap); on its error event fails with a typed denial.
    pub fn ask_open_user_info_from_event(
        &self,
        event: &JsValue,
    ) -> impl Future<Output = Result<UserProfile>> + 'static {
        let authorized = host::to_host_value(event, Limits::default())
            .map_err(|_| BridgeError::new(ErrorCode::InvalidArgument, "The button event is too large or unreadable."))
            .and_then(|e| consent::authorize_event(&e));
        let asked = authorized.map(|()| self.ask_open_user_info());
        async move { asked?.await }
    }

    /// Asks for an auth code for `scopes` (`my.getAuthCode`). Scopes are checked first.
    pub fn ask_auth_code(&self, scopes: Vec<String>) -> impl Future<Output = Result<AuthCodeConsent>> + 'static {
        let started =
            consent::validate_scopes(&scopes).and_then(|()| self.start("getAuthCode", list_options("scopes", &scopes)));
        async move {
            let settled = settle(started).await?;
            consent::auth_code(&scopes, settled, sys::now_ms())
        }
    }

    /// Forwards a validated profile to its route (public data: not single use).
    pub fn forward_user_info(&self, profile: &UserProfile) -> impl Future<Output = Result<JsValue>> + 'static {
        let inner = self.inner.clone();
        let body = profile.to_json();
        async move {
            let fwd = inner.forwarder.as_ref().ok_or_else(not_configured)?;
            fwd.post(&fwd.routes.user_info, body, &[], None).await
        }
    }

    /// Forwards an auth code, once, before it expires.
    pub fn forward_auth_code(&self, consent: &AuthCodeConsent) -> impl Future<Output = Result<JsValue>> + 'static {
        let inner = self.inner.clone();
        let consent = consent.clone();
        async move {
            let fwd = inner.forwarder.as_ref().ok_or_else(not_configured)?;
            let body = AuthCodeBody {
                auth_code: consent.auth_code.expose().to_owned(),
                scopes: consent.granted_scopes.clone(),
            }
            .to_json();
            let deadline = consent.expires_at.saturating_sub(EXPIRY_MARGIN_MS);
            fwd.post(&fwd.routes.auth_code, body, &[consent.auth_code.expose()], Some(deadline)).await
        }
    }

    /// Asks for the profile and forwards it.
    pub fn get_open_user_info(&self) -> impl Future<Output = Result<JsValue>> + 'static {
        let asked = self.ask_open_user_info();
        let bridge = self.clone();
        async move { bridge.forward_user_info(&asked.await?).await }
    }

    /// Asks for an auth code and forwards it.
    pub fn get_auth_code(&self, scopes: Vec<String>) -> impl Future<Output = Result<JsValue>> + 'static {
        let asked = self.ask_auth_code(scopes);
        let bridge = self.clone();
        async move { bridge.forward_auth_code(&asked.await?).await }
    }
}
