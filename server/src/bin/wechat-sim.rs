//! `wechat-sim --app-id ID --app-secret SECRET [--port N]`: the WeChat server API
//! simulator on 127.0.0.1 (a free port by default). Prints `listening on
//! http://127.0.0.1:PORT` first.

use mp_consent_server::wechat::simulator::{app, SimConfig};
use std::io::Write;

fn fail(message: &str) -> ! {
    eprintln!("wechat-sim: {message}");
    eprintln!("usage: wechat-sim --app-id ID --app-secret SECRET [--port N]");
    std::process::exit(2);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (mut app_id, mut secret, mut port) = (None, None, 0u16);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| fail(&format!("{arg} needs a value")));
        match arg.as_str() {
            "--app-id" => app_id = Some(value()),
            "--app-secret" => secret = Some(value()),
            "--port" => port = value().parse().unwrap_or_else(|_| fail("--port takes a number")),
            other => fail(&format!("unknown argument {other}")),
        }
    }
    let app_id = app_id.unwrap_or_else(|| fail("--app-id is required"));
    let secret = secret.unwrap_or_else(|| fail("--app-secret is required"));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| fail(&format!("cannot bind 127.0.0.1:{port}: {e}")));
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app(SimConfig::new(&app_id, &secret))).with_graceful_shutdown(shutdown).await
    {
        fail(&format!("server error: {e}"));
    }
}
