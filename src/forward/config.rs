//! Validation of forwarding options: the backend URL, routes and custom headers.

use crate::prelude::*;
use crate::text::find;

use crate::error::BridgeError;
use crate::wire;

/// A validated backend base URL: `https`, or `http` on a loopback host only; no
/// credentials, query or fragment; no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendUrl(String);

/// Whether `text` contains any of the ASCII bytes in `set` (`contains` with a char
/// pattern, without core's searcher; see `text.rs`).
fn has_any(text: &str, set: &[u8]) -> bool {
    text.bytes().any(|b| set.contains(&b))
}

/// `text` split around the first occurrence of `separator` (`split_once` without core's
/// searcher; see `text.rs`).
fn split_at<'a>(text: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    let at = find(text, separator)?;
    Some((text.get(..at)?, text.get(at + separator.len()..)?))
}

impl BackendUrl {
    /// Parses and checks a base URL such as `https://api.example.com/mp`.
    pub fn parse(raw: &str) -> Result<BackendUrl, BridgeError> {
        let (scheme, rest) = split_at(raw, "://").ok_or_else(|| {
            BridgeError::invalid_config("options.backend must be an absolute URL such as https://api.example.com.")
        })?;
        let scheme = scheme.to_ascii_lowercase();
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(BridgeError::invalid_config(
                "options.backend must not contain whitespace or control characters.",
            ));
        }
        if has_any(rest, b"?#") {
            return Err(BridgeError::invalid_config(
                "options.backend must not have a query or fragment; tokens and parameters travel in the body.",
            ));
        }
        let authority = split_at(rest, "/").map_or(rest, |(authority, _)| authority);
        if has_any(authority, b"@") {
            return Err(BridgeError::invalid_config(
                "options.backend must not embed credentials; use options.headers.",
            ));
        }
        if has_any(authority, b"\\%") {
            return Err(BridgeError::invalid_config(
                "options.backend has a backslash or percent-encoding in its host; write it plainly.",
            ));
        }
        let host = host_of(authority).ok_or_else(|| {
            BridgeError::invalid_config(
                "options.backend needs a host and, if any, a port from 1 to 65535 (IPv6 in brackets).",
            )
        })?;
        match scheme.as_str() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(BridgeError::invalid_config(format!(
                    "options.backend must use https (http is allowed only for localhost, 127.0.0.0/8 and [::1]); got http://{host}."
                )))
            }
            other => return Err(BridgeError::invalid_config(format!("options.backend must be an https URL; the scheme \"{other}\" is not supported."))),
        }
        let mut trimmed = rest;
        while let Some(shorter) = trimmed.strip_suffix('/') {
            trimmed = shorter;
        }
        Ok(BackendUrl(format!("{scheme}://{trimmed}")))
    }

    /// The URL for `route` (which starts with `/`).
    pub fn join(&self, route: &str) -> String {
        format!("{}{}", self.0, route)
    }
}

/// The host part of an authority, lower-cased, without port or IPv6 brackets.
/// Only a valid port may follow the host, so `[::1].evil.example` and `a:99999` are refused.
fn host_of(authority: &str) -> Option<String> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match split_at(v6, "]")? {
            (host, "") => (host, None),
            (host, after) => (host, Some(after.strip_prefix(':')?)),
        },
        None => match split_at(authority, ":") {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65_535).contains(&n))
    });
    (port_ok && !host.is_empty()).then(|| host.to_ascii_lowercase())
}

fn is_loopback(host: &str) -> bool {
    // Exactly `localhost`: a `*.localhost` name may be resolved through DNS by Node or a
    // host's own network stack.
    if host == "localhost" || host == "::1" {
        return true;
    }
    let octets: Vec<&[u8]> = host.as_bytes().split(|&b| b == b'.').collect();
    let octet = |o: &&[u8]| {
        !o.is_empty()
            && o.len() <= 3
            && o.iter().all(u8::is_ascii_digit)
            && o.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')) <= 255
    };
    octets.len() == 4 && octets.first() == Some(&&b"127"[..]) && octets.iter().all(octet)
}

/// The route of each forwarded consent; defaults per DESIGN §6.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routes {
    /// Phone-number data tokens.
    pub phone_number: String,
    /// Open-id data tokens.
    pub open_id: String,
    /// Email data tokens.
    pub email: String,
    /// Push tokens of accepted subscriptions.
    pub subscriptions: String,
    /// The validated Alipay profile.
    pub user_info: String,
    /// Alipay auth codes.
    pub auth_code: String,
    /// Login codes (`wx.login`, `bn.login`).
    pub login_code: String,
    /// Subscription templates accepted without a token (WeChat, Alipay).
    pub subscription_grants: String,
}

impl Default for Routes {
    fn default() -> Self {
        Routes {
            phone_number: wire::ROUTE_PHONE_NUMBER.into(),
            open_id: wire::ROUTE_OPEN_ID.into(),
            email: wire::ROUTE_EMAIL.into(),
            subscriptions: wire::ROUTE_SUBSCRIPTIONS.into(),
            user_info: wire::ROUTE_USER_INFO.into(),
            auth_code: wire::ROUTE_AUTH_CODE.into(),
            login_code: wire::ROUTE_LOGIN_CODE.into(),
            subscription_grants: wire::ROUTE_SUBSCRIPTION_GRANTS.into(),
        }
    }
}

impl Routes {
    /// Replaces the route called `name` (the JS option key) after checking it.
    pub fn set(&mut self, name: &str, route: &str) -> Result<(), BridgeError> {
        if !route.starts_with('/')
            || has_any(route, b"?#")
            || route.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(BridgeError::invalid_config(format!(
                "options.routes.{name} must be a path starting with '/' without query, fragment or whitespace."
            )));
        }
        let slot = match name {
            "phoneNumber" => &mut self.phone_number,
            "openId" => &mut self.open_id,
            "email" => &mut self.email,
            "subscriptions" => &mut self.subscriptions,
            "userInfo" => &mut self.user_info,
            "authCode" => &mut self.auth_code,
            "loginCode" => &mut self.login_code,
            "subscriptionGrants" => &mut self.subscription_grants,
            _ => {
                return Err(BridgeError::invalid_config(format!(
                    "options.routes has an unknown key \"{name}\"; use {ROUTE_KEYS}."
                )))
            }
        };
        *slot = route.to_owned();
        Ok(())
    }
}

/// The route option keys, for messages.
pub const ROUTE_KEYS: &str =
    "phoneNumber, openId, email, subscriptions, userInfo, authCode, loginCode or subscriptionGrants";

/// Headers the bridge sets itself and callers may not override.
const RESERVED_HEADERS: [&str; 2] = ["content-type", "idempotency-key"];
/// Headers that `fetch` refuses outright (undici throws on them) or that the request
/// layer owns (connection management, framing, the target host), and `Referer`, which
/// WeChat's `wx.request` refuses: setting one would fail every forward as `NETWORK`
/// after all retries, so it is refused at construction instead.
const FORBIDDEN_HEADERS: [&str; 9] =
    ["connection", "keep-alive", "upgrade", "expect", "te", "trailer", "transfer-encoding", "content-length", "host"];
/// Longest custom header name accepted, in bytes.
pub const MAX_HEADER_NAME_LEN: usize = 256;
/// Longest custom header value accepted, in bytes.
pub const MAX_HEADER_VALUE_LEN: usize = 8192;

/// Checks a custom header: an RFC 9110 token name that the bridge or the request layer
/// does not own, and a value that `fetch` and the hosts' request APIs accept (Latin-1,
/// no control characters but tab).
pub fn validate_header(name: &str, value: &str) -> Result<(), BridgeError> {
    let tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || name.len() > MAX_HEADER_NAME_LEN || !name.bytes().all(tchar) {
        return Err(BridgeError::invalid_config(
            "A header name in options.headers is not a valid HTTP token (1 to 256 letters, digits and !#$%&'*+-.^_`|~)."
                ,
        ));
    }
    let lower = name.to_ascii_lowercase();
    if RESERVED_HEADERS.contains(&lower.as_str()) {
        return Err(BridgeError::invalid_config(format!("options.headers may not set {name}; the bridge sets it.")));
    }
    if FORBIDDEN_HEADERS.contains(&lower.as_str())
        || lower == "referer"
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
    {
        return Err(BridgeError::invalid_config(format!(
            "options.headers may not set {name}: fetch or the host's request API refuses it (the request layer owns it)."
        )));
    }
    if value.len() > MAX_HEADER_VALUE_LEN {
        return Err(BridgeError::invalid_config(format!(
            "The value of header {name} is longer than {MAX_HEADER_VALUE_LEN} bytes."
        )));
    }
    if value.chars().any(|c| c != '\t' && (c.is_ascii_control())) {
        return Err(BridgeError::invalid_config(format!(
            "The value of header {name} contains control characters (CR, LF, NUL, DEL or others); remove them."
        )));
    }
    // fetch's Headers (and hosts' request APIs) take Latin-1 only; anything else would throw.
    if value.chars().any(|c| u32::from(c) > 0xFF) {
        return Err(BridgeError::invalid_config(format!(
            "The value of header {name} has characters outside Latin-1; percent-encode or base64 it first."
        )));
    }
    Ok(())
}
