//! The Rust API: [`Bridge`], the consent flows as futures.
//!
//! Every flow method calls the host API **when the method is called**, not when the
//! returned future is first polled: a future that is spawned or awaited later would
//! otherwise leave the user's tap, and hosts refuse consent calls outside a tap.

use crate::prelude::*;

use crate::consent::{
    self, Ask, AuthCodeConsent, Consent, DataConsent, DataKind, Limits, LoginCodeConsent, Platform, PushConsent,
    SubscribeOutcome, SubscriptionGrants, UserProfile,
};
use crate::error::{BridgeError, ErrorCode, Result};
use crate::flow::{Slot, Started};
use crate::forward::{BackendUrl, FixedHeaders, Forwarder, HeaderSource, RetryPolicy, Transport};
use crate::host;
use crate::options::{BridgeOptions, HeaderOption, TransportChoice};
use crate::sys;
use crate::transport::{DynamicHeaders, FetchTransport, HostRequestTransport, JsClock};
use alloc::rc::Rc;
use core::fmt;
use core::future::Future;
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
    platform: Option<Platform>,
    host_timeout_ms: u32,
    max_templates: usize,
    slot: Slot,
    forwarder: Option<Forwarder>,
}

impl fmt::Debug for Bridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bridge")
            .field("host", &self.inner.host.as_ref().map(|_| "<host object>"))
            .field("platform", &self.inner.platform)
            .field("host_timeout_ms", &self.inner.host_timeout_ms)
            .field("max_templates", &self.inner.max_templates)
            .field("busy", &self.inner.slot.is_taken())
            .field("forwarder", &self.inner.forwarder)
            .finish()
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

/// The transport `choice` resolves to in this runtime, or why it cannot work here.
fn transport_for(choice: TransportChoice, host: Option<&JsValue>) -> Result<Rc<dyn Transport>> {
    let has_request = host.is_some_and(|h| sys::method(h, "request").is_some());
    Ok(match choice {
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
        #[cfg(feature = "gloo")]
        TransportChoice::Gloo if !sys::has_fetch() => {
            return Err(BridgeError::invalid_config(
                "TransportChoice::Gloo needs fetch, Headers, Request and AbortController; this runtime lacks one.",
            ))
        }
        #[cfg(feature = "gloo")]
        TransportChoice::Gloo => Rc::new(crate::transport::GlooTransport),
        TransportChoice::Fetch => Rc::new(FetchTransport),
        TransportChoice::Auto if sys::has_fetch() => Rc::new(FetchTransport),
        // Without fetch the host's request API is the only network; a runtime with
        // neither gets HOST_UNAVAILABLE when it forwards, never a throw here.
        TransportChoice::Host | TransportChoice::Auto => {
            Rc::new(HostRequestTransport::new(host.cloned().unwrap_or(JsValue::UNDEFINED)))
        }
    })
}

impl Bridge {
    /// A bridge with `options`; fails with `INVALID_CONFIG` on a bad backend URL, or
    /// when no platform is named and the runtime defines more than one host global.
    pub fn new(options: BridgeOptions) -> Result<Bridge> {
        let (host, platform) = host::resolve(options.host, options.platform)?;
        let max_templates = options.max_templates_per_call.unwrap_or(match platform {
            Some(Platform::Wechat) => consent::WECHAT_MAX_TEMPLATES,
            Some(Platform::Alipay) => consent::ALIPAY_MAX_TEMPLATES,
            Some(Platform::Binance) | None => consent::DEFAULT_MAX_TEMPLATES,
        });
        let forwarder = match options.forward {
            None => None,
            Some(fwd) => {
                let base = BackendUrl::parse(&fwd.backend)?;
                let transport = transport_for(fwd.transport, host.as_ref())?;
                let headers: Box<dyn HeaderSource> = match fwd.headers {
                    HeaderOption::Fixed(h) => Box::new(FixedHeaders(h)),
                    HeaderOption::Dynamic(f) => Box::new(DynamicHeaders(f)),
                };
                let policy = RetryPolicy { retries: fwd.retries, ..RetryPolicy::default() };
                Some(Forwarder::new(base, fwd.routes, headers, fwd.timeout_ms, policy, transport, Rc::new(JsClock)))
            }
        };
        Ok(Bridge {
            inner: Rc::new(Inner {
                host,
                platform,
                host_timeout_ms: options.host_timeout_ms,
                max_templates,
                slot: Slot::default(),
                forwarder,
            }),
        })
    }

    /// Checks the arguments of `ask` and calls the host, synchronously: this is the part
    /// of every flow that must happen inside the tap.
    pub(crate) fn begin(&self, ask: Ask) -> Started {
        let inner = &self.inner;
        Started::begin(
            inner.host.as_ref(),
            inner.platform,
            &inner.slot,
            ask,
            inner.max_templates,
            inner.host_timeout_ms,
        )
    }

    /// The platform the bridge runs on, when known (named, or detected from the globals).
    pub fn platform(&self) -> Option<Platform> {
        self.inner.platform
    }

    /// Follows the `getAuthorize` button: on its success event asks for the profile at
    /// once (still inside the tap); on its error event the flow fails with a typed denial.
    pub(crate) fn begin_profile_from_event(&self, event: &JsValue) -> Started {
        let authorized = host::to_host_value(event, Limits::default())
            .map_err(|_| BridgeError::new(ErrorCode::InvalidArgument, "The button event is too large or unreadable."))
            .and_then(|e| consent::authorize_event(&e));
        match authorized {
            Ok(()) => self.begin(Ask::Profile),
            Err(e) => Started::Decided(Err(e)),
        }
    }

    /// Forwards any consent to its route and resolves with the backend's JSON answer
    /// (`null` for a subscription outcome that accepted nothing: nothing is sent).
    pub(crate) fn forward_consent(&self, consent: &Consent) -> impl Future<Output = Result<JsValue>> + 'static {
        let inner = self.inner.clone();
        let consent = consent.clone();
        async move {
            let fwd = inner.forwarder.as_ref().ok_or_else(not_configured)?;
            match fwd.forward(&consent).await? {
                // Already checked as JSON by the forwarder.
                Some(text) => js_sys::JSON::parse(&text).map_err(|_| {
                    BridgeError::new(
                        ErrorCode::BackendInvalidResponse,
                        "The backend's answer is not JSON that this runtime can parse.",
                    )
                }),
                None => Ok(JsValue::NULL),
            }
        }
    }

    /// Remembers the tokens of `consent`, which is about to be handed to the page (see
    /// [`Forwarder::note_issued`]).
    pub(crate) fn note_issued(&self, consent: &Consent) {
        if let Some(fwd) = &self.inner.forwarder {
            fwd.note_issued(consent);
        }
    }

    /// Waits for a started flow and hands its consent to the page, remembered.
    fn settle(&self, started: Started) -> impl Future<Output = Result<Consent>> + 'static {
        let bridge = self.clone();
        async move {
            let consent = started.consent().await?;
            bridge.note_issued(&consent);
            Ok(consent)
        }
    }

    /// Waits for a started flow and forwards its consent.
    pub(crate) fn ask_and_forward(&self, started: Started) -> impl Future<Output = Result<JsValue>> + 'static {
        let bridge = self.clone();
        async move {
            let consent = started.consent().await?;
            bridge.forward_consent(&consent).await
        }
    }

    fn ask_data(&self, kind: DataKind) -> impl Future<Output = Result<DataConsent>> + 'static {
        let settled = self.settle(self.begin(Ask::Data(kind)));
        async move { settled.await?.into_data() }
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
        self.data_from_event(DataKind::PhoneNumber, event)
    }

    /// Reads the email data token from a `getEmailAddress` button event
    /// (`bindgetemailaddress`, token in `detail.code`).
    pub fn email_address_from_event(&self, event: &JsValue) -> Result<DataConsent> {
        self.data_from_event(DataKind::Email, event)
    }

    /// Reads the data token of `kind` from its button's event.
    pub(crate) fn data_from_event(&self, kind: DataKind, event: &JsValue) -> Result<DataConsent> {
        let value = host::to_host_value(event, Limits::default()).map_err(|_| {
            BridgeError::new(
                ErrorCode::InvalidArgument,
                "The button event is too large or unreadable; pass the event the handler received.",
            )
        })?;
        let now = sys::now_ms();
        let consent = match (self.inner.platform, kind) {
            (Some(Platform::Wechat), DataKind::PhoneNumber) => consent::wechat_phone_from_event(&value, now),
            (Some(Platform::Wechat | Platform::Alipay), _) => Err(host::unsupported(
                "wechat has only the phone-number buttons, alipay none of these: on alipay use askAuthCode().",
            )),
            _ => consent::data_consent_from_button(kind, &value, now),
        }?;
        // An event read again (a retry after an unknown outcome, or an event the page kept)
        // is the consent handed out the first time: the same obtainedAt, so the same request
        // bytes under its key, and the real expiry.
        let known = self.inner.forwarder.as_ref().and_then(|f| f.issued_expiry(consent.token.expose()));
        let consent = match known {
            Some(expiry) if expiry < consent.expires_at => {
                let life = consent.expires_at.saturating_sub(consent.obtained_at);
                DataConsent { obtained_at: expiry.saturating_sub(life), expires_at: expiry, ..consent }
            }
            _ => consent,
        };
        self.note_issued(&Consent::Data(consent.clone()));
        Ok(consent)
    }

    /// Asks to subscribe to `template_ids` (`bn.requestSubscribeMessage`). Ids are
    /// checked before the host is called.
    pub fn ask_subscribe(&self, template_ids: Vec<String>) -> impl Future<Output = Result<SubscribeOutcome>> + 'static {
        let settled = self.settle(self.begin(Ask::Subscribe(template_ids)));
        async move { settled.await?.into_subscribe() }
    }

    /// Asks to subscribe where templates are accepted without a token
    /// (`wx.requestSubscribeMessage({tmplIds})`, `my.requestSubscribeMessage({entityIds})`).
    pub fn ask_subscription_grants(
        &self,
        template_ids: Vec<String>,
    ) -> impl Future<Output = Result<SubscriptionGrants>> + 'static {
        let settled = self.settle(self.begin(Ask::Subscribe(template_ids)));
        async move {
            match settled.await? {
                Consent::Grants(g) => Ok(g),
                _ => Err(BridgeError::invalid_config(
                    "This platform's subscriptions come with push tokens: use ask_subscribe().",
                )),
            }
        }
    }

    /// Forwards accepted templates (`POST /consent/subscription-grants`); `null` when
    /// nothing was accepted.
    pub fn forward_subscription_grants(
        &self,
        grants: &SubscriptionGrants,
    ) -> impl Future<Output = Result<JsValue>> + 'static {
        self.forward_consent(&Consent::Grants(grants.clone()))
    }

    /// Asks for a login code (`wx.login`, `bn.login`).
    pub fn ask_login_code(&self) -> impl Future<Output = Result<LoginCodeConsent>> + 'static {
        let settled = self.settle(self.begin(Ask::Login));
        async move { settled.await?.into_login() }
    }

    /// Forwards a login code, once, before it expires (`POST /consent/login-code`).
    pub fn forward_login_code(&self, consent: &LoginCodeConsent) -> impl Future<Output = Result<JsValue>> + 'static {
        self.forward_consent(&Consent::Login(consent.clone()))
    }

    /// Asks for a login code and forwards it; resolves with the backend's answer.
    pub fn login(&self) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(self.begin(Ask::Login))
    }

    /// Forwards a data consent to its route; resolves with the backend's JSON answer.
    pub fn forward_data(&self, consent: &DataConsent) -> impl Future<Output = Result<JsValue>> + 'static {
        self.forward_consent(&Consent::Data(consent.clone()))
    }

    /// Forwards the accepted push tokens of a subscription outcome in one request.
    pub fn forward_subscriptions(
        &self,
        accepted: &[PushConsent],
    ) -> impl Future<Output = Result<SubscriptionsForwarded>> + 'static {
        let forwarded = accepted.iter().map(|p| p.template_id.clone()).collect();
        let outcome = SubscribeOutcome { accepted: accepted.to_vec(), rejected: Vec::new() };
        let sent = self.forward_consent(&Consent::Subscribe(outcome));
        async move { Ok(SubscriptionsForwarded { forwarded, response: sent.await? }) }
    }

    /// Asks for the phone number and forwards its token.
    pub fn get_phone_number(&self) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(self.begin(Ask::Data(DataKind::PhoneNumber)))
    }

    /// Asks for the open id and forwards its token.
    pub fn get_open_id(&self) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(self.begin(Ask::Data(DataKind::OpenId)))
    }

    /// Asks for the email address and forwards its token.
    pub fn get_email_address(&self) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(self.begin(Ask::Data(DataKind::Email)))
    }

    /// Reads a `getEmailAddress` button event and forwards its token.
    pub fn forward_email_address_event(&self, event: &JsValue) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(Started::Decided(self.email_address_from_event(event).map(Consent::Data)))
    }

    /// Reads a `getPhoneNumber` button event and forwards its token.
    pub fn forward_phone_number_event(&self, event: &JsValue) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(Started::Decided(self.phone_number_from_event(event).map(Consent::Data)))
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
        let started = self.begin(Ask::Profile);
        async move { started.consent().await?.into_profile() }
    }

    /// Follows the `getAuthorize` button: on its success event asks for the profile right
    /// away (still inside the tap); on its error event fails with a typed denial.
    pub fn ask_open_user_info_from_event(
        &self,
        event: &JsValue,
    ) -> impl Future<Output = Result<UserProfile>> + 'static {
        let started = self.begin_profile_from_event(event);
        async move { started.consent().await?.into_profile() }
    }

    /// Asks for an auth code for `scopes` (`my.getAuthCode`). Scopes are checked first.
    pub fn ask_auth_code(&self, scopes: Vec<String>) -> impl Future<Output = Result<AuthCodeConsent>> + 'static {
        let settled = self.settle(self.begin(Ask::AuthCode(scopes)));
        async move { settled.await?.into_auth_code() }
    }

    /// Forwards a validated profile to its route (public data: not single use).
    pub fn forward_user_info(&self, profile: &UserProfile) -> impl Future<Output = Result<JsValue>> + 'static {
        self.forward_consent(&Consent::Profile(profile.clone()))
    }

    /// Forwards an auth code, once, before it expires.
    pub fn forward_auth_code(&self, consent: &AuthCodeConsent) -> impl Future<Output = Result<JsValue>> + 'static {
        self.forward_consent(&Consent::AuthCode(consent.clone()))
    }

    /// Asks for the profile and forwards it.
    pub fn get_open_user_info(&self) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(self.begin(Ask::Profile))
    }

    /// Asks for an auth code and forwards it.
    pub fn get_auth_code(&self, scopes: Vec<String>) -> impl Future<Output = Result<JsValue>> + 'static {
        self.ask_and_forward(self.begin(Ask::AuthCode(scopes)))
    }
}
