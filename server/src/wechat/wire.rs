//! WeChat's JSON bodies, as documented (see the module docs for sources). Secret fields
//! are read into [`Secret`]s at once by the client; these raw shapes never leave it.

use serde::{Deserialize, Serialize};

/// `POST /cgi-bin/stable_token` body.
#[derive(Serialize, Deserialize)]
pub struct StableTokenRequest {
    /// Always `client_credential`.
    pub grant_type: String,
    /// The app id.
    pub appid: String,
    /// The app secret.
    pub secret: String,
    /// Forced mode: invalidate the current token and issue a new one.
    #[serde(default)]
    pub force_refresh: bool,
}

/// The fields every WeChat answer may carry; `errcode` 0 or absent means success.
#[derive(Deserialize, Default)]
pub struct Status {
    /// The error code.
    #[serde(default)]
    pub errcode: i64,
    /// The error message.
    #[serde(default)]
    pub errmsg: Option<String>,
}

/// `stable_token` success.
#[derive(Deserialize)]
pub struct StableTokenResponse {
    /// The access token.
    pub access_token: String,
    /// Seconds it stays valid.
    pub expires_in: u64,
}

/// `jscode2session` success.
#[derive(Deserialize)]
pub struct Code2SessionResponse {
    /// The user's id in this mini program.
    pub openid: String,
    /// The session key (secret, server only).
    pub session_key: String,
    /// The user's id across the merchant's apps, when bound to an open platform account.
    #[serde(default)]
    pub unionid: Option<String>,
}

/// `getuserphonenumber` body.
#[derive(Serialize, Deserialize)]
pub struct PhoneCodeRequest {
    /// The phone code from the button event.
    pub code: String,
}

/// `phone_info` of a `getuserphonenumber` answer.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneInfo {
    /// With the country code, e.g. `+86 13800138000` or `13800138000` (WeChat's form).
    pub phone_number: String,
    /// Without the country code.
    pub pure_phone_number: String,
    /// The country code, e.g. `86`.
    pub country_code: String,
    /// Which app the number was issued to, and when.
    pub watermark: Watermark,
}

/// The watermark of a `phone_info`.
#[derive(Deserialize, Serialize)]
pub struct Watermark {
    /// Unix seconds.
    pub timestamp: i64,
    /// The app the code was issued to: must be ours.
    pub appid: String,
}

/// `getuserphonenumber` success.
#[derive(Deserialize)]
pub struct PhoneNumberResponse {
    /// The phone number.
    pub phone_info: PhoneInfo,
}

/// One value of a subscription message (`data: {key: {value}}`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DataValue {
    /// The value shown for this template key.
    pub value: String,
}

/// `subscribe/send` success: `msgid` (documented as a number).
#[derive(Deserialize)]
pub struct SendResponse {
    /// The message id.
    #[serde(default)]
    pub msgid: Option<serde_json::Value>,
}
