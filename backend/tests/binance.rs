//! The reference backend with the Binance exchange, over real HTTP on 127.0.0.1: the
//! page's routes against the Binance Open Service simulator, the merchant send endpoint,
//! and the environment rules (a missing variable disables only what needs it).

mod support;

use mp_consent_backend::binance::BinanceSetup;
use mp_consent_binance_sim::state::DataKind;
use mp_consent_binance_sim::{Running, SimConfig, Simulator};
use mp_consent_server::binance::{BinanceClient, Config};
use mp_consent_server::{ReqwestClient, Secret, SqliteStore, SystemClock};
use rand_chacha::rand_core::SeedableRng;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};
use support::post;
use tokio::net::TcpListener;

const ADMIN: &str = "admin-key-test";

fn key() -> &'static rsa::PrivateKey {
    static KEY: OnceLock<rsa::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::PrivateKey::new(&mut rand_chacha::ChaCha8Rng::seed_from_u64(11), 2048).expect("keygen"))
}

fn pem() -> String {
    key().to_pkcs8_pem(LineEnding::LF).expect("pem").to_string()
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

struct Fixture {
    sim: Simulator,
    store: Arc<SqliteStore>,
    _sim_running: Running,
    addr: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start() -> Fixture {
    let sim = Simulator::new(SimConfig {
        app_id: "app".into(),
        access_key: "ak".into(),
        secret_key: "sk".into(),
        public_key: key().to_public_key(),
    });
    let running = sim.start(0).await.expect("sim");
    let config = Config::new("app", Secret::from("ak"), Secret::from("sk"), &pem())
        .and_then(|c| c.with_base_url(&running.url))
        .expect("config");
    let client =
        BinanceClient::with_parts(config, Arc::new(ReqwestClient::new().expect("http")), Arc::new(SystemClock));
    let store = Arc::new(SqliteStore::open_in_memory().expect("store"));
    let setup = BinanceSetup::new(client, store.clone(), Some(Secret::from(ADMIN)));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, mp_consent_backend::app_with(false, Some(setup))).await;
    });
    Fixture { sim, store, _sim_running: running, addr, task }
}

#[tokio::test]
async fn data_tokens_are_exchanged_and_answered_masked() {
    let f = start().await;
    let user = f.sim.user("u1");
    let token = f.sim.issue_data_token("u1", DataKind::OpenId);
    let body = json!({"dataToken": token, "obtainedAt": now()});
    let (st, answer) = post(&f.addr, "/consent/open-id", &[("Idempotency-Key", "k1")], &body).await;
    assert_eq!(st, 200, "{answer}");
    assert_eq!(answer["openId"], user.open_id);
    // Replay with the same key: the stored answer, no second platform call.
    let calls = f.sim.calls();
    let (st, again) = post(&f.addr, "/consent/open-id", &[("Idempotency-Key", "k1")], &body).await;
    assert_eq!((st, &again), (200, &answer));
    assert_eq!(f.sim.calls(), calls);

    let token = f.sim.issue_data_token("u1", DataKind::PhoneNumber);
    let (st, answer) =
        post(&f.addr, "/consent/phone-number", &[], &json!({"dataToken": token, "obtainedAt": now()})).await;
    assert_eq!(st, 200, "{answer}");
    let masked = answer["phoneNumber"].as_str().unwrap_or_default().to_owned();
    assert!(masked.contains('*') && masked.ends_with("4567") && masked != user.phone_number, "{masked}");

    let token = f.sim.issue_data_token("u1", DataKind::Email);
    let (st, answer) = post(&f.addr, "/consent/email", &[], &json!({"dataToken": token, "obtainedAt": now()})).await;
    assert_eq!(st, 200, "{answer}");
    assert_eq!(answer["email"], format!("{}***@example.com", &user.email[..1]));
}

#[tokio::test]
async fn platform_refusals_reach_the_page_typed() {
    let f = start().await;
    let token = f.sim.issue_data_token("u2", DataKind::OpenId);
    f.sim.advance_clock(121_000);
    let (st, answer) = post(&f.addr, "/consent/open-id", &[], &json!({"dataToken": token, "obtainedAt": now()})).await;
    assert_eq!(
        (st, answer["code"].as_str(), answer["platformCode"].as_str()),
        (410, Some("TOKEN_EXPIRED"), Some("900200"))
    );
    assert!(!answer.to_string().contains(&token), "no token in the answer");
    let (st, answer) =
        post(&f.addr, "/consent/open-id", &[], &json!({"dataToken": "unknown", "obtainedAt": now()})).await;
    assert_eq!((st, answer["platformCode"].as_str()), (409, Some("900201")));
}

#[tokio::test]
async fn subscriptions_are_stored_and_sent_once_by_the_merchant() {
    let f = start().await;
    let token = f.sim.issue_push_token("u3", "tpl");
    let body = json!({"subscriptions": [{"templateId": "tpl", "pushToken": token}]});
    let (st, answer) = post(&f.addr, "/consent/subscriptions", &[("X-Mpcb-User", "u3")], &body).await;
    assert_eq!((st, answer["stored"].as_u64()), (200, Some(1)), "{answer}");
    let send =
        json!({"userId": "u3", "templateId": "tpl", "language": "en", "parameters": [{"name": "n", "value": "v"}]});
    let (st, _) = post(&f.addr, "/merchant/binance/send", &[("Authorization", "Bearer wrong")], &send).await;
    assert_eq!(st, 401);
    let auth = format!("Bearer {ADMIN}");
    let (st, answer) = post(&f.addr, "/merchant/binance/send", &[("Authorization", auth.as_str())], &send).await;
    assert_eq!((st, answer["outcome"].as_str()), (200, Some("sent")), "{answer}");
    assert_eq!(f.sim.inbox().len(), 1);
    let (st, answer) = post(&f.addr, "/merchant/binance/send", &[("Authorization", auth.as_str())], &send).await;
    assert_eq!((st, answer["code"].as_str()), (404, Some("NO_PUSH_TOKEN")));
}

#[test]
fn missing_variables_disable_only_what_needs_them() {
    let (setup, lines) = BinanceSetup::from_env(|_| None);
    assert!(setup.is_none());
    assert!(lines[0].contains("MPCB_BINANCE_APP_ID, MPCB_BINANCE_ACCESS_KEY, MPCB_BINANCE_SECRET_KEY"), "{lines:?}");

    let env = |k: &str| match k {
        "MPCB_BINANCE_APP_ID" => Some("app".to_owned()),
        "MPCB_BINANCE_ACCESS_KEY" => Some("ak".to_owned()),
        "MPCB_BINANCE_SECRET_KEY" => Some("sk".to_owned()),
        _ => None,
    };
    let (setup, lines) = BinanceSetup::from_env(env);
    assert!(setup.as_ref().is_some_and(|s| !s.exchange_enabled()), "push only");
    assert!(
        lines.iter().any(|l| l.contains("getOpenData disabled (MPCB_BINANCE_PRIVATE_KEY_FILE not set)")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains("MPCB_ADMIN_KEY not set")));
    assert!(!lines.join("\n").contains("sk\n"));

    let file = std::env::temp_dir().join(format!("mpcb-backend-key-{}.pem", std::process::id()));
    std::fs::write(&file, pem()).expect("write key");
    let path = file.to_string_lossy().into_owned();
    let (setup, lines) = BinanceSetup::from_env(|k| match k {
        "MPCB_BINANCE_PRIVATE_KEY_FILE" => Some(path.clone()),
        "MPCB_BINANCE_BASE_URL" => Some("http://127.0.0.1:9".into()),
        "MPCB_ADMIN_KEY" => Some("a".into()),
        k => env(k),
    });
    let _ = std::fs::remove_file(&file);
    assert!(setup.is_some_and(|s| s.exchange_enabled()), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("getOpenData and push messages enabled via http://127.0.0.1:9")),
        "{lines:?}"
    );

    let (setup, lines) =
        BinanceSetup::from_env(
            |k| if k == "MPCB_BINANCE_BASE_URL" { Some("http://example.com".into()) } else { env(k) },
        );
    assert!(setup.is_none() && lines.iter().any(|l| l.contains("base URL")), "{lines:?}");
}

#[test]
fn the_binary_prints_listening_first_with_or_without_binance() {
    for with_binance in [false, true] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mp-consent-backend"));
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null());
        for k in [
            "MPCB_BINANCE_APP_ID",
            "MPCB_BINANCE_ACCESS_KEY",
            "MPCB_BINANCE_SECRET_KEY",
            "MPCB_BINANCE_PRIVATE_KEY_FILE",
            "MPCB_BINANCE_BASE_URL",
            "MPCB_ADMIN_KEY",
            "MPCB_PUSH_DB",
        ] {
            cmd.env_remove(k);
        }
        if with_binance {
            cmd.env("MPCB_BINANCE_APP_ID", "app")
                .env("MPCB_BINANCE_ACCESS_KEY", "ak")
                .env("MPCB_BINANCE_SECRET_KEY", "sk");
        }
        let mut child = cmd.spawn().expect("spawn backend");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let second = lines.next().and_then(Result::ok).unwrap_or_default();
        let _ = child.kill();
        let _ = child.wait();
        assert!(first.starts_with("listening on http://127.0.0.1:"), "{first}");
        assert!(second.starts_with("binance: "), "{second}");
    }
}

#[tokio::test]
async fn a_retry_during_a_slow_exchange_gets_the_same_answer_without_a_second_call() {
    let f = start().await;
    f.sim.push_faults(&[mp_consent_binance_sim::state::Fault::Slow(400)]);
    let token = f.sim.issue_data_token("u4", DataKind::OpenId);
    let body = json!({"dataToken": token, "obtainedAt": now()});
    let calls = f.sim.calls();
    let first = post(&f.addr, "/consent/open-id", &[("Idempotency-Key", "same")], &body);
    let retry = async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        post(&f.addr, "/consent/open-id", &[("Idempotency-Key", "same")], &body).await
    };
    let ((s1, a1), (s2, a2)) = tokio::join!(first, retry);
    assert_eq!((s1, s2), (200, 200), "{a1} {a2}");
    assert_eq!(a1, a2);
    assert_eq!(f.sim.calls() - calls, 1, "one exchange with the platform");
}

/// A token of one kind forwarded to another kind's route never answers its value raw.
#[tokio::test]
async fn a_token_on_another_kinds_route_is_refused_not_answered_raw() {
    let f = start().await;
    let user = f.sim.user("u9");
    let digits: String = user.phone_number.chars().filter(char::is_ascii_digit).collect();
    for (kind, route) in [
        (DataKind::PhoneNumber, "/consent/open-id"),
        (DataKind::PhoneNumber, "/consent/email"),
        (DataKind::Email, "/consent/open-id"),
        (DataKind::OpenId, "/consent/phone-number"),
    ] {
        let token = f.sim.issue_data_token("u9", kind);
        let (st, answer) = post(&f.addr, route, &[], &json!({"dataToken": token, "obtainedAt": now()})).await;
        assert_eq!((st, answer["code"].as_str()), (502, Some("DECRYPT_FAILED")), "{kind:?} on {route}: {answer}");
        let text = answer.to_string();
        assert!(!text.contains(&digits[3..]) && !text.contains(&user.email), "{text}");
    }
}

/// Expired push tokens (of any user) are purged by the backend as it takes new ones, and
/// never count against a user's per-template cap.
#[tokio::test]
async fn expired_push_tokens_are_purged_and_do_not_block_new_ones() {
    use mp_consent_server::binance::push;
    use mp_consent_server::store::MAX_TOKENS_PER_TEMPLATE;
    use mp_consent_server::PushTokenStore;
    let f = start().await;
    let eight_days_ago = now() - 8 * 24 * 3600 * 1000;
    for i in 0..MAX_TOKENS_PER_TEMPLATE {
        push::accept(f.store.as_ref(), "u4", "tpl", Secret::new(format!("old-{i}")), eight_days_ago).expect("old");
    }
    let token = f.sim.issue_push_token("u4", "tpl");
    let body = json!({"subscriptions": [{"templateId": "tpl", "pushToken": token}]});
    let (st, answer) = post(&f.addr, "/consent/subscriptions", &[("X-Mpcb-User", "u4")], &body).await;
    assert_eq!((st, answer["stored"].as_u64()), (200, Some(1)), "{answer}");
    assert_eq!(f.store.purge_expired(now()).expect("purge"), 0, "the backend already purged them");
}

/// A token exchanged inside its lifetime is answered even when the exchange ends after
/// it: the platform spent it, so refusing it then would only throw the data away.
#[tokio::test]
async fn an_exchange_that_ends_after_the_lifetime_still_answers() {
    let f = start().await;
    let user = f.sim.user("u5");
    let token = f.sim.issue_data_token("u5", DataKind::OpenId);
    f.sim.push_faults(&[mp_consent_binance_sim::state::Fault::Slow(1_500)]);
    let body = json!({"dataToken": token, "obtainedAt": now() - 119_000}); // 1 s left
    let (st, answer) = post(&f.addr, "/consent/open-id", &[("Idempotency-Key", "late")], &body).await;
    assert_eq!((st, answer["openId"].as_str()), (200, Some(user.open_id.as_str())), "{answer}");
}

/// A user header that cannot name a user is refused, never replaced by `demo-user`.
#[tokio::test]
async fn a_bad_user_header_is_refused_not_replaced() {
    let f = start().await;
    let long = "u".repeat(129);
    for user in [long.as_str(), "ann\u{e9}", ""] {
        let token = f.sim.issue_push_token("u6", "tpl");
        let body = json!({"subscriptions": [{"templateId": "tpl", "pushToken": token}]});
        let (st, answer) = post(&f.addr, "/consent/subscriptions", &[("X-Mpcb-User", user)], &body).await;
        assert_eq!((st, answer["code"].as_str()), (400, Some("INVALID_ARGUMENT")), "{user:?}: {answer}");
    }
    let demo = mp_consent_server::PushTokenStore::available(f.store.as_ref(), "binance", "demo-user", "tpl", now());
    assert_eq!(demo.expect("count"), 0, "nothing was stored under demo-user");
}

/// A base URL with credentials is refused and never printed; startup lines show at most
/// scheme://host:port.
#[test]
fn a_base_url_with_credentials_is_refused_and_never_printed() {
    let env = |url: &'static str| {
        move |k: &str| match k {
            "MPCB_BINANCE_APP_ID" => Some("app".to_owned()),
            "MPCB_BINANCE_ACCESS_KEY" => Some("ak".to_owned()),
            "MPCB_BINANCE_SECRET_KEY" => Some("sk".to_owned()),
            "MPCB_BINANCE_BASE_URL" => Some(url.to_owned()),
            _ => None,
        }
    };
    for url in ["https://:s3cret@h.example", "https://user:s3cret@h.example"] {
        let (setup, lines) = BinanceSetup::from_env(env(url));
        assert!(setup.is_none(), "{url}");
        assert!(!lines.join("\n").contains("s3cret"), "{lines:?}");
    }
    let (setup, lines) = BinanceSetup::from_env(env("http://127.0.0.1:9/some/path"));
    assert!(setup.is_some(), "{lines:?}");
    assert!(lines.iter().any(|l| l.ends_with("via http://127.0.0.1:9")), "{lines:?}");
}
