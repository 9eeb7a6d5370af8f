// A WeChat component written as the README shows (the bare specifier, as after "Build npm").
const { load, ConsentBridge, BridgeError } = require('mp-consent-bridge');

const ready = load({ path: '/miniprogram_npm/mp-consent-bridge/mp_consent_bridge.wasm.br' });

Component({
  data: { ready: false, askedInTap: 0, result: '', error: '' },
  lifetimes: {
    attached() {
      ready.then(() => {
        this.bridge = new ConsentBridge({ host: bn });
        this.setData({ ready: true });
      });
    },
  },
  methods: {
    show(promise) {
      promise.then(
        (c) => this.setData({ result: c.kind, error: '' }),
        (e) => this.setData({ error: e instanceof BridgeError ? e.code : String(e) }),
      );
    },
    onPhone() {
      this.show(this.bridge.askPhoneNumber());
      // Still inside the tap handler: the host must have been asked already.
      this.setData({ askedInTap: bn.calls.length });
    },
    onOpenId() {
      this.show(this.bridge.askOpenId());
    },
  },
});
