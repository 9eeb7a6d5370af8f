//! `alipayplus-sim --client-id ID --merchant-public-key PEM --platform-private-key PEM
//! [--key-version V] [--port N]`: the Alipay+ gateway simulator on 127.0.0.1 (a free port
//! by default). Prints `listening on http://127.0.0.1:PORT` first.

use mp_consent_server::alipayplus::sign::{RsaSigner, RsaVerifier};
use mp_consent_server::alipayplus::simulator::{app, SimConfig};
use std::io::Write;

fn fail(message: &str) -> ! {
    eprintln!("alipayplus-sim: {message}");
    eprintln!(
        "usage: alipayplus-sim --client-id ID --merchant-public-key PEM_FILE --platform-private-key PEM_FILE [--key-version V] [--port N]"
    );
    std::process::exit(2);
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("cannot read {path}: {e}")))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (mut client_id, mut merchant, mut platform, mut version, mut port) = (None, None, None, "1".to_owned(), 0u16);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| fail(&format!("{arg} needs a value")));
        match arg.as_str() {
            "--client-id" => client_id = Some(value()),
            "--merchant-public-key" => merchant = Some(value()),
            "--platform-private-key" => platform = Some(value()),
            "--key-version" => version = value(),
            "--port" => port = value().parse().unwrap_or_else(|_| fail("--port takes a number")),
            other => fail(&format!("unknown argument {other}")),
        }
    }
    let client_id = client_id.unwrap_or_else(|| fail("--client-id is required"));
    let merchant =
        RsaVerifier::from_pem(&read(&merchant.unwrap_or_else(|| fail("--merchant-public-key is required"))), None)
            .unwrap_or_else(|e| fail(&format!("merchant public key: {e}")));
    let platform =
        RsaSigner::from_pem(&read(&platform.unwrap_or_else(|| fail("--platform-private-key is required"))), "1")
            .unwrap_or_else(|e| fail(&format!("platform private key: {e}")));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| fail(&format!("cannot bind 127.0.0.1:{port}: {e}")));
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
    let router = app(SimConfig::new(&client_id, merchant, &version, platform));
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, router).with_graceful_shutdown(shutdown).await {
        fail(&format!("server error: {e}"));
    }
}
