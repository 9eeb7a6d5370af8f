//! The Binance flows over real HTTP on 127.0.0.1 against the Open Service simulator,
//! which verifies every JWT and enforces lifetimes and single use: every outcome the
//! client can meet.

use mp_consent_binance_sim::state::{DataKind, Fault};
use mp_consent_binance_sim::{Running, SimConfig, Simulator};
use mp_consent_server::binance::{self, BinanceClient, Config, Parameter, PushMessage, PushOutcome};
use mp_consent_server::clock::{Clock, ManualClock, SystemClock};
use mp_consent_server::{ErrorCode, PushTokenStore, ReqwestClient, Secret, SqliteStore};
use rand_chacha::rand_core::SeedableRng;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

const APP: &str = "app-test";
const AK: &str = "ak-test";
const SK: &str = "sk-test-secret";

/// One merchant key pair per test binary (generation is the slow part).
fn merchant_key() -> &'static rsa::PrivateKey {
    static KEY: OnceLock<rsa::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        rsa::PrivateKey::new(&mut rng, 2048).unwrap_or_else(|e| panic!("keygen: {e}"))
    })
}

fn pem() -> String {
    merchant_key().to_pkcs8_pem(LineEnding::LF).unwrap_or_else(|e| panic!("pem: {e}")).to_string()
}

async fn simulator() -> (Simulator, Running) {
    let sim = Simulator::new(SimConfig {
        app_id: APP.into(),
        access_key: AK.into(),
        secret_key: SK.into(),
        public_key: merchant_key().to_public_key(),
    });
    let running = sim.start(0).await.unwrap_or_else(|e| panic!("start: {e}"));
    (sim, running)
}

fn client_with(url: &str, ak: &str, sk: &str, clock: Arc<dyn Clock>) -> BinanceClient {
    let mut config = Config::new(APP, Secret::from(ak), Secret::from(sk), &pem())
        .and_then(|c| c.with_base_url(url))
        .unwrap_or_else(|e| panic!("config: {e}"));
    config.backoff = Duration::from_millis(10);
    config.timeout = Duration::from_secs(2);
    let http = ReqwestClient::new().unwrap_or_else(|e| panic!("http: {e}"));
    BinanceClient::with_parts(config, Arc::new(http), clock)
}

fn client(url: &str) -> BinanceClient {
    client_with(url, AK, SK, Arc::new(SystemClock))
}

fn text(s: Option<Secret<String>>) -> String {
    s.map(|s| s.expose().clone()).unwrap_or_default()
}

#[tokio::test]
async fn open_id_phone_and_email_decrypt() {
    let (sim, running) = simulator().await;
    let c = client(&running.url);
    let user = sim.user("alice");
    let t = sim.issue_data_token("alice", DataKind::OpenId);
    let data = c.get_open_data(&t, None).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(data.value, binance::OpenDataValue::Object(_)));
    assert_eq!(text(data.get(binance::OpenDataKind::OpenId).ok()), user.open_id);
    let t = sim.issue_data_token("alice", DataKind::PhoneNumber);
    let data = c.get_open_data(&t, None).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(data.value, binance::OpenDataValue::Text(_)));
    assert_eq!(data.raw.expose(), &user.phone_number);
    let t = sim.issue_data_token("alice", DataKind::Email);
    let data = c.get_open_data(&t, None).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text(data.get(binance::OpenDataKind::Email).ok()), user.email);
}

#[tokio::test]
async fn data_tokens_are_single_use_and_expire() {
    let (sim, running) = simulator().await;
    let c = client(&running.url);
    let t = sim.issue_data_token("bob", DataKind::OpenId);
    assert!(c.get_open_data(&t, None).await.is_ok());
    let e = c.get_open_data(&t, None).await.err().unwrap_or_else(|| panic!("reuse accepted"));
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::TokenInvalid, Some("900201")));
    assert!(!e.to_string().contains(&t), "the token must not appear in the error");

    let t = sim.issue_data_token("bob", DataKind::OpenId);
    sim.advance_clock(121_000);
    let late = client_with(&running.url, AK, SK, Arc::new(ManualClock::new(SystemClock.now_ms() + 121_000)));
    let e = late.get_open_data(&t, None).await.err().unwrap_or_else(|| panic!("expired accepted"));
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::TokenExpired, Some("900200")));

    let unknown = c.get_open_data("no-such-token", None).await.err().map(|e| e.platform_code().map(str::to_owned));
    assert_eq!(unknown, Some(Some("900201".into())));

    // Known to be too old locally: refused without a call.
    let before = sim.calls();
    let old = SystemClock.now_ms() - 130_000;
    let e = c.get_open_data("whatever", Some(old)).await.err().map(|e| (e.code(), e.platform_code().is_none()));
    assert_eq!(e, Some((ErrorCode::TokenExpired, true)));
    assert_eq!(sim.calls(), before);
}

#[tokio::test]
async fn wrong_credentials_and_clock_skew_fail_authentication() {
    let (sim, running) = simulator().await;
    for (ak, sk, skew) in [(AK, "wrong-sk", 0i64), ("wrong-ak", SK, 0), (AK, SK, -600_000), (AK, SK, 600_000)] {
        let clock = ManualClock::new(SystemClock.now_ms().saturating_add_signed(skew));
        let c = client_with(&running.url, ak, sk, Arc::new(clock));
        let t = sim.issue_data_token("carol", DataKind::OpenId);
        let e = c.get_open_data(&t, None).await.err().unwrap_or_else(|| panic!("accepted {ak} {skew}"));
        assert_eq!((e.code(), e.platform_code()), (ErrorCode::AuthFailed, Some("900002")), "{ak} {skew}");
        assert!(e.message().contains("MPCB_BINANCE_SECRET_KEY"), "the message says what to check");
        assert!(!e.to_string().contains(sk) && !e.to_string().contains(&t));
        // The token was not spent by the refused call.
        assert!(client(&running.url).get_open_data(&t, None).await.is_ok());
    }
}

#[tokio::test]
async fn transient_failures_are_retried_within_bounds() {
    let (sim, running) = simulator().await;
    let c = client(&running.url);
    sim.push_faults(&[Fault::Unexpected, Fault::Http503]);
    let t = sim.issue_data_token("dan", DataKind::OpenId);
    let before = sim.calls();
    assert!(c.get_open_data(&t, None).await.is_ok());
    assert_eq!(sim.calls() - before, 3, "two failures, then success");

    sim.push_faults(&[Fault::Drop]);
    let t = sim.issue_data_token("dan", DataKind::OpenId);
    assert!(c.get_open_data(&t, None).await.is_ok(), "a dropped connection is retried");

    sim.push_faults(&[Fault::Unexpected, Fault::Unexpected, Fault::Unexpected, Fault::Unexpected]);
    let t = sim.issue_data_token("dan", DataKind::OpenId);
    let before = sim.calls();
    let e = c.get_open_data(&t, None).await.err().unwrap_or_else(|| panic!("should give up"));
    assert_eq!(e.platform_code(), Some("900003"));
    assert_eq!(sim.calls() - before, 3, "max_attempts bounds the retries");
}

#[tokio::test]
async fn slow_malformed_oversized_and_undecryptable_answers_are_typed() {
    let (sim, running) = simulator().await;
    let mut config = Config::new(APP, Secret::from(AK), Secret::from(SK), &pem())
        .and_then(|c| c.with_base_url(&running.url))
        .unwrap_or_else(|e| panic!("{e}"));
    config.timeout = Duration::from_millis(300);
    config.max_attempts = 1;
    let c = BinanceClient::with_parts(
        config,
        Arc::new(ReqwestClient::new().unwrap_or_else(|e| panic!("{e}"))),
        Arc::new(SystemClock),
    );
    let cases = [
        (Fault::Slow(1_500), ErrorCode::Timeout),
        (Fault::Malformed, ErrorCode::InvalidResponse),
        (Fault::Oversized, ErrorCode::ResponseTooLarge),
        (Fault::BadUserData, ErrorCode::DecryptFailed),
    ];
    for (fault, code) in cases {
        sim.push_faults(&[fault]);
        let t = sim.issue_data_token("erin", DataKind::OpenId);
        let e = c.get_open_data(&t, None).await.err().unwrap_or_else(|| panic!("{fault:?} accepted"));
        assert_eq!(e.code(), code, "{fault:?}: {e}");
    }
}

#[tokio::test]
async fn user_data_for_another_key_pair_does_not_decrypt() {
    let other =
        rsa::PrivateKey::new(&mut rand_chacha::ChaCha8Rng::seed_from_u64(99), 2048).unwrap_or_else(|e| panic!("{e}"));
    let sim = Simulator::new(SimConfig {
        app_id: APP.into(),
        access_key: AK.into(),
        secret_key: SK.into(),
        public_key: other.to_public_key(),
    });
    let running = sim.start(0).await.unwrap_or_else(|e| panic!("{e}"));
    let t = sim.issue_data_token("fay", DataKind::OpenId);
    let e = client(&running.url).get_open_data(&t, None).await.err().map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::DecryptFailed));
}

#[tokio::test]
async fn an_unreachable_platform_is_typed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let url = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
    drop(listener);
    let e = client(&url).get_open_data("tok", None).await.err().map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::Unreachable));
}

fn message(template: &str) -> PushMessage {
    PushMessage {
        template_id: template.into(),
        language: "en".into(),
        path: Some("pages/order/index?id=42".into()),
        parameters: vec![Parameter { name: "order".into(), value: "42 — ready ✓".into() }],
    }
}

#[tokio::test]
async fn push_tokens_are_stored_then_spent_exactly_once() {
    let (sim, running) = simulator().await;
    let c = client(&running.url);
    let store = SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    let token = sim.issue_push_token("gus", "tpl-order");
    binance::push::accept(&store, "gus", "tpl-order", Secret::new(token.clone()), SystemClock.now_ms())
        .unwrap_or_else(|e| panic!("{e}"));
    let outcome = binance::push::send(&c, &store, "gus", &message("tpl-order")).await;
    assert_eq!(outcome.ok(), Some(PushOutcome::Sent));
    let inbox = sim.inbox();
    assert_eq!(inbox.len(), 1);
    assert_eq!((inbox[0].user_id.as_str(), inbox[0].template_id.as_str()), ("gus", "tpl-order"));
    assert_eq!(inbox[0].parameters[0]["value"], "42 — ready ✓");
    // Spent: the store has none left, and the platform refuses a replay.
    let e = binance::push::send(&c, &store, "gus", &message("tpl-order")).await.err().map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::NoPushToken));
    let e = c.send_push_message(&token, &message("tpl-order")).await.err().unwrap_or_else(|| panic!("replay sent"));
    assert_eq!((e.code(), e.platform_code()), (ErrorCode::TokenInvalid, Some("900230")));
    assert!(!e.to_string().contains(&token));
    // A token for another template does not send this one.
    let other = sim.issue_push_token("gus", "tpl-other");
    let e = c
        .send_push_message(&other, &message("tpl-order"))
        .await
        .err()
        .and_then(|e| e.platform_code().map(str::to_owned));
    assert_eq!(e.as_deref(), Some("900230"));
}

#[tokio::test]
async fn refusals_are_outcomes_and_spend_the_token() {
    let (sim, running) = simulator().await;
    let c = client(&running.url);
    let store = SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    let now = SystemClock.now_ms();
    for _ in 0..2 {
        let t = sim.issue_push_token("hal", "tpl");
        binance::push::accept(&store, "hal", "tpl", Secret::new(t), now).unwrap_or_else(|e| panic!("{e}"));
    }
    sim.set_user("hal", |u| {
        u.declined.insert("tpl".into());
    });
    assert_eq!(
        binance::push::send(&c, &store, "hal", &message("tpl")).await.ok(),
        Some(PushOutcome::UserDeclinedTemplate)
    );
    sim.set_user("hal", |u| u.refuse_all = true);
    assert_eq!(binance::push::send(&c, &store, "hal", &message("tpl")).await.ok(), Some(PushOutcome::UserRefusedAll));
    assert_eq!(store.available("binance", "hal", "tpl", now).unwrap_or(99), 0);
    assert!(sim.inbox().is_empty());
}

#[tokio::test]
async fn rate_limits_are_retried_and_never_lose_the_token() {
    let (sim, running) = simulator().await;
    let c = client(&running.url);
    let store = SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    let now = SystemClock.now_ms();
    let t = sim.issue_push_token("ida", "tpl");
    binance::push::accept(&store, "ida", "tpl", Secret::new(t), now).unwrap_or_else(|e| panic!("{e}"));
    sim.rate_limit(1);
    assert_eq!(binance::push::send(&c, &store, "ida", &message("tpl")).await.ok(), Some(PushOutcome::Sent));

    let t = sim.issue_push_token("ida", "tpl");
    binance::push::accept(&store, "ida", "tpl", Secret::new(t), now).unwrap_or_else(|e| panic!("{e}"));
    sim.rate_limit(10);
    let before = sim.calls();
    let e = binance::push::send(&c, &store, "ida", &message("tpl")).await.err();
    assert_eq!(e.as_ref().map(|e| (e.code(), e.platform_code())), Some((ErrorCode::RateLimited, Some("900231"))));
    assert_eq!(sim.calls() - before, 3);
    assert_eq!(store.available("binance", "ida", "tpl", now).unwrap_or(0), 1, "not sent, so kept");
    sim.rate_limit(0);
    assert_eq!(binance::push::send(&c, &store, "ida", &message("tpl")).await.ok(), Some(PushOutcome::Sent));
    assert_eq!(sim.inbox().len(), 2);
}

#[tokio::test]
async fn push_tokens_expire_after_seven_days_and_unreachable_sends_keep_them() {
    let (sim, running) = simulator().await;
    let c = client(&running.url);
    let t = sim.issue_push_token("jo", "tpl");
    sim.advance_clock(7 * 24 * 3600 * 1000);
    let late =
        client_with(&running.url, AK, SK, Arc::new(ManualClock::new(SystemClock.now_ms() + 7 * 24 * 3600 * 1000)));
    let e = late.send_push_message(&t, &message("tpl")).await.err().and_then(|e| e.platform_code().map(str::to_owned));
    assert_eq!(e.as_deref(), Some("900230"));
    drop(c);

    let store = SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    let now = SystemClock.now_ms();
    binance::push::accept(&store, "jo", "tpl", Secret::from("tok-kept"), now).unwrap_or_else(|e| panic!("{e}"));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let url = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
    drop(listener);
    let e = binance::push::send(&client(&url), &store, "jo", &message("tpl")).await.err().map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::Unreachable));
    assert_eq!(store.available("binance", "jo", "tpl", now).unwrap_or(0), 1, "never sent, so kept");
    // The store itself refuses to hand out a token past its 7 days.
    assert_eq!(store.available("binance", "jo", "tpl", now + 7 * 24 * 3600 * 1000).unwrap_or(9), 0);
}

#[tokio::test]
async fn bad_messages_are_refused_before_sending() {
    let (sim, running) = simulator().await;
    let c = client(&running.url);
    let before = sim.calls();
    let mut m = message("tpl");
    m.language.clear();
    assert_eq!(c.send_push_message("tok", &m).await.err().map(|e| e.code()), Some(ErrorCode::InvalidArgument));
    let mut m = message("tpl");
    m.parameters = vec![Parameter { name: "p".into(), value: "x".repeat(20_000) }];
    assert_eq!(c.send_push_message("tok", &m).await.err().map(|e| e.code()), Some(ErrorCode::InvalidArgument));
    assert_eq!(
        c.send_push_message("", &message("tpl")).await.err().map(|e| e.code()),
        Some(ErrorCode::InvalidArgument)
    );
    assert_eq!(sim.calls(), before, "nothing reached the platform");
}

#[test]
fn config_is_validated_and_redacted() {
    let bad = Config::new(APP, Secret::from(AK), Secret::from(SK), "not a pem").err().map(|e| e.code());
    assert_eq!(bad, Some(ErrorCode::InvalidConfig));
    let c = Config::new(APP, Secret::from(AK), Secret::from(SK), &pem()).unwrap_or_else(|e| panic!("{e}"));
    let shown = format!("{c:?}");
    assert!(!shown.contains(SK) && !shown.contains(AK) && !shown.contains("PRIVATE"), "{shown}");
    let e = c.with_base_url("http://example.com").err().map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::InvalidConfig));
}

/// A platform on loopback that refuses the token and quotes the raw query it received
/// (percent-encoded, as the client sent it): the token must not reach the error in any form.
#[tokio::test]
async fn a_token_echoed_percent_encoded_is_scrubbed() {
    use axum::extract::RawQuery;
    let echo = axum::Router::new().fallback(|RawQuery(q): RawQuery| async move {
        axum::Json(serde_json::json!({
            "code": "900201", "message": format!("invalid data token: {}", q.unwrap_or_default()),
            "data": null, "success": false,
        }))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move { axum::serve(listener, echo).await });
    let c = client(&url);
    let token = "dt+Secret/Token==";
    let e = c.get_open_data(token, None).await.err().unwrap_or_else(|| panic!("accepted"));
    let shown = format!("{e} | {e:?} | {:?}", e.platform_message());
    assert!(shown.contains("invalid data token"), "{shown}");
    for form in [token, "dt%2BSecret%2FToken%3D%3D", "Secret"] {
        assert!(!shown.contains(form), "{form} leaked: {shown}");
    }
    server.abort();
}
