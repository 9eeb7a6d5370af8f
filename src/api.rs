//! The `#[wasm_bindgen]` surface: `ConsentBridge` for JS. Each method converts and
//! validates its arguments inside (never in the boundary conversion), calls the host
//! synchronously where it asks for consent, and returns a promise.

use crate::prelude::*;

use crate::bridge::Bridge;
use crate::consent::{
    validate_template_ids, Ask, AuthCodeConsent, Consent, DataConsent, DataKind, LoginCodeConsent, Platform,
    PushConsent, SubscribeOutcome, SubscriptionGrants, Token, UserProfile, MAX_TEMPLATE_ID_LEN, MAX_TOKEN_LEN,
};
use crate::error::{BridgeError, ErrorCode, Result};
use crate::flow::Started;
use crate::json_write::ToJson;
use crate::options::BridgeOptions;
use crate::sys;
use crate::sys::Refused;
use core::future::Future;
use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Stable codes on `BridgeError.code`. */
export type BridgeErrorCode =
  | "HOST_UNAVAILABLE" | "USER_DENIED" | "CONSENT_BUSY" | "HOST_ERROR" | "INVALID_RESULT"
  | "SCOPE_NOT_GRANTED" | "TOKEN_EXPIRED" | "TOKEN_ALREADY_USED" | "HOST_TIMEOUT"
  | "BACKEND_TIMEOUT" | "NETWORK" | "BACKEND_REJECTED" | "BACKEND_INVALID_RESPONSE"
  | "INVALID_CONFIG" | "INVALID_ARGUMENT" | "QUOTA_EXCEEDED";

/** What a host or backend said about a failure; never a token. */
export interface BridgeErrorDetails {
  hostCode?: string;
  hostMessage?: string;
  status?: number;
  backendCode?: string;
  backendMessage?: string;
  scopes?: { scope: string; code: string }[];
}

/** Every error of the bridge: a real `Error` with a stable `code`. */
export declare class BridgeError extends Error {
  private constructor();
  readonly name: "BridgeError";
  readonly code: BridgeErrorCode;
  readonly details: BridgeErrorDetails;
}

/** A host object such as `wx`, `bn` or `my`, or a mock with the same functions. */
export type HostObject = object;

/** The mini program platform; also the `platform` field on the wire. */
export type Platform = "wechat" | "binance" | "alipay";

/** Route overrides for forwarding. */
export interface ConsentRoutes {
  phoneNumber?: string; openId?: string; email?: string;
  subscriptions?: string; userInfo?: string; authCode?: string;
  loginCode?: string; subscriptionGrants?: string;
}

/** Options of `new ConsentBridge(options)`. */
export interface ConsentBridgeOptions {
  /**
   * The platform. When omitted: the platform of `host` if it is the global `wx`, `bn` or
   * `my`; else `bn` or `my` if defined (even beside a framework's `wx` shim), else `wx`;
   * `bn` and `my` together are `INVALID_CONFIG`. An injected host that is no global (a
   * mock) without `platform` keeps the pre-platform behaviour (Binance shapes; Alipay
   * profile and auth code): name the platform for mocks.
   */
  platform?: Platform;
  /** The host object; found from the globals (`wx`, `bn`, `my`) when omitted. */
  host?: HostObject;
  /** How long the host may take to answer a consent call, ms (default 60000). */
  hostTimeoutMs?: number;
  /** Most templates per subscription request (default: WeChat 5, Binance and Alipay 3). */
  maxTemplatesPerCall?: number;
  /** Base URL of your backend: https, or http on loopback for development. */
  backend?: string;
  /** Route overrides; defaults are /consent/phone-number, /consent/open-id, … */
  routes?: ConsentRoutes;
  /** Extra headers, or a function returning them (or a promise of them) per request. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** Per-request timeout, ms (default 10000). */
  timeoutMs?: number;
  /** Retries on network failures, timeouts, 5xx and 429 (default 2). */
  retries?: number;
  /** "fetch", "host" (wx.request / bn.request / my.request) or "auto" (default). */
  transport?: "fetch" | "host" | "auto";
}

/** Which data token a consent carries. */
export type DataKind = "phoneNumber" | "openId" | "email";

/**
 * A validated data token (times in ms since the epoch): a Binance data token (lives 2
 * minutes) or a WeChat phone-number code (5 minutes); single use.
 */
export interface DataConsent {
  kind: DataKind;
  platform: "binance" | "wechat";
  token: string;
  obtainedAt: number;
  expiresAt: number;
}

/** A push token for one accepted template (lives 7 days, single use). */
export interface PushConsent {
  templateId: string;
  pushToken: string;
  obtainedAt: number;
  expiresAt: number;
}

/** Why a template yielded no push token. */
export type RejectReason = "reject" | "ban" | "filter" | "noToken" | "invalidToken" | "missing" | "unknownType";

/** The outcome of a subscription request; refusal is an outcome, not an error. */
export interface SubscribeOutcome {
  accepted: PushConsent[];
  rejected: { templateId: string; reason: RejectReason }[];
}

/** The result of forwarding accepted subscriptions. */
export interface SubscriptionsForwarded extends SubscribeOutcome {
  /** Template ids whose push tokens were sent. */
  forwarded: string[];
  /** The backend's JSON answer, or null when nothing was accepted. */
  response: unknown;
}

/**
 * A WeChat or Alipay subscription outcome: accepted template ids (no token: the server
 * sends by the user's id). Refusal is an outcome, not an error.
 */
export interface SubscriptionGrants {
  platform: "wechat" | "alipay";
  accepted: string[];
  rejected: SubscribeOutcome["rejected"];
  obtainedAt: number;
}

/** The result of forwarding subscription grants (`POST /consent/subscription-grants`). */
export interface SubscriptionGrantsForwarded extends SubscriptionGrants {
  /** Template ids sent to the backend. */
  forwarded: string[];
  /** The backend's JSON answer, or null when nothing was accepted. */
  response: unknown;
}

/** A login code from `wx.login` / `bn.login`: single use, treated as valid 5 minutes. */
export interface LoginCodeConsent {
  platform: "wechat" | "binance";
  loginCode: string;
  obtainedAt: number;
  expiresAt: number;
}

/** The member's public profile from `my.getOpenUserInfo` (user-controlled data). */
export interface UserProfile {
  nickName: string;
  /** An https URL, or "". */
  avatar: string;
  /** "m", "f" or "" (always "" since 2022). */
  gender: "m" | "f" | "";
  /** Two letters, or "". */
  countryCode: string;
  province: string;
  city: string;
}

/** A validated Alipay auth code: single use; your backend exchanges it (applyToken). */
export interface AuthCodeConsent {
  authCode: string;
  grantedScopes: string[];
  obtainedAt: number;
  expiresAt: number;
}

/**
 * The event of the `getAuthorize` button's onGetAuthorize or onError handler. No index
 * signatures here or below: the hosts' typings declare events as interfaces, which TypeScript
 * never lets match one; extra fields of an event are still accepted.
 */
export interface AuthorizeButtonEvent {
  type?: string;
  detail?: { errorCode?: number | string; errorMessage?: string };
}

/** The `bindgetemailaddress` button event (Binance `open-type="getEmailAddress"`). */
export interface EmailAddressButtonEvent {
  detail: { code?: string; errMsg?: string };
}

/**
 * The phone-number button event: Binance `onGetphonenumber`; WeChat `bindgetphonenumber`
 * and `bindgetrealtimephonenumber` (`errno` 1400001: quota used up). WeChat's own
 * `WechatMiniprogram.ButtonGetPhoneNumber` fits (no index signature on purpose).
 */
export interface PhoneNumberButtonEvent {
  detail: { code?: string; errMsg?: string; errno?: number };
}
"#;

/// Runs the mini program consent flows: ask the host, validate, forward.
#[wasm_bindgen]
pub struct ConsentBridge {
    bridge: Bridge,
}

/// Every method's future goes through this one boxed type, so the promise machinery is
/// compiled once rather than once per method (it was a third of the wasm).
type BoxedFlow = core::pin::Pin<Box<dyn Future<Output = Result<JsValue>>>>;

fn promise(future: impl Future<Output = Result<JsValue>> + 'static) -> Promise {
    into_promise(Box::pin(future))
}

fn into_promise(flow: BoxedFlow) -> Promise {
    future_to_promise(async move { flow.await.map_err(JsValue::from) })
}

fn to_js<T: ToJson>(value: &T) -> Result<JsValue> {
    js_sys::JSON::parse(&value.to_json())
        .map_err(|_| BridgeError::new(ErrorCode::InvalidResult, "The result could not be converted to JS."))
}

/// A consent's `obtainedAt`: an integer time not in the future (a clock skew of a few
/// seconds aside), so an edited consent cannot extend its own life.
fn obtained_at(value: &JsValue) -> Result<u64> {
    match sys::get(value, "obtainedAt").as_f64() {
        Some(n) if n >= 0.0 && n <= (sys::now_ms() + 5_000) as f64 && n == (n as u64) as f64 => Ok(n as u64),
        _ => Err(BridgeError::invalid_argument(
            "forward() expects a consent returned by an ask… method (obtainedAt must be a past time in ms).",
        )),
    }
}

/// Most items read from a list argument (template ids, scopes, accepted templates);
/// longer lists are refused before any copy. The core's own, tighter rules (and their
/// messages) apply to what is read.
const MAX_LIST_LEN: u32 = 64;
/// Most templates in one subscribe outcome (the largest `maxTemplatesPerCall`).
const MAX_TEMPLATES: usize = 20;
/// Characters read of one list item: four times the core's byte limit, so the core
/// still gives its own message for an item that is merely too long.
const MAX_ITEM_LEN: usize = 4 * MAX_TEMPLATE_ID_LEN;

/// A string field of a consent passed to `forward()`, refused unread when longer than
/// `max` (or malformed UTF-16).
fn string(value: &JsValue, key: &str, max: usize) -> Result<String> {
    sys::get_string(value, key, max).map_err(|refused| {
        BridgeError::invalid_argument(match refused {
            Refused::NotString => "forward() expects a consent returned by an ask… method (a string field is missing).",
            Refused::TooLong => "forward() expects a consent returned by an ask… method (a field is far too long).",
            Refused::LoneSurrogate => {
                "forward() expects a consent returned by an ask… method (a field is not valid UTF-16)."
            }
        })
    })
}

/// A token field of a consent passed to `forward()`, validated like a host's.
fn token(value: &JsValue, key: &str, what: &str) -> Result<Token> {
    Token::parse(&string(value, key, MAX_TOKEN_LEN)?, what).map_err(|_| {
        BridgeError::invalid_argument(format!(
            "The consent's {what} is malformed (empty, too long, padded or with control characters)."
        ))
    })
}

/// Reads a data consent back from JS. The expiry is recomputed from `obtainedAt`, so an
/// edited `expiresAt` cannot extend a token's life.
fn data_consent_from_js(value: &JsValue, kind: DataKind) -> Result<DataConsent> {
    Ok(DataConsent::new(kind, token(value, "token", "data token")?, obtained_at(value)?))
}

/// The JS array in `value`, refused unread when longer than [`MAX_LIST_LEN`].
fn bounded_list<'a>(value: &'a JsValue, what: &str) -> Result<&'a js_sys::Array> {
    let list = value
        .dyn_ref::<js_sys::Array>()
        .ok_or_else(|| BridgeError::invalid_argument(format!("Pass the {what} as an array.")))?;
    if list.length() > MAX_LIST_LEN {
        return Err(BridgeError::invalid_argument(format!("Pass at most {MAX_LIST_LEN} {what}.")));
    }
    Ok(list)
}

fn push_consents_from_js(accepted: &JsValue) -> Result<Vec<PushConsent>> {
    let list = bounded_list(accepted, "accepted templates")?;
    let consents = list
        .iter()
        .map(|item| {
            let template_id = string(&item, "templateId", MAX_ITEM_LEN)?;
            Ok(PushConsent::new(template_id, token(&item, "pushToken", "push token")?, obtained_at(&item)?))
        })
        .collect::<Result<Vec<PushConsent>>>()?;
    // Template ids are checked like the ones asked for: they travel in the body too. An
    // outcome that accepted nothing is still fine: it forwards nothing.
    let ids: Vec<String> = consents.iter().map(|p| p.template_id.clone()).collect();
    if !ids.is_empty() {
        validate_template_ids(&ids, MAX_TEMPLATES)?;
    }
    Ok(consents)
}

/// What a flow resolves with in JS.
#[derive(Clone, Copy)]
enum Resolve {
    /// The validated consent (`ask…` methods).
    Consent,
    /// The backend's answer; for subscriptions the outcome with `forwarded` and `response`.
    Forwarded,
    /// The backend's answer; for subscriptions only `forwarded` and `response` (`forward()`).
    ForwardedOnly,
}

fn consent_to_js(consent: &Consent) -> Result<JsValue> {
    match consent {
        Consent::Data(c) => to_js(c),
        Consent::Subscribe(o) => to_js(o),
        Consent::Profile(p) => to_js(p),
        Consent::AuthCode(c) => to_js(c),
        Consent::Grants(g) => to_js(g),
        Consent::Login(c) => to_js(c),
    }
}

/// `{...outcome, forwarded, response}`, or without the outcome's own fields for `forward()`.
fn subscriptions_to_js(outcome: &Consent, ids: &[&str], with_outcome: bool, response: JsValue) -> Result<JsValue> {
    let obj = if with_outcome { Object::from(consent_to_js(outcome)?) } else { Object::new() };
    let ids: js_sys::Array = ids.iter().map(|id| JsValue::from_str(id)).collect();
    sys::set(&obj, "forwarded", &ids);
    sys::set(&obj, "response", &response);
    Ok(obj.into())
}

/// A list of strings from JS (template ids, scopes), the list and each item bounded
/// before anything is copied, then checked by the core.
fn strings(value: &JsValue, what: &str) -> Result<Vec<String>> {
    let max = MAX_ITEM_LEN;
    bounded_list(value, what)?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            sys::string_within(&v, max).map_err(|refused| {
                BridgeError::invalid_argument(match refused {
                    Refused::TooLong => format!("The {what} #{i} is longer than {max} characters."),
                    _ => format!("Every one of the {what} must be a well-formed string (#{i} is not)."),
                })
            })
        })
        .collect()
}

/// An auth code passed back to `forward()`; the expiry is recomputed from `obtainedAt`.
fn auth_code_from_js(value: &JsValue) -> Result<AuthCodeConsent> {
    let auth_code = token(value, "authCode", "auth code")?;
    let scopes = strings(&sys::get(value, "grantedScopes"), "grantedScopes")?;
    Ok(AuthCodeConsent::new(auth_code, scopes, obtained_at(value)?))
}

/// A profile passed back to `forward()`, validated again like a host answer.
fn profile_from_js(value: &JsValue) -> Result<UserProfile> {
    let copied = crate::host::to_host_value(value, crate::consent::Limits::default())
        .map_err(|_| BridgeError::invalid_argument("The profile passed to forward() is too large or unreadable."))?;
    crate::consent::validate_profile(&copied).map_err(|e| {
        BridgeError::invalid_argument(format!("The profile passed to forward() is invalid: {}", e.message()))
    })
}

impl ConsentBridge {
    /// Runs a started flow to its JS result: every method goes through this one future.
    fn run(&self, started: Started, resolve: Resolve) -> Promise {
        let bridge = self.bridge.clone();
        promise(async move {
            let consent = started.consent().await?;
            if let Resolve::Consent = resolve {
                bridge.note_issued(&consent);
                return consent_to_js(&consent);
            }
            let response = bridge.forward_consent(&consent).await?;
            let with_outcome = matches!(resolve, Resolve::Forwarded);
            match &consent {
                Consent::Subscribe(o) => {
                    let ids: Vec<&str> = o.accepted.iter().map(|p| p.template_id.as_str()).collect();
                    subscriptions_to_js(&consent, &ids, with_outcome, response)
                }
                Consent::Grants(g) => {
                    let ids: Vec<&str> = g.accepted.iter().map(String::as_str).collect();
                    subscriptions_to_js(&consent, &ids, with_outcome, response)
                }
                _ => Ok(response),
            }
        })
    }

    fn ask(&self, ask: Ask, resolve: Resolve) -> Promise {
        self.run(self.bridge.begin(ask), resolve)
    }

    /// A flow over a list argument (template ids, scopes), refused before the host call
    /// when the list is not an array of strings.
    fn ask_list(&self, list: &JsValue, what: &str, ask: fn(Vec<String>) -> Ask, resolve: Resolve) -> Promise {
        let started = match strings(list, what) {
            Ok(items) => self.bridge.begin(ask(items)),
            Err(e) => Started::Decided(Err(e)),
        };
        self.run(started, resolve)
    }
}

#[wasm_bindgen]
impl ConsentBridge {
    /// Creates a bridge. Throws a `BridgeError` (`INVALID_CONFIG`) on bad options; never
    /// throws because a host is missing (that is reported when a flow runs).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ConsentBridgeOptions")] options: Option<JsValue>,
    ) -> core::result::Result<ConsentBridge, JsValue> {
        let options = BridgeOptions::from_js(&options.unwrap_or(JsValue::UNDEFINED))?;
        Ok(ConsentBridge { bridge: Bridge::new(options)? })
    }

    /// Asks for the phone-number data token (`bn.getPhoneNumber`) without forwarding it.
    #[wasm_bindgen(js_name = askPhoneNumber, unchecked_return_type = "Promise<DataConsent>")]
    pub fn ask_phone_number(&self) -> Promise {
        self.ask(Ask::Data(DataKind::PhoneNumber), Resolve::Consent)
    }

    /// Asks for the open-id data token (`bn.getOpenId`) without forwarding it.
    #[wasm_bindgen(js_name = askOpenId, unchecked_return_type = "Promise<DataConsent>")]
    pub fn ask_open_id(&self) -> Promise {
        self.ask(Ask::Data(DataKind::OpenId), Resolve::Consent)
    }

    /// Asks for the email data token (`bn.getEmailAddress`) without forwarding it.
    #[wasm_bindgen(js_name = askEmailAddress, unchecked_return_type = "Promise<DataConsent>")]
    pub fn ask_email_address(&self) -> Promise {
        self.ask(Ask::Data(DataKind::Email), Resolve::Consent)
    }

    /// Reads the phone-number data token from the `getPhoneNumber` button event.
    #[wasm_bindgen(js_name = phoneNumberFromEvent, unchecked_return_type = "Promise<DataConsent>")]
    pub fn phone_number_from_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PhoneNumberButtonEvent")] event: JsValue,
    ) -> Promise {
        self.run(Started::Decided(self.bridge.phone_number_from_event(&event).map(Consent::Data)), Resolve::Consent)
    }

    /// Reads the email data token from the `getEmailAddress` button event.
    #[wasm_bindgen(js_name = emailAddressFromEvent, unchecked_return_type = "Promise<DataConsent>")]
    pub fn email_address_from_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EmailAddressButtonEvent")] event: JsValue,
    ) -> Promise {
        self.run(Started::Decided(self.bridge.email_address_from_event(&event).map(Consent::Data)), Resolve::Consent)
    }

    /// Forwards the token of a `getEmailAddress` button event; resolves with the backend's answer.
    #[wasm_bindgen(js_name = forwardEmailAddressEvent, unchecked_return_type = "Promise<unknown>")]
    pub fn forward_email_address_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EmailAddressButtonEvent")] event: JsValue,
    ) -> Promise {
        self.run(Started::Decided(self.bridge.email_address_from_event(&event).map(Consent::Data)), Resolve::Forwarded)
    }

    /// Asks to subscribe to up to `maxTemplatesPerCall` templates (`requestSubscribeMessage`):
    /// Binance answers push tokens, WeChat and Alipay accepted ids (`SubscriptionGrants`).
    #[wasm_bindgen(js_name = askSubscribe, unchecked_return_type = "Promise<SubscribeOutcome | SubscriptionGrants>")]
    pub fn ask_subscribe(&self, #[wasm_bindgen(unchecked_param_type = "string[]")] tmpl_ids: JsValue) -> Promise {
        self.ask_list(&tmpl_ids, "template ids", Ask::Subscribe, Resolve::Consent)
    }

    /// Asks for the phone number and forwards its token; resolves with the backend's answer.
    #[wasm_bindgen(js_name = getPhoneNumber, unchecked_return_type = "Promise<unknown>")]
    pub fn get_phone_number(&self) -> Promise {
        self.ask(Ask::Data(DataKind::PhoneNumber), Resolve::Forwarded)
    }

    /// Asks for the open id and forwards its token; resolves with the backend's answer.
    #[wasm_bindgen(js_name = getOpenId, unchecked_return_type = "Promise<unknown>")]
    pub fn get_open_id(&self) -> Promise {
        self.ask(Ask::Data(DataKind::OpenId), Resolve::Forwarded)
    }

    /// Asks for the email address and forwards its token; resolves with the backend's answer.
    #[wasm_bindgen(js_name = getEmailAddress, unchecked_return_type = "Promise<unknown>")]
    pub fn get_email_address(&self) -> Promise {
        self.ask(Ask::Data(DataKind::Email), Resolve::Forwarded)
    }

    /// Forwards the token of a `getPhoneNumber` button event; resolves with the backend's answer.
    #[wasm_bindgen(js_name = forwardPhoneNumberEvent, unchecked_return_type = "Promise<unknown>")]
    pub fn forward_phone_number_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PhoneNumberButtonEvent")] event: JsValue,
    ) -> Promise {
        self.run(Started::Decided(self.bridge.phone_number_from_event(&event).map(Consent::Data)), Resolve::Forwarded)
    }

    /// Asks to subscribe and forwards what was accepted (push tokens, or on WeChat and
    /// Alipay the template ids to `/consent/subscription-grants`).
    #[wasm_bindgen(
        js_name = requestSubscribeMessage,
        unchecked_return_type = "Promise<SubscriptionsForwarded | SubscriptionGrantsForwarded>"
    )]
    pub fn request_subscribe_message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] tmpl_ids: JsValue,
    ) -> Promise {
        self.ask_list(&tmpl_ids, "template ids", Ask::Subscribe, Resolve::Forwarded)
    }

    /// Asks for a login code (`wx.login`, `bn.login`) without forwarding it.
    #[wasm_bindgen(js_name = askLoginCode, unchecked_return_type = "Promise<LoginCodeConsent>")]
    pub fn ask_login_code(&self) -> Promise {
        self.ask(Ask::Login, Resolve::Consent)
    }

    /// Asks for a login code and forwards it to `/consent/login-code`; resolves with the
    /// backend's answer.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn login(&self) -> Promise {
        self.ask(Ask::Login, Resolve::Forwarded)
    }

    /// Asks for the member's public profile (`my.getOpenUserInfo`) without forwarding it.
    #[wasm_bindgen(js_name = askOpenUserInfo, unchecked_return_type = "Promise<UserProfile>")]
    pub fn ask_open_user_info(&self) -> Promise {
        self.ask(Ask::Profile, Resolve::Consent)
    }

    /// Handles the `getAuthorize` button: on success asks for the profile at once, still
    /// inside the tap; on its error event rejects with a typed denial.
    #[wasm_bindgen(js_name = askOpenUserInfoFromEvent, unchecked_return_type = "Promise<UserProfile>")]
    pub fn ask_open_user_info_from_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AuthorizeButtonEvent")] event: JsValue,
    ) -> Promise {
        self.run(self.bridge.begin_profile_from_event(&event), Resolve::Consent)
    }

    /// Asks for an auth code for `scopes` (`my.getAuthCode`) without forwarding it.
    #[wasm_bindgen(js_name = askAuthCode, unchecked_return_type = "Promise<AuthCodeConsent>")]
    pub fn ask_auth_code(&self, #[wasm_bindgen(unchecked_param_type = "string[]")] scopes: JsValue) -> Promise {
        self.ask_list(&scopes, "scopes", Ask::AuthCode, Resolve::Consent)
    }

    /// Asks for the profile and forwards it; resolves with the backend's answer.
    #[wasm_bindgen(js_name = getOpenUserInfo, unchecked_return_type = "Promise<unknown>")]
    pub fn get_open_user_info(&self) -> Promise {
        self.ask(Ask::Profile, Resolve::Forwarded)
    }

    /// Asks for an auth code and forwards it; resolves with the backend's answer.
    #[wasm_bindgen(js_name = getAuthCode, unchecked_return_type = "Promise<unknown>")]
    pub fn get_auth_code(&self, #[wasm_bindgen(unchecked_param_type = "string[]")] scopes: JsValue) -> Promise {
        self.ask_list(&scopes, "scopes", Ask::AuthCode, Resolve::Forwarded)
    }

    /// Forwards a consent obtained earlier with an `ask…` method (a data consent, a
    /// subscribe outcome, an auth code or a profile); each token is sent at most once.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn forward(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "DataConsent | SubscribeOutcome | SubscriptionGrants | AuthCodeConsent | UserProfile | LoginCodeConsent"
        )]
        consent: JsValue,
    ) -> Promise {
        self.run(Started::Decided(consent_from_js(&consent)), Resolve::ForwardedOnly)
    }
}

/// Reads back a consent passed to `forward()`, whichever kind it is.
fn consent_from_js(consent: &JsValue) -> Result<Consent> {
    if !sys::get(consent, "authCode").is_undefined() {
        return auth_code_from_js(consent).map(Consent::AuthCode);
    }
    if !sys::get(consent, "nickName").is_undefined() {
        return profile_from_js(consent).map(Consent::Profile);
    }
    if !sys::get(consent, "loginCode").is_undefined() {
        return login_from_js(consent).map(Consent::Login);
    }
    let platform = platform_from_js(consent)?;
    let accepted = sys::get(consent, "accepted");
    if let Some(platform @ (Platform::Wechat | Platform::Alipay)) = platform.filter(|_| !accepted.is_undefined()) {
        return grants_from_js(consent, platform, &accepted).map(Consent::Grants);
    }
    if !accepted.is_undefined() {
        let accepted = push_consents_from_js(&accepted)?;
        return Ok(Consent::Subscribe(SubscribeOutcome { accepted, rejected: Vec::new() }));
    }
    let kind = match sys::get(consent, "kind").as_string().as_deref() {
        Some("phoneNumber") => DataKind::PhoneNumber,
        Some("openId") => DataKind::OpenId,
        Some("email") => DataKind::Email,
        _ => {
            return Err(BridgeError::invalid_argument(
                "forward() expects a consent from an ask… method (askPhoneNumber, askSubscribe, askAuthCode, …).",
            ))
        }
    };
    match platform {
        None | Some(Platform::Binance) => data_consent_from_js(consent, kind).map(Consent::Data),
        Some(Platform::Wechat) if kind == DataKind::PhoneNumber => {
            let token = token(consent, "token", "data token")?;
            Ok(Consent::Data(DataConsent::on(Platform::Wechat, kind, token, obtained_at(consent)?)))
        }
        Some(_) => Err(BridgeError::invalid_argument(
            "forward() expects a consent from an ask… method; this platform issues no such data token.",
        )),
    }
}

/// The `platform` field of a consent passed to `forward()`, when it has one.
fn platform_from_js(consent: &JsValue) -> Result<Option<Platform>> {
    let value = sys::get(consent, "platform");
    if value.is_undefined() {
        return Ok(None);
    }
    let name = sys::string_within(&value, 8).unwrap_or_default();
    Platform::from_name(&name)
        .map(Some)
        .ok_or_else(|| BridgeError::invalid_argument("forward() expects a consent from an ask… method (bad platform)."))
}

/// A login code passed back to `forward()`; the expiry is recomputed from `obtainedAt`.
fn login_from_js(value: &JsValue) -> Result<LoginCodeConsent> {
    let platform = match platform_from_js(value)? {
        Some(p @ (Platform::Wechat | Platform::Binance)) => p,
        _ => {
            return Err(BridgeError::invalid_argument(
                "forward() expects a login code from askLoginCode() (platform \"wechat\" or \"binance\").",
            ))
        }
    };
    Ok(LoginCodeConsent::new(platform, token(value, "loginCode", "login code")?, obtained_at(value)?))
}

/// Subscription grants passed back to `forward()`: the accepted ids, checked like asked ones.
fn grants_from_js(value: &JsValue, platform: Platform, accepted: &JsValue) -> Result<SubscriptionGrants> {
    let accepted = strings(accepted, "accepted template ids")?;
    if !accepted.is_empty() {
        validate_template_ids(&accepted, MAX_TEMPLATES)?;
    }
    Ok(SubscriptionGrants { platform, accepted, rejected: Vec::new(), obtained_at: obtained_at(value)? })
}
