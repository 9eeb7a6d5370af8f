// WeChat end to end in Node: mockWechatHost -> BUILT package -> reference backend, over
// fetch and over wx.request (callback-only, real HTTP); plus Alipay subscriptions, the
// platform option and its detection, gesture safety of every new entry point, misbehaving
// hosts and token leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsentBridge } from 'mp-consent-bridge';
import {
  mockWechatHost, mockAlipayHost, mockBinanceHost, wechatPhoneEvent, wechatPhoneDenial, wechatPhoneQuota,
  wechatSubscribeError, alipaySubscribeAnswer, alipaySubscribeError,
} from 'mp-consent-bridge/testing';

const backend = process.env.MPCB_BACKEND;
const errorOf = (p) => p.then((v) => assert.fail(`expected a rejection, got ${JSON.stringify(v)}`), (e) => e);
const received = async (needle) => (await (await fetch(`${backend}/__test/received`)).json()).filter((r) => r.body.includes(needle));
const requests = (host) => host.calls.filter((c) => c.api === 'request').length;
let serial = 0;
const secret = (name) => `WXSECRET-${name}-${process.pid}-${Date.now()}-${serial++}`;

test('the reference backend URL is provided', () => {
  assert.ok(backend && backend.startsWith('http://127.0.0.1:'), 'MPCB_BACKEND must be set by scripts/test');
});

for (const transport of ['fetch', 'host']) {
  test(`WeChat login, phone number and subscriptions over ${transport}`, async () => {
    const code = secret('login');
    const wx = mockWechatHost({
      login: { success: { code, errMsg: 'login:ok' } },
      requestSubscribeMessage: { success: { errMsg: 'requestSubscribeMessage:ok', a: 'accept', b: 'reject', c: 'ban' } },
    });
    const bridge = new ConsentBridge({ platform: 'wechat', host: wx, backend, transport, timeoutMs: 5000 });
    const login = await bridge.login();
    assert.equal(login.kind, 'loginCode');
    const [req] = await received(code);
    assert.equal(req.uri, '/consent/login-code');
    const body = JSON.parse(req.body);
    assert.deepEqual(Object.keys(body), ['loginCode', 'obtainedAt', 'platform']);
    assert.equal(body.platform, 'wechat');

    const phone = secret('phone');
    assert.equal((await bridge.forwardPhoneNumberEvent(wechatPhoneEvent(phone))).kind, 'phoneNumber');
    assert.deepEqual(Object.keys(JSON.parse((await received(phone))[0].body)), ['dataToken', 'obtainedAt', 'platform']);
    // The realtime button's event works the same way.
    const realtime = await bridge.phoneNumberFromEvent(wechatPhoneEvent(secret('rt'), 'getrealtimephonenumber'));
    assert.equal(realtime.platform, 'wechat');
    assert.equal(realtime.expiresAt - realtime.obtainedAt, 5 * 60 * 1000);

    const sub = await bridge.requestSubscribeMessage(['a', 'b', 'c']);
    assert.equal(sub.platform, 'wechat');
    assert.deepEqual(sub.accepted, ['a']);
    assert.deepEqual(sub.rejected, [{ templateId: 'b', reason: 'reject' }, { templateId: 'c', reason: 'ban' }]);
    assert.deepEqual(sub.forwarded, ['a']);
    assert.equal(sub.response.stored, 1);
    assert.equal(requests(wx), transport === 'host' ? 3 : 0);
  });
}

test('a login code is forwarded once; the same consent again is TOKEN_ALREADY_USED', async () => {
  const bridge = new ConsentBridge({ platform: 'wechat', host: mockWechatHost(), backend });
  const consent = await bridge.askLoginCode();
  assert.deepEqual(Object.keys(consent), ['platform', 'loginCode', 'obtainedAt', 'expiresAt']);
  assert.equal(consent.expiresAt - consent.obtainedAt, 5 * 60 * 1000);
  assert.equal((await bridge.forward(consent)).kind, 'loginCode');
  assert.equal((await errorOf(bridge.forward(consent))).code, 'TOKEN_ALREADY_USED');
  // An edited consent cannot pass for another platform's or extend its life.
  assert.equal((await errorOf(bridge.forward({ ...consent, platform: 'alipay' }))).code, 'INVALID_ARGUMENT');
});

test('WeChat failures: denial, quota 1400001, 20004 and other codes, nothing forwarded', async () => {
  const wx = mockWechatHost({ requestSubscribeMessage: wechatSubscribeError(20004, 'requestSubscribeMessage:fail user switched off') });
  const bridge = new ConsentBridge({ platform: 'wechat', host: wx, backend });
  assert.equal((await errorOf(bridge.forwardPhoneNumberEvent(wechatPhoneDenial()))).code, 'USER_DENIED');
  const quota = await errorOf(bridge.forwardPhoneNumberEvent(wechatPhoneQuota()));
  assert.equal(quota.code, 'QUOTA_EXCEEDED');
  assert.equal(quota.details.hostCode, '1400001');
  const off = await errorOf(bridge.requestSubscribeMessage(['t1']));
  assert.equal(off.code, 'USER_DENIED');
  assert.equal(off.details.hostCode, '20004');
  assert.match(off.message, /switched off all subscription messages/);
  const other = await errorOf(new ConsentBridge({ platform: 'wechat', host: mockWechatHost({ requestSubscribeMessage: wechatSubscribeError(10002) }) }).askSubscribe(['t1']));
  assert.deepEqual([other.code, other.details.hostCode], ['HOST_ERROR', '10002']);
  assert.equal(requests(wx), 0);
});

test('calls WeChat does not have are typed errors, and its template limit is 5', async () => {
  const wx = mockWechatHost();
  const bridge = new ConsentBridge({ platform: 'wechat', host: wx });
  for (const call of [() => bridge.askPhoneNumber(), () => bridge.askOpenId(), () => bridge.askOpenUserInfo(), () => bridge.askAuthCode(['auth_base'])]) {
    const e = await errorOf(call());
    assert.equal(e.code, 'HOST_UNAVAILABLE');
    assert.match(e.message, /wechat/);
  }
  assert.equal((await errorOf(bridge.emailAddressFromEvent({ detail: { code: 'x' } }))).code, 'HOST_UNAVAILABLE');
  assert.equal((await bridge.askSubscribe(['1', '2', '3', '4', '5'])).accepted.length, 5);
  assert.equal((await errorOf(bridge.askSubscribe(['1', '2', '3', '4', '5', '6']))).code, 'INVALID_ARGUMENT');
  assert.equal(wx.calls.length, 1, 'only the valid subscription reached the host');
  // On Binance and Alipay the login code / profile calls are typed errors too.
  assert.equal((await errorOf(new ConsentBridge({ platform: 'alipay', host: mockAlipayHost() }).askLoginCode())).code, 'HOST_UNAVAILABLE');
  assert.equal((await errorOf(new ConsentBridge({ platform: 'binance', host: mockBinanceHost() }).askOpenUserInfo())).code, 'HOST_UNAVAILABLE');
});

test('bn.login gives a Binance login code', async () => {
  const bn = mockBinanceHost({ login: { success: { code: secret('bnlogin') } } });
  const consent = await new ConsentBridge({ platform: 'binance', host: bn }).askLoginCode();
  assert.equal(consent.platform, 'binance');
  assert.deepEqual(bn.calls.map((c) => c.api), ['login']);
});

test('Alipay subscriptions: entityIds, verdicts, forwarded grants and documented failures', async () => {
  const my = mockAlipayHost({ requestSubscribeMessage: alipaySubscribeAnswer({ e1: 'accept', e2: 'reject' }) });
  const bridge = new ConsentBridge({ platform: 'alipay', host: my, backend });
  const sub = await bridge.requestSubscribeMessage(['e1', 'e2']);
  assert.deepEqual(my.calls[0].options.entityIds, ['e1', 'e2']);
  assert.equal(my.calls[0].options.tmplIds, undefined);
  assert.deepEqual([sub.platform, sub.accepted, sub.forwarded, sub.response.stored], ['alipay', ['e1'], ['e1'], 1]);
  assert.equal((await errorOf(bridge.askSubscribe(['1', '2', '3', '4']))).code, 'INVALID_ARGUMENT', 'at most 3');
  for (const [code, expected] of [[11, 'USER_DENIED'], [15, 'CONSENT_BUSY'], [106002, 'INVALID_ARGUMENT'], [100201, 'HOST_ERROR']]) {
    const e = await errorOf(new ConsentBridge({ platform: 'alipay', host: mockAlipayHost({ requestSubscribeMessage: alipaySubscribeError(code) }) }).askSubscribe(['e1']));
    assert.deepEqual([e.code, e.details.hostCode], [expected, String(code)]);
  }
  // Nothing accepted: nothing sent.
  const none = new ConsentBridge({ platform: 'alipay', host: mockAlipayHost({ requestSubscribeMessage: alipaySubscribeAnswer({ e1: 'reject' }) }), backend });
  const nothing = await none.requestSubscribeMessage(['e1']);
  assert.deepEqual(nothing, { platform: 'alipay', accepted: [], rejected: [{ templateId: 'e1', reason: 'reject' }], obtainedAt: nothing.obtainedAt, forwarded: [], response: null });
});

test('every new entry point calls the host before its first await', () => {
  const wx = mockWechatHost({ login: 'never', requestSubscribeMessage: 'never' });
  const my = mockAlipayHost({ requestSubscribeMessage: 'never' });
  const bn = mockBinanceHost({ login: 'never' });
  const cases = [
    [wx, 'wechat', (b) => b.askLoginCode()],
    [wx, 'wechat', (b) => b.login()],
    [wx, 'wechat', (b) => b.askSubscribe(['g1'])],
    [wx, 'wechat', (b) => b.requestSubscribeMessage(['g1'])],
    [my, 'alipay', (b) => b.askSubscribe(['g1'])],
    [my, 'alipay', (b) => b.requestSubscribeMessage(['g1'])],
    [bn, 'binance', (b) => b.askLoginCode()],
    [bn, 'binance', (b) => b.login()],
  ];
  for (const [host, platform, call] of cases) {
    const before = host.calls.length;
    const bridge = new ConsentBridge({ platform, host, backend, hostTimeoutMs: 50 });
    call(bridge).catch(() => {});
    assert.equal(host.calls.length, before + 1, `${platform}: ${call}`);
  }
});

test('misbehaving wx: never, twice, throws, malformed, __proto__ keys', async () => {
  const run = (script, call, opts = {}) => call(new ConsentBridge({ platform: 'wechat', host: mockWechatHost(script), hostTimeoutMs: 100, ...opts }));
  assert.equal((await errorOf(run({ login: 'never' }, (b) => b.askLoginCode()))).code, 'HOST_TIMEOUT');
  const twice = await run({ login: { success: { code: 'once' }, twice: true } }, (b) => b.askLoginCode());
  assert.equal(twice.loginCode, 'once');
  const thrown = await errorOf(run({ login: { throws: new Error('boom') } }, (b) => b.askLoginCode()));
  assert.deepEqual([thrown.code, thrown.details.hostMessage], ['HOST_ERROR', 'boom']);
  for (const bad of [null, 7, { code: 7 }, { code: '' }, { code: 'a\nb' }, { errMsg: 'login:ok' }]) {
    assert.equal((await errorOf(run({ login: { success: bad } }, (b) => b.askLoginCode()))).code, 'INVALID_RESULT', JSON.stringify(bad));
  }
  const proto = JSON.parse('{"errMsg":"requestSubscribeMessage:ok","__proto__":"accept","a":"accept","constructor":"accept"}');
  const out = await run({ requestSubscribeMessage: { success: proto } }, (b) => b.askSubscribe(['__proto__', 'a', 'toString']));
  assert.deepEqual(out.accepted, ['__proto__', 'a']);
  assert.deepEqual(out.rejected, [{ templateId: 'toString', reason: 'missing' }]);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  // Verdict objects (Binance's shape) are not WeChat's: unknown, never accepted.
  const odd = await run({ requestSubscribeMessage: { success: { a: { type: 'accept', token: 't' } } } }, (b) => b.askSubscribe(['a']));
  assert.deepEqual(odd.rejected, [{ templateId: 'a', reason: 'unknownType' }]);
  // Answers through a promise (wx's promise style) are read the same.
  assert.equal((await run({ login: { success: { code: 'p' }, via: 'promise' } }, (b) => b.askLoginCode())).loginCode, 'p');
});

test('no WeChat token in an error message, String() or JSON', async () => {
  const code = secret('leak');
  const errors = [
    await errorOf(new ConsentBridge({ platform: 'wechat', host: mockWechatHost({ login: { fail: { errMsg: `login:fail ${code}`, code } } }) }).askLoginCode()),
    await errorOf(new ConsentBridge({ platform: 'wechat', host: mockWechatHost() }).phoneNumberFromEvent({ detail: { errMsg: `getPhoneNumber:fail ${code}`, errno: 1400001, code } })),
    await errorOf(new ConsentBridge({ platform: 'wechat', host: mockWechatHost({ requestSubscribeMessage: { fail: { errMsg: `requestSubscribeMessage:fail ${code}`, errCode: 20004, code } } }) }).askSubscribe(['a'])),
  ];
  for (const e of errors) {
    for (const text of [e.message, String(e), JSON.stringify(e), JSON.stringify(e.details)]) {
      assert.ok(!text.includes(code), text);
    }
  }
});

test('an injected mock without platform keeps the pre-platform behaviour', async () => {
  const host = mockBinanceHost();
  const sub = await new ConsentBridge({ host }).askSubscribe(['x']);
  assert.equal(sub.accepted[0].templateId, 'x');
  assert.ok(sub.accepted[0].pushToken);
  assert.equal((await errorOf(Promise.resolve().then(() => new ConsentBridge({ platform: 'douyin' })))).code, 'INVALID_CONFIG');
});
