// The package as users meet it, from its tarball, through the ecosystem's own tools
// (tools.mjs installs them): @arethetypeswrong/cli; tsc --strict consumers (CommonJS
// node16, ESM bundler, WeChat's TypeScript template with miniprogram-api-typings, Alipay
// with @mini-types/my, Binance with @binance/mp-service); Node import and require of every
// entry; a bridge used before load() resolves; jest's defaults and a miniprogram-simulate
// component test. MPCB_PKG=build/<older pkg> runs the same tests against another build.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installPackage, installTools, root } from './tools.mjs';

let tools;
let tarball;
const consumers = () => join(tools, 'consumers');
const run = (cmd, args, cwd = tools) => {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stdout}${e.stderr}`);
  }
};

before(() => {
  tools = installTools();
  tarball = installPackage();
  rmSync(consumers(), { recursive: true, force: true });
  cpSync(join(root, 'tests', 'packaging', 'ecosystem'), consumers(), { recursive: true });
});

test('@arethetypeswrong/cli: no problem in any entry under any module resolution', () => {
  // The .wasm subpath is a file for bundlers and load({ bytes }), not a module. "./web" is
  // ES module only by design (its init() finds the .wasm through import.meta.url): its
  // require() from CommonJS is attw's cjs-resolves-to-esm, the one rule ignored here.
  // attw exits 1 on any problem, the explained one too: its JSON report is judged instead.
  const attw = spawnSync(join(tools, 'node_modules', '.bin', 'attw'), [tarball, '--format', 'json', '--exclude-entrypoints', './web/mp_consent_bridge_bg.wasm', './package.json'], { cwd: tools, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const out = JSON.parse(attw.stdout || 'null');
  assert.ok(out && out.analysis, `attw gave no report: ${attw.stderr}`);
  const problems = (out.analysis?.problems ?? []).filter((p) => !(p.kind === 'CJSResolvesToESM' && p.entrypoint === './web'));
  assert.deepEqual(problems, [], JSON.stringify(problems, null, 1));
  const entrypoints = Object.keys(out.analysis.entrypoints).sort();
  assert.deepEqual(entrypoints, ['.', './miniprogram', './miniprogram/split-page', './miniprogram/split-worker', './testing', './web']);
});

for (const consumer of ['cjs-node16', 'esm-bundler', 'wechat-ts', 'alipay-ts', 'binance-ts']) {
  test(`tsc --strict: the ${consumer} consumer type-checks against the installed package`, () => {
    run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(consumers(), consumer), '--noEmit']);
  });
}

// Every entry, the names its types promise, by require() and by a static ESM import.
const ENTRIES = {
  'mp-consent-bridge': ['BridgeError', 'ConsentBridge', 'load'],
  'mp-consent-bridge/miniprogram': ['BridgeError', 'ConsentBridge', 'load'],
  'mp-consent-bridge/miniprogram/split-page': ['BridgeError', 'SplitPage', 'createSplitPage'],
  'mp-consent-bridge/miniprogram/split-worker': ['BridgeError', 'ConsentBridge', 'load', 'serveSplit'],
  'mp-consent-bridge/testing': ['alipayAuthError', 'alipayUserInfo', 'alipayUserInfoError', 'binanceDenial', 'fakeToken', 'mockAlipayHost', 'mockBinanceHost'],
  'mp-consent-bridge/web': ['BridgeError', 'ConsentBridge', 'default', 'initSync'],
};
for (const [entry, names] of Object.entries(ENTRIES)) {
  test(`Node: import { ${names.join(', ')} } from '${entry}' and require() of it`, () => {
    const imported = names.filter((n) => n !== 'default');
    const esm = run('node', ['--input-type=module', '-e', `import { ${imported.join(', ')} } from '${entry}'; import * as all from '${entry}'; console.log(JSON.stringify([${imported.map((n) => `typeof ${n}`).join(',')}]), Object.keys(all).sort().join(','))`]);
    const [types, keys] = esm.trim().split(' ');
    assert.ok(JSON.parse(types).every((t) => t === 'function'), `${entry}: ${types}`);
    for (const n of names) assert.ok(keys.split(',').includes(n), `${entry} lacks ${n} (has ${keys})`);
    // "./web" is ES module only; require() of it works where Node can require ESM (>= 20.19).
    const cjs = run('node', ['-e', `const m = require('${entry}'); console.log(Object.keys(m).sort().join(','))`]);
    for (const n of names) assert.ok(cjs.trim().split(',').includes(n), `require('${entry}') lacks ${n} (has ${cjs.trim()})`);
  });
}

test('a bridge made before load() resolves is a BridgeError (INVALID_CONFIG) that says to await load()', () => {
  const probe = (entry, loaded) => `
    // module.exports through default where Node detects no names (kept apart from that check).
    const m = await import('${entry}');
    const { ConsentBridge, BridgeError } = m.ConsentBridge ? m : m.default;
    try { new ConsentBridge(); console.log('no error'); }
    catch (e) { console.log(JSON.stringify({ bridge: e instanceof BridgeError, error: e instanceof Error, name: e.name, code: e.code, details: e.details, message: e.message })); }
    ${loaded}`;
  for (const entry of ['mp-consent-bridge/miniprogram', 'mp-consent-bridge/web']) {
    const out = JSON.parse(run('node', ['--input-type=module', '-e', probe(entry, '')]).trim());
    assert.equal(out.bridge, true, `${entry}: ${JSON.stringify(out)}`);
    assert.equal(out.error, true);
    assert.equal(out.name, 'BridgeError');
    assert.equal(out.code, 'INVALID_CONFIG');
    assert.deepEqual(out.details, {});
    assert.match(out.message, /await load\(/);
  }
  // After load() the same call works, and wasm-made errors are still BridgeErrors.
  const after = run('node', ['--input-type=module', '-e', `
    import { readFileSync } from 'node:fs';
    import { createRequire } from 'node:module';
    const { load, ConsentBridge, BridgeError } = await import('mp-consent-bridge/miniprogram');
    await load({ bytes: readFileSync(createRequire(import.meta.url).resolve('mp-consent-bridge/web/mp_consent_bridge_bg.wasm')) });
    try { new ConsentBridge({ nope: 1 }); } catch (e) { console.log(e instanceof BridgeError, e instanceof Error, e.code); }
    console.log(typeof new ConsentBridge().askPhoneNumber);`]);
  assert.equal(after.trim(), 'true true INVALID_CONFIG\nfunction');
});

test('jest: default setup requires the package and its mock hosts; miniprogram-simulate taps run flows', () => {
  const dir = join(consumers(), 'jest');
  const out = run('node', [join(tools, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--rootDir', dir, '--json'], dir);
  const report = JSON.parse(out);
  const names = report.testResults.flatMap((f) => f.assertionResults.map((a) => `${a.status} ${a.title}`));
  assert.equal(report.numFailedTests, 0, names.join('\n'));
  assert.equal(report.numPassedTests, 2, names.join('\n'));
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort(), ['component.test.js', 'default.test.js']);
});

// The README's per-tool table (README.md and the npm README, pkg-template/README.md) against
// what the suites run: every `snippet` in a tool's row must appear in that tool's files.
const TOOL_FILES = {
  'WeChat native': ['examples/wechat/miniprogram/pages/index/index.js', 'tests/packaging/ecosystem/wechat-ts/pages/index/index.ts'],
  Binance: ['examples/binance/wasm-loader.js', 'examples/binance/pages/index/index.js'],
  Alipay: ['examples/alipay/pages/index/index.js', 'examples/alipay/workers/consent.js'],
  'Taro 4': ['tests/packaging/taro/src/pages/index/index.jsx', 'tests/packaging/taro/config/index.js'],
  'uni-app': ['tests/packaging/uni-app/src/pages/index/index.vue'],
  'webpack 5': ['tests/packaging/consumer/src/main.js', 'tests/packaging/run.mjs'],
  'vite 7': ['tests/packaging/consumer/src/main.js', 'tests/packaging/run.mjs'],
  esbuild: ['tests/packaging/consumer/src/main.js', 'tests/packaging/run.mjs'],
  'rollup 4': ['tests/packaging/consumer/src/rollup.js', 'tests/packaging/run.mjs'],
  Node: ['tests/packaging/ecosystem/cjs-node16/index.ts', 'tests/packaging/ecosystem/jest/default.test.js'],
  jest: ['tests/packaging/ecosystem/jest/default.test.js', 'tests/packaging/ecosystem/jest/component/index.js', 'tests/packaging/ecosystem/jest/jest.config.js'],
};
test('the README\'s per-tool table: one row per tool, and every import and config snippet is what the suites run', () => {
  const squash = (t) => t.replace(/\s+/g, ' ');
  const tables = ['README.md', 'pkg-template/README.md'].map((f) => {
    const text = readFileSync(join(root, f), 'utf8');
    const m = /<!-- tools-table[^>]*-->\n([\s\S]*?)<!-- \/tools-table -->/.exec(text);
    assert.ok(m, `${f} has the tools table`);
    return m[1];
  });
  assert.equal(tables[0], tables[1], 'README.md and the npm README show the same table');
  const rows = tables[0].split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| tool') && !l.startsWith('|---'));
  const seen = [];
  for (const row of rows) {
    const [tool, imports, config] = row.split(' | ').map((c) => c.replace(/^\| /, ''));
    const key = Object.keys(TOOL_FILES).find((k) => tool.startsWith(k));
    assert.ok(key, `a test backs the row ${tool}`);
    seen.push(key);
    const files = TOOL_FILES[key].map((f) => squash(readFileSync(join(root, f), 'utf8'))).join('\n');
    for (const [, snippet] of `${imports} ${config}`.matchAll(/`([^`]+)`/g)) {
      assert.ok(files.includes(squash(snippet)), `${key}: \`${snippet}\` is not in ${TOOL_FILES[key].join(', ')}`);
    }
  }
  assert.deepEqual(seen.sort(), Object.keys(TOOL_FILES).sort(), 'one row per tool');
});
