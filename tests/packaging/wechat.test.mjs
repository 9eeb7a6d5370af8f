// The WeChat example (examples/wechat) built by WeChat's own npm build: the packed tarball
// is installed into a copy of the example, `packNpm` from the npm package miniprogram-ci
// (offline, dummy appid and key) builds miniprogram_npm/, and the page's onLoad and tap
// handler run in a vm logic layer (no fetch, TextDecoder or WebAssembly) whose only wasm
// loader is a path-only WXWebAssembly reading that output; the phone-number token goes
// through wx.request (real HTTP) to the reference backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { brotliDecompressSync } from 'node:zlib';
import { mockBinanceHost } from '../../js/mock-hosts.js';
import { installPackage, installTools, pkgDir } from './tools.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const backend = process.env.MPCB_BACKEND;
const MINIPROGRAM_CI = '2.1.42';
const tools = join(root, 'build', 'tools', `miniprogram-ci-${MINIPROGRAM_CI}`);
const work = join(root, 'build', 'wechat-example');
const project = join(work, 'project');
const mpRoot = join(project, 'miniprogram');
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** miniprogram-ci, installed once into build/tools (about 1 minute, 275 MB). */
function miniprogramCi() {
  const stamp = join(tools, 'node_modules', 'miniprogram-ci', 'package.json');
  if (!existsSync(stamp)) {
    mkdirSync(tools, { recursive: true });
    writeFileSync(join(tools, 'package.json'), JSON.stringify({ name: 'wechat-tools', private: true }));
    npm(['install', `miniprogram-ci@${MINIPROGRAM_CI}`, '--no-audit', '--no-fund', '--loglevel=error'], tools);
  }
  return createRequire(join(tools, 'package.json'))('miniprogram-ci');
}

let built;
/** The example, with the tarball installed and WeChat's npm build run on it. */
async function build() {
  if (built) return built;
  const ci = miniprogramCi();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const [{ filename }] = JSON.parse(npm(['pack', pkgDir, '--pack-destination', work, '--json', '--loglevel=error'], work));
  cpSync(join(root, 'examples', 'wechat'), project, { recursive: true });
  npm(['install', join(work, filename), '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], mpRoot);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(work, 'dummy.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
  const ciProject = new ci.Project({ appid: 'wx0000000000000000', type: 'miniProgram', projectPath: project, privateKeyPath: join(work, 'dummy.key'), ignores: ['node_modules/**/*'] });
  const warnings = await ci.packNpm(ciProject, { reporter: () => {} });
  built = { warnings };
  return built;
}

function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p.slice(dir.length + 1));
    }
  };
  walk(dir);
  return out.sort();
}

test('WeChat\'s own npm build (miniprogram-ci packNpm) puts the entry and the .wasm.br the page loads in miniprogram_npm/', async () => {
  await build();
  const out = join(mpRoot, 'miniprogram_npm', 'mp-consent-bridge');
  assert.ok(existsSync(out), 'packNpm made miniprogram_npm/mp-consent-bridge');
  const files = filesUnder(out);
  assert.ok(files.includes('index.js'), `entry present: ${files.join(', ')}`);
  assert.ok(files.includes('mp_consent_bridge.wasm.br'), 'the .wasm.br the page loads is there');
  assert.ok(!files.some((f) => f.endsWith('.wasm')), 'no plain .wasm lands in the code package');
  const page = readFileSync(join(mpRoot, 'pages', 'index', 'index.js'), 'utf8');
  assert.match(page, /\/miniprogram_npm\/mp-consent-bridge\/mp_consent_bridge\.wasm\.br/, 'the page loads exactly that path');
  const bytes = files.reduce((n, f) => n + statSync(join(out, f)).size, 0);
  console.log(`# in-package bytes after WeChat's npm build: ${bytes} B (${files.length} files: ${files.join(', ')})`);
  assert.ok(bytes < 150 * 1024, `${bytes} B in the code package`);
});

/** The example's page in a WeChat-like logic layer, its require resolving like WeChat's. */
function loadPage(wx, pageFile = './pages/index/index.js') {
  const pages = [];
  const paths = [];
  const WXWebAssembly = {
    instantiate(path, imports) {
      paths.push(path);
      if (typeof path !== 'string' || !/\.wasm(\.br)?$/.test(path)) return Promise.reject(new Error('path must be a .wasm or .wasm.br in the code package'));
      const file = normalize(join(mpRoot, path));
      if (!file.startsWith(mpRoot) || !existsSync(file)) return Promise.reject(new Error(`no such file in the code package: ${path}`));
      const bytes = readFileSync(file);
      return WebAssembly.instantiate(path.endsWith('.br') ? brotliDecompressSync(bytes) : bytes, imports);
    },
  };
  const app = { globalData: { backend } };
  const context = vm.createContext({ console, setTimeout, clearTimeout, wx, WXWebAssembly, Page: (config) => pages.push(config), getApp: () => app });
  vm.runInContext('delete globalThis.WebAssembly;', context);
  const cache = {};
  const requireFrom = (dir) => (name) => {
    // WeChat: a bare name resolves to miniprogram_npm/<name>/index.js; paths are relative.
    const file = name.startsWith('.') ? normalize(join(dir, name.endsWith('.js') ? name : `${name}.js`)) : join(mpRoot, 'miniprogram_npm', name, 'index.js');
    if (!file.startsWith(mpRoot) || !existsSync(file)) throw new Error(`module ${name} is not in the code package`);
    if (!cache[file]) {
      const module = { exports: {} };
      cache[file] = module;
      vm.runInContext(`(function (module, exports, require) {\n${readFileSync(file, 'utf8')}\n})`, context, { filename: file.slice(mpRoot.length) })(module, module.exports, requireFrom(dirname(file)));
    }
    return cache[file].exports;
  };
  requireFrom(mpRoot)(pageFile);
  assert.equal(pages.length, 1, 'the page registered itself');
  const page = Object.create(pages[0]);
  page.data = { ...pages[0].data };
  page.setData = (patch) => Object.assign(page.data, patch);
  return { page, paths };
}

test('the example page runs in a WeChat-like logic layer: onLoad loads the built wasm, the button forwards once', async () => {
  assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
  await build();
  const wx = mockBinanceHost();
  const { page, paths } = loadPage(wx);
  await page.onLoad();
  assert.equal(page.data.error, '', `onLoad: ${page.data.error}`);
  assert.equal(page.data.ready, true);
  assert.deepEqual(paths, ['/miniprogram_npm/mp-consent-bridge/mp_consent_bridge.wasm.br']);
  const code = `wechat-example-${process.pid}-${Date.now()}`;
  await page.onGetPhoneNumber({ type: 'getphonenumber', detail: { errMsg: 'getPhoneNumber:ok', code } });
  assert.equal(page.data.error, '');
  assert.equal(JSON.parse(page.data.result).kind, 'phoneNumber');
  assert.equal(wx.calls.filter((c) => c.api === 'request').length, 1, 'forwarded through wx.request');
  const received = await (await fetch(`${backend}/__test/received`)).json();
  assert.equal(received.filter((r) => r.body && r.body.includes(code)).length, 1, 'the backend received the code once');
  // The same event again: the token was already used.
  await page.onGetPhoneNumber({ type: 'getphonenumber', detail: { errMsg: 'getPhoneNumber:ok', code } });
  assert.equal(page.data.error, 'TOKEN_ALREADY_USED');
  // The user declines: no code, a typed denial, nothing forwarded.
  await page.onGetPhoneNumber({ type: 'getphonenumber', detail: { errMsg: 'getPhoneNumber:fail user deny' } });
  assert.equal(page.data.error, 'USER_DENIED');
  assert.equal(wx.calls.filter((c) => c.api === 'request').length, 1);
});

test('the README\'s WeChat TypeScript page (one import, type-checked with miniprogram-api-typings) compiles and runs from the packNpm output', async () => {
  assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
  await build();
  // What "Build npm" leaves: the bare specifier resolves, the subpath the README once showed does not.
  const out = join(mpRoot, 'miniprogram_npm', 'mp-consent-bridge');
  assert.ok(existsSync(join(out, 'index.js')), "require('mp-consent-bridge') resolves to miniprogram_npm/mp-consent-bridge/index.js");
  assert.ok(!existsSync(join(out, 'miniprogram')), 'packNpm copies the folder\'s contents, so mp-consent-bridge/miniprogram is not there');
  // tsc with WeChat's template options and the official typings, against the same tarball.
  const tools = installTools();
  installPackage();
  const ts = join(tools, 'consumers-wechat-ts');
  rmSync(ts, { recursive: true, force: true });
  cpSync(join(root, 'tests', 'packaging', 'ecosystem', 'wechat-ts'), ts, { recursive: true });
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', ts], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    assert.fail(`tsc: ${e.stdout}${e.stderr}`);
  }
  mkdirSync(join(mpRoot, 'pages', 'ts'), { recursive: true });
  cpSync(join(ts, 'dist', 'pages', 'index', 'index.js'), join(mpRoot, 'pages', 'ts', 'index.js'));
  const wx = mockBinanceHost();
  const { page, paths } = loadPage(wx, './pages/ts/index.js');
  await page.onLoad();
  assert.deepEqual(paths, ['/miniprogram_npm/mp-consent-bridge/mp_consent_bridge.wasm.br'], 'load({ instantiate: WXWebAssembly.instantiate, path })');
  const code = `wechat-ts-${process.pid}-${Date.now()}`;
  page.onGetPhoneNumber({ type: 'getphonenumber', detail: { errMsg: 'getPhoneNumber:ok', code } });
  for (let i = 0; i < 200 && !page.data.result && !page.data.error; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(page.data.error, '');
  assert.equal(JSON.parse(page.data.result).kind, 'phoneNumber');
  const received = await (await fetch(`${backend}/__test/received`)).json();
  assert.equal(received.filter((r) => r.body && r.body.includes(code)).length, 1, 'the backend received the code once');
});
