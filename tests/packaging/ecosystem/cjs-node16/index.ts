// A CommonJS TypeScript project (module node16, package "type": "commonjs"): every entry
// it may require, as the README shows them.
import { ConsentBridge, BridgeError, load } from 'mp-consent-bridge';
import type { DataConsent } from 'mp-consent-bridge';
import { mockBinanceHost, binanceDenial } from 'mp-consent-bridge/testing';
import * as mini from 'mp-consent-bridge/miniprogram';
import { createSplitPage } from 'mp-consent-bridge/miniprogram/split-page';
import { serveSplit } from 'mp-consent-bridge/miniprogram/split-worker';

export async function flow(): Promise<DataConsent | string> {
  await load();
  await mini.load({ bytes: new Uint8Array(8) }).catch(() => undefined);
  const bridge = new ConsentBridge({ host: mockBinanceHost({ getOpenId: binanceDenial('getOpenId') }) });
  void [createSplitPage, serveSplit];
  try {
    return await bridge.askPhoneNumber();
  } catch (e) {
    return e instanceof BridgeError ? e.code : 'unknown';
  }
}
