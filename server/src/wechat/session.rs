//! Merchant sessions after `code2Session`, and the subscription grants a user gave, in
//! the same SQLite database as the push tokens.
//!
//! A session is an opaque random id (the only thing the page gets) mapped to the openid,
//! the unionid and the `session_key`; the database keeps a SHA-256 of the id, reusing the
//! Alipay+ session helpers. A grant is one accepted template: WeChat lets the merchant
//! send one message per one-time accept, so grants are counted and each send spends one
//! (two-phase like push tokens would be overkill here: a send that fails before reaching
//! WeChat gives its grant back).

use crate::alipayplus::session::{id_hash, new_session_id, to_i64};
use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use crate::store::{check_id, SqliteStore};
use rusqlite::{params, Connection, OptionalExtension};

/// How long a WeChat session lasts (assumed: WeChat does not document the
/// `session_key` lifetime; one day is this crate's choice).
pub const SESSION_LIFETIME_MS: u64 = 24 * 60 * 60 * 1000;
/// Most unspent grants kept per user and template (a bound on what a page can make the
/// server store).
pub const MAX_GRANTS_PER_TEMPLATE: i64 = 64;

/// One session. The `session_key` is a [`Secret`].
#[derive(Debug, Clone)]
pub struct WechatSession {
    /// The user's openid.
    pub openid: String,
    /// The unionid, when WeChat sent one.
    pub unionid: Option<String>,
    /// The session key (never sent to the page).
    pub session_key: Secret<String>,
}

/// Where WeChat sessions and grants live.
pub trait WechatStore: Send + Sync {
    /// Stores a new session; returns its id (base64url, 43 characters).
    fn create_wechat_session(&self, session: &WechatSession, now_ms: u64) -> Result<Secret<String>>;
    /// The session, if it exists and has not expired.
    fn wechat_session(&self, id: &str, now_ms: u64) -> Result<Option<WechatSession>>;
    /// Records one accepted template for `openid`.
    fn add_grant(&self, openid: &str, template_id: &str) -> Result<()>;
    /// Takes one grant for `openid` and `template_id`; `false` when there is none.
    fn take_grant(&self, openid: &str, template_id: &str) -> Result<bool>;
    /// Gives a grant back (the send never reached WeChat).
    fn return_grant(&self, openid: &str, template_id: &str) -> Result<()>;
    /// How many grants `openid` has for `template_id`.
    fn grants(&self, openid: &str, template_id: &str) -> Result<i64>;
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS wechat_sessions (
    id_hash TEXT PRIMARY KEY,
    openid TEXT NOT NULL,
    unionid TEXT,
    session_key TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS wechat_grants (
    openid TEXT NOT NULL,
    template_id TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (openid, template_id)
);
";

/// Creates the tables (called when the store opens).
pub(crate) fn init_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)
}

fn store_error(e: rusqlite::Error) -> Error {
    Error::new(
        ErrorCode::Store,
        format!("the WeChat session database failed ({e}); check its file, disk and permissions"),
    )
}

impl WechatStore for SqliteStore {
    fn create_wechat_session(&self, s: &WechatSession, now_ms: u64) -> Result<Secret<String>> {
        check_id("openid", &s.openid)?;
        let id = new_session_id()?;
        self.conn()
            .execute(
                "INSERT INTO wechat_sessions (id_hash, openid, unionid, session_key, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id_hash(id.expose()),
                    s.openid,
                    s.unionid,
                    s.session_key.expose(),
                    to_i64(now_ms.saturating_add(SESSION_LIFETIME_MS))
                ],
            )
            .map_err(store_error)?;
        Ok(id)
    }

    fn wechat_session(&self, id: &str, now_ms: u64) -> Result<Option<WechatSession>> {
        if id.is_empty() || id.len() > 128 {
            return Ok(None);
        }
        self.conn()
            .query_row(
                "SELECT openid, unionid, session_key FROM wechat_sessions WHERE id_hash = ?1 AND expires_at_ms > ?2",
                params![id_hash(id), to_i64(now_ms)],
                |row| {
                    Ok(WechatSession {
                        openid: row.get(0)?,
                        unionid: row.get(1)?,
                        session_key: Secret::new(row.get(2)?),
                    })
                },
            )
            .optional()
            .map_err(store_error)
    }

    fn add_grant(&self, openid: &str, template_id: &str) -> Result<()> {
        check_id("openid", openid)?;
        check_id("template id", template_id)?;
        let changed = self
            .conn()
            .execute(
                "INSERT INTO wechat_grants (openid, template_id, count) VALUES (?1, ?2, 1)
                 ON CONFLICT (openid, template_id) DO UPDATE SET count = count + 1 WHERE count < ?3",
                params![openid, template_id, MAX_GRANTS_PER_TEMPLATE],
            )
            .map_err(store_error)?;
        if changed == 0 {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("this user already has {MAX_GRANTS_PER_TEMPLATE} unspent grants for this template"),
            ));
        }
        Ok(())
    }

    fn take_grant(&self, openid: &str, template_id: &str) -> Result<bool> {
        // One statement: two concurrent sends never spend the same grant.
        let changed = self
            .conn()
            .execute(
                "UPDATE wechat_grants SET count = count - 1 WHERE openid = ?1 AND template_id = ?2 AND count > 0",
                params![openid, template_id],
            )
            .map_err(store_error)?;
        Ok(changed == 1)
    }

    fn return_grant(&self, openid: &str, template_id: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE wechat_grants SET count = count + 1 WHERE openid = ?1 AND template_id = ?2",
                params![openid, template_id],
            )
            .map_err(store_error)?;
        Ok(())
    }

    fn grants(&self, openid: &str, template_id: &str) -> Result<i64> {
        self.conn()
            .query_row(
                "SELECT count FROM wechat_grants WHERE openid = ?1 AND template_id = ?2",
                params![openid, template_id],
                |r| r.get(0),
            )
            .optional()
            .map(|n| n.unwrap_or(0))
            .map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_and_grants_are_counted() -> Result<()> {
        let s = SqliteStore::open_in_memory()?;
        let session = WechatSession { openid: "o1".into(), unionid: None, session_key: Secret::from("sk") };
        let id = s.create_wechat_session(&session, 1_000)?;
        assert_eq!(s.wechat_session(id.expose(), 2_000)?.map(|x| x.openid).as_deref(), Some("o1"));
        assert!(s.wechat_session(id.expose(), 1_000 + SESSION_LIFETIME_MS)?.is_none());
        assert!(s.wechat_session("unknown", 2_000)?.is_none());
        assert!(!s.take_grant("o1", "t")?);
        s.add_grant("o1", "t")?;
        s.add_grant("o1", "t")?;
        assert!(s.take_grant("o1", "t")? && s.take_grant("o1", "t")? && !s.take_grant("o1", "t")?);
        s.return_grant("o1", "t")?;
        assert_eq!(s.grants("o1", "t")?, 1);
        Ok(())
    }
}
