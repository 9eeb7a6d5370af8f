//! Validation of Alipay's `my.requestSubscribeMessage({entityIds})`: success carries
//! `behavior`, `keep`, `refuse`, `show`, one `"accept"`/`"reject"` key per id and
//! `result: {subscribeEntityIds, unsubscribedEntityIds, …}`; failures carry
//! `errorCode`/`errorMessage`. No token comes back: the server sends by the user's id.

use crate::prelude::*;

use super::failure::{failure_error, timeout};
use super::value::HostValue;
use super::{Platform, RejectReason, Settlement, SubscriptionGrants};
use crate::error::{BridgeError, ErrorCode};

/// Templates per call Alipay allows ("entityIds: 最多 3 个").
pub const ALIPAY_MAX_TEMPLATES: usize = 3;

const API: &str = "requestSubscribeMessage";

/// Whether `list` (an array of strings) holds `id`.
fn lists(list: Option<&HostValue>, id: &str) -> bool {
    matches!(list, Some(HostValue::Array(items)) if items.iter().any(|i| i.as_str() == Some(id)))
}

/// One id's verdict: its own key first, then the `result` lists.
fn verdict(value: &HostValue, id: &str) -> Result<(), RejectReason> {
    match value.get(id) {
        Some(HostValue::String(v)) if v == "accept" => return Ok(()),
        Some(HostValue::String(v)) if v == "reject" => return Err(RejectReason::Reject),
        None | Some(HostValue::Undefined) | Some(HostValue::Null) => {}
        Some(_) => return Err(RejectReason::UnknownType),
    }
    let result = value.get("result");
    if lists(result.and_then(|r| r.get("subscribeEntityIds")), id) {
        Ok(())
    } else if lists(result.and_then(|r| r.get("unsubscribedEntityIds")), id) {
        Err(RejectReason::Reject)
    } else {
        Err(RejectReason::Missing)
    }
}

/// Classifies a failure by Alipay's documented `errorCode`: 11 (the user cancelled) is
/// `USER_DENIED`; 15 (a subscription panel is already open) is `CONSENT_BUSY`; 203
/// (invalid parameters), 106002 (one-time and long-term templates mixed) and 106008
/// (invalid template) are `INVALID_ARGUMENT`; 100201 (rate limit) and anything else are
/// `HOST_ERROR`. The host's code and message are kept in every case.
fn failure(value: &HostValue) -> BridgeError {
    let error = failure_error(API, value, &["11"], &[]);
    let (code, message) = match error.details().host_code.as_deref() {
        Some("15") => (
            ErrorCode::ConsentBusy,
            "Alipay already shows a subscription panel (errorCode 15); wait for it to close before asking again.",
        ),
        Some("203") => (ErrorCode::InvalidArgument, "Alipay refused the template ids as invalid parameters (errorCode 203); check them in the Alipay console."),
        Some("106002") => (ErrorCode::InvalidArgument, "Alipay refused a mix of one-time and long-term templates (errorCode 106002); ask for each kind in its own call."),
        Some("106008") => (ErrorCode::InvalidArgument, "Alipay does not know one of the templates (errorCode 106008); check the ids in the Alipay console."),
        Some("100201") => (ErrorCode::HostError, "Alipay rate-limited subscription requests (errorCode 100201); try again later."),
        _ => return error,
    };
    let (host_code, host_message) = (error.details().host_code.clone(), error.details().host_message.clone());
    BridgeError::new(code, message).with_host(host_code, host_message)
}

/// Turns how `my.requestSubscribeMessage({entityIds})` ended into granted templates.
/// Only the requested ids are read, in request order.
pub fn alipay_grants(ids: &[String], settled: Settlement, now_ms: u64) -> Result<SubscriptionGrants, BridgeError> {
    let value = match settled {
        Settlement::Timeout => return Err(timeout(API)),
        Settlement::Failure(v) => return Err(failure(&v)),
        Settlement::Success(v) if v.get("errorCode").is_some_and(|c| c.code_text().is_some()) => {
            return Err(failure(&v))
        }
        Settlement::Success(v @ HostValue::Object(_)) => v,
        Settlement::Success(other) => {
            return Err(BridgeError::invalid_result(format!(
                "The host answered {API} with a {} instead of an object.",
                other.type_name()
            )))
        }
    };
    Ok(SubscriptionGrants::collect(Platform::Alipay, ids, now_ms, &|id| verdict(&value, id)))
}
