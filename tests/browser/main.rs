//! Browser tests (headless Chromium via `wasm-pack test --headless --chrome`): the real
//! `ConsentBridge` surface and the Rust `Bridge` against mock hosts that follow the documented shapes and
//! misbehave on purpose, and against the reference backend started by the test command.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod alipay;
mod binance;
mod forward;
mod rust_api;
mod support;
mod transports;
mod wechat;
