//! WeChat server benchmark (run by `bash bench/wechat [ROUNDS]`, profile `bench-server`):
//! `code2Session` and the phone-number exchange (cached access token) one at a time
//! against the WeChat API simulator on loopback, a cold access token (`stable_token`), and
//! 32 concurrent phone exchanges on a cold cache (how many `stable_token` calls the single
//! flight lets through). Prints a Markdown table.

use mp_consent_server::wechat::simulator::{app, SimConfig};
use mp_consent_server::wechat::{WechatClient, WechatConfig};
use mp_consent_server::{ReqwestClient, Secret, SystemClock};
use std::sync::Arc;
use std::time::{Duration, Instant};

const APP: &str = "wxbench000000001";
const SECRET: &str = "bench-secret";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

async fn issue(http: &reqwest::Client, url: &str, path: &str, n: usize) -> Vec<String> {
    let mut codes = Vec::with_capacity(n);
    for _ in 0..n {
        let r = http.post(format!("{url}{path}")).body("{}").send().await.expect("issue");
        let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("json");
        codes.push(v["code"].as_str().expect("code").to_owned());
    }
    codes
}

fn client(url: &str) -> WechatClient<ReqwestClient, SystemClock> {
    let config = WechatConfig::new(APP, Secret::from(SECRET)).and_then(|c| c.with_base_url(url)).expect("config");
    WechatClient::new(config, ReqwestClient::new().expect("http"), SystemClock)
}

fn row(name: &str, mut times: Vec<Duration>, total: Duration) {
    times.sort();
    println!(
        "| {name} | {} | {} | {:.0} /s |",
        us(percentile(&times, 0.5)),
        us(percentile(&times, 0.99)),
        times.len() as f64 / total.as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app(SimConfig::new(APP, SECRET))).await;
    });
    let http = reqwest::Client::new();
    let mut login = issue(&http, &url, "/__sim/login-code", rounds + 20).await;
    let mut phone = issue(&http, &url, "/__sim/phone-code", rounds + 20).await;
    let wx = client(&url);
    // Warm-up (connection, allocator, the access token), not measured.
    for (l, p) in login.drain(..20).zip(phone.drain(..20)) {
        wx.code2session(&l).await.expect("warm-up");
        wx.phone_number(&p).await.expect("warm-up");
    }
    println!("| WeChat ({rounds} rounds, bench-server profile, loopback) | p50 | p99 | throughput |");
    println!("|---|---|---|---|");
    let mut times = Vec::with_capacity(rounds);
    let started = Instant::now();
    for code in login {
        let t = Instant::now();
        wx.code2session(&code).await.expect("code2Session");
        times.push(t.elapsed());
    }
    row("code2Session round trip (1 at a time)", times, started.elapsed());
    let mut times = Vec::with_capacity(rounds);
    let started = Instant::now();
    for code in phone {
        let t = Instant::now();
        wx.phone_number(&code).await.expect("phone");
        times.push(t.elapsed());
    }
    row("phone-number exchange, cached token (1 at a time)", times, started.elapsed());
    let mut times = Vec::with_capacity(100);
    let started = Instant::now();
    for _ in 0..100 {
        wx.forget_access_token().await;
        let t = Instant::now();
        wx.access_token().await.expect("token");
        times.push(t.elapsed());
    }
    row("access token from stable_token (cache cleared, 100 rounds)", times, started.elapsed());
    let stats = |http: reqwest::Client, url: String| async move {
        let r = http.get(format!("{url}/__sim/stats")).send().await.expect("stats");
        let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("json");
        v["calls"]["stable_token"].as_u64().unwrap_or(0)
    };
    let cold = Arc::new(client(&url));
    let codes = issue(&http, &url, "/__sim/phone-code", 32).await;
    let before = stats(http.clone(), url.clone()).await;
    let started = Instant::now();
    let tasks: Vec<_> = codes
        .into_iter()
        .map(|c| {
            let cold = Arc::clone(&cold);
            tokio::spawn(async move { cold.phone_number(&c).await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await.expect("join").expect("phone");
    }
    let elapsed = started.elapsed();
    let fetched = stats(http, url).await - before;
    println!(
        "| 32 concurrent phone exchanges on a cold token cache | {} for all | | {fetched} stable_token call(s) |",
        us(elapsed)
    );
    server.abort();
}
