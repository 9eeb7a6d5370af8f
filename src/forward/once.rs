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

/// How long after its token's expiry the record of a handed-out token is kept: a button
/// event kept by the page and read again within this time still forwards as expired.
pub const ISSUED_RETAIN_MS: u64 = 24 * 60 * 60 * 1000;

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

/// Per-bridge record of each token's key and state, and of the tokens it handed out.
#[derive(Clone, Debug)]
pub struct OnceRegistry {
    entries: Vec<Entry>,
    /// Tokens this bridge handed to the page, with their real expiry: a consent edited in
    /// JS (a later `obtainedAt`) must not outlive the token the host gave.
    issued: Vec<TokenRef>,
    limit: usize,
}

impl Default for OnceRegistry {
    fn default() -> Self {
        OnceRegistry { entries: Vec::new(), issued: Vec::new(), limit: MAX_LIVE_TOKENS }
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

fn duplicated() -> BridgeError {
    BridgeError::invalid_argument(
        "The same token appears twice in this request; each token travels once. Forward the consent as the ask… method returned it.",
    )
}

fn too_many() -> BridgeError {
    BridgeError::new(
        ErrorCode::InvalidArgument,
        "This bridge already remembers the most unexpired tokens it keeps (65536); it refuses more rather than forget one and risk sending it twice.",
    )
}

impl OnceRegistry {
    fn find(&self, token: u64) -> Option<&Entry> {
        self.entries.iter().find(|e| e.token == token)
    }

    /// Remembers that the bridge handed `token` to the page at `now`. A token handed out
    /// again (a button event read twice) keeps its first expiry. Records outlive their
    /// token by [`ISSUED_RETAIN_MS`], so a dead token read again stays dead; bounded like
    /// the claims: past the limit the oldest record goes (only this check is lost for it).
    pub fn note_issued(&mut self, token: TokenRef, now: u64) {
        self.issued.retain(|t| t.expires_at.saturating_add(ISSUED_RETAIN_MS) > now);
        if let Some(known) = self.issued.iter_mut().find(|t| t.fingerprint == token.fingerprint) {
            known.expires_at = known.expires_at.min(token.expires_at);
            return;
        }
        if self.issued.len() >= self.limit && !self.issued.is_empty() {
            self.issued.remove(0);
        }
        self.issued.push(token);
    }

    /// When a token this bridge handed out really expires, if it is remembered.
    pub fn issued_expiry(&self, fingerprint: u64) -> Option<u64> {
        self.issued.iter().find(|t| t.fingerprint == fingerprint).map(|t| t.expires_at)
    }

    /// Claims `tokens` for one request at `now`; `request` identifies the request (a
    /// fingerprint of its body: a retry must send the very same bytes under its key).
    /// `TOKEN_ALREADY_USED` if a token was forwarded, `CONSENT_BUSY` if one is in flight,
    /// `INVALID_ARGUMENT` if one appears twice or was sent in a different request;
    /// otherwise the request's key (the earlier one on a retry, else `mint()`), with every
    /// token marked in flight until [`OnceRegistry::finish`].
    pub fn claim(
        &mut self,
        tokens: &[TokenRef],
        request: u64,
        now: u64,
        mint: impl FnOnce() -> String,
    ) -> Result<Claim, BridgeError> {
        self.entries.retain(|e| e.expires_at > now || e.state == State::InFlight);
        let fingerprints: Vec<u64> = tokens.iter().map(|t| t.fingerprint).collect();
        if fingerprints.iter().enumerate().any(|(i, t)| fingerprints.iter().take(i).any(|u| u == t)) {
            return Err(duplicated());
        }
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

    /// A request id for `tokens` in this order (the forwarder uses the body's fingerprint).
    fn req(tokens: &[TokenRef]) -> u64 {
        tokens.iter().fold(7, |h, t| h.rotate_left(5) ^ t.fingerprint)
    }

    fn code(r: Result<Claim, BridgeError>) -> Option<ErrorCode> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn one_key_per_token_across_retries_then_refused_once_forwarded() {
        let mut r = OnceRegistry::default();
        let c1 = r.claim(&[t("tok")], req(&[t("tok")]), 0, || "k1".into()).expect("first claim");
        assert_eq!(
            code(r.claim(&[t("tok")], req(&[t("tok")]), 0, || "k2".into())),
            Some(ErrorCode::ConsentBusy),
            "in flight"
        );
        r.finish(&c1, Finish::Sent);
        let c2 = r.claim(&[t("tok")], req(&[t("tok")]), 0, || "k2".into()).expect("retry");
        assert_eq!(c2.key, "k1", "a retry keeps the key");
        r.finish(&c2, Finish::Forwarded);
        assert_eq!(code(r.claim(&[t("tok")], req(&[t("tok")]), 0, || "k3".into())), Some(ErrorCode::TokenAlreadyUsed));
        assert_eq!(
            r.claim(&[t("other")], req(&[t("other")]), 0, || "k4".into()).map(|c| c.key).ok().as_deref(),
            Some("k4")
        );
    }

    #[test]
    fn a_token_sent_in_a_bundle_is_never_sent_under_another_key() {
        let mut r = OnceRegistry::default();
        let ab = r.claim(&[t("A"), t("B")], req(&[t("A"), t("B")]), 0, || "kab".into()).expect("claim");
        r.finish(&ab, Finish::Sent);
        assert_eq!(code(r.claim(&[t("A")], req(&[t("A")]), 0, || "ka".into())), Some(ErrorCode::InvalidArgument));
        assert_eq!(
            code(r.claim(&[t("B"), t("C")], req(&[t("B"), t("C")]), 0, || "kbc".into())),
            Some(ErrorCode::InvalidArgument)
        );
        assert_eq!(
            code(r.claim(&[t("B"), t("A")], req(&[t("B"), t("A")]), 0, || "new".into())),
            Some(ErrorCode::InvalidArgument),
            "a reordered body under the same key would be a different request to the backend"
        );
        let again = r.claim(&[t("A"), t("B")], req(&[t("A"), t("B")]), 0, || "new".into()).expect("same request");
        assert_eq!(again.key, "kab");
        r.finish(&again, Finish::Forwarded);
        assert_eq!(code(r.claim(&[t("A")], req(&[t("A")]), 0, || "ka".into())), Some(ErrorCode::TokenAlreadyUsed));
        assert!(r.claim(&[t("C")], req(&[t("C")]), 0, || "kc".into()).is_ok());
    }

    #[test]
    fn nothing_sent_forgets_new_tokens() {
        let mut r = OnceRegistry::default();
        let c = r.claim(&[t("A")], req(&[t("A")]), 0, || "k1".into()).expect("claim");
        r.finish(&c, Finish::NotSent);
        assert!(r.is_empty());
        let c = r.claim(&[t("A")], req(&[t("A")]), 0, || "k2".into()).expect("claim");
        assert_eq!(c.key, "k2");
    }

    #[test]
    fn single_use_lasts_the_token_lifetime_not_a_count_of_forwards() {
        let mut r = OnceRegistry::default();
        let first = r.claim(&[t("T")], req(&[t("T")]), 0, || "kt".into()).expect("claim");
        r.finish(&first, Finish::Forwarded);
        for i in 0..2_000u64 {
            let other = TokenRef { fingerprint: fingerprint(&format!("o{i}")), expires_at: 2 * 60_000 };
            if let Ok(c) = r.claim(&[other], req(&[other]), i, || format!("k{i}")) {
                r.finish(&c, Finish::Forwarded);
            }
        }
        assert_eq!(
            code(r.claim(&[t("T")], req(&[t("T")]), 6 * DAY, || "again".into())),
            Some(ErrorCode::TokenAlreadyUsed)
        );
        assert_eq!(r.len(), 1, "expired data tokens were forgotten, the live push token kept");
    }

    #[test]
    fn the_registry_refuses_rather_than_forgets() {
        let mut r = OnceRegistry { limit: 100, ..OnceRegistry::default() };
        for i in 0..100u64 {
            let tok = TokenRef { fingerprint: i, expires_at: DAY };
            let c = r.claim(&[tok], req(&[tok]), 0, String::new).expect("room");
            r.finish(&c, Finish::Forwarded);
        }
        let over = TokenRef { fingerprint: u64::MAX, expires_at: DAY };
        assert_eq!(code(r.claim(&[over], req(&[over]), 0, String::new)), Some(ErrorCode::InvalidArgument));
        assert!(r.claim(&[over], req(&[over]), DAY + 1, String::new).is_ok(), "room again once the others expired");
    }

    #[test]
    fn a_token_twice_in_one_request_is_refused() {
        let mut r = OnceRegistry::default();
        assert_eq!(code(r.claim(&[t("A"), t("A")], 1, 0, || "k".into())), Some(ErrorCode::InvalidArgument));
        assert!(r.is_empty(), "nothing was remembered");
    }

    #[test]
    fn issued_tokens_keep_their_first_expiry_and_are_bounded() {
        let mut r = OnceRegistry { limit: 2, ..OnceRegistry::default() };
        r.note_issued(TokenRef { fingerprint: 1, expires_at: 100 }, 0);
        assert_eq!(r.issued_expiry(1), Some(100));
        r.note_issued(TokenRef { fingerprint: 1, expires_at: 500 }, 50);
        assert_eq!(r.issued_expiry(1), Some(100), "handed out again: the first expiry stays");
        r.note_issued(TokenRef { fingerprint: 1, expires_at: 900 }, 400);
        assert_eq!(r.issued_expiry(1), Some(100), "read again after it died: still dead");
        r.note_issued(TokenRef { fingerprint: 2, expires_at: 100 }, 0);
        r.note_issued(TokenRef { fingerprint: 3, expires_at: 100 }, 0);
        assert_eq!((r.issued_expiry(1), r.issued_expiry(3)), (None, Some(100)), "the oldest record went");
        r.note_issued(TokenRef { fingerprint: 4, expires_at: 100 }, 100 + ISSUED_RETAIN_MS);
        assert_eq!((r.issued_expiry(2), r.issued_expiry(4)), (None, Some(100)), "records a day past expiry went");
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
