// An Alipay page: the host is the typed `my` namespace of @mini-types/my.
import { load, ConsentBridge, BridgeError, type UserProfile } from 'mp-consent-bridge';

const ready = load({ path: '/miniprogram_npm/mp-consent-bridge/mp_consent_bridge.wasm.br' });

export async function profile(): Promise<UserProfile | string> {
  await ready;
  const bridge = new ConsentBridge({ host: my, backend: 'https://api.example.com' });
  try {
    return await bridge.askOpenUserInfo();
  } catch (e) {
    return e instanceof BridgeError ? e.code : String(e);
  }
}
