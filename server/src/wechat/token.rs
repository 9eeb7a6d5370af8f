//! The app's access token, cached. One request renews it at a time: concurrent callers
//! wait on the same lock and then share the new token (single flight), so a burst of
//! calls never turns into a burst of `stable_token` requests.
//!
//! Renewal happens before expiry (the configured margin, at most half the token's
//! lifetime), in normal mode. A forced refresh happens only when WeChat rejected the
//! token a call carried — and only if no other caller has replaced that token meanwhile,
//! since each forced refresh invalidates the token every other caller is using.

use crate::error::Result;
use crate::secret::Secret;
use std::future::Future;

/// A token and its lifetime (Unix ms).
#[derive(Clone, Debug)]
pub struct CachedToken {
    /// The access token.
    pub token: Secret<String>,
    /// When it was obtained.
    pub obtained_at_ms: u64,
    /// When WeChat said it expires.
    pub expires_at_ms: u64,
}

impl CachedToken {
    /// Whether it is still good to use at `now_ms`, renewing `margin_ms` early (at most
    /// half its lifetime early, so a short-lived token is still used).
    pub fn fresh(&self, now_ms: u64, margin_ms: u64) -> bool {
        let lifetime = self.expires_at_ms.saturating_sub(self.obtained_at_ms);
        now_ms.saturating_add(margin_ms.min(lifetime / 2)) < self.expires_at_ms
    }
}

/// The cache: at most one token.
#[derive(Debug, Default)]
pub struct AccessTokenCache {
    slot: tokio::sync::Mutex<Option<CachedToken>>,
}

impl AccessTokenCache {
    /// The cached token when fresh, otherwise one from `fetch(false)` (normal mode).
    pub async fn get<F, Fut>(&self, now_ms: u64, margin_ms: u64, fetch: F) -> Result<CachedToken>
    where
        F: FnOnce(bool) -> Fut,
        Fut: Future<Output = Result<CachedToken>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(t) = slot.as_ref().filter(|t| t.fresh(now_ms, margin_ms)) {
            return Ok(t.clone());
        }
        let t = fetch(false).await?;
        *slot = Some(t.clone());
        Ok(t)
    }

    /// After WeChat rejected `rejected`: the token another caller already put in its
    /// place, or a new one from `fetch(true)` (forced mode).
    pub async fn replace_rejected<F, Fut>(
        &self,
        rejected: &Secret<String>,
        now_ms: u64,
        fetch: F,
    ) -> Result<CachedToken>
    where
        F: FnOnce(bool) -> Fut,
        Fut: Future<Output = Result<CachedToken>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some(t) = slot.as_ref().filter(|t| t.token != *rejected && t.expires_at_ms > now_ms) {
            return Ok(t.clone());
        }
        *slot = None;
        let t = fetch(true).await?;
        *slot = Some(t.clone());
        Ok(t)
    }

    /// Forgets the cached token.
    pub async fn clear(&self) {
        *self.slot.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_renews_early_but_not_before_half_the_lifetime() {
        let t = CachedToken { token: Secret::from("t"), obtained_at_ms: 0, expires_at_ms: 7_200_000 };
        assert!(t.fresh(6_800_000, 300_000));
        assert!(!t.fresh(6_900_000, 300_000));
        let short = CachedToken { token: Secret::from("t"), obtained_at_ms: 0, expires_at_ms: 100_000 };
        assert!(short.fresh(40_000, 300_000) && !short.fresh(50_000, 300_000));
    }
}
