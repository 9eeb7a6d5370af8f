// The BUILT mini program entry inside a Node `vm` context made to look like a mini program
// logic layer: no fetch, XMLHttpRequest, TextEncoder, TextDecoder, WebAssembly, window,
// self or queueMicrotask, and globalThis/global shadowed to undefined for the package's
// code. The wasm is loaded through a WXWebAssembly-style path loader backed by the real
// compiled module; mock bn and my hosts perform real HTTP to the reference backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { brotliDecompressSync } from 'node:zlib';
import { mockAlipayHost, mockBinanceHost } from '../../js/mock-hosts.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const backend = process.env.MPCB_BACKEND;

// A code package as a developer would lay it out: the package's miniprogram/ folder copied in.
const codePackage = join(root, 'build', 'mp-code-package');
rmSync(codePackage, { recursive: true, force: true });
mkdirSync(join(codePackage, 'miniprogram_npm'), { recursive: true });
cpSync(join(root, 'pkg', 'miniprogram'), join(codePackage, 'miniprogram_npm', 'mp-consent-bridge'), { recursive: true });
const wasmPath = '/miniprogram_npm/mp-consent-bridge/mp_consent_bridge.wasm.br';
// The plain module, for runtimes that instantiate bytes (the same module, uncompressed).
const plainWasm = join(root, 'pkg', 'web', 'mp_consent_bridge_bg.wasm');

/** A fresh logic-layer-like context with the package loaded into it. */
function logicLayer(hosts) {
  const paths = [];
  const WXWebAssembly = {
    // Like WeChat: only a path inside the code package, resolved against its root; a
    // .wasm.br is decompressed (base library >= 2.14).
    instantiate(path, imports) {
      paths.push(path);
      if (typeof path !== 'string' || !/\.wasm(\.br)?$/.test(path)) return Promise.reject(new Error('path must be a .wasm or .wasm.br inside the code package'));
      const file = normalize(join(codePackage, path));
      if (!file.startsWith(codePackage)) return Promise.reject(new Error('path outside the code package'));
      const bytes = readFileSync(file);
      return WebAssembly.instantiate(path.endsWith('.br') ? brotliDecompressSync(bytes) : bytes, imports);
    },
  };
  const context = vm.createContext({ console, setTimeout, clearTimeout, WXWebAssembly, ...hosts });
  // V8 gives every context a WebAssembly global; the logic layer has none.
  vm.runInContext('delete globalThis.WebAssembly;', context);
  const absent = vm.runInContext(
    `['fetch', 'XMLHttpRequest', 'TextEncoder', 'TextDecoder', 'WebAssembly', 'window', 'self', 'queueMicrotask', 'Headers', 'Request']
       .filter((name) => typeof globalThis[name] !== 'undefined')`,
    context,
  );
  assert.deepEqual([...absent], [], 'the context must lack the web globals');
  const source = readFileSync(join(codePackage, 'miniprogram_npm', 'mp-consent-bridge', 'index.js'), 'utf8');
  const wrapped = vm.runInContext(`(function (module, exports, require, globalThis, global, window, self) {\n${source}\n})`, context, {
    filename: 'miniprogram_npm/mp-consent-bridge/index.js',
  });
  const module = { exports: {} };
  wrapped(module, module.exports, undefined, undefined, undefined, undefined, undefined);
  return { api: module.exports, paths, context };
}

test('the shipped JavaScript never uses eval or new Function', () => {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(c|m)?js$/.test(name)) files.push(path);
    }
  };
  walk(join(root, 'pkg'));
  assert.ok(files.length >= 6, `found ${files.length} shipped JS files`);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /\beval\s*\(/, file);
    assert.doesNotMatch(text, /\bnew\s+Function\b/, file);
    assert.doesNotMatch(text, /\bFunction\s*\(\s*["'`]/, file);
  }
});

test('loads through a WXWebAssembly-style path loader and runs every Binance flow over bn.request', async () => {
  assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
  const bn = mockBinanceHost();
  const { api, paths } = logicLayer({ bn });
  assert.equal(typeof api.load, 'function');
  await api.load({ path: wasmPath });
  await api.load({ path: wasmPath });
  assert.deepEqual(paths, [wasmPath], 'loaded once, from the path inside the code package');
  // The host is found as the free variable `bn`, and with no fetch the host transport is chosen.
  const bridge = new api.ConsentBridge({ backend });
  const pending = bridge.getPhoneNumber();
  assert.equal(bn.calls.length, 1, 'the host call happened synchronously');
  assert.equal((await pending).kind, 'phoneNumber');
  assert.equal((await bridge.getOpenId()).kind, 'openId');
  assert.equal((await bridge.getEmailAddress()).kind, 'email');
  const sub = await bridge.requestSubscribeMessage(['mp-t1', 'mp-t2']);
  assert.deepEqual([...sub.forwarded], ['mp-t1', 'mp-t2'], 'an array from the logic layer realm');
  const consent = await bridge.askPhoneNumber();
  assert.equal((await bridge.forward(consent)).kind, 'phoneNumber');
  const fromButton = await bridge.forwardPhoneNumberEvent({ detail: { code: `btn-${Date.now()}` } });
  assert.equal(fromButton.kind, 'phoneNumber');
  assert.equal(bn.calls.filter((c) => c.api === 'request').length, 6, 'every forward went through bn.request');
  await assert.rejects(bridge.forward(consent), (e) => {
    assert.equal(e.code, 'TOKEN_ALREADY_USED');
    assert.ok(e instanceof api.BridgeError, 'errors are BridgeError instances inside the runtime too');
    return true;
  });
});

test('runs the Alipay flows with my as the only host, and a UTF-8 profile survives the polyfills', async () => {
  const my = mockAlipayHost({
    getOpenUserInfo: { success: { response: JSON.stringify({ response: { code: '10000', nickName: '小明 😀', avatar: '' } }) } },
  });
  const { api } = logicLayer({ my });
  await api.load({ path: wasmPath });
  const bridge = new api.ConsentBridge({ backend });
  const profile = await bridge.askOpenUserInfo();
  assert.equal(profile.nickName, '小明 😀');
  assert.equal((await bridge.getOpenUserInfo()).kind, 'userInfo');
  assert.equal((await bridge.getAuthCode(['auth_user'])).kind, 'authCode');
  await assert.rejects(bridge.askAuthCode(['USER_NICKNAME', 'PLAINTEXT_MOBILE_PHONE']), { code: 'INVALID_ARGUMENT' });
});

test('load() explains what is missing instead of failing obscurely', async () => {
  const { api } = logicLayer({ bn: mockBinanceHost() });
  await assert.rejects(api.load({ bytes: new Uint8Array(8) }), (e) => e.code === 'INVALID_CONFIG' && /WebAssembly/.test(e.message));
  await assert.rejects(api.load(undefined), (e) => e.code === 'INVALID_CONFIG');
  await assert.rejects(api.load({ instantiate: () => Promise.resolve({}), path: wasmPath }), (e) => e.code === 'INVALID_CONFIG');
  // A loader that cannot decompress brotli gets a message naming the plain file.
  const noBrotli = (p, i) => WebAssembly.instantiate(readFileSync(join(codePackage, p)), i);
  await assert.rejects(api.load({ instantiate: noBrotli, path: wasmPath }), (e) => e.code === 'INVALID_CONFIG' && /brotli/.test(e.message) && /web\/mp_consent_bridge_bg\.wasm/.test(e.message));
  await api.load({ instantiate: (p, i) => WebAssembly.instantiate(readFileSync(plainWasm), i), path: '/mp_consent_bridge.wasm' });
  const bridge = new api.ConsentBridge({});
  assert.equal((await bridge.askEmailAddress()).kind, 'email');
});

test('where the runtime has TextEncoder/TextDecoder, the entry uses them, not the polyfills', async () => {
  const made = { encoders: 0, decoders: 0 };
  class SpyEncoder extends TextEncoder {
    constructor(...a) {
      super(...a);
      made.encoders += 1;
    }
  }
  class SpyDecoder extends TextDecoder {
    constructor(...a) {
      super(...a);
      made.decoders += 1;
    }
  }
  const context = vm.createContext({ console, setTimeout, clearTimeout, WebAssembly, TextEncoder: SpyEncoder, TextDecoder: SpyDecoder });
  const module = { exports: {} };
  vm.runInContext(`(function (module, exports) {\n${readFileSync(join(root, 'pkg', 'miniprogram', 'index.js'), 'utf8')}\n})`, context)(module, module.exports);
  await module.exports.load({ bytes: readFileSync(plainWasm) });
  const bridge = new module.exports.ConsentBridge({ host: mockAlipayHost() });
  assert.equal((await bridge.askOpenUserInfo()).nickName, 'Mock User');
  assert.ok(made.encoders >= 1 && made.decoders >= 1, `native classes constructed: ${JSON.stringify(made)}`);
  await assert.rejects(freshEntryWithWebAssembly().load(), (e) => e.code === 'INVALID_CONFIG');
});

function freshEntryWithWebAssembly() {
  const context = vm.createContext({ console, setTimeout, clearTimeout, WebAssembly });
  const module = { exports: {} };
  vm.runInContext(`(function (module, exports) {\n${readFileSync(join(root, 'pkg', 'miniprogram', 'index.js'), 'utf8')}\n})`, context)(module, module.exports);
  return module.exports;
}

test('in Node and browsers the same entry loads from bytes or a compiled module', async () => {
  const bytes = readFileSync(plainWasm);
  // Here the runtime has a WebAssembly global, as Node and browsers do.
  const context = vm.createContext({ console, setTimeout, clearTimeout, WebAssembly, bn: mockBinanceHost() });
  const source = readFileSync(join(root, 'pkg', 'miniprogram', 'index.js'), 'utf8');
  const module = { exports: {} };
  vm.runInContext(`(function (module, exports) {\n${source}\n})`, context)(module, module.exports);
  await module.exports.load({ module: await WebAssembly.compile(bytes) });
  const consent = await new module.exports.ConsentBridge({}).askOpenId();
  assert.equal(consent.kind, 'openId');
});

test('a .wasm.br where the runtime cannot decompress it fails with a message that names the plain file', async () => {
  const brotli = readFileSync(join(root, 'pkg', 'miniprogram', 'mp_consent_bridge.wasm.br'));
  const names = (e) => e.code === 'INVALID_CONFIG' && /brotli/.test(e.message) && /mp-consent-bridge\/web\/mp_consent_bridge_bg\.wasm/.test(e.message);
  await assert.rejects(freshEntryWithWebAssembly().load({ bytes: brotli }), names);
  await assert.rejects(freshEntryWithWebAssembly().load({ bytes: new Uint8Array(brotli).buffer }), names);
  // No WXWebAssembly / MYWebAssembly: a .br path cannot work at all.
  await assert.rejects(freshEntryWithWebAssembly().load({ path: '/x/mp_consent_bridge.wasm.br' }), names);
  // An old WeChat base library that rejects .br paths.
  const { api } = logicLayer({ bn: mockBinanceHost() });
  const context = vm.createContext({ console, setTimeout, clearTimeout, WXWebAssembly: { instantiate: () => Promise.reject(new Error('invalid wasm')) } });
  const module = { exports: {} };
  vm.runInContext(`(function (module, exports) {\n${readFileSync(join(root, 'pkg', 'miniprogram', 'index.js'), 'utf8')}\n})`, context)(module, module.exports);
  await assert.rejects(module.exports.load({ path: wasmPath }), (e) => names(e) && /2\.14/.test(e.message));
  // The shipped .br is the plain module, compressed.
  assert.deepEqual(brotliDecompressSync(brotli), readFileSync(plainWasm));
  await api.load({ path: wasmPath });
});
