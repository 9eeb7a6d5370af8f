// The phone-number flow on WeChat: the button's event carries a single-use code (5
// minutes); the bridge validates it and forwards it once to your backend through
// wx.request (logic layers have no fetch). "Build npm" puts the package's miniprogram/
// folder in miniprogram_npm/mp-consent-bridge/, hence the path of the .wasm.br below
// (base library 2.14 or later decompresses it).
const { load, ConsentBridge } = require('mp-consent-bridge');

const ready = load({ path: '/miniprogram_npm/mp-consent-bridge/mp_consent_bridge.wasm.br' });

Page({
  data: { ready: false, busy: false, result: '', error: '' },

  onLoad() {
    return ready.then(
      () => {
        this.bridge = new ConsentBridge({ host: wx, backend: getApp().globalData.backend });
        this.setData({ ready: true });
      },
      (e) => this.setData({ error: `${e.code}: ${e.message}` }),
    );
  },

  // No await before the bridge call: the event and its code are used inside the tap.
  onGetPhoneNumber(e) {
    this.setData({ busy: true, error: '' });
    return this.bridge.forwardPhoneNumberEvent(e).then(
      (answer) => this.setData({ busy: false, result: JSON.stringify(answer) }),
      (err) => this.setData({ busy: false, error: err.code }),
    );
  },
});
