// Entry for mini program logic layers and other restricted runtimes: no fetch, no
// WebAssembly global, no TextEncoder/TextDecoder, no globalThis. Bundled to CommonJS into
// pkg/miniprogram/index.js with the shims of runtime-shims.js injected.
//
//   const { load, ConsentBridge } = require('mp-consent-bridge/miniprogram');
//   await load({ path: '/miniprogram_npm/mp-consent-bridge/mp_consent_bridge.wasm' });
//   const bridge = new ConsentBridge({ host: bn, backend: 'https://api.example.com' });
import init, { BridgeError, ConsentBridge } from 'mp-consent-bridge-web-glue';
import { loadRequest } from './runtime-shims.js';

let loading;

/**
 * Loads and starts the wasm once; later calls return the same promise (a failed load may
 * be retried). Options: `{ instantiate, path }` (a WXWebAssembly-style loader), `{ path }`
 * (WXWebAssembly / MYWebAssembly found automatically), `{ bytes }`, `{ module }` or `{ url }`.
 */
export function load(options) {
  if (!loading) {
    loading = Promise.resolve()
      .then(() => init({ module_or_path: loadRequest(options) }))
      .then(() => undefined);
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

export { BridgeError, ConsentBridge };
