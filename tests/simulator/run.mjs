// Simulator suite: Playwright (playwright-core on /usr/bin/chromium) clicks through every
// flow of the host simulator, accepting and denying, and checks what the page shows and
// what the reference backend received. Screenshots of each flow's final state (and of
// each modal) go to $SIMULATOR_SCREENSHOTS (the test command names build/screenshots).
// The WeChat rows need the WeChat API simulator and a backend exchanging with it, so this
// suite starts both (fault mode, fresh memory) and drives the whole page against them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { serve } from '../../simulator/serve.mjs';
import { drive, SCRIPT, WECHAT_SCRIPT } from '../../simulator/drive.mjs';
import { listen, otherBackend } from '../../scripts/demo-http.mjs';

const screenshots = process.env.SIMULATOR_SCREENSHOTS;
let passed = 0;
let failed = 0;
const check = (name, fn) => {
  try {
    fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`not ok - ${name}\n  ${e.message.split('\n').join('\n  ')}`);
  }
};

const root = fileURLToPath(new URL('../..', import.meta.url));
for (const args of [['-p', 'mp-consent-server', '--bin', 'wechat-sim'], ['-p', 'mp-consent-backend']]) {
  const build = spawnSync('cargo', ['build', '--quiet', ...args], { cwd: root, stdio: 'inherit' });
  assert.equal(build.status, 0, `cargo build ${args.join(' ')} failed`);
}
const appId = 'wxmpcbsimsuite0001';
const appSecret = `suite-${randomBytes(12).toString('hex')}`;
const adminKey = `admin-${randomBytes(12).toString('hex')}`;
const sim = await listen(`${root}target/debug/wechat-sim`, ['--app-id', appId, '--app-secret', appSecret]);
const children = [sim.child];
let run;
let backend;
let received;
let violations;
let sent;
try {
  const env = { MPCB_WECHAT_BASE_URL: sim.url, MPCB_WECHAT_APP_ID: appId, MPCB_WECHAT_APP_SECRET: appSecret, MPCB_ADMIN_KEY: adminKey };
  const started = await otherBackend(env, ['--faults']);
  children.push(started.child);
  backend = started.url;
  const server = await serve(0);
  try {
    run = await drive({ url: `http://127.0.0.1:${server.address().port}/`, backend, screenshots, wechat: sim.url, adminKey });
  } finally {
    server.close();
  }
  received = await (await fetch(`${backend}/__test/received`)).json();
  violations = await (await fetch(`${backend}/__test/violations`)).json();
  sent = await (await fetch(`${sim.url}/__sim/sent`)).json();
} finally {
  for (const child of children) child.kill();
}

for (const r of run.results) {
  check(`${r.flow} with ${JSON.stringify(r.choices)} ends in ${r.expected}`, () => {
    assert.equal(r.outcome, r.expected, r.message);
    if (r.outcome !== 'ok') {
      assert.equal(r.secrets.length, 0, 'a refused flow produced no token');
      return;
    }
    // Every token the page validated was accepted by the backend exactly once, in the body
    // only; the one deliberate replay (the login code from another bridge) was refused.
    for (const secret of r.secrets) {
      const carrying = received.filter((q) => q.body.includes(secret));
      assert.equal(carrying.filter((q) => q.status === 200).length, 1, `the backend accepted a token ${carrying.length} times`);
      assert.ok(carrying.every((q) => !q.uri.includes(secret)), 'a token in a URL');
      const refused = carrying.filter((q) => q.status !== 200);
      assert.deepEqual(refused.map((q) => q.status), r.flow === 'wx-login' ? [409] : [], 'only the replayed login code is refused');
    }
  });
}
check('the page showed every step and never a whole token or session', () => {
  const shown = run.transcript.join('\n');
  for (const step of ['host call', 'host answer', 'verdict', 'request', 'backend', 'error', 'platform', 'session']) {
    assert.ok(run.transcript.some((l) => l.startsWith(step)), `no "${step}" step shown`);
  }
  const sessions = run.results.filter((r) => r.flow === 'wx-login').map((r) => r.answer.session);
  assert.equal(sessions.length, 1);
  for (const secret of [...run.results.flatMap((r) => r.secrets), ...sessions]) assert.ok(!shown.includes(secret), 'a token was shown whole');
});
check('the backend saw no token in a URL and one key per token, but for the deliberate replay', () => {
  assert.equal(violations.length, 1, violations.join('\n'));
  assert.match(violations[0], /arrived with idempotency key/);
});
check('WeChat sent exactly the one message the grant allowed, to the signed-in user', () => {
  const login = run.results.find((r) => r.flow === 'wx-login');
  assert.equal(sent.length, 1);
  assert.equal(sent[0].touser, login.answer.openid);
  assert.equal(sent[0].templateId, 'TPL_ORDER_SHIPPED');
});
check('no page errors', () => assert.deepEqual(run.pageErrors, []));
check('the script covers every flow button', () => {
  const flows = new Set([...SCRIPT, ...WECHAT_SCRIPT].map(([flow]) => flow));
  assert.deepEqual([...flows].sort(), [
    'auth-code', 'authorize', 'email', 'open-id', 'phone', 'phone-button', 'profile', 'subscribe',
    'wx-login', 'wx-login-replay', 'wx-phone', 'wx-realtime-phone', 'wx-send', 'wx-subscribe',
  ]);
  assert.ok(run.results.some((r) => r.flow === 'wx-send'), 'the WeChat rows ran');
});
console.log(`simulator: ${passed} passed, ${failed} failed${screenshots ? ` (screenshots in ${screenshots})` : ''}`);
process.exit(failed === 0 ? 0 : 1);
