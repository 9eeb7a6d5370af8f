// examples/alipay (split mode) run as a mini program would run it: the example's app.js
// and page in a page-like vm context (`my` enforcing the tap rule, no WebAssembly), its
// Worker script in a Worker-like vm context (MYWebAssembly, no `my`), with index.js,
// split-worker.js and the .wasm.br copied from the BUILT package into workers/ as its
// README says, joined by an asynchronous copying postMessage. Every Alipay flow runs from
// the page's own handlers and is forwarded through the page's my.request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { brotliDecompressSync } from 'node:zlib';
import { gestureHost, setTap } from '../support/harness.js';
import { channel, sleep } from '../support/split-runtime.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const backend = process.env.MPCB_BACKEND;

/** A CommonJS loader over `dir` in `context`; `packages` maps bare names to files. */
function loader(context, dir, packages = {}) {
  const cache = {};
  const from = (base) => (name) => {
    let file = name in packages ? packages[name] : normalize(join(base, name));
    if (!file.endsWith('.js')) file += '.js';
    if (!existsSync(file)) throw new Error(`require(${name}): no such file`);
    if (!cache[file]) {
      const module = { exports: {} };
      cache[file] = module;
      vm.runInContext(`(function (module, exports, require) {\n${readFileSync(file, 'utf8')}\n})`, context, { filename: file.slice(dir.length) })(module, module.exports, from(dirname(file)));
    }
    return cache[file].exports;
  };
  return from(dir);
}

function bare(globals) {
  const context = vm.createContext({ console, setTimeout, clearTimeout, ...globals });
  vm.runInContext('delete globalThis.WebAssembly;', context);
  return context;
}

test('the Alipay example runs every Alipay flow through split mode from its own page handlers', async () => {
  assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
  // The project as its README says to lay it out.
  const app = join(root, 'build', 'alipay-example');
  rmSync(app, { recursive: true, force: true });
  cpSync(join(root, 'examples', 'alipay'), app, { recursive: true });
  for (const f of ['index.js', 'split-worker.js', 'mp_consent_bridge.wasm.br']) cpSync(join(root, 'pkg', 'miniprogram', f), join(app, 'workers', f));
  writeFileSync(join(app, 'workers', 'config.js'), `module.exports = { backend: ${JSON.stringify(backend)} };\n`);

  const chan = channel();
  // The Worker: MYWebAssembly reads paths inside the code package, decompressing .wasm.br.
  const paths = [];
  const MYWebAssembly = {
    instantiate(path, imports) {
      paths.push(path);
      const file = normalize(join(app, path));
      if (!file.startsWith(app) || !existsSync(file)) return Promise.reject(new Error(`no such file: ${path}`));
      const bytes = readFileSync(file);
      return WebAssembly.instantiate(path.endsWith('.br') ? brotliDecompressSync(bytes) : bytes, imports);
    },
  };
  const workerContext = bare({ worker: chan.workerGlobal, MYWebAssembly });
  const created = [];
  const my = gestureHost('alipay');
  my.createWorker = (path) => {
    created.push(path);
    loader(workerContext, app)(`./${path}`);
    return chan.pageWorker;
  };
  const registered = { apps: [], pages: [] };
  const pageContext = bare({ my, App: (c) => registered.apps.push(c), Page: (c) => registered.pages.push(c), getApp: () => registered.apps[0] });
  const requirePage = loader(pageContext, app, { 'mp-consent-bridge/miniprogram/split-page': join(root, 'pkg', 'miniprogram', 'split-page.js') });
  requirePage('./app.js');
  registered.apps[0].onLaunch.call(registered.apps[0]);
  assert.deepEqual(created, ['workers/consent.js']);
  requirePage('./pages/index/index.js');
  const config = registered.pages[0];
  const page = Object.create(config);
  page.data = { ...config.data };
  page.setData = (patch) => Object.assign(page.data, patch);
  page.onLoad();

  const tap = (handler, ...args) => {
    setTap(my, true);
    try {
      return page[handler](...args);
    } finally {
      setTap(my, false);
    }
  };
  const outcome = () => (page.data.error ? `error ${page.data.error}` : JSON.parse(page.data.result).kind);
  await tap('onLogin');
  assert.equal(outcome(), 'authCode');
  await tap('onSilentLogin');
  assert.equal(outcome(), 'authCode');
  await tap('onGetAuthorize', { type: 'getAuthorize', detail: {} });
  assert.equal(outcome(), 'userInfo');
  await tap('onProfile');
  assert.equal(outcome(), 'userInfo');
  await tap('onAuthorizeError', { type: 'error', detail: { errorCode: 11, errorMessage: 'user cancel' } });
  assert.equal(outcome(), 'error USER_DENIED');
  assert.equal(my.calls.filter((c) => c.refused).length, 0, 'every host call was inside the tap');
  assert.deepEqual(my.calls.filter((c) => c.api !== 'request').map((c) => c.api), ['getAuthCode', 'getAuthCode', 'getOpenUserInfo', 'getOpenUserInfo']);
  assert.equal(my.calls.filter((c) => c.api === 'request').length, 4, 'four tokens forwarded through the page\'s my.request');
  assert.deepEqual(paths, ['/workers/mp_consent_bridge.wasm.br'], 'the Worker loaded the .wasm.br once');
  assert.equal(typeof vm.runInContext('typeof my', workerContext), 'string');
  assert.equal(vm.runInContext('typeof my', workerContext), 'undefined', 'the Worker never had my');
  page.onUnload();
  await sleep(10);
});
