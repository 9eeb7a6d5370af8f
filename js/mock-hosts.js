// Mock mini program hosts (WeChat `wx`, Binance `bn`, Alipay `my`) that follow the documented shapes
// (DESIGN.md §2–§3), for tests, the demo and your own unit tests:
// `import { mockBinanceHost, mockAlipayHost } from 'mp-consent-bridge/testing'`.
//
// Each API answers according to a plan: { success: value } or { fail: value }, delivered
// through callbacks, a returned promise, or both (`via`); { throws: value }; 'never'; or a
// function (options) => any for anything else. Calls are recorded in `host.calls`.
// `request` performs real HTTP with fetch (Node, browsers) in the host's own result shapes.

let counter = 0;
/** A fresh fake token: opaque, URL-safe, unique per call. */
export function fakeToken(prefix = 'tok') {
  counter += 1;
  return `${prefix}.${Date.now().toString(36)}.${counter.toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
}

function deliver(plan, options) {
  const via = plan.via ?? 'callback';
  const after = plan.delayMs ?? 0;
  const outcome = 'success' in plan ? ['success', plan.success] : ['fail', plan.fail];
  const value = typeof outcome[1] === 'function' ? outcome[1](options) : outcome[1];
  const callbacks = () => {
    const cb = options && options[outcome[0]];
    if (typeof cb === 'function') cb(value);
    if (options && typeof options.complete === 'function') options.complete(value);
    if (plan.twice && typeof cb === 'function') cb(value);
  };
  if (via === 'callback' || via === 'both') setTimeout(callbacks, after);
  if (via === 'promise' || via === 'both') {
    return new Promise((resolve, reject) => setTimeout(() => (outcome[0] === 'success' ? resolve : reject)(value), after));
  }
  return undefined;
}

function play(plan, options) {
  if (typeof plan === 'function') return plan(options);
  if (plan === 'never') return undefined;
  if (plan && 'throws' in plan) throw plan.throws;
  return deliver(plan, options);
}

function makeHost(apis, script, requestShape) {
  const calls = [];
  const host = { calls };
  for (const [api, fallback] of Object.entries(apis)) {
    host[api] = function (options) {
      calls.push({ api, options });
      const plan = typeof script[api] === 'function' || script[api] ? script[api] : fallback();
      return play(plan, options);
    };
  }
  host.request = function (options) {
    calls.push({ api: 'request', options: { url: options.url, method: options.method } });
    if (script.request) return play(script.request, options);
    return hostRequest(options, requestShape);
  };
  return host;
}

/** `bn.request` / `my.request` over fetch, answering in the host's documented shapes. */
function hostRequest(options, shape) {
  const controller = new AbortController();
  const headers = options.header || options.headers || {};
  fetch(options.url, { method: options.method || 'GET', headers, body: options.data, signal: controller.signal })
    .then(async (res) => {
      const data = await res.text();
      const header = Object.fromEntries(res.headers.entries());
      if (shape === 'alipay') {
        // my.request fails with {error: 19} on HTTP status errors.
        if (res.status >= 400) options.fail?.({ error: 19, errorMessage: 'http status error', status: res.status, data, headers: header });
        else options.success?.({ data, status: res.status, headers: header });
      } else {
        options.success?.({ data, header, statusCode: res.status, errMsg: 'request:ok' });
      }
    })
    .catch((e) => {
      if (shape === 'alipay') options.fail?.({ error: controller.signal.aborted ? 13 : 12, errorMessage: String(e && e.message) });
      else if (shape === 'wechat') options.fail?.({ errMsg: `request:fail ${controller.signal.aborted ? 'abort' : e && e.message}`, errno: controller.signal.aborted ? 5 : 600001 });
      else options.fail?.({ errMsg: `request:fail ${controller.signal.aborted ? 'abort' : e && e.message}` });
    });
  return { abort: () => controller.abort() };
}

/** A Binance `bn` host whose consent APIs succeed unless `script` says otherwise. */
export function mockBinanceHost(script = {}) {
  return makeHost(
    {
      getPhoneNumber: () => ({ success: { code: fakeToken('phone') } }),
      getOpenId: () => ({ success: { code: fakeToken('openid') } }),
      getEmailAddress: () => ({ success: { code: fakeToken('email') } }),
      login: () => ({ success: { code: fakeToken('bnlogin') } }),
      requestSubscribeMessage: () => ({
        success: (options) => {
          const answer = { errMsg: 'requestSubscribeMessage:ok' };
          for (const id of options.tmplIds || []) answer[id] = { type: 'accept', token: fakeToken('push') };
          return answer;
        },
      }),
    },
    script,
    'binance',
  );
}

/** The documented denial of a Binance consent API. */
export function binanceDenial(api) {
  return { fail: { errMsg: `${api}:fail user deny` } };
}

/** The documented `my.getOpenUserInfo` success: a JSON string, only avatar and nickName filled (since 2022). */
export function alipayUserInfo(profile = {}) {
  const inner = { code: '10000', msg: 'Success', avatar: 'https://tfs.alipayobjects.com/images/partner/mock.png', nickName: 'Mock User', gender: '', countryCode: '', province: '', city: '', ...profile };
  return { success: { response: JSON.stringify({ response: inner }) } };
}

/** A documented `my.getOpenUserInfo` failure carried inside the response string: '40006' or '40003'. */
export function alipayUserInfoError(code) {
  const inner = code === '40006'
    ? { code: '40006', msg: 'Insufficient Permissions', subCode: 'isv.insufficient-isv-permissions', subMsg: 'ISV权限不足' }
    : { code: '40003', msg: 'Insufficient Conditions', subCode: 'isv.invalid-auth-relations', subMsg: '无效的授权关系' };
  return { success: { response: JSON.stringify({ response: inner }) } };
}

/** A `my.getAuthCode` failure with its documented code: 11 cancelled, 3 no result, 10 empty data, 12 network, 1001 (Alipay+) cancel. */
export function alipayAuthError(error, errorMessage = 'mock failure') {
  return { fail: { error, errorMessage } };
}

/** An Alipay `my` host whose consent APIs succeed unless `script` says otherwise. */
export function mockAlipayHost(script = {}) {
  return makeHost(
    {
      getOpenUserInfo: () => alipayUserInfo(),
      getAuthCode: () => ({
        success: (options) => ({ authCode: fakeToken('authcode'), authSuccessScopes: [...(options.scopes || [])], authErrorScopes: {} }),
      }),
      requestSubscribeMessage: () => ({
        success: (options) => alipaySubscribeAnswer(Object.fromEntries((options.entityIds || []).map((id) => [id, 'accept']))).success,
      }),
    },
    script,
    'alipay',
  );
}

/** A WeChat `wx` host whose consent APIs succeed unless `script` says otherwise.
 * `wx.login` answers `{code, errMsg: 'login:ok'}`; `wx.requestSubscribeMessage` answers
 * `{errMsg: 'requestSubscribeMessage:ok', [tmplId]: 'accept'}` (no token); `wx.request`
 * is callback-only (success `{data, statusCode, header, errMsg}`, fail `{errMsg, errno}`)
 * and returns a RequestTask, never a promise. The phone number has no API on WeChat: build
 * its button events with `wechatPhoneEvent` and friends. */
export function mockWechatHost(script = {}) {
  return makeHost(
    {
      login: () => ({ success: { code: fakeToken('wxlogin'), errMsg: 'login:ok' } }),
      requestSubscribeMessage: () => ({
        success: (options) => {
          const answer = { errMsg: 'requestSubscribeMessage:ok' };
          for (const id of options.tmplIds || []) answer[id] = 'accept';
          return answer;
        },
      }),
    },
    script,
    'wechat',
  );
}

/** A `getPhoneNumber` / `getRealtimePhoneNumber` button event carrying a fresh code. */
export function wechatPhoneEvent(code = fakeToken('wxphone'), type = 'getphonenumber') {
  return { type, detail: { errMsg: 'getPhoneNumber:ok', code } };
}

/** The phone button event when the user declines. */
export function wechatPhoneDenial() {
  return { type: 'getphonenumber', detail: { errMsg: 'getPhoneNumber:fail user deny' } };
}

/** The phone button event when the account's quota is used up (errno 1400001; no prompt shown). */
export function wechatPhoneQuota() {
  return { type: 'getphonenumber', detail: { errMsg: 'getPhoneNumber:fail no quota', errno: 1400001 } };
}

/** A `wx.requestSubscribeMessage` failure `{errMsg, errCode}`: 20004 all switched off, 10001–10005, 20001–20005, 20013. */
export function wechatSubscribeError(errCode, errMsg = `requestSubscribeMessage:fail ${errCode}`) {
  return { fail: { errMsg, errCode } };
}

/** A `my.requestSubscribeMessage` success: `verdicts` maps entity ids to 'accept' or 'reject'. */
export function alipaySubscribeAnswer(verdicts) {
  const ids = Object.keys(verdicts);
  const accepted = ids.filter((id) => verdicts[id] === 'accept');
  return {
    success: {
      behavior: accepted.length ? 'subscribe' : 'cancel',
      keep: false,
      refuse: false,
      show: true,
      ...verdicts,
      result: { subscribeEntityIds: accepted, unsubscribedEntityIds: ids.filter((id) => verdicts[id] !== 'accept'), currentSubscribedEntityIds: accepted },
    },
  };
}

/** A `my.requestSubscribeMessage` failure: 11 cancelled, 15 panel open, 203 invalid params, 100201 rate limit, 106002 mixed kinds, 106008 invalid template. */
export function alipaySubscribeError(errorCode, errorMessage = 'mock failure') {
  return { fail: { errorCode, errorMessage } };
}
