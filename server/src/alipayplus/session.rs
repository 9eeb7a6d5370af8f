//! Merchant sessions after an Alipay+ exchange: an opaque random id (the only thing the
//! page gets) mapped to the platform's user id and the access and refresh tokens, in the
//! same SQLite database as the push tokens.
//!
//! The database keeps a SHA-256 of the session id, not the id itself, so a copy of the
//! file cannot be replayed as a cookie. Tokens are stored as they are (the server needs
//! them to call the platform); protect the file like any credential store.

use super::client::{AlipayPlusClient, TokenGrant};
use crate::clock::Clock;
use crate::error::{Error, ErrorCode, Result};
use crate::http::HttpClient;
use crate::secret::Secret;
use crate::store::SqliteStore;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::sha2::{Digest, Sha256};
use rusqlite::{params, Connection, OptionalExtension};

/// Bytes of randomness in a session id (256 bits).
const SESSION_ID_BYTES: usize = 32;
/// Refresh the access token when it has less than this left (ms).
pub const REFRESH_MARGIN_MS: u64 = 60_000;

/// One session. Tokens are [`Secret`]s.
#[derive(Debug, Clone)]
pub struct Session {
    /// The platform's user id.
    pub user_id: String,
    /// The access token.
    pub access_token: Secret<String>,
    /// When the access token expires (Unix ms).
    pub access_expires_at_ms: u64,
    /// The refresh token, if the wallet issued one.
    pub refresh_token: Option<Secret<String>>,
    /// When the refresh token expires (Unix ms), if known.
    pub refresh_expires_at_ms: Option<u64>,
}

impl Session {
    /// When the session stops being usable: the refresh token's expiry when there is a
    /// refresh token (the access token can be renewed until then), the access token's
    /// otherwise.
    pub fn expires_at_ms(&self) -> u64 {
        match (&self.refresh_token, self.refresh_expires_at_ms) {
            (Some(_), Some(r)) => r.max(self.access_expires_at_ms),
            _ => self.access_expires_at_ms,
        }
    }
}

/// Where sessions live.
pub trait SessionStore: Send + Sync {
    /// Stores a new session for `grant`; returns its id (base64url, 43 characters).
    fn create_session(&self, grant: &TokenGrant) -> Result<Secret<String>>;
    /// The session, if it exists and has not expired at `now_ms`.
    fn session(&self, id: &str, now_ms: u64) -> Result<Option<Session>>;
    /// Replaces the tokens of a session after a refresh.
    fn update_session(&self, id: &str, grant: &TokenGrant) -> Result<()>;
    /// Ends a session (logout); ending an unknown one is not an error.
    fn delete_session(&self, id: &str) -> Result<()>;
    /// Deletes expired sessions; returns how many.
    fn purge_expired_sessions(&self, now_ms: u64) -> Result<usize>;
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS alipayplus_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    access_token TEXT NOT NULL,
    access_expires_at_ms INTEGER NOT NULL,
    refresh_token TEXT,
    refresh_expires_at_ms INTEGER,
    expires_at_ms INTEGER NOT NULL
);
";

/// Creates the sessions table (called when the store opens).
pub(crate) fn init_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)
}

fn store_error(e: rusqlite::Error) -> Error {
    Error::new(ErrorCode::Store, format!("the session database failed ({e}); check its file, disk and permissions"))
}

pub(crate) fn id_hash(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(id.as_bytes()))
}

pub(crate) fn to_i64(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

pub(crate) fn new_session_id() -> Result<Secret<String>> {
    let mut bytes = [0u8; SESSION_ID_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| {
        Error::new(ErrorCode::Store, "the system random number generator failed; cannot create a session")
    })?;
    Ok(Secret::new(URL_SAFE_NO_PAD.encode(bytes)))
}

fn expiry_of(grant: &TokenGrant) -> u64 {
    match (&grant.refresh_token, grant.refresh_token_expires_at_ms) {
        (Some(_), Some(r)) => r.max(grant.access_token_expires_at_ms),
        _ => grant.access_token_expires_at_ms,
    }
}

impl SessionStore for SqliteStore {
    fn create_session(&self, grant: &TokenGrant) -> Result<Secret<String>> {
        let id = new_session_id()?;
        self.conn()
            .execute(
                "INSERT INTO alipayplus_sessions (id_hash, user_id, access_token, access_expires_at_ms, refresh_token, refresh_expires_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id_hash(id.expose()),
                    grant.customer_id,
                    grant.access_token.expose(),
                    to_i64(grant.access_token_expires_at_ms),
                    grant.refresh_token.as_ref().map(|t| t.expose().clone()),
                    grant.refresh_token_expires_at_ms.map(to_i64),
                    to_i64(expiry_of(grant)),
                ],
            )
            .map_err(store_error)?;
        Ok(id)
    }

    fn session(&self, id: &str, now_ms: u64) -> Result<Option<Session>> {
        if id.is_empty() || id.len() > 128 {
            return Ok(None);
        }
        self.conn()
            .query_row(
                "SELECT user_id, access_token, access_expires_at_ms, refresh_token, refresh_expires_at_ms FROM alipayplus_sessions WHERE id_hash = ?1 AND expires_at_ms > ?2",
                params![id_hash(id), to_i64(now_ms)],
                |row| {
                    Ok(Session {
                        user_id: row.get(0)?,
                        access_token: Secret::new(row.get(1)?),
                        access_expires_at_ms: row.get::<_, i64>(2)?.max(0) as u64,
                        refresh_token: row.get::<_, Option<String>>(3)?.map(Secret::new),
                        refresh_expires_at_ms: row.get::<_, Option<i64>>(4)?.map(|v| v.max(0) as u64),
                    })
                },
            )
            .optional()
            .map_err(store_error)
    }

    fn update_session(&self, id: &str, grant: &TokenGrant) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE alipayplus_sessions SET access_token = ?2, access_expires_at_ms = ?3, refresh_token = COALESCE(?4, refresh_token), refresh_expires_at_ms = COALESCE(?5, refresh_expires_at_ms), expires_at_ms = ?6 WHERE id_hash = ?1",
                params![
                    id_hash(id),
                    grant.access_token.expose(),
                    to_i64(grant.access_token_expires_at_ms),
                    grant.refresh_token.as_ref().map(|t| t.expose().clone()),
                    grant.refresh_token_expires_at_ms.map(to_i64),
                    to_i64(expiry_of(grant)),
                ],
            )
            .map_err(store_error)?;
        Ok(())
    }

    fn delete_session(&self, id: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM alipayplus_sessions WHERE id_hash = ?1", params![id_hash(id)])
            .map_err(store_error)?;
        Ok(())
    }

    fn purge_expired_sessions(&self, now_ms: u64) -> Result<usize> {
        self.conn()
            .execute("DELETE FROM alipayplus_sessions WHERE expires_at_ms <= ?1", params![to_i64(now_ms)])
            .map_err(store_error)
    }
}

/// The session's access token, refreshed on the server first when it expires within
/// [`REFRESH_MARGIN_MS`] and a refresh token is available. `None` when the session does
/// not exist or has expired.
///
/// Refresh tokens are single use, so two requests on one session must not both refresh:
/// a refresh holds the session's lock (per process, see [`refresh_lock`]) and re-reads
/// the session once it has it, using what the first request stored. Across processes
/// sharing the database, a refresh refused as already used re-reads the session too and
/// takes the token the other process stored.
pub async fn fresh_session<H: HttpClient, C: Clock, K: Clock, S: SessionStore + ?Sized>(
    client: &AlipayPlusClient<H, C>,
    store: &S,
    clock: &K,
    id: &str,
) -> Result<Option<Session>> {
    let now = clock.now_ms();
    let Some(session) = store.session(id, now)? else { return Ok(None) };
    if session.access_expires_at_ms > now + REFRESH_MARGIN_MS {
        return Ok(Some(session));
    }
    let lock = refresh_lock(id);
    let _held = lock.lock().await;
    let now = clock.now_ms();
    let Some(session) = store.session(id, now)? else { return Ok(None) };
    if session.access_expires_at_ms > now + REFRESH_MARGIN_MS {
        return Ok(Some(session)); // another request refreshed while we waited
    }
    let usable_refresh =
        session.refresh_token.as_ref().filter(|_| session.refresh_expires_at_ms.is_none_or(|r| r > now));
    let Some(refresh) = usable_refresh else {
        return Ok((session.access_expires_at_ms > now).then_some(session));
    };
    match client.refresh_token(refresh).await {
        Ok(grant) => store.update_session(id, &grant)?,
        Err(e) if e.platform_code() == Some("USED_REFRESH_TOKEN") => {
            let now = clock.now_ms();
            let stored = store.session(id, now)?;
            let refreshed = stored.filter(|s| {
                s.access_expires_at_ms > now && s.refresh_token.as_ref().map(|t| t.expose()) != Some(refresh.expose())
            });
            return refreshed.map(Some).ok_or(e);
        }
        Err(e) => return Err(e),
    }
    store.session(id, clock.now_ms())
}

/// The lock a refresh of session `id` holds. Entries live while a request holds or waits
/// on them (the map keeps weak references and drops dead ones as it goes).
fn refresh_lock(id: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock, Weak};
    static LOCKS: OnceLock<Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut locks = LOCKS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    locks.retain(|_, l| l.strong_count() > 0);
    let key = id_hash(id);
    if let Some(lock) = locks.get(&key).and_then(Weak::upgrade) {
        return lock;
    }
    let lock = Arc::new(tokio::sync::Mutex::new(()));
    locks.insert(key, Arc::downgrade(&lock));
    lock
}
