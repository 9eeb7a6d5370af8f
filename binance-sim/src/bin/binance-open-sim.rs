//! `binance-open-sim [--port N] [--app-id ID] [--access-key AK] [--secret-key SK]
//! (--public-key FILE | --write-private-key FILE)`: a Binance Open Service simulator on
//! 127.0.0.1 (a free port by default). Prints `listening on http://127.0.0.1:PORT` first.
//!
//! With `--write-private-key FILE` it generates the merchant's RSA-2048 key pair itself,
//! writes the private half (PKCS#8 PEM, mode 0600) for the merchant backend, and keeps
//! the public half, as if the merchant had uploaded it. Defaults for the demo:
//! app id `mpcb-demo-app`, access key `demo-ak`, secret key `demo-sk`.

use mp_consent_binance_sim::{SimConfig, Simulator};
use rsa::pkcs8::{DecodePublicKey, EncodePrivateKey, LineEnding};
use std::io::Write;

fn die(msg: &str) -> ! {
    eprintln!("binance-open-sim: {msg}");
    std::process::exit(2);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut port = 0u16;
    let mut app_id = "mpcb-demo-app".to_owned();
    let mut access_key = "demo-ak".to_owned();
    let mut secret_key = "demo-sk".to_owned();
    let mut public_key_file = None;
    let mut private_out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| die(&format!("{arg} needs a value")));
        match arg.as_str() {
            "--port" => port = value().parse().unwrap_or_else(|_| die("--port must be a number")),
            "--app-id" => app_id = value(),
            "--access-key" => access_key = value(),
            "--secret-key" => secret_key = value(),
            "--public-key" => public_key_file = Some(value()),
            "--write-private-key" => private_out = Some(value()),
            other => die(&format!("unknown argument {other}")),
        }
    }
    let public_key = match (public_key_file, private_out) {
        (Some(file), None) => {
            let pem = std::fs::read_to_string(&file).unwrap_or_else(|e| die(&format!("cannot read {file}: {e}")));
            rsa::PublicKey::from_public_key_pem(&pem)
                .unwrap_or_else(|_| die("--public-key must be an SPKI PEM public key"))
        }
        (None, Some(file)) => {
            let key =
                rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap_or_else(|e| die(&format!("keygen: {e}")));
            let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap_or_else(|e| die(&format!("encode: {e}")));
            write_private(&file, pem.as_bytes());
            key.to_public_key()
        }
        _ => die("give exactly one of --public-key FILE or --write-private-key FILE"),
    };
    let sim = Simulator::new(SimConfig { app_id, access_key, secret_key, public_key });
    let running = sim.start(port).await.unwrap_or_else(|e| die(&format!("cannot bind 127.0.0.1:{port}: {e}")));
    println!("listening on {}", running.url);
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    drop(running);
}

fn write_private(file: &str, pem: &[u8]) {
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(file).unwrap_or_else(|e| die(&format!("cannot write {file}: {e}")));
    f.write_all(pem).unwrap_or_else(|e| die(&format!("cannot write {file}: {e}")));
}
