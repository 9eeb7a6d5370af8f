// The rollup 4 entry, as the README's table gives it: the web build, its .wasm emitted by
// @rollup/plugin-url, and init() before the first bridge.
import init, { ConsentBridge, BridgeError } from 'mp-consent-bridge/web';
import wasmUrl from 'mp-consent-bridge/web/mp_consent_bridge_bg.wasm';
import { mockBinanceHost, binanceDenial } from 'mp-consent-bridge/testing';
import { report } from './flow.js';

report(ConsentBridge, BridgeError, mockBinanceHost, binanceDenial, init({ module_or_path: wasmUrl }));
