// One flow against the reference backend (URL in location.hash), reported on
// window.__RESULT__; each bundler's entry hands it the package's exports.
export async function report(ConsentBridge, BridgeError, mockBinanceHost, binanceDenial, ready) {
  const backend = decodeURIComponent(location.hash.slice(1));
  async function run() {
    await ready;
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
  return run().then(
    (r) => (window.__RESULT__ = r),
    (e) => (window.__RESULT__ = { ok: false, error: `${e && e.code} ${e && e.message}` }),
  );
}
