// Two Node `vm` contexts shaped like a mini program page and its Worker, joined by an
// asynchronous, copying postMessage (structuredClone, delivered on a later timer turn),
// running the BUILT split-mode halves from pkg/miniprogram/.
//  - the page context has the host (`my` or `bn`) and no WebAssembly, fetch or require;
//  - the Worker context has MYWebAssembly (path-only, reading the code package) and no
//    host object, fetch, TextEncoder/TextDecoder or WebAssembly global.
// The Worker loads the shipped .wasm.br, as Alipay's MYWebAssembly does.
// The channel can drop, duplicate, reorder, rewrite or hold messages, and be killed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { brotliDecompressSync } from 'node:zlib';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const codePackage = join(root, 'pkg', 'miniprogram');
export const wasmPath = '/workers/mp_consent_bridge.wasm.br';

const BARE = ['fetch', 'XMLHttpRequest', 'TextEncoder', 'TextDecoder', 'WebAssembly', 'window', 'self', 'queueMicrotask', 'require', 'my', 'bn', 'wx'];

function bareContext(globals) {
  const context = vm.createContext({ console, setTimeout, clearTimeout, ...globals });
  vm.runInContext('delete globalThis.WebAssembly;', context);
  const present = vm.runInContext(`${JSON.stringify(BARE)}.filter((n) => typeof globalThis[n] !== 'undefined')`, context);
  return { context, present: [...present] };
}

/** Evaluates a CommonJS file in `context`; `modules` answers its require() calls. */
function runCjs(context, file, source, modules = {}) {
  const module = { exports: {} };
  const require = (name) => {
    if (!(name in modules)) throw new Error(`require(${name}) is not available here`);
    return modules[name];
  };
  const wrapped = vm.runInContext(`(function (module, exports, require, globalThis, global, window, self) {\n${source}\n})`, context, { filename: file });
  wrapped(module, module.exports, require, undefined, undefined, undefined, undefined);
  return module.exports;
}

/**
 * A channel between the page's Worker object and the Worker's global `worker`.
 * `tap(direction, message, send)` may call send(message) zero, one or more times, later.
 */
export function channel() {
  const listeners = { page: [], worker: [] };
  const killed = [];
  const log = [];
  let dead = false;
  const state = { tap: null, dead: () => dead };
  const deliver = (to, message) => {
    if (dead) return;
    const copy = structuredClone(message); // copies now, like postMessage
    setTimeout(() => {
      if (!dead) for (const l of listeners[to]) l(copy);
    }, 0);
  };
  const post = (to) => (message) => {
    log.push({ to, message: structuredClone(message) });
    if (state.tap) state.tap(to, message, (m) => deliver(to, m));
    else deliver(to, message);
  };
  // Like WeChat's and Alipay's Worker objects: onMessage keeps the last listener only.
  state.pageWorker = {
    postMessage: post('worker'),
    onMessage: (l) => (listeners.page = [l]),
    onProcessKilled: (l) => killed.push(l),
    terminate: () => (dead = true),
  };
  state.workerGlobal = { postMessage: post('page'), onMessage: (l) => (listeners.worker = [l]) };
  state.log = log;
  state.kill = () => {
    dead = true;
    setTimeout(() => killed.forEach((l) => l()), 0);
  };
  return state;
}

/** The Worker: index.js + split-worker.js in a bare context with a path-only MYWebAssembly. */
export function workerContext(chan, { rewrite } = {}) {
  const paths = [];
  const MYWebAssembly = {
    instantiate(path, imports) {
      paths.push(path);
      if (typeof path !== 'string' || !path.startsWith('/workers/')) return Promise.reject(new Error('path must be inside the workers folder'));
      const file = normalize(join(codePackage, path.slice('/workers/'.length)));
      if (!file.startsWith(codePackage)) return Promise.reject(new Error('path outside the code package'));
      // Alipay decompresses a .wasm.br path itself.
      const bytes = readFileSync(file);
      return WebAssembly.instantiate(path.endsWith('.br') ? brotliDecompressSync(bytes) : bytes, imports);
    },
  };
  const { context, present } = bareContext({ MYWebAssembly, worker: chan.workerGlobal });
  assert.deepEqual(present, [], 'the Worker context lacks fetch, TextDecoder, WebAssembly and every host');
  const entry = runCjs(context, 'workers/index.js', readFileSync(join(codePackage, 'index.js'), 'utf8'));
  let source = readFileSync(join(codePackage, 'split-worker.js'), 'utf8');
  if (rewrite) source = rewrite(source);
  const half = runCjs(context, 'workers/split-worker.js', source, { './index.js': entry });
  return { half, entry, paths, context };
}

/** The page: split-page.js alone in a bare context whose only host is `hosts`. */
export function pageContext(hosts) {
  const { context, present } = bareContext(hosts);
  assert.deepEqual(present.sort(), Object.keys(hosts).sort(), 'the page context has its host and no WebAssembly, fetch or require');
  return runCjs(context, 'miniprogram_npm/mp-consent-bridge/split-page.js', readFileSync(join(codePackage, 'split-page.js'), 'utf8'));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
