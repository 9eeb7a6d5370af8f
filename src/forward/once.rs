//! Exactly-once bookkeeping, per token: the idempotency key a token is sent under (the
//! same on every retry, never another one), whether a request carrying it is in flight,
//! and whether it was forwarded. Entries live as long as their token does (push tokens:
//! 7 days), so single use never wears off; the registry is bounded by the number of
//! live tokens, not by a count of recent forwards.

use crate::prelude::*;

use crate::error::{BridgeError, ErrorCode};

/// Most unexpired tokens one bridge remembers. A page that forwards more than this
/// within their lifetimes is refused, rather than forgetting a token and risking a
/// second exchange.
pub const MAX_LIVE_TOKENS: usize = 65_536;

/// A 64-bit FNV-1a fingerprint of a token: the registry never stores the token itself.
pub(crate) fn fingerprint(secret: &str) -> u64 {
    secret.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Formats 16 random bytes as a UUID v4, the usual shape of an idempotency key.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn uuid_v4(mut bytes: [u8; 16]) -> String {
    if let Some(b) = bytes.get_mut(6) {
        *b = (*b & 0x0f) | 0x40;
    }
    if let Some(b) = bytes.get_mut(8) {
        *b = (*b & 0x3f) | 0x80;
    }
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    out
}

/// Where a token stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// A request carrying it is being sent now.
    InFlight,
    /// A request carrying it was sent (or at least attempted) and did not succeed; the
    /// backend may still have it, so it may only be sent again in the same request.
    Sent,
    /// The backend accepted it.
    Forwarded,
}

#[derive(Clone, Debug)]
struct Entry {
    token: u64,
    /// The request (the set of tokens) it travels in, and that request's key.
    request: u64,
    key: String,
    state: State,
    /// Forgotten after this time (ms since the epoch): the token is dead by then.
    expires_at: u64,
}

/// A token of a request: its fingerprint and when it expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenRef {
    /// [`fingerprint`] of the token.
    pub fingerprint: u64,
    /// When it expires (ms since the epoch).
    pub expires_at: u64,
}

/// The right to send one request carrying some tokens, under one key.
#[derive(Debug)]
pub struct Claim {
    tokens: Vec<u64>,
    /// Tokens this claim saw for the first time (forgotten again if nothing was sent).
    new: Vec<u64>,
    /// The idempotency key of the request.
    pub key: String,
}

/// How a claimed request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// The backend accepted it: its tokens are spent.
    Forwarded,
    /// It was sent at least once without success: its tokens keep their key.
    Sent,
    /// Nothing was sent (refused before the first attempt).
    NotSent,
}

/// Per-bridge record of each token's key and state.
#[derive(Clone, Debug)]
pub struct OnceRegistry {
    entries: Vec<Entry>,
    limit: usize,
}

impl Default for OnceRegistry {
    fn default() -> Self {
        OnceRegistry { entries: Vec::new(), limit: MAX_LIVE_TOKENS }
    }
}

fn already_used() -> BridgeError {
    BridgeError::new(
        ErrorCode::TokenAlreadyUsed,
        "This consent was already forwarded successfully; tokens are single use. Ask the user again if you need a new one.",
    )
}

fn in_flight() -> BridgeError {
    BridgeError::new(
        ErrorCode::ConsentBusy,
        "This consent is being forwarded right now; wait for that call to settle instead of forwarding it again.",
    )
}

fn regrouped() -> BridgeError {
    BridgeError::new(
        ErrorCode::InvalidArgument,
        "A token of this request was already sent in another request whose outcome is unknown; forward that same consent again (it keeps its idempotency key), not a regrouped one.",
    )
}

fn too_many() -> BridgeError {
    BridgeError::new(
        ErrorCode::InvalidArgument,
        "This bridge already remembers the most unexpired tokens it keeps (65536); it refuses more rather than forget one and risk sending it twice.",
    )
}

/// The identity of a request: its set of tokens, whatever their order (a sum of mixed
/// fingerprints; no sort, which would weigh 4 KB in the wasm).
fn request_id(tokens: &[u64]) -> u64 {
    tokens.iter().fold(0u64, |sum, t| {
        // splitmix64's finaliser: a bijection that spreads every bit.
        let mut z = t.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        sum.wrapping_add(z ^ (z >> 31))
    })
}

impl OnceRegistry {
    fn find(&self, token: u64) -> Option<&Entry> {
        self.entries.iter().find(|e| e.token == token)
    }

    /// Claims `tokens` for one request at `now`: `TOKEN_ALREADY_USED` if one was
    /// forwarded, `CONSENT_BUSY` if one is in flight, `INVALID_ARGUMENT` if one was sent
    /// in a different request; otherwise the request's key (the earlier one on a retry,
    /// else `mint()`), with every token marked in flight until [`OnceRegistry::finish`].
    pub fn claim(
        &mut self,
        tokens: &[TokenRef],
        now: u64,
        mint: impl FnOnce() -> String,
    ) -> Result<Claim, BridgeError> {
        self.entries.retain(|e| e.expires_at > now || e.state == State::InFlight);
        let fingerprints: Vec<u64> = tokens.iter().map(|t| t.fingerprint).collect();
        let request = request_id(&fingerprints);
        let mut key = None;
        for token in &fingerprints {
            let Some(entry) = self.find(*token) else { continue };
            match entry.state {
                State::Forwarded => return Err(already_used()),
                State::InFlight => return Err(in_flight()),
                State::Sent if entry.request != request => return Err(regrouped()),
                State::Sent => key = Some(entry.key.clone()),
            }
        }
        let new: Vec<u64> = fingerprints.iter().copied().filter(|t| self.find(*t).is_none()).collect();
        if self.entries.len().saturating_add(new.len()) > self.limit {
            return Err(too_many());
        }
        let key = key.unwrap_or_else(mint);
        for t in tokens {
            match self.entries.iter_mut().find(|e| e.token == t.fingerprint) {
                Some(entry) => entry.state = State::InFlight,
                None => self.entries.push(Entry {
                    token: t.fingerprint,
                    request,
                    key: key.clone(),
                    state: State::InFlight,
                    expires_at: t.expires_at,
                }),
            }
        }
        Ok(Claim { tokens: fingerprints, new, key })
    }

    /// Records how the request of `claim` ended.
    pub fn finish(&mut self, claim: &Claim, finish: Finish) {
        if finish == Finish::NotSent {
            self.entries.retain(|e| !claim.new.contains(&e.token));
        }
        for entry in self.entries.iter_mut().filter(|e| claim.tokens.contains(&e.token)) {
            entry.state = if finish == Finish::Forwarded { State::Forwarded } else { State::Sent };
        }
    }

    /// How many tokens are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no token is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400_000;

    fn t(name: &str) -> TokenRef {
        TokenRef { fingerprint: fingerprint(name), expires_at: 7 * DAY }
    }

    fn code(r: Result<Claim, BridgeError>) -> Option<ErrorCode> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn one_key_per_token_across_retries_then_refused_once_forwarded() {
        let mut r = OnceRegistry::default();
        let c1 = r.claim(&[t("tok")], 0, || "k1".into()).expect("first claim");
        assert_eq!(code(r.claim(&[t("tok")], 0, || "k2".into())), Some(ErrorCode::ConsentBusy), "in flight");
        r.finish(&c1, Finish::Sent);
        let c2 = r.claim(&[t("tok")], 0, || "k2".into()).expect("retry");
        assert_eq!(c2.key, "k1", "a retry keeps the key");
        r.finish(&c2, Finish::Forwarded);
        assert_eq!(code(r.claim(&[t("tok")], 0, || "k3".into())), Some(ErrorCode::TokenAlreadyUsed));
        assert_eq!(r.claim(&[t("other")], 0, || "k4".into()).map(|c| c.key).ok().as_deref(), Some("k4"));
    }

    #[test]
    fn a_token_sent_in_a_bundle_is_never_sent_under_another_key() {
        let mut r = OnceRegistry::default();
        let ab = r.claim(&[t("A"), t("B")], 0, || "kab".into()).expect("claim");
        r.finish(&ab, Finish::Sent);
        assert_eq!(code(r.claim(&[t("A")], 0, || "ka".into())), Some(ErrorCode::InvalidArgument));
        assert_eq!(code(r.claim(&[t("B"), t("C")], 0, || "kbc".into())), Some(ErrorCode::InvalidArgument));
        let again = r.claim(&[t("B"), t("A")], 0, || "new".into()).expect("same bundle, any order");
        assert_eq!(again.key, "kab");
        r.finish(&again, Finish::Forwarded);
        assert_eq!(code(r.claim(&[t("A")], 0, || "ka".into())), Some(ErrorCode::TokenAlreadyUsed));
        assert!(r.claim(&[t("C")], 0, || "kc".into()).is_ok());
    }

    #[test]
    fn nothing_sent_forgets_new_tokens() {
        let mut r = OnceRegistry::default();
        let c = r.claim(&[t("A")], 0, || "k1".into()).expect("claim");
        r.finish(&c, Finish::NotSent);
        assert!(r.is_empty());
        let c = r.claim(&[t("A")], 0, || "k2".into()).expect("claim");
        assert_eq!(c.key, "k2");
    }

    #[test]
    fn single_use_lasts_the_token_lifetime_not_a_count_of_forwards() {
        let mut r = OnceRegistry::default();
        let first = r.claim(&[t("T")], 0, || "kt".into()).expect("claim");
        r.finish(&first, Finish::Forwarded);
        for i in 0..2_000u64 {
            let other = TokenRef { fingerprint: fingerprint(&format!("o{i}")), expires_at: 2 * 60_000 };
            if let Ok(c) = r.claim(&[other], i, || format!("k{i}")) {
                r.finish(&c, Finish::Forwarded);
            }
        }
        assert_eq!(code(r.claim(&[t("T")], 6 * DAY, || "again".into())), Some(ErrorCode::TokenAlreadyUsed));
        assert_eq!(r.len(), 1, "expired data tokens were forgotten, the live push token kept");
    }

    #[test]
    fn the_registry_refuses_rather_than_forgets() {
        let mut r = OnceRegistry { limit: 100, ..OnceRegistry::default() };
        for i in 0..100u64 {
            let c = r.claim(&[TokenRef { fingerprint: i, expires_at: DAY }], 0, || String::new()).expect("room");
            r.finish(&c, Finish::Forwarded);
        }
        let over = TokenRef { fingerprint: u64::MAX, expires_at: DAY };
        assert_eq!(code(r.claim(&[over], 0, String::new)), Some(ErrorCode::InvalidArgument));
        assert!(r.claim(&[over], DAY + 1, String::new).is_ok(), "room again once the others expired");
    }

    #[test]
    fn uuid_shape() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert!(matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }
}
