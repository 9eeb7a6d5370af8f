//! `mp-consent-backend [--port N] [--faults]`: binds 127.0.0.1 (a free port by default)
//! and prints `listening on http://127.0.0.1:PORT` on its first line of output, then one
//! line per Binance feature saying whether the `MPCB_BINANCE_*` environment enables it,
//! one line saying whether the `MPCB_ALIPAYPLUS_*` environment enables the Alipay+
//! exchange, and one saying whether `MPCB_WECHAT_*` enables the WeChat exchanges.

use std::io::Write;

// Two workers: a handler in a SQLite call (session and send paths run theirs inline; the
// subscriptions store uses the blocking pool) or a slow platform answer never stalls the
// other requests.
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut port = 0u16;
    let mut faults = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--faults" => faults = true,
            "--port" => port = args.next().and_then(|p| p.parse().ok()).unwrap_or(0),
            other => {
                eprintln!("unknown argument {other}; usage: mp-consent-backend [--port N] [--faults]");
                std::process::exit(2);
            }
        }
    }
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot bind 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    let (binance, binance_lines) = mp_consent_backend::binance::BinanceSetup::from_env(|k| std::env::var(k).ok());
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    println!("listening on http://{addr}{}", if faults { " (fault mode: test only)" } else { "" });
    for line in binance_lines {
        println!("{line}");
    }
    let (alipayplus, alipayplus_line) =
        mp_consent_backend::alipayplus::AlipayPlusSetup::from_env(|k| std::env::var(k).ok());
    println!("{alipayplus_line}");
    let (wechat, wechat_line) = mp_consent_backend::wechat::WechatSetup::from_env(|k| std::env::var(k).ok());
    println!("{wechat_line}");
    let _ = std::io::stdout().flush();
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, mp_consent_backend::app_with_platforms(faults, binance, alipayplus, wechat))
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("server error: {e}");
        std::process::exit(1);
    }
}
