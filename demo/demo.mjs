// The demo flow: loads the BUILT package (through its exports map), runs Binance and
// Alipay consent flows against mock hosts that follow the documented shapes, forwards each
// token to the local reference backend, and prints every step. Exits non-zero on any surprise.
import { ConsentBridge, BridgeError } from 'mp-consent-bridge';
import { mockBinanceHost, binanceDenial, mockAlipayHost, alipayUserInfoError } from 'mp-consent-bridge/testing';

const backend = process.env.MPCB_BACKEND;
if (!backend) throw new Error('MPCB_BACKEND (the reference backend URL) is not set; run scripts/demo');

const redact = (t) => (typeof t === 'string' ? `${t.slice(0, 6)}…(${t.length} chars)` : t);
const log = (step, text) => console.log(`  ${step.padEnd(10)} ${text}`);
let failures = 0;
const expect = (ok, what) => {
  if (!ok) failures += 1;
  log(ok ? 'ok' : 'FAILED', what);
};

const host = mockBinanceHost({ getOpenId: binanceDenial('getOpenId') });
const bridge = new ConsentBridge({ host, backend, hostTimeoutMs: 5000, timeoutMs: 5000 });

console.log(`demo: mp-consent-bridge against ${backend}`);

console.log('\n1. Phone number: ask, validate, forward');
const asked = bridge.askPhoneNumber();
log('tap', `bn.getPhoneNumber called synchronously inside the tap: ${host.calls.length === 1}`);
const consent = await asked;
log('host', `answered a data token ${redact(consent.token)}`);
log('valid', `kind=${consent.kind}, lives ${(consent.expiresAt - consent.obtainedAt) / 1000} s`);
const answer = await bridge.forward(consent);
log('backend', `POST /consent/phone-number -> ${JSON.stringify(answer)}`);
expect(answer.ok === true && answer.kind === 'phoneNumber', 'the backend accepted the phone-number token');

console.log('\n2. The same token again is refused before it leaves the page');
try {
  await bridge.forward(consent);
  expect(false, 'a second forward should fail');
} catch (e) {
  log('error', `${e.name} ${e.code}: ${e.message}`);
  expect(e instanceof BridgeError && e.code === 'TOKEN_ALREADY_USED', 'TOKEN_ALREADY_USED');
}

console.log('\n3. Open id: the user denies');
try {
  await bridge.getOpenId();
  expect(false, 'a denial should reject');
} catch (e) {
  log('error', `${e.code}: ${e.message} (host said ${JSON.stringify(e.details.hostMessage)})`);
  expect(e.code === 'USER_DENIED', 'USER_DENIED, nothing forwarded');
}

console.log('\n4. Subscriptions: ask for two templates and forward the accepted push tokens');
const sub = await bridge.requestSubscribeMessage(['tmpl-order-shipped', 'tmpl-price-alert']);
log('valid', `accepted ${sub.accepted.map((a) => a.templateId).join(', ')}; rejected ${sub.rejected.length}`);
log('backend', `POST /consent/subscriptions -> ${JSON.stringify(sub.response)}`);
expect(sub.forwarded.length === 2 && sub.response.stored === 2, 'both push tokens stored');

console.log('\n5. Alipay: an auth code over my.request, then the profile');
const my = mockAlipayHost();
const alipay = new ConsentBridge({ host: my, backend, transport: 'host' });
const code = await alipay.askAuthCode(['auth_user']);
log('host', `my.getAuthCode granted ${code.grantedScopes.join(', ')}: auth code ${redact(code.authCode)}`);
const exchanged = await alipay.forward(code);
log('backend', `POST /consent/auth-code via my.request -> ${JSON.stringify(exchanged)}`);
const profile = await alipay.askOpenUserInfo();
log('valid', `profile ${JSON.stringify(profile)} (since 2022 only avatar and nickName are filled)`);
expect(exchanged.kind === 'authCode' && profile.nickName === 'Mock User', 'auth code exchanged, profile validated');

console.log('\n6. Alipay: the mini program lacks the profile feature (40006)');
try {
  await new ConsentBridge({ host: mockAlipayHost({ getOpenUserInfo: alipayUserInfoError('40006') }) }).askOpenUserInfo();
  expect(false, '40006 should reject');
} catch (e) {
  log('error', `${e.code}: ${e.message}`);
  expect(e.code === 'HOST_ERROR' && e.details.hostCode.startsWith('40006'), 'HOST_ERROR that says what to fix');
}

console.log(`\ndemo: ${failures === 0 ? 'all steps passed' : `${failures} step(s) failed`}`);
process.exit(failures === 0 ? 0 : 1);
