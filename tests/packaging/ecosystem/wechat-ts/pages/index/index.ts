// A WeChat page in TypeScript: the one import that type-checks here and runs after
// WeChat's "Build npm" (which resolves 'mp-consent-bridge' to the package's miniprogram/).
// tests/packaging/ecosystem.test.mjs type-checks it; tests/packaging/wechat.test.mjs
// compiles it and runs it from the packNpm output.
import { load, ConsentBridge, BridgeError } from 'mp-consent-bridge';
// Types only (erased from the output): the miniprogram entry's own LoadOptions accept
// WeChat's loader as well.
import type { LoadOptions } from 'mp-consent-bridge/miniprogram';

const path = '/miniprogram_npm/mp-consent-bridge/mp_consent_bridge.wasm.br';
const options: LoadOptions = { instantiate: WXWebAssembly.instantiate, path };
const ready = load(options);

let bridge: ConsentBridge | undefined;

Page({
  data: { result: '', error: '' },
  async onLoad() {
    await ready;
    bridge = new ConsentBridge({ host: wx, backend: getApp<{ globalData: { backend: string } }>().globalData.backend });
  },
  onGetPhoneNumber(e: WechatMiniprogram.ButtonGetPhoneNumber) {
    if (!bridge) return;
    // No await before the call: the bridge reads the event before its first await.
    bridge.forwardPhoneNumberEvent(e).then(
      (answer) => this.setData({ result: JSON.stringify(answer) }),
      (err: unknown) => this.setData({ error: err instanceof BridgeError ? err.code : String(err) }),
    );
  },
  onAsk(e: WechatMiniprogram.ButtonGetPhoneNumber) {
    bridge?.phoneNumberFromEvent(e).then((c) => this.setData({ result: c.kind }));
  },
});
