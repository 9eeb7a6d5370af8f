// The BUILT package's node entry, resolved through its exports map like a user's project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('../../pkg/package.json', import.meta.url), 'utf8'));

test('require and import both resolve to the node build through the exports map', async () => {
  const viaRequire = require('mp-consent-bridge');
  const viaImport = await import('mp-consent-bridge');
  assert.equal(typeof viaRequire.ConsentBridge, 'function');
  assert.equal(viaImport.ConsentBridge, viaRequire.ConsentBridge, 'one module instance for both');
  assert.match(require.resolve('mp-consent-bridge'), /pkg\/node\/mp_consent_bridge\.js$/);
  assert.match(fileURLToPath(import.meta.resolve('mp-consent-bridge')), /pkg\/node\/mp_consent_bridge\.js$/);
  assert.match(fileURLToPath(import.meta.resolve('mp-consent-bridge/testing')), /pkg\/testing\/mock-hosts\.js$/);
  assert.equal(require('mp-consent-bridge/package.json').name, 'mp-consent-bridge');
});

test('the manifest: types first in every condition, sideEffects kept, files listed', () => {
  // No top-level "types" in exports["."]: it would win over the CommonJS declarations of
  // node/require (TypeScript's TS1479 for CommonJS consumers, attw's "Masquerading as ESM").
  const root = manifest.exports['.'];
  assert.deepEqual(Object.keys(root), ['node', 'browser', 'import', 'require', 'default']);
  for (const cond of Object.keys(root)) {
    assert.equal(Object.keys(root[cond])[0], 'types', `${cond}: types first`);
  }
  assert.match(root.node.types, /^\.\/node\//);
  assert.match(root.require.types, /^\.\/node\//);
  assert.deepEqual(Object.keys(manifest.exports['./testing']), ['import', 'require', 'default']);
  assert.match(manifest.exports['./testing'].require.types, /\.d\.cts$/);
  assert.ok(Array.isArray(manifest.sideEffects) && manifest.sideEffects.includes('./bundler/mp_consent_bridge.js'));
  for (const f of ['bundler/', 'web/', 'node/', 'miniprogram/', 'testing/', 'README.md']) assert.ok(manifest.files.includes(f), f);
  assert.equal(manifest.miniprogram, 'miniprogram', "WeChat's npm build reads the miniprogram folder");
  assert.deepEqual(Object.keys(manifest.exports['./miniprogram']), ['types', 'default']);
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
});

test('BridgeError is a real Error subclass with a stable code', async () => {
  const { ConsentBridge, BridgeError } = require('mp-consent-bridge');
  let caught;
  try {
    new ConsentBridge({ backend: 'http://example.com' });
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof BridgeError && caught instanceof Error);
  assert.equal(caught.name, 'BridgeError');
  assert.equal(caught.code, 'INVALID_CONFIG');
  assert.match(caught.message, /https/);
  assert.match(String(caught), /^BridgeError: /);
  assert.ok(caught.stack.length > 0);
  assert.deepEqual(caught.details, {});
});

test('every target stays within the committed weight budget', () => {
  const budget = JSON.parse(readFileSync(new URL('../../bench/weight-budget.json', import.meta.url), 'utf8')).totalGzipBytes;
  for (const [target, limit] of Object.entries(budget)) {
    const weight = JSON.parse(readFileSync(new URL(`../../build/weight-${target}.json`, import.meta.url), 'utf8'));
    const total = weight.wasm.gzip + weight.glue.gzip;
    assert.ok(total <= limit, `${target}: ${total} gzip bytes exceed the budget of ${limit} (bench/weight-budget.json)`);
  }
});
