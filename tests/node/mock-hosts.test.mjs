// The mock hosts in js/ follow the documented shapes (DESIGN.md §2) and misbehave on request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mockBinanceHost, binanceDenial, fakeToken } from '../../js/mock-hosts.js';

const viaCallbacks = (fn, options = {}) =>
  new Promise((resolve) => fn({ ...options, success: (v) => resolve(['success', v]), fail: (v) => resolve(['fail', v]) }));

test('default answers carry a data token in code, and subscriptions answer per template', async () => {
  const host = mockBinanceHost();
  const [kind, value] = await viaCallbacks(host.getPhoneNumber);
  assert.equal(kind, 'success');
  assert.match(value.code, /^phone\./);
  const [, sub] = await viaCallbacks(host.requestSubscribeMessage, { tmplIds: ['a', 'b'] });
  assert.equal(sub.errMsg, 'requestSubscribeMessage:ok');
  assert.equal(sub.a.type, 'accept');
  assert.ok(sub.b.token && sub.a.token !== sub.b.token);
  assert.deepEqual(host.calls.map((c) => c.api), ['getPhoneNumber', 'requestSubscribeMessage']);
});

test('denials use the WeChat-style errMsg and plans can answer through promises, twice, or never', async () => {
  const host = mockBinanceHost({
    getOpenId: binanceDenial('getOpenId'),
    getEmailAddress: { success: { code: 'p' }, via: 'promise' },
    getPhoneNumber: 'never',
  });
  assert.deepEqual(await viaCallbacks(host.getOpenId), ['fail', { errMsg: 'getOpenId:fail user deny' }]);
  assert.deepEqual(await host.getEmailAddress({}), { code: 'p' });
  assert.equal(host.getPhoneNumber({}), undefined);
  const twice = mockBinanceHost({ getPhoneNumber: { success: { code: 'x' }, twice: true } });
  let n = 0;
  await new Promise((resolve) => {
    twice.getPhoneNumber({ success: () => (n += 1), complete: () => setTimeout(resolve, 5) });
  });
  assert.equal(n, 2);
  assert.throws(() => mockBinanceHost({ getOpenId: { throws: new Error('sync') } }).getOpenId({}), /sync/);
});

test('fake tokens are unique and free of control characters', () => {
  const seen = new Set(Array.from({ length: 200 }, () => fakeToken()));
  assert.equal(seen.size, 200);
  for (const t of seen) assert.match(t, /^[\w.-]+$/);
});
