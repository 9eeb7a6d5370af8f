//! The push-token store: single-use push tokens (Binance: 7 days, one message each) must
//! outlive a restart and be spent exactly once.
//!
//! Spending is two-phase so that a token is lost only when the platform may have used it:
//! [`PushTokenStore::claim`] takes one unspent, unexpired token out of circulation in a
//! single atomic statement (two concurrent senders never get the same token); the sender
//! then either [`spend`](PushTokenStore::spend)s it (the request reached the platform,
//! whatever the answer) or [`release`](PushTokenStore::release)s it (the request never
//! left, e.g. the network was down). A claim left behind by a crash is never handed out
//! again — it may have reached the platform — and disappears with [`purge_expired`].
//!
//! [`purge_expired`]: PushTokenStore::purge_expired

use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;

/// Longest user id, template id or platform name accepted, in bytes.
pub const MAX_ID_BYTES: usize = 128;
/// Longest push token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 1024;
/// Most unspent, unexpired tokens kept per platform, user and template (a bound on what
/// one page can make the server store; the platform issues one per accepted subscribe
/// prompt). Expired ones do not count, and are deleted when a new one is stored.
pub const MAX_TOKENS_PER_TEMPLATE: usize = 64;

/// A push token as accepted from the page.
#[derive(Clone, Debug)]
pub struct StoredPushToken {
    /// Platform name, e.g. `"binance"`.
    pub platform: String,
    /// The merchant's id for the user (e.g. the open id).
    pub user_id: String,
    /// The template the user accepted.
    pub template_id: String,
    /// The push token itself.
    pub token: Secret<String>,
    /// When it expires, in Unix milliseconds.
    pub expires_at_ms: u64,
}

/// A token taken out of circulation for one send.
#[derive(Debug)]
pub struct Claim {
    /// The store's row id.
    pub id: i64,
    /// The push token to send with.
    pub token: Secret<String>,
    /// When it expires, in Unix milliseconds.
    pub expires_at_ms: u64,
}

/// Where push tokens live between the subscribe prompt and the send.
pub trait PushTokenStore: Send + Sync {
    /// Stores a token (at the system clock's time; see [`put_many`](Self::put_many)).
    /// Storing the same token (same platform) again is a no-op, so a replayed
    /// subscription does not add a second copy.
    fn put(&self, token: &StoredPushToken) -> Result<()>;
    /// Stores several tokens at `now_ms`, all or none (the SQLite store: one transaction,
    /// so a body of many tokens costs one disk sync, not one each). The per-template cap
    /// counts only tokens still unexpired at `now_ms`.
    fn put_many(&self, tokens: &[StoredPushToken], now_ms: u64) -> Result<()> {
        let _ = now_ms;
        tokens.iter().try_for_each(|t| self.put(t))
    }
    /// Atomically takes the unspent token that expires first for this user and template,
    /// or `None` when there is none.
    fn claim(&self, platform: &str, user_id: &str, template_id: &str, now_ms: u64) -> Result<Option<Claim>>;
    /// The send reached the platform: the token is gone for good.
    fn spend(&self, claim: &Claim) -> Result<()>;
    /// The send never left this server: the token is available again.
    fn release(&self, claim: &Claim) -> Result<()>;
    /// How many unspent, unexpired tokens are stored for this user and template.
    fn available(&self, platform: &str, user_id: &str, template_id: &str, now_ms: u64) -> Result<usize>;
    /// Deletes expired tokens (claimed or not); returns how many.
    fn purge_expired(&self, now_ms: u64) -> Result<usize>;
}

/// The default store: one SQLite database (compiled in; no system library needed).
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStore")
    }
}

fn store_error(e: rusqlite::Error) -> Error {
    // rusqlite's messages name SQL and paths, never bound values: safe to keep.
    Error::new(ErrorCode::Store, format!("the push-token database failed ({e}); check its file, disk and permissions"))
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS push_tokens (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    template_id TEXT NOT NULL,
    token TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    claimed INTEGER NOT NULL DEFAULT 0,
    UNIQUE (platform, token)
);
CREATE INDEX IF NOT EXISTS push_tokens_by_user ON push_tokens (platform, user_id, template_id, claimed, expires_at_ms);
";

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let conn = Connection::open(path).map_err(store_error)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(store_error)?;
        Self::init(conn)
    }

    /// A private in-memory database (tests; tokens do not survive the process).
    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory().map_err(store_error)?)
    }

    fn init(conn: Connection) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(store_error)?;
        conn.execute_batch(SCHEMA).map_err(store_error)?;
        // Alipay+ sessions live in the same database.
        crate::alipayplus::session::init_schema(&conn).map_err(store_error)?;
        // So do WeChat sessions and subscription grants.
        crate::wechat::session::init_schema(&conn).map_err(store_error)?;
        Ok(SqliteStore { conn: Mutex::new(conn) })
    }

    pub(crate) fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (each call is
        // one statement or transaction), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(crate) fn check_id(what: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > MAX_ID_BYTES {
        return Err(Error::new(ErrorCode::InvalidArgument, format!("{what} must be 1 to {MAX_ID_BYTES} bytes")));
    }
    Ok(())
}

fn to_i64(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

fn check_token(t: &StoredPushToken) -> Result<()> {
    check_id("platform", &t.platform)?;
    check_id("user id", &t.user_id)?;
    check_id("template id", &t.template_id)?;
    let token = t.token.expose();
    if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("a push token must be 1 to {MAX_TOKEN_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// Inserts one checked token inside `tx` unless it is already there; refuses it when the
/// user already has [`MAX_TOKENS_PER_TEMPLATE`] unexpired ones for the template (expired
/// ones of that user and template are deleted first: they can never be sent).
fn insert(tx: &rusqlite::Transaction<'_>, t: &StoredPushToken, now_ms: u64) -> Result<()> {
    let token = t.token.expose();
    tx.execute(
        "DELETE FROM push_tokens WHERE platform = ?1 AND user_id = ?2 AND template_id = ?3 AND expires_at_ms <= ?4",
        params![t.platform, t.user_id, t.template_id, to_i64(now_ms)],
    )
    .map_err(store_error)?;
    let stored: i64 = tx
        .query_row(
            "SELECT count(*) FROM push_tokens WHERE platform = ?1 AND user_id = ?2 AND template_id = ?3 AND claimed = 0 AND expires_at_ms > ?4",
            params![t.platform, t.user_id, t.template_id, to_i64(now_ms)],
            |r| r.get(0),
        )
        .map_err(store_error)?;
    let duplicate: Option<i64> = tx
        .query_row("SELECT id FROM push_tokens WHERE platform = ?1 AND token = ?2", params![t.platform, token], |r| {
            r.get(0)
        })
        .optional()
        .map_err(store_error)?;
    if duplicate.is_some() {
        return Ok(());
    }
    if stored >= MAX_TOKENS_PER_TEMPLATE as i64 {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("this user already has {MAX_TOKENS_PER_TEMPLATE} unspent push tokens for this template"),
        ));
    }
    tx.execute(
        "INSERT INTO push_tokens (platform, user_id, template_id, token, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![t.platform, t.user_id, t.template_id, token, to_i64(t.expires_at_ms)],
    )
    .map_err(store_error)?;
    Ok(())
}

impl PushTokenStore for SqliteStore {
    fn put(&self, t: &StoredPushToken) -> Result<()> {
        use crate::clock::{Clock, SystemClock};
        self.put_many(std::slice::from_ref(t), SystemClock.now_ms())
    }

    fn put_many(&self, tokens: &[StoredPushToken], now_ms: u64) -> Result<()> {
        tokens.iter().try_for_each(check_token)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(store_error)?;
        for t in tokens {
            insert(&tx, t, now_ms)?;
        }
        tx.commit().map_err(store_error)
    }

    fn claim(&self, platform: &str, user_id: &str, template_id: &str, now_ms: u64) -> Result<Option<Claim>> {
        // One statement: SQLite runs it atomically, across threads and processes.
        self.conn()
            .query_row(
                "UPDATE push_tokens SET claimed = 1 WHERE claimed = 0 AND id = (
                    SELECT id FROM push_tokens
                    WHERE platform = ?1 AND user_id = ?2 AND template_id = ?3 AND claimed = 0 AND expires_at_ms > ?4
                    ORDER BY expires_at_ms LIMIT 1)
                 RETURNING id, token, expires_at_ms",
                params![platform, user_id, template_id, to_i64(now_ms)],
                |r| {
                    Ok(Claim {
                        id: r.get(0)?,
                        token: Secret::new(r.get::<_, String>(1)?),
                        expires_at_ms: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                    })
                },
            )
            .optional()
            .map_err(store_error)
    }

    fn spend(&self, claim: &Claim) -> Result<()> {
        self.conn().execute("DELETE FROM push_tokens WHERE id = ?1", params![claim.id]).map_err(store_error)?;
        Ok(())
    }

    fn release(&self, claim: &Claim) -> Result<()> {
        self.conn()
            .execute("UPDATE push_tokens SET claimed = 0 WHERE id = ?1 AND claimed = 1", params![claim.id])
            .map_err(store_error)?;
        Ok(())
    }

    fn available(&self, platform: &str, user_id: &str, template_id: &str, now_ms: u64) -> Result<usize> {
        let n: i64 = self
            .conn()
            .query_row(
                "SELECT count(*) FROM push_tokens WHERE platform = ?1 AND user_id = ?2 AND template_id = ?3 AND claimed = 0 AND expires_at_ms > ?4",
                params![platform, user_id, template_id, to_i64(now_ms)],
                |r| r.get(0),
            )
            .map_err(store_error)?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn purge_expired(&self, now_ms: u64) -> Result<usize> {
        self.conn()
            .execute("DELETE FROM push_tokens WHERE expires_at_ms <= ?1", params![to_i64(now_ms)])
            .map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Stores one token at time 0 (these tests use small made-up times).
    fn put(s: &SqliteStore, t: StoredPushToken) -> Result<()> {
        s.put_many(&[t], 0)
    }

    fn token(t: &str, expires: u64) -> StoredPushToken {
        StoredPushToken {
            platform: "binance".into(),
            user_id: "u1".into(),
            template_id: "tpl".into(),
            token: Secret::from(t),
            expires_at_ms: expires,
        }
    }

    #[test]
    fn claim_spend_release_cycle() -> Result<()> {
        let s = SqliteStore::open_in_memory()?;
        put(&s, token("a", 2_000))?;
        put(&s, token("b", 1_000))?;
        put(&s, token("a", 2_000))?; // duplicate: no second copy
        assert_eq!(s.available("binance", "u1", "tpl", 0)?, 2);
        let first = s.claim("binance", "u1", "tpl", 0)?.ok_or_else(|| Error::new(ErrorCode::Store, "none"))?;
        assert_eq!(first.token.expose(), "b", "the token that expires first goes first");
        assert_eq!(s.available("binance", "u1", "tpl", 0)?, 1);
        s.release(&first)?;
        assert_eq!(s.available("binance", "u1", "tpl", 0)?, 2);
        let again = s.claim("binance", "u1", "tpl", 0)?.ok_or_else(|| Error::new(ErrorCode::Store, "none"))?;
        s.spend(&again)?;
        s.release(&again)?; // too late: spent tokens never come back
        assert_eq!(s.available("binance", "u1", "tpl", 0)?, 1);
        assert!(s.claim("binance", "u1", "tpl", 2_000)?.is_none(), "expired tokens are not handed out");
        assert_eq!(s.purge_expired(2_000)?, 1);
        Ok(())
    }

    #[test]
    fn put_many_stores_all_or_none() -> Result<()> {
        let s = SqliteStore::open_in_memory()?;
        let mut batch: Vec<StoredPushToken> = (0..5).map(|i| token(&format!("t{i}"), 10_000)).collect();
        batch.push(token("", 10_000));
        assert_eq!(s.put_many(&batch, 0).err().map(|e| e.code()), Some(ErrorCode::InvalidArgument));
        assert_eq!(s.available("binance", "u1", "tpl", 0)?, 0, "a refused batch stores nothing");
        let full: Vec<StoredPushToken> =
            (0..=MAX_TOKENS_PER_TEMPLATE).map(|i| token(&format!("f{i}"), 10_000)).collect();
        assert_eq!(s.put_many(&full, 0).err().map(|e| e.code()), Some(ErrorCode::InvalidArgument));
        assert_eq!(s.available("binance", "u1", "tpl", 0)?, 0, "over the cap midway: rolled back");
        let _ = batch.pop();
        s.put_many(&batch, 0)?;
        assert_eq!(s.available("binance", "u1", "tpl", 0)?, 5);
        Ok(())
    }

    #[test]
    fn expired_tokens_neither_count_against_the_cap_nor_stay() -> Result<()> {
        let s = SqliteStore::open_in_memory()?;
        let old: Vec<StoredPushToken> = (0..MAX_TOKENS_PER_TEMPLATE).map(|i| token(&format!("o{i}"), 1_000)).collect();
        s.put_many(&old, 0)?;
        assert_eq!(s.put_many(&[token("full", 5_000)], 500).err().map(|e| e.code()), Some(ErrorCode::InvalidArgument));
        s.put_many(&[token("fresh", 5_000)], 1_000)?;
        assert_eq!(s.available("binance", "u1", "tpl", 1_000)?, 1);
        assert_eq!(s.purge_expired(1_000)?, 0, "the expired ones went when the new one was stored");
        Ok(())
    }

    #[test]
    fn concurrent_claims_never_share_a_token() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("mpcs-store-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        let s = Arc::new(SqliteStore::open(&dir)?);
        for i in 0..20 {
            put(&s, token(&format!("t{i}"), 10_000))?;
        }
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let s = Arc::clone(&s);
                std::thread::spawn(move || {
                    let mut got = Vec::new();
                    while let Ok(Some(c)) = s.claim("binance", "u1", "tpl", 0) {
                        got.push(c.token.expose().clone());
                    }
                    got
                })
            })
            .collect();
        let mut all: Vec<String> = handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect();
        all.sort();
        let n = all.len();
        all.dedup();
        assert_eq!((n, all.len()), (20, 20));
        drop(s);
        let _ = std::fs::remove_file(&dir);
        Ok(())
    }

    #[test]
    fn tokens_survive_reopening_and_bad_input_is_typed() -> Result<()> {
        let path = std::env::temp_dir().join(format!("mpcs-reopen-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        SqliteStore::open(&path)?.put(&token("keep", 10_000))?;
        assert_eq!(SqliteStore::open(&path)?.available("binance", "u1", "tpl", 0)?, 1);
        let s = SqliteStore::open(&path)?;
        let mut bad = token("", 1);
        assert_eq!(s.put(&bad).err().map(|e| e.code()), Some(ErrorCode::InvalidArgument));
        bad = token("x", 1);
        bad.user_id = "u".repeat(MAX_ID_BYTES + 1);
        assert_eq!(s.put(&bad).err().map(|e| e.code()), Some(ErrorCode::InvalidArgument));
        let _ = std::fs::remove_file(&path);
        Ok(())
    }
}
