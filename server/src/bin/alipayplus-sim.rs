//! `alipayplus-sim --client-id ID --merchant-public-key PEM --platform-private-key PEM
//! [--key-version V] [--port N]`: the Alipay+ gateway simulator on 127.0.0.1 (a free port
//! by default). Prints `listening on http://127.0.0.1:PORT` first.

use mp_consent_server::alipayplus::sign::{RsaSigner, RsaVerifier};
use mp_consent_server::alipayplus::simulator::{app, SimConfig};
use mp_consent_server::sim_kit::Args;

const USAGE: &str = "alipayplus-sim --client-id ID --merchant-public-key PEM_FILE --platform-private-key PEM_FILE [--key-version V] [--port N]";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let flags = ["--client-id", "--merchant-public-key", "--platform-private-key", "--key-version"];
    let args = Args::parse("alipayplus-sim", USAGE, &flags);
    let read = |path: String| {
        std::fs::read_to_string(&path).unwrap_or_else(|e| args.fail(&format!("cannot read {path}: {e}")))
    };
    let client_id = args.required("--client-id");
    let merchant = RsaVerifier::from_pem(&read(args.required("--merchant-public-key")), None)
        .unwrap_or_else(|e| args.fail(&format!("merchant public key: {e}")));
    let platform = RsaSigner::from_pem(&read(args.required("--platform-private-key")), "1")
        .unwrap_or_else(|e| args.fail(&format!("platform private key: {e}")));
    let version = args.get("--key-version").unwrap_or_else(|| "1".to_owned());
    args.serve(app(SimConfig::new(&client_id, merchant, &version, platform))).await;
}
