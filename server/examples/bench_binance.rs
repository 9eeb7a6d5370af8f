//! The Rust side of `bench/server`: signing, decryption and `get_open_data` against a
//! running Binance Open Service simulator. Prints one JSON object.
//!
//! `bench_binance --sim URL --key FILE [--quick]` (app id `mpcb-demo-app`, keys
//! `demo-ak` / `demo-sk`: the simulator binary's defaults).

use mp_consent_server::binance::signer::{canonical_request, sign};
use mp_consent_server::binance::{BinanceClient, Config, MerchantKey};
use mp_consent_server::{ReqwestClient, Secret, SystemClock};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn issue(http: &reqwest::Client, sim: &str, n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let body = json!({"userId": format!("bench-{}", i % 50), "kind": "openId"}).to_string();
        let r = http
            .post(format!("{sim}/__sim/data-token"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("issue: {e}"));
        let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap_or_default()).unwrap_or_default();
        out.push(v["dataToken"].as_str().unwrap_or_default().to_owned());
    }
    out
}

async fn run_phase(client: Arc<BinanceClient>, tokens: Vec<String>, concurrency: usize) -> serde_json::Value {
    let queue = Arc::new(Mutex::new(tokens));
    let lat = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(0usize));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (queue, lat, errors, client) = (queue.clone(), lat.clone(), errors.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let Some(t) = queue.lock().unwrap_or_else(|p| p.into_inner()).pop() else { break };
                let t0 = Instant::now();
                let ok = client.get_open_data(&t, None).await.is_ok();
                let d = t0.elapsed();
                if ok {
                    lat.lock().unwrap_or_else(|p| p.into_inner()).push(d);
                } else {
                    *errors.lock().unwrap_or_else(|p| p.into_inner()) += 1;
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut lat = lat.lock().unwrap_or_else(|p| p.into_inner()).clone();
    lat.sort();
    let n = lat.len();
    json!({"calls": n, "errors": *errors.lock().unwrap_or_else(|p| p.into_inner()),
           "p50_ms": percentile(&lat, 0.5), "p99_ms": percentile(&lat, 0.99), "per_s": n as f64 / elapsed})
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let sim = arg("--sim").unwrap_or_else(|| panic!("--sim URL"));
    let pem =
        std::fs::read_to_string(arg("--key").unwrap_or_else(|| panic!("--key FILE"))).unwrap_or_else(|e| panic!("{e}"));
    let quick = std::env::args().any(|a| a == "--quick");
    let (n_sign, n_dec, n1, n64) = if quick { (2_000, 100, 100, 640) } else { (20_000, 1_000, 500, 3_200) };

    // Signing: canonical request + HS256 JWT for one getOpenData call.
    let token = "a".repeat(32);
    let t0 = Instant::now();
    for i in 0..n_sign {
        let cr = canonical_request("GET", "/mp-api/v1/apps/mpcb-demo-app/user-open-data", &[("openData", &token)], b"");
        let jwt = sign("demo-ak", b"demo-sk", &cr, 1_700_000_000 + i as u64).unwrap_or_default();
        std::hint::black_box(jwt);
    }
    let sign_us = t0.elapsed().as_secs_f64() * 1e6 / n_sign as f64;

    // Decryption: base64url + RSA-2048 PKCS#1 v1.5 (blinded) + UTF-8/JSON reading.
    let key = MerchantKey::from_pem(&pem).unwrap_or_else(|e| panic!("{e}"));
    let ct = key.public_key().pkcs1v15_encrypt(br#"{"openId":"oid-0123456789"}"#).unwrap_or_else(|e| panic!("{e}"));
    use base64::Engine as _;
    let user_data = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ct);
    let t0 = Instant::now();
    for _ in 0..n_dec {
        std::hint::black_box(key.decrypt_user_data(&user_data).unwrap_or_else(|e| panic!("{e}")));
    }
    let decrypt_us = t0.elapsed().as_secs_f64() * 1e6 / n_dec as f64;

    let config = Config::new("mpcb-demo-app", Secret::from("demo-ak"), Secret::from("demo-sk"), &pem)
        .and_then(|c| c.with_base_url(&sim))
        .unwrap_or_else(|e| panic!("{e}"));
    let client = Arc::new(BinanceClient::with_parts(
        config,
        Arc::new(ReqwestClient::new().unwrap_or_else(|e| panic!("{e}"))),
        Arc::new(SystemClock),
    ));
    let http = reqwest::Client::new();
    // Warm-up (connection pool, simulator caches); not measured.
    let warm = issue(&http, &sim, 20).await;
    run_phase(client.clone(), warm, 4).await;
    let c1 = run_phase(client.clone(), issue(&http, &sim, n1).await, 1).await;
    let c64 = run_phase(client.clone(), issue(&http, &sim, n64).await, 64).await;
    println!("{}", json!({"sign_us": sign_us, "decrypt_us": decrypt_us, "c1": c1, "c64": c64}));
}
