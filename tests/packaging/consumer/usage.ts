// Compiled with `tsc --strict` against the INSTALLED package: every option, result and
// error type is declared, and misuse is a type error (each @ts-expect-error must fire).
import {
  ConsentBridge,
  BridgeError,
  type BridgeErrorCode,
  type ConsentBridgeOptions,
  type DataConsent,
  type RejectReason,
  type SubscribeOutcome,
  type SubscriptionsForwarded,
  type UserProfile,
  type AuthCodeConsent,
} from 'mp-consent-bridge';
import { mockBinanceHost, mockAlipayHost } from 'mp-consent-bridge/testing';
import * as mini from 'mp-consent-bridge/miniprogram';

const options: ConsentBridgeOptions = {
  host: mockBinanceHost(),
  hostTimeoutMs: 30_000,
  maxTemplatesPerCall: 3,
  backend: 'https://api.example.com',
  routes: { phoneNumber: '/phone', subscriptions: '/subs' },
  headers: async () => ({ Authorization: 'Bearer session' }),
  timeoutMs: 5_000,
  retries: 2,
  transport: 'auto',
};
const bridge = new ConsentBridge(options);
const bare = new ConsentBridge();

export async function flows(): Promise<string[]> {
  const consent: DataConsent = await bridge.askPhoneNumber();
  const kind: 'phoneNumber' | 'openId' | 'email' = consent.kind;
  const lifetime: number = consent.expiresAt - consent.obtainedAt;
  const fromButton: DataConsent = await bridge.phoneNumberFromEvent({ detail: { code: 'x' } });
  // Binance answers push tokens, WeChat and Alipay token-free grants: `platform` tells them apart.
  const asked = await bare.askSubscribe(['t1', 't2']);
  if ('platform' in asked) throw new Error(`a ${asked.platform} grant, not Binance push tokens`);
  const outcome: SubscribeOutcome = asked;
  const reasons: RejectReason[] = outcome.rejected.map((r) => r.reason);
  const pushTokens: string[] = outcome.accepted.map((a) => a.pushToken);
  const requested = await bridge.requestSubscribeMessage(['t1']);
  const sent: SubscriptionsForwarded | null = 'platform' in requested ? null : requested;
  const answer: unknown = await bridge.forward(consent);
  const alipay = new ConsentBridge({ host: mockAlipayHost(), backend: 'https://api.example.com' });
  const profile: UserProfile = await alipay.askOpenUserInfo();
  const gender: 'm' | 'f' | '' = profile.gender;
  const fromButton2: UserProfile = await alipay.askOpenUserInfoFromEvent({ type: 'getAuthorize', detail: {} });
  const code: AuthCodeConsent = await alipay.askAuthCode(['auth_user']);
  const scopes: string[] = code.grantedScopes;
  await alipay.forward(code);
  await alipay.forward(profile);
  const exchanged: unknown = await alipay.getAuthCode(['auth_base']);
  try {
    await bridge.getPhoneNumber();
  } catch (e) {
    if (e instanceof BridgeError) {
      const code: BridgeErrorCode = e.code;
      const status: number | undefined = e.details.status;
      const message: string = e.message;
      return [code, String(status), message];
    }
  }
  // @ts-expect-error transport is a closed set
  new ConsentBridge({ transport: 'xhr' });
  // @ts-expect-error template ids are strings
  await bridge.askSubscribe([1]);
  // @ts-expect-error error codes are a closed set
  const wrong: BridgeErrorCode = 'NOT_A_CODE';
  // @ts-expect-error BridgeError instances come from the bridge only
  new BridgeError();
  await mini.load({ path: '/miniprogram_npm/mp-consent-bridge/mp_consent_bridge.wasm' });
  await mini.load({ instantiate: (path, imports) => Promise.resolve({ exports: { path, imports } }), path: '/x.wasm' });
  const miniBridge: mini.ConsentBridge = new mini.ConsentBridge({ transport: 'host' });
  void miniBridge;
  // @ts-expect-error load needs to know where the wasm is
  await mini.load({});
  // @ts-expect-error scopes are strings
  await alipay.askAuthCode('auth_user');
  void [kind, lifetime, fromButton, reasons, pushTokens, sent, answer, wrong, gender, fromButton2, scopes, exchanged];
  return [];
}
