//! Validation of the WeChat (`wx`) consent answers. WeChat's `errMsg` style is Binance's
//! (Binance modelled its framework on it), so failures and button events share the
//! Binance parsing; what differs is here: the phone-number quota, token-free
//! subscription verdicts and the "all subscriptions off" code.

use crate::prelude::*;

use super::binance::{binance_failure, button_consent, failure_in_success};
use super::failure::timeout;
use super::value::HostValue;
use super::{DataConsent, DataKind, Platform, RejectReason, Settlement, SubscriptionGrants};
use crate::error::{BridgeError, ErrorCode};

/// How long a WeChat phone-number `code` is valid: 5 minutes, single use (WeChat's server
/// API `phonenumber.getPhoneNumber`: "每个code只能使用一次,code的有效期为5min").
pub const WECHAT_PHONE_CODE_LIFETIME_MS: u64 = 5 * 60 * 1000;
/// Templates per `wx.requestSubscribeMessage` call: the current WeChat reference says
/// "一次调用最多可订阅5条消息" (developers.weixin.qq.com/miniprogram/dev/api/open-api/
/// subscribe-message/wx.requestSubscribeMessage.html); older copies of it said 3.
pub const WECHAT_MAX_TEMPLATES: usize = 5;
/// `errno` of a phone-number event when the account's quota is used up: the user saw no
/// prompt, so it is not a denial.
const QUOTA_ERRNO: &str = "1400001";
/// `errCode` of `requestSubscribeMessage` when the user switched all subscription
/// messages of the mini program off in its settings.
const ALL_OFF: &str = "20004";

/// Reads a `getPhoneNumber` or `getRealtimePhoneNumber` button event (`bindgetphonenumber`,
/// `bindgetrealtimephonenumber`): `detail.code` is a 5-minute single-use token;
/// `detail.errno` 1400001 is `QUOTA_EXCEEDED`; a `"…:fail user deny"` is `USER_DENIED`.
pub fn wechat_phone_from_event(event: &HostValue, now_ms: u64) -> Result<DataConsent, BridgeError> {
    let detail = event.get("detail");
    if detail.and_then(|d| d.get("errno")).and_then(HostValue::code_text).as_deref() == Some(QUOTA_ERRNO) {
        let host = binance_failure("getPhoneNumber", detail.unwrap_or(&HostValue::Undefined));
        return Err(BridgeError::new(
            ErrorCode::QuotaExceeded,
            "The mini program's phone-number quota is used up (errno 1400001); the user saw no prompt. Offer a manual path; the quota is managed in the WeChat console.",
        )
        .with_host(host.details().host_code.clone(), host.details().host_message.clone()));
    }
    button_consent(Platform::Wechat, DataKind::PhoneNumber, event, now_ms)
}

/// One template's verdict: a string `accept`, `reject`, `ban` or `filter`.
fn verdict(entry: Option<&HostValue>) -> Result<(), RejectReason> {
    match entry {
        None | Some(HostValue::Undefined) | Some(HostValue::Null) => Err(RejectReason::Missing),
        Some(HostValue::String(v)) => match v.as_str() {
            "accept" => Ok(()),
            "reject" => Err(RejectReason::Reject),
            "ban" => Err(RejectReason::Ban),
            "filter" => Err(RejectReason::Filter),
            _ => Err(RejectReason::UnknownType),
        },
        Some(_) => Err(RejectReason::UnknownType),
    }
}

/// Turns how `wx.requestSubscribeMessage({tmplIds})` ended into granted templates. Only
/// the requested ids are read, in request order. `errCode` 20004 is `USER_DENIED` (the
/// user switched them all off); other codes are `HOST_ERROR` with the code kept.
pub fn wechat_grants(ids: &[String], settled: Settlement, now_ms: u64) -> Result<SubscriptionGrants, BridgeError> {
    let api = "requestSubscribeMessage";
    let value = match settled {
        Settlement::Timeout => return Err(timeout(api)),
        Settlement::Failure(v) => return Err(subscribe_failure(&v)),
        Settlement::Success(v) if failure_in_success(&v) => return Err(subscribe_failure(&v)),
        Settlement::Success(v @ HostValue::Object(_)) => v,
        Settlement::Success(other) => {
            return Err(BridgeError::invalid_result(format!(
                "The host answered {api} with a {} instead of an object keyed by template id.",
                other.type_name()
            )))
        }
    };
    Ok(SubscriptionGrants::collect(Platform::Wechat, ids, now_ms, &|id| verdict(value.get(id))))
}

fn subscribe_failure(value: &HostValue) -> BridgeError {
    let error = binance_failure("requestSubscribeMessage", value);
    if error.details().host_code.as_deref() != Some(ALL_OFF) {
        return error;
    }
    BridgeError::new(
        ErrorCode::UserDenied,
        "The user has switched off all subscription messages of this mini program (errCode 20004); they can turn them back on in its settings. Do not ask again until then.",
    )
    .with_host(error.details().host_code.clone(), error.details().host_message.clone())
}
