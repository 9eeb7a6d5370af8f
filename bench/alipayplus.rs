//! Alipay+ benchmark (run by `bash bench/alipayplus [ROUNDS]`, profile `bench-server`): the cost of
//! signing and verifying one message, and the latency of a signed `applyToken` round trip
//! (sign, HTTP on loopback, the simulator's verification, processing and signing, our
//! verification and parsing) against the gateway simulator, one request at a time.
//! Prints a Markdown table.

use mp_consent_server::alipayplus::sign::{content_to_sign, RsaSigner, RsaVerifier};
use mp_consent_server::alipayplus::simulator::{app, SimConfig};
use mp_consent_server::alipayplus::{AlipayPlusClient, AlipayPlusConfig};
use mp_consent_server::{ReqwestClient, SystemClock};
use std::path::Path;
use std::time::{Duration, Instant};

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alipayplus").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let client_id = "BENCH_CLIENT";
    let signer = RsaSigner::from_pem(&read("merchant_private.pem"), "1").expect("key");
    let verifier = RsaVerifier::from_pem(&read("merchant_public.pem"), None).expect("key");
    let body = br#"{"authClientId":"BENCH_CLIENT","grantType":"AUTHORIZATION_CODE","authCode":"AC1234567890"}"#;
    let content =
        content_to_sign("POST", "/v2/authorizations/applyToken", client_id, "2026-12-02T03:13:38+00:00", body);

    let started = Instant::now();
    let mut sig = Vec::new();
    for _ in 0..rounds {
        sig = signer.sign_raw(&content).expect("sign");
    }
    let sign_each = started.elapsed() / rounds as u32;
    let started = Instant::now();
    for _ in 0..rounds {
        verifier.verify_raw(&content, &sig).expect("verify");
    }
    let verify_each = started.elapsed() / rounds as u32;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let sim = SimConfig::new(
        client_id,
        verifier.clone(),
        "1",
        RsaSigner::from_pem(&read("platform_private.pem"), "1").expect("key"),
    );
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app(sim)).await;
    });
    let http = reqwest::Client::new();
    let mut codes = Vec::with_capacity(rounds + 20);
    for _ in 0..rounds + 20 {
        let r = http
            .post(format!("{url}/sim/auth-code"))
            .header("content-type", "application/json")
            .body(r#"{"scopes":["USER_ID"]}"#)
            .send()
            .await
            .expect("auth code");
        let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("json");
        codes.push(v["authCode"].as_str().expect("authCode").to_owned());
    }
    let config =
        AlipayPlusConfig::new(client_id, &read("merchant_private.pem"), &read("platform_public.pem"), "1", &url)
            .expect("config");
    let client = AlipayPlusClient::new(config, ReqwestClient::new().expect("http"), SystemClock);
    // Warm-up (connection, allocator), not measured.
    for code in codes.drain(..20) {
        client.apply_token(&code).await.expect("warm-up");
    }
    let mut times = Vec::with_capacity(rounds);
    let started = Instant::now();
    for code in codes {
        let t = Instant::now();
        client.apply_token(&code).await.expect("applyToken");
        times.push(t.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    server.abort();

    println!("| Alipay+ ({rounds} rounds, bench-server profile, loopback) | p50 | p99 | throughput |");
    println!("|---|---|---|---|");
    println!("| sign one message (SHA256withRSA, 2048-bit) | {} | | |", us(sign_each));
    println!("| verify one signature | {} | | |", us(verify_each));
    println!(
        "| signed applyToken round trip vs the simulator (1 at a time) | {} | {} | {:.0} /s |",
        us(percentile(&times, 0.5)),
        us(percentile(&times, 0.99)),
        rounds as f64 / total.as_secs_f64()
    );
}
