//! `wechat-sim --app-id ID --app-secret SECRET [--port N]`: the WeChat server API
//! simulator on 127.0.0.1 (a free port by default). Prints `listening on
//! http://127.0.0.1:PORT` first.

use mp_consent_server::sim_kit::Args;
use mp_consent_server::wechat::simulator::{app, SimConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = Args::parse(
        "wechat-sim",
        "wechat-sim --app-id ID --app-secret SECRET [--port N]",
        &["--app-id", "--app-secret"],
    );
    let app_id = args.required("--app-id");
    let secret = args.required("--app-secret");
    args.serve(app(SimConfig::new(&app_id, &secret))).await;
}
