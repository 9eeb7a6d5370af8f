//! The simulator's state: users, issued tokens, the inbox, scripted faults, its clock.

use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

/// Data token lifetime (documented: 2 minutes).
pub const DATA_TOKEN_MS: u64 = 2 * 60 * 1000;
/// Push token lifetime (documented: 7 days).
pub const PUSH_TOKEN_MS: u64 = 7 * 24 * 60 * 60 * 1000;
/// Most tokens kept at once (older ones are dropped first): bounds the simulator's memory.
pub const MAX_TOKENS: usize = 100_000;
/// Most inbox messages kept.
pub const MAX_INBOX: usize = 1_000;

/// A simulated Binance user.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The open id this mini program sees.
    pub open_id: String,
    /// Phone number.
    pub phone_number: String,
    /// Email address.
    pub email: String,
    /// Refused all messages of the mini program (statusCode 900240).
    pub refuse_all: bool,
    /// Templates the user declined after subscribing (statusCode 900241).
    pub declined: HashSet<String>,
}

/// What a data token unlocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DataKind {
    /// `bn.getUserOpenId`
    OpenId,
    /// `bn.getPhoneNumber`
    PhoneNumber,
    /// `bn.getEmailAddress`
    Email,
}

pub(crate) struct DataToken {
    pub user: String,
    pub kind: DataKind,
    pub issued_ms: u64,
    pub used: bool,
}

pub(crate) struct PushToken {
    pub user: String,
    pub template: String,
    pub issued_ms: u64,
    pub used: bool,
}

/// One delivered message.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxMessage {
    /// The user it was delivered to.
    pub user_id: String,
    /// The template.
    pub template_id: String,
    /// The language.
    pub language: String,
    /// The page to open.
    pub path: Option<String>,
    /// The template parameters.
    pub parameters: Vec<serde_json::Value>,
    /// Simulator time of delivery (Unix ms).
    pub delivered_at: u64,
}

/// A scripted failure of getOpenData.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Fault {
    /// Answer code 900003.
    Unexpected,
    /// Answer HTTP 503 with a non-JSON body.
    Http503,
    /// Wait this many milliseconds first.
    Slow(u64),
    /// Answer a body that is not JSON.
    Malformed,
    /// Answer a body of 1 MiB.
    Oversized,
    /// Answer `userData` that is not base64url.
    BadUserData,
    /// Start a 200 answer and break the connection.
    Drop,
}

#[derive(Default)]
pub(crate) struct State {
    pub users: HashMap<String, User>,
    pub data_tokens: HashMap<String, DataToken>,
    pub push_tokens: HashMap<String, PushToken>,
    pub inbox: Vec<InboxMessage>,
    pub rate_limit: u32,
    pub faults: Vec<Fault>,
    pub clock_offset_ms: u64,
    pub calls: u64,
}

impl State {
    pub fn now_ms(&self) -> u64 {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        real + self.clock_offset_ms
    }

    /// The user, created with defaults derived from its id on first use.
    pub fn user(&mut self, id: &str) -> &mut User {
        self.users.entry(id.to_owned()).or_insert_with(|| User {
            open_id: format!("oid-{}", crate::random_token(9)),
            phone_number: "+971501234567".into(),
            email: format!("{}@example.com", id.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "")),
            refuse_all: false,
            declined: HashSet::new(),
        })
    }

    pub fn bound(&mut self) {
        if self.data_tokens.len() > MAX_TOKENS {
            let cut = self.now_ms().saturating_sub(DATA_TOKEN_MS);
            self.data_tokens.retain(|_, t| t.issued_ms > cut);
        }
        if self.push_tokens.len() > MAX_TOKENS {
            let cut = self.now_ms().saturating_sub(PUSH_TOKEN_MS);
            self.push_tokens.retain(|_, t| t.issued_ms > cut && !t.used);
        }
        if self.inbox.len() > MAX_INBOX {
            let extra = self.inbox.len() - MAX_INBOX;
            self.inbox.drain(..extra);
        }
    }
}
