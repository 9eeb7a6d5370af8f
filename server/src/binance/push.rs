//! Push tokens through the store: accepted once from the page, spent once on a send.

use super::client::{BinanceClient, PushMessage, PushOutcome};
use super::wire::PUSH_TOKEN_LIFETIME_MS;
use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use crate::store::{PushTokenStore, StoredPushToken};

/// The platform name used in the store.
pub const PLATFORM: &str = "binance";

/// Stores a push token accepted by `user_id` for `template_id`, obtained at
/// `obtained_at_ms` (it expires 7 days later).
pub fn accept(
    store: &dyn PushTokenStore,
    user_id: &str,
    template_id: &str,
    push_token: Secret<String>,
    obtained_at_ms: u64,
) -> Result<()> {
    accept_many(store, user_id, vec![(template_id.to_owned(), push_token)], obtained_at_ms)
}

/// Stores the push tokens of one subscribe answer, `(template id, token)` pairs accepted
/// by `user_id` at `obtained_at_ms` (also the time the store's cap counts unexpired
/// tokens at): all or none, in one store call.
pub fn accept_many(
    store: &dyn PushTokenStore,
    user_id: &str,
    tokens: Vec<(String, Secret<String>)>,
    obtained_at_ms: u64,
) -> Result<()> {
    let rows: Vec<StoredPushToken> = tokens
        .into_iter()
        .map(|(template_id, token)| StoredPushToken {
            platform: PLATFORM.to_owned(),
            user_id: user_id.to_owned(),
            template_id,
            token,
            expires_at_ms: obtained_at_ms.saturating_add(PUSH_TOKEN_LIFETIME_MS),
        })
        .collect();
    store.put_many(&rows, obtained_at_ms)
}

/// Sends `message` to `user_id` with a stored token for its template. The token is
/// spent when the request reached the platform (whatever it answered) and released when
/// it certainly did not (no connection, or a 900231 rate limit, which the platform
/// documents as "not sent").
pub async fn send(
    client: &BinanceClient,
    store: &dyn PushTokenStore,
    user_id: &str,
    message: &PushMessage,
) -> Result<PushOutcome> {
    let now = client.clock().now_ms();
    let claim = store.claim(PLATFORM, user_id, &message.template_id, now)?.ok_or_else(|| {
        Error::new(
            ErrorCode::NoPushToken,
            "no unspent push token is stored for this user and template; the user must subscribe again",
        )
    })?;
    let result = client.send_push_message(claim.token.expose(), message).await;
    let not_sent = match &result {
        Ok(_) => false,
        Err(e) => {
            matches!(e.code(), ErrorCode::Unreachable | ErrorCode::RateLimited | ErrorCode::InvalidArgument)
                && (e.code() != ErrorCode::InvalidArgument || e.platform_code().is_none())
        }
    };
    if not_sent {
        store.release(&claim)?;
    } else {
        store.spend(&claim)?;
    }
    result
}
