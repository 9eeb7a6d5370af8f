// The Worker half. Copy index.js, split-worker.js and mp_consent_bridge.wasm.br from
// node_modules/mp-consent-bridge/miniprogram/ into this folder: a Worker can only require
// files in its own folder. Alipay's MYWebAssembly decompresses the .wasm.br itself.
const { serveSplit } = require('./split-worker.js');
const { backend } = require('./config.js');

serveSplit({
  worker,
  load: { path: '/workers/mp_consent_bridge.wasm.br' },
  bridge: { backend },
});
