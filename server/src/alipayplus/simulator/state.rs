//! The simulator's configuration, its memory (codes, tokens, faults, what it received)
//! and its movable clock.

use crate::alipayplus::config::{DEFAULT_APPLY_TOKEN_PATH, DEFAULT_INQUIRY_USER_INFO_PATH};
use crate::alipayplus::sign::{RsaSigner, RsaVerifier};
use crate::sim_kit::{self, Faults, Memory};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Auth code lifetime (ms).
pub const CODE_LIFETIME_MS: u64 = 10 * 60_000;
/// Access token lifetime (ms).
pub const ACCESS_LIFETIME_MS: u64 = 60 * 60_000;
/// Refresh token lifetime (ms).
pub const REFRESH_LIFETIME_MS: u64 = 30 * 24 * 60 * 60_000;
/// How far `Request-Time` may be from the simulator's clock (ms): assumed, the platform
/// documents no window.
pub const REQUEST_TIME_WINDOW_MS: u64 = 5 * 60_000;
/// Most codes, tokens and received requests kept (oldest dropped first).
pub const MAX_ENTRIES: usize = 10_000;

/// What the simulator is told at start.
#[derive(Debug)]
pub struct SimConfig {
    /// The merchant's client id.
    pub client_id: String,
    /// The merchant's public key and the key version its signatures must name.
    pub merchant_key: RsaVerifier,
    /// The key version the merchant's `Signature` header must carry.
    pub merchant_key_version: String,
    /// The platform's private key (signs answers).
    pub platform_key: RsaSigner,
    /// Path of `applyToken`.
    pub apply_token_path: String,
    /// Path of `inquiryUserInfo`.
    pub inquiry_user_info_path: String,
}

impl SimConfig {
    /// A configuration with the documented v2 paths.
    pub fn new(client_id: &str, merchant_key: RsaVerifier, key_version: &str, platform_key: RsaSigner) -> Self {
        SimConfig {
            client_id: client_id.into(),
            merchant_key,
            merchant_key_version: key_version.into(),
            platform_key,
            apply_token_path: DEFAULT_APPLY_TOKEN_PATH.into(),
            inquiry_user_info_path: DEFAULT_INQUIRY_USER_INFO_PATH.into(),
        }
    }
}

/// A scripted misbehaviour.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum FaultKind {
    /// Answer `U` with this code (default `UNKNOWN_EXCEPTION`) without processing.
    #[serde(rename_all = "camelCase")]
    Unknown {
        /// The `resultCode` to answer.
        #[serde(default)]
        result_code: Option<String>,
    },
    /// Answer `F` with this code without processing.
    #[serde(rename_all = "camelCase")]
    Failure {
        /// The `resultCode` to answer.
        result_code: String,
    },
    /// Process normally, then sign something else (the signature will not verify).
    BadSignature,
    /// Process normally and send no `Signature` header.
    Unsigned,
    /// Answer HTTP 500 with a plain body and no signature, without processing.
    Http500,
    /// Answer a correctly signed body that is not JSON, without processing.
    Malformed,
    /// Wait this long (at most 30 s), then process normally.
    #[serde(rename_all = "camelCase")]
    Slow {
        /// Milliseconds to wait.
        ms: u64,
    },
}

/// A fault applied to the next `times` calls of `applyToken`, `inquiryUserInfo`, or
/// (api absent) both.
pub type Fault = sim_kit::Fault<FaultKind>;

/// A request as received (for tests: same body on retries, headers as sent).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    /// `applyToken` or `inquiryUserInfo`.
    pub api: String,
    /// The raw body.
    pub body: String,
    /// The `Request-Time` header.
    pub request_time: Option<String>,
    /// The `Signature` header.
    pub signature: Option<String>,
    /// The result code answered.
    pub result_code: String,
}

/// An issued auth code.
#[derive(Clone, Debug)]
pub struct CodeEntry {
    pub user_id: String,
    pub scopes: Vec<String>,
    pub expires_at_ms: u64,
    pub used: bool,
}

/// An issued access or refresh token.
#[derive(Clone, Debug)]
pub struct TokenEntry {
    pub user_id: String,
    pub scopes: Vec<String>,
    pub expires_at_ms: u64,
    pub used: bool,
}

/// What the simulator remembers.
#[derive(Default)]
pub struct Inner {
    pub codes: HashMap<String, CodeEntry>,
    pub access: HashMap<String, TokenEntry>,
    pub refresh: HashMap<String, TokenEntry>,
    pub faults: Faults<FaultKind>,
    pub received: Vec<Received>,
    pub serial: u64,
}

impl Inner {
    /// A fresh opaque value with a prefix (unique within this process).
    pub fn mint(&mut self, prefix: &str) -> String {
        sim_kit::mint(&mut self.serial, prefix)
    }

    /// Drops the oldest half of a map when it is full (bounded memory).
    pub fn bound(&mut self) {
        for map in [&mut self.access, &mut self.refresh] {
            if map.len() > MAX_ENTRIES {
                map.clear();
            }
        }
        if self.codes.len() > MAX_ENTRIES {
            self.codes.clear();
        }
        if self.received.len() > MAX_ENTRIES {
            self.received.drain(..MAX_ENTRIES / 2);
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
