// examples/binance run as its README lays it out (the built entry in miniprogram_npm/, the
// plain module at the package root): its page in a vm logic layer with a `bn` host that
// refuses consent calls outside the tap and a WebAssembly global (the loader's assumed
// second case), every Binance flow from the page's own handlers, forwarded over
// bn.request (real HTTP) to the reference backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { gestureHost, setTap } from '../support/harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const backend = process.env.MPCB_BACKEND;

test('the Binance example runs every Binance flow from its own page handlers, inside the tap', async () => {
  assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
  const app = join(root, 'build', 'binance-example');
  rmSync(app, { recursive: true, force: true });
  cpSync(join(root, 'examples', 'binance'), app, { recursive: true });
  mkdirSync(join(app, 'miniprogram_npm', 'mp-consent-bridge'), { recursive: true });
  cpSync(join(root, 'pkg', 'miniprogram', 'index.js'), join(app, 'miniprogram_npm', 'mp-consent-bridge', 'index.js'));
  cpSync(join(root, 'pkg', 'web', 'mp_consent_bridge_bg.wasm'), join(app, 'mp_consent_bridge.wasm'));

  const bn = gestureHost('binance');
  const read = [];
  bn.getFileSystemManager = () => ({
    readFileSync(path) {
      read.push(path);
      const file = normalize(join(app, path));
      if (!file.startsWith(app)) throw new Error('outside the code package');
      const bytes = readFileSync(file);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
  });
  const registered = { apps: [], pages: [] };
  const context = vm.createContext({ console, setTimeout, clearTimeout, WebAssembly, bn, App: (c) => registered.apps.push(c), Page: (c) => registered.pages.push(c), getApp: () => registered.apps[0] });
  const cache = {};
  const requireFrom = (base) => (name) => {
    const file = normalize(join(base, name.endsWith('.js') ? name : `${name}.js`));
    if (!file.startsWith(app) || !existsSync(file)) throw new Error(`require(${name}): not in the code package`);
    if (!cache[file]) {
      const module = { exports: {} };
      cache[file] = module;
      vm.runInContext(`(function (module, exports, require) {\n${readFileSync(file, 'utf8')}\n})`, context, { filename: file.slice(app.length) })(module, module.exports, requireFrom(dirname(file)));
    }
    return cache[file].exports;
  };
  requireFrom(app)('./app.js');
  registered.apps[0].globalData.backend = backend;
  requireFrom(app)('./pages/index/index.js');
  const config = registered.pages[0];
  const page = Object.create(config);
  page.data = { ...config.data };
  page.setData = (patch) => Object.assign(page.data, patch);
  await page.onLoad();
  assert.equal(page.data.error, '', `onLoad: ${page.data.error}`);
  assert.equal(page.data.ready, true);
  assert.deepEqual(read, ['/mp_consent_bridge.wasm'], 'the plain module, read once');

  const tap = (handler, ...args) => {
    setTap(bn, true);
    try {
      return page[handler](...args);
    } finally {
      setTap(bn, false);
    }
  };
  const result = () => {
    assert.equal(page.data.error, '', 'no error');
    return JSON.parse(page.data.result);
  };
  await tap('onPhoneNumber', { type: 'getphonenumber', detail: { code: `bn-example-${Date.now()}` } });
  assert.equal(result().kind, 'phoneNumber');
  await tap('onEmailAddress', { type: 'getemailaddress', detail: { code: `bn-mail-${Date.now()}` } });
  assert.equal(result().kind, 'email');
  await tap('onOpenId');
  assert.equal(result().kind, 'openId');
  await tap('onEmail');
  assert.equal(result().kind, 'email');
  await tap('onSubscribe');
  assert.deepEqual(result().forwarded, ['order-shipped']);
  await tap('onPhoneNumber', { type: 'getphonenumber', detail: { errMsg: 'getPhoneNumber:fail user deny' } });
  assert.equal(page.data.error, 'USER_DENIED');
  assert.equal(bn.calls.filter((c) => c.refused).length, 0, 'every host call was inside the tap');
  assert.deepEqual(bn.calls.filter((c) => c.api !== 'request').map((c) => c.api), ['getOpenId', 'getEmailAddress', 'requestSubscribeMessage']);
  assert.equal(bn.calls.filter((c) => c.api === 'request').length, 5, 'five forwards through bn.request');
});
