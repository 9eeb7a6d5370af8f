//! Alipay+ request and response bodies (the JSON the platform documents), and the
//! `result` every answer carries.
//!
//! Documented (the wallets' "/v2/authorizations/applyToken" and "/v2/users/inquiryUserInfo"
//! pages): field names and types below, `resultStatus` `S`/`F`/`U`, times in ISO 8601
//! with an offset. Assumed: unknown fields may appear and are ignored.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `grantType` of `applyToken`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GrantType {
    /// Exchange an `authCode` from `my.getAuthCode`.
    AuthorizationCode,
    /// Exchange a refresh token for a new access token.
    RefreshToken,
}

/// Body of `POST .../applyToken`. Holds a secret (the code or the refresh token): its
/// `Debug` is redacted, and the serialized body is only ever put on the wire.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ApplyTokenRequest {
    /// The mini program's id, when the wallet asks for it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub app_id: Option<String>,
    /// The merchant's auth client id.
    pub auth_client_id: String,
    /// Which grant.
    pub grant_type: GrantType,
    /// With `AUTHORIZATION_CODE`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub auth_code: Option<String>,
    /// With `REFRESH_TOKEN`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub refresh_token: Option<String>,
    /// The wallet the user belongs to (e.g. `GCASH`), when configured.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub customer_belongs_to: Option<String>,
}

impl fmt::Debug for ApplyTokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplyTokenRequest")
            .field("auth_client_id", &self.auth_client_id)
            .field("grant_type", &self.grant_type)
            .field("auth_code", &self.auth_code.as_ref().map(|_| "<redacted>"))
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Body of `POST .../inquiryUserInfo`.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InquiryUserInfoRequest {
    /// The access token from `applyToken`.
    pub access_token: String,
    /// The merchant's auth client id.
    pub auth_client_id: String,
    /// The wallet the user belongs to, when configured.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub customer_belongs_to: Option<String>,
}

impl fmt::Debug for InquiryUserInfoRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InquiryUserInfoRequest")
            .field("access_token", &"<redacted>")
            .field("auth_client_id", &self.auth_client_id)
            .finish()
    }
}

/// `result` of every answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ResultInfo {
    /// `S` success, `F` failure, `U` unknown (retry the same request).
    pub result_status: String,
    /// E.g. `SUCCESS`, `USED_CODE`.
    pub result_code: String,
    /// Human text from the platform.
    #[serde(default)]
    pub result_message: Option<String>,
}

/// The fields of a successful `applyToken` answer (raw, before checks).
#[derive(Clone, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ApplyTokenResponse {
    /// The access token (secret).
    #[serde(default)]
    pub access_token: Option<String>,
    /// ISO 8601.
    #[serde(default)]
    pub access_token_expiry_time: Option<String>,
    /// The refresh token (secret).
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// ISO 8601.
    #[serde(default)]
    pub refresh_token_expiry_time: Option<String>,
    /// The platform's user id.
    #[serde(default)]
    pub customer_id: Option<String>,
}

/// One login id of a user (e.g. a masked phone number).
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LoginIdInfo {
    /// The login id (personal data).
    #[serde(default)]
    pub login_id: Option<String>,
    /// `MOBILE_PHONE`, `EMAIL`, ...
    #[serde(default)]
    pub login_id_type: Option<String>,
    /// A hash of the login id, when the scope `HASH_LOGIN_ID` was granted.
    #[serde(default)]
    pub hash_login_id: Option<String>,
}

/// `userInfo` of `inquiryUserInfo`: only the fields the user's scopes allowed are present.
/// Personal data: `Debug` shows which fields are present, not their values.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    /// The platform's user id.
    pub user_id: String,
    /// `ACTIVE`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Nickname (scope `USER_NICKNAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// Avatar URL (scope `USER_AVATAR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// `MALE` / `FEMALE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Login ids (e.g. phone number, scope `PLAINTEXT_MOBILE_PHONE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub login_id_infos: Vec<LoginIdInfo>,
}

impl fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserInfo")
            .field("user_id", &self.user_id)
            .field("nick_name", &self.nick_name.as_ref().map(|_| "<present>"))
            .field("avatar", &self.avatar.as_ref().map(|_| "<present>"))
            .field("gender", &self.gender.as_ref().map(|_| "<present>"))
            .field("login_id_infos", &self.login_id_infos.len())
            .finish()
    }
}

/// Most bytes of any one text field kept from a user profile (Alipay+ documents 128 for
/// names; avatars are URLs up to 2048).
pub const MAX_PROFILE_FIELD: usize = 2048;
/// Most login ids kept from a profile.
pub const MAX_LOGIN_IDS: usize = 16;
