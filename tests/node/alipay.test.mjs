// Alipay flows in Node through the BUILT package, forwarded over my.request (the host
// transport, Alipay's result and error shapes) to the reference backend, with faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsentBridge } from 'mp-consent-bridge';
import { mockAlipayHost, alipayUserInfoError } from 'mp-consent-bridge/testing';

const backend = process.env.MPCB_BACKEND;
let n = 0;
const scenario = () => `node-alipay-${process.pid}-${++n}`;
async function fault(id, spec) {
  const r = await fetch(`${backend}/__test/fault`, { method: 'POST', body: JSON.stringify({ ...spec, scenario: id }) });
  assert.equal(r.status, 200);
}
async function received(id) {
  const all = await (await fetch(`${backend}/__test/received`)).json();
  return all.filter((r) => r.headers['x-test-scenario'] === id);
}
function bridgeFor(id, extra = {}) {
  const host = mockAlipayHost();
  return { host, bridge: new ConsentBridge({ host, backend, transport: 'host', headers: { 'X-Test-Scenario': id }, ...extra }) };
}

test('auth code and profile travel through my.request', async () => {
  const id = scenario();
  const { host, bridge } = bridgeFor(id);
  assert.equal((await bridge.getAuthCode(['auth_user'])).kind, 'authCode');
  assert.equal((await bridge.getOpenUserInfo()).kind, 'userInfo');
  assert.equal(host.calls.filter((c) => c.api === 'request').length, 2);
  const [codeReq, profileReq] = await received(id);
  assert.equal(codeReq.uri, '/consent/auth-code');
  assert.deepEqual(Object.keys(JSON.parse(codeReq.body)), ['authCode', 'scopes']);
  assert.equal(JSON.parse(profileReq.body).nickName, 'Mock User');
});

test('my.request faults: error 19 with status, retries on 503, abort on timeout', async () => {
  let id = scenario();
  await fault(id, { kind: 'status', status: 422, times: 1, body: { error: 'invalid_grant' } });
  await assert.rejects(bridgeFor(id).bridge.getAuthCode(['auth_base']), (e) => {
    assert.equal(e.code, 'BACKEND_REJECTED');
    assert.equal(e.details.status, 422);
    assert.equal(e.details.backendMessage, 'invalid_grant');
    return true;
  });
  id = scenario();
  await fault(id, { kind: 'status', status: 503, times: 2 });
  assert.equal((await bridgeFor(id).bridge.getAuthCode(['auth_base'])).ok, true);
  const keys = new Set((await received(id)).map((r) => r.idempotencyKey));
  assert.equal(keys.size, 1, 'one idempotency key across the retries');
  assert.equal((await received(id)).length, 3);
  id = scenario();
  await fault(id, { kind: 'slow', ms: 1500, times: 1 });
  await assert.rejects(bridgeFor(id, { timeoutMs: 200, retries: 0 }).bridge.getAuthCode(['auth_base']), { code: 'BACKEND_TIMEOUT' });
  id = scenario();
  await fault(id, { kind: 'drop', times: 1 });
  await assert.rejects(bridgeFor(id, { retries: 0 }).bridge.getAuthCode(['auth_base']), { code: 'NETWORK' });
});

test('40006 and 40003 never reach the backend', async () => {
  for (const [code, expected] of [['40006', 'HOST_ERROR'], ['40003', 'SCOPE_NOT_GRANTED']]) {
    const host = mockAlipayHost({ getOpenUserInfo: alipayUserInfoError(code) });
    const bridge = new ConsentBridge({ host, backend, transport: 'host' });
    await assert.rejects(bridge.getOpenUserInfo(), { code: expected });
    assert.equal(host.calls.filter((c) => c.api === 'request').length, 0);
  }
});
