// The mock hosts for the jsc split driver, plus a host that refuses consent calls made
// outside the tap (as tests/support/harness.js does for the other suites).
import { alipayAuthError, mockAlipayHost } from '../../js/mock-hosts.js';

export { alipayAuthError, mockAlipayHost };

export function gestureHost(host) {
  host.inTap = false;
  for (const api of ['getOpenUserInfo', 'getAuthCode']) {
    const inner = host[api];
    host[api] = function (options) {
      if (!host.inTap) {
        host.calls.push({ api, options, refused: true });
        setTimeout(() => options.fail({ error: 2, errorMessage: 'can only be invoked by user TAP gesture' }), 0);
        return undefined;
      }
      return inner.call(host, options);
    };
  }
  return host;
}
