//! What the backend's integration tests share: a loopback server, and one raw HTTP/1.1
//! client, so a test sees
//! exactly the status, head and body the server wrote (no client-side redirects, retries
//! or decoding).
#![allow(dead_code)] // each test crate uses its own part

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A router served on a free loopback port, stopped when dropped.
pub struct Server {
    pub addr: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on 127.0.0.1 at a free port.
pub async fn serve(router: axum::Router) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Server { addr, task }
}

/// One request with `Connection: close`; returns (status, lower-cased head, body).
pub async fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

/// A request with a JSON body; returns (status, body as JSON or `Null`).
pub async fn json_request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    let (status, _, body) = request(addr, method, path, &all, body).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// `POST path` with `body`; returns (status, body as JSON or `Null`).
pub async fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &Value) -> (u16, Value) {
    json_request(addr, "POST", path, headers, &body.to_string()).await
}
