// Simulator suite: Playwright (playwright-core on /usr/bin/chromium) clicks through every
// flow of the host simulator, accepting and denying, and checks what the page shows and
// what the reference backend received. Screenshots of each flow's final state (and of
// each modal) go to $SIMULATOR_SCREENSHOTS (the test command names build/screenshots).
import assert from 'node:assert/strict';
import { serve } from '../../simulator/serve.mjs';
import { drive, SCRIPT } from '../../simulator/drive.mjs';

const backend = process.env.MPCB_BACKEND;
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

assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
const server = await serve(0);
let run;
try {
  run = await drive({ url: `http://127.0.0.1:${server.address().port}/`, backend, screenshots });
} finally {
  server.close();
}
const received = await (await fetch(`${backend}/__test/received`)).json();

for (const r of run.results) {
  check(`${r.flow} with ${JSON.stringify(r.choices)} ends in ${r.expected}`, () => {
    assert.equal(r.outcome, r.expected, r.message);
    if (r.outcome !== 'ok') {
      assert.equal(r.secrets.length, 0, 'a refused flow produced no token');
      return;
    }
    // Every token the page validated reached the backend exactly once, in the body only.
    for (const secret of r.secrets) {
      const carrying = received.filter((q) => q.body.includes(secret));
      assert.equal(carrying.length, 1, `the backend saw a token ${carrying.length} times`);
      assert.ok(!carrying[0].uri.includes(secret), 'a token in a URL');
      assert.equal(carrying[0].status, 200);
    }
  });
}
check('the page showed every step and never a whole token', () => {
  const shown = run.transcript.join('\n');
  for (const step of ['host call', 'host answer', 'verdict', 'request', 'backend', 'error']) {
    assert.ok(run.transcript.some((l) => l.startsWith(step)), `no "${step}" step shown`);
  }
  for (const secret of run.results.flatMap((r) => r.secrets)) assert.ok(!shown.includes(secret), 'a token was shown whole');
});
check('no page errors', () => assert.deepEqual(run.pageErrors, []));
check('the script covers every flow button', () => {
  const flows = new Set(SCRIPT.map(([flow]) => flow));
  assert.deepEqual([...flows].sort(), ['auth-code', 'authorize', 'email', 'open-id', 'phone', 'phone-button', 'profile', 'subscribe']);
});
console.log(`simulator: ${passed} passed, ${failed} failed${screenshots ? ` (screenshots in ${screenshots})` : ''}`);
process.exit(failed === 0 ? 0 : 1);
