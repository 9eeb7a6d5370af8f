//! What the loopback platform simulators ([`crate::alipayplus::simulator`],
//! [`crate::wechat::simulator`]) share, so each keeps only its platform's rules: the
//! state behind the router (configuration, locked memory, movable clock), the scripted
//! fault queue, opaque values, the test endpoints
//! `POST /__sim/fault` and `POST /__sim/clock` (with CORS, for the host simulator pages),
//! and their binaries' command line and serving.

use crate::clock::Clock;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A scripted misbehaviour `kind` (each simulator's own enum, tagged `kind`) for the next
/// `times` calls of one API, or of all.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Fault<K> {
    /// What happens.
    #[serde(flatten)]
    pub kind: K,
    /// The API it applies to (the simulator's names), or absent for all.
    #[serde(default)]
    pub api: Option<String>,
    /// How many calls it applies to (1 to 100 over HTTP).
    pub times: u32,
}

/// The scripted faults, applied first-scripted first.
#[derive(Debug)]
pub struct Faults<K>(Vec<Fault<K>>);

impl<K> Default for Faults<K> {
    fn default() -> Self {
        Faults(Vec::new())
    }
}

impl<K: Clone> Faults<K> {
    /// Scripts one more fault.
    pub fn push(&mut self, fault: Fault<K>) {
        self.0.push(fault);
    }

    /// What the next call of `api` would get, without using it.
    pub fn next(&self, api: &str) -> Option<&K> {
        self.0.iter().find(|f| applies(f, api)).map(|f| &f.kind)
    }

    /// Takes one use of the first fault for `api`.
    pub fn take(&mut self, api: &str) -> Option<K> {
        let fault = self.0.iter_mut().find(|f| applies(f, api))?;
        fault.times -= 1;
        let kind = fault.kind.clone();
        self.0.retain(|f| f.times > 0);
        Some(kind)
    }

    /// Forgets every fault.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

fn applies<K>(f: &Fault<K>, api: &str) -> bool {
    f.times > 0 && f.api.as_deref().is_none_or(|a| a == api)
}

/// A fresh opaque value: `prefix`, the next `serial`, 16 random bytes in hex (unique within
/// this process even if the system RNG fails: the serial alone then tells them apart).
pub fn mint(serial: &mut u64, prefix: &str) -> String {
    *serial += 1;
    let mut bytes = [0u8; 16];
    let _ = getrandom::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{serial}{hex}")
}

/// A simulator's time: a base clock plus every advance asked for over HTTP (so tests age
/// codes and tokens without waiting).
pub struct SimClock {
    base: Arc<dyn Clock>,
    offset_ms: AtomicU64,
}

impl SimClock {
    /// `base`, not yet advanced.
    pub fn new(base: Arc<dyn Clock>) -> Self {
        SimClock { base, offset_ms: AtomicU64::new(0) }
    }

    /// Now, in ms since the epoch.
    pub fn now_ms(&self) -> u64 {
        self.base.now_ms().saturating_add(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Moves the time forward by `ms`.
    pub fn advance(&self, ms: u64) {
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

/// A simulator's memory, as far as the shared parts need it.
pub trait Memory: Default + Send + 'static {
    /// The simulator's fault kinds.
    type Kind: Clone + DeserializeOwned + Send;
    /// Its fault queue.
    fn faults(&mut self) -> &mut Faults<Self::Kind>;
}

/// A simulator's state behind its router: configuration `C`, memory `M`, movable clock.
pub struct Shared<C, M>(Arc<SharedParts<C, M>>);

/// What [`Shared`] holds.
pub struct SharedParts<C, M> {
    /// What the simulator was told at start.
    pub config: C,
    memory: Mutex<M>,
    /// The base clock plus every advance asked for over HTTP.
    pub clock: SimClock,
}

impl<C, M> Clone for Shared<C, M> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<C, M> std::ops::Deref for Shared<C, M> {
    type Target = SharedParts<C, M>;
    fn deref(&self) -> &SharedParts<C, M> {
        &self.0
    }
}

impl<C, M: Memory> Shared<C, M> {
    /// Fresh memory, time read from `base`.
    pub fn new(config: C, base: Arc<dyn Clock>) -> Self {
        Shared(Arc::new(SharedParts { config, memory: Mutex::new(M::default()), clock: SimClock::new(base) }))
    }

    /// The simulator's time (ages codes and tokens).
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// The memory, locked (a panicked holder left it usable: every change is one step).
    pub fn lock(&self) -> MutexGuard<'_, M> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Adds the headers the host simulator pages need to call the test endpoints.
pub fn cors(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert("access-control-allow-methods", HeaderValue::from_static("POST, GET, OPTIONS"));
    h.insert("access-control-allow-headers", HeaderValue::from_static("*"));
    r
}

/// CORS preflight answer.
pub async fn preflight() -> Response {
    cors(StatusCode::NO_CONTENT.into_response())
}

/// `GET /health`.
pub async fn health() -> Response {
    cors(Json(json!({"ok": true})).into_response())
}

/// A test endpoint's refusal: HTTP 400 `{error}`.
pub fn bad(message: &str) -> Response {
    cors((StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response())
}

/// A test endpoint's optional JSON body: the default when empty, `None` when not `T`.
pub fn json_or_default<T: DeserializeOwned + Default>(body: &[u8]) -> Option<T> {
    if body.is_empty() {
        Some(T::default())
    } else {
        serde_json::from_slice(body).ok()
    }
}

/// `POST /__sim/fault` with a [`Fault`] (times 1 to 100).
pub async fn add_fault<C, M: Memory>(State(s): State<Shared<C, M>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Fault<M::Kind>>(&body) {
        Ok(f) if f.times > 0 && f.times <= 100 => {
            s.lock().faults().push(f);
            cors(Json(json!({"ok": true})).into_response())
        }
        Ok(_) => bad("times must be 1 to 100"),
        Err(e) => bad(&format!("not a fault: {e}")),
    }
}

/// Body of `POST /__sim/clock`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClockMove {
    advance_ms: u64,
}

/// `POST /__sim/clock` `{advanceMs}` → `{ok, nowMs}`.
pub async fn move_clock<C, M>(State(s): State<Shared<C, M>>, body: Bytes) -> Response {
    match serde_json::from_slice::<ClockMove>(&body) {
        Ok(m) => {
            s.clock.advance(m.advance_ms);
            cors(Json(json!({"ok": true, "nowMs": s.clock.now_ms()})).into_response())
        }
        Err(_) => bad("expected {\"advanceMs\": N}"),
    }
}

/// A simulator binary's command line: `--flag value` pairs and `--port N`.
pub struct Args {
    name: &'static str,
    usage: &'static str,
    values: HashMap<&'static str, String>,
    /// The port to listen on (0, the default: a free one).
    pub port: u16,
}

impl Args {
    /// Reads the process's arguments; `flags` are the accepted ones besides `--port`.
    pub fn parse(name: &'static str, usage: &'static str, flags: &[&'static str]) -> Args {
        let mut parsed = Args { name, usage, values: HashMap::new(), port: 0 };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().unwrap_or_else(|| parsed.fail(&format!("{arg} needs a value")));
            if arg == "--port" {
                let port = value().parse().unwrap_or_else(|_| parsed.fail("--port takes a number"));
                parsed.port = port;
            } else if let Some(flag) = flags.iter().find(|f| **f == arg) {
                let v = value();
                parsed.values.insert(flag, v);
            } else {
                parsed.fail(&format!("unknown argument {arg}"));
            }
        }
        parsed
    }

    /// The value of `flag`, if given.
    pub fn get(&self, flag: &str) -> Option<String> {
        self.values.get(flag).cloned()
    }

    /// The value of `flag`, or exit: "`flag` is required".
    pub fn required(&self, flag: &str) -> String {
        self.get(flag).unwrap_or_else(|| self.fail(&format!("{flag} is required")))
    }

    /// Prints `name: message` and the usage on stderr and exits with status 2.
    pub fn fail(&self, message: &str) -> ! {
        eprintln!("{}: {message}", self.name);
        eprintln!("usage: {}", self.usage);
        std::process::exit(2);
    }

    /// Serves `router` on 127.0.0.1 at the port asked for, printing
    /// `listening on http://127.0.0.1:PORT` first, until Ctrl-C.
    pub async fn serve(&self, router: Router) {
        let port = self.port;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| self.fail(&format!("cannot bind 127.0.0.1:{port}: {e}")));
        let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
        println!("listening on http://{addr}");
        let _ = std::io::stdout().flush();
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        if let Err(e) = axum::serve(listener, router).with_graceful_shutdown(shutdown).await {
            self.fail(&format!("server error: {e}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(kind: &str, api: Option<&str>, times: u32) -> Fault<String> {
        Fault { kind: kind.into(), api: api.map(str::to_owned), times }
    }

    #[test]
    fn faults_apply_in_order_to_their_api_for_their_count() {
        let mut faults = Faults::default();
        faults.push(fault("a", Some("x"), 2));
        faults.push(fault("b", None, 1));
        assert_eq!(faults.next("y"), Some(&"b".to_owned()));
        assert_eq!(faults.next("y"), Some(&"b".to_owned()), "next does not use the fault");
        assert_eq!(faults.take("x").as_deref(), Some("a"));
        assert_eq!(faults.take("y").as_deref(), Some("b"));
        assert_eq!(faults.take("y"), None, "b was for one call");
        assert_eq!(faults.take("x").as_deref(), Some("a"));
        assert_eq!(faults.take("x"), None, "a was for two calls");
    }

    #[test]
    fn minted_values_are_distinct_and_prefixed() {
        let mut serial = 0;
        let (a, b) = (mint(&mut serial, "AT"), mint(&mut serial, "AT"));
        assert!(a.starts_with("AT1") && b.starts_with("AT2") && a != b);
        assert_eq!(a.len(), "AT1".len() + 32);
    }

    #[test]
    fn the_clock_moves_only_forward_by_what_is_asked() {
        let clock = SimClock::new(Arc::new(crate::clock::ManualClock::new(1_000)));
        clock.advance(500);
        assert_eq!(clock.now_ms(), 1_500);
    }
}
