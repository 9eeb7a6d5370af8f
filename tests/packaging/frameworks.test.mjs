// The README's framework guides, followed to the letter and built by each framework's own
// CLI from npm, in throwaway projects under build/ (never in the root package.json):
// Taro 4.2.1 (React, weapp target) and uni-app (vue3 + vite, mp-weixin). Each output must
// hold the wasm and run one flow in a WeChat-like vm logic layer: the page mounts, the
// wasm loads by path, a tap calls the host synchronously and the token is forwarded
// through the host's request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mockBinanceHost } from '../../js/mock-hosts.js';
import { gestureHost, setTap } from '../support/harness.js';
import { logicLayer, sleep } from '../support/wechat-logic-layer.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const backend = process.env.MPCB_BACKEND;
const run = (cmd, args, cwd, env = {}) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true', ...env }, maxBuffer: 64 * 1024 * 1024 });

/** The packed tarball, once, under build/frameworks/. */
let tarball;
function pack() {
  if (!tarball) {
    const dir = join(root, 'build', 'frameworks');
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.tgz'))) rmSync(join(dir, f));
    const [{ filename }] = JSON.parse(run('npm', ['pack', join(root, 'pkg'), '--pack-destination', dir, '--json', '--loglevel=error'], dir));
    tarball = join(dir, filename);
  }
  return tarball;
}

/**
 * Copies the project template to build/<name>, points its mp-consent-bridge dependency at
 * the tarball and installs (the first run installs the framework, about 2 minutes; its
 * lock file stays in build/ so later runs only swap the tarball).
 */
function project(name) {
  const dir = join(root, 'build', name);
  const template = join(root, 'tests', 'packaging', name);
  for (const entry of readdirSync(template)) cpSync(join(template, entry), join(dir, entry), { recursive: true });
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const manifest = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
  manifest.dependencies['mp-consent-bridge'] = `file:${pack()}`;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  // The tarball keeps its name across builds: drop the installed copy and its lock entry so
  // npm installs this build's tarball, not the one it remembers.
  rmSync(join(dir, 'node_modules', 'mp-consent-bridge'), { recursive: true, force: true });
  const lockFile = join(dir, 'package-lock.json');
  if (existsSync(lockFile)) {
    const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
    delete lock.packages?.['node_modules/mp-consent-bridge'];
    writeFileSync(lockFile, JSON.stringify(lock, null, 2));
  }
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir);
  return dir;
}

test('Taro 4 (React, weapp): the guide builds, the output holds the wasm, and a tap forwards one token', async () => {
  assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
  const dir = project('taro');
  run(join(dir, 'node_modules', '.bin', 'taro'), ['build', '--type', 'weapp', '--no-check'], dir, { MPCB_BACKEND: backend });
  const dist = join(dir, 'dist');
  assert.ok(existsSync(join(dist, 'mp_consent_bridge.wasm.br')), 'copy.patterns put the .wasm.br in the output');
  assert.deepEqual(readFileSync(join(dist, 'mp_consent_bridge.wasm.br')), readFileSync(join(root, 'pkg', 'miniprogram', 'mp_consent_bridge.wasm.br')));

  const bn = mockBinanceHost();
  const layer = logicLayer(dist, { bn });
  layer.require('./app.js');
  assert.equal(layer.registered.apps.length, 1, 'Taro registered the App');
  const app = layer.registered.apps[0];
  app.onLaunch.call(app, {});
  app.onShow.call(app, {});
  layer.require('./pages/index/index.js');
  assert.equal(layer.registered.pages.length, 1, 'Taro registered the page');
  const config = layer.registered.pages[0];
  const page = layer.instance(config, 'pages/index/index');
  config.onLoad.call(page, {});
  config.onShow.call(page);
  config.onReady.call(page);
  const text = () => Object.entries(page.data).filter(([k]) => k.endsWith('.v')).map(([, v]) => v).pop();
  for (let i = 0; i < 100 && text() !== 'ready'; i += 1) await sleep(20);
  assert.equal(text(), 'ready', `the page loaded the wasm: ${JSON.stringify(page.data).slice(0, 300)}`);
  assert.deepEqual(layer.paths, ['/mp_consent_bridge.wasm.br']);

  // A tap as WeChat delivers it to Taro's event handler (the button's id is "phone").
  config.eh.call(page, { type: 'tap', timeStamp: Date.now(), currentTarget: { id: 'phone', dataset: {} }, target: { id: 'phone', dataset: {} }, detail: { x: 1, y: 1 } });
  assert.deepEqual(bn.calls.map((c) => c.api), ['getPhoneNumber'], 'the host was called inside the tap, before any await');
  for (let i = 0; i < 100 && !/^(forwarded|error)/.test(text()); i += 1) await sleep(20);
  assert.equal(text(), 'forwarded: phoneNumber');
  assert.deepEqual(bn.calls.map((c) => c.api), ['getPhoneNumber', 'request'], 'forwarded through bn.request');
});

/** A WeChat Component-based page instance (uni-app registers pages with Component()). */
function componentInstance(options, route) {
  const inst = { data: JSON.parse(JSON.stringify(options.data || {})), properties: {}, is: route, route, __wxWebviewId__: 1 };
  inst.setData = (patch, cb) => {
    Object.assign(inst.data, patch);
    if (cb) setTimeout(cb, 0);
  };
  inst.triggerEvent = () => {};
  inst.selectAllComponents = () => [];
  inst.selectComponent = () => null;
  for (const [name, fn] of Object.entries(options.methods || {})) inst[name] = fn.bind(inst);
  return inst;
}

test('uni-app (vue3 + vite, mp-weixin): the guide builds, the output holds the wasm, and a tap forwards one token', async () => {
  assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
  const dir = project('uni-app');
  // The guide: the .wasm.br goes in static/.
  mkdirSync(join(dir, 'src', 'static'), { recursive: true });
  cpSync(join(dir, 'node_modules', 'mp-consent-bridge', 'miniprogram', 'mp_consent_bridge.wasm.br'), join(dir, 'src', 'static', 'mp_consent_bridge.wasm.br'));
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  run(join(dir, 'node_modules', '.bin', 'uni'), ['build', '-p', 'mp-weixin'], dir, { MPCB_BACKEND: backend });
  const out = join(dir, 'dist', 'build', 'mp-weixin');
  assert.deepEqual(readFileSync(join(out, 'static', 'mp_consent_bridge.wasm.br')), readFileSync(join(root, 'pkg', 'miniprogram', 'mp_consent_bridge.wasm.br')), 'the wasm is in the output');
  const wxml = readFileSync(join(out, 'pages', 'index', 'index.wxml'), 'utf8');
  assert.match(wxml, /<button id="phone" data-eventsync="true" bindtap="\{\{(\w+)\}\}">/);

  // A host that refuses consent calls made outside the tap, as real hosts do.
  const bn = gestureHost('binance');
  const layer = logicLayer(out, { bn });
  layer.require('./app.js');
  assert.equal(layer.registered.apps.length, 1, 'uni-app registered the App');
  layer.require('./pages/index/index.js');
  assert.equal(layer.registered.components.length, 1, 'uni-app registered the page (a Component)');
  const options = layer.registered.components[0];
  const page = componentInstance(options, 'pages/index/index');
  options.lifetimes.attached.call(page);
  page.onLoad({});
  for (let i = 0; i < 100 && page.data.c !== 'ready'; i += 1) await sleep(20);
  assert.equal(page.data.c, 'ready', `the page loaded the wasm: ${JSON.stringify(page.data)}`);
  assert.deepEqual(layer.paths, ['/static/mp_consent_bridge.wasm.br']);

  // WeChat calls the handler named by the bindtap value, with the target's data-* dataset.
  const tap = (id, handler, dataset) => {
    setTap(bn, true);
    try {
      page[handler]({ type: 'tap', timeStamp: Date.now(), currentTarget: { id, dataset }, target: { id, dataset }, detail: { x: 1, y: 1 } });
    } finally {
      setTap(bn, false);
    }
  };
  tap('phone', page.data.a, { eventsync: 'true' });
  assert.deepEqual(bn.calls.map((c) => c.api), ['getPhoneNumber'], 'with data-eventsync the host is called inside the tap');
  for (let i = 0; i < 100 && !/^(forwarded|error)/.test(page.data.c); i += 1) await sleep(20);
  assert.equal(page.data.c, 'forwarded: phoneNumber');
  assert.equal(bn.calls.filter((c) => c.api === 'request').length, 1, 'forwarded through bn.request');

  // Without data-eventsync uni-app defers the handler to a timer: the host refuses.
  tap('deferred', page.data.b, {});
  assert.equal(bn.calls.filter((c) => c.api === 'getPhoneNumber').length, 1, 'nothing called inside the tap');
  for (let i = 0; i < 100 && page.data.c === 'forwarded: phoneNumber'; i += 1) await sleep(20);
  assert.match(page.data.c, /^error: /);
  assert.equal(bn.calls.filter((c) => c.refused).length, 1, 'the late call was refused as outside the tap');
});
