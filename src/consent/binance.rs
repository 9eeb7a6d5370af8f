//! Validation of the Binance (`bn`) consent answers.

use crate::prelude::*;

use super::failure::{failure_error, is_failure_message, timeout};
use super::value::HostValue;
use super::{
    DataConsent, DataKind, LoginCodeConsent, Platform, PushConsent, RejectReason, Rejection, Settlement,
    SubscribeOutcome, Token,
};
use crate::error::{BridgeError, ErrorCode};

/// Templates per `requestSubscribeMessage` call by default (Binance; Alipay documents
/// the same 3; WeChat's own default is [`super::WECHAT_MAX_TEMPLATES`]).
pub const DEFAULT_MAX_TEMPLATES: usize = 3;
/// Longest template id accepted, in bytes.
pub const MAX_TEMPLATE_ID_LEN: usize = 128;

/// Fields a data token arrives in: `code` (legacy callbacks and the button's
/// `e.detail.code`), `token` (`bn.getUserOpenid(): Promise<{openId?, token}>`), and the
/// spellings of `data_token` seen in samples.
const TOKEN_FIELDS: [&str; 4] = ["code", "token", "data_token", "dataToken"];

/// A success payload that is really a failure: hosts that only call `complete`, or put
/// `errMsg: "api:fail …"` in what they resolve.
pub(super) fn failure_in_success(value: &HostValue) -> bool {
    value.get("errMsg").and_then(HostValue::as_str).is_some_and(is_failure_message)
}

/// Reads the data token out of a successful answer.
pub(super) fn token_from(value: &HostValue, api: &str) -> Result<Token, BridgeError> {
    let raw = match value {
        HostValue::String(s) => s.as_str(),
        HostValue::Object(_) => {
            let present = |v: &&HostValue| !matches!(v, HostValue::Undefined | HostValue::Null);
            let Some((field, found)) = TOKEN_FIELDS.iter().find_map(|f| value.get(f).filter(present).map(|v| (*f, v)))
            else {
                return Err(BridgeError::invalid_result(format!("The host answered {api} without a data token (no code or token field). Ask again; report the host version if it persists.")));
            };
            match found {
                HostValue::String(s) => s.as_str(),
                other => {
                    return Err(BridgeError::invalid_result(format!(
                        "The host answered {api} with a {field} that is a {}, not a string.",
                        other.type_name()
                    )))
                }
            }
        }
        other => {
            return Err(BridgeError::invalid_result(format!(
                "The host answered {api} with a {} instead of an object carrying a data token.",
                other.type_name()
            )))
        }
    };
    Token::parse(raw, "data token")
}

/// Classifies a Binance failure (denials arrive in `errMsg` only). A token field in a
/// failure (a `complete`-only host passing `{errMsg: "…:fail", code: "<token>"}`) is never
/// read as the host's error code, and tokens are scrubbed from what is kept.
pub(super) fn binance_failure(api: &str, value: &HostValue) -> BridgeError {
    failure_error(api, value, &[], &TOKEN_FIELDS)
}

/// Turns how a `getPhoneNumber`/`getOpenId`/`getEmailAddress` call ended into a consent.
pub fn data_consent(kind: DataKind, settled: Settlement, now_ms: u64) -> Result<DataConsent, BridgeError> {
    let api = kind.host_api();
    let value = match settled {
        Settlement::Timeout => return Err(timeout(api)),
        Settlement::Failure(v) => return Err(binance_failure(api, &v)),
        Settlement::Success(v) if failure_in_success(&v) => return Err(binance_failure(api, &v)),
        Settlement::Success(v) => v,
    };
    let token = token_from(&value, api)?;
    Ok(DataConsent::new(kind, token, now_ms))
}

/// Turns an `onGetphonenumber` button event into a consent: the token is `detail.code`;
/// a `detail` without a code is the user declining.
pub fn data_consent_from_event(event: &HostValue, now_ms: u64) -> Result<DataConsent, BridgeError> {
    data_consent_from_button(DataKind::PhoneNumber, event, now_ms)
}

/// Turns the event of a data button (`open-type="getPhoneNumber"`, `bindgetphonenumber`;
/// `open-type="getEmailAddress"`, `bindgetemailaddress`) into a consent of `kind`: the
/// token is `detail.code`; a `detail` without a code is the user declining. An open id
/// has no button: it is refused as an argument error.
pub fn data_consent_from_button(kind: DataKind, event: &HostValue, now_ms: u64) -> Result<DataConsent, BridgeError> {
    button_consent(Platform::Binance, kind, event, now_ms)
}

/// [`data_consent_from_button`] for `platform`, whose button events share Binance's
/// shape (WeChat's: `detail.code` or `detail.errMsg`).
pub(super) fn button_consent(
    platform: Platform,
    kind: DataKind,
    event: &HostValue,
    now_ms: u64,
) -> Result<DataConsent, BridgeError> {
    let (api, method, what) = match kind {
        DataKind::PhoneNumber => ("getPhoneNumber", "phoneNumberFromEvent", "phone number"),
        DataKind::Email => ("getEmailAddress", "emailAddressFromEvent", "email address"),
        DataKind::OpenId => {
            return Err(BridgeError::invalid_argument("The open id has no button; ask for it with askOpenId()."))
        }
    };
    let Some(detail) = event.get("detail").filter(|d| matches!(d, HostValue::Object(_))) else {
        return Err(BridgeError::invalid_argument(format!(
            "{method} expects the event object of the {api} button handler (with a detail object)."
        )));
    };
    let failed = matches!(detail.get("errMsg"), Some(HostValue::String(m)) if crate::text::find(m, ":fail").is_some());
    match detail.get("code") {
        // A failure that still carries a code (a misbehaving host): the answer is the
        // failure, and the code stays out of the error.
        Some(code @ HostValue::String(_)) if failed => {
            let secret = match code {
                HostValue::String(s) => s.as_str(),
                _ => "",
            };
            Err(binance_failure(api, detail).scrubbed(&[secret]))
        }
        None | Some(HostValue::Undefined) | Some(HostValue::Null) => {
            let mut error = binance_failure(api, detail);
            if error.code() == ErrorCode::HostError && error.details().host_message.is_none() {
                // The documented denial: a button event with no code and nothing else.
                error = BridgeError::new(
                    ErrorCode::UserDenied,
                    format!(
                        "The user declined to share the {what}. Offer a manual path, and ask again only when needed."
                    ),
                );
            }
            Err(error)
        }
        Some(_) => {
            let token = token_from(detail, api)?;
            Ok(DataConsent::on(platform, kind, token, now_ms))
        }
    }
}

/// Turns how `wx.login()` / `bn.login()` ended into a login code (`{code}`; failures in
/// the `errMsg` style both share).
pub fn login_code(platform: Platform, settled: Settlement, now_ms: u64) -> Result<LoginCodeConsent, BridgeError> {
    let api = "login";
    let value = match settled {
        Settlement::Timeout => return Err(timeout(api)),
        Settlement::Failure(v) => return Err(binance_failure(api, &v)),
        Settlement::Success(v) if failure_in_success(&v) => return Err(binance_failure(api, &v)),
        Settlement::Success(v) => v,
    };
    Ok(LoginCodeConsent::new(platform, token_from(&value, api)?, now_ms))
}

/// Checks template ids before the host is asked: 1..=`max` ids, each a non-empty plain
/// string without whitespace or control characters, at most 128 bytes, all distinct.
pub fn validate_template_ids(ids: &[String], max: usize) -> Result<(), BridgeError> {
    let arg = BridgeError::invalid_argument;
    if ids.is_empty() {
        return Err(arg("Pass at least one template id.".into()));
    }
    if ids.len() > max {
        return Err(arg(format!(
            "Pass at most {max} template ids per call (got {}); hosts refuse more in one modal.",
            ids.len()
        )));
    }
    for (i, id) in ids.iter().enumerate() {
        if id.is_empty() {
            return Err(arg(format!("Template id #{i} is empty.")));
        }
        if id.len() > MAX_TEMPLATE_ID_LEN {
            return Err(arg(format!("Template id #{i} is longer than {MAX_TEMPLATE_ID_LEN} bytes.")));
        }
        if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(arg(format!("Template id #{i} contains whitespace or control characters.")));
        }
        if ids.iter().take(i).any(|earlier| earlier == id) {
            return Err(arg(format!("Template id #{i} repeats an earlier one; pass each template once.")));
        }
    }
    Ok(())
}

fn verdict(entry: Option<&HostValue>) -> Result<&str, RejectReason> {
    let (kind, token) = match entry {
        None | Some(HostValue::Undefined) | Some(HostValue::Null) => return Err(RejectReason::Missing),
        Some(HostValue::String(kind)) => (kind.as_str(), None),
        Some(obj @ HostValue::Object(_)) => match obj.get("type") {
            Some(HostValue::String(kind)) => (kind.as_str(), obj.get("token")),
            _ => return Err(RejectReason::UnknownType),
        },
        Some(_) => return Err(RejectReason::UnknownType),
    };
    match kind {
        "accept" => match token {
            None | Some(HostValue::Undefined) | Some(HostValue::Null) => Err(RejectReason::NoToken),
            Some(HostValue::String(t)) if t.is_empty() => Err(RejectReason::NoToken),
            Some(HostValue::String(t)) => Ok(t.as_str()),
            Some(_) => Err(RejectReason::InvalidToken),
        },
        "reject" => Err(RejectReason::Reject),
        "ban" => Err(RejectReason::Ban),
        "filter" => Err(RejectReason::Filter),
        _ => Err(RejectReason::UnknownType),
    }
}

/// Turns how `requestSubscribeMessage` ended into accepted and rejected templates. Only
/// the requested ids are read, in request order; any other key (`errMsg`, `__proto__`, …)
/// is ignored.
pub fn subscribe_outcome(ids: &[String], settled: Settlement, now_ms: u64) -> Result<SubscribeOutcome, BridgeError> {
    let api = "requestSubscribeMessage";
    let value = match settled {
        Settlement::Timeout => return Err(timeout(api)),
        Settlement::Failure(v) => return Err(binance_failure(api, &v)),
        Settlement::Success(v) if failure_in_success(&v) => return Err(binance_failure(api, &v)),
        Settlement::Success(v @ HostValue::Object(_)) => v,
        Settlement::Success(other) => {
            return Err(BridgeError::invalid_result(format!(
                "The host answered {api} with a {} instead of an object keyed by template id.",
                other.type_name()
            )))
        }
    };
    let mut outcome = SubscribeOutcome::default();
    for id in ids {
        let accepted = verdict(value.get(id))
            .and_then(|raw| Token::parse(raw, "push token").map_err(|_| RejectReason::InvalidToken));
        match accepted {
            Ok(push_token) => outcome.accepted.push(PushConsent::new(id.clone(), push_token, now_ms)),
            Err(reason) => outcome.rejected.push(Rejection { template_id: id.clone(), reason }),
        }
    }
    Ok(outcome)
}
