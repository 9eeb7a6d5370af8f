// The consumer's browser entry: imports the installed package by name, runs one flow
// against the reference backend (URL in location.hash) and reports on window.__RESULT__.
import { ConsentBridge, BridgeError } from 'mp-consent-bridge';
import { mockBinanceHost, binanceDenial } from 'mp-consent-bridge/testing';

const backend = decodeURIComponent(location.hash.slice(1));

async function run() {
  const host = mockBinanceHost();
  const bridge = new ConsentBridge({ host, backend });
  const pending = bridge.getPhoneNumber();
  const sync = host.calls.length === 1;
  const answer = await pending;
  let denied = null;
  try {
    await new ConsentBridge({ host: mockBinanceHost({ getOpenId: binanceDenial('getOpenId') }) }).askOpenId();
  } catch (e) {
    denied = { code: e.code, isBridgeError: e instanceof BridgeError, isError: e instanceof Error };
  }
  return { ok: true, sync, answer, denied };
}

run().then(
  (r) => (window.__RESULT__ = r),
  (e) => (window.__RESULT__ = { ok: false, error: `${e && e.code} ${e && e.message}` }),
);
