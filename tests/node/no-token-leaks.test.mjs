// Tokens are secrets: across successful, denied, failing and refused flows, no token may
// appear in anything logged to the console, in an error's message, String() or JSON, or in
// a URL the backend saw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsentBridge } from 'mp-consent-bridge';
import { mockAlipayHost, mockBinanceHost } from 'mp-consent-bridge/testing';

const backend = process.env.MPCB_BACKEND;

test('no token in console output, errors or URLs', async () => {
  const secret = (name) => `LEAKCHECK-${name}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const tokens = {
    phone: secret('phone'),
    bad: `${secret('bad')}\n`,
    push: secret('push'),
    code: secret('code'),
    failing: secret('failing'),
  };
  const logged = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'];
  const saved = Object.fromEntries(methods.map((m) => [m, console[m]]));
  for (const m of methods) console[m] = (...args) => logged.push(args.map(String).join(' '));
  const errors = [];
  const capture = (p) => p.then(() => undefined, (e) => errors.push(e));
  try {
    const bn = mockBinanceHost({
      getPhoneNumber: { success: { code: tokens.phone } },
      getOpenId: { success: { code: tokens.bad } },
      getEmailAddress: { success: { errMsg: 'getEmailAddress:fail system', code: tokens.failing } },
      requestSubscribeMessage: { success: { t: { type: 'accept', token: tokens.push } } },
    });
    const bridge = new ConsentBridge({ host: bn, backend, retries: 0 });
    const consent = await bridge.askPhoneNumber();
    await bridge.forward(consent);
    await capture(bridge.forward(consent)); // TOKEN_ALREADY_USED
    await capture(bridge.getOpenId()); // INVALID_RESULT
    await capture(bridge.getEmailAddress()); // HOST_ERROR with a token inside the failure
    await bridge.requestSubscribeMessage(['t']);
    const my = mockAlipayHost({ getAuthCode: { success: { authCode: tokens.code, authSuccessScopes: ['USER_ID'] } } });
    const alipay = new ConsentBridge({ host: my, backend });
    await capture(alipay.getAuthCode(['USER_ID', 'USER_AVATAR'])); // SCOPE_NOT_GRANTED
    const unreachable = new ConsentBridge({ host: mockBinanceHost(), backend: 'http://127.0.0.1:9', retries: 0 });
    await capture(unreachable.getPhoneNumber()); // NETWORK
  } finally {
    Object.assign(console, saved);
  }
  assert.equal(errors.length, 5, 'every refused flow failed as intended');
  const seen = (await (await fetch(`${backend}/__test/received`)).json()).map((r) => r.uri);
  const shown = [
    ...logged,
    ...errors.flatMap((e) => [e.message, String(e), JSON.stringify(e), JSON.stringify(e.details), e.stack]),
    ...seen,
  ].join('\n');
  for (const [name, token] of Object.entries(tokens)) {
    assert.ok(!shown.includes(token.trim()), `the ${name} token leaked`);
  }
});
