// Runs inside the JavaScriptCore shell (`jsc`), bundled by tests/jsc/build.mjs into one
// classic script with the BUILT mini program entry (pkg/miniprogram/index.js) and the
// shared mock hosts. jsc has setTimeout but no clearTimeout, TextDecoder,
// queueMicrotask, fetch or require: like an iOS logic layer, minus the host.
//
// The wasm is loaded through a path loader (readFile(path, 'binary') + WebAssembly, the
// shape of WXWebAssembly.instantiate). Host `request` is relayed to the Node runner over
// stdout/stdin (one JSON line each way), which performs the real HTTP to the reference
// backend. Each flow prints `@@RESULT {json}`; `-- bench N` prints timings instead.
import { alipayAuthError, alipayUserInfo, binanceDenial, mockAlipayHost, mockBinanceHost } from '../../js/mock-hosts.js';
import { emit, relayedRequest } from './relay.mjs';

/* global print, readline, readFile, preciseTime, quit */
// jsc puts the arguments after `--` in the global `arguments`.
const args = Array.from(globalThis.arguments || []);
const bench = args[0] === 'bench';
const now = () => preciseTime() * 1000;
const codePackage = args[bench ? 2 : 0];

// WXWebAssembly-style: only a path inside the code package.
// jsc cannot decompress brotli, so a .wasm.br reaches WebAssembly as it is (and fails).
function instantiateByPath(path, imports) {
  if (typeof path !== 'string' || !/\.wasm(\.br)?$/.test(path)) return Promise.reject(new Error('path must be a .wasm inside the code package'));
  return WebAssembly.instantiate(readFile(codePackage + path, 'binary'), imports);
}

const t0 = now();
const entry = require('../../pkg/miniprogram/index.js');
const evaluated = now();
// The plain module (web/), as a runtime that cannot decompress .wasm.br must use.
const wasmPath = '/web/mp_consent_bridge_bg.wasm';
const brotliPath = '/miniprogram/mp_consent_bridge.wasm.br';

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}
async function rejects(promise, code) {
  try {
    await promise;
  } catch (e) {
    check(e.code === code, `expected ${code}, got ${e.code}: ${e.message}`);
    check(e instanceof entry.BridgeError && e instanceof Error, 'a BridgeError instance');
    return e;
  }
  throw new Error(`expected a rejection with ${code}`);
}

async function flows(backend, scenario) {
  const headers = { 'X-Test-Scenario': scenario };
  const list = [];
  const flow = (name, run) => list.push([name, run]);
  const binance = (script = {}) => {
    const bn = mockBinanceHost({ ...script, request: relayedRequest('binance') });
    return { bn, bridge: new entry.ConsentBridge({ host: bn, backend, headers }) };
  };
  const alipay = (script = {}) => {
    const my = mockAlipayHost({ ...script, request: relayedRequest('alipay') });
    return { my, bridge: new entry.ConsentBridge({ host: my, backend, headers }) };
  };
  flow('binance getPhoneNumber (host call inside the tap)', async () => {
    const { bn, bridge } = binance();
    const pending = bridge.getPhoneNumber();
    check(bn.calls.length === 1, 'the host was called synchronously');
    check((await pending).kind === 'phoneNumber', 'forwarded');
  });
  flow('binance getOpenId', async () => check((await binance().bridge.getOpenId()).kind === 'openId', 'forwarded'));
  flow('binance getEmailAddress', async () => check((await binance().bridge.getEmailAddress()).kind === 'email', 'forwarded'));
  flow('binance requestSubscribeMessage', async () => {
    const out = await binance().bridge.requestSubscribeMessage(['jsc-t1', 'jsc-t2']);
    check(out.forwarded.join() === 'jsc-t1,jsc-t2' && out.accepted.length === 2, 'both templates forwarded');
  });
  flow('binance askPhoneNumber + forward, exactly once', async () => {
    const { bridge } = binance();
    const consent = await bridge.askPhoneNumber();
    check(consent.expiresAt - consent.obtainedAt === 120000, 'a 2-minute lifetime');
    check((await bridge.forward(consent)).kind === 'phoneNumber', 'forwarded');
    await rejects(bridge.forward(consent), 'TOKEN_ALREADY_USED');
  });
  flow('binance forwardPhoneNumberEvent', async () => {
    const out = await binance().bridge.forwardPhoneNumberEvent({ detail: { code: `btn-${Date.now()}` } });
    check(out.kind === 'phoneNumber', 'forwarded');
  });
  flow('binance denial', async () => {
    const { bn, bridge } = binance({ getPhoneNumber: binanceDenial('getPhoneNumber') });
    await rejects(bridge.getPhoneNumber(), 'USER_DENIED');
    check(bn.calls.filter((c) => c.api === 'request').length === 0, 'nothing forwarded');
  });
  flow('binance host timeout', async () => {
    const bn = mockBinanceHost({ getEmailAddress: 'never', request: relayedRequest('binance') });
    await rejects(new entry.ConsentBridge({ host: bn, hostTimeoutMs: 50 }).askEmailAddress(), 'HOST_TIMEOUT');
  });
  flow('alipay getAuthCode', async () => check((await alipay().bridge.getAuthCode(['auth_user'])).kind === 'authCode', 'forwarded'));
  flow('alipay getOpenUserInfo with a UTF-8 profile', async () => {
    const { bridge } = alipay({ getOpenUserInfo: alipayUserInfo({ nickName: '小明 😀' }) });
    const profile = await bridge.askOpenUserInfo();
    check(profile.nickName === '小明 😀', `nickName survived the polyfills: ${profile.nickName}`);
    check((await bridge.forward(profile)).kind === 'userInfo', 'forwarded');
  });
  flow('alipay askOpenUserInfoFromEvent', async () => {
    const { bridge } = alipay();
    check((await bridge.askOpenUserInfoFromEvent({ type: 'getAuthorize', detail: {} })).nickName === 'Mock User', 'profile');
    await rejects(bridge.askOpenUserInfoFromEvent({ type: 'error', detail: { errorCode: 11 } }), 'USER_DENIED');
  });
  flow('alipay askAuthCode + forward', async () => {
    const { bridge } = alipay();
    const consent = await bridge.askAuthCode(['auth_base']);
    check((await bridge.forward(consent)).kind === 'authCode', 'forwarded');
    await rejects(bridge.forward(consent), 'TOKEN_ALREADY_USED');
  });
  flow('alipay cancelled and single modal', async () => {
    const { bridge } = alipay({ getAuthCode: { ...alipayAuthError(11, 'cancel'), delayMs: 20 } });
    const first = bridge.getAuthCode(['auth_user']);
    await rejects(bridge.getOpenUserInfo(), 'CONSENT_BUSY');
    await rejects(first, 'USER_DENIED');
    await rejects(bridge.askAuthCode(['USER_NICKNAME', 'PLAINTEXT_MOBILE_PHONE']), 'INVALID_ARGUMENT');
  });
  flow('backend rejection over the host request', async () => {
    const my = mockAlipayHost({ request: relayedRequest('alipay') });
    const bridge = new entry.ConsentBridge({ host: my, backend, headers: { 'X-Test-Scenario': `${scenario}-reject` }, retries: 0 });
    const e = await rejects(bridge.getAuthCode(['auth_user']), 'BACKEND_REJECTED');
    check(e.details.status === 422 && e.details.backendMessage === 'invalid_grant', JSON.stringify(e.details));
  });
  for (const [name, run] of list) {
    const started = now();
    try {
      await run();
      emit('RESULT', { name, ok: true, ms: now() - started });
    } catch (e) {
      emit('RESULT', { name, ok: false, error: String(e && e.message) });
    }
  }
}

/** Per-flow time with instant hosts: the bridge's own overhead in this engine. */
async function benchFlows(count) {
  const instantRequest = (o) => {
    o.success({ data: '{"kind":"phoneNumber"}', header: {}, statusCode: 200 });
    return { abort() {} };
  };
  const instantPhone = () => ({ getPhoneNumber: (o) => o.success({ code: `bench-${Math.random().toString(36).slice(2)}` }), request: instantRequest });
  const instantProfile = () => ({ getOpenUserInfo: (o) => o.success(alipayUserInfo().success), request: instantRequest });
  const cases = [
    ['askPhoneNumber (validate only)', (b) => b.askPhoneNumber(), instantPhone],
    ['getPhoneNumber (validate + forward)', (b) => b.getPhoneNumber(), instantPhone],
    ['askOpenUserInfo (parse + validate)', (b) => b.askOpenUserInfo(), instantProfile],
  ];
  for (const [name, run, host] of cases) {
    for (let i = 0; i < count / 10; i += 1) await run(new entry.ConsentBridge({ host: host(), backend: 'https://bench.example', transport: 'host' }));
    const started = now();
    for (let i = 0; i < count; i += 1) {
      const bridge = new entry.ConsentBridge({ host: host(), backend: 'https://bench.example', transport: 'host' });
      await run(bridge);
      bridge.free();
    }
    emit('BENCH', { name, count, usPerFlow: ((now() - started) * 1000) / count });
  }
}

let brotliRefused = null;
entry
  .load({ instantiate: instantiateByPath, path: brotliPath })
  .then(
    () => {
      throw new Error('jsc instantiated a .wasm.br');
    },
    (e) => {
      brotliRefused = { code: e.code, message: e.message };
      return entry.load({ instantiate: instantiateByPath, path: wasmPath });
    },
  )
  .then(async () => {
    emit('BROTLI', brotliRefused);
    const loaded = now();
    emit('START', { evaluateMs: evaluated - t0, loadMs: loaded - evaluated, totalMs: loaded - t0 });
    if (bench && Number(args[1]) > 0) await benchFlows(Number(args[1]));
    else await flows(args[1], args[2]);
    emit('DONE', {});
    quit();
  })
  .catch((e) => {
    emit('FATAL', { error: String(e && e.message) });
    quit();
  });
