// The Binance failure paths of `scripts/demo --headless`, over real HTTP: the reference
// backend (with MPCB_BINANCE_* set to the Binance Open Service simulator) and the
// simulator itself. Each case prints what happened; any surprise fails the run.
//   node scripts/binance-demo.mjs <backend url> <binance simulator url>
import { otherBackend, post } from './demo-http.mjs';

const [backend, sim] = process.argv.slice(2);
const admin = process.env.MPCB_ADMIN_KEY;
const USER = 'demo-failures';
let failed = 0;
let serial = 0;

const platform = (path, body) => post(`${sim}${path}`, body).then((r) => r.body);
const consent = (base, route, body) => post(`${base}${route}`, body, { 'Idempotency-Key': `demo-${(serial += 1)}`, 'X-Mpcb-User': USER });
const send = (templateId) =>
  post(`${backend}/merchant/binance/send`, { userId: USER, templateId, language: 'en', parameters: [{ name: 'order', value: '#7' }] }, { Authorization: `Bearer ${admin}` });
async function subscribe(templateId) {
  const issued = await platform('/__sim/subscribe', { userId: USER, templateIds: [templateId] });
  const token = issued[templateId].token;
  const r = await consent(backend, '/consent/subscriptions', { subscriptions: [{ templateId, pushToken: token }] });
  return { token, stored: r.status === 200 };
}

function check(name, got, ok) {
  const shown = `${got.status} ${got.body?.code ?? got.body?.outcome ?? ''}${got.body?.platformCode ? ` (platform ${got.body.platformCode})` : ''}`;
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${name.padEnd(58)} -> ${shown}`);
  if (!ok) failed += 1;
}


// Reused data token: the backend's own single use.
{
  const { dataToken } = await platform('/__sim/data-token', { userId: USER, kind: 'openId' });
  const first = await consent(backend, '/consent/open-id', { dataToken, obtainedAt: Date.now() });
  check('open id exchanged once', first, first.status === 200 && String(first.body?.openId).startsWith('oid-'));
  const again = await consent(backend, '/consent/open-id', { dataToken, obtainedAt: Date.now() });
  check('the same data token again (another idempotency key)', again, again.status === 409);
}
// Push token: sent once, then neither the store nor the platform accepts it again.
{
  const { token } = await subscribe('tmpl-order-shipped');
  const sent = await send('tmpl-order-shipped');
  check('push token sent', sent, sent.status === 200 && sent.body?.outcome === 'sent');
  const replay = await consent(backend, '/consent/subscriptions', { subscriptions: [{ templateId: 'tmpl-order-shipped', pushToken: token }] });
  check('the used push token forwarded again', replay, replay.status === 409);
  const none = await send('tmpl-order-shipped');
  check('a second send with no stored token', none, none.status === 404 && none.body?.code === 'NO_PUSH_TOKEN');
}
// Refusal statuses.
{
  await subscribe('tmpl-price-alert');
  await subscribe('tmpl-price-alert');
  await platform('/__sim/user', { userId: USER, declined: ['tmpl-price-alert'] });
  const declined = await send('tmpl-price-alert');
  check('user declined this template (900241)', declined, declined.body?.outcome === 'userDeclinedTemplate');
  await platform('/__sim/user', { userId: USER, declined: [], refuseAll: true });
  const refused = await send('tmpl-price-alert');
  check('user refused all messages (900240)', refused, refused.body?.outcome === 'userRefusedAll');
  await platform('/__sim/user', { userId: USER, refuseAll: false });
}
// Rate limit: retried, then reported; the token is kept for later.
{
  await subscribe('tmpl-order-shipped');
  await platform('/__sim/rate-limit', { times: 10 });
  const limited = await send('tmpl-order-shipped');
  check('rate limited (900231), retried 3 times', limited, limited.status === 429 && limited.body?.platformCode === '900231');
  await platform('/__sim/rate-limit', { times: 0 });
  const later = await send('tmpl-order-shipped');
  check('the kept token is sent once the limit lifts', later, later.body?.outcome === 'sent');
}
// Wrong secret key: the platform refuses the JWT.
{
  const other = await otherBackend({ MPCB_BINANCE_SECRET_KEY: 'wrong-secret-key' });
  try {
    const { dataToken } = await platform('/__sim/data-token', { userId: USER, kind: 'openId' });
    const r = await consent(other.url, '/consent/open-id', { dataToken, obtainedAt: Date.now() });
    check('wrong secret key (900002)', r, r.status === 502 && r.body?.code === 'PLATFORM_AUTH_FAILED' && !JSON.stringify(r.body).includes('wrong-secret-key'));
  } finally {
    other.child.kill();
  }
}
// Expired data token (last: it moves the platform's clock).
{
  const { dataToken } = await platform('/__sim/data-token', { userId: USER, kind: 'phoneNumber' });
  await platform('/__sim/clock', { advanceMs: 121_000 });
  const r = await consent(backend, '/consent/phone-number', { dataToken, obtainedAt: Date.now() });
  check('data token older than 2 minutes at the platform (900200)', r, r.status === 410 && r.body?.platformCode === '900200');
}
const inbox = await (await fetch(`${sim}/__sim/inbox`)).json();
console.log(`inbox of the simulated users: ${inbox.length} message(s)`);
console.log(`binance failure paths: ${failed === 0 ? 'all passed' : `${failed} failed`}`);
process.exit(failed === 0 ? 0 : 1);
