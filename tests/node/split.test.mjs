// Split mode (Alipay's Worker-only WebAssembly): the BUILT page half in a page-like vm
// context with `my` and no WebAssembly, the BUILT Worker half + wasm in a Worker-like vm
// context with MYWebAssembly and no `my`, joined by an asynchronous copying postMessage.
// Forwarding goes through the page's my.request to the reference backend.
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { ConsentBridge } from 'mp-consent-bridge';
import {
  alipayAuthError, alipaySubscribeAnswer, alipaySubscribeError, alipayUserInfoError, mockAlipayHost, mockBinanceHost, mockWechatHost,
  wechatPhoneDenial, wechatPhoneEvent, wechatPhoneQuota, wechatSubscribeError,
} from '../../js/mock-hosts.js';
import { gestureHost, setTap } from '../support/harness.js';
import { channel, pageContext, sleep, wasmPath, workerContext } from '../support/split-runtime.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const backend = process.env.MPCB_BACKEND;
let n = 0;
const scenario = () => `split-${process.pid}-${++n}`;

async function received(id) {
  const all = await (await fetch(`${backend}/__test/received`)).json();
  return all.filter((r) => r.headers['x-test-scenario'] === id);
}
async function fault(id, spec) {
  const r = await fetch(`${backend}/__test/fault`, { method: 'POST', body: JSON.stringify({ ...spec, scenario: id }) });
  assert.equal(r.status, 200);
}

/** A page and a Worker joined by a fresh channel. */
function split({ host = mockAlipayHost(), hostName = 'my', bridge = {}, page = {}, serve = true, rewrite, id = scenario() } = {}) {
  assert.ok(backend, 'MPCB_BACKEND must be set by scripts/test');
  const chan = channel();
  const workerErrors = [];
  const pageErrors = [];
  const worker = workerContext(chan, { rewrite });
  const served = serve
    ? worker.half.serveSplit({
        worker: chan.workerGlobal,
        load: { path: wasmPath },
        bridge: { backend, headers: { 'X-Test-Scenario': id }, ...bridge },
        onProtocolError: (e) => workerErrors.push(e),
      })
    : null;
  const pageApi = pageContext(hostName ? { [hostName]: host } : {});
  const bridgeOnPage = pageApi.createSplitPage({ host, worker: chan.pageWorker, onProtocolError: (e) => pageErrors.push(e), ...page });
  return { chan, host, bridge: bridgeOnPage, pageApi, worker, served, workerErrors, pageErrors, id };
}

const requests = (host) => host.calls.filter((c) => c.api === 'request').length;
const errorOf = async (promise, label = '') => {
  try {
    await promise;
  } catch (e) {
    return { name: e.name, code: e.code, message: e.message, details: JSON.parse(JSON.stringify(e.details)) };
  }
  assert.fail(`expected a rejection ${label}`);
};

test('every Alipay flow runs through split mode, with the host call inside the tap and requests on the page', async () => {
  const host = gestureHost('alipay');
  const s = split({ host });
  const tap = (fn) => {
    setTap(host, true);
    try {
      return fn();
    } finally {
      setTap(host, false);
    }
  };
  const code = await tap(() => s.bridge.getAuthCode(['auth_user']));
  assert.equal(code.kind, 'authCode');
  assert.equal((await tap(() => s.bridge.getOpenUserInfo())).kind, 'userInfo');
  const profile = await tap(() => s.bridge.askOpenUserInfo());
  assert.deepEqual(profile, { nickName: 'Mock User', avatar: 'https://tfs.alipayobjects.com/images/partner/mock.png', gender: '', countryCode: '', province: '', city: '' });
  assert.equal((await s.bridge.forward(profile)).kind, 'userInfo', 'forward() makes no host call and needs no tap');
  const consent = await tap(() => s.bridge.askAuthCode(['auth_base']));
  assert.deepEqual(Object.keys(consent).sort(), ['authCode', 'expiresAt', 'grantedScopes', 'obtainedAt']);
  assert.equal((await s.bridge.forward(consent)).kind, 'authCode');
  assert.equal((await errorOf(s.bridge.forward(consent))).code, 'TOKEN_ALREADY_USED', 'exactly once is the Worker bridge\'s own');
  assert.equal((await tap(() => s.bridge.askOpenUserInfoFromEvent({ type: 'getAuthorize', detail: {} }))).nickName, 'Mock User');
  const denied = await errorOf(s.bridge.askOpenUserInfoFromEvent({ type: 'error', detail: { errorCode: 11, errorMessage: 'cancel' } }));
  assert.equal(denied.code, 'USER_DENIED');
  assert.equal(host.calls.filter((c) => c.refused).length, 0, 'no host call was made outside the tap');
  assert.equal(requests(host), 4, 'every forward went through the page\'s my.request');
  const got = await received(s.id);
  assert.deepEqual(got.map((r) => r.uri), ['/consent/auth-code', '/consent/user-info', '/consent/user-info', '/consent/auth-code']);
  // The same call made after an await is refused by the host, with direct mode's error.
  await sleep(0);
  const late = await errorOf(s.bridge.getAuthCode(['auth_user']));
  assert.equal(host.calls.filter((c) => c.refused).length, 1);
  assert.deepEqual(late, await errorOf(new ConsentBridge({ host: gestureHost('alipay') }).getAuthCode(['auth_user'])));
  assert.deepEqual([s.pageErrors, s.workerErrors], [[], []]);
  assert.deepEqual(s.worker.paths, [wasmPath], 'the Worker loaded the wasm once, by path');
});

test('errors reach the page as BridgeErrors with the same code, message and details as direct mode', async () => {
  const cases = [
    ['getOpenUserInfo 40006', { getOpenUserInfo: alipayUserInfoError('40006') }, (b) => b.getOpenUserInfo()],
    ['getOpenUserInfo 40003', { getOpenUserInfo: alipayUserInfoError('40003') }, (b) => b.getOpenUserInfo()],
    ['getAuthCode cancelled', { getAuthCode: alipayAuthError(11, 'user cancel') }, (b) => b.getAuthCode(['auth_user'])],
    ['getAuthCode network', { getAuthCode: alipayAuthError(12, 'network') }, (b) => b.getAuthCode(['auth_user'])],
    ['scope refused', { getAuthCode: { success: { authCode: 'c-1', authSuccessScopes: [], authErrorScopes: { auth_user: '40006' } } } }, (b) => b.getAuthCode(['auth_user'])],
    ['malformed answer', { getAuthCode: { success: { authCode: 42 } } }, (b) => b.getAuthCode(['auth_user'])],
    ['host throws', { getAuthCode: { throws: new Error('boom') } }, (b) => b.getAuthCode(['auth_user'])],
  ];
  for (const [name, script, run] of cases) {
    const direct = await errorOf(run(new ConsentBridge({ host: mockAlipayHost(script), backend, transport: 'host' })));
    const s = split({ host: mockAlipayHost(script) });
    const relayed = await errorOf(run(s.bridge));
    assert.deepEqual(relayed, direct, name);
    assert.equal(requests(s.host), 0, `${name}: nothing forwarded`);
  }
  // A backend rejection, relayed through my.request both ways.
  const id = scenario();
  await fault(id, { kind: 'status', status: 422, times: 1, body: { error: 'invalid_grant' } });
  const s = split({ id });
  const rejected = await errorOf(s.bridge.getAuthCode(['auth_user']));
  assert.equal(rejected.code, 'BACKEND_REJECTED');
  assert.equal(rejected.details.status, 422);
  assert.equal(rejected.details.backendMessage, 'invalid_grant');
  const thrown = await s.bridge.getAuthCode(['USER_NICKNAME', 'PLAINTEXT_MOBILE_PHONE']).catch((e) => e);
  assert.ok(thrown instanceof s.pageApi.BridgeError && Object.prototype.toString.call(thrown) === '[object Error]' && thrown.code === 'INVALID_ARGUMENT', 'a real Error of the page half\'s BridgeError class');
});

test('argument checks on the page match the wasm bridge: refused before any host call, same code and message', async () => {
  const scopes = [[], ['\uD800'], ['a'.repeat(513)], Array.from({ length: 65 }, (_, i) => `s${i}`), ['auth_user', 'auth_user'], ['bad scope'], ['x'.repeat(65)], ['USER_NICKNAME', 'PLAINTEXT_MOBILE_PHONE'], Array.from({ length: 11 }, (_, i) => `s${i}`), 'auth_user', [1], ['auth_base'], ['auth_user', 'USER_ID']];
  const templates = [[], ['a', 'a'], ['a b'], ['t\u0007'], ['é'.repeat(65)], ['é'.repeat(64)], ['1', '2', '3', '4'], 'x', [null], ['ok-1', 'ok-2']];
  const cases = [...scopes.map((l) => ['askAuthCode', l, mockAlipayHost, 'my']), ...templates.map((t) => ['askSubscribe', t, mockBinanceHost, 'bn'])];
  let refusedBoth = 0;
  for (const [method, args, makeHost, hostName] of cases) {
    const label = `${method}(${JSON.stringify(args)})`;
    const directHost = makeHost();
    const directResult = new ConsentBridge({ host: directHost })[method](args);
    const s = split({ host: makeHost(), hostName });
    const pageResult = s.bridge[method](args);
    assert.equal(s.host.calls.length, directHost.calls.length, `${label}: the page calls the host iff the wasm bridge does`);
    if (directHost.calls.length === 0) {
      assert.deepEqual(await errorOf(pageResult), await errorOf(directResult), label);
      refusedBoth += 1;
    } else {
      assert.deepEqual(Object.keys(await pageResult).sort(), Object.keys(await directResult).sort(), label);
    }
  }
  assert.equal(refusedBoth, cases.length - 4, 'every bad case was refused on both sides');
});

test('one modal at a time, host timeouts and the Binance flows are the Worker bridge\'s own', async () => {
  const slow = mockAlipayHost({ getAuthCode: { success: (o) => ({ authCode: `c-${Date.now()}`, authSuccessScopes: o.scopes, authErrorScopes: {} }), delayMs: 50 } });
  let s = split({ host: slow });
  const first = s.bridge.getAuthCode(['auth_user']);
  const second = await errorOf(s.bridge.getOpenUserInfo());
  assert.equal(second.code, 'CONSENT_BUSY');
  assert.equal((await first).kind, 'authCode');
  assert.equal((await s.bridge.getOpenUserInfo()).kind, 'userInfo', 'free again once the first consent settled');
  assert.equal(slow.calls.filter((c) => c.api !== 'request').length, 2);

  s = split({ host: mockAlipayHost({ getAuthCode: 'never' }), bridge: { hostTimeoutMs: 150 } });
  assert.equal((await errorOf(s.bridge.getAuthCode(['auth_user']))).code, 'HOST_TIMEOUT');
  assert.equal((await s.bridge.getOpenUserInfo()).kind, 'userInfo', 'the page is free after a timeout');

  const bn = mockBinanceHost();
  s = split({ host: bn, hostName: 'bn' });
  assert.equal((await s.bridge.getPhoneNumber()).kind, 'phoneNumber');
  assert.equal((await s.bridge.getOpenId()).kind, 'openId');
  assert.equal((await s.bridge.getEmailAddress()).kind, 'email');
  const sub = await s.bridge.requestSubscribeMessage(['sp-1', 'sp-2']);
  assert.deepEqual(sub.forwarded, ['sp-1', 'sp-2']);
  assert.equal((await s.bridge.forwardPhoneNumberEvent({ detail: { code: `btn-${Date.now()}` } })).kind, 'phoneNumber');
  assert.equal((await s.bridge.forwardEmailAddressEvent({ detail: { code: `btn-mail-${Date.now()}` } })).kind, 'email');
  assert.equal(requests(bn), 6, 'forwarded through bn.request on the page');
  assert.equal(bn.calls.filter((c) => c.api !== 'request').length, 4, 'the button events made no host call');
  // The newer open-id names: the page calls the same one the bridge picks.
  for (const name of ['getUserOpenId', 'getUserOpenid']) {
    const newer = mockBinanceHost();
    newer[name] = name === 'getUserOpenid' ? () => Promise.resolve({ openId: 'o-1', token: `t-${Date.now()}` }) : (o) => setTimeout(() => o.success({ code: `c-${Date.now()}` }), 0);
    delete newer.getOpenId;
    s = split({ host: newer, hostName: 'bn' });
    assert.equal((await s.bridge.askOpenId()).kind, 'openId', name);
    assert.deepEqual(s.workerErrors, [], `${name}: the Worker's bridge asked for the same API`);
  }
});

test('a Worker that never answers, or is killed mid-flow, fails the flow with WORKER_UNAVAILABLE', async () => {
  let s = split({ serve: false, page: { ackTimeoutMs: 200 } });
  const started = Date.now();
  const e = await errorOf(s.bridge.getAuthCode(['auth_user']));
  assert.equal(e.code, 'WORKER_UNAVAILABLE');
  assert.match(e.message, /serveSplit/);
  assert.ok(e.name === 'BridgeError');
  assert.ok(Date.now() - started < 2000);
  assert.equal(s.host.calls.length, 1, 'the host was asked in the tap; its answer is dropped');
  assert.equal((await errorOf(s.bridge.getOpenUserInfo())).code, 'WORKER_UNAVAILABLE', 'not stuck as busy');

  s = split({ host: mockAlipayHost({ getAuthCode: 'never' }), bridge: { hostTimeoutMs: 1000 } });
  const pending = s.bridge.getAuthCode(['auth_user']);
  await sleep(30);
  s.chan.kill();
  const killed = await errorOf(pending);
  assert.equal(killed.code, 'WORKER_UNAVAILABLE');
  assert.match(killed.message, /killed/);

  s = split({ page: { flowTimeoutMs: 300 } });
  s.chan.tap = (to, m, send) => (to === 'page' && m.type === 'result' ? undefined : send(m)); // results lost
  assert.equal((await errorOf(s.bridge.getAuthCode(['auth_user']))).code, 'WORKER_UNAVAILABLE');
});

test('duplicated, reordered and unknown messages are typed protocol errors, never a second forward', async () => {
  let s = split();
  s.chan.tap = (to, m, send) => {
    send(m);
    send(m);
  };
  const id = s.id;
  assert.equal((await s.bridge.getAuthCode(['auth_user'])).kind, 'authCode');
  assert.equal((await s.bridge.getOpenUserInfo()).kind, 'userInfo');
  await sleep(50);
  assert.equal((await received(id)).length, 2, 'each token reached the backend once');
  assert.equal(requests(s.host), 2, 'each duplicated request message made one host request');
  assert.ok(s.workerErrors.every((e) => e.code === 'SPLIT_PROTOCOL'), 'typed');
  for (const copy of [/sent flow .* twice/, /settled flow .* twice/, /response arrived .* not open/]) {
    assert.ok(s.workerErrors.some((e) => copy.test(e.message)), `the Worker reported ${copy}`);
  }
  assert.ok(s.pageErrors.length >= 1 && s.pageErrors.every((e) => e.code === 'SPLIT_PROTOCOL' && e instanceof s.pageApi.BridgeError));

  // The host answers at once, and its settlement overtakes the begin message.
  s = split();
  let held = null;
  s.chan.tap = (to, m, send) => {
    if (m.type === 'begin') held = () => send(m);
    else if (m.type === 'settle' && held) {
      send(m);
      setTimeout(held, 10);
      held = null;
    } else send(m);
  };
  assert.equal((await s.bridge.getAuthCode(['auth_user'])).kind, 'authCode');
  assert.deepEqual(s.workerErrors, []);

  // Messages for flows or requests nobody opened.
  s = split();
  await s.bridge.getOpenUserInfo();
  const envelope = s.chan.log.find((l) => l.to === 'worker').message;
  s.chan.workerGlobal.postMessage({ ...envelope, type: 'result', flow: `${envelope.page}#999`, ok: true, value: { kind: 'forged' } });
  s.chan.pageWorker.postMessage({ ...envelope, type: 'response', req: 'nope', outcome: 'success', value: {} });
  s.chan.pageWorker.postMessage({ ...envelope, type: 'teleport', flow: 'x' });
  s.chan.pageWorker.postMessage({ hello: 'someone else\'s message' });
  await sleep(20);
  assert.equal(s.pageErrors.length, 1);
  assert.match(s.pageErrors[0].message, /not open/);
  assert.equal(s.workerErrors.length, 2);
  assert.ok(s.workerErrors.every((e) => e.code === 'SPLIT_PROTOCOL'));
});

test('a page half and a Worker half of different package versions refuse each other', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../pkg/package.json', import.meta.url), 'utf8'));
  const s = split({ rewrite: (src) => {
    assert.ok(src.includes(`"${version}"`), 'the Worker half carries the package version');
    return src.replaceAll(`"${version}"`, '"99.0.0-other"');
  } });
  const e = await errorOf(s.bridge.getAuthCode(['auth_user']));
  assert.equal(e.code, 'SPLIT_VERSION_MISMATCH');
  assert.match(e.message, /99\.0\.0-other/);
  assert.match(e.message, /same mp-consent-bridge release/);
  assert.equal(requests(s.host), 0, 'nothing forwarded');
  assert.ok(s.workerErrors.length >= 1 && s.workerErrors.every((w) => /99\.0\.0-other/.test(w.message)));
});

test('a page that goes away mid-flow: its flows end on both sides, nothing hangs, nothing more is sent', async () => {
  // While the host modal is open.
  let s = split({ host: mockAlipayHost({ getAuthCode: { success: { authCode: 'late-code', authSuccessScopes: ['auth_user'], authErrorScopes: {} }, delayMs: 100 } }) });
  let pending = s.bridge.getAuthCode(['auth_user']);
  await sleep(20);
  s.bridge.dispose();
  assert.equal((await errorOf(pending)).code, 'PAGE_CLOSED');
  assert.equal((await errorOf(s.bridge.getOpenUserInfo())).code, 'PAGE_CLOSED');
  await sleep(200);
  assert.equal(requests(s.host), 0, 'the late host answer was never forwarded');
  assert.equal(s.chan.log.filter((l) => l.to === 'page' && l.message.type === 'result').length, 0, 'no result sent to a page that left');

  // While the request is in flight: the Worker bridge's request fails at once.
  const id = scenario();
  await fault(id, { kind: 'slow', ms: 800, times: 1 });
  s = split({ id, bridge: { retries: 0 } });
  pending = s.bridge.getAuthCode(['auth_user']);
  while (requests(s.host) === 0) await sleep(5);
  s.bridge.dispose();
  assert.equal((await errorOf(pending)).code, 'PAGE_CLOSED');
  await sleep(30);
  const toPage = () => s.chan.log.filter((l) => l.to === 'page').length;
  const sent = toPage();
  await sleep(900);
  assert.equal(toPage(), sent, 'the Worker sent nothing to the page after bye');
  assert.deepEqual(s.workerErrors, [], 'the aborted request sent no late response');
  // A new page on the same Worker works.
  const again = s.pageApi.createSplitPage({ host: s.host, worker: s.chan.pageWorker });
  assert.equal((await again.getOpenUserInfo()).kind, 'userInfo');
});

test('messages are plain objects with the protocol envelope and never carry a token in an error', async () => {
  const s = split({ host: mockAlipayHost({ getAuthCode: { success: { authCode: 'secret-code-123', authSuccessScopes: [], authErrorScopes: { auth_user: '40006' } } } }) });
  await errorOf(s.bridge.getAuthCode(['auth_user']));
  for (const { message } of s.chan.log) {
    assert.equal(message.protocol, 'mp-consent-bridge/split');
    assert.equal(message.version, 2);
    assert.equal(typeof message.package, 'string');
    if (message.type === 'result') assert.doesNotMatch(JSON.stringify(message), /secret-code-123/);
  }
  assert.deepEqual([...new Set(s.chan.log.map((l) => l.message.type))].sort(), ['ack', 'begin', 'free', 'result', 'settle']);
});

// The new entry points and platforms: split mode against the direct bridge, case by case.
const HOSTS = { wechat: ['wx', mockWechatHost], alipay: ['my', mockAlipayHost], binance: ['bn', mockBinanceHost] };
const consentCalls = (host) => host.calls.filter((c) => c.api !== 'request');
// A result without what differs per call (codes, times, the backend's echo of them).
const shape = (v) => JSON.parse(JSON.stringify(v, (k, x) => (/^(loginCode|pushToken|obtainedAt|expiresAt|receipt)$/.test(k) ? typeof x : x)));

test('login, login codes and subscription grants: the same results as direct mode, the host called inside the tap', async () => {
  const cases = [
    ['wechat', (b) => b.askLoginCode()],
    ['wechat', (b) => b.login()],
    ['wechat', (b) => b.askSubscribe(['g1', 'g2'])],
    ['wechat', (b) => b.requestSubscribeMessage(['g1', 'g2', 'g3', 'g4', 'g5'])],
    ['alipay', (b) => b.askSubscribe(['e1'])],
    ['alipay', (b) => b.requestSubscribeMessage(['e1', 'e2', 'e3'])],
    ['binance', (b) => b.askLoginCode()],
    ['binance', (b) => b.login()],
  ];
  let asks = 0;
  for (const [platform, call] of cases) {
    const label = `${platform}: ${call}`;
    const host = gestureHost(platform);
    const s = split({ host, hostName: HOSTS[platform][0] });
    setTap(host, true);
    const pending = call(s.bridge);
    setTap(host, false);
    assert.equal(consentCalls(host).length, 1, `${label}: the host was called before the first await`);
    const relayed = await pending;
    const directBridge = new ConsentBridge({ platform, host: HOSTS[platform][1](), backend, transport: 'host', headers: { 'X-Test-Scenario': s.id } });
    const direct = await call(directBridge);
    assert.deepEqual(shape(relayed), shape(direct), label);
    assert.equal(consentCalls(host).filter((c) => c.refused).length, 0, `${label}: no call outside the tap`);
    // After an await the host refuses, with direct mode's error.
    await sleep(0);
    const late = await errorOf(call(s.bridge), `${label}: late`);
    assert.deepEqual(late, await errorOf(call(new ConsentBridge({ platform, host: gestureHost(platform), backend })), `${label}: late, direct`), `${label}: late`);
    assert.equal(consentCalls(host).filter((c) => c.refused).length, 1, label);
    // A consent from an ask… method forwards once from the page as from the bridge.
    if (!('forwarded' in relayed || 'kind' in relayed)) {
      asks += 1;
      const outcome = (p) => p.then((v) => ({ value: shape(v) }), (e) => ({ code: e.code, message: e.message }));
      for (const round of ['first', 'again']) {
        assert.deepEqual(await outcome(s.bridge.forward(relayed)), await outcome(directBridge.forward(direct)), `${label}: forward, ${round}`);
      }
    }
    assert.deepEqual([s.pageErrors, s.workerErrors], [[], []], label);
  }
  assert.equal(asks, 4, 'each ask… result was forwarded twice in both modes');
});

test('the template limit and the subscription options are per platform, as in direct mode', async () => {
  const ids = (n) => Array.from({ length: n }, (_, i) => `t${i + 1}`);
  const cases = [
    // [platform or null (a mock that is no global), page options, ids]
    ['wechat', {}, 5],
    ['wechat', {}, 6],
    ['alipay', {}, 3],
    ['alipay', {}, 4],
    ['binance', {}, 3],
    ['binance', {}, 4],
    ['wechat', { maxTemplatesPerCall: 7 }, 7],
    ['wechat', { maxTemplatesPerCall: 7 }, 8],
    ['binance', { maxTemplatesPerCall: 2 }, 3],
    [null, { platform: 'wechat' }, 5],
    [null, { platform: 'alipay' }, 4],
    [null, {}, 4],
  ];
  for (const [platform, page, n] of cases) {
    const label = `${platform} ${JSON.stringify(page)} ${n}`;
    const named = platform || page.platform;
    const makeHost = named ? HOSTS[named][1] : mockWechatHost;
    const s = split({ host: makeHost(), hostName: platform && HOSTS[platform][0], page });
    const directHost = makeHost();
    const options = { host: directHost, ...(named ? { platform: named } : {}), ...(page.maxTemplatesPerCall ? { maxTemplatesPerCall: page.maxTemplatesPerCall } : {}) };
    const direct = new ConsentBridge(options).askSubscribe(ids(n));
    const relayed = s.bridge.askSubscribe(ids(n));
    assert.deepEqual(shape(consentCalls(s.host).map((c) => c.options)), shape(consentCalls(directHost).map((c) => c.options)), `${label}: the same host call (tmplIds or entityIds), or none`);
    if (directHost.calls.length === 0) assert.deepEqual(await errorOf(relayed), await errorOf(direct), label);
    else assert.deepEqual(shape(await relayed), shape(await direct), label);
    assert.deepEqual([s.pageErrors, s.workerErrors], [[], []], label);
  }
});

test('platform refusals, host failures, QUOTA_EXCEEDED and bad options: the same errors as direct mode', async () => {
  // A spy for each API the platform has no call for: neither mode may call it.
  const withSpies = (make) => () => {
    const host = make();
    for (const api of ['getPhoneNumber', 'getOpenId', 'getEmailAddress', 'getOpenUserInfo', 'getAuthCode', 'login']) {
      if (typeof host[api] !== 'function') host[api] = (o) => host.calls.push({ api, options: o });
    }
    return host;
  };
  const cases = [
    ['wechat', {}, (b) => b.askPhoneNumber()],
    ['wechat', {}, (b) => b.getOpenId()],
    ['wechat', {}, (b) => b.askEmailAddress()],
    ['wechat', {}, (b) => b.askOpenUserInfo()],
    ['wechat', {}, (b) => b.askAuthCode(['auth_base'])],
    ['wechat', {}, (b) => b.phoneNumberFromEvent(wechatPhoneQuota())],
    ['wechat', {}, (b) => b.forwardPhoneNumberEvent(wechatPhoneDenial())],
    ['wechat', { requestSubscribeMessage: wechatSubscribeError(20004) }, (b) => b.askSubscribe(['g1'])],
    ['wechat', { requestSubscribeMessage: wechatSubscribeError(10005) }, (b) => b.requestSubscribeMessage(['g1'])],
    ['wechat', { login: { fail: { errMsg: 'login:fail network' } } }, (b) => b.login()],
    ['wechat', { login: { throws: new Error('boom') } }, (b) => b.askLoginCode()],
    ['wechat', { login: { success: { errMsg: 'login:ok' } } }, (b) => b.askLoginCode()],
    ['alipay', {}, (b) => b.askLoginCode()],
    ['alipay', {}, (b) => b.login()],
    ['alipay', {}, (b) => b.getPhoneNumber()],
    ['alipay', { requestSubscribeMessage: alipaySubscribeError(11) }, (b) => b.askSubscribe(['e1'])],
    ['alipay', { requestSubscribeMessage: alipaySubscribeError(106002) }, (b) => b.requestSubscribeMessage(['e1'])],
    ['binance', {}, (b) => b.askOpenUserInfo()],
    ['binance', {}, (b) => b.getAuthCode(['auth_user'])],
    ['binance', { login: { fail: { errMsg: 'login:fail user deny' } } }, (b) => b.login()],
  ];
  const codes = new Set();
  for (const [platform, script, call] of cases) {
    const label = `${platform}: ${call}`;
    const make = withSpies(() => HOSTS[platform][1](script));
    const directHost = make();
    const direct = await errorOf(call(new ConsentBridge({ platform, host: directHost, backend, transport: 'host' })), label);
    codes.add(direct.code);
    const s = split({ host: make(), hostName: HOSTS[platform][0] });
    assert.deepEqual(await errorOf(call(s.bridge)), direct, label);
    assert.deepEqual(consentCalls(s.host).map((c) => c.api), consentCalls(directHost).map((c) => c.api), `${label}: the same host calls`);
    assert.equal(requests(s.host), 0, `${label}: nothing forwarded`);
  }
  assert.deepEqual([...codes].sort(), ['HOST_ERROR', 'HOST_UNAVAILABLE', 'INVALID_ARGUMENT', 'INVALID_RESULT', 'QUOTA_EXCEEDED', 'USER_DENIED']);
  // A phone button on WeChat works through split mode too.
  const s = split({ host: mockWechatHost(), hostName: 'wx' });
  const phone = await s.bridge.phoneNumberFromEvent(wechatPhoneEvent());
  assert.equal(phone.platform, 'wechat');
  assert.equal((await s.bridge.forward(phone)).kind, 'phoneNumber');
  // Alipay grants with a rejected template.
  const a = split({ host: mockAlipayHost({ requestSubscribeMessage: alipaySubscribeAnswer({ e1: 'accept', e2: 'reject' }) }) });
  const grants = await a.bridge.requestSubscribeMessage(['e1', 'e2']);
  assert.deepEqual([grants.platform, grants.accepted, grants.rejected, grants.forwarded], ['alipay', ['e1'], [{ templateId: 'e2', reason: 'reject' }], ['e1']]);
  // Bad options are INVALID_CONFIG at construction, with the bridge's message.
  for (const bad of [{ platform: 'line' }, { platform: '' }, { maxTemplatesPerCall: 0 }, { maxTemplatesPerCall: 2.5 }, { maxTemplatesPerCall: 21 }, { maxTemplatesPerCall: '5' }]) {
    const direct = (() => {
      try {
        new ConsentBridge({ host: mockWechatHost(), ...bad });
      } catch (e) {
        return [e.code, e.message];
      }
    })();
    assert.throws(() => split({ host: mockWechatHost(), hostName: 'wx', page: bad }), (e) => e.code === direct[0] && e.message === direct[1], JSON.stringify(bad));
  }
});

test('halves of different protocol versions refuse each other, whichever side is older', async () => {
  for (const older of ['worker', 'page']) {
    const s = split({ host: mockWechatHost(), hostName: 'wx' });
    // An older half: its messages carry protocol 1.
    s.chan.tap = (to, m, send) => send(to === older ? m : { ...m, version: 1 });
    const e = await errorOf(s.bridge.askLoginCode());
    assert.equal(e.code, 'SPLIT_VERSION_MISMATCH', older);
    assert.match(e.message, /protocol 2 .* protocol 1/, older);
    assert.equal(requests(s.host), 0, `${older}: nothing forwarded`);
    const newer = older === 'worker' ? s.pageErrors : s.workerErrors;
    assert.ok(newer.some((w) => /protocol 1/.test(w.message)), `the newer half reported the ${older}'s version`);
  }
});

test('the split-mode declarations type-check a page and a Worker under tsc --strict, and reject misuse', () => {
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  const file = join(root, 'tests', 'node', 'split-usage.ts');
  const args = ['--strict', '--noEmit', '--target', 'es2020', '--module', 'esnext', '--moduleResolution', 'bundler', file];
  try {
    execFileSync(tsc, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});
