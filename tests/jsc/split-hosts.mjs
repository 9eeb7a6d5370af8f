// The mock hosts for the jsc split driver, plus a host that refuses consent calls made
// outside the tap (as tests/support/harness.js does for the other suites).
import { alipayAuthError, mockAlipayHost, mockWechatHost } from '../../js/mock-hosts.js';

export { alipayAuthError, mockAlipayHost, mockWechatHost };

export function gestureHost(host, platform = 'alipay') {
  host.inTap = false;
  for (const api of ['getOpenUserInfo', 'getAuthCode', 'requestSubscribeMessage', 'login']) {
    const inner = host[api];
    if (typeof inner !== 'function') continue;
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
