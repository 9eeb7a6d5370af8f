// The Alipay+ paths of `scripts/demo --headless`, over real HTTP: the reference backend
// (with MPCB_ALIPAYPLUS_* set to the gateway simulator) and the gateway simulator itself.
// Each case prints what happened; any surprise fails the run.
//   node scripts/alipayplus-demo.mjs <backend url> <alipay+ gateway simulator url>
import { otherBackend, post } from './demo-http.mjs';

const [backend, gateway] = process.argv.slice(2);
if (!backend || !gateway) {
  console.error('usage: node scripts/alipayplus-demo.mjs <backend url> <gateway simulator url>');
  process.exit(2);
}
let failed = 0;
let serial = 0;

/** What the host's my.getAuthCode hands the page after the user ticks `scopes`. */
const authCode = async (scopes, declined = []) => (await post(`${gateway}/sim/auth-code`, { scopes, declined })).body;
const forward = (base, code, scopes, key = `ap-demo-${(serial += 1)}`) =>
  post(`${base}/consent/auth-code`, { authCode: code, scopes }, { 'Idempotency-Key': key });
const fault = (f) => post(`${gateway}/__sim/fault`, f);

function check(name, got, ok) {
  const b = got.body || {};
  const shown = b.session
    ? `${got.status} session ${b.session.slice(0, 6)}… user ${JSON.stringify(b.user)}`
    : `${got.status} ${b.code ?? ''}${b.platformCode ? ` (platform ${b.platformCode})` : ''}`;
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${name.padEnd(56)} -> ${shown}`);
  if (!ok) failed += 1;
}
const noToken = (r) => !/accessToken|refreshToken|"AT|"RT/.test(JSON.stringify(r.body));


// Tap -> my.getAuthCode -> code from the gateway -> backend applyToken + inquiryUserInfo -> session.
{
  const a = await authCode(['USER_ID', 'USER_NICKNAME', 'USER_AVATAR']);
  const r = await forward(backend, a.authCode, a.authSuccessScopes);
  check('all scopes: session and profile, no token', r, r.status === 200 && r.body?.session?.length === 43 && r.body?.user?.nickName && noToken(r));
  const again = await forward(backend, a.authCode, a.authSuccessScopes);
  check('same code again (new key): refused by the backend', again, again.status === 409 && again.body?.code === 'TOKEN_ALREADY_USED');
  const other = await otherBackend();
  try {
    const used = await forward(other.url, a.authCode, a.authSuccessScopes);
    check('same code at another backend: the platform says USED_CODE', used, used.status === 409 && used.body?.platformCode === 'USED_CODE');
  } finally {
    other.child.kill();
  }
}
{
  const a = await authCode(['USER_ID'], ['USER_NICKNAME']);
  const r = await forward(backend, a.authCode, a.authSuccessScopes);
  check('partial scopes (nickname declined): no nickname', r, r.status === 200 && r.body?.user?.userId && !('nickName' in (r.body?.user || {})) && a.authErrorScopes?.USER_NICKNAME === '40006');
}
{
  const a = await authCode(['USER_ID']);
  await post(`${gateway}/__sim/clock`, { advanceMs: 11 * 60_000 });
  const r = await forward(backend, a.authCode, a.authSuccessScopes);
  check('code used after 11 minutes: EXPIRED_CODE', r, r.status === 410 && r.body?.platformCode === 'EXPIRED_CODE');
}
{
  const a = await authCode(['USER_ID']);
  await fault({ kind: 'unknown', api: 'applyToken', times: 2 });
  const r = await forward(backend, a.authCode, a.authSuccessScopes);
  check('U twice, then success (same body retried)', r, r.status === 200 && r.body?.session);
}
{
  const a = await authCode(['USER_ID']);
  await fault({ kind: 'badSignature', times: 1 });
  const r = await forward(backend, a.authCode, a.authSuccessScopes);
  check('platform answer with a bad signature: not trusted', r, r.status === 502 && r.body?.code === 'PLATFORM_SIGNATURE_INVALID' && !r.body?.session);
}
{
  await fault({ kind: 'failure', resultCode: 'INVALID_AUTH_CLIENT', times: 1 });
  const a = await authCode(['USER_ID']);
  const r = await forward(backend, a.authCode, a.authSuccessScopes);
  check('F INVALID_AUTH_CLIENT: typed, not retried', r, r.status === 502 && r.body?.code === 'PLATFORM_AUTH_FAILED');
}
console.log(failed ? `alipay+ paths: ${failed} FAILED` : 'alipay+ paths: all as expected');
process.exit(failed ? 1 : 0);
