// How this example loads the wasm. Binance documents no wasm loader, so this is ASSUMED:
// a WeChat-style WXWebAssembly if the runtime has one (give it the plain .wasm), else the
// WebAssembly global with the file's bytes from bn.getFileSystemManager() (WeChat's file
// API shape). Binance cannot be relied on to decompress .wasm.br, so the plain module,
// node_modules/mp-consent-bridge/web/mp_consent_bridge_bg.wasm, is copied to
// /mp_consent_bridge.wasm in the code package.
const { load } = require('./miniprogram_npm/mp-consent-bridge/index.js');

const PATH = '/mp_consent_bridge.wasm';

module.exports = function loadBridge() {
  if (typeof WXWebAssembly !== 'undefined') return load({ path: PATH });
  if (typeof WebAssembly !== 'undefined' && typeof bn !== 'undefined' && bn.getFileSystemManager) {
    return load({ bytes: bn.getFileSystemManager().readFileSync(PATH) });
  }
  return load({ path: PATH }); // fails with load()'s own message saying what is missing
};
