// Platform detection from the runtime's globals, each scenario in its own Node process
// (the wasm reads each global once): a framework's `wx` shim beside `bn` or `my`, `wx`
// alone, `bn` with `my`, and none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cwd = fileURLToPath(new URL('.', import.meta.url));

/** Runs `body` in a fresh process with the globals `setup` defines; returns its JSON output. */
function scenario(setup, body) {
  const script = `
    import { ConsentBridge } from 'mp-consent-bridge';
    import { mockWechatHost, mockBinanceHost, mockAlipayHost } from 'mp-consent-bridge/testing';
    ${setup}
    const out = {};
    try { ${body} } catch (e) { out.thrown = e.code; out.message = e.message; }
    console.log(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' }));
}

test('bn beside a framework wx shim is Binance', () => {
  const out = scenario(
    'globalThis.wx = { getSystemInfoSync: () => ({}) }; globalThis.bn = mockBinanceHost();',
    'const c = await new ConsentBridge().askPhoneNumber(); out.platform = c.platform; out.calls = bn.calls.map((x) => x.api);',
  );
  assert.deepEqual(out, { platform: 'binance', calls: ['getPhoneNumber'] });
});

test('my beside a wx shim is Alipay: subscriptions use entityIds', () => {
  const out = scenario(
    'globalThis.wx = {}; globalThis.my = mockAlipayHost();',
    "const s = await new ConsentBridge().askSubscribe(['e1']); out.platform = s.platform; out.ids = my.calls[0].options.entityIds;",
  );
  assert.deepEqual(out, { platform: 'alipay', ids: ['e1'] });
});

test('wx alone is WeChat, and the global is the host', () => {
  const out = scenario(
    'globalThis.wx = mockWechatHost();',
    'const c = await new ConsentBridge().askLoginCode(); out.platform = c.platform; out.same = (await new ConsentBridge({ host: wx }).askLoginCode()).platform;',
  );
  assert.deepEqual(out, { platform: 'wechat', same: 'wechat' });
});

test('one object as wx and my (a wx = my shim), injected or found: Alipay; a non-object bn is no host', () => {
  const out = scenario(
    'globalThis.my = mockAlipayHost(); globalThis.wx = my; globalThis.bn = 0;',
    "out.injected = (await new ConsentBridge({ host: my }).askAuthCode(['auth_base'])).grantedScopes; out.found = (await new ConsentBridge().askSubscribe(['e1'])).platform;",
  );
  assert.deepEqual(out, { injected: ['auth_base'], found: 'alipay' });
});

test('bn with my is INVALID_CONFIG unless the platform is named', () => {
  const out = scenario(
    'globalThis.bn = mockBinanceHost(); globalThis.my = mockAlipayHost();',
    "out.named = (await new ConsentBridge({ platform: 'alipay' }).askAuthCode(['auth_base'])).grantedScopes; new ConsentBridge();",
  );
  assert.deepEqual(out.named, ['auth_base']);
  assert.equal(out.thrown, 'INVALID_CONFIG');
  assert.match(out.message, /options\.platform/);
});

test('no global: construction works, a flow is HOST_UNAVAILABLE', () => {
  const out = scenario('', "await new ConsentBridge().askLoginCode().catch((e) => { out.code = e.code; });");
  assert.deepEqual(out, { code: 'HOST_UNAVAILABLE' });
});
