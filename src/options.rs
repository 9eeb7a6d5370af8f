//! Bridge options: the Rust type, and its strict reading from a JS object.

use crate::prelude::*;
use crate::text::join;

use crate::consent::Platform;
use crate::error::BridgeError;
use crate::forward::{Routes, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, MAX_RETRIES};
use crate::sys;
use crate::transport::headers_from_js;
use core::fmt;
use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};

/// Default time a host may take to answer a consent call: the user is reading a modal.
pub const DEFAULT_HOST_TIMEOUT_MS: u32 = 60_000;

/// Which HTTP transport forwards consents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TransportChoice {
    /// `fetch` where it exists, else the host's request API.
    #[default]
    Auto,
    /// Always the global `fetch`.
    Fetch,
    /// Always `host.request` (`bn.request` / `my.request`).
    Host,
    /// Always `gloo_net::http` (feature `gloo`; Rust callers only).
    #[cfg(feature = "gloo")]
    Gloo,
}

/// Where custom headers come from: fixed at construction, or a function called before
/// each forward (for a session token that changes).
#[derive(Clone)]
pub enum HeaderOption {
    /// Validated once.
    Fixed(Vec<(String, String)>),
    /// Called before each forward; may return an object or a promise of one.
    Dynamic(Function),
}

impl fmt::Debug for HeaderOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Header values are often credentials: show names only.
            HeaderOption::Fixed(h) => {
                f.debug_tuple("Fixed").field(&h.iter().map(|(k, _)| k).collect::<Vec<_>>()).finish()
            }
            HeaderOption::Dynamic(_) => f.write_str("Dynamic(<function>)"),
        }
    }
}

/// Where and how consents are forwarded.
#[derive(Clone, Debug)]
pub struct ForwardOptions {
    /// Base URL of the merchant backend (https, or http on loopback).
    pub backend: String,
    /// Route per consent kind.
    pub routes: Routes,
    /// Custom headers (a session token, …).
    pub headers: HeaderOption,
    /// Per-request timeout, ms.
    pub timeout_ms: u32,
    /// Retries after the first attempt on network failures, timeouts, 5xx and 429.
    pub retries: u32,
    /// Transport choice.
    pub transport: TransportChoice,
}

impl ForwardOptions {
    /// Options for `backend` with every default.
    pub fn new(backend: impl Into<String>) -> Self {
        ForwardOptions {
            backend: backend.into(),
            routes: Routes::default(),
            headers: HeaderOption::Fixed(Vec::new()),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            retries: DEFAULT_RETRIES,
            transport: TransportChoice::Auto,
        }
    }
}

/// Everything a [`crate::Bridge`] is configured with.
#[derive(Clone)]
pub struct BridgeOptions {
    /// The host object (`wx`, `bn`, `my` or a mock); found automatically when `None`.
    pub host: Option<JsValue>,
    /// The platform; detected from the globals (or the injected host) when `None`.
    pub platform: Option<Platform>,
    /// How long a host may take to answer a consent call, ms.
    pub host_timeout_ms: u32,
    /// Most templates per subscription request; `None`: the platform's documented limit
    /// (WeChat 5, Binance and Alipay 3).
    pub max_templates_per_call: Option<usize>,
    /// Forwarding; `None` makes the ask-and-forward methods fail with `INVALID_CONFIG`.
    pub forward: Option<ForwardOptions>,
}

impl Default for BridgeOptions {
    fn default() -> Self {
        BridgeOptions {
            host: None,
            platform: None,
            host_timeout_ms: DEFAULT_HOST_TIMEOUT_MS,
            max_templates_per_call: None,
            forward: None,
        }
    }
}

impl fmt::Debug for BridgeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BridgeOptions")
            .field("host", &self.host.as_ref().map(|_| "<host object>"))
            .field("platform", &self.platform)
            .field("host_timeout_ms", &self.host_timeout_ms)
            .field("max_templates_per_call", &self.max_templates_per_call)
            .field("forward", &self.forward)
            .finish()
    }
}

/// Every option key, as the TypeScript `ConsentBridgeOptions` declares them (a native
/// test compares the two).
pub const OPTION_KEYS: [&str; 10] = [
    "platform",
    "host",
    "hostTimeoutMs",
    "maxTemplatesPerCall",
    "backend",
    "routes",
    "headers",
    "timeoutMs",
    "retries",
    "transport",
];

/// Longest backend URL or route accepted, in characters.
const MAX_URL_LEN: usize = 2048;

/// An optional integer option within `min..=max`.
fn integer(options: &JsValue, name: &str, min: u32, max: u32) -> Result<Option<u32>, BridgeError> {
    let value = sys::get(options, name);
    if value.is_undefined() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n >= f64::from(min) && n <= f64::from(max) && n == f64::from(n as u32) => Ok(Some(n as u32)),
        _ => Err(BridgeError::invalid_config(format!("options.{name} must be an integer from {min} to {max}."))),
    }
}

impl BridgeOptions {
    /// Reads options from a JS object, strictly: unknown keys and wrong types are
    /// `INVALID_CONFIG`, so a typo never silently falls back to a default.
    pub fn from_js(options: &JsValue) -> Result<BridgeOptions, BridgeError> {
        let mut out = BridgeOptions::default();
        if options.is_undefined() || options.is_null() {
            return Ok(out);
        }
        if !options.is_object() {
            return Err(BridgeError::invalid_config("The ConsentBridge options must be an object."));
        }
        let keys =
            sys::object_keys(options).map_err(|_| BridgeError::invalid_config("The options object cannot be read."))?;
        if keys.length() > OPTION_KEYS.len() as u32 {
            return Err(BridgeError::invalid_config(format!(
                "The options object has unknown keys; known options are {}.",
                join(OPTION_KEYS, ", ")
            )));
        }
        for key in keys.iter().filter_map(|k| sys::string_within(&k, 64).ok()) {
            if !OPTION_KEYS.contains(&key.as_str()) {
                return Err(BridgeError::invalid_config(format!(
                    "Unknown option \"{key}\"; known options are {}.",
                    join(OPTION_KEYS, ", ")
                )));
            }
        }
        let host = sys::get(options, "host");
        if !host.is_undefined() {
            if !host.is_object() {
                return Err(BridgeError::invalid_config("options.host must be the host object (bn or my)."));
            }
            out.host = Some(host);
        }
        let platform = sys::get(options, "platform");
        if !platform.is_undefined() {
            let name = sys::string_within(&platform, 8).unwrap_or_default();
            out.platform = Some(Platform::from_name(&name).ok_or_else(|| {
                BridgeError::invalid_config("options.platform must be \"wechat\", \"binance\" or \"alipay\".")
            })?);
        }
        if let Some(ms) = integer(options, "hostTimeoutMs", 1, 600_000)? {
            out.host_timeout_ms = ms;
        }
        if let Some(n) = integer(options, "maxTemplatesPerCall", 1, 20)? {
            out.max_templates_per_call = Some(n as usize);
        }
        let backend = sys::get(options, "backend");
        if backend.is_undefined() {
            // The options after `backend` only mean something with it.
            for name in OPTION_KEYS.iter().skip_while(|k| **k != "backend").skip(1) {
                if !sys::get(options, name).is_undefined() {
                    return Err(BridgeError::invalid_config(format!(
                        "options.{name} needs options.backend, the base URL to forward to."
                    )));
                }
            }
            return Ok(out);
        }
        let backend = sys::string_within(&backend, MAX_URL_LEN).map_err(|_| {
            BridgeError::invalid_config("options.backend must be a URL string of at most 2048 characters.")
        })?;
        let mut forward = ForwardOptions::new(backend);
        let routes = sys::get(options, "routes");
        if !routes.is_undefined() {
            let keys = sys::object_keys(&routes)
                .map_err(|_| BridgeError::invalid_config("options.routes must be an object."))?;
            if keys.length() > 8 {
                return Err(BridgeError::invalid_config(format!(
                    "options.routes has unknown keys; use {}.",
                    crate::forward::ROUTE_KEYS
                )));
            }
            for key in keys.iter().filter_map(|k| sys::string_within(&k, 64).ok()) {
                let route = sys::get_string(&routes, &key, MAX_URL_LEN).map_err(|_| {
                    BridgeError::invalid_config(format!(
                        "options.routes.{key} must be a string of at most 2048 characters."
                    ))
                })?;
                forward.routes.set(&key, &route)?;
            }
        }
        let headers = sys::get(options, "headers");
        forward.headers = match headers.dyn_into::<Function>() {
            Ok(f) => HeaderOption::Dynamic(f),
            Err(headers) => HeaderOption::Fixed(headers_from_js(&headers, "options.headers")?),
        };
        if let Some(ms) = integer(options, "timeoutMs", 1, 600_000)? {
            forward.timeout_ms = ms;
        }
        if let Some(n) = integer(options, "retries", 0, MAX_RETRIES)? {
            forward.retries = n;
        }
        let transport = sys::get(options, "transport");
        forward.transport = match sys::string_within(&transport, 8).ok().as_deref() {
            _ if transport.is_undefined() => TransportChoice::Auto,
            Some("auto") => TransportChoice::Auto,
            Some("fetch") => TransportChoice::Fetch,
            Some("host") => TransportChoice::Host,
            _ => return Err(BridgeError::invalid_config("options.transport must be \"fetch\", \"host\" or \"auto\".")),
        };
        out.forward = Some(forward);
        Ok(out)
    }
}
