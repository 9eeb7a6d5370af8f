// Browser-test helpers around the shared mock hosts (js/mock-hosts.mjs): odd plans that
// JSON cannot express, a host that enforces the user-gesture rule, and the reference
// backend's test endpoints.
import { mockAlipayHost, mockBinanceHost, mockWechatHost } from '../../js/mock-hosts.js';

export function hostWith(api, plan) {
  return mockBinanceHost({ [api]: plan });
}
export function alipayHostWith(api, plan) {
  return mockAlipayHost({ [api]: plan });
}
export function planJson(json) {
  return JSON.parse(json);
}
export function planFailUndefined(via) {
  return { fail: undefined, via };
}
export function planThrowError(message) {
  return { throws: new Error(message) };
}
export function planThrowValue(value) {
  return { throws: value };
}
export function planResolveThenCallback() {
  // The promise settles first with a valid token; a later fail callback must be ignored.
  return (options) => {
    setTimeout(() => options.fail({ errMsg: 'late fail' }), 5);
    return Promise.resolve({ code: 'promise-token' });
  };
}
export function planLateSuccess(ms) {
  return (options) => { setTimeout(() => options.success({ code: 'late-token' }), ms); };
}
export function planBadThenable() {
  return () => ({ then() { throw new Error('thenable exploded'); } });
}
export function planHugeAnswer() {
  return { success: { code: 'x', pad: 'y'.repeat(100000) } };
}
export function planDeepAnswer() {
  let v = { code: 'deep' };
  for (let i = 0; i < 50; i++) v = { nested: v };
  return { success: v };
}
export function planProtoKeys(ids) {
  // JSON.parse makes "__proto__" an own key, as a hostile host could.
  const answer = JSON.parse('{"__proto__": {"type": "accept", "token": "evil"}, "constructor": {"type": "accept", "token": "evil2"}}');
  answer.errMsg = 'requestSubscribeMessage:ok';
  answer[ids[0]] = { type: 'accept', token: 'good-push-token' };
  return { success: answer };
}
export function callCount(host, api) {
  return host.calls.filter((c) => c.api === api).length;
}
export function lastOptions(host, api) {
  const calls = host.calls.filter((c) => c.api === api);
  return calls.length ? calls[calls.length - 1].options : undefined;
}

// A host that refuses any consent call not made in the same synchronous turn as the tap.
export function gestureHost(platform) {
  const host = platform === 'alipay' ? mockAlipayHost() : platform === 'wechat' ? mockWechatHost() : mockBinanceHost();
  host.inTap = false;
  for (const api of ['getPhoneNumber', 'getOpenId', 'getEmailAddress', 'requestSubscribeMessage', 'getOpenUserInfo', 'getAuthCode', 'login']) {
    if (typeof host[api] !== 'function') continue;
    const inner = host[api];
    host[api] = function (options) {
      if (!host.inTap) {
        host.calls.push({ api, options, refused: true });
        const refusal = platform === 'alipay' ? { error: 2, errorMessage: 'can only be invoked by user TAP gesture' } : { errMsg: `${api}:fail can only be invoked by user TAP gesture` };
        setTimeout(() => options.fail(refusal), 0);
        return undefined;
      }
      return inner.call(host, options);
    };
  }
  return host;
}
export function setTap(host, on) {
  host.inTap = on;
}

export async function backendFault(url, fault) {
  const r = await fetch(`${url}/__test/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fault });
  if (!r.ok) throw new Error(`fault endpoint answered ${r.status}`);
}
export async function backendReceived(url) {
  const r = await fetch(`${url}/__test/received`);
  return r.json();
}
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
export function stringify(v) {
  return JSON.stringify(v);
}
