// The WeChat server paths of `scripts/demo --headless`, over real HTTP: the reference
// backend (with MPCB_WECHAT_* set to the WeChat API simulator) and the simulator itself,
// which issues the codes the host's wx.login() and getPhoneNumber button would give.
// Each case prints what happened; any surprise fails the run.
//   node scripts/wechat-demo.mjs <backend url> <wechat simulator url>
import { call, otherBackend, post } from './demo-http.mjs';

const [backend, sim] = process.argv.slice(2);
if (!backend || !sim) {
  console.error('usage: node scripts/wechat-demo.mjs <backend url> <wechat simulator url>');
  process.exit(2);
}
const admin = process.env.MPCB_ADMIN_KEY;
const secret = process.env.MPCB_WECHAT_APP_SECRET;
let failed = 0;
let serial = 0;

const simPost = async (path, body) => (await post(`${sim}${path}`, body)).body;
const key = () => `wx-demo-${(serial += 1)}`;
/** wx.login() -> {code}, as the host simulator's wx gets it. */
const loginCode = async (user, extra = {}) => (await simPost('/__sim/login-code', { user, ...extra })).code;
const phoneCode = async (phoneNumber = '13800138000') => (await simPost('/__sim/phone-code', { phoneNumber })).code;
const login = (base, code) => post(`${base}/consent/login-code`, { loginCode: code, obtainedAt: Date.now(), platform: 'wechat' }, { 'Idempotency-Key': key() });
const phone = (base, code) => post(`${base}/consent/phone-number`, { dataToken: code, obtainedAt: Date.now(), platform: 'wechat' }, { 'Idempotency-Key': key() });
const grants = (session, templateIds) =>
  post(`${backend}/consent/subscription-grants`, { platform: 'wechat', templateIds, obtainedAt: Date.now() }, session ? { 'X-Mpcb-Session': session, 'Idempotency-Key': key() } : {});
const send = (session, templateId) =>
  post(`${backend}/merchant/wechat/send`, { session, templateId, page: 'pages/order/index', data: { thing1: { value: 'Order #7 shipped' } } }, { Authorization: `Bearer ${admin}` });
const fault = (f) => simPost('/__sim/fault', f);

function check(name, got, ok) {
  const b = got.body || {};
  const shown = `${got.status} ${b.code ?? b.outcome ?? (b.openid ? `openid ${b.openid.slice(0, 6)}…` : '') ?? ''}${b.phoneNumber ? ` ${b.phoneNumber}` : ''}${b.platformCode ? ` (platform ${b.platformCode})` : ''}`;
  const leaked = [secret, 'session_key', '"SK', 'AT_'].some((s) => s && got.text.includes(s));
  console.log(`${ok && !leaked ? 'ok    ' : 'FAILED'} ${name.padEnd(60)} -> ${shown}${leaked ? ' (a secret leaked)' : ''}`);
  if (!ok || leaked) failed += 1;
}


// Tap -> wx.login() -> code2Session on the backend -> session; then phone, grants, send.
const code = await loginCode('demo-user', { unionid: true });
const signedIn = await login(backend, code);
check('login: openid, unionid and a session, never the session_key', signedIn, signedIn.status === 200 && signedIn.body?.session?.length === 43 && signedIn.body?.openid && signedIn.body?.unionid);
const session = signedIn.body?.session;
{
  const again = await login(backend, code);
  check('same login code again (new key): refused by the backend', again, again.status === 409 && again.body?.code === 'TOKEN_ALREADY_USED');
  const other = await otherBackend();
  try {
    const used = await login(other.url, code);
    check('same login code at another backend: WeChat says 40163', used, used.status === 409 && used.body?.platformCode === '40163');
    const p = await phoneCode();
    const first = await phone(backend, p);
    check('phone number: masked', first, first.status === 200 && /^139|^138/.test(first.body?.phoneNumber) && first.body.phoneNumber.includes('*'));
    const reused = await phone(other.url, p);
    check('same phone code at another backend: WeChat says 40029', reused, reused.status === 409 && reused.body?.platformCode === '40029');
  } finally {
    other.child.kill();
  }
}
{
  const none = await grants(null, ['TPL_SHIP']);
  check('grants without a session: refused', none, none.status === 401 && none.body?.code === 'SESSION_UNKNOWN');
  const noGrant = await send(session, 'TPL_SHIP');
  check('send before any grant: NOT_SUBSCRIBED', noGrant, noGrant.status === 404 && noGrant.body?.code === 'NOT_SUBSCRIBED');
  // The user taps "allow" in wx.requestSubscribeMessage; the page forwards the accepted ids.
  await simPost('/__sim/subscribe', { user: 'demo-user', verdicts: { TPL_SHIP: 'accept', TPL_PROMO: 'reject' } });
  const recorded = await grants(session, ['TPL_SHIP']);
  check('subscription grants recorded for the session user', recorded, recorded.status === 200 && recorded.body?.recorded === 1);
  const sent = await send(session, 'TPL_SHIP');
  check('send with the grant: sent', sent, sent.status === 200 && sent.body?.outcome === 'sent');
  const list = (await call('GET', `${sim}/__sim/sent`)).body;
  // Only this user's: the host simulator page's pass sends on the same simulator first.
  const ok = Array.isArray(list) && list.filter((m) => m.touser === signedIn.body?.openid).length === 1;
  check('the simulator recorded one message to the user', { status: 200, body: {}, text: '' }, ok);
  const twice = await send(session, 'TPL_SHIP');
  check('second send on one accept: NOT_SUBSCRIBED', twice, twice.status === 404 && twice.body?.code === 'NOT_SUBSCRIBED');
  await grants(session, ['TPL_PROMO']);
  const refused = await send(session, 'TPL_PROMO');
  check('template the user rejected: WeChat says 43101', refused, refused.status === 404 && refused.body?.platformCode === '43101');
}
{
  const c = await loginCode('late-user');
  await simPost('/__sim/clock', { advanceMs: 5 * 60_000 });
  const r = await login(backend, c);
  check('login code used after 5 minutes: WeChat says 40029', r, r.status === 409 && r.body?.platformCode === '40029');
}
{
  await fault({ kind: 'busy', api: 'jscode2session', times: 2 });
  const r = await login(backend, await loginCode('busy-user'));
  check('-1 busy twice, then a session (bounded retry)', r, r.status === 200 && r.body?.session);
  await fault({ kind: 'rateLimit', api: 'jscode2session', times: 1 });
  const limited = await login(backend, await loginCode('busy-user'));
  check('45011: RATE_LIMITED, not retried', limited, limited.status === 429 && limited.body?.platformCode === '45011');
  const blocked = await login(backend, await loginCode('risky-user', { blocked: true }));
  check('40226 blocked user: USER_BLOCKED', blocked, blocked.status === 403 && blocked.body?.code === 'USER_BLOCKED');
}
{
  await simPost('/__sim/token', { action: 'expire' });
  const r = await phone(backend, await phoneCode('13700001111'));
  const stats = (await call('GET', `${sim}/__sim/stats`)).body;
  check('access token expired at WeChat: forced refresh, same call once more', r, r.status === 200 && stats.forcedRefreshes >= 1);
}
console.log(failed ? `wechat paths: ${failed} FAILED` : 'wechat paths: all as expected');
process.exit(failed ? 1 : 0);
