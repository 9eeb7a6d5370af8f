//! The simulator's configuration, memory (tokens, codes, grants, sent messages, faults)
//! and clock.

use crate::clock::{Clock, SystemClock};
use crate::sim_kit::{self, Faults, Memory};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// Login and phone code lifetime (documented: 5 minutes).
pub const CODE_LIFETIME_MS: u64 = 5 * 60_000;
/// Access token lifetime (documented: 7200 s).
pub const TOKEN_LIFETIME_SECS: u64 = 7200;
/// Normal mode issues a new token when less than this is left (assumed).
pub const RENEW_WINDOW_MS: u64 = 5 * 60_000;
/// Most codes, tokens and messages kept (all dropped when full: bounded memory).
pub const MAX_ENTRIES: usize = 10_000;

/// What the simulator is told at start.
pub struct SimConfig {
    /// The mini program's app id.
    pub app_id: String,
    /// Its app secret.
    pub app_secret: String,
    /// The simulator's clock (code and token lifetimes).
    pub clock: Arc<dyn Clock>,
}

impl SimConfig {
    /// A configuration on the system clock.
    pub fn new(app_id: &str, app_secret: &str) -> Self {
        SimConfig { app_id: app_id.into(), app_secret: app_secret.into(), clock: Arc::new(SystemClock) }
    }

    /// Another clock (tests: a [`ManualClock`](crate::clock::ManualClock)).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// The openid the simulator gives `user` in app `app_id` (28 characters, like WeChat's).
pub fn openid_of(app_id: &str, user: &str) -> String {
    let digest = Sha256::digest(format!("{app_id}:{user}").as_bytes());
    let mut id = String::from("o");
    id.extend(URL_SAFE_NO_PAD.encode(digest).chars().take(27));
    id
}

/// A scripted misbehaviour.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum FaultKind {
    /// `{errcode: -1, errmsg: "system error"}` without processing.
    Busy,
    /// `45011` without processing.
    RateLimit,
    /// `42001` without processing (the APIs that take an access token).
    ExpiredToken,
    /// Any errcode without processing.
    Errcode {
        /// The errcode.
        errcode: i64,
        /// The errmsg.
        #[serde(default)]
        errmsg: Option<String>,
    },
    /// Process normally, but put another app's id in the phone number's watermark.
    ForeignWatermark,
    /// HTTP 500 with a plain body, without processing.
    Http500,
    /// Wait this long (at most 30 s), then process normally.
    Slow {
        /// Milliseconds.
        ms: u64,
    },
}

/// A fault for the next `times` calls of one API: `stable_token`, `jscode2session`,
/// `getuserphonenumber`, `send`, or absent for all.
pub type Fault = sim_kit::Fault<FaultKind>;

/// An issued login code.
pub struct LoginCode {
    pub openid: String,
    pub unionid: Option<String>,
    pub blocked: bool,
    pub expires_at_ms: u64,
    pub used: bool,
}

/// An issued phone code.
pub struct PhoneCode {
    pub phone_number: String,
    pub country_code: String,
    pub expires_at_ms: u64,
    pub used: bool,
}

/// A message the simulator accepted.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentMessage {
    pub msgid: u64,
    pub touser: String,
    pub template_id: String,
    pub page: Option<String>,
    pub data: serde_json::Value,
}

/// What the simulator remembers.
#[derive(Default)]
pub struct Inner {
    /// Valid access tokens and their expiry (ms).
    pub tokens: HashMap<String, u64>,
    /// The token normal mode hands out.
    pub current: Option<String>,
    pub login_codes: HashMap<String, LoginCode>,
    pub phone_codes: HashMap<String, PhoneCode>,
    /// openids issued through login codes (send refuses others).
    pub users: HashMap<String, ()>,
    /// (openid, template id) -> unspent accepts.
    pub grants: HashMap<(String, String), u32>,
    pub sent: Vec<SentMessage>,
    pub faults: Faults<FaultKind>,
    /// API name -> calls received.
    pub calls: HashMap<String, u64>,
    pub forced_refreshes: u64,
    pub serial: u64,
}

impl Inner {
    /// A fresh opaque value with a prefix.
    pub fn mint(&mut self, prefix: &str) -> String {
        sim_kit::mint(&mut self.serial, prefix)
    }

    /// Keeps memory bounded.
    pub fn bound(&mut self) {
        if self.login_codes.len() > MAX_ENTRIES {
            self.login_codes.clear();
        }
        if self.phone_codes.len() > MAX_ENTRIES {
            self.phone_codes.clear();
        }
        if self.tokens.len() > MAX_ENTRIES {
            let current = self.current.clone();
            self.tokens.retain(|t, _| Some(t) == current.as_ref());
        }
        if self.sent.len() > MAX_ENTRIES {
            self.sent.drain(..MAX_ENTRIES / 2);
        }
        if self.grants.len() > MAX_ENTRIES {
            self.grants.clear();
        }
        if self.users.len() > MAX_ENTRIES {
            self.users.clear();
        }
    }
}

impl Memory for Inner {
    type Kind = FaultKind;
    fn faults(&mut self) -> &mut Faults<FaultKind> {
        &mut self.faults
    }
}

/// Shared state behind the router.
pub type Shared = sim_kit::Shared<SimConfig, Inner>;
