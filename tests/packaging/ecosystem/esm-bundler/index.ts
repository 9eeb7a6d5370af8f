// An ES module project for a bundler (moduleResolution "bundler"): webpack, vite, esbuild
// and rollup users, with the imports the README's table gives them.
import { ConsentBridge, BridgeError, type BridgeErrorCode } from 'mp-consent-bridge';
import init, { ConsentBridge as WebBridge } from 'mp-consent-bridge/web';
import { mockAlipayHost } from 'mp-consent-bridge/testing';

export async function flow(): Promise<BridgeErrorCode | string> {
  await init();
  void new WebBridge();
  try {
    return (await new ConsentBridge({ host: mockAlipayHost() }).askOpenUserInfo()).nickName;
  } catch (e) {
    if (e instanceof BridgeError) return e.code;
    throw e;
  }
}
