// A Binance page: the typings declare no `bn` global (checked: @binance/mp-service 2.0.12
// holds the framework's own types), so the page declares the host it injects.
import type MPService from '@binance/mp-service';
import { load, ConsentBridge, BridgeError, type DataConsent } from 'mp-consent-bridge';

declare const bn: object;
export type Service = typeof MPService;

export async function phone(bytes: Uint8Array): Promise<DataConsent | string> {
  await load({ bytes });
  try {
    return await new ConsentBridge({ host: bn }).askPhoneNumber();
  } catch (e) {
    return e instanceof BridgeError ? e.code : String(e);
  }
}
