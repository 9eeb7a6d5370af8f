// End to end in Node: mock host -> BUILT package -> reference backend, over fetch and over
// the host's request API (bn.request performing real HTTP).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConsentBridge } from 'mp-consent-bridge';
import { mockBinanceHost, binanceDenial } from 'mp-consent-bridge/testing';

const backend = process.env.MPCB_BACKEND;
test('the reference backend URL is provided', () => {
  assert.ok(backend && backend.startsWith('http://127.0.0.1:'), 'MPCB_BACKEND must be set by scripts/test');
});

async function received(token) {
  const all = await (await fetch(`${backend}/__test/received`)).json();
  return all.filter((r) => r.body.includes(token));
}

for (const transport of ['fetch', 'host']) {
  test(`phone number, open id, email and subscriptions over ${transport}`, async () => {
    const host = mockBinanceHost();
    const bridge = new ConsentBridge({ host, backend, transport, timeoutMs: 5000 });
    for (const [method, kind] of [['getPhoneNumber', 'phoneNumber'], ['getOpenId', 'openId'], ['getEmailAddress', 'email']]) {
      const answer = await bridge[method]();
      assert.equal(answer.ok, true);
      assert.equal(answer.kind, kind);
    }
    const sub = await bridge.requestSubscribeMessage(['n-1', 'n-2']);
    assert.deepEqual(sub.forwarded, ['n-1', 'n-2']);
    assert.equal(sub.response.stored, 2);
    const requests = host.calls.filter((c) => c.api === 'request').length;
    assert.equal(requests, transport === 'host' ? 4 : 0);
  });
}

test('the data token travels in the body only, with an idempotency key', async () => {
  const host = mockBinanceHost({ getPhoneNumber: { success: { code: `node-secret-${Date.now()}` } } });
  const bridge = new ConsentBridge({ host, backend });
  const consent = await bridge.askPhoneNumber();
  await bridge.forward(consent);
  const [req] = await received(consent.token);
  assert.equal(req.uri, '/consent/phone-number');
  assert.ok(!req.uri.includes(consent.token));
  assert.match(req.idempotencyKey, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(JSON.parse(req.body), { dataToken: consent.token, obtainedAt: consent.obtainedAt });
  await assert.rejects(bridge.forward(consent), { code: 'TOKEN_ALREADY_USED' });
});

test('a denial forwards nothing', async () => {
  const host = mockBinanceHost({ getEmailAddress: binanceDenial('getEmailAddress') });
  const bridge = new ConsentBridge({ host, backend });
  await assert.rejects(bridge.getEmailAddress(), { name: 'BridgeError', code: 'USER_DENIED' });
  assert.equal(host.calls.filter((c) => c.api === 'request').length, 0);
});

test('Node exits promptly after flows: every timer is cleared when a call settles', async () => {
  // Defaults arm a 60 s host timer and a 10 s request timer; a leaked one would keep Node alive.
  const script = `
    const { ConsentBridge } = require('mp-consent-bridge');
    const { mockBinanceHost } = require('mp-consent-bridge/testing');
    (async () => {
      for (const transport of ['fetch', 'host']) {
        const bridge = new ConsentBridge({ host: mockBinanceHost(), backend: process.env.MPCB_BACKEND, transport });
        await bridge.getPhoneNumber();
        await bridge.askOpenId();
      }
      const slow = new ConsentBridge({ host: mockBinanceHost({ getPhoneNumber: 'never' }), hostTimeoutMs: 100 });
      await slow.askPhoneNumber().catch((e) => { if (e.code !== 'HOST_TIMEOUT') throw e; });
      console.log('settled ' + Date.now());
    })().catch((e) => { console.error(e); process.exit(3); });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: fileURLToPath(new URL('.', import.meta.url)), env: process.env });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const exitedAt = Date.now();
  const settledAt = Number(/settled (\d+)/.exec(out)?.[1]);
  assert.equal(code, 0, out);
  assert.ok(settledAt > 0, out);
  assert.ok(exitedAt - settledAt < 1500, `Node lingered ${exitedAt - settledAt} ms after the last flow settled`);
});
