//! A Binance Open Service simulator, loopback only, for tests and the demo.
//!
//! It plays the platform's side of the merchant flows: issues data tokens (2 minutes,
//! single use) and push tokens (7 days, single use) to the host simulator's `bn`,
//! verifies `X-Mp-Open-Api-Token` exactly (see [`verify`]), answers `getOpenData` with
//! `userData` encrypted (RSA PKCS#1 v1.5) under the merchant's public key, and delivers
//! `sendPushMessage` into an inbox, with the documented codes and statuses. It can be
//! told to rate-limit, to have a user refuse, to fail (for retry tests), and to move its
//! clock forward (for lifetimes).
//!
//! Platform routes: `GET /mp-api/v1/apps/{appId}/user-open-data?openData=…`,
//! `POST /mp-api/v1/apps/{appId}/message/send`. Control routes (CORS-enabled, for tests
//! and the host simulator page) live under `/__sim/`: see [`admin`].
//!
//! Plaintext formats are assumed (undocumented): the open id as `{"openId": …}`, the
//! email as `{"email": …}`, the phone number as bare text — both shapes the server crate
//! must read.

pub mod admin;
mod platform;
pub mod state;
pub mod verify;

use axum::Router;
use base64::Engine as _;
use rsa::PublicKey;
use state::{DataKind, DataToken, Fault, InboxMessage, PushToken, State, User};
use std::sync::{Arc, Mutex, MutexGuard};

/// What the simulated platform knows about the merchant.
#[derive(Clone)]
pub struct SimConfig {
    /// The mini program's app id.
    pub app_id: String,
    /// The merchant's access key.
    pub access_key: String,
    /// The merchant's secret key.
    pub secret_key: String,
    /// The public key the merchant uploaded.
    pub public_key: PublicKey,
}

/// A simulator: shared state plus configuration. Clones share the state.
#[derive(Clone)]
pub struct Simulator {
    pub(crate) config: Arc<SimConfig>,
    pub(crate) state: Arc<Mutex<State>>,
}

/// A random URL-safe token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // getrandom only fails when the OS has no entropy source at all.
    if getrandom::fill(&mut buf).is_err() {
        buf.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A running simulator; stops when dropped.
pub struct Running {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Simulator {
    /// A simulator with no users and no tokens.
    pub fn new(config: SimConfig) -> Self {
        Simulator { config: Arc::new(config), state: Arc::new(Mutex::new(State::default())) }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Platform and control routes.
    pub fn router(&self) -> Router {
        platform::routes(self.clone()).merge(admin::routes(self.clone()))
    }

    /// Serves on `127.0.0.1:port` (0: a free port) in the current tokio runtime.
    pub async fn start(&self, port: u16) -> std::io::Result<Running> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = self.router();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Running { url, shutdown: Some(tx) })
    }

    /// Creates or updates a user.
    pub fn set_user(&self, id: &str, update: impl FnOnce(&mut User)) -> User {
        let mut s = self.lock();
        let user = s.user(id);
        update(user);
        user.clone()
    }

    /// The user (created with defaults on first use).
    pub fn user(&self, id: &str) -> User {
        self.lock().user(id).clone()
    }

    /// Issues a data token for `user` (what `bn.getPhoneNumber` & co. hand the page).
    pub fn issue_data_token(&self, user: &str, kind: DataKind) -> String {
        let token = random_token(24);
        let mut s = self.lock();
        s.user(user);
        let issued_ms = s.now_ms();
        s.data_tokens.insert(token.clone(), DataToken { user: user.to_owned(), kind, issued_ms, used: false });
        s.bound();
        token
    }

    /// Issues a push token for `user` and `template` (an accepted subscribe prompt).
    pub fn issue_push_token(&self, user: &str, template: &str) -> String {
        let token = random_token(24);
        let mut s = self.lock();
        s.user(user);
        let issued_ms = s.now_ms();
        s.push_tokens.insert(
            token.clone(),
            PushToken { user: user.to_owned(), template: template.to_owned(), issued_ms, used: false },
        );
        s.bound();
        token
    }

    /// The next `times` sends answer 900231.
    pub fn rate_limit(&self, times: u32) {
        self.lock().rate_limit = times;
    }

    /// The next getOpenData calls fail with these faults, in order.
    pub fn push_faults(&self, faults: &[Fault]) {
        self.lock().faults.extend_from_slice(faults);
    }

    /// Moves the simulator's clock forward.
    pub fn advance_clock(&self, ms: u64) {
        self.lock().clock_offset_ms += ms;
    }

    /// Delivered messages, oldest first.
    pub fn inbox(&self) -> Vec<InboxMessage> {
        self.lock().inbox.clone()
    }

    /// How many platform calls arrived (signed or not).
    pub fn calls(&self) -> u64 {
        self.lock().calls
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }
}
