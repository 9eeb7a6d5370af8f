//! Binance Open Service wire types and codes.
//!
//! Documented: the paths, the `{code, message, data, success}` envelope, the codes
//! below, `data.userData` (getOpenData) and `data.statusCode` (sendPushMessage), from
//! <https://developers.binance.com/docs/mini-program/openservice/get-open-data> and
//! <https://developers.binance.com/docs/mini-program/openservice/send-push-message>.
//! Assumed: the envelope's `code` is a string (the documentation's examples show one; a
//! number is accepted too), and a rate-limited (900231) send does not spend the push token.

use serde::{Deserialize, Serialize};

/// Success.
pub const OK: &str = "000000";
/// Invalid parameter.
pub const INVALID_PARAMETER: &str = "900001";
/// JWT authentication failed.
pub const JWT_AUTH_FAILED: &str = "900002";
/// Unexpected error (transient: retried on getOpenData).
pub const UNEXPECTED: &str = "900003";
/// The data token expired (2 minutes).
pub const DATA_TOKEN_EXPIRED: &str = "900200";
/// Invalid data token.
pub const DATA_TOKEN_INVALID: &str = "900201";
/// Invalid or expired push token (also: already used).
pub const PUSH_TOKEN_INVALID: &str = "900230";
/// Rate limit (the message was not sent).
pub const RATE_LIMIT: &str = "900231";
/// `statusCode`: the user refused all messages of the mini program.
pub const STATUS_USER_REFUSED_ALL: &str = "900240";
/// `statusCode`: the user declined this template.
pub const STATUS_USER_DECLINED_TEMPLATE: &str = "900241";

/// Lifetime of a data token, documented: 2 minutes.
pub const DATA_TOKEN_LIFETIME_MS: u64 = 2 * 60 * 1000;
/// Lifetime of a push token, documented: 7 days.
pub const PUSH_TOKEN_LIFETIME_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// The getOpenData path (without the trailing `/` the canonical URI adds).
pub fn open_data_path(app_id: &str) -> String {
    format!("/mp-api/v1/apps/{app_id}/user-open-data")
}

/// The sendPushMessage path.
pub fn send_path(app_id: &str) -> String {
    format!("/mp-api/v1/apps/{app_id}/message/send")
}

/// One template parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    /// The parameter's name in the template.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// The sendPushMessage body.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendBody {
    /// The mini program's app id.
    pub app_id: String,
    /// The single-use push token.
    pub push_token: String,
    /// The template.
    pub template_id: String,
    /// The message's language.
    pub language: String,
    /// The page opened when the user taps the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The template's parameters.
    #[serde(default)]
    pub parameters: Vec<Parameter>,
}

impl std::fmt::Debug for SendBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendBody")
            .field("app_id", &self.app_id)
            .field("push_token", &"<redacted>")
            .field("template_id", &self.template_id)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}
