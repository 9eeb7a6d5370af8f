// The BUILT mini program entry in JavaScriptCore (Debian's `jsc` shell), with the JIT on
// and off (JSC_useJIT=false, as iOS runs logic layers): every Binance and Alipay flow
// with mock hosts, the wasm loaded through a path loader, forwarding through a host
// request relayed to the reference backend over real HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { JSC, buildDriver, runDriver } from './run.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const backend = process.env.MPCB_BACKEND;
const codePackage = join(root, 'pkg');
const FLOWS = 14;

async function received(id) {
  const all = await (await fetch(`${backend}/__test/received`)).json();
  return all.filter((r) => r.headers['x-test-scenario'] === id);
}

test('JSC_useJIT=false really turns the JIT off in this jsc', () => {
  // jsc prints its options on stderr.
  const run = spawnSync(JSC, ['--options'], { env: { ...process.env, JSC_useJIT: 'false' }, encoding: 'utf8' });
  const options = run.stdout + run.stderr;
  assert.match(options, /^\s*useJIT=false\b/m);
});

for (const jit of [true, false]) {
  test(`every flow in JavaScriptCore with the JIT ${jit ? 'on' : 'off'}`, async () => {
    assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
    const scenario = `jsc-${jit ? 'jit' : 'nojit'}-${process.pid}`;
    const fault = await fetch(`${backend}/__test/fault`, { method: 'POST', body: JSON.stringify({ kind: 'status', status: 422, times: 1, body: { error: 'invalid_grant' }, scenario: `${scenario}-reject` }) });
    assert.equal(fault.status, 200);
    const out = await runDriver(await buildDriver(), [codePackage, backend, scenario], { jit });
    assert.equal(out.FATAL, undefined, `the driver failed: ${JSON.stringify(out.FATAL)} ${out.stderr}`);
    assert.ok(out.DONE, `the driver finished (exit ${out.exitCode}); stderr: ${out.stderr}`);
    assert.equal(out.RESULT.length, FLOWS, `every flow reported: ${out.RESULT.map((r) => r.name).join(', ')}`);
    for (const r of out.RESULT) assert.ok(r.ok, `${r.name}: ${r.error}`);
    const got = await received(scenario);
    assert.deepEqual(
      got.map((r) => r.uri),
      ['/consent/phone-number', '/consent/open-id', '/consent/email', '/consent/subscriptions', '/consent/phone-number', '/consent/phone-number', '/consent/auth-code', '/consent/user-info', '/consent/auth-code'],
      'the backend received each forwarded token once, over the relayed host request',
    );
    assert.equal(out.REQ.length, got.length + 1, 'every request went through the host request (and one was rejected)');
    assert.ok(out.START.totalMs > 0);
    assert.equal(out.BROTLI.code, 'INVALID_CONFIG', 'a .wasm.br jsc cannot decompress is a typed error');
    assert.match(out.BROTLI.message, /brotli.*mp-consent-bridge\/web\/mp_consent_bridge_bg\.wasm/);
  });
}

for (const jit of [true, false]) {
  test(`split mode in JavaScriptCore with the JIT ${jit ? 'on' : 'off'}: the page half in its own realm, the Worker half with the wasm`, async () => {
    assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
    const scenario = `jsc-split-${jit ? 'jit' : 'nojit'}-${process.pid}`;
    const out = await runDriver(await buildDriver('split-driver'), [codePackage, backend, scenario], { jit });
    assert.equal(out.FATAL, undefined, `the driver failed: ${JSON.stringify(out.FATAL)} ${out.stderr}`);
    assert.ok(out.DONE, `the driver finished (exit ${out.exitCode}); stderr: ${out.stderr}`);
    assert.equal(out.RESULT.length, 8, `every flow reported: ${out.RESULT.map((r) => r.name).join(', ')}`);
    for (const r of out.RESULT) assert.ok(r.ok, `${r.name}: ${r.error}`);
    const got = await received(scenario);
    assert.deepEqual(
      got.map((r) => r.uri),
      ['/consent/auth-code', '/consent/auth-code', '/consent/user-info', '/consent/user-info', '/consent/subscription-grants', '/consent/login-code', '/consent/subscription-grants'],
      'each token reached the backend once',
    );
  });
}
