//! The Alipay / Alipay+ (`my`) adapter: the APIs behind the profile and auth-code asks.

/// `my.getOpenUserInfo`: the member's public profile, as a JSON string.
pub(super) const PROFILE_API: &str = "getOpenUserInfo";
/// `my.getAuthCode({scopes})`: a single-use auth code.
pub(super) const AUTH_CODE_API: &str = "getAuthCode";
