// Regression tests for the second hardening round (issue 19): each case below broke a
// promise of README.md / SECURITY.md before the fix. They run the BUILT mini program
// entry, loaded with an instantiate hook so the test can watch the wasm memory: every
// copy from JS into wasm is bounded before it happens, so hostile input must not grow it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { brotliCompressSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = require(`${root}pkg/miniprogram/index.js`);
// The plain module (miniprogram/ ships it brotli-compressed; web/ has it as it is).
const bytes = readFileSync(`${root}pkg/web/mp_consent_bridge_bg.wasm`);
let instance;
await entry.load({
  instantiate: (path, imports) => WebAssembly.instantiate(bytes, imports).then((r) => ((instance = r.instance), r)),
  path: 'mp_consent_bridge.wasm',
});
const { ConsentBridge } = entry;
const MiB = 1024 * 1024;
const memory = () => instance.exports.memory.buffer.byteLength;
/** Runs `work` and fails if the wasm memory grew by more than `limit` bytes. */
async function withinMemory(limit, work) {
  const before = memory();
  const result = await work();
  assert.ok(memory() - before <= limit, `wasm memory grew by ${(memory() - before) / MiB} MiB`);
  return result;
}
const errorOf = (promise) => promise.then((v) => assert.fail(`expected a rejection, got ${JSON.stringify(v)}`), (e) => e);
let serial = 0;
const token = (prefix = 'tok') => `${prefix}-${Date.now()}-${serial++}-7f3a9c`;

/** A Binance-shaped host: data tokens on request, and `request` answered by `respond`. */
function host({ respond = (o) => o.success({ statusCode: 200, header: {}, data: '{"ok":true}' }), answers = {} } = {}) {
  const requests = [];
  return {
    requests,
    getPhoneNumber: (o) => (answers.getPhoneNumber ? answers.getPhoneNumber(o) : o.success({ code: token() })),
    requestSubscribeMessage: (o) => {
      const out = {};
      for (const id of o.tmplIds) out[id] = { type: 'accept', token: token(`push-${id}`) };
      o.success(out);
    },
    request(o) {
      requests.push(o);
      respond(o);
      return { abort() {} };
    },
  };
}
const bridgeFor = (h, extra = {}) =>
  new ConsentBridge({ host: h, backend: 'https://api.example.com', transport: 'host', timeoutMs: 2000, ...extra });

test('1. a hostile backend answering 503 with 256 MiB bodies cannot trap or fill the wasm', async () => {
  const huge = 'x'.repeat(256 * MiB);
  const h = host({ respond: (o) => o.success({ statusCode: 503, data: huge, header: { 'Retry-After': '0' } }) });
  const b = bridgeFor(h, { retries: 1 });
  const consents = [];
  for (let i = 0; i < 9; i++) consents.push(await b.askPhoneNumber());
  const errors = await withinMemory(2 * MiB, () => Promise.all(consents.map((c) => errorOf(b.forward(c)))));
  for (const e of errors) assert.equal(e.code, 'BACKEND_REJECTED');
  assert.equal(h.requests.length, 18, 'every forward tried twice, none trapped');
});

test('2. the body cap counts decoded bytes: a small brotli body that inflates is refused unread', async () => {
  const inflated = brotliCompressSync(Buffer.alloc(64 * MiB, 0x20));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br', 'content-length': inflated.length, 'access-control-allow-origin': '*' });
      res.end(inflated);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${server.address().port}`;
    const b = new ConsentBridge({ host: host(), backend: url, transport: 'fetch', retries: 0 });
    const e = await withinMemory(MiB, () => errorOf(b.getPhoneNumber()));
    assert.equal(e.code, 'BACKEND_INVALID_RESPONSE');
    assert.equal(e.details.status, 200);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('3. a host answer with a 200 MB key is refused without copying it', async () => {
  const key = 'k'.repeat(200 * 1000 * 1000);
  const h = host({ answers: { getPhoneNumber: (o) => o.success({ code: token(), [key]: 1 }) } });
  const e = await withinMemory(MiB, () => errorOf(bridgeFor(h).askPhoneNumber()));
  assert.equal(e.code, 'INVALID_RESULT');
});

test('4. oversized arguments are refused unread, in the promise, never with a trap or a throw', async () => {
  const b = bridgeFor(host());
  const control = '\u0001'.repeat(1.8e8);
  const e1 = await withinMemory(MiB, () =>
    errorOf(b.forward({ accepted: [{ templateId: control, pushToken: 'p-1', obtainedAt: Date.now() }] })),
  );
  assert.equal(e1.code, 'INVALID_ARGUMENT');
  const wide = 'é'.repeat(1.8e8);
  let promise;
  assert.doesNotThrow(() => (promise = b.askSubscribe(Array(8).fill(wide))));
  assert.equal((await withinMemory(MiB, () => errorOf(promise))).code, 'INVALID_ARGUMENT');
  const e3 = await errorOf(b.forward({ kind: 'phoneNumber', token: 't'.repeat(5e7), obtainedAt: Date.now() }));
  assert.equal(e3.code, 'INVALID_ARGUMENT');
  const e4 = await errorOf(b.askSubscribe(Array(1e6).fill('a')));
  assert.equal(e4.code, 'INVALID_ARGUMENT');
  // Bounds refuse the oversized, not the empty: an outcome that accepted nothing sends nothing.
  assert.deepEqual(await b.forward({ accepted: [], rejected: [] }), { forwarded: [], response: null });
});

test('5. a token echoed by the backend is scrubbed from the error', async () => {
  const tok = token('echoed');
  const h = host({
    answers: { getPhoneNumber: (o) => o.success({ code: tok }) },
    respond: (o) => o.success({ statusCode: 400, header: {}, data: JSON.stringify({ code: tok, message: `data token ${tok} is invalid` }) }),
  });
  const e = await errorOf(bridgeFor(h).getPhoneNumber());
  assert.equal(e.code, 'BACKEND_REJECTED');
  assert.equal(e.details.backendMessage, 'data token [redacted] is invalid');
  for (const text of [JSON.stringify(e), JSON.stringify(e.details), e.message, String(e)]) assert.ok(!text.includes(tok), text);
});

test('6. a token inside a host failure message is scrubbed', async () => {
  const tok = token('in-fail');
  const viaFail = host({ answers: { getPhoneNumber: (o) => o.fail({ errMsg: `getPhoneNumber:fail token=${tok}`, token: tok }) } });
  const e1 = await errorOf(bridgeFor(viaFail).askPhoneNumber());
  assert.equal(e1.details.hostMessage, 'getPhoneNumber:fail token=[redacted]');
  const viaSuccess = host({ answers: { getPhoneNumber: (o) => o.success({ errMsg: `getPhoneNumber:fail ${tok}`, code: tok }) } });
  const e2 = await errorOf(bridgeFor(viaSuccess).askPhoneNumber());
  assert.ok(!JSON.stringify(e2.details).includes(tok), JSON.stringify(e2.details));
  const e3 = await errorOf(bridgeFor(viaFail).phoneNumberFromEvent({ detail: { errMsg: `getPhoneNumber:fail ${tok}`, token: tok } }));
  assert.ok(!JSON.stringify(e3.details).includes(tok));
});

test('7. a token is sent under one idempotency key only, whatever it is regrouped with', async () => {
  let answer = (o) => o.fail({ error: 13, errorMessage: 'timeout' });
  const h = host({ respond: (o) => answer(o) });
  const b = bridgeFor(h, { retries: 0 });
  const outcome = await b.askSubscribe(['A', 'B']);
  assert.equal((await errorOf(b.forward(outcome))).code, 'BACKEND_TIMEOUT');
  const alone = { accepted: [outcome.accepted[0]] };
  assert.equal((await errorOf(b.forward(alone))).code, 'INVALID_ARGUMENT');
  assert.equal(h.requests.length, 1, 'the regrouped token was not sent again');
  answer = (o) => o.success({ statusCode: 200, header: {}, data: '{}' });
  await b.forward(outcome);
  const keys = h.requests.map((r) => r.header['Idempotency-Key']);
  assert.equal(new Set(keys).size, 1, `one key: ${keys}`);
  assert.equal((await errorOf(b.forward(alone))).code, 'TOKEN_ALREADY_USED');
});

test('8. forward() racing with itself sends once', async () => {
  let release;
  const h = host({ respond: (o) => (release = () => o.success({ statusCode: 200, header: {}, data: '{}' })) });
  const b = bridgeFor(h);
  const consent = await b.askPhoneNumber();
  const first = b.forward(consent);
  const second = errorOf(b.forward(consent));
  assert.equal((await second).code, 'CONSENT_BUSY');
  await new Promise((r) => setTimeout(r, 10));
  release();
  await first;
  assert.equal(h.requests.length, 1);
  assert.equal((await errorOf(b.forward(consent))).code, 'TOKEN_ALREADY_USED');
});

test('9. single use does not wear off after many other forwards', async () => {
  const h = host();
  const b = bridgeFor(h);
  const outcome = await b.askSubscribe(['T']);
  await b.forward(outcome);
  for (let i = 0; i < 600; i++) await b.getPhoneNumber();
  assert.equal((await errorOf(b.forward(outcome))).code, 'TOKEN_ALREADY_USED');
  assert.equal(h.requests.length, 601);
});

test('10. a token with a lone surrogate is refused, never altered', async () => {
  const h = host({ answers: { getPhoneNumber: (o) => o.success({ code: 'tok\uD800x' }) } });
  const e = await errorOf(bridgeFor(h).getPhoneNumber());
  assert.equal(e.code, 'INVALID_RESULT');
  assert.equal(h.requests.length, 0);
  const e2 = await errorOf(bridgeFor(host()).forward({ kind: 'phoneNumber', token: 'tok\uDC00', obtainedAt: Date.now() }));
  assert.equal(e2.code, 'INVALID_ARGUMENT');
});

test('11. a header named __proto__ reaches the host request like any other', async () => {
  const h = host();
  await bridgeFor(h, { headers: JSON.parse('{"__proto__": "kept"}') }).getPhoneNumber();
  const sent = h.requests[0].header;
  assert.ok(Object.hasOwn(sent, '__proto__'));
  assert.equal(Object.getOwnPropertyDescriptor(sent, '__proto__').value, 'kept');
  assert.equal(Object.getPrototypeOf(sent), Object.prototype, 'the prototype is untouched');
});

test('12. headers that fetch or the host would refuse are INVALID_CONFIG at construction', () => {
  for (const headers of [{ 'X-A': 'a\u0001b' }, { 'X-A': 'a\u007fb' }, { 'Keep-Alive': '1' }, { Upgrade: 'h2' }, { Expect: '100-continue' }, { Connection: 'close' }]) {
    assert.throws(() => bridgeFor(host(), { headers }), { code: 'INVALID_CONFIG' }, JSON.stringify(headers));
  }
  assert.doesNotThrow(() => bridgeFor(host(), { headers: { 'X-Tab': 'a\tb', 'X-Latin': 'café' } }));
});

test('a headers() promise that never settles ends in INVALID_CONFIG after timeoutMs, nothing sent', async () => {
  const h = host();
  const b = bridgeFor(h, { timeoutMs: 50, headers: () => new Promise(() => {}) });
  const consent = await b.askPhoneNumber();
  assert.equal((await errorOf(b.forward(consent))).code, 'INVALID_CONFIG');
  assert.equal(h.requests.length, 0);
  // The token was not burned: a working source can still send it.
  await bridgeFor(h).forward(consent);
  assert.equal(h.requests.length, 1);
});

/** A deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('13. a consent sent back with a later obtainedAt still expires when its token does', async () => {
  const h = host();
  const b = bridgeFor(h);
  const realNow = Date.now;
  Date.now = () => realNow() - 110_000; // the user tapped 110 s ago
  let consent;
  try {
    consent = await b.askPhoneNumber();
  } finally {
    Date.now = realNow;
  }
  const edited = { ...consent, obtainedAt: Date.now(), expiresAt: Date.now() + 120_000 };
  assert.equal((await errorOf(b.forward(edited))).code, 'TOKEN_EXPIRED');
  const fromEvent = await b.phoneNumberFromEvent({ type: 'getphonenumber', detail: { code: token('ev') } });
  Date.now = () => realNow() + 110_000; // forwarded 110 s after the tap, claiming "just now"
  try {
    assert.equal((await errorOf(b.forward({ ...fromEvent, obtainedAt: Date.now() }))).code, 'TOKEN_EXPIRED');
  } finally {
    Date.now = realNow;
  }
  assert.equal(h.requests.length, 0, 'nothing was sent past the real deadline');
});

test('14. one push token under two template ids is refused, nothing sent', async () => {
  const h = host();
  const b = bridgeFor(h);
  const push = token('push');
  const twice = { accepted: ['A', 'B'].map((templateId) => ({ templateId, pushToken: push, obtainedAt: Date.now() })) };
  const e = await errorOf(b.forward(twice));
  assert.equal(e.code, 'INVALID_ARGUMENT');
  assert.ok(!e.message.includes(push));
  assert.equal(h.requests.length, 0);
});

test('15. after an unknown outcome, a reordered bundle is refused: one key never carries two bodies', async () => {
  let answer = (o) => o.fail({ error: 13, errorMessage: 'timeout' });
  const h = host({ respond: (o) => answer(o) });
  const b = bridgeFor(h, { retries: 0 });
  const outcome = await b.askSubscribe(['A', 'B']);
  assert.equal((await errorOf(b.forward(outcome))).code, 'BACKEND_TIMEOUT');
  const reordered = { accepted: [...outcome.accepted].reverse() };
  assert.equal((await errorOf(b.forward(reordered))).code, 'INVALID_ARGUMENT');
  answer = (o) => o.success({ statusCode: 200, header: {}, data: '{}' });
  await b.forward(outcome);
  assert.equal(h.requests.length, 2);
  assert.equal(h.requests[0].data, h.requests[1].data, 'the retry sent the same bytes');
});

test('16. a button event read again is the consent handed out the first time: same expiry, same bytes', async () => {
  const realNow = Date.now;
  const at = (offset) => () => realNow() + offset;
  // Read at t0, kept by the page, read again 3 minutes later: the 2-minute token is dead.
  const h = host();
  const b = bridgeFor(h);
  const event = { type: 'getphonenumber', detail: { code: token('kept') } };
  await b.phoneNumberFromEvent(event);
  Date.now = at(180_000);
  try {
    assert.equal((await errorOf(b.forwardPhoneNumberEvent(event))).code, 'TOKEN_EXPIRED');
    const again = await b.phoneNumberFromEvent(event);
    assert.equal((await errorOf(b.forward(again))).code, 'TOKEN_EXPIRED');
  } finally {
    Date.now = realNow;
  }
  assert.equal(h.requests.length, 0, 'a dead token was never sent');
  // An unknown outcome, then the same event forwarded again: the very same request.
  let answer = (o) => o.fail({ error: 13, errorMessage: 'timeout' });
  const h2 = host({ respond: (o) => answer(o) });
  const b2 = bridgeFor(h2, { retries: 0 });
  const tapped = { type: 'getphonenumber', detail: { code: token('retry') } };
  assert.equal((await errorOf(b2.forwardPhoneNumberEvent(tapped))).code, 'BACKEND_TIMEOUT');
  answer = (o) => o.success({ statusCode: 200, header: {}, data: '{"ok":true}' });
  Date.now = at(5_000);
  try {
    await b2.forwardPhoneNumberEvent(tapped);
  } finally {
    Date.now = realNow;
  }
  const [first, second] = h2.requests;
  assert.equal(second.data, first.data, 'the same bytes');
  assert.equal(second.header['Idempotency-Key'], first.header['Idempotency-Key'], 'under the same key');
  assert.equal((await errorOf(b2.forwardPhoneNumberEvent(tapped))).code, 'TOKEN_ALREADY_USED');
});

test('17. host request oddities: bytes are read as text, a string status is a status, a failure claiming 200 is not a success', async () => {
  const bytes = new TextEncoder().encode('{"receipt":"r-bytes"}');
  const answers = [
    (o) => o.success({ statusCode: 200, header: {}, data: bytes.buffer }),
    (o) => o.success({ statusCode: 200, header: {}, data: new Uint8Array([0, ...bytes, 0]).subarray(1, bytes.length + 1) }),
    (o) => o.success({ statusCode: '200', header: {}, data: '{"receipt":"r-text"}' }),
  ];
  for (const [i, respond] of answers.entries()) {
    const h = host({ respond });
    const got = await bridgeFor(h).getPhoneNumber();
    assert.deepEqual(got, { receipt: i === 2 ? 'r-text' : 'r-bytes' }, `answer ${i}`);
    assert.equal(h.requests.length, 1);
  }
  let calls = 0;
  const h = host({ respond: (o) => (calls++ === 0 ? o.fail({ statusCode: 200, errMsg: 'request:fail odd' }) : o.success({ statusCode: 200, header: {}, data: '{"ok":1}' })) });
  assert.deepEqual(await bridgeFor(h).getPhoneNumber(), { ok: 1 }, 'retried under the same key, then answered');
  assert.equal(new Set(h.requests.map((r) => r.header['Idempotency-Key'])).size, 1);
});

test('18. a button event that says it failed is a failure even when it carries a code', async () => {
  const b = bridgeFor(host());
  const code = token('deny');
  const e = await errorOf(b.phoneNumberFromEvent({ type: 'getphonenumber', detail: { errMsg: 'getPhoneNumber:fail user deny', code } }));
  assert.equal(e.code, 'USER_DENIED');
  assert.ok(!JSON.stringify([e.message, e.details]).includes(code));
});

test('property: hostile host answers and backends (huge keys and strings, lone surrogates, echoed tokens) end typed, bounded and scrubbed', async () => {
  const next = random(20261202);
  const pick = (items) => items[Math.floor(next() * items.length)];
  const big = 'B'.repeat(32 * MiB);
  const codes = new Set(['INVALID_RESULT', 'HOST_ERROR', 'USER_DENIED', 'BACKEND_REJECTED', 'BACKEND_INVALID_RESPONSE']);
  await withinMemory(4 * MiB, async () => {
    for (let i = 0; i < 300; i++) {
      const tok = token('prop');
      const answer = pick([
        () => ({ code: tok, [big.slice(0, 1 + Math.floor(next() * big.length))]: 1 }),
        () => ({ code: tok + pick(['\uD800', '\uDFFF', '\uDBFF\u0041']) }),
        () => ({ code: big }),
        () => ({ errMsg: `getPhoneNumber:fail ${pick(['', 'x'.repeat(300)])}${tok}`, token: tok }),
        () => ({ code: tok }),
      ])();
      const body = pick([
        () => JSON.stringify({ message: `${'m'.repeat(Math.floor(next() * 400))}${tok}`, code: tok }),
        () => big,
        () => `{"a":"${tok}"`,
      ])();
      const status = pick([200, 400, 503]);
      const h = host({
        answers: { getPhoneNumber: (o) => (answer.errMsg ? o.fail(answer) : o.success(answer)) },
        respond: (o) => o.success({ statusCode: status, header: {}, data: body }),
      });
      const outcome = await bridgeFor(h, { retries: 0 }).getPhoneNumber().then((v) => ({ v }), (e) => ({ e }));
      if (outcome.v) {
        // Only a well-formed token answered 200 with JSON is a success: the backend's own answer.
        assert.ok(status === 200 && answer.code === tok && body.startsWith('{"message"'), `${i}: resolved`);
        continue;
      }
      const { e } = outcome;
      assert.ok(codes.has(e.code), `${i}: ${e.code}`);
      assert.ok(!JSON.stringify({ m: e.message, d: e.details }).includes(tok), `${i}: the token leaked`);
    }
  });
});
