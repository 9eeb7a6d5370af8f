// Split mode in JavaScriptCore: the BUILT Worker half (split-worker.js + index.js, bundled
// here) runs in this jsc global, the BUILT page half (split-page.js, read as text) in a
// second realm ($262.createRealm()) whose WebAssembly global is deleted, the two joined by
// an asynchronous copying postMessage (JSON, on a later timer turn). Every Alipay flow
// runs from the page realm with a mock `my`, WeChat's login and subscriptions from one
// with a mock `wx` (the platform detected from that global); the Worker loads the plain module by path
// (jsc cannot decompress brotli) and forwards through the page's relayed my.request.
import { alipayAuthError, gestureHost, mockAlipayHost, mockWechatHost } from './split-hosts.mjs';
import { emit, relayedRequest } from './relay.mjs';

/* global readFile, quit, $262 */
const args = Array.from(globalThis.arguments || []);
const pkg = args[0];
const backend = args[1];
const scenario = args[2];
const { serveSplit } = require('../../pkg/miniprogram/split-worker.js');

function channel() {
  const listeners = { page: null, worker: null };
  const send = (to) => (message) => {
    const copy = JSON.stringify(message);
    setTimeout(() => listeners[to] && listeners[to](JSON.parse(copy)), 0);
  };
  return {
    pageWorker: { postMessage: send('worker'), onMessage: (l) => (listeners.page = l) },
    workerGlobal: { postMessage: send('page'), onMessage: (l) => (listeners.worker = l) },
  };
}

/** The page half in its own realm, without WebAssembly, with `host` as its only host global. */
function pageRealm(host, name = 'my') {
  const realm = $262.createRealm();
  realm.global.setTimeout = setTimeout;
  realm.global[name] = host;
  realm.evalScript('delete globalThis.WebAssembly; var module = { exports: {} }; var exports = module.exports;');
  realm.evalScript(readFile(`${pkg}/miniprogram/split-page.js`));
  if (realm.evalScript('typeof WebAssembly') !== 'undefined') throw new Error('the page realm has WebAssembly');
  return realm.global.module.exports;
}

const instantiateByPath = (path, imports) => WebAssembly.instantiate(readFile(pkg + path, 'binary'), imports);

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}
async function rejects(promise, code) {
  try {
    await promise;
  } catch (e) {
    check(e.code === code, `expected ${code}, got ${e.code}: ${e.message}`);
    check(e.name === 'BridgeError', 'a BridgeError');
    return e;
  }
  throw new Error(`expected a rejection with ${code}`);
}

async function main() {
  const chan = channel();
  const served = serveSplit({
    worker: chan.workerGlobal,
    load: { instantiate: instantiateByPath, path: '/web/mp_consent_bridge_bg.wasm' },
    bridge: { backend, headers: { 'X-Test-Scenario': scenario } },
  });
  await served.ready;
  const my = gestureHost(mockAlipayHost({ request: relayedRequest('alipay') }));
  const page = pageRealm(my).createSplitPage({ host: my, worker: chan.pageWorker });
  const tap = (fn) => {
    my.inTap = true;
    try {
      return fn();
    } finally {
      my.inTap = false;
    }
  };
  const flows = [
    ['getAuthCode, the host called inside the tap', async () => {
      const pending = tap(() => page.getAuthCode(['auth_user']));
      check(my.calls.length === 1, 'called synchronously');
      check((await pending).kind === 'authCode', 'forwarded');
    }],
    ['askAuthCode + forward, exactly once', async () => {
      const consent = await tap(() => page.askAuthCode(['auth_base']));
      check((await page.forward(consent)).kind === 'authCode', 'forwarded');
      await rejects(page.forward(consent), 'TOKEN_ALREADY_USED');
    }],
    ['getOpenUserInfo', async () => check((await tap(() => page.getOpenUserInfo())).kind === 'userInfo', 'forwarded')],
    ['askOpenUserInfoFromEvent + forward, and its error event', async () => {
      const profile = await tap(() => page.askOpenUserInfoFromEvent({ type: 'getAuthorize', detail: {} }));
      check(profile.nickName === 'Mock User', 'profile');
      check((await page.forward(profile)).kind === 'userInfo', 'forwarded');
      await rejects(page.askOpenUserInfoFromEvent({ type: 'error', detail: { errorCode: 11 } }), 'USER_DENIED');
    }],
    ['Alipay subscriptions: entityIds, grants forwarded', async () => {
      const grants = await tap(() => page.requestSubscribeMessage(['e1', 'e2']));
      check(JSON.stringify(my.calls[my.calls.length - 2].options.entityIds) === '["e1","e2"]', 'asked with entityIds');
      check(grants.platform === 'alipay' && JSON.stringify(grants.forwarded) === '["e1","e2"]', 'forwarded');
    }],
    // Each new realm loads its own page half, whose hub takes the channel's single page
    // listener (as the last onMessage does on a real Worker): the flows of `page` come first.
    ['refusals are typed: cancelled, busy, bad scopes', async () => {
      const slow = gestureHost(mockAlipayHost({ getAuthCode: { ...alipayAuthError(11, 'cancel'), delayMs: 20 }, request: relayedRequest('alipay') }));
      const other = pageRealm(slow).createSplitPage({ host: slow, worker: chan.pageWorker });
      slow.inTap = true;
      const first = other.getAuthCode(['auth_user']);
      const busy = other.getOpenUserInfo();
      slow.inTap = false;
      await rejects(busy, 'CONSENT_BUSY');
      await rejects(first, 'USER_DENIED');
      await rejects(other.askAuthCode(['USER_NICKNAME', 'PLAINTEXT_MOBILE_PHONE']), 'INVALID_ARGUMENT');
      other.dispose();
    }],
    ['WeChat in a wx realm: login and 5 templates inside the tap, 6 refused before the host', async () => {
      const wx = gestureHost(mockWechatHost({ request: relayedRequest('wechat') }), 'wechat');
      const wechat = pageRealm(wx, 'wx').createSplitPage({ host: wx, worker: chan.pageWorker });
      wx.inTap = true;
      const login = wechat.login();
      check(wx.calls.length === 1, 'wx.login called synchronously');
      const sub = wechat.requestSubscribeMessage(['w1', 'w2', 'w3', 'w4', 'w5']);
      wx.inTap = false;
      await rejects(sub, 'CONSENT_BUSY');
      check((await login).kind === 'loginCode', 'login forwarded');
      wx.inTap = true;
      const grants = wechat.requestSubscribeMessage(['w1', 'w2', 'w3', 'w4', 'w5']);
      wx.inTap = false;
      check(JSON.stringify((await grants).forwarded) === '["w1","w2","w3","w4","w5"]', 'five grants forwarded');
      await rejects(wechat.askSubscribe(['1', '2', '3', '4', '5', '6']), 'INVALID_ARGUMENT');
      check(wx.calls.filter((c) => c.api !== 'request').length === 2 && !wx.calls.some((c) => c.refused), 'two host calls, both in the tap');
      wechat.dispose();
    }],
    ['a Worker that never answers', async () => {
      const dead = { postMessage() {}, onMessage() {} };
      const lonely = pageRealm(my).createSplitPage({ host: my, worker: dead, ackTimeoutMs: 100 });
      await rejects(tap(() => lonely.getOpenUserInfo()), 'WORKER_UNAVAILABLE');
    }],
  ];
  for (const [name, run] of flows) {
    try {
      await run();
      emit('RESULT', { name, ok: true });
    } catch (e) {
      emit('RESULT', { name, ok: false, error: String(e && e.message) });
    }
  }
  check(my.calls.filter((c) => c.refused).length === 0, 'no host call outside the tap');
  page.dispose();
}

main().then(
  () => {
    emit('DONE', {});
    quit();
  },
  (e) => {
    emit('FATAL', { error: String(e && e.message) });
    quit();
  },
);
